/*
 * import.c — people from a CSV file, all or nothing.
 *
 * The first record names the columns with the JSON field names of a person
 * (given_name, family_name, category and nationality are required), plus
 * two keys that live only in the file: "ref", a name for a row unique in
 * the file, and "household_ref", the ref of the staff member whose
 * household the row's person belongs to.  The post comes from the caller.
 *
 * Reading happens in three passes over memory before anything is written:
 * the records into rows (copies in an arena), an index of the refs sorted
 * by ref, then each row in file order through the same checks as
 * ch_people_create() (ch_person_validate), with the line and column put in
 * front of the fault.  Only then does ch_people_import_csv() open one write
 * transaction: the post, the staff members, then their household members
 * (so that every household link names a person already written), one
 * audit record per person and one for the import, and the commit.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core/audit.h"
#include "core/csv.h"
#include "core/events.h"
#include "people/people.h"
#include "store/store.h"

#define IMPORT_MAX_ROWS 10000               /* people in one file */
#define IMPORT_MAX_BYTES (8u * 1024 * 1024) /* bytes in one file */
#define REF_MAX 64                          /* bytes in a ref */
#define NO_ROW ((size_t)-1)

/* A well-formed id that stands for ids not yet drawn while checking. */
static const char placeholder_id[] = "00000000-0000-0000-0000-000000000000";

enum column {
	COL_GIVEN_NAME,
	COL_FAMILY_NAME,
	COL_CATEGORY,
	COL_NATIONALITY,
	COL_HOST_NATIONAL,
	COL_PERMANENT_RESIDENT,
	COL_NOTIFIED_ON,
	COL_ARRIVED_ON,
	COL_FUNCTIONS_END_ON,
	COL_DATE_OF_BIRTH,
	COL_GENDER,
	COL_POSITION,
	COL_CLEARANCE,
	COL_EMAIL,
	COL_PHONE,
	COL_RELATIONSHIP,
	COL_REF,
	COL_HOUSEHOLD_REF,
	COL__COUNT
};

/* The columns a file may have: name, person field bit (0 for the keys that
 * live only in the file) and whether every file must have it. */
static const struct column_def {
	const char *name;
	unsigned bit;
	bool required;
} columns[COL__COUNT] = {
    [COL_GIVEN_NAME] = {"given_name", CH_PF_GIVEN_NAME, true},
    [COL_FAMILY_NAME] = {"family_name", CH_PF_FAMILY_NAME, true},
    [COL_CATEGORY] = {"category", CH_PF_CATEGORY, true},
    [COL_NATIONALITY] = {"nationality", CH_PF_NATIONALITY, true},
    [COL_HOST_NATIONAL] = {"host_national", CH_PF_HOST_NATIONAL, false},
    [COL_PERMANENT_RESIDENT] = {"permanent_resident", CH_PF_PERMANENT_RESIDENT,
	false},
    [COL_NOTIFIED_ON] = {"notified_on", CH_PF_NOTIFIED_ON, false},
    [COL_ARRIVED_ON] = {"arrived_on", CH_PF_ARRIVED_ON, false},
    [COL_FUNCTIONS_END_ON] = {"functions_end_on", CH_PF_FUNCTIONS_END_ON,
	false},
    [COL_DATE_OF_BIRTH] = {"date_of_birth", CH_PF_DATE_OF_BIRTH, false},
    [COL_GENDER] = {"gender", CH_PF_GENDER, false},
    [COL_POSITION] = {"position", CH_PF_POSITION, false},
    [COL_CLEARANCE] = {"clearance", CH_PF_CLEARANCE, false},
    [COL_EMAIL] = {"email", CH_PF_EMAIL, false},
    [COL_PHONE] = {"phone", CH_PF_PHONE, false},
    [COL_RELATIONSHIP] = {"relationship", CH_PF_RELATIONSHIP, false},
    [COL_REF] = {"ref", 0, false},
    [COL_HOUSEHOLD_REF] = {"household_ref", 0, false},
};

struct import_row {
	size_t line;
	const char *value[COL__COUNT]; /* NULL when the file has no column */
	size_t principal;              /* row of the household_ref, or NO_ROW */
	size_t repeats_line;           /* an earlier line with the same ref */
	char id[CH_ID_LEN];            /* drawn just before writing */
};

struct ref_entry {
	const char *ref;
	size_t row;
};

