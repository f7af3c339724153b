/*
 * test_db.c — the database driver contract of store/db.h, run against the
 * engine named by $CH_TEST_DSN (tests/pg-server prints a PostgreSQL one),
 * or against a temporary SQLite file when it is unset.
 *
 * Each test opens its own connection and its own table, named after the
 * process (Criterion runs each test in a process of its own), and drops
 * the table afterwards, so that both engines start clean and a shared
 * PostgreSQL database can host several runs at once.
 */
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <criterion/criterion.h>

#include "store/db.h"

static const struct ch_db_ops *ops;
static ch_db *db;
static char dsn[512];
static char sqlite_path[128];
static char table[64];
static char sql[1024];

/* The SQL text fmt formats to (usually with the table name), in a static
 * buffer that the next call reuses; fails the test if it does not fit. */
static const char *q(const char *fmt, ...)
    __attribute__((format(printf, 1, 2)));

static const char *
q(const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(sql, sizeof(sql), fmt, ap);
	va_end(ap);
	cr_assert(n > 0 && (size_t)n < sizeof(sql), "SQL too long");
	return sql;
}

static bool
is_pg(void)
{
	return strcmp(ops->name, "postgresql") == 0;
}

static void
setup(void)
{
	const char *env = getenv("CH_TEST_DSN");
	ch_err err;

	if (env != NULL && *env != '\0') {
		snprintf(dsn, sizeof(dsn), "%s", env);
	} else {
		snprintf(sqlite_path, sizeof(sqlite_path),
		    "/tmp/chancery-test-db-%ld.sqlite", (long)getpid());
		snprintf(dsn, sizeof(dsn), "sqlite:%s", sqlite_path);
	}
	snprintf(table, sizeof(table), "t_db_%ld", (long)getpid());
	ops = ch_db_ops_for(dsn);
	cr_assert_not_null(ops, "no driver for the test DSN");
	err = ops->open(dsn, &db);
	cr_assert_eq(err, CH_OK, "open: %s", ch_strerror(err));
	cr_assert_eq(ops->exec(db, q("DROP TABLE IF EXISTS %s", table)), CH_OK);
	cr_assert_eq(ops->exec(db,
			 q("CREATE TABLE %s ("
			   "id INTEGER PRIMARY KEY, name TEXT NOT NULL UNIQUE, "
			   "n BIGINT, note TEXT)",
			     table)),
	    CH_OK, "create: %s", ops->errmsg(db));
}

static void
teardown(void)
{
	char path[160];

	if (db != NULL) {
		/* A failed test may leave a transaction open, which would
		 * undo the drop on close.  (SQLite's file goes anyway.) */
		if (is_pg())
			ops->rollback(db);
		ops->exec(db, q("DROP TABLE IF EXISTS %s_child", table));
		ops->exec(db, q("DROP TABLE IF EXISTS %s", table));
		ops->close(db);
		db = NULL;
	}
	if (sqlite_path[0] != '\0') {
		unlink(sqlite_path);
		snprintf(path, sizeof(path), "%s-wal", sqlite_path);
		unlink(path);
		snprintf(path, sizeof(path), "%s-shm", sqlite_path);
		unlink(path);
		snprintf(path, sizeof(path), "%s-journal", sqlite_path);
		unlink(path);
		sqlite_path[0] = '\0';
	}
}

TestSuite(db, .init = setup, .fini = teardown);

/* Skip the calling test unless the engine is PostgreSQL. */
static void
pg_only(const char *why)
{
	if (is_pg())
		return;
	teardown(); /* a skip bypasses .fini */
	cr_skip_test("%s", why);
}

/* Insert one row (id, name, n, note); asserts it worked. */
static void
insert(int64_t id, const char *name, int64_t n, const char *note)
{
	struct ch_param p[] = {
	    CH_P_INT(id), CH_P_TEXT(name), CH_P_INT(n), CH_P_TEXT(note)};
	int64_t changes = -1;
	ch_err err;

	err = ops->query(db,
	    q("INSERT INTO %s (id, name, n, note) "
	      "VALUES ($1, $2, $3, $4)",
		table),
	    p, 4, NULL, &changes);
	cr_assert_eq(err, CH_OK, "insert: %s", ops->errmsg(db));
	cr_assert_eq(changes, 1);
}

