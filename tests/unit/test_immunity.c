/*
 * test_immunity.c — the immunity profile, article by article: each staff
 * category as a foreigner, a permanent resident and a host national; each
 * household; the dates of VCDR Art. 39; the codes; and a walk over every
 * possible input that checks the table's invariants.
 */
#include <string.h>

#include <criterion/criterion.h>

#include "people/immunity.h"

enum where { FOREIGN, RESIDENT, NATIONAL };

static const char TODAY[] = "2026-03-01";

static struct ch_immunity_input
person(enum ch_staff_category category, enum where where)
{
	struct ch_immunity_input in;

	memset(&in, 0, sizeof(in));
	in.category = category;
	in.host_national = where == NATIONAL;
	in.permanent_resident = where == RESIDENT;
	in.arrived_on = "2025-01-10";
	in.notified_on = "2025-01-12";
	in.today = TODAY;
	return in;
}

static struct ch_immunity_input
household(
    enum ch_staff_category principal, bool principal_local, enum where where)
{
	struct ch_immunity_input in = person(CH_CAT_FAMILY_MEMBER, where);

	in.has_principal = true;
	in.principal_category = principal;
	in.principal_local = principal_local;
	return in;
}

static struct ch_immunity_profile
derive(const struct ch_immunity_input *in)
{
	struct ch_immunity_profile p;

	cr_assert_eq(ch_immunity_derive(in, &p), CH_OK);
	return p;
}

static bool
has_article(const struct ch_immunity_profile *p, const char *article)
{
	size_t i;

	for (i = 0; i < p->narticles; i++)
		if (strcmp(p->articles[i], article) == 0)
			return true;
	return false;
}

static bool
has_note(const struct ch_immunity_profile *p, const char *fragment)
{
	size_t i;

	for (i = 0; i < p->nnotes; i++)
		if (strstr(p->notes[i], fragment) != NULL)
			return true;
	return false;
}

static void
expect_levels(const struct ch_immunity_profile *p, enum ch_arrest_rule arrest,
    enum ch_immunity_level criminal, enum ch_immunity_level civil,
    enum ch_immunity_level administrative)
{
	cr_expect_eq(
	    p->arrest, arrest, "arrest %s", ch_arrest_rule_code(p->arrest));
	cr_expect_eq(p->criminal, criminal, "criminal %s",
	    ch_immunity_level_code(p->criminal));
	cr_expect_eq(
	    p->civil, civil, "civil %s", ch_immunity_level_code(p->civil));
	cr_expect_eq(p->administrative, administrative, "administrative %s",
	    ch_immunity_level_code(p->administrative));
}

/* A profile the Convention gives nothing: no rights, no dates, no waiver. */
static void
expect_nothing(const struct ch_immunity_profile *p)
{
	expect_levels(p, CH_ARREST_ALLOWED, CH_IMMUNITY_NONE, CH_IMMUNITY_NONE,
	    CH_IMMUNITY_NONE);
	cr_expect_not(p->residence_inviolable);
	cr_expect_not(p->tax_exempt_pay);
	cr_expect_not(p->waivable);
	cr_expect_null(p->waiver);
	cr_expect_not(p->in_force);
	cr_expect_str_eq(p->starts_on, "");
}

/* ---- codes ---- */

Test(immunity_codes, category_round_trip)
{
	static const char *const codes[CH_CAT__COUNT] = {"diplomatic_agent",
	    "administrative_technical", "service_staff", "private_servant",
	    "consular_officer", "consular_employee",
	    "honorary_consular_officer", "locally_employed", "family_member",
	    "contractor"};
	enum ch_staff_category c, back;

	for (c = 0; c < CH_CAT__COUNT; c++) {
		cr_assert_str_eq(ch_staff_category_code(c), codes[c]);
		cr_assert(ch_staff_category_parse(codes[c], &back));
		cr_assert_eq(back, c);
		cr_assert_not_null(ch_staff_category_label(c));
		cr_assert_neq(ch_staff_category_label(c)[0], '\0');
	}
	cr_assert_str_eq(ch_staff_category_label(CH_CAT_DIPLOMATIC_AGENT),
	    "Diplomatic agent");
}

Test(immunity_codes, parse_rejects_unknown)
{
	enum ch_staff_category c = CH_CAT_CONTRACTOR;

	cr_assert_not(ch_staff_category_parse("Diplomatic_Agent", &c));
	cr_assert_not(ch_staff_category_parse("diplomat", &c));
	cr_assert_not(ch_staff_category_parse("", &c));
	cr_assert_not(ch_staff_category_parse("service_staff ", &c));
	cr_assert_not(ch_staff_category_parse(NULL, &c));
	cr_assert_eq(c, CH_CAT_CONTRACTOR, "out untouched on failure");
}

Test(immunity_codes, out_of_range_is_null)
{
	cr_assert_null(ch_staff_category_code(CH_CAT__COUNT));
	cr_assert_null(ch_staff_category_label(CH_CAT__COUNT));
	cr_assert_null(ch_immunity_level_code(CH_IMMUNITY__COUNT));
	cr_assert_null(ch_arrest_rule_code(CH_ARREST__COUNT));
}

