/*
 * test_screening.c — watchlists in the store and screening over them, on
 * the engine $CH_TEST_DSN names (PostgreSQL) or a new SQLite file, each
 * test in a database of its own (fresh_db.h): versions with their summary
 * and stable entry ids, lookout entries, screening with hits, the memory
 * of adjudications (a dismissed pair stays dismissed until the subject or
 * the entry changes), re-screening after a list update, thresholds, and
 * who may do what.
 */
#include <criterion/criterion.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fresh_db.h"
#include "people/people.h"
#include "screening/screening.h"
#include "store/store.h"

static struct fresh_db db;
static struct ch_store *store;
static struct ch_ctx ctx;
static char post_id[CH_ID_LEN], other_post[CH_ID_LEN];

static void
make_post(const char *label, char out_id[CH_ID_LEN])
{
	struct ch_post in = {0}, out;
	char name[80];

	snprintf(
	    name, sizeof(name), "Screening post %s %d", label, (int)getpid());
	in.name = name;
	in.kind = CH_POST_EMBASSY;
	memcpy(in.country, "KE", 3);
	in.city = "Nairobi";
	in.timezone = "Africa/Nairobi";
	cr_assert_eq(
	    ch_posts_create(&ctx, &in, &out), CH_OK, "%s", ctx.fault.detail);
	memcpy(out_id, out.id, CH_ID_LEN);
}

static void
setup(void)
{
	ch_log_set_quiet(true);
	fresh_db_make(&db, "screening");
	cr_assert_eq(ch_store_open(db.dsn, 2, &store), CH_OK);
	memset(&ctx, 0, sizeof(ctx));
	ctx.store = store;
	ctx.arena = ch_arena_create(256u * 1024 * 1024);
	ctx.request_id = "test";
	ctx.source = "test";
	make_post("a", post_id);
	make_post("b", other_post);
	cr_assert_eq(ch_screening_start(store), CH_OK);
}

static void
teardown(void)
{
	ch_screening_stop();
	ch_arena_destroy(ctx.arena);
	ch_store_close(store);
	fresh_db_drop(&db);
}

TestSuite(screening, .init = setup, .fini = teardown);

static void
custom(const char *csv, struct ch_watch_set *set)
{
	struct ch_fault f;

	cr_assert_eq(
	    ch_watch_parse_custom(csv, strlen(csv), ctx.arena, set, &f), CH_OK,
	    "%s: %s", f.field, f.detail);
}

static const char v1[] =
    "ref,name,aliases,dob,nationality\n"
    "1,\"PETROVSKY, Ivan Sergeyevich\",Ivan Petrovski,1961-04-12,RU\n"
    "2,\"OKONKWO, Chinedu\",,1975,NG\n"
    "3,ACME SHIPPING,,,\n";
/* 1 unchanged, 2 changed (its date of birth), 3 removed, 4 added. */
static const char v2[] =
    "ref,name,aliases,dob,nationality\n"
    "1,\"PETROVSKY, Ivan Sergeyevich\",Ivan Petrovski,1961-04-12,RU\n"
    "2,\"OKONKWO, Chinedu\",,1976,NG\n"
    "4,\"HADDAD, Samira\",,1980,LB\n";

static void
import_v(const char *list_id, const char *csv, struct ch_watch_version *v)
{
	struct ch_watch_set set;

	custom(csv, &set);
	cr_assert_eq(ch_watchlists_import(&ctx, list_id, &set, "test.csv", v),
	    CH_OK, "%s", ctx.fault.detail);
}

static const struct ch_watch_row *
row_of(const struct ch_watch_row *rows, size_t n, const char *ref)
{
	for (size_t i = 0; i < n; i++)
		if (strcmp(rows[i].ref, ref) == 0)
			return &rows[i];
	return NULL;
}

static void
make_list(const char *post, const char *name, struct ch_watchlist *l)
{
	cr_assert_eq(ch_watchlists_create(&ctx, post, name, "custom", l), CH_OK,
	    "%s", ctx.fault.detail);
}

