/*
 * access_sql.c — access control in the store: points, credentials,
 * schedules, rules, postures, the access event log (numbered by
 * access_head, one row locked per writer as the audit head is), presence
 * (who is in which zone) and alarms.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "access/access.h"
#include "people/people.h"
#include "store/store_int.h"

#define POINT_COLUMNS                                                          \
	"id, post_id, name, from_zone_id, to_zone_id, passback, "              \
	"pin_required, version, created_at"
#define CRED_COLUMNS                                                           \
	"c.id, c.post_id, c.badge, c.pin_hash, c.duress_hash, c.status, "      \
	"c.valid_from, c.valid_until, c.person_id, c.visitor_id, c.version, "  \
	"c.created_at, c.updated_at, "                                         \
	"(SELECT p.given_name || ' ' || p.family_name FROM people p"           \
	" WHERE p.id = c.person_id)"
#define EVENT_COLUMNS                                                          \
	"e.id, e.seq, e.post_id, e.point_id, e.zone_id, e.credential_id, "     \
	"e.badge, e.person_id, e.direction, e.decision, e.reason, "            \
	"e.passback_flag, e.duress, e.out_of_schedule, e.at, e.device_id, "    \
	"(SELECT ap.name FROM access_points ap WHERE ap.id = e.point_id), "    \
	"(SELECT p.given_name || ' ' || p.family_name FROM people p"           \
	" WHERE p.id = e.person_id)"

/* Allocate n zeroed items in the arena (one at least). */
static void *
items(ch_arena *a, size_t n, size_t size)
{
	void *p = ch_arena_alloc(a, size * (n ? n : 1));

	if (p != NULL)
		memset(p, 0, size * (n ? n : 1));
	return p;
}

static void
point_from_row(const struct ch_rows *r, size_t i, ch_arena *a, void *out)
{
	struct ch_access_point *p = out;

	memset(p, 0, sizeof(*p));
	ch_cell_copy(r, i, 0, p->id, sizeof(p->id));
	ch_cell_copy(r, i, 1, p->post_id, sizeof(p->post_id));
	p->name = ch_cell_dup(r, i, 2, a);
	ch_cell_copy(r, i, 3, p->from_zone_id, sizeof(p->from_zone_id));
	ch_cell_copy(r, i, 4, p->to_zone_id, sizeof(p->to_zone_id));
	if (!ch_passback_parse(ch_rows_get(r, i, 5), &p->passback))
		p->passback = CH_PASSBACK_NONE;
	p->pin_required = ch_rows_int(r, i, 6, 0) != 0;
	p->version = ch_rows_int(r, i, 7, 1);
	ch_cell_copy(r, i, 8, p->created_at, sizeof(p->created_at));
}

static const struct ch_row_kind point_kind = {
    sizeof(struct ch_access_point), point_from_row};

ch_err
ch_store_access_point_insert(struct ch_tx *tx, const struct ch_access_point *p)
{
	struct ch_param v[8] = {CH_P_TEXT(p->id), CH_P_TEXT(p->post_id),
	    CH_P_TEXT(p->name), ch_param_opt(p->from_zone_id),
	    CH_P_TEXT(p->to_zone_id), CH_P_TEXT(ch_passback_code(p->passback)),
	    CH_P_INT(p->pin_required ? 1 : 0), CH_P_TEXT(p->created_at)};

	return ch_tx_query(tx,
	    "INSERT INTO access_points (" POINT_COLUMNS ") VALUES"
	    " ($1, $2, $3, $4, $5, $6, $7, 1, $8)",
	    v, CH_ARRAY_LEN(v), NULL, NULL);
}

ch_err
ch_store_access_point_get(struct ch_tx *tx, const char *id, ch_arena *arena,
    struct ch_access_point *out)
{
	struct ch_param v[1] = {CH_P_TEXT(id)};

	return ch_tx_query_one(tx,
	    "SELECT " POINT_COLUMNS " FROM access_points WHERE id = $1", v, 1,
	    &point_kind, arena, out);
}

ch_err
ch_store_access_point_list(struct ch_tx *tx, const char *post_id,
    ch_arena *arena, struct ch_access_point **out, size_t *count)
{
	struct ch_param v[1] = {ch_param_opt(post_id)};
	void *rows = NULL;
	ch_err err;

	err = ch_tx_query_all(tx,
	    "SELECT " POINT_COLUMNS " FROM access_points"
	    " WHERE (CAST($1 AS TEXT) IS NULL OR post_id = $1)"
	    " ORDER BY name, id",
	    v, 1, &point_kind, arena, &rows, count);
	*out = rows;
	return err;
}

static void
cred_from_row(const struct ch_rows *r, size_t i, ch_arena *a, void *out)
{
	struct ch_credential *c = out;

	memset(c, 0, sizeof(*c));
	ch_cell_copy(r, i, 0, c->id, sizeof(c->id));
	ch_cell_copy(r, i, 1, c->post_id, sizeof(c->post_id));
	c->badge = ch_cell_dup(r, i, 2, a);
	ch_cell_copy(r, i, 3, c->pin_hash, sizeof(c->pin_hash));
	ch_cell_copy(r, i, 4, c->duress_hash, sizeof(c->duress_hash));
	if (!ch_cred_status_parse(ch_rows_get(r, i, 5), &c->status))
		c->status = CH_CRED_REVOKED;
	ch_cell_copy(r, i, 6, c->valid_from, sizeof(c->valid_from));
	ch_cell_copy(r, i, 7, c->valid_until, sizeof(c->valid_until));
	ch_cell_copy(r, i, 8, c->person_id, sizeof(c->person_id));
	ch_cell_copy(r, i, 9, c->visitor_id, sizeof(c->visitor_id));
	c->version = ch_rows_int(r, i, 10, 1);
	ch_cell_copy(r, i, 11, c->created_at, sizeof(c->created_at));
	ch_cell_copy(r, i, 12, c->updated_at, sizeof(c->updated_at));
	c->holder_name = ch_cell_dup(r, i, 13, a);
}

static const struct ch_row_kind cred_kind = {
    sizeof(struct ch_credential), cred_from_row};

ch_err
ch_store_credential_insert(struct ch_tx *tx, const struct ch_credential *c)
{
	struct ch_param v[12] = {CH_P_TEXT(c->id), CH_P_TEXT(c->post_id),
	    CH_P_TEXT(c->badge), ch_param_opt(c->pin_hash),
	    ch_param_opt(c->duress_hash),
	    CH_P_TEXT(ch_cred_status_code(c->status)),
	    ch_param_opt(c->valid_from), ch_param_opt(c->valid_until),
	    ch_param_opt(c->person_id), ch_param_opt(c->visitor_id),
	    CH_P_TEXT(c->created_at), CH_P_TEXT(c->updated_at)};

	ch_err err = ch_tx_query(tx,
	    "INSERT INTO access_credentials (id, post_id, badge, pin_hash,"
	    " duress_hash, status, valid_from, valid_until, person_id,"
	    " visitor_id, version, created_at, updated_at) VALUES"
	    " ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, 1, $11, $12)",
	    v, CH_ARRAY_LEN(v), NULL, NULL);

	/* The gate caches badges and their holders by this counter. */
	return err == CH_OK ? ch_store_access_config_bump(tx) : err;
}

