/*
 * match.h — the screening matching engine: normalises names written in any
 * script, scores a subject against watchlist entries with an explanation of
 * every factor, and indexes entries from several lists so that a query
 * scores a small fraction of them.  A pure library: no store, no HTTP.
 *
 * Use:
 *   struct ch_match_list lists[] = {{"ofac-sdn", sdn, n_sdn}, ...};
 *   struct ch_match_index *ix = ch_match_index_create(lists, 2);
 *   struct ch_match_subject s = {.name = "Usama bin Ladin"};
 *   struct ch_match_params p = ch_match_params_default();
 *   struct ch_match_hit hits[10];
 *   size_t n;
 *   ch_match_query(ix, &s, &p, hits, 10, &n);
 *   ... hits[i].entry, hits[i].score, hits[i].level, hits[i].why ...
 *   ch_match_index_destroy(ix);
 *
 * The index only reads the entries: they (and their lists' arenas) must
 * outlive it.  Queries on one index may run concurrently from any number
 * of threads; create and destroy may not overlap a query.
 */
#ifndef CH_SCREENING_MATCH_H
#define CH_SCREENING_MATCH_H

#include <jansson.h>

#include "core/core.h"
#include "screening/watchlist.h"

/* Limits: a name keeps its first CH_MATCH_TOKENS_MAX tokens, and a token
 * its first CH_MATCH_TOKEN_MAX - 1 letters; the input name is read up to
 * CH_MATCH_NAME_MAX bytes.  Longer input is truncated, never refused. */
#define CH_MATCH_TOKENS_MAX 16
#define CH_MATCH_TOKEN_MAX 32
#define CH_MATCH_NAME_MAX 1024
#define CH_MATCH_FACTORS_MAX 12

/* ---- normalisation ---- */

/* What a token is.  Titles ("dr", "sheikh") and company suffixes ("ltd")
 * are dropped from scoring but kept for the explanation; particles ("al",
 * "bin", "van") count little; initials ("j") match any token they begin. */
enum ch_match_token_role {
	CH_TOKEN_NAME,
	CH_TOKEN_PARTICLE,
	CH_TOKEN_INITIAL,
	CH_TOKEN_TITLE,
	CH_TOKEN_SUFFIX,
};

struct ch_match_token {
	char text[CH_MATCH_TOKEN_MAX];     /* ASCII, lower case: "zawahiri" */
	char phon1[8], phon2[8];           /* Double Metaphone, primary/alt */
	char skeleton[CH_MATCH_TOKEN_MAX]; /* consonants: "zwhr" */
	unsigned char stem;                /* letters of a glued particle:
					      "alzawahiri" 2, else 0 */
	double weight;                     /* in the name score, by role */
	unsigned int letters;              /* bit i: letter 'a' + i occurs */
	unsigned int letters_more[3];      /* bit i: it occurs at least 2, 3,
					      4 times */
	unsigned int base_letters[4];      /* the same without the glued
					      particle: at least 1 .. 4 */
	unsigned char most, base_most;     /* the most times a letter occurs
					      (a character not a letter or
					      digit: 255) */
	unsigned char len;                 /* strlen(text) */
	bool digit;                        /* text holds a digit */
	bool pinyin;                       /* text is one Pinyin syllable */
	unsigned char n_letters;           /* bits set in letters */
	unsigned char canon;               /* its particle spelling's row in
					      normalise.c + 1, else 0 */
	enum ch_match_token_role role;
};

/* A normalised name: its tokens in the order of the name as spoken
 * ("LAST, First" is turned to "First LAST"), particles split from their
 * name ("al-Zawahiri" -> "al" "zawahiri", "Alzawahiri" likewise). */
struct ch_match_name {
	struct ch_match_token tokens[CH_MATCH_TOKENS_MAX];
	size_t n_tokens;
	char ascii[CH_MATCH_NAME_MAX]; /* the whole name, ASCII lower case */
	enum ch_watch_kind kind;       /* as normalised */
};

/*
 * Normalise NAME (UTF-8, any script; NULL is the empty name) as a name of
 * an entity of KIND (company suffixes are recognised for entities,
 * vessels and aircraft, titles for individuals; CH_WATCH_OTHER does both).
 * Never fails: input that is not UTF-8 is read as its ASCII letters.
 * Thread-safe.
 */
void ch_match_normalise(
    const char *name, enum ch_watch_kind kind, struct ch_match_name *out);

/* The ASCII transliteration of a UTF-8 string: NFKC, any script to Latin,
 * Latin to ASCII, lower case; other characters kept as they are.
 * Thread-safe (one transliterator per thread, freed at thread exit). */
void ch_match_ascii(const char *in, char *out, size_t size);

/* Double Metaphone keys of an ASCII word (letters only, any case): primary
 * and alternate, each up to 6 characters (out buffers of 8 bytes). */
void ch_match_metaphone(const char *word, char primary[8], char alternate[8]);

/* Jaro-Winkler similarity of two ASCII strings, 0..1. */
double ch_match_jaro_winkler(const char *a, const char *b);

/*
 * Parse a date of birth as people and lists write it into OUT: "1965",
 * "1965-03-12", "12/03/1965" (day first), "12 Mar 1965", "Mar 1965",
 * "circa 1965", "ca. 1965", "approximately 1965", "1960 to 1962",
 * "1960-1962".  False (OUT zeroed) when S is none of these.
 */
bool ch_match_parse_date(const char *s, struct ch_watch_date *out);

/* ---- subjects, evidence and scores ---- */

/* What is known about the person or body being screened.  Only name is
 * required; kind_known false means any kind. */
