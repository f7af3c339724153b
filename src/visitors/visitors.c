/*
 * visitors.c — the visitors' use cases (visitors.h): registration by a
 * host with a screening, the desk's check-in (screened again; a hit holds
 * it) and check-out with the temporary credential and its grant rules,
 * cancellation, the retention period and the purge, and the periodic
 * sweep (overstay alarms, no-shows, purge) in a thread of its own.  Each
 * write validates, checks the post scope, writes with its audit record in
 * one transaction and publishes an event after the commit.
 */
#include <pthread.h>
#include <stdio.h>
#include <string.h>

#include "access/access.h"
#include "core/audit.h"
#include "core/events.h"
#include "core/vault.h"
#include "people/people.h"
#include "screening/screening.h"
#include "store/store.h"
#include "visitors/visitors.h"

#define WINDOW_MAX (31 * 86400) /* the longest visit registered */

static const char *const status_codes[CH_VISITOR_STATUS__COUNT] = {
    [CH_VISITOR_EXPECTED] = "expected",
    [CH_VISITOR_CHECKED_IN] = "checked_in",
    [CH_VISITOR_CHECKED_OUT] = "checked_out",
    [CH_VISITOR_CANCELLED] = "cancelled",
    [CH_VISITOR_NO_SHOW] = "no_show",
};

const char *
ch_visitor_status_code(enum ch_visitor_status s)
{
	return (unsigned)s < CH_VISITOR_STATUS__COUNT ? status_codes[s]
						      : "expected";
}

bool
ch_visitor_status_parse(const char *s, enum ch_visitor_status *out)
{
	for (int i = 0; s != NULL && i < CH_VISITOR_STATUS__COUNT; i++) {
		if (strcmp(s, status_codes[i]) == 0) {
			*out = (enum ch_visitor_status)i;
			return true;
		}
	}
	return false;
}

const char *
ch_visitor_screening_state(const struct ch_visitor *v)
{
	if (v->hits_confirmed > 0)
		return "refused";
	if (v->hits_open > 0)
		return "hold";
	if (v->hits_dismissed > 0)
		return "cleared";
	return "clear";
}

/* ---- helpers ---- */

/* Audit, commit and publish one write. */
static ch_err
finish(struct ch_ctx *ctx, struct ch_tx *tx, const char *action,
    const char *event, const struct ch_visitor *v, const char *state)
{
	struct ch_audit_entry e = {
	    action, "visitor", v->id, v->post_id, state, strlen(state)};
	struct ch_event ev;
	ch_err err;

	if ((err = ch_audit_append(tx, ctx, &e)) != CH_OK) {
		ch_store_rollback(tx);
		return err;
	}
	if ((err = ch_store_commit(tx)) != CH_OK)
		return err;
	ev = (struct ch_event){
	    event, "visitor", v->id, v->post_id, ch_clock_now()};
	ch_events_publish(&ev);
	return CH_OK;
}

/* Who the visitor is enters the state as a keyed digest (core/vault.h),
 * as people's contacts do: the audit log keeps each state's SHA-256 past
 * the purge, and the purged visit shows the rest of the state, so a plain
 * value would let a reader of the log confirm a guessed identity. */
static void
identity_digest(const char *value, char out[65])
{
	out[0] = '\0';
	if (value != NULL && *value != '\0')
		ch_vault_digest(
		    "chancery audit state v1", value, strlen(value), out);
}

/* The audited state of a visit: never the document itself. */
static void
visitor_state(const struct ch_visitor *v, char *out, size_t size)
{
	char name[65], org[65], nat[65], dob[65];

	identity_digest(v->name, name);
	identity_digest(v->organisation, org);
	identity_digest(v->nationality, nat);
	identity_digest(v->date_of_birth, dob);
	snprintf(out, size,
	    "id=%s\npost=%s\nhost=%s\nname=%s\norganisation=%s\n"
	    "document=%d\nnationality=%s\ndate_of_birth=%s\npurpose=%s\n"
	    "arrival=%s\ndeparture=%s\nescort_required=%d\nzones=%s\n"
	    "status=%s\nescort=%s\ncredential=%s\nbadge=%s\n",
	    v->id, v->post_id, v->host_person_id, name, org, v->has_document,
	    nat, dob, v->purpose ? v->purpose : "", v->arrival, v->departure,
	    v->escort_required, v->zones ? v->zones : "",
	    ch_visitor_status_code(v->status), v->escort_person_id,
	    v->credential_id, v->badge ? v->badge : "");
}

/* The caller's own person, or NULL. */
static const char *
own_person(const struct ch_ctx *ctx)
{
	if (ctx->who == NULL || ctx->who->person_id[0] == '\0')
		return NULL;
	return ctx->who->person_id;
}

static bool
is_host(const struct ch_ctx *ctx, const struct ch_visitor *v)
{
	const char *me = own_person(ctx);

	return me != NULL && strcmp(me, v->host_person_id) == 0;
}

static bool
permits_on(struct ch_ctx *ctx, enum ch_perm perm, const char *post_id)
{
	struct ch_label label = {.post_id = post_id};

	return ch_ctx_permits(ctx, perm, &label) &&
	    ch_ctx_sees_post(ctx, post_id);
}

/* Whether person_id is a person of post_id; fills fault on field. */
static ch_err
person_of_post(struct ch_ctx *ctx, struct ch_tx *tx, const char *person_id,
    const char *post_id, const char *field, const char *what,
    struct ch_person *out)
{
	ch_err err = person_id != NULL && ch_id_valid(person_id)
	    ? ch_store_person_get(tx, person_id, ctx->arena, out)
	    : CH_ERR_NOT_FOUND;

	if (err == CH_OK && strcmp(out->post_id, post_id) != 0)
		err = CH_ERR_NOT_FOUND;
	if (err == CH_ERR_NOT_FOUND) {
		ch_fault_set(&ctx->fault, field, "%s", what);
		return CH_ERR_INVALID;
	}
	return err;
}

/* The screening as the system, on the visit's behalf: the host need not
 * hold screening.run; the screening's audit names the system. */
