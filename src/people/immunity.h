/*
 * immunity.h — the immunity profile of a person at post, derived from the
 * staff category, nationality or residence, household link and dates, per
 * the Vienna Convention on Diplomatic Relations 1961 (VCDR) and the Vienna
 * Convention on Consular Relations 1963 (VCCR).
 *
 * The rules are one table in immunity.c, one row per article that decides a
 * case, with the citation in the row.  The profile holds only pointers to
 * static strings and two fixed date buffers: it needs no freeing.
 *
 * The profile is guidance for the security office, not a legal opinion: the
 * host state's protocol department has the last word on who it accepts.
 */
#ifndef CH_PEOPLE_IMMUNITY_H
#define CH_PEOPLE_IMMUNITY_H

#include <stdbool.h>
#include <stddef.h>

#include "core/core.h"

/* VCDR Art. 1 staff classes, VCCR Art. 1 ranks, and the practice classes. */
enum ch_staff_category {
	CH_CAT_DIPLOMATIC_AGENT,
	CH_CAT_ADMIN_TECHNICAL,
	CH_CAT_SERVICE_STAFF,
	CH_CAT_PRIVATE_SERVANT,
	CH_CAT_CONSULAR_OFFICER,
	CH_CAT_CONSULAR_EMPLOYEE,
	CH_CAT_HONORARY_CONSULAR_OFFICER,
	CH_CAT_LOCALLY_EMPLOYED,
	CH_CAT_FAMILY_MEMBER,
	CH_CAT_CONTRACTOR,
	CH_CAT__COUNT
};

/*
 * The stable code ("diplomatic_agent", "administrative_technical", ...) and
 * the English label ("Diplomatic agent", ...); NULL when c is out of range.
 */
const char *ch_staff_category_code(enum ch_staff_category c);
const char *ch_staff_category_label(enum ch_staff_category c);
/* Parse an exact code; false (and *out untouched) for NULL or unknown. */
bool ch_staff_category_parse(const char *code, enum ch_staff_category *out);

enum ch_immunity_level {
	CH_IMMUNITY_FULL,          /* jurisdiction does not apply at all */
	CH_IMMUNITY_OFFICIAL_ACTS, /* only acts in the exercise of functions */
	CH_IMMUNITY_NONE,          /* jurisdiction applies fully */
	CH_IMMUNITY_AS_ADMITTED,   /* only as the receiving state admits */
	CH_IMMUNITY__COUNT
};

enum ch_arrest_rule {
	CH_ARREST_NEVER,            /* inviolable, VCDR Art. 29 */
	CH_ARREST_GRAVE_CRIME_ONLY, /* VCCR Art. 41: grave crime and a judge */
	CH_ARREST_ALLOWED,
	CH_ARREST__COUNT
};

/* "full", "official_acts", "none", "as_admitted"; NULL out of range. */
const char *ch_immunity_level_code(enum ch_immunity_level level);
/* "never", "grave_crime_only", "allowed"; NULL out of range. */
const char *ch_arrest_rule_code(enum ch_arrest_rule rule);

/*
 * Dates are "YYYY-MM-DD"; NULL or "" means not recorded.  principal_* is
 * read only when category is CH_CAT_FAMILY_MEMBER and has_principal is set.
 * A person who is both a host national and a permanent resident is treated
 * as a host national.
 */
struct ch_immunity_input {
	enum ch_staff_category category;
	bool host_national;      /* national of the receiving (host) state */
	bool permanent_resident; /* permanently resident in the host state */
	bool has_principal;      /* a household member of a staff member */
	/* That staff member's category and whether they are local. */
	enum ch_staff_category principal_category;
	bool principal_local;
	const char *arrived_on;       /* entry into the host state */
	const char *notified_on;      /* host ministry notified */
	const char *functions_end_on; /* end of functions */
	const char *today;            /* required: judge "in force" on it */
};

#define CH_IMMUNITY_MAX_ARTICLES 10
#define CH_IMMUNITY_MAX_NOTES 6

struct ch_immunity_profile {
	const char *convention; /* "VCDR 1961", "VCCR 1963", or "none" */
	/* "VCDR Art. 29", "VCCR Art. 41", ...; none when convention "none". */
	const char *articles[CH_IMMUNITY_MAX_ARTICLES];
	size_t narticles;
	enum ch_arrest_rule arrest;
	enum ch_immunity_level criminal, civil, administrative;
	bool residence_inviolable; /* VCDR Art. 30 */
	/* Pay tax-exempt: VCDR Arts. 34, 37(3), 37(4); VCCR Arts. 49, 66. */
	bool tax_exempt_pay;
	/* Some immunity exists that the sending state may waive, and how. */
	bool waivable;
	const char *waiver;  /* NULL when nothing to waive */
	const char *summary; /* plain words for a guard at 3 a.m. */
	const char *starts;  /* plain words: when protection starts */
	const char *ends;    /* plain words: when it ends */
	/* Both "" when the profile carries no protection at all. */
	char starts_on[CH_DATE_LEN]; /* computed start, "" if unknown */
	char ends_on[CH_DATE_LEN];   /* end of functions, "" if open */
	/*
	 * True when the profile carries any protection (an immunity, an arrest
	 * rule or a tax exemption) and starts_on <= today <= ends_on.  After
	 * ends_on it is false: only official-acts immunity survives, and the
	 * rest lasts at most a reasonable period to leave (a note says so).
	 */
	bool in_force;
	const char *notes[CH_IMMUNITY_MAX_NOTES];
	size_t nnotes;
};

/*
 * Fill *out from *in.  Returns CH_ERR_INVALID (and leaves *out zeroed) when
 * in, out or in->today is NULL, a category is out of range, or a date is
 * not a real "YYYY-MM-DD" date; CH_ERR_INTERNAL if the rules table has a
 * hole (a unit test walks every input to rule that out); CH_OK otherwise.
 */
ch_err ch_immunity_derive(
    const struct ch_immunity_input *in, struct ch_immunity_profile *out);

#endif /* CH_PEOPLE_IMMUNITY_H */
