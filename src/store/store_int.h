/*
 * store_int.h — shared by the files of src/store only: the transaction
 * handle and the timed query that every record function goes through.
 */
#ifndef CH_STORE_INT_H
#define CH_STORE_INT_H

#include "store/db.h"
#include "store/store.h"

ch_err ch_tx_query(struct ch_tx *tx, const char *sql,
    const struct ch_param *params, size_t nparams, struct ch_rows **out,
    int64_t *changes);

/* The engine of a transaction's store: "sqlite" or "postgresql". */
const char *ch_tx_engine(const struct ch_tx *tx);

/* Copy a cell into a fixed buffer ("" for NULL). */
void ch_cell_copy(
    const struct ch_rows *r, size_t row, size_t col, char *dst, size_t size);

/* Copy a cell into the arena (NULL for SQL NULL). */
char *ch_cell_dup(
    const struct ch_rows *r, size_t row, size_t col, ch_arena *arena);
/*
 * List cursors: the sort key and the id of the last row of a page, as hex
 * of "key\x1fid", so that a cursor is opaque and safe in a URL.  Decoding
 * refuses anything this encoder did not make (bad hex, NUL, no id, a key
 * longer than key_size).
 */
void ch_cursor_encode(const char *key, const char *id, char *out, size_t size);
bool ch_cursor_decode(
    const char *cursor, char *key, size_t key_size, char id[CH_ID_LEN]);
/*
 * Multi-row INSERTs: the rows of a batch go in statements of
 * CH_ROWS_CHUNKS rows (the largest that fits first), so that a few
 * statement texts serve every batch size and stay in the engine's cache.
 * ch_rows_sql writes head, then rows tuples of ncols parameters
 * ("($1, $2), ($3, $4)"), then tail.
 */
#define CH_ROWS_CHUNK_MAX 32
size_t ch_rows_chunk(size_t left);
ch_err ch_rows_sql(struct ch_buf *sql, const char *head, size_t rows,
    size_t ncols, const char *tail);
/*
 * A kind of record as a query returns it: its size, and how one row is
 * read into one (zeroed first by the reader, strings in the arena).
 * ch_tx_query_one reads the first row into out, CH_ERR_NOT_FOUND when
 * there is none; ch_tx_query_all reads every row into an array of the
 * arena (*out, *count; an array of one zeroed record when there are
 * none, never NULL on success).
 */
struct ch_row_kind {
	size_t size;
	void (*read)(
	    const struct ch_rows *r, size_t row, ch_arena *arena, void *out);
};
ch_err ch_tx_query_one(struct ch_tx *tx, const char *sql,
    const struct ch_param *params, size_t nparams,
    const struct ch_row_kind *kind, ch_arena *arena, void *out);
ch_err ch_tx_query_all(struct ch_tx *tx, const char *sql,
    const struct ch_param *params, size_t nparams,
    const struct ch_row_kind *kind, ch_arena *arena, void **out, size_t *count);
/* An empty string as SQL NULL, for optional text and dates. */
struct ch_param ch_param_opt(const char *s);

/* The columns of a session row, in the order ch_session_from_row reads. */
#define CH_SESSION_COLUMNS                                                     \
	"token_hash, user_id, csrf_token, created_at, last_seen, expires_at, " \
	"source, public_id, stage, reauth_at"
void ch_session_from_row(const struct ch_rows *r, size_t i, ch_arena *arena,
    struct ch_session_row *out);

/* The migrations, in order; migrations.c. */
/* A migration's SQL is portable (sql); where SQLite can store the same
 * tables better than the portable text says (a rowid alias, a table
 * without rowid), sqlite_sql is what it runs instead.  Either may be
 * NULL: nothing to do on that engine. */
struct ch_migration {
	int version;
	const char *name;
	const char *sql;
	const char *sqlite_sql;
};
extern const struct ch_migration ch_migrations[];
extern const size_t ch_migrations_count;

#endif /* CH_STORE_INT_H */
