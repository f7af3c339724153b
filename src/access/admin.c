/*
 * admin.c — the use cases that set up access control and read it back:
 * access points, credentials, schedules, rules, the posture of a post,
 * the access log, occupancy and alarms.  Each write validates, checks
 * the post scope, writes with its audit record in one transaction and
 * publishes an event after the commit.  Lists default to the reader's
 * own post; HQ and the CLI may read every post's.
 */
#include <stdio.h>
#include <string.h>

#include "access/access.h"
#include "core/audit.h"
#include "core/events.h"
#include "people/people.h"
#include "store/store.h"

/* Audit, commit and publish one write. */
static ch_err
finish(struct ch_ctx *ctx, struct ch_tx *tx, const char *action,
    const char *event, const char *type, const char *id, const char *post_id,
    const char *state)
{
	struct ch_audit_entry e = {
	    action, type, id, post_id, state, strlen(state)};
	struct ch_event ev;
	ch_err err;

	if ((err = ch_audit_append(tx, ctx, &e)) != CH_OK) {
		ch_store_rollback(tx);
		return err;
	}
	if ((err = ch_store_commit(tx)) != CH_OK)
		return err;
	ev = (struct ch_event){event, type, id, post_id, ch_clock_now()};
	ch_events_publish(&ev);
	return CH_OK;
}

/* As finish(), for a change the gate caches: bump the configuration
 * counter in the same transaction, so that the next decision reloads. */
static ch_err
finish_config(struct ch_ctx *ctx, struct ch_tx *tx, const char *action,
    const char *event, const char *type, const char *id, const char *post_id,
    const char *state)
{
	ch_err err = ch_store_access_config_bump(tx);

	if (err != CH_OK) {
		ch_store_rollback(tx);
		return err;
	}
	return finish(ctx, tx, action, event, type, id, post_id, state);
}

/* The post a list reads: the one asked for (if the reader sees it), or
 * the reader's own; NULL (every post) for HQ and the system. */
static ch_err
list_post(struct ch_ctx *ctx, const char *asked, const char **out)
{
	if (asked != NULL && *asked != '\0') {
		if (!ch_id_valid(asked) || !ch_ctx_sees_post(ctx, asked))
			return CH_ERR_NOT_FOUND;
		*out = asked;
		return CH_OK;
	}
	if (ctx->who != NULL && !ch_policy_all_posts(ctx->who)) {
		if (ctx->who->post_id[0] == '\0')
			return CH_ERR_NOT_FOUND;
		*out = ctx->who->post_id;
		return CH_OK;
	}
	*out = NULL;
	return CH_OK;
}

/* Begin a write on a post the caller may change; fills fault. */
static ch_err
begin_on_post(struct ch_ctx *ctx, const char *post_id, struct ch_tx **tx)
{
	struct ch_post post;
	ch_err err;

	if (post_id == NULL || !ch_id_valid(post_id) ||
	    !ch_ctx_sees_post(ctx, post_id)) {
		ch_fault_set(&ctx->fault, "/post_id", "No such post.");
		return CH_ERR_INVALID;
	}
	if ((err = ch_store_begin(ctx->store, true, tx)) != CH_OK)
		return err;
	if ((err = ch_store_post_get(*tx, post_id, ctx->arena, &post)) !=
	    CH_OK) {
		ch_store_rollback(*tx);
		*tx = NULL;
		if (err == CH_ERR_NOT_FOUND) {
			ch_fault_set(&ctx->fault, "/post_id", "No such post.");
			return CH_ERR_INVALID;
		}
		return err;
	}
	return CH_OK;
}

/* Whether zone_id is a zone of post_id. */
static ch_err
zone_of_post(struct ch_ctx *ctx, struct ch_tx *tx, const char *zone_id,
    const char *post_id, const char *field)
{
	struct ch_zone z;
	ch_err err;

	err = ch_id_valid(zone_id)
	    ? ch_store_zone_get(tx, zone_id, ctx->arena, &z)
	    : CH_ERR_NOT_FOUND;
	if (err == CH_OK && strcmp(z.post_id, post_id) != 0)
		err = CH_ERR_NOT_FOUND;
	if (err == CH_ERR_NOT_FOUND) {
		ch_fault_set(&ctx->fault, field, "No such zone in this post.");
		return CH_ERR_INVALID;
	}
	return err;
}

