/*
 * intel_sql.c — intelligence sources, graded reports, threat actors and
 * named places in the store.  Report lists and a source's track record
 * filter by the reader's scope in SQL (post, classification rank, TLP:RED
 * recipients) with one clause, the rules of the detail route, so a page
 * never holds what the detail would refuse.  A source's identity is sealed
 * (core/vault.h) as it is written.  Report pages use a cursor over
 * (reported_at, id), newest first.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/names.h"
#include "core/vault.h"
#include "intel/intel.h"
#include "store/store_int.h"

/* ---- helpers ---- */

/* Load the ids a link query gives for one key into *out (arena). */
static ch_err
read_ids(struct ch_tx *tx, const char *sql, const char *key, ch_arena *a,
    char (**out)[CH_ID_LEN], size_t *count)
{
	struct ch_param v[1] = {CH_P_TEXT(key)};
	struct ch_rows *r = NULL;
	ch_err err;

	*out = NULL;
	*count = 0;
	if ((err = ch_tx_query(tx, sql, v, 1, &r, NULL)) != CH_OK)
		return err;
	*out = ch_arena_alloc(a, sizeof(**out) * (r->nrows + 1));
	if (*out == NULL) {
		ch_rows_free(r);
		return CH_ERR_NOMEM;
	}
	for (size_t i = 0; i < r->nrows; i++)
		ch_cell_copy(r, i, 0, (*out)[i], CH_ID_LEN);
	*count = r->nrows;
	ch_rows_free(r);
	return CH_OK;
}

/* Replace the rows of a link table for key by (key, ids[i]). */
static ch_err
write_ids(struct ch_tx *tx, const char *delete_sql, const char *insert_sql,
    const char *key, const char (*ids)[CH_ID_LEN], size_t n)
{
	struct ch_param v[2] = {CH_P_TEXT(key)};
	ch_err err;

	if ((err = ch_tx_query(tx, delete_sql, v, 1, NULL, NULL)) != CH_OK)
		return err;
	for (size_t i = 0; i < n; i++) {
		v[1] = CH_P_TEXT(ids[i]);
		if ((err = ch_tx_query(tx, insert_sql, v, 2, NULL, NULL)) !=
		    CH_OK)
			return err;
	}
	return CH_OK;
}

static char
reliability_of(const char *s)
{
	char r;

	return ch_reliability_parse(s, &r) ? r : 'F';
}

/* ---- sources ---- */

#define SOURCE_COLUMNS                                                         \
	"id, post_id, name, kind, reliability, description, active, version, " \
	"created_at, updated_at, identity"

static ch_err
source_from_row(const struct ch_rows *r, size_t i, bool reveal, ch_arena *a,
    struct ch_intel_source *s)
{
	const char *identity;

	memset(s, 0, sizeof(*s));
	ch_cell_copy(r, i, 0, s->id, sizeof(s->id));
	ch_cell_copy(r, i, 1, s->post_id, sizeof(s->post_id));
	s->name = ch_cell_dup(r, i, 2, a);
	if (!ch_source_kind_parse(ch_rows_get(r, i, 3), &s->kind))
		s->kind = CH_SOURCE_HUMAN;
	s->reliability = reliability_of(ch_rows_get(r, i, 4));
	s->description = ch_cell_dup(r, i, 5, a);
	s->active = ch_rows_int(r, i, 6, 1) != 0;
	s->version = ch_rows_int(r, i, 7, 1);
	ch_cell_copy(r, i, 8, s->created_at, sizeof(s->created_at));
	ch_cell_copy(r, i, 9, s->updated_at, sizeof(s->updated_at));
	identity = ch_rows_get(r, i, 10);
	s->has_identity = identity != NULL;
	if (reveal && identity != NULL) {
		ch_err err = ch_vault_open("intel_sources", s->id, "identity",
		    identity, a, &s->identity, NULL);

		if (err == CH_ERR_INVALID) {
			log_error("intel_sources.identity of %s is not sealed",
			    s->id);
			return CH_ERR_CRYPTO;
		}
		return err;
	}
	return CH_OK;
}

ch_err
ch_store_intel_source_insert(
    struct ch_tx *tx, const struct ch_intel_source *s, ch_arena *arena)
{
	char rel[2] = {s->reliability, '\0'};
	char *sealed = NULL;
	struct ch_param v[11];
	ch_err err;

	if (s->identity != NULL && *s->identity != '\0' &&
	    (err = ch_vault_seal("intel_sources", s->id, "identity",
		 s->identity, strlen(s->identity), arena, &sealed)) != CH_OK)
		return err;
	v[0] = CH_P_TEXT(s->id);
	v[1] = CH_P_TEXT(s->post_id);
	v[2] = CH_P_TEXT(s->name);
	v[3] = CH_P_TEXT(ch_source_kind_code(s->kind));
	v[4] = CH_P_TEXT(rel);
	v[5] = ch_param_opt(s->description);
	v[6] = CH_P_INT(s->active ? 1 : 0);
	v[7] = CH_P_INT(s->version);
	v[8] = CH_P_TEXT(s->created_at);
	v[9] = CH_P_TEXT(s->updated_at);
	v[10] = sealed != NULL ? CH_P_TEXT(sealed) : CH_P_NULL;
	return ch_tx_query(tx,
	    "INSERT INTO intel_sources (" SOURCE_COLUMNS ") VALUES ($1, $2,"
	    " $3, $4, $5, $6, $7, $8, $9, $10, $11)",
	    v, CH_ARRAY_LEN(v), NULL, NULL);
}

ch_err
ch_store_intel_source_update(
    struct ch_tx *tx, struct ch_intel_source *s, int64_t expected_version)
{
	char rel[2] = {s->reliability, '\0'};
	struct ch_param v[9];
	int64_t changes = 0;
	ch_err err;

