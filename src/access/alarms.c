/*
 * alarms.c — alarms and their handling.  An alarm is raised by the gate
 * (a duress PIN, gate.c) or by a sensor through its device token
 * (intrusion, fire, tamper, a door forced or held open); a guard or the
 * security officer acknowledges it, then resolves it with a note.  While
 * nobody acknowledges, the escalator raises its level after set delays
 * from when it was raised: the duty officer, then the security officer.
 * Every step is audited and published on the event bus (the notifier and
 * the live board listen there).
 */
#include <pthread.h>
#include <stdio.h>
#include <string.h>

#include "access/access.h"
#include "core/audit.h"
#include "core/events.h"
#include "people/people.h"
#include "store/store.h"

static const char *const kinds[CH_ALARM_KIND__COUNT] = {
    [CH_ALARM_INTRUSION] = "intrusion",
    [CH_ALARM_DURESS] = "duress",
    [CH_ALARM_FIRE] = "fire",
    [CH_ALARM_TAMPER] = "tamper",
    [CH_ALARM_DOOR_FORCED] = "door_forced",
    [CH_ALARM_DOOR_HELD_OPEN] = "door_held_open",
    [CH_ALARM_TOUR_MISSED] = "tour_missed",
    [CH_ALARM_TOUR_OUT_OF_ORDER] = "tour_out_of_order",
    [CH_ALARM_VISITOR_OVERSTAY] = "visitor_overstay",
};

const char *
ch_alarm_kind_code(enum ch_alarm_kind k)
{
	return (unsigned)k < CH_ALARM_KIND__COUNT ? kinds[k] : "intrusion";
}

bool
ch_alarm_kind_parse(const char *s, enum ch_alarm_kind *out)
{
	for (int i = 0; s != NULL && i < CH_ALARM_KIND__COUNT; i++) {
		if (strcmp(s, kinds[i]) == 0) {
			*out = (enum ch_alarm_kind)i;
			return true;
		}
	}
	return false;
}

const char *
ch_alarm_level_text(int level)
{
	switch (level) {
	case 0:
		return "the guards on duty";
	case 1:
		return "the duty officer";
	default:
		return "the security officer";
	}
}

static void
alarm_state(const struct ch_alarm *a, char *out, size_t size)
{
	snprintf(out, size,
	    "id=%s\npost=%s\nkind=%s\nstatus=%s\nlevel=%d\npoint=%s\nzone=%s\n"
	    "person=%s\nevent=%s\ndevice=%s\nraised_at=%s\n"
	    "acknowledged_at=%s\nresolved_at=%s\nnotes=%s\n",
	    a->id, a->post_id, a->kind, a->status, a->level, a->point_id,
	    a->zone_id, a->person_id, a->event_id, a->device_id, a->raised_at,
	    a->acknowledged_at, a->resolved_at, a->notes ? a->notes : "");
}

/* Audit, commit and publish one step of an alarm. */
static ch_err
finish(struct ch_ctx *ctx, struct ch_tx *tx, const char *action,
    const char *event, const struct ch_alarm *a)
{
	char state[2048];
	struct ch_audit_entry e;
	struct ch_event ev;
	ch_err err;

	alarm_state(a, state, sizeof(state));
	e = (struct ch_audit_entry){
	    action, "alarm", a->id, a->post_id, state, strlen(state)};
	if ((err = ch_audit_append(tx, ctx, &e)) != CH_OK) {
		ch_store_rollback(tx);
		return err;
	}
	if ((err = ch_store_commit(tx)) != CH_OK)
		return err;
	ev = (struct ch_event){
	    event, "alarm", a->id, a->post_id, ch_clock_now()};
	ch_events_publish(&ev);
	return CH_OK;
}

static bool
note_ok(const char *s, bool required)
{
	long n;

	if (s == NULL || *s == '\0')
		return !required;
	n = ch_utf8_length(s, strlen(s));
	return n >= 1 && n <= 1000;
}

ch_err
ch_alarms_raise_in_tx(struct ch_ctx *ctx, struct ch_tx *tx,
    enum ch_alarm_kind kind, const char *post_id, const char *detail,
    struct ch_alarm *out)
{
	char state[2048];
	struct ch_audit_entry e;
	ch_err err;

