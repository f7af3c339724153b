/*
 * audit_sql.c — the audit log's records in the store.  Sequence numbers
 * come from the single row of audit_head, updated inside the writer's
 * transaction: the row lock (PostgreSQL) or the write lock (SQLite)
 * serialises appenders, so numbers are dense and in commit order.
 */
#include <string.h>

#include "store/store_int.h"

#define AUDIT_COLUMNS                                                          \
	"seq, time, actor, post_id, action, object_type, object_id, "          \
	"request_id, source, state_hash, leaf_hash"

/* Whether the cell fits a field of size bytes (with its NUL). */
static bool
fits(const struct ch_rows *r, size_t row, size_t col, size_t size)
{
	const char *v = ch_rows_get(r, row, col);

	return v == NULL || strlen(v) < size;
}

/* An empty value in a column the log writes NULL into instead. */
static bool
empty(const struct ch_rows *r, size_t row, size_t col)
{
	const char *v = ch_rows_get(r, row, col);

	return v != NULL && v[0] == '\0';
}

/* Read audit records (AUDIT_COLUMNS order) into the arena; frees r. */
static ch_err
records_from_rows(struct ch_rows *r, ch_arena *arena,
    struct ch_audit_record **out, size_t *count)
{
	*out = ch_arena_alloc(arena, sizeof(**out) * (r->nrows + 1));
	if (*out == NULL) {
		ch_rows_free(r);
		return CH_ERR_NOMEM;
	}
	for (size_t i = 0; i < r->nrows; i++) {
		struct ch_audit_record *a = &(*out)[i];

		a->seq = ch_rows_int(r, i, 0, 0);
		ch_cell_copy(r, i, 1, a->time, sizeof(a->time));
		a->actor = ch_cell_dup(r, i, 2, arena);
		a->post_id = ch_cell_dup(r, i, 3, arena);
		a->action = ch_cell_dup(r, i, 4, arena);
		a->object_type = ch_cell_dup(r, i, 5, arena);
		a->object_id = ch_cell_dup(r, i, 6, arena);
		a->request_id = ch_cell_dup(r, i, 7, arena);
		a->source = ch_cell_dup(r, i, 8, arena);
		ch_cell_copy(r, i, 9, a->state_hash, sizeof(a->state_hash));
		ch_cell_copy(r, i, 10, a->leaf_hash, sizeof(a->leaf_hash));
		a->misstored = !fits(r, i, 1, sizeof(a->time)) ||
		    !fits(r, i, 9, sizeof(a->state_hash)) ||
		    !fits(r, i, 10, sizeof(a->leaf_hash)) || empty(r, i, 3) ||
		    empty(r, i, 6) || empty(r, i, 7) || empty(r, i, 8) ||
		    empty(r, i, 9);
	}
	*count = r->nrows;
	ch_rows_free(r);
	return CH_OK;
}

ch_err
ch_store_audit_next_seq(struct ch_tx *tx, int64_t *seq)
{
	struct ch_rows *r = NULL;
	ch_err err;

	err = ch_tx_query(tx,
	    "UPDATE audit_head SET size = size + 1 WHERE id = 1 RETURNING size",
	    NULL, 0, &r, NULL);
	if (err != CH_OK)
		return err;
	*seq = ch_rows_int(r, 0, 0, 0);
	ch_rows_free(r);
	return *seq > 0 ? CH_OK : CH_ERR_INTERNAL;
}

ch_err
ch_store_audit_insert(struct ch_tx *tx, const struct ch_audit_record *r)
{
	struct ch_param v[11];

	v[0] = CH_P_INT(r->seq);
	v[1] = CH_P_TEXT(r->time);
	v[2] = CH_P_TEXT(r->actor);
	v[3] = ch_param_opt(r->post_id);
	v[4] = CH_P_TEXT(r->action);
	v[5] = CH_P_TEXT(r->object_type);
	v[6] = ch_param_opt(r->object_id);
	v[7] = ch_param_opt(r->request_id);
	v[8] = ch_param_opt(r->source);
	v[9] = ch_param_opt(r->state_hash);
	v[10] = CH_P_TEXT(r->leaf_hash);
	return ch_tx_query(tx,
	    "INSERT INTO audit_log (seq, time, actor, post_id, action, "
	    "object_type, object_id, request_id, source, state_hash, leaf_hash)"
	    " VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)",
	    v, 11, NULL, NULL);
}

ch_err
ch_store_audit_reserve(struct ch_tx *tx, size_t n, int64_t *first)
{
	struct ch_param v[1] = {CH_P_INT(n)};
	struct ch_rows *r = NULL;
	ch_err err;

	err = ch_tx_query(tx,
	    "UPDATE audit_head SET size = size + $1 WHERE id = 1"
	    " RETURNING size",
	    v, 1, &r, NULL);
	if (err != CH_OK)
		return err;
	*first = ch_rows_int(r, 0, 0, 0) - (int64_t)n + 1;
	ch_rows_free(r);
	return *first > 0 ? CH_OK : CH_ERR_INTERNAL;
}

