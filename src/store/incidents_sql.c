/*
 * incidents_sql.c — incidents, the people involved, TLP:RED recipients and
 * status transitions in the store.  The list filters by the reader's scope in
 * SQL (post, classification rank, TLP:RED recipients, own reports) so that a
 * page and its count never hold what the detail route would refuse.  Lists
 * page by a cursor over (occurred_at, id), newest first, hex-encoded.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "incidents/incidents.h"
#include "store/store_int.h"

#define INCIDENT_COLUMNS                                                       \
	"id, post_id, type, category, severity, status, title, description, "  \
	"zone_id, place_kind, place_name, latitude, longitude, occurred_at, "  \
	"reported_at, reporter_user_id, reporter_person_id, classification, "  \
	"tlp, version, created_at, updated_at"

static void
incident_from_row(
    const struct ch_rows *r, size_t i, ch_arena *a, struct ch_incident *p)
{
	const char *lat, *lon;

	memset(p, 0, sizeof(*p));
	ch_cell_copy(r, i, 0, p->id, sizeof(p->id));
	ch_cell_copy(r, i, 1, p->post_id, sizeof(p->post_id));
	if (!ch_incident_type_parse(ch_rows_get(r, i, 2), &p->type))
		p->type = CH_INC_OTHER;
	if (!ch_threat_category_parse(ch_rows_get(r, i, 3), &p->category))
		p->category = CH_THREAT_CRIME;
	if (!ch_severity_parse(ch_rows_get(r, i, 4), &p->severity))
		p->severity = CH_SEV_UNKNOWN;
	if (!ch_incident_status_parse(ch_rows_get(r, i, 5), &p->status))
		p->status = CH_IST_REPORTED;
	p->title = ch_cell_dup(r, i, 6, a);
	p->description = ch_cell_dup(r, i, 7, a);
	ch_cell_copy(r, i, 8, p->zone_id, sizeof(p->zone_id));
	if (!ch_place_kind_parse(ch_rows_get(r, i, 9), &p->place_kind))
		p->place_kind = CH_PLACE_ELSEWHERE;
	p->place_name = ch_cell_dup(r, i, 10, a);
	lat = ch_rows_get(r, i, 11);
	lon = ch_rows_get(r, i, 12);
	if (lat != NULL && lon != NULL) {
		p->has_location = true;
		p->latitude = strtod(lat, NULL);
		p->longitude = strtod(lon, NULL);
	}
	ch_cell_copy(r, i, 13, p->occurred_at, sizeof(p->occurred_at));
	ch_cell_copy(r, i, 14, p->reported_at, sizeof(p->reported_at));
	ch_cell_copy(
	    r, i, 15, p->reporter_user_id, sizeof(p->reporter_user_id));
	ch_cell_copy(
	    r, i, 16, p->reporter_person_id, sizeof(p->reporter_person_id));
	if (!ch_clearance_parse(ch_rows_get(r, i, 17), &p->classification))
		p->classification = CH_CLEARANCE_SECRET;
	if (!ch_tlp_parse(ch_rows_get(r, i, 18), &p->tlp))
		p->tlp = CH_TLP_RED;
	p->version = ch_rows_int(r, i, 19, 1);
	ch_cell_copy(r, i, 20, p->created_at, sizeof(p->created_at));
	ch_cell_copy(r, i, 21, p->updated_at, sizeof(p->updated_at));
}

/* The 22 columns in INCIDENT_COLUMNS order, then the classification rank;
 * lat and lon are buffers of 32 bytes for the coordinates. */
