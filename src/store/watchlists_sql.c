/*
 * watchlists_sql.c — watchlists, their versions and entries, screening
 * thresholds, screenings, hits and adjudications in the store (migration
 * 8).  An entry is current while last_version is NULL.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "screening/screening.h"
#include "store/store_int.h"

#define LIST_COLUMNS                                                           \
	"l.id, l.post_id, l.name, l.source, l.current_version, "               \
	"l.created_at, l.updated_at, (SELECT COUNT(*) FROM watchlist_entries " \
	"e WHERE e.list_id = l.id AND e.last_version IS NULL)"
#define VERSION_COLUMNS                                                        \
	"id, list_id, number, origin, entries, added, removed, changed, "      \
	"unchanged, imported_by, imported_at"
#define ENTRY_COLUMNS                                                          \
	"id, list_id, ref, content_hash, primary_name, kind, first_version, "  \
	"last_version, reason, seriousness, created_by, created_at"
#define HIT_COLUMNS                                                            \
	"h.id, h.screening_id, h.post_id, h.entry_id, h.list_id, "             \
	"h.score_permille, h.level, h.status, h.explanation, h.decision_id, "  \
	"h.created_at, l.name, e.ref, e.primary_name, e.data, s.name, "        \
	"s.subject_type, s.subject_id, d.decision, d.reason, d.decided_by, "   \
	"d.decided_at, s.subject_key, s.subject_hash, e.content_hash"
#define HIT_FROM                                                               \
	" FROM screening_hits h JOIN screenings s ON s.id = h.screening_id"    \
	" JOIN watchlists l ON l.id = h.list_id"                               \
	" JOIN watchlist_entries e ON e.id = h.entry_id"                       \
	" LEFT JOIN screening_decisions d ON d.id = h.decision_id"

static void
list_from_row(
    const struct ch_rows *r, size_t i, ch_arena *a, struct ch_watchlist *l)
{
	memset(l, 0, sizeof(*l));
	ch_cell_copy(r, i, 0, l->id, sizeof(l->id));
	ch_cell_copy(r, i, 1, l->post_id, sizeof(l->post_id));
	l->name = ch_cell_dup(r, i, 2, a);
	l->source = ch_cell_dup(r, i, 3, a);
	l->current_version = ch_rows_int(r, i, 4, 0);
	ch_cell_copy(r, i, 5, l->created_at, sizeof(l->created_at));
	ch_cell_copy(r, i, 6, l->updated_at, sizeof(l->updated_at));
	l->entries = ch_rows_int(r, i, 7, 0);
}

ch_err
ch_store_watchlist_insert(struct ch_tx *tx, const struct ch_watchlist *l)
{
	struct ch_param v[7];

	v[0] = CH_P_TEXT(l->id);
	v[1] = CH_P_TEXT(l->post_id[0] ? l->post_id : "global");
	v[2] = ch_param_opt(l->post_id);
	v[3] = CH_P_TEXT(l->name);
	v[4] = CH_P_TEXT(l->source);
	v[5] = CH_P_TEXT(l->created_at);
	v[6] = CH_P_TEXT(l->updated_at);
	return ch_tx_query(tx,
	    "INSERT INTO watchlists (id, scope, post_id, name, source,"
	    " current_version, created_at, updated_at)"
	    " VALUES ($1, $2, $3, $4, $5, 0, $6, $7)",
	    v, 7, NULL, NULL);
}

static ch_err
one_list(struct ch_tx *tx, const char *sql, const struct ch_param *v, size_t nv,
    ch_arena *a, struct ch_watchlist *out)
{
	struct ch_rows *r = NULL;
	ch_err err = ch_tx_query(tx, sql, v, nv, &r, NULL);

	if (err != CH_OK)
		return err;
	if (r->nrows == 0) {
		ch_rows_free(r);
		return CH_ERR_NOT_FOUND;
	}
	list_from_row(r, 0, a, out);
	ch_rows_free(r);
	return CH_OK;
}

ch_err
ch_store_watchlist_get(
    struct ch_tx *tx, const char *id, ch_arena *arena, struct ch_watchlist *out)
{
	struct ch_param v[1] = {CH_P_TEXT(id)};

	return one_list(tx,
	    "SELECT " LIST_COLUMNS " FROM watchlists l WHERE l.id = $1", v, 1,
	    arena, out);
}

ch_err
ch_store_watchlist_find(struct ch_tx *tx, const char *scope, const char *name,
    ch_arena *arena, struct ch_watchlist *out)
{
	struct ch_param v[2] = {CH_P_TEXT(scope), CH_P_TEXT(name)};

	return one_list(tx,
	    "SELECT " LIST_COLUMNS " FROM watchlists l"
	    " WHERE l.scope = $1 AND l.name = $2",
	    v, 2, arena, out);
}

ch_err
ch_store_watchlist_list(struct ch_tx *tx, const char *post_id, ch_arena *arena,
    struct ch_watchlist **out, size_t *count)
{
	struct ch_param v[1] = {ch_param_opt(post_id)};
	struct ch_rows *r = NULL;
	ch_err err;

	*out = NULL;
	*count = 0;
	err = ch_tx_query(tx,
	    "SELECT " LIST_COLUMNS " FROM watchlists l"
	    " WHERE CAST($1 AS TEXT) IS NULL OR l.post_id IS NULL"
	    " OR l.post_id = $1 ORDER BY l.scope, l.name, l.id",
	    v, 1, &r, NULL);
	if (err != CH_OK)
		return err;
	if (r->nrows > 0 &&
	    (*out = ch_arena_alloc(arena, r->nrows * sizeof(**out))) == NULL) {
		ch_rows_free(r);
		return CH_ERR_NOMEM;
	}
	for (size_t i = 0; i < r->nrows; i++)
		list_from_row(r, i, arena, &(*out)[i]);
	*count = r->nrows;
	ch_rows_free(r);
	return CH_OK;
}

ch_err
ch_store_watchlists_generation(struct ch_tx *tx, char *out, size_t size)
{
	struct ch_rows *r = NULL;
	ch_err err;

	/* Every change adds a list, a version or an entry row, or retires
	 * an entry (a lookout removed). */
	err = ch_tx_query(tx,
	    "SELECT (SELECT COUNT(*) FROM watchlists),"
	    " (SELECT SUM(current_version) FROM watchlists),"
	    " (SELECT COUNT(*) FROM watchlist_entries),"
	    " (SELECT COUNT(*) FROM watchlist_entries"
	    "  WHERE last_version IS NULL)",
	    NULL, 0, &r, NULL);
	if (err != CH_OK)
		return err;
	snprintf(out, size, "%lld/%lld/%lld/%lld",
	    (long long)ch_rows_int(r, 0, 0, 0),
	    (long long)ch_rows_int(r, 0, 1, 0),
	    (long long)ch_rows_int(r, 0, 2, 0),
	    (long long)ch_rows_int(r, 0, 3, 0));
	ch_rows_free(r);
	return CH_OK;
}

