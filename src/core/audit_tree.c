/*
 * audit_tree.c — the audit log as an RFC 9162 tree: reading subtree
 * hashes from the store, signing checkpoints, the checkpoint thread, and
 * the audit-reading use cases (checkpoint, records, proofs).
 *
 * How the tree is kept cheap.  Leaf hashes live in audit_log (written by
 * the appender, in the writer's transaction).  Nothing else happens in
 * the writer's transaction: a checkpoint is made afterwards, by the
 * checkpoint thread, for everything committed so far.  It loads the
 * frontier of the last checkpoint (one perfect subtree per bit of its
 * size, O(log n) reads), appends the new leaves, and stores the perfect
 * subtrees those appends complete at levels 4, 8, 12, ... (16, 256,
 * 4096, ... leaves) in audit_nodes: about one row per 15 records.  Any
 * perfect subtree is then one row, or at most 8 rows of the cached level
 * below it folded together; so a proof or a root over a log of millions
 * of records costs O(log n) small indexed reads and no large allocation.
 * Where the cache does not reach yet (records after the last
 * checkpoint), a subtree is recomputed from the level below.
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/audit.h"

#define CACHE_STRIDE 4              /* cached every 4 levels */
#define CHUNK 1000                  /* records read at a time */
#define MAX_STEP ((int64_t)1 << 20) /* records per checkpoint */
#define POLL_MS 250                 /* checkpoint thread's tick */
#define RECORDS_MAX 1000            /* per API page */

/* Fold n (a power of two) adjacent subtree hashes into their parent. */
static void
fold(unsigned char (*h)[32], size_t n, unsigned char out[32])
{
	for (; n > 1; n /= 2)
		for (size_t i = 0; i < n / 2; i++)
			ch_merkle_node(h[2 * i], h[2 * i + 1], h[i]);
	memcpy(out, h[0], 32);
}

/* count (<= 16) consecutive hashes at a cached level (a multiple of 4). */
static ch_err
fetch(struct ch_tx *tx, unsigned level, uint64_t first, size_t count,
    unsigned char (*out)[32])
{
	char hex[16][65];
	unsigned char kids[16][32];
	ch_err err;

	err = ch_store_audit_hashes(tx, level, (int64_t)first, count, hex);
	if (err != CH_OK)
		return err;
	for (size_t i = 0; i < count; i++) {
		if (hex[i][0] != '\0') {
			if (!ch_unhex(hex[i], out[i], 32)) {
				log_error("audit hash at level %u, index %llu "
					  "is not a hash",
				    level, (unsigned long long)(first + i));
				return CH_ERR_INTERNAL;
			}
			continue;
		}
		if (level == 0)
			return CH_ERR_NOT_FOUND; /* no such record */
		err = fetch(tx, level - CACHE_STRIDE,
		    (first + i) << CACHE_STRIDE, 16, kids);
		if (err != CH_OK)
			return err;
		fold(kids, 16, out[i]);
	}
	return CH_OK;
}

static ch_err
tree_node(void *arg, unsigned level, uint64_t index, unsigned char out[32])
{
	struct ch_audit_tree *t = arg;
	unsigned base = level - level % CACHE_STRIDE, r = level - base;
	unsigned char h[8][32];
	ch_err err;

	if (level > 62)
		return CH_ERR_INVALID;
	err = fetch(t->tx, base, index << r, (size_t)1 << r, h);
	if (err == CH_OK)
		fold(h, (size_t)1 << r, out);
	return err;
}

void
ch_audit_tree_init(struct ch_audit_tree *t, struct ch_tx *tx)
{
	t->tx = tx;
	t->src.arg = t;
	t->src.node = tree_node;
}

/* ---- checkpoints ---- */

struct new_node {
	unsigned level;
	uint64_t index;
	unsigned char hash[32];
};

struct collected {
	struct new_node *v;
	size_t n, cap;
};

