/*
 * actors.c — threat actors (groups, individuals, state actors) and named
 * places of a post.  Both are reference records of the post, read with
 * intel.read and kept with intel.write; what is sensitive about them lives
 * in the reports that link them, which keep their own labels.  A place is
 * a point, a circle (centre and radius) or a polygon, and is shown with
 * its distance and bearing from the post.  A detail lists the linked
 * reports the reader may see (the report list's rules) and the linked
 * incidents the reader may read.
 */
#include <math.h>
#include <string.h>

#include "intel/intel.h"
#include "intel/intel_int.h"
#include "store/store.h"

#define PLACE_RADIUS_MAX_M 100000.0 /* a named place, not a region */

static ch_err
name_taken(struct ch_ctx *ctx, ch_err err, const char *what)
{
	if (err == CH_ERR_CONFLICT)
		ch_fault_set(&ctx->fault, "/name",
		    "another %s of this post has that name.", what);
	return err;
}

static ch_err
check_post_id(struct ch_ctx *ctx, const char *post_id, char out[CH_ID_LEN])
{
	if (!ch_id_valid(post_id)) {
		ch_fault_set(&ctx->fault, "/post_id",
		    "post_id must be the id of a post.");
		return CH_ERR_INVALID;
	}
	ch_strlcpy(out, post_id, CH_ID_LEN);
	return CH_OK;
}

/* The post a list covers: the user's own (HQ: post_id or all); false
 * when the reader sees none. */
static bool
list_post(struct ch_ctx *ctx, const char *post_id, const char **out)
{
	*out = post_id != NULL && *post_id ? post_id : NULL;
	if (ctx->who == NULL)
		return true;
	if (!ch_policy_allows(ctx->who, CH_PERM_INTEL_READ))
		return false;
	if (ch_policy_all_posts(ctx->who))
		return true;
	if (ctx->who->post_id[0] == '\0' ||
	    (*out != NULL && strcmp(*out, ctx->who->post_id) != 0))
		return false;
	*out = ctx->who->post_id;
	return true;
}

/* The newest reports linked to an actor or place that ctx may see. */
static ch_err
linked_reports(struct ch_ctx *ctx, struct ch_tx *tx, const char *actor_id,
    const char *place_id, struct ch_intel_report_page *out)
{
	struct ch_intel_report_filter f;
	struct ch_intel_scope scope;

	memset(out, 0, sizeof(*out));
	if (!ch_intel_scope_of(ctx, &scope))
		return CH_OK;
	memset(&f, 0, sizeof(f));
	f.actor_id = actor_id;
	f.place_id = place_id;
	f.limit = 100;
	return ch_store_intel_report_list(tx, &f, &scope, ctx->arena, out);
}

/* ---- threat actors ---- */

static ch_err
apply_actor(struct ch_ctx *ctx, const struct ch_intel_actor_input *in,
    struct ch_intel_actor *a)
{
	unsigned s = in->set;
	ch_err err;

