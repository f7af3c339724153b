/*
 * h_access.c — the access-control routes: decisions for gate readers
 * (device tokens), the set-up of points, credentials, schedules, rules and
 * the posture, and the reads of the access log, occupancy, the muster list
 * (JSON or CSV), anomalies and alarms.
 */
#include <stdio.h>
#include <string.h>

#include "access/access.h"
#include "http/http.h"

static const char *const directions[] = {"in", "out", NULL};
static const char *const passbacks[] = {"none", "soft", "hard", NULL};
static const char *const statuses[] = {
    "active", "suspended", "revoked", "lost", NULL};
static const char *const effects[] = {"grant", "deny", NULL};
static const char *const subjects[] = {
    "everyone", "role", "category", "person", "credential", NULL};
static const char *const postures[] = {
    "normal", "heightened", "lockdown", NULL};

static const struct ch_jfield decision_fields[] = {
    {"point_id", CH_J_ID, true, false, 36, NULL,
	"The access point the reader serves."},
    {"badge", CH_J_STRING, true, false, 64, NULL, "The badge identifier read."},
    {"pin", CH_J_STRING, false, true, 8, NULL,
	"The PIN typed on a badge + PIN reader."},
    {"direction", CH_J_ENUM, true, false, 4, directions,
	"in: towards the point's to-zone; out: back."},
    {"at", CH_J_STRING, false, true, 40, NULL,
	"The reader's time of the swipe, ISO 8601 UTC (default: now; at "
	"most 7 days old)."},
};
const struct ch_jschema ch_schema_access_decision = {
    "AccessDecisionRequest", decision_fields, CH_ARRAY_LEN(decision_fields)};

static const struct ch_jfield point_fields[] = {
    {"post_id", CH_J_ID, true, false, 36, NULL, NULL},
    {"name", CH_J_STRING, true, false, 100, NULL, "e.g. Main gate."},
    {"from_zone_id", CH_J_ID, false, true, 36, NULL,
	"The zone left when going in; null: the outside."},
    {"to_zone_id", CH_J_ID, true, false, 36, NULL,
	"The zone entered when going in."},
    {"anti_passback", CH_J_ENUM, false, false, 8, passbacks,
	"none (default), soft (grant and flag) or hard (deny)."},
    {"pin_required", CH_J_BOOL, false, false, 0, NULL,
	"Badge and PIN at this point."},
};
const struct ch_jschema ch_schema_access_point_create = {
    "AccessPointCreate", point_fields, CH_ARRAY_LEN(point_fields)};

#define CREDENTIAL_FIELDS                                                      \
	{"pin", CH_J_STRING, false, true, 8, NULL,                             \
	    "4 to 8 digits; stored hashed."},                                  \
	    {"duress_pin", CH_J_STRING, false, true, 8, NULL,                  \
		"Grants as the PIN does and raises a silent alarm."},          \
	    {"status", CH_J_ENUM, false, false, 12, statuses, NULL},           \
	    {"valid_from", CH_J_STRING, false, true, 40, NULL,                 \
		"ISO 8601 UTC; null: open."},                                  \
	{                                                                      \
		"valid_until", CH_J_STRING, false, true, 40, NULL,             \
		    "ISO 8601 UTC; null: open."                                \
	}
static const struct ch_jfield credential_create_fields[] = {
    {"post_id", CH_J_ID, true, false, 36, NULL, NULL},
    {"badge", CH_J_STRING, true, false, 64, NULL, "The badge identifier."},
    {"person_id", CH_J_ID, true, false, 36, NULL,
	"The holder, a person of the post."},
    CREDENTIAL_FIELDS};
const struct ch_jschema ch_schema_credential_create = {"CredentialCreate",
    credential_create_fields, CH_ARRAY_LEN(credential_create_fields)};
static const struct ch_jfield credential_update_fields[] = {CREDENTIAL_FIELDS};
const struct ch_jschema ch_schema_credential_update = {"CredentialUpdate",
    credential_update_fields, CH_ARRAY_LEN(credential_update_fields)};

static const struct ch_jfield schedule_fields[] = {
    {"post_id", CH_J_ID, true, false, 36, NULL, NULL},
    {"name", CH_J_STRING, true, false, 100, NULL, "e.g. Office hours."},
    {"windows", CH_J_STRING, true, false, 400, NULL,
	"ISO weekdays and local times: \"1-5 07:00-19:00; 6 09:00-13:00\"."},
};
const struct ch_jschema ch_schema_schedule_create = {
    "ScheduleCreate", schedule_fields, CH_ARRAY_LEN(schedule_fields)};

static const struct ch_jfield rule_fields[] = {
    {"post_id", CH_J_ID, true, false, 36, NULL, NULL},
    {"effect", CH_J_ENUM, true, false, 5, effects,
	"grant or deny; deny beats grant."},
    {"subject", CH_J_ENUM, true, false, 12, subjects, NULL},
    {"subject_value", CH_J_STRING, false, true, 64, NULL,
	"A role code, staff category code, person id or credential id."},
    {"zone_id", CH_J_ID, false, true, 36, NULL,
	"The zone (and the zones inside it); null: every zone."},
    {"schedule_id", CH_J_ID, false, true, 36, NULL,
	"Only within this schedule; null: always."},
    {"note", CH_J_STRING, false, true, 200, NULL, NULL},
};
const struct ch_jschema ch_schema_rule_create = {
    "AccessRuleCreate", rule_fields, CH_ARRAY_LEN(rule_fields)};

