/*
 * test_auth.c — authentication: HOTP and TOTP against the RFC 4226 and
 * RFC 6238 test vectors, the password policy, the sign-in throttle under a
 * moved clock, the Authorization header parser, recovery codes and the QR
 * SVG; then, over a store ($CH_TEST_DSN or SQLite), sign-in stages, a TOTP
 * step used once, idle and absolute timeouts, the re-authentication window
 * and device tokens.
 */
#include <criterion/criterion.h>
#include <pthread.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "accounts/accounts.h"
#include "core/vault.h"
#include "http/http.h"
#include "people/people.h"
#include "store/store.h"

/* ---- RFC 4226 appendix D, RFC 6238 appendix B (SHA-1) ---- */

static const unsigned char rfc_key[] = "12345678901234567890";

Test(hotp, rfc4226_appendix_d)
{
	static const char *const expect[] = {"755224", "287082", "359152",
	    "969429", "338314", "254676", "287922", "162583", "399871",
	    "520489"};
	char out[9];

	for (uint64_t c = 0; c < 10; c++) {
		cr_assert_eq(ch_hotp(rfc_key, 20, c, 6, out), CH_OK);
		cr_assert_str_eq(out, expect[c], "counter %d", (int)c);
	}
}

Test(totp, rfc6238_appendix_b_sha1)
{
	static const struct {
		int64_t t;
		const char *code;
	} v[] = {
	    {59, "94287082"},
	    {1111111109, "07081804"},
	    {1111111111, "14050471"},
	    {1234567890, "89005924"},
	    {2000000000, "69279037"},
	    {20000000000, "65353130"},
	};
	char out[9];

	for (size_t i = 0; i < CH_ARRAY_LEN(v); i++) {
		cr_assert_eq(
		    ch_hotp(rfc_key, 20, (uint64_t)(v[i].t / 30), 8, out),
		    CH_OK);
		cr_assert_str_eq(out, v[i].code, "T=%lld", (long long)v[i].t);
	}
}

/* base32 of "12345678901234567890" */
#define RFC_B32 "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ"

Test(totp, one_step_of_drift_either_way_and_no_more)
{
	char code[9];
	int64_t step, t = 1111111111;

	cr_assert_eq(ch_hotp(rfc_key, 20, (uint64_t)(t / 30), 6, code), CH_OK);
	cr_assert(ch_totp_match(RFC_B32, code, t, &step));
	cr_assert_eq(step, t / 30);
	cr_assert(ch_totp_match(RFC_B32, code, t + 30, &step));
	cr_assert_eq(step, t / 30);
	cr_assert(ch_totp_match(RFC_B32, code, t - 30, &step));
	cr_assert_not(ch_totp_match(RFC_B32, code, t + 60, &step));
	cr_assert_not(ch_totp_match(RFC_B32, code, t - 60, &step));
	cr_assert_not(ch_totp_match(RFC_B32, "12345", t, &step));
	cr_assert_not(ch_totp_match(RFC_B32, "12a456", t, &step));
	cr_assert_not(ch_totp_match("not base32!", code, t, &step));
}

Test(totp, new_secrets_uri_and_qr)
{
	char a[CH_TOTP_SECRET_LEN], b[CH_TOTP_SECRET_LEN];
	ch_arena *arena = ch_arena_create(0);
	char *uri, *svg;

	cr_assert_eq(ch_totp_new_secret(a), CH_OK);
	cr_assert_eq(ch_totp_new_secret(b), CH_OK);
	cr_assert_eq(strlen(a), 32);
	cr_assert_str_neq(a, b);
	uri = ch_totp_uri(arena, "Chancery", "a b", a);
	cr_assert(
	    strncmp(uri, "otpauth://totp/Chancery:a%20b?secret=", 37) == 0,
	    "%s", uri);
	cr_assert(strstr(uri, "&period=30") != NULL);
	svg = ch_qr_svg(arena, uri);
	cr_assert_not_null(svg);
	cr_assert(strncmp(svg, "<svg xmlns=", 11) == 0);
	cr_assert(strstr(svg, "</svg>") != NULL);
	ch_arena_destroy(arena);
}

Test(recovery, codes_are_random_and_hash_ignoring_case_and_dashes)
{
	char c1[CH_RECOVERY_LEN], c2[CH_RECOVERY_LEN], h1[65], h2[65];
	char upper[CH_RECOVERY_LEN];

	ch_recovery_code_new(c1);
	ch_recovery_code_new(c2);
	cr_assert_eq(strlen(c1), 19);
	cr_assert_str_neq(c1, c2);
	for (size_t i = 0; i < sizeof(upper); i++)
		upper[i] =
		    (char)(c1[i] >= 'a' && c1[i] <= 'z' ? c1[i] - 32 : c1[i]);
	cr_assert(ch_recovery_code_hash(c1, h1));
	cr_assert(ch_recovery_code_hash(upper, h2));
	cr_assert_str_eq(h1, h2);
	cr_assert_not(ch_recovery_code_hash("short", h2));
}

