/*
 * intel.h — the intelligence picture of a post: sources and their track
 * record, graded intelligence reports, threat actors and named places.
 *
 * A report carries the Admiralty grading as two separate judgements that
 * are never combined into one field: the reliability of the source (A–F)
 * and the credibility of the information (1–6).  It carries a TLP 2.0
 * label and a classification and is read through ch_policy_decide() with
 * them, exactly like an incident; lists filter in the store by the same
 * rules.  A report is "open" while now lies within its validity window.
 * Later the report is assessed (confirmed or refuted), which feeds the
 * track record of its source; a source's suggested reliability comes
 * from that record and is shown beside the analyst's judgement, never
 * instead of it.
 *
 * Strings in the structs are owned by ctx->arena.
 */
#ifndef CH_INTEL_H
#define CH_INTEL_H

#include "core/context.h"
#include "core/core.h"
#include "incidents/incidents.h"

#define CH_INTEL_NAME_MAX 200      /* code points of a name or title */
#define CH_INTEL_SUMMARY_MAX 2000  /* code points of a summary */
#define CH_INTEL_TEXT_MAX 16000    /* code points of a report's text */
#define CH_INTEL_NOTE_MAX 2000     /* an outcome note, a description */
#define CH_INTEL_IDENTITY_MAX 1000 /* a source's true identity (sealed) */
#define CH_INTEL_LINKS_MAX 50      /* actors, places, incidents per record */
#define CH_INTEL_RECIPIENTS_MAX 50
#define CH_INTEL_ALIASES_MAX 20
#define CH_INTEL_POLYGON_MAX 100 /* vertices */
#define CH_INTEL_HISTORY_MAX 200 /* gradings shown in a track record */

enum ch_source_kind {
	CH_SOURCE_HUMAN,
	CH_SOURCE_OPEN,      /* open source */
	CH_SOURCE_LIAISON,   /* a liaison partner (host or allied service) */
	CH_SOURCE_TECHNICAL, /* sensors, intercepts, cyber telemetry */
	CH_SOURCE__COUNT
};

enum ch_report_status {
	CH_REPORT_ACTIVE,
	CH_REPORT_WITHDRAWN,
	CH_REPORT_STATUS__COUNT
};

enum ch_report_outcome {
	CH_OUTCOME_UNASSESSED,
	CH_OUTCOME_CONFIRMED,
	CH_OUTCOME_REFUTED,
	CH_OUTCOME__COUNT
};

enum ch_actor_kind {
	CH_ACTOR_GROUP,
	CH_ACTOR_INDIVIDUAL,
	CH_ACTOR_STATE, /* a state actor, e.g. a hostile intelligence service */
	CH_ACTOR_KIND__COUNT
};

enum ch_area_kind {
	CH_AREA_POINT,
	CH_AREA_CIRCLE,  /* centre + radius */
	CH_AREA_POLYGON, /* vertices; the centre is their centroid */
	CH_AREA__COUNT
};

struct ch_intel_source {
	char id[CH_ID_LEN];
	char post_id[CH_ID_LEN];
	char *name; /* code name, unique at the post */
	enum ch_source_kind kind;
	char reliability; /* the analyst's judgement, 'A'..'F' */
	char *description;
	char *identity;    /* sealed at rest; NULL unless revealed */
	bool has_identity; /* an identity is on file */
	bool active;
	int64_t version;
	char created_at[CH_TIMESTAMP_LEN];
	char updated_at[CH_TIMESTAMP_LEN];
};

/* One grading in a source's history. */
struct ch_intel_grading {
	char report_id[CH_ID_LEN];
	char reported_at[CH_TIMESTAMP_LEN];
	char reliability;
	int credibility;
	enum ch_report_outcome outcome;
	enum ch_report_status status;
};

/* What a source's reports came to, among those the reader may see. */
struct ch_intel_track {
	int64_t total;
	int64_t by_outcome[CH_OUTCOME__COUNT];
	int64_t withdrawn;
	int64_t by_reliability[6]; /* A..F */
	int64_t by_credibility[6]; /* 1..6 */
	char suggested;            /* 'A'..'F' from the outcomes */
	const char *suggestion_reason;
	struct ch_intel_grading *history; /* newest first */
	size_t nhistory;
};

