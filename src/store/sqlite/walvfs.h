/*
 * walvfs.h — SQLite's default VFS with the write-ahead log's consecutive
 * writes gathered into one call (see walvfs.c).
 */
#ifndef CH_STORE_SQLITE_WALVFS_H
#define CH_STORE_SQLITE_WALVFS_H

#include <sqlite3.h>
#include <stdbool.h>

#define CH_WALVFS_NAME "chancery-wal"

/* Registers the VFS once; its name for sqlite3_open_v2, or NULL (then
 * open with the default) when it could not be registered. */
const char *ch_walvfs(void);

/*
 * How the open log of a connection (synchronous=FULL) writes: gather, its
 * consecutive writes into one call at the next sync; sync false, a sync
 * writes the gathered out but does not fsync (the caller syncs the log
 * itself before anyone relies on the commit).  A log opened since writes
 * straight through and syncs.  SQLITE_NOTFOUND when no log of ours is
 * open, else an SQLite result code.
 */
int ch_walvfs_set(sqlite3 *handle, bool gather, bool sync);

#endif
