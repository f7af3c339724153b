/*
 * accounts.c — the use cases over users and sessions.
 *
 * Argon2id runs with libsodium's "moderate"-class memory (64 MiB) and
 * three passes; a counting semaphore admits at most HASH_SLOTS hashes at
 * once, so a login flood queues instead of exhausting memory.  A login for
 * an unknown or disabled user still verifies against a dummy hash, so the
 * time taken does not reveal whether an account exists.
 */
#include <pthread.h>
#include <semaphore.h>
#include <sodium.h>
#include <stdio.h>
#include <string.h>

#include "accounts/accounts.h"
#include "accounts/accounts_int.h"
#include "core/audit.h"
#include "core/events.h"
#include "core/merkle.h"
#include "people/people.h"

#define HASH_SLOTS 2
#define HASH_OPS 3
#define HASH_MEM (64u * 1024 * 1024)

static sem_t hash_slots;
static char default_rule[16] = "privileged";
/*
 * What a login for an unknown or disabled user is checked against: a hash
 * of a random password nobody kept, with the same parameters as real ones,
 * so the reply takes as long as for a real account.  Made once, offline,
 * so that start-up does not spend 100 ms hashing.
 */
const char ch_dummy_hash[crypto_pwhash_STRBYTES] =
    "$argon2id$v=19$m=65536,t=3,p=1$EQDjYV0de84vUHUK3/P4RA$"
    "bI8Yy2WaXF6mDleXotRHdp3nAkjt/yQKhhC6bKCe7bs";
static pthread_once_t init_once = PTHREAD_ONCE_INIT;
static bool init_ok;

static void
init_once_fn(void)
{
	if (sodium_init() < 0 || sem_init(&hash_slots, 0, HASH_SLOTS) != 0)
		return;
	/* The dummy must cost what a real hash costs. */
	if (crypto_pwhash_str_needs_rehash(ch_dummy_hash, HASH_OPS, HASH_MEM) !=
	    0)
		return;
	init_ok = true;
}

ch_err
ch_accounts_init(void)
{
	pthread_once(&init_once, init_once_fn);
	if (!init_ok) {
		log_error("libsodium could not start");
		return CH_ERR_CRYPTO;
	}
	return CH_OK;
}

ch_err
ch_hash_password(const char *given, char out[crypto_pwhash_STRBYTES])
{
	char prepared[CH_PASSWORD_PREP_MAX * 3];
	const char *password =
	    ch_password_prepare(given, prepared, sizeof(prepared));
	int rc;

	sem_wait(&hash_slots);
	rc = crypto_pwhash_str(
	    out, password, strlen(password), HASH_OPS, HASH_MEM);
	sem_post(&hash_slots);
	sodium_memzero(prepared, sizeof(prepared));
	return rc == 0 ? CH_OK : CH_ERR_NOMEM;
}

bool
ch_verify_password(const char *hash, const char *given)
{
	char prepared[CH_PASSWORD_PREP_MAX * 3];
	const char *password =
	    ch_password_prepare(given, prepared, sizeof(prepared));
	int rc;

	sem_wait(&hash_slots);
	rc = crypto_pwhash_str_verify(hash, password, strlen(password));
	sem_post(&hash_slots);
	sodium_memzero(prepared, sizeof(prepared));
	return rc == 0;
}

/* The name of a post for the password check; NULL when none or unknown. */
static ch_err
post_name(struct ch_ctx *ctx, const char *post_id, const char **name)
{
	struct ch_post post;
	struct ch_tx *tx = NULL;
	ch_err err;

	*name = NULL;
	if (post_id == NULL || !ch_id_valid(post_id))
		return CH_OK;
	if ((err = ch_store_begin(ctx->store, false, &tx)) != CH_OK)
		return err;
	if (ch_store_post_get(tx, post_id, ctx->arena, &post) == CH_OK)
		*name = post.name;
	ch_store_rollback(tx);
	return CH_OK;
}