static ch_err
screen(struct ch_ctx *ctx, const struct ch_visitor *v, const char *origin)
{
	struct ch_screen_subject s = {
	    .name = v->name,
	    .dob = v->date_of_birth[0] ? v->date_of_birth : NULL,
	    .nationality = v->nationality,
	    .kind = "individual",
	    .subject_type = "visitor",
	    .subject_id = v->id,
	};
	struct ch_ctx sys = *ctx;
	struct ch_screening sc;
	struct ch_screen_hit *hits;
	size_t n;
	ch_err err;

	sys.who = NULL;
	memset(&sys.fault, 0, sizeof(sys.fault));
	err = ch_screening_run(&sys, v->post_id, &s, origin, &sc, &hits, &n);
	if (err == CH_ERR_INVALID) /* a name without letters: nothing to do */
		return CH_OK;
	return err;
}

static ch_err
load(struct ch_ctx *ctx, const char *id, bool reveal, struct ch_visitor *out)
{
	struct ch_tx *tx = NULL;
	ch_err err;

	if (id == NULL || !ch_id_valid(id))
		return CH_ERR_NOT_FOUND;
	if ((err = ch_store_begin(ctx->store, false, &tx)) != CH_OK)
		return err;
	err = ch_store_visitor_get(tx, id, reveal, ctx->arena, out);
	ch_store_rollback(tx);
	return err;
}

/* Check a text field; NULL and "" are absent (unless required). */
static bool
text_ok(struct ch_ctx *ctx, const char *field, const char *s, long max,
    unsigned rules)
{
	return ch_text_check(
	    &ctx->fault, field, s, max, rules | CH_TEXT_TRIMMED);
}

static const char *
opt(const char *s)
{
	return s != NULL && *s != '\0' ? s : NULL;
}

/* ---- registration ---- */

static ch_err
check_input(struct ch_ctx *ctx, const struct ch_visitor_input *in,
    int64_t *arrival, int64_t *departure)
{
	if (!text_ok(ctx, "/name", in->name, 200, CH_TEXT_REQUIRED) ||
	    !text_ok(ctx, "/organisation", in->organisation, 200, 0) ||
	    !text_ok(ctx, "/purpose", in->purpose, 500, CH_TEXT_REQUIRED) ||
	    !text_ok(ctx, "/document_type", in->doc_type, 40, 0) ||
	    !text_ok(ctx, "/document_number", in->doc_number, 60, 0) ||
	    !text_ok(ctx, "/document_country", in->doc_country, 60, 0) ||
	    !text_ok(ctx, "/nationality", in->nationality, 60, 0))
		return CH_ERR_INVALID;
	if (opt(in->doc_number) == NULL &&
	    (opt(in->doc_type) != NULL || opt(in->doc_country) != NULL)) {
		ch_fault_set(&ctx->fault, "/document_number",
		    "Give the document's number with its type and country.");
		return CH_ERR_INVALID;
	}
	if (opt(in->date_of_birth) != NULL &&
	    !ch_date_valid(in->date_of_birth)) {
		ch_fault_set(&ctx->fault, "/date_of_birth",
		    "date_of_birth is a date such as 1980-04-30.");
		return CH_ERR_INVALID;
	}
	if (in->arrival == NULL || !ch_time_parse(in->arrival, arrival)) {
		ch_fault_set(&ctx->fault, "/arrival",
		    "arrival is a UTC time such as 2026-11-26T09:00:00Z.");
		return CH_ERR_INVALID;
	}
	if (in->departure == NULL || !ch_time_parse(in->departure, departure)) {
		ch_fault_set(&ctx->fault, "/departure",
		    "departure is a UTC time such as 2026-11-26T12:00:00Z.");
		return CH_ERR_INVALID;
	}
	if (*departure <= *arrival || *departure - *arrival > WINDOW_MAX) {
		ch_fault_set(&ctx->fault, "/departure",
		    "departure comes after arrival, at most 31 days later.");
		return CH_ERR_INVALID;
	}
	if (*departure <= ch_clock_now()) {
		ch_fault_set(&ctx->fault, "/departure",
		    "This window has passed already: register a visit to "
		    "come.");
		return CH_ERR_INVALID;
	}
	if (in->nzones > CH_VISITOR_MAX_ZONES) {
		ch_fault_set(&ctx->fault, "/zone_ids",
		    "At most 16 zones for one visit.");
		return CH_ERR_INVALID;
	}
	return CH_OK;
}

ch_err
ch_visitors_register(struct ch_ctx *ctx, const struct ch_visitor_input *in,
    struct ch_visitor *out)
{
	const char *host = opt(in->host_person_id);
	struct ch_person person;
	struct ch_tx *tx = NULL;
	struct ch_buf zones;
	int64_t arrival, departure;
	char state[2048];
	ch_err err;