Test(screening, versions_summarise_and_keep_ids_of_unchanged_entries)
{
	struct ch_watchlist l;
	struct ch_watch_version v, *vs;
	struct ch_watch_row *r1, *r2;
	size_t n1, n2, nv;

	make_list(post_id, "Post list", &l);
	import_v(l.id, v1, &v);
	cr_assert_eq(v.number, 1);
	cr_assert_eq(v.added, 3);
	cr_assert_eq(v.entries, 3);
	cr_assert_eq(
	    ch_watchlists_entries(&ctx, l.id, NULL, 0, &r1, &n1, NULL, 0),
	    CH_OK);
	cr_assert_eq(n1, 3);
	import_v(l.id, v2, &v);
	cr_assert_eq(v.number, 2);
	cr_assert_eq(v.unchanged, 1);
	cr_assert_eq(v.changed, 1);
	cr_assert_eq(v.removed, 1);
	cr_assert_eq(v.added, 1);
	cr_assert_eq(
	    ch_watchlists_entries(&ctx, l.id, NULL, 0, &r2, &n2, NULL, 0),
	    CH_OK);
	cr_assert_eq(n2, 3);
	cr_assert_str_eq(row_of(r1, n1, "1")->id, row_of(r2, n2, "1")->id,
	    "an unchanged entry keeps its id");
	cr_assert_str_neq(row_of(r1, n1, "2")->id, row_of(r2, n2, "2")->id,
	    "a changed entry is a new entry");
	cr_assert_null(row_of(r2, n2, "3"));
	cr_assert_not_null(row_of(r2, n2, "4"));
	/* The same file again changes nothing. */
	import_v(l.id, v2, &v);
	cr_assert_eq(v.unchanged, 3);
	cr_assert_eq(v.added + v.removed + v.changed, 0);
	cr_assert_eq(ch_watchlists_versions(&ctx, l.id, &vs, &nv), CH_OK);
	cr_assert_eq(nv, 3);
	cr_assert_eq(vs[0].number, 3);
	cr_assert_eq(vs[1].changed, 1);
	cr_assert_eq(ch_watchlists_get(&ctx, l.id, &l), CH_OK);
	cr_assert_eq(l.current_version, 3);
	cr_assert_eq(l.entries, 3);
	/* Pages of two by ref: 1, 2 then 4. */
	{
		char next[600], again[600];
		struct ch_watch_row *p;
		size_t np;

		cr_assert_eq(ch_watchlists_entries(&ctx, l.id, NULL, 2, &p, &np,
				 next, sizeof(next)),
		    CH_OK);
		cr_assert_eq(np, 2);
		cr_assert_str_eq(p[1].ref, "2");
		cr_assert_neq(next[0], '\0');
		cr_assert_eq(ch_watchlists_entries(&ctx, l.id, next, 2, &p, &np,
				 again, sizeof(again)),
		    CH_OK);
		cr_assert_eq(np, 1);
		cr_assert_str_eq(p[0].ref, "4");
		cr_assert_str_eq(again, "");
		cr_assert_eq(ch_watchlists_entries(&ctx, l.id, "zz", 2, &p, &np,
				 again, sizeof(again)),
		    CH_ERR_INVALID);
	}
}

static void
screen(const char *post, const char *name, const char *dob,
    struct ch_screen_hit **hits, size_t *n)
{
	struct ch_screen_subject s = {.name = name, .dob = dob};
	struct ch_screening sc;

	cr_assert_eq(ch_screening_run(&ctx, post, &s, "manual", &sc, hits, n),
	    CH_OK, "%s", ctx.fault.detail);
	cr_assert_eq(sc.hits, (int64_t)*n);
}

static const struct ch_screen_hit *
hit_on(const struct ch_screen_hit *hits, size_t n, const char *entry_ref)
{
	for (size_t i = 0; i < n; i++)
		if (strcmp(hits[i].entry_ref, entry_ref) == 0)
			return &hits[i];
	return NULL;
}

