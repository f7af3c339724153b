/*
 * test_visitors.c — visitors over the store, on the engine $CH_TEST_DSN
 * names (PostgreSQL) or a new SQLite file, each test in a database of its
 * own: registration screens the visitor and seals the document; a hit
 * holds the check-in until it is dismissed; the badge opens the zones
 * requested only and check-out revokes it; an escort is required where
 * the visit needs one; an overstay raises an alarm once, under a moved
 * clock; no-shows and the retention purge; the re-screening after a list
 * update reaches expected visitors; who may do what; the CSV log.
 */
#include <criterion/criterion.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "access/access.h"
#include "core/merkle.h"
#include "core/vault.h"
#include "fresh_db.h"
#include "people/people.h"
#include "screening/match.h"
#include "screening/screening.h"
#include "store/store.h"
#include "store/store_int.h"
#include "visitors/visitors.h"

static const unsigned char test_key[CH_VAULT_KEY_BYTES] = {3, 1, 4, 1, 5, 9, 2,
    6, 5, 3, 5, 8, 9, 7, 9, 3, 2, 3, 8, 4, 6, 2, 6, 4, 3, 3, 8, 3, 2, 7, 9};

static struct fresh_db db;
static struct ch_store *store;
static struct ch_ctx ctx;
static char post_id[CH_ID_LEN], zone_a[CH_ID_LEN], zone_b[CH_ID_LEN];
static char gate_point[CH_ID_LEN], door_point[CH_ID_LEN];
static char host_id[CH_ID_LEN], escort_id[CH_ID_LEN];
static char list_id[CH_ID_LEN];

static void
make_zone(const char *name, const char *parent, char out_id[CH_ID_LEN])
{
	struct ch_zone in = {0}, out;

	ch_strlcpy(in.post_id, post_id, sizeof(in.post_id));
	ch_strlcpy(in.parent_id, parent ? parent : "", sizeof(in.parent_id));
	in.name = (char *)name;
	in.level = CH_ZONE_CONTROLLED;
	in.required_clearance = CH_CLEARANCE_UNCLASSIFIED;
	cr_assert_eq(
	    ch_zones_create(&ctx, &in, &out), CH_OK, "%s", ctx.fault.detail);
	memcpy(out_id, out.id, CH_ID_LEN);
}

static void
make_point(
    const char *name, const char *from, const char *to, char out_id[CH_ID_LEN])
{
	struct ch_access_point_input in = {
	    post_id, name, from, to, "none", false};
	struct ch_access_point out;

	cr_assert_eq(ch_access_points_create(&ctx, &in, &out), CH_OK, "%s",
	    ctx.fault.detail);
	memcpy(out_id, out.id, CH_ID_LEN);
}

static void
make_person(const char *given, const char *family, char out_id[CH_ID_LEN])
{
	struct ch_person_input pi = {0};
	struct ch_person p;

	pi.set = CH_PF_POST_ID | CH_PF_GIVEN_NAME | CH_PF_FAMILY_NAME |
	    CH_PF_CATEGORY | CH_PF_NATIONALITY | CH_PF_CLEARANCE;
	pi.post_id = post_id;
	pi.given_name = given;
	pi.family_name = family;
	pi.category = "administrative_technical";
	pi.nationality = "DK";
	pi.clearance = "SECRET";
	cr_assert_eq(
	    ch_people_create(&ctx, &pi, &p), CH_OK, "%s", ctx.fault.detail);
	memcpy(out_id, p.id, CH_ID_LEN);
}

static void
import_list(const char *csv)
{
	struct ch_watch_set set;
	struct ch_watch_version v;
	struct ch_fault f;

	cr_assert_eq(
	    ch_watch_parse_custom(csv, strlen(csv), ctx.arena, &set, &f), CH_OK,
	    "%s", f.detail);
	cr_assert_eq(ch_watchlists_import(&ctx, list_id, &set, "t.csv", &v),
	    CH_OK, "%s", ctx.fault.detail);
}

static const char list_v1[] =
    "ref,name,aliases,dob,nationality\n"
    "1,\"PETROVSKY, Ivan Sergeyevich\",,1961-04-12,RU\n";
static const char list_v2[] =
    "ref,name,aliases,dob,nationality\n"
    "1,\"PETROVSKY, Ivan Sergeyevich\",,1961-04-12,RU\n"
    "2,\"HADDAD, Samira\",,1980-02-03,LB\n";

