/*
 * http.h — the HTTP layer: the server (libmicrohttpd with GnuTLS), the
 * route table that drives the router, the permission check and the
 * OpenAPI document, JSON bodies checked against declared fields, problem
 * details, sessions and CSRF, metrics and the embedded console.
 *
 * Prototypes are grouped by file.  Only this layer sees libmicrohttpd,
 * jansson and cookies; handlers turn JSON into the plain structs of the
 * domain modules and back.
 */
#ifndef CH_HTTP_H
#define CH_HTTP_H

#include <jansson.h>

#include "core/audit.h"
#include "core/context.h"
#include "core/core.h"
#include "core/policy.h"

struct ch_store;
struct MHD_Connection;

/* ---- json.c: declared request fields, strict checking ---- */
enum ch_jtype {
	CH_J_STRING,
	CH_J_BOOL,
	CH_J_INTEGER,
	CH_J_NUMBER,
	CH_J_DATE, /* "YYYY-MM-DD" */
	CH_J_ID,   /* a record id (UUID) */
	CH_J_ENUM, /* a string from values[] */
	CH_J_STRING_LIST,
	CH_J_OBJECT_LIST, /* objects: the handler checks each one */
};

struct ch_jfield {
	const char *name;
	enum ch_jtype type;
	bool required;
	bool nullable;
	int max_len;               /* code points for strings; 0: 200 */
	const char *const *values; /* CH_J_ENUM: NULL-terminated */
	const char *doc;
};

struct ch_jschema {
	const char *name; /* the OpenAPI component name */
	const struct ch_jfield *fields;
	size_t nfields;
};

/*
 * Check a request body against a schema: an object, no unknown fields,
 * required fields present, each value of its declared type and size.
 * On failure fills fault (field as a JSON pointer) and returns
 * CH_ERR_INVALID.
 */
ch_err ch_json_check(const json_t *body, const struct ch_jschema *schema,
    struct ch_fault *fault);
/* The same, going on past the first violation: each is appended to errors
 * as {"field", "detail"} (at most 50), the first also in fault. */
ch_err ch_json_check_all(const json_t *body, const struct ch_jschema *schema,
    struct ch_fault *fault, json_t *errors);
/* The string of a member, NULL when absent or null. */
const char *ch_json_str(const json_t *obj, const char *key);
/* Whether a member is present (null counts as present). */
bool ch_json_has(const json_t *obj, const char *key);
/* A string, or JSON null for NULL and "". */
json_t *ch_json_str_or_null(const char *s);
/* A record's timeline (core/audit.h) as [{time, action, actor}]. */
json_t *ch_timeline_json(const struct ch_timeline_entry *t, size_t n);
/* The JSON Schema of a declared schema, for the OpenAPI document. */
json_t *ch_json_schema_doc(const struct ch_jschema *schema);

/* ---- json_parse.c ---- */
/* A request body parsed exactly as json_loadb(text, len,
 * JSON_REJECT_DUPLICATES, err) parses it — the same value or the same
 * error —, plain bodies (no escapes, no fractions) without jansson's
 * lexer. */
json_t *ch_json_parse(const char *text, size_t len, json_error_t *err);
/* The same when the body is plain, else NULL (nothing is said about it). */
json_t *ch_json_parse_plain(const char *text, size_t len);

/* ---- the request, as handlers see it ---- */
struct ch_query_param {
	const char *name;
	const char *doc;
};

struct ch_route;

struct ch_req_io;

