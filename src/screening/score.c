/*
 * score.c — the score of a subject against a watchlist entry, with its
 * explanation.
 *
 * Name score.  Tokens are aligned without regard to order: every pair of a
 * query token and an entry token gets a similarity (exact; the name
 * without a glued particle; Jaro-Winkler; a floor when the Double
 * Metaphone keys or the consonant skeletons agree; an initial against the
 * name it begins), two neighbouring tokens on one side may match one
 * token on the other ("Abdul Rahman" / "Abdulrahman"), and pairs are
 * taken greedily, best first, each token once.  Pairs under
 * TOKEN_FLOOR do not align.  Each token has a weight (a name 1, an
 * initial 0.5, a particle, a patronymic or a number 0.3, a title or legal
 * form 0).  With S the sum of the aligned similarities weighted by the
 * query tokens' weights, A the query weight aligned, P the unlike part of
 * the aligned pairs (sum of (1 - similarity) * weight), C the weight of
 * tokens left over on both sides (names in place of each other), Q and E
 * the weight left over on the query side only and on the entry side only:
 *
 *     name = S / (A + 1.5 P + 3 C + 0.45 Q + 0.3 E) - 0.04 [order differs]
 *
 * with 0.6 E for bodies (a company without one of the listed words is
 * another company).  Missing query tokens cost more than extra entry
 * tokens: the lists hold full names with patronymics, tribal and middle
 * names that a visitor does not give, whereas a name the visitor gives
 * that the entry lacks is evidence of another person; and a name in place
 * of another costs most of all ("Ayman Rabi Zawahiri" is not "Ayman
 * Muhammad Zawahiri").  The constants were fitted on the labelled pairs
 * of bench/screening-quality (see docs/screening.md).
 *
 * Evidence.  Then the best name of the entry (weak aliases worth
 * WEAK_ALIAS of it) meets the rest of what is known: date of birth,
 * nationality, gender and kind, each adding or taking a fixed amount
 * (see ch_match_evidence).  The explanation lists the alignments and
 * every factor, whose contributions add up to the score.
 */
#include <ctype.h>
#include <math.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#ifdef __x86_64__
#include <cpuid.h>
#endif

#include "screening/match.h"
#include "screening/match_int.h"

#define TOKEN_FLOOR CH_MATCH_TOKEN_FLOOR
#define PHONETIC_FLOOR 0.88
#define VOWEL_SIMILARITY 0.96
#define PINYIN_CAP 0.70 /* two different Pinyin syllables */
#define STEM_SIMILARITY 0.97
#define INITIAL_SIMILARITY 0.90
#define LISTED_INITIAL_SIMILARITY 0.70
#define COMPOUND_FLOOR 0.80
#define EXTRA_COST CH_MATCH_EXTRA_COST
#define EXTRA_COST_BODY CH_MATCH_EXTRA_COST_BODY
#define MISSING_COST CH_MATCH_MISSING_COST
#define CONFLICT_COST CH_MATCH_CONFLICT_COST
#define PARTIAL_COST CH_MATCH_PARTIAL_COST
#define ORDER_COST 0.04
#define WEAK_ALIAS 0.92
/* The most a date of birth and a nationality add (ch_match_evidence). */
#define DOB_EXACT 0.05
#define NATIONALITY_LISTED 0.02

#define WEIGHT_NAME 1.0
#define WEIGHT_INITIAL 0.5
#define WEIGHT_PARTICLE 0.3

#ifdef CH_MATCH_POPCNT_ASM
bool ch_match_popcnt;

/* Whether the processor has popcnt (cpuid leaf 1, ecx bit 23), once at
 * start, before any thread: read-only afterwards. */
__attribute__((constructor)) static void
popcnt_detect(void)
{
	unsigned a = 0, b = 0, c = 0, d = 0;

	ch_match_popcnt =
	    __get_cpuid(1, &a, &b, &c, &d) != 0 && (c & bit_POPCNT) != 0;
}
#endif

struct ch_match_params
ch_match_params_default(void)
{
	return (struct ch_match_params){
	    .review = 0.62, .alert = 0.90, .top_k = CH_MATCH_TOP_K_DEFAULT};
}

static bool
has_digit(const char *s)
{
	for (; *s != '\0'; s++)
		if (*s >= '0' && *s <= '9')
			return true;
	return false;
}

/* A Slavic or Turkic patronymic: "Vladimirovich", "Ivanovna", "Aliyevich",
 * "Mammad oglu" is a particle. */
static bool
is_patronymic(const char *s)
{
	static const char *const endings[] = {"ovich", "evich", "ovna", "evna",
	    "ovitch", "ievich", "ogly", "kyzy", "uulu"};
	size_t n = strlen(s);

	if (n < 7)
		return false;
	for (size_t i = 0; i < sizeof(endings) / sizeof(*endings); i++) {
		size_t k = strlen(endings[i]);

		if (strcmp(s + n - k, endings[i]) == 0)
			return true;
	}
	return false;
}

double
ch_match_role_weight(const struct ch_match_token *t)
{
	switch (t->role) {
	case CH_TOKEN_NAME:
		if (has_digit(t->text) || is_patronymic(t->text))
			return WEIGHT_PARTICLE;
		return WEIGHT_NAME;
	case CH_TOKEN_INITIAL:
		return WEIGHT_INITIAL;
	case CH_TOKEN_PARTICLE:
		return WEIGHT_PARTICLE;
	default:
		return 0.0;
	}
}

double
ch_match_quality_factor(enum ch_watch_name_quality quality)
{
	return quality == CH_NAME_WEAK ? WEAK_ALIAS : 1.0;
}

/* Whether short strings A and B (sound codes, skeletons: a few letters)
 * are equal: a loop over their letters, cheaper than a call to strcmp
 * for the pairs a query compares by the thousand. */
static inline bool
same_short(const char *a, const char *b)
{
	for (;; a++, b++) {
		if (*a != *b)
			return false;
		if (*a == '\0')
			return true;
	}
}

/* Whether S has at least N (1 to 3) characters, without measuring it. */
static inline bool
at_least(const char *s, size_t n)
{
	return s[0] != '\0' && (n < 2 || s[1] != '\0') &&
	    (n < 3 || s[2] != '\0');
}

static inline bool
same_key(const char *a, const char *b)
{
	return a[0] != '\0' && a[0] == b[0] && a[1] != '\0' &&
	    same_short(a + 1, b + 1);
}

/* Damerau-Levenshtein distance (adjacent transpositions count one, each
 * letter edited once: the optimal string alignment distance) of two short
 * ASCII strings of LA and LB letters, read up to CH_MATCH_TOKEN_MAX
 * letters.  Bit-parallel (Hyyro 2003): bit i of a column vector stands
 * for row i of the dynamic-programming table, so a column costs a few
 * word operations instead of a loop over the rows. */