Test(immunity_codes, level_and_arrest_codes)
{
	cr_assert_str_eq(ch_immunity_level_code(CH_IMMUNITY_FULL), "full");
	cr_assert_str_eq(
	    ch_immunity_level_code(CH_IMMUNITY_OFFICIAL_ACTS), "official_acts");
	cr_assert_str_eq(ch_immunity_level_code(CH_IMMUNITY_NONE), "none");
	cr_assert_str_eq(
	    ch_immunity_level_code(CH_IMMUNITY_AS_ADMITTED), "as_admitted");
	cr_assert_str_eq(ch_arrest_rule_code(CH_ARREST_NEVER), "never");
	cr_assert_str_eq(ch_arrest_rule_code(CH_ARREST_GRAVE_CRIME_ONLY),
	    "grave_crime_only");
	cr_assert_str_eq(ch_arrest_rule_code(CH_ARREST_ALLOWED), "allowed");
}

/* ---- VCDR: diplomatic agents, Arts. 29-31 and 38(1) ---- */

Test(immunity_vcdr, diplomatic_agent_foreign_arts_29_31)
{
	struct ch_immunity_input in = person(CH_CAT_DIPLOMATIC_AGENT, FOREIGN);
	struct ch_immunity_profile p = derive(&in);

	cr_assert_str_eq(p.convention, "VCDR 1961");
	cr_expect(has_article(&p, "VCDR Art. 29"));
	cr_expect(has_article(&p, "VCDR Art. 30"));
	cr_expect(has_article(&p, "VCDR Art. 31"));
	expect_levels(&p, CH_ARREST_NEVER, CH_IMMUNITY_FULL, CH_IMMUNITY_FULL,
	    CH_IMMUNITY_FULL);
	cr_expect(p.residence_inviolable);
	cr_expect(p.tax_exempt_pay);
	cr_expect(p.waivable);
	cr_expect_not_null(strstr(p.waiver, "VCDR Art. 32"));
	cr_expect_not_null(strstr(p.waiver, "expressly"));
	cr_expect(has_note(&p, "Art. 31(1)(a)-(c)"));
	cr_expect_not(has_note(&p, "Art. 36"), "inviolable: no arrest note");
	cr_expect(p.in_force);
}

Test(immunity_vcdr, diplomatic_agent_national_art_38_1)
{
	struct ch_immunity_input in = person(CH_CAT_DIPLOMATIC_AGENT, NATIONAL);
	struct ch_immunity_profile p = derive(&in);

	cr_expect(has_article(&p, "VCDR Art. 38(1)"));
	cr_expect_not(has_article(&p, "VCDR Art. 29"));
	expect_levels(&p, CH_ARREST_ALLOWED, CH_IMMUNITY_OFFICIAL_ACTS,
	    CH_IMMUNITY_OFFICIAL_ACTS, CH_IMMUNITY_OFFICIAL_ACTS);
	cr_expect_not(p.residence_inviolable);
	cr_expect_not(p.tax_exempt_pay);
	cr_expect(p.waivable);
	cr_expect(has_note(&p, "Inviolable only for official acts"));
	cr_expect_not(has_note(&p, "Art. 36"), "own national: no Art. 36");
}

Test(immunity_vcdr, diplomatic_agent_permanent_resident_art_38_1)
{
	struct ch_immunity_input in = person(CH_CAT_DIPLOMATIC_AGENT, RESIDENT);
	struct ch_immunity_profile p = derive(&in);

	cr_expect(has_article(&p, "VCDR Art. 38(1)"));
	expect_levels(&p, CH_ARREST_ALLOWED, CH_IMMUNITY_OFFICIAL_ACTS,
	    CH_IMMUNITY_OFFICIAL_ACTS, CH_IMMUNITY_OFFICIAL_ACTS);
	cr_expect(has_note(&p, "VCCR Art. 36"), "a foreigner may be detained");
}

/* ---- VCDR: administrative and technical staff, Arts. 37(2), 38(2) ---- */

Test(immunity_vcdr, admin_technical_foreign_art_37_2)
{
	struct ch_immunity_input in = person(CH_CAT_ADMIN_TECHNICAL, FOREIGN);
	struct ch_immunity_profile p = derive(&in);

	cr_expect(has_article(&p, "VCDR Art. 37(2)"));
	expect_levels(&p, CH_ARREST_NEVER, CH_IMMUNITY_FULL,
	    CH_IMMUNITY_OFFICIAL_ACTS, CH_IMMUNITY_OFFICIAL_ACTS);
	cr_expect(p.residence_inviolable);
	cr_expect(p.tax_exempt_pay);
	cr_expect(p.waivable);
	cr_expect(has_note(&p, "course of duties"));
}

