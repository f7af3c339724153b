/*
 * db.h — the database driver interface under the store.
 *
 * Two drivers implement it: sqlite/sqlite.c (the embedded default) and
 * pg/pg.c (libpq).  Everything above speaks portable SQL through it:
 *
 *   - parameters are written $1, $2, ... in both engines;
 *   - column types are TEXT, BIGINT and INTEGER only; booleans are 0/1;
 *     times are ISO 8601 UTC text; identifiers are UUID text;
 *   - results come back fully read, every cell as text (NULL for SQL NULL),
 *     integers in decimal;
 *   - a unique or foreign-key violation is reported as CH_ERR_CONFLICT,
 *     a lock that outlasts the busy timeout as CH_ERR_BUSY.
 *
 * A ch_db is one connection and is not shared between threads at once:
 * the pool in store.c hands each request its own.
 */
#ifndef CH_STORE_DB_H
#define CH_STORE_DB_H

#include "core/core.h"

typedef struct ch_db ch_db;

enum ch_param_type { CH_PARAM_NULL, CH_PARAM_TEXT, CH_PARAM_INT };

struct ch_param {
	enum ch_param_type type;
	const char *text; /* CH_PARAM_TEXT: NUL-terminated UTF-8 */
	int64_t num;      /* CH_PARAM_INT */
};

/* A text parameter; NULL becomes SQL NULL. */
static inline struct ch_param
ch_param_text(const char *s)
{
	struct ch_param p = {s != NULL ? CH_PARAM_TEXT : CH_PARAM_NULL, s, 0};

	return p;
}
#define CH_P_TEXT(s) ch_param_text(s)
#define CH_P_INT(n) ((struct ch_param){CH_PARAM_INT, NULL, (int64_t)(n)})
#define CH_P_NULL ((struct ch_param){CH_PARAM_NULL, NULL, 0})

/* A result set, fully read: cells[row * ncols + col], NULL for SQL NULL.
 * The names' and cells' text lives in the set's own blocks (text), copied
 * there by ch_rows_copy: one allocation for many cells, not one each. */
struct ch_rows_block;
struct ch_rows {
	size_t nrows;
	size_t ncols;
	char **names;
	char **cells;
	struct ch_rows_block *text;
};
void ch_rows_free(struct ch_rows *rows);
/* A NUL-terminated copy of the n bytes at s in the rows' blocks (for the
 * drivers), or NULL when out of memory. */
char *ch_rows_copy(struct ch_rows *rows, const char *s, size_t n);
/* The cell, or NULL when out of range or SQL NULL. */
const char *ch_rows_get(const struct ch_rows *rows, size_t row, size_t col);
/* The cell as an integer, or dflt when NULL or not a number. */
int64_t ch_rows_int(
    const struct ch_rows *rows, size_t row, size_t col, int64_t dflt);

struct ch_db_ops {
	const char *name; /* "sqlite" or "postgresql" */
	/* Open one connection for a DSN without its scheme prefix handling:
	 * the driver receives the whole DSN as the user typed it. */
	ch_err (*open)(const char *dsn, ch_db **out);
	void (*close)(ch_db *db);
	/* Run one or more statements without parameters (migrations). */
	ch_err (*exec)(ch_db *db, const char *sql);
	/*
	 * Run one statement with parameters.  When out is not NULL the rows
	 * are returned (the caller frees them with ch_rows_free); when changes
	 * is not NULL it receives the number of rows changed.
	 */
	ch_err (*query)(ch_db *db, const char *sql,
	    const struct ch_param *params, size_t nparams, struct ch_rows **out,
	    int64_t *changes);
	/* Transactions: write=true takes the write lock at once (SQLite's
	 * BEGIN IMMEDIATE) so that two writers never deadlock. */
	ch_err (*begin)(ch_db *db, bool write);
	/* A read-only transaction that sees one snapshot of the whole
	 * database from its start to its end (backups).  End it with
	 * rollback. */
	ch_err (*begin_snapshot)(ch_db *db);
	ch_err (*commit)(ch_db *db);
	ch_err (*rollback)(ch_db *db);
	/* The last error message from the engine, for logs (never secrets). */
	const char *(*errmsg)(ch_db *db);
	/* Optional (NULL: every commit is durable).  Outside a transaction,
	 * make this connection's commits wait for the disk (durable, the
	 * default) or not; and make every commit so far durable (SQLite:
	 * fsync the write-ahead log), from any thread. */
	ch_err (*set_durable)(ch_db *db, bool durable);
	ch_err (*sync_log)(const char *dsn);
};

extern const struct ch_db_ops ch_db_sqlite_ops;
extern const struct ch_db_ops ch_db_pg_ops;

/* The driver for a DSN ("sqlite:PATH" or "postgresql://..."), or NULL. */
const struct ch_db_ops *ch_db_ops_for(const char *dsn);

#endif /* CH_STORE_DB_H */
