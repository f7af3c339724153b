/*
 * sources.c — the registry of intelligence sources of a post: a code name,
 * a kind, the analyst's judgement of its reliability, and — sealed in the
 * vault — who the source really is.  Only the security officer sets or
 * sees the identity, and every reveal is audited.  A source's track
 * record (its reports by outcome and their gradings) is computed from the
 * reports the reader may see, with a suggested reliability shown beside
 * the analyst's, never replacing it.
 */
#include <string.h>

#include "core/audit.h"
#include "intel/intel.h"
#include "intel/intel_int.h"
#include "store/store.h"

static ch_err
apply(struct ch_ctx *ctx, const struct ch_intel_source_input *in,
    struct ch_intel_source *s)
{
	unsigned set = in->set;

	if (set & CH_SF_POST_ID) {
		if (!ch_id_valid(in->post_id)) {
			ch_fault_set(&ctx->fault, "/post_id",
			    "post_id must be the id of a post.");
			return CH_ERR_INVALID;
		}
		ch_strlcpy(s->post_id, in->post_id, sizeof(s->post_id));
	}
	if (set & CH_SF_NAME) {
		if (!ch_text_check(&ctx->fault, "/name", in->name,
			CH_INTEL_NAME_MAX, CH_TEXT_REQUIRED | CH_TEXT_TRIMMED))
			return CH_ERR_INVALID;
		s->name = ch_arena_strdup(ctx->arena, in->name);
	}
	if ((set & CH_SF_KIND) && !ch_source_kind_parse(in->kind, &s->kind))
		return ch_intel_bad_enum(&ctx->fault, "/kind",
		    "human, open_source, liaison, technical");
	if ((set & CH_SF_RELIABILITY) &&
	    !ch_reliability_parse(in->reliability, &s->reliability)) {
		ch_fault_set(&ctx->fault, "/reliability",
		    "reliability is one letter A (completely reliable) to F "
		    "(cannot be judged).");
		return CH_ERR_INVALID;
	}
	if (set & CH_SF_DESCRIPTION) {
		if (!ch_text_check(&ctx->fault, "/description", in->description,
			CH_INTEL_NOTE_MAX, CH_TEXT_MULTILINE))
			return CH_ERR_INVALID;
		s->description = ch_intel_dup_opt(ctx->arena, in->description);
	}
	if (set & CH_SF_IDENTITY) {
		if (ctx->who != NULL &&
		    !ch_policy_allows(ctx->who, CH_PERM_INTEL_IDENTITY)) {
			ch_fault_set(&ctx->fault, "/identity",
			    "only the security officer records who a source "
			    "is (intel.identity).");
			return CH_ERR_DENIED;
		}
		if (!ch_text_check(&ctx->fault, "/identity", in->identity,
			CH_INTEL_IDENTITY_MAX, CH_TEXT_MULTILINE))
			return CH_ERR_INVALID;
		s->identity = ch_intel_dup_opt(ctx->arena, in->identity);
	}
	if (set & CH_SF_ACTIVE)
		s->active = in->active;
	return CH_OK;
}

/* The audit state: the identity only as present or not (a hash of a
 * name could be guessed). */
static ch_err
finish(struct ch_ctx *ctx, struct ch_tx *tx, const struct ch_intel_source *s,
    bool has_identity, const char *action, const char *event)
{
	struct ch_buf state;
	ch_err err;

	ch_buf_init(&state, 64 * 1024);
	ch_buf_appendf(&state,
	    "id=%s\npost=%s\nname=%s\nkind=%s\nreliability=%c\n"
	    "description=%s\nidentity=%s\nactive=%d\nversion=%lld\n",
	    s->id, s->post_id, s->name, ch_source_kind_code(s->kind),
	    s->reliability, s->description ? s->description : "",
	    has_identity ? "sealed" : "none", s->active ? 1 : 0,
	    (long long)s->version);
	err = ch_intel_finish(
	    ctx, tx, action, "intel_source", s->id, s->post_id, &state, event);
	ch_buf_free(&state);
	return err;
}

/* A name already used at the post. */
static ch_err
name_taken(struct ch_ctx *ctx, ch_err err)
{
	if (err == CH_ERR_CONFLICT)
		ch_fault_set(&ctx->fault, "/name",
		    "another source of this post has that name.");
	return err;
}

ch_err
ch_intel_source_create(struct ch_ctx *ctx,
    const struct ch_intel_source_input *in, struct ch_intel_source *out)
{
	struct ch_post post;
	struct ch_tx *tx = NULL;
	ch_err err;

	if (!(in->set & CH_SF_POST_ID) || !(in->set & CH_SF_NAME) ||
	    !(in->set & CH_SF_KIND)) {
		const char *f = !(in->set & CH_SF_POST_ID) ? "/post_id"
		    : !(in->set & CH_SF_NAME)              ? "/name"
							   : "/kind";

		ch_fault_set(&ctx->fault, f, "%s is required.", f + 1);
		return CH_ERR_INVALID;
	}
	if (ctx->who != NULL &&
	    !ch_policy_allows(ctx->who, CH_PERM_INTEL_SOURCES))
		return CH_ERR_DENIED;
	memset(out, 0, sizeof(*out));
	out->reliability = 'F'; /* not judged until the analyst says */
	out->active = true;
	if ((err = apply(ctx, in, out)) != CH_OK)
		return err;
	ch_id_new(out->id);
	out->version = 1;
	out->has_identity = out->identity != NULL;
	ch_time_format(ch_clock_now(), out->created_at);
	memcpy(out->updated_at, out->created_at, sizeof(out->updated_at));
	if ((err = ch_store_begin(ctx->store, true, &tx)) != CH_OK)
		return err;
	if ((err = ch_posts_check_record(ctx, tx, out->post_id, &post)) !=
		CH_OK ||
	    (err = name_taken(ctx,
		 ch_store_intel_source_insert(tx, out, ctx->arena))) != CH_OK) {
		ch_store_rollback(tx);
		return err;
	}
	err = finish(ctx, tx, out, out->has_identity, "intel.source.create",
	    "intel.source.created");
	out->identity = NULL; /* never echoed */
	return err;
}