ch_err
ch_store_credential_update(struct ch_tx *tx, const struct ch_credential *c)
{
	struct ch_param v[7] = {CH_P_TEXT(c->id), ch_param_opt(c->pin_hash),
	    ch_param_opt(c->duress_hash),
	    CH_P_TEXT(ch_cred_status_code(c->status)),
	    ch_param_opt(c->valid_from), ch_param_opt(c->valid_until),
	    CH_P_TEXT(c->updated_at)};
	int64_t changed = 0;
	ch_err err;

	err = ch_tx_query(tx,
	    "UPDATE access_credentials SET pin_hash = $2, duress_hash = $3,"
	    " status = $4, valid_from = $5, valid_until = $6,"
	    " version = version + 1, updated_at = $7 WHERE id = $1",
	    v, CH_ARRAY_LEN(v), NULL, &changed);
	if (err == CH_OK && changed == 0)
		err = CH_ERR_NOT_FOUND;
	if (err == CH_OK)
		err = ch_store_access_config_bump(tx); /* the gate's cache */
	return err;
}

static ch_err
cred_one(struct ch_tx *tx, const char *sql, const char *key, ch_arena *arena,
    struct ch_credential *out)
{
	struct ch_param v[1] = {CH_P_TEXT(key)};

	return ch_tx_query_one(tx, sql, v, 1, &cred_kind, arena, out);
}

ch_err
ch_store_credential_get(struct ch_tx *tx, const char *id, ch_arena *arena,
    struct ch_credential *out)
{
	return cred_one(tx,
	    "SELECT " CRED_COLUMNS " FROM access_credentials c WHERE c.id = $1",
	    id, arena, out);
}

ch_err
ch_store_credential_by_badge(struct ch_tx *tx, const char *badge,
    ch_arena *arena, struct ch_credential *out)
{
	return cred_one(tx,
	    "SELECT " CRED_COLUMNS
	    " FROM access_credentials c WHERE c.badge = $1",
	    badge, arena, out);
}

ch_err
ch_store_credential_list(struct ch_tx *tx, const char *post_id,
    const char *person_id, ch_arena *arena, struct ch_credential **out,
    size_t *count)
{
	struct ch_param v[2] = {ch_param_opt(post_id), ch_param_opt(person_id)};
	void *rows = NULL;
	ch_err err;

	err = ch_tx_query_all(tx,
	    "SELECT " CRED_COLUMNS " FROM access_credentials c"
	    " WHERE (CAST($1 AS TEXT) IS NULL OR c.post_id = $1)"
	    " AND (CAST($2 AS TEXT) IS NULL OR c.person_id = $2)"
	    " ORDER BY c.badge LIMIT 2000",
	    v, 2, &cred_kind, arena, &rows, count);
	*out = rows;
	return err;
}

static void
schedule_from_row(const struct ch_rows *r, size_t i, ch_arena *a, void *out)
{
	struct ch_schedule *s = out;

	memset(s, 0, sizeof(*s));
	ch_cell_copy(r, i, 0, s->id, sizeof(s->id));
	ch_cell_copy(r, i, 1, s->post_id, sizeof(s->post_id));
	s->name = ch_cell_dup(r, i, 2, a);
	s->windows = ch_cell_dup(r, i, 3, a);
	ch_cell_copy(r, i, 4, s->created_at, sizeof(s->created_at));
}

static const struct ch_row_kind schedule_kind = {
    sizeof(struct ch_schedule), schedule_from_row};

ch_err
ch_store_schedule_insert(struct ch_tx *tx, const struct ch_schedule *s)
{
	struct ch_param v[5] = {CH_P_TEXT(s->id), CH_P_TEXT(s->post_id),
	    CH_P_TEXT(s->name), CH_P_TEXT(s->windows),
	    CH_P_TEXT(s->created_at)};

	return ch_tx_query(tx,
	    "INSERT INTO access_schedules (id, post_id, name, windows,"
	    " created_at) VALUES ($1, $2, $3, $4, $5)",
	    v, 5, NULL, NULL);
}

ch_err
ch_store_schedule_get(
    struct ch_tx *tx, const char *id, ch_arena *arena, struct ch_schedule *out)
{
	struct ch_param v[1] = {CH_P_TEXT(id)};

	return ch_tx_query_one(tx,
	    "SELECT id, post_id, name, windows, created_at FROM"
	    " access_schedules WHERE id = $1",
	    v, 1, &schedule_kind, arena, out);
}

ch_err
ch_store_schedule_list(struct ch_tx *tx, const char *post_id, ch_arena *arena,
    struct ch_schedule **out, size_t *count)
{
	struct ch_param v[1] = {ch_param_opt(post_id)};
	void *rows = NULL;
	ch_err err;

	err = ch_tx_query_all(tx,
	    "SELECT id, post_id, name, windows, created_at FROM"
	    " access_schedules WHERE (CAST($1 AS TEXT) IS NULL OR"
	    " post_id = $1) ORDER BY name, id",
	    v, 1, &schedule_kind, arena, &rows, count);
	*out = rows;
	return err;
}

#define RULE_COLUMNS                                                           \
	"r.id, r.post_id, r.effect, r.subject, r.subject_value, r.zone_id, "   \
	"r.schedule_id, r.note, r.created_at, s.windows"

static void
rule_from_row(const struct ch_rows *r, size_t i, ch_arena *a, void *out)
{
	struct ch_rule_row *o = out;
	const char *effect = ch_rows_get(r, i, 2);

	memset(o, 0, sizeof(*o));
	ch_cell_copy(r, i, 0, o->id, sizeof(o->id));
	ch_cell_copy(r, i, 1, o->post_id, sizeof(o->post_id));
	o->effect = effect != NULL && strcmp(effect, "grant") == 0
	    ? CH_RULE_GRANT
	    : CH_RULE_DENY;
	if (!ch_rule_subject_parse(ch_rows_get(r, i, 3), &o->subject))
		o->subject = CH_SUBJ_CREDENTIAL; /* matches nothing unknown */
	o->subject_value = ch_cell_dup(r, i, 4, a);
	ch_cell_copy(r, i, 5, o->zone_id, sizeof(o->zone_id));
	ch_cell_copy(r, i, 6, o->schedule_id, sizeof(o->schedule_id));
	o->note = ch_cell_dup(r, i, 7, a);
	ch_cell_copy(r, i, 8, o->created_at, sizeof(o->created_at));
	o->windows = ch_cell_dup(r, i, 9, a);
}

static const struct ch_row_kind rule_kind = {
    sizeof(struct ch_rule_row), rule_from_row};

ch_err
ch_store_rule_insert(struct ch_tx *tx, const struct ch_rule_row *r)
{
	struct ch_param v[9] = {CH_P_TEXT(r->id), CH_P_TEXT(r->post_id),
	    CH_P_TEXT(r->effect == CH_RULE_GRANT ? "grant" : "deny"),
	    CH_P_TEXT(ch_rule_subject_code(r->subject)),
	    ch_param_opt(r->subject_value), ch_param_opt(r->zone_id),
	    ch_param_opt(r->schedule_id), ch_param_opt(r->note),
	    CH_P_TEXT(r->created_at)};

	return ch_tx_query(tx,
	    "INSERT INTO access_rules (id, post_id, effect, subject,"
	    " subject_value, zone_id, schedule_id, note, created_at) VALUES"
	    " ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
	    v, CH_ARRAY_LEN(v), NULL, NULL);
}

ch_err
ch_store_rule_get(
    struct ch_tx *tx, const char *id, ch_arena *arena, struct ch_rule_row *out)
{
	struct ch_param v[1] = {CH_P_TEXT(id)};

	return ch_tx_query_one(tx,
	    "SELECT " RULE_COLUMNS " FROM access_rules r LEFT JOIN"
	    " access_schedules s ON s.id = r.schedule_id WHERE r.id = $1",
	    v, 1, &rule_kind, arena, out);
}

ch_err
ch_store_rule_delete(struct ch_tx *tx, const char *id)
{
	struct ch_param v[1] = {CH_P_TEXT(id)};
	int64_t changed = 0;
	ch_err err;

	err = ch_tx_query(
	    tx, "DELETE FROM access_rules WHERE id = $1", v, 1, NULL, &changed);
	if (err == CH_OK && changed == 0)
		err = CH_ERR_NOT_FOUND;
	return err;
}

