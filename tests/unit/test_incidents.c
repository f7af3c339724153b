/*
 * test_incidents.c — incidents: the status workflow cell by cell, the
 * Vienna article table row by row, and the use cases over the store
 * ($CH_TEST_DSN, PostgreSQL in the test run, or a temporary SQLite file):
 * report and read, the timeline, transitions by role, If-Match, and the
 * list filtering by post, classification, TLP:RED and own reports exactly
 * as the detail does.
 */
#include <criterion/criterion.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "accounts/accounts.h"
#include "core/vault.h"
#include "incidents/incidents.h"
#include "store/db.h"
#include "store/store.h"

/* ---- the workflow, written here from docs/operators.md ---- */

Test(workflow, every_cell_of_the_transition_table)
{
	/* expected[from][to]: the permission the move needs, or none. */
	static const enum ch_perm expected[CH_IST__COUNT][CH_IST__COUNT] = {
	    [CH_IST_REPORTED] = {[CH_IST_TRIAGED] = CH_PERM_INCIDENTS_WRITE,
		[CH_IST_CLOSED] = CH_PERM_INCIDENTS_CLOSE},
	    [CH_IST_TRIAGED] = {[CH_IST_INVESTIGATING] =
				    CH_PERM_INCIDENTS_WRITE,
		[CH_IST_CLOSED] = CH_PERM_INCIDENTS_CLOSE},
	    [CH_IST_INVESTIGATING] = {[CH_IST_CLOSED] =
					  CH_PERM_INCIDENTS_CLOSE},
	    [CH_IST_CLOSED] = {[CH_IST_INVESTIGATING] =
				   CH_PERM_INCIDENTS_CLOSE},
	};

	for (int f = 0; f < CH_IST__COUNT; f++) {
		for (int t = 0; t < CH_IST__COUNT; t++) {
			const char *action = NULL;
			enum ch_perm got = ch_incident_transition_perm(
			    (enum ch_incident_status)f,
			    (enum ch_incident_status)t, &action);

			cr_assert_eq(got, expected[f][t], "%s -> %s",
			    ch_incident_status_code(f),
			    ch_incident_status_code(t));
			if (got != CH_PERM_NONE)
				cr_assert_not_null(action);
		}
	}
}

Test(workflow, who_holds_the_transition_permissions)
{
	cr_assert(ch_perm_roles(CH_PERM_INCIDENTS_WRITE) ==
	    ((1u << CH_ROLE_SECURITY_OFFICER) | (1u << CH_ROLE_ANALYST)));
	cr_assert(ch_perm_roles(CH_PERM_INCIDENTS_CLOSE) ==
	    (1u << CH_ROLE_SECURITY_OFFICER));
	cr_assert(
	    ch_perm_roles(CH_PERM_INCIDENTS_REPORT) & (1u << CH_ROLE_STAFF));
	cr_assert(ch_perm_own_ok(CH_PERM_INCIDENTS_READ));
}

Test(codes, every_code_parses_back)
{
	for (int i = 0; i < CH_INC_TYPE__COUNT; i++) {
		enum ch_incident_type t;

		cr_assert(ch_incident_type_parse(ch_incident_type_code(i), &t));
		cr_assert_eq((int)t, i);
	}
	for (int i = 0; i < CH_SEV__COUNT; i++) {
		enum ch_severity s;

		cr_assert(ch_severity_parse(ch_severity_code(i), &s));
		cr_assert_eq((int)s, i);
	}
	enum ch_severity s;
	cr_assert_not(ch_severity_parse("severe", &s), "CAP case matters");
}

/* ---- the Vienna table, row by row ---- */

static struct ch_incident_person
person(enum ch_involvement role, enum ch_staff_category cat,
    const char *nationality, bool host_national)
{
	struct ch_incident_person p;
	struct ch_immunity_input in;

	memset(&p, 0, sizeof(p));
	p.role = role;
	p.person.category = cat;
	p.person.host_national = host_national;
	ch_strlcpy(p.person.nationality, nationality, 3);
	memset(&in, 0, sizeof(in));
	in.category = cat;
	in.host_national = host_national;
	in.arrived_on = "2024-01-01";
	in.today = "2026-06-01";
	cr_assert_eq(ch_immunity_derive(&in, &p.immunity), CH_OK);
	return p;
}

static size_t
rule_index(const char *code)
{
	size_t n;
	const struct ch_vienna_rule *rules = ch_vienna_rules(&n);

	for (size_t i = 0; i < n; i++)
		if (strcmp(rules[i].code, code) == 0)
			return i;
	cr_assert_fail("no rule %s", code);
	return 0;
}

static struct ch_vienna_facts
facts(enum ch_incident_type type, enum ch_place_kind place,
    enum ch_post_kind post, const struct ch_incident_person *people, size_t n)
{
	struct ch_vienna_facts f = {type, place, post, "KE", people, n};

	return f;
}

/* One row: a case where it applies and one where it must not. */
static void
row(const char *code, struct ch_vienna_facts yes, struct ch_vienna_facts no)
{
	size_t i = rule_index(code);

	cr_assert(ch_vienna_rule_applies(i, &yes), "%s should apply", code);
	cr_assert_not(
	    ch_vienna_rule_applies(i, &no), "%s should not apply", code);
}