/* ---- the password policy ---- */

static ch_err
check(const char *pw, const char *user, const char *post, char *detail)
{
	struct ch_fault f = {0};
	ch_err err = ch_password_check(pw, user, post, &f);

	if (detail != NULL)
		memcpy(detail, f.detail, sizeof(f.detail));
	return err;
}

Test(password, length_in_code_points_no_truncation)
{
	char detail[320], long_pw[600];

	cr_assert_eq(check("short words", NULL, NULL, detail), CH_ERR_INVALID);
	cr_assert(strstr(detail, "use at least 12") != NULL, "%s", detail);
	/* 11 code points in 22 bytes: too short, counted in code points. */
	cr_assert_eq(check("ÆØÅæøåÆØÅæø", NULL, NULL, detail), CH_ERR_INVALID);
	cr_assert(strstr(detail, "has 11 characters") != NULL, "%s", detail);
	memset(long_pw, 'a', 129);
	long_pw[129] = '\0';
	cr_assert_eq(check(long_pw, NULL, NULL, detail), CH_ERR_INVALID);
	cr_assert(strstr(detail, "at most 128") != NULL, "%s", detail);
	cr_assert_eq(check("\xff\xfe invalid utf8 here", NULL, NULL, detail),
	    CH_ERR_INVALID);
}

/* RFC 8265 OpaqueString: the same keys give the same password whatever
 * form the system sends them in. */
Test(password, prepared_as_opaque_strings)
{
	char out[CH_PASSWORD_PREP_MAX * 3];
	const char *ascii = "a quiet heron folds maps";

	/* ASCII is passed through as it is. */
	cr_assert_eq(ch_password_prepare(ascii, out, sizeof(out)), ascii);
	/* "é" decomposed (e + U+0301) becomes the one code point U+00E9. */
	cr_assert_str_eq(ch_password_prepare("caf"
					     "e\xcc\x81 au lait du matin",
			     out, sizeof(out)),
	    "caf\xc3\xa9 au lait du matin");
	/* Already NFC: unchanged. */
	cr_assert_str_eq(ch_password_prepare(
			     "caf\xc3\xa9 au lait du matin", out, sizeof(out)),
	    "caf\xc3\xa9 au lait du matin");
	/* A no-break space and an ideographic space are spaces. */
	cr_assert_str_eq(ch_password_prepare("\xc3\xa9t\xc3\xa9\xc2\xa0"
					     "chaud\xe3\x80\x80ici",
			     out, sizeof(out)),
	    "\xc3\xa9t\xc3\xa9 chaud ici");
	/* Not UTF-8: left to the check, which refuses it. */
	cr_assert_str_eq(
	    ch_password_prepare("\xff\xfe x", out, sizeof(out)), "\xff\xfe x");
}

Test(password, common_passwords_and_their_variants_are_refused)
{
	static const char *const bad[] = {"password1234", "Password1234!",
	    "qwertyuiop123", "P@ssw0rd2024!!", "iloveyou2024", "Dragon12345678",
	    "1q2w3e4r5t6y", "correcthorsebatterystaple", "aaaaaaaaaaaa",
	    "Summer2024!!!"};
	char detail[320];

	for (size_t i = 0; i < CH_ARRAY_LEN(bad); i++) {
		cr_assert_eq(check(bad[i], NULL, NULL, detail), CH_ERR_INVALID,
		    "%s was accepted", bad[i]);
		cr_assert(
		    strstr(detail, "four or more unrelated words") != NULL,
		    "%s: %s", bad[i], detail);
	}
	cr_assert(ch_password_is_common("P@SSW0RD"));
	cr_assert_not(ch_password_is_common("a quiet heron folds maps"));
}

Test(password, passphrases_and_the_demo_passwords_pass)
{
	static const char *const good[] = {"correct horse battery staple 7",
	    "a quiet heron folds maps at dawn", "Tr0ub4dor&3 of the north",
	    "ÆbleGrød-på-taget-i-Nairobi"};
	static const char *const demo[] = {
	    "rso", "analyst", "guard", "staff", "eac", "hq", "admin"};
	char pw[64], detail[320];

	for (size_t i = 0; i < CH_ARRAY_LEN(good); i++)
		cr_assert_eq(
		    check(good[i], "someone", "Embassy in Nairobi", detail),
		    CH_OK, "%s: %s", good[i], detail);
	for (size_t i = 0; i < CH_ARRAY_LEN(demo); i++) {
		snprintf(pw, sizeof(pw), "%s-demo-passphrase", demo[i]);
		cr_assert_eq(check(pw, demo[i], "Embassy in Nairobi", detail),
		    CH_OK, "%s: %s", pw, detail);
	}
}

