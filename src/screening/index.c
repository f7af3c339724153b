/*
 * index.c — candidate generation for screening: an inverted index from
 * token keys to the names that hold them, over the entries of several
 * lists.
 *
 * Every distinct token of the lists is stored once (a "type": its text,
 * role and phonetic keys); a name is a run of type ids.  The keys of a
 * name token are its Double Metaphone codes, its consonant skeleton and
 * its first four letters (all of them read without a glued particle), so
 * a spelling variant, a transliteration or a typo late in the word still
 * shares a key with the listed form.
 *
 * A query does not look up every one of its tokens.  The score divides by
 * at least the weight of the query (see score.c), so an entry that aligns
 * none of a set of query tokens of weight G scores at most (W - G) / W,
 * W the query's weight.  Before evidence, a name must reach
 * review - CH_MATCH_EVIDENCE_MAX; so it is enough to take candidates from
 * the query's rarest name tokens (by the length of their posting lists)
 * until their weight G exceeds W * (1 - that bound): a name outside their
 * postings cannot reach the threshold.  The index then equals a full scan
 * except where two similar tokens share no key at all, which
 * bench/screening-quality and the unit tests measure.  (Those cuts keep
 * the most any evidence adds even for a subject without any: they rest
 * on the keys, and a name they let through with a similar token that
 * shares none is found as it always was.)
 *
 * Each candidate name gets an upper bound of its score, first from which
 * query tokens it can align at all, then from the similarities of its
 * tokens to the query's (tight_bound); with what the subject's evidence
 * can add (ch_match_evidence_max: nothing without a date of birth or a
 * nationality), entries are scored best bound first, and the query stops
 * when the next bound cannot reach the last of a full top.  Similarities are
 * computed once per query and type (the query's table), and a listed word's
 * similar words once per index (its neighbours, found when it is built).
 *
 * A query that would read thousands of names (common words at a million
 * names) first cuts them (cut_build): from which query words each name may
 * align, at what similarity, and the weight of its words, a true bound
 * drops those that cannot reach the threshold before they are read, and
 * orders the visit of the rest.  Results are the same with the cut and
 * without (ch_match_index_set_cut; the unit test and the fuzz target
 * compare them).
 *
 * Built once, the index is only read: queries may run on any number of
 * threads at once.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#ifdef __SSE2__
#include <emmintrin.h>
#endif

#include "screening/match.h"
#include "screening/match_int.h"

#define KEY_MAX (CH_MATCH_TOKEN_MAX + 2)
#define KEYS_PER_TOKEN 128
#define DELETE_TWO_MIN 5
#define DELETE_TWO_MAX 10
#define NONE UINT32_MAX
/* A query that would read this many names of its generators' lists is
 * cut first (cut_build): below it, the cut costs more than it saves. */
#define CUT_MIN 1024

/* ---- an interning string table ---- */

struct strtab {
	char *pool;
	size_t used, cap;
	uint32_t *offsets; /* id -> offset in pool */
	size_t n, n_cap;
	uint64_t *slots; /* open addressing: the hash's high half, id + 1;
			    0 empty (the hash spares most string compares) */
	size_t n_slots;
};

static uint64_t
hash_bytes(const char *s, size_t n)
{
	uint64_t h = 1469598103934665603ULL;

	for (size_t i = 0; i < n; i++) {
		h ^= (unsigned char)s[i];
		h *= 1099511628211ULL;
	}
	return h;
}

static const char *
strtab_get(const struct strtab *t, uint32_t id)
{
	return t->pool + t->offsets[id];
}

#define SLOT(h, id) (((h)&0xffffffff00000000ULL) | ((uint64_t)(id) + 1))
#define SLOT_ID(v) ((uint32_t)(v)-1)
#define SLOT_TAG(v) ((v)&0xffffffff00000000ULL)

static uint32_t
strtab_find(const struct strtab *t, const char *s)
{
	size_t len = strlen(s), mask = t->n_slots - 1, i;
	uint64_t h, tag;

	if (t->n_slots == 0)
		return NONE;
	h = hash_bytes(s, len);
	tag = SLOT_TAG(h);
	for (i = h & mask; t->slots[i] != 0; i = (i + 1) & mask)
		if (SLOT_TAG(t->slots[i]) == tag &&
		    strcmp(strtab_get(t, SLOT_ID(t->slots[i])), s) == 0)
			return SLOT_ID(t->slots[i]);
	return NONE;
}

static bool
strtab_grow_slots(struct strtab *t)
{
	size_t n = t->n_slots == 0 ? 1024 : t->n_slots * 2;
	uint64_t *slots = calloc(n, sizeof(*slots));

	if (slots == NULL)
		return false;
	for (size_t id = 0; id < t->n; id++) {
		const char *s = strtab_get(t, (uint32_t)id);
		uint64_t h = hash_bytes(s, strlen(s));
		size_t i = h & (n - 1);

		while (slots[i] != 0)
			i = (i + 1) & (n - 1);
		slots[i] = SLOT(h, id);
	}
	free(t->slots);
	t->slots = slots;
	t->n_slots = n;
	return true;
}

/* The id of S, added when new; NONE when out of memory. */
static uint32_t
strtab_intern(struct strtab *t, const char *s, bool *added)
{
	size_t len = strlen(s), i;
	uint64_t h;
	uint32_t id = strtab_find(t, s);

	*added = false;
	if (id != NONE)
		return id;
	if ((t->n + 1) * 2 > t->n_slots && !strtab_grow_slots(t))
		return NONE;
	if (t->used + len + 1 > t->cap) {
		size_t cap = t->cap == 0 ? 65536 : t->cap * 2;
		char *pool;

		while (cap < t->used + len + 1)
			cap *= 2;
		if ((pool = realloc(t->pool, cap)) == NULL)
			return NONE;
		t->pool = pool;
		t->cap = cap;
	}
	if (t->n == t->n_cap) {
		size_t cap = t->n_cap == 0 ? 4096 : t->n_cap * 2;
		uint32_t *o = realloc(t->offsets, cap * sizeof(*o));

		if (o == NULL)
			return NONE;
		t->offsets = o;
		t->n_cap = cap;
	}
	memcpy(t->pool + t->used, s, len + 1);
	t->offsets[t->n] = (uint32_t)t->used;
	t->used += len + 1;
	id = (uint32_t)t->n++;
	h = hash_bytes(s, len);
	for (i = h & (t->n_slots - 1); t->slots[i] != 0;
	     i = (i + 1) & (t->n_slots - 1))
		;
	t->slots[i] = SLOT(h, id);
	*added = true;
	return id;
}

static void
strtab_free(struct strtab *t)
{
	free(t->pool);
	free(t->offsets);
	free(t->slots);
}

static size_t
strtab_bytes(const struct strtab *t)
{
	return t->cap + t->n_cap * sizeof(uint32_t) +
	    t->n_slots * sizeof(uint64_t);
}

/* ---- the index ---- */

struct ientry {
	const struct ch_watch_entry *entry;
	uint32_t list;
	uint32_t first_name, n_names;
};

struct iname {
	uint32_t entry;
	uint32_t first_token;
	uint32_t first_joined; /* in tokens, after the name's own: its
				  neighbours joined, keys only */
	uint16_t n_joined;
	uint16_t n_tokens;
	uint16_t name_index;
	uint8_t quality;
	bool body;      /* the entry is a company, vessel or aircraft */
	uint8_t n_full; /* tokens of weight 1 (names, not particles) */
};

/* What the cut's scans of the types that may align without a key
 * (cut_scan) test first of each, beside its id in spec_types, len_types
 * and base_types: read in order, sixteen bytes a type, rather than the
 * type's token (two memory lines, at random) — most fail the test. */
struct scan_type {
	uint32_t letters;      /* the type's letters (its token's) */
	uint32_t base_letters; /* those without its glued particle */
	uint8_t len, stem;     /* its length; its glued particle's */
	uint8_t n_letters;     /* bits set in letters */
	uint8_t n_base;        /* bits set in base_letters */
	bool name;             /* a word (CH_TOKEN_NAME) */
};

struct ch_match_index {
	struct ientry *entries;
	size_t n_entries;
	struct iname *names;
	size_t n_names, names_cap;
	uint32_t *tokens; /* type ids, names' runs: each name's tokens, then
			     its joined forms */
	size_t n_tokens, tokens_cap;
	bool *type_is_joined; /* by type id, up to type_is_joined_cap */
	size_t type_is_joined_cap;
	struct strtab type_tab; /* role letter + text -> type id */
	struct ch_match_token *types;
	size_t types_cap;
	/* By type id, beside the types: what the candidate bounds read for
	 * every token of every candidate, dense so as not to load a type. */
	double *type_weight;
	size_t type_weight_cap;
	uint8_t *type_len; /* strlen of the text */
	size_t type_len_cap;
	uint32_t *type_keys; /* key ids of all types, type after type */
	size_t n_type_keys, type_keys_cap;
	uint32_t *type_key_first; /* type id -> first in type_keys; +1 */
	size_t type_key_first_cap;
	struct strtab key_tab;
	uint32_t *key_start;  /* key id -> first in key_types; n_keys + 1 */
	uint32_t *key_types;  /* type ids holding the key */
	uint32_t *type_start; /* type id -> first in type_names */
	uint32_t *type_names; /* name ids holding the type, ascending */
	size_t n_key_types, n_type_names;
	/* Each type's neighbours: the types it shares a key with that are
	 * similar to it (at least CH_MATCH_TOKEN_FLOOR), ascending, with the
	 * similarity; a query token that is a listed word finds them here
	 * instead of comparing them again. */
	uint32_t *nb_start; /* type id -> first in nb_type; n_types + 1 */
	bool *nb_done;      /* by type id: its neighbours are there */
	uint32_t *nb_type;
	double *nb_sim;
	size_t n_nb, nb_cap;
	/* For the cut of large queries (cut_build): by name, the weight of
	 * its distinct words in tenths (a lower bound of what it can leave
	 * over); the types a query token may align with without sharing a
	 * key with it, by length (initials and particles, words by length,
	 * words with a glued particle by the length without it); words by
	 * first letter and length (what two query tokens joined may align
	 * with); and by first letter of the first and joined length, the
	 * names whose neighbouring tokens may join to align with one query
	 * token. */
	uint8_t *name_ew;
	uint8_t *name_full; /* by name, its n_full (dense, for bisection) */
	uint32_t *spec_types;
	size_t n_spec;
	uint32_t len_start[CH_MATCH_TOKEN_MAX + 1], *len_types;
	uint32_t base_start[CH_MATCH_TOKEN_MAX + 1], *base_types;
	/* beside spec_types, len_types and base_types, in their order */
	struct scan_type *spec_scan, *len_scan, *base_scan;
	uint32_t *fl_start, *fl_types;
	uint32_t *pair_start, *pair_names;
	uint32_t *pair_letters; /* while building: by pair, its letters */
	/* The pairs of a bucket grouped by their letters, each set of
	 * letters once: bucket -> first group (pair_gstart), group -> its
	 * letters (pair_gletters) and first pair (pair_gfirst; n_groups + 1),
	 * so that a query tests a set of letters once for all the names
	 * that hold it. */
	uint32_t *pair_gstart, *pair_gletters, *pair_gfirst;
	size_t n_pair_groups;
	size_t cut_from; /* generators' names from which a query is cut */
};

static _Thread_local size_t last_candidates;

size_t
ch_match_last_candidates(void)
{
	return last_candidates;
}

/* Add KEY to KEYS unless it repeats the last one (a doubled letter
 * deleted either way); other repeats are harmless, the types they find
 * are made unique. */
static void
push_key(char keys[][KEY_MAX], size_t *n, size_t max, const char *key)
{
	if (*n > 0 && strcmp(keys[*n - 1], key) == 0)
		return;
	if (*n < max) {
		size_t len = strnlen(key, KEY_MAX - 1);

		memcpy(keys[*n], key, len);
		keys[(*n)++][len] = '\0';
	}
}

/* WORD and WORD without each one of its letters (from three letters). */
static void
deletion_keys(const char *word, char keys[][KEY_MAX], size_t *n, size_t max)
{
	char key[KEY_MAX];
	/* A token's text is shorter than CH_MATCH_TOKEN_MAX: with its 'w'
	 * it fits a key (no printf: a query makes a hundred keys a token). */
	size_t len = strnlen(word, KEY_MAX - 2);

	key[0] = 'w';
	memcpy(key + 1, word, len);
	key[len + 1] = '\0';
	push_key(keys, n, max, key);
	if (len < 3)
		return;
	for (size_t i = 0; i < len; i++) {
		memcpy(key + 1, word, i);
		memcpy(key + 1 + i, word + i + 1, len - i - 1);
		key[len] = '\0';
		push_key(keys, n, max, key);
	}
	/* Two letters off: without each pair of its letters, in words long
	 * enough for that to leave a name. */
	if (len < DELETE_TWO_MIN || len > DELETE_TWO_MAX)
		return;
	for (size_t i = 0; i < len; i++)
		for (size_t j = i + 1; j < len; j++) {
			memcpy(key + 1, word, i);
			memcpy(key + 1 + i, word + i + 1, j - i - 1);
			memcpy(key + j, word + j + 1, len - j - 1);
			key[len - 1] = '\0';
			push_key(keys, n, max, key);
		}
}

/*
 * The index keys of a token into KEYS (at most MAX); returns how many.
 * Double Metaphone codes and the skeleton catch transliterations; the
 * word itself and the word without each one of its letters catch every
 * pair at one edit (a letter dropped, added, changed or two swapped give
 * a shared deletion); without each pair of its letters (five to ten
 * letters), every pair at two.
 */
static size_t
token_keys(const struct ch_match_token *t, char keys[][KEY_MAX], size_t max)
{
	const char *base = t->text + t->stem;
	char key[KEY_MAX];
	size_t n = 0;

	if (t->role != CH_TOKEN_NAME)
		return 0;
	if (strlen(t->phon1) >= 2) {
		snprintf(key, sizeof(key), "p%s", t->phon1);
		push_key(keys, &n, max, key);
	}
	if (strlen(t->phon2) >= 2) {
		snprintf(key, sizeof(key), "p%s", t->phon2);
		push_key(keys, &n, max, key);
	}
	if (strlen(t->skeleton) >= 2) {
		snprintf(key, sizeof(key), "s%s", t->skeleton);
		push_key(keys, &n, max, key);
	}
	deletion_keys(base, keys, &n, max);
	if (t->stem != 0)
		deletion_keys(t->text, keys, &n, max);
	return n;
}

/* A and B written together into OUT (CH_MATCH_TOKEN_MAX bytes); the
 * caller has checked that they fit. */
static void
join_text(char *out, const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b);

	if (la + lb >= CH_MATCH_TOKEN_MAX)
		lb = la >= CH_MATCH_TOKEN_MAX - 1 ? 0
						  : CH_MATCH_TOKEN_MAX - 1 - la;
	if (la >= CH_MATCH_TOKEN_MAX)
		la = CH_MATCH_TOKEN_MAX - 1;
	memcpy(out, a, la);
	memcpy(out + la, b, lb);
	out[la + lb] = '\0';
}

static bool
grow(void **p, size_t *cap, size_t need, size_t size)
{
	size_t n = *cap == 0 ? 1024 : *cap;
	void *q;

	if (need <= *cap)
		return true;
	while (n < need)
		n *= 2;
	if ((q = realloc(*p, n * size)) == NULL)
		return false;
	*p = q;
	*cap = n;
	return true;
}

/* The type id of T, added (with its keys) when new. */
static uint32_t
intern_type(struct ch_match_index *ix, const struct ch_match_token *t)
{
	char name[CH_MATCH_TOKEN_MAX + 2], keys[KEYS_PER_TOKEN][KEY_MAX];
	bool added;
	uint32_t id;
	size_t n;

	snprintf(name, sizeof(name), "%c%s", 'a' + (int)t->role, t->text);
	id = strtab_intern(&ix->type_tab, name, &added);
	if (id == NONE || !added)
		return id;
	if (!grow((void **)&ix->types, &ix->types_cap, id + 1,
		sizeof(*ix->types)) ||
	    !grow((void **)&ix->type_key_first, &ix->type_key_first_cap, id + 2,
		sizeof(*ix->type_key_first)) ||
	    !grow((void **)&ix->type_weight, &ix->type_weight_cap, id + 1,
		sizeof(*ix->type_weight)) ||
	    !grow((void **)&ix->type_len, &ix->type_len_cap, id + 1,
		sizeof(*ix->type_len)))
		return NONE;
	ix->types[id] = *t;
	ix->type_weight[id] = ch_match_token_weight(t);
	ix->type_len[id] = (uint8_t)strlen(t->text);
	n = token_keys(t, keys, KEYS_PER_TOKEN);
	if (!grow((void **)&ix->type_keys, &ix->type_keys_cap,
		ix->n_type_keys + n, sizeof(*ix->type_keys)))
		return NONE;
	ix->type_key_first[id] = (uint32_t)ix->n_type_keys;
	for (size_t k = 0; k < n; k++) {
		uint32_t key = strtab_intern(&ix->key_tab, keys[k], &added);

		if (key == NONE)
			return NONE;
		ix->type_keys[ix->n_type_keys++] = key;
	}
	ix->type_key_first[id + 1] = (uint32_t)ix->n_type_keys;
	return id;
}