	s->version = expected_version + 1;
	v[0] = CH_P_TEXT(s->id);
	v[1] = CH_P_TEXT(s->name);
	v[2] = CH_P_TEXT(ch_source_kind_code(s->kind));
	v[3] = CH_P_TEXT(rel);
	v[4] = ch_param_opt(s->description);
	v[5] = CH_P_INT(s->active ? 1 : 0);
	v[6] = CH_P_INT(s->version);
	v[7] = CH_P_TEXT(s->updated_at);
	v[8] = CH_P_INT(expected_version);
	err = ch_tx_query(tx,
	    "UPDATE intel_sources SET name = $2, kind = $3, reliability = $4,"
	    " description = $5, active = $6, version = $7, updated_at = $8"
	    " WHERE id = $1 AND version = $9",
	    v, CH_ARRAY_LEN(v), NULL, &changes);
	if (err != CH_OK)
		return err;
	return changes == 1 ? CH_OK : CH_ERR_PRECONDITION;
}

ch_err
ch_store_intel_source_set_identity(
    struct ch_tx *tx, const char *id, const char *identity, ch_arena *arena)
{
	struct ch_param v[2] = {CH_P_TEXT(id), CH_P_NULL};
	char *sealed = NULL;
	ch_err err;

	if (identity != NULL && *identity != '\0') {
		if ((err = ch_vault_seal("intel_sources", id, "identity",
			 identity, strlen(identity), arena, &sealed)) != CH_OK)
			return err;
		v[1] = CH_P_TEXT(sealed);
	}
	return ch_tx_query(tx,
	    "UPDATE intel_sources SET identity = $2 WHERE id = $1", v, 2, NULL,
	    NULL);
}

ch_err
ch_store_intel_source_get(struct ch_tx *tx, const char *id, bool reveal,
    ch_arena *arena, struct ch_intel_source *out)
{
	struct ch_param v[1] = {CH_P_TEXT(id)};
	struct ch_rows *r = NULL;
	ch_err err;

	err = ch_tx_query(tx,
	    "SELECT " SOURCE_COLUMNS " FROM intel_sources WHERE id = $1", v, 1,
	    &r, NULL);
	if (err != CH_OK)
		return err;
	if (r->nrows == 0)
		err = CH_ERR_NOT_FOUND;
	else
		err = source_from_row(r, 0, reveal, arena, out);
	ch_rows_free(r);
	return err;
}

ch_err
ch_store_intel_source_list(struct ch_tx *tx, const char *post_id,
    ch_arena *arena, struct ch_intel_source **out, size_t *count)
{
	struct ch_param v[1] = {ch_param_opt(post_id)};
	struct ch_rows *r = NULL;
	ch_err err;

	*out = NULL;
	*count = 0;
	err = ch_tx_query(tx,
	    "SELECT " SOURCE_COLUMNS " FROM intel_sources"
	    " WHERE (CAST($1 AS TEXT) IS NULL OR post_id = $1)"
	    " ORDER BY name, id",
	    v, 1, &r, NULL);
	if (err != CH_OK)
		return err;
	*out = ch_arena_alloc(arena, sizeof(**out) * (r->nrows + 1));
	if (*out == NULL) {
		ch_rows_free(r);
		return CH_ERR_NOMEM;
	}
	for (size_t i = 0; i < r->nrows && err == CH_OK; i++)
		err = source_from_row(r, i, false, arena, &(*out)[i]);
	*count = r->nrows;
	ch_rows_free(r);
	return err;
}

/*
 * The visibility of a report to a scope, the rules of the detail route:
 * $1 the post (NULL: all), $2 the highest classification rank, $3 the
 * user, $4 1 for the system (sees TLP:RED).  The table is aliased r.
 */
#define REPORT_VISIBLE                                                         \
	" (CAST($1 AS TEXT) IS NULL OR r.post_id = $1)"                        \
	" AND r.classification_rank <= $2"                                     \
	" AND (r.tlp <> 'RED' OR $4 = 1 OR EXISTS (SELECT 1 FROM"              \
	"      intel_report_recipients rr WHERE rr.report_id = r.id"           \
	"      AND rr.user_id = $3))"

static void
scope_params(const struct ch_intel_scope *scope, struct ch_param *v)
{
	v[0] = ch_param_opt(scope->post_id);
	v[1] = CH_P_INT(scope->clearance_max);
	v[2] = ch_param_opt(scope->user_id);
	v[3] = CH_P_INT(scope->user_id == NULL ? 1 : 0);
}

ch_err
ch_store_intel_source_track(struct ch_tx *tx, const char *source_id,
    const struct ch_intel_scope *scope, ch_arena *arena,
    struct ch_intel_track *out)
{
	struct ch_param v[5];
	struct ch_rows *r = NULL;
	size_t keep;
	ch_err err;

	memset(out, 0, sizeof(*out));
	scope_params(scope, v);
	v[4] = CH_P_TEXT(source_id);
	err = ch_tx_query(tx,
	    "SELECT r.id, r.reported_at, r.reliability, r.credibility,"
	    " r.outcome, r.status FROM intel_reports r"
	    " WHERE r.source_id = $5 AND" REPORT_VISIBLE
	    " ORDER BY r.reported_at DESC, r.id DESC",
	    v, CH_ARRAY_LEN(v), &r, NULL);
	if (err != CH_OK)
		return err;
	keep =
	    r->nrows < CH_INTEL_HISTORY_MAX ? r->nrows : CH_INTEL_HISTORY_MAX;
	out->history =
	    ch_arena_alloc(arena, sizeof(*out->history) * (keep + 1));
	if (out->history == NULL) {
		ch_rows_free(r);
		return CH_ERR_NOMEM;
	}
	for (size_t i = 0; i < r->nrows; i++) {
		struct ch_intel_grading g;

		memset(&g, 0, sizeof(g));
		ch_cell_copy(r, i, 0, g.report_id, sizeof(g.report_id));
		ch_cell_copy(r, i, 1, g.reported_at, sizeof(g.reported_at));
		g.reliability = reliability_of(ch_rows_get(r, i, 2));
		g.credibility = (int)ch_rows_int(r, i, 3, 6);
		if (!ch_report_outcome_parse(ch_rows_get(r, i, 4), &g.outcome))
			g.outcome = CH_OUTCOME_UNASSESSED;
		if (!ch_report_status_parse(ch_rows_get(r, i, 5), &g.status))
			g.status = CH_REPORT_ACTIVE;
		out->total++;
		if (g.status == CH_REPORT_WITHDRAWN)
			out->withdrawn++;
		else
			out->by_outcome[g.outcome]++;
		out->by_reliability[g.reliability - 'A']++;
		if (g.credibility >= 1 && g.credibility <= 6)
			out->by_credibility[g.credibility - 1]++;
		if (i < keep)
			out->history[out->nhistory++] = g;
	}
	ch_rows_free(r);
	out->suggested =
	    ch_intel_suggest_reliability(out->by_outcome[CH_OUTCOME_CONFIRMED],
		out->by_outcome[CH_OUTCOME_REFUTED], &out->suggestion_reason);
	return CH_OK;
}

