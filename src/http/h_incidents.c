/*
 * h_incidents.c — the incident routes: JSON in, struct ch_incident_input
 * to the use cases, incidents and their view (people with immunity,
 * Vienna articles, transitions, timeline) back out as JSON.  A read of an
 * incident above TLP:CLEAR names the incident for the route's read audit.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "http/http.h"
#include "incidents/incidents.h"
#include "incidents/trends.h"

static const char *const types[] = {"terrorist_attack", "espionage",
    "cyberattack", "hostile_protest", "kidnapping_or_assault", "sabotage",
    "crime", "surveillance_detected", "other", NULL};
static const char *const categories[] = {"political_violence", "terrorism",
    "crime", "human_intelligence", "technical_cyber", NULL};
static const char *const severities[] = {
    "Extreme", "Severe", "Moderate", "Minor", "Unknown", NULL};
static const char *const clearances[] = {
    "UNCLASSIFIED", "SBU", "CONFIDENTIAL", "SECRET", NULL};
static const char *const tlps[] = {
    "CLEAR", "GREEN", "AMBER", "AMBER+STRICT", "RED", NULL};
static const char *const places[] = {
    "premises", "residence", "elsewhere", NULL};
static const char *const involvements[] = {
    "victim", "suspect", "witness", "reporter", "involved", NULL};
static const char *const statuses[] = {
    "reported", "triaged", "investigating", "closed", NULL};

static const struct ch_jfield person_fields[] = {
    {"person_id", CH_J_ID, true, false, 36, NULL,
	"A person of the incident's post."},
    {"role", CH_J_ENUM, true, false, 20, involvements, NULL},
};
static const struct ch_jschema person_schema = {
    "IncidentPerson", person_fields, CH_ARRAY_LEN(person_fields)};

/* The incident fields a change may carry; create adds the post, the time
 * of report and requires the first ones. */
#define INCIDENT_FIELDS(REQ)                                                   \
	{"type", CH_J_ENUM, REQ, false, 40, types, "Incident type."},          \
	    {"category", CH_J_ENUM, REQ, false, 40, categories,                \
		"Threat category."},                                           \
	    {"severity", CH_J_ENUM, REQ, false, 20, severities,                \
		"CAP 1.2 severity."},                                          \
	    {"title", CH_J_STRING, REQ, false, CH_INCIDENT_TITLE_MAX, NULL,    \
		"One line."},                                                  \
	    {"description", CH_J_STRING, false, true, CH_INCIDENT_TEXT_MAX,    \
		NULL, "What happened, in free text."},                         \
	    {"zone_id", CH_J_ID, false, true, 36, NULL,                        \
		"A zone of the post where it happened."},                      \
	    {"place_kind", CH_J_ENUM, false, false, 20, places,                \
		"premises (default with a zone), residence or elsewhere."},    \
	    {"place_name", CH_J_STRING, false, true, CH_INCIDENT_PLACE_MAX,    \
		NULL, "A named place."},                                       \
	    {"latitude", CH_J_NUMBER, false, true, 0, NULL, NULL},             \
	    {"longitude", CH_J_NUMBER, false, true, 0, NULL, NULL},            \
	    {"occurred_at", CH_J_STRING, REQ, false, 40, NULL,                 \
		"When it happened, ISO 8601 UTC."},                            \
	    {"classification", CH_J_ENUM, REQ, false, 20, clearances, NULL},   \
	    {"tlp", CH_J_ENUM, REQ, false, 20, tlps, "TLP 2.0 label."},        \
	    {"recipients", CH_J_STRING_LIST, false, true, 36, NULL,            \
		"TLP:RED: the user ids who may read it."},                     \
	{                                                                      \
		"people", CH_J_OBJECT_LIST, false, true, 0, NULL,              \
		    "People of the post involved: {person_id, role}."          \
	}

static const struct ch_jfield create_fields[] = {
    {"post_id", CH_J_ID, true, false, 36, NULL, "The post."},
    {"reported_at", CH_J_STRING, false, false, 40, NULL,
	"When it was reported (default: now), ISO 8601 UTC."},
    INCIDENT_FIELDS(true)};
static const struct ch_jfield update_fields[] = {INCIDENT_FIELDS(false)};
static const struct ch_jfield transition_fields[] = {
    {"to", CH_J_ENUM, true, false, 20, statuses, "The new status."},
    {"reason", CH_J_STRING, true, false, CH_INCIDENT_REASON_MAX, NULL, "Why."},
};