ch_err
ch_intel_source_update(struct ch_ctx *ctx, const char *id,
    const struct ch_intel_source_input *in, int64_t expected_version,
    struct ch_intel_source *out)
{
	struct ch_intel_source_input changes = *in;
	struct ch_tx *tx = NULL;
	ch_err err;

	if (!ch_id_valid(id))
		return CH_ERR_NOT_FOUND;
	changes.set &= ~(unsigned)CH_SF_POST_ID;
	if ((err = ch_store_begin(ctx->store, true, &tx)) != CH_OK)
		return err;
	err = ch_store_intel_source_get(tx, id, false, ctx->arena, out);
	if (err == CH_OK &&
	    !ch_intel_post_permits(ctx, CH_PERM_INTEL_SOURCES, out->post_id))
		err = CH_ERR_NOT_FOUND;
	if (err == CH_OK && expected_version != 0 &&
	    expected_version != out->version)
		err = CH_ERR_PRECONDITION;
	if (err != CH_OK || (err = apply(ctx, &changes, out)) != CH_OK)
		goto fail;
	ch_time_format(ch_clock_now(), out->updated_at);
	if ((err = name_taken(ctx,
		 ch_store_intel_source_update(tx, out, out->version))) != CH_OK)
		goto fail;
	if (changes.set & CH_SF_IDENTITY) {
		if ((err = ch_store_intel_source_set_identity(
			 tx, id, out->identity, ctx->arena)) != CH_OK)
			goto fail;
		out->has_identity = out->identity != NULL;
	}
	err = finish(ctx, tx, out, out->has_identity, "intel.source.update",
	    "intel.source.updated");
	out->identity = NULL;
	return err;

fail:
	ch_store_rollback(tx);
	return err;
}

ch_err
ch_intel_source_get(struct ch_ctx *ctx, const char *id, bool reveal,
    struct ch_intel_source_view *out)
{
	struct ch_intel_scope scope;
	struct ch_tx *tx = NULL;
	ch_err err;

	memset(out, 0, sizeof(*out));
	if (!ch_id_valid(id))
		return CH_ERR_NOT_FOUND;
	if (reveal && ctx->who != NULL &&
	    !ch_policy_allows(ctx->who, CH_PERM_INTEL_IDENTITY))
		return CH_ERR_DENIED;
	if ((err = ch_store_begin(ctx->store, false, &tx)) != CH_OK)
		return err;
	err =
	    ch_store_intel_source_get(tx, id, reveal, ctx->arena, &out->source);
	if (err == CH_OK &&
	    !ch_intel_post_permits(
		ctx, CH_PERM_INTEL_SOURCES, out->source.post_id))
		err = CH_ERR_NOT_FOUND;
	if (err == CH_OK) {
		/* The record counts what the reader may see of the reports;
		 * one without intel.read sees counts of none. */
		if (ch_intel_scope_of(ctx, &scope))
			err = ch_store_intel_source_track(
			    tx, id, &scope, ctx->arena, &out->track);
		else
			out->track.suggested = ch_intel_suggest_reliability(
			    0, 0, &out->track.suggestion_reason);
	}
	ch_store_rollback(tx);
	if (err == CH_OK && reveal)
		err = ch_audit_read(ctx, "intel.source.reveal", "intel_source",
		    id, out->source.post_id);
	return err;
}

ch_err
ch_intel_source_list(struct ch_ctx *ctx, const char *post_id,
    struct ch_intel_source **out, struct ch_intel_track **tracks, size_t *count)
{
	struct ch_intel_scope scope;
	struct ch_tx *tx = NULL;
	const char *scope_post = post_id;
	bool reads;
	ch_err err;

	*out = NULL;
	*tracks = NULL;
	*count = 0;
	if (ctx->who != NULL) {
		if (!ch_policy_allows(ctx->who, CH_PERM_INTEL_SOURCES))
			return CH_OK;
		if (!ch_policy_all_posts(ctx->who)) {
			if (ctx->who->post_id[0] == '\0' ||
			    (post_id != NULL &&
				strcmp(post_id, ctx->who->post_id) != 0))
				return CH_OK;
			scope_post = ctx->who->post_id;
		}
	}
	reads = ch_intel_scope_of(ctx, &scope);
	if ((err = ch_store_begin(ctx->store, false, &tx)) != CH_OK)
		return err;
	err =
	    ch_store_intel_source_list(tx, scope_post, ctx->arena, out, count);
	if (err == CH_OK) {
		*tracks =
		    ch_arena_alloc(ctx->arena, sizeof(**tracks) * (*count + 1));
		if (*tracks == NULL)
			err = CH_ERR_NOMEM;
		else
			memset(*tracks, 0, sizeof(**tracks) * (*count + 1));
	}
	for (size_t i = 0; err == CH_OK && i < *count; i++) {
		if (reads)
			err = ch_store_intel_source_track(tx, (*out)[i].id,
			    &scope, ctx->arena, &(*tracks)[i]);
		else
			(*tracks)[i].suggested = ch_intel_suggest_reliability(
			    0, 0, &(*tracks)[i].suggestion_reason);
	}
	ch_store_rollback(tx);
	return err;
}
