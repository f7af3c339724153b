/*
 * router.c — matching a method and path against the route table.  Paths
 * are compared segment by segment; a segment written {name} matches any
 * non-empty segment of at most 72 bytes and is captured, in order, into
 * req->params.  The table is small, so a linear scan is the whole router.
 */
#include <string.h>

#include "http/http.h"

/* Match one pattern; true and params filled when path fits. */
static bool
match_path(const char *pattern, const char *path, struct ch_req *req)
{
	const char *p = pattern, *s = path;

	req->nparams = 0;
	/* Most patterns have no parameter: one comparison, not a loop. */
	if (strchr(pattern, '{') == NULL)
		return strcmp(pattern, path) == 0;
	while (*p != '\0' && *s != '\0') {
		if (*p == '{') {
			const char *close = strchr(p, '}');
			size_t n = strcspn(s, "/");

			if (close == NULL || n == 0 ||
			    n >= sizeof(req->params[0]) ||
			    req->nparams == CH_ARRAY_LEN(req->params))
				return false;
			memcpy(req->params[req->nparams], s, n);
			req->params[req->nparams][n] = '\0';
			req->nparams++;
			p = close + 1;
			s += n;
			continue;
		}
		if (*p != *s)
			return false;
		p++;
		s++;
	}
	return *p == '\0' && *s == '\0';
}

const struct ch_route *
ch_router_match(const struct ch_route *routes, size_t count, const char *method,
    const char *path, struct ch_req *req, bool *path_exists)
{
	const char *m = strcmp(method, "HEAD") == 0 ? "GET" : method;

	/* The method first: most routes are ruled out by it at once.  The
	 * paths of the others are read only when nothing matched, to tell
	 * 405 from 404. */
	*path_exists = false;
	for (size_t i = 0; i < count; i++)
		if (routes[i].method[0] == m[0] &&
		    strcmp(routes[i].method, m) == 0 &&
		    match_path(routes[i].path, path, req))
			return &routes[i];
	for (size_t i = 0; i < count && !*path_exists; i++)
		*path_exists = match_path(routes[i].path, path, req);
	req->nparams = 0;
	return NULL;
}