ch_err
ch_store_audit_insert_many(
    struct ch_tx *tx, const struct ch_audit_record *r, size_t n)
{
	struct ch_param v[11 * CH_ROWS_CHUNK_MAX];
	struct ch_buf sql;
	ch_err err = CH_OK;

	ch_buf_init(&sql, 64 * 1024);
	for (size_t done = 0, k; err == CH_OK && done < n; done += k) {
		k = ch_rows_chunk(n - done);
		for (size_t i = 0; i < k; i++) {
			const struct ch_audit_record *a = &r[done + i];
			struct ch_param *p = &v[i * 11];

			p[0] = CH_P_INT(a->seq);
			p[1] = CH_P_TEXT(a->time);
			p[2] = CH_P_TEXT(a->actor);
			p[3] = ch_param_opt(a->post_id);
			p[4] = CH_P_TEXT(a->action);
			p[5] = CH_P_TEXT(a->object_type);
			p[6] = ch_param_opt(a->object_id);
			p[7] = ch_param_opt(a->request_id);
			p[8] = ch_param_opt(a->source);
			p[9] = ch_param_opt(a->state_hash);
			p[10] = CH_P_TEXT(a->leaf_hash);
		}
		if ((err = ch_rows_sql(&sql,
			 "INSERT INTO audit_log (" AUDIT_COLUMNS ") VALUES", k,
			 11, "")) == CH_OK)
			err = ch_tx_query(tx, sql.data, v, k * 11, NULL, NULL);
	}
	ch_buf_free(&sql);
	return err;
}

ch_err
ch_store_audit_count(struct ch_tx *tx, int64_t *count)
{
	struct ch_rows *r = NULL;
	ch_err err;

	err = ch_tx_query(
	    tx, "SELECT size FROM audit_head WHERE id = 1", NULL, 0, &r, NULL);
	if (err != CH_OK)
		return err;
	*count = ch_rows_int(r, 0, 0, 0);
	ch_rows_free(r);
	return CH_OK;
}

ch_err
ch_store_audit_range(struct ch_tx *tx, int64_t from, size_t limit,
    ch_arena *arena, struct ch_audit_record **out, size_t *count)
{
	struct ch_param v[2] = {
	    CH_P_INT(from), CH_P_INT(from + (int64_t)limit)};
	struct ch_rows *r = NULL;
	ch_err err;

	*out = NULL;
	*count = 0;
	err = ch_tx_query(tx,
	    "SELECT " AUDIT_COLUMNS " FROM audit_log"
	    " WHERE seq >= $1 AND seq < $2 ORDER BY seq",
	    v, 2, &r, NULL);
	if (err != CH_OK)
		return err;
	return records_from_rows(r, arena, out, count);
}

ch_err
ch_store_audit_leaves(struct ch_tx *tx, int64_t from, size_t limit,
    int64_t *seqs, char (*hashes)[65], size_t *count)
{
	struct ch_param v[2] = {
	    CH_P_INT(from), CH_P_INT(from + (int64_t)limit)};
	struct ch_rows *r = NULL;
	ch_err err;

	*count = 0;
	err = ch_tx_query(tx,
	    "SELECT seq, leaf_hash FROM audit_log"
	    " WHERE seq >= $1 AND seq < $2 ORDER BY seq",
	    v, 2, &r, NULL);
	if (err != CH_OK)
		return err;
	for (size_t i = 0; i < r->nrows && i < limit; i++) {
		seqs[i] = ch_rows_int(r, i, 0, 0);
		ch_cell_copy(r, i, 1, hashes[i], 65);
		(*count)++;
	}
	ch_rows_free(r);
	return CH_OK;
}

ch_err
ch_store_audit_last_seq(struct ch_tx *tx, int64_t *seq)
{
	struct ch_rows *r = NULL;
	ch_err err;

	err = ch_tx_query(tx, "SELECT COALESCE(MAX(seq), 0) FROM audit_log",
	    NULL, 0, &r, NULL);
	if (err != CH_OK)
		return err;
	*seq = ch_rows_int(r, 0, 0, 0);
	ch_rows_free(r);
	return CH_OK;
}

ch_err
ch_store_audit_rows(struct ch_tx *tx, int64_t *rows, int64_t *lowest)
{
	struct ch_rows *r = NULL;
	ch_err err;

	err = ch_tx_query(tx,
	    "SELECT COUNT(*), COALESCE(MIN(seq), 1) FROM audit_log", NULL, 0,
	    &r, NULL);
	if (err != CH_OK)
		return err;
	*rows = ch_rows_int(r, 0, 0, 0);
	*lowest = ch_rows_int(r, 0, 1, 1);
	ch_rows_free(r);
	return CH_OK;
}

