/*
 * test_risks.c — the risk register: bands from ranges (each rule of
 * contiguity and cover), the residual and target after controls, the
 * heat map's counts and its SVG (parsed with libxml2: well-formed, titled,
 * 25 cells whose text and data agree with the counts), and the use cases
 * over the store ($CH_TEST_DSN, PostgreSQL in the test run, or SQLite).
 */
#include <criterion/criterion.h>
#include <libxml/parser.h>
#include <libxml/xpath.h>
#include <libxml/xpathInternals.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "people/people.h"
#include "risks/risks.h"
#include "store/store.h"

/* ---- bands ---- */

static bool
bands(long l, long m, long h, struct ch_risk_bands *out, struct ch_fault *f)
{
	struct ch_band_range r[4] = {{"low", 1, l}, {"medium", l + 1, m},
	    {"high", m + 1, h}, {"critical", h + 1, 25}};

	return ch_risk_bands_from_ranges(r, 4, out, f);
}

Test(bands, defaults_are_design_section_8)
{
	struct ch_risk_bands b;

	ch_risk_bands_defaults(&b);
	cr_assert_eq(b.low_max, 4);
	cr_assert_eq(b.medium_max, 9);
	cr_assert_eq(b.high_max, 14);
	cr_assert_eq(ch_risk_band_of(&b, 1), CH_BAND_LOW);
	cr_assert_eq(ch_risk_band_of(&b, 4), CH_BAND_LOW);
	cr_assert_eq(ch_risk_band_of(&b, 5), CH_BAND_MEDIUM);
	cr_assert_eq(ch_risk_band_of(&b, 9), CH_BAND_MEDIUM);
	cr_assert_eq(ch_risk_band_of(&b, 10), CH_BAND_HIGH);
	cr_assert_eq(ch_risk_band_of(&b, 14), CH_BAND_HIGH);
	cr_assert_eq(ch_risk_band_of(&b, 15), CH_BAND_CRITICAL);
	cr_assert_eq(ch_risk_band_of(&b, 25), CH_BAND_CRITICAL);
}

Test(bands, ranges_must_be_four_contiguous_and_cover_1_to_25)
{
	struct ch_risk_bands b;
	struct ch_fault f = {{0}, {0}};

	cr_assert(bands(3, 8, 19, &b, &f), "%s", f.detail);
	cr_assert_eq(b.low_max, 3);
	cr_assert_eq(b.medium_max, 8);
	cr_assert_eq(b.high_max, 19);

	/* In any order. */
	struct ch_band_range shuffled[4] = {{"critical", 15, 25},
	    {"medium", 5, 9}, {"low", 1, 4}, {"high", 10, 14}};
	cr_assert(ch_risk_bands_from_ranges(shuffled, 4, &b, &f));
	cr_assert_eq(b.high_max, 14);

	struct ch_band_range gap[4] = {{"low", 1, 4}, {"medium", 6, 9},
	    {"high", 10, 14}, {"critical", 15, 25}};
	cr_assert_not(ch_risk_bands_from_ranges(gap, 4, &b, &f));
	cr_assert(strstr(f.detail, "medium band must start at 5") != NULL, "%s",
	    f.detail);
	struct ch_band_range overlap[4] = {{"low", 1, 5}, {"medium", 5, 9},
	    {"high", 10, 14}, {"critical", 15, 25}};
	cr_assert_not(ch_risk_bands_from_ranges(overlap, 4, &b, &f));
	struct ch_band_range not_from_1[4] = {{"low", 2, 4}, {"medium", 5, 9},
	    {"high", 10, 14}, {"critical", 15, 25}};
	cr_assert_not(ch_risk_bands_from_ranges(not_from_1, 4, &b, &f));
	struct ch_band_range short_[4] = {{"low", 1, 4}, {"medium", 5, 9},
	    {"high", 10, 14}, {"critical", 15, 24}};
	cr_assert_not(ch_risk_bands_from_ranges(short_, 4, &b, &f));
	cr_assert(strstr(f.detail, "end at 25") != NULL, "%s", f.detail);
	struct ch_band_range empty[4] = {{"low", 1, 4}, {"medium", 5, 4},
	    {"high", 5, 14}, {"critical", 15, 25}};
	cr_assert_not(ch_risk_bands_from_ranges(empty, 4, &b, &f));
	struct ch_band_range twice[4] = {{"low", 1, 4}, {"low", 5, 9},
	    {"high", 10, 14}, {"critical", 15, 25}};
	cr_assert_not(ch_risk_bands_from_ranges(twice, 4, &b, &f));
	struct ch_band_range unknown[4] = {{"low", 1, 4}, {"severe", 5, 9},
	    {"high", 10, 14}, {"critical", 15, 25}};
	cr_assert_not(ch_risk_bands_from_ranges(unknown, 4, &b, &f));
	cr_assert_not(ch_risk_bands_from_ranges(shuffled, 3, &b, &f));
	cr_assert_str_eq(f.field, "/bands");
}

