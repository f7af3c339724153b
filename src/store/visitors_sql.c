/*
 * visitors_sql.c — visits in the store.  The identity document is one
 * sealed column (core/vault.h) holding {"type","number","country"}, bound
 * to the visit's row; it is opened only when asked.  Every read joins the
 * host's and the escort's names and counts the visitor's screening hits
 * by status (screenings of subject type "visitor" and the visit's id).
 */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/vault.h"
#include "store/store_int.h"
#include "visitors/visitors.h"

#define HIT_COUNT(st)                                                          \
	"(SELECT COUNT(*) FROM screening_hits h JOIN screenings s"             \
	" ON s.id = h.screening_id WHERE s.subject_type = 'visitor'"           \
	" AND s.subject_id = v.id AND h.status = '" st "')"

#define VISITOR_COLUMNS                                                        \
	"v.id, v.post_id, v.host_person_id,"                                   \
	" hp.given_name || ' ' || hp.family_name, v.name, v.organisation,"     \
	" v.document, v.nationality, v.date_of_birth, v.purpose, v.arrival,"   \
	" v.departure, v.escort_required, v.zones, v.status,"                  \
	" v.escort_person_id, ep.given_name || ' ' || ep.family_name,"         \
	" v.credential_id, v.badge, v.checked_in_at, v.checked_out_at,"        \
	" v.checked_in_by, v.checked_out_by, v.overstay_alarm_id,"             \
	" v.purged_at, v.created_by, v.version, v.created_at, "                \
	"v.updated_at, " HIT_COUNT("open") ", " HIT_COUNT(                     \
	    "confirmed") ", " HIT_COUNT("dismissed")

#define VISITOR_FROM                                                           \
	" FROM visitors v JOIN people hp ON hp.id = v.host_person_id"          \
	" LEFT JOIN people ep ON ep.id = v.escort_person_id"

static ch_err
open_document(
    const char *id, const char *sealed, ch_arena *a, struct ch_visitor *v)
{
	json_t *doc;
	char *pt = NULL;
	size_t len = 0;
	ch_err err;

	err = ch_vault_open("visitors", id, "document", sealed, a, &pt, &len);
	if (err == CH_ERR_INVALID) {
		log_error("visitors.document of %s is not sealed", id);
		return CH_ERR_CRYPTO;
	}
	if (err != CH_OK)
		return err;
	if ((doc = json_loadb(pt, len, 0, NULL)) == NULL)
		return CH_ERR_CRYPTO;
	v->doc_type =
	    ch_arena_strdup(a, json_string_value(json_object_get(doc, "type")));
	v->doc_number = ch_arena_strdup(
	    a, json_string_value(json_object_get(doc, "number")));
	v->doc_country = ch_arena_strdup(
	    a, json_string_value(json_object_get(doc, "country")));
	json_decref(doc);
	return CH_OK;
}

static ch_err
visitor_from_row(const struct ch_rows *r, size_t i, bool reveal, ch_arena *a,
    struct ch_visitor *v)
{
	const char *doc;
	enum ch_visitor_status st;

