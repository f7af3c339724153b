/*
 * password.c — the password policy, after NIST SP 800-63B 5.1.1 and
 * OWASP ASVS 4.0.3 V2.1:
 *
 *   - 12 to 128 code points; never truncated; any Unicode; no rules about
 *     character classes and no forced rotation;
 *   - refused when it is on the list of common passwords compiled into the
 *     binary (common-passwords.txt), directly, in its leetspeak reading,
 *     or once leading and trailing digits and punctuation are stripped
 *     ("Dragon2024!" is "dragon");
 *   - refused when libzxcvbn estimates fewer than 10^10 guesses (about
 *     33.2 bits): an offline attacker at 10^10 guesses a second against a
 *     fast hash would need a second, but against our Argon2id (64 MiB, t=3,
 *     roughly 10 guesses a second a core) over 30 years a core;
 *   - refused when, once the username and the significant words of the
 *     post's name are taken out, what is left is short or weak: the name
 *     may be part of a passphrase but may not carry it.
 *
 * Each refusal says why and what to do instead.
 *
 * A password is prepared before it is checked, hashed or verified, as
 * RFC 8265's OpaqueString profile does: a space of another kind (no-break,
 * ideographic...) becomes U+0020, then Unicode NFC.  So "é" typed as one
 * code point or as "e" and a combining accent — what different keyboards
 * and systems send for the same keys — is the same password.
 */
#include <ctype.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <unicode/uchar.h>
#include <unicode/unorm2.h>
#include <unicode/ustring.h>
#include <zxcvbn.h>

#include "accounts/accounts.h"

extern const char *const ch_common_passwords[];
extern const size_t ch_common_passwords_count;

#define MIN_GUESSES_LOG10 10.0
#define WORK_MAX 520 /* bytes: 128 code points of up to 4 bytes */

static const char advice[] =
    "A phrase of four or more unrelated words is easy to remember and "
    "hard to guess.";

static int
cmp_word(const void *key, const void *elem)
{
	return strcmp((const char *)key, *(const char *const *)elem);
}

static bool
listed(const char *s)
{
	return s[0] != '\0' &&
	    bsearch(s, ch_common_passwords, ch_common_passwords_count,
		sizeof(ch_common_passwords[0]), cmp_word) != NULL;
}

/* ASCII lower case into out (other bytes as they are). */
static void
lower_copy(const char *in, char *out, size_t size)
{
	size_t i;

	for (i = 0; in[i] != '\0' && i + 1 < size; i++)
		out[i] = (char)tolower((unsigned char)in[i]);
	out[i] = '\0';
}

/* Strip leading and trailing ASCII digits, punctuation and spaces. */
static void
strip_ends(char *s)
{
	size_t n = strlen(s), start = 0;

	while (n > 0 &&
	    (isdigit((unsigned char)s[n - 1]) ||
		ispunct((unsigned char)s[n - 1]) || s[n - 1] == ' '))
		n--;
	s[n] = '\0';
	while (start < n &&
	    (isdigit((unsigned char)s[start]) ||
		ispunct((unsigned char)s[start]) || s[start] == ' '))
		start++;
	memmove(s, s + start, n - start + 1);
}

static void
unleet(char *s)
{
	static const char from[] = "0134578@$!|+";
	static const char to[] = "oieastbasilt";

	for (; *s; s++) {
		const char *p = strchr(from, *s);

		if (p != NULL && *s != '\0')
			*s = to[p - from];
	}
}

bool
ch_password_is_common(const char *password)
{
	char low[WORK_MAX], core[WORK_MAX];

	if (strlen(password) >= WORK_MAX)
		return false;
	lower_copy(password, low, sizeof(low));
	if (listed(low))
		return true;
	memcpy(core, low, sizeof(core));
	strip_ends(core);
	if (listed(core))
		return true;
	unleet(core);
	strip_ends(core);
	if (listed(core))
		return true;
	memcpy(core, low, sizeof(core));
	unleet(core);
	return listed(core);
}

double
ch_password_guesses_log10(const char *password, const char *const *words)
{
	double bits = ZxcvbnMatch(password, (const char **)words, NULL);

	return bits * log10(2.0);
}

/* Remove every case-insensitive occurrence of word (3+ bytes) from s. */
static bool
remove_word(char *s, const char *word)
{
	char w[160];
	size_t n;
	bool found = false;
	char *p;

	lower_copy(word, w, sizeof(w));
	n = strlen(w);
	if (n < 3)
		return false;
	while ((p = strstr(s, w)) != NULL) {
		memmove(p, p + n, strlen(p + n) + 1);
		found = true;
	}
	return found;
}

