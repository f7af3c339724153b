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
 * (ch_walvfs_buffer, which the driver calls at the start of each write
 * transaction of a durable connection, and with false before it makes a
 * connection unsynced).
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

struct wal_file {
	sqlite3_file base; /* pMethods = &wal_methods */
	sqlite3_file *real;
	sqlite3_int64 start; /* file offset of buf[0] */
	size_t len;
	unsigned char *buf; /* WAL_BUFFER bytes, allocated on first use */
	bool buffered;      /* the connection syncs every commit */
	bool nosync;        /* its syncs write the buffer out, no more */
};

static sqlite3_vfs wal_vfs;
static sqlite3_vfs *base_vfs;
static struct sqlite3_io_methods wal_methods;
static pthread_once_t wal_once = PTHREAD_ONCE_INIT;
static int wal_registered = SQLITE_ERROR;

static int
wal_flush(struct wal_file *w)
{
	int rc = SQLITE_OK;

	for (size_t done = 0, n; rc == SQLITE_OK && done < w->len; done += n) {
		n = w->len - done < WAL_PIECE ? w->len - done : WAL_PIECE;
		rc = w->real->pMethods->xWrite(w->real, w->buf + done, (int)n,
		    w->start + (sqlite3_int64)done);
	}
	w->len = 0;
	return rc;
}

static int
wal_close(sqlite3_file *f)
{
	struct wal_file *w = (struct wal_file *)f;
	int rc = wal_flush(w), rc2 = w->real->pMethods->xClose(w->real);

	free(w->buf);
	w->buf = NULL;
	return rc != SQLITE_OK ? rc : rc2;
}

static int
wal_read(sqlite3_file *f, void *out, int amt, sqlite3_int64 off)
{
	struct wal_file *w = (struct wal_file *)f;
	int rc = wal_flush(w);

	return rc != SQLITE_OK
	    ? rc
	    : w->real->pMethods->xRead(w->real, out, amt, off);
}

