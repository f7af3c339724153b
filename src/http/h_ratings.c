/*
 * h_ratings.c — the threat rating routes: a post's ratings (official,
 * computed with its explanation and top contributors, the disagreement,
 * optionally the history), setting the official rating, and the formula's
 * per post settings.
 */
#include <string.h>

#include "http/http.h"
#include "risks/ratings.h"

static const char *const categories[] = {"political_violence", "terrorism",
    "crime", "human_intelligence", "technical_cyber", NULL};
static const char *const levels[] = {"Low", "Medium", "High", "Critical", NULL};

static const struct ch_jfield set_fields[] = {
    {"category", CH_J_ENUM, true, false, 40, categories, "Threat category."},
    {"level", CH_J_ENUM, true, false, 10, levels, "The official rating."},
    {"rationale", CH_J_STRING, true, false, CH_RATING_RATIONALE_MAX, NULL,
	"Why: required, kept in the history."},
};
const struct ch_jschema ch_schema_rating_set = {
    "RatingSet", set_fields, CH_ARRAY_LEN(set_fields)};

static const struct ch_jfield settings_fields[] = {
    {"tau_days", CH_J_NUMBER, true, false, 0, NULL,
	"Decay time constant in days (1 to 365)."},
    {"lookback_days", CH_J_INTEGER, true, false, 0, NULL,
	"Incidents older than this do not count (7 to 730)."},
    {"threshold_medium", CH_J_NUMBER, true, false, 0, NULL,
	"Score at which the computed rating is Medium."},
    {"threshold_high", CH_J_NUMBER, true, false, 0, NULL,
	"Score at which it is High."},
    {"threshold_critical", CH_J_NUMBER, true, false, 0, NULL,
	"Score at which it is Critical."},
    {"disagree_days", CH_J_INTEGER, true, false, 0, NULL,
	"Flag official and computed that differ this many days (0 to "
	"365)."},
};
const struct ch_jschema ch_schema_rating_settings = {
    "RatingSettings", settings_fields, CH_ARRAY_LEN(settings_fields)};

static json_t *
settings_json(const struct ch_rating_settings *s)
{
	return json_pack("{s:f, s:i, s:f, s:f, s:f, s:i, s:{s:f, s:{s:f, s:f, "
			 "s:f, s:f, s:f}, s:{s:f, s:f, s:f, s:f, s:f, s:f}, "
			 "s:{s:f, s:f, s:f, s:f, s:f, s:f}}}",
	    "tau_days", s->tau_days, "lookback_days", s->lookback_days,
	    "threshold_medium", s->threshold[CH_LEVEL_MEDIUM], "threshold_high",
	    s->threshold[CH_LEVEL_HIGH], "threshold_critical",
	    s->threshold[CH_LEVEL_CRITICAL], "disagree_days", s->disagree_days,
	    "weights", "report", ch_rating_report_weight, "severity", "Extreme",
	    ch_rating_severity_weight(CH_SEV_EXTREME), "Severe",
	    ch_rating_severity_weight(CH_SEV_SEVERE), "Moderate",
	    ch_rating_severity_weight(CH_SEV_MODERATE), "Minor",
	    ch_rating_severity_weight(CH_SEV_MINOR), "Unknown",
	    ch_rating_severity_weight(CH_SEV_UNKNOWN), "reliability", "A",
	    ch_rating_reliability_weight('A'), "B",
	    ch_rating_reliability_weight('B'), "C",
	    ch_rating_reliability_weight('C'), "D",
	    ch_rating_reliability_weight('D'), "E",
	    ch_rating_reliability_weight('E'), "F",
	    ch_rating_reliability_weight('F'), "credibility", "1",
	    ch_rating_credibility_weight(1), "2",
	    ch_rating_credibility_weight(2), "3",
	    ch_rating_credibility_weight(3), "4",
	    ch_rating_credibility_weight(4), "5",
	    ch_rating_credibility_weight(5), "6",
	    ch_rating_credibility_weight(6));
}

static json_t *
change_json(const struct ch_rating_change *c)
{
	return json_pack("{s:s, s:s, s:o, s:s, s:s, s:s, s:s}", "id", c->id,
	    "category", ch_threat_category_code(c->category), "from",
	    c->has_from ? json_string(ch_threat_level_code(c->from))
			: json_null(),
	    "to", ch_threat_level_code(c->to), "rationale", c->rationale,
	    "actor", c->actor, "at", c->at);
}

static json_t *
computed_json(const struct ch_rating_computed *c)
{
	json_t *top = json_array();

	for (size_t i = 0; i < c->ntop; i++) {
		const struct ch_rating_contributor *t = &c->top[i];

		json_array_append_new(top,
		    json_pack("{s:s, s:o, s:o, s:s, s:f, s:f, s:f, s:f}",
			"kind", t->report ? "report" : "incident", "id",
			t->title ? json_string(t->id) : json_null(), "title",
			ch_json_str_or_null(t->title), "grade", t->grade,
			"weight", t->weight, "decay", t->decay, "contribution",
			t->contribution, "age_days", t->age_days));
	}
	return json_pack("{s:s, s:f, s:f, s:f, s:i, s:i, s:i, s:s, s:o}",
	    "level", ch_threat_level_code(c->level), "score", c->score,
	    "incident_score", c->incident_score, "report_score",
	    c->report_score, "incidents", c->nincidents, "incidents_30_days",
	    c->nrecent, "reports", c->nreports, "explanation", c->explanation,
	    "top", top);
}

