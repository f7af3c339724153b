/*
 * test_h1.c — the device listener's parser of HTTP/1.1 request heads
 * (src/http/h1.c): what it accepts and how it reads it, and every refusal
 * with the status it answers and the sentence it gives.
 */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "http/h1.h"

#define MAX_HEAD 8192u

static char buf[3 * MAX_HEAD];
static struct ch_h1_head h;

/* Parse text (copied into buf, which is larger) as the whole input. */
static enum ch_h1_result
parse(const char *text)
{
	size_t n = strlen(text);

	cr_assert_lt(n, sizeof(buf));
	memcpy(buf, text, n);
	return ch_h1_parse(buf, n, MAX_HEAD, &h);
}

/* The text is refused with status and a detail containing why. */
static void
refused(const char *text, unsigned status, const char *why)
{
	cr_assert_eq(parse(text), CH_H1_BAD, "accepted: %s", text);
	cr_assert_eq(h.error_status, status, "%u for %s", h.error_status, text);
	cr_assert_not_null(h.error);
	cr_assert_not_null(
	    strstr(h.error, why), "\"%s\" for %s", h.error, text);
}

Test(h1, a_plain_get_is_read_whole)
{
	const char *text = "GET /api/v1/device HTTP/1.1\r\nHost: gate\r\n"
			   "Authorization:  Bearer chd_x  \r\n\r\n";

	cr_assert_eq(parse(text), CH_H1_DONE);
	cr_assert_str_eq(h.method, "GET");
	cr_assert_str_eq(h.path, "/api/v1/device");
	cr_assert_eq(h.minor, 1);
	cr_assert_eq(h.head_len, strlen(text));
	cr_assert_eq(h.content_length, -1);
	cr_assert(h.keep_alive);
	cr_assert_not(h.expect_continue);
	cr_assert_eq(h.nfields, 2);
	cr_assert_str_eq(ch_h1_field(&h, "host"), "gate");
	/* Spaces around a value are not part of it. */
	cr_assert_str_eq(ch_h1_field(&h, "AUTHORIZATION"), "Bearer chd_x");
	cr_assert_null(ch_h1_field(&h, "Cookie"));
	for (size_t i = 0; i < h.nfields; i++) {
		cr_assert(h.fields[i].name >= buf &&
		    h.fields[i].name < buf + h.head_len);
		cr_assert(h.fields[i].value >= buf &&
		    h.fields[i].value < buf + h.head_len);
	}
}

Test(h1, an_unfinished_head_asks_for_more_and_is_left_untouched)
{
	const char *parts[] = {"", "G", "GET / HTTP/1.1", "GET / HTTP/1.1\r",
	    "GET / HTTP/1.1\r\nHost: a\r\n", "GET / HTTP/1.1\r\nHost: a\r\n\r"};

	for (size_t i = 0; i < sizeof(parts) / sizeof(parts[0]); i++) {
		char copy[64];

		cr_assert_eq(parse(parts[i]), CH_H1_MORE, "%s", parts[i]);
		memcpy(copy, parts[i], strlen(parts[i]));
		cr_assert_eq(memcmp(buf, copy, strlen(parts[i])), 0);
	}
}

Test(h1, what_follows_the_head_is_not_part_of_it)
{
	const char *head = "POST /a HTTP/1.1\r\nHost: a\r\nContent-Length: "
			   "2\r\n\r\n";
	char text[256];

	snprintf(text, sizeof(text), "%s{}GET /b HTTP/1.1\r\n", head);
	cr_assert_eq(parse(text), CH_H1_DONE);
	cr_assert_eq(h.head_len, strlen(head));
	cr_assert_eq(h.content_length, 2);
	cr_assert_eq(memcmp(buf + h.head_len, "{}GET /b", 8), 0);
}

Test(h1, empty_lines_before_a_request_are_passed_over)
{
	cr_assert_eq(
	    parse("\r\n\r\nGET /x HTTP/1.1\r\nHost: a\r\n\r\n"), CH_H1_DONE);
	cr_assert_str_eq(h.path, "/x");
	refused("\r\n\r\n\r\n\r\n\r\n\r\n", 400, "METHOD SP TARGET");
}

