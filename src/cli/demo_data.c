/*
 * demo_data.c — a realistic, fictional demo post: the embassy of a
 * sending state (nationals "DK" in the demo) in Nairobi, its zones, 61
 * people across every staff category with their households, training
 * records, one user of every role, and twelve months of incident history
 * (protests, surveillance, crime against staff, a cyberattack, ...) at
 * every status, severity and TLP.  Everything goes through the use cases,
 * so the demo's audit log is as real as a post's.
 */
#include <stdio.h>
#include <string.h>

#include "accounts/accounts.h"
#include "cli/cli.h"
#include "incidents/incidents.h"
#include "people/people.h"
#include "screening/screening.h"

const char *const ch_demo_logins[] = {
    "rso",
    "rso-demo-passphrase",
    "security officer (Sofie Lund)",
    "analyst",
    "analyst-demo-passphrase",
    "analyst",
    "guard",
    "guard-demo-passphrase",
    "guard (gate desk)",
    "staff",
    "staff-demo-passphrase",
    "staff member (Line Bech)",
    "eac",
    "eac-demo-passphrase",
    "EAC member (the ambassador)",
    "hq",
    "hq-demo-passphrase",
    "HQ desk (all posts)",
    "admin",
    "admin-demo-passphrase",
    "administrator",
    NULL,
};

struct demo_zone {
	const char *name, *parent, *level, *clearance;
	bool escort;
};

static const struct demo_zone zones[] = {
    {"Compound perimeter", NULL, "public", "UNCLASSIFIED", false},
    {"Consular waiting hall", "Compound perimeter", "public", "UNCLASSIFIED",
	false},
    {"Chancery ground floor", "Compound perimeter", "controlled", "SBU", false},
    {"Chancery offices", "Chancery ground floor", "controlled", "SBU", false},
    {"Controlled access area", "Chancery offices", "restricted", "SECRET",
	true},
    {"Communications centre", "Controlled access area", "restricted", "SECRET",
	true},
    {"Motor pool", "Compound perimeter", "controlled", "UNCLASSIFIED", false},
    {"Chief of mission residence", NULL, "controlled", "UNCLASSIFIED", false},
};

struct demo_person {
	const char *ref, *given, *family, *category, *nationality;
	bool national, resident;
	const char *position, *clearance, *gender, *born;
	const char *arrived, *notified, *ended;
	const char *household_ref, *relationship;
};

#define DA "diplomatic_agent"
#define AT "administrative_technical"
#define SS "service_staff"
#define PS "private_servant"
#define CO "consular_officer"
#define CE "consular_employee"
#define HC "honorary_consular_officer"
#define LE "locally_employed"
#define FM "family_member"
#define CT "contractor"