Test(vienna, every_rule_has_plain_words)
{
	size_t n;
	const struct ch_vienna_rule *rules = ch_vienna_rules(&n);

	cr_assert_geq(n, 10);
	for (size_t i = 0; i < n; i++) {
		cr_assert_gt(
		    strlen(rules[i].explanation), 60, "%s", rules[i].code);
		cr_assert_not_null(rules[i].applies);
	}
}

Test(vienna, vcdr_22_intrusion_on_mission_premises)
{
	row("vcdr-22",
	    facts(CH_INC_HOSTILE_PROTEST, CH_PLACE_PREMISES, CH_POST_EMBASSY,
		NULL, 0),
	    facts(CH_INC_HOSTILE_PROTEST, CH_PLACE_ELSEWHERE, CH_POST_EMBASSY,
		NULL, 0));
	row("vcdr-22",
	    facts(CH_INC_SABOTAGE, CH_PLACE_PREMISES, CH_POST_MISSION, NULL, 0),
	    facts(CH_INC_SABOTAGE, CH_PLACE_PREMISES, CH_POST_CONSULATE, NULL,
		0));
}

Test(vienna, vcdr_24_archives)
{
	row("vcdr-24",
	    facts(
		CH_INC_ESPIONAGE, CH_PLACE_PREMISES, CH_POST_EMBASSY, NULL, 0),
	    facts(CH_INC_HOSTILE_PROTEST, CH_PLACE_PREMISES, CH_POST_EMBASSY,
		NULL, 0));
}

Test(vienna, vcdr_27_communication)
{
	row("vcdr-27",
	    facts(CH_INC_CYBERATTACK, CH_PLACE_ELSEWHERE, CH_POST_EMBASSY, NULL,
		0),
	    facts(CH_INC_CRIME, CH_PLACE_ELSEWHERE, CH_POST_EMBASSY, NULL, 0));
}

Test(vienna, vcdr_29_attack_on_or_detention_of_a_diplomatic_agent)
{
	struct ch_incident_person agent_victim =
	    person(CH_ROLE_IN_VICTIM, CH_CAT_DIPLOMATIC_AGENT, "DK", false);
	struct ch_incident_person local_victim =
	    person(CH_ROLE_IN_VICTIM, CH_CAT_LOCALLY_EMPLOYED, "KE", true);
	struct ch_incident_person agent_suspect =
	    person(CH_ROLE_IN_SUSPECT, CH_CAT_DIPLOMATIC_AGENT, "DK", false);
	struct ch_incident_person agent_witness =
	    person(CH_ROLE_IN_WITNESS, CH_CAT_DIPLOMATIC_AGENT, "DK", false);

	row("vcdr-29",
	    facts(CH_INC_KIDNAPPING_OR_ASSAULT, CH_PLACE_ELSEWHERE,
		CH_POST_EMBASSY, &agent_victim, 1),
	    facts(CH_INC_KIDNAPPING_OR_ASSAULT, CH_PLACE_ELSEWHERE,
		CH_POST_EMBASSY, &local_victim, 1));
	row("vcdr-29",
	    facts(CH_INC_OTHER, CH_PLACE_ELSEWHERE, CH_POST_EMBASSY,
		&agent_suspect, 1),
	    facts(CH_INC_CRIME, CH_PLACE_ELSEWHERE, CH_POST_EMBASSY,
		&agent_witness, 1));
}

Test(vienna, vcdr_30_residence)
{
	row("vcdr-30",
	    facts(CH_INC_CRIME, CH_PLACE_RESIDENCE, CH_POST_EMBASSY, NULL, 0),
	    facts(CH_INC_CRIME, CH_PLACE_ELSEWHERE, CH_POST_EMBASSY, NULL, 0));
}

Test(vienna, vcdr_31_criminal_immunity_of_a_suspect)
{
	struct ch_incident_person agent =
	    person(CH_ROLE_IN_SUSPECT, CH_CAT_DIPLOMATIC_AGENT, "DK", false);
	struct ch_incident_person service =
	    person(CH_ROLE_IN_SUSPECT, CH_CAT_SERVICE_STAFF, "DK", false);

	row("vcdr-31",
	    facts(CH_INC_CRIME, CH_PLACE_ELSEWHERE, CH_POST_EMBASSY, &agent, 1),
	    facts(CH_INC_CRIME, CH_PLACE_ELSEWHERE, CH_POST_EMBASSY, &service,
		1));
}

Test(vienna, vccr_31_consular_premises)
{
	row("vccr-31",
	    facts(CH_INC_CRIME, CH_PLACE_PREMISES, CH_POST_CONSULATE, NULL, 0),
	    facts(CH_INC_CRIME, CH_PLACE_PREMISES, CH_POST_EMBASSY, NULL, 0));
}

