/*
 * test_vault.c — sealed fields and data keys (core/vault.h), and the store
 * sealing people's contacts: on $CH_TEST_DSN (PostgreSQL in the pg suite)
 * or SQLite, each test in a database of its own (fresh_db.h).
 */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "core/vault.h"
#include "fresh_db.h"
#include "people/people.h"
#include "store/db.h"
#include "store/store.h"

static const unsigned char test_key[CH_VAULT_KEY_BYTES] = {1, 2, 3, 4, 5};

static void
setup(void)
{
	ch_log_set_quiet(true);
	cr_assert_eq(ch_vault_load_raw("0badc0de", test_key), CH_OK);
}

static void
teardown(void)
{
	ch_vault_unload();
}

TestSuite(vault, .init = setup, .fini = teardown);

static char *
seal(ch_arena *a, const char *table, const char *row, const char *col,
    const char *pt)
{
	char *out = NULL;

	cr_assert_eq(
	    ch_vault_seal(table, row, col, pt, strlen(pt), a, &out), CH_OK);
	return out;
}

static ch_err
open_as(ch_arena *a, const char *table, const char *row, const char *col,
    const char *sealed, char **pt)
{
	return ch_vault_open(table, row, col, sealed, a, pt, NULL);
}

Test(vault, seals_and_opens_in_place)
{
	ch_arena *a = ch_arena_create(0);
	char *s = seal(a, "people", "r1", "email", "ana@example.org"), *pt;
	size_t len = 0;

	cr_assert(strncmp(s, "v1:0badc0de:", 12) == 0, "%s", s);
	/* Not the text (three letters would turn up by chance in the
	 * random base64 about once in 3,500 seals). */
	cr_assert_null(strstr(s, "ana@example"));
	cr_assert_eq(
	    ch_vault_open("people", "r1", "email", s, a, &pt, &len), CH_OK);
	cr_assert_str_eq(pt, "ana@example.org");
	cr_assert_eq(len, 15);
	/* A fresh nonce each time: the same value seals differently. */
	cr_assert_str_neq(
	    s, seal(a, "people", "r1", "email", "ana@example.org"));
	ch_arena_destroy(a);
}

Test(vault, a_value_moved_to_another_place_does_not_open)
{
	ch_arena *a = ch_arena_create(0);
	char *s = seal(a, "people", "r1", "email", "ana@example.org"), *pt;

	cr_assert_eq(
	    open_as(a, "people", "r2", "email", s, &pt), CH_ERR_CRYPTO);
	cr_assert_eq(
	    open_as(a, "people", "r1", "phone", s, &pt), CH_ERR_CRYPTO);
	cr_assert_eq(open_as(a, "users", "r1", "email", s, &pt), CH_ERR_CRYPTO);
	cr_assert_null(pt);
	ch_arena_destroy(a);
}

Test(vault, any_altered_character_is_refused)
{
	ch_arena *a = ch_arena_create(0);
	char *s = seal(a, "people", "r1", "phone", "+254 20 555 0100"), *pt;
	size_t n = strlen(s);

	for (size_t i = 0; i < n; i++) {
		char *t = ch_arena_strdup(a, s);

		t[i] = t[i] == 'A' ? 'B' : 'A';
		cr_assert_neq(open_as(a, "people", "r1", "phone", t, &pt),
		    CH_OK, "altered at %zu", i);
	}
	/* Cut short, and the key id of another key. */
	s[n - 4] = '\0';
	cr_assert_neq(open_as(a, "people", "r1", "phone", s, &pt), CH_OK);
	cr_assert_eq(
	    open_as(a, "people", "r1", "phone",
		"v1:12345678:"
		"AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
		&pt),
	    CH_ERR_NOT_FOUND);
	cr_assert_eq(
	    open_as(a, "people", "r1", "phone", "plain@example.org", &pt),
	    CH_ERR_INVALID);
	ch_arena_destroy(a);
}