Test(immunity_vcdr, admin_technical_national_art_38_2)
{
	struct ch_immunity_input in = person(CH_CAT_ADMIN_TECHNICAL, NATIONAL);
	struct ch_immunity_profile p = derive(&in);

	cr_expect(has_article(&p, "VCDR Art. 38(2)"));
	expect_levels(&p, CH_ARREST_ALLOWED, CH_IMMUNITY_AS_ADMITTED,
	    CH_IMMUNITY_AS_ADMITTED, CH_IMMUNITY_AS_ADMITTED);
	cr_expect_not(p.residence_inviolable);
	cr_expect_not(p.tax_exempt_pay);
	cr_expect_not(p.waivable);
	cr_expect_null(p.waiver);
	cr_expect(has_note(&p, "interfere unduly"));
}

Test(immunity_vcdr, admin_technical_permanent_resident_art_38_2)
{
	struct ch_immunity_input in = person(CH_CAT_ADMIN_TECHNICAL, RESIDENT);
	struct ch_immunity_profile p = derive(&in);

	cr_expect(has_article(&p, "VCDR Art. 38(2)"));
	expect_levels(&p, CH_ARREST_ALLOWED, CH_IMMUNITY_AS_ADMITTED,
	    CH_IMMUNITY_AS_ADMITTED, CH_IMMUNITY_AS_ADMITTED);
	cr_expect(has_note(&p, "VCCR Art. 36"));
}

/* ---- VCDR: service staff, Art. 37(3) ---- */

Test(immunity_vcdr, service_staff_foreign_art_37_3)
{
	struct ch_immunity_input in = person(CH_CAT_SERVICE_STAFF, FOREIGN);
	struct ch_immunity_profile p = derive(&in);

	cr_expect(has_article(&p, "VCDR Art. 37(3)"));
	expect_levels(&p, CH_ARREST_ALLOWED, CH_IMMUNITY_OFFICIAL_ACTS,
	    CH_IMMUNITY_OFFICIAL_ACTS, CH_IMMUNITY_OFFICIAL_ACTS);
	cr_expect_not(p.residence_inviolable, "not inviolable");
	cr_expect(p.tax_exempt_pay);
	cr_expect(p.waivable);
	cr_expect(has_note(&p, "VCCR Art. 36"));
}

Test(immunity_vcdr, service_staff_national_art_38_2)
{
	struct ch_immunity_input in = person(CH_CAT_SERVICE_STAFF, NATIONAL);
	struct ch_immunity_profile p = derive(&in);

	cr_expect(has_article(&p, "VCDR Art. 38(2)"));
	expect_levels(&p, CH_ARREST_ALLOWED, CH_IMMUNITY_AS_ADMITTED,
	    CH_IMMUNITY_AS_ADMITTED, CH_IMMUNITY_AS_ADMITTED);
	cr_expect_not(p.tax_exempt_pay);
}

Test(immunity_vcdr, service_staff_permanent_resident_art_38_2)
{
	struct ch_immunity_input in = person(CH_CAT_SERVICE_STAFF, RESIDENT);
	struct ch_immunity_profile p = derive(&in);

	cr_expect(has_article(&p, "VCDR Art. 38(2)"));
	cr_expect_not(has_article(&p, "VCDR Art. 37(3)"));
	cr_expect_not(p.tax_exempt_pay);
}

/* ---- VCDR: private servants, Art. 37(4) ---- */

Test(immunity_vcdr, private_servant_foreign_art_37_4)
{
	struct ch_immunity_input in = person(CH_CAT_PRIVATE_SERVANT, FOREIGN);
	struct ch_immunity_profile p = derive(&in);

	cr_expect(has_article(&p, "VCDR Art. 37(4)"));
	expect_levels(&p, CH_ARREST_ALLOWED, CH_IMMUNITY_AS_ADMITTED,
	    CH_IMMUNITY_AS_ADMITTED, CH_IMMUNITY_AS_ADMITTED);
	cr_expect(p.tax_exempt_pay);
	cr_expect_not(p.waivable, "no immunity of their own to waive");
	cr_expect_null(p.waiver);
	cr_expect(p.in_force, "the tax exemption is protection with dates");
}

Test(immunity_vcdr, private_servant_national_art_38_2)
{
	struct ch_immunity_input in = person(CH_CAT_PRIVATE_SERVANT, NATIONAL);
	struct ch_immunity_profile p = derive(&in);

	cr_expect(has_article(&p, "VCDR Art. 38(2)"));
	cr_expect_not(p.tax_exempt_pay);
}

Test(immunity_vcdr, private_servant_permanent_resident_art_38_2)
{
	struct ch_immunity_input in = person(CH_CAT_PRIVATE_SERVANT, RESIDENT);
	struct ch_immunity_profile p = derive(&in);

	cr_expect(has_article(&p, "VCDR Art. 38(2)"));
	cr_expect_not(p.tax_exempt_pay);
}

/* ---- VCDR households ---- */

