/*
 * test_backup.c — backups and restores (core/backup.h) on $CH_TEST_DSN
 * (PostgreSQL in the pg suite) or SQLite: a backup taken while a thread
 * keeps writing people is one consistent moment, restores into a new
 * database whose audit log verifies leaf by leaf, and any altered byte of
 * the file is refused before anything is written.
 */
#include <criterion/criterion.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/audit.h"
#include "core/backup.h"
#include "core/vault.h"
#include "fresh_db.h"
#include "people/people.h"
#include "store/store.h"

static const unsigned char test_key[CH_VAULT_KEY_BYTES] = {9, 8, 7};

struct env {
	struct fresh_db db;
	struct ch_store *store;
	char post_id[CH_ID_LEN];
};

static void
setup(void)
{
	ch_log_set_quiet(true);
	cr_assert_eq(ch_vault_load_raw("0bac0bac", test_key), CH_OK);
}

static void
teardown(void)
{
	ch_vault_unload();
}

TestSuite(backup, .init = setup, .fini = teardown, .timeout = 120);

static void
ctx_init(struct ch_ctx *ctx, struct ch_store *store)
{
	memset(ctx, 0, sizeof(*ctx));
	ctx->store = store;
	ctx->arena = ch_arena_create(0);
	ctx->request_id = "test";
	ctx->source = "test";
}

static void
env_open(struct env *e, const char *tag, bool with_post)
{
	struct ch_post in = {0}, out;
	struct ch_ctx ctx;

	fresh_db_make(&e->db, tag);
	cr_assert_eq(ch_store_open(e->db.dsn, 4, &e->store), CH_OK);
	if (!with_post)
		return;
	ctx_init(&ctx, e->store);
	in.name = "Embassy in Riga";
	in.kind = CH_POST_EMBASSY;
	memcpy(in.country, "LV", 3);
	in.city = "Riga";
	in.timezone = "Europe/Riga";
	cr_assert_eq(
	    ch_posts_create(&ctx, &in, &out), CH_OK, "%s", ctx.fault.detail);
	memcpy(e->post_id, out.id, CH_ID_LEN);
	ch_arena_destroy(ctx.arena);
}

static void
env_close(struct env *e)
{
	ch_store_close(e->store);
	fresh_db_drop(&e->db);
}

static ch_err
add_person(struct ch_ctx *ctx, const char *post_id, int i, const char *hh)
{
	struct ch_person_input in = {0};
	struct ch_person p;
	char family[32], email[64];

	snprintf(family, sizeof(family), "Ozols%d", i);
	snprintf(email, sizeof(email), "p%d@example.org", i);
	in.set = CH_PF_POST_ID | CH_PF_GIVEN_NAME | CH_PF_FAMILY_NAME |
	    CH_PF_CATEGORY | CH_PF_NATIONALITY | CH_PF_EMAIL;
	in.post_id = post_id;
	in.given_name = "Test";
	in.family_name = family;
	in.category = hh ? "family_member" : "diplomatic_agent";
	in.nationality = "FR";
	in.email = email;
	if (hh != NULL) {
		in.set |= CH_PF_HOUSEHOLD_OF | CH_PF_RELATIONSHIP;
		in.household_of = hh;
		in.relationship = "spouse";
	}
	return ch_people_create(ctx, &in, &p);
}

static void
populate(struct env *e, int n)
{
	struct ch_person_input in = {0};
	struct ch_person principal;
	struct ch_ctx ctx;

	ctx_init(&ctx, e->store);
	in.set = CH_PF_POST_ID | CH_PF_GIVEN_NAME | CH_PF_FAMILY_NAME |
	    CH_PF_CATEGORY | CH_PF_NATIONALITY | CH_PF_PHONE;
	in.post_id = e->post_id;
	in.given_name = "Anna";
	in.family_name = "Berzina";
	in.category = "diplomatic_agent";
	in.nationality = "FR";
	in.phone = "+371 6700 0000";
	cr_assert_eq(ch_people_create(&ctx, &in, &principal), CH_OK);
	for (int i = 0; i < n; i++)
		cr_assert_eq(add_person(&ctx, e->post_id, i,
				 i % 3 == 0 ? principal.id : NULL),
		    CH_OK, "%s", ctx.fault.detail);
	ch_arena_destroy(ctx.arena);
}

static int64_t
count_of(struct ch_store *store, const char *table)
{
	struct ch_tx *tx;
	int64_t n = -1;

	cr_assert_eq(ch_store_begin(store, false, &tx), CH_OK);
	cr_assert_eq(ch_store_table_count(tx, table, &n), CH_OK);
	ch_store_rollback(tx);
	return n;
}

