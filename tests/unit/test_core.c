/*
 * test_core.c — the core helpers: arena limits, bounded buffers, UTF-8,
 * ISO 8601 parsing, identifiers, the policy table and name keys.
 */
#include <criterion/criterion.h>
#include <jansson.h>
#include <pthread.h>
#include <string.h>
#include <time.h>

#include "core/core.h"
#include "core/names.h"
#include "core/policy.h"

Test(arena, refuses_past_its_limit)
{
	ch_arena *a = ch_arena_create(64 * 1024);

	cr_assert_not_null(ch_arena_alloc(a, 1000));
	cr_assert_null(ch_arena_alloc(a, 128 * 1024));
	cr_assert_not_null(ch_arena_strdup(a, "still works"));
	ch_arena_destroy(a);
	ch_arena_destroy(NULL);
}

Test(arena, printf_and_zeroed)
{
	ch_arena *a = ch_arena_create(0);
	unsigned char *p = ch_arena_alloc(a, 64);

	for (int i = 0; i < 64; i++)
		cr_assert_eq(p[i], 0);
	cr_assert_str_eq(ch_arena_printf(a, "%s-%d", "x", 42), "x-42");
	ch_arena_destroy(a);
}

/* Arenas made in one thread and destroyed in another (the device
 * listener's answers end in the thread that learns their batch is on
 * disk): blocks pass through the shared pool; each new arena's memory is
 * zeroed and whole, and under the sanitizers nothing leaks or is freed
 * twice. */
#define HANDED 3000

static ch_arena *handed[HANDED];

static void *
destroy_handed(void *arg)
{
	(void)arg;
	for (int i = 0; i < HANDED; i++)
		ch_arena_destroy(handed[i]);
	return NULL;
}

Test(arena, made_in_one_thread_ended_in_another)
{
	for (int round = 0; round < 4; round++) {
		pthread_t t;

		for (int i = 0; i < HANDED; i++) {
			unsigned char *p;

			handed[i] = ch_arena_create(0);
			cr_assert_not_null(handed[i]);
			p = ch_arena_alloc(handed[i], 12000);
			cr_assert_not_null(p);
			for (int j = 0; j < 12000; j += 997)
				cr_assert_eq(p[j], 0, "arena memory is zeroed");
			memset(p, 0xa5, 12000);
		}
		cr_assert_eq(pthread_create(&t, NULL, destroy_handed, NULL), 0);
		cr_assert_eq(pthread_join(t, NULL), 0);
	}
}

Test(buf, stops_at_max_and_keeps_contents)
{
	struct ch_buf b;

	ch_buf_init(&b, 8);
	cr_assert_eq(ch_buf_append(&b, "12345", 5), CH_OK);
	cr_assert_eq(ch_buf_append(&b, "6789", 4), CH_ERR_TOO_LARGE);
	cr_assert_str_eq(b.data, "12345");
	cr_assert_eq(ch_buf_appendf(&b, "%d", 678), CH_OK);
	cr_assert_str_eq(b.data, "12345678");
	ch_buf_free(&b);
}

Test(utf8, accepts_scripts_and_rejects_malformed)
{
	const char *ok[] = {"Helena", "Παπαδοπούλου", "Петренко", "حداد",
	    "日本語", "emoji \xf0\x9f\x98\x80"};
	const char *bad[] = {"\xc0\xaf", "\xed\xa0\x80", "\xf4\x90\x80\x80",
	    "abc\xe2\x82", "\x80"};

	for (size_t i = 0; i < CH_ARRAY_LEN(ok); i++)
		cr_assert(ch_utf8_valid(ok[i], strlen(ok[i])), "%s", ok[i]);
	for (size_t i = 0; i < CH_ARRAY_LEN(bad); i++)
		cr_assert_not(ch_utf8_valid(bad[i], strlen(bad[i])));
	cr_assert_not(ch_utf8_valid("a\0b", 3), "NUL refused");
	cr_assert_eq(ch_utf8_length("Ωmega", strlen("Ωmega")), 5);
}

