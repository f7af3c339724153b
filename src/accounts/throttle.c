/*
 * throttle.c — back-off for failed sign-ins, per account and per source
 * address, kept in memory and rebuilt at start from the failures the store
 * recorded in the last hour.
 *
 * Policy (docs/threat-model.md):
 *   - an account (the username as typed, so that unknown names behave
 *     exactly like real ones) has CH_THROTTLE_ACCOUNT_FREE failures free in
 *     its hour; after that each attempt waits 2^(n - free - 1) seconds
 *     after the last failure, at most CH_THROTTLE_DELAY_MAX; at
 *     CH_THROTTLE_ACCOUNT_MAX failures in the hour every attempt waits until
 *     the hour is over;
 *   - a source address has CH_THROTTLE_SOURCE_FREE failures free in its hour
 *     (an office behind one NAT address shares them), then the same
 *     doubling back-off;
 *   - so that the back-off is not a lock an attacker can put on a victim,
 *     an account's back-off (below its hourly maximum) does not apply to
 *     the addresses from which that account last signed in successfully:
 *     the victim at their own desk still gets in, while the attacker,
 *     elsewhere, waits.  Those addresses still have their own back-off.
 *
 * Windows are fixed: an hour from the first failure.  A success clears the
 * account's failures.  The table is bounded: a new entry takes the place
 * of the one with the fewest failures in its hour (of those, the one that
 * failed last longest ago), so that failures under other names, which
 * cost one each, cannot push out an account's many.
 *
 * An attempt is counted when it fails, after its password hash, so that
 * attempts sent together would all pass the check before the first
 * failure counts: ch_throttle_begin marks an attempt in flight until
 * ch_throttle_end, and past its free failures an account (except from its
 * known addresses) or a source has one attempt in flight at a time.
 */
#include <limits.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>

#include "accounts/accounts.h"

#define SLOTS 4096
#define PROBE 32
#define KNOWN 4
#define WINDOW 3600

struct entry {
	char key[80]; /* "a:" account or "s:" source; "" free */
	int64_t window_start;
	int64_t last_fail;
	int count;
	int inflight;          /* attempts between ch_throttle_begin and _end */
	char known[KNOWN][64]; /* accounts: addresses of recent successes */
	int64_t known_at[KNOWN];
};

static struct entry table[SLOTS];
static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;

static uint32_t
fnv1a(const char *s)
{
	uint32_t h = 2166136261u;

	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 16777619u;
	return h;
}

/* What an entry holds at now, for the choice of one to reuse: -1 when
 * free, else its failures in their hour; an entry with an attempt in
 * flight is not reused (ch_throttle_end must find it). */
static int
weight(const struct entry *e, int64_t now)
{
	if (e->key[0] == '\0')
		return -1;
	if (e->inflight > 0)
		return INT_MAX;
	return now - e->window_start >= WINDOW ? 0 : e->count;
}

/* The entry for key; made when create is set, in the place of the entry
 * that holds least. */
static struct entry *
find(const char *kind, const char *name, bool create, int64_t now)
{
	char key[80];
	uint32_t h;
	struct entry *least = NULL;

	snprintf(key, sizeof(key), "%s%s", kind, name ? name : "");
	h = fnv1a(key);
	for (int i = 0; i < PROBE; i++) {
		struct entry *e = &table[(h + (uint32_t)i) % SLOTS];

		if (e->key[0] && strcmp(e->key, key) == 0)
			return e;
		if (least == NULL || weight(e, now) < weight(least, now) ||
		    (weight(e, now) == weight(least, now) &&
			e->last_fail < least->last_fail))
			least = e;
	}
	if (!create)
		return NULL;
	memset(least, 0, sizeof(*least));
	ch_strlcpy(least->key, key, sizeof(least->key));
	return least;
}

static void
expire(struct entry *e, int64_t now)
{
	if (e->count > 0 && now - e->window_start >= WINDOW) {
		e->count = 0;
		e->window_start = 0;
	}
}

/* Seconds to wait before the next attempt, from one entry's failures. */
static int64_t
backoff(const struct entry *e, int free_failures, int64_t now)
{
	int64_t delay;
	int over;

	if (e == NULL || e->count <= free_failures)
		return 0;
	over = e->count - free_failures - 1;
	delay = over >= 20 ? CH_THROTTLE_DELAY_MAX : (int64_t)1 << over;
	if (delay > CH_THROTTLE_DELAY_MAX)
		delay = CH_THROTTLE_DELAY_MAX;
	return e->last_fail + delay > now ? e->last_fail + delay - now : 0;
}

