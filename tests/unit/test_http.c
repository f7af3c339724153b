/*
 * test_http.c — the route table, the router and strict JSON checking,
 * without a server: every route declares a permission, a table with a
 * route that does not is refused, paths match with parameters, and bodies
 * are refused with a message naming the field.
 */
#include <criterion/criterion.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "http/http.h"

static void
noop(struct ch_req *req)
{
	(void)req;
}

Test(routes, the_table_is_valid_and_every_route_has_a_permission)
{
	size_t n;
	const struct ch_route *r = ch_routes(&n);

	cr_assert_gt(n, 10);
	cr_assert(ch_routes_valid(r, n));
	for (size_t i = 0; i < n; i++) {
		cr_assert_neq(r[i].perm, CH_PERM_NONE, "%s", r[i].path);
		if (strcmp(r[i].path, "/healthz") != 0 &&
		    strcmp(r[i].path, "/api/v1/auth/login") != 0)
			cr_assert_neq(r[i].perm, CH_PERM_PUBLIC,
			    "%s must need a session", r[i].path);
	}
}

Test(routes, a_route_without_permission_is_refused)
{
	const struct ch_route bad[] = {
	    {"GET", "/api/v1/x", noop, CH_PERM_NONE, NULL, 0, NULL, "x", "x",
		NULL, 200, 0},
	};
	const struct ch_route twice[] = {
	    {"GET", "/a", noop, CH_PERM_SESSION, NULL, 0, NULL, "a", "a", NULL,
		200, 0},
	    {"GET", "/a", noop, CH_PERM_SESSION, NULL, 0, NULL, "a", "a", NULL,
		200, 0},
	};

	ch_log_set_quiet(true);
	cr_assert_not(ch_routes_valid(bad, 1));
	cr_assert_not(ch_routes_valid(twice, 2));
}

Test(router, matches_parameters_and_reports_other_methods)
{
	size_t n;
	const struct ch_route *routes = ch_routes(&n), *r;
	struct ch_req req;
	bool exists;

	memset(&req, 0, sizeof(req));
	r = ch_router_match(routes, n, "GET",
	    "/api/v1/people/01a21488-622d-76d3-aa1b-028652333aaa", &req,
	    &exists);
	cr_assert_not_null(r);
	cr_assert_str_eq(r->path, "/api/v1/people/{id}");
	cr_assert_eq(req.nparams, 1);
	cr_assert_str_eq(req.params[0], "01a21488-622d-76d3-aa1b-028652333aaa");
	r = ch_router_match(
	    routes, n, "DELETE", "/api/v1/people", &req, &exists);
	cr_assert_null(r);
	cr_assert(exists);
	r = ch_router_match(routes, n, "GET", "/api/v1/people/", &req, &exists);
	cr_assert_null(r);
	r = ch_router_match(routes, n, "GET", "/api/v1/nothing", &req, &exists);
	cr_assert_null(r);
	cr_assert_not(exists);
}

static ch_err
check(const char *json, const struct ch_jschema *s, struct ch_fault *f)
{
	json_error_t e;
	json_t *v = json_loads(json, JSON_REJECT_DUPLICATES, &e);
	ch_err err;

	cr_assert_not_null(v, "%s: %s", json, e.text);
	memset(f, 0, sizeof(*f));
	err = ch_json_check(v, s, f);
	json_decref(v);
	return err;
}

Test(json, accepts_a_good_person)
{
	struct ch_fault f;

	cr_assert_eq(
	    check("{\"post_id\":\"01a21488-622d-76d3-aa1b-028652333aaa\","
		  "\"given_name\":\"Ana\",\"family_name\":\"Silva\","
		  "\"category\":\"diplomatic_agent\","
		  "\"nationality\":\"PT\",\"notified_on\":null}",
		&ch_schema_person_create, &f),
	    CH_OK, "%s", f.detail);
}