static const struct ch_jfield posture_fields[] = {
    {"posture", CH_J_ENUM, true, false, 12, postures, NULL},
    {"reason", CH_J_STRING, false, true, 200, NULL, NULL},
};
const struct ch_jschema ch_schema_posture_set = {
    "PostureSet", posture_fields, CH_ARRAY_LEN(posture_fields)};

/* ---- decisions ---- */

/* Append s to b as a JSON string, or null when s is NULL (or, with
 * empty_null, ""). */
static void
decision_str(struct ch_buf *b, const char *s, bool empty_null)
{
	ch_buf_append_json(b, empty_null && s != NULL && *s == '\0' ? NULL : s);
}

/* The answer to a reader, written straight into the request's arena: it
 * is on every swipe's path, where a JSON tree built and serialised cost
 * more than the decision itself.  The shape is the route's success
 * schema (AccessDecision). */
static void
reply_decision(struct ch_req *req, ch_err err, const struct ch_decision *d)
{
	struct ch_buf b;
	char *text;

	if (err != CH_OK) {
		ch_reply_error(req, err);
		return;
	}
	ch_buf_init(&b, 64 * 1024);
	/* A duress grant answers exactly as a plain grant: the alarm is
	 * silent. */
	ch_buf_append_str(&b,
	    d->result.granted
		? "{\"decision\":\"grant\",\"granted\":true,\"reason\":"
		: "{\"decision\":\"deny\",\"granted\":false,\"reason\":");
	decision_str(&b, ch_access_reason_code(d->result.reason), false);
	ch_buf_append_str(&b, ",\"message\":");
	decision_str(&b, ch_access_reason_text(d->result.reason), false);
	ch_buf_append_str(&b, ",\"event_id\":");
	decision_str(&b, d->event_id, false);
	ch_buf_append_str(&b, ",\"at\":");
	decision_str(&b, d->at, false);
	ch_buf_append_str(&b,
	    d->result.passback_flag ? ",\"passback_flag\":true,\"person\":"
				    : ",\"passback_flag\":false,\"person\":");
	if (d->person_name != NULL && d->person_name[0] != '\0') {
		ch_buf_append_str(&b, "{\"id\":");
		decision_str(&b, d->person_id, true);
		ch_buf_append_str(&b, ",\"name\":");
		decision_str(&b, d->person_name, false);
		ch_buf_append_str(&b, ",\"category\":");
		decision_str(&b, d->person_category, false);
		ch_buf_append_str(&b, ",\"position\":");
		decision_str(&b, d->photo_hint, true);
		ch_buf_append_str(&b, "}");
	} else {
		ch_buf_append_str(&b, "null");
	}
	ch_buf_append_str(&b, ",\"zone\":");
	if (d->zone_id[0] != '\0') {
		ch_buf_append_str(&b, "{\"id\":");
		decision_str(&b, d->zone_id, false);
		ch_buf_append_str(&b, ",\"name\":");
		decision_str(&b, d->zone_name, false);
		ch_buf_append_str(&b, "}");
	} else {
		ch_buf_append_str(&b, "null");
	}
	ch_buf_append_str(&b, "}");
	if (b.data == NULL ||
	    (text = ch_arena_alloc(req->arena, b.len + 1)) == NULL) {
		ch_buf_free(&b);
		ch_reply_error(req, CH_ERR_NOMEM);
		return;
	}
	memcpy(text, b.data, b.len + 1);
	req->status = 200;
	req->reply_text = text;
	req->reply_len = b.len;
	req->reply_type = "application/json";
	ch_buf_free(&b);
}

/* A decision queued for the group committer: the worker thread is free
 * while the batch goes to disk; the committer only resumes the request,
 * and a worker writes the answer. */
struct pending_decision {
	struct ch_req *req;
	struct ch_decision_request rq;
	struct ch_decision d;
	struct ch_gate_job job;
	ch_err err;
};

static void
decision_done(void *arg, ch_err err)
{
	struct pending_decision *p = arg;

	p->err = err;
	ch_req_resume(p->req);
}

static void
decision_finish(struct ch_req *req)
{
	struct pending_decision *p = req->defer_arg;

	reply_decision(req, p->err, &p->d);
}

static void
decision_start(struct ch_req *req)
{
	ch_gate_decide_async(&((struct pending_decision *)req->defer_arg)->job);
}

