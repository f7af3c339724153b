/*
 * gate.c — access decisions for devices, and the group committer.
 *
 * One decision, in one write transaction: read the point, the post's time
 * zone and posture, the badge, its holder, the zones and rules, where the
 * holder is now; decide (decide.c); record the access event, move the
 * holder (occupancy), raise a silent alarm on a duress PIN, append the
 * audit record.  Nothing is answered before the transaction commits.
 *
 * The group committer is one thread that takes every decision queued at
 * that moment (up to a batch limit), runs them one after another in ONE
 * write transaction, commits once (synchronous=FULL: one fsync for the
 * batch) and only then wakes the requests.  Decisions in a batch see the
 * ones before them (anti-passback stays exact) and their audit records
 * are appended in queue order, so the log's sequence is the decisions'
 * order.  When one decision fails inside a batch, the batch is rolled
 * back and each of its decisions is run again in a transaction of its
 * own, so that one bad request does not fail the others.
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "access/access.h"
#include "core/audit.h"
#include "core/events.h"
#include "people/people.h"
#include "store/store.h"

/* ---- one decision inside a transaction ---- */

/* The zone ids from zone_id up through its parents (at most 16). */
static size_t
zone_chain(const struct ch_zone *zones, size_t n, const char *zone_id,
    const char **chain, size_t max)
{
	size_t len = 0;
	const char *cur = zone_id;

	while (cur != NULL && cur[0] != '\0' && len < max) {
		const struct ch_zone *z = NULL;

		for (size_t i = 0; i < n; i++) {
			if (strcmp(zones[i].id, cur) == 0) {
				z = &zones[i];
				break;
			}
		}
		if (z == NULL)
			break;
		chain[len++] = z->id;
		cur = z->parent_id;
	}
	return len;
}

static const struct ch_zone *
zone_find(const struct ch_zone *zones, size_t n, const char *id)
{
	for (size_t i = 0; id[0] != '\0' && i < n; i++) {
		if (strcmp(zones[i].id, id) == 0)
			return &zones[i];
	}
	return NULL;
}

/* Append "name=value\n" to out (size bytes, *len used), cut short like
 * snprintf when it does not fit. */
static void
state_put(
    char *out, size_t size, size_t *len, const char *name, const char *value)
{
	const char *parts[3] = {name, value ? value : "(null)", "\n"};

	for (size_t i = 0; i < 3; i++) {
		size_t n = strlen(parts[i]);

		if (*len + 1 >= size)
			return;
		if (n > size - 1 - *len)
			n = size - 1 - *len;
		memcpy(out + *len, parts[i], n);
		*len += n;
		out[*len] = '\0';
	}
}

/* The canonical state of an event, for its audit record: written by hand
 * (the committer writes one per decision; a format of fifteen fields was
 * a visible part of its time). */
static void
event_state(const struct ch_access_event *ev, char *out, size_t size)
{
	char seq[CH_U64_DIGITS + 1];
	size_t len = 0;

	/* seq counts from 1: never negative. */
	ch_u64_text(ev->seq > 0 ? (uint64_t)ev->seq : 0, seq);
	if (size == 0)
		return;
	out[0] = '\0';
	state_put(out, size, &len, "id=", ev->id);
	state_put(out, size, &len, "seq=", seq);
	state_put(out, size, &len, "post=", ev->post_id);
	state_put(out, size, &len, "point=", ev->point_id);
	state_put(out, size, &len, "zone=", ev->zone_id);
	state_put(out, size, &len, "credential=", ev->credential_id);
	state_put(out, size, &len, "badge=", ev->badge);
	state_put(out, size, &len, "person=", ev->person_id);
	state_put(out, size, &len,
	    "direction=", ev->direction == CH_DIR_IN ? "in" : "out");
	state_put(out, size, &len, "decision=", ev->granted ? "grant" : "deny");
	state_put(
	    out, size, &len, "reason=", ch_access_reason_code(ev->reason));
	state_put(out, size, &len, "passback=", ev->passback_flag ? "1" : "0");
	state_put(out, size, &len, "duress=", ev->duress ? "1" : "0");
	state_put(out, size, &len, "at=", ev->at);
	state_put(out, size, &len, "device=", ev->device_id);
}

/* ---- the configuration cache ----
 * A post's time zone, posture, zones, access points and parsed rules are
 * read once and kept, immutable, until access_head.config says something
 * changed (every change through admin.c bumps it in its transaction) or
 * CONFIG_TTL_MS passes (zones are created elsewhere).  Badges, holders
 * and presence are never cached: a revoked badge is refused at once. */
#define CONFIG_TTL_MS 5000
#define CONFIG_POSTS 16

struct gate_config {
	char post_id[CH_ID_LEN];
	int64_t version;
	int64_t loaded_ms;
	char tz[64];
	enum ch_posture posture;
	struct ch_zone *zones;
	size_t nzones;
	struct ch_access_point *points;
	size_t npoints;
	struct ch_access_rule *rules;
	size_t nrules;
	ch_arena *arena;
	int refs; /* under config_lock */
};

static pthread_mutex_t config_lock = PTHREAD_MUTEX_INITIALIZER;
static struct gate_config *configs[CONFIG_POSTS];

static void
config_release(struct gate_config *c)
{
	bool last;

	if (c == NULL)
		return;
	pthread_mutex_lock(&config_lock);
	last = --c->refs == 0;
	pthread_mutex_unlock(&config_lock);
	if (last) {
		ch_arena_destroy(c->arena);
		free(c);
	}
}

static ch_err
config_load(struct ch_tx *tx, const char *post_id, int64_t version,
    struct gate_config **out)
{
	struct gate_config *c = calloc(1, sizeof(*c));
	struct ch_rule_row *rows = NULL;
	struct ch_post post;
	char posture[16], changed_at[CH_TIMESTAMP_LEN];
	size_t nrows = 0;
	ch_err err;

