/*
 * h_screening.c — the watchlist screening API: lists and their versions
 * (an import of a custom, UN or OFAC list as a new version), a list's
 * entries, a post's lookout entries, thresholds per post, screenings of
 * one subject or a batch, the review queue of hits and adjudication.  The
 * use cases are screening/screening.h; this file maps JSON to them.
 */
#include <stdlib.h>
#include <string.h>

#include "http/http.h"
#include "screening/screening.h"

#define CONTENT_MAX (1024 * 1024) /* characters of a list file */
#define BATCH_MAX 100

static const char *const sources[] = {
    "ofac-sdn", "ofac-cons", "un", "custom", "lookout", NULL};
static const char *const formats[] = {
    "ofac-sdn", "ofac-cons", "un", "custom", NULL};
static const char *const kinds[] = {
    "individual", "entity", "vessel", "aircraft", NULL};
static const char *const genders[] = {"M", "F", NULL};
static const char *const seriousness[] = {"low", "medium", "high", NULL};
static const char *const decisions[] = {"confirmed", "dismissed", NULL};

static const struct ch_jfield list_fields[] = {
    {"name", CH_J_STRING, true, false, 100, NULL, "The list's name."},
    {"source", CH_J_ENUM, true, false, 20, sources,
	"ofac-sdn, ofac-cons, un (global lists) or custom, lookout (a "
	"post's)."},
    {"post_id", CH_J_ID, false, true, 36, NULL,
	"The post of a custom or lookout list; absent for a global list."},
};
const struct ch_jschema ch_schema_watchlist_create = {
    "WatchlistCreate", list_fields, CH_ARRAY_LEN(list_fields)};

static const struct ch_jfield version_fields[] = {
    {"format", CH_J_ENUM, true, false, 20, formats,
	"The file format: custom CSV, the UN XML, or the OFAC CSV files."},
    {"content", CH_J_STRING, false, false, CONTENT_MAX, NULL,
	"custom and un: the file's text."},
    {"primary", CH_J_STRING, false, false, CONTENT_MAX, NULL,
	"OFAC: sdn.csv or cons_prim.csv."},
    {"alt", CH_J_STRING, false, false, CONTENT_MAX, NULL,
	"OFAC: alt.csv or cons_alt.csv."},
    {"add", CH_J_STRING, false, false, CONTENT_MAX, NULL,
	"OFAC: add.csv or cons_add.csv."},
    {"comments", CH_J_STRING, false, false, CONTENT_MAX, NULL,
	"OFAC: sdn_comments.csv or cons_comments.csv."},
    {"origin", CH_J_STRING, false, false, 200, NULL,
	"Where the file came from (recorded with the version)."},
};
const struct ch_jschema ch_schema_watchlist_import = {
    "WatchlistImport", version_fields, CH_ARRAY_LEN(version_fields)};

#define LOOKOUT_FIELDS(REQ)                                                    \
	{"name", CH_J_STRING, REQ, false, 300, NULL, "The name to look for."}, \
	    {"aliases", CH_J_STRING, false, true, 2000, NULL,                  \
		"Other names, separated by \";\"."},                           \
	    {"dob", CH_J_STRING, false, true, 40, NULL,                        \
		"Date of birth: 1960-03-17, 1960, circa 1960."},               \
	    {"nationality", CH_J_STRING, false, true, 60, NULL,                \
		"ISO 3166-1 code or country name."},                           \
	    {"gender", CH_J_ENUM, false, true, 1, genders, NULL},              \
	    {"kind", CH_J_ENUM, false, true, 20, kinds, NULL},                 \
	    {"reason", CH_J_STRING, REQ, false, 2000, NULL,                    \
		"Why the post looks out for this person."},                    \
	{                                                                      \
		"seriousness", CH_J_ENUM, REQ, false, 10, seriousness,         \
		    "low, medium or high."                                     \
	}
static const struct ch_jfield lookout_fields[] = {LOOKOUT_FIELDS(true)};
const struct ch_jschema ch_schema_lookout = {
    "LookoutEntry", lookout_fields, CH_ARRAY_LEN(lookout_fields)};

static const struct ch_jfield settings_fields[] = {
    {"review", CH_J_NUMBER, true, false, 0, NULL,
	"Score (0..1) from which a hit is raised for review."},
    {"alert", CH_J_NUMBER, true, false, 0, NULL,
	"Score (0..1) from which a hit is an alert."},
};
const struct ch_jschema ch_schema_screening_settings = {
    "ScreeningSettings", settings_fields, CH_ARRAY_LEN(settings_fields)};

