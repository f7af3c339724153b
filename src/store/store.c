/*
 * store.c — the connection pool, transactions and migrations.
 *
 * ch_store_open() opens the first connection, runs the migrations this
 * binary knows inside one transaction each (recorded in schema_migrations)
 * and refuses a database that records a version it does not know.  Further
 * connections open on demand up to the pool size; a transaction holds one
 * connection from ch_store_begin() to its commit or rollback.
 */
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "store/store_int.h"

#define POOL_MAX 32

struct ch_store {
	const struct ch_db_ops *ops;
	char *dsn;
	int schema_version;
	pthread_mutex_t lock;
	pthread_cond_t freed;
	int size;              /* connections allowed */
	int open;              /* connections opened */
	ch_db *idle[POOL_MAX]; /* connections waiting for a transaction */
	int nidle;
	/* The connection of the last write: the next write takes it again
	 * and reads take others while they can, so that its page cache stays
	 * warm (SQLite drops a connection's whole cache when another
	 * connection has written since its last transaction). */
	ch_db *writer;
	_Atomic uint64_t queries, query_us, transactions, commit_us, errors,
	    busy;
	/* SQLite: writers of this process take turns in arrival order (a
	 * ticket lock) before BEGIN IMMEDIATE, rather than polling the
	 * database lock, which lets a busy writer starve the others (the
	 * audit checkpoint thread among them). */
	bool writer_turns;
	pthread_mutex_t turn_lock;
	pthread_cond_t turn_done;
	uint64_t next_ticket, serving;
	pthread_t turn_owner; /* valid while turn_held */
	bool turn_held;
	uint64_t serial; /* unique in the process (ch_store_serial) */
};

struct ch_tx {
	struct ch_store *store;
	ch_db *db;
	bool write;
	bool has_turn;
	bool unsynced; /* commits without waiting for the disk */
	int64_t started_ms;
};

/* Wait for this thread's turn to write; false (at once) when the thread
 * already holds it: a second write transaction on the same thread would
 * wait for itself. */
static bool
turn_take(struct ch_store *store)
{
	uint64_t mine;

	pthread_mutex_lock(&store->turn_lock);
	if (store->turn_held &&
	    pthread_equal(store->turn_owner, pthread_self())) {
		pthread_mutex_unlock(&store->turn_lock);
		return false;
	}
	mine = store->next_ticket++;
	while (store->serving != mine)
		pthread_cond_wait(&store->turn_done, &store->turn_lock);
	store->turn_owner = pthread_self();
	store->turn_held = true;
	pthread_mutex_unlock(&store->turn_lock);
	return true;
}

static void
turn_give(struct ch_store *store)
{
	pthread_mutex_lock(&store->turn_lock);
	store->turn_held = false;
	store->serving++;
	pthread_cond_broadcast(&store->turn_done);
	pthread_mutex_unlock(&store->turn_lock);
}

static ch_err
pool_take(struct ch_store *store, bool write, ch_db **out)
{
	ch_err err = CH_OK;

	pthread_mutex_lock(&store->lock);
	while (store->nidle == 0 && store->open >= store->size)
		pthread_cond_wait(&store->freed, &store->lock);
	if (store->nidle > 0) {
		int pick = store->nidle - 1;

		for (int i = store->nidle; i-- > 0;) {
			bool is_writer = store->idle[i] == store->writer;

			if (write ? is_writer : !is_writer) {
				pick = i;
				break;
			}
		}
		*out = store->idle[pick];
		store->idle[pick] = store->idle[--store->nidle];
		if (write)
			store->writer = *out;
	} else {
		store->open++;
		pthread_mutex_unlock(&store->lock);
		err = store->ops->open(store->dsn, out);
		pthread_mutex_lock(&store->lock);
		if (err != CH_OK) {
			store->open--;
			pthread_cond_signal(&store->freed);
		} else if (write) {
			store->writer = *out;
		}
		pthread_mutex_unlock(&store->lock);
		return err;
	}
	pthread_mutex_unlock(&store->lock);
	return err;
}

