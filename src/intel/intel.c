/*
 * intel.c — graded intelligence reports: the codes and words of the
 * Admiralty grading, geometry relative to a post, and the use cases over
 * reports (create, change, assess, withdraw, read, list).  Each write
 * checks input, asks the policy with the report's label, writes in one
 * transaction with its audit record and publishes an event after the
 * commit.  A report the policy refuses answers as missing, as incidents do.
 */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "core/audit.h"
#include "core/events.h"
#include "intel/intel.h"
#include "intel/intel_int.h"
#include "store/store.h"

static const char *const source_kind_codes[CH_SOURCE__COUNT] = {
    [CH_SOURCE_HUMAN] = "human",
    [CH_SOURCE_OPEN] = "open_source",
    [CH_SOURCE_LIAISON] = "liaison",
    [CH_SOURCE_TECHNICAL] = "technical",
};
static const char *const status_codes[CH_REPORT_STATUS__COUNT] = {
    [CH_REPORT_ACTIVE] = "active",
    [CH_REPORT_WITHDRAWN] = "withdrawn",
};
static const char *const outcome_codes[CH_OUTCOME__COUNT] = {
    [CH_OUTCOME_UNASSESSED] = "unassessed",
    [CH_OUTCOME_CONFIRMED] = "confirmed",
    [CH_OUTCOME_REFUTED] = "refuted",
};
static const char *const actor_kind_codes[CH_ACTOR_KIND__COUNT] = {
    [CH_ACTOR_GROUP] = "group",
    [CH_ACTOR_INDIVIDUAL] = "individual",
    [CH_ACTOR_STATE] = "state",
};
static const char *const area_codes[CH_AREA__COUNT] = {
    [CH_AREA_POINT] = "point",
    [CH_AREA_CIRCLE] = "circle",
    [CH_AREA_POLYGON] = "polygon",
};