#define SUBJECT_FIELDS                                                         \
	{"name", CH_J_STRING, false, false, 300, NULL,                         \
	    "The name to screen, in any script."},                             \
	    {"dob", CH_J_STRING, false, true, 40, NULL, "Date of birth."},     \
	    {"nationality", CH_J_STRING, false, true, 60, NULL,                \
		"ISO 3166-1 code or country name."},                           \
	    {"gender", CH_J_ENUM, false, true, 1, genders, NULL},              \
	    {"kind", CH_J_ENUM, false, true, 20, kinds, NULL},                 \
	    {"subject_type", CH_J_ENUM, false, true, 20, subject_types,        \
		"adhoc (default), person or visitor."},                        \
	{                                                                      \
		"subject_id", CH_J_ID, false, true, 36, NULL,                  \
		    "The person's or visitor's id."                            \
	}
static const char *const subject_types[] = {"adhoc", "person", "visitor", NULL};
static const struct ch_jfield subject_fields[] = {SUBJECT_FIELDS};
static const struct ch_jschema subject_schema = {
    "ScreeningSubject", subject_fields, CH_ARRAY_LEN(subject_fields)};
static const struct ch_jfield screening_fields[] = {
    {"post_id", CH_J_ID, true, false, 36, NULL, "The post screening."},
    SUBJECT_FIELDS,
    {"subjects", CH_J_OBJECT_LIST, false, false, 0, NULL,
	"A batch: up to 100 subjects, each {name, dob, nationality, ...}."},
};
const struct ch_jschema ch_schema_screening = {
    "ScreeningRequest", screening_fields, CH_ARRAY_LEN(screening_fields)};

static const struct ch_jfield adjudication_fields[] = {
    {"decision", CH_J_ENUM, true, false, 10, decisions,
	"confirmed (it is the listed person) or dismissed."},
    {"reason", CH_J_STRING, true, false, 2000, NULL, "Why."},
};
const struct ch_jschema ch_schema_adjudication = {
    "Adjudication", adjudication_fields, CH_ARRAY_LEN(adjudication_fields)};

/* ---- JSON out ---- */

static json_t *
list_json(const struct ch_watchlist *l)
{
	return json_pack("{s:s,s:o,s:s,s:s,s:I,s:I,s:s,s:s}", "id", l->id,
	    "post_id", ch_json_str_or_null(l->post_id), "name", l->name,
	    "source", l->source, "current_version",
	    (json_int_t)l->current_version, "entries", (json_int_t)l->entries,
	    "created_at", l->created_at, "updated_at", l->updated_at);
}

static json_t *
version_json(const struct ch_watch_version *v)
{
	return json_pack("{s:s,s:s,s:I,s:s,s:I,s:{s:I,s:I,s:I,s:I},s:s,s:s}",
	    "id", v->id, "list_id", v->list_id, "number", (json_int_t)v->number,
	    "origin", v->origin ? v->origin : "", "entries",
	    (json_int_t)v->entries, "summary", "added", (json_int_t)v->added,
	    "removed", (json_int_t)v->removed, "changed",
	    (json_int_t)v->changed, "unchanged", (json_int_t)v->unchanged,
	    "imported_by", v->imported_by ? v->imported_by : "", "imported_at",
	    v->imported_at);
}

static json_t *
parsed(const char *text)
{
	json_t *j = text != NULL ? json_loads(text, 0, NULL) : NULL;

	return j != NULL ? j : json_null();
}

static json_t *
entry_json(const struct ch_watch_row *e)
{
	json_t *o = json_pack("{s:s,s:s,s:s,s:s,s:s,s:s,s:I,s:s}", "id", e->id,
	    "list_id", e->list_id, "ref", e->ref, "name", e->primary_name,
	    "kind", e->kind, "content_hash", e->hash, "since_version",
	    (json_int_t)e->first_version, "created_at", e->created_at);

	if (o == NULL)
		return NULL;
	json_object_set_new(o, "entry", parsed(e->data));
	if (e->seriousness != NULL) {
		json_object_set_new(
		    o, "reason", ch_json_str_or_null(e->reason));
		json_object_set_new(
		    o, "seriousness", json_string(e->seriousness));
		json_object_set_new(
		    o, "created_by", ch_json_str_or_null(e->created_by));
	}
	return o;
}

