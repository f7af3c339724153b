/*
 * ratings_sql.c — threat ratings in the store: the per post settings
 * (formula and risk bands, defaults when a post has no row), the official
 * changes (the latest per category is the rating), the daily computed
 * snapshots, and the incidents the formula reads.  Real numbers travel as
 * text ("%.17g") so that both engines keep them exactly.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "risks/ratings.h"
#include "risks/risks.h"
#include "store/store_int.h"

static double
cell_double(const struct ch_rows *r, size_t i, size_t col, double dflt)
{
	const char *s = ch_rows_get(r, i, col);
	char *end;
	double v;

	if (s == NULL)
		return dflt;
	v = strtod(s, &end);
	return end == s ? dflt : v;
}

ch_err
ch_store_threat_settings_get(struct ch_tx *tx, const char *post_id,
    struct ch_rating_settings *rating, struct ch_risk_bands *bands)
{
	struct ch_param v[1] = {CH_P_TEXT(post_id)};
	struct ch_rows *r = NULL;
	ch_err err;

	ch_rating_settings_defaults(rating);
	ch_risk_bands_defaults(bands);
	err = ch_tx_query(tx,
	    "SELECT tau_days, lookback_days, threshold_medium, threshold_high,"
	    " threshold_critical, disagree_days, band_low_max,"
	    " band_medium_max, band_high_max FROM threat_settings"
	    " WHERE post_id = $1",
	    v, 1, &r, NULL);
	if (err != CH_OK)
		return err;
	if (r->nrows == 1) {
		rating->tau_days = cell_double(r, 0, 0, rating->tau_days);
		rating->lookback_days =
		    (int)ch_rows_int(r, 0, 1, rating->lookback_days);
		rating->threshold[CH_LEVEL_MEDIUM] =
		    cell_double(r, 0, 2, rating->threshold[CH_LEVEL_MEDIUM]);
		rating->threshold[CH_LEVEL_HIGH] =
		    cell_double(r, 0, 3, rating->threshold[CH_LEVEL_HIGH]);
		rating->threshold[CH_LEVEL_CRITICAL] =
		    cell_double(r, 0, 4, rating->threshold[CH_LEVEL_CRITICAL]);
		rating->disagree_days =
		    (int)ch_rows_int(r, 0, 5, rating->disagree_days);
		bands->low_max = (int)ch_rows_int(r, 0, 6, bands->low_max);
		bands->medium_max =
		    (int)ch_rows_int(r, 0, 7, bands->medium_max);
		bands->high_max = (int)ch_rows_int(r, 0, 8, bands->high_max);
	}
	ch_rows_free(r);
	return CH_OK;
}

ch_err
ch_store_threat_settings_put(struct ch_tx *tx, const char *post_id,
    const struct ch_rating_settings *rating, const struct ch_risk_bands *bands,
    const char *at)
{
	char tau[32], med[32], high[32], crit[32];
	struct ch_param v[11];

	snprintf(tau, sizeof(tau), "%.17g", rating->tau_days);
	snprintf(med, sizeof(med), "%.17g", rating->threshold[CH_LEVEL_MEDIUM]);
	snprintf(high, sizeof(high), "%.17g", rating->threshold[CH_LEVEL_HIGH]);
	snprintf(
	    crit, sizeof(crit), "%.17g", rating->threshold[CH_LEVEL_CRITICAL]);
	v[0] = CH_P_TEXT(post_id);
	v[1] = CH_P_TEXT(tau);
	v[2] = CH_P_INT(rating->lookback_days);
	v[3] = CH_P_TEXT(med);
	v[4] = CH_P_TEXT(high);
	v[5] = CH_P_TEXT(crit);
	v[6] = CH_P_INT(rating->disagree_days);
	v[7] = CH_P_INT(bands->low_max);
	v[8] = CH_P_INT(bands->medium_max);
	v[9] = CH_P_INT(bands->high_max);
	v[10] = CH_P_TEXT(at);
	return ch_tx_query(tx,
	    "INSERT INTO threat_settings (post_id, tau_days, lookback_days,"
	    " threshold_medium, threshold_high, threshold_critical,"
	    " disagree_days, band_low_max, band_medium_max, band_high_max,"
	    " updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)"
	    " ON CONFLICT (post_id) DO UPDATE SET tau_days = excluded.tau_days,"
	    " lookback_days = excluded.lookback_days,"
	    " threshold_medium = excluded.threshold_medium,"
	    " threshold_high = excluded.threshold_high,"
	    " threshold_critical = excluded.threshold_critical,"
	    " disagree_days = excluded.disagree_days,"
	    " band_low_max = excluded.band_low_max,"
	    " band_medium_max = excluded.band_medium_max,"
	    " band_high_max = excluded.band_high_max,"
	    " updated_at = excluded.updated_at",
	    v, CH_ARRAY_LEN(v), NULL, NULL);
}

ch_err
ch_store_rating_change_insert(
    struct ch_tx *tx, const struct ch_rating_change *c)
{
	struct ch_param v[8];

	v[0] = CH_P_TEXT(c->id);
	v[1] = CH_P_TEXT(c->post_id);
	v[2] = CH_P_TEXT(ch_threat_category_code(c->category));
	v[3] =
	    c->has_from ? CH_P_TEXT(ch_threat_level_code(c->from)) : CH_P_NULL;
	v[4] = CH_P_TEXT(ch_threat_level_code(c->to));
	v[5] = CH_P_TEXT(c->rationale);
	v[6] = CH_P_TEXT(c->actor);
	v[7] = CH_P_TEXT(c->at);
	return ch_tx_query(tx,
	    "INSERT INTO threat_rating_changes (id, post_id, category,"
	    " from_level, to_level, rationale, actor, at) VALUES ($1, $2, $3,"
	    " $4, $5, $6, $7, $8)",
	    v, 8, NULL, NULL);
}

/* Fill c from row i; false for a row this binary cannot read. */
static bool
change_from_row(const struct ch_rows *r, size_t i, ch_arena *arena,
    struct ch_rating_change *c)
{
	memset(c, 0, sizeof(*c));
	ch_cell_copy(r, i, 0, c->id, sizeof(c->id));
	ch_cell_copy(r, i, 1, c->post_id, sizeof(c->post_id));
	if (!ch_threat_category_parse(ch_rows_get(r, i, 2), &c->category) ||
	    !ch_threat_level_parse(ch_rows_get(r, i, 4), &c->to))
		return false;
	c->has_from = ch_threat_level_parse(ch_rows_get(r, i, 3), &c->from);
	c->rationale = ch_cell_dup(r, i, 5, arena);
	c->actor = ch_cell_dup(r, i, 6, arena);
	ch_cell_copy(r, i, 7, c->at, sizeof(c->at));
	return true;
}

