/*
 * h_people.c — the people routes: JSON in, struct ch_person_input to the
 * use cases, struct ch_person and its view back out as JSON.
 */
#include <stdlib.h>
#include <string.h>

#include "http/http.h"
#include "people/people.h"

static const char *const categories[] = {"diplomatic_agent",
    "administrative_technical", "service_staff", "private_servant",
    "consular_officer", "consular_employee", "honorary_consular_officer",
    "locally_employed", "family_member", "contractor", NULL};
static const char *const genders[] = {
    "female", "male", "other", "unspecified", NULL};
static const char *const clearances[] = {
    "UNCLASSIFIED", "SBU", "CONFIDENTIAL", "SECRET", NULL};
static const char *const relationships[] = {
    "spouse", "partner", "child", "parent", "other", NULL};

/* The person fields; create requires the first five. */
#define PERSON_FIELDS(REQ)                                                     \
	{"post_id", CH_J_ID, REQ, false, 36, NULL, "The post."},               \
	    {"given_name", CH_J_STRING, REQ, false, CH_NAME_MAX, NULL,         \
		"Given names, as in the passport."},                           \
	    {"family_name", CH_J_STRING, REQ, false, CH_NAME_MAX, NULL,        \
		"Family name, as in the passport."},                           \
	    {"category", CH_J_ENUM, REQ, false, 40, categories,                \
		"Staff category under the Vienna Conventions."},               \
	    {"nationality", CH_J_STRING, REQ, false, 2, NULL,                  \
		"ISO 3166-1 alpha-2 code."},                                   \
	    {"host_national", CH_J_BOOL, false, false, 0, NULL,                \
		"A national of the host state."},                              \
	    {"permanent_resident", CH_J_BOOL, false, false, 0, NULL,           \
		"Permanently resident in the host state."},                    \
	    {"notified_on", CH_J_DATE, false, true, 10, NULL,                  \
		"Date the host ministry was notified."},                       \
	    {"arrived_on", CH_J_DATE, false, true, 10, NULL,                   \
		"Date of entry to take up post."},                             \
	    {"functions_end_on", CH_J_DATE, false, true, 10, NULL,             \
		"Date functions end."},                                        \
	    {"date_of_birth", CH_J_DATE, false, true, 10, NULL, NULL},         \
	    {"gender", CH_J_ENUM, false, true, 20, genders, NULL},             \
	    {"position", CH_J_STRING, false, true, CH_TEXT_MAX, NULL,          \
		"Job title."},                                                 \
	    {"clearance", CH_J_ENUM, false, false, 20, clearances, NULL},      \
	    {"email", CH_J_STRING, false, true, 254, NULL, NULL},              \
	    {"phone", CH_J_STRING, false, true, 32, NULL, NULL},               \
	    {"household_of", CH_J_ID, false, true, 36, NULL,                   \
		"The staff member whose household this person belongs to."},   \
	{                                                                      \
		"relationship", CH_J_ENUM, false, true, 20, relationships,     \
		    "Relationship to the staff member."                        \
	}

static const struct ch_jfield create_fields[] = {PERSON_FIELDS(true)};
static const struct ch_jfield update_fields[] = {PERSON_FIELDS(false)};

const struct ch_jschema ch_schema_person_create = {
    "PersonCreate", create_fields, CH_ARRAY_LEN(create_fields)};
const struct ch_jschema ch_schema_person_update = {
    "PersonUpdate", update_fields, CH_ARRAY_LEN(update_fields)};

static const struct ch_jfield training_fields[] = {
    {"course", CH_J_STRING, true, false, CH_TEXT_MAX, NULL,
	"e.g. Security briefing, Counter-threat course."},
    {"completed_on", CH_J_DATE, true, false, 10, NULL, NULL},
    {"expires_on", CH_J_DATE, false, true, 10, NULL, NULL},
};
const struct ch_jschema ch_schema_training_create = {
    "TrainingCreate", training_fields, CH_ARRAY_LEN(training_fields)};