static ch_err
collect(void *arg, unsigned level, uint64_t index, const unsigned char h[32])
{
	struct collected *c = arg;

	if (level % CACHE_STRIDE != 0)
		return CH_OK;
	if (c->n == c->cap) {
		size_t cap = c->cap ? c->cap * 2 : 64;
		struct new_node *v = realloc(c->v, cap * sizeof(*v));

		if (v == NULL)
			return CH_ERR_NOMEM;
		c->v = v;
		c->cap = cap;
	}
	c->v[c->n].level = level;
	c->v[c->n].index = index;
	memcpy(c->v[c->n].hash, h, 32);
	c->n++;
	return CH_OK;
}

/* The size of the last checkpoint (0 before the first) and of the log. */
static ch_err
sizes(struct ch_tx *tx, int64_t *covered, int64_t *head)
{
	struct ch_audit_checkpoint_row row;
	ch_arena *arena = ch_arena_create(64 * 1024);
	ch_err err;

	if (arena == NULL)
		return CH_ERR_NOMEM;
	*covered = 0;
	err = ch_store_audit_checkpoint_latest(tx, arena, &row);
	if (err == CH_OK)
		*covered = row.size;
	else if (err != CH_ERR_NOT_FOUND)
		goto done;
	err = head != NULL ? ch_store_audit_count(tx, head) : CH_OK;
done:
	ch_arena_destroy(arena);
	return err;
}

/* Extend the frontier from its size to size with stored leaf hashes. */
static ch_err
extend(struct ch_tx *tx, struct ch_merkle_frontier *f, int64_t size,
    struct collected *nodes)
{
	unsigned char leaf[32];
	int64_t *seqs = malloc(CHUNK * sizeof(*seqs));
	char(*hashes)[65] = malloc(CHUNK * sizeof(*hashes));
	size_t n;
	ch_err err = CH_OK;

	if (seqs == NULL || hashes == NULL) {
		free(seqs);
		free(hashes);
		return CH_ERR_NOMEM;
	}
	/* Only the seq and leaf hash of each record are read. */
	while ((int64_t)f->size < size && err == CH_OK) {
		int64_t from = (int64_t)f->size + 1;
		size_t want = (size_t)(size - (int64_t)f->size);

		err = ch_store_audit_leaves(
		    tx, from, want < CHUNK ? want : CHUNK, seqs, hashes, &n);
		for (size_t i = 0; err == CH_OK && i < n; i++) {
			if (seqs[i] != (int64_t)f->size + 1 ||
			    !ch_unhex(hashes[i], leaf, 32)) {
				log_error("audit record %lld is missing or "
					  "damaged: run `chancery audit "
					  "verify`",
				    (long long)f->size + 1);
				err = CH_ERR_INTERNAL;
				break;
			}
			err =
			    ch_merkle_frontier_append(f, leaf, collect, nodes);
		}
		if (err == CH_OK && n == 0)
			err = CH_ERR_NOT_FOUND;
	}
	free(seqs);
	free(hashes);
	return err;
}

/* ---- the last signed checkpoint, kept beside the key ---- */

void
ch_audit_last_path(const char *dir, char *out, size_t size)
{
	snprintf(out, size, "%s/keys/audit.last", dir);
}

ch_err
ch_audit_last_load(const char *path, const struct ch_note_verifier *key,
    struct ch_checkpoint *out)
{
	char text[CH_NOTE_MAX + 1];
	FILE *f = fopen(path, "re");
	size_t len, text_len;

	if (f == NULL) {
		if (errno == ENOENT)
			return CH_ERR_NOT_FOUND;
		/* Unreadable is not absent: the check must not be skipped. */
		log_error("cannot read %s: %s", path, strerror(errno));
		return CH_ERR_IO;
	}
	len = fread(text, 1, sizeof(text) - 1, f);
	fclose(f);
	text[len] = '\0';
	if (ch_note_open(text, len, key, &text_len) != CH_NOTE_VERIFIED ||
	    !ch_checkpoint_parse(text, text_len, out) ||
	    strcmp(out->origin, key->name) != 0) {
		log_error(
		    "%s is not a checkpoint signed by %s", path, key->name);
		return CH_ERR_CRYPTO;
	}
	return CH_OK;
}

