/*
 * totp.c — one-time codes (RFC 4226 HOTP, RFC 6238 TOTP with HMAC-SHA-1,
 * 30-second steps, 6 digits) through liboath; the otpauth:// URI that
 * authenticator apps read; the QR code of that URI drawn as SVG from
 * libqrencode's module matrix; and recovery codes.
 *
 * A code is checked against the steps now-1, now and now+1 (one step of
 * drift either way), comparing in constant time.  That a step is used only
 * once is the store's business (ch_store_totp_use_step).
 */
#include <liboath/oath.h>
#include <pthread.h>
#include <qrencode.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "accounts/accounts.h"

static pthread_once_t oath_once = PTHREAD_ONCE_INIT;
static bool oath_ok;

static void
oath_start(void)
{
	oath_ok = oath_init() == OATH_OK;
}

ch_err
ch_hotp(const unsigned char *key, size_t key_len, uint64_t counter,
    unsigned digits, char *out)
{
	pthread_once(&oath_once, oath_start);
	if (!oath_ok || digits < 6 || digits > 8)
		return CH_ERR_CRYPTO;
	if (oath_hotp_generate((const char *)key, key_len, counter, digits,
		false, OATH_HOTP_DYNAMIC_TRUNCATION, out) != OATH_OK)
		return CH_ERR_CRYPTO;
	return CH_OK;
}

/* Decode a base32 secret into key; false when it is not base32. */
static bool
decode_secret(const char *b32, unsigned char *key, size_t *len)
{
	char *raw = NULL;
	size_t n = 0;

	pthread_once(&oath_once, oath_start);
	if (!oath_ok || b32 == NULL || *b32 == '\0' ||
	    oath_base32_decode(b32, strlen(b32), &raw, &n) != OATH_OK)
		return false;
	if (n == 0 || n > *len) {
		free(raw);
		return false;
	}
	memcpy(key, raw, n);
	sodium_memzero(raw, n);
	free(raw);
	*len = n;
	return true;
}

bool
ch_totp_match(
    const char *secret_b32, const char *code, int64_t now, int64_t *step_out)
{
	unsigned char key[64];
	size_t key_len = sizeof(key);
	int64_t step = now / CH_TOTP_STEP;
	bool found = false;

	*step_out = 0;
	if (code == NULL || strlen(code) != CH_TOTP_DIGITS ||
	    strspn(code, "0123456789") != CH_TOTP_DIGITS)
		return false;
	if (!decode_secret(secret_b32, key, &key_len))
		return false;
	/* Check all three steps, whatever matches, in the same time. */
	for (int64_t s = step + 1; s >= step - 1; s--) {
		char expect[CH_TOTP_DIGITS + 1];

		if (ch_hotp(key, key_len, (uint64_t)s, CH_TOTP_DIGITS,
			expect) != CH_OK)
			continue;
		if (sodium_memcmp(expect, code, CH_TOTP_DIGITS) == 0 &&
		    !found) {
			found = true;
			*step_out = s;
		}
		sodium_memzero(expect, sizeof(expect));
	}
	sodium_memzero(key, sizeof(key));
	return found;
}

ch_err
ch_totp_new_secret(char out[CH_TOTP_SECRET_LEN])
{
	unsigned char raw[20]; /* 160 bits, as RFC 4226 recommends */
	char *b32 = NULL;
	size_t n = 0;

	pthread_once(&oath_once, oath_start);
	if (!oath_ok)
		return CH_ERR_CRYPTO;
	ch_random_bytes(raw, sizeof(raw));
	if (oath_base32_encode((const char *)raw, sizeof(raw), &b32, &n) !=
		OATH_OK ||
	    n + 1 > CH_TOTP_SECRET_LEN) {
		free(b32);
		sodium_memzero(raw, sizeof(raw));
		return CH_ERR_CRYPTO;
	}
	memcpy(out, b32, n);
	out[n] = '\0';
	sodium_memzero(b32, n);
	free(b32);
	sodium_memzero(raw, sizeof(raw));
	return CH_OK;
}