/* Fill a person input from a checked JSON body. */
static void
person_input(const json_t *b, struct ch_person_input *in)
{
	static const struct {
		const char *name;
		unsigned bit;
		size_t offset;
	} text[] = {
	    {"post_id", CH_PF_POST_ID,
		offsetof(struct ch_person_input, post_id)},
	    {"given_name", CH_PF_GIVEN_NAME,
		offsetof(struct ch_person_input, given_name)},
	    {"family_name", CH_PF_FAMILY_NAME,
		offsetof(struct ch_person_input, family_name)},
	    {"category", CH_PF_CATEGORY,
		offsetof(struct ch_person_input, category)},
	    {"nationality", CH_PF_NATIONALITY,
		offsetof(struct ch_person_input, nationality)},
	    {"notified_on", CH_PF_NOTIFIED_ON,
		offsetof(struct ch_person_input, notified_on)},
	    {"arrived_on", CH_PF_ARRIVED_ON,
		offsetof(struct ch_person_input, arrived_on)},
	    {"functions_end_on", CH_PF_FUNCTIONS_END_ON,
		offsetof(struct ch_person_input, functions_end_on)},
	    {"date_of_birth", CH_PF_DATE_OF_BIRTH,
		offsetof(struct ch_person_input, date_of_birth)},
	    {"gender", CH_PF_GENDER, offsetof(struct ch_person_input, gender)},
	    {"position", CH_PF_POSITION,
		offsetof(struct ch_person_input, position)},
	    {"clearance", CH_PF_CLEARANCE,
		offsetof(struct ch_person_input, clearance)},
	    {"email", CH_PF_EMAIL, offsetof(struct ch_person_input, email)},
	    {"phone", CH_PF_PHONE, offsetof(struct ch_person_input, phone)},
	    {"household_of", CH_PF_HOUSEHOLD_OF,
		offsetof(struct ch_person_input, household_of)},
	    {"relationship", CH_PF_RELATIONSHIP,
		offsetof(struct ch_person_input, relationship)},
	};

	memset(in, 0, sizeof(*in));
	for (size_t i = 0; i < CH_ARRAY_LEN(text); i++) {
		if (!ch_json_has(b, text[i].name))
			continue;
		in->set |= text[i].bit;
		*(const char **)((char *)in + text[i].offset) =
		    ch_json_str(b, text[i].name);
	}
	if (ch_json_has(b, "host_national")) {
		in->set |= CH_PF_HOST_NATIONAL;
		in->host_national =
		    json_is_true(json_object_get(b, "host_national"));
	}
	if (ch_json_has(b, "permanent_resident")) {
		in->set |= CH_PF_PERMANENT_RESIDENT;
		in->permanent_resident =
		    json_is_true(json_object_get(b, "permanent_resident"));
	}
}

static json_t *
person_json(const struct ch_person *p)
{
	json_t *o = json_object();

	json_object_set_new(o, "id", json_string(p->id));
	json_object_set_new(o, "post_id", json_string(p->post_id));
	json_object_set_new(o, "given_name", json_string(p->given_name));
	json_object_set_new(o, "family_name", json_string(p->family_name));
	json_object_set_new(o, "full_name",
	    json_sprintf("%s %s", p->given_name, p->family_name));
	json_object_set_new(
	    o, "category", json_string(ch_staff_category_code(p->category)));
	json_object_set_new(o, "category_label",
	    json_string(ch_staff_category_label(p->category)));
	json_object_set_new(o, "nationality", json_string(p->nationality));
	json_object_set_new(o, "host_national", json_boolean(p->host_national));
	json_object_set_new(
	    o, "permanent_resident", json_boolean(p->permanent_resident));
	json_object_set_new(
	    o, "notified_on", ch_json_str_or_null(p->notified_on));
	json_object_set_new(
	    o, "arrived_on", ch_json_str_or_null(p->arrived_on));
	json_object_set_new(
	    o, "functions_end_on", ch_json_str_or_null(p->functions_end_on));
	json_object_set_new(
	    o, "date_of_birth", ch_json_str_or_null(p->date_of_birth));
	json_object_set_new(o, "gender", ch_json_str_or_null(p->gender));
	json_object_set_new(o, "position", ch_json_str_or_null(p->position));
	json_object_set_new(
	    o, "clearance", json_string(ch_clearance_code(p->clearance)));
	json_object_set_new(o, "email", ch_json_str_or_null(p->email));
	json_object_set_new(o, "phone", ch_json_str_or_null(p->phone));
	json_object_set_new(
	    o, "household_of", ch_json_str_or_null(p->household_of));
	json_object_set_new(
	    o, "relationship", ch_json_str_or_null(p->relationship));
	json_object_set_new(o, "version", json_integer(p->version));
	json_object_set_new(o, "created_at", json_string(p->created_at));
	json_object_set_new(o, "updated_at", json_string(p->updated_at));
	return o;
}