Test(immunity_household, diplomat_family_foreign_art_37_1)
{
	struct ch_immunity_input in =
	    household(CH_CAT_DIPLOMATIC_AGENT, false, FOREIGN);
	struct ch_immunity_profile p = derive(&in);

	cr_expect(has_article(&p, "VCDR Art. 37(1)"));
	cr_expect(has_article(&p, "VCDR Art. 29"));
	expect_levels(&p, CH_ARREST_NEVER, CH_IMMUNITY_FULL, CH_IMMUNITY_FULL,
	    CH_IMMUNITY_FULL);
	cr_expect(p.residence_inviolable);
	cr_expect_not(p.tax_exempt_pay, "no mission pay; Art. 34(d)");
	cr_expect(has_note(&p, "Art. 34(d)"));
	cr_expect(p.waivable);
	cr_expect(p.in_force);
}

Test(immunity_household, diplomat_family_resident_keeps_art_37_1)
{
	struct ch_immunity_input in =
	    household(CH_CAT_DIPLOMATIC_AGENT, false, RESIDENT);
	struct ch_immunity_profile p = derive(&in);

	/* Art. 37(1) excludes nationals only, not permanent residents. */
	expect_levels(&p, CH_ARREST_NEVER, CH_IMMUNITY_FULL, CH_IMMUNITY_FULL,
	    CH_IMMUNITY_FULL);
	cr_expect(has_note(&p, "confirm with protocol"));
}

Test(immunity_household, diplomat_family_national_excluded)
{
	struct ch_immunity_input in =
	    household(CH_CAT_DIPLOMATIC_AGENT, false, NATIONAL);
	struct ch_immunity_profile p = derive(&in);

	cr_assert_str_eq(p.convention, "VCDR 1961");
	cr_expect(has_article(&p, "VCDR Art. 37(1)"));
	expect_nothing(&p);
	cr_expect(has_note(&p, "not host nationals"));
}

Test(immunity_household, family_of_local_diplomat_gets_nothing)
{
	struct ch_immunity_input in =
	    household(CH_CAT_DIPLOMATIC_AGENT, true, FOREIGN);
	struct ch_immunity_profile p = derive(&in);

	cr_expect(has_article(&p, "VCDR Art. 38(1)"));
	expect_nothing(&p);
}

Test(immunity_household, admin_technical_family_foreign_art_37_2)
{
	struct ch_immunity_input in =
	    household(CH_CAT_ADMIN_TECHNICAL, false, FOREIGN);
	struct ch_immunity_profile p = derive(&in);

	cr_expect(has_article(&p, "VCDR Art. 37(2)"));
	/* No duties, so the civil and administrative immunity is empty. */
	expect_levels(&p, CH_ARREST_NEVER, CH_IMMUNITY_FULL, CH_IMMUNITY_NONE,
	    CH_IMMUNITY_NONE);
	cr_expect(p.residence_inviolable);
	cr_expect(p.waivable, "criminal immunity can be waived");
}

Test(immunity_household, admin_technical_family_resident_excluded)
{
	struct ch_immunity_input in =
	    household(CH_CAT_ADMIN_TECHNICAL, false, RESIDENT);
	struct ch_immunity_profile p = derive(&in);

	cr_expect(has_article(&p, "VCDR Art. 37(2)"));
	expect_nothing(&p);
}

Test(immunity_household, family_of_local_admin_technical_gets_nothing)
{
	struct ch_immunity_input in =
	    household(CH_CAT_ADMIN_TECHNICAL, true, FOREIGN);
	struct ch_immunity_profile p = derive(&in);

	cr_expect(has_article(&p, "VCDR Art. 38(2)"));
	expect_nothing(&p);
}

Test(immunity_household, service_staff_family_gets_nothing)
{
	struct ch_immunity_input in =
	    household(CH_CAT_SERVICE_STAFF, false, FOREIGN);
	struct ch_immunity_profile p = derive(&in);

	cr_expect(has_article(&p, "VCDR Art. 37(3)"));
	expect_nothing(&p);
	cr_expect(has_note(&p, "VCCR Art. 36"));
}

Test(immunity_household, private_servant_family_gets_nothing)
{
	struct ch_immunity_input in =
	    household(CH_CAT_PRIVATE_SERVANT, false, FOREIGN);
	struct ch_immunity_profile p = derive(&in);

	cr_expect(has_article(&p, "VCDR Art. 37(4)"));
	expect_nothing(&p);
}

/* ---- VCCR: consular officers, Arts. 41, 43, 71(1) ---- */

Test(immunity_vccr, consular_officer_foreign_arts_41_43)
{
	struct ch_immunity_input in = person(CH_CAT_CONSULAR_OFFICER, FOREIGN);
	struct ch_immunity_profile p = derive(&in);

	cr_assert_str_eq(p.convention, "VCCR 1963");
	cr_expect(has_article(&p, "VCCR Art. 41"));
	cr_expect(has_article(&p, "VCCR Art. 43"));
	expect_levels(&p, CH_ARREST_GRAVE_CRIME_ONLY, CH_IMMUNITY_OFFICIAL_ACTS,
	    CH_IMMUNITY_OFFICIAL_ACTS, CH_IMMUNITY_OFFICIAL_ACTS);
	cr_expect_not(p.residence_inviolable, "VCCR has no Art. 30");
	cr_expect(p.tax_exempt_pay);
	cr_expect_not_null(strstr(p.waiver, "VCCR Art. 45"));
	cr_expect(has_note(&p, "grave crime"));
	cr_expect(has_note(&p, "vehicle"), "Art. 43(2) exceptions");
	cr_expect(has_note(&p, "VCCR Art. 36"));
	cr_expect_not_null(strstr(p.starts, "VCCR Art. 53"));
}

