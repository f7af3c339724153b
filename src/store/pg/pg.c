/*
 * pg.c — the PostgreSQL driver of db.h, over libpq.
 *
 * One ch_db is one PGconn opened with PQconnectdb on the DSN exactly as
 * given ("postgresql://user@host:port/db").  On connect the session is set
 * to client_encoding UTF8, time zone UTC and a 30 s statement_timeout.
 *
 * Statements whose parameters are all given (no NULL) are prepared once
 * per connection and kept, the 64 last used, keyed by their text and
 * their parameters' types (the server would otherwise parse and plan each
 * one every time: the gate's multi-row inserts of 512 parameters, every
 * batch); one with a NULL parameter leaves the NULL's type to the server's
 * inference, which a prepared statement would fix for good, so it is sent
 * as a one-off.  Prepared statements are the session's, not a
 * transaction's: a rollback keeps them.
 *
 * Statements run with PQexecParams, all parameters in text format:
 * CH_PARAM_TEXT is sent as is with its type left for the server to infer,
 * CH_PARAM_INT as decimal text typed int8 (so "$1 + 1" and "LIMIT $1"
 * work), CH_PARAM_NULL as an untyped NULL.  Results are copied into a
 * malloc'd struct ch_rows, every name and cell copied into its blocks
 * (NULL for SQL NULL), which ch_rows_free in db.c releases.
 *
 * Errors map by SQLSTATE:
 *   23505 unique, 23503 foreign key, other class 23  -> CH_ERR_CONFLICT
 *   23502 not null, 23514 check                      -> CH_ERR_INVALID
 *                          (the input was bad, no other record is involved)
 *   40001 serialization, 40P01 deadlock, 55P03 lock  -> CH_ERR_BUSY
 *   class 08, a lost connection, a failed connect    -> CH_ERR_IO
 *   a DSN that libpq cannot parse                    -> CH_ERR_INVALID
 *   anything else                                    -> CH_ERR_STORE
 *
 * Unlike SQLite, a failed statement inside a transaction aborts the whole
 * transaction: the caller must roll back.  commit() of such a transaction
 * reports CH_ERR_STORE rather than the server's silent ROLLBACK.  A lost
 * connection is not reset here: the pool should close and reopen it.
 *
 * Logs carry the SQLSTATE and the primary message only, never the DSN (it
 * may hold a password) nor the DETAIL line (it may hold the key's values).
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libpq-fe.h>

#include "store/db.h"

#define PG_INT8_OID 20      /* pg_type.oid of int8, from pg_type.dat */
#define PG_TEXT_OID 25      /* pg_type.oid of text */
#define PG_MAX_PARAMS 65535 /* the protocol's limit on bind parameters */
#define PG_INT_TEXT_LEN 21  /* "-9223372036854775808" + NUL */

#define PG_STMT_CACHE 64

struct pg_stmt {
	char *sql;     /* NULL: a free slot */
	char *sig;     /* a 'T' or 'I' per parameter */
	char name[24]; /* the server's name for it */
	uint64_t used;
};

struct ch_db {
	PGconn *conn;
	char errmsg[512];
	struct pg_stmt stmts[PG_STMT_CACHE];
	uint64_t tick, names;
};

static void
pg_stmt_forget(struct pg_stmt *st)
{
	free(st->sql);
	free(st->sig);
	memset(st, 0, sizeof(*st));
}

/* Keep msg (or "unknown error") as the last error, on one trimmed line. */
static void
pg_set_errmsg(ch_db *db, const char *msg)
{
	size_t n;

	if (msg == NULL || *msg == '\0')
		msg = "unknown error";
	ch_strlcpy(db->errmsg, msg, sizeof(db->errmsg));
	for (n = 0; db->errmsg[n] != '\0'; n++)
		if (db->errmsg[n] == '\n' || db->errmsg[n] == '\r' ||
		    db->errmsg[n] == '\t')
			db->errmsg[n] = ' ';
	while (n > 0 && db->errmsg[n - 1] == ' ')
		db->errmsg[--n] = '\0';
}

