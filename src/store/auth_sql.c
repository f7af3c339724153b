/*
 * auth_sql.c — the records behind authentication beyond users and session
 * rows: a user's sessions by public id, TOTP state, recovery codes (only
 * their hashes), the per-post second-factor rule, failed sign-ins for
 * throttling, and device tokens (only their hashes).
 *
 * users.totp_secret and users.totp_pending are sealed (core/vault.h),
 * bound to the user's row and to the column: confirming an enrolment opens
 * the pending secret and seals it again for totp_secret, since a value
 * moved between columns would not open.  Plaintext copies are wiped.
 */
#include <sodium.h>
#include <string.h>

#include "core/vault.h"
#include "store/store_int.h"

/* Run a statement that must change exactly one row. */
static ch_err
change_one(struct ch_tx *tx, const char *sql, const struct ch_param *v,
    size_t n, ch_err none)
{
	int64_t changes = 0;
	ch_err err = ch_tx_query(tx, sql, v, n, NULL, &changes);

	if (err != CH_OK)
		return err;
	return changes >= 1 ? CH_OK : none;
}

ch_err
ch_store_session_list_user(struct ch_tx *tx, const char *user_id,
    ch_arena *arena, struct ch_session_row **out, size_t *count)
{
	struct ch_param v[1] = {CH_P_TEXT(user_id)};
	struct ch_rows *r = NULL;
	ch_err err;

	*out = NULL;
	*count = 0;
	err = ch_tx_query(tx,
	    "SELECT " CH_SESSION_COLUMNS " FROM sessions WHERE user_id = $1"
	    " ORDER BY created_at DESC, public_id",
	    v, 1, &r, NULL);
	if (err != CH_OK)
		return err;
	*out = ch_arena_alloc(arena, sizeof(**out) * (r->nrows + 1));
	if (*out == NULL) {
		ch_rows_free(r);
		return CH_ERR_NOMEM;
	}
	for (size_t i = 0; i < r->nrows; i++)
		ch_session_from_row(r, i, arena, &(*out)[i]);
	*count = r->nrows;
	ch_rows_free(r);
	return CH_OK;
}

ch_err
ch_store_session_delete_public(
    struct ch_tx *tx, const char *user_id, const char *public_id)
{
	struct ch_param v[2] = {CH_P_TEXT(user_id), CH_P_TEXT(public_id)};

	return change_one(tx,
	    "DELETE FROM sessions WHERE user_id = $1 AND public_id = $2", v, 2,
	    CH_ERR_NOT_FOUND);
}

ch_err
ch_store_session_set_reauth(
    struct ch_tx *tx, const char *token_hash, int64_t at)
{
	struct ch_param v[2] = {CH_P_TEXT(token_hash), CH_P_INT(at)};

	return change_one(tx,
	    "UPDATE sessions SET reauth_at = $2, last_seen = $2"
	    " WHERE token_hash = $1",
	    v, 2, CH_ERR_NOT_FOUND);
}

/* Open a sealed TOTP column of user_id into out (size bytes); "" for
 * NULL.  The plaintext in the arena is wiped before it is freed. */
static ch_err
open_totp(const char *user_id, const char *column, const char *cell, char *out,
    size_t size)
{
	ch_arena *a;
	char *pt = NULL;
	size_t len = 0;
	ch_err err;

	out[0] = '\0';
	if (cell == NULL || *cell == '\0')
		return CH_OK;
	if ((a = ch_arena_create(0)) == NULL)
		return CH_ERR_NOMEM;
	err = ch_vault_open("users", user_id, column, cell, a, &pt, &len);
	if (err == CH_ERR_INVALID) {
		log_error("users.%s of %s is not sealed", column, user_id);
		err = CH_ERR_CRYPTO;
	}
	if (err == CH_OK && !ch_strlcpy(out, pt, size))
		err = CH_ERR_TOO_LARGE;
	if (pt != NULL)
		sodium_memzero(pt, len);
	ch_arena_destroy(a);
	return err;
}

ch_err
ch_store_totp_get(
    struct ch_tx *tx, const char *user_id, struct ch_totp_row *out)
{
	struct ch_param v[1] = {CH_P_TEXT(user_id)};
	struct ch_rows *r = NULL;
	ch_err err;

