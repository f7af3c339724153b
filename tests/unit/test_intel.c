/*
 * test_intel.c — intelligence: the Admiralty scale and its checks (each
 * half on its own), the reliability suggestion table, distance and
 * bearing, and the use cases over the store ($CH_TEST_DSN, PostgreSQL in
 * the test run, or a temporary SQLite file): reports with links and a
 * timeline, list = detail by post, classification and TLP:RED, the
 * source's track record from assessed reports, the query threat ratings
 * use, sealed source identities, threat actors and named places.
 */
#include <criterion/criterion.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "accounts/accounts.h"
#include "core/vault.h"
#include "incidents/incidents.h"
#include "intel/intel.h"
#include "store/store.h"

/* ---- the grading, written here from DESIGN.md section 8 ---- */

Test(grading, each_half_is_checked_on_its_own)
{
	static const char *const good[] = {"A", "B", "C", "D", "E", "F"};
	static const char *const bad[] = {
	    "", "G", "a", "AB", "A1", "1", " A", "Z"};
	char r;

	for (size_t i = 0; i < 6; i++) {
		cr_assert(ch_reliability_parse(good[i], &r), "%s", good[i]);
		cr_assert_eq(r, good[i][0]);
	}
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		cr_assert_not(ch_reliability_parse(bad[i], &r), "'%s'", bad[i]);
	cr_assert_not(ch_reliability_parse(NULL, &r));
	for (long c = -1; c <= 8; c++)
		cr_assert_eq(
		    ch_credibility_valid(c), c >= 1 && c <= 6, "%ld", c);
}

Test(grading, words_of_the_scale)
{
	char out[128];

	cr_assert_str_eq(ch_reliability_text('A'), "completely reliable");
	cr_assert_str_eq(ch_reliability_text('B'), "usually reliable");
	cr_assert_str_eq(ch_reliability_text('E'), "unreliable");
	cr_assert_null(ch_reliability_text('G'));
	cr_assert_str_eq(ch_credibility_text(1), "confirmed by other sources");
	cr_assert_str_eq(ch_credibility_text(5), "improbable");
	cr_assert_null(ch_credibility_text(0));
	cr_assert_null(ch_credibility_text(7));
	ch_grading_format('B', 2, out, sizeof(out));
	cr_assert_str_eq(out, "B2 — usually reliable, probably true");
	ch_grading_format('F', 6, out, sizeof(out));
	cr_assert_str_eq(out,
	    "F6 — reliability cannot be judged, truth "
	    "cannot be judged");
}

Test(grading, suggestion_from_the_track_record)
{
	const char *why = NULL;

	cr_assert_eq(ch_intel_suggest_reliability(0, 0, &why), 'F');
	cr_assert_eq(ch_intel_suggest_reliability(2, 0, &why), 'F',
	    "two assessed reports are too few");
	cr_assert_not_null(why);
	cr_assert_eq(ch_intel_suggest_reliability(3, 0, NULL), 'B',
	    "A needs a long record");
	cr_assert_eq(ch_intel_suggest_reliability(20, 0, NULL), 'A');
	cr_assert_eq(ch_intel_suggest_reliability(19, 1, NULL), 'A');
	cr_assert_eq(ch_intel_suggest_reliability(18, 2, NULL), 'B');
	cr_assert_eq(ch_intel_suggest_reliability(4, 1, NULL), 'B');
	cr_assert_eq(ch_intel_suggest_reliability(3, 2, NULL), 'C');
	cr_assert_eq(ch_intel_suggest_reliability(2, 3, NULL), 'D');
	cr_assert_eq(ch_intel_suggest_reliability(1, 4, NULL), 'E');
	cr_assert_eq(ch_intel_suggest_reliability(0, 5, NULL), 'E');
}

Test(geo, distance_and_bearing)
{
	/* Nairobi to Mombasa: about 440 km, to the south-east. */
	double d = ch_geo_distance_m(-1.2921, 36.8219, -4.0435, 39.6682);
	double b = ch_geo_bearing_deg(-1.2921, 36.8219, -4.0435, 39.6682);

	cr_assert(d > 430000 && d < 450000, "%f", d);
	cr_assert(b > 130 && b < 140, "%f", b);
	/* One minute of latitude north is a nautical mile, bearing 0. */
	d = ch_geo_distance_m(0, 0, 1.0 / 60, 0);
	cr_assert(fabs(d - 1853) < 5, "%f", d);
	cr_assert(ch_geo_bearing_deg(0, 0, 1, 0) < 1e-9);
	cr_assert(fabs(ch_geo_bearing_deg(0, 0, 0, 1) - 90) < 1e-9);
	cr_assert(fabs(ch_geo_bearing_deg(0, 0, -1, 0) - 180) < 1e-9);
	cr_assert(fabs(ch_geo_bearing_deg(0, 0, 0, -1) - 270) < 1e-9);
}

/* ---- the use cases over the store ---- */

static const unsigned char test_key[CH_VAULT_KEY_BYTES] = {7, 1, 4, 1, 5, 9, 2,
    6, 5, 3, 5, 8, 9, 7, 9, 3, 2, 3, 8, 4, 6, 2, 6, 4, 3, 3, 8, 3, 2, 7, 9, 5};

static struct ch_store *store;
static struct ch_ctx ctx;
static char dsn[512], sqlite_path[128];
static char post_id[CH_ID_LEN], other_post[CH_ID_LEN];
static char reader_user[CH_ID_LEN];
static char source_id[CH_ID_LEN], other_source[CH_ID_LEN];

