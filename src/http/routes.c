/*
 * routes.c — the route table: the single source for the router, the
 * permission check and the OpenAPI document.  A route without a
 * permission cannot be registered: ch_routes_valid() refuses the table and
 * the server does not start.
 */
#include <string.h>

#include "http/http.h"
#include "incidents/incidents.h"

#define KB 1024

static const struct ch_query_param people_query[] = {
    {"q", "Search given and family names, in any script."},
    {"category", "A staff category code."},
    {"post_id", "Only people of this post."},
    {"host_national", "true or false."},
    {"limit", "Page size, 1 to 200 (default 50)."},
    {"cursor", "next_cursor of the previous page."},
    {NULL, NULL},
};

static const struct ch_query_param audit_records_query[] = {
    {"from", "The first record's seq (default 1)."},
    {"limit", "Records, 1 to 1000 (default 100)."},
    {NULL, NULL},
};

static const struct ch_query_param audit_inclusion_query[] = {
    {"index", "The leaf index: the record's seq - 1 (required)."},
    {"size", "The tree size (default: the latest checkpoint's)."},
    {NULL, NULL},
};

static const struct ch_query_param audit_consistency_query[] = {
    {"from", "The smaller tree size (required)."},
    {"to", "The larger tree size (default: the latest checkpoint's)."},
    {NULL, NULL},
};

_Static_assert(10240 * KB == CH_EVIDENCE_MAX_BYTES,
    "the evidence route's body limit is the evidence file limit");

static const struct ch_query_param evidence_query[] = {
    {"name", "The file's name, e.g. gate-camera.jpg (required)."},
    {"description", "What the file shows (optional)."},
    {NULL, NULL},
};

static const struct ch_query_param incidents_query[] = {
    {"status", "reported, triaged, investigating or closed."},
    {"type", "An incident type code."},
    {"category", "A threat category code."},
    {"severity", "Extreme, Severe, Moderate, Minor or Unknown."},
    {"since", "Occurred at or after this UTC time."},
    {"until", "Occurred before this UTC time."},
    {"limit", "Page size, 1 to 200 (default 50)."},
    {"cursor", "next_cursor of the previous page."},
    {NULL, NULL},
};

static const struct ch_query_param trends_query[] = {
    {"window", "The recent window in days, 1 to 60 (default 7)."},
    {"baseline", "The trailing baseline in days, 7 to 365 (default 90)."},
    {NULL, NULL},
};

/* Intelligence (h_intel.c). */
static const struct ch_query_param intel_reports_query[] = {
    {"category", "A threat category code."},
    {"status", "active or withdrawn."},
    {"outcome", "unassessed, confirmed or refuted."},
    {"source_id", "Only reports of this source."},
    {"actor_id", "Only reports linked to this threat actor."},
    {"place_id", "Only reports linked to this named place."},
    {"incident_id", "Only reports linked to this incident."},
    {"open", "true: only open intelligence (active and valid now)."},
    {"open_at", "Only reports active and valid at this UTC time."},
    {"since", "Reported at or after this UTC time."},
    {"until", "Reported before this UTC time."},
    {"limit", "Page size, 1 to 200 (default 50)."},
    {"cursor", "next_cursor of the previous page."},
    {NULL, NULL},
};

static const struct ch_query_param intel_sources_query[] = {
    {"post_id", "Only sources of this post (HQ)."},
    {NULL, NULL},
};

static const struct ch_query_param intel_search_query[] = {
    {"q", "Search the name (and aliases), in any script."},
    {NULL, NULL},
};

static const struct ch_query_param ratings_query[] = {
    {"history",
	"true adds the official changes and the daily computed "
	"ratings."},
    {"days", "Days of daily history, 1 to 400 (default 365)."},
    {NULL, NULL},
};

static const struct ch_query_param risks_query[] = {
    {"flagged", "true: only risks flagged for review."},
    {"overdue", "true: only risks whose review is overdue."},
    {"category", "Only risks linked to this threat category."},
    {NULL, NULL},
};

static const struct ch_query_param access_post_query[] = {
    {"post_id", "The post (default: your own)."},
    {NULL, NULL},
};

static const struct ch_query_param credentials_query[] = {
    {"post_id", "The post (default: your own)."},
    {"person_id", "Only the credentials of this person."},
    {NULL, NULL},
};

static const struct ch_query_param access_events_query[] = {
    {"post_id", "The post (default: your own)."},
    {"person_id", "Only this person's events."},
    {"point_id", "Only this access point's events."},
    {"credential_id", "Only this credential's events."},
    {"decision", "grant or deny."},
    {"since", "At or after this UTC time."},
    {"until", "Before this UTC time."},
    {"limit", "Page size, 1 to 500 (default 100)."},
    {"cursor", "next_cursor of the previous page."},
    {NULL, NULL},
};

static const struct ch_query_param muster_query[] = {
    {"post_id", "The post (default: your own)."},
    {"format", "json (default) or csv."},
    {NULL, NULL},
};

static const struct ch_query_param alarms_query[] = {
    {"post_id", "The post (default: your own)."},
    {"status", "raised, acknowledged or resolved."},
    {NULL, NULL},
};

static const struct ch_query_param anomalies_query[] = {
    {"post_id", "The post (default: your own)."},
    {"since", "Events at or after this UTC time (default: 7 days ago)."},
    {"until", "Events before this UTC time (default: now)."},
    {NULL, NULL},
};

