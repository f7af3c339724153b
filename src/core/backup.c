/*
 * backup.c — writing, verifying and restoring backups (format in
 * backup.h).  The stream is built in memory (bounded by
 * CH_BACKUP_PLAIN_MAX), compressed in one go, then encrypted in 64 KiB
 * chunks; restoring reads the whole file, checks every tag, decompresses
 * with the same bound, parses with every length checked against what is
 * left, and verifies before the store is touched.
 */
#include <errno.h>
#include <fcntl.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

#include "core/audit.h"
#include "core/backup.h"
#include "core/vault.h"
#include "store/db.h" /* struct ch_rows: whole tables as text */
#include "store/store.h"

#define FILE_MAGIC "CHANCERY-BACKUP\n"
#define MAGIC_LEN 16
#define SALT_LEN 16
#define AD_LEN (MAGIC_LEN + 1 + 8 + SALT_LEN)
#define HEADER_LEN (AD_LEN + crypto_secretstream_xchacha20poly1305_HEADERBYTES)
#define CHUNK (64 * 1024)
#define ABYTES crypto_secretstream_xchacha20poly1305_ABYTES
#define NULL_CELL 0xFFFFFFFFu
#define KDF_CONTEXT "chancery backup v1"
#define FILE_MAX (CH_BACKUP_PLAIN_MAX + CH_BACKUP_PLAIN_MAX / 8)

/* ---- the RFC 9162 tree head of a sequence of leaves ---- */

struct merkle {
	unsigned char hash[64][32];
	uint64_t size[64];
	int n;
};

static void
node_hash(const unsigned char *l, const unsigned char *r, unsigned char *out)
{
	static const unsigned char prefix = 0x01;
	crypto_hash_sha256_state st;

	crypto_hash_sha256_init(&st);
	crypto_hash_sha256_update(&st, &prefix, 1);
	crypto_hash_sha256_update(&st, l, 32);
	crypto_hash_sha256_update(&st, r, 32);
	crypto_hash_sha256_final(&st, out);
}

static void
merkle_push(struct merkle *m, const unsigned char leaf[32])
{
	memcpy(m->hash[m->n], leaf, 32);
	m->size[m->n++] = 1;
	while (m->n >= 2 && m->size[m->n - 1] == m->size[m->n - 2]) {
		node_hash(
		    m->hash[m->n - 2], m->hash[m->n - 1], m->hash[m->n - 2]);
		m->size[m->n - 2] *= 2;
		m->n--;
	}
}

/* MTH: the perfect subtrees on the stack, folded from the right. */
static void
merkle_root(const struct merkle *m, unsigned char out[32])
{
	unsigned char h[32];

	if (m->n == 0) {
		crypto_hash_sha256(out, NULL, 0);
		return;
	}
	memcpy(h, m->hash[m->n - 1], 32);
	for (int i = m->n - 2; i >= 0; i--)
		node_hash(m->hash[i], h, h);
	memcpy(out, h, 32);
}

static bool
hex32(const char *s, unsigned char out[32])
{
	size_t n = 0;

	return s != NULL && strlen(s) == 64 &&
	    sodium_hex2bin(out, 32, s, 64, NULL, &n, NULL) == 0 && n == 32;
}

/* ---- writing the stream ---- */

static ch_err
put_u32(struct ch_buf *b, uint32_t v)
{
	unsigned char x[4] = {(unsigned char)(v >> 24),
	    (unsigned char)(v >> 16), (unsigned char)(v >> 8),
	    (unsigned char)v};

	return ch_buf_append(b, x, 4);
}

static ch_err
put_u64(struct ch_buf *b, uint64_t v)
{
	ch_err err = put_u32(b, (uint32_t)(v >> 32));

	return err != CH_OK ? err : put_u32(b, (uint32_t)v);
}

static ch_err
put_str(struct ch_buf *b, const char *s)
{
	size_t n;
	ch_err err;

	if (s == NULL)
		return put_u32(b, NULL_CELL);
	n = strlen(s);
	if (n >= NULL_CELL)
		return CH_ERR_TOO_LARGE;
	if ((err = put_u32(b, (uint32_t)n)) != CH_OK ||
	    (err = ch_buf_append(b, s, n + 1)) != CH_OK)
		return err;
	return CH_OK;
}

static ssize_t
column_index(const char *const *columns, size_t ncols, const char *name)
{
	for (size_t i = 0; i < ncols; i++)
		if (columns[i] != NULL && strcmp(columns[i], name) == 0)
			return (ssize_t)i;
	return -1;
}

/* One table into the stream; the audit log's leaves into m. */
static ch_err
put_table(struct ch_buf *b, const char *name, const struct ch_rows *r,
    struct merkle *m, uint64_t *audit_size)
{
	ssize_t leaf = -1;
	ch_err err;

