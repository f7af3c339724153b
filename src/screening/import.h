/*
 * import.h — the watchlist importers: OFAC SDN and consolidated non-SDN
 * (their CSV files), the UN Security Council consolidated list (its XML)
 * and custom CSV.  Each fills an array of ch_watch_entry (watchlist.h)
 * whose strings and arrays live in the caller's arena.  All or nothing: on
 * bad input an importer returns CH_ERR_INVALID with a fault that names the
 * file, line and column and says what is wrong, and out is left empty.
 *
 * Parsing works on bytes in memory (so the fuzz drivers reach it); the
 * ch_watch_import_path() front reads the files of a directory or one file.
 */
#ifndef CH_SCREENING_IMPORT_H
#define CH_SCREENING_IMPORT_H

#include "core/core.h"
#include "screening/watchlist.h"

/* The kinds of file an importer reads. */
enum ch_watch_source {
	CH_WATCH_SRC_OFAC_SDN, /* sdn.csv, alt.csv, add.csv, sdn_comments.csv */
	CH_WATCH_SRC_OFAC_CONS, /* cons_prim.csv, cons_alt.csv, ... */
	CH_WATCH_SRC_UN,        /* the consolidated XML */
	CH_WATCH_SRC_CUSTOM,    /* custom CSV (see import_custom.c) */
};

/* "ofac-sdn", "ofac-cons", "un", "custom". */
const char *ch_watch_source_code(enum ch_watch_source s);
bool ch_watch_source_parse(const char *s, enum ch_watch_source *out);

struct ch_watch_set {
	struct ch_watch_entry *entries;
	size_t n_entries;
};

#define CH_WATCH_MAX_FILE (64u * 1024 * 1024) /* bytes in one list file */
#define CH_WATCH_MAX_ENTRIES 500000           /* entries in one list */
#define CH_WATCH_MAX_NATIONALITIES 300        /* of one entry */

/* The four OFAC files in memory; alt, add and comments may be empty. */
struct ch_ofac_files {
	const char *prim, *alt, *add, *comments;
	size_t prim_len, alt_len, add_len, comments_len;
};

ch_err ch_watch_parse_ofac(const struct ch_ofac_files *files, bool consolidated,
    ch_arena *arena, struct ch_watch_set *out, struct ch_fault *fault);
ch_err ch_watch_parse_un(const char *xml, size_t len, ch_arena *arena,
    struct ch_watch_set *out, struct ch_fault *fault);
ch_err ch_watch_parse_custom(const char *csv, size_t len, ch_arena *arena,
    struct ch_watch_set *out, struct ch_fault *fault);

/*
 * Import from disk: a directory for the OFAC kinds (the four files, by
 * their official names), one file for the UN and custom kinds.
 * CH_ERR_IO with a fault naming the path when a file cannot be read.
 */
ch_err ch_watch_import_path(enum ch_watch_source source, const char *path,
    ch_arena *arena, struct ch_watch_set *out, struct ch_fault *fault);

/* ---- import_common.c: helpers shared by the importers ---- */
/* Append one element of size elem to *arr (n elements), growing it in the
 * arena by doubling; the new element is zeroed.  NULL when out of memory. */
void *ch_watch_push(ch_arena *arena, void **arr, size_t *n, size_t elem);
ch_err ch_watch_add_name(ch_arena *arena, struct ch_watch_entry *e,
    const char *full, enum ch_watch_name_quality quality, bool original);
/* Add a nationality: the ISO code when the name is known, else as listed;
 * a nationality already present is not added again.  CH_ERR_TOO_LARGE
 * when the entry has CH_WATCH_MAX_NATIONALITIES already. */
ch_err ch_watch_add_nationality(
    ch_arena *arena, struct ch_watch_entry *e, const char *name);
ch_err ch_watch_add_text(
    ch_arena *arena, const char ***arr, size_t *n, const char *s);
/*
 * Parse a date of birth as the lists write it: "1960-03-17", "1960",
 * "17 Mar 1960", "Mar 1960", "circa 1960", "1960 to 1962",
 * "01 Jan 1960 to 31 Dec 1962", "circa 1960-1962"; false when it is none
 * of these.
 */
bool ch_watch_date_parse(const char *s, struct ch_watch_date *out);
/* Read a whole file (at most max bytes) into the arena, NUL-terminated. */
ch_err ch_watch_read_file(const char *path, size_t max, ch_arena *arena,
    char **data, size_t *len, struct ch_fault *fault);
/* Trim spaces in place (returns s moved past leading ones). */
char *ch_watch_trim(char *s);

#endif /* CH_SCREENING_IMPORT_H */
