/*
 * vault.c — the data keys and sealed fields (see vault.h).
 *
 * The key file is text, one item a line, '#' starts a comment:
 *
 *     current 3fa2c1d0
 *     key 3fa2c1d0 <base64 of 32 bytes>
 *     key 0b1c2d3e <base64 of 32 bytes>
 *
 * It is read with read(2) into sodium_malloc memory (never through stdio
 * buffers), parsed strictly (a bad line is named and nothing is loaded),
 * and refused when its mode lets anyone but the owner read it.  Rotation
 * writes a new file beside it and renames it over the old one, so a reader
 * sees the old file or the new, never half of one.
 *
 * The keys are read-only once loaded, between guard pages, and wiped when
 * freed.  They are not made inaccessible between uses: each
 * sodium_mprotect() is a system call that, in a threaded server, also
 * shoots down the TLB of every CPU running one of its threads; measured,
 * toggling per use cut seal + open from about 400,000 to 30,000-70,000 a
 * second and a 50-row people list by a quarter (bench/run), for little
 * gain over the guard pages, which already stop an over-read from a
 * neighbouring buffer before it reaches a key.
 *
 * A server notices a rotation by the file's identity (inode, size, mtime):
 * ch_vault_refresh() looks at most once a second before sealing, and at
 * once when a value names a key it does not hold.
 */
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <pthread.h>
#include <sodium.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/vault.h"

#define KEYFILE_MAX 16384
#define AD_MAX 512
#define NONCE_BYTES crypto_aead_xchacha20poly1305_ietf_NPUBBYTES
#define TAG_BYTES crypto_aead_xchacha20poly1305_ietf_ABYTES

struct vault_key {
	char id[CH_VAULT_ID_LEN];
	unsigned char key[CH_VAULT_KEY_BYTES];
};

/* Lives in sodium_malloc memory, inaccessible except under the lock. */
struct vault_keys {
	size_t n;
	size_t current;
	struct vault_key k[CH_VAULT_MAX_KEYS];
};

static pthread_mutex_t vault_lock = PTHREAD_MUTEX_INITIALIZER;
static struct vault_keys *vault;
static char vault_path[4096];
static struct stat vault_seen;
static int64_t vault_checked_ms;

/* ---- the key file ---- */

static bool
id_valid(const char *s, size_t n)
{
	if (n != CH_VAULT_ID_LEN - 1)
		return false;
	for (size_t i = 0; i < n; i++)
		if (!((s[i] >= '0' && s[i] <= '9') ||
			(s[i] >= 'a' && s[i] <= 'f')))
			return false;
	return true;
}

static struct vault_keys *
keys_new(void)
{
	struct vault_keys *k = sodium_malloc(sizeof(*k));

	if (k != NULL)
		memset(k, 0, sizeof(*k));
	return k;
}

static ssize_t
keys_find(const struct vault_keys *k, const char *id)
{
	for (size_t i = 0; i < k->n; i++)
		if (strcmp(k->k[i].id, id) == 0)
			return (ssize_t)i;
	return -1;
}

