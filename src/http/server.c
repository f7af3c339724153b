/*
 * server.c — the HTTPS server.  libmicrohttpd runs a pool of worker
 * threads over epoll; TLS is GnuTLS restricted to TLS 1.2 and 1.3 with
 * AEAD ciphers.  Limits are set on purpose: total connections, connections
 * per address, an idle timeout, per-connection memory, and a body limit per
 * route (a larger Content-Length is refused before the body is read).
 *
 * A request goes: match the route → read the body up to its limit →
 * resolve the session → check the permission (deny by default) and, for
 * cookie-authenticated writes, the CSRF token → parse and check the JSON
 * body → call the handler → send, with security headers, an access-log
 * line and metrics.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <unistd.h>

#include "accounts/accounts.h"
#include "core/audit.h"
#include "http/http.h"
#include "http/server_int.h"

#define MAX_BODY_ABSOLUTE (8u * 1024 * 1024)
#define REQUEST_ARENA_MAX (32u * 1024 * 1024)
/* libmicrohttpd's memory per connection (headers, buffers; bodies are
 * copied out as they come).  It is cleared for every request of a
 * keep-alive connection, so it is not larger than the largest headers
 * need (16 KiB: nginx reads headers into 1 KiB, then 8 KiB buffers); 64
 * KiB cost a gate reader's request more than its JSON. */
#define CONNECTION_MEMORY (16u * 1024)
/* A body up to this much over a route's limit is drained before the 413. */
#define DRAIN_MAX (2u * 1024 * 1024)

struct ch_http_server {
	struct MHD_Daemon *daemon;
	struct ch_devport *devport;
	char *cert_pem;
	char *key_pem;
	bool tls;
	unsigned port;
};

/* Deferred requests not yet completed, and whether the server is stopping:
 * libmicrohttpd must not be stopped with a connection suspended. */
static _Atomic int deferred_in_flight;
static _Atomic bool server_closing;

/* File uploads hold their body in memory (up to 10 MiB each): at most
 * this many at once, the others are told to come back. */
#define MAX_UPLOADS 4
static _Atomic int uploads_in_flight;

static struct ch_store *server_store;
static const struct ch_route *route_table;
static size_t route_count;
static bool server_tls;

struct ch_store *
ch_http_store(void)
{
	return server_store;
}

void
ch_http_config_defaults(struct ch_http_config *cfg)
{
	memset(cfg, 0, sizeof(*cfg));
	cfg->listen = "127.0.0.1:8443";
	cfg->threads = 4;
	cfg->max_connections = 512;
	cfg->per_ip_connections = 64;
	cfg->timeout_seconds = 30;
}

static int64_t
now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

/* TLS 1.2 and 1.3 only, AEAD ciphers with forward secrecy. */
const char ch_server_tls_priorities[] =
    "NORMAL:-VERS-ALL:+VERS-TLS1.3:+VERS-TLS1.2:-CIPHER-ALL:"
    "+AES-256-GCM:+AES-128-GCM:+CHACHA20-POLY1305:-RSA:-DHE-RSA:"
    "%SERVER_PRECEDENCE";

void
ch_server_deferred_done(void)
{
	--deferred_in_flight;
}

const char *
ch_req_query(struct ch_req *req, const char *name)
{
	if (req->conn == NULL)
		return req->io != NULL ? req->io->query(req, name) : NULL;
	return MHD_lookup_connection_value(
	    req->conn, MHD_GET_ARGUMENT_KIND, name);
}

const char *
ch_req_header(struct ch_req *req, const char *name)
{
	if (req->conn == NULL)
		return req->io != NULL ? req->io->header(req, name) : NULL;
	return MHD_lookup_connection_value(req->conn, MHD_HEADER_KIND, name);
}

bool
ch_req_if_match(struct ch_req *req, int64_t *version)
{
	const char *h = ch_req_header(req, "If-Match");
	char digits[24];
	size_t n;
	long v;

	if (h != NULL) {
		if (*h == '"')
			h++;
		n = strcspn(h, "\"");
		if (n > 0 && n < sizeof(digits)) {
			memcpy(digits, h, n);
			digits[n] = '\0';
			if (ch_parse_long(digits, 1, 1L << 62, &v)) {
				*version = v;
				return true;
			}
		}
	}
	ch_reply_problem(req, "if-match-required",
	    "Send If-Match with the version you read (the ETag) so that two "
	    "people do not overwrite each other.",
	    NULL);
	return false;
}

bool
ch_req_defer(struct ch_req *req, void (*start)(struct ch_req *req),
    void (*finish)(struct ch_req *req), void *arg)
{
	struct ch_req_state *st = (struct ch_req_state *)req;

	/* Counted before the check: ch_http_stop sets closing, then waits
	 * for the count, so either it waits for this one or this one sees
	 * it closing. */
	++deferred_in_flight;
	if (server_closing || (req->conn == NULL && req->io == NULL)) {
		--deferred_in_flight;
		return false;
	}
	st->deferred = true;
	req->defer = start;
	req->defer_finish = finish;
	req->defer_arg = arg;
	return true;
}

