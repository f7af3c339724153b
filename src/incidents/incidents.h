/*
 * incidents.h — security incidents at a post: what happened, where, when,
 * to whom, how bad, and how far it has been handled.  The status workflow
 * and the Vienna Convention articles that bear on an incident are tables
 * (incidents.c, vienna.c).  Every read goes through ch_policy_decide() with
 * the incident's label; lists filter in the store by the same rules.
 * Strings in the structs are owned by ctx->arena.
 */
#ifndef CH_INCIDENTS_H
#define CH_INCIDENTS_H

#include "core/audit.h"
#include "core/context.h"
#include "core/core.h"
#include "people/people.h"

#define CH_INCIDENT_TITLE_MAX 200   /* code points */
#define CH_INCIDENT_TEXT_MAX 8000   /* code points of the description */
#define CH_INCIDENT_REASON_MAX 1000 /* code points of a transition reason */
#define CH_INCIDENT_PLACE_MAX 200   /* code points of a named place */
#define CH_INCIDENT_PEOPLE_MAX 50
#define CH_INCIDENT_RECIPIENTS_MAX 50
#define CH_INCIDENT_TIMELINE_MAX 500

enum ch_incident_type {
	CH_INC_TERRORIST_ATTACK,
	CH_INC_ESPIONAGE,
	CH_INC_CYBERATTACK,
	CH_INC_HOSTILE_PROTEST,
	CH_INC_KIDNAPPING_OR_ASSAULT,
	CH_INC_SABOTAGE,
	CH_INC_CRIME,
	CH_INC_SURVEILLANCE_DETECTED,
	CH_INC_OTHER,
	CH_INC_TYPE__COUNT
};

enum ch_threat_category {
	CH_THREAT_POLITICAL_VIOLENCE,
	CH_THREAT_TERRORISM,
	CH_THREAT_CRIME,
	CH_THREAT_HUMAN_INTELLIGENCE,
	CH_THREAT_TECHNICAL_CYBER,
	CH_THREAT__COUNT
};

/* CAP 1.2 severity. */
enum ch_severity {
	CH_SEV_EXTREME,
	CH_SEV_SEVERE,
	CH_SEV_MODERATE,
	CH_SEV_MINOR,
	CH_SEV_UNKNOWN,
	CH_SEV__COUNT
};

enum ch_incident_status {
	CH_IST_REPORTED,
	CH_IST_TRIAGED,
	CH_IST_INVESTIGATING,
	CH_IST_CLOSED,
	CH_IST__COUNT
};

/* Where, relative to the mission: decides which inviolability applies. */
enum ch_place_kind {
	CH_PLACE_PREMISES,  /* the premises of the mission or consulate */
	CH_PLACE_RESIDENCE, /* a diplomatic agent's private residence */
	CH_PLACE_ELSEWHERE, /* anywhere else */
	CH_PLACE__COUNT
};

enum ch_involvement {
	CH_ROLE_IN_VICTIM,
	CH_ROLE_IN_SUSPECT,
	CH_ROLE_IN_WITNESS,
	CH_ROLE_IN_REPORTER,
	CH_ROLE_IN_INVOLVED,
	CH_ROLE_IN__COUNT
};

struct ch_incident_person {
	char person_id[CH_ID_LEN];
	enum ch_involvement role;
	/* Filled on read: */
	struct ch_person person;
	struct ch_immunity_profile immunity;
	bool visible; /* the person record is one the reader may see */
};

struct ch_incident {
	char id[CH_ID_LEN];
	char post_id[CH_ID_LEN];
	enum ch_incident_type type;
	enum ch_threat_category category;
	enum ch_severity severity;
	enum ch_incident_status status;
	char *title;
	char *description;
	char zone_id[CH_ID_LEN]; /* "" when none */
	enum ch_place_kind place_kind;
	char *place_name; /* NULL when none */
	bool has_location;
	double latitude, longitude;
	char occurred_at[CH_TIMESTAMP_LEN];
	char reported_at[CH_TIMESTAMP_LEN];
	char reporter_user_id[CH_ID_LEN];   /* "" for the system */
	char reporter_person_id[CH_ID_LEN]; /* the reporter's person, or "" */
	enum ch_clearance classification;
	enum ch_tlp tlp;
	char (*recipients)[CH_ID_LEN]; /* TLP:RED: user ids */
	size_t nrecipients;
	struct ch_incident_person *people;
	size_t npeople;
	int64_t version;
	char created_at[CH_TIMESTAMP_LEN];
	char updated_at[CH_TIMESTAMP_LEN];
};

