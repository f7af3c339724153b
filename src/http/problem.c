/*
 * problem.c — errors as RFC 9457 problem details.  Every problem the
 * server sends is a row of one table: a stable type slug (the type URI is
 * https://chancery.invalid/problems/<slug>), its status and its title.
 * Handlers name the slug and write the detail: what was wrong and what to
 * do.  The OpenAPI document lists the table, so it lists every type.
 * Validation problems also carry errors[] with the field (a JSON pointer).
 */
#include <stdlib.h>
#include <string.h>

#include "http/http.h"

#define PROBLEM_BASE "https://chancery.invalid/problems/"

static const struct problem_type {
	const char *slug;
	unsigned status;
	const char *title;
} problem_types[] = {
    {"validation", 422, "Invalid input"},
    {"not-found", 404, "Not found"},
    {"conflict", 409, "Conflict"},
    {"stale-version", 412, "Changed by someone else"},
    {"forbidden", 403, "Not allowed"},
    {"unauthenticated", 401, "Sign in first"},
    {"bad-credentials", 401, "Sign-in failed"},
    {"body-too-large", 413, "Too large"},
    {"rate-limited", 429, "Too many requests"},
    {"busy", 503, "Busy"},
    {"unsupported", 501, "Not supported"},
    {"internal", 500, "Internal error"},
    {"cross-site", 403, "Cross-site request refused"},
    {"csrf", 403, "Missing CSRF token"},
    {"unsupported-media-type", 415, "JSON expected"},
    {"not-acceptable", 406, "Cannot answer in that format"},
    {"malformed-json", 400, "Malformed JSON"},
    {"body-required", 400, "Body required"},
    {"method-not-allowed", 405, "Method not allowed"},
    {"bad-query", 400, "Bad query"},
    {"bad-cursor", 400, "Bad cursor"},
    {"bad-if-match", 400, "Bad If-Match"},
    {"if-match-required", 428, "If-Match required"},
    {"bad-code", 401, "Wrong code"},
    {"code-replayed", 401, "Code already used"},
    {"second-factor-required", 401, "Second factor required"},
    {"enrolment-required", 401, "Set up a second factor"},
    {"reauth-required", 401, "Confirm it is you"},
    {"not-for-devices", 403, "Not for devices"},
    {"evidence-damaged", 500, "Stored file damaged"},
    {"screening-hold", 409, "Held by a screening hit"},
    {"export-too-large", 413, "Too large to export at once"},
    {"bad-request", 400, "Malformed request"},
    {"uri-too-long", 414, "Address too long"},
    {"header-too-large", 431, "Request head too large"},
    {"http-version", 505, "HTTP version not supported"},
    {"expectation-failed", 417, "Expectation not met"},
};

/* Use-case errors and the problem each becomes. */
static const struct {
	ch_err err;
	const char *slug;
	const char *detail; /* when the use case gave none */
} error_map[] = {
    {CH_ERR_INVALID, "validation",
	"Some of the input is not valid; see errors."},
    {CH_ERR_NOT_FOUND, "not-found", "No such record, or you may not see it."},
    {CH_ERR_CONFLICT, "conflict", "This clashes with an existing record."},
    {CH_ERR_PRECONDITION, "stale-version",
	"The record changed since you read it: reload it and apply your "
	"change again."},
    {CH_ERR_DENIED, "forbidden", "You are not allowed to do this."},
    {CH_ERR_UNAUTHENTICATED, "unauthenticated",
	"Your session has ended: sign in again."},
    {CH_ERR_TOO_LARGE, "body-too-large", "The input is larger than allowed."},
    {CH_ERR_LIMIT, "rate-limited",
	"Too many attempts: wait a little and try again."},
    {CH_ERR_BUSY, "busy", "The database is busy: try again in a moment."},
    {CH_ERR_UNSUPPORTED, "unsupported", "This is not available here."},
    {CH_ERR_REPLAY, "code-replayed",
	"This one-time code was used already; wait for the next one."},
};

static const struct problem_type *
find_type(const char *slug)
{
	for (size_t i = 0; i < CH_ARRAY_LEN(problem_types); i++)
		if (strcmp(problem_types[i].slug, slug) == 0)
			return &problem_types[i];
	return NULL;
}

void
ch_reply_json(struct ch_req *req, unsigned status, json_t *body)
{
	json_decref(req->reply);
	req->status = status;
	req->reply = body;
	req->reply_type = NULL;
}

void
ch_reply_problem(
    struct ch_req *req, const char *type, const char *detail, const char *field)
{
	const struct problem_type *t = find_type(type);
	json_t *p;
	char uri[128];

	if (t == NULL) {
		/* A slug missing from the table is a programming error. */
		log_error("problem type %s is not in the table", type);
		t = find_type("internal");
	}
	snprintf(uri, sizeof(uri), PROBLEM_BASE "%s", t->slug);
	p = json_pack("{s:s, s:s, s:i, s:s, s:s}", "type", uri, "title",
	    t->title, "status", (int)t->status, "detail", detail, "instance",
	    req->path ? req->path : "");
	if (p == NULL)
		p = json_object();
	json_object_set_new(p, "request_id", json_string(req->request_id));
	if (field != NULL && *field != '\0')
		json_object_set_new(p, "errors",
		    json_pack(
			"[{s:s, s:s}]", "field", field, "detail", detail));
	ch_reply_json(req, t->status, p);
	req->reply_type = "application/problem+json";
}

void
ch_reply_violations(
    struct ch_req *req, const struct ch_fault *first, json_t *errors)
{
	size_t n = json_array_size(errors);
	char detail[sizeof(first->detail) + 80];

	if (n <= 1) {
		json_decref(errors);
		ch_reply_problem(
		    req, "validation", first->detail, first->field);
		return;
	}
	snprintf(detail, sizeof(detail), "%s (and %zu more: see errors)",
	    first->detail, n - 1);
	ch_reply_problem(req, "validation", detail, NULL);
	json_object_set_new(req->reply, "errors", errors);
}

void
ch_reply_error(struct ch_req *req, ch_err err)
{
	const struct ch_fault *f = &req->ctx.fault;

	for (size_t i = 0; i < CH_ARRAY_LEN(error_map); i++) {
		if (error_map[i].err != err)
			continue;
		ch_reply_problem(req, error_map[i].slug,
		    f->detail[0] ? f->detail : error_map[i].detail, f->field);
		return;
	}
	ch_reply_problem(req, "internal",
	    "Something went wrong on the server; it has been logged.", NULL);
}

bool
ch_problem_type_known(const char *slug)
{
	return find_type(slug) != NULL;
}

json_t *
ch_problem_types_doc(void)
{
	json_t *list = json_array();

	for (size_t i = 0; i < CH_ARRAY_LEN(problem_types); i++)
		json_array_append_new(list,
		    json_pack("{s:s+, s:s, s:i, s:s}", "type", PROBLEM_BASE,
			problem_types[i].slug, "slug", problem_types[i].slug,
			"status", (int)problem_types[i].status, "title",
			problem_types[i].title));
	return list;
}