/* Parse the text of a key file into k; logs the first bad line. */
static ch_err
keys_parse(const char *path, char *text, size_t len, struct vault_keys *k)
{
	char current[CH_VAULT_ID_LEN] = "";
	size_t lineno = 0;
	char *line = text, *end = text + len;

	while (line < end) {
		char *nl = memchr(line, '\n', (size_t)(end - line));
		char *eol = nl != NULL ? nl : end;
		char *word, *rest;
		size_t wlen;

		lineno++;
		*eol = '\0';
		while (*line == ' ' || *line == '\t')
			line++;
		if (*line == '\0' || *line == '#')
			goto next;
		word = line;
		wlen = strcspn(word, " \t");
		rest = word + wlen;
		while (*rest == ' ' || *rest == '\t')
			rest++;
		if (wlen == 7 && strncmp(word, "current", 7) == 0) {
			if (!id_valid(rest, strlen(rest)) || current[0])
				goto bad;
			memcpy(current, rest, CH_VAULT_ID_LEN);
		} else if (wlen == 3 && strncmp(word, "key", 3) == 0) {
			struct vault_key *vk;
			size_t idlen = strcspn(rest, " \t"), binlen = 0;
			const char *b64 = rest + idlen;

			while (*b64 == ' ' || *b64 == '\t')
				b64++;
			if (!id_valid(rest, idlen) || k->n == CH_VAULT_MAX_KEYS)
				goto bad;
			vk = &k->k[k->n];
			memcpy(vk->id, rest, idlen);
			vk->id[idlen] = '\0';
			if (keys_find(k, vk->id) >= 0)
				goto bad;
			if (sodium_base642bin(vk->key, sizeof(vk->key), b64,
				strlen(b64), NULL, &binlen, NULL,
				sodium_base64_VARIANT_ORIGINAL) != 0 ||
			    binlen != sizeof(vk->key))
				goto bad;
			k->n++;
		} else {
			goto bad;
		}
	next:
		line = eol + 1;
	}
	if (k->n == 0 || current[0] == '\0' || keys_find(k, current) < 0) {
		log_error("%s: no key, or no \"current\" line naming one of "
			  "its keys",
		    path);
		return CH_ERR_INVALID;
	}
	k->current = (size_t)keys_find(k, current);
	return CH_OK;
bad:
	log_error("%s:%zu: not a key file line (expected \"current ID\" or "
		  "\"key ID BASE64\", ID 8 hex digits, each key once)",
	    path, lineno);
	return CH_ERR_INVALID;
}

/* Read and parse path into a new key set; *st gets the file's identity. */
static ch_err
keys_read(const char *path, struct vault_keys **out, struct stat *st)
{
	struct vault_keys *k = NULL;
	char *text = NULL;
	size_t len = 0;
	ch_err err;
	int fd;

	*out = NULL;
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	if (fd < 0) {
		log_error(
		    "cannot open the key file %s: %s", path, strerror(errno));
		return errno == ENOENT ? CH_ERR_NOT_FOUND : CH_ERR_IO;
	}
	if (fstat(fd, st) != 0 || !S_ISREG(st->st_mode)) {
		log_error("%s is not a regular file", path);
		err = CH_ERR_IO;
		goto close_fd;
	}
	if ((st->st_mode & 077) != 0) {
		log_error("%s may be read by others (mode %03o): chmod 600 it",
		    path, (unsigned)(st->st_mode & 0777));
		err = CH_ERR_DENIED;
		goto close_fd;
	}
	if ((text = sodium_malloc(KEYFILE_MAX + 1)) == NULL) {
		err = CH_ERR_NOMEM;
		goto close_fd;
	}
	for (;;) {
		ssize_t n = read(fd, text + len, KEYFILE_MAX - len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			log_error("cannot read %s: %s", path, strerror(errno));
			err = CH_ERR_IO;
			goto free_text;
		}
		if (n == 0)
			break;
		len += (size_t)n;
		if (len == KEYFILE_MAX) {
			log_error("%s is over %d bytes", path, KEYFILE_MAX);
			err = CH_ERR_TOO_LARGE;
			goto free_text;
		}
	}
	text[len] = '\0';
	if ((k = keys_new()) == NULL) {
		err = CH_ERR_NOMEM;
		goto free_text;
	}
	if ((err = keys_parse(path, text, len, k)) != CH_OK) {
		sodium_free(k);
		goto free_text;
	}
	*out = k;
free_text:
	sodium_free(text); /* wipes */
close_fd:
	close(fd);
	return err;
}