/* ---- residual ---- */

static struct ch_risk
risk(int l, int i, struct ch_risk_control *c, size_t n)
{
	struct ch_risk r;

	memset(&r, 0, sizeof(r));
	r.likelihood = l;
	r.impact = i;
	r.controls = c;
	r.ncontrols = n;
	return r;
}

Test(residual, only_controls_in_place_count_and_never_below_1)
{
	struct ch_risk_control c[3] = {
	    {"", "barrier", 1, 2, CH_CONTROL_IN_PLACE},
	    {"", "guards", 1, 0, CH_CONTROL_IN_PLACE},
	    {"", "netting", 0, 1, CH_CONTROL_PLANNED},
	};
	struct ch_risk r = risk(4, 5, c, 3);
	int l, i;

	ch_risk_residual(&r, false, &l, &i);
	cr_assert_eq(l, 2);
	cr_assert_eq(i, 3);
	ch_risk_residual(&r, true, &l, &i);
	cr_assert_eq(l, 2);
	cr_assert_eq(i, 2);
	r = risk(2, 2, c, 3);
	ch_risk_residual(&r, true, &l, &i);
	cr_assert_eq(l, 1);
	cr_assert_eq(i, 1);
	r = risk(3, 3, NULL, 0);
	ch_risk_residual(&r, false, &l, &i);
	cr_assert_eq(l * i, 9, "no controls: residual = inherent");

	ch_risk_derive(&r, "2026-01-01");
	cr_assert_not(r.overdue, "no date, not overdue");
	memcpy(r.review_on, "2025-12-31", 11);
	ch_risk_derive(&r, "2026-01-01");
	cr_assert(r.overdue);
	memcpy(r.review_on, "2026-01-01", 11);
	ch_risk_derive(&r, "2026-01-01");
	cr_assert_not(r.overdue, "due today is not overdue");
}

/* ---- the heat map ---- */

static xmlChar *
xpath_string(xmlXPathContextPtr x, const char *expr)
{
	xmlXPathObjectPtr o = xmlXPathEvalExpression(BAD_CAST expr, x);
	xmlChar *s;

	cr_assert_not_null(o, "%s", expr);
	s = xmlXPathCastToString(o);
	xmlXPathFreeObject(o);
	return s;
}

static double
xpath_number(xmlXPathContextPtr x, const char *expr)
{
	xmlXPathObjectPtr o = xmlXPathEvalExpression(BAD_CAST expr, x);
	double v;

	cr_assert_not_null(o, "%s", expr);
	v = xmlXPathCastToNumber(o);
	xmlXPathFreeObject(o);
	return v;
}