/* The number of rows in the table, through connection c. */
static int64_t
count_rows(ch_db *c)
{
	struct ch_rows *rows = NULL;
	int64_t n;

	cr_assert_eq(ops->query(c, q("SELECT COUNT(*) FROM %s", table), NULL, 0,
			 &rows, NULL),
	    CH_OK, "count: %s", ops->errmsg(c));
	n = ch_rows_int(rows, 0, 0, -1);
	ch_rows_free(rows);
	return n;
}

Test(db, insert_and_select_text_int_null)
{
	struct ch_param p[] = {CH_P_INT(7)};
	struct ch_rows *rows = NULL;

	insert(7, "Alice", INT64_C(-9000000000), NULL);
	insert(8, "Bob", INT64_MAX, "second");
	cr_assert_eq(ops->query(db,
			 q("SELECT id, name, n, note FROM %s "
			   "WHERE id >= $1 ORDER BY id",
			     table),
			 p, 1, &rows, NULL),
	    CH_OK, "select: %s", ops->errmsg(db));
	cr_assert_eq(rows->nrows, 2);
	cr_assert_eq(rows->ncols, 4);
	cr_assert_str_eq(rows->names[0], "id");
	cr_assert_str_eq(rows->names[3], "note");
	cr_assert_str_eq(ch_rows_get(rows, 0, 0), "7");
	cr_assert_str_eq(ch_rows_get(rows, 0, 1), "Alice");
	cr_assert_str_eq(ch_rows_get(rows, 0, 2), "-9000000000");
	cr_assert_null(ch_rows_get(rows, 0, 3), "SQL NULL must be NULL");
	cr_assert_str_eq(ch_rows_get(rows, 1, 2), "9223372036854775807");
	cr_assert_str_eq(ch_rows_get(rows, 1, 3), "second");
	cr_assert_eq(ch_rows_int(rows, 1, 0, -1), 8);
	cr_assert_null(ch_rows_get(rows, 2, 0), "row out of range");
	ch_rows_free(rows);
}

Test(db, explicit_null_param_and_empty_result)
{
	struct ch_param p[] = {
	    CH_P_INT(1), CH_P_TEXT("x"), CH_P_NULL, CH_P_TEXT(NULL)};
	struct ch_rows *rows = NULL;

	cr_assert_eq(ops->query(db,
			 q("INSERT INTO %s (id, name, n, note) "
			   "VALUES ($1, $2, $3, $4)",
			     table),
			 p, 4, NULL, NULL),
	    CH_OK, "insert: %s", ops->errmsg(db));
	cr_assert_eq(ops->query(db,
			 q("SELECT n, note FROM %s WHERE "
			   "n IS NULL AND note IS NULL",
			     table),
			 NULL, 0, &rows, NULL),
	    CH_OK);
	cr_assert_eq(rows->nrows, 1);
	ch_rows_free(rows);
	rows = NULL;
	cr_assert_eq(
	    ops->query(db, q("SELECT id, name FROM %s WHERE id = 99", table),
		NULL, 0, &rows, NULL),
	    CH_OK);
	cr_assert_not_null(rows, "an empty result is still a result");
	cr_assert_eq(rows->nrows, 0);
	cr_assert_eq(rows->ncols, 2);
	ch_rows_free(rows);
}

Test(db, int_params_in_expressions)
{
	struct ch_param p[] = {CH_P_INT(41), CH_P_INT(2)};
	struct ch_rows *rows = NULL;

	insert(1, "a", 10, NULL);
	insert(2, "b", 20, NULL);
	insert(3, "c", 30, NULL);
	cr_assert_eq(ops->query(db,
			 q("SELECT n + $1 FROM %s ORDER BY id "
			   "LIMIT $2",
			     table),
			 p, 2, &rows, NULL),
	    CH_OK, "%s", ops->errmsg(db));
	cr_assert_eq(rows->nrows, 2);
	cr_assert_str_eq(ch_rows_get(rows, 0, 0), "51");
	cr_assert_str_eq(ch_rows_get(rows, 1, 0), "61");
	ch_rows_free(rows);
	rows = NULL;
	/* No column to take the type from: still a 64-bit integer. */
	p[0] = CH_P_INT(INT64_C(5000000000));
	cr_assert_eq(ops->query(db, "SELECT $1 + 1", p, 1, &rows, NULL), CH_OK,
	    "%s", ops->errmsg(db));
	cr_assert_str_eq(ch_rows_get(rows, 0, 0), "5000000001");
	ch_rows_free(rows);
}

