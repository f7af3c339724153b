/*
 * tours.c — guard tours.  A route is a list of checkpoints in the order a
 * guard walks them, each due a number of minutes after the tour starts and
 * each marked by a code (an NFC tag or a QR code) that a reader or the
 * guard's phone scans.  A scan out of turn raises a tour_out_of_order alarm
 * and marks the checkpoints skipped as missed; the sweep (the server's
 * escalator thread) marks a checkpoint missed when its time has passed and
 * raises a tour_missed alarm; the last checkpoint ends the tour.  The tours
 * with their scans are the tour report.
 */
#include <stdio.h>
#include <string.h>

#include "access/access.h"
#include "core/audit.h"
#include "core/events.h"
#include "people/people.h"
#include "store/store.h"

static bool
text_ok(const char *s, long max)
{
	long n = s ? ch_utf8_length(s, strlen(s)) : -1;

	return n >= 1 && n <= max;
}

static bool
code_ok(const char *s)
{
	size_t n = s ? strlen(s) : 0;

	if (n < 1 || n > 64)
		return false;
	for (size_t i = 0; i < n; i++)
		if (s[i] <= ' ' || s[i] > '~')
			return false;
	return true;
}

/* Audit one tour step inside tx. */
static ch_err
audit_tour(struct ch_ctx *ctx, struct ch_tx *tx, const char *action,
    const struct ch_tour *t, const char *extra)
{
	char state[512];
	struct ch_audit_entry e;

	snprintf(state, sizeof(state),
	    "id=%s\nroute=%s\npost=%s\nstatus=%s\nnext=%d\nstarted_at=%s\n"
	    "finished_at=%s\n%s",
	    t->id, t->route_id, t->post_id, t->status, t->next_seq,
	    t->started_at, t->finished_at, extra ? extra : "");
	e = (struct ch_audit_entry){
	    action, "tour", t->id, t->post_id, state, strlen(state)};
	return ch_audit_append(tx, ctx, &e);
}

static void
publish(const char *type, const char *object_type, const char *id,
    const char *post_id)
{
	struct ch_event ev = {type, object_type, id, post_id, ch_clock_now()};

	ch_events_publish(&ev);
}

ch_err
ch_tour_routes_create(struct ch_ctx *ctx, const char *post_id, const char *name,
    const struct ch_tour_checkpoint *cps, size_t n, struct ch_tour_route *out)
{
	struct ch_audit_entry e;
	struct ch_post post;
	struct ch_tx *tx = NULL;
	char state[256];
	ch_err err;

	memset(out, 0, sizeof(*out));
	if (!text_ok(name, 100)) {
		ch_fault_set(&ctx->fault, "/name",
		    "Name the route (1 to 100 characters), e.g. \"Night "
		    "perimeter\".");
		return CH_ERR_INVALID;
	}
	if (n < 1 || n > CH_TOUR_MAX_CHECKPOINTS) {
		ch_fault_set(&ctx->fault, "/checkpoints",
		    "A route has 1 to %d checkpoints.",
		    CH_TOUR_MAX_CHECKPOINTS);
		return CH_ERR_INVALID;
	}
	for (size_t i = 0; i < n; i++) {
		char field[64];

		snprintf(field, sizeof(field), "/checkpoints/%zu", i);
		if (!text_ok(cps[i].name, 100) || !code_ok(cps[i].code) ||
		    cps[i].due_minutes < 1 || cps[i].due_minutes > 1440 ||
		    (i > 0 && cps[i].due_minutes <= cps[i - 1].due_minutes)) {
			ch_fault_set(&ctx->fault, field,
			    "Each checkpoint has a name, a code (1 to 64 "
			    "printable characters) and due_minutes from 1 to "
			    "1440, rising along the route.");
			return CH_ERR_INVALID;
		}
		for (size_t j = 0; j < i; j++)
			if (strcmp(cps[i].code, cps[j].code) == 0) {
				ch_fault_set(&ctx->fault, field,
				    "Two checkpoints share the code %s.",
				    cps[i].code);
				return CH_ERR_INVALID;
			}
	}
	if (post_id == NULL || !ch_id_valid(post_id) ||
	    !ch_ctx_sees_post(ctx, post_id)) {
		ch_fault_set(&ctx->fault, "/post_id", "No such post.");
		return CH_ERR_INVALID;
	}
	ch_id_new(out->id);
	ch_strlcpy(out->post_id, post_id, sizeof(out->post_id));
	out->name = ch_arena_strdup(ctx->arena, name);
	ch_time_format(ch_clock_now(), out->created_at);
	out->ncheckpoints = n;
	out->checkpoints = ch_arena_alloc(ctx->arena, sizeof(*cps) * n);
	if (out->checkpoints == NULL)
		return CH_ERR_NOMEM;
	for (size_t i = 0; i < n; i++) {
		out->checkpoints[i] = cps[i];
		ch_id_new(out->checkpoints[i].id);
		out->checkpoints[i].seq = (int)i + 1;
		out->checkpoints[i].name =
		    ch_arena_strdup(ctx->arena, cps[i].name);
		out->checkpoints[i].code =
		    ch_arena_strdup(ctx->arena, cps[i].code);
	}
	if ((err = ch_store_begin(ctx->store, true, &tx)) != CH_OK)
		return err;
	if ((err = ch_store_post_get(tx, post_id, ctx->arena, &post)) !=
	    CH_OK) {
		if (err == CH_ERR_NOT_FOUND) {
			ch_fault_set(&ctx->fault, "/post_id", "No such post.");
			err = CH_ERR_INVALID;
		}
		goto fail;
	}
	if ((err = ch_store_tour_route_insert(tx, out)) != CH_OK) {
		if (err == CH_ERR_CONFLICT)
			ch_fault_set(&ctx->fault, "/checkpoints",
			    "The route's name or a checkpoint's code is "
			    "already in use.");
		goto fail;
	}
	snprintf(state, sizeof(state),
	    "id=%s\npost=%s\nname=%s\ncheckpoints=%zu\n", out->id, post_id,
	    out->name, n);
	e = (struct ch_audit_entry){"tour_route.create", "tour_route", out->id,
	    post_id, state, strlen(state)};
	if ((err = ch_audit_append(tx, ctx, &e)) != CH_OK)
		goto fail;
	if ((err = ch_store_commit(tx)) != CH_OK)
		return err;
	publish("tour_route.created", "tour_route", out->id, post_id);
	return CH_OK;
fail:
	ch_store_rollback(tx);
	return err;
}