Test(heatmap, svg_is_well_formed_titled_and_counts_each_cell)
{
	struct ch_risk_control in_place = {"", "c", 2, 1, CH_CONTROL_IN_PLACE};
	struct ch_risk_control planned = {"", "p", 3, 3, CH_CONTROL_PLANNED};
	struct ch_risk rs[4] = {risk(5, 5, &in_place, 1), risk(5, 5, NULL, 0),
	    risk(3, 4, &planned, 1), risk(1, 1, &in_place, 1)};
	struct ch_risk_bands b;
	struct ch_heatmap h;
	struct ch_buf buf;
	xmlDocPtr doc;
	xmlXPathContextPtr x;
	xmlChar *s;
	char expr[200];

	ch_risk_bands_defaults(&b);
	ch_heatmap_count(rs, 4, &b, &h);
	cr_assert_eq(h.inherent[4][4], 2);
	cr_assert_eq(h.inherent[2][3], 1);
	cr_assert_eq(h.inherent[0][0], 1);
	/* 5x5 less 2 and 1 = 3x4; 3x4 with a planned control stays. */
	cr_assert_eq(h.residual[2][3], 2);
	cr_assert_eq(h.residual[4][4], 1);
	cr_assert_eq(h.residual[0][0], 1, "never below 1x1");

	ch_buf_init(&buf, 1 << 20);
	cr_assert_eq(ch_heatmap_svg(&h, "Heat <map> & \"risks\"", &buf), CH_OK);
	doc = xmlReadMemory(buf.data, (int)buf.len, "heatmap.svg", NULL,
	    XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING);
	cr_assert_not_null(doc, "well-formed XML");
	x = xmlXPathNewContext(doc);
	xmlXPathRegisterNs(
	    x, BAD_CAST "s", BAD_CAST "http://www.w3.org/2000/svg");
	s = xpath_string(x, "/s:svg/s:title");
	cr_assert_str_eq((char *)s, "Heat <map> & \"risks\"", "escaped");
	xmlFree(s);
	s = xpath_string(x, "/s:svg/@role");
	cr_assert_str_eq((char *)s, "img");
	xmlFree(s);
	s = xpath_string(x, "/s:svg/s:desc");
	cr_assert(strstr((char *)s,
		      "low 1-4, medium 5-9, high 10-14, "
		      "critical 15-25") != NULL,
	    "%s", s);
	cr_assert(strstr((char *)s, "4 in all") != NULL, "%s", s);
	xmlFree(s);
	cr_assert_float_eq(
	    xpath_number(x, "count(//s:g[@class='cell'])"), 25, 0);
	cr_assert_float_eq(
	    xpath_number(x, "sum(//s:g[@class='cell']/@data-inherent)"), 4, 0);
	cr_assert_float_eq(
	    xpath_number(x, "sum(//s:g[@class='cell']/@data-residual)"), 4, 0);
	for (int l = 1; l <= 5; l++) {
		for (int i = 1; i <= 5; i++) {
			snprintf(expr, sizeof(expr),
			    "//s:g[@data-likelihood='%d'][@data-impact='%d']",
			    l, i);
			char q[260];

			snprintf(
			    q, sizeof(q), "number(%s/@data-inherent)", expr);
			cr_assert_float_eq(xpath_number(x, q),
			    h.inherent[l - 1][i - 1], 0, "%dx%d", l, i);
			snprintf(q, sizeof(q), "string(%s/s:text[2])", expr);
			s = xpath_string(x, q);
			char want[16];
			snprintf(want, sizeof(want), "I %d",
			    h.inherent[l - 1][i - 1]);
			cr_assert_str_eq((char *)s, want, "text, not colour");
			xmlFree(s);
			snprintf(q, sizeof(q), "string(%s/s:text[3])", expr);
			s = xpath_string(x, q);
			snprintf(want, sizeof(want), "R %d",
			    h.residual[l - 1][i - 1]);
			cr_assert_str_eq((char *)s, want);
			xmlFree(s);
			snprintf(q, sizeof(q), "string(%s/@data-band)", expr);
			s = xpath_string(x, q);
			cr_assert_str_eq((char *)s,
			    ch_band_code(ch_risk_band_of(&b, l * i)));
			xmlFree(s);
		}
	}
	s = xpath_string(x,
	    "string(//s:g[@data-likelihood='5']"
	    "[@data-impact='5']/s:title)");
	cr_assert_str_eq((char *)s,
	    "Likelihood 5 (almost certain) x impact 5 (severe) = 25, "
	    "critical: 2 inherent, 1 residual");
	xmlFree(s);
	cr_assert_float_eq(
	    xpath_number(x, "count(//s:text[contains(., 'almost certain')])"),
	    1, 0);
	cr_assert_float_eq(
	    xpath_number(x, "count(//s:text[contains(., 'negligible')])"), 1,
	    0);
	xmlXPathFreeContext(x);
	xmlFreeDoc(doc);
	ch_buf_free(&buf);
}

/* ---- the use cases over the store ---- */