static const struct demo_person people[] = {
    /* Diplomatic agents */
    {"d1", "Anders", "Holm", DA, "DK", false, false, "Ambassador", "SECRET",
	"male", "1968-03-14", "2024-08-19", "2024-08-21", NULL, NULL, NULL},
    {"d2", "Helena", "Varga", DA, "DK", false, false, "Deputy Chief of Mission",
	"SECRET", "female", "1975-11-02", "2025-01-06", "2025-01-08", NULL,
	NULL, NULL},
    {"d3", "Mikkel", "Brandt", DA, "DK", false, false, "Political Counsellor",
	"SECRET", "male", "1979-06-21", "2024-09-02", "2024-09-04", NULL, NULL,
	NULL},
    {"d4", "Sofie", "Lund", DA, "DK", false, false, "Regional Security Officer",
	"SECRET", "female", "1981-01-30", "2025-07-14", "2025-07-15", NULL,
	NULL, NULL},
    {"d5", "Jonas", "Kruse", DA, "DK", false, false, "Defence Attaché",
	"SECRET", "male", "1974-09-09", "2023-08-28", "2023-08-30", NULL, NULL,
	NULL},
    {"d6", "Ida", "Nygaard", DA, "DK", false, false, "Economic Counsellor",
	"CONFIDENTIAL", "female", "1983-04-17", "2025-02-03", "2025-02-05",
	NULL, NULL, NULL},
    {"d7", "Rasmus", "Dahl", DA, "DK", false, false,
	"First Secretary, Press and Culture", "CONFIDENTIAL", "male",
	"1986-12-05", "2024-01-15", "2024-01-17", NULL, NULL, NULL},
    {"d8", "Camilla", "Berg", DA, "DK", false, false, "Second Secretary", "SBU",
	"female", "1990-07-22", "2026-11-18", NULL, NULL, NULL, NULL},
    {"d9", "Nils", "Eriksen", DA, "DK", false, true, "Trade Attaché",
	"CONFIDENTIAL", "male", "1972-02-11", NULL, "2022-03-01", NULL, NULL,
	NULL},
    {"d10", "Astrid", "Vogel", DA, "DK", false, false, "Second Secretary",
	"CONFIDENTIAL", "female", "1988-10-03", "2023-09-04", "2023-09-06",
	"2026-09-30", NULL, NULL},
    /* Administrative and technical staff */
    {"a1", "Henrik", "Skov", AT, "DK", false, false, "Communications Officer",
	"SECRET", "male", "1977-05-19", "2024-06-10", "2024-06-12", NULL, NULL,
	NULL},
    {"a2", "Line", "Bech", AT, "DK", false, false, "Office Manager",
	"CONFIDENTIAL", "female", "1984-08-27", "2025-03-03", "2025-03-05",
	NULL, NULL, NULL},
    {"a3", "Kasper", "Juhl", AT, "DK", false, false, "IT Systems Officer",
	"SECRET", "male", "1987-02-14", "2024-10-07", "2024-10-09", NULL, NULL,
	NULL},
    {"a4", "Nanna", "Friis", AT, "DK", false, false, "Archivist",
	"CONFIDENTIAL", "female", "1980-12-12", "2023-11-20", "2023-11-22",
	NULL, NULL, NULL},
    {"a5", "Thomas", "Bak", AT, "DK", false, false, "Security Technician",
	"SECRET", "male", "1985-03-08", "2025-05-12", "2025-05-14", NULL, NULL,
	NULL},
    {"a6", "Signe", "Thorsen", AT, "DK", false, false, "Accountant", "SBU",
	"female", "1991-09-25", "2025-08-18", "2025-08-20", NULL, NULL, NULL},
    {"a7", "Mads", "Kjær", AT, "DK", false, false,
	"Security Detachment Commander", "SECRET", "male", "1989-06-30",
	"2026-02-02", "2026-02-04", NULL, NULL, NULL},
    {"a8", "Wanjiru", "Kamau", AT, "KE", true, false,
	"Administrative Assistant", "SBU", "female", "1992-04-04", NULL,
	"2021-06-01", NULL, NULL, NULL},
    /* Service staff */
    {"s1", "Bo", "Lindqvist", SS, "SE", false, false,
	"Driver to the Ambassador", "UNCLASSIFIED", "male", "1976-01-18",
	"2024-08-19", "2024-08-21", NULL, NULL, NULL},
    {"s2", "Emma", "Poulsen", SS, "DK", false, false, "Residence Manager",
	"UNCLASSIFIED", "female", "1982-10-10", "2024-09-09", "2024-09-11",
	NULL, NULL, NULL},
    {"s3", "Juan", "Reyes", SS, "PH", false, false, "Chef", "UNCLASSIFIED",
	"male", "1979-07-07", "2024-09-09", "2024-09-11", NULL, NULL, NULL},
    {"s4", "Grace", "Achieng", SS, "KE", true, false, "Cleaner", "UNCLASSIFIED",
	"female", "1987-03-03", NULL, "2020-02-17", NULL, NULL, NULL},
    {"s5", "Frederik", "Møller", SS, "DK", false, false,
	"Maintenance Technician", "UNCLASSIFIED", "male", "1973-11-23",
	"2025-04-07", "2025-04-09", NULL, NULL, NULL},
    /* Private servants */
    {"p1", "Maricel", "Santos", PS, "PH", false, false,
	"Nanny, Ambassador's household", "UNCLASSIFIED", "female", "1990-05-15",
	"2024-08-26", "2024-08-28", NULL, NULL, NULL},
    {"p2", "Rosa", "Dela Cruz", PS, "PH", false, false,
	"Housekeeper, Deputy's residence", "UNCLASSIFIED", "female",
	"1985-12-01", "2025-01-13", "2025-01-15", NULL, NULL, NULL},
    {"p3", "Joseph", "Otieno", PS, "KE", true, false,
	"Gardener, Chief of mission residence", "UNCLASSIFIED", "male",
	"1970-08-08", NULL, "2019-05-01", NULL, NULL, NULL},
    /* Consular officers and employees */
    {"c1", "Katrine", "Holt", CO, "DK", false, false, "Consul", "SECRET",
	"female", "1978-02-28", "2024-07-01", "2024-07-03", NULL, NULL, NULL},
    {"c2", "Σοφία", "Παπαδοπούλου", CE, "GR", false, false,
	"Consular Assistant", "SBU", "female", "1989-09-19", "2025-10-06",
	"2025-10-08", NULL, NULL, NULL},
    {"c3", "Daniel", "Ochieng", CE, "KE", true, false, "Consular Clerk",
	"UNCLASSIFIED", "male", "1988-01-09", NULL, "2022-01-10", NULL, NULL,
	NULL},
    {"c4", "Amina", "Yusuf", CO, "SO", false, true, "Vice-Consul", "SBU",
	"female", "1983-06-06", NULL, "2023-04-03", NULL, NULL, NULL},
    {"c5", "Rajesh", "Patel", HC, "KE", true, false,
	"Honorary Consul in Mombasa", "UNCLASSIFIED", "male", "1961-10-30",
	NULL, "2018-03-15", NULL, NULL, NULL},
    /* Locally employed staff */
    {"l1", "Brian", "Kiprotich", LE, "KE", true, false,
	"Local Guard Supervisor", "SBU", "male", "1980-03-21", NULL,
	"2015-09-01", NULL, NULL, NULL},
    {"l2", "Faith", "Njeri", LE, "KE", true, false, "Visa Clerk",
	"UNCLASSIFIED", "female", "1993-02-02", NULL, "2020-11-02", NULL, NULL,
	NULL},
    {"l3", "Samuel", "Kariuki", LE, "KE", true, false, "Driver", "UNCLASSIFIED",
	"male", "1984-12-24", NULL, "2017-06-12", NULL, NULL, NULL},
    {"l4", "Mercy", "Wambui", LE, "KE", true, false, "Receptionist",
	"UNCLASSIFIED", "female", "1995-07-13", NULL, "2022-08-15", NULL, NULL,
	NULL},
    {"l5", "Kevin", "Omondi", LE, "KE", true, false, "Local Guard",
	"UNCLASSIFIED", "male", "1990-10-01", NULL, "2019-01-07", NULL, NULL,
	NULL},
    {"l6", "Esther", "Muthoni", LE, "KE", true, false, "HR Assistant", "SBU",
	"female", "1986-04-29", NULL, "2018-10-22", NULL, NULL, NULL},
    {"l7", "Daniel", "Kibet", LE, "KE", true, false, "Local Guard",
	"UNCLASSIFIED", "male", "1994-05-05", NULL, "2023-03-13", NULL, NULL,
	NULL},
    {"l8", "Ruth", "Chebet", LE, "KE", true, false, "Protocol Assistant", "SBU",
	"female", "1989-11-11", NULL, "2016-04-04", NULL, NULL, NULL},
    {"l9", "Peter", "Njoroge", LE, "KE", true, false, "Mechanic",
	"UNCLASSIFIED", "male", "1978-09-17", NULL, "2014-02-03", NULL, NULL,
	NULL},
    {"l10", "Ahmed", "Hassan", LE, "KE", true, false, "Interpreter", "SBU",
	"male", "1982-06-26", NULL, "2021-09-20", NULL, NULL, NULL},
    /* Contractors */
    {"k1", "Олег", "Петренко", CT, "UA", false, false,
	"Lift engineer (contractor)", "UNCLASSIFIED", "male", "1975-04-12",
	NULL, NULL, NULL, NULL, NULL},
    {"k2", "Lucy", "Adhiambo", CT, "KE", true, false,
	"Cleaning contractor supervisor", "UNCLASSIFIED", "female",
	"1988-08-18", NULL, NULL, NULL, NULL, NULL},
    {"k3", "Marcus", "Steele", CT, "GB", false, false,
	"Construction project manager", "UNCLASSIFIED", "male", "1971-01-01",
	NULL, NULL, NULL, NULL, NULL},
    {"k4", "Yuki", "Tanaka", CT, "JP", false, false,
	"Network integration contractor", "UNCLASSIFIED", "female",
	"1987-03-27", NULL, NULL, NULL, NULL, NULL},
    /* Households */
    {"f1", "Karin", "Holm", FM, "DK", false, false, NULL, "UNCLASSIFIED",
	"female", "1970-07-01", "2024-08-19", "2024-08-21", NULL, "d1",
	"spouse"},
    {"f2", "Emil", "Holm", FM, "DK", false, false, NULL, "UNCLASSIFIED", "male",
	"2012-04-16", "2024-08-19", "2024-08-21", NULL, "d1", "child"},
    {"f3", "Tomas", "Varga", FM, "HU", false, false, NULL, "UNCLASSIFIED",
	"male", "1974-02-09", "2025-01-06", "2025-01-08", NULL, "d2", "spouse"},
    {"f4", "Lili", "Varga", FM, "DK", false, false, NULL, "UNCLASSIFIED",
	"female", "2015-08-30", "2025-01-06", "2025-01-08", NULL, "d2",
	"child"},
    {"f5", "ليلى", "حداد", FM, "LB", false, false, NULL, "UNCLASSIFIED",
	"female", "1981-03-12", "2024-09-02", "2024-09-04", NULL, "d3",
	"spouse"},
    {"f6", "Maria", "Kruse", FM, "DK", false, false, NULL, "UNCLASSIFIED",
	"female", "1976-05-05", "2023-08-28", "2023-08-30", NULL, "d5",
	"spouse"},
    {"f7", "Oskar", "Kruse", FM, "DK", false, false, NULL, "UNCLASSIFIED",
	"male", "2010-01-20", "2023-08-28", "2023-08-30", NULL, "d5", "child"},
    {"f8", "Freja", "Kruse", FM, "DK", false, false, NULL, "UNCLASSIFIED",
	"female", "2013-11-11", "2023-08-28", "2023-08-30", NULL, "d5",
	"child"},
    {"f9", "Lars", "Winther", FM, "DK", false, false, NULL, "UNCLASSIFIED",
	"male", "1982-09-14", "2025-02-03", "2025-02-05", NULL, "d6",
	"partner"},
    {"f10", "Akinyi", "Dahl", FM, "KE", true, false, NULL, "UNCLASSIFIED",
	"female", "1988-02-22", NULL, "2024-01-17", NULL, "d7", "spouse"},
    {"f11", "Erik", "Lund", FM, "DK", false, false, NULL, "UNCLASSIFIED",
	"male", "1980-06-16", "2025-07-14", "2025-07-15", NULL, "d4", "spouse"},
    {"f12", "Mette", "Skov", FM, "DK", false, false, NULL, "UNCLASSIFIED",
	"female", "1979-10-10", "2024-06-10", "2024-06-12", NULL, "a1",
	"spouse"},
    {"f13", "Alma", "Skov", FM, "DK", false, false, NULL, "UNCLASSIFIED",
	"female", "2016-03-03", "2024-06-10", "2024-06-12", NULL, "a1",
	"child"},
    {"f14", "Ole", "Friis", FM, "DK", false, false, NULL, "UNCLASSIFIED",
	"male", "1978-04-04", "2023-11-20", "2023-11-22", NULL, "a4", "spouse"},
    {"f15", "Hanne", "Møller", FM, "DK", false, false, NULL, "UNCLASSIFIED",
	"female", "1975-12-19", "2025-04-07", "2025-04-09", NULL, "s5",
	"spouse"},
    {"f16", "Jens", "Holt", FM, "DK", false, false, NULL, "UNCLASSIFIED",
	"male", "1977-08-08", "2024-07-01", "2024-07-03", NULL, "c1", "spouse"},
};