Test(immunity_vccr, consular_officer_national_art_71_1)
{
	struct ch_immunity_input in = person(CH_CAT_CONSULAR_OFFICER, NATIONAL);
	struct ch_immunity_profile p = derive(&in);

	cr_expect(has_article(&p, "VCCR Art. 71(1)"));
	cr_expect_not(has_article(&p, "VCCR Art. 41"));
	expect_levels(&p, CH_ARREST_ALLOWED, CH_IMMUNITY_OFFICIAL_ACTS,
	    CH_IMMUNITY_OFFICIAL_ACTS, CH_IMMUNITY_OFFICIAL_ACTS);
	cr_expect_not(p.tax_exempt_pay);
	cr_expect(p.waivable);
}

Test(immunity_vccr, consular_officer_permanent_resident_art_71_1)
{
	struct ch_immunity_input in = person(CH_CAT_CONSULAR_OFFICER, RESIDENT);
	struct ch_immunity_profile p = derive(&in);

	cr_expect(has_article(&p, "VCCR Art. 71(1)"));
	cr_expect_eq(p.arrest, CH_ARREST_ALLOWED);
	cr_expect(has_note(&p, "notify the consular post"));
}

/* ---- VCCR: consular employees, Arts. 43, 71(2) ---- */

Test(immunity_vccr, consular_employee_foreign_art_43)
{
	struct ch_immunity_input in = person(CH_CAT_CONSULAR_EMPLOYEE, FOREIGN);
	struct ch_immunity_profile p = derive(&in);

	cr_expect(has_article(&p, "VCCR Art. 43"));
	cr_expect_not(has_article(&p, "VCCR Art. 41"));
	expect_levels(&p, CH_ARREST_ALLOWED, CH_IMMUNITY_OFFICIAL_ACTS,
	    CH_IMMUNITY_OFFICIAL_ACTS, CH_IMMUNITY_OFFICIAL_ACTS);
	cr_expect(p.tax_exempt_pay);
	cr_expect(p.waivable);
	cr_expect(has_note(&p, "Must give evidence"));
}

Test(immunity_vccr, consular_employee_national_art_71_2)
{
	struct ch_immunity_input in =
	    person(CH_CAT_CONSULAR_EMPLOYEE, NATIONAL);
	struct ch_immunity_profile p = derive(&in);

	cr_expect(has_article(&p, "VCCR Art. 71(2)"));
	expect_levels(&p, CH_ARREST_ALLOWED, CH_IMMUNITY_AS_ADMITTED,
	    CH_IMMUNITY_AS_ADMITTED, CH_IMMUNITY_AS_ADMITTED);
	cr_expect_not(p.waivable);
}

Test(immunity_vccr, consular_employee_permanent_resident_art_71_2)
{
	struct ch_immunity_input in =
	    person(CH_CAT_CONSULAR_EMPLOYEE, RESIDENT);
	struct ch_immunity_profile p = derive(&in);

	cr_expect(has_article(&p, "VCCR Art. 71(2)"));
	cr_expect_not(p.tax_exempt_pay);
}

/* ---- VCCR: honorary consular officers, Chapter III ---- */

Test(immunity_vccr, honorary_foreign_arts_58_63_66)
{
	struct ch_immunity_input in =
	    person(CH_CAT_HONORARY_CONSULAR_OFFICER, FOREIGN);
	struct ch_immunity_profile p = derive(&in);

	cr_expect(has_article(&p, "VCCR Art. 58"));
	cr_expect(has_article(&p, "VCCR Art. 63"));
	cr_expect_not(has_article(&p, "VCCR Art. 41"), "narrower");
	expect_levels(&p, CH_ARREST_ALLOWED, CH_IMMUNITY_OFFICIAL_ACTS,
	    CH_IMMUNITY_OFFICIAL_ACTS, CH_IMMUNITY_OFFICIAL_ACTS);
	cr_expect(p.tax_exempt_pay, "Art. 66, consular pay only");
	cr_expect(has_note(&p, "VCCR Art. 66"));
	cr_expect_not(p.residence_inviolable);
}

Test(immunity_vccr, honorary_national_art_71_1)
{
	struct ch_immunity_input in =
	    person(CH_CAT_HONORARY_CONSULAR_OFFICER, NATIONAL);
	struct ch_immunity_profile p = derive(&in);

	cr_expect(has_article(&p, "VCCR Art. 71(1)"));
	cr_expect(has_article(&p, "VCCR Art. 63"));
	expect_levels(&p, CH_ARREST_ALLOWED, CH_IMMUNITY_OFFICIAL_ACTS,
	    CH_IMMUNITY_OFFICIAL_ACTS, CH_IMMUNITY_OFFICIAL_ACTS);
	cr_expect_not(p.tax_exempt_pay);
}

