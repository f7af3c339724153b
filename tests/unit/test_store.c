/*
 * test_store.c — the store suite: the use cases of posts, zones and people
 * over the store, run against $CH_TEST_DSN (PostgreSQL in the test run) or
 * a temporary SQLite file.  Tests make posts of their own with unique
 * names, so that they can share one database and run in parallel.
 */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/audit.h"
#include "people/people.h"
#include "store/db.h"
#include "store/store.h"
#include "store/store_int.h"

static struct ch_store *store;
static struct ch_ctx ctx;
static char dsn[512], sqlite_path[128];
static char post_id[CH_ID_LEN];

static void
setup(void)
{
	const char *env = getenv("CH_TEST_DSN");
	struct ch_post in = {0}, out;
	char name[64];

	ch_log_set_quiet(true);
	if (env != NULL && *env != '\0') {
		snprintf(dsn, sizeof(dsn), "%s", env);
	} else {
		snprintf(sqlite_path, sizeof(sqlite_path),
		    "/tmp/ch-store-%d.db", (int)getpid());
		snprintf(dsn, sizeof(dsn), "sqlite:%s", sqlite_path);
	}
	cr_assert_eq(ch_store_open(dsn, 2, &store), CH_OK);
	memset(&ctx, 0, sizeof(ctx));
	ctx.store = store;
	ctx.arena = ch_arena_create(0);
	ctx.request_id = "test";
	ctx.source = "test";
	snprintf(name, sizeof(name), "Test post %d-%ld", (int)getpid(),
	    (long)random());
	in.name = name;
	in.kind = CH_POST_CONSULATE;
	memcpy(in.country, "KE", 3);
	in.city = "Mombasa";
	in.timezone = "Africa/Nairobi";
	cr_assert_eq(
	    ch_posts_create(&ctx, &in, &out), CH_OK, "%s", ctx.fault.detail);
	memcpy(post_id, out.id, CH_ID_LEN);
}

static void
teardown(void)
{
	ch_arena_destroy(ctx.arena);
	ch_store_close(store);
	if (sqlite_path[0]) {
		char extra[160];

		unlink(sqlite_path);
		snprintf(extra, sizeof(extra), "%s-wal", sqlite_path);
		unlink(extra);
		snprintf(extra, sizeof(extra), "%s-shm", sqlite_path);
		unlink(extra);
	}
}

TestSuite(store, .init = setup, .fini = teardown);

static struct ch_person
add(const char *given, const char *family, const char *category,
    const char *household_of, const char *relationship)
{
	struct ch_person_input in = {0};
	struct ch_person p;
	ch_err err;

	in.set = CH_PF_POST_ID | CH_PF_GIVEN_NAME | CH_PF_FAMILY_NAME |
	    CH_PF_CATEGORY | CH_PF_NATIONALITY;
	in.post_id = post_id;
	in.given_name = given;
	in.family_name = family;
	in.category = category;
	in.nationality = "FR";
	if (household_of != NULL) {
		in.set |= CH_PF_HOUSEHOLD_OF | CH_PF_RELATIONSHIP;
		in.household_of = household_of;
		in.relationship = relationship;
	}
	err = ch_people_create(&ctx, &in, &p);
	cr_assert_eq(err, CH_OK, "%s %s: %s", given, family, ctx.fault.detail);
	return p;
}

static int64_t
audit_size(void)
{
	struct ch_tx *tx;
	int64_t n = -1;

	cr_assert_eq(ch_store_begin(store, false, &tx), CH_OK);
	cr_assert_eq(ch_store_audit_count(tx, &n), CH_OK);
	ch_store_rollback(tx);
	return n;
}