void
ch_h_access_decide(struct ch_req *req)
{
	const json_t *b = req->body;
	struct pending_decision *p;
	const char *at = ch_json_str(b, "at");
	ch_err err;

	if ((p = ch_arena_alloc(req->arena, sizeof(*p))) == NULL) {
		ch_reply_error(req, CH_ERR_NOMEM);
		return;
	}
	memset(p, 0, sizeof(*p));
	p->req = req;
	p->rq.point_id = ch_json_str(b, "point_id");
	p->rq.badge = ch_json_str(b, "badge");
	p->rq.pin = ch_json_str(b, "pin");
	p->rq.direction = strcmp(ch_json_str(b, "direction"), "out") == 0
	    ? CH_DIR_OUT
	    : CH_DIR_IN;
	if (at != NULL) {
		int64_t now = ch_clock_now();

		if (!ch_time_parse(at, &p->rq.at) || p->rq.at > now + 300 ||
		    p->rq.at < now - 7 * 86400) {
			ch_reply_problem(req, "validation",
			    "at is the reader's UTC time of the swipe, ISO "
			    "8601, at most 7 days old and not in the future.",
			    "/at");
			return;
		}
	}
	p->rq.device_id = req->who->user_id;
	p->rq.device_post_id = req->who->post_id;
	if ((err = ch_gate_check(&req->ctx, &p->rq)) != CH_OK) {
		ch_reply_error(req, err);
		return;
	}
	p->job.ctx = &req->ctx;
	p->job.rq = &p->rq;
	p->job.out = &p->d;
	p->job.on_done = decision_done;
	p->job.arg = p;
	if (ch_gate_committer_running() &&
	    ch_req_defer(req, decision_start, decision_finish, p))
		return;
	/* No committer (--group-commit off), or the server is stopping:
	 * decide in this thread. */
	err = ch_gate_decide(&req->ctx, &p->rq, &p->d);
	reply_decision(req, err, &p->d);
}

/* ---- points ---- */

static json_t *
point_json(const struct ch_access_point *p)
{
	return json_pack("{s:s, s:s, s:s, s:o, s:s, s:s, s:b, s:I, s:s}", "id",
	    p->id, "post_id", p->post_id, "name", p->name, "from_zone_id",
	    ch_json_str_or_null(p->from_zone_id), "to_zone_id", p->to_zone_id,
	    "anti_passback", ch_passback_code(p->passback), "pin_required",
	    p->pin_required, "version", (json_int_t)p->version, "created_at",
	    p->created_at);
}

static void
reply_items(struct ch_req *req, json_t *items)
{
	ch_reply_json(
	    req, 200, json_pack("{s:o, s:n}", "items", items, "next_cursor"));
}

void
ch_h_access_points_list(struct ch_req *req)
{
	struct ch_access_point *list;
	size_t n;
	json_t *items;
	ch_err err;

	err = ch_access_points_list(
	    &req->ctx, ch_req_query(req, "post_id"), &list, &n);
	if (err != CH_OK) {
		ch_reply_error(req, err);
		return;
	}
	items = json_array();
	for (size_t i = 0; i < n; i++)
		json_array_append_new(items, point_json(&list[i]));
	reply_items(req, items);
}

void
ch_h_access_points_create(struct ch_req *req)
{
	const json_t *b = req->body;
	struct ch_access_point_input in = {ch_json_str(b, "post_id"),
	    ch_json_str(b, "name"), ch_json_str(b, "from_zone_id"),
	    ch_json_str(b, "to_zone_id"), ch_json_str(b, "anti_passback"),
	    json_is_true(json_object_get(b, "pin_required"))};
	struct ch_access_point out;
	ch_err err;

	if ((err = ch_access_points_create(&req->ctx, &in, &out)) != CH_OK) {
		ch_reply_error(req, err);
		return;
	}
	ch_reply_json(req, 201, point_json(&out));
}

/* ---- credentials ---- */

static json_t *
credential_json(const struct ch_credential *c)
{
	return json_pack("{s:s, s:s, s:s, s:s, s:o, s:o, s:o, s:o, s:b, s:b, "
			 "s:I, s:s, s:s}",
	    "id", c->id, "post_id", c->post_id, "badge", c->badge, "status",
	    ch_cred_status_code(c->status), "valid_from",
	    ch_json_str_or_null(c->valid_from), "valid_until",
	    ch_json_str_or_null(c->valid_until), "person_id",
	    ch_json_str_or_null(c->person_id), "holder_name",
	    ch_json_str_or_null(c->holder_name), "has_pin",
	    c->pin_hash[0] != '\0', "has_duress_pin", c->duress_hash[0] != '\0',
	    "version", (json_int_t)c->version, "created_at", c->created_at,
	    "updated_at", c->updated_at);
}

static void
credential_input(const json_t *b, struct ch_credential_input *in)
{
	in->pin = ch_json_str(b, "pin");
	in->has_pin = ch_json_has(b, "pin");
	in->duress_pin = ch_json_str(b, "duress_pin");
	in->has_duress_pin = ch_json_has(b, "duress_pin");
	in->status = ch_json_str(b, "status");
	in->has_status = in->status != NULL;
	in->valid_from = ch_json_str(b, "valid_from");
	in->has_valid_from = ch_json_has(b, "valid_from");
	in->valid_until = ch_json_str(b, "valid_until");
	in->has_valid_until = ch_json_has(b, "valid_until");
}

void
ch_h_credentials_list(struct ch_req *req)
{
	struct ch_credential *list;
	size_t n;
	json_t *items;
	ch_err err;

	err = ch_credentials_list(&req->ctx, ch_req_query(req, "post_id"),
	    ch_req_query(req, "person_id"), &list, &n);
	if (err != CH_OK) {
		ch_reply_error(req, err);
		return;
	}
	items = json_array();
	for (size_t i = 0; i < n; i++)
		json_array_append_new(items, credential_json(&list[i]));
	reply_items(req, items);
}