static json_t *
hit_json(const struct ch_screen_hit *h)
{
	json_t *o = json_object();

	json_object_set_new(o, "id", json_string(h->id));
	json_object_set_new(o, "screening_id", json_string(h->screening_id));
	json_object_set_new(o, "post_id", json_string(h->post_id));
	json_object_set_new(o, "score", json_real(h->score_permille / 1000.0));
	json_object_set_new(o, "level", json_string(h->level));
	json_object_set_new(o, "status", json_string(h->status));
	json_object_set_new(o, "list",
	    json_pack("{s:s,s:o}", "id", h->list_id, "name",
		ch_json_str_or_null(h->list_name)));
	json_object_set_new(o, "entry",
	    json_pack("{s:s,s:o,s:o,s:o}", "id", h->entry_id, "ref",
		ch_json_str_or_null(h->entry_ref), "name",
		ch_json_str_or_null(h->entry_name), "data",
		parsed(h->entry_data)));
	json_object_set_new(o, "subject",
	    json_pack("{s:o,s:o,s:o}", "name",
		ch_json_str_or_null(h->subject_name), "type",
		ch_json_str_or_null(h->subject_type), "id",
		ch_json_str_or_null(h->subject_id)));
	json_object_set_new(o, "explanation", parsed(h->explanation));
	if (h->decision != NULL)
		json_object_set_new(o, "decision",
		    json_pack("{s:s,s:o,s:o,s:o}", "decision", h->decision,
			"reason", ch_json_str_or_null(h->decision_reason),
			"decided_by", ch_json_str_or_null(h->decided_by),
			"decided_at", ch_json_str_or_null(h->decided_at)));
	else
		json_object_set_new(o, "decision", json_null());
	json_object_set_new(o, "created_at", json_string(h->created_at));
	return o;
}

/* ---- lists ---- */

void
ch_h_watchlists_list(struct ch_req *req)
{
	struct ch_watchlist *lists;
	size_t n;
	json_t *items;
	ch_err err;

	err = ch_watchlists_list(
	    &req->ctx, ch_req_query(req, "post_id"), &lists, &n);
	if (err != CH_OK) {
		ch_reply_error(req, err);
		return;
	}
	items = json_array();
	for (size_t i = 0; i < n; i++)
		json_array_append_new(items, list_json(&lists[i]));
	ch_reply_json(req, 200, json_pack("{s:o}", "items", items));
}

void
ch_h_watchlists_create(struct ch_req *req)
{
	struct ch_watchlist l;
	ch_err err;

	err = ch_watchlists_create(&req->ctx, ch_json_str(req->body, "post_id"),
	    ch_json_str(req->body, "name"), ch_json_str(req->body, "source"),
	    &l);
	if (err != CH_OK) {
		ch_reply_error(req, err);
		return;
	}
	req->audit_object_id = ch_arena_strdup(req->arena, l.id);
	ch_reply_json(req, 201, list_json(&l));
}

void
ch_h_watchlists_get(struct ch_req *req)
{
	struct ch_watchlist l;
	ch_err err;

	if ((err = ch_watchlists_get(&req->ctx, req->params[0], &l)) != CH_OK) {
		ch_reply_error(req, err);
		return;
	}
	ch_reply_json(req, 200, list_json(&l));
}

void
ch_h_watchlist_versions(struct ch_req *req)
{
	struct ch_watch_version *v;
	size_t n;
	json_t *items;
	ch_err err;

	err = ch_watchlists_versions(&req->ctx, req->params[0], &v, &n);
	if (err != CH_OK) {
		ch_reply_error(req, err);
		return;
	}
	items = json_array();
	for (size_t i = 0; i < n; i++)
		json_array_append_new(items, version_json(&v[i]));
	ch_reply_json(req, 200, json_pack("{s:o}", "items", items));
}

static const char *
body_text(struct ch_req *req, const char *key, size_t *len)
{
	const json_t *v = json_object_get(req->body, key);

	if (!json_is_string(v)) {
		*len = 0;
		return "";
	}
	*len = json_string_length(v);
	return json_string_value(v);
}

