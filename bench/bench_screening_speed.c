/*
 * bench_screening_speed.c — how fast the matching engine screens
 * (bench/screening-speed runs it).
 *
 *   lists     OFAC SDN + OFAC consolidated + UN (about 27,000 names):
 *             index build time and memory; queries per second on one
 *             thread and p50 / p99 latency; against, in the same run, a
 *             full scan with Jaro-Winkler of the whole normalised names
 *             (the naive baseline) and the engine's own full scan
 *   synthetic 1,000,000 names made of the lists' own name parts (given
 *             names and family names of individuals recombined), the same
 *             figures
 *
 * Queries: half listed names with one letter dropped or changed, half
 * plausible names of many origins that are on no list (name_parts.h).
 *
 * Query times are the thread's CPU time (one core), wall-clock queries
 * per second beside them; build times are wall-clock.
 *
 * The index scores few of its candidates: each gets an upper bound from
 * the similarities of its tokens to the query's, entries are visited
 * best bound first and the query stops when the next bound cannot reach
 * the last of a full top (docs/screening.md, "The index").  Measured
 * 2026-11-26 on a loaded 2-core machine, against main's engine in the
 * same conditions: 2,385 -> 7,159 q/s at 29,047 names (p50 237 -> 83 us,
 * p99 3.11 -> 1.02 ms; 128x the Jaro-Winkler baseline), 323 -> 784 q/s
 * at a million (p50 1.98 -> 0.75 ms, p99 17.1 -> 8.4 ms); names scored
 * per query 74 -> 2 and 2,144 -> 19.
 *
 * A query that would read 1,024 names or more is first cut (index.c,
 * cut_build): names a true bound, from which query words they may align
 * and at what similarity and the weight of their words, puts under the
 * threshold are dropped unread, and the rest visited by that bound.
 * Results identical (every hit of these 25,000 queries compared with the
 * cut and without).  Measured 2026-11-26, main's binary and this one one
 * after the other, three runs each of `nice -n 5 bench/screening-speed
 * build 20000 1000000` on the shared machine (load about 1), medians:
 * 8,524 -> 9,006 q/s at 29,047 names (p50 70.2 -> 72.1 us, p99 0.83 ->
 * 0.62 ms), 909 -> 2,161 q/s at a million (p50 663 -> 365 us, p99 6.83 ->
 * 2.07 ms); names read and bounded per query at a million 5,645 -> 180
 * (p99 45,375 -> 1,345).  What bounds it now: the query's fixed work — the types similar
 * to a word that is no listed word (a typo), the cut's marking of its
 * words' posting lists — and queries whose many candidates are truly near
 * the threshold.
 *
 * Second round (docs/screening.md, "Second round"): pairs whose sounds
 * agree but whose letters are too far apart, and two joined query words
 * against types their letters keep under 0.80, rejected without
 * Jaro-Winkler and the edit distance; the cut's table of bounds sized by
 * its slots.  Results identical (every hit of the 25,000 queries, review
 * 0.30 for half, against main's).  Main's binary and this one one after
 * the other, three runs each of `nice -n 5 bench/screening-speed build
 * 20000 1000000` (load about 2), medians: 9,373 -> 9,402 q/s at 29,047
 * names (p50 69.2 -> 68.8 us, p99 0.60 -> 0.60 ms), 2,181 -> 2,236 q/s at
 * a million (p50 356 -> 350 us, p99 2.11 -> 2.02 ms), within the noise;
 * instructions per query on the lists (callgrind, first 2,000 queries)
 * 647,000 -> 638,000, at a million (first 500 queries) 4.18 -> 4.12
 * million.  SKIP_BASELINE=1 skips the full scans.
 *
 * Third round (docs/screening.md, "Third round"), from the p99 tail at a
 * million: a cut query's entries ordered by a counting sort of the cut's
 * bounds (no qsort of tens of thousands), the cut's joined pairs grouped
 * by their letters and marked at the cap of their edits, edit distances
 * before Jaro-Winkler where only a floor matters, a bit-parallel
 * Jaro-Winkler match.  Results identical (every hit and explanation of
 * the 25,000 queries, review 0.30 for half, against main's).  Main's
 * binary and this one alternately, three runs each of `nice -n 5
 * bench/screening-speed build 20000 1000000` (load 0.3-1.3), medians:
 * 9,945 -> 10,413 q/s at 29,047 names (p50 64.4 -> 61.3 us, p99 0.56 ->
 * 0.50 ms), 2,125 -> 2,623 q/s at a million (p50 367 -> 314 us, p99 2.11
 * -> 1.42 ms: not yet the 1 ms target); instructions per query (callgrind)
 * 638,000 -> 612,000 on the lists, 4.12 -> 3.74 million at a million,
 * 21.6 -> 13.4 million for the million's 51 slowest.
 *
 * Fifth round (docs/screening.md, "Fifth round"), from the same tail: the
 * cut's levels at the similarities the scorer gives most (0.72, 0.82,
 * 0.86, 0.88, 0.92, 0.96, 1), letters counted per token (the letters two
 * words share as bit counts, a lower bound of their edit distance before
 * it is computed), compound similarities kept per query, a cut query's
 * candidates by a bit per name when it reads many.  Results identical
 * (every hit and explanation of the 25,000 queries, review 0.30 for half,
 * against main's).  Instructions per query (callgrind, without the
 * clearing of the cut's array): 11.1 -> 8.35 million for the million's 51
 * slowest, 2.08 -> 1.83 million at a million (first 500), 594,000 ->
 * 587,000 on the lists.  Main's binary and this one alternately, three
 * runs each (load 0.3-0.9), medians: 2,653 -> 2,954 q/s at a million (p50
 * 311 -> 284 us, p99 1.41 -> 1.20 ms: not yet the 1 ms target); 10,148
 * -> 10,589 q/s on the lists alone (`SKIP_BASELINE=1 ... 20000 0`; p50
 * 63.7 -> 62.0 us, p99 0.53 -> 0.50 ms).
 *
 * Sixth round (docs/screening.md, "Sixth round"), from the slowest of
 * the million's 5,000 queries counted one by one: a misspelt word's
 * types compared once each through the similarity table (no sort to make
 * them unique), the cut's test of a posting indexed by the name's flags
 * themselves (one load and one comparison for the names it drops), the
 * cut's marks four at a time, a cut query's kept names made unique by a
 * bit per name when they are many.  Results identical (every hit and
 * explanation of the 25,000 queries, review 0.30 for half, against
 * main's).  Instructions per query (callgrind, without the clearing of
 * the cut's array): the million's 99th percentile 7.16 -> 6.35 million,
 * its mean 1.78 -> 1.65 million, 8.35 -> 7.65 million for the fifth
 * round's 51 slowest; 586,000 -> 574,000 on the lists.  Main's binary and
 * this one alternately, eight runs each (load 0.3-0.9), medians: 2,750
 * -> 2,918 q/s at a million (p50 303 -> 289 us, p99 1.27 -> 1.17 ms: not
 * yet the 1 ms target); 9,467 -> 10,127 q/s on the lists alone
 * (`SKIP_BASELINE=1 ... 20000 0`; p50 69.4 -> 65.3 us, p99 0.56 -> 0.51
 * ms).
 *
 * Seventh round (docs/screening.md, "Seventh round"), from the same
 * counts: the cut's flags a byte per name for one or two slots (half the
 * memory to clear, mark and read), one edit's spelling similarity without
 * Jaro-Winkler (at least the floor from four letters: test_match checks
 * it), two joined words' edit distances not computed twice, a pair's
 * sounds, skeletons and shared letters found once, a cut query's order of
 * the visit without a copy, the cut's scan rejecting glued particles'
 * spellings from their letters.  Results identical (every hit and
 * explanation of the 25,000 queries, review 0.30 for half, against
 * main's).  Instructions per query (callgrind, without the clearing of
 * the cut's array; with it in brackets): the million's 99th percentile
 * 6.35 (8.69) -> 5.92 (7.74) million, its median 1.32 (3.38) -> 1.28
 * (2.28), the lists' 574,000 (605,000) -> 566,000 (592,000).  Main's
 * binary and this one alternately, eight runs each (load 0-1), medians:
 * 2,986 -> 3,180 q/s at a million (p50 283 -> 265 us, p99 1.14 -> 1.05
 * ms: not yet the 1 ms target); 9,442 -> 9,496 q/s on the lists alone
 * (`SKIP_BASELINE=1 ... 20000 0`; p50 70.1 -> 69.6 us, p99 0.55 ms both).
 *
 * Eighth round (docs/screening.md, "Eighth round"), from the same
 * counts: the letters' bit counts by the popcnt instruction where the
 * processor has it (cpuid once; an asm statement: the build assumes
 * none), sound codes and skeletons compared without strcmp, the edit
 * distance of a spelling its letters keep under the floor not computed,
 * the cut's scans reading a compact array of the types' letters, no
 * Jaro-Winkler for one spelling its edits cap under the floor, type lists
 * already sorted not sorted again.  Results identical (every hit and
 * explanation of the 25,000 queries, review 0.30 for half, against
 * main's).  Instructions per query (callgrind, without the clearing of
 * the cut's array; with it in brackets): the million's 99th percentile
 * 5.91 (7.74) -> 5.55 (7.24) million, its median 1.28 (2.28) -> 1.15
 * (2.14), the lists' 556,000 (592,000) -> 525,000 (555,000).  Main's
 * binary and this one alternately, eight runs each (load 0-1), medians:
 * 3,363 -> 3,855 q/s at a million (p50 250 -> 219 us, p99 1.01 -> 0.88
 * ms: the 1 ms target met in all eight runs, by about the runs' spread);
 * 11,536 -> 12,176 q/s on the lists alone (`SKIP_BASELINE=1 ... 20000
 * 0`; p50 56.4 -> 54.2 us, p99 0.43 -> 0.39 ms).
 *
 * SLOWEST=1 prints the slowest 1% of the index queries (the p99 tail),
 * slowest first; SKIP_LISTS=1 runs the synthetic list only.
 *
 * Usage: bench_screening_speed [QUERIES] [SYNTHETIC_NAMES]
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "name_parts.h"
#include "screening/match.h"
#include "screening_lists.h"

/* Times are this thread's CPU time: the figures are for one core, and
 * other processes on a shared machine do not inflate them (wall-clock
 * figures are printed beside them). */
