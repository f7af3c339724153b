/*
 * sessions.c — signing in, second factors, sessions and re-authentication.
 *
 * A sign-in is one or two steps.  The password opens a session whose stage
 * is "full", or, for a user with TOTP, "totp" (send a code), or, for a
 * user who must have a second factor and has none yet, "enrol".  A pending
 * session lives a few minutes and the HTTP layer lets it reach only the
 * routes that finish the sign-in or enrol; finishing replaces it by a full
 * session with a new token, so a token seen before the second factor is
 * worth nothing after.
 *
 * Tokens are 256 random bits, kept by the client only; the store has their
 * SHA-256.  Each session also has a public id (a UUID) that the user sees
 * in the list of their sessions and ends one by.  Every failure (password,
 * code, recovery code, replay) counts for the throttle.
 */
#include <sodium.h>
#include <stdio.h>
#include <string.h>

#include "accounts/accounts_int.h"
#include "core/audit.h"

static struct ch_session_limits limits = {
    .idle_seconds = 30 * 60,
    .absolute_seconds = 12 * 3600,
    .idle_privileged = 15 * 60,
    .absolute_privileged = 12 * 3600,
    .pending_seconds = 5 * 60,
    .reauth_seconds = 5 * 60,
};

void
ch_session_set_limits(const struct ch_session_limits *l)
{
	limits = *l;
}

void
ch_session_get_limits(struct ch_session_limits *l)
{
	*l = limits;
}

bool
ch_session_recent(const struct ch_session_row *s, int64_t now)
{
	return s->reauth_at > 0 && now - s->reauth_at < limits.reauth_seconds &&
	    now >= s->reauth_at;
}

/*
 * The throttle's name for an account: the SHA-256 of the username as
 * typed (lower-cased, bounded), so that neither memory nor the
 * login_failures table keeps what people type into the username field (at
 * times a password).
 */
static void
account_key(const char *username, char out[72])
{
	unsigned char digest[crypto_hash_sha256_BYTES];
	char lower[65];
	size_t i;

	for (i = 0; username && username[i] && i < 64; i++)
		lower[i] = (char)(username[i] >= 'A' && username[i] <= 'Z'
			? username[i] - 'A' + 'a'
			: username[i]);
	lower[i] = '\0';
	crypto_hash_sha256(digest, (const unsigned char *)lower, i);
	ch_hex(digest, sizeof(digest), out);
	sodium_memzero(lower, sizeof(lower));
}

static const char *
source_of(const struct ch_ctx *ctx)
{
	return ctx->source ? ctx->source : "?";
}

static void
failed(struct ch_ctx *ctx, const char *account)
{
	struct ch_tx *tx = NULL;
	int64_t now = ch_clock_now();

	ch_throttle_failed(account, source_of(ctx), now);
	if (ch_store_begin(ctx->store, true, &tx) != CH_OK)
		return;
	if (ch_store_login_failure_add(tx, account, source_of(ctx), now) ==
		CH_OK &&
	    ch_store_login_failures_forget(tx, NULL, now - 3600) == CH_OK)
		ch_store_commit(tx);
	else
		ch_store_rollback(tx);
}

static void
succeeded(struct ch_ctx *ctx, const char *account)
{
	struct ch_tx *tx = NULL;

	ch_throttle_succeeded(account, source_of(ctx), ch_clock_now());
	if (ch_store_begin(ctx->store, true, &tx) != CH_OK)
		return;
	if (ch_store_login_failures_forget(tx, account, 0) == CH_OK)
		ch_store_commit(tx);
	else
		ch_store_rollback(tx);
}

ch_err
ch_accounts_load_throttle(struct ch_store *store)
{
	struct ch_login_failure *f;
	struct ch_tx *tx = NULL;
	ch_arena *arena = ch_arena_create(0);
	size_t n = 0;
	ch_err err;

	if (arena == NULL)
		return CH_ERR_NOMEM;
	if ((err = ch_store_begin(store, false, &tx)) == CH_OK) {
		err = ch_store_login_failures_since(
		    tx, ch_clock_now() - 3600, 100000, arena, &f, &n);
		ch_store_rollback(tx);
	}
	for (size_t i = 0; err == CH_OK && i < n; i++)
		ch_throttle_failed(f[i].account, f[i].source, f[i].at);
	ch_arena_destroy(arena);
	return err;
}

