/*
 * feed.c — the live feed: what happens at the posts, as server-sent events
 * (GET /api/v1/events/stream), for the dashboard.
 *
 * The event bus (core/events.h) calls feed_on_event() in the publisher's
 * thread after a commit; it only copies the event into a queue.  A worker
 * thread takes the queue, describes each event through a table of
 * describers (one per object type: what it is, who may see it — the same
 * permission and label the detail route judges by), appends the result to
 * a ring of the last FEED_RING entries, and checks the post's trends after
 * an incident, adding a trend alert when a category starts alerting.
 *
 * Each stream is a libmicrohttpd callback response.  Its reader writes the
 * entries after the last one it sent that its reader may see; with nothing
 * to write it suspends the connection, and the worker resumes every
 * suspended stream when an entry arrives.  A keepalive thread resumes them
 * every KEEPALIVE_S seconds to send a comment (so proxies and the
 * connection timeout leave them open, and closed ones are noticed), and a
 * stream ends after STREAM_LIFETIME_S: the browser's EventSource
 * reconnects with Last-Event-ID, and the session is checked again.
 *
 * The keepalive thread also checks each stream's session every
 * KEEPALIVE_S seconds, and at once when ch_feed_recheck() is called (a
 * logout, a session ended, a user changed): a stream whose session ended,
 * expired or went idle, or whose user was disabled, ends; one whose user
 * lost a role or clearance is judged by what they hold now.
 */
#include <jansson.h>
#include <microhttpd.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "access/access.h"
#include "accounts/accounts.h"
#include "core/events.h"
#include "http/http.h"
#include "incidents/incidents.h"
#include "incidents/trends.h"
#include "intel/intel.h"
#include "store/store.h"

#define FEED_RING 512
#define FEED_QUEUE 1024
#define FEED_POSTS 64 /* posts whose trend state is remembered */
#define KEEPALIVE_S 15
#define STREAM_LIFETIME_S 600
#define RECIPIENTS_MAX CH_INCIDENT_RECIPIENTS_MAX

struct feed_entry {
	uint64_t seq;
	enum ch_perm perm;
	char post_id[CH_ID_LEN];
	enum ch_clearance classification;
	enum ch_tlp tlp;
	char owner[CH_ID_LEN];
	char recipients[RECIPIENTS_MAX][CH_ID_LEN];
	size_t nrecipients;
	char *text; /* "event: ...\ndata: {...}\n\n", malloc'd */
};

struct queued_event {
	char type[64];
	char object_type[32];
	char object_id[CH_ID_LEN];
	char post_id[CH_ID_LEN];
	int64_t time;
};

struct stream {
	struct MHD_Connection *conn;
	struct ch_principal who;
	char session_hash[65]; /* "" for a device */
	bool ended;            /* its session did */
	uint64_t after;        /* the last seq considered */
	int64_t opened;        /* ch_clock_mono_ms() */
	bool started;
	bool suspended;
	bool ping;
	struct stream *prev, *next;
};

static struct {
	pthread_mutex_t lock; /* the ring and the streams */
	struct feed_entry ring[FEED_RING];
	uint64_t next_seq; /* seq of the next entry; the first is 1 */
	struct stream *streams;
	size_t nstreams;
	bool closing;

	pthread_mutex_t qlock; /* the queue and the worker's life */
	pthread_cond_t qcond;  /* the worker's: the queue has work */
	pthread_cond_t kacond; /* the keepalive thread's: stop, recheck */
	bool recheck;          /* check the sessions now */
	struct queued_event queue[FEED_QUEUE];
	size_t qhead, qlen;
	uint64_t dropped;
	bool stop;
	pthread_t worker, keepalive;
	bool running;

	struct ch_store *store;
	struct {
		char post_id[CH_ID_LEN];
		bool alert[CH_THREAT__COUNT];
	} trend_state[FEED_POSTS];
} feed = {.lock = PTHREAD_MUTEX_INITIALIZER,
    .qlock = PTHREAD_MUTEX_INITIALIZER,
    .qcond = PTHREAD_COND_INITIALIZER,
    .kacond = PTHREAD_COND_INITIALIZER,
    .next_seq = 1};

