/*
 * posts_sql.c — posts and their zones in the store.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "people/people.h"
#include "store/store_int.h"

#define POST_COLUMNS                                                           \
	"id, name, kind, country, city, timezone, latitude, longitude, "       \
	"version, created_at, updated_at"
#define ZONE_COLUMNS                                                           \
	"id, post_id, parent_id, name, level, required_clearance, "            \
	"escort_required, version, created_at, updated_at"

static void
post_from_row(const struct ch_rows *r, size_t i, ch_arena *a, struct ch_post *p)
{
	const char *lat, *lon;

	memset(p, 0, sizeof(*p));
	ch_cell_copy(r, i, 0, p->id, sizeof(p->id));
	p->name = ch_cell_dup(r, i, 1, a);
	if (!ch_post_kind_parse(ch_rows_get(r, i, 2), &p->kind))
		p->kind = CH_POST_EMBASSY;
	ch_cell_copy(r, i, 3, p->country, sizeof(p->country));
	p->city = ch_cell_dup(r, i, 4, a);
	p->timezone = ch_cell_dup(r, i, 5, a);
	lat = ch_rows_get(r, i, 6);
	lon = ch_rows_get(r, i, 7);
	if (lat != NULL && lon != NULL) {
		p->has_location = true;
		p->latitude = strtod(lat, NULL);
		p->longitude = strtod(lon, NULL);
	}
	p->version = ch_rows_int(r, i, 8, 1);
	ch_cell_copy(r, i, 9, p->created_at, sizeof(p->created_at));
	ch_cell_copy(r, i, 10, p->updated_at, sizeof(p->updated_at));
}

static void
zone_from_row(const struct ch_rows *r, size_t i, ch_arena *a, struct ch_zone *z)
{
	memset(z, 0, sizeof(*z));
	ch_cell_copy(r, i, 0, z->id, sizeof(z->id));
	ch_cell_copy(r, i, 1, z->post_id, sizeof(z->post_id));
	ch_cell_copy(r, i, 2, z->parent_id, sizeof(z->parent_id));
	z->name = ch_cell_dup(r, i, 3, a);
	if (!ch_zone_level_parse(ch_rows_get(r, i, 4), &z->level))
		z->level = CH_ZONE_RESTRICTED;
	if (!ch_clearance_parse(ch_rows_get(r, i, 5), &z->required_clearance))
		z->required_clearance = CH_CLEARANCE_SECRET;
	z->escort_required = ch_rows_int(r, i, 6, 0) != 0;
	z->version = ch_rows_int(r, i, 7, 1);
	ch_cell_copy(r, i, 8, z->created_at, sizeof(z->created_at));
	ch_cell_copy(r, i, 9, z->updated_at, sizeof(z->updated_at));
}

ch_err
ch_store_post_insert(struct ch_tx *tx, const struct ch_post *p)
{
	char lat[32], lon[32];
	struct ch_param v[11];

	snprintf(lat, sizeof(lat), "%.6f", p->latitude);
	snprintf(lon, sizeof(lon), "%.6f", p->longitude);
	v[0] = CH_P_TEXT(p->id);
	v[1] = CH_P_TEXT(p->name);
	v[2] = CH_P_TEXT(ch_post_kind_code(p->kind));
	v[3] = CH_P_TEXT(p->country);
	v[4] = CH_P_TEXT(p->city);
	v[5] = CH_P_TEXT(p->timezone);
	v[6] = p->has_location ? CH_P_TEXT(lat) : CH_P_NULL;
	v[7] = p->has_location ? CH_P_TEXT(lon) : CH_P_NULL;
	v[8] = CH_P_INT(p->version);
	v[9] = CH_P_TEXT(p->created_at);
	v[10] = CH_P_TEXT(p->updated_at);
	return ch_tx_query(tx,
	    "INSERT INTO posts (" POST_COLUMNS ") VALUES ($1, $2, $3, $4, $5,"
	    " $6, $7, $8, $9, $10, $11)",
	    v, 11, NULL, NULL);
}

ch_err
ch_store_post_get(
    struct ch_tx *tx, const char *id, ch_arena *arena, struct ch_post *out)
{
	struct ch_param v[1] = {CH_P_TEXT(id)};
	struct ch_rows *r = NULL;
	ch_err err;

	err = ch_tx_query(tx,
	    "SELECT " POST_COLUMNS " FROM posts WHERE id = $1", v, 1, &r, NULL);
	if (err != CH_OK)
		return err;
	if (r->nrows == 0) {
		ch_rows_free(r);
		return CH_ERR_NOT_FOUND;
	}
	post_from_row(r, 0, arena, out);
	ch_rows_free(r);
	return CH_OK;
}

ch_err
ch_store_post_list(struct ch_tx *tx, const char *scope_post_id, ch_arena *arena,
    struct ch_post **out, size_t *count)
{
	struct ch_param v[1] = {ch_param_opt(scope_post_id)};
	struct ch_rows *r = NULL;
	ch_err err;

	*out = NULL;
	*count = 0;
	err = ch_tx_query(tx,
	    "SELECT " POST_COLUMNS " FROM posts"
	    " WHERE (CAST($1 AS TEXT) IS NULL OR id = $1) ORDER BY name, id",
	    v, 1, &r, NULL);
	if (err != CH_OK)
		return err;
	*out = ch_arena_alloc(arena, sizeof(**out) * (r->nrows + 1));
	if (*out == NULL) {
		ch_rows_free(r);
		return CH_ERR_NOMEM;
	}
	for (size_t i = 0; i < r->nrows; i++)
		post_from_row(r, i, arena, &(*out)[i]);
	*count = r->nrows;
	ch_rows_free(r);
	return CH_OK;
}

ch_err
ch_store_zone_insert(struct ch_tx *tx, const struct ch_zone *z)
{
	struct ch_param v[10];

	v[0] = CH_P_TEXT(z->id);
	v[1] = CH_P_TEXT(z->post_id);
	v[2] = ch_param_opt(z->parent_id);
	v[3] = CH_P_TEXT(z->name);
	v[4] = CH_P_TEXT(ch_zone_level_code(z->level));
	v[5] = CH_P_TEXT(ch_clearance_code(z->required_clearance));
	v[6] = CH_P_INT(z->escort_required);
	v[7] = CH_P_INT(z->version);
	v[8] = CH_P_TEXT(z->created_at);
	v[9] = CH_P_TEXT(z->updated_at);
	return ch_tx_query(tx,
	    "INSERT INTO zones (" ZONE_COLUMNS ") VALUES ($1, $2, $3, $4, $5,"
	    " $6, $7, $8, $9, $10)",
	    v, 10, NULL, NULL);
}

ch_err
ch_store_zone_get(
    struct ch_tx *tx, const char *id, ch_arena *arena, struct ch_zone *out)
{
	struct ch_param v[1] = {CH_P_TEXT(id)};
	struct ch_rows *r = NULL;
	ch_err err;

	err = ch_tx_query(tx,
	    "SELECT " ZONE_COLUMNS " FROM zones WHERE id = $1", v, 1, &r, NULL);
	if (err != CH_OK)
		return err;
	if (r->nrows == 0) {
		ch_rows_free(r);
		return CH_ERR_NOT_FOUND;
	}
	zone_from_row(r, 0, arena, out);
	ch_rows_free(r);
	return CH_OK;
}

ch_err
ch_store_zone_list(struct ch_tx *tx, const char *post_id, ch_arena *arena,
    struct ch_zone **out, size_t *count)
{
	struct ch_param v[1] = {CH_P_TEXT(post_id)};
	struct ch_rows *r = NULL;
	ch_err err;

	*out = NULL;
	*count = 0;
	err = ch_tx_query(tx,
	    "SELECT " ZONE_COLUMNS " FROM zones WHERE post_id = $1"
	    " ORDER BY name, id",
	    v, 1, &r, NULL);
	if (err != CH_OK)
		return err;
	*out = ch_arena_alloc(arena, sizeof(**out) * (r->nrows + 1));
	if (*out == NULL) {
		ch_rows_free(r);
		return CH_ERR_NOMEM;
	}
	for (size_t i = 0; i < r->nrows; i++)
		zone_from_row(r, i, arena, &(*out)[i]);
	*count = r->nrows;
	ch_rows_free(r);
	return CH_OK;
}
