/*
 * import_common.c — what the watchlist importers share: arrays that grow
 * in the arena, names, nationalities (mapped to ISO codes), dates of birth
 * in the lists' many spellings, reading a file, and the dispatch from a
 * source kind and a path to the right importer.
 */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

#include "screening/countries.h"
#include "screening/import.h"

static const char *const source_codes[] = {
    [CH_WATCH_SRC_OFAC_SDN] = "ofac-sdn",
    [CH_WATCH_SRC_OFAC_CONS] = "ofac-cons",
    [CH_WATCH_SRC_UN] = "un",
    [CH_WATCH_SRC_CUSTOM] = "custom",
};

const char *
ch_watch_source_code(enum ch_watch_source s)
{
	if ((size_t)s >= sizeof(source_codes) / sizeof(source_codes[0]))
		return "custom";
	return source_codes[s];
}

bool
ch_watch_source_parse(const char *s, enum ch_watch_source *out)
{
	for (size_t i = 0; i < sizeof(source_codes) / sizeof(source_codes[0]);
	     i++)
		if (s != NULL && strcmp(s, source_codes[i]) == 0) {
			*out = (enum ch_watch_source)i;
			return true;
		}
	return false;
}

/* The capacity an array of n elements has: 0, then 4, 8, 16, ... */
static size_t
capacity(size_t n)
{
	size_t cap = 4;

	if (n == 0)
		return 0;
	while (cap < n)
		cap *= 2;
	return cap;
}

void *
ch_watch_push(ch_arena *arena, void **arr, size_t *n, size_t elem)
{
	char *base = *arr;

	if (*n == capacity(*n)) {
		size_t cap = *n == 0 ? 4 : *n * 2;
		char *grown = ch_arena_alloc(arena, cap * elem);

		if (grown == NULL)
			return NULL;
		if (*n > 0)
			memcpy(grown, base, *n * elem);
		base = grown;
		*arr = base;
	}
	memset(base + *n * elem, 0, elem);
	return base + (*n)++ * elem;
}

ch_err
ch_watch_add_name(ch_arena *arena, struct ch_watch_entry *e, const char *full,
    enum ch_watch_name_quality quality, bool original)
{
	struct ch_watch_name *nm;

	nm = ch_watch_push(arena, (void **)&e->names, &e->n_names, sizeof(*nm));
	if (nm == NULL || (nm->full = ch_arena_strdup(arena, full)) == NULL)
		return CH_ERR_NOMEM;
	nm->quality = quality;
	nm->original_script = original;
	return CH_OK;
}

ch_err
ch_watch_add_text(ch_arena *arena, const char ***arr, size_t *n, const char *s)
{
	const char **slot;

	slot = ch_watch_push(arena, (void **)arr, n, sizeof(*slot));
	if (slot == NULL || (*slot = ch_arena_strdup(arena, s)) == NULL)
		return CH_ERR_NOMEM;
	return CH_OK;
}

ch_err
ch_watch_add_nationality(
    ch_arena *arena, struct ch_watch_entry *e, const char *name)
{
	const char *code = ch_country_code(name);
	const char *value = code != NULL ? code : name;

	if (*value == '\0')
		return CH_OK;
	for (size_t i = 0; i < e->n_nationalities; i++)
		if (strcmp(e->nationalities[i], value) == 0)
			return CH_OK;
	/* The scan above is why there is a bound: unbounded, a crafted
	 * list costs time in the square of one entry's nationalities. */
	if (e->n_nationalities >= CH_WATCH_MAX_NATIONALITIES)
		return CH_ERR_TOO_LARGE;
	return ch_watch_add_text(
	    arena, &e->nationalities, &e->n_nationalities, value);
}

char *
ch_watch_trim(char *s)
{
	size_t n;

	while (*s == ' ' || *s == '\t' || *s == '\r' || *s == '\n')
		s++;
	n = strlen(s);
	while (n > 0 &&
	    (s[n - 1] == ' ' || s[n - 1] == '\t' || s[n - 1] == '\r' ||
		s[n - 1] == '\n'))
		s[--n] = '\0';
	return s;
}

