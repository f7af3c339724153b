/*
 * incidents.c — the use cases over incidents: report, change, move through
 * the status workflow, read with people, immunity, Vienna articles and a
 * timeline from the audit log, and list.  Each write checks input, asks
 * the policy with the incident's label, writes in one transaction with its
 * audit record and publishes an event after the commit.  A record the
 * policy refuses answers as missing, so that its existence does not leak.
 */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "core/audit.h"
#include "core/events.h"
#include "incidents/incidents.h"
#include "store/store.h"

static const char *const type_codes[CH_INC_TYPE__COUNT] = {
    [CH_INC_TERRORIST_ATTACK] = "terrorist_attack",
    [CH_INC_ESPIONAGE] = "espionage",
    [CH_INC_CYBERATTACK] = "cyberattack",
    [CH_INC_HOSTILE_PROTEST] = "hostile_protest",
    [CH_INC_KIDNAPPING_OR_ASSAULT] = "kidnapping_or_assault",
    [CH_INC_SABOTAGE] = "sabotage",
    [CH_INC_CRIME] = "crime",
    [CH_INC_SURVEILLANCE_DETECTED] = "surveillance_detected",
    [CH_INC_OTHER] = "other",
};
static const char *const category_codes[CH_THREAT__COUNT] = {
    [CH_THREAT_POLITICAL_VIOLENCE] = "political_violence",
    [CH_THREAT_TERRORISM] = "terrorism",
    [CH_THREAT_CRIME] = "crime",
    [CH_THREAT_HUMAN_INTELLIGENCE] = "human_intelligence",
    [CH_THREAT_TECHNICAL_CYBER] = "technical_cyber",
};
static const char *const severity_codes[CH_SEV__COUNT] = {
    [CH_SEV_EXTREME] = "Extreme",
    [CH_SEV_SEVERE] = "Severe",
    [CH_SEV_MODERATE] = "Moderate",
    [CH_SEV_MINOR] = "Minor",
    [CH_SEV_UNKNOWN] = "Unknown",
};
static const char *const status_codes[CH_IST__COUNT] = {
    [CH_IST_REPORTED] = "reported",
    [CH_IST_TRIAGED] = "triaged",
    [CH_IST_INVESTIGATING] = "investigating",
    [CH_IST_CLOSED] = "closed",
};
static const char *const place_codes[CH_PLACE__COUNT] = {
    [CH_PLACE_PREMISES] = "premises",
    [CH_PLACE_RESIDENCE] = "residence",
    [CH_PLACE_ELSEWHERE] = "elsewhere",
};
static const char *const involvement_codes[CH_ROLE_IN__COUNT] = {
    [CH_ROLE_IN_VICTIM] = "victim",
    [CH_ROLE_IN_SUSPECT] = "suspect",
    [CH_ROLE_IN_WITNESS] = "witness",
    [CH_ROLE_IN_REPORTER] = "reporter",
    [CH_ROLE_IN_INVOLVED] = "involved",
};

static bool
parse_code(const char *s, const char *const *codes, int n, int *out)
{
	for (int i = 0; s != NULL && i < n; i++) {
		if (strcmp(s, codes[i]) == 0) {
			*out = i;
			return true;
		}
	}
	return false;
}

const char *
ch_incident_type_code(enum ch_incident_type v)
{
	return (unsigned)v < CH_INC_TYPE__COUNT ? type_codes[v] : "other";
}

bool
ch_incident_type_parse(const char *s, enum ch_incident_type *out)
{
	int i;

	if (!parse_code(s, type_codes, CH_INC_TYPE__COUNT, &i))
		return false;
	*out = (enum ch_incident_type)i;
	return true;
}

const char *
ch_threat_category_code(enum ch_threat_category v)
{
	return (unsigned)v < CH_THREAT__COUNT ? category_codes[v] : "crime";
}

bool
ch_threat_category_parse(const char *s, enum ch_threat_category *out)
{
	int i;

	if (!parse_code(s, category_codes, CH_THREAT__COUNT, &i))
		return false;
	*out = (enum ch_threat_category)i;
	return true;
}

const char *
ch_severity_code(enum ch_severity v)
{
	return (unsigned)v < CH_SEV__COUNT ? severity_codes[v] : "Unknown";
}

bool
ch_severity_parse(const char *s, enum ch_severity *out)
{
	int i;

	if (!parse_code(s, severity_codes, CH_SEV__COUNT, &i))
		return false;
	*out = (enum ch_severity)i;
	return true;
}

const char *
ch_incident_status_code(enum ch_incident_status v)
{
	return (unsigned)v < CH_IST__COUNT ? status_codes[v] : "reported";
}