/* Write k to path atomically, mode 0600. */
static ch_err
keys_write(const char *path, const struct vault_keys *k)
{
	static const char head[] =
	    "# Chancery data keys. Secret: keep this file mode 0600, and a\n"
	    "# copy apart from the database and its backups (without it\n"
	    "# neither can be read). See docs/operators.md.\n";
	char tmp[4200],
	    b64[sodium_base64_ENCODED_LEN(
		CH_VAULT_KEY_BYTES, sodium_base64_VARIANT_ORIGINAL)];
	char *text;
	size_t len;
	ch_err err = CH_OK;
	int fd, n;

	if (snprintf(tmp, sizeof(tmp), "%s.new", path) >= (int)sizeof(tmp))
		return CH_ERR_INVALID;
	if ((text = sodium_malloc(KEYFILE_MAX)) == NULL)
		return CH_ERR_NOMEM;
	n = snprintf(
	    text, KEYFILE_MAX, "%scurrent %s\n", head, k->k[k->current].id);
	len = (size_t)n;
	for (size_t i = 0; i < k->n; i++) {
		sodium_bin2base64(b64, sizeof(b64), k->k[i].key,
		    sizeof(k->k[i].key), sodium_base64_VARIANT_ORIGINAL);
		n = snprintf(text + len, KEYFILE_MAX - len, "key %s %s\n",
		    k->k[i].id, b64);
		len += (size_t)n;
	}
	sodium_memzero(b64, sizeof(b64));
	unlink(tmp);
	fd = open(
	    tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0600);
	if (fd < 0) {
		log_error("cannot create %s: %s", tmp, strerror(errno));
		err = CH_ERR_IO;
		goto free_text;
	}
	if (write(fd, text, len) != (ssize_t)len || fsync(fd) != 0) {
		log_error("cannot write %s: %s", tmp, strerror(errno));
		err = CH_ERR_IO;
		close(fd);
		unlink(tmp);
		goto free_text;
	}
	close(fd);
	if (rename(tmp, path) != 0) {
		log_error("cannot rename %s: %s", tmp, strerror(errno));
		unlink(tmp);
		err = CH_ERR_IO;
		goto free_text;
	}
	/* Make the rename durable. */
	ch_strlcpy(tmp, path, sizeof(tmp));
	if ((fd = open(dirname(tmp), O_RDONLY | O_DIRECTORY)) >= 0) {
		fsync(fd);
		close(fd);
	}
free_text:
	sodium_free(text);
	return err;
}

static void
new_key(struct vault_keys *k)
{
	struct vault_key *vk = &k->k[k->n];
	unsigned char raw[4];

	do {
		randombytes_buf(raw, sizeof(raw));
		ch_hex(raw, sizeof(raw), vk->id);
	} while (keys_find(k, vk->id) >= 0);
	crypto_aead_xchacha20poly1305_ietf_keygen(vk->key);
	k->current = k->n++;
}

/* Swap in a new key set; frees (and so wipes) the old one. */
static void
vault_install(struct vault_keys *k, const char *path, const struct stat *st)
{
	struct vault_keys *old;

	sodium_mprotect_readonly(k);
	pthread_mutex_lock(&vault_lock);
	old = vault;
	vault = k;
	if (path != NULL) {
		ch_strlcpy(vault_path, path, sizeof(vault_path));
		vault_seen = *st;
	} else {
		vault_path[0] = '\0';
	}
	vault_checked_ms = ch_clock_mono_ms();
	pthread_mutex_unlock(&vault_lock);
	if (old != NULL)
		sodium_free(old);
}

ch_err
ch_vault_create_file(const char *path)
{
	struct vault_keys *k;
	char dir[4096];
	struct stat st;
	ch_err err;

	if (sodium_init() < 0)
		return CH_ERR_CRYPTO;
	if (stat(path, &st) == 0)
		return CH_ERR_CONFLICT;
	if (!ch_strlcpy(dir, path, sizeof(dir)))
		return CH_ERR_INVALID;
	if (mkdir(dirname(dir), 0700) != 0 && errno != EEXIST) {
		log_error("cannot create the directory of %s: %s", path,
		    strerror(errno));
		return CH_ERR_IO;
	}
	if ((k = keys_new()) == NULL)
		return CH_ERR_NOMEM;
	new_key(k);
	err = keys_write(path, k);
	sodium_free(k);
	return err;
}

ch_err
ch_vault_load(const char *path)
{
	struct vault_keys *k;
	struct stat st;
	ch_err err;

	if (sodium_init() < 0)
		return CH_ERR_CRYPTO;
	if ((err = keys_read(path, &k, &st)) != CH_OK)
		return err;
	vault_install(k, path, &st);
	return CH_OK;
}

ch_err
ch_vault_load_raw(
    const char id[CH_VAULT_ID_LEN], const unsigned char key[CH_VAULT_KEY_BYTES])
{
	struct vault_keys *k;

	if (sodium_init() < 0)
		return CH_ERR_CRYPTO;
	if (!id_valid(id, strlen(id)))
		return CH_ERR_INVALID;
	if ((k = keys_new()) == NULL)
		return CH_ERR_NOMEM;
	memcpy(k->k[0].id, id, CH_VAULT_ID_LEN);
	memcpy(k->k[0].key, key, CH_VAULT_KEY_BYTES);
	k->n = 1;
	vault_install(k, NULL, NULL);
	return CH_OK;
}