Test(time, parses_utc_and_rejects_the_rest)
{
	int64_t t;
	char out[CH_TIMESTAMP_LEN];

	cr_assert(ch_time_parse("2026-11-25T20:50:58Z", &t));
	ch_time_format(t, out);
	cr_assert_str_eq(out, "2026-11-25T20:50:58Z");
	cr_assert(ch_time_parse("2024-02-29T00:00:00.123Z", &t));
	cr_assert(ch_time_parse("2024-02-29T00:00:00+00:00", &t));
	cr_assert_not(ch_time_parse("2023-02-29T00:00:00Z", &t));
	cr_assert_not(ch_time_parse("2026-11-25T20:50:58+02:00", &t));
	cr_assert_not(ch_time_parse("2026-11-25 20:50:58Z", &t));
	cr_assert(ch_date_valid("2000-02-29"));
	cr_assert_not(ch_date_valid("1900-02-29"));
	cr_assert_not(ch_date_valid("2026-13-01"));
	cr_assert_not(ch_date_valid("2026-1-01"));
}

/* The formatter's arithmetic against the C library's calendar: every day
 * boundary near leap days and century years, and a spread of times from
 * year 1000 to 9999, plus years outside that range (the library's path). */
Test(time, format_agrees_with_gmtime)
{
	static const int64_t edges[] = {0, -1, 951782399, 951782400, 951868800,
	    4107542400LL, 4107542399LL, 1709164800, 1709251200, 253402300799LL,
	    253402300800LL, -30610224000LL, -30610224001LL, -62167219200LL};
	char mine[CH_TIMESTAMP_LEN], libc[CH_TIMESTAMP_LEN];
	struct tm tm;
	uint64_t x = 88172645463325252ULL;

	for (size_t i = 0; i < CH_ARRAY_LEN(edges) + 200000; i++) {
		int64_t t;
		time_t tt;

		if (i < CH_ARRAY_LEN(edges)) {
			t = edges[i];
		} else { /* xorshift: times from year 0 to 9999 */
			x ^= x << 13;
			x ^= x >> 7;
			x ^= x << 17;
			t = (int64_t)(x % 315569520000ULL) - 62167219200LL;
		}
		tt = (time_t)t;
		cr_assert_not_null(gmtime_r(&tt, &tm));
		strftime(libc, sizeof(libc), "%Y-%m-%dT%H:%M:%SZ", &tm);
		ch_time_format(t, mine);
		cr_assert_str_eq(mine, libc, "t=%lld", (long long)t);
	}
}

Test(id, uuid7_is_valid_unique_and_ordered)
{
	char a[CH_ID_LEN], b[CH_ID_LEN];

	ch_id_new(a);
	ch_id_new(b);
	cr_assert(ch_id_valid(a));
	cr_assert_eq(a[14], '7', "version 7");
	cr_assert_str_neq(a, b);
	cr_assert(strncmp(a, b, 8) <= 0, "time-ordered prefix");
	cr_assert_not(ch_id_valid("01A21488-61FE-7C06-B813-FDB5C6FE0840"));
	cr_assert_not(ch_id_valid("not-an-id"));
}

/* Many identifiers in the same millisecond sort in the order they were
 * made (a history read "newest first" by id must not shuffle them). */
Test(id, ordered_within_a_millisecond)
{
	char prev[CH_ID_LEN], next[CH_ID_LEN];

	ch_id_new(prev);
	for (int i = 0; i < 100000; i++) {
		ch_id_new(next);
		cr_assert(ch_id_valid(next));
		cr_assert_eq(next[14], '7');
		cr_assert(strchr("89ab", next[19]) != NULL, "variant 10");
		cr_assert_lt(strcmp(prev, next), 0, "%s then %s", prev, next);
		memcpy(prev, next, CH_ID_LEN);
	}
}