Test(db, changes_counts_rows)
{
	struct ch_param p[] = {CH_P_INT(15)};
	int64_t changes = -1;

	insert(1, "a", 10, NULL);
	insert(2, "b", 20, NULL);
	insert(3, "c", 30, NULL);
	cr_assert_eq(
	    ops->query(db, q("UPDATE %s SET note = 'x' WHERE n > $1", table), p,
		1, NULL, &changes),
	    CH_OK);
	cr_assert_eq(changes, 2);
	cr_assert_eq(
	    ops->query(db, q("UPDATE %s SET note = 'y' WHERE n > 99", table),
		NULL, 0, NULL, &changes),
	    CH_OK);
	cr_assert_eq(changes, 0);
	cr_assert_eq(
	    ops->query(db, q("DELETE FROM %s", table), NULL, 0, NULL, &changes),
	    CH_OK);
	cr_assert_eq(changes, 3);
}

Test(db, unique_violation_is_conflict)
{
	struct ch_param p[] = {CH_P_INT(2), CH_P_TEXT("Alice")};
	ch_err err;

	insert(1, "Alice", 1, NULL);
	err = ops->query(db,
	    q("INSERT INTO %s (id, name) VALUES ($1, $2)", table), p, 2, NULL,
	    NULL);
	cr_assert_eq(err, CH_ERR_CONFLICT, "got %s", ch_strerror(err));
	cr_assert_str_neq(ops->errmsg(db), "");
	/* The connection stays usable after the error. */
	cr_assert_eq(count_rows(db), 1);
}

Test(db, foreign_key_violation_is_conflict)
{
	struct ch_param p[] = {CH_P_INT(1), CH_P_INT(42)};
	ch_err err;

	cr_assert_eq(
	    ops->exec(db,
		q("CREATE TABLE %s_child (id INTEGER "
		  "PRIMARY KEY, parent INTEGER NOT NULL REFERENCES %s (id))",
		    table, table)),
	    CH_OK, "%s", ops->errmsg(db));
	err = ops->query(db,
	    q("INSERT INTO %s_child (id, parent) "
	      "VALUES ($1, $2)",
		table),
	    p, 2, NULL, NULL);
	cr_assert_eq(err, CH_ERR_CONFLICT, "got %s", ch_strerror(err));
}

Test(db, not_null_violation_is_invalid)
{
	struct ch_param p[] = {CH_P_INT(1), CH_P_NULL};
	ch_err err;

	err = ops->query(db,
	    q("INSERT INTO %s (id, name) VALUES ($1, $2)", table), p, 2, NULL,
	    NULL);
	cr_assert_eq(err, CH_ERR_INVALID, "got %s", ch_strerror(err));
}

Test(db, rollback_discards)
{
	cr_assert_eq(ops->begin(db, true), CH_OK);
	insert(1, "a", 1, NULL);
	insert(2, "b", 2, NULL);
	cr_assert_eq(count_rows(db), 2, "a transaction sees its own writes");
	cr_assert_eq(ops->rollback(db), CH_OK);
	cr_assert_eq(count_rows(db), 0);
}

Test(db, commit_keeps_and_is_seen_by_others)
{
	ch_db *other = NULL;

	cr_assert_eq(ops->open(dsn, &other), CH_OK);
	cr_assert_eq(ops->begin(db, true), CH_OK);
	insert(1, "a", 1, NULL);
	cr_assert_eq(count_rows(other), 0, "uncommitted writes are private");
	cr_assert_eq(ops->commit(db), CH_OK, "%s", ops->errmsg(db));
	cr_assert_eq(count_rows(db), 1);
	cr_assert_eq(count_rows(other), 1);
	ops->close(other);
}

Test(db, error_in_transaction_then_rollback)
{
	struct ch_param p[] = {CH_P_INT(2), CH_P_TEXT("a")};

	insert(1, "a", 1, NULL);
	cr_assert_eq(ops->begin(db, false), CH_OK);
	cr_assert_eq(ops->query(db,
			 q("INSERT INTO %s (id, name) "
			   "VALUES ($1, $2)",
			     table),
			 p, 2, NULL, NULL),
	    CH_ERR_CONFLICT);
	cr_assert_eq(ops->rollback(db), CH_OK);
	cr_assert_eq(count_rows(db), 1);
	insert(3, "c", 3, NULL); /* usable again, outside a transaction */
	cr_assert_eq(count_rows(db), 2);
}