Test(vienna, vccr_36_national_of_the_sending_state_detained)
{
	struct ch_incident_person national =
	    person(CH_ROLE_IN_SUSPECT, CH_CAT_SERVICE_STAFF, "DK", false);
	struct ch_incident_person host =
	    person(CH_ROLE_IN_SUSPECT, CH_CAT_LOCALLY_EMPLOYED, "KE", true);

	row("vccr-36",
	    facts(CH_INC_CRIME, CH_PLACE_ELSEWHERE, CH_POST_EMBASSY, &national,
		1),
	    facts(CH_INC_CRIME, CH_PLACE_ELSEWHERE, CH_POST_EMBASSY, &host, 1));
}

Test(vienna, vccr_41_and_43_consular_officer_suspect)
{
	struct ch_incident_person officer =
	    person(CH_ROLE_IN_SUSPECT, CH_CAT_CONSULAR_OFFICER, "DK", false);
	struct ch_incident_person officer_victim =
	    person(CH_ROLE_IN_VICTIM, CH_CAT_CONSULAR_OFFICER, "DK", false);

	row("vccr-41",
	    facts(CH_INC_CRIME, CH_PLACE_ELSEWHERE, CH_POST_CONSULATE, &officer,
		1),
	    facts(CH_INC_CRIME, CH_PLACE_ELSEWHERE, CH_POST_CONSULATE,
		&officer_victim, 1));
	row("vccr-43",
	    facts(CH_INC_CRIME, CH_PLACE_ELSEWHERE, CH_POST_CONSULATE, &officer,
		1),
	    facts(CH_INC_CRIME, CH_PLACE_ELSEWHERE, CH_POST_CONSULATE,
		&officer_victim, 1));
}

/* ---- the use cases over the store ---- */

static struct ch_store *store;
static struct ch_ctx ctx;
static char dsn[512], sqlite_path[128];
static char post_id[CH_ID_LEN], other_post[CH_ID_LEN];
static char agent_id[CH_ID_LEN], clerk_id[CH_ID_LEN];
static char reader_user[CH_ID_LEN];

static void
make_post(const char *label, char out_id[CH_ID_LEN])
{
	struct ch_post in = {0}, out;
	char name[80];

	snprintf(name, sizeof(name), "Incident post %s %d-%ld", label,
	    (int)getpid(), (long)random());
	in.name = name;
	in.kind = CH_POST_EMBASSY;
	memcpy(in.country, "KE", 3);
	in.city = "Nairobi";
	in.timezone = "Africa/Nairobi";
	cr_assert_eq(
	    ch_posts_create(&ctx, &in, &out), CH_OK, "%s", ctx.fault.detail);
	memcpy(out_id, out.id, CH_ID_LEN);
}

static void
make_person(const char *family, const char *category, char out_id[CH_ID_LEN])
{
	struct ch_person_input in = {0};
	struct ch_person p;

	in.set = CH_PF_POST_ID | CH_PF_GIVEN_NAME | CH_PF_FAMILY_NAME |
	    CH_PF_CATEGORY | CH_PF_NATIONALITY | CH_PF_ARRIVED_ON;
	in.post_id = post_id;
	in.given_name = "Test";
	in.family_name = family;
	in.category = category;
	in.nationality = "DK";
	in.arrived_on = "2024-01-01";
	cr_assert_eq(
	    ch_people_create(&ctx, &in, &p), CH_OK, "%s", ctx.fault.detail);
	memcpy(out_id, p.id, CH_ID_LEN);
}

static void
setup(void)
{
	const char *env = getenv("CH_TEST_DSN");
	struct ch_user_input ui = {0};
	struct ch_user u;
	char username[64];

	ch_log_set_quiet(true);
	if (env != NULL && *env != '\0') {
		snprintf(dsn, sizeof(dsn), "%s", env);
	} else {
		snprintf(sqlite_path, sizeof(sqlite_path),
		    "/tmp/ch-incidents-%d.db", (int)getpid());
		snprintf(dsn, sizeof(dsn), "sqlite:%s", sqlite_path);
	}
	cr_assert_eq(ch_store_open(dsn, 2, &store), CH_OK);
	memset(&ctx, 0, sizeof(ctx));
	ctx.store = store;
	ctx.arena = ch_arena_create(0);
	ctx.request_id = "test";
	ctx.source = "test";
	make_post("a", post_id);
	make_post("b", other_post);
	make_person("Agent", "diplomatic_agent", agent_id);
	make_person("Clerk", "administrative_technical", clerk_id);
	snprintf(username, sizeof(username), "reader%d%ld", (int)getpid(),
	    (long)random() % 100000);
	ui.username = username;
	ui.display_name = "Reader";
	ui.password = "a-long-enough-test-passphrase";
	ui.roles = "analyst";
	ui.clearance = "SECRET";
	ui.post_id = post_id;
	cr_assert_eq(
	    ch_users_create(&ctx, &ui, &u), CH_OK, "%s", ctx.fault.detail);
	memcpy(reader_user, u.id, CH_ID_LEN);
}

static void
teardown(void)
{
	ch_arena_destroy(ctx.arena);
	ch_store_close(store);
	if (sqlite_path[0]) {
		char extra[160];

		unlink(sqlite_path);
		snprintf(extra, sizeof(extra), "%s-wal", sqlite_path);
		unlink(extra);
		snprintf(extra, sizeof(extra), "%s-shm", sqlite_path);
		unlink(extra);
	}
}

