/*
 * auth.c — sign-in, second factors, sessions and device tokens over HTTP.
 *
 * The session token travels in a cookie named with the __Host- prefix
 * (Secure, Path=/, no Domain), HttpOnly and SameSite=Strict.  Every
 * cookie-authenticated change must also carry the session's CSRF token in
 * X-CSRF-Token, compared in constant time.  Devices send
 * "Authorization: Bearer chd_..." instead; a bearer token is not sent by a
 * browser on its own, so it needs no CSRF token.
 *
 * Sign-in answers 200 with "status": "signed_in", "second_factor_required"
 * or "enrolment_required"; the last two come with a pending session that
 * only the routes flagged CH_ROUTE_PENDING accept.  Throttled attempts get
 * 429 with Retry-After, for unknown names exactly as for real ones.
 */
#include <microhttpd.h>
#include <sodium.h>
#include <stdio.h>
#include <string.h>

#include "accounts/accounts.h"
#include "http/http.h"

static const struct ch_jfield second_factor_fields[] = {
    {"code", CH_J_STRING, false, false, 10, NULL,
	"The 6-digit code the authenticator app shows."},
    {"recovery_code", CH_J_STRING, false, false, 32, NULL,
	"One of the recovery codes, instead of a code."},
};
const struct ch_jschema ch_schema_second_factor = {
    "SecondFactor", second_factor_fields, CH_ARRAY_LEN(second_factor_fields)};

static const struct ch_jfield totp_confirm_fields[] = {
    {"code", CH_J_STRING, true, false, 10, NULL,
	"The first code the app shows for the new secret."},
};
const struct ch_jschema ch_schema_totp_confirm = {
    "TotpConfirm", totp_confirm_fields, CH_ARRAY_LEN(totp_confirm_fields)};

static const struct ch_jfield reauth_fields[] = {
    {"password", CH_J_STRING, true, false, 1024, NULL, NULL},
    {"code", CH_J_STRING, false, false, 10, NULL,
	"The TOTP code, when a second factor is set up."},
};
const struct ch_jschema ch_schema_reauth = {
    "Reauth", reauth_fields, CH_ARRAY_LEN(reauth_fields)};

static const char *const device_perm_values[] = {
    "posts.read", "people.read", NULL};
static const struct ch_jfield device_fields[] = {
    {"name", CH_J_STRING, true, false, 100, NULL,
	"What and where, e.g. \"Main gate reader\"."},
    {"post_id", CH_J_ID, true, false, 36, NULL, NULL},
    {"permissions", CH_J_STRING_LIST, false, false, 32, device_perm_values,
	"Read permissions besides the device routes."},
};
const struct ch_jschema ch_schema_device_create = {
    "DeviceCreate", device_fields, CH_ARRAY_LEN(device_fields)};

static const char *
session_cookie(struct ch_req *req)
{
	/* The device listener takes device tokens only. */
	if (req->conn == NULL)
		return NULL;
	return MHD_lookup_connection_value(
	    req->conn, MHD_COOKIE_KIND, CH_SESSION_COOKIE);
}

bool
ch_auth_bearer_parse(const char *header, char *out, size_t size)
{
	size_t n;

	if (header == NULL || size == 0 ||
	    strncasecmp(header, "Bearer", 6) != 0 || header[6] != ' ')
		return false;
	header += 6;
	header += strspn(header, " ");
	n = strcspn(header, " \t\r\n");
	if (n == 0 || n >= size || header[n + strspn(header + n, " ")] != '\0')
		return false;
	for (size_t i = 0; i < n; i++)
		if ((unsigned char)header[i] < 0x21 ||
		    (unsigned char)header[i] > 0x7e)
			return false;
	memcpy(out, header, n);
	out[n] = '\0';
	return true;
}