Test(db, utf8_round_trip)
{
	static const char *const names[] = {
	    "محمد عبد الله",  /* Arabic */
	    "Ольга Соколова", /* Cyrillic */
	    "Zoë Ångström 😀",
	};
	static const int64_t lengths[] = {13, 14, 14};
	struct ch_rows *rows = NULL;
	size_t i;

	for (i = 0; i < CH_ARRAY_LEN(names); i++)
		insert((int64_t)i, names[i], 0, names[i]);
	for (i = 0; i < CH_ARRAY_LEN(names); i++) {
		struct ch_param p[] = {CH_P_TEXT(names[i])};

		cr_assert_eq(ops->query(db,
				 q("SELECT name, LENGTH(name) "
				   "FROM %s WHERE name = $1",
				     table),
				 p, 1, &rows, NULL),
		    CH_OK);
		cr_assert_eq(rows->nrows, 1, "lookup of %s", names[i]);
		cr_assert_str_eq(ch_rows_get(rows, 0, 0), names[i]);
		/* Characters, not bytes: the server holds UTF-8. */
		cr_assert_eq(ch_rows_int(rows, 0, 1, -1), lengths[i]);
		ch_rows_free(rows);
		rows = NULL;
	}
}

Test(db, syntax_error_is_store_error)
{
	ch_err err;

	err = ops->query(db, "SELEKT 1", NULL, 0, NULL, NULL);
	cr_assert_eq(err, CH_ERR_STORE, "got %s", ch_strerror(err));
	cr_assert_str_neq(ops->errmsg(db), "");
	cr_assert_eq(ops->exec(db, "CREATE TABLLE x (a TEXT)"), CH_ERR_STORE);
	cr_assert_str_neq(ops->errmsg(db), "");
	cr_assert_eq(count_rows(db), 0, "usable after the error");
}

Test(db, update_returning)
{
	struct ch_param p[] = {CH_P_TEXT("renamed"), CH_P_INT(2)};
	struct ch_rows *rows = NULL;
	int64_t changes = -1;

	insert(1, "a", 1, NULL);
	insert(2, "b", 2, NULL);
	cr_assert_eq(ops->query(db,
			 q("UPDATE %s SET name = $1, n = n + 1 "
			   "WHERE id = $2 RETURNING id, name, n",
			     table),
			 p, 2, &rows, &changes),
	    CH_OK, "%s", ops->errmsg(db));
	cr_assert_eq(changes, 1);
	cr_assert_eq(rows->nrows, 1);
	cr_assert_str_eq(ch_rows_get(rows, 0, 0), "2");
	cr_assert_str_eq(ch_rows_get(rows, 0, 1), "renamed");
	cr_assert_str_eq(ch_rows_get(rows, 0, 2), "3");
	ch_rows_free(rows);
}

Test(db, exec_runs_several_statements)
{
	struct ch_rows *rows = NULL;

	cr_assert_eq(ops->exec(db,
			 q("INSERT INTO %s (id, name) VALUES (1, "
			   "'a'); INSERT INTO %s (id, name) VALUES (2, 'b');\n"
			   "UPDATE %s SET n = id * 10;",
			     table, table, table)),
	    CH_OK, "%s", ops->errmsg(db));
	cr_assert_eq(ops->query(db, q("SELECT SUM(n) FROM %s", table), NULL, 0,
			 &rows, NULL),
	    CH_OK);
	cr_assert_eq(ch_rows_int(rows, 0, 0, -1), 30);
	ch_rows_free(rows);
}

Test(db, pg_commit_of_failed_transaction_reports_error)
{
	struct ch_param p[] = {CH_P_INT(2), CH_P_TEXT("a")};

	pg_only("PostgreSQL only: SQLite undoes just the failed statement");
	insert(1, "a", 1, NULL);
	cr_assert_eq(ops->begin(db, true), CH_OK);
	insert(3, "c", 3, NULL);
	cr_assert_eq(ops->query(db,
			 q("INSERT INTO %s (id, name) "
			   "VALUES ($1, $2)",
			     table),
			 p, 2, NULL, NULL),
	    CH_ERR_CONFLICT);
	cr_assert_eq(ops->commit(db), CH_ERR_STORE, "must not look committed");
	cr_assert_eq(count_rows(db), 1);
}

Test(db, pg_unreachable_server_is_io_error)
{
	ch_db *bad = NULL;

	pg_only("PostgreSQL only");
	cr_assert_eq(ops->open("postgresql://u:secret@127.0.0.1:1/none", &bad),
	    CH_ERR_IO);
	cr_assert_null(bad);
	cr_assert_eq(ops->open("postgresql://u:s%zz@127.0.0.1:1/none", &bad),
	    CH_ERR_INVALID, "a DSN libpq cannot parse is bad configuration");
	cr_assert_null(bad);
}