/* The owner of the directory that holds path. */
static bool
last_dir_owner(const char *path, struct stat *st)
{
	char dir[4200];
	char *slash;

	ch_strlcpy(dir, path, sizeof(dir));
	if ((slash = strrchr(dir, '/')) == NULL)
		ch_strlcpy(dir, ".", sizeof(dir));
	else
		*slash = '\0';
	return stat(dir[0] != '\0' ? dir : "/", st) == 0;
}

/* Replace the file at path with note, whole or not at all. */
static ch_err
last_store(const char *path, const char *note)
{
	struct stat st;
	char tmp[4200];
	size_t len = strlen(note);
	int fd;
	bool ok;

	/* A name of this process's own: the server and a CLI command may
	 * write at the same moment, and must not write into one file. */
	if ((size_t)snprintf(tmp, sizeof(tmp), "%s.new-%ld", path,
		(long)getpid()) >= sizeof(tmp))
		return CH_ERR_INVALID;
	if ((fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600)) <
	    0) {
		log_error("cannot write %s: %s", tmp, strerror(errno));
		return CH_ERR_IO;
	}
	/* Written by root (a CLI command), it stays the server's to read:
	 * owned like the directory that holds it. */
	if (geteuid() == 0 && last_dir_owner(path, &st) &&
	    (st.st_uid != 0 || st.st_gid != 0) &&
	    fchown(fd, st.st_uid, st.st_gid) != 0)
		log_warn("cannot give %s to the owner of its directory: %s",
		    tmp, strerror(errno));
	ok = write(fd, note, len) == (ssize_t)len && fsync(fd) == 0;
	ok = close(fd) == 0 && ok;
	if (!ok || rename(tmp, path) != 0) {
		log_error("cannot write %s: %s", path, strerror(errno));
		unlink(tmp);
		return CH_ERR_IO;
	}
	return CH_OK;
}

/* Whether the database still holds the history of the last checkpoint
 * the key signed (kept at path, read into *last): its checkpoints reach
 * that size, and the tree there has that root.  CH_ERR_NOT_FOUND: no
 * file, nothing to hold it to; CH_ERR_CRYPTO: it does not. */
static ch_err
holds_last(struct ch_tx *tx, const struct ch_note_signer *key, const char *path,
    int64_t covered, struct ch_checkpoint *last)
{
	struct ch_note_verifier pub;
	struct ch_merkle_frontier f;
	struct ch_audit_tree tree;
	unsigned char root[32];
	ch_err err;

	ch_note_signer_verifier(key, &pub);
	if ((err = ch_audit_last_load(path, &pub, last)) != CH_OK)
		return err;
	ch_audit_tree_init(&tree, tx);
	if ((int64_t)last->size > covered ||
	    ch_merkle_frontier_load(&f, &tree.src, last->size) != CH_OK ||
	    (ch_merkle_frontier_root(&f, root),
		memcmp(root, last->root, sizeof(root)) != 0))
		return CH_ERR_CRYPTO;
	return CH_OK;
}

static ch_err
matches_last(struct ch_tx *tx, const struct ch_note_signer *key,
    const char *path, int64_t covered)
{
	struct ch_checkpoint last;
	ch_err err = holds_last(tx, key, path, covered, &last);

	if (err == CH_ERR_NOT_FOUND)
		return CH_OK;
	if (err == CH_ERR_CRYPTO)
		log_error("the audit log does not hold the history this key "
			  "last signed (size %llu, kept in %s): its "
			  "checkpoints were removed or what they covered was "
			  "changed; nothing more is signed until `chancery "
			  "audit verify` passes",
		    (unsigned long long)last.size, path);
	return err;
}