struct ch_intel_report {
	char id[CH_ID_LEN];
	char post_id[CH_ID_LEN];
	char source_id[CH_ID_LEN];
	enum ch_threat_category category;
	char reliability; /* 'A'..'F', of the source for this report */
	int credibility;  /* 1..6, of the information */
	char *title;
	char *summary;
	char *body;
	enum ch_clearance classification;
	enum ch_tlp tlp;
	char (*recipients)[CH_ID_LEN]; /* TLP:RED: user ids */
	size_t nrecipients;
	char valid_from[CH_TIMESTAMP_LEN];
	char valid_until[CH_TIMESTAMP_LEN];
	char reported_at[CH_TIMESTAMP_LEN]; /* when the source reported it */
	enum ch_report_status status;
	enum ch_report_outcome outcome;
	char *outcome_note;
	char outcome_at[CH_TIMESTAMP_LEN]; /* "" while unassessed */
	char author_user_id[CH_ID_LEN];
	char author_person_id[CH_ID_LEN];
	char (*actor_ids)[CH_ID_LEN];
	size_t nactors;
	char (*place_ids)[CH_ID_LEN];
	size_t nplaces;
	char (*incident_ids)[CH_ID_LEN];
	size_t nincidents;
	int64_t version;
	char created_at[CH_TIMESTAMP_LEN];
	char updated_at[CH_TIMESTAMP_LEN];
	/* Filled on read: */
	char *source_name;
	enum ch_source_kind source_kind;
};

struct ch_intel_actor {
	char id[CH_ID_LEN];
	char post_id[CH_ID_LEN];
	char *name;
	enum ch_actor_kind kind;
	char **aliases;
	size_t naliases;
	unsigned categories; /* bits (1u << enum ch_threat_category) */
	char *description;
	char (*incident_ids)[CH_ID_LEN];
	size_t nincidents;
	int64_t version;
	char created_at[CH_TIMESTAMP_LEN];
	char updated_at[CH_TIMESTAMP_LEN];
};

struct ch_geo_point {
	double latitude, longitude;
};

struct ch_intel_place {
	char id[CH_ID_LEN];
	char post_id[CH_ID_LEN];
	char *name;
	char *description;
	enum ch_area_kind area;
	double latitude, longitude;   /* the point, centre or centroid */
	double radius_m;              /* CH_AREA_CIRCLE */
	struct ch_geo_point *polygon; /* CH_AREA_POLYGON */
	size_t npolygon;
	char (*incident_ids)[CH_ID_LEN];
	size_t nincidents;
	int64_t version;
	char created_at[CH_TIMESTAMP_LEN];
	char updated_at[CH_TIMESTAMP_LEN];
	/* Filled on read when the post has a location: */
	bool has_relative;
	double distance_m;  /* great-circle, post to the centre */
	double bearing_deg; /* initial bearing from the post, 0..360 */
};

/* Who a list is for: the store filters by it, with the detail's rules. */
struct ch_intel_scope {
	const char *post_id; /* NULL: every post (HQ, the system) */
	int clearance_max;   /* classification rank at most this */
	const char *user_id; /* TLP:RED only when named; NULL: the system */
};

struct ch_intel_report_filter {
	bool has_category, has_status, has_outcome;
	enum ch_threat_category category;
	enum ch_report_status status;
	enum ch_report_outcome outcome;
	const char *source_id;
	const char *actor_id;
	const char *place_id;
	const char *incident_id;
	const char *open_at; /* valid_from <= open_at <= valid_until */
	const char *since;   /* reported_at >= since */
	const char *until;   /* reported_at < until */
	const char *cursor;
	int limit;
};

struct ch_intel_report_page {
	struct ch_intel_report *items;
	size_t count;
	char next_cursor[200]; /* opaque; "" at the end */
};

/* ---- codes, parsers and words ---- */
const char *ch_source_kind_code(enum ch_source_kind k);
bool ch_source_kind_parse(const char *s, enum ch_source_kind *out);
const char *ch_report_status_code(enum ch_report_status s);
bool ch_report_status_parse(const char *s, enum ch_report_status *out);
const char *ch_report_outcome_code(enum ch_report_outcome o);
bool ch_report_outcome_parse(const char *s, enum ch_report_outcome *out);
const char *ch_actor_kind_code(enum ch_actor_kind k);
bool ch_actor_kind_parse(const char *s, enum ch_actor_kind *out);
const char *ch_area_kind_code(enum ch_area_kind k);
bool ch_area_kind_parse(const char *s, enum ch_area_kind *out);

/* Admiralty grading: each half is checked and described on its own. */
bool ch_reliability_parse(const char *s, char *out); /* "A".."F" */
bool ch_credibility_valid(long v);                   /* 1..6 */
/* "usually reliable", ...; NULL for a letter outside A–F. */
const char *ch_reliability_text(char r);
/* "probably true", ...; NULL outside 1..6. */
const char *ch_credibility_text(int c);
/* "B2 — usually reliable, probably true" into out. */
void ch_grading_format(char r, int c, char *out, size_t size);