	memset(out, 0, sizeof(*out));
	if (in->post_id == NULL || !ch_id_valid(in->post_id) ||
	    !ch_ctx_sees_post(ctx, in->post_id)) {
		ch_fault_set(&ctx->fault, "/post_id", "No such post.");
		return CH_ERR_INVALID;
	}
	if (!ch_ctx_permits(ctx, CH_PERM_VISITORS_REGISTER, NULL))
		return CH_ERR_DENIED;
	if ((err = check_input(ctx, in, &arrival, &departure)) != CH_OK)
		return err;
	if (host == NULL)
		host = own_person(ctx);
	if (host == NULL) {
		ch_fault_set(&ctx->fault, "/host_person_id",
		    "Your account is not linked to a person of the post: name "
		    "the host.");
		return CH_ERR_INVALID;
	}
	/* Hosts register their own visitors; the security officer anyone's. */
	if (own_person(ctx) != NULL && strcmp(host, own_person(ctx)) != 0 &&
	    !ch_ctx_permits(ctx, CH_PERM_VISITORS_MANAGE, NULL)) {
		ch_fault_set(&ctx->fault, "/host_person_id",
		    "You register your own visitors only.");
		return CH_ERR_INVALID;
	}
	if ((err = ch_store_begin(ctx->store, true, &tx)) != CH_OK)
		return err;
	if ((err = person_of_post(ctx, tx, host, in->post_id, "/host_person_id",
		 "The host is a person of this post.", &person)) != CH_OK)
		goto fail;
	ch_buf_init(&zones, 4096);
	for (size_t i = 0; i < in->nzones; i++) {
		struct ch_zone z;

		err = ch_id_valid(in->zone_ids[i])
		    ? ch_store_zone_get(tx, in->zone_ids[i], ctx->arena, &z)
		    : CH_ERR_NOT_FOUND;
		if (err == CH_OK && strcmp(z.post_id, in->post_id) != 0)
			err = CH_ERR_NOT_FOUND;
		if (err == CH_ERR_NOT_FOUND) {
			ch_fault_set(&ctx->fault, "/zone_ids",
			    "Every zone requested is a zone of this post.");
			err = CH_ERR_INVALID;
		}
		if (err != CH_OK) {
			ch_buf_free(&zones);
			goto fail;
		}
		if (strstr(zones.len ? zones.data : "", in->zone_ids[i]) ==
		    NULL)
			ch_buf_appendf(&zones, "%s%s", zones.len ? "," : "",
			    in->zone_ids[i]);
	}
	ch_id_new(out->id);
	ch_strlcpy(out->post_id, in->post_id, sizeof(out->post_id));
	ch_strlcpy(out->host_person_id, host, sizeof(out->host_person_id));
	out->name = ch_arena_strdup(ctx->arena, in->name);
	out->organisation = opt(in->organisation)
	    ? ch_arena_strdup(ctx->arena, in->organisation)
	    : NULL;
	out->doc_type = (char *)opt(in->doc_type);
	out->doc_number = (char *)opt(in->doc_number);
	out->doc_country = (char *)opt(in->doc_country);
	out->has_document = out->doc_number != NULL;
	out->nationality = opt(in->nationality)
	    ? ch_arena_strdup(ctx->arena, in->nationality)
	    : NULL;
	ch_strlcpy(out->date_of_birth,
	    opt(in->date_of_birth) ? in->date_of_birth : "",
	    sizeof(out->date_of_birth));
	out->purpose = ch_arena_strdup(ctx->arena, in->purpose);
	ch_time_format(arrival, out->arrival);
	ch_time_format(departure, out->departure);
	out->escort_required = in->escort_required;
	out->zones = ch_arena_strdup(ctx->arena, zones.len ? zones.data : "");
	ch_buf_free(&zones);
	out->status = CH_VISITOR_EXPECTED;
	out->created_by = (char *)ch_ctx_actor(ctx);
	out->version = 1;
	ch_time_format(ch_clock_now(), out->created_at);
	memcpy(out->updated_at, out->created_at, sizeof(out->updated_at));
	if ((err = ch_store_visitor_insert(tx, out, ctx->arena)) != CH_OK)
		goto fail;
	visitor_state(out, state, sizeof(state));
	if ((err = finish(ctx, tx, "visitor.register", "visitor.registered",
		 out, state)) != CH_OK)
		return err;
	/* Screened now; a failure here does not undo the registration: the
	 * check-in screens again. */
	if ((err = screen(ctx, out, "registration")) != CH_OK)
		log_warn("visitor %s: the screening at registration failed "
			 "(%s); the check-in screens again",
		    out->id, ch_strerror(err));
	return load(ctx, out->id, false, out);
fail:
	ch_store_rollback(tx);
	return err;
}

/* ---- reading ---- */

ch_err
ch_visitors_get(
    struct ch_ctx *ctx, const char *id, bool reveal, struct ch_visitor *out)
{
	ch_err err;

	if ((err = load(ctx, id, false, out)) != CH_OK)
		return err;
	if (!is_host(ctx, out) &&
	    !permits_on(ctx, CH_PERM_VISITORS_READ, out->post_id))
		return CH_ERR_NOT_FOUND;
	if (!reveal)
		return CH_OK;
	if (!permits_on(ctx, CH_PERM_VISITORS_DESK, out->post_id))
		return CH_ERR_DENIED;
	return load(ctx, id, true, out);
}

ch_err
ch_visitors_list(struct ch_ctx *ctx, const struct ch_visitor_filter *f,
    struct ch_visitor_page *out)
{
	struct ch_visitor_filter q = *f;
	enum ch_visitor_status st;
	struct ch_tx *tx = NULL;
	char from[CH_TIMESTAMP_LEN], until[CH_TIMESTAMP_LEN];
	bool today = q.day != NULL && strcmp(q.day, "today") == 0;
	bool by_day = today || (q.day != NULL && *q.day != '\0');
	ch_err err;