	if ((err = put_str(b, name)) != CH_OK ||
	    (err = put_u32(b, (uint32_t)r->ncols)) != CH_OK)
		return err;
	for (size_t c = 0; c < r->ncols; c++)
		if ((err = put_str(b, r->names[c])) != CH_OK)
			return err;
	if ((err = put_u64(b, r->nrows)) != CH_OK)
		return err;
	if (strcmp(name, "audit_log") == 0) {
		leaf = column_index(
		    (const char *const *)r->names, r->ncols, "leaf_hash");
		*audit_size = r->nrows;
	}
	for (size_t i = 0; i < r->nrows; i++) {
		for (size_t c = 0; c < r->ncols; c++)
			if ((err = put_str(b, ch_rows_get(r, i, c))) != CH_OK)
				return err;
		if (leaf >= 0) {
			unsigned char h[32];

			if (!hex32(ch_rows_get(r, i, (size_t)leaf), h))
				return CH_ERR_INVALID;
			merkle_push(m, h);
		}
	}
	return CH_OK;
}

/*
 * Tables a backup leaves out: sessions (hashed tokens) would come back to
 * life on a restore, even those ended after the backup was taken.  A
 * restore empties them: everyone signs in again.
 */
static const char *const not_backed_up[] = {"sessions"};

static bool
backed_up(const char *table)
{
	for (size_t i = 0; i < CH_ARRAY_LEN(not_backed_up); i++)
		if (strcmp(table, not_backed_up[i]) == 0)
			return false;
	return true;
}

/* Read every table of one snapshot into the stream b. */
static ch_err
build_stream(struct ch_store *store, struct ch_buf *b,
    struct ch_backup_summary *sum, struct ch_fault *f)
{
	char now[CH_TIMESTAMP_LEN];
	struct merkle *m = NULL;
	unsigned char root[32];
	struct ch_tx *tx = NULL;
	struct ch_rows *r = NULL;
	ch_arena *a = NULL;
	char **names;
	size_t n, kept;
	ch_err err;

	if ((m = calloc(1, sizeof(*m))) == NULL ||
	    (a = ch_arena_create(0)) == NULL) {
		err = CH_ERR_NOMEM;
		goto free_mem;
	}
	if ((err = ch_store_begin_snapshot(store, &tx)) != CH_OK)
		goto free_mem;
	if ((err = ch_store_table_names(tx, a, &names, &n)) != CH_OK)
		goto rollback;
	kept = 0;
	for (size_t i = 0; i < n; i++)
		if (backed_up(names[i]))
			names[kept++] = names[i];
	n = kept;
	ch_time_format(ch_clock_now(), now);
	if ((err = ch_buf_append(b, "CHBK", 4)) != CH_OK ||
	    (err = put_u32(b, 1)) != CH_OK ||
	    (err = put_str(b, ch_store_engine(store))) != CH_OK ||
	    (err = put_u64(b, (uint64_t)ch_store_schema_version(store))) !=
		CH_OK ||
	    (err = put_str(b, now)) != CH_OK ||
	    (err = put_u32(b, (uint32_t)n)) != CH_OK)
		goto rollback;
	for (size_t i = 0; i < n; i++) {
		if ((err = ch_store_table_rows(tx, names[i], &r)) != CH_OK)
			goto rollback;
		err = put_table(b, names[i], r, m, &sum->audit_size);
		sum->rows += r->nrows;
		ch_rows_free(r);
		r = NULL;
		if (err != CH_OK) {
			ch_fault_set(f, names[i], "table %s: %s", names[i],
			    err == CH_ERR_TOO_LARGE
				? "the backup would be over its 1 GiB limit"
				: "a leaf hash is malformed");
			goto rollback;
		}
	}
	sum->tables = n;
	merkle_root(m, root);
	ch_hex(root, 32, sum->audit_root);
	if ((err = put_str(b, "end")) != CH_OK ||
	    (err = put_u64(b, sum->rows)) != CH_OK ||
	    (err = put_u64(b, sum->audit_size)) != CH_OK ||
	    (err = ch_buf_append(b, root, 32)) != CH_OK)
		goto rollback;
	sum->stream_bytes = b->len;
rollback:
	ch_store_rollback(tx);
free_mem:
	ch_arena_destroy(a);
	free(m);
	return err;
}

/* ---- the file: compress, encrypt ---- */

static ch_err
write_all(int fd, const void *p, size_t n)
{
	const unsigned char *c = p;

	while (n > 0) {
		ssize_t w = write(fd, c, n);

		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return CH_ERR_IO;
		c += w;
		n -= (size_t)w;
	}
	return CH_OK;
}

static ch_err
backup_key(const char *id, const unsigned char *salt, unsigned char **key)
{
	ch_err err;

	if ((*key = sodium_malloc(CH_VAULT_KEY_BYTES)) == NULL)
		return CH_ERR_NOMEM;
	err = ch_vault_derive(id, KDF_CONTEXT, salt, SALT_LEN, *key);
	if (err != CH_OK) {
		sodium_free(*key);
		*key = NULL;
	}
	return err;
}