/* Record that type ID stands for two names joined in some name. */
static bool
mark_joined(struct ch_match_index *ix, uint32_t id)
{
	size_t old = ix->type_is_joined_cap;

	if (!grow((void **)&ix->type_is_joined, &ix->type_is_joined_cap, id + 1,
		sizeof(*ix->type_is_joined)))
		return false;
	if (ix->type_is_joined_cap > old)
		memset(ix->type_is_joined + old, 0,
		    (ix->type_is_joined_cap - old) *
			sizeof(*ix->type_is_joined));
	ix->type_is_joined[id] = true;
	return true;
}

/* Whether token I of N repeats an earlier one ("Hassan Hassan"). */
static bool
seen_before(const struct ch_match_name *n, size_t i)
{
	for (size_t k = 0; k < i; k++)
		if (strcmp(n->tokens[k].text, n->tokens[i].text) == 0)
			return true;
	return false;
}

static bool
add_name(struct ch_match_index *ix, uint32_t entry, size_t name_index,
    const struct ch_watch_name *wn, enum ch_watch_kind kind)
{
	struct ch_match_name norm;
	struct iname *in;

	ch_match_normalise(wn->full, kind, &norm);
	if (norm.n_tokens == 0)
		return true;
	if (!grow((void **)&ix->names, &ix->names_cap, ix->n_names + 1,
		sizeof(*ix->names)) ||
	    !grow((void **)&ix->tokens, &ix->tokens_cap,
		ix->n_tokens + norm.n_tokens, sizeof(*ix->tokens)))
		return false;
	in = &ix->names[ix->n_names++];
	in->entry = entry;
	in->first_token = (uint32_t)ix->n_tokens;
	in->n_tokens = (uint16_t)norm.n_tokens;
	in->name_index =
	    (uint16_t)(name_index > UINT16_MAX ? UINT16_MAX : name_index);
	in->quality = (uint8_t)wn->quality;
	in->n_full = 0;
	in->body = kind == CH_WATCH_ENTITY || kind == CH_WATCH_VESSEL ||
	    kind == CH_WATCH_AIRCRAFT;
	for (size_t i = 0; i < norm.n_tokens; i++) {
		uint32_t id = intern_type(ix, &norm.tokens[i]);

		if (id == NONE)
			return false;
		ix->tokens[ix->n_tokens++] = id;
		if (ch_match_token_weight(&norm.tokens[i]) >= 1.0 &&
		    !seen_before(&norm, i))
			in->n_full++;
	}
	/* "Hao Fan" is found by "Haofan", "Um Air" by "Umair".  Right after
	 * the name's tokens: a query reads them together. */
	in->first_joined = (uint32_t)ix->n_tokens;
	in->n_joined = 0;
	for (size_t i = 0; i + 1 < norm.n_tokens; i++) {
		const struct ch_match_token *a = &norm.tokens[i],
					    *b = &norm.tokens[i + 1];
		struct ch_match_token j;
		uint32_t id;

		/* Only where names split and join: syllables and particles
		 * ("Hao Fan", "Song Nam", "Abdul Aziz"); joining every pair
		 * of a million names would double the index for little. */
		if (a->role > CH_TOKEN_PARTICLE ||
		    b->role > CH_TOKEN_PARTICLE ||
		    (a->role != CH_TOKEN_NAME && b->role != CH_TOKEN_NAME) ||
		    (a->role == CH_TOKEN_NAME && b->role == CH_TOKEN_NAME &&
			strlen(a->text) > 4 && strlen(b->text) > 4) ||
		    strlen(a->text) + strlen(b->text) >= CH_MATCH_TOKEN_MAX)
			continue;
		memset(&j, 0, sizeof(j));
		join_text(j.text, a->text, b->text);
		j.role = CH_TOKEN_NAME;
		ch_match_token_keys(&j);
		if ((id = intern_type(ix, &j)) == NONE ||
		    !mark_joined(ix, id) ||
		    !grow((void **)&ix->tokens, &ix->tokens_cap,
			ix->n_tokens + 1, sizeof(*ix->tokens)))
			return false;
		ix->tokens[ix->n_tokens++] = id;
		in->n_joined++;
	}
	return true;
}

/* A name's token types, then its joined types (for the index only). */
static uint32_t
name_type(const struct ch_match_index *ix, const struct iname *in, size_t t)
{
	return t < in->n_tokens
	    ? ix->tokens[in->first_token + t]
	    : ix->tokens[in->first_joined + t - in->n_tokens];
}

/* The two inverted lists: key -> types holding it, type -> names holding
 * it (ascending, as names are visited in order). */
static bool
build_postings(struct ch_match_index *ix)
{
	size_t n_keys = ix->key_tab.n, n_types = ix->type_tab.n;
	uint32_t *fill = NULL;

	ix->key_start = calloc(n_keys + 1, sizeof(*ix->key_start));
	ix->type_start = calloc(n_types + 1, sizeof(*ix->type_start));
	if (ix->key_start == NULL || ix->type_start == NULL)
		return false;
	for (size_t nm = 0; nm < ix->n_names; nm++) {
		const struct iname *in = &ix->names[nm];

		for (size_t t = 0; t < (size_t)in->n_tokens + in->n_joined; t++)
			ix->type_start[name_type(ix, in, t) + 1]++;
	}
	for (size_t t = 0; t < n_types; t++) {
		ix->type_start[t + 1] += ix->type_start[t];
		for (uint32_t k = ix->type_key_first[t];
		     k < ix->type_key_first[t + 1]; k++)
			ix->key_start[ix->type_keys[k] + 1]++;
	}
	for (size_t k = 0; k < n_keys; k++)
		ix->key_start[k + 1] += ix->key_start[k];
	ix->n_type_names = ix->type_start[n_types];
	ix->n_key_types = ix->key_start[n_keys];
	ix->type_names = malloc((ix->n_type_names + 1) * sizeof(uint32_t));
	ix->key_types = malloc((ix->n_key_types + 1) * sizeof(uint32_t));
	fill =
	    malloc(((n_types > n_keys ? n_types : n_keys) + 1) * sizeof(*fill));
	if (ix->type_names == NULL || ix->key_types == NULL || fill == NULL)
		goto fail;
	/* Each type's names by their number of full names, fewest first
	 * (a query may need only the short ones of a common type), then in
	 * order. */
	memcpy(fill, ix->type_start, n_types * sizeof(*fill));
	for (size_t full = 0; full <= CH_MATCH_TOKENS_MAX; full++)
		for (size_t nm = 0; nm < ix->n_names; nm++) {
			const struct iname *in = &ix->names[nm];

			if (in->n_full != full)
				continue;
			for (size_t t = 0;
			     t < (size_t)in->n_tokens + in->n_joined; t++)
				ix->type_names[fill[name_type(ix, in, t)]++] =
				    (uint32_t)nm;
		}
	memcpy(fill, ix->key_start, n_keys * sizeof(*fill));
	for (size_t t = 0; t < n_types; t++)
		for (uint32_t k = ix->type_key_first[t];
		     k < ix->type_key_first[t + 1]; k++)
			ix->key_types[fill[ix->type_keys[k]]++] = (uint32_t)t;
	free(fill);
	return true;
fail:
	free(fill);
	return false;
}

/* The bucket of a name's neighbouring tokens X and Y that may join to
 * align with one query token (compound_similarity: X a name or a
 * particle, Y a name, a particle or a legal form): by X's first letter
 * and their joined length. */
#define PAIR_LEN 64
#define PAIR_BUCKET(first, len)                                                \
	((size_t)((unsigned char)(first)&127) * PAIR_LEN +                     \
	    ((len) < PAIR_LEN - 1 ? (size_t)(len) : (size_t)PAIR_LEN - 1))
#define FL_BUCKET(first, len)                                                  \
	((size_t)((unsigned char)(first)&127) * CH_MATCH_TOKEN_MAX +           \
	    (size_t)(len))

static bool
pair_joins(const struct ch_match_token *x, const struct ch_match_token *y)
{
	return (x->role == CH_TOKEN_NAME || x->role == CH_TOKEN_PARTICLE) &&
	    (y->role == CH_TOKEN_NAME || y->role == CH_TOKEN_PARTICLE ||
		y->role == CH_TOKEN_SUFFIX);
}

/* Counting sort of N items into buckets: START (N_BUCKETS + 1) from the
 * bucket of each item (BUCKET_OF), then OUT. */
static bool
bucket_fill(uint32_t *start, size_t n_buckets, const uint32_t *bucket_of,
    const uint32_t *item, size_t n, uint32_t **out)
{
	uint32_t *fill;

	memset(start, 0, (n_buckets + 1) * sizeof(*start));
	for (size_t i = 0; i < n; i++)
		start[bucket_of[i] + 1]++;
	for (size_t b = 0; b < n_buckets; b++)
		start[b + 1] += start[b];
	*out = malloc((n + 1) * sizeof(**out));
	fill = malloc((n_buckets + 1) * sizeof(*fill));
	if (*out == NULL || fill == NULL) {
		free(fill);
		return false;
	}
	memcpy(fill, start, n_buckets * sizeof(*fill));
	for (size_t i = 0; i < n; i++)
		(*out)[fill[bucket_of[i]]++] = item[i];
	free(fill);
	return true;
}

static int
u64_cmp(const void *pa, const void *pb)
{
	uint64_t a = *(const uint64_t *)pa, b = *(const uint64_t *)pb;

	return a < b ? -1 : a > b;
}

/* A token's letters: bits 0 to 25. */
#define PAIR_LETTERS 0x3ffffffu

/* The N pairs of each bucket ordered by how many letters they have, then
 * their letters (then name), and their groups of the same letters (struct
 * ch_match_index): a query reads only the groups with about as many
 * letters as its word. */
static bool
group_pairs(struct ch_match_index *ix, size_t n)
{
	uint64_t *v = malloc((n + 1) * sizeof(*v));
	void *fit;
	size_t g = 0;

	ix->pair_gstart = malloc((128 * PAIR_LEN + 1) * sizeof(uint32_t));
	ix->pair_gletters = malloc((n + 1) * sizeof(uint32_t));
	ix->pair_gfirst = malloc((n + 1) * sizeof(uint32_t));
	if (v == NULL || ix->pair_gstart == NULL || ix->pair_gletters == NULL ||
	    ix->pair_gfirst == NULL) {
		free(v);
		return false;
	}
	for (size_t i = 0; i < n; i++)
		v[i] = (uint64_t)__builtin_popcount(ix->pair_letters[i]) << 58 |
		    (uint64_t)ix->pair_letters[i] << 32 | ix->pair_names[i];
	for (size_t b = 0; b < 128 * PAIR_LEN; b++) {
		size_t lo = ix->pair_start[b], hi = ix->pair_start[b + 1];

		qsort(v + lo, hi - lo, sizeof(*v), u64_cmp);
		ix->pair_gstart[b] = (uint32_t)g;
		for (size_t i = lo; i < hi; i++) {
			uint32_t letters =
			    (uint32_t)(v[i] >> 32) & PAIR_LETTERS;

			ix->pair_names[i] = (uint32_t)v[i];
			if (i == lo ||
			    letters !=
				((uint32_t)(v[i - 1] >> 32) & PAIR_LETTERS)) {
				ix->pair_gletters[g] = letters;
				ix->pair_gfirst[g++] = (uint32_t)i;
			}
		}
	}
	ix->pair_gstart[128 * PAIR_LEN] = (uint32_t)g;
	ix->pair_gfirst[g] = (uint32_t)n;
	ix->n_pair_groups = g;
	free(v);
	/* As many groups as there are (fewer than the pairs). */
	if ((fit = realloc(ix->pair_gletters, (g + 1) * sizeof(uint32_t))) !=
	    NULL)
		ix->pair_gletters = fit;
	if ((fit = realloc(ix->pair_gfirst, (g + 1) * sizeof(uint32_t))) !=
	    NULL)
		ix->pair_gfirst = fit;
	/* The groups hold the letters now. */
	free(ix->pair_letters);
	ix->pair_letters = NULL;
	return true;
}

/* What the cut of large queries reads (see struct ch_match_index). */
/* The scan_type of each of the N types TYPES, in *OUT (N + 1 places). */
static bool
scan_fill(const struct ch_match_index *ix, const uint32_t *types, size_t n,
    struct scan_type **out)
{
	if ((*out = calloc(n + 1, sizeof(**out))) == NULL)
		return false;
	for (size_t k = 0; k < n; k++) {
		const struct ch_match_token *u = &ix->types[types[k]];

		(*out)[k] = (struct scan_type){.letters = u->letters,
		    .base_letters = u->base_letters[0],
		    .len = u->len,
		    .stem = u->stem,
		    .n_letters = (uint8_t)ch_match_bits(u->letters),
		    .n_base = (uint8_t)ch_match_bits(u->base_letters[0]),
		    .name = u->role == CH_TOKEN_NAME};
	}
	return true;
}