void
ch_h_credentials_create(struct ch_req *req)
{
	struct ch_credential_input in;
	struct ch_credential out;
	ch_err err;

	memset(&in, 0, sizeof(in));
	credential_input(req->body, &in);
	in.post_id = ch_json_str(req->body, "post_id");
	in.badge = ch_json_str(req->body, "badge");
	in.person_id = ch_json_str(req->body, "person_id");
	if ((err = ch_credentials_create(&req->ctx, &in, &out)) != CH_OK) {
		ch_reply_error(req, err);
		return;
	}
	ch_reply_json(req, 201, credential_json(&out));
}

void
ch_h_credentials_update(struct ch_req *req)
{
	struct ch_credential_input in;
	struct ch_credential out;
	ch_err err;

	memset(&in, 0, sizeof(in));
	credential_input(req->body, &in);
	err = ch_credentials_update(&req->ctx, req->params[0], &in, &out);
	if (err != CH_OK) {
		ch_reply_error(req, err);
		return;
	}
	ch_reply_json(req, 200, credential_json(&out));
}

/* ---- schedules and rules ---- */

static json_t *
schedule_json(const struct ch_schedule *s)
{
	return json_pack("{s:s, s:s, s:s, s:s, s:s}", "id", s->id, "post_id",
	    s->post_id, "name", s->name, "windows", s->windows, "created_at",
	    s->created_at);
}

void
ch_h_schedules_list(struct ch_req *req)
{
	struct ch_schedule *list;
	size_t n;
	json_t *items;
	ch_err err;

	err = ch_schedules_list(
	    &req->ctx, ch_req_query(req, "post_id"), &list, &n);
	if (err != CH_OK) {
		ch_reply_error(req, err);
		return;
	}
	items = json_array();
	for (size_t i = 0; i < n; i++)
		json_array_append_new(items, schedule_json(&list[i]));
	reply_items(req, items);
}

void
ch_h_schedules_create(struct ch_req *req)
{
	struct ch_schedule out;
	ch_err err;

	err = ch_schedules_create(&req->ctx, ch_json_str(req->body, "post_id"),
	    ch_json_str(req->body, "name"), ch_json_str(req->body, "windows"),
	    &out);
	if (err != CH_OK) {
		ch_reply_error(req, err);
		return;
	}
	ch_reply_json(req, 201, schedule_json(&out));
}

static json_t *
rule_json(const struct ch_rule_row *r)
{
	return json_pack("{s:s, s:s, s:s, s:s, s:o, s:o, s:o, s:o, s:o, s:s}",
	    "id", r->id, "post_id", r->post_id, "effect",
	    r->effect == CH_RULE_GRANT ? "grant" : "deny", "subject",
	    ch_rule_subject_code(r->subject), "subject_value",
	    ch_json_str_or_null(r->subject_value), "zone_id",
	    ch_json_str_or_null(r->zone_id), "schedule_id",
	    ch_json_str_or_null(r->schedule_id), "windows",
	    ch_json_str_or_null(r->windows), "note",
	    ch_json_str_or_null(r->note), "created_at", r->created_at);
}

void
ch_h_rules_list(struct ch_req *req)
{
	struct ch_rule_row *list;
	size_t n;
	json_t *items;
	ch_err err;

	err = ch_rules_list(&req->ctx, ch_req_query(req, "post_id"), &list, &n);
	if (err != CH_OK) {
		ch_reply_error(req, err);
		return;
	}
	items = json_array();
	for (size_t i = 0; i < n; i++)
		json_array_append_new(items, rule_json(&list[i]));
	reply_items(req, items);
}

void
ch_h_rules_create(struct ch_req *req)
{
	const json_t *b = req->body;
	struct ch_rule_input in = {ch_json_str(b, "post_id"),
	    ch_json_str(b, "effect"), ch_json_str(b, "subject"),
	    ch_json_str(b, "subject_value"), ch_json_str(b, "zone_id"),
	    ch_json_str(b, "schedule_id"), ch_json_str(b, "note")};
	struct ch_rule_row out;
	ch_err err;

	if ((err = ch_rules_create(&req->ctx, &in, &out)) != CH_OK) {
		ch_reply_error(req, err);
		return;
	}
	ch_reply_json(req, 201, rule_json(&out));
}

void
ch_h_rules_delete(struct ch_req *req)
{
	ch_err err = ch_rules_delete(&req->ctx, req->params[0]);

	if (err != CH_OK) {
		ch_reply_error(req, err);
		return;
	}
	req->status = 204;
	req->reply_text = "";
}

/* ---- posture ---- */

static void
reply_posture(struct ch_req *req, const char *post_id)
{
	enum ch_posture p;
	char changed_at[CH_TIMESTAMP_LEN];
	ch_err err;

	if ((err = ch_posture_get(&req->ctx, post_id, &p, changed_at)) !=
	    CH_OK) {
		ch_reply_error(req, err);
		return;
	}
	ch_reply_json(req, 200,
	    json_pack("{s:s, s:s, s:o}", "post_id", post_id, "posture",
		ch_posture_code(p), "changed_at",
		ch_json_str_or_null(changed_at)));
}

void
ch_h_posture_get(struct ch_req *req)
{
	reply_posture(req, req->params[0]);
}

void
ch_h_posture_set(struct ch_req *req)
{
	enum ch_posture p = CH_POSTURE_NORMAL;
	ch_err err;

	ch_posture_parse(ch_json_str(req->body, "posture"), &p);
	err = ch_posture_set(
	    &req->ctx, req->params[0], p, ch_json_str(req->body, "reason"));
	if (err != CH_OK) {
		ch_reply_error(req, err);
		return;
	}
	reply_posture(req, req->params[0]);
}