/* ---- the ring ---- */

/* Wake every suspended stream; feed.lock held. */
static void
wake_all(void)
{
	for (struct stream *s = feed.streams; s != NULL; s = s->next) {
		if (s->suspended) {
			s->suspended = false;
			MHD_resume_connection(s->conn);
		}
	}
}

/* Add an entry (its text is taken over) and wake the streams. */
static void
append(struct feed_entry *e)
{
	struct feed_entry *slot;

	pthread_mutex_lock(&feed.lock);
	e->seq = feed.next_seq++;
	slot = &feed.ring[e->seq % FEED_RING];
	free(slot->text);
	*slot = *e;
	wake_all();
	pthread_mutex_unlock(&feed.lock);
}

/* An entry's text: the event name, and the data as one line of JSON. */
static char *
entry_text(const char *event, json_t *data)
{
	char *json = json_dumps(data, JSON_COMPACT | JSON_ENSURE_ASCII);
	char *text = NULL;

	json_decref(data);
	if (json == NULL)
		return NULL;
	if (asprintf(&text, "event: %s\ndata: %s\n\n", event, json) < 0)
		text = NULL;
	free(json);
	return text;
}

/* ---- describers: what an event is, and who may see it ---- */

static json_t *
base_data(const struct queued_event *ev)
{
	char at[CH_TIMESTAMP_LEN];

	ch_time_format(ev->time, at);
	return json_pack("{s:s, s:s, s:s, s:s, s:s}", "type", ev->type,
	    "object_type", ev->object_type, "object_id", ev->object_id,
	    "post_id", ev->post_id, "time", at);
}

/* Copy a label into an entry. */
static void
take_label(struct feed_entry *e, enum ch_perm perm, const struct ch_label *l)
{
	e->perm = perm;
	e->classification = l->classification;
	e->tlp = l->tlp;
	ch_strlcpy(e->owner, l->owner_person_id ? l->owner_person_id : "",
	    sizeof(e->owner));
	e->nrecipients = 0;
	for (size_t i = 0; i < l->nrecipients && i < RECIPIENTS_MAX; i++)
		ch_strlcpy(e->recipients[e->nrecipients++], l->recipients[i],
		    CH_ID_LEN);
}

static bool
describe_incident(struct ch_ctx *ctx, struct ch_tx *tx,
    const struct queued_event *ev, struct feed_entry *e, json_t *data)
{
	const char *recipients[RECIPIENTS_MAX];
	struct ch_incident inc;
	struct ch_label l;

	if (ch_store_incident_get(tx, ev->object_id, ctx->arena, &inc) != CH_OK)
		return false;
	l = ch_incident_label(&inc, recipients, RECIPIENTS_MAX);
	take_label(e, CH_PERM_INCIDENTS_READ, &l);
	json_object_set_new(data, "title", json_string(inc.title));
	json_object_set_new(
	    data, "severity", json_string(ch_severity_code(inc.severity)));
	json_object_set_new(data, "category",
	    json_string(ch_threat_category_code(inc.category)));
	json_object_set_new(
	    data, "status", json_string(ch_incident_status_code(inc.status)));
	json_object_set_new(data, "incident_type",
	    json_string(ch_incident_type_code(inc.type)));
	return true;
}

static bool
describe_report(struct ch_ctx *ctx, struct ch_tx *tx,
    const struct queued_event *ev, struct feed_entry *e, json_t *data)
{
	const char *recipients[RECIPIENTS_MAX];
	struct ch_intel_report r;
	struct ch_label l;
	char grading[4];

	if (ch_store_intel_report_get(tx, ev->object_id, ctx->arena, &r) !=
	    CH_OK)
		return false;
	l = ch_intel_report_label(&r, recipients, RECIPIENTS_MAX);
	take_label(e, CH_PERM_INTEL_READ, &l);
	snprintf(
	    grading, sizeof(grading), "%c%d", r.reliability, r.credibility);
	json_object_set_new(data, "title", json_string(r.title));
	json_object_set_new(data, "grading", json_string(grading));
	json_object_set_new(
	    data, "category", json_string(ch_threat_category_code(r.category)));
	return true;
}

