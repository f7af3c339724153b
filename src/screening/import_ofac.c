/*
 * import_ofac.c — the OFAC SDN list and the consolidated non-SDN list, from
 * their official CSV files (the "legacy" format):
 *
 *	sdn.csv / cons_prim.csv   ent_num, name, type, program, title,
 *	                          call sign, vessel type, tonnage, GRT,
 *	                          vessel flag, vessel owner, remarks
 *	alt.csv / cons_alt.csv    ent_num, alt_num, alt_type, alt_name, remarks
 *	add.csv / cons_add.csv    ent_num, add_num, address, city/state/postal,
 *	                          country, remarks
 *	sdn_comments.csv / ...    ent_num, the rest of a remarks field that was
 *	                          cut at 1,000 characters
 *
 * The files' quirks: CRLF line ends, a 0x1A (DOS end-of-file) byte after
 * the last record, "-0-" (often "-0- ") for an empty field, and facts in
 * the remarks: "DOB 01 Jan 1960; alt. DOB circa 1961; POB Baghdad, Iraq;
 * nationality Iraq; citizen Iraq; Passport A123 (Iraq); Gender Male;
 * a.k.a. 'ABU X'".  The aliases of alt.csv are strong; those only in the
 * remarks ("a.k.a. 'X'") are what OFAC calls weak aliases.
 *
 * Reading: the primary file into entries, an index sorted by ent_num, the
 * comments appended to the remarks, the aliases and addresses attached by
 * ent_num (a row naming an ent_num the primary file lacks is an error),
 * then each entry's remarks parsed.
 */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core/csv.h"
#include "screening/import.h"

struct slot {
	long ent_num;
	size_t index;
};

/* A row of the comments file: the text that continues entry's remarks. */
struct comment {
	size_t entry;
	const char *text;
};

struct ofac {
	ch_arena *arena;
	struct ch_fault *fault;
	struct ch_watch_entry *entries;
	size_t n;
	char **remarks; /* raw remarks per entry, comments appended */
	size_t n_remarks;
	struct slot *index;
	struct comment *comments; /* in file order, joined once at the end */
	size_t n_comments;
};

/* Drop the DOS end-of-file bytes after the last record. */
static size_t
without_eof(const char *data, size_t len)
{
	while (len > 0 && (data[len - 1] == 0x1a))
		len--;
	return len;
}

/* The value of a field: "" for OFAC's "-0-", trimmed otherwise. */
static char *
value(ch_arena *a, const char *field)
{
	char *s = ch_arena_strdup(a, field);

	if (s == NULL)
		return NULL;
	s = ch_watch_trim(s);
	if (strcmp(s, "-0-") == 0)
		*s = '\0';
	return s;
}

static bool
parse_ent_num(const char *s, long *out)
{
	char *end;
	long v;

	while (*s == ' ')
		s++;
	if (*s < '0' || *s > '9')
		return false;
	v = strtol(s, &end, 10);
	while (*end == ' ')
		end++;
	if (*end != '\0' || v <= 0 || v > 1000000000L)
		return false;
	*out = v;
	return true;
}

static int
slot_cmp(const void *a, const void *b)
{
	const struct slot *x = a, *y = b;

	return (x->ent_num > y->ent_num) - (x->ent_num < y->ent_num);
}

static struct ch_watch_entry *
find(struct ofac *o, long ent_num, size_t *index)
{
	struct slot key = {ent_num, 0}, *hit;

	hit = bsearch(&key, o->index, o->n, sizeof(key), slot_cmp);
	if (hit == NULL)
		return NULL;
	*index = hit->index;
	return &o->entries[hit->index];
}

/* Read every record of one file through fn; expects nfields per record. */
typedef ch_err (*row_fn)(
    struct ofac *o, const char *file, const struct ch_csv_row *row, char **v);

