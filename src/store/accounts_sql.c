/*
 * accounts_sql.c — users and sessions in the store.  Session rows are
 * keyed by the SHA-256 of the token: the token itself is never stored.
 */
#include <string.h>

#include "store/store_int.h"

#define USER_COLUMNS                                                           \
	"id, username, display_name, password_hash, roles, clearance, "        \
	"post_id, person_id, disabled, version, created_at, updated_at"

static void
user_from_row(const struct ch_rows *r, size_t i, ch_arena *a, struct ch_user *u)
{
	memset(u, 0, sizeof(*u));
	ch_cell_copy(r, i, 0, u->id, sizeof(u->id));
	u->username = ch_cell_dup(r, i, 1, a);
	u->display_name = ch_cell_dup(r, i, 2, a);
	u->password_hash = ch_cell_dup(r, i, 3, a);
	if (!ch_roles_parse(ch_rows_get(r, i, 4), &u->roles))
		u->roles = 0;
	if (!ch_clearance_parse(ch_rows_get(r, i, 5), &u->clearance))
		u->clearance = CH_CLEARANCE_UNCLASSIFIED;
	ch_cell_copy(r, i, 6, u->post_id, sizeof(u->post_id));
	ch_cell_copy(r, i, 7, u->person_id, sizeof(u->person_id));
	u->disabled = ch_rows_int(r, i, 8, 0) != 0;
	u->version = ch_rows_int(r, i, 9, 1);
	ch_cell_copy(r, i, 10, u->created_at, sizeof(u->created_at));
	ch_cell_copy(r, i, 11, u->updated_at, sizeof(u->updated_at));
}

static size_t
user_params(
    const struct ch_user *u, char *roles, size_t roles_size, struct ch_param *v)
{
	ch_roles_format(u->roles, roles, roles_size);
	v[0] = CH_P_TEXT(u->id);
	v[1] = CH_P_TEXT(u->username);
	v[2] = CH_P_TEXT(u->display_name);
	v[3] = CH_P_TEXT(u->password_hash);
	v[4] = CH_P_TEXT(roles);
	v[5] = CH_P_TEXT(ch_clearance_code(u->clearance));
	v[6] = ch_param_opt(u->post_id);
	v[7] = ch_param_opt(u->person_id);
	v[8] = CH_P_INT(u->disabled);
	v[9] = CH_P_INT(u->version);
	v[10] = CH_P_TEXT(u->created_at);
	v[11] = CH_P_TEXT(u->updated_at);
	return 12;
}

ch_err
ch_store_user_insert(struct ch_tx *tx, const struct ch_user *u)
{
	char roles[256];
	struct ch_param v[12];
	size_t n = user_params(u, roles, sizeof(roles), v);

	ch_err err = ch_tx_query(tx,
	    "INSERT INTO users (" USER_COLUMNS ") VALUES ($1, $2, $3, $4, $5,"
	    " $6, $7, $8, $9, $10, $11, $12)",
	    v, n, NULL, NULL);

	/* The gate caches badge holders' roles until this counter moves. */
	return err == CH_OK ? ch_store_access_config_bump(tx) : err;
}

ch_err
ch_store_user_update(struct ch_tx *tx, struct ch_user *u)
{
	char roles[256];
	struct ch_param v[13];
	int64_t changes = 0;
	size_t n;
	ch_err err;

	u->version++;
	n = user_params(u, roles, sizeof(roles), v);
	v[n++] = CH_P_INT(u->version - 1);
	err = ch_tx_query(tx,
	    "UPDATE users SET username = $2, display_name = $3,"
	    " password_hash = $4, roles = $5, clearance = $6, post_id = $7,"
	    " person_id = $8, disabled = $9, version = $10, updated_at = $12"
	    " WHERE id = $1 AND version = $13",
	    v, n, NULL, &changes);
	if (err != CH_OK)
		return err;
	if (changes != 1)
		return CH_ERR_PRECONDITION;
	/* The gate caches badge holders' roles until this counter moves. */
	return ch_store_access_config_bump(tx);
}

ch_err
ch_store_user_hold(struct ch_tx *tx, const char *id, int64_t version)
{
	struct ch_param v[2] = {CH_P_TEXT(id), CH_P_INT(version)};
	int64_t changes = 0;
	ch_err err;

	/* An update that changes nothing: it takes the row's lock, and on
	 * PostgreSQL reads the row again once a concurrent change is in. */
	err = ch_tx_query(tx,
	    "UPDATE users SET version = version WHERE id = $1 AND version = $2",
	    v, 2, NULL, &changes);
	if (err != CH_OK)
		return err;
	return changes == 1 ? CH_OK : CH_ERR_PRECONDITION;
}

static ch_err
user_one(struct ch_tx *tx, const char *sql, const char *key, ch_arena *arena,
    struct ch_user *out)
{
	struct ch_param v[1] = {CH_P_TEXT(key)};
	struct ch_rows *r = NULL;
	ch_err err;

	if ((err = ch_tx_query(tx, sql, v, 1, &r, NULL)) != CH_OK)
		return err;
	if (r->nrows == 0) {
		ch_rows_free(r);
		return CH_ERR_NOT_FOUND;
	}
	user_from_row(r, 0, arena, out);
	ch_rows_free(r);
	return CH_OK;
}

ch_err
ch_store_user_by_name(struct ch_tx *tx, const char *username, ch_arena *arena,
    struct ch_user *out)
{
	return user_one(tx,
	    "SELECT " USER_COLUMNS " FROM users WHERE username = $1", username,
	    arena, out);
}

