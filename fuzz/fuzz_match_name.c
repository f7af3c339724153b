/*
 * fuzz_match_name.c — libFuzzer driver for the screening engine's input
 * side: the name normaliser (any bytes as a name, any kind), the date of
 * birth parser, and a query through a small index with its explanation.
 * The input is "KIND NAME\nDOB[\nLISTED...]": the first byte picks the
 * kind, the rest up to a newline is the name, the next line the date, and
 * each further line (up to four) the name of one more listed entry.
 * Whatever the input, nothing may crash, leak or read out of bounds, every
 * token must be non-empty lower-case ASCII, scores must stay within 0..1,
 * the factors of an explanation must add up to its score, every hit of
 * the index must be a hit of a full scan with the same score, and the
 * index's cut of large queries (forced on every query) must change no
 * hit and no score.
 *
 *	CC=clang meson setup /tmp/build-fuzz -Dfuzz=true -Db_lundef=false
 *	ninja -C /tmp/build-fuzz fuzz_match_name
 *	/tmp/build-fuzz/fuzz_match_name fuzz/corpus/match_name
 */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "screening/match.h"
#include "screening/match_int.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct ch_watch_name names[][2] = {
    {{"AL-ZAWAHIRI, Ayman", CH_NAME_PRIMARY, false},
	{"Abu Muhammad", CH_NAME_WEAK, false}},
    {{"Владимир Путин", CH_NAME_PRIMARY, false},
	{"PUTIN, Vladimir Vladimirovich", CH_NAME_STRONG, false}},
    {{"BANCO NACIONAL DE CUBA", CH_NAME_PRIMARY, false},
	{"NATIONAL BANK OF CUBA", CH_NAME_STRONG, false}},
};
static struct ch_watch_date dob = {1951, 0, 6, 19, false};
static const char *nat[] = {"EG"};
static struct ch_watch_entry entries[] = {
    {.ref = "1",
	.kind = CH_WATCH_INDIVIDUAL,
	.names = names[0],
	.n_names = 2,
	.dobs = &dob,
	.n_dobs = 1,
	.nationalities = nat,
	.n_nationalities = 1,
	.gender = 'M'},
    {.ref = "2", .kind = CH_WATCH_INDIVIDUAL, .names = names[1], .n_names = 2},
    {.ref = "3", .kind = CH_WATCH_ENTITY, .names = names[2], .n_names = 2},
};
static struct ch_match_index *ix;

static void
check_score(double v)
{
	if (!(v >= 0.0 && v <= 1.0))
		abort();
}

/* The same query with the cut of large queries and without: the same
 * hits, in the same order, with the same scores. */
static void
check_cut(struct ch_match_index *index, const struct ch_match_subject *s,
    const struct ch_match_params *p)
{
	struct ch_match_hit a[4], b[4];
	size_t na = 0, nb = 0;
	ch_err ea, eb;

	ch_match_index_set_cut(index, SIZE_MAX);
	ea = ch_match_query(index, s, p, a, 4, &na);
	ch_match_index_set_cut(index, 0);
	eb = ch_match_query(index, s, p, b, 4, &nb);
	if (ea != eb || na != nb)
		abort();
	for (size_t h = 0; h < na; h++)
		if (a[h].entry != b[h].entry || a[h].score != b[h].score)
			abort();
}

/* Entries of the fixed three and up to four more named by the input's
 * lines from TEXT on (LEN bytes): the cut against names the input
 * chooses. */