/* The post a list reads: asked (if seen), else the reader's own, else
 * every post (HQ, the system). */
static ch_err
list_post(struct ch_ctx *ctx, const char *asked, const char **out)
{
	if (asked != NULL && *asked != '\0') {
		if (!ch_id_valid(asked) || !ch_ctx_sees_post(ctx, asked))
			return CH_ERR_NOT_FOUND;
		*out = asked;
		return CH_OK;
	}
	if (ctx->who != NULL && !ch_policy_all_posts(ctx->who)) {
		if (ctx->who->post_id[0] == '\0')
			return CH_ERR_NOT_FOUND;
		*out = ctx->who->post_id;
		return CH_OK;
	}
	*out = NULL;
	return CH_OK;
}

ch_err
ch_tour_routes_list(struct ch_ctx *ctx, const char *post_id,
    struct ch_tour_route **out, size_t *count)
{
	struct ch_tx *tx = NULL;
	const char *post;
	ch_err err;

	if ((err = list_post(ctx, post_id, &post)) != CH_OK)
		return err;
	if ((err = ch_store_begin(ctx->store, false, &tx)) != CH_OK)
		return err;
	err = ch_store_tour_route_list(tx, post, ctx->arena, out, count);
	ch_store_rollback(tx);
	return err;
}

ch_err
ch_tours_start(struct ch_ctx *ctx, const char *route_id, struct ch_tour *out)
{
	struct ch_tour_route route;
	struct ch_tour running;
	struct ch_tx *tx = NULL;
	ch_err err;

	memset(out, 0, sizeof(*out));
	if (route_id == NULL || !ch_id_valid(route_id)) {
		ch_fault_set(&ctx->fault, "/route_id", "No such route.");
		return CH_ERR_INVALID;
	}
	if ((err = ch_store_begin(ctx->store, true, &tx)) != CH_OK)
		return err;
	err = ch_store_tour_route_get(tx, route_id, ctx->arena, &route);
	if (err == CH_OK && !ch_ctx_sees_post(ctx, route.post_id))
		err = CH_ERR_NOT_FOUND;
	if (err == CH_ERR_NOT_FOUND) {
		ch_fault_set(&ctx->fault, "/route_id", "No such route.");
		err = CH_ERR_INVALID;
	}
	if (err != CH_OK)
		goto fail;
	err = ch_store_tour_running(tx, route_id, ctx->arena, &running);
	if (err == CH_OK) {
		ch_fault_set(&ctx->fault, "/route_id",
		    "A tour of this route is under way (started %s).",
		    running.started_at);
		err = CH_ERR_CONFLICT;
		goto fail;
	}
	if (err != CH_ERR_NOT_FOUND)
		goto fail;
	ch_id_new(out->id);
	ch_strlcpy(out->route_id, route_id, sizeof(out->route_id));
	out->route_name = route.name;
	ch_strlcpy(out->post_id, route.post_id, sizeof(out->post_id));
	out->started_by = (char *)ch_ctx_actor(ctx);
	ch_time_format(ch_clock_now(), out->started_at);
	out->status = "running";
	out->next_seq = 1;
	out->version = 1;
	if ((err = ch_store_tour_insert(tx, out)) != CH_OK ||
	    (err = audit_tour(ctx, tx, "tour.start", out, NULL)) != CH_OK)
		goto fail;
	if ((err = ch_store_commit(tx)) != CH_OK)
		return err;
	publish("tour.started", "tour", out->id, out->post_id);
	return CH_OK;
fail:
	ch_store_rollback(tx);
	return err;
}