/* Watchlist screening (issue 5). */
static const struct ch_query_param watchlists_query[] = {
    {"post_id", "The global lists and this post's."},
    {NULL, NULL},
};
static const struct ch_query_param watchlist_entries_query[] = {
    {"limit", "Page size, 1 to 200 (default 50)."},
    {"cursor", "next_cursor of the previous page."},
    {NULL, NULL},
};
static const struct ch_query_param screening_hits_query[] = {
    {"post_id", "Hits of this post (HQ: any; others: their own)."},
    {"status", "open (default), confirmed or dismissed."},
    {"limit", "At most this many, 1 to 500 (default 100)."},
    {NULL, NULL},
};

static const struct ch_query_param visitors_query[] = {
    {"post_id", "The post (HQ: any; others: their own)."},
    {"day",
	"Visits whose expected window meets this day (YYYY-MM-DD, or "
	"today) of the post's calendar, in its time zone; UTC across "
	"every post."},
    {"status", "expected, checked_in, checked_out, cancelled or no_show."},
    {"host_id", "Only the visitors of this host (a person id)."},
    {"format",
	"json (default) or csv: the whole visitor log the filters "
	"select as CSV, every page."},
    {"limit", "At most this many, 1 to 1000 (default 200)."},
    {"cursor", "The next_cursor of the page before."},
    {NULL, NULL},
};

static const struct ch_query_param my_visitors_query[] = {
    {"day",
	"Visits whose expected window meets this day (YYYY-MM-DD, or "
	"today) of the post's calendar, in its time zone; UTC across "
	"every post."},
    {"status", "expected, checked_in, checked_out, cancelled or no_show."},
    {"format", "json (default) or csv."},
    {"limit", "At most this many, 1 to 1000 (default 200)."},
    {"cursor", "The next_cursor of the page before."},
    {NULL, NULL},
};