bool
ch_incident_status_parse(const char *s, enum ch_incident_status *out)
{
	int i;

	if (!parse_code(s, status_codes, CH_IST__COUNT, &i))
		return false;
	*out = (enum ch_incident_status)i;
	return true;
}

const char *
ch_place_kind_code(enum ch_place_kind v)
{
	return (unsigned)v < CH_PLACE__COUNT ? place_codes[v] : "elsewhere";
}

bool
ch_place_kind_parse(const char *s, enum ch_place_kind *out)
{
	int i;

	if (!parse_code(s, place_codes, CH_PLACE__COUNT, &i))
		return false;
	*out = (enum ch_place_kind)i;
	return true;
}

const char *
ch_involvement_code(enum ch_involvement v)
{
	return (unsigned)v < CH_ROLE_IN__COUNT ? involvement_codes[v]
					       : "involved";
}

bool
ch_involvement_parse(const char *s, enum ch_involvement *out)
{
	int i;

	if (!parse_code(s, involvement_codes, CH_ROLE_IN__COUNT, &i))
		return false;
	*out = (enum ch_involvement)i;
	return true;
}

/*
 * The status workflow.  A move not in the table is refused; each row names
 * the permission it needs (analysts and the security officer triage and
 * investigate; only the security officer closes or reopens) and its audit
 * action, which is what the timeline shows.
 */
static const struct {
	enum ch_incident_status from, to;
	enum ch_perm perm;
	const char *action;
} transitions[] = {
    {CH_IST_REPORTED, CH_IST_TRIAGED, CH_PERM_INCIDENTS_WRITE,
	"incident.triage"},
    {CH_IST_TRIAGED, CH_IST_INVESTIGATING, CH_PERM_INCIDENTS_WRITE,
	"incident.investigate"},
    {CH_IST_REPORTED, CH_IST_CLOSED, CH_PERM_INCIDENTS_CLOSE, "incident.close"},
    {CH_IST_TRIAGED, CH_IST_CLOSED, CH_PERM_INCIDENTS_CLOSE, "incident.close"},
    {CH_IST_INVESTIGATING, CH_IST_CLOSED, CH_PERM_INCIDENTS_CLOSE,
	"incident.close"},
    {CH_IST_CLOSED, CH_IST_INVESTIGATING, CH_PERM_INCIDENTS_CLOSE,
	"incident.reopen"},
};

enum ch_perm
ch_incident_transition_perm(enum ch_incident_status from,
    enum ch_incident_status to, const char **action)
{
	for (size_t i = 0; i < CH_ARRAY_LEN(transitions); i++) {
		if (transitions[i].from == from && transitions[i].to == to) {
			if (action != NULL)
				*action = transitions[i].action;
			return transitions[i].perm;
		}
	}
	return CH_PERM_NONE;
}

struct ch_label
ch_incident_label(
    const struct ch_incident *inc, const char **recipients, size_t max)
{
	struct ch_label l = {inc->post_id, inc->classification, inc->tlp,
	    inc->reporter_person_id[0] ? inc->reporter_person_id : NULL,
	    recipients, 0};

	for (size_t i = 0; i < inc->nrecipients && i < max; i++)
		recipients[l.nrecipients++] = inc->recipients[i];
	return l;
}

/* Whether the context may exercise perm on inc. */
bool
ch_incident_permits(
    struct ch_ctx *ctx, enum ch_perm perm, const struct ch_incident *inc)
{
	const char *recipients[CH_INCIDENT_RECIPIENTS_MAX];
	struct ch_label l =
	    ch_incident_label(inc, recipients, CH_ARRAY_LEN(recipients));

	return ch_ctx_permits(ctx, perm, &l);
}

/* A required or optional text of at most max code points; newlines and
 * tabs only when multiline. */
static bool
check_text(struct ch_fault *fault, const char *field, const char *s, long max,
    bool required, bool multiline)
{
	return ch_text_check(fault, field, s, max,
	    (required ? CH_TEXT_REQUIRED : 0u) |
		(multiline ? CH_TEXT_MULTILINE : 0u));
}

/* Parse an ISO 8601 UTC time into its canonical form. */
static bool
check_time(struct ch_fault *fault, const char *field, const char *s,
    char out[CH_TIMESTAMP_LEN])
{
	int64_t t;

	if (s == NULL || !ch_time_parse(s, &t)) {
		ch_fault_set(fault, field,
		    "%s must be a UTC time such as 2026-03-01T14:30:00Z.",
		    field + 1);
		return false;
	}
	if (t > ch_clock_now() + 300) {
		ch_fault_set(fault, field, "%s is in the future.", field + 1);
		return false;
	}
	ch_time_format(t, out);
	return true;
}

