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

/*
 * Session timeouts.  Privileged roles (security officer, administrator,
 * HQ, EAC member) get the shorter pair.  A pending session (waiting for a
 * second factor or an enrolment) lives pending_seconds.  A password (and
 * TOTP) check counts as recent for reauth_seconds.
 */
struct ch_session_limits {
	int64_t idle_seconds;
	int64_t absolute_seconds;
	int64_t idle_privileged;
	int64_t absolute_privileged;
	int64_t pending_seconds;
	int64_t reauth_seconds;
};
#define CH_PRIVILEGED_ROLES                                                    \
	((1u << CH_ROLE_SECURITY_OFFICER) | (1u << CH_ROLE_ADMINISTRATOR) |    \
	    (1u << CH_ROLE_HQ) | (1u << CH_ROLE_EAC_MEMBER))

/* Start the hashing limiter; call once at start. */
ch_err ch_accounts_init(void);
/* Rebuild the sign-in throttle from the failures of the last hour. */
ch_err ch_accounts_load_throttle(struct ch_store *store);

/* ---- password.c ---- */
/*
 * Check a new password against the policy (length, common passwords,
 * libzxcvbn's estimate, the username and the post's name, either may be
 * NULL); fills fault with a reason and advice when refused.
 */
/*
 * The password as it is checked, hashed and verified (RFC 8265
 * OpaqueString): other spaces as U+0020, then NFC.  Returns password
 * itself when it is ASCII, not UTF-8 or too long to prepare, else out
 * (size bytes; CH_PASSWORD_PREP_MAX * 3 is enough).
 */
#define CH_PASSWORD_PREP_MAX 1024 /* UTF-16 units */
const char *ch_password_prepare(const char *password, char *out, size_t size);
ch_err ch_password_check(const char *password, const char *username,
    const char *post_name, struct ch_fault *fault);
bool ch_password_is_common(const char *password);
/* libzxcvbn's estimate of the guesses needed, as log10. */
double ch_password_guesses_log10(
    const char *password, const char *const *words);

/* ---- totp.c ---- */
#define CH_TOTP_STEP 30
#define CH_TOTP_DIGITS 6
#define CH_TOTP_SECRET_LEN 64 /* base32 of 20 bytes is 32 characters */
#define CH_RECOVERY_CODES 10
#define CH_RECOVERY_LEN 20 /* "abcd-efgh-jkmn-pqrs" + NUL */
/* RFC 4226 HOTP of counter with digits (6 to 8) into out (digits + 1). */
ch_err ch_hotp(const unsigned char *key, size_t key_len, uint64_t counter,
    unsigned digits, char *out);
/* Whether code is the TOTP of secret at now's step or one either side;
 * *step receives the step it matched. */
bool ch_totp_match(
    const char *secret_b32, const char *code, int64_t now, int64_t *step);
ch_err ch_totp_new_secret(char out[CH_TOTP_SECRET_LEN]);
char *ch_totp_uri(ch_arena *arena, const char *issuer, const char *account,
    const char *secret_b32);
/* An SVG image of the QR code of text, or NULL. */
char *ch_qr_svg(ch_arena *arena, const char *text);
void ch_recovery_code_new(char out[CH_RECOVERY_LEN]);
/* The SHA-256 (hex) of a recovery code as typed (dashes, spaces and case
 * ignored); false when it cannot be one. */
bool ch_recovery_code_hash(const char *code, char out[65]);

/* ---- throttle.c ---- */
#define CH_THROTTLE_ACCOUNT_FREE 5
#define CH_THROTTLE_ACCOUNT_MAX 100
#define CH_THROTTLE_SOURCE_FREE 100
#define CH_THROTTLE_DELAY_MAX 900
/* Seconds the next attempt for account from source must wait (0: go). */
int64_t ch_throttle_wait(const char *account, const char *source, int64_t now);
/* As ch_throttle_wait; when it answers 0 the attempt is in flight until
 * ch_throttle_end (after ch_throttle_failed or _succeeded, if either):
 * past the free failures, attempts of an account or a source wait for the
 * one in flight. */
int64_t ch_throttle_begin(const char *account, const char *source, int64_t now);
void ch_throttle_end(const char *account, const char *source);
void ch_throttle_failed(const char *account, const char *source, int64_t now);
void ch_throttle_succeeded(
    const char *account, const char *source, int64_t now);
void ch_throttle_reset(void);

ch_err ch_users_create(
    struct ch_ctx *ctx, const struct ch_user_input *in, struct ch_user *out);
ch_err ch_users_set_password(
    struct ch_ctx *ctx, const char *username, const char *password);
ch_err ch_users_set_disabled(
    struct ch_ctx *ctx, const char *username, bool disabled);
ch_err ch_users_list(struct ch_ctx *ctx, struct ch_user **out, size_t *count);
ch_err ch_users_get(struct ch_ctx *ctx, const char *id, struct ch_user *out);

/* Remove a user's TOTP secret and recovery codes and end their sessions
 * (a lost phone); audited. */
ch_err ch_users_totp_reset(struct ch_ctx *ctx, const char *username);
/* Change a user's roles, clearance or post (each NULL: unchanged;
 * post_id "" : none). */
ch_err ch_users_set_access(struct ch_ctx *ctx, const char *id,
    const char *roles, const char *clearance, const char *post_id);
/* Whether ch_users_set_access would accept the change (nothing written),
 * so that a request changing more than access is refused as a whole. */
ch_err ch_users_check_access(struct ch_ctx *ctx, const char *id,
    const char *roles, const char *clearance, const char *post_id);