/* Training: course, completed, expires (NULL never), for these refs. */
static const struct {
	const char *ref, *course, *completed, *expires;
} training[] = {
    {"d1", "Security briefing", "2024-08-20", "2025-08-20"},
    {"d1", "Counter-threat course", "2024-05-13", "2029-05-13"},
    {"d2", "Security briefing", "2025-01-07", "2026-01-07"},
    {"d2", "Counter-threat course", "2024-11-04", "2029-11-04"},
    {"d3", "Security briefing", "2025-09-03", "2026-09-03"},
    {"d4", "Security briefing", "2025-07-15", "2026-07-15"},
    {"d4", "Counter-threat course", "2023-03-06", "2028-03-06"},
    {"d4", "Crisis management", "2025-02-17", NULL},
    {"d5", "Security briefing", "2025-08-29", "2026-08-29"},
    {"d6", "Security briefing", "2025-12-01", "2026-12-01"},
    {"d7", "Security briefing", "2025-01-16", "2026-01-16"},
    {"a1", "Security briefing", "2025-06-11", "2026-06-11"},
    {"a1", "COMSEC custodian", "2024-04-08", "2027-04-08"},
    {"a2", "Security briefing", "2025-03-04", "2026-03-04"},
    {"a3", "Security briefing", "2025-10-08", "2026-10-08"},
    {"a5", "Security briefing", "2025-05-13", "2026-05-13"},
    {"a7", "Counter-threat course", "2025-11-10", "2030-11-10"},
    {"c1", "Security briefing", "2025-07-02", "2026-07-02"},
    {"l1", "Guard force training", "2025-03-10", "2026-03-10"},
    {"l5", "Guard force training", "2024-03-11", "2025-03-11"},
    {"l7", "Guard force training", "2025-11-17", "2026-11-17"},
};

