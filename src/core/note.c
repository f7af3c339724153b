/*
 * note.c — C2SP signed notes and checkpoints (see note.h for the
 * formats).  Parsing follows golang.org/x/mod/sumdb/note's Open: the
 * signatures start after the last blank line; each line must be a
 * well-formed signature; signatures by unknown keys are ignored; one by
 * the verifier's key that fails makes the whole note fail.  Everything is
 * checked against explicit lengths, never against a NUL.
 */
#include <sodium.h>
#include <string.h>

#include "core/note.h"

#define ALG_ED25519 0x01
static const char sig_prefix[] = "\xe2\x80\x94 "; /* "— " (U+2014) */

void
ch_base64_encode(const unsigned char *in, size_t n, char *out, size_t size)
{
	if (size <
	    sodium_base64_ENCODED_LEN(n, sodium_base64_VARIANT_ORIGINAL)) {
		if (size > 0)
			out[0] = '\0';
		return;
	}
	sodium_bin2base64(out, size, in, n, sodium_base64_VARIANT_ORIGINAL);
}

/* Strict standard base64 of at most cap bytes; false unless canonical. */
static bool
b64_decode(
    const char *text, size_t len, unsigned char *out, size_t cap, size_t *n)
{
	char again[4 * ((CH_NOTE_MAX + 2) / 3) + 1];
	const char *end = NULL;

	*n = 0;
	if (len == 0 || len % 4 != 0 || len / 4 * 3 > cap + 2 ||
	    len >= sizeof(again))
		return false;
	if (sodium_base642bin(out, cap, text, len, NULL, n, &end,
		sodium_base64_VARIANT_ORIGINAL) != 0 ||
	    end != text + len)
		return false;
	/* Refuse non-canonical encodings (stray bits in the padding). */
	ch_base64_encode(out, *n, again, sizeof(again));
	return strlen(again) == len && memcmp(again, text, len) == 0;
}

bool
ch_base64_decode_exact(
    const char *text, size_t len, unsigned char *out, size_t n)
{
	unsigned char buf[256];
	size_t got;

	if (n > sizeof(buf) - 2 || len != 4 * ((n + 2) / 3) ||
	    !b64_decode(text, len, buf, sizeof(buf), &got) || got != n)
		return false;
	memcpy(out, buf, n);
	sodium_memzero(buf, sizeof(buf));
	return true;
}

bool
ch_note_name_valid(const char *name, size_t len)
{
	if (len == 0 || len > CH_NOTE_NAME_MAX || !ch_utf8_valid(name, len))
		return false;
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)name[i];

		if (c <= 0x20 || c == 0x7f || c == '+')
			return false;
	}
	/* Nor Unicode spaces (NBSP, NEL, the U+2000 block, U+3000, U+1680). */
	return memmem(name, len, "\xc2\xa0", 2) == NULL &&
	    memmem(name, len, "\xc2\x85", 2) == NULL &&
	    memmem(name, len, "\xe2\x80", 2) == NULL &&
	    memmem(name, len, "\xe3\x80\x80", 3) == NULL &&
	    memmem(name, len, "\xe1\x9a\x80", 3) == NULL;
}

void
ch_note_key_id(
    const char *name, const unsigned char pk[32], unsigned char id[4])
{
	unsigned char digest[crypto_hash_sha256_BYTES];
	static const unsigned char sep[2] = {'\n', ALG_ED25519};
	crypto_hash_sha256_state st;

	crypto_hash_sha256_init(&st);
	crypto_hash_sha256_update(
	    &st, (const unsigned char *)name, strlen(name));
	crypto_hash_sha256_update(&st, sep, sizeof(sep));
	crypto_hash_sha256_update(&st, pk, 32);
	crypto_hash_sha256_final(&st, digest);
	memcpy(id, digest, 4);
}

