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

bool
ch_ctx_may_remark(struct ch_ctx *ctx, enum ch_clearance before_class,
    enum ch_tlp before_tlp, enum ch_clearance after_class,
    enum ch_tlp after_tlp)
{
	if ((after_class >= before_class && after_tlp >= before_tlp) ||
	    ctx->who == NULL ||
	    ch_policy_allows(ctx->who, CH_PERM_MARKINGS_LOWER))
		return true;
	if (after_class < before_class)
		ch_fault_set(&ctx->fault, "/classification",
		    "Lowering %s to %s releases the record to readers it was "
		    "kept from: that is the security officer's to do "
		    "(markings.lower).",
		    ch_clearance_code(before_class),
		    ch_clearance_code(after_class));
	else
		ch_fault_set(&ctx->fault, "/tlp",
		    "Loosening TLP:%s to TLP:%s releases the record to "
		    "readers it was kept from: that is the security "
		    "officer's to do (markings.lower).",
		    ch_tlp_code(before_tlp), ch_tlp_code(after_tlp));
	return false;
}