ch_err
ch_store_rule_list(struct ch_tx *tx, const char *post_id, ch_arena *arena,
    struct ch_rule_row **out, size_t *count)
{
	struct ch_param v[1] = {ch_param_opt(post_id)};
	void *rows = NULL;
	ch_err err;

	err = ch_tx_query_all(tx,
	    "SELECT " RULE_COLUMNS " FROM access_rules r LEFT JOIN"
	    " access_schedules s ON s.id = r.schedule_id"
	    " WHERE (CAST($1 AS TEXT) IS NULL OR r.post_id = $1)"
	    " ORDER BY r.created_at, r.id",
	    v, 1, &rule_kind, arena, &rows, count);
	*out = rows;
	return err;
}

ch_err
ch_store_posture_get(struct ch_tx *tx, const char *post_id, char posture[16],
    char changed_at[CH_TIMESTAMP_LEN])
{
	struct ch_param v[1] = {CH_P_TEXT(post_id)};
	struct ch_rows *r = NULL;
	ch_err err;

	ch_strlcpy(posture, "normal", 16);
	changed_at[0] = '\0';
	err = ch_tx_query(tx,
	    "SELECT posture, changed_at FROM access_postures WHERE"
	    " post_id = $1",
	    v, 1, &r, NULL);
	if (err != CH_OK)
		return err;
	if (r->nrows > 0) {
		ch_cell_copy(r, 0, 0, posture, 16);
		ch_cell_copy(r, 0, 1, changed_at, CH_TIMESTAMP_LEN);
	}
	ch_rows_free(r);
	return CH_OK;
}

ch_err
ch_store_posture_set(struct ch_tx *tx, const char *post_id, const char *posture,
    const char *reason, const char *by, const char *at)
{
	struct ch_param v[5] = {CH_P_TEXT(post_id), CH_P_TEXT(posture),
	    ch_param_opt(reason), CH_P_TEXT(by), CH_P_TEXT(at)};
	int64_t changed = 0;
	ch_err err;

	err = ch_tx_query(tx,
	    "UPDATE access_postures SET posture = $2, reason = $3,"
	    " changed_by = $4, changed_at = $5 WHERE post_id = $1",
	    v, 5, NULL, &changed);
	if (err != CH_OK || changed > 0)
		return err;
	return ch_tx_query(tx,
	    "INSERT INTO access_postures (post_id, posture, reason,"
	    " changed_by, changed_at) VALUES ($1, $2, $3, $4, $5)",
	    v, 5, NULL, NULL);
}

ch_err
ch_store_person_roles(struct ch_tx *tx, const char *person_id, unsigned *roles)
{
	struct ch_param v[1] = {CH_P_TEXT(person_id)};
	struct ch_rows *r = NULL;
	ch_err err;

	*roles = 0;
	err = ch_tx_query(tx,
	    "SELECT roles FROM users WHERE person_id = $1 AND disabled = 0", v,
	    1, &r, NULL);
	if (err != CH_OK)
		return err;
	for (size_t i = 0; i < r->nrows; i++) {
		unsigned mask = 0;

		if (ch_roles_parse(ch_rows_get(r, i, 0), &mask))
			*roles |= mask;
	}
	ch_rows_free(r);
	return CH_OK;
}

ch_err
ch_store_access_config_version(struct ch_tx *tx, int64_t *version)
{
	struct ch_rows *r = NULL;
	ch_err err;

	/* Written, not only read: on PostgreSQL the row's lock, held to the
	 * commit, orders the decisions of concurrent transactions and the
	 * configuration's changes as SQLite's write lock does (two swipes of
	 * one holder must not both read where they were before either
	 * moves). */
	err = ch_tx_query(tx,
	    "INSERT INTO access_head (id, seq, config) VALUES (1, 0, 0)"
	    " ON CONFLICT (id) DO UPDATE SET config = access_head.config"
	    " RETURNING config",
	    NULL, 0, &r, NULL);
	if (err != CH_OK)
		return err;
	*version = ch_rows_int(r, 0, 0, 0);
	ch_rows_free(r);
	return CH_OK;
}

ch_err
ch_store_access_config_bump(struct ch_tx *tx)
{
	return ch_tx_query(tx,
	    "INSERT INTO access_head (id, seq, config) VALUES (1, 0, 1)"
	    " ON CONFLICT (id) DO UPDATE SET config = access_head.config + 1",
	    NULL, 0, NULL, NULL);
}

ch_err
ch_store_gate_credential(struct ch_tx *tx, const char *badge, ch_arena *arena,
    struct ch_credential *cred, struct ch_gate_holder *h)
{
	struct ch_param v[1] = {CH_P_TEXT(badge)};
	struct ch_rows *r = NULL;
	ch_err err;

	memset(h, 0, sizeof(*h));
	err = ch_tx_query(tx,
	    "SELECT " CRED_COLUMNS ", p.id, p.given_name, p.family_name,"
	    " p.category, p.clearance, p.position,"
	    " (SELECT u.roles FROM users u WHERE u.person_id = p.id"
	    "  AND u.disabled = 0 ORDER BY u.id LIMIT 1)"
	    " FROM access_credentials c LEFT JOIN people p"
	    " ON p.id = c.person_id WHERE c.badge = $1",
	    v, 1, &r, NULL);
	if (err != CH_OK)
		return err;
	if (r->nrows == 0) {
		ch_rows_free(r);
		return CH_ERR_NOT_FOUND;
	}
	cred_from_row(r, 0, arena, cred);
	h->person_found = ch_rows_get(r, 0, 14) != NULL;
	h->given_name = ch_cell_dup(r, 0, 15, arena);
	h->family_name = ch_cell_dup(r, 0, 16, arena);
	ch_cell_copy(r, 0, 17, h->category, sizeof(h->category));
	ch_cell_copy(r, 0, 18, h->clearance, sizeof(h->clearance));
	h->position = ch_cell_dup(r, 0, 19, arena);
	if (ch_rows_get(r, 0, 20) != NULL &&
	    !ch_roles_parse(ch_rows_get(r, 0, 20), &h->roles))
		h->roles = 0;
	ch_rows_free(r);
	return CH_OK;
}

ch_err
ch_store_access_event_insert(struct ch_tx *tx, struct ch_access_event *ev)
{
	struct ch_param v[16];
	struct ch_rows *r = NULL;
	ch_err err;

	err = ch_tx_query(tx,
	    "INSERT INTO access_head (id, seq, config) VALUES (1, 1, 0)"
	    " ON CONFLICT (id) DO UPDATE SET seq = access_head.seq + 1"
	    " RETURNING seq",
	    NULL, 0, &r, NULL);
	if (err != CH_OK)
		return err;
	ev->seq = ch_rows_int(r, 0, 0, 0);
	ch_rows_free(r);
	if (ev->seq <= 0)
		return CH_ERR_INTERNAL;
	v[0] = CH_P_TEXT(ev->id);
	v[1] = CH_P_INT(ev->seq);
	v[2] = CH_P_TEXT(ev->post_id);
	v[3] = ch_param_opt(ev->point_id);
	v[4] = ch_param_opt(ev->zone_id);
	v[5] = ch_param_opt(ev->credential_id);
	v[6] = CH_P_TEXT(ev->badge ? ev->badge : "");
	v[7] = ch_param_opt(ev->person_id);
	v[8] = CH_P_TEXT(ev->direction == CH_DIR_IN ? "in" : "out");
	v[9] = CH_P_TEXT(ev->granted ? "grant" : "deny");
	v[10] = CH_P_TEXT(ch_access_reason_code(ev->reason));
	v[11] = CH_P_INT(ev->passback_flag ? 1 : 0);
	v[12] = CH_P_INT(ev->duress ? 1 : 0);
	v[13] = CH_P_INT(ev->out_of_schedule ? 1 : 0);
	v[14] = CH_P_TEXT(ev->at);
	v[15] = ch_param_opt(ev->device_id);
	return ch_tx_query(tx,
	    "INSERT INTO access_events (id, seq, post_id, point_id, zone_id,"
	    " credential_id, badge, person_id, direction, decision, reason,"
	    " passback_flag, duress, out_of_schedule, at, device_id) VALUES"
	    " ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14,"
	    " $15, $16)",
	    v, CH_ARRAY_LEN(v), NULL, NULL);
}