Test(screening, a_dismissed_pair_stays_dismissed_until_either_side_changes)
{
	struct ch_watchlist l;
	struct ch_watch_version v;
	struct ch_screen_hit *hits, got, *queue;
	const struct ch_screen_hit *h;
	size_t n, nq;

	make_list(post_id, "Post list", &l);
	import_v(l.id, v1, &v);
	screen(post_id, "Ivan Petrovsky", "1961-04-12", &hits, &n);
	h = hit_on(hits, n, "1");
	cr_assert_not_null(h, "the listed name is found");
	cr_assert_str_eq(h->status, "open");
	cr_assert_gt(h->score_permille, 800);
	cr_assert(strstr(h->explanation, "\"factors\"") != NULL);
	/* The other post does not see this post's list. */
	screen(other_post, "Ivan Petrovsky", "1961-04-12", &hits, &n);
	cr_assert_null(hit_on(hits, n, "1"));

	cr_assert_eq(
	    ch_screening_hits(&ctx, post_id, NULL, 0, &queue, &nq), CH_OK);
	cr_assert_eq(nq, 1);
	cr_assert_eq(ch_screening_adjudicate(&ctx, queue[0].id, "dismissed",
			 "a different man: the guard saw his passport", &got),
	    CH_OK, "%s", ctx.fault.detail);
	cr_assert_str_eq(got.status, "dismissed");
	cr_assert_str_eq(
	    got.decision_reason, "a different man: the guard saw his passport");
	cr_assert_eq(ch_screening_adjudicate(
			 &ctx, queue[0].id, "confirmed", "again", &got),
	    CH_ERR_CONFLICT);
	cr_assert_eq(
	    ch_screening_adjudicate(&ctx, queue[0].id, "maybe", "x", &got),
	    CH_ERR_INVALID);

	/* The same subject again: remembered, not in the queue. */
	screen(post_id, "Ivan Petrovsky", "1961-04-12", &hits, &n);
	h = hit_on(hits, n, "1");
	cr_assert_not_null(h);
	cr_assert_str_eq(h->status, "dismissed");
	cr_assert_eq(
	    ch_screening_hits(&ctx, post_id, NULL, 0, &queue, &nq), CH_OK);
	cr_assert_eq(nq, 0);

	/* The subject changes (another date of birth): open again. */
	screen(post_id, "Ivan Petrovsky", "1962", &hits, &n);
	h = hit_on(hits, n, "1");
	cr_assert_not_null(h);
	cr_assert_str_eq(h->status, "open");

	/* The entry changes: open again for the first subject too. */
	import_v(l.id,
	    "ref,name,aliases,dob,nationality\n"
	    "1,\"PETROVSKY, Ivan Sergeyevich\",Ivan Petrovski;Vanya "
	    "Petrovsky,1961-04-12,RU\n",
	    &v);
	cr_assert_eq(v.changed, 1);
	screen(post_id, "Ivan Petrovsky", "1961-04-12", &hits, &n);
	h = hit_on(hits, n, "1");
	cr_assert_not_null(h);
	cr_assert_str_eq(h->status, "open");
}

Test(screening, lookout_entries_and_rescreening_after_an_update)
{
	struct ch_lookout_input in = {0};
	struct ch_person_input pi = {0};
	struct ch_person p;
	struct ch_watch_row row, *rows;
	struct ch_screen_hit *queue;
	size_t n, nq, fresh = 0;

	pi.set = CH_PF_POST_ID | CH_PF_GIVEN_NAME | CH_PF_FAMILY_NAME |
	    CH_PF_CATEGORY | CH_PF_NATIONALITY | CH_PF_ARRIVED_ON;
	pi.post_id = post_id;
	pi.given_name = "Samira";
	pi.family_name = "Haddad";
	pi.category = "locally_employed";
	pi.nationality = "LB";
	pi.arrived_on = "2024-01-01";
	cr_assert_eq(
	    ch_people_create(&ctx, &pi, &p), CH_OK, "%s", ctx.fault.detail);

	in.post_id = post_id;
	in.name = "HADDAD, Samira";
	in.nationality = "Lebanon";
	in.reason = "threatened the consular section on 3 March";
	in.seriousness = "high";
	cr_assert_eq(
	    ch_lookout_create(&ctx, &in, &row), CH_OK, "%s", ctx.fault.detail);
	cr_assert_str_eq(row.seriousness, "high");
	cr_assert_eq(ch_lookout_list(&ctx, post_id, &rows, &n), CH_OK);
	cr_assert_eq(n, 1);
	/* The lookout entry re-screened the post's people: one new hit. */
	cr_assert_eq(
	    ch_screening_hits(&ctx, post_id, "open", 0, &queue, &nq), CH_OK);
	cr_assert_eq(nq, 1);
	cr_assert_str_eq(queue[0].subject_type, "person");
	cr_assert_str_eq(queue[0].subject_id, p.id);
	cr_assert_str_eq(queue[0].list_name, "Lookout");
	/* Again: the open hit is not raised twice. */
	cr_assert_eq(ch_screening_rescreen(&ctx, post_id, &fresh), CH_OK);
	cr_assert_eq(fresh, 0);
	/* Bad input. */
	in.seriousness = "extreme";
	cr_assert_eq(ch_lookout_create(&ctx, &in, &row), CH_ERR_INVALID);
	cr_assert_str_eq(ctx.fault.field, "/seriousness");
	in.seriousness = "low";
	in.nationality = "Atlantis";
	cr_assert_eq(ch_lookout_create(&ctx, &in, &row), CH_ERR_INVALID);
	cr_assert_str_eq(ctx.fault.field, "/nationality");
	/* Delete: gone from the list. */
	cr_assert_eq(ch_lookout_delete(&ctx, rows[0].id), CH_OK);
	cr_assert_eq(ch_lookout_list(&ctx, post_id, &rows, &n), CH_OK);
	cr_assert_eq(n, 0);
	cr_assert_eq(ch_lookout_delete(&ctx, row.id), CH_ERR_NOT_FOUND);
}