TestSuite(incidents, .init = setup, .fini = teardown);

static struct ch_principal
principal(unsigned roles, enum ch_clearance clearance, const char *post,
    const char *user, const char *person_id)
{
	struct ch_principal w;

	memset(&w, 0, sizeof(w));
	ch_strlcpy(w.user_id, user, sizeof(w.user_id));
	ch_strlcpy(w.username, "tester", sizeof(w.username));
	w.roles = roles;
	w.clearance = clearance;
	ch_strlcpy(w.post_id, post, sizeof(w.post_id));
	ch_strlcpy(w.person_id, person_id ? person_id : "", CH_ID_LEN);
	return w;
}

/* Report an incident as the system (who NULL) or as ctx.who. */
static struct ch_incident
report(const char *post, const char *classification, const char *tlp,
    const char *recipient, const char *title)
{
	struct ch_incident_input in = {0};
	struct ch_incident_person_input people[1] = {{agent_id, "victim"}};
	const char *recipients[1] = {recipient};
	struct ch_incident inc;
	ch_err err;

	in.set = CH_IF_POST_ID | CH_IF_TYPE | CH_IF_CATEGORY | CH_IF_SEVERITY |
	    CH_IF_TITLE | CH_IF_OCCURRED_AT | CH_IF_CLASSIFICATION | CH_IF_TLP |
	    CH_IF_PLACE_KIND;
	in.post_id = post;
	in.type = "kidnapping_or_assault";
	in.category = "crime";
	in.severity = "Severe";
	in.title = title;
	in.occurred_at = "2026-01-10T08:00:00Z";
	in.classification = classification;
	in.tlp = tlp;
	in.place_kind = "elsewhere";
	if (strcmp(post, post_id) == 0) {
		in.set |= CH_IF_PEOPLE;
		in.people = people;
		in.npeople = 1;
	}
	if (recipient != NULL) {
		in.set |= CH_IF_RECIPIENTS;
		in.recipients = recipients;
		in.nrecipients = 1;
	}
	err = ch_incidents_report(&ctx, &in, &inc);
	cr_assert_eq(err, CH_OK, "%s: %s", title, ctx.fault.detail);
	return inc;
}

static bool
listed(const char *id)
{
	struct ch_incident_filter f = {0};
	struct ch_incident_page page;
	bool found = false;

	f.limit = 200;
	cr_assert_eq(ch_incidents_list(&ctx, &f, &page), CH_OK);
	for (size_t i = 0; i < page.count; i++)
		found |= strcmp(page.items[i].id, id) == 0;
	return found;
}

/* Listed exactly when the detail answers, for the current ctx.who. */
static bool
visible_both_ways(const char *id)
{
	struct ch_incident_view v;
	bool detail = ch_incidents_get(&ctx, id, &v) == CH_OK;

	cr_assert_eq(listed(id), detail, "list and detail disagree on %s", id);
	return detail;
}

Test(incidents, report_read_with_immunity_articles_and_timeline)
{
	struct ch_incident inc =
	    report(post_id, "SBU", "AMBER", NULL, "Assault on the agent");
	struct ch_incident_view v;

	cr_assert_eq(ch_incidents_get(&ctx, inc.id, &v), CH_OK);
	cr_assert_str_eq(v.incident.title, "Assault on the agent");
	cr_assert_eq(v.incident.status, CH_IST_REPORTED);
	cr_assert_eq(v.incident.npeople, 1);
	cr_assert(v.incident.people[0].visible);
	cr_assert_eq(v.incident.people[0].immunity.arrest, CH_ARREST_NEVER);
	bool art29 = false;
	for (size_t i = 0; i < v.narticles; i++)
		art29 |= strcmp(v.articles[i]->code, "vcdr-29") == 0;
	cr_assert(art29, "an assault on a diplomatic agent bears on Art. 29");
	cr_assert_eq(v.ntimeline, 1);
	cr_assert_str_eq(v.timeline[0].action, "incident.report");
}

