/*
 * test_import.c — the CSV import of people (people/import.c) against a
 * temporary SQLite store: a good file with a household, and each kind of
 * bad file, which must name the line and column and write nothing at all.
 *
 * Criterion runs each test in a process of its own; each opens its own
 * database file, named after the process.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <criterion/criterion.h>
#include <sqlite3.h>

#include "core/events.h"
#include "people/people.h"
#include "store/store.h"

static struct ch_store *store;
static struct ch_ctx ctx;
static struct ch_post post;
static char db_path[128];

static void
remove_db(void)
{
	static const char *const suffixes[] = {"", "-wal", "-shm"};
	char path[160];

	for (size_t i = 0; i < CH_ARRAY_LEN(suffixes); i++) {
		snprintf(path, sizeof(path), "%s%s", db_path, suffixes[i]);
		unlink(path);
	}
}

static void
setup(void)
{
	struct ch_post in;
	char dsn[160];
	ch_err err;

	ch_log_set_quiet(true);
	snprintf(db_path, sizeof(db_path), "/tmp/chancery-test-import-%ld.db",
	    (long)getpid());
	remove_db();
	snprintf(dsn, sizeof(dsn), "sqlite:%s", db_path);
	err = ch_store_open(dsn, 2, &store);
	cr_assert_eq(err, CH_OK, "open: %s", ch_strerror(err));
	memset(&ctx, 0, sizeof(ctx));
	ctx.store = store;
	ctx.who = NULL;
	ctx.arena = ch_arena_create(0);
	ctx.request_id = "test";
	ctx.source = "test";
	cr_assert_not_null(ctx.arena);
	memset(&in, 0, sizeof(in));
	in.name = "Embassy Nairobi";
	in.kind = CH_POST_EMBASSY;
	memcpy(in.country, "KE", 3);
	in.city = "Nairobi";
	in.timezone = "Africa/Nairobi";
	err = ch_posts_create(&ctx, &in, &post);
	cr_assert_eq(
	    err, CH_OK, "post: %s %s", ch_strerror(err), ctx.fault.detail);
}

static void
teardown(void)
{
	ch_store_close(store);
	ch_arena_destroy(ctx.arena);
	remove_db();
}

TestSuite(import, .init = setup, .fini = teardown);

static size_t
count_people(void)
{
	struct ch_person_filter f = {.post_id = post.id,
	    .host_national = -1,
	    .limit = CH_LIST_LIMIT_MAX};
	struct ch_person_page page;
	ch_err err;

	err = ch_people_list(&ctx, &f, &page);
	cr_assert_eq(err, CH_OK, "list: %s", ch_strerror(err));
	return page.count;
}

static int64_t
count_audit(void)
{
	struct ch_tx *tx = NULL;
	int64_t n = -1;

	cr_assert_eq(ch_store_begin(store, false, &tx), CH_OK);
	cr_assert_eq(ch_store_audit_count(tx, &n), CH_OK);
	ch_store_rollback(tx);
	return n;
}

static const struct ch_person *
find(const struct ch_person_page *page, const char *given_name)
{
	for (size_t i = 0; i < page->count; i++)
		if (strcmp(page->items[i].given_name, given_name) == 0)
			return &page->items[i];
	cr_assert_fail("no person named %s", given_name);
	return NULL;
}

/* Import text; on failure nothing may have been written. */
static ch_err
import(const char *text, struct ch_import_result *res)
{
	int64_t audit = count_audit();
	uint64_t events = ch_events_published();
	ch_err err;

	memset(&ctx.fault, 0, sizeof(ctx.fault));
	err = ch_people_import_csv(&ctx, post.id, text, strlen(text), res);
	if (err != CH_OK) {
		cr_assert_eq(count_people(), 0, "a failed import wrote people");
		cr_assert_eq(count_audit(), audit, "a failed import audited");
		cr_assert_eq(ch_events_published(), events);
		cr_assert_eq(res->created, 0);
	}
	return err;
}

