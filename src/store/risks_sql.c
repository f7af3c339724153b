/*
 * risks_sql.c — the risk register in the store: risks, their threat
 * categories and their controls (in order).  A write replaces the
 * categories and controls of the risk with those given.
 */
#include <stdio.h>
#include <string.h>

#include "risks/risks.h"
#include "store/store_int.h"

#define RISK_COLUMNS                                                           \
	"id, post_id, title, asset, description, likelihood, impact, "         \
	"treatment, owner_person_id, review_on, flagged, flag_reason, "        \
	"flagged_at, reviewed_at, reviewed_by, version, created_at, "          \
	"updated_at"

static void
risk_from_row(const struct ch_rows *r, size_t i, ch_arena *a, struct ch_risk *p)
{
	memset(p, 0, sizeof(*p));
	ch_cell_copy(r, i, 0, p->id, sizeof(p->id));
	ch_cell_copy(r, i, 1, p->post_id, sizeof(p->post_id));
	p->title = ch_cell_dup(r, i, 2, a);
	p->asset = ch_cell_dup(r, i, 3, a);
	p->description = ch_cell_dup(r, i, 4, a);
	p->likelihood = (int)ch_rows_int(r, i, 5, 1);
	p->impact = (int)ch_rows_int(r, i, 6, 1);
	if (!ch_treatment_parse(ch_rows_get(r, i, 7), &p->treatment))
		p->treatment = CH_TREAT_MITIGATE;
	ch_cell_copy(r, i, 8, p->owner_person_id, sizeof(p->owner_person_id));
	ch_cell_copy(r, i, 9, p->review_on, sizeof(p->review_on));
	p->flagged = ch_rows_int(r, i, 10, 0) == 1;
	p->flag_reason = ch_cell_dup(r, i, 11, a);
	ch_cell_copy(r, i, 12, p->flagged_at, sizeof(p->flagged_at));
	ch_cell_copy(r, i, 13, p->reviewed_at, sizeof(p->reviewed_at));
	p->reviewed_by = ch_cell_dup(r, i, 14, a);
	p->version = ch_rows_int(r, i, 15, 1);
	ch_cell_copy(r, i, 16, p->created_at, sizeof(p->created_at));
	ch_cell_copy(r, i, 17, p->updated_at, sizeof(p->updated_at));
}

static size_t
risk_params(const struct ch_risk *p, struct ch_param *v)
{
	size_t n = 0;

	v[n++] = CH_P_TEXT(p->id);
	v[n++] = CH_P_TEXT(p->post_id);
	v[n++] = CH_P_TEXT(p->title);
	v[n++] = CH_P_TEXT(p->asset);
	v[n++] = ch_param_opt(p->description);
	v[n++] = CH_P_INT(p->likelihood);
	v[n++] = CH_P_INT(p->impact);
	v[n++] = CH_P_TEXT(ch_treatment_code(p->treatment));
	v[n++] = ch_param_opt(p->owner_person_id);
	v[n++] = CH_P_TEXT(p->review_on);
	v[n++] = CH_P_INT(p->flagged ? 1 : 0);
	v[n++] = ch_param_opt(p->flag_reason);
	v[n++] = ch_param_opt(p->flagged_at);
	v[n++] = ch_param_opt(p->reviewed_at);
	v[n++] = ch_param_opt(p->reviewed_by);
	v[n++] = CH_P_INT(p->version);
	v[n++] = CH_P_TEXT(p->created_at);
	v[n++] = CH_P_TEXT(p->updated_at);
	return n;
}