/* ---- reports ---- */

#define REPORT_COLUMNS                                                         \
	"id, post_id, source_id, category, reliability, credibility, title, "  \
	"summary, body, classification, tlp, valid_from, valid_until, "        \
	"reported_at, status, outcome, outcome_note, outcome_at, "             \
	"author_user_id, author_person_id, version, created_at, updated_at"
#define REPORT_SELECT                                                          \
	"SELECT r.id, r.post_id, r.source_id, r.category, r.reliability,"      \
	" r.credibility, r.title, r.summary, r.body, r.classification,"        \
	" r.tlp, r.valid_from, r.valid_until, r.reported_at, r.status,"        \
	" r.outcome, r.outcome_note, r.outcome_at, r.author_user_id,"          \
	" r.author_person_id, r.version, r.created_at, r.updated_at,"          \
	" s.name, s.kind FROM intel_reports r"                                 \
	" JOIN intel_sources s ON s.id = r.source_id"

static void
report_from_row(
    const struct ch_rows *r, size_t i, ch_arena *a, struct ch_intel_report *p)
{
	memset(p, 0, sizeof(*p));
	ch_cell_copy(r, i, 0, p->id, sizeof(p->id));
	ch_cell_copy(r, i, 1, p->post_id, sizeof(p->post_id));
	ch_cell_copy(r, i, 2, p->source_id, sizeof(p->source_id));
	if (!ch_threat_category_parse(ch_rows_get(r, i, 3), &p->category))
		p->category = CH_THREAT_CRIME;
	p->reliability = reliability_of(ch_rows_get(r, i, 4));
	p->credibility = (int)ch_rows_int(r, i, 5, 6);
	p->title = ch_cell_dup(r, i, 6, a);
	p->summary = ch_cell_dup(r, i, 7, a);
	p->body = ch_cell_dup(r, i, 8, a);
	if (!ch_clearance_parse(ch_rows_get(r, i, 9), &p->classification))
		p->classification = CH_CLEARANCE_SECRET;
	if (!ch_tlp_parse(ch_rows_get(r, i, 10), &p->tlp))
		p->tlp = CH_TLP_RED;
	ch_cell_copy(r, i, 11, p->valid_from, sizeof(p->valid_from));
	ch_cell_copy(r, i, 12, p->valid_until, sizeof(p->valid_until));
	ch_cell_copy(r, i, 13, p->reported_at, sizeof(p->reported_at));
	if (!ch_report_status_parse(ch_rows_get(r, i, 14), &p->status))
		p->status = CH_REPORT_ACTIVE;
	if (!ch_report_outcome_parse(ch_rows_get(r, i, 15), &p->outcome))
		p->outcome = CH_OUTCOME_UNASSESSED;
	p->outcome_note = ch_cell_dup(r, i, 16, a);
	ch_cell_copy(r, i, 17, p->outcome_at, sizeof(p->outcome_at));
	ch_cell_copy(r, i, 18, p->author_user_id, sizeof(p->author_user_id));
	ch_cell_copy(
	    r, i, 19, p->author_person_id, sizeof(p->author_person_id));
	p->version = ch_rows_int(r, i, 20, 1);
	ch_cell_copy(r, i, 21, p->created_at, sizeof(p->created_at));
	ch_cell_copy(r, i, 22, p->updated_at, sizeof(p->updated_at));
	p->source_name = ch_cell_dup(r, i, 23, a);
	if (!ch_source_kind_parse(ch_rows_get(r, i, 24), &p->source_kind))
		p->source_kind = CH_SOURCE_HUMAN;
}

/* The 23 columns in REPORT_COLUMNS order, then the classification rank;
 * rel is a buffer of 2 bytes. */
static size_t
report_params(const struct ch_intel_report *p, char *rel, struct ch_param *v)
{
	size_t n = 0;

	rel[0] = p->reliability;
	rel[1] = '\0';
	v[n++] = CH_P_TEXT(p->id);
	v[n++] = CH_P_TEXT(p->post_id);
	v[n++] = CH_P_TEXT(p->source_id);
	v[n++] = CH_P_TEXT(ch_threat_category_code(p->category));
	v[n++] = CH_P_TEXT(rel);
	v[n++] = CH_P_INT(p->credibility);
	v[n++] = CH_P_TEXT(p->title);
	v[n++] = ch_param_opt(p->summary);
	v[n++] = ch_param_opt(p->body);
	v[n++] = CH_P_TEXT(ch_clearance_code(p->classification));
	v[n++] = CH_P_TEXT(ch_tlp_code(p->tlp));
	v[n++] = CH_P_TEXT(p->valid_from);
	v[n++] = CH_P_TEXT(p->valid_until);
	v[n++] = CH_P_TEXT(p->reported_at);
	v[n++] = CH_P_TEXT(ch_report_status_code(p->status));
	v[n++] = CH_P_TEXT(ch_report_outcome_code(p->outcome));
	v[n++] = ch_param_opt(p->outcome_note);
	v[n++] = ch_param_opt(p->outcome_at);
	v[n++] = ch_param_opt(p->author_user_id);
	v[n++] = ch_param_opt(p->author_person_id);
	v[n++] = CH_P_INT(p->version);
	v[n++] = CH_P_TEXT(p->created_at);
	v[n++] = CH_P_TEXT(p->updated_at);
	v[n++] = CH_P_INT(p->classification);
	return n;
}

