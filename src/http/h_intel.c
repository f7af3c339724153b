/*
 * h_intel.c — the intelligence routes: graded reports, the source
 * registry, threat actors and named places.  JSON in, the intel use-case
 * inputs across, records and their views back out.  The grading travels
 * as its two halves ("reliability": "B", "credibility": 2) and, for
 * people, as words ("B2 — usually reliable, probably true").  A read of a
 * report above TLP:CLEAR names it for the route's read audit, as incident
 * reads do.
 */
#include <stdlib.h>
#include <string.h>

#include "http/http.h"
#include "intel/intel.h"

static const char *const categories[] = {"political_violence", "terrorism",
    "crime", "human_intelligence", "technical_cyber", NULL};
static const char *const clearances[] = {
    "UNCLASSIFIED", "SBU", "CONFIDENTIAL", "SECRET", NULL};
static const char *const tlps[] = {
    "CLEAR", "GREEN", "AMBER", "AMBER+STRICT", "RED", NULL};
static const char *const letters[] = {"A", "B", "C", "D", "E", "F", NULL};
static const char *const outcomes[] = {
    "unassessed", "confirmed", "refuted", NULL};
static const char *const statuses[] = {"active", "withdrawn", NULL};
static const char *const source_kinds[] = {
    "human", "open_source", "liaison", "technical", NULL};
static const char *const actor_kinds[] = {"group", "individual", "state", NULL};
static const char *const areas[] = {"point", "circle", "polygon", NULL};

/* ---- schemas ---- */

#define REPORT_FIELDS(REQ)                                                     \
	{"source_id", CH_J_ID, REQ, false, 36, NULL,                           \
	    "A source of the report's post."},                                 \
	    {"category", CH_J_ENUM, REQ, false, 40, categories,                \
		"Threat category (the incidents' categories)."},               \
	    {"reliability", CH_J_ENUM, REQ, false, 1, letters,                 \
		"Admiralty: the source's reliability, A to F."},               \
	    {"credibility", CH_J_INTEGER, REQ, false, 0, NULL,                 \
		"Admiralty: the information's credibility, 1 to 6 (judged "    \
		"apart from the reliability)."},                               \
	    {"title", CH_J_STRING, REQ, false, CH_INTEL_NAME_MAX, NULL,        \
		"One line."},                                                  \
	    {"summary", CH_J_STRING, false, true, CH_INTEL_SUMMARY_MAX, NULL,  \
		"The gist, for lists and briefings."},                         \
	    {"body", CH_J_STRING, false, true, CH_INTEL_TEXT_MAX, NULL,        \
		"The report's text."},                                         \
	    {"classification", CH_J_ENUM, REQ, false, 20, clearances, NULL},   \
	    {"tlp", CH_J_ENUM, REQ, false, 20, tlps, "TLP 2.0 label."},        \
	    {"recipients", CH_J_STRING_LIST, false, true, 36, NULL,            \
		"TLP:RED: the user ids who may read it (the author is "        \
		"added)."},                                                    \
	    {"valid_from", CH_J_STRING, REQ, false, 40, NULL,                  \
		"Start of the validity window, ISO 8601 UTC."},                \
	    {"valid_until", CH_J_STRING, REQ, false, 40, NULL,                 \
		"End of the validity window (not before valid_from)."},        \
	    {"reported_at", CH_J_STRING, false, false, 40, NULL,               \
		"When the source reported it (default: now)."},                \
	    {"actor_ids", CH_J_STRING_LIST, false, true, 36, NULL,             \
		"Threat actors of the post it concerns."},                     \
	    {"place_ids", CH_J_STRING_LIST, false, true, 36, NULL,             \
		"Named places of the post it concerns."},                      \
	{                                                                      \
		"incident_ids", CH_J_STRING_LIST, false, true, 36, NULL,       \
		    "Incidents of the post it bears on."                       \
	}

static const struct ch_jfield report_create_fields[] = {
    {"post_id", CH_J_ID, true, false, 36, NULL, "The post."},
    REPORT_FIELDS(true)};
static const struct ch_jfield report_update_fields[] = {REPORT_FIELDS(false)};
static const struct ch_jfield assessment_fields[] = {
    {"outcome", CH_J_ENUM, true, false, 20, outcomes,
	"What the report came to; feeds the source's track record."},
    {"note", CH_J_STRING, false, true, CH_INTEL_NOTE_MAX, NULL,
	"How it was confirmed or refuted."},
};
static const struct ch_jfield status_fields[] = {
    {"status", CH_J_ENUM, true, false, 20, statuses,
	"withdrawn: the report no longer counts; active: reinstated."},
};

#define SOURCE_FIELDS(REQ)                                                     \
	{"name", CH_J_STRING, REQ, false, CH_INTEL_NAME_MAX, NULL,             \
	    "Code name, unique at the post."},                                 \
	    {"kind", CH_J_ENUM, REQ, false, 20, source_kinds, NULL},           \
	    {"reliability", CH_J_ENUM, false, false, 1, letters,               \
		"The analyst's judgement of the source, A to F (default "      \
		"F)."},                                                        \
	    {"description", CH_J_STRING, false, true, CH_INTEL_NOTE_MAX, NULL, \
		"Access, motivation, handling notes."},                        \
	    {"identity", CH_J_STRING, false, true, CH_INTEL_IDENTITY_MAX,      \
		NULL,                                                          \
		"Who the source really is: sealed at rest, set and read "      \
		"only with intel.identity."},                                  \
	{                                                                      \
		"active", CH_J_BOOL, false, false, 0, NULL, "Still reporting." \
	}

static const struct ch_jfield source_create_fields[] = {
    {"post_id", CH_J_ID, true, false, 36, NULL, "The post."},
    SOURCE_FIELDS(true)};