	if ((s & CH_AF_POST_ID) &&
	    (err = check_post_id(ctx, in->post_id, a->post_id)) != CH_OK)
		return err;
	if (s & CH_AF_NAME) {
		if (!ch_text_check(&ctx->fault, "/name", in->name,
			CH_INTEL_NAME_MAX, CH_TEXT_REQUIRED | CH_TEXT_TRIMMED))
			return CH_ERR_INVALID;
		a->name = ch_arena_strdup(ctx->arena, in->name);
	}
	if ((s & CH_AF_KIND) && !ch_actor_kind_parse(in->kind, &a->kind))
		return ch_intel_bad_enum(
		    &ctx->fault, "/kind", "group, individual, state");
	if (s & CH_AF_ALIASES) {
		if (in->naliases > CH_INTEL_ALIASES_MAX) {
			ch_fault_set(&ctx->fault, "/aliases",
			    "at most %d aliases.", CH_INTEL_ALIASES_MAX);
			return CH_ERR_INVALID;
		}
		a->aliases = ch_arena_alloc(
		    ctx->arena, sizeof(*a->aliases) * (in->naliases + 1));
		if (a->aliases == NULL)
			return CH_ERR_NOMEM;
		a->naliases = 0;
		for (size_t i = 0; i < in->naliases; i++) {
			if (!ch_text_check(&ctx->fault, "/aliases",
				in->aliases[i], CH_INTEL_NAME_MAX,
				CH_TEXT_REQUIRED | CH_TEXT_TRIMMED))
				return CH_ERR_INVALID;
			a->aliases[a->naliases++] =
			    ch_arena_strdup(ctx->arena, in->aliases[i]);
		}
	}
	if (s & CH_AF_CATEGORIES) {
		a->categories = 0;
		for (size_t i = 0; i < in->ncategories; i++) {
			enum ch_threat_category c;

			if (!ch_threat_category_parse(in->categories[i], &c))
				return ch_intel_bad_enum(&ctx->fault,
				    "/categories",
				    "political_violence, terrorism, crime, "
				    "human_intelligence, technical_cyber");
			a->categories |= 1u << c;
		}
	}
	if (s & CH_AF_DESCRIPTION) {
		if (!ch_text_check(&ctx->fault, "/description", in->description,
			CH_INTEL_TEXT_MAX, CH_TEXT_MULTILINE))
			return CH_ERR_INVALID;
		a->description = ch_intel_dup_opt(ctx->arena, in->description);
	}
	if ((s & CH_AF_INCIDENTS) &&
	    (err = ch_intel_copy_ids(&ctx->fault, "/incident_ids",
		 in->incident_ids, in->nincidents, CH_INTEL_LINKS_MAX,
		 ctx->arena, &a->incident_ids, &a->nincidents)) != CH_OK)
		return err;
	return CH_OK;
}

static ch_err
finish_actor(struct ch_ctx *ctx, struct ch_tx *tx,
    const struct ch_intel_actor *a, const char *action, const char *event)
{
	struct ch_buf state;
	ch_err err;

	ch_buf_init(&state, 64 * 1024);
	ch_buf_appendf(&state,
	    "id=%s\npost=%s\nname=%s\nkind=%s\ncategories=%u\n"
	    "description=%s\nversion=%lld\n",
	    a->id, a->post_id, a->name, ch_actor_kind_code(a->kind),
	    a->categories, a->description ? a->description : "",
	    (long long)a->version);
	for (size_t i = 0; i < a->naliases; i++)
		ch_buf_appendf(&state, "alias=%s\n", a->aliases[i]);
	for (size_t i = 0; i < a->nincidents; i++)
		ch_buf_appendf(&state, "incident=%s\n", a->incident_ids[i]);
	err = ch_intel_finish(
	    ctx, tx, action, "intel_actor", a->id, a->post_id, &state, event);
	ch_buf_free(&state);
	return err;
}

ch_err
ch_intel_actor_create(struct ch_ctx *ctx, const struct ch_intel_actor_input *in,
    struct ch_intel_actor *out)
{
	struct ch_post post;
	struct ch_tx *tx = NULL;
	ch_err err;

	if (!(in->set & CH_AF_POST_ID) || !(in->set & CH_AF_NAME) ||
	    !(in->set & CH_AF_KIND)) {
		const char *f = !(in->set & CH_AF_POST_ID) ? "/post_id"
		    : !(in->set & CH_AF_NAME)              ? "/name"
							   : "/kind";

		ch_fault_set(&ctx->fault, f, "%s is required.", f + 1);
		return CH_ERR_INVALID;
	}
	if (ctx->who != NULL &&
	    !ch_policy_allows(ctx->who, CH_PERM_INTEL_WRITE))
		return CH_ERR_DENIED;
	memset(out, 0, sizeof(*out));
	if ((err = apply_actor(ctx, in, out)) != CH_OK)
		return err;
	ch_id_new(out->id);
	out->version = 1;
	ch_time_format(ch_clock_now(), out->created_at);
	memcpy(out->updated_at, out->created_at, sizeof(out->updated_at));
	if ((err = ch_store_begin(ctx->store, true, &tx)) != CH_OK)
		return err;
	if ((err = ch_posts_check_record(ctx, tx, out->post_id, &post)) !=
		CH_OK ||
	    (err = ch_intel_check_incidents(ctx, tx, out->post_id,
		 (const char(*)[CH_ID_LEN])out->incident_ids, out->nincidents,
		 "/incident_ids")) != CH_OK ||
	    (err = name_taken(ctx, ch_store_intel_actor_insert(tx, out),
		 "threat actor")) != CH_OK) {
		ch_store_rollback(tx);
		return err;
	}
	return finish_actor(
	    ctx, tx, out, "intel.actor.create", "intel.actor.created");
}