void
ch_vault_unload(void)
{
	struct vault_keys *old;

	pthread_mutex_lock(&vault_lock);
	old = vault;
	vault = NULL;
	vault_path[0] = '\0';
	pthread_mutex_unlock(&vault_lock);
	if (old != NULL)
		sodium_free(old);
}

bool
ch_vault_loaded(void)
{
	bool loaded;

	pthread_mutex_lock(&vault_lock);
	loaded = vault != NULL;
	pthread_mutex_unlock(&vault_lock);
	return loaded;
}

ch_err
ch_vault_refresh(bool force)
{
	char path[sizeof(vault_path)];
	struct stat st;
	int64_t now = ch_clock_mono_ms();
	bool changed;

	pthread_mutex_lock(&vault_lock);
	if (vault_path[0] == '\0' ||
	    (!force && now - vault_checked_ms < 1000)) {
		pthread_mutex_unlock(&vault_lock);
		return CH_OK;
	}
	vault_checked_ms = now;
	ch_strlcpy(path, vault_path, sizeof(path));
	changed = stat(path, &st) != 0 || st.st_ino != vault_seen.st_ino ||
	    st.st_size != vault_seen.st_size ||
	    st.st_mtim.tv_sec != vault_seen.st_mtim.tv_sec ||
	    st.st_mtim.tv_nsec != vault_seen.st_mtim.tv_nsec;
	pthread_mutex_unlock(&vault_lock);
	if (!changed)
		return CH_OK;
	log_info("the key file %s changed: reloading it", path);
	return ch_vault_load(path);
}

void
ch_vault_current_id(char out[CH_VAULT_ID_LEN])
{
	out[0] = '\0';
	pthread_mutex_lock(&vault_lock);
	if (vault != NULL) {
		memcpy(out, vault->k[vault->current].id, CH_VAULT_ID_LEN);
	}
	pthread_mutex_unlock(&vault_lock);
}

size_t
ch_vault_key_ids(char ids[][CH_VAULT_ID_LEN], size_t max)
{
	size_t n = 0;

	pthread_mutex_lock(&vault_lock);
	if (vault != NULL) {
		if (max > 0)
			memcpy(ids[n++], vault->k[vault->current].id,
			    CH_VAULT_ID_LEN);
		for (size_t i = 0; i < vault->n && n < max; i++)
			if (i != vault->current)
				memcpy(
				    ids[n++], vault->k[i].id, CH_VAULT_ID_LEN);
	}
	pthread_mutex_unlock(&vault_lock);
	return n;
}

ch_err
ch_vault_rotate_file(const char *path, char new_id[CH_VAULT_ID_LEN])
{
	struct vault_keys *k;
	struct stat st;
	ch_err err;

	if ((err = keys_read(path, &k, &st)) != CH_OK)
		return err;
	if (k->n == CH_VAULT_MAX_KEYS) {
		log_error("%s holds %d keys already: retire old ones first "
			  "(chancery key retire ID)",
		    path, CH_VAULT_MAX_KEYS);
		sodium_free(k);
		return CH_ERR_LIMIT;
	}
	new_key(k);
	memcpy(new_id, k->k[k->current].id, CH_VAULT_ID_LEN);
	err = keys_write(path, k);
	sodium_free(k);
	return err != CH_OK ? err : ch_vault_load(path);
}

ch_err
ch_vault_retire_file(const char *path, const char *id)
{
	struct vault_keys *k;
	struct stat st;
	ssize_t i;
	ch_err err;

	if ((err = keys_read(path, &k, &st)) != CH_OK)
		return err;
	if ((i = keys_find(k, id)) < 0) {
		err = CH_ERR_NOT_FOUND;
		goto free_keys;
	}
	if ((size_t)i == k->current) {
		err = CH_ERR_CONFLICT;
		goto free_keys;
	}
	for (size_t j = (size_t)i; j + 1 < k->n; j++)
		k->k[j] = k->k[j + 1];
	k->n--;
	sodium_memzero(&k->k[k->n], sizeof(k->k[k->n]));
	if (k->current > (size_t)i)
		k->current--;
	if ((err = keys_write(path, k)) == CH_OK)
		err = ch_vault_load(path);
free_keys:
	sodium_free(k);
	return err;
}