/* Compress and encrypt plain into fd. */
static ch_err
seal_stream(int fd, const struct ch_buf *plain, struct ch_backup_summary *sum)
{
	crypto_secretstream_xchacha20poly1305_state st;
	unsigned char header[HEADER_LEN], *z = NULL, *key = NULL;
	unsigned char *chunk = NULL, lenbuf[4];
	uLongf zlen;
	ch_err err;

	ch_vault_current_id(sum->key_id);
	if (sum->key_id[0] == '\0')
		return CH_ERR_CRYPTO;
	memcpy(header, FILE_MAGIC, MAGIC_LEN); /* NOLINT: bytes, not a string */
	header[MAGIC_LEN] = 1;
	memcpy(header + MAGIC_LEN + 1, sum->key_id, 8);
	randombytes_buf(header + MAGIC_LEN + 9, SALT_LEN);
	if ((err = backup_key(sum->key_id, header + MAGIC_LEN + 9, &key)) !=
	    CH_OK)
		return err;
	zlen = compressBound(plain->len);
	if ((z = malloc(zlen)) == NULL ||
	    (chunk = malloc(CHUNK + ABYTES)) == NULL) {
		err = CH_ERR_NOMEM;
		goto free_all;
	}
	if (compress2(z, &zlen, (const unsigned char *)plain->data, plain->len,
		6) != Z_OK) {
		err = CH_ERR_INTERNAL;
		goto free_all;
	}
	crypto_secretstream_xchacha20poly1305_init_push(
	    &st, header + AD_LEN, key);
	if ((err = write_all(fd, header, HEADER_LEN)) != CH_OK)
		goto free_all;
	sum->file_bytes = HEADER_LEN;
	for (size_t off = 0;;) {
		size_t n = zlen - off > CHUNK ? CHUNK : zlen - off;
		unsigned char tag = off + n == zlen
		    ? crypto_secretstream_xchacha20poly1305_TAG_FINAL
		    : 0;
		unsigned long long clen = 0;

		crypto_secretstream_xchacha20poly1305_push(
		    &st, chunk, &clen, z + off, n, header, AD_LEN, tag);
		lenbuf[0] = (unsigned char)(clen >> 24);
		lenbuf[1] = (unsigned char)(clen >> 16);
		lenbuf[2] = (unsigned char)(clen >> 8);
		lenbuf[3] = (unsigned char)clen;
		if ((err = write_all(fd, lenbuf, 4)) != CH_OK ||
		    (err = write_all(fd, chunk, (size_t)clen)) != CH_OK)
			goto free_all;
		sum->file_bytes += 4 + (size_t)clen;
		off += n;
		if (tag != 0)
			break;
	}
free_all:
	sodium_memzero(&st, sizeof(st));
	free(chunk);
	free(z);
	sodium_free(key);
	return err;
}

ch_err
ch_backup_write(struct ch_store *store, const char *path,
    struct ch_backup_summary *sum, struct ch_fault *f)
{
	char tmp[4200];
	struct ch_buf plain;
	ch_err err;
	int fd;

	memset(sum, 0, sizeof(*sum));
	if (snprintf(tmp, sizeof(tmp), "%s.partial", path) >= (int)sizeof(tmp))
		return CH_ERR_INVALID;
	if (!ch_vault_loaded()) {
		ch_fault_set(f, "key", "no data key is loaded");
		return CH_ERR_CRYPTO;
	}
	ch_buf_init(&plain, CH_BACKUP_PLAIN_MAX);
	if ((err = build_stream(store, &plain, sum, f)) != CH_OK)
		goto free_plain;
	unlink(tmp);
	fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	if (fd < 0) {
		ch_fault_set(
		    f, "out", "cannot create %s: %s", tmp, strerror(errno));
		err = CH_ERR_IO;
		goto free_plain;
	}
	err = seal_stream(fd, &plain, sum);
	if (err == CH_OK && fsync(fd) != 0)
		err = CH_ERR_IO;
	close(fd);
	if (err == CH_OK && rename(tmp, path) != 0)
		err = CH_ERR_IO;
	if (err != CH_OK) {
		ch_fault_set(
		    f, "out", "cannot write %s: %s", path, ch_strerror(err));
		unlink(tmp);
	}
free_plain:
	sodium_memzero(plain.data, plain.len);
	ch_buf_free(&plain);
	return err;
}

/* ---- reading the file ---- */

static uint32_t
get_u32(const unsigned char *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
	    (uint32_t)p[2] << 8 | (uint32_t)p[3];
}