	memset(out, 0, sizeof(*out));
	err = ch_tx_query(tx,
	    "SELECT totp_secret, totp_pending, totp_last_step FROM users"
	    " WHERE id = $1",
	    v, 1, &r, NULL);
	if (err != CH_OK)
		return err;
	if (r->nrows == 0) {
		ch_rows_free(r);
		return CH_ERR_NOT_FOUND;
	}
	err = open_totp(user_id, "totp_secret", ch_rows_get(r, 0, 0),
	    out->secret, sizeof(out->secret));
	if (err == CH_OK)
		err = open_totp(user_id, "totp_pending", ch_rows_get(r, 0, 1),
		    out->pending, sizeof(out->pending));
	out->last_step = ch_rows_int(r, 0, 2, 0);
	ch_rows_free(r);
	if (err != CH_OK)
		sodium_memzero(out, sizeof(*out));
	return err;
}

ch_err
ch_store_totp_set_pending(
    struct ch_tx *tx, const char *user_id, const char *pending)
{
	struct ch_param v[2];
	char *sealed = NULL;
	ch_arena *a;
	ch_err err;

	if ((a = ch_arena_create(0)) == NULL)
		return CH_ERR_NOMEM;
	err = pending == NULL || *pending == '\0'
	    ? CH_OK
	    : ch_vault_seal("users", user_id, "totp_pending", pending,
		  strlen(pending), a, &sealed);
	if (err == CH_OK) {
		v[0] = CH_P_TEXT(user_id);
		v[1] = ch_param_opt(sealed);
		err = change_one(tx,
		    "UPDATE users SET totp_pending = $2 WHERE id = $1", v, 2,
		    CH_ERR_NOT_FOUND);
	}
	ch_arena_destroy(a);
	return err;
}

ch_err
ch_store_totp_confirm(struct ch_tx *tx, const char *user_id, int64_t step)
{
	struct ch_totp_row row;
	struct ch_param v[3];
	char *sealed = NULL;
	ch_arena *a;
	ch_err err;

	if ((err = ch_store_totp_get(tx, user_id, &row)) != CH_OK)
		return err;
	if (row.pending[0] == '\0') {
		sodium_memzero(&row, sizeof(row));
		return CH_ERR_NOT_FOUND;
	}
	if ((a = ch_arena_create(0)) == NULL) {
		sodium_memzero(&row, sizeof(row));
		return CH_ERR_NOMEM;
	}
	err = ch_vault_seal("users", user_id, "totp_secret", row.pending,
	    strlen(row.pending), a, &sealed);
	sodium_memzero(&row, sizeof(row));
	if (err == CH_OK) {
		v[0] = CH_P_TEXT(user_id);
		v[1] = CH_P_INT(step);
		v[2] = CH_P_TEXT(sealed);
		err = change_one(tx,
		    "UPDATE users SET totp_secret = $3, totp_pending = NULL,"
		    " totp_last_step = $2 WHERE id = $1"
		    " AND totp_pending IS NOT NULL",
		    v, 3, CH_ERR_NOT_FOUND);
	}
	ch_arena_destroy(a);
	return err;
}

ch_err
ch_store_totp_use_step(struct ch_tx *tx, const char *user_id, int64_t step)
{
	struct ch_param v[2] = {CH_P_TEXT(user_id), CH_P_INT(step)};

	return change_one(tx,
	    "UPDATE users SET totp_last_step = $2"
	    " WHERE id = $1 AND totp_last_step < $2",
	    v, 2, CH_ERR_CONFLICT);
}

ch_err
ch_store_totp_clear(struct ch_tx *tx, const char *user_id)
{
	struct ch_param v[1] = {CH_P_TEXT(user_id)};
	ch_err err;

	err = change_one(tx,
	    "UPDATE users SET totp_secret = NULL, totp_pending = NULL"
	    " WHERE id = $1",
	    v, 1, CH_ERR_NOT_FOUND);
	if (err != CH_OK)
		return err;
	return ch_tx_query(tx, "DELETE FROM recovery_codes WHERE user_id = $1",
	    v, 1, NULL, NULL);
}

ch_err
ch_store_recovery_replace(struct ch_tx *tx, const char *user_id,
    char (*hashes)[65], size_t n, int64_t now)
{
	struct ch_param v[3] = {CH_P_TEXT(user_id), CH_P_NULL, CH_P_INT(now)};
	ch_err err;

	err = ch_tx_query(tx, "DELETE FROM recovery_codes WHERE user_id = $1",
	    v, 1, NULL, NULL);
	for (size_t i = 0; err == CH_OK && i < n; i++) {
		v[1] = CH_P_TEXT(hashes[i]);
		err = ch_tx_query(tx,
		    "INSERT INTO recovery_codes (user_id, code_hash,"
		    " created_at) VALUES ($1, $2, $3)",
		    v, 3, NULL, NULL);
	}
	return err;
}

