/*
 * accounts.h — users, passwords and sessions.  Passwords are hashed with
 * Argon2id (libsodium); at most a few hashes run at once so that a flood of
 * logins cannot exhaust memory.  Session tokens are 256 random bits, given
 * to the client once and stored only as their SHA-256.
 */
#ifndef CH_ACCOUNTS_H
#define CH_ACCOUNTS_H

#include "core/context.h"
#include "store/store.h"

#define CH_PASSWORD_MIN 12  /* code points */
#define CH_PASSWORD_MAX 128 /* code points; longer is refused, not cut */
#define CH_TOKEN_LEN 44     /* base64url of 32 bytes + NUL */

struct ch_user_input {
	const char *username;
	const char *display_name;
	const char *password;
	const char *roles; /* "analyst,guard" */
	const char *clearance;
	const char *post_id; /* may be NULL */
	const char *person_id;
};

struct ch_session_limits {
	int64_t idle_seconds;
	int64_t absolute_seconds;
};

/* Start the hashing limiter; call once at start. */
ch_err ch_accounts_init(void);
/* Check a new password: length and a clear reason when refused. */
ch_err ch_password_check(
    const char *password, const char *username, struct ch_fault *fault);

ch_err ch_users_create(
    struct ch_ctx *ctx, const struct ch_user_input *in, struct ch_user *out);
ch_err ch_users_set_password(
    struct ch_ctx *ctx, const char *username, const char *password);
ch_err ch_users_set_disabled(
    struct ch_ctx *ctx, const char *username, bool disabled);
ch_err ch_users_list(struct ch_ctx *ctx, struct ch_user **out, size_t *count);
ch_err ch_users_get(struct ch_ctx *ctx, const char *id, struct ch_user *out);

/*
 * Verify a username and password and open a session.  Unknown users,
 * disabled users and wrong passwords all return CH_ERR_UNAUTHENTICATED
 * after the same work, so the reply does not reveal which.  token receives
 * the new session token, csrf the session's CSRF token.
 */
ch_err ch_session_login(struct ch_ctx *ctx, const char *username,
    const char *password, char token[CH_TOKEN_LEN], char csrf[65],
    struct ch_user *user);
/*
 * Resolve a session token into its user; CH_ERR_UNAUTHENTICATED when the
 * token is unknown, expired or idle too long, or the user is disabled.
 */
ch_err ch_session_resolve(struct ch_store *store, const char *token,
    ch_arena *arena, struct ch_user *user, struct ch_session_row *session);
ch_err ch_session_logout(struct ch_ctx *ctx, const char *token);
void ch_session_set_limits(const struct ch_session_limits *limits);
/* The SHA-256 of a token as hex. */
void ch_session_token_hash(const char *token, char out[65]);
/* Fill a principal from a user. */
void ch_principal_from_user(const struct ch_user *u, struct ch_principal *p);

#endif /* CH_ACCOUNTS_H */
