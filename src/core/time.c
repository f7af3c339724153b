/*
 * time.c — ISO 8601 UTC text for times and calendar dates.  Every time the
 * API shows or accepts is UTC with a trailing Z; dates are YYYY-MM-DD.
 */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "core/core.h"

/* Two digits of v at p. */
static void
put2(char *p, int v)
{
	p[0] = (char)('0' + v / 10);
	p[1] = (char)('0' + v % 10);
}

/*
 * Formatted by arithmetic: gmtime_r takes glibc's time-zone lock on every
 * call, and the gate formats several times per decision from every thread.
 * Days since 1970 to a proleptic Gregorian date counts in eras of 400
 * years (146,097 days), each starting on 1 March so that the leap day is
 * the era-year's last.  Years outside 1000..9999 keep gmtime_r and strftime
 * (which does not pad a year of fewer than four digits).
 */
void
ch_time_format(int64_t t, char out[CH_TIMESTAMP_LEN])
{
	int64_t days, secs, era, doe, yoe, doy, mp, year;
	int month, day;

	if (t < -30610224000LL || t > 253402300799LL) { /* 1000 .. 9999 */
		struct tm tm;
		time_t tt = (time_t)t;

		if (gmtime_r(&tt, &tm) == NULL) {
			ch_strlcpy(
			    out, "1970-01-01T00:00:00Z", CH_TIMESTAMP_LEN);
			return;
		}
		strftime(out, CH_TIMESTAMP_LEN, "%Y-%m-%dT%H:%M:%SZ", &tm);
		return;
	}
	days = t / 86400;
	secs = t % 86400;
	if (secs < 0) {
		secs += 86400;
		days--;
	}
	days += 719468; /* from 0000-03-01 */
	era = (days >= 0 ? days : days - 146096) / 146097;
	doe = days - era * 146097;
	yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	mp = (5 * doy + 2) / 153;
	day = (int)(doy - (153 * mp + 2) / 5 + 1);
	month = (int)(mp < 10 ? mp + 3 : mp - 9);
	year = yoe + era * 400 + (month <= 2);
	put2(out, (int)(year / 100));
	put2(out + 2, (int)(year % 100));
	out[4] = '-';
	put2(out + 5, month);
	out[7] = '-';
	put2(out + 8, day);
	out[10] = 'T';
	put2(out + 11, (int)(secs / 3600));
	out[13] = ':';
	put2(out + 14, (int)(secs / 60 % 60));
	out[16] = ':';
	put2(out + 17, (int)(secs % 60));
	out[19] = 'Z';
	out[20] = '\0';
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