Test(store, create_read_and_audit_in_one_transaction)
{
	int64_t before = audit_size();
	struct ch_person p =
	    add("Claire", "Dubois", "diplomatic_agent", NULL, NULL);
	struct ch_person_view v;

	cr_assert_geq(audit_size(), before + 1);
	cr_assert_eq(ch_people_get(&ctx, p.id, &v), CH_OK);
	cr_assert_str_eq(v.person.family_name, "Dubois");
	cr_assert_eq(v.person.version, 1);
	cr_assert_eq(v.immunity.arrest, CH_ARREST_NEVER);
	cr_assert_eq(v.immunity.criminal, CH_IMMUNITY_FULL);
}

Test(store, audit_leaf_hashes_recompute)
{
	struct ch_tx *tx;
	struct ch_audit_record *recs;
	size_t n;
	int64_t size;
	char again[65];

	add("Hugo", "Martin", "service_staff", NULL, NULL);
	cr_assert_eq(ch_store_begin(store, false, &tx), CH_OK);
	cr_assert_eq(ch_store_audit_count(tx, &size), CH_OK);
	cr_assert_eq(
	    ch_store_audit_range(tx, size, 1, ctx.arena, &recs, &n), CH_OK);
	ch_store_rollback(tx);
	cr_assert_eq(n, 1);
	cr_assert_eq(recs[0].seq, size);
	cr_assert_eq(ch_audit_leaf_hash(&recs[0], again), CH_OK);
	cr_assert_str_eq(again, recs[0].leaf_hash);
	recs[0].actor = "someone else";
	cr_assert_eq(ch_audit_leaf_hash(&recs[0], again), CH_OK);
	cr_assert_str_neq(again, recs[0].leaf_hash, "tampering shows");
}

Test(store, update_checks_the_version)
{
	struct ch_person p =
	    add("Lea", "Bernard", "administrative_technical", NULL, NULL);
	struct ch_person_input in = {0};
	struct ch_person out;

	in.set = CH_PF_POSITION;
	in.position = "Registry clerk";
	cr_assert_eq(ch_people_update(&ctx, p.id, &in, 1, &out), CH_OK);
	cr_assert_eq(out.version, 2);
	cr_assert_str_eq(out.position, "Registry clerk");
	in.position = "Overwritten";
	cr_assert_eq(ch_people_update(&ctx, p.id, &in, 1, &out),
	    CH_ERR_PRECONDITION, "a stale version is refused");
}

Test(store, households_link_one_level_within_the_post)
{
	struct ch_person head =
	    add("Paul", "Moreau", "diplomatic_agent", NULL, NULL);
	struct ch_person kid =
	    add("Zoe", "Moreau", "family_member", head.id, "child");
	struct ch_person_input in = {0};
	struct ch_person out;
	struct ch_person_view v;

	cr_assert_eq(ch_people_get(&ctx, head.id, &v), CH_OK);
	cr_assert_eq(v.household_count, 1);
	cr_assert_str_eq(v.household[0].id, kid.id);
	cr_assert_eq(ch_people_get(&ctx, kid.id, &v), CH_OK);
	cr_assert_str_eq(v.household[0].id, head.id, "principal first");
	cr_assert_eq(v.immunity.criminal, CH_IMMUNITY_FULL, "Art. 37(1)");
	{
		struct ch_person_filter f = {0};
		struct ch_person_page page;

		f.post_id = post_id;
		f.host_national = -1;
		f.query = "zoe moreau";
		cr_assert_eq(ch_people_list(&ctx, &f, &page), CH_OK);
		cr_assert_eq(page.count, 1);
		cr_assert(page.principals[0].known,
		    "a list row knows the "
		    "principal's status");
		cr_assert_eq(
		    page.principals[0].category, CH_CAT_DIPLOMATIC_AGENT);
		cr_assert_not(page.principals[0].local);
	}
	in.set = CH_PF_POST_ID | CH_PF_GIVEN_NAME | CH_PF_FAMILY_NAME |
	    CH_PF_CATEGORY | CH_PF_NATIONALITY | CH_PF_HOUSEHOLD_OF |
	    CH_PF_RELATIONSHIP;
	in.post_id = post_id;
	in.given_name = "Max";
	in.family_name = "Moreau";
	in.category = "family_member";
	in.nationality = "FR";
	in.household_of = kid.id;
	in.relationship = "child";
	cr_assert_eq(ch_people_create(&ctx, &in, &out), CH_ERR_INVALID);
	cr_assert_str_eq(ctx.fault.field, "/household_of");
}