struct import {
	ch_arena *arena; /* the rows' values */
	struct ch_fault *fault;
	int position[COL__COUNT]; /* field index in a record, or -1 */
	size_t ncolumns;          /* fields in the header */
	size_t header_line;
	struct import_row *rows; /* malloc'd */
	size_t nrows;
	size_t cap;
	struct ref_entry *refs; /* malloc'd, sorted by ref then row */
	size_t nrefs;
};

static void
import_init(struct import *im, ch_arena *arena, struct ch_fault *fault)
{
	memset(im, 0, sizeof(*im));
	im->arena = arena;
	im->fault = fault;
	for (size_t i = 0; i < COL__COUNT; i++)
		im->position[i] = -1;
}

static void
import_free(struct import *im)
{
	free(im->rows);
	free(im->refs);
	im->rows = NULL;
	im->refs = NULL;
}

/* A short, printable copy of a value for a message: at most 40 bytes cut
 * at a character boundary, control characters as spaces. */
static const char *
brief(const char *s, char out[48])
{
	size_t n = 0;

	for (; s != NULL && s[n] != '\0' && n < 40; n++)
		out[n] = (unsigned char)s[n] < 0x20 ? ' ' : s[n];
	if (s == NULL || s[n] == '\0') {
		out[n] = '\0';
		return out;
	}
	/* Cut before the character that s[n] is part of. */
	while (n > 0 && ((unsigned char)s[n] & 0xc0) == 0x80)
		n--;
	memcpy(out + n, "...", 4);
	return out;
}

/* Fill the fault with "line N, column C" (or "line N" when column is
 * NULL) and the detail; returns err. */
static ch_err row_fault(struct import *im, ch_err err, size_t line,
    const char *column, const char *fmt, ...)
    __attribute__((format(printf, 5, 6)));

static ch_err
row_fault(struct import *im, ch_err err, size_t line, const char *column,
    const char *fmt, ...)
{
	char field[sizeof(im->fault->field)];
	char detail[sizeof(im->fault->detail)];
	va_list ap;

	if (column != NULL)
		snprintf(
		    field, sizeof(field), "line %zu, column %s", line, column);
	else
		snprintf(field, sizeof(field), "line %zu", line);
	va_start(ap, fmt);
	vsnprintf(detail, sizeof(detail), fmt, ap);
	va_end(ap);
	ch_fault_set(im->fault, field, "%s", detail);
	return err;
}

static int
column_named(const char *name)
{
	for (int i = 0; i < COL__COUNT; i++)
		if (strcmp(name, columns[i].name) == 0)
			return i;
	return -1;
}

static ch_err
read_header(struct import *im, const struct ch_csv_row *row)
{
	char b[48], number[24];

	im->header_line = row->line;
	im->ncolumns = row->nfields;
	for (size_t i = 0; i < row->nfields; i++) {
		int c = column_named(row->fields[i]);

		/* An unknown column goes by its name, or its number when it
		 * has none. */
		snprintf(number, sizeof(number), "%zu", i + 1);
		if (c < 0)
			return row_fault(im, CH_ERR_INVALID, row->line,
			    row->lens[i] > 0 ? brief(row->fields[i], b)
					     : number,
			    "\"%s\" (column %zu) is not a person field; use "
			    "given_name, family_name, category, nationality "
			    "(required), host_national, permanent_resident, "
			    "notified_on, arrived_on, functions_end_on, "
			    "date_of_birth, gender, position, clearance, "
			    "email, phone, relationship, ref, household_ref.",
			    brief(row->fields[i], b), i + 1);
		if (im->position[c] >= 0)
			return row_fault(im, CH_ERR_INVALID, row->line,
			    columns[c].name,
			    "the column %s appears twice (columns %d and %zu); "
			    "keep one.",
			    columns[c].name, im->position[c] + 1, i + 1);
		im->position[c] = (int)i;
	}
	for (size_t c = 0; c < COL__COUNT; c++)
		if (columns[c].required && im->position[c] < 0)
			return row_fault(im, CH_ERR_INVALID, row->line, NULL,
			    "the column %s is missing: the first line must "
			    "name at least given_name, family_name, category "
			    "and nationality.",
			    columns[c].name);
	return CH_OK;
}

