/*
 * people.c — the use cases over people: create, update, read with the
 * immunity profile, household and training, and list.  Each one checks
 * input, checks the post scope, writes in one transaction with its audit
 * record and publishes an event after the commit.
 */
#include <stdio.h>
#include <string.h>

#include "core/audit.h"
#include "core/events.h"
#include "core/vault.h"
#include "people/people.h"
#include "store/store.h"

static const char *const genders[] = {"female", "male", "other", "unspecified"};
static const char *const relationships[] = {
    "spouse", "partner", "child", "parent", "other"};

static bool
in_list(const char *s, const char *const *list, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (strcmp(s, list[i]) == 0)
			return true;
	return false;
}

/* A required or optional text of at most max code points, no controls. */
static bool
check_text(const char *field, const char *s, long max, bool required,
    struct ch_fault *fault)
{
	return ch_text_check(fault, field, s, max,
	    (required ? CH_TEXT_REQUIRED : 0u) | CH_TEXT_TRIMMED);
}

static bool
check_date(const char *field, const char *s, struct ch_fault *fault)
{
	if (s == NULL || *s == '\0' || ch_date_valid(s))
		return true;
	ch_fault_set(fault, field,
	    "%s \"%.20s\" is not a date: write it as YYYY-MM-DD, for example "
	    "2026-03-01.",
	    field + 1, s);
	return false;
}

static bool
country_code_valid(const char *s)
{
	return s != NULL && strlen(s) == 2 && s[0] >= 'A' && s[0] <= 'Z' &&
	    s[1] >= 'A' && s[1] <= 'Z';
}

static char *
dup_opt(ch_arena *a, const char *s)
{
	return s == NULL || *s == '\0' ? NULL : ch_arena_strdup(a, s);
}

static void
copy_date(char *dst, const char *s)
{
	ch_strlcpy(dst, s ? s : "", CH_DATE_LEN);
}