Test(store, list_pages_by_cursor_without_gaps_or_repeats)
{
	struct ch_person_filter f = {0};
	struct ch_person_page page;
	char cursor[1100] = "";
	const char *names[] = {
	    "Alpha", "Bravo", "Charlie", "Delta", "Echo", "Foxtrot", "Golf"};
	size_t seen = 0;
	char last[256] = "";

	for (size_t i = 0; i < CH_ARRAY_LEN(names); i++)
		add("Test", names[i], "contractor", NULL, NULL);
	f.post_id = post_id;
	f.host_national = -1;
	f.limit = 3;
	do {
		f.cursor = cursor[0] ? cursor : NULL;
		cr_assert_eq(ch_people_list(&ctx, &f, &page), CH_OK);
		for (size_t i = 0; i < page.count; i++) {
			cr_assert_gt(strcmp(page.items[i].family_name, last), 0,
			    "sorted, no repeats");
			ch_strlcpy(
			    last, page.items[i].family_name, sizeof(last));
			seen++;
		}
		ch_strlcpy(cursor, page.next_cursor, sizeof(cursor));
	} while (cursor[0] != '\0');
	cr_assert_eq(seen, CH_ARRAY_LEN(names));
	f.cursor = "zz";
	cr_assert_eq(ch_people_list(&ctx, &f, &page), CH_ERR_INVALID);
}

Test(store, search_finds_names_across_scripts)
{
	struct ch_person_filter f = {0};
	struct ch_person_page page;

	add("Олег", "Петренко", "contractor", NULL, NULL);
	add("Oleg", "Smith", "contractor", NULL, NULL);
	f.post_id = post_id;
	f.host_national = -1;
	f.query = "petrenko";
	cr_assert_eq(ch_people_list(&ctx, &f, &page), CH_OK);
	cr_assert_eq(page.count, 1);
	cr_assert_str_eq(page.items[0].family_name, "Петренко");
	f.query = "ОЛЕГ";
	cr_assert_eq(ch_people_list(&ctx, &f, &page), CH_OK);
	cr_assert_eq(page.count, 2);
	f.query = "100%_";
	cr_assert_eq(ch_people_list(&ctx, &f, &page), CH_OK);
	cr_assert_eq(page.count, 0, "wildcards are literal");
}

Test(store, another_posts_people_are_invisible)
{
	struct ch_person p =
	    add("Ines", "Garcia", "consular_officer", NULL, NULL);
	struct ch_principal other = {0};
	struct ch_person_view v;
	struct ch_person_page page;
	struct ch_person_filter f = {0};

	other.roles = 1u << CH_ROLE_SECURITY_OFFICER;
	ch_id_new(other.post_id);
	ctx.who = &other;
	cr_assert_eq(ch_people_get(&ctx, p.id, &v), CH_ERR_NOT_FOUND);
	f.query = "garcia";
	f.host_national = -1;
	cr_assert_eq(ch_people_list(&ctx, &f, &page), CH_OK);
	for (size_t i = 0; i < page.count; i++)
		cr_assert_str_neq(page.items[i].id, p.id);
	other.roles = 1u << CH_ROLE_HQ;
	cr_assert_eq(ch_people_get(&ctx, p.id, &v), CH_OK, "HQ sees all");
	ctx.who = NULL;
}