static char *
dup_opt(ch_arena *a, const char *s)
{
	return s == NULL || *s == '\0' ? NULL : ch_arena_strdup(a, s);
}

/* Fill the fault for a value not in its list. */
static ch_err
bad_enum(struct ch_fault *fault, const char *field, const char *list)
{
	ch_fault_set(fault, field, "%s must be one of %s.", &field[1], list);
	return CH_ERR_INVALID;
}

/* Apply the given fields of in onto inc (strings into arena). */
static ch_err
apply(const struct ch_incident_input *in, struct ch_incident *inc, ch_arena *a,
    struct ch_fault *fault)
{
	unsigned s = in->set;

	if (s & CH_IF_POST_ID) {
		if (!ch_id_valid(in->post_id)) {
			ch_fault_set(fault, "/post_id",
			    "post_id must be the id of a post.");
			return CH_ERR_INVALID;
		}
		ch_strlcpy(inc->post_id, in->post_id, sizeof(inc->post_id));
	}
	if ((s & CH_IF_TYPE) && !ch_incident_type_parse(in->type, &inc->type))
		return bad_enum(fault, "/type",
		    "terrorist_attack, espionage, cyberattack, "
		    "hostile_protest, kidnapping_or_assault, sabotage, crime, "
		    "surveillance_detected, other");
	if ((s & CH_IF_CATEGORY) &&
	    !ch_threat_category_parse(in->category, &inc->category))
		return bad_enum(fault, "/category",
		    "political_violence, terrorism, crime, "
		    "human_intelligence, technical_cyber");
	if ((s & CH_IF_SEVERITY) &&
	    !ch_severity_parse(in->severity, &inc->severity))
		return bad_enum(fault, "/severity",
		    "Extreme, Severe, Moderate, Minor, Unknown (CAP 1.2)");
	if (s & CH_IF_TITLE) {
		if (!check_text(fault, "/title", in->title,
			CH_INCIDENT_TITLE_MAX, true, false))
			return CH_ERR_INVALID;
		inc->title = ch_arena_strdup(a, in->title);
	}
	if (s & CH_IF_DESCRIPTION) {
		if (!check_text(fault, "/description", in->description,
			CH_INCIDENT_TEXT_MAX, false, true))
			return CH_ERR_INVALID;
		inc->description = dup_opt(a, in->description);
	}
	if (s & CH_IF_ZONE_ID) {
		const char *z = in->zone_id;

		if (z != NULL && *z != '\0' && !ch_id_valid(z)) {
			ch_fault_set(fault, "/zone_id",
			    "zone_id must be the id of a zone of the post.");
			return CH_ERR_INVALID;
		}
		ch_strlcpy(inc->zone_id, z ? z : "", sizeof(inc->zone_id));
	}
	if ((s & CH_IF_PLACE_KIND) &&
	    !ch_place_kind_parse(in->place_kind, &inc->place_kind))
		return bad_enum(
		    fault, "/place_kind", "premises, residence, elsewhere");
	if (s & CH_IF_PLACE_NAME) {
		if (!check_text(fault, "/place_name", in->place_name,
			CH_INCIDENT_PLACE_MAX, false, false))
			return CH_ERR_INVALID;
		inc->place_name = dup_opt(a, in->place_name);
	}
	if (s & CH_IF_LOCATION) {
		if (in->has_location &&
		    (!isfinite(in->latitude) || !isfinite(in->longitude) ||
			fabs(in->latitude) > 90 || fabs(in->longitude) > 180)) {
			ch_fault_set(fault, "/latitude",
			    "latitude must be within -90..90 and longitude "
			    "within -180..180.");
			return CH_ERR_INVALID;
		}
		inc->has_location = in->has_location;
		inc->latitude = in->has_location ? in->latitude : 0;
		inc->longitude = in->has_location ? in->longitude : 0;
	}
	if ((s & CH_IF_OCCURRED_AT) &&
	    !check_time(
		fault, "/occurred_at", in->occurred_at, inc->occurred_at))
		return CH_ERR_INVALID;
	if ((s & CH_IF_REPORTED_AT) &&
	    !check_time(
		fault, "/reported_at", in->reported_at, inc->reported_at))
		return CH_ERR_INVALID;
	if ((s & CH_IF_CLASSIFICATION) &&
	    !ch_clearance_parse(in->classification, &inc->classification))
		return bad_enum(fault, "/classification",
		    "UNCLASSIFIED, SBU, CONFIDENTIAL, SECRET");
	if ((s & CH_IF_TLP) && !ch_tlp_parse(in->tlp, &inc->tlp))
		return bad_enum(
		    fault, "/tlp", "CLEAR, GREEN, AMBER, AMBER+STRICT, RED");
	if (s & CH_IF_RECIPIENTS) {
		if (in->nrecipients > CH_INCIDENT_RECIPIENTS_MAX) {
			ch_fault_set(fault, "/recipients",
			    "at most %d recipients.",
			    CH_INCIDENT_RECIPIENTS_MAX);
			return CH_ERR_INVALID;
		}
		/* One more slot: the reporter joins a TLP:RED list. */
		inc->recipients = ch_arena_alloc(
		    a, sizeof(*inc->recipients) * (in->nrecipients + 1));
		if (inc->recipients == NULL)
			return CH_ERR_NOMEM;
		inc->nrecipients = 0;
		for (size_t i = 0; i < in->nrecipients; i++) {
			bool dup = false;

			if (!ch_id_valid(in->recipients[i])) {
				ch_fault_set(fault, "/recipients",
				    "recipients must be user ids.");
				return CH_ERR_INVALID;
			}
			for (size_t j = 0; j < inc->nrecipients; j++)
				dup |= strcmp(inc->recipients[j],
					   in->recipients[i]) == 0;
			if (!dup)
				ch_strlcpy(inc->recipients[inc->nrecipients++],
				    in->recipients[i], CH_ID_LEN);
		}
	}
	if (s & CH_IF_PEOPLE) {
		if (in->npeople > CH_INCIDENT_PEOPLE_MAX) {
			ch_fault_set(fault, "/people",
			    "at most %d people per incident.",
			    CH_INCIDENT_PEOPLE_MAX);
			return CH_ERR_INVALID;
		}
		inc->people =
		    ch_arena_alloc(a, sizeof(*inc->people) * (in->npeople + 1));
		if (inc->people == NULL)
			return CH_ERR_NOMEM;
		inc->npeople = in->npeople;
		for (size_t i = 0; i < in->npeople; i++) {
			struct ch_incident_person *p = &inc->people[i];

			if (!ch_id_valid(in->people[i].person_id)) {
				ch_fault_set(fault, "/people",
				    "people[%zu].person_id must be the id of "
				    "a person of the post.",
				    i);
				return CH_ERR_INVALID;
			}
			if (!ch_involvement_parse(
				in->people[i].role, &p->role)) {
				ch_fault_set(fault, "/people",
				    "people[%zu].role must be victim, "
				    "suspect, witness, reporter or involved.",
				    i);
				return CH_ERR_INVALID;
			}
			ch_strlcpy(
			    p->person_id, in->people[i].person_id, CH_ID_LEN);
			for (size_t j = 0; j < i; j++) {
				if (strcmp(inc->people[j].person_id,
					p->person_id) == 0) {
					ch_fault_set(fault, "/people",
					    "people[%zu] names the same "
					    "person as people[%zu]; give each "
					    "person once.",
					    i, j);
					return CH_ERR_INVALID;
				}
			}
		}
	}
	return CH_OK;
}

