/*
 * h_audit.c — the audit log over HTTP (permission audit.read): the latest
 * signed checkpoint (as the C2SP signed note in text/plain, or JSON),
 * records by range, inclusion and consistency proofs.  Hashes in proofs
 * and roots are standard base64, as in checkpoints; a record's leaf_hash
 * and state_hash are hex, as stored.  Every answer is itself recorded in
 * the audit log (action audit.read) by the server after it succeeds.
 */
#include <string.h>

#include "core/audit.h"
#include "http/http.h"

#define RECORDS_DEFAULT 100
#define RECORDS_MAX 1000

static json_t *
b64(const unsigned char h[32])
{
	char text[64];

	ch_base64_encode(h, 32, text, sizeof(text));
	return json_string(text);
}

/* An optional whole-number query parameter in [min, max]; false after
 * answering 400 when it is there but not such a number. */
static bool
query_number(
    struct ch_req *req, const char *name, long min, long max, long *out)
{
	const char *s = ch_req_query(req, name);
	char detail[160];

	if (s == NULL || *s == '\0')
		return true;
	if (ch_parse_long(s, min, max, out))
		return true;
	snprintf(detail, sizeof(detail),
	    "%s must be a whole number from %ld to %ld.", name, min, max);
	ch_reply_problem(req, "bad-query", detail, name);
	return false;
}

static bool
required(struct ch_req *req, const char *name)
{
	const char *s = ch_req_query(req, name);
	char detail[96];

	if (s != NULL && *s != '\0')
		return true;
	snprintf(detail, sizeof(detail), "Give %s.", name);
	ch_reply_problem(req, "bad-query", detail, name);
	return false;
}

/* A use case's refusal of the sizes asked for is a bad query too. */
static void
reply_error(struct ch_req *req, ch_err err)
{
	const struct ch_fault *f = &req->ctx.fault;

	if (err == CH_ERR_INVALID && f->detail[0] != '\0')
		ch_reply_problem(req, "bad-query", f->detail, f->field);
	else
		ch_reply_error(req, err);
}

static bool
wants_text(struct ch_req *req)
{
	const char *accept = ch_req_header(req, "Accept");

	/* Text when asked for text and JSON is not admitted at all. */
	return accept != NULL && strstr(accept, "text/") != NULL &&
	    strstr(accept, "json") == NULL && strstr(accept, "*/*") == NULL &&
	    strstr(accept, "application/*") == NULL;
}

void
ch_h_audit_checkpoint(struct ch_req *req)
{
	struct ch_audit_checkpoint_row row;
	struct ch_checkpoint cp;
	const char *split;
	ch_err err;

	if ((err = ch_audit_latest(&req->ctx, &row)) != CH_OK) {
		ch_reply_error(req, err);
		return;
	}
	req->audit_object_id =
	    ch_arena_printf(req->arena, "checkpoint/%lld", (long long)row.size);
	if (wants_text(req)) {
		req->status = 200;
		req->reply_text = row.note;
		req->reply_len = strlen(row.note);
		req->reply_type = "text/plain; charset=utf-8";
		return;
	}
	split = strstr(row.note, "\n\n");
	if (split == NULL ||
	    !ch_checkpoint_parse(
		row.note, (size_t)(split + 1 - row.note), &cp)) {
		log_error("the stored checkpoint at size %lld is damaged: run "
			  "`chancery audit verify`",
		    (long long)row.size);
		ch_reply_error(req, CH_ERR_INTERNAL);
		return;
	}
	ch_reply_json(req, 200,
	    json_pack("{s:s, s:I, s:o, s:s, s:s}", "origin", cp.origin, "size",
		(json_int_t)cp.size, "root_hash", b64(cp.root), "created_at",
		row.created_at, "note", row.note));
}