Test(db, pg_session_is_utc)
{
	struct ch_rows *rows = NULL;

	pg_only("PostgreSQL only");
	cr_assert_eq(ops->query(db,
			 "SELECT current_setting('TimeZone'), "
			 "current_setting('client_encoding'), "
			 "current_setting('statement_timeout')",
			 NULL, 0, &rows, NULL),
	    CH_OK);
	cr_assert_str_eq(ch_rows_get(rows, 0, 0), "UTC");
	cr_assert_str_eq(ch_rows_get(rows, 0, 1), "UTF8");
	cr_assert_str_eq(ch_rows_get(rows, 0, 2), "30s");
	ch_rows_free(rows);
}

Test(db, pg_lock_wait_is_busy)
{
	struct ch_param p[] = {CH_P_INT(1)};
	ch_db *other = NULL;
	ch_err err;

	pg_only("PostgreSQL only: SQLite's busy timeout is the driver's");
	insert(1, "a", 1, NULL);
	cr_assert_eq(ops->open(dsn, &other), CH_OK);
	cr_assert_eq(ops->exec(other, "SET lock_timeout = '100ms'"), CH_OK);
	cr_assert_eq(ops->begin(db, true), CH_OK);
	cr_assert_eq(
	    ops->query(db, q("UPDATE %s SET n = 2 WHERE id = $1", table), p, 1,
		NULL, NULL),
	    CH_OK);
	err = ops->query(other, q("UPDATE %s SET n = 3 WHERE id = $1", table),
	    p, 1, NULL, NULL);
	cr_assert_eq(err, CH_ERR_BUSY, "got %s", ch_strerror(err));
	ops->close(other);
	cr_assert_eq(ops->rollback(db), CH_OK);
}

/* Copies the file at from to to (a crash image when from is open). */
static void
copy_file(const char *from, const char *to)
{
	FILE *in = fopen(from, "rb"), *out = fopen(to, "wb");
	char buf[65536];
	size_t n;

	cr_assert(in != NULL && out != NULL, "copy %s to %s", from, to);
	while ((n = fread(buf, 1, sizeof(buf), in)) > 0)
		cr_assert_eq(fwrite(buf, 1, n, out), n);
	fclose(in);
	cr_assert_eq(fclose(out), 0);
}

/* The table's rows as one number: their count, and the sum of their n
 * and of their notes' lengths, through connection c. */
static int64_t
fingerprint(ch_db *c)
{
	struct ch_rows *rows = NULL;
	int64_t v;

	cr_assert_eq(ops->query(c,
			 q("SELECT COUNT(*) * 1000000000 + COALESCE(SUM(n), 0) "
			   "+ COALESCE(SUM(LENGTH(note)), 0) FROM %s",
			     table),
			 NULL, 0, &rows, NULL),
	    CH_OK, "%s", ops->errmsg(c));
	v = ch_rows_int(rows, 0, 0, -1);
	ch_rows_free(rows);
	return v;
}

/* The files as a crash would leave them now, opened anew: the table's
 * fingerprint there. */
static int64_t
crash_image_fingerprint(void)
{
	char image[160], from[200], to[200];
	ch_db *copy = NULL;
	int64_t v;

	snprintf(image, sizeof(image), "%s.image", sqlite_path);
	copy_file(sqlite_path, image);
	snprintf(from, sizeof(from), "%s-wal", sqlite_path);
	snprintf(to, sizeof(to), "%s-wal", image);
	if (access(from, F_OK) == 0)
		copy_file(from, to);
	snprintf(to, sizeof(to), "sqlite:%s", image);
	cr_assert_eq(ops->open(to, &copy), CH_OK);
	v = fingerprint(copy);
	ops->close(copy);
	unlink(image);
	snprintf(to, sizeof(to), "%s-wal", image);
	unlink(to);
	snprintf(to, sizeof(to), "%s-shm", image);
	unlink(to);
	return v;
}

/*
 * Commits of every size, from one row to megabytes that spill out of the
 * page cache before they commit (and rewrite pages already logged), are
 * whole for another connection, and whole in the files the moment the
 * commit returns: a copy of the database and its log taken then, as a
 * crash would leave them, opens with every committed row.  (The SQLite
 * driver gathers the log's writes in a buffer: this is what shows it
 * writes them out before the commit is acknowledged.)  The second half
 * of the sizes commits unsynced (the pipelined committer's way, its log
 * synced later by another thread): published commits are in the files
 * all the same.
 */
