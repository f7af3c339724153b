/*
 * sealed_sql.c — the sealed columns (core/vault.h) as one table, and the
 * passes that walk them: re-sealing under the current key (key rotation,
 * and the one-time sealing of plaintext left by older versions), and
 * counting what is still sealed under a key (before it is retired).
 *
 * A pass goes column by column in id order, a batch per transaction, so the
 * server keeps serving between batches.  Each row is written back only if
 * it still holds the value that was read (compare and set): a concurrent
 * change wins, and a later pass picks it up if it needs it.  Interrupted, a
 * pass is simply run again.
 */
#include <sodium.h>
#include <stdio.h>
#include <string.h>

#include "core/vault.h"
#include "store/store_int.h"

static const struct ch_sealed_column sealed[] = {
    {"people", "id", "email"},
    {"people", "id", "phone"},
    {"users", "id", "totp_secret"},
    {"users", "id", "totp_pending"},
    {"incident_evidence", "id", "file_key"},
    {"intel_sources", "id", "identity"},
    {"visitors", "id", "document"},
};

const struct ch_sealed_column *
ch_store_sealed_columns(size_t *count)
{
	*count = CH_ARRAY_LEN(sealed);
	return sealed;
}

/* Re-seal one batch of column c after id *last; *seen rows read. */
static ch_err
reseal_batch(struct ch_store *store, const struct ch_sealed_column *c,
    const char *pattern, size_t batch, char last[CH_ID_LEN], size_t *seen,
    struct ch_reseal_stats *stats)
{
	char sql[512];
	struct ch_param v[3];
	struct ch_rows *r = NULL;
	struct ch_tx *tx = NULL;
	ch_arena *a = NULL;
	ch_err err;

	*seen = 0;
	if ((a = ch_arena_create(0)) == NULL)
		return CH_ERR_NOMEM;
	if ((err = ch_store_begin(store, true, &tx)) != CH_OK)
		goto free_arena;
	snprintf(sql, sizeof(sql),
	    "SELECT %s, %s FROM %s WHERE %s > $1 AND %s IS NOT NULL"
	    " AND %s NOT LIKE $2 ORDER BY %s LIMIT $3",
	    c->id_column, c->column, c->table, c->id_column, c->column,
	    c->column, c->id_column);
	v[0] = CH_P_TEXT(last);
	v[1] = CH_P_TEXT(pattern);
	v[2] = CH_P_INT(batch);
	if ((err = ch_tx_query(tx, sql, v, 3, &r, NULL)) != CH_OK)
		goto rollback;
	snprintf(sql, sizeof(sql),
	    "UPDATE %s SET %s = $2 WHERE %s = $1 AND %s = $3", c->table,
	    c->column, c->id_column, c->column);
	for (size_t i = 0; i < r->nrows; i++) {
		const char *id = ch_rows_get(r, i, 0);
		const char *old = ch_rows_get(r, i, 1);
		char *pt = NULL, *fresh = NULL;
		size_t len = 0;
		int64_t changes = 0;

		ch_strlcpy(last, id, CH_ID_LEN);
		if (ch_vault_is_sealed(old)) {
			if (ch_vault_open(c->table, id, c->column, old, a, &pt,
				&len) != CH_OK) {
				stats->failed++; /* logged by the vault */
				continue;
			}
		} else {
			pt = (char *)old; /* plaintext from an older version */
			len = strlen(old);
			stats->plaintext++;
		}
		err =
		    ch_vault_seal(c->table, id, c->column, pt, len, a, &fresh);
		if (pt != old)
			sodium_memzero(pt, len);
		if (err != CH_OK)
			goto rollback;
		v[0] = CH_P_TEXT(id);
		v[1] = CH_P_TEXT(fresh);
		v[2] = CH_P_TEXT(old);
		if ((err = ch_tx_query(tx, sql, v, 3, NULL, &changes)) != CH_OK)
			goto rollback;
		if (changes == 1)
			stats->resealed++;
		else
			stats->skipped++;
	}
	*seen = r->nrows;
	ch_rows_free(r);
	r = NULL;
	err = ch_store_commit(tx);
	tx = NULL;
rollback:
	ch_rows_free(r);
	ch_store_rollback(tx);
free_arena:
	ch_arena_destroy(a);
	return err;
}

ch_err
ch_store_reseal(struct ch_store *store, bool plaintext_only, size_t batch,
    struct ch_reseal_stats *stats)
{
	char pattern[32], current[CH_VAULT_ID_LEN];
	ch_err err;

	memset(stats, 0, sizeof(*stats));
	ch_vault_current_id(current);
	if (current[0] == '\0')
		return CH_ERR_CRYPTO;
	/* Rows not under the current key; or not sealed at all. */
	if (plaintext_only)
		snprintf(pattern, sizeof(pattern), "v1:%%");
	else
		snprintf(pattern, sizeof(pattern), "v1:%s:%%", current);
	if (batch == 0)
		batch = 200;
	for (size_t i = 0; i < CH_ARRAY_LEN(sealed); i++) {
		char last[CH_ID_LEN] = "";
		size_t seen;

		do {
			err = reseal_batch(store, &sealed[i], pattern, batch,
			    last, &seen, stats);
			if (err != CH_OK)
				return err;
			stats->batches++;
		} while (seen == batch);
	}
	return stats->failed > 0 ? CH_ERR_CRYPTO : CH_OK;
}

ch_err
ch_store_sealed_count(
    struct ch_store *store, const char *key_id, int64_t *count)
{
	char sql[384], pattern[32];
	struct ch_param v[1];
	struct ch_rows *r = NULL;
	struct ch_tx *tx = NULL;
	ch_err err;

	*count = 0;
	if (key_id != NULL)
		snprintf(pattern, sizeof(pattern), "v1:%.8s:%%", key_id);
	else
		snprintf(pattern, sizeof(pattern), "v1:%%");
	v[0] = CH_P_TEXT(pattern);
	if ((err = ch_store_begin(store, false, &tx)) != CH_OK)
		return err;
	for (size_t i = 0; i < CH_ARRAY_LEN(sealed); i++) {
		/* key_id NULL: count values that are not sealed at all. */
		snprintf(sql, sizeof(sql),
		    "SELECT COUNT(*) FROM %s WHERE %s IS NOT NULL AND %s %s $1",
		    sealed[i].table, sealed[i].column, sealed[i].column,
		    key_id != NULL ? "LIKE" : "NOT LIKE");
		if ((err = ch_tx_query(tx, sql, v, 1, &r, NULL)) != CH_OK)
			break;
		*count += ch_rows_int(r, 0, 0, 0);
		ch_rows_free(r);
		r = NULL;
	}
	ch_store_rollback(tx);
	return err;
}