/* The Admiralty scale (DESIGN.md section 8). */
static const char *const reliability_words[6] = {
    "completely reliable",
    "usually reliable",
    "fairly reliable",
    "not usually reliable",
    "unreliable",
    "reliability cannot be judged",
};
static const char *const credibility_words[6] = {
    "confirmed by other sources",
    "probably true",
    "possibly true",
    "doubtful",
    "improbable",
    "truth cannot be judged",
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
ch_source_kind_code(enum ch_source_kind v)
{
	return (unsigned)v < CH_SOURCE__COUNT ? source_kind_codes[v] : "human";
}

bool
ch_source_kind_parse(const char *s, enum ch_source_kind *out)
{
	int i;

	if (!parse_code(s, source_kind_codes, CH_SOURCE__COUNT, &i))
		return false;
	*out = (enum ch_source_kind)i;
	return true;
}

const char *
ch_report_status_code(enum ch_report_status v)
{
	return (unsigned)v < CH_REPORT_STATUS__COUNT ? status_codes[v]
						     : "active";
}

bool
ch_report_status_parse(const char *s, enum ch_report_status *out)
{
	int i;

	if (!parse_code(s, status_codes, CH_REPORT_STATUS__COUNT, &i))
		return false;
	*out = (enum ch_report_status)i;
	return true;
}

const char *
ch_report_outcome_code(enum ch_report_outcome v)
{
	return (unsigned)v < CH_OUTCOME__COUNT ? outcome_codes[v]
					       : "unassessed";
}

bool
ch_report_outcome_parse(const char *s, enum ch_report_outcome *out)
{
	int i;

	if (!parse_code(s, outcome_codes, CH_OUTCOME__COUNT, &i))
		return false;
	*out = (enum ch_report_outcome)i;
	return true;
}

const char *
ch_actor_kind_code(enum ch_actor_kind v)
{
	return (unsigned)v < CH_ACTOR_KIND__COUNT ? actor_kind_codes[v]
						  : "group";
}

bool
ch_actor_kind_parse(const char *s, enum ch_actor_kind *out)
{
	int i;

	if (!parse_code(s, actor_kind_codes, CH_ACTOR_KIND__COUNT, &i))
		return false;
	*out = (enum ch_actor_kind)i;
	return true;
}

const char *
ch_area_kind_code(enum ch_area_kind v)
{
	return (unsigned)v < CH_AREA__COUNT ? area_codes[v] : "point";
}

bool
ch_area_kind_parse(const char *s, enum ch_area_kind *out)
{
	int i;

	if (!parse_code(s, area_codes, CH_AREA__COUNT, &i))
		return false;
	*out = (enum ch_area_kind)i;
	return true;
}

bool
ch_reliability_parse(const char *s, char *out)
{
	if (s == NULL || s[0] < 'A' || s[0] > 'F' || s[1] != '\0')
		return false;
	*out = s[0];
	return true;
}

bool
ch_credibility_valid(long v)
{
	return v >= 1 && v <= 6;
}

const char *
ch_reliability_text(char r)
{
	return r >= 'A' && r <= 'F' ? reliability_words[r - 'A'] : NULL;
}

const char *
ch_credibility_text(int c)
{
	return c >= 1 && c <= 6 ? credibility_words[c - 1] : NULL;
}

void
ch_grading_format(char r, int c, char *out, size_t size)
{
	const char *rw = ch_reliability_text(r), *cw = ch_credibility_text(c);

	if (rw == NULL || cw == NULL) {
		snprintf(out, size, "ungraded");
		return;
	}
	snprintf(out, size, "%c%d — %s, %s", r, c, rw, cw);
}

/*
 * The reliability a record suggests, first row that fits.  A needs a long
 * record with nothing refuted: "completely reliable" is rare by design.
 */
static const struct {
	int64_t min_assessed;
	double min_share; /* confirmed / assessed */
	char letter;
	const char *why;
} suggestion_rules[] = {
    {20, 0.95, 'A', "at least 20 assessed reports, 95% or more confirmed"},
    {CH_INTEL_TRACK_MIN, 0.80, 'B',
	"80% or more of assessed reports "
	"confirmed"},
    {CH_INTEL_TRACK_MIN, 0.60, 'C',
	"60% or more of assessed reports "
	"confirmed"},
    {CH_INTEL_TRACK_MIN, 0.40, 'D',
	"40% or more of assessed reports "
	"confirmed"},
    {CH_INTEL_TRACK_MIN, 0.0, 'E',
	"fewer than 40% of assessed reports "
	"confirmed"},
};

char
ch_intel_suggest_reliability(
    int64_t confirmed, int64_t refuted, const char **why)
{
	int64_t assessed = confirmed + refuted;
	double share = assessed > 0 ? (double)confirmed / (double)assessed : 0;

	for (size_t i = 0; i < CH_ARRAY_LEN(suggestion_rules); i++) {
		if (assessed >= suggestion_rules[i].min_assessed &&
		    share >= suggestion_rules[i].min_share) {
			if (why != NULL)
				*why = suggestion_rules[i].why;
			return suggestion_rules[i].letter;
		}
	}
	if (why != NULL)
		*why = "fewer than 3 assessed reports: cannot be judged yet";
	return 'F';
}

#define EARTH_RADIUS_M 6371008.8
#define RAD(d) ((d)*M_PI / 180.0)

double
ch_geo_distance_m(double lat1, double lon1, double lat2, double lon2)
{
	double dlat = RAD(lat2 - lat1), dlon = RAD(lon2 - lon1);
	double h = sin(dlat / 2) * sin(dlat / 2) +
	    cos(RAD(lat1)) * cos(RAD(lat2)) * sin(dlon / 2) * sin(dlon / 2);

	return 2 * EARTH_RADIUS_M * asin(fmin(1.0, sqrt(h)));
}

double
ch_geo_bearing_deg(double lat1, double lon1, double lat2, double lon2)
{
	double dlon = RAD(lon2 - lon1);
	double y = sin(dlon) * cos(RAD(lat2));
	double x = cos(RAD(lat1)) * sin(RAD(lat2)) -
	    sin(RAD(lat1)) * cos(RAD(lat2)) * cos(dlon);
	double b = atan2(y, x) * 180.0 / M_PI;

	return fmod(b + 360.0, 360.0);
}

bool
ch_intel_report_open(const struct ch_intel_report *r, const char *at)
{
	return r->status == CH_REPORT_ACTIVE &&
	    strcmp(r->valid_from, at) <= 0 && strcmp(at, r->valid_until) <= 0;
}

struct ch_label
ch_intel_report_label(
    const struct ch_intel_report *r, const char **recipients, size_t max)
{
	struct ch_label l = {
	    r->post_id, r->classification, r->tlp, NULL, recipients, 0};

	for (size_t i = 0; i < r->nrecipients && i < max; i++)
		recipients[l.nrecipients++] = r->recipients[i];
	return l;
}

bool
ch_intel_report_permits(
    struct ch_ctx *ctx, enum ch_perm perm, const struct ch_intel_report *r)
{
	const char *recipients[CH_INTEL_RECIPIENTS_MAX + 1];
	struct ch_label l =
	    ch_intel_report_label(r, recipients, CH_ARRAY_LEN(recipients));

	return ch_ctx_permits(ctx, perm, &l);
}

bool
ch_intel_post_permits(
    struct ch_ctx *ctx, enum ch_perm perm, const char *post_id)
{
	struct ch_label l = {
	    post_id, CH_CLEARANCE_UNCLASSIFIED, CH_TLP_CLEAR, NULL, NULL, 0};

	return ch_ctx_permits(ctx, perm, &l);
}

bool
ch_intel_scope_of(const struct ch_ctx *ctx, struct ch_intel_scope *out)
{
	*out = (struct ch_intel_scope){NULL, CH_CLEARANCE_SECRET, NULL};
	if (ctx->who == NULL)
		return true;
	if (!ch_policy_allows(ctx->who, CH_PERM_INTEL_READ))
		return false;
	if (!ch_policy_all_posts(ctx->who)) {
		out->post_id = ctx->who->post_id;
		if (*out->post_id == '\0')
			return false;
	}
	out->clearance_max = (int)ctx->who->clearance;
	out->user_id = ctx->who->user_id;
	return true;
}

ch_err
ch_intel_bad_enum(struct ch_fault *fault, const char *field, const char *list)
{
	ch_fault_set(fault, field, "%s must be one of %s.", &field[1], list);
	return CH_ERR_INVALID;
}

bool
ch_intel_check_time(struct ch_fault *fault, const char *field, const char *s,
    bool past_only, char out[CH_TIMESTAMP_LEN])
{
	int64_t t;

	if (s == NULL || !ch_time_parse(s, &t)) {
		ch_fault_set(fault, field,
		    "%s must be a UTC time such as 2026-03-01T14:30:00Z.",
		    field + 1);
		return false;
	}
	if (past_only && t > ch_clock_now() + 300) {
		ch_fault_set(fault, field, "%s is in the future.", field + 1);
		return false;
	}
	ch_time_format(t, out);
	return true;
}

char *
ch_intel_dup_opt(ch_arena *a, const char *s)
{
	return s == NULL || *s == '\0' ? NULL : ch_arena_strdup(a, s);
}

ch_err
ch_intel_copy_ids(struct ch_fault *fault, const char *field,
    const char *const *in, size_t n, size_t max, ch_arena *a,
    char (**out)[CH_ID_LEN], size_t *count)
{
	if (n > max) {
		ch_fault_set(
		    fault, field, "at most %zu in %s.", max, field + 1);
		return CH_ERR_INVALID;
	}
	/* One more slot: the author joins a TLP:RED list. */
	*out = ch_arena_alloc(a, sizeof(**out) * (n + 1));
	if (*out == NULL)
		return CH_ERR_NOMEM;
	*count = 0;
	for (size_t i = 0; i < n; i++) {
		bool dup = false;

		if (!ch_id_valid(in[i])) {
			ch_fault_set(fault, field, "%s[%zu] is not an id.",
			    field + 1, i);
			return CH_ERR_INVALID;
		}
		for (size_t j = 0; j < *count; j++)
			dup |= strcmp((*out)[j], in[i]) == 0;
		if (!dup)
			ch_strlcpy((*out)[(*count)++], in[i], CH_ID_LEN);
	}
	return CH_OK;
}

ch_err
ch_intel_finish(struct ch_ctx *ctx, struct ch_tx *tx, const char *action,
    const char *object_type, const char *id, const char *post_id,
    const struct ch_buf *state, const char *event)
{
	struct ch_audit_entry e = {
	    action, object_type, id, post_id, state->data, state->len};
	struct ch_event ev;
	ch_err err;

	if ((err = ch_audit_append(tx, ctx, &e)) != CH_OK) {
		ch_store_rollback(tx);
		return err;
	}
	if ((err = ch_store_commit(tx)) != CH_OK)
		return err;
	ev = (struct ch_event){event, object_type, id, post_id, ch_clock_now()};
	ch_events_publish(&ev);
	return CH_OK;
}

/* ---- reports ---- */

/* Apply the given fields of in onto r (strings into arena). */
static ch_err
apply(const struct ch_intel_report_input *in, struct ch_intel_report *r,
    ch_arena *a, struct ch_fault *fault)
{
	unsigned s = in->set;
	ch_err err;

	if (s & CH_RF_POST_ID) {
		if (!ch_id_valid(in->post_id)) {
			ch_fault_set(fault, "/post_id",
			    "post_id must be the id of a post.");
			return CH_ERR_INVALID;
		}
		ch_strlcpy(r->post_id, in->post_id, sizeof(r->post_id));
	}
	if (s & CH_RF_SOURCE_ID) {
		if (!ch_id_valid(in->source_id)) {
			ch_fault_set(fault, "/source_id",
			    "source_id must be the id of a source of the "
			    "post.");
			return CH_ERR_INVALID;
		}
		ch_strlcpy(r->source_id, in->source_id, sizeof(r->source_id));
	}
	if ((s & CH_RF_CATEGORY) &&
	    !ch_threat_category_parse(in->category, &r->category))
		return ch_intel_bad_enum(fault, "/category",
		    "political_violence, terrorism, crime, "
		    "human_intelligence, technical_cyber");
	/* The two halves of the grading are judged, and checked, apart. */
	if ((s & CH_RF_RELIABILITY) &&
	    !ch_reliability_parse(in->reliability, &r->reliability)) {
		ch_fault_set(fault, "/reliability",
		    "reliability is the source's reliability, one letter A "
		    "(completely reliable) to F (cannot be judged).");
		return CH_ERR_INVALID;
	}
	if (s & CH_RF_CREDIBILITY) {
		if (!ch_credibility_valid(in->credibility)) {
			ch_fault_set(fault, "/credibility",
			    "credibility is the information's credibility, 1 "
			    "(confirmed by other sources) to 6 (cannot be "
			    "judged).");
			return CH_ERR_INVALID;
		}
		r->credibility = (int)in->credibility;
	}
	if (s & CH_RF_TITLE) {
		if (!ch_text_check(fault, "/title", in->title,
			CH_INTEL_NAME_MAX, CH_TEXT_REQUIRED))
			return CH_ERR_INVALID;
		r->title = ch_arena_strdup(a, in->title);
	}
	if (s & CH_RF_SUMMARY) {
		if (!ch_text_check(fault, "/summary", in->summary,
			CH_INTEL_SUMMARY_MAX, CH_TEXT_MULTILINE))
			return CH_ERR_INVALID;
		r->summary = ch_intel_dup_opt(a, in->summary);
	}
	if (s & CH_RF_BODY) {
		if (!ch_text_check(fault, "/body", in->body, CH_INTEL_TEXT_MAX,
			CH_TEXT_MULTILINE))
			return CH_ERR_INVALID;
		r->body = ch_intel_dup_opt(a, in->body);
	}
	if ((s & CH_RF_CLASSIFICATION) &&
	    !ch_clearance_parse(in->classification, &r->classification))
		return ch_intel_bad_enum(fault, "/classification",
		    "UNCLASSIFIED, SBU, CONFIDENTIAL, SECRET");
	if ((s & CH_RF_TLP) && !ch_tlp_parse(in->tlp, &r->tlp))
		return ch_intel_bad_enum(
		    fault, "/tlp", "CLEAR, GREEN, AMBER, AMBER+STRICT, RED");
	if ((s & CH_RF_VALID_FROM) &&
	    !ch_intel_check_time(
		fault, "/valid_from", in->valid_from, false, r->valid_from))
		return CH_ERR_INVALID;
	if ((s & CH_RF_VALID_UNTIL) &&
	    !ch_intel_check_time(
		fault, "/valid_until", in->valid_until, false, r->valid_until))
		return CH_ERR_INVALID;
	if ((s & CH_RF_REPORTED_AT) &&
	    !ch_intel_check_time(
		fault, "/reported_at", in->reported_at, true, r->reported_at))
		return CH_ERR_INVALID;
	if ((s & CH_RF_RECIPIENTS) &&
	    (err = ch_intel_copy_ids(fault, "/recipients", in->recipients,
		 in->nrecipients, CH_INTEL_RECIPIENTS_MAX, a, &r->recipients,
		 &r->nrecipients)) != CH_OK)
		return err;
	if ((s & CH_RF_ACTORS) &&
	    (err = ch_intel_copy_ids(fault, "/actor_ids", in->actor_ids,
		 in->nactors, CH_INTEL_LINKS_MAX, a, &r->actor_ids,
		 &r->nactors)) != CH_OK)
		return err;
	if ((s & CH_RF_PLACES) &&
	    (err = ch_intel_copy_ids(fault, "/place_ids", in->place_ids,
		 in->nplaces, CH_INTEL_LINKS_MAX, a, &r->place_ids,
		 &r->nplaces)) != CH_OK)
		return err;
	if ((s & CH_RF_INCIDENTS) &&
	    (err = ch_intel_copy_ids(fault, "/incident_ids", in->incident_ids,
		 in->nincidents, CH_INTEL_LINKS_MAX, a, &r->incident_ids,
		 &r->nincidents)) != CH_OK)
		return err;
	return CH_OK;
}

ch_err
ch_intel_check_incidents(struct ch_ctx *ctx, struct ch_tx *tx,
    const char *post_id, const char (*ids)[CH_ID_LEN], size_t n,
    const char *field)
{
	for (size_t i = 0; i < n; i++) {
		const char *recipients[CH_INCIDENT_RECIPIENTS_MAX];
		struct ch_incident inc;
		struct ch_label l;
		ch_err err;

		err = ch_store_incident_get(tx, ids[i], ctx->arena, &inc);
		if (err == CH_OK) {
			l = ch_incident_label(
			    &inc, recipients, CH_ARRAY_LEN(recipients));
			if (strcmp(inc.post_id, post_id) != 0 ||
			    !ch_ctx_permits(ctx, CH_PERM_INCIDENTS_READ, &l))
				err = CH_ERR_NOT_FOUND;
		}
		if (err == CH_ERR_NOT_FOUND) {
			ch_fault_set(&ctx->fault, field,
			    "no incident of this post that you may read has "
			    "the id %s.",
			    ids[i]);
			return CH_ERR_INVALID;
		}
		if (err != CH_OK)
			return err;
	}
	return CH_OK;
}

/* Rules over the whole record and the store.  The incident links are
 * checked when they are set (an editor who may not read a linked incident
 * can still change the rest of the report). */
static ch_err
check_record(struct ch_ctx *ctx, struct ch_tx *tx, struct ch_intel_report *r,
    bool incidents_set)
{
	struct ch_intel_source src;
	struct ch_post post;
	ch_err err;

	if (strcmp(r->valid_from, r->valid_until) > 0) {
		ch_fault_set(&ctx->fault, "/valid_until",
		    "valid_until (%s) is before valid_from (%s).",
		    r->valid_until, r->valid_from);
		return CH_ERR_INVALID;
	}
	if (!ch_ctx_may_classify(ctx, r->classification))
		return CH_ERR_INVALID;
	if ((err = ch_posts_check_record(ctx, tx, r->post_id, &post)) != CH_OK)
		return err;
	err = ch_store_intel_source_get(
	    tx, r->source_id, false, ctx->arena, &src);
	if (err == CH_ERR_NOT_FOUND ||
	    (err == CH_OK && strcmp(src.post_id, r->post_id) != 0)) {
		ch_fault_set(&ctx->fault, "/source_id",
		    "no source of this post has the id %s.", r->source_id);
		return CH_ERR_INVALID;
	}
	if (err != CH_OK)
		return err;
	r->source_name = src.name;
	r->source_kind = src.kind;
	for (size_t i = 0; i < r->nactors; i++) {
		struct ch_intel_actor x;

		err = ch_store_intel_actor_get(
		    tx, r->actor_ids[i], ctx->arena, &x);
		if (err == CH_ERR_NOT_FOUND ||
		    (err == CH_OK && strcmp(x.post_id, r->post_id) != 0)) {
			ch_fault_set(&ctx->fault, "/actor_ids",
			    "no threat actor of this post has the id %s.",
			    r->actor_ids[i]);
			return CH_ERR_INVALID;
		}
		if (err != CH_OK)
			return err;
	}
	for (size_t i = 0; i < r->nplaces; i++) {
		struct ch_intel_place x;

		err = ch_store_intel_place_get(
		    tx, r->place_ids[i], ctx->arena, &x);
		if (err == CH_ERR_NOT_FOUND ||
		    (err == CH_OK && strcmp(x.post_id, r->post_id) != 0)) {
			ch_fault_set(&ctx->fault, "/place_ids",
			    "no named place of this post has the id %s.",
			    r->place_ids[i]);
			return CH_ERR_INVALID;
		}
		if (err != CH_OK)
			return err;
	}
	if (incidents_set &&
	    (err = ch_intel_check_incidents(ctx, tx, r->post_id,
		 (const char(*)[CH_ID_LEN])r->incident_ids, r->nincidents,
		 "/incident_ids")) != CH_OK)
		return err;
	if (r->tlp != CH_TLP_RED) {
		r->nrecipients = 0;
		return CH_OK;
	}
	/* TLP:RED: named recipients only; the author is always one. */
	if (r->author_user_id[0] != '\0' && r->recipients != NULL) {
		bool listed = false;

		for (size_t i = 0; i < r->nrecipients; i++)
			listed |=
			    strcmp(r->recipients[i], r->author_user_id) == 0;
		if (!listed && r->nrecipients < CH_INTEL_RECIPIENTS_MAX + 1)
			ch_strlcpy(r->recipients[r->nrecipients++],
			    r->author_user_id, CH_ID_LEN);
	}
	if (r->nrecipients == 0) {
		ch_fault_set(&ctx->fault, "/recipients",
		    "TLP:RED needs named recipients: list the user ids who "
		    "may read it.");
		return CH_ERR_INVALID;
	}
	for (size_t i = 0; i < r->nrecipients; i++) {
		struct ch_user u;

		err = ch_store_user_by_id(tx, r->recipients[i], ctx->arena, &u);
		if (err == CH_ERR_NOT_FOUND) {
			ch_fault_set(&ctx->fault, "/recipients",
			    "no user has the id %s.", r->recipients[i]);
			return CH_ERR_INVALID;
		}
		if (err != CH_OK)
			return err;
	}
	return CH_OK;
}

/* The canonical state of a report, the bytes its audit records hash. */
static void
report_state(const struct ch_intel_report *r, struct ch_buf *b)
{
	ch_buf_appendf(b,
	    "id=%s\npost=%s\nsource=%s\ncategory=%s\nreliability=%c\n"
	    "credibility=%d\ntitle=%s\nsummary=%s\nbody=%s\n"
	    "classification=%s\ntlp=%s\nvalid=%s..%s\nreported=%s\n"
	    "status=%s\noutcome=%s\noutcome_note=%s\noutcome_at=%s\n"
	    "author=%s\nversion=%lld\n",
	    r->id, r->post_id, r->source_id,
	    ch_threat_category_code(r->category), r->reliability,
	    r->credibility, r->title, r->summary ? r->summary : "",
	    r->body ? r->body : "", ch_clearance_code(r->classification),
	    ch_tlp_code(r->tlp), r->valid_from, r->valid_until, r->reported_at,
	    ch_report_status_code(r->status),
	    ch_report_outcome_code(r->outcome),
	    r->outcome_note ? r->outcome_note : "", r->outcome_at,
	    r->author_user_id, (long long)r->version);
	for (size_t i = 0; i < r->nrecipients; i++)
		ch_buf_appendf(b, "recipient=%s\n", r->recipients[i]);
	for (size_t i = 0; i < r->nactors; i++)
		ch_buf_appendf(b, "actor=%s\n", r->actor_ids[i]);
	for (size_t i = 0; i < r->nplaces; i++)
		ch_buf_appendf(b, "place=%s\n", r->place_ids[i]);
	for (size_t i = 0; i < r->nincidents; i++)
		ch_buf_appendf(b, "incident=%s\n", r->incident_ids[i]);
}

static ch_err
finish_report(struct ch_ctx *ctx, struct ch_tx *tx,
    const struct ch_intel_report *r, const char *action, const char *event)
{
	struct ch_buf state;
	ch_err err;

	ch_buf_init(&state, 128 * 1024);
	report_state(r, &state);
	err = ch_intel_finish(
	    ctx, tx, action, "intel_report", r->id, r->post_id, &state, event);
	ch_buf_free(&state);
	return err;
}

ch_err
ch_intel_report_create(struct ch_ctx *ctx,
    const struct ch_intel_report_input *in, struct ch_intel_report *out)
{
	static const struct {
		unsigned bit;
		const char *field;
	} required[] = {
	    {CH_RF_POST_ID, "/post_id"},
	    {CH_RF_SOURCE_ID, "/source_id"},
	    {CH_RF_CATEGORY, "/category"},
	    {CH_RF_RELIABILITY, "/reliability"},
	    {CH_RF_CREDIBILITY, "/credibility"},
	    {CH_RF_TITLE, "/title"},
	    {CH_RF_CLASSIFICATION, "/classification"},
	    {CH_RF_TLP, "/tlp"},
	    {CH_RF_VALID_FROM, "/valid_from"},
	    {CH_RF_VALID_UNTIL, "/valid_until"},
	};
	struct ch_intel_report_input full = *in;
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
	    !ch_policy_allows(ctx->who, CH_PERM_INTEL_WRITE))
		return CH_ERR_DENIED;
	memset(out, 0, sizeof(*out));
	full.set |=
	    CH_RF_RECIPIENTS | CH_RF_ACTORS | CH_RF_PLACES | CH_RF_INCIDENTS;
	if (!(in->set & CH_RF_RECIPIENTS))
		full.nrecipients = 0;
	if (!(in->set & CH_RF_ACTORS))
		full.nactors = 0;
	if (!(in->set & CH_RF_PLACES))
		full.nplaces = 0;
	if (!(in->set & CH_RF_INCIDENTS))
		full.nincidents = 0;
	if ((err = apply(&full, out, ctx->arena, &ctx->fault)) != CH_OK)
		return err;
	ch_id_new(out->id);
	out->status = CH_REPORT_ACTIVE;
	out->outcome = CH_OUTCOME_UNASSESSED;
	out->version = 1;
	ch_time_format(ch_clock_now(), out->created_at);
	memcpy(out->updated_at, out->created_at, sizeof(out->updated_at));
	if (!(in->set & CH_RF_REPORTED_AT))
		memcpy(out->reported_at, out->created_at,
		    sizeof(out->reported_at));
	if (ctx->who != NULL) {
		ch_strlcpy(out->author_user_id, ctx->who->user_id, CH_ID_LEN);
		ch_strlcpy(
		    out->author_person_id, ctx->who->person_id, CH_ID_LEN);
	} else if (in->author_user_id != NULL && *in->author_user_id) {
		if (!ch_id_valid(in->author_user_id)) {
			ch_fault_set(&ctx->fault, "/author",
			    "the author must be a user id.");
			return CH_ERR_INVALID;
		}
		ch_strlcpy(out->author_user_id, in->author_user_id, CH_ID_LEN);
	}
	if ((err = ch_store_begin(ctx->store, true, &tx)) != CH_OK)
		return err;
	if ((err = check_record(ctx, tx, out, true)) != CH_OK ||
	    (err = ch_store_intel_report_insert(tx, out)) != CH_OK) {
		ch_store_rollback(tx);
		return err;
	}
	return finish_report(
	    ctx, tx, out, "intel.report.create", "intel.report.created");
}