Test(incidents, transitions_by_role_with_reasons_on_the_timeline)
{
	struct ch_incident inc =
	    report(post_id, "UNCLASSIFIED", "CLEAR", NULL, "Workflow");
	struct ch_principal analyst = principal(1u << CH_ROLE_ANALYST,
	    CH_CLEARANCE_SECRET, post_id, reader_user, NULL);
	struct ch_principal officer = principal(1u << CH_ROLE_SECURITY_OFFICER,
	    CH_CLEARANCE_SECRET, post_id, reader_user, NULL);
	struct ch_incident out;
	struct ch_incident_view v;

	ctx.who = &analyst;
	cr_assert_eq(
	    ch_incidents_transition(&ctx, inc.id, "closed", "done", &out),
	    CH_ERR_DENIED, "an analyst may not close");
	cr_assert_eq(ch_incidents_transition(
			 &ctx, inc.id, "investigating", "skip", &out),
	    CH_ERR_CONFLICT, "reported cannot jump to investigating");
	cr_assert_eq(ch_incidents_transition(&ctx, inc.id, "triaged", "", &out),
	    CH_ERR_INVALID, "a reason is required");
	cr_assert_eq(ch_incidents_transition(&ctx, inc.id, "triaged",
			 "credible, local police informed", &out),
	    CH_OK);
	cr_assert_eq(ch_incidents_transition(
			 &ctx, inc.id, "investigating", "CCTV requested", &out),
	    CH_OK);
	ctx.who = &officer;
	cr_assert_eq(ch_incidents_transition(
			 &ctx, inc.id, "closed", "suspect identified", &out),
	    CH_OK);
	ctx.who = &analyst;
	cr_assert_eq(ch_incidents_transition(
			 &ctx, inc.id, "investigating", "new lead", &out),
	    CH_ERR_DENIED, "only the security officer reopens");
	ctx.who = &officer;
	cr_assert_eq(ch_incidents_transition(
			 &ctx, inc.id, "investigating", "new lead", &out),
	    CH_OK);
	cr_assert_eq(out.status, CH_IST_INVESTIGATING);
	cr_assert_eq(ch_incidents_get(&ctx, inc.id, &v), CH_OK);
	cr_assert_eq(v.ntransitions, 4);
	cr_assert_str_eq(
	    v.transitions[0].reason, "credible, local police informed");
	cr_assert_eq(v.ntimeline, 5);
	cr_assert_str_eq(v.timeline[3].action, "incident.close");
	cr_assert_str_eq(v.timeline[4].action, "incident.reopen");
	ctx.who = NULL;
}

Test(incidents, update_needs_the_current_version)
{
	struct ch_incident inc =
	    report(post_id, "UNCLASSIFIED", "GREEN", NULL, "Version");
	struct ch_incident_input in = {0};
	struct ch_incident out;

	in.set = CH_IF_SEVERITY;
	in.severity = "Minor";
	cr_assert_eq(ch_incidents_update(&ctx, inc.id, &in, 7, &out),
	    CH_ERR_PRECONDITION);
	cr_assert_eq(ch_incidents_update(&ctx, inc.id, &in, 1, &out), CH_OK);
	cr_assert_eq(out.severity, CH_SEV_MINOR);
	cr_assert_eq(out.version, 2);
	in.severity = "minor";
	cr_assert_eq(
	    ch_incidents_update(&ctx, inc.id, &in, 2, &out), CH_ERR_INVALID);
	cr_assert_str_eq(ctx.fault.field, "/severity");
}

Test(incidents, people_of_another_post_and_red_without_recipients_refused)
{
	struct ch_incident_input in = {0};
	struct ch_incident_person_input people[1] = {{agent_id, "suspect"}};
	struct ch_incident out;

	in.set = CH_IF_POST_ID | CH_IF_TYPE | CH_IF_CATEGORY | CH_IF_SEVERITY |
	    CH_IF_TITLE | CH_IF_OCCURRED_AT | CH_IF_CLASSIFICATION | CH_IF_TLP |
	    CH_IF_PEOPLE;
	in.post_id = other_post;
	in.type = "crime";
	in.category = "crime";
	in.severity = "Minor";
	in.title = "Wrong post";
	in.occurred_at = "2026-01-10T08:00:00Z";
	in.classification = "UNCLASSIFIED";
	in.tlp = "CLEAR";
	in.people = people;
	in.npeople = 1;
	cr_assert_eq(ch_incidents_report(&ctx, &in, &out), CH_ERR_INVALID);
	cr_assert_str_eq(ctx.fault.field, "/people");
	in.set &= ~(unsigned)CH_IF_PEOPLE;
	in.tlp = "RED";
	cr_assert_eq(ch_incidents_report(&ctx, &in, &out), CH_ERR_INVALID);
	cr_assert_str_eq(ctx.fault.field, "/recipients");
	in.tlp = "CLEAR";
	in.occurred_at = "2999-01-01T00:00:00Z";
	cr_assert_eq(ch_incidents_report(&ctx, &in, &out), CH_ERR_INVALID);
	cr_assert_str_eq(ctx.fault.field, "/occurred_at");
}

Test(incidents, list_filters_by_post_like_the_detail)
{
	struct ch_incident mine =
	    report(post_id, "UNCLASSIFIED", "CLEAR", NULL, "Mine");
	struct ch_incident theirs =
	    report(other_post, "UNCLASSIFIED", "CLEAR", NULL, "Theirs");
	struct ch_principal analyst = principal(1u << CH_ROLE_ANALYST,
	    CH_CLEARANCE_SECRET, post_id, reader_user, NULL);
	struct ch_principal hq = principal(
	    1u << CH_ROLE_HQ, CH_CLEARANCE_SECRET, "", reader_user, NULL);

	ctx.who = &analyst;
	cr_assert(visible_both_ways(mine.id));
	cr_assert_not(visible_both_ways(theirs.id));
	ctx.who = &hq;
	cr_assert(visible_both_ways(theirs.id));
	ctx.who = NULL;
}

