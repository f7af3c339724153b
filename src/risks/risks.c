/*
 * risks.c — the risk register's use cases (see risks.h): create, change,
 * review, read and list risks, and the post's score bands.  Each write
 * checks input, asks the policy for the post, writes in one transaction
 * with its audit record and publishes an event after the commit.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/audit.h"
#include "core/events.h"
#include "people/people.h"
#include "risks/ratings.h"
#include "risks/risks.h"
#include "store/store.h"

#define REVIEW_DEFAULT_DAYS 90

static const char *const treatment_codes[CH_TREAT__COUNT] = {
    [CH_TREAT_ACCEPT] = "accept",
    [CH_TREAT_MITIGATE] = "mitigate",
    [CH_TREAT_TRANSFER] = "transfer",
    [CH_TREAT_AVOID] = "avoid",
};
static const char *const control_codes[CH_CONTROL__COUNT] = {
    [CH_CONTROL_PLANNED] = "planned",
    [CH_CONTROL_IN_PLACE] = "in_place",
};
static const char *const band_codes[] = {"low", "medium", "high", "critical"};
static const char *const likelihood_labels[] = {
    "", "rare", "unlikely", "possible", "likely", "almost certain"};
static const char *const impact_labels[] = {
    "", "negligible", "minor", "moderate", "major", "severe"};

const char *
ch_treatment_code(enum ch_treatment t)
{
	return (unsigned)t < CH_TREAT__COUNT ? treatment_codes[t] : "mitigate";
}

bool
ch_treatment_parse(const char *s, enum ch_treatment *out)
{
	for (int i = 0; s != NULL && i < CH_TREAT__COUNT; i++) {
		if (strcmp(s, treatment_codes[i]) == 0) {
			*out = (enum ch_treatment)i;
			return true;
		}
	}
	return false;
}

const char *
ch_control_status_code(enum ch_control_status s)
{
	return (unsigned)s < CH_CONTROL__COUNT ? control_codes[s] : "planned";
}

bool
ch_control_status_parse(const char *s, enum ch_control_status *out)
{
	for (int i = 0; s != NULL && i < CH_CONTROL__COUNT; i++) {
		if (strcmp(s, control_codes[i]) == 0) {
			*out = (enum ch_control_status)i;
			return true;
		}
	}
	return false;
}

const char *
ch_band_code(enum ch_band b)
{
	return (unsigned)b < CH_ARRAY_LEN(band_codes) ? band_codes[b] : "low";
}

const char *
ch_likelihood_label(int l)
{
	return l >= 1 && l <= 5 ? likelihood_labels[l] : "";
}

const char *
ch_impact_label(int i)
{
	return i >= 1 && i <= 5 ? impact_labels[i] : "";
}

void
ch_risk_bands_defaults(struct ch_risk_bands *b)
{
	b->low_max = 4;
	b->medium_max = 9;
	b->high_max = 14;
}

enum ch_band
ch_risk_band_of(const struct ch_risk_bands *b, int score)
{
	if (score <= b->low_max)
		return CH_BAND_LOW;
	if (score <= b->medium_max)
		return CH_BAND_MEDIUM;
	if (score <= b->high_max)
		return CH_BAND_HIGH;
	return CH_BAND_CRITICAL;
}

bool
ch_risk_bands_from_ranges(const struct ch_band_range *r, size_t n,
    struct ch_risk_bands *out, struct ch_fault *fault)
{
	const struct ch_band_range *by[4] = {NULL, NULL, NULL, NULL};
	long next = 1;

	if (n != 4) {
		ch_fault_set(fault, "/bands",
		    "give four bands: low, medium, high and critical.");
		return false;
	}
	for (size_t i = 0; i < n; i++) {
		size_t k;

		for (k = 0; k < 4; k++)
			if (r[i].name != NULL &&
			    strcmp(r[i].name, band_codes[k]) == 0)
				break;
		if (k == 4 || by[k] != NULL) {
			ch_fault_set(fault, "/bands",
			    "bands[%zu]: each of low, medium, high and "
			    "critical once.",
			    i);
			return false;
		}
		by[k] = &r[i];
	}
	for (size_t k = 0; k < 4; k++) {
		if (by[k]->min != next) {
			ch_fault_set(fault, "/bands",
			    "the %s band must start at %ld: the bands run "
			    "from 1 to 25 without gap or overlap.",
			    band_codes[k], next);
			return false;
		}
		if (by[k]->max < by[k]->min) {
			ch_fault_set(fault, "/bands",
			    "the %s band ends (%ld) before it starts (%ld).",
			    band_codes[k], by[k]->max, by[k]->min);
			return false;
		}
		next = by[k]->max + 1;
	}
	if (next != 26) {
		ch_fault_set(fault, "/bands",
		    "the critical band must end at 25, the highest score.");
		return false;
	}
	out->low_max = (int)by[0]->max;
	out->medium_max = (int)by[1]->max;
	out->high_max = (int)by[2]->max;
	return true;
}

void
ch_risk_residual(
    const struct ch_risk *r, bool include_planned, int *likelihood, int *impact)
{
	int l = r->likelihood, i = r->impact;

	for (size_t k = 0; k < r->ncontrols; k++) {
		const struct ch_risk_control *c = &r->controls[k];

		if (c->status != CH_CONTROL_IN_PLACE && !include_planned)
			continue;
		l -= c->likelihood_steps;
		i -= c->impact_steps;
	}
	*likelihood = l < 1 ? 1 : l;
	*impact = i < 1 ? 1 : i;
}

void
ch_risk_derive(struct ch_risk *r, const char *today)
{
	ch_risk_residual(
	    r, false, &r->residual_likelihood, &r->residual_impact);
	ch_risk_residual(r, true, &r->target_likelihood, &r->target_impact);
	r->overdue = r->review_on[0] != '\0' && strcmp(r->review_on, today) < 0;
}

static struct ch_label
post_label(const char *post_id)
{
	return (struct ch_label){
	    post_id, CH_CLEARANCE_UNCLASSIFIED, CH_TLP_CLEAR, NULL, NULL, 0};
}

static bool
permits(struct ch_ctx *ctx, enum ch_perm perm, const char *post_id)
{
	struct ch_label l = post_label(post_id);

	return ch_ctx_sees_post(ctx, post_id) && ch_ctx_permits(ctx, perm, &l);
}

static ch_err
bad_enum(struct ch_fault *fault, const char *field, const char *list)
{
	ch_fault_set(fault, field, "%s must be one of %s.", field + 1, list);
	return CH_ERR_INVALID;
}

/* Apply the given fields of in onto r (strings into the arena). */
static ch_err
apply(const struct ch_risk_input *in, struct ch_risk *r, ch_arena *a,
    struct ch_fault *fault)
{
	unsigned s = in->set;