ch_err
ch_store_recovery_use(
    struct ch_tx *tx, const char *user_id, const char *hash, int64_t now)
{
	struct ch_param v[3] = {
	    CH_P_TEXT(user_id), CH_P_TEXT(hash), CH_P_INT(now)};

	return change_one(tx,
	    "UPDATE recovery_codes SET used_at = $3 WHERE user_id = $1"
	    " AND code_hash = $2 AND used_at IS NULL",
	    v, 3, CH_ERR_NOT_FOUND);
}

ch_err
ch_store_recovery_left(struct ch_tx *tx, const char *user_id, int64_t *count)
{
	struct ch_param v[1] = {CH_P_TEXT(user_id)};
	struct ch_rows *r = NULL;
	ch_err err;

	*count = 0;
	err = ch_tx_query(tx,
	    "SELECT COUNT(*) FROM recovery_codes WHERE user_id = $1"
	    " AND used_at IS NULL",
	    v, 1, &r, NULL);
	if (err != CH_OK)
		return err;
	*count = ch_rows_int(r, 0, 0, 0);
	ch_rows_free(r);
	return CH_OK;
}

ch_err
ch_store_post_second_factor(struct ch_tx *tx, const char *post_id, char out[16])
{
	struct ch_param v[1] = {CH_P_TEXT(post_id)};
	struct ch_rows *r = NULL;
	ch_err err;

	out[0] = '\0';
	err = ch_tx_query(tx, "SELECT second_factor FROM posts WHERE id = $1",
	    v, 1, &r, NULL);
	if (err != CH_OK)
		return err;
	if (r->nrows == 0) {
		ch_rows_free(r);
		return CH_ERR_NOT_FOUND;
	}
	ch_cell_copy(r, 0, 0, out, 16);
	ch_rows_free(r);
	return CH_OK;
}

ch_err
ch_store_post_set_second_factor(
    struct ch_tx *tx, const char *post_id, const char *rule)
{
	struct ch_param v[2] = {CH_P_TEXT(post_id), CH_P_TEXT(rule)};

	return change_one(tx,
	    "UPDATE posts SET second_factor = $2 WHERE id = $1", v, 2,
	    CH_ERR_NOT_FOUND);
}

ch_err
ch_store_login_failure_add(
    struct ch_tx *tx, const char *account, const char *source, int64_t at)
{
	char id[CH_ID_LEN];
	struct ch_param v[4];

	ch_id_new(id);
	v[0] = CH_P_TEXT(id);
	v[1] = CH_P_TEXT(account);
	v[2] = CH_P_TEXT(source);
	v[3] = CH_P_INT(at);
	return ch_tx_query(tx,
	    "INSERT INTO login_failures (id, account, source, at)"
	    " VALUES ($1, $2, $3, $4)",
	    v, 4, NULL, NULL);
}

ch_err
ch_store_login_failures_since(struct ch_tx *tx, int64_t since, size_t max,
    ch_arena *arena, struct ch_login_failure **out, size_t *count)
{
	struct ch_param v[2] = {CH_P_INT(since), CH_P_INT(max)};
	struct ch_rows *r = NULL;
	ch_err err;

	*out = NULL;
	*count = 0;
	err = ch_tx_query(tx,
	    "SELECT account, source, at FROM login_failures WHERE at >= $1"
	    " ORDER BY at, id LIMIT $2",
	    v, 2, &r, NULL);
	if (err != CH_OK)
		return err;
	*out = ch_arena_alloc(arena, sizeof(**out) * (r->nrows + 1));
	if (*out == NULL) {
		ch_rows_free(r);
		return CH_ERR_NOMEM;
	}
	for (size_t i = 0; i < r->nrows; i++) {
		ch_cell_copy(
		    r, i, 0, (*out)[i].account, sizeof((*out)[i].account));
		ch_cell_copy(
		    r, i, 1, (*out)[i].source, sizeof((*out)[i].source));
		(*out)[i].at = ch_rows_int(r, i, 2, 0);
	}
	*count = r->nrows;
	ch_rows_free(r);
	return CH_OK;
}

ch_err
ch_store_login_failures_forget(
    struct ch_tx *tx, const char *account, int64_t before)
{
	struct ch_param v[2] = {CH_P_TEXT(account), CH_P_INT(before)};

	if (account == NULL)
		return ch_tx_query(tx,
		    "DELETE FROM login_failures WHERE at < $1", &v[1], 1, NULL,
		    NULL);
	return ch_tx_query(tx, "DELETE FROM login_failures WHERE account = $1",
	    v, 1, NULL, NULL);
}

