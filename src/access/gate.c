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
#include <string.h>

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

/* The canonical state of an event, for its audit record. */
static void
event_state(const struct ch_access_event *ev, char *out, size_t size)
{
	snprintf(out, size,
	    "id=%s\nseq=%lld\npost=%s\npoint=%s\nzone=%s\ncredential=%s\n"
	    "badge=%s\nperson=%s\ndirection=%s\ndecision=%s\nreason=%s\n"
	    "passback=%d\nduress=%d\nat=%s\ndevice=%s\n",
	    ev->id, (long long)ev->seq, ev->post_id, ev->point_id, ev->zone_id,
	    ev->credential_id, ev->badge, ev->person_id,
	    ev->direction == CH_DIR_IN ? "in" : "out",
	    ev->granted ? "grant" : "deny", ch_access_reason_code(ev->reason),
	    ev->passback_flag, ev->duress, ev->at, ev->device_id);
}

struct facts_store {
	struct ch_access_rule rules[CH_ACCESS_MAX_RULES];
	const char *chain[16];
};

static ch_err
decide_in_tx(struct ch_tx *tx, struct ch_ctx *ctx,
    const struct ch_decision_request *rq, struct ch_decision *out)
{
	struct facts_store *fs;
	struct ch_access_facts f;
	struct ch_access_point point;
	struct ch_credential cred;
	struct ch_person person;
	struct ch_post post;
	struct ch_zone *zones = NULL;
	struct ch_rule_row *rows = NULL;
	struct ch_access_event ev;
	char posture[16], changed_at[CH_TIMESTAMP_LEN], state[1024];
	const char *holder = NULL, *post_id = rq->device_post_id;
	size_t nzones = 0, nrows = 0;
	ch_err err;

	memset(&f, 0, sizeof(f));
	memset(&ev, 0, sizeof(ev));
	memset(&person, 0, sizeof(person));
	fs = ch_arena_alloc(ctx->arena, sizeof(*fs));
	if (fs == NULL)
		return CH_ERR_NOMEM;
	f.now = rq->at != 0 ? rq->at : ch_clock_now();
	f.direction = rq->direction;
	if ((err = ch_store_post_get(tx, post_id, ctx->arena, &post)) != CH_OK)
		return err;
	ch_local_time(f.now, post.timezone, &f.weekday, &f.minute);
	if ((err = ch_store_posture_get(tx, post_id, posture, changed_at)) !=
	    CH_OK)
		return err;
	if (!ch_posture_parse(posture, &f.posture))
		f.posture = CH_POSTURE_LOCKDOWN;
	err = ch_id_valid(rq->point_id)
	    ? ch_store_access_point_get(tx, rq->point_id, ctx->arena, &point)
	    : CH_ERR_NOT_FOUND;
	if (err != CH_OK && err != CH_ERR_NOT_FOUND)
		return err;
	f.point_found = err == CH_OK && strcmp(point.post_id, post_id) == 0;
	if (f.point_found) {
		const char *dest = rq->direction == CH_DIR_IN
		    ? point.to_zone_id
		    : point.from_zone_id;
		const char *src = rq->direction == CH_DIR_IN
		    ? point.from_zone_id
		    : point.to_zone_id;
		const struct ch_zone *dz;

		ch_strlcpy(f.dest_zone_id, dest, sizeof(f.dest_zone_id));
		ch_strlcpy(f.src_zone_id, src, sizeof(f.src_zone_id));
		f.passback = point.passback;
		f.pin_required = point.pin_required;
		if ((err = ch_store_zone_list(
			 tx, post_id, ctx->arena, &zones, &nzones)) != CH_OK)
			return err;
		f.dest_chain_len = zone_chain(
		    zones, nzones, f.dest_zone_id, fs->chain, 16);
		f.dest_zone_chain = fs->chain;
		if ((dz = zone_find(zones, nzones, f.dest_zone_id)) != NULL) {
			f.dest_clearance = dz->required_clearance;
			f.dest_escort_required = dz->escort_required;
			out->zone_name = dz->name;
		}
	}
	err = ch_store_credential_by_badge(tx, rq->badge, ctx->arena, &cred);
	if (err != CH_OK && err != CH_ERR_NOT_FOUND)
		return err;
	f.credential_found =
	    err == CH_OK && strcmp(cred.post_id, post_id) == 0;
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
		if (cred.person_id[0] != '\0') {
			err = ch_store_person_get(
			    tx, cred.person_id, ctx->arena, &person);
			if (err != CH_OK && err != CH_ERR_NOT_FOUND)
				return err;
			f.is_person = err == CH_OK;
		}
		if (f.is_person) {
			ch_strlcpy(f.person_id, person.id, sizeof(f.person_id));
			f.category = person.category;
			f.clearance = person.clearance;
			if ((err = ch_store_person_roles(
				 tx, person.id, &f.roles)) != CH_OK)
				return err;
			f.security_staff =
			    (f.roles & ((1u << CH_ROLE_SECURITY_OFFICER) |
					   (1u << CH_ROLE_GUARD))) != 0;
			holder = person.id;
		} else if (f.is_visitor) {
			holder = cred.visitor_id;
		} else {
			holder = cred.id;
		}
	}
	if (f.point_found && f.credential_found) {
		if ((err = ch_store_rule_list(tx, post_id, ctx->arena, &rows,
			 &nrows)) != CH_OK)
			return err;
		for (size_t i = 0; i < nrows && f.nrules < CH_ACCESS_MAX_RULES;
		     i++) {
			struct ch_access_rule *r = &fs->rules[f.nrules];
			struct ch_fault ignore;

			memset(r, 0, sizeof(*r));
			ch_strlcpy(r->id, rows[i].id, sizeof(r->id));
			r->effect = rows[i].effect;
			r->subject = rows[i].subject;
			r->subject_value = rows[i].subject_value;
			ch_strlcpy(
			    r->zone_id, rows[i].zone_id, sizeof(r->zone_id));
			if (rows[i].schedule_id[0] != '\0') {
				r->has_schedule = true;
				/* A schedule that no longer parses opens
				 * nothing (it has no windows). */
				(void)ch_schedule_parse(
				    rows[i].windows, &r->schedule, &ignore);
			}
			f.nrules++;
		}
		f.rules = fs->rules;
		if (f.passback != CH_PASSBACK_NONE) {
			bool found;

			if ((err = ch_store_presence_get(tx, holder,
				 f.presence_zone_id, &found)) != CH_OK)
				return err;
			/* Nowhere inside is a place too: outside. */
			f.presence_known = true;
			(void)found;
		}
	}
	ch_access_decide(&f, &out->result);

	ch_id_new(ev.id);
	ch_strlcpy(ev.post_id, post_id, sizeof(ev.post_id));
	if (f.point_found)
		ch_strlcpy(ev.point_id, point.id, sizeof(ev.point_id));
	ch_strlcpy(ev.zone_id, f.dest_zone_id, sizeof(ev.zone_id));
	ch_strlcpy(ev.credential_id, f.credential_id, sizeof(ev.credential_id));
	ev.badge = (char *)rq->badge;
	ch_strlcpy(ev.person_id, f.person_id, sizeof(ev.person_id));
	ev.direction = rq->direction;
	ev.granted = out->result.granted;
	ev.reason = out->result.reason;
	ev.passback_flag = out->result.passback_flag;
	ev.duress = out->result.duress;
	ev.out_of_schedule = out->result.out_of_schedule;
	ch_time_format(f.now, ev.at);
	ch_strlcpy(ev.device_id, rq->device_id ? rq->device_id : "",
	    sizeof(ev.device_id));
	if ((err = ch_store_access_event_insert(tx, &ev)) != CH_OK)
		return err;
	if (ev.granted && holder != NULL &&
	    (err = ch_store_presence_set(tx, holder, post_id, f.person_id,
		 f.credential_id, f.dest_zone_id, ev.at, ev.point_id)) !=
		CH_OK)
		return err;
	event_state(&ev, state, sizeof(state));
	{
		struct ch_audit_entry e = {
		    ev.granted ? "access.grant" : "access.deny",
		    "access_event", ev.id, post_id, state, strlen(state)};

		if ((err = ch_audit_append(tx, ctx, &e)) != CH_OK)
			return err;
	}
	if (ev.duress) {
		struct ch_alarm alarm;
		struct ch_audit_entry e;

		memset(&alarm, 0, sizeof(alarm));
		ch_id_new(alarm.id);
		ch_strlcpy(alarm.post_id, post_id, sizeof(alarm.post_id));
		alarm.kind = "duress";
		alarm.status = "raised";
		ch_strlcpy(alarm.point_id, ev.point_id, sizeof(alarm.point_id));
		ch_strlcpy(
		    alarm.person_id, ev.person_id, sizeof(alarm.person_id));
		ch_strlcpy(alarm.event_id, ev.id, sizeof(alarm.event_id));
		ch_time_format(ch_clock_now(), alarm.raised_at);
		if ((err = ch_store_alarm_insert(tx, &alarm)) != CH_OK)
			return err;
		snprintf(state, sizeof(state),
		    "id=%s\nkind=duress\nstatus=raised\npoint=%s\nperson=%s\n"
		    "event=%s\n",
		    alarm.id, alarm.point_id, alarm.person_id, alarm.event_id);
		e = (struct ch_audit_entry){"alarm.raise", "alarm", alarm.id,
		    post_id, state, strlen(state)};
		if ((err = ch_audit_append(tx, ctx, &e)) != CH_OK)
			return err;
	}
	ch_strlcpy(out->event_id, ev.id, sizeof(out->event_id));
	ch_strlcpy(out->at, ev.at, sizeof(out->at));
	ch_strlcpy(out->person_id, f.person_id, sizeof(out->person_id));
	ch_strlcpy(out->zone_id, f.dest_zone_id, sizeof(out->zone_id));
	if (f.is_person) {
		out->person_name = ch_arena_printf(ctx->arena, "%s %s",
		    person.given_name, person.family_name);
		out->person_category = (char *)ch_staff_category_code(
		    person.category);
		out->photo_hint = person.position;
	} else if (f.is_visitor) {
		out->person_name = "Visitor";
		out->person_category = "visitor";
	}
	return CH_OK;
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
	struct ch_tx *tx = NULL;
	ch_err err;

	if ((err = ch_store_begin(store, true, &tx)) != CH_OK)
		return err;
	if ((err = decide_in_tx(tx, ctx, rq, out)) != CH_OK) {
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
	struct ch_tx *tx = NULL;
	ch_err err;

	if ((err = ch_store_begin(ctx->store, true, &tx)) != CH_OK)
		return err;
	for (size_t i = 0; i < n; i++) {
		memset(&outs[i], 0, sizeof(outs[i]));
		if ((err = decide_in_tx(tx, ctx, &rqs[i], &outs[i])) != CH_OK) {
			ch_store_rollback(tx);
			return err;
		}
	}
	if ((err = ch_store_commit(tx)) != CH_OK)
		return err;
	for (size_t i = 0; i < n; i++)
		publish(&outs[i], rqs[i].device_post_id);
	return CH_OK;
}