ch_err
ch_store_watchlist_set_version(
    struct ch_tx *tx, const char *id, int64_t version, const char *updated_at)
{
	struct ch_param v[3] = {
	    CH_P_TEXT(id), CH_P_INT(version), CH_P_TEXT(updated_at)};

	return ch_tx_query(tx,
	    "UPDATE watchlists SET current_version = $2, updated_at = $3"
	    " WHERE id = $1",
	    v, 3, NULL, NULL);
}

ch_err
ch_store_watch_version_insert(
    struct ch_tx *tx, const struct ch_watch_version *w)
{
	struct ch_param v[11];

	v[0] = CH_P_TEXT(w->id);
	v[1] = CH_P_TEXT(w->list_id);
	v[2] = CH_P_INT(w->number);
	v[3] = CH_P_TEXT(w->origin);
	v[4] = CH_P_INT(w->entries);
	v[5] = CH_P_INT(w->added);
	v[6] = CH_P_INT(w->removed);
	v[7] = CH_P_INT(w->changed);
	v[8] = CH_P_INT(w->unchanged);
	v[9] = CH_P_TEXT(w->imported_by);
	v[10] = CH_P_TEXT(w->imported_at);
	return ch_tx_query(tx,
	    "INSERT INTO watchlist_versions (" VERSION_COLUMNS ")"
	    " VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)",
	    v, 11, NULL, NULL);
}

