/*
 * people_sql.c — people and training records in the store.  The derived
 * columns sort_name and search_key are computed here from the names (see
 * core/names.c) so that every writer keeps them in step.  Lists page by a
 * cursor over (sort_name, id), encoded as hex so that it is opaque and
 * safe in a URL.
 *
 * email and phone are sealed here (core/vault.h) as they are written and
 * opened as they are read: the use cases above see plaintext, the database
 * only ciphertext bound to (people, id, column).  The store is the one
 * place that knows which column a value goes to, so it is the one place
 * that cannot forget to seal it; search and sort never use these columns.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/names.h"
#include "core/vault.h"
#include "people/people.h"
#include "store/store_int.h"

#define PERSON_COLUMNS                                                         \
	"id, post_id, given_name, family_name, category, nationality, "        \
	"host_national, permanent_resident, notified_on, arrived_on, "         \
	"functions_end_on, date_of_birth, gender, position, clearance, "       \
	"email, phone, household_of, relationship, version, created_at, "      \
	"updated_at"

/* Open a sealed column of a person into the arena (NULL stays NULL). */
static ch_err
open_cell(const struct ch_rows *r, size_t i, size_t col, const char *id,
    const char *column, ch_arena *a, char **out)
{
	const char *cell = ch_rows_get(r, i, col);
	ch_err err;

	*out = NULL;
	if (cell == NULL)
		return CH_OK;
	err = ch_vault_open("people", id, column, cell, a, out, NULL);
	if (err == CH_ERR_INVALID) {
		/* Not a sealed value: the start-up pass seals plaintext, so
		 * this one was written around the store. */
		log_error("people.%s of %s is not sealed", column, id);
		return CH_ERR_CRYPTO;
	}
	return err;
}

static ch_err
person_from_row(
    const struct ch_rows *r, size_t i, ch_arena *a, struct ch_person *p)
{
	ch_err err;

	memset(p, 0, sizeof(*p));
	ch_cell_copy(r, i, 0, p->id, sizeof(p->id));
	ch_cell_copy(r, i, 1, p->post_id, sizeof(p->post_id));
	p->given_name = ch_cell_dup(r, i, 2, a);
	p->family_name = ch_cell_dup(r, i, 3, a);
	if (!ch_staff_category_parse(ch_rows_get(r, i, 4), &p->category))
		p->category = CH_CAT_CONTRACTOR;
	ch_cell_copy(r, i, 5, p->nationality, sizeof(p->nationality));
	p->host_national = ch_rows_int(r, i, 6, 0) != 0;
	p->permanent_resident = ch_rows_int(r, i, 7, 0) != 0;
	ch_cell_copy(r, i, 8, p->notified_on, sizeof(p->notified_on));
	ch_cell_copy(r, i, 9, p->arrived_on, sizeof(p->arrived_on));
	ch_cell_copy(
	    r, i, 10, p->functions_end_on, sizeof(p->functions_end_on));
	ch_cell_copy(r, i, 11, p->date_of_birth, sizeof(p->date_of_birth));
	p->gender = ch_cell_dup(r, i, 12, a);
	p->position = ch_cell_dup(r, i, 13, a);
	if (!ch_clearance_parse(ch_rows_get(r, i, 14), &p->clearance))
		p->clearance = CH_CLEARANCE_UNCLASSIFIED;
	if ((err = open_cell(r, i, 15, p->id, "email", a, &p->email)) !=
		CH_OK ||
	    (err = open_cell(r, i, 16, p->id, "phone", a, &p->phone)) != CH_OK)
		return err;
	ch_cell_copy(r, i, 17, p->household_of, sizeof(p->household_of));
	p->relationship = ch_cell_dup(r, i, 18, a);
	p->version = ch_rows_int(r, i, 19, 1);
	ch_cell_copy(r, i, 20, p->created_at, sizeof(p->created_at));
	ch_cell_copy(r, i, 21, p->updated_at, sizeof(p->updated_at));
	return CH_OK;
}

static void
person_keys(const struct ch_person *p, char *sort, char *search, size_t size)
{
	char family[CH_NAME_KEY_MAX], given[CH_NAME_KEY_MAX];

	ch_name_key(p->family_name, family, sizeof(family));
	ch_name_key(p->given_name, given, sizeof(given));
	snprintf(sort, size, "%s %s", family, given);
	snprintf(search, size, " %s %s ", given, family);
}

