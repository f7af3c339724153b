/*
 * test_ratings.c — threat ratings: the formula (decay, weights, thresholds,
 * what counts and what does not, the explanation and its contributors)
 * driven directly, and the use cases over the store ($CH_TEST_DSN,
 * PostgreSQL in the test run, or a temporary SQLite file): official
 * changes with their history, a rise flagging the linked risks and
 * publishing threat.rating.raised, daily snapshots that are not rewritten,
 * and the disagreement flag under a moved clock.
 */
#include <criterion/criterion.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/events.h"
#include "incidents/incidents.h"
#include "people/people.h"
#include "risks/ratings.h"
#include "risks/risks.h"
#include "store/store.h"

#define DAY 86400
#define T0 ((int64_t)1780000000) /* a fixed "now" for the formula */

static struct ch_rating_settings defaults;

static void
init_defaults(void)
{
	ch_rating_settings_defaults(&defaults);
}

static struct ch_rating_incident
incident(enum ch_threat_category c, enum ch_severity s, double days_ago,
    const char *title)
{
	struct ch_rating_incident i = {0};

	i.id = "01a21488-0000-7000-8000-000000000001";
	i.title = title;
	i.category = c;
	i.severity = s;
	i.occurred_at = T0 - (int64_t)(days_ago * DAY);
	i.reported_at = i.occurred_at;
	i.visible = true;
	return i;
}

static struct ch_rating_report
report(enum ch_threat_category c, char rel, int cred, double days_ago,
    int64_t valid_until)
{
	struct ch_rating_report r = {0};

	r.id = "01a21488-0000-7000-8000-000000000002";
	r.title = "Report";
	r.category = c;
	r.reliability = rel;
	r.credibility = cred;
	r.issued_at = T0 - (int64_t)(days_ago * DAY);
	r.recorded_at = r.issued_at;
	r.valid_from = r.issued_at;
	r.valid_until = valid_until;
	r.visible = true;
	return r;
}

TestSuite(formula, .init = init_defaults);

Test(formula, decays_exponentially_with_tau)
{
	struct ch_rating_computed out;
	struct ch_rating_incident i;
	double tau = defaults.tau_days;

	i = incident(CH_THREAT_CRIME, CH_SEV_SEVERE, 0, "fresh");
	ch_rating_compute(&defaults, CH_THREAT_CRIME, T0, &i, 1, NULL, 0, &out);
	cr_assert_float_eq(out.score, 2.0, 1e-12);
	i = incident(CH_THREAT_CRIME, CH_SEV_SEVERE, tau, "one tau");
	ch_rating_compute(&defaults, CH_THREAT_CRIME, T0, &i, 1, NULL, 0, &out);
	cr_assert_float_eq(out.score, 2.0 / M_E, 1e-12);
	i = incident(CH_THREAT_CRIME, CH_SEV_SEVERE, 2 * tau, "two tau");
	ch_rating_compute(&defaults, CH_THREAT_CRIME, T0, &i, 1, NULL, 0, &out);
	cr_assert_float_eq(out.score, 2.0 / (M_E * M_E), 1e-12);
	cr_assert_float_eq(out.top[0].age_days, 2 * tau, 1e-9);
	cr_assert_float_eq(out.top[0].decay, exp(-2.0), 1e-12);
}