/* Load report id for a write: readable (else missing), writable (else
 * denied), at the expected version (0: any). */
static ch_err
load_for_write(struct ch_ctx *ctx, struct ch_tx *tx, const char *id,
    int64_t expected_version, struct ch_intel_report *out)
{
	ch_err err = ch_store_intel_report_get(tx, id, ctx->arena, out);

	if (err == CH_OK &&
	    !ch_intel_report_permits(ctx, CH_PERM_INTEL_READ, out))
		err = CH_ERR_NOT_FOUND;
	if (err == CH_OK &&
	    !ch_intel_report_permits(ctx, CH_PERM_INTEL_WRITE, out))
		err = CH_ERR_DENIED;
	if (err == CH_OK && expected_version != 0 &&
	    expected_version != out->version)
		err = CH_ERR_PRECONDITION;
	return err;
}

ch_err
ch_intel_report_update(struct ch_ctx *ctx, const char *id,
    const struct ch_intel_report_input *in, int64_t expected_version,
    struct ch_intel_report *out)
{
	struct ch_intel_report_input changes = *in;
	enum ch_clearance before_class;
	struct ch_tx *tx = NULL;
	enum ch_tlp before_tlp;
	ch_err err;

	if (!ch_id_valid(id))
		return CH_ERR_NOT_FOUND;
	/* The post and the author do not change. */
	changes.set &= ~(unsigned)CH_RF_POST_ID;
	if ((err = ch_store_begin(ctx->store, true, &tx)) != CH_OK)
		return err;
	if ((err = load_for_write(ctx, tx, id, expected_version, out)) != CH_OK)
		goto fail;
	before_class = out->classification;
	before_tlp = out->tlp;
	if ((err = apply(&changes, out, ctx->arena, &ctx->fault)) != CH_OK)
		goto fail;
	if (!ch_ctx_may_remark(
		ctx, before_class, before_tlp, out->classification, out->tlp)) {
		err = CH_ERR_DENIED;
		goto fail;
	}
	if ((err = check_record(
		 ctx, tx, out, (changes.set & CH_RF_INCIDENTS) != 0)) != CH_OK)
		goto fail;
	ch_time_format(ch_clock_now(), out->updated_at);
	if ((err = ch_store_intel_report_update(tx, out, out->version)) !=
	    CH_OK)
		goto fail;
	return finish_report(
	    ctx, tx, out, "intel.report.update", "intel.report.updated");

fail:
	ch_store_rollback(tx);
	return err;
}