struct ch_req {
	const struct ch_route *route;
	struct MHD_Connection *conn;
	/* Without conn: the device listener's connection (server_int.h). */
	const struct ch_req_io *io;
	const char *method;
	const char *path;
	char params[4][CH_ID_LEN * 2]; /* path parameters, in order */
	size_t nparams;
	json_t *body;       /* the parsed body, or NULL */
	const void *upload; /* CH_ROUTE_FILE_UPLOAD: the file's bytes */
	size_t upload_len;
	struct ch_principal who_storage;
	const struct ch_principal *who; /* NULL: no session */
	char csrf_token[65];
	char session_hash[65];
	char session_public_id[CH_ID_LEN];
	char session_stage[8]; /* "full", "totp", "enrol"; "" without */
	int64_t session_reauth_at;
	bool bearer; /* authenticated by a device token */
	char request_id[33];
	char source[64];
	struct ch_ctx ctx;
	ch_arena *arena;
	/* The response a handler sets: */
	unsigned status;
	json_t *reply;          /* a JSON body, or */
	const char *reply_text; /* a text body (arena or static) */
	size_t reply_len;
	const char *reply_type; /* its Content-Type */
	const char *set_cookie; /* a Set-Cookie header */
	char etag[32];          /* an ETag to send */
	const char *location;
	const char *disposition; /* a Content-Disposition header to send */
	bool stream;             /* answer with the live feed (feed.c) */
	char repr_digest[96];    /* a Repr-Digest header (RFC 9530) to send */
	char retry_after[24];    /* a Retry-After header to send */
	const char *audit_object_id; /* a read audit record's object */
	const char *audit_post_id;
	/* An answer given later, from another thread (ch_req_defer). */
	void (*defer)(struct ch_req *req);
	void (*defer_finish)(struct ch_req *req);
	void *defer_arg; /* the handler's, for those two */
};

typedef void (*ch_handler_fn)(struct ch_req *req);

/* A query parameter (URL-decoded) or NULL. */
const char *ch_req_query(struct ch_req *req, const char *name);
/* A request header or NULL. */
const char *ch_req_header(struct ch_req *req, const char *name);
/* The record version a change names in If-Match ("\"3\"" or "3"); false
 * with 428 if-match-required sent when it is absent or malformed. */
bool ch_req_if_match(struct ch_req *req, int64_t *version);
/*
 * Answer later, without holding a worker thread: a handler calls this and
 * returns.  The server suspends the connection, then calls start(req),
 * which hands the request to another thread; when that thread is done it
 * calls ch_req_resume(req) and touches req no more.  The server then
 * calls finish(req) in one of its threads, which sets the reply as a
 * handler does (or the other thread sets it before resuming, and finish
 * is NULL), and sends it.  req->defer_arg is arg.  False when the server
 * is stopping: the handler then answers at once.  Only for requests whose
 * reply needs nothing but the reply fields (no read audit, no stream).
 */
bool ch_req_defer(struct ch_req *req, void (*start)(struct ch_req *req),
    void (*finish)(struct ch_req *req), void *arg);
/* A deferred request is ready to be answered. */
void ch_req_resume(struct ch_req *req);

/* ---- routes.c: the route table ---- */
struct ch_route {
	const char *method;
	const char *path; /* "/api/v1/people/{id}" */
	ch_handler_fn handler;
	enum ch_perm perm;
	const char *audit; /* the audit action this route records */
	size_t max_body;   /* 0: no body accepted */
	const struct ch_jschema *body_schema;
	const char *summary;
	const char *tag;
	const struct ch_query_param *query; /* NULL-name terminated */
	unsigned success; /* the success status, for the document */
	unsigned flags;   /* CH_ROUTE_* */
};
#define CH_ROUTE_REAUTH 1u   /* needs a recent password (+TOTP) check */
#define CH_ROUTE_PENDING 2u  /* open to a sign-in pending a second factor */
#define CH_ROUTE_DEVICE 4u   /* accepts device tokens (Bearer chd_...) */
#define CH_ROUTE_TEXT_TOO 8u /* also answers text/plain when asked (Accept) */
/* The body is a file (an evidence type), not JSON: the request is admitted
 * before the body is read, and the handler finds it in req->upload. */
#define CH_ROUTE_FILE_UPLOAD 16u
/* Answers a stored file in its own media type, whatever Accept says. */
#define CH_ROUTE_FILE_DOWNLOAD 32u
/* Answers text/event-stream (server-sent events). */
#define CH_ROUTE_EVENT_STREAM 64u
#define CH_ROUTE_SVG 128u /* answers image/svg+xml, not JSON */

