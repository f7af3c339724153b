/*
 * evidence.c — evidence files of incidents: photographs, documents,
 * recordings.  An upload is checked (name, declared type against its first
 * bytes, size), hashed (SHA-256 of the bytes as uploaded), encrypted with
 * XChaCha20-Poly1305 under a fresh key of its own, and that key is sealed by
 * the vault bound to the file's row, so key rotation re-seals 32 bytes per
 * file instead of the files.  The hash is bound into the encryption as
 * associated data and checked again on every read: what is served is what
 * was uploaded, or nothing.
 */
#include <sodium.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core/audit.h"
#include "core/events.h"
#include "core/vault.h"
#include "incidents/incidents.h"
#include "store/store.h"

#define KEY_BYTES crypto_aead_xchacha20poly1305_ietf_KEYBYTES
#define NONCE_BYTES crypto_aead_xchacha20poly1305_ietf_NPUBBYTES
#define TAG_BYTES crypto_aead_xchacha20poly1305_ietf_ABYTES

/* ---- what a file is ---- */

static bool
starts(
    const unsigned char *d, size_t len, size_t at, const char *magic, size_t n)
{
	return len >= at + n && memcmp(d + at, magic, n) == 0;
}

static bool
is_jpeg(const unsigned char *d, size_t len)
{
	return starts(d, len, 0, "\xff\xd8\xff", 3);
}

static bool
is_png(const unsigned char *d, size_t len)
{
	return starts(d, len, 0, "\x89PNG\r\n\x1a\n", 8);
}

static bool
is_webp(const unsigned char *d, size_t len)
{
	return starts(d, len, 0, "RIFF", 4) && starts(d, len, 8, "WEBP", 4);
}

static bool
is_pdf(const unsigned char *d, size_t len)
{
	return starts(d, len, 0, "%PDF-", 5);
}

static bool
is_mp4(const unsigned char *d, size_t len)
{
	return starts(d, len, 4, "ftyp", 4);
}

/* An MP3: an ID3v2 tag, or an MPEG audio frame header (11 sync bits, a
 * layer that is not "reserved"). */
static bool
is_mpeg_audio(const unsigned char *d, size_t len)
{
	if (starts(d, len, 0, "ID3", 3))
		return true;
	return len >= 2 && d[0] == 0xff && (d[1] & 0xe0) == 0xe0 &&
	    (d[1] & 0x06) != 0;
}

/* Text: UTF-8, no NUL, no control characters but tab, CR and LF. */
static bool
is_text(const unsigned char *d, size_t len)
{
	for (size_t i = 0; i < len; i++)
		if ((d[i] < 0x20 && d[i] != '\t' && d[i] != '\r' &&
			d[i] != '\n') ||
		    d[i] == 0x7f)
			return false;
	return ch_utf8_valid((const char *)d, len);
}

static const struct evidence_type {
	const char *type;
	const char *alias; /* another name clients send, or NULL */
	bool (*matches)(const unsigned char *d, size_t len);
	const char *looks_like; /* for the error */
} types[] = {
    {"image/jpeg", "image/jpg", is_jpeg, "a JPEG starts FF D8 FF"},
    {"image/png", NULL, is_png, "a PNG starts with the PNG signature"},
    {"image/webp", NULL, is_webp, "a WebP is a RIFF file of type WEBP"},
    {"application/pdf", NULL, is_pdf, "a PDF starts \"%PDF-\""},
    {"video/mp4", NULL, is_mp4, "an MP4 has an ftyp box first"},
    {"audio/mpeg", "audio/mp3", is_mpeg_audio,
	"an MP3 starts with an ID3 tag or an MPEG frame"},
    {"text/plain", NULL, is_text,
	"text must be UTF-8 without control characters"},
};

const char *const *
ch_evidence_types(void)
{
	static const char *list[CH_ARRAY_LEN(types) + 1];

	if (list[0] == NULL)
		for (size_t i = 0; i < CH_ARRAY_LEN(types); i++)
			list[i] = types[i].type;
	return list;
}

/* Whether the media type declared (parameters and case aside) is name. */
static bool
type_is(const char *declared, const char *name)
{
	size_t n;

	if (name == NULL)
		return false;
	n = strlen(name);
	if (strncasecmp(declared, name, n) != 0)
		return false;
	declared += n;
	while (*declared == ' ' || *declared == '\t')
		declared++;
	return *declared == '\0' || *declared == ';';
}

