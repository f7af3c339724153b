/*
 * vault.h — sensitive fields encrypted at rest, and the data keys that do
 * it.
 *
 * The vault is process-wide state: serve and the CLI load the key file
 * (DIR/keys/data.key) once at start with ch_vault_load(); the store seals
 * the sensitive columns as it writes them and opens them as it reads, so
 * that domain modules see plaintext and the database sees ciphertext.
 *
 * A sealed value is text: "v1:<key id>:<base64(nonce || ciphertext)>",
 * XChaCha20-Poly1305 (IETF) with a random 192-bit nonce and associated
 * data naming its place (key id, table, row id, column), so that a
 * ciphertext copied to another row or column does not open.  The key id
 * tells a rotation which values are still under an old key.
 *
 * The keys live in sodium_malloc memory (guard pages on both sides),
 * read-only once loaded (vault.c says why not inaccessible between uses),
 * and are wiped by ch_vault_unload().  Every use takes one mutex, so the
 * vault is safe to call from any thread and a reload is never seen half
 * done.
 */
#ifndef CH_CORE_VAULT_H
#define CH_CORE_VAULT_H

#include "core/core.h"

#define CH_VAULT_KEY_BYTES 32
#define CH_VAULT_ID_LEN 9 /* 8 hex digits + NUL */
#define CH_VAULT_MAX_KEYS 16
/* A sealed value is at most this long (the plaintext limit follows). */
#define CH_VAULT_PLAINTEXT_MAX 4096

/* ---- the key file ---- */
/*
 * Make a new key file at path with one fresh key, mode 0600, making its
 * directory (0700) when missing.  CH_ERR_CONFLICT when the file exists.
 */
ch_err ch_vault_create_file(const char *path);
/* Load (or reload) the keys of path.  Logs the reason on failure. */
ch_err ch_vault_load(const char *path);
/* Load one key given by the caller, not from a file: for tests, fuzz
 * drivers and benchmarks. */
ch_err ch_vault_load_raw(const char id[CH_VAULT_ID_LEN],
    const unsigned char key[CH_VAULT_KEY_BYTES]);
/* Wipe and free the keys; safe to call when nothing is loaded. */
void ch_vault_unload(void);
bool ch_vault_loaded(void);
/* Reload the key file if it changed on disk (another process rotated the
 * keys); at most one check a second unless force. */
ch_err ch_vault_refresh(bool force);

/* The id of the key new values are sealed under; "" when none. */
void ch_vault_current_id(char out[CH_VAULT_ID_LEN]);
/* The ids of the loaded keys, current first; returns how many. */
size_t ch_vault_key_ids(char ids[][CH_VAULT_ID_LEN], size_t max);

/*
 * Add a fresh key to the key file at path and make it current (the old
 * keys stay, so values sealed under them still open), then reload.  The
 * file is replaced atomically (write, fsync, rename).
 */
ch_err ch_vault_rotate_file(const char *path, char new_id[CH_VAULT_ID_LEN]);
/* Remove key id from the file at path, then reload.  CH_ERR_CONFLICT for
 * the current key, CH_ERR_NOT_FOUND for an unknown id.  The caller checks
 * first that no value is still sealed under it. */
ch_err ch_vault_retire_file(const char *path, const char *id);

/* ---- sealing ---- */
/*
 * Seal len bytes of pt for (table, row_id, column) under the current key;
 * *out is the text form, in arena a.  CH_ERR_CRYPTO when no key is loaded,
 * CH_ERR_TOO_LARGE past CH_VAULT_PLAINTEXT_MAX.
 */
ch_err ch_vault_seal(const char *table, const char *row_id, const char *column,
    const void *pt, size_t len, ch_arena *a, char **out);
/*
 * Open a sealed value for (table, row_id, column).  *out is the plaintext,
 * NUL-terminated, in arena a; *len (may be NULL) its length.
 * CH_ERR_INVALID for text that is not a sealed value, CH_ERR_NOT_FOUND for
 * a key the key file does not hold, CH_ERR_CRYPTO when the value does not
 * open (tampered, or moved from another place).
 */
ch_err ch_vault_open(const char *table, const char *row_id, const char *column,
    const char *sealed, ch_arena *a, char **out, size_t *len);
/* Whether s looks like a sealed value ("v1:" and a key id). */
bool ch_vault_is_sealed(const char *s);
/* The key id of a sealed value; false when s is not one. */
bool ch_vault_key_of(const char *s, char id[CH_VAULT_ID_LEN]);

/*
 * Derive a 32-byte key for another purpose (e.g. backups) from data key
 * id, with a context and a salt: BLAKE2b keyed by the data key over
 * context || salt.  out should be sodium_malloc memory.
 */
ch_err ch_vault_derive(const char *id, const char *context,
    const unsigned char *salt, size_t salt_len,
    unsigned char out[CH_VAULT_KEY_BYTES]);

/*
 * A keyed digest of a sealed field's plaintext, as lower-case hex (65
 * bytes with the NUL), for places that must commit to the value without
 * revealing it, such as the state hash of an audit record: a plain SHA-256
 * of a phone number is reversed by trying them all.  BLAKE2b-256 keyed by a
 * key derived from the current data key for context.  "" when no key is
 * loaded.
 */
void ch_vault_digest(
    const char *context, const void *data, size_t len, char out[65]);

#endif /* CH_CORE_VAULT_H */