/* Expect the import of text to fail with err on field. */
static void
expect_fault(const char *text, ch_err want, const char *field)
{
	struct ch_import_result res;
	ch_err err = import(text, &res);

	cr_assert_eq(err, want, "got %s (%s: %s)", ch_strerror(err),
	    ctx.fault.field, ctx.fault.detail);
	cr_assert_str_eq(
	    ctx.fault.field, field, "detail: %s", ctx.fault.detail);
	cr_assert_neq(ctx.fault.detail[0], '\0');
}

/* Five people: two staff members, a spouse and child of the first (the
 * spouse before her principal in the file), and a local employee. */
static const char good[] =
    "ref,given_name,family_name,category,nationality,host_national,"
    "arrived_on,household_ref,relationship,position,clearance\n"
    "m1,Ana,Okafor,family_member,FR,no,2025-09-01,a1,spouse,,\n"
    "a1,Jean,Okafor,diplomatic_agent,FR,false,2025-09-01,,,"
    "\"Counsellor, political\",SECRET\n"
    "m2,Léa,Okafor,family_member,FR,,2025-09-01,a1,child,,\n"
    "b1,Marie,Curie,administrative_technical,FR,0,2024-01-15,,,,\n"
    ",Otieno,Kamau,locally_employed,KE,yes,,,,Driver,\n";

Test(import, good_file_with_household)
{
	struct ch_person_page page;
	struct ch_person_filter f = {.post_id = post.id,
	    .host_national = -1,
	    .limit = CH_LIST_LIMIT_MAX};
	struct ch_import_result res;
	const struct ch_person *jean, *ana, *lea, *otieno;
	int64_t audit = count_audit();
	uint64_t events = ch_events_published();
	ch_err err;

	err = import(good, &res);
	cr_assert_eq(err, CH_OK, "%s: %s %s", ch_strerror(err), ctx.fault.field,
	    ctx.fault.detail);
	cr_assert_eq(res.rows, 5);
	cr_assert_eq(res.created, 5);
	cr_assert_eq(ch_people_list(&ctx, &f, &page), CH_OK);
	cr_assert_eq(page.count, 5);
	jean = find(&page, "Jean");
	ana = find(&page, "Ana");
	lea = find(&page, "Léa");
	otieno = find(&page, "Otieno");
	cr_assert_str_eq(ana->household_of, jean->id);
	cr_assert_str_eq(lea->household_of, jean->id);
	cr_assert_str_eq(ana->relationship, "spouse");
	cr_assert_str_eq(jean->household_of, "");
	cr_assert_str_eq(jean->post_id, post.id);
	cr_assert_str_eq(jean->position, "Counsellor, political");
	cr_assert_eq(jean->clearance, CH_CLEARANCE_SECRET);
	cr_assert_str_eq(jean->arrived_on, "2025-09-01");
	cr_assert(otieno->host_national);
	cr_assert_not(jean->host_national);
	cr_assert_eq(otieno->clearance, CH_CLEARANCE_UNCLASSIFIED);
	/* One audit record per person and one for the import; one event. */
	cr_assert_eq(count_audit(), audit + 6);
	cr_assert_eq(ch_events_published(), events + 1);
}

Test(import, check_counts_rows_without_a_store)
{
	ch_arena *a = ch_arena_create(0);
	struct ch_fault fault;
	size_t rows = 99;

	cr_assert_eq(
	    ch_people_import_check(good, strlen(good), a, &fault, &rows), CH_OK,
	    "%s: %s", fault.field, fault.detail);
	cr_assert_eq(rows, 5);
	ch_arena_destroy(a);
}

Test(import, bom_crlf_and_quotes)
{
	struct ch_import_result res;
	const char *text =
	    "\xef\xbb\xbfgiven_name,family_name,category,nationality\r\n"
	    "\"Mary \"\"May\"\"\",\"O'Neil, Jr\",contractor,IE\r\n";
	ch_err err = import(text, &res);

	cr_assert_eq(err, CH_OK, "%s: %s", ctx.fault.field, ctx.fault.detail);
	cr_assert_eq(res.created, 1);
}

