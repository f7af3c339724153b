/*
 * walvfs.c — the write-ahead log's writes, gathered into one.  SQLite
 * writes each frame of a commit to the log as two writes (its 24-byte
 * header, then the page), so a batch of the gate that dirties 27 pages
 * costs 54 pwrite calls before its fsync, each a trip through the
 * kernel's page cache.  This VFS wraps the default one and, for log files
 * only, keeps writes that continue one another in a buffer, written with
 * one call when anything else touches the file: the sync that ends every
 * commit (synchronous=FULL), a read, a write elsewhere, a truncation, a
 * size query, a close.  What reaches the disk, and when it is synced, is
 * unchanged; only the number of calls is.
 *
 * Other connections read a frame only once the commit that wrote it has
 * published it in the log's index, which SQLite does after the sync, so
 * they never miss a buffered frame.  That holds only while the connection
 * syncs the log at each commit (synchronous=FULL): with NORMAL a commit is
 * published with no call to the log after its frames, which would still
 * be in the buffer — unreadable by the checkpointer, lost by a crash.  So
 * a log file writes straight through until its connection says it syncs
 * (ch_walvfs_set, which the driver calls at the start of each write
 * transaction of a durable connection, and with false before it makes a
 * connection unsynced).
 *
 * A transaction that does not commit leaves what it spilled to the log in
 * the buffer, and no call on the log follows.  Those bytes must reach the
 * file before the transaction gives up its write lock, as SQLite's own
 * writes would have: written later, they would land over what another
 * connection has since committed there.  The lock is taken and given up
 * through the shared memory of the database file, so the database file is
 * wrapped too, and its giving up of the write lock writes its log's buffer
 * out first.  A log gathers only when it has that link, and only on a
 * device where SQLite does not pad commits to a sector (it writes the
 * padding's end after the sync).
 */
#include <pthread.h>
#include <sqlite3.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "store/sqlite/walvfs.h"

#define WAL_BUFFER (512u * 1024) /* bigger writes go straight through */
/* The unix VFS writes less than 128 KiB per call (it masks the length
 * with 0x1ffff and calls a write that moved nothing a full disk). */
#define WAL_PIECE (120u * 1024)

/* What every file of ours starts with: the base VFS's file is `real`,
 * right after the largest of our structures. */
struct wrapped {
	sqlite3_file base;
	sqlite3_file *real;
};

struct db_file;

struct wal_file {
	struct wrapped w;    /* pMethods = &wal_methods */
	struct db_file *db;  /* its database's file, NULL: never gathers */
	bool can_gather;     /* db is linked, no sector padding */
	sqlite3_int64 start; /* file offset of buf[0] */
	size_t len;
	unsigned char *buf; /* WAL_BUFFER bytes, allocated on first use */
	bool buffered;      /* the connection syncs every commit */
	bool nosync;        /* its commits' syncs write the buffer out only */
	bool wrote_header;  /* since the last sync: the log's first bytes */
	bool wrote_frames;  /* since the last sync: frames */
};

struct db_file {
	struct wrapped w;     /* pMethods = &db_methods */
	struct wal_file *wal; /* its open log, or NULL */
	bool write_locked;    /* it holds the log's write lock */
};

/* WAL_WRITE_LOCK: the first lock of the log's shared memory. */
#define WAL_WRITE_LOCK 0

static sqlite3_vfs wal_vfs;
static sqlite3_vfs *base_vfs;
static struct sqlite3_io_methods wal_methods, db_methods;
static pthread_once_t wal_once = PTHREAD_ONCE_INIT;
static int wal_registered = SQLITE_ERROR;

static int
wal_flush(struct wal_file *w)
{
	int rc = SQLITE_OK;

	for (size_t done = 0, n; rc == SQLITE_OK && done < w->len; done += n) {
		n = w->len - done < WAL_PIECE ? w->len - done : WAL_PIECE;
		rc = w->w.real->pMethods->xWrite(w->w.real, w->buf + done,
		    (int)n, w->start + (sqlite3_int64)done);
	}
	w->len = 0;
	return rc;
}

static int
wal_close(sqlite3_file *f)
{
	struct wal_file *w = (struct wal_file *)f;
	int rc = wal_flush(w), rc2 = w->w.real->pMethods->xClose(w->w.real);

	if (w->db != NULL && w->db->wal == w)
		w->db->wal = NULL;
	free(w->buf);
	w->buf = NULL;
	return rc != SQLITE_OK ? rc : rc2;
}

