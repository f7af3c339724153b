/*
 * immunity.c — derive a person's immunity profile from the Vienna
 * Conventions (VCDR 1961, VCCR 1963); see DESIGN.md section 8.
 *
 * How it works: the person is reduced to a key — whose status decides
 * (their own category, or their principal's for a household member), their
 * locality (foreign, permanent resident, host national) and, for a
 * household member, the principal's locality.  The first row of the rules
 * table that matches the key gives the profile; each row cites the article
 * that decides it.  Dates (VCDR Art. 39, VCCR Art. 53) and the VCCR Art. 36
 * consular-notification note are then applied to whatever row matched.
 *
 * Interpretation choices (also in the rows' notes):
 *  - "as_admitted" only where a Convention itself says "only in so far as
 *    admitted/granted by the receiving State" (VCDR 37(4), 38(2); VCCR
 *    71(2)); "none" where it simply gives nothing.
 *  - Official-acts inviolability (VCDR 38(1), VCCR 71(1)) is shown as
 *    CH_ARREST_ALLOWED with a note: an arrest for private conduct is lawful.
 *  - Families of administrative and technical staff have no duties, so the
 *    Art. 37(2) civil and administrative immunity covers nothing: "none".
 *  - VCDR 37(1) excludes only host nationals, so a permanently resident
 *    family member keeps full status (with a note to confirm locally).
 */
#include <stdio.h>
#include <string.h>

#include "people/immunity.h"

#define NELEM(a) (sizeof(a) / sizeof((a)[0]))

/* ---- Codes and labels ---- */

static const struct {
	const char *code;
	const char *label;
} categories[CH_CAT__COUNT] = {
    [CH_CAT_DIPLOMATIC_AGENT] = {"diplomatic_agent", "Diplomatic agent"},
    [CH_CAT_ADMIN_TECHNICAL] = {"administrative_technical",
	"Administrative and technical staff"},
    [CH_CAT_SERVICE_STAFF] = {"service_staff", "Service staff"},
    [CH_CAT_PRIVATE_SERVANT] = {"private_servant", "Private servant"},
    [CH_CAT_CONSULAR_OFFICER] = {"consular_officer", "Consular officer"},
    [CH_CAT_CONSULAR_EMPLOYEE] = {"consular_employee", "Consular employee"},
    [CH_CAT_HONORARY_CONSULAR_OFFICER] = {"honorary_consular_officer",
	"Honorary consular officer"},
    [CH_CAT_LOCALLY_EMPLOYED] = {"locally_employed", "Locally employed staff"},
    [CH_CAT_FAMILY_MEMBER] = {"family_member", "Family member"},
    [CH_CAT_CONTRACTOR] = {"contractor", "Contractor"},
};

static const char *const level_codes[CH_IMMUNITY__COUNT] = {
    [CH_IMMUNITY_FULL] = "full",
    [CH_IMMUNITY_OFFICIAL_ACTS] = "official_acts",
    [CH_IMMUNITY_NONE] = "none",
    [CH_IMMUNITY_AS_ADMITTED] = "as_admitted",
};

static const char *const arrest_codes[CH_ARREST__COUNT] = {
    [CH_ARREST_NEVER] = "never",
    [CH_ARREST_GRAVE_CRIME_ONLY] = "grave_crime_only",
    [CH_ARREST_ALLOWED] = "allowed",
};

const char *
ch_staff_category_code(enum ch_staff_category c)
{
	if ((unsigned)c >= CH_CAT__COUNT)
		return NULL;
	return categories[c].code;
}

const char *
ch_staff_category_label(enum ch_staff_category c)
{
	if ((unsigned)c >= CH_CAT__COUNT)
		return NULL;
	return categories[c].label;
}

bool
ch_staff_category_parse(const char *code, enum ch_staff_category *out)
{
	size_t i;

	if (code == NULL)
		return false;
	for (i = 0; i < CH_CAT__COUNT; i++) {
		if (strcmp(code, categories[i].code) == 0) {
			*out = (enum ch_staff_category)i;
			return true;
		}
	}
	return false;
}

const char *
ch_immunity_level_code(enum ch_immunity_level level)
{
	if ((unsigned)level >= CH_IMMUNITY__COUNT)
		return NULL;
	return level_codes[level];
}

const char *
ch_arrest_rule_code(enum ch_arrest_rule rule)
{
	if ((unsigned)rule >= CH_ARREST__COUNT)
		return NULL;
	return arrest_codes[rule];
}

/* ---- Shared wording ---- */

static const char VCDR[] = "VCDR 1961";
static const char VCCR[] = "VCCR 1963";
static const char NO_CONVENTION[] = "none";

static const char VCDR_WAIVER[] =
    "Only the sending state can waive, and always expressly (VCDR Art. 32); "
    "a waiver for civil proceedings does not cover execution of the "
    "judgment, which needs a separate waiver.";
static const char VCCR_WAIVER[] =
    "Only the sending state can waive, always expressly and in writing to "
    "the host state (VCCR Art. 45); execution of a civil judgment needs a "
    "separate waiver.";

static const char VCDR_STARTS[] =
    "From entry into the host state to take up the post or, if already in "
    "the country, from notification of the appointment to the host "
    "ministry (VCDR Art. 39(1)).";
