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
