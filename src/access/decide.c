/*
 * decide.c — the access decision as a pure function of the facts the gate
 * gathered (access.h), the codes of its enums, weekly schedules and the
 * hashing of PINs.  Nothing here touches the database or the clock.
 *
 * The order of checks is the order a guard would give: is this a reader
 * we know, a badge we know and in force, the right PIN; who holds it; what
 * the posture allows; whether the holder is cleared for the zone entered;
 * whether a rule grants it now and none denies it; anti-passback last, so
 * that a soft violation flags a grant and a hard one refuses it.  Going
 * out through a point is egress, as fire codes want it: only the credential,
 * lockdown and anti-passback can refuse it.
 */
#include <sodium.h>
#include <stdio.h>
#include <string.h>

#include "access/access.h"

static const struct {
	const char *code;
	const char *text;
} reasons[CH_REASON__COUNT] = {
    [CH_REASON_GRANTED] = {"granted", "Access granted."},
    [CH_REASON_GRANTED_EXIT] = {"granted_exit", "Exit granted."},
    [CH_REASON_GRANTED_DURESS] = {"granted", "Access granted."},
    [CH_REASON_UNKNOWN_POINT] = {"unknown_point",
	"This reader is not an access point of its post."},
    [CH_REASON_UNKNOWN_CREDENTIAL] = {"unknown_credential",
	"The badge is not known."},
    [CH_REASON_CREDENTIAL_SUSPENDED] = {"credential_suspended",
	"The badge is suspended."},
    [CH_REASON_CREDENTIAL_REVOKED] = {"credential_revoked",
	"The badge is revoked."},
    [CH_REASON_CREDENTIAL_LOST] = {"credential_lost",
	"The badge is reported lost: hold it and call security."},
    [CH_REASON_NOT_YET_VALID] = {"not_yet_valid",
	"The badge is not valid yet."},
    [CH_REASON_EXPIRED] = {"expired", "The badge has expired."},
    [CH_REASON_PIN_REQUIRED] = {"pin_required",
	"This door needs the badge and its PIN."},
    [CH_REASON_WRONG_PIN] = {"wrong_pin", "The PIN is wrong."},
    [CH_REASON_CLEARANCE] = {"clearance",
	"The holder's clearance is below the zone's."},
    [CH_REASON_NO_RULE] = {"no_rule", "No rule grants this badge this zone."},
    [CH_REASON_DENY_RULE] = {"deny_rule", "A rule denies this badge here."},
    [CH_REASON_OUTSIDE_SCHEDULE] = {"outside_schedule",
	"Not at this time: outside the holder's schedule."},
    [CH_REASON_LOCKDOWN] = {"lockdown",
	"The post is in lockdown: security staff only."},
    [CH_REASON_HEIGHTENED] = {"heightened",
	"Heightened posture: only scheduled access is allowed."},
    [CH_REASON_ESCORT_REQUIRED] = {"escort_required",
	"This zone needs an escort: call security."},
    [CH_REASON_VISITOR_REFUSED] = {"visitor_refused",
	"Visitors are refused in the present posture."},
    [CH_REASON_PASSBACK] = {"passback",
	"Anti-passback: the badge was not seen leaving."},
    [CH_REASON_UNBOUND] = {"unbound", "The badge is bound to nobody."},
};

const char *
ch_access_reason_code(enum ch_access_reason r)
{
	return (unsigned)r < CH_REASON__COUNT ? reasons[r].code : "unknown";
}

const char *
ch_access_reason_text(enum ch_access_reason r)
{
	return (unsigned)r < CH_REASON__COUNT ? reasons[r].text : "";
}

/* Parse s as one of codes[0..n); false when it is none of them. */
static bool
parse_code(const char *s, const char *const *codes, int n, int *out)
{
	for (int i = 0; s != NULL && i < n; i++) {
		if (strcmp(s, codes[i]) == 0) {
			*out = i;
			return true;
		}
	}
	return false;
}

static const char *const postures[] = {"normal", "heightened", "lockdown"};
static const char *const passbacks[] = {"none", "soft", "hard"};
static const char *const statuses[] = {
    "active", "suspended", "revoked", "lost"};
static const char *const subjects[] = {
    "everyone", "role", "category", "person", "credential"};

const char *
ch_posture_code(enum ch_posture p)
{
	return (unsigned)p < CH_POSTURE__COUNT ? postures[p] : "lockdown";
}

bool
ch_posture_parse(const char *s, enum ch_posture *out)
{
	int v;

	if (!parse_code(s, postures, CH_POSTURE__COUNT, &v))
		return false;
	*out = (enum ch_posture)v;
	return true;
}

const char *
ch_passback_code(enum ch_passback p)
{
	return (unsigned)p <= CH_PASSBACK_HARD ? passbacks[p] : "hard";
}