/* ---- forwarded as they are, for both kinds of file ---- */

static sqlite3_file *
real_of(sqlite3_file *f)
{
	return ((struct wrapped *)f)->real;
}

static int
fwd_lock(sqlite3_file *f, int level)
{
	return real_of(f)->pMethods->xLock(real_of(f), level);
}

static int
fwd_unlock(sqlite3_file *f, int level)
{
	return real_of(f)->pMethods->xUnlock(real_of(f), level);
}

static int
fwd_check_reserved(sqlite3_file *f, int *out)
{
	return real_of(f)->pMethods->xCheckReservedLock(real_of(f), out);
}

static int
fwd_sector_size(sqlite3_file *f)
{
	return real_of(f)->pMethods->xSectorSize(real_of(f));
}

static int
fwd_device_characteristics(sqlite3_file *f)
{
	return real_of(f)->pMethods->xDeviceCharacteristics(real_of(f));
}

static int
fwd_shm_map(
    sqlite3_file *f, int region, int size, int extend, void volatile **p)
{
	return real_of(f)->pMethods->xShmMap(
	    real_of(f), region, size, extend, p);
}

static int
fwd_shm_lock(sqlite3_file *f, int offset, int n, int flags)
{
	return real_of(f)->pMethods->xShmLock(real_of(f), offset, n, flags);
}

static void
fwd_shm_barrier(sqlite3_file *f)
{
	real_of(f)->pMethods->xShmBarrier(real_of(f));
}

static int
fwd_shm_unmap(sqlite3_file *f, int delete_flag)
{
	return real_of(f)->pMethods->xShmUnmap(real_of(f), delete_flag);
}

static int
fwd_unfetch(sqlite3_file *f, sqlite3_int64 off, void *p)
{
	return real_of(f)->pMethods->xUnfetch(real_of(f), off, p);
}

static int
fwd_read(sqlite3_file *f, void *out, int amt, sqlite3_int64 off)
{
	return real_of(f)->pMethods->xRead(real_of(f), out, amt, off);
}

static int
fwd_write(sqlite3_file *f, const void *data, int amt, sqlite3_int64 off)
{
	return real_of(f)->pMethods->xWrite(real_of(f), data, amt, off);
}

static int
fwd_truncate(sqlite3_file *f, sqlite3_int64 size)
{
	return real_of(f)->pMethods->xTruncate(real_of(f), size);
}

static int
fwd_sync(sqlite3_file *f, int flags)
{
	return real_of(f)->pMethods->xSync(real_of(f), flags);
}

static int
fwd_file_size(sqlite3_file *f, sqlite3_int64 *size)
{
	return real_of(f)->pMethods->xFileSize(real_of(f), size);
}

static int
fwd_file_control(sqlite3_file *f, int op, void *arg)
{
	return real_of(f)->pMethods->xFileControl(real_of(f), op, arg);
}

static int
fwd_fetch(sqlite3_file *f, sqlite3_int64 off, int amt, void **p)
{
	return real_of(f)->pMethods->xFetch(real_of(f), off, amt, p);
}

/* ---- the log: the buffer goes out before anything else is done ---- */

static int
wal_read(sqlite3_file *f, void *out, int amt, sqlite3_int64 off)
{
	int rc = wal_flush((struct wal_file *)f);

	return rc != SQLITE_OK ? rc : fwd_read(f, out, amt, off);
}

static int
wal_write(sqlite3_file *f, const void *data, int amt, sqlite3_int64 off)
{
	struct wal_file *w = (struct wal_file *)f;
	int rc;

	if (off == 0)
		w->wrote_header = true;
	else
		w->wrote_frames = true;
	/* Gathered only under the write lock taken through the shared
	 * memory, whose giving up writes the buffer out: in exclusive
	 * locking mode SQLite takes no such lock, and nothing would. */
	if (amt <= 0 || !w->buffered || w->db == NULL || !w->db->write_locked) {
		if ((rc = wal_flush(w)) != SQLITE_OK)
			return rc;
		return w->w.real->pMethods->xWrite(w->w.real, data, amt, off);
	}
	if (w->len > 0 && off == w->start + (sqlite3_int64)w->len &&
	    w->len + (size_t)amt <= WAL_BUFFER) {
		memcpy(w->buf + w->len, data, (size_t)amt);
		w->len += (size_t)amt;
		return SQLITE_OK;
	}
	if ((rc = wal_flush(w)) != SQLITE_OK)
		return rc;
	if ((size_t)amt > WAL_PIECE ||
	    (w->buf == NULL && (w->buf = malloc(WAL_BUFFER)) == NULL))
		return w->w.real->pMethods->xWrite(w->w.real, data, amt, off);
	memcpy(w->buf, data, (size_t)amt);
	w->start = off;
	w->len = (size_t)amt;
	return SQLITE_OK;
}

