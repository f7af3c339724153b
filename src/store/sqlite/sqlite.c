/*
 * sqlite.c — the embedded database driver.  Each connection opens the file
 * named by "sqlite:PATH" in WAL mode with synchronous=FULL (an acknowledged
 * write survives power loss), foreign keys on and a busy timeout, so that
 * concurrent writers wait instead of failing.  Statements are prepared
 * once per connection and kept in a small cache keyed by their text (the
 * least recently used is finalized when it is full); parameters written
 * $1..$n are bound by name.  Results are copied out whole, every cell as
 * text.
 *
 * Checkpoints (copying the write-ahead log back into the database) are
 * not run by the connection whose commit filled the log, as SQLite does
 * by default: that is the writer, and a busy writer (the gate's group
 * committer) would stop for the copy and its fsyncs.  One thread per
 * database file, with a connection of its own, runs a passive checkpoint
 * when a commit leaves CHECKPOINT_FRAMES or more frames in the log (and
 * CHECKPOINT_STEP more than when it last ran); it never blocks a writer.
 * Statement journals (what a multi-row statement would need to undo itself)
 * stay in memory.
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "store/db.h"
#include "store/sqlite/walvfs.h"

#define BUSY_TIMEOUT_MS 5000
#define STMT_CACHE 64 /* prepared statements kept per connection */
/* A checkpoint when the log holds 2000 frames (8 MiB of 4 KiB pages),
 * then again each time it has grown by CHECKPOINT_STEP more, until it is
 * started over.  Not SQLite's checkpoint after every commit past 1000: the
 * pages every commit rewrites (the heads, the upper levels of the
 * indexes) are copied back once per checkpoint however often they were
 * logged, and each checkpoint ends with an fsync of the database (the
 * gate's batches commit every millisecond or so).  Not larger either:
 * a checkpoint of 8000 frames wrote some 30 MB at once, and the fsync of
 * the next batches' log waited behind it (commits of 20-27 ms, the gate's
 * p99 stalls); at 2000 a checkpoint takes 2 ms, 7 at the most. */
#define CHECKPOINT_FRAMES 2000
#define CHECKPOINT_STEP 256
#define CHECKPOINTERS 16
/* A log this long (32 MiB) is checkpointed by the writer itself, right
 * after its commit, as SQLite does by default: under a steady stream of
 * commits the thread's passive checkpoints may never find the log copied
 * to its end, which is when the next writer starts it over.  The thread
 * has copied all but the last few hundred frames by then: a few ms. */
#define CHECKPOINT_FRAMES_WRITER (4 * CHECKPOINT_FRAMES)

static pthread_once_t setup_once = PTHREAD_ONCE_INIT;
static const char *vfs_name;

/* Once per process, before SQLite first initialises: no memory
 * statistics (SQLite would take a global mutex around every allocation
 * of every connection to keep them); a DSN's path is a file's name, never
 * a "file:" URI with options (Debian's SQLite reads URIs by default: its
 * options could change how the log is written, and sync_log, which names
 * the log after the path, would sync another file); and the VFS that
 * gathers the log's writes. */
static void
setup(void)
{
	(void)sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0);
	(void)sqlite3_config(SQLITE_CONFIG_URI, 0);
	vfs_name = ch_walvfs();
}

static const char *
sqlite_vfs(void)
{
	pthread_once(&setup_once, setup);
	return vfs_name;
}

/* The checkpoint thread of one database file, shared by its connections
 * in this process. */
struct checkpointer {
	char path[4096];
	int refs; /* connections using it (-1: its thread is being joined);
		   * under ckpt_lock */
	bool wanted, stop;
	int asked; /* the log's frames when a checkpoint was last asked for */
	pthread_t thread;
	pthread_cond_t cond;
};

static pthread_mutex_t ckpt_lock = PTHREAD_MUTEX_INITIALIZER;
static struct checkpointer checkpointers[CHECKPOINTERS];

