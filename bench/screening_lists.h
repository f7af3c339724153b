/*
 * screening_lists.h — BENCH-ONLY loaders of the OFAC SDN CSV files and
 * the UN consolidated XML into struct ch_watch_entry, so that the
 * screening benchmarks can run before the real importers (src/screening
 * import_*.c, branch screen-lists) are merged.  They read what the
 * benchmarks need (names, aliases and their quality, kind, dates of birth,
 * nationality, gender) and skip the rest; they are not validated parsers
 * and must not be used outside bench/.
 */
#ifndef CH_BENCH_SCREENING_LISTS_H
#define CH_BENCH_SCREENING_LISTS_H

#include "core/core.h"
#include "screening/watchlist.h"

struct bench_list {
	struct ch_watch_entry *entries;
	size_t n;
	size_t n_names;
	ch_arena *arena;
};

/* Read DIR/sdn.csv and DIR/alt.csv (or cons_prim.csv and cons_alt.csv
 * when PREFIX is "cons_", "" for the SDN).  False on error. */
bool bench_load_ofac(
    const char *dir, const char *prefix, struct bench_list *out);
/* Read the UN consolidated XML file PATH. */
bool bench_load_un(const char *path, struct bench_list *out);
void bench_list_free(struct bench_list *l);

/* realloc() that ends the benchmark when memory runs out. */
void *bench_realloc(void *p, size_t n);

/* The data directory: $CHANCERY_DATA or /work/shared/data. */
const char *bench_data_dir(void);

#endif