static void
setup(void)
{
	struct ch_post in = {0}, out;
	struct ch_watchlist l;
	char name[80];

	ch_log_set_quiet(true);
	ch_clock_set_offset(0);
	cr_assert_eq(ch_vault_load_raw("5151c0de", test_key), CH_OK);
	fresh_db_make(&db, "visitors");
	cr_assert_eq(ch_store_open(db.dsn, 4, &store), CH_OK);
	memset(&ctx, 0, sizeof(ctx));
	ctx.store = store;
	ctx.arena = ch_arena_create(256u * 1024 * 1024);
	ctx.request_id = "test";
	ctx.source = "test";
	snprintf(name, sizeof(name), "Visitors post %d", (int)getpid());
	in.name = name;
	in.kind = CH_POST_EMBASSY;
	memcpy(in.country, "KE", 3);
	in.city = "Nairobi";
	in.timezone = "Africa/Nairobi";
	cr_assert_eq(ch_posts_create(&ctx, &in, &out), CH_OK);
	memcpy(post_id, out.id, CH_ID_LEN);
	make_zone("Compound", NULL, zone_a);
	make_zone("Annex", NULL, zone_b);
	make_point("Gate", NULL, zone_a, gate_point);
	make_point("Door", zone_a, zone_b, door_point);
	make_person("Hanne", "Host", host_id);
	make_person("Erik", "Escort", escort_id);
	cr_assert_eq(ch_screening_start(store), CH_OK);
	cr_assert_eq(
	    ch_watchlists_create(&ctx, post_id, "Test list", "custom", &l),
	    CH_OK, "%s", ctx.fault.detail);
	memcpy(list_id, l.id, CH_ID_LEN);
	import_list(list_v1);
}

static void
teardown(void)
{
	ch_clock_set_offset(0);
	ch_screening_stop();
	ch_arena_destroy(ctx.arena);
	ch_store_close(store);
	fresh_db_drop(&db);
	ch_vault_unload();
}

TestSuite(visitors, .init = setup, .fini = teardown);

/* Register a visitor for the next `hours` hours, asking for zone_a. */
static struct ch_visitor
visit(
    struct ch_ctx *c, const char *name, const char *dob, bool escort, int hours)
{
	char arrival[CH_TIMESTAMP_LEN], departure[CH_TIMESTAMP_LEN];
	const char *zones[] = {zone_a};
	struct ch_visitor_input in = {0};
	struct ch_visitor v;

	ch_time_format(ch_clock_now() - 600, arrival);
	ch_time_format(ch_clock_now() + hours * 3600, departure);
	in.post_id = post_id;
	in.host_person_id = host_id;
	in.name = name;
	in.organisation = "Acme Ltd";
	in.doc_type = "passport";
	in.doc_number = "P1234567";
	in.doc_country = "Kenya";
	in.nationality = "RU";
	in.date_of_birth = dob;
	in.purpose = "A meeting.";
	in.arrival = arrival;
	in.departure = departure;
	in.escort_required = escort;
	in.zone_ids = zones;
	in.nzones = 1;
	cr_assert_eq(
	    ch_visitors_register(c, &in, &v), CH_OK, "%s", c->fault.detail);
	return v;
}

static struct ch_decision
swipe(const char *point, const char *badge)
{
	struct ch_decision_request rq = {0};
	struct ch_decision d;

	rq.point_id = point;
	rq.badge = badge;
	rq.direction = CH_DIR_IN;
	rq.device_post_id = post_id;
	cr_assert_eq(
	    ch_gate_decide(&ctx, &rq, &d), CH_OK, "%s", ctx.fault.detail);
	return d;
}

static int64_t
count_sql(const char *table_where)
{
	struct ch_tx *tx = NULL;
	struct ch_rows *r = NULL;
	char sql[256];
	int64_t n = -1;

	snprintf(sql, sizeof(sql), "SELECT COUNT(*) FROM %s", table_where);
	cr_assert_eq(ch_store_begin(store, false, &tx), CH_OK);
	cr_assert_eq(ch_tx_query(tx, sql, NULL, 0, &r, NULL), CH_OK, "%s", sql);
	n = ch_rows_int(r, 0, 0, -1);
	ch_rows_free(r);
	ch_store_rollback(tx);
	return n;
}

/* The one open hit of a visitor, adjudicated. */
static void
decide_hits(const char *visitor_id, const char *decision)
{
	struct ch_screen_hit *hits;
	size_t n, done = 0;

	cr_assert_eq(
	    ch_screening_hits(&ctx, post_id, "open", 100, &hits, &n), CH_OK);
	for (size_t i = 0; i < n; i++) {
		struct ch_screen_hit out;

		if (hits[i].subject_id == NULL ||
		    strcmp(hits[i].subject_id, visitor_id) != 0)
			continue;
		cr_assert_eq(ch_screening_adjudicate(&ctx, hits[i].id, decision,
				 "Checked the passport.", &out),
		    CH_OK, "%s", ctx.fault.detail);
		done++;
	}
	cr_assert_gt(done, 0, "no open hit for the visitor");
}