static int
edit_distance(const char *a, size_t la, const char *b, size_t lb)
{
	/* peq[c]: the rows whose letter of A is c, 0 for the other letters;
	 * kept per thread for the last two A (a query compares one word,
	 * whole and without a glued particle, with thousands). */
	static _Thread_local struct {
		uint64_t peq[256];
		char a[CH_MATCH_TOKEN_MAX];
		size_t la;
	} last[2];
	static _Thread_local unsigned older;
	uint64_t *peq, vp = ~(uint64_t)0, vn = 0, d0 = 0;
	uint64_t pm_last = 0, top;
	unsigned k;
	int dist;

	la = la < CH_MATCH_TOKEN_MAX ? la : CH_MATCH_TOKEN_MAX;
	lb = lb < CH_MATCH_TOKEN_MAX ? lb : CH_MATCH_TOKEN_MAX;
	dist = (int)la;

	if (la == 0)
		return (int)lb;
	for (k = 0; k < 2; k++)
		if (la == last[k].la && memcmp(a, last[k].a, la) == 0)
			break;
	if (k == 2) {
		k = older;
		peq = last[k].peq;
		for (size_t i = 0; i < last[k].la; i++)
			peq[(unsigned char)last[k].a[i]] = 0;
		for (size_t i = 0; i < la; i++)
			peq[(unsigned char)a[i]] |= (uint64_t)1 << i;
		memcpy(last[k].a, a, la);
		last[k].la = la;
	}
	older = 1 - k;
	peq = last[k].peq;
	top = (uint64_t)1 << (la - 1);
	for (size_t j = 0; j < lb; j++) {
		uint64_t pm = peq[(unsigned char)b[j]];
		/* Where a swap of two letters ends. */
		uint64_t tr = ((~d0 & pm) << 1) & pm_last;
		uint64_t hp, hn;

		d0 = (((pm & vp) + vp) ^ vp) | pm | vn | tr;
		hp = vn | ~(d0 | vp);
		hn = d0 & vp;
		dist += (hp & top) != 0;
		dist -= (hn & top) != 0;
		hp = hp << 1 | 1;
		hn <<= 1;
		vp = hn | ~(d0 | hp);
		vn = hp & d0;
		pm_last = pm;
	}
	return dist;
}

/* The most a spelling similarity may be for D edits in words of at most N
 * letters (N > 0): it falls as D grows, whatever N. */
static inline double
edit_cap(int d, size_t n)
{
	switch (d) {
	case 0:
		return 1.0;
	case 1:
		return n <= 3 ? 0.60 : n == 4 ? 0.85 : 0.92;
	case 2:
		return n >= 9 ? 0.82 : n >= 7 ? 0.72 : n >= 5 ? 0.60 : 0.50;
	case 3:
		return n >= 12 ? 0.75 : n >= 9 ? 0.62 : 0.45;
	default:
		return 0.8 * (1.0 - (double)d / (double)n);
	}
}

/* The spelling similarity of two words (of LA and LB letters):
 * Jaro-Winkler, capped by what their edit distance allows for their
 * length — one changed letter is a typo or a transliteration variant, two
 * in a short word are another name ("Orban" and "Orbach"), three need a
 * long word.  KNOWN: their edit distance when it is known, else -1. */
static double
spelling_known(const char *a, size_t la, const char *b, size_t lb, int known,
    int *distance, bool need_distance)
{
	size_t n = la > lb ? la : lb;
	double cap, jw;
	int d;

	/* One edit (of the words whole) in four letters or more: the
	 * similarity is the cap, as Jaro-Winkler is then at least the floor
	 * (0.74 at least; test_match checks every one-edit pair of words of
	 * up to seven to twelve letters over alphabets of four to two, and
	 * random ones to 31 letters): not computed. */
	if (known == 1 && n >= CH_MATCH_JW_ONE_EDIT_FROM &&
	    la < CH_MATCH_TOKEN_MAX && lb < CH_MATCH_TOKEN_MAX) {
		*distance = 1;
		return edit_cap(1, n);
	}
	jw = ch_match_jaro_winkler_n(a, la, b, lb);
	/* The cap only lowers Jaro-Winkler but for one edit, which a
	 * Jaro-Winkler this low cannot be: skip the edit distance. */
	if (jw < TOKEN_FLOOR && !need_distance) {
		*distance = (int)n;
		return jw;
	}
	d = known >= 0 ? known : edit_distance(a, la, b, lb);
	*distance = d;
	if (n == 0)
		return 0.0;
	cap = edit_cap(d, n);
	/* One letter off is a typo wherever it falls, even the first. */
	return d == 1 || jw > cap ? cap : jw;
}

double
ch_match_edit_cap(int d, size_t n)
{
	return edit_cap(d, n);
}

static size_t shared_token_letters(
    const struct ch_match_token *a, const struct ch_match_token *b);
static size_t shared_base_letters(
    const struct ch_match_token *a, const struct ch_match_token *b);

size_t
ch_match_shared_letters(
    const struct ch_match_token *a, const struct ch_match_token *b)
{
	return shared_token_letters(a, b);
}

size_t
ch_match_shared_base_letters(
    const struct ch_match_token *a, const struct ch_match_token *b)
{
	return shared_base_letters(a, b);
}

/* Whether the spelling similarity of A and B is surely under
 * TOKEN_FLOOR, from the letters they share: as many as Jaro's matches can
 * be (Jaro-Winkler with no transposition and their common prefix bounds
 * it above), and all the others to be edited (at least as many edits as
 * the longer word has letters not shared, a bound of the edit distance
 * that caps the similarity, see spelling). */
/* How many letters A (LA of them) and B (LB) have in common, each
 * counted once: at least as many as they share (other characters count
 * as one letter). */
static size_t
shared_letters(const char *a, size_t la, const char *b, size_t lb)
{
	unsigned char count[27] = {0};
	size_t c = 0;

	for (size_t i = 0; i < la; i++) {
		unsigned k = (unsigned)(unsigned char)a[i] - 'a';

		count[k < 26 ? k : 26]++;
	}
	for (size_t i = 0; i < lb; i++) {
		unsigned k = (unsigned)(unsigned char)b[i] - 'a';

		k = k < 26 ? k : 26;
		if (count[k] > 0) {
			count[k]--;
			c++;
		}
	}
	return c;
}

/* shared_letters of the texts of tokens A and B, from the letters each
 * has at least once, twice, three and four times (ch_match_token_keys):
 * the same count, without reading the texts, when one of them has no
 * letter more than four times and neither a digit. */
static size_t
shared_counted(const unsigned *a, const unsigned *b)
{
	/* Bits set in both halves of X and of Y: each letter counts once
	 * per level both reach (min of the two counts, at most 4). */
	uint64_t x = (uint64_t)(a[0] & b[0]) << 32 | (a[1] & b[1]);
	uint64_t y = (uint64_t)(a[2] & b[2]) << 32 | (a[3] & b[3]);

#ifdef CH_MATCH_POPCNT_ASM
	if (ch_match_popcnt)
		return (size_t)ch_match_bits64(x) + ch_match_bits64(y);
#endif
	x = x - (x >> 1 & 0x5555555555555555ULL);
	y = y - (y >> 1 & 0x5555555555555555ULL);
	x = (x & 0x3333333333333333ULL) + (x >> 2 & 0x3333333333333333ULL);
	y = (y & 0x3333333333333333ULL) + (y >> 2 & 0x3333333333333333ULL);
	x = (x + (x >> 4)) & 0x0f0f0f0f0f0f0f0fULL;
	y = (y + (y >> 4)) & 0x0f0f0f0f0f0f0f0fULL;
	/* (at most 8 a byte each, 128 in all) */
	return (size_t)(((x + y) * 0x0101010101010101ULL) >> 56);
}