Test(password, the_username_or_post_name_cannot_carry_it)
{
	char detail[320];

	cr_assert_eq(check("sofielund-sofielund", "sofielund", NULL, detail),
	    CH_ERR_INVALID);
	cr_assert_eq(
	    check("NairobiEmbassy#2024", "rso", "Embassy in Nairobi", detail),
	    CH_ERR_INVALID);
	cr_assert_eq(check("sofielund+Q7#kzw", "sofielund", NULL, detail),
	    CH_ERR_INVALID);
	cr_assert(
	    strstr(detail, "built on your username") != NULL, "%s", detail);
	cr_assert_eq(check("sofielund walks the quiet red dunes", "sofielund",
			 NULL, detail),
	    CH_OK, "%s", detail);
}

/* ---- the throttle, with a moved clock ---- */

Test(throttle, back_off_doubles_after_five_failures)
{
	int64_t t = 1700000000;

	ch_throttle_reset();
	for (int i = 0; i < CH_THROTTLE_ACCOUNT_FREE; i++) {
		cr_assert_eq(ch_throttle_wait("victim", "10.0.0.9", t), 0);
		ch_throttle_failed("victim", "10.0.0.9", t);
	}
	cr_assert_eq(ch_throttle_wait("victim", "10.0.0.9", t), 0);
	ch_throttle_failed("victim", "10.0.0.9", t); /* 6th */
	cr_assert_eq(ch_throttle_wait("victim", "10.0.0.9", t), 1);
	cr_assert_eq(ch_throttle_wait("victim", "10.0.0.9", t + 1), 0);
	ch_throttle_failed("victim", "10.0.0.9", t + 1); /* 7th */
	cr_assert_eq(ch_throttle_wait("victim", "10.0.0.9", t + 1), 2);
	ch_throttle_failed("victim", "10.0.0.9", t + 3); /* 8th */
	cr_assert_eq(ch_throttle_wait("victim", "10.0.0.9", t + 3), 4);
	/* Another address is throttled for the account too... */
	cr_assert_eq(ch_throttle_wait("victim", "10.0.0.77", t + 3), 4);
	/* ...and an unknown name behaves exactly like a real one. */
	for (int i = 0; i < 6; i++)
		ch_throttle_failed("nobody", "10.0.0.9", t);
	ch_throttle_failed("nobody", "10.0.0.9", t + 1);
	ch_throttle_failed("nobody", "10.0.0.9", t + 3);
	cr_assert_eq(ch_throttle_wait("nobody", "10.0.0.8", t + 3),
	    ch_throttle_wait("victim", "10.0.0.8", t + 3));
	/* After the hour the window starts again. */
	cr_assert_eq(ch_throttle_wait("victim", "10.0.0.9", t + 3600), 0);
}

Test(throttle, the_delay_is_capped)
{
	int64_t t = 1700000000;

	ch_throttle_reset();
	for (int i = 0; i < 40; i++)
		ch_throttle_failed("acct", "192.0.2.1", t);
	cr_assert_eq(
	    ch_throttle_wait("acct", "192.0.2.2", t), CH_THROTTLE_DELAY_MAX);
}

Test(throttle, not_a_lock_on_the_victim_at_their_own_address)
{
	int64_t t = 1700000000;

	ch_throttle_reset();
	ch_throttle_succeeded("victim", "10.1.1.1", t);
	for (int i = 0; i < 12; i++)
		ch_throttle_failed("victim", "203.0.113.5", t + 10);
	cr_assert_gt(ch_throttle_wait("victim", "203.0.113.5", t + 10), 0);
	cr_assert_eq(ch_throttle_wait("victim", "10.1.1.1", t + 10), 0);
	/* But at the hourly maximum every address waits. */
	for (int i = 0; i < CH_THROTTLE_ACCOUNT_MAX; i++)
		ch_throttle_failed("victim", "203.0.113.5", t + 10);
	cr_assert_gt(ch_throttle_wait("victim", "10.1.1.1", t + 10), 3000);
}

Test(throttle, an_address_spraying_many_accounts_backs_off)
{
	int64_t t = 1700000000;
	char name[32];

	ch_throttle_reset();
	for (int i = 0; i < CH_THROTTLE_SOURCE_FREE + 1; i++) {
		snprintf(name, sizeof(name), "user%d", i);
		ch_throttle_failed(name, "198.51.100.7", t);
	}
	cr_assert_gt(ch_throttle_wait("fresh", "198.51.100.7", t), 0);
	cr_assert_eq(ch_throttle_wait("fresh", "198.51.100.8", t), 0);
}

Test(throttle, a_flood_of_other_names_does_not_wipe_an_account)
{
	int64_t t = 1700000000;
	char name[32];

	ch_throttle_reset();
	for (int i = 0; i < CH_THROTTLE_ACCOUNT_MAX; i++)
		ch_throttle_failed("victim", "192.0.2.1", t);
	cr_assert_gt(ch_throttle_wait("victim", "192.0.2.2", t + 1), 3000);
	/* Far more names than the table has slots, a failure each. */
	for (int i = 0; i < 5 * 4096; i++) {
		snprintf(name, sizeof(name), "junk%d", i);
		ch_throttle_failed(name, "192.0.2.3", t + 2);
	}
	cr_assert_gt(ch_throttle_wait("victim", "192.0.2.2", t + 3), 3000);
}