static ch_err
each_row(struct ofac *o, const char *file, const char *data, size_t len,
    size_t nfields, row_fn fn)
{
	struct ch_csv r;
	struct ch_csv_row row;
	struct ch_fault f;
	char *v[16];
	ch_err err = CH_OK;

	ch_csv_init(&r, data, without_eof(data, len), CH_WATCH_MAX_ENTRIES);
	for (;;) {
		memset(&f, 0, sizeof(f));
		err = ch_csv_next(&r, &row, &f);
		if (err != CH_OK) {
			ch_fault_set(o->fault, file, "%s: %s", f.field,
			    f.detail[0] ? f.detail : ch_strerror(err));
			break;
		}
		if (row.nfields == 0)
			break;
		if (row.nfields != nfields) {
			ch_fault_set(o->fault, file,
			    "line %zu: %zu fields where the OFAC format has "
			    "%zu; "
			    "is this the right file?",
			    row.line, row.nfields, nfields);
			err = CH_ERR_INVALID;
			break;
		}
		for (size_t i = 0; i < nfields; i++) {
			if ((v[i] = value(o->arena, row.fields[i])) == NULL) {
				err = CH_ERR_NOMEM;
				goto out;
			}
			/* The files have none; kept, an escape sequence in a
			 * name would reach a terminal that prints it. */
			for (const char *p = v[i]; *p != '\0'; p++)
				if ((unsigned char)*p < 0x20 || *p == 0x7f) {
					ch_fault_set(o->fault, file,
					    "line %zu, field %zu: a control "
					    "character (0x%02x), which the "
					    "OFAC files do not have; is this "
					    "one of them?",
					    row.line, i + 1, (unsigned char)*p);
					err = CH_ERR_INVALID;
					goto out;
				}
		}
		if ((err = fn(o, file, &row, v)) != CH_OK)
			break;
	}
out:
	ch_csv_free(&r);
	return err;
}

static void
program_list(char *p)
{
	/* "SDGT] [IRGC" → "SDGT; IRGC" */
	char *w = p;

	for (char *s = p; *s != '\0'; s++) {
		if (s[0] == ']' && s[1] == ' ' && s[2] == '[') {
			*w++ = ';';
			*w++ = ' ';
			s += 2;
		} else if (*s != '[' && *s != ']') {
			*w++ = *s;
		}
	}
	*w = '\0';
}

static ch_err
prim_row(
    struct ofac *o, const char *file, const struct ch_csv_row *row, char **v)
{
	struct ch_watch_entry *e;
	char **rem;
	long ent;

	if (!parse_ent_num(v[0], &ent)) {
		ch_fault_set(o->fault, file,
		    "line %zu, column ent_num: \"%.40s\" is not a positive "
		    "entry number",
		    row->line, v[0]);
		return CH_ERR_INVALID;
	}
	if (v[1][0] == '\0') {
		ch_fault_set(o->fault, file,
		    "line %zu, column name: entry %ld has no name", row->line,
		    ent);
		return CH_ERR_INVALID;
	}
	e = ch_watch_push(o->arena, (void **)&o->entries, &o->n, sizeof(*e));
	rem = e == NULL ? NULL
			: ch_watch_push(o->arena, (void **)&o->remarks,
			      &o->n_remarks, sizeof(*rem));
	if (rem == NULL)
		return CH_ERR_NOMEM;
	e->ref = v[0];
	if (strcasecmp(v[2], "individual") == 0)
		e->kind = CH_WATCH_INDIVIDUAL;
	else if (strcasecmp(v[2], "vessel") == 0)
		e->kind = CH_WATCH_VESSEL;
	else if (strcasecmp(v[2], "aircraft") == 0)
		e->kind = CH_WATCH_AIRCRAFT;
	else if (v[2][0] == '\0')
		e->kind = CH_WATCH_ENTITY;
	else
		e->kind = CH_WATCH_OTHER;
	program_list(v[3]);
	e->programs = v[3][0] != '\0' ? v[3] : NULL;
	*rem = v[11];
	/* The title ("Minister of ...") is kept in front of the remarks. */
	if (v[4][0] != '\0') {
		*rem = ch_arena_printf(o->arena, "Title %s%s%s", v[4],
		    v[11][0] != '\0' ? "; " : "", v[11]);
		if (*rem == NULL)
			return CH_ERR_NOMEM;
	}
	return ch_watch_add_name(o->arena, e, v[1], CH_NAME_PRIMARY, false);
}

static struct ch_watch_entry *
owner(struct ofac *o, const char *file, const struct ch_csv_row *row,
    const char *ent_num, size_t *index)
{
	struct ch_watch_entry *e;
	long ent;

	if (!parse_ent_num(ent_num, &ent)) {
		ch_fault_set(o->fault, file,
		    "line %zu, column ent_num: \"%.40s\" is not a positive "
		    "entry number",
		    row->line, ent_num);
		return NULL;
	}
	e = find(o, ent, index);
	if (e == NULL)
		ch_fault_set(o->fault, file,
		    "line %zu, column ent_num: entry %ld is not in the primary "
		    "file; import the four files of one publication together",
		    row->line, ent);
	return e;
}

static ch_err
comment_row(
    struct ofac *o, const char *file, const struct ch_csv_row *row, char **v)
{
	struct comment *c;
	size_t i;