/* A post-level entry: no record label beyond the post. */
static void
post_level(struct feed_entry *e, enum ch_perm perm)
{
	e->perm = perm;
	e->classification = CH_CLEARANCE_UNCLASSIFIED;
	e->tlp = CH_TLP_CLEAR;
	e->owner[0] = '\0';
	e->nrecipients = 0;
}

/* An alarm (intrusion, duress, fire, tamper, door, missed checkpoint,
 * escalation): to those who handle alarms at its post. */
static bool
describe_alarm(struct ch_ctx *ctx, struct ch_tx *tx,
    const struct queued_event *ev, struct feed_entry *e, json_t *data)
{
	struct ch_alarm a;

	if (ch_store_alarm_get(tx, ev->object_id, ctx->arena, &a) != CH_OK)
		return false;
	post_level(e, CH_PERM_ALARMS_HANDLE);
	json_object_set_new(data, "kind", json_string(a.kind));
	json_object_set_new(data, "status", json_string(a.status));
	json_object_set_new(data, "level", json_integer(a.level));
	json_object_set_new(data, "detail", ch_json_str_or_null(a.detail));
	return true;
}

/* New watchlist hits waiting for review: to those who review them; the
 * names stay in the review queue. */
static bool
describe_screening(struct ch_ctx *ctx, struct ch_tx *tx,
    const struct queued_event *ev, struct feed_entry *e, json_t *data)
{
	(void)ctx;
	(void)tx;
	(void)data;
	post_level(e, CH_PERM_SCREENING_REVIEW);
	return ev->post_id[0] != '\0';
}

static const struct describer {
	const char *object_type;
	bool (*describe)(struct ch_ctx *ctx, struct ch_tx *tx,
	    const struct queued_event *ev, struct feed_entry *e, json_t *data);
} describers[] = {
    {"incident", describe_incident},
    {"intel_report", describe_report},
    {"alarm", describe_alarm},
    {"screening", describe_screening},
};

static bool
on_feed(const char *object_type)
{
	for (size_t i = 0; i < CH_ARRAY_LEN(describers); i++)
		if (strcmp(describers[i].object_type, object_type) == 0)
			return true;
	return false;
}

/* ---- trends: announce a category that starts alerting ---- */

static bool *
trend_state(const char *post_id, bool *known)
{
	size_t free_slot = FEED_POSTS;

	for (size_t i = 0; i < FEED_POSTS; i++) {
		if (strcmp(feed.trend_state[i].post_id, post_id) == 0) {
			*known = true;
			return feed.trend_state[i].alert;
		}
		if (free_slot == FEED_POSTS &&
		    feed.trend_state[i].post_id[0] == '\0')
			free_slot = i;
	}
	*known = false;
	if (free_slot == FEED_POSTS)
		free_slot = 0; /* forget one; it is only announced again */
	ch_strlcpy(feed.trend_state[free_slot].post_id, post_id, CH_ID_LEN);
	memset(feed.trend_state[free_slot].alert, 0,
	    sizeof(feed.trend_state[free_slot].alert));
	return feed.trend_state[free_slot].alert;
}

/* After an incident at post_id: add a trend.alert entry for each category
 * that alerts now and did not at the last check.  The first check of a
 * post only records its state (what already alerted is on the
 * dashboard).
 *
 * The entry goes to every reader of the post's incidents, so it counts
 * only what each of them may read: the incidents of the post's least
 * reader, cleared for UNCLASSIFIED and named on no TLP:RED list (user id
 * "" matches no recipient).  A cleared reader's fuller picture is on the
 * trends route, judged for them. */