ch_err
ch_person_apply(const struct ch_person_input *in, struct ch_person *p,
    ch_arena *a, struct ch_fault *fault)
{
	unsigned s = in->set;

	if (s & CH_PF_POST_ID) {
		if (!ch_id_valid(in->post_id)) {
			ch_fault_set(fault, "/post_id",
			    "post_id must be the id of a post.");
			return CH_ERR_INVALID;
		}
		ch_strlcpy(p->post_id, in->post_id, sizeof(p->post_id));
	}
	if (s & CH_PF_GIVEN_NAME) {
		if (!check_text("/given_name", in->given_name, CH_NAME_MAX,
			true, fault))
			return CH_ERR_INVALID;
		p->given_name = ch_arena_strdup(a, in->given_name);
	}
	if (s & CH_PF_FAMILY_NAME) {
		if (!check_text("/family_name", in->family_name, CH_NAME_MAX,
			true, fault))
			return CH_ERR_INVALID;
		p->family_name = ch_arena_strdup(a, in->family_name);
	}
	if (s & CH_PF_CATEGORY) {
		if (in->category == NULL ||
		    !ch_staff_category_parse(in->category, &p->category)) {
			ch_fault_set(fault, "/category",
			    "category \"%.40s\" is not a staff category; use "
			    "one of diplomatic_agent, "
			    "administrative_technical, "
			    "service_staff, private_servant, consular_officer, "
			    "consular_employee, honorary_consular_officer, "
			    "locally_employed, family_member, contractor.",
			    in->category ? in->category : "");
			return CH_ERR_INVALID;
		}
	}
	if (s & CH_PF_NATIONALITY) {
		if (!country_code_valid(in->nationality)) {
			ch_fault_set(fault, "/nationality",
			    "nationality must be an ISO 3166-1 alpha-2 code "
			    "in capitals, for example FR or KE.");
			return CH_ERR_INVALID;
		}
		ch_strlcpy(
		    p->nationality, in->nationality, sizeof(p->nationality));
	}
	if (s & CH_PF_HOST_NATIONAL)
		p->host_national = in->host_national;
	if (s & CH_PF_PERMANENT_RESIDENT)
		p->permanent_resident = in->permanent_resident;
	if (((s & CH_PF_NOTIFIED_ON) &&
		!check_date("/notified_on", in->notified_on, fault)) ||
	    ((s & CH_PF_ARRIVED_ON) &&
		!check_date("/arrived_on", in->arrived_on, fault)) ||
	    ((s & CH_PF_FUNCTIONS_END_ON) &&
		!check_date(
		    "/functions_end_on", in->functions_end_on, fault)) ||
	    ((s & CH_PF_DATE_OF_BIRTH) &&
		!check_date("/date_of_birth", in->date_of_birth, fault)))
		return CH_ERR_INVALID;
	if (s & CH_PF_NOTIFIED_ON)
		copy_date(p->notified_on, in->notified_on);
	if (s & CH_PF_ARRIVED_ON)
		copy_date(p->arrived_on, in->arrived_on);
	if (s & CH_PF_FUNCTIONS_END_ON)
		copy_date(p->functions_end_on, in->functions_end_on);
	if (s & CH_PF_DATE_OF_BIRTH)
		copy_date(p->date_of_birth, in->date_of_birth);
	if (s & CH_PF_GENDER) {
		if (in->gender != NULL && *in->gender != '\0' &&
		    !in_list(in->gender, genders, CH_ARRAY_LEN(genders))) {
			ch_fault_set(fault, "/gender",
			    "gender must be female, male, other or "
			    "unspecified.");
			return CH_ERR_INVALID;
		}
		p->gender = dup_opt(a, in->gender);
	}
	if (s & CH_PF_POSITION) {
		if (!check_text(
			"/position", in->position, CH_TEXT_MAX, false, fault))
			return CH_ERR_INVALID;
		p->position = dup_opt(a, in->position);
	}
	if (s & CH_PF_CLEARANCE) {
		if (in->clearance == NULL ||
		    !ch_clearance_parse(in->clearance, &p->clearance)) {
			ch_fault_set(fault, "/clearance",
			    "clearance must be UNCLASSIFIED, SBU, CONFIDENTIAL "
			    "or SECRET.");
			return CH_ERR_INVALID;
		}
	}
	if (s & CH_PF_EMAIL) {
		const char *e = in->email;

		if (e != NULL && *e != '\0' &&
		    (strlen(e) > 254 || strchr(e, '@') == NULL ||
			strchr(e, ' ') != NULL || e[0] == '@' ||
			!ch_utf8_valid(e, strlen(e)))) {
			ch_fault_set(fault, "/email",
			    "email \"%.60s\" is not an e-mail address.", e);
			return CH_ERR_INVALID;
		}
		p->email = dup_opt(a, e);
	}
	if (s & CH_PF_PHONE) {
		const char *ph = in->phone;

		if (ph != NULL && *ph != '\0') {
			size_t digits = 0;

			for (const char *c = ph; *c; c++) {
				if (*c >= '0' && *c <= '9')
					digits++;
				else if (!strchr("+ -().", *c))
					digits = 100;
			}
			if (digits < 5 || digits > 20 || strlen(ph) > 32) {
				ch_fault_set(fault, "/phone",
				    "phone \"%.40s\" is not a telephone "
				    "number: use digits, spaces and a leading "
				    "+, for example +254 20 555 0100.",
				    ph);
				return CH_ERR_INVALID;
			}
		}
		p->phone = dup_opt(a, ph);
	}
	if (s & CH_PF_HOUSEHOLD_OF) {
		const char *h = in->household_of;

		if (h != NULL && *h != '\0' && !ch_id_valid(h)) {
			ch_fault_set(fault, "/household_of",
			    "household_of must be the id of a person.");
			return CH_ERR_INVALID;
		}
		ch_strlcpy(
		    p->household_of, h ? h : "", sizeof(p->household_of));
	}
	if (s & CH_PF_RELATIONSHIP) {
		const char *r = in->relationship;

		if (r != NULL && *r != '\0' &&
		    !in_list(r, relationships, CH_ARRAY_LEN(relationships))) {
			ch_fault_set(fault, "/relationship",
			    "relationship must be spouse, partner, child, "
			    "parent or other.");
			return CH_ERR_INVALID;
		}
		p->relationship = dup_opt(a, r);
	}
	return CH_OK;
}

