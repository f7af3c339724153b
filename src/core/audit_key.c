/*
 * audit_key.c — the post's audit signing key on disk.  DIR/keys/ (0700)
 * holds audit.key (0600): the Ed25519 private key as a signed-note signer
 * key, and audit.pub: its verifier key, for anyone who checks the log
 * (`chancery audit verify --key`, HQ, transparency-log tooling).  The key
 * name is the log's origin, the first line of every checkpoint.
 *
 * Loading reads the file into guarded memory (sodium_malloc), parses it
 * there, wipes the file's bytes, and makes the key read-only.
 */
#include <errno.h>
#include <fcntl.h>
#include <sodium.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/audit.h"

#define KEY_FILE_MAX 1024

static bool
key_paths(const char *dir, char *keys, char *key, char *pub, size_t size)
{
	int a = snprintf(keys, size, "%s/keys", dir);
	int b = snprintf(key, size, "%s/keys/audit.key", dir);
	int c = snprintf(pub, size, "%s/keys/audit.pub", dir);

	return a > 0 && b > 0 && c > 0 && (size_t)b < size && (size_t)c < size;
}

static ch_err
write_file(const char *path, const char *data, size_t len, mode_t mode)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode);
	size_t done = 0;

	if (fd < 0) {
		log_error("cannot create %s: %s", path, strerror(errno));
		return CH_ERR_IO;
	}
	while (done < len) {
		ssize_t n = write(fd, data + done, len - done);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			log_error("cannot write %s: %s", path, strerror(errno));
			close(fd);
			unlink(path);
			return CH_ERR_IO;
		}
		done += (size_t)n;
	}
	if (fsync(fd) != 0 || close(fd) != 0) {
		log_error("cannot write %s: %s", path, strerror(errno));
		unlink(path);
		return CH_ERR_IO;
	}
	return CH_OK;
}

ch_err
ch_audit_key_create(const char *dir, const char *origin, bool *made)
{
	char keys[4096], key[4096], pub[4096];
	struct ch_note_signer *s = NULL;
	struct ch_note_verifier v;
	struct ch_buf pubtext;
	char *secret = NULL;
	struct stat st;
	ch_err err;

	*made = false;
	if (!key_paths(dir, keys, key, pub, sizeof(keys)))
		return CH_ERR_TOO_LARGE;
	if (stat(key, &st) == 0)
		return CH_OK;
	if (mkdir(keys, 0700) != 0 && errno != EEXIST) {
		log_error("cannot create %s: %s", keys, strerror(errno));
		return CH_ERR_IO;
	}
	ch_buf_init(&pubtext, KEY_FILE_MAX);
	s = ch_note_signer_new();
	secret = sodium_malloc(KEY_FILE_MAX);
	if (s == NULL || secret == NULL) {
		err = CH_ERR_NOMEM;
		goto out;
	}
	if ((err = ch_note_signer_generate(s, origin)) != CH_OK) {
		log_error("\"%s\" cannot name a log: use letters, digits and "
			  "punctuation without spaces or '+', e.g. "
			  "nairobi.embassy.example/chancery",
		    origin);
		goto out;
	}
	ch_note_signer_verifier(s, &v);
	if ((err = ch_note_signer_format(s, secret, KEY_FILE_MAX)) != CH_OK ||
	    (err = ch_note_verifier_format(&v, &pubtext)) != CH_OK)
		goto out;
	unlink(pub); /* a stale public key of a lost private key */
	if ((err = write_file(key, secret, strlen(secret), 0600)) != CH_OK)
		goto out;
	if ((err = write_file(pub, pubtext.data, pubtext.len, 0644)) != CH_OK) {
		unlink(key);
		goto out;
	}
	*made = true;
out:
	if (secret != NULL)
		sodium_free(secret);
	ch_note_signer_free(s);
	ch_buf_free(&pubtext);
	return err;
}

/* Read a small file into buf (NUL-terminated); refuses larger ones. */
static ch_err
read_small(const char *path, char *buf, size_t size, size_t *len, mode_t *mode)
{
	struct stat st;
	ssize_t n;
	int fd;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		log_error("cannot open %s: %s", path, strerror(errno));
		return errno == ENOENT ? CH_ERR_NOT_FOUND : CH_ERR_IO;
	}
	if (fstat(fd, &st) != 0 || (size_t)st.st_size >= size) {
		log_error("%s is not a key file", path);
		close(fd);
		return CH_ERR_INVALID;
	}
	n = read(fd, buf, size - 1);
	close(fd);
	if (n < 0) {
		log_error("cannot read %s: %s", path, strerror(errno));
		return CH_ERR_IO;
	}
	buf[n] = '\0';
	*len = (size_t)n;
	if (mode != NULL)
		*mode = st.st_mode;
	return CH_OK;
}

bool
ch_audit_key_present(const char *dir)
{
	char keys[4096], key[4096], pub[4096];
	struct stat st;

	return key_paths(dir, keys, key, pub, sizeof(keys)) &&
	    stat(key, &st) == 0;
}

ch_err
ch_audit_key_load(const char *dir, struct ch_note_signer **out)
{
	char keys[4096], key[4096], pub[4096];
	struct ch_note_signer *s;
	char *text;
	size_t len = 0;
	struct stat dst = {0};
	mode_t mode = 0;
	ch_err err;

	*out = NULL;
	if (!key_paths(dir, keys, key, pub, sizeof(keys)))
		return CH_ERR_TOO_LARGE;
	s = ch_note_signer_new();
	text = sodium_malloc(KEY_FILE_MAX);
	if (s == NULL || text == NULL) {
		err = CH_ERR_NOMEM;
		goto fail;
	}
	/* Whoever can write the directory can replace the key, its public
	 * half and the kept checkpoint with their own. */
	if (stat(keys, &dst) != 0 || (dst.st_mode & 022) != 0) {
		log_error("%s can be written by others (mode %03o): chmod 700 "
			  "it",
		    keys, (unsigned)(dst.st_mode & 0777));
		err = CH_ERR_DENIED;
		goto fail;
	}
	if ((err = read_small(key, text, KEY_FILE_MAX, &len, &mode)) != CH_OK)
		goto fail;
	if ((mode & 077) != 0) {
		log_error("%s can be read by others (mode %03o): chmod 600 it",
		    key, (unsigned)(mode & 0777));
		err = CH_ERR_DENIED;
		goto fail;
	}
	if (!ch_note_signer_parse(text, len, s)) {
		log_error("%s is not an audit signing key", key);
		err = CH_ERR_INVALID;
		goto fail;
	}
	sodium_free(text);
	sodium_mprotect_readonly(s);
	*out = s;
	return CH_OK;
fail:
	if (text != NULL)
		sodium_free(text);
	ch_note_signer_free(s);
	return err;
}

ch_err
ch_audit_pub_load(const char *path, struct ch_note_verifier *out)
{
	char text[KEY_FILE_MAX];
	size_t len = 0;
	ch_err err;

	if ((err = read_small(path, text, sizeof(text), &len, NULL)) != CH_OK)
		return err;
	if (!ch_note_verifier_parse(text, len, out)) {
		log_error("%s is not a verifier key (NAME+ID+KEY)", path);
		return CH_ERR_INVALID;
	}
	return CH_OK;
}