/* Rules over the whole record and the store: the post is one the user
 * sees, the zone and people belong to it, recipients are users. */
static ch_err
check_record(struct ch_ctx *ctx, struct ch_tx *tx, struct ch_incident *inc)
{
	struct ch_post post;
	ch_err err;

	if (inc->title == NULL) {
		ch_fault_set(&ctx->fault, "/title", "title is required.");
		return CH_ERR_INVALID;
	}
	if (strcmp(inc->reported_at, inc->occurred_at) < 0) {
		ch_fault_set(&ctx->fault, "/reported_at",
		    "reported_at (%s) is before occurred_at (%s).",
		    inc->reported_at, inc->occurred_at);
		return CH_ERR_INVALID;
	}
	if (!ch_ctx_may_classify(ctx, inc->classification))
		return CH_ERR_INVALID;
	if ((err = ch_posts_check_record(ctx, tx, inc->post_id, &post)) !=
	    CH_OK)
		return err;
	if (inc->zone_id[0] != '\0') {
		struct ch_zone z;

		err = ch_store_zone_get(tx, inc->zone_id, ctx->arena, &z);
		if (err == CH_ERR_NOT_FOUND ||
		    (err == CH_OK && strcmp(z.post_id, inc->post_id) != 0)) {
			ch_fault_set(&ctx->fault, "/zone_id",
			    "no zone of this post has the id %s.",
			    inc->zone_id);
			return CH_ERR_INVALID;
		}
		if (err != CH_OK)
			return err;
	}
	for (size_t i = 0; i < inc->npeople; i++) {
		struct ch_person p;

		err = ch_store_person_get(
		    tx, inc->people[i].person_id, ctx->arena, &p);
		if (err == CH_ERR_NOT_FOUND ||
		    (err == CH_OK && strcmp(p.post_id, inc->post_id) != 0)) {
			ch_fault_set(&ctx->fault, "/people",
			    "people[%zu]: no person of this post has the id "
			    "%s.",
			    i, inc->people[i].person_id);
			return CH_ERR_INVALID;
		}
		if (err != CH_OK)
			return err;
	}
	if (inc->tlp != CH_TLP_RED) {
		inc->nrecipients = 0;
		return CH_OK;
	}
	/* TLP:RED: named recipients only; the reporter is always one, so
	 * that they can read what they reported. */
	if (ctx->who != NULL && inc->reporter_user_id[0] != '\0') {
		bool listed = false;

		for (size_t i = 0; i < inc->nrecipients; i++)
			listed |= strcmp(inc->recipients[i],
				      inc->reporter_user_id) == 0;
		if (!listed && inc->recipients != NULL &&
		    inc->nrecipients < CH_INCIDENT_RECIPIENTS_MAX + 1)
			ch_strlcpy(inc->recipients[inc->nrecipients++],
			    inc->reporter_user_id, CH_ID_LEN);
	}
	if (inc->nrecipients == 0) {
		ch_fault_set(&ctx->fault, "/recipients",
		    "TLP:RED needs named recipients: list the user ids who "
		    "may read it.");
		return CH_ERR_INVALID;
	}
	for (size_t i = 0; i < inc->nrecipients; i++) {
		struct ch_user u;

		err =
		    ch_store_user_by_id(tx, inc->recipients[i], ctx->arena, &u);
		if (err == CH_ERR_NOT_FOUND) {
			ch_fault_set(&ctx->fault, "/recipients",
			    "no user has the id %s.", inc->recipients[i]);
			return CH_ERR_INVALID;
		}
		if (err != CH_OK)
			return err;
	}
	return CH_OK;
}

