/*
 * ratings.h — threat ratings per post and threat category on Low / Medium /
 * High / Critical: the official rating the security officer sets with a
 * rationale (every change kept), and a computed rating from recent
 * incidents and graded intelligence reports, explained.
 *
 * The formula (docs/ratings.md):
 *
 *   score = sum over incidents of the category, occurred in the last
 *           lookback days and reported by the time t:
 *               severity_weight(CAP severity) * exp(-age_days / tau)
 *         + sum over reports of the category valid at t:
 *               report_weight * reliability_weight(A-F)
 *                             * credibility_weight(1-6) * exp(-age_days / tau)
 *
 * and the level is the highest whose threshold the score reaches.  The
 * weights are the tables in ratings.c; tau, the lookback and the three
 * thresholds are per post settings with calibrated defaults.
 *
 * The computed rating is snapshotted per day (threat_computed_days): a read
 * brings the snapshots up to today, computing each missing past day as the
 * record stood at its end, and rewrites only today's row.  Past rows are
 * never rewritten, so the history is what the system said on each day.
 * Strings in the structs are owned by ctx->arena.
 */
#ifndef CH_RATINGS_H
#define CH_RATINGS_H

#include "core/context.h"
#include "core/core.h"
#include "incidents/incidents.h"

#define CH_RATING_RATIONALE_MAX 2000 /* code points */
#define CH_RATING_CONTRIBUTORS_MAX 5 /* listed in the explanation */
#define CH_RATING_HISTORY_DAYS 400   /* snapshots computed back at most */
#define CH_RATING_EXPLANATION_MAX 1200

enum ch_threat_level {
	CH_LEVEL_LOW,
	CH_LEVEL_MEDIUM,
	CH_LEVEL_HIGH,
	CH_LEVEL_CRITICAL,
	CH_LEVEL__COUNT
};

const char *ch_threat_level_code(enum ch_threat_level l); /* "Low", ... */
bool ch_threat_level_parse(const char *s, enum ch_threat_level *out);

/* The formula's per post settings. */
struct ch_rating_settings {
	double tau_days;   /* decay time constant, days */
	int lookback_days; /* incidents older than this do not count */
	double threshold[CH_LEVEL__COUNT]; /* [0] unused (0); Medium, High,
					      Critical: increasing */
	int disagree_days; /* flag when official and computed differ
			      at least this many days */
};
void ch_rating_settings_defaults(struct ch_rating_settings *s);
/* Whether settings are usable; fills fault when not. */
bool ch_rating_settings_check(
    const struct ch_rating_settings *s, struct ch_fault *fault);

/* An incident as the formula sees it. */
struct ch_rating_incident {
	const char *id;
	const char *title;
	enum ch_threat_category category;
	enum ch_severity severity;
	int64_t occurred_at, reported_at;
	bool visible; /* the reader may read it (else listed without title) */
};

/*
 * A graded intelligence report as the formula sees it: the interface the
 * intelligence module fills (ch_rating_reports_load in rating_reports.c).
 */
struct ch_rating_report {
	const char *id;
	const char *title;
	enum ch_threat_category category;
	char reliability;    /* 'A'..'F' */
	int credibility;     /* 1..6 */
	int64_t issued_at;   /* the age counts from here */
	int64_t recorded_at; /* known to the system from here */
	int64_t valid_from;  /* counts from here ... */
	int64_t valid_until; /* ... to here; 0: no end */
	bool visible;
};

/* Weights of the formula (tables in ratings.c). */
double ch_rating_severity_weight(enum ch_severity s);
double ch_rating_reliability_weight(char reliability);
double ch_rating_credibility_weight(int credibility);
extern const double ch_rating_report_weight;

struct ch_rating_contributor {
	bool report; /* else an incident */
	const char *id;
	const char *title; /* NULL when the reader may not read it */
	const char *grade; /* "Severe" or "B2" */
	double weight, decay, contribution;
	double age_days;
};

struct ch_rating_computed {
	enum ch_threat_category category;
	double score;
	enum ch_threat_level level;
	double incident_score, report_score;
	int nincidents, nreports; /* that count (within the lookback) */
	int nrecent;              /* incidents in the last 30 days */
	struct ch_rating_contributor top[CH_RATING_CONTRIBUTORS_MAX];
	size_t ntop;
	char explanation[CH_RATING_EXPLANATION_MAX];
};