Test(vault, refuses_without_a_key_and_past_the_limit)
{
	ch_arena *a = ch_arena_create(0);
	char big[CH_VAULT_PLAINTEXT_MAX + 1], *out;

	memset(big, 'x', sizeof(big));
	cr_assert_eq(
	    ch_vault_seal("people", "r", "email", big, sizeof(big), a, &out),
	    CH_ERR_TOO_LARGE);
	ch_vault_unload();
	cr_assert_not(ch_vault_loaded());
	cr_assert_eq(ch_vault_seal("people", "r", "email", "x", 1, a, &out),
	    CH_ERR_CRYPTO);
	ch_arena_destroy(a);
}

static void
temp_dir(char *dir, size_t size)
{
	snprintf(dir, size, "/tmp/ch-vault-%d-XXXXXX", (int)getpid());
	cr_assert_not_null(mkdtemp(dir));
}

Test(vault, key_file_is_private_strict_and_rotates)
{
	char dir[64], path[128], id1[CH_VAULT_ID_LEN], id2[CH_VAULT_ID_LEN];
	char ids[4][CH_VAULT_ID_LEN], *pt, *s1, *s2;
	ch_arena *a = ch_arena_create(0);
	struct stat st;
	FILE *fp;

	temp_dir(dir, sizeof(dir));
	snprintf(path, sizeof(path), "%s/keys/data.key", dir);
	cr_assert_eq(ch_vault_create_file(path), CH_OK);
	cr_assert_eq(ch_vault_create_file(path), CH_ERR_CONFLICT);
	cr_assert_eq(stat(path, &st), 0);
	cr_assert_eq(st.st_mode & 0777, 0600);
	snprintf(path, sizeof(path), "%s/keys", dir);
	cr_assert_eq(stat(path, &st), 0);
	cr_assert_eq(st.st_mode & 0777, 0700);
	snprintf(path, sizeof(path), "%s/keys/data.key", dir);
	cr_assert_eq(ch_vault_load(path), CH_OK);
	ch_vault_current_id(id1);
	s1 = seal(a, "people", "r1", "email", "old@example.org");

	/* Rotation keeps the old key, so old values still open. */
	cr_assert_eq(ch_vault_rotate_file(path, id2), CH_OK);
	cr_assert_str_neq(id1, id2);
	cr_assert_eq(ch_vault_key_ids(ids, 4), 2);
	cr_assert_str_eq(ids[0], id2);
	cr_assert_str_eq(ids[1], id1);
	s2 = seal(a, "people", "r1", "email", "new@example.org");
	cr_assert(strncmp(s2 + 3, id2, 8) == 0);
	cr_assert_eq(open_as(a, "people", "r1", "email", s1, &pt), CH_OK);
	cr_assert_str_eq(pt, "old@example.org");

	/* The current key cannot be retired; an old one can. */
	cr_assert_eq(ch_vault_retire_file(path, id2), CH_ERR_CONFLICT);
	cr_assert_eq(ch_vault_retire_file(path, "00000000"), CH_ERR_NOT_FOUND);
	cr_assert_eq(ch_vault_retire_file(path, id1), CH_OK);
	cr_assert_eq(
	    open_as(a, "people", "r1", "email", s1, &pt), CH_ERR_NOT_FOUND);
	cr_assert_eq(open_as(a, "people", "r1", "email", s2, &pt), CH_OK);

	/* Readable by others: refused.  A bad line: refused, and named. */
	chmod(path, 0644);
	cr_assert_eq(ch_vault_load(path), CH_ERR_DENIED);
	chmod(path, 0600);
	fp = fopen(path, "a");
	fputs("key nothex!! AAAA\n", fp);
	fclose(fp);
	cr_assert_eq(ch_vault_load(path), CH_ERR_INVALID);
	/* The keys loaded before stay loaded. */
	cr_assert_eq(open_as(a, "people", "r1", "email", s2, &pt), CH_OK);
	unlink(path);
	cr_assert_eq(ch_vault_load(path), CH_ERR_NOT_FOUND);
	snprintf(path, sizeof(path), "%s/keys", dir);
	rmdir(path);
	rmdir(dir);
	ch_arena_destroy(a);
}

/* ---- the store seals people's contacts ---- */

struct env {
	struct fresh_db db;
	struct ch_store *store;
	struct ch_ctx ctx;
	char post_id[CH_ID_LEN];
	const struct ch_db_ops *ops;
	ch_db *raw;
};