static double
now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static double
wall(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static long
rss_kb(void)
{
	FILE *f = fopen("/proc/self/statm", "r");
	long pages = 0, res = 0;

	if (f == NULL)
		return 0;
	if (fscanf(f, "%ld %ld", &pages, &res) != 2)
		res = 0;
	fclose(f);
	return res * (sysconf(_SC_PAGESIZE) / 1024);
}

static int
cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

/* A listed name with a typo, or a plausible unlisted name. */
static void
make_query(unsigned long long *seed, const struct ch_match_list *lists,
    size_t n_lists, char *out, size_t size)
{
	if (bench_rand(seed) % 2 == 0) {
		const struct ch_match_list *l =
		    &lists[bench_rand(seed) % n_lists];
		const struct ch_watch_entry *e =
		    &l->entries[bench_rand(seed) % l->n_entries];
		const char *name = e->names[bench_rand(seed) % e->n_names].full;
		size_t len = strlen(name);

		if (len > 6 && len + 1 < size) {
			size_t at = 2 + bench_rand(seed) % (len - 4);

			if (bench_rand(seed) % 2 == 0)
				snprintf(out, size, "%.*s%s", (int)at, name,
				    name + at + 1);
			else
				snprintf(out, size, "%.*se%s", (int)at, name,
				    name + at + 1);
			return;
		}
		snprintf(out, size, "%s", name);
		return;
	}
	{
		const struct name_origin *o =
		    &name_origins[bench_rand(seed) % NAME_ORIGINS];

		snprintf(out, size, "%s %s",
		    o->given[bench_rand(seed) % name_count(o->given)],
		    o->family[bench_rand(seed) % name_count(o->family)]);
	}
}

/* SLOWEST=1: the slowest 1% of the queries (the p99 tail), slowest
 * first, with their times, to see what they have in common. */
struct slow {
	double lat;
	size_t i;
};

static int
cmp_slow(const void *a, const void *b)
{
	double x = ((const struct slow *)a)->lat,
	       y = ((const struct slow *)b)->lat;

	return x > y ? -1 : x < y;
}

static void
print_slowest(char (*names)[256], const double *lat, size_t count)
{
	struct slow *s = malloc(count * sizeof(*s));
	size_t n = count / 100 + 1;

	for (size_t i = 0; i < count; i++)
		s[i] = (struct slow){lat[i], i};
	qsort(s, count, sizeof(*s), cmp_slow);
	for (size_t k = 0; k < n && k < count; k++)
		printf("  slow %8.1f us  #%zu  %s\n", s[k].lat * 1e6, s[k].i,
		    names[s[k].i]);
	free(s);
}

struct timing {
	double qps, p50_us, p99_us, hits_per_query, scored_per_query;
	double wall_qps;
};

static void
run_queries(const struct ch_match_index *ix, const struct ch_match_list *lists,
    size_t n_lists, size_t count, bool scan, struct timing *t)
{
	struct ch_match_params params = ch_match_params_default();
	struct ch_match_hit *hits = malloc(10 * sizeof(*hits));
	double *lat = malloc(count * sizeof(*lat)), start, total = 0;
	unsigned long long seed = 77;
	size_t n_hits = 0, scored = 0;
	char(*names)[256] = malloc(count * sizeof(*names));

	for (size_t i = 0; i < count; i++)
		make_query(&seed, lists, n_lists, names[i], sizeof(names[i]));
	t->wall_qps = wall();
	for (size_t i = 0; i < count; i++) {
		struct ch_match_subject s = {.name = names[i]};
		size_t n = 0;

		start = now();
		if (scan)
			ch_match_scan(ix, &s, &params, hits, 10, &n);
		else
			ch_match_query(ix, &s, &params, hits, 10, &n);
		lat[i] = now() - start;
		total += lat[i];
		n_hits += n;
		scored += ch_match_last_candidates();
	}
	t->wall_qps = (double)count / (wall() - t->wall_qps);
	if (!scan && getenv("SLOWEST") != NULL)
		print_slowest(names, lat, count);
	qsort(lat, count, sizeof(*lat), cmp_double);
	t->qps = (double)count / total;
	t->p50_us = lat[count / 2] * 1e6;
	t->p99_us = lat[count * 99 / 100] * 1e6;
	t->hits_per_query = (double)n_hits / (double)count;
	t->scored_per_query = (double)scored / (double)count;
	free(lat);
	free(hits);
	free(names);
}

/* The naive baseline: Jaro-Winkler of the whole normalised query against
 * every normalised listed name. */
static void
run_jw_scan(char **keys, size_t n_keys, const struct ch_match_list *lists,
    size_t n_lists, size_t count, struct timing *t)
{
	double *lat = malloc(count * sizeof(*lat)), total = 0;
	unsigned long long seed = 77;
	size_t n_hits = 0;

	t->wall_qps = wall();
	for (size_t i = 0; i < count; i++) {
		char name[256], key[CH_MATCH_NAME_MAX];
		double start;

		make_query(&seed, lists, n_lists, name, sizeof(name));
		start = now();
		ch_match_ascii(name, key, sizeof(key));
		for (size_t k = 0; k < n_keys; k++)
			n_hits += ch_match_jaro_winkler(key, keys[k]) >= 0.9;
		lat[i] = now() - start;
		total += lat[i];
	}
	t->wall_qps = (double)count / (wall() - t->wall_qps);
	qsort(lat, count, sizeof(*lat), cmp_double);
	t->qps = (double)count / total;
	t->p50_us = lat[count / 2] * 1e6;
	t->p99_us = lat[count * 99 / 100] * 1e6;
	t->hits_per_query = (double)n_hits / (double)count;
	t->scored_per_query = (double)n_keys;
	free(lat);
}

static void
print_timing(const char *label, const struct timing *t)
{
	printf("  %-34s %9.0f q/s  p50 %8.1f us  p99 %8.1f us  "
	       "(%.0f names scored, %.2f hits per query; wall %.0f q/s)\n",
	    label, t->qps, t->p50_us, t->p99_us, t->scored_per_query,
	    t->hits_per_query, t->wall_qps);
}

/* Every name of the lists, normalised, for the baseline. */
static char **
all_keys(const struct ch_match_list *lists, size_t n_lists, size_t *n)
{
	size_t cap = 1024;
	char **keys = malloc(cap * sizeof(*keys));

	*n = 0;
	for (size_t l = 0; l < n_lists; l++)
		for (size_t i = 0; i < lists[l].n_entries; i++)
			for (size_t k = 0; k < lists[l].entries[i].n_names;
			     k++) {
				char key[CH_MATCH_NAME_MAX];

				ch_match_ascii(
				    lists[l].entries[i].names[k].full, key,
				    sizeof(key));
				if (*n == cap)
					keys = bench_realloc(
					    keys, (cap *= 2) * sizeof(*keys));
				keys[(*n)++] = strdup(key);
			}
	return keys;
}

/* Name parts of the listed individuals: "given" from the first token,
 * "family" from the last (after the "LAST, First" reordering). */
struct parts {
	char **given, **family;
	size_t n_given, n_family;
};

static void
collect_parts(const struct bench_list *l, struct parts *p)
{
	p->given =
	    bench_realloc(p->given, (p->n_given + l->n_names) * sizeof(char *));
	p->family = bench_realloc(
	    p->family, (p->n_family + l->n_names) * sizeof(char *));
	for (size_t i = 0; i < l->n; i++) {
		const struct ch_watch_entry *e = &l->entries[i];

		if (e->kind != CH_WATCH_INDIVIDUAL)
			continue;
		for (size_t k = 0; k < e->n_names; k++) {
			struct ch_match_name n;

			ch_match_normalise(e->names[k].full, e->kind, &n);
			if (n.n_tokens < 2)
				continue;
			p->given[p->n_given++] = strdup(n.tokens[0].text);
			p->family[p->n_family++] =
			    strdup(n.tokens[n.n_tokens - 1].text);
		}
	}
}

int
main(int argc, char **argv)
{
	size_t queries = argc > 1 ? strtoul(argv[1], NULL, 10) : 20000;
	size_t synth_n = argc > 2 ? strtoul(argv[2], NULL, 10) : 1000000;
	struct bench_list sdn, cons, un;
	struct ch_match_list lists[3];
	struct ch_match_index *ix;
	char dir[512], path[512];
	struct timing t;
	double t0, build;
	long rss0;
	char **keys;
	size_t n_keys;
	struct parts parts = {0};

	setvbuf(stdout, NULL, _IOLBF, 0);
	snprintf(dir, sizeof(dir), "%s/watchlists/ofac-sdn-2021-07",
	    bench_data_dir());
	if (!bench_load_ofac(dir, "", &sdn))
		return 1;
	snprintf(dir, sizeof(dir), "%s/watchlists/ofac-consolidated-non-sdn",
	    bench_data_dir());
	if (!bench_load_ofac(dir, "cons_", &cons))
		return 1;
	snprintf(path, sizeof(path),
	    "%s/watchlists/un-consolidated/consolidated-2026-02-27.xml",
	    bench_data_dir());
	if (!bench_load_un(path, &un))
		return 1;
	lists[0] = (struct ch_match_list){"ofac-sdn", sdn.entries, sdn.n};
	lists[1] = (struct ch_match_list){"ofac-cons", cons.entries, cons.n};
	lists[2] = (struct ch_match_list){"un", un.entries, un.n};

	/* SKIP_LISTS=1: the synthetic list only (to profile its queries). */
	if (getenv("SKIP_LISTS") == NULL) {
		rss0 = rss_kb();
		t0 = wall();
		ix = ch_match_index_create(lists, 3);
		build = wall() - t0;
		printf("== lists: OFAC SDN + consolidated + UN: %zu entries, "
		       "%zu names\n",
		    ch_match_index_entries(ix), ch_match_index_names(ix));
		printf("  index build %.2f s, %.1f MB held (resident growth "
		       "%.1f MB)\n",
		    build, (double)ch_match_index_bytes(ix) / 1e6,
		    (double)(rss_kb() - rss0) / 1e3);
		run_queries(ix, lists, 3, queries, false, &t);
		print_timing("index (engine)", &t);
		keys = all_keys(lists, 3, &n_keys);
		if (getenv("SKIP_BASELINE") == NULL) {
			run_queries(ix, lists, 3, queries / 100 + 10, true, &t);
			print_timing("full scan (engine scorer)", &t);
			run_jw_scan(
			    keys, n_keys, lists, 3, queries / 20 + 10, &t);
			print_timing("full scan (Jaro-Winkler baseline)", &t);
		}
		ch_match_index_destroy(ix);
		for (size_t i = 0; i < n_keys; i++)
			free(keys[i]);
		free(keys);
	}

	/* ---- a synthetic list of SYNTH_N names ---- */
	collect_parts(&sdn, &parts);
	collect_parts(&un, &parts);
	if (synth_n > 0 && parts.n_given > 0) {
		struct ch_watch_entry *entries =
		    calloc(synth_n, sizeof(*entries));
		struct ch_watch_name *names = calloc(synth_n, sizeof(*names));
		char *text = malloc(synth_n * 64);
		unsigned long long seed = 4242;
		struct ch_match_list synth = {"synthetic", entries, synth_n};
		char ref[32];

		for (size_t i = 0; i < synth_n; i++) {
			char *s = text + i * 64;
			const char *g =
			    parts.given[bench_rand(&seed) % parts.n_given];
			const char *f =
			    parts.family[bench_rand(&seed) % parts.n_family];

			if (bench_rand(&seed) % 3 == 0)
				snprintf(s, 64, "%s %s %s", g,
				    parts.given[bench_rand(&seed) %
					parts.n_given],
				    f);
			else
				snprintf(s, 64, "%s %s", g, f);
			names[i] =
			    (struct ch_watch_name){s, CH_NAME_PRIMARY, false};
			snprintf(ref, sizeof(ref), "%zu", i);
			entries[i] = (struct ch_watch_entry){.ref = "synthetic",
			    .kind = CH_WATCH_INDIVIDUAL,
			    .names = &names[i],
			    .n_names = 1};
		}
		rss0 = rss_kb();
		t0 = wall();
		ix = ch_match_index_create(&synth, 1);
		build = wall() - t0;
		printf("== synthetic: %zu names from %zu given and %zu family "
		       "names of the lists\n",
		    ch_match_index_names(ix), parts.n_given, parts.n_family);
		printf("  index build %.2f s, %.1f MB held (resident growth "
		       "%.1f MB)\n",
		    build, (double)ch_match_index_bytes(ix) / 1e6,
		    (double)(rss_kb() - rss0) / 1e3);
		run_queries(ix, &synth, 1, queries / 4, false, &t);
		print_timing("index (engine)", &t);
		if (getenv("SKIP_BASELINE") == NULL) {
			run_queries(ix, &synth, 1, 5, true, &t);
			print_timing("full scan (engine scorer)", &t);
		}
		ch_match_index_destroy(ix);
		free(entries);
		free(names);
		free(text);
	}
	for (size_t i = 0; i < parts.n_given; i++)
		free(parts.given[i]);
	for (size_t i = 0; i < parts.n_family; i++)
		free(parts.family[i]);
	free(parts.given);
	free(parts.family);
	bench_list_free(&sdn);
	bench_list_free(&cons);
	bench_list_free(&un);
	return 0;
}