static const char VCDR_ENDS[] =
    "When functions end, protection lasts until departure or a reasonable "
    "period to leave; immunity for official acts never ends "
    "(VCDR Art. 39(2)).";
static const char VCDR_HOUSEHOLD_STARTS[] =
    "From entry into the host state or, if already in the country, from "
    "notification to the host ministry, and never before the staff "
    "member's own (VCDR Art. 39(1)).";
static const char VCDR_HOUSEHOLD_ENDS[] =
    "Ends with the staff member's functions or the household link, after a "
    "reasonable period to leave; if the staff member dies, the family keeps "
    "it for a reasonable period to leave (VCDR Art. 39(2)-(3)).";
static const char VCCR_STARTS[] =
    "From entry into the host state to take up the post or, if already in "
    "the country, from entering on duties at the consular post "
    "(VCCR Art. 53(1)).";
static const char VCCR_ENDS[] =
    "When functions end, protection lasts until departure or a reasonable "
    "period to leave; immunity for acts in consular functions continues "
    "without time limit (VCCR Art. 53(3)-(4)).";
static const char VCCR_HOUSEHOLD_STARTS[] =
    "From the later of the member's own start and the family member's "
    "entry or joining the household (VCCR Art. 53(2)).";
static const char VCCR_HOUSEHOLD_ENDS[] =
    "Ends when the member's protection ends or when the family member "
    "leaves the household, after a reasonable period to leave "
    "(VCCR Art. 53(3), (5)).";
static const char NOT_APPLICABLE[] =
    "Not applicable: the Conventions give this person no protection.";

static const char N_ART29_RESPECT[] =
    "The host state must treat them with due respect and prevent any "
    "attack on their person, freedom or dignity (VCDR Art. 29).";
static const char N_ART31_EXCEPTIONS[] =
    "Civil and administrative immunity does not cover: private immovable "
    "property in the host state, a succession in a private capacity, or a "
    "private professional or commercial activity (VCDR Art. 31(1)(a)-(c)).";
static const char N_ART31_WITNESS[] =
    "Not obliged to give evidence as a witness (VCDR Art. 31(2)); still "
    "answerable to the sending state's courts (VCDR Art. 31(4)).";
static const char N_ART38_1_ARREST[] =
    "Inviolable only for official acts: an arrest for private conduct is "
    "lawful, never for acts in the exercise of functions; alert the chief "
    "of mission at once (VCDR Art. 38(1)).";
static const char N_ART38_2[] =
    "Privileges only as the host state admits; it must exercise its "
    "jurisdiction so as not to interfere unduly with the mission's "
    "functions (VCDR Art. 38(2)).";
static const char N_ART37_4[] =
    "Pay is tax-exempt; anything more only as the host state admits, which "
    "must not interfere unduly with the mission's functions "
    "(VCDR Art. 37(4)).";
static const char N_FAMILY_TAX[] =
    "Exempt from most dues and taxes (VCDR Art. 34), but not on private "
    "income earned in the host state (VCDR Art. 34(d)).";
static const char N_ART37_1_RESIDENT[] =
    "Art. 37(1) excludes only host nationals, so a permanent resident keeps "
    "this status; some host states read it more narrowly: confirm with "
    "protocol.";
static const char N_ART37_1_NATIONAL[] =
    "Art. 37(1) covers only family members who are not host nationals; the "
    "host state may grant more by its own law: confirm with protocol.";
static const char N_LOCAL_DIPLOMAT_FAMILY[] =
    "The diplomatic agent is a host national or permanent resident with "
    "official-acts immunity only (VCDR Art. 38(1)); the Convention gives "
    "the household nothing.";
static const char N_AT_CIVIL[] =
    "Civil and administrative immunity covers only acts in the course of "
    "duties; private acts fall under the host courts (VCDR Art. 37(2)).";
static const char N_AT_CUSTOMS[] =
    "Customs exemption only for articles imported at first installation "
    "(VCDR Art. 37(2), 36(1)).";
static const char N_AT_FAMILY_CIVIL[] =
    "Civil and administrative immunity covers only acts in the course of "
    "duties, and a family member has no duties: civil and administrative "
    "courts apply (VCDR Art. 37(2)).";
static const char N_AT_EXCLUDED[] =
    "Art. 37(2) covers the household only if both the staff member and the "
    "family member are neither host nationals nor permanent residents.";
static const char N_SERVICE_ARREST[] =
    "Not inviolable: may be arrested; immunity covers only acts in the "
    "course of duties (VCDR Art. 37(3)).";
static const char N_SERVICE_SOCIAL[] =
    "Exempt from host social security for service to the mission "
    "(VCDR Art. 33).";
static const char N_SERVICE_FAMILY[] =
    "Art. 37(3) gives the families of service staff nothing; the host state "
    "may grant courtesies by its own law.";
static const char N_SERVANT_FAMILY[] =
    "Art. 37(4) gives the families of private servants nothing.";

static const char N_VCCR_41[] =
    "May be arrested or detained pending trial only for a grave crime and "
    "on a decision of a judicial authority; otherwise only to serve a "
    "final sentence (VCCR Art. 41(1)-(2)).";