/* Rules that involve more than one field of the finished record. */
static ch_err
check_whole(const struct ch_person *p, struct ch_fault *fault)
{
	if (p->household_of[0] != '\0' &&
	    (p->relationship == NULL || *p->relationship == '\0')) {
		ch_fault_set(fault, "/relationship",
		    "a household member needs a relationship to the staff "
		    "member (spouse, partner, child, parent or other).");
		return CH_ERR_INVALID;
	}
	if (p->household_of[0] != '\0' && p->category != CH_CAT_FAMILY_MEMBER) {
		ch_fault_set(fault, "/household_of",
		    "only a family member is linked to a household; the "
		    "category %s carries a status of its own: clear "
		    "household_of, or make the category family_member.",
		    ch_staff_category_code(p->category));
		return CH_ERR_INVALID;
	}
	if (p->household_of[0] == '\0' && p->category == CH_CAT_FAMILY_MEMBER) {
		ch_fault_set(fault, "/household_of",
		    "a family member must be linked to the staff member whose "
		    "household they belong to: set household_of.");
		return CH_ERR_INVALID;
	}
	if (p->household_of[0] != '\0' && strcmp(p->household_of, p->id) == 0) {
		ch_fault_set(fault, "/household_of",
		    "a person cannot be a member of their own household.");
		return CH_ERR_INVALID;
	}
	if (p->arrived_on[0] && p->functions_end_on[0] &&
	    strcmp(p->functions_end_on, p->arrived_on) < 0) {
		ch_fault_set(fault, "/functions_end_on",
		    "functions_end_on (%s) is before arrived_on (%s).",
		    p->functions_end_on, p->arrived_on);
		return CH_ERR_INVALID;
	}
	return CH_OK;
}

ch_err
ch_person_validate(const struct ch_person_input *in, struct ch_fault *fault)
{
	static const struct {
		unsigned bit;
		const char *field;
	} required[] = {
	    {CH_PF_POST_ID, "/post_id"},
	    {CH_PF_GIVEN_NAME, "/given_name"},
	    {CH_PF_FAMILY_NAME, "/family_name"},
	    {CH_PF_CATEGORY, "/category"},
	    {CH_PF_NATIONALITY, "/nationality"},
	};
	struct ch_person p;
	ch_arena *a;
	ch_err err;

	for (size_t i = 0; i < CH_ARRAY_LEN(required); i++) {
		if (!(in->set & required[i].bit)) {
			ch_fault_set(fault, required[i].field,
			    "%s is required.", required[i].field + 1);
			return CH_ERR_INVALID;
		}
	}
	a = ch_arena_create(0);
	if (a == NULL)
		return CH_ERR_NOMEM;
	memset(&p, 0, sizeof(p));
	err = ch_person_apply(in, &p, a, fault);
	if (err == CH_OK)
		err = check_whole(&p, fault);
	ch_arena_destroy(a);
	return err;
}

/* Contacts enter the state as keyed digests (core/vault.h), not as
 * plaintext: the audit log is not encrypted. */
static void
contact_digest(const char *value, char out[65])
{
	out[0] = '\0';
	if (value != NULL && *value != '\0')
		ch_vault_digest(
		    "chancery audit state v1", value, strlen(value), out);
}

void
ch_person_state(const struct ch_person *p, struct ch_buf *b)
{
	char email[65], phone[65];

	contact_digest(p->email, email);
	contact_digest(p->phone, phone);
	ch_buf_appendf(b,
	    "id=%s\npost=%s\ngiven=%s\nfamily=%s\ncategory=%s\nnat=%s\n"
	    "host_national=%d\npr=%d\nnotified=%s\narrived=%s\nend=%s\n"
	    "dob=%s\ngender=%s\nposition=%s\nclearance=%s\nemail=%s\n"
	    "phone=%s\nhousehold=%s\nrel=%s\nversion=%lld\n",
	    p->id, p->post_id, p->given_name, p->family_name,
	    ch_staff_category_code(p->category), p->nationality,
	    p->host_national, p->permanent_resident, p->notified_on,
	    p->arrived_on, p->functions_end_on, p->date_of_birth,
	    p->gender ? p->gender : "", p->position ? p->position : "",
	    ch_clearance_code(p->clearance), email, phone, p->household_of,
	    p->relationship ? p->relationship : "", (long long)p->version);
}

