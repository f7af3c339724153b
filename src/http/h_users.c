/*
 * h_users.c — the user routes (administrators) and the health check.
 */
#include <stdio.h>
#include <string.h>

#include "accounts/accounts.h"
#include "http/http.h"
#include "screening/screening.h"
#include "store/store.h"

static const char *const role_values[] = {"security_officer", "analyst",
    "guard", "staff", "eac_member", "hq", "administrator", NULL};
static const char *const clearances[] = {
    "UNCLASSIFIED", "SBU", "CONFIDENTIAL", "SECRET", NULL};

static const struct ch_jfield login_fields[] = {
    {"username", CH_J_STRING, true, false, 64, NULL, NULL},
    {"password", CH_J_STRING, true, false, 1024, NULL, NULL},
};
const struct ch_jschema ch_schema_login = {
    "Login", login_fields, CH_ARRAY_LEN(login_fields)};

static const struct ch_jfield user_fields[] = {
    {"username", CH_J_STRING, true, false, 64, NULL,
	"a-z, 0-9, dot, dash, underscore."},
    {"display_name", CH_J_STRING, false, true, 128, NULL, NULL},
    {"password", CH_J_STRING, true, false, 1024, NULL,
	"At least 12 characters."},
    {"roles", CH_J_STRING_LIST, true, false, 32, role_values, NULL},
    {"clearance", CH_J_ENUM, false, false, 20, clearances, NULL},
    {"post_id", CH_J_ID, false, true, 36, NULL, NULL},
    {"person_id", CH_J_ID, false, true, 36, NULL, NULL},
};
const struct ch_jschema ch_schema_user_create = {
    "UserCreate", user_fields, CH_ARRAY_LEN(user_fields)};

static const struct ch_jfield user_update_fields[] = {
    {"disabled", CH_J_BOOL, false, false, 0, NULL,
	"Disable or enable the account; disabling ends its sessions."},
    {"password", CH_J_STRING, false, false, 1024, NULL,
	"Set a new password; ends the user's sessions."},
    {"roles", CH_J_STRING_LIST, false, false, 32, role_values, NULL},
    {"clearance", CH_J_ENUM, false, false, 20, clearances, NULL},
    {"post_id", CH_J_ID, false, true, 36, NULL, "null: no post."},
};
const struct ch_jschema ch_schema_user_update = {
    "UserUpdate", user_update_fields, CH_ARRAY_LEN(user_update_fields)};

static json_t *
user_json(const struct ch_user *u)
{
	json_t *roles = json_array();

	for (int i = 0; i < CH_ROLE__COUNT; i++)
		if (u->roles & (1u << i))
			json_array_append_new(
			    roles, json_string(ch_role_code((enum ch_role)i)));
	return json_pack(
	    "{s:s, s:s, s:s, s:o, s:s, s:o, s:o, s:b, s:b, s:s, s:s}", "id",
	    u->id, "username", u->username, "display_name", u->display_name,
	    "roles", roles, "clearance", ch_clearance_code(u->clearance),
	    "post_id", ch_json_str_or_null(u->post_id), "person_id",
	    ch_json_str_or_null(u->person_id), "disabled", u->disabled,
	    "second_factor", u->totp_enrolled, "created_at", u->created_at,
	    "updated_at", u->updated_at);
}

void
ch_h_users_list(struct ch_req *req)
{
	struct ch_user *users;
	size_t n;
	json_t *items;
	ch_err err;

	if ((err = ch_users_list(&req->ctx, &users, &n)) != CH_OK) {
		ch_reply_error(req, err);
		return;
	}
	items = json_array();
	for (size_t i = 0; i < n; i++)
		json_array_append_new(items, user_json(&users[i]));
	ch_reply_json(
	    req, 200, json_pack("{s:o, s:n}", "items", items, "next_cursor"));
}