void
ch_second_factor_set_default(const char *rule)
{
	if (ch_second_factor_rule_valid(rule))
		ch_strlcpy(default_rule, rule, sizeof(default_rule));
}

bool
ch_second_factor_rule_valid(const char *rule)
{
	return rule != NULL &&
	    (strcmp(rule, "privileged") == 0 || strcmp(rule, "all") == 0 ||
		strcmp(rule, "optional") == 0);
}

bool
ch_second_factor_required(struct ch_tx *tx, const struct ch_user *u)
{
	char rule[16];

	if (u->post_id[0] == '\0' ||
	    ch_store_post_second_factor(tx, u->post_id, rule) != CH_OK)
		ch_strlcpy(rule, default_rule, sizeof(rule));
	if (strcmp(rule, "all") == 0)
		return true;
	if (strcmp(rule, "optional") == 0)
		return false;
	return (u->roles & CH_PRIVILEGED_ROLES) != 0;
}

ch_err
ch_posts_set_second_factor(
    struct ch_ctx *ctx, const char *post_id, const char *rule)
{
	struct ch_audit_entry e;
	struct ch_tx *tx = NULL;
	struct ch_user *users;
	char state[64];
	size_t n;
	ch_err err;

	if (!ch_second_factor_rule_valid(rule)) {
		ch_fault_set(&ctx->fault, "/second_factor",
		    "The rule is privileged (security officers, "
		    "administrators, HQ and EAC members must), all or "
		    "optional.");
		return CH_ERR_INVALID;
	}
	snprintf(state, sizeof(state), "second_factor=%s\n", rule);
	e = (struct ch_audit_entry){"post.second_factor", "post", post_id,
	    post_id, state, strlen(state)};
	if ((err = ch_store_begin(ctx->store, true, &tx)) != CH_OK)
		return err;
	if ((err = ch_store_post_set_second_factor(tx, post_id, rule)) !=
		CH_OK ||
	    (err = ch_store_user_list(tx, post_id, ctx->arena, &users, &n)) !=
		CH_OK)
		goto fail;
	/* A session opened without the second factor the rule now asks
	 * for ends; the next sign-in leads to the enrolment. */
	for (size_t i = 0; i < n; i++)
		if (!users[i].totp_enrolled &&
		    ch_second_factor_required(tx, &users[i]) &&
		    (err = ch_store_session_delete_user(tx, users[i].id)) !=
			CH_OK)
			goto fail;
	if ((err = ch_audit_append(tx, ctx, &e)) != CH_OK)
		goto fail;
	return ch_store_commit(tx);
fail:
	ch_store_rollback(tx);
	return err;
}

static bool
username_valid(const char *s)
{
	size_t n = s ? strlen(s) : 0;

	if (n < 2 || n > 64)
		return false;
	return strspn(s, "abcdefghijklmnopqrstuvwxyz0123456789._-") == n &&
	    s[0] != '.' && s[0] != '-';
}

/*
 * Whether the caller may leave a user with this post, these roles and this
 * clearance.  An administrator who does not see every post manages the
 * users of their own post only: another post is no post to them (as for
 * devices), a user without a post (the HQ desk) is for HQ to make, and so
 * is the hq role, which reaches every post.  Nobody gives a clearance
 * above their own.  The CLI may anything.  CH_ERR_INVALID or
 * CH_ERR_DENIED with the fault set.
 */
static ch_err
may_grant(struct ch_ctx *ctx, const char *post_id, unsigned roles,
    enum ch_clearance clearance)
{
	const struct ch_principal *who = ctx->who;