/* ---- write load ---- */

struct writer {
	struct ch_store *store;
	const char *post_id;
	atomic_bool stop;
	atomic_int written;
	int failed;
};

static void *
writer_main(void *arg)
{
	struct writer *w = arg;
	struct ch_ctx ctx;

	ctx_init(&ctx, w->store);
	for (int i = 1000; !atomic_load(&w->stop); i++) {
		if (add_person(&ctx, w->post_id, i, NULL) == CH_OK)
			atomic_fetch_add(&w->written, 1);
		else
			w->failed++;
	}
	ch_arena_destroy(ctx.arena);
	return NULL;
}

/* Every leaf recomputed from its record, seq dense, head = count. */
static void
verify_audit(struct ch_store *store)
{
	struct ch_audit_record *recs;
	struct ch_tx *tx;
	ch_arena *a = ch_arena_create(0);
	int64_t size = -1, seq = 1;
	size_t n;

	cr_assert_eq(ch_store_begin(store, false, &tx), CH_OK);
	cr_assert_eq(ch_store_audit_count(tx, &size), CH_OK);
	cr_assert_gt(size, 0);
	for (;;) {
		cr_assert_eq(
		    ch_store_audit_range(tx, seq, 500, a, &recs, &n), CH_OK);
		if (n == 0)
			break;
		for (size_t i = 0; i < n; i++, seq++) {
			char leaf[65];

			cr_assert_eq(recs[i].seq, seq);
			cr_assert_eq(ch_audit_leaf_hash(&recs[i], leaf), CH_OK);
			cr_assert_str_eq(leaf, recs[i].leaf_hash, "leaf %lld",
			    (long long)seq);
		}
	}
	cr_assert_eq(seq - 1, size, "audit head %lld, records %lld",
	    (long long)size, (long long)(seq - 1));
	ch_store_rollback(tx);
	ch_arena_destroy(a);
}

static void
backup_path(char *out, size_t size, const char *tag)
{
	snprintf(out, size, "/tmp/ch-backup-%s-%d.bak", tag, (int)getpid());
}

Test(backup, under_write_load_restores_one_consistent_moment)
{
	struct ch_backup_summary sum, rsum;
	struct ch_fault f = {0};
	struct env src, dst;
	struct writer w = {0};
	pthread_t thread;
	int64_t before, after, people, creates;
	char path[128];
	struct ch_ctx ctx;
	struct ch_person_page page;
	struct ch_person_filter filter = {0};

	env_open(&src, "src", true);
	populate(&src, 30);
	w.store = src.store;
	w.post_id = src.post_id;
	before = count_of(src.store, "people");
	cr_assert_eq(pthread_create(&thread, NULL, writer_main, &w), 0);
	while (atomic_load(&w.written) < 5)
		usleep(1000);
	backup_path(path, sizeof(path), "load");
	cr_assert_eq(
	    ch_backup_write(src.store, path, &sum, &f), CH_OK, "%s", f.detail);
	usleep(50000);
	atomic_store(&w.stop, true);
	pthread_join(thread, NULL);
	after = count_of(src.store, "people");
	cr_assert_eq(w.failed, 0);
	cr_assert_gt(after, before + 5, "the writer wrote during the backup");
	cr_assert_str_eq(sum.key_id, "0bac0bac");

	env_open(&dst, "dst", false);
	cr_assert_eq(ch_backup_restore(dst.store, path, false, &rsum, &f),
	    CH_OK, "%s: %s", f.field, f.detail);
	cr_assert_eq(rsum.rows, sum.rows);
	cr_assert_str_eq(rsum.audit_root, sum.audit_root);
	people = count_of(dst.store, "people");
	cr_assert(people >= before + 5 && people <= after,
	    "%lld people restored, %lld before and %lld after the load",
	    (long long)people, (long long)before, (long long)after);
	/* One moment: the audit log holds exactly one person.create per
	 * person, and its head agrees with it. */
	verify_audit(dst.store);
	cr_assert_eq(
	    (uint64_t)count_of(dst.store, "audit_log"), sum.audit_size);
	creates = 0;
	{
		struct ch_audit_record *recs;
		struct ch_tx *tx;
		ch_arena *a = ch_arena_create(0);
		size_t n;

		cr_assert_eq(ch_store_begin(dst.store, false, &tx), CH_OK);
		cr_assert_eq(
		    ch_store_audit_range(tx, 1, 100000, a, &recs, &n), CH_OK);
		for (size_t i = 0; i < n; i++)
			creates += strcmp(recs[i].action, "person.create") == 0;
		ch_store_rollback(tx);
		ch_arena_destroy(a);
	}
	cr_assert_eq(creates, people);
	cr_assert_eq(count_of(dst.store, "posts"), 1);
	/* Contacts came across sealed, and open in their new home. */
	ctx_init(&ctx, dst.store);
	filter.limit = 100;
	filter.host_national = -1;
	cr_assert_eq(ch_people_list(&ctx, &filter, &page), CH_OK);
	cr_assert_gt(page.count, 30);
	for (size_t i = 0; i < page.count; i++)
		cr_assert(
		    page.items[i].email != NULL || page.items[i].phone != NULL);
	ch_arena_destroy(ctx.arena);

	/* The target is no longer empty: refused without --force. */
	cr_assert_eq(ch_backup_restore(dst.store, path, false, &rsum, &f),
	    CH_ERR_CONFLICT);
	cr_assert_eq(ch_backup_restore(dst.store, path, true, &rsum, &f), CH_OK,
	    "%s", f.detail);
	cr_assert_eq(count_of(dst.store, "people"), people);
	env_close(&dst);
	env_close(&src);
	unlink(path);
}

