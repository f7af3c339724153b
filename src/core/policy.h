/*
 * policy.h — who may do what.  Roles, clearances and permissions are data;
 * one function, ch_policy_allows(), decides every request from the route's
 * permission and the principal, ch_policy_decide() adds the record: its
 * post (HQ sees all), classification (no read up), TLP (RED: named
 * recipients only) and whose record it is.  Deny by default.
 */
#ifndef CH_CORE_POLICY_H
#define CH_CORE_POLICY_H

#include "core/core.h"

enum ch_role {
	CH_ROLE_SECURITY_OFFICER,
	CH_ROLE_ANALYST,
	CH_ROLE_GUARD,
	CH_ROLE_STAFF,
	CH_ROLE_EAC_MEMBER,
	CH_ROLE_HQ,
	CH_ROLE_ADMINISTRATOR,
	CH_ROLE__COUNT
};

enum ch_clearance {
	CH_CLEARANCE_UNCLASSIFIED,
	CH_CLEARANCE_SBU,
	CH_CLEARANCE_CONFIDENTIAL,
	CH_CLEARANCE_SECRET,
	CH_CLEARANCE__COUNT
};

/* What a route requires.  CH_PERM_PUBLIC needs no session. */
enum ch_perm {
	CH_PERM_NONE = 0, /* not a permission: a route with it is refused */
	CH_PERM_PUBLIC,
	CH_PERM_SESSION, /* any signed-in user */
	CH_PERM_POSTS_READ,
	CH_PERM_POSTS_WRITE,
	CH_PERM_PEOPLE_READ,
	CH_PERM_PEOPLE_WRITE,
	CH_PERM_USERS_READ,
	CH_PERM_USERS_WRITE,
	CH_PERM_METRICS,
	CH_PERM_AUDIT_READ,     /* the audit log, its checkpoints and proofs */
	CH_PERM_DEVICES_MANAGE, /* create, list and revoke device tokens */
	CH_PERM_DEVICE,         /* routes for devices (gate readers, panels) */
	CH_PERM_INCIDENTS_READ,
	CH_PERM_INCIDENTS_REPORT,
	CH_PERM_INCIDENTS_WRITE,
	CH_PERM_INCIDENTS_CLOSE,
	/* Intelligence: reports, actors, places; the source registry; the
	 * sealed identity of a source. */
	CH_PERM_INTEL_READ,
	CH_PERM_INTEL_WRITE,
	CH_PERM_INTEL_SOURCES,
	CH_PERM_INTEL_IDENTITY,
	CH_PERM_RATINGS_READ, /* threat ratings, their history and settings */
	CH_PERM_RATINGS_SET,  /* the official rating, the formula's settings */
	CH_PERM_RISKS_READ,   /* the risk register and its heat map */
	CH_PERM_RISKS_WRITE,  /* create, change and review risks; bands */
	CH_PERM_ACCESS_READ,  /* access log, occupancy, muster, set-up */
	CH_PERM_ACCESS_WRITE, /* points, credentials, schedules, rules */
	CH_PERM_ACCESS_POSTURE, /* change a post's posture */
	CH_PERM_ALARMS_HANDLE,  /* acknowledge and resolve alarms */
	/* Watchlist screening (issue 5): lists, screenings, adjudication. */
	CH_PERM_WATCHLISTS_READ,
	CH_PERM_WATCHLISTS_MANAGE,
	CH_PERM_SCREENING_RUN,
	CH_PERM_SCREENING_REVIEW,
	CH_PERM_SCREENING_ADJUDICATE,
	/* Visitors (issue 6 §4): hosts register their own visitors; the desk
	 * checks them in and out; the security officer manages retention. */
	CH_PERM_VISITORS_REGISTER,
	CH_PERM_VISITORS_READ,
	CH_PERM_VISITORS_DESK,
	CH_PERM_VISITORS_MANAGE,
	/* Lower a record's classification or loosen its TLP: what a marking
	 * keeps from readers is the security officer's to release. */
	CH_PERM_MARKINGS_LOWER,
	CH_PERM__COUNT
};
/* A permission's bit in a mask of permissions (device tokens). */
#define CH_PERM_BIT(p) ((uint64_t)1 << (unsigned)(p))
_Static_assert(CH_PERM__COUNT <= 64, "a permission mask holds 64 permissions");