	if (who == NULL)
		return CH_OK;
	if (post_id == NULL || *post_id == '\0') {
		if (!ch_policy_all_posts(who)) {
			ch_fault_set(&ctx->fault, "/post_id",
			    "Only HQ may make or keep a user without a post.");
			return CH_ERR_DENIED;
		}
	} else if (!ch_ctx_sees_post(ctx, post_id)) {
		ch_fault_set(&ctx->fault, "/post_id", "No such post.");
		return CH_ERR_INVALID;
	}
	if ((roles & (1u << CH_ROLE_HQ)) && !ch_policy_all_posts(who)) {
		ch_fault_set(&ctx->fault, "/roles",
		    "Only HQ may give the hq role, which reaches every post.");
		return CH_ERR_DENIED;
	}
	if (clearance > who->clearance) {
		ch_fault_set(&ctx->fault, "/clearance",
		    "%s is above your clearance (%s).",
		    ch_clearance_code(clearance),
		    ch_clearance_code(who->clearance));
		return CH_ERR_DENIED;
	}
	return CH_OK;
}

static ch_err
audit_user(struct ch_ctx *ctx, struct ch_tx *tx, const char *action,
    const struct ch_user *u)
{
	char state[512], roles[128];
	struct ch_audit_entry e;

	ch_roles_format(u->roles, roles, sizeof(roles));
	snprintf(state, sizeof(state),
	    "id=%s\nusername=%s\nroles=%s\nclearance=%s\npost=%s\n"
	    "disabled=%d\nversion=%lld\n",
	    u->id, u->username, roles, ch_clearance_code(u->clearance),
	    u->post_id, u->disabled, (long long)u->version);
	e = (struct ch_audit_entry){action, "user", u->id,
	    u->post_id[0] ? u->post_id : NULL, state, strlen(state)};
	return ch_audit_append(tx, ctx, &e);
}

ch_err
ch_users_create(
    struct ch_ctx *ctx, const struct ch_user_input *in, struct ch_user *out)
{
	char hash[crypto_pwhash_STRBYTES];
	struct ch_post post;
	struct ch_tx *tx = NULL;
	const char *name = NULL, *post_id = in->post_id;
	ch_err err;

	memset(out, 0, sizeof(*out));
	/* An administrator of a post makes users of that post. */
	if ((post_id == NULL || *post_id == '\0') && ctx->who != NULL &&
	    !ch_policy_all_posts(ctx->who) && ctx->who->post_id[0] != '\0')
		post_id = ctx->who->post_id;
	if (!username_valid(in->username)) {
		ch_fault_set(&ctx->fault, "/username",
		    "A username is 2 to 64 characters of a-z, 0-9, dot, dash "
		    "and underscore, starting with a letter or digit.");
		return CH_ERR_INVALID;
	}
	if (!ch_roles_parse(in->roles, &out->roles)) {
		ch_fault_set(&ctx->fault, "/roles",
		    "roles must list one or more of security_officer, "
		    "analyst, guard, staff, eac_member, hq, administrator.");
		return CH_ERR_INVALID;
	}
	if (!ch_clearance_parse(in->clearance ? in->clearance : "UNCLASSIFIED",
		&out->clearance)) {
		ch_fault_set(&ctx->fault, "/clearance",
		    "clearance must be UNCLASSIFIED, SBU, CONFIDENTIAL or "
		    "SECRET.");
		return CH_ERR_INVALID;
	}
	if ((err = may_grant(ctx, post_id, out->roles, out->clearance)) !=
	    CH_OK)
		return err;
	if ((err = post_name(ctx, post_id, &name)) != CH_OK)
		return err;
	if ((err = ch_password_check(
		 in->password, in->username, name, &ctx->fault)) != CH_OK)
		return err;
	if ((err = ch_accounts_init()) != CH_OK ||
	    (err = ch_hash_password(in->password, hash)) != CH_OK)
		return err;
	ch_id_new(out->id);
	out->username = ch_arena_strdup(ctx->arena, in->username);
	out->display_name = ch_arena_strdup(ctx->arena,
	    in->display_name && *in->display_name ? in->display_name
						  : in->username);
	out->password_hash = ch_arena_strdup(ctx->arena, hash);
	ch_strlcpy(out->post_id, post_id ? post_id : "", sizeof(out->post_id));
	ch_strlcpy(out->person_id, in->person_id ? in->person_id : "",
	    sizeof(out->person_id));
	out->version = 1;
	ch_time_format(ch_clock_now(), out->created_at);
	memcpy(out->updated_at, out->created_at, sizeof(out->updated_at));
	if ((err = ch_store_begin(ctx->store, true, &tx)) != CH_OK)
		return err;
	if (out->post_id[0] != '\0' &&
	    (!ch_id_valid(out->post_id) ||
		ch_store_post_get(tx, out->post_id, ctx->arena, &post) !=
		    CH_OK)) {
		ch_fault_set(&ctx->fault, "/post_id", "No such post.");
		err = CH_ERR_INVALID;
		goto fail;
	}
	if (out->person_id[0] != '\0') {
		struct ch_person person;

		err = ch_id_valid(out->person_id)
		    ? ch_store_person_get(
			  tx, out->person_id, ctx->arena, &person)
		    : CH_ERR_NOT_FOUND;
		if (err == CH_OK && out->post_id[0] != '\0' &&
		    strcmp(person.post_id, out->post_id) != 0)
			err = CH_ERR_NOT_FOUND;
		if (err == CH_ERR_NOT_FOUND) {
			ch_fault_set(&ctx->fault, "/person_id",
			    "No person with this id at the user's post.");
			err = CH_ERR_INVALID;
		}
		if (err != CH_OK)
			goto fail;
	}
	if ((err = ch_store_user_insert(tx, out)) != CH_OK) {
		if (err == CH_ERR_CONFLICT)
			ch_fault_set(&ctx->fault, "/username",
			    "The username %s is taken.", in->username);
		goto fail;
	}
	if ((err = audit_user(ctx, tx, "user.create", out)) != CH_OK)
		goto fail;
	return ch_store_commit(tx);
fail:
	ch_store_rollback(tx);
	return err;
}