static void
env_open(struct env *e, const char *tag)
{
	struct ch_post in = {0}, out;

	fresh_db_make(&e->db, tag);
	cr_assert_eq(ch_store_open(e->db.dsn, 3, &e->store), CH_OK);
	memset(&e->ctx, 0, sizeof(e->ctx));
	e->ctx.store = e->store;
	e->ctx.arena = ch_arena_create(0);
	e->ctx.request_id = "test";
	e->ctx.source = "test";
	in.name = "Embassy in Tallinn";
	in.kind = CH_POST_EMBASSY;
	memcpy(in.country, "EE", 3);
	in.city = "Tallinn";
	in.timezone = "Europe/Tallinn";
	cr_assert_eq(ch_posts_create(&e->ctx, &in, &out), CH_OK, "%s",
	    e->ctx.fault.detail);
	memcpy(e->post_id, out.id, CH_ID_LEN);
	e->ops = ch_db_ops_for(e->db.dsn);
	cr_assert_eq(e->ops->open(e->db.dsn, &e->raw), CH_OK);
}

static void
env_close(struct env *e)
{
	e->ops->close(e->raw);
	ch_arena_destroy(e->ctx.arena);
	ch_store_close(e->store);
	fresh_db_drop(&e->db);
}

static struct ch_person
add_person(
    struct env *e, const char *family, const char *email, const char *phone)
{
	struct ch_person_input in = {0};
	struct ch_person p;

	in.set = CH_PF_POST_ID | CH_PF_GIVEN_NAME | CH_PF_FAMILY_NAME |
	    CH_PF_CATEGORY | CH_PF_NATIONALITY | CH_PF_EMAIL | CH_PF_PHONE;
	in.post_id = e->post_id;
	in.given_name = "Test";
	in.family_name = family;
	in.category = "diplomatic_agent";
	in.nationality = "FR";
	in.email = email;
	in.phone = phone;
	cr_assert_eq(ch_people_create(&e->ctx, &in, &p), CH_OK, "%s",
	    e->ctx.fault.detail);
	return p;
}

/* The raw cell of people.column for id, as the database holds it. */
static char *
raw_cell(struct env *e, const char *id, const char *column)
{
	char sql[128];
	struct ch_param v[1] = {CH_P_TEXT(id)};
	struct ch_rows *r = NULL;
	char *out;

	snprintf(
	    sql, sizeof(sql), "SELECT %s FROM people WHERE id = $1", column);
	cr_assert_eq(e->ops->query(e->raw, sql, v, 1, &r, NULL), CH_OK);
	cr_assert_eq(r->nrows, 1);
	out = ch_arena_strdup(e->ctx.arena, ch_rows_get(r, 0, 0));
	ch_rows_free(r);
	return out;
}

static void
raw_set(struct env *e, const char *id, const char *column, const char *value)
{
	char sql[128];
	struct ch_param v[2] = {CH_P_TEXT(id), CH_P_TEXT(value)};

	snprintf(sql, sizeof(sql), "UPDATE people SET %s = $2 WHERE id = $1",
	    column);
	cr_assert_eq(e->ops->query(e->raw, sql, v, 2, NULL, NULL), CH_OK);
}

Test(vault, the_database_holds_contacts_only_sealed)
{
	struct env e;
	struct ch_person p, q;
	struct ch_person_view v;

	env_open(&e, "seal");
	p = add_person(&e, "Tamm", "kadri@example.org", "+372 5555 0101");
	q = add_person(&e, "Kask", "mart@example.org", NULL);
	cr_assert(ch_vault_is_sealed(raw_cell(&e, p.id, "email")));
	cr_assert(ch_vault_is_sealed(raw_cell(&e, p.id, "phone")));
	cr_assert_null(strstr(raw_cell(&e, p.id, "email"), "kadri"));
	cr_assert_null(raw_cell(&e, q.id, "phone"));
	cr_assert_eq(ch_people_get(&e.ctx, p.id, &v), CH_OK);
	cr_assert_str_eq(v.person.email, "kadri@example.org");
	cr_assert_str_eq(v.person.phone, "+372 5555 0101");

	/* Copy Kask's sealed email onto Tamm: it does not open there. */
	raw_set(&e, p.id, "email", raw_cell(&e, q.id, "email"));
	cr_assert_eq(ch_people_get(&e.ctx, p.id, &v), CH_ERR_CRYPTO);
	cr_assert_eq(ch_people_get(&e.ctx, q.id, &v), CH_OK);
	cr_assert_str_eq(v.person.email, "mart@example.org");
	env_close(&e);
}