Test(formula, severity_and_grading_weights)
{
	cr_assert_float_eq(ch_rating_severity_weight(CH_SEV_EXTREME), 4.0, 0);
	cr_assert(ch_rating_severity_weight(CH_SEV_EXTREME) >
	    ch_rating_severity_weight(CH_SEV_SEVERE));
	cr_assert(ch_rating_severity_weight(CH_SEV_SEVERE) >
	    ch_rating_severity_weight(CH_SEV_MODERATE));
	cr_assert(ch_rating_severity_weight(CH_SEV_MODERATE) >
	    ch_rating_severity_weight(CH_SEV_MINOR));
	for (char r = 'A'; r < 'E'; r++)
		cr_assert(ch_rating_reliability_weight(r) >
			ch_rating_reliability_weight((char)(r + 1)),
		    "%c", r);
	for (int c = 1; c < 5; c++)
		cr_assert(ch_rating_credibility_weight(c) >
		    ch_rating_credibility_weight(c + 1));
	cr_assert_float_eq(ch_rating_reliability_weight('G'), 0, 0);
	cr_assert_float_eq(ch_rating_credibility_weight(7), 0, 0);

	/* A fresh A1 report counts as a fresh Severe incident; B2 less. */
	struct ch_rating_report r = report(CH_THREAT_TERRORISM, 'A', 1, 0, 0);
	struct ch_rating_computed out;

	ch_rating_compute(
	    &defaults, CH_THREAT_TERRORISM, T0, NULL, 0, &r, 1, &out);
	cr_assert_float_eq(out.score, 2.0, 1e-12);
	cr_assert_eq(out.nreports, 1);
	cr_assert_str_eq(out.top[0].grade, "A1");
	r = report(CH_THREAT_TERRORISM, 'B', 2, 0, 0);
	ch_rating_compute(
	    &defaults, CH_THREAT_TERRORISM, T0, NULL, 0, &r, 1, &out);
	cr_assert_float_eq(out.score, 2.0 * 0.8 * 0.8, 1e-12);
	cr_assert_str_eq(out.top[0].grade, "B2");
	cr_assert_float_eq(out.report_score, out.score, 1e-12);
	cr_assert_float_eq(out.incident_score, 0, 0);
}

Test(formula, thresholds_are_inclusive_and_increasing)
{
	cr_assert_eq(ch_rating_level_of(&defaults, 0), CH_LEVEL_LOW);
	cr_assert_eq(ch_rating_level_of(&defaults, 1.9999), CH_LEVEL_LOW);
	cr_assert_eq(ch_rating_level_of(&defaults, 2.0), CH_LEVEL_MEDIUM);
	cr_assert_eq(ch_rating_level_of(&defaults, 4.9999), CH_LEVEL_MEDIUM);
	cr_assert_eq(ch_rating_level_of(&defaults, 5.0), CH_LEVEL_HIGH);
	cr_assert_eq(ch_rating_level_of(&defaults, 9.9999), CH_LEVEL_HIGH);
	cr_assert_eq(ch_rating_level_of(&defaults, 10.0), CH_LEVEL_CRITICAL);
	cr_assert_eq(ch_rating_level_of(&defaults, 1e9), CH_LEVEL_CRITICAL);

	struct ch_rating_settings s = defaults;
	struct ch_fault f = {{0}, {0}};

	cr_assert(ch_rating_settings_check(&s, &f));
	s.threshold[CH_LEVEL_HIGH] = 0.5;
	cr_assert_not(ch_rating_settings_check(&s, &f));
	cr_assert_str_eq(f.field, "/thresholds");
	s = defaults;
	s.tau_days = 0;
	cr_assert_not(ch_rating_settings_check(&s, &f));
	cr_assert_str_eq(f.field, "/tau_days");
	s = defaults;
	s.disagree_days = -1;
	cr_assert_not(ch_rating_settings_check(&s, &f));
}