static bool
name_ok(const char *s, long max)
{
	long n = s ? ch_utf8_length(s, strlen(s)) : -1;

	return n >= 1 && n <= max;
}

ch_err
ch_access_points_create(struct ch_ctx *ctx,
    const struct ch_access_point_input *in, struct ch_access_point *out)
{
	struct ch_tx *tx = NULL;
	char state[512];
	ch_err err;

	memset(out, 0, sizeof(*out));
	if (!name_ok(in->name, 100)) {
		ch_fault_set(&ctx->fault, "/name",
		    "Name the access point (1 to 100 characters), e.g. "
		    "\"Main gate turnstile\".");
		return CH_ERR_INVALID;
	}
	out->passback = CH_PASSBACK_NONE;
	if (in->passback != NULL &&
	    !ch_passback_parse(in->passback, &out->passback)) {
		ch_fault_set(&ctx->fault, "/anti_passback",
		    "anti_passback is none, soft or hard.");
		return CH_ERR_INVALID;
	}
	if ((err = begin_on_post(ctx, in->post_id, &tx)) != CH_OK)
		return err;
	if ((err = zone_of_post(ctx, tx, in->to_zone_id, in->post_id,
		 "/to_zone_id")) != CH_OK ||
	    (in->from_zone_id != NULL && in->from_zone_id[0] != '\0' &&
		(err = zone_of_post(ctx, tx, in->from_zone_id, in->post_id,
		     "/from_zone_id")) != CH_OK))
		goto fail;
	if (in->from_zone_id != NULL &&
	    strcmp(in->from_zone_id, in->to_zone_id) == 0) {
		ch_fault_set(&ctx->fault, "/from_zone_id",
		    "An access point joins two different zones.");
		err = CH_ERR_INVALID;
		goto fail;
	}
	ch_id_new(out->id);
	ch_strlcpy(out->post_id, in->post_id, sizeof(out->post_id));
	out->name = ch_arena_strdup(ctx->arena, in->name);
	ch_strlcpy(out->from_zone_id, in->from_zone_id ? in->from_zone_id : "",
	    sizeof(out->from_zone_id));
	ch_strlcpy(out->to_zone_id, in->to_zone_id, sizeof(out->to_zone_id));
	out->pin_required = in->pin_required;
	out->version = 1;
	ch_time_format(ch_clock_now(), out->created_at);
	if ((err = ch_store_access_point_insert(tx, out)) != CH_OK) {
		if (err == CH_ERR_CONFLICT)
			ch_fault_set(&ctx->fault, "/name",
			    "This post already has an access point of that "
			    "name.");
		goto fail;
	}
	snprintf(state, sizeof(state),
	    "id=%s\npost=%s\nname=%s\nfrom=%s\nto=%s\npassback=%s\npin=%d\n",
	    out->id, out->post_id, out->name, out->from_zone_id,
	    out->to_zone_id, ch_passback_code(out->passback),
	    out->pin_required);
	return finish_config(ctx, tx, "access_point.create",
	    "access_point.created", "access_point", out->id, out->post_id,
	    state);
fail:
	ch_store_rollback(tx);
	return err;
}

ch_err
ch_access_points_list(struct ch_ctx *ctx, const char *post_id,
    struct ch_access_point **out, size_t *count)
{
	struct ch_tx *tx = NULL;
	const char *post;
	ch_err err;

	if ((err = list_post(ctx, post_id, &post)) != CH_OK)
		return err;
	if ((err = ch_store_begin(ctx->store, false, &tx)) != CH_OK)
		return err;
	err = ch_store_access_point_list(tx, post, ctx->arena, out, count);
	ch_store_rollback(tx);
	return err;
}

/* Check and apply the optional fields of a credential input. */
static ch_err
credential_apply(struct ch_ctx *ctx, const struct ch_credential_input *in,
    struct ch_credential *c)
{
	int64_t from = 0, until = 0;