static bool
known_source(const struct entry *a, const char *source, int64_t now)
{
	for (int i = 0; a != NULL && i < KNOWN; i++)
		if (a->known[i][0] && strcmp(a->known[i], source) == 0 &&
		    now - a->known_at[i] < 30 * 86400)
			return true;
	return false;
}

/* ch_throttle_wait with the lock held. */
static int64_t
wait_locked(const char *account, const char *source, int64_t now)
{
	struct entry *a, *s;
	int64_t wait = 0, w;

	a = find("a:", account, false, now);
	s = find("s:", source, false, now);
	if (a != NULL)
		expire(a, now);
	if (s != NULL)
		expire(s, now);
	wait = backoff(s, CH_THROTTLE_SOURCE_FREE, now);
	if (a != NULL && a->count >= CH_THROTTLE_ACCOUNT_MAX) {
		w = a->window_start + WINDOW - now;
		wait = w > wait ? w : wait;
	} else if (!known_source(a, source, now)) {
		w = backoff(a, CH_THROTTLE_ACCOUNT_FREE, now);
		wait = w > wait ? w : wait;
	}
	return wait;
}

int64_t
ch_throttle_wait(const char *account, const char *source, int64_t now)
{
	int64_t wait;

	pthread_mutex_lock(&lock);
	wait = wait_locked(account, source, now);
	pthread_mutex_unlock(&lock);
	return wait;
}

int64_t
ch_throttle_begin(const char *account, const char *source, int64_t now)
{
	struct entry *a, *s;
	int64_t wait;

	pthread_mutex_lock(&lock);
	wait = wait_locked(account, source, now);
	if (wait == 0) {
		a = find("a:", account, true, now);
		a->inflight++; /* so that finding s does not reuse it */
		s = find("s:", source, true, now);
		if ((a->inflight > 1 &&
			a->count + a->inflight - 1 > CH_THROTTLE_ACCOUNT_FREE &&
			!known_source(a, source, now)) ||
		    (s->inflight > 0 &&
			s->count + s->inflight > CH_THROTTLE_SOURCE_FREE)) {
			a->inflight--;
			wait = 1;
		} else {
			s->inflight++;
		}
	}
	pthread_mutex_unlock(&lock);
	return wait;
}

void
ch_throttle_end(const char *account, const char *source)
{
	struct entry *a, *s;

	pthread_mutex_lock(&lock);
	a = find("a:", account, false, 0);
	s = find("s:", source, false, 0);
	if (a != NULL && a->inflight > 0)
		a->inflight--;
	if (s != NULL && s->inflight > 0)
		s->inflight--;
	pthread_mutex_unlock(&lock);
}

static void
count_failure(struct entry *e, int64_t now)
{
	expire(e, now);
	if (e->count == 0)
		e->window_start = now;
	e->count++;
	e->last_fail = now;
}

void
ch_throttle_failed(const char *account, const char *source, int64_t now)
{
	pthread_mutex_lock(&lock);
	count_failure(find("a:", account, true, now), now);
	count_failure(find("s:", source, true, now), now);
	pthread_mutex_unlock(&lock);
}

void
ch_throttle_succeeded(const char *account, const char *source, int64_t now)
{
	struct entry *a;
	int slot = 0;

	pthread_mutex_lock(&lock);
	a = find("a:", account, true, now);
	a->count = 0;
	a->window_start = 0;
	a->last_fail = now; /* keeps the entry from being reused at once */
	for (int i = 0; i < KNOWN; i++) {
		if (strcmp(a->known[i], source) == 0) {
			slot = i;
			break;
		}
		if (a->known_at[i] < a->known_at[slot])
			slot = i;
	}
	ch_strlcpy(a->known[slot], source, sizeof(a->known[slot]));
	a->known_at[slot] = now;
	pthread_mutex_unlock(&lock);
}

void
ch_throttle_reset(void)
{
	pthread_mutex_lock(&lock);
	memset(table, 0, sizeof(table));
	pthread_mutex_unlock(&lock);
}