/* Give a connection back; a broken one (ok=false) is closed instead. */
static void
pool_give(struct ch_store *store, ch_db *db, bool ok)
{
	pthread_mutex_lock(&store->lock);
	if (ok && store->nidle < POOL_MAX) {
		store->idle[store->nidle++] = db;
		db = NULL;
	} else {
		store->open--;
		if (store->writer == db)
			store->writer = NULL;
	}
	pthread_cond_signal(&store->freed);
	pthread_mutex_unlock(&store->lock);
	if (db != NULL)
		store->ops->close(db);
}

/* Give a transaction's connection back, durable again after an unsynced
 * transaction (or closed when it cannot be made so). */
static void
tx_give(struct ch_tx *tx, bool ok)
{
	if (tx->unsynced && ok &&
	    tx->store->ops->set_durable(tx->db, true) != CH_OK) {
		log_error("cannot make a connection durable again: %s",
		    tx->store->ops->errmsg(tx->db));
		ok = false;
	}
	pool_give(tx->store, tx->db, ok);
}

/* The highest version recorded in schema_migrations, 0 for a new one. */
static ch_err
recorded_version(struct ch_store *store, ch_db *db, int *out)
{
	struct ch_rows *rows = NULL;
	ch_err err;

	err = store->ops->exec(db,
	    "CREATE TABLE IF NOT EXISTS schema_migrations ("
	    " version BIGINT PRIMARY KEY,"
	    " name TEXT NOT NULL,"
	    " applied_at TEXT NOT NULL)");
	if (err != CH_OK)
		return err;
	err = store->ops->query(db,
	    "SELECT COALESCE(MAX(version), 0) FROM schema_migrations", NULL, 0,
	    &rows, NULL);
	if (err != CH_OK)
		return err;
	*out = (int)ch_rows_int(rows, 0, 0, 0);
	ch_rows_free(rows);
	return CH_OK;
}

static ch_err
migrate(struct ch_store *store, ch_db *db)
{
	char now[CH_TIMESTAMP_LEN];
	int current;
	ch_err err;

	/* Two processes creating the table at once: one may fail; retry. */
	for (int attempt = 0; attempt < 5; attempt++) {
		if ((err = recorded_version(store, db, &current)) == CH_OK)
			break;
		store->ops->rollback(db);
		usleep(100000);
	}
	if (err != CH_OK) {
		log_error("cannot read the schema version: %s",
		    store->ops->errmsg(db));
		return err;
	}
	if (current > ch_store_schema_latest()) {
		log_error("the database is at schema version %d but this "
			  "chancery knows only up to %d: run a newer chancery "
			  "(downgrades are not supported)",
		    current, ch_store_schema_latest());
		return CH_ERR_SCHEMA_NEWER;
	}
	for (size_t i = 0; i < ch_migrations_count; i++) {
		const struct ch_migration *m = &ch_migrations[i];
		const char *sql = m->sqlite_sql != NULL &&
			strcmp(store->ops->name, "sqlite") == 0
		    ? m->sqlite_sql
		    : m->sql;
		struct ch_param p[3];

		if (m->version <= current)
			continue;
		ch_time_format(ch_clock_now(), now);
		p[0] = CH_P_INT(m->version);
		p[1] = CH_P_TEXT(m->name);
		p[2] = CH_P_TEXT(now);
		/*
		 * Claim the migration first: the primary key makes a second
		 * process that migrates at the same time wait here, then
		 * find the row taken and skip the migration it applied.
		 */
		if ((err = store->ops->begin(db, true)) != CH_OK)
			return err;
		err = store->ops->query(db,
		    "INSERT INTO schema_migrations (version, name, applied_at)"
		    " VALUES ($1, $2, $3)",
		    p, 3, NULL, NULL);
		if (err == CH_ERR_CONFLICT) {
			store->ops->rollback(db);
			continue;
		}
		if (err != CH_OK ||
		    (sql != NULL &&
			(err = store->ops->exec(db, sql)) != CH_OK) ||
		    (err = store->ops->commit(db)) != CH_OK) {
			log_error("migration %d (%s) failed: %s", m->version,
			    m->name, store->ops->errmsg(db));
			store->ops->rollback(db);
			return err;
		}
		log_info("applied migration %d: %s", m->version, m->name);
	}
	store->schema_version = ch_store_schema_latest();
	return CH_OK;
}