static const struct ch_route routes[] = {
    {"GET", "/healthz", ch_h_healthz, CH_PERM_PUBLIC, NULL, 0, NULL,
	"Liveness and database reachability", "system", NULL, 200, 0},
    {"GET", "/metrics", ch_h_metrics, CH_PERM_METRICS, NULL, 0, NULL,
	"Prometheus metrics", "system", NULL, 200, 0},
    {"GET", "/api/v1/openapi.json", ch_h_openapi, CH_PERM_SESSION, NULL, 0,
	NULL, "This document", "system", NULL, 200, 0},
    {"POST", "/api/v1/auth/login", ch_h_login, CH_PERM_PUBLIC, "session.login",
	4 * KB, &ch_schema_login,
	"Sign in; sets the session cookie (full, or pending a second factor)",
	"auth", NULL, 200, 0},
    {"POST", "/api/v1/auth/login/second-factor", ch_h_second_factor,
	CH_PERM_SESSION, "session.login", 1 * KB, &ch_schema_second_factor,
	"Finish a sign-in with a TOTP code or a recovery code", "auth", NULL,
	200, CH_ROUTE_PENDING},
    {"POST", "/api/v1/auth/logout", ch_h_logout, CH_PERM_SESSION,
	"session.logout", 0, NULL, "Sign out and end the session", "auth", NULL,
	204, CH_ROUTE_PENDING},
    {"GET", "/api/v1/auth/session", ch_h_session, CH_PERM_SESSION, NULL, 0,
	NULL, "The signed-in user, the CSRF token and the session's stage",
	"auth", NULL, 200, CH_ROUTE_PENDING},
    {"POST", "/api/v1/auth/reauth", ch_h_reauth, CH_PERM_SESSION,
	"session.reauth", 2 * KB, &ch_schema_reauth,
	"Confirm the password (and code) before a sensitive action", "auth",
	NULL, 200, 0},
    {"GET", "/api/v1/auth/sessions", ch_h_sessions_list, CH_PERM_SESSION, NULL,
	0, NULL, "Your sessions", "auth", NULL, 200, 0},
    {"DELETE", "/api/v1/auth/sessions/{id}", ch_h_sessions_end, CH_PERM_SESSION,
	"session.end", 0, NULL, "End one of your sessions", "auth", NULL, 204,
	0},
    {"GET", "/api/v1/auth/totp", ch_h_totp_status, CH_PERM_SESSION, NULL, 0,
	NULL, "Whether a second factor is set up and required", "auth", NULL,
	200, CH_ROUTE_PENDING},
    {"POST", "/api/v1/auth/totp/enrolment", ch_h_totp_enrol, CH_PERM_SESSION,
	"totp.enrol.start", 0, NULL,
	"Start a TOTP enrolment: secret, otpauth URI and QR code (SVG)", "auth",
	NULL, 201, CH_ROUTE_PENDING | CH_ROUTE_REAUTH},
    {"POST", "/api/v1/auth/totp/enrolment/confirm", ch_h_totp_confirm,
	CH_PERM_SESSION, "totp.enrol", 1 * KB, &ch_schema_totp_confirm,
	"Confirm the enrolment with a first code; returns recovery codes once",
	"auth", NULL, 200, CH_ROUTE_PENDING},
    {"GET", "/api/v1/reference/staff-categories", ch_h_categories,
	CH_PERM_SESSION, NULL, 0, NULL, "Staff categories and labels",
	"reference", NULL, 200, 0},
    {"GET", "/api/v1/posts", ch_h_posts_list, CH_PERM_POSTS_READ, NULL, 0, NULL,
	"Posts you are assigned to (HQ: all)", "posts", NULL, 200, 0},
    {"POST", "/api/v1/posts", ch_h_posts_create, CH_PERM_POSTS_WRITE,
	"post.create", 8 * KB, &ch_schema_post_create, "Create a post", "posts",
	NULL, 201, 0},
    {"GET", "/api/v1/posts/{id}", ch_h_posts_get, CH_PERM_POSTS_READ, NULL, 0,
	NULL, "One post", "posts", NULL, 200, CH_ROUTE_DEVICE},
    {"GET", "/api/v1/posts/{id}/zones", ch_h_zones_list, CH_PERM_POSTS_READ,
	NULL, 0, NULL, "The zones of a post", "posts", NULL, 200, 0},
    {"POST", "/api/v1/posts/{id}/zones", ch_h_zones_create, CH_PERM_POSTS_WRITE,
	"zone.create", 8 * KB, &ch_schema_zone_create, "Add a zone to a post",
	"posts", NULL, 201, 0},
    {"GET", "/api/v1/people", ch_h_people_list, CH_PERM_PEOPLE_READ, NULL, 0,
	NULL, "Search and list people", "people", people_query, 200,
	CH_ROUTE_DEVICE},
    {"POST", "/api/v1/people", ch_h_people_create, CH_PERM_PEOPLE_WRITE,
	"person.create", 16 * KB, &ch_schema_person_create, "Add a person",
	"people", NULL, 201, 0},
    {"GET", "/api/v1/people/{id}", ch_h_people_get, CH_PERM_PEOPLE_READ,
	"person.read", 0, NULL,
	"A person with immunity, household and training", "people", NULL, 200,
	0},
    {"PATCH", "/api/v1/people/{id}", ch_h_people_update, CH_PERM_PEOPLE_WRITE,
	"person.update", 16 * KB, &ch_schema_person_update,
	"Change a person (If-Match: the version read)", "people", NULL, 200, 0},
    {"GET", "/api/v1/people/{id}/immunity", ch_h_people_immunity,
	CH_PERM_PEOPLE_READ, NULL, 0, NULL, "The immunity profile of a person",
	"people", NULL, 200, 0},
    {"POST", "/api/v1/people/{id}/training", ch_h_training_create,
	CH_PERM_PEOPLE_WRITE, "training.create", 4 * KB,
	&ch_schema_training_create, "Record a training course", "people", NULL,
	201, 0},
    {"GET", "/api/v1/users", ch_h_users_list, CH_PERM_USERS_READ, NULL, 0, NULL,
	"User accounts", "users", NULL, 200, 0},
    {"POST", "/api/v1/users", ch_h_users_create, CH_PERM_USERS_WRITE,
	"user.create", 8 * KB, &ch_schema_user_create, "Create a user account",
	"users", NULL, 201, CH_ROUTE_REAUTH},
    {"PATCH", "/api/v1/users/{id}", ch_h_users_update, CH_PERM_USERS_WRITE,
	"user.update", 4 * KB, &ch_schema_user_update,
	"Disable or enable a user, reset the password, change roles, "
	"clearance or post",
	"users", NULL, 204, CH_ROUTE_REAUTH},
    {"GET", "/api/v1/devices", ch_h_devices_list, CH_PERM_DEVICES_MANAGE, NULL,
	0, NULL, "Device tokens (never the tokens themselves)", "devices", NULL,
	200, 0},
    {"POST", "/api/v1/devices", ch_h_devices_create, CH_PERM_DEVICES_MANAGE,
	"device.create", 2 * KB, &ch_schema_device_create,
	"Make a device token bound to a post; the token is shown once",
	"devices", NULL, 201, CH_ROUTE_REAUTH},
    {"DELETE", "/api/v1/devices/{id}", ch_h_devices_revoke,
	CH_PERM_DEVICES_MANAGE, "device.revoke", 0, NULL,
	"Revoke a device token", "devices", NULL, 204, 0},
    {"GET", "/api/v1/device", ch_h_device_self, CH_PERM_DEVICE, NULL, 0, NULL,
	"The device a token belongs to (device tokens only)", "devices", NULL,
	200, CH_ROUTE_DEVICE},
    {"GET", "/api/v1/audit/checkpoint", ch_h_audit_checkpoint,
	CH_PERM_AUDIT_READ, "audit.read", 0, NULL,
	"The latest signed checkpoint: the C2SP signed note with Accept: "
	"text/plain, else JSON (origin, size, base64 root_hash, note)",
	"audit", NULL, 200, CH_ROUTE_TEXT_TOO},
    {"GET", "/api/v1/audit/records", ch_h_audit_records, CH_PERM_AUDIT_READ,
	"audit.read", 0, NULL,
	"Audit records by seq range, with their leaf hashes (another post's "
	"records: seq and leaf_hash only)",
	"audit", audit_records_query, 200, 0},
    {"GET", "/api/v1/audit/proof/inclusion", ch_h_audit_inclusion,
	CH_PERM_AUDIT_READ, "audit.read", 0, NULL,
	"RFC 9162 inclusion proof of a record in the tree of a size", "audit",
	audit_inclusion_query, 200, 0},
    {"GET", "/api/v1/audit/proof/consistency", ch_h_audit_consistency,
	CH_PERM_AUDIT_READ, "audit.read", 0, NULL,
	"RFC 9162 consistency proof between two tree sizes", "audit",
	audit_consistency_query, 200, 0},
    {"GET", "/api/v1/posts/{id}/trends", ch_h_trends, CH_PERM_INCIDENTS_READ,
	NULL, 0, NULL,
	"Per threat category: is the recent incident count improbable under "
	"the post's own baseline (Poisson tail test, explained)",
	"incidents", trends_query, 200, 0},
    {"GET", "/api/v1/events/stream", ch_h_events_stream, CH_PERM_SESSION, NULL,
	0, NULL,
	"The live feed: server-sent events of what happens at your posts "
	"(incidents, trend alerts), each only to those who may read it; "
	"reconnect with Last-Event-ID",
	"feed", NULL, 200, CH_ROUTE_EVENT_STREAM},
    {"GET", "/api/v1/incidents", ch_h_incidents_list, CH_PERM_INCIDENTS_READ,
	NULL, 0, NULL, "Incidents you may read, newest first", "incidents",
	incidents_query, 200, 0},
    {"POST", "/api/v1/incidents", ch_h_incidents_create,
	CH_PERM_INCIDENTS_REPORT, "incident.report", 64 * KB,
	&ch_schema_incident_create, "Report an incident", "incidents", NULL,
	201, 0},
    {"GET", "/api/v1/incidents/{id}", ch_h_incidents_get,
	CH_PERM_INCIDENTS_READ, "incident.read", 0, NULL,
	"An incident with people, immunity, Vienna articles and timeline "
	"(reads above TLP:CLEAR are audited)",
	"incidents", NULL, 200, 0},
    {"PATCH", "/api/v1/incidents/{id}", ch_h_incidents_update,
	CH_PERM_INCIDENTS_WRITE, "incident.update", 64 * KB,
	&ch_schema_incident_update,
	"Change an incident (If-Match: the version read)", "incidents", NULL,
	200, 0},
    {"POST", "/api/v1/incidents/{id}/transitions", ch_h_incidents_transition,
	CH_PERM_INCIDENTS_WRITE, "incident.transition", 8 * KB,
	&ch_schema_incident_transition,
	"Move an incident through its workflow, with a reason", "incidents",
	NULL, 200, 0},
    {"POST", "/api/v1/incidents/{id}/evidence", ch_h_evidence_upload,
	CH_PERM_INCIDENTS_WRITE, "incident.evidence.add", 10240 * KB, NULL,
	"Attach an evidence file: the body is the file, Content-Type its type "
	"(image/jpeg, image/png, image/webp, application/pdf, video/mp4, "
	"audio/mpeg, text/plain), ?name= its file name; at most 10 MiB",
	"incidents", evidence_query, 201, CH_ROUTE_FILE_UPLOAD},
    {"GET", "/api/v1/incidents/{id}/evidence", ch_h_evidence_list,
	CH_PERM_INCIDENTS_READ, NULL, 0, NULL,
	"An incident's evidence files with their SHA-256", "incidents", NULL,
	200, 0},
    {"GET", "/api/v1/incidents/{id}/evidence/{evidence_id}",
	ch_h_evidence_download, CH_PERM_INCIDENTS_READ,
	"incident.evidence.read", 0, NULL,
	"An evidence file as uploaded, its SHA-256 in Repr-Digest", "incidents",
	NULL, 200, CH_ROUTE_FILE_DOWNLOAD},
    /* Intelligence: graded reports, sources, threat actors, places. */
    {"GET", "/api/v1/intel/grading", ch_h_intel_grading, CH_PERM_INTEL_READ,
	NULL, 0, NULL,
	"The Admiralty scale: reliability A-F and credibility 1-6 in words",
	"intel", NULL, 200, 0},
    {"GET", "/api/v1/intel/reports", ch_h_intel_reports_list,
	CH_PERM_INTEL_READ, NULL, 0, NULL,
	"Intelligence reports you may read, newest first", "intel",
	intel_reports_query, 200, 0},
    {"POST", "/api/v1/intel/reports", ch_h_intel_reports_create,
	CH_PERM_INTEL_WRITE, "intel.report.create", 64 * KB,
	&ch_schema_intel_report_create, "Record a graded intelligence report",
	"intel", NULL, 201, 0},
    {"GET", "/api/v1/intel/reports/{id}", ch_h_intel_reports_get,
	CH_PERM_INTEL_READ, "intel.report.read", 0, NULL,
	"A report with its source, links and timeline (reads above "
	"TLP:CLEAR are audited)",
	"intel", NULL, 200, 0},
    {"PATCH", "/api/v1/intel/reports/{id}", ch_h_intel_reports_update,
	CH_PERM_INTEL_WRITE, "intel.report.update", 64 * KB,
	&ch_schema_intel_report_update,
	"Change a report (If-Match: the version read)", "intel", NULL, 200, 0},
    {"POST", "/api/v1/intel/reports/{id}/assessment", ch_h_intel_reports_assess,
	CH_PERM_INTEL_WRITE, "intel.report.assess", 8 * KB,
	&ch_schema_intel_assessment,
	"Record what a report came to (confirmed, refuted): feeds its "
	"source's track record",
	"intel", NULL, 200, 0},
    {"POST", "/api/v1/intel/reports/{id}/status", ch_h_intel_reports_status,
	CH_PERM_INTEL_WRITE, "intel.report.status", 1 * KB,
	&ch_schema_intel_status, "Withdraw or reinstate a report", "intel",
	NULL, 200, 0},
    {"GET", "/api/v1/intel/sources", ch_h_intel_sources_list,
	CH_PERM_INTEL_SOURCES, NULL, 0, NULL,
	"The source registry with each source's track record", "intel",
	intel_sources_query, 200, 0},
    {"POST", "/api/v1/intel/sources", ch_h_intel_sources_create,
	CH_PERM_INTEL_SOURCES, "intel.source.create", 16 * KB,
	&ch_schema_intel_source_create, "Register a source", "intel", NULL, 201,
	0},
    {"GET", "/api/v1/intel/sources/{id}", ch_h_intel_sources_get,
	CH_PERM_INTEL_SOURCES, NULL, 0, NULL,
	"A source with its track record, grading history and suggested "
	"reliability",
	"intel", NULL, 200, 0},
    {"PATCH", "/api/v1/intel/sources/{id}", ch_h_intel_sources_update,
	CH_PERM_INTEL_SOURCES, "intel.source.update", 16 * KB,
	&ch_schema_intel_source_update,
	"Change a source (If-Match: the version read)", "intel", NULL, 200, 0},
    {"GET", "/api/v1/intel/sources/{id}/identity", ch_h_intel_sources_identity,
	CH_PERM_INTEL_IDENTITY, NULL, 0, NULL,
	"A source with its sealed identity opened (the reveal is audited)",
	"intel", NULL, 200, 0},
    {"GET", "/api/v1/intel/actors", ch_h_intel_actors_list, CH_PERM_INTEL_READ,
	NULL, 0, NULL, "Threat actors of your post", "intel",
	intel_search_query, 200, 0},
    {"POST", "/api/v1/intel/actors", ch_h_intel_actors_create,
	CH_PERM_INTEL_WRITE, "intel.actor.create", 64 * KB,
	&ch_schema_intel_actor_create, "Record a threat actor", "intel", NULL,
	201, 0},
    {"GET", "/api/v1/intel/actors/{id}", ch_h_intel_actors_get,
	CH_PERM_INTEL_READ, NULL, 0, NULL,
	"A threat actor with the reports and incidents you may read", "intel",
	NULL, 200, 0},
    {"PATCH", "/api/v1/intel/actors/{id}", ch_h_intel_actors_update,
	CH_PERM_INTEL_WRITE, "intel.actor.update", 64 * KB,
	&ch_schema_intel_actor_update,
	"Change a threat actor (If-Match: the version read)", "intel", NULL,
	200, 0},
    {"GET", "/api/v1/intel/places", ch_h_intel_places_list, CH_PERM_INTEL_READ,
	NULL, 0, NULL,
	"Named places of your post with distance and bearing from it", "intel",
	intel_search_query, 200, 0},
    {"POST", "/api/v1/intel/places", ch_h_intel_places_create,
	CH_PERM_INTEL_WRITE, "intel.place.create", 64 * KB,
	&ch_schema_intel_place_create,
	"Record a named place (point, circle or polygon)", "intel", NULL, 201,
	0},
    {"GET", "/api/v1/intel/places/{id}", ch_h_intel_places_get,
	CH_PERM_INTEL_READ, NULL, 0, NULL,
	"A named place with the reports and incidents you may read", "intel",
	NULL, 200, 0},
    {"PATCH", "/api/v1/intel/places/{id}", ch_h_intel_places_update,
	CH_PERM_INTEL_WRITE, "intel.place.update", 64 * KB,
	&ch_schema_intel_place_update,
	"Change a named place (If-Match: the version read)", "intel", NULL, 200,
	0},
    {"GET", "/api/v1/posts/{id}/ratings", ch_h_ratings_get,
	CH_PERM_RATINGS_READ, NULL, 0, NULL,
	"Threat ratings per category: official, computed with its "
	"explanation, disagreement; history on request",
	"ratings", ratings_query, 200, 0},
    {"POST", "/api/v1/posts/{id}/ratings", ch_h_ratings_set,
	CH_PERM_RATINGS_SET, "threat.rating.set", 8 * KB, &ch_schema_rating_set,
	"Set a category's official rating with a rationale (a rise flags "
	"the linked risks)",
	"ratings", NULL, 201, 0},
    {"GET", "/api/v1/posts/{id}/rating-settings", ch_h_rating_settings_get,
	CH_PERM_RATINGS_READ, NULL, 0, NULL,
	"The computed rating's settings and weights for a post", "ratings",
	NULL, 200, 0},
    {"PUT", "/api/v1/posts/{id}/rating-settings", ch_h_rating_settings_put,
	CH_PERM_RATINGS_SET, "threat.settings.set", 4 * KB,
	&ch_schema_rating_settings,
	"Change the decay, lookback, thresholds and disagreement period",
	"ratings", NULL, 200, 0},
    {"GET", "/api/v1/posts/{id}/risks", ch_h_risks_list, CH_PERM_RISKS_READ,
	NULL, 0, NULL,
	"The post's risk register, highest residual score first, with its "
	"bands",
	"risks", risks_query, 200, 0},
    {"GET", "/api/v1/posts/{id}/risks/heatmap.svg", ch_h_risks_heatmap,
	CH_PERM_RISKS_READ, NULL, 0, NULL,
	"The 5x5 heat map of inherent and residual positions (SVG)", "risks",
	NULL, 200, CH_ROUTE_SVG},
    {"GET", "/api/v1/posts/{id}/risk-bands", ch_h_risk_bands_get,
	CH_PERM_RISKS_READ, NULL, 0, NULL, "The post's risk score bands",
	"risks", NULL, 200, 0},
    {"PUT", "/api/v1/posts/{id}/risk-bands", ch_h_risk_bands_put,
	CH_PERM_RATINGS_SET, "risk.bands.set", 4 * KB, &ch_schema_risk_bands,
	"Change the risk score bands (contiguous, covering 1 to 25)", "risks",
	NULL, 200, 0},
    {"POST", "/api/v1/risks", ch_h_risks_create, CH_PERM_RISKS_WRITE,
	"risk.create", 64 * KB, &ch_schema_risk_create,
	"Add a risk to a post's register", "risks", NULL, 201, 0},
    {"GET", "/api/v1/risks/{id}", ch_h_risks_get, CH_PERM_RISKS_READ, NULL, 0,
	NULL, "A risk with its controls, inherent and residual scores", "risks",
	NULL, 200, 0},
    {"PATCH", "/api/v1/risks/{id}", ch_h_risks_update, CH_PERM_RISKS_WRITE,
	"risk.update", 64 * KB, &ch_schema_risk_update,
	"Change a risk (If-Match: the version read)", "risks", NULL, 200, 0},
    {"POST", "/api/v1/risks/{id}/review", ch_h_risks_review,
	CH_PERM_RISKS_WRITE, "risk.review", 8 * KB, &ch_schema_risk_review,
	"Record a review: clears the flag, sets the next review date", "risks",
	NULL, 200, 0},
    {"POST", "/api/v1/access/decisions", ch_h_access_decide, CH_PERM_DEVICE,
	"access.decide", 1 * KB, &ch_schema_access_decision,
	"A gate reader asks: grant or deny, with the reason and who it is "
	"(recorded and audited before the answer)",
	"access", NULL, 200, CH_ROUTE_DEVICE},
    {"GET", "/api/v1/access/points", ch_h_access_points_list,
	CH_PERM_ACCESS_READ, NULL, 0, NULL, "Access points of a post", "access",
	access_post_query, 200, 0},
    {"POST", "/api/v1/access/points", ch_h_access_points_create,
	CH_PERM_ACCESS_WRITE, "access_point.create", 4 * KB,
	&ch_schema_access_point_create, "Add an access point between two zones",
	"access", NULL, 201, 0},
    {"GET", "/api/v1/access/credentials", ch_h_credentials_list,
	CH_PERM_ACCESS_READ, NULL, 0, NULL,
	"Credentials (badges) of a post (never their PINs)", "access",
	credentials_query, 200, 0},
    {"POST", "/api/v1/access/credentials", ch_h_credentials_create,
	CH_PERM_ACCESS_WRITE, "credential.create", 4 * KB,
	&ch_schema_credential_create, "Issue a badge to a person", "access",
	NULL, 201, 0},
    {"PATCH", "/api/v1/access/credentials/{id}", ch_h_credentials_update,
	CH_PERM_ACCESS_WRITE, "credential.update", 4 * KB,
	&ch_schema_credential_update,
	"Suspend, revoke, report lost, change validity or PINs", "access", NULL,
	200, 0},
    {"GET", "/api/v1/access/schedules", ch_h_schedules_list,
	CH_PERM_ACCESS_READ, NULL, 0, NULL, "Weekly schedules of a post",
	"access", access_post_query, 200, 0},
    {"POST", "/api/v1/access/schedules", ch_h_schedules_create,
	CH_PERM_ACCESS_WRITE, "schedule.create", 4 * KB,
	&ch_schema_schedule_create,
	"Add a weekly schedule (local time of the post)", "access", NULL, 201,
	0},
    {"GET", "/api/v1/access/rules", ch_h_rules_list, CH_PERM_ACCESS_READ, NULL,
	0, NULL, "Access rules of a post", "access", access_post_query, 200, 0},
    {"POST", "/api/v1/access/rules", ch_h_rules_create, CH_PERM_ACCESS_WRITE,
	"access_rule.create", 4 * KB, &ch_schema_rule_create,
	"Add a rule that grants or denies (deny beats grant)", "access", NULL,
	201, 0},
    {"DELETE", "/api/v1/access/rules/{id}", ch_h_rules_delete,
	CH_PERM_ACCESS_WRITE, "access_rule.delete", 0, NULL, "Remove a rule",
	"access", NULL, 204, 0},
    {"GET", "/api/v1/posts/{id}/posture", ch_h_posture_get, CH_PERM_ACCESS_READ,
	NULL, 0, NULL, "The post's posture: normal, heightened or lockdown",
	"access", NULL, 200, 0},
    {"PUT", "/api/v1/posts/{id}/posture", ch_h_posture_set,
	CH_PERM_ACCESS_POSTURE, "posture.set", 1 * KB, &ch_schema_posture_set,
	"Change the post's posture (narrows what the rules grant)", "access",
	NULL, 200, 0},
    {"GET", "/api/v1/access/events", ch_h_access_events, CH_PERM_ACCESS_READ,
	NULL, 0, NULL, "The access log, newest first, with filters", "access",
	access_events_query, 200, 0},
    {"GET", "/api/v1/access/occupancy", ch_h_access_occupancy,
	CH_PERM_ACCESS_READ, NULL, 0, NULL,
	"Who is in which zone now, and the count per zone", "access",
	access_post_query, 200, 0},
    {"GET", "/api/v1/access/muster", ch_h_access_muster, CH_PERM_ACCESS_READ,
	NULL, 0, NULL, "The muster list: everyone inside (JSON or CSV)",
	"access", muster_query, 200, 0},
    {"GET", "/api/v1/access/anomalies", ch_h_access_anomalies,
	CH_PERM_ACCESS_READ, NULL, 0, NULL,
	"Repeated denials, out-of-schedule attempts, impossible travel, "
	"entry without exit",
	"access", anomalies_query, 200, 0},
    {"GET", "/api/v1/access/alarms", ch_h_access_alarms, CH_PERM_ACCESS_READ,
	NULL, 0, NULL,
	"Alarms, newest first: raised, acknowledged, resolved, with their "
	"escalation",
	"access", alarms_query, 200, 0},
    {"POST", "/api/v1/access/alarms", ch_h_alarms_raise, CH_PERM_DEVICE,
	"alarm.raise", 2 * KB, &ch_schema_alarm_raise,
	"A sensor raises an alarm (intrusion, fire, tamper, door forced or "
	"held open)",
	"access", NULL, 201, CH_ROUTE_DEVICE},
    {"POST", "/api/v1/access/alarms/{id}/acknowledge", ch_h_alarms_acknowledge,
	CH_PERM_ALARMS_HANDLE, "alarm.acknowledge", 2 * KB,
	&ch_schema_alarm_note, "Acknowledge an alarm: someone has it in hand",
	"access", NULL, 200, 0},
    {"POST", "/api/v1/access/alarms/{id}/resolve", ch_h_alarms_resolve,
	CH_PERM_ALARMS_HANDLE, "alarm.resolve", 2 * KB, &ch_schema_alarm_note,
	"Resolve an alarm with a note", "access", NULL, 200, 0},
    {"GET", "/api/v1/tours/routes", ch_h_tour_routes_list, CH_PERM_ACCESS_READ,
	NULL, 0, NULL, "Guard tour routes with their checkpoints", "access",
	access_post_query, 200, 0},
    {"POST", "/api/v1/tours/routes", ch_h_tour_routes_create,
	CH_PERM_ACCESS_WRITE, "tour_route.create", 16 * KB,
	&ch_schema_tour_route_create,
	"Add a guard tour route: checkpoints in order with due minutes",
	"access", NULL, 201, 0},
    {"GET", "/api/v1/tours", ch_h_tours_list, CH_PERM_ACCESS_READ, NULL, 0,
	NULL, "Tours, newest first, with every scan (the tour report)",
	"access", access_post_query, 200, 0},
    {"POST", "/api/v1/tours", ch_h_tours_start, CH_PERM_ALARMS_HANDLE,
	"tour.start", 1 * KB, &ch_schema_tour_start,
	"Start a guard tour of a route", "access", NULL, 201, 0},
    {"POST", "/api/v1/tours/scans", ch_h_tours_scan, CH_PERM_ALARMS_HANDLE,
	"tour.scan", 1 * KB, &ch_schema_tour_scan,
	"A checkpoint scanned from the guard's phone", "access", NULL, 200, 0},
    {"POST", "/api/v1/device/tour-scans", ch_h_tours_scan, CH_PERM_DEVICE,
	"tour.scan", 1 * KB, &ch_schema_tour_scan,
	"A checkpoint scanned by a reader (device token)", "access", NULL, 200,
	CH_ROUTE_DEVICE},
    /* ---- watchlist screening ---- */
    {"GET", "/api/v1/watchlists", ch_h_watchlists_list, CH_PERM_WATCHLISTS_READ,
	NULL, 0, NULL, "Watchlists: the global ones and your post's",
	"screening", watchlists_query, 200, 0},
    {"POST", "/api/v1/watchlists", ch_h_watchlists_create,
	CH_PERM_WATCHLISTS_MANAGE, "watchlist.create", 4 * KB,
	&ch_schema_watchlist_create,
	"Create a list (global: HQ and administrators; custom or lookout: a "
	"post's)",
	"screening", NULL, 201, 0},
    {"GET", "/api/v1/watchlists/{id}", ch_h_watchlists_get,
	CH_PERM_WATCHLISTS_READ, NULL, 0, NULL, "A watchlist", "screening",
	NULL, 200, 0},
    {"GET", "/api/v1/watchlists/{id}/versions", ch_h_watchlist_versions,
	CH_PERM_WATCHLISTS_READ, NULL, 0, NULL,
	"The versions of a list, newest first, each with its summary",
	"screening", NULL, 200, 0},
    {"POST", "/api/v1/watchlists/{id}/versions", ch_h_watchlist_import,
	CH_PERM_WATCHLISTS_MANAGE, "watchlist.import", 1024 * KB,
	&ch_schema_watchlist_import,
	"Import a new version of a list (custom CSV, UN XML or the OFAC CSV "
	"files); unchanged entries keep their ids; re-screens the posts",
	"screening", NULL, 201, 0},
    {"GET", "/api/v1/watchlists/{id}/entries", ch_h_watchlist_entries,
	CH_PERM_WATCHLISTS_READ, NULL, 0, NULL, "The current entries of a list",
	"screening", watchlist_entries_query, 200, 0},
    {"GET", "/api/v1/posts/{id}/lookout", ch_h_lookout_list,
	CH_PERM_WATCHLISTS_READ, NULL, 0, NULL,
	"The post's own lookout entries", "screening", NULL, 200, 0},
    {"POST", "/api/v1/posts/{id}/lookout", ch_h_lookout_create,
	CH_PERM_WATCHLISTS_MANAGE, "lookout.create", 16 * KB,
	&ch_schema_lookout,
	"Add a lookout entry (with reason and seriousness); re-screens the "
	"post",
	"screening", NULL, 201, 0},
    {"PUT", "/api/v1/lookout/{id}", ch_h_lookout_update,
	CH_PERM_WATCHLISTS_MANAGE, "lookout.update", 16 * KB,
	&ch_schema_lookout,
	"Replace a lookout entry (the new content gets a new id)", "screening",
	NULL, 200, 0},
    {"DELETE", "/api/v1/lookout/{id}", ch_h_lookout_delete,
	CH_PERM_WATCHLISTS_MANAGE, "lookout.delete", 0, NULL,
	"Remove a lookout entry", "screening", NULL, 204, 0},
    {"GET", "/api/v1/posts/{id}/screening-settings",
	ch_h_screening_settings_get, CH_PERM_WATCHLISTS_READ, NULL, 0, NULL,
	"The post's review and alert thresholds", "screening", NULL, 200, 0},
    {"PUT", "/api/v1/posts/{id}/screening-settings",
	ch_h_screening_settings_put, CH_PERM_WATCHLISTS_MANAGE,
	"screening.settings", 1 * KB, &ch_schema_screening_settings,
	"Set the post's review and alert thresholds", "screening", NULL, 200,
	0},
    {"POST", "/api/v1/screenings", ch_h_screenings_create,
	CH_PERM_SCREENING_RUN, "screening.run", 256 * KB, &ch_schema_screening,
	"Screen one subject (name, dob, nationality, ...) or a batch "
	"(subjects) against the global lists and the post's; records the "
	"hits with their explanations",
	"screening", NULL, 201, 0},
    {"GET", "/api/v1/hits", ch_h_screening_hits, CH_PERM_SCREENING_REVIEW, NULL,
	0, NULL, "The review queue: hits by status, highest score first",
	"screening", screening_hits_query, 200, 0},
    {"GET", "/api/v1/hits/{id}", ch_h_screening_hit_get,
	CH_PERM_SCREENING_REVIEW, NULL, 0, NULL,
	"A hit with its entry, subject, explanation and decision", "screening",
	NULL, 200, 0},
    {"POST", "/api/v1/hits/{id}/adjudication", ch_h_screening_adjudicate,
	CH_PERM_SCREENING_ADJUDICATE, "screening.adjudicate", 8 * KB,
	&ch_schema_adjudication,
	"Confirm or dismiss a hit with a reason; a dismissed subject and "
	"entry stay dismissed until either changes",
	"screening", NULL, 200, 0},
    /* Visitors (issue 6 §4, docs/visitors.md). */
    {"GET", "/api/v1/visitors", ch_h_visitors_list, CH_PERM_VISITORS_READ, NULL,
	0, NULL,
	"The visitor log of a post with filters (JSON, or CSV with "
	"format=csv)",
	"visitors", visitors_query, 200, 0},
    {"POST", "/api/v1/visitors", ch_h_visitors_register,
	CH_PERM_VISITORS_REGISTER, "visitor.register", 16 * KB,
	&ch_schema_visitor_register,
	"Pre-register a visitor (a host their own); screens the visitor",
	"visitors", NULL, 201, 0},
    {"GET", "/api/v1/my/visitors", ch_h_visitors_mine,
	CH_PERM_VISITORS_REGISTER, NULL, 0, NULL, "The visitors you host",
	"visitors", my_visitors_query, 200, 0},
    {"GET", "/api/v1/visitors/{id}", ch_h_visitors_get, CH_PERM_VISITORS_READ,
	NULL, 0, NULL,
	"A visit with its screening state (hosts read theirs in "
	"/api/v1/my/visitors)",
	"visitors", NULL, 200, 0},
    {"GET", "/api/v1/visitors/{id}/document", ch_h_visitors_document,
	CH_PERM_VISITORS_DESK, "visitor.document.read", 0, NULL,
	"The visitor's identity document, unsealed for the desk (audited)",
	"visitors", NULL, 200, 0},
    {"POST", "/api/v1/visitors/{id}/cancel", ch_h_visitors_cancel,
	CH_PERM_VISITORS_REGISTER, "visitor.cancel", 0, NULL,
	"Cancel an expected visit (its host or the security officer)",
	"visitors", NULL, 200, 0},
    {"POST", "/api/v1/visitors/{id}/check-in", ch_h_visitors_check_in,
	CH_PERM_VISITORS_DESK, "visitor.check_in", 4 * KB,
	&ch_schema_visitor_checkin,
	"Check a visitor in: screened again (an open or confirmed hit holds "
	"it: screening-hold), escort when required, a temporary badge for the "
	"zones and hours allowed",
	"visitors", NULL, 200, 0},
    {"POST", "/api/v1/visitors/{id}/check-out", ch_h_visitors_check_out,
	CH_PERM_VISITORS_DESK, "visitor.check_out", 0, NULL,
	"Check a visitor out: the badge is revoked", "visitors", NULL, 200, 0},
    {"GET", "/api/v1/posts/{id}/visitor-settings", ch_h_visitor_settings_get,
	CH_PERM_VISITORS_READ, NULL, 0, NULL,
	"The post's retention period for visitors' personal data", "visitors",
	NULL, 200, 0},
    {"PUT", "/api/v1/posts/{id}/visitor-settings", ch_h_visitor_settings_put,
	CH_PERM_VISITORS_MANAGE, "visitor.retention", 1 * KB,
	&ch_schema_visitor_settings, "Set the post's retention period (days)",
	"visitors", NULL, 200, 0},
    {"POST", "/api/v1/posts/{id}/visitor-purge", ch_h_visitors_purge,
	CH_PERM_VISITORS_MANAGE, "visitor.purge", 0, NULL,
	"Purge now the personal data of the post's visits past retention",
	"visitors", NULL, 200, 0},
};