static void
check_trends(struct ch_ctx *ctx, const char *post_id)
{
	struct ch_trend_params p;
	struct ch_trend_report *rep;
	struct ch_principal least;
	struct ch_ctx as_least = *ctx;
	bool known, *state;

	memset(&least, 0, sizeof(least));
	ch_strlcpy(least.username, "feed", sizeof(least.username));
	least.roles = 1u << CH_ROLE_ANALYST; /* holds incidents.read */
	least.clearance = CH_CLEARANCE_UNCLASSIFIED;
	ch_strlcpy(least.post_id, post_id, sizeof(least.post_id));
	as_least.who = &least;
	ch_trend_defaults(&p);
	rep = ch_arena_alloc(ctx->arena, sizeof(*rep));
	if (rep == NULL ||
	    ch_incident_trends(&as_least, post_id, &p, rep) != CH_OK)
		return;
	state = trend_state(post_id, &known);
	for (int c = 0; c < CH_THREAT__COUNT; c++) {
		const struct ch_trend_result *t = &rep->category[c];
		struct feed_entry e;
		json_t *data;
		char at[CH_TIMESTAMP_LEN];

		if (!t->alert || state[c]) {
			state[c] = t->alert;
			continue;
		}
		state[c] = true;
		if (!known)
			continue;
		memset(&e, 0, sizeof(e));
		e.perm = CH_PERM_INCIDENTS_READ;
		ch_strlcpy(e.post_id, post_id, sizeof(e.post_id));
		e.classification = CH_CLEARANCE_UNCLASSIFIED;
		e.tlp = CH_TLP_CLEAR;
		ch_time_format(ch_clock_now(), at);
		data = json_pack("{s:s, s:s, s:s, s:s, s:i, s:f, s:f, s:s}",
		    "type", "trend.alert", "post_id", post_id, "time", at,
		    "category",
		    ch_threat_category_code((enum ch_threat_category)c),
		    "recent", t->recent, "expected", t->expected, "p_value",
		    t->p_value, "explanation", t->explanation);
		if ((e.text = entry_text("trend.alert", data)) != NULL)
			append(&e);
	}
}

/* Describe one event and add it; the worker's step. */
static void
process(const struct queued_event *ev)
{
	const struct describer *d = NULL;
	struct ch_ctx ctx;
	struct ch_tx *tx = NULL;
	struct feed_entry e;
	json_t *data;
	bool ok;

	for (size_t i = 0; i < CH_ARRAY_LEN(describers); i++)
		if (strcmp(describers[i].object_type, ev->object_type) == 0)
			d = &describers[i];
	if (d == NULL)
		return; /* not on the feed: nobody is known to be allowed */
	memset(&ctx, 0, sizeof(ctx));
	ctx.store = feed.store;
	ctx.request_id = "feed";
	ctx.source = "feed";
	if ((ctx.arena = ch_arena_create(0)) == NULL)
		return;
	memset(&e, 0, sizeof(e));
	ch_strlcpy(e.post_id, ev->post_id, sizeof(e.post_id));
	data = base_data(ev);
	ok = data != NULL && ch_store_begin(feed.store, false, &tx) == CH_OK &&
	    d->describe(&ctx, tx, ev, &e, data);
	if (tx != NULL)
		ch_store_rollback(tx);
	if (ok && (e.text = entry_text(ev->type, data)) != NULL)
		append(&e);
	else if (!ok)
		json_decref(data);
	if (ok && strcmp(ev->object_type, "incident") == 0 &&
	    ev->post_id[0] != '\0')
		check_trends(&ctx, ev->post_id);
	ch_arena_destroy(ctx.arena);
}