Test(formula, counts_only_what_was_known_in_the_window_and_category)
{
	struct ch_rating_incident in[5];
	struct ch_rating_report rep[3];
	struct ch_rating_computed out;

	in[0] = incident(CH_THREAT_CRIME, CH_SEV_MODERATE, 1, "counts");
	in[1] = incident(CH_THREAT_TERRORISM, CH_SEV_EXTREME, 1, "other");
	in[2] = incident(CH_THREAT_CRIME, CH_SEV_EXTREME, -1, "future");
	in[3] = incident(CH_THREAT_CRIME, CH_SEV_EXTREME, 2, "reported late");
	in[3].reported_at = T0 + 3600;
	in[4] = incident(CH_THREAT_CRIME, CH_SEV_EXTREME, 400, "too old");
	rep[0] = report(CH_THREAT_CRIME, 'A', 1, 10, T0 - DAY); /* expired */
	rep[1] = report(CH_THREAT_CRIME, 'C', 3, 0, 0);         /* open */
	rep[2] = report(CH_THREAT_CRIME, 'A', 1, 1, T0 + DAY);
	rep[2].recorded_at = T0 + 60; /* entered after t */
	ch_rating_compute(&defaults, CH_THREAT_CRIME, T0, in, 5, rep, 3, &out);
	cr_assert_eq(out.nincidents, 1);
	cr_assert_eq(out.nreports, 1);
	cr_assert_float_eq(out.incident_score, exp(-1.0 / 60), 1e-12);
	cr_assert_float_eq(out.report_score, 2.0 * 0.6 * 0.6, 1e-12);
	cr_assert_float_eq(
	    out.score, out.incident_score + out.report_score, 1e-12);
}

Test(formula, explanation_names_level_threshold_and_top_contributors)
{
	struct ch_rating_incident in[5];
	struct ch_rating_report r;
	struct ch_rating_computed out;

	for (int k = 0; k < 4; k++)
		in[k] = incident(CH_THREAT_POLITICAL_VIOLENCE, CH_SEV_MINOR,
		    10 + k, "small protest");
	in[4] = incident(CH_THREAT_POLITICAL_VIOLENCE, CH_SEV_SEVERE, 3,
	    "Violent demonstration");
	r = report(CH_THREAT_POLITICAL_VIOLENCE, 'C', 3, 2, 0);
	r.title = "Secret plan";
	r.visible = false;
	ch_rating_compute(
	    &defaults, CH_THREAT_POLITICAL_VIOLENCE, T0, in, 5, &r, 1, &out);
	/* 2 e^-0.05 + 4 x 0.4 e^-0.2 + 0.72 e^-1/30 = 3.9: Medium. */
	cr_assert_eq(out.level, CH_LEVEL_MEDIUM, "score %f", out.score);
	cr_assert_eq(out.ntop, CH_RATING_CONTRIBUTORS_MAX);
	for (size_t k = 1; k < out.ntop; k++)
		cr_assert(
		    out.top[k - 1].contribution >= out.top[k].contribution);
	cr_assert_str_eq(out.top[0].title, "Violent demonstration");
	cr_assert(out.top[1].report);
	cr_assert_null(out.top[1].title, "a report the reader may not read");
	cr_assert_eq(out.nrecent, 5);
	char want[120];
	snprintf(want, sizeof(want),
	    "Medium because the score %.2f reaches the Medium threshold 2.00 "
	    "(High needs 5.00): 5 incidents",
	    out.score);
	cr_assert(strncmp(out.explanation, want, strlen(want)) == 0, "%s",
	    out.explanation);
	cr_assert(strstr(out.explanation, "1 valid report contributes") != NULL,
	    "%s", out.explanation);
	cr_assert(
	    strstr(out.explanation,
		"Largest: Severe incident \"Violent demonstration\"") != NULL,
	    "%s", out.explanation);
	cr_assert(strstr(out.explanation, "C3 report,") != NULL, "%s",
	    out.explanation);
	cr_assert(strstr(out.explanation, "Secret plan") == NULL);

	ch_rating_compute(&defaults, CH_THREAT_CRIME, T0, in, 5, &r, 1, &out);
	cr_assert_eq(out.level, CH_LEVEL_LOW);
	cr_assert(strncmp(out.explanation,
		      "Low because the score 0.00 is below the Medium "
		      "threshold 2.00",
		      60) == 0,
	    "%s", out.explanation);
}

/* ---- the use cases over the store ---- */

static char sqlite_path[128];
static struct ch_store *store;
static struct ch_ctx ctx;
static char post_id[CH_ID_LEN], other_post[CH_ID_LEN], person_id[CH_ID_LEN];
static struct ch_principal officer, analyst, guard;

