/*
 * match_int.h — what the files of the matching engine share: the
 * phonetic helpers, the token weights and the scorer over token arrays
 * (so that the index scores its compact names without copying them).
 */
#ifndef CH_SCREENING_MATCH_INT_H
#define CH_SCREENING_MATCH_INT_H

#include <stdbool.h>
#include <stdint.h>

#include "screening/match.h"

#define CH_MATCH_PHON_MAX 6

/* The most a subject's evidence (date of birth, nationality, gender) can
 * add to a name score: the index's candidate bound allows for it. */
#define CH_MATCH_EVIDENCE_MAX 0.07

/* What a query token left unaligned costs, against its weight (score.c):
 * the index's candidate bound depends on it. */
#define CH_MATCH_MISSING_COST 0.45
/* And a token left over on each side, and one on the entry side only
 * (the least of a person's and a body's cost). */
#define CH_MATCH_CONFLICT_COST 3.0
#define CH_MATCH_EXTRA_COST 0.30
/* An entry token left over when the entry is a body, and what an aligned
 * pair's unlike part (1 - similarity) costs. */
#define CH_MATCH_EXTRA_COST_BODY 0.60
#define CH_MATCH_PARTIAL_COST 1.5

/* phonetic.c */
void ch_match_skeleton(const char *word, char *out, size_t size);

/* normalise.c */
/* Fill a token's phonetic keys, skeleton and glued particle from its
 * text and role. */
void ch_match_token_keys(struct ch_match_token *t);
/* The canonical spelling of a particle token ("ibn", "ben" -> "bin", as
 * recorded by ch_match_token_keys), else the token's text itself. */
const char *ch_match_token_canon(const struct ch_match_token *t);

/* phonetic.c */
/* ch_match_jaro_winkler of A and B of lengths LA and LB (strlen). */
double ch_match_jaro_winkler_n(
    const char *a, size_t la, const char *b, size_t lb);
/* From this many letters (the longer word), two words one edit apart
 * (optimal string alignment) have a Jaro-Winkler of at least
 * CH_MATCH_TOKEN_FLOOR: the spelling similarity of one edit is then its
 * cap without computing Jaro-Winkler (score.c; test_match checks it). */
#define CH_MATCH_JW_ONE_EDIT_FROM 4

/* score.c */
/* Whether T is one syllable of Hanyu Pinyin (recorded in a token by
 * ch_match_token_keys). */
bool ch_match_pinyin_syllable(const char *t);
/* The most a spelling similarity may be for D edits in words of at most N
 * letters (N > 0): one edit gives it exactly, more at most (it falls as D
 * grows). */
double ch_match_edit_cap(int d, size_t n);
/* How many letters the texts of A and B have in common, each counted as
 * often as it occurs in both: the longer word's letters less that many
 * are edits between them (the edit distance is at least that). */
size_t ch_match_shared_letters(
    const struct ch_match_token *a, const struct ch_match_token *b);
/* The same of their texts without a glued particle. */
size_t ch_match_shared_base_letters(
    const struct ch_match_token *a, const struct ch_match_token *b);
/* The similarity of two tokens as the scorer sees it, 0..1; pairs under
 * CH_MATCH_TOKEN_FLOOR do not align. */
double ch_match_token_similarity(
    const struct ch_match_token *a, const struct ch_match_token *b);
#define CH_MATCH_TOKEN_FLOOR 0.60
/* The same when it reaches CH_MATCH_TOKEN_FLOOR; under it, perhaps 0
 * (cheaper: a pair whose letters cannot reach the floor is not scored). */
double ch_match_token_similarity_floor(
    const struct ch_match_token *a, const struct ch_match_token *b);

/* Whether the similarity of names A and B is surely under FLOOR (at least
 * CH_MATCH_TOKEN_FLOOR) from their letters, lengths, sounds and
 * skeletons, without computing it; false when not sure. */
bool ch_match_token_under(const struct ch_match_token *a,
    const struct ch_match_token *b, double floor);
/* The same from their edit distances (whole, and without a glued
 * particle): each spelling at most the cap of its edits, and no vowel,
 * sound or skeleton allowance possible with them.  Two edit distances —
 * dearer than ch_match_token_under, cheaper than the similarity — and
 * words with a glued particle are read too. */
bool ch_match_token_under_edits(const struct ch_match_token *a,
    const struct ch_match_token *b, double floor);
/* ch_match_token_similarity_floor of A and B, 0 when either of the two
 * above finds it under FLOOR (at least CH_MATCH_TOKEN_FLOOR): the edit
 * distances found for FLOOR are not computed again. */
double ch_match_token_similarity_over(const struct ch_match_token *a,
    const struct ch_match_token *b, double floor);

/* The similarity of neighbouring tokens X and Y joined against Z, 0 when
 * the scorer would not align them so. */