	memset(out, 0, sizeof(*out));
	if (by_day && !today && !ch_date_valid(q.day)) {
		ch_fault_set(&ctx->fault, "day",
		    "day is a date such as 2026-11-26, or today.");
		return CH_ERR_INVALID;
	}
	if (q.status != NULL && *q.status != '\0' &&
	    !ch_visitor_status_parse(q.status, &st)) {
		ch_fault_set(&ctx->fault, "status",
		    "status is expected, checked_in, checked_out, cancelled or "
		    "no_show.");
		return CH_ERR_INVALID;
	}
	if (q.host_person_id != NULL && *q.host_person_id != '\0' &&
	    !ch_id_valid(q.host_person_id)) {
		ch_fault_set(
		    &ctx->fault, "host_id", "host_id is a person's id.");
		return CH_ERR_INVALID;
	}
	if (q.post_id != NULL && *q.post_id != '\0') {
		if (!ch_id_valid(q.post_id) ||
		    !ch_ctx_sees_post(ctx, q.post_id))
			return CH_ERR_NOT_FOUND;
	} else if (ctx->who != NULL && !ch_policy_all_posts(ctx->who)) {
		if (ctx->who->post_id[0] == '\0')
			return CH_OK;
		q.post_id = ctx->who->post_id;
	} else {
		q.post_id = NULL;
	}
	if (q.mine) {
		if ((q.host_person_id = own_person(ctx)) == NULL)
			return CH_OK;
	} else if (!ch_ctx_permits(ctx, CH_PERM_VISITORS_READ, NULL)) {
		return CH_ERR_DENIED;
	}
	if ((err = ch_store_begin(ctx->store, false, &tx)) != CH_OK)
		return err;
	if (by_day) {
		/* The day of the post's calendar: a guard's "today" at 01:00
		 * in Nairobi is not yesterday in UTC. */
		struct ch_post post;
		int64_t start, end;

		ch_strlcpy(out->time_zone, "UTC", sizeof(out->time_zone));
		if (q.post_id != NULL &&
		    ch_store_post_get(tx, q.post_id, ctx->arena, &post) ==
			CH_OK &&
		    post.timezone != NULL && ch_tz_known(post.timezone))
			ch_strlcpy(out->time_zone, post.timezone,
			    sizeof(out->time_zone));
		if (today)
			ch_tz_date(ch_clock_now(), out->time_zone, out->day);
		else
			ch_strlcpy(out->day, q.day, sizeof(out->day));
		if (!ch_tz_day_bounds(out->day, out->time_zone, &start, &end)) {
			ch_store_rollback(tx);
			return CH_ERR_INTERNAL;
		}
		ch_time_format(start, from);
		ch_time_format(end, until);
	}
	err = ch_store_visitor_list(tx, &q, by_day ? from : NULL,
	    by_day ? until : NULL, ctx->arena, out);
	ch_store_rollback(tx);
	if (err == CH_ERR_INVALID)
		ch_fault_set(&ctx->fault, "cursor",
		    "cursor is the next_cursor of a page of this list; start "
		    "again without it.");
	return err;
}

/* ---- the workflow ---- */

/* Begin a write on visit id, checking who may: the desk (perm), or the
 * host for their own (host_ok); the visit is read into v. */
static ch_err
begin_on(struct ch_ctx *ctx, const char *id, enum ch_perm perm, bool host_ok,
    struct ch_tx **tx, struct ch_visitor *v)
{
	ch_err err;

	if (id == NULL || !ch_id_valid(id))
		return CH_ERR_NOT_FOUND;
	if ((err = ch_store_begin(ctx->store, true, tx)) != CH_OK)
		return err;
	err = ch_store_visitor_get(*tx, id, false, ctx->arena, v);
	/* Someone else's visit (a host's action), or another post's: not
	 * found; a role without the permission at all: refused. */
	if (err == CH_OK && !(host_ok && is_host(ctx, v)) &&
	    !permits_on(ctx, perm, v->post_id))
		err = host_ok || ch_ctx_permits(ctx, perm, NULL)
		    ? CH_ERR_NOT_FOUND
		    : CH_ERR_DENIED;
	if (err != CH_OK) {
		ch_store_rollback(*tx);
		*tx = NULL;
	}
	return err;
}

static ch_err
wrong_status(struct ch_ctx *ctx, struct ch_tx *tx, const struct ch_visitor *v,
    const char *what)
{
	ch_store_rollback(tx);
	ch_fault_set(&ctx->fault, NULL, "%s: the visit is %s.", what,
	    ch_visitor_status_code(v->status));
	return CH_ERR_CONFLICT;
}

ch_err
ch_visitors_cancel(struct ch_ctx *ctx, const char *id, struct ch_visitor *out)
{
	struct ch_tx *tx = NULL;
	char state[2048];
	int64_t version;
	ch_err err;

	if ((err = begin_on(
		 ctx, id, CH_PERM_VISITORS_MANAGE, true, &tx, out)) != CH_OK)
		return err;
	if (out->status != CH_VISITOR_EXPECTED)
		return wrong_status(ctx, tx, out,
		    "Only an expected visit can "
		    "be cancelled");
	version = out->version;
	out->status = CH_VISITOR_CANCELLED;
	ch_time_format(ch_clock_now(), out->updated_at);
	if ((err = ch_store_visitor_update(tx, out, version)) != CH_OK) {
		ch_store_rollback(tx);
		return err;
	}
	visitor_state(out, state, sizeof(state));
	return finish(
	    ctx, tx, "visitor.cancel", "visitor.cancelled", out, state);
}

/* A badge identifier for a visitor: V- and eight random hex digits. */
static void
make_badge(char out[16])
{
	unsigned char r[4];

	ch_random_bytes(r, sizeof(r));
	snprintf(out, 16, "V-%02X%02X%02X%02X", r[0], r[1], r[2], r[3]);
}

/* Record a refused check-in in the audit log (its own transaction). */
static void
audit_hold(struct ch_ctx *ctx, const struct ch_visitor *v,
    const struct ch_visitor_hold *h, size_t n)
{
	struct ch_audit_entry e;
	struct ch_tx *tx = NULL;
	char state[1024];
	int len;

	len = snprintf(state, sizeof(state),
	    "id=%s\npost=%s\nreason=screening\nholds=%zu\nhit=%s\nhit_status=%"
	    "s\n",
	    v->id, v->post_id, n, h[0].hit_id, h[0].status);
	e = (struct ch_audit_entry){"visitor.check_in_refused", "visitor",
	    v->id, v->post_id, state, (size_t)len};
	if (ch_store_begin(ctx->store, true, &tx) != CH_OK)
		return;
	if (ch_audit_append(tx, ctx, &e) != CH_OK ||
	    ch_store_commit(tx) != CH_OK) {
		ch_store_rollback(tx);
		log_error(
		    "visitor %s: the refused check-in was not audited", v->id);
	}
}

static ch_err
holds_of(
    struct ch_ctx *ctx, const char *id, struct ch_visitor_hold **h, size_t *n)
{
	struct ch_tx *tx = NULL;
	ch_err err;

	if ((err = ch_store_begin(ctx->store, false, &tx)) != CH_OK)
		return err;
	err = ch_store_visitor_holds(tx, id, ctx->arena, h, n);
	ch_store_rollback(tx);
	return err;
}