static const char *
pg_or_empty(const char *s)
{
	return s != NULL ? s : "";
}

/* SQLSTATEs with a meaning of their own; a code ending in "*" is a class. */
static const struct {
	const char *state;
	ch_err err;
} pg_states[] = {
    {"23502", CH_ERR_INVALID}, /* not_null_violation */
    {"23514", CH_ERR_INVALID}, /* check_violation */
    {"23*", CH_ERR_CONFLICT},  /* unique, foreign key, exclusion */
    {"40001", CH_ERR_BUSY},    /* serialization_failure */
    {"40P01", CH_ERR_BUSY},    /* deadlock_detected */
    {"55P03", CH_ERR_BUSY},    /* lock_not_available */
    {"08*", CH_ERR_IO},        /* connection_exception */
};

static ch_err
pg_map_sqlstate(const char *state)
{
	size_t i, n;

	if (state == NULL || strlen(state) != 5)
		return CH_ERR_STORE;
	for (i = 0; i < CH_ARRAY_LEN(pg_states); i++) {
		n = strcspn(pg_states[i].state, "*");
		if (strncmp(state, pg_states[i].state, n) == 0 &&
		    (pg_states[i].state[n] == '*' || state[n] == '\0'))
			return pg_states[i].err;
	}
	return CH_ERR_STORE;
}

/*
 * Turn a finished PGresult (NULL allowed: out of memory or connection lost)
 * into a ch_err, recording and logging the error.  Does not clear res.
 */
static ch_err
pg_check(ch_db *db, const PGresult *res)
{
	const char *state, *primary;
	ch_err err;

	if (res != NULL) {
		switch (PQresultStatus(res)) {
		case PGRES_COMMAND_OK:
		case PGRES_TUPLES_OK:
		case PGRES_EMPTY_QUERY:
			return CH_OK;
		default:
			break;
		}
	}
	if (PQstatus(db->conn) == CONNECTION_BAD) {
		pg_set_errmsg(db, PQerrorMessage(db->conn));
		log_warn("connection lost: %s", db->errmsg);
		return CH_ERR_IO;
	}
	if (res == NULL) {
		pg_set_errmsg(db, PQerrorMessage(db->conn));
		log_warn("no result: %s", db->errmsg);
		return CH_ERR_NOMEM;
	}
	state = PQresultErrorField(res, PG_DIAG_SQLSTATE);
	primary = PQresultErrorField(res, PG_DIAG_MESSAGE_PRIMARY);
	if (primary != NULL) {
		char msg[sizeof(db->errmsg)];

		snprintf(msg, sizeof(msg), "%s (SQLSTATE %s)", primary,
		    state != NULL ? state : "?");
		pg_set_errmsg(db, msg);
	} else
		pg_set_errmsg(db, PQresultErrorMessage(res));
	err = pg_map_sqlstate(state);
	/* Conflicts, bad input and lock waits are expected; the caller acts. */
	if (err == CH_ERR_STORE || err == CH_ERR_IO)
		log_warn("%s", db->errmsg);
	else
		log_debug("%s", db->errmsg);
	return err;
}

/* Route server NOTICEs (e.g. "table does not exist, skipping") to the log
 * rather than libpq's default of stderr. */
static void
pg_notice(void *arg, const char *message)
{
	size_t n = strlen(message);

	(void)arg;
	while (n > 0 && message[n - 1] == '\n')
		n--;
	log_debug("%.*s", (int)n, message);
}

static void
pg_close(ch_db *db)
{
	if (db == NULL)
		return;
	PQfinish(db->conn); /* the server drops its prepared statements */
	for (size_t i = 0; i < PG_STMT_CACHE; i++)
		pg_stmt_forget(&db->stmts[i]);
	free(db);
}

/*
 * Whether libpq can parse the DSN.  Its parse errors quote the bad token,
 * which may be the password, so they are not logged.
 */