static void
make_post(const char *label, char out_id[CH_ID_LEN])
{
	struct ch_post in = {0}, out;
	char name[80];

	snprintf(name, sizeof(name), "Ratings post %s %d-%ld", label,
	    (int)getpid(), (long)random());
	in.name = name;
	in.kind = CH_POST_EMBASSY;
	memcpy(in.country, "KE", 3);
	in.city = "Nairobi";
	in.timezone = "Africa/Nairobi";
	cr_assert_eq(
	    ch_posts_create(&ctx, &in, &out), CH_OK, "%s", ctx.fault.detail);
	memcpy(out_id, out.id, CH_ID_LEN);
}

static struct ch_principal
principal(unsigned roles, const char *post)
{
	struct ch_principal w;

	memset(&w, 0, sizeof(w));
	ch_id_new(w.user_id);
	ch_strlcpy(w.username, "tester", sizeof(w.username));
	w.roles = roles;
	w.clearance = CH_CLEARANCE_SECRET;
	ch_strlcpy(w.post_id, post, sizeof(w.post_id));
	return w;
}

static void
setup(void)
{
	const char *env = getenv("CH_TEST_DSN");
	struct ch_person_input in = {0};
	struct ch_person p;
	char dsn[600];

	ch_log_set_quiet(true);
	ch_clock_set_offset(0);
	if (env != NULL && *env != '\0') {
		snprintf(dsn, sizeof(dsn), "%s", env);
	} else {
		snprintf(sqlite_path, sizeof(sqlite_path),
		    "/tmp/ch-ratings-%d.db", (int)getpid());
		snprintf(dsn, sizeof(dsn), "sqlite:%s", sqlite_path);
	}
	cr_assert_eq(ch_store_open(dsn, 2, &store), CH_OK);
	memset(&ctx, 0, sizeof(ctx));
	ctx.store = store;
	ctx.arena = ch_arena_create(0);
	ctx.request_id = "test";
	ctx.source = "test";
	make_post("a", post_id);
	make_post("b", other_post);
	in.set = CH_PF_POST_ID | CH_PF_GIVEN_NAME | CH_PF_FAMILY_NAME |
	    CH_PF_CATEGORY | CH_PF_NATIONALITY;
	in.post_id = post_id;
	in.given_name = "Risk";
	in.family_name = "Owner";
	in.category = "diplomatic_agent";
	in.nationality = "DK";
	cr_assert_eq(
	    ch_people_create(&ctx, &in, &p), CH_OK, "%s", ctx.fault.detail);
	memcpy(person_id, p.id, CH_ID_LEN);
	officer = principal(1u << CH_ROLE_SECURITY_OFFICER, post_id);
	analyst = principal(1u << CH_ROLE_ANALYST, post_id);
	guard = principal(1u << CH_ROLE_GUARD, post_id);
}

static void
teardown(void)
{
	ch_clock_set_offset(0);
	ch_events_unsubscribe_all();
	ch_arena_destroy(ctx.arena);
	ch_store_close(store);
	if (sqlite_path[0]) {
		char extra[160];

		unlink(sqlite_path);
		snprintf(extra, sizeof(extra), "%s-wal", sqlite_path);
		unlink(extra);
		snprintf(extra, sizeof(extra), "%s-shm", sqlite_path);
		unlink(extra);
	}
}

TestSuite(ratings, .init = setup, .fini = teardown);

static struct ch_ctx
as(const struct ch_principal *who)
{
	struct ch_ctx c = ctx;

	c.who = who;
	memset(&c.fault, 0, sizeof(c.fault));
	return c;
}

