/*
 * audit_sql.c — the audit log's records in the store.  Sequence numbers
 * come from the single row of audit_head, updated inside the writer's
 * transaction: the row lock (PostgreSQL) or the write lock (SQLite)
 * serialises appenders, so numbers are dense and in commit order.
 */
#include <string.h>

#include "store/store_int.h"

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
	    "SELECT seq, time, actor, post_id, action, object_type, object_id,"
	    " request_id, source, state_hash, leaf_hash FROM audit_log"
	    " WHERE seq >= $1 AND seq < $2 ORDER BY seq",
	    v, 2, &r, NULL);
	if (err != CH_OK)
		return err;
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
	}
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
	    "SELECT seq, time, actor, post_id, action, object_type, object_id,"
	    " request_id, source, state_hash, leaf_hash FROM audit_log"
	    " WHERE object_id = $1 ORDER BY seq LIMIT $2",
	    v, 2, &r, NULL);
	if (err != CH_OK)
		return err;
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
	}
	*count = r->nrows;
	ch_rows_free(r);
	return CH_OK;
}