/* Percent-encode s for a URI path or query (RFC 3986 unreserved kept). */
static void
uri_escape(struct ch_buf *b, const char *s)
{
	for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
		if ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
		    (*p >= '0' && *p <= '9') || strchr("-._~", *p) != NULL)
			ch_buf_append(b, p, 1);
		else
			ch_buf_appendf(b, "%%%02X", *p);
	}
}

char *
ch_totp_uri(ch_arena *arena, const char *issuer, const char *account,
    const char *secret_b32)
{
	struct ch_buf b;
	char *out;

	ch_buf_init(&b, 2048);
	ch_buf_append(&b, "otpauth://totp/", 15);
	uri_escape(&b, issuer);
	ch_buf_append(&b, ":", 1);
	uri_escape(&b, account);
	ch_buf_appendf(&b, "?secret=%s&issuer=", secret_b32);
	uri_escape(&b, issuer);
	ch_buf_appendf(&b, "&algorithm=SHA1&digits=%d&period=%d",
	    CH_TOTP_DIGITS, CH_TOTP_STEP);
	out = b.data ? ch_arena_strdup(arena, b.data) : NULL;
	if (b.data != NULL)
		sodium_memzero(b.data, b.len);
	ch_buf_free(&b);
	return out;
}

char *
ch_qr_svg(ch_arena *arena, const char *text)
{
	QRcode *qr = QRcode_encodeString(text, 0, QR_ECLEVEL_M, QR_MODE_8, 1);
	struct ch_buf b;
	char *out = NULL;
	int quiet = 4, size;

	if (qr == NULL)
		return NULL;
	size = qr->width + 2 * quiet;
	ch_buf_init(&b, 512 * 1024);
	ch_buf_appendf(&b,
	    "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 %d %d\" "
	    "width=\"%d\" height=\"%d\" shape-rendering=\"crispEdges\">"
	    "<rect width=\"%d\" height=\"%d\" fill=\"#fff\"/><path "
	    "fill=\"#000\" "
	    "d=\"",
	    size, size, size * 6, size * 6, size, size);
	/* One path: a run of dark modules in a row is one rectangle. */
	for (int y = 0; y < qr->width; y++) {
		for (int x = 0; x < qr->width;) {
			int run = 0;

			while (x + run < qr->width &&
			    (qr->data[y * qr->width + x + run] & 1))
				run++;
			if (run > 0) {
				ch_buf_appendf(&b, "M%d %dh%dv1h-%dz",
				    x + quiet, y + quiet, run, run);
				x += run;
			} else {
				x++;
			}
		}
	}
	if (ch_buf_append(&b, "\"/></svg>", 9) == CH_OK)
		out = ch_arena_strdup(arena, b.data);
	ch_buf_free(&b);
	QRcode_free(qr);
	return out;
}

void
ch_recovery_code_new(char out[CH_RECOVERY_LEN])
{
	static const char alphabet[] = "abcdefghjkmnpqrstuvwxyz23456789";
	size_t o = 0;

	/* 16 symbols of 31, uniform: about 79 bits. */
	for (size_t i = 0; i < 16; i++) {
		if (i > 0 && i % 4 == 0)
			out[o++] = '-';
		out[o++] = alphabet[randombytes_uniform(sizeof(alphabet) - 1)];
	}
	out[o] = '\0';
}

bool
ch_recovery_code_hash(const char *code, char out[65])
{
	char norm[32];
	size_t n = 0;
	unsigned char digest[crypto_hash_sha256_BYTES];

	for (const char *p = code; p && *p; p++) {
		if (*p == '-' || *p == ' ')
			continue;
		if (n + 1 >= sizeof(norm))
			return false;
		norm[n++] =
		    (char)(*p >= 'A' && *p <= 'Z' ? *p - 'A' + 'a' : *p);
	}
	if (n != 16)
		return false;
	crypto_hash_sha256(digest, (const unsigned char *)norm, n);
	ch_hex(digest, sizeof(digest), out);
	sodium_memzero(norm, sizeof(norm));
	return true;
}