const struct ch_route *
ch_routes(size_t *count)
{
	*count = CH_ARRAY_LEN(routes);
	return routes;
}

bool
ch_routes_valid(const struct ch_route *table, size_t count)
{
	static const char *const methods[] = {
	    "GET", "POST", "PUT", "PATCH", "DELETE"};
	bool ok = true;

	for (size_t i = 0; i < count; i++) {
		const struct ch_route *r = &table[i];
		bool known = false;

		for (size_t m = 0; m < CH_ARRAY_LEN(methods); m++)
			known |=
			    r->method && strcmp(r->method, methods[m]) == 0;
		if (!known || r->path == NULL || r->path[0] != '/') {
			log_error("route %zu: bad method or path", i);
			ok = false;
			continue;
		}
		if (r->perm == CH_PERM_NONE || r->perm >= CH_PERM__COUNT) {
			log_error("route %s %s declares no permission",
			    r->method, r->path);
			ok = false;
		}
		if (r->handler == NULL) {
			log_error(
			    "route %s %s has no handler", r->method, r->path);
			ok = false;
		}
		if (r->body_schema != NULL && r->max_body == 0) {
			log_error("route %s %s takes a body but allows none",
			    r->method, r->path);
			ok = false;
		}
		for (size_t j = 0; j < i; j++) {
			if (strcmp(table[j].method, r->method) == 0 &&
			    strcmp(table[j].path, r->path) == 0) {
				log_error("route %s %s is declared twice",
				    r->method, r->path);
				ok = false;
			}
		}
	}
	return ok;
}
