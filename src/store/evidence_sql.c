/*
 * evidence_sql.c — the evidence files of incidents in the store.  The
 * listing never reads the content column; only ch_store_evidence_get()
 * does, for one file of one incident.
 */
#include <stdlib.h>
#include <string.h>

#include "incidents/incidents.h"
#include "store/store_int.h"

#define EVIDENCE_COLUMNS                                                       \
	"e.id, e.incident_id, e.name, e.media_type, e.description, "           \
	"COALESCE(u.username, e.uploaded_by), e.size, e.sha256, e.uploaded_at"

static void
evidence_from_row(
    const struct ch_rows *r, size_t i, ch_arena *a, struct ch_evidence *e)
{
	memset(e, 0, sizeof(*e));
	ch_cell_copy(r, i, 0, e->id, sizeof(e->id));
	ch_cell_copy(r, i, 1, e->incident_id, sizeof(e->incident_id));
	e->name = ch_cell_dup(r, i, 2, a);
	e->media_type = ch_cell_dup(r, i, 3, a);
	e->description = ch_cell_dup(r, i, 4, a);
	e->uploaded_by = ch_cell_dup(r, i, 5, a);
	e->size = ch_rows_int(r, i, 6, 0);
	ch_cell_copy(r, i, 7, e->sha256, sizeof(e->sha256));
	ch_cell_copy(r, i, 8, e->uploaded_at, sizeof(e->uploaded_at));
}

ch_err
ch_store_evidence_insert(struct ch_tx *tx, const struct ch_evidence *e,
    const char *file_key, const char *content)
{
	struct ch_param v[11];

	v[0] = CH_P_TEXT(e->id);
	v[1] = CH_P_TEXT(e->incident_id);
	v[2] = CH_P_TEXT(e->name);
	v[3] = CH_P_TEXT(e->media_type);
	v[4] = CH_P_INT(e->size);
	v[5] = CH_P_TEXT(e->sha256);
	v[6] = ch_param_opt(e->description);
	v[7] = CH_P_TEXT(file_key);
	v[8] = CH_P_TEXT(content);
	v[9] = CH_P_TEXT(e->uploaded_by);
	v[10] = CH_P_TEXT(e->uploaded_at);
	return ch_tx_query(tx,
	    "INSERT INTO incident_evidence (id, incident_id, name, media_type,"
	    " size, sha256, description, file_key, content, uploaded_by,"
	    " uploaded_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10,"
	    " $11)",
	    v, 11, NULL, NULL);
}

ch_err
ch_store_evidence_list(struct ch_tx *tx, const char *incident_id,
    ch_arena *arena, struct ch_evidence **out, size_t *count)
{
	struct ch_param v[1] = {CH_P_TEXT(incident_id)};
	struct ch_rows *r = NULL;
	ch_err err;

	*out = NULL;
	*count = 0;
	err = ch_tx_query(tx,
	    "SELECT " EVIDENCE_COLUMNS " FROM incident_evidence e"
	    " LEFT JOIN users u ON u.id = e.uploaded_by"
	    " WHERE e.incident_id = $1 ORDER BY e.uploaded_at, e.id",
	    v, 1, &r, NULL);
	if (err != CH_OK)
		return err;
	*out = ch_arena_alloc(arena, sizeof(**out) * (r->nrows + 1));
	if (*out == NULL) {
		ch_rows_free(r);
		return CH_ERR_NOMEM;
	}
	for (size_t i = 0; i < r->nrows; i++)
		evidence_from_row(r, i, arena, &(*out)[i]);
	*count = r->nrows;
	ch_rows_free(r);
	return CH_OK;
}

ch_err
ch_store_evidence_get(struct ch_tx *tx, const char *incident_id, const char *id,
    ch_arena *arena, struct ch_evidence *out, char **file_key, char **content)
{
	struct ch_param v[2] = {CH_P_TEXT(incident_id), CH_P_TEXT(id)};
	struct ch_rows *r = NULL;
	ch_err err;

	err = ch_tx_query(tx,
	    "SELECT " EVIDENCE_COLUMNS ", e.file_key, e.content"
	    " FROM incident_evidence e LEFT JOIN users u"
	    " ON u.id = e.uploaded_by WHERE e.incident_id = $1 AND e.id = $2",
	    v, 2, &r, NULL);
	if (err != CH_OK)
		return err;
	if (r->nrows == 0) {
		ch_rows_free(r);
		return CH_ERR_NOT_FOUND;
	}
	evidence_from_row(r, 0, arena, out);
	*file_key = ch_cell_dup(r, 0, 9, arena);
	*content = ch_cell_dup(r, 0, 10, arena);
	ch_rows_free(r);
	return *file_key && *content ? CH_OK : CH_ERR_NOMEM;
}