	memset(v, 0, sizeof(*v));
	ch_cell_copy(r, i, 0, v->id, sizeof(v->id));
	ch_cell_copy(r, i, 1, v->post_id, sizeof(v->post_id));
	ch_cell_copy(r, i, 2, v->host_person_id, sizeof(v->host_person_id));
	v->host_name = ch_cell_dup(r, i, 3, a);
	v->name = ch_cell_dup(r, i, 4, a);
	v->organisation = ch_cell_dup(r, i, 5, a);
	doc = ch_rows_get(r, i, 6);
	v->has_document = doc != NULL;
	v->nationality = ch_cell_dup(r, i, 7, a);
	ch_cell_copy(r, i, 8, v->date_of_birth, sizeof(v->date_of_birth));
	v->purpose = ch_cell_dup(r, i, 9, a);
	ch_cell_copy(r, i, 10, v->arrival, sizeof(v->arrival));
	ch_cell_copy(r, i, 11, v->departure, sizeof(v->departure));
	v->escort_required = ch_rows_int(r, i, 12, 0) != 0;
	v->zones = ch_cell_dup(r, i, 13, a);
	if (v->zones == NULL)
		v->zones = "";
	v->status = ch_visitor_status_parse(ch_rows_get(r, i, 14), &st)
	    ? st
	    : CH_VISITOR_EXPECTED;
	ch_cell_copy(
	    r, i, 15, v->escort_person_id, sizeof(v->escort_person_id));
	v->escort_name = ch_cell_dup(r, i, 16, a);
	ch_cell_copy(r, i, 17, v->credential_id, sizeof(v->credential_id));
	v->badge = ch_cell_dup(r, i, 18, a);
	ch_cell_copy(r, i, 19, v->checked_in_at, sizeof(v->checked_in_at));
	ch_cell_copy(r, i, 20, v->checked_out_at, sizeof(v->checked_out_at));
	v->checked_in_by = ch_cell_dup(r, i, 21, a);
	v->checked_out_by = ch_cell_dup(r, i, 22, a);
	ch_cell_copy(
	    r, i, 23, v->overstay_alarm_id, sizeof(v->overstay_alarm_id));
	ch_cell_copy(r, i, 24, v->purged_at, sizeof(v->purged_at));
	v->created_by = ch_cell_dup(r, i, 25, a);
	v->version = ch_rows_int(r, i, 26, 1);
	ch_cell_copy(r, i, 27, v->created_at, sizeof(v->created_at));
	ch_cell_copy(r, i, 28, v->updated_at, sizeof(v->updated_at));
	v->hits_open = ch_rows_int(r, i, 29, 0);
	v->hits_confirmed = ch_rows_int(r, i, 30, 0);
	v->hits_dismissed = ch_rows_int(r, i, 31, 0);
	if (reveal && doc != NULL)
		return open_document(v->id, doc, a, v);
	return CH_OK;
}

static ch_err
read_visitors(struct ch_tx *tx, const char *sql, const struct ch_param *p,
    size_t np, ch_arena *a, struct ch_visitor **out, size_t *count)
{
	struct ch_rows *r = NULL;
	ch_err err;

	*out = NULL;
	*count = 0;
	if ((err = ch_tx_query(tx, sql, p, np, &r, NULL)) != CH_OK)
		return err;
	if ((*out = ch_arena_alloc(a, (r->nrows + 1) * sizeof(**out))) ==
	    NULL) {
		ch_rows_free(r);
		return CH_ERR_NOMEM;
	}
	for (size_t i = 0; i < r->nrows && err == CH_OK; i++)
		err = visitor_from_row(r, i, false, a, &(*out)[i]);
	*count = r->nrows;
	ch_rows_free(r);
	return err;
}

ch_err
ch_store_visitor_insert(
    struct ch_tx *tx, const struct ch_visitor *v, ch_arena *arena)
{
	struct ch_param p[17];
	char *sealed = NULL;
	ch_err err;