/* What the policy judges a person record by. */
static struct ch_label
person_label(const struct ch_person *p)
{
	struct ch_label l = {p->post_id, CH_CLEARANCE_UNCLASSIFIED,
	    CH_TLP_CLEAR, p->id, NULL, 0};

	return l;
}

/*
 * Check the household link against the store: one level (a member has no
 * members of their own, a principal is not a member) and one post (a
 * principal with members stays in their post: old_post is the post before
 * an update, or NULL on create).
 */
static ch_err
check_household(struct ch_ctx *ctx, struct ch_tx *tx, const struct ch_person *p,
    const char *old_post)
{
	struct ch_person principal, *members = NULL;
	size_t nmembers = 0;
	ch_err err;

	if (old_post != NULL) {
		err = ch_store_household(
		    tx, p->id, ctx->arena, &members, &nmembers);
		if (err != CH_OK)
			return err;
	}
	if (nmembers > 0 && p->household_of[0] != '\0') {
		ch_fault_set(&ctx->fault, "/household_of",
		    "%s %s has household members of their own (%s %s); a "
		    "household has one level: link those members elsewhere "
		    "first.",
		    p->given_name, p->family_name, members[0].given_name,
		    members[0].family_name);
		return CH_ERR_INVALID;
	}
	if (nmembers > 0 && strcmp(old_post, p->post_id) != 0) {
		ch_fault_set(&ctx->fault, "/post_id",
		    "%s %s has %zu household member(s) at this post; move or "
		    "unlink them first, so that no household spans two posts.",
		    p->given_name, p->family_name, nmembers);
		return CH_ERR_INVALID;
	}
	if (p->household_of[0] == '\0')
		return CH_OK;
	err = ch_store_person_get(tx, p->household_of, ctx->arena, &principal);
	if (err == CH_ERR_NOT_FOUND) {
		ch_fault_set(&ctx->fault, "/household_of",
		    "no person has the id %s.", p->household_of);
		return CH_ERR_INVALID;
	}
	if (err != CH_OK)
		return err;
	if (strcmp(principal.post_id, p->post_id) != 0) {
		ch_fault_set(&ctx->fault, "/household_of",
		    "the household's staff member belongs to another post.");
		return CH_ERR_INVALID;
	}
	if (principal.household_of[0] != '\0') {
		ch_fault_set(&ctx->fault, "/household_of",
		    "%s %s is a household member; link to the staff member "
		    "they belong to instead.",
		    principal.given_name, principal.family_name);
		return CH_ERR_INVALID;
	}
	return CH_OK;
}

static ch_err
check_post(struct ch_ctx *ctx, struct ch_tx *tx, const char *post_id)
{
	struct ch_post post;
	ch_err err;

	if (!ch_ctx_sees_post(ctx, post_id)) {
		ch_fault_set(&ctx->fault, "/post_id",
		    "you are not assigned to that post.");
		return CH_ERR_DENIED;
	}
	err = ch_store_post_get(tx, post_id, ctx->arena, &post);
	if (err == CH_ERR_NOT_FOUND) {
		ch_fault_set(
		    &ctx->fault, "/post_id", "no post has the id %s.", post_id);
		return CH_ERR_INVALID;
	}
	return err;
}

/* Audit, commit and publish a person write. */
static ch_err
finish_write(struct ch_ctx *ctx, struct ch_tx *tx, const struct ch_person *p,
    const char *action, const char *event)
{
	struct ch_audit_entry e;
	struct ch_event ev;
	struct ch_buf state;
	ch_err err;

	ch_buf_init(&state, 16384);
	ch_person_state(p, &state);
	e = (struct ch_audit_entry){
	    action, "person", p->id, p->post_id, state.data, state.len};
	err = ch_audit_append(tx, ctx, &e);
	ch_buf_free(&state);
	if (err != CH_OK) {
		ch_store_rollback(tx);
		return err;
	}
	if ((err = ch_store_commit(tx)) != CH_OK)
		return err;
	ev = (struct ch_event){
	    event, "person", p->id, p->post_id, ch_clock_now()};
	ch_events_publish(&ev);
	return CH_OK;
}