/*
 * The reliability a source's record suggests: F (cannot be judged) below
 * CH_INTEL_TRACK_MIN assessed reports, else a letter by the share of its
 * assessed reports that were confirmed (table in intel.c).  *why (may be
 * NULL) says which rule gave it, in words.
 */
#define CH_INTEL_TRACK_MIN 3
char ch_intel_suggest_reliability(
    int64_t confirmed, int64_t refuted, const char **why);

/* Geometry relative to a post. */
double ch_geo_distance_m(double lat1, double lon1, double lat2, double lon2);
double ch_geo_bearing_deg(double lat1, double lon1, double lat2, double lon2);
/* Whether the report is open (valid) at time `at` (ISO UTC). */
bool ch_intel_report_open(const struct ch_intel_report *r, const char *at);

/* What the policy judges a report by; recipients point into r. */
struct ch_label ch_intel_report_label(
    const struct ch_intel_report *r, const char **recipients, size_t max);

/* ---- requests ---- */
enum ch_intel_report_field {
	CH_RF_POST_ID = 1u << 0,
	CH_RF_SOURCE_ID = 1u << 1,
	CH_RF_CATEGORY = 1u << 2,
	CH_RF_RELIABILITY = 1u << 3,
	CH_RF_CREDIBILITY = 1u << 4,
	CH_RF_TITLE = 1u << 5,
	CH_RF_SUMMARY = 1u << 6,
	CH_RF_BODY = 1u << 7,
	CH_RF_CLASSIFICATION = 1u << 8,
	CH_RF_TLP = 1u << 9,
	CH_RF_RECIPIENTS = 1u << 10,
	CH_RF_VALID_FROM = 1u << 11,
	CH_RF_VALID_UNTIL = 1u << 12,
	CH_RF_REPORTED_AT = 1u << 13,
	CH_RF_ACTORS = 1u << 14,
	CH_RF_PLACES = 1u << 15,
	CH_RF_INCIDENTS = 1u << 16,
};

/* Enumerations travel as text so that the use case says what is wrong. */
struct ch_intel_report_input {
	unsigned set;
	const char *post_id;
	const char *source_id;
	const char *category;
	const char *reliability;
	long credibility;
	const char *title;
	const char *summary;
	const char *body;
	const char *classification;
	const char *tlp;
	const char *const *recipients;
	size_t nrecipients;
	const char *valid_from;
	const char *valid_until;
	const char *reported_at; /* default: now */
	const char *const *actor_ids;
	size_t nactors;
	const char *const *place_ids;
	size_t nplaces;
	const char *const *incident_ids;
	size_t nincidents;
	/* The system (ctx->who == NULL) names the author. */
	const char *author_user_id;
};

enum ch_intel_source_field {
	CH_SF_POST_ID = 1u << 0,
	CH_SF_NAME = 1u << 1,
	CH_SF_KIND = 1u << 2,
	CH_SF_RELIABILITY = 1u << 3,
	CH_SF_DESCRIPTION = 1u << 4,
	CH_SF_IDENTITY = 1u << 5,
	CH_SF_ACTIVE = 1u << 6,
};

struct ch_intel_source_input {
	unsigned set;
	const char *post_id;
	const char *name;
	const char *kind;
	const char *reliability;
	const char *description;
	const char *identity; /* "" or NULL clears it */
	bool active;
};

enum ch_intel_actor_field {
	CH_AF_POST_ID = 1u << 0,
	CH_AF_NAME = 1u << 1,
	CH_AF_KIND = 1u << 2,
	CH_AF_ALIASES = 1u << 3,
	CH_AF_CATEGORIES = 1u << 4,
	CH_AF_DESCRIPTION = 1u << 5,
	CH_AF_INCIDENTS = 1u << 6,
};

struct ch_intel_actor_input {
	unsigned set;
	const char *post_id;
	const char *name;
	const char *kind;
	const char *const *aliases;
	size_t naliases;
	const char *const *categories;
	size_t ncategories;
	const char *description;
	const char *const *incident_ids;
	size_t nincidents;
};

enum ch_intel_place_field {
	CH_LF_POST_ID = 1u << 0,
	CH_LF_NAME = 1u << 1,
	CH_LF_DESCRIPTION = 1u << 2,
	CH_LF_AREA = 1u << 3, /* area, centre, radius and polygon together */
	CH_LF_INCIDENTS = 1u << 4,
};