static bool
privileged(const struct ch_user *u)
{
	return (u->roles & CH_PRIVILEGED_ROLES) != 0;
}

/* Write a new session for u at stage into tx; fills out's token and
 * csrf. */
static ch_err
session_insert(struct ch_ctx *ctx, struct ch_tx *tx, const struct ch_user *u,
    const char *stage, struct ch_login *out)
{
	unsigned char raw[32], raw_csrf[32];
	struct ch_session_row s;
	ch_err err;

	ch_random_bytes(raw, sizeof(raw));
	ch_random_bytes(raw_csrf, sizeof(raw_csrf));
	sodium_bin2base64(out->token, CH_TOKEN_LEN, raw, sizeof(raw),
	    sodium_base64_VARIANT_URLSAFE_NO_PADDING);
	ch_hex(raw_csrf, sizeof(raw_csrf), out->csrf);
	sodium_memzero(raw, sizeof(raw));
	memset(&s, 0, sizeof(s));
	ch_session_token_hash(out->token, s.token_hash);
	ch_id_new(s.public_id);
	ch_strlcpy(s.stage, stage, sizeof(s.stage));
	ch_strlcpy(s.user_id, u->id, sizeof(s.user_id));
	ch_strlcpy(s.csrf_token, out->csrf, sizeof(s.csrf_token));
	s.created_at = ch_clock_now();
	s.last_seen = s.created_at;
	if (strcmp(stage, CH_STAGE_FULL) != 0)
		s.expires_at = s.created_at + limits.pending_seconds;
	else
		s.expires_at = s.created_at +
		    (privileged(u) ? limits.absolute_privileged
				   : limits.absolute_seconds);
	/* A full sign-in just checked every factor, an enrolment's the
	 * password, all it has: recent for reauth (which the enrolment
	 * asks, so that a stolen session cannot bind its own app). */
	s.reauth_at = strcmp(stage, CH_STAGE_TOTP) != 0 ? s.created_at : 0;
	s.source = ctx->source;
	/* The user as the factors were checked against: a password change
	 * (or any change) that committed meanwhile has ended the user's
	 * sessions, and this one must not start after it. */
	err = ch_store_user_hold(tx, u->id, u->version);
	if (err == CH_ERR_PRECONDITION) {
		log_warn("no session for %s: the account changed during the "
			 "sign-in",
		    u->username);
		return CH_ERR_UNAUTHENTICATED;
	}
	if (err != CH_OK ||
	    (err = ch_store_session_purge(tx, s.created_at)) != CH_OK)
		return err;
	return ch_store_session_insert(tx, &s);
}

/* Audit a session event as the user's own act. */
static ch_err
audit_session(struct ch_ctx *ctx, struct ch_tx *tx, const char *action,
    const struct ch_user *u, const char *state)
{
	struct ch_principal who;
	const struct ch_principal *saved = ctx->who;
	struct ch_audit_entry e = {action, "user", u->id,
	    u->post_id[0] ? u->post_id : NULL, state,
	    state ? strlen(state) : 0};
	ch_err err;

	ch_principal_from_user(u, &who);
	// cppcheck-suppress autoVariables
	ctx->who = &who;
	err = ch_audit_append(tx, ctx, &e);
	ctx->who = saved;
	return err;
}

/* Open a session for u at stage in its own transaction. */
static ch_err
session_open(struct ch_ctx *ctx, const struct ch_user *u, const char *stage,
    const char *old_hash, const char *state, struct ch_login *out)
{
	struct ch_tx *tx = NULL;
	ch_err err;

	if ((err = ch_store_begin(ctx->store, true, &tx)) != CH_OK)
		return err;
	if ((old_hash != NULL &&
		(err = ch_store_session_delete(tx, old_hash)) != CH_OK) ||
	    (err = session_insert(ctx, tx, u, stage, out)) != CH_OK ||
	    (err = audit_session(ctx, tx,
		 strcmp(stage, CH_STAGE_FULL) == 0 ? "session.login"
						   : "session.pending",
		 u, state)) != CH_OK) {
		ch_store_rollback(tx);
		return err;
	}
	return ch_store_commit(tx);
}