int
ch_store_schema_latest(void)
{
	return ch_migrations[ch_migrations_count - 1].version;
}

int
ch_store_schema_version(const struct ch_store *store)
{
	return store->schema_version;
}

const char *
ch_store_engine(const struct ch_store *store)
{
	return store->ops->name;
}

static _Atomic uint64_t store_serials;

uint64_t
ch_store_serial(const struct ch_store *store)
{
	return store->serial;
}

ch_err
ch_store_open(const char *dsn, int nconns, struct ch_store **out)
{
	struct ch_store *store;
	ch_db *db = NULL;
	ch_err err;

	*out = NULL;
	store = calloc(1, sizeof(*store));
	if (store == NULL)
		return CH_ERR_NOMEM;
	store->ops = ch_db_ops_for(dsn);
	if (store->ops == NULL) {
		log_error("unknown database %s: use sqlite:PATH or "
			  "postgresql://USER@HOST:PORT/NAME",
		    dsn ? dsn : "(none)");
		free(store);
		return CH_ERR_INVALID;
	}
	store->dsn = strdup(dsn);
	store->serial = atomic_fetch_add(&store_serials, 1) + 1;
	store->size = nconns < 1 ? 1 : nconns > POOL_MAX ? POOL_MAX : nconns;
	pthread_mutex_init(&store->lock, NULL);
	pthread_cond_init(&store->freed, NULL);
	pthread_mutex_init(&store->turn_lock, NULL);
	pthread_cond_init(&store->turn_done, NULL);
	store->writer_turns = store->ops == &ch_db_sqlite_ops;
	if (store->dsn == NULL) {
		err = CH_ERR_NOMEM;
		goto fail;
	}
	if ((err = pool_take(store, false, &db)) != CH_OK)
		goto fail;
	if ((err = migrate(store, db)) != CH_OK) {
		pool_give(store, db, false);
		goto fail;
	}
	pool_give(store, db, true);
	*out = store;
	return CH_OK;

fail:
	ch_store_close(store);
	return err;
}

void
ch_store_close(struct ch_store *store)
{
	if (store == NULL)
		return;
	for (int i = 0; i < store->nidle; i++)
		store->ops->close(store->idle[i]);
	pthread_mutex_destroy(&store->lock);
	pthread_cond_destroy(&store->freed);
	pthread_mutex_destroy(&store->turn_lock);
	pthread_cond_destroy(&store->turn_done);
	free(store->dsn);
	free(store);
}

static ch_err
store_begin(struct ch_store *store, bool write, bool snapshot, bool unsynced,
    struct ch_tx **out)
{
	struct ch_tx *tx;
	ch_err err;

	*out = NULL;
	tx = calloc(1, sizeof(*tx));
	if (tx == NULL)
		return CH_ERR_NOMEM;
	tx->store = store;
	tx->write = write;
	tx->started_ms = ch_clock_mono_ms();
	if (write && store->writer_turns) {
		if (!turn_take(store)) {
			log_error("a write transaction inside another on the "
				  "same thread: finish the first one first");
			free(tx);
			return CH_ERR_BUSY;
		}
		tx->has_turn = true;
	}
	if ((err = pool_take(store, write, &tx->db)) != CH_OK) {
		if (tx->has_turn)
			turn_give(store);
		free(tx);
		return err;
	}
	err = CH_OK;
	if (unsynced && store->ops->set_durable != NULL) {
		tx->unsynced = true;
		err = store->ops->set_durable(tx->db, false);
	}
	if (err == CH_OK)
		err = snapshot ? store->ops->begin_snapshot(tx->db)
			       : store->ops->begin(tx->db, write);
	if (err != CH_OK) {
		log_error("begin: %s", store->ops->errmsg(tx->db));
		if (err == CH_ERR_BUSY)
			atomic_fetch_add(&store->busy, 1);
		tx_give(tx, err == CH_ERR_BUSY);
		if (tx->has_turn)
			turn_give(store);
		free(tx);
		return err;
	}
	atomic_fetch_add(&store->transactions, 1);
	*out = tx;
	return CH_OK;
}