/* The canonical state of an incident, the bytes its audit records hash. */
static void
incident_state(const struct ch_incident *inc, struct ch_buf *b)
{
	ch_buf_appendf(b,
	    "id=%s\npost=%s\ntype=%s\ncategory=%s\nseverity=%s\nstatus=%s\n"
	    "title=%s\ndescription=%s\nzone=%s\nplace_kind=%s\nplace=%s\n"
	    "location=%.6f,%.6f,%d\noccurred=%s\nreported=%s\nreporter=%s\n"
	    "classification=%s\ntlp=%s\nversion=%lld\n",
	    inc->id, inc->post_id, ch_incident_type_code(inc->type),
	    ch_threat_category_code(inc->category),
	    ch_severity_code(inc->severity),
	    ch_incident_status_code(inc->status), inc->title,
	    inc->description ? inc->description : "", inc->zone_id,
	    ch_place_kind_code(inc->place_kind),
	    inc->place_name ? inc->place_name : "", inc->latitude,
	    inc->longitude, inc->has_location, inc->occurred_at,
	    inc->reported_at, inc->reporter_user_id,
	    ch_clearance_code(inc->classification), ch_tlp_code(inc->tlp),
	    (long long)inc->version);
	for (size_t i = 0; i < inc->npeople; i++)
		ch_buf_appendf(b, "person=%s,%s\n", inc->people[i].person_id,
		    ch_involvement_code(inc->people[i].role));
	for (size_t i = 0; i < inc->nrecipients; i++)
		ch_buf_appendf(b, "recipient=%s\n", inc->recipients[i]);
}

/* Audit, commit and publish an incident write; rolls back on failure. */
static ch_err
finish_write(struct ch_ctx *ctx, struct ch_tx *tx,
    const struct ch_incident *inc, const char *action, const char *event)
{
	struct ch_audit_entry e;
	struct ch_event ev;
	struct ch_buf state;
	ch_err err;

	ch_buf_init(&state, 64 * 1024);
	incident_state(inc, &state);
	e = (struct ch_audit_entry){
	    action, "incident", inc->id, inc->post_id, state.data, state.len};
	err = ch_audit_append(tx, ctx, &e);
	ch_buf_free(&state);
	if (err != CH_OK) {
		ch_store_rollback(tx);
		return err;
	}
	if ((err = ch_store_commit(tx)) != CH_OK)
		return err;
	ev = (struct ch_event){
	    event, "incident", inc->id, inc->post_id, ch_clock_now()};
	ch_events_publish(&ev);
	return CH_OK;
}

