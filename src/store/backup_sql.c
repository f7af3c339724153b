/*
 * backup_sql.c — whole tables in and out, for backup and restore
 * (core/backup.c).  Reading is engine-neutral: every table the schema
 * holds, every row as text.  Writing goes by the target's own catalog:
 * a table or column name must exist there (the names come from a file),
 * and a column the target declares as an integer is bound as one.
 *
 * Foreign keys: rows go in table by table, in any order, and a table may
 * refer to itself (people.household_of, zones.parent_id), so the checks
 * wait for the end.  SQLite defers them (PRAGMA defer_foreign_keys) and
 * checks them at ch_store_restore_end; PostgreSQL's keys are not
 * deferrable, so the restore transaction drops them and adds them back at
 * the end, which checks every row; DDL is transactional there, so a failed
 * restore leaves them as they were.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store/store_int.h"

#define NAME_MAX_LEN 63
#define COLS_MAX 128
#define SQL_MAX 8192

struct ch_restore {
	struct ch_tx *tx;
	bool pg;
	struct ch_rows *fks; /* PostgreSQL: table, name, definition */
	char sql[SQL_MAX];
	size_t ncols;
	bool is_int[COLS_MAX];
	struct ch_param params[COLS_MAX];
};

/* A plain lower-case SQL identifier, safe to put in a statement. */
static bool
name_ok(const char *s)
{
	size_t n = 0;

	if (s == NULL || !((*s >= 'a' && *s <= 'z') || *s == '_'))
		return false;
	for (; s[n] != '\0'; n++)
		if (!((s[n] >= 'a' && s[n] <= 'z') ||
			(s[n] >= '0' && s[n] <= '9') || s[n] == '_'))
			return false;
	return n <= NAME_MAX_LEN;
}