static ch_err
write_report_links(struct ch_tx *tx, const struct ch_intel_report *p)
{
	ch_err err;

	if ((err = write_ids(tx,
		 "DELETE FROM intel_report_recipients WHERE report_id = $1",
		 "INSERT INTO intel_report_recipients (report_id, user_id)"
		 " VALUES ($1, $2)",
		 p->id, (const char(*)[CH_ID_LEN])p->recipients,
		 p->nrecipients)) != CH_OK ||
	    (err = write_ids(tx,
		 "DELETE FROM intel_report_actors WHERE report_id = $1",
		 "INSERT INTO intel_report_actors (report_id, actor_id)"
		 " VALUES ($1, $2)",
		 p->id, (const char(*)[CH_ID_LEN])p->actor_ids, p->nactors)) !=
		CH_OK ||
	    (err = write_ids(tx,
		 "DELETE FROM intel_report_places WHERE report_id = $1",
		 "INSERT INTO intel_report_places (report_id, place_id)"
		 " VALUES ($1, $2)",
		 p->id, (const char(*)[CH_ID_LEN])p->place_ids, p->nplaces)) !=
		CH_OK)
		return err;
	return write_ids(tx,
	    "DELETE FROM intel_report_incidents WHERE report_id = $1",
	    "INSERT INTO intel_report_incidents (report_id, incident_id)"
	    " VALUES ($1, $2)",
	    p->id, (const char(*)[CH_ID_LEN])p->incident_ids, p->nincidents);
}

static ch_err
read_report_links(struct ch_tx *tx, ch_arena *a, struct ch_intel_report *p)
{
	ch_err err;

	if ((err = read_ids(tx,
		 "SELECT user_id FROM intel_report_recipients"
		 " WHERE report_id = $1 ORDER BY user_id",
		 p->id, a, &p->recipients, &p->nrecipients)) != CH_OK ||
	    (err = read_ids(tx,
		 "SELECT actor_id FROM intel_report_actors"
		 " WHERE report_id = $1 ORDER BY actor_id",
		 p->id, a, &p->actor_ids, &p->nactors)) != CH_OK ||
	    (err = read_ids(tx,
		 "SELECT place_id FROM intel_report_places"
		 " WHERE report_id = $1 ORDER BY place_id",
		 p->id, a, &p->place_ids, &p->nplaces)) != CH_OK)
		return err;
	return read_ids(tx,
	    "SELECT incident_id FROM intel_report_incidents"
	    " WHERE report_id = $1 ORDER BY incident_id",
	    p->id, a, &p->incident_ids, &p->nincidents);
}

ch_err
ch_store_intel_report_insert(struct ch_tx *tx, const struct ch_intel_report *p)
{
	struct ch_param v[24];
	char rel[2];
	size_t n;
	ch_err err;

	n = report_params(p, rel, v);
	err = ch_tx_query(tx,
	    "INSERT INTO intel_reports (" REPORT_COLUMNS
	    ", classification_rank) VALUES ($1, $2, $3, $4, $5, $6, $7, $8,"
	    " $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, $21,"
	    " $22, $23, $24)",
	    v, n, NULL, NULL);
	return err == CH_OK ? write_report_links(tx, p) : err;
}

ch_err
ch_store_intel_report_update(
    struct ch_tx *tx, struct ch_intel_report *p, int64_t expected_version)
{
	struct ch_param v[25];
	int64_t changes = 0;
	char rel[2];
	size_t n;
	ch_err err;

	p->version = expected_version + 1;
	n = report_params(p, rel, v);
	v[n++] = CH_P_INT(expected_version);
	err = ch_tx_query(tx,
	    "UPDATE intel_reports SET post_id = $2, source_id = $3,"
	    " category = $4, reliability = $5, credibility = $6, title = $7,"
	    " summary = $8, body = $9, classification = $10, tlp = $11,"
	    " valid_from = $12, valid_until = $13, reported_at = $14,"
	    " status = $15, outcome = $16, outcome_note = $17,"
	    " outcome_at = $18, author_user_id = $19, author_person_id = $20,"
	    " version = $21, updated_at = $23, classification_rank = $24"
	    " WHERE id = $1 AND version = $25",
	    v, n, NULL, &changes);
	if (err != CH_OK)
		return err;
	if (changes != 1)
		return CH_ERR_PRECONDITION;
	return write_report_links(tx, p);
}

ch_err
ch_store_intel_report_get(struct ch_tx *tx, const char *id, ch_arena *arena,
    struct ch_intel_report *out)
{
	struct ch_param v[1] = {CH_P_TEXT(id)};
	struct ch_rows *r = NULL;
	ch_err err;

	err = ch_tx_query(tx, REPORT_SELECT " WHERE r.id = $1", v, 1, &r, NULL);
	if (err != CH_OK)
		return err;
	if (r->nrows == 0) {
		ch_rows_free(r);
		return CH_ERR_NOT_FOUND;
	}
	report_from_row(r, 0, arena, out);
	ch_rows_free(r);
	return read_report_links(tx, arena, out);
}