	if (v->doc_number != NULL && *v->doc_number != '\0') {
		json_t *doc = json_pack("{s:s, s:s, s:s}", "type",
		    v->doc_type ? v->doc_type : "", "number", v->doc_number,
		    "country", v->doc_country ? v->doc_country : "");
		char *text = doc ? json_dumps(doc, JSON_COMPACT) : NULL;

		json_decref(doc);
		if (text == NULL)
			return CH_ERR_NOMEM;
		err = ch_vault_seal("visitors", v->id, "document", text,
		    strlen(text), arena, &sealed);
		free(text);
		if (err != CH_OK)
			return err;
	}
	p[0] = CH_P_TEXT(v->id);
	p[1] = CH_P_TEXT(v->post_id);
	p[2] = CH_P_TEXT(v->host_person_id);
	p[3] = CH_P_TEXT(v->name);
	p[4] = ch_param_opt(v->organisation);
	p[5] = sealed != NULL ? CH_P_TEXT(sealed) : CH_P_NULL;
	p[6] = ch_param_opt(v->nationality);
	p[7] = ch_param_opt(v->date_of_birth);
	p[8] = CH_P_TEXT(v->purpose);
	p[9] = CH_P_TEXT(v->arrival);
	p[10] = CH_P_TEXT(v->departure);
	p[11] = CH_P_INT(v->escort_required ? 1 : 0);
	p[12] = CH_P_TEXT(v->zones ? v->zones : "");
	p[13] = CH_P_TEXT(ch_visitor_status_code(v->status));
	p[14] = CH_P_TEXT(v->created_by);
	p[15] = CH_P_TEXT(v->created_at);
	p[16] = CH_P_TEXT(v->updated_at);
	return ch_tx_query(tx,
	    "INSERT INTO visitors (id, post_id, host_person_id, name,"
	    " organisation, document, nationality, date_of_birth, purpose,"
	    " arrival, departure, escort_required, zones, status, created_by,"
	    " version, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6,"
	    " $7, $8, $9, $10, $11, $12, $13, $14, $15, 1, $16, $17)",
	    p, CH_ARRAY_LEN(p), NULL, NULL);
}

ch_err
ch_store_visitor_get(struct ch_tx *tx, const char *id, bool reveal,
    ch_arena *arena, struct ch_visitor *out)
{
	struct ch_param p[1] = {CH_P_TEXT(id)};
	struct ch_rows *r = NULL;
	ch_err err;

	err = ch_tx_query(tx,
	    "SELECT " VISITOR_COLUMNS VISITOR_FROM " WHERE v.id = $1", p, 1, &r,
	    NULL);
	if (err != CH_OK)
		return err;
	err = r->nrows == 1 ? visitor_from_row(r, 0, reveal, arena, out)
			    : CH_ERR_NOT_FOUND;
	ch_rows_free(r);
	return err;
}

ch_err
ch_store_visitor_update(
    struct ch_tx *tx, struct ch_visitor *v, int64_t expected_version)
{
	struct ch_param p[13];
	int64_t changes = 0;
	ch_err err;

	v->version = expected_version + 1;
	p[0] = CH_P_TEXT(v->id);
	p[1] = CH_P_TEXT(ch_visitor_status_code(v->status));
	p[2] = ch_param_opt(v->escort_person_id);
	p[3] = ch_param_opt(v->credential_id);
	p[4] = ch_param_opt(v->badge);
	p[5] = ch_param_opt(v->checked_in_at);
	p[6] = ch_param_opt(v->checked_out_at);
	p[7] = ch_param_opt(v->checked_in_by);
	p[8] = ch_param_opt(v->checked_out_by);
	p[9] = ch_param_opt(v->overstay_alarm_id);
	p[10] = CH_P_INT(v->version);
	p[11] = CH_P_TEXT(v->updated_at);
	p[12] = CH_P_INT(expected_version);
	err = ch_tx_query(tx,
	    "UPDATE visitors SET status = $2, escort_person_id = $3,"
	    " credential_id = $4, badge = $5, checked_in_at = $6,"
	    " checked_out_at = $7, checked_in_by = $8, checked_out_by = $9,"
	    " overstay_alarm_id = $10, version = $11, updated_at = $12"
	    " WHERE id = $1 AND version = $13",
	    p, 13, NULL, &changes);
	if (err != CH_OK)
		return err;
	return changes == 1 ? CH_OK : CH_ERR_PRECONDITION;
}

ch_err
ch_store_visitor_list(struct ch_tx *tx, const struct ch_visitor_filter *f,
    const char *from, const char *until, ch_arena *arena,
    struct ch_visitor_page *out)
{
	char carr[CH_TIMESTAMP_LEN] = "", cid[CH_ID_LEN] = "";
	struct ch_param p[8];
	struct ch_visitor *items = NULL;
	size_t limit = f->limit == 0 ? 200 : f->limit > 1000 ? 1000 : f->limit;
	size_t n = 0;
	ch_err err;