static size_t
incident_params(
    const struct ch_incident *p, char *lat, char *lon, struct ch_param *v)
{
	size_t n = 0;

	if (p->has_location) {
		snprintf(lat, 32, "%.6f", p->latitude);
		snprintf(lon, 32, "%.6f", p->longitude);
	}
	v[n++] = CH_P_TEXT(p->id);
	v[n++] = CH_P_TEXT(p->post_id);
	v[n++] = CH_P_TEXT(ch_incident_type_code(p->type));
	v[n++] = CH_P_TEXT(ch_threat_category_code(p->category));
	v[n++] = CH_P_TEXT(ch_severity_code(p->severity));
	v[n++] = CH_P_TEXT(ch_incident_status_code(p->status));
	v[n++] = CH_P_TEXT(p->title);
	v[n++] = ch_param_opt(p->description);
	v[n++] = ch_param_opt(p->zone_id);
	v[n++] = CH_P_TEXT(ch_place_kind_code(p->place_kind));
	v[n++] = ch_param_opt(p->place_name);
	v[n++] = p->has_location ? CH_P_TEXT(lat) : CH_P_NULL;
	v[n++] = p->has_location ? CH_P_TEXT(lon) : CH_P_NULL;
	v[n++] = CH_P_TEXT(p->occurred_at);
	v[n++] = CH_P_TEXT(p->reported_at);
	v[n++] = ch_param_opt(p->reporter_user_id);
	v[n++] = ch_param_opt(p->reporter_person_id);
	v[n++] = CH_P_TEXT(ch_clearance_code(p->classification));
	v[n++] = CH_P_TEXT(ch_tlp_code(p->tlp));
	v[n++] = CH_P_INT(p->version);
	v[n++] = CH_P_TEXT(p->created_at);
	v[n++] = CH_P_TEXT(p->updated_at);
	v[n++] = CH_P_INT(p->classification);
	return n;
}

/* Replace the people and recipients of an incident with those of p. */
static ch_err
write_links(struct ch_tx *tx, const struct ch_incident *p)
{
	struct ch_param v[3] = {CH_P_TEXT(p->id)};
	ch_err err;

	if ((err = ch_tx_query(tx,
		 "DELETE FROM incident_people WHERE incident_id = $1", v, 1,
		 NULL, NULL)) != CH_OK ||
	    (err = ch_tx_query(tx,
		 "DELETE FROM incident_recipients WHERE incident_id = $1", v, 1,
		 NULL, NULL)) != CH_OK)
		return err;
	for (size_t i = 0; i < p->npeople; i++) {
		v[1] = CH_P_TEXT(p->people[i].person_id);
		v[2] = CH_P_TEXT(ch_involvement_code(p->people[i].role));
		err = ch_tx_query(tx,
		    "INSERT INTO incident_people (incident_id, person_id, "
		    "role) VALUES ($1, $2, $3)",
		    v, 3, NULL, NULL);
		if (err != CH_OK)
			return err;
	}
	for (size_t i = 0; i < p->nrecipients; i++) {
		v[1] = CH_P_TEXT(p->recipients[i]);
		err = ch_tx_query(tx,
		    "INSERT INTO incident_recipients (incident_id, user_id) "
		    "VALUES ($1, $2)",
		    v, 2, NULL, NULL);
		if (err != CH_OK)
			return err;
	}
	return CH_OK;
}

ch_err
ch_store_incident_insert(struct ch_tx *tx, const struct ch_incident *p)
{
	char lat[32], lon[32];
	struct ch_param v[23];
	size_t n;
	ch_err err;

	n = incident_params(p, lat, lon, v);
	err = ch_tx_query(tx,
	    "INSERT INTO incidents (" INCIDENT_COLUMNS ", classification_rank)"
	    " VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13,"
	    " $14, $15, $16, $17, $18, $19, $20, $21, $22, $23)",
	    v, n, NULL, NULL);
	return err == CH_OK ? write_links(tx, p) : err;
}

ch_err
ch_store_incident_update(
    struct ch_tx *tx, struct ch_incident *p, int64_t expected_version)
{
	char lat[32], lon[32];
	struct ch_param v[24];
	int64_t changes = 0;
	size_t n;
	ch_err err;

	p->version = expected_version + 1;
	n = incident_params(p, lat, lon, v);
	v[n++] = CH_P_INT(expected_version);
	err = ch_tx_query(tx,
	    "UPDATE incidents SET post_id = $2, type = $3, category = $4,"
	    " severity = $5, status = $6, title = $7, description = $8,"
	    " zone_id = $9, place_kind = $10, place_name = $11,"
	    " latitude = $12, longitude = $13, occurred_at = $14,"
	    " reported_at = $15, reporter_user_id = $16,"
	    " reporter_person_id = $17, classification = $18, tlp = $19,"
	    " version = $20, updated_at = $22, classification_rank = $23"
	    " WHERE id = $1 AND version = $24",
	    v, n, NULL, &changes);
	if (err != CH_OK)
		return err;
	if (changes != 1)
		return CH_ERR_PRECONDITION;
	return write_links(tx, p);
}