static json_t *
immunity_json(const struct ch_immunity_profile *im)
{
	json_t *articles = json_array(), *notes = json_array();

	for (size_t i = 0; i < im->narticles; i++)
		json_array_append_new(articles, json_string(im->articles[i]));
	for (size_t i = 0; i < im->nnotes; i++)
		json_array_append_new(notes, json_string(im->notes[i]));
	return json_pack("{s:s, s:o, s:s, s:s, s:s, s:s, s:b, s:b, s:b, s:o, "
			 "s:s, s:s?, s:s?, s:o, s:o, s:b, s:o}",
	    "convention", im->convention, "articles", articles, "arrest",
	    ch_arrest_rule_code(im->arrest), "criminal",
	    ch_immunity_level_code(im->criminal), "civil",
	    ch_immunity_level_code(im->civil), "administrative",
	    ch_immunity_level_code(im->administrative), "residence_inviolable",
	    im->residence_inviolable, "tax_exempt_pay", im->tax_exempt_pay,
	    "waivable", im->waivable, "waiver", ch_json_str_or_null(im->waiver),
	    "summary", im->summary, "starts", im->starts, "ends", im->ends,
	    "starts_on", ch_json_str_or_null(im->starts_on), "ends_on",
	    ch_json_str_or_null(im->ends_on), "in_force", im->in_force, "notes",
	    notes);
}

/* The short immunity of a list row, with the household principal's
 * status when the row is a household member. */
static json_t *
immunity_badge(const struct ch_person *p,
    const struct ch_principal_status *principal, const char *today)
{
	struct ch_immunity_input in;
	struct ch_immunity_profile im;

	ch_person_immunity_input(p, NULL, today, &in);
	if (principal != NULL && principal->known) {
		in.has_principal = true;
		in.principal_category = principal->category;
		in.principal_local = principal->local;
	}
	if (ch_immunity_derive(&in, &im) != CH_OK)
		return json_null();
	return json_pack("{s:s, s:s, s:b}", "arrest",
	    ch_arrest_rule_code(im.arrest), "criminal",
	    ch_immunity_level_code(im.criminal), "in_force", im.in_force);
}

static void
reply_person(struct ch_req *req, unsigned status, const struct ch_person *p)
{
	json_t *o = person_json(p);

	snprintf(
	    req->etag, sizeof(req->etag), "\"%lld\"", (long long)p->version);
	ch_reply_json(req, status, o);
}