Test(vault, the_audit_state_commits_to_contacts_without_revealing_them)
{
	struct ch_person p = {0};
	struct ch_buf a, b;
	static const unsigned char other_key[CH_VAULT_KEY_BYTES] = {7};

	p.given_name = "Kadri";
	p.family_name = "Tamm";
	p.email = "kadri@example.org";
	p.phone = "+372 5555 0101";
	ch_buf_init(&a, 4096);
	ch_buf_init(&b, 4096);
	ch_person_state(&p, &a);
	cr_assert_null(strstr(a.data, "kadri@"));
	cr_assert_null(strstr(a.data, "5555"));
	/* Deterministic under one key, different under another. */
	ch_person_state(&p, &b);
	cr_assert_str_eq(a.data, b.data);
	p.phone = "+372 5555 0102";
	ch_buf_reset(&b);
	ch_person_state(&p, &b);
	cr_assert_str_neq(a.data, b.data);
	p.phone = "+372 5555 0101";
	cr_assert_eq(ch_vault_load_raw("0badf00d", other_key), CH_OK);
	ch_buf_reset(&b);
	ch_person_state(&p, &b);
	cr_assert_str_neq(a.data, b.data);
	ch_buf_free(&a);
	ch_buf_free(&b);
}

Test(vault, plaintext_from_older_versions_is_sealed_once)
{
	struct ch_reseal_stats st;
	struct ch_person_view v;
	struct ch_person p;
	struct env e;
	int64_t n = -1;

	env_open(&e, "plain");
	p = add_person(&e, "Saar", "liis@example.org", NULL);
	raw_set(&e, p.id, "email", "liis@example.org"); /* as version 0.1 */
	cr_assert_eq(ch_store_sealed_count(e.store, NULL, &n), CH_OK);
	cr_assert_eq(n, 1);
	cr_assert_eq(ch_people_get(&e.ctx, p.id, &v), CH_ERR_CRYPTO);
	cr_assert_eq(ch_store_reseal(e.store, true, 0, &st), CH_OK);
	cr_assert_eq(st.plaintext, 1);
	cr_assert_eq(ch_store_sealed_count(e.store, NULL, &n), CH_OK);
	cr_assert_eq(n, 0);
	cr_assert_eq(ch_people_get(&e.ctx, p.id, &v), CH_OK);
	cr_assert_str_eq(v.person.email, "liis@example.org");
	env_close(&e);
}

Test(vault, rotation_reseals_in_batches_and_frees_the_old_key)
{
	char dir[64], path[128], old[CH_VAULT_ID_LEN], fresh[CH_VAULT_ID_LEN];
	struct ch_person ps[7];
	struct ch_reseal_stats st;
	struct ch_person_view v;
	struct env e;
	int64_t n = -1;
	char family[32];

	temp_dir(dir, sizeof(dir));
	snprintf(path, sizeof(path), "%s/data.key", dir);
	cr_assert_eq(ch_vault_create_file(path), CH_OK);
	cr_assert_eq(ch_vault_load(path), CH_OK);
	ch_vault_current_id(old);
	env_open(&e, "rot");
	for (size_t i = 0; i < CH_ARRAY_LEN(ps); i++) {
		snprintf(family, sizeof(family), "Rebane%zu", i);
		ps[i] = add_person(&e, family, "x@example.org",
		    i % 2 ? "+372 600 0000" : NULL);
	}
	cr_assert_eq(ch_store_sealed_count(e.store, old, &n), CH_OK);
	cr_assert_eq(n, 10);
	cr_assert_eq(ch_vault_rotate_file(path, fresh), CH_OK);
	/* Batches of 3: several transactions per column. */
	cr_assert_eq(ch_store_reseal(e.store, false, 3, &st), CH_OK);
	cr_assert_eq(st.resealed, 10);
	cr_assert_geq(st.batches, 5);
	cr_assert_eq(ch_store_sealed_count(e.store, old, &n), CH_OK);
	cr_assert_eq(n, 0);
	cr_assert_eq(ch_store_sealed_count(e.store, fresh, &n), CH_OK);
	cr_assert_eq(n, 10);
	/* Run again: nothing to do. */
	cr_assert_eq(ch_store_reseal(e.store, false, 3, &st), CH_OK);
	cr_assert_eq(st.resealed, 0);
	cr_assert_eq(ch_vault_retire_file(path, old), CH_OK);
	for (size_t i = 0; i < CH_ARRAY_LEN(ps); i++) {
		cr_assert_eq(ch_people_get(&e.ctx, ps[i].id, &v), CH_OK);
		cr_assert_str_eq(v.person.email, "x@example.org");
		cr_assert(strncmp(raw_cell(&e, ps[i].id, "email") + 3, fresh,
			      8) == 0);
	}
	env_close(&e);
	unlink(path);
	rmdir(dir);
}