static const struct {
	const char *username, *name, *roles, *clearance, *person_ref;
	bool post;
} users[] = {
    {"rso", "Sofie Lund", "security_officer", "SECRET", "d4", true},
    {"analyst", "Rasmus Dahl", "analyst", "SECRET", "d7", true},
    {"guard", "Brian Kiprotich", "guard", "SBU", "l1", true},
    {"staff", "Line Bech", "staff", "CONFIDENTIAL", "a2", true},
    {"eac", "Anders Holm", "eac_member", "SECRET", "d1", true},
    {"hq", "HQ Security Desk", "hq", "SECRET", NULL, false},
    {"admin", "Kasper Juhl", "administrator", "SECRET", "a3", true},
};

static const char *
id_of(const char *ref, char ids[][CH_ID_LEN])
{
	for (size_t i = 0; i < CH_ARRAY_LEN(people); i++)
		if (strcmp(people[i].ref, ref) == 0)
			return ids[i];
	return NULL;
}

static char zone_ids[CH_ARRAY_LEN(zones)][CH_ID_LEN];

static ch_err
add_zones(struct ch_ctx *ctx, const char *post_id)
{
	char(*ids)[CH_ID_LEN] = zone_ids;
	ch_err err;

	for (size_t i = 0; i < CH_ARRAY_LEN(zones); i++) {
		struct ch_zone in = {0}, out;

		ch_strlcpy(in.post_id, post_id, sizeof(in.post_id));
		for (size_t j = 0; zones[i].parent && j < i; j++)
			if (strcmp(zones[j].name, zones[i].parent) == 0)
				ch_strlcpy(
				    in.parent_id, ids[j], sizeof(in.parent_id));
		in.name = (char *)zones[i].name;
		ch_zone_level_parse(zones[i].level, &in.level);
		ch_clearance_parse(zones[i].clearance, &in.required_clearance);
		in.escort_required = zones[i].escort;
		if ((err = ch_zones_create(ctx, &in, &out)) != CH_OK)
			return err;
		ch_strlcpy(ids[i], out.id, CH_ID_LEN);
	}
	return CH_OK;
}

