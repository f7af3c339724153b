/*
 * policy.c — the role × permission table and the post scope.  The table is
 * the whole of the role model: adding a permission means adding a row.
 */
#include <string.h>

#include "core/policy.h"

static const char *const role_codes[CH_ROLE__COUNT] = {
    [CH_ROLE_SECURITY_OFFICER] = "security_officer",
    [CH_ROLE_ANALYST] = "analyst",
    [CH_ROLE_GUARD] = "guard",
    [CH_ROLE_STAFF] = "staff",
    [CH_ROLE_EAC_MEMBER] = "eac_member",
    [CH_ROLE_HQ] = "hq",
    [CH_ROLE_ADMINISTRATOR] = "administrator",
};

static const char *const clearance_codes[CH_CLEARANCE__COUNT] = {
    [CH_CLEARANCE_UNCLASSIFIED] = "UNCLASSIFIED",
    [CH_CLEARANCE_SBU] = "SBU",
    [CH_CLEARANCE_CONFIDENTIAL] = "CONFIDENTIAL",
    [CH_CLEARANCE_SECRET] = "SECRET",
};

#define R(role) (1u << (role))
#define ALL_ROLES ((1u << CH_ROLE__COUNT) - 1)

static const struct {
	const char *code;
	unsigned roles;
} perm_table[CH_PERM__COUNT] = {
    [CH_PERM_NONE] = {"none", 0},
    [CH_PERM_PUBLIC] = {"public", ALL_ROLES},
    [CH_PERM_SESSION] = {"session", ALL_ROLES},
    [CH_PERM_POSTS_READ] = {"posts.read", ALL_ROLES},
    [CH_PERM_POSTS_WRITE] = {"posts.write",
	R(CH_ROLE_SECURITY_OFFICER) | R(CH_ROLE_ADMINISTRATOR)},
    [CH_PERM_PEOPLE_READ] = {"people.read",
	R(CH_ROLE_SECURITY_OFFICER) | R(CH_ROLE_ANALYST) | R(CH_ROLE_GUARD) |
	    R(CH_ROLE_EAC_MEMBER) | R(CH_ROLE_HQ) | R(CH_ROLE_ADMINISTRATOR)},
    [CH_PERM_PEOPLE_WRITE] = {"people.write",
	R(CH_ROLE_SECURITY_OFFICER) | R(CH_ROLE_ADMINISTRATOR)},
    [CH_PERM_USERS_READ] = {"users.read",
	R(CH_ROLE_SECURITY_OFFICER) | R(CH_ROLE_ADMINISTRATOR)},
    [CH_PERM_USERS_WRITE] = {"users.write", R(CH_ROLE_ADMINISTRATOR)},
    [CH_PERM_METRICS] = {"metrics",
	R(CH_ROLE_SECURITY_OFFICER) | R(CH_ROLE_ADMINISTRATOR)},
    [CH_PERM_AUDIT_READ] = {"audit.read",
	R(CH_ROLE_SECURITY_OFFICER) | R(CH_ROLE_HQ) | R(CH_ROLE_ADMINISTRATOR)},
    [CH_PERM_DEVICES_MANAGE] = {"devices.manage", R(CH_ROLE_ADMINISTRATOR)},
    [CH_PERM_DEVICE] = {"device", 0},
    /* Incidents: anyone reports; a reporter reads their own reports;
     * analysts and the security officer triage and investigate; only the
     * security officer closes or reopens. */
    [CH_PERM_INCIDENTS_READ] = {"incidents.read",
	R(CH_ROLE_SECURITY_OFFICER) | R(CH_ROLE_ANALYST) | R(CH_ROLE_GUARD) |
	    R(CH_ROLE_EAC_MEMBER) | R(CH_ROLE_HQ)},
    [CH_PERM_INCIDENTS_REPORT] = {"incidents.report", ALL_ROLES},
    [CH_PERM_INCIDENTS_WRITE] = {"incidents.write",
	R(CH_ROLE_SECURITY_OFFICER) | R(CH_ROLE_ANALYST)},
    [CH_PERM_INCIDENTS_CLOSE] = {"incidents.close",
	R(CH_ROLE_SECURITY_OFFICER)},
    /* Intelligence is need-to-know: the security officer, analysts, the
     * Emergency Action Committee and HQ read it; analysts and the
     * security officer grade and link it and keep the source registry;
     * only the security officer may see who a source really is. */
    [CH_PERM_INTEL_READ] = {"intel.read",
	R(CH_ROLE_SECURITY_OFFICER) | R(CH_ROLE_ANALYST) |
	    R(CH_ROLE_EAC_MEMBER) | R(CH_ROLE_HQ)},
    [CH_PERM_INTEL_WRITE] = {"intel.write",
	R(CH_ROLE_SECURITY_OFFICER) | R(CH_ROLE_ANALYST)},
    [CH_PERM_INTEL_SOURCES] = {"intel.sources",
	R(CH_ROLE_SECURITY_OFFICER) | R(CH_ROLE_ANALYST)},
    [CH_PERM_INTEL_IDENTITY] = {"intel.identity", R(CH_ROLE_SECURITY_OFFICER)},
    /* Ratings and risks: the security officer sets the official rating
     * and the formula's settings; analysts and the officer keep the risk
     * register; the EAC and HQ read both. */
    [CH_PERM_RATINGS_READ] = {"ratings.read",
	R(CH_ROLE_SECURITY_OFFICER) | R(CH_ROLE_ANALYST) |
	    R(CH_ROLE_EAC_MEMBER) | R(CH_ROLE_HQ)},
    [CH_PERM_RATINGS_SET] = {"ratings.set", R(CH_ROLE_SECURITY_OFFICER)},
    [CH_PERM_RISKS_READ] = {"risks.read",
	R(CH_ROLE_SECURITY_OFFICER) | R(CH_ROLE_ANALYST) |
	    R(CH_ROLE_EAC_MEMBER) | R(CH_ROLE_HQ)},
    [CH_PERM_RISKS_WRITE] = {"risks.write",
	R(CH_ROLE_SECURITY_OFFICER) | R(CH_ROLE_ANALYST)},
    /* Access control: guards watch the gate; the security officer (and
     * the administrator, for set-up) configures it; only the security
     * officer changes the posture. */
    [CH_PERM_ACCESS_READ] = {"access.read",
	R(CH_ROLE_SECURITY_OFFICER) | R(CH_ROLE_GUARD) | R(CH_ROLE_HQ) |
	    R(CH_ROLE_ADMINISTRATOR)},
    [CH_PERM_ACCESS_WRITE] = {"access.write",
	R(CH_ROLE_SECURITY_OFFICER) | R(CH_ROLE_ADMINISTRATOR)},
    [CH_PERM_ACCESS_POSTURE] = {"access.posture", R(CH_ROLE_SECURITY_OFFICER)},
    [CH_PERM_ALARMS_HANDLE] = {"alarms.handle",
	R(CH_ROLE_SECURITY_OFFICER) | R(CH_ROLE_GUARD)},
    /* Watchlist screening: guards and the security officer screen; the
     * security officer adjudicates hits; the security officer, the
     * administrator and HQ manage lists (HQ the global ones). */
    [CH_PERM_WATCHLISTS_READ] = {"watchlists.read",
	R(CH_ROLE_SECURITY_OFFICER) | R(CH_ROLE_ANALYST) | R(CH_ROLE_GUARD) |
	    R(CH_ROLE_HQ) | R(CH_ROLE_ADMINISTRATOR)},
    [CH_PERM_WATCHLISTS_MANAGE] = {"watchlists.manage",
	R(CH_ROLE_SECURITY_OFFICER) | R(CH_ROLE_HQ) | R(CH_ROLE_ADMINISTRATOR)},
    [CH_PERM_SCREENING_RUN] = {"screening.run",
	R(CH_ROLE_SECURITY_OFFICER) | R(CH_ROLE_GUARD)},
    [CH_PERM_SCREENING_REVIEW] = {"screening.review",
	R(CH_ROLE_SECURITY_OFFICER) | R(CH_ROLE_HQ)},
    [CH_PERM_SCREENING_ADJUDICATE] = {"screening.adjudicate",
	R(CH_ROLE_SECURITY_OFFICER)},
    /* Visitors: any member of staff hosts (registers and cancels their own
     * visitors); guards and the security officer keep the desk (today's
     * list, check-in and check-out); HQ reads the log; the security
     * officer manages any visit and the retention period. */
    [CH_PERM_VISITORS_REGISTER] = {"visitors.register",
	R(CH_ROLE_SECURITY_OFFICER) | R(CH_ROLE_ANALYST) | R(CH_ROLE_GUARD) |
	    R(CH_ROLE_STAFF) | R(CH_ROLE_EAC_MEMBER)},
    [CH_PERM_VISITORS_READ] = {"visitors.read",
	R(CH_ROLE_SECURITY_OFFICER) | R(CH_ROLE_GUARD) | R(CH_ROLE_HQ)},
    [CH_PERM_VISITORS_DESK] = {"visitors.desk",
	R(CH_ROLE_SECURITY_OFFICER) | R(CH_ROLE_GUARD)},
    [CH_PERM_VISITORS_MANAGE] = {"visitors.manage",
	R(CH_ROLE_SECURITY_OFFICER)},
    [CH_PERM_MARKINGS_LOWER] = {"markings.lower", R(CH_ROLE_SECURITY_OFFICER)},
};

