/*
 * note.h — C2SP signed notes (https://c2sp.org/signed-note) with Ed25519
 * keys, and the C2SP tlog-checkpoint text they carry
 * (https://c2sp.org/tlog-checkpoint).
 *
 *   key name    no spaces, no '+', valid UTF-8, at most 255 bytes
 *   key id      the first 4 bytes of SHA-256(name || 0x0A || 0x01 || pk)
 *   verifier    "<name>+<8 hex id>+<base64(0x01 || public key)>"
 *   signer      "PRIVATE+KEY+<name>+<8 hex id>+<base64(0x01 || seed)>"
 *               (the format of golang.org/x/mod/sumdb/note)
 *   note        text (non-empty, each line ending in LF), a blank line,
 *               then one line per signature:
 *               "— <name> <base64(key id || Ed25519 signature)>" LF
 *   checkpoint  origin LF, tree size in decimal LF, base64 root hash LF,
 *               then optional non-empty extension lines
 *
 * Every parser here reads untrusted bytes (a database row, an API answer,
 * a file) and is fuzzed: fuzz/fuzz_checkpoint.c.
 */
#ifndef CH_CORE_NOTE_H
#define CH_CORE_NOTE_H

#include "core/core.h"

#define CH_NOTE_NAME_MAX 255
#define CH_NOTE_MAX (16 * 1024) /* a larger note is refused */
#define CH_NOTE_MAX_SIGS 100

struct ch_note_verifier {
	char name[CH_NOTE_NAME_MAX + 1];
	unsigned char id[4];
	unsigned char pk[32];
};

/* A private key; lives in sodium_malloc memory (ch_note_signer_new). */
struct ch_note_signer {
	char name[CH_NOTE_NAME_MAX + 1];
	unsigned char id[4];
	unsigned char pk[32];
	unsigned char sk[64]; /* libsodium's seed || public key */
};

/* Whether name is a valid key name. */
bool ch_note_name_valid(const char *name, size_t len);
void ch_note_key_id(
    const char *name, const unsigned char pk[32], unsigned char id[4]);

/* Parse a verifier key; false (and nothing kept) when malformed. */
bool ch_note_verifier_parse(
    const char *text, size_t len, struct ch_note_verifier *out);
ch_err ch_note_verifier_format(
    const struct ch_note_verifier *v, struct ch_buf *out);

/* A zeroed signer in guarded memory, or NULL; free with _free. */
struct ch_note_signer *ch_note_signer_new(void);
void ch_note_signer_free(struct ch_note_signer *s);
/* A fresh key pair named name. */
ch_err ch_note_signer_generate(struct ch_note_signer *s, const char *name);
/* Parse a signer key (the private key file's text). */
bool ch_note_signer_parse(
    const char *text, size_t len, struct ch_note_signer *s);
/* The private key text, into out (a buffer the caller wipes). */
ch_err ch_note_signer_format(
    const struct ch_note_signer *s, char *out, size_t size);
void ch_note_signer_verifier(
    const struct ch_note_signer *s, struct ch_note_verifier *out);

/* Sign text (which must be a valid note text) into a whole note. */
ch_err ch_note_sign(const struct ch_note_signer *s, const char *text,
    size_t len, struct ch_buf *out);

enum ch_note_status {
	CH_NOTE_VERIFIED,      /* signed by the verifier's key */
	CH_NOTE_MALFORMED,     /* not a signed note */
	CH_NOTE_UNSIGNED,      /* no signature by the verifier's key */
	CH_NOTE_BAD_SIGNATURE, /* a signature by that key does not verify */
};
/*
 * Open a signed note: check its form and the signatures by v (others are
 * ignored, as the spec says).  *text_len gets the length of the text
 * (with its final LF) when the form is right.
 */
enum ch_note_status ch_note_open(const char *note, size_t len,
    const struct ch_note_verifier *v, size_t *text_len);
const char *ch_note_status_text(enum ch_note_status s);

struct ch_checkpoint {
	char origin[CH_NOTE_NAME_MAX + 1];
	uint64_t size;
	unsigned char root[32];
};
/* The checkpoint text (no extension lines), into out (reset first). */
ch_err ch_checkpoint_format(const struct ch_checkpoint *c, struct ch_buf *out);
/* Parse a checkpoint text; extension lines are allowed and ignored. */
bool ch_checkpoint_parse(const char *text, size_t len, struct ch_checkpoint *c);

/* Standard base64 with padding, strict: false unless text is the
 * canonical encoding of exactly n bytes. */
bool ch_base64_decode_exact(
    const char *text, size_t len, unsigned char *out, size_t n);
/* Standard base64 of n bytes into out (size >= 4 * ((n + 2) / 3) + 1). */
void ch_base64_encode(
    const unsigned char *in, size_t n, char *out, size_t size);

#endif /* CH_CORE_NOTE_H */
