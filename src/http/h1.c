/*
 * h1.c — a strict, in-place parser of HTTP/1.1 request heads (h1.h).
 */
#include "http/h1.h"

#include <string.h>
#include <strings.h>

#define MAX_TARGET 2048

static bool
is_tchar(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	    (c >= '0' && c <= '9') ||
	    (c != '\0' && strchr("!#$%&'*+-.^_`|~", c) != NULL);
}

/* A field value's byte: visible ASCII, space, tab or obs-text. */
static bool
is_value_byte(unsigned char c)
{
	return c == '\t' || c >= 0x20 ? c != 0x7f : false;
}

static enum ch_h1_result
refuse(struct ch_h1_head *h, unsigned status, const char *why)
{
	h->error_status = status;
	h->error = why;
	return CH_H1_BAD;
}

static int
hex_value(unsigned char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* Percent-decode s in place ('+' as a space when plus); false on a bad
 * escape or an escaped NUL. */
static bool
decode(char *s, bool plus)
{
	char *out = s;

	for (; *s != '\0'; s++) {
		if (*s == '%') {
			int hi = hex_value((unsigned char)s[1]), lo;

			if (hi < 0 ||
			    (lo = hex_value((unsigned char)s[2])) < 0 ||
			    (hi == 0 && lo == 0))
				return false;
			*out++ = (char)(hi * 16 + lo);
			s += 2;
		} else {
			*out++ = plus && *s == '+' ? ' ' : *s;
		}
	}
	*out = '\0';
	return true;
}

static enum ch_h1_result
split_query(char *query, struct ch_h1_head *h)
{
	char *next;

	for (char *arg = query; arg != NULL; arg = next) {
		char *eq;

		next = strchr(arg, '&');
		if (next != NULL)
			*next++ = '\0';
		if (*arg == '\0')
			continue;
		if (h->nargs == CH_H1_MAX_ARGS)
			return refuse(h, 400,
			    "The query has more arguments than any route "
			    "takes.");
		eq = strchr(arg, '=');
		if (eq != NULL)
			*eq++ = '\0';
		if (!decode(arg, true) || (eq != NULL && !decode(eq, true)))
			return refuse(h, 400,
			    "The query has a malformed percent-escape (or an "
			    "escaped NUL).");
		h->args[h->nargs].name = arg;
		h->args[h->nargs].value = eq != NULL ? eq : "";
		h->nargs++;
	}
	return CH_H1_DONE;
}

/* The request line, NUL-terminated at its CR. */
static enum ch_h1_result
request_line(char *line, struct ch_h1_head *h)
{
	char *p = line, *target, *query;
	size_t n;

	for (n = 0; is_tchar((unsigned char)p[n]); n++)
		;
	if (n == 0 || p[n] != ' ')
		return refuse(h, 400,
		    "The request line is not METHOD SP TARGET SP "
		    "HTTP-VERSION.");
	if (n > CH_H1_MAX_METHOD)
		return refuse(h, 501, "No route has a method that long.");
	p[n] = '\0';
	h->method = p;
	target = p + n + 1;
	for (n = 0;
	     (unsigned char)target[n] > 0x20 && (unsigned char)target[n] < 0x7f;
	     n++)
		;
	if (n == 0 || target[n] != ' ')
		return refuse(h, 400,
		    "The request target is missing or holds a space or a "
		    "control character.");
	if (n > MAX_TARGET)
		return refuse(h, 414, "The request target is too long.");
	target[n] = '\0';
	p = target + n + 1;
	if (strncmp(p, "HTTP/1.", 7) != 0 || (p[7] != '0' && p[7] != '1') ||
	    p[8] != '\0') {
		if (strncmp(p, "HTTP/", 5) == 0 && p[5] >= '0' && p[5] <= '9')
			return refuse(
			    h, 505, "Only HTTP/1.1 (and 1.0) are spoken here.");
		return refuse(
		    h, 400, "The request line does not end with HTTP/1.1.");
	}
	h->minor = p[7] - '0';
	h->keep_alive = h->minor == 1;
	/* The absolute form (RFC 9112 section 3.2.2): its authority is
	 * Host's business, the path is what is routed. */
	if (strncasecmp(target, "http://", 7) == 0 ||
	    strncasecmp(target, "https://", 8) == 0) {
		char *slash = strchr(strstr(target, "//") + 2, '/');

		if (slash == NULL)
			return refuse(
			    h, 400, "An absolute target needs a path.");
		target = slash;
	}
	if (*target != '/')
		return refuse(h, 400,
		    "The request target must be a path starting with /.");
	query = strchr(target, '?');
	if (query != NULL)
		*query++ = '\0';
	if (!decode(target, false))
		return refuse(h, 400,
		    "The path has a malformed percent-escape (or an escaped "
		    "NUL).");
	h->path = target;
	return query != NULL ? split_query(query, h) : CH_H1_DONE;
}

/* Whether the comma-separated list s holds token (any letter case). */
static bool
has_token(const char *s, const char *token)
{
	size_t tn = strlen(token);

	while (*s != '\0') {
		size_t n;

		s += strspn(s, " \t,");
		n = strcspn(s, " \t,");
		if (n == tn && strncasecmp(s, token, n) == 0)
			return true;
		s += n;
	}
	return false;
}

/* What the fields mean for framing and the connection. */
static enum ch_h1_result
interpret(struct ch_h1_head *h)
{
	size_t hosts = 0;
	bool closing = false;

	h->content_length = -1;
	for (size_t i = 0; i < h->nfields; i++) {
		const char *name = h->fields[i].name, *v = h->fields[i].value;

		if (strcasecmp(name, "Content-Length") == 0) {
			int64_t n = 0;
			size_t digits = strspn(v, "0123456789");

			if (digits == 0 || v[digits] != '\0' || digits > 15)
				return refuse(h, 400,
				    "Content-Length is not a number of bytes.");
			for (size_t d = 0; d < digits; d++)
				n = n * 10 + (v[d] - '0');
			if (h->content_length >= 0 && h->content_length != n)
				return refuse(h, 400,
				    "Two different Content-Length fields.");
			h->content_length = n;
		} else if (strcasecmp(name, "Transfer-Encoding") == 0) {
			return refuse(h, 501,
			    "Transfer-Encoding is not accepted here: send the "
			    "body with a Content-Length.");
		} else if (strcasecmp(name, "Host") == 0) {
			hosts++;
		} else if (strcasecmp(name, "Connection") == 0) {
			/* close wins, whichever field says it (RFC 9112
			 * section 9.6). */
			if (has_token(v, "close"))
				closing = true;
			else if (has_token(v, "keep-alive"))
				h->keep_alive = true;
		} else if (strcasecmp(name, "Expect") == 0) {
			if (strcasecmp(v, "100-continue") != 0)
				return refuse(h, 417,
				    "The only expectation met here is "
				    "100-continue.");
			/* Ignored from an HTTP/1.0 client, which knows no
			 * interim answers (RFC 9110 section 10.1.1). */
			h->expect_continue = h->minor == 1;
		}
	}
	if (closing)
		h->keep_alive = false;
	if (hosts > 1 || (hosts == 0 && h->minor == 1))
		return refuse(
		    h, 400, "An HTTP/1.1 request has exactly one Host field.");
	return CH_H1_DONE;
}

/* One field line, NUL-terminated at its CR. */
static enum ch_h1_result
field_line(char *line, struct ch_h1_head *h)
{
	char *value, *end;
	size_t n;

	if (*line == ' ' || *line == '\t')
		return refuse(h, 400, "Folded field lines are not accepted.");
	for (n = 0; is_tchar((unsigned char)line[n]); n++)
		;
	if (n == 0 || line[n] != ':')
		return refuse(h, 400,
		    "A field line is not NAME: VALUE (no space before the "
		    "colon).");
	if (h->nfields == CH_H1_MAX_FIELDS)
		return refuse(h, 431, "The request has too many fields.");
	line[n] = '\0';
	value = line + n + 1;
	value += strspn(value, " \t");
	for (end = value; *end != '\0'; end++)
		if (!is_value_byte((unsigned char)*end))
			return refuse(
			    h, 400, "A field value holds a control character.");
	while (end > value && (end[-1] == ' ' || end[-1] == '\t'))
		end--;
	*end = '\0';
	h->fields[h->nfields].name = line;
	h->fields[h->nfields].value = value;
	h->nfields++;
	return CH_H1_DONE;
}

enum ch_h1_result
ch_h1_parse(char *buf, size_t len, size_t max_head, struct ch_h1_head *h)
{
	size_t scan = len < max_head ? len : max_head, end = 0, start = 0;
	enum ch_h1_result r;
	char *line;

	memset(h, 0, sizeof(*h));
	/* Empty lines before a request are passed over (RFC 9112 section
	 * 2.2), a few of them. */
	while (start + 1 < scan && start < 8 && buf[start] == '\r' &&
	    buf[start + 1] == '\n')
		start += 2;
	for (size_t i = start; i < scan; i++) {
		if (buf[i] == '\0')
			return refuse(
			    h, 400, "The request's head holds a NUL.");
		if (buf[i] == '\r' && i + 1 < scan && buf[i + 1] != '\n')
			return refuse(h, 400,
			    "A CR in the request's head is not followed by "
			    "LF.");
		if (buf[i] != '\n')
			continue;
		if (i == 0 || buf[i - 1] != '\r')
			return refuse(h, 400,
			    "Lines of the request's head end with CRLF.");
		if (i >= start + 3 && buf[i - 2] == '\n') {
			end = i + 1;
			break;
		}
	}
	if (end == 0)
		return len >= max_head
		    ? refuse(h, 431, "The request's head is too large.")
		    : CH_H1_MORE;
	h->head_len = end;
	/* Cut the lines at their CRs; the blank line's too. */
	line = buf + start;
	for (char *cr = memchr(line, '\r', end - start); cr != NULL;
	     cr = memchr(line, '\r', (size_t)(buf + end - line))) {
		*cr = '\0';
		if (line == buf + start)
			r = request_line(line, h);
		else if (*line == '\0')
			break;
		else
			r = field_line(line, h);
		if (r != CH_H1_DONE)
			return r;
		line = cr + 2;
	}
	return interpret(h);
}

static void
rebase(const char **p, const char *from, size_t len, const char *to)
{
	/* Compared as integers: `from` may no longer be a live object's. */
	uintptr_t off = (uintptr_t)*p - (uintptr_t)from;

	if (*p != NULL && off < len)
		*p = to + off;
}

void
ch_h1_rebase(struct ch_h1_head *h, const char *from, const char *to)
{
	rebase(&h->method, from, h->head_len, to);
	rebase(&h->path, from, h->head_len, to);
	rebase(&h->raw_path, from, h->head_len, to);
	for (size_t i = 0; i < h->nfields; i++) {
		rebase(&h->fields[i].name, from, h->head_len, to);
		rebase(&h->fields[i].value, from, h->head_len, to);
	}
	for (size_t i = 0; i < h->nargs; i++) {
		rebase(&h->args[i].name, from, h->head_len, to);
		rebase(&h->args[i].value, from, h->head_len, to);
	}
}

const char *
ch_h1_field(const struct ch_h1_head *h, const char *name)
{
	for (size_t i = 0; i < h->nfields; i++)
		if (strcasecmp(h->fields[i].name, name) == 0)
			return h->fields[i].value;
	return NULL;
}

const char *
ch_h1_arg(const struct ch_h1_head *h, const char *name)
{
	for (size_t i = 0; i < h->nargs; i++)
		if (strcmp(h->args[i].name, name) == 0)
			return h->args[i].value;
	return NULL;
}