struct cached_stmt {
	char *sql; /* NULL: a free slot */
	size_t len;
	uint64_t hash;
	sqlite3_stmt *stmt;
	uint64_t used;
	/* The index of $1, $2, ... in the statement (0: unused), found once:
	 * SQLite looks a name up by a linear scan, which a multi-row INSERT
	 * of hundreds of parameters would pay for each one. */
	int *index;
	size_t nindex;
};

struct ch_db {
	sqlite3 *handle;
	bool unsynced;             /* commits do not sync the log */
	bool sync_normal;          /* ...because synchronous=NORMAL */
	struct checkpointer *ckpt; /* NULL: SQLite checkpoints by itself */
	char errmsg[256];
	struct cached_stmt cache[STMT_CACHE];
	uint64_t tick;
};

static void
remember_error(ch_db *db)
{
	ch_strlcpy(db->errmsg, sqlite3_errmsg(db->handle), sizeof(db->errmsg));
}

static ch_err
map_error(ch_db *db, int rc)
{
	remember_error(db);
	if (rc == SQLITE_CONSTRAINT_NOTNULL || rc == SQLITE_CONSTRAINT_CHECK)
		return CH_ERR_INVALID; /* bad input, not a clash */
	switch (rc & 0xff) {
	case SQLITE_CONSTRAINT:
		return CH_ERR_CONFLICT;
	case SQLITE_BUSY:
	case SQLITE_LOCKED:
		return CH_ERR_BUSY;
	case SQLITE_NOMEM:
		return CH_ERR_NOMEM;
	case SQLITE_IOERR:
	case SQLITE_FULL:
	case SQLITE_CANTOPEN:
		return CH_ERR_IO;
	default:
		return CH_ERR_STORE;
	}
}

static ch_err
sqlite_exec(ch_db *db, const char *sql)
{
	int rc = sqlite3_exec(db->handle, sql, NULL, NULL, NULL);

	return rc == SQLITE_OK ? CH_OK : map_error(db, rc);
}

static void *
checkpointer_main(void *arg)
{
	struct checkpointer *c = arg;
	sqlite3 *handle = NULL;

	pthread_mutex_lock(&ckpt_lock);
	for (;;) {
		int rc;

		while (!c->wanted && !c->stop)
			pthread_cond_wait(&c->cond, &ckpt_lock);
		if (c->stop)
			break;
		c->wanted = false;
		pthread_mutex_unlock(&ckpt_lock);
		if (handle == NULL &&
		    sqlite3_open_v2(c->path, &handle,
			SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX,
			sqlite_vfs()) == SQLITE_OK) {
			sqlite3_busy_timeout(handle, BUSY_TIMEOUT_MS);
			(void)sqlite3_exec(handle,
			    "PRAGMA synchronous=FULL; PRAGMA "
			    "wal_autocheckpoint=0",
			    NULL, NULL, NULL);
		}
		rc = handle != NULL ? sqlite3_wal_checkpoint_v2(handle, NULL,
					  SQLITE_CHECKPOINT_PASSIVE, NULL, NULL)
				    : SQLITE_CANTOPEN;
		if (rc != SQLITE_OK && rc != SQLITE_BUSY)
			log_warn("checkpoint of %s failed: %s", c->path,
			    handle ? sqlite3_errmsg(handle) : "cannot open");
		pthread_mutex_lock(&ckpt_lock);
	}
	pthread_mutex_unlock(&ckpt_lock);
	/* The last connection to close checkpoints whatever is left. */
	sqlite3_close_v2(handle);
	return NULL;
}

/* SQLite's WAL hook, after each commit of a connection: ask the file's
 * checkpoint thread for a checkpoint when the log is long enough. */
