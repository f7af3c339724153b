/*
 * audit_verify.c — checking the whole audit log, offline, with nothing
 * but the records, the checkpoints and the post's public key.
 *
 * One pass in seq order: every record must be there (no gap), and its
 * leaf must recompute from its content.  The leaves go into a frontier;
 * each perfect subtree it completes at a cached level is compared with
 * audit_nodes (which localises a rewritten record to 16 leaves), and at
 * each checkpoint's size the frontier's root must equal the root in the
 * checkpoint's note, whose signature, origin and size are checked first;
 * a consistency proof from the checkpoint before, built from the store's
 * tree as the API would serve it, must verify between the two.  Then no
 * checkpoint may claim more records than are left.  The first problem,
 * in log order, is reported in words; the pass stops there.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "core/audit.h"

#define CHUNK 1000
#define CHECKPOINT_PAGE 256

struct verify {
	struct ch_tx *tx;
	const struct ch_note_verifier *key;
	struct ch_audit_verify_report *rep;
	struct ch_audit_tree tree;
	struct ch_merkle_frontier f;
	int64_t prev_size; /* the last checkpoint verified */
	unsigned char prev_root[32];
	ch_arena *cps_arena;
	struct ch_audit_checkpoint_row *cps;
	size_t ncps, next_cp;
	int64_t cps_after;
	bool cps_done;
};