#define DEVICE_COLUMNS                                                         \
	"id, name, post_id, permissions, token_hash, created_at, created_by, " \
	"last_used_at, last_used_from, revoked_at"

static void
device_from_row(
    const struct ch_rows *r, size_t i, ch_arena *a, struct ch_device *d)
{
	memset(d, 0, sizeof(*d));
	ch_cell_copy(r, i, 0, d->id, sizeof(d->id));
	d->name = ch_cell_dup(r, i, 1, a);
	ch_cell_copy(r, i, 2, d->post_id, sizeof(d->post_id));
	d->permissions = ch_cell_dup(r, i, 3, a);
	ch_cell_copy(r, i, 4, d->token_hash, sizeof(d->token_hash));
	ch_cell_copy(r, i, 5, d->created_at, sizeof(d->created_at));
	d->created_by = ch_cell_dup(r, i, 6, a);
	ch_cell_copy(r, i, 7, d->last_used_at, sizeof(d->last_used_at));
	d->last_used_from = ch_cell_dup(r, i, 8, a);
	ch_cell_copy(r, i, 9, d->revoked_at, sizeof(d->revoked_at));
}

ch_err
ch_store_device_insert(struct ch_tx *tx, const struct ch_device *d)
{
	struct ch_param v[7];

	v[0] = CH_P_TEXT(d->id);
	v[1] = CH_P_TEXT(d->name);
	v[2] = CH_P_TEXT(d->post_id);
	v[3] = CH_P_TEXT(d->permissions);
	v[4] = CH_P_TEXT(d->token_hash);
	v[5] = CH_P_TEXT(d->created_at);
	v[6] = CH_P_TEXT(d->created_by);
	return ch_tx_query(tx,
	    "INSERT INTO devices (id, name, post_id, permissions, token_hash,"
	    " created_at, created_by) VALUES ($1, $2, $3, $4, $5, $6, $7)",
	    v, 7, NULL, NULL);
}

static ch_err
device_one(struct ch_tx *tx, const char *sql, const char *key, ch_arena *arena,
    struct ch_device *out)
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
	device_from_row(r, 0, arena, out);
	ch_rows_free(r);
	return CH_OK;
}

ch_err
ch_store_device_by_token(struct ch_tx *tx, const char *token_hash,
    ch_arena *arena, struct ch_device *out)
{
	return device_one(tx,
	    "SELECT " DEVICE_COLUMNS " FROM devices WHERE token_hash = $1",
	    token_hash, arena, out);
}

ch_err
ch_store_device_get(
    struct ch_tx *tx, const char *id, ch_arena *arena, struct ch_device *out)
{
	return device_one(tx,
	    "SELECT " DEVICE_COLUMNS " FROM devices WHERE id = $1", id, arena,
	    out);
}

ch_err
ch_store_device_list(
    struct ch_tx *tx, ch_arena *arena, struct ch_device **out, size_t *count)
{
	struct ch_rows *r = NULL;
	ch_err err;

	*out = NULL;
	*count = 0;
	err = ch_tx_query(tx,
	    "SELECT " DEVICE_COLUMNS " FROM devices ORDER BY created_at, id",
	    NULL, 0, &r, NULL);
	if (err != CH_OK)
		return err;
	*out = ch_arena_alloc(arena, sizeof(**out) * (r->nrows + 1));
	if (*out == NULL) {
		ch_rows_free(r);
		return CH_ERR_NOMEM;
	}
	for (size_t i = 0; i < r->nrows; i++)
		device_from_row(r, i, arena, &(*out)[i]);
	*count = r->nrows;
	ch_rows_free(r);
	return CH_OK;
}

ch_err
ch_store_device_revoke(struct ch_tx *tx, const char *id, const char *at)
{
	struct ch_param v[2] = {CH_P_TEXT(id), CH_P_TEXT(at)};

	return change_one(tx,
	    "UPDATE devices SET revoked_at = $2 WHERE id = $1"
	    " AND revoked_at IS NULL",
	    v, 2, CH_ERR_NOT_FOUND);
}

ch_err
ch_store_device_touch(
    struct ch_tx *tx, const char *id, const char *at, const char *from)
{
	struct ch_param v[3] = {CH_P_TEXT(id), CH_P_TEXT(at), CH_P_TEXT(from)};

	return change_one(tx,
	    "UPDATE devices SET last_used_at = $2, last_used_from = $3"
	    " WHERE id = $1",
	    v, 3, CH_ERR_NOT_FOUND);
}