void
ch_h_people_list(struct ch_req *req)
{
	struct ch_person_filter f = {0};
	struct ch_person_page page;
	const char *s;
	char today[CH_DATE_LEN];
	json_t *items;
	long limit = 50;
	ch_err err;

	f.query = ch_req_query(req, "q");
	f.post_id = ch_req_query(req, "post_id");
	f.cursor = ch_req_query(req, "cursor");
	f.host_national = -1;
	if (f.query != NULL &&
	    (strlen(f.query) > 200 ||
		!ch_utf8_valid(f.query, strlen(f.query)))) {
		ch_reply_problem(req, "bad-query",
		    "q must be UTF-8 text of at most 200 bytes.", "q");
		return;
	}
	if (f.post_id != NULL && *f.post_id != '\0' &&
	    !ch_id_valid(f.post_id)) {
		ch_reply_problem(
		    req, "bad-query", "post_id must be a post id.", "post_id");
		return;
	}
	if ((s = ch_req_query(req, "category")) != NULL && *s != '\0') {
		if (!ch_staff_category_parse(s, &f.category)) {
			ch_reply_problem(req, "bad-query",
			    "category is not a staff category; see "
			    "/api/v1/reference/staff-categories.",
			    "category");
			return;
		}
		f.has_category = true;
	}
	if ((s = ch_req_query(req, "host_national")) != NULL && *s != '\0') {
		if (strcmp(s, "true") != 0 && strcmp(s, "false") != 0) {
			ch_reply_problem(req, "bad-query",
			    "host_national must be true or false.",
			    "host_national");
			return;
		}
		f.host_national = strcmp(s, "true") == 0;
	}
	if ((s = ch_req_query(req, "limit")) != NULL &&
	    !ch_parse_long(s, 1, CH_LIST_LIMIT_MAX, &limit)) {
		ch_reply_problem(req, "bad-query",
		    "limit must be a whole number from 1 to 200.", "limit");
		return;
	}
	f.limit = (int)limit;
	if (f.post_id != NULL && *f.post_id == '\0')
		f.post_id = NULL;
	if ((err = ch_people_list(&req->ctx, &f, &page)) != CH_OK) {
		if (err == CH_ERR_INVALID)
			ch_reply_problem(
			    req, "bad-cursor", req->ctx.fault.detail, "cursor");
		else
			ch_reply_error(req, err);
		return;
	}
	ch_date_today(today);
	items = json_array();
	for (size_t i = 0; i < page.count; i++) {
		json_t *o = json_pack("{s:s, s:s, s:s, s:s++, s:s, s:s, s:s, "
				      "s:b, s:b, s:s, s:o, s:o, s:o}",
		    "id", page.items[i].id, "given_name",
		    page.items[i].given_name, "family_name",
		    page.items[i].family_name, "full_name",
		    page.items[i].given_name, " ", page.items[i].family_name,
		    "category", ch_staff_category_code(page.items[i].category),
		    "category_label",
		    ch_staff_category_label(page.items[i].category),
		    "nationality", page.items[i].nationality, "host_national",
		    page.items[i].host_national, "permanent_resident",
		    page.items[i].permanent_resident, "post_id",
		    page.items[i].post_id, "position",
		    ch_json_str_or_null(page.items[i].position), "household_of",
		    ch_json_str_or_null(page.items[i].household_of), "immunity",
		    immunity_badge(&page.items[i], &page.principals[i], today));

		json_array_append_new(items, o);
	}
	ch_reply_json(req, 200,
	    json_pack("{s:o, s:o}", "items", items, "next_cursor",
		ch_json_str_or_null(page.next_cursor)));
}

void
ch_h_people_get(struct ch_req *req)
{
	struct ch_person_view v;
	char today[CH_DATE_LEN];
	json_t *o, *household, *training;
	ch_err err;

	if ((err = ch_people_get(&req->ctx, req->params[0], &v)) != CH_OK) {
		ch_reply_error(req, err);
		return;
	}
	ch_date_today(today);
	o = person_json(&v.person);
	household = json_array();
	for (size_t i = 0; i < v.household_count; i++) {
		const struct ch_person *m = &v.household[i];

		json_array_append_new(household,
		    json_pack("{s:s, s:s++, s:o, s:s, s:s}", "id", m->id,
			"full_name", m->given_name, " ", m->family_name,
			"relationship",
			m->household_of[0]
			    ? ch_json_str_or_null(m->relationship)
			    : json_string("principal"),
			"category", ch_staff_category_code(m->category),
			"category_label",
			ch_staff_category_label(m->category)));
	}
	training = json_array();
	for (size_t i = 0; i < v.training_count; i++) {
		const struct ch_training *t = &v.training[i];

		json_array_append_new(training,
		    json_pack("{s:s, s:s, s:s, s:o, s:s}", "id", t->id,
			"course", t->course, "completed_on", t->completed_on,
			"expires_on", ch_json_str_or_null(t->expires_on),
			"status", ch_training_status(t, today)));
	}
	json_object_set_new(o, "household", household);
	json_object_set_new(o, "training", training);
	json_object_set_new(o, "immunity", immunity_json(&v.immunity));
	snprintf(req->etag, sizeof(req->etag), "\"%lld\"",
	    (long long)v.person.version);
	req->audit_object_id = ch_arena_strdup(req->arena, v.person.id);
	req->audit_post_id = ch_arena_strdup(req->arena, v.person.post_id);
	ch_reply_json(req, 200, o);
}