bool
ch_passback_parse(const char *s, enum ch_passback *out)
{
	int v;

	if (!parse_code(s, passbacks, 3, &v))
		return false;
	*out = (enum ch_passback)v;
	return true;
}

const char *
ch_cred_status_code(enum ch_cred_status s)
{
	return (unsigned)s < CH_CRED_STATUS__COUNT ? statuses[s] : "revoked";
}

bool
ch_cred_status_parse(const char *s, enum ch_cred_status *out)
{
	int v;

	if (!parse_code(s, statuses, CH_CRED_STATUS__COUNT, &v))
		return false;
	*out = (enum ch_cred_status)v;
	return true;
}

const char *
ch_rule_subject_code(enum ch_rule_subject s)
{
	return (unsigned)s < CH_SUBJ__COUNT ? subjects[s] : "everyone";
}

bool
ch_rule_subject_parse(const char *s, enum ch_rule_subject *out)
{
	int v;

	if (!parse_code(s, subjects, CH_SUBJ__COUNT, &v))
		return false;
	*out = (enum ch_rule_subject)v;
	return true;
}

/* ---- schedules ---- */

/* "HH:MM" at *p into minutes; advances *p. */
static bool
parse_clock(const char **p, int *out)
{
	const char *s = *p;
	int h, m;

	if (s[0] < '0' || s[0] > '9' || s[1] < '0' || s[1] > '9' ||
	    s[2] != ':' || s[3] < '0' || s[3] > '5' || s[4] < '0' || s[4] > '9')
		return false;
	h = (s[0] - '0') * 10 + (s[1] - '0');
	m = (s[3] - '0') * 10 + (s[4] - '0');
	if (h > 24 || (h == 24 && m != 0))
		return false;
	*out = h * 60 + m;
	*p = s + 5;
	return true;
}

/* "1-5", "6", "1,3,5" at *p into a day mask; advances *p. */
static bool
parse_days(const char **p, unsigned *mask)
{
	const char *s = *p;

	*mask = 0;
	for (;;) {
		int a, b;

		if (*s < '1' || *s > '7')
			return false;
		a = b = *s++ - '0';
		if (*s == '-') {
			s++;
			if (*s < '1' || *s > '7')
				return false;
			b = *s++ - '0';
			if (b < a)
				return false;
		}
		for (int d = a; d <= b; d++)
			*mask |= 1u << d;
		if (*s != ',')
			break;
		s++;
	}
	*p = s;
	return true;
}

bool
ch_schedule_parse(
    const char *text, struct ch_schedule_spec *out, struct ch_fault *fault)
{
	const char *p = text;

	memset(out, 0, sizeof(*out));
	if (text == NULL || strlen(text) > 400)
		goto bad;
	while (*p != '\0') {
		struct ch_window w;

		while (*p == ' ')
			p++;
		if (out->n == CH_ACCESS_MAX_WINDOWS) {
			ch_fault_set(fault, "/windows",
			    "At most %d windows in a schedule.",
			    CH_ACCESS_MAX_WINDOWS);
			return false;
		}
		if (!parse_days(&p, &w.days) || *p++ != ' ')
			goto bad;
		while (*p == ' ')
			p++;
		if (!parse_clock(&p, &w.start) || *p++ != '-' ||
		    !parse_clock(&p, &w.end) || w.start >= w.end)
			goto bad;
		out->w[out->n++] = w;
		while (*p == ' ')
			p++;
		if (*p == ';')
			p++;
		else if (*p != '\0')
			goto bad;
	}
	if (out->n > 0)
		return true;
bad:
	ch_fault_set(fault, "/windows",
	    "Write windows as ISO weekdays and local times, e.g. \"1-5 "
	    "07:00-19:00; 6 09:00-13:00\" (1 is Monday).");
	return false;
}

bool
ch_schedule_open(const struct ch_schedule_spec *s, int weekday, int minute)
{
	for (size_t i = 0; i < s->n; i++) {
		if ((s->w[i].days & (1u << weekday)) &&
		    minute >= s->w[i].start && minute < s->w[i].end)
			return true;
	}
	return false;
}

/* ---- the decision ---- */

static bool
in_chain(const struct ch_access_facts *f, const char *zone_id)
{
	if (zone_id[0] == '\0')
		return true;
	for (size_t i = 0; i < f->dest_chain_len; i++) {
		if (strcmp(f->dest_zone_chain[i], zone_id) == 0)
			return true;
	}
	return false;
}