/* ---- the Authorization header parser ---- */

Test(bearer, parses_only_a_plain_bearer_token)
{
	char out[64];

	cr_assert(ch_auth_bearer_parse("Bearer chd_abc", out, sizeof(out)));
	cr_assert_str_eq(out, "chd_abc");
	cr_assert(ch_auth_bearer_parse("bearer   chd_abc  ", out, sizeof(out)));
	cr_assert_str_eq(out, "chd_abc");
	cr_assert_not(ch_auth_bearer_parse("Basic abc", out, sizeof(out)));
	cr_assert_not(ch_auth_bearer_parse("Bearer", out, sizeof(out)));
	cr_assert_not(ch_auth_bearer_parse("Bearer ", out, sizeof(out)));
	cr_assert_not(ch_auth_bearer_parse("Bearerx abc", out, sizeof(out)));
	cr_assert_not(ch_auth_bearer_parse("Bearer a b", out, sizeof(out)));
	cr_assert_not(ch_auth_bearer_parse("Bearer a\x01", out, sizeof(out)));
	cr_assert_not(ch_auth_bearer_parse(
	    "Bearer 0123456789012345678901234567890123456789012345678901234567"
	    "890123456789",
	    out, sizeof(out)));
	cr_assert(ch_device_token_syntax(
	    "chd_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA", 47));
	cr_assert_not(ch_device_token_syntax(
	    "chx_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA", 47));
	cr_assert_not(ch_device_token_syntax(
	    "chd_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA+", 47));
}

/* ---- over a store ---- */

static struct ch_store *store;
static struct ch_ctx ctx;
static char sqlite_path[128], post_id[CH_ID_LEN];
/* TOTP secrets are sealed by the store: a data key for the tests. */
static const unsigned char test_key[CH_VAULT_KEY_BYTES] = {7, 7, 7};

static void
setup(void)
{
	const char *env = getenv("CH_TEST_DSN");
	struct ch_post in = {0}, out;
	char dsn[512], name[64];

	ch_log_set_quiet(true);
	ch_clock_set_offset(0);
	ch_throttle_reset();
	if (env != NULL && *env != '\0') {
		snprintf(dsn, sizeof(dsn), "%s", env);
	} else {
		snprintf(sqlite_path, sizeof(sqlite_path), "/tmp/ch-auth-%d.db",
		    (int)getpid());
		snprintf(dsn, sizeof(dsn), "sqlite:%s", sqlite_path);
	}
	cr_assert_eq(ch_vault_load_raw("0badc0de", test_key), CH_OK);
	cr_assert_eq(ch_store_open(dsn, 2, &store), CH_OK);
	cr_assert_eq(ch_accounts_init(), CH_OK);
	memset(&ctx, 0, sizeof(ctx));
	ctx.store = store;
	ctx.arena = ch_arena_create(0);
	ctx.request_id = "test";
	ctx.source = "192.0.2.10";
	snprintf(name, sizeof(name), "Auth post %d-%ld", (int)getpid(),
	    (long)random());
	in.name = name;
	in.kind = CH_POST_CONSULATE;
	memcpy(in.country, "KE", 3);
	in.city = "Kisumu";
	in.timezone = "Africa/Nairobi";
	cr_assert_eq(ch_posts_create(&ctx, &in, &out), CH_OK);
	memcpy(post_id, out.id, CH_ID_LEN);
}

static void
teardown(void)
{
	ch_clock_set_offset(0);
	ch_arena_destroy(ctx.arena);
	ch_store_close(store);
	ch_vault_unload();
	if (sqlite_path[0] != '\0') {
		char p[160];

		unlink(sqlite_path);
		snprintf(p, sizeof(p), "%s-wal", sqlite_path);
		unlink(p);
		snprintf(p, sizeof(p), "%s-shm", sqlite_path);
		unlink(p);
	}
}

TestSuite(sessions, .init = setup, .fini = teardown);

static void
make_user(const char *prefix, const char *roles, char name[40])
{
	struct ch_user_input in = {0};
	struct ch_user u;

	snprintf(name, 40, "%s%d%ld", prefix, (int)getpid(),
	    (long)(random() % 100000));
	in.username = name;
	in.password = "a quiet heron folds maps at dawn";
	in.roles = roles;
	in.post_id = post_id;
	cr_assert_eq(
	    ch_users_create(&ctx, &in, &u), CH_OK, "%s", ctx.fault.detail);
}