/* The signed-in user (or, later, device) behind a request. */
struct ch_principal {
	char user_id[CH_ID_LEN];
	char username[65];
	char display_name[129];
	unsigned roles; /* bit (1u << enum ch_role) */
	enum ch_clearance clearance;
	char post_id[CH_ID_LEN]; /* the post the user is assigned to */
	char person_id[CH_ID_LEN];
	bool device;           /* a device token, not a user */
	uint64_t device_perms; /* devices: mask of CH_PERM_BIT(enum ch_perm) */
};

const char *ch_role_code(enum ch_role role);
bool ch_role_parse(const char *code, enum ch_role *out);
/* Parse "analyst,guard" into a role mask; false on an unknown role. */
bool ch_roles_parse(const char *list, unsigned *mask);
/* Write the mask as a comma-separated list into out. */
void ch_roles_format(unsigned mask, char *out, size_t size);

const char *ch_clearance_code(enum ch_clearance c);
bool ch_clearance_parse(const char *code, enum ch_clearance *out);

const char *ch_perm_code(enum ch_perm perm);
/* The roles that hold a permission, as a mask (for the OpenAPI document). */
unsigned ch_perm_roles(enum ch_perm perm);

/* Whether the principal holds the permission.  NULL principal: only
 * CH_PERM_PUBLIC. */
bool ch_policy_allows(const struct ch_principal *who, enum ch_perm perm);
/* Whether records of post_id are visible to the principal. */
bool ch_policy_sees_post(const struct ch_principal *who, const char *post_id);
/* Whether the principal sees every post (HQ). */
bool ch_policy_all_posts(const struct ch_principal *who);

/* TLP 2.0 labels, in increasing restriction. */
enum ch_tlp {
	CH_TLP_CLEAR,
	CH_TLP_GREEN,
	CH_TLP_AMBER,
	CH_TLP_AMBER_STRICT,
	CH_TLP_RED,
	CH_TLP__COUNT
};
const char *ch_tlp_code(enum ch_tlp tlp); /* "CLEAR", ..., "AMBER+STRICT" */
bool ch_tlp_parse(const char *code, enum ch_tlp *out);

/* What a record carries that the policy judges it by. */
struct ch_label {
	const char *post_id;              /* NULL: belongs to no post */
	enum ch_clearance classification; /* no read up */
	enum ch_tlp tlp;
	const char *owner_person_id;   /* the person it is about, or NULL */
	const char *const *recipients; /* TLP:RED: user ids named */
	size_t nrecipients;
};

/* Why a request was refused, for the log (never shown to the caller, who
 * gets 403 for a route and 404 for a record). */
enum ch_refusal {
	CH_ALLOWED = 0,
	CH_REFUSED_NO_SESSION,
	CH_REFUSED_ROLE,
	CH_REFUSED_POST,
	CH_REFUSED_CLEARANCE,
	CH_REFUSED_TLP,
};
const char *ch_refusal_text(enum ch_refusal r);

/*
 * The one decision: may who exercise perm on a record labelled rec (NULL:
 * no particular record, only the route)?  Allowed when the principal's
 * roles hold perm — or the record is about the principal's own person and
 * perm is one a person may exercise on their own record — and the record's
 * post is theirs (HQ: any), their clearance is at least the record's
 * classification, and its TLP admits them (RED: named recipients only).
 * Deny by default; a refusal is logged with its reason.
 */
enum ch_refusal ch_policy_decide(const struct ch_principal *who,
    enum ch_perm perm, const struct ch_label *rec);
/* ch_policy_decide() == CH_ALLOWED. */
bool ch_policy_permits(const struct ch_principal *who, enum ch_perm perm,
    const struct ch_label *rec);
/* The same decision without logging a refusal: for filtering a stream of
 * records to a reader, where leaving one out is not a refused request. */
bool ch_policy_admits(const struct ch_principal *who, enum ch_perm perm,
    const struct ch_label *rec);
/* Whether a person may exercise perm on records about themselves. */
bool ch_perm_own_ok(enum ch_perm perm);

#endif /* CH_CORE_POLICY_H */