ch_err
ch_store_begin(struct ch_store *store, bool write, struct ch_tx **out)
{
	return store_begin(store, write, false, false, out);
}

ch_err
ch_store_begin_unsynced(struct ch_store *store, struct ch_tx **out)
{
	return store_begin(store, true, false, true, out);
}

ch_err
ch_store_sync(struct ch_store *store)
{
	if (store->ops->sync_log == NULL)
		return CH_OK;
	return store->ops->sync_log(store->dsn);
}

ch_err
ch_store_begin_snapshot(struct ch_store *store, struct ch_tx **out)
{
	return store_begin(store, false, true, false, out);
}

const char *
ch_tx_engine(const struct ch_tx *tx)
{
	return tx->store->ops->name;
}

ch_err
ch_store_commit(struct ch_tx *tx)
{
	struct ch_store *store = tx->store;
	int64_t t0 = ch_clock_mono_ms();
	ch_err err;

	err = store->ops->commit(tx->db);
	if (err != CH_OK) {
		log_error("commit: %s", store->ops->errmsg(tx->db));
		atomic_fetch_add(&store->errors, 1);
		store->ops->rollback(tx->db);
	}
	atomic_fetch_add(
	    &store->commit_us, (uint64_t)(ch_clock_mono_ms() - t0) * 1000);
	tx_give(tx, true);
	if (tx->has_turn)
		turn_give(store);
	free(tx);
	return err;
}

void
ch_store_rollback(struct ch_tx *tx)
{
	bool ok;

	if (tx == NULL)
		return;
	ok = tx->store->ops->rollback(tx->db) == CH_OK;
	tx_give(tx, ok);
	if (tx->has_turn)
		turn_give(tx->store);
	free(tx);
}

ch_err
ch_tx_query(struct ch_tx *tx, const char *sql, const struct ch_param *params,
    size_t nparams, struct ch_rows **out, int64_t *changes)
{
	struct ch_store *store = tx->store;
	struct timespec a, b;
	ch_err err;

	clock_gettime(CLOCK_MONOTONIC, &a);
	err = store->ops->query(tx->db, sql, params, nparams, out, changes);
	clock_gettime(CLOCK_MONOTONIC, &b);
	atomic_fetch_add(&store->queries, 1);
	atomic_fetch_add(&store->query_us,
	    (uint64_t)((b.tv_sec - a.tv_sec) * 1000000 +
		(b.tv_nsec - a.tv_nsec) / 1000));
	if (err == CH_ERR_BUSY)
		atomic_fetch_add(&store->busy, 1);
	else if (err != CH_OK && err != CH_ERR_CONFLICT)
		atomic_fetch_add(&store->errors, 1);
	if (err != CH_OK && err != CH_ERR_CONFLICT)
		log_error("query failed (%s): %s", ch_strerror(err),
		    store->ops->errmsg(tx->db));
	return err;
}

ch_err
ch_store_ping(struct ch_store *store)
{
	struct ch_tx *tx;
	ch_err err;

	if ((err = ch_store_begin(store, false, &tx)) != CH_OK)
		return err;
	err = ch_tx_query(tx, "SELECT 1", NULL, 0, NULL, NULL);
	ch_store_rollback(tx);
	return err;
}