	if (s & CH_RF_TITLE) {
		if (!ch_text_check(fault, "/title", in->title,
			CH_RISK_TITLE_MAX, CH_TEXT_REQUIRED))
			return CH_ERR_INVALID;
		r->title = ch_arena_strdup(a, in->title);
	}
	if (s & CH_RF_ASSET) {
		if (!ch_text_check(fault, "/asset", in->asset,
			CH_RISK_ASSET_MAX, CH_TEXT_REQUIRED))
			return CH_ERR_INVALID;
		r->asset = ch_arena_strdup(a, in->asset);
	}
	if (s & CH_RF_DESCRIPTION) {
		if (!ch_text_check(fault, "/description", in->description,
			CH_RISK_TEXT_MAX, CH_TEXT_MULTILINE))
			return CH_ERR_INVALID;
		r->description = in->description && *in->description
		    ? ch_arena_strdup(a, in->description)
		    : NULL;
	}
	if (s & CH_RF_CATEGORIES) {
		r->categories = 0;
		for (size_t i = 0; i < in->ncategories; i++) {
			enum ch_threat_category c;

			if (!ch_threat_category_parse(in->categories[i], &c))
				return bad_enum(fault, "/categories",
				    "political_violence, terrorism, crime, "
				    "human_intelligence, technical_cyber");
			r->categories |= 1u << c;
		}
	}
	if (s & CH_RF_LIKELIHOOD) {
		if (in->likelihood < 1 || in->likelihood > 5) {
			ch_fault_set(fault, "/likelihood",
			    "likelihood is 1 (rare) to 5 (almost certain).");
			return CH_ERR_INVALID;
		}
		r->likelihood = (int)in->likelihood;
	}
	if (s & CH_RF_IMPACT) {
		if (in->impact < 1 || in->impact > 5) {
			ch_fault_set(fault, "/impact",
			    "impact is 1 (negligible) to 5 (severe).");
			return CH_ERR_INVALID;
		}
		r->impact = (int)in->impact;
	}
	if ((s & CH_RF_TREATMENT) &&
	    !ch_treatment_parse(in->treatment, &r->treatment))
		return bad_enum(
		    fault, "/treatment", "accept, mitigate, transfer, avoid");
	if (s & CH_RF_OWNER) {
		const char *o = in->owner_person_id;

		if (o == NULL || !ch_id_valid(o)) {
			ch_fault_set(fault, "/owner_person_id",
			    "owner_person_id must be the id of a person of "
			    "the post.");
			return CH_ERR_INVALID;
		}
		ch_strlcpy(r->owner_person_id, o, sizeof(r->owner_person_id));
	}
	if (s & CH_RF_REVIEW_ON) {
		if (in->review_on == NULL || !ch_date_valid(in->review_on)) {
			ch_fault_set(fault, "/review_on",
			    "review_on must be a date such as 2027-03-01.");
			return CH_ERR_INVALID;
		}
		ch_strlcpy(r->review_on, in->review_on, sizeof(r->review_on));
	}
	if (s & CH_RF_CONTROLS) {
		if (in->ncontrols > CH_RISK_CONTROLS_MAX) {
			ch_fault_set(fault, "/controls",
			    "at most %d controls per risk.",
			    CH_RISK_CONTROLS_MAX);
			return CH_ERR_INVALID;
		}
		r->controls = ch_arena_alloc(
		    a, sizeof(*r->controls) * (in->ncontrols + 1));
		if (r->controls == NULL)
			return CH_ERR_NOMEM;
		r->ncontrols = in->ncontrols;
		for (size_t i = 0; i < in->ncontrols; i++) {
			const struct ch_risk_control_input *ci =
			    &in->controls[i];
			struct ch_risk_control *c = &r->controls[i];

			if (!ch_text_check(fault, "/controls", ci->name,
				CH_RISK_CONTROL_NAME_MAX, CH_TEXT_REQUIRED)) {
				ch_fault_set(fault, "/controls",
				    "controls[%zu].name is required, at most "
				    "%d characters.",
				    i, CH_RISK_CONTROL_NAME_MAX);
				return CH_ERR_INVALID;
			}
			if (ci->likelihood_steps < 0 ||
			    ci->likelihood_steps > 4 || ci->impact_steps < 0 ||
			    ci->impact_steps > 4 ||
			    ci->likelihood_steps + ci->impact_steps == 0) {
				ch_fault_set(fault, "/controls",
				    "controls[%zu]: likelihood_steps and "
				    "impact_steps are 0 to 4, and a control "
				    "lowers at least one of them.",
				    i);
				return CH_ERR_INVALID;
			}
			if (!ch_control_status_parse(ci->status, &c->status)) {
				ch_fault_set(fault, "/controls",
				    "controls[%zu].status must be planned or "
				    "in_place.",
				    i);
				return CH_ERR_INVALID;
			}
			ch_id_new(c->id);
			c->name = ch_arena_strdup(a, ci->name);
			c->likelihood_steps = (int)ci->likelihood_steps;
			c->impact_steps = (int)ci->impact_steps;
		}
	}
	return CH_OK;
}