Test(visitors, registration_screens_and_seals_the_document)
{
	struct ch_visitor v =
	    visit(&ctx, "Ivan Petrovsky", "1961-04-12", false, 4);
	struct ch_visitor clean = visit(&ctx, "Mette Hansen", NULL, false, 4);
	struct ch_visitor got;
	struct ch_rows *r = NULL;
	struct ch_tx *tx = NULL;
	struct ch_param p[1] = {CH_P_TEXT(v.id)};

	cr_expect_eq(v.status, CH_VISITOR_EXPECTED);
	cr_expect_gt(v.hits_open, 0);
	cr_expect_str_eq(ch_visitor_screening_state(&v), "hold");
	cr_expect_str_eq(ch_visitor_screening_state(&clean), "clear");
	cr_expect_str_eq(v.host_name, "Hanne Host");
	/* Sealed at rest, bound to the row; opened only when asked. */
	cr_assert_eq(ch_store_begin(store, false, &tx), CH_OK);
	cr_assert_eq(
	    ch_tx_query(tx, "SELECT document FROM visitors WHERE id = $1", p, 1,
		&r, NULL),
	    CH_OK);
	cr_assert_eq(r->nrows, 1);
	cr_expect(ch_vault_is_sealed(ch_rows_get(r, 0, 0)));
	cr_expect_null(strstr(ch_rows_get(r, 0, 0), "P1234567"));
	ch_rows_free(r);
	ch_store_rollback(tx);
	cr_assert_eq(ch_visitors_get(&ctx, v.id, false, &got), CH_OK);
	cr_expect(got.has_document);
	cr_expect_null(got.doc_number);
	cr_assert_eq(ch_visitors_get(&ctx, v.id, true, &got), CH_OK);
	cr_expect_str_eq(got.doc_number, "P1234567");
	cr_expect_str_eq(got.doc_type, "passport");
	cr_expect_str_eq(got.doc_country, "Kenya");
	cr_expect_eq(
	    count_sql("audit_log WHERE action = 'visitor.register'"), 2);
}

Test(visitors,
    a_hit_holds_check_in_until_dismissed_and_the_badge_opens_the_zones)
{
	struct ch_visitor v =
	    visit(&ctx, "Ivan Petrovsky", "1961-04-12", false, 4);
	struct ch_checkin_input ci = {NULL, NULL};
	struct ch_visitor_hold hold;
	struct ch_visitor out, after;
	struct ch_decision d;
	struct ch_credential *creds;
	size_t n;

	cr_assert_eq(ch_visitors_check_in(&ctx, v.id, &ci, &out, &hold),
	    CH_ERR_CONFLICT);
	cr_expect_str_eq(hold.status, "open");
	cr_expect_neq(hold.hit_id[0], '\0');
	cr_expect_not_null(strstr(ctx.fault.detail, "security officer"));
	cr_expect_eq(
	    count_sql("audit_log WHERE action = 'visitor.check_in_refused'"),
	    1);
	/* Trying again does not pile up hits in the queue. */
	cr_assert_eq(ch_visitors_check_in(&ctx, v.id, &ci, &out, &hold),
	    CH_ERR_CONFLICT);
	decide_hits(v.id, "dismissed");
	cr_assert_eq(ch_visitors_check_in(&ctx, v.id, &ci, &out, &hold), CH_OK,
	    "%s", ctx.fault.detail);
	cr_expect_eq(out.status, CH_VISITOR_CHECKED_IN);
	cr_assert_not_null(out.badge);
	cr_expect_eq(strncmp(out.badge, "V-", 2), 0);
	cr_expect_eq(ch_visitors_get(&ctx, v.id, false, &after), CH_OK);
	cr_expect_str_eq(ch_visitor_screening_state(&after), "cleared");
	/* The credential is the visitor's, until the expected departure. */
	cr_assert_eq(
	    ch_credentials_list(&ctx, post_id, NULL, &creds, &n), CH_OK);
	cr_assert_eq(n, 1);
	cr_expect_str_eq(creds[0].visitor_id, v.id);
	cr_expect_str_eq(creds[0].valid_until, v.departure);
	/* The zone requested opens; another does not. */
	d = swipe(gate_point, out.badge);
	cr_expect(
	    d.result.granted, "%s", ch_access_reason_code(d.result.reason));
	d = swipe(door_point, out.badge);
	cr_expect_not(d.result.granted);
	cr_expect_eq(d.result.reason, CH_REASON_NO_RULE);
	/* Check-out revokes it. */
	cr_assert_eq(ch_visitors_check_out(&ctx, v.id, &out), CH_OK);
	cr_expect_eq(out.status, CH_VISITOR_CHECKED_OUT);
	d = swipe(gate_point, out.badge);
	cr_expect_not(d.result.granted);
	cr_expect_eq(d.result.reason, CH_REASON_CREDENTIAL_REVOKED);
	cr_expect_eq(count_sql("access_rules"), 0);
	cr_expect_eq(ch_visitors_check_out(&ctx, v.id, &out), CH_ERR_CONFLICT);
}

Test(visitors, a_confirmed_hit_refuses_check_in)
{
	struct ch_visitor v =
	    visit(&ctx, "Ivan Petrovsky", "1961-04-12", false, 4);
	struct ch_checkin_input ci = {NULL, NULL};
	struct ch_visitor_hold hold;
	struct ch_visitor out;

	decide_hits(v.id, "confirmed");
	cr_expect_eq(ch_visitors_check_in(&ctx, v.id, &ci, &out, &hold),
	    CH_ERR_CONFLICT);
	cr_expect_str_eq(hold.status, "confirmed");
	cr_expect_not_null(strstr(ctx.fault.detail, "refused"));
}