ch_err
ch_audit_last_set_aside(struct ch_store *store,
    const struct ch_note_signer *key, const char *last_path, char *kept,
    size_t kept_size)
{
	struct ch_checkpoint last;
	struct ch_tx *tx = NULL;
	char stamp[CH_TIMESTAMP_LEN];
	int64_t covered;
	ch_err err;

	kept[0] = '\0';
	if ((err = ch_store_begin(store, false, &tx)) != CH_OK)
		return err;
	if ((err = sizes(tx, &covered, NULL)) == CH_OK)
		err = holds_last(tx, key, last_path, covered, &last);
	ch_store_rollback(tx);
	if (err == CH_OK || err == CH_ERR_NOT_FOUND)
		return CH_OK;
	if (err != CH_ERR_CRYPTO)
		return err;
	/* A file that does not verify is kept aside the same way: it is
	 * evidence either way, and the next signature replaces it. */
	ch_time_format(ch_clock_now(), stamp);
	if ((size_t)snprintf(kept, kept_size, "%s.before-restore-%s", last_path,
		stamp) >= kept_size) {
		kept[0] = '\0';
		return CH_ERR_TOO_LARGE;
	}
	if (rename(last_path, kept) != 0) {
		log_error("cannot move %s to %s: %s", last_path, kept,
		    strerror(errno));
		kept[0] = '\0';
		return CH_ERR_IO;
	}
	return CH_OK;
}

ch_err
ch_audit_checkpoint(struct ch_store *store, const struct ch_note_signer *key,
    const char *last_path, int64_t *size)
{
	struct ch_merkle_frontier f;
	struct collected nodes = {NULL, 0, 0};
	struct ch_checkpoint cp;
	struct ch_audit_checkpoint_row row;
	struct ch_audit_tree tree;
	struct ch_tx *tx = NULL;
	struct ch_buf text, note;
	int64_t covered, head, again;
	char hex[65];
	ch_err err;

	ch_buf_init(&text, CH_NOTE_MAX);
	ch_buf_init(&note, CH_NOTE_MAX);
	/* 1. Extend the tree in a read transaction: no lock held. */
	if ((err = ch_store_begin(store, false, &tx)) != CH_OK)
		goto out;
	if ((err = sizes(tx, &covered, &head)) != CH_OK)
		goto rollback;
	*size = covered;
	if (head <= covered)
		goto rollback; /* nothing new */
	if (last_path != NULL &&
	    (err = matches_last(tx, key, last_path, covered)) != CH_OK)
		goto rollback;
	if (head - covered > MAX_STEP)
		head = covered + MAX_STEP;
	ch_audit_tree_init(&tree, tx);
	if ((err = ch_merkle_frontier_load(&f, &tree.src, (uint64_t)covered)) !=
		CH_OK ||
	    (err = extend(tx, &f, head, &nodes)) != CH_OK)
		goto rollback;
	ch_store_rollback(tx);
	tx = NULL;

	memset(&cp, 0, sizeof(cp));
	ch_strlcpy(cp.origin, key->name, sizeof(cp.origin));
	cp.size = (uint64_t)head;
	ch_merkle_frontier_root(&f, cp.root);
	if ((err = ch_checkpoint_format(&cp, &text)) != CH_OK ||
	    (err = ch_note_sign(key, text.data, text.len, &note)) != CH_OK)
		goto out;

	/* 2. Store it in a short write transaction. */
	if ((err = ch_store_begin(store, true, &tx)) != CH_OK)
		goto out;
	if ((err = sizes(tx, &again, NULL)) != CH_OK)
		goto rollback;
	if (again != covered) {
		err = CH_ERR_CONFLICT; /* someone else checkpointed */
		goto rollback;
	}
	for (size_t i = 0; i < nodes.n; i++) {
		ch_hex(nodes.v[i].hash, 32, hex);
		err = ch_store_audit_node_insert(
		    tx, nodes.v[i].level, (int64_t)nodes.v[i].index, hex);
		if (err != CH_OK)
			goto rollback;
	}
	memset(&row, 0, sizeof(row));
	row.size = head;
	ch_hex(cp.root, 32, row.root_hash);
	ch_time_format(ch_clock_now(), row.created_at);
	row.note = note.data;
	if ((err = ch_store_audit_checkpoint_insert(tx, &row)) != CH_OK)
		goto rollback;
	err = ch_store_commit(tx);
	tx = NULL;
	if (err == CH_OK) {
		*size = head;
		if (last_path != NULL)
			err = last_store(last_path, note.data);
	}
	goto out;

rollback:
	ch_store_rollback(tx);
out:
	free(nodes.v);
	ch_buf_free(&text);
	ch_buf_free(&note);
	return err;
}