static ch_err
write_links(struct ch_tx *tx, const struct ch_risk *p)
{
	struct ch_param v[7] = {CH_P_TEXT(p->id)};
	ch_err err;

	if ((err = ch_tx_query(tx,
		 "DELETE FROM risk_categories WHERE risk_id = $1", v, 1, NULL,
		 NULL)) != CH_OK ||
	    (err = ch_tx_query(tx,
		 "DELETE FROM risk_controls WHERE risk_id = $1", v, 1, NULL,
		 NULL)) != CH_OK)
		return err;
	for (int c = 0; c < CH_THREAT__COUNT; c++) {
		if (!(p->categories & (1u << c)))
			continue;
		v[1] = CH_P_TEXT(
		    ch_threat_category_code((enum ch_threat_category)c));
		err = ch_tx_query(tx,
		    "INSERT INTO risk_categories (risk_id, category) VALUES"
		    " ($1, $2)",
		    v, 2, NULL, NULL);
		if (err != CH_OK)
			return err;
	}
	for (size_t i = 0; i < p->ncontrols; i++) {
		const struct ch_risk_control *c = &p->controls[i];

		v[1] = CH_P_TEXT(c->id);
		v[2] = CH_P_INT(i);
		v[3] = CH_P_TEXT(c->name);
		v[4] = CH_P_INT(c->likelihood_steps);
		v[5] = CH_P_INT(c->impact_steps);
		v[6] = CH_P_TEXT(ch_control_status_code(c->status));
		err = ch_tx_query(tx,
		    "INSERT INTO risk_controls (risk_id, id, position, name,"
		    " likelihood_steps, impact_steps, status) VALUES ($1, $2,"
		    " $3, $4, $5, $6, $7)",
		    v, 7, NULL, NULL);
		if (err != CH_OK)
			return err;
	}
	return CH_OK;
}

static ch_err
read_links(struct ch_tx *tx, ch_arena *a, struct ch_risk *p)
{
	struct ch_param v[1] = {CH_P_TEXT(p->id)};
	struct ch_rows *r = NULL;
	ch_err err;

	err = ch_tx_query(tx,
	    "SELECT category FROM risk_categories WHERE risk_id = $1", v, 1, &r,
	    NULL);
	if (err != CH_OK)
		return err;
	p->categories = 0;
	for (size_t i = 0; i < r->nrows; i++) {
		enum ch_threat_category c;

		if (ch_threat_category_parse(ch_rows_get(r, i, 0), &c))
			p->categories |= 1u << c;
	}
	ch_rows_free(r);
	r = NULL;
	err = ch_tx_query(tx,
	    "SELECT id, name, likelihood_steps, impact_steps, status FROM"
	    " risk_controls WHERE risk_id = $1 ORDER BY position",
	    v, 1, &r, NULL);
	if (err != CH_OK)
		return err;
	p->controls = ch_arena_alloc(a, sizeof(*p->controls) * (r->nrows + 1));
	if (p->controls == NULL) {
		ch_rows_free(r);
		return CH_ERR_NOMEM;
	}
	for (size_t i = 0; i < r->nrows; i++) {
		struct ch_risk_control *c = &p->controls[i];

		ch_cell_copy(r, i, 0, c->id, sizeof(c->id));
		c->name = ch_cell_dup(r, i, 1, a);
		c->likelihood_steps = (int)ch_rows_int(r, i, 2, 0);
		c->impact_steps = (int)ch_rows_int(r, i, 3, 0);
		if (!ch_control_status_parse(ch_rows_get(r, i, 4), &c->status))
			c->status = CH_CONTROL_PLANNED;
	}
	p->ncontrols = r->nrows;
	ch_rows_free(r);
	return CH_OK;
}

ch_err
ch_store_risk_insert(struct ch_tx *tx, const struct ch_risk *r)
{
	struct ch_param v[18];
	size_t n = risk_params(r, v);
	ch_err err;

	err = ch_tx_query(tx,
	    "INSERT INTO risks (" RISK_COLUMNS ") VALUES ($1, $2, $3, $4, $5,"
	    " $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18)",
	    v, n, NULL, NULL);
	return err == CH_OK ? write_links(tx, r) : err;
}

ch_err
ch_store_risk_update(
    struct ch_tx *tx, struct ch_risk *r, int64_t expected_version)
{
	struct ch_param v[19];
	int64_t changes = 0;
	size_t n;
	ch_err err;

	r->version = expected_version + 1;
	n = risk_params(r, v);
	v[n++] = CH_P_INT(expected_version);
	err = ch_tx_query(tx,
	    "UPDATE risks SET title = $3, asset = $4, description = $5,"
	    " likelihood = $6, impact = $7, treatment = $8,"
	    " owner_person_id = $9, review_on = $10, flagged = $11,"
	    " flag_reason = $12, flagged_at = $13, reviewed_at = $14,"
	    " reviewed_by = $15, version = $16, updated_at = $18"
	    " WHERE id = $1 AND post_id = $2 AND version = $19",
	    v, n, NULL, &changes);
	if (err != CH_OK)
		return err;
	if (changes != 1)
		return CH_ERR_PRECONDITION;
	return write_links(tx, r);
}