/* Rules over the record and the store: the post is one the user may
 * write to, the owner a person of it. */
static ch_err
check_record(struct ch_ctx *ctx, struct ch_tx *tx, struct ch_risk *r)
{
	struct ch_post post;
	ch_err err;

	if (!permits(ctx, CH_PERM_RISKS_WRITE, r->post_id)) {
		ch_fault_set(&ctx->fault, "/post_id",
		    "you may not keep the risks of that post.");
		return CH_ERR_INVALID;
	}
	err = ch_store_post_get(tx, r->post_id, ctx->arena, &post);
	if (err == CH_ERR_NOT_FOUND) {
		ch_fault_set(&ctx->fault, "/post_id", "no post has the id %s.",
		    r->post_id);
		return CH_ERR_INVALID;
	}
	if (err != CH_OK)
		return err;
	if (r->owner_person_id[0] != '\0') {
		struct ch_person p;

		err =
		    ch_store_person_get(tx, r->owner_person_id, ctx->arena, &p);
		if (err == CH_ERR_NOT_FOUND ||
		    (err == CH_OK && strcmp(p.post_id, r->post_id) != 0)) {
			ch_fault_set(&ctx->fault, "/owner_person_id",
			    "no person of this post has the id %s.",
			    r->owner_person_id);
			return CH_ERR_INVALID;
		}
		if (err != CH_OK)
			return err;
	}
	return CH_OK;
}