struct ch_match_subject {
	const char *name;
	enum ch_watch_kind kind;
	bool kind_known;
	struct ch_watch_date dob; /* year 0: unknown */
	const char *nationality;  /* ISO 3166-1 alpha-2 or a country name */
	char gender;              /* 'M', 'F' or 0 */
};

enum ch_match_level {
	CH_MATCH_NONE,   /* below the review threshold */
	CH_MATCH_REVIEW, /* at or above review: a person should look */
	CH_MATCH_ALERT,  /* at or above alert: stop and check now */
};

/* Thresholds on the final score (0..1), per post; top_k caps the hits a
 * query returns (0: CH_MATCH_TOP_K_DEFAULT). */
struct ch_match_params {
	double review;
	double alert;
	size_t top_k;
};

#define CH_MATCH_TOP_K_DEFAULT 10

/* The engine's defaults (those measured in bench/screening-quality). */
struct ch_match_params ch_match_params_default(void);

/* One query token aligned to one entry token (index into the normalised
 * names of the explanation), with how they matched. */
enum ch_match_how {
	CH_HOW_EXACT,    /* same letters */
	CH_HOW_FUZZY,    /* Jaro-Winkler */
	CH_HOW_PHONETIC, /* same Double Metaphone key */
	CH_HOW_SKELETON, /* same consonant skeleton */
	CH_HOW_INITIAL,  /* an initial and the token it begins */
	CH_HOW_COMPOUND, /* two tokens on one side make one on the other */
};

struct ch_match_alignment {
	int query_token; /* index in why->query.tokens */
	int entry_token; /* index in why->entry_name.tokens */
	enum ch_match_how how;
	double similarity; /* 0..1 */
	double weight;     /* the token's weight in the name score */
};

/* A factor: one piece of evidence and what it did to the score. */
struct ch_match_factor {
	const char *name; /* "name", "dob", "nationality", "gender", "kind" */
	double contribution; /* added to the score (may be negative) */
	char detail[96]; /* "year 1951 = 1951", "query token 'x' unmatched" */
};

struct ch_match_explain {
	struct ch_match_name query;      /* the subject's name, normalised */
	struct ch_match_name entry_name; /* the entry's name that scored best */
	size_t entry_name_index;         /* its index in entry->names */
	struct ch_match_alignment alignments[CH_MATCH_TOKENS_MAX];
	size_t n_alignments;
	double name_score; /* 0..1, before evidence */
	struct ch_match_factor factors[CH_MATCH_FACTORS_MAX];
	size_t n_factors;
	double score; /* final, 0..1 */
};

/* The name similarity of two normalised names, 0..1, order-free; WHY may
 * be NULL, else its alignments, name_score and the name factors are
 * filled (query and entry_name are copied in). */
double ch_match_names(const struct ch_match_name *query,
    const struct ch_match_name *entry, struct ch_match_explain *why);

/* Score SUBJECT against ENTRY: the best of the entry's names, then date of
 * birth, nationality, gender and kind as evidence.  WHY may be NULL. */
double ch_match_score(const struct ch_match_subject *subject,
    const struct ch_watch_entry *entry, struct ch_match_explain *why);

/* Render an explanation as text (one factor per line) into OUT. */
ch_err ch_match_explain_text(
    const struct ch_match_explain *why, struct ch_buf *out);

/* An explanation as a JSON object (new reference; NULL on no memory):
 * {"score","name_score","query","entry_name","entry_name_index",
 *  "alignments":[{"query","entry","how","similarity","weight"}],
 *  "factors":[{"name","contribution","detail"}]}. */
json_t *ch_match_explain_json(const struct ch_match_explain *why);

/* ---- the index ---- */

/* One list given to the index: a name for the hits and its entries. */
struct ch_match_list {
	const char *name;
	const struct ch_watch_entry *entries;
	size_t n_entries;
};

struct ch_match_hit {
	size_t list;                        /* index in the lists given */
	const struct ch_watch_entry *entry; /* in that list */
	double score;
	enum ch_match_level level;
	struct ch_match_explain why;
};

struct ch_match_index;

/* Build an index over N_LISTS lists (the entries are read, not copied).
 * NULL when out of memory.  Thread-safe to query once built. */
struct ch_match_index *ch_match_index_create(
    const struct ch_match_list *lists, size_t n_lists);
/* NULL is a no-op. */
void ch_match_index_destroy(struct ch_match_index *ix);

/* Entries and names indexed, and bytes of memory the index holds. */
size_t ch_match_index_entries(const struct ch_match_index *ix);
size_t ch_match_index_names(const struct ch_match_index *ix);
size_t ch_match_index_bytes(const struct ch_match_index *ix);

/*
 * Screen SUBJECT: the entries scoring at or above params->review, best
 * first, at most MAX (and params->top_k) of them into HITS, their number
 * into *N_HITS.  CH_ERR_INVALID when the subject has no name tokens,
 * CH_ERR_NOMEM when scratch memory fails.  Thread-safe.
 */
ch_err ch_match_query(const struct ch_match_index *ix,
    const struct ch_match_subject *subject,
    const struct ch_match_params *params, struct ch_match_hit *hits, size_t max,
    size_t *n_hits);

/* The same as ch_match_query but scoring every entry (no candidate
 * generation): the reference the index is measured against. */
ch_err ch_match_scan(const struct ch_match_index *ix,
    const struct ch_match_subject *subject,
    const struct ch_match_params *params, struct ch_match_hit *hits, size_t max,
    size_t *n_hits);

/* How many names the last ch_match_query on this thread scored (for
 * the benchmarks: the fraction of the list a query touches). */
size_t ch_match_last_candidates(void);

#endif /* CH_SCREENING_MATCH_H */