static void
make_post(const char *label, char out_id[CH_ID_LEN])
{
	struct ch_post in = {0}, out;
	char name[80];

	snprintf(name, sizeof(name), "Intel post %s %d-%ld", label,
	    (int)getpid(), (long)random());
	in.name = name;
	in.kind = CH_POST_EMBASSY;
	memcpy(in.country, "KE", 3);
	in.city = "Nairobi";
	in.timezone = "Africa/Nairobi";
	in.has_location = true;
	in.latitude = -1.2630;
	in.longitude = 36.8063;
	cr_assert_eq(
	    ch_posts_create(&ctx, &in, &out), CH_OK, "%s", ctx.fault.detail);
	memcpy(out_id, out.id, CH_ID_LEN);
}

static void
make_source(const char *post, const char *name, char out_id[CH_ID_LEN])
{
	struct ch_intel_source_input in = {0};
	struct ch_intel_source s;

	in.set = CH_SF_POST_ID | CH_SF_NAME | CH_SF_KIND | CH_SF_RELIABILITY;
	in.post_id = post;
	in.name = name;
	in.kind = "human";
	in.reliability = "C";
	cr_assert_eq(ch_intel_source_create(&ctx, &in, &s), CH_OK, "%s",
	    ctx.fault.detail);
	memcpy(out_id, s.id, CH_ID_LEN);
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
		    "/tmp/ch-intel-%d.db", (int)getpid());
		snprintf(dsn, sizeof(dsn), "sqlite:%s", sqlite_path);
	}
	cr_assert_eq(ch_vault_load_raw("1e7e11ed", test_key), CH_OK);
	cr_assert_eq(ch_store_open(dsn, 2, &store), CH_OK);
	memset(&ctx, 0, sizeof(ctx));
	ctx.store = store;
	ctx.arena = ch_arena_create(0);
	ctx.request_id = "test";
	ctx.source = "test";
	make_post("a", post_id);
	make_post("b", other_post);
	snprintf(username, sizeof(username), "intel%d%ld", (int)getpid(),
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
	make_source(post_id, "KESTREL", source_id);
	make_source(other_post, "OSPREY", other_source);
}

static void
teardown(void)
{
	ch_arena_destroy(ctx.arena);
	ch_store_close(store);
	ch_vault_unload();
	if (sqlite_path[0]) {
		char extra[160];

		unlink(sqlite_path);
		snprintf(extra, sizeof(extra), "%s-wal", sqlite_path);
		unlink(extra);
		snprintf(extra, sizeof(extra), "%s-shm", sqlite_path);
		unlink(extra);
	}
}

TestSuite(intel, .init = setup, .fini = teardown);

static struct ch_principal
principal(unsigned roles, enum ch_clearance clearance, const char *post,
    const char *user)
{
	struct ch_principal w;

	memset(&w, 0, sizeof(w));
	ch_strlcpy(w.user_id, user, sizeof(w.user_id));
	ch_strlcpy(w.username, "tester", sizeof(w.username));
	w.roles = roles;
	w.clearance = clearance;
	ch_strlcpy(w.post_id, post, sizeof(w.post_id));
	return w;
}

/* A valid request for a report at post (with its source). */
static struct ch_intel_report_input
request(const char *post, const char *source, const char *classification,
    const char *tlp, const char *title)
{
	struct ch_intel_report_input in = {0};

	in.set = CH_RF_POST_ID | CH_RF_SOURCE_ID | CH_RF_CATEGORY |
	    CH_RF_RELIABILITY | CH_RF_CREDIBILITY | CH_RF_TITLE |
	    CH_RF_CLASSIFICATION | CH_RF_TLP | CH_RF_VALID_FROM |
	    CH_RF_VALID_UNTIL | CH_RF_REPORTED_AT;
	in.post_id = post;
	in.source_id = source;
	in.category = "terrorism";
	in.reliability = "B";
	in.credibility = 2;
	in.title = title;
	in.classification = classification;
	in.tlp = tlp;
	in.valid_from = "2026-01-01T00:00:00Z";
	in.valid_until = "2026-03-01T00:00:00Z";
	in.reported_at = "2026-01-02T09:00:00Z";
	return in;
}

static struct ch_intel_report
create(const char *post, const char *classification, const char *tlp,
    const char *recipient, const char *title)
{
	struct ch_intel_report_input in =
	    request(post, strcmp(post, post_id) == 0 ? source_id : other_source,
		classification, tlp, title);
	const char *recipients[1] = {recipient};
	struct ch_intel_report r;

	if (recipient != NULL) {
		in.set |= CH_RF_RECIPIENTS;
		in.recipients = recipients;
		in.nrecipients = 1;
	}
	cr_assert_eq(ch_intel_report_create(&ctx, &in, &r), CH_OK, "%s: %s",
	    title, ctx.fault.detail);
	return r;
}

static bool
listed(const char *id)
{
	struct ch_intel_report_filter f = {0};
	struct ch_intel_report_page page;
	bool found = false;

	f.limit = 200;
	cr_assert_eq(ch_intel_report_list(&ctx, &f, &page), CH_OK);
	for (size_t i = 0; i < page.count; i++)
		found |= strcmp(page.items[i].id, id) == 0;
	return found;
}

/* Listed exactly when the detail answers, for the current ctx.who. */
static bool
visible_both_ways(const char *id)
{
	struct ch_intel_report_view v;
	bool detail = ch_intel_report_get(&ctx, id, &v) == CH_OK;

	cr_assert_eq(listed(id), detail, "list and detail disagree on %s", id);
	return detail;
}