Test(immunity_vccr, honorary_permanent_resident_art_71_1)
{
	struct ch_immunity_input in =
	    person(CH_CAT_HONORARY_CONSULAR_OFFICER, RESIDENT);
	struct ch_immunity_profile p = derive(&in);

	cr_expect(has_article(&p, "VCCR Art. 71(1)"));
	cr_expect_not(p.tax_exempt_pay);
}

/* ---- VCCR households ---- */

Test(immunity_household, consular_officer_family_foreign_no_immunity)
{
	struct ch_immunity_input in =
	    household(CH_CAT_CONSULAR_OFFICER, false, FOREIGN);
	struct ch_immunity_profile p = derive(&in);

	cr_assert_str_eq(p.convention, "VCCR 1963");
	expect_nothing(&p);
	cr_expect(has_note(&p, "no immunity from arrest"));
}

Test(immunity_household, consular_employee_family_national_art_71_2)
{
	struct ch_immunity_input in =
	    household(CH_CAT_CONSULAR_EMPLOYEE, false, NATIONAL);
	struct ch_immunity_profile p = derive(&in);

	cr_expect(has_article(&p, "VCCR Art. 71(2)"));
	expect_levels(&p, CH_ARREST_ALLOWED, CH_IMMUNITY_AS_ADMITTED,
	    CH_IMMUNITY_AS_ADMITTED, CH_IMMUNITY_AS_ADMITTED);
}

Test(immunity_household, family_of_local_consular_officer_art_71_2)
{
	struct ch_immunity_input in =
	    household(CH_CAT_CONSULAR_OFFICER, true, FOREIGN);
	struct ch_immunity_profile p = derive(&in);

	cr_expect(has_article(&p, "VCCR Art. 71(2)"));
	cr_expect_eq(p.criminal, CH_IMMUNITY_AS_ADMITTED);
}

Test(immunity_household, honorary_family_art_58_3)
{
	struct ch_immunity_input in =
	    household(CH_CAT_HONORARY_CONSULAR_OFFICER, false, FOREIGN);
	struct ch_immunity_profile p = derive(&in);

	cr_expect(has_article(&p, "VCCR Art. 58(3)"));
	expect_nothing(&p);
}

/* ---- outside the Conventions ---- */

Test(immunity_none, locally_employed_and_contractors)
{
	static const enum ch_staff_category cats[] = {
	    CH_CAT_LOCALLY_EMPLOYED, CH_CAT_CONTRACTOR};
	size_t i;
	int w;

	for (i = 0; i < 2; i++) {
		for (w = FOREIGN; w <= NATIONAL; w++) {
			struct ch_immunity_input in =
			    person(cats[i], (enum where)w);
			struct ch_immunity_profile p = derive(&in);

			cr_assert_str_eq(p.convention, "none");
			cr_expect_eq(p.narticles, 0);
			expect_nothing(&p);
			cr_expect_eq(
			    has_note(&p, "VCCR Art. 36"), w != NATIONAL);
		}
	}
}

Test(immunity_none, family_without_principal)
{
	struct ch_immunity_input in = person(CH_CAT_FAMILY_MEMBER, FOREIGN);
	struct ch_immunity_profile p;

	in.principal_category = CH_CAT_DIPLOMATIC_AGENT; /* ignored */
	p = derive(&in);
	cr_assert_str_eq(p.convention, "none");
	expect_nothing(&p);
	cr_expect(has_note(&p, "household link is missing"));
}

Test(immunity_none, family_of_someone_without_status)
{
	static const enum ch_staff_category cats[] = {
	    CH_CAT_LOCALLY_EMPLOYED, CH_CAT_CONTRACTOR, CH_CAT_FAMILY_MEMBER};
	size_t i;

	for (i = 0; i < 3; i++) {
		struct ch_immunity_input in =
		    household(cats[i], false, FOREIGN);
		struct ch_immunity_profile p = derive(&in);

		expect_nothing(&p);
		cr_expect(has_note(&p, "no status"));
	}
}

/* ---- dates, VCDR Art. 39 ---- */

Test(immunity_dates, not_yet_notified)
{
	struct ch_immunity_input in = person(CH_CAT_DIPLOMATIC_AGENT, FOREIGN);
	struct ch_immunity_profile p;

	in.arrived_on = NULL;
	in.notified_on = NULL;
	p = derive(&in);
	cr_expect_str_eq(p.starts_on, "");
	cr_expect_not(p.in_force);
	cr_expect(has_note(&p, "not yet notified"));
	/* The rights themselves are still described. */
	cr_expect_eq(p.arrest, CH_ARREST_NEVER);
}