Test(db, commits_of_every_size_are_whole_when_acknowledged)
{
	static const int sizes[] = {1, 7, 40, 300, 2500, 1, 7, 40, 300, 2500};
	char note[1500];
	ch_db *other = NULL;
	int64_t id = 1, want = 0;

	cr_assert_eq(ops->open(dsn, &other), CH_OK);
	if (!is_pg())
		cr_assert_eq(ops->exec(db, "PRAGMA cache_size=16"), CH_OK);
	memset(note, 'x', sizeof(note) - 1);
	note[sizeof(note) - 1] = '\0';
	for (size_t s = 0; s < sizeof(sizes) / sizeof(sizes[0]); s++) {
		char name[32];

		if (s == sizeof(sizes) / sizeof(sizes[0]) / 2 &&
		    ops->set_durable != NULL)
			cr_assert_eq(ops->set_durable(db, false), CH_OK);
		cr_assert_eq(ops->begin(db, true), CH_OK);
		for (int i = 0; i < sizes[s]; i++, id++) {
			snprintf(name, sizeof(name), "r%" PRId64, id);
			insert(id, name, id, note + (id % 1000));
			want += 1000000000 + id +
			    (int64_t)strlen(note + (id % 1000));
		}
		/* Rewrite rows written (and perhaps logged) earlier in
		 * the same transaction. */
		cr_assert_eq(ops->exec(db,
				 q("UPDATE %s SET n = n + 1 WHERE id %% 3 = 0 "
				   "AND id >= %" PRId64,
				     table, id - sizes[s])),
		    CH_OK);
		for (int64_t k = id - sizes[s]; k < id; k++)
			want += k % 3 == 0;
		cr_assert_eq(ops->commit(db), CH_OK, "%s", ops->errmsg(db));
		cr_assert_eq(
		    fingerprint(other), want, "after %d rows", sizes[s]);
		if (is_pg())
			continue;
		cr_assert_eq(crash_image_fingerprint(), want,
		    "the files as a crash after %d rows would leave them",
		    sizes[s]);
	}
	ops->close(other);
}

/* A result's text shares a few blocks: cells of every length, many rows,
 * and a cell longer than a block come back whole and apart. */
Test(db, results_of_many_rows_and_long_cells_read_back_whole)
{
	static char big[200000];
	struct ch_rows *rows = NULL;
	char note[300], name[32];

	memset(big, 'b', sizeof(big) - 1);
	for (int i = 0; i < 500; i++) {
		int len = (i * 37) % (int)(sizeof(note) - 1);

		memset(note, 'a' + i % 26, (size_t)len);
		note[len] = '\0';
		snprintf(name, sizeof(name), "n%d", i);
		insert(i + 1, name, i, i == 250 ? big : note);
	}
	cr_assert_eq(
	    ops->query(db,
		q("SELECT id, name, n, note FROM %s ORDER BY id", table), NULL,
		0, &rows, NULL),
	    CH_OK, "%s", ops->errmsg(db));
	cr_assert_eq(rows->nrows, 500);
	cr_assert_str_eq(rows->names[3], "note");
	for (int i = 0; i < 500; i++) {
		const char *got = ch_rows_get(rows, (size_t)i, 3);
		int len = (i * 37) % (int)(sizeof(note) - 1);

		snprintf(name, sizeof(name), "n%d", i);
		cr_assert_str_eq(ch_rows_get(rows, (size_t)i, 1), name);
		cr_assert_eq(ch_rows_int(rows, (size_t)i, 2, -1), i);
		if (i == 250) {
			cr_assert_eq(strlen(got), sizeof(big) - 1);
			cr_assert_eq(got[sizeof(big) - 2], 'b');
			continue;
		}
		cr_assert_eq((int)strlen(got), len, "row %d", i);
		for (int k = 0; k < len; k++)
			cr_assert_eq(got[k], 'a' + i % 26, "row %d", i);
	}
	ch_rows_free(rows);
}

/*
 * A random run of write transactions on SQLite — of 1 to 400 rows, some
 * rewriting earlier rows, some rolled back, some unsynced — with another
 * connection checkpointing the log now and then (passive, restart,
 * truncate: the log started over from its head while the writer gathers
 * its writes).  After every commit the other connection sees exactly the
 * committed rows, and every few commits so does a copy of the files.
 */