/* A clearance above the writer's own is neither given nor changed by
 * them: the gate opens the zones it guards to whoever holds it, and the
 * writer could not be trusted with what those zones keep.  The CLI always
 * may. */
static ch_err
check_clearance(
    struct ch_ctx *ctx, enum ch_clearance before, enum ch_clearance after)
{
	enum ch_clearance top = before > after ? before : after;

	if (before == after || ctx->who == NULL || top <= ctx->who->clearance)
		return CH_OK;
	ch_fault_set(&ctx->fault, "/clearance",
	    "%s is above your clearance (%s): only someone cleared as high "
	    "gives or changes it.",
	    ch_clearance_code(top), ch_clearance_code(ctx->who->clearance));
	return CH_ERR_DENIED;
}

ch_err
ch_people_create(
    struct ch_ctx *ctx, const struct ch_person_input *in, struct ch_person *out)
{
	struct ch_tx *tx = NULL;
	ch_err err;

	if ((err = ch_person_validate(in, &ctx->fault)) != CH_OK)
		return err;
	memset(out, 0, sizeof(*out));
	out->clearance = CH_CLEARANCE_UNCLASSIFIED;
	if ((err = ch_person_apply(in, out, ctx->arena, &ctx->fault)) !=
		CH_OK ||
	    (err = check_clearance(
		 ctx, CH_CLEARANCE_UNCLASSIFIED, out->clearance)) != CH_OK)
		return err;
	ch_id_new(out->id);
	out->version = 1;
	ch_time_format(ch_clock_now(), out->created_at);
	memcpy(out->updated_at, out->created_at, sizeof(out->updated_at));
	if ((err = ch_store_begin(ctx->store, true, &tx)) != CH_OK)
		return err;
	if ((err = check_post(ctx, tx, out->post_id)) != CH_OK ||
	    (err = check_household(ctx, tx, out, NULL)) != CH_OK ||
	    (err = ch_store_person_insert(tx, out)) != CH_OK) {
		ch_store_rollback(tx);
		return err;
	}
	return finish_write(ctx, tx, out, "person.create", "person.created");
}

ch_err
ch_people_update(struct ch_ctx *ctx, const char *id,
    const struct ch_person_input *in, int64_t expected_version,
    struct ch_person *out)
{
	struct ch_tx *tx = NULL;
	char old_post[CH_ID_LEN];
	enum ch_clearance old_clearance;
	ch_err err;

	if (!ch_id_valid(id))
		return CH_ERR_NOT_FOUND;
	if ((err = ch_store_begin(ctx->store, true, &tx)) != CH_OK)
		return err;
	err = ch_store_person_get(tx, id, ctx->arena, out);
	if (err == CH_OK) {
		struct ch_label l = person_label(out);

		/* Refused records answer as missing: do not reveal them. */
		if (!ch_ctx_permits(ctx, CH_PERM_PEOPLE_WRITE, &l))
			err = CH_ERR_NOT_FOUND;
	}
	if (err != CH_OK)
		goto fail;
	if (expected_version != 0 && expected_version != out->version) {
		err = CH_ERR_PRECONDITION;
		goto fail;
	}
	memcpy(old_post, out->post_id, sizeof(old_post));
	old_clearance = out->clearance;
	if ((err = ch_person_apply(in, out, ctx->arena, &ctx->fault)) !=
		CH_OK ||
	    (err = check_whole(out, &ctx->fault)) != CH_OK ||
	    (err = check_clearance(ctx, old_clearance, out->clearance)) !=
		CH_OK)
		goto fail;
	if (strcmp(old_post, out->post_id) != 0 &&
	    (err = check_post(ctx, tx, out->post_id)) != CH_OK)
		goto fail;
	if ((err = check_household(ctx, tx, out, old_post)) != CH_OK)
		goto fail;
	ch_time_format(ch_clock_now(), out->updated_at);
	if ((err = ch_store_person_update(tx, out, out->version)) != CH_OK)
		goto fail;
	return finish_write(ctx, tx, out, "person.update", "person.updated");

fail:
	ch_store_rollback(tx);
	return err;
}