	ch_id_new(out->id);
	ch_strlcpy(out->post_id, post_id, sizeof(out->post_id));
	out->kind = (char *)ch_alarm_kind_code(kind);
	out->status = "raised";
	out->detail = detail ? ch_arena_strdup(ctx->arena, detail) : NULL;
	ch_time_format(ch_clock_now(), out->raised_at);
	out->version = 1;
	if ((err = ch_store_alarm_insert(tx, out)) != CH_OK)
		return err;
	alarm_state(out, state, sizeof(state));
	e = (struct ch_audit_entry){
	    "alarm.raise", "alarm", out->id, post_id, state, strlen(state)};
	return ch_audit_append(tx, ctx, &e);
}

void
ch_alarms_published(const struct ch_alarm *a)
{
	struct ch_event ev = {
	    "alarm.raised", "alarm", a->id, a->post_id, ch_clock_now()};

	ch_events_publish(&ev);
}

ch_err
ch_alarms_raise(
    struct ch_ctx *ctx, const struct ch_alarm_input *in, struct ch_alarm *out)
{
	enum ch_alarm_kind kind;
	struct ch_access_point point;
	struct ch_zone zone;
	struct ch_tx *tx = NULL;
	ch_err err;

	memset(out, 0, sizeof(*out));
	if (!ch_alarm_kind_parse(in->kind, &kind) ||
	    (ctx->who != NULL && kind >= CH_ALARM_TOUR_MISSED)) {
		ch_fault_set(&ctx->fault, "/kind",
		    "kind is intrusion, duress, fire, tamper, door_forced or "
		    "door_held_open.");
		return CH_ERR_INVALID;
	}
	if (!note_ok(in->detail, false)) {
		ch_fault_set(&ctx->fault, "/detail",
		    "detail is at most 1000 characters.");
		return CH_ERR_INVALID;
	}
	if (in->post_id == NULL || !ch_id_valid(in->post_id)) {
		ch_fault_set(&ctx->fault, "",
		    "Only a device bound to a post raises alarms.");
		return CH_ERR_INVALID;
	}
	if ((err = ch_store_begin(ctx->store, true, &tx)) != CH_OK)
		return err;
	if (in->point_id != NULL) {
		err = ch_id_valid(in->point_id)
		    ? ch_store_access_point_get(
			  tx, in->point_id, ctx->arena, &point)
		    : CH_ERR_NOT_FOUND;
		if (err == CH_OK && strcmp(point.post_id, in->post_id) != 0)
			err = CH_ERR_NOT_FOUND;
		if (err == CH_ERR_NOT_FOUND) {
			ch_fault_set(&ctx->fault, "/point_id",
			    "No such access point in the device's post.");
			err = CH_ERR_INVALID;
		}
		if (err != CH_OK)
			goto fail;
		ch_strlcpy(out->point_id, in->point_id, sizeof(out->point_id));
		ch_strlcpy(
		    out->zone_id, point.to_zone_id, sizeof(out->zone_id));
	}
	if (in->zone_id != NULL) {
		err = ch_id_valid(in->zone_id)
		    ? ch_store_zone_get(tx, in->zone_id, ctx->arena, &zone)
		    : CH_ERR_NOT_FOUND;
		if (err == CH_OK && strcmp(zone.post_id, in->post_id) != 0)
			err = CH_ERR_NOT_FOUND;
		if (err == CH_ERR_NOT_FOUND) {
			ch_fault_set(&ctx->fault, "/zone_id",
			    "No such zone in the device's post.");
			err = CH_ERR_INVALID;
		}
		if (err != CH_OK)
			goto fail;
		ch_strlcpy(out->zone_id, in->zone_id, sizeof(out->zone_id));
	}
	ch_id_new(out->id);
	ch_strlcpy(out->post_id, in->post_id, sizeof(out->post_id));
	out->kind = (char *)ch_alarm_kind_code(kind);
	out->status = "raised";
	ch_strlcpy(out->device_id, in->device_id ? in->device_id : "",
	    sizeof(out->device_id));
	out->detail =
	    in->detail ? ch_arena_strdup(ctx->arena, in->detail) : NULL;
	ch_time_format(ch_clock_now(), out->raised_at);
	out->version = 1;
	if ((err = ch_store_alarm_insert(tx, out)) != CH_OK)
		goto fail;
	return finish(ctx, tx, "alarm.raise", "alarm.raised", out);
fail:
	ch_store_rollback(tx);
	return err;
}

