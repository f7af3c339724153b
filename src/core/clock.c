/*
 * clock.c — the one source of time.  Wall time is the system clock plus an
 * offset that tests (and drills) may set; durations use CLOCK_MONOTONIC.
 */
#include <stdatomic.h>

#include "core/core.h"

static _Atomic int64_t clock_offset;

int64_t
ch_clock_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec + atomic_load(&clock_offset);
}

int64_t
ch_clock_mono_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

void
ch_clock_set_offset(int64_t seconds)
{
	atomic_store(&clock_offset, seconds);
}
