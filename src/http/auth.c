/*
 * auth.c — sessions over HTTP.  The session token travels in a cookie
 * named with the __Host- prefix (Secure, Path=/, no Domain), HttpOnly and
 * SameSite=Strict.  Every cookie-authenticated change must also carry the
 * session's CSRF token in X-CSRF-Token, compared in constant time.
 */
#include <microhttpd.h>
#include <sodium.h>
#include <stdio.h>
#include <string.h>

#include "accounts/accounts.h"
#include "http/http.h"

static const char *
session_cookie(struct ch_req *req)
{
	return MHD_lookup_connection_value(
	    req->conn, MHD_COOKIE_KIND, CH_SESSION_COOKIE);
}

ch_err
ch_auth_resolve(struct ch_req *req)
{
	struct ch_session_row s;
	struct ch_user u;
	const char *token = session_cookie(req);
	ch_err err;

	req->who = NULL;
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

void
ch_h_login(struct ch_req *req)
{
	char token[CH_TOKEN_LEN], csrf[65];
	struct ch_principal who;
	struct ch_user u;
	ch_err err;

	err = ch_session_login(&req->ctx, ch_json_str(req->body, "username"),
	    ch_json_str(req->body, "password"), token, csrf, &u);
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
	ch_principal_from_user(&u, &who);
	req->set_cookie = ch_arena_printf(req->arena,
	    CH_SESSION_COOKIE "=%s; Path=/; Secure; HttpOnly; "
			      "SameSite=Strict",
	    token);
	sodium_memzero(token, sizeof(token));
	ch_reply_json(req, 200,
	    json_pack(
		"{s:o, s:s}", "user", user_json(&who), "csrf_token", csrf));
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
	req->status = 204;
	req->reply_text = "";
	req->reply_len = 0;
}

void
ch_h_session(struct ch_req *req)
{
	ch_reply_json(req, 200,
	    json_pack("{s:o, s:s}", "user", user_json(req->who), "csrf_token",
		req->csrf_token));
}