ch_err
ch_visitors_check_in(struct ch_ctx *ctx, const char *id,
    const struct ch_checkin_input *in, struct ch_visitor *out,
    struct ch_visitor_hold *hold)
{
	struct ch_visitor_hold *holds = NULL;
	struct ch_credential cred;
	struct ch_person escort;
	struct ch_tx *tx = NULL;
	char badge[16], state[2048];
	const char *escort_id = opt(in->escort_person_id);
	int64_t departure = 0, version;
	size_t nholds = 0;
	ch_err err;

	memset(hold, 0, sizeof(*hold));
	/* A first look, outside the write: who, what state, the window. */
	if ((err = ch_visitors_get(ctx, id, false, out)) != CH_OK)
		return err;
	if (!permits_on(ctx, CH_PERM_VISITORS_DESK, out->post_id))
		return CH_ERR_DENIED;
	if (out->status != CH_VISITOR_EXPECTED) {
		ch_fault_set(&ctx->fault, NULL,
		    "Only an expected visitor checks in: the visit is %s.",
		    ch_visitor_status_code(out->status));
		return CH_ERR_CONFLICT;
	}
	if (ch_time_parse(out->departure, &departure) &&
	    departure <= ch_clock_now()) {
		ch_fault_set(&ctx->fault, NULL,
		    "The visit's window ended at %s: register the visit "
		    "again.",
		    out->departure);
		return CH_ERR_CONFLICT;
	}
	if (in->badge != NULL && *in->badge != '\0' &&
	    !text_ok(ctx, "/badge", in->badge, 64, CH_TEXT_REQUIRED))
		return CH_ERR_INVALID;
	if (out->escort_required && escort_id == NULL) {
		ch_fault_set(&ctx->fault, "/escort_person_id",
		    "This visit needs an escort: choose the person who "
		    "accompanies the visitor.");
		return CH_ERR_INVALID;
	}
	/* Screening: a hit waiting for review holds the check-in; with
	 * none waiting, screen again (the lists may have changed). */
	if ((err = holds_of(ctx, out->id, &holds, &nholds)) != CH_OK)
		return err;
	if (nholds == 0) {
		if ((err = screen(ctx, out, "check-in")) != CH_OK)
			return err;
		if ((err = holds_of(ctx, out->id, &holds, &nholds)) != CH_OK)
			return err;
	}
	if (nholds > 0) {
		*hold = holds[0];
		audit_hold(ctx, out, holds, nholds);
		ch_fault_set(&ctx->fault, NULL,
		    strcmp(holds[0].status, "confirmed") == 0
			? "Check-in refused: the security officer confirmed "
			  "that this visitor matches %s (%s)."
			: "Check-in on hold: the visitor's name is close to %s "
			  "(%s, score %d/1000); the security officer must "
			  "review the hit first.",
		    holds[0].entry_name ? holds[0].entry_name : "an entry",
		    holds[0].list_name ? holds[0].list_name : "a watchlist",
		    holds[0].score_permille);
		return CH_ERR_CONFLICT;
	}
	if ((err = begin_on(ctx, id, CH_PERM_VISITORS_DESK, false, &tx, out)) !=
	    CH_OK)
		return err;
	if (out->status != CH_VISITOR_EXPECTED)
		return wrong_status(ctx, tx, out,
		    "Only an expected visitor "
		    "checks in");
	if (escort_id != NULL &&
	    (err = person_of_post(ctx, tx, escort_id, out->post_id,
		 "/escort_person_id", "The escort is a person of this post.",
		 &escort)) != CH_OK)
		goto fail;
	/* The temporary credential, valid now until the expected departure. */
	memset(&cred, 0, sizeof(cred));
	ch_id_new(cred.id);
	ch_strlcpy(cred.post_id, out->post_id, sizeof(cred.post_id));
	if (in->badge != NULL && *in->badge != '\0') {
		cred.badge = ch_arena_strdup(ctx->arena, in->badge);
	} else {
		make_badge(badge);
		cred.badge = ch_arena_strdup(ctx->arena, badge);
	}
	cred.status = CH_CRED_ACTIVE;
	ch_time_format(ch_clock_now(), cred.valid_from);
	memcpy(cred.valid_until, out->departure, sizeof(cred.valid_until));
	if (strcmp(cred.valid_from, cred.valid_until) >= 0)
		memcpy(cred.valid_from, out->arrival, sizeof(cred.valid_from));
	ch_strlcpy(cred.visitor_id, out->id, sizeof(cred.visitor_id));
	cred.version = 1;
	memcpy(cred.created_at, cred.valid_from, sizeof(cred.created_at));
	memcpy(cred.updated_at, cred.valid_from, sizeof(cred.updated_at));
	if ((err = ch_store_credential_insert(tx, &cred)) != CH_OK) {
		if (err == CH_ERR_CONFLICT) {
			ch_fault_set(&ctx->fault, "/badge",
			    "This badge is already issued: take another.");
			err = CH_ERR_INVALID;
		}
		goto fail;
	}
	/* A grant rule per zone requested, bound to this credential. */
	for (const char *p = out->zones; p != NULL && *p != '\0';) {
		const char *comma = strchr(p, ',');
		size_t len = comma ? (size_t)(comma - p) : strlen(p);
		struct ch_rule_row r;

		memset(&r, 0, sizeof(r));
		ch_id_new(r.id);
		ch_strlcpy(r.post_id, out->post_id, sizeof(r.post_id));
		r.effect = CH_RULE_GRANT;
		r.subject = CH_SUBJ_CREDENTIAL;
		r.subject_value = cred.id;
		if (len < sizeof(r.zone_id))
			memcpy(r.zone_id, p, len);
		r.note = ch_arena_printf(ctx->arena, "Visitor %s", out->id);
		memcpy(r.created_at, cred.valid_from, sizeof(r.created_at));
		if ((err = ch_store_rule_insert(tx, &r)) != CH_OK)
			goto fail;
		p = comma ? comma + 1 : NULL;
	}
	if ((err = ch_store_access_config_bump(tx)) != CH_OK)
		goto fail;
	version = out->version;
	out->status = CH_VISITOR_CHECKED_IN;
	ch_strlcpy(out->escort_person_id, escort_id ? escort_id : "",
	    sizeof(out->escort_person_id));
	if (escort_id != NULL)
		out->escort_name = ch_arena_printf(
		    ctx->arena, "%s %s", escort.given_name, escort.family_name);
	memcpy(out->credential_id, cred.id, sizeof(out->credential_id));
	out->badge = cred.badge;
	ch_time_format(ch_clock_now(), out->checked_in_at);
	out->checked_in_by = (char *)ch_ctx_actor(ctx);
	memcpy(out->updated_at, out->checked_in_at, sizeof(out->updated_at));
	if ((err = ch_store_visitor_update(tx, out, version)) != CH_OK)
		goto fail;
	visitor_state(out, state, sizeof(state));
	return finish(
	    ctx, tx, "visitor.check_in", "visitor.checked_in", out, state);
fail:
	ch_store_rollback(tx);
	return err;
}