static void
make_risk(const char *category, char out_id[CH_ID_LEN])
{
	struct ch_risk_input in = {0};
	struct ch_ctx c = as(&officer);
	struct ch_risk r;
	const char *cats[1] = {category};

	in.set = CH_RF_POST_ID | CH_RF_TITLE | CH_RF_ASSET | CH_RF_LIKELIHOOD |
	    CH_RF_IMPACT | CH_RF_CATEGORIES | CH_RF_OWNER;
	in.post_id = post_id;
	in.title = "A risk";
	in.asset = "Staff";
	in.likelihood = 3;
	in.impact = 3;
	in.categories = cats;
	in.ncategories = 1;
	in.owner_person_id = person_id;
	cr_assert_eq(ch_risks_create(&c, &in, &r), CH_OK, "%s", c.fault.detail);
	memcpy(out_id, r.id, CH_ID_LEN);
}

static void
report_incident(
    const char *category, const char *severity, int days_ago, const char *title)
{
	struct ch_incident_input in = {0};
	struct ch_incident out;
	char at[CH_TIMESTAMP_LEN];

	ch_time_format(ch_clock_now() - (int64_t)days_ago * DAY, at);
	in.set = CH_IF_POST_ID | CH_IF_TYPE | CH_IF_CATEGORY | CH_IF_SEVERITY |
	    CH_IF_TITLE | CH_IF_OCCURRED_AT | CH_IF_REPORTED_AT |
	    CH_IF_CLASSIFICATION | CH_IF_TLP;
	in.post_id = post_id;
	in.type = "other";
	in.category = category;
	in.severity = severity;
	in.title = title;
	in.occurred_at = at;
	in.reported_at = at;
	in.classification = "UNCLASSIFIED";
	in.tlp = "CLEAR";
	cr_assert_eq(ch_incidents_report(&ctx, &in, &out), CH_OK, "%s",
	    ctx.fault.detail);
}

struct seen {
	int set, raised;
	char object_id[CH_ID_LEN], post_id[CH_ID_LEN];
};

static void
record(const struct ch_event *ev, void *arg)
{
	struct seen *s = arg;

	if (strcmp(ev->type, "threat.rating.set") == 0)
		s->set++;
	if (strcmp(ev->type, "threat.rating.raised") == 0) {
		s->raised++;
		ch_strlcpy(s->object_id, ev->object_id, CH_ID_LEN);
		ch_strlcpy(s->post_id, ev->post_id, CH_ID_LEN);
	}
}

Test(ratings, raise_flags_linked_risks_and_publishes_after_commit)
{
	struct ch_ctx c = as(&officer);
	struct ch_rating_change ch;
	struct seen seen = {0};
	char linked[CH_ID_LEN], unlinked[CH_ID_LEN];
	struct ch_risk r;
	int flagged = -1;

	make_risk("terrorism", linked);
	make_risk("crime", unlinked);
	cr_assert_eq(ch_events_subscribe(record, &seen), CH_OK);
	cr_assert_eq(ch_ratings_set(&c, post_id, "terrorism", "Medium",
			 "Baseline.", NULL, &ch, &flagged),
	    CH_OK, "%s", c.fault.detail);
	cr_assert_eq(flagged, 1, "a first rating above Low is a rise");
	cr_assert_eq(seen.raised, 1);
	cr_assert_str_eq(seen.object_id, ch.id);
	cr_assert_str_eq(seen.post_id, post_id);
	cr_assert_eq(ch_risks_review(&c, linked, "Checked.", NULL, &r), CH_OK);
	cr_assert_not(r.flagged);

	cr_assert_eq(ch_ratings_set(&c, post_id, "terrorism", "Low", "Calmer.",
			 NULL, &ch, &flagged),
	    CH_OK);
	cr_assert_eq(flagged, 0);
	cr_assert_eq(seen.raised, 1, "a lowering publishes no rise");
	cr_assert_eq(seen.set, 2);
	cr_assert_eq(ch_risks_get(&c, linked, &r), CH_OK);
	cr_assert_not(r.flagged);

	cr_assert_eq(ch_ratings_set(&c, post_id, "terrorism", "Critical",
			 "Attack warning.", NULL, &ch, &flagged),
	    CH_OK);
	cr_assert_eq(seen.raised, 2);
	/* What a subscriber reads from the event's object id. */
	struct ch_rating_change got;
	struct ch_ctx g = as(&guard);
	cr_assert_eq(ch_ratings_change_get(&c, seen.object_id, &got), CH_OK);
	cr_assert_eq(got.category, CH_THREAT_TERRORISM);
	cr_assert_eq(got.from, CH_LEVEL_LOW);
	cr_assert_eq(got.to, CH_LEVEL_CRITICAL);
	cr_assert_str_eq(got.rationale, "Attack warning.");
	cr_assert_eq(
	    ch_ratings_change_get(&g, seen.object_id, &got), CH_ERR_NOT_FOUND);
	cr_assert(ch.has_from);
	cr_assert_eq(ch.from, CH_LEVEL_LOW);
	cr_assert_eq(ch_risks_get(&c, linked, &r), CH_OK);
	cr_assert(r.flagged);
	cr_assert(strstr(r.flag_reason, "raised from Low to Critical") != NULL,
	    "%s", r.flag_reason);
	cr_assert_str_eq(r.flagged_at, ch.at);
	cr_assert_eq(ch_risks_get(&c, unlinked, &r), CH_OK);
	cr_assert_not(r.flagged);
}

