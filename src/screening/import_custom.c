/*
 * import_custom.c — a watchlist of the post's own making, from CSV.
 *
 * The first record names the columns (any order, names in lower case):
 *
 *	name         required; the listed name, "FAMILY, Given" or as written
 *	aliases      other names, separated by ";"
 *	dob          date of birth: 1960-03-17, 17 Mar 1960, 1960, circa 1960,
 *	             1960 to 1962
 *	nationality  country names or ISO codes, separated by ";"
 *	gender       M, F, male, female or empty
 *	kind         individual (the default), entity, vessel or aircraft
 *	remarks      free text
 *	ref          the entry's id in the file (default: its name); unique
 *
 * All or nothing: the first bad field stops the import with a fault that
 * names its line and column, and nothing is returned.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core/csv.h"
#include "screening/countries.h"
#include "screening/import.h"

enum col {
	COL_NAME,
	COL_ALIASES,
	COL_DOB,
	COL_NATIONALITY,
	COL_GENDER,
	COL_KIND,
	COL_REMARKS,
	COL_REF,
	COL__COUNT
};

static const char *const col_names[COL__COUNT] = {"name", "aliases", "dob",
    "nationality", "gender", "kind", "remarks", "ref"};

#define NAME_MAX_CHARS 300
#define REMARKS_MAX_CHARS 4000

struct custom {
	ch_arena *arena;
	struct ch_fault *fault;
	int map[CH_CSV_MAX_FIELDS]; /* file column → enum col, -1 none */
	size_t ncols;
};

static ch_err fail(struct custom *c, size_t line, const char *column,
    const char *fmt, ...) __attribute__((format(printf, 4, 5)));

static ch_err
fail(struct custom *c, size_t line, const char *column, const char *fmt, ...)
{
	char field[96], detail[320];
	va_list ap;

	if (column != NULL)
		snprintf(
		    field, sizeof(field), "line %zu, column %s", line, column);
	else
		snprintf(field, sizeof(field), "line %zu", line);
	va_start(ap, fmt);
	vsnprintf(detail, sizeof(detail), fmt, ap);
	va_end(ap);
	ch_fault_set(c->fault, field, "%s", detail);
	return CH_ERR_INVALID;
}

static ch_err
header(struct custom *c, const struct ch_csv_row *row)
{
	bool seen[COL__COUNT] = {false};

	c->ncols = row->nfields;
	for (size_t i = 0; i < row->nfields; i++) {
		int k = -1;

		for (int j = 0; j < COL__COUNT; j++)
			if (strcmp(row->fields[i], col_names[j]) == 0)
				k = j;
		if (k < 0)
			return fail(c, row->line, NULL,
			    "column %zu is \"%.40s\", not one of name, "
			    "aliases, "
			    "dob, nationality, gender, kind, remarks, ref",
			    i + 1, row->fields[i]);
		if (seen[k])
			return fail(c, row->line, NULL,
			    "the column \"%s\" appears twice", col_names[k]);
		seen[k] = true;
		c->map[i] = k;
	}
	if (!seen[COL_NAME])
		return fail(c, row->line, NULL,
		    "the first line names the columns and must include "
		    "\"name\"");
	return CH_OK;
}

/* Each ";"-separated, trimmed, non-empty part of s through fn. */
static ch_err
parts(struct custom *c, struct ch_watch_entry *e, const char *s, size_t line,
    const char *column,
    ch_err (*fn)(
	struct custom *, struct ch_watch_entry *, char *, size_t, const char *))
{
	char *copy = ch_arena_strdup(c->arena, s), *p, *next;
	ch_err err = CH_OK;

	if (copy == NULL)
		return CH_ERR_NOMEM;
	for (p = copy; p != NULL && err == CH_OK; p = next) {
		next = strchr(p, ';');
		if (next != NULL)
			*next++ = '\0';
		p = ch_watch_trim(p);
		if (*p != '\0')
			err = fn(c, e, p, line, column);
	}
	return err;
}