ch_err
ch_store_watch_version_list(struct ch_tx *tx, const char *list_id,
    ch_arena *arena, struct ch_watch_version **out, size_t *count)
{
	struct ch_param v[1] = {CH_P_TEXT(list_id)};
	struct ch_rows *r = NULL;
	ch_err err;

	*out = NULL;
	*count = 0;
	err = ch_tx_query(tx,
	    "SELECT " VERSION_COLUMNS " FROM watchlist_versions"
	    " WHERE list_id = $1 ORDER BY number DESC",
	    v, 1, &r, NULL);
	if (err != CH_OK)
		return err;
	if (r->nrows > 0 &&
	    (*out = ch_arena_alloc(arena, r->nrows * sizeof(**out))) == NULL) {
		ch_rows_free(r);
		return CH_ERR_NOMEM;
	}
	for (size_t i = 0; i < r->nrows; i++) {
		struct ch_watch_version *w = &(*out)[i];

		ch_cell_copy(r, i, 0, w->id, sizeof(w->id));
		ch_cell_copy(r, i, 1, w->list_id, sizeof(w->list_id));
		w->number = ch_rows_int(r, i, 2, 0);
		w->origin = ch_cell_dup(r, i, 3, arena);
		w->entries = ch_rows_int(r, i, 4, 0);
		w->added = ch_rows_int(r, i, 5, 0);
		w->removed = ch_rows_int(r, i, 6, 0);
		w->changed = ch_rows_int(r, i, 7, 0);
		w->unchanged = ch_rows_int(r, i, 8, 0);
		w->imported_by = ch_cell_dup(r, i, 9, arena);
		ch_cell_copy(r, i, 10, w->imported_at, sizeof(w->imported_at));
	}
	*count = r->nrows;
	ch_rows_free(r);
	return CH_OK;
}

static void
entry_from_row(const struct ch_rows *r, size_t i, ch_arena *a,
    struct ch_watch_row *e, bool with_data)
{
	memset(e, 0, sizeof(*e));
	ch_cell_copy(r, i, 0, e->id, sizeof(e->id));
	ch_cell_copy(r, i, 1, e->list_id, sizeof(e->list_id));
	e->ref = ch_cell_dup(r, i, 2, a);
	ch_cell_copy(r, i, 3, e->hash, sizeof(e->hash));
	e->primary_name = ch_cell_dup(r, i, 4, a);
	e->kind = ch_cell_dup(r, i, 5, a);
	e->first_version = ch_rows_int(r, i, 6, 0);
	e->last_version = ch_rows_int(r, i, 7, -1);
	e->reason = ch_cell_dup(r, i, 8, a);
	e->seriousness = ch_cell_dup(r, i, 9, a);
	e->created_by = ch_cell_dup(r, i, 10, a);
	ch_cell_copy(r, i, 11, e->created_at, sizeof(e->created_at));
	if (with_data)
		e->data = ch_cell_dup(r, i, 12, a);
}

ch_err
ch_store_watch_entries(struct ch_tx *tx, const char *list_id, bool with_data,
    const char *cursor, size_t limit, ch_arena *arena,
    struct ch_watch_row **out, size_t *count, char *next, size_t next_size)
{
	char after_ref[256] = "", after_id[CH_ID_LEN] = "";
	struct ch_param v[4];
	struct ch_rows *r = NULL;
	ch_err err;

