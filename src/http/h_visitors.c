/*
 * h_visitors.c — the visitors' routes: registration by a host, the desk's
 * list of the day (JSON or the visitor log as CSV), check-in (held by a
 * screening hit: problem screening-hold) and check-out, cancellation, the
 * sealed identity document for the desk, and the post's retention period
 * and purge.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "http/http.h"
#include "visitors/visitors.h"

static const struct ch_jfield register_fields[] = {
    {"post_id", CH_J_ID, true, false, 36, NULL, NULL},
    {"host_person_id", CH_J_ID, false, true, 36, NULL,
	"The host, a person of the post (default: yourself; the security "
	"officer may name another)."},
    {"name", CH_J_STRING, true, false, 200, NULL,
	"The visitor's full name as on the document."},
    {"organisation", CH_J_STRING, false, true, 200, NULL, NULL},
    {"document_type", CH_J_STRING, false, true, 40, NULL,
	"e.g. passport, national ID card (sealed at rest)."},
    {"document_number", CH_J_STRING, false, true, 60, NULL,
	"Sealed at rest; shown to the desk only."},
    {"document_country", CH_J_STRING, false, true, 60, NULL,
	"The issuing country (sealed at rest)."},
    {"nationality", CH_J_STRING, false, true, 60, NULL,
	"ISO code or country name (screening)."},
    {"date_of_birth", CH_J_DATE, false, true, 10, NULL,
	"Optional; sharpens the screening."},
    {"purpose", CH_J_STRING, true, false, 500, NULL, NULL},
    {"arrival", CH_J_STRING, true, false, 40, NULL,
	"Expected arrival, ISO 8601 UTC."},
    {"departure", CH_J_STRING, true, false, 40, NULL,
	"Expected departure, ISO 8601 UTC: the badge expires then."},
    {"escort_required", CH_J_BOOL, false, false, 0, NULL,
	"The visitor is escorted by a person of the post."},
    {"zone_ids", CH_J_STRING_LIST, false, true, 36, NULL,
	"The zones the visitor's badge opens (at most 16)."},
};
const struct ch_jschema ch_schema_visitor_register = {
    "VisitorRegister", register_fields, CH_ARRAY_LEN(register_fields)};

static const struct ch_jfield checkin_fields[] = {
    {"escort_person_id", CH_J_ID, false, true, 36, NULL,
	"The escort, a person of the post (required when the visit needs "
	"one)."},
    {"badge", CH_J_STRING, false, true, 64, NULL,
	"The badge handed over (default: a new V-XXXXXXXX id)."},
};
const struct ch_jschema ch_schema_visitor_checkin = {
    "VisitorCheckIn", checkin_fields, CH_ARRAY_LEN(checkin_fields)};

static const struct ch_jfield settings_fields[] = {
    {"retention_days", CH_J_INTEGER, true, false, 0, NULL,
	"Days after the end of a visit before its personal data is purged "
	"(1 to 3650; default 90)."},
};
const struct ch_jschema ch_schema_visitor_settings = {
    "VisitorSettings", settings_fields, CH_ARRAY_LEN(settings_fields)};

static json_t *
zones_json(const char *zones)
{
	json_t *a = json_array();

	for (const char *p = zones; p != NULL && *p != '\0';) {
		const char *comma = strchr(p, ',');
		size_t len = comma ? (size_t)(comma - p) : strlen(p);

		json_array_append_new(a, json_stringn(p, len));
		p = comma ? comma + 1 : NULL;
	}
	return a;
}

static json_t *
visitor_json(const struct ch_visitor *v)
{
	json_t *o = json_pack("{s:s, s:s, s:s, s:o, s:o, s:o, s:b, s:o, s:o}",
	    "id", v->id, "post_id", v->post_id, "host_person_id",
	    v->host_person_id, "host_name", ch_json_str_or_null(v->host_name),
	    "name", ch_json_str_or_null(v->name), "organisation",
	    ch_json_str_or_null(v->organisation), "has_document",
	    v->has_document, "nationality", ch_json_str_or_null(v->nationality),
	    "date_of_birth", ch_json_str_or_null(v->date_of_birth));

	json_object_update_new(o,
	    json_pack("{s:o, s:s, s:s, s:b, s:o, s:s, s:o, s:o, s:o, s:o}",
		"purpose", ch_json_str_or_null(v->purpose), "arrival",
		v->arrival, "departure", v->departure, "escort_required",
		v->escort_required, "zone_ids", zones_json(v->zones), "status",
		ch_visitor_status_code(v->status), "escort_person_id",
		ch_json_str_or_null(v->escort_person_id), "escort_name",
		ch_json_str_or_null(v->escort_name), "credential_id",
		ch_json_str_or_null(v->credential_id), "badge",
		ch_json_str_or_null(v->badge)));
	json_object_update_new(o,
	    json_pack("{s:o, s:o, s:o, s:o, s:o, s:o, s:{s:s, s:I, s:I, s:I},"
		      " s:o, s:I, s:s, s:s}",
		"checked_in_at", ch_json_str_or_null(v->checked_in_at),
		"checked_out_at", ch_json_str_or_null(v->checked_out_at),
		"checked_in_by", ch_json_str_or_null(v->checked_in_by),
		"checked_out_by", ch_json_str_or_null(v->checked_out_by),
		"overstay_alarm_id", ch_json_str_or_null(v->overstay_alarm_id),
		"purged_at", ch_json_str_or_null(v->purged_at), "screening",
		"state", ch_visitor_screening_state(v), "open",
		(json_int_t)v->hits_open, "confirmed",
		(json_int_t)v->hits_confirmed, "dismissed",
		(json_int_t)v->hits_dismissed, "created_by",
		ch_json_str_or_null(v->created_by), "version",
		(json_int_t)v->version, "created_at", v->created_at,
		"updated_at", v->updated_at));
	return o;
}

static void
reply_visitor(
    struct ch_req *req, ch_err err, unsigned status, const struct ch_visitor *v)
{
	if (err != CH_OK) {
		ch_reply_error(req, err);
		return;
	}
	ch_reply_json(req, status, visitor_json(v));
}

void
ch_h_visitors_register(struct ch_req *req)
{
	const json_t *b = req->body;
	const json_t *zones = json_object_get(b, "zone_ids");
	const char *ids[CH_VISITOR_MAX_ZONES + 1];
	struct ch_visitor_input in;
	struct ch_visitor out;
	size_t i;
	json_t *z;

	memset(&in, 0, sizeof(in));
	in.post_id = ch_json_str(b, "post_id");
	in.host_person_id = ch_json_str(b, "host_person_id");
	in.name = ch_json_str(b, "name");
	in.organisation = ch_json_str(b, "organisation");
	in.doc_type = ch_json_str(b, "document_type");
	in.doc_number = ch_json_str(b, "document_number");
	in.doc_country = ch_json_str(b, "document_country");
	in.nationality = ch_json_str(b, "nationality");
	in.date_of_birth = ch_json_str(b, "date_of_birth");
	in.purpose = ch_json_str(b, "purpose");
	in.arrival = ch_json_str(b, "arrival");
	in.departure = ch_json_str(b, "departure");
	in.escort_required =
	    json_is_true(json_object_get(b, "escort_required"));
	json_array_foreach (zones, i, z) {
		if (i > CH_VISITOR_MAX_ZONES)
			break;
		ids[i] = json_string_value(z);
		in.nzones = i + 1;
	}
	in.zone_ids = ids;
	reply_visitor(
	    req, ch_visitors_register(&req->ctx, &in, &out), 201, &out);
}

/* The whole visitor log the filter selects as CSV, a page at a time, each
 * page in an arena of its own (a post's log may hold many thousands). */