ch_err
ch_intel_report_assess(struct ch_ctx *ctx, const char *id, const char *outcome,
    const char *note, struct ch_intel_report *out)
{
	enum ch_report_outcome o;
	struct ch_tx *tx = NULL;
	ch_err err;

	if (!ch_id_valid(id))
		return CH_ERR_NOT_FOUND;
	if (!ch_report_outcome_parse(outcome, &o))
		return ch_intel_bad_enum(
		    &ctx->fault, "/outcome", "unassessed, confirmed, refuted");
	if (!ch_text_check(&ctx->fault, "/note", note, CH_INTEL_NOTE_MAX,
		CH_TEXT_MULTILINE))
		return CH_ERR_INVALID;
	if ((err = ch_store_begin(ctx->store, true, &tx)) != CH_OK)
		return err;
	if ((err = load_for_write(ctx, tx, id, 0, out)) != CH_OK)
		goto fail;
	out->outcome = o;
	out->outcome_note = ch_intel_dup_opt(ctx->arena, note);
	ch_time_format(ch_clock_now(), out->updated_at);
	if (o == CH_OUTCOME_UNASSESSED)
		out->outcome_at[0] = '\0';
	else
		memcpy(
		    out->outcome_at, out->updated_at, sizeof(out->outcome_at));
	if ((err = ch_store_intel_report_update(tx, out, out->version)) !=
	    CH_OK)
		goto fail;
	return finish_report(
	    ctx, tx, out, "intel.report.assess", "intel.report.assessed");

fail:
	ch_store_rollback(tx);
	return err;
}

