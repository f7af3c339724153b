/*
 * vienna.c — which articles of the Vienna Conventions (DESIGN.md section
 * 8) bear on an incident.  One row per article: the article, a plain-words
 * explanation for the security officer, and a predicate over the facts
 * (type, where, the kind of post, the people involved with their derived
 * immunity).  The rows say "bears on", not "was breached": they tell the
 * officer which obligations of the host state and which protections of
 * the people to raise.
 */
#include <string.h>

#include "incidents/incidents.h"

#define T(t) (1u << (t))

/* Types that amount to an intrusion on, or an attack against, a place. */
#define INTRUSION                                                              \
	(T(CH_INC_TERRORIST_ATTACK) | T(CH_INC_ESPIONAGE) |                    \
	    T(CH_INC_HOSTILE_PROTEST) | T(CH_INC_KIDNAPPING_OR_ASSAULT) |      \
	    T(CH_INC_SABOTAGE) | T(CH_INC_CRIME))
/* Types that amount to an attack on a person. */
#define ATTACK                                                                 \
	(T(CH_INC_TERRORIST_ATTACK) | T(CH_INC_KIDNAPPING_OR_ASSAULT) |        \
	    T(CH_INC_HOSTILE_PROTEST) | T(CH_INC_CRIME))

static bool
is_type(const struct ch_vienna_facts *f, unsigned mask)
{
	return (mask & T(f->type)) != 0;
}

/* Whether someone in a role matches a test of their record and immunity. */
static bool
anyone(const struct ch_vienna_facts *f, enum ch_involvement role,
    bool (*test)(const struct ch_incident_person *, const char *host))
{
	for (size_t i = 0; i < f->npeople; i++)
		if (f->people[i].role == role &&
		    test(&f->people[i], f->host_country))
			return true;
	return false;
}

static bool
inviolable(const struct ch_incident_person *p, const char *host)
{
	(void)host;
	return p->immunity.arrest == CH_ARREST_NEVER;
}

static bool
criminal_immune(const struct ch_incident_person *p, const char *host)
{
	(void)host;
	return p->immunity.criminal == CH_IMMUNITY_FULL;
}

static bool
sending_state_national(const struct ch_incident_person *p, const char *host)
{
	return !p->person.host_national && p->person.nationality[0] != '\0' &&
	    (host == NULL || strcmp(p->person.nationality, host) != 0);
}

static bool
grave_crime_only(const struct ch_incident_person *p, const char *host)
{
	(void)host;
	return p->immunity.arrest == CH_ARREST_GRAVE_CRIME_ONLY;
}

static bool
consular_member(const struct ch_incident_person *p, const char *host)
{
	(void)host;
	return (p->person.category == CH_CAT_CONSULAR_OFFICER ||
		   p->person.category == CH_CAT_CONSULAR_EMPLOYEE) &&
	    p->immunity.criminal != CH_IMMUNITY_NONE;
}

static bool
r_vcdr22(const struct ch_vienna_facts *f)
{
	return f->place == CH_PLACE_PREMISES &&
	    f->post_kind != CH_POST_CONSULATE && is_type(f, INTRUSION);
}

static bool
r_vcdr24(const struct ch_vienna_facts *f)
{
	return f->place == CH_PLACE_PREMISES &&
	    f->post_kind != CH_POST_CONSULATE &&
	    is_type(f,
		T(CH_INC_ESPIONAGE) | T(CH_INC_SABOTAGE) |
		    T(CH_INC_CYBERATTACK));
}

static bool
r_vcdr27(const struct ch_vienna_facts *f)
{
	return f->post_kind != CH_POST_CONSULATE &&
	    is_type(f, T(CH_INC_ESPIONAGE) | T(CH_INC_CYBERATTACK));
}

static bool
r_vcdr29(const struct ch_vienna_facts *f)
{
	return (is_type(f, ATTACK) &&
		   anyone(f, CH_ROLE_IN_VICTIM, inviolable)) ||
	    anyone(f, CH_ROLE_IN_SUSPECT, inviolable);
}

static bool
r_vcdr30(const struct ch_vienna_facts *f)
{
	return f->place == CH_PLACE_RESIDENCE &&
	    is_type(f, INTRUSION | T(CH_INC_SURVEILLANCE_DETECTED));
}

static bool
r_vcdr31(const struct ch_vienna_facts *f)
{
	return anyone(f, CH_ROLE_IN_SUSPECT, criminal_immune);
}

static bool
r_vccr31(const struct ch_vienna_facts *f)
{
	return f->place == CH_PLACE_PREMISES &&
	    f->post_kind == CH_POST_CONSULATE && is_type(f, INTRUSION);
}