void
ch_person_immunity_input(const struct ch_person *p,
    const struct ch_person *principal, const char *today,
    struct ch_immunity_input *in)
{
	memset(in, 0, sizeof(*in));
	in->category = p->category;
	in->host_national = p->host_national;
	in->permanent_resident = p->permanent_resident;
	if (principal != NULL) {
		in->has_principal = true;
		in->principal_category = principal->category;
		in->principal_local =
		    principal->host_national || principal->permanent_resident;
	}
	in->arrived_on = p->arrived_on[0] ? p->arrived_on : NULL;
	in->notified_on = p->notified_on[0] ? p->notified_on : NULL;
	in->functions_end_on =
	    p->functions_end_on[0] ? p->functions_end_on : NULL;
	in->today = today;
}

ch_err
ch_people_get(struct ch_ctx *ctx, const char *id, struct ch_person_view *out)
{
	struct ch_immunity_input imm;
	struct ch_person principal, *members = NULL;
	struct ch_person *pp = NULL;
	struct ch_tx *tx = NULL;
	char today[CH_DATE_LEN];
	size_t nmembers = 0;
	ch_err err;

	memset(out, 0, sizeof(*out));
	if (!ch_id_valid(id))
		return CH_ERR_NOT_FOUND;
	if ((err = ch_store_begin(ctx->store, false, &tx)) != CH_OK)
		return err;
	err = ch_store_person_get(tx, id, ctx->arena, &out->person);
	if (err == CH_OK) {
		struct ch_label l = person_label(&out->person);

		if (!ch_ctx_permits(ctx, CH_PERM_PEOPLE_READ, &l))
			err = CH_ERR_NOT_FOUND;
	}
	if (err != CH_OK)
		goto done;
	if (out->person.household_of[0] != '\0') {
		err = ch_store_person_get(
		    tx, out->person.household_of, ctx->arena, &principal);
		if (err != CH_OK)
			goto done;
		pp = &principal;
		err = ch_store_household(
		    tx, principal.id, ctx->arena, &members, &nmembers);
	} else {
		err = ch_store_household(
		    tx, out->person.id, ctx->arena, &members, &nmembers);
	}
	if (err != CH_OK)
		goto done;
	/* The household: the principal first, then the other members. */
	out->household = ch_arena_alloc(
	    ctx->arena, sizeof(*out->household) * (nmembers + 2));
	if (out->household == NULL) {
		err = CH_ERR_NOMEM;
		goto done;
	}
	/* Only what the reader may see: a household never spans posts, but
	 * the check costs nothing and guards older data. */
	if (pp != NULL && ch_ctx_sees_post(ctx, pp->post_id))
		out->household[out->household_count++] = *pp;
	for (size_t i = 0; i < nmembers; i++)
		if (strcmp(members[i].id, out->person.id) != 0 &&
		    ch_ctx_sees_post(ctx, members[i].post_id))
			out->household[out->household_count++] = members[i];
	err = ch_store_training_list(tx, out->person.id, ctx->arena,
	    &out->training, &out->training_count);
	if (err != CH_OK)
		goto done;
	ch_date_today(today);
	ch_person_immunity_input(&out->person, pp, today, &imm);
	err = ch_immunity_derive(&imm, &out->immunity);
done:
	ch_store_rollback(tx);
	return err;
}

ch_err
ch_people_list(struct ch_ctx *ctx, const struct ch_person_filter *f,
    struct ch_person_page *out)
{
	struct ch_person_filter scoped = *f;
	struct ch_tx *tx = NULL;
	const char *scope = NULL;
	ch_err err;

