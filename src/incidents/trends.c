/*
 * trends.c — trend detection on daily incident counts (see trends.h).
 *
 * The test: with a baseline of B incidents over D days, the rate is
 * r = max(B / D, floor); over the recent window of W days the count K is
 * compared with X ~ Poisson(r × W); an alert when K >= min_count and
 * P(X >= K) < alpha.  The upper tail is 1 - sum of the first K terms,
 * each term computed from the previous one, or summed from K upwards when
 * that is the smaller side, so that neither underflows.
 */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "core/policy.h"
#include "incidents/trends.h"
#include "store/store.h"

void
ch_trend_defaults(struct ch_trend_params *p)
{
	p->window_days = 7;
	p->baseline_days = 90;
	p->alpha = 0.01;
	p->floor_rate = 1.0 / 60.0;
	p->min_count = 3;
}

double
ch_poisson_upper_tail(int k, double lambda)
{
	double term, sum = 0;

	if (k <= 0)
		return 1.0;
	if (lambda <= 0)
		return 0.0;
	if ((double)k > lambda) {
		/* Sum the tail itself: terms from k shrink quickly. */
		term = exp(-lambda + k * log(lambda) - lgamma(k + 1.0));
		for (int i = k; term > 1e-300 && i < k + 100000; i++) {
			sum += term;
			term *= lambda / (i + 1);
			if (term < sum * 1e-17)
				break;
		}
		return sum > 1.0 ? 1.0 : sum;
	}
	/* Below the mean: one minus the head. */
	term = exp(-lambda);
	for (int i = 0; i < k; i++) {
		sum += term;
		term *= lambda / (i + 1);
	}
	return sum >= 1.0 ? 0.0 : 1.0 - sum;
}

ch_err
ch_trend_test(const int *daily, size_t ndays, const struct ch_trend_params *p,
    struct ch_trend_result *out)
{
	size_t w, b;

	memset(out, 0, sizeof(*out));
	if (p->window_days < 1 || p->baseline_days < 1 || p->alpha <= 0 ||
	    p->alpha >= 1 || p->floor_rate < 0)
		return CH_ERR_INVALID;
	w = (size_t)p->window_days;
	b = (size_t)p->baseline_days;
	if (ndays < w + b)
		return CH_ERR_INVALID;
	for (size_t i = ndays - w; i < ndays; i++)
		out->recent += daily[i];
	for (size_t i = ndays - w - b; i < ndays - w; i++)
		out->baseline_total += daily[i];
	out->rate = (double)out->baseline_total / (double)b;
	if (out->rate < p->floor_rate)
		out->rate = p->floor_rate;
	out->expected = out->rate * (double)w;
	out->p_value = ch_poisson_upper_tail(out->recent, out->expected);
	out->alert = out->recent >= p->min_count && out->p_value < p->alpha;
	snprintf(out->explanation, sizeof(out->explanation),
	    "%d incident%s in the last %d days; the previous %d days had %d "
	    "(%.2f a day%s), so about %.1f were expected. The chance of %d "
	    "or more at that rate is %.2g, %s %.2g%s.",
	    out->recent, out->recent == 1 ? "" : "s", p->window_days,
	    p->baseline_days, out->baseline_total, out->rate,
	    out->rate == p->floor_rate &&
		    (double)out->baseline_total / (double)b < p->floor_rate
		? ", raised to the floor"
		: "",
	    out->expected, out->recent, out->p_value,
	    out->p_value < p->alpha ? "below" : "not below", p->alpha,
	    out->alert                    ? ": the rate has risen"
		: out->p_value < p->alpha ? ", but too few incidents to alert"
					  : "");
	return CH_OK;
}

/* Day index of "YYYY-MM-DD" relative to through (0 = through), or -1. */
static int
day_index(const char *day, int64_t through_t, int ndays)
{
	char stamp[CH_TIMESTAMP_LEN];
	int64_t t;
	int64_t back;

	snprintf(stamp, sizeof(stamp), "%.10sT00:00:00Z", day);
	if (!ch_time_parse(stamp, &t))
		return -1;
	back = (through_t - t) / 86400;
	if (back < 0 || back >= ndays)
		return -1;
	return ndays - 1 - (int)back;
}

ch_err
ch_incident_trends(struct ch_ctx *ctx, const char *post_id,
    const struct ch_trend_params *p, struct ch_trend_report *out)
{
	struct ch_incident_scope scope = {
	    post_id, CH_CLEARANCE_SECRET, NULL, NULL};
	struct ch_daily_count *rows = NULL;
	struct ch_tx *tx = NULL;
	char since[CH_TIMESTAMP_LEN], stamp[CH_TIMESTAMP_LEN];
	int64_t through_t;
	size_t nrows = 0;
	ch_err err;

	memset(out, 0, sizeof(*out));
	if (p->window_days < 1 || p->baseline_days < 1 ||
	    p->window_days + p->baseline_days > CH_TREND_DAYS_MAX) {
		ch_fault_set(&ctx->fault, "window",
		    "window and baseline are days, together at most %d.",
		    CH_TREND_DAYS_MAX);
		return CH_ERR_INVALID;
	}
	if (!ch_id_valid(post_id) || !ch_ctx_sees_post(ctx, post_id))
		return CH_ERR_NOT_FOUND;
	/* Count only what the caller may read, as the list does. */
	if (ctx->who != NULL) {
		scope.clearance_max = (int)ctx->who->clearance;
		scope.user_id = ctx->who->user_id;
		/* A reporter who reads only their own reports counts only
		 * those: a count must not reveal what the list would not. */
		if (!ch_policy_allows(ctx->who, CH_PERM_INCIDENTS_READ)) {
			if (ctx->who->person_id[0] == '\0')
				return CH_ERR_DENIED;
			scope.person_id = ctx->who->person_id;
		}
	}
	out->params = *p;
	out->ndays = p->window_days + p->baseline_days;
	ch_strlcpy(out->post_id, post_id, sizeof(out->post_id));
	ch_date_today(out->through);
	snprintf(stamp, sizeof(stamp), "%sT00:00:00Z", out->through);
	ch_time_parse(stamp, &through_t);
	ch_time_format(through_t - (int64_t)(out->ndays - 1) * 86400, since);
	if ((err = ch_store_begin(ctx->store, false, &tx)) != CH_OK)
		return err;
	err = ch_store_incident_daily_counts(
	    tx, &scope, since, ctx->arena, &rows, &nrows);
	ch_store_rollback(tx);
	if (err != CH_OK)
		return err;
	for (size_t i = 0; i < nrows; i++) {
		int d = day_index(rows[i].day, through_t, out->ndays);

		if (d >= 0)
			out->daily[rows[i].category][d] += (int)rows[i].count;
	}
	for (int c = 0; c < CH_THREAT__COUNT; c++) {
		err = ch_trend_test(
		    out->daily[c], (size_t)out->ndays, p, &out->category[c]);
		if (err != CH_OK)
			return err;
	}
	return CH_OK;
}