static ch_err
add_people(struct ch_ctx *ctx, const char *post_id, char ids[][CH_ID_LEN])
{
	char email[128];
	ch_err err;

	for (size_t i = 0; i < CH_ARRAY_LEN(people); i++) {
		const struct demo_person *d = &people[i];
		struct ch_person_input in = {0};
		struct ch_person out;

		in.set = CH_PF_POST_ID | CH_PF_GIVEN_NAME | CH_PF_FAMILY_NAME |
		    CH_PF_CATEGORY | CH_PF_NATIONALITY | CH_PF_HOST_NATIONAL |
		    CH_PF_PERMANENT_RESIDENT | CH_PF_POSITION |
		    CH_PF_CLEARANCE | CH_PF_GENDER | CH_PF_DATE_OF_BIRTH |
		    CH_PF_ARRIVED_ON | CH_PF_NOTIFIED_ON |
		    CH_PF_FUNCTIONS_END_ON | CH_PF_EMAIL;
		in.post_id = post_id;
		in.given_name = d->given;
		in.family_name = d->family;
		in.category = d->category;
		in.nationality = d->nationality;
		in.host_national = d->national;
		in.permanent_resident = d->resident;
		in.position = d->position;
		in.clearance = d->clearance;
		in.gender = d->gender;
		in.date_of_birth = d->born;
		in.arrived_on = d->arrived;
		in.notified_on = d->notified;
		in.functions_end_on = d->ended;
		snprintf(
		    email, sizeof(email), "%s@nairobi.embassy.example", d->ref);
		in.email = d->household_ref ? NULL : email;
		if (d->household_ref != NULL) {
			in.set |= CH_PF_HOUSEHOLD_OF | CH_PF_RELATIONSHIP;
			in.household_of = id_of(d->household_ref, ids);
			in.relationship = d->relationship;
		}
		if ((err = ch_people_create(ctx, &in, &out)) != CH_OK) {
			log_error(
			    "demo person %s: %s", d->ref, ctx->fault.detail);
			return err;
		}
		ch_strlcpy(ids[i], out.id, CH_ID_LEN);
	}
	for (size_t i = 0; i < CH_ARRAY_LEN(training); i++) {
		struct ch_training t;

		err = ch_people_add_training(ctx, id_of(training[i].ref, ids),
		    training[i].course, training[i].completed,
		    training[i].expires, &t);
		if (err != CH_OK)
			return err;
	}
	return CH_OK;
}

static char user_ids[CH_ARRAY_LEN(users)][CH_ID_LEN];

static ch_err
add_users(struct ch_ctx *ctx, const char *post_id, char ids[][CH_ID_LEN])
{
	char password[64];
	ch_err err;

	for (size_t i = 0; i < CH_ARRAY_LEN(users); i++) {
		struct ch_user_input in = {0};
		struct ch_user out;

		snprintf(password, sizeof(password), "%s-demo-passphrase",
		    users[i].username);
		in.username = users[i].username;
		in.display_name = users[i].name;
		in.password = password;
		in.roles = users[i].roles;
		in.clearance = users[i].clearance;
		in.post_id = users[i].post ? post_id : NULL;
		in.person_id = users[i].person_ref
		    ? id_of(users[i].person_ref, ids)
		    : NULL;
		if ((err = ch_users_create(ctx, &in, &out)) != CH_OK)
			return err;
		ch_strlcpy(user_ids[i], out.id, CH_ID_LEN);
	}
	return CH_OK;
}

/* The index of a demo user by username. */
static size_t
user_index(const char *username)
{
	for (size_t i = 0; i < CH_ARRAY_LEN(users); i++)
		if (strcmp(users[i].username, username) == 0)
			return i;
	return 0;
}

static size_t
zone_index(const char *name)
{
	for (size_t i = 0; i < CH_ARRAY_LEN(zones); i++)
		if (strcmp(zones[i].name, name) == 0)
			return i;
	return 0;
}

/*
 * Twelve months of incidents.  days: how long ago it happened; minute:
 * the minute of that day (UTC); delay: minutes until it was reported.
 * status: how far the workflow got (each step with its reason).
 */
struct demo_incident {
	int days, minute, delay;
	const char *type, *category, *severity, *status;
	const char *title, *text;
	const char *zone, *place_kind, *place_name;
	const char *classification, *tlp, *reporter;
	const char *person1, *role1, *person2, *role2;
};

#define PV "political_violence"
#define TE "terrorism"
#define CR "crime"
#define HI "human_intelligence"
#define TC "technical_cyber"