ch_err
ch_intel_actor_update(struct ch_ctx *ctx, const char *id,
    const struct ch_intel_actor_input *in, int64_t expected_version,
    struct ch_intel_actor *out)
{
	struct ch_intel_actor_input changes = *in;
	struct ch_tx *tx = NULL;
	ch_err err;

	if (!ch_id_valid(id))
		return CH_ERR_NOT_FOUND;
	changes.set &= ~(unsigned)CH_AF_POST_ID;
	if ((err = ch_store_begin(ctx->store, true, &tx)) != CH_OK)
		return err;
	err = ch_store_intel_actor_get(tx, id, ctx->arena, out);
	if (err == CH_OK &&
	    !ch_intel_post_permits(ctx, CH_PERM_INTEL_READ, out->post_id))
		err = CH_ERR_NOT_FOUND;
	if (err == CH_OK &&
	    !ch_intel_post_permits(ctx, CH_PERM_INTEL_WRITE, out->post_id))
		err = CH_ERR_DENIED;
	if (err == CH_OK && expected_version != 0 &&
	    expected_version != out->version)
		err = CH_ERR_PRECONDITION;
	if (err != CH_OK || (err = apply_actor(ctx, &changes, out)) != CH_OK)
		goto fail;
	if ((changes.set & CH_AF_INCIDENTS) &&
	    (err = ch_intel_check_incidents(ctx, tx, out->post_id,
		 (const char(*)[CH_ID_LEN])out->incident_ids, out->nincidents,
		 "/incident_ids")) != CH_OK)
		goto fail;
	ch_time_format(ch_clock_now(), out->updated_at);
	if ((err = name_taken(ctx,
		 ch_store_intel_actor_update(tx, out, out->version),
		 "threat actor")) != CH_OK)
		goto fail;
	return finish_actor(
	    ctx, tx, out, "intel.actor.update", "intel.actor.updated");

fail:
	ch_store_rollback(tx);
	return err;
}

ch_err
ch_intel_actor_get(
    struct ch_ctx *ctx, const char *id, struct ch_intel_actor_view *out)
{
	struct ch_tx *tx = NULL;
	ch_err err;

	memset(out, 0, sizeof(*out));
	if (!ch_id_valid(id))
		return CH_ERR_NOT_FOUND;
	if ((err = ch_store_begin(ctx->store, false, &tx)) != CH_OK)
		return err;
	err = ch_store_intel_actor_get(tx, id, ctx->arena, &out->actor);
	if (err == CH_OK &&
	    !ch_intel_post_permits(ctx, CH_PERM_INTEL_READ, out->actor.post_id))
		err = CH_ERR_NOT_FOUND;
	if (err == CH_OK)
		err = linked_reports(ctx, tx, id, NULL, &out->reports);
	if (err == CH_OK)
		err = ch_intel_incident_links(ctx, tx,
		    (const char(*)[CH_ID_LEN])out->actor.incident_ids,
		    out->actor.nincidents, &out->incidents, &out->nincidents);
	ch_store_rollback(tx);
	return err;
}

ch_err
ch_intel_actor_list(struct ch_ctx *ctx, const char *q,
    struct ch_intel_actor **out, size_t *count)
{
	struct ch_tx *tx = NULL;
	const char *post;
	ch_err err;

	*out = NULL;
	*count = 0;
	if (!list_post(ctx, NULL, &post))
		return CH_OK;
	if ((err = ch_store_begin(ctx->store, false, &tx)) != CH_OK)
		return err;
	err = ch_store_intel_actor_list(tx, post, q, ctx->arena, out, count);
	ch_store_rollback(tx);
	return err;
}