static bool
build_cut_tables(struct ch_match_index *ix)
{
	size_t n_types = ix->type_tab.n, n = 0, n_pairs = 0;
	uint32_t *item = NULL, *bucket = NULL;
	bool ok = false;

	ix->name_ew = malloc(ix->n_names + 1);
	ix->name_full = malloc(ix->n_names + 1);
	ix->fl_start =
	    malloc((128 * CH_MATCH_TOKEN_MAX + 1) * sizeof(uint32_t));
	ix->pair_start = malloc((128 * PAIR_LEN + 1) * sizeof(uint32_t));
	for (size_t nm = 0; nm < ix->n_names; nm++)
		n_pairs += ix->names[nm].n_tokens;
	item = calloc(n_types + n_pairs + 1, sizeof(*item));
	bucket = calloc(n_types + n_pairs + 1, sizeof(*bucket));
	if (ix->name_ew == NULL || ix->name_full == NULL ||
	    ix->fl_start == NULL || ix->pair_start == NULL || item == NULL ||
	    bucket == NULL)
		goto done;
	/* The weight of a name's distinct words (the least of a word's
	 * weights where it recurs: a repeat of an aligned word is not left
	 * over), rounded down, in tenths. */
	for (size_t nm = 0; nm < ix->n_names; nm++) {
		const struct iname *in = &ix->names[nm];
		const uint32_t *t = &ix->tokens[in->first_token];
		double w = 0;

		for (size_t i = 0; i < in->n_tokens; i++) {
			double least = ix->type_weight[t[i]];
			bool seen = false;

			for (size_t k = 0; k < in->n_tokens; k++) {
				if (strcmp(ix->types[t[k]].text,
					ix->types[t[i]].text) != 0)
					continue;
				seen = seen || k < i;
				if (ix->type_weight[t[k]] < least)
					least = ix->type_weight[t[k]];
			}
			if (!seen)
				w += least;
		}
		w = w * 10.0 - 1e-6;
		ix->name_ew[nm] = w >= 255 ? 255 : w <= 0 ? 0 : (uint8_t)w;
		ix->name_full[nm] = in->n_full;
	}
	/* Initials and particles (they share no key with any word), and
	 * words spelt as a particle ("ben", "ibn": a particle aligns with
	 * them by its canonical spelling). */
	for (size_t t = 0; t < n_types; t++)
		if (((ix->types[t].role == CH_TOKEN_INITIAL ||
			 ix->types[t].role == CH_TOKEN_PARTICLE) &&
			ix->type_weight[t] > 0) ||
		    (ix->nb_done[t] && ix->types[t].canon != 0))
			item[n++] = (uint32_t)t;
	ix->n_spec = n;
	if ((ix->spec_types = malloc((n + 1) * sizeof(uint32_t))) == NULL)
		goto done;
	memcpy(ix->spec_types, item, n * sizeof(uint32_t));
	if (!scan_fill(ix, ix->spec_types, n, &ix->spec_scan))
		goto done;
	/* Words by length; words with a glued particle by the length
	 * without it; words by first letter and length. */
	n = 0;
	for (size_t t = 0; t < n_types; t++)
		if (ix->nb_done[t]) {
			item[n] = (uint32_t)t;
			bucket[n++] = ix->type_len[t];
		}
	if (!bucket_fill(ix->len_start, CH_MATCH_TOKEN_MAX, bucket, item, n,
		&ix->len_types) ||
	    !scan_fill(ix, ix->len_types, n, &ix->len_scan))
		goto done;
	for (size_t i = 0; i < n; i++)
		bucket[i] = (uint32_t)FL_BUCKET(
		    ix->types[item[i]].text[0], ix->type_len[item[i]]);
	if (!bucket_fill(ix->fl_start, 128 * CH_MATCH_TOKEN_MAX, bucket, item,
		n, &ix->fl_types))
		goto done;
	n = 0;
	for (size_t t = 0; t < n_types; t++)
		if (ix->nb_done[t] && ix->types[t].stem != 0) {
			item[n] = (uint32_t)t;
			bucket[n++] = ix->type_len[t] - ix->types[t].stem;
		}
	if (!bucket_fill(ix->base_start, CH_MATCH_TOKEN_MAX, bucket, item, n,
		&ix->base_types) ||
	    !scan_fill(ix, ix->base_types, n, &ix->base_scan))
		goto done;
	/* Names by the neighbouring tokens that may join. */
	n = 0;
	for (size_t nm = 0; nm < ix->n_names; nm++) {
		const struct iname *in = &ix->names[nm];
		const uint32_t *t = &ix->tokens[in->first_token];

		for (size_t i = 0; i + 1 < in->n_tokens; i++) {
			const struct ch_match_token *x = &ix->types[t[i]],
						    *y = &ix->types[t[i + 1]];

			if (!pair_joins(x, y))
				continue;
			item[n] = (uint32_t)nm;
			bucket[n++] = (uint32_t)PAIR_BUCKET(
			    x->text[0], (size_t)x->len + y->len);
		}
	}
	ok = bucket_fill(
	    ix->pair_start, 128 * PAIR_LEN, bucket, item, n, &ix->pair_names);
	/* Beside each, the letters of the two joined (in the same order:
	 * the fill is stable). */
	n = 0;
	for (size_t nm = 0; ok && nm < ix->n_names; nm++) {
		const struct iname *in = &ix->names[nm];
		const uint32_t *t = &ix->tokens[in->first_token];

		for (size_t i = 0; i + 1 < in->n_tokens; i++)
			if (pair_joins(&ix->types[t[i]], &ix->types[t[i + 1]]))
				item[n++] = ix->types[t[i]].letters |
				    ix->types[t[i + 1]].letters;
	}
	ok = ok &&
	    bucket_fill(ix->pair_start, 128 * PAIR_LEN, bucket, item, n,
		&ix->pair_letters) &&
	    group_pairs(ix, n);
done:
	free(item);
	free(bucket);
	return ok;
}

static bool build_neighbours(struct ch_match_index *ix);

struct ch_match_index *
ch_match_index_create(const struct ch_match_list *lists, size_t n_lists)
{
	struct ch_match_index *ix = calloc(1, sizeof(*ix));
	size_t total = 0, e = 0;

	if (ix == NULL)
		return NULL;
	for (size_t l = 0; l < n_lists; l++)
		total += lists[l].n_entries;
	ix->entries = calloc(total + 1, sizeof(*ix->entries));
	if (ix->entries == NULL)
		goto fail;
	for (size_t l = 0; l < n_lists; l++) {
		for (size_t i = 0; i < lists[l].n_entries; i++, e++) {
			const struct ch_watch_entry *we = &lists[l].entries[i];
			struct ientry *ie = &ix->entries[e];

			ie->entry = we;
			ie->list = (uint32_t)l;
			ie->first_name = (uint32_t)ix->n_names;
			for (size_t k = 0; k < we->n_names; k++)
				if (!add_name(ix, (uint32_t)e, k, &we->names[k],
					we->kind))
					goto fail;
			ie->n_names = (uint32_t)ix->n_names - ie->first_name;
		}
	}
	ix->n_entries = total;
	ix->cut_from = CUT_MIN;
	if (!build_postings(ix) || !build_neighbours(ix) ||
	    !build_cut_tables(ix))
		goto fail;
	return ix;
fail:
	log_error("%s: out of memory", __func__);
	ch_match_index_destroy(ix);
	return NULL;
}

void
ch_match_index_destroy(struct ch_match_index *ix)
{
	if (ix == NULL)
		return;
	free(ix->entries);
	free(ix->names);
	free(ix->tokens);
	free(ix->type_is_joined);
	strtab_free(&ix->type_tab);
	free(ix->types);
	free(ix->type_weight);
	free(ix->type_len);
	free(ix->type_keys);
	free(ix->type_key_first);
	strtab_free(&ix->key_tab);
	free(ix->key_start);
	free(ix->key_types);
	free(ix->type_start);
	free(ix->type_names);
	free(ix->nb_start);
	free(ix->nb_done);
	free(ix->nb_type);
	free(ix->nb_sim);
	free(ix->name_ew);
	free(ix->name_full);
	free(ix->spec_types);
	free(ix->len_types);
	free(ix->base_types);
	free(ix->spec_scan);
	free(ix->len_scan);
	free(ix->base_scan);
	free(ix->fl_start);
	free(ix->fl_types);
	free(ix->pair_start);
	free(ix->pair_names);
	free(ix->pair_letters);
	free(ix->pair_gstart);
	free(ix->pair_gletters);
	free(ix->pair_gfirst);
	free(ix);
}

void
ch_match_index_set_cut(struct ch_match_index *ix, size_t from)
{
	ix->cut_from = from;
}

size_t
ch_match_index_entries(const struct ch_match_index *ix)
{
	return ix->n_entries;
}

size_t
ch_match_index_names(const struct ch_match_index *ix)
{
	return ix->n_names;
}

size_t
ch_match_index_bytes(const struct ch_match_index *ix)
{
	return sizeof(*ix) + ix->n_entries * sizeof(*ix->entries) +
	    ix->names_cap * sizeof(*ix->names) +
	    ix->tokens_cap * sizeof(*ix->tokens) + strtab_bytes(&ix->type_tab) +
	    ix->types_cap * sizeof(*ix->types) + ix->type_keys_cap * 4 +
	    ix->type_weight_cap * sizeof(*ix->type_weight) + ix->type_len_cap +
	    ix->type_key_first_cap * 4 + strtab_bytes(&ix->key_tab) +
	    (ix->key_tab.n + 1) * 4 + (ix->type_tab.n + 1) * 4 +
	    (ix->n_key_types + 1) * 4 + (ix->n_type_names + 1) * 4 +
	    (ix->type_tab.n + 1) * 5 +
	    ix->nb_cap * (sizeof(*ix->nb_type) + sizeof(*ix->nb_sim)) +
	    2 * ix->n_names +
	    (ix->n_spec + ix->len_start[CH_MATCH_TOKEN_MAX] +
		ix->base_start[CH_MATCH_TOKEN_MAX] + 3) *
	    sizeof(struct scan_type) +
	    4 *
	    (ix->n_spec + ix->len_start[CH_MATCH_TOKEN_MAX] +
		ix->base_start[CH_MATCH_TOKEN_MAX] +
		ix->fl_start[128 * CH_MATCH_TOKEN_MAX] +
		ix->pair_start[128 * PAIR_LEN] + 2 * ix->n_pair_groups +
		128 * (CH_MATCH_TOKEN_MAX + 2 * PAIR_LEN) + 4);
}

/* ---- queries ---- */

/* Similarities of the query's tokens to the index's token types, met
 * again and again in a query's candidates: an open-addressing table from
 * type id to one similarity per query token, grown as it fills, so that
 * each type is compared with the query once however many names hold it
 * (at a million names a query meets thousands of types). */
#define CACHE_SLOTS 1024
#define CACHE_SLOTS_MAX (1u << 22)

struct sim_cache {
	uint32_t *type;  /* type id + 1; 0 empty; NULL: compute every time */
	uint32_t *known; /* bit i: query token i's similarity is there; bit
			    16 + i: query tokens i and i + 1 joined */
	double *sims;    /* slots x 2 query tokens: the similarities, then
			    the compound similarities of i and i + 1 joined */
	size_t slots, used, nq;
	/* Two neighbouring types of a name joined against each query token
	 * (made when first asked): key (first + 1) << 32 | second, 0
	 * empty; bit i of known, and slots x query tokens similarities. */
	uint64_t *pair_key;
	uint32_t *pair_known;
	double *pair_sims;
	size_t pair_slots, pair_used;
};

struct query {
	struct sim_cache cache;
	const struct ch_match_index *ix;
	const struct ch_match_subject *subject;
	const struct ch_match_params *params;
	struct ch_match_name name;
	const struct ch_match_token *refs[CH_MATCH_TOKENS_MAX];
	struct ch_match_hit *hits;
	uint32_t *hit_names;   /* the best name of each hit */
	uint32_t *hit_entries; /* and its entry (ties: the first entry) */
	uint32_t name_bits;    /* bit i: query token i is a name */
	/* What a query token left unaligned costs against its weight: 0
	 * for a repeat of another query token (score.c) */
	double miss_cost[CH_MATCH_TOKENS_MAX];
	double evidence; /* the most the subject's evidence can add */
	size_t max, n_hits, scored;
};

static void cache_free(struct sim_cache *c);

static bool
cache_init(struct sim_cache *c, size_t nq)
{
	c->slots = CACHE_SLOTS;
	c->used = 0;
	c->nq = nq;
	c->pair_key = NULL;
	c->pair_known = NULL;
	c->pair_sims = NULL;
	c->pair_slots = 0;
	c->pair_used = 0;
	c->type = calloc(c->slots, sizeof(*c->type));
	c->known = malloc(c->slots * sizeof(*c->known));
	c->sims = malloc(c->slots * 2 * (nq > 0 ? nq : 1) * sizeof(*c->sims));
	if (c->type == NULL || c->known == NULL || c->sims == NULL) {
		cache_free(c);
		return false;
	}
	return true;
}

static void
cache_free(struct sim_cache *c)
{
	free(c->type);
	free(c->known);
	free(c->sims);
	free(c->pair_key);
	free(c->pair_known);
	free(c->pair_sims);
	c->type = NULL;
	c->known = NULL;
	c->sims = NULL;
	c->pair_key = NULL;
	c->pair_known = NULL;
	c->pair_sims = NULL;
	c->pair_slots = 0;
}

/* Twice the slots, every type moved; false (the cache as it was) when out
 * of memory or at the cap. */
static bool
cache_grow(struct sim_cache *c)
{
	size_t slots = c->slots * 2, nq = c->nq;
	uint32_t *type, *known;
	double *sims;

	if (slots > CACHE_SLOTS_MAX)
		return false;
	type = calloc(slots, sizeof(*type));
	known = malloc(slots * sizeof(*known));
	sims = malloc(slots * 2 * (nq > 0 ? nq : 1) * sizeof(*sims));
	if (type == NULL || known == NULL || sims == NULL) {
		free(type);
		free(known);
		free(sims);
		return false;
	}
	for (size_t s = 0; s < c->slots; s++) {
		size_t i;

		if (c->type[s] == 0)
			continue;
		i = ((c->type[s] - 1) * 2654435761u) & (slots - 1);
		while (type[i] != 0)
			i = (i + 1) & (slots - 1);
		type[i] = c->type[s];
		known[i] = c->known[s];
		memcpy(sims + i * 2 * nq, c->sims + s * 2 * nq,
		    2 * nq * sizeof(*sims));
	}
	free(c->type);
	free(c->known);
	free(c->sims);
	c->type = type;
	c->known = known;
	c->sims = sims;
	c->slots = slots;
	return true;
}

/* The slot of TYPE in the cache, added (nothing known) when new; SIZE_MAX
 * when the cache is full or was never made. */
static inline size_t
cache_slot(struct sim_cache *c, uint32_t type)
{
	size_t s;

	if (c->type == NULL ||
	    (c->used * 2 >= c->slots && !cache_grow(c) &&
		c->used + 1 >= c->slots))
		return SIZE_MAX;
	s = (type * 2654435761u) & (c->slots - 1);
	if (c->type[s] == type + 1) /* the usual case: found at once */
		return s;
	for (; c->type[s] != 0; s = (s + 1) & (c->slots - 1))
		if (c->type[s] == type + 1)
			return s;
	c->type[s] = type + 1;
	c->known[s] = 0;
	c->used++;
	return s;
}

/* The slot of TYPE in the cache, SIZE_MAX when it is not there. */
static inline size_t
cache_find(const struct sim_cache *c, uint32_t type)
{
	size_t s;

	if (c->type == NULL)
		return SIZE_MAX;
	for (s = (type * 2654435761u) & (c->slots - 1); c->type[s] != 0;
	     s = (s + 1) & (c->slots - 1))
		if (c->type[s] == type + 1)
			return s;
	return SIZE_MAX;
}

/* Record V as query token I's similarity to TYPE (found while looking
 * for the types similar to the token: not computed twice). */
static void
cache_put(struct query *q, uint32_t type, size_t i, double v)
{
	struct sim_cache *c = &q->cache;
	size_t s = cache_slot(c, type);

	if (s == SIZE_MAX)
		return;
	c->sims[s * 2 * c->nq + i] = v;
	c->known[s] |= 1u << i;
}

/* Column T of the similarity matrix (query tokens x NE entry tokens) for
 * entry token E of type TYPE, from the cache when it is there. */
static void
similarities(struct query *q, uint32_t type, const struct ch_match_token *e,
    double *sims, size_t t, size_t ne)
{
	struct sim_cache *c = &q->cache;
	size_t nq = q->name.n_tokens, s = cache_slot(c, type);
	uint32_t all = nq >= 32 ? UINT32_MAX : (1u << nq) - 1;

	if (s == SIZE_MAX) {
		for (size_t i = 0; i < nq; i++)
			sims[i * ne + t] = -1.0;
		return;
	}
	if ((c->known[s] & all) != all)
		for (size_t i = 0; i < nq; i++) {
			if ((c->known[s] >> i & 1) != 0)
				continue;
			c->sims[s * 2 * nq + i] =
			    ch_match_token_weight(q->refs[i]) > 0 &&
				ch_match_token_weight(e) > 0
			    ? ch_match_token_similarity_floor(q->refs[i], e)
			    : 0.0;
		}
	c->known[s] |= all;
	for (size_t i = 0; i < nq; i++)
		sims[i * ne + t] = c->sims[s * 2 * nq + i];
}

/* The pair table with twice the slots (64 at first), every pair
 * moved; false (the table as it was) when out of memory or at the cap. */
static bool
pair_grow(struct sim_cache *c)
{
	size_t slots = c->pair_slots == 0 ? 64 : c->pair_slots * 2;
	size_t nq = c->nq > 0 ? c->nq : 1;
	uint64_t *key;
	uint32_t *known;
	double *sims;

	if (slots > CACHE_SLOTS_MAX)
		return false;
	key = calloc(slots, sizeof(*key));
	known = malloc(slots * sizeof(*known));
	sims = malloc(slots * nq * sizeof(*sims));
	if (key == NULL || known == NULL || sims == NULL) {
		free(key);
		free(known);
		free(sims);
		return false;
	}
	for (size_t s = 0; s < c->pair_slots; s++) {
		size_t i;

		if (c->pair_key[s] == 0)
			continue;
		i = (size_t)((c->pair_key[s] * 0x9e3779b97f4a7c15ULL) >> 32) &
		    (slots - 1);
		while (key[i] != 0)
			i = (i + 1) & (slots - 1);
		key[i] = c->pair_key[s];
		known[i] = c->pair_known[s];
		memcpy(
		    sims + i * nq, c->pair_sims + s * nq, nq * sizeof(*sims));
	}
	free(c->pair_key);
	free(c->pair_known);
	free(c->pair_sims);
	c->pair_key = key;
	c->pair_known = known;
	c->pair_sims = sims;
	c->pair_slots = slots;
	return true;
}

/* The compound similarity of neighbouring tokens of a name, of types A
 * and B, joined against query token I (ch_match_compound_similarity),
 * from the pair table when it is there: the names of a query share many
 * pairs of words ("alaa mohammed" for "alaamohammed"). */