/* Load an alarm the caller may handle, in a write transaction. */
static ch_err
load(
    struct ch_ctx *ctx, const char *id, struct ch_tx **tx, struct ch_alarm *out)
{
	ch_err err;

	if (!ch_id_valid(id))
		return CH_ERR_NOT_FOUND;
	if ((err = ch_store_begin(ctx->store, true, tx)) != CH_OK)
		return err;
	err = ch_store_alarm_get(*tx, id, ctx->arena, out);
	if (err == CH_OK && !ch_ctx_sees_post(ctx, out->post_id))
		err = CH_ERR_NOT_FOUND;
	if (err != CH_OK) {
		ch_store_rollback(*tx);
		*tx = NULL;
	}
	return err;
}

static char *
add_note(ch_arena *a, const char *notes, const char *who, const char *at,
    const char *note)
{
	if (note == NULL || *note == '\0')
		return (char *)notes;
	return ch_arena_printf(a, "%s%s%s %s: %s", notes ? notes : "",
	    notes && *notes ? "\n" : "", at, who, note);
}

ch_err
ch_alarms_acknowledge(
    struct ch_ctx *ctx, const char *id, const char *note, struct ch_alarm *out)
{
	struct ch_tx *tx = NULL;
	ch_err err;

	if (!note_ok(note, false)) {
		ch_fault_set(
		    &ctx->fault, "/note", "A note is at most 1000 characters.");
		return CH_ERR_INVALID;
	}
	if ((err = load(ctx, id, &tx, out)) != CH_OK)
		return err;
	if (strcmp(out->status, "raised") != 0) {
		ch_fault_set(
		    &ctx->fault, "", "The alarm is already %s.", out->status);
		ch_store_rollback(tx);
		return CH_ERR_CONFLICT;
	}
	out->status = "acknowledged";
	ch_time_format(ch_clock_now(), out->acknowledged_at);
	out->acknowledged_by = (char *)ch_ctx_actor(ctx);
	out->notes = add_note(ctx->arena, out->notes, ch_ctx_actor(ctx),
	    out->acknowledged_at, note);
	if ((err = ch_store_alarm_update(tx, out, out->version)) != CH_OK) {
		ch_store_rollback(tx);
		return err;
	}
	return finish(ctx, tx, "alarm.acknowledge", "alarm.acknowledged", out);
}

ch_err
ch_alarms_resolve(
    struct ch_ctx *ctx, const char *id, const char *note, struct ch_alarm *out)
{
	struct ch_tx *tx = NULL;
	ch_err err;

	if (!note_ok(note, true)) {
		ch_fault_set(&ctx->fault, "/note",
		    "Say how it was resolved (1 to 1000 characters).");
		return CH_ERR_INVALID;
	}
	if ((err = load(ctx, id, &tx, out)) != CH_OK)
		return err;
	if (strcmp(out->status, "resolved") == 0) {
		ch_fault_set(&ctx->fault, "", "The alarm is already resolved.");
		ch_store_rollback(tx);
		return CH_ERR_CONFLICT;
	}
	out->status = "resolved";
	ch_time_format(ch_clock_now(), out->resolved_at);
	out->resolved_by = (char *)ch_ctx_actor(ctx);
	if (out->acknowledged_at[0] == '\0') {
		/* Resolving acknowledges too: someone has it in hand. */
		memcpy(out->acknowledged_at, out->resolved_at,
		    sizeof(out->acknowledged_at));
		out->acknowledged_by = out->resolved_by;
	}
	out->notes = add_note(
	    ctx->arena, out->notes, ch_ctx_actor(ctx), out->resolved_at, note);
	if ((err = ch_store_alarm_update(tx, out, out->version)) != CH_OK) {
		ch_store_rollback(tx);
		return err;
	}
	return finish(ctx, tx, "alarm.resolve", "alarm.resolved", out);
}

