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
/* Record a read of a sensitive record, in a transaction of its own (a read
 * changes nothing else, so there is no other transaction to join). */
ch_err ch_audit_read(const struct ch_ctx *ctx, const char *action,
    const char *object_type, const char *object_id, const char *post_id);
/* The canonical entry text of a record, into buf (which it resets). */
ch_err ch_audit_entry_text(const struct ch_audit_record *r, struct ch_buf *buf);
/* The RFC 9162 leaf hash of a record, as lower-case hex. */
ch_err ch_audit_leaf_hash(const struct ch_audit_record *r, char out[65]);

#endif /* CH_CORE_AUDIT_H */