static bool
check_name(const char *name, struct ch_fault *fault)
{
	if (!ch_text_check(fault, "/name", name, CH_EVIDENCE_NAME_MAX,
		CH_TEXT_REQUIRED | CH_TEXT_TRIMMED))
		return false;
	if (strpbrk(name, "/\\") != NULL || name[0] == '.') {
		ch_fault_set(fault, "/name",
		    "the file name must be a plain name such as "
		    "\"gate-camera.jpg\": no folders, not starting with a "
		    "dot.");
		return false;
	}
	return true;
}

ch_err
ch_evidence_check(const char *name, const char *declared, const void *data,
    size_t len, const char **canonical, struct ch_fault *fault)
{
	const struct evidence_type *t = NULL;

	*canonical = NULL;
	if (!check_name(name, fault))
		return CH_ERR_INVALID;
	for (size_t i = 0; declared != NULL && i < CH_ARRAY_LEN(types); i++)
		if (type_is(declared, types[i].type) ||
		    type_is(declared, types[i].alias))
			t = &types[i];
	if (t == NULL) {
		ch_fault_set(fault, "/media_type",
		    "send the file with its Content-Type, one of image/jpeg, "
		    "image/png, image/webp, application/pdf, video/mp4, "
		    "audio/mpeg or text/plain.");
		return CH_ERR_INVALID;
	}
	if (len == 0) {
		ch_fault_set(fault, "/content", "the file is empty.");
		return CH_ERR_INVALID;
	}
	if (len > CH_EVIDENCE_MAX_BYTES) {
		ch_fault_set(fault, "/content",
		    "the file is larger than 10 MiB; send a smaller copy and "
		    "keep the original for the investigators.");
		return CH_ERR_INVALID;
	}
	if (!t->matches(data, len)) {
		ch_fault_set(fault, "/content",
		    "the file is not what its Content-Type %s says (%s); send "
		    "it with the right type.",
		    t->type, t->looks_like);
		return CH_ERR_INVALID;
	}
	*canonical = t->type;
	return CH_OK;
}

/* ---- sealing ---- */

/* The associated data: the file's identity and its hash, so that a
 * ciphertext moved to another row, or a hash changed in the table, does
 * not open. */
static void
associated(const struct ch_evidence *e, char *ad, size_t size)
{
	snprintf(ad, size, "chancery evidence v1\n%s\n%s\n%s", e->incident_id,
	    e->id, e->sha256);
}

static void
sha256_hex(const void *data, size_t len, char out[65])
{
	unsigned char h[crypto_hash_sha256_BYTES];

	crypto_hash_sha256(h, data, len);
	sodium_bin2hex(out, 65, h, sizeof(h));
}

/* Encrypt data for e under a fresh key: *sealed_key (arena) and *content,
 * base64 of nonce || ciphertext (malloc'd, the caller frees). */
static ch_err
encrypt(const struct ch_evidence *e, const void *data, size_t len, ch_arena *a,
    char **sealed_key, char **content)
{
	unsigned char key[KEY_BYTES];
	unsigned char *box;
	size_t boxlen = NONCE_BYTES + len + TAG_BYTES, b64len;
	char ad[256];
	ch_err err;

	*content = NULL;
	if ((box = malloc(boxlen)) == NULL)
		return CH_ERR_NOMEM;
	crypto_aead_xchacha20poly1305_ietf_keygen(key);
	randombytes_buf(box, NONCE_BYTES);
	associated(e, ad, sizeof(ad));
	crypto_aead_xchacha20poly1305_ietf_encrypt(box + NONCE_BYTES, NULL,
	    data, len, (const unsigned char *)ad, strlen(ad), NULL, box, key);
	err = ch_vault_seal("incident_evidence", e->id, "file_key", key,
	    sizeof(key), a, sealed_key);
	sodium_memzero(key, sizeof(key));
	if (err != CH_OK) {
		free(box);
		return err;
	}
	b64len =
	    sodium_base64_encoded_len(boxlen, sodium_base64_VARIANT_ORIGINAL);
	if ((*content = malloc(b64len)) == NULL) {
		free(box);
		return CH_ERR_NOMEM;
	}
	sodium_bin2base64(
	    *content, b64len, box, boxlen, sodium_base64_VARIANT_ORIGINAL);
	free(box);
	return CH_OK;
}