Test(incidents, list_filters_by_classification_like_the_detail)
{
	struct ch_incident secret =
	    report(post_id, "SECRET", "CLEAR", NULL, "Secret");
	struct ch_principal low = principal(1u << CH_ROLE_ANALYST,
	    CH_CLEARANCE_CONFIDENTIAL, post_id, reader_user, NULL);
	struct ch_principal high = principal(1u << CH_ROLE_ANALYST,
	    CH_CLEARANCE_SECRET, post_id, reader_user, NULL);

	ctx.who = &low;
	cr_assert_not(visible_both_ways(secret.id));
	ctx.who = &high;
	cr_assert(visible_both_ways(secret.id));
	ctx.who = NULL;
}

Test(incidents, list_filters_tlp_red_to_named_recipients)
{
	struct ch_incident red =
	    report(post_id, "UNCLASSIFIED", "RED", reader_user, "Red");
	struct ch_principal named = principal(1u << CH_ROLE_ANALYST,
	    CH_CLEARANCE_SECRET, post_id, reader_user, NULL);
	struct ch_principal officer =
	    principal(1u << CH_ROLE_SECURITY_OFFICER, CH_CLEARANCE_SECRET,
		post_id, "01a21488-0000-7000-8000-0000000000ff", NULL);

	ctx.who = &officer;
	cr_assert_not(visible_both_ways(red.id),
	    "TLP:RED is for named recipients, even the security officer");
	ctx.who = &named;
	cr_assert(visible_both_ways(red.id));
	ctx.who = NULL;
}

Test(incidents, staff_see_only_what_they_reported)
{
	struct ch_principal staff = principal(1u << CH_ROLE_STAFF,
	    CH_CLEARANCE_SBU, post_id, reader_user, clerk_id);
	struct ch_incident other =
	    report(post_id, "UNCLASSIFIED", "CLEAR", NULL, "Not theirs");
	struct ch_incident own, above;

	ctx.who = &staff;
	own = report(post_id, "UNCLASSIFIED", "AMBER", NULL, "Theirs");
	cr_assert_str_eq(own.reporter_person_id, clerk_id);
	cr_assert(visible_both_ways(own.id));
	cr_assert_not(visible_both_ways(other.id));
	ctx.who = NULL;
	above = report(post_id, "UNCLASSIFIED", "CLEAR", NULL, "Theirs too");
	(void)above;
	ctx.who = &staff;
	{
		struct ch_incident_input in = {0};
		struct ch_incident out;

		in.set = CH_IF_POST_ID | CH_IF_TYPE | CH_IF_CATEGORY |
		    CH_IF_SEVERITY | CH_IF_TITLE | CH_IF_OCCURRED_AT |
		    CH_IF_CLASSIFICATION | CH_IF_TLP;
		in.post_id = post_id;
		in.type = "other";
		in.category = "crime";
		in.severity = "Minor";
		in.title = "Above my clearance";
		in.occurred_at = "2026-01-10T08:00:00Z";
		in.classification = "SECRET";
		in.tlp = "CLEAR";
		cr_assert_eq(
		    ch_incidents_report(&ctx, &in, &out), CH_ERR_INVALID);
		cr_assert_str_eq(ctx.fault.field, "/classification");
	}
	ctx.who = NULL;
}

Test(incidents, list_pages_with_a_cursor_and_filters)
{
	struct ch_principal analyst = principal(1u << CH_ROLE_ANALYST,
	    CH_CLEARANCE_SECRET, other_post, reader_user, NULL);
	struct ch_incident_filter f = {0};
	struct ch_incident_page page;
	size_t seen = 0;

	for (int i = 0; i < 5; i++)
		report(other_post, "UNCLASSIFIED", "CLEAR", NULL, "Paged");
	ctx.who = &analyst;
	f.limit = 2;
	do {
		cr_assert_eq(ch_incidents_list(&ctx, &f, &page), CH_OK);
		seen += page.count;
		f.cursor = ch_arena_strdup(ctx.arena, page.next_cursor);
	} while (page.next_cursor[0] != '\0' && seen < 100);
	cr_assert_eq(seen, 5);
	memset(&f, 0, sizeof(f));
	f.has_severity = true;
	f.severity = CH_SEV_EXTREME;
	cr_assert_eq(ch_incidents_list(&ctx, &f, &page), CH_OK);
	cr_assert_eq(page.count, 0);
	f.cursor = "zz";
	cr_assert_eq(ch_incidents_list(&ctx, &f, &page), CH_ERR_INVALID);
	ctx.who = NULL;
}

/* ---- evidence files ---- */

