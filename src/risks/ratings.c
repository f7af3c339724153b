/*
 * ratings.c — threat ratings: the formula and its explanation (pure), the
 * daily snapshots of the computed rating, the official rating with its
 * history, and the disagreement between the two (see ratings.h and
 * docs/ratings.md).
 *
 * Why snapshots on read rather than on each incident event: the computed
 * rating changes with time alone (decay), not only when an incident or a
 * report changes, so a rating recorded only on events would go stale.  A
 * read (and every official change) first writes each day missing since the
 * last snapshot, as the record stood at that day's end, then today's row
 * as of now.  Past rows are not rewritten: a later edit of an incident
 * changes today's figure, not what the system said before.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/audit.h"
#include "core/events.h"
#include "risks/ratings.h"
#include "risks/risks.h"
#include "store/store.h"

#define DAY 86400

static const char *const level_codes[CH_LEVEL__COUNT] = {
    [CH_LEVEL_LOW] = "Low",
    [CH_LEVEL_MEDIUM] = "Medium",
    [CH_LEVEL_HIGH] = "High",
    [CH_LEVEL_CRITICAL] = "Critical",
};

/* CAP severity: an Extreme incident weighs as much as two Severe, four
 * Moderate or ten Minor; Unknown as half a Moderate. */
static const double severity_weights[CH_SEV__COUNT] = {
    [CH_SEV_EXTREME] = 4.0,
    [CH_SEV_SEVERE] = 2.0,
    [CH_SEV_MODERATE] = 1.0,
    [CH_SEV_MINOR] = 0.4,
    [CH_SEV_UNKNOWN] = 0.5,
};

/* Admiralty grading, each half judged on its own: A..F and 1..6.  "Cannot
 * be judged" (F, 6) counts like the middle of the scale less a little. */
static const double reliability_weights[6] = {1.0, 0.8, 0.6, 0.3, 0.1, 0.4};
static const double credibility_weights[6] = {1.0, 0.8, 0.6, 0.3, 0.1, 0.4};

/* A fresh A1 report counts as much as a fresh Severe incident. */
const double ch_rating_report_weight = 2.0;

const char *
ch_threat_level_code(enum ch_threat_level l)
{
	return (unsigned)l < CH_LEVEL__COUNT ? level_codes[l] : "Low";
}

bool
ch_threat_level_parse(const char *s, enum ch_threat_level *out)
{
	for (int i = 0; s != NULL && i < CH_LEVEL__COUNT; i++) {
		if (strcmp(s, level_codes[i]) == 0) {
			*out = (enum ch_threat_level)i;
			return true;
		}
	}
	return false;
}

double
ch_rating_severity_weight(enum ch_severity s)
{
	return (unsigned)s < CH_SEV__COUNT ? severity_weights[s] : 0.5;
}

double
ch_rating_reliability_weight(char r)
{
	return r >= 'A' && r <= 'F' ? reliability_weights[r - 'A'] : 0;
}

double
ch_rating_credibility_weight(int c)
{
	return c >= 1 && c <= 6 ? credibility_weights[c - 1] : 0;
}

void
ch_rating_settings_defaults(struct ch_rating_settings *s)
{
	memset(s, 0, sizeof(*s));
	s->tau_days = 60;
	s->lookback_days = 365;
	/* Calibrated on the demo post's year (docs/ratings.md): above the
	 * routine background of a busy capital, Medium is a category with
	 * steady activity (about three Moderate incidents or graded reports
	 * in the last six weeks), High the background of its busiest
	 * category (crime, most of the year), Critical a surge well above
	 * it. */
	s->threshold[CH_LEVEL_MEDIUM] = 2.0;
	s->threshold[CH_LEVEL_HIGH] = 5.0;
	s->threshold[CH_LEVEL_CRITICAL] = 10.0;
	s->disagree_days = 14;
}