void
ch_req_resume(struct ch_req *req)
{
	if (req->conn == NULL)
		req->io->resume(req);
	else
		MHD_resume_connection(req->conn);
}

static void
source_address(struct MHD_Connection *conn, char *out, size_t size)
{
	const union MHD_ConnectionInfo *ci;
	const struct sockaddr *sa;

	ch_strlcpy(out, "unknown", size);
	ci = MHD_get_connection_info(conn, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
	if (ci == NULL || ci->client_addr == NULL)
		return;
	sa = ci->client_addr;
	if (sa->sa_family == AF_INET)
		inet_ntop(AF_INET, &((const struct sockaddr_in *)sa)->sin_addr,
		    out, (socklen_t)size);
	else if (sa->sa_family == AF_INET6)
		inet_ntop(AF_INET6,
		    &((const struct sockaddr_in6 *)sa)->sin6_addr, out,
		    (socklen_t)size);
}

/* Behind a trusted reverse proxy (--trusted-proxy): the client's address
 * is the last entry of X-Forwarded-For, the one the proxy appended;
 * entries before it are the client's to write and are never read.  An
 * entry that is no address leaves the proxy's own. */
static bool trust_forwarded;

static void
forwarded_source(struct MHD_Connection *conn, char *out, size_t size)
{
	const char *xff = MHD_lookup_connection_value(
	    conn, MHD_HEADER_KIND, "X-Forwarded-For");
	const char *last;
	char addr[INET6_ADDRSTRLEN];
	unsigned char bin[sizeof(struct in6_addr)];
	size_t len;

	if (xff == NULL)
		return;
	last = strrchr(xff, ',');
	last = last != NULL ? last + 1 : xff;
	last += strspn(last, " \t");
	len = strcspn(last, " \t");
	if (len == 0 || len >= sizeof(addr) ||
	    last[len + strspn(last + len, " \t")] != '\0')
		return;
	memcpy(addr, last, len);
	addr[len] = '\0';
	if (inet_pton(AF_INET, addr, bin) != 1 &&
	    inet_pton(AF_INET6, addr, bin) != 1)
		return;
	ch_strlcpy(out, addr, size);
}

/* Use the caller's X-Request-Id when it is short and plain, else make one. */
static void
request_id(const char *given, char out[33])
{
	unsigned char raw[16];

	if (given != NULL && strlen(given) > 0 && strlen(given) <= 32 &&
	    strspn(given,
		"abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
		"0123456789-_") == strlen(given)) {
		ch_strlcpy(out, given, 33);
		return;
	}
	ch_random_id(raw);
	ch_hex(raw, sizeof(raw), out);
}

/*
 * Every answer: no sniffing, no framing, no reads from other origins'
 * pages, HTTPS only, and a policy that allows nothing but what the
 * console's own pages need.  The headers that govern a document (where it
 * may send its address, its window's opener, the browser's devices) go on
 * pages only: on JSON, CSV or text they do nothing, and each one is three
 * allocations and a free per answer (the gate answers tens of thousands a
 * second).
 */
static void
add_security_headers(bool html,
    void (*add)(void *arg, const char *name, const char *value), void *arg)
{
	add(arg, "X-Content-Type-Options", "nosniff");
	add(arg, "X-Frame-Options", "DENY");
	add(arg, "Cross-Origin-Resource-Policy", "same-origin");
	if (server_tls)
		add(arg, "Strict-Transport-Security", "max-age=31536000");
	if (html) {
		add(arg, "Referrer-Policy", "no-referrer");
		add(arg, "Cross-Origin-Opener-Policy", "same-origin");
		add(arg, "Permissions-Policy",
		    "camera=(), microphone=(), geolocation=(self), "
		    "payment=()");
	}
	add(arg, "Content-Security-Policy",
	    html ? "default-src 'none'; script-src 'self'; style-src 'self'; "
		   "img-src 'self' data:; connect-src 'self'; font-src 'self'; "
		   "manifest-src 'self'; base-uri 'none'; form-action 'self'; "
		   "frame-ancestors 'none'"
		 : "default-src 'none'; frame-ancestors 'none'");
}

void
ch_server_reply_headers(struct ch_req *req, const char *type, bool html,
    void (*add)(void *arg, const char *name, const char *value), void *arg)
{
	add(arg, "Content-Type", type);
	add(arg, "X-Request-Id", req->request_id);
	if (req->route != NULL || req->reply != NULL)
		add(arg, "Cache-Control", "no-store");
	else
		add(arg, "Cache-Control", "no-cache");
	if (req->set_cookie != NULL)
		add(arg, "Set-Cookie", req->set_cookie);
	if (req->etag[0] != '\0')
		add(arg, "ETag", req->etag);
	if (req->location != NULL)
		add(arg, "Location", req->location);
	if (req->disposition != NULL)
		add(arg, "Content-Disposition", req->disposition);
	if (req->repr_digest[0] != '\0')
		add(arg, "Repr-Digest", req->repr_digest);
	if (req->retry_after[0] != '\0')
		add(arg, "Retry-After", req->retry_after);
	if (req->stream)
		add(arg, "X-Accel-Buffering", "no");
	add_security_headers(html, add, arg);
}

static void
mhd_add_header(void *arg, const char *name, const char *value)
{
	MHD_add_response_header(arg, name, value);
}

/* ,"name":value — name is one of the fields below, never escaped. */
static void
log_field(struct ch_buf *b, const char *name, const char *value)
{
	ch_buf_append_str(b, ",\"");
	ch_buf_append_str(b, name);
	ch_buf_append_str(b, "\":");
	ch_buf_append_json(b, value);
}

static void
log_number(struct ch_buf *b, const char *name, uint64_t value)
{
	ch_buf_append_str(b, ",\"");
	ch_buf_append_str(b, name);
	ch_buf_append_str(b, "\":");
	ch_buf_append_u64(b, value);
}

/* One JSON line per request, written by hand: it is on every request's
 * path, and a JSON tree built and serialised for it cost more than the
 * decision route's own parsing. */
static void
access_log(struct ch_req_state *st, unsigned status)
{
	struct ch_req *req = &st->req;
	char ts[CH_TIMESTAMP_LEN];
	struct ch_buf b;
	int64_t took = now_us() - st->started_us;

	ch_time_format(ch_clock_now(), ts);
	ch_buf_init(&b, 1u << 20);
	ch_buf_append_str(&b, "{\"time\":\"");
	ch_buf_append_str(&b, ts);
	ch_buf_append_str(&b, "\",\"level\":\"info\",\"type\":\"access\"");
	log_field(&b, "request_id", req->request_id);
	log_field(&b, "remote", req->source);
	log_field(&b, "method", req->method ? req->method : "");
	log_field(&b, "route", req->route ? req->route->path : NULL);
	log_number(&b, "status", status);
	log_number(&b, "bytes", st->sent_bytes);
	log_number(&b, "duration_us", took > 0 ? (uint64_t)took : 0);
	log_field(&b, "user", req->who ? req->who->username : NULL);
	log_field(&b, "path", req->path ? req->path : "");
	ch_buf_append(&b, "}", 1);
	if (b.data != NULL)
		ch_log_access_line(b.data, b.len);
	ch_buf_free(&b);
}

/* Turn the handler's answer into an MHD response and queue it. */
static enum MHD_Result
send_reply(struct ch_req_state *st)
{
	struct ch_req *req = &st->req;
	struct MHD_Response *resp;
	enum MHD_Result rc;
	char *text = NULL;
	const char *type = req->reply_type;
	size_t len = 0;
	bool html = false;

	if (req->status == 0)
		ch_reply_error(req, CH_ERR_INTERNAL);
	if (req->stream) {
		resp = ch_feed_response(req);
		len = 0;
	} else if (req->reply != NULL) {
		text = json_dumps(req->reply, JSON_COMPACT | JSON_ENSURE_ASCII);
		len = text ? strlen(text) : 0;
		resp = MHD_create_response_from_buffer(
		    len, text, MHD_RESPMEM_MUST_FREE);
		if (type == NULL)
			type = "application/json";
	} else {
		len = req->reply_len;
		resp = MHD_create_response_from_buffer(len,
		    (void *)(req->reply_text ? req->reply_text : ""),
		    MHD_RESPMEM_MUST_COPY);
		if (type == NULL)
			type = "text/plain; charset=utf-8";
		html = strncmp(type, "text/html", 9) == 0;
	}
	if (resp == NULL) {
		free(text);
		return MHD_NO;
	}
	ch_server_reply_headers(req, type, html, mhd_add_header, resp);
	st->sent_bytes = len;
	rc = MHD_queue_response(req->conn, req->status, resp);
	MHD_destroy_response(resp);
	st->answered = true;
	return rc;
}

/* A GET of something outside /api: the embedded console. */
static bool
serve_asset(struct ch_req *req)
{
	const unsigned char *data;
	const char *type, *etag, *inm;
	size_t len;
	const char *path = req->path;

	if (strcmp(req->method, "GET") != 0 && strcmp(req->method, "HEAD") != 0)
		return false;
	if (strcmp(path, "/") == 0)
		path = "/index.html";
	if (!ch_assets_lookup(path, &data, &len, &type, &etag))
		return false;
	inm = ch_req_header(req, "If-None-Match");
	if (inm != NULL && etag != NULL && strcmp(inm, etag) == 0) {
		req->status = 304;
		req->reply_text = "";
		req->reply_len = 0;
		ch_strlcpy(req->etag, etag, sizeof(req->etag));
		return true;
	}
	req->status = 200;
	req->reply_text = (const char *)data;
	req->reply_len = len;
	req->reply_type = type;
	if (etag != NULL)
		ch_strlcpy(req->etag, etag, sizeof(req->etag));
	return true;
}

static bool
is_write(const char *method)
{
	return strcmp(method, "GET") != 0 && strcmp(method, "HEAD") != 0 &&
	    strcmp(method, "OPTIONS") != 0;
}

/* Whether a Content-Type is application/json, in any letter case, with or
 * without parameters such as charset (RFC 9110 section 8.3.1). */
static bool
is_json_type(const char *ctype)
{
	static const char json[] = "application/json";
	size_t n = sizeof(json) - 1;

	if (ctype == NULL || strncasecmp(ctype, json, n) != 0)
		return false;
	ctype += n;
	while (*ctype == ' ' || *ctype == '\t')
		ctype++;
	return *ctype == '\0' || *ctype == ';';
}

/*
 * Whether the Accept header admits what the route answers: JSON (or
 * problem+json), the Prometheus text of /metrics, or for a route with
 * CH_ROUTE_TEXT_TOO either JSON or text/plain.  No Accept header
 * admits anything.  Media ranges are compared without their parameters.
 */
static bool
accepts(struct ch_req *req)
{
	static const char *const json_ok[] = {"*/*", "application/*",
	    "application/json", "application/problem+json", NULL};
	static const char *const text_ok[] = {
	    "*/*", "text/*", "text/plain", NULL};
	bool text = req->route->perm == CH_PERM_METRICS ||
	    (req->route->flags & CH_ROUTE_TEXT_TOO);
	bool json = req->route->perm != CH_PERM_METRICS;
	const char *h = ch_req_header(req, "Accept");
	const char *p;

	if (h == NULL || *h == '\0' ||
	    (req->route->flags &
		(CH_ROUTE_FILE_DOWNLOAD | CH_ROUTE_EVENT_STREAM)))
		return true;
	for (p = h; *p != '\0';) {
		size_t n;

		while (*p == ' ' || *p == ',')
			p++;
		n = strcspn(p, ",;");
		while (n > 0 && p[n - 1] == ' ')
			n--;
		for (size_t i = 0; json && json_ok[i] != NULL; i++)
			if (strlen(json_ok[i]) == n &&
			    strncasecmp(p, json_ok[i], n) == 0)
				return true;
		for (size_t i = 0; text && text_ok[i] != NULL; i++)
			if (strlen(text_ok[i]) == n &&
			    strncasecmp(p, text_ok[i], n) == 0)
				return true;
		p += strcspn(p, ",");
	}
	return false;
}

/* Refuse browser requests that another site started. */
static bool
cross_site(struct ch_req *req)
{
	const char *site = ch_req_header(req, "Sec-Fetch-Site");

	return site != NULL && strcmp(site, "same-origin") != 0 &&
	    strcmp(site, "none") != 0;
}

/* Record a read of a sensitive record the handler named. */
static void
audit_read(struct ch_req *req)
{
	if (req->route->audit == NULL || req->audit_object_id == NULL ||
	    is_write(req->method) || req->status >= 300)
		return;
	if (ch_audit_read(&req->ctx, req->route->audit, req->route->tag,
		req->audit_object_id, req->audit_post_id) != CH_OK)
		log_error("could not record the read %s of %s",
		    req->route->audit, req->audit_object_id);
}

static bool
recently_authenticated(const struct ch_req *req)
{
	struct ch_session_row s;

	if (req->bearer || req->who == NULL)
		return false;
	memset(&s, 0, sizeof(s));
	s.reauth_at = req->session_reauth_at;
	return ch_session_recent(&s, ch_clock_now());
}

/* Who is asking, and may they: authentication, device and second-factor
 * rules, the permission, Accept, cross-site, CSRF and re-authentication.
 * False when a refusal has been set as the reply. */
static bool
admit(struct ch_req_state *st)
{
	struct ch_req *req = &st->req;
	const struct ch_route *route = req->route;
	ch_err err;

	if ((err = ch_auth_resolve(req)) != CH_OK) {
		ch_reply_error(req, err);
		return false;
	}
	if (route->perm != CH_PERM_PUBLIC && req->who == NULL) {
		/* The device listener (no libmicrohttpd connection) takes
		 * no sessions, and serves no sign-in. */
		ch_reply_problem(req, "unauthenticated",
		    req->conn == NULL && req->io != NULL
			? "This port takes device tokens only: send the "
			  "device's token as Authorization: Bearer chd_...."
			: "This needs a signed-in session: sign in at "
			  "/api/v1/auth/login, then repeat the request.",
		    NULL);
		return false;
	}
	if (req->bearer && !(route->flags & CH_ROUTE_DEVICE)) {
		log_warn("refused %s %s to %s: not a device route", req->method,
		    route->path, req->who->username);
		ch_reply_problem(req, "not-for-devices",
		    "Device tokens are accepted only on device routes; this "
		    "one needs a signed-in user.",
		    NULL);
		return false;
	}
	/* A public route (the login) acts on no session's authority: a
	 * sign-in left half-way may start again, and needs no CSRF token. */
	if (req->who != NULL && !req->bearer && route->perm != CH_PERM_PUBLIC &&
	    strcmp(req->session_stage, "full") != 0 &&
	    !(route->flags & CH_ROUTE_PENDING)) {
		bool enrol = strcmp(req->session_stage, "enrol") == 0;

		ch_reply_problem(req,
		    enrol ? "enrolment-required" : "second-factor-required",
		    enrol ? "Your role needs a second factor: set one up at "
			    "/api/v1/auth/totp/enrolment, then confirm it."
			  : "Finish signing in: send the code from your "
			    "authenticator app to "
			    "/api/v1/auth/login/second-factor.",
		    NULL);
		return false;
	}
	if (!ch_policy_allows(req->who, route->perm) &&
	    !(req->who != NULL && ch_perm_own_ok(route->perm) &&
		req->who->person_id[0] != '\0')) {
		log_warn("refused %s %s to %s: needs %s", req->method,
		    route->path, req->who ? req->who->username : "(none)",
		    ch_perm_code(route->perm));
		ch_reply_problem(req, "forbidden",
		    "Your role does not allow this. Ask the security officer "
		    "if you need it.",
		    NULL);
		return false;
	}
	if (!accepts(req)) {
		ch_reply_problem(req, "not-acceptable",
		    req->route->perm == CH_PERM_METRICS
			? "This answers text/plain (Prometheus); accept it."
			: "This answers application/json; accept it.",
		    NULL);
		return false;
	}
	if (is_write(req->method) && cross_site(req)) {
		ch_reply_problem(req, "cross-site",
		    "This request came from another site and was refused.",
		    NULL);
		return false;
	}
	if (is_write(req->method) && req->who != NULL && !req->bearer &&
	    route->perm != CH_PERM_PUBLIC && !ch_auth_csrf_ok(req)) {
		ch_reply_problem(req, "csrf",
		    "Send the session's csrf_token in the X-CSRF-Token "
		    "header with every change.",
		    NULL);
		return false;
	}
	if ((route->flags & CH_ROUTE_REAUTH) && !recently_authenticated(req)) {
		ch_reply_problem(req, "reauth-required",
		    "This action needs a recent sign-in: send your password "
		    "(and code) to /api/v1/auth/reauth, then repeat it within "
		    "5 minutes.",
		    NULL);
		return false;
	}
	return true;
}

void
ch_server_dispatch(struct ch_req_state *st)
{
	struct ch_req *req = &st->req;
	const struct ch_route *route = req->route;
	json_error_t jerr;

	if (!st->admitted && !admit(st))
		return;
	if (route->flags & CH_ROUTE_FILE_UPLOAD) {
		req->upload = st->body.data;
		req->upload_len = st->body.len;
		route->handler(req);
		return;
	}
	if (route->max_body > 0 && st->body.len > 0) {
		const char *ctype = ch_req_header(req, "Content-Type");

		if (!is_json_type(ctype)) {
			ch_reply_problem(req, "unsupported-media-type",
			    "Send the body as application/json.", NULL);
			return;
		}
		req->body = ch_json_parse(st->body.data, st->body.len, &jerr);
		if (req->body == NULL) {
			char detail[256], *near = strstr(jerr.text, " near '");

			/* jansson quotes the text it stopped at: the body's
			 * own, a password perhaps.  The position is enough. */
			if (near != NULL)
				*near = '\0';
			snprintf(detail, sizeof(detail),
			    "The body is not valid JSON: %s (line %d, column "
			    "%d).",
			    jerr.text, jerr.line, jerr.column);
			ch_reply_problem(req, "malformed-json", detail, NULL);
			return;
		}
	}
	if (route->body_schema != NULL) {
		if (req->body == NULL) {
			ch_reply_problem(req, "body-required",
			    "This request needs a JSON object body.", NULL);
			return;
		}
		if (ch_json_check(req->body, route->body_schema,
			&req->ctx.fault) != CH_OK) {
			/* Again, listing every violation, not the first only.
			 */
			json_t *errors = json_array();

			if (errors == NULL) {
				ch_reply_error(req, CH_ERR_INVALID);
				return;
			}
			(void)ch_json_check_all(req->body, route->body_schema,
			    &req->ctx.fault, errors);
			ch_reply_violations(req, &req->ctx.fault, errors);
			return;
		}
	}
	route->handler(req);
	if (!st->deferred)
		audit_read(req);
}

/* A file upload is admitted before its body is read, so that nobody
 * without the right may make the server hold megabytes, and only
 * MAX_UPLOADS bodies are held at once. */
static bool
admit_upload(struct ch_req_state *st)
{
	struct ch_req *req = &st->req;

	if (!admit(st))
		return false;
	st->admitted = true;
	if (++uploads_in_flight > MAX_UPLOADS) {
		--uploads_in_flight;
		ch_strlcpy(req->retry_after, "5", sizeof(req->retry_after));
		ch_reply_problem(req, "busy",
		    "Other files are being uploaded: try again in a few "
		    "seconds.",
		    NULL);
		return false;
	}
	st->upload_slot = true;
	return true;
}

struct ch_req_state *
ch_server_request_new(size_t size, const char *method, const char *path,
    const char *source, const char *given_request_id)
{
	/* The request's state lives in its arena (a block a thread keeps):
	 * a few kilobytes from malloc at every request went through its slow
	 * bins. */
	ch_arena *arena = ch_arena_create(REQUEST_ARENA_MAX);
	struct ch_req_state *st;
	struct ch_req *req;

	if (size < sizeof(*st))
		size = sizeof(*st);
	if (arena == NULL || (st = ch_arena_alloc(arena, size)) == NULL) {
		ch_arena_destroy(arena);
		return NULL;
	}
	st->started_us = now_us();
	req = &st->req;
	req->arena = arena;
	req->method = ch_arena_strdup(arena, method);
	req->path = ch_arena_strdup(arena, path);
	if (req->method == NULL || req->path == NULL) {
		ch_arena_destroy(arena);
		return NULL;
	}
	ch_strlcpy(req->source, source, sizeof(req->source));
	request_id(given_request_id, req->request_id);
	req->ctx.store = server_store;
	req->ctx.arena = arena;
	req->ctx.request_id = req->request_id;
	req->ctx.source = req->source;
	return st;
}

static enum MHD_Result
on_request(void *cls, struct MHD_Connection *conn, const char *url,
    const char *method, const char *version, const char *upload_data,
    size_t *upload_data_size, void **con_cls)
{
	struct ch_req_state *st = *con_cls;
	struct ch_req *req;
	bool path_exists = false;
	const char *clen;

	if (st == NULL) {
		char source[64];

		source_address(conn, source, sizeof(source));
		if (trust_forwarded)
			forwarded_source(conn, source, sizeof(source));
		st = ch_server_request_new(sizeof(*st), method, url, source,
		    MHD_lookup_connection_value(
			conn, MHD_HEADER_KIND, "X-Request-Id"));
		if (st == NULL)
			return MHD_NO;
		*con_cls = st;
		req = &st->req;
		req->conn = conn;
		req->route = ch_router_match(
		    route_table, route_count, method, url, req, &path_exists);
		ch_buf_init(&st->body, req->route ? req->route->max_body : 0);
		if (req->route == NULL) {
			if (!serve_asset(req)) {
				if (path_exists)
					ch_reply_problem(req,
					    "method-not-allowed",
					    "This path does not accept that "
					    "method; see /api/v1/openapi.json.",
					    NULL);
				else
					ch_reply_problem(req, "not-found",
					    "Nothing is at this address; see "
					    "/api/v1/openapi.json.",
					    NULL);
			}
			return send_reply(st);
		}
		if ((req->route->flags & CH_ROUTE_FILE_UPLOAD) &&
		    !admit_upload(st))
			return send_reply(st);
		clen = MHD_lookup_connection_value(
		    conn, MHD_HEADER_KIND, "Content-Length");
		if (clen != NULL) {
			long n;

			bool parsed = ch_parse_long(clen, 0, 1L << 40, &n);

			if (!parsed || (size_t)n > req->route->max_body) {
				st->too_large = true;
				/* A body a little too large is read and
				 * thrown away, and then refused: closing on
				 * unread bytes resets the connection, and the
				 * client may lose the answer.  A huge one is
				 * refused at once. */
				if (parsed && (size_t)n <= DRAIN_MAX)
					return MHD_YES;
				ch_reply_problem(req, "body-too-large",
				    "The body is larger than this route "
				    "accepts.",
				    NULL);
				return send_reply(st);
			}
		}
		return MHD_YES;
	}
	req = &st->req;
	if (*upload_data_size > 0) {
		st->received += *upload_data_size;
		if (st->too_large && st->received > DRAIN_MAX) {
			/* A chunked body that goes on past what is drained:
			 * no answer can be queued before its end, which may
			 * never come; the connection is closed. */
			log_warn("closed %s %s from %s: a body of more than "
				 "%zu bytes, larger than the route accepts",
			    st->req.method, st->req.path, st->req.source,
			    st->received);
			return MHD_NO;
		}
		if (!st->answered && !st->too_large &&
		    ch_buf_append(&st->body, upload_data, *upload_data_size) !=
			CH_OK)
			st->too_large = true;
		*upload_data_size = 0;
		return MHD_YES;
	}
	if (st->answered)
		return MHD_YES;
	if (st->deferred) { /* resumed */
		if (req->defer_finish != NULL)
			req->defer_finish(req);
		return send_reply(st);
	}
	if (st->too_large) {
		ch_reply_problem(req, "body-too-large",
		    "The body is larger than this route accepts.", NULL);
		return send_reply(st);
	}
	ch_server_dispatch(st);
	if (st->deferred) {
		/* Suspended before the work is handed over, so that the
		 * resume always comes after the suspension; req belongs to
		 * the other thread from here until it resumes. */
		MHD_suspend_connection(conn);
		req->defer(req);
		return MHD_YES;
	}
	return send_reply(st);
}

void
ch_server_request_end(struct ch_req_state *st, unsigned status)
{
	struct ch_req *req = &st->req;

	ch_metrics_record(req->route ? req->route->path : "(other)",
	    req->method ? req->method : "", status, now_us() - st->started_us);
	access_log(st, status);
	json_decref(req->body);
	json_decref(req->reply);
	ch_buf_free(&st->body);
	if (st->upload_slot)
		--uploads_in_flight;
	if (st->deferred)
		--deferred_in_flight;
	ch_arena_destroy(req->arena); /* st with it */
}

static void
on_completed(void *cls, struct MHD_Connection *conn, void **con_cls,
    enum MHD_RequestTerminationCode toe)
{
	struct ch_req_state *st = *con_cls;
	struct ch_req *req;
	unsigned status;

	if (st == NULL)
		return;
	req = &st->req;
	status = req->status ? req->status : 500;
	if (toe != MHD_REQUEST_TERMINATED_COMPLETED_OK && !st->answered)
		status = 499;
	*con_cls = NULL;
	ch_server_request_end(st, status);
}

static char *
read_file(const char *path)
{
	struct ch_buf b;
	char chunk[4096];
	ssize_t n;
	int fd;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		log_error("cannot open %s: %s", path, strerror(errno));
		return NULL;
	}
	ch_buf_init(&b, 1024 * 1024);
	while ((n = read(fd, chunk, sizeof(chunk))) > 0) {
		if (ch_buf_append(&b, chunk, (size_t)n) != CH_OK) {
			close(fd);
			ch_buf_free(&b);
			return NULL;
		}
	}
	close(fd);
	if (n < 0 || b.len == 0) {
		ch_buf_free(&b);
		return NULL;
	}
	return b.data;
}