static int
cmp_names(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

ch_err
ch_store_table_names(
    struct ch_tx *tx, ch_arena *arena, char ***names, size_t *count)
{
	struct ch_rows *r = NULL;
	size_t n = 0;
	ch_err err;

	*names = NULL;
	*count = 0;
	if (strcmp(ch_tx_engine(tx), "sqlite") == 0)
		err = ch_tx_query(tx,
		    "SELECT name FROM sqlite_master WHERE type = 'table'"
		    " AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\'",
		    NULL, 0, &r, NULL);
	else
		err = ch_tx_query(tx,
		    "SELECT table_name FROM information_schema.tables"
		    " WHERE table_schema = current_schema()"
		    " AND table_type = 'BASE TABLE'",
		    NULL, 0, &r, NULL);
	if (err != CH_OK)
		return err;
	*names = ch_arena_alloc(arena, sizeof(char *) * (r->nrows + 1));
	if (*names == NULL) {
		ch_rows_free(r);
		return CH_ERR_NOMEM;
	}
	for (size_t i = 0; i < r->nrows; i++) {
		const char *name = ch_rows_get(r, i, 0);

		if (!name_ok(name)) {
			log_warn("table \"%s\" has a name backups do not "
				 "handle; it is left out",
			    name ? name : "");
			continue;
		}
		if (((*names)[n++] = ch_arena_strdup(arena, name)) == NULL) {
			ch_rows_free(r);
			return CH_ERR_NOMEM;
		}
	}
	ch_rows_free(r);
	qsort(*names, n, sizeof(char *), cmp_names);
	*count = n;
	return CH_OK;
}

ch_err
ch_store_table_rows(struct ch_tx *tx, const char *table, struct ch_rows **out)
{
	char sql[128];

	*out = NULL;
	if (!name_ok(table))
		return CH_ERR_INVALID;
	snprintf(sql, sizeof(sql), "SELECT * FROM %s ORDER BY 1", table);
	return ch_tx_query(tx, sql, NULL, 0, out, NULL);
}

ch_err
ch_store_table_count(struct ch_tx *tx, const char *table, int64_t *count)
{
	struct ch_rows *r = NULL;
	char sql[128];
	ch_err err;

	*count = 0;
	if (!name_ok(table))
		return CH_ERR_INVALID;
	snprintf(sql, sizeof(sql), "SELECT COUNT(*) FROM %s", table);
	if ((err = ch_tx_query(tx, sql, NULL, 0, &r, NULL)) != CH_OK)
		return err;
	*count = ch_rows_int(r, 0, 0, 0);
	ch_rows_free(r);
	return CH_OK;
}

/* The columns of table in the target: name and declared type. */
static ch_err
target_columns(struct ch_restore *r, const char *table, struct ch_rows **out)
{
	struct ch_param v[1] = {CH_P_TEXT(table)};

	if (r->pg)
		return ch_tx_query(r->tx,
		    "SELECT column_name, data_type FROM "
		    "information_schema.columns WHERE table_schema = "
		    "current_schema() AND table_name = $1",
		    v, 1, out, NULL);
	return ch_tx_query(r->tx,
	    "SELECT name, type FROM pragma_table_info($1)", v, 1, out, NULL);
}

ch_err
ch_store_restore_begin(struct ch_tx *tx, struct ch_restore **out)
{
	struct ch_restore *r;
	char sql[256];
	ch_err err;

	*out = NULL;
	if ((r = calloc(1, sizeof(*r))) == NULL)
		return CH_ERR_NOMEM;
	r->tx = tx;
	r->pg = strcmp(ch_tx_engine(tx), "postgresql") == 0;
	if (!r->pg) {
		err = ch_tx_query(
		    tx, "PRAGMA defer_foreign_keys = ON", NULL, 0, NULL, NULL);
		goto done;
	}
	err = ch_tx_query(tx,
	    "SELECT c.conrelid::regclass::text, c.conname,"
	    " pg_get_constraintdef(c.oid) FROM pg_constraint c"
	    " WHERE c.contype = 'f'"
	    " AND c.connamespace = current_schema()::regnamespace"
	    " ORDER BY 1, 2",
	    NULL, 0, &r->fks, NULL);
	for (size_t i = 0; err == CH_OK && i < r->fks->nrows; i++) {
		const char *table = ch_rows_get(r->fks, i, 0);
		const char *name = ch_rows_get(r->fks, i, 1);

		if (!name_ok(table) || !name_ok(name)) {
			log_error("foreign key %s of %s: a name restore does "
				  "not handle",
			    name ? name : "", table ? table : "");
			err = CH_ERR_UNSUPPORTED;
			break;
		}
		snprintf(sql, sizeof(sql), "ALTER TABLE %s DROP CONSTRAINT %s",
		    table, name);
		err = ch_tx_query(tx, sql, NULL, 0, NULL, NULL);
	}
done:
	if (err != CH_OK) {
		ch_store_restore_abort(r);
		return err;
	}
	*out = r;
	return CH_OK;
}

ch_err
ch_store_restore_clear(struct ch_restore *r, const char *table)
{
	char sql[128];

	if (!name_ok(table))
		return CH_ERR_INVALID;
	snprintf(sql, sizeof(sql), "DELETE FROM %s", table);
	return ch_tx_query(r->tx, sql, NULL, 0, NULL, NULL);
}

ch_err
ch_store_restore_table(struct ch_restore *r, const char *table,
    const char *const *columns, size_t ncols)
{
	struct ch_rows *cols = NULL;
	size_t len;
	ch_err err;
	int n;

	if (!name_ok(table) || ncols == 0 || ncols > COLS_MAX)
		return CH_ERR_INVALID;
	if ((err = target_columns(r, table, &cols)) != CH_OK)
		return err;
	if (cols->nrows == 0) {
		log_error("table %s is not in this database's schema", table);
		err = CH_ERR_INVALID;
		goto free_cols;
	}
	n = snprintf(r->sql, sizeof(r->sql), "INSERT INTO %s (", table);
	len = (size_t)n;
	for (size_t i = 0; i < ncols; i++) {
		size_t j;

		for (j = 0; j < cols->nrows; j++)
			if (ch_streq(ch_rows_get(cols, j, 0), columns[i]))
				break;
		if (!name_ok(columns[i]) || j == cols->nrows) {
			log_error("column %s.%.64s is not in this database's "
				  "schema",
			    table, columns[i]);
			err = CH_ERR_INVALID;
			goto free_cols;
		}
		/* "integer", "bigint", "INTEGER", "BIGINT" */
		r->is_int[i] = strstr(ch_rows_get(cols, j, 1), "int") != NULL ||
		    strstr(ch_rows_get(cols, j, 1), "INT") != NULL;
		n = snprintf(r->sql + len, sizeof(r->sql) - len, "%s%s",
		    i ? ", " : "", columns[i]);
		if (n < 0 || (len += (size_t)n) >= sizeof(r->sql))
			goto too_long;
	}
	n = snprintf(r->sql + len, sizeof(r->sql) - len, ") VALUES (");
	if (n < 0 || (len += (size_t)n) >= sizeof(r->sql))
		goto too_long;
	for (size_t i = 0; i < ncols; i++) {
		n = snprintf(r->sql + len, sizeof(r->sql) - len, "%s$%zu",
		    i ? ", " : "", i + 1);
		if (n < 0 || (len += (size_t)n) >= sizeof(r->sql))
			goto too_long;
	}
	n = snprintf(r->sql + len, sizeof(r->sql) - len, ")");
	if (n < 0 || (size_t)n >= sizeof(r->sql) - len)
		goto too_long;
	r->ncols = ncols;
	goto free_cols;
too_long:
	err = CH_ERR_TOO_LARGE;
free_cols:
	ch_rows_free(cols);
	return err;
}

ch_err
ch_store_restore_row(struct ch_restore *r, const char *const *cells)
{
	for (size_t i = 0; i < r->ncols; i++) {
		long long num;
		char *end;

		if (cells[i] == NULL) {
			r->params[i] = CH_P_NULL;
		} else if (r->is_int[i]) {
			num = strtoll(cells[i], &end, 10);
			if (*cells[i] == '\0' || *end != '\0')
				return CH_ERR_INVALID;
			r->params[i] = CH_P_INT(num);
		} else {
			r->params[i] = CH_P_TEXT(cells[i]);
		}
	}
	return ch_tx_query(r->tx, r->sql, r->params, r->ncols, NULL, NULL);
}

ch_err
ch_store_restore_end(struct ch_restore *r)
{
	struct ch_rows *bad = NULL;
	char sql[1024];
	ch_err err = CH_OK;

	if (!r->pg) {
		err = ch_tx_query(
		    r->tx, "PRAGMA foreign_key_check", NULL, 0, &bad, NULL);
		if (err == CH_OK && bad->nrows > 0) {
			log_error("%zu rows refer to rows that are not there "
				  "(first in table %s)",
			    bad->nrows, ch_rows_get(bad, 0, 0));
			err = CH_ERR_CONFLICT;
		}
		ch_rows_free(bad);
		goto done;
	}
	for (size_t i = 0; err == CH_OK && i < r->fks->nrows; i++) {
		if (snprintf(sql, sizeof(sql),
			"ALTER TABLE %s ADD CONSTRAINT %s %s",
			ch_rows_get(r->fks, i, 0), ch_rows_get(r->fks, i, 1),
			ch_rows_get(r->fks, i, 2)) >= (int)sizeof(sql)) {
			err = CH_ERR_TOO_LARGE;
			break;
		}
		err = ch_tx_query(r->tx, sql, NULL, 0, NULL, NULL);
	}
done:
	ch_store_restore_abort(r);
	return err;
}

void
ch_store_restore_abort(struct ch_restore *r)
{
	if (r == NULL)
		return;
	ch_rows_free(r->fks);
	free(r);
}
