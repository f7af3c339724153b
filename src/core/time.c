/*
 * time.c — ISO 8601 UTC text for times and calendar dates.  Every time the
 * API shows or accepts is UTC with a trailing Z; dates are YYYY-MM-DD.
 */
#include <stdio.h>
#include <string.h>

#include "core/core.h"

void
ch_time_format(int64_t t, char out[CH_TIMESTAMP_LEN])
{
	struct tm tm;
	time_t tt = (time_t)t;

	if (gmtime_r(&tt, &tm) == NULL) {
		ch_strlcpy(out, "1970-01-01T00:00:00Z", CH_TIMESTAMP_LEN);
		return;
	}
	strftime(out, CH_TIMESTAMP_LEN, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

static bool
digits(const char *s, int n, int *out)
{
	int v = 0;

	for (int i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return false;
		v = v * 10 + (s[i] - '0');
	}
	*out = v;
	return true;
}

static bool
leap(int y)
{
	return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

static int
days_in_month(int y, int m)
{
	static const int days[] = {
	    31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};

	return m == 2 && leap(y) ? 29 : days[m - 1];
}

/* Parse "YYYY-MM-DD" at s into y, m, d; true when the date exists. */
static bool
parse_date(const char *s, int *y, int *m, int *d)
{
	if (!digits(s, 4, y) || s[4] != '-' || !digits(s + 5, 2, m) ||
	    s[7] != '-' || !digits(s + 8, 2, d))
		return false;
	if (*y < 1900 || *m < 1 || *m > 12 || *d < 1 ||
	    *d > days_in_month(*y, *m))
		return false;
	return true;
}

bool
ch_date_valid(const char *s)
{
	int y, m, d;

	return s != NULL && strlen(s) == 10 && parse_date(s, &y, &m, &d);
}

void
ch_date_today(char out[CH_DATE_LEN])
{
	char ts[CH_TIMESTAMP_LEN];

	ch_time_format(ch_clock_now(), ts);
	memcpy(out, ts, 10);
	out[10] = '\0';
}

/* Days from 1970-01-01 to y-m-d (proleptic Gregorian). */
static int64_t
days_from_civil(int y, int m, int d)
{
	int64_t era, yoe, doy, doe;

	y -= m <= 2;
	era = (y >= 0 ? y : y - 399) / 400;
	yoe = y - era * 400;
	doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + doe - 719468;
}

bool
ch_time_parse(const char *s, int64_t *out)
{
	int y, mo, d, h, mi, sec;
	const char *p;

	if (s == NULL || strlen(s) < 20 || !parse_date(s, &y, &mo, &d))
		return false;
	if (s[10] != 'T' || !digits(s + 11, 2, &h) || s[13] != ':' ||
	    !digits(s + 14, 2, &mi) || s[16] != ':' || !digits(s + 17, 2, &sec))
		return false;
	if (h > 23 || mi > 59 || sec > 60)
		return false;
	p = s + 19;
	if (*p == '.') {
		p++;
		if (*p < '0' || *p > '9')
			return false;
		while (*p >= '0' && *p <= '9')
			p++;
	}
	if (strcmp(p, "Z") != 0 && strcmp(p, "+00:00") != 0)
		return false;
	*out = days_from_civil(y, mo, d) * 86400 + h * 3600 + mi * 60 + sec;
	return true;
}