static const char N_VCCR_42[] =
    "On arrest, detention or prosecution the host state must promptly "
    "notify the head of the consular post (VCCR Art. 42).";
static const char N_VCCR_43_EXCEPTIONS[] =
    "Official-acts immunity does not cover a civil action on a contract "
    "not made as agent of the sending state, or by a third party for damage "
    "from a vehicle, vessel or aircraft accident (VCCR Art. 43(2)).";
static const char N_VCCR_44_OFFICER[] =
    "May be called as a witness but cannot be compelled, and need not "
    "testify about official functions (VCCR Art. 44(1), (3)).";
static const char N_VCCR_44_EMPLOYEE[] =
    "Must give evidence if called, except about official functions "
    "(VCCR Art. 44(1), (3)).";
static const char N_VCCR_RESIDENCE[] =
    "The private residence is not inviolable; only the consular premises "
    "are, and more narrowly than an embassy (VCCR Art. 31).";
static const char N_VCCR_EMPLOYEE_ARREST[] =
    "Art. 41 protects consular officers only: a consular employee may be "
    "arrested; immunity covers only acts in consular functions "
    "(VCCR Art. 43).";
static const char N_VCCR_71_1[] =
    "Personal inviolability only for official acts: an arrest for private "
    "conduct is lawful, and the host state must notify the consular post "
    "(VCCR Art. 71(1), 42).";
static const char N_VCCR_71_2[] =
    "Privileges only as the host state grants; it must not hinder the "
    "consular post's functions unduly (VCCR Art. 71(2)).";
static const char N_HONORARY_ARREST[] =
    "Art. 41 does not protect honorary consular officers: they may be "
    "arrested, the host state must notify (VCCR Art. 58(2), 42), and "
    "criminal proceedings must respect the office and hinder consular "
    "functions as little as possible (VCCR Art. 63).";
static const char N_HONORARY_TAX[] =
    "Tax-exempt only on pay from the sending state for consular functions "
    "(VCCR Art. 66).";
static const char N_VCCR_FAMILY[] =
    "The VCCR gives consular families no immunity from arrest or courts, "
    "only privileges such as exemption from alien registration, social "
    "security and most taxes (VCCR Arts. 46, 48, 49).";
static const char N_HONORARY_FAMILY[] =
    "Families of honorary consular officers get no privileges or "
    "immunities (VCCR Art. 58(3)).";

static const char N_LOCALLY_EMPLOYED[] =
    "If the host ministry accepted this person as administrative, technical "
    "or service staff, record that category instead: VCDR Art. 37 or 38(2) "
    "may apply.";
static const char N_CONTRACTOR[] =
    "Contractors are not members of the mission; the Conventions give them "
    "nothing.";
static const char N_NO_PRINCIPAL[] =
    "The household link is missing: link this family member to the staff "
    "member they live with, then derive the profile again.";
static const char N_PRINCIPAL_NO_STATUS[] =
    "The linked principal has no status a household member can derive "
    "from; check the link.";

/* Applied after the table, by date and nationality. */
static const char N_ART36[] =
    "If detained, they must be told without delay of their right to have "
    "their consulate notified (VCCR Art. 36(1)(b)).";
static const char N_NOT_NOTIFIED[] =
    "Host ministry not yet notified and no entry date recorded: protection "
    "cannot be shown to have started; call protocol.";
static const char N_NOT_YET[] =
    "Protection has not started yet: see the start date.";
static const char N_ENDED[] =
    "Functions have ended: only immunity for official acts is certain; "
    "other protection lasts only until departure or a reasonable period to "
    "leave; confirm with protocol.";

/* ---- The rules table ---- */

/* Whose status a row decides. */
enum rule_role {
	ROLE_SELF,      /* the person's own category */
	ROLE_HOUSEHOLD, /* a family member, by the principal's category */
	ROLE_UNLINKED,  /* a family member with no principal */
};

/* Locality of a person, as bits so a row can take several. */
#define LOC_FOREIGN 0x1u
#define LOC_RESIDENT 0x2u /* permanent resident, not a national */
#define LOC_NATIONAL 0x4u /* host national */
#define LOC_LOCAL (LOC_RESIDENT | LOC_NATIONAL)
#define LOC_ANY (LOC_FOREIGN | LOC_LOCAL)

/* Categories as bits, so one row may cover several. */
#define CAT(c) (1u << (c))

#define RULE_ARTICLES 8
#define RULE_NOTES 4
/* The derivation adds at most two notes: a date note and VCCR Art. 36. */
_Static_assert(RULE_ARTICLES <= CH_IMMUNITY_MAX_ARTICLES, "articles");
_Static_assert(RULE_NOTES + 2 <= CH_IMMUNITY_MAX_NOTES, "notes");

struct immunity_rule {
	/* key */
	enum rule_role role;
	unsigned categories; /* CAT() of own or principal's category */
	unsigned self;       /* LOC_* of the person */
	unsigned principal;  /* LOC_* of the principal (households only) */
	/* profile */
	const char *convention;
	const char *articles[RULE_ARTICLES];
	enum ch_arrest_rule arrest;
	enum ch_immunity_level criminal, civil, administrative;
	bool residence_inviolable;
	bool tax_exempt_pay;
	const char *waiver; /* NULL: nothing to waive */
	const char *summary;
	const char *starts, *ends;
	const char *notes[RULE_NOTES];
};

