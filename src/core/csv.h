/*
 * csv.h — an RFC 4180 CSV reader over a buffer in memory.
 *
 * Fields are separated by commas and records by CRLF or LF.  A field may be
 * quoted; inside quotes a comma, a line end and a doubled quote ("") are
 * data.  A UTF-8 byte order mark at the start is skipped, and so are empty
 * lines between records.  Every field must be UTF-8 without NUL bytes.
 *
 * The reader never allocates more than one record's worth of memory: at
 * most CH_CSV_MAX_FIELDS fields of at most CH_CSV_MAX_FIELD bytes.  Input
 * over a limit, or malformed, is an error that names the physical line
 * ("line 7") in the fault.
 *
 *	struct ch_csv r;
 *	struct ch_csv_row row;
 *
 *	ch_csv_init(&r, data, len, 1000);
 *	while ((err = ch_csv_next(&r, &row, &fault)) == CH_OK &&
 *	    row.nfields > 0)
 *		use(row.fields[0], row.line);
 *	ch_csv_free(&r);
 */
#ifndef CH_CORE_CSV_H
#define CH_CORE_CSV_H

#include "core/core.h"

#define CH_CSV_MAX_FIELDS 64  /* fields in one record */
#define CH_CSV_MAX_FIELD 4096 /* bytes in one field, after unquoting */

struct ch_csv {
	const char *data;
	size_t len;
	size_t pos;                /* next byte to read */
	size_t line;               /* physical line of pos, from 1 */
	size_t records;            /* records returned so far */
	size_t max_records;        /* 0: no limit */
	bool failed;               /* an error stopped the reader */
	struct ch_buf field_bytes; /* the current record's fields */
};

/*
 * One record.  fields[i] is NUL-terminated (lens[i] bytes, without the NUL)
 * and stays valid until the next call of ch_csv_next() or ch_csv_free().
 */
struct ch_csv_row {
	size_t line;    /* physical line where the record starts */
	size_t nfields; /* 0: no more records */
	const char *fields[CH_CSV_MAX_FIELDS];
	size_t lens[CH_CSV_MAX_FIELDS];
};

/* Read len bytes of data (not copied: it must outlive the reader), at most
 * max_records records (0: no limit). */
void ch_csv_init(
    struct ch_csv *r, const char *data, size_t len, size_t max_records);
/* Release the reader's memory; the data is the caller's. */
void ch_csv_free(struct ch_csv *r);
/*
 * The next record into row: CH_OK with row->nfields > 0, or CH_OK with
 * row->nfields == 0 at the end of the data.  On malformed input
 * CH_ERR_INVALID with fault->field "line N" and a detail that says what
 * is wrong and what to do; past max_records CH_ERR_TOO_LARGE; CH_ERR_NOMEM
 * when memory runs out.  After an error the reader stays failed and
 * returns CH_ERR_INVALID without touching the fault.
 */
ch_err ch_csv_next(
    struct ch_csv *r, struct ch_csv_row *row, struct ch_fault *fault);

#endif /* CH_CORE_CSV_H */