Test(intel, create_read_with_source_grading_and_timeline)
{
	struct ch_intel_report r =
	    create(post_id, "SBU", "AMBER", NULL, "Surveillance of the gate");
	struct ch_intel_report_view v;

	cr_assert_eq(ch_intel_report_get(&ctx, r.id, &v), CH_OK);
	cr_assert_str_eq(v.report.title, "Surveillance of the gate");
	cr_assert_eq(v.report.reliability, 'B');
	cr_assert_eq(v.report.credibility, 2);
	cr_assert_eq(v.report.category, CH_THREAT_TERRORISM);
	cr_assert_eq(v.report.outcome, CH_OUTCOME_UNASSESSED);
	cr_assert_eq(v.report.status, CH_REPORT_ACTIVE);
	cr_assert_str_eq(v.report.source_name, "KESTREL");
	cr_assert_str_eq(v.source.name, "KESTREL");
	cr_assert_eq(v.ntimeline, 1);
	cr_assert_str_eq(v.timeline[0].action, "intel.report.create");
	cr_assert(ch_intel_report_open(&v.report, "2026-02-01T00:00:00Z"));
	cr_assert_not(ch_intel_report_open(&v.report, "2026-03-02T00:00:00Z"));
}

Test(intel, grading_and_window_are_checked)
{
	struct ch_intel_report_input in =
	    request(post_id, source_id, "UNCLASSIFIED", "CLEAR", "Checks");
	struct ch_intel_report r;

	in.reliability = "G";
	cr_assert_eq(ch_intel_report_create(&ctx, &in, &r), CH_ERR_INVALID);
	cr_assert_str_eq(ctx.fault.field, "/reliability");
	in.reliability = "B2";
	cr_assert_eq(ch_intel_report_create(&ctx, &in, &r), CH_ERR_INVALID,
	    "a combined grading is not a reliability");
	cr_assert_str_eq(ctx.fault.field, "/reliability");
	in.reliability = "B";
	in.credibility = 7;
	cr_assert_eq(ch_intel_report_create(&ctx, &in, &r), CH_ERR_INVALID);
	cr_assert_str_eq(ctx.fault.field, "/credibility");
	in.credibility = 0;
	cr_assert_eq(ch_intel_report_create(&ctx, &in, &r), CH_ERR_INVALID);
	cr_assert_str_eq(ctx.fault.field, "/credibility");
	in.credibility = 3;
	in.set &= ~(unsigned)CH_RF_CREDIBILITY;
	cr_assert_eq(ch_intel_report_create(&ctx, &in, &r), CH_ERR_INVALID);
	cr_assert_str_eq(ctx.fault.field, "/credibility");
	in.set |= CH_RF_CREDIBILITY;
	in.valid_until = "2025-12-31T00:00:00Z";
	cr_assert_eq(ch_intel_report_create(&ctx, &in, &r), CH_ERR_INVALID);
	cr_assert_str_eq(ctx.fault.field, "/valid_until");
	in.valid_until = "2026-03-01T00:00:00Z";
	in.category = "espionage";
	cr_assert_eq(ch_intel_report_create(&ctx, &in, &r), CH_ERR_INVALID,
	    "a category is a threat category, not an incident type");
	cr_assert_str_eq(ctx.fault.field, "/category");
	in.category = "human_intelligence";
	in.source_id = other_source;
	cr_assert_eq(ch_intel_report_create(&ctx, &in, &r), CH_ERR_INVALID,
	    "the source must be one of the post");
	cr_assert_str_eq(ctx.fault.field, "/source_id");
	in.source_id = source_id;
	in.tlp = "RED";
	cr_assert_eq(ch_intel_report_create(&ctx, &in, &r), CH_ERR_INVALID);
	cr_assert_str_eq(ctx.fault.field, "/recipients");
	in.tlp = "AMBER+STRICT";
	in.reported_at = "2999-01-01T00:00:00Z";
	cr_assert_eq(ch_intel_report_create(&ctx, &in, &r), CH_ERR_INVALID);
	cr_assert_str_eq(ctx.fault.field, "/reported_at");
	in.reported_at = "2026-01-02T09:00:00Z";
	cr_assert_eq(ch_intel_report_create(&ctx, &in, &r), CH_OK);
	cr_assert_eq(r.tlp, CH_TLP_AMBER_STRICT);
	cr_assert_eq(r.category, CH_THREAT_HUMAN_INTELLIGENCE);
}

Test(intel, update_needs_the_current_version_and_the_role)
{
	struct ch_intel_report r =
	    create(post_id, "UNCLASSIFIED", "GREEN", NULL, "Version");
	struct ch_intel_report_input in = {0};
	struct ch_principal eac = principal(1u << CH_ROLE_EAC_MEMBER,
	    CH_CLEARANCE_SECRET, post_id, reader_user);
	struct ch_intel_report out;

	in.set = CH_RF_CREDIBILITY;
	in.credibility = 1;
	cr_assert_eq(ch_intel_report_update(&ctx, r.id, &in, 9, &out),
	    CH_ERR_PRECONDITION);
	ctx.who = &eac;
	cr_assert_eq(ch_intel_report_update(&ctx, r.id, &in, 1, &out),
	    CH_ERR_DENIED, "the EAC reads but does not grade");
	ctx.who = NULL;
	cr_assert_eq(ch_intel_report_update(&ctx, r.id, &in, 1, &out), CH_OK);
	cr_assert_eq(out.credibility, 1);
	cr_assert_eq(out.reliability, 'B', "the other half is untouched");
	cr_assert_eq(out.version, 2);
}

