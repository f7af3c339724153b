/*
 * posts.c — the use cases over posts and their zones.
 */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "core/audit.h"
#include "core/events.h"
#include "people/people.h"
#include "store/store.h"

static const char *const post_kinds[CH_POST_KIND__COUNT] = {
    [CH_POST_EMBASSY] = "embassy",
    [CH_POST_CONSULATE] = "consulate",
    [CH_POST_MISSION] = "mission",
};

static const char *const zone_levels[CH_ZONE_LEVEL__COUNT] = {
    [CH_ZONE_PUBLIC] = "public",
    [CH_ZONE_CONTROLLED] = "controlled",
    [CH_ZONE_RESTRICTED] = "restricted",
};

const char *
ch_post_kind_code(enum ch_post_kind k)
{
	return (unsigned)k < CH_POST_KIND__COUNT ? post_kinds[k] : "embassy";
}

bool
ch_post_kind_parse(const char *s, enum ch_post_kind *out)
{
	for (int i = 0; s != NULL && i < CH_POST_KIND__COUNT; i++) {
		if (strcmp(s, post_kinds[i]) == 0) {
			*out = (enum ch_post_kind)i;
			return true;
		}
	}
	return false;
}

const char *
ch_zone_level_code(enum ch_zone_level l)
{
	return (unsigned)l < CH_ZONE_LEVEL__COUNT ? zone_levels[l]
						  : "restricted";
}

bool
ch_zone_level_parse(const char *s, enum ch_zone_level *out)
{
	for (int i = 0; s != NULL && i < CH_ZONE_LEVEL__COUNT; i++) {
		if (strcmp(s, zone_levels[i]) == 0) {
			*out = (enum ch_zone_level)i;
			return true;
		}
	}
	return false;
}

static bool
short_text(const char *s, long max)
{
	long n;

	if (s == NULL || *s == '\0')
		return false;
	n = ch_utf8_length(s, strlen(s));
	return n > 0 && n <= max;
}

/* Audit, commit and publish one write. */
static ch_err
finish(struct ch_ctx *ctx, struct ch_tx *tx, const char *action,
    const char *type, const char *id, const char *post_id, const char *state)
{
	struct ch_audit_entry e = {
	    action, type, id, post_id, state, strlen(state)};
	struct ch_event ev;
	ch_err err;

	if ((err = ch_audit_append(tx, ctx, &e)) != CH_OK) {
		ch_store_rollback(tx);
		return err;
	}
	if ((err = ch_store_commit(tx)) != CH_OK)
		return err;
	ev = (struct ch_event){action, type, id, post_id, ch_clock_now()};
	ch_events_publish(&ev);
	return CH_OK;
}

ch_err
ch_posts_create(
    struct ch_ctx *ctx, const struct ch_post *in, struct ch_post *out)
{
	struct ch_tx *tx = NULL;
	char state[1024];
	ch_err err;

	if (!short_text(in->name, CH_TEXT_MAX)) {
		ch_fault_set(&ctx->fault, "/name",
		    "name is required, at most %d characters.", CH_TEXT_MAX);
		return CH_ERR_INVALID;
	}
	if (strlen(in->country) != 2 || in->country[0] < 'A' ||
	    in->country[0] > 'Z' || in->country[1] < 'A' ||
	    in->country[1] > 'Z') {
		ch_fault_set(&ctx->fault, "/country",
		    "country must be an ISO 3166-1 alpha-2 code, e.g. KE.");
		return CH_ERR_INVALID;
	}
	if (!short_text(in->city, CH_TEXT_MAX)) {
		ch_fault_set(&ctx->fault, "/city", "city is required.");
		return CH_ERR_INVALID;
	}
	if (!short_text(in->timezone, 64) || strchr(in->timezone, ' ')) {
		ch_fault_set(&ctx->fault, "/timezone",
		    "timezone must be an IANA time zone such as "
		    "Africa/Nairobi.");
		return CH_ERR_INVALID;
	}
	if (in->has_location &&
	    (!isfinite(in->latitude) || fabs(in->latitude) > 90 ||
		!isfinite(in->longitude) || fabs(in->longitude) > 180)) {
		ch_fault_set(&ctx->fault, "/latitude",
		    "latitude must be within ±90 and longitude within ±180.");
		return CH_ERR_INVALID;
	}
	*out = *in;
	out->name = ch_arena_strdup(ctx->arena, in->name);
	out->city = ch_arena_strdup(ctx->arena, in->city);
	out->timezone = ch_arena_strdup(ctx->arena, in->timezone);
	ch_id_new(out->id);
	out->version = 1;
	ch_time_format(ch_clock_now(), out->created_at);
	memcpy(out->updated_at, out->created_at, sizeof(out->updated_at));
	if ((err = ch_store_begin(ctx->store, true, &tx)) != CH_OK)
		return err;
	if ((err = ch_store_post_insert(tx, out)) != CH_OK) {
		ch_store_rollback(tx);
		if (err == CH_ERR_CONFLICT)
			ch_fault_set(&ctx->fault, "/name",
			    "a post named \"%s\" already exists.", in->name);
		return err;
	}
	snprintf(state, sizeof(state),
	    "id=%s\nname=%s\nkind=%s\ncountry=%s\ncity=%s\ntz=%s\n", out->id,
	    out->name, ch_post_kind_code(out->kind), out->country, out->city,
	    out->timezone);
	return finish(ctx, tx, "post.create", "post", out->id, out->id, state);
}