ch_err
ch_store_risk_get(
    struct ch_tx *tx, const char *id, ch_arena *arena, struct ch_risk *out)
{
	struct ch_param v[1] = {CH_P_TEXT(id)};
	struct ch_rows *r = NULL;
	ch_err err;

	err = ch_tx_query(tx,
	    "SELECT " RISK_COLUMNS " FROM risks WHERE id = $1", v, 1, &r, NULL);
	if (err != CH_OK)
		return err;
	if (r->nrows == 0) {
		ch_rows_free(r);
		return CH_ERR_NOT_FOUND;
	}
	risk_from_row(r, 0, arena, out);
	ch_rows_free(r);
	return read_links(tx, arena, out);
}

ch_err
ch_store_risk_list(struct ch_tx *tx, const char *post_id, ch_arena *arena,
    struct ch_risk **out, size_t *count)
{
	struct ch_param v[1] = {ch_param_opt(post_id)};
	struct ch_rows *r = NULL;
	ch_err err;

	*out = NULL;
	*count = 0;
	err = ch_tx_query(tx,
	    "SELECT " RISK_COLUMNS " FROM risks WHERE"
	    " (CAST($1 AS TEXT) IS NULL OR post_id = $1) ORDER BY id",
	    v, 1, &r, NULL);
	if (err != CH_OK)
		return err;
	*out = ch_arena_alloc(arena, sizeof(**out) * (r->nrows + 1));
	if (*out == NULL) {
		ch_rows_free(r);
		return CH_ERR_NOMEM;
	}
	for (size_t i = 0; i < r->nrows; i++)
		risk_from_row(r, i, arena, &(*out)[i]);
	*count = r->nrows;
	ch_rows_free(r);
	for (size_t i = 0; i < *count; i++)
		if ((err = read_links(tx, arena, &(*out)[i])) != CH_OK)
			return err;
	return CH_OK;
}

ch_err
ch_store_risks_linked(struct ch_tx *tx, const char *post_id,
    const char *category, ch_arena *arena, char (**ids)[CH_ID_LEN],
    size_t *count)
{
	struct ch_param v[2] = {CH_P_TEXT(post_id), CH_P_TEXT(category)};
	struct ch_rows *r = NULL;
	ch_err err;

	*ids = NULL;
	*count = 0;
	err = ch_tx_query(tx,
	    "SELECT r.id FROM risks r JOIN risk_categories c ON c.risk_id ="
	    " r.id WHERE r.post_id = $1 AND c.category = $2 ORDER BY r.id",
	    v, 2, &r, NULL);
	if (err != CH_OK)
		return err;
	*ids = ch_arena_alloc(arena, sizeof(**ids) * (r->nrows + 1));
	if (*ids == NULL) {
		ch_rows_free(r);
		return CH_ERR_NOMEM;
	}
	for (size_t i = 0; i < r->nrows; i++)
		ch_cell_copy(r, i, 0, (*ids)[i], CH_ID_LEN);
	*count = r->nrows;
	ch_rows_free(r);
	return CH_OK;
}

ch_err
ch_store_risks_flagged_count(
    struct ch_tx *tx, const char *post_id, const char *category, int64_t *count)
{
	struct ch_param v[2] = {CH_P_TEXT(post_id), CH_P_TEXT(category)};
	struct ch_rows *r = NULL;
	ch_err err;

	*count = 0;
	err = ch_tx_query(tx,
	    "SELECT COUNT(*) FROM risks r JOIN risk_categories c ON"
	    " c.risk_id = r.id WHERE r.post_id = $1 AND c.category = $2"
	    " AND r.flagged = 1",
	    v, 2, &r, NULL);
	if (err != CH_OK)
		return err;
	if (r->nrows == 1)
		*count = ch_rows_int(r, 0, 0, 0);
	ch_rows_free(r);
	return CH_OK;
}