void
ch_h_people_immunity(struct ch_req *req)
{
	struct ch_person_view v;
	ch_err err;

	if ((err = ch_people_get(&req->ctx, req->params[0], &v)) != CH_OK) {
		ch_reply_error(req, err);
		return;
	}
	ch_reply_json(req, 200, immunity_json(&v.immunity));
}

void
ch_h_people_create(struct ch_req *req)
{
	struct ch_person_input in;
	struct ch_person p;
	ch_err err;

	person_input(req->body, &in);
	if ((err = ch_people_create(&req->ctx, &in, &p)) != CH_OK) {
		ch_reply_error(req, err);
		return;
	}
	req->location = ch_arena_printf(req->arena, "/api/v1/people/%s", p.id);
	reply_person(req, 201, &p);
}

/* The version in If-Match: "\"3\"" or "3"; 0 when absent; -1 for "*"
 * (any version: the caller knowingly overwrites). */
static bool
if_match_version(struct ch_req *req, int64_t *version)
{
	const char *h = ch_req_header(req, "If-Match");
	char digits[24];
	size_t n;
	long v;

	*version = 0;
	if (h == NULL)
		return true;
	if (strcmp(h, "*") == 0) {
		*version = -1;
		return true;
	}
	if (*h == '"')
		h++;
	n = strcspn(h, "\"");
	if (n == 0 || n >= sizeof(digits))
		return false;
	memcpy(digits, h, n);
	digits[n] = '\0';
	if (!ch_parse_long(digits, 1, 1L << 62, &v))
		return false;
	*version = v;
	return true;
}

void
ch_h_people_update(struct ch_req *req)
{
	struct ch_person_input in;
	struct ch_person p;
	int64_t version;
	ch_err err;

	if (!if_match_version(req, &version)) {
		ch_reply_problem(req, "bad-if-match",
		    "If-Match must be the record's ETag, e.g. \"3\".", NULL);
		return;
	}
	if (version == 0) {
		ch_reply_problem(req, "if-match-required",
		    "Send If-Match with the version you read (the ETag) so "
		    "that two people do not overwrite each other.",
		    NULL);
		return;
	}
	person_input(req->body, &in);
	err = ch_people_update(
	    &req->ctx, req->params[0], &in, version < 0 ? 0 : version, &p);
	if (err != CH_OK) {
		ch_reply_error(req, err);
		return;
	}
	reply_person(req, 200, &p);
}

void
ch_h_training_create(struct ch_req *req)
{
	struct ch_training t;
	ch_err err;

	err = ch_people_add_training(&req->ctx, req->params[0],
	    ch_json_str(req->body, "course"),
	    ch_json_str(req->body, "completed_on"),
	    ch_json_str(req->body, "expires_on"), &t);
	if (err != CH_OK) {
		ch_reply_error(req, err);
		return;
	}
	ch_reply_json(req, 201,
	    json_pack("{s:s, s:s, s:s, s:s, s:o}", "id", t.id, "person_id",
		t.person_id, "course", t.course, "completed_on", t.completed_on,
		"expires_on", ch_json_str_or_null(t.expires_on)));
}

void
ch_h_categories(struct ch_req *req)
{
	json_t *items = json_array();

	for (int i = 0; i < CH_CAT__COUNT; i++)
		json_array_append_new(items,
		    json_pack("{s:s, s:s}", "code",
			ch_staff_category_code((enum ch_staff_category)i),
			"label",
			ch_staff_category_label((enum ch_staff_category)i)));
	ch_reply_json(req, 200, json_pack("{s:o}", "items", items));
}