/* The owner's name, for display; NULL when none or not readable. */
static void
owner_name(struct ch_ctx *ctx, struct ch_tx *tx, struct ch_risk *r)
{
	struct ch_person p;

	r->owner_name = NULL;
	if (r->owner_person_id[0] == '\0' ||
	    ch_store_person_get(tx, r->owner_person_id, ctx->arena, &p) !=
		CH_OK)
		return;
	r->owner_name =
	    ch_arena_printf(ctx->arena, "%s %s", p.given_name, p.family_name);
}

static void
risk_state(const struct ch_risk *r, struct ch_buf *b)
{
	ch_buf_appendf(b,
	    "id=%s\npost=%s\ntitle=%s\nasset=%s\ndescription=%s\n"
	    "categories=%u\nlikelihood=%d\nimpact=%d\ntreatment=%s\n"
	    "owner=%s\nreview_on=%s\nflagged=%d\nreviewed_at=%s\n"
	    "version=%lld\n",
	    r->id, r->post_id, r->title, r->asset,
	    r->description ? r->description : "", r->categories, r->likelihood,
	    r->impact, ch_treatment_code(r->treatment), r->owner_person_id,
	    r->review_on, r->flagged, r->reviewed_at, (long long)r->version);
	for (size_t i = 0; i < r->ncontrols; i++)
		ch_buf_appendf(b, "control=%s,%d,%d,%s\n", r->controls[i].name,
		    r->controls[i].likelihood_steps,
		    r->controls[i].impact_steps,
		    ch_control_status_code(r->controls[i].status));
}

static ch_err
finish_write(struct ch_ctx *ctx, struct ch_tx *tx, struct ch_risk *r,
    const char *action, const char *event, const char *note)
{
	struct ch_audit_entry e;
	struct ch_event ev;
	struct ch_buf state;
	char today[CH_DATE_LEN];
	ch_err err;

	owner_name(ctx, tx, r);
	ch_buf_init(&state, 64 * 1024);
	risk_state(r, &state);
	if (note != NULL)
		ch_buf_appendf(&state, "note=%s\n", note);
	e = (struct ch_audit_entry){
	    action, "risk", r->id, r->post_id, state.data, state.len};
	err = ch_audit_append(tx, ctx, &e);
	ch_buf_free(&state);
	if (err != CH_OK) {
		ch_store_rollback(tx);
		return err;
	}
	if ((err = ch_store_commit(tx)) != CH_OK)
		return err;
	ch_date_today(today);
	ch_risk_derive(r, today);
	ev =
	    (struct ch_event){event, "risk", r->id, r->post_id, ch_clock_now()};
	ch_events_publish(&ev);
	return CH_OK;
}