/*
 * The computed rating of one category at time t from the given incidents
 * and reports (others' categories are skipped).  Pure: the unit tests
 * drive it directly.
 */
void ch_rating_compute(const struct ch_rating_settings *s,
    enum ch_threat_category category, int64_t t,
    const struct ch_rating_incident *incidents, size_t nincidents,
    const struct ch_rating_report *reports, size_t nreports,
    struct ch_rating_computed *out);
/* The level a score reaches under the settings' thresholds. */
enum ch_threat_level ch_rating_level_of(
    const struct ch_rating_settings *s, double score);

/* One change of the official rating. */
struct ch_rating_change {
	char id[CH_ID_LEN];
	char post_id[CH_ID_LEN];
	enum ch_threat_category category;
	bool has_from;
	enum ch_threat_level from, to;
	char *rationale;
	char *actor;
	char at[CH_TIMESTAMP_LEN];
};

/* One day's computed rating. */
struct ch_rating_day {
	enum ch_threat_category category;
	char day[CH_DATE_LEN];
	enum ch_threat_level level;
	double score;
};

struct ch_rating_view {
	enum ch_threat_category category;
	bool has_official;
	struct ch_rating_change official; /* the latest change */
	struct ch_rating_computed computed;
	bool differs; /* official set and unlike the computed */
	char disagree_since[CH_DATE_LEN]; /* first day of the difference */
	int disagree_days;                /* days it has lasted */
	bool disagreement; /* lasted at least the post's setting */
	int flagged_risks; /* linked risks flagged for review */
};

struct ch_ratings_report {
	char post_id[CH_ID_LEN];
	char as_of[CH_TIMESTAMP_LEN];
	struct ch_rating_settings settings;
	struct ch_rating_view category[CH_THREAT__COUNT];
	/* With history: */
	struct ch_rating_change *changes; /* newest first */
	size_t nchanges;
	struct ch_rating_day *days; /* oldest first */
	size_t ndays;
};

/* The reports the formula counts for a post, valid at some time in
 * [since, until]; rating_reports.c. */
struct ch_tx;
ch_err ch_rating_reports_load(struct ch_tx *tx, const char *post_id,
    int64_t since, int64_t until, const struct ch_principal *reader,
    ch_arena *arena, struct ch_rating_report **out, size_t *count);

/* ---- use cases (ratings.c) ---- */
/*
 * The ratings of a post now: official, computed with explanation, the
 * disagreement; with_history adds the official changes and days of
 * computed snapshots (history_days, at most CH_RATING_HISTORY_DAYS).
 * Brings the daily snapshots up to date first.
 */
ch_err ch_ratings_get(struct ch_ctx *ctx, const char *post_id,
    bool with_history, int history_days, struct ch_ratings_report *out);
/*
 * Set the official rating of a category with a rationale.  A rise flags
 * the risks linked to the category for review in the same transaction and
 * publishes threat.rating.raised after the commit (threat.rating.set
 * always).  The system (ctx->who == NULL) may give the time, for history
 * loaded from elsewhere; at NULL means now.
 */
ch_err ch_ratings_set(struct ch_ctx *ctx, const char *post_id,
    const char *category, const char *level, const char *rationale,
    const char *at, struct ch_rating_change *out, int *flagged);
/* One official change by id, for subscribers of threat.rating.raised
 * (the event's object_id): its post, category, from and to.  The reader
 * needs ratings.read on the post. */
ch_err ch_ratings_change_get(
    struct ch_ctx *ctx, const char *id, struct ch_rating_change *out);
/* Bring the daily snapshots of a post up to now. */
ch_err ch_ratings_refresh(struct ch_ctx *ctx, const char *post_id);
ch_err ch_ratings_settings_get(
    struct ch_ctx *ctx, const char *post_id, struct ch_rating_settings *out);
ch_err ch_ratings_settings_set(struct ch_ctx *ctx, const char *post_id,
    const struct ch_rating_settings *in);

#endif /* CH_RATINGS_H */