/* ---- the access log, occupancy, muster, anomalies, alarms ---- */

static json_t *
event_json(const struct ch_access_event *e)
{
	return json_pack("{s:s, s:I, s:s, s:o, s:o, s:o, s:o, s:s, s:o, s:o, "
			 "s:s, s:s, s:s, s:b, s:b, s:s}",
	    "id", e->id, "seq", (json_int_t)e->seq, "post_id", e->post_id,
	    "point_id", ch_json_str_or_null(e->point_id), "point_name",
	    ch_json_str_or_null(e->point_name), "zone_id",
	    ch_json_str_or_null(e->zone_id), "credential_id",
	    ch_json_str_or_null(e->credential_id), "badge",
	    e->badge ? e->badge : "", "person_id",
	    ch_json_str_or_null(e->person_id), "person_name",
	    ch_json_str_or_null(e->person_name), "direction",
	    e->direction == CH_DIR_IN ? "in" : "out", "decision",
	    e->granted ? "grant" : "deny", "reason",
	    ch_access_reason_code(e->reason), "passback_flag", e->passback_flag,
	    "out_of_schedule", e->out_of_schedule, "at", e->at);
}

void
ch_h_access_events(struct ch_req *req)
{
	struct ch_access_event_filter f;
	struct ch_access_event_page page;
	const char *limit = ch_req_query(req, "limit");
	const char *decision = ch_req_query(req, "decision");
	json_t *items;
	long n = 100;
	ch_err err;

	memset(&f, 0, sizeof(f));
	if (limit != NULL && !ch_parse_long(limit, 1, 500, &n)) {
		ch_reply_problem(req, "bad-query",
		    "limit is a number from 1 to 500.", "limit");
		return;
	}
	if (decision != NULL && strcmp(decision, "grant") != 0 &&
	    strcmp(decision, "deny") != 0) {
		ch_reply_problem(
		    req, "bad-query", "decision is grant or deny.", "decision");
		return;
	}
	f.limit = (size_t)n;
	f.decision = decision;
	f.post_id = ch_req_query(req, "post_id");
	f.person_id = ch_req_query(req, "person_id");
	f.point_id = ch_req_query(req, "point_id");
	f.credential_id = ch_req_query(req, "credential_id");
	f.since = ch_req_query(req, "since");
	f.until = ch_req_query(req, "until");
	f.cursor = ch_req_query(req, "cursor");
	if ((err = ch_access_events_list(&req->ctx, &f, &page)) != CH_OK) {
		if (err == CH_ERR_INVALID)
			ch_reply_problem(req, "bad-cursor",
			    "The cursor is not one this list gave.", "cursor");
		else
			ch_reply_error(req, err);
		return;
	}
	items = json_array();
	for (size_t i = 0; i < page.count; i++)
		json_array_append_new(items, event_json(&page.items[i]));
	ch_reply_json(req, 200,
	    json_pack("{s:o, s:o}", "items", items, "next_cursor",
		ch_json_str_or_null(page.next_cursor)));
}

static json_t *
presence_json(const struct ch_presence *p)
{
	return json_pack("{s:o, s:o, s:o, s:s, s:s, s:o, s:s}", "person_id",
	    ch_json_str_or_null(p->person_id), "name",
	    ch_json_str_or_null(p->person_name), "category",
	    ch_json_str_or_null(p->category), "credential_id", p->credential_id,
	    "zone_id", p->zone_id, "zone_name",
	    ch_json_str_or_null(p->zone_name), "since", p->since);
}

void
ch_h_access_occupancy(struct ch_req *req)
{
	struct ch_zone_count *zones;
	struct ch_presence *people;
	size_t nz, np;
	json_t *zs, *ps;
	ch_err err;

	err = ch_access_occupancy(
	    &req->ctx, ch_req_query(req, "post_id"), &zones, &nz, &people, &np);
	if (err != CH_OK) {
		ch_reply_error(req, err);
		return;
	}
	zs = json_array();
	for (size_t i = 0; i < nz; i++)
		json_array_append_new(zs,
		    json_pack("{s:s, s:s, s:I}", "zone_id", zones[i].zone_id,
			"name", zones[i].zone_name, "count",
			(json_int_t)zones[i].count));
	ps = json_array();
	for (size_t i = 0; i < np; i++)
		json_array_append_new(ps, presence_json(&people[i]));
	ch_reply_json(req, 200,
	    json_pack("{s:o, s:I, s:o}", "zones", zs, "total", (json_int_t)np,
		"people", ps));
}

/* A CSV field: quoted when it holds a comma, quote or line end; a cell
 * that begins with =, +, -, @ (or a tab or carriage return) gets a
 * leading apostrophe, inside the quotes (outside them, the quote would be
 * data and the next comma would start a cell), so a spreadsheet does not
 * run it. */
static void
csv_field(struct ch_buf *b, const char *s, bool last)
{
	const char *p = s ? s : "";
	bool quote = strpbrk(p, ",\"\r\n") != NULL;

	if (quote)
		ch_buf_append(b, "\"", 1);
	if (*p == '=' || *p == '+' || *p == '-' || *p == '@' || *p == '\t' ||
	    *p == '\r')
		ch_buf_append(b, "'", 1);
	for (; *p; p++) {
		if (*p == '"')
			ch_buf_append(b, "\"", 1);
		ch_buf_append(b, p, 1);
	}
	if (quote)
		ch_buf_append(b, "\"", 1);
	ch_buf_append(b, last ? "\r\n" : ",", last ? 2 : 1);
}

