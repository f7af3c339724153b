/*
 * audit.h — the audit log.  Every use case that changes state calls
 * ch_audit_append() inside its transaction, so the record commits or rolls
 * back with the change.  Each record is a leaf of an RFC 9162 Merkle tree:
 * leaf hash = SHA-256(0x00 || entry), where entry is the canonical text of
 * the record (docs/audit.md).  Checkpoints and proofs build on these
 * leaves.
 */
#ifndef CH_CORE_AUDIT_H
#define CH_CORE_AUDIT_H

#include "core/context.h"
#include "core/merkle.h"
#include "core/note.h"
#include "store/store.h"

struct ch_audit_entry {
	const char *action;      /* e.g. "person.create" */
	const char *object_type; /* e.g. "person" */
	const char *object_id;
	const char *post_id; /* may be NULL */
	const void *state;   /* the object's new state, canonical bytes */
	size_t state_len;
};

ch_err ch_audit_append(
    struct ch_tx *tx, const struct ch_ctx *ctx, const struct ch_audit_entry *e);
/* Append n records in this order, numbered together with one update of
 * the head and inserted with multi-row statements: the records that n
 * calls of ch_audit_append would make.  ctxs[i] acts in e[i]. */
ch_err ch_audit_append_many(struct ch_tx *tx, const struct ch_ctx *const *ctxs,
    const struct ch_audit_entry *e, size_t n);
/* Record a read of a sensitive record, in a transaction of its own (a read
 * changes nothing else, so there is no other transaction to join). */
/* What happened to a record, as its detail shows it: the audit records
 * about it, oldest first. */
struct ch_timeline_entry {
	char time[CH_TIMESTAMP_LEN];
	const char *action;
	const char *actor;
};
/* The first max entries of object_id's timeline, in arena (*out is never
 * NULL on success). */
ch_err ch_audit_timeline(struct ch_tx *tx, const char *object_id, size_t max,
    ch_arena *arena, struct ch_timeline_entry **out, size_t *count);
ch_err ch_audit_read(const struct ch_ctx *ctx, const char *action,
    const char *object_type, const char *object_id, const char *post_id);
/* The canonical entry text of a record, into buf (which it resets). */
ch_err ch_audit_entry_text(const struct ch_audit_record *r, struct ch_buf *buf);
/* The RFC 9162 leaf hash of a record, as lower-case hex. */
ch_err ch_audit_leaf_hash(const struct ch_audit_record *r, char out[65]);

/* ---- audit_tree.c: the tree over the store, checkpoints, proofs ---- */
/*
 * A Merkle source reading the tree inside tx: leaf hashes from audit_log,
 * cached subtrees (levels 4, 8, 12, ...) from audit_nodes, anything else
 * folded from at most 8 of those (or recomputed from below where the
 * cache does not reach yet).  *src is valid while tx is.
 */
struct ch_audit_tree {
	struct ch_tx *tx;
	struct ch_merkle_source src;
};
void ch_audit_tree_init(struct ch_audit_tree *t, struct ch_tx *tx);

/*
 * Sign a checkpoint of every committed record not yet covered, with key
 * (whose name is the log's origin).  The tree is extended in a read
 * transaction; the write transaction that stores the new subtree hashes
 * and the note is short.  *size gets the size now covered (unchanged
 * when nothing was new).  CH_ERR_CONFLICT when another process
 * checkpointed at the same time.  With last_path (the file beside the key,
 * ch_audit_last_path; NULL: none), the signer first checks the database
 * against the last checkpoint it signed — its checkpoints reach it, and
 * the tree has its root at its size — and refuses (CH_ERR_CRYPTO, and
 * says why in the log) when they do not: it never signs a history that
 * was rewritten under its last signature.  After each checkpoint the new
 * note replaces the file.
 */
ch_err ch_audit_checkpoint(struct ch_store *store,
    const struct ch_note_signer *key, const char *last_path, int64_t *size);
/*
 * After a restore: when the database does not hold the history of the
 * checkpoint kept at last_path (the backup is older than it, or came from
 * elsewhere), move that file aside to last_path.before-restore-TIME (its
 * name in kept; "" when nothing was moved), so that the signer goes on
 * from the restored history and the evidence of the one it replaced
 * stays.  Only the restore may do this: anywhere else such a database is
 * a rewrite, and ch_audit_checkpoint refuses it.
 */
ch_err ch_audit_last_set_aside(struct ch_store *store,
    const struct ch_note_signer *key, const char *last_path, char *kept,
    size_t kept_size);