ch_err
ch_alarms_escalate(struct ch_store *store, int64_t now, size_t *count)
{
	struct ch_ctx ctx;
	struct ch_alarm *due = NULL;
	struct ch_tx *tx = NULL;
	char before[CH_TIMESTAMP_LEN], at[CH_TIMESTAMP_LEN];
	size_t n = 0;
	ch_err err;

	*count = 0;
	memset(&ctx, 0, sizeof(ctx));
	ctx.store = store;
	ctx.request_id = "escalator";
	ctx.source = "escalator";
	if ((ctx.arena = ch_arena_create(0)) == NULL)
		return CH_ERR_NOMEM;
	ch_time_format(now - CH_ALARM_ESCALATE_1, before);
	ch_time_format(now, at);
	if ((err = ch_store_begin(store, false, &tx)) != CH_OK)
		goto done;
	err = ch_store_alarm_unacknowledged(tx, before, 2, ctx.arena, &due, &n);
	ch_store_rollback(tx);
	for (size_t i = 0; err == CH_OK && i < n; i++) {
		struct ch_alarm *a = &due[i];
		int64_t raised = 0;
		int level;

		if (!ch_time_parse(a->raised_at, &raised))
			continue;
		level = now - raised >= CH_ALARM_ESCALATE_2 ? 2 : 1;
		if (level <= a->level)
			continue;
		a->level = level;
		memcpy(a->escalated_at, at, sizeof(a->escalated_at));
		if ((err = ch_store_begin(store, true, &tx)) != CH_OK)
			break;
		err = ch_store_alarm_update(tx, a, a->version);
		if (err == CH_ERR_PRECONDITION) {
			/* Acknowledged meanwhile: nothing to escalate. */
			ch_store_rollback(tx);
			err = CH_OK;
			continue;
		}
		if (err != CH_OK) {
			ch_store_rollback(tx);
			break;
		}
		if ((err = finish(&ctx, tx, "alarm.escalate", "alarm.escalated",
			 a)) == CH_OK) {
			log_warn("alarm %s (%s) unacknowledged since %s: "
				 "escalated to %s",
			    a->id, a->kind, a->raised_at,
			    ch_alarm_level_text(a->level));
			(*count)++;
		}
	}
done:
	ch_arena_destroy(ctx.arena);
	return err;
}

static struct {
	pthread_mutex_t lock;
	pthread_cond_t wake;
	pthread_t thread;
	bool running, stopping;
	struct ch_store *store;
	int every;
} esc = {.lock = PTHREAD_MUTEX_INITIALIZER, .wake = PTHREAD_COND_INITIALIZER};

static void *
escalator_main(void *arg)
{
	(void)arg;
	pthread_mutex_lock(&esc.lock);
	while (!esc.stopping) {
		struct timespec until;
		size_t n;

		pthread_mutex_unlock(&esc.lock);
		if (ch_tours_sweep(esc.store, ch_clock_now(), &n) != CH_OK)
			log_error("the guard tour pass failed; retrying");
		if (ch_alarms_escalate(esc.store, ch_clock_now(), &n) != CH_OK)
			log_error("the alarm escalation pass failed; "
				  "retrying");
		pthread_mutex_lock(&esc.lock);
		clock_gettime(CLOCK_REALTIME, &until);
		until.tv_sec += esc.every;
		while (!esc.stopping &&
		    pthread_cond_timedwait(&esc.wake, &esc.lock, &until) == 0)
			;
	}
	pthread_mutex_unlock(&esc.lock);
	return NULL;
}

ch_err
ch_alarms_escalator_start(struct ch_store *store, int every_seconds)
{
	pthread_mutex_lock(&esc.lock);
	if (esc.running) {
		pthread_mutex_unlock(&esc.lock);
		return CH_ERR_CONFLICT;
	}
	esc.store = store;
	esc.every = every_seconds > 0 ? every_seconds : 5;
	esc.stopping = false;
	if (pthread_create(&esc.thread, NULL, escalator_main, NULL) != 0) {
		pthread_mutex_unlock(&esc.lock);
		return CH_ERR_INTERNAL;
	}
	esc.running = true;
	pthread_mutex_unlock(&esc.lock);
	return CH_OK;
}

void
ch_alarms_escalator_stop(void)
{
	pthread_mutex_lock(&esc.lock);
	if (!esc.running) {
		pthread_mutex_unlock(&esc.lock);
		return;
	}
	esc.stopping = true;
	pthread_cond_broadcast(&esc.wake);
	pthread_mutex_unlock(&esc.lock);
	pthread_join(esc.thread, NULL);
	pthread_mutex_lock(&esc.lock);
	esc.running = false;
	pthread_mutex_unlock(&esc.lock);
}