Test(visitors, an_escort_is_required_where_the_visit_needs_one)
{
	struct ch_visitor v = visit(&ctx, "Mette Hansen", NULL, true, 4);
	struct ch_checkin_input none = {NULL, NULL};
	struct ch_checkin_input stranger = {post_id, NULL};
	struct ch_checkin_input with = {escort_id, "CARD-77"};
	struct ch_visitor_hold hold;
	struct ch_visitor out;

	cr_expect_eq(ch_visitors_check_in(&ctx, v.id, &none, &out, &hold),
	    CH_ERR_INVALID);
	cr_expect_str_eq(ctx.fault.field, "/escort_person_id");
	cr_expect_eq(ch_visitors_check_in(&ctx, v.id, &stranger, &out, &hold),
	    CH_ERR_INVALID);
	cr_assert_eq(ch_visitors_check_in(&ctx, v.id, &with, &out, &hold),
	    CH_OK, "%s", ctx.fault.detail);
	cr_expect_str_eq(out.badge, "CARD-77");
	cr_expect_str_eq(out.escort_name, "Erik Escort");
}

Test(visitors, an_overstay_raises_one_alarm_at_the_end_of_the_window)
{
	struct ch_visitor v = visit(&ctx, "Mette Hansen", NULL, false, 2);
	struct ch_checkin_input ci = {NULL, NULL};
	struct ch_visitor_hold hold;
	struct ch_visitor out;
	struct ch_alarm *alarms;
	size_t over = 9, noshow = 9, purged = 9, n;

	cr_assert_eq(ch_visitors_check_in(&ctx, v.id, &ci, &out, &hold), CH_OK);
	cr_assert_eq(ch_visitors_sweep(
			 store, ch_clock_now() + 3600, &over, &noshow, &purged),
	    CH_OK);
	cr_expect_eq(over, 0, "inside the window");
	ch_clock_set_offset(2 * 3600 + 60);
	cr_assert_eq(
	    ch_visitors_sweep(store, ch_clock_now(), &over, &noshow, &purged),
	    CH_OK);
	cr_expect_eq(over, 1);
	cr_assert_eq(
	    ch_access_alarms_list(&ctx, post_id, "raised", &alarms, &n), CH_OK);
	cr_assert_eq(n, 1);
	cr_expect_str_eq(alarms[0].kind, "visitor_overstay");
	cr_expect_not_null(strstr(alarms[0].detail, "Mette Hansen"));
	cr_assert_eq(ch_visitors_get(&ctx, v.id, false, &out), CH_OK);
	cr_expect_str_eq(out.overstay_alarm_id, alarms[0].id);
	cr_assert_eq(ch_visitors_sweep(
			 store, ch_clock_now() + 600, &over, &noshow, &purged),
	    CH_OK);
	cr_expect_eq(over, 0, "one alarm per visit");
	/* The badge expired with the window. */
	cr_expect_eq(
	    swipe(gate_point, out.badge).result.reason, CH_REASON_EXPIRED);
}

Test(visitors, no_shows_and_the_retention_purge)
{
	struct ch_visitor gone = visit(&ctx, "Mette Hansen", NULL, false, 1);
	struct ch_visitor stays = visit(&ctx, "Lars Holm", NULL, false, 1);
	struct ch_checkin_input ci = {NULL, NULL};
	struct ch_visitor_hold hold;
	struct ch_visitor out;
	size_t over, noshow, purged;
	int days;

	cr_assert_eq(
	    ch_visitors_check_in(&ctx, stays.id, &ci, &out, &hold), CH_OK);
	cr_assert_eq(ch_visitors_check_out(&ctx, stays.id, &out), CH_OK);
	cr_assert_eq(ch_visitors_retention_get(&ctx, post_id, &days), CH_OK);
	cr_expect_eq(days, 90);
	cr_expect_eq(
	    ch_visitors_retention_set(&ctx, post_id, 0), CH_ERR_INVALID);
	cr_assert_eq(ch_visitors_retention_set(&ctx, post_id, 2), CH_OK);
	ch_clock_set_offset(2 * 3600);
	cr_assert_eq(
	    ch_visitors_sweep(store, ch_clock_now(), &over, &noshow, &purged),
	    CH_OK);
	cr_expect_eq(noshow, 1);
	cr_expect_eq(purged, 0);
	cr_assert_eq(ch_visitors_get(&ctx, gone.id, false, &out), CH_OK);
	cr_expect_eq(out.status, CH_VISITOR_NO_SHOW);
	ch_clock_set_offset(3 * 86400);
	cr_assert_eq(ch_visitors_purge(&ctx, post_id, &purged), CH_OK);
	cr_expect_eq(purged, 2);
	cr_assert_eq(ch_visitors_get(&ctx, stays.id, true, &out), CH_OK);
	cr_expect_eq(strncmp(out.name, "Visitor ", 8), 0);
	cr_expect_null(strstr(out.name, "Holm"));
	cr_expect_not(out.has_document);
	cr_expect_null(out.nationality);
	cr_expect_null(out.organisation);
	cr_expect_neq(out.purged_at[0], '\0');
	cr_expect_neq(out.checked_in_at[0], '\0', "the times stay");
	cr_expect_str_eq(out.host_person_id, host_id, "the host stays");
	cr_expect_eq(count_sql("screenings WHERE name LIKE '%Holm%'"), 0);
	cr_expect_eq(count_sql("audit_log WHERE action = 'visitor.purged'"), 2);
	cr_assert_eq(ch_visitors_purge(&ctx, post_id, &purged), CH_OK);
	cr_expect_eq(purged, 0, "once only");
}