static bool
subject_matches(const struct ch_access_facts *f, const struct ch_access_rule *r)
{
	const char *v = r->subject_value ? r->subject_value : "";
	enum ch_role role;
	enum ch_staff_category cat;

	switch (r->subject) {
	case CH_SUBJ_EVERYONE:
		return true;
	case CH_SUBJ_ROLE:
		return f->is_person && ch_role_parse(v, &role) &&
		    (f->roles & (1u << role));
	case CH_SUBJ_CATEGORY:
		return f->is_person && ch_staff_category_parse(v, &cat) &&
		    cat == f->category;
	case CH_SUBJ_PERSON:
		return f->is_person && strcmp(v, f->person_id) == 0;
	case CH_SUBJ_CREDENTIAL:
		return strcmp(v, f->credential_id) == 0;
	default:
		return false;
	}
}

static void
finish(struct ch_access_result *out, bool granted, enum ch_access_reason r)
{
	out->granted = granted;
	out->reason = r;
}

/* The credential's own state; false (with out set) when it refuses. */
static bool
credential_ok(const struct ch_access_facts *f, struct ch_access_result *out)
{
	static const enum ch_access_reason by_status[CH_CRED_STATUS__COUNT] = {
	    [CH_CRED_ACTIVE] = CH_REASON_GRANTED,
	    [CH_CRED_SUSPENDED] = CH_REASON_CREDENTIAL_SUSPENDED,
	    [CH_CRED_REVOKED] = CH_REASON_CREDENTIAL_REVOKED,
	    [CH_CRED_LOST] = CH_REASON_CREDENTIAL_LOST,
	};

	if (!f->credential_found) {
		finish(out, false, CH_REASON_UNKNOWN_CREDENTIAL);
		return false;
	}
	if ((unsigned)f->status >= CH_CRED_STATUS__COUNT) {
		finish(out, false, CH_REASON_CREDENTIAL_REVOKED);
		return false;
	}
	if (f->status != CH_CRED_ACTIVE) {
		finish(out, false, by_status[f->status]);
		return false;
	}
	if (f->valid_from != 0 && f->now < f->valid_from) {
		finish(out, false, CH_REASON_NOT_YET_VALID);
		return false;
	}
	if (f->valid_until != 0 && f->now >= f->valid_until) {
		finish(out, false, CH_REASON_EXPIRED);
		return false;
	}
	if (f->pin_given && !f->pin_ok && !f->duress) {
		finish(out, false, CH_REASON_WRONG_PIN);
		return false;
	}
	if (f->pin_required && !f->pin_given && f->direction == CH_DIR_IN) {
		finish(out, false, CH_REASON_PIN_REQUIRED);
		return false;
	}
	if (!f->is_person && !f->is_visitor) {
		finish(out, false, CH_REASON_UNBOUND);
		return false;
	}
	return true;
}

/* The rules for the zone entered; true when they grant. */
static bool
rules_grant(const struct ch_access_facts *f, struct ch_access_result *out)
{
	const struct ch_access_rule *grant = NULL;
	bool scheduled_grant = false, unscheduled_grant = false;

	for (size_t i = 0; i < f->nrules; i++) {
		const struct ch_access_rule *r = &f->rules[i];
		bool open;

		if (!in_chain(f, r->zone_id) || !subject_matches(f, r))
			continue;
		open = !r->has_schedule ||
		    ch_schedule_open(&r->schedule, f->weekday, f->minute);
		if (r->effect == CH_RULE_DENY) {
			if (open) {
				ch_strlcpy(
				    out->rule_id, r->id, sizeof(out->rule_id));
				finish(out, false, CH_REASON_DENY_RULE);
				return false;
			}
			continue;
		}
		if (!open) {
			out->out_of_schedule = true;
			continue;
		}
		if (r->has_schedule && !scheduled_grant) {
			scheduled_grant = true;
			grant = r;
		} else if (!r->has_schedule && !unscheduled_grant) {
			unscheduled_grant = true;
			if (grant == NULL)
				grant = r;
		}
	}
	if (!scheduled_grant && !unscheduled_grant) {
		finish(out, false,
		    out->out_of_schedule ? CH_REASON_OUTSIDE_SCHEDULE
					 : CH_REASON_NO_RULE);
		return false;
	}
	/* Heightened: an always-open grant no longer suffices, but for
	 * security staff. */
	if (f->posture == CH_POSTURE_HEIGHTENED && !scheduled_grant &&
	    !f->security_staff) {
		ch_strlcpy(out->rule_id, grant->id, sizeof(out->rule_id));
		finish(out, false, CH_REASON_HEIGHTENED);
		return false;
	}
	out->out_of_schedule = false;
	ch_strlcpy(out->rule_id, grant->id, sizeof(out->rule_id));
	return true;
}

