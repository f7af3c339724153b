/*
 * events.c — a fixed table of subscribers behind a read-write lock.
 */
#include <pthread.h>
#include <stdatomic.h>

#include "core/events.h"

#define MAX_SUBSCRIBERS 32

static struct {
	ch_event_fn fn;
	void *arg;
} subscribers[MAX_SUBSCRIBERS];
static size_t nsubscribers;
static pthread_rwlock_t bus_lock = PTHREAD_RWLOCK_INITIALIZER;
static _Atomic uint64_t published;

ch_err
ch_events_subscribe(ch_event_fn fn, void *arg)
{
	ch_err err = CH_OK;

	pthread_rwlock_wrlock(&bus_lock);
	if (nsubscribers == MAX_SUBSCRIBERS) {
		err = CH_ERR_LIMIT;
	} else {
		subscribers[nsubscribers].fn = fn;
		subscribers[nsubscribers].arg = arg;
		nsubscribers++;
	}
	pthread_rwlock_unlock(&bus_lock);
	return err;
}

void
ch_events_unsubscribe_all(void)
{
	pthread_rwlock_wrlock(&bus_lock);
	nsubscribers = 0;
	pthread_rwlock_unlock(&bus_lock);
}

void
ch_events_publish(const struct ch_event *ev)
{
	atomic_fetch_add(&published, 1);
	pthread_rwlock_rdlock(&bus_lock);
	for (size_t i = 0; i < nsubscribers; i++)
		subscribers[i].fn(ev, subscribers[i].arg);
	pthread_rwlock_unlock(&bus_lock);
}

uint64_t
ch_events_published(void)
{
	return atomic_load(&published);
}