	*out = NULL;
	*count = 0;
	if (next != NULL && next_size > 0)
		next[0] = '\0';
	if (cursor != NULL && *cursor != '\0' &&
	    !ch_cursor_decode(cursor, after_ref, sizeof(after_ref), after_id))
		return CH_ERR_INVALID;
	v[0] = CH_P_TEXT(list_id);
	/* One more than asked tells whether a next page exists. */
	v[1] = CH_P_INT(limit > 0 ? (int64_t)limit + 1 : INT64_MAX / 2);
	v[2] = ch_param_opt(after_id[0] ? after_ref : NULL);
	v[3] = ch_param_opt(after_id);
#define ENTRIES_WHERE                                                          \
	" FROM watchlist_entries WHERE list_id = $1 AND last_version IS NULL"  \
	" AND (CAST($4 AS TEXT) IS NULL OR ref > $3 OR"                        \
	" (ref = $3 AND id > $4)) ORDER BY ref, id LIMIT $2"
	err = ch_tx_query(tx,
	    with_data ? "SELECT " ENTRY_COLUMNS ", data" ENTRIES_WHERE
		      : "SELECT " ENTRY_COLUMNS ENTRIES_WHERE,
	    v, 4, &r, NULL);
#undef ENTRIES_WHERE
	if (err != CH_OK)
		return err;
	if (r->nrows > 0 &&
	    (*out = ch_arena_alloc(arena, r->nrows * sizeof(**out))) == NULL) {
		ch_rows_free(r);
		return CH_ERR_NOMEM;
	}
	for (size_t i = 0; i < r->nrows; i++)
		entry_from_row(r, i, arena, &(*out)[i], with_data);
	*count = r->nrows;
	ch_rows_free(r);
	if (limit > 0 && *count > limit) {
		*count = limit;
		if (next != NULL)
			ch_cursor_encode((*out)[limit - 1].ref,
			    (*out)[limit - 1].id, next, next_size);
	}
	return CH_OK;
}

ch_err
ch_store_watch_entry_insert(struct ch_tx *tx, const struct ch_watch_row *e)
{
	struct ch_param v[12];

	v[0] = CH_P_TEXT(e->id);
	v[1] = CH_P_TEXT(e->list_id);
	v[2] = CH_P_TEXT(e->ref);
	v[3] = CH_P_TEXT(e->hash);
	v[4] = CH_P_TEXT(e->primary_name);
	v[5] = CH_P_TEXT(e->kind);
	v[6] = CH_P_TEXT(e->data);
	v[7] = CH_P_INT(e->first_version);
	v[8] = ch_param_opt(e->reason);
	v[9] = ch_param_opt(e->seriousness);
	v[10] = ch_param_opt(e->created_by);
	v[11] = CH_P_TEXT(e->created_at);
	return ch_tx_query(tx,
	    "INSERT INTO watchlist_entries (id, list_id, ref, content_hash,"
	    " primary_name, kind, data, first_version, last_version, reason,"
	    " seriousness, created_by, created_at)"
	    " VALUES ($1, $2, $3, $4, $5, $6, $7, $8, NULL, $9, $10, $11, $12)",
	    v, 12, NULL, NULL);
}

ch_err
ch_store_watch_entry_get(
    struct ch_tx *tx, const char *id, ch_arena *arena, struct ch_watch_row *out)
{
	struct ch_param v[1] = {CH_P_TEXT(id)};
	struct ch_rows *r = NULL;
	ch_err err;

	err = ch_tx_query(tx,
	    "SELECT " ENTRY_COLUMNS ", data FROM watchlist_entries"
	    " WHERE id = $1",
	    v, 1, &r, NULL);
	if (err != CH_OK)
		return err;
	if (r->nrows == 0) {
		ch_rows_free(r);
		return CH_ERR_NOT_FOUND;
	}
	entry_from_row(r, 0, arena, out, true);
	ch_rows_free(r);
	return CH_OK;
}