static const struct ch_jfield source_update_fields[] = {SOURCE_FIELDS(false)};

#define ACTOR_FIELDS(REQ)                                                      \
	{"name", CH_J_STRING, REQ, false, CH_INTEL_NAME_MAX, NULL,             \
	    "Unique at the post."},                                            \
	    {"kind", CH_J_ENUM, REQ, false, 20, actor_kinds, NULL},            \
	    {"aliases", CH_J_STRING_LIST, false, true, CH_INTEL_NAME_MAX,      \
		NULL, "Other names; searched like the name."},                 \
	    {"categories", CH_J_STRING_LIST, false, true, 40, NULL,            \
		"Threat categories it poses."},                                \
	    {"description", CH_J_STRING, false, true, CH_INTEL_TEXT_MAX, NULL, \
		NULL},                                                         \
	{                                                                      \
		"incident_ids", CH_J_STRING_LIST, false, true, 36, NULL,       \
		    "Incidents of the post attributed to it."                  \
	}

static const struct ch_jfield actor_create_fields[] = {
    {"post_id", CH_J_ID, true, false, 36, NULL, "The post."},
    ACTOR_FIELDS(true)};
static const struct ch_jfield actor_update_fields[] = {ACTOR_FIELDS(false)};

static const struct ch_jfield vertex_fields[] = {
    {"latitude", CH_J_NUMBER, true, false, 0, NULL, NULL},
    {"longitude", CH_J_NUMBER, true, false, 0, NULL, NULL},
};
static const struct ch_jschema vertex_schema = {
    "GeoPoint", vertex_fields, CH_ARRAY_LEN(vertex_fields)};

#define PLACE_FIELDS(REQ)                                                      \
	{"name", CH_J_STRING, REQ, false, CH_INTEL_NAME_MAX, NULL,             \
	    "Unique at the post."},                                            \
	    {"description", CH_J_STRING, false, true, CH_INTEL_NOTE_MAX, NULL, \
		NULL},                                                         \
	    {"area", CH_J_ENUM, REQ, false, 20, areas,                         \
		"point, circle (centre + radius_m) or polygon (vertices); "    \
		"send the area's fields together."},                           \
	    {"latitude", CH_J_NUMBER, false, true, 0, NULL,                    \
		"The point or centre."},                                       \
	    {"longitude", CH_J_NUMBER, false, true, 0, NULL, NULL},            \
	    {"radius_m", CH_J_NUMBER, false, true, 0, NULL,                    \
		"Circle: metres, up to 100 km."},                              \
	    {"polygon", CH_J_OBJECT_LIST, false, true, 0, NULL,                \
		"Polygon: 3 to 100 vertices {latitude, longitude}."},          \
	{                                                                      \
		"incident_ids", CH_J_STRING_LIST, false, true, 36, NULL,       \
		    "Incidents of the post that happened there."               \
	}

static const struct ch_jfield place_create_fields[] = {
    {"post_id", CH_J_ID, true, false, 36, NULL, "The post."},
    PLACE_FIELDS(true)};
static const struct ch_jfield place_update_fields[] = {PLACE_FIELDS(false)};

const struct ch_jschema ch_schema_intel_report_create = {"IntelReportCreate",
    report_create_fields, CH_ARRAY_LEN(report_create_fields)};
const struct ch_jschema ch_schema_intel_report_update = {"IntelReportUpdate",
    report_update_fields, CH_ARRAY_LEN(report_update_fields)};
const struct ch_jschema ch_schema_intel_assessment = {
    "IntelAssessment", assessment_fields, CH_ARRAY_LEN(assessment_fields)};
const struct ch_jschema ch_schema_intel_status = {
    "IntelReportStatus", status_fields, CH_ARRAY_LEN(status_fields)};
const struct ch_jschema ch_schema_intel_source_create = {"IntelSourceCreate",
    source_create_fields, CH_ARRAY_LEN(source_create_fields)};
const struct ch_jschema ch_schema_intel_source_update = {"IntelSourceUpdate",
    source_update_fields, CH_ARRAY_LEN(source_update_fields)};
const struct ch_jschema ch_schema_intel_actor_create = {"ThreatActorCreate",
    actor_create_fields, CH_ARRAY_LEN(actor_create_fields)};
const struct ch_jschema ch_schema_intel_actor_update = {"ThreatActorUpdate",
    actor_update_fields, CH_ARRAY_LEN(actor_update_fields)};
const struct ch_jschema ch_schema_intel_place_create = {
    "NamedPlaceCreate", place_create_fields, CH_ARRAY_LEN(place_create_fields)};
const struct ch_jschema ch_schema_intel_place_update = {
    "NamedPlaceUpdate", place_update_fields, CH_ARRAY_LEN(place_update_fields)};

/* ---- helpers ---- */

/* A string list of the body into an arena array; false with a problem
 * sent when out of memory. */
static bool
string_list(
    struct ch_req *req, const char *name, const char *const **out, size_t *n)
{
	json_t *list = json_object_get(req->body, name);
	const char **v;

	*n = json_is_array(list) ? json_array_size(list) : 0;
	v = ch_arena_alloc(req->arena, sizeof(*v) * (*n + 1));
	if (v == NULL) {
		ch_reply_error(req, CH_ERR_NOMEM);
		return false;
	}
	for (size_t i = 0; i < *n; i++)
		v[i] = json_string_value(json_array_get(list, i));
	*out = v;
	return true;
}

static void
set_etag(struct ch_req *req, int64_t version)
{
	snprintf(req->etag, sizeof(req->etag), "\"%lld\"", (long long)version);
}