	if (c == NULL || (c->arena = ch_arena_create(0)) == NULL) {
		free(c);
		return CH_ERR_NOMEM;
	}
	c->refs = 1;
	ch_strlcpy(c->post_id, post_id, sizeof(c->post_id));
	c->version = version;
	c->loaded_ms = ch_clock_mono_ms();
	if ((err = ch_store_post_get(tx, post_id, c->arena, &post)) != CH_OK ||
	    (err = ch_store_posture_get(tx, post_id, posture, changed_at)) !=
		CH_OK ||
	    (err = ch_store_zone_list(
		 tx, post_id, c->arena, &c->zones, &c->nzones)) != CH_OK ||
	    (err = ch_store_access_point_list(
		 tx, post_id, c->arena, &c->points, &c->npoints)) != CH_OK ||
	    (err = ch_store_rule_list(tx, post_id, c->arena, &rows, &nrows)) !=
		CH_OK)
		goto fail;
	ch_strlcpy(c->tz, post.timezone, sizeof(c->tz));
	if (!ch_posture_parse(posture, &c->posture))
		c->posture = CH_POSTURE_LOCKDOWN;
	c->rules =
	    ch_arena_alloc(c->arena, sizeof(*c->rules) * (nrows ? nrows : 1));
	if (c->rules == NULL) {
		err = CH_ERR_NOMEM;
		goto fail;
	}
	/* Every rule: one left out could be the deny that matters. */
	for (size_t i = 0; i < nrows; i++) {
		struct ch_access_rule *r = &c->rules[c->nrules++];
		struct ch_fault ignore;

		memset(r, 0, sizeof(*r));
		ch_strlcpy(r->id, rows[i].id, sizeof(r->id));
		r->effect = rows[i].effect;
		r->subject = rows[i].subject;
		r->subject_value = rows[i].subject_value;
		ch_strlcpy(r->zone_id, rows[i].zone_id, sizeof(r->zone_id));
		if (rows[i].schedule_id[0] != '\0') {
			r->has_schedule = true;
			/* A schedule that no longer parses opens nothing. */
			(void)ch_schedule_parse(
			    rows[i].windows, &r->schedule, &ignore);
		}
	}
	*out = c;
	return CH_OK;
fail:
	ch_arena_destroy(c->arena);
	free(c);
	return err;
}

/* The configuration of post_id as of tx, whose access_head.config is
 * version; the caller releases it. */
static ch_err
config_get(struct ch_tx *tx, const char *post_id, int64_t version,
    struct gate_config **out)
{
	struct gate_config *c = NULL, *fresh = NULL;
	size_t slot = CONFIG_POSTS;
	ch_err err;

	pthread_mutex_lock(&config_lock);
	for (size_t i = 0; i < CONFIG_POSTS; i++) {
		if (configs[i] != NULL &&
		    strcmp(configs[i]->post_id, post_id) == 0) {
			slot = i;
			if (configs[i]->version == version &&
			    ch_clock_mono_ms() - configs[i]->loaded_ms <
				CONFIG_TTL_MS) {
				c = configs[i];
				c->refs++;
			}
			break;
		}
		if (configs[i] == NULL && slot == CONFIG_POSTS)
			slot = i;
	}
	pthread_mutex_unlock(&config_lock);
	if (c != NULL) {
		*out = c;
		return CH_OK;
	}
	if ((err = config_load(tx, post_id, version, &fresh)) != CH_OK)
		return err;
	pthread_mutex_lock(&config_lock);
	if (slot == CONFIG_POSTS)
		slot = (size_t)(fresh->loaded_ms % CONFIG_POSTS);
	c = configs[slot];
	configs[slot] = fresh;
	fresh->refs++; /* the cache's reference */
	pthread_mutex_unlock(&config_lock);
	config_release(c);
	*out = fresh;
	return CH_OK;
}

/* Local time at the post, with the zone's offset kept per thread for the
 * minute it was computed in (ICU calendars are costly to open). */
static void
local_time(int64_t t, const char *tz, int *weekday, int *minute)
{
	static _Thread_local char cached_tz[64];
	static _Thread_local int64_t cached_minute = -1;
	static _Thread_local int cached_weekday, cached_min;

	if (t / 60 == cached_minute && strcmp(tz, cached_tz) == 0) {
		*weekday = cached_weekday;
		*minute = cached_min;
		return;
	}
	ch_local_time(t, tz, weekday, minute);
	ch_strlcpy(cached_tz, tz, sizeof(cached_tz));
	cached_minute = t / 60;
	cached_weekday = *weekday;
	cached_min = *minute;
}

static const struct ch_access_point *
point_find(const struct gate_config *c, const char *id)
{
	for (size_t i = 0; id != NULL && i < c->npoints; i++)
		if (strcmp(c->points[i].id, id) == 0)
			return &c->points[i];
	return NULL;
}

/* ---- the badge cache ----
 * Each badge presented (known or not) with its credential and holder
 * (name, category, clearance, the roles of their user account), kept
 * until access_head.config moves: every write of a credential, a person
 * or a user account bumps it in its own transaction (the store does, so
 * no path forgets it), and a batch reads it under its write lock, so a
 * revoked badge is refused by the very next batch.  The query it saves
 * was the largest part of a decision in the committer.  A fixed table:
 * a badge takes its slot from whichever was there. */
#define BADGE_SLOTS 4096

struct badge_entry {
	bool used;
	bool found;
	char badge[72];
	struct ch_credential cred; /* cred.badge is not kept */
	bool person_found;
	char *given_name, *family_name, *position; /* malloc'd */
	char category[40];
	char clearance[20];
	unsigned roles;
};

static pthread_mutex_t badge_lock = PTHREAD_MUTEX_INITIALIZER;
static uint64_t badge_store;       /* under badge_lock: ch_store_serial */
static int64_t badge_version = -1; /* under badge_lock */
static struct badge_entry badge_cache[BADGE_SLOTS];

static void
badge_entry_clear(struct badge_entry *e)
{
	free(e->given_name);
	free(e->family_name);
	free(e->position);
	memset(e, 0, sizeof(*e));
}

static char *
dup_or_null(const char *s)
{
	return s != NULL ? strdup(s) : NULL;
}

static char *
arena_dup_or_null(ch_arena *arena, const char *s)
{
	return s != NULL ? ch_arena_strdup(arena, s) : NULL;
}

/* The badge's credential and holder as of config version: from the
 * cache, else the store (and then into the cache).  CH_ERR_NOT_FOUND for
 * an unknown badge. */
static ch_err
gate_credential(struct ch_tx *tx, uint64_t store, int64_t version,
    const char *badge, ch_arena *arena, struct ch_credential *cred,
    struct ch_gate_holder *h)
{
	struct badge_entry *e;
	uint32_t hash = 2166136261u;
	bool hit = false, found = false;
	ch_err err;