static int
on_wal_commit(void *arg, sqlite3 *handle, const char *name, int frames)
{
	struct checkpointer *c = arg;

	if (frames >= CHECKPOINT_FRAMES_WRITER) {
		(void)sqlite3_wal_checkpoint_v2(
		    handle, name, SQLITE_CHECKPOINT_PASSIVE, NULL, NULL);
		return SQLITE_OK;
	}
	if (frames >= CHECKPOINT_FRAMES) {
		pthread_mutex_lock(&ckpt_lock);
		if (frames < c->asked)
			c->asked = 0; /* the log was started over */
		if (frames - c->asked >= CHECKPOINT_STEP) {
			c->asked = frames;
			c->wanted = true;
			pthread_cond_signal(&c->cond);
		}
		pthread_mutex_unlock(&ckpt_lock);
	}
	return SQLITE_OK;
}

/* The checkpoint thread of path, started by its first connection; NULL
 * when none can be had (the connection then checkpoints by itself). */
static struct checkpointer *
checkpointer_take(const char *path)
{
	struct checkpointer *c = NULL, *unused = NULL;

	if (strlen(path) >= sizeof(checkpointers[0].path) ||
	    strcmp(path, ":memory:") == 0)
		return NULL;
	pthread_mutex_lock(&ckpt_lock);
	for (size_t i = 0; i < CHECKPOINTERS && c == NULL; i++) {
		if (checkpointers[i].refs > 0 &&
		    strcmp(checkpointers[i].path, path) == 0)
			c = &checkpointers[i];
		else if (checkpointers[i].refs == 0 && unused == NULL)
			unused = &checkpointers[i];
	}
	if (c == NULL && unused != NULL) {
		c = unused;
		ch_strlcpy(c->path, path, sizeof(c->path));
		c->wanted = c->stop = false;
		c->asked = 0;
		pthread_cond_init(&c->cond, NULL);
		if (pthread_create(&c->thread, NULL, checkpointer_main, c) !=
		    0) {
			pthread_cond_destroy(&c->cond);
			c = NULL;
		}
	}
	if (c != NULL)
		c->refs++;
	pthread_mutex_unlock(&ckpt_lock);
	return c;
}

static void
checkpointer_give(struct checkpointer *c)
{
	bool last;

	if (c == NULL)
		return;
	pthread_mutex_lock(&ckpt_lock);
	last = --c->refs == 0;
	if (last) {
		c->refs = -1; /* nobody takes the slot until joined */
		c->stop = true;
		pthread_cond_signal(&c->cond);
	}
	pthread_mutex_unlock(&ckpt_lock);
	if (last) {
		pthread_join(c->thread, NULL);
		pthread_cond_destroy(&c->cond);
		pthread_mutex_lock(&ckpt_lock);
		c->refs = 0;
		pthread_mutex_unlock(&ckpt_lock);
	}
}

static void
sqlite_close(ch_db *db)
{
	if (db == NULL)
		return;
	for (size_t i = 0; i < STMT_CACHE; i++) {
		sqlite3_finalize(db->cache[i].stmt);
		free(db->cache[i].sql);
		free(db->cache[i].index);
	}
	sqlite3_close_v2(db->handle);
	checkpointer_give(db->ckpt);
	free(db);
}

static ch_err
sqlite_open(const char *dsn, ch_db **out)
{
	static const char *const pragmas = "PRAGMA journal_mode=WAL;"
					   "PRAGMA synchronous=FULL;"
					   "PRAGMA foreign_keys=ON;"
					   "PRAGMA trusted_schema=OFF;"
					   "PRAGMA temp_store=MEMORY;";
	const char *path = dsn + strlen("sqlite:");
	ch_db *db;
	int rc;

	*out = NULL;
	if (*path == '\0')
		return CH_ERR_INVALID;
	/* A new database is its owner's alone (SQLite would make it 0644
	 * less the umask; its log and shared memory files take the
	 * database's mode): it holds the post's whole record, and the
	 * directory around it may be another's making. */
	if (strcmp(path, ":memory:") != 0) {
		int fd =
		    open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);

		if (fd >= 0)
			close(fd);
	}
	db = calloc(1, sizeof(*db));
	if (db == NULL)
		return CH_ERR_NOMEM;
	rc = sqlite3_open_v2(path, &db->handle,
	    SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX,
	    sqlite_vfs());
	if (rc != SQLITE_OK) {
		log_error("cannot open %s: %s", path,
		    db->handle ? sqlite3_errmsg(db->handle) : "out of memory");
		sqlite_close(db);
		return CH_ERR_IO;
	}
	sqlite3_busy_timeout(db->handle, BUSY_TIMEOUT_MS);
	sqlite3_extended_result_codes(db->handle, 1);
	if (sqlite_exec(db, pragmas) != CH_OK) {
		log_error("cannot configure %s: %s", path, db->errmsg);
		sqlite_close(db);
		return CH_ERR_STORE;
	}
	/* Replaces SQLite's own checkpoint-on-commit hook. */
	if ((db->ckpt = checkpointer_take(path)) != NULL)
		sqlite3_wal_hook(db->handle, on_wal_commit, db->ckpt);
	*out = db;
	return CH_OK;
}