Test(h1, the_path_and_the_query_are_percent_decoded)
{
	cr_assert_eq(parse("GET /a%2Fb+c?q=x+y%26z&e&&k=%41 HTTP/1.1\r\n"
			   "Host: a\r\n\r\n"),
	    CH_H1_DONE);
	cr_assert_str_eq(h.path, "/a/b+c"); /* '+' is a plus in a path */
	cr_assert_eq(h.nargs, 3);
	cr_assert_str_eq(ch_h1_arg(&h, "q"), "x y&z");
	cr_assert_str_eq(ch_h1_arg(&h, "e"), "");
	cr_assert_str_eq(ch_h1_arg(&h, "k"), "A");
	cr_assert_null(ch_h1_arg(&h, "z"));
}

Test(h1, an_absolute_target_is_routed_by_its_path)
{
	cr_assert_eq(parse("GET https://gate.example:8444/api/v1/device?x=1 "
			   "HTTP/1.1\r\nHost: gate.example\r\n\r\n"),
	    CH_H1_DONE);
	cr_assert_str_eq(h.path, "/api/v1/device");
	cr_assert_str_eq(ch_h1_arg(&h, "x"), "1");
	refused("GET http://gate HTTP/1.1\r\nHost: a\r\n\r\n", 400,
	    "absolute target needs a path");
}

Test(h1, http_1_0_needs_no_host_and_closes_unless_kept_alive)
{
	cr_assert_eq(parse("GET / HTTP/1.0\r\n\r\n"), CH_H1_DONE);
	cr_assert_eq(h.minor, 0);
	cr_assert_not(h.keep_alive);
	cr_assert_eq(parse("GET / HTTP/1.0\r\nConnection: Keep-Alive\r\n\r\n"),
	    CH_H1_DONE);
	cr_assert(h.keep_alive);
	cr_assert_eq(
	    parse("GET / HTTP/1.1\r\nHost: a\r\nConnection: te, CLOSE\r\n\r\n"),
	    CH_H1_DONE);
	cr_assert_not(h.keep_alive);
}

Test(h1, close_wins_over_keep_alive_in_any_order)
{
	cr_assert_eq(parse("GET / HTTP/1.1\r\nHost: a\r\nConnection: close\r\n"
			   "Connection: keep-alive\r\n\r\n"),
	    CH_H1_DONE);
	cr_assert_not(h.keep_alive);
	cr_assert_eq(parse("GET / HTTP/1.0\r\nConnection: close\r\n"
			   "Connection: keep-alive\r\n\r\n"),
	    CH_H1_DONE);
	cr_assert_not(h.keep_alive);
	cr_assert_eq(parse("GET / HTTP/1.0\r\nConnection: keep-alive\r\n"
			   "Connection: close\r\n\r\n"),
	    CH_H1_DONE);
	cr_assert_not(h.keep_alive);
}

Test(h1, content_length_and_expect_are_read)
{
	cr_assert_eq(
	    parse("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 12\r\n"
		  "content-length: 12\r\nExpect: 100-Continue\r\n\r\n"),
	    CH_H1_DONE);
	cr_assert_eq(h.content_length, 12);
	cr_assert(h.expect_continue);
	cr_assert_eq(parse("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: "
			   "999999999999999\r\n\r\n"),
	    CH_H1_DONE);
	cr_assert_eq(h.content_length, 999999999999999);
	/* HTTP/1.0 knows no interim answers: the expectation is ignored. */
	cr_assert_eq(parse("POST / HTTP/1.0\r\nContent-Length: 2\r\n"
			   "Expect: 100-continue\r\n\r\n"),
	    CH_H1_DONE);
	cr_assert_not(h.expect_continue);
}

Test(h1, the_lines_must_end_with_crlf_and_hold_no_nul)
{
	refused("GET / HTTP/1.1\nHost: a\r\n\r\n", 400, "end with CRLF");
	refused("GET / HTTP/1.1\r\nHost: a\n\n", 400, "end with CRLF");
	refused("GET / HTTP/1.1\rHost: a\r\n\r\n", 400, "not followed by LF");
	cr_assert_eq(ch_h1_parse(memcpy(buf, "GET /\0 HTTP/1.1\r\n\r\n", 19),
			 19, MAX_HEAD, &h),
	    CH_H1_BAD);
	cr_assert_eq(h.error_status, 400);
	cr_assert_not_null(strstr(h.error, "NUL"));
}