Test(sessions, a_privileged_role_must_enrol_then_each_step_is_used_once)
{
	struct ch_login l;
	struct ch_session_row s;
	struct ch_user u;
	char name[40], secret[CH_TOTP_SECRET_LEN], *uri, *svg, code[9];
	char codes[CH_RECOVERY_CODES][CH_RECOVERY_LEN];
	unsigned char key[32];
	struct ch_principal who;
	size_t key_len;
	int64_t step;

	make_user("rso", "security_officer", name);
	cr_assert_eq(ch_session_login(
			 &ctx, name, "a quiet heron folds maps at dawn", &l),
	    CH_OK);
	cr_assert_eq(l.state, CH_LOGIN_ENROL);
	cr_assert_eq(
	    ch_session_resolve(store, l.token, ctx.arena, &u, &s), CH_OK);
	cr_assert_str_eq(s.stage, CH_STAGE_ENROL);
	ch_principal_from_user(&u, &who);
	ctx.who = &who;
	cr_assert_eq(ch_totp_enrol_start(&ctx, secret, &uri, &svg), CH_OK);
	cr_assert_not(ch_totp_match(secret, "000000", 0, &step));
	/* The code of the current step, as an app computes it. */
	{
		/* base32 decode by hand (RFC 4648, no padding). */
		const char *alpha = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
		unsigned bits = 0, value = 0;
		size_t n = 0;

		for (const char *p = secret; *p; p++) {
			value = (value << 5) |
			    (unsigned)(strchr(alpha, *p) - alpha);
			bits += 5;
			if (bits >= 8) {
				key[n++] = (unsigned char)(value >> (bits - 8));
				bits -= 8;
			}
		}
		key_len = n;
	}
	cr_assert_eq(
	    ch_hotp(key, key_len, (uint64_t)(ch_clock_now() / 30), 6, code),
	    CH_OK);
	cr_assert_eq(ch_totp_enrol_confirm(&ctx, code, codes), CH_OK, "%s",
	    ctx.fault.detail);
	ctx.who = NULL;
	{
		char pending[CH_TOKEN_LEN];

		memcpy(pending, l.token, sizeof(pending));
		cr_assert_eq(ch_session_upgrade(&ctx, pending, &l), CH_OK);
	}
	cr_assert_eq(l.state, CH_LOGIN_DONE);
	/* Next sign-in: a code is needed, and the enrolment's is spent. */
	cr_assert_eq(ch_session_login(
			 &ctx, name, "a quiet heron folds maps at dawn", &l),
	    CH_OK);
	cr_assert_eq(l.state, CH_LOGIN_TOTP);
	cr_assert_eq(ch_session_second_factor(&ctx, l.token, code, NULL, &l),
	    CH_ERR_REPLAY);
	/* The next step (one step of drift) is fresh. */
	cr_assert_eq(
	    ch_hotp(key, key_len, (uint64_t)(ch_clock_now() / 30 + 1), 6, code),
	    CH_OK);
	{
		char pending[CH_TOKEN_LEN];
		struct ch_login l2;

		cr_assert_eq(ch_session_login(&ctx, name,
				 "a quiet heron folds maps at dawn", &l2),
		    CH_OK);
		memcpy(pending, l2.token, sizeof(pending));
		cr_assert_eq(
		    ch_session_second_factor(&ctx, pending, code, NULL, &l2),
		    CH_OK);
		cr_assert_eq(l2.state, CH_LOGIN_DONE);
		/* The pending token is gone; the new one works. */
		cr_assert_eq(
		    ch_session_resolve(store, pending, ctx.arena, &u, &s),
		    CH_ERR_UNAUTHENTICATED);
		cr_assert_eq(
		    ch_session_resolve(store, l2.token, ctx.arena, &u, &s),
		    CH_OK);
	}
	/* A recovery code works once. */
	cr_assert_eq(ch_session_login(
			 &ctx, name, "a quiet heron folds maps at dawn", &l),
	    CH_OK);
	cr_assert_eq(
	    ch_session_second_factor(&ctx, l.token, NULL, codes[3], &l), CH_OK);
	cr_assert_eq(ch_session_login(
			 &ctx, name, "a quiet heron folds maps at dawn", &l),
	    CH_OK);
	cr_assert_eq(
	    ch_session_second_factor(&ctx, l.token, NULL, codes[3], &l),
	    CH_ERR_UNAUTHENTICATED);
}

/* A password set from one system (decomposed accents, a no-break space)
 * opens with the same keys typed on another (composed, a plain space). */
Test(sessions, a_password_signs_in_whatever_unicode_form_it_is_typed_in)
{
	struct ch_login l;
	char name[40];

	make_user("nfc", "staff", name);
	cr_assert_eq(
	    ch_posts_set_second_factor(&ctx, post_id, "optional"), CH_OK);
	cr_assert_eq(ch_users_set_password(&ctx, name,
			 "re\xcc\x81sume\xcc\x81\xc2\xa0of the harbour pilots"),
	    CH_OK, "%s", ctx.fault.detail);
	cr_assert_eq(ch_session_login(&ctx, name,
			 "r\xc3\xa9sum\xc3\xa9 of the harbour pilots", &l),
	    CH_OK);
	cr_assert_eq(l.state, CH_LOGIN_DONE);
	cr_assert_eq(
	    ch_session_login(&ctx, name, "resume of the harbour pilots", &l),
	    CH_ERR_UNAUTHENTICATED, "the accents still count");
}

