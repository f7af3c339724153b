/*
 * visitors.h — visitors of a post (DESIGN.md §2.3, issue 6 §4): a host
 * (a person of the post, through their user) pre-registers a visitor; the
 * visitor is screened against the watchlists at registration and again at
 * check-in (the screening module's use case, src/screening); an open or
 * confirmed hit holds the check-in until the security officer adjudicates
 * it.  Check-in issues a temporary credential bound to the visitor (the
 * credentials' visitor_id column) that grants the zones requested until
 * the expected departure; check-out revokes it.  A periodic sweep raises a
 * visitor_overstay alarm when a visitor is still checked in after the
 * window, marks visitors who never came as no-shows, and purges personal
 * data after the post's retention period.
 *
 * Status: expected -> checked_in -> checked_out; expected -> cancelled;
 * expected -> no_show (by the sweep after the window).  The identity
 * document (type, number, issuing country) is sealed with the vault.
 * Strings are owned by ctx->arena unless said otherwise.
 */
#ifndef CH_VISITORS_H
#define CH_VISITORS_H

#include "core/context.h"
#include "core/core.h"

struct ch_store;

#define CH_VISITOR_MAX_ZONES 16
#define CH_VISITOR_RETENTION_DEFAULT 90 /* days */

enum ch_visitor_status {
	CH_VISITOR_EXPECTED,
	CH_VISITOR_CHECKED_IN,
	CH_VISITOR_CHECKED_OUT,
	CH_VISITOR_CANCELLED,
	CH_VISITOR_NO_SHOW,
	CH_VISITOR_STATUS__COUNT
};
const char *ch_visitor_status_code(enum ch_visitor_status s);
bool ch_visitor_status_parse(const char *s, enum ch_visitor_status *out);

struct ch_visitor {
	char id[CH_ID_LEN];
	char post_id[CH_ID_LEN];
	char host_person_id[CH_ID_LEN];
	char *host_name; /* joined for reading */
	char *name;
	char *organisation;
	/* The identity document: sealed at rest; NULL when not revealed or
	 * absent (has_document says which). */
	char *doc_type, *doc_number, *doc_country;
	bool has_document;
	char *nationality;
	char date_of_birth[CH_DATE_LEN]; /* "" unknown */
	char *purpose;
	char arrival[CH_TIMESTAMP_LEN]; /* expected window */
	char departure[CH_TIMESTAMP_LEN];
	bool escort_required;
	char *zones; /* zone ids, comma-separated ("" none) */
	enum ch_visitor_status status;
	char escort_person_id[CH_ID_LEN];
	char *escort_name; /* joined */
	char credential_id[CH_ID_LEN];
	char *badge;
	char checked_in_at[CH_TIMESTAMP_LEN];
	char checked_out_at[CH_TIMESTAMP_LEN];
	char *checked_in_by, *checked_out_by;
	char overstay_alarm_id[CH_ID_LEN];
	char purged_at[CH_TIMESTAMP_LEN];
	/* Screening summary (joined): hits by status. */
	int64_t hits_open, hits_confirmed, hits_dismissed;
	char *created_by;
	int64_t version;
	char created_at[CH_TIMESTAMP_LEN];
	char updated_at[CH_TIMESTAMP_LEN];
};

/* What the kiosk shows of the screening: clear (no hit), hold (an open
 * hit waits for the security officer), refused (a hit confirmed) or
 * cleared (every hit dismissed). */
const char *ch_visitor_screening_state(const struct ch_visitor *v);

struct ch_visitor_input {
	const char *post_id;
	const char *host_person_id; /* NULL: the caller's own person */
	const char *name, *organisation;
	const char *doc_type, *doc_number, *doc_country;
	const char *nationality, *date_of_birth;
	const char *purpose;
	const char *arrival, *departure;
	bool escort_required;
	const char *const *zone_ids;
	size_t nzones;
};