static json_t *
ids_json(const char (*ids)[CH_ID_LEN], size_t n)
{
	json_t *a = json_array();

	for (size_t i = 0; i < n; i++)
		json_array_append_new(a, json_string(ids[i]));
	return a;
}

static json_t *
links_json(const struct ch_intel_link *l, size_t n)
{
	json_t *a = json_array();

	for (size_t i = 0; i < n; i++)
		json_array_append_new(a,
		    json_pack("{s:s, s:o}", "id", l[i].id, "name",
			ch_json_str_or_null(l[i].name)));
	return a;
}

static json_t *
categories_json(unsigned mask)
{
	json_t *a = json_array();

	for (int c = 0; c < CH_THREAT__COUNT; c++)
		if (mask & (1u << c))
			json_array_append_new(a,
			    json_string(ch_threat_category_code(
				(enum ch_threat_category)c)));
	return a;
}

/* ---- reports ---- */

static bool
report_input(struct ch_req *req, struct ch_intel_report_input *in)
{
	static const struct {
		const char *name;
		unsigned bit;
		size_t offset;
	} text[] = {
	    {"post_id", CH_RF_POST_ID,
		offsetof(struct ch_intel_report_input, post_id)},
	    {"source_id", CH_RF_SOURCE_ID,
		offsetof(struct ch_intel_report_input, source_id)},
	    {"category", CH_RF_CATEGORY,
		offsetof(struct ch_intel_report_input, category)},
	    {"reliability", CH_RF_RELIABILITY,
		offsetof(struct ch_intel_report_input, reliability)},
	    {"title", CH_RF_TITLE,
		offsetof(struct ch_intel_report_input, title)},
	    {"summary", CH_RF_SUMMARY,
		offsetof(struct ch_intel_report_input, summary)},
	    {"body", CH_RF_BODY, offsetof(struct ch_intel_report_input, body)},
	    {"classification", CH_RF_CLASSIFICATION,
		offsetof(struct ch_intel_report_input, classification)},
	    {"tlp", CH_RF_TLP, offsetof(struct ch_intel_report_input, tlp)},
	    {"valid_from", CH_RF_VALID_FROM,
		offsetof(struct ch_intel_report_input, valid_from)},
	    {"valid_until", CH_RF_VALID_UNTIL,
		offsetof(struct ch_intel_report_input, valid_until)},
	    {"reported_at", CH_RF_REPORTED_AT,
		offsetof(struct ch_intel_report_input, reported_at)},
	};
	const json_t *b = req->body;

	memset(in, 0, sizeof(*in));
	for (size_t i = 0; i < CH_ARRAY_LEN(text); i++) {
		if (!ch_json_has(b, text[i].name))
			continue;
		in->set |= text[i].bit;
		*(const char **)((char *)in + text[i].offset) =
		    ch_json_str(b, text[i].name);
	}
	if (ch_json_has(b, "credibility")) {
		in->set |= CH_RF_CREDIBILITY;
		in->credibility =
		    (long)json_integer_value(json_object_get(b, "credibility"));
	}
	if (ch_json_has(b, "recipients")) {
		in->set |= CH_RF_RECIPIENTS;
		if (!string_list(
			req, "recipients", &in->recipients, &in->nrecipients))
			return false;
	}
	if (ch_json_has(b, "actor_ids")) {
		in->set |= CH_RF_ACTORS;
		if (!string_list(
			req, "actor_ids", &in->actor_ids, &in->nactors))
			return false;
	}
	if (ch_json_has(b, "place_ids")) {
		in->set |= CH_RF_PLACES;
		if (!string_list(
			req, "place_ids", &in->place_ids, &in->nplaces))
			return false;
	}
	if (ch_json_has(b, "incident_ids")) {
		in->set |= CH_RF_INCIDENTS;
		if (!string_list(req, "incident_ids", &in->incident_ids,
			&in->nincidents))
			return false;
	}
	return true;
}

static json_t *
report_json(const struct ch_intel_report *r)
{
	char grading[160], now[CH_TIMESTAMP_LEN];
	char rel[2] = {r->reliability, '\0'};
	json_t *o = json_object();

	ch_time_format(ch_clock_now(), now);
	ch_grading_format(
	    r->reliability, r->credibility, grading, sizeof(grading));
	json_object_set_new(o, "id", json_string(r->id));
	json_object_set_new(o, "post_id", json_string(r->post_id));
	json_object_set_new(o, "source_id", json_string(r->source_id));
	json_object_set_new(
	    o, "source_name", ch_json_str_or_null(r->source_name));
	json_object_set_new(
	    o, "source_kind", json_string(ch_source_kind_code(r->source_kind)));
	json_object_set_new(
	    o, "category", json_string(ch_threat_category_code(r->category)));
	json_object_set_new(o, "reliability", json_string(rel));
	json_object_set_new(o, "credibility", json_integer(r->credibility));
	json_object_set_new(o, "grading", json_string(grading));
	json_object_set_new(o, "title", json_string(r->title));
	json_object_set_new(o, "summary", ch_json_str_or_null(r->summary));
	json_object_set_new(o, "body", ch_json_str_or_null(r->body));
	json_object_set_new(o, "classification",
	    json_string(ch_clearance_code(r->classification)));
	json_object_set_new(o, "tlp", json_string(ch_tlp_code(r->tlp)));
	json_object_set_new(o, "recipients",
	    ids_json((const char(*)[CH_ID_LEN])r->recipients, r->nrecipients));
	json_object_set_new(o, "valid_from", json_string(r->valid_from));
	json_object_set_new(o, "valid_until", json_string(r->valid_until));
	json_object_set_new(
	    o, "open", json_boolean(ch_intel_report_open(r, now)));
	json_object_set_new(o, "reported_at", json_string(r->reported_at));
	json_object_set_new(
	    o, "status", json_string(ch_report_status_code(r->status)));
	json_object_set_new(
	    o, "outcome", json_string(ch_report_outcome_code(r->outcome)));
	json_object_set_new(
	    o, "outcome_note", ch_json_str_or_null(r->outcome_note));
	json_object_set_new(
	    o, "outcome_at", ch_json_str_or_null(r->outcome_at));
	json_object_set_new(
	    o, "author_user_id", ch_json_str_or_null(r->author_user_id));
	json_object_set_new(o, "actor_ids",
	    ids_json((const char(*)[CH_ID_LEN])r->actor_ids, r->nactors));
	json_object_set_new(o, "place_ids",
	    ids_json((const char(*)[CH_ID_LEN])r->place_ids, r->nplaces));
	json_object_set_new(o, "incident_ids",
	    ids_json((const char(*)[CH_ID_LEN])r->incident_ids, r->nincidents));
	json_object_set_new(o, "version", json_integer(r->version));
	json_object_set_new(o, "created_at", json_string(r->created_at));
	json_object_set_new(o, "updated_at", json_string(r->updated_at));
	return o;
}