/* Find the index of each $n of a cached statement. */
static void
index_params(struct cached_stmt *c)
{
	int count = sqlite3_bind_parameter_count(c->stmt);
	long n, max = 0;

	c->nindex = 0;
	for (int idx = 1; idx <= count; idx++) {
		const char *name = sqlite3_bind_parameter_name(c->stmt, idx);

		if (name != NULL && name[0] == '$' &&
		    ch_parse_long(name + 1, 1, 1L << 20, &n) && n > max)
			max = n;
	}
	if (max == 0 || (c->index = calloc((size_t)max, sizeof(int))) == NULL)
		return;
	c->nindex = (size_t)max;
	for (int idx = 1; idx <= count; idx++) {
		const char *name = sqlite3_bind_parameter_name(c->stmt, idx);

		if (name != NULL && name[0] == '$' &&
		    ch_parse_long(name + 1, 1, 1L << 20, &n))
			c->index[n - 1] = idx;
	}
}

static ch_err
bind_params(ch_db *db, sqlite3_stmt *stmt, const struct cached_stmt *slot,
    const struct ch_param *params, size_t nparams)
{
	char name[24];
	int idx, rc;

	for (size_t i = 0; i < nparams; i++) {
		if (slot != NULL && slot->index != NULL) {
			idx = i < slot->nindex ? slot->index[i] : 0;
		} else {
			snprintf(name, sizeof(name), "$%zu", i + 1);
			idx = sqlite3_bind_parameter_index(stmt, name);
		}
		if (idx == 0)
			continue; /* a parameter the statement does not use */
		switch (params[i].type) {
		case CH_PARAM_TEXT:
			rc = sqlite3_bind_text(
			    stmt, idx, params[i].text, -1, SQLITE_STATIC);
			break;
		case CH_PARAM_INT:
			rc = sqlite3_bind_int64(stmt, idx, params[i].num);
			break;
		default:
			rc = sqlite3_bind_null(stmt, idx);
			break;
		}
		if (rc != SQLITE_OK)
			return map_error(db, rc);
	}
	return CH_OK;
}

/* Grow rows by one row of ncols cells copied from stmt. */
static ch_err
read_row(sqlite3_stmt *stmt, struct ch_rows *rows, size_t *cap)
{
	size_t base;

	if (rows->nrows == *cap) {
		size_t ncap = *cap ? *cap * 2 : 16;
		char **cells = realloc(rows->cells,
		    ncap * rows->ncols * sizeof(char *) + sizeof(char *));

		if (cells == NULL)
			return CH_ERR_NOMEM;
		rows->cells = cells;
		*cap = ncap;
	}
	base = rows->nrows * rows->ncols;
	for (size_t c = 0; c < rows->ncols; c++) {
		const unsigned char *text;
		int n;

		rows->cells[base + c] = NULL;
		if (sqlite3_column_type(stmt, (int)c) == SQLITE_NULL)
			continue;
		text = sqlite3_column_text(stmt, (int)c);
		n = sqlite3_column_bytes(stmt, (int)c);
		if (text == NULL ||
		    (rows->cells[base + c] = ch_rows_copy(
			 rows, (const char *)text, (size_t)n)) == NULL)
			return CH_ERR_NOMEM;
	}
	rows->nrows++;
	return CH_OK;
}