static bool
pg_dsn_valid(const char *dsn)
{
	PQconninfoOption *options;
	char *message = NULL;

	if ((options = PQconninfoParse(dsn, &message)) == NULL) {
		log_warn("%s",
		    "malformed PostgreSQL DSN (the parser's message "
		    "is withheld: it may quote the password)");
		PQfreemem(message);
		return false;
	}
	PQconninfoFree(options);
	return true;
}

static ch_err
pg_open(const char *dsn, ch_db **out)
{
	static const char setup[] = "SET TIME ZONE 'UTC'; "
				    "SET statement_timeout = '30s'";
	ch_db *db;
	PGresult *res;
	ch_err err;

	*out = NULL;
	if (!pg_dsn_valid(dsn))
		return CH_ERR_INVALID;
	if ((db = calloc(1, sizeof(*db))) == NULL) {
		log_warn("%s", "out of memory");
		return CH_ERR_NOMEM;
	}
	db->conn = PQconnectdb(dsn);
	if (db->conn == NULL) {
		log_warn("%s", "out of memory");
		err = CH_ERR_NOMEM;
		goto fail_db;
	}
	if (PQstatus(db->conn) != CONNECTION_OK) {
		/* Name the server, not the DSN: it may carry a password. */
		pg_set_errmsg(db, PQerrorMessage(db->conn));
		log_warn("connect to %s:%s/%s failed: %s",
		    pg_or_empty(PQhost(db->conn)),
		    pg_or_empty(PQport(db->conn)), pg_or_empty(PQdb(db->conn)),
		    db->errmsg);
		err = CH_ERR_IO;
		goto fail_conn;
	}
	PQsetNoticeProcessor(db->conn, pg_notice, NULL);
	if (PQsetClientEncoding(db->conn, "UTF8") != 0) {
		pg_set_errmsg(db, PQerrorMessage(db->conn));
		log_warn("client_encoding UTF8: %s", db->errmsg);
		err = CH_ERR_STORE;
		goto fail_conn;
	}
	res = PQexec(db->conn, setup);
	err = pg_check(db, res);
	PQclear(res);
	if (err != CH_OK)
		goto fail_conn;
	*out = db;
	return CH_OK;

fail_conn:
	PQfinish(db->conn);
fail_db:
	free(db);
	return err;
}

static ch_err
pg_exec(ch_db *db, const char *sql)
{
	PGresult *res;
	ch_err err;

	res = PQexec(db->conn, sql);
	err = pg_check(db, res);
	PQclear(res);
	return err;
}

/* Copy a tuples result into a new ch_rows in *out. */
static ch_err
pg_copy_rows(ch_db *db, const PGresult *res, struct ch_rows **out)
{
	struct ch_rows *rows;
	size_t nrows, ncols, r, c;

	nrows = (size_t)PQntuples(res);
	ncols = (size_t)PQnfields(res);
	if (ncols != 0 && nrows > SIZE_MAX / sizeof(char *) / ncols)
		goto nomem;
	if ((rows = calloc(1, sizeof(*rows))) == NULL)
		goto nomem;
	rows->names = calloc(ncols > 0 ? ncols : 1, sizeof(char *));
	rows->cells =
	    calloc(nrows * ncols > 0 ? nrows * ncols : 1, sizeof(char *));
	if (rows->names == NULL || rows->cells == NULL)
		goto nomem_rows;
	/* With both arrays zeroed, ch_rows_free can undo a partial copy. */
	rows->nrows = nrows;
	rows->ncols = ncols;
	for (c = 0; c < ncols; c++) {
		const char *name = PQfname(res, (int)c);

		if ((rows->names[c] = ch_rows_copy(rows, name, strlen(name))) ==
		    NULL)
			goto nomem_rows;
	}
	for (r = 0; r < nrows; r++) {
		for (c = 0; c < ncols; c++) {
			char **cell = &rows->cells[r * ncols + c];

			if (PQgetisnull(res, (int)r, (int)c))
				continue;
			*cell =
			    ch_rows_copy(rows, PQgetvalue(res, (int)r, (int)c),
				(size_t)PQgetlength(res, (int)r, (int)c));
			if (*cell == NULL)
				goto nomem_rows;
		}
	}
	*out = rows;
	return CH_OK;

nomem_rows:
	ch_rows_free(rows);
nomem:
	pg_set_errmsg(db, "out of memory copying a result");
	log_warn("%s", db->errmsg);
	return CH_ERR_NOMEM;
}