	out->items = NULL;
	out->count = 0;
	out->next_cursor[0] = '\0';
	if (f->cursor != NULL && *f->cursor != '\0' &&
	    !ch_cursor_decode(f->cursor, carr, sizeof(carr), cid))
		return CH_ERR_INVALID;
	p[0] = ch_param_opt(f->post_id);
	p[1] = ch_param_opt(f->status);
	p[2] = ch_param_opt(f->host_person_id);
	p[3] = ch_param_opt(from);
	p[4] = ch_param_opt(until);
	p[5] = ch_param_opt(cid[0] ? carr : NULL);
	p[6] = ch_param_opt(cid);
	p[7] = CH_P_INT(limit + 1);
	err = read_visitors(tx,
	    "SELECT " VISITOR_COLUMNS VISITOR_FROM
	    " WHERE (CAST($1 AS TEXT) IS NULL OR v.post_id = $1)"
	    " AND (CAST($2 AS TEXT) IS NULL OR v.status = $2)"
	    " AND (CAST($3 AS TEXT) IS NULL OR v.host_person_id = $3)"
	    " AND (CAST($4 AS TEXT) IS NULL OR (v.departure >= $4"
	    " AND v.arrival < $5))"
	    " AND (CAST($6 AS TEXT) IS NULL OR v.arrival > $6"
	    "      OR (v.arrival = $6 AND v.id > $7))"
	    " ORDER BY v.arrival, v.id LIMIT $8",
	    p, CH_ARRAY_LEN(p), arena, &items, &n);
	if (err != CH_OK)
		return err;
	out->items = items;
	out->count = n > limit ? limit : n;
	if (n > limit)
		ch_cursor_encode(items[limit - 1].arrival, items[limit - 1].id,
		    out->next_cursor, sizeof(out->next_cursor));
	return CH_OK;
}

ch_err
ch_store_visitor_holds(struct ch_tx *tx, const char *visitor_id,
    ch_arena *arena, struct ch_visitor_hold **out, size_t *count)
{
	struct ch_param p[1] = {CH_P_TEXT(visitor_id)};
	struct ch_rows *r = NULL;
	ch_err err;

	*out = NULL;
	*count = 0;
	err = ch_tx_query(tx,
	    "SELECT h.id, h.status, h.score_permille, e.primary_name, l.name"
	    " FROM screening_hits h JOIN screenings s ON s.id = h.screening_id"
	    " JOIN watchlist_entries e ON e.id = h.entry_id"
	    " JOIN watchlists l ON l.id = h.list_id"
	    " WHERE s.subject_type = 'visitor' AND s.subject_id = $1"
	    " AND h.status IN ('open', 'confirmed')"
	    " ORDER BY h.status, h.score_permille DESC, h.id",
	    p, 1, &r, NULL);
	if (err != CH_OK)
		return err;
	if ((*out = ch_arena_alloc(arena, (r->nrows + 1) * sizeof(**out))) ==
	    NULL) {
		ch_rows_free(r);
		return CH_ERR_NOMEM;
	}
	for (size_t i = 0; i < r->nrows; i++) {
		struct ch_visitor_hold *h = &(*out)[i];

		ch_cell_copy(r, i, 0, h->hit_id, sizeof(h->hit_id));
		h->status = ch_cell_dup(r, i, 1, arena);
		h->score_permille = (int)ch_rows_int(r, i, 2, 0);
		h->entry_name = ch_cell_dup(r, i, 3, arena);
		h->list_name = ch_cell_dup(r, i, 4, arena);
	}
	*count = r->nrows;
	ch_rows_free(r);
	return CH_OK;
}