void
ch_h_access_muster(struct ch_req *req)
{
	const char *format = ch_req_query(req, "format");
	struct ch_zone_count *zones;
	struct ch_presence *people;
	struct ch_buf b;
	size_t nz, np;
	char *text;
	ch_err err;

	if (format != NULL && strcmp(format, "csv") != 0 &&
	    strcmp(format, "json") != 0) {
		ch_reply_problem(
		    req, "bad-query", "format is json or csv.", "format");
		return;
	}
	err = ch_access_occupancy(
	    &req->ctx, ch_req_query(req, "post_id"), &zones, &nz, &people, &np);
	if (err != CH_OK) {
		ch_reply_error(req, err);
		return;
	}
	if (format == NULL || strcmp(format, "json") == 0) {
		json_t *ps = json_array();

		for (size_t i = 0; i < np; i++)
			json_array_append_new(ps, presence_json(&people[i]));
		ch_reply_json(req, 200,
		    json_pack(
			"{s:o, s:I}", "items", ps, "total", (json_int_t)np));
		return;
	}
	ch_buf_init(&b, 16u * 1024 * 1024);
	ch_buf_append(&b, "zone,name,category,person_id,since\r\n", 36);
	for (size_t i = 0; i < np; i++) {
		csv_field(&b, people[i].zone_name, false);
		csv_field(&b, people[i].person_name, false);
		csv_field(&b, people[i].category, false);
		csv_field(&b, people[i].person_id, false);
		csv_field(&b, people[i].since, true);
	}
	text = ch_arena_alloc(req->arena, b.len + 1);
	if (text == NULL) {
		ch_buf_free(&b);
		ch_reply_error(req, CH_ERR_NOMEM);
		return;
	}
	memcpy(text, b.data, b.len);
	text[b.len] = '\0';
	req->status = 200;
	req->reply_text = text;
	req->reply_len = b.len;
	req->reply_type = "text/csv; charset=utf-8";
	ch_buf_free(&b);
}

void
ch_h_access_anomalies(struct ch_req *req)
{
	struct ch_anomaly_params p;
	struct ch_anomaly *list;
	const char *since = ch_req_query(req, "since");
	const char *until = ch_req_query(req, "until");
	size_t n;
	json_t *items;
	ch_err err;

	memset(&p, 0, sizeof(p));
	if ((since != NULL && !ch_time_parse(since, &p.since)) ||
	    (until != NULL && !ch_time_parse(until, &p.until))) {
		ch_reply_problem(req, "bad-query",
		    "since and until are UTC times such as "
		    "2026-11-25T00:00:00Z.",
		    since != NULL ? "since" : "until");
		return;
	}
	err = ch_access_anomalies(
	    &req->ctx, ch_req_query(req, "post_id"), &p, &list, &n);
	if (err != CH_OK) {
		ch_reply_error(req, err);
		return;
	}
	items = json_array();
	for (size_t i = 0; i < n; i++)
		json_array_append_new(items,
		    json_pack("{s:s, s:o, s:o, s:o, s:s, s:s}", "kind",
			ch_anomaly_code(list[i].kind), "credential_id",
			ch_json_str_or_null(list[i].credential_id), "person_id",
			ch_json_str_or_null(list[i].person_id), "person_name",
			ch_json_str_or_null(list[i].person_name), "at",
			list[i].at, "detail", list[i].detail));
	reply_items(req, items);
}

static json_t *
alarm_json(const struct ch_alarm *a)
{
	return json_pack("{s:s, s:s, s:s, s:s, s:i, s:s, s:o, s:o, s:o, s:o, "
			 "s:o, s:o, s:s, s:o, s:o, s:o, s:o, s:o, s:o, s:I}",
	    "id", a->id, "post_id", a->post_id, "kind", a->kind, "status",
	    a->status, "level", a->level, "escalated_to",
	    ch_alarm_level_text(a->level), "point_id",
	    ch_json_str_or_null(a->point_id), "zone_id",
	    ch_json_str_or_null(a->zone_id), "person_id",
	    ch_json_str_or_null(a->person_id), "event_id",
	    ch_json_str_or_null(a->event_id), "device_id",
	    ch_json_str_or_null(a->device_id), "detail",
	    ch_json_str_or_null(a->detail), "raised_at", a->raised_at,
	    "escalated_at", ch_json_str_or_null(a->escalated_at),
	    "acknowledged_at", ch_json_str_or_null(a->acknowledged_at),
	    "acknowledged_by", ch_json_str_or_null(a->acknowledged_by),
	    "resolved_at", ch_json_str_or_null(a->resolved_at), "resolved_by",
	    ch_json_str_or_null(a->resolved_by), "notes",
	    ch_json_str_or_null(a->notes), "version", (json_int_t)a->version);
}