ch_err
ch_intel_report_set_status(struct ch_ctx *ctx, const char *id,
    const char *status, struct ch_intel_report *out)
{
	enum ch_report_status st;
	struct ch_tx *tx = NULL;
	ch_err err;

	if (!ch_id_valid(id))
		return CH_ERR_NOT_FOUND;
	if (!ch_report_status_parse(status, &st))
		return ch_intel_bad_enum(
		    &ctx->fault, "/status", "active, withdrawn");
	if ((err = ch_store_begin(ctx->store, true, &tx)) != CH_OK)
		return err;
	if ((err = load_for_write(ctx, tx, id, 0, out)) != CH_OK)
		goto fail;
	if (out->status == st) {
		ch_fault_set(&ctx->fault, "/status",
		    "the report is already %s.", ch_report_status_code(st));
		err = CH_ERR_CONFLICT;
		goto fail;
	}
	out->status = st;
	ch_time_format(ch_clock_now(), out->updated_at);
	if ((err = ch_store_intel_report_update(tx, out, out->version)) !=
	    CH_OK)
		goto fail;
	return st == CH_REPORT_WITHDRAWN
	    ? finish_report(ctx, tx, out, "intel.report.withdraw",
		  "intel.report.withdrawn")
	    : finish_report(ctx, tx, out, "intel.report.reinstate",
		  "intel.report.reinstated");

fail:
	ch_store_rollback(tx);
	return err;
}