Test(sessions, idle_absolute_and_reauth_limits_follow_the_clock)
{
	struct ch_session_limits lim;
	struct ch_login l;
	struct ch_session_row s;
	struct ch_user u;
	char staff[40], officer[40];

	ch_session_get_limits(&lim);
	cr_assert_eq(lim.idle_privileged, 15 * 60);
	cr_assert_eq(lim.absolute_privileged, 12 * 3600);
	cr_assert_eq(lim.reauth_seconds, 300);
	make_user("staff", "staff", staff);
	make_user("eac", "eac_member", officer);
	cr_assert_eq(
	    ch_posts_set_second_factor(&ctx, post_id, "optional"), CH_OK);
	/* Staff: 30 minutes idle. */
	cr_assert_eq(ch_session_login(
			 &ctx, staff, "a quiet heron folds maps at dawn", &l),
	    CH_OK);
	cr_assert_eq(l.state, CH_LOGIN_DONE);
	ch_clock_set_offset(20 * 60);
	cr_assert_eq(
	    ch_session_resolve(store, l.token, ctx.arena, &u, &s), CH_OK);
	cr_assert(ch_session_recent(&s, ch_clock_now()) == false);
	ch_clock_set_offset(20 * 60 + 31 * 60);
	cr_assert_eq(ch_session_resolve(store, l.token, ctx.arena, &u, &s),
	    CH_ERR_UNAUTHENTICATED);
	/* EAC member (privileged): 15 minutes idle. */
	ch_clock_set_offset(0);
	cr_assert_eq(ch_session_login(
			 &ctx, officer, "a quiet heron folds maps at dawn", &l),
	    CH_OK);
	cr_assert_eq(l.state, CH_LOGIN_DONE);
	cr_assert_eq(
	    ch_session_resolve(store, l.token, ctx.arena, &u, &s), CH_OK);
	cr_assert(ch_session_recent(&s, ch_clock_now()));
	ch_clock_set_offset(10 * 60);
	cr_assert_eq(
	    ch_session_resolve(store, l.token, ctx.arena, &u, &s), CH_OK);
	cr_assert_not(ch_session_recent(&s, ch_clock_now()));
	ch_clock_set_offset(10 * 60 + 16 * 60);
	cr_assert_eq(ch_session_resolve(store, l.token, ctx.arena, &u, &s),
	    CH_ERR_UNAUTHENTICATED);
	/* Absolute: 12 hours even when active every 10 minutes. */
	ch_clock_set_offset(0);
	cr_assert_eq(ch_session_login(
			 &ctx, officer, "a quiet heron folds maps at dawn", &l),
	    CH_OK);
	for (int64_t t = 600; t < 12 * 3600; t += 600) {
		ch_clock_set_offset(t);
		cr_assert_eq(
		    ch_session_resolve(store, l.token, ctx.arena, &u, &s),
		    CH_OK, "at %lld", (long long)t);
	}
	ch_clock_set_offset(12 * 3600);
	cr_assert_eq(ch_session_resolve(store, l.token, ctx.arena, &u, &s),
	    CH_ERR_UNAUTHENTICATED);
}

Test(sessions, a_stricter_rule_ends_the_sessions_it_would_not_open)
{
	struct ch_login staff_login, eac_login;
	struct ch_session_row s;
	struct ch_user u;
	char staff[40], eac[40];

	make_user("staff", "staff", staff);
	make_user("eac", "eac_member", eac);
	cr_assert_eq(
	    ch_posts_set_second_factor(&ctx, post_id, "optional"), CH_OK);
	cr_assert_eq(ch_session_login(&ctx, staff,
			 "a quiet heron folds maps at dawn", &staff_login),
	    CH_OK);
	cr_assert_eq(ch_session_login(&ctx, eac,
			 "a quiet heron folds maps at dawn", &eac_login),
	    CH_OK);
	cr_assert_eq(eac_login.state, CH_LOGIN_DONE);
	/* Privileged: the EAC member must now enrol, the staff need not. */
	cr_assert_eq(
	    ch_posts_set_second_factor(&ctx, post_id, "privileged"), CH_OK);
	cr_assert_eq(
	    ch_session_resolve(store, eac_login.token, ctx.arena, &u, &s),
	    CH_ERR_UNAUTHENTICATED);
	cr_assert_eq(
	    ch_session_resolve(store, staff_login.token, ctx.arena, &u, &s),
	    CH_OK);
	/* All: the staff too. */
	cr_assert_eq(ch_posts_set_second_factor(&ctx, post_id, "all"), CH_OK);
	cr_assert_eq(
	    ch_session_resolve(store, staff_login.token, ctx.arena, &u, &s),
	    CH_ERR_UNAUTHENTICATED);
	cr_assert_eq(ch_session_login(&ctx, staff,
			 "a quiet heron folds maps at dawn", &staff_login),
	    CH_OK);
	cr_assert_eq(staff_login.state, CH_LOGIN_ENROL);
}

