/*
 * anomalies.c — what stands out in a post's access events: repeated
 * denials of one badge in a short time, attempts outside the holder's
 * schedule, one badge at two different readers closer in time than a
 * person can walk between them, and a holder still inside long after
 * entering (no exit past the day).  The scan is a pure function over
 * events in time order, so it is tested without a database.
 */
#include <stdio.h>
#include <string.h>

#include "access/access.h"
#include "store/store.h"

#define SCAN_MAX 100000 /* events read for one scan */
#define TRACK_MAX 4096  /* badges followed at once */

static const char *const kinds[CH_ANOMALY__COUNT] = {
    [CH_ANOMALY_REPEATED_DENIALS] = "repeated_denials",
    [CH_ANOMALY_OUTSIDE_SCHEDULE] = "outside_schedule",
    [CH_ANOMALY_IMPOSSIBLE_TRAVEL] = "impossible_travel",
    [CH_ANOMALY_NO_EXIT] = "no_exit",
};

const char *
ch_anomaly_code(enum ch_anomaly_kind k)
{
	return (unsigned)k < CH_ANOMALY__COUNT ? kinds[k] : "unknown";
}

/* What the scan remembers of one badge. */
struct track {
	const char *key; /* credential id, or the badge when unknown */
	const struct ch_access_event *last;       /* any event */
	const struct ch_access_event *last_grant; /* last granted */
	int64_t denial_times[16];
	int ndenials;           /* ring of recent denial times */
	int64_t reported_until; /* no second denial report before this */
};

struct scan {
	struct track *t;
	size_t n;
	struct ch_anomaly *out;
	size_t count, cap;
	ch_arena *arena;
};

static struct track *
track_of(struct scan *s, const struct ch_access_event *e)
{
	const char *key = e->credential_id[0] ? e->credential_id : e->badge;

	for (size_t i = 0; i < s->n; i++)
		if (strcmp(s->t[i].key, key) == 0)
			return &s->t[i];
	if (s->n == TRACK_MAX)
		return NULL;
	memset(&s->t[s->n], 0, sizeof(s->t[s->n]));
	s->t[s->n].key = key;
	return &s->t[s->n++];
}

static ch_err
report(struct scan *s, enum ch_anomaly_kind k, const struct ch_access_event *e,
    const char *detail)
{
	struct ch_anomaly *a;

	if (s->count == s->cap) {
		size_t cap = s->cap ? s->cap * 2 : 32;
		struct ch_anomaly *n =
		    ch_arena_alloc(s->arena, cap * sizeof(*n));

		if (n == NULL)
			return CH_ERR_NOMEM;
		if (s->count)
			memcpy(n, s->out, s->count * sizeof(*n));
		s->out = n;
		s->cap = cap;
	}
	a = &s->out[s->count++];
	memset(a, 0, sizeof(*a));
	a->kind = k;
	ch_strlcpy(
	    a->credential_id, e->credential_id, sizeof(a->credential_id));
	ch_strlcpy(a->person_id, e->person_id, sizeof(a->person_id));
	a->person_name = e->person_name;
	ch_strlcpy(a->at, e->at, sizeof(a->at));
	a->detail = ch_arena_strdup(s->arena, detail);
	return a->detail ? CH_OK : CH_ERR_NOMEM;
}

ch_err
ch_anomalies_scan(const struct ch_access_event *ev, size_t n,
    const struct ch_anomaly_params *p, int64_t now, ch_arena *arena,
    struct ch_anomaly **out, size_t *count)
{
	struct scan s = {0};
	char detail[256];
	int need = p->denials > 1 && p->denials <= 16 ? p->denials : 3;
	ch_err err = CH_OK;