Test(import, bad_date_on_line_4)
{
	const char *text =
	    "given_name,family_name,category,nationality,arrived_on\n"
	    "Jean,Dupont,diplomatic_agent,FR,2025-01-01\n"
	    "Anne,Martin,service_staff,FR,\n"
	    "Paul,Leroy,contractor,BE,2025-02-30\n"
	    "Rose,Blanc,contractor,BE,2025-03-01\n";

	expect_fault(text, CH_ERR_INVALID, "line 4, column arrived_on");
	cr_assert(strstr(ctx.fault.detail, "2025-02-30") != NULL, "%s",
	    ctx.fault.detail);
	cr_assert(strstr(ctx.fault.detail, "YYYY-MM-DD") != NULL);
}

Test(import, bad_nationality_quotes_the_value)
{
	const char *text = "given_name,family_name,category,nationality\n"
			   "Jean,Dupont,diplomatic_agent,fr\n";

	expect_fault(text, CH_ERR_INVALID, "line 2, column nationality");
	cr_assert(
	    strstr(ctx.fault.detail, "\"fr\"") != NULL, "%s", ctx.fault.detail);
}

Test(import, line_break_inside_a_value)
{
	const char *text = "given_name,family_name,category,nationality,"
			   "position\n"
			   "Jean,Dupont,diplomatic_agent,FR,"
			   "\"Head\nof\nmission\"\n"
			   "Anne,Martin,diplomatic_agent,FR,\n";

	expect_fault(text, CH_ERR_INVALID, "line 2, column position");
	cr_assert(strstr(ctx.fault.detail, "control character") != NULL);
	cr_assert(strstr(ctx.fault.detail, "\"Head of mission\"") != NULL, "%s",
	    ctx.fault.detail);
}

Test(import, line_numbers_count_quoted_line_breaks)
{
	/* A line break inside a quoted header name still counts. */
	const char *text = "given_name,family_name,category,\"national\nity\"\n"
			   "Jean,Dupont,diplomatic_agent,FR\n";

	expect_fault(text, CH_ERR_INVALID, "line 1, column national ity");
	expect_fault("given_name,family_name,category,nationality\n"
		     "\r\n\n"
		     "Jean,Dupont,diplomatic_agent,FR\n"
		     "Anne,Martin,ambassador,FR\n",
	    CH_ERR_INVALID, "line 5, column category");
}

Test(import, bad_yes_no)
{
	const char *text = "given_name,family_name,category,nationality,"
			   "host_national\n"
			   "Jean,Dupont,diplomatic_agent,FR,TRUE\n"
			   "Anne,Martin,diplomatic_agent,FR,maybe\n";

	expect_fault(text, CH_ERR_INVALID, "line 3, column host_national");
	cr_assert(strstr(ctx.fault.detail, "\"maybe\"") != NULL);
}

Test(import, unknown_column)
{
	const char *text = "given_name,family_name,category,Nationality\n"
			   "Jean,Dupont,diplomatic_agent,FR\n";

	expect_fault(text, CH_ERR_INVALID, "line 1, column Nationality");
	cr_assert(strstr(ctx.fault.detail, "nationality") != NULL);
	cr_assert(strstr(ctx.fault.detail, "household_ref") != NULL,
	    "the list of columns was cut: %s", ctx.fault.detail);
}

Test(import, unnamed_column)
{
	const char *text = "given_name,family_name,category,nationality,\n"
			   "Jean,Dupont,diplomatic_agent,FR,\n";

	expect_fault(text, CH_ERR_INVALID, "line 1, column 5");
}

Test(import, post_id_is_not_a_column)
{
	const char *text = "given_name,family_name,category,nationality,"
			   "post_id\n"
			   "Jean,Dupont,diplomatic_agent,FR,x\n";

	expect_fault(text, CH_ERR_INVALID, "line 1, column post_id");
}