/* Copy a data record into a new row. */
static ch_err
read_row(struct import *im, const struct ch_csv_row *row)
{
	struct import_row *r;

	if (row->nfields != im->ncolumns)
		return row_fault(im, CH_ERR_INVALID, row->line, NULL,
		    "the row has %zu fields but the header names %zu "
		    "columns: look for a missing or extra comma, and quote a "
		    "value that contains one.",
		    row->nfields, im->ncolumns);
	if (im->nrows == IMPORT_MAX_ROWS)
		return row_fault(im, CH_ERR_TOO_LARGE, row->line, NULL,
		    "the file has more than %d people; split it into files "
		    "of at most %d rows.",
		    IMPORT_MAX_ROWS, IMPORT_MAX_ROWS);
	if (im->nrows == im->cap) {
		size_t cap = im->cap ? im->cap * 2 : 64;
		struct import_row *rows;

		rows = realloc(im->rows, cap * sizeof(*rows));
		if (rows == NULL) {
			log_error("%zu rows: out of memory", cap);
			return CH_ERR_NOMEM;
		}
		im->rows = rows;
		im->cap = cap;
	}
	r = &im->rows[im->nrows];
	memset(r, 0, sizeof(*r));
	r->line = row->line;
	r->principal = NO_ROW;
	for (size_t c = 0; c < COL__COUNT; c++) {
		int at = im->position[c];

		if (at < 0)
			continue;
		r->value[c] =
		    ch_arena_strndup(im->arena, row->fields[at], row->lens[at]);
		if (r->value[c] == NULL) {
			log_error("line %zu: the arena is full", row->line);
			return CH_ERR_NOMEM;
		}
	}
	im->nrows++;
	return CH_OK;
}

static bool
empty(const char *s)
{
	return s == NULL || *s == '\0';
}

static int
ref_compare(const void *a, const void *b)
{
	const struct ref_entry *x = a, *y = b;
	int c = strcmp(x->ref, y->ref);

	if (c != 0)
		return c;
	return x->row < y->row ? -1 : x->row > y->row;
}

/* Sort the refs; mark each row whose ref an earlier row already has. */
static ch_err
index_refs(struct import *im)
{
	if (im->position[COL_REF] < 0 || im->nrows == 0)
		return CH_OK;
	im->refs = calloc(im->nrows, sizeof(*im->refs));
	if (im->refs == NULL) {
		log_error("%zu refs: out of memory", im->nrows);
		return CH_ERR_NOMEM;
	}
	for (size_t i = 0; i < im->nrows; i++) {
		if (empty(im->rows[i].value[COL_REF]))
			continue;
		im->refs[im->nrefs].ref = im->rows[i].value[COL_REF];
		im->refs[im->nrefs].row = i;
		im->nrefs++;
	}
	qsort(im->refs, im->nrefs, sizeof(*im->refs), ref_compare);
	for (size_t i = 1; i < im->nrefs; i++) {
		const struct ref_entry *e = &im->refs[i];
		size_t first = i - 1;

		if (strcmp(e->ref, im->refs[first].ref) != 0)
			continue;
		while (
		    first > 0 && strcmp(e->ref, im->refs[first - 1].ref) == 0)
			first--;
		im->rows[e->row].repeats_line =
		    im->rows[im->refs[first].row].line;
	}
	return CH_OK;
}

