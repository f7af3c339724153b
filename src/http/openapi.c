/*
 * openapi.c — the OpenAPI 3.1 document, generated from the route table:
 * every route's method, path, parameters, body schema (from the same field
 * declarations that check bodies), permission (x-permission, with the roles
 * that hold it) and audit action (x-audit-action).
 */
#include <string.h>

#include "http/http.h"
#include "incidents/incidents.h"

static json_t *
path_params(const char *path)
{
	json_t *list = json_array();

	for (const char *p = strchr(path, '{'); p; p = strchr(p + 1, '{')) {
		const char *close = strchr(p, '}');

		if (close == NULL)
			break;
		json_array_append_new(list,
		    json_pack("{s:s%, s:s, s:b, s:{s:s}}", "name", p + 1,
			(size_t)(close - p - 1), "in", "path", "required", 1,
			"schema", "type", "string"));
	}
	return list;
}

static json_t *
responses(const struct ch_route *r)
{
	json_t *res = json_object();
	char code[8];
	const json_t *problem =
	    json_pack("{s:{s:{s:s}}}", "application/problem+json", "schema",
		"$ref", "#/components/schemas/Problem");

	snprintf(code, sizeof(code), "%u", r->success);
	if (r->success == 204)
		json_object_set_new(
		    res, code, json_pack("{s:s}", "description", "Done."));
	else
		json_object_set_new(res, code,
		    json_pack("{s:s, s:{s:{s:{s:s}}}}", "description",
			"Success.", "content", "application/json", "schema",
			"type", "object"));
	if (r->flags & CH_ROUTE_EVENT_STREAM)
		json_object_set_new(json_object_get(res, code), "content",
		    json_pack("{s:{s:{s:s}}}", "text/event-stream", "schema",
			"type", "string"));
	if (r->flags & CH_ROUTE_FILE_DOWNLOAD)
		json_object_set_new(json_object_get(res, code), "content",
		    json_pack("{s:{s:{s:s, s:s}}}", "*/*", "schema", "type",
			"string", "contentMediaType",
			"application/octet-stream"));
	if (r->flags & CH_ROUTE_SVG)
		json_object_set_new(res, code,
		    json_pack("{s:s, s:{s:{s:{s:s}}}}", "description",
			"Success.", "content", "image/svg+xml", "schema",
			"type", "string"));
	if ((r->flags & CH_ROUTE_TEXT_TOO))
		json_object_set_new(
		    json_object_get(json_object_get(res, code), "content"),
		    "text/plain",
		    json_pack("{s:{s:s}}", "schema", "type", "string"));
	if (r->perm != CH_PERM_PUBLIC) {
		json_object_set_new(res, "401",
		    json_pack("{s:s, s:O}", "description", "No session.",
			"content", problem));
		json_object_set_new(res, "403",
		    json_pack("{s:s, s:O}", "description",
			"Not allowed for your role.", "content", problem));
	}
	if (r->body_schema != NULL)
		json_object_set_new(res, "422",
		    json_pack("{s:s, s:O}", "description", "Invalid input.",
			"content", problem));
	json_decref((json_t *)problem);
	return res;
}