ch_err
ch_store_access_seq_reserve(struct ch_tx *tx, size_t n, int64_t *first)
{
	struct ch_param v[1] = {CH_P_INT(n)};
	struct ch_rows *r = NULL;
	ch_err err;

	err = ch_tx_query(tx,
	    "INSERT INTO access_head (id, seq, config) VALUES (1, $1, 0)"
	    " ON CONFLICT (id) DO UPDATE SET seq = access_head.seq + $1"
	    " RETURNING seq",
	    v, 1, &r, NULL);
	if (err != CH_OK)
		return err;
	*first = ch_rows_int(r, 0, 0, 0) - (int64_t)n + 1;
	ch_rows_free(r);
	return *first > 0 ? CH_OK : CH_ERR_INTERNAL;
}

ch_err
ch_store_access_events_insert_many(
    struct ch_tx *tx, const struct ch_access_event *ev, size_t n)
{
	struct ch_param v[16 * CH_ROWS_CHUNK_MAX];
	struct ch_buf sql;
	ch_err err = CH_OK;

	ch_buf_init(&sql, 64 * 1024);
	for (size_t done = 0, k; err == CH_OK && done < n; done += k) {
		k = ch_rows_chunk(n - done);
		for (size_t i = 0; i < k; i++) {
			const struct ch_access_event *e = &ev[done + i];
			struct ch_param *p = &v[i * 16];

			p[0] = CH_P_TEXT(e->id);
			p[1] = CH_P_INT(e->seq);
			p[2] = CH_P_TEXT(e->post_id);
			p[3] = ch_param_opt(e->point_id);
			p[4] = ch_param_opt(e->zone_id);
			p[5] = ch_param_opt(e->credential_id);
			p[6] = CH_P_TEXT(e->badge ? e->badge : "");
			p[7] = ch_param_opt(e->person_id);
			p[8] =
			    CH_P_TEXT(e->direction == CH_DIR_IN ? "in" : "out");
			p[9] = CH_P_TEXT(e->granted ? "grant" : "deny");
			p[10] = CH_P_TEXT(ch_access_reason_code(e->reason));
			p[11] = CH_P_INT(e->passback_flag ? 1 : 0);
			p[12] = CH_P_INT(e->duress ? 1 : 0);
			p[13] = CH_P_INT(e->out_of_schedule ? 1 : 0);
			p[14] = CH_P_TEXT(e->at);
			p[15] = ch_param_opt(e->device_id);
		}
		if ((err = ch_rows_sql(&sql,
			 "INSERT INTO access_events (id, seq, post_id,"
			 " point_id, zone_id, credential_id, badge, person_id,"
			 " direction, decision, reason, passback_flag, duress,"
			 " out_of_schedule, at, device_id) VALUES",
			 k, 16, "")) == CH_OK)
			err = ch_tx_query(tx, sql.data, v, k * 16, NULL, NULL);
	}
	ch_buf_free(&sql);
	return err;
}

ch_err
ch_store_presence_set_many(
    struct ch_tx *tx, const struct ch_presence_move *m, size_t n)
{
	struct ch_param v[7 * CH_ROWS_CHUNK_MAX];
	const struct ch_presence_move *in[CH_ROWS_CHUNK_MAX];
	struct ch_buf sql;
	size_t nin = 0, nout = 0;
	ch_err err = CH_OK;

	/* Removals (one statement per chunk of holders), then the new
	 * places (one upsert per chunk). */
	ch_buf_init(&sql, 64 * 1024);
	for (size_t i = 0; err == CH_OK && i <= n; i++) {
		bool leaves = i < n && m[i].zone_id[0] == '\0';

		if (leaves)
			v[nout++] = CH_P_TEXT(m[i].holder_id);
		if (nout > 0 && (nout == CH_ROWS_CHUNK_MAX || i == n)) {
			for (size_t k; err == CH_OK && nout > 0; nout -= k) {
				k = ch_rows_chunk(nout);
				if ((err = ch_rows_sql(&sql,
					 "DELETE FROM access_presence WHERE"
					 " holder_id IN",
					 1, k, "")) == CH_OK)
					err = ch_tx_query(tx, sql.data,
					    &v[nout - k], k, NULL, NULL);
			}
		}
	}
	for (size_t i = 0; err == CH_OK && i <= n; i++) {
		if (i < n && m[i].zone_id[0] != '\0')
			in[nin++] = &m[i];
		if (nin > 0 && (nin == CH_ROWS_CHUNK_MAX || i == n)) {
			for (size_t k; err == CH_OK && nin > 0; nin -= k) {
				k = ch_rows_chunk(nin);
				for (size_t j = 0; j < k; j++) {
					const struct ch_presence_move *x =
					    in[nin - k + j];
					struct ch_param *p = &v[j * 7];

					p[0] = CH_P_TEXT(x->holder_id);
					p[1] = CH_P_TEXT(x->post_id);
					p[2] = ch_param_opt(x->person_id);
					p[3] = CH_P_TEXT(x->credential_id);
					p[4] = CH_P_TEXT(x->zone_id);
					p[5] = CH_P_TEXT(x->since);
					p[6] = ch_param_opt(x->point_id);
				}
				if ((err = ch_rows_sql(&sql,
					 "INSERT INTO access_presence"
					 " (holder_id, post_id, person_id,"
					 " credential_id, zone_id, since,"
					 " last_point_id) VALUES",
					 k, 7,
					 " ON CONFLICT (holder_id) DO UPDATE"
					 " SET post_id = excluded.post_id,"
					 " person_id = excluded.person_id,"
					 " credential_id ="
					 " excluded.credential_id,"
					 " zone_id = excluded.zone_id,"
					 " since = excluded.since,"
					 " last_point_id ="
					 " excluded.last_point_id")) == CH_OK)
					err = ch_tx_query(
					    tx, sql.data, v, k * 7, NULL, NULL);
			}
		}
	}
	ch_buf_free(&sql);
	return err;
}

static enum ch_access_reason
reason_parse(const char *s)
{
	for (int i = 0; s != NULL && i < CH_REASON__COUNT; i++) {
		if (strcmp(s,
			ch_access_reason_code((enum ch_access_reason)i)) == 0)
			return (enum ch_access_reason)i;
	}
	return CH_REASON_NO_RULE;
}