	for (const char *c = badge; *c != '\0'; c++)
		hash = (hash ^ (unsigned char)*c) * 16777619u;
	e = &badge_cache[hash % BADGE_SLOTS];
	if (strlen(badge) >= sizeof(e->badge))
		return ch_store_gate_credential(tx, badge, arena, cred, h);
	pthread_mutex_lock(&badge_lock);
	if (badge_version != version || badge_store != store) {
		for (size_t i = 0; i < BADGE_SLOTS; i++)
			if (badge_cache[i].used)
				badge_entry_clear(&badge_cache[i]);
		badge_version = version;
		badge_store = store;
	}
	if (e->used && strcmp(e->badge, badge) == 0) {
		hit = true;
		found = e->found;
		if (found) {
			*cred = e->cred;
			memset(h, 0, sizeof(*h));
			h->person_found = e->person_found;
			h->given_name = arena_dup_or_null(arena, e->given_name);
			h->family_name =
			    arena_dup_or_null(arena, e->family_name);
			h->position = arena_dup_or_null(arena, e->position);
			memcpy(h->category, e->category, sizeof(h->category));
			memcpy(
			    h->clearance, e->clearance, sizeof(h->clearance));
			h->roles = e->roles;
		}
	}
	pthread_mutex_unlock(&badge_lock);
	if (hit) {
		if (!found)
			return CH_ERR_NOT_FOUND;
		cred->badge = ch_arena_strdup(arena, badge);
		return cred->badge != NULL ? CH_OK : CH_ERR_NOMEM;
	}
	err = ch_store_gate_credential(tx, badge, arena, cred, h);
	if (err != CH_OK && err != CH_ERR_NOT_FOUND)
		return err;
	pthread_mutex_lock(&badge_lock);
	if (badge_version == version && badge_store == store) {
		badge_entry_clear(e);
		e->used = true;
		e->found = err == CH_OK;
		ch_strlcpy(e->badge, badge, sizeof(e->badge));
		if (e->found) {
			e->cred = *cred;
			e->cred.badge = NULL;
			e->cred.holder_name = NULL;
			e->person_found = h->person_found;
			e->given_name = dup_or_null(h->given_name);
			e->family_name = dup_or_null(h->family_name);
			e->position = dup_or_null(h->position);
			memcpy(e->category, h->category, sizeof(e->category));
			memcpy(
			    e->clearance, h->clearance, sizeof(e->clearance));
			e->roles = h->roles;
		}
	}
	pthread_mutex_unlock(&badge_lock);
	return err;
}

/* What one decision of a batch writes, gathered before the batch's
 * writes. */
struct gate_rec {
	struct ch_ctx *ctx;
	struct ch_access_event ev;
	const char *holder; /* whose place a grant changes, or NULL */
	bool has_alarm;
	struct ch_alarm alarm;
};

/* The holders a batch has moved so far: holder -> index of their last
 * grant in the batch (open addressing, at most half full).  Looking them
 * up by scanning the batch cost a batch of n some n * n / 2 string
 * comparisons. */
struct holder_map {
	size_t cap;    /* a power of two */
	int32_t *slot; /* -1: empty */
	const struct gate_rec *recs;
};

static ch_err
holder_map_init(struct holder_map *m, const struct gate_rec *recs, size_t n)
{
	m->cap = 16;
	while (m->cap < 2 * n)
		m->cap *= 2;
	m->recs = recs;
	if ((m->slot = malloc(m->cap * sizeof(*m->slot))) == NULL)
		return CH_ERR_NOMEM;
	for (size_t i = 0; i < m->cap; i++)
		m->slot[i] = -1;
	return CH_OK;
}

static size_t
holder_map_find(const struct holder_map *m, const char *holder)
{
	uint32_t h = 2166136261u;
	size_t i;

	for (const char *c = holder; *c != '\0'; c++)
		h = (h ^ (unsigned char)*c) * 16777619u;
	for (i = h & (m->cap - 1); m->slot[i] >= 0; i = (i + 1) & (m->cap - 1))
		if (strcmp(m->recs[m->slot[i]].holder, holder) == 0)
			break;
	return i;
}

/* The index of holder's last grant in the batch, or -1. */
static int32_t
holder_map_get(const struct holder_map *m, const char *holder)
{
	return m->slot[holder_map_find(m, holder)];
}

static void
holder_map_put(struct holder_map *m, size_t idx)
{
	m->slot[holder_map_find(m, m->recs[idx].holder)] = (int32_t)idx;
}

/* What a batch reads before it decides anything: each request's badge
 * (from the badge cache) and where each holder was before the batch, read
 * for all of them in a few statements instead of one per decision (on
 * PostgreSQL, a round trip each). */
struct prefetch {
	ch_err err; /* CH_OK or CH_ERR_NOT_FOUND (unknown badge) */
	struct ch_credential cred;
	struct ch_gate_holder h;
	const char *holder; /* whose presence the decision may need */
};

struct presence_map {
	size_t cap; /* a power of two; at most half full */
	struct presence_slot {
		const char *holder; /* NULL: empty */
		bool found;
		char zone_id[CH_ID_LEN];
	} * slot;
};

static struct presence_slot *
presence_map_find(const struct presence_map *m, const char *holder)
{
	uint32_t h = 2166136261u;
	size_t i;

	for (const char *c = holder; *c != '\0'; c++)
		h = (h ^ (unsigned char)*c) * 16777619u;
	for (i = h & (m->cap - 1); m->slot[i].holder != NULL;
	     i = (i + 1) & (m->cap - 1))
		if (strcmp(m->slot[i].holder, holder) == 0)
			break;
	return &m->slot[i];
}

/* The holder a credential moves: its person, its visitor, or the badge
 * itself. */
static const char *
holder_of(const struct ch_credential *cred, const struct ch_gate_holder *h)
{
	if (h->person_found)
		return cred->person_id;
	if (cred->visitor_id[0] != '\0')
		return cred->visitor_id;
	return cred->id;
}