const char *
ch_role_code(enum ch_role role)
{
	return (unsigned)role < CH_ROLE__COUNT ? role_codes[role] : "unknown";
}

bool
ch_role_parse(const char *code, enum ch_role *out)
{
	for (int i = 0; i < CH_ROLE__COUNT; i++) {
		if (code != NULL && strcmp(code, role_codes[i]) == 0) {
			*out = (enum ch_role)i;
			return true;
		}
	}
	return false;
}

bool
ch_roles_parse(const char *list, unsigned *mask)
{
	char one[32];
	const char *p = list, *comma;
	size_t n;
	enum ch_role role;

	*mask = 0;
	if (list == NULL || *list == '\0')
		return false;
	while (*p != '\0') {
		comma = strchr(p, ',');
		n = comma ? (size_t)(comma - p) : strlen(p);
		if (n == 0 || n >= sizeof(one))
			return false;
		memcpy(one, p, n);
		one[n] = '\0';
		if (!ch_role_parse(one, &role))
			return false;
		*mask |= R(role);
		p += n;
		if (*p == ',')
			p++;
	}
	return *mask != 0;
}

void
ch_roles_format(unsigned mask, char *out, size_t size)
{
	size_t used = 0;

	if (size == 0)
		return;
	out[0] = '\0';
	for (int i = 0; i < CH_ROLE__COUNT; i++) {
		size_t n;

		if (!(mask & R(i)))
			continue;
		n = strlen(role_codes[i]);
		if (used + n + 2 > size)
			break;
		if (used > 0)
			out[used++] = ',';
		memcpy(out + used, role_codes[i], n + 1);
		used += n;
	}
}