static size_t
shared_token_letters(
    const struct ch_match_token *a, const struct ch_match_token *b)
{
	unsigned ma[4] = {a->letters, a->letters_more[0], a->letters_more[1],
	    a->letters_more[2]},
		 mb[4] = {b->letters, b->letters_more[0], b->letters_more[1],
		     b->letters_more[2]};

	if (a->digit || b->digit || (a->most > 4 && b->most > 4))
		return shared_letters(a->text, a->len, b->text, b->len);
	return shared_counted(ma, mb);
}

/* The same of their texts without a glued particle. */
static size_t
shared_base_letters(
    const struct ch_match_token *a, const struct ch_match_token *b)
{
	if (a->digit || b->digit || (a->base_most > 4 && b->base_most > 4))
		return shared_letters(a->text + a->stem,
		    (size_t)(a->len - a->stem), b->text + b->stem,
		    (size_t)(b->len - b->stem));
	return shared_counted(a->base_letters, b->base_letters);
}

/* The same for FLOOR (at least TOKEN_FLOOR); C: shared_letters of A and B
 * when the caller knows it, else SIZE_MAX. */
static bool
spelling_under(
    const char *a, size_t la, const char *b, size_t lb, double floor, size_t c)
{
	size_t prefix = 0;
	double jaro;

	if (la == 0 || lb == 0)
		return la != lb;
	if (c == SIZE_MAX)
		c = shared_letters(a, la, b, lb);
	if (c == 0)
		return true;
	/* Words of a token: the edit distance reads them whole. */
	if (la < CH_MATCH_TOKEN_MAX && lb < CH_MATCH_TOKEN_MAX &&
	    edit_cap((int)((la > lb ? la : lb) - c), la > lb ? la : lb) <
		floor - 1e-9)
		return true;
	jaro = ((double)c / (double)la + (double)c / (double)lb + 1.0) / 3.0;
	while (
	    prefix < 4 && prefix < la && prefix < lb && a[prefix] == b[prefix])
		prefix++;
	return jaro + (double)prefix * 0.1 * (1.0 - jaro) < floor - 1e-9;
}

static bool
spelling_under_floor(
    const char *a, size_t la, const char *b, size_t lb, size_t c)
{
	return spelling_under(a, la, b, lb, TOKEN_FLOOR, c);
}

/* Whether the spelling similarity of A's and B's texts is surely under
 * TOKEN_FLOOR from their sets of letters alone (cheaper than
 * spelling_under_floor): each letter of one that the other lacks is at
 * least one edit. */
static bool
letters_under_floor(
    const struct ch_match_token *a, const struct ch_match_token *b)
{
	unsigned common = ch_match_bits(a->letters & b->letters);
	unsigned only_a = a->n_letters - common;
	unsigned only_b = b->n_letters - common;
	size_t n = a->len > b->len ? a->len : b->len;

	return n > 0 && n < CH_MATCH_TOKEN_MAX &&
	    edit_cap((int)(only_a > only_b ? only_a : only_b), n) <
	    TOKEN_FLOOR - 1e-9;
}

/* What the floor's tests of a pair of tokens A and B ask again and
 * again, found once (a query compares a word with thousands): whether
 * their sounds agree (a Double Metaphone code in common, as the phonetic
 * allowance asks), whether their skeletons do (not empty), and how many
 * letters they share (shared_token_letters); -1 and SIZE_MAX until
 * found. */
struct pair_facts {
	signed char phon, skel;
	size_t shared;
};

#define PAIR_FACTS_UNKNOWN                                                     \
	{                                                                      \
		-1, -1, SIZE_MAX                                               \
	}

static inline bool
facts_phon(const struct ch_match_token *a, const struct ch_match_token *b,
    struct pair_facts *f)
{
	if (f->phon < 0)
		f->phon = (signed char)(same_key(a->phon1, b->phon1) ||
		    same_key(a->phon1, b->phon2) ||
		    same_key(a->phon2, b->phon1));
	return f->phon != 0;
}

static inline bool
facts_skel(const struct ch_match_token *a, const struct ch_match_token *b,
    struct pair_facts *f)
{
	if (f->skel < 0)
		f->skel = (signed char)(a->skeleton[0] != '\0' &&
		    a->skeleton[0] == b->skeleton[0] &&
		    same_short(a->skeleton + 1, b->skeleton + 1));
	return f->skel != 0;
}

static inline size_t
facts_shared(const struct ch_match_token *a, const struct ch_match_token *b,
    struct pair_facts *f)
{
	if (f->shared == SIZE_MAX)
		f->shared = shared_token_letters(a, b);
	return f->shared;
}

/* Whether the similarity of A and B (words, no glued particle on
 * either, whatever their sounds) is surely under FLOOR (at least
 * TOKEN_FLOOR): the letters one has and the other lacks, or their
 * lengths, make two edits or more (no typo, no vowel allowance), too many
 * for the sound and skeleton allowances (an edit in three letters, in
 * two), and the edit cap of those edits or the letters they share keep
 * the spelling under it (spelling_under).  token_similarity would
 * compute Jaro-Winkler and the edit distance to find the same. */
static bool
letters_under(const struct ch_match_token *a, const struct ch_match_token *b,
    double floor, struct pair_facts *f)
{
	unsigned common = ch_match_bits(a->letters & b->letters);
	size_t only_a = a->n_letters - common, only_b = b->n_letters - common;
	size_t n = a->len > b->len ? a->len : b->len;
	size_t d = a->len > b->len ? a->len - b->len : b->len - a->len;
	size_t shared = facts_shared(a, b, f);

	if (only_a > d)
		d = only_a;
	if (only_b > d)
		d = only_b;
	/* Each letter of the longer word not shared (counted as often as
	 * it occurs) is an edit too. */
	if (n - shared > d)
		d = n - shared;
	if (d < 2 || n >= CH_MATCH_TOKEN_MAX)
		return false;
	if (n >= 5 &&
	    ((facts_phon(a, b, f) && d * 3 <= n) ||
		(facts_skel(a, b, f) && d * 2 <= n)))
		return false;
	return edit_cap((int)d, n) < floor - 1e-9 ||
	    spelling_under(a->text, a->len, b->text, b->len, floor, shared);
}

static bool
token_under(const struct ch_match_token *a, const struct ch_match_token *b,
    double floor, struct pair_facts *f)
{
	return a->role == CH_TOKEN_NAME && b->role == CH_TOKEN_NAME &&
	    a->stem == 0 && b->stem == 0 && !a->digit && !b->digit &&
	    floor >= TOKEN_FLOOR && letters_under(a, b, floor, f);
}

bool
ch_match_token_under(const struct ch_match_token *a,
    const struct ch_match_token *b, double floor)
{
	struct pair_facts f = PAIR_FACTS_UNKNOWN;

	return token_under(a, b, floor, &f);
}