/* The purge leaves no trace of who the visitor was in the screening
 * queue either: a hit's explanation lists the screened name's tokens and
 * date of birth, and the subject hash is a plain SHA-256 of them. */
Test(visitors, the_purge_clears_the_screening_hits_too)
{
	struct ch_visitor v =
	    visit(&ctx, "Ivan Petrovsky", "1961-04-12", false, 1);
	struct ch_checkin_input ci = {NULL, NULL};
	struct ch_visitor_hold hold;
	struct ch_visitor out;
	struct ch_screen_hit *hits;
	size_t purged, n, mine = 0;
	char where[256];

	decide_hits(v.id, "dismissed");
	cr_assert_eq(ch_visitors_check_in(&ctx, v.id, &ci, &out, &hold), CH_OK,
	    "%s", ctx.fault.detail);
	cr_assert_eq(ch_visitors_check_out(&ctx, v.id, &out), CH_OK);
	cr_assert_eq(ch_visitors_retention_set(&ctx, post_id, 1), CH_OK);
	snprintf(where, sizeof(where),
	    "screening_hits h JOIN screenings s ON s.id = h.screening_id"
	    " WHERE s.subject_id = '%s'"
	    " AND (LOWER(h.explanation) LIKE '%%petrovsk%%'"
	    " OR h.explanation LIKE '%%1961%%')",
	    v.id);
	cr_assert_gt(count_sql(where), 0, "the hit explains the match");
	ch_clock_set_offset(2 * 86400);
	cr_assert_eq(ch_visitors_purge(&ctx, post_id, &purged), CH_OK);
	cr_expect_eq(purged, 1);
	cr_expect_eq(count_sql(where), 0, "the explanation names the visitor");
	snprintf(where, sizeof(where),
	    "screenings WHERE subject_id = '%s' AND subject_hash <> ''", v.id);
	cr_expect_eq(count_sql(where), 0, "the subject hash stays");
	snprintf(where, sizeof(where),
	    "screening_decisions d JOIN screening_hits h ON h.id = d.hit_id"
	    " JOIN screenings s ON s.id = h.screening_id"
	    " WHERE s.subject_id = '%s' AND d.subject_hash <> ''",
	    v.id);
	cr_expect_eq(count_sql(where), 0, "the decision's subject hash stays");
	/* The queue still shows the decided hit, without the name. */
	cr_assert_eq(
	    ch_screening_hits(&ctx, post_id, "dismissed", 100, &hits, &n),
	    CH_OK);
	for (size_t i = 0; i < n; i++) {
		if (hits[i].subject_id == NULL ||
		    strcmp(hits[i].subject_id, v.id) != 0)
			continue;
		mine++;
		cr_expect_null(strstr(hits[i].subject_name, "Petrovsky"));
	}
	cr_expect_gt(mine, 0);
}

/* The overstay alarm names the visitor; the purge takes the name out of
 * it, as out of the visit. */
Test(visitors, the_purge_takes_the_name_out_of_the_overstay_alarm)
{
	struct ch_visitor v = visit(&ctx, "Mette Hansen", NULL, false, 1);
	struct ch_checkin_input ci = {NULL, NULL};
	struct ch_visitor_hold hold;
	struct ch_visitor out;
	struct ch_alarm *alarms;
	size_t over, noshow, purged, n;

	cr_assert_eq(ch_visitors_check_in(&ctx, v.id, &ci, &out, &hold), CH_OK);
	ch_clock_set_offset(3600 + 60);
	cr_assert_eq(
	    ch_visitors_sweep(store, ch_clock_now(), &over, &noshow, &purged),
	    CH_OK);
	cr_assert_eq(over, 1);
	cr_assert_eq(ch_visitors_check_out(&ctx, v.id, &out), CH_OK);
	cr_assert_eq(ch_visitors_retention_set(&ctx, post_id, 1), CH_OK);
	ch_clock_set_offset(2 * 86400);
	cr_assert_eq(ch_visitors_purge(&ctx, post_id, &purged), CH_OK);
	cr_assert_eq(purged, 1);
	cr_assert_eq(ch_visitors_get(&ctx, v.id, false, &out), CH_OK);
	cr_assert_eq(
	    ch_access_alarms_list(&ctx, post_id, NULL, &alarms, &n), CH_OK);
	cr_assert_eq(n, 1);
	cr_expect_null(
	    strstr(alarms[0].detail, "Hansen"), "%s", alarms[0].detail);
	cr_expect_not_null(
	    strstr(alarms[0].detail, out.name), "%s", alarms[0].detail);
}