static void
reply_report(
    struct ch_req *req, unsigned status, const struct ch_intel_report *r)
{
	set_etag(req, r->version);
	ch_reply_json(req, status, report_json(r));
}

/* A query time, canonical, into out; false with a problem sent. */
static bool
query_time(struct ch_req *req, const char *name, char *out, const char **dst)
{
	const char *s = ch_req_query(req, name);
	int64_t t;

	*dst = NULL;
	if (s == NULL || *s == '\0')
		return true;
	if (strlen(s) > 40 || !ch_time_parse(s, &t)) {
		ch_reply_problem(req, "bad-query",
		    "since, until and open_at must be UTC times such as "
		    "2026-03-01T00:00:00Z.",
		    name);
		return false;
	}
	ch_time_format(t, out);
	*dst = out;
	return true;
}

/* An id query parameter; false with a problem sent when malformed. */
static bool
query_id(struct ch_req *req, const char *name, const char **dst)
{
	const char *s = ch_req_query(req, name);

	*dst = NULL;
	if (s == NULL || *s == '\0')
		return true;
	if (!ch_id_valid(s)) {
		ch_reply_problem(req, "bad-query", "ids are UUIDs.", name);
		return false;
	}
	*dst = s;
	return true;
}

void
ch_h_intel_reports_list(struct ch_req *req)
{
	struct ch_intel_report_filter f = {0};
	struct ch_intel_report_page page;
	char since[CH_TIMESTAMP_LEN], until[CH_TIMESTAMP_LEN];
	char open_at[CH_TIMESTAMP_LEN];
	const char *s;
	json_t *items;
	long limit = 50;
	ch_err err;

	f.cursor = ch_req_query(req, "cursor");
	if (((s = ch_req_query(req, "category")) != NULL && *s &&
		!(f.has_category = ch_threat_category_parse(s, &f.category))) ||
	    ((s = ch_req_query(req, "status")) != NULL && *s &&
		!(f.has_status = ch_report_status_parse(s, &f.status))) ||
	    ((s = ch_req_query(req, "outcome")) != NULL && *s &&
		!(f.has_outcome = ch_report_outcome_parse(s, &f.outcome)))) {
		ch_reply_problem(req, "bad-query",
		    "category, status and outcome take the codes listed in "
		    "docs/api.md.",
		    NULL);
		return;
	}
	if (!query_id(req, "source_id", &f.source_id) ||
	    !query_id(req, "actor_id", &f.actor_id) ||
	    !query_id(req, "place_id", &f.place_id) ||
	    !query_id(req, "incident_id", &f.incident_id) ||
	    !query_time(req, "since", since, &f.since) ||
	    !query_time(req, "until", until, &f.until) ||
	    !query_time(req, "open_at", open_at, &f.open_at))
		return;
	if ((s = ch_req_query(req, "open")) != NULL && *s) {
		if (strcmp(s, "true") != 0 && strcmp(s, "false") != 0) {
			ch_reply_problem(
			    req, "bad-query", "open is true or false.", "open");
			return;
		}
		if (strcmp(s, "true") == 0 && f.open_at == NULL) {
			ch_time_format(ch_clock_now(), open_at);
			f.open_at = open_at;
		}
	}
	if ((s = ch_req_query(req, "limit")) != NULL &&
	    !ch_parse_long(s, 1, CH_LIST_LIMIT_MAX, &limit)) {
		ch_reply_problem(req, "bad-query",
		    "limit must be a whole number from 1 to 200.", "limit");
		return;
	}
	f.limit = (int)limit;
	if ((err = ch_intel_report_list(&req->ctx, &f, &page)) != CH_OK) {
		if (err == CH_ERR_INVALID)
			ch_reply_problem(
			    req, "bad-cursor", req->ctx.fault.detail, "cursor");
		else
			ch_reply_error(req, err);
		return;
	}
	items = json_array();
	for (size_t i = 0; i < page.count; i++)
		json_array_append_new(items, report_json(&page.items[i]));
	ch_reply_json(req, 200,
	    json_pack("{s:o, s:o}", "items", items, "next_cursor",
		ch_json_str_or_null(page.next_cursor)));
}