static ch_err
inflate_all(const unsigned char *z, size_t zlen, struct ch_buf *plain)
{
	unsigned char out[CHUNK];
	z_stream s;
	ch_err err = CH_OK;
	int rc;

	memset(&s, 0, sizeof(s));
	if (inflateInit(&s) != Z_OK)
		return CH_ERR_NOMEM;
	s.next_in = (unsigned char *)z;
	s.avail_in = 0;
	for (size_t off = 0;;) {
		if (s.avail_in == 0 && off < zlen) {
			size_t n = zlen - off > CHUNK ? CHUNK : zlen - off;

			s.next_in = (unsigned char *)z + off;
			s.avail_in = (uInt)n;
			off += n;
		}
		s.next_out = out;
		s.avail_out = sizeof(out);
		rc = inflate(&s, Z_NO_FLUSH);
		if (rc != Z_OK && rc != Z_STREAM_END) {
			err = CH_ERR_INVALID;
			break;
		}
		if ((err = ch_buf_append(
			 plain, out, sizeof(out) - s.avail_out)) != CH_OK)
			break;
		if (rc == Z_STREAM_END) {
			if (s.avail_in != 0 || off != zlen)
				err = CH_ERR_INVALID; /* bytes after the end */
			break;
		}
		if (s.avail_in == 0 && off == zlen && s.avail_out != 0) {
			err = CH_ERR_INVALID; /* cut short */
			break;
		}
	}
	inflateEnd(&s);
	return err;
}

ch_err
ch_backup_unseal(const unsigned char *file, size_t len, struct ch_buf *plain,
    char key_id[9], struct ch_fault *f)
{
	crypto_secretstream_xchacha20poly1305_state st;
	unsigned char *key = NULL, *chunk = NULL, tag = 0;
	struct ch_buf z;
	size_t off = HEADER_LEN;
	ch_err err;

	ch_buf_init(&z, CH_BACKUP_PLAIN_MAX);
	key_id[0] = '\0';
	if (len < HEADER_LEN || memcmp(file, FILE_MAGIC, MAGIC_LEN) != 0) {
		ch_fault_set(f, "file", "not a Chancery backup");
		return CH_ERR_INVALID;
	}
	if (file[MAGIC_LEN] != 1) {
		ch_fault_set(f, "file",
		    "backup format version %u: this chancery reads version 1",
		    file[MAGIC_LEN]);
		return CH_ERR_UNSUPPORTED;
	}
	memcpy(key_id, file + MAGIC_LEN + 1, 8);
	key_id[8] = '\0';
	for (size_t i = 0; i < 8; i++)
		if (!((key_id[i] >= '0' && key_id[i] <= '9') ||
			(key_id[i] >= 'a' && key_id[i] <= 'f'))) {
			ch_fault_set(f, "file", "the key id is malformed");
			key_id[0] = '\0';
			return CH_ERR_INVALID;
		}
	err = backup_key(key_id, file + MAGIC_LEN + 9, &key);
	if (err == CH_ERR_NOT_FOUND) {
		ch_fault_set(f, "key",
		    "this backup was made under data key %s, which the key "
		    "file does not hold: put the post's key file (with that "
		    "key) in DIR/keys/data.key",
		    key_id);
		return err;
	}
	if (err != CH_OK) {
		ch_fault_set(f, "key", "no data key is loaded");
		return err;
	}
	if ((chunk = malloc(CHUNK)) == NULL) {
		ch_fault_set(f, "file", "out of memory");
		err = CH_ERR_NOMEM;
		goto free_all;
	}
	if (crypto_secretstream_xchacha20poly1305_init_pull(
		&st, file + AD_LEN, key) != 0)
		goto bad;
	while (tag != crypto_secretstream_xchacha20poly1305_TAG_FINAL) {
		unsigned long long mlen = 0;
		uint32_t clen;

		if (len - off < 4) {
			ch_fault_set(f, "file", "the backup is cut short");
			err = CH_ERR_INVALID;
			goto free_all;
		}
		clen = get_u32(file + off);
		off += 4;
		if (clen < ABYTES || clen > CHUNK + ABYTES ||
		    len - off < clen) {
			ch_fault_set(f, "file",
			    "chunk at byte %zu: bad length (cut short?)",
			    off - 4);
			err = CH_ERR_INVALID;
			goto free_all;
		}
		if (crypto_secretstream_xchacha20poly1305_pull(&st, chunk,
			&mlen, &tag, file + off, clen, file, AD_LEN) != 0)
			goto bad;
		off += clen;
		if ((err = ch_buf_append(&z, chunk, (size_t)mlen)) != CH_OK) {
			ch_fault_set(f, "file", "the backup is over its limit");
			goto free_all;
		}
	}
	if (off != len) {
		ch_fault_set(f, "file", "%zu bytes after the end of the backup",
		    len - off);
		err = CH_ERR_INVALID;
		goto free_all;
	}
	if ((err = inflate_all((const unsigned char *)z.data, z.len, plain)) !=
	    CH_OK) {
		ch_fault_set(f, "file",
		    err == CH_ERR_TOO_LARGE
			? "the backup is over the 1 GiB limit"
			: "the compressed stream is damaged");
		goto free_all;
	}
	goto free_all;
bad:
	ch_fault_set(f, "file",
	    "authentication failed at byte %zu: the backup was altered or "
	    "damaged, or made under another key",
	    off);
	err = CH_ERR_CRYPTO;
free_all:
	sodium_memzero(&st, sizeof(st));
	if (z.data != NULL)
		sodium_memzero(z.data, z.len);
	ch_buf_free(&z);
	free(chunk);
	sodium_free(key);
	return err;
}