static const struct demo_incident incidents[] = {
    {358, 560, 40, "hostile_protest", PV, "Moderate", "closed",
	"Demonstration at the main gate over visa refusals",
	"About 80 people outside the main gate from 09:20; placards, "
	"chanting, bottles thrown at the gatehouse. Police dispersed the crowd "
	"at 11:05. No injuries; gatehouse window cracked.",
	"Compound perimeter", NULL, NULL, "UNCLASSIFIED", "CLEAR", "guard",
	"l1", "witness", NULL, NULL},
    {341, 1210, 90, "surveillance_detected", HI, "Minor", "closed",
	"Same white saloon seen outside the residence three evenings",
	"Guard noted a white saloon, partial plate KDA 4.., parked opposite "
	"the residence gate on three evenings, occupant photographing.",
	NULL, "residence", "Chief of mission residence, Muthaiga", "SBU",
	"AMBER", "guard", "l5", "reporter", NULL, NULL},
    {327, 1140, 30, "crime", CR, "Moderate", "closed",
	"Phone snatched from staff member on Waiyaki Way",
	"Motorbike rider snatched the phone of a staff member waiting at a "
	"crossing. Reported to Parklands police; no injury.",
	NULL, "elsewhere", "Waiyaki Way, Westlands", "UNCLASSIFIED", "GREEN",
	"staff", "s4", "victim", NULL, NULL},
    {315, 480, 120, "cyberattack", TC, "Severe", "closed",
	"Spear-phishing campaign against the political section",
	"Twelve messages impersonating the host ministry with a macro-laden "
	"attachment; two opened, one workstation reimaged. Indicators passed "
	"to HQ CERT.",
	"Chancery offices", NULL, NULL, "CONFIDENTIAL", "AMBER+STRICT",
	"analyst", "d3", "victim", "a3", "involved"},
    {301, 900, 15, "hostile_protest", PV, "Minor", "closed",
	"Small picket outside the consular waiting hall",
	"Fifteen people with banners about a trade dispute; peaceful, left "
	"after one hour.",
	"Consular waiting hall", NULL, NULL, "UNCLASSIFIED", "CLEAR", "guard",
	NULL, NULL, NULL, NULL},
    {288, 1320, 60, "kidnapping_or_assault", CR, "Severe", "closed",
	"Attempted carjacking of an embassy vehicle",
	"Two armed men blocked the Defence Attaché's car at a junction in "
	"Lavington; driver reversed out. Shots not fired. Police informed.",
	NULL, "elsewhere", "James Gichuru Road, Lavington", "SBU", "AMBER",
	"rso", "d5", "victim", "s1", "witness"},
    {270, 610, 240, "espionage", HI, "Severe", "closed",
	"Approach to a locally employed staff member by a foreign officer",
	"A man claiming to be a researcher offered money for the names and "
	"routines of chancery staff. The staff member reported it at once.",
	NULL, "elsewhere", "Café in Westlands", "SECRET", "RED", "rso", "l3",
	"witness", NULL, NULL},
    {255, 300, 20, "crime", CR, "Minor", "closed",
	"Break-in attempt at the motor pool",
	"Padlock on the motor pool side gate cut overnight; nothing taken. "
	"CCTV shows two people leaving at 03:10.",
	"Motor pool", NULL, NULL, "UNCLASSIFIED", "GREEN", "guard", "l7",
	"reporter", NULL, NULL},
    {240, 720, 45, "surveillance_detected", HI, "Moderate", "closed",
	"Drone over the compound",
	"A small quadcopter hovered over the chancery roof for four minutes "
	"at about 60 m. Operator not found.",
	"Chancery ground floor", NULL, NULL, "SBU", "AMBER", "guard", "l1",
	"witness", NULL, NULL},
    {226, 1080, 30, "hostile_protest", PV, "Severe", "closed",
	"Violent demonstration after a news report",
	"About 400 people; stones thrown over the perimeter wall, a vehicle "
	"set alight in the street. Staff sheltered in the chancery. GSU "
	"restored order at 20:30.",
	"Compound perimeter", NULL, NULL, "UNCLASSIFIED", "GREEN", "rso", NULL,
	NULL, NULL, NULL},
    {212, 840, 10, "crime", CR, "Moderate", "closed",
	"Burglary at a staff residence",
	"Laptop and cash stolen from the home of an administrative and "
	"technical staff member while the family was out.",
	NULL, "residence", "Staff residence, Kileleshwa", "SBU", "AMBER",
	"staff", "a5", "victim", NULL, NULL},
    {198, 420, 300, "other", CR, "Minor", "closed",
	"Suspicious package at the consular entrance",
	"Unattended bag at the consular entrance; police EOD cleared it "
	"(clothes). Consular section closed for 90 minutes.",
	"Consular waiting hall", NULL, NULL, "UNCLASSIFIED", "CLEAR", "guard",
	NULL, NULL, NULL, NULL},
    {183, 1260, 50, "kidnapping_or_assault", CR, "Severe", "closed",
	"Diplomat assaulted during a robbery",
	"The Economic Counsellor was pushed to the ground and robbed of a bag "
	"outside a restaurant. Bruising; treated at the Aga Khan hospital. "
	"The host ministry was asked for a police report.",
	NULL, "elsewhere", "Restaurant car park, Karen", "SBU", "AMBER", "rso",
	"d6", "victim", NULL, NULL},
    {170, 540, 180, "cyberattack", TC, "Moderate", "closed",
	"Credential-stuffing against the visa appointment portal",
	"About 30,000 login attempts from rotating addresses; rate limits "
	"held. No accounts compromised.",
	NULL, "elsewhere", NULL, "UNCLASSIFIED", "AMBER", "analyst", NULL, NULL,
	NULL, NULL},
    {156, 660, 25, "surveillance_detected", HI, "Moderate", "closed",
	"Ambassador's car followed from the residence",
	"Motorcycle with two riders followed the ambassador's car from "
	"Muthaiga to the chancery; driver took the alternate route.",
	NULL, "elsewhere", "Limuru Road", "CONFIDENTIAL", "AMBER+STRICT", "rso",
	"d1", "victim", "s1", "witness"},
    {141, 1000, 60, "terrorist_attack", TE, "Extreme", "closed",
	"Explosion near a shopping centre frequented by staff",
	"An improvised device exploded outside a shopping centre 3 km from "
	"the chancery. No staff harmed; accountability check completed in 45 "
	"minutes.",
	NULL, "elsewhere", "Westlands", "UNCLASSIFIED", "GREEN", "rso", NULL,
	NULL, NULL, NULL},
    {127, 380, 35, "sabotage", TE, "Moderate", "closed",
	"Perimeter camera cables cut",
	"Two perimeter camera cables cut at the north wall overnight; "
	"repaired by 09:00.",
	"Compound perimeter", NULL, NULL, "SBU", "AMBER", "guard", "l5",
	"reporter", NULL, NULL},
    {113, 930, 20, "crime", CR, "Minor", "closed",
	"Pickpocketing at the city market",
	"A staff member's wallet taken in the city market; cards cancelled.",
	NULL, "elsewhere", "City Market, CBD", "UNCLASSIFIED", "CLEAR", "staff",
	"a6", "victim", NULL, NULL},
    {98, 1170, 15, "crime", CR, "Moderate", "closed",
	"Household member detained after a traffic accident",
	"A family member of an administrative and technical staff member was "
	"held at Kilimani police station after a minor collision; released "
	"after the duty officer called.",
	NULL, "elsewhere", "Kilimani police station", "SBU", "AMBER", "rso",
	"f12", "suspect", NULL, NULL},
    {84, 600, 120, "hostile_protest", PV, "Moderate", "investigating",
	"Protest over the sending state's foreign policy",
	"About 150 people outside the perimeter; an effigy burned, a gate "
	"camera damaged. Organisers known from earlier protests.",
	"Compound perimeter", NULL, NULL, "UNCLASSIFIED", "GREEN", "guard",
	"l1", "witness", NULL, NULL},
    {71, 450, 60, "espionage", HI, "Severe", "investigating",
	"Unknown device found in a meeting room",
	"A small transmitter was found behind a panel in the second-floor "
	"meeting room during a technical sweep.",
	"Chancery offices", NULL, NULL, "SECRET", "RED", "rso", "a5",
	"reporter", NULL, NULL},
    {58, 1230, 30, "surveillance_detected", HI, "Minor", "triaged",
	"Photographer outside the consular entrance",
	"A man photographed visitors at the consular entrance for about 20 "
	"minutes and left when approached.",
	"Consular waiting hall", NULL, NULL, "UNCLASSIFIED", "GREEN", "guard",
	"l7", "witness", NULL, NULL},
    {46, 820, 15, "crime", CR, "Moderate", "investigating",
	"Staff member's car broken into at the Sarit Centre",
	"Window smashed, a bag with a diplomatic ID card taken. ID cancelled.",
	NULL, "elsewhere", "Sarit Centre car park", "SBU", "AMBER", "staff",
	"a2", "victim", NULL, NULL},
    {35, 500, 240, "cyberattack", TC, "Severe", "investigating",
	"Malware beacon from a consular workstation",
	"The network monitor flagged beaconing to a known command-and-control "
	"address from a consular workstation. Isolated; forensics under way.",
	"Chancery ground floor", NULL, NULL, "CONFIDENTIAL", "AMBER+STRICT",
	"analyst", "c3", "involved", "a3", "involved"},
    {27, 1150, 20, "kidnapping_or_assault", CR, "Moderate", "triaged",
	"Driver threatened at a fuel station",
	"An embassy driver was threatened with a knife and told to hand over "
	"the vehicle papers; bystanders intervened.",
	NULL, "elsewhere", "Fuel station, Ngong Road", "UNCLASSIFIED", "AMBER",
	"guard", "s4", "victim", NULL, NULL},
    {19, 700, 30, "hostile_protest", PV, "Minor", "triaged",
	"Students' march past the chancery",
	"A student march passed the chancery with anti-embassy slogans; no "
	"incident at the gate.",
	"Compound perimeter", NULL, NULL, "UNCLASSIFIED", "CLEAR", "guard",
	NULL, NULL, NULL, NULL},
    {12, 1290, 25, "surveillance_detected", HI, "Moderate", "reported",
	"Vehicle photographing the residence at night",
	"A dark SUV stopped outside the residence gate at 21:30; the "
	"passenger photographed the gate and the guard post.",
	NULL, "residence", "Chief of mission residence, Muthaiga", "SBU",
	"AMBER", "guard", "l5", "witness", NULL, NULL},
    {8, 950, 15, "crime", CR, "Minor", "reported",
	"Attempted fraud against the consular section",
	"A caller posing as a host ministry official asked for visa "
	"applicants' passport numbers.",
	NULL, "elsewhere", NULL, "UNCLASSIFIED", "GREEN", "staff", "c1",
	"reporter", NULL, NULL},
    {4, 560, 40, "other", TE, "Unknown", "reported",
	"Threatening letter delivered to the consular section",
	"A handwritten letter threatening staff was left at the consular "
	"counter. Kept in an evidence bag; police not yet informed.",
	"Consular waiting hall", NULL, NULL, "SBU", "AMBER", "staff", "c4",
	"witness", NULL, NULL},
    {2, 1100, 10, "hostile_protest", PV, "Moderate", "reported",
	"Crowd gathering after a court ruling",
	"About 60 people gathering at the perimeter, numbers growing; police "
	"on scene.",
	"Compound perimeter", NULL, NULL, "UNCLASSIFIED", "CLEAR", "guard",
	"l1", "reporter", NULL, NULL},
};