Test(sessions, a_move_to_a_post_whose_rule_asks_more_ends_the_sessions)
{
	struct ch_post in = {0}, strict;
	struct ch_session_row s;
	struct ch_login l;
	struct ch_user u;
	char name[40], post_name[64];

	snprintf(post_name, sizeof(post_name), "Strict post %d-%ld",
	    (int)getpid(), (long)random());
	in.name = post_name;
	in.kind = CH_POST_CONSULATE;
	memcpy(in.country, "KE", 3);
	in.city = "Eldoret";
	in.timezone = "Africa/Nairobi";
	cr_assert_eq(ch_posts_create(&ctx, &in, &strict), CH_OK);
	cr_assert_eq(ch_posts_set_second_factor(&ctx, strict.id, "all"), CH_OK);
	make_user("mover", "staff", name);
	cr_assert_eq(ch_session_login(
			 &ctx, name, "a quiet heron folds maps at dawn", &l),
	    CH_OK);
	cr_assert_eq(l.state, CH_LOGIN_DONE);
	cr_assert_eq(
	    ch_users_set_access(&ctx, l.user.id, NULL, NULL, strict.id), CH_OK);
	cr_assert_eq(ch_session_resolve(store, l.token, ctx.arena, &u, &s),
	    CH_ERR_UNAUTHENTICATED);
}

Test(sessions, failures_are_remembered_across_a_restart)
{
	struct ch_login l;
	char name[40];

	make_user("stf", "staff", name);
	/* Ten counted failures, a minute apart: the last asks for 16 s. */
	for (int i = 0; i < 10; i++) {
		ch_clock_set_offset(60 * i);
		cr_assert_eq(
		    ch_session_login(&ctx, name, "wrong wrong wrong wrong", &l),
		    CH_ERR_UNAUTHENTICATED);
	}
	cr_assert_eq(ch_session_login(
			 &ctx, name, "a quiet heron folds maps at dawn", &l),
	    CH_ERR_LIMIT);
	/* A restart: memory is empty, the store remembers. */
	ch_throttle_reset();
	cr_assert_eq(ch_accounts_load_throttle(store), CH_OK);
	cr_assert_eq(ch_session_login(
			 &ctx, name, "a quiet heron folds maps at dawn", &l),
	    CH_ERR_LIMIT);
	cr_assert_gt(l.retry_after, 10);
	/* Once the wait is over the right password works and clears them. */
	ch_clock_set_offset(60 * 9 + 20);
	cr_assert_eq(ch_session_login(
			 &ctx, name, "a quiet heron folds maps at dawn", &l),
	    CH_OK);
	ch_throttle_reset();
	cr_assert_eq(ch_accounts_load_throttle(store), CH_OK);
	cr_assert_eq(
	    ch_session_login(&ctx, name, "wrong wrong wrong wrong", &l),
	    CH_ERR_UNAUTHENTICATED);
}

struct attempt {
	const char *name;
	ch_err err;
};

/* A wrong password, on a context of the thread's own. */
static void *
attempt_wrong(void *arg)
{
	struct attempt *a = arg;
	struct ch_ctx c = ctx;
	struct ch_login l;

	c.arena = ch_arena_create(0);
	a->err = ch_session_login(&c, a->name, "wrong wrong wrong wrong", &l);
	ch_arena_destroy(c.arena);
	return NULL;
}

Test(sessions, attempts_sent_together_do_not_slip_past_the_back_off)
{
	struct attempt a[6];
	pthread_t t[6];
	struct ch_login l;
	int tried = 0;
	char name[40];

	make_user("par", "staff", name);
	for (int i = 0; i < 8; i++) {
		ch_clock_set_offset(60 * i);
		cr_assert_eq(
		    ch_session_login(&ctx, name, "wrong wrong wrong wrong", &l),
		    CH_ERR_UNAUTHENTICATED);
	}
	/* Eight failures ask for 4 s; once they are over, one attempt may
	 * go, and its failure asks for 8 s: six at once get one try. */
	ch_clock_set_offset(60 * 7 + 5);
	for (size_t i = 0; i < CH_ARRAY_LEN(a); i++) {
		a[i] = (struct attempt){name, CH_OK};
		cr_assert_eq(
		    pthread_create(&t[i], NULL, attempt_wrong, &a[i]), 0);
	}
	for (size_t i = 0; i < CH_ARRAY_LEN(a); i++) {
		pthread_join(t[i], NULL);
		cr_assert(a[i].err == CH_ERR_UNAUTHENTICATED ||
		    a[i].err == CH_ERR_LIMIT);
		tried += a[i].err == CH_ERR_UNAUTHENTICATED;
	}
	cr_assert_eq(tried, 1, "%d passwords were tried", tried);
}

struct racing_login {
	const char *name;
	struct ch_login l;
	ch_err err;
};

