/*
 * h_risks.c — the risk register routes: list, read, create, change and
 * review risks, the post's score bands, and the heat map as SVG.
 */
#include <stdlib.h>
#include <string.h>

#include "http/http.h"
#include "risks/risks.h"

static const char *const treatments[] = {
    "accept", "mitigate", "transfer", "avoid", NULL};
static const char *const statuses[] = {"planned", "in_place", NULL};
static const char *const band_names[] = {
    "low", "medium", "high", "critical", NULL};

static const struct ch_jfield control_fields[] = {
    {"name", CH_J_STRING, true, false, CH_RISK_CONTROL_NAME_MAX, NULL,
	"What the control is."},
    {"likelihood_steps", CH_J_INTEGER, true, false, 0, NULL,
	"Steps it lowers the likelihood by (0 to 4)."},
    {"impact_steps", CH_J_INTEGER, true, false, 0, NULL,
	"Steps it lowers the impact by (0 to 4)."},
    {"status", CH_J_ENUM, true, false, 10, statuses,
	"planned or in_place; only controls in place count for the "
	"residual."},
};
static const struct ch_jschema control_schema = {
    "RiskControl", control_fields, CH_ARRAY_LEN(control_fields)};

#define RISK_FIELDS(REQ)                                                       \
	{"title", CH_J_STRING, REQ, false, CH_RISK_TITLE_MAX, NULL,            \
	    "The scenario."},                                                  \
	    {"asset", CH_J_STRING, REQ, false, CH_RISK_ASSET_MAX, NULL,        \
		"The asset at risk."},                                         \
	    {"description", CH_J_STRING, false, true, CH_RISK_TEXT_MAX, NULL,  \
		NULL},                                                         \
	    {"categories", CH_J_STRING_LIST, false, false, 40, NULL,           \
		"Threat categories the risk is linked to."},                   \
	    {"likelihood", CH_J_INTEGER, REQ, false, 0, NULL,                  \
		"1 rare .. 5 almost certain, before controls."},               \
	    {"impact", CH_J_INTEGER, REQ, false, 0, NULL,                      \
		"1 negligible .. 5 severe, before controls."},                 \
	    {"treatment", CH_J_ENUM, false, false, 10, treatments,             \
		"accept, mitigate (default), transfer or avoid."},             \
	    {"owner_person_id", CH_J_ID, false, false, 36, NULL,               \
		"The person of the post who owns the risk."},                  \
	    {"review_on", CH_J_DATE, false, false, 10, NULL,                   \
		"Next review (default 90 days on)."},                          \
	{                                                                      \
		"controls", CH_J_OBJECT_LIST, false, false, 0, NULL,           \
		    "Controls: {name, likelihood_steps, impact_steps, "        \
		    "status}."                                                 \
	}

static const struct ch_jfield create_fields[] = {
    {"post_id", CH_J_ID, true, false, 36, NULL, "The post."},
    RISK_FIELDS(true)};
static const struct ch_jfield update_fields[] = {RISK_FIELDS(false)};
static const struct ch_jfield review_fields[] = {
    {"note", CH_J_STRING, true, false, CH_RISK_NOTE_MAX, NULL,
	"What the review found."},
    {"next_review_on", CH_J_DATE, false, false, 10, NULL,
	"The next review (default 90 days on)."},
};
static const struct ch_jfield band_fields[] = {
    {"name", CH_J_ENUM, true, false, 10, band_names, NULL},
    {"min", CH_J_INTEGER, true, false, 0, NULL, "Lowest score."},
    {"max", CH_J_INTEGER, true, false, 0, NULL, "Highest score."},
};
static const struct ch_jschema band_schema = {
    "RiskBand", band_fields, CH_ARRAY_LEN(band_fields)};
static const struct ch_jfield bands_fields[] = {
    {"bands", CH_J_OBJECT_LIST, true, false, 0, NULL,
	"Four bands {name, min, max} covering 1..25 without gap."},
};

const struct ch_jschema ch_schema_risk_create = {
    "RiskCreate", create_fields, CH_ARRAY_LEN(create_fields)};
const struct ch_jschema ch_schema_risk_update = {
    "RiskUpdate", update_fields, CH_ARRAY_LEN(update_fields)};
const struct ch_jschema ch_schema_risk_review = {
    "RiskReview", review_fields, CH_ARRAY_LEN(review_fields)};
const struct ch_jschema ch_schema_risk_bands = {
    "RiskBands", bands_fields, CH_ARRAY_LEN(bands_fields)};

/* An integer field that fits a long; jansson's range otherwise. */
static long
int_field(const json_t *b, const char *name)
{
	json_int_t v = json_integer_value(json_object_get(b, name));

	return v > 1000 ? 1000 : v < -1000 ? -1000 : (long)v;
}