Test(screening, thresholds_per_post)
{
	struct ch_screen_settings st;
	struct ch_watchlist l;
	struct ch_watch_version v;
	struct ch_screen_hit *hits;
	size_t n;

	cr_assert_eq(ch_screening_settings_get(&ctx, post_id, &st), CH_OK);
	cr_assert_gt(st.review_permille, 0);
	cr_assert_eq(ch_screening_settings_set(&ctx, post_id, 900, 800, &st),
	    CH_ERR_INVALID);
	cr_assert_eq(
	    ch_screening_settings_set(&ctx, post_id, 999, 1000, &st), CH_OK);
	cr_assert_eq(ch_screening_settings_get(&ctx, post_id, &st), CH_OK);
	cr_assert_eq(st.review_permille, 999);
	make_list(post_id, "Post list", &l);
	import_v(l.id, v1, &v);
	/* A near spelling is under a review threshold of 0.999. */
	screen(post_id, "Ivan Petrovski", NULL, &hits, &n);
	for (size_t i = 0; i < n; i++)
		cr_assert_geq(hits[i].score_permille, 999);
}

Test(screening, who_may)
{
	struct ch_principal guard = {0}, officer = {0};
	struct ch_screen_subject s = {.name = "Ivan Petrovsky"};
	struct ch_screening sc;
	struct ch_screen_hit *hits;
	struct ch_watchlist l;
	size_t n;

	guard.roles = 1u << CH_ROLE_GUARD;
	ch_strlcpy(guard.username, "guard", sizeof(guard.username));
	ch_strlcpy(guard.post_id, post_id, sizeof(guard.post_id));
	officer = guard;
	officer.roles = 1u << CH_ROLE_SECURITY_OFFICER;
	ctx.who = &guard;
	cr_assert_eq(
	    ch_screening_run(&ctx, post_id, &s, "manual", &sc, &hits, &n),
	    CH_OK);
	cr_assert_eq(
	    ch_screening_run(&ctx, other_post, &s, "manual", &sc, &hits, &n),
	    CH_ERR_DENIED, "not another post");
	cr_assert_eq(ch_screening_hits(&ctx, NULL, NULL, 0, &hits, &n),
	    CH_ERR_DENIED, "a guard does not review");
	cr_assert_eq(ch_watchlists_create(&ctx, post_id, "X", "custom", &l),
	    CH_ERR_DENIED);
	ctx.who = &officer;
	cr_assert_eq(
	    ch_watchlists_create(&ctx, post_id, "X", "custom", &l), CH_OK);
	cr_assert_eq(ch_watchlists_create(&ctx, NULL, "G", "un", &l),
	    CH_ERR_DENIED, "global lists are HQ's");
	ctx.who = NULL;
}