bool
ch_rating_settings_check(
    const struct ch_rating_settings *s, struct ch_fault *fault)
{
	const double *t = s->threshold;

	if (!isfinite(s->tau_days) || s->tau_days < 1 || s->tau_days > 365) {
		ch_fault_set(fault, "/tau_days",
		    "tau_days is the decay time in days, 1 to 365.");
		return false;
	}
	if (s->lookback_days < 7 || s->lookback_days > 730) {
		ch_fault_set(
		    fault, "/lookback_days", "lookback_days is 7 to 730 days.");
		return false;
	}
	if (!isfinite(t[1]) || !isfinite(t[2]) || !isfinite(t[3]) ||
	    t[1] <= 0 || t[2] <= t[1] || t[3] <= t[2] || t[3] > 1000) {
		ch_fault_set(fault, "/thresholds",
		    "thresholds must rise: 0 < Medium < High < Critical "
		    "<= 1000.");
		return false;
	}
	if (s->disagree_days < 0 || s->disagree_days > 365) {
		ch_fault_set(
		    fault, "/disagree_days", "disagree_days is 0 to 365 days.");
		return false;
	}
	return true;
}

enum ch_threat_level
ch_rating_level_of(const struct ch_rating_settings *s, double score)
{
	enum ch_threat_level l = CH_LEVEL_LOW;

	for (int i = CH_LEVEL_MEDIUM; i < CH_LEVEL__COUNT; i++)
		if (score >= s->threshold[i])
			l = (enum ch_threat_level)i;
	return l;
}

/* Keep the largest contributions, largest first. */
static void
keep_top(struct ch_rating_computed *out, const struct ch_rating_contributor *c)
{
	size_t i = out->ntop;

	if (i == CH_RATING_CONTRIBUTORS_MAX) {
		if (c->contribution <= out->top[i - 1].contribution)
			return;
		i--;
	} else {
		out->ntop++;
	}
	while (i > 0 && out->top[i - 1].contribution < c->contribution) {
		out->top[i] = out->top[i - 1];
		i--;
	}
	out->top[i] = *c;
}

static void
explain(const struct ch_rating_settings *s, struct ch_rating_computed *out)
{
	char *p = out->explanation;
	size_t left = sizeof(out->explanation);
	int n;

#define PUT(...)                                                               \
	do {                                                                   \
		n = snprintf(p, left, __VA_ARGS__);                            \
		if (n < 0 || (size_t)n >= left)                                \
			return;                                                \
		p += n;                                                        \
		left -= (size_t)n;                                             \
	} while (0)

	if (out->level == CH_LEVEL_LOW)
		PUT("Low because the score %.2f is below the Medium threshold "
		    "%.2f",
		    out->score, s->threshold[CH_LEVEL_MEDIUM]);
	else if (out->level == CH_LEVEL_CRITICAL)
		PUT("Critical because the score %.2f reaches the Critical "
		    "threshold %.2f",
		    out->score, s->threshold[CH_LEVEL_CRITICAL]);
	else
		PUT("%s because the score %.2f reaches the %s threshold %.2f "
		    "(%s needs %.2f)",
		    ch_threat_level_code(out->level), out->score,
		    ch_threat_level_code(out->level), s->threshold[out->level],
		    ch_threat_level_code(out->level + 1),
		    s->threshold[out->level + 1]);
	PUT(": %d incident%s in %d days (%d in the last 30) contribute%s "
	    "%.2f",
	    out->nincidents, out->nincidents == 1 ? "" : "s", s->lookback_days,
	    out->nrecent, out->nincidents == 1 ? "s" : "", out->incident_score);
	PUT("; %d valid report%s contribute%s %.2f.", out->nreports,
	    out->nreports == 1 ? "" : "s", out->nreports == 1 ? "s" : "",
	    out->report_score);
	for (size_t i = 0; i < out->ntop && i < 3; i++) {
		const struct ch_rating_contributor *c = &out->top[i];

		PUT("%s %s %s%s%s%s, %.0f day%s old: %.2f x %.2f = %.2f.",
		    i == 0 ? " Largest:" : "", c->grade,
		    c->report ? "report" : "incident", c->title ? " \"" : "",
		    c->title ? c->title : "", c->title ? "\"" : "", c->age_days,
		    c->age_days >= 0.5 && c->age_days < 1.5 ? "" : "s",
		    c->weight, c->decay, c->contribution);
	}
#undef PUT
}