static bool
parse_hex4(const char *s, size_t len, unsigned char out[4])
{
	if (len != 8)
		return false;
	for (size_t i = 0; i < 8; i++) {
		char c = s[i];
		int v;

		if (c >= '0' && c <= '9')
			v = c - '0';
		else if (c >= 'a' && c <= 'f')
			v = c - 'a' + 10;
		else
			return false;
		if (i % 2 == 0)
			out[i / 2] = (unsigned char)(v << 4);
		else
			out[i / 2] |= (unsigned char)v;
	}
	return true;
}

/* Split "<name>+<hex>+<base64>" and decode the 33-byte key. */
static bool
parse_key(const char *text, size_t len, char name[CH_NOTE_NAME_MAX + 1],
    unsigned char id[4], unsigned char key[32])
{
	const char *plus1, *plus2;
	unsigned char raw[33];

	while (len > 0 && (text[len - 1] == '\n' || text[len - 1] == '\r'))
		len--; /* a key file may end in a newline */
	plus1 = memchr(text, '+', len);
	if (plus1 == NULL)
		return false;
	plus2 = memchr(plus1 + 1, '+', len - (size_t)(plus1 + 1 - text));
	if (plus2 == NULL ||
	    !ch_note_name_valid(text, (size_t)(plus1 - text)) ||
	    !parse_hex4(plus1 + 1, (size_t)(plus2 - plus1 - 1), id) ||
	    !ch_base64_decode_exact(plus2 + 1, len - (size_t)(plus2 + 1 - text),
		raw, sizeof(raw)) ||
	    raw[0] != ALG_ED25519)
		return false;
	memcpy(name, text, (size_t)(plus1 - text));
	name[plus1 - text] = '\0';
	memcpy(key, raw + 1, 32);
	sodium_memzero(raw, sizeof(raw));
	return true;
}

bool
ch_note_verifier_parse(
    const char *text, size_t len, struct ch_note_verifier *out)
{
	struct ch_note_verifier v;
	unsigned char id[4];

	memset(&v, 0, sizeof(v));
	if (!parse_key(text, len, v.name, v.id, v.pk))
		return false;
	ch_note_key_id(v.name, v.pk, id);
	if (memcmp(id, v.id, 4) != 0)
		return false;
	*out = v;
	return true;
}

ch_err
ch_note_verifier_format(const struct ch_note_verifier *v, struct ch_buf *out)
{
	unsigned char raw[33];
	char b64[64], hex[9];

	raw[0] = ALG_ED25519;
	memcpy(raw + 1, v->pk, 32);
	ch_base64_encode(raw, sizeof(raw), b64, sizeof(b64));
	ch_hex(v->id, 4, hex);
	ch_buf_reset(out);
	return ch_buf_appendf(out, "%s+%s+%s\n", v->name, hex, b64);
}

struct ch_note_signer *
ch_note_signer_new(void)
{
	struct ch_note_signer *s;

	if (sodium_init() < 0)
		return NULL;
	s = sodium_malloc(sizeof(*s));
	if (s != NULL)
		memset(s, 0, sizeof(*s));
	return s;
}

void
ch_note_signer_free(struct ch_note_signer *s)
{
	if (s != NULL)
		sodium_free(s); /* wipes, even when read-only */
}

static ch_err
signer_from_seed(
    struct ch_note_signer *s, const char *name, const unsigned char seed[32])
{
	size_t len = strlen(name);

	if (!ch_note_name_valid(name, len))
		return CH_ERR_INVALID;
	memcpy(s->name, name, len + 1);
	if (crypto_sign_ed25519_seed_keypair(s->pk, s->sk, seed) != 0)
		return CH_ERR_CRYPTO;
	ch_note_key_id(s->name, s->pk, s->id);
	return CH_OK;
}

ch_err
ch_note_signer_generate(struct ch_note_signer *s, const char *name)
{
	unsigned char seed[32];
	ch_err err;

	randombytes_buf(seed, sizeof(seed));
	err = signer_from_seed(s, name, seed);
	sodium_memzero(seed, sizeof(seed));
	return err;
}