/* The sign-in of ch_session_login once the throttle let it go. */
static ch_err
login_admitted(struct ch_ctx *ctx, const char *username, const char *password,
    const char *account, struct ch_login *out)
{
	struct ch_totp_row totp;
	struct ch_tx *tx = NULL;
	const char *hash, *stage = CH_STAGE_FULL;
	bool found, ok, required = false;
	ch_err err;

	memset(&totp, 0, sizeof(totp));
	/* Until the password is checked, a known name costs what an unknown
	 * one does: one lookup, one hash.  What else the account holds (its
	 * second factor, its post's rule) is read after. */
	if ((err = ch_store_begin(ctx->store, false, &tx)) != CH_OK)
		return err;
	err = ch_store_user_by_name(tx, username, ctx->arena, &out->user);
	ch_store_rollback(tx);
	if (err != CH_OK && err != CH_ERR_NOT_FOUND)
		return err;
	found = err == CH_OK && !out->user.disabled;
	hash = found ? out->user.password_hash : ch_dummy_hash;
	ok = ch_verify_password(hash, password) && found;
	if (!ok) {
		log_warn("failed sign-in for a user from %s", source_of(ctx));
		failed(ctx, account);
		return CH_ERR_UNAUTHENTICATED;
	}
	if ((err = ch_store_begin(ctx->store, false, &tx)) != CH_OK)
		return err;
	err = ch_store_totp_get(tx, out->user.id, &totp);
	required = ch_second_factor_required(tx, &out->user);
	ch_store_rollback(tx);
	if (err != CH_OK) {
		sodium_memzero(&totp, sizeof(totp));
		/* Removed meanwhile: as if it never was. */
		return err == CH_ERR_NOT_FOUND ? CH_ERR_UNAUTHENTICATED : err;
	}
	if (totp.secret[0] != '\0')
		stage = CH_STAGE_TOTP;
	else if (required)
		stage = CH_STAGE_ENROL;
	sodium_memzero(&totp, sizeof(totp));
	out->state = strcmp(stage, CH_STAGE_FULL) == 0 ? CH_LOGIN_DONE
	    : strcmp(stage, CH_STAGE_TOTP) == 0        ? CH_LOGIN_TOTP
						       : CH_LOGIN_ENROL;
	if ((err = session_open(ctx, &out->user, stage, NULL,
		 "factor=password\n", out)) != CH_OK)
		return err;
	if (out->state == CH_LOGIN_DONE)
		succeeded(ctx, account);
	return CH_OK;
}

ch_err
ch_session_login(struct ch_ctx *ctx, const char *username, const char *password,
    struct ch_login *out)
{
	char account[72];
	ch_err err;

	memset(out, 0, sizeof(*out));
	if ((err = ch_accounts_init()) != CH_OK)
		return err;
	account_key(username, account);
	out->retry_after =
	    ch_throttle_begin(account, source_of(ctx), ch_clock_now());
	if (out->retry_after > 0) {
		log_warn("sign-in throttled for %lld s from %s",
		    (long long)out->retry_after, source_of(ctx));
		return CH_ERR_LIMIT;
	}
	err = login_admitted(ctx, username, password, account, out);
	ch_throttle_end(account, source_of(ctx));
	return err;
}

/* Check a TOTP code for user_id and use its step, in tx. */
static ch_err
use_code(struct ch_ctx *ctx, struct ch_tx *tx, const struct ch_user *u,
    const char *code)
{
	struct ch_totp_row totp;
	int64_t step;
	ch_err err;

	if ((err = ch_store_totp_get(tx, u->id, &totp)) != CH_OK)
		return err;
	if (totp.secret[0] == '\0' ||
	    !ch_totp_match(totp.secret, code, ch_clock_now(), &step)) {
		sodium_memzero(&totp, sizeof(totp));
		return CH_ERR_UNAUTHENTICATED;
	}
	sodium_memzero(&totp, sizeof(totp));
	err = ch_store_totp_use_step(tx, u->id, step);
	if (err == CH_ERR_CONFLICT) {
		log_warn("refused a TOTP code used before, for %s from %s",
		    u->username, source_of(ctx));
		return CH_ERR_REPLAY;
	}
	return err;
}