	if (in->has_status && !ch_cred_status_parse(in->status, &c->status)) {
		ch_fault_set(&ctx->fault, "/status",
		    "status is active, suspended, revoked or lost.");
		return CH_ERR_INVALID;
	}
	if (in->has_valid_from) {
		if (in->valid_from != NULL &&
		    !ch_time_parse(in->valid_from, &from)) {
			ch_fault_set(&ctx->fault, "/valid_from",
			    "valid_from is a UTC time such as "
			    "2026-11-25T08:00:00Z, or null.");
			return CH_ERR_INVALID;
		}
		if (in->valid_from != NULL)
			ch_time_format(from, c->valid_from);
		else
			c->valid_from[0] = '\0';
	}
	if (in->has_valid_until) {
		if (in->valid_until != NULL &&
		    !ch_time_parse(in->valid_until, &until)) {
			ch_fault_set(&ctx->fault, "/valid_until",
			    "valid_until is a UTC time such as "
			    "2026-12-31T18:00:00Z, or null.");
			return CH_ERR_INVALID;
		}
		if (in->valid_until != NULL)
			ch_time_format(until, c->valid_until);
		else
			c->valid_until[0] = '\0';
	}
	if (c->valid_from[0] && c->valid_until[0] &&
	    strcmp(c->valid_from, c->valid_until) >= 0) {
		ch_fault_set(&ctx->fault, "/valid_until",
		    "valid_until must come after valid_from.");
		return CH_ERR_INVALID;
	}
	if (in->has_pin) {
		if (in->pin == NULL)
			c->pin_hash[0] = '\0';
		else if (!ch_access_pin_hash(in->pin, c->pin_hash)) {
			ch_fault_set(
			    &ctx->fault, "/pin", "A PIN is 4 to 8 digits.");
			return CH_ERR_INVALID;
		}
	}
	if (in->has_duress_pin) {
		if (in->duress_pin == NULL)
			c->duress_hash[0] = '\0';
		else if (!ch_access_pin_syntax(in->duress_pin) ||
		    (in->has_pin && in->pin != NULL &&
			strcmp(in->pin, in->duress_pin) == 0) ||
		    !ch_access_pin_hash(in->duress_pin, c->duress_hash)) {
			ch_fault_set(&ctx->fault, "/duress_pin",
			    "A duress PIN is 4 to 8 digits and differs from "
			    "the PIN.");
			return CH_ERR_INVALID;
		}
	}
	if (c->duress_hash[0] != '\0' && c->pin_hash[0] == '\0') {
		ch_fault_set(&ctx->fault, "/duress_pin",
		    "A duress PIN needs a PIN beside it.");
		return CH_ERR_INVALID;
	}
	return CH_OK;
}

/* The audited state of a credential: never the PIN hashes themselves,
 * only whether they are set. */
static void
credential_state(const struct ch_credential *c, char *out, size_t size)
{
	snprintf(out, size,
	    "id=%s\npost=%s\nbadge=%s\nstatus=%s\nvalid_from=%s\n"
	    "valid_until=%s\nperson=%s\npin=%d\nduress_pin=%d\n",
	    c->id, c->post_id, c->badge, ch_cred_status_code(c->status),
	    c->valid_from, c->valid_until, c->person_id, c->pin_hash[0] != 0,
	    c->duress_hash[0] != 0);
}

ch_err
ch_credentials_create(struct ch_ctx *ctx, const struct ch_credential_input *in,
    struct ch_credential *out)
{
	struct ch_person person;
	struct ch_tx *tx = NULL;
	char state[768];
	ch_err err;

	memset(out, 0, sizeof(*out));
	if (!name_ok(in->badge, 64)) {
		ch_fault_set(&ctx->fault, "/badge",
		    "badge is the identifier the readers read, 1 to 64 "
		    "characters.");
		return CH_ERR_INVALID;
	}
	out->status = CH_CRED_ACTIVE;
	if ((err = credential_apply(ctx, in, out)) != CH_OK)
		return err;
	if ((err = begin_on_post(ctx, in->post_id, &tx)) != CH_OK)
		return err;
	err = in->person_id != NULL && ch_id_valid(in->person_id)
	    ? ch_store_person_get(tx, in->person_id, ctx->arena, &person)
	    : CH_ERR_NOT_FOUND;
	if (err == CH_OK && strcmp(person.post_id, in->post_id) != 0)
		err = CH_ERR_NOT_FOUND;
	if (err == CH_ERR_NOT_FOUND) {
		ch_fault_set(&ctx->fault, "/person_id",
		    "Bind the credential to a person of this post.");
		err = CH_ERR_INVALID;
	}
	if (err != CH_OK)
		goto fail;
	ch_id_new(out->id);
	ch_strlcpy(out->post_id, in->post_id, sizeof(out->post_id));
	out->badge = ch_arena_strdup(ctx->arena, in->badge);
	ch_strlcpy(out->person_id, in->person_id, sizeof(out->person_id));
	out->holder_name = ch_arena_printf(
	    ctx->arena, "%s %s", person.given_name, person.family_name);
	out->version = 1;
	ch_time_format(ch_clock_now(), out->created_at);
	memcpy(out->updated_at, out->created_at, sizeof(out->updated_at));
	if ((err = ch_store_credential_insert(tx, out)) != CH_OK) {
		if (err == CH_ERR_CONFLICT)
			ch_fault_set(&ctx->fault, "/badge",
			    "This badge is already issued.");
		goto fail;
	}
	credential_state(out, state, sizeof(state));
	return finish(ctx, tx, "credential.create", "credential.created",
	    "credential", out->id, out->post_id, state);
fail:
	ch_store_rollback(tx);
	return err;
}