ch_err
ch_store_watch_entry_retire(
    struct ch_tx *tx, const char *id, int64_t last_version)
{
	struct ch_param v[2] = {CH_P_TEXT(id), CH_P_INT(last_version)};
	int64_t changes = 0;
	ch_err err;

	err = ch_tx_query(tx,
	    "UPDATE watchlist_entries SET last_version = $2"
	    " WHERE id = $1 AND last_version IS NULL",
	    v, 2, NULL, &changes);
	if (err == CH_OK && changes == 0)
		return CH_ERR_NOT_FOUND;
	return err;
}

ch_err
ch_store_screen_settings_get(struct ch_tx *tx, const char *post_id,
    ch_arena *arena, struct ch_screen_settings *out)
{
	struct ch_param v[1] = {CH_P_TEXT(post_id)};
	struct ch_rows *r = NULL;
	ch_err err;

	err = ch_tx_query(tx,
	    "SELECT post_id, review_permille, alert_permille, updated_by,"
	    " updated_at FROM screening_settings WHERE post_id = $1",
	    v, 1, &r, NULL);
	if (err != CH_OK)
		return err;
	if (r->nrows == 0) {
		ch_rows_free(r);
		return CH_ERR_NOT_FOUND;
	}
	memset(out, 0, sizeof(*out));
	ch_cell_copy(r, 0, 0, out->post_id, sizeof(out->post_id));
	out->review_permille = (int)ch_rows_int(r, 0, 1, 0);
	out->alert_permille = (int)ch_rows_int(r, 0, 2, 0);
	out->updated_by = ch_cell_dup(r, 0, 3, arena);
	ch_cell_copy(r, 0, 4, out->updated_at, sizeof(out->updated_at));
	ch_rows_free(r);
	return CH_OK;
}

ch_err
ch_store_screen_settings_put(
    struct ch_tx *tx, const struct ch_screen_settings *s)
{
	struct ch_param v[5] = {CH_P_TEXT(s->post_id),
	    CH_P_INT(s->review_permille), CH_P_INT(s->alert_permille),
	    CH_P_TEXT(s->updated_by), CH_P_TEXT(s->updated_at)};
	int64_t changes = 0;
	ch_err err;

	err = ch_tx_query(tx,
	    "UPDATE screening_settings SET review_permille = $2,"
	    " alert_permille = $3, updated_by = $4, updated_at = $5"
	    " WHERE post_id = $1",
	    v, 5, NULL, &changes);
	if (err != CH_OK || changes > 0)
		return err;
	return ch_tx_query(tx,
	    "INSERT INTO screening_settings (post_id, review_permille,"
	    " alert_permille, updated_by, updated_at)"
	    " VALUES ($1, $2, $3, $4, $5)",
	    v, 5, NULL, NULL);
}

ch_err
ch_store_screening_insert(struct ch_tx *tx, const struct ch_screening *s)
{
	struct ch_param v[14];

	v[0] = CH_P_TEXT(s->id);
	v[1] = CH_P_TEXT(s->post_id);
	v[2] = CH_P_TEXT(s->subject_type);
	v[3] = ch_param_opt(s->subject_id);
	v[4] = CH_P_TEXT(s->subject_key);
	v[5] = CH_P_TEXT(s->subject_hash);
	v[6] = CH_P_TEXT(s->name);
	v[7] = ch_param_opt(s->dob);
	v[8] = ch_param_opt(s->nationality);
	v[9] = ch_param_opt(s->gender);
	v[10] = CH_P_TEXT(s->origin);
	v[11] = CH_P_INT(s->hits);
	v[12] = CH_P_TEXT(s->requested_by);
	v[13] = CH_P_TEXT(s->created_at);
	return ch_tx_query(tx,
	    "INSERT INTO screenings (id, post_id, subject_type, subject_id,"
	    " subject_key, subject_hash, name, date_of_birth, nationality,"
	    " gender, origin, hits, requested_by, created_at)"
	    " VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13,"
	    " $14)",
	    v, 14, NULL, NULL);
}