static double
pair_similarity(struct query *q, uint32_t a, uint32_t b, size_t i)
{
	struct sim_cache *c = &q->cache;
	const struct ch_match_token *x = &q->ix->types[a],
				    *y = &q->ix->types[b];
	uint64_t key = (uint64_t)(a + 1) << 32 | b;
	size_t s, nq = c->nq;

	/* Far apart in length, it is 0 at once: not worth a place. */
	if (x->len + y->len > q->refs[i]->len + 2 ||
	    q->refs[i]->len > x->len + y->len + 2 || c->type == NULL ||
	    (c->pair_used * 2 >= c->pair_slots && !pair_grow(c) &&
		c->pair_used + 1 >= c->pair_slots))
		return ch_match_compound_similarity(x, y, q->refs[i]);
	s = (size_t)((key * 0x9e3779b97f4a7c15ULL) >> 32) & (c->pair_slots - 1);
	while (c->pair_key[s] != 0 && c->pair_key[s] != key)
		s = (s + 1) & (c->pair_slots - 1);
	if (c->pair_key[s] == 0) {
		c->pair_key[s] = key;
		c->pair_known[s] = 0;
		c->pair_used++;
	}
	if ((c->pair_known[s] >> i & 1) == 0) {
		c->pair_sims[s * nq + i] =
		    ch_match_compound_similarity(x, y, q->refs[i]);
		c->pair_known[s] |= 1u << i;
	}
	return c->pair_sims[s * nq + i];
}

/* The compound similarity of query tokens I and I + 1 joined against E,
 * of type TYPE (ch_match_compound_similarity), from the cache when it is
 * there: a query meets the same types in many names. */
static double
joined_similarity(
    struct query *q, size_t i, uint32_t type, const struct ch_match_token *e)
{
	struct sim_cache *c = &q->cache;
	size_t nq = q->name.n_tokens, s = cache_slot(c, type);

	if (s == SIZE_MAX)
		return ch_match_compound_similarity(
		    q->refs[i], q->refs[i + 1], e);
	if ((c->known[s] >> (16 + i) & 1) == 0) {
		c->sims[s * 2 * nq + nq + i] =
		    ch_match_compound_similarity(q->refs[i], q->refs[i + 1], e);
		c->known[s] |= 1u << (16 + i);
	}
	return c->sims[s * 2 * nq + nq + i];
}

/* Score one name of the index against the query. */
static double
score_name(struct query *q, uint32_t nm)
{
	const struct iname *in = &q->ix->names[nm];
	const struct ch_match_token *e[CH_MATCH_TOKENS_MAX];

	double sims[CH_MATCH_TOKENS_MAX * CH_MATCH_TOKENS_MAX];

	for (size_t t = 0; t < in->n_tokens; t++) {
		uint32_t type = q->ix->tokens[in->first_token + t];

		e[t] = &q->ix->types[type];
		similarities(q, type, e[t], sims, t, in->n_tokens);
	}
	q->scored++;
	return ch_match_tokens(q->refs, q->name.n_tokens, e, in->n_tokens,
		   in->body, sims, NULL) *
	    ch_match_quality_factor((enum ch_watch_name_quality)in->quality);
}

/* Whether a hit of entry E scoring SCORE ranks before one of entry F
 * scoring OTHER. */
static bool
ranks_before(double score, uint32_t e, double other, uint32_t f)
{
	return score > other || (score == other && e < f);
}

/* Add entry E with its best name score to the hits if it makes the
 * threshold and the top. */
static void
offer(struct query *q, uint32_t e, double name_score, uint32_t nm)
{
	const struct ch_watch_entry *we;
	double score;
	size_t at;

	if (name_score + CH_MATCH_EVIDENCE_MAX < q->params->review)
		return;
	we = q->ix->entries[e].entry; /* not read for a name under review */
	score = ch_match_evidence(q->subject, we, name_score, NULL);
	if (score < q->params->review)
		return;
	/* Hits rank by score, then by entry (the first listed first), so
	 * that the top is the same in whatever order entries are offered. */
	if (q->n_hits == q->max &&
	    !ranks_before(score, e, q->hits[q->max - 1].score,
		q->hit_entries[q->max - 1]))
		return;
	at = q->n_hits < q->max ? q->n_hits++ : q->max - 1;
	while (at > 0 &&
	    ranks_before(
		score, e, q->hits[at - 1].score, q->hit_entries[at - 1])) {
		q->hits[at].list = q->hits[at - 1].list;
		q->hits[at].entry = q->hits[at - 1].entry;
		q->hits[at].score = q->hits[at - 1].score;
		q->hit_names[at] = q->hit_names[at - 1];
		q->hit_entries[at] = q->hit_entries[at - 1];
		at--;
	}
	q->hit_names[at] = nm;
	q->hit_entries[at] = e;
	q->hits[at].list = q->ix->entries[e].list;
	q->hits[at].entry = we;
	q->hits[at].score = score;
}

/* The explanation of hit I from the names as indexed (no normalising
 * again, no ICU). */
static void
explain_hit(struct query *q, size_t i)
{
	struct ch_match_hit *h = &q->hits[i];
	const struct iname *in = &q->ix->names[q->hit_names[i]];
	struct ch_match_name *name = malloc(sizeof(*name));
	size_t used = 0;

	if (name == NULL) { /* the same, slower */
		h->score = ch_match_score(q->subject, h->entry, &h->why);
		return;
	}
	name->n_tokens = in->n_tokens;
	name->kind = h->entry->kind;
	name->ascii[0] = '\0';
	for (size_t t = 0; t < in->n_tokens; t++) {
		name->tokens[t] =
		    q->ix->types[q->ix->tokens[in->first_token + t]];
		used += (size_t)snprintf(name->ascii + used,
		    sizeof(name->ascii) - used, "%s%s", t > 0 ? " " : "",
		    name->tokens[t].text);
		if (used >= sizeof(name->ascii))
			used = sizeof(name->ascii) - 1;
	}
	h->score = ch_match_explain_name(
	    q->subject, h->entry, &q->name, name, in->name_index, &h->why);
	free(name);
}

/* Explanations and levels for the hits chosen. */
static void
finish(struct query *q)
{
	for (size_t i = 0; i < q->n_hits; i++) {
		struct ch_match_hit *h = &q->hits[i];

		explain_hit(q, i);
		h->level = h->score >= q->params->alert ? CH_MATCH_ALERT
		    : h->score >= q->params->review     ? CH_MATCH_REVIEW
							: CH_MATCH_NONE;
	}
	last_candidates = q->scored;
	cache_free(&q->cache);
	free(q->hit_names);
	q->hit_names = NULL;
}

static ch_err
start(struct query *q, const struct ch_match_index *ix,
    const struct ch_match_subject *subject,
    const struct ch_match_params *params, struct ch_match_hit *hits, size_t max,
    size_t *n_hits)
{
	size_t top =
	    params->top_k == 0 ? CH_MATCH_TOP_K_DEFAULT : params->top_k;
	bool any = false;

	*n_hits = 0;
	q->cache.type = NULL;
	q->cache.known = NULL;
	q->cache.sims = NULL;
	q->hit_names = NULL;
	q->ix = ix;
	q->subject = subject;
	q->params = params;
	q->hits = hits;
	q->max = max < top ? max : top;
	q->n_hits = 0;
	q->scored = 0;
	last_candidates = 0;
	ch_match_normalise(subject->name,
	    subject->kind_known ? subject->kind : CH_WATCH_OTHER, &q->name);
	q->name_bits = 0;
	for (size_t i = 0; i < q->name.n_tokens; i++) {
		q->refs[i] = &q->name.tokens[i];
		any = any || ch_match_token_weight(q->refs[i]) > 0;
		if (q->refs[i]->role == CH_TOKEN_NAME)
			q->name_bits |= 1u << i;
	}
	if (!any)
		return CH_ERR_INVALID;
	q->hit_names = calloc(2 * (q->max + 1), sizeof(*q->hit_names));
	if (q->hit_names == NULL)
		return CH_ERR_NOMEM;
	q->hit_entries = q->hit_names + q->max + 1;
	q->evidence = ch_match_evidence_max(subject);
	for (size_t i = 0; i < q->name.n_tokens; i++) {
		q->miss_cost[i] = CH_MATCH_MISSING_COST;
		for (size_t k = 0; k < q->name.n_tokens; k++)
			if (k != i &&
			    strcmp(q->name.tokens[k].text,
				q->name.tokens[i].text) == 0)
				q->miss_cost[i] = 0;
	}
	/* Without the cache, scores are the same, only slower. */
	cache_init(&q->cache, q->name.n_tokens);
	return CH_OK;
}

ch_err
ch_match_scan(const struct ch_match_index *ix,
    const struct ch_match_subject *subject,
    const struct ch_match_params *params, struct ch_match_hit *hits, size_t max,
    size_t *n_hits)
{
	struct query q;
	ch_err err = start(&q, ix, subject, params, hits, max, n_hits);

	if (err != CH_OK)
		return err;
	if (q.max == 0) {
		cache_free(&q.cache);
		free(q.hit_names);
		return CH_OK;
	}
	for (size_t e = 0; e < ix->n_entries; e++) {
		const struct ientry *ie = &ix->entries[e];
		double best = -1;
		uint32_t best_nm = 0;

		for (uint32_t k = 0; k < ie->n_names; k++) {
			double v = score_name(&q, ie->first_name + k);

			if (v > best) {
				best = v;
				best_nm = ie->first_name + k;
			}
		}
		if (best >= 0)
			offer(&q, (uint32_t)e, best, best_nm);
	}
	finish(&q);
	*n_hits = q.n_hits;
	return CH_OK;
}

/* A growing array of name or type ids, with a hard cap of the index's
 * size (each id is at most once after unique()). */
struct ids {
	uint32_t *v;
	size_t n, cap;
};

static bool
ids_push(struct ids *a, uint32_t id)
{
	return (a->n < a->cap ||
		   grow((void **)&a->v, &a->cap, a->n + 1, sizeof(*a->v))) &&
	    (a->v[a->n++] = id, true);
}

static int
u32_cmp(const void *pa, const void *pb)
{
	uint32_t a = *(const uint32_t *)pa, b = *(const uint32_t *)pb;

	return a < b ? -1 : a > b;
}

/* Sort N ids: insertion for a few, else least significant byte first
 * (a pass through TMP per byte the largest id has) — a query sorts
 * thousands of candidates. */
static bool
ids_sort(uint32_t *v, size_t n)
{
	uint32_t *tmp, *src = v, *dst, most = 0;
	size_t count[256];

	if (n <= 32) {
		for (size_t i = 1; i < n; i++) {
			uint32_t x = v[i];
			size_t j = i;

			for (; j > 0 && v[j - 1] > x; j--)
				v[j] = v[j - 1];
			v[j] = x;
		}
		return true;
	}
	if ((tmp = malloc(n * sizeof(*tmp))) == NULL)
		return false;
	for (size_t i = 0; i < n; i++)
		most |= v[i];
	dst = tmp;
	for (unsigned shift = 0; shift < 32 && (most >> shift) != 0;
	     shift += 8) {
		uint32_t *swap;
		size_t sum = 0;

		memset(count, 0, sizeof(count));
		for (size_t i = 0; i < n; i++)
			count[src[i] >> shift & 0xff]++;
		for (size_t b = 0; b < 256; b++) {
			size_t c = count[b];

			count[b] = sum;
			sum += c;
		}
		for (size_t i = 0; i < n; i++)
			dst[count[src[i] >> shift & 0xff]++] = src[i];
		swap = src;
		src = dst;
		dst = swap;
	}
	if (src != v)
		memcpy(v, src, n * sizeof(*v));
	free(tmp);
	return true;
}

static void
ids_unique(struct ids *a, size_t from)
{
	size_t w = from;

	if (a->n <= from + 1)
		return;
	if (!ids_sort(a->v + from, a->n - from))
		qsort(a->v + from, a->n - from, sizeof(*a->v), u32_cmp);
	for (size_t r = from; r < a->n; r++)
		if (r == from || a->v[r] != a->v[w - 1])
			a->v[w++] = a->v[r];
	a->n = w;
}

/* Whether A from FROM on is ascending and unique already (a listed
 * word's neighbours, as stored, often are): ids_unique would change
 * nothing. */
static bool
ids_ascending(const struct ids *a, size_t from)
{
	for (size_t r = from + 1; r < a->n; r++)
		if (a->v[r - 1] >= a->v[r])
			return false;
	return true;
}

/* The types similar to T (found through its keys, then scored) appended
 * to TYPES, ascending; FLOOR the least similarity.  (A query's own words
 * that are no listed word: query_neighbours.) */
static bool
key_neighbours(const struct ch_match_index *ix, const struct ch_match_token *t,
    double floor, struct ids *types)
{
	char keys[KEYS_PER_TOKEN][KEY_MAX];
	size_t n = token_keys(t, keys, KEYS_PER_TOKEN), from = types->n, w, la;

	for (size_t k = 0; k < n; k++) {
		uint32_t key = strtab_find(&ix->key_tab, keys[k]);

		if (key == NONE)
			continue;
		for (uint32_t p = ix->key_start[key];
		     p < ix->key_start[key + 1]; p++)
			if (!ids_push(types, ix->key_types[p]))
				return false;
	}
	ids_unique(types, from);
	w = from;
	la = strlen(t->text);
	for (size_t i = from; i < types->n; i++) {
		const struct ch_match_token *u = &ix->types[types->v[i]];
		size_t lb = ix->type_len[types->v[i]];
		size_t diff = la > lb ? la - lb : lb - la;
		double v;

		/* Far apart in length, no spelling reaches the floor. */
		if (diff * 2 > (la > lb ? la : lb) + 2 && t->stem == 0 &&
		    u->stem == 0)
			continue;
		/* Above the floor of words (two joined: 0.80), most types
		 * sharing a key are surely under it by their letters or
		 * their edits (0 then; the edits found are not computed
		 * again for the similarity). */
		v = floor > CH_MATCH_TOKEN_FLOOR
		    ? ch_match_token_similarity_over(t, u, floor)
		    : ch_match_token_similarity_floor(t, u);
		if (v >= floor)
			types->v[w++] = types->v[i];
	}
	types->n = w;
	return true;
}

/* The type id of token T in the index, NONE when no listed name has it. */
static uint32_t
type_of(const struct ch_match_index *ix, const struct ch_match_token *t)
{
	char name[CH_MATCH_TOKEN_MAX + 2];

	snprintf(name, sizeof(name), "%c%s", 'a' + (int)t->role, t->text);
	return strtab_find(&ix->type_tab, name);
}

/* The types similar to query token T, its token TOKEN, that is no listed
 * word, at FLOOR or more, as key_neighbours, appended to TYPES (not
 * sorted); each similarity found goes to the cache.  The cache's bit for the
 * token says a type was compared already, so the types of the keys are not
 * sorted to be made unique (a misspelt word's keys hold thousands, many
 * twice); without a cache, one found twice is compared and appended
 * twice (token_types makes them unique). */
static bool
query_neighbours(struct query *q, const struct ch_match_token *t, size_t token,
    double floor, struct ids *types)
{
	const struct ch_match_index *ix = q->ix;
	struct sim_cache *c = &q->cache;
	char keys[KEYS_PER_TOKEN][KEY_MAX];
	size_t n = token_keys(t, keys, KEYS_PER_TOKEN), la = t->len;

	for (size_t k = 0; k < n; k++) {
		uint32_t key = strtab_find(&ix->key_tab, keys[k]);

		if (key == NONE)
			continue;
		for (uint32_t p = ix->key_start[key];
		     p < ix->key_start[key + 1]; p++) {
			uint32_t type = ix->key_types[p];
			const struct ch_match_token *u = &ix->types[type];
			size_t lb = ix->type_len[type], at;
			size_t diff = la > lb ? la - lb : lb - la;
			double v;

			/* Far apart in length, no spelling reaches the
			 * floor (as key_neighbours). */
			if (diff * 2 > (la > lb ? la : lb) + 2 &&
			    t->stem == 0 && u->stem == 0)
				continue;
			at = cache_slot(c, type);
			if (at != SIZE_MAX && (c->known[at] >> token & 1) != 0)
				continue;
			v = ch_match_token_similarity_floor(t, u);
			if (at != SIZE_MAX) {
				c->sims[at * 2 * c->nq + token] = v;
				c->known[at] |= 1u << token;
			}
			if (v >= floor && !ids_push(types, type))
				return false;
		}
	}
	return true;
}

/* The types similar to query token T (TOKEN its index, or -1 for a
 * token made of two joined), as key_neighbours; the similarities found
 * go to the cache.  A listed word's neighbours were found when the index
 * was built (the same: a token's keys and similarities follow from its
 * text and role alone). */
