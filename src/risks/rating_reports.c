/*
 * rating_reports.c — the graded intelligence reports the rating formula
 * counts, read from the intelligence module's store (pending its merge:
 * until then a post has no reports to count).
 */
#include "risks/ratings.h"

ch_err
ch_rating_reports_load(struct ch_tx *tx, const char *post_id, int64_t since,
    int64_t until, const struct ch_principal *reader, ch_arena *arena,
    struct ch_rating_report **out, size_t *count)
{
	(void)tx;
	(void)post_id;
	(void)since;
	(void)until;
	(void)reader;
	(void)arena;
	*out = NULL;
	*count = 0;
	return CH_OK;
}