Test(h1, the_request_line_is_refused_with_its_reason)
{
	refused("GET  / HTTP/1.1\r\nHost: a\r\n\r\n", 400, "target is missing");
	refused("GET\t/ HTTP/1.1\r\nHost: a\r\n\r\n", 400, "METHOD SP TARGET");
	refused(" GET / HTTP/1.1\r\nHost: a\r\n\r\n", 400, "METHOD SP TARGET");
	refused("G(T / HTTP/1.1\r\nHost: a\r\n\r\n", 400, "METHOD SP TARGET");
	refused("ABCDEFGHIJKLMNOPQ / HTTP/1.1\r\nHost: a\r\n\r\n", 501,
	    "method that long");
	refused(
	    "GET /a\x01 HTTP/1.1\r\nHost: a\r\n\r\n", 400, "control character");
	refused(
	    "GET /a\x7f HTTP/1.1\r\nHost: a\r\n\r\n", 400, "control character");
	refused("GET /\xc3\xa9 HTTP/1.1\r\nHost: a\r\n\r\n", 400,
	    "control character");
	refused("GET / HTTP/2.0\r\nHost: a\r\n\r\n", 505, "HTTP/1.1");
	refused("GET / HTTP/1.2\r\nHost: a\r\n\r\n", 505, "HTTP/1.1");
	refused("GET / HTTP/1.1 \r\nHost: a\r\n\r\n", 505, "HTTP/1.1");
	refused("GET / http/1.1\r\nHost: a\r\n\r\n", 400, "end with HTTP/1.1");
	refused("GET / HTTP\r\nHost: a\r\n\r\n", 400, "end with HTTP/1.1");
	refused("GET /\r\nHost: a\r\n\r\n", 400, "target is missing");
	refused("GET * HTTP/1.1\r\nHost: a\r\n\r\n", 400, "starting with /");
	refused("GET /%zz HTTP/1.1\r\nHost: a\r\n\r\n", 400, "percent-escape");
	refused("GET /%4 HTTP/1.1\r\nHost: a\r\n\r\n", 400, "percent-escape");
	refused("GET /a%00b HTTP/1.1\r\nHost: a\r\n\r\n", 400, "escaped NUL");
	refused("GET /?a=%00 HTTP/1.1\r\nHost: a\r\n\r\n", 400, "escaped NUL");
	refused(
	    "GET /?%G1=1 HTTP/1.1\r\nHost: a\r\n\r\n", 400, "percent-escape");
}

Test(h1, a_target_too_long_is_414)
{
	char text[4096];
	int n = snprintf(text, sizeof(text), "GET /");

	memset(text + n, 'a', 2048);
	snprintf(text + n + 2048, sizeof(text) - (size_t)n - 2048,
	    " HTTP/1.1\r\nHost: a\r\n\r\n");
	refused(text, 414, "too long");
	/* 2048 bytes in all are still accepted. */
	memmove(text + n + 2047, text + n + 2048, strlen(text + n + 2048) + 1);
	cr_assert_eq(parse(text), CH_H1_DONE);
}

Test(h1, a_query_with_too_many_arguments_is_refused)
{
	char text[512] = "GET /?";

	for (int i = 0; i < 17; i++)
		snprintf(text + strlen(text), sizeof(text) - strlen(text),
		    "a%d=%d&", i, i);
	snprintf(text + strlen(text), sizeof(text) - strlen(text),
	    " HTTP/1.1\r\nHost: a\r\n\r\n");
	refused(text, 400, "more arguments");
}

Test(h1, field_lines_are_refused_with_their_reason)
{
	refused("GET / HTTP/1.1\r\nHost: a\r\n folded\r\n\r\n", 400, "Folded");
	refused("GET / HTTP/1.1\r\nHost: a\r\n\tfolded\r\n\r\n", 400, "Folded");
	refused("GET / HTTP/1.1\r\nHost : a\r\n\r\n", 400, "NAME: VALUE");
	refused("GET / HTTP/1.1\r\nHost a\r\n\r\n", 400, "NAME: VALUE");
	refused("GET / HTTP/1.1\r\n: a\r\n\r\n", 400, "NAME: VALUE");
	refused(
	    "GET / HTTP/1.1\r\nHost: a\x01\r\n\r\n", 400, "control character");
	refused(
	    "GET / HTTP/1.1\r\nHost: a\x7f\r\n\r\n", 400, "control character");
	/* Tabs and obs-text are values' bytes. */
	cr_assert_eq(
	    parse("GET / HTTP/1.1\r\nHost: a\r\nX-A: b\tc\xe9\r\n\r\n"),
	    CH_H1_DONE);
	cr_assert_str_eq(ch_h1_field(&h, "x-a"), "b\tc\xe9");
}