/* ---- named places ---- */

static ch_err
bad_point(struct ch_ctx *ctx, const char *field)
{
	ch_fault_set(&ctx->fault, field,
	    "latitude must be within -90..90 and longitude within "
	    "-180..180.");
	return CH_ERR_INVALID;
}

static bool
point_ok(double lat, double lon)
{
	return isfinite(lat) && isfinite(lon) && fabs(lat) <= 90 &&
	    fabs(lon) <= 180;
}

/* The area: a point or circle needs a centre (and a radius), a polygon
 * 3 or more vertices whose mean is its centre. */
static ch_err
apply_area(struct ch_ctx *ctx, const struct ch_intel_place_input *in,
    struct ch_intel_place *p)
{
	if (!ch_area_kind_parse(in->area, &p->area))
		return ch_intel_bad_enum(
		    &ctx->fault, "/area", "point, circle, polygon");
	p->radius_m = 0;
	p->polygon = NULL;
	p->npolygon = 0;
	if (p->area == CH_AREA_POLYGON) {
		double lat = 0, lon = 0;

		if (in->npolygon < 3 || in->npolygon > CH_INTEL_POLYGON_MAX) {
			ch_fault_set(&ctx->fault, "/polygon",
			    "a polygon has 3 to %d vertices.",
			    CH_INTEL_POLYGON_MAX);
			return CH_ERR_INVALID;
		}
		p->polygon = ch_arena_alloc(
		    ctx->arena, sizeof(*p->polygon) * in->npolygon);
		if (p->polygon == NULL)
			return CH_ERR_NOMEM;
		for (size_t i = 0; i < in->npolygon; i++) {
			if (!point_ok(in->polygon[i].latitude,
				in->polygon[i].longitude))
				return bad_point(ctx, "/polygon");
			p->polygon[i] = in->polygon[i];
			lat += in->polygon[i].latitude;
			lon += in->polygon[i].longitude;
		}
		p->npolygon = in->npolygon;
		p->latitude = lat / (double)in->npolygon;
		p->longitude = lon / (double)in->npolygon;
		return CH_OK;
	}
	if (!in->has_centre) {
		ch_fault_set(&ctx->fault, "/latitude",
		    "a %s needs latitude and longitude.",
		    ch_area_kind_code(p->area));
		return CH_ERR_INVALID;
	}
	if (!point_ok(in->latitude, in->longitude))
		return bad_point(ctx, "/latitude");
	p->latitude = in->latitude;
	p->longitude = in->longitude;
	if (p->area == CH_AREA_CIRCLE) {
		if (!in->has_radius || !isfinite(in->radius_m) ||
		    in->radius_m <= 0 || in->radius_m > PLACE_RADIUS_MAX_M) {
			ch_fault_set(&ctx->fault, "/radius_m",
			    "a circle needs radius_m, more than 0 and at "
			    "most %.0f metres.",
			    PLACE_RADIUS_MAX_M);
			return CH_ERR_INVALID;
		}
		p->radius_m = in->radius_m;
	}
	return CH_OK;
}

static ch_err
apply_place(struct ch_ctx *ctx, const struct ch_intel_place_input *in,
    struct ch_intel_place *p)
{
	unsigned s = in->set;
	ch_err err;

	if ((s & CH_LF_POST_ID) &&
	    (err = check_post_id(ctx, in->post_id, p->post_id)) != CH_OK)
		return err;
	if (s & CH_LF_NAME) {
		if (!ch_text_check(&ctx->fault, "/name", in->name,
			CH_INTEL_NAME_MAX, CH_TEXT_REQUIRED | CH_TEXT_TRIMMED))
			return CH_ERR_INVALID;
		p->name = ch_arena_strdup(ctx->arena, in->name);
	}
	if (s & CH_LF_DESCRIPTION) {
		if (!ch_text_check(&ctx->fault, "/description", in->description,
			CH_INTEL_NOTE_MAX, CH_TEXT_MULTILINE))
			return CH_ERR_INVALID;
		p->description = ch_intel_dup_opt(ctx->arena, in->description);
	}
	if ((s & CH_LF_AREA) && (err = apply_area(ctx, in, p)) != CH_OK)
		return err;
	if ((s & CH_LF_INCIDENTS) &&
	    (err = ch_intel_copy_ids(&ctx->fault, "/incident_ids",
		 in->incident_ids, in->nincidents, CH_INTEL_LINKS_MAX,
		 ctx->arena, &p->incident_ids, &p->nincidents)) != CH_OK)
		return err;
	return CH_OK;
}