ch_err
ch_store_rating_change_get(struct ch_tx *tx, const char *id, ch_arena *arena,
    struct ch_rating_change *out)
{
	struct ch_param v[1] = {CH_P_TEXT(id)};
	struct ch_rows *r = NULL;
	ch_err err;

	err = ch_tx_query(tx,
	    "SELECT id, post_id, category, from_level, to_level, rationale,"
	    " actor, at FROM threat_rating_changes WHERE id = $1",
	    v, 1, &r, NULL);
	if (err != CH_OK)
		return err;
	err = r->nrows == 1 && change_from_row(r, 0, arena, out)
	    ? CH_OK
	    : CH_ERR_NOT_FOUND;
	ch_rows_free(r);
	return err;
}

ch_err
ch_store_rating_changes(struct ch_tx *tx, const char *post_id, size_t limit,
    ch_arena *arena, struct ch_rating_change **out, size_t *count)
{
	struct ch_param v[2] = {CH_P_TEXT(post_id), CH_P_INT(limit)};
	struct ch_rows *r = NULL;
	ch_err err;

	*out = NULL;
	*count = 0;
	err = ch_tx_query(tx,
	    "SELECT id, post_id, category, from_level, to_level, rationale,"
	    " actor, at FROM threat_rating_changes WHERE post_id = $1"
	    " ORDER BY at DESC, id DESC LIMIT $2",
	    v, 2, &r, NULL);
	if (err != CH_OK)
		return err;
	*out = ch_arena_alloc(arena, sizeof(**out) * (r->nrows + 1));
	if (*out == NULL) {
		ch_rows_free(r);
		return CH_ERR_NOMEM;
	}
	for (size_t i = 0; i < r->nrows; i++)
		if (change_from_row(r, i, arena, &(*out)[*count]))
			(*count)++;
	ch_rows_free(r);
	return CH_OK;
}

ch_err
ch_store_rating_day_put(struct ch_tx *tx, const char *post_id,
    const struct ch_rating_day *d, const char *recorded_at)
{
	char score[32];
	struct ch_param v[6];

	snprintf(score, sizeof(score), "%.17g", d->score);
	v[0] = CH_P_TEXT(post_id);
	v[1] = CH_P_TEXT(ch_threat_category_code(d->category));
	v[2] = CH_P_TEXT(d->day);
	v[3] = CH_P_TEXT(ch_threat_level_code(d->level));
	v[4] = CH_P_TEXT(score);
	v[5] = CH_P_TEXT(recorded_at);
	return ch_tx_query(tx,
	    "INSERT INTO threat_computed_days (post_id, category, day, level,"
	    " score, recorded_at) VALUES ($1, $2, $3, $4, $5, $6)"
	    " ON CONFLICT (post_id, category, day) DO UPDATE SET"
	    " level = excluded.level, score = excluded.score,"
	    " recorded_at = excluded.recorded_at",
	    v, 6, NULL, NULL);
}

