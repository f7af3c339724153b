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

/* Whether the log of the connection may gather its writes: only while
 * the connection syncs the log at every commit (synchronous=FULL).  Off
 * writes out what is gathered.  A log opened since writes straight
 * through until this is called again.  An SQLite result code. */
int ch_walvfs_buffer(sqlite3 *handle, bool on);

#endif
