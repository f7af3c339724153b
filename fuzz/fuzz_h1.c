/*
 * fuzz_h1.c — libFuzzer driver for the device listener's parser of
 * HTTP/1.1 request heads (src/http/h1.c), which cuts the head in place.
 * Arbitrary bytes may not crash it nor make it read or write outside the
 * buffer; and:
 *   - CH_H1_DONE iff the input (within MAX_HEAD bytes) holds a whole head:
 *     head_len <= len, the head ends with CRLF CRLF, and no earlier CRLF
 *     CRLF ends it; every string it returns lies inside the head;
 *   - CH_H1_MORE leaves the buffer untouched and only when no head ends in
 *     it and there is room for one;
 *   - CH_H1_BAD gives a status among those the listener answers, and a
 *     sentence;
 *   - a head moved to another buffer (ch_h1_rebase) reads the same.
 *
 *	CC=clang meson setup build-fuzz -Dfuzz=true -Db_lundef=false
 *	ninja -C build-fuzz fuzz_h1
 *	build-fuzz/fuzz_h1 fuzz/corpus/h1
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "http/h1.h"

#define MAX_HEAD 8192u

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void
inside(const char *s, const char *buf, size_t len)
{
	if (s == NULL || s < buf || s >= buf + len)
		abort();
	if (memchr(s, '\0', (size_t)(buf + len - s)) == NULL)
		abort(); /* runs past the head */
}

/* A string of the head, or "" (a query argument without '='). */
static void
inside_or_empty(const char *s, const char *buf, size_t len)
{
	if (s != NULL && s[0] == '\0' && (s < buf || s >= buf + len))
		return;
	inside(s, buf, len);
}

/* Where the first CRLF CRLF ends within the first scan bytes after the
 * leading empty lines the parser passes over, or 0. */
static size_t
head_end(const uint8_t *data, size_t scan)
{
	size_t start = 0;

	while (start + 1 < scan && start < 8 && data[start] == '\r' &&
	    data[start + 1] == '\n')
		start += 2;
	for (size_t i = start + 3; i < scan; i++)
		if (memcmp(data + i - 3, "\r\n\r\n", 4) == 0)
			return i + 1;
	return 0;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct ch_h1_head h, moved;
	size_t scan = size < MAX_HEAD ? size : MAX_HEAD;
	size_t end = head_end(data, scan);
	char *buf, *copy;
	enum ch_h1_result r;

	if (size > 2 * MAX_HEAD)
		return 0;
	/* Exactly size bytes, so that ASan sees any read past them. */
	buf = malloc(size ? size : 1);
	if (buf == NULL)
		return 0;
	memcpy(buf, data, size);
	r = ch_h1_parse(buf, size, MAX_HEAD, &h);
	switch (r) {
	case CH_H1_DONE:
		if (end == 0 || h.head_len != end || h.head_len > size)
			abort();
		if (memcmp(buf + h.head_len, data + h.head_len,
			size - h.head_len) != 0)
			abort(); /* wrote past the head */
		inside(h.method, buf, h.head_len);
		inside(h.path, buf, h.head_len);
		if (h.path[0] != '/' || h.minor < 0 || h.minor > 1 ||
		    h.nfields > CH_H1_MAX_FIELDS || h.nargs > CH_H1_MAX_ARGS ||
		    h.content_length < -1)
			abort();
		for (size_t i = 0; i < h.nfields; i++) {
			inside(h.fields[i].name, buf, h.head_len);
			inside(h.fields[i].value, buf, h.head_len);
		}
		for (size_t i = 0; i < h.nargs; i++) {
			inside(h.args[i].name, buf, h.head_len);
			inside_or_empty(h.args[i].value, buf, h.head_len);
		}
		copy = malloc(size);
		if (copy == NULL)
			break;
		memcpy(copy, buf, size);
		moved = h;
		ch_h1_rebase(&moved, buf, copy);
		if (strcmp(moved.method, h.method) != 0 ||
		    strcmp(moved.path, h.path) != 0)
			abort();
		inside(moved.method, copy, h.head_len);
		for (size_t i = 0; i < h.nfields; i++)
			inside(moved.fields[i].value, copy, h.head_len);
		free(copy);
		break;
	case CH_H1_MORE:
		if (end != 0 || size >= MAX_HEAD ||
		    memcmp(buf, data, size) != 0)
			abort();
		break;
	case CH_H1_BAD:
		if (h.error == NULL ||
		    (h.error_status != 400 && h.error_status != 414 &&
			h.error_status != 417 && h.error_status != 431 &&
			h.error_status != 501 && h.error_status != 505))
			abort();
		if (h.error_status == 431 && end != 0 &&
		    h.nfields < CH_H1_MAX_FIELDS)
			abort(); /* too large, yet a head ended in time */
		break;
	default:
		abort();
	}
	free(buf);
	return 0;
}