ch_err
ch_credentials_update(struct ch_ctx *ctx, const char *id,
    const struct ch_credential_input *in, struct ch_credential *out)
{
	struct ch_tx *tx = NULL;
	char state[768];
	ch_err err;

	if (!ch_id_valid(id))
		return CH_ERR_NOT_FOUND;
	if (!in->has_pin && !in->has_duress_pin && !in->has_status &&
	    !in->has_valid_from && !in->has_valid_until) {
		ch_fault_set(&ctx->fault, "",
		    "Send what changes: status, valid_from, valid_until, pin "
		    "or duress_pin.");
		return CH_ERR_INVALID;
	}
	if ((err = ch_store_begin(ctx->store, true, &tx)) != CH_OK)
		return err;
	if ((err = ch_store_credential_get(tx, id, ctx->arena, out)) != CH_OK)
		goto fail;
	if (!ch_ctx_sees_post(ctx, out->post_id)) {
		err = CH_ERR_NOT_FOUND;
		goto fail;
	}
	if (in->has_pin && !in->has_duress_pin && in->pin == NULL)
		out->duress_hash[0] = '\0'; /* no duress PIN without a PIN */
	if ((err = credential_apply(ctx, in, out)) != CH_OK)
		goto fail;
	ch_time_format(ch_clock_now(), out->updated_at);
	if ((err = ch_store_credential_update(tx, out)) != CH_OK)
		goto fail;
	out->version++;
	credential_state(out, state, sizeof(state));
	return finish(ctx, tx, "credential.update", "credential.updated",
	    "credential", out->id, out->post_id, state);
fail:
	ch_store_rollback(tx);
	return err;
}

ch_err
ch_credentials_list(struct ch_ctx *ctx, const char *post_id,
    const char *person_id, struct ch_credential **out, size_t *count)
{
	struct ch_tx *tx = NULL;
	const char *post;
	ch_err err;

	if (person_id != NULL && *person_id != '\0' && !ch_id_valid(person_id))
		return CH_ERR_NOT_FOUND;
	if ((err = list_post(ctx, post_id, &post)) != CH_OK)
		return err;
	if ((err = ch_store_begin(ctx->store, false, &tx)) != CH_OK)
		return err;
	err = ch_store_credential_list(tx, post,
	    person_id && *person_id ? person_id : NULL, ctx->arena, out, count);
	ch_store_rollback(tx);
	return err;
}

ch_err
ch_schedules_create(struct ch_ctx *ctx, const char *post_id, const char *name,
    const char *windows, struct ch_schedule *out)
{
	struct ch_schedule_spec spec;
	struct ch_tx *tx = NULL;
	char state[768];
	ch_err err;

	memset(out, 0, sizeof(*out));
	if (!name_ok(name, 100)) {
		ch_fault_set(&ctx->fault, "/name",
		    "Name the schedule (1 to 100 characters), e.g. \"Office "
		    "hours\".");
		return CH_ERR_INVALID;
	}
	if (!ch_schedule_parse(windows, &spec, &ctx->fault))
		return CH_ERR_INVALID;
	if ((err = begin_on_post(ctx, post_id, &tx)) != CH_OK)
		return err;
	ch_id_new(out->id);
	ch_strlcpy(out->post_id, post_id, sizeof(out->post_id));
	out->name = ch_arena_strdup(ctx->arena, name);
	out->windows = ch_arena_strdup(ctx->arena, windows);
	ch_time_format(ch_clock_now(), out->created_at);
	if ((err = ch_store_schedule_insert(tx, out)) != CH_OK) {
		if (err == CH_ERR_CONFLICT)
			ch_fault_set(&ctx->fault, "/name",
			    "This post already has a schedule of that name.");
		ch_store_rollback(tx);
		return err;
	}
	snprintf(state, sizeof(state), "id=%s\npost=%s\nname=%s\nwindows=%s\n",
	    out->id, out->post_id, out->name, out->windows);
	return finish_config(ctx, tx, "schedule.create", "schedule.created",
	    "schedule", out->id, out->post_id, state);
}