/* Read every request's badge, then where their holders are. */
static ch_err
prefetch_batch(struct ch_tx *tx, int64_t version, struct ch_gate_job *jobs,
    size_t n, struct prefetch *pre, struct presence_map *pm)
{
	const char **holders = calloc(n ? n : 1, sizeof(*holders));
	struct ch_presence_at *at = NULL;
	struct ch_gate_job *j = jobs;
	size_t nholders = 0, nat = 0;
	ch_err err = CH_OK;

	pm->cap = 16;
	while (pm->cap < 2 * n)
		pm->cap *= 2;
	pm->slot = calloc(pm->cap, sizeof(*pm->slot));
	if (holders == NULL || pm->slot == NULL) {
		free(holders);
		return CH_ERR_NOMEM;
	}
	for (size_t i = 0; i < n && j != NULL; i++, j = j->next) {
		struct presence_slot *slot;

		pre[i].err =
		    gate_credential(tx, ch_store_serial(j->ctx->store), version,
			j->rq->badge, j->ctx->arena, &pre[i].cred, &pre[i].h);
		if (pre[i].err == CH_ERR_NOT_FOUND)
			continue;
		if (pre[i].err != CH_OK) {
			err = pre[i].err;
			goto done;
		}
		pre[i].holder = holder_of(&pre[i].cred, &pre[i].h);
		slot = presence_map_find(pm, pre[i].holder);
		if (slot->holder == NULL) {
			slot->holder = pre[i].holder; /* outside until found */
			holders[nholders++] = pre[i].holder;
		}
	}
	if ((err = ch_store_presence_get_many(
		 tx, holders, nholders, &at, &nat)) != CH_OK)
		goto done;
	for (size_t i = 0; i < nat; i++) {
		struct presence_slot *slot =
		    presence_map_find(pm, at[i].holder_id);

		if (slot->holder == NULL)
			continue; /* not asked for */
		slot->found = true;
		ch_strlcpy(slot->zone_id, at[i].zone_id, CH_ID_LEN);
	}
done:
	free(at);
	free(holders);
	return err;
}

/* Where holder is as the batch has it so far: the last grant of an
 * earlier decision of the batch, else where the batch found them. */
static ch_err
presence_in_batch(struct ch_tx *tx, const struct holder_map *moved,
    const struct presence_map *before, const char *holder,
    char zone_id[CH_ID_LEN])
{
	const struct presence_slot *slot;
	int32_t last = holder_map_get(moved, holder);
	bool found;

	if (last >= 0) {
		ch_strlcpy(zone_id, moved->recs[last].ev.zone_id, CH_ID_LEN);
		return CH_OK;
	}
	if ((slot = presence_map_find(before, holder))->holder != NULL) {
		ch_strlcpy(
		    zone_id, slot->found ? slot->zone_id : "", CH_ID_LEN);
		return CH_OK;
	}
	return ch_store_presence_get(tx, holder, zone_id, &found);
}

/* Decide one request of a batch: read what it needs (seeing the decisions
 * recs[0..nrecs) before it), decide, and fill rec with what to write. */
static ch_err
decide_read(struct ch_tx *tx, int64_t version, const struct holder_map *moved,
    const struct presence_map *before, struct prefetch *pre, struct ch_ctx *ctx,
    const struct ch_decision_request *rq, struct ch_decision *out,
    struct gate_rec *rec)
{
	const char *chain[16];
	struct gate_config *cfg = NULL;
	const struct ch_access_point *point;
	struct ch_access_facts f;
	struct ch_credential cred = pre->cred;
	struct ch_gate_holder h = pre->h;
	struct ch_access_event *ev = &rec->ev;
	const char *holder = NULL, *post_id = rq->device_post_id;
	ch_err err;

	memset(&f, 0, sizeof(f));
	memset(rec, 0, sizeof(*rec));
	rec->ctx = ctx;
	if ((err = config_get(tx, post_id, version, &cfg)) != CH_OK)
		return err;
	f.now = rq->at != 0 ? rq->at : ch_clock_now();
	f.direction = rq->direction;
	f.posture = cfg->posture;
	local_time(f.now, cfg->tz, &f.weekday, &f.minute);
	point = point_find(cfg, rq->point_id);
	f.point_found = point != NULL;
	if (f.point_found) {
		const char *dest = rq->direction == CH_DIR_IN
		    ? point->to_zone_id
		    : point->from_zone_id;
		const char *src = rq->direction == CH_DIR_IN
		    ? point->from_zone_id
		    : point->to_zone_id;
		const struct ch_zone *dz;

		ch_strlcpy(f.dest_zone_id, dest, sizeof(f.dest_zone_id));
		ch_strlcpy(f.src_zone_id, src, sizeof(f.src_zone_id));
		f.passback = point->passback;
		f.pin_required = point->pin_required;
		f.dest_chain_len = zone_chain(
		    cfg->zones, cfg->nzones, f.dest_zone_id, chain, 16);
		f.dest_zone_chain = chain;
		if ((dz = zone_find(cfg->zones, cfg->nzones, f.dest_zone_id)) !=
		    NULL) {
			f.dest_clearance = dz->required_clearance;
			f.dest_escort_required = dz->escort_required;
			out->zone_name = ch_arena_strdup(ctx->arena, dz->name);
		}
	}
	err = pre->err; /* read by prefetch_batch */
	f.credential_found = err == CH_OK && strcmp(cred.post_id, post_id) == 0;
	err = CH_OK; /* an unknown badge is decided (and recorded) too */
	if (f.credential_found) {
		ch_strlcpy(f.credential_id, cred.id, sizeof(f.credential_id));
		f.status = cred.status;
		if (cred.valid_from[0] != '\0')
			ch_time_parse(cred.valid_from, &f.valid_from);
		if (cred.valid_until[0] != '\0')
			ch_time_parse(cred.valid_until, &f.valid_until);
		f.has_pin = cred.pin_hash[0] != '\0';
		if (rq->pin != NULL) {
			/* Both checks always run: the duress PIN takes as
			 * long as the right one. */
			bool ok = ch_access_pin_check(cred.pin_hash, rq->pin);
			bool duress =
			    ch_access_pin_check(cred.duress_hash, rq->pin);

			f.pin_given = true;
			f.pin_ok = ok;
			f.duress = duress && !ok;
		}
		f.is_visitor = cred.visitor_id[0] != '\0';
		f.is_person = h.person_found;
		if (f.is_person) {
			ch_strlcpy(
			    f.person_id, cred.person_id, sizeof(f.person_id));
			if (!ch_staff_category_parse(h.category, &f.category))
				f.category = CH_CAT_CONTRACTOR;
			if (!ch_clearance_parse(h.clearance, &f.clearance))
				f.clearance = CH_CLEARANCE_UNCLASSIFIED;
			f.roles = h.roles;
			f.security_staff =
			    (f.roles &
				((1u << CH_ROLE_SECURITY_OFFICER) |
				    (1u << CH_ROLE_GUARD))) != 0;
			holder = cred.person_id;
		} else if (f.is_visitor) {
			holder = cred.visitor_id;
		} else {
			holder = cred.id;
		}
	}
	if (f.point_found && f.credential_found) {
		f.rules = cfg->rules;
		f.nrules = cfg->nrules;
		if (f.passback != CH_PASSBACK_NONE) {
			/* Nowhere inside is a place too: outside. */
			if ((err = presence_in_batch(tx, moved, before, holder,
				 f.presence_zone_id)) != CH_OK)
				goto done;
			f.presence_known = true;
		}
	}
	ch_access_decide(&f, &out->result);