/* The workflow steps from reported to a status, with demo reasons. */
static const struct {
	const char *to, *reason;
} steps[] = {
    {"triaged", "Assessed by the duty analyst; details confirmed."},
    {"investigating", "Follow-up opened with the host police liaison."},
    {"closed", "Actions complete; lessons recorded in the post brief."},
};

static ch_err
add_incidents(struct ch_ctx *ctx, const char *post_id, char ids[][CH_ID_LEN])
{
	int64_t now = ch_clock_now(), day = now - now % 86400;
	char occurred[CH_TIMESTAMP_LEN], reported[CH_TIMESTAMP_LEN];
	ch_err err;

	for (size_t i = 0; i < CH_ARRAY_LEN(incidents); i++) {
		const struct demo_incident *d = &incidents[i];
		struct ch_incident_person_input involved[2];
		const char *recipients[2];
		struct ch_incident_input in = {0};
		struct ch_incident out;
		size_t reporter = user_index(d->reporter);
		int64_t at = day - (int64_t)d->days * 86400 + d->minute * 60;

		ch_time_format(at, occurred);
		ch_time_format(at + d->delay * 60, reported);
		in.set = CH_IF_POST_ID | CH_IF_TYPE | CH_IF_CATEGORY |
		    CH_IF_SEVERITY | CH_IF_TITLE | CH_IF_DESCRIPTION |
		    CH_IF_OCCURRED_AT | CH_IF_REPORTED_AT |
		    CH_IF_CLASSIFICATION | CH_IF_TLP | CH_IF_PEOPLE;
		in.post_id = post_id;
		in.type = d->type;
		in.category = d->category;
		in.severity = d->severity;
		in.title = d->title;
		in.description = d->text;
		in.occurred_at = occurred;
		in.reported_at = reported;
		in.classification = d->classification;
		in.tlp = d->tlp;
		if (d->zone != NULL) {
			in.set |= CH_IF_ZONE_ID;
			in.zone_id = zone_ids[zone_index(d->zone)];
		}
		if (d->place_kind != NULL) {
			in.set |= CH_IF_PLACE_KIND;
			in.place_kind = d->place_kind;
		}
		if (d->place_name != NULL) {
			in.set |= CH_IF_PLACE_NAME;
			in.place_name = d->place_name;
		}
		if (d->person1 != NULL)
			involved[in.npeople++] =
			    (struct ch_incident_person_input){
				id_of(d->person1, ids), d->role1};
		if (d->person2 != NULL)
			involved[in.npeople++] =
			    (struct ch_incident_person_input){
				id_of(d->person2, ids), d->role2};
		in.people = involved;
		if (strcmp(d->tlp, "RED") == 0) {
			recipients[0] = user_ids[user_index("rso")];
			recipients[1] = user_ids[user_index("analyst")];
			in.set |= CH_IF_RECIPIENTS;
			in.recipients = recipients;
			in.nrecipients = 2;
		}
		in.reporter_user_id = user_ids[reporter];
		in.reporter_person_id = users[reporter].person_ref
		    ? id_of(users[reporter].person_ref, ids)
		    : NULL;
		if ((err = ch_incidents_report(ctx, &in, &out)) != CH_OK) {
			log_error(
			    "demo incident %zu: %s", i, ctx->fault.detail);
			return err;
		}
		for (size_t s = 0; s < CH_ARRAY_LEN(steps) &&
		     strcmp(d->status, "reported") != 0;
		     s++) {
			struct ch_incident moved;

			err = ch_incidents_transition(
			    ctx, out.id, steps[s].to, steps[s].reason, &moved);
			if (err != CH_OK) {
				log_error("demo incident %zu: %s", i,
				    ctx->fault.detail);
				return err;
			}
			if (strcmp(steps[s].to, d->status) == 0)
				break;
		}
	}
	return CH_OK;
}

