/*
 * tz.c — a post's local calendar: the date at an instant in an IANA time
 * zone, and the instants at which a local day begins and ends (23, 24 or
 * 25 hours long across a daylight-saving change).  ICU's calendar does the
 * zone rules; an unknown or empty zone is UTC.
 */
#include <stdio.h>
#include <unicode/ucal.h>

#include "core/core.h"

/* A Gregorian calendar in zone tz (UTC when tz is NULL, empty or not a
 * zone ICU knows); NULL when ICU fails altogether. */
static UCalendar *
calendar(const char *tz)
{
	UChar zone[80];
	UErrorCode st = U_ZERO_ERROR;
	UCalendar *cal;
	size_t n = 0;

	for (; tz != NULL && tz[n] != '\0' && n + 1 < CH_ARRAY_LEN(zone); n++)
		zone[n] = (UChar)(unsigned char)tz[n];
	zone[n] = 0;
	if (n == 0 || !ch_tz_known(tz)) {
		zone[0] = 'U';
		zone[1] = 'T';
		zone[2] = 'C';
		zone[3] = 0;
		n = 3;
	}
	cal = ucal_open(zone, (int32_t)n, "en_GB", UCAL_GREGORIAN, &st);
	return U_FAILURE(st) ? NULL : cal;
}

bool
ch_tz_known(const char *tz)
{
	UChar zone[80], canonical[80];
	UErrorCode st = U_ZERO_ERROR;
	UBool system = false;
	size_t n = 0;

	for (; tz != NULL && tz[n] != '\0' && n + 1 < CH_ARRAY_LEN(zone); n++)
		zone[n] = (UChar)(unsigned char)tz[n];
	if (n == 0 || tz[n] != '\0')
		return false;
	zone[n] = 0;
	ucal_getCanonicalTimeZoneID(
	    zone, (int32_t)n, canonical, CH_ARRAY_LEN(canonical), &system, &st);
	return U_SUCCESS(st) && system;
}

void
ch_tz_date(int64_t t, const char *tz, char out[CH_DATE_LEN])
{
	UErrorCode st = U_ZERO_ERROR;
	UCalendar *cal = calendar(tz);
	int y, m, d;

	if (cal == NULL) {
		time_t tt = (time_t)t;
		struct tm tm;

		gmtime_r(&tt, &tm);
		strftime(out, CH_DATE_LEN, "%Y-%m-%d", &tm);
		return;
	}
	ucal_setMillis(cal, (UDate)t * 1000.0, &st);
	y = ucal_get(cal, UCAL_YEAR, &st);
	m = ucal_get(cal, UCAL_MONTH, &st) + 1;
	d = ucal_get(cal, UCAL_DATE, &st);
	ucal_close(cal);
	snprintf(out, CH_DATE_LEN, "%04u-%02u-%02u", (unsigned)y % 10000u,
	    (unsigned)m % 100u, (unsigned)d % 100u);
}

/* The instant local midnight begins date y-m-d in cal. */
static bool
midnight(UCalendar *cal, int y, int m, int d, int64_t *out)
{
	UErrorCode st = U_ZERO_ERROR;
	UDate ms;

	ucal_clear(cal);
	ucal_setDateTime(cal, y, m - 1, d, 0, 0, 0, &st);
	ms = ucal_getMillis(cal, &st);
	if (U_FAILURE(st))
		return false;
	*out = (int64_t)(ms / 1000.0);
	return true;
}

bool
ch_tz_day_bounds(const char *date, const char *tz, int64_t *start, int64_t *end)
{
	UCalendar *cal;
	int y, m, d;
	bool ok;

	if (!ch_date_valid(date))
		return false;
	/* "YYYY-MM-DD", checked: the digits are where they should be. */
	y = (date[0] - '0') * 1000 + (date[1] - '0') * 100 +
	    (date[2] - '0') * 10 + (date[3] - '0');
	m = (date[5] - '0') * 10 + (date[6] - '0');
	d = (date[8] - '0') * 10 + (date[9] - '0');
	if ((cal = calendar(tz)) == NULL)
		return false;
	/* The next day from ICU's own arithmetic: the 31st + 1, the year's
	 * end. */
	ok = midnight(cal, y, m, d, start);
	if (ok) {
		UErrorCode st = U_ZERO_ERROR;

		ucal_add(cal, UCAL_DATE, 1, &st);
		y = ucal_get(cal, UCAL_YEAR, &st);
		m = ucal_get(cal, UCAL_MONTH, &st) + 1;
		d = ucal_get(cal, UCAL_DATE, &st);
		ok = U_SUCCESS(st) && midnight(cal, y, m, d, end);
	}
	ucal_close(cal);
	return ok;
}