/* The code of ch_session_second_factor once the throttle let it go: end
 * the pending session s and open a full one. */
static ch_err
second_factor_admitted(struct ch_ctx *ctx, const struct ch_session_row *s,
    const char *code, const char *recovery_code, const char *account,
    struct ch_login *out)
{
	struct ch_tx *tx = NULL;
	char rhash[65];
	const char *factor;
	ch_err err;

	if ((err = ch_store_begin(ctx->store, true, &tx)) != CH_OK)
		return err;
	if (code != NULL) {
		factor = "factor=totp\n";
		err = use_code(ctx, tx, &out->user, code);
	} else if (recovery_code != NULL &&
	    ch_recovery_code_hash(recovery_code, rhash)) {
		factor = "factor=recovery_code\n";
		err = ch_store_recovery_use(
		    tx, out->user.id, rhash, ch_clock_now());
		if (err == CH_ERR_NOT_FOUND)
			err = CH_ERR_UNAUTHENTICATED;
	} else {
		factor = "";
		err = CH_ERR_UNAUTHENTICATED;
	}
	if (err == CH_OK)
		err = ch_store_session_delete(tx, s->token_hash);
	if (err == CH_OK)
		err = session_insert(ctx, tx, &out->user, CH_STAGE_FULL, out);
	if (err == CH_OK)
		err =
		    audit_session(ctx, tx, "session.login", &out->user, factor);
	if (err != CH_OK) {
		ch_store_rollback(tx);
		if (err == CH_ERR_UNAUTHENTICATED || err == CH_ERR_REPLAY) {
			log_warn("failed second factor for %s from %s",
			    out->user.username, source_of(ctx));
			failed(ctx, account);
		}
		return err;
	}
	if ((err = ch_store_commit(tx)) != CH_OK)
		return err;
	out->state = CH_LOGIN_DONE;
	succeeded(ctx, account);
	return CH_OK;
}

ch_err
ch_session_second_factor(struct ch_ctx *ctx, const char *token,
    const char *code, const char *recovery_code, struct ch_login *out)
{
	struct ch_session_row s;
	char account[72];
	char tok[CH_TOKEN_LEN];
	ch_err err;

	/* token may point into out (out->token of the password step). */
	if (token == NULL || !ch_strlcpy(tok, token, sizeof(tok)))
		return CH_ERR_UNAUTHENTICATED;
	memset(out, 0, sizeof(*out));
	err = ch_session_resolve(ctx->store, tok, ctx->arena, &out->user, &s);
	sodium_memzero(tok, sizeof(tok));
	if (err != CH_OK)
		return err;
	if (strcmp(s.stage, CH_STAGE_TOTP) != 0) {
		ch_fault_set(&ctx->fault, "",
		    "No second factor is pending for this session.");
		return CH_ERR_INVALID;
	}
	account_key(out->user.username, account);
	out->retry_after =
	    ch_throttle_begin(account, source_of(ctx), ch_clock_now());
	if (out->retry_after > 0)
		return CH_ERR_LIMIT;
	err =
	    second_factor_admitted(ctx, &s, code, recovery_code, account, out);
	ch_throttle_end(account, source_of(ctx));
	return err;
}

ch_err
ch_session_upgrade(struct ch_ctx *ctx, const char *token, struct ch_login *out)
{
	struct ch_session_row s;
	char account[72], tok[CH_TOKEN_LEN];
	ch_err err;

	if (token == NULL || !ch_strlcpy(tok, token, sizeof(tok)))
		return CH_ERR_UNAUTHENTICATED;
	memset(out, 0, sizeof(*out));
	err = ch_session_resolve(ctx->store, tok, ctx->arena, &out->user, &s);
	sodium_memzero(tok, sizeof(tok));
	if (err != CH_OK)
		return err;
	if ((err = session_open(ctx, &out->user, CH_STAGE_FULL, s.token_hash,
		 "factor=totp_enrolment\n", out)) != CH_OK)
		return err;
	out->state = CH_LOGIN_DONE;
	account_key(out->user.username, account);
	succeeded(ctx, account);
	return CH_OK;
}