	ch_id_new(ev->id);
	ch_strlcpy(ev->post_id, post_id, sizeof(ev->post_id));
	if (f.point_found)
		ch_strlcpy(ev->point_id, point->id, sizeof(ev->point_id));
	ch_strlcpy(ev->zone_id, f.dest_zone_id, sizeof(ev->zone_id));
	ch_strlcpy(
	    ev->credential_id, f.credential_id, sizeof(ev->credential_id));
	ev->badge = (char *)rq->badge;
	ch_strlcpy(ev->person_id, f.person_id, sizeof(ev->person_id));
	ev->direction = rq->direction;
	ev->granted = out->result.granted;
	ev->reason = out->result.reason;
	ev->passback_flag = out->result.passback_flag;
	ev->duress = out->result.duress;
	ev->out_of_schedule = out->result.out_of_schedule;
	ch_time_format(f.now, ev->at);
	ch_strlcpy(ev->device_id, rq->device_id ? rq->device_id : "",
	    sizeof(ev->device_id));
	if (ev->granted && holder != NULL)
		rec->holder = ch_arena_strdup(ctx->arena, holder);
	if (ev->duress) {
		struct ch_alarm *alarm = &rec->alarm;

		rec->has_alarm = true;
		ch_id_new(alarm->id);
		ch_strlcpy(alarm->post_id, post_id, sizeof(alarm->post_id));
		alarm->kind = "duress";
		alarm->status = "raised";
		ch_strlcpy(
		    alarm->point_id, ev->point_id, sizeof(alarm->point_id));
		ch_strlcpy(
		    alarm->person_id, ev->person_id, sizeof(alarm->person_id));
		ch_strlcpy(alarm->event_id, ev->id, sizeof(alarm->event_id));
		ch_strlcpy(alarm->zone_id, ev->zone_id, sizeof(alarm->zone_id));
		ch_strlcpy(
		    alarm->device_id, ev->device_id, sizeof(alarm->device_id));
		alarm->detail = "Duress PIN at the reader.";
		ch_time_format(ch_clock_now(), alarm->raised_at);
	}
	ch_strlcpy(out->event_id, ev->id, sizeof(out->event_id));
	ch_strlcpy(out->at, ev->at, sizeof(out->at));
	ch_strlcpy(out->person_id, f.person_id, sizeof(out->person_id));
	ch_strlcpy(out->zone_id, f.dest_zone_id, sizeof(out->zone_id));
	if (f.is_person) {
		out->person_name = ch_arena_printf(
		    ctx->arena, "%s %s", h.given_name, h.family_name);
		out->person_category =
		    (char *)ch_staff_category_code(f.category);
		out->photo_hint = h.position;
	} else if (f.is_visitor) {
		out->person_name = "Visitor";
		out->person_category = "visitor";
	}
done:
	config_release(cfg);
	return err;
}

/* Write what a batch decided, in its order: the events numbered together,
 * each holder's last place, the alarms, and the audit records (each
 * event's, then its alarm's) numbered together. */
static ch_err
write_batch(struct ch_tx *tx, struct gate_rec *recs, size_t n,
    const struct holder_map *moved)
{
	struct ch_access_event *evs = NULL;
	struct ch_presence_move *moves = NULL;
	struct ch_audit_entry *entries = NULL;
	const struct ch_ctx **ctxs = NULL;
	size_t nmoves = 0, nentries = 0;
	int64_t first;
	ch_err err;

	evs = calloc(n, sizeof(*evs));
	moves = calloc(n, sizeof(*moves));
	entries = calloc(2 * n, sizeof(*entries));
	ctxs = calloc(2 * n, sizeof(const struct ch_ctx *));
	if (evs == NULL || moves == NULL || entries == NULL || ctxs == NULL) {
		err = CH_ERR_NOMEM;
		goto done;
	}
	if ((err = ch_store_access_seq_reserve(tx, n, &first)) != CH_OK)
		goto done;
	for (size_t i = 0; i < n; i++) {
		recs[i].ev.seq = first + (int64_t)i;
		evs[i] = recs[i].ev;
	}
	/* Occupancy: the last grant of each holder in the batch. */
	for (size_t i = n; i-- > 0;) {
		const struct gate_rec *r = &recs[i];

		if (r->holder == NULL ||
		    holder_map_get(moved, r->holder) != (int32_t)i)
			continue; /* a later grant moves them */
		moves[nmoves++] = (struct ch_presence_move){r->holder,
		    r->ev.post_id, r->ev.person_id, r->ev.credential_id,
		    r->ev.zone_id, r->ev.at, r->ev.point_id};
	}
	if ((err = ch_store_access_events_insert_many(tx, evs, n)) != CH_OK ||
	    (err = ch_store_presence_set_many(tx, moves, nmoves)) != CH_OK)
		goto done;
	for (size_t i = 0; i < n; i++) {
		struct gate_rec *r = &recs[i];
		char *state = ch_arena_alloc(r->ctx->arena, 1024);

		if (state == NULL) {
			err = CH_ERR_NOMEM;
			goto done;
		}
		event_state(&r->ev, state, 1024);
		ctxs[nentries] = r->ctx;
		entries[nentries++] = (struct ch_audit_entry){
		    r->ev.granted ? "access.grant" : "access.deny",
		    "access_event", r->ev.id, r->ev.post_id, state,
		    strlen(state)};
		if (!r->has_alarm)
			continue;
		if ((err = ch_store_alarm_insert(tx, &r->alarm)) != CH_OK)
			goto done;
		if ((state = ch_arena_printf(r->ctx->arena,
			 "id=%s\nkind=duress\nstatus=raised\npoint=%s\n"
			 "person=%s\nevent=%s\n",
			 r->alarm.id, r->alarm.point_id, r->alarm.person_id,
			 r->alarm.event_id)) == NULL) {
			err = CH_ERR_NOMEM;
			goto done;
		}
		ctxs[nentries] = r->ctx;
		entries[nentries++] = (struct ch_audit_entry){"alarm.raise",
		    "alarm", r->alarm.id, r->ev.post_id, state, strlen(state)};
	}
	err = ch_audit_append_many(tx, ctxs, entries, nentries);
done:
	free(evs);
	free(moves);
	free(entries);
	free(ctxs);
	return err;
}

