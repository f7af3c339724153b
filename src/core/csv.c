/*
 * csv.c — the RFC 4180 reader of csv.h.
 *
 * ch_csv_next() reads one record a field at a time.  An unquoted field runs
 * to the next comma or line end and may not contain a quote; a quoted field
 * runs to its closing quote, turning "" into " and keeping commas and line
 * ends, and must be followed by a comma, a line end or the end of the data.
 * The unquoted bytes of the record's fields go, each followed by a NUL,
 * into one buffer whose maximum is the record limit; the row then points
 * into that buffer.
 */
#include <stdio.h>
#include <string.h>

#include "core/csv.h"

/* The record buffer: every field at its maximum, each with its NUL. */
#define RECORD_MAX (CH_CSV_MAX_FIELDS * (CH_CSV_MAX_FIELD + 1))

void
ch_csv_init(struct ch_csv *r, const char *data, size_t len, size_t max_records)
{
	memset(r, 0, sizeof(*r));
	r->data = data;
	r->len = data != NULL ? len : 0;
	r->line = 1;
	r->max_records = max_records;
	ch_buf_init(&r->field_bytes, RECORD_MAX);
	if (r->len >= 3 && memcmp(r->data, "\xef\xbb\xbf", 3) == 0)
		r->pos = 3;
}

void
ch_csv_free(struct ch_csv *r)
{
	if (r == NULL)
		return;
	ch_buf_free(&r->field_bytes);
}

/* Fail the reader with a fault on line. */
static ch_err
fail(struct ch_csv *r, ch_err err, size_t line, struct ch_fault *fault,
    const char *detail)
{
	char field[32];

	r->failed = true;
	snprintf(field, sizeof(field), "line %zu", line);
	ch_fault_set(fault, field, "%s", detail);
	return err;
}

/* Whether the byte at pos ends a line: LF, or CR followed by LF. */
static bool
at_line_end(const struct ch_csv *r, size_t pos)
{
	return pos < r->len &&
	    (r->data[pos] == '\n' ||
		(r->data[pos] == '\r' && pos + 1 < r->len &&
		    r->data[pos + 1] == '\n'));
}

/* Step over the line end at r->pos. */
static void
skip_line_end(struct ch_csv *r)
{
	r->pos += r->data[r->pos] == '\r' ? 2 : 1;
	r->line++;
}

/* Add n bytes to the current field, which started at start in the buffer. */
static ch_err
field_append(struct ch_csv *r, size_t start, const char *p, size_t n,
    struct ch_fault *fault)
{
	char detail[160];
	ch_err err;

	if (n > CH_CSV_MAX_FIELD ||
	    r->field_bytes.len - start > CH_CSV_MAX_FIELD - n) {
		snprintf(detail, sizeof(detail),
		    "a field is longer than %d bytes; shorten it.",
		    CH_CSV_MAX_FIELD);
		return fail(r, CH_ERR_INVALID, r->line, fault, detail);
	}
	err = ch_buf_append(&r->field_bytes, p, n);
	if (err != CH_OK) {
		log_error("%s", ch_strerror(err));
		r->failed = true;
	}
	return err;
}

/* Read a quoted field, r->pos at its opening quote. */
static ch_err
read_quoted(struct ch_csv *r, size_t start, struct ch_fault *fault)
{
	size_t opened = r->line;
	const char *d = r->data;
	ch_err err;

	r->pos++;
	for (;;) {
		size_t run = r->pos;

		while (run < r->len && d[run] != '"' && d[run] != '\0') {
			if (d[run] == '\n')
				r->line++;
			run++;
		}
		if ((err = field_append(
			 r, start, d + r->pos, run - r->pos, fault)) != CH_OK)
			return err;
		r->pos = run;
		if (r->pos >= r->len)
			return fail(r, CH_ERR_INVALID, opened, fault,
			    "a quoted field that starts on this line is never "
			    "closed: add the closing quote (\"), and write a "
			    "quote inside a field as two (\"\").");
		if (d[r->pos] == '\0')
			return fail(r, CH_ERR_INVALID, r->line, fault,
			    "the file contains a NUL byte, so it is not text: "
			    "save it as CSV in UTF-8.");
		/* A quote: either "" for one quote, or the end. */
		if (r->pos + 1 < r->len && d[r->pos + 1] == '"') {
			if ((err = field_append(r, start, "\"", 1, fault)) !=
			    CH_OK)
				return err;
			r->pos += 2;
			continue;
		}
		r->pos++;
		break;
	}
	if (r->pos < r->len && d[r->pos] != ',' && !at_line_end(r, r->pos))
		return fail(r, CH_ERR_INVALID, r->line, fault,
		    "text follows the closing quote of a field: put the whole "
		    "field in quotes and write a quote inside it as two "
		    "(\"\").");
	return CH_OK;
}