/* ---- the group committer ---- */

struct job {
	struct ch_ctx *ctx;
	const struct ch_decision_request *rq;
	struct ch_decision *out;
	ch_err err;
	bool done;
	struct job *next;
};

static struct {
	pthread_mutex_t lock;
	pthread_cond_t queued;
	pthread_cond_t finished;
	struct job *head, *tail;
	bool running, stopping;
	pthread_t thread;
	struct ch_store *store;
	size_t max_batch;
	struct ch_gate_stats stats;
} gc = {.lock = PTHREAD_MUTEX_INITIALIZER,
    .queued = PTHREAD_COND_INITIALIZER,
    .finished = PTHREAD_COND_INITIALIZER};

static void
run_batch(struct job *batch, size_t n)
{
	struct ch_tx *tx = NULL;
	struct job *j;
	ch_err err;

	err = ch_store_begin(gc.store, true, &tx);
	for (j = batch; err == CH_OK && j != NULL; j = j->next)
		err = decide_in_tx(tx, j->ctx, j->rq, j->out);
	if (err == CH_OK) {
		err = ch_store_commit(tx);
		/* A failed commit may or may not be on disk: every request
		 * gets the error, none is run again. */
		for (j = batch; j != NULL; j = j->next) {
			j->err = err;
			if (err == CH_OK)
				publish(j->out, j->rq->device_post_id);
		}
	} else {
		ch_store_rollback(tx);
		log_warn("a batch of %zu decisions failed (%s); deciding "
			 "each alone",
		    n, ch_strerror(err));
		for (j = batch; j != NULL; j = j->next) {
			memset(j->out, 0, sizeof(*j->out));
			j->err = decide_alone(gc.store, j->ctx, j->rq, j->out);
		}
		pthread_mutex_lock(&gc.lock);
		gc.stats.fallbacks++;
		pthread_mutex_unlock(&gc.lock);
	}
}