ch_err
ch_store_rating_days(struct ch_tx *tx, const char *post_id, const char *since,
    ch_arena *arena, struct ch_rating_day **out, size_t *count)
{
	struct ch_param v[2] = {CH_P_TEXT(post_id), CH_P_TEXT(since)};
	struct ch_rows *r = NULL;
	ch_err err;

	*out = NULL;
	*count = 0;
	err = ch_tx_query(tx,
	    "SELECT category, day, level, score FROM threat_computed_days"
	    " WHERE post_id = $1 AND day >= $2 ORDER BY day, category",
	    v, 2, &r, NULL);
	if (err != CH_OK)
		return err;
	*out = ch_arena_alloc(arena, sizeof(**out) * (r->nrows + 1));
	if (*out == NULL) {
		ch_rows_free(r);
		return CH_ERR_NOMEM;
	}
	for (size_t i = 0; i < r->nrows; i++) {
		struct ch_rating_day *d = &(*out)[*count];

		if (!ch_threat_category_parse(
			ch_rows_get(r, i, 0), &d->category) ||
		    !ch_threat_level_parse(ch_rows_get(r, i, 2), &d->level))
			continue;
		ch_cell_copy(r, i, 1, d->day, sizeof(d->day));
		d->score = cell_double(r, i, 3, 0);
		(*count)++;
	}
	ch_rows_free(r);
	return CH_OK;
}

ch_err
ch_store_rating_last_day(
    struct ch_tx *tx, const char *post_id, char day[CH_DATE_LEN])
{
	struct ch_param v[1] = {CH_P_TEXT(post_id)};
	struct ch_rows *r = NULL;
	ch_err err;

	day[0] = '\0';
	err = ch_tx_query(tx,
	    "SELECT MAX(day) FROM threat_computed_days WHERE post_id = $1", v,
	    1, &r, NULL);
	if (err != CH_OK)
		return err;
	if (r->nrows == 1)
		ch_cell_copy(r, 0, 0, day, CH_DATE_LEN);
	ch_rows_free(r);
	return CH_OK;
}

ch_err
ch_store_rating_first_time(
    struct ch_tx *tx, const char *post_id, char at[CH_TIMESTAMP_LEN])
{
	struct ch_param v[1] = {CH_P_TEXT(post_id)};
	struct ch_rows *r = NULL;
	char a[CH_TIMESTAMP_LEN], b[CH_TIMESTAMP_LEN];
	ch_err err;

	at[0] = '\0';
	err = ch_tx_query(tx,
	    "SELECT (SELECT MIN(reported_at) FROM incidents WHERE post_id = "
	    "$1),"
	    " (SELECT MIN(at) FROM threat_rating_changes WHERE post_id = $1)",
	    v, 1, &r, NULL);
	if (err != CH_OK)
		return err;
	if (r->nrows == 1) {
		ch_cell_copy(r, 0, 0, a, sizeof(a));
		ch_cell_copy(r, 0, 1, b, sizeof(b));
		if (a[0] != '\0' && (b[0] == '\0' || strcmp(a, b) < 0))
			ch_strlcpy(at, a, CH_TIMESTAMP_LEN);
		else
			ch_strlcpy(at, b, CH_TIMESTAMP_LEN);
	}
	ch_rows_free(r);
	return CH_OK;
}

ch_err
ch_store_rating_incidents(struct ch_tx *tx, const char *post_id,
    const char *since, int clearance_max, const char *user_id, ch_arena *arena,
    struct ch_rating_incident **out, size_t *count)
{
	struct ch_param v[5];
	struct ch_rows *r = NULL;
	ch_err err;

	*out = NULL;
	*count = 0;
	v[0] = CH_P_TEXT(post_id);
	v[1] = CH_P_TEXT(since);
	v[2] = CH_P_INT(clearance_max);
	v[3] = ch_param_opt(user_id);
	v[4] = CH_P_INT(user_id == NULL ? 1 : 0);
	/* Every incident counts; visible is the list's rule for the reader. */
	err = ch_tx_query(tx,
	    "SELECT id, title, category, severity, occurred_at, reported_at,"
	    " CASE WHEN classification_rank <= $3 AND (tlp <> 'RED' OR $5 = 1"
	    "  OR EXISTS (SELECT 1 FROM incident_recipients ir WHERE"
	    "  ir.incident_id = incidents.id AND ir.user_id = $4))"
	    " THEN 1 ELSE 0 END"
	    " FROM incidents WHERE post_id = $1 AND occurred_at >= $2"
	    " ORDER BY occurred_at, id",
	    v, 5, &r, NULL);
	if (err != CH_OK)
		return err;
	*out = ch_arena_alloc(arena, sizeof(**out) * (r->nrows + 1));
	if (*out == NULL) {
		ch_rows_free(r);
		return CH_ERR_NOMEM;
	}
	for (size_t i = 0; i < r->nrows; i++) {
		struct ch_rating_incident *p = &(*out)[*count];

		if (!ch_threat_category_parse(
			ch_rows_get(r, i, 2), &p->category) ||
		    !ch_time_parse(ch_rows_get(r, i, 4), &p->occurred_at) ||
		    !ch_time_parse(ch_rows_get(r, i, 5), &p->reported_at))
			continue;
		if (!ch_severity_parse(ch_rows_get(r, i, 3), &p->severity))
			p->severity = CH_SEV_UNKNOWN;
		p->id = ch_cell_dup(r, i, 0, arena);
		p->title = ch_cell_dup(r, i, 1, arena);
		p->visible = ch_rows_int(r, i, 6, 0) == 1;
		(*count)++;
	}
	ch_rows_free(r);
	return CH_OK;
}