/* Decide and record a list of jobs in tx, in their order. */
static ch_err
decide_batch(struct ch_tx *tx, struct ch_gate_job *jobs, size_t n)
{
	struct gate_rec *recs = calloc(n ? n : 1, sizeof(*recs));
	struct prefetch *pre = calloc(n ? n : 1, sizeof(*pre));
	struct holder_map moved = {0, NULL, NULL};
	struct presence_map before = {0, NULL};
	struct ch_gate_job *j;
	size_t i = 0;
	int64_t version;
	ch_err err;

	if (recs == NULL || pre == NULL ||
	    holder_map_init(&moved, recs, n) != CH_OK) {
		free(recs);
		free(pre);
		return CH_ERR_NOMEM;
	}
	/* The configuration cannot change under the batch's write lock. */
	err = ch_store_access_config_version(tx, &version);
	if (err == CH_OK)
		err = prefetch_batch(tx, version, jobs, n, pre, &before);
	for (j = jobs; err == CH_OK && j != NULL && i < n; j = j->next, i++) {
		err = decide_read(tx, version, &moved, &before, &pre[i], j->ctx,
		    j->rq, j->out, &recs[i]);
		if (err == CH_OK && recs[i].holder != NULL)
			holder_map_put(&moved, i);
	}
	if (err == CH_OK)
		err = write_batch(tx, recs, i, &moved);
	free(before.slot);
	free(moved.slot);
	free(pre);
	free(recs);
	return err;
}

static void
publish(const struct ch_decision *d, const char *post_id)
{
	struct ch_event ev = {
	    d->result.granted ? "access.granted" : "access.denied",
	    "access_event", d->event_id, post_id, ch_clock_now()};

	ch_events_publish(&ev);
	if (d->result.duress) {
		ev.type = "alarm.raised";
		ev.object_type = "alarm";
		ch_events_publish(&ev);
	}
}

/* One decision in a transaction of its own. */
static ch_err
decide_alone(struct ch_store *store, struct ch_ctx *ctx,
    const struct ch_decision_request *rq, struct ch_decision *out)
{
	struct ch_gate_job job = {
	    ctx, rq, out, CH_OK, false, NULL, NULL, NULL, NULL, false};
	struct ch_tx *tx = NULL;
	ch_err err;

	if ((err = ch_store_begin(store, true, &tx)) != CH_OK)
		return err;
	if ((err = decide_batch(tx, &job, 1)) != CH_OK) {
		ch_store_rollback(tx);
		return err;
	}
	if ((err = ch_store_commit(tx)) != CH_OK)
		return err;
	publish(out, rq->device_post_id);
	return CH_OK;
}

ch_err
ch_gate_decide_many(struct ch_ctx *ctx, const struct ch_decision_request *rqs,
    size_t n, struct ch_decision *outs)
{
	struct ch_gate_job *jobs;
	struct ch_tx *tx = NULL;
	ch_err err;

	if (n == 0)
		return CH_OK;
	if ((jobs = calloc(n, sizeof(*jobs))) == NULL)
		return CH_ERR_NOMEM;
	for (size_t i = 0; i < n; i++) {
		memset(&outs[i], 0, sizeof(outs[i]));
		jobs[i] = (struct ch_gate_job){ctx, &rqs[i], &outs[i], CH_OK,
		    false, NULL, NULL, NULL, i + 1 < n ? &jobs[i + 1] : NULL,
		    false};
	}
	if ((err = ch_store_begin(ctx->store, true, &tx)) == CH_OK) {
		if ((err = decide_batch(tx, jobs, n)) != CH_OK)
			ch_store_rollback(tx);
		else
			err = ch_store_commit(tx);
	}
	if (err == CH_OK)
		for (size_t i = 0; i < n; i++)
			publish(&outs[i], rqs[i].device_post_id);
	free(jobs);
	return err;
}

/* ---- the group committer ---- */

static struct {
	pthread_mutex_t lock;
	pthread_cond_t queued;
	struct ch_gate_job *head, *tail;
	bool running, stopping;
	pthread_t thread;
	struct ch_store *store;
	size_t max_batch;
	struct ch_gate_stats stats;
	/* Batches committed but not yet answered (pipelined: not yet
	 * synced), for the second thread, in commit order. */
	bool pipelined;
	pthread_cond_t to_sync;
	struct ch_gate_job *sync_head, *sync_tail;
	size_t sync_n;
	bool committer_done;
	/* Pipelined: a sync of the log failed.  The batches it covered are
	 * committed and visible, and a later sync may well succeed (the
	 * kernel reports a lost write-back once), so later batches would be
	 * acknowledged over frames that may never reach the disk: nothing is
	 * decided any more until the server is restarted. */
	bool sync_failed;
	pthread_t syncer;
} gc = {.lock = PTHREAD_MUTEX_INITIALIZER,
    .queued = PTHREAD_COND_INITIALIZER,
    .to_sync = PTHREAD_COND_INITIALIZER};