/* The people and recipients of incidents (a page, or the one a detail
 * reads) in two queries, not two per incident: rows come by incident id
 * and are dealt out to their incident. */
static ch_err
read_links(
    struct ch_tx *tx, ch_arena *arena, struct ch_incident *items, size_t n)
{
	static const char *const head[2] = {
	    "SELECT incident_id, person_id, role FROM incident_people"
	    " WHERE incident_id IN (",
	    "SELECT incident_id, user_id, '' FROM incident_recipients"
	    " WHERE incident_id IN ("};
	static const char *const tail[2] = {") ORDER BY incident_id, person_id",
	    ") ORDER BY incident_id, user_id"};
	struct ch_param *v;
	char *ids, *text;
	size_t used = 0, size = n * 8 + 1;
	ch_err err = CH_OK;

	if (n == 0)
		return CH_OK;
	v = ch_arena_alloc(arena, n * sizeof(*v));
	ids = ch_arena_alloc(arena, size);
	text = ch_arena_alloc(arena, size + 128);
	if (v == NULL || ids == NULL || text == NULL)
		return CH_ERR_NOMEM;
	for (size_t i = 0; i < n; i++) {
		v[i] = CH_P_TEXT(items[i].id);
		used += (size_t)snprintf(
		    ids + used, size - used, "%s$%zu", i ? "," : "", i + 1);
		items[i].people = NULL;
		items[i].npeople = 0;
		items[i].recipients = NULL;
		items[i].nrecipients = 0;
	}
	for (int q = 0; q < 2 && err == CH_OK; q++) {
		struct ch_rows *r = NULL;
		size_t at = 0;

		snprintf(text, size + 128, "%s%s%s", head[q], ids, tail[q]);
		if ((err = ch_tx_query(tx, text, v, n, &r, NULL)) != CH_OK)
			break;
		for (size_t i = 0; i < n && err == CH_OK; i++) {
			struct ch_incident *p = &items[i];
			size_t first, k;

			/* Rows are by incident id, the page by time: find
			 * this incident's run. */
			for (at = 0; at < r->nrows &&
			     strcmp(ch_rows_get(r, at, 0), p->id) != 0;
			     at++)
				;
			first = at;
			while (at < r->nrows &&
			    strcmp(ch_rows_get(r, at, 0), p->id) == 0)
				at++;
			k = at - first;
			if (q == 0) {
				p->people = ch_arena_alloc(
				    arena, sizeof(*p->people) * (k + 1));
				if (p->people == NULL) {
					err = CH_ERR_NOMEM;
					break;
				}
				for (size_t j = 0; j < k; j++) {
					ch_cell_copy(r, first + j, 1,
					    p->people[j].person_id, CH_ID_LEN);
					if (!ch_involvement_parse(
						ch_rows_get(r, first + j, 2),
						&p->people[j].role))
						p->people[j].role =
						    CH_ROLE_IN_INVOLVED;
				}
				p->npeople = k;
			} else {
				p->recipients = ch_arena_alloc(
				    arena, sizeof(*p->recipients) * (k + 1));
				if (p->recipients == NULL) {
					err = CH_ERR_NOMEM;
					break;
				}
				for (size_t j = 0; j < k; j++)
					ch_cell_copy(r, first + j, 1,
					    p->recipients[j], CH_ID_LEN);
				p->nrecipients = k;
			}
		}
		ch_rows_free(r);
	}
	return err;
}

ch_err
ch_store_incident_get(
    struct ch_tx *tx, const char *id, ch_arena *arena, struct ch_incident *out)
{
	struct ch_param v[1] = {CH_P_TEXT(id)};
	struct ch_rows *r = NULL;
	ch_err err;

	err = ch_tx_query(tx,
	    "SELECT " INCIDENT_COLUMNS " FROM incidents WHERE id = $1", v, 1,
	    &r, NULL);
	if (err != CH_OK)
		return err;
	if (r->nrows == 0) {
		ch_rows_free(r);
		return CH_ERR_NOT_FOUND;
	}
	incident_from_row(r, 0, arena, out);
	ch_rows_free(r);
	return read_links(tx, arena, out, 1);
}

ch_err
ch_store_incident_list(struct ch_tx *tx, const struct ch_incident_filter *f,
    const struct ch_incident_scope *scope, ch_arena *arena,
    struct ch_incident_page *out)
{
	char cat[CH_TIMESTAMP_LEN] = "", cid[CH_ID_LEN] = "";
	struct ch_param v[14];
	struct ch_rows *r = NULL;
	size_t limit;
	ch_err err;