Test(intel, list_filters_by_post_like_the_detail)
{
	struct ch_intel_report mine =
	    create(post_id, "UNCLASSIFIED", "CLEAR", NULL, "Mine");
	struct ch_intel_report theirs =
	    create(other_post, "UNCLASSIFIED", "CLEAR", NULL, "Theirs");
	struct ch_principal analyst = principal(
	    1u << CH_ROLE_ANALYST, CH_CLEARANCE_SECRET, post_id, reader_user);
	struct ch_principal hq =
	    principal(1u << CH_ROLE_HQ, CH_CLEARANCE_SECRET, "", reader_user);
	struct ch_principal guard = principal(
	    1u << CH_ROLE_GUARD, CH_CLEARANCE_SECRET, post_id, reader_user);

	ctx.who = &analyst;
	cr_assert(visible_both_ways(mine.id));
	cr_assert_not(visible_both_ways(theirs.id));
	ctx.who = &hq;
	cr_assert(visible_both_ways(theirs.id));
	ctx.who = &guard;
	cr_assert_not(visible_both_ways(mine.id),
	    "intelligence is need to "
	    "know: not for guards");
	ctx.who = NULL;
}

Test(intel, list_filters_by_classification_like_the_detail)
{
	struct ch_intel_report secret =
	    create(post_id, "SECRET", "CLEAR", NULL, "Secret");
	struct ch_principal low = principal(1u << CH_ROLE_ANALYST,
	    CH_CLEARANCE_CONFIDENTIAL, post_id, reader_user);
	struct ch_principal high = principal(
	    1u << CH_ROLE_ANALYST, CH_CLEARANCE_SECRET, post_id, reader_user);

	ctx.who = &low;
	cr_assert_not(visible_both_ways(secret.id));
	ctx.who = &high;
	cr_assert(visible_both_ways(secret.id));
	ctx.who = NULL;
}

Test(intel, list_filters_tlp_red_to_named_recipients)
{
	struct ch_intel_report red =
	    create(post_id, "UNCLASSIFIED", "RED", reader_user, "Red");
	struct ch_principal named = principal(
	    1u << CH_ROLE_ANALYST, CH_CLEARANCE_SECRET, post_id, reader_user);
	struct ch_principal officer =
	    principal(1u << CH_ROLE_SECURITY_OFFICER, CH_CLEARANCE_SECRET,
		post_id, "01a21488-0000-7000-8000-0000000000ff");

	ctx.who = &officer;
	cr_assert_not(visible_both_ways(red.id),
	    "TLP:RED is for named recipients, even the security officer");
	ctx.who = &named;
	cr_assert(visible_both_ways(red.id));
	ctx.who = NULL;
}

Test(intel, author_joins_a_red_list)
{
	struct ch_principal analyst = principal(
	    1u << CH_ROLE_ANALYST, CH_CLEARANCE_SECRET, post_id, reader_user);
	struct ch_intel_report_input in =
	    request(post_id, source_id, "UNCLASSIFIED", "RED", "Red, mine");
	const char *stranger[1] = {"01a21488-0000-7000-8000-0000000000ee"};
	struct ch_intel_report r;

	ctx.who = &analyst;
	cr_assert_eq(ch_intel_report_create(&ctx, &in, &r), CH_OK, "%s",
	    ctx.fault.detail);
	cr_assert_eq(r.nrecipients, 1);
	cr_assert_str_eq(r.recipients[0], reader_user);
	cr_assert(visible_both_ways(r.id));
	in.set |= CH_RF_RECIPIENTS;
	in.recipients = stranger;
	in.nrecipients = 1;
	cr_assert_eq(ch_intel_report_create(&ctx, &in, &r), CH_ERR_INVALID,
	    "recipients are users");
	cr_assert_str_eq(ctx.fault.field, "/recipients");
	ctx.who = NULL;
}

Test(intel, open_intelligence_and_filters)
{
	struct ch_intel_report_input in =
	    request(post_id, source_id, "UNCLASSIFIED", "CLEAR", "Open now");
	struct ch_intel_report_filter f = {0};
	struct ch_intel_report_page page;
	struct ch_intel_report open, old, out;
	bool saw_open = false, saw_old = false;

	in.valid_from = "2020-01-01T00:00:00Z";
	in.valid_until = "2999-01-01T00:00:00Z";
	cr_assert_eq(ch_intel_report_create(&ctx, &in, &open), CH_OK);
	in.title = "Long expired";
	in.category = "crime";
	in.valid_until = "2020-02-01T00:00:00Z";
	cr_assert_eq(ch_intel_report_create(&ctx, &in, &old), CH_OK);
	f.open_at = "2026-06-01T00:00:00Z";
	f.limit = 200;
	cr_assert_eq(ch_intel_report_list(&ctx, &f, &page), CH_OK);
	for (size_t i = 0; i < page.count; i++) {
		saw_open |= strcmp(page.items[i].id, open.id) == 0;
		saw_old |= strcmp(page.items[i].id, old.id) == 0;
		cr_assert(ch_intel_report_open(&page.items[i], f.open_at));
	}
	cr_assert(saw_open);
	cr_assert_not(saw_old);
	cr_assert_eq(
	    ch_intel_report_set_status(&ctx, open.id, "withdrawn", &out),
	    CH_OK);
	cr_assert_eq(
	    ch_intel_report_set_status(&ctx, open.id, "withdrawn", &out),
	    CH_ERR_CONFLICT);
	cr_assert_eq(ch_intel_report_list(&ctx, &f, &page), CH_OK);
	for (size_t i = 0; i < page.count; i++)
		cr_assert_str_neq(page.items[i].id, open.id,
		    "a withdrawn report is not open intelligence");
	memset(&f, 0, sizeof(f));
	f.has_category = true;
	f.category = CH_THREAT_CRIME;
	f.source_id = source_id;
	cr_assert_eq(ch_intel_report_list(&ctx, &f, &page), CH_OK);
	cr_assert_geq(page.count, 1);
	for (size_t i = 0; i < page.count; i++)
		cr_assert_eq(page.items[i].category, CH_THREAT_CRIME);
}