void
ch_access_decide(const struct ch_access_facts *f, struct ch_access_result *out)
{
	bool leaving = f->dest_zone_id[0] == '\0';

	memset(out, 0, sizeof(*out));
	if (!f->point_found) {
		finish(out, false, CH_REASON_UNKNOWN_POINT);
		return;
	}
	if (!credential_ok(f, out))
		return;
	if (f->posture == CH_POSTURE_LOCKDOWN) {
		if (f->is_visitor) {
			finish(out, false, CH_REASON_VISITOR_REFUSED);
			return;
		}
		if (!f->security_staff) {
			finish(out, false, CH_REASON_LOCKDOWN);
			return;
		}
	}
	/* Going out is egress: no rule or clearance is asked of the zone
	 * returned to (anti-passback and lockdown still hold). */
	if (!leaving && f->direction == CH_DIR_IN) {
		if (f->is_person && f->clearance < f->dest_clearance) {
			finish(out, false, CH_REASON_CLEARANCE);
			return;
		}
		if (f->dest_escort_required && !f->security_staff &&
		    (f->is_visitor || f->posture != CH_POSTURE_NORMAL)) {
			finish(out, false,
			    f->is_visitor ? CH_REASON_ESCORT_REQUIRED
					  : CH_REASON_HEIGHTENED);
			return;
		}
		if (f->is_visitor && f->posture != CH_POSTURE_NORMAL) {
			finish(out, false, CH_REASON_VISITOR_REFUSED);
			return;
		}
		if (!rules_grant(f, out))
			return;
	}
	/* Anti-passback: entering where the holder already is, or leaving
	 * a zone the holder was not seen entering. */
	if (f->passback != CH_PASSBACK_NONE && f->presence_known) {
		bool violation = f->direction == CH_DIR_IN
		    ? strcmp(f->presence_zone_id, f->dest_zone_id) == 0
		    : strcmp(f->presence_zone_id, f->src_zone_id) != 0;

		if (violation && f->passback == CH_PASSBACK_HARD) {
			finish(out, false, CH_REASON_PASSBACK);
			return;
		}
		out->passback_flag = violation;
	}
	out->duress = f->duress;
	finish(out, true,
	    f->duress ? CH_REASON_GRANTED_DURESS
		      : (f->direction == CH_DIR_OUT ? CH_REASON_GRANTED_EXIT
						    : CH_REASON_GRANTED));
}

/* ---- PINs ----
 * A PIN has 4 to 8 digits: no hash makes so small a space hard to search
 * offline, so the hash is keyed by a random salt per PIN and the real
 * protection is the database's and the rate at which a reader may try
 * (repeated denials raise an anomaly).  The form is "b2$SALT$HASH" (hex),
 * BLAKE2b-256 of the PIN keyed by the salt: cheap enough to check inside
 * the gate's transaction. */
#define PIN_SALT 16

bool
ch_access_pin_syntax(const char *pin)
{
	size_t n = pin ? strlen(pin) : 0;

	if (n < 4 || n > 8)
		return false;
	for (size_t i = 0; i < n; i++) {
		if (pin[i] < '0' || pin[i] > '9')
			return false;
	}
	return true;
}

static void
pin_digest(
    const unsigned char salt[PIN_SALT], const char *pin, unsigned char out[32])
{
	crypto_generichash(
	    out, 32, (const unsigned char *)pin, strlen(pin), salt, PIN_SALT);
}

bool
ch_access_pin_hash(const char *pin, char out[CH_ACCESS_PIN_HASH_LEN])
{
	unsigned char salt[PIN_SALT], d[32];
	char salt_hex[PIN_SALT * 2 + 1], d_hex[65];

	if (!ch_access_pin_syntax(pin))
		return false;
	ch_random_bytes(salt, sizeof(salt));
	pin_digest(salt, pin, d);
	ch_hex(salt, sizeof(salt), salt_hex);
	ch_hex(d, sizeof(d), d_hex);
	snprintf(out, CH_ACCESS_PIN_HASH_LEN, "b2$%s$%s", salt_hex, d_hex);
	sodium_memzero(d, sizeof(d));
	return true;
}

bool
ch_access_pin_check(const char *hash, const char *pin)
{
	unsigned char salt[PIN_SALT], want[32], got[32];
	size_t len = 0;
	bool ok;

	if (hash == NULL || strncmp(hash, "b2$", 3) != 0 ||
	    strlen(hash) != 3 + PIN_SALT * 2 + 1 + 64 ||
	    hash[3 + PIN_SALT * 2] != '$' || pin == NULL)
		return false;
	if (sodium_hex2bin(salt, sizeof(salt), hash + 3, PIN_SALT * 2, NULL,
		&len, NULL) != 0 ||
	    len != PIN_SALT ||
	    sodium_hex2bin(want, sizeof(want), hash + 4 + PIN_SALT * 2, 64,
		NULL, &len, NULL) != 0 ||
	    len != 32)
		return false;
	pin_digest(salt, pin, got);
	ok = sodium_memcmp(want, got, sizeof(got)) == 0;
	sodium_memzero(got, sizeof(got));
	return ok;
}