static size_t
file_size(const char *path)
{
	FILE *fp = fopen(path, "rb");
	long n;

	cr_assert_not_null(fp);
	fseek(fp, 0, SEEK_END);
	n = ftell(fp);
	fclose(fp);
	return (size_t)n;
}

static void
flip_byte(const char *from, const char *to, size_t at)
{
	FILE *in = fopen(from, "rb"), *out = fopen(to, "wb");
	int c;

	cr_assert(in && out);
	for (size_t i = 0; (c = fgetc(in)) != EOF; i++)
		fputc(i == at ? c ^ 0x20 : c, out);
	fclose(in);
	fclose(out);
}

Test(backup, any_altered_byte_is_refused_before_anything_is_written)
{
	struct ch_backup_summary sum;
	struct ch_fault f = {0};
	struct env src, dst;
	char path[128], bad[140];
	size_t size, step;

	env_open(&src, "tsrc", true);
	populate(&src, 10);
	backup_path(path, sizeof(path), "tamper");
	snprintf(bad, sizeof(bad), "%s.bad", path);
	cr_assert_eq(ch_backup_write(src.store, path, &sum, &f), CH_OK);
	cr_assert_eq(ch_backup_check(path, &sum, &f), CH_OK, "%s", f.detail);
	env_open(&dst, "tdst", false);
	size = file_size(path);
	/* Every byte of the header, then bytes spread through the rest,
	 * and the last one. */
	step = size / 97 + 1;
	for (size_t at = 0; at < size; at += at < 70 ? 1 : step) {
		flip_byte(path, bad, at);
		cr_assert_neq(ch_backup_check(bad, &sum, &f), CH_OK,
		    "byte %zu of %zu altered, not detected", at, size);
	}
	flip_byte(path, bad, size - 1);
	cr_assert_neq(
	    ch_backup_restore(dst.store, bad, false, &sum, &f), CH_OK);
	cr_assert_eq(count_of(dst.store, "people"), 0);
	cr_assert_eq(count_of(dst.store, "audit_log"), 0);
	/* Cut short anywhere. */
	cr_assert_eq(truncate(bad, 0), 0);
	cr_assert_neq(ch_backup_check(bad, &sum, &f), CH_OK);
	flip_byte(path, bad, size + 10);
	cr_assert_eq(truncate(bad, (off_t)size - 1), 0);
	cr_assert_neq(ch_backup_check(bad, &sum, &f), CH_OK);
	cr_assert_eq(truncate(bad, (off_t)size / 2), 0);
	cr_assert_neq(ch_backup_check(bad, &sum, &f), CH_OK);
	/* Under another data key: refused, and said so. */
	cr_assert_eq(ch_vault_load_raw("0ddba11a", test_key), CH_OK);
	cr_assert_eq(ch_backup_check(path, &sum, &f), CH_ERR_NOT_FOUND);
	cr_assert_not_null(strstr(f.detail, "0bac0bac"));
	env_close(&dst);
	env_close(&src);
	unlink(bad);
	unlink(path);
}

/* --in that is not a regular file is refused at once, saying so: a named
 * pipe made the restore wait for a writer before it was refused. */
