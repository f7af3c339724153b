/*
 * db.c — driver selection by DSN and the result-set helpers both drivers
 * share.
 */
#include <stdlib.h>
#include <string.h>

#include "store/db.h"

const struct ch_db_ops *
ch_db_ops_for(const char *dsn)
{
	if (dsn == NULL)
		return NULL;
	if (strncmp(dsn, "sqlite:", 7) == 0)
		return &ch_db_sqlite_ops;
	if (strncmp(dsn, "postgresql://", 13) == 0 ||
	    strncmp(dsn, "postgres://", 11) == 0)
		return &ch_db_pg_ops;
	return NULL;
}

void
ch_rows_free(struct ch_rows *rows)
{
	if (rows == NULL)
		return;
	for (size_t i = 0; i < rows->nrows * rows->ncols; i++)
		free(rows->cells[i]);
	for (size_t i = 0; i < rows->ncols; i++)
		free(rows->names[i]);
	free(rows->cells);
	free(rows->names);
	free(rows);
}

const char *
ch_rows_get(const struct ch_rows *rows, size_t row, size_t col)
{
	if (rows == NULL || row >= rows->nrows || col >= rows->ncols)
		return NULL;
	return rows->cells[row * rows->ncols + col];
}

int64_t
ch_rows_int(const struct ch_rows *rows, size_t row, size_t col, int64_t dflt)
{
	const char *s = ch_rows_get(rows, row, col);
	char *end;
	long long v;

	if (s == NULL || *s == '\0')
		return dflt;
	v = strtoll(s, &end, 10);
	return *end == '\0' ? (int64_t)v : dflt;
}