ch_err
ch_incidents_report(struct ch_ctx *ctx, const struct ch_incident_input *in,
    struct ch_incident *out)
{
	static const struct {
		unsigned bit;
		const char *field;
	} required[] = {
	    {CH_IF_POST_ID, "/post_id"},
	    {CH_IF_TYPE, "/type"},
	    {CH_IF_CATEGORY, "/category"},
	    {CH_IF_SEVERITY, "/severity"},
	    {CH_IF_TITLE, "/title"},
	    {CH_IF_OCCURRED_AT, "/occurred_at"},
	    {CH_IF_CLASSIFICATION, "/classification"},
	    {CH_IF_TLP, "/tlp"},
	};
	struct ch_incident_input full = *in;
	struct ch_tx *tx = NULL;
	ch_err err;

	for (size_t i = 0; i < CH_ARRAY_LEN(required); i++) {
		if (!(in->set & required[i].bit)) {
			ch_fault_set(&ctx->fault, required[i].field,
			    "%s is required.", required[i].field + 1);
			return CH_ERR_INVALID;
		}
	}
	if (ctx->who != NULL &&
	    !ch_policy_allows(ctx->who, CH_PERM_INCIDENTS_REPORT))
		return CH_ERR_DENIED;
	memset(out, 0, sizeof(*out));
	/* Defaults: a zone means the premises; no recipients list yet. */
	out->place_kind = in->zone_id && *in->zone_id ? CH_PLACE_PREMISES
						      : CH_PLACE_ELSEWHERE;
	if (!(full.set & CH_IF_RECIPIENTS)) {
		full.set |= CH_IF_RECIPIENTS;
		full.nrecipients = 0;
	}
	if ((err = apply(&full, out, ctx->arena, &ctx->fault)) != CH_OK)
		return err;
	ch_id_new(out->id);
	out->status = CH_IST_REPORTED;
	out->version = 1;
	ch_time_format(ch_clock_now(), out->created_at);
	memcpy(out->updated_at, out->created_at, sizeof(out->updated_at));
	if (!(in->set & CH_IF_REPORTED_AT))
		memcpy(out->reported_at, out->created_at,
		    sizeof(out->reported_at));
	if (ctx->who != NULL) {
		ch_strlcpy(out->reporter_user_id, ctx->who->user_id, CH_ID_LEN);
		ch_strlcpy(
		    out->reporter_person_id, ctx->who->person_id, CH_ID_LEN);
	} else {
		if ((in->reporter_user_id && *in->reporter_user_id &&
			!ch_id_valid(in->reporter_user_id)) ||
		    (in->reporter_person_id && *in->reporter_person_id &&
			!ch_id_valid(in->reporter_person_id))) {
			ch_fault_set(&ctx->fault, "/reporter",
			    "the reporter must be a user id and a person id.");
			return CH_ERR_INVALID;
		}
		ch_strlcpy(out->reporter_user_id,
		    in->reporter_user_id ? in->reporter_user_id : "",
		    CH_ID_LEN);
		ch_strlcpy(out->reporter_person_id,
		    in->reporter_person_id ? in->reporter_person_id : "",
		    CH_ID_LEN);
	}
	if ((err = ch_store_begin(ctx->store, true, &tx)) != CH_OK)
		return err;
	if ((err = check_record(ctx, tx, out)) != CH_OK ||
	    (err = ch_store_incident_insert(tx, out)) != CH_OK) {
		ch_store_rollback(tx);
		return err;
	}
	return finish_write(
	    ctx, tx, out, "incident.report", "incident.reported");
}

ch_err
ch_incidents_update(struct ch_ctx *ctx, const char *id,
    const struct ch_incident_input *in, int64_t expected_version,
    struct ch_incident *out)
{
	struct ch_incident_input changes = *in;
	enum ch_clearance before_class;
	struct ch_tx *tx = NULL;
	enum ch_tlp before_tlp;
	ch_err err;