ch_err
ch_auth_resolve(struct ch_req *req)
{
	struct ch_session_row s;
	struct ch_user u;
	const char *auth = ch_req_header(req, "Authorization");
	const char *token = session_cookie(req);
	char bearer[128];
	ch_err err;

	req->who = NULL;
	if (auth != NULL) {
		/* A device: a bearer token, never a cookie. */
		if (!ch_auth_bearer_parse(auth, bearer, sizeof(bearer)))
			return CH_OK;
		err = ch_device_resolve(req->ctx.store, bearer, req->source,
		    req->arena, &req->who_storage);
		sodium_memzero(bearer, sizeof(bearer));
		if (err == CH_ERR_UNAUTHENTICATED)
			return CH_OK;
		if (err != CH_OK)
			return err;
		req->who = &req->who_storage;
		req->ctx.who = req->who;
		req->bearer = true;
		return CH_OK;
	}
	if (token == NULL)
		return CH_OK;
	err = ch_session_resolve(req->ctx.store, token, req->arena, &u, &s);
	if (err == CH_ERR_UNAUTHENTICATED)
		return CH_OK; /* an ended session is the same as none */
	if (err != CH_OK)
		return err;
	ch_principal_from_user(&u, &req->who_storage);
	req->who = &req->who_storage;
	req->ctx.who = req->who;
	ch_strlcpy(req->csrf_token, s.csrf_token, sizeof(req->csrf_token));
	ch_strlcpy(req->session_hash, s.token_hash, sizeof(req->session_hash));
	ch_strlcpy(req->session_public_id, s.public_id,
	    sizeof(req->session_public_id));
	ch_strlcpy(req->session_stage, s.stage, sizeof(req->session_stage));
	req->session_reauth_at = s.reauth_at;
	return CH_OK;
}

bool
ch_auth_csrf_ok(struct ch_req *req)
{
	const char *given = ch_req_header(req, "X-CSRF-Token");

	if (given == NULL || req->csrf_token[0] == '\0' ||
	    strlen(given) != strlen(req->csrf_token))
		return false;
	return sodium_memcmp(given, req->csrf_token, strlen(given)) == 0;
}

static json_t *
user_json(const struct ch_principal *who)
{
	json_t *roles = json_array();

	for (int i = 0; i < CH_ROLE__COUNT; i++)
		if (who->roles & (1u << i))
			json_array_append_new(
			    roles, json_string(ch_role_code((enum ch_role)i)));
	return json_pack("{s:s, s:s, s:s, s:o, s:s, s:o, s:o}", "id",
	    who->user_id, "username", who->username, "display_name",
	    who->display_name, "roles", roles, "clearance",
	    ch_clearance_code(who->clearance), "post_id",
	    ch_json_str_or_null(who->post_id), "person_id",
	    ch_json_str_or_null(who->person_id));
}

static void
set_session_cookie(struct ch_req *req, const char *token)
{
	req->set_cookie = ch_arena_printf(req->arena,
	    CH_SESSION_COOKIE "=%s; Path=/; Secure; HttpOnly; "
			      "SameSite=Strict",
	    token);
}

static void
reply_throttled(struct ch_req *req, int64_t retry_after)
{
	char detail[200];

	snprintf(req->retry_after, sizeof(req->retry_after), "%lld",
	    (long long)retry_after);
	snprintf(detail, sizeof(detail),
	    "Too many failed sign-ins: wait %lld seconds and try again.",
	    (long long)retry_after);
	ch_reply_problem(req, "rate-limited", detail, NULL);
}

/* Answer a finished or pending sign-in step, with its cookie. */
static void
reply_login(struct ch_req *req, struct ch_login *l)
{
	static const char *const states[] = {
	    [CH_LOGIN_DONE] = "signed_in",
	    [CH_LOGIN_TOTP] = "second_factor_required",
	    [CH_LOGIN_ENROL] = "enrolment_required",
	};
	struct ch_principal who;
	json_t *body;

	set_session_cookie(req, l->token);
	sodium_memzero(l->token, sizeof(l->token));
	body = json_pack(
	    "{s:s, s:s}", "status", states[l->state], "csrf_token", l->csrf);
	if (l->state == CH_LOGIN_DONE) {
		ch_principal_from_user(&l->user, &who);
		json_object_set_new(body, "user", user_json(&who));
	} else {
		json_object_set_new(body, "detail",
		    json_string(l->state == CH_LOGIN_TOTP
			    ? "Send the code from your authenticator app to "
			      "/api/v1/auth/login/second-factor."
			    : "Your role needs a second factor: set one up "
			      "at /api/v1/auth/totp/enrolment."));
	}
	ch_reply_json(req, 200, body);
}