static int
wal_write(sqlite3_file *f, const void *data, int amt, sqlite3_int64 off)
{
	struct wal_file *w = (struct wal_file *)f;
	int rc;

	if (amt <= 0 || !w->buffered) {
		if ((rc = wal_flush(w)) != SQLITE_OK)
			return rc;
		return w->real->pMethods->xWrite(w->real, data, amt, off);
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
		return w->real->pMethods->xWrite(w->real, data, amt, off);
	memcpy(w->buf, data, (size_t)amt);
	w->start = off;
	w->len = (size_t)amt;
	return SQLITE_OK;
}

static int
wal_truncate(sqlite3_file *f, sqlite3_int64 size)
{
	struct wal_file *w = (struct wal_file *)f;
	int rc = wal_flush(w);

	return rc != SQLITE_OK ? rc
			       : w->real->pMethods->xTruncate(w->real, size);
}

static int
wal_sync(sqlite3_file *f, int flags)
{
	struct wal_file *w = (struct wal_file *)f;
	int rc = wal_flush(w);

	if (rc != SQLITE_OK || w->nosync)
		return rc;
	return w->real->pMethods->xSync(w->real, flags);
}

static int
wal_file_size(sqlite3_file *f, sqlite3_int64 *size)
{
	struct wal_file *w = (struct wal_file *)f;
	int rc = wal_flush(w);

	return rc != SQLITE_OK ? rc
			       : w->real->pMethods->xFileSize(w->real, size);
}

static int
wal_lock(sqlite3_file *f, int level)
{
	struct wal_file *w = (struct wal_file *)f;

	return w->real->pMethods->xLock(w->real, level);
}

static int
wal_unlock(sqlite3_file *f, int level)
{
	struct wal_file *w = (struct wal_file *)f;

	return w->real->pMethods->xUnlock(w->real, level);
}

static int
wal_check_reserved(sqlite3_file *f, int *out)
{
	struct wal_file *w = (struct wal_file *)f;

	return w->real->pMethods->xCheckReservedLock(w->real, out);
}

static int
wal_file_control(sqlite3_file *f, int op, void *arg)
{
	struct wal_file *w = (struct wal_file *)f;
	int rc = wal_flush(w);

	return rc != SQLITE_OK
	    ? rc
	    : w->real->pMethods->xFileControl(w->real, op, arg);
}

static int
wal_sector_size(sqlite3_file *f)
{
	struct wal_file *w = (struct wal_file *)f;

	return w->real->pMethods->xSectorSize(w->real);
}

static int
wal_device_characteristics(sqlite3_file *f)
{
	struct wal_file *w = (struct wal_file *)f;

	return w->real->pMethods->xDeviceCharacteristics(w->real);
}

static int
wal_shm_map(
    sqlite3_file *f, int region, int size, int extend, void volatile **p)
{
	struct wal_file *w = (struct wal_file *)f;

	return w->real->pMethods->xShmMap(w->real, region, size, extend, p);
}

static int
wal_shm_lock(sqlite3_file *f, int offset, int n, int flags)
{
	struct wal_file *w = (struct wal_file *)f;

	return w->real->pMethods->xShmLock(w->real, offset, n, flags);
}

static void
wal_shm_barrier(sqlite3_file *f)
{
	struct wal_file *w = (struct wal_file *)f;

	w->real->pMethods->xShmBarrier(w->real);
}

static int
wal_shm_unmap(sqlite3_file *f, int delete_flag)
{
	struct wal_file *w = (struct wal_file *)f;

	return w->real->pMethods->xShmUnmap(w->real, delete_flag);
}

static int
wal_fetch(sqlite3_file *f, sqlite3_int64 off, int amt, void **p)
{
	struct wal_file *w = (struct wal_file *)f;
	int rc = wal_flush(w);

	return rc != SQLITE_OK
	    ? rc
	    : w->real->pMethods->xFetch(w->real, off, amt, p);
}

static int
wal_unfetch(sqlite3_file *f, sqlite3_int64 off, void *p)
{
	struct wal_file *w = (struct wal_file *)f;

	return w->real->pMethods->xUnfetch(w->real, off, p);
}

/* Log files get the buffer; every other file is the base VFS's own,
 * opened in place (our files are large enough to hold one). */
static int
wal_open(sqlite3_vfs *vfs, const char *name, sqlite3_file *f, int flags,
    int *out_flags)
{
	struct wal_file *w = (struct wal_file *)f;
	int rc;

	(void)vfs;
	if ((flags & SQLITE_OPEN_WAL) == 0)
		return base_vfs->xOpen(base_vfs, name, f, flags, out_flags);
	memset(w, 0, sizeof(*w));
	w->real = (sqlite3_file *)(w + 1);
	rc = base_vfs->xOpen(base_vfs, name, w->real, flags, out_flags);
	if (rc != SQLITE_OK || w->real->pMethods == NULL)
		return rc;
	if (w->real->pMethods->iVersion < 3) {
		/* Not a base we know: its own file, unbuffered. */
		w->real->pMethods->xClose(w->real);
		return base_vfs->xOpen(base_vfs, name, f, flags, out_flags);
	}
	w->base.pMethods = &wal_methods;
	return SQLITE_OK;
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
	wal_methods = (struct sqlite3_io_methods){
	    .iVersion = 3,
	    .xClose = wal_close,
	    .xRead = wal_read,
	    .xWrite = wal_write,
	    .xTruncate = wal_truncate,
	    .xSync = wal_sync,
	    .xFileSize = wal_file_size,
	    .xLock = wal_lock,
	    .xUnlock = wal_unlock,
	    .xCheckReservedLock = wal_check_reserved,
	    .xFileControl = wal_file_control,
	    .xSectorSize = wal_sector_size,
	    .xDeviceCharacteristics = wal_device_characteristics,
	    .xShmMap = wal_shm_map,
	    .xShmLock = wal_shm_lock,
	    .xShmBarrier = wal_shm_barrier,
	    .xShmUnmap = wal_shm_unmap,
	    .xFetch = wal_fetch,
	    .xUnfetch = wal_unfetch,
	};
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
	w->buffered = gather;
	w->nosync = !sync;
	return rc;
}