static bool
risk_input(struct ch_req *req, struct ch_risk_input *in)
{
	static const struct {
		const char *name;
		unsigned bit;
		size_t offset;
	} text[] = {
	    {"post_id", CH_RF_POST_ID, offsetof(struct ch_risk_input, post_id)},
	    {"title", CH_RF_TITLE, offsetof(struct ch_risk_input, title)},
	    {"asset", CH_RF_ASSET, offsetof(struct ch_risk_input, asset)},
	    {"description", CH_RF_DESCRIPTION,
		offsetof(struct ch_risk_input, description)},
	    {"treatment", CH_RF_TREATMENT,
		offsetof(struct ch_risk_input, treatment)},
	    {"owner_person_id", CH_RF_OWNER,
		offsetof(struct ch_risk_input, owner_person_id)},
	    {"review_on", CH_RF_REVIEW_ON,
		offsetof(struct ch_risk_input, review_on)},
	};
	const json_t *b = req->body, *list;

	memset(in, 0, sizeof(*in));
	for (size_t i = 0; i < CH_ARRAY_LEN(text); i++) {
		if (!ch_json_has(b, text[i].name))
			continue;
		in->set |= text[i].bit;
		*(const char **)((char *)in + text[i].offset) =
		    ch_json_str(b, text[i].name);
	}
	if (ch_json_has(b, "likelihood")) {
		in->set |= CH_RF_LIKELIHOOD;
		in->likelihood = int_field(b, "likelihood");
	}
	if (ch_json_has(b, "impact")) {
		in->set |= CH_RF_IMPACT;
		in->impact = int_field(b, "impact");
	}
	if (ch_json_has(b, "categories")) {
		const char **names;

		list = json_object_get(b, "categories");
		in->set |= CH_RF_CATEGORIES;
		in->ncategories = json_array_size(list);
		names = ch_arena_alloc(
		    req->arena, sizeof(*names) * (in->ncategories + 1));
		if (names == NULL) {
			ch_reply_error(req, CH_ERR_NOMEM);
			return false;
		}
		for (size_t i = 0; i < in->ncategories; i++)
			names[i] = json_string_value(json_array_get(list, i));
		in->categories = names;
	}
	if (ch_json_has(b, "controls")) {
		struct ch_risk_control_input *cs;

		list = json_object_get(b, "controls");
		in->set |= CH_RF_CONTROLS;
		in->ncontrols = json_array_size(list);
		cs = ch_arena_alloc(
		    req->arena, sizeof(*cs) * (in->ncontrols + 1));
		if (cs == NULL) {
			ch_reply_error(req, CH_ERR_NOMEM);
			return false;
		}
		for (size_t i = 0; i < in->ncontrols; i++) {
			json_t *item = json_array_get(list, i);
			struct ch_fault inner = {{0}, {0}};

			if (ch_json_check(item, &control_schema, &inner) !=
			    CH_OK) {
				char msg[sizeof(inner.detail) + 32];

				snprintf(msg, sizeof(msg), "controls[%zu]: %s",
				    i, inner.detail);
				ch_reply_problem(
				    req, "validation", msg, "/controls");
				return false;
			}
			cs[i].name = ch_json_str(item, "name");
			cs[i].likelihood_steps =
			    int_field(item, "likelihood_steps");
			cs[i].impact_steps = int_field(item, "impact_steps");
			cs[i].status = ch_json_str(item, "status");
		}
		in->controls = cs;
	}
	return true;
}