const char *
ch_clearance_code(enum ch_clearance c)
{
	return (unsigned)c < CH_CLEARANCE__COUNT ? clearance_codes[c]
						 : "UNCLASSIFIED";
}

bool
ch_clearance_parse(const char *code, enum ch_clearance *out)
{
	for (int i = 0; i < CH_CLEARANCE__COUNT; i++) {
		if (code != NULL && strcmp(code, clearance_codes[i]) == 0) {
			*out = (enum ch_clearance)i;
			return true;
		}
	}
	return false;
}

const char *
ch_perm_code(enum ch_perm perm)
{
	return (unsigned)perm < CH_PERM__COUNT ? perm_table[perm].code
					       : "unknown";
}

unsigned
ch_perm_roles(enum ch_perm perm)
{
	return (unsigned)perm < CH_PERM__COUNT ? perm_table[perm].roles : 0;
}

bool
ch_policy_allows(const struct ch_principal *who, enum ch_perm perm)
{
	if (perm == CH_PERM_PUBLIC)
		return true;
	if (who == NULL || (unsigned)perm >= CH_PERM__COUNT ||
	    perm == CH_PERM_NONE)
		return false;
	/* The device mask holds bits 0..31 only: a permission past them
	 * (there are more than 32) is never a device's. */
	if (who->device)
		return (who->device_perms & CH_PERM_BIT(perm)) != 0;
	return (who->roles & perm_table[perm].roles) != 0;
}

bool
ch_policy_all_posts(const struct ch_principal *who)
{
	return who != NULL && (who->roles & R(CH_ROLE_HQ)) != 0;
}