const struct ch_jschema ch_schema_incident_create = {
    "IncidentCreate", create_fields, CH_ARRAY_LEN(create_fields)};
const struct ch_jschema ch_schema_incident_update = {
    "IncidentUpdate", update_fields, CH_ARRAY_LEN(update_fields)};
const struct ch_jschema ch_schema_incident_transition = {
    "IncidentTransition", transition_fields, CH_ARRAY_LEN(transition_fields)};

/* Fill an incident input from a checked body; false (with a problem sent)
 * when the body is consistent with its schema but not with itself. */
static bool
incident_input(struct ch_req *req, struct ch_incident_input *in)
{
	static const struct {
		const char *name;
		unsigned bit;
		size_t offset;
	} text[] = {
	    {"post_id", CH_IF_POST_ID,
		offsetof(struct ch_incident_input, post_id)},
	    {"type", CH_IF_TYPE, offsetof(struct ch_incident_input, type)},
	    {"category", CH_IF_CATEGORY,
		offsetof(struct ch_incident_input, category)},
	    {"severity", CH_IF_SEVERITY,
		offsetof(struct ch_incident_input, severity)},
	    {"title", CH_IF_TITLE, offsetof(struct ch_incident_input, title)},
	    {"description", CH_IF_DESCRIPTION,
		offsetof(struct ch_incident_input, description)},
	    {"zone_id", CH_IF_ZONE_ID,
		offsetof(struct ch_incident_input, zone_id)},
	    {"place_kind", CH_IF_PLACE_KIND,
		offsetof(struct ch_incident_input, place_kind)},
	    {"place_name", CH_IF_PLACE_NAME,
		offsetof(struct ch_incident_input, place_name)},
	    {"occurred_at", CH_IF_OCCURRED_AT,
		offsetof(struct ch_incident_input, occurred_at)},
	    {"reported_at", CH_IF_REPORTED_AT,
		offsetof(struct ch_incident_input, reported_at)},
	    {"classification", CH_IF_CLASSIFICATION,
		offsetof(struct ch_incident_input, classification)},
	    {"tlp", CH_IF_TLP, offsetof(struct ch_incident_input, tlp)},
	};
	const json_t *b = req->body, *lat, *lon, *list;

	memset(in, 0, sizeof(*in));
	for (size_t i = 0; i < CH_ARRAY_LEN(text); i++) {
		if (!ch_json_has(b, text[i].name))
			continue;
		in->set |= text[i].bit;
		*(const char **)((char *)in + text[i].offset) =
		    ch_json_str(b, text[i].name);
	}
	lat = json_object_get(b, "latitude");
	lon = json_object_get(b, "longitude");
	if (lat != NULL || lon != NULL) {
		bool has_lat = lat != NULL && json_is_number(lat);
		bool has_lon = lon != NULL && json_is_number(lon);

		if (has_lat != has_lon) {
			ch_reply_problem(req, "validation",
			    "give latitude and longitude together, or neither.",
			    has_lat ? "/longitude" : "/latitude");
			return false;
		}
		in->set |= CH_IF_LOCATION;
		in->has_location = has_lat;
		in->latitude = has_lat ? json_number_value(lat) : 0;
		in->longitude = has_lon ? json_number_value(lon) : 0;
	}
	if (ch_json_has(b, "recipients")) {
		const char **ids;

		list = json_object_get(b, "recipients");
		in->set |= CH_IF_RECIPIENTS;
		in->nrecipients =
		    json_is_array(list) ? json_array_size(list) : 0;
		ids = ch_arena_alloc(
		    req->arena, sizeof(*ids) * (in->nrecipients + 1));
		if (ids == NULL) {
			ch_reply_error(req, CH_ERR_NOMEM);
			return false;
		}
		for (size_t i = 0; i < in->nrecipients; i++)
			ids[i] = json_string_value(json_array_get(list, i));
		in->recipients = ids;
	}
	if (ch_json_has(b, "people")) {
		struct ch_incident_person_input *people;

		list = json_object_get(b, "people");
		in->set |= CH_IF_PEOPLE;
		in->npeople = json_is_array(list) ? json_array_size(list) : 0;
		people = ch_arena_alloc(
		    req->arena, sizeof(*people) * (in->npeople + 1));
		if (people == NULL) {
			ch_reply_error(req, CH_ERR_NOMEM);
			return false;
		}
		for (size_t i = 0; i < in->npeople; i++) {
			json_t *item = json_array_get(list, i);
			struct ch_fault inner = {{0}, {0}};

			if (ch_json_check(item, &person_schema, &inner) !=
			    CH_OK) {
				char msg[sizeof(inner.detail) + 32];

				snprintf(msg, sizeof(msg), "people[%zu]: %s", i,
				    inner.detail);
				ch_reply_problem(
				    req, "validation", msg, "/people");
				return false;
			}

			people[i].person_id = ch_json_str(item, "person_id");
			people[i].role = ch_json_str(item, "role");
		}
		in->people = people;
	}
	return true;
}

