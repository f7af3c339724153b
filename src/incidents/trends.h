/*
 * trends.h — is a post's recent incident rate improbable under its own
 * baseline?  Per threat category, the daily incident counts of a trailing
 * baseline window give a rate (floored, so that a quiet category does not
 * alarm on its first incident); the count of the recent window is compared
 * with a Poisson distribution of that rate, and an alert is raised when
 * the upper tail probability is below alpha.  The alert states its numbers.
 */
#ifndef CH_INCIDENTS_TRENDS_H
#define CH_INCIDENTS_TRENDS_H

#include "core/context.h"
#include "incidents/incidents.h"

#define CH_TREND_DAYS_MAX 400

struct ch_trend_params {
	int window_days;   /* the recent window, e.g. 7 */
	int baseline_days; /* the trailing baseline before it, e.g. 90 */
	double alpha;      /* alert when P(X >= k) < alpha, e.g. 0.01 */
	double floor_rate; /* incidents/day the baseline never falls below */
	int min_count;     /* no alert on fewer incidents than this */
};

struct ch_trend_result {
	int recent;         /* incidents in the recent window */
	int baseline_total; /* incidents in the baseline window */
	double rate;        /* baseline incidents/day, after the floor */
	double expected;    /* rate × window_days */
	double p_value;     /* P(X >= recent) for X ~ Poisson(expected) */
	bool alert;
	char explanation[320];
};

/* The defaults: 7-day window, 90-day baseline, alpha 0.01, floor 1 per
 * 60 days, at least 3 incidents. */
void ch_trend_defaults(struct ch_trend_params *p);
/* P(X >= k) for X ~ Poisson(lambda), computed stably. */
double ch_poisson_upper_tail(int k, double lambda);
/*
 * Test a series of daily counts, oldest first: the last window_days are
 * the recent window, the baseline_days before them the baseline.
 * CH_ERR_INVALID when the series is shorter than both or the parameters
 * are out of range.
 */
ch_err ch_trend_test(const int *daily, size_t ndays,
    const struct ch_trend_params *p, struct ch_trend_result *out);

/* Per category, for one post, over the incidents the caller may read. */
struct ch_trend_report {
	char post_id[CH_ID_LEN];
	char through[CH_DATE_LEN]; /* the last day counted (today, UTC) */
	struct ch_trend_params params;
	struct ch_trend_result category[CH_THREAT__COUNT];
	int daily[CH_THREAT__COUNT][CH_TREND_DAYS_MAX];
	int ndays;
};
ch_err ch_incident_trends(struct ch_ctx *ctx, const char *post_id,
    const struct ch_trend_params *p, struct ch_trend_report *out);

#endif /* CH_INCIDENTS_TRENDS_H */