/* A hash of the len bytes at s, eight at a time: the gate's multi-row
 * statements are kilobytes long, and a byte-at-a-time hash of them was a
 * visible part of its batches. */
static uint64_t
sql_hash(const char *s, size_t len)
{
	uint64_t h = len * 0x9e3779b97f4a7c15u, w;
	size_t i = 0;

	for (; i + 8 <= len; i += 8) {
		memcpy(&w, s + i, 8);
		h = (h ^ w) * 0xff51afd7ed558ccdu;
		h ^= h >> 32;
	}
	for (; i < len; i++)
		h = (h ^ (unsigned char)s[i]) * 0x100000001b3u;
	return h;
}

/* The prepared statement for sql, from the cache or new; *slot is its
 * cache slot, or NULL when it is not cached (finalize it after use). */
static int
stmt_get(
    ch_db *db, const char *sql, sqlite3_stmt **stmt, struct cached_stmt **slot)
{
	size_t len = strlen(sql);
	uint64_t h = sql_hash(sql, len);
	struct cached_stmt *lru = &db->cache[0];
	int rc;

	*slot = NULL;
	for (size_t i = 0; i < STMT_CACHE; i++) {
		struct cached_stmt *c = &db->cache[i];

		if (c->sql != NULL && c->hash == h && c->len == len &&
		    memcmp(c->sql, sql, len) == 0) {
			c->used = ++db->tick;
			*stmt = c->stmt;
			*slot = c;
			return SQLITE_OK;
		}
		if (c->sql == NULL || (lru->sql != NULL && c->used < lru->used))
			lru = c;
	}
	rc = sqlite3_prepare_v3(
	    db->handle, sql, -1, SQLITE_PREPARE_PERSISTENT, stmt, NULL);
	if (rc != SQLITE_OK)
		return rc;
	if (lru->sql != NULL) {
		sqlite3_finalize(lru->stmt);
		free(lru->sql);
		free(lru->index);
		lru->sql = NULL;
		lru->index = NULL;
	}
	if ((lru->sql = strdup(sql)) != NULL) {
		lru->hash = h;
		lru->len = len;
		lru->stmt = *stmt;
		lru->used = ++db->tick;
		index_params(lru);
		*slot = lru;
	}
	return SQLITE_OK;
}

/* Done with a statement: reset a cached one, finalize any other. */
static void
stmt_put(sqlite3_stmt *stmt, struct cached_stmt *slot)
{
	if (slot == NULL) {
		sqlite3_finalize(stmt);
		return;
	}
	sqlite3_reset(stmt);
	sqlite3_clear_bindings(stmt);
}

/* An empty result set with stmt's column names, in *out (NULL on
 * failure). */
static ch_err
new_rows(sqlite3_stmt *stmt, struct ch_rows **out)
{
	struct ch_rows *rows = calloc(1, sizeof(*rows));

	*out = NULL;
	if (rows == NULL)
		return CH_ERR_NOMEM;
	rows->ncols = (size_t)sqlite3_column_count(stmt);
	if ((rows->names = calloc(rows->ncols + 1, sizeof(char *))) == NULL)
		goto nomem;
	for (size_t c = 0; c < rows->ncols; c++) {
		const char *name = sqlite3_column_name(stmt, (int)c);

		if (name == NULL)
			name = "";
		if ((rows->names[c] = ch_rows_copy(rows, name, strlen(name))) ==
		    NULL)
			goto nomem;
	}
	*out = rows;
	return CH_OK;

nomem:
	ch_rows_free(rows);
	return CH_ERR_NOMEM;
}