const struct ch_route *ch_routes(size_t *count);
/* Check the table: every route has a permission, a handler, a known
 * method, and no two routes share method and path.  Logs each problem. */
bool ch_routes_valid(const struct ch_route *routes, size_t count);

/* ---- router.c ---- */
/*
 * Find the route for method and path; fills req->params.  Returns NULL
 * and sets *method_allowed when the path exists under another method.
 */
const struct ch_route *ch_router_match(const struct ch_route *routes,
    size_t count, const char *method, const char *path, struct ch_req *req,
    bool *path_exists);

/* ---- problem.c: RFC 9457 problem details ---- */
/* Answer with the problem for err, with ctx fault detail when set. */
void ch_reply_error(struct ch_req *req, ch_err err);
/* Answer with the problem of a type slug (its status and title come from
 * the table in problem.c), a detail sentence and, optionally, the field. */
void ch_reply_problem(struct ch_req *req, const char *type, const char *detail,
    const char *field);
/* A validation problem listing every violation found (errors as made by
 * ch_json_check_all; the reply takes it). */
void ch_reply_violations(
    struct ch_req *req, const struct ch_fault *first, json_t *errors);
/* Whether a slug is in the table (tests). */
bool ch_problem_type_known(const char *slug);
void ch_reply_json(struct ch_req *req, unsigned status, json_t *body);
/* The document that lists every problem type, for the OpenAPI doc. */
json_t *ch_problem_types_doc(void);

/* ---- auth.c: sessions, cookies, CSRF ---- */
#define CH_SESSION_COOKIE "__Host-chancery_session"
/* Resolve the session cookie into req->who; no cookie is not an error. */
ch_err ch_auth_resolve(struct ch_req *req);
/* Whether a write carries the session's CSRF token. */
bool ch_auth_csrf_ok(struct ch_req *req);
/*
 * Parse an Authorization header value "Bearer TOKEN" (scheme in any case,
 * one or more spaces): copies TOKEN into out; false when the header is
 * not a bearer token of a sane size.
 */
bool ch_auth_bearer_parse(const char *header, char *out, size_t size);
void ch_h_login(struct ch_req *req);
void ch_h_logout(struct ch_req *req);
void ch_h_session(struct ch_req *req);
void ch_h_second_factor(struct ch_req *req);
void ch_h_totp_status(struct ch_req *req);
void ch_h_totp_enrol(struct ch_req *req);
void ch_h_totp_confirm(struct ch_req *req);
void ch_h_reauth(struct ch_req *req);
void ch_h_sessions_list(struct ch_req *req);
void ch_h_sessions_end(struct ch_req *req);
void ch_h_devices_list(struct ch_req *req);
void ch_h_devices_create(struct ch_req *req);
void ch_h_devices_revoke(struct ch_req *req);
void ch_h_device_self(struct ch_req *req);

/* ---- openapi.c ---- */
json_t *ch_openapi_document(const struct ch_route *routes, size_t count);
void ch_h_openapi(struct ch_req *req);

/* ---- metrics.c ---- */
void ch_metrics_record(
    const char *route, const char *method, unsigned status, int64_t micros);
void ch_h_metrics(struct ch_req *req);
void ch_metrics_set_store(struct ch_store *store);

/* ---- assets.c: the embedded console ---- */
/* Serve an embedded asset for a GET of path; false when there is none. */
bool ch_assets_lookup(const char *path, const unsigned char **data, size_t *len,
    const char **type, const char **etag);

