/*
 * arena.c — per-request memory.  Allocations come from a chain of blocks
 * and are all released by ch_arena_destroy() when the response ends.  The
 * arena refuses to grow past its maximum, which bounds what one request
 * can make the server hold.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/core.h"

#define ARENA_BLOCK 16384
#define ARENA_DEFAULT_MAX (64u * 1024 * 1024)

struct block {
	struct block *next;
	size_t used;
	size_t size;
	max_align_t data[];
};

struct ch_arena {
	struct block *head;
	size_t total;
	size_t max;
};

ch_arena *
ch_arena_create(size_t max_bytes)
{
	ch_arena *a = calloc(1, sizeof(*a));

	if (a == NULL)
		return NULL;
	a->max = max_bytes ? max_bytes : ARENA_DEFAULT_MAX;
	return a;
}

void
ch_arena_destroy(ch_arena *a)
{
	struct block *b, *next;

	if (a == NULL)
		return;
	for (b = a->head; b != NULL; b = next) {
		next = b->next;
		free(b);
	}
	free(a);
}

void *
ch_arena_alloc(ch_arena *a, size_t n)
{
	const size_t align = sizeof(max_align_t);
	struct block *b;
	size_t size;
	void *p;

	if (n == 0)
		n = 1;
	if (n > a->max)
		return NULL;
	n = (n + align - 1) & ~(align - 1);
	b = a->head;
	if (b == NULL || b->size - b->used < n) {
		size = n > ARENA_BLOCK ? n : ARENA_BLOCK;
		if (a->total + size > a->max)
			return NULL;
		b = malloc(sizeof(*b) + size);
		if (b == NULL)
			return NULL;
		b->size = size;
		b->used = 0;
		b->next = a->head;
		a->head = b;
		a->total += size;
	}
	p = (char *)b->data + b->used;
	b->used += n;
	memset(p, 0, n);
	return p;
}

char *
ch_arena_strndup(ch_arena *a, const char *s, size_t n)
{
	char *p;

	if (s == NULL)
		return NULL;
	p = ch_arena_alloc(a, n + 1);
	if (p == NULL)
		return NULL;
	memcpy(p, s, n);
	p[n] = '\0';
	return p;
}

char *
ch_arena_strdup(ch_arena *a, const char *s)
{
	return s == NULL ? NULL : ch_arena_strndup(a, s, strlen(s));
}

char *
ch_arena_printf(ch_arena *a, const char *fmt, ...)
{
	va_list ap;
	int n;
	char *p;

	va_start(ap, fmt);
	n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n < 0)
		return NULL;
	p = ch_arena_alloc(a, (size_t)n + 1);
	if (p == NULL)
		return NULL;
	va_start(ap, fmt);
	vsnprintf(p, (size_t)n + 1, fmt, ap);
	va_end(ap);
	return p;
}