/* The prepared statement for sql with these parameter types (prepared
 * now if need be), or NULL with the failed PGresult in *failed (or NULL
 * when it cannot be cached: run it as a one-off). */
static const struct pg_stmt *
pg_prepared(ch_db *db, const char *sql, size_t nparams, const Oid *types,
    PGresult **failed)
{
	struct pg_stmt *lru = &db->stmts[0];
	char sig[256];
	PGresult *res;

	*failed = NULL;
	if (nparams >= sizeof(sig))
		return NULL;
	for (size_t i = 0; i < nparams; i++) {
		if (types[i] == 0)
			return NULL; /* a NULL: its type is the server's guess
				      */
		sig[i] = types[i] == PG_INT8_OID ? 'I' : 'T';
	}
	sig[nparams] = '\0';
	for (size_t i = 0; i < PG_STMT_CACHE; i++) {
		struct pg_stmt *st = &db->stmts[i];

		if (st->sql != NULL && strcmp(st->sql, sql) == 0 &&
		    strcmp(st->sig, sig) == 0) {
			st->used = ++db->tick;
			return st;
		}
		if (st->sql == NULL ||
		    (lru->sql != NULL && st->used < lru->used))
			lru = st;
	}
	if (lru->sql != NULL) {
		char dealloc[48];

		/* Fails only in an aborted transaction, where the statement
		 * stays on the server until the connection closes. */
		snprintf(dealloc, sizeof(dealloc), "DEALLOCATE %s", lru->name);
		PQclear(PQexec(db->conn, dealloc));
		pg_stmt_forget(lru);
	}
	snprintf(lru->name, sizeof(lru->name), "ch%llu",
	    (unsigned long long)++db->names);
	res = PQprepare(db->conn, lru->name, sql, (int)nparams, types);
	if (res == NULL || PQresultStatus(res) != PGRES_COMMAND_OK) {
		*failed = res;
		memset(lru, 0, sizeof(*lru));
		return NULL;
	}
	PQclear(res);
	if ((lru->sql = strdup(sql)) == NULL ||
	    (lru->sig = strdup(sig)) == NULL) {
		char dealloc[48];

		snprintf(dealloc, sizeof(dealloc), "DEALLOCATE %s", lru->name);
		PQclear(PQexec(db->conn, dealloc));
		pg_stmt_forget(lru);
		return NULL;
	}
	lru->used = ++db->tick;
	return lru;
}

/* Run sql: prepared when it can be kept, else as a one-off. */
static PGresult *
pg_run(ch_db *db, const char *sql, size_t nparams, const Oid *types,
    const char *const *values)
{
	PGresult *failed = NULL;
	const struct pg_stmt *st =
	    pg_prepared(db, sql, nparams, types, &failed);

	if (failed != NULL)
		return failed; /* the statement's own error */
	if (st != NULL)
		return PQexecPrepared(
		    db->conn, st->name, (int)nparams, values, NULL, NULL, 0);
	return PQexecParams(
	    db->conn, sql, (int)nparams, types, values, NULL, NULL, 0);
}