/* The second-factor rule of users without a post: "privileged" (the
 * default), "all" or "optional". */
void ch_second_factor_set_default(const char *rule);
bool ch_second_factor_rule_valid(const char *rule);
/* Set a post's rule (CLI). */
ch_err ch_posts_set_second_factor(
    struct ch_ctx *ctx, const char *post_id, const char *rule);

/* What a sign-in step produced. */
enum ch_login_state {
	CH_LOGIN_DONE,  /* a full session */
	CH_LOGIN_TOTP,  /* a pending session: send a code */
	CH_LOGIN_ENROL, /* a pending session: enrol a second factor */
};
struct ch_login {
	enum ch_login_state state;
	char token[CH_TOKEN_LEN];
	char csrf[65];
	struct ch_user user;
	int64_t retry_after; /* CH_ERR_LIMIT: seconds to wait */
};

/*
 * Verify a username and password and open a session, full or pending.
 * Unknown users, disabled users and wrong passwords all return
 * CH_ERR_UNAUTHENTICATED after the same work, so the reply does not reveal
 * which; CH_ERR_LIMIT (with retry_after) when throttled, for known and
 * unknown names alike.
 */
ch_err ch_session_login(struct ch_ctx *ctx, const char *username,
    const char *password, struct ch_login *out);
/*
 * Finish a pending sign-in with a TOTP code or a recovery code: the
 * pending session ends and a full one starts.  CH_ERR_REPLAY when the code
 * was used already (logged; tell the user).
 */
ch_err ch_session_second_factor(struct ch_ctx *ctx, const char *token,
    const char *code, const char *recovery_code, struct ch_login *out);
/* Replace a session by a full one (after enrolment). */
ch_err ch_session_upgrade(
    struct ch_ctx *ctx, const char *token, struct ch_login *out);
/*
 * Resolve a session token into its user; CH_ERR_UNAUTHENTICATED when the
 * token is unknown, expired or idle too long, or the user is disabled.
 * Pending sessions resolve too: the caller checks session->stage.
 */
ch_err ch_session_resolve(struct ch_store *store, const char *token,
    ch_arena *arena, struct ch_user *user, struct ch_session_row *session);
/*
 * Whether the session of a token hash is still a live, full session, with
 * its user as they are now (roles, clearance, post) in *who; it does not
 * count as activity.  CH_ERR_UNAUTHENTICATED when it ended, expired, went
 * idle or its user was disabled.  For connections that outlive a request
 * (the live feed).
 */
ch_err ch_session_check(struct ch_store *store, const char *token_hash,
    ch_arena *arena, struct ch_principal *who);
ch_err ch_session_logout(struct ch_ctx *ctx, const char *token);
void ch_session_set_limits(const struct ch_session_limits *limits);
void ch_session_get_limits(struct ch_session_limits *limits);
/* Whether a session's last password check is recent enough. */
bool ch_session_recent(const struct ch_session_row *s, int64_t now);
/* Check the password (and TOTP when enrolled) again and mark the session
 * recently authenticated. */
ch_err ch_session_reauth(struct ch_ctx *ctx, const char *token_hash,
    const char *password, const char *code, int64_t *retry_after);
/* The user's own sessions; end one by its public id. */
ch_err ch_sessions_list(
    struct ch_ctx *ctx, struct ch_session_row **out, size_t *count);
ch_err ch_sessions_end(struct ch_ctx *ctx, const char *public_id);

/* TOTP enrolment of the signed-in user (ctx->who). */
struct ch_totp_status {
	bool enrolled;
	bool required;
	int64_t recovery_left;
};
ch_err ch_totp_status(struct ch_ctx *ctx, struct ch_totp_status *out);
/* Start (or restart) an enrolment: a new secret, its URI and QR SVG. */
ch_err ch_totp_enrol_start(struct ch_ctx *ctx, char secret[CH_TOTP_SECRET_LEN],
    char **uri, char **svg);
/* Confirm with a first code; codes receives the recovery codes, shown
 * once. */
ch_err ch_totp_enrol_confirm(struct ch_ctx *ctx, const char *code,
    char codes[CH_RECOVERY_CODES][CH_RECOVERY_LEN]);

/* ---- devices.c: device tokens ---- */
#define CH_DEVICE_TOKEN_LEN 48 /* "chd_" + base64url of 32 bytes + NUL */
struct ch_device_input {
	const char *name;
	const char *post_id;
	const char *permissions; /* "posts.read,people.read" */
};
/* Permissions a device may hold, as a mask of (1u << enum ch_perm). */
bool ch_device_perms_parse(const char *list, uint64_t *mask);
ch_err ch_devices_create(struct ch_ctx *ctx, const struct ch_device_input *in,
    struct ch_device *out, char token[CH_DEVICE_TOKEN_LEN]);
ch_err ch_devices_list(
    struct ch_ctx *ctx, struct ch_device **out, size_t *count);
ch_err ch_devices_revoke(struct ch_ctx *ctx, const char *id);
/* Resolve "chd_..." into a device principal; records its use. */
ch_err ch_device_resolve(struct ch_store *store, const char *token,
    const char *source, ch_arena *arena, struct ch_principal *who);
/* Whether s has the shape of a device token. */
bool ch_device_token_syntax(const char *s, size_t len);
/* The SHA-256 of a token as hex. */
void ch_session_token_hash(const char *token, char out[65]);
/* Fill a principal from a user. */
void ch_principal_from_user(const struct ch_user *u, struct ch_principal *p);

#endif /* CH_ACCOUNTS_H */
