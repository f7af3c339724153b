/*
 * walvfs.h — SQLite's default VFS with the write-ahead log's consecutive
 * writes gathered into one call (see walvfs.c).
 */
#ifndef CH_STORE_SQLITE_WALVFS_H
#define CH_STORE_SQLITE_WALVFS_H

#define CH_WALVFS_NAME "chancery-wal"

/* Registers the VFS once; its name for sqlite3_open_v2, or NULL (then
 * open with the default) when it could not be registered. */
const char *ch_walvfs(void);

#endif