/* ---- handlers ---- */
void ch_h_healthz(struct ch_req *req);
void ch_h_posts_list(struct ch_req *req);
void ch_h_posts_get(struct ch_req *req);
void ch_h_posts_create(struct ch_req *req);
void ch_h_zones_list(struct ch_req *req);
void ch_h_zones_create(struct ch_req *req);
void ch_h_people_list(struct ch_req *req);
void ch_h_people_get(struct ch_req *req);
void ch_h_people_create(struct ch_req *req);
void ch_h_people_update(struct ch_req *req);
void ch_h_people_immunity(struct ch_req *req);
void ch_h_training_create(struct ch_req *req);
void ch_h_categories(struct ch_req *req);
void ch_h_users_list(struct ch_req *req);
void ch_h_users_create(struct ch_req *req);
void ch_h_users_update(struct ch_req *req);
void ch_h_audit_checkpoint(struct ch_req *req);
void ch_h_audit_records(struct ch_req *req);
void ch_h_audit_inclusion(struct ch_req *req);
void ch_h_audit_consistency(struct ch_req *req);
void ch_h_incidents_list(struct ch_req *req);
void ch_h_incidents_get(struct ch_req *req);
void ch_h_incidents_create(struct ch_req *req);
void ch_h_incidents_update(struct ch_req *req);
void ch_h_incidents_transition(struct ch_req *req);
void ch_h_trends(struct ch_req *req);
void ch_h_evidence_upload(struct ch_req *req);
void ch_h_events_stream(struct ch_req *req);
void ch_h_evidence_list(struct ch_req *req);
void ch_h_evidence_download(struct ch_req *req);
struct ch_evidence;
json_t *ch_evidence_json(const struct ch_evidence *e);
/* h_intel.c: intelligence reports, sources, threat actors, places */
void ch_h_intel_reports_list(struct ch_req *req);
void ch_h_intel_reports_get(struct ch_req *req);
void ch_h_intel_reports_create(struct ch_req *req);
void ch_h_intel_reports_update(struct ch_req *req);
void ch_h_intel_reports_assess(struct ch_req *req);
void ch_h_intel_reports_status(struct ch_req *req);
void ch_h_intel_grading(struct ch_req *req);
void ch_h_intel_sources_list(struct ch_req *req);
void ch_h_intel_sources_get(struct ch_req *req);
void ch_h_intel_sources_identity(struct ch_req *req);
void ch_h_intel_sources_create(struct ch_req *req);
void ch_h_intel_sources_update(struct ch_req *req);
void ch_h_intel_actors_list(struct ch_req *req);
void ch_h_intel_actors_get(struct ch_req *req);
void ch_h_intel_actors_create(struct ch_req *req);
void ch_h_intel_actors_update(struct ch_req *req);
void ch_h_intel_places_list(struct ch_req *req);
void ch_h_intel_places_get(struct ch_req *req);
void ch_h_intel_places_create(struct ch_req *req);
void ch_h_intel_places_update(struct ch_req *req);
extern const struct ch_jschema ch_schema_intel_report_create;
extern const struct ch_jschema ch_schema_intel_report_update;
extern const struct ch_jschema ch_schema_intel_assessment;
extern const struct ch_jschema ch_schema_intel_status;
extern const struct ch_jschema ch_schema_intel_source_create;
extern const struct ch_jschema ch_schema_intel_source_update;
extern const struct ch_jschema ch_schema_intel_actor_create;
extern const struct ch_jschema ch_schema_intel_actor_update;
extern const struct ch_jschema ch_schema_intel_place_create;
extern const struct ch_jschema ch_schema_intel_place_update;
/* h_ratings.c, h_risks.c */
void ch_h_ratings_get(struct ch_req *req);
void ch_h_ratings_set(struct ch_req *req);
void ch_h_rating_settings_get(struct ch_req *req);
void ch_h_rating_settings_put(struct ch_req *req);
void ch_h_risks_list(struct ch_req *req);
void ch_h_risks_get(struct ch_req *req);
void ch_h_risks_create(struct ch_req *req);
void ch_h_risks_update(struct ch_req *req);
void ch_h_risks_review(struct ch_req *req);
void ch_h_risk_bands_get(struct ch_req *req);
void ch_h_risk_bands_put(struct ch_req *req);
void ch_h_risks_heatmap(struct ch_req *req);