Test(db, random_commits_rollbacks_and_checkpoints_stay_whole)
{
	static const char *const checkpoints[] = {
	    "PRAGMA wal_checkpoint(PASSIVE)", "PRAGMA wal_checkpoint(RESTART)",
	    "PRAGMA wal_checkpoint(TRUNCATE)"};
	char note[700], name[32];
	ch_db *other = NULL;
	int64_t id = 1, want = 0;
	uint32_t seed = 20261126;

	if (is_pg()) {
		teardown();
		cr_skip_test("SQLite's log and checkpoints");
	}
	cr_assert_eq(ops->open(dsn, &other), CH_OK);
	cr_assert_eq(ops->exec(db, "PRAGMA cache_size=32"), CH_OK);
	memset(note, 'n', sizeof(note) - 1);
	note[sizeof(note) - 1] = '\0';
	for (int round = 0; round < 160; round++) {
		int64_t first = id, delta = 0;
		int rows, roll, unsynced;

		seed = seed * 1103515245u + 12345u;
		rows = 1 + (int)((seed >> 8) % 400);
		roll = (seed >> 20) % 6 == 0;
		unsynced = (seed >> 24) % 4 == 0;
		if (unsynced)
			cr_assert_eq(ops->set_durable(db, false), CH_OK);
		cr_assert_eq(ops->begin(db, true), CH_OK);
		for (int i = 0; i < rows; i++, id++) {
			snprintf(name, sizeof(name), "r%" PRId64, id);
			insert(id, name, id, note + (id % 600));
			delta += 1000000000 + id +
			    (int64_t)strlen(note + (id % 600));
		}
		if (first > 1) {
			/* Rewrite some rows of earlier commits, in place. */
			cr_assert_eq(
			    ops->exec(db,
				q("UPDATE %s SET n = n + 1 WHERE id %% 7 "
				  "= %d AND id < %" PRId64,
				    table, round % 7, first)),
			    CH_OK);
			for (int64_t k = 1; k < first; k++)
				delta += k % 7 == round % 7;
		}
		if (roll) {
			cr_assert_eq(ops->rollback(db), CH_OK);
			id = first;
		} else {
			cr_assert_eq(
			    ops->commit(db), CH_OK, "%s", ops->errmsg(db));
			want += delta;
			if (unsynced)
				cr_assert_eq(ops->sync_log(dsn), CH_OK);
		}
		if (unsynced)
			cr_assert_eq(ops->set_durable(db, true), CH_OK);
		cr_assert_eq(fingerprint(other), want, "round %d (%d rows)",
		    round, rows);
		if (round % 9 == 4)
			cr_assert_eq(
			    ops->exec(other, checkpoints[(seed >> 4) % 3]),
			    CH_OK, "%s", ops->errmsg(other));
		if (round % 16 == 15)
			cr_assert_eq(crash_image_fingerprint(), want,
			    "the files after round %d", round);
	}
	ops->close(other);
}

/*
 * A transaction too big for the page cache spills frames to the log before
 * it commits; the driver gathers them in a buffer.  When it rolls back
 * instead, those bytes must reach the file (or nowhere) before its write
 * lock is given up: the next connection to write starts on the same
 * frames, and bytes written after its commits would land over them — a new
 * reader would see rolled-back pages, and a crash would lose every commit
 * past the stale frames.  Found by review: the rolled-back writer's next
 * read wrote its buffer out over another connection's twenty commits.
 */