static bool
r_vccr36(const struct ch_vienna_facts *f)
{
	return is_type(f,
		   T(CH_INC_KIDNAPPING_OR_ASSAULT) | T(CH_INC_CRIME) |
		       T(CH_INC_ESPIONAGE) | T(CH_INC_TERRORIST_ATTACK)) &&
	    anyone(f, CH_ROLE_IN_SUSPECT, sending_state_national);
}

static bool
r_vccr41(const struct ch_vienna_facts *f)
{
	return anyone(f, CH_ROLE_IN_SUSPECT, grave_crime_only);
}

static bool
r_vccr43(const struct ch_vienna_facts *f)
{
	return anyone(f, CH_ROLE_IN_SUSPECT, consular_member);
}

static const struct ch_vienna_rule rules[] = {
    {"vcdr-22", "VCDR 1961", "Art. 22", "Mission premises inviolable",
	"The premises of the mission are inviolable: host authorities may "
	"not enter without the head of mission's consent, and the host state "
	"must take all appropriate steps to protect them against intrusion "
	"or damage and to prevent disturbance of the peace of the mission. "
	"Ask the host ministry for protection and record what it does.",
	r_vcdr22},
    {"vcdr-24", "VCDR 1961", "Art. 24", "Archives inviolable",
	"The archives and documents of the mission are inviolable at any "
	"time and wherever they may be. An intrusion that reached papers or "
	"systems is a breach to report to headquarters at once.",
	r_vcdr24},
    {"vcdr-27", "VCDR 1961", "Art. 27", "Free communication",
	"The host state must permit and protect free communication for "
	"official purposes; official correspondence is inviolable and the "
	"diplomatic bag may not be opened or detained. Interception of the "
	"mission's communications bears on this article.",
	r_vcdr27},
    {"vcdr-29", "VCDR 1961", "Art. 29", "Person of a diplomatic agent",
	"A diplomatic agent (and those who share the protection under Art. "
	"37) is inviolable: no arrest or detention, and the host state must "
	"prevent any attack on their person, freedom or dignity. A victim "
	"gets the host state's protection; a suspect may not be detained.",
	r_vcdr29},
    {"vcdr-30", "VCDR 1961", "Art. 30", "Private residence inviolable",
	"The private residence of a diplomatic agent enjoys the same "
	"inviolability and protection as the mission premises.",
	r_vcdr30},
    {"vcdr-31", "VCDR 1961", "Art. 31 and 32",
	"Immunity from criminal jurisdiction",
	"A suspect with full criminal immunity cannot be prosecuted in the "
	"host state. Only the sending state can waive it, and only expressly "
	"(Art. 32): refer the case to headquarters, do not promise a waiver.",
	r_vcdr31},
    {"vccr-31", "VCCR 1963", "Art. 31", "Consular premises inviolable",
	"Host authorities may not enter the part of the consular premises "
	"used for consular work without consent (presumed in case of fire "
	"or disaster); the host state must protect the premises against "
	"intrusion or damage.",
	r_vccr31},
    {"vccr-36", "VCCR 1963", "Art. 36", "Consular notification",
	"A national of the sending state who is arrested or detained must be "
	"told without delay of the right to have the consulate informed, and "
	"consular officers may visit. Ask the host authorities whether the "
	"person is held and insist on access.",
	r_vccr36},
    {"vccr-41", "VCCR 1963", "Art. 41", "Consular officer's person",
	"A consular officer may not be arrested or detained pending trial "
	"except for a grave crime and on a decision of a judicial authority.",
	r_vccr41},
    {"vccr-43", "VCCR 1963", "Art. 43", "Immunity for consular functions",
	"Consular officers and employees are immune from jurisdiction for "
	"acts done in the exercise of consular functions, not for private "
	"acts.",
	r_vccr43},
};

const struct ch_vienna_rule *
ch_vienna_rules(size_t *count)
{
	*count = CH_ARRAY_LEN(rules);
	return rules;
}

bool
ch_vienna_rule_applies(size_t i, const struct ch_vienna_facts *f)
{
	return i < CH_ARRAY_LEN(rules) && rules[i].applies(f);
}

size_t
ch_vienna_articles(const struct ch_vienna_facts *f,
    const struct ch_vienna_rule **out, size_t max)
{
	size_t n = 0;

	for (size_t i = 0; i < CH_ARRAY_LEN(rules) && n < max; i++)
		if (rules[i].applies(f))
			out[n++] = &rules[i];
	return n;
}