void
ch_rating_compute(const struct ch_rating_settings *s,
    enum ch_threat_category category, int64_t t,
    const struct ch_rating_incident *incidents, size_t nincidents,
    const struct ch_rating_report *reports, size_t nreports,
    struct ch_rating_computed *out)
{
	/* "A1" .. "F6": constant, so that requests share them safely. */
	static const char *const grades[6][6] = {
	    {"A1", "A2", "A3", "A4", "A5", "A6"},
	    {"B1", "B2", "B3", "B4", "B5", "B6"},
	    {"C1", "C2", "C3", "C4", "C5", "C6"},
	    {"D1", "D2", "D3", "D4", "D5", "D6"},
	    {"E1", "E2", "E3", "E4", "E5", "E6"},
	    {"F1", "F2", "F3", "F4", "F5", "F6"},
	};

	memset(out, 0, sizeof(*out));
	out->category = category;
	for (size_t i = 0; i < nincidents; i++) {
		const struct ch_rating_incident *in = &incidents[i];
		struct ch_rating_contributor c = {0};
		double age;

		if (in->category != category || in->occurred_at > t ||
		    in->reported_at > t)
			continue;
		age = (double)(t - in->occurred_at) / DAY;
		if (age > s->lookback_days)
			continue;
		c.id = in->id;
		c.title = in->visible ? in->title : NULL;
		c.grade = ch_severity_code(in->severity);
		c.weight = ch_rating_severity_weight(in->severity);
		c.decay = exp(-age / s->tau_days);
		c.contribution = c.weight * c.decay;
		c.age_days = age;
		out->nincidents++;
		out->nrecent += age <= 30;
		out->incident_score += c.contribution;
		keep_top(out, &c);
	}
	for (size_t i = 0; i < nreports; i++) {
		const struct ch_rating_report *r = &reports[i];
		struct ch_rating_contributor c = {0};
		double age;
		int ri, ci;

		if (r->category != category || r->issued_at > t ||
		    r->recorded_at > t || r->valid_from > t ||
		    (r->valid_until != 0 && r->valid_until < t) ||
		    r->reliability < 'A' || r->reliability > 'F' ||
		    r->credibility < 1 || r->credibility > 6)
			continue;
		age = (double)(t - r->issued_at) / DAY;
		ri = r->reliability - 'A';
		ci = r->credibility - 1;
		c.report = true;
		c.id = r->id;
		c.title = r->visible ? r->title : NULL;
		c.grade = grades[ri][ci];
		c.weight = ch_rating_report_weight *
		    ch_rating_reliability_weight(r->reliability) *
		    ch_rating_credibility_weight(r->credibility);
		c.decay = exp(-age / s->tau_days);
		c.contribution = c.weight * c.decay;
		c.age_days = age;
		out->nreports++;
		out->report_score += c.contribution;
		keep_top(out, &c);
	}
	out->score = out->incident_score + out->report_score;
	out->level = ch_rating_level_of(s, out->score);
	explain(s, out);
}

/* ---- days ---- */

/* Midnight UTC of a date. */
static int64_t
day_start(const char *day)
{
	char stamp[CH_TIMESTAMP_LEN];
	int64_t t = 0;

	snprintf(stamp, sizeof(stamp), "%.10sT00:00:00Z", day);
	ch_time_parse(stamp, &t);
	return t;
}

static void
day_of(int64_t t, char out[CH_DATE_LEN])
{
	char stamp[CH_TIMESTAMP_LEN];

	ch_time_format(t, stamp);
	memcpy(out, stamp, CH_DATE_LEN - 1);
	out[CH_DATE_LEN - 1] = '\0';
}