static bool
parse_listen(const char *listen, struct sockaddr_in *sa)
{
	char host[64];
	const char *colon = strrchr(listen, ':');
	long port;

	memset(sa, 0, sizeof(*sa));
	if (colon == NULL || (size_t)(colon - listen) >= sizeof(host))
		return false;
	memcpy(host, listen, (size_t)(colon - listen));
	host[colon - listen] = '\0';
	if (!ch_parse_long(colon + 1, 0, 65535, &port))
		return false;
	sa->sin_family = AF_INET;
	sa->sin_port = htons((uint16_t)port);
	return inet_pton(AF_INET, host, &sa->sin_addr) == 1;
}

bool
ch_server_listen_addr(const struct ch_http_config *cfg, const char *listen,
    struct sockaddr_in *sa)
{
	if (!parse_listen(listen, sa)) {
		log_error("cannot listen on \"%s\": give an IPv4 address and "
			  "port, e.g. 127.0.0.1:8443",
		    listen);
		return false;
	}
	if (cfg->plain_http && ntohl(sa->sin_addr.s_addr) >> 24 != 127) {
		log_error("plain HTTP is only allowed on a loopback address, "
			  "behind a reverse proxy; %s is not loopback",
		    listen);
		return false;
	}
	return true;
}

static void mhd_log(void *cls, const char *fmt, va_list ap)
    __attribute__((format(printf, 2, 0)));

