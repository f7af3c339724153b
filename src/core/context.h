/*
 * context.h — what a use case is called with: who asks, the store, memory
 * for the answer, where the request came from, and a fault to fill.  The
 * HTTP layer and the CLI each build one; domain modules read it and never
 * see HTTP or SQL.
 */
#ifndef CH_CORE_CONTEXT_H
#define CH_CORE_CONTEXT_H

#include "core/core.h"
#include "core/policy.h"

struct ch_store;

struct ch_ctx {
	struct ch_store *store;
	const struct ch_principal *who; /* NULL: the system itself (CLI) */
	ch_arena *arena;                /* answers live here */
	const char *request_id;         /* for the audit record */
	const char *source;             /* address or "cli" */
	struct ch_fault fault;          /* filled on CH_ERR_INVALID etc. */
};

/* The actor name recorded in audit: the username, or "system". */
const char *ch_ctx_actor(const struct ch_ctx *ctx);
/* Whether the principal may act on records of a post: the CLI (who ==
 * NULL) always may; otherwise ch_policy_sees_post(). */
bool ch_ctx_sees_post(const struct ch_ctx *ctx, const char *post_id);
/* The policy's decision for the context's principal; the CLI (who ==
 * NULL) acts as the system and always may. */
bool ch_ctx_permits(
    const struct ch_ctx *ctx, enum ch_perm perm, const struct ch_label *rec);

/* Whether the principal may mark a record with that classification (not
 * above their clearance; the CLI always may); false with the fault set
 * on "/classification". */
bool ch_ctx_may_classify(struct ch_ctx *ctx, enum ch_clearance classification);

/* Whether the principal may change a record's marking from before to
 * after: lowering its classification or loosening its TLP releases it to
 * readers it was kept from, and is the security officer's
 * (markings.lower; the CLI always may); false with the fault set on
 * "/classification" or "/tlp". */
bool ch_ctx_may_remark(struct ch_ctx *ctx, enum ch_clearance before_class,
    enum ch_tlp before_tlp, enum ch_clearance after_class,
    enum ch_tlp after_tlp);

#endif /* CH_CORE_CONTEXT_H */