ch_err
ch_store_visitor_due(struct ch_tx *tx, const char *status, const char *before,
    ch_arena *arena, struct ch_visitor **out, size_t *count)
{
	struct ch_param p[2] = {CH_P_TEXT(status), CH_P_TEXT(before)};

	return read_visitors(tx,
	    "SELECT " VISITOR_COLUMNS VISITOR_FROM
	    " WHERE v.status = $1 AND v.departure < $2"
	    " AND v.overstay_alarm_id IS NULL ORDER BY v.departure, v.id"
	    " LIMIT 500",
	    p, 2, arena, out, count);
}

ch_err
ch_store_visitor_ended(struct ch_tx *tx, const char *post_id, ch_arena *arena,
    struct ch_visitor_ended **out, size_t *count)
{
	struct ch_param p[2] = {
	    ch_param_opt(post_id), CH_P_INT(CH_VISITOR_RETENTION_DEFAULT)};
	struct ch_rows *r = NULL;
	ch_err err;

	*out = NULL;
	*count = 0;
	err = ch_tx_query(tx,
	    "SELECT v.id, v.post_id, COALESCE(v.checked_out_at, v.departure),"
	    " COALESCE(s.retention_days, $2) FROM visitors v"
	    " LEFT JOIN visitor_settings s ON s.post_id = v.post_id"
	    " WHERE v.purged_at IS NULL AND v.status IN ('checked_out',"
	    " 'cancelled', 'no_show')"
	    " AND (CAST($1 AS TEXT) IS NULL OR v.post_id = $1)"
	    " ORDER BY v.id LIMIT 5000",
	    p, 2, &r, NULL);
	if (err != CH_OK)
		return err;
	if ((*out = ch_arena_alloc(arena, (r->nrows + 1) * sizeof(**out))) ==
	    NULL) {
		ch_rows_free(r);
		return CH_ERR_NOMEM;
	}
	for (size_t i = 0; i < r->nrows; i++) {
		struct ch_visitor_ended *e = &(*out)[i];

		ch_cell_copy(r, i, 0, e->id, sizeof(e->id));
		ch_cell_copy(r, i, 1, e->post_id, sizeof(e->post_id));
		ch_cell_copy(r, i, 2, e->ended_at, sizeof(e->ended_at));
		e->retention_days =
		    (int)ch_rows_int(r, i, 3, CH_VISITOR_RETENTION_DEFAULT);
	}
	*count = r->nrows;
	ch_rows_free(r);
	return CH_OK;
}

ch_err
ch_store_visitor_purge(
    struct ch_tx *tx, const char *id, const char *name, const char *at)
{
	struct ch_param p[3] = {CH_P_TEXT(id), CH_P_TEXT(name), CH_P_TEXT(at)};
	ch_err err;

	/* The overstay alarm's detail names the visitor: the anonymous name
	 * takes its place there too (before the visit's name goes). */
	err = ch_tx_query(tx,
	    "UPDATE access_alarms SET detail = REPLACE(detail,"
	    " (SELECT name FROM visitors WHERE id = $1), $2)"
	    " WHERE id = (SELECT overstay_alarm_id FROM visitors"
	    " WHERE id = $1)",
	    p, 2, NULL, NULL);
	if (err != CH_OK)
		return err;
	err = ch_tx_query(tx,
	    "UPDATE visitors SET name = $2, organisation = NULL,"
	    " document = NULL, nationality = NULL, date_of_birth = NULL,"
	    " purged_at = $3, updated_at = $3, version = version + 1"
	    " WHERE id = $1",
	    p, 3, NULL, NULL);
	if (err != CH_OK)
		return err;
	/* The screenings kept their own copy of what was screened, and a
	 * subject hash that is a plain SHA-256 of it (found again by trying
	 * names); their hits' explanations list the name's tokens and the
	 * date of birth; the decisions keep the hash too.  The hits stay,
	 * with their entry, score and decision. */
	if ((err = ch_tx_query(tx,
		 "UPDATE screening_hits SET explanation = ''"
		 " WHERE screening_id IN (SELECT id FROM screenings"
		 " WHERE subject_type = 'visitor' AND subject_id = $1)",
		 p, 1, NULL, NULL)) != CH_OK ||
	    (err = ch_tx_query(tx,
		 "UPDATE screening_decisions SET subject_hash = ''"
		 " WHERE hit_id IN (SELECT h.id FROM screening_hits h"
		 " JOIN screenings s ON s.id = h.screening_id"
		 " WHERE s.subject_type = 'visitor' AND s.subject_id = $1)",
		 p, 1, NULL, NULL)) != CH_OK)
		return err;
	return ch_tx_query(tx,
	    "UPDATE screenings SET name = $2, date_of_birth = NULL,"
	    " nationality = NULL, gender = NULL, subject_hash = ''"
	    " WHERE subject_type = 'visitor' AND subject_id = $1",
	    p, 2, NULL, NULL);
}