bool
ch_note_signer_parse(const char *text, size_t len, struct ch_note_signer *s)
{
	static const char prefix[] = "PRIVATE+KEY+";
	char name[CH_NOTE_NAME_MAX + 1];
	unsigned char id[4], seed[32];
	bool ok;

	if (len < sizeof(prefix) - 1 ||
	    memcmp(text, prefix, sizeof(prefix) - 1) != 0)
		return false;
	ok = parse_key(text + sizeof(prefix) - 1, len - (sizeof(prefix) - 1),
		 name, id, seed) &&
	    signer_from_seed(s, name, seed) == CH_OK &&
	    memcmp(id, s->id, 4) == 0;
	sodium_memzero(seed, sizeof(seed));
	if (!ok)
		sodium_memzero(s, sizeof(*s));
	return ok;
}

ch_err
ch_note_signer_format(const struct ch_note_signer *s, char *out, size_t size)
{
	unsigned char raw[33];
	char b64[64], hex[9];
	int n;

	raw[0] = ALG_ED25519;
	memcpy(raw + 1, s->sk, 32); /* the seed */
	ch_base64_encode(raw, sizeof(raw), b64, sizeof(b64));
	ch_hex(s->id, 4, hex);
	n = snprintf(out, size, "PRIVATE+KEY+%s+%s+%s\n", s->name, hex, b64);
	sodium_memzero(raw, sizeof(raw));
	sodium_memzero(b64, sizeof(b64));
	return n > 0 && (size_t)n < size ? CH_OK : CH_ERR_TOO_LARGE;
}

void
ch_note_signer_verifier(
    const struct ch_note_signer *s, struct ch_note_verifier *out)
{
	memset(out, 0, sizeof(*out));
	memcpy(out->name, s->name, sizeof(out->name));
	memcpy(out->id, s->id, 4);
	memcpy(out->pk, s->pk, 32);
}

/* Whether text is a valid note text: non-empty UTF-8 ending in LF, no
 * control characters but LF, no blank line. */
static bool
text_valid(const char *text, size_t len)
{
	if (len == 0 || text[len - 1] != '\n' || !ch_utf8_valid(text, len))
		return false;
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)text[i];

		if ((c < 0x20 && c != '\n') || c == 0x7f)
			return false;
		if (c == '\n' && (i == 0 || text[i - 1] == '\n'))
			return false;
	}
	return true;
}

ch_err
ch_note_sign(const struct ch_note_signer *s, const char *text, size_t len,
    struct ch_buf *out)
{
	unsigned char sig[4 + crypto_sign_ed25519_BYTES];
	char b64[128];
	ch_err err;

	if (!text_valid(text, len))
		return CH_ERR_INVALID;
	memcpy(sig, s->id, 4);
	if (crypto_sign_ed25519_detached(
		sig + 4, NULL, (const unsigned char *)text, len, s->sk) != 0)
		return CH_ERR_CRYPTO;
	ch_base64_encode(sig, sizeof(sig), b64, sizeof(b64));
	ch_buf_reset(out);
	if ((err = ch_buf_append(out, text, len)) != CH_OK ||
	    (err = ch_buf_appendf(
		 out, "\n%s%s %s\n", sig_prefix, s->name, b64)) != CH_OK)
		return err;
	return CH_OK;
}

const char *
ch_note_status_text(enum ch_note_status s)
{
	switch (s) {
	case CH_NOTE_VERIFIED:
		return "signed by the key";
	case CH_NOTE_MALFORMED:
		return "not a well-formed signed note";
	case CH_NOTE_UNSIGNED:
		return "not signed by the key";
	case CH_NOTE_BAD_SIGNATURE:
		return "its signature by the key does not verify";
	}
	return "unknown";
}