Test(import, missing_required_column)
{
	const char *text = "given_name,family_name,category\n"
			   "Jean,Dupont,diplomatic_agent\n";

	expect_fault(text, CH_ERR_INVALID, "line 1");
	cr_assert(strstr(ctx.fault.detail, "nationality") != NULL);
}

Test(import, duplicate_column)
{
	const char *text = "given_name,family_name,category,nationality,"
			   "given_name\n"
			   "Jean,Dupont,diplomatic_agent,FR,Jean\n";

	expect_fault(text, CH_ERR_INVALID, "line 1, column given_name");
	cr_assert(strstr(ctx.fault.detail, "twice") != NULL);
}

Test(import, wrong_number_of_fields)
{
	const char *text = "given_name,family_name,category,nationality\n"
			   "Jean,Dupont,diplomatic_agent,FR\n"
			   "Anne,Martin,Jr,diplomatic_agent,FR\n";

	expect_fault(text, CH_ERR_INVALID, "line 3");
	cr_assert(strstr(ctx.fault.detail, "5 fields") != NULL);
}

Test(import, duplicate_ref)
{
	const char *text = "ref,given_name,family_name,category,nationality\n"
			   "x1,Jean,Dupont,diplomatic_agent,FR\n"
			   "x2,Anne,Martin,diplomatic_agent,FR\n"
			   "x1,Paul,Leroy,diplomatic_agent,FR\n";

	expect_fault(text, CH_ERR_INVALID, "line 4, column ref");
	cr_assert(strstr(ctx.fault.detail, "line 2") != NULL);
}

Test(import, dangling_household_ref)
{
	const char *text = "ref,given_name,family_name,category,nationality,"
			   "household_ref,relationship\n"
			   "a1,Jean,Dupont,diplomatic_agent,FR,,\n"
			   "m1,Anne,Dupont,family_member,FR,a2,spouse\n";

	expect_fault(text, CH_ERR_INVALID, "line 3, column household_ref");
	cr_assert(strstr(ctx.fault.detail, "\"a2\"") != NULL);
}

Test(import, member_of_a_member)
{
	const char *text = "ref,given_name,family_name,category,nationality,"
			   "household_ref,relationship\n"
			   "a1,Jean,Dupont,diplomatic_agent,FR,,\n"
			   "m1,Anne,Dupont,family_member,FR,a1,spouse\n"
			   "m2,Luc,Dupont,family_member,FR,m1,child\n";

	expect_fault(text, CH_ERR_INVALID, "line 4, column household_ref");
}

Test(import, own_household)
{
	const char *text = "ref,given_name,family_name,category,nationality,"
			   "household_ref,relationship\n"
			   "a1,Jean,Dupont,family_member,FR,a1,spouse\n";

	expect_fault(text, CH_ERR_INVALID, "line 2, column household_ref");
}

Test(import, member_without_relationship)
{
	const char *text = "ref,given_name,family_name,category,nationality,"
			   "household_ref\n"
			   "a1,Jean,Dupont,diplomatic_agent,FR,\n"
			   "m1,Anne,Dupont,family_member,FR,a1\n";

	expect_fault(text, CH_ERR_INVALID, "line 3, column relationship");
}

Test(import, family_member_without_household_on_last_line)
{
	const char *text = "ref,given_name,family_name,category,nationality,"
			   "household_ref,relationship\n"
			   "a1,Jean,Dupont,diplomatic_agent,FR,,\n"
			   "m1,Anne,Dupont,family_member,FR,a1,spouse\n"
			   "b1,Paul,Leroy,contractor,BE,,\n"
			   "m2,Luc,Leroy,family_member,BE,,child\n";

	expect_fault(text, CH_ERR_INVALID, "line 5, column household_ref");
	cr_assert_eq(count_people(), 0);
}

/* A store failure in the middle of the writes, after earlier rows went in,
 * must leave nothing behind. */