	if (owner(o, file, row, v[0], &i) == NULL)
		return CH_ERR_INVALID;
	c = ch_watch_push(
	    o->arena, (void **)&o->comments, &o->n_comments, sizeof(*c));
	if (c == NULL)
		return CH_ERR_NOMEM;
	c->entry = i;
	c->text = v[1];
	return CH_OK;
}

/*
 * The comments continue the remarks cut at 1,000 characters, in file
 * order.  They are joined once, each entry's remarks allocated at their
 * full length: appended row by row, every row would copy all the text
 * before it again, and memory would grow with the square of the rows.
 */
static ch_err
join_comments(struct ofac *o)
{
	size_t *len;
	char **at;

	if (o->n_comments == 0)
		return CH_OK;
	len = ch_arena_alloc(o->arena, o->n * sizeof(*len));
	at = ch_arena_alloc(o->arena, o->n * sizeof(*at));
	if (len == NULL || at == NULL)
		return CH_ERR_NOMEM;
	memset(len, 0, o->n * sizeof(*len));
	memset(at, 0, o->n * sizeof(*at));
	for (size_t k = 0; k < o->n_comments; k++)
		len[o->comments[k].entry] += strlen(o->comments[k].text);
	for (size_t i = 0; i < o->n; i++) {
		size_t have = strlen(o->remarks[i]);
		char *joined;

		if (len[i] == 0)
			continue;
		if ((joined = ch_arena_alloc(o->arena, have + len[i] + 1)) ==
		    NULL)
			return CH_ERR_NOMEM;
		memcpy(joined, o->remarks[i], have);
		o->remarks[i] = joined;
		at[i] = joined + have;
	}
	for (size_t k = 0; k < o->n_comments; k++) {
		size_t i = o->comments[k].entry,
		       n = strlen(o->comments[k].text);

		if (n == 0)
			continue;
		memcpy(at[i], o->comments[k].text, n);
		at[i] += n;
	}
	for (size_t i = 0; i < o->n; i++)
		if (at[i] != NULL)
			*at[i] = '\0';
	return CH_OK;
}

static ch_err
alt_row(
    struct ofac *o, const char *file, const struct ch_csv_row *row, char **v)
{
	struct ch_watch_entry *e;
	size_t i;

	if ((e = owner(o, file, row, v[0], &i)) == NULL)
		return CH_ERR_INVALID;
	if (v[3][0] == '\0') {
		ch_fault_set(o->fault, file,
		    "line %zu, column alt_name: the alias of entry %s is empty",
		    row->line, e->ref);
		return CH_ERR_INVALID;
	}
	return ch_watch_add_name(o->arena, e, v[3], CH_NAME_STRONG, false);
}

static ch_err
add_row(
    struct ofac *o, const char *file, const struct ch_csv_row *row, char **v)
{
	struct ch_watch_entry *e;
	struct ch_buf b;
	ch_err err = CH_OK;
	size_t i;

	if ((e = owner(o, file, row, v[0], &i)) == NULL)
		return CH_ERR_INVALID;
	ch_buf_init(&b, 4 * CH_CSV_MAX_FIELD);
	for (size_t k = 2; k <= 4 && err == CH_OK; k++)
		if (v[k][0] != '\0')
			err = ch_buf_appendf(
			    &b, "%s%s", b.len > 0 ? ", " : "", v[k]);
	if (err == CH_OK && b.len > 0)
		err = ch_watch_add_text(
		    o->arena, &e->addresses, &e->n_addresses, b.data);
	ch_buf_free(&b);
	return err;
}

/* "a.k.a. 'ABU X'" → "ABU X" in place; NULL when item is no alias. */
static char *
remark_alias(char *item)
{
	static const char *const marks[] = {"a.k.a. ", "f.k.a. ", "n.k.a. "};
	size_t n;

	for (size_t i = 0; i < 3; i++) {
		if (strncmp(item, marks[i], 7) != 0)
			continue;
		item += 7;
		n = strlen(item);
		if (n >= 2 && item[0] == '\'' && item[n - 1] == '\'') {
			item[n - 1] = '\0';
			item++;
		}
		return *item != '\0' ? item : NULL;
	}
	return NULL;
}

/* Identity documents worth keeping; the item is kept as listed. */
static bool
is_document(const char *item)
{
	static const char *const kinds[] = {"Passport ", "National ID No. ",
	    "Cedula No. ", "Identification Number ", "D.N.I. ", "C.U.R.P. ",
	    "SSN ", "Driver's License No. ", "NIE ", "Personal ID Card "};

	for (size_t i = 0; i < sizeof(kinds) / sizeof(kinds[0]); i++)
		if (strncmp(item, kinds[i], strlen(kinds[i])) == 0)
			return true;
	return false;
}