/* Everything the formula reads for a post from since on. */
struct inputs {
	struct ch_rating_incident *incidents;
	size_t nincidents;
	struct ch_rating_report *reports;
	size_t nreports;
};

static ch_err
load_inputs(struct ch_ctx *ctx, struct ch_tx *tx, const char *post_id,
    int64_t since, int64_t until, struct inputs *in)
{
	char stamp[CH_TIMESTAMP_LEN];
	int clearance = CH_CLEARANCE_SECRET;
	const char *user = NULL;
	ch_err err;

	if (ctx->who != NULL) {
		clearance = (int)ctx->who->clearance;
		user = ctx->who->user_id;
	}
	ch_time_format(since, stamp);
	err = ch_store_rating_incidents(tx, post_id, stamp, clearance, user,
	    ctx->arena, &in->incidents, &in->nincidents);
	if (err != CH_OK)
		return err;
	return ch_rating_reports_load(tx, post_id, since, until, ctx->who,
	    ctx->arena, &in->reports, &in->nreports);
}

/* Write the snapshots of the days from the last recorded one (exclusive)
 * through today (as of now). */
static ch_err
refresh_tx(struct ch_ctx *ctx, struct ch_tx *tx, const char *post_id,
    const struct ch_rating_settings *s)
{
	char last[CH_DATE_LEN], first[CH_TIMESTAMP_LEN], today[CH_DATE_LEN];
	char recorded[CH_TIMESTAMP_LEN];
	int64_t now = ch_clock_now(), t0, today_t, oldest;
	struct inputs in = {0};
	ch_err err;

	day_of(now, today);
	today_t = day_start(today);
	oldest = today_t - (int64_t)CH_RATING_HISTORY_DAYS * DAY;
	if ((err = ch_store_rating_last_day(tx, post_id, last)) != CH_OK)
		return err;
	if (last[0] != '\0') {
		t0 = day_start(last) + DAY;
	} else {
		if ((err = ch_store_rating_first_time(tx, post_id, first)) !=
		    CH_OK)
			return err;
		t0 = first[0] != '\0' ? day_start(first) : today_t;
	}
	if (t0 < oldest)
		t0 = oldest;
	if (t0 > today_t)
		t0 = today_t;
	err = load_inputs(ctx, tx, post_id,
	    t0 - (int64_t)s->lookback_days * DAY - DAY, now, &in);
	if (err != CH_OK)
		return err;
	ch_time_format(now, recorded);
	for (int64_t d = t0; d <= today_t; d += DAY) {
		int64_t at = d == today_t ? now : d + DAY - 1;

		for (int c = 0; c < CH_THREAT__COUNT; c++) {
			struct ch_rating_computed comp;
			struct ch_rating_day row;

			ch_rating_compute(s, (enum ch_threat_category)c, at,
			    in.incidents, in.nincidents, in.reports,
			    in.nreports, &comp);
			row.category = (enum ch_threat_category)c;
			day_of(d, row.day);
			row.level = comp.level;
			row.score = comp.score;
			err = ch_store_rating_day_put(
			    tx, post_id, &row, recorded);
			if (err != CH_OK)
				return err;
		}
	}
	return CH_OK;
}

static struct ch_label
post_label(const char *post_id)
{
	return (struct ch_label){
	    post_id, CH_CLEARANCE_UNCLASSIFIED, CH_TLP_CLEAR, NULL, NULL, 0};
}

/* The post exists and the reader may exercise perm on it. */
static ch_err
check_post(struct ch_ctx *ctx, struct ch_tx *tx, const char *post_id,
    enum ch_perm perm)
{
	struct ch_label l = post_label(post_id);
	struct ch_post post;
	ch_err err;

	if (!ch_id_valid(post_id) || !ch_ctx_sees_post(ctx, post_id))
		return CH_ERR_NOT_FOUND;
	if (!ch_ctx_permits(ctx, perm, &l))
		return CH_ERR_DENIED;
	err = ch_store_post_get(tx, post_id, ctx->arena, &post);
	return err;
}

