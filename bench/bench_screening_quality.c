/*
 * bench_screening_quality.c — how well the matching engine tells matches
 * from non-matches (bench/screening-quality runs it).
 *
 *   pairs     the 826 labelled name pairs of name-matching/
 *             name_bench_cases.csv: precision, recall and F1 at the best
 *             threshold and at the engine's review and alert thresholds,
 *             per case group, and the STRONG-quality errors
 *   aliases   every alias of an individual on the OFAC SDN list screened:
 *             is its own entry first (recall@1), in the first ten
 *             (recall@10)?  Three ways: against the whole SDN as the
 *             product indexes it (every name of every entry; the issue's
 *             target), against the primary names only (a nom de guerre or
 *             a former name then has nothing to match), and leave-one-out
 *             (the entry scored without the alias being asked: is a new
 *             spelling found through the names the list already holds?)
 *   alerts    plausible names of many origins that are on no list,
 *             screened against OFAC SDN + consolidated + UN: alerts and
 *             reviews per 1,000
 *   index     the same queries through the index and through a full scan
 *             at the review threshold: hits the index missed
 *
 * Usage: bench_screening_quality [-v]   (-v prints every wrong pair)
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/csv.h"
#include "name_parts.h"
#include "screening/match.h"
#include "screening_lists.h"

struct pair {
	char group[32];
	char quality[8];
	bool match;
	double score;
	char name1[256], name2[256], schema[32];
};

static enum ch_watch_kind
schema_kind(const char *s)
{
	if (strcmp(s, "Person") == 0)
		return CH_WATCH_INDIVIDUAL;
	if (strcmp(s, "Vessel") == 0)
		return CH_WATCH_VESSEL;
	return CH_WATCH_ENTITY;
}

struct counts {
	size_t tp, fp, fn, tn;
};

static void
tally(const struct pair *p, size_t n, const char *group, double t,
    struct counts *c)
{
	memset(c, 0, sizeof(*c));
	for (size_t i = 0; i < n; i++) {
		bool yes = p[i].score >= t;

		if (group != NULL && strcmp(p[i].group, group) != 0)
			continue;
		if (yes && p[i].match)
			c->tp++;
		else if (yes)
			c->fp++;
		else if (p[i].match)
			c->fn++;
		else
			c->tn++;
	}
}

static double
f1(const struct counts *c, double *prec, double *rec)
{
	*prec = c->tp + c->fp > 0 ? (double)c->tp / (double)(c->tp + c->fp) : 1;
	*rec = c->tp + c->fn > 0 ? (double)c->tp / (double)(c->tp + c->fn) : 1;
	return *prec + *rec > 0 ? 2 * *prec * *rec / (*prec + *rec) : 0;
}

static void
row(const char *label, const struct pair *p, size_t n, const char *group,
    double t)
{
	struct counts c;
	double pr, re, f;

	tally(p, n, group, t, &c);
	f = f1(&c, &pr, &re);
	printf("  %-22s %5zu  t=%.2f  P %.3f  R %.3f  F1 %.3f\n", label,
	    c.tp + c.fp + c.fn + c.tn, t, pr, re, f);
}

static double
best_threshold(const struct pair *p, size_t n, const char *group)
{
	double best = 0, best_t = 0;

	for (int k = 30; k <= 100; k++) {
		struct counts c;
		double pr, re, f, t = k / 100.0;

		tally(p, n, group, t, &c);
		if ((f = f1(&c, &pr, &re)) > best) {
			best = f;
			best_t = t;
		}
	}
	return best_t;
}

static size_t
load_pairs(struct pair **out)
{
	char path[512];
	FILE *f;
	char *data;
	long len;
	struct ch_csv r;
	struct ch_csv_row row_;
	struct ch_fault fault;
	size_t n = 0, cap = 1024;
	struct pair *p = calloc(cap, sizeof(*p));

	snprintf(path, sizeof(path), "%s/name-matching/name_bench_cases.csv",
	    bench_data_dir());
	if ((f = fopen(path, "rb")) == NULL) {
		fprintf(stderr, "%s: cannot open\n", path);
		exit(1);
	}
	fseek(f, 0, SEEK_END);
	len = ftell(f);
	fseek(f, 0, SEEK_SET);
	data = malloc((size_t)len + 1);
	if (fread(data, 1, (size_t)len, f) != (size_t)len)
		exit(1);
	fclose(f);
	ch_csv_init(&r, data, (size_t)len, 0);
	while (ch_csv_next(&r, &row_, &fault) == CH_OK && row_.nfields > 0) {
		if (row_.nfields < 5 ||
		    strcmp(row_.fields[0], "case_group") == 0)
			continue;
		if (n == cap)
			p = bench_realloc(p, (cap *= 2) * sizeof(*p));
		memset(&p[n], 0, sizeof(p[n]));
		snprintf(p[n].group, sizeof(p[n].group), "%s", row_.fields[0]);
		snprintf(
		    p[n].schema, sizeof(p[n].schema), "%s", row_.fields[1]);
		snprintf(p[n].name1, sizeof(p[n].name1), "%s", row_.fields[2]);
		snprintf(p[n].name2, sizeof(p[n].name2), "%s", row_.fields[3]);
		p[n].match = strcmp(row_.fields[4], "true") == 0;
		snprintf(p[n].quality, sizeof(p[n].quality), "%s",
		    row_.nfields > 5 && row_.fields[5][0] != '\0'
			? row_.fields[5]
			: "MEDIUM");
		n++;
	}
	ch_csv_free(&r);
	free(data);
	*out = p;
	return n;
}

static void
bench_pairs(bool verbose)
{
	struct pair *p;
	size_t n = load_pairs(&p);
	struct ch_match_params params = ch_match_params_default();
	const char *groups[16];
	size_t n_groups = 0;
	double t;

	for (size_t i = 0; i < n; i++) {
		struct ch_watch_name name = {
		    p[i].name2, CH_NAME_PRIMARY, false};
		struct ch_watch_entry e = {.kind = schema_kind(p[i].schema),
		    .names = &name,
		    .n_names = 1};
		struct ch_match_subject s = {
		    .name = p[i].name1, .kind = e.kind, .kind_known = true};
		bool seen = false;

		p[i].score = ch_match_score(&s, &e, NULL);
		for (size_t g = 0; g < n_groups; g++)
			seen = seen || strcmp(groups[g], p[i].group) == 0;
		if (!seen && n_groups < 16)
			groups[n_groups++] = p[i].group;
	}
	t = best_threshold(p, n, NULL);
	printf("== pairs: %zu labelled name pairs (name_bench_cases.csv)\n", n);
	printf(" at the best threshold of all pairs:\n");
	row("all", p, n, NULL, t);
	for (size_t g = 0; g < n_groups; g++)
		row(groups[g], p, n, groups[g], t);
	printf(" at the review threshold (configured default):\n");
	row("all", p, n, NULL, params.review);
	for (size_t g = 0; g < n_groups; g++)
		row(groups[g], p, n, groups[g], params.review);
	printf(" at the alert threshold (configured default):\n");
	row("all", p, n, NULL, params.alert);
	printf(" each group at its own best threshold:\n");
	for (size_t g = 0; g < n_groups; g++)
		row(groups[g], p, n, groups[g],
		    best_threshold(p, n, groups[g]));
	printf(" errors at the review threshold by quality of the label:\n");
	{
		const char *qs[] = {"STRONG", "MEDIUM", "WEAK"};

		for (size_t k = 0; k < 3; k++) {
			size_t wrong = 0, all = 0;

			for (size_t i = 0; i < n; i++) {
				if (strcmp(p[i].quality, qs[k]) != 0)
					continue;
				all++;
				wrong +=
				    (p[i].score >= params.review) != p[i].match;
			}
			printf("  %-8s %3zu wrong of %zu\n", qs[k], wrong, all);
		}
	}
	if (verbose)
		for (size_t i = 0; i < n; i++)
			if ((p[i].score >= t) != p[i].match)
				printf("  WRONG %s %-6s %.3f  %s | %s  (%s)\n",
				    p[i].match ? "FN" : "FP", p[i].quality,
				    p[i].score, p[i].name1, p[i].name2,
				    p[i].group);
	free(p);
}

/*
 * One spelling variant of a name, as a clerk or a transliteration makes
 * them: a letter dropped, a letter doubled, two neighbours swapped, or a
 * vowel changed.  The first two and the last two letters stay.
 */