void
ch_h_login(struct ch_req *req)
{
	struct ch_login l;
	ch_err err;

	err = ch_session_login(&req->ctx, ch_json_str(req->body, "username"),
	    ch_json_str(req->body, "password"), &l);
	if (err == CH_ERR_LIMIT) {
		reply_throttled(req, l.retry_after);
		return;
	}
	if (err == CH_ERR_UNAUTHENTICATED) {
		ch_reply_problem(req, "bad-credentials",
		    "The username or password is wrong, or the account is "
		    "disabled.",
		    NULL);
		return;
	}
	if (err != CH_OK) {
		ch_reply_error(req, err);
		return;
	}
	reply_login(req, &l);
}

static void
reply_replay(struct ch_req *req)
{
	ch_reply_problem(req, "code-replayed",
	    "This code was used already, and a code works only once. Wait "
	    "for the next code (a new one every 30 seconds). If you did not "
	    "use it, tell the security officer.",
	    "/code");
}

void
ch_h_second_factor(struct ch_req *req)
{
	struct ch_login l;
	ch_err err;

	if (!ch_json_has(req->body, "code") &&
	    !ch_json_has(req->body, "recovery_code")) {
		ch_reply_problem(req, "validation",
		    "Send code (from the authenticator app) or "
		    "recovery_code.",
		    "/code");
		return;
	}
	err = ch_session_second_factor(&req->ctx, session_cookie(req),
	    ch_json_str(req->body, "code"),
	    ch_json_str(req->body, "recovery_code"), &l);
	if (err == CH_ERR_LIMIT) {
		reply_throttled(req, l.retry_after);
		return;
	}
	if (err == CH_ERR_REPLAY) {
		reply_replay(req);
		return;
	}
	if (err == CH_ERR_UNAUTHENTICATED) {
		ch_reply_problem(req, "bad-code",
		    "The code is wrong or too old. Type the code the app "
		    "shows now, or use a recovery code.",
		    "/code");
		return;
	}
	if (err != CH_OK) {
		ch_reply_error(req, err);
		return;
	}
	reply_login(req, &l);
}

void
ch_h_logout(struct ch_req *req)
{
	ch_err err = ch_session_logout(&req->ctx, session_cookie(req));

	if (err != CH_OK) {
		ch_reply_error(req, err);
		return;
	}
	req->set_cookie = CH_SESSION_COOKIE "=; Path=/; Secure; HttpOnly; "
					    "SameSite=Strict; Max-Age=0";
	ch_feed_recheck();
	req->status = 204;
	req->reply_text = "";
	req->reply_len = 0;
}

void
ch_h_session(struct ch_req *req)
{
	struct ch_totp_status st = {0};
	json_t *body;

	body = json_pack("{s:s, s:s}", "csrf_token", req->csrf_token, "stage",
	    req->session_stage);
	/* Who the account is, once every factor is in (as the login's
	 * answer): a pending session proves the password only. */
	if (strcmp(req->session_stage, CH_STAGE_FULL) == 0)
		json_object_set_new(body, "user", user_json(req->who));
	if (ch_totp_status(&req->ctx, &st) == CH_OK)
		json_object_set_new(body, "second_factor",
		    json_pack("{s:b, s:b, s:I}", "enrolled", st.enrolled,
			"required", st.required, "recovery_codes_left",
			(json_int_t)st.recovery_left));
	ch_reply_json(req, 200, body);
}

void
ch_h_totp_status(struct ch_req *req)
{
	struct ch_totp_status st;
	ch_err err = ch_totp_status(&req->ctx, &st);

	if (err != CH_OK) {
		ch_reply_error(req, err);
		return;
	}
	ch_reply_json(req, 200,
	    json_pack("{s:b, s:b, s:I}", "enrolled", st.enrolled, "required",
		st.required, "recovery_codes_left",
		(json_int_t)st.recovery_left));
}