/* Whether DIR holds an audit signing key (DIR/keys/audit.key). */
bool ch_audit_key_present(const char *dir);

/* A background thread that checkpoints every every_records records or
 * every_seconds seconds, whichever comes first. */
struct ch_audit_checkpointer;
ch_err ch_audit_checkpointer_start(struct ch_store *store,
    const struct ch_note_signer *key, const char *last_path,
    int64_t every_records, int64_t every_seconds,
    struct ch_audit_checkpointer **out);
/* Stop the thread after a last checkpoint; accepts NULL. */
void ch_audit_checkpointer_stop(struct ch_audit_checkpointer *c);

/* ---- the audit-reading use cases (permission audit.read) ---- */
struct ch_audit_proof {
	int64_t first; /* inclusion: the leaf index; consistency: from */
	int64_t size;  /* the (second) tree size */
	unsigned char leaf[32];  /* inclusion: the leaf hash */
	unsigned char root1[32]; /* consistency: root of the first tree */
	unsigned char root[32];  /* root of the tree of size */
	unsigned char hashes[CH_MERKLE_MAX_PROOF][32];
	size_t len;
};
/* The latest signed checkpoint (CH_ERR_NOT_FOUND before the first). */
ch_err ch_audit_latest(struct ch_ctx *ctx, struct ch_audit_checkpoint_row *out);
/* Records [from, from + limit), limit 1..1000; records of posts the
 * reader may not see keep only seq and leaf_hash (*redacted set). */
ch_err ch_audit_records(struct ch_ctx *ctx, int64_t from, size_t limit,
    struct ch_audit_record **out, bool **redacted, size_t *count);
/* The inclusion proof of leaf index in the tree of size (0: the latest
 * checkpoint's). */
ch_err ch_audit_inclusion(struct ch_ctx *ctx, int64_t index, int64_t size,
    struct ch_audit_proof *out);
/* The consistency proof from tree size from to to (0: latest checkpoint). */
ch_err ch_audit_consistency(
    struct ch_ctx *ctx, int64_t from, int64_t to, struct ch_audit_proof *out);

/* ---- audit_verify.c: `chancery audit verify` ---- */
struct ch_audit_verify_report {
	bool ok;
	int64_t records;     /* records whose leaves recomputed */
	int64_t checkpoints; /* checkpoints verified */
	int64_t covered;     /* size of the last verified checkpoint */
	int64_t first_bad;   /* the first bad record's seq, 0 if none */
	char problem[512];   /* the first problem, in words */
};
/*
 * Verify the whole log inside tx, offline: every record's leaf from its
 * content, the sequence without gaps, every checkpoint's signature by key,
 * its origin and root against the records, its consistency with the one
 * before, and that no checkpoint covers more records than are left.
 * Returns CH_OK when the check ran (rep->ok says whether the log
 * verified), an error when the store failed.
 */
ch_err ch_audit_verify(struct ch_tx *tx, const struct ch_note_verifier *key,
    const struct ch_checkpoint *trusted, struct ch_audit_verify_report *rep);
/*
 * A checkpoint kept outside the database (trusted, or NULL) is checked
 * too: the log must reach its size with the same root there, and the
 * database's checkpoints must reach it.  Without one, whoever can write
 * the database could delete its checkpoints and rewrite what they
 * covered.  The signer keeps its last one in DIR/keys/audit.last
 * (ch_audit_last_path); HQ or an auditor may keep another.
 */

/* The file beside the key where the signer keeps its last checkpoint. */
void ch_audit_last_path(const char *dir, char *out, size_t size);
/* Read a checkpoint note from path, signed by key: CH_ERR_NOT_FOUND when
 * there is no such file, CH_ERR_CRYPTO when it does not verify. */
ch_err ch_audit_last_load(const char *path, const struct ch_note_verifier *key,
    struct ch_checkpoint *out);

/* ---- audit_key.c: the post's signing key, DIR/keys/audit.{key,pub} ---- */
/* Make DIR/keys (0700), audit.key (0600) and audit.pub for origin, unless
 * audit.key exists; *made says whether it did. */
ch_err ch_audit_key_create(const char *dir, const char *origin, bool *made);
/* Load DIR/keys/audit.key into guarded, read-only memory. */
ch_err ch_audit_key_load(const char *dir, struct ch_note_signer **out);
/* Read a verifier key file (audit.pub). */
ch_err ch_audit_pub_load(const char *path, struct ch_note_verifier *out);

#endif /* CH_CORE_AUDIT_H */