static bool edits_under(const struct ch_match_token *a,
    const struct ch_match_token *b, double floor, int *d_full, int *d_stem,
    struct pair_facts *f);

bool
ch_match_token_under_edits(const struct ch_match_token *a,
    const struct ch_match_token *b, double floor)
{
	int d_full = -1, d_stem = -1;
	struct pair_facts f = PAIR_FACTS_UNKNOWN;

	return a->role == CH_TOKEN_NAME && b->role == CH_TOKEN_NAME &&
	    !a->digit && !b->digit && floor >= TOKEN_FLOOR &&
	    edits_under(a, b, floor, &d_full, &d_stem, &f);
}

/*
 * Whether t is one syllable of Hanyu Pinyin (without tones): an initial
 * and a final.  Two different syllables are two different characters —
 * "Zheng" and "Zhang" are two surnames, not two spellings of one — so the
 * transliteration allowances for vowels and sounds do not apply between
 * them.  (Some combinations accepted here are not in the language; none
 * is a name of another origin of five letters or more that matters.)
 */
bool
ch_match_pinyin_syllable(const char *t)
{
	static const char *const initials[] = {"zh", "ch", "sh", "b", "p", "m",
	    "f", "d", "t", "n", "l", "g", "k", "h", "j", "q", "x", "r", "z",
	    "c", "s", "y", "w", ""};
	static const char *const finals[] = {"a", "o", "e", "i", "u", "v", "ai",
	    "ei", "ao", "ou", "an", "en", "ang", "eng", "ong", "er", "ia", "ie",
	    "iao", "iu", "ian", "in", "iang", "ing", "iong", "ua", "uo", "uai",
	    "ui", "uan", "un", "uang", "ueng", "ue", "ve"};

	/* No syllable is longer than an initial of two and a final of
	 * four. */
	if (strnlen(t, 7) > 6)
		return false;
	for (size_t i = 0; i < CH_ARRAY_LEN(initials); i++) {
		size_t n = strlen(initials[i]);

		if (strncmp(t, initials[i], n) != 0)
			continue;
		for (size_t f = 0; f < CH_ARRAY_LEN(finals); f++)
			if (strcmp(t + n, finals[f]) == 0)
				return true;
	}
	return false;
}

/* Whether t begins with a glued name-forming particle: Abd..., Abu...
 * (not the article al-, el-). */
static bool
name_forming_glue(const struct ch_match_token *t)
{
	return t->stem != 0 && t->text[0] == 'a' && t->text[1] == 'b';
}

/* Whether the similarity of A and B (not initials, particles or
 * numbers) is surely under FLOOR from their edit distances: read whole,
 * and without a glued particle, each spelling is at most the cap of its
 * edits (spelling_known), and no vowel (one edit, the same skeleton),
 * sound (edits at most a third of the letters) or skeleton (a half)
 * allowance can apply with either's edits.  The distances computed go to
 * *D_FULL and *D_STEM (else -1), for spelling_known; those already there
 * (not -1: found for another floor) are not computed again. */
static bool
edits_under(const struct ch_match_token *a, const struct ch_match_token *b,
    double floor, int *d_full, int *d_stem, struct pair_facts *f)
{
	size_t la = a->len - a->stem, lb = b->len - b->stem;
	size_t n = la > lb ? la : lb, nf = a->len > b->len ? a->len : b->len;
	bool phon, skel, full_out = false, stem_out = false;

	if (n == 0)
		return false;
	/* Each letter of the longer word not shared is an edit: when those
	 * lower bounds already keep a spelling under FLOOR and leave it no
	 * allowance (two edits or more, more than a third or a half of the
	 * letters), its distance would find the same (the cap falls and the
	 * allowances close as the edits grow) and is not computed; when they
	 * do for both spellings, the pair is under. */
	if (nf < CH_MATCH_TOKEN_MAX) {
		size_t dm = nf - facts_shared(a, b, f), ds = dm;

		if (a->stem != 0 || b->stem != 0)
			ds = n - shared_base_letters(a, b);
		full_out = dm >= 2 && edit_cap((int)dm, nf) < floor &&
		    !(facts_phon(a, b, f) && dm * 3 <= n) &&
		    !(facts_skel(a, b, f) && dm * 2 <= n);
		stem_out = ds >= 2 && edit_cap((int)ds, n) < floor &&
		    !(facts_phon(a, b, f) && ds * 3 <= n) &&
		    !(facts_skel(a, b, f) && ds * 2 <= n);
		if (full_out && stem_out)
			return true;
	}
	if (*d_full < 0 && !full_out)
		*d_full = edit_distance(a->text, a->len, b->text, b->len);
	if (*d_full >= 0 && (*d_full == 0 || edit_cap(*d_full, nf) >= floor))
		return false;
	if (a->stem != 0 || b->stem != 0) {
		if (*d_stem < 0 && !stem_out)
			*d_stem = edit_distance(
			    a->text + a->stem, la, b->text + b->stem, lb);
		if (*d_stem >= 0 &&
		    (*d_stem == 0 || edit_cap(*d_stem, n) >= floor))
			return false;
	}
	phon = facts_phon(a, b, f);
	skel = facts_skel(a, b, f);
	for (int k = 0; k < 2; k++) {
		int dk = k == 0 ? *d_full : *d_stem;
		size_t e = (size_t)dk;

		if (dk < 0)
			continue;
		if (e == 1 && n >= 5 && skel && at_least(a->skeleton, 2))
			return false;
		if (n >= 5 && la > 2 && lb > 2 &&
		    ((phon && e * 3 <= n) ||
			(skel && at_least(a->skeleton, 3) && e * 2 <= n)))
			return false;
	}
	return true;
}

/* The similarity of two tokens, 0..1, and how it was found; with
 * FLOOR_ONLY, a pair shown to be under TOKEN_FLOOR cheaply is 0 (what the
 * scorer does with it is the same: it does not align).  D_FULL and
 * D_STEM: their edit distances (whole, without a glued particle) when
 * known, else -1. */