void
ch_h_ratings_get(struct ch_req *req)
{
	struct ch_ratings_report *rep;
	const char *s;
	bool history = false;
	long days = 365;
	json_t *cats;
	ch_err err;

	if ((s = ch_req_query(req, "history")) != NULL) {
		if (strcmp(s, "true") != 0 && strcmp(s, "false") != 0) {
			ch_reply_problem(req, "bad-query",
			    "history is true or false.", "history");
			return;
		}
		history = strcmp(s, "true") == 0;
	}
	if ((s = ch_req_query(req, "days")) != NULL &&
	    !ch_parse_long(s, 1, CH_RATING_HISTORY_DAYS, &days)) {
		ch_reply_problem(req, "bad-query",
		    "days is the length of the history, 1 to 400.", "days");
		return;
	}
	rep = ch_arena_alloc(req->arena, sizeof(*rep));
	if (rep == NULL) {
		ch_reply_error(req, CH_ERR_NOMEM);
		return;
	}
	err =
	    ch_ratings_get(&req->ctx, req->params[0], history, (int)days, rep);
	if (err != CH_OK) {
		ch_reply_error(req, err);
		return;
	}
	cats = json_array();
	for (int c = 0; c < CH_THREAT__COUNT; c++) {
		const struct ch_rating_view *v = &rep->category[c];

		json_array_append_new(cats,
		    json_pack("{s:s, s:o, s:o, s:b, s:o, s:i, s:b, s:i}",
			"category", ch_threat_category_code(v->category),
			"official",
			v->has_official ? change_json(&v->official)
					: json_null(),
			"computed", computed_json(&v->computed), "differs",
			v->differs, "disagree_since",
			v->differs ? json_string(v->disagree_since)
				   : json_null(),
			"disagree_days", v->disagree_days, "disagreement",
			v->disagreement, "flagged_risks", v->flagged_risks));
	}
	json_t *o = json_pack("{s:s, s:s, s:o, s:o}", "post_id", rep->post_id,
	    "as_of", rep->as_of, "settings", settings_json(&rep->settings),
	    "categories", cats);
	if (history) {
		json_t *changes = json_array(), *daily = json_array();

		for (size_t i = 0; i < rep->nchanges; i++)
			json_array_append_new(
			    changes, change_json(&rep->changes[i]));
		for (size_t i = 0; i < rep->ndays; i++)
			json_array_append_new(daily,
			    json_pack("{s:s, s:s, s:s, s:f}", "day",
				rep->days[i].day, "category",
				ch_threat_category_code(rep->days[i].category),
				"level",
				ch_threat_level_code(rep->days[i].level),
				"score", rep->days[i].score));
		json_object_set_new(o, "changes", changes);
		json_object_set_new(o, "daily", daily);
	}
	ch_reply_json(req, 200, o);
}

void
ch_h_ratings_set(struct ch_req *req)
{
	struct ch_rating_change c;
	int flagged = 0;
	json_t *o;
	ch_err err;

	err = ch_ratings_set(&req->ctx, req->params[0],
	    ch_json_str(req->body, "category"), ch_json_str(req->body, "level"),
	    ch_json_str(req->body, "rationale"), NULL, &c, &flagged);
	if (err != CH_OK) {
		ch_reply_error(req, err);
		return;
	}
	o = change_json(&c);
	json_object_set_new(o, "post_id", json_string(c.post_id));
	json_object_set_new(o, "raised",
	    json_boolean(c.has_from ? c.to > c.from : c.to > CH_LEVEL_LOW));
	json_object_set_new(o, "flagged_risks", json_integer(flagged));
	ch_reply_json(req, 201, o);
}

void
ch_h_rating_settings_get(struct ch_req *req)
{
	struct ch_rating_settings s;
	ch_err err;

	if ((err = ch_ratings_settings_get(&req->ctx, req->params[0], &s)) !=
	    CH_OK) {
		ch_reply_error(req, err);
		return;
	}
	ch_reply_json(req, 200, settings_json(&s));
}

void
ch_h_rating_settings_put(struct ch_req *req)
{
	struct ch_rating_settings s;
	const json_t *b = req->body;
	ch_err err;

	ch_rating_settings_defaults(&s);
	s.tau_days = json_number_value(json_object_get(b, "tau_days"));
	s.lookback_days =
	    (int)json_integer_value(json_object_get(b, "lookback_days"));
	s.threshold[CH_LEVEL_MEDIUM] =
	    json_number_value(json_object_get(b, "threshold_medium"));
	s.threshold[CH_LEVEL_HIGH] =
	    json_number_value(json_object_get(b, "threshold_high"));
	s.threshold[CH_LEVEL_CRITICAL] =
	    json_number_value(json_object_get(b, "threshold_critical"));
	s.disagree_days =
	    (int)json_integer_value(json_object_get(b, "disagree_days"));
	/* Out-of-range integers would wrap in the casts above. */
	if (json_integer_value(json_object_get(b, "lookback_days")) > 100000 ||
	    json_integer_value(json_object_get(b, "disagree_days")) > 100000 ||
	    json_integer_value(json_object_get(b, "lookback_days")) < 0 ||
	    json_integer_value(json_object_get(b, "disagree_days")) < 0) {
		ch_reply_problem(req, "validation",
		    "lookback_days and disagree_days are small whole numbers "
		    "of days.",
		    "/lookback_days");
		return;
	}
	if ((err = ch_ratings_settings_set(&req->ctx, req->params[0], &s)) !=
	    CH_OK) {
		ch_reply_error(req, err);
		return;
	}
	ch_reply_json(req, 200, settings_json(&s));
}