ch_err
ch_store_screen_hit_insert(struct ch_tx *tx, const struct ch_screen_hit *h)
{
	struct ch_param v[11];

	v[0] = CH_P_TEXT(h->id);
	v[1] = CH_P_TEXT(h->screening_id);
	v[2] = CH_P_TEXT(h->post_id);
	v[3] = CH_P_TEXT(h->entry_id);
	v[4] = CH_P_TEXT(h->list_id);
	v[5] = CH_P_INT(h->score_permille);
	v[6] = CH_P_TEXT(h->level);
	v[7] = CH_P_TEXT(h->status);
	v[8] = CH_P_TEXT(h->explanation);
	v[9] = ch_param_opt(h->decision_id);
	v[10] = CH_P_TEXT(h->created_at);
	return ch_tx_query(tx,
	    "INSERT INTO screening_hits (id, screening_id, post_id, entry_id,"
	    " list_id, score_permille, level, status, explanation,"
	    " decision_id, created_at)"
	    " VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)",
	    v, 11, NULL, NULL);
}

static void
hit_from_row(
    const struct ch_rows *r, size_t i, ch_arena *a, struct ch_screen_hit *h)
{
	memset(h, 0, sizeof(*h));
	ch_cell_copy(r, i, 0, h->id, sizeof(h->id));
	ch_cell_copy(r, i, 1, h->screening_id, sizeof(h->screening_id));
	ch_cell_copy(r, i, 2, h->post_id, sizeof(h->post_id));
	ch_cell_copy(r, i, 3, h->entry_id, sizeof(h->entry_id));
	ch_cell_copy(r, i, 4, h->list_id, sizeof(h->list_id));
	h->score_permille = (int)ch_rows_int(r, i, 5, 0);
	h->level = ch_cell_dup(r, i, 6, a);
	h->status = ch_cell_dup(r, i, 7, a);
	h->explanation = ch_cell_dup(r, i, 8, a);
	ch_cell_copy(r, i, 9, h->decision_id, sizeof(h->decision_id));
	ch_cell_copy(r, i, 10, h->created_at, sizeof(h->created_at));
	h->list_name = ch_cell_dup(r, i, 11, a);
	h->entry_ref = ch_cell_dup(r, i, 12, a);
	h->entry_name = ch_cell_dup(r, i, 13, a);
	h->entry_data = ch_cell_dup(r, i, 14, a);
	h->subject_name = ch_cell_dup(r, i, 15, a);
	h->subject_type = ch_cell_dup(r, i, 16, a);
	h->subject_id = ch_cell_dup(r, i, 17, a);
	h->decision = ch_cell_dup(r, i, 18, a);
	h->decision_reason = ch_cell_dup(r, i, 19, a);
	h->decided_by = ch_cell_dup(r, i, 20, a);
	h->decided_at = ch_cell_dup(r, i, 21, a);
	h->subject_key = ch_cell_dup(r, i, 22, a);
	h->subject_hash = ch_cell_dup(r, i, 23, a);
	h->entry_hash = ch_cell_dup(r, i, 24, a);
}

ch_err
ch_store_screen_hit_list(struct ch_tx *tx, const char *post_id,
    const char *status, size_t limit, ch_arena *arena,
    struct ch_screen_hit **out, size_t *count)
{
	struct ch_param v[3] = {
	    ch_param_opt(post_id), ch_param_opt(status), CH_P_INT(limit)};
	struct ch_rows *r = NULL;
	ch_err err;