/* ---- h_access.c: access control ---- */
void ch_h_access_decide(struct ch_req *req);
void ch_h_access_points_list(struct ch_req *req);
void ch_h_access_points_create(struct ch_req *req);
void ch_h_credentials_list(struct ch_req *req);
void ch_h_credentials_create(struct ch_req *req);
void ch_h_credentials_update(struct ch_req *req);
void ch_h_schedules_list(struct ch_req *req);
void ch_h_schedules_create(struct ch_req *req);
void ch_h_rules_list(struct ch_req *req);
void ch_h_rules_create(struct ch_req *req);
void ch_h_rules_delete(struct ch_req *req);
void ch_h_posture_get(struct ch_req *req);
void ch_h_posture_set(struct ch_req *req);
void ch_h_access_events(struct ch_req *req);
void ch_h_access_occupancy(struct ch_req *req);
void ch_h_access_muster(struct ch_req *req);
void ch_h_access_anomalies(struct ch_req *req);
void ch_h_access_alarms(struct ch_req *req);
void ch_h_alarms_raise(struct ch_req *req);
void ch_h_alarms_acknowledge(struct ch_req *req);
void ch_h_alarms_resolve(struct ch_req *req);
void ch_h_tour_routes_list(struct ch_req *req);
void ch_h_tour_routes_create(struct ch_req *req);
void ch_h_tours_start(struct ch_req *req);
void ch_h_tours_scan(struct ch_req *req);
void ch_h_tours_list(struct ch_req *req);
extern const struct ch_jschema ch_schema_tour_route_create;
extern const struct ch_jschema ch_schema_tour_start;
extern const struct ch_jschema ch_schema_tour_scan;
extern const struct ch_jschema ch_schema_alarm_raise;
extern const struct ch_jschema ch_schema_alarm_note;
extern const struct ch_jschema ch_schema_access_decision;
extern const struct ch_jschema ch_schema_access_point_create;
extern const struct ch_jschema ch_schema_credential_create;
extern const struct ch_jschema ch_schema_credential_update;
extern const struct ch_jschema ch_schema_schedule_create;
extern const struct ch_jschema ch_schema_rule_create;
extern const struct ch_jschema ch_schema_posture_set;
/* ---- h_visitors.c: visitors (issue 6 §4) ---- */
void ch_h_visitors_list(struct ch_req *req);
void ch_h_visitors_register(struct ch_req *req);
void ch_h_visitors_mine(struct ch_req *req);
void ch_h_visitors_get(struct ch_req *req);
void ch_h_visitors_document(struct ch_req *req);
void ch_h_visitors_cancel(struct ch_req *req);
void ch_h_visitors_check_in(struct ch_req *req);
void ch_h_visitors_check_out(struct ch_req *req);
void ch_h_visitor_settings_get(struct ch_req *req);
void ch_h_visitor_settings_put(struct ch_req *req);
void ch_h_visitors_purge(struct ch_req *req);
extern const struct ch_jschema ch_schema_visitor_register;
extern const struct ch_jschema ch_schema_visitor_checkin;
extern const struct ch_jschema ch_schema_visitor_settings;
/* h_screening.c: watchlist screening (issue 5) */
void ch_h_watchlists_list(struct ch_req *req);
void ch_h_watchlists_create(struct ch_req *req);
void ch_h_watchlists_get(struct ch_req *req);
void ch_h_watchlist_versions(struct ch_req *req);
void ch_h_watchlist_import(struct ch_req *req);
void ch_h_watchlist_entries(struct ch_req *req);
void ch_h_lookout_list(struct ch_req *req);
void ch_h_lookout_create(struct ch_req *req);
void ch_h_lookout_update(struct ch_req *req);
void ch_h_lookout_delete(struct ch_req *req);
void ch_h_screening_settings_get(struct ch_req *req);
void ch_h_screening_settings_put(struct ch_req *req);
void ch_h_screenings_create(struct ch_req *req);
void ch_h_screening_hits(struct ch_req *req);
void ch_h_screening_hit_get(struct ch_req *req);
void ch_h_screening_adjudicate(struct ch_req *req);

