/*
 * rating_reports.c — the graded intelligence reports the rating formula
 * counts, read through the intelligence module's store: every active,
 * unrefuted report of the post reported since the lookback began.  The
 * score counts them all (a rating is the post's, the same for every
 * reader); a report's id and title are shown only to a reader who may
 * read it (intel.read, clearance, TLP:RED recipients).
 */
#include <string.h>

#include "intel/intel.h"
#include "risks/ratings.h"
#include "store/store.h"

/* Whether reader may read the report (no logging: this is a display
 * decision, not a refusal). */
static bool
readable(const struct ch_principal *reader, const struct ch_intel_report *r)
{
	if (reader == NULL)
		return true;
	if (!ch_policy_allows(reader, CH_PERM_INTEL_READ) ||
	    !ch_policy_sees_post(reader, r->post_id) ||
	    reader->clearance < r->classification)
		return false;
	if (r->tlp != CH_TLP_RED)
		return true;
	for (size_t i = 0; i < r->nrecipients; i++)
		if (strcmp(r->recipients[i], reader->user_id) == 0)
			return true;
	return false;
}

ch_err
ch_rating_reports_load(struct ch_tx *tx, const char *post_id, int64_t since,
    int64_t until, const struct ch_principal *reader, ch_arena *arena,
    struct ch_rating_report **out, size_t *count)
{
	struct ch_intel_rating_row *rows = NULL;
	char stamp[CH_TIMESTAMP_LEN];
	size_t n = 0;
	ch_err err;

	(void)until;
	*out = NULL;
	*count = 0;
	ch_time_format(since, stamp);
	err = ch_store_intel_reports_for_rating(
	    tx, post_id, stamp, arena, &rows, &n);
	if (err != CH_OK)
		return err;
	*out = ch_arena_alloc(arena, sizeof(**out) * (n + 1));
	if (*out == NULL)
		return CH_ERR_NOMEM;
	for (size_t i = 0; i < n; i++) {
		const struct ch_intel_rating_row *x = &rows[i];
		struct ch_rating_report *r = &(*out)[*count];
		struct ch_intel_report full;

		/* Known from when the source reported it, as an incident is
		 * from its report: a report entered late still counts from
		 * then in a history computed for the first time. */
		if (!ch_time_parse(x->reported_at, &r->issued_at) ||
		    !ch_time_parse(x->valid_from, &r->valid_from))
			continue;
		r->recorded_at = r->issued_at;
		if (x->valid_until[0] == '\0' ||
		    !ch_time_parse(x->valid_until, &r->valid_until))
			r->valid_until = 0;
		r->category = (enum ch_threat_category)x->category;
		r->reliability = x->reliability;
		r->credibility = x->credibility;
		r->id = ch_arena_strdup(arena, x->id);
		err = ch_store_intel_report_get(tx, x->id, arena, &full);
		if (err != CH_OK)
			return err;
		r->visible = readable(reader, &full);
		r->title = full.title;
		(*count)++;
	}
	return CH_OK;
}