ch_err
ch_tours_scan(struct ch_ctx *ctx, const char *post_id, const char *code,
    const char *source, struct ch_tour *out)
{
	struct ch_tour_route route;
	struct ch_tour_checkpoint cp;
	struct ch_alarm alarm;
	struct ch_tx *tx = NULL;
	char route_id[CH_ID_LEN], now_text[CH_TIMESTAMP_LEN], extra[256];
	int64_t now = ch_clock_now(), started = 0;
	bool in_order, on_time, raised = false;
	int64_t expected;
	ch_err err;

	memset(out, 0, sizeof(*out));
	memset(&alarm, 0, sizeof(alarm));
	if (!code_ok(code)) {
		ch_fault_set(&ctx->fault, "/code",
		    "Send the code the tag or QR code holds.");
		return CH_ERR_INVALID;
	}
	if (post_id == NULL || !ch_id_valid(post_id))
		return CH_ERR_NOT_FOUND;
	if ((err = ch_store_begin(ctx->store, true, &tx)) != CH_OK)
		return err;
	err = ch_store_checkpoint_by_code(
	    tx, post_id, code, ctx->arena, &cp, route_id);
	if (err == CH_ERR_NOT_FOUND) {
		ch_fault_set(&ctx->fault, "/code",
		    "No checkpoint of this post has that code.");
		err = CH_ERR_INVALID;
	}
	if (err != CH_OK)
		goto fail;
	if ((err = ch_store_tour_route_get(tx, route_id, ctx->arena, &route)) !=
	    CH_OK)
		goto fail;
	err = ch_store_tour_running(tx, route_id, ctx->arena, out);
	if (err == CH_ERR_NOT_FOUND) {
		ch_fault_set(&ctx->fault, "/code",
		    "No tour of the route \"%s\" is under way: start one "
		    "first.",
		    route.name);
		err = CH_ERR_CONFLICT;
	}
	if (err != CH_OK)
		goto fail;
	expected = out->version;
	ch_time_format(now, now_text);
	ch_time_parse(out->started_at, &started);
	in_order = cp.seq == out->next_seq;
	on_time = in_order && now <= started + (int64_t)cp.due_minutes * 60;
	/* Skipped checkpoints are missed. */
	for (int s = out->next_seq; s < cp.seq; s++) {
		const struct ch_tour_checkpoint *k = &route.checkpoints[s - 1];

		if ((err = ch_store_tour_scan_insert(tx, out->id, k->id, k->seq,
			 NULL, true, false, false, source)) != CH_OK)
			goto fail;
	}
	if ((err = ch_store_tour_scan_insert(tx, out->id, cp.id, cp.seq,
		 now_text, false, on_time, in_order, source)) != CH_OK)
		goto fail;
	if (!in_order) {
		char detail[300];

		snprintf(detail, sizeof(detail),
		    "Tour \"%s\": checkpoint %d (%s) scanned when %d was "
		    "due.",
		    route.name, cp.seq, cp.name, out->next_seq);
		if ((err = ch_alarms_raise_in_tx(ctx, tx,
			 CH_ALARM_TOUR_OUT_OF_ORDER, out->post_id, detail,
			 &alarm)) != CH_OK)
			goto fail;
		raised = true;
	}
	if (cp.seq >= out->next_seq)
		out->next_seq = cp.seq + 1;
	if (out->next_seq > (int)route.ncheckpoints) {
		out->status = "completed";
		memcpy(out->finished_at, now_text, sizeof(out->finished_at));
	}
	snprintf(extra, sizeof(extra),
	    "checkpoint=%d\ncode=%s\nin_order=%d\non_time=%d\nsource=%s\n",
	    cp.seq, cp.code, in_order, on_time, source ? source : "");
	if ((err = ch_store_tour_update(tx, out, expected)) != CH_OK ||
	    (err = audit_tour(ctx, tx, "tour.scan", out, extra)) != CH_OK)
		goto fail;
	if ((err = ch_store_commit(tx)) != CH_OK)
		return err;
	publish("tour.scanned", "tour", out->id, out->post_id);
	if (raised)
		ch_alarms_published(&alarm);
	return CH_OK;
fail:
	ch_store_rollback(tx);
	return err;
}