static void *
worker_main(void *arg)
{
	(void)arg;
	pthread_mutex_lock(&feed.qlock);
	for (;;) {
		struct queued_event ev;

		while (feed.qlen == 0 && !feed.stop)
			pthread_cond_wait(&feed.qcond, &feed.qlock);
		if (feed.stop)
			break;
		ev = feed.queue[feed.qhead];
		feed.qhead = (feed.qhead + 1) % FEED_QUEUE;
		feed.qlen--;
		pthread_mutex_unlock(&feed.qlock);
		process(&ev);
		pthread_mutex_lock(&feed.qlock);
	}
	pthread_mutex_unlock(&feed.qlock);
	return NULL;
}

/* The sessions of the open streams, checked against the store outside
 * feed.lock (a stream may close meanwhile: its result is then unused). */
struct session_check {
	char hash[65];
	bool live;
	struct ch_principal who;
};

static void
check_sessions(void)
{
	struct session_check *c = NULL;
	size_t n = 0, cap;
	ch_arena *arena;

	pthread_mutex_lock(&feed.lock);
	cap = feed.nstreams;
	if (cap > 0 && (c = calloc(cap, sizeof(*c))) != NULL)
		for (struct stream *s = feed.streams; s != NULL && n < cap;
		     s = s->next) {
			bool seen = s->session_hash[0] == '\0';

			for (size_t i = 0; i < n && !seen; i++)
				seen = strcmp(c[i].hash, s->session_hash) == 0;
			if (!seen)
				ch_strlcpy(c[n++].hash, s->session_hash,
				    sizeof(c[0].hash));
		}
	pthread_mutex_unlock(&feed.lock);
	if (n == 0) {
		free(c);
		return;
	}
	for (size_t i = 0; i < n; i++) {
		ch_err err = CH_ERR_NOMEM;

		if ((arena = ch_arena_create(0)) != NULL) {
			err = ch_session_check(
			    feed.store, c[i].hash, arena, &c[i].who);
			ch_arena_destroy(arena);
		}
		/* Only a session known to have ended ends its streams: a
		 * store that cannot answer now is asked again later. */
		c[i].live = err != CH_ERR_UNAUTHENTICATED;
		if (err != CH_OK)
			c[i].who.user_id[0] = '\0';
	}
	pthread_mutex_lock(&feed.lock);
	for (struct stream *s = feed.streams; s != NULL; s = s->next)
		for (size_t i = 0; i < n; i++) {
			if (strcmp(c[i].hash, s->session_hash) != 0)
				continue;
			if (!c[i].live)
				s->ended = true;
			else if (c[i].who.user_id[0] != '\0')
				s->who = c[i].who;
			break;
		}
	pthread_mutex_unlock(&feed.lock);
	free(c);
}

static void *
keepalive_main(void *arg)
{
	(void)arg;
	pthread_mutex_lock(&feed.qlock);
	while (!feed.stop) {
		struct timespec until;
		bool ping;

		clock_gettime(CLOCK_REALTIME, &until);
		until.tv_sec += KEEPALIVE_S;
		while (!feed.stop && !feed.recheck &&
		    pthread_cond_timedwait(&feed.kacond, &feed.qlock, &until) ==
			0)
			;
		if (feed.stop)
			break;
		ping = !feed.recheck;
		feed.recheck = false;
		pthread_mutex_unlock(&feed.qlock);
		check_sessions();
		pthread_mutex_lock(&feed.lock);
		for (struct stream *s = feed.streams; s != NULL && ping;
		     s = s->next)
			s->ping = true;
		wake_all();
		pthread_mutex_unlock(&feed.lock);
		pthread_mutex_lock(&feed.qlock);
	}
	pthread_mutex_unlock(&feed.qlock);
	return NULL;
}

void
ch_feed_recheck(void)
{
	pthread_mutex_lock(&feed.qlock);
	feed.recheck = true;
	pthread_cond_broadcast(&feed.kacond);
	pthread_mutex_unlock(&feed.qlock);
}