ch_err
ch_store_audit_hashes(struct ch_tx *tx, unsigned level, int64_t first,
    size_t count, char (*out)[65])
{
	struct ch_param v[3];
	struct ch_rows *r = NULL;
	ch_err err;

	if (count == 0 || count > 64)
		return CH_ERR_INVALID;
	for (size_t i = 0; i < count; i++)
		out[i][0] = '\0';
	if (level == 0) {
		v[0] = CH_P_INT(first + 1);
		v[1] = CH_P_INT(first + 1 + (int64_t)count);
		err = ch_tx_query(tx,
		    "SELECT seq - 1, leaf_hash FROM audit_log"
		    " WHERE seq >= $1 AND seq < $2",
		    v, 2, &r, NULL);
	} else {
		v[0] = CH_P_INT(level);
		v[1] = CH_P_INT(first);
		v[2] = CH_P_INT(first + (int64_t)count);
		err = ch_tx_query(tx,
		    "SELECT idx, hash FROM audit_nodes"
		    " WHERE level = $1 AND idx >= $2 AND idx < $3",
		    v, 3, &r, NULL);
	}
	if (err != CH_OK)
		return err;
	for (size_t i = 0; i < r->nrows; i++) {
		int64_t pos = ch_rows_int(r, i, 0, -1) - first;

		if (pos >= 0 && pos < (int64_t)count)
			ch_cell_copy(r, i, 1, out[pos], 65);
	}
	ch_rows_free(r);
	return CH_OK;
}

ch_err
ch_store_audit_node_insert(
    struct ch_tx *tx, unsigned level, int64_t index, const char *hash)
{
	struct ch_param v[3] = {
	    CH_P_INT(level), CH_P_INT(index), CH_P_TEXT(hash)};

	return ch_tx_query(tx,
	    "INSERT INTO audit_nodes (level, idx, hash) VALUES ($1, $2, $3)", v,
	    3, NULL, NULL);
}

ch_err
ch_store_audit_checkpoint_insert(
    struct ch_tx *tx, const struct ch_audit_checkpoint_row *c)
{
	struct ch_param v[4] = {CH_P_INT(c->size), CH_P_TEXT(c->root_hash),
	    CH_P_TEXT(c->created_at), CH_P_TEXT(c->note)};

	return ch_tx_query(tx,
	    "INSERT INTO audit_checkpoints (size, root_hash, created_at, note)"
	    " VALUES ($1, $2, $3, $4)",
	    v, 4, NULL, NULL);
}

static void
checkpoint_row(const struct ch_rows *r, size_t i, ch_arena *arena,
    struct ch_audit_checkpoint_row *c)
{
	c->size = ch_rows_int(r, i, 0, 0);
	ch_cell_copy(r, i, 1, c->root_hash, sizeof(c->root_hash));
	ch_cell_copy(r, i, 2, c->created_at, sizeof(c->created_at));
	c->note = ch_cell_dup(r, i, 3, arena);
}

ch_err
ch_store_audit_checkpoint_latest(
    struct ch_tx *tx, ch_arena *arena, struct ch_audit_checkpoint_row *out)
{
	struct ch_rows *r = NULL;
	ch_err err;

	memset(out, 0, sizeof(*out));
	err = ch_tx_query(tx,
	    "SELECT size, root_hash, created_at, note FROM audit_checkpoints"
	    " ORDER BY size DESC LIMIT 1",
	    NULL, 0, &r, NULL);
	if (err != CH_OK)
		return err;
	if (r->nrows == 0) {
		ch_rows_free(r);
		return CH_ERR_NOT_FOUND;
	}
	checkpoint_row(r, 0, arena, out);
	ch_rows_free(r);
	return out->note != NULL ? CH_OK : CH_ERR_NOMEM;
}

ch_err
ch_store_audit_checkpoint_list(struct ch_tx *tx, int64_t after, size_t limit,
    ch_arena *arena, struct ch_audit_checkpoint_row **out, size_t *count)
{
	struct ch_param v[2] = {CH_P_INT(after), CH_P_INT(limit)};
	struct ch_rows *r = NULL;
	ch_err err;

	*out = NULL;
	*count = 0;
	err = ch_tx_query(tx,
	    "SELECT size, root_hash, created_at, note FROM audit_checkpoints"
	    " WHERE size > $1 ORDER BY size LIMIT $2",
	    v, 2, &r, NULL);
	if (err != CH_OK)
		return err;
	*out = ch_arena_alloc(arena, sizeof(**out) * (r->nrows + 1));
	if (*out == NULL) {
		ch_rows_free(r);
		return CH_ERR_NOMEM;
	}
	for (size_t i = 0; i < r->nrows; i++)
		checkpoint_row(r, i, arena, &(*out)[i]);
	*count = r->nrows;
	ch_rows_free(r);
	return CH_OK;
}

ch_err
ch_store_audit_by_object(struct ch_tx *tx, const char *object_id, size_t limit,
    ch_arena *arena, struct ch_audit_record **out, size_t *count)
{
	struct ch_param v[2] = {CH_P_TEXT(object_id), CH_P_INT(limit)};
	struct ch_rows *r = NULL;
	ch_err err;

	*out = NULL;
	*count = 0;
	err = ch_tx_query(tx,
	    "SELECT " AUDIT_COLUMNS " FROM audit_log"
	    " WHERE object_id = $1 AND seq >= 1 ORDER BY seq LIMIT $2",
	    v, 2, &r, NULL);
	if (err != CH_OK)
		return err;
	return records_from_rows(r, arena, out, count);
}