ch_err
ch_schedules_list(struct ch_ctx *ctx, const char *post_id,
    struct ch_schedule **out, size_t *count)
{
	struct ch_tx *tx = NULL;
	const char *post;
	ch_err err;

	if ((err = list_post(ctx, post_id, &post)) != CH_OK)
		return err;
	if ((err = ch_store_begin(ctx->store, false, &tx)) != CH_OK)
		return err;
	err = ch_store_schedule_list(tx, post, ctx->arena, out, count);
	ch_store_rollback(tx);
	return err;
}

/* Check a rule's subject value for its kind. */
static bool
subject_value_ok(enum ch_rule_subject s, const char *v)
{
	enum ch_role role;
	enum ch_staff_category cat;

	switch (s) {
	case CH_SUBJ_EVERYONE:
		return v == NULL || *v == '\0';
	case CH_SUBJ_ROLE:
		return ch_role_parse(v, &role);
	case CH_SUBJ_CATEGORY:
		return ch_staff_category_parse(v, &cat);
	case CH_SUBJ_PERSON:
	case CH_SUBJ_CREDENTIAL:
		return v != NULL && ch_id_valid(v);
	default:
		return false;
	}
}

/* A person or credential named by a rule is one of the rule's post: a
 * rule naming another post's could match nothing there, and would tell
 * nothing true about who passes. */
static ch_err
subject_of_post(struct ch_ctx *ctx, struct ch_tx *tx, enum ch_rule_subject s,
    const char *v, const char *post_id)
{
	struct ch_person person;
	struct ch_credential cred;
	ch_err err;

	if (s == CH_SUBJ_PERSON) {
		err = ch_store_person_get(tx, v, ctx->arena, &person);
		if (err == CH_OK && strcmp(person.post_id, post_id) != 0)
			err = CH_ERR_NOT_FOUND;
	} else if (s == CH_SUBJ_CREDENTIAL) {
		err = ch_store_credential_get(tx, v, ctx->arena, &cred);
		if (err == CH_OK && strcmp(cred.post_id, post_id) != 0)
			err = CH_ERR_NOT_FOUND;
	} else {
		return CH_OK;
	}
	if (err == CH_ERR_NOT_FOUND) {
		ch_fault_set(&ctx->fault, "/subject_value",
		    "No such %s in this post.",
		    s == CH_SUBJ_PERSON ? "person" : "credential");
		err = CH_ERR_INVALID;
	}
	return err;
}

ch_err
ch_rules_create(
    struct ch_ctx *ctx, const struct ch_rule_input *in, struct ch_rule_row *out)
{
	struct ch_schedule sched;
	struct ch_tx *tx = NULL;
	char state[1024];
	ch_err err;