/* Load a user by name for a change, in a write transaction. */
static ch_err
user_for_change(struct ch_ctx *ctx, const char *username, struct ch_tx **tx,
    struct ch_user *u)
{
	ch_err err;

	if ((err = ch_store_begin(ctx->store, true, tx)) != CH_OK)
		return err;
	err = ch_store_user_by_name(*tx, username, ctx->arena, u);
	/* A user of a post the caller does not see is no user to them. */
	if (err == CH_OK && !ch_ctx_sees_post(ctx, u->post_id))
		err = CH_ERR_NOT_FOUND;
	if (err != CH_OK) {
		if (err == CH_ERR_NOT_FOUND)
			ch_fault_set(&ctx->fault, "/username",
			    "No user is named %s.", username);
		ch_store_rollback(*tx);
		*tx = NULL;
	}
	return err;
}

ch_err
ch_users_set_password(
    struct ch_ctx *ctx, const char *username, const char *password)
{
	char hash[crypto_pwhash_STRBYTES];
	struct ch_tx *tx = NULL;
	struct ch_user u;
	const char *name = NULL;
	ch_err err;

	if ((err = user_for_change(ctx, username, &tx, &u)) != CH_OK)
		return err;
	ch_store_rollback(tx);
	tx = NULL;
	/* A new password is the account: only for who could grant it. */
	if ((err = may_grant(ctx, u.post_id, u.roles, u.clearance)) != CH_OK)
		return err;
	if ((err = post_name(ctx, u.post_id, &name)) != CH_OK)
		return err;
	if ((err = ch_password_check(password, username, name, &ctx->fault)) !=
	    CH_OK)
		return err;
	if ((err = ch_accounts_init()) != CH_OK ||
	    (err = ch_hash_password(password, hash)) != CH_OK)
		return err;
	if ((err = user_for_change(ctx, username, &tx, &u)) != CH_OK)
		return err;
	u.password_hash = hash;
	ch_time_format(ch_clock_now(), u.updated_at);
	if ((err = ch_store_user_update(tx, &u)) != CH_OK ||
	    (err = ch_store_session_delete_user(tx, u.id)) != CH_OK ||
	    (err = audit_user(ctx, tx, "user.password", &u)) != CH_OK) {
		ch_store_rollback(tx);
		return err;
	}
	return ch_store_commit(tx);
}