static bool
similar_types(struct query *q, const struct ch_match_token *t, int token,
    double floor, struct ids *types)
{
	const struct ch_match_index *ix = q->ix;
	uint32_t id = type_of(ix, t);

	if ((id == NONE || !ix->nb_done[id]) && token >= 0)
		return query_neighbours(q, t, (size_t)token, floor, types);
	if (id == NONE || !ix->nb_done[id])
		return key_neighbours(ix, t, floor, types);
	for (uint32_t k = ix->nb_start[id]; k < ix->nb_start[id + 1]; k++) {
		if (token >= 0)
			cache_put(
			    q, ix->nb_type[k], (size_t)token, ix->nb_sim[k]);
		if (ix->nb_sim[k] >= floor && !ids_push(types, ix->nb_type[k]))
			return false;
	}
	return true;
}

/* Every type's neighbours (key_neighbours at CH_MATCH_TOKEN_FLOOR). */
static bool
build_neighbours(struct ch_match_index *ix)
{
	size_t n_types = ix->type_tab.n;
	struct ids found = {0};
	bool ok = true;
	/* Only the words of names: the joined forms of a million names are
	 * many, and rarely a query's (which then compares them itself). */
	bool *word = ix->nb_done = calloc(n_types + 1, sizeof(*word));

	ix->nb_start = calloc(n_types + 1, sizeof(*ix->nb_start));
	if (ix->nb_start == NULL || word == NULL)
		return false;
	for (size_t nm = 0; nm < ix->n_names; nm++)
		for (size_t k = 0; k < ix->names[nm].n_tokens; k++)
			word[ix->tokens[ix->names[nm].first_token + k]] = true;
	for (size_t t = 0; t < n_types && ok; t++) {
		const struct ch_match_token *tok = &ix->types[t];
		size_t w = 0, cap;

		found.n = 0;
		ix->nb_start[t] = (uint32_t)ix->n_nb;
		if (tok->role != CH_TOKEN_NAME)
			word[t] = false;
		if (!word[t])
			continue;
		cap = ix->nb_cap;
		ok = key_neighbours(ix, tok, CH_MATCH_TOKEN_FLOOR, &found) &&
		    grow((void **)&ix->nb_type, &ix->nb_cap, ix->n_nb + found.n,
			sizeof(*ix->nb_type));
		if (!ok)
			break;
		/* The same capacity for the similarities. */
		if (ix->nb_cap != cap) {
			double *sim = realloc(
			    ix->nb_sim, ix->nb_cap * sizeof(*ix->nb_sim));

			if (sim == NULL) {
				ok = false;
				break;
			}
			ix->nb_sim = sim;
		}
		for (size_t k = 0; k < found.n; k++) {
			ix->nb_type[ix->n_nb + w] = found.v[k];
			ix->nb_sim[ix->n_nb + w++] =
			    ch_match_token_similarity_floor(
				tok, &ix->types[found.v[k]]);
		}
		ix->n_nb += w;
	}
	ix->nb_start[n_types] = (uint32_t)ix->n_nb;
	free(found.v);
	return ok;
}

/* What one query token brings: the types it aligns with, alone or joined
 * to a neighbour ("Qolam Reza" and "Gholamreza"), and how many names
 * they hold. */
struct generator {
	size_t first, n; /* in the query's type list */
	size_t cost;
	double weight;
	size_t token;     /* the query token */
	size_t joined_at; /* types from here on align with it joined */
};

/* Which query tokens align with which token types: type id -> bit mask
 * of query tokens (a token's neighbours too, for joined forms), so that
 * a candidate's best possible score is known before it is scored. */
struct type_masks {
	uint32_t *type; /* type id + 1; 0 empty */
	uint32_t *mask;
	size_t slots; /* a power of two */
};

static bool
masks_init(struct type_masks *m, const struct ids *types,
    const struct generator *gen, size_t n_gen, size_t n_tokens)
{
	m->slots = 64;
	while (m->slots < types->n * 2 + 2)
		m->slots *= 2;
	m->type = calloc(m->slots, sizeof(*m->type));
	m->mask = calloc(m->slots, sizeof(*m->mask));
	if (m->type == NULL || m->mask == NULL)
		return false;
	for (size_t g = 0; g < n_gen; g++) {
		uint32_t near = 1u << gen[g].token;

		if (gen[g].token > 0)
			near |= 1u << (gen[g].token - 1);
		if (gen[g].token + 1 < n_tokens)
			near |= 1u << (gen[g].token + 1);
		for (size_t k = 0; k < gen[g].n; k++) {
			uint32_t t = types->v[gen[g].first + k];
			size_t i = (t * 2654435761u) & (m->slots - 1);
			uint32_t bits = gen[g].first + k < gen[g].joined_at
			    ? 1u << gen[g].token
			    : near;

			while (m->type[i] != 0 && m->type[i] != t + 1)
				i = (i + 1) & (m->slots - 1);
			m->type[i] = t + 1;
			m->mask[i] |= bits;
		}
	}
	return true;
}

static uint32_t
masks_get(const struct type_masks *m, uint32_t t)
{
	size_t i = (t * 2654435761u) & (m->slots - 1);

	for (; m->type[i] != 0; i = (i + 1) & (m->slots - 1))
		if (m->type[i] == t + 1)
			return m->mask[i];
	return 0;
}

static void
masks_free(struct type_masks *m)
{
	free(m->type);
	free(m->mask);
}

/*
 * The best score name NM could reach from the similarities of its tokens
 * to the query's (the scorer's own, from the cache): each query token
 * aligned at the best similarity it has with any token of the name, alone
 * or joined, or left missing, whichever makes the score higher; the
 * name's tokens that align with nothing left over.  The score (score.c)
 * is S / (A + 1.5 P + 3 C + 0.45 Q + E'): a query token aligned at s adds
 * s w above and (2.5 - 1.5 s) w below, one missing 0.45 w below (nothing
 * when it repeats another), and C only adds; the best choice of the
 * aligned tokens is found by Dinkelbach's iteration.  Computed before the
 * alignment, it lets a query score its candidates best first and stop.
 * TWO: the query tokens (bit i) that two neighbouring tokens of the name
 * may stand for joined — all, but where the cut knows none can (cut_two).
 */
static double
tight_bound(struct query *q, uint32_t nm, uint32_t two)
{
	const struct iname *in = &q->ix->names[nm];
	const struct ch_match_token *e[CH_MATCH_TOKENS_MAX];
	double sims[CH_MATCH_TOKENS_MAX * CH_MATCH_TOKENS_MAX];
	double best[CH_MATCH_TOKENS_MAX] = {0}, extra = 0, lambda = 0;
	bool aligns[CH_MATCH_TOKENS_MAX] = {0};
	size_t nq = q->name.n_tokens, ne = in->n_tokens;
	const uint32_t *types = &q->ix->tokens[in->first_token];

	/* (similarities fills every one) */
	for (size_t t = 0; t < ne; t++) {
		e[t] = &q->ix->types[types[t]];
		similarities(q, types[t], e[t], sims, t, ne);
	}
	for (size_t i = 0; i < nq; i++) {
		if (ch_match_token_weight(q->refs[i]) == 0)
			continue;
		for (size_t t = 0; t < ne; t++) {
			double v;

			if (q->ix->type_weight[types[t]] == 0)
				continue;
			v = sims[i * ne + t];
			if (v < 0)
				v = ch_match_token_similarity_floor(
				    q->refs[i], e[t]);
			if (v >= CH_MATCH_TOKEN_FLOOR) {
				aligns[t] = true;
				if (v > best[i])
					best[i] = v;
			}
			/* Joined words begin with the letter of the word
			 * they stand for (compound_similarity). */
			if (e[t]->text[0] != q->refs[i]->text[0])
				continue;
			if (t + 1 < ne && (two >> i & 1) != 0 &&
			    (v = pair_similarity(
				 q, types[t], types[t + 1], i)) > 0) {
				aligns[t] = aligns[t + 1] = true;
				if (v > best[i])
					best[i] = v;
			}
			if (i + 1 < nq &&
			    (v = joined_similarity(q, i, types[t], e[t])) > 0) {
				aligns[t] = true;
				if (v > best[i])
					best[i] = v;
				if (v > best[i + 1])
					best[i + 1] = v;
			}
		}
	}
	/* Left over whatever the alignment, and not a repeat (which costs
	 * nothing). */
	for (size_t t = 0; t < ne; t++) {
		bool repeat = false;

		if (aligns[t] || q->ix->type_weight[types[t]] == 0)
			continue;
		for (size_t k = 0; k < ne && !repeat; k++)
			repeat = k != t && e[k]->len == e[t]->len &&
			    strcmp(e[k]->text, e[t]->text) == 0;
		if (!repeat)
			extra += q->ix->type_weight[types[t]];
	}
	extra *= in->body ? CH_MATCH_EXTRA_COST_BODY : CH_MATCH_EXTRA_COST;
	for (int round = 0; round < 2 * CH_MATCH_TOKENS_MAX; round++) {
		double num = 0, den = extra, ratio;

		for (size_t i = 0; i < nq; i++) {
			double w = ch_match_token_weight(q->refs[i]);
			double cost =
			    w * (1.0 + CH_MATCH_PARTIAL_COST * (1.0 - best[i]));

			if (w == 0)
				continue;
			if (best[i] >= CH_MATCH_TOKEN_FLOOR &&
			    best[i] * w - lambda * cost >=
				-lambda * q->miss_cost[i] * w) {
				num += best[i] * w;
				den += cost;
			} else {
				den += q->miss_cost[i] * w;
			}
		}
		if (num <= 0)
			break;
		if (den <= 0)
			return 1.0;
		ratio = num / den;
		if (ratio <= lambda)
			break;
		lambda = ratio;
	}
	/* Room for rounding: the scorer adds in another order. */
	return lambda + 1e-9;
}

/* The best score name NM could reach: every query token it could align
 * (its types found through the keys, or found similar now, alone or
 * joined) aligned exactly, the query's particles and initials aligned
 * too, the rest missing, and its names that align with nothing left
 * over.  Scoring a name costs far more than this.  (Not quite a bound: a
 * query token found through a joined or split form is not tried against
 * the name's joined tokens, which may then count as left over — "Abdur
 * Rehman" for "Abdurrahman".  It decides, as it always has, which names
 * are looked at against the review threshold; tight_bound, which is a
 * bound, decides the rest.) */
static double
name_bound(struct query *q, const struct type_masks *m, uint32_t nm,
    double non_name, uint32_t two)
{
	const struct iname *in = &q->ix->names[nm];
	const struct ch_match_token *e[CH_MATCH_TOKENS_MAX];
	uint32_t bits[CH_MATCH_TOKENS_MAX], hit = 0;
	double sims[CH_MATCH_TOKENS_MAX], aligned = non_name, miss = 0;
	double left = 0, both;
	size_t nq = q->name.n_tokens, ne = in->n_tokens;
	const uint32_t *types = &q->ix->tokens[in->first_token];

	for (size_t t = 0; t < in->n_joined; t++)
		if (masks_get(m, q->ix->tokens[in->first_joined + t]) != 0)
			return 1.0;
	for (size_t t = 0; t < ne; t++) {
		/* Only the address: the type is read when it must be. */
		e[t] = &q->ix->types[q->ix->tokens[in->first_token + t]];
		bits[t] = masks_get(m, q->ix->tokens[in->first_token + t]);
		hit |= bits[t];
	}
	/* Every name of the query may align: nothing to bound. */
	if ((hit & q->name_bits) == q->name_bits)
		return 1.0;
	for (size_t t = 0; t < ne; t++) {
		uint32_t type = q->ix->tokens[in->first_token + t];

		if (bits[t] != 0 || q->ix->type_weight[type] == 0)
			continue;
		similarities(q, type, e[t], sims, 0, 1);
		for (size_t i = 0; i < nq; i++)
			if (ch_match_token_weight(q->refs[i]) > 0 &&
			    (sims[i] >= CH_MATCH_TOKEN_FLOOR ||
				(sims[i] < 0 &&
				    ch_match_token_similarity_floor(q->refs[i],
					e[t]) >= CH_MATCH_TOKEN_FLOOR)))
				bits[t] |= 1u << i;
		hit |= bits[t];
	}
	for (size_t i = 0; i < nq; i++) {
		if ((hit >> i & 1) != 0 || (q->name_bits >> i & 1) == 0)
			continue;
		for (size_t t = 0; t < ne; t++) {
			/* Joined words begin with the letter of the word
			 * they stand for (compound_similarity). */
			char first = e[t]->text[0];

			if (t + 1 < ne && first == q->refs[i]->text[0] &&
			    (two >> i & 1) != 0 &&
			    pair_similarity(q, types[t], types[t + 1], i) > 0) {
				bits[t] |= 1u << i;
				bits[t + 1] |= 1u << i;
			}
			if (i + 1 < nq && first == q->refs[i]->text[0] &&
			    joined_similarity(q, i, types[t], e[t]) > 0)
				bits[t] |= 3u << i;
			if (i > 0 && first == q->refs[i - 1]->text[0] &&
			    joined_similarity(q, i - 1, types[t], e[t]) > 0)
				bits[t] |= 3u << (i - 1);
		}
	}
	hit = 0;
	for (size_t t = 0; t < ne; t++) {
		hit |= bits[t];
		if (bits[t] == 0)
			left += q->ix->type_weight[types[t]];
	}
	for (size_t i = 0; i < nq; i++) {
		if (q->refs[i]->role != CH_TOKEN_NAME)
			continue;
		if ((hit >> i & 1) != 0)
			aligned += ch_match_token_weight(q->refs[i]);
		else
			miss += ch_match_token_weight(q->refs[i]);
	}
	if (aligned <= non_name)
		return 0.0;
	both = miss < left ? miss : left;
	return aligned /
	    (aligned + CH_MATCH_CONFLICT_COST * both +
		CH_MATCH_MISSING_COST * (miss - both) +
		CH_MATCH_EXTRA_COST * (left - both));
}

/*
 * The most full names a name may have and still reach the threshold
 * without aligning query token G: it misses G's weight, aligns at best
 * every other query token with one of its names each, and has its other
 * names left over in conflict with G.  (Two of its names joined against
 * one query token are found through the index's joined and split forms.)
 */
static size_t
longest_needed(const struct query *q, size_t g)
{
	double w0 = ch_match_token_weight(q->refs[g]), others = 0;
	size_t n_others = 0, n;
	double t = q->params->review - CH_MATCH_EVIDENCE_MAX;

	for (size_t i = 0; i < q->name.n_tokens; i++)
		if (i != g && ch_match_token_weight(q->refs[i]) > 0) {
			others += ch_match_token_weight(q->refs[i]);
			n_others++;
		}
	if (others <= 0)
		return 0;
	for (n = n_others; n < CH_MATCH_TOKENS_MAX; n++) {
		double left = (double)(n + 1 - n_others);
		double both = w0 < left ? w0 : left;
		double b = others /
		    (others + CH_MATCH_CONFLICT_COST * both +
			CH_MATCH_MISSING_COST * (w0 - both) +
			CH_MATCH_EXTRA_COST * (left - both));

		if (b < t)
			return n;
	}
	return CH_MATCH_TOKENS_MAX;
}

static int
generator_cmp(const void *pa, const void *pb)
{
	const struct generator *a = pa, *b = pb;

	return a->cost < b->cost ? -1 : a->cost > b->cost;
}

/* A query token that is two listed words written together
 * ("Orientshipping" for "Orient Shipping"): the types of its two parts,
 * each of three letters or more, appended to TYPES. */
static bool
split_types(const struct ch_match_index *ix, const struct ch_match_token *t,
    struct ids *types)
{
	size_t len = strlen(t->text);
	char key[KEY_MAX];

	if (len < 7)
		return true;
	for (size_t cut = 3; cut + 3 <= len; cut++) {
		uint32_t left, right;

		snprintf(key, sizeof(key), "w%.*s", (int)cut, t->text);
		if ((left = strtab_find(&ix->key_tab, key)) == NONE)
			continue;
		snprintf(key, sizeof(key), "w%s", t->text + cut);
		if ((right = strtab_find(&ix->key_tab, key)) == NONE)
			continue;
		for (uint32_t p = ix->key_start[left];
		     p < ix->key_start[left + 1]; p++)
			if (ix->type_len[ix->key_types[p]] == cut &&
			    !ids_push(types, ix->key_types[p]))
				return false;
		for (uint32_t p = ix->key_start[right];
		     p < ix->key_start[right + 1]; p++)
			if (ix->type_len[ix->key_types[p]] == len - cut &&
			    !ids_push(types, ix->key_types[p]))
				return false;
	}
	return true;
}