Test(import, store_error_mid_import_rolls_back)
{
	const char *text = "given_name,family_name,category,nationality\n"
			   "Jean,Dupont,diplomatic_agent,FR\n"
			   "Anne,Martin,diplomatic_agent,FR\n"
			   "Boom,Leroy,diplomatic_agent,FR\n"
			   "Rose,Blanc,diplomatic_agent,FR\n";
	struct ch_import_result res;
	sqlite3 *db;
	char *msg = NULL;
	int rc;

	cr_assert_eq(sqlite3_open(db_path, &db), SQLITE_OK);
	rc = sqlite3_exec(db,
	    "CREATE TRIGGER boom BEFORE INSERT ON people "
	    "WHEN NEW.given_name = 'Boom' "
	    "BEGIN SELECT RAISE(ABORT, 'boom'); END;",
	    NULL, NULL, &msg);
	cr_assert_eq(rc, SQLITE_OK, "%s", msg ? msg : "");
	sqlite3_close(db);
	cr_assert_neq(import(text, &res), CH_OK);
	cr_assert_eq(count_people(), 0);
}

Test(import, unknown_post)
{
	const char *text = "given_name,family_name,category,nationality\n"
			   "Jean,Dupont,diplomatic_agent,FR\n";
	struct ch_import_result res;
	int64_t audit = count_audit();
	char other[CH_ID_LEN];

	ch_id_new(other);
	cr_assert_eq(
	    ch_people_import_csv(&ctx, other, text, strlen(text), &res),
	    CH_ERR_NOT_FOUND);
	cr_assert_str_eq(ctx.fault.field, "/post_id");
	cr_assert_eq(
	    ch_people_import_csv(&ctx, "not-an-id", text, strlen(text), &res),
	    CH_ERR_NOT_FOUND);
	cr_assert_eq(count_people(), 0);
	cr_assert_eq(count_audit(), audit);
}

Test(import, empty_and_header_only)
{
	expect_fault("", CH_ERR_INVALID, "line 1");
	expect_fault("\xef\xbb\xbf\r\n", CH_ERR_INVALID, "line 1");
	expect_fault("given_name,family_name,category,nationality\n",
	    CH_ERR_INVALID, "line 2");
}

Test(import, csv_syntax_error_names_the_line)
{
	expect_fault("given_name,family_name,category,nationality\n"
		     "Jean,Dupont,diplomatic_agent,FR\n"
		     "\"Anne,Martin,diplomatic_agent,FR\n",
	    CH_ERR_INVALID, "line 3");
}

Test(import, too_many_rows)
{
	static const char header[] =
	    "given_name,family_name,category,nationality\n";
	static const char line[] = "Jean,Dupont,diplomatic_agent,FR\n";
	size_t n = 10001, len = strlen(header) + n * strlen(line);
	char *text = malloc(len + 1);
	ch_arena *a = ch_arena_create(0);
	struct ch_fault fault;
	size_t rows, at;

	cr_assert_not_null(text);
	memcpy(text, header, strlen(header));
	at = strlen(header);
	for (size_t i = 0; i < n; i++, at += strlen(line))
		memcpy(text + at, line, strlen(line));
	text[at] = '\0';
	cr_assert_eq(ch_people_import_check(text, len, a, &fault, &rows),
	    CH_ERR_TOO_LARGE);
	cr_assert_str_eq(fault.field, "line 10002");
	/* 10,000 is the limit and passes. */
	cr_assert_eq(
	    ch_people_import_check(text, len - strlen(line), a, &fault, &rows),
	    CH_OK, "%s: %s", fault.field, fault.detail);
	cr_assert_eq(rows, 10000);
	free(text);
	ch_arena_destroy(a);
}

Test(import, too_many_bytes)
{
	size_t len = 8u * 1024 * 1024 + 1;
	char *text = malloc(len);
	ch_arena *a = ch_arena_create(0);
	struct ch_fault fault;
	size_t rows;

	cr_assert_not_null(text);
	memset(text, 'a', len);
	cr_assert_eq(ch_people_import_check(text, len, a, &fault, &rows),
	    CH_ERR_TOO_LARGE);
	free(text);
	ch_arena_destroy(a);
}