	memset(out, 0, sizeof(*out));
	limit = f->limit > 0 && f->limit <= CH_LIST_LIMIT_MAX ? (size_t)f->limit
							      : 50;
	if (f->cursor != NULL && *f->cursor != '\0' &&
	    !ch_cursor_decode(f->cursor, cat, sizeof(cat), cid))
		return CH_ERR_INVALID;
	v[0] = ch_param_opt(scope->post_id);
	v[1] = CH_P_INT(scope->clearance_max);
	v[2] = ch_param_opt(scope->user_id);
	v[3] = ch_param_opt(scope->person_id);
	v[4] = f->has_status ? CH_P_TEXT(ch_incident_status_code(f->status))
			     : CH_P_NULL;
	v[5] =
	    f->has_type ? CH_P_TEXT(ch_incident_type_code(f->type)) : CH_P_NULL;
	v[6] = f->has_category ? CH_P_TEXT(ch_threat_category_code(f->category))
			       : CH_P_NULL;
	v[7] = f->has_severity ? CH_P_TEXT(ch_severity_code(f->severity))
			       : CH_P_NULL;
	v[8] = ch_param_opt(f->since);
	v[9] = ch_param_opt(f->until);
	v[10] = ch_param_opt(cid[0] ? cat : NULL);
	v[11] = ch_param_opt(cid);
	v[12] = CH_P_INT(limit + 1);
	/* The system (no user) sees TLP:RED; a user only when named. */
	v[13] = CH_P_INT(scope->user_id == NULL ? 1 : 0);
	err = ch_tx_query(tx,
	    "SELECT " INCIDENT_COLUMNS " FROM incidents"
	    " WHERE (CAST($1 AS TEXT) IS NULL OR post_id = $1)"
	    " AND classification_rank <= $2"
	    " AND (tlp <> 'RED' OR $14 = 1 OR EXISTS (SELECT 1 FROM"
	    "      incident_recipients ir WHERE ir.incident_id = incidents.id"
	    "      AND ir.user_id = $3))"
	    " AND (CAST($4 AS TEXT) IS NULL OR reporter_person_id = $4)"
	    " AND (CAST($5 AS TEXT) IS NULL OR status = $5)"
	    " AND (CAST($6 AS TEXT) IS NULL OR type = $6)"
	    " AND (CAST($7 AS TEXT) IS NULL OR category = $7)"
	    " AND (CAST($8 AS TEXT) IS NULL OR severity = $8)"
	    " AND (CAST($9 AS TEXT) IS NULL OR occurred_at >= $9)"
	    " AND (CAST($10 AS TEXT) IS NULL OR occurred_at < $10)"
	    " AND (CAST($11 AS TEXT) IS NULL OR occurred_at < $11 OR"
	    "      (occurred_at = $11 AND id < $12))"
	    " ORDER BY occurred_at DESC, id DESC LIMIT $13",
	    v, CH_ARRAY_LEN(v), &r, NULL);
	if (err != CH_OK)
		return err;
	out->count = r->nrows > limit ? limit : r->nrows;
	out->items =
	    ch_arena_alloc(arena, sizeof(*out->items) * (out->count + 1));
	if (out->items == NULL) {
		ch_rows_free(r);
		return CH_ERR_NOMEM;
	}
	for (size_t i = 0; i < out->count; i++)
		incident_from_row(r, i, arena, &out->items[i]);
	if (r->nrows > limit)
		ch_cursor_encode(out->items[limit - 1].occurred_at,
		    out->items[limit - 1].id, out->next_cursor,
		    sizeof(out->next_cursor));
	ch_rows_free(r);
	return read_links(tx, arena, out->items, out->count);
}

ch_err
ch_store_incident_transition_insert(
    struct ch_tx *tx, const struct ch_incident_transition *t)
{
	struct ch_param v[8];