static void
event_from_row(const struct ch_rows *r, size_t i, ch_arena *a, void *out)
{
	struct ch_access_event *e = out;
	const char *s;

	memset(e, 0, sizeof(*e));
	ch_cell_copy(r, i, 0, e->id, sizeof(e->id));
	e->seq = ch_rows_int(r, i, 1, 0);
	ch_cell_copy(r, i, 2, e->post_id, sizeof(e->post_id));
	ch_cell_copy(r, i, 3, e->point_id, sizeof(e->point_id));
	ch_cell_copy(r, i, 4, e->zone_id, sizeof(e->zone_id));
	ch_cell_copy(r, i, 5, e->credential_id, sizeof(e->credential_id));
	e->badge = ch_cell_dup(r, i, 6, a);
	ch_cell_copy(r, i, 7, e->person_id, sizeof(e->person_id));
	s = ch_rows_get(r, i, 8);
	e->direction =
	    s != NULL && strcmp(s, "out") == 0 ? CH_DIR_OUT : CH_DIR_IN;
	s = ch_rows_get(r, i, 9);
	e->granted = s != NULL && strcmp(s, "grant") == 0;
	e->reason = reason_parse(ch_rows_get(r, i, 10));
	e->passback_flag = ch_rows_int(r, i, 11, 0) != 0;
	e->duress = ch_rows_int(r, i, 12, 0) != 0;
	e->out_of_schedule = ch_rows_int(r, i, 13, 0) != 0;
	ch_cell_copy(r, i, 14, e->at, sizeof(e->at));
	ch_cell_copy(r, i, 15, e->device_id, sizeof(e->device_id));
	e->point_name = ch_cell_dup(r, i, 16, a);
	e->person_name = ch_cell_dup(r, i, 17, a);
}

static const struct ch_row_kind event_kind = {
    sizeof(struct ch_access_event), event_from_row};

ch_err
ch_store_access_event_list(struct ch_tx *tx,
    const struct ch_access_event_filter *f, ch_arena *arena,
    struct ch_access_event_page *out)
{
	char key[24] = "", cid[CH_ID_LEN] = "";
	struct ch_param v[10];
	struct ch_rows *r = NULL;
	size_t limit;
	long before = 0;
	ch_err err;

	memset(out, 0, sizeof(*out));
	limit = f->limit > 0 && f->limit <= 500 ? f->limit : 100;
	if (f->cursor != NULL && *f->cursor != '\0' &&
	    (!ch_cursor_decode(f->cursor, key, sizeof(key), cid) ||
		!ch_parse_long(key, 1, 1L << 62, &before)))
		return CH_ERR_INVALID;
	v[0] = ch_param_opt(f->post_id);
	v[1] = ch_param_opt(f->person_id);
	v[2] = ch_param_opt(f->point_id);
	v[3] = ch_param_opt(f->credential_id);
	v[4] = ch_param_opt(f->decision);
	v[5] = ch_param_opt(f->since);
	v[6] = ch_param_opt(f->until);
	v[7] = CH_P_INT(before);
	v[8] = CH_P_INT(limit + 1);
	err = ch_tx_query(tx,
	    "SELECT " EVENT_COLUMNS " FROM access_events e"
	    " WHERE (CAST($1 AS TEXT) IS NULL OR e.post_id = $1)"
	    " AND (CAST($2 AS TEXT) IS NULL OR e.person_id = $2)"
	    " AND (CAST($3 AS TEXT) IS NULL OR e.point_id = $3)"
	    " AND (CAST($4 AS TEXT) IS NULL OR e.credential_id = $4)"
	    " AND (CAST($5 AS TEXT) IS NULL OR e.decision = $5)"
	    " AND (CAST($6 AS TEXT) IS NULL OR e.at >= $6)"
	    " AND (CAST($7 AS TEXT) IS NULL OR e.at < $7)"
	    " AND ($8 = 0 OR e.seq < $8)"
	    " ORDER BY e.seq DESC LIMIT $9",
	    v, 9, &r, NULL);
	if (err != CH_OK)
		return err;
	out->count = r->nrows > limit ? limit : r->nrows;
	if ((out->items = items(arena, out->count, sizeof(*out->items))) ==
	    NULL) {
		ch_rows_free(r);
		return CH_ERR_NOMEM;
	}
	for (size_t i = 0; i < out->count; i++)
		event_from_row(r, i, arena, &out->items[i]);
	if (r->nrows > limit) {
		snprintf(key, sizeof(key), "%lld",
		    (long long)out->items[limit - 1].seq);
		ch_cursor_encode(key, out->items[limit - 1].id,
		    out->next_cursor, sizeof(out->next_cursor));
	}
	ch_rows_free(r);
	return CH_OK;
}

ch_err
ch_store_access_event_range(struct ch_tx *tx, const char *post_id,
    const char *since, const char *until, size_t max, ch_arena *arena,
    struct ch_access_event **out, size_t *count)
{
	struct ch_param v[4] = {CH_P_TEXT(post_id), ch_param_opt(since),
	    ch_param_opt(until), CH_P_INT(max)};
	void *rows = NULL;
	ch_err err;

	err = ch_tx_query_all(tx,
	    "SELECT " EVENT_COLUMNS " FROM access_events e"
	    " WHERE e.post_id = $1"
	    " AND (CAST($2 AS TEXT) IS NULL OR e.at >= $2)"
	    " AND (CAST($3 AS TEXT) IS NULL OR e.at < $3)"
	    " ORDER BY e.at, e.seq LIMIT $4",
	    v, 4, &event_kind, arena, &rows, count);
	*out = rows;
	return err;
}

ch_err
ch_store_presence_get_many(struct ch_tx *tx, const char *const *holders,
    size_t n, struct ch_presence_at **out, size_t *count)
{
	struct ch_param v[CH_ROWS_CHUNK_MAX];
	struct ch_buf sql;
	ch_err err = CH_OK;

	*count = 0;
	if ((*out = calloc(n ? n : 1, sizeof(**out))) == NULL)
		return CH_ERR_NOMEM;
	ch_buf_init(&sql, 64 * 1024);
	for (size_t done = 0, k; err == CH_OK && done < n; done += k) {
		struct ch_rows *r = NULL;

		k = ch_rows_chunk(n - done);
		for (size_t j = 0; j < k; j++)
			v[j] = CH_P_TEXT(holders[done + j]);
		if ((err = ch_rows_sql(&sql,
			 "SELECT holder_id, zone_id FROM access_presence"
			 " WHERE holder_id IN",
			 1, k, "")) != CH_OK ||
		    (err = ch_tx_query(tx, sql.data, v, k, &r, NULL)) != CH_OK)
			break;
		for (size_t i = 0; i < r->nrows && *count < n; i++) {
			struct ch_presence_at *p = &(*out)[(*count)++];

			ch_cell_copy(r, i, 0, p->holder_id, CH_ID_LEN);
			ch_cell_copy(r, i, 1, p->zone_id, CH_ID_LEN);
		}
		ch_rows_free(r);
	}
	ch_buf_free(&sql);
	if (err != CH_OK) {
		free(*out);
		*out = NULL;
		*count = 0;
	}
	return err;
}

ch_err
ch_store_presence_get(struct ch_tx *tx, const char *holder_id,
    char zone_id[CH_ID_LEN], bool *found)
{
	struct ch_param v[1] = {CH_P_TEXT(holder_id)};
	struct ch_rows *r = NULL;
	ch_err err;

	zone_id[0] = '\0';
	*found = false;
	err = ch_tx_query(tx,
	    "SELECT zone_id FROM access_presence WHERE holder_id = $1", v, 1,
	    &r, NULL);
	if (err != CH_OK)
		return err;
	if (r->nrows > 0) {
		ch_cell_copy(r, 0, 0, zone_id, CH_ID_LEN);
		*found = true;
	}
	ch_rows_free(r);
	return CH_OK;
}