/* Distance and bearing of the place from its post, when it has a
 * location. */
static void
relate(struct ch_intel_place *p, const struct ch_post *post)
{
	p->has_relative = post->has_location;
	if (!post->has_location)
		return;
	p->distance_m = ch_geo_distance_m(
	    post->latitude, post->longitude, p->latitude, p->longitude);
	p->bearing_deg = ch_geo_bearing_deg(
	    post->latitude, post->longitude, p->latitude, p->longitude);
}

static ch_err
finish_place(struct ch_ctx *ctx, struct ch_tx *tx,
    const struct ch_intel_place *p, const char *action, const char *event)
{
	struct ch_buf state;
	ch_err err;

	ch_buf_init(&state, 64 * 1024);
	ch_buf_appendf(&state,
	    "id=%s\npost=%s\nname=%s\ndescription=%s\narea=%s\n"
	    "centre=%.6f,%.6f\nradius=%.1f\nversion=%lld\n",
	    p->id, p->post_id, p->name, p->description ? p->description : "",
	    ch_area_kind_code(p->area), p->latitude, p->longitude, p->radius_m,
	    (long long)p->version);
	for (size_t i = 0; i < p->npolygon; i++)
		ch_buf_appendf(&state, "vertex=%.6f,%.6f\n",
		    p->polygon[i].latitude, p->polygon[i].longitude);
	for (size_t i = 0; i < p->nincidents; i++)
		ch_buf_appendf(&state, "incident=%s\n", p->incident_ids[i]);
	err = ch_intel_finish(
	    ctx, tx, action, "intel_place", p->id, p->post_id, &state, event);
	ch_buf_free(&state);
	return err;
}

ch_err
ch_intel_place_create(struct ch_ctx *ctx, const struct ch_intel_place_input *in,
    struct ch_intel_place *out)
{
	struct ch_post post;
	struct ch_tx *tx = NULL;
	ch_err err;

	if (!(in->set & CH_LF_POST_ID) || !(in->set & CH_LF_NAME) ||
	    !(in->set & CH_LF_AREA)) {
		const char *f = !(in->set & CH_LF_POST_ID) ? "/post_id"
		    : !(in->set & CH_LF_NAME)              ? "/name"
							   : "/area";

		ch_fault_set(&ctx->fault, f, "%s is required.", f + 1);
		return CH_ERR_INVALID;
	}
	if (ctx->who != NULL &&
	    !ch_policy_allows(ctx->who, CH_PERM_INTEL_WRITE))
		return CH_ERR_DENIED;
	memset(out, 0, sizeof(*out));
	if ((err = apply_place(ctx, in, out)) != CH_OK)
		return err;
	ch_id_new(out->id);
	out->version = 1;
	ch_time_format(ch_clock_now(), out->created_at);
	memcpy(out->updated_at, out->created_at, sizeof(out->updated_at));
	if ((err = ch_store_begin(ctx->store, true, &tx)) != CH_OK)
		return err;
	if ((err = ch_posts_check_record(ctx, tx, out->post_id, &post)) !=
		CH_OK ||
	    (err = ch_intel_check_incidents(ctx, tx, out->post_id,
		 (const char(*)[CH_ID_LEN])out->incident_ids, out->nincidents,
		 "/incident_ids")) != CH_OK ||
	    (err = name_taken(ctx, ch_store_intel_place_insert(tx, out),
		 "named place")) != CH_OK) {
		ch_store_rollback(tx);
		return err;
	}
	relate(out, &post);
	return finish_place(
	    ctx, tx, out, "intel.place.create", "intel.place.created");
}