static ch_err
one_alias(struct custom *c, struct ch_watch_entry *e, char *s, size_t line,
    const char *column)
{
	if (ch_utf8_length(s, strlen(s)) > NAME_MAX_CHARS)
		return fail(c, line, column,
		    "an alias is longer than %d characters", NAME_MAX_CHARS);
	return ch_watch_add_name(c->arena, e, s, CH_NAME_STRONG, false);
}

static ch_err
one_nationality(struct custom *c, struct ch_watch_entry *e, char *s,
    size_t line, const char *column)
{
	ch_err err;

	if (ch_country_code(s) == NULL)
		return fail(c, line, column,
		    "\"%.60s\" is not a country this importer knows; write "
		    "its ISO 3166-1 code (\"IQ\") or English name",
		    s);
	err = ch_watch_add_nationality(c->arena, e, s);
	if (err == CH_ERR_TOO_LARGE)
		return fail(c, line, column, "more than %d nationalities",
		    CH_WATCH_MAX_NATIONALITIES);
	return err;
}

static ch_err
record(struct custom *c, const struct ch_csv_row *row, struct ch_watch_entry *e)
{
	const char *v[COL__COUNT] = {NULL};
	struct ch_watch_date *d;
	ch_err err;

	if (row->nfields != c->ncols)
		return fail(c, row->line, NULL,
		    "%zu fields where the first line names %zu columns",
		    row->nfields, c->ncols);
	for (size_t i = 0; i < row->nfields; i++) {
		char *s = ch_arena_strdup(c->arena, row->fields[i]);

		if (s == NULL)
			return CH_ERR_NOMEM;
		s = ch_watch_trim(s);
		for (const char *p = s; *p != '\0'; p++)
			if ((unsigned char)*p < 0x20)
				return fail(c, row->line, col_names[c->map[i]],
				    "control characters are not allowed");
		v[c->map[i]] = s;
	}
	if (v[COL_NAME] == NULL || *v[COL_NAME] == '\0')
		return fail(c, row->line, "name", "the name is required");
	if (ch_utf8_length(v[COL_NAME], strlen(v[COL_NAME])) > NAME_MAX_CHARS)
		return fail(c, row->line, "name",
		    "the name is longer than %d characters", NAME_MAX_CHARS);
	e->ref = v[COL_REF] != NULL && *v[COL_REF] != '\0' ? v[COL_REF]
							   : v[COL_NAME];
	if (strlen(e->ref) > 200)
		return fail(
		    c, row->line, "ref", "the ref is longer than 200 bytes");
	if ((err = ch_watch_add_name(
		 c->arena, e, v[COL_NAME], CH_NAME_PRIMARY, false)) != CH_OK)
		return err;
	if (v[COL_ALIASES] != NULL &&
	    (err = parts(c, e, v[COL_ALIASES], row->line, "aliases",
		 one_alias)) != CH_OK)
		return err;
	if (v[COL_DOB] != NULL && *v[COL_DOB] != '\0') {
		d = ch_watch_push(
		    c->arena, (void **)&e->dobs, &e->n_dobs, sizeof(*d));
		if (d == NULL)
			return CH_ERR_NOMEM;
		if (!ch_watch_date_parse(v[COL_DOB], d))
			return fail(c, row->line, "dob",
			    "\"%.40s\" is not a date of birth; write "
			    "1960-03-17, 1960, circa 1960 or 1960 to 1962",
			    v[COL_DOB]);
	}
	if (v[COL_NATIONALITY] != NULL &&
	    (err = parts(c, e, v[COL_NATIONALITY], row->line, "nationality",
		 one_nationality)) != CH_OK)
		return err;
	if (v[COL_GENDER] != NULL && *v[COL_GENDER] != '\0') {
		const char *g = v[COL_GENDER];

		if (strcasecmp(g, "M") == 0 || strcasecmp(g, "male") == 0)
			e->gender = 'M';
		else if (strcasecmp(g, "F") == 0 ||
		    strcasecmp(g, "female") == 0)
			e->gender = 'F';
		else
			return fail(c, row->line, "gender",
			    "\"%.20s\" is not M, F or empty", g);
	}
	e->kind = CH_WATCH_INDIVIDUAL;
	if (v[COL_KIND] != NULL && *v[COL_KIND] != '\0') {
		const char *k = v[COL_KIND];

		if (strcmp(k, "individual") == 0)
			e->kind = CH_WATCH_INDIVIDUAL;
		else if (strcmp(k, "entity") == 0)
			e->kind = CH_WATCH_ENTITY;
		else if (strcmp(k, "vessel") == 0)
			e->kind = CH_WATCH_VESSEL;
		else if (strcmp(k, "aircraft") == 0)
			e->kind = CH_WATCH_AIRCRAFT;
		else
			return fail(c, row->line, "kind",
			    "\"%.20s\" is not individual, entity, vessel or "
			    "aircraft",
			    k);
	}
	if (v[COL_REMARKS] != NULL && *v[COL_REMARKS] != '\0') {
		if (ch_utf8_length(v[COL_REMARKS], strlen(v[COL_REMARKS])) >
		    REMARKS_MAX_CHARS)
			return fail(c, row->line, "remarks",
			    "the remarks are longer than %d characters",
			    REMARKS_MAX_CHARS);
		e->remarks = v[COL_REMARKS];
	}
	return CH_OK;
}