Test(intel, track_record_from_outcomes_and_the_rating_query)
{
	char src[CH_ID_LEN];
	struct ch_intel_report r[6], out;
	struct ch_intel_source_view v;
	struct ch_intel_rating_row *rows = NULL;
	struct ch_tx *tx = NULL;
	size_t n = 0;

	make_source(post_id, "HERON", src);
	for (int i = 0; i < 6; i++) {
		struct ch_intel_report_input in = request(
		    post_id, src, "UNCLASSIFIED", "CLEAR", "Track record");

		in.reliability = i < 3 ? "C" : "B";
		in.credibility = i + 1;
		cr_assert_eq(ch_intel_report_create(&ctx, &in, &r[i]), CH_OK);
	}
	for (int i = 0; i < 3; i++)
		cr_assert_eq(ch_intel_report_assess(&ctx, r[i].id, "confirmed",
				 "seen by the guard force", &out),
		    CH_OK);
	cr_assert_eq(
	    ch_intel_report_assess(&ctx, r[3].id, "refuted", "", &out), CH_OK);
	cr_assert_eq(out.outcome, CH_OUTCOME_REFUTED);
	cr_assert_neq(out.outcome_at[0], '\0');
	cr_assert_eq(ch_intel_report_assess(&ctx, r[3].id, "maybe", "", &out),
	    CH_ERR_INVALID);
	cr_assert_eq(
	    ch_intel_report_set_status(&ctx, r[5].id, "withdrawn", &out),
	    CH_OK);

	cr_assert_eq(ch_intel_source_get(&ctx, src, false, &v), CH_OK);
	cr_assert_eq(v.track.total, 6);
	cr_assert_eq(v.track.by_outcome[CH_OUTCOME_CONFIRMED], 3);
	cr_assert_eq(v.track.by_outcome[CH_OUTCOME_REFUTED], 1);
	cr_assert_eq(v.track.by_outcome[CH_OUTCOME_UNASSESSED], 1);
	cr_assert_eq(v.track.withdrawn, 1);
	cr_assert_eq(v.track.by_reliability['C' - 'A'], 3);
	cr_assert_eq(v.track.by_reliability['B' - 'A'], 3);
	cr_assert_eq(v.track.by_credibility[5], 1);
	cr_assert_eq(v.track.nhistory, 6);
	cr_assert_eq(v.track.suggested, 'C', "3 of 4 assessed confirmed");
	cr_assert_eq(v.source.reliability, 'C',
	    "the analyst's judgement stands beside the suggestion");

	/* The rating query: neither the refuted nor the withdrawn count. */
	cr_assert_eq(ch_store_begin(store, false, &tx), CH_OK);
	cr_assert_eq(ch_store_intel_reports_for_rating(tx, post_id,
			 "2026-01-01T00:00:00Z", ctx.arena, &rows, &n),
	    CH_OK);
	ch_store_rollback(tx);
	bool seen[6] = {false};
	for (size_t i = 0; i < n; i++)
		for (int k = 0; k < 6; k++)
			if (strcmp(rows[i].id, r[k].id) == 0) {
				seen[k] = true;
				cr_assert_eq(rows[i].credibility, k + 1);
				cr_assert_eq(
				    rows[i].reliability, k < 3 ? 'C' : 'B');
				cr_assert_eq(
				    rows[i].category, CH_THREAT_TERRORISM);
				cr_assert_str_eq(rows[i].valid_until,
				    "2026-03-01T00:00:00Z");
			}
	cr_assert(seen[0] && seen[1] && seen[2] && seen[4]);
	cr_assert_not(seen[3], "refuted reports do not count");
	cr_assert_not(seen[5], "withdrawn reports do not count");
	cr_assert_eq(ch_store_begin(store, false, &tx), CH_OK);
	cr_assert_eq(ch_store_intel_reports_for_rating(tx, post_id,
			 "2026-01-03T00:00:00Z", ctx.arena, &rows, &n),
	    CH_OK);
	ch_store_rollback(tx);
	for (size_t i = 0; i < n; i++)
		cr_assert_str_neq(rows[i].id, r[0].id, "since is honoured");
}

