/*
 * screening_lists.c — BENCH-ONLY list loaders (see screening_lists.h).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/csv.h"
#include "screening/match.h"
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

static char *
slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	char *buf;
	long n;

	if (f == NULL) {
		fprintf(stderr, "%s: cannot open\n", path);
		return NULL;
	}
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	fseek(f, 0, SEEK_SET);
	buf = malloc((size_t)n + 1);
	if (buf != NULL && fread(buf, 1, (size_t)n, f) != (size_t)n) {
		free(buf);
		buf = NULL;
	}
	fclose(f);
	if (buf == NULL)
		return NULL;
	/* The OFAC files end with a DOS end-of-file byte. */
	for (long i = 0; i < n; i++)
		if (buf[i] == 0x1a)
			buf[i] = '\n';
	buf[n] = '\0';
	*len = (size_t)n;
	return buf;
}

static bool
empty(const char *s)
{
	while (*s == ' ')
		s++;
	return *s == '\0' || strncmp(s, "-0-", 3) == 0;
}

static void
add_name(struct bench_list *l, struct ch_watch_entry *e, const char *full,
    enum ch_watch_name_quality q, bool script)
{
	struct ch_watch_name *names;

	names = ch_arena_alloc(l->arena, (e->n_names + 1) * sizeof(*names));
	if (e->n_names > 0)
		memcpy(names, e->names, e->n_names * sizeof(*names));
	names[e->n_names].full = ch_arena_strdup(l->arena, full);
	names[e->n_names].quality = q;
	names[e->n_names].original_script = script;
	e->names = names;
	e->n_names++;
	l->n_names++;
}

static void
add_dob(struct bench_list *l, struct ch_watch_entry *e,
    const struct ch_watch_date *d)
{
	struct ch_watch_date *dobs =
	    ch_arena_alloc(l->arena, (e->n_dobs + 1) * sizeof(*dobs));

	if (e->n_dobs > 0)
		memcpy(dobs, e->dobs, e->n_dobs * sizeof(*dobs));
	dobs[e->n_dobs++] = *d;
	e->dobs = dobs;
}

static void
add_nationality(
    struct bench_list *l, struct ch_watch_entry *e, const char *s, size_t n)
{
	const char **v =
	    ch_arena_alloc(l->arena, (e->n_nationalities + 1) * sizeof(*v));

	if (e->n_nationalities > 0)
		memcpy(v, e->nationalities, e->n_nationalities * sizeof(*v));
	v[e->n_nationalities++] = ch_arena_strndup(l->arena, s, n);
	e->nationalities = v;
}

/* "DOB 10 Dec 1948; nationality Jordan; Gender Male;" in the remarks. */
static void
read_remarks(struct bench_list *l, struct ch_watch_entry *e, const char *r)
{
	const char *p;

	for (p = r; (p = strstr(p, "DOB ")) != NULL; p += 4) {
		char buf[64];
		const char *end = strpbrk(p + 4, ";.");
		struct ch_watch_date d;
		size_t n = end != NULL ? (size_t)(end - p - 4) : strlen(p + 4);

		if (n >= sizeof(buf))
			continue;
		memcpy(buf, p + 4, n);
		buf[n] = '\0';
		if (ch_match_parse_date(buf, &d))
			add_dob(l, e, &d);
	}
	for (p = r; (p = strstr(p, "nationality ")) != NULL; p += 12) {
		const char *end = strpbrk(p + 12, ";.");
		size_t n =
		    end != NULL ? (size_t)(end - p - 12) : strlen(p + 12);

		add_nationality(l, e, p + 12, n);
	}
	if (strstr(r, "Gender Male") != NULL)
		e->gender = 'M';
	else if (strstr(r, "Gender Female") != NULL)
		e->gender = 'F';
}