ch_err
ch_posts_list(struct ch_ctx *ctx, struct ch_post **out, size_t *count)
{
	struct ch_tx *tx = NULL;
	const char *scope = NULL;
	ch_err err;

	if (ctx->who != NULL && !ch_policy_all_posts(ctx->who)) {
		scope = ctx->who->post_id;
		if (*scope == '\0') {
			*out = NULL;
			*count = 0;
			return CH_OK;
		}
	}
	if ((err = ch_store_begin(ctx->store, false, &tx)) != CH_OK)
		return err;
	err = ch_store_post_list(tx, scope, ctx->arena, out, count);
	ch_store_rollback(tx);
	return err;
}

ch_err
ch_posts_get(struct ch_ctx *ctx, const char *id, struct ch_post *out)
{
	struct ch_tx *tx = NULL;
	ch_err err;

	if (!ch_id_valid(id) || !ch_ctx_sees_post(ctx, id))
		return CH_ERR_NOT_FOUND;
	if ((err = ch_store_begin(ctx->store, false, &tx)) != CH_OK)
		return err;
	err = ch_store_post_get(tx, id, ctx->arena, out);
	ch_store_rollback(tx);
	return err;
}

ch_err
ch_posts_check_record(struct ch_ctx *ctx, struct ch_tx *tx, const char *post_id,
    struct ch_post *out)
{
	ch_err err;

	if (!ch_ctx_sees_post(ctx, post_id)) {
		ch_fault_set(&ctx->fault, "/post_id",
		    "you are not assigned to that post.");
		return CH_ERR_INVALID;
	}
	err = ch_store_post_get(tx, post_id, ctx->arena, out);
	if (err == CH_ERR_NOT_FOUND) {
		ch_fault_set(
		    &ctx->fault, "/post_id", "no post has the id %s.", post_id);
		return CH_ERR_INVALID;
	}
	return err;
}

ch_err
ch_zones_create(
    struct ch_ctx *ctx, const struct ch_zone *in, struct ch_zone *out)
{
	struct ch_zone parent;
	struct ch_post post;
	struct ch_tx *tx = NULL;
	char state[1024];
	ch_err err;

	if (!ch_id_valid(in->post_id) || !ch_ctx_sees_post(ctx, in->post_id))
		return CH_ERR_NOT_FOUND;
	if (!short_text(in->name, CH_TEXT_MAX)) {
		ch_fault_set(&ctx->fault, "/name",
		    "name is required, at most %d characters.", CH_TEXT_MAX);
		return CH_ERR_INVALID;
	}
	*out = *in;
	out->name = ch_arena_strdup(ctx->arena, in->name);
	ch_id_new(out->id);
	out->version = 1;
	ch_time_format(ch_clock_now(), out->created_at);
	memcpy(out->updated_at, out->created_at, sizeof(out->updated_at));
	if ((err = ch_store_begin(ctx->store, true, &tx)) != CH_OK)
		return err;
	if ((err = ch_store_post_get(tx, in->post_id, ctx->arena, &post)) !=
	    CH_OK)
		goto fail;
	if (in->parent_id[0] != '\0') {
		err = ch_id_valid(in->parent_id)
		    ? ch_store_zone_get(tx, in->parent_id, ctx->arena, &parent)
		    : CH_ERR_NOT_FOUND;
		if (err == CH_OK && strcmp(parent.post_id, in->post_id) != 0)
			err = CH_ERR_NOT_FOUND;
		if (err == CH_ERR_NOT_FOUND) {
			ch_fault_set(&ctx->fault, "/parent_id",
			    "the parent zone is not a zone of this post.");
			err = CH_ERR_INVALID;
			goto fail;
		}
		if (err != CH_OK)
			goto fail;
		if (in->level < parent.level ||
		    in->required_clearance < parent.required_clearance) {
			ch_fault_set(&ctx->fault, "/level",
			    "a zone inside \"%s\" cannot be less protected "
			    "than it (level %s, clearance %s).",
			    parent.name, ch_zone_level_code(parent.level),
			    ch_clearance_code(parent.required_clearance));
			err = CH_ERR_INVALID;
			goto fail;
		}
	}
	if ((err = ch_store_zone_insert(tx, out)) != CH_OK) {
		if (err == CH_ERR_CONFLICT)
			ch_fault_set(&ctx->fault, "/name",
			    "this post already has a zone named \"%s\".",
			    in->name);
		goto fail;
	}
	snprintf(state, sizeof(state),
	    "id=%s\npost=%s\nparent=%s\nname=%s\nlevel=%s\nclearance=%s\n"
	    "escort=%d\n",
	    out->id, out->post_id, out->parent_id, out->name,
	    ch_zone_level_code(out->level),
	    ch_clearance_code(out->required_clearance), out->escort_required);
	return finish(
	    ctx, tx, "zone.create", "zone", out->id, out->post_id, state);
fail:
	ch_store_rollback(tx);
	return err;
}

ch_err
ch_zones_list(struct ch_ctx *ctx, const char *post_id, struct ch_zone **out,
    size_t *count)
{
	struct ch_tx *tx = NULL;
	ch_err err;

	*out = NULL;
	*count = 0;
	if (!ch_id_valid(post_id) || !ch_ctx_sees_post(ctx, post_id))
		return CH_ERR_NOT_FOUND;
	if ((err = ch_store_begin(ctx->store, false, &tx)) != CH_OK)
		return err;
	err = ch_store_zone_list(tx, post_id, ctx->arena, out, count);
	ch_store_rollback(tx);
	return err;
}
