/*
 * backup.h — encrypted, compressed, consistent snapshots of a post's
 * database, and restoring them (docs/operators.md, "Backups").
 *
 * A backup reads every table in one snapshot transaction while the server
 * keeps serving, writes an engine-neutral stream (below), compresses it
 * with zlib and encrypts it with crypto_secretstream_xchacha20poly1305
 * under a key derived from the current data key (core/vault.h) and a
 * random salt.  Sealed fields stay sealed inside: a backup is useless
 * without the key file.
 *
 * The file:   "CHANCERY-BACKUP\n" | version (1 byte, 1) | data key id
 *             (8 hex digits) | salt (16) | secretstream header (24), then
 *             chunks: ciphertext length (u32, big-endian) | ciphertext,
 *             the last one tagged FINAL.  Each chunk's associated data is
 *             the 41 bytes before the secretstream header.
 * The stream: "CHBK" | u32 version 1 | str engine | u64 schema version |
 *             str created (ISO 8601) | u32 table count, then per table:
 *             str name | u32 ncols | ncols x str column | u64 nrows |
 *             nrows x ncols cells, then the trailer: str "end" | u64 total
 *             rows | u64 audit records | 32 bytes RFC 9162 root of the
 *             audit log's leaves.
 *             A str or a cell is u32 length | bytes | NUL; a NULL cell is
 *             length 0xFFFFFFFF and nothing else.  Integers big-endian.
 *
 * Restoring verifies everything before it writes anything: every chunk's
 * tag, the stream's structure and counts, each audit record's leaf hash
 * (ch_audit_leaf_hash), the audit root, and that every sealed value opens
 * with the key file at hand.  Then it fills the target in one transaction
 * and checks the row counts before committing.
 */
#ifndef CH_CORE_BACKUP_H
#define CH_CORE_BACKUP_H

#include "core/core.h"

struct ch_store;

/* The most a backup's stream may hold once decompressed: the input limit. */
#define CH_BACKUP_PLAIN_MAX ((size_t)1 << 30)

struct ch_backup_table {
	const char *name;
	size_t ncols;
	const char **columns;
	size_t nrows;
	const char **cells; /* nrows * ncols, NULL for SQL NULL */
};

struct ch_backup {
	const char *engine;
	const char *created;
	int64_t schema;
	size_t ntables;
	struct ch_backup_table *tables;
	uint64_t total_rows;
	uint64_t audit_size;
	unsigned char audit_root[32];
};

struct ch_backup_summary {
	char key_id[9];
	size_t tables;
	uint64_t rows;
	uint64_t audit_size;
	char audit_root[65];
	size_t stream_bytes; /* before compression */
	size_t file_bytes;
};

/* Write a backup of store to path (replaced atomically, mode 0600). */
ch_err ch_backup_write(struct ch_store *store, const char *path,
    struct ch_backup_summary *sum, struct ch_fault *f);
/*
 * Verify the backup at path, then restore it into store, which must be
 * empty unless force (then its rows are replaced).  Nothing is written
 * unless the whole file verifies.  f says what was wrong.
 */
ch_err ch_backup_restore(struct ch_store *store, const char *path, bool force,
    struct ch_backup_summary *sum, struct ch_fault *f);
/* Verify the backup at path without restoring it. */
ch_err ch_backup_check(
    const char *path, struct ch_backup_summary *sum, struct ch_fault *f);

/* The steps, for tests and the fuzz driver. */
/* Check the tags of a whole backup file and decompress it into plain. */
ch_err ch_backup_unseal(const unsigned char *file, size_t len,
    struct ch_buf *plain, char key_id[9], struct ch_fault *f);
/* Parse a stream; b points into data (which must outlive it) and a. */
ch_err ch_backup_parse(const unsigned char *data, size_t len, ch_arena *a,
    struct ch_backup *b, struct ch_fault *f);
/* Counts, audit leaves and root of a parsed backup. */
ch_err ch_backup_verify(const struct ch_backup *b, struct ch_fault *f);

#endif /* CH_CORE_BACKUP_H */