	if (!ch_id_valid(id))
		return CH_ERR_NOT_FOUND;
	/* The post, the reporter and the time of report do not change. */
	changes.set &= ~(unsigned)(CH_IF_POST_ID | CH_IF_REPORTED_AT);
	if ((err = ch_store_begin(ctx->store, true, &tx)) != CH_OK)
		return err;
	err = ch_store_incident_get(tx, id, ctx->arena, out);
	if (err == CH_OK &&
	    !ch_incident_permits(ctx, CH_PERM_INCIDENTS_READ, out))
		err = CH_ERR_NOT_FOUND;
	if (err == CH_OK &&
	    !ch_incident_permits(ctx, CH_PERM_INCIDENTS_WRITE, out))
		err = CH_ERR_DENIED;
	if (err != CH_OK)
		goto fail;
	if (expected_version != 0 && expected_version != out->version) {
		err = CH_ERR_PRECONDITION;
		goto fail;
	}
	before_class = out->classification;
	before_tlp = out->tlp;
	if ((err = apply(&changes, out, ctx->arena, &ctx->fault)) != CH_OK)
		goto fail;
	if (!ch_ctx_may_remark(
		ctx, before_class, before_tlp, out->classification, out->tlp)) {
		err = CH_ERR_DENIED;
		goto fail;
	}
	if ((err = check_record(ctx, tx, out)) != CH_OK)
		goto fail;
	ch_time_format(ch_clock_now(), out->updated_at);
	if ((err = ch_store_incident_update(tx, out, out->version)) != CH_OK)
		goto fail;
	return finish_write(
	    ctx, tx, out, "incident.update", "incident.updated");

fail:
	ch_store_rollback(tx);
	return err;
}

ch_err
ch_incidents_transition(struct ch_ctx *ctx, const char *id, const char *to,
    const char *reason, struct ch_incident *out)
{
	struct ch_incident_transition t;
	enum ch_incident_status target;
	struct ch_tx *tx = NULL;
	const char *action = NULL;
	enum ch_perm perm;
	ch_err err;

	if (!ch_id_valid(id))
		return CH_ERR_NOT_FOUND;
	if (!ch_incident_status_parse(to, &target)) {
		ch_fault_set(&ctx->fault, "/to",
		    "to must be reported, triaged, investigating or closed.");
		return CH_ERR_INVALID;
	}
	if (!check_text(&ctx->fault, "/reason", reason, CH_INCIDENT_REASON_MAX,
		true, true))
		return CH_ERR_INVALID;
	if ((err = ch_store_begin(ctx->store, true, &tx)) != CH_OK)
		return err;
	err = ch_store_incident_get(tx, id, ctx->arena, out);
	if (err == CH_OK &&
	    !ch_incident_permits(ctx, CH_PERM_INCIDENTS_READ, out))
		err = CH_ERR_NOT_FOUND;
	if (err != CH_OK)
		goto fail;
	perm = ch_incident_transition_perm(out->status, target, &action);
	if (perm == CH_PERM_NONE) {
		ch_fault_set(&ctx->fault, "/to",
		    "an incident that is %s cannot move to %s.",
		    ch_incident_status_code(out->status),
		    ch_incident_status_code(target));
		err = CH_ERR_CONFLICT;
		goto fail;
	}
	if (!ch_incident_permits(ctx, perm, out)) {
		ch_fault_set(&ctx->fault, "/to",
		    "moving an incident from %s to %s needs the permission "
		    "%s.",
		    ch_incident_status_code(out->status),
		    ch_incident_status_code(target), ch_perm_code(perm));
		err = CH_ERR_DENIED;
		goto fail;
	}
	memset(&t, 0, sizeof(t));
	ch_id_new(t.id);
	memcpy(t.incident_id, out->id, sizeof(t.incident_id));
	t.from = out->status;
	t.to = target;
	t.reason = (char *)reason;
	t.actor = (char *)ch_ctx_actor(ctx);
	ch_time_format(ch_clock_now(), t.at);
	out->status = target;
	memcpy(out->updated_at, t.at, sizeof(out->updated_at));
	if ((err = ch_store_incident_update(tx, out, out->version)) != CH_OK)
		goto fail;
	t.version = out->version;
	if ((err = ch_store_incident_transition_insert(tx, &t)) != CH_OK)
		goto fail;
	return finish_write(ctx, tx, out, action, "incident.transitioned");

fail:
	ch_store_rollback(tx);
	return err;
}

/* Load each person involved with their immunity; a person the reader may
 * not see keeps only the id and role. */