static const char *
bench_variant(unsigned long long *seed, const char *name, char *out,
    size_t size)
{
	static const char vowels[] = "aeiou";
	size_t len = strlen(name), at;

	if (len < 7 || len + 2 > size)
		return name;
	/* Within a word: the letter at `at` and the next one both letters
	 * (a space or a hyphen lost is another matter: a token split). */
	at = 2 + bench_rand(seed) % (len - 4);
	for (size_t tries = 0; !(isalpha((unsigned char)name[at]) &&
				   isalpha((unsigned char)name[at + 1]));
	     tries++) {
		if (tries == len)
			return name;
		at = 2 + (at - 1) % (len - 4);
	}
	switch (bench_rand(seed) % 4) {
	case 0: /* dropped */
		memcpy(out, name, at);
		memcpy(out + at, name + at + 1, len - at);
		break;
	case 1: /* doubled */
		memcpy(out, name, at + 1);
		memcpy(out + at + 1, name + at, len - at + 1);
		break;
	case 2: /* swapped */
		memcpy(out, name, len + 1);
		out[at] = name[at + 1];
		out[at + 1] = name[at];
		break;
	default: /* a vowel changed (the first one from `at` on) */
		memcpy(out, name, len + 1);
		for (size_t i = at; i < len - 2; i++)
			if (strchr(vowels, out[i] | 0x20) != NULL) {
				out[i] = vowels[(strchr(vowels, out[i] | 0x20) -
						    vowels + 1 +
						    bench_rand(seed) % 4) %
				    5];
				break;
			}
		break;
	}
	return out;
}