/* The bus subscriber: copy and queue, never block. */
static void
feed_on_event(const struct ch_event *ev, void *arg)
{
	struct queued_event *q;

	(void)arg;
	/* Only what a describer puts on the feed is queued: the gate
	 * publishes every access decision, and waking the worker for each
	 * to drop it cost a context switch per swipe. */
	if (ev->object_type == NULL || !on_feed(ev->object_type))
		return;
	pthread_mutex_lock(&feed.qlock);
	if (feed.qlen == FEED_QUEUE) {
		feed.dropped++;
		pthread_mutex_unlock(&feed.qlock);
		return;
	}
	q = &feed.queue[(feed.qhead + feed.qlen) % FEED_QUEUE];
	ch_strlcpy(q->type, ev->type ? ev->type : "", sizeof(q->type));
	ch_strlcpy(q->object_type, ev->object_type ? ev->object_type : "",
	    sizeof(q->object_type));
	ch_strlcpy(q->object_id, ev->object_id ? ev->object_id : "",
	    sizeof(q->object_id));
	ch_strlcpy(
	    q->post_id, ev->post_id ? ev->post_id : "", sizeof(q->post_id));
	q->time = ev->time;
	feed.qlen++;
	pthread_cond_broadcast(&feed.qcond);
	pthread_mutex_unlock(&feed.qlock);
}

ch_err
ch_feed_start(struct ch_store *store)
{
	ch_err err;

	static bool subscribed;

	if (feed.running)
		return CH_OK;
	feed.store = store;
	feed.stop = false;
	feed.closing = false;
	if (!subscribed &&
	    (err = ch_events_subscribe(feed_on_event, NULL)) != CH_OK)
		return err;
	subscribed = true;
	if (pthread_create(&feed.worker, NULL, worker_main, NULL) != 0)
		return CH_ERR_NOMEM;
	if (pthread_create(&feed.keepalive, NULL, keepalive_main, NULL) != 0) {
		pthread_mutex_lock(&feed.qlock);
		feed.stop = true;
		pthread_cond_broadcast(&feed.qcond);
		pthread_mutex_unlock(&feed.qlock);
		pthread_join(feed.worker, NULL);
		return CH_ERR_NOMEM;
	}
	feed.running = true;
	return CH_OK;
}

void
ch_feed_close_streams(void)
{
	pthread_mutex_lock(&feed.lock);
	feed.closing = true;
	wake_all();
	pthread_mutex_unlock(&feed.lock);
}

size_t
ch_feed_open_streams(void)
{
	size_t n;

	pthread_mutex_lock(&feed.lock);
	n = feed.nstreams;
	pthread_mutex_unlock(&feed.lock);
	return n;
}

void
ch_feed_stop(void)
{
	if (!feed.running)
		return;
	pthread_mutex_lock(&feed.qlock);
	feed.stop = true;
	pthread_cond_broadcast(&feed.qcond);
	pthread_cond_broadcast(&feed.kacond);
	pthread_mutex_unlock(&feed.qlock);
	pthread_join(feed.worker, NULL);
	pthread_join(feed.keepalive, NULL);
	feed.running = false;
	pthread_mutex_lock(&feed.lock);
	for (size_t i = 0; i < FEED_RING; i++) {
		free(feed.ring[i].text);
		feed.ring[i].text = NULL;
	}
	pthread_mutex_unlock(&feed.lock);
}

/* ---- streams ---- */

static bool
admitted(const struct stream *s, const struct feed_entry *e)
{
	const char *recipients[RECIPIENTS_MAX];
	struct ch_label l;

	for (size_t i = 0; i < e->nrecipients; i++)
		recipients[i] = e->recipients[i];
	l = (struct ch_label){e->post_id[0] ? e->post_id : NULL,
	    e->classification, e->tlp, e->owner[0] ? e->owner : NULL,
	    recipients, e->nrecipients};
	return ch_policy_admits(&s->who, e->perm, &l);
}

/* Append text to buf if it fits.  buf is libmicrohttpd's body buffer:
 * bytes with a length, never a C string. */
