/*
 * text.c — UTF-8 validation and the small string helpers that replace the
 * banned libc functions (strcpy, atoi and friends).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "core/core.h"

/*
 * Length in code points of a UTF-8 string, or -1 when it is not valid
 * UTF-8: overlong forms, surrogates, values past U+10FFFF and NUL bytes
 * are all refused.
 */
long
ch_utf8_length(const char *s, size_t n)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t i = 0;
	long count = 0;

	while (i < n) {
		unsigned char c = p[i];
		uint32_t cp;
		size_t len;

		if (c == 0)
			return -1;
		if (c < 0x80) {
			i++;
			count++;
			continue;
		}
		if (c >= 0xc2 && c <= 0xdf) {
			len = 2;
			cp = c & 0x1f;
		} else if (c >= 0xe0 && c <= 0xef) {
			len = 3;
			cp = c & 0x0f;
		} else if (c >= 0xf0 && c <= 0xf4) {
			len = 4;
			cp = c & 0x07;
		} else {
			return -1;
		}
		if (n - i < len)
			return -1;
		for (size_t k = 1; k < len; k++) {
			if ((p[i + k] & 0xc0) != 0x80)
				return -1;
			cp = (cp << 6) | (p[i + k] & 0x3f);
		}
		if ((len == 3 && cp < 0x800) || (len == 4 && cp < 0x10000) ||
		    cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
			return -1;
		i += len;
		count++;
	}
	return count;
}

bool
ch_utf8_valid(const char *s, size_t n)
{
	return ch_utf8_length(s, n) >= 0;
}

bool
ch_strlcpy(char *dst, const char *src, size_t size)
{
	size_t n;

	if (size == 0)
		return false;
	if (src == NULL)
		src = "";
	n = strlen(src);
	if (n >= size) {
		memcpy(dst, src, size - 1);
		dst[size - 1] = '\0';
		return false;
	}
	memcpy(dst, src, n + 1);
	return true;
}

bool
ch_parse_long(const char *s, long min, long max, long *out)
{
	char *end;
	long v;

	if (s == NULL || *s == '\0')
		return false;
	errno = 0;
	v = strtol(s, &end, 10);
	if (errno != 0 || *end != '\0' || v < min || v > max)
		return false;
	*out = v;
	return true;
}

bool
ch_streq(const char *a, const char *b)
{
	if (a == NULL || b == NULL)
		return a == b;
	return strcmp(a, b) == 0;
}

void
ch_hex(const unsigned char *in, size_t n, char *out)
{
	static const char digits[] = "0123456789abcdef";

	for (size_t i = 0; i < n; i++) {
		out[2 * i] = digits[in[i] >> 4];
		out[2 * i + 1] = digits[in[i] & 0x0f];
	}
	out[2 * n] = '\0';
}

bool
ch_unhex(const char *hex, unsigned char *out, size_t n)
{
	for (size_t i = 0; i < 2 * n; i++) {
		char c = hex[i];
		int v;

		if (c >= '0' && c <= '9')
			v = c - '0';
		else if (c >= 'a' && c <= 'f')
			v = c - 'a' + 10;
		else
			return false; /* also the NUL of a short string */
		if (i % 2 == 0)
			out[i / 2] = (unsigned char)(v << 4);
		else
			out[i / 2] |= (unsigned char)v;
	}
	return hex[2 * n] == '\0';
}

bool
ch_text_check(struct ch_fault *fault, const char *field, const char *s,
    long max, unsigned flags)
{
	const char *name = field[0] == '/' ? field + 1 : field;
	long n;

	if (s == NULL || *s == '\0') {
		if (flags & CH_TEXT_REQUIRED)
			ch_fault_set(fault, field, "%s is required.", name);
		return !(flags & CH_TEXT_REQUIRED);
	}
	n = ch_utf8_length(s, strlen(s));
	if (n < 0) {
		ch_fault_set(fault, field, "%s is not valid UTF-8 text.", name);
		return false;
	}
	if (n > max) {
		ch_fault_set(fault, field,
		    "%s is %ld characters long; at most %ld are allowed.", name,
		    n, max);
		return false;
	}
	for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
		unsigned cp = 0;

		if ((*p < 0x20 &&
			!((flags & CH_TEXT_MULTILINE) &&
			    (*p == '\n' || *p == '\t'))) ||
		    *p == 0x7f) {
			ch_fault_set(fault, field,
			    "%s contains a control character; remove it.",
			    name);
			return false;
		}
		/* C1 controls; the bidirectional embeddings, overrides and
		 * isolates, which make a text display as other than it is (a
		 * listed name shown as a harmless one at the gate).  The
		 * direction marks U+200E and U+200F stay. */
		if (p[0] == 0xc2 && p[1] >= 0x80 && p[1] <= 0x9f)
			cp = p[1];
		else if (p[0] == 0xe2 && p[1] == 0x80 && p[2] >= 0xaa &&
		    p[2] <= 0xae)
			cp = 0x2000u + (p[2] & 0x3fu);
		else if (p[0] == 0xe2 && p[1] == 0x81 && p[2] >= 0xa6 &&
		    p[2] <= 0xa9)
			cp = 0x2040u + (p[2] & 0x3fu);
		if (cp != 0) {
			ch_fault_set(fault, field,
			    "%s contains an invisible control or "
			    "direction-override character (U+%04X); remove it.",
			    name, cp);
			return false;
		}
	}
	if ((flags & CH_TEXT_TRIMMED) &&
	    (s[0] == ' ' || s[strlen(s) - 1] == ' ')) {
		ch_fault_set(fault, field,
		    "%s starts or ends with a space; trim it.", name);
		return false;
	}
	return true;
}