static void
bench_aliases(const struct bench_list *sdn, const struct ch_match_index *ix,
    const char *against, bool variant)
{
	struct ch_match_params params = ch_match_params_default();
	struct ch_match_hit *hits = malloc(10 * sizeof(*hits));
	size_t queries = 0, at1 = 0, at10 = 0, none = 0;
	unsigned long long seed = 0xa11a5ULL;
	char spelt[512];

	params.review = 0.35;
	params.top_k = 10;
	for (size_t i = 0; i < sdn->n; i++) {
		const struct ch_watch_entry *e = &sdn->entries[i];

		if (e->kind != CH_WATCH_INDIVIDUAL)
			continue;
		for (size_t k = 1; k < e->n_names; k++) {
			struct ch_match_subject s = {.name = e->names[k].full};
			size_t n = 0, h;

			if (variant)
				s.name = bench_variant(&seed, s.name, spelt,
				    sizeof(spelt));

			queries++;
			if (ch_match_query(ix, &s, &params, hits, 10, &n) !=
			    CH_OK) {
				none++;
				continue;
			}
			for (h = 0; h < n; h++)
				if (strcmp(hits[h].entry->ref, e->ref) == 0) {
					at1 += h == 0;
					at10++;
					break;
				}
			none += n == 0;
			if (h == n && getenv("SHOW_MISSES") != NULL)
				printf("  alias missed: %s -> %s\n", s.name,
				    e->names[0].full);
		}
	}
	printf("== aliases%s: %zu aliases of SDN individuals against %s\n",
	    variant ? " with a spelling variant" : "", queries, against);
	printf("  recall@1 %.4f  recall@10 %.4f  (no hit at all: %zu)\n",
	    (double)at1 / (double)queries, (double)at10 / (double)queries,
	    none);
	free(hits);
}