static double
token_similarity_d(const struct ch_match_token *a,
    const struct ch_match_token *b, enum ch_match_how *how, bool floor_only,
    int d_full, int d_stem, struct pair_facts *f)
{
	const char *sa = a->text + a->stem, *sb = b->text + b->stem;
	double best, v;
	int d, ds;
	size_t n;
	bool sounds;

	*how = CH_HOW_EXACT;
	if (a->len == b->len && a->text[0] == b->text[0] &&
	    strcmp(a->text, b->text) == 0)
		return 1.0;
	if (a->role == CH_TOKEN_INITIAL || b->role == CH_TOKEN_INITIAL) {
		*how = CH_HOW_INITIAL;
		if (a->role == CH_TOKEN_PARTICLE ||
		    b->role == CH_TOKEN_PARTICLE)
			return 0.0;
		if (a->text[0] != b->text[0])
			return 0.0;
		/* "J." given for a listed "John" is likely; a listed "A."
		 * says little about a given "Abysec". */
		return b->role == CH_TOKEN_INITIAL &&
			a->role != CH_TOKEN_INITIAL
		    ? LISTED_INITIAL_SIMILARITY
		    : INITIAL_SIMILARITY;
	}
	if (a->role == CH_TOKEN_PARTICLE || b->role == CH_TOKEN_PARTICLE)
		return strcmp(ch_match_token_canon(a),
			   ch_match_token_canon(b)) == 0
		    ? 1.0
		    : 0.0;
	if (a->len - a->stem == b->len - b->stem && sa[0] == sb[0] &&
	    strcmp(sa, sb) == 0)
		return STEM_SIMILARITY;
	if (a->digit || b->digit)
		return 0.0;
	*how = CH_HOW_FUZZY;
	/* Few letters in common: nothing to align (a cheap test first). */
	{
		unsigned common = ch_match_bits(a->letters & b->letters);
		unsigned fewer =
		    a->n_letters < b->n_letters ? a->n_letters : b->n_letters;

		if (common * 2 < fewer &&
		    (a->skeleton[0] != b->skeleton[0] ||
			!same_short(a->skeleton, b->skeleton)))
			return 0.0;
	}
	sounds = facts_phon(a, b, f) || facts_skel(a, b, f);
	/* Neither sound nor skeleton agree: the similarity is the spelling's,
	 * Jaro-Winkler itself when under the floor (spelling). */
	if (floor_only && !sounds &&
	    (letters_under_floor(a, b) ||
		spelling_under_floor(
		    a->text, a->len, b->text, b->len, facts_shared(a, b, f))) &&
	    ((a->stem == 0 && b->stem == 0) ||
		spelling_under_floor(sa, a->len - a->stem, sb, b->len - b->stem,
		    shared_base_letters(a, b))))
		return 0.0;
	/* Sound or skeleton agree, but too far apart to be a variant. */
	if (floor_only && sounds && a->stem == 0 && b->stem == 0 &&
	    letters_under(a, b, TOKEN_FLOOR, f))
		return 0.0;
	/* The similarity is the best spelling's (read whole, or without a
	 * glued particle), raised by an allowance: under the floor when the
	 * edits cap both there and allow none.  (The edit distance is
	 * bit-parallel and cheaper than Jaro-Winkler; the distances found are
	 * not computed again.) */
	if (floor_only && edits_under(a, b, TOKEN_FLOOR, &d_full, &d_stem, f))
		return 0.0;
	/* One spelling (no glued particle) whose edits, known, cap it under
	 * the floor: its exact value (Jaro-Winkler under the cap) matters
	 * only under the floor, where any value is as good (not aligned),
	 * or below an allowance, which the edits decide — Jaro-Winkler is
	 * not computed.  (With two spellings the better one's edits decide
	 * the allowance: not here.) */
	if (floor_only && a->stem == 0 && b->stem == 0 && d_full >= 2 &&
	    a->len < CH_MATCH_TOKEN_MAX && b->len < CH_MATCH_TOKEN_MAX &&
	    edit_cap(d_full, a->len > b->len ? a->len : b->len) < TOKEN_FLOOR) {
		d = d_full;
		best = edit_cap(d_full, a->len > b->len ? a->len : b->len);
	} else
		best = spelling_known(
		    a->text, a->len, b->text, b->len, d_full, &d, sounds);
	if ((a->stem != 0 || b->stem != 0) &&
	    (v = spelling_known(sa, a->len - a->stem, sb, b->len - b->stem,
		 d_stem, &ds, sounds)) > best) {
		best = v;
		d = ds;
	}
	n = a->len - a->stem > b->len - b->stem ? a->len - a->stem
						: b->len - b->stem;
	if (n >= 5 && a->pinyin && b->pinyin)
		return best < PINYIN_CAP ? best : PINYIN_CAP;
	/* A name-forming particle dropped ("Karam" for "Abdulkarim": Abd
	 * al-Karim is another name than Karim) is one allowance already:
	 * not a vowel or a sound besides.  (An article, "al", is not.) */
	if (name_forming_glue(a) != name_forming_glue(b))
		return best;
	/* Only a vowel differs in a name of five letters or more: the usual
	 * variation of transliterations ("Usama", "Osama"; "Ladin", "Laden").
	 */
	if (d == 1 && n >= 5 && at_least(a->skeleton, 2) &&
	    facts_skel(a, b, f) && best < VOWEL_SIMILARITY) {
		*how = CH_HOW_SKELETON;
		best = VOWEL_SIMILARITY;
	}
	/* Sounds alike, or the same consonants: a transliteration variant,
	 * if not too many letters differ. */
	if (best < PHONETIC_FLOOR && n >= 5 && a->len - a->stem > 2 &&
	    b->len - b->stem > 2) {
		if (facts_phon(a, b, f) && (size_t)d * 3 <= n) {
			*how = CH_HOW_PHONETIC;
			best = PHONETIC_FLOOR;
		} else if (at_least(a->skeleton, 3) && facts_skel(a, b, f) &&
		    (size_t)d * 2 <= n) {
			*how = CH_HOW_SKELETON;
			best = PHONETIC_FLOOR;
		}
	}
	return best;
}

static double
token_similarity(const struct ch_match_token *a, const struct ch_match_token *b,
    enum ch_match_how *how, bool floor_only)
{
	struct pair_facts f = PAIR_FACTS_UNKNOWN;

	return token_similarity_d(a, b, how, floor_only, -1, -1, &f);
}

double
ch_match_token_similarity(
    const struct ch_match_token *a, const struct ch_match_token *b)
{
	enum ch_match_how how;

	return token_similarity(a, b, &how, false);
}

double
ch_match_token_similarity_floor(
    const struct ch_match_token *a, const struct ch_match_token *b)
{
	enum ch_match_how how;

	return token_similarity(a, b, &how, true);
}

double
ch_match_token_similarity_over(const struct ch_match_token *a,
    const struct ch_match_token *b, double floor)
{
	enum ch_match_how how;
	int d_full = -1, d_stem = -1;
	struct pair_facts f = PAIR_FACTS_UNKNOWN;

	if (token_under(a, b, floor, &f) ||
	    (a->role == CH_TOKEN_NAME && b->role == CH_TOKEN_NAME &&
		!a->digit && !b->digit && floor >= TOKEN_FLOOR &&
		edits_under(a, b, floor, &d_full, &d_stem, &f)))
		return 0.0;
	return token_similarity_d(a, b, &how, true, d_full, d_stem, &f);
}

static double compound_similarity(const struct ch_match_token *x,
    const struct ch_match_token *y, const struct ch_match_token *z);

double
ch_match_compound_similarity(const struct ch_match_token *x,
    const struct ch_match_token *y, const struct ch_match_token *z)
{
	return compound_similarity(x, y, z);
}

/* Two neighbouring tokens (X, Y) against one (Z): Jaro-Winkler of the
 * joined text, 0 when it is under COMPOUND_FLOOR or the tokens are not
 * names and particles. */