Test(vault, a_running_process_picks_up_a_rotation_by_another)
{
	char dir[64], path[128], before[CH_VAULT_ID_LEN],
	    after[CH_VAULT_ID_LEN];
	ch_arena *a = ch_arena_create(0);
	char *s, *pt;
	pid_t child;
	int status;

	temp_dir(dir, sizeof(dir));
	snprintf(path, sizeof(path), "%s/data.key", dir);
	cr_assert_eq(ch_vault_create_file(path), CH_OK);
	cr_assert_eq(ch_vault_load(path), CH_OK);
	ch_vault_current_id(before);
	/* `chancery key rotate` in another process. */
	child = fork();
	if (child == 0) {
		char id[CH_VAULT_ID_LEN];

		_exit(ch_vault_rotate_file(path, id) == CH_OK ? 0 : 1);
	}
	cr_assert_eq(waitpid(child, &status, 0), child);
	cr_assert_eq(WEXITSTATUS(status), 0);
	/* Within a second this process seals under the new key. */
	usleep(1100 * 1000);
	s = seal(a, "people", "r9", "email", "new@example.org");
	ch_vault_current_id(after);
	cr_assert_str_neq(after, before);
	cr_assert(strncmp(s + 3, after, 8) == 0, "%s", s);
	cr_assert_eq(open_as(a, "people", "r9", "email", s, &pt), CH_OK);
	unlink(path);
	rmdir(dir);
	ch_arena_destroy(a);
}

Test(vault, a_value_under_a_key_loaded_elsewhere_reloads_at_once)
{
	char dir[64], path[128], id[CH_VAULT_ID_LEN];
	ch_arena *a = ch_arena_create(0);
	char *s = NULL, *pt;
	int fds[2];
	pid_t child;
	int status;
	char buf[512] = "";

	temp_dir(dir, sizeof(dir));
	snprintf(path, sizeof(path), "%s/data.key", dir);
	cr_assert_eq(ch_vault_create_file(path), CH_OK);
	cr_assert_eq(ch_vault_load(path), CH_OK);
	cr_assert_eq(pipe(fds), 0);
	child = fork();
	if (child == 0) {
		ch_arena *ca = ch_arena_create(0);
		char *cs = NULL;

		if (ch_vault_rotate_file(path, id) != CH_OK ||
		    ch_vault_seal("people", "r1", "phone", "+1 555", 6, ca,
			&cs) != CH_OK ||
		    write(fds[1], cs, strlen(cs) + 1) < 0)
			_exit(1);
		_exit(0);
	}
	cr_assert_eq(waitpid(child, &status, 0), child);
	cr_assert_eq(WEXITSTATUS(status), 0);
	cr_assert_gt(read(fds[0], buf, sizeof(buf) - 1), 0);
	s = buf;
	/* No waiting: an unknown key id makes the vault reread the file. */
	cr_assert_eq(open_as(a, "people", "r1", "phone", s, &pt), CH_OK);
	cr_assert_str_eq(pt, "+1 555");
	close(fds[0]);
	close(fds[1]);
	unlink(path);
	rmdir(dir);
	ch_arena_destroy(a);
}