#define FULL CH_IMMUNITY_FULL
#define OFFICIAL CH_IMMUNITY_OFFICIAL_ACTS
#define NONE CH_IMMUNITY_NONE
#define ADMITTED CH_IMMUNITY_AS_ADMITTED

/*
 * First match wins.  Every key has a row (a unit test walks them all); the
 * locality masks of the rows for one category never overlap.
 */
static const struct immunity_rule rules[] = {
    /* ---- VCDR: members of the mission ---- */
    {ROLE_SELF, CAT(CH_CAT_DIPLOMATIC_AGENT), LOC_FOREIGN, LOC_ANY, VCDR,
	{"VCDR Art. 29", "VCDR Art. 30", "VCDR Art. 31", "VCDR Art. 32",
	    "VCDR Art. 34", "VCDR Art. 39"},
	CH_ARREST_NEVER, FULL, FULL, FULL, true, true, VCDR_WAIVER,
	"Diplomatic agent: do not arrest, detain or search them or enter "
	"their home. They cannot be prosecuted and can be sued only in a "
	"few private matters; call the duty officer.",
	VCDR_STARTS, VCDR_ENDS,
	{N_ART29_RESPECT, N_ART31_EXCEPTIONS, N_ART31_WITNESS}},
    {ROLE_SELF, CAT(CH_CAT_DIPLOMATIC_AGENT), LOC_LOCAL, LOC_ANY, VCDR,
	{"VCDR Art. 38(1)", "VCDR Art. 32", "VCDR Art. 39"}, CH_ARREST_ALLOWED,
	OFFICIAL, OFFICIAL, OFFICIAL, false, false, VCDR_WAIVER,
	"Diplomatic agent who is a host national or permanent resident: "
	"immune only for official acts. Police and courts may act on "
	"private conduct; call the duty officer.",
	VCDR_STARTS, VCDR_ENDS, {N_ART38_1_ARREST}},
    {ROLE_SELF, CAT(CH_CAT_ADMIN_TECHNICAL), LOC_FOREIGN, LOC_ANY, VCDR,
	{"VCDR Art. 37(2)", "VCDR Art. 29", "VCDR Art. 30", "VCDR Art. 31",
	    "VCDR Art. 32", "VCDR Art. 34", "VCDR Art. 39"},
	CH_ARREST_NEVER, FULL, OFFICIAL, OFFICIAL, true, true, VCDR_WAIVER,
	"Administrative or technical staff: do not arrest or detain them "
	"or enter their home; they cannot be prosecuted. Civil courts "
	"apply except to acts in their official duties.",
	VCDR_STARTS, VCDR_ENDS, {N_AT_CIVIL, N_ART31_WITNESS, N_AT_CUSTOMS}},
    {ROLE_SELF,
	CAT(CH_CAT_ADMIN_TECHNICAL) | CAT(CH_CAT_SERVICE_STAFF) |
	    CAT(CH_CAT_PRIVATE_SERVANT),
	LOC_LOCAL, LOC_ANY, VCDR, {"VCDR Art. 38(2)", "VCDR Art. 39"},
	CH_ARREST_ALLOWED, ADMITTED, ADMITTED, ADMITTED, false, false, NULL,
	"Staff member who is a host national or permanent resident: only "
	"what the host state grants. Unless protocol says otherwise, "
	"police and courts apply as to anyone.",
	VCDR_STARTS, VCDR_ENDS, {N_ART38_2}},
    {ROLE_SELF, CAT(CH_CAT_SERVICE_STAFF), LOC_FOREIGN, LOC_ANY, VCDR,
	{"VCDR Art. 37(3)", "VCDR Art. 33", "VCDR Art. 32", "VCDR Art. 39"},
	CH_ARREST_ALLOWED, OFFICIAL, OFFICIAL, OFFICIAL, false, true,
	VCDR_WAIVER,
	"Service staff: may be arrested; immune only for acts in the "
	"course of their duties. Their pay is tax-exempt.",
	VCDR_STARTS, VCDR_ENDS, {N_SERVICE_ARREST, N_SERVICE_SOCIAL}},
    {ROLE_SELF, CAT(CH_CAT_PRIVATE_SERVANT), LOC_FOREIGN, LOC_ANY, VCDR,
	{"VCDR Art. 37(4)", "VCDR Art. 39"}, CH_ARREST_ALLOWED, ADMITTED,
	ADMITTED, ADMITTED, false, true, NULL,
	"Private servant: no immunity of their own under the Convention; "
	"pay is tax-exempt, anything more only as the host state grants.",
	VCDR_STARTS, VCDR_ENDS, {N_ART37_4}},

    /* ---- VCDR: households ---- */
    {ROLE_HOUSEHOLD, CAT(CH_CAT_DIPLOMATIC_AGENT), LOC_FOREIGN, LOC_FOREIGN,
	VCDR,
	{"VCDR Art. 37(1)", "VCDR Art. 29", "VCDR Art. 30", "VCDR Art. 31",
	    "VCDR Art. 32", "VCDR Art. 34", "VCDR Art. 39"},
	CH_ARREST_NEVER, FULL, FULL, FULL, true, false, VCDR_WAIVER,
	"Family of a diplomatic agent: treat as a diplomatic agent. Do not "
	"arrest, detain or search them or enter their home; they cannot "
	"be prosecuted.",
	VCDR_HOUSEHOLD_STARTS, VCDR_HOUSEHOLD_ENDS,
	{N_FAMILY_TAX, N_ART31_EXCEPTIONS, N_ART31_WITNESS}},
    {ROLE_HOUSEHOLD, CAT(CH_CAT_DIPLOMATIC_AGENT), LOC_RESIDENT, LOC_FOREIGN,
	VCDR,
	{"VCDR Art. 37(1)", "VCDR Art. 29", "VCDR Art. 30", "VCDR Art. 31",
	    "VCDR Art. 32", "VCDR Art. 34", "VCDR Art. 39"},
	CH_ARREST_NEVER, FULL, FULL, FULL, true, false, VCDR_WAIVER,
	"Family of a diplomatic agent: treat as a diplomatic agent. Do not "
	"arrest, detain or search them or enter their home; they cannot "
	"be prosecuted.",
	VCDR_HOUSEHOLD_STARTS, VCDR_HOUSEHOLD_ENDS,
	{N_ART37_1_RESIDENT, N_FAMILY_TAX, N_ART31_EXCEPTIONS,
	    N_ART31_WITNESS}},
    {ROLE_HOUSEHOLD, CAT(CH_CAT_DIPLOMATIC_AGENT), LOC_NATIONAL, LOC_FOREIGN,
	VCDR, {"VCDR Art. 37(1)"}, CH_ARREST_ALLOWED, NONE, NONE, NONE, false,
	false, NULL,
	"Host-national family member of a diplomatic agent: no immunity "
	"under the Convention; police and courts apply as to any national.",
	NOT_APPLICABLE, NOT_APPLICABLE, {N_ART37_1_NATIONAL}},
    {ROLE_HOUSEHOLD, CAT(CH_CAT_DIPLOMATIC_AGENT), LOC_ANY, LOC_LOCAL, VCDR,
	{"VCDR Art. 37(1)", "VCDR Art. 38(1)"}, CH_ARREST_ALLOWED, NONE, NONE,
	NONE, false, false, NULL,
	"Family of a diplomatic agent who is a host national or permanent "
	"resident: no immunity under the Convention.",
	NOT_APPLICABLE, NOT_APPLICABLE, {N_LOCAL_DIPLOMAT_FAMILY}},
    {ROLE_HOUSEHOLD, CAT(CH_CAT_ADMIN_TECHNICAL), LOC_FOREIGN, LOC_FOREIGN,
	VCDR,
	{"VCDR Art. 37(2)", "VCDR Art. 29", "VCDR Art. 30", "VCDR Art. 31",
	    "VCDR Art. 32", "VCDR Art. 34", "VCDR Art. 39"},
	CH_ARREST_NEVER, FULL, NONE, NONE, true, false, VCDR_WAIVER,
	"Family of administrative or technical staff: do not arrest or "
	"detain them or enter their home; they cannot be prosecuted. "
	"Civil and administrative courts apply.",
	VCDR_HOUSEHOLD_STARTS, VCDR_HOUSEHOLD_ENDS,
	{N_AT_FAMILY_CIVIL, N_FAMILY_TAX}},
    {ROLE_HOUSEHOLD, CAT(CH_CAT_ADMIN_TECHNICAL), LOC_LOCAL, LOC_FOREIGN, VCDR,
	{"VCDR Art. 37(2)"}, CH_ARREST_ALLOWED, NONE, NONE, NONE, false, false,
	NULL,
	"Family member who is a host national or permanent resident: no "
	"immunity under the Convention.",
	NOT_APPLICABLE, NOT_APPLICABLE, {N_AT_EXCLUDED}},
    {ROLE_HOUSEHOLD, CAT(CH_CAT_ADMIN_TECHNICAL), LOC_ANY, LOC_LOCAL, VCDR,
	{"VCDR Art. 37(2)", "VCDR Art. 38(2)"}, CH_ARREST_ALLOWED, NONE, NONE,
	NONE, false, false, NULL,
	"Family of staff who are host nationals or permanent residents: "
	"no immunity under the Convention.",
	NOT_APPLICABLE, NOT_APPLICABLE, {N_AT_EXCLUDED}},
    {ROLE_HOUSEHOLD, CAT(CH_CAT_SERVICE_STAFF), LOC_ANY, LOC_ANY, VCDR,
	{"VCDR Art. 37(3)"}, CH_ARREST_ALLOWED, NONE, NONE, NONE, false, false,
	NULL,
	"Family of service staff: no immunity under the Convention; "
	"police and courts apply as to anyone.",
	NOT_APPLICABLE, NOT_APPLICABLE, {N_SERVICE_FAMILY}},
    {ROLE_HOUSEHOLD, CAT(CH_CAT_PRIVATE_SERVANT), LOC_ANY, LOC_ANY, VCDR,
	{"VCDR Art. 37(4)"}, CH_ARREST_ALLOWED, NONE, NONE, NONE, false, false,
	NULL,
	"Family of a private servant: no immunity under the Convention; "
	"police and courts apply as to anyone.",
	NOT_APPLICABLE, NOT_APPLICABLE, {N_SERVANT_FAMILY}},

    /* ---- VCCR: members of the consular post ---- */
    {ROLE_SELF, CAT(CH_CAT_CONSULAR_OFFICER), LOC_FOREIGN, LOC_ANY, VCCR,
	{"VCCR Art. 41", "VCCR Art. 42", "VCCR Art. 43", "VCCR Art. 44",
	    "VCCR Art. 45", "VCCR Art. 49", "VCCR Art. 53"},
	CH_ARREST_GRAVE_CRIME_ONLY, OFFICIAL, OFFICIAL, OFFICIAL, false, true,
	VCCR_WAIVER,
	"Career consular officer: may be arrested only for a grave crime "
	"on a judge's decision. Immune only for acts in consular "
	"functions; the home is not inviolable.",
	VCCR_STARTS, VCCR_ENDS,
	{N_VCCR_41, N_VCCR_43_EXCEPTIONS, N_VCCR_44_OFFICER, N_VCCR_RESIDENCE}},
    {ROLE_SELF, CAT(CH_CAT_CONSULAR_OFFICER), LOC_LOCAL, LOC_ANY, VCCR,
	{"VCCR Art. 71(1)", "VCCR Art. 42", "VCCR Art. 44(3)", "VCCR Art. 45",
	    "VCCR Art. 53"},
	CH_ARREST_ALLOWED, OFFICIAL, OFFICIAL, OFFICIAL, false, false,
	VCCR_WAIVER,
	"Consular officer who is a host national or permanent resident: "
	"immune only for official acts; may be arrested for private "
	"conduct.",
	VCCR_STARTS, VCCR_ENDS, {N_VCCR_71_1}},
    {ROLE_SELF, CAT(CH_CAT_CONSULAR_EMPLOYEE), LOC_FOREIGN, LOC_ANY, VCCR,
	{"VCCR Art. 43", "VCCR Art. 42", "VCCR Art. 44", "VCCR Art. 45",
	    "VCCR Art. 49", "VCCR Art. 53"},
	CH_ARREST_ALLOWED, OFFICIAL, OFFICIAL, OFFICIAL, false, true,
	VCCR_WAIVER,
	"Consular employee: may be arrested; immune only for acts in "
	"consular functions.",
	VCCR_STARTS, VCCR_ENDS,
	{N_VCCR_EMPLOYEE_ARREST, N_VCCR_42, N_VCCR_43_EXCEPTIONS,
	    N_VCCR_44_EMPLOYEE}},
    {ROLE_SELF, CAT(CH_CAT_CONSULAR_EMPLOYEE), LOC_LOCAL, LOC_ANY, VCCR,
	{"VCCR Art. 71(2)", "VCCR Art. 53"}, CH_ARREST_ALLOWED, ADMITTED,
	ADMITTED, ADMITTED, false, false, NULL,
	"Consular employee who is a host national or permanent resident: "
	"only what the host state grants. Unless protocol says otherwise, "
	"police and courts apply as to anyone.",
	VCCR_STARTS, VCCR_ENDS, {N_VCCR_71_2}},
    {ROLE_SELF, CAT(CH_CAT_HONORARY_CONSULAR_OFFICER), LOC_FOREIGN, LOC_ANY,
	VCCR,
	{"VCCR Art. 58", "VCCR Art. 42", "VCCR Art. 43", "VCCR Art. 45",
	    "VCCR Art. 53", "VCCR Art. 63", "VCCR Art. 66"},
	CH_ARREST_ALLOWED, OFFICIAL, OFFICIAL, OFFICIAL, false, true,
	VCCR_WAIVER,
	"Honorary consul: may be arrested; immune only for acts in "
	"consular functions, with narrower protection than a career "
	"consul.",
	VCCR_STARTS, VCCR_ENDS,
	{N_HONORARY_ARREST, N_VCCR_43_EXCEPTIONS, N_HONORARY_TAX}},
    {ROLE_SELF, CAT(CH_CAT_HONORARY_CONSULAR_OFFICER), LOC_LOCAL, LOC_ANY, VCCR,
	{"VCCR Art. 58", "VCCR Art. 63", "VCCR Art. 71(1)", "VCCR Art. 45",
	    "VCCR Art. 53"},
	CH_ARREST_ALLOWED, OFFICIAL, OFFICIAL, OFFICIAL, false, false,
	VCCR_WAIVER,
	"Honorary consul who is a host national or permanent resident: "
	"immune only for official acts; may be arrested for private "
	"conduct.",
	VCCR_STARTS, VCCR_ENDS, {N_VCCR_71_1, N_HONORARY_ARREST}},

    /* ---- VCCR: households ---- */
    {ROLE_HOUSEHOLD,
	CAT(CH_CAT_CONSULAR_OFFICER) | CAT(CH_CAT_CONSULAR_EMPLOYEE),
	LOC_FOREIGN, LOC_FOREIGN, VCCR,
	{"VCCR Art. 43", "VCCR Art. 49", "VCCR Art. 53(2)"}, CH_ARREST_ALLOWED,
	NONE, NONE, NONE, false, false, NULL,
	"Family of consular staff: no immunity from arrest or the courts; "
	"only some tax and registration privileges.",
	VCCR_HOUSEHOLD_STARTS, VCCR_HOUSEHOLD_ENDS, {N_VCCR_FAMILY}},
    {ROLE_HOUSEHOLD,
	CAT(CH_CAT_CONSULAR_OFFICER) | CAT(CH_CAT_CONSULAR_EMPLOYEE), LOC_LOCAL,
	LOC_FOREIGN, VCCR, {"VCCR Art. 71(2)"}, CH_ARREST_ALLOWED, ADMITTED,
	ADMITTED, ADMITTED, false, false, NULL,
	"Family member who is a host national or permanent resident: only "
	"what the host state grants; police and courts apply as to anyone "
	"unless protocol says otherwise.",
	VCCR_HOUSEHOLD_STARTS, VCCR_HOUSEHOLD_ENDS, {N_VCCR_71_2}},
    {ROLE_HOUSEHOLD,
	CAT(CH_CAT_CONSULAR_OFFICER) | CAT(CH_CAT_CONSULAR_EMPLOYEE), LOC_ANY,
	LOC_LOCAL, VCCR, {"VCCR Art. 71(2)"}, CH_ARREST_ALLOWED, ADMITTED,
	ADMITTED, ADMITTED, false, false, NULL,
	"Family of consular staff who are host nationals or permanent "
	"residents: only what the host state grants; police and courts "
	"apply as to anyone unless protocol says otherwise.",
	VCCR_HOUSEHOLD_STARTS, VCCR_HOUSEHOLD_ENDS, {N_VCCR_71_2}},
    {ROLE_HOUSEHOLD, CAT(CH_CAT_HONORARY_CONSULAR_OFFICER), LOC_ANY, LOC_ANY,
	VCCR, {"VCCR Art. 58(3)"}, CH_ARREST_ALLOWED, NONE, NONE, NONE, false,
	false, NULL,
	"Family of an honorary consul: no privileges or immunities.",
	NOT_APPLICABLE, NOT_APPLICABLE, {N_HONORARY_FAMILY}},

    /* ---- Outside the Conventions ---- */
    {ROLE_SELF, CAT(CH_CAT_LOCALLY_EMPLOYED), LOC_ANY, LOC_ANY, NO_CONVENTION,
	{NULL}, CH_ARREST_ALLOWED, NONE, NONE, NONE, false, false, NULL,
	"Locally employed staff: no immunity; police and courts apply as "
	"to anyone.",
	NOT_APPLICABLE, NOT_APPLICABLE, {N_LOCALLY_EMPLOYED}},
    {ROLE_SELF, CAT(CH_CAT_CONTRACTOR), LOC_ANY, LOC_ANY, NO_CONVENTION, {NULL},
	CH_ARREST_ALLOWED, NONE, NONE, NONE, false, false, NULL,
	"Contractor: no immunity; police and courts apply as to anyone.",
	NOT_APPLICABLE, NOT_APPLICABLE, {N_CONTRACTOR}},
    {ROLE_UNLINKED, CAT(CH_CAT_FAMILY_MEMBER), LOC_ANY, LOC_ANY, NO_CONVENTION,
	{NULL}, CH_ARREST_ALLOWED, NONE, NONE, NONE, false, false, NULL,
	"Family member not linked to a staff member: no immunity can be "
	"shown; treat as having none until the link is recorded.",
	NOT_APPLICABLE, NOT_APPLICABLE, {N_NO_PRINCIPAL}},
    {ROLE_HOUSEHOLD,
	CAT(CH_CAT_LOCALLY_EMPLOYED) | CAT(CH_CAT_FAMILY_MEMBER) |
	    CAT(CH_CAT_CONTRACTOR),
	LOC_ANY, LOC_ANY, NO_CONVENTION, {NULL}, CH_ARREST_ALLOWED, NONE, NONE,
	NONE, false, false, NULL,
	"Household member of someone without diplomatic or consular "
	"status: no immunity; police and courts apply as to anyone.",
	NOT_APPLICABLE, NOT_APPLICABLE, {N_PRINCIPAL_NO_STATUS}},
};