Test(json, refuses_unknown_fields_wrong_types_and_bad_values)
{
	static const struct {
		const char *body, *field, *words;
	} cases[] = {
	    {"[]", "", "JSON object"},
	    {"{\"given_name\":\"A\",\"nickname\":\"x\"}", "/nickname",
		"not a field"},
	    {"{\"given_name\":5}", "/given_name", "must be a string"},
	    {"{\"host_national\":\"yes\"}", "/host_national", "true or false"},
	    {"{\"category\":\"ambassador\"}", "/category", "one of"},
	    {"{\"notified_on\":\"2026-02-30\"}", "/notified_on", "not a date"},
	    {"{\"household_of\":\"12\"}", "/household_of", "record id"},
	    {"{\"given_name\":null}", "/given_name", "may not be null"},
	    {"{\"family_name\":\"Silva\"}", "/post_id", "required"},
	};
	struct ch_fault f;

	for (size_t i = 0; i < CH_ARRAY_LEN(cases); i++) {
		cr_assert_eq(check(cases[i].body, &ch_schema_person_create, &f),
		    CH_ERR_INVALID, "%s", cases[i].body);
		cr_assert_str_eq(f.field, cases[i].field, "%s", cases[i].body);
		cr_assert_not_null(strstr(f.detail, cases[i].words), "%s: %s",
		    cases[i].body, f.detail);
	}
}

/* Every violation is listed, the first also in the fault, as one check
 * would have found it; a good body lists none. */
Test(json, lists_every_violation)
{
	json_error_t e;
	json_t *v = json_loads("{\"given_name\":5,\"nickname\":\"x\","
			       "\"category\":\"ambassador\"}",
	    0, &e);
	json_t *errors = json_array();
	struct ch_fault first, all;
	const char *want[] = {"/given_name", "/nickname", "/category",
	    "/post_id", "/family_name"};

	cr_assert_not_null(v);
	memset(&first, 0, sizeof(first));
	memset(&all, 0, sizeof(all));
	cr_assert_eq(
	    ch_json_check(v, &ch_schema_person_create, &first), CH_ERR_INVALID);
	cr_assert_eq(
	    ch_json_check_all(v, &ch_schema_person_create, &all, errors),
	    CH_ERR_INVALID);
	cr_assert_str_eq(all.field, first.field);
	cr_assert_str_eq(all.detail, first.detail);
	for (size_t i = 0; i < CH_ARRAY_LEN(want); i++) {
		bool found = false;

		for (size_t j = 0; j < json_array_size(errors); j++)
			found = found ||
			    strcmp(json_string_value(json_object_get(
				       json_array_get(errors, j), "field")),
				want[i]) == 0;
		cr_assert(found, "%s listed", want[i]);
	}
	json_decref(v);
	json_decref(errors);
}

/* An unknown member is named by its JSON pointer ("~" and "/" escaped)
 * and, cut to 80 bytes, in the sentence; a long name is cut where a
 * character starts, never inside one (a cut character made the whole
 * error's JSON invalid, and the answer lost the error). */
Test(json, an_unknown_member_is_named_whole_and_escaped)
{
	char body[400], key[200];
	json_t *v, *errors = json_array(), *e;
	struct ch_fault f;
	size_t n = 0;

	key[n++] = 'a';
	key[n++] = '~';
	key[n++] = '/';
	while (n < 78)
		key[n++] = 'x';
	memcpy(key + n, "\xf0\x9f\x98\x80", 4); /* bytes 78-81 */
	n += 4;
	key[n] = '\0';
	snprintf(body, sizeof(body), "{\"%s\":1}", key);
	v = json_loads(body, JSON_REJECT_DUPLICATES, NULL);
	cr_assert_not_null(v);
	cr_assert_eq(ch_json_check_all(v, &ch_schema_person_update, &f, errors),
	    CH_ERR_INVALID);
	cr_assert_eq(json_array_size(errors), 1);
	e = json_array_get(errors, 0);
	cr_assert(json_is_string(json_object_get(e, "field")));
	cr_assert(json_is_string(json_object_get(e, "detail")));
	cr_assert_eq(strncmp(f.field, "/a~0~1xxx", 9), 0, "%s", f.field);
	cr_assert(ch_utf8_valid(f.field, strlen(f.field)));
	cr_assert(ch_utf8_valid(f.detail, strlen(f.detail)));
	/* The name in the sentence stops before the character it could not
	 * hold whole. */
	cr_assert_eq(strncmp(f.detail, key, 78), 0);
	cr_assert_str_eq(f.detail + 78,
	    " is not a field of PersonUpdate; "
	    "remove it.");
	json_decref(v);
	json_decref(errors);
}

