/*
 * test_policy.c — the authorisation matrix, generated from the route
 * table: every route × role × clearance × record classification × own or
 * other post × TLP × own record or another's × named recipient or not,
 * each cell asserted allow or deny against an expectation written here
 * independently of src/core/policy.c (from docs/operators.md).  Any
 * unexpected allow fails the test.
 */
#include <criterion/criterion.h>
#include <string.h>

#include "core/policy.h"
#include "http/http.h"

/* Who may do what, as the operators' guide says it. */
static const struct {
	const char *perm;
	const char *roles; /* space-separated role codes */
	bool own;          /* also on one's own record */
} expected_roles[] = {
    {"public",
	"security_officer analyst guard staff eac_member hq "
	"administrator",
	false},
    {"session",
	"security_officer analyst guard staff eac_member hq "
	"administrator",
	false},
    {"posts.read",
	"security_officer analyst guard staff eac_member hq "
	"administrator",
	false},
    {"posts.write", "security_officer administrator", false},
    {"people.read",
	"security_officer analyst guard eac_member hq "
	"administrator",
	true},
    {"people.write", "security_officer administrator", false},
    {"users.read", "security_officer administrator", false},
    {"users.write", "administrator", false},
    {"metrics", "security_officer administrator", false},
    {"audit.read", "security_officer hq administrator", false},
    {"devices.manage", "administrator", false},
    {"device", "", false}, /* device tokens only, never a role */
    {"incidents.read", "security_officer analyst guard eac_member hq", true},
    {"incidents.report",
	"security_officer analyst guard staff eac_member hq "
	"administrator",
	false},
    {"incidents.write", "security_officer analyst", false},
    {"incidents.close", "security_officer", false},
    {"intel.read", "security_officer analyst eac_member hq", false},
    {"intel.write", "security_officer analyst", false},
    {"intel.sources", "security_officer analyst", false},
    {"intel.identity", "security_officer", false},
    {"ratings.read", "security_officer analyst eac_member hq", false},
    {"ratings.set", "security_officer", false},
    {"risks.read", "security_officer analyst eac_member hq", false},
    {"risks.write", "security_officer analyst", false},
    {"access.read", "security_officer guard hq administrator", false},
    {"access.write", "security_officer administrator", false},
    {"access.posture", "security_officer", false},
    {"alarms.handle", "security_officer guard", false},
    /* Watchlist screening (docs/screening.md). */
    {"watchlists.read", "security_officer analyst guard hq administrator",
	false},
    {"watchlists.manage", "security_officer hq administrator", false},
    {"screening.run", "security_officer guard", false},
    {"screening.review", "security_officer hq", false},
    {"screening.adjudicate", "security_officer", false},
    /* Visitors (docs/visitors.md). */
    {"visitors.register", "security_officer analyst guard staff eac_member",
	false},
    {"visitors.read", "security_officer guard hq", false},
    {"visitors.desk", "security_officer guard", false},
    {"visitors.manage", "security_officer", false},
    {"markings.lower", "security_officer", false},
};

static bool
role_listed(const char *roles, const char *role)
{
	size_t n = strlen(role);

	for (const char *p = roles; (p = strstr(p, role)) != NULL; p += n)
		if ((p == roles || p[-1] == ' ') &&
		    (p[n] == ' ' || p[n] == '\0'))
			return true;
	return false;
}