static void
mhd_log(void *cls, const char *fmt, va_list ap)
{
	char msg[512];

	vsnprintf(msg, sizeof(msg), fmt, ap);
	msg[strcspn(msg, "\n")] = '\0';
	log_warn("libmicrohttpd: %s", msg);
}

ch_err
ch_http_start(const struct ch_http_config *cfg, struct ch_store *store,
    struct ch_http_server **out)
{
	struct ch_http_server *srv;
	struct sockaddr_in sa;
	const union MHD_DaemonInfo *info;
	struct MHD_OptionItem tls_options[4] = {{MHD_OPTION_END, 0, NULL},
	    {MHD_OPTION_END, 0, NULL}, {MHD_OPTION_END, 0, NULL},
	    {MHD_OPTION_END, 0, NULL}};
	unsigned flags;

	*out = NULL;
	route_table = ch_routes(&route_count);
	if (!ch_routes_valid(route_table, route_count))
		return CH_ERR_INTERNAL;
	if (!ch_server_listen_addr(cfg, cfg->listen, &sa))
		return CH_ERR_INVALID;
	if (cfg->trusted_proxy && !cfg->plain_http) {
		log_error("--trusted-proxy is for a reverse proxy on loopback: "
			  "it needs --plain-http");
		return CH_ERR_INVALID;
	}
	srv = calloc(1, sizeof(*srv));
	if (srv == NULL)
		return CH_ERR_NOMEM;
	server_store = store;
	server_closing = false;
	ch_metrics_set_store(store);
	trust_forwarded = cfg->trusted_proxy;
	srv->tls = !cfg->plain_http;
	server_tls = srv->tls;
	if (srv->tls) {
		srv->cert_pem = read_file(cfg->cert_file);
		srv->key_pem = read_file(cfg->key_file);
		if (srv->cert_pem == NULL || srv->key_pem == NULL) {
			log_error("TLS needs a certificate and key (PEM); "
				  "`chancery init` makes a self-signed pair");
			ch_http_stop(srv);
			return CH_ERR_IO;
		}
	}
	flags = MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_EPOLL |
	    MHD_USE_ERROR_LOG | MHD_ALLOW_SUSPEND_RESUME;
	if (srv->tls) {
		flags |= MHD_USE_TLS;
		tls_options[0] = (struct MHD_OptionItem){
		    MHD_OPTION_HTTPS_MEM_CERT, 0, srv->cert_pem};
		tls_options[1] = (struct MHD_OptionItem){
		    MHD_OPTION_HTTPS_MEM_KEY, 0, srv->key_pem};
		tls_options[2] =
		    (struct MHD_OptionItem){MHD_OPTION_HTTPS_PRIORITIES, 0,
			(void *)ch_server_tls_priorities};
	}
	srv->daemon = MHD_start_daemon(flags, 0, NULL, NULL, on_request, NULL,
	    MHD_OPTION_EXTERNAL_LOGGER, mhd_log, NULL, MHD_OPTION_SOCK_ADDR,
	    (struct sockaddr *)&sa, MHD_OPTION_THREAD_POOL_SIZE, cfg->threads,
	    MHD_OPTION_CONNECTION_LIMIT, cfg->max_connections,
	    MHD_OPTION_PER_IP_CONNECTION_LIMIT, cfg->per_ip_connections,
	    MHD_OPTION_CONNECTION_TIMEOUT, cfg->timeout_seconds,
	    MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t)CONNECTION_MEMORY,
	    MHD_OPTION_NOTIFY_COMPLETED, on_completed, NULL, MHD_OPTION_ARRAY,
	    tls_options, MHD_OPTION_END);
	if (srv->daemon == NULL) {
		log_error("cannot start the server on %s (address in use, or "
			  "a bad certificate?)",
		    cfg->listen);
		ch_http_stop(srv);
		return CH_ERR_IO;
	}
	if (ch_feed_start(store) != CH_OK) {
		log_error("cannot start the live feed");
		ch_http_stop(srv);
		return CH_ERR_NOMEM;
	}
	if (cfg->device_listen != NULL &&
	    ch_devport_start(cfg, srv->cert_pem, srv->key_pem, &srv->devport) !=
		CH_OK) {
		ch_http_stop(srv);
		return CH_ERR_IO;
	}
	info = MHD_get_daemon_info(srv->daemon, MHD_DAEMON_INFO_BIND_PORT);
	srv->port = info ? info->port : ntohs(sa.sin_port);
	if (cfg->port_file != NULL) {
		FILE *f = fopen(cfg->port_file, "w");

		if (f != NULL) {
			fprintf(f, "%u\n", srv->port);
			if (srv->devport != NULL)
				fprintf(
				    f, "%u\n", ch_devport_port(srv->devport));
			fclose(f);
		}
	}
	*out = srv;
	return CH_OK;
}