/* The state hash of a visit's registration, were the state written with
 * these name, organisation, nationality and date of birth. */
static void
registration_hash(const struct ch_visitor *v, const char *name, const char *org,
    const char *nat, const char *dob, char out[65])
{
	unsigned char digest[32];
	char state[2048];
	int n = snprintf(state, sizeof(state),
	    "id=%s\npost=%s\nhost=%s\nname=%s\norganisation=%s\n"
	    "document=%d\nnationality=%s\ndate_of_birth=%s\npurpose=%s\n"
	    "arrival=%s\ndeparture=%s\nescort_required=%d\nzones=%s\n"
	    "status=expected\nescort=\ncredential=\nbadge=\n",
	    v->id, v->post_id, v->host_person_id, name, org, v->has_document,
	    nat, dob, v->purpose, v->arrival, v->departure, v->escort_required,
	    v->zones ? v->zones : "");

	ch_sha256(state, (size_t)n, digest);
	ch_hex(digest, sizeof(digest), out);
}

/* A keyed digest, as the visit's state holds personal data. */
static const char *
keyed(const char *value, char out[65])
{
	ch_vault_digest("chancery audit state v1", value, strlen(value), out);
	return out;
}

/* The audit log keeps a SHA-256 of each state of a visit for good, past
 * the purge, and the purged visit still shows every other field of it:
 * the visitor's name, organisation, nationality and date of birth enter
 * the state as keyed digests, so that no reader of the log confirms a
 * guess ("was Mette Hansen, born 1980-02-03, here?") by hashing it. */
Test(visitors, the_audit_state_does_not_confirm_a_guessed_identity)
{
	struct ch_visitor v =
	    visit(&ctx, "Mette Hansen", "1980-02-03", false, 1);
	char plain[65], sealed[65], d[4][65], where[256];

	registration_hash(
	    &v, "Mette Hansen", "Acme Ltd", "RU", "1980-02-03", plain);
	registration_hash(&v, keyed("Mette Hansen", d[0]),
	    keyed("Acme Ltd", d[1]), keyed("RU", d[2]),
	    keyed("1980-02-03", d[3]), sealed);
	snprintf(where, sizeof(where),
	    "audit_log WHERE action = 'visitor.register' AND object_id = '%s'"
	    " AND state_hash = '%s'",
	    v.id, plain);
	cr_expect_eq(count_sql(where), 0, "a guess is confirmed by the hash");
	snprintf(where, sizeof(where),
	    "audit_log WHERE action = 'visitor.register' AND object_id = '%s'"
	    " AND state_hash = '%s'",
	    v.id, sealed);
	cr_expect_eq(count_sql(where), 1, "the state as the test knows it");
}

#define SCREENING_STATE                                                        \
	"id=%s\npost=%s\nsubject=visitor:%s\nsubject_hash=%s\n"                \
	"origin=registration\nhit=%s,%s,%s,open\n"

/* The screening at registration is audited with the subject's hash, a
 * SHA-256 of the name, date of birth, nationality and gender; its hits
 * stay past the purge, so the audit state must not hold that hash in the
 * clear either. */
Test(visitors, the_screening_audit_state_does_not_confirm_a_guess)
{
	struct ch_visitor v =
	    visit(&ctx, "Ivan Petrovsky", "1961-04-12", false, 1);
	char ascii[256], canon[320], subject[65], keyed_subject[65];
	char state[1024], plain[65], sealed[65], where[256];
	unsigned char digest[32];
	struct ch_param p[1] = {CH_P_TEXT(v.id)};
	struct ch_rows *r = NULL;
	struct ch_tx *tx = NULL;
	int n;

	cr_assert_eq(ch_store_begin(store, false, &tx), CH_OK);
	cr_assert_eq(ch_tx_query(tx,
			 "SELECT s.id, h.id, h.entry_id, h.score_permille"
			 " FROM screenings s JOIN screening_hits h"
			 " ON h.screening_id = s.id WHERE s.subject_id = $1"
			 " AND s.origin = 'registration'",
			 p, 1, &r, NULL),
	    CH_OK);
	cr_assert_eq(r->nrows, 1);
	ch_match_ascii("Ivan Petrovsky", ascii, sizeof(ascii));
	n = snprintf(canon, sizeof(canon), "%s\n1961-04-12\nRU\n-", ascii);
	ch_sha256(canon, (size_t)n, digest);
	ch_hex(digest, sizeof(digest), subject);
	ch_vault_digest(
	    "chancery audit state v1", subject, strlen(subject), keyed_subject);
	n = snprintf(state, sizeof(state), SCREENING_STATE,
	    ch_rows_get(r, 0, 0), post_id, v.id, subject, ch_rows_get(r, 0, 1),
	    ch_rows_get(r, 0, 2), ch_rows_get(r, 0, 3));
	ch_sha256(state, (size_t)n, digest);
	ch_hex(digest, sizeof(digest), plain);
	n = snprintf(state, sizeof(state), SCREENING_STATE,
	    ch_rows_get(r, 0, 0), post_id, v.id, keyed_subject,
	    ch_rows_get(r, 0, 1), ch_rows_get(r, 0, 2), ch_rows_get(r, 0, 3));
	ch_sha256(state, (size_t)n, digest);
	ch_hex(digest, sizeof(digest), sealed);
	snprintf(where, sizeof(where),
	    "audit_log WHERE action = 'screening.run' AND object_id = '%s'"
	    " AND state_hash = '%s'",
	    ch_rows_get(r, 0, 0), plain);
	cr_expect_eq(count_sql(where), 0, "a guess is confirmed by the hash");
	snprintf(where, sizeof(where),
	    "audit_log WHERE action = 'screening.run' AND object_id = '%s'"
	    " AND state_hash = '%s'",
	    ch_rows_get(r, 0, 0), sealed);
	cr_expect_eq(count_sql(where), 1, "the state as the test knows it");
	ch_rows_free(r);
	ch_store_rollback(tx);
}

