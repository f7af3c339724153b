/*
 * intel_int.h — shared by the files of src/intel only: the checks and the
 * write ending (audit, commit, event) that reports, sources, actors and
 * places have in common.
 */
#ifndef CH_INTEL_INT_H
#define CH_INTEL_INT_H

#include "intel/intel.h"

struct ch_tx;

/* Whether ctx may exercise perm on report r (its label). */
bool ch_intel_report_permits(
    struct ch_ctx *ctx, enum ch_perm perm, const struct ch_intel_report *r);
/* Whether ctx may exercise perm on a record that carries only a post
 * (sources, actors, places). */
bool ch_intel_post_permits(
    struct ch_ctx *ctx, enum ch_perm perm, const char *post_id);
/* Fill the fault for a value not in its list; CH_ERR_INVALID. */
ch_err ch_intel_bad_enum(
    struct ch_fault *fault, const char *field, const char *list);
/* Parse an ISO 8601 UTC time into its canonical form; past_only refuses
 * a time more than five minutes ahead. */
bool ch_intel_check_time(struct ch_fault *fault, const char *field,
    const char *s, bool past_only, char out[CH_TIMESTAMP_LEN]);
/* NULL for NULL or "", else a copy in a. */
char *ch_intel_dup_opt(ch_arena *a, const char *s);
/* Copy up to max ids, checked and without repeats, into *out (room for
 * one more). */
ch_err ch_intel_copy_ids(struct ch_fault *fault, const char *field,
    const char *const *in, size_t n, size_t max, ch_arena *a,
    char (**out)[CH_ID_LEN], size_t *count);
/* Each id is an incident of post_id that ctx may read. */
ch_err ch_intel_check_incidents(struct ch_ctx *ctx, struct ch_tx *tx,
    const char *post_id, const char (*ids)[CH_ID_LEN], size_t n,
    const char *field);
/* The linked incidents ctx may read, with their titles. */
ch_err ch_intel_incident_links(struct ch_ctx *ctx, struct ch_tx *tx,
    const char (*ids)[CH_ID_LEN], size_t n, struct ch_intel_link **out,
    size_t *count);
/* Audit state, commit and publish event; rolls back on failure. */
ch_err ch_intel_finish(struct ch_ctx *ctx, struct ch_tx *tx, const char *action,
    const char *object_type, const char *id, const char *post_id,
    const struct ch_buf *state, const char *event);

#endif /* CH_INTEL_INT_H */