/* Seal an optional contact field; "" and NULL stay absent (NULL). */
static ch_err
seal_opt(const char *id, const char *column, const char *value, ch_arena *a,
    char **out)
{
	*out = NULL;
	if (value == NULL || *value == '\0')
		return CH_OK;
	return ch_vault_seal(
	    "people", id, column, value, strlen(value), a, out);
}

static ch_err
seal_contacts(
    const struct ch_person *p, ch_arena *a, char **email, char **phone)
{
	ch_err err;

	if ((err = seal_opt(p->id, "email", p->email, a, email)) != CH_OK)
		return err;
	return seal_opt(p->id, "phone", p->phone, a, phone);
}

/* The 22 parameters of a person, in PERSON_COLUMNS order, then the keys. */
static size_t
person_params(const struct ch_person *p, const char *sort, const char *search,
    const char *email, const char *phone, struct ch_param *v)
{
	size_t n = 0;

	v[n++] = CH_P_TEXT(p->id);
	v[n++] = CH_P_TEXT(p->post_id);
	v[n++] = CH_P_TEXT(p->given_name);
	v[n++] = CH_P_TEXT(p->family_name);
	v[n++] = CH_P_TEXT(ch_staff_category_code(p->category));
	v[n++] = CH_P_TEXT(p->nationality);
	v[n++] = CH_P_INT(p->host_national);
	v[n++] = CH_P_INT(p->permanent_resident);
	v[n++] = ch_param_opt(p->notified_on);
	v[n++] = ch_param_opt(p->arrived_on);
	v[n++] = ch_param_opt(p->functions_end_on);
	v[n++] = ch_param_opt(p->date_of_birth);
	v[n++] = ch_param_opt(p->gender);
	v[n++] = ch_param_opt(p->position);
	v[n++] = CH_P_TEXT(ch_clearance_code(p->clearance));
	v[n++] = ch_param_opt(email);
	v[n++] = ch_param_opt(phone);
	v[n++] = ch_param_opt(p->household_of);
	v[n++] = ch_param_opt(p->relationship);
	v[n++] = CH_P_INT(p->version);
	v[n++] = CH_P_TEXT(p->created_at);
	v[n++] = CH_P_TEXT(p->updated_at);
	v[n++] = CH_P_TEXT(sort);
	v[n++] = CH_P_TEXT(search);
	return n;
}

ch_err
ch_store_person_insert(struct ch_tx *tx, const struct ch_person *p)
{
	char sort[CH_NAME_KEY_MAX * 2 + 2], search[CH_NAME_KEY_MAX * 2 + 4];
	char *email, *phone;
	struct ch_param v[24];
	ch_arena *a;
	size_t n;
	ch_err err;

	if ((a = ch_arena_create(64 * 1024)) == NULL)
		return CH_ERR_NOMEM;
	if ((err = seal_contacts(p, a, &email, &phone)) != CH_OK)
		goto free_arena;
	person_keys(p, sort, search, sizeof(sort));
	n = person_params(p, sort, search, email, phone, v);
	err = ch_tx_query(tx,
	    "INSERT INTO people (" PERSON_COLUMNS ", sort_name, search_key) "
	    "VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, "
	    "$14, $15, $16, $17, $18, $19, $20, $21, $22, $23, $24)",
	    v, n, NULL, NULL);
free_arena:
	ch_arena_destroy(a);
	return err;
}

ch_err
ch_store_person_update(
    struct ch_tx *tx, struct ch_person *p, int64_t expected_version)
{
	char sort[CH_NAME_KEY_MAX * 2 + 2], search[CH_NAME_KEY_MAX * 2 + 4];
	char *email, *phone;
	struct ch_param v[25];
	int64_t changes = 0;
	ch_arena *a;
	size_t n;
	ch_err err;

	if ((a = ch_arena_create(64 * 1024)) == NULL)
		return CH_ERR_NOMEM;
	if ((err = seal_contacts(p, a, &email, &phone)) != CH_OK) {
		ch_arena_destroy(a);
		return err;
	}
	p->version = expected_version + 1;
	person_keys(p, sort, search, sizeof(sort));
	n = person_params(p, sort, search, email, phone, v);
	v[n++] = CH_P_INT(expected_version);
	err = ch_tx_query(tx,
	    "UPDATE people SET post_id = $2, given_name = $3, "
	    "family_name = $4, category = $5, nationality = $6, "
	    "host_national = $7, permanent_resident = $8, notified_on = $9, "
	    "arrived_on = $10, functions_end_on = $11, date_of_birth = $12, "
	    "gender = $13, position = $14, clearance = $15, email = $16, "
	    "phone = $17, household_of = $18, relationship = $19, "
	    "version = $20, updated_at = $22, sort_name = $23, "
	    "search_key = $24 WHERE id = $1 AND version = $25",
	    v, n, NULL, &changes);
	ch_arena_destroy(a);
	if (err != CH_OK)
		return err;
	if (changes != 1)
		return CH_ERR_PRECONDITION;
	/* The gate caches badge holders (name, category, clearance) until
	 * this counter moves. */
	return ch_store_access_config_bump(tx);
}

