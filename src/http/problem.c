/*
 * problem.c — errors as RFC 9457 problem details.  Each kind of error has
 * a stable type URI (https://chancery.invalid/problems/<slug>) that clients
 * may switch on; the title is fixed per type, the detail says what was
 * wrong and what to do.  Validation problems also carry errors[] with the
 * field (a JSON pointer) and the same detail.
 */
#include <string.h>

#include "http/http.h"

#define PROBLEM_BASE "https://chancery.invalid/problems/"

static const struct {
	ch_err err;
	unsigned status;
	const char *slug;
	const char *title;
	const char *detail; /* when the use case gave none */
} error_map[] = {
    {CH_ERR_INVALID, 422, "validation", "Invalid input",
	"Some of the input is not valid; see errors."},
    {CH_ERR_NOT_FOUND, 404, "not-found", "Not found",
	"No such record, or you may not see it."},
    {CH_ERR_CONFLICT, 409, "conflict", "Conflict",
	"This clashes with an existing record."},
    {CH_ERR_PRECONDITION, 412, "stale-version", "Changed by someone else",
	"The record changed since you read it: reload it and apply your "
	"change again."},
    {CH_ERR_DENIED, 403, "forbidden", "Not allowed",
	"You are not allowed to do this."},
    {CH_ERR_UNAUTHENTICATED, 401, "unauthenticated", "Sign in first",
	"Your session has ended: sign in again."},
    {CH_ERR_TOO_LARGE, 413, "body-too-large", "Too large",
	"The input is larger than allowed."},
    {CH_ERR_LIMIT, 429, "rate-limited", "Too many requests",
	"Too many attempts: wait a little and try again."},
    {CH_ERR_REPLAY, 401, "code-replayed", "Code already used",
	"This one-time code was used already; wait for the next one."},
    {CH_ERR_BUSY, 503, "busy", "Busy",
	"The database is busy: try again in a moment."},
    {CH_ERR_UNSUPPORTED, 501, "unsupported", "Not supported",
	"This is not available here."},
    {CH_ERR_STORE, 500, "internal", "Internal error",
	"Something went wrong on the server; it has been logged."},
};

void
ch_reply_json(struct ch_req *req, unsigned status, json_t *body)
{
	json_decref(req->reply);
	req->status = status;
	req->reply = body;
	req->reply_type = NULL;
}

void
ch_reply_problem(struct ch_req *req, unsigned status, const char *type,
    const char *title, const char *detail, const char *field)
{
	json_t *p;
	char uri[128];

	snprintf(uri, sizeof(uri), PROBLEM_BASE "%s", type);
	p = json_pack("{s:s, s:s, s:i, s:s, s:s}", "type", uri, "title", title,
	    "status", (int)status, "detail", detail, "instance",
	    req->path ? req->path : "");
	if (p == NULL)
		p = json_object();
	json_object_set_new(p, "request_id", json_string(req->request_id));
	if (field != NULL && *field != '\0')
		json_object_set_new(p, "errors",
		    json_pack(
			"[{s:s, s:s}]", "field", field, "detail", detail));
	ch_reply_json(req, status, p);
	req->reply_type = "application/problem+json";
}

void
ch_reply_error(struct ch_req *req, ch_err err)
{
	const struct ch_fault *f = &req->ctx.fault;

	for (size_t i = 0; i < CH_ARRAY_LEN(error_map); i++) {
		if (error_map[i].err != err)
			continue;
		ch_reply_problem(req, error_map[i].status, error_map[i].slug,
		    error_map[i].title,
		    f->detail[0] ? f->detail : error_map[i].detail, f->field);
		return;
	}
	ch_reply_problem(req, 500, "internal", "Internal error",
	    "Something went wrong on the server; it has been logged.", NULL);
}

json_t *
ch_problem_types_doc(void)
{
	json_t *list = json_array();

	/* Types answered by the HTTP layer itself, beyond error_map. */
	static const struct {
		const char *slug;
		unsigned status;
		const char *title;
	} extra[] = {
	    {"bad-credentials", 401, "Sign-in failed"},
	    {"bad-code", 401, "Wrong code"},
	    {"second-factor-required", 401, "Second factor required"},
	    {"enrolment-required", 401, "Set up a second factor"},
	    {"reauth-required", 401, "Confirm it is you"},
	    {"not-for-devices", 403, "Not for devices"},
	    {"csrf", 403, "Missing CSRF token"},
	    {"cross-site", 403, "Cross-site request refused"},
	    {"malformed-json", 400, "Malformed JSON"},
	    {"body-required", 400, "Body required"},
	    {"unsupported-media-type", 415, "JSON expected"},
	    {"method-not-allowed", 405, "Method not allowed"},
	    {"bad-query", 400, "Bad query parameter"},
	    {"bad-cursor", 400, "Bad cursor"},
	    {"if-match-required", 428, "If-Match required"},
	    {"bad-if-match", 400, "Bad If-Match"},
	};

	for (size_t i = 0; i < CH_ARRAY_LEN(error_map); i++)
		json_array_append_new(list,
		    json_pack("{s:s, s:i, s:s}", "type", error_map[i].slug,
			"status", (int)error_map[i].status, "title",
			error_map[i].title));
	for (size_t i = 0; i < CH_ARRAY_LEN(extra); i++)
		json_array_append_new(list,
		    json_pack("{s:s, s:i, s:s}", "type", extra[i].slug,
			"status", (int)extra[i].status, "title",
			extra[i].title));
	return list;
}