void
ch_h_watchlist_import(struct ch_req *req)
{
	const char *format = ch_json_str(req->body, "format");
	const char *origin = ch_json_str(req->body, "origin");
	struct ch_watch_version v;
	struct ch_watch_set set;
	struct ch_watchlist l;
	enum ch_watch_source src;
	size_t len;
	const char *text;
	ch_err err;

	if ((err = ch_watchlists_get(&req->ctx, req->params[0], &l)) != CH_OK) {
		ch_reply_error(req, err);
		return;
	}
	ch_watch_source_parse(format, &src);
	if (src == CH_WATCH_SRC_OFAC_SDN || src == CH_WATCH_SRC_OFAC_CONS) {
		struct ch_ofac_files f;

		f.prim = body_text(req, "primary", &f.prim_len);
		f.alt = body_text(req, "alt", &f.alt_len);
		f.add = body_text(req, "add", &f.add_len);
		f.comments = body_text(req, "comments", &f.comments_len);
		if (f.prim_len == 0) {
			ch_reply_problem(req, "validation",
			    "primary (sdn.csv or cons_prim.csv) is required "
			    "for an OFAC list.",
			    "/primary");
			return;
		}
		err = ch_watch_parse_ofac(&f, src == CH_WATCH_SRC_OFAC_CONS,
		    req->arena, &set, &req->ctx.fault);
	} else {
		text = body_text(req, "content", &len);
		if (len == 0) {
			ch_reply_problem(req, "validation",
			    "content (the file's text) is required.",
			    "/content");
			return;
		}
		err = src == CH_WATCH_SRC_UN
		    ? ch_watch_parse_un(
			  text, len, req->arena, &set, &req->ctx.fault)
		    : ch_watch_parse_custom(
			  text, len, req->arena, &set, &req->ctx.fault);
	}
	if (err == CH_ERR_INVALID) {
		char detail[sizeof(req->ctx.fault.field) +
		    sizeof(req->ctx.fault.detail) + 4];

		snprintf(detail, sizeof(detail), "%s: %s", req->ctx.fault.field,
		    req->ctx.fault.detail);
		ch_reply_problem(req, "validation", detail, "/content");
		return;
	}
	if (err != CH_OK) {
		ch_reply_error(req, err);
		return;
	}
	err = ch_watchlists_import(
	    &req->ctx, l.id, &set, origin != NULL ? origin : "api", &v);
	if (err != CH_OK) {
		ch_reply_error(req, err);
		return;
	}
	req->audit_object_id = ch_arena_strdup(req->arena, v.id);
	ch_reply_json(req, 201, version_json(&v));
}

void
ch_h_watchlist_entries(struct ch_req *req)
{
	struct ch_watch_row *rows;
	char next[600];
	const char *s;
	long limit = 50;
	size_t n;
	json_t *items;
	ch_err err;

	if ((s = ch_req_query(req, "limit")) != NULL &&
	    !ch_parse_long(s, 1, 200, &limit)) {
		ch_reply_problem(
		    req, "bad-query", "limit is 1 to 200.", "limit");
		return;
	}
	err = ch_watchlists_entries(&req->ctx, req->params[0],
	    ch_req_query(req, "cursor"), (size_t)limit, &rows, &n, next,
	    sizeof(next));
	if (err == CH_ERR_INVALID) {
		ch_reply_problem(req, "bad-cursor",
		    "cursor is the next_cursor of the previous page.",
		    "cursor");
		return;
	}
	if (err != CH_OK) {
		ch_reply_error(req, err);
		return;
	}
	items = json_array();
	for (size_t i = 0; i < n; i++)
		json_array_append_new(items, entry_json(&rows[i]));
	ch_reply_json(req, 200,
	    json_pack("{s:o,s:o}", "items", items, "next_cursor",
		ch_json_str_or_null(next)));
}

/* ---- lookout ---- */

static void
lookout_input(
    struct ch_req *req, const char *post_id, struct ch_lookout_input *in)
{
	memset(in, 0, sizeof(*in));
	in->post_id = post_id;
	in->name = ch_json_str(req->body, "name");
	in->aliases = ch_json_str(req->body, "aliases");
	in->dob = ch_json_str(req->body, "dob");
	in->nationality = ch_json_str(req->body, "nationality");
	in->gender = ch_json_str(req->body, "gender");
	in->kind = ch_json_str(req->body, "kind");
	in->reason = ch_json_str(req->body, "reason");
	in->seriousness = ch_json_str(req->body, "seriousness");
}