ch_err
ch_tours_list(struct ch_ctx *ctx, const char *post_id, struct ch_tour **out,
    size_t *count)
{
	struct ch_tx *tx = NULL;
	const char *post;
	ch_err err;

	if ((err = list_post(ctx, post_id, &post)) != CH_OK)
		return err;
	if ((err = ch_store_begin(ctx->store, false, &tx)) != CH_OK)
		return err;
	err = ch_store_tour_list(tx, post, ctx->arena, out, count);
	ch_store_rollback(tx);
	return err;
}

/* Sweep one tour: mark missed what is overdue, in one transaction. */
static ch_err
sweep_one(
    struct ch_ctx *ctx, const struct ch_tour *found, int64_t now, size_t *count)
{
	struct ch_tour_route route;
	struct ch_tour t;
	struct ch_alarm alarms[8];
	struct ch_tx *tx = NULL;
	char now_text[CH_TIMESTAMP_LEN];
	int64_t started = 0, expected;
	size_t nalarms = 0;
	ch_err err;

	if ((err = ch_store_begin(ctx->store, true, &tx)) != CH_OK)
		return err;
	if ((err = ch_store_tour_get(tx, found->id, ctx->arena, &t)) != CH_OK ||
	    (err = ch_store_tour_route_get(
		 tx, t.route_id, ctx->arena, &route)) != CH_OK)
		goto fail;
	if (strcmp(t.status, "running") != 0 ||
	    !ch_time_parse(t.started_at, &started)) {
		ch_store_rollback(tx);
		return CH_OK;
	}
	expected = t.version;
	ch_time_format(now, now_text);
	while (t.next_seq <= (int)route.ncheckpoints && nalarms < 8) {
		const struct ch_tour_checkpoint *k =
		    &route.checkpoints[t.next_seq - 1];
		char detail[300];

		if (now <= started + (int64_t)k->due_minutes * 60)
			break;
		if ((err = ch_store_tour_scan_insert(tx, t.id, k->id, k->seq,
			 NULL, true, false, false, "sweep")) != CH_OK)
			goto fail;
		snprintf(detail, sizeof(detail),
		    "Tour \"%s\": checkpoint %d (%s) not scanned within %d "
		    "minutes of the start.",
		    route.name, k->seq, k->name, k->due_minutes);
		memset(&alarms[nalarms], 0, sizeof(alarms[nalarms]));
		if ((err = ch_alarms_raise_in_tx(ctx, tx, CH_ALARM_TOUR_MISSED,
			 t.post_id, detail, &alarms[nalarms])) != CH_OK)
			goto fail;
		nalarms++;
		t.next_seq++;
	}
	if (nalarms == 0) {
		ch_store_rollback(tx);
		return CH_OK;
	}
	if (t.next_seq > (int)route.ncheckpoints) {
		t.status = "completed";
		memcpy(t.finished_at, now_text, sizeof(t.finished_at));
	}
	err = ch_store_tour_update(tx, &t, expected);
	if (err == CH_ERR_PRECONDITION) {
		ch_store_rollback(tx); /* scanned meanwhile: next pass */
		return CH_OK;
	}
	if (err != CH_OK ||
	    (err = audit_tour(ctx, tx, "tour.miss", &t, NULL)) != CH_OK)
		goto fail;
	if ((err = ch_store_commit(tx)) != CH_OK)
		return err;
	for (size_t i = 0; i < nalarms; i++) {
		log_warn("%s", alarms[i].detail);
		ch_alarms_published(&alarms[i]);
	}
	*count += nalarms;
	return CH_OK;
fail:
	ch_store_rollback(tx);
	return err;
}

ch_err
ch_tours_sweep(struct ch_store *store, int64_t now, size_t *count)
{
	struct ch_ctx ctx;
	struct ch_tour *running = NULL;
	struct ch_tx *tx = NULL;
	size_t n = 0;
	ch_err err;

	*count = 0;
	memset(&ctx, 0, sizeof(ctx));
	ctx.store = store;
	ctx.request_id = "tour-sweep";
	ctx.source = "tour-sweep";
	if ((ctx.arena = ch_arena_create(0)) == NULL)
		return CH_ERR_NOMEM;
	if ((err = ch_store_begin(store, false, &tx)) != CH_OK)
		goto done;
	err = ch_store_tours_running(tx, ctx.arena, &running, &n);
	ch_store_rollback(tx);
	for (size_t i = 0; err == CH_OK && i < n; i++)
		err = sweep_one(&ctx, &running[i], now, count);
done:
	ch_arena_destroy(ctx.arena);
	return err;
}