ch_err
ch_ratings_refresh(struct ch_ctx *ctx, const char *post_id)
{
	struct ch_rating_settings s;
	struct ch_risk_bands bands;
	struct ch_tx *tx = NULL;
	ch_err err;

	if ((err = ch_store_begin(ctx->store, true, &tx)) != CH_OK)
		return err;
	if ((err = check_post(ctx, tx, post_id, CH_PERM_RATINGS_READ)) !=
		CH_OK ||
	    (err = ch_store_threat_settings_get(tx, post_id, &s, &bands)) !=
		CH_OK ||
	    (err = refresh_tx(ctx, tx, post_id, &s)) != CH_OK) {
		ch_store_rollback(tx);
		return err;
	}
	return ch_store_commit(tx);
}

/* The official level of a category at the end of a day, from changes
 * (newest first); false when none was set by then. */
static bool
official_on(const struct ch_rating_change *changes, size_t n,
    enum ch_threat_category c, const char *day, enum ch_threat_level *out)
{
	for (size_t i = 0; i < n; i++) {
		if (changes[i].category != c ||
		    strncmp(changes[i].at, day, CH_DATE_LEN - 1) > 0)
			continue;
		*out = changes[i].to;
		return true;
	}
	return false;
}

/* How long official and computed have differed, from the snapshots. */
static void
disagreement(struct ch_rating_view *v, const struct ch_rating_change *changes,
    size_t nchanges, const struct ch_rating_day *days, size_t ndays,
    const struct ch_rating_settings *s, int64_t today_t)
{
	int run = 0;
	char since[CH_DATE_LEN] = "";

	v->differs = v->has_official && v->official.to != v->computed.level;
	if (!v->differs)
		return;
	day_of(today_t, since);
	/* Walk back over the days before today while they differ too. */
	for (int64_t d = today_t - DAY;
	     d >= today_t - (int64_t)CH_RATING_HISTORY_DAYS * DAY; d -= DAY) {
		char day[CH_DATE_LEN];
		enum ch_threat_level off;
		bool found = false, differs = false;

		day_of(d, day);
		for (size_t i = ndays; i-- > 0;) {
			if (days[i].category != v->category ||
			    strcmp(days[i].day, day) != 0)
				continue;
			found = true;
			differs = official_on(changes, nchanges, v->category,
				      day, &off) &&
			    off != days[i].level;
			break;
		}
		if (!found || !differs)
			break;
		memcpy(since, day, sizeof(since));
		run++;
	}
	memcpy(v->disagree_since, since, sizeof(v->disagree_since));
	v->disagree_days = run;
	v->disagreement = run >= s->disagree_days;
}

