/*
 * screening_lists.c — the watchlists for the screening benchmarks, read
 * by the product's own importers (src/screening/import_*.c), so that the
 * benchmarks measure the entries `chancery watchlist import` loads: every
 * name and alias with its quality, the dates of birth, nationalities and
 * gender the importers find.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "screening/import.h"
#include "screening_lists.h"

void *
bench_realloc(void *p, size_t n)
{
	void *q = realloc(p, n);

	if (q == NULL) {
		fprintf(stderr, "out of memory\n");
		exit(1);
	}
	return q;
}

const char *
bench_data_dir(void)
{
	const char *d = getenv("CHANCERY_DATA");

	return d != NULL && d[0] != '\0' ? d : "/work/shared/data";
}

static bool
load(enum ch_watch_source source, const char *path, struct bench_list *out)
{
	struct ch_watch_set set;
	struct ch_fault fault;
	ch_err err;

	memset(out, 0, sizeof(*out));
	memset(&fault, 0, sizeof(fault));
	out->arena = ch_arena_create(1024u * 1024 * 1024);
	if (out->arena == NULL)
		return false;
	err = ch_watch_import_path(source, path, out->arena, &set, &fault);
	if (err != CH_OK) {
		fprintf(stderr, "%s: %s (%s)\n", path, fault.detail,
		    fault.field);
		bench_list_free(out);
		return false;
	}
	out->entries = set.entries;
	out->n = set.n_entries;
	for (size_t i = 0; i < out->n; i++)
		out->n_names += out->entries[i].n_names;
	return true;
}

bool
bench_load_ofac(const char *dir, const char *prefix, struct bench_list *out)
{
	return load(strcmp(prefix, "cons_") == 0 ? CH_WATCH_SRC_OFAC_CONS
						 : CH_WATCH_SRC_OFAC_SDN,
	    dir, out);
}

bool
bench_load_un(const char *path, struct bench_list *out)
{
	return load(CH_WATCH_SRC_UN, path, out);
}

void
bench_list_free(struct bench_list *l)
{
	ch_arena_destroy(l->arena);
	memset(l, 0, sizeof(*l));
}
