/*
 * json_parse.c — request bodies parsed without jansson's lexer where they
 * are plain.
 *
 * jansson reads its input a character at a time through a stream, saving
 * each into a growing buffer, and spent some 1.8 µs on a three-field body
 * of the gate's (against 0.25 µs to build the same values): a tenth of a
 * decision's HTTP work.  This parser reads the common shape of a body
 * directly and builds the same jansson values: objects, arrays, strings
 * without escapes, integers, true, false and null, nested at most
 * FAST_MAX_DEPTH deep.  Anything else — an escape, a fraction or an
 * exponent, a duplicate key, an error of any kind — is left to
 * json_loadb(), so jansson's grammar, limits and error messages stay the
 * only ones: this parser either returns exactly what json_loadb() would
 * (fuzz/fuzz_json_parse.c compares them) or declines.
 */
#include <string.h>

#include "http/http.h"

#define FAST_MAX_DEPTH 32
#define FAST_MAX_DIGITS 18 /* any 18 digits fit in a json_int_t */

struct cursor {
	const unsigned char *p, *end;
};

static void
skip_space(struct cursor *c)
{
	while (c->p < c->end &&
	    (*c->p == ' ' || *c->p == '\t' || *c->p == '\n' || *c->p == '\r'))
		c->p++;
}

/* The length of the UTF-8 sequence at s (at most n bytes), as jansson
 * accepts it (no overlong forms, no surrogates, nothing past U+10FFFF),
 * or 0. */
static size_t
utf8_len(const unsigned char *s, size_t n)
{
	unsigned char b = s[0];
	size_t len;
	uint32_t cp;

	if (b >= 0xc2 && b <= 0xdf) {
		len = 2;
		cp = b & 0x1fu;
	} else if (b >= 0xe0 && b <= 0xef) {
		len = 3;
		cp = b & 0x0fu;
	} else if (b >= 0xf0 && b <= 0xf4) {
		len = 4;
		cp = b & 0x07u;
	} else {
		return 0;
	}
	if (len > n)
		return 0;
	for (size_t i = 1; i < len; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		cp = (cp << 6) | (s[i] & 0x3fu);
	}
	if ((len == 3 && cp < 0x800) || (len == 4 && cp < 0x10000) ||
	    (cp >= 0xd800 && cp <= 0xdfff) || cp > 0x10ffff)
		return 0;
	return len;
}

/* A string without escapes, the cursor on its opening quote: its bytes
 * (start, length) and the cursor past its closing quote; false to
 * decline. */
static bool
fast_string(struct cursor *c, const char **start, size_t *len)
{
	const unsigned char *s = ++c->p;

	while (c->p < c->end) {
		unsigned char b = *c->p;

		if (b == '"') {
			*start = (const char *)s;
			*len = (size_t)(c->p - s);
			c->p++;
			return true;
		}
		if (b < 0x20 || b == '\\')
			return false;
		if (b < 0x80) {
			c->p++;
		} else {
			size_t n = utf8_len(c->p, (size_t)(c->end - c->p));

			if (n == 0)
				return false;
			c->p += n;
		}
	}
	return false;
}

static json_t *
fast_integer(struct cursor *c)
{
	bool negative = false;
	json_int_t v = 0;
	size_t digits = 0;

	if (*c->p == '-') {
		negative = true;
		c->p++;
	}
	if (c->p >= c->end || *c->p < '0' || *c->p > '9')
		return NULL;
	if (*c->p == '0') {
		c->p++;
	} else {
		while (c->p < c->end && *c->p >= '0' && *c->p <= '9') {
			if (++digits > FAST_MAX_DIGITS)
				return NULL;
			v = v * 10 + (*c->p - '0');
			c->p++;
		}
	}
	/* A fraction, an exponent or a digit after a leading zero: jansson's.
	 */
	if (c->p < c->end &&
	    (*c->p == '.' || *c->p == 'e' || *c->p == 'E' ||
		(*c->p >= '0' && *c->p <= '9')))
		return NULL;
	return json_integer(negative ? -v : v);
}

static bool
is_alpha(unsigned char b)
{
	return (b >= 'a' && b <= 'z') || (b >= 'A' && b <= 'Z');
}