/* ---- the checkpoint thread ---- */

struct ch_audit_checkpointer {
	struct ch_store *store;
	const struct ch_note_signer *key;
	char last_path[4096]; /* "": none */
	int64_t every_records;
	int64_t every_ms;
	pthread_t thread;
	pthread_mutex_t lock;
	pthread_cond_t wake;
	bool stop;
};

static void
checkpoint_logged(struct ch_audit_checkpointer *c)
{
	int64_t size = 0;
	ch_err err = ch_audit_checkpoint(c->store, c->key,
	    c->last_path[0] != '\0' ? c->last_path : NULL, &size);

	if (err != CH_OK && err != CH_ERR_CONFLICT)
		log_warn(
		    "could not sign an audit checkpoint: %s", ch_strerror(err));
	else if (err == CH_OK)
		log_debug("audit checkpoint at size %lld", (long long)size);
}

static void *
checkpointer_run(void *arg)
{
	struct ch_audit_checkpointer *c = arg;
	int64_t last, covered, head;
	struct timespec until;
	struct ch_tx *tx;
	bool due;

	/* At start, sign whatever is not covered yet at the first tick. */
	last = ch_clock_mono_ms() - c->every_ms;
	pthread_mutex_lock(&c->lock);
	while (!c->stop) {
		clock_gettime(CLOCK_REALTIME, &until);
		until.tv_nsec += POLL_MS * 1000000L;
		until.tv_sec += until.tv_nsec / 1000000000L;
		until.tv_nsec %= 1000000000L;
		pthread_cond_timedwait(&c->wake, &c->lock, &until);
		if (c->stop)
			break;
		pthread_mutex_unlock(&c->lock);
		due = false;
		if (ch_store_begin(c->store, false, &tx) == CH_OK) {
			if (sizes(tx, &covered, &head) == CH_OK)
				due = head - covered >= c->every_records ||
				    (head > covered &&
					ch_clock_mono_ms() - last >=
					    c->every_ms);
			ch_store_rollback(tx);
		}
		if (due) {
			checkpoint_logged(c);
			last = ch_clock_mono_ms();
		}
		pthread_mutex_lock(&c->lock);
	}
	pthread_mutex_unlock(&c->lock);
	checkpoint_logged(c); /* cover what the last requests wrote */
	return NULL;
}

ch_err
ch_audit_checkpointer_start(struct ch_store *store,
    const struct ch_note_signer *key, const char *last_path,
    int64_t every_records, int64_t every_seconds,
    struct ch_audit_checkpointer **out)
{
	struct ch_audit_checkpointer *c;

	*out = NULL;
	if (every_records < 1 || every_seconds < 1)
		return CH_ERR_INVALID;
	c = calloc(1, sizeof(*c));
	if (c == NULL)
		return CH_ERR_NOMEM;
	c->store = store;
	c->key = key;
	if (last_path != NULL)
		ch_strlcpy(c->last_path, last_path, sizeof(c->last_path));
	c->every_records = every_records;
	c->every_ms = every_seconds * 1000;
	pthread_mutex_init(&c->lock, NULL);
	pthread_cond_init(&c->wake, NULL);
	if (pthread_create(&c->thread, NULL, checkpointer_run, c) != 0) {
		pthread_mutex_destroy(&c->lock);
		pthread_cond_destroy(&c->wake);
		free(c);
		return CH_ERR_INTERNAL;
	}
	*out = c;
	return CH_OK;
}