void
ch_h_access_alarms(struct ch_req *req)
{
	const char *status = ch_req_query(req, "status");
	struct ch_alarm *list;
	size_t n;
	json_t *items;
	ch_err err;

	if (status != NULL && strcmp(status, "raised") != 0 &&
	    strcmp(status, "acknowledged") != 0 &&
	    strcmp(status, "resolved") != 0) {
		ch_reply_problem(req, "bad-query",
		    "status is raised, acknowledged or resolved.", "status");
		return;
	}
	err = ch_access_alarms_list(
	    &req->ctx, ch_req_query(req, "post_id"), status, &list, &n);
	if (err != CH_OK) {
		ch_reply_error(req, err);
		return;
	}
	items = json_array();
	for (size_t i = 0; i < n; i++)
		json_array_append_new(items, alarm_json(&list[i]));
	reply_items(req, items);
}

static const char *const alarm_kinds[] = {"intrusion", "duress", "fire",
    "tamper", "door_forced", "door_held_open", NULL};

static const struct ch_jfield alarm_fields[] = {
    {"kind", CH_J_ENUM, true, false, 20, alarm_kinds, NULL},
    {"point_id", CH_J_ID, false, true, 36, NULL,
	"The access point the sensor watches."},
    {"zone_id", CH_J_ID, false, true, 36, NULL, "The zone it watches."},
    {"detail", CH_J_STRING, false, true, 1000, NULL, "What the sensor saw."},
};
const struct ch_jschema ch_schema_alarm_raise = {
    "AlarmRaise", alarm_fields, CH_ARRAY_LEN(alarm_fields)};

static const struct ch_jfield alarm_note_fields[] = {
    {"note", CH_J_STRING, false, true, 1000, NULL,
	"What was done (required to resolve)."},
};
const struct ch_jschema ch_schema_alarm_note = {
    "AlarmNote", alarm_note_fields, CH_ARRAY_LEN(alarm_note_fields)};

void
ch_h_alarms_raise(struct ch_req *req)
{
	const json_t *b = req->body;
	struct ch_alarm_input in = {req->who->post_id, req->who->user_id,
	    ch_json_str(b, "kind"), ch_json_str(b, "point_id"),
	    ch_json_str(b, "zone_id"), ch_json_str(b, "detail")};
	struct ch_alarm out;
	ch_err err;

	if ((err = ch_alarms_raise(&req->ctx, &in, &out)) != CH_OK) {
		ch_reply_error(req, err);
		return;
	}
	ch_reply_json(req, 201, alarm_json(&out));
}

void
ch_h_alarms_acknowledge(struct ch_req *req)
{
	struct ch_alarm out;
	ch_err err = ch_alarms_acknowledge(&req->ctx, req->params[0],
	    req->body ? ch_json_str(req->body, "note") : NULL, &out);

	if (err != CH_OK) {
		ch_reply_error(req, err);
		return;
	}
	ch_reply_json(req, 200, alarm_json(&out));
}

void
ch_h_alarms_resolve(struct ch_req *req)
{
	struct ch_alarm out;
	ch_err err = ch_alarms_resolve(
	    &req->ctx, req->params[0], ch_json_str(req->body, "note"), &out);

	if (err != CH_OK) {
		ch_reply_error(req, err);
		return;
	}
	ch_reply_json(req, 200, alarm_json(&out));
}

/* ---- guard tours ---- */

static const struct ch_jfield checkpoint_fields[] = {
    {"name", CH_J_STRING, true, false, 100, NULL, "e.g. Generator room."},
    {"code", CH_J_STRING, true, false, 64, NULL,
	"What the tag or QR code at the checkpoint holds."},
    {"due_minutes", CH_J_INTEGER, true, false, 0, NULL,
	"Minutes after the start by which it must be scanned."},
};
static const struct ch_jschema checkpoint_schema = {
    "TourCheckpoint", checkpoint_fields, CH_ARRAY_LEN(checkpoint_fields)};

static const struct ch_jfield tour_route_fields[] = {
    {"post_id", CH_J_ID, true, false, 36, NULL, NULL},
    {"name", CH_J_STRING, true, false, 100, NULL, "e.g. Night perimeter."},
    {"checkpoints", CH_J_OBJECT_LIST, true, false, 0, NULL,
	"In walking order: {name, code, due_minutes}, due_minutes rising."},
};
const struct ch_jschema ch_schema_tour_route_create = {
    "TourRouteCreate", tour_route_fields, CH_ARRAY_LEN(tour_route_fields)};

static const struct ch_jfield tour_start_fields[] = {
    {"route_id", CH_J_ID, true, false, 36, NULL, NULL},
};
const struct ch_jschema ch_schema_tour_start = {
    "TourStart", tour_start_fields, CH_ARRAY_LEN(tour_start_fields)};

static const struct ch_jfield tour_scan_fields[] = {
    {"code", CH_J_STRING, true, false, 64, NULL,
	"The code read at the checkpoint."},
};
const struct ch_jschema ch_schema_tour_scan = {
    "TourScan", tour_scan_fields, CH_ARRAY_LEN(tour_scan_fields)};

static json_t *
route_json(const struct ch_tour_route *r)
{
	json_t *cps = json_array();

	for (size_t i = 0; i < r->ncheckpoints; i++)
		json_array_append_new(cps,
		    json_pack("{s:s, s:i, s:s, s:s, s:i}", "id",
			r->checkpoints[i].id, "seq", r->checkpoints[i].seq,
			"name", r->checkpoints[i].name, "code",
			r->checkpoints[i].code, "due_minutes",
			r->checkpoints[i].due_minutes));
	return json_pack("{s:s, s:s, s:s, s:o, s:s}", "id", r->id, "post_id",
	    r->post_id, "name", r->name, "checkpoints", cps, "created_at",
	    r->created_at);
}

