/*
 * context.c — small helpers over the use-case context.
 */
#include "core/context.h"

const char *
ch_ctx_actor(const struct ch_ctx *ctx)
{
	if (ctx->who == NULL)
		return "system";
	return ctx->who->username;
}

bool
ch_ctx_sees_post(const struct ch_ctx *ctx, const char *post_id)
{
	if (ctx->who == NULL)
		return true;
	return ch_policy_sees_post(ctx->who, post_id);
}

bool
ch_ctx_permits(
    const struct ch_ctx *ctx, enum ch_perm perm, const struct ch_label *rec)
{
	if (ctx->who == NULL)
		return true;
	return ch_policy_permits(ctx->who, perm, rec);
}

bool
ch_ctx_may_classify(struct ch_ctx *ctx, enum ch_clearance classification)
{
	if (ctx->who == NULL || classification <= ctx->who->clearance)
		return true;
	ch_fault_set(&ctx->fault, "/classification",
	    "%s is above your clearance (%s).",
	    ch_clearance_code(classification),
	    ch_clearance_code(ctx->who->clearance));
	return false;
}