ch_err
ch_intel_place_update(struct ch_ctx *ctx, const char *id,
    const struct ch_intel_place_input *in, int64_t expected_version,
    struct ch_intel_place *out)
{
	struct ch_intel_place_input changes = *in;
	struct ch_post post;
	struct ch_tx *tx = NULL;
	ch_err err;

	if (!ch_id_valid(id))
		return CH_ERR_NOT_FOUND;
	changes.set &= ~(unsigned)CH_LF_POST_ID;
	if ((err = ch_store_begin(ctx->store, true, &tx)) != CH_OK)
		return err;
	err = ch_store_intel_place_get(tx, id, ctx->arena, out);
	if (err == CH_OK &&
	    !ch_intel_post_permits(ctx, CH_PERM_INTEL_READ, out->post_id))
		err = CH_ERR_NOT_FOUND;
	if (err == CH_OK &&
	    !ch_intel_post_permits(ctx, CH_PERM_INTEL_WRITE, out->post_id))
		err = CH_ERR_DENIED;
	if (err == CH_OK && expected_version != 0 &&
	    expected_version != out->version)
		err = CH_ERR_PRECONDITION;
	if (err != CH_OK || (err = apply_place(ctx, &changes, out)) != CH_OK ||
	    (err = ch_store_post_get(tx, out->post_id, ctx->arena, &post)) !=
		CH_OK)
		goto fail;
	if ((changes.set & CH_LF_INCIDENTS) &&
	    (err = ch_intel_check_incidents(ctx, tx, out->post_id,
		 (const char(*)[CH_ID_LEN])out->incident_ids, out->nincidents,
		 "/incident_ids")) != CH_OK)
		goto fail;
	ch_time_format(ch_clock_now(), out->updated_at);
	if ((err = name_taken(ctx,
		 ch_store_intel_place_update(tx, out, out->version),
		 "named place")) != CH_OK)
		goto fail;
	relate(out, &post);
	return finish_place(
	    ctx, tx, out, "intel.place.update", "intel.place.updated");

fail:
	ch_store_rollback(tx);
	return err;
}

ch_err
ch_intel_place_get(
    struct ch_ctx *ctx, const char *id, struct ch_intel_place_view *out)
{
	struct ch_post post;
	struct ch_tx *tx = NULL;
	ch_err err;

	memset(out, 0, sizeof(*out));
	if (!ch_id_valid(id))
		return CH_ERR_NOT_FOUND;
	if ((err = ch_store_begin(ctx->store, false, &tx)) != CH_OK)
		return err;
	err = ch_store_intel_place_get(tx, id, ctx->arena, &out->place);
	if (err == CH_OK &&
	    !ch_intel_post_permits(ctx, CH_PERM_INTEL_READ, out->place.post_id))
		err = CH_ERR_NOT_FOUND;
	if (err == CH_OK)
		err = ch_store_post_get(
		    tx, out->place.post_id, ctx->arena, &post);
	if (err == CH_OK) {
		relate(&out->place, &post);
		err = linked_reports(ctx, tx, NULL, id, &out->reports);
	}
	if (err == CH_OK)
		err = ch_intel_incident_links(ctx, tx,
		    (const char(*)[CH_ID_LEN])out->place.incident_ids,
		    out->place.nincidents, &out->incidents, &out->nincidents);
	ch_store_rollback(tx);
	return err;
}

ch_err
ch_intel_place_list(struct ch_ctx *ctx, const char *q,
    struct ch_intel_place **out, size_t *count)
{
	struct ch_tx *tx = NULL;
	const char *post;
	ch_err err;

	*out = NULL;
	*count = 0;
	if (!list_post(ctx, NULL, &post))
		return CH_OK;
	if ((err = ch_store_begin(ctx->store, false, &tx)) != CH_OK)
		return err;
	err = ch_store_intel_place_list(tx, post, q, ctx->arena, out, count);
	/* Relative positions from each place's own post. */
	for (size_t i = 0; err == CH_OK && i < *count; i++) {
		struct ch_post p;

		err = ch_store_post_get(tx, (*out)[i].post_id, ctx->arena, &p);
		if (err == CH_OK)
			relate(&(*out)[i], &p);
	}
	ch_store_rollback(tx);
	return err;
}