/* ---- parsing the stream ---- */

struct reader {
	const unsigned char *p;
	size_t left;
	bool ok;
};

static uint32_t
rd_u32(struct reader *r)
{
	uint32_t v;

	if (!r->ok || r->left < 4) {
		r->ok = false;
		return 0;
	}
	v = get_u32(r->p);
	r->p += 4;
	r->left -= 4;
	return v;
}

static uint64_t
rd_u64(struct reader *r)
{
	uint64_t hi = rd_u32(r);

	return hi << 32 | rd_u32(r);
}

/* A str or cell: a pointer into the data (NUL-terminated there). */
static const char *
rd_str(struct reader *r, bool nullable)
{
	const char *s;
	uint32_t n = rd_u32(r);

	if (!r->ok)
		return NULL;
	if (n == NULL_CELL) {
		r->ok = nullable;
		return NULL;
	}
	if (r->left < (size_t)n + 1 || r->p[n] != '\0' ||
	    memchr(r->p, '\0', n) != NULL) {
		r->ok = false;
		return NULL;
	}
	s = (const char *)r->p;
	r->p += (size_t)n + 1;
	r->left -= (size_t)n + 1;
	return s;
}

ch_err
ch_backup_parse(const unsigned char *data, size_t len, ch_arena *a,
    struct ch_backup *b, struct ch_fault *f)
{
	struct reader r = {data, len, true};
	uint64_t rows = 0;
	uint32_t ntables;

	memset(b, 0, sizeof(*b));
	if (len < 8 || memcmp(data, "CHBK", 4) != 0) {
		ch_fault_set(f, "stream", "not a backup stream");
		return CH_ERR_INVALID;
	}
	r.p += 4;
	r.left -= 4;
	if (rd_u32(&r) != 1) {
		ch_fault_set(f, "stream", "unknown stream version");
		return CH_ERR_UNSUPPORTED;
	}
	b->engine = rd_str(&r, false);
	b->schema = (int64_t)rd_u64(&r);
	b->created = rd_str(&r, false);
	ntables = rd_u32(&r);
	/* Each table takes at least 17 bytes: bound the count first. */
	if (!r.ok || ntables > r.left / 17 || ntables > 4096)
		goto bad;
	b->tables = ch_arena_alloc(a, sizeof(*b->tables) * (ntables + 1));
	if (b->tables == NULL)
		return CH_ERR_NOMEM;
	for (uint32_t t = 0; t < ntables; t++) {
		struct ch_backup_table *bt = &b->tables[t];
		uint64_t nrows;
		uint32_t ncols;

		bt->name = rd_str(&r, false);
		ncols = rd_u32(&r);
		if (!r.ok || ncols == 0 || ncols > 128 || ncols > r.left / 5)
			goto bad;
		for (uint32_t i = 0; i < t; i++)
			if (strcmp(b->tables[i].name, bt->name) == 0)
				goto bad;
		bt->ncols = ncols;
		bt->columns = ch_arena_alloc(a, sizeof(char *) * ncols);
		if (bt->columns == NULL)
			return CH_ERR_NOMEM;
		for (uint32_t c = 0; c < ncols; c++)
			bt->columns[c] = rd_str(&r, false);
		nrows = rd_u64(&r);
		/* Each cell takes at least 4 bytes. */
		if (!r.ok || nrows > r.left / 4 / ncols)
			goto bad;
		bt->nrows = (size_t)nrows;
		bt->cells =
		    ch_arena_alloc(a, sizeof(char *) * (nrows * ncols + 1));
		if (bt->cells == NULL)
			return CH_ERR_NOMEM;
		for (size_t i = 0; i < nrows * ncols && r.ok; i++)
			bt->cells[i] = rd_str(&r, true);
		if (!r.ok)
			goto bad;
		rows += nrows;
		b->ntables++;
	}
	{
		const char *end = rd_str(&r, false);

		b->total_rows = rd_u64(&r);
		b->audit_size = rd_u64(&r);
		if (!r.ok || end == NULL || strcmp(end, "end") != 0 ||
		    r.left != 32)
			goto bad;
		memcpy(b->audit_root, r.p, 32);
	}
	if (b->total_rows != rows) {
		ch_fault_set(f, "stream",
		    "the backup says %llu rows but holds %llu",
		    (unsigned long long)b->total_rows,
		    (unsigned long long)rows);
		return CH_ERR_INVALID;
	}
	return CH_OK;
bad:
	ch_fault_set(f, "stream",
	    "the stream is malformed at byte %zu (after table %zu)",
	    len - r.left, b->ntables);
	return CH_ERR_INVALID;
}