static struct ch_watch_entry *
find(struct bench_list *l, const char *ref)
{
	size_t lo = 0, hi = l->n;
	long want = strtol(ref, NULL, 10);

	while (lo < hi) { /* entries are in ent_num order */
		size_t mid = (lo + hi) / 2;
		long v = strtol(l->entries[mid].ref, NULL, 10);

		if (v == want)
			return &l->entries[mid];
		if (v < want)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}

static int
by_ref(const void *a, const void *b)
{
	long x = strtol(((const struct ch_watch_entry *)a)->ref, NULL, 10);
	long y = strtol(((const struct ch_watch_entry *)b)->ref, NULL, 10);

	return x < y ? -1 : x > y;
}

bool
bench_load_ofac(const char *dir, const char *prefix, struct bench_list *out)
{
	char path[512];
	size_t len, cap = 0;
	char *data;
	struct ch_csv r;
	struct ch_csv_row row;
	struct ch_fault fault;

	memset(out, 0, sizeof(*out));
	out->arena = ch_arena_create(512u << 20);
	snprintf(path, sizeof(path), "%s/%s%s.csv", dir, prefix,
	    prefix[0] != '\0' ? "prim" : "sdn");
	if ((data = slurp(path, &len)) == NULL)
		return false;
	ch_csv_init(&r, data, len, 0);
	while (ch_csv_next(&r, &row, &fault) == CH_OK && row.nfields > 0) {
		struct ch_watch_entry *e;
		const char *type;

		if (row.nfields < 12)
			continue;
		if (out->n == cap) {
			cap = cap == 0 ? 1024 : cap * 2;
			out->entries = bench_realloc(
			    out->entries, cap * sizeof(*out->entries));
		}
		e = &out->entries[out->n++];
		memset(e, 0, sizeof(*e));
		e->ref = ch_arena_strdup(out->arena, row.fields[0]);
		type = row.fields[2];
		e->kind = strncmp(type, "individual", 10) == 0
		    ? CH_WATCH_INDIVIDUAL
		    : strncmp(type, "vessel", 6) == 0   ? CH_WATCH_VESSEL
		    : strncmp(type, "aircraft", 8) == 0 ? CH_WATCH_AIRCRAFT
							: CH_WATCH_ENTITY;
		add_name(out, e, row.fields[1], CH_NAME_PRIMARY, false);
		if (!empty(row.fields[11]))
			read_remarks(out, e, row.fields[11]);
	}
	ch_csv_free(&r);
	free(data);
	qsort(out->entries, out->n, sizeof(*out->entries), by_ref);
	snprintf(path, sizeof(path), "%s/%salt.csv", dir, prefix);
	if ((data = slurp(path, &len)) == NULL)
		return false;
	ch_csv_init(&r, data, len, 0);
	while (ch_csv_next(&r, &row, &fault) == CH_OK && row.nfields > 0) {
		struct ch_watch_entry *e;

		if (row.nfields < 5 || (e = find(out, row.fields[0])) == NULL)
			continue;
		add_name(out, e, row.fields[3],
		    strstr(row.fields[4], "weak") != NULL ? CH_NAME_WEAK
							  : CH_NAME_STRONG,
		    false);
	}
	ch_csv_free(&r);
	free(data);
	return true;
}

/* The text of the first <TAG>...</TAG> between P and END, entities
 * decoded, into BUF; NULL when absent. */
static const char *
tag(const char *p, const char *end, const char *name, char *buf, size_t size,
    const char **after)
{
	char open[64], close[64];
	const char *a, *b;
	size_t n = 0;

	snprintf(open, sizeof(open), "<%s>", name);
	snprintf(close, sizeof(close), "</%s>", name);
	a = strstr(p, open);
	if (a == NULL || a >= end)
		return NULL;
	a += strlen(open);
	b = strstr(a, close);
	if (b == NULL || b > end)
		return NULL;
	for (const char *c = a; c < b && n + 1 < size; c++) {
		if (*c == '&') {
			static const char *const ents[][2] = {{"&amp;", "&"},
			    {"&lt;", "<"}, {"&gt;", ">"}, {"&quot;", "\""},
			    {"&apos;", "'"}};
			bool done = false;

			for (size_t k = 0; k < 5 && !done; k++)
				if (strncmp(c, ents[k][0],
					strlen(ents[k][0])) == 0) {
					buf[n++] = ents[k][1][0];
					c += strlen(ents[k][0]) - 1;
					done = true;
				}
			if (done)
				continue;
		}
		buf[n++] = *c;
	}
	buf[n] = '\0';
	if (after != NULL)
		*after = b + strlen(close);
	return buf;
}

static void
un_record(struct bench_list *l, const char *p, const char *end, bool person)
{
	struct ch_watch_entry *e = &l->entries[l->n++];
	char full[2048] = "", buf[512];
	const char *parts[] = {
	    "FIRST_NAME", "SECOND_NAME", "THIRD_NAME", "FOURTH_NAME"};
	const char *q, *after;

	memset(e, 0, sizeof(*e));
	e->kind = person ? CH_WATCH_INDIVIDUAL : CH_WATCH_ENTITY;
	if (tag(p, end, "REFERENCE_NUMBER", buf, sizeof(buf), NULL) != NULL)
		e->ref = ch_arena_strdup(l->arena, buf);
	for (size_t i = 0; i < 4; i++)
		if (tag(p, end, parts[i], buf, sizeof(buf), NULL) != NULL) {
			size_t n = strlen(full);

			snprintf(full + n, sizeof(full) - n, "%s%s",
			    n > 0 ? " " : "", buf);
		}
	add_name(l, e, full, CH_NAME_PRIMARY, false);
	if (tag(p, end, "NAME_ORIGINAL_SCRIPT", buf, sizeof(buf), NULL) !=
		NULL &&
	    buf[0] != '\0')
		add_name(l, e, buf, CH_NAME_STRONG, true);
	for (q = p; q < end;) {
		const char *a = strstr(q, "<ALIAS_NAME>"), *qual;
		char quality[32];

		if (a == NULL || a >= end)
			break;
		qual = tag(q, a, "QUALITY", quality, sizeof(quality), NULL);
		if (tag(a, end, "ALIAS_NAME", buf, sizeof(buf), &after) == NULL)
			break;
		if (buf[0] != '\0')
			add_name(l, e, buf,
			    qual != NULL && strcmp(quality, "Low") == 0
				? CH_NAME_WEAK
				: CH_NAME_STRONG,
			    false);
		q = after;
	}
	for (q = p; q < end;) {
		const char *a = strstr(q, "<INDIVIDUAL_DATE_OF_BIRTH>"), *b;
		struct ch_watch_date d;

		if (a == NULL || a >= end)
			break;
		b = strstr(a, "</INDIVIDUAL_DATE_OF_BIRTH>");
		if (b == NULL)
			break;
		if (tag(a, b, "DATE", buf, sizeof(buf), NULL) != NULL ||
		    tag(a, b, "YEAR", buf, sizeof(buf), NULL) != NULL)
			if (ch_match_parse_date(buf, &d))
				add_dob(l, e, &d);
		q = b;
	}
	{
		const char *a = strstr(p, "<NATIONALITY>");

		if (a != NULL && a < end &&
		    tag(a, end, "VALUE", buf, sizeof(buf), NULL) != NULL)
			add_nationality(l, e, buf, strlen(buf));
	}
	if (tag(p, end, "GENDER", buf, sizeof(buf), NULL) != NULL)
		e->gender = strcmp(buf, "Male") == 0 ? 'M'
		    : strcmp(buf, "Female") == 0     ? 'F'
						     : 0;
}

bool
bench_load_un(const char *path, struct bench_list *out)
{
	size_t len, cap = 4096;
	char *data = slurp(path, &len);
	const char *p;

	memset(out, 0, sizeof(*out));
	if (data == NULL)
		return false;
	out->arena = ch_arena_create(256u << 20);
	out->entries = calloc(cap, sizeof(*out->entries));
	for (int person = 1; person >= 0; person--) {
		const char *open = person ? "<INDIVIDUAL>" : "<ENTITY>";
		const char *close = person ? "</INDIVIDUAL>" : "</ENTITY>";

		for (p = data; (p = strstr(p, open)) != NULL && out->n < cap;) {
			const char *end = strstr(p, close);

			if (end == NULL)
				break;
			un_record(out, p, end, person);
			p = end;
		}
	}
	free(data);
	return true;
}

void
bench_list_free(struct bench_list *l)
{
	free(l->entries);
	ch_arena_destroy(l->arena);
	memset(l, 0, sizeof(*l));
}