/* The types similar to query tokens P and P + 1 joined, found once for
 * both tokens: pair P's list, when done[P]. */
struct pairs {
	struct ids types[CH_MATCH_TOKENS_MAX];
	bool done[CH_MATCH_TOKENS_MAX];
};

static void
pairs_free(struct pairs *p)
{
	for (size_t i = 0; i < CH_MATCH_TOKENS_MAX; i++)
		free(p->types[i].v);
}

/* The types query token I aligns with, alone, then (from *JOINED_AT)
 * joined to a neighbour ("Qolam Reza" and "Gholamreza"); each part
 * sorted and unique. */
static bool
token_types(struct query *q, size_t i, struct pairs *pairs, struct ids *types,
    size_t *joined_at)
{
	size_t from = types->n;

	if (!similar_types(q, q->refs[i], (int)i, CH_MATCH_TOKEN_FLOOR, types))
		return false;
	if (!ids_ascending(types, from))
		ids_unique(types, from);
	*joined_at = types->n;
	if (!split_types(q->ix, q->refs[i], types))
		return false;
	for (int side = -1; side <= 1; side += 2) {
		const struct ch_match_token *a, *b;
		struct ch_match_token joined;
		size_t p;
		struct ids *pt;

		if ((side < 0 && i == 0) ||
		    (side > 0 && i + 1 >= q->name.n_tokens))
			continue;
		p = side < 0 ? i - 1 : i;
		pt = &pairs->types[p];
		a = q->refs[p];
		b = q->refs[p + 1];
		if (a->role > CH_TOKEN_PARTICLE ||
		    b->role > CH_TOKEN_PARTICLE ||
		    strlen(a->text) + strlen(b->text) >= CH_MATCH_TOKEN_MAX)
			continue;
		if (!pairs->done[p]) {
			memset(&joined, 0, sizeof(joined));
			join_text(joined.text, a->text, b->text);
			joined.role = CH_TOKEN_NAME;
			ch_match_token_keys(&joined);
			if (!similar_types(q, &joined, -1, 0.8, pt))
				return false;
			pairs->done[p] = true;
		}
		for (size_t k = 0; k < pt->n; k++)
			if (!ids_push(types, pt->v[k]))
				return false;
	}
	if (!ids_ascending(types, *joined_at))
		ids_unique(types, *joined_at);
	return true;
}

/*
 * The cut of large queries.  A query whose generators hold thousands of
 * names (common words, at a million names) reads every one of them to
 * bound it, and most cannot reach the threshold: they lack a second query
 * token, or hold it only spelt far otherwise.  Before reading them, each
 * name gets, per query word ("slot"), the most similar it MAY align that
 * word at, as a level (0: not at all) — from the types it holds that the
 * word is similar to (through the keys, and the types that may be similar
 * without sharing a key: initials, particles, words of the lengths where
 * spelling alone reaches the floor), a type that two query tokens joined
 * align with (at that similarity), or neighbouring tokens that may join
 * to align with it (at most 1, and then the word may take two of its
 * tokens: a bit) — and the weight of its distinct words is known.  Then,
 * whichever of the words it may align it does align, at most at its
 * level: S / (A + 1.5 P + 3 C + 0.45 Q + E') is at most
 * S' / (A' + 3 b + 0.45 (Q - b) + 0.3 (E - b)), S' and A' from the
 * levels, Q the missing words' weight, E at least its words' weight less
 * the tokens the aligned words can take, b the least of Q and E — a true
 * bound (a lower similarity, more left over, only lower the score), so a
 * name it puts under the threshold is not read at all: it could not be a
 * hit.  The most words' weight a name may have and reach the threshold is
 * found once per query and combination of levels.
 */
#define CUT_SLOTS 4
#define CUT_LEVELS 8
/* Not yet found (as memset writes it): over any words' weight. */
#define CUT_UNKNOWN ((int16_t)0x7f7f)
/* The bit of a name's flags that says slot S may take two tokens: after
 * the slots' levels. */
#define CUT_TWO(c, s) (1u << (3 * (unsigned)(c)->n_slots + (unsigned)(s)))

/* The similarity each level stands for: the most of its range (level 0:
 * not aligned). */
static const double cut_level_sim[CUT_LEVELS] = {
    0, 0.72, 0.82, 0.86, 0.88, 0.92, 0.96, 1.0};

struct cut {
	/* By name: bits 3 s .. 3 s + 2, the level of slot s; bit
	 * 3 n_slots + s, slot s may take two tokens — 4 n_slots bits, a byte
	 * each (f8) for two slots or fewer (half the memory to clear, mark
	 * and read), else two (f16).  FLAGS is whichever is in use. */
	void *flags;
	uint8_t *f8;
	uint16_t *f16;
	int16_t *ew_max; /* by flags (below 1 << 4 n_slots): the most
			    words' weight (tenths) a name may have and reach
			    the threshold, -1 when none; CUT_UNKNOWN */
	int slot[CH_MATCH_TOKENS_MAX]; /* by query token, or -1 */
	size_t token[CUT_SLOTS];       /* by slot: the query token */
	size_t n_slots;
	double w, t; /* the query's weight; the threshold of name scores */
	/* The bound by flags and words' weight, as met (open addressing:
	 * key (flags << 8 | weight) + 1, 0 empty). */
	uint32_t *vkey;
	double *vval;
	size_t vused;
};

#define CUT_VSLOTS 4096

/* The first of the groups LO .. HI of a bucket of pairs (ordered by how
 * many letters they have) with PC letters or more; HI when none. */