/* Open what encrypt() made; the plaintext in the arena.  CH_ERR_CRYPTO
 * when it does not open or its hash is not the recorded one. */
static ch_err
decrypt(const struct ch_evidence *e, const char *sealed_key,
    const char *content, ch_arena *a, const void **data, size_t *len)
{
	char *key = NULL, ad[256], hash[65];
	size_t keylen = 0, boxlen = 0, cap = strlen(content) / 4 * 3 + 3;
	unsigned char *box, *pt;
	ch_err err;

	err = ch_vault_open("incident_evidence", e->id, "file_key", sealed_key,
	    a, &key, &keylen);
	if (err != CH_OK)
		return err == CH_ERR_NOMEM ? err : CH_ERR_CRYPTO;
	if (keylen != KEY_BYTES)
		return CH_ERR_CRYPTO;
	if ((box = malloc(cap)) == NULL)
		return CH_ERR_NOMEM;
	if (sodium_base642bin(box, cap, content, strlen(content), NULL, &boxlen,
		NULL, sodium_base64_VARIANT_ORIGINAL) != 0 ||
	    boxlen < NONCE_BYTES + TAG_BYTES) {
		free(box);
		return CH_ERR_CRYPTO;
	}
	*len = boxlen - NONCE_BYTES - TAG_BYTES;
	if ((pt = ch_arena_alloc(a, *len + 1)) == NULL) {
		free(box);
		return CH_ERR_NOMEM;
	}
	associated(e, ad, sizeof(ad));
	err = crypto_aead_xchacha20poly1305_ietf_decrypt(pt, NULL, NULL,
		  box + NONCE_BYTES, boxlen - NONCE_BYTES,
		  (const unsigned char *)ad, strlen(ad), box,
		  (const unsigned char *)key) == 0
	    ? CH_OK
	    : CH_ERR_CRYPTO;
	sodium_memzero(key, keylen);
	free(box);
	if (err != CH_OK)
		return err;
	sha256_hex(pt, *len, hash);
	if (strcmp(hash, e->sha256) != 0)
		return CH_ERR_CRYPTO;
	pt[*len] = '\0';
	*data = pt;
	return CH_OK;
}

/* ---- use cases ---- */

/* The incident id names, if the caller may do perm to it (else
 * CH_ERR_NOT_FOUND, as for an incident that does not exist). */
static ch_err
incident_for(struct ch_ctx *ctx, struct ch_tx *tx, const char *id,
    enum ch_perm perm, struct ch_incident *inc)
{
	ch_err err;

	if (!ch_id_valid(id))
		return CH_ERR_NOT_FOUND;
	if ((err = ch_store_incident_get(tx, id, ctx->arena, inc)) != CH_OK)
		return err;
	if (!ch_incident_permits(ctx, CH_PERM_INCIDENTS_READ, inc))
		return CH_ERR_NOT_FOUND;
	return ch_incident_permits(ctx, perm, inc) ? CH_OK : CH_ERR_DENIED;
}