/*
 * Leave-one-out: the whole SDN indexed with every name, each alias of an
 * individual with at least one other alias screened, and its entry ranked
 * by the score it gets WITHOUT that alias (its primary name and its other
 * aliases) against every other entry's score from the index.  This is the
 * question at the gate — is a new spelling of a listed person found
 * through the names the list already holds? — without the trivial answer
 * the alias itself would give.
 */
static void
bench_aliases_leave_one_out(
    const struct bench_list *sdn, const struct ch_match_index *ix)
{
	struct ch_match_params params = ch_match_params_default();
	struct ch_match_hit *hits = malloc(12 * sizeof(*hits));
	struct ch_watch_name *names = malloc(512 * sizeof(*names));
	struct ch_match_explain *why = malloc(sizeof(*why));
	size_t queries = 0, at1 = 0, at10 = 0;

	params.review = 0.35;
	params.top_k = 11;
	for (size_t i = 0; i < sdn->n; i++) {
		const struct ch_watch_entry *e = &sdn->entries[i];

		if (e->kind != CH_WATCH_INDIVIDUAL || e->n_names < 3 ||
		    e->n_names > 512)
			continue;
		for (size_t k = 1; k < e->n_names; k++) {
			struct ch_match_subject s = {.name = e->names[k].full};
			struct ch_watch_entry without = *e;
			size_t n = 0, m = 0, above = 0;
			double own;

			for (size_t j = 0; j < e->n_names; j++)
				if (j != k)
					names[m++] = e->names[j];
			without.names = names;
			without.n_names = m;
			own = ch_match_score(&s, &without, why);
			queries++;
			if (own < params.review ||
			    ch_match_query(ix, &s, &params, hits, 11, &n) !=
				CH_OK)
				continue;
			for (size_t h = 0; h < n; h++)
				if (strcmp(hits[h].entry->ref, e->ref) != 0 &&
				    hits[h].score > own)
					above++;
			at1 += above == 0;
			at10 += above < 10;
		}
	}
	printf("== aliases, leave-one-out: %zu aliases of SDN individuals "
	       "with another alias, each against its entry without it\n",
	    queries);
	printf("  recall@1 %.4f  recall@10 %.4f\n",
	    (double)at1 / (double)queries, (double)at10 / (double)queries);
	free(why);
	free(names);
	free(hits);
}

/* Is the name of hit H, as listed, the subject's very name?  (A weak
 * alias counts less in the score, so the name is scored again as if it
 * were a primary name.) */
static bool
exactly_listed(const struct ch_match_subject *s, const struct ch_match_hit *h)
{
	struct ch_watch_name name = h->entry->names[h->why.entry_name_index];
	struct ch_watch_entry one = *h->entry;
	struct ch_match_explain *why = malloc(sizeof(*why));
	bool same;

	name.quality = CH_NAME_PRIMARY;
	one.names = &name;
	one.n_names = 1;
	ch_match_score(s, &one, why);
	same = why->name_score >= 0.999;
	free(why);
	return same;
}

