/*
 * id.c — record identifiers and randomness.  Identifiers are UUID version 7
 * (RFC 9562): 48 bits of milliseconds, 12 bits of the millisecond's
 * fraction kept increasing within the process, then random bits, so they
 * sort by creation time even within a millisecond (cursor pagination and
 * histories rely on it) and stay unique when many posts' records meet at
 * HQ.
 */
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>
#include <sys/random.h>

#include "core/core.h"

void
ch_random_bytes(void *buf, size_t n)
{
	unsigned char *p = buf;

	while (n > 0) {
		ssize_t got = getrandom(p, n, 0);

		if (got < 0)
			continue; /* EINTR; getrandom never fails otherwise */
		p += got;
		n -= (size_t)got;
	}
}

/* Identifiers take their random bits from a buffer per thread, filled
 * by one getrandom() for 32 of them (the gate makes two per decision, and
 * a system call each was a visible cost); a fork empties the buffers, so
 * that parent and child never share bits. */
#define ID_POOL 512

static atomic_uint forks;
static pthread_once_t fork_once = PTHREAD_ONCE_INIT;

static void
on_fork_child(void)
{
	atomic_fetch_add(&forks, 1);
}

static void
fork_watch(void)
{
	pthread_atfork(NULL, NULL, on_fork_child);
}

void
ch_random_id(unsigned char b[16])
{
	static _Thread_local unsigned char pool[ID_POOL];
	static _Thread_local size_t used = ID_POOL;
	static _Thread_local unsigned generation;
	unsigned now;

	pthread_once(&fork_once, fork_watch);
	now = atomic_load(&forks);
	if (used + 16 > ID_POOL || generation != now) {
		ch_random_bytes(pool, sizeof(pool));
		used = 0;
		generation = now;
	}
	memcpy(b, pool + used, 16);
	memset(pool + used, 0, 16);
	used += 16;
}

/* The last identifier's milliseconds and fraction (ms << 12 | 1/4096 ms). */
static _Atomic uint64_t last_tick;

void
ch_id_new(char out[CH_ID_LEN])
{
	static const char hex[] = "0123456789abcdef";
	unsigned char b[16];
	struct timespec ts;
	uint64_t ms, tick, prev, next;
	size_t o = 0;

	clock_gettime(CLOCK_REALTIME, &ts);
	ms = (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
	/* The 12 bits after the milliseconds hold the fraction of the
	 * millisecond (RFC 9562, section 6.2, method 3), and the pair only
	 * ever grows in this process (method 1): two records made in the
	 * same millisecond, by one thread or two, sort in the order they
	 * were made. */
	tick = ms << 12 | (uint64_t)(ts.tv_nsec % 1000000) * 4096 / 1000000;
	prev = atomic_load_explicit(&last_tick, memory_order_relaxed);
	do
		next = tick > prev ? tick : prev + 1;
	while (!atomic_compare_exchange_weak_explicit(&last_tick, &prev, next,
	    memory_order_relaxed, memory_order_relaxed));
	ms = next >> 12;
	ch_random_id(b);
	for (int i = 0; i < 6; i++)
		b[i] = (unsigned char)(ms >> (40 - 8 * i));
	b[6] = (unsigned char)(0x70 | ((next >> 8) & 0x0f));
	b[7] = (unsigned char)(next & 0xff);
	b[8] = (unsigned char)(0x80 | (b[8] & 0x3f));
	for (int i = 0; i < 16; i++) {
		if (i == 4 || i == 6 || i == 8 || i == 10)
			out[o++] = '-';
		out[o++] = hex[b[i] >> 4];
		out[o++] = hex[b[i] & 0x0f];
	}
	out[o] = '\0';
}

bool
ch_id_valid(const char *s)
{
	if (s == NULL || strlen(s) != 36)
		return false;
	for (int i = 0; i < 36; i++) {
		char c = s[i];

		if (i == 8 || i == 13 || i == 18 || i == 23) {
			if (c != '-')
				return false;
		} else if (!((c >= '0' && c <= '9') ||
			       (c >= 'a' && c <= 'f'))) {
			return false;
		}
	}
	return true;
}