void
ch_h_users_create(struct ch_req *req)
{
	struct ch_user_input in = {0};
	struct ch_user u;
	json_t *roles = json_object_get(req->body, "roles");
	char list[256] = "";
	ch_err err;

	for (size_t i = 0; i < json_array_size(roles); i++) {
		if (i > 0)
			ch_strlcpy(list + strlen(list), ",",
			    sizeof(list) - strlen(list));
		ch_strlcpy(list + strlen(list),
		    json_string_value(json_array_get(roles, i)),
		    sizeof(list) - strlen(list));
	}
	in.username = ch_json_str(req->body, "username");
	in.display_name = ch_json_str(req->body, "display_name");
	in.password = ch_json_str(req->body, "password");
	in.roles = list;
	in.clearance = ch_json_str(req->body, "clearance");
	in.post_id = ch_json_str(req->body, "post_id");
	in.person_id = ch_json_str(req->body, "person_id");
	if ((err = ch_users_create(&req->ctx, &in, &u)) != CH_OK) {
		ch_reply_error(req, err);
		return;
	}
	ch_reply_json(req, 201, user_json(&u));
}

static void
users_update(struct ch_req *req)
{
	struct ch_user u;
	json_t *roles = json_object_get(req->body, "roles");
	const char *username, *clearance = ch_json_str(req->body, "clearance");
	const char *post_id = ch_json_has(req->body, "post_id")
	    ? (ch_json_str(req->body, "post_id")
		      ? ch_json_str(req->body, "post_id")
		      : "")
	    : NULL;
	bool access = roles != NULL || clearance != NULL || post_id != NULL;
	char list[256] = "";
	ch_err err;

	for (size_t i = 0; i < json_array_size(roles); i++) {
		size_t used = strlen(list);

		snprintf(list + used, sizeof(list) - used, "%s%s",
		    used ? "," : "",
		    json_string_value(json_array_get(roles, i)));
	}
	if ((err = ch_users_get(&req->ctx, req->params[0], &u)) != CH_OK) {
		ch_reply_error(req, err);
		return;
	}
	username = u.username;
	/* An access change that would be refused refuses the whole request,
	 * before the password is set. */
	if (access && ch_json_has(req->body, "password") &&
	    (err = ch_users_check_access(&req->ctx, u.id, roles ? list : NULL,
		 clearance, post_id)) != CH_OK) {
		ch_reply_error(req, err);
		return;
	}
	if (ch_json_has(req->body, "password") &&
	    (err = ch_users_set_password(&req->ctx, username,
		 ch_json_str(req->body, "password"))) != CH_OK) {
		ch_reply_error(req, err);
		return;
	}
	if (access &&
	    (err = ch_users_set_access(&req->ctx, u.id, roles ? list : NULL,
		 clearance, post_id)) != CH_OK) {
		ch_reply_error(req, err);
		return;
	}
	if (ch_json_has(req->body, "disabled") &&
	    (err = ch_users_set_disabled(&req->ctx, username,
		 json_is_true(json_object_get(req->body, "disabled")))) !=
		CH_OK) {
		ch_reply_error(req, err);
		return;
	}
	req->status = 204;
	req->reply_text = "";
	req->reply_len = 0;
}

void
ch_h_users_update(struct ch_req *req)
{
	users_update(req);
	/* A password, role, clearance or post changed, or the user was
	 * disabled, in part or whole: the live feed judges its streams
	 * again. */
	ch_feed_recheck();
}

void
ch_h_healthz(struct ch_req *req)
{
	struct ch_store *store = ch_http_store();
	ch_err err = ch_store_ping(store);

	ch_reply_json(req, err == CH_OK ? 200 : 503,
	    json_pack("{s:s, s:s, s:i, s:s}", "status",
		err == CH_OK ? "ok" : "database unavailable", "database",
		ch_store_engine(store), "schema_version",
		ch_store_schema_version(store), "screening",
		ch_screening_ready() ? "ready" : "building"));
}