static ch_err
parse_remarks(struct ofac *o, struct ch_watch_entry *e, const char *raw)
{
	char *copy, *item, *next, *alias;
	struct ch_watch_date *d, date;
	size_t n;
	ch_err err = CH_OK;

	if (raw == NULL || raw[0] == '\0')
		return CH_OK;
	if ((copy = ch_arena_strdup(o->arena, raw)) == NULL)
		return CH_ERR_NOMEM;
	e->remarks = raw;
	n = strlen(copy);
	if (n > 0 && copy[n - 1] == '.')
		copy[n - 1] = '\0';
	for (item = copy; item != NULL && err == CH_OK; item = next) {
		next = strstr(item, "; ");
		if (next != NULL) {
			*next = '\0';
			next += 2;
		}
		item = ch_watch_trim(item);
		if (strncmp(item, "alt. ", 5) == 0)
			item += 5;
		if (strncmp(item, "DOB ", 4) == 0) {
			if (!ch_watch_date_parse(item + 4, &date))
				continue; /* kept in the remarks as listed */
			d = ch_watch_push(o->arena, (void **)&e->dobs,
			    &e->n_dobs, sizeof(*d));
			if (d == NULL)
				return CH_ERR_NOMEM;
			*d = date;
		} else if (strncmp(item, "nationality ", 12) == 0) {
			err = ch_watch_add_nationality(o->arena, e, item + 12);
		} else if (strncmp(item, "citizen ", 8) == 0) {
			err = ch_watch_add_nationality(o->arena, e, item + 8);
		} else if (strcmp(item, "Gender Male") == 0) {
			e->gender = 'M';
		} else if (strcmp(item, "Gender Female") == 0) {
			e->gender = 'F';
		} else if (is_document(item)) {
			err = ch_watch_add_text(
			    o->arena, &e->documents, &e->n_documents, item);
		} else if ((alias = remark_alias(item)) != NULL) {
			err = ch_watch_add_name(
			    o->arena, e, alias, CH_NAME_WEAK, false);
		}
	}
	return err;
}

ch_err
ch_watch_parse_ofac(const struct ch_ofac_files *files, bool consolidated,
    ch_arena *arena, struct ch_watch_set *out, struct ch_fault *fault)
{
	struct ofac o = {.arena = arena, .fault = fault};
	const char *pf = consolidated ? "cons_prim.csv" : "sdn.csv";
	ch_err err;

	memset(out, 0, sizeof(*out));
	err = each_row(&o, pf, files->prim, files->prim_len, 12, prim_row);
	if (err != CH_OK)
		return err;
	if (o.n == 0) {
		ch_fault_set(fault, pf, "the file holds no entries");
		return CH_ERR_INVALID;
	}
	o.index = ch_arena_alloc(arena, o.n * sizeof(*o.index));
	if (o.index == NULL)
		return CH_ERR_NOMEM;
	for (size_t i = 0; i < o.n; i++) {
		parse_ent_num(o.entries[i].ref, &o.index[i].ent_num);
		o.index[i].index = i;
	}
	qsort(o.index, o.n, sizeof(*o.index), slot_cmp);
	for (size_t i = 1; i < o.n; i++)
		if (o.index[i].ent_num == o.index[i - 1].ent_num) {
			ch_fault_set(fault, pf,
			    "entry number %ld appears twice; the file is not "
			    "one publication",
			    o.index[i].ent_num);
			return CH_ERR_INVALID;
		}
	if ((err = each_row(&o,
		 consolidated ? "cons_comments.csv" : "sdn_comments.csv",
		 files->comments, files->comments_len, 2, comment_row)) !=
		CH_OK ||
	    (err = join_comments(&o)) != CH_OK ||
	    (err = each_row(&o, consolidated ? "cons_alt.csv" : "alt.csv",
		 files->alt, files->alt_len, 5, alt_row)) != CH_OK ||
	    (err = each_row(&o, consolidated ? "cons_add.csv" : "add.csv",
		 files->add, files->add_len, 6, add_row)) != CH_OK)
		return err;
	for (size_t i = 0; i < o.n; i++) {
		err = parse_remarks(&o, &o.entries[i], o.remarks[i]);
		if (err == CH_ERR_TOO_LARGE) {
			ch_fault_set(fault, pf,
			    "entry %s has more than %d nationalities in its "
			    "remarks; is this an OFAC publication?",
			    o.entries[i].ref, CH_WATCH_MAX_NATIONALITIES);
			return CH_ERR_INVALID;
		}
		if (err != CH_OK)
			return err;
	}
	out->entries = o.entries;
	out->n_entries = o.n;
	return CH_OK;
}