static void
bench_alerts(const struct ch_match_index *ix, size_t count, size_t compare_scan)
{
	struct ch_match_params params = ch_match_params_default();
	struct ch_match_hit *hits = malloc(10 * sizeof(*hits));
	struct ch_match_hit *scan = malloc(10 * sizeof(*scan));
	unsigned long long seed = 0x5eed5eedULL;
	size_t alerts = 0, reviews = 0, scan_hits = 0, missed = 0, shown = 0;
	size_t candidates = 0, listed = 0;

	for (size_t i = 0; i < count; i++) {
		const struct name_origin *o =
		    &name_origins[bench_rand(&seed) % NAME_ORIGINS];
		char name[256];
		struct ch_match_subject s = {.name = name,
		    .kind = CH_WATCH_INDIVIDUAL,
		    .kind_known = true};
		size_t n = 0, ns = 0;

		if (bench_rand(&seed) % 4 == 0)
			snprintf(name, sizeof(name), "%s %s %s",
			    o->given[bench_rand(&seed) % name_count(o->given)],
			    o->given[bench_rand(&seed) % name_count(o->given)],
			    o->family[bench_rand(&seed) %
				name_count(o->family)]);
		else
			snprintf(name, sizeof(name), "%s %s",
			    o->given[bench_rand(&seed) % name_count(o->given)],
			    o->family[bench_rand(&seed) %
				name_count(o->family)]);
		ch_match_query(ix, &s, &params, hits, 10, &n);
		candidates += ch_match_last_candidates();
		if (n > 0 && hits[0].level == CH_MATCH_ALERT &&
		    exactly_listed(&s, &hits[0])) {
			/* The very name of a listed person: not a plausible
			 * name "on no list". */
			listed++;
		} else if (n > 0 && hits[0].level == CH_MATCH_ALERT) {
			alerts++;
			if (shown++ < 12)
				printf("  alert: %s ~ %s (%.3f)\n", name,
				    hits[0]
					.entry
					->names[hits[0].why.entry_name_index]
					.full,
				    hits[0].score);
		}
		reviews += n > 0;
		if (i < compare_scan) {
			ch_match_scan(ix, &s, &params, scan, 10, &ns);
			scan_hits += ns;
			for (size_t a = 0; a < ns; a++) {
				bool found = false;

				for (size_t b = 0; b < n && !found; b++)
					found = hits[b].entry == scan[a].entry;
				missed += !found;
			}
		}
	}
	printf("== alerts: %zu plausible names of %zu origins on no list\n",
	    count, NAME_ORIGINS);
	printf(
	    "  %zu generated names are exactly a listed name (not counted)\n",
	    listed);
	printf("  alerts %.2f per 1,000 (t=%.2f), reviews %.1f per 1,000 "
	       "(t=%.2f); names scored per query %.0f of %zu\n",
	    1000.0 * (double)alerts / (double)(count - listed), params.alert,
	    1000.0 * (double)reviews / (double)count, params.review,
	    (double)candidates / (double)count, ch_match_index_names(ix));
	printf("== index vs full scan on the first %zu of them: %zu scan hits, "
	       "%zu missed by the index\n",
	    compare_scan, scan_hits, missed);
	free(hits);
	free(scan);
}

/* Index against scan on list aliases (true hits) at the review
 * threshold. */
static void
bench_index_recall(
    const struct bench_list *sdn, const struct ch_match_index *ix, size_t count)
{
	struct ch_match_params params = ch_match_params_default();
	struct ch_match_hit *hits = malloc(10 * sizeof(*hits));
	struct ch_match_hit *scan = malloc(10 * sizeof(*scan));
	size_t scan_hits = 0, missed = 0, q = 0;
	unsigned long long seed = 42;

	while (q < count) {
		const struct ch_watch_entry *e =
		    &sdn->entries[bench_rand(&seed) % sdn->n];
		const char *name =
		    e->names[bench_rand(&seed) % e->n_names].full;
		struct ch_match_subject s = {.name = name};
		size_t n = 0, ns = 0;
		char mangled[512];
		size_t len = strlen(name);

		/* a typo: drop one letter in the middle */
		if (len > 6 && len < sizeof(mangled)) {
			size_t at = 2 + bench_rand(&seed) % (len - 4);

			memcpy(mangled, name, at);
			memcpy(mangled + at, name + at + 1, len - at);
			s.name = mangled;
		}
		q++;
		ch_match_query(ix, &s, &params, hits, 10, &n);
		ch_match_scan(ix, &s, &params, scan, 10, &ns);
		scan_hits += ns;
		for (size_t a = 0; a < ns; a++) {
			bool found = false;

			for (size_t b = 0; b < n && !found; b++)
				found = hits[b].entry == scan[a].entry;
			missed += !found;
			if (!found && getenv("SHOW_MISSES") != NULL)
				printf("  index missed: %s ~ %s (%.3f)\n",
				    s.name,
				    scan[a]
					.entry
					->names[scan[a].why.entry_name_index]
					.full,
				    scan[a].score);
		}
	}
	printf(
	    "== index vs full scan on %zu listed names with a typo: %zu scan "
	    "hits, %zu missed by the index (recall loss %.3f%%)\n",
	    count, scan_hits, missed,
	    scan_hits > 0 ? 100.0 * (double)missed / (double)scan_hits : 0.0);
	free(hits);
	free(scan);
}