/* The first row (in file order) with ref, or NO_ROW. */
static size_t
find_ref(const struct import *im, const char *ref)
{
	size_t lo = 0, hi = im->nrefs;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (strcmp(im->refs[mid].ref, ref) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (lo < im->nrefs && strcmp(im->refs[lo].ref, ref) == 0)
		return im->refs[lo].row;
	return NO_ROW;
}

/* A yes/no value: true, false, yes, no, 1, 0 in any case, or empty. */
static bool
parse_flag(const char *s, bool *out)
{
	static const char *const yes[] = {"true", "yes", "1"};
	static const char *const no[] = {"false", "no", "0", ""};

	for (size_t i = 0; i < CH_ARRAY_LEN(yes); i++) {
		if (strcasecmp(s, yes[i]) == 0) {
			*out = true;
			return true;
		}
	}
	for (size_t i = 0; i < CH_ARRAY_LEN(no); i++) {
		if (strcasecmp(s, no[i]) == 0) {
			*out = false;
			return true;
		}
	}
	return false;
}

/*
 * The person input of a row for post_id, linked to household_of (NULL: no
 * link).  An optional column left empty is not given, so that its default
 * applies.  The yes/no columns must have passed parse_flag().
 */
static void
row_input(const struct import_row *r, const char *post_id,
    const char *household_of, struct ch_person_input *in)
{
	const char **text[COL__COUNT] = {
	    [COL_GIVEN_NAME] = &in->given_name,
	    [COL_FAMILY_NAME] = &in->family_name,
	    [COL_CATEGORY] = &in->category,
	    [COL_NATIONALITY] = &in->nationality,
	    [COL_NOTIFIED_ON] = &in->notified_on,
	    [COL_ARRIVED_ON] = &in->arrived_on,
	    [COL_FUNCTIONS_END_ON] = &in->functions_end_on,
	    [COL_DATE_OF_BIRTH] = &in->date_of_birth,
	    [COL_GENDER] = &in->gender,
	    [COL_POSITION] = &in->position,
	    [COL_CLEARANCE] = &in->clearance,
	    [COL_EMAIL] = &in->email,
	    [COL_PHONE] = &in->phone,
	    [COL_RELATIONSHIP] = &in->relationship,
	};

	memset(in, 0, sizeof(*in));
	in->set = CH_PF_POST_ID;
	in->post_id = post_id;
	for (size_t c = 0; c < COL__COUNT; c++) {
		const char *v = r->value[c];

		if (columns[c].bit == 0 || v == NULL ||
		    (*v == '\0' && !columns[c].required))
			continue;
		in->set |= columns[c].bit;
		if (text[c] != NULL)
			*text[c] = v;
	}
	if (in->set & CH_PF_HOST_NATIONAL)
		parse_flag(r->value[COL_HOST_NATIONAL], &in->host_national);
	if (in->set & CH_PF_PERMANENT_RESIDENT)
		parse_flag(
		    r->value[COL_PERMANENT_RESIDENT], &in->permanent_resident);
	if (household_of != NULL) {
		in->set |= CH_PF_HOUSEHOLD_OF;
		in->household_of = household_of;
	}
}

/* Put the line and column in front of a fault from ch_person_validate()
 * or ch_person_apply(), whose field is a JSON pointer ("/nationality"). */
static ch_err
person_fault(
    struct import *im, const struct import_row *r, const struct ch_fault *f)
{
	const char *column = f->field[0] == '/' ? f->field + 1 : f->field;
	const char *value = NULL;
	char b[48], quoted[52], bracketed[52];
	int c;

	if (strcmp(column, "household_of") == 0)
		column = "household_ref";
	if ((c = column_named(column)) >= 0)
		value = r->value[c];
	/* Quote the value when the message does not show it already, as
	 * "value" or (value). */
	if (!empty(value)) {
		brief(value, b);
		snprintf(quoted, sizeof(quoted), "\"%s\"", b);
		snprintf(bracketed, sizeof(bracketed), "(%s)", b);
		if (strstr(f->detail, quoted) == NULL &&
		    strstr(f->detail, bracketed) == NULL)
			return row_fault(im, CH_ERR_INVALID, r->line, column,
			    "%s The file has %s.", f->detail, quoted);
	}
	return row_fault(im, CH_ERR_INVALID, r->line, column, "%s", f->detail);
}

/* The checks of one row against the rest of the file and the person
 * rules; resolves its household_ref. */
static ch_err
check_row(struct import *im, size_t i)
{
	static const enum column flags[] = {
	    COL_HOST_NATIONAL, COL_PERMANENT_RESIDENT};
	struct import_row *r = &im->rows[i];
	const char *ref = r->value[COL_REF];
	const char *href = r->value[COL_HOUSEHOLD_REF];
	struct ch_person_input in;
	struct ch_fault f;
	char b[48];
	bool flag;
	ch_err err;

	for (size_t k = 0; k < CH_ARRAY_LEN(flags); k++) {
		const char *v = r->value[flags[k]];

		if (v != NULL && !parse_flag(v, &flag))
			return row_fault(im, CH_ERR_INVALID, r->line,
			    columns[flags[k]].name,
			    "%s \"%s\" is not a yes or no: write true, false, "
			    "yes, no, 1 or 0, or leave it empty for no.",
			    columns[flags[k]].name, brief(v, b));
	}
	if (!empty(ref)) {
		bool printable = true;

		for (const char *p = ref; *p; p++)
			if ((unsigned char)*p < 0x20)
				printable = false;
		if (strlen(ref) > REF_MAX || !printable)
			return row_fault(im, CH_ERR_INVALID, r->line, "ref",
			    "ref \"%s\" must be at most %d bytes on one line, "
			    "for example a staff number.",
			    brief(ref, b), REF_MAX);
		if (r->repeats_line != 0)
			return row_fault(im, CH_ERR_INVALID, r->line, "ref",
			    "ref \"%s\" is already the ref of line %zu; give "
			    "each row its own ref.",
			    brief(ref, b), r->repeats_line);
	}
	if (!empty(href)) {
		size_t p = find_ref(im, href);

		if (!empty(ref) && strcmp(ref, href) == 0)
			return row_fault(im, CH_ERR_INVALID, r->line,
			    "household_ref",
			    "household_ref \"%s\" is the row's own ref: a "
			    "person cannot be a member of their own "
			    "household.",
			    brief(href, b));
		if (p == NO_ROW)
			return row_fault(im, CH_ERR_INVALID, r->line,
			    "household_ref",
			    "household_ref \"%s\" is the ref of no row in this "
			    "file: give the ref of the staff member, who must "
			    "be imported in the same file.",
			    brief(href, b));
		if (!empty(im->rows[p].value[COL_HOUSEHOLD_REF]))
			return row_fault(im, CH_ERR_INVALID, r->line,
			    "household_ref",
			    "household_ref \"%s\" names the person of line "
			    "%zu, who is a household member too; give the "
			    "ref of the staff member they belong to.",
			    brief(href, b), im->rows[p].line);
		r->principal = p;
	} else if (strcmp(r->value[COL_CATEGORY], "family_member") == 0) {
		return row_fault(im, CH_ERR_INVALID, r->line, "household_ref",
		    "a family member must be linked to the staff member whose "
		    "household they belong to: put that person's ref in "
		    "household_ref%s.",
		    im->position[COL_REF] < 0 ? " and add a ref column" : "");
	}
	row_input(r, placeholder_id,
	    r->principal != NO_ROW ? placeholder_id : NULL, &in);
	memset(&f, 0, sizeof(f));
	err = ch_person_validate(&in, &f);
	if (err == CH_ERR_INVALID)
		return person_fault(im, r, &f);
	return err;
}

/* Read and check the whole file into im; nothing is written. */
static ch_err
import_read(struct import *im, const char *csv, size_t len)
{
	struct ch_csv reader;
	struct ch_csv_row row;
	ch_err err;

	if (len > IMPORT_MAX_BYTES) {
		ch_fault_set(im->fault, "file",
		    "the file is %zu bytes; at most %u can be imported at "
		    "once: split it into smaller files.",
		    len, IMPORT_MAX_BYTES);
		return CH_ERR_TOO_LARGE;
	}
	/* The header, the rows and one more, so that read_row() says the
	 * file has too many people before the reader says so. */
	ch_csv_init(&reader, csv, len, IMPORT_MAX_ROWS + 2);
	if ((err = ch_csv_next(&reader, &row, im->fault)) != CH_OK)
		goto done;
	if (row.nfields == 0) {
		ch_fault_set(im->fault, "line 1",
		    "the file is empty: its first line must name the columns, "
		    "for example given_name,family_name,category,nationality.");
		err = CH_ERR_INVALID;
		goto done;
	}
	if ((err = read_header(im, &row)) != CH_OK)
		goto done;
	while ((err = ch_csv_next(&reader, &row, im->fault)) == CH_OK &&
	    row.nfields > 0)
		if ((err = read_row(im, &row)) != CH_OK)
			goto done;
	if (err != CH_OK)
		goto done;
	if (im->nrows == 0) {
		err = row_fault(im, CH_ERR_INVALID, im->header_line + 1, NULL,
		    "the file has no people: add one row per person under the "
		    "line that names the columns.");
		goto done;
	}
	if ((err = index_refs(im)) != CH_OK)
		goto done;
	for (size_t i = 0; i < im->nrows; i++)
		if ((err = check_row(im, i)) != CH_OK)
			goto done;
done:
	ch_csv_free(&reader);
	return err;
}

ch_err
ch_people_import_check(const char *csv, size_t len, ch_arena *arena,
    struct ch_fault *fault, size_t *rows)
{
	struct import im;
	ch_err err;

	*rows = 0;
	import_init(&im, arena, fault);
	err = import_read(&im, csv, len);
	if (err == CH_OK)
		*rows = im.nrows;
	import_free(&im);
	return err;
}

/* The post must exist and be one the caller acts for; to others it does
 * not exist. */
static ch_err
check_post(
    struct ch_ctx *ctx, struct ch_tx *tx, const char *post_id, ch_arena *arena)
{
	struct ch_post post;
	char b[48];
	ch_err err;

	err = post_id != NULL && ch_id_valid(post_id) &&
		ch_ctx_sees_post(ctx, post_id)
	    ? ch_store_post_get(tx, post_id, arena, &post)
	    : CH_ERR_NOT_FOUND;
	if (err == CH_ERR_NOT_FOUND)
		ch_fault_set(&ctx->fault, "/post_id",
		    "no post has the id \"%s\"; import into one of your posts.",
		    brief(post_id, b));
	return err;
}

/* Insert the person of row r with its audit record. */
static ch_err
write_row(struct ch_ctx *ctx, struct ch_tx *tx, struct import *im,
    const struct import_row *r, const char *post_id, const char *stamp)
{
	struct ch_person_input in;
	struct ch_audit_entry e;
	struct ch_person p;
	struct ch_buf state;
	struct ch_fault f;
	ch_err err;

	row_input(r, post_id,
	    r->principal != NO_ROW ? im->rows[r->principal].id : NULL, &in);
	memset(&p, 0, sizeof(p));
	p.clearance = CH_CLEARANCE_UNCLASSIFIED;
	memset(&f, 0, sizeof(f));
	err = ch_person_apply(&in, &p, im->arena, &f);
	if (err == CH_ERR_INVALID)
		return person_fault(im, r, &f);
	if (err != CH_OK)
		return err;
	memcpy(p.id, r->id, sizeof(p.id));
	p.version = 1;
	ch_strlcpy(p.created_at, stamp, sizeof(p.created_at));
	ch_strlcpy(p.updated_at, stamp, sizeof(p.updated_at));
	if ((err = ch_store_person_insert(tx, &p)) != CH_OK)
		return err;
	ch_buf_init(&state, 16384);
	ch_person_state(&p, &state);
	e = (struct ch_audit_entry){
	    "person.import", "person", p.id, p.post_id, state.data, state.len};
	err = ch_audit_append(tx, ctx, &e);
	ch_buf_free(&state);
	return err;
}

/* One transaction: the post, staff members, household members, audit. */
static ch_err
import_write(struct ch_ctx *ctx, struct import *im, const char *post_id,
    struct ch_import_result *out)
{
	char stamp[CH_TIMESTAMP_LEN], state[96];
	struct ch_audit_entry e;
	struct ch_event ev;
	struct ch_tx *tx = NULL;
	ch_err err;

	for (size_t i = 0; i < im->nrows; i++)
		ch_id_new(im->rows[i].id);
	ch_time_format(ch_clock_now(), stamp);
	if ((err = ch_store_begin(ctx->store, true, &tx)) != CH_OK)
		return err;
	if ((err = check_post(ctx, tx, post_id, im->arena)) != CH_OK)
		goto rollback;
	/* Staff members first, so that each household link is to a person
	 * already written. */
	for (int pass = 0; pass < 2; pass++) {
		for (size_t i = 0; i < im->nrows; i++) {
			const struct import_row *r = &im->rows[i];
			bool member = r->principal != NO_ROW;

			if (member != (pass == 1))
				continue;
			if ((err = write_row(ctx, tx, im, r, post_id, stamp)) !=
			    CH_OK)
				goto rollback;
			out->created++;
		}
	}
	snprintf(state, sizeof(state), "post=%s\nrows=%zu\ncreated=%zu\n",
	    post_id, im->nrows, out->created);
	e = (struct ch_audit_entry){
	    "people.import", "post", post_id, post_id, state, strlen(state)};
	if ((err = ch_audit_append(tx, ctx, &e)) != CH_OK)
		goto rollback;
	if ((err = ch_store_commit(tx)) != CH_OK) {
		out->created = 0;
		return err;
	}
	ev = (struct ch_event){
	    "people.imported", "post", post_id, post_id, ch_clock_now()};
	ch_events_publish(&ev);
	return CH_OK;

rollback:
	ch_store_rollback(tx);
	out->created = 0;
	return err;
}

ch_err
ch_people_import_csv(struct ch_ctx *ctx, const char *post_id, const char *csv,
    size_t len, struct ch_import_result *out)
{
	struct import im;
	ch_arena *work;
	ch_err err;

	memset(out, 0, sizeof(*out));
	/* The rows' copies live in an arena of the import's own, not in the
	 * answer's. */
	if ((work = ch_arena_create(0)) == NULL)
		return CH_ERR_NOMEM;
	import_init(&im, work, &ctx->fault);
	if ((err = import_read(&im, csv, len)) != CH_OK)
		goto free_import;
	if ((err = import_write(ctx, &im, post_id, out)) == CH_OK)
		out->rows = im.nrows;
free_import:
	import_free(&im);
	ch_arena_destroy(work);
	return err;
}