Test(intel, track_record_counts_only_what_the_reader_sees)
{
	char src[CH_ID_LEN];
	struct ch_intel_report_input in;
	struct ch_intel_report r;
	struct ch_intel_source_view v;
	struct ch_principal low = principal(1u << CH_ROLE_ANALYST,
	    CH_CLEARANCE_CONFIDENTIAL, post_id, reader_user);

	make_source(post_id, "PLOVER", src);
	in = request(post_id, src, "SECRET", "CLEAR", "Secret one");
	cr_assert_eq(ch_intel_report_create(&ctx, &in, &r), CH_OK);
	in = request(post_id, src, "SBU", "CLEAR", "Plain one");
	cr_assert_eq(ch_intel_report_create(&ctx, &in, &r), CH_OK);
	ctx.who = &low;
	cr_assert_eq(ch_intel_source_get(&ctx, src, false, &v), CH_OK);
	cr_assert_eq(v.track.total, 1);
	ctx.who = NULL;
	cr_assert_eq(ch_intel_source_get(&ctx, src, false, &v), CH_OK);
	cr_assert_eq(v.track.total, 2);
}

Test(intel, source_identity_is_sealed_and_for_the_officer)
{
	struct ch_intel_source_input in = {0};
	struct ch_intel_source s;
	struct ch_intel_source_view v;
	struct ch_principal analyst = principal(
	    1u << CH_ROLE_ANALYST, CH_CLEARANCE_SECRET, post_id, reader_user);
	struct ch_principal officer = principal(1u << CH_ROLE_SECURITY_OFFICER,
	    CH_CLEARANCE_SECRET, post_id, reader_user);
	struct ch_tx *tx = NULL;
	struct ch_intel_source raw;

	in.set = CH_SF_POST_ID | CH_SF_NAME | CH_SF_KIND | CH_SF_IDENTITY;
	in.post_id = post_id;
	in.name = "WAGTAIL";
	in.kind = "human";
	in.identity = "J. Doe, driver at the ministry";
	ctx.who = &analyst;
	cr_assert_eq(ch_intel_source_create(&ctx, &in, &s), CH_ERR_DENIED);
	cr_assert_str_eq(ctx.fault.field, "/identity");
	ctx.who = &officer;
	cr_assert_eq(ch_intel_source_create(&ctx, &in, &s), CH_OK);
	cr_assert_null(s.identity, "the identity is never echoed");
	cr_assert(s.has_identity);
	cr_assert_eq(s.reliability, 'F', "not judged until the analyst says");
	cr_assert_eq(ch_intel_source_create(&ctx, &in, &raw), CH_ERR_CONFLICT,
	    "code names are unique at the post");

	ctx.who = &analyst;
	cr_assert_eq(ch_intel_source_get(&ctx, s.id, true, &v), CH_ERR_DENIED);
	cr_assert_eq(ch_intel_source_get(&ctx, s.id, false, &v), CH_OK);
	cr_assert_null(v.source.identity);
	cr_assert(v.source.has_identity);
	ctx.who = &officer;
	cr_assert_eq(ch_intel_source_get(&ctx, s.id, true, &v), CH_OK);
	cr_assert_str_eq(v.source.identity, "J. Doe, driver at the ministry");
	ctx.who = NULL;

	/* At rest it is a sealed value, bound to its row. */
	cr_assert_eq(ch_store_begin(store, false, &tx), CH_OK);
	cr_assert_eq(
	    ch_store_intel_source_get(tx, s.id, false, ctx.arena, &raw), CH_OK);
	ch_store_rollback(tx);
	cr_assert_null(raw.identity);
	{
		size_t n;
		const struct ch_sealed_column *c = ch_store_sealed_columns(&n);
		bool listed_col = false;

		for (size_t i = 0; i < n; i++)
			listed_col |=
			    strcmp(c[i].table, "intel_sources") == 0 &&
			    strcmp(c[i].column, "identity") == 0;
		cr_assert(listed_col, "key rotation must reach it");
	}
	{
		int64_t count = 0;

		cr_assert_eq(
		    ch_store_sealed_count(store, "1e7e11ed", &count), CH_OK);
		cr_assert_geq(count, 1);
	}
}

Test(intel, source_list_is_for_the_registry_keepers)
{
	struct ch_intel_source *list;
	struct ch_intel_track *tracks;
	size_t n = 0;
	struct ch_principal eac = principal(1u << CH_ROLE_EAC_MEMBER,
	    CH_CLEARANCE_SECRET, post_id, reader_user);
	struct ch_principal analyst = principal(
	    1u << CH_ROLE_ANALYST, CH_CLEARANCE_SECRET, post_id, reader_user);

	ctx.who = &eac;
	cr_assert_eq(
	    ch_intel_source_list(&ctx, NULL, &list, &tracks, &n), CH_OK);
	cr_assert_eq(n, 0);
	ctx.who = &analyst;
	cr_assert_eq(
	    ch_intel_source_list(&ctx, NULL, &list, &tracks, &n), CH_OK);
	cr_assert_geq(n, 1);
	for (size_t i = 0; i < n; i++)
		cr_assert_str_eq(list[i].post_id, post_id);
	ctx.who = NULL;
}