static const struct ch_backup_table *
find_table(const struct ch_backup *b, const char *name)
{
	for (size_t i = 0; i < b->ntables; i++)
		if (strcmp(b->tables[i].name, name) == 0)
			return &b->tables[i];
	return NULL;
}

/* Recompute every audit leaf and the root; check the head's size. */
static ch_err
verify_audit(const struct ch_backup *b, struct ch_fault *f)
{
	static const char *const names[] = {"seq", "time", "actor", "post_id",
	    "action", "object_type", "object_id", "request_id", "source",
	    "state_hash", "leaf_hash"};
	const struct ch_backup_table *t = find_table(b, "audit_log");
	const struct ch_backup_table *head = find_table(b, "audit_head");
	ssize_t col[CH_ARRAY_LEN(names)];
	struct merkle *m;
	unsigned char root[32];
	ch_err err = CH_OK;

	if (t == NULL) {
		if (b->audit_size != 0)
			goto bad_size;
		return CH_OK;
	}
	for (size_t i = 0; i < CH_ARRAY_LEN(names); i++) {
		col[i] = column_index(t->columns, t->ncols, names[i]);
		if (col[i] < 0) {
			ch_fault_set(
			    f, "audit_log", "column %s is missing", names[i]);
			return CH_ERR_INVALID;
		}
	}
	if (t->nrows != b->audit_size)
		goto bad_size;
	if (head != NULL) {
		ssize_t size = column_index(head->columns, head->ncols, "size");
		char *end = NULL;
		const char *cell;

		if (size < 0 || head->nrows != 1 ||
		    (cell = head->cells[size]) == NULL ||
		    strtoull(cell, &end, 10) != t->nrows || *end != '\0') {
			ch_fault_set(f, "audit_head",
			    "the audit head does not match the %zu records "
			    "of the log",
			    t->nrows);
			return CH_ERR_INVALID;
		}
	}
	if ((m = calloc(1, sizeof(*m))) == NULL)
		return CH_ERR_NOMEM;
	for (size_t i = 0; i < t->nrows; i++) {
		const char *const *row = t->cells + i * t->ncols;
		struct ch_audit_record rec;
		char leaf[65], seq[24];
		unsigned char h[32];

		memset(&rec, 0, sizeof(rec));
		snprintf(seq, sizeof(seq), "%zu", i + 1);
		if (!ch_streq(row[col[0]], seq)) {
			ch_fault_set(f, "audit_log",
			    "record %zu: sequence number %.24s out of place",
			    i + 1, row[col[0]] ? row[col[0]] : "NULL");
			err = CH_ERR_INVALID;
			break;
		}
		rec.seq = (int64_t)(i + 1);
		ch_strlcpy(
		    rec.time, row[col[1]] ? row[col[1]] : "", sizeof(rec.time));
		rec.actor = row[col[2]];
		rec.post_id = row[col[3]];
		rec.action = row[col[4]];
		rec.object_type = row[col[5]];
		rec.object_id = row[col[6]];
		rec.request_id = row[col[7]];
		rec.source = row[col[8]];
		ch_strlcpy(rec.state_hash, row[col[9]] ? row[col[9]] : "",
		    sizeof(rec.state_hash));
		if ((err = ch_audit_leaf_hash(&rec, leaf)) != CH_OK)
			break;
		if (!ch_streq(leaf, row[col[10]]) || !hex32(leaf, h) ||
		    (row[col[1]] && strlen(row[col[1]]) >= sizeof(rec.time)) ||
		    (row[col[9]] &&
			strlen(row[col[9]]) >= sizeof(rec.state_hash))) {
			ch_fault_set(f, "audit_log",
			    "record %zu: its leaf hash does not match its "
			    "contents",
			    i + 1);
			err = CH_ERR_INVALID;
			break;
		}
		merkle_push(m, h);
	}
	if (err == CH_OK) {
		merkle_root(m, root);
		if (sodium_memcmp(root, b->audit_root, 32) != 0) {
			ch_fault_set(f, "audit_log",
			    "the audit log's root does not match the one "
			    "recorded");
			err = CH_ERR_INVALID;
		}
	}
	free(m);
	return err;
bad_size:
	ch_fault_set(f, "audit_log",
	    "the backup says %llu audit records but holds %zu",
	    (unsigned long long)b->audit_size, t != NULL ? t->nrows : 0);
	return CH_ERR_INVALID;
}

ch_err
ch_backup_verify(const struct ch_backup *b, struct ch_fault *f)
{
	return verify_audit(b, f);
}