static ch_err
log_csv(struct ch_req *req, struct ch_visitor_filter *f, struct ch_buf *b)
{
	ch_arena *request_arena = req->ctx.arena;
	char cursor[200];
	bool first = true;
	ch_err err;

	f->limit = 1000;
	do {
		struct ch_visitor_page page;

		if ((req->ctx.arena = ch_arena_create(0)) == NULL) {
			err = CH_ERR_NOMEM;
			break;
		}
		err = ch_visitors_list(&req->ctx, f, &page);
		if (err == CH_OK)
			err = ch_visitors_csv(page.items, page.count, first, b);
		first = false;
		ch_strlcpy(cursor, err == CH_OK ? page.next_cursor : "",
		    sizeof(cursor));
		f->cursor = cursor;
		ch_arena_destroy(req->ctx.arena);
	} while (err == CH_OK && cursor[0] != '\0');
	req->ctx.arena = request_arena;
	f->cursor = NULL;
	return err;
}

/* A list's error: a cursor this list did not make is a bad query. */
static void
reply_list_error(struct ch_req *req, ch_err err)
{
	if (err == CH_ERR_INVALID &&
	    strcmp(req->ctx.fault.field, "cursor") == 0)
		ch_reply_problem(
		    req, "bad-cursor", req->ctx.fault.detail, "cursor");
	else
		ch_reply_error(req, err);
}