ch_err
ch_store_person_get(
    struct ch_tx *tx, const char *id, ch_arena *arena, struct ch_person *out)
{
	struct ch_param v[1] = {CH_P_TEXT(id)};
	struct ch_rows *r = NULL;
	ch_err err;

	err = ch_tx_query(tx,
	    "SELECT " PERSON_COLUMNS " FROM people WHERE id = $1", v, 1, &r,
	    NULL);
	if (err != CH_OK)
		return err;
	if (r->nrows == 0) {
		ch_rows_free(r);
		return CH_ERR_NOT_FOUND;
	}
	err = person_from_row(r, 0, arena, out);
	ch_rows_free(r);
	return err;
}

/* Escape LIKE wildcards in a search key with backslash. */
static void
like_pattern(const char *key, char *out, size_t size)
{
	size_t n = 0;

	out[n++] = '%';
	for (; *key != '\0' && n + 4 < size; key++) {
		if (*key == '%' || *key == '_' || *key == '\\')
			out[n++] = '\\';
		out[n++] = *key;
	}
	out[n++] = '%';
	out[n] = '\0';
}

ch_err
ch_store_person_list(struct ch_tx *tx, const struct ch_person_filter *f,
    const char *scope_post_id, ch_arena *arena, struct ch_person_page *out)
{
	char key[CH_NAME_KEY_MAX], pattern[CH_NAME_KEY_MAX * 2 + 4];
	char csort[CH_NAME_KEY_MAX * 2 + 2] = "", cid[CH_ID_LEN] = "";
	struct ch_param v[9];
	struct ch_rows *r = NULL;
	size_t limit;
	ch_err err;

	memset(out, 0, sizeof(*out));
	limit = f->limit > 0 && f->limit <= CH_LIST_LIMIT_MAX ? (size_t)f->limit
							      : 50;
	if (f->cursor != NULL && *f->cursor != '\0' &&
	    !ch_cursor_decode(f->cursor, csort, sizeof(csort), cid))
		return CH_ERR_INVALID;
	pattern[0] = '\0';
	if (f->query != NULL && *f->query != '\0') {
		ch_name_key(f->query, key, sizeof(key));
		if (key[0] == '\0')
			return CH_OK; /* no letters or digits: matches no one */
		like_pattern(key, pattern, sizeof(pattern));
	}
	v[0] = ch_param_opt(scope_post_id);
	v[1] = ch_param_opt(f->post_id);
	v[2] = f->has_category ? CH_P_TEXT(ch_staff_category_code(f->category))
			       : CH_P_NULL;
	v[3] = f->host_national < 0 ? CH_P_NULL : CH_P_INT(f->host_national);
	v[4] = ch_param_opt(pattern);
	v[5] = ch_param_opt(cid[0] ? csort : NULL);
	v[6] = ch_param_opt(cid);
	v[7] = CH_P_INT(limit + 1);
	v[8] = ch_param_opt(f->only_id);
	err = ch_tx_query(tx,
	    "SELECT " PERSON_COLUMNS ", sort_name,"
	    " (SELECT h.category FROM people h WHERE h.id = "
	    "people.household_of),"
	    " (SELECT h.host_national + h.permanent_resident FROM people h"
	    "   WHERE h.id = people.household_of)"
	    " FROM people"
	    " WHERE (CAST($1 AS TEXT) IS NULL OR post_id = $1)"
	    " AND (CAST($2 AS TEXT) IS NULL OR post_id = $2)"
	    " AND (CAST($3 AS TEXT) IS NULL OR category = $3)"
	    " AND (CAST($4 AS BIGINT) IS NULL OR host_national = $4)"
	    " AND (CAST($5 AS TEXT) IS NULL OR"
	    "      search_key LIKE $5 ESCAPE '\\')"
	    " AND (CAST($6 AS TEXT) IS NULL OR sort_name > $6 OR"
	    "      (sort_name = $6 AND id > $7))"
	    " AND (CAST($9 AS TEXT) IS NULL OR id = $9)"
	    " ORDER BY sort_name, id LIMIT $8",
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
	out->principals =
	    ch_arena_alloc(arena, sizeof(*out->principals) * (out->count + 1));
	if (out->principals == NULL) {
		ch_rows_free(r);
		return CH_ERR_NOMEM;
	}
	for (size_t i = 0; i < out->count; i++) {
		struct ch_principal_status *ps = &out->principals[i];

		if ((err = person_from_row(r, i, arena, &out->items[i])) !=
		    CH_OK) {
			ch_rows_free(r);
			return err;
		}
		ps->known = ch_staff_category_parse(
		    ch_rows_get(r, i, 23), &ps->category);
		ps->local = ch_rows_int(r, i, 24, 0) != 0;
	}
	if (r->nrows > limit)
		ch_cursor_encode(ch_rows_get(r, limit - 1, 22),
		    out->items[limit - 1].id, out->next_cursor,
		    sizeof(out->next_cursor));
	ch_rows_free(r);
	return CH_OK;
}

ch_err
ch_store_household(struct ch_tx *tx, const char *principal_id, ch_arena *arena,
    struct ch_person **out, size_t *count)
{
	struct ch_param v[1] = {CH_P_TEXT(principal_id)};
	struct ch_rows *r = NULL;
	ch_err err;

	*out = NULL;
	*count = 0;
	err = ch_tx_query(tx,
	    "SELECT " PERSON_COLUMNS " FROM people WHERE household_of = $1"
	    " ORDER BY sort_name, id",
	    v, 1, &r, NULL);
	if (err != CH_OK)
		return err;
	*out = ch_arena_alloc(arena, sizeof(**out) * (r->nrows + 1));
	if (*out == NULL) {
		ch_rows_free(r);
		return CH_ERR_NOMEM;
	}
	for (size_t i = 0; i < r->nrows; i++) {
		if ((err = person_from_row(r, i, arena, &(*out)[i])) != CH_OK) {
			ch_rows_free(r);
			return err;
		}
	}
	*count = r->nrows;
	ch_rows_free(r);
	return CH_OK;
}

ch_err
ch_store_training_insert(struct ch_tx *tx, const struct ch_training *t)
{
	char now[CH_TIMESTAMP_LEN];
	struct ch_param v[6];

	ch_time_format(ch_clock_now(), now);
	v[0] = CH_P_TEXT(t->id);
	v[1] = CH_P_TEXT(t->person_id);
	v[2] = CH_P_TEXT(t->course);
	v[3] = CH_P_TEXT(t->completed_on);
	v[4] = ch_param_opt(t->expires_on);
	v[5] = CH_P_TEXT(now);
	return ch_tx_query(tx,
	    "INSERT INTO training (id, person_id, course, completed_on, "
	    "expires_on, created_at) VALUES ($1, $2, $3, $4, $5, $6)",
	    v, 6, NULL, NULL);
}

ch_err
ch_store_training_list(struct ch_tx *tx, const char *person_id, ch_arena *arena,
    struct ch_training **out, size_t *count)
{
	struct ch_param v[1] = {CH_P_TEXT(person_id)};
	struct ch_rows *r = NULL;
	ch_err err;

	*out = NULL;
	*count = 0;
	err = ch_tx_query(tx,
	    "SELECT id, person_id, course, completed_on, expires_on"
	    " FROM training WHERE person_id = $1 ORDER BY completed_on, id",
	    v, 1, &r, NULL);
	if (err != CH_OK)
		return err;
	*out = ch_arena_alloc(arena, sizeof(**out) * (r->nrows + 1));
	if (*out == NULL) {
		ch_rows_free(r);
		return CH_ERR_NOMEM;
	}
	for (size_t i = 0; i < r->nrows; i++) {
		struct ch_training *t = &(*out)[i];

		ch_cell_copy(r, i, 0, t->id, sizeof(t->id));
		ch_cell_copy(r, i, 1, t->person_id, sizeof(t->person_id));
		t->course = ch_cell_dup(r, i, 2, arena);
		ch_cell_copy(r, i, 3, t->completed_on, sizeof(t->completed_on));
		ch_cell_copy(r, i, 4, t->expires_on, sizeof(t->expires_on));
	}
	*count = r->nrows;
	ch_rows_free(r);
	return CH_OK;
}