ch_err
ch_ratings_get(struct ch_ctx *ctx, const char *post_id, bool with_history,
    int history_days, struct ch_ratings_report *out)
{
	struct ch_rating_change *changes = NULL;
	struct ch_rating_day *days = NULL;
	struct ch_risk_bands bands;
	struct ch_tx *tx = NULL;
	size_t nchanges = 0, ndays = 0;
	char today[CH_DATE_LEN], since[CH_DATE_LEN];
	int64_t now = ch_clock_now(), today_t;
	struct inputs in = {0};
	ch_err err;

	memset(out, 0, sizeof(*out));
	if (history_days < 1 || history_days > CH_RATING_HISTORY_DAYS)
		history_days = CH_RATING_HISTORY_DAYS;
	day_of(now, today);
	today_t = day_start(today);
	day_of(today_t - (int64_t)CH_RATING_HISTORY_DAYS * DAY, since);
	if ((err = ch_store_begin(ctx->store, true, &tx)) != CH_OK)
		return err;
	if ((err = check_post(ctx, tx, post_id, CH_PERM_RATINGS_READ)) !=
		CH_OK ||
	    (err = ch_store_threat_settings_get(
		 tx, post_id, &out->settings, &bands)) != CH_OK ||
	    (err = refresh_tx(ctx, tx, post_id, &out->settings)) != CH_OK ||
	    (err = ch_store_rating_changes(tx, post_id, 10000, ctx->arena,
		 &changes, &nchanges)) != CH_OK ||
	    (err = ch_store_rating_days(
		 tx, post_id, since, ctx->arena, &days, &ndays)) != CH_OK ||
	    (err = load_inputs(ctx, tx, post_id,
		 now - (int64_t)out->settings.lookback_days * DAY - DAY, now,
		 &in)) != CH_OK)
		goto fail;
	ch_strlcpy(out->post_id, post_id, sizeof(out->post_id));
	ch_time_format(now, out->as_of);
	for (int c = 0; c < CH_THREAT__COUNT; c++) {
		struct ch_rating_view *v = &out->category[c];
		int64_t flagged = 0;

		v->category = (enum ch_threat_category)c;
		for (size_t i = 0; i < nchanges; i++) {
			if (changes[i].category == v->category) {
				v->has_official = true;
				v->official = changes[i];
				break;
			}
		}
		ch_rating_compute(&out->settings, v->category, now,
		    in.incidents, in.nincidents, in.reports, in.nreports,
		    &v->computed);
		disagreement(
		    v, changes, nchanges, days, ndays, &out->settings, today_t);
		err = ch_store_risks_flagged_count(tx, post_id,
		    ch_threat_category_code(v->category), &flagged);
		if (err != CH_OK)
			goto fail;
		v->flagged_risks = (int)flagged;
	}
	if (with_history) {
		char from[CH_DATE_LEN];
		size_t skip = 0;

		day_of(today_t - (int64_t)(history_days - 1) * DAY, from);
		while (skip < ndays && strcmp(days[skip].day, from) < 0)
			skip++;
		out->days = days + skip;
		out->ndays = ndays - skip;
		out->changes = changes;
		out->nchanges = nchanges;
	}
	return ch_store_commit(tx);

fail:
	ch_store_rollback(tx);
	return err;
}

/* The canonical state of a change, the bytes its audit record hashes. */
static void
change_state(const struct ch_rating_change *c, struct ch_buf *b)
{
	ch_buf_appendf(b,
	    "id=%s\npost=%s\ncategory=%s\nfrom=%s\nto=%s\nrationale=%s\n"
	    "actor=%s\nat=%s\n",
	    c->id, c->post_id, ch_threat_category_code(c->category),
	    c->has_from ? ch_threat_level_code(c->from) : "",
	    ch_threat_level_code(c->to), c->rationale, c->actor, c->at);
}

static ch_err
audit(struct ch_ctx *ctx, struct ch_tx *tx, const char *action,
    const char *type, const char *id, const char *post_id,
    const struct ch_buf *state)
{
	struct ch_audit_entry e = {
	    action, type, id, post_id, state->data, state->len};

	return ch_audit_append(tx, ctx, &e);
}

/* Flag the risks of the post linked to the category, each with its audit
 * record; *count says how many. */
static ch_err
flag_linked_risks(struct ch_ctx *ctx, struct ch_tx *tx,
    const struct ch_rating_change *c, int *count)
{
	char(*ids)[CH_ID_LEN] = NULL;
	size_t n = 0;
	ch_err err;

	*count = 0;
	err = ch_store_risks_linked(tx, c->post_id,
	    ch_threat_category_code(c->category), ctx->arena, &ids, &n);
	if (err != CH_OK)
		return err;
	for (size_t i = 0; i < n; i++) {
		struct ch_risk r;
		struct ch_buf state;

		if ((err = ch_store_risk_get(tx, ids[i], ctx->arena, &r)) !=
		    CH_OK)
			return err;
		r.flagged = true;
		r.flag_reason = ch_arena_printf(ctx->arena,
		    "The %s rating was raised from %s to %s on %.10s by %s.",
		    ch_threat_category_code(c->category),
		    c->has_from ? ch_threat_level_code(c->from) : "unset",
		    ch_threat_level_code(c->to), c->at, c->actor);
		if (r.flag_reason == NULL)
			return CH_ERR_NOMEM;
		memcpy(r.flagged_at, c->at, sizeof(r.flagged_at));
		memcpy(r.updated_at, c->at, sizeof(r.updated_at));
		if ((err = ch_store_risk_update(tx, &r, r.version)) != CH_OK)
			return err;
		ch_buf_init(&state, 4096);
		ch_buf_appendf(&state,
		    "id=%s\nflagged=1\nreason=%s\nversion=%lld\n", r.id,
		    r.flag_reason, (long long)r.version);
		err = audit(
		    ctx, tx, "risk.flag", "risk", r.id, r.post_id, &state);
		ch_buf_free(&state);
		if (err != CH_OK)
			return err;
		(*count)++;
	}
	return CH_OK;
}