int
main(int argc, char **argv)
{
	bool verbose = argc > 1 && strcmp(argv[1], "-v") == 0;
	struct bench_list sdn, cons, un, sdn_primary;
	struct ch_match_list all[3], prim[1];
	struct ch_match_index *ix_all, *ix_prim;
	char dir[512], un_path[512];

	if (getenv("SKIP_PAIRS") == NULL)
		bench_pairs(verbose);
	if (getenv("PAIRS_ONLY") != NULL)
		return 0;
	snprintf(dir, sizeof(dir), "%s/watchlists/ofac-sdn-2021-07",
	    bench_data_dir());
	if (!bench_load_ofac(dir, "", &sdn))
		return 1;
	snprintf(dir, sizeof(dir), "%s/watchlists/ofac-consolidated-non-sdn",
	    bench_data_dir());
	if (!bench_load_ofac(dir, "cons_", &cons))
		return 1;
	snprintf(un_path, sizeof(un_path),
	    "%s/watchlists/un-consolidated/consolidated-2026-02-27.xml",
	    bench_data_dir());
	if (!bench_load_un(un_path, &un))
		return 1;
	/* The SDN with primary names only, for alias retrieval. */
	sdn_primary = sdn;
	sdn_primary.entries = malloc(sdn.n * sizeof(*sdn.entries));
	for (size_t i = 0; i < sdn.n; i++) {
		sdn_primary.entries[i] = sdn.entries[i];
		sdn_primary.entries[i].n_names = 1;
	}
	prim[0] = (struct ch_match_list){
	    "ofac-sdn-primary", sdn_primary.entries, sdn.n};
	ix_prim = ch_match_index_create(prim, 1);
	if (getenv("SKIP_ALIASES") == NULL)
		bench_aliases(&sdn, ix_prim,
		    "the SDN's primary names only (the hard case: a nom de "
		    "guerre or a former name has nothing to match)",
		    false);
	all[0] = (struct ch_match_list){"ofac-sdn", sdn.entries, sdn.n};
	all[1] = (struct ch_match_list){"ofac-cons", cons.entries, cons.n};
	all[2] = (struct ch_match_list){"un", un.entries, un.n};
	ix_all = ch_match_index_create(all, 3);
	printf("   (lists: %zu entries, %zu names)\n",
	    ch_match_index_entries(ix_all), ch_match_index_names(ix_all));
	if (getenv("SKIP_ALIASES") == NULL) {
		struct ch_match_list sdn_all = {"ofac-sdn", sdn.entries, sdn.n};
		struct ch_match_index *ix_sdn =
		    ch_match_index_create(&sdn_all, 1);

		bench_aliases(&sdn, ix_sdn,
		    "the whole SDN as the product indexes it (primary names "
		    "and aliases): the issue's target",
		    false);
		bench_aliases(&sdn, ix_sdn,
		    "the whole SDN: a letter dropped, doubled, swapped or a "
		    "vowel changed",
		    true);
		bench_aliases_leave_one_out(&sdn, ix_sdn);
		ch_match_index_destroy(ix_sdn);
	}
	if (getenv("SKIP_ALERTS") == NULL)
		bench_alerts(ix_all, 10000, 500);
	bench_index_recall(&sdn, ix_all, 1000);
	ch_match_index_destroy(ix_prim);
	ch_match_index_destroy(ix_all);
	free(sdn_primary.entries);
	bench_list_free(&sdn);
	bench_list_free(&cons);
	bench_list_free(&un);
	return 0;
}