#undef FULL
#undef OFFICIAL
#undef NONE
#undef ADMITTED

/* ---- Derivation ---- */

/* A calendar date "YYYY-MM-DD" that exists (core's ch_date_valid, kept
 * local so this file links on its own). */
static bool
date_valid(const char *s)
{
	static const int mdays[12] = {
	    31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
	int year = 0, month, day, max;
	size_t i;

	for (i = 0; i < 10; i++) {
		if (i == 4 || i == 7) {
			if (s[i] != '-')
				return false;
		} else if (s[i] < '0' || s[i] > '9')
			return false;
	}
	if (s[10] != '\0')
		return false;
	for (i = 0; i < 4; i++)
		year = year * 10 + (s[i] - '0');
	month = (s[5] - '0') * 10 + (s[6] - '0');
	day = (s[8] - '0') * 10 + (s[9] - '0');
	if (year < 1 || month < 1 || month > 12 || day < 1)
		return false;
	max = mdays[month - 1];
	if (month == 2 &&
	    ((year % 4 == 0 && year % 100 != 0) || year % 400 == 0))
		max = 29;
	return day <= max;
}

/* NULL and "" mean "not recorded"; anything else must be a real date. */
static bool
optional_date_ok(const char *s)
{
	return s == NULL || s[0] == '\0' || date_valid(s);
}

static const char *
recorded(const char *s)
{
	return (s != NULL && s[0] != '\0') ? s : NULL;
}

static void
set_date(char dst[CH_DATE_LEN], const char *src)
{
	snprintf(dst, CH_DATE_LEN, "%s", src != NULL ? src : "");
}

static unsigned
locality(bool national, bool resident)
{
	if (national)
		return LOC_NATIONAL;
	return resident ? LOC_RESIDENT : LOC_FOREIGN;
}

static const struct immunity_rule *
find_rule(enum rule_role role, enum ch_staff_category category, unsigned self,
    unsigned principal)
{
	size_t i;

	for (i = 0; i < NELEM(rules); i++) {
		const struct immunity_rule *r = &rules[i];

		if (r->role == role && (r->categories & CAT(category)) &&
		    (r->self & self) && (r->principal & principal))
			return r;
	}
	return NULL;
}

static bool
add_note(struct ch_immunity_profile *out, const char *note)
{
	if (out->nnotes >= CH_IMMUNITY_MAX_NOTES)
		return false;
	out->notes[out->nnotes++] = note;
	return true;
}

static bool
has_protection(const struct ch_immunity_profile *p)
{
	return p->criminal != CH_IMMUNITY_NONE ||
	    p->civil != CH_IMMUNITY_NONE ||
	    p->administrative != CH_IMMUNITY_NONE ||
	    p->arrest != CH_ARREST_ALLOWED || p->tax_exempt_pay;
}

/*
 * Dates: a local person is already in the territory, so protection starts
 * on notification; anyone else from entry, or from notification when no
 * entry date is recorded.  Adds at most one note.
 */
static bool
apply_dates(const struct ch_immunity_input *in, bool local,
    struct ch_immunity_profile *out)
{
	const char *start, *end;

	if (!has_protection(out))
		return true;
	if (local)
		start = recorded(in->notified_on);
	else if ((start = recorded(in->arrived_on)) == NULL)
		start = recorded(in->notified_on);
	end = recorded(in->functions_end_on);
	set_date(out->starts_on, start);
	set_date(out->ends_on, end);

	if (start == NULL)
		return add_note(out, N_NOT_NOTIFIED);
	if (strcmp(in->today, start) < 0)
		return add_note(out, N_NOT_YET);
	if (end != NULL && strcmp(in->today, end) > 0)
		return add_note(out, N_ENDED);
	out->in_force = true;
	return true;
}

ch_err
ch_immunity_derive(
    const struct ch_immunity_input *in, struct ch_immunity_profile *out)
{
	const struct immunity_rule *r;
	enum ch_staff_category key;
	enum rule_role role;
	unsigned principal = LOC_ANY;
	size_t i;

	if (out == NULL)
		return CH_ERR_INVALID;
	memset(out, 0, sizeof(*out));
	if (in == NULL || in->today == NULL || !date_valid(in->today) ||
	    (unsigned)in->category >= CH_CAT__COUNT ||
	    !optional_date_ok(in->arrived_on) ||
	    !optional_date_ok(in->notified_on) ||
	    !optional_date_ok(in->functions_end_on))
		return CH_ERR_INVALID;

	key = in->category;
	role = ROLE_SELF;
	if (in->category == CH_CAT_FAMILY_MEMBER) {
		role = ROLE_UNLINKED;
		if (in->has_principal) {
			if ((unsigned)in->principal_category >= CH_CAT__COUNT)
				return CH_ERR_INVALID;
			role = ROLE_HOUSEHOLD;
			key = in->principal_category;
			principal =
			    in->principal_local ? LOC_LOCAL : LOC_FOREIGN;
		}
	}
	r = find_rule(role, key,
	    locality(in->host_national, in->permanent_resident), principal);
	if (r == NULL)
		return CH_ERR_INTERNAL;

	out->convention = r->convention;
	for (i = 0; i < RULE_ARTICLES && r->articles[i] != NULL; i++)
		out->articles[out->narticles++] = r->articles[i];
	out->arrest = r->arrest;
	out->criminal = r->criminal;
	out->civil = r->civil;
	out->administrative = r->administrative;
	out->residence_inviolable = r->residence_inviolable;
	out->tax_exempt_pay = r->tax_exempt_pay;
	out->waiver = r->waiver;
	out->waivable = r->waiver != NULL;
	out->summary = r->summary;
	out->starts = r->starts;
	out->ends = r->ends;
	for (i = 0; i < RULE_NOTES && r->notes[i] != NULL; i++)
		(void)add_note(out, r->notes[i]);

	/* RULE_NOTES + these two never exceed CH_IMMUNITY_MAX_NOTES. */
	if (!apply_dates(
		in, in->host_national || in->permanent_resident, out) ||
	    (!in->host_national && out->arrest != CH_ARREST_NEVER &&
		!add_note(out, N_ART36))) {
		memset(out, 0, sizeof(*out));
		return CH_ERR_INTERNAL;
	}
	return CH_OK;
}