/* A date days after today. */
static void
date_after(int days, char out[CH_DATE_LEN])
{
	char stamp[CH_TIMESTAMP_LEN];

	ch_time_format(ch_clock_now() + (int64_t)days * 86400, stamp);
	memcpy(out, stamp, CH_DATE_LEN - 1);
	out[CH_DATE_LEN - 1] = '\0';
}

ch_err
ch_risks_create(
    struct ch_ctx *ctx, const struct ch_risk_input *in, struct ch_risk *out)
{
	static const struct {
		unsigned bit;
		const char *field;
	} required[] = {
	    {CH_RF_POST_ID, "/post_id"},
	    {CH_RF_TITLE, "/title"},
	    {CH_RF_ASSET, "/asset"},
	    {CH_RF_LIKELIHOOD, "/likelihood"},
	    {CH_RF_IMPACT, "/impact"},
	};
	struct ch_tx *tx = NULL;
	ch_err err;

	for (size_t i = 0; i < CH_ARRAY_LEN(required); i++) {
		if (!(in->set & required[i].bit)) {
			ch_fault_set(&ctx->fault, required[i].field,
			    "%s is required.", required[i].field + 1);
			return CH_ERR_INVALID;
		}
	}
	if (ctx->who != NULL &&
	    !ch_policy_allows(ctx->who, CH_PERM_RISKS_WRITE))
		return CH_ERR_DENIED;
	memset(out, 0, sizeof(*out));
	if (in->post_id == NULL || !ch_id_valid(in->post_id)) {
		ch_fault_set(&ctx->fault, "/post_id",
		    "post_id must be the id of a post.");
		return CH_ERR_INVALID;
	}
	ch_strlcpy(out->post_id, in->post_id, sizeof(out->post_id));
	out->treatment = CH_TREAT_MITIGATE;
	date_after(REVIEW_DEFAULT_DAYS, out->review_on);
	if ((err = apply(in, out, ctx->arena, &ctx->fault)) != CH_OK)
		return err;
	ch_id_new(out->id);
	out->version = 1;
	ch_time_format(ch_clock_now(), out->created_at);
	memcpy(out->updated_at, out->created_at, sizeof(out->updated_at));
	if ((err = ch_store_begin(ctx->store, true, &tx)) != CH_OK)
		return err;
	if ((err = check_record(ctx, tx, out)) != CH_OK ||
	    (err = ch_store_risk_insert(tx, out)) != CH_OK) {
		ch_store_rollback(tx);
		return err;
	}
	return finish_write(ctx, tx, out, "risk.create", "risk.created", NULL);
}

/* Load a risk the context may read; NOT_FOUND otherwise. */
static ch_err
load(struct ch_ctx *ctx, struct ch_tx *tx, const char *id, struct ch_risk *out)
{
	ch_err err;

	if (!ch_id_valid(id))
		return CH_ERR_NOT_FOUND;
	err = ch_store_risk_get(tx, id, ctx->arena, out);
	if (err == CH_OK && !permits(ctx, CH_PERM_RISKS_READ, out->post_id))
		err = CH_ERR_NOT_FOUND;
	return err;
}

ch_err
ch_risks_update(struct ch_ctx *ctx, const char *id,
    const struct ch_risk_input *in, int64_t expected_version,
    struct ch_risk *out)
{
	struct ch_risk_input changes = *in;
	struct ch_tx *tx = NULL;
	ch_err err;

	changes.set &= ~(unsigned)CH_RF_POST_ID;
	if ((err = ch_store_begin(ctx->store, true, &tx)) != CH_OK)
		return err;
	if ((err = load(ctx, tx, id, out)) != CH_OK)
		goto fail;
	if (!permits(ctx, CH_PERM_RISKS_WRITE, out->post_id)) {
		err = CH_ERR_DENIED;
		goto fail;
	}
	if (expected_version != 0 && expected_version != out->version) {
		err = CH_ERR_PRECONDITION;
		goto fail;
	}
	if ((err = apply(&changes, out, ctx->arena, &ctx->fault)) != CH_OK ||
	    (err = check_record(ctx, tx, out)) != CH_OK)
		goto fail;
	ch_time_format(ch_clock_now(), out->updated_at);
	if ((err = ch_store_risk_update(tx, out, out->version)) != CH_OK)
		goto fail;
	return finish_write(ctx, tx, out, "risk.update", "risk.updated", NULL);

fail:
	ch_store_rollback(tx);
	return err;
}