unsigned
ch_http_port(const struct ch_http_server *srv)
{
	return srv->port;
}

unsigned
ch_http_device_port(const struct ch_http_server *srv)
{
	return srv->devport != NULL ? ch_devport_port(srv->devport) : 0;
}

void
ch_http_stop(struct ch_http_server *srv)
{
	if (srv == NULL)
		return;
	if (srv->daemon != NULL) {
		/* Deferred answers are awaited (new ones are answered at
		 * once from now on), and suspended streams must be resumed
		 * and ended, before the daemon stops: libmicrohttpd aborts
		 * the process when stopped with a connection suspended.  A
		 * decision waits for its batch to reach the disk, however
		 * long that takes (a SIGKILL is safe, should the operator
		 * not want to wait). */
		server_closing = true;
		for (long i = 1; deferred_in_flight > 0; i++) {
			usleep(1000);
			if (i % 10000 == 0)
				log_warn(
				    "stopping: %d decisions still wait "
				    "for the disk before they are answered",
				    (int)deferred_in_flight);
		}
		ch_devport_stop(srv->devport);
		srv->devport = NULL;
		ch_feed_close_streams();
		for (int i = 0; i < 100 && ch_feed_open_streams() > 0; i++)
			usleep(10 * 1000);
		MHD_stop_daemon(srv->daemon);
	}
	ch_feed_stop();
	free(srv->cert_pem);
	if (srv->key_pem != NULL) {
		explicit_bzero(srv->key_pem, strlen(srv->key_pem));
		free(srv->key_pem);
	}
	free(srv);
}