static ch_err
load_people(struct ch_ctx *ctx, struct ch_tx *tx, struct ch_incident *inc)
{
	char today[CH_DATE_LEN];
	ch_err err;

	ch_date_today(today);
	for (size_t i = 0; i < inc->npeople; i++) {
		struct ch_incident_person *ip = &inc->people[i];
		struct ch_immunity_input imm;
		struct ch_person principal, *pp = NULL;
		struct ch_label l;

		err = ch_store_person_get(
		    tx, ip->person_id, ctx->arena, &ip->person);
		if (err != CH_OK)
			return err;
		if (ip->person.household_of[0] != '\0') {
			err = ch_store_person_get(tx, ip->person.household_of,
			    ctx->arena, &principal);
			if (err != CH_OK)
				return err;
			pp = &principal;
		}
		ch_person_immunity_input(&ip->person, pp, today, &imm);
		if ((err = ch_immunity_derive(&imm, &ip->immunity)) != CH_OK)
			return err;
		l = (struct ch_label){ip->person.post_id,
		    CH_CLEARANCE_UNCLASSIFIED, CH_TLP_CLEAR, ip->person.id,
		    NULL, 0};
		ip->visible = ctx->who == NULL ||
		    ch_policy_decide(ctx->who, CH_PERM_PEOPLE_READ, &l) ==
			CH_ALLOWED;
	}
	return CH_OK;
}

ch_err
ch_incidents_get(
    struct ch_ctx *ctx, const char *id, struct ch_incident_view *out)
{
	struct ch_vienna_facts facts;
	struct ch_post post;
	struct ch_tx *tx = NULL;
	ch_err err;

	memset(out, 0, sizeof(*out));
	if (!ch_id_valid(id))
		return CH_ERR_NOT_FOUND;
	if ((err = ch_store_begin(ctx->store, false, &tx)) != CH_OK)
		return err;
	err = ch_store_incident_get(tx, id, ctx->arena, &out->incident);
	if (err == CH_OK &&
	    !ch_incident_permits(ctx, CH_PERM_INCIDENTS_READ, &out->incident))
		err = CH_ERR_NOT_FOUND;
	if (err != CH_OK)
		goto done;
	if ((err = ch_store_post_get(
		 tx, out->incident.post_id, ctx->arena, &post)) != CH_OK ||
	    (err = load_people(ctx, tx, &out->incident)) != CH_OK)
		goto done;
	if (out->incident.zone_id[0] != '\0') {
		struct ch_zone z;

		if ((err = ch_store_zone_get(
			 tx, out->incident.zone_id, ctx->arena, &z)) != CH_OK)
			goto done;
		out->zone_name = z.name;
	}
	facts = (struct ch_vienna_facts){out->incident.type,
	    out->incident.place_kind, post.kind, post.country,
	    out->incident.people, out->incident.npeople};
	out->narticles = ch_vienna_articles(
	    &facts, out->articles, CH_ARRAY_LEN(out->articles));
	if ((err = ch_store_incident_transitions(tx, id, ctx->arena,
		 &out->transitions, &out->ntransitions)) == CH_OK &&
	    (err = ch_store_evidence_list(
		 tx, id, ctx->arena, &out->evidence, &out->nevidence)) == CH_OK)
		err = ch_audit_timeline(tx, id, CH_INCIDENT_TIMELINE_MAX,
		    ctx->arena, &out->timeline, &out->ntimeline);
done:
	ch_store_rollback(tx);
	return err;
}

ch_err
ch_incidents_list(struct ch_ctx *ctx, const struct ch_incident_filter *f,
    struct ch_incident_page *out)
{
	struct ch_incident_scope scope = {
	    NULL, CH_CLEARANCE_SECRET, NULL, NULL};
	struct ch_tx *tx = NULL;
	ch_err err;

	/*
	 * The same rules as the detail: the user's post (HQ: all), no
	 * classification above the clearance, TLP:RED only for named
	 * recipients, and a user who reads incidents only as their reporter
	 * sees only their own reports.
	 */
	memset(out, 0, sizeof(*out));
	if (ctx->who != NULL) {
		if (!ch_policy_all_posts(ctx->who)) {
			scope.post_id = ctx->who->post_id;
			if (*scope.post_id == '\0')
				return CH_OK;
		}
		scope.clearance_max = (int)ctx->who->clearance;
		scope.user_id = ctx->who->user_id;
		if (!ch_policy_allows(ctx->who, CH_PERM_INCIDENTS_READ)) {
			if (ctx->who->person_id[0] == '\0' ||
			    !ch_perm_own_ok(CH_PERM_INCIDENTS_READ))
				return CH_OK;
			scope.person_id = ctx->who->person_id;
		}
	}
	if ((err = ch_store_begin(ctx->store, false, &tx)) != CH_OK)
		return err;
	err = ch_store_incident_list(tx, f, &scope, ctx->arena, out);
	if (err == CH_ERR_INVALID)
		ch_fault_set(&ctx->fault, "cursor",
		    "the cursor is not one this server gave out; start again "
		    "without it.");
	ch_store_rollback(tx);
	return err;
}