static ch_err
pg_query(ch_db *db, const char *sql, const struct ch_param *params,
    size_t nparams, struct ch_rows **out, int64_t *changes)
{
	const char **values = NULL;
	Oid *types = NULL;
	char *ints = NULL;
	PGresult *res = NULL;
	const char *tuples;
	ch_err err;
	size_t i;

	if (out != NULL)
		*out = NULL;
	if (changes != NULL)
		*changes = 0;
	if (nparams > PG_MAX_PARAMS) {
		pg_set_errmsg(db, "too many parameters");
		log_warn("%s: %zu", db->errmsg, nparams);
		return CH_ERR_INVALID;
	}
	if (nparams > 0) {
		values = calloc(nparams, sizeof(*values));
		types = calloc(nparams, sizeof(*types));
		ints = calloc(nparams, PG_INT_TEXT_LEN);
		if (values == NULL || types == NULL || ints == NULL) {
			pg_set_errmsg(db, "out of memory");
			log_warn("%s", db->errmsg);
			err = CH_ERR_NOMEM;
			goto free_params;
		}
	}
	for (i = 0; i < nparams; i++) {
		switch (params[i].type) {
		case CH_PARAM_TEXT:
			/* Typed, so that a parameter a statement does not
			 * use, or tests only with IS NULL, still has a type. */
			values[i] = params[i].text;
			types[i] = PG_TEXT_OID;
			break;
		case CH_PARAM_INT:
			snprintf(ints + i * PG_INT_TEXT_LEN, PG_INT_TEXT_LEN,
			    "%" PRId64, params[i].num);
			values[i] = ints + i * PG_INT_TEXT_LEN;
			types[i] = PG_INT8_OID;
			break;
		case CH_PARAM_NULL:
		default:
			values[i] = NULL;
			break;
		}
	}
	res = pg_run(db, sql, nparams, types, values);
	if ((err = pg_check(db, res)) != CH_OK)
		goto clear_res;
	if (changes != NULL) {
		tuples = PQcmdTuples(res);
		*changes = *tuples != '\0' ? strtoll(tuples, NULL, 10) : 0;
	}
	if (out != NULL && PQresultStatus(res) == PGRES_TUPLES_OK)
		err = pg_copy_rows(db, res, out);

clear_res:
	PQclear(res);
free_params:
	free(ints);
	free(types);
	free(values);
	return err;
}

static ch_err
pg_begin(ch_db *db, bool write)
{
	/* PostgreSQL locks rows as it writes them; READ COMMITTED (the
	 * default) needs no up-front write lock.  A read transaction takes
	 * one snapshot for all its statements, as SQLite's does, so that a
	 * reader that looks twice (audit verification: the records, then
	 * the head) sees one state of the database. */
	return pg_exec(
	    db, write ? "BEGIN" : "BEGIN ISOLATION LEVEL REPEATABLE READ");
}

/* REPEATABLE READ: every statement of the transaction sees the snapshot
 * taken by its first; a backup of a big table may outlast 30 s. */
static ch_err
pg_begin_snapshot(ch_db *db)
{
	return pg_exec(db,
	    "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY; "
	    "SET LOCAL statement_timeout = '15min'");
}

static ch_err
pg_commit(ch_db *db)
{
	PGresult *res;
	ch_err err;

	res = PQexec(db->conn, "COMMIT");
	if ((err = pg_check(db, res)) == CH_OK &&
	    strcmp(PQcmdStatus(res), "ROLLBACK") == 0) {
		/* The server answers COMMIT of an aborted transaction with a
		 * silent ROLLBACK: the caller's writes are gone. */
		pg_set_errmsg(db,
		    "commit of an aborted transaction "
		    "rolled back");
		log_warn("%s", db->errmsg);
		err = CH_ERR_STORE;
	}
	PQclear(res);
	return err;
}

static ch_err
pg_rollback(ch_db *db)
{
	return pg_exec(db, "ROLLBACK");
}

static const char *
pg_errmsg(ch_db *db)
{
	return db->errmsg;
}

const struct ch_db_ops ch_db_pg_ops = {
    .name = "postgresql",
    .open = pg_open,
    .close = pg_close,
    .exec = pg_exec,
    .query = pg_query,
    .begin = pg_begin,
    .begin_snapshot = pg_begin_snapshot,
    .commit = pg_commit,
    .rollback = pg_rollback,
    .errmsg = pg_errmsg,
};