static int64_t
clock_us(clockid_t id)
{
	struct timespec ts;

	clock_gettime(id, &ts);
	return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

/* Run a batch in one transaction.  Each job's err is set; job->batched
 * tells that it was committed with the batch (and is published once
 * durable); a job decided alone after a failed batch was committed
 * durably and published already. */
/* A batch that held its decisions past SLOW_BATCH_US is logged with
 * where the time went, at most once a second: the gate's answers wait for
 * it, and an operator should see it. */
#define SLOW_BATCH_US 20000

static void
slow_batch(size_t n, int64_t t0, int64_t t1, int64_t t2, int64_t cpu_us)
{
	static int64_t last_us;

	if (t2 - t0 < SLOW_BATCH_US || t2 - last_us < 1000000)
		return;
	last_us = t2;
	log_warn("a batch of %zu decisions took %.1f ms: %.1f ms deciding and "
		 "writing (%.1f ms of CPU), %.1f ms committing",
	    n, (double)(t2 - t0) / 1000.0, (double)(t1 - t0) / 1000.0,
	    (double)cpu_us / 1000.0, (double)(t2 - t1) / 1000.0);
}

static void
run_batch(struct ch_gate_job *batch, size_t n)
{
	struct ch_tx *tx = NULL;
	struct ch_gate_job *j;
	int64_t t0, t1, t2, c0, c1;
	ch_err err;

	t0 = clock_us(CLOCK_MONOTONIC);
	c0 = clock_us(CLOCK_THREAD_CPUTIME_ID);
	err = gc.pipelined ? ch_store_begin_unsynced(gc.store, &tx)
			   : ch_store_begin(gc.store, true, &tx);
	if (err == CH_OK)
		err = decide_batch(tx, batch, n);
	if (err == CH_OK) {
		t1 = clock_us(CLOCK_MONOTONIC);
		c1 = clock_us(CLOCK_THREAD_CPUTIME_ID);
		err = ch_store_commit(tx);
		t2 = clock_us(CLOCK_MONOTONIC);
		pthread_mutex_lock(&gc.lock);
		gc.stats.work_us += (uint64_t)(t1 - t0);
		gc.stats.work_cpu_us += (uint64_t)(c1 - c0);
		gc.stats.commit_us += (uint64_t)(t2 - t1);
		pthread_mutex_unlock(&gc.lock);
		slow_batch(n, t0, t1, t2, c1 - c0);
		/* A failed commit may or may not be on disk: every request
		 * gets the error, none is run again. */
		for (j = batch; j != NULL; j = j->next) {
			j->err = err;
			j->batched = true;
		}
	} else {
		ch_store_rollback(tx);
		log_warn("a batch of %zu decisions failed (%s); deciding "
			 "each alone",
		    n, ch_strerror(err));
		for (j = batch; j != NULL; j = j->next) {
			memset(j->out, 0, sizeof(*j->out));
			j->err = decide_alone(gc.store, j->ctx, j->rq, j->out);
			j->batched = false;
		}
		pthread_mutex_lock(&gc.lock);
		gc.stats.fallbacks++;
		pthread_mutex_unlock(&gc.lock);
	}
}

/* The jobs of batches that are on disk (sync_err: whether the last sync
 * succeeded): publish them, answer the asynchronous ones outside the lock
 * and wake the waiting ones under it.  A job is its caller's again once
 * done: touch it no more. */
static void
complete(struct ch_gate_job *jobs, ch_err sync_err)
{
	struct ch_gate_job *j, *next, *waiting = NULL;

	for (j = jobs; j != NULL; j = next) {
		next = j->next;
		if (j->batched && j->err == CH_OK) {
			j->err = sync_err;
			if (j->err == CH_OK)
				publish(j->out, j->rq->device_post_id);
		}
		if (j->on_done != NULL) {
			j->on_done(j->arg, j->err);
		} else {
			j->next = waiting;
			waiting = j;
		}
	}
	pthread_mutex_lock(&gc.lock);
	for (j = waiting; j != NULL; j = next) {
		next = j->next;
		j->done = true;
		pthread_cond_signal(j->wake);
	}
	pthread_mutex_unlock(&gc.lock);
}

/* The second thread answers the batches the committer hands it, in
 * commit order, so that the committer goes on to the next batch at once
 * (resuming a hundred connections and publishing their events was a
 * tenth of its time).  Pipelined: while the committer runs the next
 * batch, one fsync of the log makes every batch committed so far durable;
 * only then are they answered.  Otherwise a batch is durable when handed
 * over (its commit waited for the disk). */
static void *
syncer_main(void *arg)
{
	(void)arg;
	pthread_mutex_lock(&gc.lock);
	for (;;) {
		struct ch_gate_job *jobs;
		int64_t t0;
		bool failed;
		ch_err err;

		while (gc.sync_head == NULL && !gc.committer_done)
			pthread_cond_wait(&gc.to_sync, &gc.lock);
		if (gc.sync_head == NULL)
			break;
		jobs = gc.sync_head;
		gc.sync_head = gc.sync_tail = NULL;
		gc.sync_n = 0;
		failed = gc.sync_failed;
		pthread_mutex_unlock(&gc.lock);
		err = CH_OK;
		if (failed) {
			/* Committed after (or beside) frames a failed sync
			 * may have lost: never acknowledged, whatever a later
			 * sync says. */
			err = CH_ERR_IO;
		} else if (gc.pipelined) {
			t0 = clock_us(CLOCK_MONOTONIC);
			if ((err = ch_store_sync(gc.store)) != CH_OK)
				log_error("the access log could not be synced "
					  "(%s): the decisions waiting for it "
					  "are refused, and so is every "
					  "decision until the server is "
					  "restarted (what the disk failed to "
					  "write is then read back from the "
					  "log, or found missing)",
				    ch_strerror(err));
			pthread_mutex_lock(&gc.lock);
			if (err != CH_OK)
				gc.sync_failed = true;
			gc.stats.syncs++;
			gc.stats.sync_us +=
			    (uint64_t)(clock_us(CLOCK_MONOTONIC) - t0);
			pthread_mutex_unlock(&gc.lock);
		}
		complete(jobs, err);
		pthread_mutex_lock(&gc.lock);
	}
	pthread_mutex_unlock(&gc.lock);
	return NULL;
}

static void *
committer_main(void *arg)
{
	(void)arg;
	pthread_mutex_lock(&gc.lock);
	for (;;) {
		struct ch_gate_job *batch, *last;
		size_t n = 1;
		bool failed;

		while (gc.head == NULL && !gc.stopping)
			pthread_cond_wait(&gc.queued, &gc.lock);
		if (gc.head == NULL)
			break;
		batch = last = gc.head;
		while (last->next != NULL && n < gc.max_batch) {
			last = last->next;
			n++;
		}
		gc.head = last->next;
		if (gc.head == NULL)
			gc.tail = NULL;
		last->next = NULL;
		failed = gc.sync_failed;
		pthread_mutex_unlock(&gc.lock);

		if (failed) {
			for (struct ch_gate_job *j = batch; j != NULL;
			     j = j->next) {
				j->err = CH_ERR_IO;
				j->batched = false;
			}
		} else {
			run_batch(batch, n);
		}

		pthread_mutex_lock(&gc.lock);
		gc.stats.decisions += n;
		gc.stats.batches++;
		if (n > gc.stats.max_batch)
			gc.stats.max_batch = n;
		if (gc.sync_tail != NULL)
			gc.sync_tail->next = batch;
		else
			gc.sync_head = batch;
		gc.sync_tail = last;
		gc.sync_n += n;
		pthread_cond_signal(&gc.to_sync);
	}
	gc.committer_done = true;
	pthread_cond_signal(&gc.to_sync);
	pthread_mutex_unlock(&gc.lock);
	return NULL;
}

ch_err
ch_gate_committer_start(struct ch_store *store, size_t max_batch)
{
	return ch_gate_committer_start_ex(store, max_batch, false);
}

ch_err
ch_gate_committer_start_ex(
    struct ch_store *store, size_t max_batch, bool pipelined)
{
	pthread_mutex_lock(&gc.lock);
	if (gc.running) {
		pthread_mutex_unlock(&gc.lock);
		return CH_ERR_CONFLICT;
	}
	/* Pipelined: the log's descriptor for its syncs is opened before
	 * the first unsynced commit, so it hears of any write-back lost
	 * from then on (sqlite_sync_log). */
	if (pipelined && ch_store_sync(store) != CH_OK)
		log_warn("the access log could not be synced before the "
			 "committer started; it is tried again at each batch");
	gc.store = store;
	gc.max_batch = max_batch > 0 ? max_batch : 64;
	gc.stopping = false;
	gc.head = gc.tail = NULL;
	gc.pipelined = pipelined;
	gc.committer_done = false;
	gc.sync_failed = false;
	gc.sync_head = gc.sync_tail = NULL;
	gc.sync_n = 0;
	if (pthread_create(&gc.syncer, NULL, syncer_main, NULL) != 0) {
		pthread_mutex_unlock(&gc.lock);
		return CH_ERR_INTERNAL;
	}
	if (pthread_create(&gc.thread, NULL, committer_main, NULL) != 0) {
		gc.committer_done = true;
		pthread_cond_signal(&gc.to_sync);
		pthread_mutex_unlock(&gc.lock);
		pthread_join(gc.syncer, NULL);
		return CH_ERR_INTERNAL;
	}
	gc.running = true;
	pthread_mutex_unlock(&gc.lock);
	return CH_OK;
}

void
ch_gate_committer_stop(void)
{
	pthread_mutex_lock(&gc.lock);
	if (!gc.running) {
		pthread_mutex_unlock(&gc.lock);
		return;
	}
	gc.stopping = true;
	pthread_cond_broadcast(&gc.queued);
	pthread_mutex_unlock(&gc.lock);
	pthread_join(gc.thread, NULL); /* drains the queue first */
	pthread_join(gc.syncer, NULL); /* then the answers (and syncs) */
	pthread_mutex_lock(&gc.lock);
	gc.running = false;
	if (gc.stats.batches > 0 && gc.stats.decisions > 0)
		log_info("group commit%s: %llu decisions in %llu batches "
			 "(largest %llu); per decision %.0f us of statements "
			 "(%.0f us of CPU), per batch %.0f us of commit; "
			 "%llu syncs of %.0f us",
		    gc.pipelined ? " (pipelined)" : "",
		    (unsigned long long)gc.stats.decisions,
		    (unsigned long long)gc.stats.batches,
		    (unsigned long long)gc.stats.max_batch,
		    (double)gc.stats.work_us / (double)gc.stats.decisions,
		    (double)gc.stats.work_cpu_us / (double)gc.stats.decisions,
		    (double)gc.stats.commit_us / (double)gc.stats.batches,
		    (unsigned long long)gc.stats.syncs,
		    gc.stats.syncs
			? (double)gc.stats.sync_us / (double)gc.stats.syncs
			: 0.0);
	pthread_mutex_unlock(&gc.lock);
}

void
ch_gate_stats(struct ch_gate_stats *out)
{
	pthread_mutex_lock(&gc.lock);
	*out = gc.stats;
	pthread_mutex_unlock(&gc.lock);
}

bool
ch_gate_committer_running(void)
{
	bool running;

	pthread_mutex_lock(&gc.lock);
	running = gc.running && !gc.stopping;
	pthread_mutex_unlock(&gc.lock);
	return running;
}

ch_err
ch_gate_check(struct ch_ctx *ctx, const struct ch_decision_request *rq)
{
	if (rq->badge == NULL || rq->badge[0] == '\0' ||
	    strlen(rq->badge) > 64) {
		ch_fault_set(&ctx->fault, "/credential/badge",
		    "Send the badge identifier the reader read (1 to 64 "
		    "characters).");
		return CH_ERR_INVALID;
	}
	if (rq->pin != NULL && !ch_access_pin_syntax(rq->pin)) {
		ch_fault_set(
		    &ctx->fault, "/credential/pin", "A PIN is 4 to 8 digits.");
		return CH_ERR_INVALID;
	}
	if (rq->device_post_id == NULL || !ch_id_valid(rq->device_post_id)) {
		ch_fault_set(&ctx->fault, "",
		    "Only a device bound to a post asks for decisions.");
		return CH_ERR_INVALID;
	}
	return CH_OK;
}

/* Queue job, or decide it alone when no committer runs (false). */
static bool
enqueue(struct ch_gate_job *job)
{
	pthread_mutex_lock(&gc.lock);
	if (!gc.running || gc.stopping) {
		/* No committer: a transaction of its own (--group-commit
		 * off, the CLI, the tests). */
		gc.stats.decisions++;
		gc.stats.batches++;
		if (gc.stats.max_batch == 0)
			gc.stats.max_batch = 1;
		pthread_mutex_unlock(&gc.lock);
		memset(job->out, 0, sizeof(*job->out));
		job->err =
		    decide_alone(job->ctx->store, job->ctx, job->rq, job->out);
		return false;
	}
	job->next = NULL;
	job->done = false;
	memset(job->out, 0, sizeof(*job->out));
	if (gc.tail != NULL)
		gc.tail->next = job;
	else
		gc.head = job;
	gc.tail = job;
	pthread_cond_signal(&gc.queued);
	if (job->on_done == NULL) {
		while (!job->done)
			pthread_cond_wait(job->wake, &gc.lock);
	}
	pthread_mutex_unlock(&gc.lock);
	return true;
}

void
ch_gate_decide_async(struct ch_gate_job *job)
{
	if (!enqueue(job))
		job->on_done(job->arg, job->err);
}

ch_err
ch_gate_decide(struct ch_ctx *ctx, const struct ch_decision_request *rq,
    struct ch_decision *out)
{
	pthread_cond_t wake = PTHREAD_COND_INITIALIZER;
	struct ch_gate_job j = {
	    ctx, rq, out, CH_OK, false, &wake, NULL, NULL, NULL, false};
	ch_err err;

	memset(out, 0, sizeof(*out));
	if ((err = ch_gate_check(ctx, rq)) != CH_OK)
		return err;
	(void)enqueue(&j);
	pthread_cond_destroy(&wake);
	return j.err;
}