Test(intel, actors_places_and_links)
{
	struct ch_intel_actor_input ai = {0};
	struct ch_intel_place_input pi = {0};
	struct ch_intel_actor actor, scratch, *actors;
	struct ch_intel_place circle, poly, *places;
	struct ch_intel_actor_view av;
	struct ch_intel_place_view pv;
	struct ch_intel_report_view rv;
	const char *aliases[] = {"Al-Fajr Brigade", "The Dawn"};
	const char *cats[] = {"terrorism", "political_violence"};
	struct ch_geo_point square[] = {
	    {-1.30, 36.80}, {-1.30, 36.82}, {-1.28, 36.82}, {-1.28, 36.80}};
	struct ch_intel_report_input in;
	struct ch_intel_report r, secret;
	struct ch_principal low = principal(
	    1u << CH_ROLE_ANALYST, CH_CLEARANCE_SBU, post_id, reader_user);
	struct ch_principal mine = principal(
	    1u << CH_ROLE_ANALYST, CH_CLEARANCE_SECRET, post_id, reader_user);
	size_t n;

	ai.set = CH_AF_POST_ID | CH_AF_NAME | CH_AF_KIND | CH_AF_ALIASES |
	    CH_AF_CATEGORIES | CH_AF_DESCRIPTION;
	ai.post_id = post_id;
	ai.name = "Harakat Test";
	ai.kind = "group";
	ai.aliases = aliases;
	ai.naliases = 2;
	ai.categories = cats;
	ai.ncategories = 2;
	ai.description = "A violent extremist group.";
	cr_assert_eq(ch_intel_actor_create(&ctx, &ai, &actor), CH_OK, "%s",
	    ctx.fault.detail);
	cr_assert_eq(actor.categories,
	    (1u << CH_THREAT_TERRORISM) | (1u << CH_THREAT_POLITICAL_VIOLENCE));
	ai.kind = "cell";
	cr_assert_eq(
	    ch_intel_actor_create(&ctx, &ai, &scratch), CH_ERR_INVALID);
	cr_assert_str_eq(ctx.fault.field, "/kind");
	ctx.who =
	    &mine; /* the post's own actors (a reused database has more) */
	cr_assert_eq(ch_intel_actor_list(&ctx, "dawn", &actors, &n), CH_OK);
	ctx.who = NULL;
	cr_assert_eq(n, 1, "found by an alias");
	cr_assert_str_eq(actors[0].name, "Harakat Test");
	cr_assert_eq(actors[0].naliases, 2);

	pi.set = CH_LF_POST_ID | CH_LF_NAME | CH_LF_AREA;
	pi.post_id = post_id;
	pi.name = "Market square";
	pi.area = "circle";
	pi.has_centre = true;
	pi.latitude = -1.2830;
	pi.longitude = 36.8263;
	cr_assert_eq(ch_intel_place_create(&ctx, &pi, &poly), CH_ERR_INVALID);
	cr_assert_str_eq(ctx.fault.field, "/radius_m");
	pi.has_radius = true;
	pi.radius_m = 250;
	cr_assert_eq(ch_intel_place_create(&ctx, &pi, &circle), CH_OK);
	cr_assert(circle.has_relative);
	cr_assert(circle.distance_m > 2500 && circle.distance_m < 3500, "%f",
	    circle.distance_m);
	cr_assert(circle.bearing_deg > 120 && circle.bearing_deg < 150, "%f",
	    circle.bearing_deg);
	pi.name = "Quarter";
	pi.area = "polygon";
	pi.polygon = square;
	pi.npolygon = 2;
	cr_assert_eq(ch_intel_place_create(&ctx, &pi, &poly), CH_ERR_INVALID);
	cr_assert_str_eq(ctx.fault.field, "/polygon");
	pi.npolygon = 4;
	cr_assert_eq(ch_intel_place_create(&ctx, &pi, &poly), CH_OK);
	cr_assert(fabs(poly.latitude - -1.29) < 1e-9);
	cr_assert(fabs(poly.longitude - 36.81) < 1e-9);
	ctx.who = &mine;
	cr_assert_eq(ch_intel_place_list(&ctx, "market", &places, &n), CH_OK);
	ctx.who = NULL;
	cr_assert_eq(n, 1);
	cr_assert_eq(places[0].area, CH_AREA_CIRCLE);
	cr_assert(fabs(places[0].radius_m - 250) < 1e-6);

	in = request(post_id, source_id, "UNCLASSIFIED", "CLEAR", "Linked");
	in.set |= CH_RF_ACTORS | CH_RF_PLACES;
	in.actor_ids = (const char *const[]){actor.id};
	in.nactors = 1;
	in.place_ids = (const char *const[]){circle.id, poly.id};
	in.nplaces = 2;
	cr_assert_eq(ch_intel_report_create(&ctx, &in, &r), CH_OK, "%s",
	    ctx.fault.detail);
	in.classification = "SECRET";
	in.title = "Linked secret";
	cr_assert_eq(ch_intel_report_create(&ctx, &in, &secret), CH_OK);
	cr_assert_eq(ch_intel_report_get(&ctx, r.id, &rv), CH_OK);
	cr_assert_eq(rv.nactors, 1);
	cr_assert_str_eq(rv.actors[0].name, "Harakat Test");
	cr_assert_eq(rv.nplaces, 2);

	cr_assert_eq(ch_intel_actor_get(&ctx, actor.id, &av), CH_OK);
	cr_assert_eq(av.reports.count, 2);
	ctx.who = &low;
	cr_assert_eq(ch_intel_actor_get(&ctx, actor.id, &av), CH_OK);
	cr_assert_eq(
	    av.reports.count, 1, "linked reports follow the list's rules");
	cr_assert_str_eq(av.reports.items[0].id, r.id);
	cr_assert_eq(ch_intel_place_get(&ctx, poly.id, &pv), CH_OK);
	cr_assert_eq(pv.reports.count, 1);
	ctx.who = NULL;

	/* A link to an actor of another post is refused. */
	ai.kind = "group";
	ai.post_id = other_post;
	ai.name = "Elsewhere";
	cr_assert_eq(ch_intel_actor_create(&ctx, &ai, &actor), CH_OK);
	in.actor_ids = (const char *const[]){actor.id};
	cr_assert_eq(ch_intel_report_create(&ctx, &in, &r), CH_ERR_INVALID);
	cr_assert_str_eq(ctx.fault.field, "/actor_ids");
}