static ch_err
sqlite_query(ch_db *db, const char *sql, const struct ch_param *params,
    size_t nparams, struct ch_rows **out, int64_t *changes)
{
	sqlite3_stmt *stmt = NULL;
	struct cached_stmt *slot = NULL;
	struct ch_rows *rows = NULL;
	size_t cap = 0;
	ch_err err;
	int rc;

	if (out != NULL)
		*out = NULL;
	rc = stmt_get(db, sql, &stmt, &slot);
	if (rc != SQLITE_OK) {
		err = map_error(db, rc);
		log_error("prepare: %s", db->errmsg);
		return err;
	}
	if ((err = bind_params(db, stmt, slot, params, nparams)) != CH_OK)
		goto fail_stmt;
	/* Rows nobody reads are only stepped through. */
	if (out != NULL && (err = new_rows(stmt, &rows)) != CH_OK)
		goto fail_rows;
	while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
		if (rows != NULL && rows->ncols > 0 &&
		    (err = read_row(stmt, rows, &cap)) != CH_OK)
			goto fail_rows;
	}
	if (rc != SQLITE_DONE) {
		err = map_error(db, rc);
		goto fail_rows;
	}
	if (changes != NULL)
		*changes = sqlite3_changes64(db->handle);
	stmt_put(stmt, slot);
	if (out != NULL)
		*out = rows;
	return CH_OK;

fail_rows:
	ch_rows_free(rows);
fail_stmt:
	stmt_put(stmt, slot);
	return err;
}

static ch_err
sqlite_begin(ch_db *db, bool write)
{
	ch_err err = sqlite_exec(db, write ? "BEGIN IMMEDIATE" : "BEGIN");

	/* The log is open once the transaction holds its lock: a durable
	 * connection's commits may gather their writes (walvfs.c). */
	if (err == CH_OK && write && !db->unsynced) {
		int rc = ch_walvfs_set(db->handle, true, true);

		if (rc != SQLITE_OK && rc != SQLITE_NOTFOUND) {
			sqlite_exec(db, "ROLLBACK");
			return CH_ERR_IO;
		}
	}
	return err;
}

/*
 * In WAL mode a read transaction sees the database as of its first read,
 * until it ends, while writers go on: read at once to fix the snapshot.
 */
static ch_err
sqlite_begin_snapshot(ch_db *db)
{
	ch_err err = sqlite_exec(db, "BEGIN");

	if (err == CH_OK &&
	    (err = sqlite_exec(db, "SELECT COUNT(*) FROM sqlite_master")) !=
		CH_OK)
		sqlite_exec(db, "ROLLBACK");
	return err;
}

static ch_err
sqlite_commit(ch_db *db)
{
	return sqlite_exec(db, "COMMIT");
}

static ch_err
sqlite_rollback(ch_db *db)
{
	if (sqlite3_get_autocommit(db->handle))
		return CH_OK; /* nothing open: SQLite rolled back already */
	return sqlite_exec(db, "ROLLBACK");
}

static const char *
sqlite_errmsg(ch_db *db)
{
	return db->errmsg;
}

/*
 * Unsynced: commits go to the log without waiting for the disk (the
 * caller syncs it with sync_log).  The log's writes are gathered still,
 * and SQLite's sync at commit writes them out without an fsync
 * (walvfs.c); when the log is not one of ours, synchronous=NORMAL, and
 * the log writes straight through — never a gathered write on a
 * connection whose commits do not call the log's sync.
 */
static ch_err
sqlite_set_durable(ch_db *db, bool durable)
{
	ch_err err = CH_OK;
	int rc;

	if (durable) {
		if (db->sync_normal &&
		    (err = sqlite_exec(db, "PRAGMA synchronous=FULL")) != CH_OK)
			return err;
		db->sync_normal = false;
		rc = ch_walvfs_set(db->handle, true, true);
		if (rc != SQLITE_OK && rc != SQLITE_NOTFOUND)
			return CH_ERR_IO;
		db->unsynced = false;
		return CH_OK;
	}
	rc = ch_walvfs_set(db->handle, true, false);
	if (rc == SQLITE_NOTFOUND) {
		if ((err = sqlite_exec(db, "PRAGMA synchronous=NORMAL")) !=
		    CH_OK)
			return err;
		db->sync_normal = true;
	} else if (rc != SQLITE_OK) {
		return CH_ERR_IO;
	}
	db->unsynced = true;
	return CH_OK;
}