ch_err
ch_store_intel_report_list(struct ch_tx *tx,
    const struct ch_intel_report_filter *f, const struct ch_intel_scope *scope,
    ch_arena *arena, struct ch_intel_report_page *out)
{
	char key[CH_TIMESTAMP_LEN] = "", cid[CH_ID_LEN] = "";
	struct ch_param v[17];
	struct ch_rows *r = NULL;
	size_t limit;
	ch_err err;

	memset(out, 0, sizeof(*out));
	limit = f->limit > 0 && f->limit <= CH_LIST_LIMIT_MAX ? (size_t)f->limit
							      : 50;
	if (f->cursor != NULL && *f->cursor != '\0' &&
	    !ch_cursor_decode(f->cursor, key, sizeof(key), cid))
		return CH_ERR_INVALID;
	scope_params(scope, v);
	v[4] = f->has_category ? CH_P_TEXT(ch_threat_category_code(f->category))
			       : CH_P_NULL;
	v[5] = f->has_status ? CH_P_TEXT(ch_report_status_code(f->status))
			     : CH_P_NULL;
	v[6] = f->has_outcome ? CH_P_TEXT(ch_report_outcome_code(f->outcome))
			      : CH_P_NULL;
	v[7] = ch_param_opt(f->source_id);
	v[8] = ch_param_opt(f->actor_id);
	v[9] = ch_param_opt(f->place_id);
	v[10] = ch_param_opt(f->incident_id);
	v[11] = ch_param_opt(f->open_at);
	v[12] = ch_param_opt(f->since);
	v[13] = ch_param_opt(f->until);
	v[14] = ch_param_opt(cid[0] ? key : NULL);
	v[15] = ch_param_opt(cid);
	v[16] = CH_P_INT(limit + 1);
	err = ch_tx_query(tx,
	    REPORT_SELECT
	    " WHERE" REPORT_VISIBLE
	    " AND (CAST($5 AS TEXT) IS NULL OR r.category = $5)"
	    " AND (CAST($6 AS TEXT) IS NULL OR r.status = $6)"
	    " AND (CAST($7 AS TEXT) IS NULL OR r.outcome = $7)"
	    " AND (CAST($8 AS TEXT) IS NULL OR r.source_id = $8)"
	    " AND (CAST($9 AS TEXT) IS NULL OR EXISTS (SELECT 1 FROM"
	    "      intel_report_actors x WHERE x.report_id = r.id"
	    "      AND x.actor_id = $9))"
	    " AND (CAST($10 AS TEXT) IS NULL OR EXISTS (SELECT 1 FROM"
	    "      intel_report_places x WHERE x.report_id = r.id"
	    "      AND x.place_id = $10))"
	    " AND (CAST($11 AS TEXT) IS NULL OR EXISTS (SELECT 1 FROM"
	    "      intel_report_incidents x WHERE x.report_id = r.id"
	    "      AND x.incident_id = $11))"
	    " AND (CAST($12 AS TEXT) IS NULL OR (r.valid_from <= $12"
	    "      AND r.valid_until >= $12 AND r.status = 'active'))"
	    " AND (CAST($13 AS TEXT) IS NULL OR r.reported_at >= $13)"
	    " AND (CAST($14 AS TEXT) IS NULL OR r.reported_at < $14)"
	    " AND (CAST($15 AS TEXT) IS NULL OR r.reported_at < $15 OR"
	    "      (r.reported_at = $15 AND r.id < $16))"
	    " ORDER BY r.reported_at DESC, r.id DESC LIMIT $17",
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
		report_from_row(r, i, arena, &out->items[i]);
	if (r->nrows > limit)
		ch_cursor_encode(out->items[limit - 1].reported_at,
		    out->items[limit - 1].id, out->next_cursor,
		    sizeof(out->next_cursor));
	ch_rows_free(r);
	for (size_t i = 0; i < out->count; i++)
		if ((err = read_report_links(tx, arena, &out->items[i])) !=
		    CH_OK)
			return err;
	return CH_OK;
}

ch_err
ch_store_intel_reports_for_rating(struct ch_tx *tx, const char *post_id,
    const char *since, ch_arena *arena, struct ch_intel_rating_row **out,
    size_t *count)
{
	struct ch_param v[2] = {CH_P_TEXT(post_id), CH_P_TEXT(since)};
	struct ch_rows *r = NULL;
	ch_err err;

	*out = NULL;
	*count = 0;
	err = ch_tx_query(tx,
	    "SELECT id, category, reliability, credibility, outcome,"
	    " classification, tlp, valid_from, valid_until, reported_at,"
	    " created_at FROM intel_reports"
	    " WHERE post_id = $1 AND reported_at >= $2 AND status = 'active'"
	    " AND outcome <> 'refuted' ORDER BY reported_at, id",
	    v, 2, &r, NULL);
	if (err != CH_OK)
		return err;
	*out = ch_arena_alloc(arena, sizeof(**out) * (r->nrows + 1));
	if (*out == NULL) {
		ch_rows_free(r);
		return CH_ERR_NOMEM;
	}
	for (size_t i = 0; i < r->nrows; i++) {
		struct ch_intel_rating_row *x = &(*out)[*count];
		enum ch_threat_category c;
		enum ch_report_outcome o;
		enum ch_clearance cl;
		enum ch_tlp t;

		if (!ch_threat_category_parse(ch_rows_get(r, i, 1), &c))
			continue;
		memset(x, 0, sizeof(*x));
		ch_cell_copy(r, i, 0, x->id, sizeof(x->id));
		x->category = (int)c;
		x->reliability = reliability_of(ch_rows_get(r, i, 2));
		x->credibility = (int)ch_rows_int(r, i, 3, 6);
		x->outcome = ch_report_outcome_parse(ch_rows_get(r, i, 4), &o)
		    ? (int)o
		    : (int)CH_OUTCOME_UNASSESSED;
		x->classification =
		    ch_clearance_parse(ch_rows_get(r, i, 5), &cl)
		    ? (int)cl
		    : (int)CH_CLEARANCE_SECRET;
		x->tlp = ch_tlp_parse(ch_rows_get(r, i, 6), &t)
		    ? (int)t
		    : (int)CH_TLP_RED;
		ch_cell_copy(r, i, 7, x->valid_from, sizeof(x->valid_from));
		ch_cell_copy(r, i, 8, x->valid_until, sizeof(x->valid_until));
		ch_cell_copy(r, i, 9, x->reported_at, sizeof(x->reported_at));
		ch_cell_copy(r, i, 10, x->created_at, sizeof(x->created_at));
		(*count)++;
	}
	ch_rows_free(r);
	return CH_OK;
}

/* ---- threat actors ---- */

#define ACTOR_COLUMNS                                                          \
	"id, post_id, name, kind, aliases, categories, description, version, " \
	"created_at, updated_at, search"

/* The search key of a name and its aliases: " key1 | key2 | ". */
static char *
search_key(const char *name, char *const *aliases, size_t n, ch_arena *a)
{
	char key[CH_NAME_KEY_MAX];
	struct ch_buf b;
	char *out;

	ch_buf_init(&b, 64 * 1024);
	ch_name_key(name, key, sizeof(key));
	ch_buf_appendf(&b, " %s |", key);
	for (size_t i = 0; i < n; i++) {
		ch_name_key(aliases[i], key, sizeof(key));
		ch_buf_appendf(&b, " %s |", key);
	}
	out = ch_arena_strdup(a, b.data != NULL ? b.data : "");
	ch_buf_free(&b);
	return out;
}

/* Split s at sep into arena strings. */
static char **
split(const char *s, char sep, ch_arena *a, size_t *n)
{
	size_t count = 1, k = 0;
	char **out, *copy, *p;

	*n = 0;
	if (s == NULL || *s == '\0')
		return NULL;
	for (const char *q = s; *q; q++)
		count += *q == sep;
	out = ch_arena_alloc(a, sizeof(*out) * (count + 1));
	copy = ch_arena_strdup(a, s);
	if (out == NULL || copy == NULL)
		return NULL;
	for (p = copy;;) {
		char *e = strchr(p, sep);

		if (e != NULL)
			*e = '\0';
		out[k++] = p;
		if (e == NULL)
			break;
		p = e + 1;
	}
	*n = k;
	return out;
}

static void
actor_from_row(
    const struct ch_rows *r, size_t i, ch_arena *a, struct ch_intel_actor *p)
{
	char **cats;
	size_t ncats = 0;

	memset(p, 0, sizeof(*p));
	ch_cell_copy(r, i, 0, p->id, sizeof(p->id));
	ch_cell_copy(r, i, 1, p->post_id, sizeof(p->post_id));
	p->name = ch_cell_dup(r, i, 2, a);
	if (!ch_actor_kind_parse(ch_rows_get(r, i, 3), &p->kind))
		p->kind = CH_ACTOR_GROUP;
	p->aliases = split(ch_rows_get(r, i, 4), '\n', a, &p->naliases);
	cats = split(ch_rows_get(r, i, 5), ',', a, &ncats);
	for (size_t k = 0; k < ncats; k++) {
		enum ch_threat_category c;

		if (ch_threat_category_parse(cats[k], &c))
			p->categories |= 1u << c;
	}
	p->description = ch_cell_dup(r, i, 6, a);
	p->version = ch_rows_int(r, i, 7, 1);
	ch_cell_copy(r, i, 8, p->created_at, sizeof(p->created_at));
	ch_cell_copy(r, i, 9, p->updated_at, sizeof(p->updated_at));
}

/* The actor's columns in ACTOR_COLUMNS order into v (texts in b). */
static ch_err
actor_params(const struct ch_intel_actor *p, ch_arena *a, struct ch_param *v)
{
	struct ch_buf aliases, cats;
	char *al, *ca, *search;

	ch_buf_init(&aliases, 64 * 1024);
	ch_buf_init(&cats, 1024);
	for (size_t i = 0; i < p->naliases; i++)
		ch_buf_appendf(&aliases, "%s%s", i ? "\n" : "", p->aliases[i]);
	for (int c = 0; c < CH_THREAT__COUNT; c++)
		if (p->categories & (1u << c))
			ch_buf_appendf(&cats, "%s%s", cats.len ? "," : "",
			    ch_threat_category_code(
				(enum ch_threat_category)c));
	al = aliases.len ? ch_arena_strdup(a, aliases.data) : NULL;
	ca = ch_arena_strdup(a, cats.len ? cats.data : "");
	ch_buf_free(&aliases);
	ch_buf_free(&cats);
	search = search_key(p->name, p->aliases, p->naliases, a);
	if (ca == NULL || search == NULL || (p->naliases && al == NULL))
		return CH_ERR_NOMEM;
	v[0] = CH_P_TEXT(p->id);
	v[1] = CH_P_TEXT(p->post_id);
	v[2] = CH_P_TEXT(p->name);
	v[3] = CH_P_TEXT(ch_actor_kind_code(p->kind));
	v[4] = al ? CH_P_TEXT(al) : CH_P_NULL;
	v[5] = CH_P_TEXT(ca);
	v[6] = ch_param_opt(p->description);
	v[7] = CH_P_INT(p->version);
	v[8] = CH_P_TEXT(p->created_at);
	v[9] = CH_P_TEXT(p->updated_at);
	v[10] = CH_P_TEXT(search);
	return CH_OK;
}

static ch_err
write_actor_incidents(struct ch_tx *tx, const struct ch_intel_actor *p)
{
	return write_ids(tx,
	    "DELETE FROM intel_actor_incidents WHERE actor_id = $1",
	    "INSERT INTO intel_actor_incidents (actor_id, incident_id)"
	    " VALUES ($1, $2)",
	    p->id, (const char(*)[CH_ID_LEN])p->incident_ids, p->nincidents);
}

ch_err
ch_store_intel_actor_insert(struct ch_tx *tx, const struct ch_intel_actor *p)
{
	struct ch_param v[11];
	ch_arena *a;
	ch_err err;

	if ((a = ch_arena_create(0)) == NULL)
		return CH_ERR_NOMEM;
	if ((err = actor_params(p, a, v)) == CH_OK)
		err = ch_tx_query(tx,
		    "INSERT INTO intel_actors (" ACTOR_COLUMNS ") VALUES ($1,"
		    " $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)",
		    v, CH_ARRAY_LEN(v), NULL, NULL);
	ch_arena_destroy(a);
	return err == CH_OK ? write_actor_incidents(tx, p) : err;
}

ch_err
ch_store_intel_actor_update(
    struct ch_tx *tx, struct ch_intel_actor *p, int64_t expected_version)
{
	struct ch_param v[12];
	int64_t changes = 0;
	ch_arena *a;
	ch_err err;

	if ((a = ch_arena_create(0)) == NULL)
		return CH_ERR_NOMEM;
	p->version = expected_version + 1;
	if ((err = actor_params(p, a, v)) == CH_OK) {
		v[11] = CH_P_INT(expected_version);
		err = ch_tx_query(tx,
		    "UPDATE intel_actors SET name = $3, kind = $4,"
		    " aliases = $5, categories = $6, description = $7,"
		    " version = $8, updated_at = $10, search = $11"
		    " WHERE id = $1 AND post_id = $2 AND version = $12",
		    v, CH_ARRAY_LEN(v), NULL, &changes);
	}
	ch_arena_destroy(a);
	if (err != CH_OK)
		return err;
	if (changes != 1)
		return CH_ERR_PRECONDITION;
	return write_actor_incidents(tx, p);
}

ch_err
ch_store_intel_actor_get(struct ch_tx *tx, const char *id, ch_arena *arena,
    struct ch_intel_actor *out)
{
	struct ch_param v[1] = {CH_P_TEXT(id)};
	struct ch_rows *r = NULL;
	ch_err err;

	err = ch_tx_query(tx,
	    "SELECT " ACTOR_COLUMNS " FROM intel_actors WHERE id = $1", v, 1,
	    &r, NULL);
	if (err != CH_OK)
		return err;
	if (r->nrows == 0) {
		ch_rows_free(r);
		return CH_ERR_NOT_FOUND;
	}
	actor_from_row(r, 0, arena, out);
	ch_rows_free(r);
	return read_ids(tx,
	    "SELECT incident_id FROM intel_actor_incidents WHERE actor_id = $1"
	    " ORDER BY incident_id",
	    id, arena, &out->incident_ids, &out->nincidents);
}

/* The search key of q for a LIKE, or NULL for no filter. */
static char *
like_key(const char *q, ch_arena *a)
{
	char key[CH_NAME_KEY_MAX];
	char *out;
	size_t n;

	if (q == NULL || *q == '\0')
		return NULL;
	ch_name_key(q, key, sizeof(key));
	if (key[0] == '\0')
		return NULL;
	n = strlen(key) + 3;
	if ((out = ch_arena_alloc(a, n)) != NULL)
		snprintf(out, n, "%%%s%%", key);
	return out;
}

ch_err
ch_store_intel_actor_list(struct ch_tx *tx, const char *post_id, const char *q,
    ch_arena *arena, struct ch_intel_actor **out, size_t *count)
{
	struct ch_param v[2];
	struct ch_rows *r = NULL;
	ch_err err;

	*out = NULL;
	*count = 0;
	v[0] = ch_param_opt(post_id);
	v[1] = ch_param_opt(like_key(q, arena));
	err = ch_tx_query(tx,
	    "SELECT " ACTOR_COLUMNS " FROM intel_actors"
	    " WHERE (CAST($1 AS TEXT) IS NULL OR post_id = $1)"
	    " AND (CAST($2 AS TEXT) IS NULL OR search LIKE $2)"
	    " ORDER BY name, id",
	    v, 2, &r, NULL);
	if (err != CH_OK)
		return err;
	*out = ch_arena_alloc(arena, sizeof(**out) * (r->nrows + 1));
	if (*out == NULL) {
		ch_rows_free(r);
		return CH_ERR_NOMEM;
	}
	for (size_t i = 0; i < r->nrows; i++)
		actor_from_row(r, i, arena, &(*out)[i]);
	*count = r->nrows;
	ch_rows_free(r);
	return CH_OK;
}

/* ---- named places ---- */

#define PLACE_COLUMNS                                                          \
	"id, post_id, name, description, area, latitude, longitude, "          \
	"radius_m, polygon, version, created_at, updated_at, search"

static void
place_from_row(
    const struct ch_rows *r, size_t i, ch_arena *a, struct ch_intel_place *p)
{
	const char *s;

	memset(p, 0, sizeof(*p));
	ch_cell_copy(r, i, 0, p->id, sizeof(p->id));
	ch_cell_copy(r, i, 1, p->post_id, sizeof(p->post_id));
	p->name = ch_cell_dup(r, i, 2, a);
	p->description = ch_cell_dup(r, i, 3, a);
	if (!ch_area_kind_parse(ch_rows_get(r, i, 4), &p->area))
		p->area = CH_AREA_POINT;
	s = ch_rows_get(r, i, 5);
	p->latitude = s ? strtod(s, NULL) : 0;
	s = ch_rows_get(r, i, 6);
	p->longitude = s ? strtod(s, NULL) : 0;
	s = ch_rows_get(r, i, 7);
	p->radius_m = s ? strtod(s, NULL) : 0;
	s = ch_rows_get(r, i, 8);
	if (s != NULL && *s != '\0') {
		size_t n = 1;

		for (const char *q = s; *q; q++)
			n += *q == ';';
		p->polygon = ch_arena_alloc(a, sizeof(*p->polygon) * n);
		for (const char *q = s; p->polygon != NULL && *q;) {
			char *end;

			p->polygon[p->npolygon].latitude = strtod(q, &end);
			if (*end != ',')
				break;
			p->polygon[p->npolygon].longitude =
			    strtod(end + 1, &end);
			p->npolygon++;
			if (*end != ';' || p->npolygon == n)
				break;
			q = end + 1;
		}
	}
	p->version = ch_rows_int(r, i, 9, 1);
	ch_cell_copy(r, i, 10, p->created_at, sizeof(p->created_at));
	ch_cell_copy(r, i, 11, p->updated_at, sizeof(p->updated_at));
}

/* The place's columns in PLACE_COLUMNS order into v (texts in a). */
static ch_err
place_params(const struct ch_intel_place *p, ch_arena *a, struct ch_param *v)
{
	char *lat, *lon, *rad = NULL, *poly = NULL, *search;
	struct ch_buf b;

	lat = ch_arena_alloc(a, 32);
	lon = ch_arena_alloc(a, 32);
	if (lat == NULL || lon == NULL)
		return CH_ERR_NOMEM;
	snprintf(lat, 32, "%.6f", p->latitude);
	snprintf(lon, 32, "%.6f", p->longitude);
	if (p->area == CH_AREA_CIRCLE) {
		if ((rad = ch_arena_alloc(a, 32)) == NULL)
			return CH_ERR_NOMEM;
		snprintf(rad, 32, "%.1f", p->radius_m);
	}
	if (p->area == CH_AREA_POLYGON && p->npolygon > 0) {
		ch_buf_init(&b, 64 * 1024);
		for (size_t i = 0; i < p->npolygon; i++)
			ch_buf_appendf(&b, "%s%.6f,%.6f", i ? ";" : "",
			    p->polygon[i].latitude, p->polygon[i].longitude);
		poly = ch_arena_strdup(a, b.data != NULL ? b.data : "");
		ch_buf_free(&b);
		if (poly == NULL)
			return CH_ERR_NOMEM;
	}
	if ((search = search_key(p->name, NULL, 0, a)) == NULL)
		return CH_ERR_NOMEM;
	v[0] = CH_P_TEXT(p->id);
	v[1] = CH_P_TEXT(p->post_id);
	v[2] = CH_P_TEXT(p->name);
	v[3] = ch_param_opt(p->description);
	v[4] = CH_P_TEXT(ch_area_kind_code(p->area));
	v[5] = CH_P_TEXT(lat);
	v[6] = CH_P_TEXT(lon);
	v[7] = rad ? CH_P_TEXT(rad) : CH_P_NULL;
	v[8] = poly ? CH_P_TEXT(poly) : CH_P_NULL;
	v[9] = CH_P_INT(p->version);
	v[10] = CH_P_TEXT(p->created_at);
	v[11] = CH_P_TEXT(p->updated_at);
	v[12] = CH_P_TEXT(search);
	return CH_OK;
}

static ch_err
write_place_incidents(struct ch_tx *tx, const struct ch_intel_place *p)
{
	return write_ids(tx,
	    "DELETE FROM intel_place_incidents WHERE place_id = $1",
	    "INSERT INTO intel_place_incidents (place_id, incident_id)"
	    " VALUES ($1, $2)",
	    p->id, (const char(*)[CH_ID_LEN])p->incident_ids, p->nincidents);
}

ch_err
ch_store_intel_place_insert(struct ch_tx *tx, const struct ch_intel_place *p)
{
	struct ch_param v[13];
	ch_arena *a;
	ch_err err;

	if ((a = ch_arena_create(0)) == NULL)
		return CH_ERR_NOMEM;
	if ((err = place_params(p, a, v)) == CH_OK)
		err = ch_tx_query(tx,
		    "INSERT INTO intel_places (" PLACE_COLUMNS ") VALUES ($1,"
		    " $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)",
		    v, CH_ARRAY_LEN(v), NULL, NULL);
	ch_arena_destroy(a);
	return err == CH_OK ? write_place_incidents(tx, p) : err;
}

ch_err
ch_store_intel_place_update(
    struct ch_tx *tx, struct ch_intel_place *p, int64_t expected_version)
{
	struct ch_param v[14];
	int64_t changes = 0;
	ch_arena *a;
	ch_err err;

	if ((a = ch_arena_create(0)) == NULL)
		return CH_ERR_NOMEM;
	p->version = expected_version + 1;
	if ((err = place_params(p, a, v)) == CH_OK) {
		v[13] = CH_P_INT(expected_version);
		err = ch_tx_query(tx,
		    "UPDATE intel_places SET name = $3, description = $4,"
		    " area = $5, latitude = $6, longitude = $7,"
		    " radius_m = $8, polygon = $9, version = $10,"
		    " updated_at = $12, search = $13"
		    " WHERE id = $1 AND post_id = $2 AND version = $14",
		    v, CH_ARRAY_LEN(v), NULL, &changes);
	}
	ch_arena_destroy(a);
	if (err != CH_OK)
		return err;
	if (changes != 1)
		return CH_ERR_PRECONDITION;
	return write_place_incidents(tx, p);
}

ch_err
ch_store_intel_place_get(struct ch_tx *tx, const char *id, ch_arena *arena,
    struct ch_intel_place *out)
{
	struct ch_param v[1] = {CH_P_TEXT(id)};
	struct ch_rows *r = NULL;
	ch_err err;

	err = ch_tx_query(tx,
	    "SELECT " PLACE_COLUMNS " FROM intel_places WHERE id = $1", v, 1,
	    &r, NULL);
	if (err != CH_OK)
		return err;
	if (r->nrows == 0) {
		ch_rows_free(r);
		return CH_ERR_NOT_FOUND;
	}
	place_from_row(r, 0, arena, out);
	ch_rows_free(r);
	return read_ids(tx,
	    "SELECT incident_id FROM intel_place_incidents WHERE place_id = $1"
	    " ORDER BY incident_id",
	    id, arena, &out->incident_ids, &out->nincidents);
}

ch_err
ch_store_intel_place_list(struct ch_tx *tx, const char *post_id, const char *q,
    ch_arena *arena, struct ch_intel_place **out, size_t *count)
{
	struct ch_param v[2];
	struct ch_rows *r = NULL;
	ch_err err;

	*out = NULL;
	*count = 0;
	v[0] = ch_param_opt(post_id);
	v[1] = ch_param_opt(like_key(q, arena));
	err = ch_tx_query(tx,
	    "SELECT " PLACE_COLUMNS " FROM intel_places"
	    " WHERE (CAST($1 AS TEXT) IS NULL OR post_id = $1)"
	    " AND (CAST($2 AS TEXT) IS NULL OR search LIKE $2)"
	    " ORDER BY name, id",
	    v, 2, &r, NULL);
	if (err != CH_OK)
		return err;
	*out = ch_arena_alloc(arena, sizeof(**out) * (r->nrows + 1));
	if (*out == NULL) {
		ch_rows_free(r);
		return CH_ERR_NOMEM;
	}
	for (size_t i = 0; i < r->nrows; i++)
		place_from_row(r, i, arena, &(*out)[i]);
	*count = r->nrows;
	ch_rows_free(r);
	return CH_OK;
}