	*out = NULL;
	*count = 0;
	err = ch_tx_query(tx,
	    "SELECT " HIT_COLUMNS HIT_FROM
	    " WHERE (CAST($1 AS TEXT) IS NULL OR h.post_id = $1)"
	    " AND (CAST($2 AS TEXT) IS NULL OR h.status = $2)"
	    " ORDER BY h.score_permille DESC, h.created_at DESC, h.id"
	    " LIMIT $3",
	    v, 3, &r, NULL);
	if (err != CH_OK)
		return err;
	if (r->nrows > 0 &&
	    (*out = ch_arena_alloc(arena, r->nrows * sizeof(**out))) == NULL) {
		ch_rows_free(r);
		return CH_ERR_NOMEM;
	}
	for (size_t i = 0; i < r->nrows; i++)
		hit_from_row(r, i, arena, &(*out)[i]);
	*count = r->nrows;
	ch_rows_free(r);
	return CH_OK;
}

ch_err
ch_store_screen_hit_get(struct ch_tx *tx, const char *id, ch_arena *arena,
    struct ch_screen_hit *out)
{
	struct ch_param v[1] = {CH_P_TEXT(id)};
	struct ch_rows *r = NULL;
	ch_err err;

	err = ch_tx_query(tx, "SELECT " HIT_COLUMNS HIT_FROM " WHERE h.id = $1",
	    v, 1, &r, NULL);
	if (err != CH_OK)
		return err;
	if (r->nrows == 0) {
		ch_rows_free(r);
		return CH_ERR_NOT_FOUND;
	}
	hit_from_row(r, 0, arena, out);
	ch_rows_free(r);
	return CH_OK;
}

ch_err
ch_store_screen_hit_decide(struct ch_tx *tx, const char *id, const char *status,
    const char *decision_id)
{
	struct ch_param v[3] = {
	    CH_P_TEXT(id), CH_P_TEXT(status), CH_P_TEXT(decision_id)};
	int64_t changes = 0;
	ch_err err;

	err = ch_tx_query(tx,
	    "UPDATE screening_hits SET status = $2, decision_id = $3"
	    " WHERE id = $1 AND status = 'open'",
	    v, 3, NULL, &changes);
	if (err == CH_OK && changes == 0)
		return CH_ERR_CONFLICT;
	return err;
}

ch_err
ch_store_screen_decision_insert(
    struct ch_tx *tx, const struct ch_screen_decision *d)
{
	struct ch_param v[11];

	v[0] = CH_P_TEXT(d->id);
	v[1] = CH_P_TEXT(d->post_id);
	v[2] = CH_P_TEXT(d->hit_id);
	v[3] = CH_P_TEXT(d->subject_key);
	v[4] = CH_P_TEXT(d->subject_hash);
	v[5] = CH_P_TEXT(d->entry_id);
	v[6] = CH_P_TEXT(d->entry_hash);
	v[7] = CH_P_TEXT(d->decision);
	v[8] = CH_P_TEXT(d->reason);
	v[9] = CH_P_TEXT(d->decided_by);
	v[10] = CH_P_TEXT(d->decided_at);
	return ch_tx_query(tx,
	    "INSERT INTO screening_decisions (id, post_id, hit_id,"
	    " subject_key, subject_hash, entry_id, entry_hash, decision,"
	    " reason, decided_by, decided_at)"
	    " VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)",
	    v, 11, NULL, NULL);
}