extern const struct ch_jschema ch_schema_login;
extern const struct ch_jschema ch_schema_second_factor;
extern const struct ch_jschema ch_schema_totp_confirm;
extern const struct ch_jschema ch_schema_reauth;
extern const struct ch_jschema ch_schema_device_create;
extern const struct ch_jschema ch_schema_person_create;
extern const struct ch_jschema ch_schema_person_update;
extern const struct ch_jschema ch_schema_post_create;
extern const struct ch_jschema ch_schema_zone_create;
extern const struct ch_jschema ch_schema_training_create;
extern const struct ch_jschema ch_schema_user_create;
extern const struct ch_jschema ch_schema_user_update;
extern const struct ch_jschema ch_schema_incident_create;
extern const struct ch_jschema ch_schema_incident_update;
extern const struct ch_jschema ch_schema_incident_transition;
extern const struct ch_jschema ch_schema_rating_set;
extern const struct ch_jschema ch_schema_rating_settings;
extern const struct ch_jschema ch_schema_risk_create;
extern const struct ch_jschema ch_schema_risk_update;
extern const struct ch_jschema ch_schema_risk_review;
extern const struct ch_jschema ch_schema_risk_bands;
extern const struct ch_jschema ch_schema_watchlist_create;
extern const struct ch_jschema ch_schema_watchlist_import;
extern const struct ch_jschema ch_schema_lookout;
extern const struct ch_jschema ch_schema_screening_settings;
extern const struct ch_jschema ch_schema_screening;
extern const struct ch_jschema ch_schema_adjudication;

/* ---- server.c ---- */
struct ch_http_config {
	const char *listen;    /* "127.0.0.1:8443"; port 0 picks one */
	const char *cert_file; /* PEM; NULL with plain_http */
	const char *key_file;
	bool plain_http; /* only behind a reverse proxy on loopback */
	/* With plain_http: the reverse proxy is trusted to append the client's
	 * address to X-Forwarded-For, and its last entry is the source. */
	bool trusted_proxy;
	unsigned threads; /* worker threads */
	unsigned max_connections;
	unsigned per_ip_connections;
	unsigned timeout_seconds;
	const char *port_file; /* write the bound port here */
	/* The device listener: the device routes on a port of their own,
	 * served without libmicrohttpd (devport.c); NULL: none. */
	const char *device_listen;
};

/* ---- feed.c: the live feed (server-sent events) ---- */
/* Subscribe to the event bus and start the feed's threads. */
ch_err ch_feed_start(struct ch_store *store);
/* End every open stream (before the server stops). */
void ch_feed_close_streams(void);
size_t ch_feed_open_streams(void);
void ch_feed_stop(void);
/* Check the sessions of the open streams now (after a logout, a session
 * ended, a user changed), not at the next keepalive. */
void ch_feed_recheck(void);
struct MHD_Response;
/* The response of a stream for req's principal. */
struct MHD_Response *ch_feed_response(struct ch_req *req);

struct ch_http_server;
void ch_http_config_defaults(struct ch_http_config *cfg);
/* The device listener's bound port (0: none). */
unsigned ch_http_device_port(const struct ch_http_server *srv);
ch_err ch_http_start(const struct ch_http_config *cfg, struct ch_store *store,
    struct ch_http_server **out);
unsigned ch_http_port(const struct ch_http_server *srv);
void ch_http_stop(struct ch_http_server *srv);
/* The server's store, for handlers. */
struct ch_store *ch_http_store(void);

/* ---- tls.c ---- */
/* Write a new ECDSA P-256 key and a self-signed certificate for
 * localhost and 127.0.0.1, valid for a year, to the two paths. */
ch_err ch_tls_generate(
    const char *cert_path, const char *key_path, const char *common_name);

#endif /* CH_HTTP_H */