ch_err
ch_ratings_set(struct ch_ctx *ctx, const char *post_id, const char *category,
    const char *level, const char *rationale, const char *at,
    struct ch_rating_change *out, int *flagged)
{
	struct ch_rating_change *changes = NULL;
	struct ch_rating_settings s;
	struct ch_risk_bands bands;
	struct ch_buf state;
	struct ch_tx *tx = NULL;
	struct ch_event ev;
	size_t nchanges = 0;
	bool raised;
	int64_t t = ch_clock_now();
	ch_err err;

	memset(out, 0, sizeof(*out));
	*flagged = 0;
	if (!ch_threat_category_parse(category, &out->category)) {
		ch_fault_set(&ctx->fault, "/category",
		    "category must be political_violence, terrorism, crime, "
		    "human_intelligence or technical_cyber.");
		return CH_ERR_INVALID;
	}
	if (!ch_threat_level_parse(level, &out->to)) {
		ch_fault_set(&ctx->fault, "/level",
		    "level must be Low, Medium, High or Critical.");
		return CH_ERR_INVALID;
	}
	if (!ch_text_check(&ctx->fault, "/rationale", rationale,
		CH_RATING_RATIONALE_MAX, CH_TEXT_REQUIRED | CH_TEXT_MULTILINE))
		return CH_ERR_INVALID;
	if (at != NULL && ctx->who == NULL) {
		if (!ch_time_parse(at, &t) || t > ch_clock_now() + 300) {
			ch_fault_set(&ctx->fault, "/at",
			    "at must be a UTC time, not in the future.");
			return CH_ERR_INVALID;
		}
	}
	ch_id_new(out->id);
	ch_strlcpy(out->post_id, post_id ? post_id : "", sizeof(out->post_id));
	out->rationale = (char *)rationale;
	out->actor = (char *)ch_ctx_actor(ctx);
	ch_time_format(t, out->at);
	if ((err = ch_store_begin(ctx->store, true, &tx)) != CH_OK)
		return err;
	if ((err = check_post(ctx, tx, post_id, CH_PERM_RATINGS_SET)) !=
		CH_OK ||
	    (err = ch_store_threat_settings_get(tx, post_id, &s, &bands)) !=
		CH_OK ||
	    (err = ch_store_rating_changes(
		 tx, post_id, 10000, ctx->arena, &changes, &nchanges)) != CH_OK)
		goto fail;
	for (size_t i = 0; i < nchanges; i++) {
		if (changes[i].category == out->category) {
			out->has_from = true;
			out->from = changes[i].to;
			break;
		}
	}
	/* A first rating above Low is a rise from nothing. */
	raised = out->has_from ? out->to > out->from : out->to > CH_LEVEL_LOW;
	if ((err = ch_store_rating_change_insert(tx, out)) != CH_OK)
		goto fail;
	if (raised && (err = flag_linked_risks(ctx, tx, out, flagged)) != CH_OK)
		goto fail;
	ch_buf_init(&state, 16 * 1024);
	change_state(out, &state);
	err = audit(ctx, tx, "threat.rating.set", "threat_rating", out->id,
	    out->post_id, &state);
	ch_buf_free(&state);
	if (err != CH_OK || (err = refresh_tx(ctx, tx, post_id, &s)) != CH_OK)
		goto fail;
	if ((err = ch_store_commit(tx)) != CH_OK)
		return err;
	ev = (struct ch_event){"threat.rating.set", "threat_rating", out->id,
	    out->post_id, ch_clock_now()};
	ch_events_publish(&ev);
	if (raised) {
		ev.type = "threat.rating.raised";
		ch_events_publish(&ev);
	}
	return CH_OK;

fail:
	ch_store_rollback(tx);
	return err;
}