ch_err
ch_store_user_by_id(
    struct ch_tx *tx, const char *id, ch_arena *arena, struct ch_user *out)
{
	return user_one(tx, "SELECT " USER_COLUMNS " FROM users WHERE id = $1",
	    id, arena, out);
}

ch_err
ch_store_user_list(struct ch_tx *tx, const char *post_id, ch_arena *arena,
    struct ch_user **out, size_t *count)
{
	struct ch_param v[1] = {post_id ? CH_P_TEXT(post_id) : CH_P_NULL};
	struct ch_rows *r = NULL;
	ch_err err;

	*out = NULL;
	*count = 0;
	err = ch_tx_query(tx,
	    "SELECT " USER_COLUMNS ","
	    " CASE WHEN totp_secret IS NULL THEN 0 ELSE 1 END"
	    " FROM users WHERE (CAST($1 AS TEXT) IS NULL OR post_id = $1)"
	    " ORDER BY username",
	    v, 1, &r, NULL);
	if (err != CH_OK)
		return err;
	*out = ch_arena_alloc(arena, sizeof(**out) * (r->nrows + 1));
	if (*out == NULL) {
		ch_rows_free(r);
		return CH_ERR_NOMEM;
	}
	for (size_t i = 0; i < r->nrows; i++) {
		user_from_row(r, i, arena, &(*out)[i]);
		(*out)[i].totp_enrolled =
		    ch_rows_int(r, i, r->ncols - 1, 0) != 0;
	}
	*count = r->nrows;
	ch_rows_free(r);
	return CH_OK;
}

void
ch_session_from_row(const struct ch_rows *r, size_t i, ch_arena *arena,
    struct ch_session_row *out)
{
	memset(out, 0, sizeof(*out));
	ch_cell_copy(r, i, 0, out->token_hash, sizeof(out->token_hash));
	ch_cell_copy(r, i, 1, out->user_id, sizeof(out->user_id));
	ch_cell_copy(r, i, 2, out->csrf_token, sizeof(out->csrf_token));
	out->created_at = ch_rows_int(r, i, 3, 0);
	out->last_seen = ch_rows_int(r, i, 4, 0);
	out->expires_at = ch_rows_int(r, i, 5, 0);
	out->source = ch_cell_dup(r, i, 6, arena);
	ch_cell_copy(r, i, 7, out->public_id, sizeof(out->public_id));
	ch_cell_copy(r, i, 8, out->stage, sizeof(out->stage));
	out->reauth_at = ch_rows_int(r, i, 9, 0);
}

ch_err
ch_store_session_insert(struct ch_tx *tx, const struct ch_session_row *s)
{
	struct ch_param v[10];

	v[7] = CH_P_TEXT(s->public_id);
	v[8] = CH_P_TEXT(s->stage[0] ? s->stage : CH_STAGE_FULL);
	v[9] = CH_P_INT(s->reauth_at);
	v[0] = CH_P_TEXT(s->token_hash);
	v[1] = CH_P_TEXT(s->user_id);
	v[2] = CH_P_TEXT(s->csrf_token);
	v[3] = CH_P_INT(s->created_at);
	v[4] = CH_P_INT(s->last_seen);
	v[5] = CH_P_INT(s->expires_at);
	v[6] = ch_param_opt(s->source);
	return ch_tx_query(tx,
	    "INSERT INTO sessions (token_hash, user_id, csrf_token, created_at,"
	    " last_seen, expires_at, source, public_id, stage, reauth_at)"
	    " VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
	    v, 10, NULL, NULL);
}

ch_err
ch_store_session_get(struct ch_tx *tx, const char *token_hash, ch_arena *arena,
    struct ch_session_row *out)
{
	struct ch_param v[1] = {CH_P_TEXT(token_hash)};
	struct ch_rows *r = NULL;
	ch_err err;

	err = ch_tx_query(tx,
	    "SELECT " CH_SESSION_COLUMNS " FROM sessions WHERE token_hash = $1",
	    v, 1, &r, NULL);
	if (err != CH_OK)
		return err;
	if (r->nrows == 0) {
		ch_rows_free(r);
		return CH_ERR_NOT_FOUND;
	}
	ch_session_from_row(r, 0, arena, out);
	ch_rows_free(r);
	return CH_OK;
}

ch_err
ch_store_session_touch(
    struct ch_tx *tx, const char *token_hash, int64_t last_seen)
{
	struct ch_param v[2] = {CH_P_TEXT(token_hash), CH_P_INT(last_seen)};

	return ch_tx_query(tx,
	    "UPDATE sessions SET last_seen = $2 WHERE token_hash = $1", v, 2,
	    NULL, NULL);
}

ch_err
ch_store_session_delete(struct ch_tx *tx, const char *token_hash)
{
	struct ch_param v[1] = {CH_P_TEXT(token_hash)};

	return ch_tx_query(
	    tx, "DELETE FROM sessions WHERE token_hash = $1", v, 1, NULL, NULL);
}

ch_err
ch_store_session_delete_user(struct ch_tx *tx, const char *user_id)
{
	struct ch_param v[1] = {CH_P_TEXT(user_id)};

	return ch_tx_query(
	    tx, "DELETE FROM sessions WHERE user_id = $1", v, 1, NULL, NULL);
}

ch_err
ch_store_session_purge(struct ch_tx *tx, int64_t now)
{
	struct ch_param v[1] = {CH_P_INT(now)};

	return ch_tx_query(tx, "DELETE FROM sessions WHERE expires_at <= $1", v,
	    1, NULL, NULL);
}