static int
ref_cmp(const void *a, const void *b)
{
	const struct ch_watch_entry *const *x = a, *const *y = b;

	return strcmp((*x)->ref, (*y)->ref);
}

ch_err
ch_watch_parse_custom(const char *csv, size_t len, ch_arena *arena,
    struct ch_watch_set *out, struct ch_fault *fault)
{
	struct custom c = {.arena = arena, .fault = fault};
	struct ch_watch_entry *entries = NULL, *e, **sorted;
	size_t n = 0, *lines = NULL, n_lines = 0, *ln;
	struct ch_csv r;
	struct ch_csv_row row;
	bool have_header = false;
	ch_err err;

	memset(out, 0, sizeof(*out));
	ch_csv_init(&r, csv, len, CH_WATCH_MAX_ENTRIES + 1);
	for (;;) {
		err = ch_csv_next(&r, &row, fault);
		if (err != CH_OK || row.nfields == 0)
			break;
		if (!have_header) {
			have_header = true;
			if ((err = header(&c, &row)) != CH_OK)
				break;
			continue;
		}
		e = ch_watch_push(arena, (void **)&entries, &n, sizeof(*e));
		ln = ch_watch_push(
		    arena, (void **)&lines, &n_lines, sizeof(*ln));
		if (e == NULL || ln == NULL) {
			err = CH_ERR_NOMEM;
			break;
		}
		*ln = row.line;
		if ((err = record(&c, &row, e)) != CH_OK)
			break;
	}
	ch_csv_free(&r);
	if (err == CH_ERR_TOO_LARGE)
		ch_fault_set(fault, "file", "more than %d entries in one list",
		    CH_WATCH_MAX_ENTRIES);
	if (err != CH_OK)
		return err;
	if (n == 0) {
		ch_fault_set(fault, "file",
		    "the file holds no entries: write a first line naming the "
		    "columns (name, aliases, dob, nationality, gender, kind, "
		    "remarks, ref), then one line per entry");
		return CH_ERR_INVALID;
	}
	/* Refs are the entries' identity across versions: unique. */
	sorted = ch_arena_alloc(arena, n * sizeof(struct ch_watch_entry *));
	if (sorted == NULL)
		return CH_ERR_NOMEM;
	for (size_t i = 0; i < n; i++)
		sorted[i] = &entries[i];
	qsort(sorted, n, sizeof(struct ch_watch_entry *), ref_cmp);
	for (size_t i = 1; i < n; i++)
		if (strcmp(sorted[i]->ref, sorted[i - 1]->ref) == 0) {
			size_t k = (size_t)(sorted[i] - entries);

			ch_fault_set(fault, "file",
			    "line %zu: the ref \"%.60s\" is already used by "
			    "another entry; give each entry its own ref (or "
			    "name)",
			    lines[k], sorted[i]->ref);
			return CH_ERR_INVALID;
		}
	out->entries = entries;
	out->n_entries = n;
	return CH_OK;
}