/* The names of linked actors / places; a link the store no longer holds
 * keeps its id only. */
static ch_err
name_links(struct ch_ctx *ctx, struct ch_tx *tx, const char (*ids)[CH_ID_LEN],
    size_t n, bool places, struct ch_intel_link **out, size_t *count)
{
	*count = 0;
	*out = ch_arena_alloc(ctx->arena, sizeof(**out) * (n + 1));
	if (*out == NULL)
		return CH_ERR_NOMEM;
	for (size_t i = 0; i < n; i++) {
		struct ch_intel_link *l = &(*out)[(*count)++];
		ch_err err;

		memset(l, 0, sizeof(*l));
		ch_strlcpy(l->id, ids[i], CH_ID_LEN);
		if (places) {
			struct ch_intel_place p;

			err = ch_store_intel_place_get(
			    tx, ids[i], ctx->arena, &p);
			if (err == CH_OK)
				l->name = p.name;
		} else {
			struct ch_intel_actor a;

			err = ch_store_intel_actor_get(
			    tx, ids[i], ctx->arena, &a);
			if (err == CH_OK)
				l->name = a.name;
		}
		if (err != CH_OK && err != CH_ERR_NOT_FOUND)
			return err;
	}
	return CH_OK;
}

ch_err
ch_intel_incident_links(struct ch_ctx *ctx, struct ch_tx *tx,
    const char (*ids)[CH_ID_LEN], size_t n, struct ch_intel_link **out,
    size_t *count)
{
	*count = 0;
	*out = ch_arena_alloc(ctx->arena, sizeof(**out) * (n + 1));
	if (*out == NULL)
		return CH_ERR_NOMEM;
	for (size_t i = 0; i < n; i++) {
		const char *recipients[CH_INCIDENT_RECIPIENTS_MAX];
		struct ch_incident inc;
		struct ch_label l;
		ch_err err;

		err = ch_store_incident_get(tx, ids[i], ctx->arena, &inc);
		if (err == CH_ERR_NOT_FOUND)
			continue;
		if (err != CH_OK)
			return err;
		l = ch_incident_label(
		    &inc, recipients, CH_ARRAY_LEN(recipients));
		/* An incident the reader may not read is not mentioned. */
		if (!ch_ctx_permits(ctx, CH_PERM_INCIDENTS_READ, &l))
			continue;
		ch_strlcpy((*out)[*count].id, ids[i], CH_ID_LEN);
		(*out)[(*count)++].name = inc.title;
	}
	return CH_OK;
}