void
ch_audit_checkpointer_stop(struct ch_audit_checkpointer *c)
{
	if (c == NULL)
		return;
	pthread_mutex_lock(&c->lock);
	c->stop = true;
	pthread_cond_signal(&c->wake);
	pthread_mutex_unlock(&c->lock);
	pthread_join(c->thread, NULL);
	pthread_mutex_destroy(&c->lock);
	pthread_cond_destroy(&c->wake);
	free(c);
}

/* ---- the audit-reading use cases ---- */

static ch_err
may_read(struct ch_ctx *ctx)
{
	if (ctx->who != NULL && !ch_policy_allows(ctx->who, CH_PERM_AUDIT_READ))
		return CH_ERR_DENIED;
	return CH_OK;
}

ch_err
ch_audit_latest(struct ch_ctx *ctx, struct ch_audit_checkpoint_row *out)
{
	struct ch_tx *tx;
	ch_err err;

	if ((err = may_read(ctx)) != CH_OK ||
	    (err = ch_store_begin(ctx->store, false, &tx)) != CH_OK)
		return err;
	err = ch_store_audit_checkpoint_latest(tx, ctx->arena, out);
	ch_store_rollback(tx);
	if (err == CH_ERR_NOT_FOUND)
		ch_fault_set(&ctx->fault, "",
		    "No checkpoint has been signed yet: the server signs one "
		    "within a minute of the first records.");
	return err;
}

ch_err
ch_audit_records(struct ch_ctx *ctx, int64_t from, size_t limit,
    struct ch_audit_record **out, bool **redacted, size_t *count)
{
	struct ch_fault *fault = &ctx->fault;
	struct ch_tx *tx;
	ch_err err;

	*count = 0;
	if ((err = may_read(ctx)) != CH_OK)
		return err;
	if (from < 1) {
		ch_fault_set(fault, "from", "from is a record seq, 1 or more.");
		return CH_ERR_INVALID;
	}
	if (limit < 1 || limit > RECORDS_MAX) {
		ch_fault_set(fault, "limit", "limit is 1 to %d.", RECORDS_MAX);
		return CH_ERR_INVALID;
	}
	if ((err = ch_store_begin(ctx->store, false, &tx)) != CH_OK)
		return err;
	err = ch_store_audit_range(tx, from, limit, ctx->arena, out, count);
	ch_store_rollback(tx);
	if (err != CH_OK)
		return err;
	*redacted = ch_arena_alloc(ctx->arena, sizeof(bool) * (*count + 1));
	if (*redacted == NULL)
		return CH_ERR_NOMEM;
	for (size_t i = 0; i < *count; i++) {
		struct ch_audit_record *r = &(*out)[i];

		/* A record of no post (HQ's sign-ins with their addresses,
		 * global lists) is for readers of every post, and for the
		 * one who acted. */
		if (r->post_id == NULL
			? ctx->who == NULL || ch_policy_all_posts(ctx->who) ||
			    (r->actor != NULL &&
				strcmp(r->actor, ch_ctx_actor(ctx)) == 0)
			: ch_ctx_sees_post(ctx, r->post_id))
			continue;
		/* Another post's record: its leaf stays, for proofs. */
		(*redacted)[i] = true;
		r->time[0] = '\0';
		r->actor = r->post_id = r->action = r->object_type = NULL;
		r->object_id = r->request_id = r->source = NULL;
		r->state_hash[0] = '\0';
	}
	return CH_OK;
}

/* Resolve size 0 to the latest checkpoint and check it against the log. */
static ch_err
tree_size(
    struct ch_tx *tx, struct ch_ctx *ctx, const char *field, int64_t *size)
{
	struct ch_fault *fault = &ctx->fault;
	int64_t covered, head;
	ch_err err;

