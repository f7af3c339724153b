/*
 * audit.c — appending audit records.  The entry text is one line per field
 * in a fixed order, each "name=value" with '%' and newlines percent-escaped,
 * so that the same record always hashes to the same leaf on any engine.
 */
#include <sodium.h>
#include <stdlib.h>
#include <string.h>

#include "core/audit.h"

static ch_err
put_field(struct ch_buf *b, const char *name, const char *value)
{
	ch_err err;

	if ((err = ch_buf_append(b, name, strlen(name))) != CH_OK ||
	    (err = ch_buf_append(b, "=", 1)) != CH_OK)
		return err;
	/* Plain runs in one piece; '%', CR and LF percent-escaped. */
	for (const char *p = value ? value : ""; err == CH_OK && *p;) {
		size_t run = strcspn(p, "%\r\n");

		if (run > 0) {
			err = ch_buf_append(b, p, run);
			p += run;
		} else {
			err = ch_buf_appendf(b, "%%%02X", (unsigned char)*p);
			p++;
		}
	}
	return err == CH_OK ? ch_buf_append(b, "\n", 1) : err;
}

ch_err
ch_audit_entry_text(const struct ch_audit_record *r, struct ch_buf *b)
{
	char seq[24];
	ch_err err;

	ch_buf_reset(b);
	snprintf(seq, sizeof(seq), "%lld", (long long)r->seq);
	if ((err = put_field(b, "seq", seq)) != CH_OK ||
	    (err = put_field(b, "time", r->time)) != CH_OK ||
	    (err = put_field(b, "actor", r->actor)) != CH_OK ||
	    (err = put_field(b, "post", r->post_id)) != CH_OK ||
	    (err = put_field(b, "action", r->action)) != CH_OK ||
	    (err = put_field(b, "object_type", r->object_type)) != CH_OK ||
	    (err = put_field(b, "object_id", r->object_id)) != CH_OK ||
	    (err = put_field(b, "request_id", r->request_id)) != CH_OK ||
	    (err = put_field(b, "source", r->source)) != CH_OK ||
	    (err = put_field(b, "state_hash", r->state_hash)) != CH_OK)
		return err;
	return CH_OK;
}

ch_err
ch_audit_leaf_hash(const struct ch_audit_record *r, char out[65])
{
	unsigned char digest[crypto_hash_sha256_BYTES];
	struct ch_buf b;
	ch_err err;

	ch_buf_init(&b, 64 * 1024);
	if ((err = ch_audit_entry_text(r, &b)) != CH_OK) {
		ch_buf_free(&b);
		return err;
	}
	ch_merkle_leaf(b.data ? b.data : "", b.len, digest); /* 0x00 || text */
	ch_hex(digest, sizeof(digest), out);
	ch_buf_free(&b);
	return CH_OK;
}

ch_err
ch_audit_append(
    struct ch_tx *tx, const struct ch_ctx *ctx, const struct ch_audit_entry *e)
{
	unsigned char digest[crypto_hash_sha256_BYTES];
	struct ch_audit_record r;
	ch_err err;

	memset(&r, 0, sizeof(r));
	if ((err = ch_store_audit_next_seq(tx, &r.seq)) != CH_OK)
		return err;
	ch_time_format(ch_clock_now(), r.time);
	r.actor = ch_ctx_actor(ctx);
	r.post_id = e->post_id;
	r.action = e->action;
	r.object_type = e->object_type;
	r.object_id = e->object_id;
	r.request_id = ctx->request_id;
	r.source = ctx->source;
	if (e->state != NULL) {
		ch_sha256(e->state, e->state_len, digest);
		ch_hex(digest, sizeof(digest), r.state_hash);
	}
	if ((err = ch_audit_leaf_hash(&r, r.leaf_hash)) != CH_OK)
		return err;
	return ch_store_audit_insert(tx, &r);
}

ch_err
ch_audit_append_many(struct ch_tx *tx, const struct ch_ctx *const *ctxs,
    const struct ch_audit_entry *e, size_t n)
{
	unsigned char digest[crypto_hash_sha256_BYTES];
	struct ch_audit_record *r;
	char now[CH_TIMESTAMP_LEN];
	int64_t first;
	ch_err err;

	if (n == 0)
		return CH_OK;
	if ((r = calloc(n, sizeof(*r))) == NULL)
		return CH_ERR_NOMEM;
	if ((err = ch_store_audit_reserve(tx, n, &first)) != CH_OK)
		goto done;
	ch_time_format(ch_clock_now(), now);
	for (size_t i = 0; i < n; i++) {
		r[i].seq = first + (int64_t)i;
		memcpy(r[i].time, now, sizeof(now));
		r[i].actor = ch_ctx_actor(ctxs[i]);
		r[i].post_id = e[i].post_id;
		r[i].action = e[i].action;
		r[i].object_type = e[i].object_type;
		r[i].object_id = e[i].object_id;
		r[i].request_id = ctxs[i]->request_id;
		r[i].source = ctxs[i]->source;
		if (e[i].state != NULL) {
			ch_sha256(e[i].state, e[i].state_len, digest);
			ch_hex(digest, sizeof(digest), r[i].state_hash);
		}
		if ((err = ch_audit_leaf_hash(&r[i], r[i].leaf_hash)) != CH_OK)
			goto done;
	}
	err = ch_store_audit_insert_many(tx, r, n);
done:
	free(r);
	return err;
}

ch_err
ch_audit_timeline(struct ch_tx *tx, const char *object_id, size_t max,
    ch_arena *arena, struct ch_timeline_entry **out, size_t *count)
{
	struct ch_audit_record *records = NULL;
	struct ch_timeline_entry *t;
	size_t n = 0;
	ch_err err;

	if ((err = ch_store_audit_by_object(
		 tx, object_id, max, arena, &records, &n)) != CH_OK)
		return err;
	if ((t = ch_arena_alloc(arena, sizeof(*t) * (n + 1))) == NULL)
		return CH_ERR_NOMEM;
	for (size_t i = 0; i < n; i++) {
		memcpy(t[i].time, records[i].time, sizeof(t[i].time));
		t[i].action = records[i].action;
		t[i].actor = records[i].actor;
	}
	*out = t;
	*count = n;
	return CH_OK;
}

ch_err
ch_audit_read(const struct ch_ctx *ctx, const char *action,
    const char *object_type, const char *object_id, const char *post_id)
{
	struct ch_audit_entry e = {
	    action, object_type, object_id, post_id, NULL, 0};
	struct ch_tx *tx = NULL;
	ch_err err;

	if ((err = ch_store_begin(ctx->store, true, &tx)) != CH_OK)
		return err;
	if ((err = ch_audit_append(tx, ctx, &e)) != CH_OK) {
		ch_store_rollback(tx);
		return err;
	}
	return ch_store_commit(tx);
}