static json_t *
risk_json(const struct ch_risk *r, const struct ch_risk_bands *bands)
{
	json_t *o = json_object(), *cats = json_array(),
	       *controls = json_array();
	int inherent = r->likelihood * r->impact;
	int residual = r->residual_likelihood * r->residual_impact;
	int target = r->target_likelihood * r->target_impact;

	for (int c = 0; c < CH_THREAT__COUNT; c++)
		if (r->categories & (1u << c))
			json_array_append_new(cats,
			    json_string(ch_threat_category_code(
				(enum ch_threat_category)c)));
	for (size_t i = 0; i < r->ncontrols; i++)
		json_array_append_new(controls,
		    json_pack("{s:s, s:s, s:i, s:i, s:s}", "id",
			r->controls[i].id, "name", r->controls[i].name,
			"likelihood_steps", r->controls[i].likelihood_steps,
			"impact_steps", r->controls[i].impact_steps, "status",
			ch_control_status_code(r->controls[i].status)));
	json_object_set_new(o, "id", json_string(r->id));
	json_object_set_new(o, "post_id", json_string(r->post_id));
	json_object_set_new(o, "title", json_string(r->title));
	json_object_set_new(o, "asset", json_string(r->asset));
	json_object_set_new(
	    o, "description", ch_json_str_or_null(r->description));
	json_object_set_new(o, "categories", cats);
	json_object_set_new(o, "likelihood", json_integer(r->likelihood));
	json_object_set_new(o, "likelihood_label",
	    json_string(ch_likelihood_label(r->likelihood)));
	json_object_set_new(o, "impact", json_integer(r->impact));
	json_object_set_new(
	    o, "impact_label", json_string(ch_impact_label(r->impact)));
	json_object_set_new(o, "inherent",
	    json_pack("{s:i, s:i, s:i, s:s}", "likelihood", r->likelihood,
		"impact", r->impact, "score", inherent, "band",
		ch_band_code(ch_risk_band_of(bands, inherent))));
	json_object_set_new(o, "residual",
	    json_pack("{s:i, s:i, s:i, s:s}", "likelihood",
		r->residual_likelihood, "impact", r->residual_impact, "score",
		residual, "band",
		ch_band_code(ch_risk_band_of(bands, residual))));
	json_object_set_new(o, "target",
	    json_pack("{s:i, s:i, s:i, s:s}", "likelihood",
		r->target_likelihood, "impact", r->target_impact, "score",
		target, "band", ch_band_code(ch_risk_band_of(bands, target))));
	json_object_set_new(o, "controls", controls);
	json_object_set_new(
	    o, "treatment", json_string(ch_treatment_code(r->treatment)));
	json_object_set_new(
	    o, "owner_person_id", ch_json_str_or_null(r->owner_person_id));
	json_object_set_new(
	    o, "owner_name", ch_json_str_or_null(r->owner_name));
	json_object_set_new(o, "review_on", json_string(r->review_on));
	json_object_set_new(o, "overdue", json_boolean(r->overdue));
	json_object_set_new(o, "flagged", json_boolean(r->flagged));
	json_object_set_new(
	    o, "flag_reason", ch_json_str_or_null(r->flag_reason));
	json_object_set_new(
	    o, "flagged_at", ch_json_str_or_null(r->flagged_at));
	json_object_set_new(
	    o, "reviewed_at", ch_json_str_or_null(r->reviewed_at));
	json_object_set_new(
	    o, "reviewed_by", ch_json_str_or_null(r->reviewed_by));
	json_object_set_new(o, "version", json_integer(r->version));
	json_object_set_new(o, "created_at", json_string(r->created_at));
	json_object_set_new(o, "updated_at", json_string(r->updated_at));
	return o;
}

static void
reply_risk(struct ch_req *req, unsigned status, const struct ch_risk *r)
{
	struct ch_risk_bands bands;

	if (ch_risks_bands_get(&req->ctx, r->post_id, &bands) != CH_OK)
		ch_risk_bands_defaults(&bands);
	snprintf(
	    req->etag, sizeof(req->etag), "\"%lld\"", (long long)r->version);
	ch_reply_json(req, status, risk_json(r, &bands));
}

static json_t *
bands_json(const struct ch_risk_bands *b)
{
	return json_pack("[{s:s, s:i, s:i}, {s:s, s:i, s:i}, {s:s, s:i, s:i}, "
			 "{s:s, s:i, s:i}]",
	    "name", "low", "min", 1, "max", b->low_max, "name", "medium", "min",
	    b->low_max + 1, "max", b->medium_max, "name", "high", "min",
	    b->medium_max + 1, "max", b->high_max, "name", "critical", "min",
	    b->high_max + 1, "max", 25);
}

/* Parse the list filter; false with a problem sent. */
static bool
list_filter(struct ch_req *req, struct ch_risk_filter *f)
{
	const char *s;

	memset(f, 0, sizeof(*f));
	if ((s = ch_req_query(req, "flagged")) != NULL)
		f->flagged_only = strcmp(s, "true") == 0;
	if ((s = ch_req_query(req, "overdue")) != NULL)
		f->overdue_only = strcmp(s, "true") == 0;
	if ((s = ch_req_query(req, "category")) != NULL && *s != '\0') {
		if (!ch_threat_category_parse(s, &f->category)) {
			ch_reply_problem(req, "bad-query",
			    "category takes a threat category code.",
			    "category");
			return false;
		}
		f->has_category = true;
	}
	return true;
}

void
ch_h_risks_list(struct ch_req *req)
{
	struct ch_risk_filter f;
	struct ch_risk_list list;
	json_t *items;
	int flagged = 0, overdue = 0;
	ch_err err;

	if (!list_filter(req, &f))
		return;
	if ((err = ch_risks_list(&req->ctx, req->params[0], &f, &list)) !=
	    CH_OK) {
		ch_reply_error(req, err);
		return;
	}
	items = json_array();
	for (size_t i = 0; i < list.count; i++) {
		json_array_append_new(
		    items, risk_json(&list.items[i], &list.bands));
		flagged += list.items[i].flagged;
		overdue += list.items[i].overdue;
	}
	ch_reply_json(req, 200,
	    json_pack("{s:o, s:o, s:i, s:i}", "items", items, "bands",
		bands_json(&list.bands), "flagged", flagged, "overdue",
		overdue));
}