static int
wal_truncate(sqlite3_file *f, sqlite3_int64 size)
{
	int rc = wal_flush((struct wal_file *)f);

	return rc != SQLITE_OK ? rc : fwd_truncate(f, size);
}

/* Unsynced (nosync), only the sync that ends a commit — frames written
 * since the last sync, the log's header not — is left to the caller's
 * own sync of the log.  The others stay: the header's after the log
 * starts over, and a checkpoint's before it copies frames into the
 * database, which must never hold pages whose frames could be lost. */
static int
wal_sync(sqlite3_file *f, int flags)
{
	struct wal_file *w = (struct wal_file *)f;
	int rc = wal_flush(w);
	bool commit_only = w->wrote_frames && !w->wrote_header;

	if (rc != SQLITE_OK)
		return rc;
	w->wrote_header = w->wrote_frames = false;
	if (w->nosync && commit_only)
		return SQLITE_OK;
	return w->w.real->pMethods->xSync(w->w.real, flags);
}

static int
wal_file_size(sqlite3_file *f, sqlite3_int64 *size)
{
	int rc = wal_flush((struct wal_file *)f);

	return rc != SQLITE_OK ? rc : fwd_file_size(f, size);
}

static int
wal_file_control(sqlite3_file *f, int op, void *arg)
{
	int rc = wal_flush((struct wal_file *)f);

	return rc != SQLITE_OK ? rc : fwd_file_control(f, op, arg);
}

static int
wal_fetch(sqlite3_file *f, sqlite3_int64 off, int amt, void **p)
{
	int rc = wal_flush((struct wal_file *)f);

	return rc != SQLITE_OK ? rc : fwd_fetch(f, off, amt, p);
}

/* ---- the database file: the write lock's end writes its log out ---- */

static int
db_close(sqlite3_file *f)
{
	struct db_file *d = (struct db_file *)f;

	if (d->wal != NULL)
		d->wal->db = NULL;
	return real_of(f)->pMethods->xClose(real_of(f));
}

/* A write transaction ends by giving up the log's write lock: a commit's
 * sync has written the buffer out already; what one that rolled back
 * spilled is written now, while the lock is still held — no other
 * connection can have written there yet.  (Written, not dropped: should a
 * commit ever end without its sync, its frames still reach the file.) */
static int
db_shm_lock(sqlite3_file *f, int offset, int n, int flags)
{
	struct db_file *d = (struct db_file *)f;

	/* A failed write loses only what did not commit; the lock is given
	 * up whatever happens. */
	int rc;

	if (offset == WAL_WRITE_LOCK && n == 1 &&
	    flags == (SQLITE_SHM_UNLOCK | SQLITE_SHM_EXCLUSIVE)) {
		if (d->wal != NULL) {
			(void)wal_flush(d->wal);
			/* What it spilled is no commit's frames. */
			d->wal->wrote_frames = false;
		}
		d->write_locked = false;
	}
	rc = fwd_shm_lock(f, offset, n, flags);
	if (rc == SQLITE_OK && offset == WAL_WRITE_LOCK && n == 1 &&
	    flags == (SQLITE_SHM_LOCK | SQLITE_SHM_EXCLUSIVE))
		d->write_locked = true;
	return rc;
}

/* ---- opening ---- */

/* Open the base VFS's file behind ours; false (and f left unopened) when
 * the base is not one we know, to be opened in place instead. */
static int
open_wrapped(const char *name, sqlite3_file *f, int flags, int *out_flags,
    const struct sqlite3_io_methods *methods, bool *in_place)
{
	struct wrapped *w = (struct wrapped *)f;
	int rc;

	*in_place = false;
	w->real = (sqlite3_file *)((char *)f + sizeof(struct wal_file));
	rc = base_vfs->xOpen(base_vfs, name, w->real, flags, out_flags);
	if (rc != SQLITE_OK) {
		if (w->real->pMethods != NULL)
			w->real->pMethods->xClose(w->real);
		return rc;
	}
	if (w->real->pMethods == NULL)
		return SQLITE_CANTOPEN;
	if (w->real->pMethods->iVersion < 3) {
		w->real->pMethods->xClose(w->real);
		*in_place = true;
		return base_vfs->xOpen(base_vfs, name, f, flags, out_flags);
	}
	w->base.pMethods = methods;
	return SQLITE_OK;
}