Test(evidence, a_declared_type_must_match_the_bytes)
{
	static const struct {
		const char *name, *type;
		const char *bytes;
		size_t len;
		const char *want; /* canonical type, or NULL: refused */
		const char *field;
	} cases[] = {
	    {"a.jpg", "image/jpeg", "\xff\xd8\xff\xe0", 4, "image/jpeg", NULL},
	    {"a.jpg", "image/jpg", "\xff\xd8\xff\xe0", 4, "image/jpeg", NULL},
	    {"a.jpg", "Image/JPEG; q=1", "\xff\xd8\xff", 3, "image/jpeg", NULL},
	    {"a.jpg", "image/jpeg", "\xff\xd8", 2, NULL, "/content"},
	    {"a.png", "image/png", "\x89PNG\r\n\x1a\n", 8, "image/png", NULL},
	    {"a.png", "image/png", "\x89PNG\n\x1a\n", 7, NULL, "/content"},
	    {"a.webp", "image/webp", "RIFF\0\0\0\0WEBP", 12, "image/webp",
		NULL},
	    {"a.webp", "image/webp", "RIFF\0\0\0\0WAVE", 12, NULL, "/content"},
	    {"a.pdf", "application/pdf", "%PDF-1.7", 8, "application/pdf",
		NULL},
	    {"a.pdf", "application/pdf", "<html>", 6, NULL, "/content"},
	    {"a.mp4", "video/mp4",
		"\0\0\0\x18"
		"ftypisom",
		12, "video/mp4", NULL},
	    {"a.mp3", "audio/mpeg", "ID3\x04", 4, "audio/mpeg", NULL},
	    {"a.mp3", "audio/mp3", "\xff\xfb\x90", 3, "audio/mpeg", NULL},
	    {"a.mp3", "audio/mpeg", "\xff\xe0", 2, NULL, "/content"},
	    {"a.txt", "text/plain; charset=utf-8", "caf\xc3\xa9\r\n", 6,
		"text/plain", NULL},
	    {"a.txt", "text/plain", "caf\xc3", 4, NULL, "/content"},
	    {"a.txt", "text/plain", "a\0b", 3, NULL, "/content"},
	    {"a.txt", "text/plain", "a\x1b[31m", 6, NULL, "/content"},
	    {"a.txt", "text/plain", "", 0, NULL, "/content"},
	    {"a.html", "text/html", "<p>", 3, NULL, "/media_type"},
	    {"a.svg", "image/svg+xml", "<svg/>", 6, NULL, "/media_type"},
	    {"a.jpg", NULL, "\xff\xd8\xff", 3, NULL, "/media_type"},
	    {"a.jpg", "image/jpegx", "\xff\xd8\xff", 3, NULL, "/media_type"},
	    {"../a.jpg", "image/jpeg", "\xff\xd8\xff", 3, NULL, "/name"},
	    {"a\\b.jpg", "image/jpeg", "\xff\xd8\xff", 3, NULL, "/name"},
	    {".a.jpg", "image/jpeg", "\xff\xd8\xff", 3, NULL, "/name"},
	    {"", "image/jpeg", "\xff\xd8\xff", 3, NULL, "/name"},
	    {" a.jpg", "image/jpeg", "\xff\xd8\xff", 3, NULL, "/name"},
	    {"a\nb.jpg", "image/jpeg", "\xff\xd8\xff", 3, NULL, "/name"},
	    {"\xd0\xb2\xd0\xbe\xd1\x80\xd0\xbe\xd1\x82\xd0\xb0.jpg",
		"image/jpeg", "\xff\xd8\xff", 3, "image/jpeg", NULL},
	};

	for (size_t i = 0; i < CH_ARRAY_LEN(cases); i++) {
		struct ch_fault f = {0};
		const char *got = NULL;
		ch_err err = ch_evidence_check(cases[i].name, cases[i].type,
		    cases[i].bytes, cases[i].len, &got, &f);

		if (cases[i].want != NULL) {
			cr_assert_eq(err, CH_OK, "case %zu: %s", i, f.detail);
			cr_assert_str_eq(got, cases[i].want, "case %zu", i);
		} else {
			cr_assert_eq(err, CH_ERR_INVALID, "case %zu", i);
			cr_assert_str_eq(
			    f.field, cases[i].field, "case %zu", i);
			cr_assert(f.detail[0] != '\0', "case %zu", i);
		}
	}
}

Test(evidence, more_than_ten_mib_is_refused)
{
	size_t n = CH_EVIDENCE_MAX_BYTES + 1;
	char *big = malloc(n);
	struct ch_fault f = {0};
	const char *got = NULL;

	cr_assert_not_null(big);
	memset(big, 'a', n);
	cr_assert_eq(
	    ch_evidence_check("big.txt", "text/plain", big, n, &got, &f),
	    CH_ERR_INVALID);
	cr_assert_str_eq(f.field, "/content");
	cr_assert_eq(
	    ch_evidence_check("big.txt", "text/plain", big, n - 1, &got, &f),
	    CH_OK);
	free(big);
}

/* A key file of its own for the vault, for the tests that seal. */
static void
load_test_vault(void)
{
	char path[128];

	snprintf(path, sizeof(path), "/tmp/ch-evidence-keys-%d/data.key",
	    (int)getpid());
	unlink(path);
	cr_assert_eq(ch_vault_create_file(path), CH_OK);
	cr_assert_eq(ch_vault_load(path), CH_OK);
}