ch_err
ch_users_totp_reset(struct ch_ctx *ctx, const char *username)
{
	struct ch_tx *tx = NULL;
	struct ch_user u;
	ch_err err;

	if ((err = user_for_change(ctx, username, &tx, &u)) != CH_OK)
		return err;
	if ((err = ch_store_totp_clear(tx, u.id)) != CH_OK ||
	    (err = ch_store_session_delete_user(tx, u.id)) != CH_OK ||
	    (err = audit_user(ctx, tx, "user.totp_reset", &u)) != CH_OK) {
		ch_store_rollback(tx);
		return err;
	}
	return ch_store_commit(tx);
}

ch_err
ch_users_set_disabled(struct ch_ctx *ctx, const char *username, bool disabled)
{
	struct ch_tx *tx = NULL;
	struct ch_user u;
	ch_err err;

	if ((err = user_for_change(ctx, username, &tx, &u)) != CH_OK)
		return err;
	u.disabled = disabled;
	ch_time_format(ch_clock_now(), u.updated_at);
	if ((err = ch_store_user_update(tx, &u)) != CH_OK ||
	    (disabled &&
		(err = ch_store_session_delete_user(tx, u.id)) != CH_OK) ||
	    (err = audit_user(ctx, tx,
		 disabled ? "user.disable" : "user.enable", &u)) != CH_OK) {
		ch_store_rollback(tx);
		return err;
	}
	return ch_store_commit(tx);
}

ch_err
ch_users_list(struct ch_ctx *ctx, struct ch_user **out, size_t *count)
{
	struct ch_tx *tx = NULL;
	ch_err err;

	*out = NULL;
	*count = 0;
	if (ctx->who != NULL && !ch_policy_all_posts(ctx->who) &&
	    ctx->who->post_id[0] == '\0')
		return CH_OK; /* no post, no users */
	if ((err = ch_store_begin(ctx->store, false, &tx)) != CH_OK)
		return err;
	/* The users of the caller's post; HQ and the CLI see every one. */
	err = ch_store_user_list(tx,
	    ctx->who == NULL || ch_policy_all_posts(ctx->who)
		? NULL
		: ctx->who->post_id,
	    ctx->arena, out, count);
	ch_store_rollback(tx);
	return err;
}

ch_err
ch_users_get(struct ch_ctx *ctx, const char *id, struct ch_user *out)
{
	struct ch_tx *tx = NULL;
	ch_err err;

	if (!ch_id_valid(id))
		return CH_ERR_NOT_FOUND;
	if ((err = ch_store_begin(ctx->store, false, &tx)) != CH_OK)
		return err;
	err = ch_store_user_by_id(tx, id, ctx->arena, out);
	ch_store_rollback(tx);
	if (err == CH_OK && !ch_ctx_sees_post(ctx, out->post_id))
		return CH_ERR_NOT_FOUND;
	return err;
}