	memset(out, 0, sizeof(*out));
	if (in->effect == NULL ||
	    (strcmp(in->effect, "grant") != 0 &&
		strcmp(in->effect, "deny") != 0)) {
		ch_fault_set(
		    &ctx->fault, "/effect", "effect is grant or deny.");
		return CH_ERR_INVALID;
	}
	out->effect =
	    strcmp(in->effect, "grant") == 0 ? CH_RULE_GRANT : CH_RULE_DENY;
	if (!ch_rule_subject_parse(in->subject, &out->subject) ||
	    !subject_value_ok(out->subject, in->subject_value)) {
		ch_fault_set(&ctx->fault, "/subject_value",
		    "subject is everyone (no value), role (a role code), "
		    "category (a staff category code), person or credential "
		    "(an id).");
		return CH_ERR_INVALID;
	}
	if (in->note != NULL && !name_ok(in->note, 200)) {
		ch_fault_set(&ctx->fault, "/note", "At most 200 characters.");
		return CH_ERR_INVALID;
	}
	if ((err = begin_on_post(ctx, in->post_id, &tx)) != CH_OK)
		return err;
	if (in->zone_id != NULL && *in->zone_id != '\0' &&
	    (err = zone_of_post(
		 ctx, tx, in->zone_id, in->post_id, "/zone_id")) != CH_OK)
		goto fail;
	if ((err = subject_of_post(ctx, tx, out->subject, in->subject_value,
		 in->post_id)) != CH_OK)
		goto fail;
	if (in->schedule_id != NULL && *in->schedule_id != '\0') {
		err = ch_id_valid(in->schedule_id)
		    ? ch_store_schedule_get(
			  tx, in->schedule_id, ctx->arena, &sched)
		    : CH_ERR_NOT_FOUND;
		if (err == CH_OK && strcmp(sched.post_id, in->post_id) != 0)
			err = CH_ERR_NOT_FOUND;
		if (err == CH_ERR_NOT_FOUND) {
			ch_fault_set(&ctx->fault, "/schedule_id",
			    "No such schedule in this post.");
			err = CH_ERR_INVALID;
		}
		if (err != CH_OK)
			goto fail;
		out->windows = sched.windows;
		ch_strlcpy(out->schedule_id, in->schedule_id,
		    sizeof(out->schedule_id));
	}
	ch_id_new(out->id);
	ch_strlcpy(out->post_id, in->post_id, sizeof(out->post_id));
	out->subject_value = in->subject_value && *in->subject_value
	    ? ch_arena_strdup(ctx->arena, in->subject_value)
	    : NULL;
	ch_strlcpy(
	    out->zone_id, in->zone_id ? in->zone_id : "", sizeof(out->zone_id));
	out->note = in->note ? ch_arena_strdup(ctx->arena, in->note) : NULL;
	ch_time_format(ch_clock_now(), out->created_at);
	if ((err = ch_store_rule_insert(tx, out)) != CH_OK)
		goto fail;
	snprintf(state, sizeof(state),
	    "id=%s\npost=%s\neffect=%s\nsubject=%s\nvalue=%s\nzone=%s\n"
	    "schedule=%s\n",
	    out->id, out->post_id, in->effect,
	    ch_rule_subject_code(out->subject),
	    out->subject_value ? out->subject_value : "", out->zone_id,
	    out->schedule_id);
	return finish_config(ctx, tx, "access_rule.create",
	    "access_rule.created", "access_rule", out->id, out->post_id, state);
fail:
	ch_store_rollback(tx);
	return err;
}

ch_err
ch_rules_list(struct ch_ctx *ctx, const char *post_id, struct ch_rule_row **out,
    size_t *count)
{
	struct ch_tx *tx = NULL;
	const char *post;
	ch_err err;

	if ((err = list_post(ctx, post_id, &post)) != CH_OK)
		return err;
	if ((err = ch_store_begin(ctx->store, false, &tx)) != CH_OK)
		return err;
	err = ch_store_rule_list(tx, post, ctx->arena, out, count);
	ch_store_rollback(tx);
	return err;
}

ch_err
ch_rules_delete(struct ch_ctx *ctx, const char *id)
{
	struct ch_rule_row r;
	struct ch_tx *tx = NULL;
	char state[128];
	ch_err err;

	if (!ch_id_valid(id))
		return CH_ERR_NOT_FOUND;
	if ((err = ch_store_begin(ctx->store, true, &tx)) != CH_OK)
		return err;
	if ((err = ch_store_rule_get(tx, id, ctx->arena, &r)) != CH_OK)
		goto fail;
	if (!ch_ctx_sees_post(ctx, r.post_id)) {
		err = CH_ERR_NOT_FOUND;
		goto fail;
	}
	if ((err = ch_store_rule_delete(tx, id)) != CH_OK)
		goto fail;
	snprintf(state, sizeof(state), "id=%s\ndeleted=1\n", id);
	return finish_config(ctx, tx, "access_rule.delete",
	    "access_rule.deleted", "access_rule", id, r.post_id, state);
fail:
	ch_store_rollback(tx);
	return err;
}

ch_err
ch_posture_get(struct ch_ctx *ctx, const char *post_id, enum ch_posture *out,
    char changed_at[CH_TIMESTAMP_LEN])
{
	struct ch_tx *tx = NULL;
	struct ch_post post;
	char code[16];
	ch_err err;

	if (!ch_id_valid(post_id) || !ch_ctx_sees_post(ctx, post_id))
		return CH_ERR_NOT_FOUND;
	if ((err = ch_store_begin(ctx->store, false, &tx)) != CH_OK)
		return err;
	if ((err = ch_store_post_get(tx, post_id, ctx->arena, &post)) == CH_OK)
		err = ch_store_posture_get(tx, post_id, code, changed_at);
	ch_store_rollback(tx);
	if (err == CH_OK && !ch_posture_parse(code, out))
		*out = CH_POSTURE_LOCKDOWN;
	return err;
}