void
ch_h_intel_reports_get(struct ch_req *req)
{
	struct ch_intel_report_view v;
	json_t *o;
	char rel[2];
	ch_err err;

	if ((err = ch_intel_report_get(&req->ctx, req->params[0], &v)) !=
	    CH_OK) {
		ch_reply_error(req, err);
		return;
	}
	o = report_json(&v.report);
	rel[0] = v.source.reliability;
	rel[1] = '\0';
	json_object_set_new(o, "source",
	    json_pack("{s:s, s:s, s:s, s:s, s:b}", "id", v.source.id, "name",
		v.source.name, "kind", ch_source_kind_code(v.source.kind),
		"reliability", rel, "active", v.source.active));
	json_object_set_new(o, "actors", links_json(v.actors, v.nactors));
	json_object_set_new(o, "places", links_json(v.places, v.nplaces));
	json_object_set_new(
	    o, "incidents", links_json(v.incidents, v.nincidents));
	json_object_set_new(
	    o, "timeline", ch_timeline_json(v.timeline, v.ntimeline));
	set_etag(req, v.report.version);
	if (v.report.tlp != CH_TLP_CLEAR) {
		req->audit_object_id = ch_arena_strdup(req->arena, v.report.id);
		req->audit_post_id =
		    ch_arena_strdup(req->arena, v.report.post_id);
	}
	ch_reply_json(req, 200, o);
}

void
ch_h_intel_reports_create(struct ch_req *req)
{
	struct ch_intel_report_input in;
	struct ch_intel_report r;
	ch_err err;

	if (!report_input(req, &in))
		return;
	if ((err = ch_intel_report_create(&req->ctx, &in, &r)) != CH_OK) {
		ch_reply_error(req, err);
		return;
	}
	req->location =
	    ch_arena_printf(req->arena, "/api/v1/intel/reports/%s", r.id);
	reply_report(req, 201, &r);
}

void
ch_h_intel_reports_update(struct ch_req *req)
{
	struct ch_intel_report_input in;
	struct ch_intel_report r;
	int64_t version;
	ch_err err;

	if (!ch_req_if_match(req, &version) || !report_input(req, &in))
		return;
	err =
	    ch_intel_report_update(&req->ctx, req->params[0], &in, version, &r);
	if (err != CH_OK) {
		ch_reply_error(req, err);
		return;
	}
	reply_report(req, 200, &r);
}

void
ch_h_intel_reports_assess(struct ch_req *req)
{
	struct ch_intel_report r;
	ch_err err;

	err = ch_intel_report_assess(&req->ctx, req->params[0],
	    ch_json_str(req->body, "outcome"), ch_json_str(req->body, "note"),
	    &r);
	if (err != CH_OK) {
		ch_reply_error(req, err);
		return;
	}
	reply_report(req, 200, &r);
}

void
ch_h_intel_reports_status(struct ch_req *req)
{
	struct ch_intel_report r;
	ch_err err;

	err = ch_intel_report_set_status(
	    &req->ctx, req->params[0], ch_json_str(req->body, "status"), &r);
	if (err != CH_OK) {
		ch_reply_error(req, err);
		return;
	}
	reply_report(req, 200, &r);
}

void
ch_h_intel_grading(struct ch_req *req)
{
	json_t *rel = json_array(), *cred = json_array();

	for (int i = 0; i < 6; i++) {
		char code[2] = {(char)('A' + i), '\0'};

		json_array_append_new(rel,
		    json_pack("{s:s, s:s}", "code", code, "meaning",
			ch_reliability_text(code[0])));
	}
	for (int c = 1; c <= 6; c++)
		json_array_append_new(cred,
		    json_pack("{s:i, s:s}", "code", c, "meaning",
			ch_credibility_text(c)));
	ch_reply_json(req, 200,
	    json_pack("{s:o, s:o, s:s}", "reliability", rel, "credibility",
		cred, "note",
		"The two are judged independently: the reliability of the "
		"source, the credibility of the information."));
}

/* ---- sources ---- */

static bool
source_input(struct ch_req *req, struct ch_intel_source_input *in)
{
	const json_t *b = req->body;

	memset(in, 0, sizeof(*in));
	if (ch_json_has(b, "post_id")) {
		in->set |= CH_SF_POST_ID;
		in->post_id = ch_json_str(b, "post_id");
	}
	if (ch_json_has(b, "name")) {
		in->set |= CH_SF_NAME;
		in->name = ch_json_str(b, "name");
	}
	if (ch_json_has(b, "kind")) {
		in->set |= CH_SF_KIND;
		in->kind = ch_json_str(b, "kind");
	}
	if (ch_json_has(b, "reliability")) {
		in->set |= CH_SF_RELIABILITY;
		in->reliability = ch_json_str(b, "reliability");
	}
	if (ch_json_has(b, "description")) {
		in->set |= CH_SF_DESCRIPTION;
		in->description = ch_json_str(b, "description");
	}
	if (ch_json_has(b, "identity")) {
		in->set |= CH_SF_IDENTITY;
		in->identity = ch_json_str(b, "identity");
	}
	if (ch_json_has(b, "active")) {
		in->set |= CH_SF_ACTIVE;
		in->active = json_is_true(json_object_get(b, "active"));
	}
	return true;
}

