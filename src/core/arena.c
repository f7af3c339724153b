/*
 * arena.c — per-request memory.  Allocations come from a chain of blocks
 * and are all released by ch_arena_destroy() when the response ends.  The
 * arena refuses to grow past its maximum, which bounds what one request
 * can make the server hold.
 *
 * A thread keeps up to 64 standard blocks of the arenas it destroyed (a
 * worker holds one per request in flight, and a batch of decisions ends
 * together), so a request does not take its first 16 KiB from malloc and
 * give them back (a block that size goes through malloc's slow bins each
 * time); they are freed when the thread ends.  An arena may end in another
 * thread than the one that made it (the device listener's answers are
 * sent by the thread that learns their batch is on disk): a thread whose
 * spares are full passes half of them to a pool shared by all threads,
 * and a thread without spares takes a batch from it, one lock for
 * SPARE_MOVE blocks.
 */
#include <pthread.h>
#include <stdatomic.h>
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

#define SPARE_MAX 64 /* standard blocks a thread keeps: 1 MiB */

struct spares {
	struct block *head;
	unsigned count;
};

#define SPARE_MOVE 32  /* blocks moved to or from the shared pool at once */
#define SHARED_MAX 512 /* blocks the shared pool keeps: 8 MiB */

static _Thread_local struct spares spares;
static struct spares shared;
static pthread_mutex_t shared_lock = PTHREAD_MUTEX_INITIALIZER;
/* shared.count, for a look without the lock (whether to take it). */
static _Atomic unsigned shared_seen;
static pthread_key_t spares_key;
static pthread_once_t spares_once = PTHREAD_ONCE_INIT;

static void
spares_free(void *arg)
{
	struct spares *sp = arg;
	struct block *b, *next;

	for (b = sp->head; b != NULL; b = next) {
		next = b->next;
		free(b);
	}
	sp->head = NULL;
	sp->count = 0;
}

static void
spares_init(void)
{
	(void)pthread_key_create(&spares_key, spares_free);
}

/* The key's destructor frees the spares when the thread ends (the main
 * thread's go with the process). */
static void
spares_register(void)
{
	(void)pthread_once(&spares_once, spares_init);
	(void)pthread_setspecific(spares_key, &spares);
}

static struct block *
block_new(size_t size)
{
	struct block *b;

	if (size == ARENA_BLOCK && spares.head == NULL &&
	    atomic_load_explicit(&shared_seen, memory_order_relaxed) > 0) {
		pthread_mutex_lock(&shared_lock);
		while (shared.head != NULL && spares.count < SPARE_MOVE) {
			b = shared.head;
			shared.head = b->next;
			shared.count--;
			atomic_store_explicit(
			    &shared_seen, shared.count, memory_order_relaxed);
			b->next = spares.head;
			spares.head = b;
			spares.count++;
		}
		pthread_mutex_unlock(&shared_lock);
		if (spares.count > 0)
			spares_register();
	}
	if (size == ARENA_BLOCK && spares.head != NULL) {
		b = spares.head;
		spares.head = b->next;
		spares.count--;
		return b;
	}
	b = malloc(sizeof(*b) + size);
	if (b != NULL)
		b->size = size;
	return b;
}

static void
block_free(struct block *b)
{
	if (b->size == ARENA_BLOCK && spares.count == SPARE_MAX &&
	    atomic_load_explicit(&shared_seen, memory_order_relaxed) +
		    SPARE_MOVE <=
		SHARED_MAX) {
		pthread_mutex_lock(&shared_lock);
		while (spares.count > SPARE_MAX - SPARE_MOVE &&
		    shared.count < SHARED_MAX) {
			struct block *x = spares.head;

			spares.head = x->next;
			spares.count--;
			x->next = shared.head;
			shared.head = x;
			shared.count++;
			atomic_store_explicit(
			    &shared_seen, shared.count, memory_order_relaxed);
		}
		pthread_mutex_unlock(&shared_lock);
	}
	if (b->size != ARENA_BLOCK || spares.count == SPARE_MAX) {
		free(b);
		return;
	}
	if (spares.count == 0)
		spares_register();
	b->next = spares.head;
	spares.head = b;
	spares.count++;
}

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
		block_free(b);
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
		b = block_new(size);
		if (b == NULL)
			return NULL;
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
