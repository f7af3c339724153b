/*
 * h_posts.c — the post and zone routes.
 */
#include <string.h>

#include "http/http.h"
#include "people/people.h"

static const char *const post_kinds[] = {
    "embassy", "consulate", "mission", NULL};
static const char *const zone_levels[] = {
    "public", "controlled", "restricted", NULL};
static const char *const clearances[] = {
    "UNCLASSIFIED", "SBU", "CONFIDENTIAL", "SECRET", NULL};

static const struct ch_jfield post_fields[] = {
    {"name", CH_J_STRING, true, false, CH_TEXT_MAX, NULL,
	"e.g. Embassy in Nairobi."},
    {"kind", CH_J_ENUM, true, false, 20, post_kinds, NULL},
    {"country", CH_J_STRING, true, false, 2, NULL,
	"Host state, ISO 3166-1 alpha-2."},
    {"city", CH_J_STRING, true, false, CH_TEXT_MAX, NULL, NULL},
    {"timezone", CH_J_STRING, true, false, 64, NULL,
	"IANA time zone, e.g. Africa/Nairobi."},
    {"latitude", CH_J_NUMBER, false, true, 0, NULL, NULL},
    {"longitude", CH_J_NUMBER, false, true, 0, NULL, NULL},
};
const struct ch_jschema ch_schema_post_create = {
    "PostCreate", post_fields, CH_ARRAY_LEN(post_fields)};

static const struct ch_jfield zone_fields[] = {
    {"name", CH_J_STRING, true, false, CH_TEXT_MAX, NULL, NULL},
    {"parent_id", CH_J_ID, false, true, 36, NULL,
	"The zone this one is inside."},
    {"level", CH_J_ENUM, true, false, 20, zone_levels, NULL},
    {"required_clearance", CH_J_ENUM, false, false, 20, clearances, NULL},
    {"escort_required", CH_J_BOOL, false, false, 0, NULL, NULL},
};
const struct ch_jschema ch_schema_zone_create = {
    "ZoneCreate", zone_fields, CH_ARRAY_LEN(zone_fields)};

static json_t *
post_json(const struct ch_post *p)
{
	json_t *o = json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:I, s:s, s:s}",
	    "id", p->id, "name", p->name, "kind", ch_post_kind_code(p->kind),
	    "country", p->country, "city", p->city, "timezone", p->timezone,
	    "version", (json_int_t)p->version, "created_at", p->created_at,
	    "updated_at", p->updated_at);

	json_object_set_new(o, "latitude",
	    p->has_location ? json_real(p->latitude) : json_null());
	json_object_set_new(o, "longitude",
	    p->has_location ? json_real(p->longitude) : json_null());
	return o;
}

static json_t *
zone_json(const struct ch_zone *z)
{
	return json_pack("{s:s, s:s, s:o, s:s, s:s, s:s, s:b, s:I}", "id",
	    z->id, "post_id", z->post_id, "parent_id",
	    ch_json_str_or_null(z->parent_id), "name", z->name, "level",
	    ch_zone_level_code(z->level), "required_clearance",
	    ch_clearance_code(z->required_clearance), "escort_required",
	    z->escort_required, "version", (json_int_t)z->version);
}

void
ch_h_posts_list(struct ch_req *req)
{
	struct ch_post *posts;
	size_t n;
	json_t *items;
	ch_err err;

	if ((err = ch_posts_list(&req->ctx, &posts, &n)) != CH_OK) {
		ch_reply_error(req, err);
		return;
	}
	items = json_array();
	for (size_t i = 0; i < n; i++)
		json_array_append_new(items, post_json(&posts[i]));
	ch_reply_json(
	    req, 200, json_pack("{s:o, s:n}", "items", items, "next_cursor"));
}

void
ch_h_posts_get(struct ch_req *req)
{
	struct ch_post p;
	ch_err err;

	if ((err = ch_posts_get(&req->ctx, req->params[0], &p)) != CH_OK) {
		ch_reply_error(req, err);
		return;
	}
	ch_reply_json(req, 200, post_json(&p));
}

void
ch_h_posts_create(struct ch_req *req)
{
	struct ch_post in, out;
	const json_t *b = req->body;
	const char *kind = ch_json_str(b, "kind");
	ch_err err;

	memset(&in, 0, sizeof(in));
	in.name = (char *)ch_json_str(b, "name");
	ch_post_kind_parse(kind, &in.kind);
	ch_strlcpy(in.country, ch_json_str(b, "country"), sizeof(in.country));
	in.city = (char *)ch_json_str(b, "city");
	in.timezone = (char *)ch_json_str(b, "timezone");
	if (json_is_number(json_object_get(b, "latitude")) &&
	    json_is_number(json_object_get(b, "longitude"))) {
		in.has_location = true;
		in.latitude = json_number_value(json_object_get(b, "latitude"));
		in.longitude =
		    json_number_value(json_object_get(b, "longitude"));
	}
	if ((err = ch_posts_create(&req->ctx, &in, &out)) != CH_OK) {
		ch_reply_error(req, err);
		return;
	}
	req->location = ch_arena_printf(req->arena, "/api/v1/posts/%s", out.id);
	ch_reply_json(req, 201, post_json(&out));
}

void
ch_h_zones_list(struct ch_req *req)
{
	struct ch_zone *zones;
	size_t n;
	json_t *items;
	ch_err err;

	err = ch_zones_list(&req->ctx, req->params[0], &zones, &n);
	if (err != CH_OK) {
		ch_reply_error(req, err);
		return;
	}
	items = json_array();
	for (size_t i = 0; i < n; i++)
		json_array_append_new(items, zone_json(&zones[i]));
	ch_reply_json(
	    req, 200, json_pack("{s:o, s:n}", "items", items, "next_cursor"));
}

void
ch_h_zones_create(struct ch_req *req)
{
	struct ch_zone in, out;
	const json_t *b = req->body;
	ch_err err;

	memset(&in, 0, sizeof(in));
	ch_strlcpy(in.post_id, req->params[0], sizeof(in.post_id));
	ch_strlcpy(
	    in.parent_id, ch_json_str(b, "parent_id"), sizeof(in.parent_id));
	in.name = (char *)ch_json_str(b, "name");
	ch_zone_level_parse(ch_json_str(b, "level"), &in.level);
	in.required_clearance = CH_CLEARANCE_UNCLASSIFIED;
	if (ch_json_str(b, "required_clearance") != NULL)
		ch_clearance_parse(ch_json_str(b, "required_clearance"),
		    &in.required_clearance);
	in.escort_required =
	    json_is_true(json_object_get(b, "escort_required"));
	if ((err = ch_zones_create(&req->ctx, &in, &out)) != CH_OK) {
		ch_reply_error(req, err);
		return;
	}
	ch_reply_json(req, 201, zone_json(&out));
}