/* The session of a token hash and its user, when the session is live:
 * known, not expired, not idle too long, its user not disabled.  *idle
 * receives the idle limit that applies. */
static ch_err
session_live(struct ch_store *store, const char *hash, ch_arena *arena,
    struct ch_user *user, struct ch_session_row *s, int64_t *idle)
{
	struct ch_tx *tx = NULL;
	int64_t now = ch_clock_now();
	ch_err err;

	if ((err = ch_store_begin(store, false, &tx)) != CH_OK)
		return err;
	err = ch_store_session_get(tx, hash, arena, s);
	if (err == CH_OK)
		err = ch_store_user_by_id(tx, s->user_id, arena, user);
	ch_store_rollback(tx);
	if (err == CH_ERR_NOT_FOUND)
		return CH_ERR_UNAUTHENTICATED;
	if (err != CH_OK)
		return err;
	*idle = privileged(user) ? limits.idle_privileged : limits.idle_seconds;
	if (user->disabled || now >= s->expires_at ||
	    now - s->last_seen > *idle)
		return CH_ERR_UNAUTHENTICATED;
	return CH_OK;
}

ch_err
ch_session_check(struct ch_store *store, const char *token_hash,
    ch_arena *arena, struct ch_principal *who)
{
	struct ch_session_row s;
	struct ch_user user;
	int64_t idle;
	ch_err err;

	err = session_live(store, token_hash, arena, &user, &s, &idle);
	if (err != CH_OK)
		return err;
	if (strcmp(s.stage, CH_STAGE_FULL) != 0)
		return CH_ERR_UNAUTHENTICATED;
	ch_principal_from_user(&user, who);
	return CH_OK;
}

ch_err
ch_session_resolve(struct ch_store *store, const char *token, ch_arena *arena,
    struct ch_user *user, struct ch_session_row *s)
{
	struct ch_tx *tx = NULL;
	char hash[65];
	int64_t now = ch_clock_now(), idle;
	ch_err err;

	if (token == NULL || strlen(token) != CH_TOKEN_LEN - 1)
		return CH_ERR_UNAUTHENTICATED;
	ch_session_token_hash(token, hash);
	if ((err = session_live(store, hash, arena, user, s, &idle)) != CH_OK)
		return err;
	/* Record activity at most once a minute (or when the idle limit is
	 * shorter): a write per request would serialise every reader. */
	if (now - s->last_seen >= (idle < 120 ? 1 : 60) &&
	    ch_store_begin(store, true, &tx) == CH_OK) {
		if (ch_store_session_touch(tx, hash, now) == CH_OK)
			ch_store_commit(tx);
		else
			ch_store_rollback(tx);
	}
	return CH_OK;
}

ch_err
ch_session_logout(struct ch_ctx *ctx, const char *token)
{
	struct ch_audit_entry e = {"session.logout", "user",
	    ctx->who ? ctx->who->user_id : NULL,
	    ctx->who && ctx->who->post_id[0] ? ctx->who->post_id : NULL, NULL,
	    0};
	struct ch_tx *tx = NULL;
	char hash[65];
	ch_err err;

	ch_session_token_hash(token, hash);
	if ((err = ch_store_begin(ctx->store, true, &tx)) != CH_OK)
		return err;
	if ((err = ch_store_session_delete(tx, hash)) != CH_OK ||
	    (err = ch_audit_append(tx, ctx, &e)) != CH_OK) {
		ch_store_rollback(tx);
		return err;
	}
	return ch_store_commit(tx);
}