Test(screening, an_import_that_fails_stores_nothing)
{
	struct ch_watchlist l;
	struct ch_watch_version v, *vs;
	struct ch_watch_set set;
	struct ch_watch_row *rows;
	size_t n;

	make_list(post_id, "Post list", &l);
	custom(v1, &set);
	/* Two entries with one ref: refused after the first was written. */
	set.entries[2].ref = set.entries[0].ref;
	cr_assert_eq(ch_watchlists_import(&ctx, l.id, &set, "bad.csv", &v),
	    CH_ERR_INVALID);
	cr_assert_eq(ch_watchlists_versions(&ctx, l.id, &vs, &n), CH_OK);
	cr_assert_eq(n, 0);
	cr_assert_eq(
	    ch_watchlists_entries(&ctx, l.id, NULL, 0, &rows, &n, NULL, 0),
	    CH_OK);
	cr_assert_eq(n, 0, "no entry of the refused import is stored");
	cr_assert_eq(ch_watchlists_get(&ctx, l.id, &l), CH_OK);
	cr_assert_eq(l.current_version, 0);
}

/*
 * A list file may have CH_WATCH_MAX_FILE bytes, but the file, its entries
 * and the rows made of them take several times that: in the command
 * line's arena (64 MiB) a custom list of 20 MB ran out of memory, with no
 * word of why.  An import from disk works in an arena of its own.
 */
Test(screening, an_import_from_disk_is_not_bound_by_the_callers_arena)
{
	char path[] = "/tmp/ch-screening-list-XXXXXX";
	struct ch_watch_version v;
	struct ch_watchlist l;
	struct ch_ctx cli = ctx;
	char remarks[3901];
	FILE *f;
	int fd;

	memset(remarks, 'r', sizeof(remarks) - 1);
	remarks[sizeof(remarks) - 1] = '\0';
	cr_assert((fd = mkstemp(path)) >= 0);
	cr_assert_not_null(f = fdopen(fd, "w"));
	fputs("ref,name,remarks\n", f);
	for (int i = 0; i < 5000; i++)
		fprintf(f, "%d,PERSON NUMBER %d,%s\n", i, i, remarks);
	fclose(f);
	cli.arena = ch_arena_create(0); /* as the command line's */
	cr_assert_not_null(cli.arena);
	cr_assert_eq(ch_watchlists_import_path(&cli, post_id,
			 CH_WATCH_SRC_CUSTOM, path, "Large list", &l, &v),
	    CH_OK, "%s: %s", cli.fault.field, cli.fault.detail);
	unlink(path);
	cr_assert_eq(v.entries, 5000);
	cr_assert_eq(v.added, 5000);
	cr_assert_str_eq(l.name, "Large list");
	cr_assert_eq(l.entries, 5000);
	ch_arena_destroy(cli.arena);
}

/*
 * The first import of an official list makes the list; when the file is
 * refused (here: one reference twice), no list may be left behind, empty,
 * with its creation audited.
 */
Test(screening, a_refused_first_import_from_disk_leaves_no_list)
{
	char path[] = "/tmp/ch-screening-un-XXXXXX";
	struct ch_watch_version v;
	struct ch_watchlist l, *lists;
	size_t n;
	FILE *f;
	int fd;

	cr_assert((fd = mkstemp(path)) >= 0);
	cr_assert_not_null(f = fdopen(fd, "w"));
	fputs("<CONSOLIDATED_LIST><ENTITIES>"
	      "<ENTITY><REFERENCE_NUMBER>X.1</REFERENCE_NUMBER>"
	      "<FIRST_NAME>ACME</FIRST_NAME></ENTITY>"
	      "<ENTITY><REFERENCE_NUMBER>X.1</REFERENCE_NUMBER>"
	      "<FIRST_NAME>ACME TWO</FIRST_NAME></ENTITY>"
	      "</ENTITIES></CONSOLIDATED_LIST>",
	    f);
	fclose(f);
	cr_assert_eq(ch_watchlists_import_path(
			 &ctx, NULL, CH_WATCH_SRC_UN, path, NULL, &l, &v),
	    CH_ERR_INVALID);
	unlink(path);
	cr_assert(strstr(ctx.fault.detail, "X.1") != NULL, "%s",
	    ctx.fault.detail);
	cr_assert_eq(ch_watchlists_list(&ctx, NULL, &lists, &n), CH_OK);
	for (size_t i = 0; i < n; i++)
		cr_assert(strcmp(lists[i].source, "un") != 0,
		    "the refused import left the list %s", lists[i].name);
}