struct ch_intel_place_input {
	unsigned set;
	const char *post_id;
	const char *name;
	const char *description;
	const char *area;
	bool has_centre;
	double latitude, longitude;
	bool has_radius;
	double radius_m;
	const struct ch_geo_point *polygon;
	size_t npolygon;
	const char *const *incident_ids;
	size_t nincidents;
};

/* A report as shown: its record, its source, the grading in words and
 * the titles of the links the reader may see. */
struct ch_intel_link {
	char id[CH_ID_LEN];
	char *name; /* NULL when the reader may not see the linked record */
};

struct ch_intel_report_view {
	struct ch_intel_report report;
	struct ch_intel_source source;
	struct ch_intel_link *actors, *places, *incidents;
	size_t nactors, nplaces, nincidents;
	struct ch_timeline_entry *timeline;
	size_t ntimeline;
};

struct ch_intel_source_view {
	struct ch_intel_source source;
	struct ch_intel_track track;
};

struct ch_intel_actor_view {
	struct ch_intel_actor actor;
	struct ch_intel_report_page reports; /* newest, readable ones */
	struct ch_intel_link *incidents;
	size_t nincidents;
};

struct ch_intel_place_view {
	struct ch_intel_place place;
	struct ch_intel_report_page reports;
	struct ch_intel_link *incidents;
	size_t nincidents;
};

/* ---- intel.c: reports ---- */
ch_err ch_intel_report_create(struct ch_ctx *ctx,
    const struct ch_intel_report_input *in, struct ch_intel_report *out);
ch_err ch_intel_report_update(struct ch_ctx *ctx, const char *id,
    const struct ch_intel_report_input *in, int64_t expected_version,
    struct ch_intel_report *out);
/* Record what the report came to (confirmed, refuted, unassessed). */
ch_err ch_intel_report_assess(struct ch_ctx *ctx, const char *id,
    const char *outcome, const char *note, struct ch_intel_report *out);
/* Withdraw a report ("withdrawn": it no longer counts anywhere), or
 * reinstate it ("active"). */
ch_err ch_intel_report_set_status(struct ch_ctx *ctx, const char *id,
    const char *status, struct ch_intel_report *out);
ch_err ch_intel_report_get(
    struct ch_ctx *ctx, const char *id, struct ch_intel_report_view *out);
ch_err ch_intel_report_list(struct ch_ctx *ctx,
    const struct ch_intel_report_filter *f, struct ch_intel_report_page *out);
/* The scope a context reads reports with; false when it reads none. */
bool ch_intel_scope_of(const struct ch_ctx *ctx, struct ch_intel_scope *out);

/* ---- sources.c: the registry ---- */
ch_err ch_intel_source_create(struct ch_ctx *ctx,
    const struct ch_intel_source_input *in, struct ch_intel_source *out);
ch_err ch_intel_source_update(struct ch_ctx *ctx, const char *id,
    const struct ch_intel_source_input *in, int64_t expected_version,
    struct ch_intel_source *out);
/* With reveal, the sealed identity too (needs intel.identity;
 * the reveal is audited). */
ch_err ch_intel_source_get(struct ch_ctx *ctx, const char *id, bool reveal,
    struct ch_intel_source_view *out);
ch_err ch_intel_source_list(struct ch_ctx *ctx, const char *post_id,
    struct ch_intel_source **out, struct ch_intel_track **tracks,
    size_t *count);

/* ---- actors.c: threat actors and named places ---- */
ch_err ch_intel_actor_create(struct ch_ctx *ctx,
    const struct ch_intel_actor_input *in, struct ch_intel_actor *out);
ch_err ch_intel_actor_update(struct ch_ctx *ctx, const char *id,
    const struct ch_intel_actor_input *in, int64_t expected_version,
    struct ch_intel_actor *out);
ch_err ch_intel_actor_get(
    struct ch_ctx *ctx, const char *id, struct ch_intel_actor_view *out);
ch_err ch_intel_actor_list(struct ch_ctx *ctx, const char *q,
    struct ch_intel_actor **out, size_t *count);
ch_err ch_intel_place_create(struct ch_ctx *ctx,
    const struct ch_intel_place_input *in, struct ch_intel_place *out);
ch_err ch_intel_place_update(struct ch_ctx *ctx, const char *id,
    const struct ch_intel_place_input *in, int64_t expected_version,
    struct ch_intel_place *out);
ch_err ch_intel_place_get(
    struct ch_ctx *ctx, const char *id, struct ch_intel_place_view *out);
ch_err ch_intel_place_list(struct ch_ctx *ctx, const char *q,
    struct ch_intel_place **out, size_t *count);

#endif /* CH_INTEL_H */