/* Every sealed value must open with the key file at hand. */
static ch_err
verify_sealed(const struct ch_backup *b, struct ch_fault *f)
{
	const struct ch_sealed_column *sc;
	size_t nsc;
	ch_arena *a;
	ch_err err = CH_OK;

	sc = ch_store_sealed_columns(&nsc);
	if ((a = ch_arena_create(0)) == NULL)
		return CH_ERR_NOMEM;
	for (size_t s = 0; s < nsc && err == CH_OK; s++) {
		const struct ch_backup_table *t = find_table(b, sc[s].table);
		ssize_t id, col;

		if (t == NULL)
			continue;
		id = column_index(t->columns, t->ncols, sc[s].id_column);
		col = column_index(t->columns, t->ncols, sc[s].column);
		if (id < 0 || col < 0)
			continue;
		for (size_t i = 0; i < t->nrows; i++) {
			const char *const *row = t->cells + i * t->ncols;
			char *pt = NULL;
			size_t len = 0;

			if (row[col] == NULL)
				continue;
			err = ch_vault_open(sc[s].table, row[id] ? row[id] : "",
			    sc[s].column, row[col], a, &pt, &len);
			if (err != CH_OK) {
				ch_fault_set(f, sc[s].column,
				    "%s.%s of row %zu does not open with this "
				    "key file (%s)",
				    sc[s].table, sc[s].column, i + 1,
				    ch_strerror(err));
				break;
			}
			sodium_memzero(pt, len);
		}
	}
	ch_arena_destroy(a);
	return err;
}

/* Read a whole file, bounded. */
static ch_err
read_file(
    const char *path, unsigned char **out, size_t *len, struct ch_fault *f)
{
	struct stat st;
	unsigned char *p;
	size_t got = 0;
	int fd;

	*out = NULL;
	/* Non-blocking: opening a named pipe would wait for a writer. */
	if ((fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK)) < 0) {
		ch_fault_set(
		    f, "in", "cannot open %s: %s", path, strerror(errno));
		return CH_ERR_IO;
	}
	if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
		ch_fault_set(f, "in",
		    "%s is not a regular file: give the backup file", path);
		close(fd);
		return CH_ERR_INVALID;
	}
	if ((size_t)st.st_size > FILE_MAX) {
		ch_fault_set(f, "in",
		    "%s has %lld bytes, more than the %zu a backup may have",
		    path, (long long)st.st_size, (size_t)FILE_MAX);
		close(fd);
		return CH_ERR_TOO_LARGE;
	}
	if ((p = malloc((size_t)st.st_size + 1)) == NULL) {
		close(fd);
		return CH_ERR_NOMEM;
	}
	while (got < (size_t)st.st_size) {
		ssize_t n = read(fd, p + got, (size_t)st.st_size - got);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		got += (size_t)n;
	}
	close(fd);
	if (got != (size_t)st.st_size) {
		ch_fault_set(f, "in", "cannot read %s", path);
		free(p);
		return CH_ERR_IO;
	}
	*out = p;
	*len = got;
	return CH_OK;
}

/* Read, unseal, parse and verify path into b (pointing into plain, a). */
static ch_err
load_verified(const char *path, struct ch_buf *plain, ch_arena *a,
    struct ch_backup *b, struct ch_backup_summary *sum, struct ch_fault *f)
{
	unsigned char *file = NULL;
	size_t len = 0;
	ch_err err;

	memset(sum, 0, sizeof(*sum));
	if ((err = read_file(path, &file, &len, f)) != CH_OK)
		return err;
	err = ch_backup_unseal(file, len, plain, sum->key_id, f);
	free(file);
	if (err != CH_OK)
		return err;
	if ((err = ch_backup_parse((const unsigned char *)plain->data,
		 plain->len, a, b, f)) != CH_OK ||
	    (err = ch_backup_verify(b, f)) != CH_OK ||
	    (err = verify_sealed(b, f)) != CH_OK)
		return err;
	sum->tables = b->ntables;
	sum->rows = b->total_rows;
	sum->audit_size = b->audit_size;
	ch_hex(b->audit_root, 32, sum->audit_root);
	sum->stream_bytes = plain->len;
	sum->file_bytes = len;
	return CH_OK;
}

ch_err
ch_backup_check(
    const char *path, struct ch_backup_summary *sum, struct ch_fault *f)
{
	struct ch_buf plain;
	struct ch_backup b;
	ch_arena *a;
	ch_err err;

	if ((a = ch_arena_create(CH_BACKUP_PLAIN_MAX)) == NULL)
		return CH_ERR_NOMEM;
	ch_buf_init(&plain, CH_BACKUP_PLAIN_MAX);
	err = load_verified(path, &plain, a, &b, sum, f);
	if (plain.data != NULL)
		sodium_memzero(plain.data, plain.len);
	ch_buf_free(&plain);
	ch_arena_destroy(a);
	return err;
}

static bool
in_list(char **names, size_t n, const char *name)
{
	for (size_t i = 0; i < n; i++)
		if (strcmp(names[i], name) == 0)
			return true;
	return false;
}