enum ch_note_status
ch_note_open(const char *note, size_t len, const struct ch_note_verifier *v,
    size_t *text_len)
{
	const char *split = NULL, *p, *end, *nl, *space;
	unsigned char sig[3 * (CH_NOTE_MAX / 4)];
	size_t nsigs = 0, siglen, tlen;
	bool verified = false;

	*text_len = 0;
	if (len == 0 || len > CH_NOTE_MAX || !ch_utf8_valid(note, len))
		return CH_NOTE_MALFORMED;
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)note[i];

		if ((c < 0x20 && c != '\n') || c == 0x7f)
			return CH_NOTE_MALFORMED;
		if (c == '\n' && i + 1 < len && note[i + 1] == '\n')
			split = note + i; /* the last "\n\n" wins */
	}
	if (split == NULL || note[len - 1] != '\n')
		return CH_NOTE_MALFORMED;
	tlen = (size_t)(split + 1 - note);
	if (!text_valid(note, tlen))
		return CH_NOTE_MALFORMED;
	p = split + 2;
	end = note + len;
	if (p >= end)
		return CH_NOTE_MALFORMED;
	while (p < end) {
		nl = memchr(p, '\n', (size_t)(end - p)); /* found: end[-1] */
		if (++nsigs > CH_NOTE_MAX_SIGS ||
		    (size_t)(nl - p) < sizeof(sig_prefix) - 1 ||
		    memcmp(p, sig_prefix, sizeof(sig_prefix) - 1) != 0)
			return CH_NOTE_MALFORMED;
		p += sizeof(sig_prefix) - 1;
		space = memchr(p, ' ', (size_t)(nl - p));
		if (space == NULL ||
		    !ch_note_name_valid(p, (size_t)(space - p)) ||
		    !b64_decode(space + 1, (size_t)(nl - space - 1), sig,
			sizeof(sig), &siglen) ||
		    siglen < 5)
			return CH_NOTE_MALFORMED;
		/* Only a signature by the verifier's name and id is checked;
		 * others (a witness's cosignature) are left alone. */
		if ((size_t)(space - p) == strlen(v->name) &&
		    memcmp(p, v->name, (size_t)(space - p)) == 0 &&
		    memcmp(sig, v->id, 4) == 0) {
			if (siglen != 4 + crypto_sign_ed25519_BYTES ||
			    crypto_sign_ed25519_verify_detached(sig + 4,
				(const unsigned char *)note, tlen,
				v->pk) != 0) {
				*text_len = tlen;
				return CH_NOTE_BAD_SIGNATURE;
			}
			verified = true;
		}
		p = nl + 1;
	}
	*text_len = tlen;
	return verified ? CH_NOTE_VERIFIED : CH_NOTE_UNSIGNED;
}

ch_err
ch_checkpoint_format(const struct ch_checkpoint *c, struct ch_buf *out)
{
	char b64[64];

	ch_base64_encode(c->root, 32, b64, sizeof(b64));
	ch_buf_reset(out);
	return ch_buf_appendf(
	    out, "%s\n%llu\n%s\n", c->origin, (unsigned long long)c->size, b64);
}

bool
ch_checkpoint_parse(const char *text, size_t len, struct ch_checkpoint *c)
{
	const char *line[3], *p = text, *end = text + len, *nl;
	size_t linelen[3];
	uint64_t size = 0;

	memset(c, 0, sizeof(*c));
	if (!text_valid(text, len))
		return false;
	for (int i = 0; i < 3; i++) {
		if (p >= end)
			return false;
		nl = memchr(p, '\n', (size_t)(end - p));
		line[i] = p;
		linelen[i] = (size_t)(nl - p);
		p = nl + 1;
	}
	/* Extension lines: text_valid() already refused empty ones. */
	if (linelen[0] == 0 || linelen[0] > CH_NOTE_NAME_MAX)
		return false;
	if (linelen[1] == 0 || linelen[1] > 19 ||
	    (linelen[1] > 1 && line[1][0] == '0'))
		return false;
	for (size_t i = 0; i < linelen[1]; i++) {
		if (line[1][i] < '0' || line[1][i] > '9')
			return false;
		size = size * 10 + (uint64_t)(line[1][i] - '0');
	}
	if (size > (uint64_t)INT64_MAX)
		return false;
	if (!ch_base64_decode_exact(line[2], linelen[2], c->root, 32))
		return false;
	memcpy(c->origin, line[0], linelen[0]);
	c->origin[linelen[0]] = '\0';
	c->size = size;
	return true;
}