/* ---- sealing ---- */

/* The associated data: "v1:ID:" table NUL row NUL column. */
static ch_err
make_ad(const char *id, const char *table, const char *row, const char *col,
    unsigned char *ad, size_t *len)
{
	int n = snprintf((char *)ad, AD_MAX, "v1:%s:%s%c%s%c%s", id, table,
	    '\0', row, '\0', col);

	if (n < 0 || n >= AD_MAX)
		return CH_ERR_INVALID;
	*len = (size_t)n;
	return CH_OK;
}

bool
ch_vault_key_of(const char *s, char id[CH_VAULT_ID_LEN])
{
	if (s == NULL || strncmp(s, "v1:", 3) != 0 ||
	    !id_valid(s + 3, CH_VAULT_ID_LEN - 1) ||
	    s[3 + CH_VAULT_ID_LEN - 1] != ':')
		return false;
	memcpy(id, s + 3, CH_VAULT_ID_LEN - 1);
	id[CH_VAULT_ID_LEN - 1] = '\0';
	return true;
}

bool
ch_vault_is_sealed(const char *s)
{
	char id[CH_VAULT_ID_LEN];

	return ch_vault_key_of(s, id);
}

ch_err
ch_vault_seal(const char *table, const char *row_id, const char *column,
    const void *pt, size_t len, ch_arena *a, char **out)
{
	unsigned char ad[AD_MAX],
	    bin[NONCE_BYTES + CH_VAULT_PLAINTEXT_MAX + TAG_BYTES];
	char id[CH_VAULT_ID_LEN];
	size_t adlen, b64len, prefix = 3 + CH_VAULT_ID_LEN;
	unsigned long long ctlen = 0;
	ch_err err = CH_OK;
	char *s;

	*out = NULL;
	if (len > CH_VAULT_PLAINTEXT_MAX)
		return CH_ERR_TOO_LARGE;
	ch_vault_refresh(false);
	randombytes_buf(bin, NONCE_BYTES);
	pthread_mutex_lock(&vault_lock);
	if (vault == NULL) {
		pthread_mutex_unlock(&vault_lock);
		log_error(
		    "no data key is loaded: cannot seal %s.%s", table, column);
		return CH_ERR_CRYPTO;
	}
	memcpy(id, vault->k[vault->current].id, CH_VAULT_ID_LEN);
	if ((err = make_ad(id, table, row_id, column, ad, &adlen)) == CH_OK &&
	    crypto_aead_xchacha20poly1305_ietf_encrypt(bin + NONCE_BYTES,
		&ctlen, pt, len, ad, adlen, NULL, bin,
		vault->k[vault->current].key) != 0)
		err = CH_ERR_CRYPTO;
	pthread_mutex_unlock(&vault_lock);
	if (err != CH_OK)
		return err;
	b64len = sodium_base64_ENCODED_LEN(
	    NONCE_BYTES + ctlen, sodium_base64_VARIANT_ORIGINAL);
	if ((s = ch_arena_alloc(a, prefix + b64len)) == NULL)
		return CH_ERR_NOMEM;
	snprintf(s, prefix + 1, "v1:%s:", id);
	sodium_bin2base64(s + prefix, b64len, bin, NONCE_BYTES + ctlen,
	    sodium_base64_VARIANT_ORIGINAL);
	*out = s;
	return CH_OK;
}

/* Decrypt with key id; CH_ERR_NOT_FOUND when the key is not loaded. */
static ch_err
open_with(const char *id, const unsigned char *ad, size_t adlen,
    const unsigned char *bin, size_t binlen, unsigned char *pt)
{
	unsigned long long ptlen = 0;
	ch_err err = CH_OK;
	ssize_t i;

	pthread_mutex_lock(&vault_lock);
	if (vault == NULL) {
		pthread_mutex_unlock(&vault_lock);
		log_error("%s", "no data key is loaded: cannot open a value");
		return CH_ERR_CRYPTO;
	}
	if ((i = keys_find(vault, id)) < 0)
		err = CH_ERR_NOT_FOUND;
	else if (crypto_aead_xchacha20poly1305_ietf_decrypt(pt, &ptlen, NULL,
		     bin + NONCE_BYTES, binlen - NONCE_BYTES, ad, adlen, bin,
		     vault->k[i].key) != 0)
		err = CH_ERR_CRYPTO;
	pthread_mutex_unlock(&vault_lock);
	return err;
}