	s.arena = arena;
	s.t = ch_arena_alloc(arena, TRACK_MAX * sizeof(*s.t));
	if (s.t == NULL)
		return CH_ERR_NOMEM;
	for (size_t i = 0; i < n && err == CH_OK; i++) {
		const struct ch_access_event *e = &ev[i];
		struct track *t = track_of(&s, e);
		int64_t at = 0, prev = 0;

		if (t == NULL)
			continue;
		ch_time_parse(e->at, &at);
		if (e->out_of_schedule ||
		    e->reason == CH_REASON_OUTSIDE_SCHEDULE) {
			snprintf(detail, sizeof(detail),
			    "Badge %s at %s outside its schedule (%s).",
			    e->badge,
			    e->point_name ? e->point_name : "a reader",
			    e->granted ? "granted by another rule" : "denied");
			err =
			    report(&s, CH_ANOMALY_OUTSIDE_SCHEDULE, e, detail);
		}
		if (!e->granted) {
			t->denial_times[t->ndenials % 16] = at;
			t->ndenials++;
			if (t->ndenials >= need && at >= t->reported_until) {
				int64_t first =
				    t->denial_times[(t->ndenials - need) % 16];

				if (at - first <= p->denial_window) {
					snprintf(detail, sizeof(detail),
					    "%d denials of badge %s within "
					    "%lld s (last: %s).",
					    need, e->badge,
					    (long long)(at - first),
					    ch_access_reason_code(e->reason));
					err = report(&s,
					    CH_ANOMALY_REPEATED_DENIALS, e,
					    detail);
					t->reported_until =
					    at + p->denial_window;
				}
			}
		}
		if (t->last != NULL && e->point_id[0] && t->last->point_id[0] &&
		    strcmp(t->last->point_id, e->point_id) != 0 &&
		    ch_time_parse(t->last->at, &prev) &&
		    at - prev < p->travel_seconds) {
			snprintf(detail, sizeof(detail),
			    "Badge %s at %s and %s %lld s apart: closer than "
			    "anyone walks between them.",
			    e->badge,
			    t->last->point_name ? t->last->point_name : "?",
			    e->point_name ? e->point_name : "?",
			    (long long)(at - prev));
			if (err == CH_OK)
				err = report(&s, CH_ANOMALY_IMPOSSIBLE_TRAVEL,
				    e, detail);
		}
		t->last = e;
		if (e->granted)
			t->last_grant = e;
	}
	for (size_t i = 0; i < s.n && err == CH_OK; i++) {
		const struct ch_access_event *g = s.t[i].last_grant;
		int64_t at = 0;

		if (g == NULL || g->zone_id[0] == '\0' ||
		    !ch_time_parse(g->at, &at) ||
		    now - at <= p->overnight_seconds)
			continue;
		snprintf(detail, sizeof(detail),
		    "Badge %s entered at %s and has not left for %lld hours.",
		    g->badge, g->at, (long long)((now - at) / 3600));
		err = report(&s, CH_ANOMALY_NO_EXIT, g, detail);
	}
	*out = s.out;
	*count = s.count;
	return err;
}

ch_err
ch_access_anomalies(struct ch_ctx *ctx, const char *post_id,
    const struct ch_anomaly_params *in, struct ch_anomaly **out, size_t *count)
{
	struct ch_anomaly_params p = *in;
	struct ch_access_event *ev = NULL;
	char since[CH_TIMESTAMP_LEN], until[CH_TIMESTAMP_LEN];
	struct ch_tx *tx = NULL;
	int64_t now = ch_clock_now();
	size_t n = 0;
	ch_err err;

	if (post_id == NULL || *post_id == '\0')
		post_id = ctx->who ? ctx->who->post_id : NULL;
	if (post_id == NULL || !ch_id_valid(post_id) ||
	    !ch_ctx_sees_post(ctx, post_id))
		return CH_ERR_NOT_FOUND;
	if (p.until == 0)
		p.until = now + 1; /* until is exclusive: this second too */
	if (p.since == 0)
		p.since = p.until - 7 * 86400;
	if (p.denial_window <= 0)
		p.denial_window = 300;
	if (p.travel_seconds <= 0)
		p.travel_seconds = 15;
	if (p.overnight_seconds <= 0)
		p.overnight_seconds = 86400;
	ch_time_format(p.since, since);
	ch_time_format(p.until, until);
	if ((err = ch_store_begin(ctx->store, false, &tx)) != CH_OK)
		return err;
	err = ch_store_access_event_range(
	    tx, post_id, since, until, SCAN_MAX, ctx->arena, &ev, &n);
	ch_store_rollback(tx);
	if (err != CH_OK)
		return err;
	return ch_anomalies_scan(ev, n, &p, p.until, ctx->arena, out, count);
}