static json_t *
track_json(const struct ch_intel_track *t, bool history)
{
	json_t *o, *rel = json_object(), *cred = json_object();
	char sug[2] = {t->suggested ? t->suggested : 'F', '\0'};

	for (int i = 0; i < 6; i++) {
		char k[2] = {(char)('A' + i), '\0'};
		char c[2] = {(char)('1' + i), '\0'};

		json_object_set_new(rel, k, json_integer(t->by_reliability[i]));
		json_object_set_new(
		    cred, c, json_integer(t->by_credibility[i]));
	}
	o = json_pack("{s:I, s:I, s:I, s:I, s:I, s:o, s:o, s:s, s:s, s:s}",
	    "total", (json_int_t)t->total, "confirmed",
	    (json_int_t)t->by_outcome[CH_OUTCOME_CONFIRMED], "refuted",
	    (json_int_t)t->by_outcome[CH_OUTCOME_REFUTED], "unassessed",
	    (json_int_t)t->by_outcome[CH_OUTCOME_UNASSESSED], "withdrawn",
	    (json_int_t)t->withdrawn, "by_reliability", rel, "by_credibility",
	    cred, "suggested_reliability", sug, "suggested_meaning",
	    ch_reliability_text(sug[0]), "suggestion_reason",
	    t->suggestion_reason ? t->suggestion_reason : "");
	if (history) {
		json_t *h = json_array();

		for (size_t i = 0; i < t->nhistory; i++) {
			const struct ch_intel_grading *g = &t->history[i];
			char r[2] = {g->reliability, '\0'};

			json_array_append_new(h,
			    json_pack("{s:s, s:s, s:s, s:i, s:s, s:s}",
				"report_id", g->report_id, "reported_at",
				g->reported_at, "reliability", r, "credibility",
				g->credibility, "outcome",
				ch_report_outcome_code(g->outcome), "status",
				ch_report_status_code(g->status)));
		}
		json_object_set_new(o, "history", h);
	}
	return o;
}

static json_t *
source_json(const struct ch_intel_source *s)
{
	char rel[2] = {s->reliability, '\0'};
	json_t *o = json_object();

	json_object_set_new(o, "id", json_string(s->id));
	json_object_set_new(o, "post_id", json_string(s->post_id));
	json_object_set_new(o, "name", json_string(s->name));
	json_object_set_new(
	    o, "kind", json_string(ch_source_kind_code(s->kind)));
	json_object_set_new(o, "reliability", json_string(rel));
	json_object_set_new(o, "reliability_meaning",
	    json_string(ch_reliability_text(s->reliability)));
	json_object_set_new(
	    o, "description", ch_json_str_or_null(s->description));
	json_object_set_new(o, "has_identity", json_boolean(s->has_identity));
	json_object_set_new(o, "active", json_boolean(s->active));
	json_object_set_new(o, "version", json_integer(s->version));
	json_object_set_new(o, "created_at", json_string(s->created_at));
	json_object_set_new(o, "updated_at", json_string(s->updated_at));
	return o;
}

void
ch_h_intel_sources_list(struct ch_req *req)
{
	struct ch_intel_source *list;
	struct ch_intel_track *tracks;
	const char *post = NULL;
	size_t n = 0;
	json_t *items;
	ch_err err;

	if (!query_id(req, "post_id", &post))
		return;
	err = ch_intel_source_list(&req->ctx, post, &list, &tracks, &n);
	if (err != CH_OK) {
		ch_reply_error(req, err);
		return;
	}
	items = json_array();
	for (size_t i = 0; i < n; i++) {
		json_t *o = source_json(&list[i]);

		json_object_set_new(o, "track", track_json(&tracks[i], false));
		json_array_append_new(items, o);
	}
	ch_reply_json(req, 200, json_pack("{s:o}", "items", items));
}

static void
reply_source_view(struct ch_req *req, const struct ch_intel_source_view *v)
{
	json_t *o = source_json(&v->source);

	json_object_set_new(o, "track", track_json(&v->track, true));
	if (v->source.identity != NULL)
		json_object_set_new(
		    o, "identity", json_string(v->source.identity));
	set_etag(req, v->source.version);
	ch_reply_json(req, 200, o);
}

void
ch_h_intel_sources_get(struct ch_req *req)
{
	struct ch_intel_source_view v;
	ch_err err;

	err = ch_intel_source_get(&req->ctx, req->params[0], false, &v);
	if (err != CH_OK) {
		ch_reply_error(req, err);
		return;
	}
	reply_source_view(req, &v);
}

void
ch_h_intel_sources_identity(struct ch_req *req)
{
	struct ch_intel_source_view v;
	ch_err err;

	err = ch_intel_source_get(&req->ctx, req->params[0], true, &v);
	if (err != CH_OK) {
		ch_reply_error(req, err);
		return;
	}
	reply_source_view(req, &v);
}

void
ch_h_intel_sources_create(struct ch_req *req)
{
	struct ch_intel_source_input in;
	struct ch_intel_source s;
	ch_err err;

	source_input(req, &in);
	if ((err = ch_intel_source_create(&req->ctx, &in, &s)) != CH_OK) {
		ch_reply_error(req, err);
		return;
	}
	req->location =
	    ch_arena_printf(req->arena, "/api/v1/intel/sources/%s", s.id);
	set_etag(req, s.version);
	ch_reply_json(req, 201, source_json(&s));
}

void
ch_h_intel_sources_update(struct ch_req *req)
{
	struct ch_intel_source_input in;
	struct ch_intel_source s;
	int64_t version;
	ch_err err;

	if (!ch_req_if_match(req, &version))
		return;
	source_input(req, &in);
	err =
	    ch_intel_source_update(&req->ctx, req->params[0], &in, version, &s);
	if (err != CH_OK) {
		ch_reply_error(req, err);
		return;
	}
	set_etag(req, s.version);
	ch_reply_json(req, 200, source_json(&s));
}

/* ---- threat actors ---- */