ch_err
ch_store_presence_set(struct ch_tx *tx, const char *holder_id,
    const char *post_id, const char *person_id, const char *credential_id,
    const char *zone_id, const char *since, const char *point_id)
{
	struct ch_param v[7] = {CH_P_TEXT(holder_id), CH_P_TEXT(post_id),
	    ch_param_opt(person_id), CH_P_TEXT(credential_id),
	    CH_P_TEXT(zone_id), CH_P_TEXT(since), ch_param_opt(point_id)};

	if (zone_id == NULL || zone_id[0] == '\0')
		return ch_tx_query(tx,
		    "DELETE FROM access_presence WHERE holder_id = $1", v, 1,
		    NULL, NULL);
	return ch_tx_query(tx,
	    "INSERT INTO access_presence (holder_id, post_id, person_id,"
	    " credential_id, zone_id, since, last_point_id) VALUES"
	    " ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (holder_id) DO UPDATE"
	    " SET post_id = excluded.post_id, person_id = excluded.person_id,"
	    " credential_id = excluded.credential_id,"
	    " zone_id = excluded.zone_id, since = excluded.since,"
	    " last_point_id = excluded.last_point_id",
	    v, 7, NULL, NULL);
}

ch_err
ch_store_presence_list(struct ch_tx *tx, const char *post_id, ch_arena *arena,
    struct ch_presence **out, size_t *count)
{
	struct ch_param v[1] = {CH_P_TEXT(post_id)};
	struct ch_rows *r = NULL;
	ch_err err;

	err = ch_tx_query(tx,
	    "SELECT a.person_id, p.family_name || ', ' || p.given_name,"
	    " p.category, a.credential_id, a.zone_id, z.name, a.since,"
	    " a.last_point_id FROM access_presence a"
	    " LEFT JOIN people p ON p.id = a.person_id"
	    " LEFT JOIN zones z ON z.id = a.zone_id"
	    " WHERE a.post_id = $1 ORDER BY z.name, p.sort_name, a.holder_id",
	    v, 1, &r, NULL);
	if (err != CH_OK)
		return err;
	*count = r->nrows;
	if ((*out = items(arena, r->nrows, sizeof(**out))) == NULL) {
		ch_rows_free(r);
		return CH_ERR_NOMEM;
	}
	for (size_t i = 0; i < r->nrows; i++) {
		struct ch_presence *p = &(*out)[i];

		ch_cell_copy(r, i, 0, p->person_id, sizeof(p->person_id));
		p->person_name = ch_cell_dup(r, i, 1, arena);
		p->category = ch_cell_dup(r, i, 2, arena);
		ch_cell_copy(
		    r, i, 3, p->credential_id, sizeof(p->credential_id));
		ch_cell_copy(r, i, 4, p->zone_id, sizeof(p->zone_id));
		p->zone_name = ch_cell_dup(r, i, 5, arena);
		ch_cell_copy(r, i, 6, p->since, sizeof(p->since));
		ch_cell_copy(
		    r, i, 7, p->last_point_id, sizeof(p->last_point_id));
	}
	ch_rows_free(r);
	return CH_OK;
}

#define ALARM_COLUMNS                                                          \
	"id, post_id, kind, status, point_id, zone_id, person_id, event_id, "  \
	"device_id, detail, raised_at, level, escalated_at, acknowledged_at, " \
	"acknowledged_by, resolved_at, resolved_by, notes, version"

static void
alarm_from_row(const struct ch_rows *r, size_t i, ch_arena *arena, void *out)
{
	struct ch_alarm *a = out;

	memset(a, 0, sizeof(*a));
	ch_cell_copy(r, i, 0, a->id, sizeof(a->id));
	ch_cell_copy(r, i, 1, a->post_id, sizeof(a->post_id));
	a->kind = ch_cell_dup(r, i, 2, arena);
	a->status = ch_cell_dup(r, i, 3, arena);
	ch_cell_copy(r, i, 4, a->point_id, sizeof(a->point_id));
	ch_cell_copy(r, i, 5, a->zone_id, sizeof(a->zone_id));
	ch_cell_copy(r, i, 6, a->person_id, sizeof(a->person_id));
	ch_cell_copy(r, i, 7, a->event_id, sizeof(a->event_id));
	ch_cell_copy(r, i, 8, a->device_id, sizeof(a->device_id));
	a->detail = ch_cell_dup(r, i, 9, arena);
	ch_cell_copy(r, i, 10, a->raised_at, sizeof(a->raised_at));
	a->level = (int)ch_rows_int(r, i, 11, 0);
	ch_cell_copy(r, i, 12, a->escalated_at, sizeof(a->escalated_at));
	ch_cell_copy(r, i, 13, a->acknowledged_at, sizeof(a->acknowledged_at));
	a->acknowledged_by = ch_cell_dup(r, i, 14, arena);
	ch_cell_copy(r, i, 15, a->resolved_at, sizeof(a->resolved_at));
	a->resolved_by = ch_cell_dup(r, i, 16, arena);
	a->notes = ch_cell_dup(r, i, 17, arena);
	a->version = ch_rows_int(r, i, 18, 1);
}

static const struct ch_row_kind alarm_kind = {
    sizeof(struct ch_alarm), alarm_from_row};

ch_err
ch_store_alarm_insert(struct ch_tx *tx, const struct ch_alarm *a)
{
	struct ch_param v[11] = {CH_P_TEXT(a->id), CH_P_TEXT(a->post_id),
	    CH_P_TEXT(a->kind), CH_P_TEXT(a->status), ch_param_opt(a->point_id),
	    ch_param_opt(a->zone_id), ch_param_opt(a->person_id),
	    ch_param_opt(a->event_id), ch_param_opt(a->device_id),
	    ch_param_opt(a->detail), CH_P_TEXT(a->raised_at)};

	return ch_tx_query(tx,
	    "INSERT INTO access_alarms (id, post_id, kind, status, point_id,"
	    " zone_id, person_id, event_id, device_id, detail, raised_at)"
	    " VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)",
	    v, CH_ARRAY_LEN(v), NULL, NULL);
}

ch_err
ch_store_alarm_get(
    struct ch_tx *tx, const char *id, ch_arena *arena, struct ch_alarm *out)
{
	struct ch_param v[1] = {CH_P_TEXT(id)};

	return ch_tx_query_one(tx,
	    "SELECT " ALARM_COLUMNS " FROM access_alarms WHERE id = $1", v, 1,
	    &alarm_kind, arena, out);
}

ch_err
ch_store_alarm_update(
    struct ch_tx *tx, struct ch_alarm *a, int64_t expected_version)
{
	struct ch_param v[10] = {CH_P_TEXT(a->id), CH_P_TEXT(a->status),
	    CH_P_INT(a->level), ch_param_opt(a->escalated_at),
	    ch_param_opt(a->acknowledged_at), ch_param_opt(a->acknowledged_by),
	    ch_param_opt(a->resolved_at), ch_param_opt(a->resolved_by),
	    ch_param_opt(a->notes), CH_P_INT(expected_version)};
	int64_t changed = 0;
	ch_err err;

	err = ch_tx_query(tx,
	    "UPDATE access_alarms SET status = $2, level = $3,"
	    " escalated_at = $4, acknowledged_at = $5, acknowledged_by = $6,"
	    " resolved_at = $7, resolved_by = $8, notes = $9,"
	    " version = version + 1 WHERE id = $1 AND version = $10",
	    v, 10, NULL, &changed);
	if (err != CH_OK)
		return err;
	if (changed == 0)
		return CH_ERR_PRECONDITION;
	a->version = expected_version + 1;
	return CH_OK;
}

static ch_err
alarm_rows(struct ch_tx *tx, const char *sql, const struct ch_param *v,
    size_t nv, ch_arena *arena, struct ch_alarm **out, size_t *count)
{
	void *rows = NULL;
	ch_err err;

	err = ch_tx_query_all(tx, sql, v, nv, &alarm_kind, arena, &rows, count);
	*out = rows;
	return err;
}