/* The logs' descriptors for sync_log, one per log, kept open from the
 * first sync on.  The kernel reports a lost write-back to every descriptor
 * open when it happened, once each; one opened anew after another
 * connection's fsync was told would hear nothing, and commits written
 * after the lost frames would be acknowledged.  Opened again when the path
 * names another file (the log removed and made anew when its last
 * connection closed).  A process syncs a few logs at most (the server
 * one); the list lives as long as the process. */
struct sync_log {
	struct sync_log *next;
	int fd;
	dev_t dev;
	ino_t ino;
	char path[];
};
static pthread_mutex_t sync_lock = PTHREAD_MUTEX_INITIALIZER;
static struct sync_log *sync_logs;

/* The kept descriptor of the file at path now (under sync_lock). */
static ch_err
sync_log_fd(const char *path, int *fd)
{
	struct sync_log *l;
	struct stat st;
	int nfd;

	for (l = sync_logs; l != NULL; l = l->next)
		if (strcmp(l->path, path) == 0)
			break;
	/* The same file still: its kept descriptor. */
	if (l != NULL && l->fd >= 0 && stat(path, &st) == 0 &&
	    st.st_dev == l->dev && st.st_ino == l->ino) {
		*fd = l->fd;
		return CH_OK;
	}
	/* Opened first, then identified by what was opened: the kept
	 * identity is always the descriptor's own. */
	if ((nfd = open(path, O_RDONLY | O_CLOEXEC)) < 0) {
		log_error(
		    "cannot open %s to sync it: %s", path, strerror(errno));
		return CH_ERR_IO;
	}
	if (fstat(nfd, &st) != 0) {
		log_error("cannot sync %s: %s", path, strerror(errno));
		close(nfd);
		return CH_ERR_IO;
	}
	if (l == NULL) {
		size_t len = strlen(path) + 1;

		if ((l = malloc(sizeof(*l) + len)) == NULL) {
			close(nfd);
			return CH_ERR_NOMEM;
		}
		memcpy(l->path, path, len);
		l->fd = -1;
		l->next = sync_logs;
		sync_logs = l;
	}
	if (l->fd >= 0)
		close(l->fd);
	l->fd = nfd;
	l->dev = st.st_dev;
	l->ino = st.st_ino;
	*fd = nfd;
	return CH_OK;
}

/* fsync the write-ahead log: every commit written to it so far is on
 * disk when this returns CH_OK. */
static ch_err
sqlite_sync_log(const char *dsn)
{
	char path[4096];
	ch_err err;
	int fd = -1;

	if ((size_t)snprintf(path, sizeof(path), "%s-wal",
		dsn + strlen("sqlite:")) >= sizeof(path))
		return CH_ERR_INVALID;
	pthread_mutex_lock(&sync_lock);
	if ((err = sync_log_fd(path, &fd)) == CH_OK && fdatasync(fd) != 0) {
		log_error("cannot sync %s: %s", path, strerror(errno));
		err = CH_ERR_IO;
	}
	pthread_mutex_unlock(&sync_lock);
	return err;
}

const struct ch_db_ops ch_db_sqlite_ops = {
    .name = "sqlite",
    .open = sqlite_open,
    .close = sqlite_close,
    .exec = sqlite_exec,
    .query = sqlite_query,
    .begin = sqlite_begin,
    .begin_snapshot = sqlite_begin_snapshot,
    .commit = sqlite_commit,
    .rollback = sqlite_rollback,
    .errmsg = sqlite_errmsg,
    .set_durable = sqlite_set_durable,
    .sync_log = sqlite_sync_log,
};