static json_t *
record_json(const struct ch_audit_record *r, bool redacted)
{
	json_t *o = json_pack("{s:I, s:s, s:b}", "seq", (json_int_t)r->seq,
	    "leaf_hash", r->leaf_hash, "redacted", redacted);

	if (o == NULL || redacted)
		return o;
	json_object_set_new(o, "time", json_string(r->time));
	json_object_set_new(o, "actor", ch_json_str_or_null(r->actor));
	json_object_set_new(o, "post_id", ch_json_str_or_null(r->post_id));
	json_object_set_new(o, "action", ch_json_str_or_null(r->action));
	json_object_set_new(
	    o, "object_type", ch_json_str_or_null(r->object_type));
	json_object_set_new(o, "object_id", ch_json_str_or_null(r->object_id));
	json_object_set_new(
	    o, "request_id", ch_json_str_or_null(r->request_id));
	json_object_set_new(o, "source", ch_json_str_or_null(r->source));
	json_object_set_new(
	    o, "state_hash", ch_json_str_or_null(r->state_hash));
	return o;
}

void
ch_h_audit_records(struct ch_req *req)
{
	struct ch_audit_record *recs;
	bool *redacted;
	long from = 1, limit = RECORDS_DEFAULT;
	size_t n;
	json_t *items;
	ch_err err;

	if (!query_number(req, "from", 1, INT64_MAX - RECORDS_MAX, &from) ||
	    !query_number(req, "limit", 1, RECORDS_MAX, &limit))
		return;
	err = ch_audit_records(
	    &req->ctx, from, (size_t)limit, &recs, &redacted, &n);
	if (err != CH_OK) {
		reply_error(req, err);
		return;
	}
	items = json_array();
	for (size_t i = 0; i < n; i++)
		json_array_append_new(
		    items, record_json(&recs[i], redacted[i]));
	req->audit_object_id = ch_arena_printf(req->arena, "records/%ld-%lld",
	    from, (long long)(n > 0 ? recs[n - 1].seq : from - 1));
	ch_reply_json(req, 200,
	    json_pack("{s:o, s:o}", "items", items, "next_from",
		n == (size_t)limit
		    ? json_integer((json_int_t)from + (json_int_t)limit)
		    : json_null()));
}

static json_t *
proof_json(const struct ch_audit_proof *p)
{
	json_t *list = json_array();

	for (size_t i = 0; i < p->len; i++)
		json_array_append_new(list, b64(p->hashes[i]));
	return list;
}

void
ch_h_audit_inclusion(struct ch_req *req)
{
	struct ch_audit_proof p;
	long index = 0, size = 0;
	ch_err err;

	if (!required(req, "index") ||
	    !query_number(req, "index", 0, INT64_MAX - 1, &index) ||
	    !query_number(req, "size", 1, INT64_MAX, &size))
		return;
	if ((err = ch_audit_inclusion(&req->ctx, index, size, &p)) != CH_OK) {
		reply_error(req, err);
		return;
	}
	req->audit_object_id = ch_arena_printf(req->arena,
	    "inclusion/%lld@%lld", (long long)p.first, (long long)p.size);
	ch_reply_json(req, 200,
	    json_pack("{s:I, s:I, s:o, s:o, s:o}", "index", (json_int_t)p.first,
		"size", (json_int_t)p.size, "leaf_hash", b64(p.leaf),
		"root_hash", b64(p.root), "proof", proof_json(&p)));
}

void
ch_h_audit_consistency(struct ch_req *req)
{
	struct ch_audit_proof p;
	long from = 0, to = 0;
	ch_err err;

	if (!required(req, "from") ||
	    !query_number(req, "from", 1, INT64_MAX, &from) ||
	    !query_number(req, "to", 1, INT64_MAX, &to))
		return;
	if ((err = ch_audit_consistency(&req->ctx, from, to, &p)) != CH_OK) {
		reply_error(req, err);
		return;
	}
	req->audit_object_id = ch_arena_printf(req->arena,
	    "consistency/%lld-%lld", (long long)p.first, (long long)p.size);
	ch_reply_json(req, 200,
	    json_pack("{s:I, s:I, s:o, s:o, s:o}", "from", (json_int_t)p.first,
		"to", (json_int_t)p.size, "from_root", b64(p.root1), "to_root",
		b64(p.root), "proof", proof_json(&p)));
}