	if ((err = sizes(tx, &covered, &head)) != CH_OK)
		return err;
	if (*size == 0)
		*size = covered;
	if (*size == 0) {
		ch_fault_set(fault, field,
		    "No checkpoint has been signed yet; give the tree size.");
		return CH_ERR_INVALID;
	}
	if (*size < 0 || *size > head) {
		ch_fault_set(fault, field,
		    "The tree size must be 1 to %lld (the records in the log).",
		    (long long)head);
		return CH_ERR_INVALID;
	}
	return CH_OK;
}

ch_err
ch_audit_inclusion(
    struct ch_ctx *ctx, int64_t index, int64_t size, struct ch_audit_proof *out)
{
	struct ch_audit_tree tree;
	struct ch_tx *tx;
	ch_err err;

	memset(out, 0, sizeof(*out));
	if ((err = may_read(ctx)) != CH_OK ||
	    (err = ch_store_begin(ctx->store, false, &tx)) != CH_OK)
		return err;
	if ((err = tree_size(tx, ctx, "size", &size)) != CH_OK)
		goto done;
	if (index < 0 || index >= size) {
		ch_fault_set(&ctx->fault, "index",
		    "index is a leaf index, 0 to %lld (record seq - 1).",
		    (long long)size - 1);
		err = CH_ERR_INVALID;
		goto done;
	}
	ch_audit_tree_init(&tree, tx);
	out->first = index;
	out->size = size;
	if ((err = tree.src.node(
		 tree.src.arg, 0, (uint64_t)index, out->leaf)) != CH_OK ||
	    (err = ch_merkle_root(&tree.src, (uint64_t)size, out->root)) !=
		CH_OK ||
	    (err = ch_merkle_inclusion(&tree.src, (uint64_t)index,
		 (uint64_t)size, out->hashes, &out->len)) != CH_OK)
		goto done;
	/* Never hand out a proof that does not verify. */
	if (!ch_merkle_verify_inclusion((uint64_t)index, (uint64_t)size,
		out->leaf, out->hashes[0], out->len, out->root)) {
		log_error("the inclusion proof of %lld in %lld does not "
			  "verify: run `chancery audit verify`",
		    (long long)index, (long long)size);
		err = CH_ERR_INTERNAL;
	}
done:
	ch_store_rollback(tx);
	return err;
}

ch_err
ch_audit_consistency(
    struct ch_ctx *ctx, int64_t from, int64_t to, struct ch_audit_proof *out)
{
	struct ch_audit_tree tree;
	struct ch_tx *tx;
	ch_err err;

	memset(out, 0, sizeof(*out));
	if ((err = may_read(ctx)) != CH_OK ||
	    (err = ch_store_begin(ctx->store, false, &tx)) != CH_OK)
		return err;
	if ((err = tree_size(tx, ctx, "to", &to)) != CH_OK)
		goto done;
	if (from < 1 || from > to) {
		ch_fault_set(&ctx->fault, "from",
		    "from is a tree size, 1 to %lld.", (long long)to);
		err = CH_ERR_INVALID;
		goto done;
	}
	ch_audit_tree_init(&tree, tx);
	out->first = from;
	out->size = to;
	if ((err = ch_merkle_root(&tree.src, (uint64_t)from, out->root1)) !=
		CH_OK ||
	    (err = ch_merkle_root(&tree.src, (uint64_t)to, out->root)) !=
		CH_OK ||
	    (err = ch_merkle_consistency(&tree.src, (uint64_t)from,
		 (uint64_t)to, out->hashes, &out->len)) != CH_OK)
		goto done;
	if (!ch_merkle_verify_consistency((uint64_t)from, (uint64_t)to,
		out->root1, out->root, out->hashes[0], out->len)) {
		log_error("the consistency proof from %lld to %lld does not "
			  "verify: run `chancery audit verify`",
		    (long long)from, (long long)to);
		err = CH_ERR_INTERNAL;
	}
done:
	ch_store_rollback(tx);
	return err;
}