Test(ratings, history_keeps_who_when_from_to_and_why)
{
	struct ch_ctx c = as(&officer);
	struct ch_ratings_report *rep = ch_arena_alloc(ctx.arena, sizeof(*rep));
	struct ch_rating_change ch;
	int flagged;

	cr_assert_eq(ch_ratings_set(&c, post_id, "crime", "High",
			 "Carjackings.", NULL, &ch, &flagged),
	    CH_OK);
	cr_assert_eq(ch_ratings_set(&c, post_id, "crime", "Medium",
			 "Arrests made.", NULL, &ch, &flagged),
	    CH_OK);
	cr_assert_eq(ch_ratings_get(&c, post_id, true, 30, rep), CH_OK);
	cr_assert_eq(rep->nchanges, 2);
	cr_assert_str_eq(rep->changes[0].rationale, "Arrests made.");
	cr_assert_eq(rep->changes[0].from, CH_LEVEL_HIGH);
	cr_assert_eq(rep->changes[0].to, CH_LEVEL_MEDIUM);
	cr_assert_str_eq(rep->changes[0].actor, "tester");
	cr_assert_not(rep->changes[1].has_from);
	cr_assert(rep->category[CH_THREAT_CRIME].has_official);
	cr_assert_eq(
	    rep->category[CH_THREAT_CRIME].official.to, CH_LEVEL_MEDIUM);
	cr_assert_not(rep->category[CH_THREAT_TERRORISM].has_official);

	/* Validation and who may. */
	cr_assert_eq(ch_ratings_set(
			 &c, post_id, "crime", "High", "", NULL, &ch, &flagged),
	    CH_ERR_INVALID);
	cr_assert_str_eq(c.fault.field, "/rationale");
	struct ch_ctx a = as(&analyst), g = as(&guard);
	cr_assert_eq(ch_ratings_set(&a, post_id, "crime", "High", "Mine.", NULL,
			 &ch, &flagged),
	    CH_ERR_DENIED);
	cr_assert_eq(ch_ratings_get(&a, post_id, false, 0, rep), CH_OK);
	cr_assert_eq(ch_ratings_get(&g, post_id, false, 0, rep), CH_ERR_DENIED);
	cr_assert_eq(
	    ch_ratings_get(&c, other_post, false, 0, rep), CH_ERR_NOT_FOUND);
}