Test(text, parse_long_is_strict)
{
	long v;

	cr_assert(ch_parse_long("42", 0, 100, &v) && v == 42);
	cr_assert_not(ch_parse_long("42x", 0, 100, &v));
	cr_assert_not(ch_parse_long("", 0, 100, &v));
	cr_assert_not(ch_parse_long("101", 0, 100, &v));
	cr_assert_not(ch_parse_long("99999999999999999999", 0, 100, &v));
}

Test(policy, roles_round_trip_and_deny_by_default)
{
	struct ch_principal guard = {0}, staff = {0}, hq = {0};
	unsigned mask;
	char out[128];

	cr_assert(ch_roles_parse("analyst,guard", &mask));
	ch_roles_format(mask, out, sizeof(out));
	cr_assert_str_eq(out, "analyst,guard");
	cr_assert_not(ch_roles_parse("analyst,king", &mask));
	cr_assert_not(ch_roles_parse("", &mask));
	guard.roles = 1u << CH_ROLE_GUARD;
	staff.roles = 1u << CH_ROLE_STAFF;
	hq.roles = 1u << CH_ROLE_HQ;
	cr_assert(ch_policy_allows(&guard, CH_PERM_PEOPLE_READ));
	cr_assert_not(ch_policy_allows(&guard, CH_PERM_PEOPLE_WRITE));
	cr_assert_not(ch_policy_allows(&staff, CH_PERM_PEOPLE_READ));
	cr_assert_not(ch_policy_allows(NULL, CH_PERM_SESSION));
	cr_assert(ch_policy_allows(NULL, CH_PERM_PUBLIC));
	cr_assert_not(ch_policy_allows(&hq, CH_PERM_NONE));
	ch_strlcpy(guard.post_id, "a", sizeof(guard.post_id));
	cr_assert(ch_policy_sees_post(&guard, "a"));
	cr_assert_not(ch_policy_sees_post(&guard, "b"));
	cr_assert(ch_policy_sees_post(&hq, "b"));
	cr_assert_not(ch_policy_sees_post(&staff, "a"), "no post: none");
}

Test(names, keys_meet_across_scripts)
{
	char a[CH_NAME_KEY_MAX], b[CH_NAME_KEY_MAX], c[CH_NAME_KEY_MAX];

	ch_name_key("Παπαδοπούλου", a, sizeof(a));
	ch_name_key("PAPADOPOULOU", b, sizeof(b));
	cr_assert_str_eq(a, b);
	ch_name_key("Møller", a, sizeof(a));
	cr_assert_str_eq(a, "moller");
	ch_name_key("  Dela   Cruz ", c, sizeof(c));
	cr_assert_str_eq(c, "dela cruz");
	ch_name_key("Петренко", a, sizeof(a));
	cr_assert_str_eq(a, "petrenko");
}