ch_err
ch_posture_set(struct ch_ctx *ctx, const char *post_id, enum ch_posture posture,
    const char *reason)
{
	struct ch_tx *tx = NULL;
	char state[512], at[CH_TIMESTAMP_LEN];
	ch_err err;

	if (reason != NULL && !name_ok(reason, 200)) {
		ch_fault_set(&ctx->fault, "/reason", "At most 200 characters.");
		return CH_ERR_INVALID;
	}
	if (!ch_id_valid(post_id) || !ch_ctx_sees_post(ctx, post_id))
		return CH_ERR_NOT_FOUND;
	if ((err = begin_on_post(ctx, post_id, &tx)) != CH_OK)
		return err == CH_ERR_INVALID ? CH_ERR_NOT_FOUND : err;
	ch_time_format(ch_clock_now(), at);
	if ((err = ch_store_posture_set(tx, post_id, ch_posture_code(posture),
		 reason, ch_ctx_actor(ctx), at)) != CH_OK) {
		ch_store_rollback(tx);
		return err;
	}
	snprintf(state, sizeof(state), "post=%s\nposture=%s\nreason=%s\n",
	    post_id, ch_posture_code(posture), reason ? reason : "");
	return finish_config(ctx, tx, "posture.set", "posture.changed", "post",
	    post_id, post_id, state);
}

ch_err
ch_access_events_list(struct ch_ctx *ctx, struct ch_access_event_filter *f,
    struct ch_access_event_page *out)
{
	struct ch_tx *tx = NULL;
	const char *post;
	ch_err err;

	if ((err = list_post(ctx, f->post_id, &post)) != CH_OK)
		return err;
	f->post_id = post;
	if ((err = ch_store_begin(ctx->store, false, &tx)) != CH_OK)
		return err;
	err = ch_store_access_event_list(tx, f, ctx->arena, out);
	ch_store_rollback(tx);
	return err;
}

ch_err
ch_access_occupancy(struct ch_ctx *ctx, const char *post_id,
    struct ch_zone_count **zones, size_t *nzones, struct ch_presence **people,
    size_t *npeople)
{
	struct ch_tx *tx = NULL;
	struct ch_zone *zl = NULL;
	size_t nz = 0;
	ch_err err;

	if (post_id == NULL || *post_id == '\0')
		post_id = ctx->who ? ctx->who->post_id : NULL;
	if (post_id == NULL || !ch_id_valid(post_id) ||
	    !ch_ctx_sees_post(ctx, post_id))
		return CH_ERR_NOT_FOUND;
	if ((err = ch_store_begin(ctx->store, false, &tx)) != CH_OK)
		return err;
	if ((err = ch_store_zone_list(tx, post_id, ctx->arena, &zl, &nz)) !=
		CH_OK ||
	    (err = ch_store_presence_list(
		 tx, post_id, ctx->arena, people, npeople)) != CH_OK) {
		ch_store_rollback(tx);
		return err;
	}
	ch_store_rollback(tx);
	*zones = ch_arena_alloc(ctx->arena, sizeof(**zones) * (nz ? nz : 1));
	if (*zones == NULL)
		return CH_ERR_NOMEM;
	*nzones = nz;
	for (size_t i = 0; i < nz; i++) {
		struct ch_zone_count *c = &(*zones)[i];

		ch_strlcpy(c->zone_id, zl[i].id, sizeof(c->zone_id));
		c->zone_name = zl[i].name;
		c->count = 0;
		for (size_t j = 0; j < *npeople; j++)
			if (strcmp((*people)[j].zone_id, zl[i].id) == 0)
				c->count++;
	}
	return CH_OK;
}

ch_err
ch_access_alarms_list(struct ch_ctx *ctx, const char *post_id,
    const char *status, struct ch_alarm **out, size_t *count)
{
	struct ch_tx *tx = NULL;
	const char *post;
	ch_err err;

	if ((err = list_post(ctx, post_id, &post)) != CH_OK)
		return err;
	if ((err = ch_store_begin(ctx->store, false, &tx)) != CH_OK)
		return err;
	err = ch_store_alarm_list(tx, post, status, ctx->arena, out, count);
	ch_store_rollback(tx);
	return err;
}