ch_err
ch_store_screen_decision_find(struct ch_tx *tx, const char *post_id,
    const char *subject_key, const char *subject_hash, const char *entry_id,
    const char *entry_hash, ch_arena *arena, struct ch_screen_decision *out)
{
	struct ch_param v[5] = {CH_P_TEXT(post_id), CH_P_TEXT(subject_key),
	    CH_P_TEXT(subject_hash), CH_P_TEXT(entry_id),
	    CH_P_TEXT(entry_hash)};
	struct ch_rows *r = NULL;
	ch_err err;

	err = ch_tx_query(tx,
	    "SELECT id, hit_id, decision, reason, decided_by, decided_at"
	    " FROM screening_decisions WHERE post_id = $1"
	    " AND subject_key = $2 AND subject_hash = $3 AND entry_id = $4"
	    " AND entry_hash = $5 ORDER BY decided_at DESC, id DESC LIMIT 1",
	    v, 5, &r, NULL);
	if (err != CH_OK)
		return err;
	if (r->nrows == 0) {
		ch_rows_free(r);
		return CH_ERR_NOT_FOUND;
	}
	memset(out, 0, sizeof(*out));
	ch_cell_copy(r, 0, 0, out->id, sizeof(out->id));
	ch_cell_copy(r, 0, 1, out->hit_id, sizeof(out->hit_id));
	out->decision = ch_cell_dup(r, 0, 2, arena);
	out->reason = ch_cell_dup(r, 0, 3, arena);
	out->decided_by = ch_cell_dup(r, 0, 4, arena);
	ch_cell_copy(r, 0, 5, out->decided_at, sizeof(out->decided_at));
	ch_strlcpy(out->post_id, post_id, sizeof(out->post_id));
	ch_strlcpy(out->subject_key, subject_key, sizeof(out->subject_key));
	ch_strlcpy(out->subject_hash, subject_hash, sizeof(out->subject_hash));
	ch_strlcpy(out->entry_id, entry_id, sizeof(out->entry_id));
	ch_strlcpy(out->entry_hash, entry_hash, sizeof(out->entry_hash));
	ch_rows_free(r);
	return CH_OK;
}

ch_err
ch_store_screen_hit_open_exists(struct ch_tx *tx, const char *post_id,
    const char *subject_key, const char *entry_id, bool *exists)
{
	struct ch_param v[3] = {
	    CH_P_TEXT(post_id), CH_P_TEXT(subject_key), CH_P_TEXT(entry_id)};
	struct ch_rows *r = NULL;
	ch_err err;

	err = ch_tx_query(tx,
	    "SELECT h.id FROM screening_hits h JOIN screenings s"
	    " ON s.id = h.screening_id WHERE h.post_id = $1"
	    " AND s.subject_key = $2 AND h.entry_id = $3 AND h.status = 'open'"
	    " LIMIT 1",
	    v, 3, &r, NULL);
	if (err != CH_OK)
		return err;
	*exists = r->nrows > 0;
	ch_rows_free(r);
	return CH_OK;
}

ch_err
ch_store_screen_people(struct ch_tx *tx, const char *post_id, ch_arena *arena,
    struct ch_screen_person **out, size_t *count)
{
	struct ch_param v[1] = {ch_param_opt(post_id)};
	struct ch_rows *r = NULL;
	ch_err err;

	*out = NULL;
	*count = 0;
	err = ch_tx_query(tx,
	    "SELECT id, post_id, given_name, family_name, date_of_birth,"
	    " nationality, gender FROM people"
	    " WHERE CAST($1 AS TEXT) IS NULL OR post_id = $1 ORDER BY id",
	    v, 1, &r, NULL);
	if (err != CH_OK)
		return err;
	if (r->nrows > 0 &&
	    (*out = ch_arena_alloc(arena, r->nrows * sizeof(**out))) == NULL) {
		ch_rows_free(r);
		return CH_ERR_NOMEM;
	}
	for (size_t i = 0; i < r->nrows; i++) {
		struct ch_screen_person *p = &(*out)[i];

		ch_cell_copy(r, i, 0, p->id, sizeof(p->id));
		ch_cell_copy(r, i, 1, p->post_id, sizeof(p->post_id));
		p->name = ch_arena_printf(arena, "%s %s",
		    ch_rows_get(r, i, 2) ? ch_rows_get(r, i, 2) : "",
		    ch_rows_get(r, i, 3) ? ch_rows_get(r, i, 3) : "");
		p->date_of_birth = ch_cell_dup(r, i, 4, arena);
		p->nationality = ch_cell_dup(r, i, 5, arena);
		p->gender = ch_cell_dup(r, i, 6, arena);
	}
	*count = r->nrows;
	ch_rows_free(r);
	return CH_OK;
}