/* The checks of ch_session_reauth once the throttle let them go. */
static ch_err
reauth_admitted(struct ch_ctx *ctx, const char *token_hash,
    const char *password, const char *code, const char *account)
{
	struct ch_totp_row totp;
	struct ch_tx *tx = NULL;
	struct ch_user u;
	ch_err err;

	if ((err = ch_store_begin(ctx->store, false, &tx)) != CH_OK)
		return err;
	err = ch_store_user_by_id(tx, ctx->who->user_id, ctx->arena, &u);
	if (err == CH_OK)
		err = ch_store_totp_get(tx, u.id, &totp);
	ch_store_rollback(tx);
	if (err != CH_OK)
		return err == CH_ERR_NOT_FOUND ? CH_ERR_UNAUTHENTICATED : err;
	if (password == NULL ||
	    !ch_verify_password(u.password_hash, password)) {
		log_warn("failed re-authentication for %s from %s", u.username,
		    source_of(ctx));
		failed(ctx, account);
		return CH_ERR_UNAUTHENTICATED;
	}
	if ((err = ch_store_begin(ctx->store, true, &tx)) != CH_OK)
		return err;
	if (totp.secret[0] != '\0')
		err = code == NULL ? CH_ERR_UNAUTHENTICATED
				   : use_code(ctx, tx, &u, code);
	sodium_memzero(&totp, sizeof(totp));
	if (err == CH_OK)
		err =
		    ch_store_session_set_reauth(tx, token_hash, ch_clock_now());
	if (err == CH_OK)
		err = audit_session(ctx, tx, "session.reauth", &u, NULL);
	if (err != CH_OK) {
		ch_store_rollback(tx);
		if (err == CH_ERR_UNAUTHENTICATED || err == CH_ERR_REPLAY)
			failed(ctx, account);
		return err;
	}
	return ch_store_commit(tx);
}

ch_err
ch_session_reauth(struct ch_ctx *ctx, const char *token_hash,
    const char *password, const char *code, int64_t *retry_after)
{
	char account[72];
	ch_err err;

	*retry_after = 0;
	if (ctx->who == NULL || ctx->who->device)
		return CH_ERR_DENIED;
	account_key(ctx->who->username, account);
	*retry_after =
	    ch_throttle_begin(account, source_of(ctx), ch_clock_now());
	if (*retry_after > 0)
		return CH_ERR_LIMIT;
	err = reauth_admitted(ctx, token_hash, password, code, account);
	ch_throttle_end(account, source_of(ctx));
	return err;
}

ch_err
ch_sessions_list(struct ch_ctx *ctx, struct ch_session_row **out, size_t *count)
{
	struct ch_tx *tx = NULL;
	ch_err err;

	if (ctx->who == NULL || ctx->who->device)
		return CH_ERR_DENIED;
	if ((err = ch_store_begin(ctx->store, false, &tx)) != CH_OK)
		return err;
	err = ch_store_session_list_user(
	    tx, ctx->who->user_id, ctx->arena, out, count);
	ch_store_rollback(tx);
	return err;
}

ch_err
ch_sessions_end(struct ch_ctx *ctx, const char *public_id)
{
	struct ch_audit_entry e;
	struct ch_tx *tx = NULL;
	char state[64];
	ch_err err;

	if (ctx->who == NULL || ctx->who->device)
		return CH_ERR_DENIED;
	if (!ch_id_valid(public_id))
		return CH_ERR_NOT_FOUND;
	snprintf(state, sizeof(state), "session=%s\n", public_id);
	e = (struct ch_audit_entry){"session.end", "user", ctx->who->user_id,
	    ctx->who->post_id[0] ? ctx->who->post_id : NULL, state,
	    strlen(state)};
	if ((err = ch_store_begin(ctx->store, true, &tx)) != CH_OK)
		return err;
	if ((err = ch_store_session_delete_public(
		 tx, ctx->who->user_id, public_id)) != CH_OK ||
	    (err = ch_audit_append(tx, ctx, &e)) != CH_OK) {
		ch_store_rollback(tx);
		return err;
	}
	return ch_store_commit(tx);
}

ch_err
ch_totp_status(struct ch_ctx *ctx, struct ch_totp_status *out)
{
	struct ch_totp_row totp;
	struct ch_tx *tx = NULL;
	struct ch_user u;
	ch_err err;

	memset(out, 0, sizeof(*out));
	if (ctx->who == NULL || ctx->who->device)
		return CH_ERR_DENIED;
	if ((err = ch_store_begin(ctx->store, false, &tx)) != CH_OK)
		return err;
	err = ch_store_user_by_id(tx, ctx->who->user_id, ctx->arena, &u);
	if (err == CH_OK)
		err = ch_store_totp_get(tx, u.id, &totp);
	if (err == CH_OK) {
		out->enrolled = totp.secret[0] != '\0';
		out->required = ch_second_factor_required(tx, &u);
		err = ch_store_recovery_left(tx, u.id, &out->recovery_left);
	}
	sodium_memzero(&totp, sizeof(totp));
	ch_store_rollback(tx);
	return err;
}