	v[7] = CH_P_INT(t->version);
	v[0] = CH_P_TEXT(t->id);
	v[1] = CH_P_TEXT(t->incident_id);
	v[2] = CH_P_TEXT(ch_incident_status_code(t->from));
	v[3] = CH_P_TEXT(ch_incident_status_code(t->to));
	v[4] = CH_P_TEXT(t->reason);
	v[5] = CH_P_TEXT(t->actor);
	v[6] = CH_P_TEXT(t->at);
	return ch_tx_query(tx,
	    "INSERT INTO incident_transitions (id, incident_id, from_status,"
	    " to_status, reason, actor, at, version) VALUES ($1, $2, $3, $4,"
	    " $5, $6, $7, $8)",
	    v, 8, NULL, NULL);
}

ch_err
ch_store_incident_transitions(struct ch_tx *tx, const char *incident_id,
    ch_arena *arena, struct ch_incident_transition **out, size_t *count)
{
	struct ch_param v[1] = {CH_P_TEXT(incident_id)};
	struct ch_rows *r = NULL;
	ch_err err;

	*out = NULL;
	*count = 0;
	err = ch_tx_query(tx,
	    "SELECT id, incident_id, from_status, to_status, reason, actor, at"
	    " FROM incident_transitions WHERE incident_id = $1"
	    " ORDER BY version",
	    v, 1, &r, NULL);
	if (err != CH_OK)
		return err;
	*out = ch_arena_alloc(arena, sizeof(**out) * (r->nrows + 1));
	if (*out == NULL) {
		ch_rows_free(r);
		return CH_ERR_NOMEM;
	}
	for (size_t i = 0; i < r->nrows; i++) {
		struct ch_incident_transition *t = &(*out)[i];

		ch_cell_copy(r, i, 0, t->id, sizeof(t->id));
		ch_cell_copy(r, i, 1, t->incident_id, sizeof(t->incident_id));
		ch_incident_status_parse(ch_rows_get(r, i, 2), &t->from);
		ch_incident_status_parse(ch_rows_get(r, i, 3), &t->to);
		t->reason = ch_cell_dup(r, i, 4, arena);
		t->actor = ch_cell_dup(r, i, 5, arena);
		ch_cell_copy(r, i, 6, t->at, sizeof(t->at));
	}
	*count = r->nrows;
	ch_rows_free(r);
	return CH_OK;
}

ch_err
ch_store_incident_daily_counts(struct ch_tx *tx,
    const struct ch_incident_scope *scope, const char *since, ch_arena *arena,
    struct ch_daily_count **out, size_t *count)
{
	struct ch_param v[6];
	struct ch_rows *r = NULL;
	ch_err err;

	*out = NULL;
	*count = 0;
	v[0] = ch_param_opt(scope->post_id);
	v[1] = CH_P_INT(scope->clearance_max);
	v[2] = ch_param_opt(scope->user_id);
	v[3] = ch_param_opt(scope->person_id);
	v[4] = CH_P_TEXT(since);
	v[5] = CH_P_INT(scope->user_id == NULL ? 1 : 0);
	/* The same visibility as ch_store_incident_list(). */
	err = ch_tx_query(tx,
	    "SELECT category, SUBSTR(occurred_at, 1, 10), COUNT(*)"
	    " FROM incidents"
	    " WHERE (CAST($1 AS TEXT) IS NULL OR post_id = $1)"
	    " AND classification_rank <= $2"
	    " AND (tlp <> 'RED' OR $6 = 1 OR EXISTS (SELECT 1 FROM"
	    "      incident_recipients ir WHERE ir.incident_id = incidents.id"
	    "      AND ir.user_id = $3))"
	    " AND (CAST($4 AS TEXT) IS NULL OR reporter_person_id = $4)"
	    " AND occurred_at >= $5"
	    " GROUP BY category, SUBSTR(occurred_at, 1, 10)",
	    v, CH_ARRAY_LEN(v), &r, NULL);
	if (err != CH_OK)
		return err;
	*out = ch_arena_alloc(arena, sizeof(**out) * (r->nrows + 1));
	if (*out == NULL) {
		ch_rows_free(r);
		return CH_ERR_NOMEM;
	}
	for (size_t i = 0; i < r->nrows; i++) {
		struct ch_daily_count *d = &(*out)[*count];
		enum ch_threat_category c;

		if (!ch_threat_category_parse(ch_rows_get(r, i, 0), &c))
			continue;
		d->category = (int)c;
		ch_cell_copy(r, i, 1, d->day, sizeof(d->day));
		d->count = ch_rows_int(r, i, 2, 0);
		(*count)++;
	}
	ch_rows_free(r);
	return CH_OK;
}