Test(text, check_names_the_field_and_the_rule)
{
	struct ch_fault f;

	memset(&f, 0, sizeof(f));
	cr_assert(ch_text_check(&f, "/title", "Protest at the gate", 200, 0));
	cr_assert(ch_text_check(&f, "/title", NULL, 200, 0), "optional");
	cr_assert_not(ch_text_check(&f, "/title", "", 200, CH_TEXT_REQUIRED));
	cr_assert_str_eq(f.field, "/title");
	cr_assert_str_eq(f.detail, "title is required.");
	cr_assert_not(ch_text_check(&f, "/title", "abcdef", 5, 0));
	cr_assert_str_eq(f.detail,
	    "title is 6 characters long; at most 5 are "
	    "allowed.");
	cr_assert(ch_text_check(&f, "/t", "ααααα", 5, 0), "code points");
	cr_assert_not(ch_text_check(&f, "/t", "a\nb", 9, 0));
	cr_assert(ch_text_check(&f, "/t", "a\nb\tc", 9, CH_TEXT_MULTILINE));
	cr_assert_not(ch_text_check(&f, "/t", "a\rb", 9, CH_TEXT_MULTILINE));
	cr_assert(ch_text_check(&f, "/t", " a ", 9, 0));
	cr_assert_not(ch_text_check(&f, "/t", " a", 9, CH_TEXT_TRIMMED));
	cr_assert_not(ch_text_check(&f, "/t", "\xff", 9, 0));
	/* DEL and C1 controls (U+0085, U+009B) are controls too. */
	cr_assert_not(ch_text_check(&f, "/t", "a\x7f", 9, 0));
	cr_assert_not(ch_text_check(&f, "/t",
	    "a\xc2\x85"
	    "b",
	    9, CH_TEXT_MULTILINE));
	cr_assert_not(ch_text_check(&f, "/t",
	    "a\xc2\x9b"
	    "b",
	    9, 0));
	cr_assert(ch_text_check(&f, "/t",
		      "a\xc2\xa0"
		      "b",
		      9, 0),
	    "NBSP is text");
	/* A right-to-left override makes "Ali" + "nesoh" read "Ali hosen". */
	cr_assert_not(
	    ch_text_check(&f, "/name", "Ali \xe2\x80\xaenesoh", 40, 0));
	cr_assert_str_eq(f.detail,
	    "name contains an invisible control or direction-override "
	    "character (U+202E); remove it.");
	cr_assert_not(ch_text_check(&f, "/name",
	    "a\xe2\x80\xaa"
	    "b",
	    9, 0));
	cr_assert_not(ch_text_check(&f, "/name",
	    "a\xe2\x81\xa6"
	    "b",
	    9, 0));
	cr_assert_not(ch_text_check(&f, "/name",
	    "a\xe2\x81\xa9"
	    "b",
	    9, 0));
	cr_assert_str_eq(f.detail,
	    "name contains an invisible control or direction-override "
	    "character (U+2069); remove it.");
	/* Arabic and Hebrew, with the direction marks U+200F and U+200E. */
	cr_assert(ch_text_check(&f, "/name",
	    "\xd9\x85\xd8\xad\xd9\x85\xd8\xaf "
	    "\xe2\x80\x8f(Mohamed)\xe2\x80\x8e",
	    40, 0));
	cr_assert(
	    ch_text_check(&f, "/name", "\xd7\xa9\xd7\xa8\xd7\x94", 40, 0));
	/* Neighbours of the refused ranges are text: U+202F (narrow
	 * no-break space), U+2070. */
	cr_assert(ch_text_check(&f, "/t",
	    "1\xe2\x80\xaf"
	    "000",
	    9, 0));
	cr_assert(ch_text_check(&f, "/t", "x\xe2\x81\xb0", 9, 0));
}

Test(tz, a_posts_local_date_and_day)
{
	char d[CH_DATE_LEN];
	int64_t t, start, end, want;

	/* 22:30 UTC is already the next day in Nairobi (UTC+3), not in
	 * Washington. */
	cr_assert(ch_time_parse("2026-11-25T22:30:00Z", &t));
	ch_tz_date(t, "Africa/Nairobi", d);
	cr_expect_str_eq(d, "2026-11-26");
	ch_tz_date(t, "America/New_York", d);
	cr_expect_str_eq(d, "2026-11-25");
	ch_tz_date(t, "UTC", d);
	cr_expect_str_eq(d, "2026-11-25");
	/* An unknown zone is UTC, never a guess. */
	cr_expect_not(ch_tz_known("Mars/Olympus_Mons"));
	cr_expect_not(ch_tz_known(""));
	cr_expect(ch_tz_known("Africa/Nairobi"));
	ch_tz_date(t, "Mars/Olympus_Mons", d);
	cr_expect_str_eq(d, "2026-11-25");

	cr_assert(
	    ch_tz_day_bounds("2026-11-26", "Africa/Nairobi", &start, &end));
	cr_assert(ch_time_parse("2026-11-25T21:00:00Z", &want));
	cr_expect_eq(start, want);
	cr_expect_eq(end - start, 86400);
	/* The spring and autumn changes in London: 23 and 25 hours. */
	cr_assert(
	    ch_tz_day_bounds("2026-03-29", "Europe/London", &start, &end));
	cr_assert(ch_time_parse("2026-03-29T00:00:00Z", &want));
	cr_expect_eq(start, want);
	cr_expect_eq(end - start, 23 * 3600);
	cr_assert(
	    ch_tz_day_bounds("2026-10-25", "Europe/London", &start, &end));
	cr_expect_eq(end - start, 25 * 3600);
	/* The last day of a year ends at the first of the next. */
	cr_assert(ch_tz_day_bounds("2026-12-31", "Asia/Tokyo", &start, &end));
	cr_assert(ch_time_parse("2026-12-31T15:00:00Z", &want));
	cr_expect_eq(end, want);
	cr_expect_not(ch_tz_day_bounds("2026-02-30", "UTC", &start, &end));
	cr_expect_not(ch_tz_day_bounds("today", "UTC", &start, &end));
}

