/*
 * events.h — the in-process event bus.  A use case publishes after its
 * transaction commits; subscribers (rules, live feed, notifier, HQ outbox)
 * are called in the publisher's thread and must not block: they queue work
 * of their own.
 */
#ifndef CH_CORE_EVENTS_H
#define CH_CORE_EVENTS_H

#include "core/core.h"

struct ch_event {
	const char *type; /* e.g. "person.created" */
	const char *object_type;
	const char *object_id;
	const char *post_id;
	int64_t time;
};

typedef void (*ch_event_fn)(const struct ch_event *ev, void *arg);

/* Add a subscriber; CH_ERR_LIMIT when the table is full. */
ch_err ch_events_subscribe(ch_event_fn fn, void *arg);
void ch_events_unsubscribe_all(void);
void ch_events_publish(const struct ch_event *ev);
uint64_t ch_events_published(void);

#endif /* CH_CORE_EVENTS_H */