ch_err
ch_evidence_add(struct ch_ctx *ctx, const char *incident_id, const char *name,
    const char *media_type, const char *description, const void *data,
    size_t len, struct ch_evidence *out)
{
	struct ch_evidence *files = NULL;
	struct ch_incident inc;
	struct ch_audit_entry e;
	struct ch_event ev;
	struct ch_tx *tx = NULL;
	struct ch_buf state;
	char *sealed_key = NULL, *content = NULL;
	size_t nfiles = 0;
	ch_err err;

	memset(out, 0, sizeof(*out));
	if (ch_evidence_check(name, media_type, data, len,
		(const char **)&out->media_type, &ctx->fault) != CH_OK)
		return CH_ERR_INVALID;
	if (description != NULL && *description != '\0' &&
	    !ch_text_check(&ctx->fault, "/description", description,
		CH_EVIDENCE_DESCRIPTION_MAX, CH_TEXT_MULTILINE))
		return CH_ERR_INVALID;
	ch_id_new(out->id);
	ch_strlcpy(out->incident_id, incident_id, sizeof(out->incident_id));
	out->name = ch_arena_strdup(ctx->arena, name);
	out->description = description && *description
	    ? ch_arena_strdup(ctx->arena, description)
	    : NULL;
	out->uploaded_by = ctx->who ? (char *)ctx->who->user_id : "";
	out->size = (int64_t)len;
	ch_time_format(ch_clock_now(), out->uploaded_at);
	sha256_hex(data, len, out->sha256);
	if ((err = encrypt(
		 out, data, len, ctx->arena, &sealed_key, &content)) != CH_OK)
		return err;
	if ((err = ch_store_begin(ctx->store, true, &tx)) != CH_OK)
		goto out;
	if ((err = incident_for(ctx, tx, incident_id, CH_PERM_INCIDENTS_WRITE,
		 &inc)) != CH_OK ||
	    (err = ch_store_evidence_list(
		 tx, incident_id, ctx->arena, &files, &nfiles)) != CH_OK)
		goto rollback;
	if (nfiles >= CH_EVIDENCE_PER_INCIDENT) {
		ch_fault_set(&ctx->fault, "/content",
		    "an incident holds at most %d files; put several "
		    "photographs in one PDF.",
		    CH_EVIDENCE_PER_INCIDENT);
		err = CH_ERR_CONFLICT;
		goto rollback;
	}
	ch_strlcpy(out->post_id, inc.post_id, sizeof(out->post_id));
	if ((err = ch_store_evidence_insert(tx, out, sealed_key, content)) !=
	    CH_OK)
		goto rollback;
	ch_buf_init(&state, 4096);
	ch_buf_appendf(&state,
	    "evidence=%s\nname=%s\nmedia_type=%s\nsize=%lld\nsha256=%s\n",
	    out->id, out->name, out->media_type, (long long)out->size,
	    out->sha256);
	e = (struct ch_audit_entry){"incident.evidence.add", "incident", inc.id,
	    inc.post_id, state.data, state.len};
	err = ch_audit_append(tx, ctx, &e);
	ch_buf_free(&state);
	if (err != CH_OK)
		goto rollback;
	if ((err = ch_store_commit(tx)) != CH_OK)
		goto out;
	ev = (struct ch_event){"incident.evidence.added", "incident", inc.id,
	    inc.post_id, ch_clock_now()};
	ch_events_publish(&ev);
	if (ctx->who != NULL)
		out->uploaded_by =
		    ch_arena_strdup(ctx->arena, ctx->who->username);
	goto out;
rollback:
	ch_store_rollback(tx);
out:
	free(content);
	return err;
}

ch_err
ch_evidence_list(struct ch_ctx *ctx, const char *incident_id,
    struct ch_evidence **out, size_t *count)
{
	struct ch_incident inc;
	struct ch_tx *tx = NULL;
	ch_err err;

	*out = NULL;
	*count = 0;
	if ((err = ch_store_begin(ctx->store, false, &tx)) != CH_OK)
		return err;
	if ((err = incident_for(
		 ctx, tx, incident_id, CH_PERM_INCIDENTS_READ, &inc)) == CH_OK)
		err = ch_store_evidence_list(
		    tx, incident_id, ctx->arena, out, count);
	ch_store_rollback(tx);
	return err;
}

ch_err
ch_evidence_content(struct ch_ctx *ctx, const char *incident_id,
    const char *evidence_id, struct ch_evidence *meta, const void **data,
    size_t *len)
{
	struct ch_incident inc;
	struct ch_tx *tx = NULL;
	char *sealed_key = NULL, *content = NULL;
	ch_err err;

	*data = NULL;
	*len = 0;
	if (!ch_id_valid(evidence_id))
		return CH_ERR_NOT_FOUND;
	if ((err = ch_store_begin(ctx->store, false, &tx)) != CH_OK)
		return err;
	if ((err = incident_for(
		 ctx, tx, incident_id, CH_PERM_INCIDENTS_READ, &inc)) == CH_OK)
		err = ch_store_evidence_get(tx, incident_id, evidence_id,
		    ctx->arena, meta, &sealed_key, &content);
	ch_store_rollback(tx);
	if (err != CH_OK)
		return err;
	ch_strlcpy(meta->post_id, inc.post_id, sizeof(meta->post_id));
	err = decrypt(meta, sealed_key, content, ctx->arena, data, len);
	if (err == CH_ERR_CRYPTO)
		log_error("evidence %s of incident %s does not open or does "
			  "not match its recorded SHA-256",
		    evidence_id, incident_id);
	return err;
}
