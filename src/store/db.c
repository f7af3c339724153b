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

struct ch_rows_block {
	struct ch_rows_block *next;
	size_t used, size;
	char data[];
};

#define ROWS_BLOCK_FIRST 1024u
#define ROWS_BLOCK_MAX (64u * 1024)

char *
ch_rows_copy(struct ch_rows *rows, const char *s, size_t n)
{
	struct ch_rows_block *b = rows->text;
	char *copy;

	if (b == NULL || b->size - b->used < n + 1) {
		size_t size = b == NULL        ? ROWS_BLOCK_FIRST
		    : b->size < ROWS_BLOCK_MAX ? b->size * 2
					       : ROWS_BLOCK_MAX;

		if (size < n + 1)
			size = n + 1;
		if ((b = malloc(sizeof(*b) + size)) == NULL)
			return NULL;
		b->next = rows->text;
		b->used = 0;
		b->size = size;
		rows->text = b;
	}
	copy = b->data + b->used;
	memcpy(copy, s, n);
	copy[n] = '\0';
	b->used += n + 1;
	return copy;
}

void
ch_rows_free(struct ch_rows *rows)
{
	if (rows == NULL)
		return;
	while (rows->text != NULL) {
		struct ch_rows_block *next = rows->text->next;

		free(rows->text);
		rows->text = next;
	}
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