ch_err
ch_totp_enrol_start(
    struct ch_ctx *ctx, char secret[CH_TOTP_SECRET_LEN], char **uri, char **svg)
{
	struct ch_totp_row totp;
	struct ch_tx *tx = NULL;
	ch_err err;

	*uri = *svg = NULL;
	if (ctx->who == NULL || ctx->who->device)
		return CH_ERR_DENIED;
	if ((err = ch_totp_new_secret(secret)) != CH_OK)
		return err;
	if ((err = ch_store_begin(ctx->store, true, &tx)) != CH_OK)
		return err;
	if ((err = ch_store_totp_get(tx, ctx->who->user_id, &totp)) != CH_OK)
		goto fail;
	if (totp.secret[0] != '\0') {
		ch_fault_set(&ctx->fault, "",
		    "A second factor is already set up for this account. To "
		    "replace it (a lost phone), ask an administrator to run "
		    "`chancery user totp-reset`.");
		err = CH_ERR_CONFLICT;
		goto fail;
	}
	if ((err = ch_store_totp_set_pending(tx, ctx->who->user_id, secret)) !=
	    CH_OK)
		goto fail;
	sodium_memzero(&totp, sizeof(totp));
	if ((err = ch_store_commit(tx)) != CH_OK)
		return err;
	*uri = ch_totp_uri(ctx->arena, "Chancery", ctx->who->username, secret);
	*svg = *uri ? ch_qr_svg(ctx->arena, *uri) : NULL;
	return *svg ? CH_OK : CH_ERR_NOMEM;
fail:
	sodium_memzero(&totp, sizeof(totp));
	ch_store_rollback(tx);
	return err;
}

ch_err
ch_totp_enrol_confirm(struct ch_ctx *ctx, const char *code,
    char codes[CH_RECOVERY_CODES][CH_RECOVERY_LEN])
{
	char hashes[CH_RECOVERY_CODES][65];
	struct ch_totp_row totp;
	struct ch_tx *tx = NULL;
	struct ch_user u;
	int64_t step;
	ch_err err;

	if (ctx->who == NULL || ctx->who->device)
		return CH_ERR_DENIED;
	for (size_t i = 0; i < CH_RECOVERY_CODES; i++) {
		ch_recovery_code_new(codes[i]);
		ch_recovery_code_hash(codes[i], hashes[i]);
	}
	if ((err = ch_store_begin(ctx->store, true, &tx)) != CH_OK)
		return err;
	if ((err = ch_store_user_by_id(
		 tx, ctx->who->user_id, ctx->arena, &u)) != CH_OK ||
	    (err = ch_store_totp_get(tx, u.id, &totp)) != CH_OK)
		goto fail;
	if (totp.pending[0] == '\0') {
		ch_fault_set(&ctx->fault, "/code",
		    "No enrolment is in progress: start one first.");
		err = CH_ERR_INVALID;
		goto fail;
	}
	if (!ch_totp_match(totp.pending, code, ch_clock_now(), &step)) {
		ch_fault_set(&ctx->fault, "/code",
		    "That code does not match. Check that the phone's clock "
		    "is right and type the code the app shows now.");
		err = CH_ERR_INVALID;
		goto fail;
	}
	if ((err = ch_store_totp_confirm(tx, u.id, step)) != CH_OK ||
	    (err = ch_store_recovery_replace(tx, u.id, hashes,
		 CH_RECOVERY_CODES, ch_clock_now())) != CH_OK ||
	    (err = audit_session(ctx, tx, "totp.enrol", &u, NULL)) != CH_OK)
		goto fail;
	sodium_memzero(&totp, sizeof(totp));
	return ch_store_commit(tx);
fail:
	sodium_memzero(&totp, sizeof(totp));
	sodium_memzero(
	    codes, sizeof(char) * CH_RECOVERY_CODES * CH_RECOVERY_LEN);
	ch_store_rollback(tx);
	return err;
}