ch_err
ch_vault_open(const char *table, const char *row_id, const char *column,
    const char *sealed, ch_arena *a, char **out, size_t *len)
{
	unsigned char ad[AD_MAX],
	    bin[NONCE_BYTES + CH_VAULT_PLAINTEXT_MAX + TAG_BYTES];
	char id[CH_VAULT_ID_LEN];
	const char *b64;
	size_t adlen, binlen = 0, ptlen;
	unsigned char *pt;
	ch_err err;

	*out = NULL;
	if (len != NULL)
		*len = 0;
	if (!ch_vault_key_of(sealed, id))
		return CH_ERR_INVALID;
	b64 = sealed + 3 + CH_VAULT_ID_LEN;
	if (sodium_base642bin(bin, sizeof(bin), b64, strlen(b64), NULL, &binlen,
		NULL, sodium_base64_VARIANT_ORIGINAL) != 0 ||
	    binlen < NONCE_BYTES + TAG_BYTES)
		return CH_ERR_INVALID;
	if ((err = make_ad(id, table, row_id, column, ad, &adlen)) != CH_OK)
		return err;
	ptlen = binlen - NONCE_BYTES - TAG_BYTES;
	if ((pt = ch_arena_alloc(a, ptlen + 1)) == NULL)
		return CH_ERR_NOMEM;
	err = open_with(id, ad, adlen, bin, binlen, pt);
	if (err == CH_ERR_NOT_FOUND && ch_vault_refresh(true) == CH_OK)
		err = open_with(id, ad, adlen, bin, binlen, pt);
	if (err == CH_ERR_NOT_FOUND)
		log_error("%s.%s of %s is sealed under key %s, which the key "
			  "file does not hold",
		    table, column, row_id, id);
	else if (err == CH_ERR_CRYPTO)
		log_error("%s.%s of %s does not open: altered, or moved from "
			  "another row or column",
		    table, column, row_id);
	if (err != CH_OK) {
		sodium_memzero(pt, ptlen + 1);
		return err;
	}
	pt[ptlen] = '\0';
	*out = (char *)pt;
	if (len != NULL)
		*len = ptlen;
	return CH_OK;
}

void
ch_vault_digest(const char *context, const void *data, size_t len, char out[65])
{
	unsigned char *key, digest[32];
	char id[CH_VAULT_ID_LEN];

	out[0] = '\0';
	ch_vault_current_id(id);
	if (id[0] == '\0' || (key = sodium_malloc(CH_VAULT_KEY_BYTES)) == NULL)
		return;
	if (ch_vault_derive(id, context, NULL, 0, key) == CH_OK) {
		crypto_generichash(
		    digest, sizeof(digest), data, len, key, CH_VAULT_KEY_BYTES);
		ch_hex(digest, sizeof(digest), out);
	}
	sodium_free(key);
}

ch_err
ch_vault_derive(const char *id, const char *context, const unsigned char *salt,
    size_t salt_len, unsigned char out[CH_VAULT_KEY_BYTES])
{
	crypto_generichash_state st;
	ch_err err = CH_OK;
	ssize_t i;

	pthread_mutex_lock(&vault_lock);
	if (vault == NULL) {
		pthread_mutex_unlock(&vault_lock);
		return CH_ERR_CRYPTO;
	}
	if ((i = keys_find(vault, id)) < 0) {
		err = CH_ERR_NOT_FOUND;
	} else {
		crypto_generichash_init(&st, vault->k[i].key,
		    CH_VAULT_KEY_BYTES, CH_VAULT_KEY_BYTES);
		crypto_generichash_update(
		    &st, (const unsigned char *)context, strlen(context) + 1);
		crypto_generichash_update(&st, salt, salt_len);
		crypto_generichash_final(&st, out, CH_VAULT_KEY_BYTES);
		sodium_memzero(&st, sizeof(st));
	}
	pthread_mutex_unlock(&vault_lock);
	return err;
}