ch_err
ch_store_visitor_retention_get(struct ch_tx *tx, const char *post_id, int *days)
{
	struct ch_param p[1] = {CH_P_TEXT(post_id)};
	struct ch_rows *r = NULL;
	ch_err err;

	*days = CH_VISITOR_RETENTION_DEFAULT;
	err = ch_tx_query(tx,
	    "SELECT retention_days FROM visitor_settings WHERE post_id = $1", p,
	    1, &r, NULL);
	if (err != CH_OK)
		return err;
	if (r->nrows == 1)
		*days = (int)ch_rows_int(r, 0, 0, CH_VISITOR_RETENTION_DEFAULT);
	ch_rows_free(r);
	return CH_OK;
}

ch_err
ch_store_visitor_retention_set(struct ch_tx *tx, const char *post_id, int days,
    const char *by, const char *at)
{
	struct ch_param p[4] = {
	    CH_P_TEXT(post_id), CH_P_INT(days), CH_P_TEXT(by), CH_P_TEXT(at)};
	int64_t changes = 0;
	ch_err err;

	err = ch_tx_query(tx,
	    "UPDATE visitor_settings SET retention_days = $2, updated_by = $3,"
	    " updated_at = $4 WHERE post_id = $1",
	    p, 4, NULL, &changes);
	if (err != CH_OK || changes == 1)
		return err;
	return ch_tx_query(tx,
	    "INSERT INTO visitor_settings (post_id, retention_days,"
	    " updated_by, updated_at) VALUES ($1, $2, $3, $4)",
	    p, 4, NULL, NULL);
}

ch_err
ch_store_screen_visitors(struct ch_tx *tx, const char *post_id, ch_arena *arena,
    struct ch_screen_person **out, size_t *count)
{
	struct ch_param p[1] = {ch_param_opt(post_id)};
	struct ch_rows *r = NULL;
	ch_err err;

	*out = NULL;
	*count = 0;
	err = ch_tx_query(tx,
	    "SELECT id, post_id, name, date_of_birth, nationality FROM visitors"
	    " WHERE status IN ('expected', 'checked_in')"
	    " AND (CAST($1 AS TEXT) IS NULL OR post_id = $1) ORDER BY id",
	    p, 1, &r, NULL);
	if (err != CH_OK)
		return err;
	if ((*out = ch_arena_alloc(arena, (r->nrows + 1) * sizeof(**out))) ==
	    NULL) {
		ch_rows_free(r);
		return CH_ERR_NOMEM;
	}
	for (size_t i = 0; i < r->nrows; i++) {
		struct ch_screen_person *s = &(*out)[i];

		ch_cell_copy(r, i, 0, s->id, sizeof(s->id));
		ch_cell_copy(r, i, 1, s->post_id, sizeof(s->post_id));
		s->name = ch_cell_dup(r, i, 2, arena);
		s->date_of_birth = ch_cell_dup(r, i, 3, arena);
		s->nationality = ch_cell_dup(r, i, 4, arena);
		s->gender = NULL;
	}
	*count = r->nrows;
	ch_rows_free(r);
	return CH_OK;
}