static double
compound_similarity(const struct ch_match_token *x,
    const struct ch_match_token *y, const struct ch_match_token *z)
{
	char joined[2 * CH_MATCH_TOKEN_MAX];
	double jw;
	int d;
	size_t lx, ly, lz;

	if (x->role == CH_TOKEN_INITIAL || y->role == CH_TOKEN_INITIAL ||
	    z->role != CH_TOKEN_NAME || x->role > CH_TOKEN_PARTICLE ||
	    (y->role > CH_TOKEN_PARTICLE && y->role != CH_TOKEN_SUFFIX) ||
	    x->text[0] != z->text[0])
		return 0.0;
	lx = x->len;
	ly = y->len;
	lz = z->len;
	/* Joined, they must begin alike (above) and be about as long. */
	if (lx + ly + 2 < lz || lz + 2 < lx + ly)
		return 0.0;
	/* A letter on one side only is at least one edit (the same bound
	 * as below, cheaper and weaker: from the sets of letters). */
	if (lx + ly < CH_MATCH_TOKEN_MAX && lz < CH_MATCH_TOKEN_MAX) {
		unsigned xy = x->letters | y->letters;
		unsigned only_xy = ch_match_bits(xy & ~z->letters);
		unsigned only_z = ch_match_bits(z->letters & ~xy);
		size_t n = lx + ly > lz ? lx + ly : lz;

		if (edit_cap((int)(only_xy > only_z ? only_xy : only_z), n) <
		    COMPOUND_FLOOR - 1e-9)
			return 0.0;
	}
	/* Each text is under CH_MATCH_TOKEN_MAX: both fit (no printf in
	 * the scorer's inner loop). */
	memcpy(joined, x->text, lx);
	memcpy(joined + lx, y->text, ly + 1);
	if (strcmp(joined, z->text) == 0)
		return 1.0;
	/* The letters not shared must be edited, and the edits cap the
	 * similarity (spelling): too many, and it cannot reach the floor
	 * (for words the edit distance reads whole). */
	if (lx + ly < CH_MATCH_TOKEN_MAX && lz < CH_MATCH_TOKEN_MAX) {
		size_t n = lx + ly > lz ? lx + ly : lz;

		if (edit_cap(
			(int)(n - shared_letters(joined, lx + ly, z->text, lz)),
			n) < COMPOUND_FLOOR - 1e-9)
			return 0.0;
	}
	/* The edit distance before Jaro-Winkler (it is the cheaper): the
	 * spelling's similarity is at most its cap (one edit: the cap). */
	d = edit_distance(joined, lx + ly, z->text, lz);
	if (edit_cap(d, lx + ly > lz ? lx + ly : lz) < COMPOUND_FLOOR)
		return 0.0;
	jw = spelling_known(joined, lx + ly, z->text, lz, d, &d, false);
	return jw >= COMPOUND_FLOOR ? jw : 0.0;
}

struct edge {
	double sim;
	int q, qn, e, en; /* first token and count on each side */
	enum ch_match_how how;
};

static int
edge_cmp(const void *pa, const void *pb)
{
	const struct edge *a = pa, *b = pb;

	if (a->sim != b->sim)
		return a->sim < b->sim ? 1 : -1;
	/* Prefer single tokens to compounds, then the earlier pair. */
	if (a->qn + a->en != b->qn + b->en)
		return a->qn + a->en - (b->qn + b->en);
	if (a->q != b->q)
		return a->q - b->q;
	return a->e - b->e;
}

#define EDGES_MAX (CH_MATCH_TOKENS_MAX * CH_MATCH_TOKENS_MAX * 3)

static void add_factor(struct ch_match_explain *why, const char *name, double v,
    const char *fmt, ...) __attribute__((format(printf, 4, 5)));

static void
add_factor(struct ch_match_explain *why, const char *name, double v,
    const char *fmt, ...)
{
	struct ch_match_factor *f;
	va_list ap;

	if (why == NULL || why->n_factors >= CH_MATCH_FACTORS_MAX)
		return;
	f = &why->factors[why->n_factors++];
	f->name = name;
	f->contribution = v;
	va_start(ap, fmt);
	vsnprintf(f->detail, sizeof(f->detail), fmt, ap);
	va_end(ap);
}

/* The weight of a token when it stands against another: a patronymic
 * against another patronymic is a conflict like any name. */
static double
full_weight(const struct ch_match_token *t)
{
	return t->role == CH_TOKEN_NAME && t->weight > 0 && !has_digit(t->text)
	    ? WEIGHT_NAME
	    : ch_match_token_weight(t);
}

/* Whether unaligned token I repeats an aligned token of its side
 * ("Sergey Sergey Shoigu"): a repeat costs nothing. */
static bool
repeated(
    const struct ch_match_token *const *t, size_t n, const bool *used, size_t i)
{
	for (size_t k = 0; k < n; k++)
		if (k != i && used[k] && strcmp(t[k]->text, t[i]->text) == 0)
			return true;
	return false;
}