ch_err
ch_ratings_change_get(
    struct ch_ctx *ctx, const char *id, struct ch_rating_change *out)
{
	struct ch_label l;
	struct ch_tx *tx = NULL;
	ch_err err;

	memset(out, 0, sizeof(*out));
	if (id == NULL || !ch_id_valid(id))
		return CH_ERR_NOT_FOUND;
	if ((err = ch_store_begin(ctx->store, false, &tx)) != CH_OK)
		return err;
	err = ch_store_rating_change_get(tx, id, ctx->arena, out);
	ch_store_rollback(tx);
	if (err != CH_OK)
		return err;
	l = post_label(out->post_id);
	if (!ch_ctx_sees_post(ctx, out->post_id) ||
	    !ch_ctx_permits(ctx, CH_PERM_RATINGS_READ, &l)) {
		memset(out, 0, sizeof(*out));
		return CH_ERR_NOT_FOUND;
	}
	return CH_OK;
}

ch_err
ch_ratings_settings_get(
    struct ch_ctx *ctx, const char *post_id, struct ch_rating_settings *out)
{
	struct ch_risk_bands bands;
	struct ch_tx *tx = NULL;
	ch_err err;

	if ((err = ch_store_begin(ctx->store, false, &tx)) != CH_OK)
		return err;
	if ((err = check_post(ctx, tx, post_id, CH_PERM_RATINGS_READ)) == CH_OK)
		err = ch_store_threat_settings_get(tx, post_id, out, &bands);
	ch_store_rollback(tx);
	return err;
}

ch_err
ch_ratings_settings_set(struct ch_ctx *ctx, const char *post_id,
    const struct ch_rating_settings *in)
{
	struct ch_rating_settings old;
	struct ch_risk_bands bands;
	struct ch_buf state;
	struct ch_tx *tx = NULL;
	char now[CH_TIMESTAMP_LEN];
	ch_err err;

	if (!ch_rating_settings_check(in, &ctx->fault))
		return CH_ERR_INVALID;
	ch_time_format(ch_clock_now(), now);
	if ((err = ch_store_begin(ctx->store, true, &tx)) != CH_OK)
		return err;
	if ((err = check_post(ctx, tx, post_id, CH_PERM_RATINGS_SET)) !=
		CH_OK ||
	    (err = ch_store_threat_settings_get(tx, post_id, &old, &bands)) !=
		CH_OK ||
	    (err = ch_store_threat_settings_put(
		 tx, post_id, in, &bands, now)) != CH_OK)
		goto fail;
	ch_buf_init(&state, 4096);
	ch_buf_appendf(&state,
	    "post=%s\ntau_days=%.17g\nlookback_days=%d\nmedium=%.17g\n"
	    "high=%.17g\ncritical=%.17g\ndisagree_days=%d\n",
	    post_id, in->tau_days, in->lookback_days,
	    in->threshold[CH_LEVEL_MEDIUM], in->threshold[CH_LEVEL_HIGH],
	    in->threshold[CH_LEVEL_CRITICAL], in->disagree_days);
	err = audit(
	    ctx, tx, "threat.settings.set", "post", post_id, post_id, &state);
	ch_buf_free(&state);
	if (err != CH_OK)
		goto fail;
	return ch_store_commit(tx);

fail:
	ch_store_rollback(tx);
	return err;
}