Test(json, counts_code_points_not_bytes)
{
	struct ch_fault f;
	char body[1024];
	char name[700] = "";
	size_t len = 0;

	/* 100 Greek letters are 200 bytes but 100 characters: allowed. */
	for (int i = 0; i < 100; i++, len += 2)
		memcpy(name + len, "α", 3);
	snprintf(body, sizeof(body), "{\"given_name\":\"%s\"}", name);
	cr_assert_eq(
	    check(body, &ch_schema_person_update, &f), CH_OK, "%s", f.detail);
	memcpy(name + len, "α", 3);
	snprintf(body, sizeof(body), "{\"given_name\":\"%s\"}", name);
	cr_assert_eq(check(body, &ch_schema_person_update, &f), CH_ERR_INVALID);
	cr_assert_not_null(strstr(f.detail, "101 characters"));
}

/* ch_json_parse against jansson's own parse of the same bytes: the same
 * value (types, member order) or the same error at the same place; plain
 * says whether the fast path must have taken it. */
static void
parses_like_jansson(const char *text, size_t len, bool plain)
{
	json_error_t err, ref_err;
	json_t *v = ch_json_parse(text, len, &err);
	json_t *ref = json_loadb(text, len, JSON_REJECT_DUPLICATES, &ref_err);
	json_t *fast = ch_json_parse_plain(text, len);

	cr_assert_eq(
	    fast != NULL, plain, "plain %d: %.*s", plain, (int)len, text);
	cr_assert_eq(v != NULL, ref != NULL, "%.*s", (int)len, text);
	if (ref != NULL) {
		char *a = json_dumps(v, JSON_COMPACT);
		char *b = json_dumps(ref, JSON_COMPACT);

		cr_assert(json_equal(v, ref), "%.*s", (int)len, text);
		cr_assert_str_eq(a, b);
		free(a);
		free(b);
	} else {
		cr_assert_str_eq(err.text, ref_err.text);
		cr_assert_eq(err.position, ref_err.position);
	}
	json_decref(v);
	json_decref(ref);
	json_decref(fast);
}

static void
parses_like_jansson_str(const char *text, bool plain)
{
	parses_like_jansson(text, strlen(text), plain);
}