Test(visitors, a_list_update_rescreens_expected_visitors)
{
	struct ch_visitor v =
	    visit(&ctx, "Samira Haddad", "1980-02-03", false, 4);
	struct ch_visitor out;

	cr_expect_eq(v.hits_open, 0);
	import_list(list_v2);
	cr_assert_eq(ch_visitors_get(&ctx, v.id, false, &out), CH_OK);
	cr_expect_gt(out.hits_open, 0, "the new entry reaches the visitor");
}

Test(visitors, hosts_register_their_own_and_the_desk_checks_in)
{
	struct ch_principal staff = {0}, guard = {0}, hq = {0};
	struct ch_ctx as_staff = ctx, as_guard = ctx, as_hq = ctx;
	struct ch_checkin_input ci = {NULL, NULL};
	struct ch_visitor_filter mine = {.mine = true}, all = {0};
	struct ch_visitor_hold hold;
	struct ch_visitor_page page;
	struct ch_visitor v, out;
	size_t n;

	memcpy(staff.username, "staff", 6);
	staff.roles = 1u << CH_ROLE_STAFF;
	memcpy(staff.post_id, post_id, CH_ID_LEN);
	memcpy(staff.person_id, host_id, CH_ID_LEN);
	guard = staff;
	memcpy(guard.username, "guard", 6);
	guard.roles = 1u << CH_ROLE_GUARD;
	memcpy(guard.person_id, escort_id, CH_ID_LEN);
	hq = staff;
	hq.roles = 1u << CH_ROLE_HQ;
	hq.post_id[0] = hq.person_id[0] = '\0';
	as_staff.who = &staff;
	as_guard.who = &guard;
	as_hq.who = &hq;

	v = visit(&as_staff, "Mette Hansen", NULL, false, 4);
	cr_expect_eq(v.status, CH_VISITOR_EXPECTED,
	    "a host registers without screening.run");
	{
		/* ... but not someone else's visitor. */
		char arrival[CH_TIMESTAMP_LEN], departure[CH_TIMESTAMP_LEN];
		struct ch_visitor_input in = {0};

		ch_time_format(ch_clock_now(), arrival);
		ch_time_format(ch_clock_now() + 3600, departure);
		in.post_id = post_id;
		in.host_person_id = escort_id;
		in.name = "X Y";
		in.purpose = "p";
		in.arrival = arrival;
		in.departure = departure;
		cr_expect_eq(
		    ch_visitors_register(&as_staff, &in, &out), CH_ERR_INVALID);
	}
	cr_expect_eq(ch_visitors_list(&as_staff, &all, &page), CH_ERR_DENIED);
	cr_assert_eq(ch_visitors_list(&as_staff, &mine, &page), CH_OK);
	cr_expect_eq(page.count, 1);
	cr_expect_eq(ch_visitors_get(&as_staff, v.id, false, &out), CH_OK);
	cr_expect_eq(ch_visitors_get(&as_staff, v.id, true, &out),
	    CH_ERR_DENIED, "the document is for the desk");
	cr_expect_eq(ch_visitors_check_in(&as_staff, v.id, &ci, &out, &hold),
	    CH_ERR_DENIED);
	cr_expect_eq(ch_visitors_purge(&as_guard, post_id, &n), CH_ERR_DENIED);
	cr_expect_eq(
	    ch_visitors_retention_set(&as_guard, post_id, 10), CH_ERR_DENIED);
	cr_assert_eq(ch_visitors_check_in(&as_guard, v.id, &ci, &out, &hold),
	    CH_OK, "%s", as_guard.fault.detail);
	cr_expect_str_eq(out.checked_in_by, "guard");
	cr_assert_eq(ch_visitors_list(&as_hq, &all, &page), CH_OK);
	cr_expect_eq(page.count, 1);
	cr_expect_eq(ch_visitors_check_out(&as_hq, v.id, &out), CH_ERR_DENIED);
	cr_expect_eq(
	    ch_visitors_cancel(&as_staff, v.id, &out), CH_ERR_CONFLICT);
}