struct ch_visitor_filter {
	const char *post_id;
	/* YYYY-MM-DD, or "today": visits whose window meets that day of the
	 * post's calendar (its time zone; UTC across every post). */
	const char *day;
	const char *status; /* a status code */
	const char *host_person_id;
	bool mine;          /* only the caller's own visitors */
	size_t limit;       /* 0: 200; at most 1000 */
	const char *cursor; /* the next_cursor of the page before */
};

/* A page of visits, by expected arrival. */
struct ch_visitor_page {
	struct ch_visitor *items;
	size_t count;
	char next_cursor[200]; /* opaque; "" at the end */
	char day[CH_DATE_LEN]; /* the day filtered on ("" for none) */
	char time_zone[64];    /* the zone of that day */
};

/* A hit holding a check-in, for the message and the kiosk. */
struct ch_visitor_hold {
	char hit_id[CH_ID_LEN];
	const char *status; /* open, confirmed */
	int score_permille;
	const char *entry_name, *list_name;
};

struct ch_checkin_input {
	const char *escort_person_id; /* required when the escort is */
	const char *badge;            /* NULL: one is made ("V-" ...) */
};

/* Register a visitor (permission visitors.register; a host registers
 * their own visitors, the security officer anyone's) and screen them. */
ch_err ch_visitors_register(struct ch_ctx *ctx,
    const struct ch_visitor_input *in, struct ch_visitor *out);
/* One visitor; reveal: also open the identity document (the desk and the
 * security officer).  The host sees their own visitors. */
ch_err ch_visitors_get(
    struct ch_ctx *ctx, const char *id, bool reveal, struct ch_visitor *out);
ch_err ch_visitors_list(struct ch_ctx *ctx, const struct ch_visitor_filter *f,
    struct ch_visitor_page *out);
/* expected -> cancelled (the host or the security officer). */
ch_err ch_visitors_cancel(
    struct ch_ctx *ctx, const char *id, struct ch_visitor *out);
/*
 * expected -> checked_in (visitors.desk): screens again; an open or
 * confirmed hit refuses with CH_ERR_CONFLICT and fills *hold (the attempt
 * is audited); an escort is required when the visit needs one; issues the
 * credential (valid now until the expected departure) with a grant rule
 * per zone requested.
 */
ch_err ch_visitors_check_in(struct ch_ctx *ctx, const char *id,
    const struct ch_checkin_input *in, struct ch_visitor *out,
    struct ch_visitor_hold *hold);
/* checked_in -> checked_out: revokes the credential, removes its rules. */
ch_err ch_visitors_check_out(
    struct ch_ctx *ctx, const char *id, struct ch_visitor *out);

/* The retention period of a post in days (visitors.read / .manage). */
ch_err ch_visitors_retention_get(
    struct ch_ctx *ctx, const char *post_id, int *days);
ch_err ch_visitors_retention_set(
    struct ch_ctx *ctx, const char *post_id, int days);
/* Purge the personal data of visits ended longer ago than the retention
 * period of their post (post_id NULL: every post the caller sees);
 * *count: how many. */
ch_err ch_visitors_purge(
    struct ch_ctx *ctx, const char *post_id, size_t *count);

/* The periodic pass at now (the system acts): overstay alarms, no-shows,
 * the retention purge.  Each count may be NULL. */
ch_err ch_visitors_sweep(struct ch_store *store, int64_t now, size_t *overstays,
    size_t *no_shows, size_t *purged);
/* A thread that sweeps every every_seconds; stop accepts none started. */
ch_err ch_visitors_sweeper_start(struct ch_store *store, int every_seconds);
void ch_visitors_sweeper_stop(void);

/* The CSV of a visitor log (CRLF rows, the header first when header;
 * formula-leading cells neutralised), appended to buf. */
ch_err ch_visitors_csv(
    const struct ch_visitor *v, size_t n, bool header, struct ch_buf *buf);

#endif /* CH_VISITORS_H */