void
ch_h_risks_get(struct ch_req *req)
{
	struct ch_risk r;
	ch_err err;

	if ((err = ch_risks_get(&req->ctx, req->params[0], &r)) != CH_OK) {
		ch_reply_error(req, err);
		return;
	}
	reply_risk(req, 200, &r);
}

void
ch_h_risks_create(struct ch_req *req)
{
	struct ch_risk_input in;
	struct ch_risk r;
	ch_err err;

	if (!risk_input(req, &in))
		return;
	if ((err = ch_risks_create(&req->ctx, &in, &r)) != CH_OK) {
		ch_reply_error(req, err);
		return;
	}
	req->location = ch_arena_printf(req->arena, "/api/v1/risks/%s", r.id);
	reply_risk(req, 201, &r);
}

void
ch_h_risks_update(struct ch_req *req)
{
	struct ch_risk_input in;
	struct ch_risk r;
	int64_t version;
	ch_err err;

	if (!ch_req_if_match(req, &version))
		return;
	if (!risk_input(req, &in))
		return;
	err = ch_risks_update(&req->ctx, req->params[0], &in, version, &r);
	if (err != CH_OK) {
		ch_reply_error(req, err);
		return;
	}
	reply_risk(req, 200, &r);
}

void
ch_h_risks_review(struct ch_req *req)
{
	struct ch_risk r;
	ch_err err;

	err = ch_risks_review(&req->ctx, req->params[0],
	    ch_json_str(req->body, "note"),
	    ch_json_str(req->body, "next_review_on"), &r);
	if (err != CH_OK) {
		ch_reply_error(req, err);
		return;
	}
	reply_risk(req, 200, &r);
}

void
ch_h_risk_bands_get(struct ch_req *req)
{
	struct ch_risk_bands b;
	ch_err err;

	if ((err = ch_risks_bands_get(&req->ctx, req->params[0], &b)) !=
	    CH_OK) {
		ch_reply_error(req, err);
		return;
	}
	ch_reply_json(req, 200, json_pack("{s:o}", "bands", bands_json(&b)));
}

void
ch_h_risk_bands_put(struct ch_req *req)
{
	const json_t *list = json_object_get(req->body, "bands");
	struct ch_band_range r[4];
	struct ch_risk_bands b;
	size_t n = json_array_size(list);
	ch_err err;

	if (n != 4) {
		ch_reply_problem(req, "validation",
		    "give four bands: low, medium, high and critical.",
		    "/bands");
		return;
	}
	for (size_t i = 0; i < n; i++) {
		json_t *item = json_array_get(list, i);
		struct ch_fault inner = {{0}, {0}};

		if (ch_json_check(item, &band_schema, &inner) != CH_OK) {
			ch_reply_problem(
			    req, "validation", inner.detail, "/bands");
			return;
		}
		r[i].name = ch_json_str(item, "name");
		r[i].min = int_field(item, "min");
		r[i].max = int_field(item, "max");
	}
	if (!ch_risk_bands_from_ranges(r, n, &b, &req->ctx.fault)) {
		ch_reply_error(req, CH_ERR_INVALID);
		return;
	}
	if ((err = ch_risks_bands_set(&req->ctx, req->params[0], &b)) !=
	    CH_OK) {
		ch_reply_error(req, err);
		return;
	}
	ch_reply_json(req, 200, json_pack("{s:o}", "bands", bands_json(&b)));
}

void
ch_h_risks_heatmap(struct ch_req *req)
{
	struct ch_risk_filter f = {0};
	struct ch_risk_list list;
	struct ch_heatmap h;
	struct ch_buf b;
	ch_err err;

	if ((err = ch_risks_list(&req->ctx, req->params[0], &f, &list)) !=
	    CH_OK) {
		ch_reply_error(req, err);
		return;
	}
	ch_heatmap_count(list.items, list.count, &list.bands, &h);
	ch_buf_init(&b, 256 * 1024);
	err = ch_heatmap_svg(&h, "Risk heat map: inherent and residual", &b);
	if (err != CH_OK) {
		ch_buf_free(&b);
		ch_reply_error(req, err);
		return;
	}
	req->status = 200;
	req->reply_text = ch_arena_strndup(req->arena, b.data, b.len);
	req->reply_len = b.len;
	req->reply_type = "image/svg+xml; charset=utf-8";
	ch_buf_free(&b);
	if (req->reply_text == NULL)
		ch_reply_error(req, CH_ERR_NOMEM);
}