Test(immunity_dates, empty_strings_are_unrecorded)
{
	struct ch_immunity_input in = person(CH_CAT_ADMIN_TECHNICAL, FOREIGN);
	struct ch_immunity_profile p;

	in.arrived_on = "";
	in.notified_on = "";
	in.functions_end_on = "";
	p = derive(&in);
	cr_expect_str_eq(p.starts_on, "");
	cr_expect_str_eq(p.ends_on, "");
	cr_expect_not(p.in_force);
}

Test(immunity_dates, foreigner_starts_on_entry)
{
	struct ch_immunity_input in = person(CH_CAT_DIPLOMATIC_AGENT, FOREIGN);
	struct ch_immunity_profile p = derive(&in);

	cr_expect_str_eq(p.starts_on, "2025-01-10");
	cr_expect_str_eq(p.ends_on, "");
	cr_expect(p.in_force);
	cr_expect_not_null(strstr(p.starts, "Art. 39(1)"));
	cr_expect_not_null(strstr(p.ends, "Art. 39(2)"));
}

Test(immunity_dates, foreigner_without_entry_starts_on_notification)
{
	struct ch_immunity_input in = person(CH_CAT_SERVICE_STAFF, FOREIGN);
	struct ch_immunity_profile p;

	in.arrived_on = NULL;
	p = derive(&in);
	cr_expect_str_eq(p.starts_on, "2025-01-12");
	cr_expect(p.in_force);
}

Test(immunity_dates, host_national_starts_on_notification_only)
{
	struct ch_immunity_input in = person(CH_CAT_DIPLOMATIC_AGENT, NATIONAL);
	struct ch_immunity_profile p;

	p = derive(&in);
	cr_expect_str_eq(p.starts_on, "2025-01-12");

	in.notified_on = NULL; /* arrival means nothing: already there */
	p = derive(&in);
	cr_expect_str_eq(p.starts_on, "");
	cr_expect_not(p.in_force);
	cr_expect(has_note(&p, "not yet notified"));
}

Test(immunity_dates, before_start_not_in_force)
{
	struct ch_immunity_input in = person(CH_CAT_DIPLOMATIC_AGENT, FOREIGN);
	struct ch_immunity_profile p;

	in.arrived_on = "2026-03-02";
	p = derive(&in);
	cr_expect_str_eq(p.starts_on, "2026-03-02");
	cr_expect_not(p.in_force);
	cr_expect(has_note(&p, "not started"));

	in.arrived_on = TODAY;
	p = derive(&in);
	cr_expect(p.in_force, "in force on the day of entry");
}

Test(immunity_dates, ended_functions)
{
	struct ch_immunity_input in = person(CH_CAT_DIPLOMATIC_AGENT, FOREIGN);
	struct ch_immunity_profile p;

	in.functions_end_on = "2026-02-28";
	p = derive(&in);
	cr_expect_str_eq(p.ends_on, "2026-02-28");
	cr_expect_not(p.in_force);
	cr_expect(has_note(&p, "Functions have ended"));
	cr_expect(has_note(&p, "official acts"));

	in.functions_end_on = TODAY;
	p = derive(&in);
	cr_expect(p.in_force, "in force on the last day");
	cr_expect_not(has_note(&p, "Functions have ended"));
}

Test(immunity_dates, household_uses_its_own_dates)
{
	struct ch_immunity_input in =
	    household(CH_CAT_DIPLOMATIC_AGENT, false, FOREIGN);
	struct ch_immunity_profile p;

	in.arrived_on = "2025-06-01";
	p = derive(&in);
	cr_expect_str_eq(p.starts_on, "2025-06-01");
	cr_expect(p.in_force);
	cr_expect_not_null(strstr(p.ends, "Art. 39(2)-(3)"));
}

Test(immunity_dates, no_protection_has_no_dates)
{
	struct ch_immunity_input in = person(CH_CAT_CONTRACTOR, FOREIGN);
	struct ch_immunity_profile p = derive(&in);

	cr_expect_str_eq(p.starts_on, "");
	cr_expect_str_eq(p.ends_on, "");
	cr_expect_not(p.in_force);
	cr_expect_not(has_note(&p, "not yet notified"));
}

/* ---- bad input ---- */