/* ch_users_set_access, or with apply false its checks only. */
static ch_err
users_access(struct ch_ctx *ctx, const char *id, const char *roles,
    const char *clearance, const char *post_id, bool apply)
{
	struct ch_totp_row totp;
	struct ch_post post;
	struct ch_tx *tx = NULL;
	struct ch_user u;
	unsigned before;
	bool asked_before, end_sessions;
	ch_err err;

	if (!ch_id_valid(id))
		return CH_ERR_NOT_FOUND;
	if ((err = ch_store_begin(ctx->store, true, &tx)) != CH_OK)
		return err;
	if ((err = ch_store_user_by_id(tx, id, ctx->arena, &u)) != CH_OK)
		goto fail;
	if (!ch_ctx_sees_post(ctx, u.post_id)) {
		err = CH_ERR_NOT_FOUND;
		goto fail;
	}
	before = u.roles;
	asked_before = ch_second_factor_required(tx, &u);
	if (roles != NULL && !ch_roles_parse(roles, &u.roles)) {
		ch_fault_set(&ctx->fault, "/roles",
		    "roles must list one or more of security_officer, "
		    "analyst, guard, staff, eac_member, hq, administrator.");
		err = CH_ERR_INVALID;
		goto fail;
	}
	if (clearance != NULL && !ch_clearance_parse(clearance, &u.clearance)) {
		ch_fault_set(&ctx->fault, "/clearance",
		    "clearance must be UNCLASSIFIED, SBU, CONFIDENTIAL or "
		    "SECRET.");
		err = CH_ERR_INVALID;
		goto fail;
	}
	if (post_id != NULL) {
		if (*post_id != '\0' &&
		    (!ch_id_valid(post_id) ||
			ch_store_post_get(tx, post_id, ctx->arena, &post) !=
			    CH_OK)) {
			ch_fault_set(&ctx->fault, "/post_id", "No such post.");
			err = CH_ERR_INVALID;
			goto fail;
		}
		ch_strlcpy(u.post_id, post_id, sizeof(u.post_id));
	}
	if ((err = may_grant(ctx, u.post_id, u.roles, u.clearance)) != CH_OK)
		goto fail;
	if (!apply) {
		ch_store_rollback(tx); /* checked only */
		return CH_OK;
	}
	ch_time_format(ch_clock_now(), u.updated_at);
	/* A session opened before the user gained a privileged role, or
	 * before a move to a post whose rule asks a second factor of a user
	 * who has none, passed no second factor (and a privileged role has
	 * the shorter limits): it ends, and the next sign-in asks what the
	 * user now needs. */
	if ((err = ch_store_totp_get(tx, u.id, &totp)) != CH_OK)
		goto fail;
	end_sessions = (u.roles & ~before & CH_PRIVILEGED_ROLES) != 0 ||
	    (totp.secret[0] == '\0' && !asked_before &&
		ch_second_factor_required(tx, &u));
	sodium_memzero(&totp, sizeof(totp));
	if ((err = ch_store_user_update(tx, &u)) != CH_OK ||
	    (end_sessions &&
		(err = ch_store_session_delete_user(tx, u.id)) != CH_OK) ||
	    (err = audit_user(ctx, tx, "user.access", &u)) != CH_OK)
		goto fail;
	return ch_store_commit(tx);
fail:
	ch_store_rollback(tx);
	return err;
}

ch_err
ch_users_set_access(struct ch_ctx *ctx, const char *id, const char *roles,
    const char *clearance, const char *post_id)
{
	return users_access(ctx, id, roles, clearance, post_id, true);
}

ch_err
ch_users_check_access(struct ch_ctx *ctx, const char *id, const char *roles,
    const char *clearance, const char *post_id)
{
	return users_access(ctx, id, roles, clearance, post_id, false);
}

void
ch_session_token_hash(const char *token, char out[65])
{
	unsigned char digest[32];

	/* Every request with a token hashes it: with the CPU's SHA
	 * instructions where there are some (core/merkle.h). */
	ch_sha256(token, strlen(token), digest);
	ch_hex(digest, sizeof(digest), out);
}

void
ch_principal_from_user(const struct ch_user *u, struct ch_principal *p)
{
	memset(p, 0, sizeof(*p));
	ch_strlcpy(p->user_id, u->id, sizeof(p->user_id));
	ch_strlcpy(p->username, u->username, sizeof(p->username));
	ch_strlcpy(p->display_name, u->display_name, sizeof(p->display_name));
	p->roles = u->roles;
	p->clearance = u->clearance;
	ch_strlcpy(p->post_id, u->post_id, sizeof(p->post_id));
	ch_strlcpy(p->person_id, u->person_id, sizeof(p->person_id));
}
