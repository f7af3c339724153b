/*
 * test_trends.c — trend detection on synthetic series: no alert on steady
 * rates or Poisson noise (false alarms near alpha, not above), an alert on
 * a doubling of a busy category and on a burst in a quiet one, the floor
 * on the baseline, the window as a parameter, and the Poisson tail itself
 * against values computed independently.
 */
#include <criterion/criterion.h>
#include <math.h>
#include <string.h>

#include "incidents/trends.h"

/* A small deterministic generator (xorshift64*), and Poisson draws by
 * Knuth's method: enough for rates of a few a day. */
static uint64_t rng = 88172645463325252ull;

static double
uniform(void)
{
	rng ^= rng >> 12;
	rng ^= rng << 25;
	rng ^= rng >> 27;
	return (double)((rng * 2685821657736338717ull) >> 11) * 0x1.0p-53;
}

static int
poisson(double lambda)
{
	double l = exp(-lambda), p = 1.0;
	int k = 0;

	do {
		k++;
		p *= uniform();
	} while (p > l);
	return k - 1;
}

static void
series(int *days, size_t n, double rate)
{
	for (size_t i = 0; i < n; i++)
		days[i] = poisson(rate);
}

Test(trends, the_poisson_tail_matches_known_values)
{
	/* P(X >= k) for X ~ Poisson(lambda), from the CDF tables. */
	cr_assert_float_eq(ch_poisson_upper_tail(0, 3.0), 1.0, 1e-12);
	cr_assert_float_eq(ch_poisson_upper_tail(1, 2.0), 1 - exp(-2.0), 1e-12);
	cr_assert_float_eq(ch_poisson_upper_tail(3, 0.35), 0.005509, 1e-6);
	cr_assert_float_eq(ch_poisson_upper_tail(10, 4.0), 0.008132, 1e-6);
	cr_assert_float_eq(ch_poisson_upper_tail(2, 4.0), 0.908422, 1e-6);
	cr_assert(ch_poisson_upper_tail(500, 20.0) >= 0.0);
	cr_assert(ch_poisson_upper_tail(500, 20.0) < 1e-200);
	cr_assert_float_eq(ch_poisson_upper_tail(5, 0.0), 0.0, 1e-12);
}

Test(trends, steady_rates_do_not_alert)
{
	struct ch_trend_params p;
	struct ch_trend_result r;
	int days[97];

	ch_trend_defaults(&p);
	for (int i = 0; i < 97; i++)
		days[i] = 1; /* one a day, every day */
	cr_assert_eq(ch_trend_test(days, 97, &p, &r), CH_OK);
	cr_assert_eq(r.recent, 7);
	cr_assert_float_eq(r.rate, 1.0, 1e-12);
	cr_assert_not(r.alert, "%s", r.explanation);
}

Test(trends, noise_alerts_about_as_rarely_as_alpha)
{
	struct ch_trend_params p;
	struct ch_trend_result r;
	int days[97], alerts = 0;
	const int trials = 2000;

	ch_trend_defaults(&p);
	for (int t = 0; t < trials; t++) {
		series(days, 97, 0.8);
		cr_assert_eq(ch_trend_test(days, 97, &p, &r), CH_OK);
		alerts += r.alert;
	}
	/* Expected at most about alpha (the test is discrete, so less);
	 * allow for the noise of the baseline estimate. */
	cr_assert_leq(
	    alerts, trials * 2 / 100, "%d false alerts in %d", alerts, trials);
}

Test(trends, a_doubling_alerts_and_says_why)
{
	struct ch_trend_params p;
	struct ch_trend_result r;
	int days[104], alerts = 0, alerts14 = 0;
	const int trials = 200;

	/*
	 * At 2 a day, a week expects 14; alpha 0.01 needs 24 or more, which a
	 * doubled week (28 expected) reaches 80% of the time; two doubled
	 * weeks (56 expected against a threshold of 42) about 98%.
	 */
	ch_trend_defaults(&p);
	for (int t = 0; t < trials; t++) {
		series(days, 90, 2.0);
		series(days + 90, 14, 4.0); /* the rate doubles */
		p.window_days = 7;
		cr_assert_eq(ch_trend_test(days, 97, &p, &r), CH_OK);
		alerts += r.alert;
		p.window_days = 14;
		cr_assert_eq(ch_trend_test(days, 104, &p, &r), CH_OK);
		alerts14 += r.alert;
	}
	cr_assert_geq(alerts, trials * 70 / 100,
	    "only %d of %d doubled weeks seen", alerts, trials);
	cr_assert_geq(alerts14, trials * 95 / 100,
	    "only %d of %d doubled fortnights seen", alerts14, trials);
	p.window_days = 7;
	cr_assert_eq(ch_trend_test(days, 97, &p, &r), CH_OK);
	cr_assert_not_null(strstr(r.explanation, "in the last 7 days"));
	cr_assert_not_null(strstr(r.explanation, "expected"));
}

Test(trends, a_quiet_category_has_a_floor)
{
	struct ch_trend_params p;
	struct ch_trend_result r;
	int days[97];

	ch_trend_defaults(&p);
	memset(days, 0, sizeof(days));
	days[96] = 1; /* the first incident in months */
	cr_assert_eq(ch_trend_test(days, 97, &p, &r), CH_OK);
	cr_assert_float_eq(r.rate, p.floor_rate, 1e-12);
	cr_assert_not(
	    r.alert, "one incident is not a trend: %s", r.explanation);
	cr_assert_not_null(strstr(r.explanation, "raised to the floor"));
	days[95] = 1;
	days[94] = 1; /* three in a week after a silent quarter */
	cr_assert_eq(ch_trend_test(days, 97, &p, &r), CH_OK);
	cr_assert(r.alert, "%s", r.explanation);
}

Test(trends, the_window_is_a_parameter)
{
	struct ch_trend_params p;
	struct ch_trend_result r;
	int days[120];

	ch_trend_defaults(&p);
	for (int i = 0; i < 120; i++)
		days[i] = i >= 100 ? 2 : 1; /* doubled for the last 20 days */
	p.window_days = 1;
	cr_assert_eq(ch_trend_test(days, 120, &p, &r), CH_OK);
	cr_assert_not(
	    r.alert, "a single day of 2 is ordinary: %s", r.explanation);
	p.window_days = 14;
	cr_assert_eq(ch_trend_test(days, 120, &p, &r), CH_OK);
	cr_assert(r.alert, "two weeks at twice the rate: %s", r.explanation);
	p.window_days = 30;
	p.baseline_days = 91;
	cr_assert_eq(ch_trend_test(days, 120, &p, &r), CH_ERR_INVALID,
	    "a series shorter than window and baseline");
}