Test(policy, matrix_from_the_route_table_has_no_unexpected_allow)
{
	static const char own_post[] = "01a21488-0000-7000-8000-000000000001";
	static const char other_post[] = "01a21488-0000-7000-8000-000000000002";
	static const char me[] = "01a21488-0000-7000-8000-0000000000aa";
	static const char someone[] = "01a21488-0000-7000-8000-0000000000bb";
	static const char my_user[] = "01a21488-0000-7000-8000-0000000000cc";
	size_t nroutes, cells = 0, allows = 0;
	const struct ch_route *routes = ch_routes(&nroutes);

	ch_log_set_level(CH_LOG_ERROR);
	for (size_t r = 0; r < nroutes; r++) {
		const char *perm = ch_perm_code(routes[r].perm);
		size_t e;

		for (e = 0; e < CH_ARRAY_LEN(expected_roles); e++)
			if (strcmp(expected_roles[e].perm, perm) == 0)
				break;
		cr_assert_lt(e, CH_ARRAY_LEN(expected_roles),
		    "%s %s: permission %s has no expectation: add it here",
		    routes[r].method, routes[r].path, perm);
		for (int role = 0; role < CH_ROLE__COUNT; role++)
			for (int cl = 0; cl < CH_CLEARANCE__COUNT; cl++)
				for (int cls = 0; cls < CH_CLEARANCE__COUNT;
				     cls++)
					for (int post = 0; post < 2; post++)
						for (int tlp = 0;
						     tlp < CH_TLP__COUNT; tlp++)
							for (int own = 0;
							     own < 2; own++)
								for (int named =
									 0;
								     named < 2;
								     named++) {
									struct ch_principal
									    who;
									const char *recipients
									    [1] = {
										my_user};
									struct ch_label rec = {
									    post
										? other_post
										: own_post,
									    (enum ch_clearance)
										cls,
									    (enum ch_tlp)
										tlp,
									    own ? me
										: someone,
									    recipients,
									    named
										? 1u
										: 0u};
									bool
									    hq =
										role ==
									    CH_ROLE_HQ,
									    want,
									    got;

									memset(
									    &who,
									    0,
									    sizeof(
										who));
									ch_strlcpy(
									    who.user_id,
									    my_user,
									    sizeof(
										who.user_id));
									ch_strlcpy(
									    who.username,
									    "u",
									    sizeof(
										who.username));
									ch_strlcpy(
									    who.post_id,
									    own_post,
									    sizeof(
										who.post_id));
									ch_strlcpy(
									    who.person_id,
									    me,
									    sizeof(
										who.person_id));
									who.roles =
									    1u
									    << role;
									who.clearance =
									    (enum ch_clearance)
										cl;
									want =
									    routes[r]
										    .perm ==
										CH_PERM_PUBLIC ||
									    ((role_listed(
										  expected_roles
										      [e]
											  .roles,
										  ch_role_code(
										      (enum ch_role)
											  role)) ||
										 (own &&
										     expected_roles
											 [e]
											     .own)) &&
										(post ==
											0 ||
										    hq) &&
										cl >=
										    cls &&
										(tlp != CH_TLP_RED ||
										    named));
									got = ch_policy_permits(
									    &who,
									    routes[r]
										.perm,
									    &rec);
									cr_assert_eq(
									    got,
									    want,
									    "%s"
									    " %"
									    "s "
									    "as"
									    " %"
									    "s,"
									    " c"
									    "le"
									    "ar"
									    "an"
									    "ce"
									    " %"
									    "s,"
									    " r"
									    "ec"
									    "or"
									    "d "
									    "%s"
									    "/%"
									    "s,"
									    " %"
									    "s "
									    "po"
									    "st"
									    ", "
									    "%s"
									    " r"
									    "ec"
									    "or"
									    "d,"
									    " %"
									    "s:"
									    " %"
									    "s",
									    routes[r]
										.method,
									    routes[r]
										.path,
									    ch_role_code(
										(enum ch_role)
										    role),
									    ch_clearance_code(
										(enum ch_clearance)
										    cl),
									    ch_clearance_code(
										(enum ch_clearance)
										    cls),
									    ch_tlp_code(
										(enum ch_tlp)
										    tlp),
									    post
										? "other"
										: "own",
									    own ? "own"
										: "another's",
									    named
										? "named"
										: "not named",
									    got ? "UNEXPECTED ALLOW"
										: "unexpected deny");
									cells++;
									allows +=
									    got;
								}
	}
	cr_assert_gt(allows, 0);
	cr_assert_gt(cells - allows, 0);
	cr_log_info("%zu cells, %zu allowed", cells, allows);
}

Test(policy, no_session_only_public)
{
	size_t n;
	const struct ch_route *routes = ch_routes(&n);

	ch_log_set_level(CH_LOG_ERROR);
	for (size_t i = 0; i < n; i++)
		cr_assert_eq(ch_policy_permits(NULL, routes[i].perm, NULL),
		    routes[i].perm == CH_PERM_PUBLIC, "%s", routes[i].path);
}

Test(policy, tlp_codes_round_trip)
{
	enum ch_tlp t;

	for (int i = 0; i < CH_TLP__COUNT; i++) {
		cr_assert(ch_tlp_parse(ch_tlp_code((enum ch_tlp)i), &t));
		cr_assert_eq((int)t, i);
	}
	cr_assert_str_eq(ch_tlp_code(CH_TLP_AMBER_STRICT), "AMBER+STRICT");
	cr_assert_not(ch_tlp_parse("amber", &t));
}

/* A device token holds exactly the permissions of its mask, for every
 * permission there is: with more than 32 permissions a 32-bit mask would
 * wrap (1u << 33 is undefined, and on x86 is 1u << 1), handing a device
 * whatever permission shares a bit with one it holds. */
Test(policy, a_device_holds_exactly_its_mask_for_every_permission)
{
	cr_assert_gt(CH_PERM__COUNT, 32, "the case this guards is real");
	for (int held = 0; held < CH_PERM__COUNT; held++) {
		struct ch_principal dev;

		memset(&dev, 0, sizeof(dev));
		dev.device = true;
		dev.device_perms =
		    CH_PERM_BIT(CH_PERM_DEVICE) | CH_PERM_BIT(held);
		for (int p = 0; p < CH_PERM__COUNT; p++) {
			bool want = p != CH_PERM_NONE &&
			    (p == held || p == CH_PERM_DEVICE);

			if (p == CH_PERM_PUBLIC)
				continue; /* public routes need no principal */
			cr_assert_eq(ch_policy_allows(&dev, (enum ch_perm)p),
			    want, "device holding %s, asked %s",
			    ch_perm_code((enum ch_perm)held),
			    ch_perm_code((enum ch_perm)p));
		}
	}
}