Test(store, zones_nest_and_never_loosen)
{
	struct ch_zone in = {0}, outer, inner;

	memcpy(in.post_id, post_id, CH_ID_LEN);
	in.name = "Offices";
	in.level = CH_ZONE_CONTROLLED;
	in.required_clearance = CH_CLEARANCE_SBU;
	cr_assert_eq(ch_zones_create(&ctx, &in, &outer), CH_OK);
	memcpy(in.parent_id, outer.id, CH_ID_LEN);
	in.name = "Lobby inside";
	in.level = CH_ZONE_PUBLIC;
	cr_assert_eq(ch_zones_create(&ctx, &in, &inner), CH_ERR_INVALID);
	in.name = "Vault";
	in.level = CH_ZONE_RESTRICTED;
	in.required_clearance = CH_CLEARANCE_SECRET;
	cr_assert_eq(ch_zones_create(&ctx, &in, &inner), CH_OK);
	in.name = "Offices";
	in.parent_id[0] = '\0';
	cr_assert_eq(ch_zones_create(&ctx, &in, &inner), CH_ERR_CONFLICT);
}

Test(migrations, a_newer_database_is_refused)
{
	char path[128], d[160];
	struct ch_store *s;
	struct ch_tx *tx;

	ch_log_set_quiet(true);
	snprintf(path, sizeof(path), "/tmp/ch-newer-%d.db", (int)getpid());
	snprintf(d, sizeof(d), "sqlite:%s", path);
	unlink(path);
	cr_assert_eq(ch_store_open(d, 1, &s), CH_OK);
	cr_assert_eq(ch_store_schema_version(s), ch_store_schema_latest());
	cr_assert_eq(ch_store_begin(s, true, &tx), CH_OK);
	ch_store_commit(tx);
	ch_store_close(s);
	/* Record a migration from the future, as a newer binary would. */
	{
		const struct ch_db_ops *ops = ch_db_ops_for(d);
		ch_db *db;

		cr_assert_eq(ops->open(d, &db), CH_OK);
		cr_assert_eq(ops->exec(db,
				 "INSERT INTO schema_migrations VALUES "
				 "(999, 'future', '2030-01-01T00:00:00Z')"),
		    CH_OK);
		ops->close(db);
	}
	cr_assert_eq(ch_store_open(d, 1, &s), CH_ERR_SCHEMA_NEWER);
	unlink(path);
}

/* The text of one cell of a query on db, "" for none (rows freed). */
static void
cell(const struct ch_db_ops *ops, ch_db *db, const char *sql, char *out,
    size_t size)
{
	struct ch_rows *r = NULL;
	const char *v;

	cr_assert_eq(ops->query(db, sql, NULL, 0, &r, NULL), CH_OK, "%s", sql);
	v = r->nrows > 0 ? ch_rows_get(r, 0, 0) : NULL;
	snprintf(out, size, "%s", v ? v : "");
	ch_rows_free(r);
}

/* Migration 13 rebuilds the gate's three tables on SQLite: a database
 * made by migration 12 keeps every row, column and index, and the tables
 * are the rowid alias and the table without rowid they were made to be;
 * then 14 drops presence's index by post and zone, and only that. */