/* Fill the target from b in tx; every table but schema_migrations. */
static ch_err
restore_into(struct ch_tx *tx, const struct ch_backup *b, bool force,
    ch_arena *a, struct ch_fault *f)
{
	struct ch_restore *r = NULL;
	char **names;
	size_t n;
	int64_t count;
	ch_err err;

	if ((err = ch_store_table_names(tx, a, &names, &n)) != CH_OK)
		return err;
	for (size_t i = 0; i < n && !force; i++) {
		if (strcmp(names[i], "schema_migrations") == 0 ||
		    strcmp(names[i], "audit_head") == 0)
			continue;
		if ((err = ch_store_table_count(tx, names[i], &count)) != CH_OK)
			return err;
		if (count > 0) {
			ch_fault_set(f, names[i],
			    "the target database is not empty (%s has %lld "
			    "rows): restore into a new database, or pass "
			    "--force to replace what it holds",
			    names[i], (long long)count);
			return CH_ERR_CONFLICT;
		}
	}
	for (size_t i = 0; i < b->ntables; i++)
		if (strcmp(b->tables[i].name, "schema_migrations") != 0 &&
		    !in_list(names, n, b->tables[i].name)) {
			ch_fault_set(f, b->tables[i].name,
			    "table %.64s is not in this database's schema",
			    b->tables[i].name);
			return CH_ERR_INVALID;
		}
	if ((err = ch_store_restore_begin(tx, &r)) != CH_OK)
		return err;
	for (size_t i = 0; i < n; i++)
		if (strcmp(names[i], "schema_migrations") != 0 &&
		    (err = ch_store_restore_clear(r, names[i])) != CH_OK)
			goto abort;
	for (size_t i = 0; i < b->ntables; i++) {
		const struct ch_backup_table *t = &b->tables[i];

		if (strcmp(t->name, "schema_migrations") == 0)
			continue;
		if ((err = ch_store_restore_table(
			 r, t->name, t->columns, t->ncols)) != CH_OK) {
			ch_fault_set(f, t->name,
			    "table %s does not match this database's schema",
			    t->name);
			goto abort;
		}
		for (size_t j = 0; j < t->nrows; j++)
			if ((err = ch_store_restore_row(
				 r, t->cells + j * t->ncols)) != CH_OK) {
				ch_fault_set(f, t->name,
				    "row %zu of %s could not be written (%s)",
				    j + 1, t->name, ch_strerror(err));
				goto abort;
			}
	}
	err = ch_store_restore_end(r);
	r = NULL;
	if (err != CH_OK) {
		ch_fault_set(f, "restore",
		    "the restored rows break a foreign key (%s)",
		    ch_strerror(err));
		return err;
	}
	for (size_t i = 0; i < b->ntables; i++) {
		const struct ch_backup_table *t = &b->tables[i];

		if (strcmp(t->name, "schema_migrations") == 0)
			continue;
		if ((err = ch_store_table_count(tx, t->name, &count)) != CH_OK)
			return err;
		if ((uint64_t)count != t->nrows) {
			ch_fault_set(f, t->name,
			    "%s holds %lld rows after the restore, the backup "
			    "%zu",
			    t->name, (long long)count, t->nrows);
			return CH_ERR_INTERNAL;
		}
	}
	return CH_OK;
abort:
	ch_store_restore_abort(r);
	return err;
}

ch_err
ch_backup_restore(struct ch_store *store, const char *path, bool force,
    struct ch_backup_summary *sum, struct ch_fault *f)
{
	struct ch_buf plain;
	struct ch_backup b;
	struct ch_tx *tx = NULL;
	ch_arena *a;
	ch_err err;

	if ((a = ch_arena_create(CH_BACKUP_PLAIN_MAX)) == NULL)
		return CH_ERR_NOMEM;
	ch_buf_init(&plain, CH_BACKUP_PLAIN_MAX);
	if ((err = load_verified(path, &plain, a, &b, sum, f)) != CH_OK)
		goto free_all;
	if (b.schema != ch_store_schema_version(store)) {
		ch_fault_set(f, "schema",
		    "the backup is at schema version %lld, this database at "
		    "%d: restore it with the chancery that made it, then "
		    "upgrade",
		    (long long)b.schema, ch_store_schema_version(store));
		err = CH_ERR_UNSUPPORTED;
		goto free_all;
	}
	if ((err = ch_store_begin(store, true, &tx)) != CH_OK)
		goto free_all;
	if ((err = restore_into(tx, &b, force, a, f)) != CH_OK) {
		ch_store_rollback(tx);
		goto free_all;
	}
	err = ch_store_commit(tx);
free_all:
	if (plain.data != NULL)
		sodium_memzero(plain.data, plain.len);
	ch_buf_free(&plain);
	ch_arena_destroy(a);
	return err;
}