bool
ch_policy_sees_post(const struct ch_principal *who, const char *post_id)
{
	if (who == NULL || post_id == NULL)
		return false;
	if (ch_policy_all_posts(who))
		return true;
	return who->post_id[0] != '\0' && strcmp(who->post_id, post_id) == 0;
}

static const char *const tlp_codes[CH_TLP__COUNT] = {
    [CH_TLP_CLEAR] = "CLEAR",
    [CH_TLP_GREEN] = "GREEN",
    [CH_TLP_AMBER] = "AMBER",
    [CH_TLP_AMBER_STRICT] = "AMBER+STRICT",
    [CH_TLP_RED] = "RED",
};

static const char *const refusal_texts[] = {
    [CH_ALLOWED] = "allowed",
    [CH_REFUSED_NO_SESSION] = "no session",
    [CH_REFUSED_ROLE] = "role lacks the permission",
    [CH_REFUSED_POST] = "record of a post the user is not assigned to",
    [CH_REFUSED_CLEARANCE] = "classification above the user's clearance",
    [CH_REFUSED_TLP] = "TLP:RED and the user is not a named recipient",
};

/* Permissions a person may exercise on records about themselves. */
static const enum ch_perm own_perms[] = {
    CH_PERM_PEOPLE_READ, CH_PERM_INCIDENTS_READ};

const char *
ch_tlp_code(enum ch_tlp tlp)
{
	return (unsigned)tlp < CH_TLP__COUNT ? tlp_codes[tlp] : "RED";
}

bool
ch_tlp_parse(const char *code, enum ch_tlp *out)
{
	for (int i = 0; code != NULL && i < CH_TLP__COUNT; i++) {
		if (strcmp(code, tlp_codes[i]) == 0) {
			*out = (enum ch_tlp)i;
			return true;
		}
	}
	return false;
}

const char *
ch_refusal_text(enum ch_refusal r)
{
	return (size_t)r < CH_ARRAY_LEN(refusal_texts) ? refusal_texts[r]
						       : "refused";
}

bool
ch_perm_own_ok(enum ch_perm perm)
{
	for (size_t i = 0; i < CH_ARRAY_LEN(own_perms); i++)
		if (own_perms[i] == perm)
			return true;
	return false;
}

static bool
is_recipient(const struct ch_principal *who, const struct ch_label *rec)
{
	for (size_t i = 0; i < rec->nrecipients; i++)
		if (rec->recipients[i] != NULL &&
		    strcmp(rec->recipients[i], who->user_id) == 0)
			return true;
	return false;
}

static enum ch_refusal
decide(const struct ch_principal *who, enum ch_perm perm,
    const struct ch_label *rec)
{
	bool own;

	if (perm == CH_PERM_PUBLIC)
		return CH_ALLOWED;
	if (who == NULL)
		return CH_REFUSED_NO_SESSION;
	own = rec != NULL && rec->owner_person_id != NULL &&
	    who->person_id[0] != '\0' &&
	    strcmp(rec->owner_person_id, who->person_id) == 0 &&
	    ch_perm_own_ok(perm);
	if (!ch_policy_allows(who, perm) && !own)
		return CH_REFUSED_ROLE;
	if (rec == NULL)
		return CH_ALLOWED;
	if (rec->post_id != NULL && !ch_policy_sees_post(who, rec->post_id))
		return CH_REFUSED_POST;
	if (who->clearance < rec->classification)
		return CH_REFUSED_CLEARANCE;
	if (rec->tlp == CH_TLP_RED && !is_recipient(who, rec))
		return CH_REFUSED_TLP;
	return CH_ALLOWED;
}

enum ch_refusal
ch_policy_decide(const struct ch_principal *who, enum ch_perm perm,
    const struct ch_label *rec)
{
	enum ch_refusal r = decide(who, perm, rec);

	if (r != CH_ALLOWED)
		log_warn("refused %s to %s: %s", ch_perm_code(perm),
		    who ? who->username : "(no session)", ch_refusal_text(r));
	return r;
}

bool
ch_policy_permits(const struct ch_principal *who, enum ch_perm perm,
    const struct ch_label *rec)
{
	return ch_policy_decide(who, perm, rec) == CH_ALLOWED;
}

bool
ch_policy_admits(const struct ch_principal *who, enum ch_perm perm,
    const struct ch_label *rec)
{
	return decide(who, perm, rec) == CH_ALLOWED;
}