Test(migrations, the_gate_tables_keep_their_rows_through_13_and_14)
{
	static const char *const checks[][2] = {
	    {"SELECT group_concat(id || '/' || seq || '/' || badge || '/' ||"
	     " decision || '/' || COALESCE(device_id, '-'), ' ') FROM"
	     " (SELECT * FROM access_events ORDER BY seq)",
		"e1/7/B-1/grant/dev e2/9/B-2/deny/-"},
	    {"SELECT group_concat(seq || '/' || action || '/' ||"
	     " COALESCE(object_id, '-') || '/' || leaf_hash, ' ') FROM"
	     " (SELECT * FROM audit_log ORDER BY seq)",
		"1/access.grant/e1/aa 2/access.deny/e2/bb"},
	    {"SELECT group_concat(holder_id || '/' || zone_id || '/' ||"
	     " since, ' ') FROM access_presence",
		"h1/z1/2026-11-26T08:00:00Z"},
	    {"SELECT group_concat(name, ' ') FROM (SELECT name FROM"
	     " sqlite_master WHERE type = 'index' AND tbl_name IN"
	     " ('access_events', 'audit_log', 'access_presence') AND"
	     " name NOT LIKE 'sqlite_autoindex_access_events%' ORDER BY"
	     " name)",
		"access_events_post audit_log_object"},
	    {"SELECT count(*) FROM sqlite_master WHERE name LIKE"
	     " 'sqlite_autoindex_audit_log%' OR name LIKE"
	     " 'sqlite_autoindex_access_presence%' OR name LIKE '%_13'",
		"0"},
	    {"SELECT instr(sql, 'WITHOUT ROWID') > 0 FROM sqlite_master"
	     " WHERE name = 'access_presence'",
		"1"},
	};
	char path[128], d[160], got[512], sql[128];
	const struct ch_db_ops *ops;
	struct ch_store *s;
	ch_db *db;

	ch_log_set_quiet(true);
	snprintf(path, sizeof(path), "/tmp/ch-m13-%d.db", (int)getpid());
	snprintf(d, sizeof(d), "sqlite:%s", path);
	unlink(path);
	ops = ch_db_ops_for(d);
	cr_assert_eq(ops->open(d, &db), CH_OK);
	cr_assert_eq(ops->exec(db,
			 "CREATE TABLE schema_migrations (version BIGINT "
			 "PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT "
			 "NOT NULL)"),
	    CH_OK);
	for (size_t i = 0; i < ch_migrations_count; i++) {
		const struct ch_migration *m = &ch_migrations[i];

		if (m->version > 12)
			break;
		cr_assert_eq(ops->exec(db, m->sql), CH_OK, "%d", m->version);
		snprintf(sql, sizeof(sql),
		    "INSERT INTO schema_migrations VALUES (%d, 'm', 'now')",
		    m->version);
		cr_assert_eq(ops->exec(db, sql), CH_OK);
	}
	cr_assert_eq(
	    ops->exec(db,
		"INSERT INTO access_events (id, seq, post_id, badge, "
		"direction, decision, reason, at, device_id) VALUES "
		"('e2', 9, 'p', 'B-2', 'in', 'deny', 'r', 't', NULL), "
		"('e1', 7, 'p', 'B-1', 'in', 'grant', 'r', 't', 'dev');"
		"INSERT INTO audit_log (seq, time, actor, action, "
		"object_type, object_id, leaf_hash) VALUES "
		"(2, 't', 'a', 'access.deny', 'access_event', 'e2', 'bb'), "
		"(1, 't', 'a', 'access.grant', 'access_event', 'e1', 'aa');"
		"INSERT INTO access_presence VALUES ('h1', 'p', NULL, 'c', "
		"'z1', '2026-11-26T08:00:00Z', NULL)"),
	    CH_OK);
	ops->close(db);

	cr_assert_eq(ch_store_open(d, 1, &s), CH_OK);
	cr_assert_eq(ch_store_schema_version(s), ch_store_schema_latest());
	ch_store_close(s);
	cr_assert_eq(ops->open(d, &db), CH_OK);
	for (size_t i = 0; i < CH_ARRAY_LEN(checks); i++) {
		cell(ops, db, checks[i][0], got, sizeof(got));
		cr_expect_str_eq(got, checks[i][1], "%s", checks[i][0]);
	}
	/* The unique keys still hold. */
	cr_expect_neq(ops->exec(db,
			  "INSERT INTO access_events (id, seq, post_id, "
			  "badge, direction, decision, reason, at) VALUES "
			  "('e1', 10, 'p', 'B', 'in', 'deny', 'r', 't')"),
	    CH_OK);
	cr_expect_neq(ops->exec(db,
			  "INSERT INTO audit_log (seq, time, actor, action, "
			  "object_type, leaf_hash) VALUES (2, 't', 'a', 'x', "
			  "'y', 'cc')"),
	    CH_OK);
	ops->close(db);
	unlink(path);
}