Test(h1, too_many_fields_or_too_large_a_head_is_431)
{
	char text[4096] = "GET / HTTP/1.1\r\nHost: a\r\n";
	char *big;

	for (int i = 0; i < 47; i++)
		snprintf(text + strlen(text), sizeof(text) - strlen(text),
		    "X-%d: %d\r\n", i, i);
	strcat(text, "\r\n");
	cr_assert_eq(parse(text), CH_H1_DONE); /* 48 fields */
	text[strlen(text) - 2] = '\0';
	strcat(text, "X-48: 48\r\n\r\n");
	refused(text, 431, "too many fields");

	/* No blank line within MAX_HEAD bytes. */
	big = malloc(MAX_HEAD + 16);
	cr_assert_not_null(big);
	memcpy(big, "GET / HTTP/1.1\r\nX: ", 19);
	memset(big + 19, 'a', MAX_HEAD - 19);
	cr_assert_eq(ch_h1_parse(big, MAX_HEAD - 1, MAX_HEAD, &h), CH_H1_MORE);
	cr_assert_eq(ch_h1_parse(big, MAX_HEAD, MAX_HEAD, &h), CH_H1_BAD);
	cr_assert_eq(h.error_status, 431);
	cr_assert_not_null(strstr(h.error, "too large"));
	/* A head whose end is past MAX_HEAD is too large as well. */
	memcpy(big + MAX_HEAD, "\r\n\r\n", 4);
	cr_assert_eq(ch_h1_parse(big, MAX_HEAD + 4, MAX_HEAD, &h), CH_H1_BAD);
	cr_assert_eq(h.error_status, 431);
	free(big);
}

Test(h1, framing_fields_are_refused_with_their_reason)
{
	refused("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 1x\r\n\r\n", 400,
	    "not a number");
	refused("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: -1\r\n\r\n", 400,
	    "not a number");
	refused("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: +1\r\n\r\n", 400,
	    "not a number");
	refused("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 1, 1\r\n\r\n",
	    400, "not a number");
	refused("POST / HTTP/1.1\r\nHost: a\r\nContent-Length:\r\n\r\n", 400,
	    "not a number");
	refused("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: "
		"1000000000000000\r\n\r\n",
	    400, "not a number");
	refused("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 1\r\n"
		"Content-Length: 2\r\n\r\n",
	    400, "Two different");
	refused("POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n"
		"\r\n",
	    501, "Transfer-Encoding");
	refused("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 2\r\n"
		"Transfer-Encoding: identity\r\n\r\n",
	    501, "Transfer-Encoding");
	refused("POST / HTTP/1.1\r\nHost: a\r\nExpect: 100-continue, x\r\n\r\n",
	    417, "100-continue");
	refused("GET / HTTP/1.1\r\n\r\n", 400, "exactly one Host");
	refused("GET / HTTP/1.1\r\nHost: a\r\nHost: a\r\n\r\n", 400,
	    "exactly one Host");
	refused("GET / HTTP/1.0\r\nHost: a\r\nHost: b\r\n\r\n", 400,
	    "exactly one Host");
}

Test(h1, a_head_moved_to_another_buffer_points_into_it)
{
	const char *text = "POST /a%2Fb?x=1&y HTTP/1.1\r\nHost: gate\r\n"
			   "Content-Length: 3\r\n\r\nabc";
	char *from = malloc(strlen(text)), *to = malloc(strlen(text) * 2);
	const char *empty;

	cr_assert(from != NULL && to != NULL);
	memcpy(from, text, strlen(text));
	cr_assert_eq(ch_h1_parse(from, strlen(text), MAX_HEAD, &h), CH_H1_DONE);
	empty = ch_h1_arg(&h, "y"); /* not in the buffer */
	memcpy(to, from, strlen(text));
	memset(from, '#', strlen(text));
	ch_h1_rebase(&h, from, to);
	free(from);
	cr_assert_str_eq(h.method, "POST");
	cr_assert_str_eq(h.path, "/a/b");
	cr_assert_str_eq(ch_h1_field(&h, "host"), "gate");
	cr_assert_str_eq(ch_h1_field(&h, "content-length"), "3");
	cr_assert_str_eq(ch_h1_arg(&h, "x"), "1");
	cr_assert_eq(ch_h1_arg(&h, "y"), empty);
	cr_assert(h.method >= to && h.method < to + h.head_len);
	for (size_t i = 0; i < h.nfields; i++)
		cr_assert(h.fields[i].value >= to &&
		    h.fields[i].value < to + h.head_len);
	free(to);
}