static json_t *
incident_json(const struct ch_incident *inc)
{
	json_t *o = json_object(), *recipients = json_array();

	json_object_set_new(o, "id", json_string(inc->id));
	json_object_set_new(o, "post_id", json_string(inc->post_id));
	json_object_set_new(
	    o, "type", json_string(ch_incident_type_code(inc->type)));
	json_object_set_new(
	    o, "category", json_string(ch_threat_category_code(inc->category)));
	json_object_set_new(
	    o, "severity", json_string(ch_severity_code(inc->severity)));
	json_object_set_new(
	    o, "status", json_string(ch_incident_status_code(inc->status)));
	json_object_set_new(o, "title", json_string(inc->title));
	json_object_set_new(
	    o, "description", ch_json_str_or_null(inc->description));
	json_object_set_new(o, "zone_id", ch_json_str_or_null(inc->zone_id));
	json_object_set_new(
	    o, "place_kind", json_string(ch_place_kind_code(inc->place_kind)));
	json_object_set_new(
	    o, "place_name", ch_json_str_or_null(inc->place_name));
	json_object_set_new(o, "latitude",
	    inc->has_location ? json_real(inc->latitude) : json_null());
	json_object_set_new(o, "longitude",
	    inc->has_location ? json_real(inc->longitude) : json_null());
	json_object_set_new(o, "occurred_at", json_string(inc->occurred_at));
	json_object_set_new(o, "reported_at", json_string(inc->reported_at));
	json_object_set_new(
	    o, "reporter_user_id", ch_json_str_or_null(inc->reporter_user_id));
	json_object_set_new(o, "classification",
	    json_string(ch_clearance_code(inc->classification)));
	json_object_set_new(o, "tlp", json_string(ch_tlp_code(inc->tlp)));
	for (size_t i = 0; i < inc->nrecipients; i++)
		json_array_append_new(
		    recipients, json_string(inc->recipients[i]));
	json_object_set_new(o, "recipients", recipients);
	json_object_set_new(o, "version", json_integer(inc->version));
	json_object_set_new(o, "created_at", json_string(inc->created_at));
	json_object_set_new(o, "updated_at", json_string(inc->updated_at));
	return o;
}

/* The people of an incident; with the immunity summary when the reader
 * may see the person. */
static json_t *
people_json(const struct ch_incident *inc, bool loaded)
{
	json_t *a = json_array();

	for (size_t i = 0; i < inc->npeople; i++) {
		const struct ch_incident_person *ip = &inc->people[i];
		const struct ch_immunity_profile *im = &ip->immunity;
		json_t *o = json_pack("{s:s, s:s}", "person_id", ip->person_id,
		    "role", ch_involvement_code(ip->role));

		if (loaded && ip->visible) {
			json_object_set_new(o, "full_name",
			    json_sprintf("%s %s", ip->person.given_name,
				ip->person.family_name));
			json_object_set_new(o, "category",
			    json_string(
				ch_staff_category_code(ip->person.category)));
			json_object_set_new(o, "category_label",
			    json_string(
				ch_staff_category_label(ip->person.category)));
			json_object_set_new(o, "immunity",
			    json_pack("{s:s, s:s, s:s, s:b, s:s}", "convention",
				im->convention, "arrest",
				ch_arrest_rule_code(im->arrest), "criminal",
				ch_immunity_level_code(im->criminal),
				"in_force", im->in_force, "summary",
				im->summary));
		}
		json_array_append_new(a, o);
	}
	return a;
}

static void
reply_incident(
    struct ch_req *req, unsigned status, const struct ch_incident *inc)
{
	json_t *o = incident_json(inc);