Test(intel, incidents_linked_only_when_readable)
{
	struct ch_incident_input ii = {0};
	struct ch_incident inc, other;
	struct ch_intel_report_input in;
	struct ch_intel_report r;
	struct ch_intel_report_view v;
	struct ch_intel_report_filter f = {0};
	struct ch_intel_report_page page;

	ii.set = CH_IF_POST_ID | CH_IF_TYPE | CH_IF_CATEGORY | CH_IF_SEVERITY |
	    CH_IF_TITLE | CH_IF_OCCURRED_AT | CH_IF_CLASSIFICATION | CH_IF_TLP;
	ii.post_id = post_id;
	ii.type = "surveillance_detected";
	ii.category = "terrorism";
	ii.severity = "Moderate";
	ii.title = "Man photographing the gate";
	ii.occurred_at = "2026-01-05T08:00:00Z";
	ii.classification = "SBU";
	ii.tlp = "AMBER";
	cr_assert_eq(ch_incidents_report(&ctx, &ii, &inc), CH_OK);
	ii.post_id = other_post;
	cr_assert_eq(ch_incidents_report(&ctx, &ii, &other), CH_OK);

	in = request(post_id, source_id, "UNCLASSIFIED", "CLEAR", "Incident");
	in.set |= CH_RF_INCIDENTS;
	in.incident_ids = (const char *const[]){other.id};
	in.nincidents = 1;
	cr_assert_eq(ch_intel_report_create(&ctx, &in, &r), CH_ERR_INVALID);
	cr_assert_str_eq(ctx.fault.field, "/incident_ids");
	in.incident_ids = (const char *const[]){inc.id};
	cr_assert_eq(ch_intel_report_create(&ctx, &in, &r), CH_OK);
	cr_assert_eq(ch_intel_report_get(&ctx, r.id, &v), CH_OK);
	cr_assert_eq(v.nincidents, 1);
	cr_assert_str_eq(v.incidents[0].name, "Man photographing the gate");
	f.incident_id = inc.id;
	cr_assert_eq(ch_intel_report_list(&ctx, &f, &page), CH_OK);
	cr_assert_eq(page.count, 1);
	cr_assert_str_eq(page.items[0].id, r.id);

	/* A SECRET incident linked by the system: an analyst cleared to SBU
	 * reads and edits the report, without seeing the incident. */
	{
		struct ch_principal low = principal(1u << CH_ROLE_ANALYST,
		    CH_CLEARANCE_SBU, post_id, reader_user);
		struct ch_intel_report_input ch = {0};
		struct ch_intel_report out;

		ii.post_id = post_id;
		ii.classification = "SECRET";
		cr_assert_eq(ch_incidents_report(&ctx, &ii, &other), CH_OK);
		in.incident_ids = (const char *const[]){inc.id, other.id};
		in.nincidents = 2;
		cr_assert_eq(ch_intel_report_create(&ctx, &in, &r), CH_OK);
		ctx.who = &low;
		cr_assert_eq(ch_intel_report_get(&ctx, r.id, &v), CH_OK);
		cr_assert_eq(
		    v.nincidents, 1, "the SECRET incident is left out");
		ch.set = CH_RF_TITLE;
		ch.title = "Renamed by the SBU analyst";
		cr_assert_eq(ch_intel_report_update(&ctx, r.id, &ch, 1, &out),
		    CH_OK, "%s", ctx.fault.detail);
		cr_assert_eq(out.nincidents, 2, "the hidden link is kept");
		ch.set = CH_RF_INCIDENTS;
		ch.incident_ids = (const char *const[]){other.id};
		ch.nincidents = 1;
		cr_assert_eq(ch_intel_report_update(&ctx, r.id, &ch, 2, &out),
		    CH_ERR_INVALID, "no linking to what one cannot read");
		cr_assert_str_eq(ctx.fault.field, "/incident_ids");
		ctx.who = NULL;
	}
}

Test(intel, list_pages_with_a_cursor)
{
	char src[CH_ID_LEN];
	struct ch_intel_report_filter f = {0};
	struct ch_intel_report_page page;
	char seen[7][CH_ID_LEN];
	size_t total = 0;
	char cursor[200] = "";

	make_source(post_id, "PIPIT", src);
	for (int i = 0; i < 7; i++) {
		struct ch_intel_report_input in =
		    request(post_id, src, "UNCLASSIFIED", "CLEAR", "Paged");
		struct ch_intel_report r;

		cr_assert_eq(ch_intel_report_create(&ctx, &in, &r), CH_OK);
	}
	f.source_id = src;
	f.limit = 3;
	do {
		f.cursor = cursor;
		cr_assert_eq(ch_intel_report_list(&ctx, &f, &page), CH_OK);
		for (size_t i = 0; i < page.count; i++) {
			for (size_t k = 0; k < total; k++)
				cr_assert_str_neq(seen[k], page.items[i].id);
			cr_assert_lt(total, 7);
			memcpy(seen[total++], page.items[i].id, CH_ID_LEN);
		}
		memcpy(cursor, page.next_cursor, sizeof(cursor));
	} while (cursor[0] != '\0');
	cr_assert_eq(total, 7);
	f.cursor = "zz";
	cr_assert_eq(ch_intel_report_list(&ctx, &f, &page), CH_ERR_INVALID);
}