/* ---- dates of birth ---- */

static const char *const months[] = {"jan", "feb", "mar", "apr", "may", "jun",
    "jul", "aug", "sep", "oct", "nov", "dec"};

/* A number of 1 to 4 digits at *p; advances *p. */
static bool
number(const char **p, int *out, int max_digits)
{
	int v = 0, digits = 0;

	while (isdigit((unsigned char)**p) && digits < max_digits) {
		v = v * 10 + (**p - '0');
		(*p)++;
		digits++;
	}
	if (digits == 0 || isdigit((unsigned char)**p))
		return false;
	*out = v;
	return true;
}

static void
spaces(const char **p)
{
	while (**p == ' ')
		(*p)++;
}

static bool
year_ok(int y)
{
	return y >= 1800 && y <= 2100;
}

/* One point: "1960-03-17", "17 Mar 1960", "Mar 1960" or "1960". */
static bool
point(const char **p, int *year, int *month, int *day)
{
	const char *s = *p;
	int a = 0;

	*year = *month = *day = 0;
	if (isdigit((unsigned char)*s)) {
		const char *start = s;

		if (!number(&s, &a, 4))
			return false;
		if (s - start == 4 && s[0] == '-' &&
		    isdigit((unsigned char)s[1]) &&
		    isdigit((unsigned char)s[2]) && s[3] == '-') {
			/* ISO: YYYY-MM-DD */
			s++;
			if (!number(&s, month, 2) || *s != '-')
				return false;
			s++;
			if (!number(&s, day, 2))
				return false;
			*year = a;
		} else if (s - start == 4) {
			*year = a;
		} else {
			*day = a;
			spaces(&s);
			goto month_name;
		}
		goto done;
	}
month_name:
	for (size_t m = 0; m < 12; m++)
		if (strncasecmp(s, months[m], 3) == 0 &&
		    !isalpha((unsigned char)s[3])) {
			*month = (int)m + 1;
			s += 3;
			break;
		}
	if (*month == 0)
		return false;
	spaces(&s);
	if (!number(&s, year, 4))
		return false;
done:
	if (!year_ok(*year) || *month > 12 || *day > 31 ||
	    (*day > 0 && *month == 0))
		return false;
	*p = s;
	return true;
}

bool
ch_watch_date_parse(const char *s, struct ch_watch_date *out)
{
	const char *p = s;
	int y2, m2, d2;

	memset(out, 0, sizeof(*out));
	spaces(&p);
	if (strncasecmp(p, "circa ", 6) == 0) {
		out->circa = true;
		p += 6;
	} else if (strncasecmp(p, "approximately ", 14) == 0) {
		out->circa = true;
		p += 14;
	}
	spaces(&p);
	if (!point(&p, &out->year, &out->month, &out->day))
		return false;
	spaces(&p);
	if (*p == '-' || strncasecmp(p, "to ", 3) == 0) {
		p += *p == '-' ? 1 : 3;
		spaces(&p);
		if (!point(&p, &y2, &m2, &d2) || y2 < out->year)
			return false;
		if (y2 > out->year) {
			/* A range keeps years only: it is that imprecise. */
			out->year_to = y2;
			out->month = out->day = 0;
		} else if (m2 != out->month || d2 != out->day) {
			out->month = out->day = 0;
		}
	}
	spaces(&p);
	if (*p == '.')
		p++;
	return *p == '\0';
}

/* ---- files ---- */