static bool
actor_input(struct ch_req *req, struct ch_intel_actor_input *in)
{
	const json_t *b = req->body;

	memset(in, 0, sizeof(*in));
	if (ch_json_has(b, "post_id")) {
		in->set |= CH_AF_POST_ID;
		in->post_id = ch_json_str(b, "post_id");
	}
	if (ch_json_has(b, "name")) {
		in->set |= CH_AF_NAME;
		in->name = ch_json_str(b, "name");
	}
	if (ch_json_has(b, "kind")) {
		in->set |= CH_AF_KIND;
		in->kind = ch_json_str(b, "kind");
	}
	if (ch_json_has(b, "description")) {
		in->set |= CH_AF_DESCRIPTION;
		in->description = ch_json_str(b, "description");
	}
	if (ch_json_has(b, "aliases")) {
		in->set |= CH_AF_ALIASES;
		if (!string_list(req, "aliases", &in->aliases, &in->naliases))
			return false;
	}
	if (ch_json_has(b, "categories")) {
		in->set |= CH_AF_CATEGORIES;
		if (!string_list(
			req, "categories", &in->categories, &in->ncategories))
			return false;
	}
	if (ch_json_has(b, "incident_ids")) {
		in->set |= CH_AF_INCIDENTS;
		if (!string_list(req, "incident_ids", &in->incident_ids,
			&in->nincidents))
			return false;
	}
	return true;
}

static json_t *
actor_json(const struct ch_intel_actor *a)
{
	json_t *o = json_object(), *aliases = json_array();

	for (size_t i = 0; i < a->naliases; i++)
		json_array_append_new(aliases, json_string(a->aliases[i]));
	json_object_set_new(o, "id", json_string(a->id));
	json_object_set_new(o, "post_id", json_string(a->post_id));
	json_object_set_new(o, "name", json_string(a->name));
	json_object_set_new(
	    o, "kind", json_string(ch_actor_kind_code(a->kind)));
	json_object_set_new(o, "aliases", aliases);
	json_object_set_new(o, "categories", categories_json(a->categories));
	json_object_set_new(
	    o, "description", ch_json_str_or_null(a->description));
	json_object_set_new(o, "incident_ids",
	    ids_json((const char(*)[CH_ID_LEN])a->incident_ids, a->nincidents));
	json_object_set_new(o, "version", json_integer(a->version));
	json_object_set_new(o, "created_at", json_string(a->created_at));
	json_object_set_new(o, "updated_at", json_string(a->updated_at));
	return o;
}

static json_t *
page_json(const struct ch_intel_report_page *p)
{
	json_t *a = json_array();

	for (size_t i = 0; i < p->count; i++)
		json_array_append_new(a, report_json(&p->items[i]));
	return a;
}

void
ch_h_intel_actors_list(struct ch_req *req)
{
	struct ch_intel_actor *list;
	size_t n = 0;
	json_t *items;
	ch_err err;

	err = ch_intel_actor_list(&req->ctx, ch_req_query(req, "q"), &list, &n);
	if (err != CH_OK) {
		ch_reply_error(req, err);
		return;
	}
	items = json_array();
	for (size_t i = 0; i < n; i++)
		json_array_append_new(items, actor_json(&list[i]));
	ch_reply_json(req, 200, json_pack("{s:o}", "items", items));
}

void
ch_h_intel_actors_get(struct ch_req *req)
{
	struct ch_intel_actor_view v;
	json_t *o;
	ch_err err;

	if ((err = ch_intel_actor_get(&req->ctx, req->params[0], &v)) !=
	    CH_OK) {
		ch_reply_error(req, err);
		return;
	}
	o = actor_json(&v.actor);
	json_object_set_new(o, "reports", page_json(&v.reports));
	json_object_set_new(
	    o, "incidents", links_json(v.incidents, v.nincidents));
	set_etag(req, v.actor.version);
	ch_reply_json(req, 200, o);
}

void
ch_h_intel_actors_create(struct ch_req *req)
{
	struct ch_intel_actor_input in;
	struct ch_intel_actor a;
	ch_err err;

	if (!actor_input(req, &in))
		return;
	if ((err = ch_intel_actor_create(&req->ctx, &in, &a)) != CH_OK) {
		ch_reply_error(req, err);
		return;
	}
	req->location =
	    ch_arena_printf(req->arena, "/api/v1/intel/actors/%s", a.id);
	set_etag(req, a.version);
	ch_reply_json(req, 201, actor_json(&a));
}

void
ch_h_intel_actors_update(struct ch_req *req)
{
	struct ch_intel_actor_input in;
	struct ch_intel_actor a;
	int64_t version;
	ch_err err;

	if (!ch_req_if_match(req, &version) || !actor_input(req, &in))
		return;
	err =
	    ch_intel_actor_update(&req->ctx, req->params[0], &in, version, &a);
	if (err != CH_OK) {
		ch_reply_error(req, err);
		return;
	}
	set_etag(req, a.version);
	ch_reply_json(req, 200, actor_json(&a));
}

/* ---- named places ---- */