static bool
put(char *buf, size_t max, size_t *n, const char *text)
{
	size_t len = strlen(text);

	if (*n + len > max)
		return false;
	// NOLINTNEXTLINE(bugprone-not-null-terminated-result)
	memcpy(buf + *n, text, len);
	*n += len;
	return true;
}

static ssize_t
stream_read(void *cls, uint64_t pos, char *buf, size_t max)
{
	struct stream *s = cls;
	uint64_t oldest;
	size_t n = 0;
	char line[48];

	(void)pos;
	pthread_mutex_lock(&feed.lock);
	if (feed.closing || s->ended ||
	    ch_clock_mono_ms() - s->opened >= STREAM_LIFETIME_S * 1000LL) {
		pthread_mutex_unlock(&feed.lock);
		return MHD_CONTENT_READER_END_OF_STREAM;
	}
	if (!s->started) {
		s->started = true;
		put(buf, max, &n, "retry: 3000\n: the Chancery live feed\n\n");
	}
	oldest = feed.next_seq > FEED_RING ? feed.next_seq - FEED_RING : 1;
	if (s->after + 1 < oldest) {
		/* Entries were overwritten before this reader saw them: say
		 * so, so that the console reloads what it shows. */
		if (put(buf, max, &n, "event: gap\ndata: {}\n\n"))
			s->after = oldest - 1;
	}
	while (s->after + 1 < feed.next_seq) {
		const struct feed_entry *e =
		    &feed.ring[(s->after + 1) % FEED_RING];

		if (e->text != NULL && admitted(s, e)) {
			snprintf(line, sizeof(line), "id: %llu\n",
			    (unsigned long long)e->seq);
			if (n + strlen(line) + strlen(e->text) > max)
				break;
			put(buf, max, &n, line);
			put(buf, max, &n, e->text);
		}
		s->after++;
	}
	if (n == 0 && s->ping)
		put(buf, max, &n, ": keepalive\n\n");
	s->ping = false;
	if (n == 0) {
		s->suspended = true;
		MHD_suspend_connection(s->conn);
	}
	pthread_mutex_unlock(&feed.lock);
	return (ssize_t)n;
}

static void
stream_free(void *cls)
{
	struct stream *s = cls;

	pthread_mutex_lock(&feed.lock);
	if (s->prev != NULL)
		s->prev->next = s->next;
	else
		feed.streams = s->next;
	if (s->next != NULL)
		s->next->prev = s->prev;
	feed.nstreams--;
	pthread_mutex_unlock(&feed.lock);
	free(s);
}

struct MHD_Response *
ch_feed_response(struct ch_req *req)
{
	struct MHD_Response *resp;
	struct stream *s = calloc(1, sizeof(*s));
	const char *last = ch_req_header(req, "Last-Event-ID");
	long v;

	if (s == NULL || req->who == NULL) {
		free(s);
		return NULL;
	}
	s->conn = req->conn;
	s->who = *req->who;
	ch_strlcpy(s->session_hash, req->session_hash, sizeof(s->session_hash));
	s->opened = ch_clock_mono_ms();
	pthread_mutex_lock(&feed.lock);
	/* From the event after Last-Event-ID when the browser reconnects;
	 * otherwise only what happens from now on. */
	s->after = last != NULL && ch_parse_long(last, 0, 1L << 62, &v) &&
		(uint64_t)v < feed.next_seq
	    ? (uint64_t)v
	    : feed.next_seq - 1;
	resp = MHD_create_response_from_callback(
	    MHD_SIZE_UNKNOWN, 16 * 1024, stream_read, s, stream_free);
	if (resp == NULL) {
		pthread_mutex_unlock(&feed.lock);
		free(s);
		return NULL;
	}
	s->next = feed.streams;
	if (feed.streams != NULL)
		feed.streams->prev = s;
	feed.streams = s;
	feed.nstreams++;
	pthread_mutex_unlock(&feed.lock);
	return resp;
}

void
ch_h_events_stream(struct ch_req *req)
{
	req->status = 200;
	req->stream = true;
	req->reply_type = "text/event-stream";
}