static void *
committer_main(void *arg)
{
	(void)arg;
	pthread_mutex_lock(&gc.lock);
	for (;;) {
		struct job *batch, *last, *j;
		size_t n = 1;

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
		pthread_mutex_unlock(&gc.lock);

		run_batch(batch, n);

		pthread_mutex_lock(&gc.lock);
		gc.stats.decisions += n;
		gc.stats.batches++;
		if (n > gc.stats.max_batch)
			gc.stats.max_batch = n;
		for (j = batch; j != NULL; j = j->next)
			j->done = true;
		pthread_cond_broadcast(&gc.finished);
	}
	pthread_mutex_unlock(&gc.lock);
	return NULL;
}

ch_err
ch_gate_committer_start(struct ch_store *store, size_t max_batch)
{
	pthread_mutex_lock(&gc.lock);
	if (gc.running) {
		pthread_mutex_unlock(&gc.lock);
		return CH_ERR_CONFLICT;
	}
	gc.store = store;
	gc.max_batch = max_batch > 0 ? max_batch : 64;
	gc.stopping = false;
	gc.head = gc.tail = NULL;
	if (pthread_create(&gc.thread, NULL, committer_main, NULL) != 0) {
		pthread_mutex_unlock(&gc.lock);
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
	pthread_mutex_lock(&gc.lock);
	gc.running = false;
	pthread_mutex_unlock(&gc.lock);
}

void
ch_gate_stats(struct ch_gate_stats *out)
{
	pthread_mutex_lock(&gc.lock);
	*out = gc.stats;
	pthread_mutex_unlock(&gc.lock);
}

ch_err
ch_gate_decide(struct ch_ctx *ctx, const struct ch_decision_request *rq,
    struct ch_decision *out)
{
	struct job j = {ctx, rq, out, CH_OK, false, NULL};

	memset(out, 0, sizeof(*out));
	if (rq->badge == NULL || rq->badge[0] == '\0' ||
	    strlen(rq->badge) > 64) {
		ch_fault_set(&ctx->fault, "/credential/badge",
		    "Send the badge identifier the reader read (1 to 64 "
		    "characters).");
		return CH_ERR_INVALID;
	}
	if (rq->pin != NULL && !ch_access_pin_syntax(rq->pin)) {
		ch_fault_set(&ctx->fault, "/credential/pin",
		    "A PIN is 4 to 8 digits.");
		return CH_ERR_INVALID;
	}
	if (rq->device_post_id == NULL || !ch_id_valid(rq->device_post_id)) {
		ch_fault_set(&ctx->fault, "",
		    "Only a device bound to a post asks for decisions.");
		return CH_ERR_INVALID;
	}
	pthread_mutex_lock(&gc.lock);
	if (!gc.running || gc.stopping) {
		pthread_mutex_unlock(&gc.lock);
		pthread_mutex_lock(&gc.lock);
		gc.stats.decisions++;
		gc.stats.batches++;
		gc.stats.max_batch = gc.stats.max_batch ? gc.stats.max_batch : 1;
		pthread_mutex_unlock(&gc.lock);
		return decide_alone(ctx->store, ctx, rq, out);
	}
	if (gc.tail != NULL)
		gc.tail->next = &j;
	else
		gc.head = &j;
	gc.tail = &j;
	pthread_cond_signal(&gc.queued);
	while (!j.done)
		pthread_cond_wait(&gc.finished, &gc.lock);
	pthread_mutex_unlock(&gc.lock);
	return j.err;
}
