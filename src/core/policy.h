/*
 * policy.h — who may do what.  Roles, clearances and permissions are data;
 * one function, ch_policy_allows(), decides every request from the route's
 * permission and the principal, and ch_policy_sees_post() scopes records
 * to the posts a principal is assigned to (HQ sees all).  Deny by default.
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
	CH_PERM_DEVICES_MANAGE, /* create, list and revoke device tokens */
	CH_PERM_DEVICE,         /* routes for devices (gate readers, panels) */
	CH_PERM__COUNT
};

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
	unsigned device_perms; /* devices: mask of (1u << enum ch_perm) */
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

#endif /* CH_CORE_POLICY_H */