json_t *
ch_openapi_document(const struct ch_route *routes, size_t count)
{
	json_t *paths = json_object(), *schemas = json_object();
	json_t *doc;

	/* errors: each field at fault (every violation of a body's schema). */
	json_object_set_new(schemas, "Problem",
	    json_pack("{s:s, s:{s:{s:s}, s:{s:s}, s:{s:s}, s:{s:s}, s:{s:s}, "
		      "s:{s:s}, s:{s:s, s:{s:s, s:{s:{s:s}, s:{s:s}}}}}}",
		"type", "object", "properties", "type", "type", "string",
		"title", "type", "string", "status", "type", "integer",
		"detail", "type", "string", "instance", "type", "string",
		"request_id", "type", "string", "errors", "type", "array",
		"items", "type", "object", "properties", "field", "type",
		"string", "detail", "type", "string"));
	for (size_t i = 0; i < count; i++) {
		const struct ch_route *r = &routes[i];
		json_t *item = json_object_get(paths, r->path);
		json_t *op, *params, *roles = json_array();
		char method[8];
		size_t m;

		if (item == NULL) {
			item = json_object();
			json_object_set_new(paths, r->path, item);
		}
		for (m = 0; r->method[m] && m + 1 < sizeof(method); m++)
			method[m] = (char)(r->method[m] - 'A' + 'a');
		method[m] = '\0';
		for (int k = 0; k < CH_ROLE__COUNT; k++)
			if (ch_perm_roles(r->perm) & (1u << k))
				json_array_append_new(roles,
				    json_string(ch_role_code((enum ch_role)k)));
		op = json_pack("{s:s, s:[s], s:s, s:o, s:o}", "summary",
		    r->summary, "tags", r->tag, "x-permission",
		    ch_perm_code(r->perm), "x-roles", roles, "responses",
		    responses(r));
		if (ch_perm_own_ok(r->perm))
			json_object_set_new(op, "x-own-record", json_true());
		if (r->audit != NULL)
			json_object_set_new(
			    op, "x-audit-action", json_string(r->audit));
		if (r->max_body > 0)
			json_object_set_new(op, "x-max-body-bytes",
			    json_integer((json_int_t)r->max_body));
		if (r->perm == CH_PERM_PUBLIC)
			json_object_set_new(op, "security", json_array());
		if (r->flags & CH_ROUTE_REAUTH)
			json_object_set_new(op, "x-reauth", json_true());
		if (r->flags & CH_ROUTE_PENDING)
			json_object_set_new(
			    op, "x-pending-session", json_true());
		if (r->flags & CH_ROUTE_DEVICE)
			json_object_set_new(op, "x-device-token", json_true());
		params = path_params(r->path);
		for (const struct ch_query_param *q = r->query;
		     q != NULL && q->name != NULL; q++)
			json_array_append_new(params,
			    json_pack("{s:s, s:s, s:s, s:{s:s}}", "name",
				q->name, "in", "query", "description", q->doc,
				"schema", "type", "string"));
		if (json_array_size(params) > 0)
			json_object_set_new(op, "parameters", params);
		else
			json_decref(params);
		if (r->flags & CH_ROUTE_FILE_UPLOAD) {
			json_t *content = json_object();

			for (const char *const *t = ch_evidence_types();
			     *t != NULL; t++)
				json_object_set_new(content, *t,
				    json_pack("{s:{s:s, s:s}}", "schema",
					"type", "string", "contentMediaType",
					*t));
			json_object_set_new(op, "requestBody",
			    json_pack("{s:b, s:o}", "required", 1, "content",
				content));
		}
		if (r->body_schema != NULL) {
			char ref[96];

			snprintf(ref, sizeof(ref), "#/components/schemas/%s",
			    r->body_schema->name);
			json_object_set_new(op, "requestBody",
			    json_pack("{s:b, s:{s:{s:{s:s}}}}", "required", 1,
				"content", "application/json", "schema", "$ref",
				ref));
			json_object_set_new(schemas, r->body_schema->name,
			    ch_json_schema_doc(r->body_schema));
		}
		json_object_set_new(item, method, op);
	}
	doc = json_pack("{s:s, s:{s:s, s:s, s:s}, s:[{s:s}], s:o, s:{s:o, "
			"s:{s:{s:s, s:s, s:s}}}, s:[{s:[]}], s:o}",
	    "openapi", "3.1.0", "info", "title", "Chancery API", "version", "1",
	    "description",
	    "The security operations API of a diplomatic post. Errors are "
	    "RFC 9457 problem details; times are ISO 8601 UTC; lists page "
	    "with next_cursor; changes need the X-CSRF-Token header. "
	    "Operations marked x-device-token accept a device's bearer "
	    "token; a server started with --device-listen also serves "
	    "them, and only them, on a port of its own.",
	    "servers", "url", "/", "paths", paths, "components", "schemas",
	    schemas, "securitySchemes", "session", "type", "apiKey", "in",
	    "cookie", "name", CH_SESSION_COOKIE, "security", "session",
	    "x-problem-types", ch_problem_types_doc());
	return doc;
}

void
ch_h_openapi(struct ch_req *req)
{
	size_t count;
	const struct ch_route *routes = ch_routes(&count);

	ch_reply_json(req, 200, ch_openapi_document(routes, count));
}