static uint32_t
pair_groups_from(
    const struct ch_match_index *ix, uint32_t lo, uint32_t hi, size_t pc)
{
	while (lo < hi) {
		uint32_t mid = lo + (hi - lo) / 2;

		if (ch_match_bits(ix->pair_gletters[mid]) < pc)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

/* The flags of name NM. */
static inline unsigned
cut_get(const struct cut *c, uint32_t nm)
{
	return c->f8 != NULL ? c->f8[nm] : c->f16[nm];
}

#define CUT_RAISE_LOOP(f)                                                      \
	do {                                                                   \
		for (const uint32_t *nm = from; nm < to; nm++) {               \
			__typeof__(*(f)) *x = &(f)[*nm];                       \
                                                                               \
			if ((unsigned)(*x >> sh & 7) < level)                  \
				*x = (__typeof__(*(f)))((*x & ~(7u << sh)) |   \
				    level << sh);                              \
			*x = (__typeof__(*(f)))(*x | two);                     \
		}                                                              \
	} while (0)

/* Raise the level at bit SH of the flags of the names FROM .. TO to
 * LEVEL (when lower), and set the bits TWO. */
static void
cut_raise(struct cut *c, const uint32_t *from, const uint32_t *to, unsigned sh,
    unsigned level, unsigned two)
{
	uint8_t *f8 = c->f8; /* (as in cut_mark) */
	uint16_t *f16 = c->f16;

	if (f8 != NULL)
		CUT_RAISE_LOOP(f8);
	else
		CUT_RAISE_LOOP(f16);
}

/* Whether V has more than MOST (1 or 2) bits set. */
static inline bool
more_bits(unsigned v, size_t most)
{
	v &= v - 1; /* less its lowest bit */
	if (most >= 2)
		v &= v - 1;
	return v != 0;
}

/* The first of the groups G .. END of pairs whose letters differ from
 * LETTERS by at most MOST (1 or 2) on each side, END when none: most
 * groups fail, and four are tested at once where the machine can. */
static uint32_t
pair_group_near(const struct ch_match_index *ix, uint32_t g, uint32_t end,
    unsigned letters, size_t most)
{
	const uint32_t *gl = ix->pair_gletters;
#ifdef __SSE2__
	const __m128i f = _mm_set1_epi32((int)letters);
	const __m128i ones = _mm_set1_epi32(-1), zero = _mm_setzero_si128();

	for (; g + 4 <= end; g += 4) {
		__m128i xy = _mm_loadu_si128((const void *)(gl + g));
		/* Each side's letters the other lacks, less their lowest
		 * bit (two for MOST 2): none left for a group that passes. */
		__m128i a = _mm_andnot_si128(f, xy),
			b = _mm_andnot_si128(xy, f);
		int m;

		a = _mm_and_si128(a, _mm_add_epi32(a, ones));
		b = _mm_and_si128(b, _mm_add_epi32(b, ones));
		if (most >= 2) {
			a = _mm_and_si128(a, _mm_add_epi32(a, ones));
			b = _mm_and_si128(b, _mm_add_epi32(b, ones));
		}
		m = _mm_movemask_ps(_mm_castsi128_ps(
		    _mm_cmpeq_epi32(_mm_or_si128(a, b), zero)));
		if (m != 0)
			return g + (uint32_t)__builtin_ctz((unsigned)m);
	}
#endif
	for (; g < end; g++)
		if (!more_bits(gl[g] & ~letters, most) &&
		    !more_bits(letters & ~gl[g], most))
			break;
	return g;
}

static unsigned
cut_level(double sim)
{
	unsigned k = 1;

	while (k + 1 < CUT_LEVELS && sim > cut_level_sim[k])
		k++;
	return k;
}

/* Raise, in FLAGS, the bits MASK of each name of NM .. END to LEVEL:
 * four at a time (a common word's list holds a hundred thousand names),
 * the loop's own work is a third of a mark. */
#define CUT_MARK_ONE(flags, f, mask, level)                                    \
	do {                                                                   \
		if ((*(f) & (mask)) < (level))                                 \
			*(f) = (__typeof__(*(flags)))((*(f) & ~(mask)) |       \
			    (level));                                          \
	} while (0)
#define CUT_MARK_LOOP(flags, nm, end, mask, level)                             \
	do {                                                                   \
		for (; (end) - (nm) >= 4; (nm) += 4) {                         \
			__typeof__(*(flags)) *f0 = &(flags)[(nm)[0]],          \
					     *f1 = &(flags)[(nm)[1]],          \
					     *f2 = &(flags)[(nm)[2]],          \
					     *f3 = &(flags)[(nm)[3]];          \
                                                                               \
			CUT_MARK_ONE(flags, f0, mask, level);                  \
			CUT_MARK_ONE(flags, f1, mask, level);                  \
			CUT_MARK_ONE(flags, f2, mask, level);                  \
			CUT_MARK_ONE(flags, f3, mask, level);                  \
		}                                                              \
		for (; (nm) < (end); (nm)++) {                                 \
			__typeof__(*(flags)) *f = &(flags)[*(nm)];             \
                                                                               \
			CUT_MARK_ONE(flags, f, mask, level);                   \
		}                                                              \
	} while (0)

/* Raise slot S of every name holding TYPE to the level of SIM. */
static void
cut_mark(const struct ch_match_index *ix, struct cut *c, uint32_t type,
    size_t s, double sim)
{
	unsigned sh = 3 * (unsigned)s;
	unsigned mask = 7u << sh, level = cut_level(sim) << sh;
	const uint32_t *nm = ix->type_names + ix->type_start[type],
		       *end = ix->type_names + ix->type_start[type + 1];

	/* (The array in a local: a byte stored might otherwise be c->f8
	 * itself, read again at each mark.) */
	uint8_t *f8 = c->f8;
	uint16_t *f16 = c->f16;

	if (f8 != NULL)
		CUT_MARK_LOOP(f8, nm, end, mask, level);
	else
		CUT_MARK_LOOP(f16, nm, end, mask, level);
}

/* Whether a word of X letters may be similar to one of L letters by
 * spelling alone, without a key in common: at most two letters each
 * (one edit), or nine and more, where two edits (past the index's
 * deletions) or three reach the floor (edit_cap in score.c: 3 edits from
 * nine letters, 4 from sixteen, n / 4 beyond). */
static bool
cut_length(size_t x, size_t l)
{
	size_t n = x > l ? x : l, diff = x > l ? x - l : l - x;

	return n <= 2 || (n >= 9 && (diff <= 3 || diff * 4 <= n));
}

/* The most edits that may reach the floor in words of N letters (the cap
 * of D edits, edit_cap in score.c, is 0.60 or more: D at most one, two
 * from five letters, three from nine, D * 4 <= N): one under five
 * letters, two under nine, three under sixteen, N / 4 from there. */
static inline size_t
cut_reach_most(size_t n)
{
	return n < 5 ? 1 : n < 9 ? 2 : n < 16 ? 3 : n / 4;
}

/* Whether a spelling of X letters, whose set of letters SX has NX,
 * against one of Y letters with SY (NY), is surely under the floor from
 * its letters: each letter on one side only is an edit, and the edits
 * cap the similarity.  The letters of the longer not shared, each as
 * often as it occurs (dearer: only when the sets leave it open), are of
 * T's and U's texts, or with BASE of their texts without a glued
 * particle. */
static inline bool
cut_spelling_under(size_t x, unsigned sx, size_t nx, size_t y, unsigned sy,
    size_t ny, const struct ch_match_token *t, const struct ch_match_token *u,
    bool base)
{
	unsigned common = (unsigned)ch_match_bits(sx & sy);
	size_t only_x = nx - common, only_y = ny - common;
	size_t d = only_x > only_y ? only_x : only_y;
	size_t n = x > y ? x : y, diff = x > y ? x - y : y - x;
	size_t most = cut_reach_most(n);

	if (diff > d)
		d = diff;
	if (d <= most) {
		size_t shared = base ? ch_match_shared_base_letters(t, u)
				     : ch_match_shared_letters(t, u);

		if (n - shared > d)
			d = n - shared;
	}
	return d > most;
}

/* Whether the spelling of T and type U (its scan_type SU) is surely under
 * the floor from their letters: read whole and, when either has a glued
 * particle, without it (the scorer's similarity is the better of the two
 * spellings when no allowance applies — a type that shares no key with T
 * has none: the sounds, skeletons and the words without their particles
 * are keys).  U's token is read only when the sets of letters leave it
 * open. */
static bool
cut_letters_under(const struct ch_match_token *t, const struct scan_type *su,
    const struct ch_match_token *u)
{
	if (!cut_spelling_under(t->len, t->letters, t->n_letters, su->len,
		su->letters, su->n_letters, t, u, false))
		return false;
	if (t->stem == 0 && su->stem == 0)
		return true;
	return cut_spelling_under((size_t)(t->len - t->stem),
	    t->base_letters[0], ch_match_bits(t->base_letters[0]),
	    (size_t)(su->len - su->stem), su->base_letters, su->n_base, t, u,
	    true);
}

/* Types[from .. to) similar to T, query token I, marked at their
 * similarity in slot S (SCAN: the scan_type of each type, beside it).  A
 * type whose similarity to T the query's table knows (before the cut,
 * only those step 1 compared: put there by key_neighbours, or T's
 * neighbours) is passed over: at or above the floor it is among T's
 * types, marked through the keys; under it, it aligns with nothing. */
static void
cut_scan(struct query *q, struct cut *cut, const struct ch_match_token *t,
    size_t i, const uint32_t *types, const struct scan_type *scan, size_t from,
    size_t to, size_t s)
{
	const struct ch_match_index *ix = q->ix;
	const struct sim_cache *c = &q->cache;

	for (size_t k = from; k < to; k++) {
		const struct scan_type *su = &scan[k];
		const struct ch_match_token *u = &ix->types[types[k]];
		size_t at;
		double v;

		if (su->name &&
		    ((t->stem == 0 && su->stem == 0) ||
			t->role == CH_TOKEN_NAME) &&
		    cut_letters_under(t, su, u))
			continue;
		if ((at = cache_find(c, types[k])) != SIZE_MAX &&
		    (c->known[at] >> i & 1) != 0)
			continue;
		if ((v = ch_match_token_similarity_floor(t, u)) >=
		    CH_MATCH_TOKEN_FLOOR)
			cut_mark(ix, cut, types[k], s, v);
	}
}

/* Query token I's similarity to TYPE, from the cache when known. */
static double
cut_sim(struct query *q, size_t i, uint32_t type)
{
	struct sim_cache *c = &q->cache;
	size_t s = cache_slot(c, type);

	if (s != SIZE_MAX && (c->known[s] >> i & 1) != 0)
		return c->sims[s * 2 * c->nq + i];
	return ch_match_token_similarity_floor(q->refs[i], &q->ix->types[type]);
}

/* The most a name with FLAGS and words' weight EW (in weights) can score:
 * the best over which of the words it may align it aligns. */
static double
cut_bound(const struct query *q, const struct cut *c, unsigned flags, double ew)
{
	unsigned may = 0, sub = 0;
	double best = 0;

	for (size_t s = 0; s < c->n_slots; s++)
		if ((flags >> (3 * s) & 7) != 0)
			may |= 1u << s;
	do {
		double num = 0, den = 0, miss = 0, cons = 0, extra, both, v;

		sub = (sub - may) & may; /* the next subset of MAY */
		for (size_t i = 0; i < q->name.n_tokens; i++) {
			double wi = ch_match_token_weight(q->refs[i]), sim;
			int s = c->slot[i];

			if (wi <= 0)
				continue;
			if (s < 0) { /* aligned, exactly, as it may */
				num += wi;
				den += wi;
				cons +=
				    q->refs[i]->role == CH_TOKEN_NAME ? 2 : 1;
			} else if ((sub >> s & 1) != 0) {
				sim = cut_level_sim[flags >> (3 * s) & 7];
				num += sim * wi;
				den += wi *
				    (1.0 + CH_MATCH_PARTIAL_COST * (1.0 - sim));
				cons += (flags & CUT_TWO(c, s)) != 0 ? 2 : 1;
			} else if (q->miss_cost[i] > 0) {
				miss += wi;
			}
		}
		if (num <= 0)
			continue;
		extra = ew > cons ? ew - cons : 0;
		both = miss < extra ? miss : extra;
		v = num /
		    (den + CH_MATCH_CONFLICT_COST * both +
			CH_MATCH_MISSING_COST * (miss - both) +
			CH_MATCH_EXTRA_COST * (extra - both));
		if (v > best)
			best = v;
	} while (sub != 0);
	return best;
}

/* The most words' weight (tenths) a name with FLAGS may have and reach
 * the threshold, -1 when none (the bound falls as the weight grows). */
static int16_t
cut_ew_max(const struct query *q, const struct cut *c, unsigned flags)
{
	int lo = 0, hi = 255;

	if (cut_bound(q, c, flags, 0) < c->t)
		return -1;
	while (lo < hi) {
		int mid = (lo + hi + 1) / 2;

		if (cut_bound(q, c, flags, mid / 10.0) >= c->t)
			lo = mid;
		else
			hi = mid - 1;
	}
	return (int16_t)lo;
}

/* What marking query token T costs (the names of its types, those of
 * a particle's own spelling for a particle): a word is taken as a slot
 * only when that is at most CUT_COST times the names the query reads. */
#define CUT_COST 64

static size_t
cut_cost(const struct ch_match_index *ix, const struct ch_match_token *t,
    const struct ids *types, size_t first, size_t n)
{
	size_t cost = 0;

	if (t->role == CH_TOKEN_PARTICLE) {
		uint32_t id = type_of(ix, t);

		return id == NONE ? 0
				  : ix->type_start[id + 1] - ix->type_start[id];
	}
	for (size_t k = 0; k < n; k++)
		cost += ix->type_start[types->v[first + k] + 1] -
		    ix->type_start[types->v[first + k]];
	return cost;
}

/* The flags of every name; false when out of memory (then no cut).
 * FIRST_OF[i] .. + N_OF[i] in TYPES: the types query token i aligns with
 * alone through the keys (token_types). */
static bool
cut_build(struct query *q, struct cut *c, const struct ids *types,
    const size_t *first_of, const size_t *n_of, size_t est)
{
	const struct ch_match_index *ix = q->ix;
	size_t nq = q->name.n_tokens;

	c->n_slots = 0;
	c->w = 0;
	c->t = q->params->review - q->evidence - 1e-9;
	for (size_t i = 0; i < nq; i++) {
		c->slot[i] = -1;
		c->w += ch_match_token_weight(q->refs[i]);
		if (q->refs[i]->role == CH_TOKEN_NAME &&
		    ch_match_token_weight(q->refs[i]) > 0 &&
		    c->n_slots < CUT_SLOTS &&
		    cut_cost(ix, q->refs[i], types, first_of[i], n_of[i]) <=
			CUT_COST * est) {
			c->token[c->n_slots] = i;
			c->slot[i] = (int)c->n_slots++;
		}
	}
	/* Then particles, while there are slots ("Abu Ahmed": a name
	 * without "abu" misses it, and leaves a word over). */
	for (size_t i = 0; i < nq && c->n_slots < CUT_SLOTS; i++)
		if (q->refs[i]->role == CH_TOKEN_PARTICLE &&
		    ch_match_token_weight(q->refs[i]) > 0 &&
		    cut_cost(ix, q->refs[i], types, 0, 0) <= CUT_COST * est) {
			c->token[c->n_slots] = i;
			c->slot[i] = (int)c->n_slots++;
		}
	if (c->n_slots == 0)
		return false;
	if (c->n_slots <= 2)
		c->flags = c->f8 = calloc(ix->n_names + 1, sizeof(*c->f8));
	else
		c->flags = c->f16 = calloc(ix->n_names + 1, sizeof(*c->f16));
	if (c->flags == NULL ||
	    (c->ew_max = malloc(
		 ((size_t)1 << (4 * c->n_slots)) * sizeof(*c->ew_max))) == NULL)
		return false;
	/* Indexed by the flags themselves (their levels' bits and their
	 * two-token bits, 4 n_slots bits): the test of a posting is a load
	 * and a comparison.  Cleared (as CUT_UNKNOWN) per query, 32 bytes to
	 * 128 KB. */
	memset(c->ew_max, 0x7f,
	    ((size_t)1 << (4 * c->n_slots)) * sizeof(*c->ew_max));
	if ((c->vkey = calloc(CUT_VSLOTS, sizeof(*c->vkey))) == NULL ||
	    (c->vval = malloc(CUT_VSLOTS * sizeof(*c->vval))) == NULL)
		return false;
	c->vused = 0;
	for (size_t s = 0; s < c->n_slots; s++) {
		size_t i = c->token[s];
		const struct ch_match_token *f = q->refs[i];
		size_t lf = f->len, bf = f->len - f->stem;

		/* A particle aligns with particles of its spelling (or the
		 * same letters as a name), never an initial, and takes one
		 * token. */
		if (f->role == CH_TOKEN_PARTICLE) {
			char name[CH_MATCH_TOKEN_MAX + 2];
			uint32_t id;

			cut_scan(q, c, f, i, ix->spec_types, ix->spec_scan, 0,
			    ix->n_spec, s);
			snprintf(name, sizeof(name), "a%s", f->text);
			if ((id = strtab_find(&ix->type_tab, name)) != NONE)
				cut_mark(ix, c, id, s, 1.0);
			snprintf(
			    name, sizeof(name), "a%s", ch_match_token_canon(f));
			if ((id = strtab_find(&ix->type_tab, name)) != NONE)
				cut_mark(ix, c, id, s, 1.0);
			continue;
		}
		/* Its types through the keys. */
		for (size_t k = 0; k < n_of[i]; k++) {
			uint32_t type = types->v[first_of[i] + k];

			cut_mark(ix, c, type, s, cut_sim(q, i, type));
		}
		/* Initials and particles. */
		cut_scan(q, c, f, i, ix->spec_types, ix->spec_scan, 0,
		    ix->n_spec, s);
		/* Words similar by spelling alone, without a key. */
		for (size_t l = 1; l < CH_MATCH_TOKEN_MAX; l++) {
			if (cut_length(lf, l) || cut_length(bf, l))
				cut_scan(q, c, f, i, ix->len_types,
				    ix->len_scan, ix->len_start[l],
				    ix->len_start[l + 1], s);
			if (cut_length(bf, l))
				cut_scan(q, c, f, i, ix->base_types,
				    ix->base_scan, ix->base_start[l],
				    ix->base_start[l + 1], s);
		}
		/* Two neighbouring tokens of a name joined: at most 1,
		 * unless the letters on one side only make more edits than
		 * reach the compound floor, 0.80 (one; two from nine
		 * letters; compound_similarity).  The edits the letters and
		 * the lengths show cap it (compound_similarity is the
		 * spelling's, at most the cap of its edits, the cap itself
		 * for one): two, 0.82 at most; one, 0.92. */
		for (size_t l = lf >= 2 ? lf - 2 : 0; l <= lf + 2; l++) {
			size_t b = PAIR_BUCKET(f->text[0], l);
			size_t n = l > lf ? l : lf, most = n >= 9 ? 2 : 1;
			unsigned sh = 3 * (unsigned)s;

			uint32_t g = ix->pair_gstart[b],
				 end = ix->pair_gstart[b + 1];

			/* As many letters as the word's, give or take MOST
			 * (those on one side only), when they are tested. */
			if (l < CH_MATCH_TOKEN_MAX) {
				size_t pf = ch_match_bits(f->letters);

				g = pair_groups_from(
				    ix, g, end, pf > most ? pf - most : 0);
				end =
				    pair_groups_from(ix, g, end, pf + most + 1);
			}
			for (; g < end; g++) {
				unsigned xy, level = 7;
				size_t d = l > lf ? l - lf : lf - l;

				if (l < CH_MATCH_TOKEN_MAX &&
				    (g = pair_group_near(
					 ix, g, end, f->letters, most)) == end)
					break;
				xy = ix->pair_gletters[g];
				if (l < CH_MATCH_TOKEN_MAX) {
					size_t only_xy, only_f;

					/* (most groups fail here: the bits
					 * are counted only for the others) */
					if (more_bits(xy & ~f->letters, most) ||
					    more_bits(f->letters & ~xy, most))
						continue;
					only_xy =
					    ch_match_bits(xy & ~f->letters);
					only_f =
					    ch_match_bits(f->letters & ~xy);
					d = only_xy > d ? only_xy : d;
					d = only_f > d ? only_f : d;
					if (d > 0)
						level =
						    cut_level(ch_match_edit_cap(
							(int)d, n));
				}
				cut_raise(c,
				    ix->pair_names + ix->pair_gfirst[g],
				    ix->pair_names + ix->pair_gfirst[g + 1], sh,
				    level, CUT_TWO(c, s));
			}
		}
	}
	/* Two query tokens joined against one of a name. */
	for (size_t i = 0; i + 1 < nq; i++) {
		const struct ch_match_token *x = q->refs[i],
					    *y = q->refs[i + 1];
		size_t lxy = (size_t)x->len + y->len;

		if (!pair_joins(x, y) || ch_match_token_weight(x) <= 0 ||
		    (ch_match_token_weight(y) <= 0 &&
			y->role != CH_TOKEN_SUFFIX) ||
		    (c->slot[i] < 0 && c->slot[i + 1] < 0))
			continue;
		for (size_t l = lxy >= 2 ? lxy - 2 : 0;
		     l <= lxy + 2 && l < CH_MATCH_TOKEN_MAX; l++) {
			size_t b = FL_BUCKET(x->text[0], l);

			for (uint32_t k = ix->fl_start[b];
			     k < ix->fl_start[b + 1]; k++) {
				double v = ch_match_compound_similarity(
				    x, y, &ix->types[ix->fl_types[k]]);

				if (v <= 0)
					continue;
				if (c->slot[i] >= 0)
					cut_mark(ix, c, ix->fl_types[k],
					    (size_t)c->slot[i], v);
				if (c->slot[i + 1] >= 0)
					cut_mark(ix, c, ix->fl_types[k],
					    (size_t)c->slot[i + 1], v);
			}
		}
	}
	return true;
}

/* Whether name NM, of flags V, may reach the threshold by the cut. */
static inline bool
cut_keeps_flags(const struct query *q, struct cut *c, uint32_t nm, unsigned v)
{
	int e;

	/* Most names cannot reach the threshold whatever their words: one
	 * comparison, and their weight is not read. */
	if ((e = c->ew_max[v]) < 0)
		return false;
	if (e == CUT_UNKNOWN && (e = c->ew_max[v] = cut_ew_max(q, c, v)) < 0)
		return false;
	return (int)q->ix->name_ew[nm] <= e;
}

#define CUT_PUSH_LOOP(f)                                                       \
	do {                                                                   \
		for (; nm < end; nm++)                                         \
			if (cut_keeps_flags(q, c, *nm, (f)[*nm]) &&            \
			    !ids_push(cand, *nm))                              \
				return false;                                  \
	} while (0)

/* The names NM .. END that the cut keeps (all, for a query not cut)
 * appended to CAND (one loop per width of the flags: not a test of the
 * width per posting); false when out of memory. */
static bool
cut_push(const struct query *q, struct cut *c, const uint32_t *nm,
    const uint32_t *end, struct ids *cand)
{
	if (c->f8 != NULL)
		CUT_PUSH_LOOP(c->f8);
	else if (c->f16 != NULL)
		CUT_PUSH_LOOP(c->f16);
	else
		for (; nm < end; nm++)
			if (!ids_push(cand, *nm))
				return false;
	return true;
}

/* The query tokens (bit i) that two neighbouring tokens of name NM may
 * stand for joined: not a slotted word whose two-token bit the name lacks
 * — none of its pairs passed the letters and lengths that
 * compound_similarity asks before anything else. */
static uint32_t
cut_two(const struct cut *c, uint32_t nm)
{
	uint32_t two = ~(uint32_t)0;
	unsigned f = cut_get(c, nm);

	for (size_t s = 0; s < c->n_slots; s++)
		if ((f & CUT_TWO(c, s)) == 0)
			two &= ~(1u << c->token[s]);
	return two;
}

/* The bound of name NM by the cut (for the order of the visit). */
static double
cut_value(const struct query *q, struct cut *c, uint32_t nm)
{
	uint32_t key = (cut_get(c, nm) << 8 | q->ix->name_ew[nm]) + 1;
	size_t i = (key * 2654435761u) & (CUT_VSLOTS - 1);
	double v;

	for (; c->vkey[i] != 0; i = (i + 1) & (CUT_VSLOTS - 1))
		if (c->vkey[i] == key)
			return c->vval[i];
	v = cut_bound(q, c, cut_get(c, nm), q->ix->name_ew[nm] / 10.0);
	if (c->vused * 4 < CUT_VSLOTS * 3) {
		c->vkey[i] = key;
		c->vval[i] = v;
		c->vused++;
	}
	return v;
}

static void
cut_free(struct cut *c)
{
	free(c->flags);
	free(c->ew_max);
	c->f8 = NULL;
	c->f16 = NULL;
	free(c->vkey);
	free(c->vval);
	c->flags = NULL;
	c->ew_max = NULL;
	c->vkey = NULL;
	c->vval = NULL;
}

/* A cut query reading a 32nd of the index's names or more in its
 * generators' lists keeps its candidates by a bit per name. */
#define CAND_BITS_FROM 32

/* The names A (of the index IX) ascending and each once: by a bit per
 * name of the index, cleared and read in order, when they are a 512th of
 * its names or more (a cut query keeps thousands of names of its
 * generators' lists: their radix sort, three passes, cost more than the
 * bits), else sorted (ids_unique). */
static void
names_unique(const struct ch_match_index *ix, struct ids *a)
{
	size_t n_words = ix->n_names / 64 + 1, n = 0;
	uint64_t *bits;

	if (a->n < ix->n_names / 512 || a->n < 64 ||
	    (bits = calloc(n_words, sizeof(*bits))) == NULL) {
		ids_unique(a, 0);
		return;
	}
	for (size_t i = 0; i < a->n; i++)
		bits[a->v[i] >> 6] |= (uint64_t)1 << (a->v[i] & 63);
	for (size_t w = 0; w < n_words; w++)
		for (uint64_t v = bits[w]; v != 0; v &= v - 1)
			a->v[n++] =
			    (uint32_t)(w * 64 + (size_t)__builtin_ctzll(v));
	a->n = n;
	free(bits);
}

/* The names of the generators' lists (TYPES of GEN, each read up to
 * ENDS) that the cut keeps, in CAND ascending and each once: a bit per
 * name of the index marks them, and the bits read in order give them
 * sorted (a cut query reads thousands of postings; sorting them cost
 * more than the bits).  False when out of memory. */
#define CUT_READ_LOOP(f)                                                       \
	do {                                                                   \
		for (uint32_t p = ix->type_start[t]; p < end; p++) {           \
			uint32_t nm = ix->type_names[p];                       \
			uint64_t b = (uint64_t)1 << (nm & 63);                 \
                                                                               \
			if (!cut_keeps_flags(q, c, nm, (f)[nm]) ||             \
			    (bits[nm >> 6] & b) != 0)                          \
				continue;                                      \
			bits[nm >> 6] |= b;                                    \
			n++;                                                   \
		}                                                              \
	} while (0)

static bool
cut_candidates(struct query *q, struct cut *c, const struct ids *types,
    const struct generator *gen, size_t n_gen, const uint32_t *ends,
    struct ids *cand)
{
	const struct ch_match_index *ix = q->ix;
	size_t n_words = ix->n_names / 64 + 1, n = 0;
	uint64_t *bits = calloc(n_words, sizeof(*bits));

	if (bits == NULL)
		return false;
	for (size_t g = 0; g < n_gen; g++)
		for (size_t k = 0; types->v != NULL && k < gen[g].n; k++) {
			uint32_t t = types->v[gen[g].first + k],
				 end = ends[gen[g].first + k];

			/* The cut first: it keeps few of the names, and a
			 * name kept twice is tested twice, counted once.
			 * (One loop per width of the flags: not a test of
			 * the width per posting.) */
			if (c->f8 != NULL)
				CUT_READ_LOOP(c->f8);
			else
				CUT_READ_LOOP(c->f16);
		}
	if (!grow((void **)&cand->v, &cand->cap, n + 1, sizeof(*cand->v))) {
		free(bits);
		return false;
	}
	cand->n = 0;
	for (size_t w = 0; w < n_words && cand->n < n; w++)
		for (uint64_t v = bits[w]; v != 0; v &= v - 1)
			cand->v[cand->n++] =
			    (uint32_t)(w * 64 + (size_t)__builtin_ctzll(v));
	free(bits);
	return true;
}

/* The bound of candidate name NM, -1 when it is not looked at: those
 * name_bound lets through at review, with the most any evidence adds (as
 * ever), then tight_bound orders and cuts them. */
static double
candidate_bound(struct query *q, const struct type_masks *m, uint32_t nm,
    double non_name, uint32_t two)
{
	double qf = ch_match_quality_factor(
	    (enum ch_watch_name_quality)q->ix->names[nm].quality);
	double b = name_bound(q, m, nm, non_name, two) * qf;

	if (b + CH_MATCH_EVIDENCE_MAX < q->params->review)
		return -1;
	if ((b = tight_bound(q, nm, two) * qf) + q->evidence <
	    q->params->review)
		return -1;
	return b;
}

/* An entry among the candidates: its names cand[first .. first + n) and
 * the best score they could reach. */
struct entry_bound {
	double bound;
	uint32_t entry, first, n;
};

/* Whether A is visited before B: best bound first; among equals, the
 * first listed (entries differ, so the order is total). */
static inline bool
entry_before(const struct entry_bound *a, const struct entry_bound *b)
{
	return a->bound != b->bound ? a->bound > b->bound : a->entry < b->entry;
}

/* Move H[i] down the heap H of N (the first to visit on top). */
static void
heap_down(struct entry_bound *h, size_t n, size_t i)
{
	struct entry_bound x = h[i];

	for (;;) {
		size_t c = 2 * i + 1;

		if (c >= n)
			break;
		if (c + 1 < n && entry_before(&h[c + 1], &h[c]))
			c++;
		if (!entry_before(&h[c], &x))
			break;
		h[i] = h[c];
		i = c;
	}
	h[i] = x;
}

/* The entries in the order of the visit, taken one at a time: a heap
 * (built in linear time) rather than a sort, as the visit mostly stops
 * after a few of thousands; the order is the same. */
static void
heap_make(struct entry_bound *h, size_t n)
{
	for (size_t i = n / 2; i-- > 0;)
		heap_down(h, n, i);
}

/* The first to visit of the heap H of *N, taken out. */
static struct entry_bound
heap_pop(struct entry_bound *h, size_t *n)
{
	struct entry_bound top = h[0];

	h[0] = h[--*n];
	if (*n > 1)
		heap_down(h, *n, 0);
	return top;
}

/* The most distinct bounds order_by_value sorts by counting. */
#define ORDER_VALUES 4096

static int
value_desc(const void *pa, const void *pb)
{
	double a = *(const double *)pa, b = *(const double *)pb;

	return a > b ? -1 : a < b;
}

/* The N entries of *ORDER (by entry, as the candidates come; its
 * capacity *CAP) in the order of the visit, when their bounds take few
 * values — those of a cut query, the cut's, one per combination of
 * levels and words' weight met: a counting sort by value, stable, so
 * equals stay by entry (a heap or a sort of tens of thousands of entries
 * costs more than the visit), into a new array that replaces *ORDER.
 * False (*ORDER as it was) when there are too many values or no memory.
 * Its tables are sized by N (no more values than entries), not by the
 * most values: most cut queries order a few hundred entries. */
static bool
order_by_value(struct entry_bound **order, size_t *cap, size_t n)
{
	size_t most = n < ORDER_VALUES ? n : ORDER_VALUES, slots = 64,
	       n_vals = 0;
	uint64_t *key;
	double *vals = malloc(most * sizeof(*vals));
	uint16_t *slot_val, *of = malloc((n + 1) * sizeof(*of));
	size_t *start = calloc(most + 1, sizeof(*start));
	uint16_t *rank = malloc(most * sizeof(*rank));
	struct entry_bound *out = malloc((n + 1) * sizeof(*out));
	bool ok;

	while (slots < 2 * most)
		slots *= 2;
	key = calloc(slots, sizeof(*key));
	slot_val = malloc(slots * sizeof(*slot_val));
	ok = key != NULL && vals != NULL && slot_val != NULL && of != NULL &&
	    start != NULL && rank != NULL && out != NULL;

	/* Each entry's value: its place among the distinct values (keyed
	 * by their bits + 1; bounds are never NaN). */
	for (size_t i = 0; ok && i < n; i++) {
		uint64_t bits;
		size_t h;

		memcpy(&bits, &(*order)[i].bound, sizeof(bits));
		h = (size_t)((bits * 0x9e3779b97f4a7c15ULL) >> 40) &
		    (slots - 1);
		while (key[h] != 0 && key[h] != bits + 1)
			h = (h + 1) & (slots - 1);
		if (key[h] == 0) {
			if (n_vals == most) {
				ok = false;
				break;
			}
			key[h] = bits + 1;
			slot_val[h] = (uint16_t)n_vals;
			vals[n_vals++] = (*order)[i].bound;
		}
		of[i] = slot_val[h];
	}
	if (ok) {
		double *sorted = malloc((n_vals + 1) * sizeof(*sorted));

		ok = sorted != NULL;
		if (ok) {
			memcpy(sorted, vals, n_vals * sizeof(*vals));
			qsort(sorted, n_vals, sizeof(*sorted), value_desc);
			/* Each value's rank, best first (the values are
			 * distinct: a bisection finds it). */
			for (size_t v = 0; v < n_vals; v++) {
				size_t lo = 0, hi = n_vals - 1;

				while (lo < hi) {
					size_t mid = (lo + hi) / 2;

					if (sorted[mid] > vals[v])
						lo = mid + 1;
					else
						hi = mid;
				}
				rank[v] = (uint16_t)lo;
			}
			free(sorted);
		}
	}
	if (ok) {
		for (size_t i = 0; i < n; i++)
			start[rank[of[i]] + 1]++;
		for (size_t r = 0; r < n_vals; r++)
			start[r + 1] += start[r];
		for (size_t i = 0; i < n; i++)
			out[start[rank[of[i]]]++] = (*order)[i];
		free(*order);
		*order = out;
		*cap = n + 1;
		out = NULL;
	}
	free(key);
	free(vals);
	free(slot_val);
	free(of);
	free(start);
	free(rank);
	free(out);
	return ok;
}

ch_err
ch_match_query(const struct ch_match_index *ix,
    const struct ch_match_subject *subject,
    const struct ch_match_params *params, struct ch_match_hit *hits, size_t max,
    size_t *n_hits)
{
	struct generator gen[CH_MATCH_TOKENS_MAX];
	struct query q;
	struct ids types = {0}, cand = {0};
	struct pairs pairs = {0};
	struct type_masks masks = {0};
	struct entry_bound *order = NULL;
	struct cut cut = {0};
	uint32_t *ends = NULL;
	double *bounds = NULL;
	size_t first_of[CH_MATCH_TOKENS_MAX] = {0},
	       n_of[CH_MATCH_TOKENS_MAX] = {0};
	size_t n_gen = 0, n_order = 0, bounds_cap = 0, order_cap = 0, est = 0;
	bool sorted = false;
	double weight = 0, need, taken = 0, bound, non_name = 0;
	size_t short_names;
	ch_err err = start(&q, ix, subject, params, hits, max, n_hits);

	if (err != CH_OK)
		return err;
	if (q.max == 0) {
		cache_free(&q.cache);
		free(q.hit_names);
		return CH_OK;
	}
	for (size_t i = 0; i < q.name.n_tokens; i++) {
		struct generator *g = &gen[n_gen];

		weight += ch_match_token_weight(q.refs[i]);
		if (q.refs[i]->role != CH_TOKEN_NAME)
			continue;
		g->first = types.n;
		if (!token_types(&q, i, &pairs, &types, &g->joined_at))
			goto nomem;
		g->n = types.n - g->first;
		first_of[i] = g->first;
		n_of[i] = g->joined_at - g->first;
		g->cost = 0;
		g->weight = ch_match_token_weight(q.refs[i]);
		g->token = i;
		for (size_t k = 0; k < g->n; k++) {
			uint32_t t = types.v[g->first + k];

			g->cost += ix->type_start[t + 1] - ix->type_start[t];
		}
		n_gen++;
	}
	/* An entry must align a name token of the query to score, and one
	 * that aligns query weight W - G at best scores
	 * (W - G) / (W - G + MISSING * G) at most; it stays under the bound t
	 * when G > W (1 - t) / (1 - t + MISSING t). */
	bound = params->review - CH_MATCH_EVIDENCE_MAX;
	need = bound <= 0 ? weight
			  : weight * (1.0 - bound) /
		(1.0 - bound + CH_MATCH_MISSING_COST * bound);
	if (!masks_init(&masks, &types, gen, n_gen, q.name.n_tokens))
		goto nomem;
	for (size_t i = 0; i < q.name.n_tokens; i++)
		if (q.refs[i]->role != CH_TOKEN_NAME)
			non_name += ch_match_token_weight(q.refs[i]);
	qsort(gen, n_gen, sizeof(*gen), generator_cmp);
	for (size_t g = 0; g < n_gen; g++) {
		taken += gen[g].weight;
		if (taken > need) {
			n_gen = g + 1;
			break;
		}
	}
	/* Short of the bound, every name token generates: an entry must
	 * align one of them to score at all (score.c). */
	/* A token that aligns with nothing listed may be two listed names
	 * run together with a typo: then no cut. */
	short_names = n_gen > 0 && gen[0].n > 0
	    ? longest_needed(&q, gen[0].token)
	    : CH_MATCH_TOKENS_MAX;
	if ((ends = malloc((types.n + 1) * sizeof(*ends))) == NULL)
		goto nomem;
	for (size_t g = 0; g < n_gen; g++)
		for (size_t k = 0; types.v != NULL && k < gen[g].n; k++) {
			uint32_t t = types.v[gen[g].first + k];
			uint32_t lo = ix->type_start[t],
				 hi = ix->type_start[t + 1];

			/* Names without the rarest token's types need to be
			 * short to reach the threshold: the rest of a
			 * common type's list (by length) is not read. */
			if (g > 0 && gen[g].first + k < gen[g].joined_at &&
			    !(t < ix->type_is_joined_cap &&
				ix->type_is_joined[t]))
				while (lo < hi) {
					uint32_t mid = lo + (hi - lo) / 2;

					if (ix->name_full
						[ix->type_names[mid]] <=
					    short_names)
						lo = mid + 1;
					else
						hi = mid;
				}
			else
				lo = hi;
			ends[gen[g].first + k] = lo;
			est += lo - ix->type_start[t];
		}
	/* Thousands of names to read: first the cut (above). */
	if (est >= ix->cut_from &&
	    !cut_build(&q, &cut, &types, first_of, n_of, est))
		cut_free(&cut);
	/* Tens of thousands of postings to read: the names kept by a bit
	 * each (a bit per name of the index to clear and read), else sorted
	 * (cheaper for a few thousand). */
	if (cut.flags != NULL && est >= ix->n_names / CAND_BITS_FROM) {
		if (!cut_candidates(&q, &cut, &types, gen, n_gen, ends, &cand))
			goto nomem;
	} else {
		for (size_t g = 0; g < n_gen; g++)
			for (size_t k = 0; types.v != NULL && k < gen[g].n;
			     k++) {
				uint32_t t = types.v[gen[g].first + k];

				if (!cut_push(&q, &cut,
					ix->type_names + ix->type_start[t],
					ix->type_names + ends[gen[g].first + k],
					&cand))
					goto nomem;
			}
		names_unique(ix, &cand);
	}
	/* Each candidate name's bound, and each entry's (its best name's):
	 * entries are scored best bound first, until the bound falls under
	 * the threshold or the last of a full top. */
	if (!grow((void **)&bounds, &bounds_cap, cand.n + 1, sizeof(*bounds)) ||
	    !grow((void **)&order, &order_cap, cand.n + 1, sizeof(*order)))
		goto nomem;
	for (size_t i = 0; i < cand.n;) {
		uint32_t e = ix->names[cand.v[i]].entry;
		struct entry_bound *eb = &order[n_order];
		eb->first = (uint32_t)i;
		eb->entry = e;
		eb->bound = -1;
		for (; i < cand.n && ix->names[cand.v[i]].entry == e; i++) {
			/* A million names do not stay in the cache: ask for
			 * the names ahead, and the tokens of those nearer. */
			if (i + 32 < cand.n)
				__builtin_prefetch(&ix->names[cand.v[i + 32]]);
			if (i + 16 < cand.n && cut.flags == NULL)
				__builtin_prefetch(
				    &ix->tokens[ix->names[cand.v[i + 16]]
						    .first_token]);
			/* A cut query orders its entries by the cut's bound
			 * and bounds their names when it visits them: an
			 * entry the top has gone past is never read. */
			bounds[i] = cut.flags != NULL
			    ? cut_value(&q, &cut, cand.v[i])
			    : candidate_bound(&q, &masks, cand.v[i], non_name,
				  ~(uint32_t)0);
			if (bounds[i] > eb->bound)
				eb->bound = bounds[i];
		}
		eb->n = (uint32_t)i - eb->first;
		if (eb->bound >= 0)
			n_order++;
	}
	/* A cut query's entries sorted by their bound, the others taken
	 * from a heap; the same order either way. */
	if (cut.flags != NULL && n_order > 1 &&
	    order_by_value(&order, &order_cap, n_order))
		sorted = true;
	else
		heap_make(order, n_order);
	for (size_t next = 0; sorted ? next < n_order : n_order > 0;) {
		const struct entry_bound e =
		    sorted ? order[next++] : heap_pop(order, &n_order);
		const struct entry_bound *eb = &e;
		uint32_t best_nm = 0;
		double best = -1, floor = params->review;

		/* With the top full, an entry must beat its last to count
		 * (offer): one that cannot, even with all the evidence, is
		 * not scored, nor any after it. */
		if (q.n_hits == q.max && q.hits[q.max - 1].score > floor)
			floor = q.hits[q.max - 1].score;
		if (eb->bound + q.evidence < floor)
			break;
		for (size_t i = eb->first;
		     cut.flags != NULL && i < eb->first + eb->n; i++)
			bounds[i] = candidate_bound(&q, &masks, cand.v[i],
			    non_name, cut_two(&cut, cand.v[i]));
		for (size_t i = eb->first; i < eb->first + eb->n; i++) {
			double v;

			/* Nor a name that cannot beat a name of its entry
			 * already scored. */
			if (bounds[i] < 0 || bounds[i] + q.evidence < floor ||
			    bounds[i] < best)
				continue;
			if ((v = score_name(&q, cand.v[i])) > best) {
				best = v;
				best_nm = cand.v[i];
			}
		}
		if (best >= 0)
			offer(&q, eb->entry, best, best_nm);
	}
	free(bounds);
	free(order);
	cut_free(&cut);
	free(ends);
	masks_free(&masks);
	pairs_free(&pairs);
	free(types.v);
	free(cand.v);
	finish(&q);
	*n_hits = q.n_hits;
	return CH_OK;
nomem:
	free(bounds);
	free(order);
	cut_free(&cut);
	free(ends);
	masks_free(&masks);
	pairs_free(&pairs);
	free(types.v);
	free(cand.v);
	cache_free(&q.cache);
	free(q.hit_names);
	return CH_ERR_NOMEM;
}