/* Queries go on while the index is rebuilt and swapped: none fails, and
 * each sees either the old index or the new one, whole. */
struct prober {
	pthread_t thread;
	int runs, failures, seen_new;
};

static volatile int stop_probing;

static void *
probe_loop(void *arg)
{
	struct prober *p = arg;
	struct ch_ctx c = ctx;
	struct ch_screen_subject s = {.name = "Ivan Petrovsky"};

	c.arena = ch_arena_create(64u * 1024 * 1024);
	while (!stop_probing) {
		json_t *hits = NULL;

		if (ch_screening_probe(&c, post_id, &s, &hits) != CH_OK ||
		    hits == NULL)
			p->failures++;
		else if (json_array_size(hits) > 0)
			p->seen_new++;
		json_decref(hits);
		p->runs++;
	}
	ch_arena_destroy(c.arena);
	return NULL;
}

Test(screening, readers_are_not_blocked_by_a_rebuild)
{
	struct prober probers[3];
	struct ch_watchlist l;
	struct ch_watch_version v;

	memset(probers, 0, sizeof(probers));
	stop_probing = 0;
	for (size_t i = 0; i < 3; i++)
		cr_assert_eq(pthread_create(&probers[i].thread, NULL,
				 probe_loop, &probers[i]),
		    0);
	make_list(post_id, "Post list", &l);
	import_v(l.id, v1, &v); /* rebuilds and swaps */
	for (int i = 0; i < 5; i++)
		cr_assert_eq(ch_screening_reload(store), CH_OK);
	usleep(100 * 1000);
	stop_probing = 1;
	for (size_t i = 0; i < 3; i++) {
		pthread_join(probers[i].thread, NULL);
		cr_assert_gt(probers[i].runs, 0);
		cr_assert_eq(probers[i].failures, 0);
	}
	cr_assert_gt(
	    probers[0].seen_new + probers[1].seen_new + probers[2].seen_new, 0,
	    "the new index was seen");
	cr_assert_eq(ch_screening_indexed(), 3);
}

Test(screening, the_index_notices_lists_changed_elsewhere)
{
	struct ch_watchlist l;
	struct ch_watch_version v;
	bool reloaded = true;

	cr_assert_eq(ch_screening_check(store, &reloaded), CH_OK);
	cr_assert_not(reloaded, "nothing changed");
	/* As another process would: the import leaves this index alone. */
	ch_watchlists_defer_refresh(true);
	make_list(post_id, "Post list", &l);
	import_v(l.id, v1, &v);
	ch_watchlists_defer_refresh(false);
	cr_assert_eq(ch_screening_indexed(), 0);
	cr_assert_eq(ch_screening_check(store, &reloaded), CH_OK);
	cr_assert(reloaded);
	cr_assert_eq(ch_screening_indexed(), 3);
	cr_assert_eq(ch_screening_check(store, &reloaded), CH_OK);
	cr_assert_not(reloaded);
	/* The watcher thread starts and stops cleanly. */
	cr_assert_eq(ch_screening_watch(store, 1), CH_OK);
}

/* Before the index is built (a server's first seconds) a screening is
 * refused as busy — never answered "no hits" — and answers once it is. */
Test(screening, no_index_yet_is_busy_never_no_hits)
{
	struct ch_screen_subject s = {.name = "Ivan Petrov"};
	struct ch_screening sc;
	struct ch_screen_hit *hits;
	json_t *probe = NULL;
	size_t n;

	ch_screening_stop();
	cr_assert_not(ch_screening_ready());
	cr_assert_eq(
	    ch_screening_run(&ctx, post_id, &s, "manual", &sc, &hits, &n),
	    CH_ERR_BUSY);
	cr_assert(strstr(ctx.fault.detail, "still being built") != NULL);
	cr_assert_eq(
	    ch_screening_probe(&ctx, post_id, &s, &probe), CH_ERR_BUSY);
	cr_assert_eq(ch_screening_start_async(store), CH_OK);
	for (int i = 0; i < 600 && !ch_screening_ready(); i++)
		usleep(10 * 1000);
	cr_assert(ch_screening_ready());
	cr_assert_eq(
	    ch_screening_run(&ctx, post_id, &s, "manual", &sc, &hits, &n),
	    CH_OK);
	json_decref(probe);
}