ch_err
ch_demo_populate(struct ch_ctx *ctx, char post_id[CH_ID_LEN])
{
	static char ids[CH_ARRAY_LEN(people)][CH_ID_LEN];
	struct ch_post in = {0}, out;
	ch_err err;

	in.name = "Embassy in Nairobi";
	in.kind = CH_POST_EMBASSY;
	ch_strlcpy(in.country, "KE", sizeof(in.country));
	in.city = "Nairobi";
	in.timezone = "Africa/Nairobi";
	in.has_location = true;
	in.latitude = -1.2633;
	in.longitude = 36.8050;
	if ((err = ch_posts_create(ctx, &in, &out)) != CH_OK)
		return err;
	ch_strlcpy(post_id, out.id, CH_ID_LEN);
	if ((err = add_zones(ctx, post_id)) != CH_OK ||
	    (err = add_people(ctx, post_id, ids)) != CH_OK ||
	    (err = add_users(ctx, post_id, ids)) != CH_OK ||
	    (err = add_incidents(ctx, post_id, ids)) != CH_OK ||
	    (err = ch_demo_intel(ctx, post_id)) != CH_OK)
		return err;
	{
		struct ch_demo_reporters who = {user_ids[user_index("guard")],
		    id_of(users[user_index("guard")].person_ref, ids),
		    user_ids[user_index("analyst")],
		    id_of(users[user_index("analyst")].person_ref, ids)};
		size_t n = 0;

		if ((err = ch_demo_history(ctx, post_id, &who, &n)) != CH_OK)
			return err;
	}
	if ((err = ch_demo_risks(ctx, post_id)) != CH_OK)
		return err;
	if ((err = ch_demo_access_populate(ctx, post_id)) != CH_OK)
		return err;
	if ((err = ch_demo_screening(ctx)) != CH_OK)
		return err;
	/* Visitors are screened: the index must exist, lists or not. */
	if (!ch_screening_ready() &&
	    (err = ch_screening_reload(ctx->store)) != CH_OK)
		return err;
	return ch_demo_visitors(ctx, post_id);
}