	json_object_set_new(o, "people", people_json(inc, false));
	snprintf(
	    req->etag, sizeof(req->etag), "\"%lld\"", (long long)inc->version);
	ch_reply_json(req, status, o);
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
		    "since and until must be UTC times such as "
		    "2026-03-01T00:00:00Z.",
		    name);
		return false;
	}
	ch_time_format(t, out);
	*dst = out;
	return true;
}

void
ch_h_incidents_list(struct ch_req *req)
{
	struct ch_incident_filter f = {0};
	struct ch_incident_page page;
	char since[CH_TIMESTAMP_LEN], until[CH_TIMESTAMP_LEN];
	const char *s;
	json_t *items;
	long limit = 50;
	ch_err err;

	f.cursor = ch_req_query(req, "cursor");
	if (((s = ch_req_query(req, "status")) != NULL && *s &&
		!(f.has_status = ch_incident_status_parse(s, &f.status))) ||
	    ((s = ch_req_query(req, "type")) != NULL && *s &&
		!(f.has_type = ch_incident_type_parse(s, &f.type))) ||
	    ((s = ch_req_query(req, "category")) != NULL && *s &&
		!(f.has_category = ch_threat_category_parse(s, &f.category))) ||
	    ((s = ch_req_query(req, "severity")) != NULL && *s &&
		!(f.has_severity = ch_severity_parse(s, &f.severity)))) {
		ch_reply_problem(req, "bad-query",
		    "status, type, category and severity take the codes "
		    "listed in docs/api.md.",
		    NULL);
		return;
	}
	if (!query_time(req, "since", since, &f.since) ||
	    !query_time(req, "until", until, &f.until))
		return;
	if ((s = ch_req_query(req, "limit")) != NULL &&
	    !ch_parse_long(s, 1, CH_LIST_LIMIT_MAX, &limit)) {
		ch_reply_problem(req, "bad-query",
		    "limit must be a whole number from 1 to 200.", "limit");
		return;
	}
	f.limit = (int)limit;
	if ((err = ch_incidents_list(&req->ctx, &f, &page)) != CH_OK) {
		if (err == CH_ERR_INVALID)
			ch_reply_problem(
			    req, "bad-cursor", req->ctx.fault.detail, "cursor");
		else
			ch_reply_error(req, err);
		return;
	}
	items = json_array();
	for (size_t i = 0; i < page.count; i++) {
		json_t *o = incident_json(&page.items[i]);

		json_object_set_new(
		    o, "people", people_json(&page.items[i], false));
		json_array_append_new(items, o);
	}
	ch_reply_json(req, 200,
	    json_pack("{s:o, s:o}", "items", items, "next_cursor",
		ch_json_str_or_null(page.next_cursor)));
}

void
ch_h_incidents_get(struct ch_req *req)
{
	struct ch_incident_view v;
	json_t *o, *articles, *transitions, *evidence;
	ch_err err;

	if ((err = ch_incidents_get(&req->ctx, req->params[0], &v)) != CH_OK) {
		ch_reply_error(req, err);
		return;
	}
	o = incident_json(&v.incident);
	json_object_set_new(o, "zone_name", ch_json_str_or_null(v.zone_name));
	json_object_set_new(o, "people", people_json(&v.incident, true));
	articles = json_array();
	for (size_t i = 0; i < v.narticles; i++)
		json_array_append_new(articles,
		    json_pack("{s:s, s:s, s:s, s:s, s:s}", "code",
			v.articles[i]->code, "convention",
			v.articles[i]->convention, "article",
			v.articles[i]->article, "title", v.articles[i]->title,
			"explanation", v.articles[i]->explanation));
	json_object_set_new(o, "articles", articles);
	transitions = json_array();
	for (size_t i = 0; i < v.ntransitions; i++)
		json_array_append_new(transitions,
		    json_pack("{s:s, s:s, s:s, s:s, s:s}", "from",
			ch_incident_status_code(v.transitions[i].from), "to",
			ch_incident_status_code(v.transitions[i].to), "reason",
			v.transitions[i].reason, "actor",
			v.transitions[i].actor, "at", v.transitions[i].at));
	json_object_set_new(o, "transitions", transitions);
	json_object_set_new(
	    o, "timeline", ch_timeline_json(v.timeline, v.ntimeline));
	evidence = json_array();
	for (size_t i = 0; i < v.nevidence; i++)
		json_array_append_new(
		    evidence, ch_evidence_json(&v.evidence[i]));
	json_object_set_new(o, "evidence", evidence);
	snprintf(req->etag, sizeof(req->etag), "\"%lld\"",
	    (long long)v.incident.version);
	if (v.incident.tlp != CH_TLP_CLEAR) {
		req->audit_object_id =
		    ch_arena_strdup(req->arena, v.incident.id);
		req->audit_post_id =
		    ch_arena_strdup(req->arena, v.incident.post_id);
	}
	ch_reply_json(req, 200, o);
}