Test(buf, numbers_and_strings_without_printf)
{
	struct ch_buf b;
	char want[64];

	ch_buf_init(&b, 1024);
	cr_assert_eq(ch_buf_append_u64(&b, 0), CH_OK);
	cr_assert_eq(ch_buf_append_str(&b, ","), CH_OK);
	cr_assert_eq(ch_buf_append_u64(&b, 10), CH_OK);
	cr_assert_eq(ch_buf_append_str(&b, ","), CH_OK);
	cr_assert_eq(ch_buf_append_u64(&b, UINT64_MAX), CH_OK);
	snprintf(
	    want, sizeof(want), "0,10,%llu", (unsigned long long)UINT64_MAX);
	cr_assert_str_eq(b.data, want);
	ch_buf_free(&b);
	{
		char text[CH_U64_DIGITS];

		cr_assert_eq(ch_u64_text(0, text), 1);
		cr_assert_str_eq(text, "0");
		cr_assert_eq(ch_u64_text(UINT64_MAX, text), 20);
		cr_assert_str_eq(text, want + strlen("0,10,"));
	}
	ch_buf_init(&b, 3);
	cr_assert_eq(ch_buf_append_u64(&b, 1234), CH_ERR_TOO_LARGE);
	cr_assert_eq(b.len, 0, "nothing appended past the maximum");
	ch_buf_free(&b);
}

Test(buf, json_strings_written_by_hand)
{
	static const struct {
		const char *in, *out;
	} cases[] = {
	    {"plain", "\"plain\""},
	    {"a\"b\\c", "\"a\\\"b\\\\c\""},
	    {"line\nbreak\t\x01", "\"line\\u000abreak\\u0009\\u0001\""},
	    {"Müller 😀 習近平", "\"Müller 😀 習近平\""},
	    {"bad \xff byte", "\"bad \\ufffd byte\""},
	    {"overlong \xc0\xaf", "\"overlong \\ufffd\\ufffd\""},
	    {"surrogate \xed\xa0\x80", "\"surrogate \\ufffd\\ufffd\\ufffd\""},
	    {"cut \xe2\x82", "\"cut \\ufffd\\ufffd\""},
	    {"/api/v1/x?q=\"};alert(1)//", "\"/api/v1/x?q=\\\"};alert(1)//\""},
	};
	struct ch_buf b;

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		json_t *parsed;

		ch_buf_init(&b, 1024);
		cr_assert_eq(ch_buf_append_json(&b, cases[i].in), CH_OK);
		cr_assert_eq(ch_buf_append(&b, "", 1), CH_OK);
		cr_expect_str_eq(b.data, cases[i].out);
		/* And it is JSON that a strict parser takes. */
		parsed = json_loads(b.data, JSON_DECODE_ANY, NULL);
		cr_expect_not_null(parsed, "%s", b.data);
		json_decref(parsed);
		ch_buf_free(&b);
	}
	ch_buf_init(&b, 64);
	cr_assert_eq(ch_buf_append_json(&b, NULL), CH_OK);
	cr_assert_eq(ch_buf_append(&b, "", 1), CH_OK);
	cr_expect_str_eq(b.data, "null");
	ch_buf_free(&b);
}