void
ch_h_totp_enrol(struct ch_req *req)
{
	char secret[CH_TOTP_SECRET_LEN];
	char *uri, *svg;
	ch_err err;

	err = ch_totp_enrol_start(&req->ctx, secret, &uri, &svg);
	if (err != CH_OK) {
		ch_reply_error(req, err);
		return;
	}
	ch_reply_json(req, 201,
	    json_pack("{s:s, s:s, s:s, s:i, s:i}", "secret", secret,
		"otpauth_uri", uri, "qr_svg", svg, "digits", CH_TOTP_DIGITS,
		"period", CH_TOTP_STEP));
	sodium_memzero(secret, sizeof(secret));
}

void
ch_h_totp_confirm(struct ch_req *req)
{
	char codes[CH_RECOVERY_CODES][CH_RECOVERY_LEN];
	struct ch_login l;
	json_t *list;
	ch_err err;

	err = ch_totp_enrol_confirm(
	    &req->ctx, ch_json_str(req->body, "code"), codes);
	if (err != CH_OK) {
		ch_reply_error(req, err);
		return;
	}
	list = json_array();
	for (size_t i = 0; i < CH_RECOVERY_CODES; i++)
		json_array_append_new(list, json_string(codes[i]));
	sodium_memzero(codes, sizeof(codes));
	if (strcmp(req->session_stage, CH_STAGE_ENROL) == 0) {
		/* The pending sign-in is finished: a new, full session. */
		err = ch_session_upgrade(&req->ctx, session_cookie(req), &l);
		if (err != CH_OK) {
			json_decref(list);
			ch_reply_error(req, err);
			return;
		}
		reply_login(req, &l);
		json_object_set_new(req->reply, "recovery_codes", list);
		return;
	}
	ch_reply_json(req, 200,
	    json_pack(
		"{s:s, s:o}", "status", "enrolled", "recovery_codes", list));
}

void
ch_h_reauth(struct ch_req *req)
{
	int64_t retry = 0;
	struct ch_session_limits lim;
	char until[CH_TIMESTAMP_LEN];
	ch_err err;

	err = ch_session_reauth(&req->ctx, req->session_hash,
	    ch_json_str(req->body, "password"), ch_json_str(req->body, "code"),
	    &retry);
	if (err == CH_ERR_LIMIT) {
		reply_throttled(req, retry);
		return;
	}
	if (err == CH_ERR_REPLAY) {
		reply_replay(req);
		return;
	}
	if (err == CH_ERR_UNAUTHENTICATED) {
		ch_reply_problem(req, "bad-credentials",
		    "Re-authentication failed: the password (or the code) is "
		    "wrong.",
		    NULL);
		return;
	}
	if (err != CH_OK) {
		ch_reply_error(req, err);
		return;
	}
	ch_session_get_limits(&lim);
	ch_time_format(ch_clock_now() + lim.reauth_seconds, until);
	ch_reply_json(req, 200, json_pack("{s:s}", "recent_until", until));
}

void
ch_h_sessions_list(struct ch_req *req)
{
	struct ch_session_row *rows;
	size_t n;
	json_t *items;
	ch_err err;

	if ((err = ch_sessions_list(&req->ctx, &rows, &n)) != CH_OK) {
		ch_reply_error(req, err);
		return;
	}
	items = json_array();
	for (size_t i = 0; i < n; i++) {
		char created[CH_TIMESTAMP_LEN], seen[CH_TIMESTAMP_LEN],
		    expires[CH_TIMESTAMP_LEN];

		ch_time_format(rows[i].created_at, created);
		ch_time_format(rows[i].last_seen, seen);
		ch_time_format(rows[i].expires_at, expires);
		json_array_append_new(items,
		    json_pack("{s:s, s:s, s:s, s:s, s:o, s:s, s:b}", "id",
			rows[i].public_id, "created_at", created,
			"last_seen_at", seen, "expires_at", expires, "source",
			ch_json_str_or_null(rows[i].source), "stage",
			rows[i].stage, "current",
			strcmp(rows[i].public_id, req->session_public_id) ==
			    0));
	}
	ch_reply_json(
	    req, 200, json_pack("{s:o, s:n}", "items", items, "next_cursor"));
}