ch_err
ch_store_alarm_list(struct ch_tx *tx, const char *post_id, const char *status,
    ch_arena *arena, struct ch_alarm **out, size_t *count)
{
	struct ch_param v[2] = {ch_param_opt(post_id), ch_param_opt(status)};

	return alarm_rows(tx,
	    "SELECT " ALARM_COLUMNS " FROM access_alarms"
	    " WHERE (CAST($1 AS TEXT) IS NULL OR post_id = $1)"
	    " AND (CAST($2 AS TEXT) IS NULL OR status = $2)"
	    " ORDER BY raised_at DESC, id DESC LIMIT 500",
	    v, 2, arena, out, count);
}

ch_err
ch_store_alarm_unacknowledged(struct ch_tx *tx, const char *before,
    int max_level, ch_arena *arena, struct ch_alarm **out, size_t *count)
{
	struct ch_param v[2] = {CH_P_TEXT(before), CH_P_INT(max_level)};

	return alarm_rows(tx,
	    "SELECT " ALARM_COLUMNS " FROM access_alarms"
	    " WHERE status = 'raised' AND raised_at <= $1 AND level < $2"
	    " ORDER BY raised_at, id LIMIT 200",
	    v, 2, arena, out, count);
}

/* ---- guard tours ---- */

ch_err
ch_store_tour_route_insert(struct ch_tx *tx, const struct ch_tour_route *r)
{
	struct ch_param v[4] = {CH_P_TEXT(r->id), CH_P_TEXT(r->post_id),
	    CH_P_TEXT(r->name), CH_P_TEXT(r->created_at)};
	ch_err err;

	err = ch_tx_query(tx,
	    "INSERT INTO tour_routes (id, post_id, name, created_at) VALUES"
	    " ($1, $2, $3, $4)",
	    v, 4, NULL, NULL);
	for (size_t i = 0; err == CH_OK && i < r->ncheckpoints; i++) {
		const struct ch_tour_checkpoint *c = &r->checkpoints[i];
		struct ch_param w[6] = {CH_P_TEXT(c->id), CH_P_TEXT(r->id),
		    CH_P_INT(c->seq), CH_P_TEXT(c->name), CH_P_TEXT(c->code),
		    CH_P_INT(c->due_minutes)};

		err = ch_tx_query(tx,
		    "INSERT INTO tour_checkpoints (id, route_id, seq, name,"
		    " code, due_minutes) VALUES ($1, $2, $3, $4, $5, $6)",
		    w, 6, NULL, NULL);
	}
	return err;
}

static ch_err
route_checkpoints(struct ch_tx *tx, ch_arena *arena, struct ch_tour_route *r)
{
	struct ch_param v[1] = {CH_P_TEXT(r->id)};
	struct ch_rows *rows = NULL;
	ch_err err;

	err = ch_tx_query(tx,
	    "SELECT id, seq, name, code, due_minutes FROM tour_checkpoints"
	    " WHERE route_id = $1 ORDER BY seq",
	    v, 1, &rows, NULL);
	if (err != CH_OK)
		return err;
	r->ncheckpoints = rows->nrows;
	r->checkpoints = items(arena, rows->nrows, sizeof(*r->checkpoints));
	if (r->checkpoints == NULL) {
		ch_rows_free(rows);
		return CH_ERR_NOMEM;
	}
	for (size_t i = 0; i < rows->nrows; i++) {
		struct ch_tour_checkpoint *c = &r->checkpoints[i];

		ch_cell_copy(rows, i, 0, c->id, sizeof(c->id));
		c->seq = (int)ch_rows_int(rows, i, 1, 0);
		c->name = ch_cell_dup(rows, i, 2, arena);
		c->code = ch_cell_dup(rows, i, 3, arena);
		c->due_minutes = (int)ch_rows_int(rows, i, 4, 0);
	}
	ch_rows_free(rows);
	return CH_OK;
}

static void
route_from_row(const struct ch_rows *r, size_t i, ch_arena *arena, void *row)
{
	struct ch_tour_route *out = row;

	memset(out, 0, sizeof(*out));
	ch_cell_copy(r, i, 0, out->id, sizeof(out->id));
	ch_cell_copy(r, i, 1, out->post_id, sizeof(out->post_id));
	out->name = ch_cell_dup(r, i, 2, arena);
	ch_cell_copy(r, i, 3, out->created_at, sizeof(out->created_at));
}

static const struct ch_row_kind route_kind = {
    sizeof(struct ch_tour_route), route_from_row};

ch_err
ch_store_tour_route_get(struct ch_tx *tx, const char *id, ch_arena *arena,
    struct ch_tour_route *out)
{
	struct ch_param v[1] = {CH_P_TEXT(id)};
	ch_err err;

	err = ch_tx_query_one(tx,
	    "SELECT id, post_id, name, created_at FROM tour_routes WHERE"
	    " id = $1",
	    v, 1, &route_kind, arena, out);
	return err == CH_OK ? route_checkpoints(tx, arena, out) : err;
}

ch_err
ch_store_tour_route_list(struct ch_tx *tx, const char *post_id, ch_arena *arena,
    struct ch_tour_route **out, size_t *count)
{
	struct ch_param v[1] = {ch_param_opt(post_id)};
	void *rows = NULL;
	ch_err err;

	err = ch_tx_query_all(tx,
	    "SELECT id, post_id, name, created_at FROM tour_routes"
	    " WHERE (CAST($1 AS TEXT) IS NULL OR post_id = $1)"
	    " ORDER BY name, id LIMIT 200",
	    v, 1, &route_kind, arena, &rows, count);
	*out = rows;
	for (size_t i = 0; err == CH_OK && i < *count; i++)
		err = route_checkpoints(tx, arena, &(*out)[i]);
	return err;
}

ch_err
ch_store_checkpoint_by_code(struct ch_tx *tx, const char *post_id,
    const char *code, ch_arena *arena, struct ch_tour_checkpoint *out,
    char route_id[CH_ID_LEN])
{
	struct ch_param v[2] = {CH_P_TEXT(code), CH_P_TEXT(post_id)};
	struct ch_rows *r = NULL;
	ch_err err;

	err = ch_tx_query(tx,
	    "SELECT c.id, c.seq, c.name, c.code, c.due_minutes, c.route_id"
	    " FROM tour_checkpoints c JOIN tour_routes r ON r.id = c.route_id"
	    " WHERE c.code = $1 AND r.post_id = $2",
	    v, 2, &r, NULL);
	if (err != CH_OK)
		return err;
	if (r->nrows == 0) {
		ch_rows_free(r);
		return CH_ERR_NOT_FOUND;
	}
	memset(out, 0, sizeof(*out));
	ch_cell_copy(r, 0, 0, out->id, sizeof(out->id));
	out->seq = (int)ch_rows_int(r, 0, 1, 0);
	out->name = ch_cell_dup(r, 0, 2, arena);
	out->code = ch_cell_dup(r, 0, 3, arena);
	out->due_minutes = (int)ch_rows_int(r, 0, 4, 0);
	ch_cell_copy(r, 0, 5, route_id, CH_ID_LEN);
	ch_rows_free(r);
	return CH_OK;
}

#define TOUR_COLUMNS                                                           \
	"t.id, t.route_id, r.name, t.post_id, t.started_by, t.started_at, "    \
	"t.status, t.next_seq, t.finished_at, t.version"

static void
tour_from_row(const struct ch_rows *r, size_t i, ch_arena *arena, void *out)
{
	struct ch_tour *t = out;

	memset(t, 0, sizeof(*t));
	ch_cell_copy(r, i, 0, t->id, sizeof(t->id));
	ch_cell_copy(r, i, 1, t->route_id, sizeof(t->route_id));
	t->route_name = ch_cell_dup(r, i, 2, arena);
	ch_cell_copy(r, i, 3, t->post_id, sizeof(t->post_id));
	t->started_by = ch_cell_dup(r, i, 4, arena);
	ch_cell_copy(r, i, 5, t->started_at, sizeof(t->started_at));
	t->status = ch_cell_dup(r, i, 6, arena);
	t->next_seq = (int)ch_rows_int(r, i, 7, 1);
	ch_cell_copy(r, i, 8, t->finished_at, sizeof(t->finished_at));
	t->version = ch_rows_int(r, i, 9, 1);
}