ch_err
ch_risks_review(struct ch_ctx *ctx, const char *id, const char *note,
    const char *next_review_on, struct ch_risk *out)
{
	struct ch_tx *tx = NULL;
	char today[CH_DATE_LEN];
	ch_err err;

	if (!ch_text_check(&ctx->fault, "/note", note, CH_RISK_NOTE_MAX,
		CH_TEXT_REQUIRED | CH_TEXT_MULTILINE))
		return CH_ERR_INVALID;
	ch_date_today(today);
	if (next_review_on != NULL &&
	    (!ch_date_valid(next_review_on) ||
		strcmp(next_review_on, today) <= 0)) {
		ch_fault_set(&ctx->fault, "/next_review_on",
		    "next_review_on must be a date after today.");
		return CH_ERR_INVALID;
	}
	if ((err = ch_store_begin(ctx->store, true, &tx)) != CH_OK)
		return err;
	if ((err = load(ctx, tx, id, out)) != CH_OK)
		goto fail;
	if (!permits(ctx, CH_PERM_RISKS_WRITE, out->post_id)) {
		err = CH_ERR_DENIED;
		goto fail;
	}
	out->flagged = false;
	out->flag_reason = NULL;
	out->flagged_at[0] = '\0';
	ch_time_format(ch_clock_now(), out->reviewed_at);
	memcpy(out->updated_at, out->reviewed_at, sizeof(out->updated_at));
	out->reviewed_by = (char *)ch_ctx_actor(ctx);
	if (next_review_on != NULL)
		ch_strlcpy(
		    out->review_on, next_review_on, sizeof(out->review_on));
	else
		date_after(REVIEW_DEFAULT_DAYS, out->review_on);
	if ((err = ch_store_risk_update(tx, out, out->version)) != CH_OK)
		goto fail;
	return finish_write(ctx, tx, out, "risk.review", "risk.reviewed", note);

fail:
	ch_store_rollback(tx);
	return err;
}

ch_err
ch_risks_get(struct ch_ctx *ctx, const char *id, struct ch_risk *out)
{
	struct ch_tx *tx = NULL;
	char today[CH_DATE_LEN];
	ch_err err;

	memset(out, 0, sizeof(*out));
	if ((err = ch_store_begin(ctx->store, false, &tx)) != CH_OK)
		return err;
	if ((err = load(ctx, tx, id, out)) == CH_OK) {
		ch_date_today(today);
		ch_risk_derive(out, today);
		owner_name(ctx, tx, out);
	}
	ch_store_rollback(tx);
	return err;
}

static int
residual_score(const struct ch_risk *r)
{
	return r->residual_likelihood * r->residual_impact;
}

static int
by_residual(const void *a, const void *b)
{
	const struct ch_risk *x = a, *y = b;
	int d = residual_score(y) - residual_score(x);

	if (d == 0)
		d = y->likelihood * y->impact - x->likelihood * x->impact;
	return d != 0 ? d : strcmp(x->id, y->id);
}