void
ch_h_lookout_list(struct ch_req *req)
{
	struct ch_watch_row *rows;
	size_t n;
	json_t *items;
	ch_err err;

	err = ch_lookout_list(&req->ctx, req->params[0], &rows, &n);
	if (err != CH_OK) {
		ch_reply_error(req, err);
		return;
	}
	items = json_array();
	for (size_t i = 0; i < n; i++)
		json_array_append_new(items, entry_json(&rows[i]));
	ch_reply_json(req, 200, json_pack("{s:o}", "items", items));
}

void
ch_h_lookout_create(struct ch_req *req)
{
	struct ch_lookout_input in;
	struct ch_watch_row row;
	ch_err err;

	lookout_input(req, req->params[0], &in);
	if ((err = ch_lookout_create(&req->ctx, &in, &row)) != CH_OK) {
		ch_reply_error(req, err);
		return;
	}
	req->audit_object_id = ch_arena_strdup(req->arena, row.id);
	ch_reply_json(req, 201, entry_json(&row));
}

void
ch_h_lookout_update(struct ch_req *req)
{
	struct ch_lookout_input in;
	struct ch_watch_row row;
	ch_err err;

	lookout_input(req, NULL, &in);
	err = ch_lookout_update(&req->ctx, req->params[0], &in, &row);
	if (err != CH_OK) {
		ch_reply_error(req, err);
		return;
	}
	req->audit_object_id = ch_arena_strdup(req->arena, row.id);
	ch_reply_json(req, 200, entry_json(&row));
}

void
ch_h_lookout_delete(struct ch_req *req)
{
	ch_err err = ch_lookout_delete(&req->ctx, req->params[0]);

	if (err != CH_OK) {
		ch_reply_error(req, err);
		return;
	}
	req->status = 204;
}

/* ---- settings ---- */

static json_t *
settings_json(const struct ch_screen_settings *s)
{
	return json_pack("{s:s,s:f,s:f,s:s,s:o}", "post_id", s->post_id,
	    "review", s->review_permille / 1000.0, "alert",
	    s->alert_permille / 1000.0, "updated_by",
	    s->updated_by ? s->updated_by : "", "updated_at",
	    ch_json_str_or_null(s->updated_at));
}

void
ch_h_screening_settings_get(struct ch_req *req)
{
	struct ch_screen_settings s;
	ch_err err;

	err = ch_screening_settings_get(&req->ctx, req->params[0], &s);
	if (err != CH_OK) {
		ch_reply_error(req, err);
		return;
	}
	ch_reply_json(req, 200, settings_json(&s));
}

void
ch_h_screening_settings_put(struct ch_req *req)
{
	struct ch_screen_settings s;
	double review = json_number_value(json_object_get(req->body, "review"));
	double alert = json_number_value(json_object_get(req->body, "alert"));
	ch_err err;

	err = ch_screening_settings_set(&req->ctx, req->params[0],
	    (int)(review * 1000 + 0.5), (int)(alert * 1000 + 0.5), &s);
	if (err != CH_OK) {
		ch_reply_error(req, err);
		return;
	}
	ch_reply_json(req, 200, settings_json(&s));
}

/* ---- screenings ---- */

static void
subject_of(const json_t *o, struct ch_screen_subject *s)
{
	const char *g = ch_json_str(o, "gender");

	memset(s, 0, sizeof(*s));
	s->name = ch_json_str(o, "name");
	s->dob = ch_json_str(o, "dob");
	s->nationality = ch_json_str(o, "nationality");
	s->gender = g != NULL ? g[0] : 0;
	s->kind = ch_json_str(o, "kind");
	s->subject_type = ch_json_str(o, "subject_type");
	s->subject_id = ch_json_str(o, "subject_id");
}

/* One screening as JSON, or NULL with the error in *err. */
static json_t *
screen_json(struct ch_req *req, const char *post_id,
    const struct ch_screen_subject *s, ch_err *err)
{
	struct ch_screening sc;
	struct ch_screen_hit *hits;
	size_t n;
	json_t *arr;

	*err =
	    ch_screening_run(&req->ctx, post_id, s, "manual", &sc, &hits, &n);
	if (*err != CH_OK)
		return NULL;
	arr = json_array();
	for (size_t i = 0; i < n; i++)
		json_array_append_new(arr, hit_json(&hits[i]));
	return json_pack("{s:s,s:s,s:{s:s,s:o,s:o,s:o},s:s,s:o}", "id", sc.id,
	    "post_id", sc.post_id, "subject", "name", sc.name, "dob",
	    ch_json_str_or_null(sc.dob), "nationality",
	    ch_json_str_or_null(sc.nationality), "type",
	    json_string(sc.subject_type), "created_at", sc.created_at, "hits",
	    arr);
}