/* Revoke a visit's credential and remove the rules bound to it. */
static ch_err
retire_credential(struct ch_ctx *ctx, struct ch_tx *tx, struct ch_visitor *v)
{
	struct ch_credential cred;
	struct ch_rule_row *rules;
	size_t n;
	ch_err err;

	if (v->credential_id[0] == '\0')
		return CH_OK;
	err = ch_store_credential_get(tx, v->credential_id, ctx->arena, &cred);
	if (err == CH_ERR_NOT_FOUND)
		return CH_OK;
	if (err != CH_OK)
		return err;
	if (cred.status == CH_CRED_ACTIVE || cred.status == CH_CRED_SUSPENDED) {
		cred.status = CH_CRED_REVOKED;
		ch_time_format(ch_clock_now(), cred.updated_at);
		if ((err = ch_store_credential_update(tx, &cred)) != CH_OK)
			return err;
	}
	if ((err = ch_store_rule_list(
		 tx, v->post_id, ctx->arena, &rules, &n)) != CH_OK)
		return err;
	for (size_t i = 0; i < n; i++)
		if (rules[i].subject == CH_SUBJ_CREDENTIAL &&
		    rules[i].subject_value != NULL &&
		    strcmp(rules[i].subject_value, cred.id) == 0 &&
		    (err = ch_store_rule_delete(tx, rules[i].id)) != CH_OK)
			return err;
	return ch_store_access_config_bump(tx);
}

ch_err
ch_visitors_check_out(
    struct ch_ctx *ctx, const char *id, struct ch_visitor *out)
{
	struct ch_tx *tx = NULL;
	char state[2048];
	int64_t version;
	ch_err err;

	if ((err = begin_on(ctx, id, CH_PERM_VISITORS_DESK, false, &tx, out)) !=
	    CH_OK)
		return err;
	if (out->status != CH_VISITOR_CHECKED_IN)
		return wrong_status(
		    ctx, tx, out, "Only a checked-in visitor checks out");
	if ((err = retire_credential(ctx, tx, out)) != CH_OK)
		goto fail;
	version = out->version;
	out->status = CH_VISITOR_CHECKED_OUT;
	ch_time_format(ch_clock_now(), out->checked_out_at);
	out->checked_out_by = (char *)ch_ctx_actor(ctx);
	memcpy(out->updated_at, out->checked_out_at, sizeof(out->updated_at));
	if ((err = ch_store_visitor_update(tx, out, version)) != CH_OK)
		goto fail;
	visitor_state(out, state, sizeof(state));
	return finish(
	    ctx, tx, "visitor.check_out", "visitor.checked_out", out, state);
fail:
	ch_store_rollback(tx);
	return err;
}

/* ---- retention ---- */

ch_err
ch_visitors_retention_get(struct ch_ctx *ctx, const char *post_id, int *days)
{
	struct ch_tx *tx = NULL;
	ch_err err;

	if (post_id == NULL || !ch_id_valid(post_id) ||
	    !ch_ctx_sees_post(ctx, post_id))
		return CH_ERR_NOT_FOUND;
	if ((err = ch_store_begin(ctx->store, false, &tx)) != CH_OK)
		return err;
	err = ch_store_visitor_retention_get(tx, post_id, days);
	ch_store_rollback(tx);
	return err;
}

ch_err
ch_visitors_retention_set(struct ch_ctx *ctx, const char *post_id, int days)
{
	struct ch_audit_entry e;
	struct ch_post post;
	struct ch_tx *tx = NULL;
	char at[CH_TIMESTAMP_LEN], state[256];
	int len;
	ch_err err;

	if (post_id == NULL || !ch_id_valid(post_id) ||
	    !ch_ctx_sees_post(ctx, post_id))
		return CH_ERR_NOT_FOUND;
	if (!ch_ctx_permits(ctx, CH_PERM_VISITORS_MANAGE, NULL))
		return CH_ERR_DENIED;
	if (days < 1 || days > 3650) {
		ch_fault_set(&ctx->fault, "/retention_days",
		    "retention_days is 1 to 3650.");
		return CH_ERR_INVALID;
	}
	if ((err = ch_store_begin(ctx->store, true, &tx)) != CH_OK)
		return err;
	if ((err = ch_store_post_get(tx, post_id, ctx->arena, &post)) != CH_OK)
		goto fail;
	ch_time_format(ch_clock_now(), at);
	if ((err = ch_store_visitor_retention_set(
		 tx, post_id, days, ch_ctx_actor(ctx), at)) != CH_OK)
		goto fail;
	len = snprintf(state, sizeof(state), "post=%s\nretention_days=%d\n",
	    post_id, days);
	e = (struct ch_audit_entry){
	    "visitor.retention", "post", post_id, post_id, state, (size_t)len};
	if ((err = ch_audit_append(tx, ctx, &e)) != CH_OK)
		goto fail;
	return ch_store_commit(tx);
fail:
	ch_store_rollback(tx);
	return err;
}