static void
check_listed(const char *text, size_t len, const struct ch_match_subject *s,
    const struct ch_match_params *p)
{
	struct ch_watch_entry more[7];
	struct ch_watch_name more_names[4];
	char buf[4][256];
	struct ch_match_list list = {"fuzz", more, 3};
	struct ch_match_index *index;

	memcpy(more, entries, sizeof(entries));
	while (len > 0 && list.n_entries < 7) {
		const char *nl = memchr(text, '\n', len);
		size_t k = list.n_entries - 3,
		       l = nl != NULL ? (size_t)(nl - text) : len;
		size_t copy = l < sizeof(buf[k]) - 1 ? l : sizeof(buf[k]) - 1;

		memcpy(buf[k], text, copy);
		buf[k][copy] = '\0';
		more_names[k] = (struct ch_watch_name){
		    buf[k], k % 2 == 0 ? CH_NAME_PRIMARY : CH_NAME_WEAK, false};
		more[list.n_entries++] = (struct ch_watch_entry){.ref = "x",
		    .kind = k == 3 ? CH_WATCH_ENTITY : CH_WATCH_INDIVIDUAL,
		    .names = &more_names[k],
		    .n_names = 1};
		if (nl == NULL)
			break;
		len -= l + 1;
		text = nl + 1;
	}
	if (list.n_entries == 3)
		return;
	if ((index = ch_match_index_create(&list, 1)) == NULL)
		abort();
	check_cut(index, s, p);
	ch_match_index_destroy(index);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct ch_match_list list = {"fuzz", entries, 3};
	char name[CH_MATCH_NAME_MAX + 8], date[64] = "";
	struct ch_match_name n;
	struct ch_match_subject s = {.name = name};
	struct ch_match_params p = ch_match_params_default();
	struct ch_match_hit hits[3];
	struct ch_match_explain *why;
	const char *nl, *listed = NULL;
	size_t len, hits_n = 0, listed_len = 0;
	double sum = 0;
	json_t *j;

	ch_log_set_quiet(true);
	if (ix == NULL && (ix = ch_match_index_create(&list, 1)) == NULL)
		abort();
	if (size == 0)
		return 0;
	s.kind = (enum ch_watch_kind)(data[0] % 5);
	s.kind_known = data[0] & 0x80;
	data++;
	size--;
	nl = memchr(data, '\n', size);
	len = nl != NULL ? (size_t)(nl - (const char *)data) : size;
	if (len >= sizeof(name))
		len = sizeof(name) - 1;
	memcpy(name, data, len);
	name[len] = '\0';
	if (nl != NULL) {
		size_t dl = size - len - 1;
		const char *end = memchr(nl + 1, '\n', dl);

		if (end != NULL) {
			listed = end + 1;
			listed_len = dl - (size_t)(end - nl);
			dl = (size_t)(end - nl - 1);
		}
		if (dl >= sizeof(date))
			dl = sizeof(date) - 1;
		memcpy(date, nl + 1, dl);
		date[dl] = '\0';
		if (strlen(date) == dl)
			ch_match_parse_date(date, &s.dob);
	}
	if (strlen(name) != len) /* a NUL inside: the name ends there */
		len = strlen(name);
	ch_match_normalise(name, s.kind, &n);
	if (n.n_tokens > CH_MATCH_TOKENS_MAX)
		abort();
	for (size_t i = 0; i < n.n_tokens; i++) {
		const char *t = n.tokens[i].text;

		if (t[0] == '\0' || strlen(t) >= CH_MATCH_TOKEN_MAX)
			abort();
		for (; *t != '\0'; t++)
			if (!((*t >= 'a' && *t <= 'z') ||
				(*t >= '0' && *t <= '9')))
				abort();
	}
	why = malloc(sizeof(*why));
	if (why == NULL)
		return 0;
	for (size_t e = 0; e < 3; e++) {
		double v = ch_match_score(&s, &entries[e], why);

		check_score(v);
		sum = 0;
		for (size_t f = 0; f < why->n_factors; f++)
			sum += why->factors[f].contribution;
		if (fabs(sum - v) > 1e-6 && v > 0 && v < 1)
			abort();
	}
	j = ch_match_explain_json(why);
	json_decref(j);
	free(why);
	if (ch_match_query(ix, &s, &p, hits, 3, &hits_n) == CH_OK) {
		struct ch_match_hit all[3];
		size_t all_n = 0;

		for (size_t h = 0; h < hits_n; h++)
			check_score(hits[h].score);
		/* The index scores what it finds as a full scan does. */
		if (ch_match_scan(ix, &s, &p, all, 3, &all_n) != CH_OK)
			abort();
		for (size_t h = 0; h < hits_n; h++) {
			bool found = false;

			for (size_t k = 0; k < all_n; k++)
				found = found ||
				    (all[k].entry == hits[h].entry &&
					all[k].score == hits[h].score);
			if (!found)
				abort();
		}
		check_cut(ix, &s, &p);
		p.review = 0.30;
		check_cut(ix, &s, &p);
		check_listed(listed, listed_len, &s, &p);
		p.review = ch_match_params_default().review;
		check_listed(listed, listed_len, &s, &p);
	}
	return 0;
}