void
ch_store_stats(struct ch_store *store, struct ch_store_stats *out)
{
	out->queries = atomic_load(&store->queries);
	out->query_us = atomic_load(&store->query_us);
	out->transactions = atomic_load(&store->transactions);
	out->commit_us = atomic_load(&store->commit_us);
	out->errors = atomic_load(&store->errors);
	out->busy = atomic_load(&store->busy);
}

void
ch_cell_copy(
    const struct ch_rows *r, size_t row, size_t col, char *dst, size_t size)
{
	ch_strlcpy(dst, ch_rows_get(r, row, col), size);
}

char *
ch_cell_dup(const struct ch_rows *r, size_t row, size_t col, ch_arena *arena)
{
	return ch_arena_strdup(arena, ch_rows_get(r, row, col));
}

ch_err
ch_tx_query_one(struct ch_tx *tx, const char *sql,
    const struct ch_param *params, size_t nparams,
    const struct ch_row_kind *kind, ch_arena *arena, void *out)
{
	struct ch_rows *r = NULL;
	ch_err err;

	if ((err = ch_tx_query(tx, sql, params, nparams, &r, NULL)) != CH_OK)
		return err;
	if (r->nrows == 0)
		err = CH_ERR_NOT_FOUND;
	else
		kind->read(r, 0, arena, out);
	ch_rows_free(r);
	return err;
}

ch_err
ch_tx_query_all(struct ch_tx *tx, const char *sql,
    const struct ch_param *params, size_t nparams,
    const struct ch_row_kind *kind, ch_arena *arena, void **out, size_t *count)
{
	struct ch_rows *r = NULL;
	unsigned char *items;
	ch_err err;

	if ((err = ch_tx_query(tx, sql, params, nparams, &r, NULL)) != CH_OK)
		return err;
	if (r->nrows > SIZE_MAX / kind->size ||
	    (items = ch_arena_alloc(
		 arena, kind->size * (r->nrows ? r->nrows : 1))) == NULL) {
		ch_rows_free(r);
		return CH_ERR_NOMEM;
	}
	for (size_t i = 0; i < r->nrows; i++)
		kind->read(r, i, arena, items + i * kind->size);
	*out = items;
	*count = r->nrows;
	ch_rows_free(r);
	return CH_OK;
}

size_t
ch_rows_chunk(size_t left)
{
	static const size_t chunks[] = {CH_ROWS_CHUNK_MAX, 8, 1};

	for (size_t i = 0; i < CH_ARRAY_LEN(chunks); i++)
		if (left >= chunks[i])
			return chunks[i];
	return 0;
}

static ch_err
rows_sql_build(struct ch_buf *sql, const char *head, size_t rows, size_t ncols,
    const char *tail)
{
	size_t n = 1;
	ch_err err;

	ch_buf_reset(sql);
	if ((err = ch_buf_append(sql, head, strlen(head))) != CH_OK)
		return err;
	/* Written digit by digit: a batch of the gate writes hundreds of
	 * placeholders, and a printf for each was a visible cost. */
	for (size_t r = 0; r < rows; r++) {
		for (size_t c = 0; c < ncols; c++) {
			char text[32], *p = text + sizeof(text);
			const char *sep =
			    c == 0 ? (r == 0 ? " ($" : ", ($") : ", $";

			for (size_t v = n++; p == text + sizeof(text) || v > 0;
			     v /= 10)
				*--p = (char)('0' + v % 10);
			if ((err = ch_buf_append(sql, sep, strlen(sep))) !=
				CH_OK ||
			    (err = ch_buf_append(sql, p,
				 (size_t)(text + sizeof(text) - p))) != CH_OK)
				return err;
		}
		if ((err = ch_buf_append(sql, ")", 1)) != CH_OK)
			return err;
	}
	return ch_buf_append(sql, tail, strlen(tail));
}

/*
 * The texts built so far, shared by every thread: a few (head, rows,
 * columns, tail) serve every batch (the chunks are of fixed sizes), and
 * a text of 32 rows of 16 columns is some 600 appends to build again for
 * each batch.  Kept for the life of the process; when the table is full
 * a text is built each time.
 */