ch_err
ch_watch_read_file(const char *path, size_t max, ch_arena *arena, char **data,
    size_t *len, struct ch_fault *fault)
{
	struct stat st;
	FILE *f;
	long size;
	char *buf;

	/* Before opening: opening a named pipe would wait for a writer. */
	if (stat(path, &st) == 0 && !S_ISREG(st.st_mode)) {
		ch_fault_set(fault, path, "%s: give the list's file",
		    S_ISDIR(st.st_mode)
			? "this is a directory (only the OFAC kinds read one)"
			: "this is not a regular file (a pipe or a device)");
		return CH_ERR_INVALID;
	}
	f = fopen(path, "rb");
	if (f == NULL) {
		ch_fault_set(
		    fault, path, "cannot open the file: %s", strerror(errno));
		return CH_ERR_IO;
	}
	if (fseek(f, 0, SEEK_END) != 0 || (size = ftell(f)) < 0 ||
	    fseek(f, 0, SEEK_SET) != 0) {
		ch_fault_set(
		    fault, path, "cannot read the file: %s", strerror(errno));
		fclose(f);
		return CH_ERR_IO;
	}
	if ((size_t)size > max) {
		ch_fault_set(fault, path,
		    "the file has %ld bytes, more than the %zu a list may have",
		    size, max);
		fclose(f);
		return CH_ERR_TOO_LARGE;
	}
	buf = ch_arena_alloc(arena, (size_t)size + 1);
	if (buf == NULL) {
		fclose(f);
		return CH_ERR_NOMEM;
	}
	if (fread(buf, 1, (size_t)size, f) != (size_t)size) {
		ch_fault_set(fault, path, "cannot read the file: short read");
		fclose(f);
		return CH_ERR_IO;
	}
	fclose(f);
	buf[size] = '\0';
	*data = buf;
	*len = (size_t)size;
	return CH_OK;
}

/* Read DIR/NAME; an absent optional file reads as empty.  One that is
 * there but cannot be opened is an error: read as empty, it would drop
 * every alias (or address, or remark) from the new version. */
static ch_err
read_in(const char *dir, const char *name, bool optional, ch_arena *arena,
    const char **data, size_t *len, struct ch_fault *fault)
{
	char path[4096];
	char *buf = NULL;
	struct stat st;
	ch_err err;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	if (optional && stat(path, &st) != 0 && errno == ENOENT) {
		*data = "";
		*len = 0;
		return CH_OK;
	}
	err = ch_watch_read_file(
	    path, CH_WATCH_MAX_FILE, arena, &buf, len, fault);
	*data = buf;
	return err;
}

ch_err
ch_watch_import_path(enum ch_watch_source source, const char *path,
    ch_arena *arena, struct ch_watch_set *out, struct ch_fault *fault)
{
	struct ch_ofac_files f;
	bool cons = source == CH_WATCH_SRC_OFAC_CONS;
	char *data = NULL;
	size_t len = 0;
	ch_err err;

	memset(out, 0, sizeof(*out));
	memset(&f, 0, sizeof(f));
	switch (source) {
	case CH_WATCH_SRC_OFAC_SDN:
	case CH_WATCH_SRC_OFAC_CONS:
		if ((err = read_in(path, cons ? "cons_prim.csv" : "sdn.csv",
			 false, arena, &f.prim, &f.prim_len, fault)) != CH_OK ||
		    (err = read_in(path, cons ? "cons_alt.csv" : "alt.csv",
			 true, arena, &f.alt, &f.alt_len, fault)) != CH_OK ||
		    (err = read_in(path, cons ? "cons_add.csv" : "add.csv",
			 true, arena, &f.add, &f.add_len, fault)) != CH_OK ||
		    (err = read_in(path,
			 cons ? "cons_comments.csv" : "sdn_comments.csv", true,
			 arena, &f.comments, &f.comments_len, fault)) != CH_OK)
			return err;
		return ch_watch_parse_ofac(&f, cons, arena, out, fault);
	case CH_WATCH_SRC_UN:
	case CH_WATCH_SRC_CUSTOM:
		err = ch_watch_read_file(
		    path, CH_WATCH_MAX_FILE, arena, &data, &len, fault);
		if (err != CH_OK)
			return err;
		if (source == CH_WATCH_SRC_UN)
			return ch_watch_parse_un(data, len, arena, out, fault);
		return ch_watch_parse_custom(data, len, arena, out, fault);
	}
	return CH_ERR_INVALID;
}