static char sqlite_path[128];
static struct ch_store *store;
static struct ch_ctx ctx;
static char post_id[CH_ID_LEN], other_post[CH_ID_LEN];
static char owner[CH_ID_LEN], stranger[CH_ID_LEN];
static struct ch_principal officer, analyst, guard;

static void
make_post(const char *label, char out_id[CH_ID_LEN])
{
	struct ch_post in = {0}, out;
	char name[80];

	snprintf(name, sizeof(name), "Risk post %s %d-%ld", label,
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
make_person(const char *post, char out_id[CH_ID_LEN])
{
	struct ch_person_input in = {0};
	struct ch_person p;

	in.set = CH_PF_POST_ID | CH_PF_GIVEN_NAME | CH_PF_FAMILY_NAME |
	    CH_PF_CATEGORY | CH_PF_NATIONALITY;
	in.post_id = post;
	in.given_name = "Risk";
	in.family_name = "Owner";
	in.category = "diplomatic_agent";
	in.nationality = "DK";
	cr_assert_eq(
	    ch_people_create(&ctx, &in, &p), CH_OK, "%s", ctx.fault.detail);
	memcpy(out_id, p.id, CH_ID_LEN);
}

static struct ch_principal
principal(unsigned roles, const char *post)
{
	struct ch_principal w;

	memset(&w, 0, sizeof(w));
	ch_id_new(w.user_id);
	ch_strlcpy(w.username, "tester", sizeof(w.username));
	w.roles = roles;
	w.clearance = CH_CLEARANCE_SECRET;
	ch_strlcpy(w.post_id, post, sizeof(w.post_id));
	return w;
}

static void
setup(void)
{
	const char *env = getenv("CH_TEST_DSN");
	char dsn[600];

	ch_log_set_quiet(true);
	if (env != NULL && *env != '\0') {
		snprintf(dsn, sizeof(dsn), "%s", env);
	} else {
		snprintf(sqlite_path, sizeof(sqlite_path),
		    "/tmp/ch-risks-%d.db", (int)getpid());
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
	make_person(post_id, owner);
	make_person(other_post, stranger);
	officer = principal(1u << CH_ROLE_SECURITY_OFFICER, post_id);
	analyst = principal(1u << CH_ROLE_ANALYST, post_id);
	guard = principal(1u << CH_ROLE_GUARD, post_id);
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

TestSuite(register, .init = setup, .fini = teardown);

static struct ch_ctx
as(const struct ch_principal *who)
{
	struct ch_ctx c = ctx;

	c.who = who;
	memset(&c.fault, 0, sizeof(c.fault));
	return c;
}

static ch_err
create(struct ch_ctx *c, int l, int i, const char *who_owns,
    const struct ch_risk_control_input *controls, size_t n, struct ch_risk *out)
{
	struct ch_risk_input in = {0};
	const char *cats[2] = {"crime", "terrorism"};

	in.set = CH_RF_POST_ID | CH_RF_TITLE | CH_RF_ASSET | CH_RF_LIKELIHOOD |
	    CH_RF_IMPACT | CH_RF_CATEGORIES | CH_RF_OWNER | CH_RF_CONTROLS |
	    CH_RF_TREATMENT | CH_RF_REVIEW_ON;
	in.post_id = post_id;
	in.title = "Carjacking";
	in.asset = "Drivers";
	in.likelihood = l;
	in.impact = i;
	in.categories = cats;
	in.ncategories = 2;
	in.owner_person_id = who_owns;
	in.controls = controls;
	in.ncontrols = n;
	in.treatment = "mitigate";
	in.review_on = "2030-01-01";
	return ch_risks_create(c, &in, out);
}

Test(register, create_read_update_review_list)
{
	struct ch_risk_control_input controls[2] = {
	    {"Driver training", 1, 0, "in_place"},
	    {"Armoured car", 0, 2, "planned"},
	};
	struct ch_ctx a = as(&analyst), o = as(&officer), g = as(&guard);
	struct ch_risk r, back, low;
	struct ch_risk_list list;
	struct ch_risk_filter f = {0};
	struct ch_risk_input change = {0};

	cr_assert_eq(create(&a, 4, 4, owner, controls, 2, &r), CH_OK, "%s",
	    a.fault.detail);
	cr_assert_eq(r.residual_likelihood * r.residual_impact, 12);
	cr_assert_eq(r.target_likelihood * r.target_impact, 6);
	cr_assert_str_eq(r.owner_name, "Risk Owner");
	cr_assert_eq(ch_risks_get(&g, r.id, &back), CH_ERR_NOT_FOUND,
	    "a guard reads no risks");
	cr_assert_eq(ch_risks_get(&o, r.id, &back), CH_OK);
	cr_assert_eq(back.ncontrols, 2);
	cr_assert_str_eq(back.controls[1].name, "Armoured car");
	cr_assert_eq(back.controls[1].status, CH_CONTROL_PLANNED);
	cr_assert_eq(back.categories,
	    (1u << CH_THREAT_CRIME) | (1u << CH_THREAT_TERRORISM));
	cr_assert_str_eq(back.review_on, "2030-01-01");

	cr_assert_eq(create(&a, 2, 2, owner, NULL, 0, &low), CH_OK);
	cr_assert_eq(ch_risks_list(&a, post_id, &f, &list), CH_OK);
	cr_assert_eq(list.count, 2);
	cr_assert_str_eq(list.items[0].id, r.id, "highest residual first");
	cr_assert_eq(list.bands.high_max, 14);

	change.set = CH_RF_LIKELIHOOD;
	change.likelihood = 2;
	cr_assert_eq(
	    ch_risks_update(&a, r.id, &change, 7, &back), CH_ERR_PRECONDITION);
	cr_assert_eq(ch_risks_update(&a, r.id, &change, 1, &back), CH_OK);
	cr_assert_eq(back.version, 2);
	cr_assert_eq(back.residual_likelihood, 1);
	cr_assert_eq(
	    ch_risks_update(&g, r.id, &change, 2, &back), CH_ERR_NOT_FOUND);

	cr_assert_eq(
	    ch_risks_review(&o, r.id, "Fine.", "2031-05-01", &back), CH_OK);
	cr_assert_str_eq(back.review_on, "2031-05-01");
	cr_assert_str_eq(back.reviewed_by, "tester");
	cr_assert_not(back.flagged);
}

Test(register, validation_and_the_post_rules)
{
	struct ch_risk_control_input none[1] = {{"Nothing", 0, 0, "in_place"}};
	struct ch_ctx a = as(&analyst), g = as(&guard);
	struct ch_risk r;

	cr_assert_eq(create(&a, 6, 1, owner, NULL, 0, &r), CH_ERR_INVALID);
	cr_assert_str_eq(a.fault.field, "/likelihood");
	cr_assert_eq(create(&a, 1, 0, owner, NULL, 0, &r), CH_ERR_INVALID);
	cr_assert_str_eq(a.fault.field, "/impact");
	cr_assert_eq(create(&a, 3, 3, owner, none, 1, &r), CH_ERR_INVALID);
	cr_assert_str_eq(a.fault.field, "/controls");
	cr_assert_eq(create(&a, 3, 3, stranger, NULL, 0, &r), CH_ERR_INVALID);
	cr_assert_str_eq(a.fault.field, "/owner_person_id");
	cr_assert_eq(create(&g, 3, 3, owner, NULL, 0, &r), CH_ERR_DENIED);
}

Test(register, bands_per_post)
{
	struct ch_ctx a = as(&analyst), o = as(&officer);
	struct ch_risk_bands b = {3, 8, 19}, got, bad = {5, 4, 20};

	cr_assert_eq(ch_risks_bands_set(&a, post_id, &b), CH_ERR_DENIED);
	cr_assert_eq(ch_risks_bands_set(&o, post_id, &bad), CH_ERR_INVALID);
	cr_assert_eq(ch_risks_bands_set(&o, post_id, &b), CH_OK);
	cr_assert_eq(ch_risks_bands_get(&a, post_id, &got), CH_OK);
	cr_assert_eq(got.low_max, 3);
	cr_assert_eq(got.medium_max, 8);
	cr_assert_eq(got.high_max, 19);
	cr_assert_eq(
	    ch_risks_bands_get(&a, other_post, &got), CH_ERR_NOT_FOUND);
}
