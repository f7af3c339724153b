/*
 * fresh_db.h — an empty database of its own for a test, on the engine the
 * run asks for: a PostgreSQL schema of its own in $CH_TEST_DSN's database
 * (selected through the DSN's search_path option), or a new SQLite file.
 * Criterion runs tests in parallel processes; a database of their own
 * keeps whole-table passes (backups, key rotation) from meeting rows that
 * other tests sealed under other keys.
 */
#ifndef CH_TEST_FRESH_DB_H
#define CH_TEST_FRESH_DB_H

#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "store/db.h"

struct fresh_db {
	char name[64];
	char dsn[600];
	char path[160]; /* SQLite only */
};

static inline void
fresh_db_make(struct fresh_db *f, const char *tag)
{
	const char *env = getenv("CH_TEST_DSN");
	char sql[160];
	ch_db *db = NULL;

	memset(f, 0, sizeof(*f));
	snprintf(f->name, sizeof(f->name), "t_%s_%d_%ld", tag, (int)getpid(),
	    random() % 100000);
	if (env == NULL || *env == '\0') {
		snprintf(f->path, sizeof(f->path), "/tmp/ch-%s.db", f->name);
		snprintf(f->dsn, sizeof(f->dsn), "sqlite:%s", f->path);
		return;
	}
	cr_assert_eq(ch_db_pg_ops.open(env, &db), CH_OK);
	snprintf(sql, sizeof(sql), "CREATE SCHEMA %s", f->name);
	cr_assert_eq(ch_db_pg_ops.exec(db, sql), CH_OK);
	ch_db_pg_ops.close(db);
	snprintf(f->dsn, sizeof(f->dsn), "%s%coptions=-c%%20search_path%%3D%s",
	    env, strchr(env, '?') ? '&' : '?', f->name);
}

static inline void
fresh_db_drop(struct fresh_db *f)
{
	const char *env = getenv("CH_TEST_DSN");
	char sql[160];
	ch_db *db = NULL;

	if (f->path[0] != '\0') {
		const char *ext[] = {"", "-wal", "-shm"};

		for (size_t i = 0; i < 3; i++) {
			snprintf(sql, sizeof(sql), "%s%s", f->path, ext[i]);
			unlink(sql);
		}
		return;
	}
	if (env == NULL || ch_db_pg_ops.open(env, &db) != CH_OK)
		return;
	snprintf(sql, sizeof(sql), "DROP SCHEMA %s CASCADE", f->name);
	ch_db_pg_ops.exec(db, sql);
	ch_db_pg_ops.close(db);
}

#endif /* CH_TEST_FRESH_DB_H */