Test(immunity_errors, rejects_bad_input_and_zeroes_out)
{
	struct ch_immunity_input in = person(CH_CAT_DIPLOMATIC_AGENT, FOREIGN);
	struct ch_immunity_input bad;
	struct ch_immunity_profile p;
	static const char *const bad_dates[] = {"2026-02-30", "2026-1-01",
	    "2026-13-01", "26-03-01", "2026-03-01T00:00:00Z", "yesterday",
	    "2025-02-29"};
	size_t i;

	cr_assert_eq(ch_immunity_derive(NULL, &p), CH_ERR_INVALID);
	cr_assert_eq(ch_immunity_derive(&in, NULL), CH_ERR_INVALID);

	bad = in;
	bad.today = NULL;
	cr_assert_eq(ch_immunity_derive(&bad, &p), CH_ERR_INVALID);
	cr_assert_null(p.convention, "zeroed on error");

	bad = in;
	bad.category = CH_CAT__COUNT;
	cr_assert_eq(ch_immunity_derive(&bad, &p), CH_ERR_INVALID);

	bad = household(CH_CAT_DIPLOMATIC_AGENT, false, FOREIGN);
	bad.principal_category = CH_CAT__COUNT;
	cr_assert_eq(ch_immunity_derive(&bad, &p), CH_ERR_INVALID);

	for (i = 0; i < sizeof(bad_dates) / sizeof(bad_dates[0]); i++) {
		bad = in;
		bad.today = bad_dates[i];
		cr_assert_eq(ch_immunity_derive(&bad, &p), CH_ERR_INVALID,
		    "today %s", bad_dates[i]);
		bad = in;
		bad.arrived_on = bad_dates[i];
		cr_assert_eq(ch_immunity_derive(&bad, &p), CH_ERR_INVALID,
		    "arrived_on %s", bad_dates[i]);
		bad = in;
		bad.notified_on = bad_dates[i];
		cr_assert_eq(ch_immunity_derive(&bad, &p), CH_ERR_INVALID);
		bad = in;
		bad.functions_end_on = bad_dates[i];
		cr_assert_eq(ch_immunity_derive(&bad, &p), CH_ERR_INVALID);
	}
	bad = in;
	bad.today = "2024-02-29";
	cr_assert_eq(ch_immunity_derive(&bad, &p), CH_OK, "leap day");
}

/* ---- the whole table ---- */

static bool
has_immunity(enum ch_immunity_level level)
{
	return level == CH_IMMUNITY_FULL || level == CH_IMMUNITY_OFFICIAL_ACTS;
}

static void
check_invariants(const struct ch_immunity_input *in)
{
	struct ch_immunity_profile p;
	bool immune;
	size_t i;

	cr_assert_eq(ch_immunity_derive(in, &p), CH_OK);
	cr_assert_not_null(p.convention);
	cr_assert_not_null(p.summary);
	cr_assert_neq(p.summary[0], '\0');
	cr_assert(p.starts != NULL && p.starts[0] != '\0');
	cr_assert(p.ends != NULL && p.ends[0] != '\0');
	if (strcmp(p.convention, "none") != 0) {
		cr_assert_geq(p.narticles, 1, "%s: no article",
		    ch_staff_category_code(in->category));
		for (i = 0; i < p.narticles; i++)
			cr_assert_eq(strncmp(p.articles[i], p.convention, 4), 0,
			    "%s cited under %s", p.articles[i], p.convention);
	} else {
		cr_assert_str_neq(p.convention, "");
		cr_assert_eq(p.narticles, 0);
	}
	cr_assert_leq(p.narticles, CH_IMMUNITY_MAX_ARTICLES);
	cr_assert_leq(p.nnotes, CH_IMMUNITY_MAX_NOTES);
	for (i = 0; i < p.nnotes; i++)
		cr_assert(p.notes[i] != NULL && p.notes[i][0] != '\0');
	cr_assert_not_null(ch_arrest_rule_code(p.arrest));
	cr_assert_not_null(ch_immunity_level_code(p.criminal));
	cr_assert_not_null(ch_immunity_level_code(p.civil));
	cr_assert_not_null(ch_immunity_level_code(p.administrative));

	immune = has_immunity(p.criminal) || has_immunity(p.civil) ||
	    has_immunity(p.administrative);
	cr_assert_eq(p.waivable, immune, "waivable iff something to waive");
	cr_assert_eq(p.waivable, p.waiver != NULL);
	if (p.residence_inviolable)
		cr_assert_eq(p.arrest, CH_ARREST_NEVER);
	cr_assert_eq(has_note(&p, "VCCR Art. 36"),
	    !in->host_national && p.arrest != CH_ARREST_NEVER);
	/* A host national never gets more than official-acts immunity. */
	if (in->host_national)
		cr_assert(p.criminal != CH_IMMUNITY_FULL &&
		    p.arrest == CH_ARREST_ALLOWED);
}

Test(immunity_table, every_input_has_a_complete_profile)
{
	enum ch_staff_category c, pc;
	int w, local;

	for (c = 0; c < CH_CAT__COUNT; c++) {
		for (w = FOREIGN; w <= NATIONAL; w++) {
			struct ch_immunity_input in = person(c, (enum where)w);

			check_invariants(&in);
			if (c != CH_CAT_FAMILY_MEMBER)
				continue;
			for (pc = 0; pc < CH_CAT__COUNT; pc++) {
				for (local = 0; local <= 1; local++) {
					in =
					    household(pc, local, (enum where)w);
					check_invariants(&in);
				}
			}
		}
	}
}

Test(immunity_table, national_and_resident_counts_as_national)
{
	struct ch_immunity_input in = person(CH_CAT_SERVICE_STAFF, NATIONAL);
	struct ch_immunity_profile p;

	in.permanent_resident = true;
	p = derive(&in);
	cr_expect(has_article(&p, "VCDR Art. 38(2)"));
	cr_expect_not(has_note(&p, "VCCR Art. 36"));
}