/* Bits of the fields present in a create or update request. */
enum ch_incident_field {
	CH_IF_POST_ID = 1u << 0,
	CH_IF_TYPE = 1u << 1,
	CH_IF_CATEGORY = 1u << 2,
	CH_IF_SEVERITY = 1u << 3,
	CH_IF_TITLE = 1u << 4,
	CH_IF_DESCRIPTION = 1u << 5,
	CH_IF_ZONE_ID = 1u << 6,
	CH_IF_PLACE_KIND = 1u << 7,
	CH_IF_PLACE_NAME = 1u << 8,
	CH_IF_LOCATION = 1u << 9,
	CH_IF_OCCURRED_AT = 1u << 10,
	CH_IF_CLASSIFICATION = 1u << 11,
	CH_IF_TLP = 1u << 12,
	CH_IF_RECIPIENTS = 1u << 13,
	CH_IF_PEOPLE = 1u << 14,
	CH_IF_REPORTED_AT = 1u << 15,
};

struct ch_incident_person_input {
	const char *person_id;
	const char *role;
};

/* A create or update request; enumerations travel as text so that the
 * use case says what is wrong with them. */
struct ch_incident_input {
	unsigned set;
	const char *post_id;
	const char *type;
	const char *category;
	const char *severity;
	const char *title;
	const char *description;
	const char *zone_id;
	const char *place_kind;
	const char *place_name;
	bool has_location; /* with CH_IF_LOCATION: false clears it */
	double latitude, longitude;
	const char *occurred_at;
	const char *reported_at; /* default: now */
	const char *classification;
	const char *tlp;
	const char *const *recipients;
	size_t nrecipients;
	const struct ch_incident_person_input *people;
	size_t npeople;
	/* The system (ctx->who == NULL) names the reporter; ignored for a
	 * signed-in user, who is the reporter. */
	const char *reporter_user_id;
	const char *reporter_person_id;
};

struct ch_incident_filter {
	bool has_status, has_type, has_category, has_severity;
	enum ch_incident_status status;
	enum ch_incident_type type;
	enum ch_threat_category category;
	enum ch_severity severity;
	const char *since; /* occurred_at >= since */
	const char *until; /* occurred_at < until */
	const char *cursor;
	int limit;
};

/* Who the list is for: the store filters by it (see ch_incidents_list). */
struct ch_incident_scope {
	const char *post_id;   /* NULL: every post (HQ, the system) */
	int clearance_max;     /* classification rank at most this */
	const char *user_id;   /* TLP:RED only when named; NULL: system */
	const char *person_id; /* only incidents this person reported, or
				  NULL for any */
};

struct ch_incident_page {
	struct ch_incident *items;
	size_t count;
	char next_cursor[200]; /* opaque; "" at the end */
};

struct ch_incident_transition {
	char id[CH_ID_LEN];
	char incident_id[CH_ID_LEN];
	int64_t version; /* the incident's version the move made */
	enum ch_incident_status from, to;
	char *reason;
	char *actor;
	char at[CH_TIMESTAMP_LEN];
};

struct ch_vienna_facts;

/* One Vienna Convention article that bears on an incident. */
struct ch_vienna_rule {
	const char *code;       /* "vcdr-22" */
	const char *convention; /* "VCDR 1961" */
	const char *article;    /* "Art. 22" */
	const char *title;
	const char *explanation; /* plain words */
	bool (*applies)(const struct ch_vienna_facts *f);
};

/* An evidence file of an incident, as listed (the content is fetched on its
 * own).  sha256 is of the bytes uploaded, before encryption. */
struct ch_evidence {
	char id[CH_ID_LEN];
	char incident_id[CH_ID_LEN];
	char post_id[CH_ID_LEN]; /* the incident's, filled by ch_evidence_* */
	char *name;
	char *media_type;
	char *description; /* NULL when none */
	char *uploaded_by; /* the user's name */
	int64_t size;
	char sha256[65];
	char uploaded_at[CH_TIMESTAMP_LEN];
};

struct ch_incident_view {
	struct ch_incident incident;
	struct ch_evidence *evidence;
	size_t nevidence;
	char *zone_name; /* NULL when none */
	const struct ch_vienna_rule *articles[16];
	size_t narticles;
	struct ch_incident_transition *transitions;
	size_t ntransitions;
	struct ch_timeline_entry *timeline;
	size_t ntimeline;
};

/* Codes and parsers of the enumerations. */
const char *ch_incident_type_code(enum ch_incident_type t);
bool ch_incident_type_parse(const char *s, enum ch_incident_type *out);
const char *ch_threat_category_code(enum ch_threat_category c);
bool ch_threat_category_parse(const char *s, enum ch_threat_category *out);
const char *ch_severity_code(enum ch_severity s);
bool ch_severity_parse(const char *s, enum ch_severity *out);
const char *ch_incident_status_code(enum ch_incident_status s);
bool ch_incident_status_parse(const char *s, enum ch_incident_status *out);
const char *ch_place_kind_code(enum ch_place_kind k);
bool ch_place_kind_parse(const char *s, enum ch_place_kind *out);
const char *ch_involvement_code(enum ch_involvement r);
bool ch_involvement_parse(const char *s, enum ch_involvement *out);