static json_t *
tour_json(const struct ch_tour *t)
{
	json_t *scans = json_array();
	int missed = 0, late = 0, out_of_order = 0;

	for (size_t i = 0; i < t->nscans; i++) {
		const struct ch_tour_scan *s = &t->scans[i];

		missed += s->missed;
		late += !s->missed && s->in_order && !s->on_time;
		out_of_order += !s->missed && !s->in_order;
		json_array_append_new(scans,
		    json_pack("{s:i, s:o, s:o, s:b, s:b, s:b, s:o}", "seq",
			s->seq, "checkpoint",
			ch_json_str_or_null(s->checkpoint_name), "scanned_at",
			ch_json_str_or_null(s->scanned_at), "missed", s->missed,
			"on_time", s->on_time, "in_order", s->in_order,
			"source", ch_json_str_or_null(s->source)));
	}
	return json_pack("{s:s, s:s, s:o, s:s, s:s, s:s, s:s, s:i, s:o, s:o, "
			 "s:{s:i, s:i, s:i}}",
	    "id", t->id, "route_id", t->route_id, "route_name",
	    ch_json_str_or_null(t->route_name), "post_id", t->post_id,
	    "started_by", t->started_by ? t->started_by : "", "started_at",
	    t->started_at, "status", t->status, "next_seq", t->next_seq,
	    "finished_at", ch_json_str_or_null(t->finished_at), "scans", scans,
	    "summary", "missed", missed, "late", late, "out_of_order",
	    out_of_order);
}

void
ch_h_tour_routes_list(struct ch_req *req)
{
	struct ch_tour_route *list;
	size_t n;
	json_t *items;
	ch_err err;

	err = ch_tour_routes_list(
	    &req->ctx, ch_req_query(req, "post_id"), &list, &n);
	if (err != CH_OK) {
		ch_reply_error(req, err);
		return;
	}
	items = json_array();
	for (size_t i = 0; i < n; i++)
		json_array_append_new(items, route_json(&list[i]));
	reply_items(req, items);
}

void
ch_h_tour_routes_create(struct ch_req *req)
{
	const json_t *list = json_object_get(req->body, "checkpoints");
	size_t n = json_is_array(list) ? json_array_size(list) : 0;
	struct ch_tour_checkpoint *cps;
	struct ch_tour_route out;
	ch_err err;

	if (n > CH_TOUR_MAX_CHECKPOINTS) {
		ch_reply_problem(req, "validation",
		    "A route has at most 50 checkpoints.", "/checkpoints");
		return;
	}
	cps = ch_arena_alloc(req->arena, sizeof(*cps) * (n + 1));
	if (cps == NULL) {
		ch_reply_error(req, CH_ERR_NOMEM);
		return;
	}
	for (size_t i = 0; i < n; i++) {
		json_t *item = json_array_get(list, i);
		struct ch_fault inner = {{0}, {0}};
		json_int_t due;

		if (ch_json_check(item, &checkpoint_schema, &inner) != CH_OK) {
			char msg[sizeof(inner.detail) + 32];

			snprintf(msg, sizeof(msg), "checkpoints[%zu]: %s", i,
			    inner.detail);
			ch_reply_problem(
			    req, "validation", msg, "/checkpoints");
			return;
		}
		memset(&cps[i], 0, sizeof(cps[i]));
		cps[i].name = (char *)ch_json_str(item, "name");
		cps[i].code = (char *)ch_json_str(item, "code");
		due = json_integer_value(json_object_get(item, "due_minutes"));
		cps[i].due_minutes = due > 0 && due <= 1440 ? (int)due : -1;
	}
	err =
	    ch_tour_routes_create(&req->ctx, ch_json_str(req->body, "post_id"),
		ch_json_str(req->body, "name"), cps, n, &out);
	if (err != CH_OK) {
		ch_reply_error(req, err);
		return;
	}
	ch_reply_json(req, 201, route_json(&out));
}

void
ch_h_tours_start(struct ch_req *req)
{
	struct ch_tour out;
	ch_err err =
	    ch_tours_start(&req->ctx, ch_json_str(req->body, "route_id"), &out);

	if (err != CH_OK) {
		ch_reply_error(req, err);
		return;
	}
	ch_reply_json(req, 201, tour_json(&out));
}

void
ch_h_tours_scan(struct ch_req *req)
{
	struct ch_tour out;
	ch_err err;

	err = ch_tours_scan(&req->ctx, req->who->post_id,
	    ch_json_str(req->body, "code"),
	    req->bearer ? req->who->username : "phone", &out);
	if (err != CH_OK) {
		ch_reply_error(req, err);
		return;
	}
	ch_reply_json(req, 200, tour_json(&out));
}

void
ch_h_tours_list(struct ch_req *req)
{
	struct ch_tour *list;
	size_t n;
	json_t *items;
	ch_err err;

	err = ch_tours_list(&req->ctx, ch_req_query(req, "post_id"), &list, &n);
	if (err != CH_OK) {
		ch_reply_error(req, err);
		return;
	}
	items = json_array();
	for (size_t i = 0; i < n; i++)
		json_array_append_new(items, tour_json(&list[i]));
	reply_items(req, items);
}