void
ch_h_incidents_create(struct ch_req *req)
{
	struct ch_incident_input in;
	struct ch_incident inc;
	ch_err err;

	if (!incident_input(req, &in))
		return;
	if ((err = ch_incidents_report(&req->ctx, &in, &inc)) != CH_OK) {
		ch_reply_error(req, err);
		return;
	}
	req->location =
	    ch_arena_printf(req->arena, "/api/v1/incidents/%s", inc.id);
	reply_incident(req, 201, &inc);
}

void
ch_h_incidents_update(struct ch_req *req)
{
	struct ch_incident_input in;
	struct ch_incident inc;
	int64_t version;
	ch_err err;

	if (!ch_req_if_match(req, &version))
		return;
	if (!incident_input(req, &in))
		return;
	err =
	    ch_incidents_update(&req->ctx, req->params[0], &in, version, &inc);
	if (err != CH_OK) {
		ch_reply_error(req, err);
		return;
	}
	reply_incident(req, 200, &inc);
}

void
ch_h_incidents_transition(struct ch_req *req)
{
	struct ch_incident inc;
	ch_err err;

	err = ch_incidents_transition(&req->ctx, req->params[0],
	    ch_json_str(req->body, "to"), ch_json_str(req->body, "reason"),
	    &inc);
	if (err != CH_OK) {
		ch_reply_error(req, err);
		return;
	}
	reply_incident(req, 200, &inc);
}

void
ch_h_trends(struct ch_req *req)
{
	struct ch_trend_params p;
	struct ch_trend_report *rep;
	const char *s;
	json_t *cats;
	long v;
	ch_err err;

	ch_trend_defaults(&p);
	if ((s = ch_req_query(req, "window")) != NULL) {
		if (!ch_parse_long(s, 1, 60, &v)) {
			ch_reply_problem(req, "bad-query",
			    "window is the recent window in days, 1 to 60.",
			    "window");
			return;
		}
		p.window_days = (int)v;
	}
	if ((s = ch_req_query(req, "baseline")) != NULL) {
		if (!ch_parse_long(s, 7, 365, &v)) {
			ch_reply_problem(req, "bad-query",
			    "baseline is the trailing baseline in days, 7 to "
			    "365.",
			    "baseline");
			return;
		}
		p.baseline_days = (int)v;
	}
	rep = ch_arena_alloc(req->arena, sizeof(*rep));
	if (rep == NULL) {
		ch_reply_error(req, CH_ERR_NOMEM);
		return;
	}
	err = ch_incident_trends(&req->ctx, req->params[0], &p, rep);
	if (err != CH_OK) {
		ch_reply_error(req, err);
		return;
	}
	cats = json_array();
	for (int c = 0; c < CH_THREAT__COUNT; c++) {
		const struct ch_trend_result *t = &rep->category[c];
		json_t *daily = json_array();

		for (int d = 0; d < rep->ndays; d++)
			json_array_append_new(
			    daily, json_integer(rep->daily[c][d]));
		json_array_append_new(cats,
		    json_pack("{s:s, s:i, s:i, s:f, s:f, s:f, s:b, s:s, s:o}",
			"category",
			ch_threat_category_code((enum ch_threat_category)c),
			"recent", t->recent, "baseline_total",
			t->baseline_total, "baseline_rate", t->rate, "expected",
			t->expected, "p_value", t->p_value, "alert", t->alert,
			"explanation", t->explanation, "daily", daily));
	}
	ch_reply_json(req, 200,
	    json_pack("{s:s, s:s, s:i, s:i, s:f, s:f, s:i, s:o}", "post_id",
		rep->post_id, "through", rep->through, "window_days",
		p.window_days, "baseline_days", p.baseline_days, "alpha",
		p.alpha, "floor_rate", p.floor_rate, "min_count", p.min_count,
		"categories", cats));
}