	/*
	 * The list filters by the same policy as the person page: the
	 * user's post (HQ: all), and a user who may read people only as
	 * their own record sees only that record.
	 */
	memset(out, 0, sizeof(*out));
	if (ctx->who != NULL) {
		if (!ch_policy_all_posts(ctx->who)) {
			scope = ctx->who->post_id;
			if (*scope == '\0')
				return CH_OK; /* assigned to no post */
		}
		if (!ch_policy_allows(ctx->who, CH_PERM_PEOPLE_READ)) {
			if (ctx->who->person_id[0] == '\0' ||
			    !ch_perm_own_ok(CH_PERM_PEOPLE_READ))
				return CH_OK;
			scoped.only_id = ctx->who->person_id;
		}
	}
	if ((err = ch_store_begin(ctx->store, false, &tx)) != CH_OK)
		return err;
	err = ch_store_person_list(tx, &scoped, scope, ctx->arena, out);
	if (err == CH_ERR_INVALID)
		ch_fault_set(&ctx->fault, "cursor",
		    "the cursor is not one this server gave out; start again "
		    "without it.");
	ch_store_rollback(tx);
	return err;
}

ch_err
ch_people_add_training(struct ch_ctx *ctx, const char *person_id,
    const char *course, const char *completed_on, const char *expires_on,
    struct ch_training *out)
{
	struct ch_audit_entry e;
	struct ch_person p;
	struct ch_tx *tx = NULL;
	char state[512];
	ch_err err;

	memset(out, 0, sizeof(*out));
	if (!check_text("/course", course, CH_TEXT_MAX, true, &ctx->fault))
		return CH_ERR_INVALID;
	if (completed_on == NULL || !ch_date_valid(completed_on)) {
		ch_fault_set(&ctx->fault, "/completed_on",
		    "completed_on must be a date, YYYY-MM-DD.");
		return CH_ERR_INVALID;
	}
	if (!check_date("/expires_on", expires_on, &ctx->fault))
		return CH_ERR_INVALID;
	if (expires_on != NULL && *expires_on != '\0' &&
	    strcmp(expires_on, completed_on) < 0) {
		ch_fault_set(&ctx->fault, "/expires_on",
		    "expires_on is before completed_on.");
		return CH_ERR_INVALID;
	}
	ch_id_new(out->id);
	ch_strlcpy(out->person_id, person_id, sizeof(out->person_id));
	out->course = ch_arena_strdup(ctx->arena, course);
	copy_date(out->completed_on, completed_on);
	copy_date(out->expires_on, expires_on);
	if ((err = ch_store_begin(ctx->store, true, &tx)) != CH_OK)
		return err;
	err = ch_id_valid(person_id)
	    ? ch_store_person_get(tx, person_id, ctx->arena, &p)
	    : CH_ERR_NOT_FOUND;
	if (err == CH_OK) {
		struct ch_label l = person_label(&p);

		if (!ch_ctx_permits(ctx, CH_PERM_PEOPLE_WRITE, &l))
			err = CH_ERR_NOT_FOUND;
	}
	if (err == CH_OK)
		err = ch_store_training_insert(tx, out);
	if (err == CH_OK) {
		snprintf(state, sizeof(state),
		    "person=%s\ncourse=%s\n"
		    "completed=%s\nexpires=%s\n",
		    out->person_id, out->course, out->completed_on,
		    out->expires_on);
		e = (struct ch_audit_entry){"training.create", "training",
		    out->id, p.post_id, state, strlen(state)};
		err = ch_audit_append(tx, ctx, &e);
	}
	if (err != CH_OK) {
		ch_store_rollback(tx);
		return err;
	}
	return ch_store_commit(tx);
}

const char *
ch_training_status(const struct ch_training *t, const char *today)
{
	char stamp[CH_TIMESTAMP_LEN], soon[CH_TIMESTAMP_LEN];
	int64_t day;

	if (t->expires_on[0] == '\0')
		return "valid";
	if (strcmp(t->expires_on, today) < 0)
		return "expired";
	snprintf(stamp, sizeof(stamp), "%.10sT00:00:00Z", today);
	if (!ch_time_parse(stamp, &day))
		return "valid";
	ch_time_format(day + 30 * 86400, soon);
	return strncmp(t->expires_on, soon, 10) <= 0 ? "expiring" : "valid";
}