static void
rolled_back_spill(bool exclusive)
{
	char note[1001], name[32];
	ch_db *other = NULL, *third = NULL;
	struct ch_rows *r = NULL;
	int64_t want = 0, id = 1;

	if (is_pg()) {
		teardown();
		cr_skip_test("SQLite's log");
	}
	cr_assert_eq(ops->open(dsn, &other), CH_OK);
	memset(note, 'z', sizeof(note) - 1);
	note[sizeof(note) - 1] = '\0';
	cr_assert_eq(ops->exec(db, "PRAGMA cache_size=16"), CH_OK);
	/* The log checkpointed to its end: the next write starts it over,
	 * at the frames both writers will use. */
	cr_assert_eq(ops->exec(other, "PRAGMA wal_checkpoint(PASSIVE)"), CH_OK);
	if (exclusive) {
		/* No shared-memory locks while exclusive (found by a second
		 * review): nothing may be gathered then. */
		ops->close(other);
		other = NULL;
		cr_assert_eq(
		    ops->exec(db, "PRAGMA locking_mode=EXCLUSIVE"), CH_OK);
	}
	cr_assert_eq(ops->begin(db, true), CH_OK);
	for (int i = 0; i < 400; i++, id++) {
		snprintf(name, sizeof(name), "gone%" PRId64, id);
		insert(id, name, id, note);
	}
	cr_assert_eq(ops->rollback(db), CH_OK);
	if (exclusive) {
		cr_assert_eq(
		    ops->exec(db, "PRAGMA locking_mode=NORMAL"), CH_OK);
		cr_assert_eq(
		    ops->exec(db, "SELECT COUNT(*) FROM sqlite_master"), CH_OK);
		cr_assert_eq(ops->open(dsn, &other), CH_OK);
	}
	id = 1;
	for (int k = 0; k < 20; k++) {
		cr_assert_eq(ops->begin(other, true), CH_OK);
		for (int i = 0; i < 5; i++, id++) {
			struct ch_param p[] = {CH_P_INT(id), CH_P_TEXT(name),
			    CH_P_INT(id), CH_P_TEXT("k")};

			/* name is read when the statement runs */
			snprintf(name, sizeof(name), "kept%" PRId64, id);
			cr_assert_eq(ops->query(other,
					 q("INSERT INTO %s (id, name, n, note) "
					   "VALUES ($1, $2, $3, $4)",
					     table),
					 p, 4, NULL, NULL),
			    CH_OK, "%s", ops->errmsg(other));
			want += 1000000000 + id + 1;
		}
		cr_assert_eq(ops->commit(other), CH_OK);
	}
	cr_assert_eq(fingerprint(other), want);
	/* The first connection reads, then closes: nothing of its own may
	 * reach the log now. */
	cr_assert_eq(fingerprint(db), want);
	cr_assert_eq(fingerprint(other), want);
	cr_assert_eq(crash_image_fingerprint(), want, "the files");
	ops->close(db);
	db = NULL;
	cr_assert_eq(crash_image_fingerprint(), want, "the files after close");
	cr_assert_eq(ops->open(dsn, &third), CH_OK);
	cr_assert_eq(fingerprint(third), want, "a new connection");
	cr_assert_eq(
	    ops->query(third, "PRAGMA integrity_check", NULL, 0, &r, NULL),
	    CH_OK);
	cr_assert_str_eq(ch_rows_get(r, 0, 0), "ok");
	ch_rows_free(r);
	ops->close(third);
	db = other; /* the suite's teardown drops the table through it */
}

Test(db, a_rolled_back_spill_never_lands_on_anothers_commits)
{
	rolled_back_spill(false);
}

Test(db, a_rolled_back_spill_in_exclusive_mode_neither)
{
	rolled_back_spill(true);
}

/* A new SQLite database holds the post's whole record: only its owner
 * reads it (and its log), whatever the umask and the directory's mode
 * (a directory made by someone else, or restore's new one). */
Test(db, a_new_sqlite_database_is_its_owners_alone)
{
	char path[160], file[176];
	const char *const suffix[] = {"", "-wal", "-shm"};
	ch_db *fresh = NULL;
	struct stat st;
	mode_t old;

	if (is_pg()) {
		teardown();
		cr_skip_test("SQLite files only");
	}
	snprintf(path, sizeof(path), "/tmp/chancery-test-db-mode-%ld.sqlite",
	    (long)getpid());
	for (size_t i = 0; i < 3; i++) {
		snprintf(file, sizeof(file), "%s%s", path, suffix[i]);
		unlink(file);
	}
	old = umask(022);
	cr_assert_eq(ops->open(q("sqlite:%s", path), &fresh), CH_OK);
	umask(old);
	cr_assert_eq(ops->exec(fresh,
			 "CREATE TABLE t (x TEXT);"
			 "INSERT INTO t VALUES ('personal data');"),
	    CH_OK);
	for (size_t i = 0; i < 3; i++) {
		snprintf(file, sizeof(file), "%s%s", path, suffix[i]);
		cr_assert_eq(stat(file, &st), 0, "%s", file);
		cr_expect_eq(st.st_mode & 077, 0, "%s is mode %03o", file,
		    (unsigned)(st.st_mode & 0777));
	}
	ops->close(fresh);
	for (size_t i = 0; i < 3; i++) {
		snprintf(file, sizeof(file), "%s%s", path, suffix[i]);
		unlink(file);
	}
}