Test(backup, a_path_that_is_not_a_regular_file_is_refused_at_once)
{
	struct ch_backup_summary sum;
	struct ch_fault f = {0};
	char dir[] = "/tmp/ch-backup-in-XXXXXX", fifo[64];

	/* A wait would end the test as a crash (Criterion's own .timeout
	 * leaks its watchdog's memory under LeakSanitizer). */
	alarm(20);
	cr_assert_not_null(mkdtemp(dir));
	cr_assert_eq(ch_backup_check(dir, &sum, &f), CH_ERR_INVALID);
	cr_assert_not_null(
	    strstr(f.detail, "not a regular file"), "%s", f.detail);
	snprintf(fifo, sizeof(fifo), "%s/pipe", dir);
	cr_assert_eq(mkfifo(fifo, 0600), 0);
	memset(&f, 0, sizeof(f));
	cr_assert_eq(ch_backup_check(fifo, &sum, &f), CH_ERR_INVALID);
	cr_assert_not_null(
	    strstr(f.detail, "not a regular file"), "%s", f.detail);
	unlink(fifo);
	rmdir(dir);
	alarm(0);
}

Test(backup, a_forged_audit_record_inside_a_valid_file_is_refused)
{
	struct ch_backup_summary sum;
	struct ch_fault f = {0};
	struct ch_backup b;
	struct ch_buf plain;
	struct env src;
	ch_arena *a = ch_arena_create(CH_BACKUP_PLAIN_MAX);
	unsigned char *file;
	char path[128], id[9];
	FILE *fp;
	size_t len;
	char *hit;

	env_open(&src, "forge", true);
	populate(&src, 4);
	backup_path(path, sizeof(path), "forge");
	cr_assert_eq(ch_backup_write(src.store, path, &sum, &f), CH_OK);
	len = file_size(path);
	file = malloc(len);
	fp = fopen(path, "rb");
	cr_assert_eq(fread(file, 1, len, fp), len);
	fclose(fp);
	ch_buf_init(&plain, CH_BACKUP_PLAIN_MAX);
	cr_assert_eq(ch_backup_unseal(file, len, &plain, id, &f), CH_OK);
	cr_assert_eq(
	    ch_backup_parse((unsigned char *)plain.data, plain.len, a, &b, &f),
	    CH_OK, "%s", f.detail);
	cr_assert_eq(ch_backup_verify(&b, &f), CH_OK, "%s", f.detail);
	for (size_t i = 0; i < b.ntables; i++)
		cr_assert_str_neq(b.tables[i].name, "sessions");
	cr_assert_geq(b.ntables, 8);
	/* Someone with the key rewrites who did it: the leaf gives it away. */
	hit = memmem(plain.data, plain.len, "person.create", 13);
	cr_assert_not_null(hit);
	memcpy(hit, "person.delete", 13);
	cr_assert_eq(
	    ch_backup_parse((unsigned char *)plain.data, plain.len, a, &b, &f),
	    CH_OK);
	cr_assert_eq(ch_backup_verify(&b, &f), CH_ERR_INVALID);
	cr_assert_not_null(strstr(f.detail, "leaf hash"), "%s", f.detail);
	ch_buf_free(&plain);
	free(file);
	ch_arena_destroy(a);
	env_close(&src);
	unlink(path);
}

Test(backup, a_snapshot_does_not_see_later_commits)
{
	struct ch_ctx ctx;
	struct ch_tx *snap;
	struct env e;
	int64_t n1 = -1, n2 = -1, a1 = -1, a2 = -1;

	env_open(&e, "snap", true);
	populate(&e, 2);
	cr_assert_eq(ch_store_begin_snapshot(e.store, &snap), CH_OK);
	cr_assert_eq(ch_store_table_count(snap, "people", &n1), CH_OK);
	ctx_init(&ctx, e.store);
	cr_assert_eq(add_person(&ctx, e.post_id, 77, NULL), CH_OK);
	ch_arena_destroy(ctx.arena);
	/* Committed by another connection: not in the snapshot, in no
	 * table of it. */
	cr_assert_eq(ch_store_table_count(snap, "people", &n2), CH_OK);
	cr_assert_eq(ch_store_table_count(snap, "audit_log", &a1), CH_OK);
	cr_assert_eq(n2, n1);
	ch_store_rollback(snap);
	cr_assert_eq(count_of(e.store, "people"), n1 + 1);
	a2 = count_of(e.store, "audit_log");
	cr_assert_eq(a2, a1 + 1);
	env_close(&e);
}