static ch_err
purge_at(struct ch_ctx *ctx, const char *post_id, int64_t now, size_t *count)
{
	struct ch_visitor_ended *ended = NULL;
	struct ch_tx *tx = NULL;
	size_t n = 0;
	char at[CH_TIMESTAMP_LEN];
	ch_err err;

	*count = 0;
	if ((err = ch_store_begin(ctx->store, false, &tx)) != CH_OK)
		return err;
	err = ch_store_visitor_ended(tx, post_id, ctx->arena, &ended, &n);
	ch_store_rollback(tx);
	ch_time_format(now, at);
	for (size_t i = 0; err == CH_OK && i < n; i++) {
		struct ch_visitor_ended *e = &ended[i];
		struct ch_audit_entry ae;
		struct ch_event ev;
		char name[40], state[256];
		int64_t ended_at = 0;
		int len;

		if (!ch_time_parse(e->ended_at, &ended_at) ||
		    ended_at + (int64_t)e->retention_days * 86400 > now)
			continue;
		/* An anonymous name: the last 8 hex digits of the id. */
		snprintf(name, sizeof(name), "Visitor %s", e->id + 28);
		if ((err = ch_store_begin(ctx->store, true, &tx)) != CH_OK)
			break;
		len = snprintf(state, sizeof(state),
		    "id=%s\npost=%s\nended=%s\nretention_days=%d\nname=%s\n",
		    e->id, e->post_id, e->ended_at, e->retention_days, name);
		ae = (struct ch_audit_entry){"visitor.purged", "visitor", e->id,
		    e->post_id, state, (size_t)len};
		if ((err = ch_store_visitor_purge(tx, e->id, name, at)) !=
			CH_OK ||
		    (err = ch_audit_append(tx, ctx, &ae)) != CH_OK) {
			ch_store_rollback(tx);
			break;
		}
		if ((err = ch_store_commit(tx)) != CH_OK)
			break;
		ev = (struct ch_event){
		    "visitor.purged", "visitor", e->id, e->post_id, now};
		ch_events_publish(&ev);
		(*count)++;
	}
	return err;
}

ch_err
ch_visitors_purge(struct ch_ctx *ctx, const char *post_id, size_t *count)
{
	const char *scope = opt(post_id);

	*count = 0;
	if (!ch_ctx_permits(ctx, CH_PERM_VISITORS_MANAGE, NULL))
		return CH_ERR_DENIED;
	if (scope != NULL &&
	    (!ch_id_valid(scope) || !ch_ctx_sees_post(ctx, scope)))
		return CH_ERR_NOT_FOUND;
	if (scope == NULL && ctx->who != NULL &&
	    !ch_policy_all_posts(ctx->who)) {
		if (ctx->who->post_id[0] == '\0')
			return CH_OK;
		scope = ctx->who->post_id;
	}
	return purge_at(ctx, scope, ch_clock_now(), count);
}

/* ---- the sweep ---- */

static ch_err
sweep_overstays(struct ch_ctx *ctx, int64_t now, size_t *count)
{
	struct ch_visitor *due = NULL;
	struct ch_tx *tx = NULL;
	char before[CH_TIMESTAMP_LEN];
	size_t n = 0;
	ch_err err;

	ch_time_format(now, before);
	if ((err = ch_store_begin(ctx->store, false, &tx)) != CH_OK)
		return err;
	err = ch_store_visitor_due(
	    tx, "checked_in", before, ctx->arena, &due, &n);
	ch_store_rollback(tx);
	for (size_t i = 0; err == CH_OK && i < n; i++) {
		struct ch_visitor *v = &due[i];
		struct ch_alarm alarm;
		char state[2048], *detail;
		int64_t version = v->version;

		memset(&alarm, 0, sizeof(alarm));
		ch_strlcpy(alarm.person_id, v->escort_person_id,
		    sizeof(alarm.person_id));
		detail = ch_arena_printf(ctx->arena,
		    "Visitor %s (badge %s, host %s) is still checked in; the "
		    "visit ended at %s.",
		    v->name, v->badge ? v->badge : "-",
		    v->host_name ? v->host_name : "-", v->departure);
		if ((err = ch_store_begin(ctx->store, true, &tx)) != CH_OK)
			break;
		if ((err = ch_alarms_raise_in_tx(ctx, tx,
			 CH_ALARM_VISITOR_OVERSTAY, v->post_id, detail,
			 &alarm)) != CH_OK)
			goto fail;
		memcpy(v->overstay_alarm_id, alarm.id,
		    sizeof(v->overstay_alarm_id));
		ch_time_format(now, v->updated_at);
		err = ch_store_visitor_update(tx, v, version);
		if (err == CH_ERR_PRECONDITION) {
			/* Checked out meanwhile. */
			ch_store_rollback(tx);
			err = CH_OK;
			continue;
		}
		if (err != CH_OK)
			goto fail;
		visitor_state(v, state, sizeof(state));
		if ((err = finish(ctx, tx, "visitor.overstay",
			 "visitor.overstayed", v, state)) != CH_OK)
			break;
		ch_alarms_published(&alarm);
		log_warn("visitor %s overstays (window ended %s): alarm %s",
		    v->id, v->departure, alarm.id);
		(*count)++;
		continue;
	fail:
		ch_store_rollback(tx);
		break;
	}
	return err;
}

static ch_err
sweep_no_shows(struct ch_ctx *ctx, int64_t now, size_t *count)
{
	struct ch_visitor *due = NULL;
	struct ch_tx *tx = NULL;
	char before[CH_TIMESTAMP_LEN];
	size_t n = 0;
	ch_err err;

	ch_time_format(now, before);
	if ((err = ch_store_begin(ctx->store, false, &tx)) != CH_OK)
		return err;
	err =
	    ch_store_visitor_due(tx, "expected", before, ctx->arena, &due, &n);
	ch_store_rollback(tx);
	for (size_t i = 0; err == CH_OK && i < n; i++) {
		struct ch_visitor *v = &due[i];
		char state[2048];
		int64_t version = v->version;

		if ((err = ch_store_begin(ctx->store, true, &tx)) != CH_OK)
			break;
		v->status = CH_VISITOR_NO_SHOW;
		ch_time_format(now, v->updated_at);
		err = ch_store_visitor_update(tx, v, version);
		if (err == CH_ERR_PRECONDITION) {
			ch_store_rollback(tx);
			err = CH_OK;
			continue;
		}
		if (err != CH_OK) {
			ch_store_rollback(tx);
			break;
		}
		visitor_state(v, state, sizeof(state));
		if ((err = finish(ctx, tx, "visitor.no_show", "visitor.no_show",
			 v, state)) == CH_OK)
			(*count)++;
	}
	return err;
}