double
ch_match_tokens(const struct ch_match_token *const *q, size_t nq,
    const struct ch_match_token *const *e, size_t ne, bool body,
    const double *sims, struct ch_match_explain *why)
{
	struct edge edges[EDGES_MAX];
	bool used_q[CH_MATCH_TOKENS_MAX] = {0},
	     used_e[CH_MATCH_TOKENS_MAX] = {0};
	double wq[CH_MATCH_TOKENS_MAX], we[CH_MATCH_TOKENS_MAX];
	double s = 0, aligned = 0, miss = 0, extra = 0, partial = 0, both;
	double miss_full = 0, extra_full = 0;
	bool name_aligned = false;
	double conflict, d, score, base, after_conflict, after_miss;
	size_t n_edges = 0, n_aligned_q = 0, n_active_q = 0;
	int order_q[CH_MATCH_TOKENS_MAX], order_e[CH_MATCH_TOKENS_MAX];
	size_t n_order = 0, inversions = 0;

	if (why != NULL) {
		why->n_alignments = 0;
		why->n_factors = 0;
		why->name_score = 0;
	}
	for (size_t i = 0; i < nq; i++)
		wq[i] = ch_match_token_weight(q[i]);
	for (size_t j = 0; j < ne; j++)
		we[j] = ch_match_token_weight(e[j]);
	for (size_t i = 0; i < nq; i++) {
		if (wq[i] == 0)
			continue;
		n_active_q++;
		for (size_t j = 0; j < ne; j++) {
			enum ch_match_how how;
			double sim;

			if (we[j] == 0)
				continue;
			if (sims != NULL && sims[i * ne + j] >= 0) {
				sim = sims[i * ne + j];
				how = CH_HOW_FUZZY;
			} else {
				sim = token_similarity(q[i], e[j], &how, false);
			}
			if (sim >= TOKEN_FLOOR)
				edges[n_edges++] = (struct edge){
				    sim, (int)i, 1, (int)j, 1, how};
			if (j + 1 < ne &&
			    (we[j + 1] > 0 ||
				e[j + 1]->role == CH_TOKEN_SUFFIX) &&
			    (sim = compound_similarity(e[j], e[j + 1], q[i])) >
				0)
				edges[n_edges++] = (struct edge){
				    sim, (int)i, 1, (int)j, 2, CH_HOW_COMPOUND};
			if (i + 1 < nq &&
			    (wq[i + 1] > 0 ||
				q[i + 1]->role == CH_TOKEN_SUFFIX) &&
			    (sim = compound_similarity(q[i], q[i + 1], e[j])) >
				0)
				edges[n_edges++] = (struct edge){
				    sim, (int)i, 2, (int)j, 1, CH_HOW_COMPOUND};
		}
	}
	if (n_active_q == 0)
		return 0.0;
	qsort(edges, n_edges, sizeof(*edges), edge_cmp);
	for (size_t k = 0; k < n_edges; k++) {
		struct edge *g = &edges[k];
		double w = 0;

		if (used_q[g->q] || (g->qn == 2 && used_q[g->q + 1]) ||
		    used_e[g->e] || (g->en == 2 && used_e[g->e + 1]))
			continue;
		for (int t = 0; t < g->qn; t++) {
			used_q[g->q + t] = true;
			w += wq[g->q + t];
		}
		for (int t = 0; t < g->en; t++)
			used_e[g->e + t] = true;
		s += g->sim * w;
		partial += (1.0 - g->sim) * w;
		for (int t = 0; t < g->qn; t++)
			name_aligned = name_aligned ||
			    (q[g->q + t]->role == CH_TOKEN_NAME &&
				(e[g->e]->role == CH_TOKEN_NAME ||
				    (g->en == 2 &&
					e[g->e + 1]->role == CH_TOKEN_NAME)));
		aligned += w;
		n_aligned_q += (size_t)g->qn;
		order_q[n_order] = g->q;
		order_e[n_order++] = g->e;
		if (why != NULL && why->n_alignments < CH_MATCH_TOKENS_MAX)
			why->alignments[why->n_alignments++] =
			    (struct ch_match_alignment){.query_token = g->q,
				.entry_token = g->e,
				.how = g->how,
				.similarity = g->sim,
				.weight = w};
	}
	for (size_t i = 0; i < nq; i++)
		if (!used_q[i] && !repeated(q, nq, used_q, i)) {
			miss += wq[i];
			miss_full += full_weight(q[i]);
		}
	for (size_t j = 0; j < ne; j++)
		if (!used_e[j] && !repeated(e, ne, used_e, j)) {
			extra += we[j];
			extra_full += full_weight(e[j]);
		}
	for (size_t a = 0; a < n_order; a++)
		for (size_t b = a + 1; b < n_order; b++)
			if ((order_q[a] < order_q[b]) !=
			    (order_e[a] < order_e[b]))
				inversions++;
	if (aligned == 0 || !name_aligned) {
		add_factor(why, "name", 0.0,
		    aligned == 0 ? "no query token aligned"
				 : "no name aligned with a name");
		return 0.0;
	}
	/* Tokens left over on both sides are names in place of each other
	 * (counted at full weight, so a patronymic against another is a
	 * conflict); the rest is missing or extra. */
	both = miss_full < extra_full ? miss_full : extra_full;
	if (miss_full > 0)
		miss *= 1.0 - both / miss_full;
	if (extra_full > 0)
		extra *= 1.0 - both / extra_full;
	conflict = CONFLICT_COST * both + PARTIAL_COST * partial;
	base = s / aligned;
	d = aligned + conflict;
	after_conflict = s / d;
	d += MISSING_COST * miss;
	after_miss = s / d;
	d += (body ? EXTRA_COST_BODY : EXTRA_COST) * extra;
	score = s / d;
	add_factor(why, "name", base, "%zu of %zu query tokens aligned",
	    n_aligned_q, n_active_q);
	if (conflict > 0)
		add_factor(why, "differ", after_conflict - base,
		    "unlike letters and names in place of each other "
		    "(weight %.2g)",
		    conflict);
	if (miss > 0)
		add_factor(why, "missing", after_miss - after_conflict,
		    "query tokens not in the entry (weight %.2g)", miss);
	if (extra > 0)
		add_factor(why, "extra", score - after_miss,
		    "entry tokens not in the query (weight %.2g)", extra);
	if (inversions > 0) {
		double before = score;

		score = score > ORDER_COST ? score - ORDER_COST : 0;
		add_factor(why, "order", score - before,
		    "%zu aligned pairs in another order", inversions);
	}
	if (why != NULL)
		why->name_score = score;
	return score;
}

static size_t
token_refs(const struct ch_match_name *n, const struct ch_match_token **out)
{
	for (size_t i = 0; i < n->n_tokens; i++)
		out[i] = &n->tokens[i];
	return n->n_tokens;
}

double
ch_match_names(const struct ch_match_name *query,
    const struct ch_match_name *entry, struct ch_match_explain *why)
{
	const struct ch_match_token *q[CH_MATCH_TOKENS_MAX],
	    *e[CH_MATCH_TOKENS_MAX];
	size_t nq = token_refs(query, q), ne = token_refs(entry, e);

	if (why != NULL) {
		why->query = *query;
		why->entry_name = *entry;
		why->entry_name_index = 0;
	}
	return ch_match_tokens(q, nq, e, ne,
	    entry->kind == CH_WATCH_ENTITY || entry->kind == CH_WATCH_VESSEL ||
		entry->kind == CH_WATCH_AIRCRAFT,
	    NULL, why);
}

/* ---- evidence ---- */

/* The years a date may stand for. */
static void
year_span(const struct ch_watch_date *d, int *lo, int *hi)
{
	*lo = d->year;
	*hi = d->year_to > d->year ? d->year_to : d->year;
	if (d->circa) {
		*lo -= 2;
		*hi += 2;
	}
}

/* The contribution of one pair of dates and its description. */
static double
date_evidence(const struct ch_watch_date *s, const struct ch_watch_date *e,
    char *detail, size_t size)
{
	int slo, shi, elo, ehi, gap;

	year_span(s, &slo, &shi);
	year_span(e, &elo, &ehi);
	if (slo == shi && elo == ehi && s->year == e->year) {
		if (s->month != 0 && e->month != 0 && s->day != 0 &&
		    e->day != 0 && s->month == e->month && s->day == e->day) {
			snprintf(detail, size, "exact %04d-%02d-%02d", s->year,
			    s->month, s->day);
			return DOB_EXACT;
		}
		if (s->month != 0 && e->month != 0 &&
		    (s->month != e->month ||
			(s->day != 0 && e->day != 0 && s->day != e->day))) {
			snprintf(detail, size, "year %d, day differs", s->year);
			return 0.0;
		}
		snprintf(detail, size, "year %d", s->year);
		return 0.03;
	}
	if (slo <= ehi && elo <= shi) {
		snprintf(
		    detail, size, "%d-%d within %d-%d", slo, shi, elo, ehi);
		return 0.015;
	}
	gap = slo > ehi ? slo - ehi : elo - shi;
	if (gap <= 2) {
		snprintf(detail, size, "near: %d years apart", gap);
		return 0.0;
	}
	snprintf(detail, size, "%d years apart", gap);
	return gap <= 5 ? -0.08 : -0.15;
}

static bool
same_country(const char *a, const char *b)
{
	char x[64], y[64];

	ch_match_ascii(a, x, sizeof(x));
	ch_match_ascii(b, y, sizeof(y));
	return strcasecmp(x, y) == 0;
}