/*
 * The status workflow: the permission a move from one status to another
 * needs, or CH_PERM_NONE when the move is not allowed at all.  Its audit
 * action ("incident.triage", ...) in *action when not NULL.
 */
enum ch_perm ch_incident_transition_perm(enum ch_incident_status from,
    enum ch_incident_status to, const char **action);

/* Whether the caller may do perm to inc under its label (role, post,
 * clearance, TLP and recipients). */
bool ch_incident_permits(
    struct ch_ctx *ctx, enum ch_perm perm, const struct ch_incident *inc);
/* What the policy judges an incident by; recipients point into inc. */
struct ch_label ch_incident_label(
    const struct ch_incident *inc, const char **recipients, size_t max);

/* ---- vienna.c: the articles that bear on an incident ---- */
/* The facts the rules look at: the incident, its people (with immunity
 * derived) and the kind of post. */
struct ch_vienna_facts {
	enum ch_incident_type type;
	enum ch_place_kind place;
	enum ch_post_kind post_kind;
	const char *host_country; /* ISO code of the host state */
	const struct ch_incident_person *people;
	size_t npeople;
};
/* The rule table, for the tests and the reference route. */
const struct ch_vienna_rule *ch_vienna_rules(size_t *count);
/* Whether rule i of the table applies to the facts. */
bool ch_vienna_rule_applies(size_t i, const struct ch_vienna_facts *f);
/* The rules that apply, in table order, into out (room for max). */
size_t ch_vienna_articles(const struct ch_vienna_facts *f,
    const struct ch_vienna_rule **out, size_t max);

/* ---- incidents.c: use cases ---- */
ch_err ch_incidents_report(struct ch_ctx *ctx,
    const struct ch_incident_input *in, struct ch_incident *out);
/* Change fields when the version is still expected_version (0: any). */
ch_err ch_incidents_update(struct ch_ctx *ctx, const char *id,
    const struct ch_incident_input *in, int64_t expected_version,
    struct ch_incident *out);
ch_err ch_incidents_transition(struct ch_ctx *ctx, const char *id,
    const char *to, const char *reason, struct ch_incident *out);
ch_err ch_incidents_get(
    struct ch_ctx *ctx, const char *id, struct ch_incident_view *out);
ch_err ch_incidents_list(struct ch_ctx *ctx, const struct ch_incident_filter *f,
    struct ch_incident_page *out);

/* ---- evidence.c: evidence files ---- */
#define CH_EVIDENCE_MAX_BYTES (10u * 1024 * 1024)
#define CH_EVIDENCE_PER_INCIDENT 50
#define CH_EVIDENCE_NAME_MAX 200 /* code points of a file name */
#define CH_EVIDENCE_DESCRIPTION_MAX 1000

/*
 * Check what an upload says about itself against its bytes: a file name
 * (1-200 code points, no path, no control characters, not hidden), the
 * declared media type (one of ch_evidence_types(), parameters ignored) and
 * the first bytes, which must be those of that type (a JPEG starts FF D8 FF,
 * a PDF "%PDF-", text is UTF-8 without NUL...).  *canonical is the type as
 * it will be stored and served.  CH_ERR_INVALID with the fault's field
 * "/name", "/media_type" or "/content" and advice.
 */
ch_err ch_evidence_check(const char *name, const char *declared,
    const void *data, size_t len, const char **canonical,
    struct ch_fault *fault);
/* The media types accepted, NULL-terminated. */
const char *const *ch_evidence_types(void);

/* Attach a file to an incident the caller may change: checked, hashed,
 * encrypted under a fresh key sealed by the vault, stored and audited with
 * its hash.  CH_ERR_CONFLICT past CH_EVIDENCE_PER_INCIDENT files. */
ch_err ch_evidence_add(struct ch_ctx *ctx, const char *incident_id,
    const char *name, const char *media_type, const char *description,
    const void *data, size_t len, struct ch_evidence *out);
/* The files of an incident the caller may read, oldest first. */
ch_err ch_evidence_list(struct ch_ctx *ctx, const char *incident_id,
    struct ch_evidence **out, size_t *count);
/* One file's content, decrypted and checked against its recorded hash
 * (CH_ERR_CRYPTO when either fails: the stored copy is not what was
 * uploaded).  *data is in ctx->arena. */
ch_err ch_evidence_content(struct ch_ctx *ctx, const char *incident_id,
    const char *evidence_id, struct ch_evidence *meta, const void **data,
    size_t *len);

#endif /* CH_INCIDENTS_H */