ch_err
ch_visitors_sweep(struct ch_store *store, int64_t now, size_t *overstays,
    size_t *no_shows, size_t *purged)
{
	size_t a = 0, b = 0, c = 0;
	struct ch_ctx ctx;
	ch_err err;

	memset(&ctx, 0, sizeof(ctx));
	ctx.store = store;
	ctx.request_id = "visitors";
	ctx.source = "visitors";
	if ((ctx.arena = ch_arena_create(0)) == NULL)
		return CH_ERR_NOMEM;
	err = sweep_overstays(&ctx, now, &a);
	if (err == CH_OK)
		err = sweep_no_shows(&ctx, now, &b);
	if (err == CH_OK)
		err = purge_at(&ctx, NULL, now, &c);
	ch_arena_destroy(ctx.arena);
	if (overstays != NULL)
		*overstays = a;
	if (no_shows != NULL)
		*no_shows = b;
	if (purged != NULL)
		*purged = c;
	return err;
}

static struct {
	pthread_mutex_t lock;
	pthread_cond_t wake;
	pthread_t thread;
	bool running, stopping;
	struct ch_store *store;
	int every;
} sweeper = {
    .lock = PTHREAD_MUTEX_INITIALIZER, .wake = PTHREAD_COND_INITIALIZER};

static void *
sweeper_main(void *arg)
{
	(void)arg;
	pthread_mutex_lock(&sweeper.lock);
	while (!sweeper.stopping) {
		struct timespec until;

		pthread_mutex_unlock(&sweeper.lock);
		if (ch_visitors_sweep(sweeper.store, ch_clock_now(), NULL, NULL,
			NULL) != CH_OK)
			log_error("the visitors' sweep failed; retrying");
		pthread_mutex_lock(&sweeper.lock);
		clock_gettime(CLOCK_REALTIME, &until);
		until.tv_sec += sweeper.every;
		while (!sweeper.stopping &&
		    pthread_cond_timedwait(
			&sweeper.wake, &sweeper.lock, &until) == 0)
			;
	}
	pthread_mutex_unlock(&sweeper.lock);
	return NULL;
}

ch_err
ch_visitors_sweeper_start(struct ch_store *store, int every_seconds)
{
	pthread_mutex_lock(&sweeper.lock);
	if (sweeper.running) {
		pthread_mutex_unlock(&sweeper.lock);
		return CH_ERR_CONFLICT;
	}
	sweeper.store = store;
	sweeper.every = every_seconds > 0 ? every_seconds : 5;
	sweeper.stopping = false;
	if (pthread_create(&sweeper.thread, NULL, sweeper_main, NULL) != 0) {
		pthread_mutex_unlock(&sweeper.lock);
		return CH_ERR_INTERNAL;
	}
	sweeper.running = true;
	pthread_mutex_unlock(&sweeper.lock);
	return CH_OK;
}

void
ch_visitors_sweeper_stop(void)
{
	pthread_mutex_lock(&sweeper.lock);
	if (!sweeper.running) {
		pthread_mutex_unlock(&sweeper.lock);
		return;
	}
	sweeper.stopping = true;
	pthread_cond_broadcast(&sweeper.wake);
	pthread_mutex_unlock(&sweeper.lock);
	pthread_join(sweeper.thread, NULL);
	pthread_mutex_lock(&sweeper.lock);
	sweeper.running = false;
	pthread_mutex_unlock(&sweeper.lock);
}

/* ---- the log as CSV ---- */

/* A CSV field: quoted when it holds a comma, quote or line end; a cell
 * that begins with =, +, -, @ (or a tab or carriage return) gets a
 * leading apostrophe (inside the quotes) so that a spreadsheet shows it
 * and does not run it. */
static ch_err
csv_field(struct ch_buf *b, const char *s, bool last)
{
	const char *p = s ? s : "";
	bool quote = strpbrk(p, ",\"\r\n") != NULL;
	ch_err err = CH_OK;

	if (quote)
		err = ch_buf_append(b, "\"", 1);
	if (err == CH_OK &&
	    (*p == '=' || *p == '+' || *p == '-' || *p == '@' || *p == '\t' ||
		*p == '\r'))
		err = ch_buf_append(b, "'", 1);
	for (; err == CH_OK && *p; p++) {
		if (*p == '"')
			err = ch_buf_append(b, "\"", 1);
		if (err == CH_OK)
			err = ch_buf_append(b, p, 1);
	}
	if (err == CH_OK && quote)
		err = ch_buf_append(b, "\"", 1);
	if (err == CH_OK)
		err = ch_buf_append(b, last ? "\r\n" : ",", last ? 2 : 1);
	return err;
}

ch_err
ch_visitors_csv(
    const struct ch_visitor *v, size_t n, bool header, struct ch_buf *buf)
{
	static const char names[] =
	    "id,name,organisation,host,purpose,arrival,departure,status,"
	    "screening,escort,badge,checked_in_at,checked_out_at,purged_at\r\n";
	ch_err err =
	    header ? ch_buf_append(buf, names, sizeof(names) - 1) : CH_OK;

	for (size_t i = 0; err == CH_OK && i < n; i++) {
		const char *cells[] = {v[i].id, v[i].name, v[i].organisation,
		    v[i].host_name, v[i].purpose, v[i].arrival, v[i].departure,
		    ch_visitor_status_code(v[i].status),
		    ch_visitor_screening_state(&v[i]), v[i].escort_name,
		    v[i].badge, v[i].checked_in_at, v[i].checked_out_at,
		    v[i].purged_at};
		size_t nc = CH_ARRAY_LEN(cells);

		for (size_t c = 0; err == CH_OK && c < nc; c++)
			err = csv_field(buf, cells[c], c + 1 == nc);
	}
	return err;
}