static void
reply_list(struct ch_req *req, struct ch_visitor_filter *f)
{
	const char *format = ch_req_query(req, "format");
	const char *limit = ch_req_query(req, "limit");
	struct ch_visitor_page page;
	struct ch_buf b;
	json_t *items;
	char *text;
	ch_err err;

	if (format != NULL && strcmp(format, "csv") != 0 &&
	    strcmp(format, "json") != 0) {
		ch_reply_problem(
		    req, "bad-query", "format is json or csv.", "format");
		return;
	}
	if (limit != NULL) {
		char *end;
		long l = strtol(limit, &end, 10);

		if (*end != '\0' || l < 1 || l > 1000) {
			ch_reply_problem(
			    req, "bad-query", "limit is 1 to 1000.", "limit");
			return;
		}
		f->limit = (size_t)l;
	}
	if (format == NULL || strcmp(format, "json") == 0) {
		if ((err = ch_visitors_list(&req->ctx, f, &page)) != CH_OK) {
			reply_list_error(req, err);
			return;
		}
		items = json_array();
		for (size_t i = 0; i < page.count; i++)
			json_array_append_new(
			    items, visitor_json(&page.items[i]));
		ch_reply_json(req, 200,
		    json_pack("{s:o, s:o, s:o, s:o}", "items", items,
			"next_cursor",
			ch_json_str_or_null(
			    page.next_cursor[0] ? page.next_cursor : NULL),
			"day",
			ch_json_str_or_null(page.day[0] ? page.day : NULL),
			"time_zone",
			ch_json_str_or_null(
			    page.day[0] ? page.time_zone : NULL)));
		return;
	}
	ch_buf_init(&b, 32u * 1024 * 1024);
	if ((err = log_csv(req, f, &b)) != CH_OK) {
		ch_buf_free(&b);
		if (err == CH_ERR_NOMEM)
			ch_reply_problem(req, "export-too-large",
			    "The visitor log is larger than one export (32 "
			    "MiB): export it a day at a time (day=...).",
			    "day");
		else
			reply_list_error(req, err);
		return;
	}
	if ((text = ch_arena_alloc(req->arena, b.len + 1)) == NULL) {
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
ch_h_visitors_list(struct ch_req *req)
{
	struct ch_visitor_filter f = {
	    .post_id = ch_req_query(req, "post_id"),
	    .day = ch_req_query(req, "day"),
	    .status = ch_req_query(req, "status"),
	    .host_person_id = ch_req_query(req, "host_id"),
	    .cursor = ch_req_query(req, "cursor"),
	};

	reply_list(req, &f);
}

void
ch_h_visitors_mine(struct ch_req *req)
{
	struct ch_visitor_filter f = {
	    .day = ch_req_query(req, "day"),
	    .status = ch_req_query(req, "status"),
	    .mine = true,
	    .cursor = ch_req_query(req, "cursor"),
	};

	reply_list(req, &f);
}

void
ch_h_visitors_get(struct ch_req *req)
{
	struct ch_visitor v;

	reply_visitor(req,
	    ch_visitors_get(&req->ctx, req->params[0], false, &v), 200, &v);
}

void
ch_h_visitors_document(struct ch_req *req)
{
	struct ch_visitor v;
	ch_err err;

	if ((err = ch_visitors_get(&req->ctx, req->params[0], true, &v)) !=
	    CH_OK) {
		ch_reply_error(req, err);
		return;
	}
	ch_reply_json(req, 200,
	    json_pack("{s:s, s:o, s:o, s:o}", "id", v.id, "document_type",
		ch_json_str_or_null(v.doc_type), "document_number",
		ch_json_str_or_null(v.doc_number), "document_country",
		ch_json_str_or_null(v.doc_country)));
}

void
ch_h_visitors_cancel(struct ch_req *req)
{
	struct ch_visitor v;

	reply_visitor(
	    req, ch_visitors_cancel(&req->ctx, req->params[0], &v), 200, &v);
}

void
ch_h_visitors_check_in(struct ch_req *req)
{
	struct ch_checkin_input in = {
	    ch_json_str(req->body, "escort_person_id"),
	    ch_json_str(req->body, "badge")};
	struct ch_visitor_hold hold;
	struct ch_visitor v;
	ch_err err;

	err = ch_visitors_check_in(&req->ctx, req->params[0], &in, &v, &hold);
	if (err == CH_ERR_CONFLICT && hold.hit_id[0] != '\0') {
		ch_reply_problem(
		    req, "screening-hold", req->ctx.fault.detail, NULL);
		return;
	}
	reply_visitor(req, err, 200, &v);
}

void
ch_h_visitors_check_out(struct ch_req *req)
{
	struct ch_visitor v;

	reply_visitor(
	    req, ch_visitors_check_out(&req->ctx, req->params[0], &v), 200, &v);
}

static void
reply_settings(struct ch_req *req, const char *post_id)
{
	int days;
	ch_err err = ch_visitors_retention_get(&req->ctx, post_id, &days);

	if (err != CH_OK) {
		ch_reply_error(req, err);
		return;
	}
	ch_reply_json(req, 200,
	    json_pack(
		"{s:s, s:i}", "post_id", post_id, "retention_days", days));
}

void
ch_h_visitor_settings_get(struct ch_req *req)
{
	reply_settings(req, req->params[0]);
}

void
ch_h_visitor_settings_put(struct ch_req *req)
{
	json_int_t days =
	    json_integer_value(json_object_get(req->body, "retention_days"));
	ch_err err;

	err = ch_visitors_retention_set(&req->ctx, req->params[0],
	    days < 0 || days > 100000 ? -1 : (int)days);
	if (err != CH_OK) {
		ch_reply_error(req, err);
		return;
	}
	reply_settings(req, req->params[0]);
}

void
ch_h_visitors_purge(struct ch_req *req)
{
	size_t n = 0;
	ch_err err = ch_visitors_purge(&req->ctx, req->params[0], &n);

	if (err != CH_OK) {
		ch_reply_error(req, err);
		return;
	}
	ch_reply_json(req, 200,
	    json_pack("{s:s, s:I}", "post_id", req->params[0], "purged",
		(json_int_t)n));
}