static void problem(struct verify *v, int64_t bad, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void
problem(struct verify *v, int64_t bad, const char *fmt, ...)
{
	va_list ap;

	v->rep->ok = false;
	v->rep->first_bad = bad;
	va_start(ap, fmt);
	vsnprintf(v->rep->problem, sizeof(v->rep->problem), fmt, ap);
	va_end(ap);
}

/* The next checkpoint by size, or NULL after the last; pages through. */
static ch_err
next_checkpoint(struct verify *v, struct ch_audit_checkpoint_row **out)
{
	ch_err err;

	*out = NULL;
	if (v->next_cp < v->ncps) {
		*out = &v->cps[v->next_cp];
		return CH_OK;
	}
	if (v->cps_done)
		return CH_OK;
	ch_arena_destroy(v->cps_arena);
	v->cps_arena = ch_arena_create(0);
	if (v->cps_arena == NULL)
		return CH_ERR_NOMEM;
	err = ch_store_audit_checkpoint_list(v->tx, v->cps_after,
	    CHECKPOINT_PAGE, v->cps_arena, &v->cps, &v->ncps);
	if (err != CH_OK)
		return err;
	v->next_cp = 0;
	if (v->ncps < CHECKPOINT_PAGE)
		v->cps_done = true;
	if (v->ncps == 0)
		return CH_OK;
	v->cps_after = v->cps[v->ncps - 1].size;
	*out = &v->cps[0];
	return CH_OK;
}

/* Check a checkpoint's note: signed by the key, for this log, its size.
 * Fills cp; false (with the problem set) when it fails. */
static bool
checkpoint_note_ok(struct verify *v, const struct ch_audit_checkpoint_row *row,
    struct ch_checkpoint *cp)
{
	const char *note = row->note ? row->note : "";
	size_t text_len;
	enum ch_note_status st;

	st = ch_note_open(note, strlen(note), v->key, &text_len);
	if (st == CH_NOTE_MALFORMED) {
		problem(v, 0,
		    "checkpoint at size %lld is not a well-formed "
		    "signed note",
		    (long long)row->size);
		return false;
	}
	if (st != CH_NOTE_VERIFIED) {
		problem(v, 0,
		    "checkpoint at size %lld is not signed by the post's key "
		    "(%s)",
		    (long long)row->size, ch_note_status_text(st));
		return false;
	}
	if (!ch_checkpoint_parse(note, text_len, cp)) {
		problem(v, 0,
		    "checkpoint at size %lld is signed but is not a "
		    "checkpoint",
		    (long long)row->size);
		return false;
	}
	if (strcmp(cp->origin, v->key->name) != 0) {
		problem(v, 0,
		    "checkpoint at size %lld is for the log \"%s\", not for "
		    "\"%s\"",
		    (long long)row->size, cp->origin, v->key->name);
		return false;
	}
	if ((int64_t)cp->size != row->size) {
		problem(v, 0,
		    "checkpoint stored at size %lld signs size %llu: the "
		    "checkpoint table was altered",
		    (long long)row->size, (unsigned long long)cp->size);
		return false;
	}
	return true;
}

/* At a checkpoint's size: its root against the records, and its
 * consistency with the one before. */
static ch_err
check_checkpoint(
    struct verify *v, const struct ch_audit_checkpoint_row *row, bool *ok)
{
	struct ch_checkpoint cp;
	unsigned char root[32], proof[CH_MERKLE_MAX_PROOF][32];
	size_t len;
	ch_err err;

	*ok = false;
	if (!checkpoint_note_ok(v, row, &cp))
		return CH_OK;
	ch_merkle_frontier_root(&v->f, root);
	if (memcmp(root, cp.root, 32) != 0) {
		problem(v, v->prev_size + 1,
		    "checkpoint at size %lld does not match records %lld-%lld: "
		    "one of them was changed, inserted or removed",
		    (long long)row->size, (long long)v->prev_size + 1,
		    (long long)row->size);
		return CH_OK;
	}
	if (v->prev_size > 0) {
		err = ch_merkle_consistency(&v->tree.src,
		    (uint64_t)v->prev_size, (uint64_t)row->size, proof, &len);
		if (err != CH_OK && err != CH_ERR_NOT_FOUND &&
		    err != CH_ERR_INTERNAL)
			return err;
		if (err != CH_OK ||
		    !ch_merkle_verify_consistency((uint64_t)v->prev_size,
			(uint64_t)row->size, v->prev_root, cp.root, proof[0],
			len)) {
			problem(v, 0,
			    "checkpoints at sizes %lld and %lld are not "
			    "consistent through the stored tree: the tree "
			    "cache (audit_nodes) was altered",
			    (long long)v->prev_size, (long long)row->size);
			return CH_OK;
		}
	}
	v->prev_size = row->size;
	memcpy(v->prev_root, cp.root, 32);
	v->rep->checkpoints++;
	v->rep->covered = row->size;
	*ok = true;
	return CH_OK;
}

struct node_check {
	struct verify *v;
	bool bad;
	int64_t bad_first, bad_last;
};

/* Each cached subtree the records complete must match audit_nodes. */
static ch_err
compare_node(
    void *arg, unsigned level, uint64_t index, const unsigned char h[32])
{
	struct node_check *c = arg;
	char stored[1][65], hex[65];
	ch_err err;

	if (level % 4 != 0 || c->bad)
		return CH_OK;
	err = ch_store_audit_hashes(c->v->tx, level, (int64_t)index, 1, stored);
	if (err != CH_OK)
		return err;
	ch_hex(h, 32, hex);
	if (stored[0][0] != '\0' && strcmp(stored[0], hex) != 0) {
		c->bad = true;
		c->bad_first = (int64_t)(index << level) + 1;
		c->bad_last = (int64_t)((index + 1) << level);
	}
	return CH_OK;
}

ch_err
ch_audit_verify(struct ch_tx *tx, const struct ch_note_verifier *key,
    const struct ch_checkpoint *trusted, struct ch_audit_verify_report *rep)
{
	struct verify v;
	struct ch_audit_checkpoint_row *cp;
	struct ch_audit_record *recs;
	struct node_check nc;
	unsigned char leaf[32];
	char again[65];
	int64_t last, head, seq = 0, rows, lowest;
	ch_arena *arena = NULL;
	size_t n;
	bool ok;
	ch_err err;

	memset(rep, 0, sizeof(*rep));
	memset(&v, 0, sizeof(v));
	v.tx = tx;
	v.key = key;
	v.rep = rep;
	ch_audit_tree_init(&v.tree, tx);
	ch_merkle_frontier_init(&v.f);
	memset(&nc, 0, sizeof(nc));
	nc.v = &v;
	rep->ok = true;
	if ((err = ch_store_audit_last_seq(tx, &last)) != CH_OK ||
	    (err = ch_store_audit_count(tx, &head)) != CH_OK ||
	    (err = next_checkpoint(&v, &cp)) != CH_OK)
		goto done;
	while (seq < last) {
		ch_arena_destroy(arena);
		if ((arena = ch_arena_create(0)) == NULL) {
			err = CH_ERR_NOMEM;
			goto done;
		}
		err =
		    ch_store_audit_range(tx, seq + 1, CHUNK, arena, &recs, &n);
		if (err != CH_OK)
			goto done;
		if (n == 0 || recs[0].seq != seq + 1) {
			problem(&v, seq + 1,
			    "record %lld is missing: the log jumps from "
			    "record %lld to %lld",
			    (long long)seq + 1, (long long)seq,
			    n > 0 ? (long long)recs[0].seq : (long long)last);
			goto done;
		}
		for (size_t i = 0; i < n; i++) {
			struct ch_audit_record *r = &recs[i];

			if (r->seq != seq + 1) {
				problem(&v, seq + 1,
				    "record %lld is missing: the log jumps "
				    "from record %lld to %lld",
				    (long long)seq + 1, (long long)seq,
				    (long long)r->seq);
				goto done;
			}
			seq = r->seq;
			if ((err = ch_audit_leaf_hash(r, again)) != CH_OK)
				goto done;
			if (strcmp(again, r->leaf_hash) != 0) {
				problem(&v, seq,
				    "record %lld: leaf hash does not match "
				    "its content",
				    (long long)seq);
				goto done;
			}
			if (r->misstored) {
				problem(&v, seq,
				    "record %lld is stored in a form the log "
				    "never writes (an empty value where it "
				    "writes none, or a value longer than its "
				    "field): it was altered where the hash "
				    "does not look",
				    (long long)seq);
				goto done;
			}
			ch_unhex(again, leaf, 32);
			err = ch_merkle_frontier_append(
			    &v.f, leaf, compare_node, &nc);
			if (err != CH_OK)
				goto done;
			rep->records++;
			if (trusted != NULL && (int64_t)trusted->size == seq) {
				unsigned char root[32];

				ch_merkle_frontier_root(&v.f, root);
				if (memcmp(root, trusted->root, 32) != 0) {
					problem(&v, seq,
					    "records 1-%lld do not have the "
					    "root of the checkpoint kept "
					    "outside the database: records it "
					    "covers were changed",
					    (long long)seq);
					goto done;
				}
			}
			if (nc.bad) {
				problem(&v, nc.bad_first,
				    "records %lld-%lld do not match the tree "
				    "hashes stored when they were "
				    "checkpointed: one of them was changed, "
				    "inserted or removed (or the tree cache "
				    "was altered)",
				    (long long)nc.bad_first,
				    (long long)nc.bad_last);
				goto done;
			}
			/* A checkpoint at this size? (Also skip any at a
			 * size of 0, which covers nothing.) */
			while (cp != NULL && cp->size <= seq) {
				if (cp->size == seq) {
					if ((err = check_checkpoint(
						 &v, cp, &ok)) != CH_OK)
						goto done;
					if (!ok)
						goto done;
				}
				v.next_cp++;
				if ((err = next_checkpoint(&v, &cp)) != CH_OK)
					goto done;
			}
		}
	}
	/* Checkpoints past the end: the tail was cut. */
	if (cp != NULL) {
		struct ch_checkpoint parsed;

		if (!checkpoint_note_ok(&v, cp, &parsed))
			goto done;
		problem(&v, last + 1,
		    "the log has %lld records but checkpoint %lld says %lld: "
		    "records were removed",
		    (long long)last, (long long)cp->size, (long long)cp->size);
		goto done;
	}
	if (trusted != NULL && (int64_t)trusted->size > last) {
		problem(&v, last + 1,
		    "the log has %lld records but the checkpoint kept outside "
		    "the database covers %lld: records were removed",
		    (long long)last, (long long)trusted->size);
		goto done;
	}
	if (trusted != NULL && rep->covered < (int64_t)trusted->size) {
		problem(&v, rep->covered + 1,
		    "the database's checkpoints stop at size %lld but the one "
		    "kept outside it is at %lld: checkpoints were removed",
		    (long long)rep->covered, (long long)trusted->size);
		goto done;
	}
	/* Records numbered outside 1..last (below 1 the walk above never
	 * reads them, yet the record pages list them first). */
	if ((err = ch_store_audit_rows(tx, &rows, &lowest)) != CH_OK)
		goto done;
	if (lowest < 1 || rows != last) {
		problem(&v, lowest < 1 ? lowest : last,
		    "the log holds %lld records numbered from %lld to %lld: "
		    "records were inserted outside its sequence",
		    (long long)rows, (long long)lowest, (long long)last);
		goto done;
	}
	if (head != last)
		problem(&v, last < head ? last + 1 : head + 1,
		    "the log has %lld records but its head counts %lld: "
		    "records were %s",
		    (long long)last, (long long)head,
		    last < head ? "removed" : "added behind its back");
done:
	ch_arena_destroy(arena);
	ch_arena_destroy(v.cps_arena);
	return err;
}