/* A sign-in with the first password, on a context of the thread's own. */
static void *
login_first_password(void *arg)
{
	struct racing_login *r = arg;
	struct ch_ctx c = ctx;

	c.arena = ch_arena_create(0);
	r->err = ch_session_login(
	    &c, r->name, "a quiet heron folds maps at dawn", &r->l);
	ch_arena_destroy(c.arena);
	return NULL;
}

Test(sessions, a_sign_in_that_straddles_a_password_change_keeps_no_session)
{
	static const char next[] = "seven pale lanterns drift home";
	char name[40], hash[crypto_pwhash_STRBYTES];
	struct racing_login r = {0};
	struct ch_session_row s;
	struct ch_tx *tx = NULL;
	struct ch_user u;
	pthread_t t;

	make_user("race", "staff", name);
	cr_assert_eq(crypto_pwhash_str(hash, next, strlen(next),
			 crypto_pwhash_OPSLIMIT_INTERACTIVE,
			 crypto_pwhash_MEMLIMIT_INTERACTIVE),
	    0);
	/* The change (what ch_users_set_password writes), committed while
	 * a sign-in that read the user before it is still hashing. */
	cr_assert_eq(ch_store_begin(store, true, &tx), CH_OK);
	cr_assert_eq(ch_store_user_by_name(tx, name, ctx.arena, &u), CH_OK);
	u.password_hash = hash;
	cr_assert_eq(ch_store_user_update(tx, &u), CH_OK);
	cr_assert_eq(ch_store_session_delete_user(tx, u.id), CH_OK);
	r.name = name;
	cr_assert_eq(pthread_create(&t, NULL, login_first_password, &r), 0);
	usleep(300 * 1000);
	cr_assert_eq(ch_store_commit(tx), CH_OK);
	pthread_join(t, NULL);
	cr_assert(r.err == CH_OK || r.err == CH_ERR_UNAUTHENTICATED);
	cr_assert(r.err != CH_OK ||
		ch_session_resolve(store, r.l.token, ctx.arena, &u, &s) ==
		    CH_ERR_UNAUTHENTICATED,
	    "a session opened with the old password outlived the change");
}

Test(sessions, device_tokens_resolve_until_revoked)
{
	struct ch_device_input in = {"Gate 2 reader", post_id, "posts.read"};
	struct ch_device d;
	struct ch_principal who;
	char token[CH_DEVICE_TOKEN_LEN];

	cr_assert_eq(ch_devices_create(&ctx, &in, &d, token), CH_OK, "%s",
	    ctx.fault.detail);
	cr_assert_eq(strncmp(token, "chd_", 4), 0);
	cr_assert_eq(
	    ch_device_resolve(store, token, "10.0.0.5", ctx.arena, &who),
	    CH_OK);
	cr_assert(who.device);
	cr_assert_str_eq(who.post_id, post_id);
	cr_assert(ch_policy_allows(&who, CH_PERM_POSTS_READ));
	cr_assert(ch_policy_allows(&who, CH_PERM_DEVICE));
	cr_assert_not(ch_policy_allows(&who, CH_PERM_PEOPLE_READ));
	cr_assert_not(ch_policy_allows(&who, CH_PERM_USERS_WRITE));
	cr_assert_eq(ch_devices_revoke(&ctx, d.id), CH_OK);
	cr_assert_eq(
	    ch_device_resolve(store, token, "10.0.0.5", ctx.arena, &who),
	    CH_ERR_UNAUTHENTICATED);
	in.permissions = "users.write";
	cr_assert_eq(ch_devices_create(&ctx, &in, &d, token), CH_ERR_INVALID);
}

Test(sessions, totp_secrets_are_sealed_at_rest)
{
	struct ch_login l;
	struct ch_session_row s;
	struct ch_user u;
	struct ch_principal who;
	struct ch_totp_row row;
	struct ch_tx *tx;
	char name[40], secret[CH_TOTP_SECRET_LEN], *uri, *svg;
	int64_t plaintext = -1;

	make_user("sealed", "security_officer", name);
	cr_assert_eq(ch_session_login(
			 &ctx, name, "a quiet heron folds maps at dawn", &l),
	    CH_OK);
	cr_assert_eq(
	    ch_session_resolve(store, l.token, ctx.arena, &u, &s), CH_OK);
	ch_principal_from_user(&u, &who);
	ctx.who = &who;
	cr_assert_eq(ch_totp_enrol_start(&ctx, secret, &uri, &svg), CH_OK);
	ctx.who = NULL;
	/* The store hands back the secret it was given ... */
	cr_assert_eq(ch_store_begin(store, false, &tx), CH_OK);
	cr_assert_eq(ch_store_totp_get(tx, u.id, &row), CH_OK);
	ch_store_rollback(tx);
	cr_assert_str_eq(row.pending, secret);
	/* ... and no sealed column holds plain text. */
	cr_assert_eq(ch_store_sealed_count(store, NULL, &plaintext), CH_OK);
	cr_assert_eq(plaintext, 0, "every TOTP secret is sealed");
}