#define ROWS_SQL_MEMO 48

struct rows_sql_memo {
	char *head, *tail, *text;
	size_t rows, ncols, len;
};

static pthread_mutex_t rows_sql_lock = PTHREAD_MUTEX_INITIALIZER;
static struct rows_sql_memo rows_sql_memo[ROWS_SQL_MEMO];
static size_t rows_sql_count;

ch_err
ch_rows_sql(struct ch_buf *sql, const char *head, size_t rows, size_t ncols,
    const char *tail)
{
	struct rows_sql_memo *m = NULL;
	ch_err err;

	pthread_mutex_lock(&rows_sql_lock);
	for (size_t i = 0; i < rows_sql_count; i++) {
		struct rows_sql_memo *e = &rows_sql_memo[i];

		if (e->rows == rows && e->ncols == ncols &&
		    strcmp(e->head, head) == 0 && strcmp(e->tail, tail) == 0) {
			m = e;
			break;
		}
	}
	pthread_mutex_unlock(&rows_sql_lock);
	if (m != NULL) {
		/* An entry is never changed once counted. */
		ch_buf_reset(sql);
		return ch_buf_append(sql, m->text, m->len);
	}
	if ((err = rows_sql_build(sql, head, rows, ncols, tail)) != CH_OK)
		return err;
	pthread_mutex_lock(&rows_sql_lock);
	if (rows_sql_count < ROWS_SQL_MEMO) {
		struct rows_sql_memo e = {strdup(head), strdup(tail),
		    malloc(sql->len + 1), rows, ncols, sql->len};

		if (e.head != NULL && e.tail != NULL && e.text != NULL) {
			memcpy(e.text, sql->data, sql->len);
			e.text[sql->len] = '\0';
			rows_sql_memo[rows_sql_count++] = e;
		} else {
			free(e.head);
			free(e.tail);
			free(e.text);
		}
	}
	pthread_mutex_unlock(&rows_sql_lock);
	return CH_OK;
}

struct ch_param
ch_param_opt(const char *s)
{
	if (s == NULL || *s == '\0')
		return CH_P_NULL;
	return CH_P_TEXT(s);
}

void
ch_cursor_encode(const char *key, const char *id, char *out, size_t size)
{
	char raw[600];
	int n = snprintf(raw, sizeof(raw), "%s\x1f%s", key, id);

	if (n < 0 || (size_t)n >= sizeof(raw) || (size_t)n * 2 + 1 > size) {
		out[0] = '\0';
		return;
	}
	ch_hex((const unsigned char *)raw, (size_t)n, out);
}

bool
ch_cursor_decode(
    const char *cursor, char *key, size_t key_size, char id[CH_ID_LEN])
{
	char raw[600];
	size_t len = strlen(cursor), n = len / 2;
	char *sep;

	if (len % 2 != 0 || n >= sizeof(raw))
		return false;
	for (size_t i = 0; i < n; i++) {
		char c1 = cursor[2 * i], c2 = cursor[2 * i + 1];
		unsigned hi, lo;

		if (!((c1 >= '0' && c1 <= '9') || (c1 >= 'a' && c1 <= 'f')) ||
		    !((c2 >= '0' && c2 <= '9') || (c2 >= 'a' && c2 <= 'f')))
			return false;
		hi = (unsigned)(c1 >= 'a' ? c1 - 'a' + 10 : c1 - '0');
		lo = (unsigned)(c2 >= 'a' ? c2 - 'a' + 10 : c2 - '0');
		raw[i] = (char)(hi << 4 | lo);
		if (raw[i] == '\0')
			return false;
	}
	raw[n] = '\0';
	sep = strchr(raw, '\x1f');
	if (sep == NULL)
		return false;
	*sep = '\0';
	if (!ch_id_valid(sep + 1) || !ch_strlcpy(key, raw, key_size))
		return false;
	ch_strlcpy(id, sep + 1, CH_ID_LEN);
	return true;
}