ch_err
ch_risks_list(struct ch_ctx *ctx, const char *post_id,
    const struct ch_risk_filter *f, struct ch_risk_list *out)
{
	struct ch_rating_settings rs;
	struct ch_risk *all = NULL;
	struct ch_tx *tx = NULL;
	char today[CH_DATE_LEN];
	size_t n = 0;
	ch_err err;

	memset(out, 0, sizeof(*out));
	if (post_id == NULL || !ch_id_valid(post_id) ||
	    !ch_ctx_sees_post(ctx, post_id))
		return CH_ERR_NOT_FOUND;
	if (!permits(ctx, CH_PERM_RISKS_READ, post_id))
		return CH_ERR_DENIED;
	ch_date_today(today);
	if ((err = ch_store_begin(ctx->store, false, &tx)) != CH_OK)
		return err;
	if ((err = ch_store_threat_settings_get(
		 tx, post_id, &rs, &out->bands)) != CH_OK ||
	    (err = ch_store_risk_list(tx, post_id, ctx->arena, &all, &n)) !=
		CH_OK)
		goto done;
	out->items = all;
	for (size_t i = 0; i < n; i++) {
		struct ch_risk *r = &all[i];

		ch_risk_derive(r, today);
		if ((f->flagged_only && !r->flagged) ||
		    (f->overdue_only && !r->overdue) ||
		    (f->has_category && !(r->categories & (1u << f->category))))
			continue;
		owner_name(ctx, tx, r);
		out->items[out->count++] = *r;
	}
	qsort(out->items, out->count, sizeof(*out->items), by_residual);
done:
	ch_store_rollback(tx);
	return err;
}

ch_err
ch_risks_bands_get(
    struct ch_ctx *ctx, const char *post_id, struct ch_risk_bands *out)
{
	struct ch_rating_settings rs;
	struct ch_tx *tx = NULL;
	ch_err err;

	if (post_id == NULL || !ch_id_valid(post_id) ||
	    !ch_ctx_sees_post(ctx, post_id))
		return CH_ERR_NOT_FOUND;
	if (!permits(ctx, CH_PERM_RISKS_READ, post_id))
		return CH_ERR_DENIED;
	if ((err = ch_store_begin(ctx->store, false, &tx)) != CH_OK)
		return err;
	err = ch_store_threat_settings_get(tx, post_id, &rs, out);
	ch_store_rollback(tx);
	return err;
}

ch_err
ch_risks_bands_set(
    struct ch_ctx *ctx, const char *post_id, const struct ch_risk_bands *in)
{
	struct ch_rating_settings rs;
	struct ch_risk_bands old;
	struct ch_audit_entry e;
	struct ch_post post;
	struct ch_buf state;
	struct ch_tx *tx = NULL;
	char now[CH_TIMESTAMP_LEN];
	ch_err err;

	if (post_id == NULL || !ch_id_valid(post_id) ||
	    !ch_ctx_sees_post(ctx, post_id))
		return CH_ERR_NOT_FOUND;
	if (!permits(ctx, CH_PERM_RATINGS_SET, post_id))
		return CH_ERR_DENIED;
	if (!(1 <= in->low_max && in->low_max < in->medium_max &&
		in->medium_max < in->high_max && in->high_max < 25)) {
		ch_fault_set(&ctx->fault, "/bands",
		    "the bands must run from 1 to 25 in order, none empty.");
		return CH_ERR_INVALID;
	}
	ch_time_format(ch_clock_now(), now);
	if ((err = ch_store_begin(ctx->store, true, &tx)) != CH_OK)
		return err;
	if ((err = ch_store_post_get(tx, post_id, ctx->arena, &post)) !=
		CH_OK ||
	    (err = ch_store_threat_settings_get(tx, post_id, &rs, &old)) !=
		CH_OK ||
	    (err = ch_store_threat_settings_put(tx, post_id, &rs, in, now)) !=
		CH_OK)
		goto fail;
	ch_buf_init(&state, 1024);
	ch_buf_appendf(&state,
	    "post=%s\nlow=1-%d\nmedium=%d-%d\nhigh=%d-%d\n"
	    "critical=%d-25\n",
	    post_id, in->low_max, in->low_max + 1, in->medium_max,
	    in->medium_max + 1, in->high_max, in->high_max + 1);
	e = (struct ch_audit_entry){
	    "risk.bands.set", "post", post_id, post_id, state.data, state.len};
	err = ch_audit_append(tx, ctx, &e);
	ch_buf_free(&state);
	if (err != CH_OK)
		goto fail;
	return ch_store_commit(tx);

fail:
	ch_store_rollback(tx);
	return err;
}