static bool
place_input(struct ch_req *req, struct ch_intel_place_input *in)
{
	const json_t *b = req->body, *v;

	memset(in, 0, sizeof(*in));
	if (ch_json_has(b, "post_id")) {
		in->set |= CH_LF_POST_ID;
		in->post_id = ch_json_str(b, "post_id");
	}
	if (ch_json_has(b, "name")) {
		in->set |= CH_LF_NAME;
		in->name = ch_json_str(b, "name");
	}
	if (ch_json_has(b, "description")) {
		in->set |= CH_LF_DESCRIPTION;
		in->description = ch_json_str(b, "description");
	}
	if (ch_json_has(b, "area")) {
		json_t *list = json_object_get(b, "polygon");
		struct ch_geo_point *pts;

		in->set |= CH_LF_AREA;
		in->area = ch_json_str(b, "area");
		v = json_object_get(b, "latitude");
		in->has_centre = v != NULL && json_is_number(v) &&
		    json_is_number(json_object_get(b, "longitude"));
		if (in->has_centre) {
			in->latitude = json_number_value(v);
			in->longitude =
			    json_number_value(json_object_get(b, "longitude"));
		}
		v = json_object_get(b, "radius_m");
		in->has_radius = v != NULL && json_is_number(v);
		in->radius_m = in->has_radius ? json_number_value(v) : 0;
		in->npolygon = json_is_array(list) ? json_array_size(list) : 0;
		pts = ch_arena_alloc(
		    req->arena, sizeof(*pts) * (in->npolygon + 1));
		if (pts == NULL) {
			ch_reply_error(req, CH_ERR_NOMEM);
			return false;
		}
		for (size_t i = 0; i < in->npolygon; i++) {
			json_t *item = json_array_get(list, i);
			struct ch_fault inner = {{0}, {0}};

			if (ch_json_check(item, &vertex_schema, &inner) !=
			    CH_OK) {
				char msg[sizeof(inner.detail) + 32];

				snprintf(msg, sizeof(msg), "polygon[%zu]: %s",
				    i, inner.detail);
				ch_reply_problem(
				    req, "validation", msg, "/polygon");
				return false;
			}
			pts[i].latitude = json_number_value(
			    json_object_get(item, "latitude"));
			pts[i].longitude = json_number_value(
			    json_object_get(item, "longitude"));
		}
		in->polygon = pts;
	} else if (ch_json_has(b, "latitude") || ch_json_has(b, "longitude") ||
	    ch_json_has(b, "radius_m") || ch_json_has(b, "polygon")) {
		ch_reply_problem(req, "validation",
		    "send area with its latitude, longitude, radius_m or "
		    "polygon: the area changes as a whole.",
		    "/area");
		return false;
	}
	if (ch_json_has(b, "incident_ids")) {
		in->set |= CH_LF_INCIDENTS;
		if (!string_list(req, "incident_ids", &in->incident_ids,
			&in->nincidents))
			return false;
	}
	return true;
}

static json_t *
place_json(const struct ch_intel_place *p)
{
	json_t *o = json_object(), *poly = json_array();

	for (size_t i = 0; i < p->npolygon; i++)
		json_array_append_new(poly,
		    json_pack("{s:f, s:f}", "latitude", p->polygon[i].latitude,
			"longitude", p->polygon[i].longitude));
	json_object_set_new(o, "id", json_string(p->id));
	json_object_set_new(o, "post_id", json_string(p->post_id));
	json_object_set_new(o, "name", json_string(p->name));
	json_object_set_new(
	    o, "description", ch_json_str_or_null(p->description));
	json_object_set_new(o, "area", json_string(ch_area_kind_code(p->area)));
	json_object_set_new(o, "latitude", json_real(p->latitude));
	json_object_set_new(o, "longitude", json_real(p->longitude));
	json_object_set_new(o, "radius_m",
	    p->area == CH_AREA_CIRCLE ? json_real(p->radius_m) : json_null());
	json_object_set_new(
	    o, "polygon", p->area == CH_AREA_POLYGON ? poly : json_null());
	if (p->area != CH_AREA_POLYGON)
		json_decref(poly);
	json_object_set_new(o, "distance_m",
	    p->has_relative ? json_real(p->distance_m) : json_null());
	json_object_set_new(o, "bearing_deg",
	    p->has_relative ? json_real(p->bearing_deg) : json_null());
	json_object_set_new(o, "incident_ids",
	    ids_json((const char(*)[CH_ID_LEN])p->incident_ids, p->nincidents));
	json_object_set_new(o, "version", json_integer(p->version));
	json_object_set_new(o, "created_at", json_string(p->created_at));
	json_object_set_new(o, "updated_at", json_string(p->updated_at));
	return o;
}

void
ch_h_intel_places_list(struct ch_req *req)
{
	struct ch_intel_place *list;
	size_t n = 0;
	json_t *items;
	ch_err err;

	err = ch_intel_place_list(&req->ctx, ch_req_query(req, "q"), &list, &n);
	if (err != CH_OK) {
		ch_reply_error(req, err);
		return;
	}
	items = json_array();
	for (size_t i = 0; i < n; i++)
		json_array_append_new(items, place_json(&list[i]));
	ch_reply_json(req, 200, json_pack("{s:o}", "items", items));
}

void
ch_h_intel_places_get(struct ch_req *req)
{
	struct ch_intel_place_view v;
	json_t *o;
	ch_err err;

	if ((err = ch_intel_place_get(&req->ctx, req->params[0], &v)) !=
	    CH_OK) {
		ch_reply_error(req, err);
		return;
	}
	o = place_json(&v.place);
	json_object_set_new(o, "reports", page_json(&v.reports));
	json_object_set_new(
	    o, "incidents", links_json(v.incidents, v.nincidents));
	set_etag(req, v.place.version);
	ch_reply_json(req, 200, o);
}

void
ch_h_intel_places_create(struct ch_req *req)
{
	struct ch_intel_place_input in;
	struct ch_intel_place p;
	ch_err err;

	if (!place_input(req, &in))
		return;
	if ((err = ch_intel_place_create(&req->ctx, &in, &p)) != CH_OK) {
		ch_reply_error(req, err);
		return;
	}
	req->location =
	    ch_arena_printf(req->arena, "/api/v1/intel/places/%s", p.id);
	set_etag(req, p.version);
	ch_reply_json(req, 201, place_json(&p));
}

void
ch_h_intel_places_update(struct ch_req *req)
{
	struct ch_intel_place_input in;
	struct ch_intel_place p;
	int64_t version;
	ch_err err;

	if (!ch_req_if_match(req, &version) || !place_input(req, &in))
		return;
	err =
	    ch_intel_place_update(&req->ctx, req->params[0], &in, version, &p);
	if (err != CH_OK) {
		ch_reply_error(req, err);
		return;
	}
	set_etag(req, p.version);
	ch_reply_json(req, 200, place_json(&p));
}