double
ch_match_evidence_max(const struct ch_match_subject *subject)
{
	bool dob = subject->dob.year != 0;
	bool nationality =
	    subject->nationality != NULL && subject->nationality[0] != '\0';

	/* The same sums as ch_match_evidence makes, to the last bit. */
	if (dob && nationality)
		return CH_MATCH_EVIDENCE_MAX;
	return dob ? DOB_EXACT : nationality ? NATIONALITY_LISTED : 0.0;
}

double
ch_match_evidence(const struct ch_match_subject *subject,
    const struct ch_watch_entry *entry, double name_score,
    struct ch_match_explain *why)
{
	double score = name_score;

	if (subject->kind_known &&
	    (subject->kind == CH_WATCH_INDIVIDUAL) !=
		(entry->kind == CH_WATCH_INDIVIDUAL)) {
		score -= 0.30;
		add_factor(why, "kind", -0.30, "a person against a body");
	}
	if (subject->dob.year != 0 && entry->n_dobs > 0) {
		double best = -1;
		char detail[96] = "", d[96];

		for (size_t i = 0; i < entry->n_dobs; i++) {
			double v;

			if (entry->dobs[i].year == 0)
				continue;
			v = date_evidence(
			    &subject->dob, &entry->dobs[i], d, sizeof(d));
			if (v > best) {
				best = v;
				snprintf(detail, sizeof(detail), "%s", d);
			}
		}
		if (best > -1) {
			score += best;
			add_factor(why, "dob", best, "%s", detail);
		}
	}
	if (subject->nationality != NULL && subject->nationality[0] != '\0' &&
	    entry->n_nationalities > 0) {
		bool found = false;

		for (size_t i = 0; i < entry->n_nationalities && !found; i++)
			found = same_country(
			    subject->nationality, entry->nationalities[i]);
		score += found ? NATIONALITY_LISTED : -0.05;
		add_factor(why, "nationality",
		    found ? NATIONALITY_LISTED : -0.05,
		    found ? "%s listed" : "%s not listed",
		    subject->nationality);
	}
	if (subject->gender != 0 && entry->gender != 0 &&
	    toupper((unsigned char)subject->gender) != entry->gender) {
		score -= 0.10;
		add_factor(why, "gender", -0.10, "%c against %c",
		    subject->gender, entry->gender);
	}
	if (score < 0)
		score = 0;
	if (score > 1)
		score = 1;
	if (why != NULL)
		why->score = score;
	return score;
}

double
ch_match_score(const struct ch_match_subject *subject,
    const struct ch_watch_entry *entry, struct ch_match_explain *why)
{
	struct ch_match_name query, name;
	enum ch_watch_kind kind =
	    subject->kind_known ? subject->kind : CH_WATCH_OTHER;
	double best = -1;
	size_t best_i = 0;

	ch_match_normalise(subject->name, kind, &query);
	for (size_t i = 0; i < entry->n_names; i++) {
		double v;

		ch_match_normalise(entry->names[i].full, entry->kind, &name);
		v = ch_match_names(&query, &name, NULL) *
		    ch_match_quality_factor(entry->names[i].quality);
		if (v > best) {
			best = v;
			best_i = i;
		}
	}
	if (best < 0)
		best = 0;
	if (why != NULL && entry->n_names > 0) {
		ch_match_normalise(
		    entry->names[best_i].full, entry->kind, &name);
		return ch_match_explain_name(
		    subject, entry, &query, &name, best_i, why);
	}
	if (why != NULL) {
		memset(why, 0, sizeof(*why));
		why->query = query;
	}
	return ch_match_evidence(subject, entry, best, why);
}

double
ch_match_explain_name(const struct ch_match_subject *subject,
    const struct ch_watch_entry *entry, const struct ch_match_name *query,
    const struct ch_match_name *name, size_t name_index,
    struct ch_match_explain *why)
{
	double v, q = ch_match_quality_factor(entry->names[name_index].quality);

	memset(why, 0, sizeof(*why));
	v = ch_match_names(query, name, why);
	why->entry_name_index = name_index;
	if (q < 1.0)
		add_factor(
		    why, "alias", v * q - v, "a weak alias counts %.2g", q);
	why->name_score = v * q;
	return ch_match_evidence(subject, entry, v * q, why);
}

/* ---- rendering ---- */

static const char *const how_names[] = {
    [CH_HOW_EXACT] = "exact",
    [CH_HOW_FUZZY] = "jaro-winkler",
    [CH_HOW_PHONETIC] = "metaphone",
    [CH_HOW_SKELETON] = "skeleton",
    [CH_HOW_INITIAL] = "initial",
    [CH_HOW_COMPOUND] = "compound",
};

static const char *
token_text(const struct ch_match_name *n, int i)
{
	return i >= 0 && (size_t)i < n->n_tokens ? n->tokens[i].text : "?";
}

ch_err
ch_match_explain_text(const struct ch_match_explain *why, struct ch_buf *out)
{
	ch_err err;

	err = ch_buf_appendf(
	    out, "score %.3f (name %.3f)\n", why->score, why->name_score);
	for (size_t i = 0; i < why->n_alignments && err == CH_OK; i++) {
		const struct ch_match_alignment *a = &why->alignments[i];

		err = ch_buf_appendf(out, "  %s ~ %s: %s %.3f (weight %.2g)\n",
		    token_text(&why->query, a->query_token),
		    token_text(&why->entry_name, a->entry_token),
		    how_names[a->how], a->similarity, a->weight);
	}
	for (size_t i = 0; i < why->n_factors && err == CH_OK; i++)
		err = ch_buf_appendf(out, "  %-12s %+.3f  %s\n",
		    why->factors[i].name, why->factors[i].contribution,
		    why->factors[i].detail);
	return err;
}

static json_t *
name_json(const struct ch_match_name *n)
{
	json_t *a = json_array();

	for (size_t i = 0; a != NULL && i < n->n_tokens; i++)
		json_array_append_new(a, json_string(n->tokens[i].text));
	return a;
}

json_t *
ch_match_explain_json(const struct ch_match_explain *why)
{
	json_t *o, *al, *fa;

	al = json_array();
	fa = json_array();
	for (size_t i = 0; al != NULL && i < why->n_alignments; i++) {
		const struct ch_match_alignment *a = &why->alignments[i];

		json_array_append_new(al,
		    json_pack("{s:s, s:s, s:s, s:f, s:f}", "query",
			token_text(&why->query, a->query_token), "entry",
			token_text(&why->entry_name, a->entry_token), "how",
			how_names[a->how], "similarity", a->similarity,
			"weight", a->weight));
	}
	for (size_t i = 0; fa != NULL && i < why->n_factors; i++)
		json_array_append_new(fa,
		    json_pack("{s:s, s:f, s:s}", "name", why->factors[i].name,
			"contribution", why->factors[i].contribution, "detail",
			why->factors[i].detail));
	o = json_pack("{s:f, s:f, s:o, s:o, s:I, s:o, s:o}", "score",
	    why->score, "name_score", why->name_score, "query",
	    name_json(&why->query), "entry_name", name_json(&why->entry_name),
	    "entry_name_index", (json_int_t)why->entry_name_index, "alignments",
	    al, "factors", fa);
	return o;
}