/* true, false or null, not run on into more letters. */
static json_t *
fast_literal(struct cursor *c)
{
	static const struct {
		const char *word;
		size_t len;
	} words[] = {{"true", 4}, {"false", 5}, {"null", 4}};

	for (size_t i = 0; i < CH_ARRAY_LEN(words); i++) {
		size_t n = words[i].len;

		if ((size_t)(c->end - c->p) >= n &&
		    memcmp(c->p, words[i].word, n) == 0 &&
		    ((size_t)(c->end - c->p) == n || !is_alpha(c->p[n]))) {
			c->p += n;
			return i == 0 ? json_true()
			    : i == 1  ? json_false()
				      : json_null();
		}
	}
	return NULL;
}

static json_t *fast_value(struct cursor *c, int depth);

static json_t *
fast_object(struct cursor *c, int depth)
{
	json_t *obj = json_object();

	if (obj == NULL)
		return NULL;
	c->p++; /* { */
	skip_space(c);
	if (c->p < c->end && *c->p == '}') {
		c->p++;
		return obj;
	}
	for (;;) {
		const char *key;
		size_t klen;
		json_t *v;

		if (c->p >= c->end || *c->p != '"' ||
		    !fast_string(c, &key, &klen))
			break;
		/* A duplicate is refused, with jansson's message. */
		if (json_object_getn(obj, key, klen) != NULL)
			break;
		skip_space(c);
		if (c->p >= c->end || *c->p != ':')
			break;
		c->p++;
		skip_space(c);
		if ((v = fast_value(c, depth + 1)) == NULL)
			break;
		if (json_object_setn_new_nocheck(obj, key, klen, v) != 0)
			break;
		skip_space(c);
		if (c->p >= c->end)
			break;
		if (*c->p == '}') {
			c->p++;
			return obj;
		}
		if (*c->p != ',')
			break;
		c->p++;
		skip_space(c);
	}
	json_decref(obj);
	return NULL;
}

static json_t *
fast_array(struct cursor *c, int depth)
{
	json_t *arr = json_array();

	if (arr == NULL)
		return NULL;
	c->p++; /* [ */
	skip_space(c);
	if (c->p < c->end && *c->p == ']') {
		c->p++;
		return arr;
	}
	for (;;) {
		json_t *v = fast_value(c, depth + 1);

		if (v == NULL || json_array_append_new(arr, v) != 0)
			break;
		skip_space(c);
		if (c->p >= c->end)
			break;
		if (*c->p == ']') {
			c->p++;
			return arr;
		}
		if (*c->p != ',')
			break;
		c->p++;
		skip_space(c);
	}
	json_decref(arr);
	return NULL;
}

/* The value at the cursor (no space before it), or NULL to decline. */
static json_t *
fast_value(struct cursor *c, int depth)
{
	const char *s;
	size_t n;

	if (c->p >= c->end || depth > FAST_MAX_DEPTH)
		return NULL;
	switch (*c->p) {
	case '{':
		return fast_object(c, depth);
	case '[':
		return fast_array(c, depth);
	case '"':
		return fast_string(c, &s, &n) ? json_stringn_nocheck(s, n)
					      : NULL;
	case '-':
	case '0':
	case '1':
	case '2':
	case '3':
	case '4':
	case '5':
	case '6':
	case '7':
	case '8':
	case '9':
		return fast_integer(c);
	default:
		return fast_literal(c);
	}
}

json_t *
ch_json_parse_plain(const char *text, size_t len)
{
	struct cursor c = {
	    (const unsigned char *)text, (const unsigned char *)text + len};
	json_t *v;

	skip_space(&c);
	/* Like json_loadb() without JSON_DECODE_ANY: an object or an array. */
	if (c.p >= c.end || (*c.p != '{' && *c.p != '[') ||
	    (v = fast_value(&c, 1)) == NULL)
		return NULL;
	skip_space(&c);
	if (c.p == c.end)
		return v;
	json_decref(v);
	return NULL;
}

json_t *
ch_json_parse(const char *text, size_t len, json_error_t *err)
{
	json_t *v = ch_json_parse_plain(text, len);

	return v != NULL ? v
			 : json_loadb(text, len, JSON_REJECT_DUPLICATES, err);
}