double ch_match_compound_similarity(const struct ch_match_token *x,
    const struct ch_match_token *y, const struct ch_match_token *z);

/* The weight of a token in the name score (0 for titles and suffixes),
 * from its role and text (ch_match_role_weight), as recorded in the
 * token by ch_match_token_keys (ch_match_token_weight). */
double ch_match_role_weight(const struct ch_match_token *t);
#define ch_match_token_weight(t) ((t)->weight)

/* The name score of entry tokens E against query tokens Q (BODY: the
 * entry is a company, vessel or aircraft, whose extra words count more);
 * SIMS, when not NULL, holds nq x ne token similarities already known
 * (negative: not known); WHY as in ch_match_names (its query and
 * entry_name are not touched). */
double ch_match_tokens(const struct ch_match_token *const *q, size_t nq,
    const struct ch_match_token *const *e, size_t ne, bool body,
    const double *sims, struct ch_match_explain *why);

/* The most SUBJECT's evidence can add to a name score: a date of birth
 * and a nationality, CH_MATCH_EVIDENCE_MAX; one of them, less; neither,
 * nothing (kind and gender only take away). */
double ch_match_evidence_max(const struct ch_match_subject *subject);

/* The evidence factors of SUBJECT against ENTRY added to NAME_SCORE into
 * WHY (may be NULL); returns the final score, clamped to 0..1. */
double ch_match_evidence(const struct ch_match_subject *subject,
    const struct ch_watch_entry *entry, double name_score,
    struct ch_match_explain *why);

/* The score of SUBJECT (normalised as QUERY) against ENTRY through its
 * name NAME_INDEX (normalised as NAME), with the explanation in WHY. */
double ch_match_explain_name(const struct ch_match_subject *subject,
    const struct ch_watch_entry *entry, const struct ch_match_name *query,
    const struct ch_match_name *name, size_t name_index,
    struct ch_match_explain *why);

/* index.c: a query that would read FROM names or more of its generators'
 * lists is first cut (names a true bound puts under the threshold are not
 * read); 1,024 by default, 0 every query, SIZE_MAX none.  Results are the same
 * either way: for the tests, which compare them.  Not while queries run. */
struct ch_match_index;
void ch_match_index_set_cut(struct ch_match_index *ix, size_t from);

/* How much a name of QUALITY is worth against the primary name. */
double ch_match_quality_factor(enum ch_watch_name_quality quality);

/* Bits set in v, for letter masks on hot paths, counted in software (the
 * build assumes no popcnt instruction: without it __builtin_popcount is a
 * library call). */
static inline unsigned
ch_match_bits_soft(unsigned v)
{
	v = v - (v >> 1 & 0x55555555u);
	v = (v & 0x33333333u) + (v >> 2 & 0x33333333u);
	v = (v + (v >> 4)) & 0x0f0f0f0fu;
	return (v * 0x01010101u) >> 24;
}

/* The same of a 64-bit V. */
static inline unsigned
ch_match_bits64_soft(uint64_t v)
{
	v = v - (v >> 1 & 0x5555555555555555ULL);
	v = (v & 0x3333333333333333ULL) + (v >> 2 & 0x3333333333333333ULL);
	v = (v + (v >> 4)) & 0x0f0f0f0f0f0f0f0fULL;
	return (unsigned)((v * 0x0101010101010101ULL) >> 56);
}

/* On x86-64 the popcnt instruction, where the processor has it (nearly
 * every one since 2008; score.c asks cpuid once, at start, into
 * ch_match_popcnt): one instruction for the dozen of the software count
 * — the letters' counts are a few per cent of a large query.  Written as
 * an asm statement, so that the build need not assume the instruction
 * (-mpopcnt) and no function is compiled twice; the software count
 * elsewhere, and when the flag is off (tests turn it off to compare). */
#if defined(__x86_64__) && defined(__GNUC__)
#define CH_MATCH_POPCNT_ASM 1
extern bool ch_match_popcnt;
#endif

/* Bits set in v. */
static inline unsigned
ch_match_bits(unsigned v)
{
#ifdef CH_MATCH_POPCNT_ASM
	if (ch_match_popcnt) {
		unsigned r;

		__asm__("popcntl %1, %0" : "=r"(r) : "r"(v) : "cc");
		return r;
	}
#endif
	return ch_match_bits_soft(v);
}

/* Bits set in the 64-bit v. */
static inline unsigned
ch_match_bits64(uint64_t v)
{
#ifdef CH_MATCH_POPCNT_ASM
	if (ch_match_popcnt) {
		uint64_t r;

		__asm__("popcntq %1, %0" : "=r"(r) : "r"(v) : "cc");
		return (unsigned)r;
	}
#endif
	return ch_match_bits64_soft(v);
}

#endif /* CH_SCREENING_MATCH_INT_H */
