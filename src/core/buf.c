/*
 * buf.c — a growing byte buffer with a hard maximum (after curl's dynbuf).
 * The maximum is also the input limit: appending past it fails with
 * CH_ERR_TOO_LARGE and leaves the buffer as it was.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/core.h"

void
ch_buf_init(struct ch_buf *b, size_t max)
{
	b->data = NULL;
	b->len = 0;
	b->cap = 0;
	b->max = max;
}

ch_err
ch_buf_append(struct ch_buf *b, const void *data, size_t n)
{
	size_t need, cap;
	char *p;

	if (n > b->max || b->len > b->max - n)
		return CH_ERR_TOO_LARGE;
	need = b->len + n + 1;
	if (need > b->cap) {
		cap = b->cap ? b->cap : 256;
		while (cap < need)
			cap *= 2;
		if (cap > b->max + 1)
			cap = b->max + 1;
		p = realloc(b->data, cap);
		if (p == NULL)
			return CH_ERR_NOMEM;
		b->data = p;
		b->cap = cap;
	}
	if (n > 0)
		memcpy(b->data + b->len, data, n);
	b->len += n;
	b->data[b->len] = '\0';
	return CH_OK;
}

ch_err
ch_buf_append_str(struct ch_buf *b, const char *s)
{
	return ch_buf_append(b, s, strlen(s));
}

size_t
ch_u64_text(uint64_t v, char out[CH_U64_DIGITS])
{
	char digits[CH_U64_DIGITS - 1];
	size_t n = sizeof(digits);

	do {
		digits[--n] = (char)('0' + v % 10);
		v /= 10;
	} while (v != 0);
	memcpy(out, digits + n, sizeof(digits) - n);
	out[sizeof(digits) - n] = '\0';
	return sizeof(digits) - n;
}

ch_err
ch_buf_append_u64(struct ch_buf *b, uint64_t v)
{
	char text[CH_U64_DIGITS];
	size_t n = ch_u64_text(v, text);

	return ch_buf_append(b, text, n);
}

ch_err
ch_buf_appendf(struct ch_buf *b, const char *fmt, ...)
{
	char small[512];
	va_list ap;
	int n;
	char *big;
	ch_err err;

	va_start(ap, fmt);
	n = vsnprintf(small, sizeof(small), fmt, ap);
	va_end(ap);
	if (n < 0)
		return CH_ERR_INVALID;
	if ((size_t)n < sizeof(small))
		return ch_buf_append(b, small, (size_t)n);
	big = malloc((size_t)n + 1);
	if (big == NULL)
		return CH_ERR_NOMEM;
	va_start(ap, fmt);
	vsnprintf(big, (size_t)n + 1, fmt, ap);
	va_end(ap);
	err = ch_buf_append(b, big, (size_t)n);
	free(big);
	return err;
}

void
ch_buf_reset(struct ch_buf *b)
{
	b->len = 0;
	if (b->data != NULL)
		b->data[0] = '\0';
}

void
ch_buf_free(struct ch_buf *b)
{
	free(b->data);
	ch_buf_init(b, b->max);
}

/* The length of the UTF-8 sequence at s (1..4), or 0 when s does not
 * begin a well-formed one (RFC 3629: no overlong forms, no surrogates,
 * nothing past U+10FFFF). */
static size_t
utf8_sequence(const unsigned char *s)
{
	if (s[0] < 0x80)
		return 1;
	if (s[0] >= 0xc2 && s[0] <= 0xdf)
		return (s[1] & 0xc0) == 0x80 ? 2 : 0;
	if (s[0] >= 0xe0 && s[0] <= 0xef) {
		unsigned char lo = s[0] == 0xe0 ? 0xa0 : 0x80;
		unsigned char hi = s[0] == 0xed ? 0x9f : 0xbf;

		return s[1] >= lo && s[1] <= hi && (s[2] & 0xc0) == 0x80 ? 3
									 : 0;
	}
	if (s[0] >= 0xf0 && s[0] <= 0xf4) {
		unsigned char lo = s[0] == 0xf0 ? 0x90 : 0x80;
		unsigned char hi = s[0] == 0xf4 ? 0x8f : 0xbf;

		return s[1] >= lo && s[1] <= hi && (s[2] & 0xc0) == 0x80 &&
			(s[3] & 0xc0) == 0x80
		    ? 4
		    : 0;
	}
	return 0;
}

ch_err
ch_buf_append_json(struct ch_buf *b, const char *s)
{
	const unsigned char *p = (const unsigned char *)s, *run;
	ch_err err;

	if (s == NULL)
		return ch_buf_append(b, "null", 4);
	if ((err = ch_buf_append(b, "\"", 1)) != CH_OK)
		return err;
	for (run = p; *p != '\0' && err == CH_OK;) {
		size_t n = utf8_sequence(p);

		if (n > 1 ||
		    (n == 1 && *p != '"' && *p != '\\' && *p >= 0x20)) {
			p += n;
			continue;
		}
		err = ch_buf_append(b, run, (size_t)(p - run));
		if (err != CH_OK)
			break;
		if (n == 0)
			err = ch_buf_append(b, "\\ufffd", 6); /* not UTF-8 */
		else if (*p == '"' || *p == '\\')
			err = ch_buf_appendf(b, "\\%c", *p);
		else
			err = ch_buf_appendf(b, "\\u%04x", *p);
		run = ++p;
	}
	if (err == CH_OK)
		err = ch_buf_append(b, run, (size_t)(p - run));
	return err == CH_OK ? ch_buf_append(b, "\"", 1) : err;
}