static const struct ch_row_kind tour_kind = {
    sizeof(struct ch_tour), tour_from_row};

static ch_err
tour_rows(struct ch_tx *tx, const char *sql, const struct ch_param *v,
    size_t nv, ch_arena *arena, struct ch_tour **out, size_t *count)
{
	void *rows = NULL;
	ch_err err;

	err = ch_tx_query_all(tx, sql, v, nv, &tour_kind, arena, &rows, count);
	*out = rows;
	return err;
}

ch_err
ch_store_tour_insert(struct ch_tx *tx, const struct ch_tour *t)
{
	struct ch_param v[7] = {CH_P_TEXT(t->id), CH_P_TEXT(t->route_id),
	    CH_P_TEXT(t->post_id), CH_P_TEXT(t->started_by),
	    CH_P_TEXT(t->started_at), CH_P_TEXT(t->status),
	    CH_P_INT(t->next_seq)};

	return ch_tx_query(tx,
	    "INSERT INTO tours (id, route_id, post_id, started_by,"
	    " started_at, status, next_seq) VALUES ($1, $2, $3, $4, $5, $6,"
	    " $7)",
	    v, 7, NULL, NULL);
}

ch_err
ch_store_tour_update(
    struct ch_tx *tx, struct ch_tour *t, int64_t expected_version)
{
	struct ch_param v[5] = {CH_P_TEXT(t->id), CH_P_TEXT(t->status),
	    CH_P_INT(t->next_seq), ch_param_opt(t->finished_at),
	    CH_P_INT(expected_version)};
	int64_t changed = 0;
	ch_err err;

	err = ch_tx_query(tx,
	    "UPDATE tours SET status = $2, next_seq = $3, finished_at = $4,"
	    " version = version + 1 WHERE id = $1 AND version = $5",
	    v, 5, NULL, &changed);
	if (err != CH_OK)
		return err;
	if (changed == 0)
		return CH_ERR_PRECONDITION;
	t->version = expected_version + 1;
	return CH_OK;
}

ch_err
ch_store_tour_get(
    struct ch_tx *tx, const char *id, ch_arena *arena, struct ch_tour *out)
{
	struct ch_param v[1] = {CH_P_TEXT(id)};
	struct ch_tour *list = NULL;
	size_t n = 0;
	ch_err err;

	err = tour_rows(tx,
	    "SELECT " TOUR_COLUMNS " FROM tours t JOIN tour_routes r"
	    " ON r.id = t.route_id WHERE t.id = $1",
	    v, 1, arena, &list, &n);
	if (err != CH_OK)
		return err;
	if (n == 0)
		return CH_ERR_NOT_FOUND;
	*out = list[0];
	return CH_OK;
}

ch_err
ch_store_tour_running(struct ch_tx *tx, const char *route_id, ch_arena *arena,
    struct ch_tour *out)
{
	struct ch_param v[1] = {CH_P_TEXT(route_id)};
	struct ch_tour *list = NULL;
	size_t n = 0;
	ch_err err;

	err = tour_rows(tx,
	    "SELECT " TOUR_COLUMNS " FROM tours t JOIN tour_routes r"
	    " ON r.id = t.route_id WHERE t.route_id = $1"
	    " AND t.status = 'running' ORDER BY t.started_at DESC, t.id DESC"
	    " LIMIT 1",
	    v, 1, arena, &list, &n);
	if (err != CH_OK)
		return err;
	if (n == 0)
		return CH_ERR_NOT_FOUND;
	*out = list[0];
	return CH_OK;
}

ch_err
ch_store_tours_running(
    struct ch_tx *tx, ch_arena *arena, struct ch_tour **out, size_t *count)
{
	return tour_rows(tx,
	    "SELECT " TOUR_COLUMNS " FROM tours t JOIN tour_routes r"
	    " ON r.id = t.route_id WHERE t.status = 'running'"
	    " ORDER BY t.started_at, t.id LIMIT 200",
	    NULL, 0, arena, out, count);
}

ch_err
ch_store_tour_list(struct ch_tx *tx, const char *post_id, ch_arena *arena,
    struct ch_tour **out, size_t *count)
{
	struct ch_param v[1] = {ch_param_opt(post_id)};
	ch_err err;

	err = tour_rows(tx,
	    "SELECT " TOUR_COLUMNS " FROM tours t JOIN tour_routes r"
	    " ON r.id = t.route_id"
	    " WHERE (CAST($1 AS TEXT) IS NULL OR t.post_id = $1)"
	    " ORDER BY t.started_at DESC, t.id DESC LIMIT 100",
	    v, 1, arena, out, count);
	for (size_t i = 0; err == CH_OK && i < *count; i++) {
		struct ch_tour *t = &(*out)[i];
		struct ch_param w[1] = {CH_P_TEXT(t->id)};
		struct ch_rows *r = NULL;

		err = ch_tx_query(tx,
		    "SELECT s.checkpoint_id, s.seq, c.name, s.scanned_at,"
		    " s.missed, s.on_time, s.in_order, s.source FROM "
		    "tour_scans s"
		    " JOIN tour_checkpoints c ON c.id = s.checkpoint_id"
		    " WHERE s.tour_id = $1 ORDER BY s.seq, s.scanned_at",
		    w, 1, &r, NULL);
		if (err != CH_OK)
			break;
		t->nscans = r->nrows;
		t->scans = items(arena, r->nrows, sizeof(*t->scans));
		if (t->scans == NULL) {
			ch_rows_free(r);
			return CH_ERR_NOMEM;
		}
		for (size_t j = 0; j < r->nrows; j++) {
			struct ch_tour_scan *s = &t->scans[j];

			ch_cell_copy(r, j, 0, s->checkpoint_id,
			    sizeof(s->checkpoint_id));
			s->seq = (int)ch_rows_int(r, j, 1, 0);
			s->checkpoint_name = ch_cell_dup(r, j, 2, arena);
			ch_cell_copy(
			    r, j, 3, s->scanned_at, sizeof(s->scanned_at));
			s->missed = ch_rows_int(r, j, 4, 0) != 0;
			s->on_time = ch_rows_int(r, j, 5, 0) != 0;
			s->in_order = ch_rows_int(r, j, 6, 0) != 0;
			s->source = ch_cell_dup(r, j, 7, arena);
		}
		ch_rows_free(r);
	}
	return err;
}

ch_err
ch_store_tour_scan_insert(struct ch_tx *tx, const char *tour_id,
    const char *checkpoint_id, int seq, const char *scanned_at, bool missed,
    bool on_time, bool in_order, const char *source)
{
	char id[CH_ID_LEN];
	struct ch_param v[9];

	ch_id_new(id);
	v[0] = CH_P_TEXT(id);
	v[1] = CH_P_TEXT(tour_id);
	v[2] = CH_P_TEXT(checkpoint_id);
	v[3] = CH_P_INT(seq);
	v[4] = ch_param_opt(scanned_at);
	v[5] = CH_P_INT(missed ? 1 : 0);
	v[6] = CH_P_INT(on_time ? 1 : 0);
	v[7] = CH_P_INT(in_order ? 1 : 0);
	v[8] = ch_param_opt(source);
	return ch_tx_query(tx,
	    "INSERT INTO tour_scans (id, tour_id, checkpoint_id, seq,"
	    " scanned_at, missed, on_time, in_order, source) VALUES ($1, $2,"
	    " $3, $4, $5, $6, $7, $8, $9)",
	    v, 9, NULL, NULL);
}