Test(incidents, evidence_round_trip_and_a_changed_copy_is_refused)
{
	static const char text[] = "Gate 2 log: a white saloon waited 40 "
				   "minutes.\n";
	struct ch_principal rso = principal(1u << CH_ROLE_SECURITY_OFFICER,
	    CH_CLEARANCE_SECRET, post_id, reader_user, NULL);
	struct ch_principal staff = principal(1u << CH_ROLE_STAFF,
	    CH_CLEARANCE_SECRET, post_id, reader_user, NULL);
	struct ch_evidence e, meta, *files = NULL;
	struct ch_incident inc;
	const void *data = NULL;
	size_t len = 0, n = 0;
	const struct ch_db_ops *ops = ch_db_ops_for(dsn);
	ch_db *raw = NULL;

	load_test_vault();
	inc = report(post_id, "UNCLASSIFIED", "CLEAR", NULL, "Evidence test");
	ctx.who = &staff;
	{
		ch_err err = ch_evidence_add(&ctx, inc.id, "log.txt",
		    "text/plain", NULL, text, strlen(text), &e);

		cr_assert(err == CH_ERR_DENIED || err == CH_ERR_NOT_FOUND,
		    "staff may report but not add evidence (%d)", err);
	}
	ctx.who = &rso;
	cr_assert_eq(ch_evidence_add(&ctx, inc.id, "log.txt", "text/plain",
			 "gate log", text, strlen(text), &e),
	    CH_OK, "%s", ctx.fault.detail);
	{
		unsigned char h[crypto_hash_sha256_BYTES];
		char hex[65];

		crypto_hash_sha256(
		    h, (const unsigned char *)text, strlen(text));
		sodium_bin2hex(hex, sizeof(hex), h, sizeof(h));
		cr_assert_str_eq(e.sha256, hex);
	}
	cr_assert_eq(ch_evidence_list(&ctx, inc.id, &files, &n), CH_OK);
	cr_assert_eq(n, 1);
	cr_assert_str_eq(files[0].sha256, e.sha256);
	cr_assert_eq(files[0].size, (int64_t)strlen(text));
	cr_assert_eq(
	    ch_evidence_content(&ctx, inc.id, e.id, &meta, &data, &len), CH_OK);
	cr_assert_eq(len, strlen(text));
	cr_assert(memcmp(data, text, len) == 0);

	/* The stored content is not the text, and a changed copy (or a
	 * changed hash) is refused rather than served. */
	cr_assert_eq(ops->open(dsn, &raw), CH_OK);
	{
		struct ch_param v[1] = {CH_P_TEXT(e.id)};
		struct ch_rows *r = NULL;

		cr_assert_eq(
		    ops->query(raw,
			"SELECT content FROM incident_evidence WHERE id"
			" = $1",
			v, 1, &r, NULL),
		    CH_OK);
		cr_assert_eq(r->nrows, 1);
		cr_assert_null(strstr(ch_rows_get(r, 0, 0), "saloon"));
		ch_rows_free(r);
		cr_assert_eq(ops->query(raw,
				 "UPDATE incident_evidence SET sha256 ="
				 " 'ff' || substr(sha256, 3) WHERE id = $1",
				 v, 1, NULL, NULL),
		    CH_OK);
	}
	ops->close(raw);
	cr_assert_eq(
	    ch_evidence_content(&ctx, inc.id, e.id, &meta, &data, &len),
	    CH_ERR_CRYPTO);
	ctx.who = NULL;
}

/* A page of the list carries each incident's people and recipients, as
 * its detail does (read for the whole page at once). */
Test(incidents, the_list_carries_people_and_recipients)
{
	struct ch_incident a =
	    report(post_id, "UNCLASSIFIED", "RED", reader_user, "Page red");
	struct ch_incident b =
	    report(post_id, "UNCLASSIFIED", "CLEAR", NULL, "Page clear");
	struct ch_incident_filter f = {0};
	struct ch_incident_page page;
	size_t seen = 0;

	f.limit = 200;
	cr_assert_eq(ch_incidents_list(&ctx, &f, &page), CH_OK);
	for (size_t i = 0; i < page.count; i++) {
		const struct ch_incident *p = &page.items[i];
		struct ch_incident_view v;

		cr_assert_eq(ch_incidents_get(&ctx, p->id, &v), CH_OK);
		cr_expect_eq(p->npeople, v.incident.npeople, "%s", p->title);
		cr_expect_eq(p->nrecipients, v.incident.nrecipients);
		for (size_t j = 0; j < p->npeople && j < v.incident.npeople;
		     j++) {
			cr_expect_str_eq(p->people[j].person_id,
			    v.incident.people[j].person_id);
			cr_expect_eq(
			    p->people[j].role, v.incident.people[j].role);
		}
		for (size_t j = 0;
		     j < p->nrecipients && j < v.incident.nrecipients; j++)
			cr_expect_str_eq(
			    p->recipients[j], v.incident.recipients[j]);
		if (strcmp(p->id, a.id) == 0) {
			seen++;
			cr_expect_eq(p->npeople, 1);
			cr_expect_eq(p->nrecipients, 1);
			cr_expect_str_eq(p->recipients[0], reader_user);
		}
		if (strcmp(p->id, b.id) == 0) {
			seen++;
			cr_expect_eq(p->nrecipients, 0);
		}
	}
	cr_expect_eq(seen, 2);
}