Test(ratings, snapshots_are_daily_and_the_past_is_not_rewritten)
{
	struct ch_ctx c = as(&analyst);
	struct ch_ratings_report *rep = ch_arena_alloc(ctx.arena, sizeof(*rep));
	double before[12], after[12];
	size_t n = 0;

	report_incident("crime", "Severe", 10, "Robbery");
	cr_assert_eq(ch_ratings_get(&c, post_id, true, 20, rep), CH_OK);
	/* From the incident's day to today: 11 days of 5 categories. */
	cr_assert_eq(rep->ndays, 11 * 5, "%zu", rep->ndays);
	for (size_t i = 0; i < rep->ndays; i++)
		if (rep->days[i].category == CH_THREAT_CRIME && n < 12)
			before[n++] = rep->days[i].score;
	cr_assert_eq(n, 11);
	cr_assert_float_eq(
	    before[0], 2.0 * exp(-(86400 - 1.0) / DAY / 60 - 0.0 / 60), 0.05);
	for (size_t k = 1; k < n; k++)
		cr_assert(before[k] < before[k - 1], "decays day by day");

	report_incident("crime", "Extreme", 5, "Shooting");
	cr_assert_eq(ch_ratings_get(&c, post_id, true, 20, rep), CH_OK);
	n = 0;
	for (size_t i = 0; i < rep->ndays; i++)
		if (rep->days[i].category == CH_THREAT_CRIME && n < 12)
			after[n++] = rep->days[i].score;
	cr_assert_eq(n, 11);
	for (size_t k = 0; k + 1 < n; k++)
		cr_assert_float_eq(after[k], before[k], 1e-9,
		    "day %zu is what was recorded then", k);
	cr_assert(after[10] > before[10] + 3, "today counts the new one");
	cr_assert_float_eq(
	    after[10], rep->category[CH_THREAT_CRIME].computed.score, 1e-6);
}

Test(ratings, disagreement_is_flagged_after_the_post_setting)
{
	struct ch_ctx c = as(&officer);
	struct ch_ratings_report *rep = ch_arena_alloc(ctx.arena, sizeof(*rep));
	struct ch_rating_change ch;
	struct ch_rating_view *v = &rep->category[CH_THREAT_HUMAN_INTELLIGENCE];
	struct ch_rating_settings s;
	char set_day[CH_DATE_LEN];
	int flagged;

	cr_assert_eq(ch_ratings_set(&c, post_id, "human_intelligence", "High",
			 "Approach to staff.", NULL, &ch, &flagged),
	    CH_OK);
	memcpy(set_day, ch.at, CH_DATE_LEN - 1);
	set_day[CH_DATE_LEN - 1] = '\0';
	cr_assert_eq(ch_ratings_get(&c, post_id, false, 0, rep), CH_OK);
	cr_assert(v->differs, "nothing recorded: computed Low");
	cr_assert_eq(v->disagree_days, 0);
	cr_assert_not(v->disagreement);

	ch_clock_set_offset(13 * DAY);
	cr_assert_eq(ch_ratings_get(&c, post_id, false, 0, rep), CH_OK);
	cr_assert_eq(v->disagree_days, 13);
	cr_assert_not(v->disagreement, "13 days < 14");
	cr_assert_str_eq(v->disagree_since, set_day);

	ch_clock_set_offset(15 * DAY);
	cr_assert_eq(ch_ratings_get(&c, post_id, false, 0, rep), CH_OK);
	cr_assert_eq(v->disagree_days, 15);
	cr_assert(v->disagreement);
	cr_assert_str_eq(v->disagree_since, set_day);

	/* A post that wants to hear sooner. */
	cr_assert_eq(ch_ratings_settings_get(&c, post_id, &s), CH_OK);
	s.disagree_days = 30;
	cr_assert_eq(ch_ratings_settings_set(&c, post_id, &s), CH_OK);
	cr_assert_eq(ch_ratings_get(&c, post_id, false, 0, rep), CH_OK);
	cr_assert_not(v->disagreement);

	/* Agreement ends it: the officer lowers the rating to Low. */
	cr_assert_eq(ch_ratings_set(&c, post_id, "human_intelligence", "Low",
			 "Case closed.", NULL, &ch, &flagged),
	    CH_OK);
	cr_assert_eq(ch_ratings_get(&c, post_id, false, 0, rep), CH_OK);
	cr_assert_not(v->differs);
	cr_assert_not(v->disagreement);
}