void
ch_h_sessions_end(struct ch_req *req)
{
	ch_err err = ch_sessions_end(&req->ctx, req->params[0]);

	if (err != CH_OK) {
		ch_reply_error(req, err);
		return;
	}
	if (strcmp(req->params[0], req->session_public_id) == 0)
		req->set_cookie = CH_SESSION_COOKIE
		    "=; Path=/; Secure; HttpOnly; SameSite=Strict; Max-Age=0";
	ch_feed_recheck();
	req->status = 204;
	req->reply_text = "";
	req->reply_len = 0;
}

static json_t *
device_json(const struct ch_device *d)
{
	json_t *perms = json_array();
	const char *p = d->permissions;

	while (p != NULL && *p != '\0') {
		size_t n = strcspn(p, ",");

		json_array_append_new(perms, json_stringn(p, n));
		p += n;
		if (*p == ',')
			p++;
	}
	return json_pack("{s:s, s:s, s:s, s:o, s:s, s:s, s:o, s:o, s:o}", "id",
	    d->id, "name", d->name, "post_id", d->post_id, "permissions", perms,
	    "created_at", d->created_at, "created_by",
	    d->created_by ? d->created_by : "", "last_used_at",
	    ch_json_str_or_null(d->last_used_at), "last_used_from",
	    ch_json_str_or_null(d->last_used_from), "revoked_at",
	    ch_json_str_or_null(d->revoked_at));
}

void
ch_h_devices_list(struct ch_req *req)
{
	struct ch_device *list;
	size_t n;
	json_t *items;
	ch_err err;

	if ((err = ch_devices_list(&req->ctx, &list, &n)) != CH_OK) {
		ch_reply_error(req, err);
		return;
	}
	items = json_array();
	for (size_t i = 0; i < n; i++)
		if (ch_policy_sees_post(req->who, list[i].post_id))
			json_array_append_new(items, device_json(&list[i]));
	ch_reply_json(
	    req, 200, json_pack("{s:o, s:n}", "items", items, "next_cursor"));
}

void
ch_h_devices_create(struct ch_req *req)
{
	struct ch_device_input in = {0};
	struct ch_device d;
	char token[CH_DEVICE_TOKEN_LEN], perms[128] = "";
	json_t *list = json_object_get(req->body, "permissions");
	json_t *body;
	ch_err err;

	for (size_t i = 0; i < json_array_size(list); i++) {
		size_t used = strlen(perms);

		snprintf(perms + used, sizeof(perms) - used, "%s%s",
		    used ? "," : "",
		    json_string_value(json_array_get(list, i)));
	}
	in.name = ch_json_str(req->body, "name");
	in.post_id = ch_json_str(req->body, "post_id");
	in.permissions = perms;
	if ((err = ch_devices_create(&req->ctx, &in, &d, token)) != CH_OK) {
		ch_reply_error(req, err);
		return;
	}
	body = device_json(&d);
	json_object_set_new(body, "token", json_string(token));
	sodium_memzero(token, sizeof(token));
	ch_reply_json(req, 201, body);
}

void
ch_h_devices_revoke(struct ch_req *req)
{
	ch_err err = ch_devices_revoke(&req->ctx, req->params[0]);

	if (err != CH_OK) {
		ch_reply_error(req, err);
		return;
	}
	req->status = 204;
	req->reply_text = "";
	req->reply_len = 0;
}

void
ch_h_device_self(struct ch_req *req)
{
	json_t *perms = json_array();

	for (int p = 0; p < CH_PERM__COUNT; p++)
		if (req->who->device_perms & CH_PERM_BIT(p))
			json_array_append_new(
			    perms, json_string(ch_perm_code((enum ch_perm)p)));
	ch_reply_json(req, 200,
	    json_pack("{s:s, s:s, s:s, s:o}", "id", req->who->user_id, "name",
		req->who->display_name, "post_id", req->who->post_id,
		"permissions", perms));
}