ch_err
ch_intel_report_get(
    struct ch_ctx *ctx, const char *id, struct ch_intel_report_view *out)
{
	struct ch_intel_report *r = &out->report;
	struct ch_tx *tx = NULL;
	ch_err err;

	memset(out, 0, sizeof(*out));
	if (!ch_id_valid(id))
		return CH_ERR_NOT_FOUND;
	if ((err = ch_store_begin(ctx->store, false, &tx)) != CH_OK)
		return err;
	err = ch_store_intel_report_get(tx, id, ctx->arena, r);
	if (err == CH_OK &&
	    !ch_intel_report_permits(ctx, CH_PERM_INTEL_READ, r))
		err = CH_ERR_NOT_FOUND;
	if (err == CH_OK &&
	    (err = ch_store_intel_source_get(
		 tx, r->source_id, false, ctx->arena, &out->source)) == CH_OK &&
	    (err = name_links(ctx, tx, (const char(*)[CH_ID_LEN])r->actor_ids,
		 r->nactors, false, &out->actors, &out->nactors)) == CH_OK &&
	    (err = name_links(ctx, tx, (const char(*)[CH_ID_LEN])r->place_ids,
		 r->nplaces, true, &out->places, &out->nplaces)) == CH_OK &&
	    (err = ch_intel_incident_links(ctx, tx,
		 (const char(*)[CH_ID_LEN])r->incident_ids, r->nincidents,
		 &out->incidents, &out->nincidents)) == CH_OK)
		err = ch_audit_timeline(
		    tx, id, 500, ctx->arena, &out->timeline, &out->ntimeline);
	ch_store_rollback(tx);
	return err;
}

ch_err
ch_intel_report_list(struct ch_ctx *ctx, const struct ch_intel_report_filter *f,
    struct ch_intel_report_page *out)
{
	struct ch_intel_scope scope;
	struct ch_tx *tx = NULL;
	ch_err err;

	/* The same rules as the detail: the user's post (HQ: all), no
	 * classification above the clearance, TLP:RED only for named
	 * recipients. */
	memset(out, 0, sizeof(*out));
	if (!ch_intel_scope_of(ctx, &scope))
		return CH_OK;
	if ((err = ch_store_begin(ctx->store, false, &tx)) != CH_OK)
		return err;
	err = ch_store_intel_report_list(tx, f, &scope, ctx->arena, out);
	if (err == CH_ERR_INVALID)
		ch_fault_set(&ctx->fault, "cursor",
		    "the cursor is not one this server gave out; start again "
		    "without it.");
	ch_store_rollback(tx);
	return err;
}