void
ch_h_screenings_create(struct ch_req *req)
{
	const char *post_id = ch_json_str(req->body, "post_id");
	const json_t *batch = json_object_get(req->body, "subjects");
	struct ch_screen_subject s;
	json_t *one, *results, *v;
	size_t i;
	ch_err err;

	if (batch == NULL || json_is_null(batch)) {
		if (ch_json_str(req->body, "name") == NULL) {
			ch_reply_problem(req, "validation",
			    "name (or subjects, for a batch) is required.",
			    "/name");
			return;
		}
		subject_of(req->body, &s);
		if ((one = screen_json(req, post_id, &s, &err)) == NULL) {
			ch_reply_error(req, err);
			return;
		}
		ch_reply_json(req, 201, one);
		return;
	}
	if (ch_json_has(req->body, "name") || json_array_size(batch) == 0 ||
	    json_array_size(batch) > BATCH_MAX) {
		ch_reply_problem(req, "validation",
		    "a batch is subjects (1 to 100 of them) without a name "
		    "beside it.",
		    "/subjects");
		return;
	}
	json_array_foreach (batch, i, v) {
		if (ch_json_check(v, &subject_schema, &req->ctx.fault) !=
			CH_OK ||
		    ch_json_str(v, "name") == NULL) {
			char field[sizeof(req->ctx.fault.field) + 32];

			snprintf(field, sizeof(field), "/subjects/%zu%s", i,
			    req->ctx.fault.field[0] ? req->ctx.fault.field
						    : "/name");
			ch_reply_problem(req, "validation",
			    req->ctx.fault.detail[0]
				? req->ctx.fault.detail
				: "each subject needs a name.",
			    field);
			return;
		}
	}
	results = json_array();
	json_array_foreach (batch, i, v) {
		subject_of(v, &s);
		if ((one = screen_json(req, post_id, &s, &err)) == NULL) {
			json_decref(results);
			ch_reply_error(req, err);
			return;
		}
		json_array_append_new(results, one);
	}
	ch_reply_json(req, 201, json_pack("{s:o}", "results", results));
}

void
ch_h_screening_hits(struct ch_req *req)
{
	struct ch_screen_hit *hits;
	const char *s;
	long limit = 100;
	size_t n;
	json_t *items;
	ch_err err;

	if ((s = ch_req_query(req, "limit")) != NULL &&
	    !ch_parse_long(s, 1, 500, &limit)) {
		ch_reply_problem(
		    req, "bad-query", "limit is 1 to 500.", "limit");
		return;
	}
	s = ch_req_query(req, "post_id");
	if (s != NULL && !ch_id_valid(s)) {
		ch_reply_problem(
		    req, "bad-query", "post_id is a post's id.", "post_id");
		return;
	}
	err = ch_screening_hits(&req->ctx, s, ch_req_query(req, "status"),
	    (size_t)limit, &hits, &n);
	if (err == CH_ERR_INVALID) {
		ch_reply_problem(
		    req, "bad-query", req->ctx.fault.detail, "status");
		return;
	}
	if (err != CH_OK) {
		ch_reply_error(req, err);
		return;
	}
	items = json_array();
	for (size_t i = 0; i < n; i++)
		json_array_append_new(items, hit_json(&hits[i]));
	ch_reply_json(req, 200, json_pack("{s:o}", "items", items));
}

void
ch_h_screening_hit_get(struct ch_req *req)
{
	struct ch_screen_hit h;
	ch_err err;

	if ((err = ch_screening_hit_get(&req->ctx, req->params[0], &h)) !=
	    CH_OK) {
		ch_reply_error(req, err);
		return;
	}
	ch_reply_json(req, 200, hit_json(&h));
}

void
ch_h_screening_adjudicate(struct ch_req *req)
{
	struct ch_screen_hit h;
	ch_err err;

	err = ch_screening_adjudicate(&req->ctx, req->params[0],
	    ch_json_str(req->body, "decision"),
	    ch_json_str(req->body, "reason"), &h);
	if (err != CH_OK) {
		ch_reply_error(req, err);
		return;
	}
	ch_reply_json(req, 200, hit_json(&h));
}