/* Split the post's name into its words of four or more letters. */
static size_t
post_words(const char *post_name, char words[][64], size_t max)
{
	size_t n = 0;
	const char *p = post_name;

	while (p != NULL && *p != '\0' && n < max) {
		size_t len = strcspn(p, " -,.'/()");

		if (len >= 4 && len < 64) {
			memcpy(words[n], p, len);
			words[n][len] = '\0';
			n++;
		}
		p += len;
		p += strspn(p, " -,.'/()");
	}
	return n;
}

const char *
ch_password_prepare(const char *password, char *out, size_t size)
{
	UChar in16[CH_PASSWORD_PREP_MAX], nfc16[CH_PASSWORD_PREP_MAX];
	const UNormalizer2 *nfc;
	UErrorCode st = U_ZERO_ERROR;
	int32_t n = 0, m;
	bool plain = true;

	for (const char *p = password; *p != '\0'; p++)
		plain &= (unsigned char)*p < 0x80;
	if (plain || size == 0)
		return password; /* ASCII is its own NFC */
	u_strFromUTF8(in16, CH_ARRAY_LEN(in16), &n, password, -1, &st);
	if (U_FAILURE(st) || n >= (int32_t)CH_ARRAY_LEN(in16))
		return password; /* not UTF-8, or too long: refused later */
	for (int32_t i = 0; i < n; i++)
		if (in16[i] != 0x20 && u_charType(in16[i]) == U_SPACE_SEPARATOR)
			in16[i] = 0x20;
	nfc = unorm2_getNFCInstance(&st);
	m = U_SUCCESS(st)
	    ? unorm2_normalize(nfc, in16, n, nfc16, CH_ARRAY_LEN(nfc16), &st)
	    : 0;
	if (U_FAILURE(st) || m >= (int32_t)CH_ARRAY_LEN(nfc16))
		return password;
	u_strToUTF8(out, (int32_t)size, &n, nfc16, m, &st);
	if (U_FAILURE(st) || (size_t)n >= size)
		return password;
	out[n] = '\0';
	return out;
}

ch_err
ch_password_check(const char *given, const char *username,
    const char *post_name, struct ch_fault *fault)
{
	char prepared[CH_PASSWORD_PREP_MAX * 3];
	const char *password = given != NULL
	    ? ch_password_prepare(given, prepared, sizeof(prepared))
	    : NULL;
	char words[8][64], rest[WORK_MAX];
	const char *dict[11];
	size_t nwords, nd = 0;
	bool personal = false;
	long n;

	if (password == NULL) {
		ch_fault_set(fault, "/password", "A password is required.");
		return CH_ERR_INVALID;
	}
	n = ch_utf8_length(password, strlen(password));
	if (n < 0) {
		ch_fault_set(fault, "/password",
		    "The password is not valid UTF-8 text.");
		return CH_ERR_INVALID;
	}
	if (n < CH_PASSWORD_MIN) {
		ch_fault_set(fault, "/password",
		    "The password has %ld characters; use at least %d. %s", n,
		    CH_PASSWORD_MIN, advice);
		return CH_ERR_INVALID;
	}
	if (n > CH_PASSWORD_MAX) {
		ch_fault_set(fault, "/password",
		    "The password has %ld characters; at most %d are "
		    "accepted.",
		    n, CH_PASSWORD_MAX);
		return CH_ERR_INVALID;
	}
	if (ch_password_is_common(password)) {
		ch_fault_set(fault, "/password",
		    "This is a common password; a phrase of four or more "
		    "unrelated words is easy to remember and hard to guess.");
		return CH_ERR_INVALID;
	}
	nwords = post_words(post_name, words, CH_ARRAY_LEN(words));
	if (username != NULL && *username != '\0')
		dict[nd++] = username;
	for (size_t i = 0; i < nwords; i++)
		dict[nd++] = words[i];
	dict[nd] = NULL;
	/* What is left without the username and the post's name. */
	lower_copy(password, rest, sizeof(rest));
	if (username != NULL)
		personal |= remove_word(rest, username);
	for (size_t i = 0; i < nwords; i++)
		personal |= remove_word(rest, words[i]);
	if (personal) {
		char core[WORK_MAX];
		long left;

		memcpy(core, rest, sizeof(core));
		strip_ends(core);
		left = ch_utf8_length(core, strlen(core));
		if (left < CH_PASSWORD_MIN || listed(core) ||
		    ch_password_guesses_log10(core, NULL) < MIN_GUESSES_LOG10) {
			ch_fault_set(fault, "/password",
			    "The password is built on your username or the "
			    "post's name; leave them out, or add at least "
			    "%d characters of your own. %s",
			    CH_PASSWORD_MIN, advice);
			return CH_ERR_INVALID;
		}
	}
	if (ch_password_guesses_log10(password, dict) < MIN_GUESSES_LOG10) {
		ch_fault_set(fault, "/password",
		    "This password would be guessed quickly: it follows a "
		    "pattern attackers try early (a word with digits, a "
		    "keyboard row, a date, a repeat). %s",
		    advice);
		return CH_ERR_INVALID;
	}
	return CH_OK;
}