/* Databases and logs are ours; every other file is the base VFS's own,
 * opened in place (our files are large enough to hold one).  A log is
 * linked to its database's file, which SQLite opened first. */
static int
wal_open(sqlite3_vfs *vfs, const char *name, sqlite3_file *f, int flags,
    int *out_flags)
{
	bool in_place;
	int rc;

	(void)vfs;
	if ((flags & SQLITE_OPEN_MAIN_DB) != 0) {
		memset(f, 0, sizeof(struct db_file));
		return open_wrapped(
		    name, f, flags, out_flags, &db_methods, &in_place);
	}
	if ((flags & SQLITE_OPEN_WAL) == 0)
		return base_vfs->xOpen(base_vfs, name, f, flags, out_flags);
	memset(f, 0, sizeof(struct wal_file));
	rc = open_wrapped(name, f, flags, out_flags, &wal_methods, &in_place);
	if (rc == SQLITE_OK && !in_place) {
		struct wal_file *w = (struct wal_file *)f;
		sqlite3_file *main = sqlite3_database_file_object(name);

		if (main != NULL && main->pMethods == &db_methods) {
			w->db = (struct db_file *)main;
			w->db->wal = w;
		}
		w->can_gather = w->db != NULL &&
		    (fwd_device_characteristics(f) &
			SQLITE_IOCAP_POWERSAFE_OVERWRITE) != 0;
	}
	return rc;
}

static void
wal_register(void)
{
	base_vfs = sqlite3_vfs_find(NULL);
	if (base_vfs == NULL)
		return;
	wal_vfs = *base_vfs;
	wal_vfs.zName = CH_WALVFS_NAME;
	wal_vfs.pNext = NULL;
	wal_vfs.szOsFile = (int)sizeof(struct wal_file) + base_vfs->szOsFile;
	wal_vfs.xOpen = wal_open;
	/* Both kinds forward what they do not change. */
	wal_methods = (struct sqlite3_io_methods){
	    .iVersion = 3,
	    .xClose = wal_close,
	    .xRead = fwd_read,
	    .xWrite = fwd_write,
	    .xTruncate = fwd_truncate,
	    .xSync = fwd_sync,
	    .xFileSize = fwd_file_size,
	    .xLock = fwd_lock,
	    .xUnlock = fwd_unlock,
	    .xCheckReservedLock = fwd_check_reserved,
	    .xFileControl = fwd_file_control,
	    .xSectorSize = fwd_sector_size,
	    .xDeviceCharacteristics = fwd_device_characteristics,
	    .xShmMap = fwd_shm_map,
	    .xShmLock = fwd_shm_lock,
	    .xShmBarrier = fwd_shm_barrier,
	    .xShmUnmap = fwd_shm_unmap,
	    .xFetch = fwd_fetch,
	    .xUnfetch = fwd_unfetch,
	};
	db_methods = wal_methods;
	db_methods.xClose = db_close;
	db_methods.xShmLock = db_shm_lock;
	/* The log writes its buffer out before anything else. */
	wal_methods.xRead = wal_read;
	wal_methods.xWrite = wal_write;
	wal_methods.xTruncate = wal_truncate;
	wal_methods.xSync = wal_sync;
	wal_methods.xFileSize = wal_file_size;
	wal_methods.xFileControl = wal_file_control;
	wal_methods.xFetch = wal_fetch;
	wal_registered = sqlite3_vfs_register(&wal_vfs, 0);
}

const char *
ch_walvfs(void)
{
	pthread_once(&wal_once, wal_register);
	return wal_registered == SQLITE_OK ? CH_WALVFS_NAME : NULL;
}

int
ch_walvfs_set(sqlite3 *handle, bool gather, bool sync)
{
	sqlite3_file *f = NULL;
	struct wal_file *w;
	int rc = SQLITE_OK;

	if (sqlite3_file_control(handle, "main", SQLITE_FCNTL_JOURNAL_POINTER,
		&f) != SQLITE_OK ||
	    f == NULL || f->pMethods != &wal_methods)
		return SQLITE_NOTFOUND; /* no log of ours open */
	w = (struct wal_file *)f;
	if (!gather)
		rc = wal_flush(w);
	w->buffered = gather && w->can_gather;
	w->nosync = !sync;
	return rc;
}