Test(visitors, the_day_filter_and_the_csv_log)
{
	struct ch_visitor v =
	    visit(&ctx, "=HYPERLINK(\"http://x\")", NULL, false, 4);
	struct ch_visitor_filter f = {0};
	struct ch_visitor_page page;
	struct ch_buf b;

	(void)v;
	f.day = "today";
	cr_assert_eq(ch_visitors_list(&ctx, &f, &page), CH_OK);
	cr_expect_eq(page.count, 1);
	cr_expect_str_eq(page.time_zone, "UTC", "every post: UTC days");
	f.post_id = post_id;
	cr_assert_eq(ch_visitors_list(&ctx, &f, &page), CH_OK);
	cr_expect_eq(page.count, 1);
	cr_expect_str_eq(page.time_zone, "Africa/Nairobi");
	f.day = "2001-01-01";
	cr_assert_eq(ch_visitors_list(&ctx, &f, &page), CH_OK);
	cr_expect_eq(page.count, 0);
	f.day = "yesterday";
	cr_expect_eq(ch_visitors_list(&ctx, &f, &page), CH_ERR_INVALID);
	cr_expect_str_eq(ctx.fault.field, "day");
	f.day = NULL;
	f.status = "checked_in";
	cr_assert_eq(ch_visitors_list(&ctx, &f, &page), CH_OK);
	cr_expect_eq(page.count, 0);
	f.status = NULL;
	cr_assert_eq(ch_visitors_list(&ctx, &f, &page), CH_OK);
	cr_expect_str_eq(page.day, "", "no day asked, none named");
	ch_buf_init(&b, 1u << 20);
	cr_assert_eq(ch_visitors_csv(page.items, page.count, true, &b), CH_OK);
	cr_expect_not_null(strstr(b.data, "\r\n"));
	cr_expect_not_null(
	    strstr(b.data, ",\"'=HYPERLINK(\"\"http://x\"\")\","), "%s",
	    b.data);
	cr_expect_not_null(strstr(b.data, "Hanne Host"));
	ch_buf_free(&b);
}

/*
 * "Today" is the post's day: at 22:30 UTC it is already 01:30 tomorrow in
 * Nairobi, and the night guard's kiosk must show tomorrow's visitors, not
 * yesterday's.
 */
Test(visitors, the_day_is_the_posts_day)
{
	struct ch_visitor_filter f = {.post_id = post_id};
	struct ch_visitor_page page;
	int64_t at;

	cr_assert(ch_time_parse("2026-11-25T22:30:00Z", &at));
	ch_clock_set_offset(at - (int64_t)time(NULL));
	visit(&ctx, "Late Visitor", NULL, false, 4); /* 22:20Z to 02:30Z */
	f.day = "today";
	cr_assert_eq(ch_visitors_list(&ctx, &f, &page), CH_OK);
	cr_expect_str_eq(page.day, "2026-11-26");
	cr_expect_str_eq(page.time_zone, "Africa/Nairobi");
	cr_expect_eq(page.count, 1);
	/* The 25th in Nairobi ended at 21:00 UTC, before the visit. */
	f.day = "2026-11-25";
	cr_assert_eq(ch_visitors_list(&ctx, &f, &page), CH_OK);
	cr_expect_eq(page.count, 0, "the UTC day is not the post's");
	ch_clock_set_offset(0);
}

Test(visitors, the_list_pages_by_arrival)
{
	struct ch_visitor_filter f = {.limit = 2};
	struct ch_visitor_page page;
	char seen[5][CH_ID_LEN], cursor[200];
	size_t n = 0;

	for (int i = 0; i < 5; i++)
		visit(&ctx, "Paged Visitor", NULL, false, 2 + i);
	do {
		cr_assert_eq(ch_visitors_list(&ctx, &f, &page), CH_OK);
		cr_assert_leq(page.count, 2);
		for (size_t i = 0; i < page.count; i++) {
			cr_assert_lt(n, 5, "more rows than visits");
			for (size_t j = 0; j < n; j++)
				cr_expect_str_neq(seen[j], page.items[i].id);
			ch_strlcpy(seen[n++], page.items[i].id, CH_ID_LEN);
		}
		ch_strlcpy(cursor, page.next_cursor, sizeof(cursor));
		f.cursor = cursor;
	} while (cursor[0] != '\0');
	cr_expect_eq(n, 5);
	f.cursor = "not-a-cursor";
	cr_expect_eq(ch_visitors_list(&ctx, &f, &page), CH_ERR_INVALID);
	cr_expect_str_eq(ctx.fault.field, "cursor");
}