Test(json, plain_bodies_parse_as_jansson_parses_them)
{
	static const char *const plain[] = {
	    "{\"point_id\":\"01a21624-d1c3-71d4-80e8-4ceb3ef24d8e\","
	    "\"badge\":\"SIM-000001\",\"direction\":\"in\"}",
	    "{}", "[]", " \t\r\n{ } \n", "[1,-2,0,-0,123456789012345678]",
	    "{\"a\":[true,false,null,{\"b\":[[]]}],\"\":\"\"}",
	    "{\"given_name\":\"Ἀλέξανδρος\",\"family\":\"محمد\","
	    "\"emoji\":\"\xf0\x9f\x98\x80\",\"del\":\"\x7f\"}",
	    "[\"\xc2\x80\",\"\xe0\xa0\x80\",\"\xef\xbf\xbf\","
	    "\"\xf4\x8f\xbf\xbf\"]",
	    "{\"b\":1,\"a\":2,\"c\":3}"};
	/* Left to jansson: escapes, fractions, exponents, long integers,
	 * errors of every kind. */
	static const char *const other[] = {"{\"a\":\"line\\nbreak\"}",
	    "{\"a\":\"\\u00e9\\ud83d\\ude00\"}", "[1.5]", "[1e3]", "[-1E-2]",
	    "[1234567890123456789]", "[99999999999999999999]",
	    "[-9223372036854775809]", "[01]", "[-]", "[-a]", "[1a]", "[.5]",
	    "{\"a\":1,\"a\":2}", "{\"a\":1,}", "[1,]", "[,]", "{,}", "{\"a\"}",
	    "{\"a\" 1}", "{a:1}", "[truex]", "[nul]", "[True]", "[tru]",
	    "\"top\"", "42", "true", "", "   ", "{", "[",
	    "{\"a\":", "{\"a\":\"open", "{} {}", "{}x", "[\"\x01\"]",
	    "[\"tab\there\"]", "[\"\xc0\x80\"]", "[\"\xc1\xbf\"]",
	    "[\"\xe0\x80\x80\"]", "[\"\xe0\x9f\xbf\"]",
	    "[\"\xf0\x8f\xbf\xbf\"]", "[\"\xed\xa0\x80\"]",
	    "[\"\xf0\x80\x80\x80\"]", "[\"\xf4\x90\x80\x80\"]",
	    "[\"\xf5\x80\x80\x80\"]", "[\"\x80\"]", "[\"\xe2\x82\"]",
	    "[\"\xff\"]", "\xef\xbb\xbf{}", "[1]\xc3"};
	char deep[4200];
	size_t n = 0;

	for (size_t i = 0; i < CH_ARRAY_LEN(plain); i++)
		parses_like_jansson_str(plain[i], true);
	for (size_t i = 0; i < CH_ARRAY_LEN(other); i++)
		parses_like_jansson_str(other[i], false);
	/* A NUL byte inside a string and after the value. */
	parses_like_jansson("[\"a\0b\"]", 7, false);
	parses_like_jansson("{}\0", 3, false);
	/* Nesting: 32 deep is plain, 40 is jansson's, 2100 is past its
	 * limit. */
	for (int depth = 0; depth < 3; depth++) {
		int d = depth == 0 ? 32 : depth == 1 ? 40 : 2100;

		n = 0;
		for (int i = 0; i < d; i++)
			deep[n++] = '[';
		for (int i = 0; i < d; i++)
			deep[n++] = ']';
		parses_like_jansson(deep, n, depth == 0);
	}
}

Test(openapi, documents_every_route_with_its_permission)
{
	size_t n;
	const struct ch_route *routes = ch_routes(&n);
	json_t *doc = ch_openapi_document(routes, n);
	json_t *paths = json_object_get(doc, "paths");

	cr_assert_str_eq(
	    json_string_value(json_object_get(doc, "openapi")), "3.1.0");
	for (size_t i = 0; i < n; i++) {
		char method[8];
		size_t k;
		json_t *op;

		for (k = 0; routes[i].method[k]; k++)
			method[k] = (char)(routes[i].method[k] - 'A' + 'a');
		method[k] = '\0';
		op = json_object_get(
		    json_object_get(paths, routes[i].path), method);
		cr_assert_not_null(
		    op, "%s %s", routes[i].method, routes[i].path);
		cr_assert_str_eq(
		    json_string_value(json_object_get(op, "x-permission")),
		    ch_perm_code(routes[i].perm));
	}
	json_decref(doc);
}

/* A key file that was there (another tool's, or a half-made directory)
 * is written over with the private key's own mode, not its old one. */
Test(tls, a_generated_key_is_its_owners_alone_whatever_was_there)
{
	char cert[128], key[128];
	struct stat st;
	int fd;

	snprintf(cert, sizeof(cert), "/tmp/ch-tls-cert-%d.pem", (int)getpid());
	snprintf(key, sizeof(key), "/tmp/ch-tls-key-%d.pem", (int)getpid());
	unlink(cert);
	unlink(key);
	fd = open(key, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	cr_assert_geq(fd, 0);
	cr_assert_eq(fchmod(fd, 0644), 0);
	close(fd);
	cr_assert_eq(ch_tls_generate(cert, key, "chancery"), CH_OK);
	cr_assert_eq(stat(key, &st), 0);
	cr_assert_eq(st.st_mode & 0777, 0600, "mode %o", st.st_mode & 0777);
	unlink(cert);
	unlink(key);
}