/* Read an unquoted field from r->pos. */
static ch_err
read_plain(struct ch_csv *r, size_t start, struct ch_fault *fault)
{
	const char *d = r->data;
	size_t run = r->pos;
	ch_err err;

	while (run < r->len && d[run] != ',' && d[run] != '\n' &&
	    d[run] != '\r' && d[run] != '"' && d[run] != '\0')
		run++;
	if ((err = field_append(r, start, d + r->pos, run - r->pos, fault)) !=
	    CH_OK)
		return err;
	r->pos = run;
	if (r->pos >= r->len || d[r->pos] == ',' || at_line_end(r, r->pos))
		return CH_OK;
	if (d[r->pos] == '"')
		return fail(r, CH_ERR_INVALID, r->line, fault,
		    "a field that does not start with a quote contains one: "
		    "put the whole field in quotes and write the quote inside "
		    "it as two (\"\").");
	if (d[r->pos] == '\0')
		return fail(r, CH_ERR_INVALID, r->line, fault,
		    "the file contains a NUL byte, so it is not text: save it "
		    "as CSV in UTF-8.");
	return fail(r, CH_ERR_INVALID, r->line, fault,
	    "a carriage return is not followed by a line feed: save the file "
	    "with CRLF or LF line ends, or quote the field.");
}

ch_err
ch_csv_next(struct ch_csv *r, struct ch_csv_row *row, struct ch_fault *fault)
{
	size_t offsets[CH_CSV_MAX_FIELDS];
	char detail[160];
	ch_err err;

	row->line = 0;
	row->nfields = 0;
	if (r->failed)
		return CH_ERR_INVALID;
	while (at_line_end(r, r->pos))
		skip_line_end(r);
	if (r->pos >= r->len)
		return CH_OK;
	if (r->max_records != 0 && r->records >= r->max_records) {
		snprintf(detail, sizeof(detail),
		    "the file has more than %zu records (lines, counting the "
		    "header); split it into smaller files.",
		    r->max_records);
		return fail(r, CH_ERR_TOO_LARGE, r->line, fault, detail);
	}
	row->line = r->line;
	ch_buf_reset(&r->field_bytes);
	for (;;) {
		size_t start = r->field_bytes.len;

		if (row->nfields == CH_CSV_MAX_FIELDS) {
			snprintf(detail, sizeof(detail),
			    "the record has more than %d fields; a record may "
			    "have at most %d.",
			    CH_CSV_MAX_FIELDS, CH_CSV_MAX_FIELDS);
			return fail(
			    r, CH_ERR_INVALID, row->line, fault, detail);
		}
		if (r->pos < r->len && r->data[r->pos] == '"')
			err = read_quoted(r, start, fault);
		else
			err = read_plain(r, start, fault);
		if (err != CH_OK)
			return err;
		if (!ch_utf8_valid(r->field_bytes.data + start,
			r->field_bytes.len - start))
			return fail(r, CH_ERR_INVALID, r->line, fault,
			    "a field is not valid UTF-8 text: save the file as "
			    "CSV in UTF-8.");
		/* The NUL that ends the field in the buffer. */
		if ((err = ch_buf_append(&r->field_bytes, "", 1)) != CH_OK) {
			log_error("%s", ch_strerror(err));
			r->failed = true;
			return err;
		}
		offsets[row->nfields] = start;
		row->lens[row->nfields] = r->field_bytes.len - 1 - start;
		row->nfields++;
		if (r->pos >= r->len)
			break;
		if (r->data[r->pos] == ',') {
			r->pos++;
			continue;
		}
		skip_line_end(r);
		break;
	}
	for (size_t i = 0; i < row->nfields; i++)
		row->fields[i] = r->field_bytes.data + offsets[i];
	r->records++;
	return CH_OK;
}
