/*
 * cli.c — what the commands share: finding the database, the context of a
 * command (the "system" actor, recorded as such in the audit log), reading
 * passwords without echo, and errors that say what to do.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <termios.h>
#include <unistd.h>

#include "cli/cli.h"
#include "core/audit.h"
#include "core/vault.h"
#include "people/people.h"
#include "store/store.h"

void
ch_cli_resolve_dsn(struct ch_cli_common *c)
{
	const char *env = getenv("CHANCERY_DB");

	if (c->db != NULL)
		ch_strlcpy(c->dsn, c->db, sizeof(c->dsn));
	else if (env != NULL && *env != '\0')
		ch_strlcpy(c->dsn, env, sizeof(c->dsn));
	else
		snprintf(c->dsn, sizeof(c->dsn), "sqlite:%s/chancery.db",
		    c->dir ? c->dir : CH_DEFAULT_DIR);
}

void
ch_cli_key_path(const struct ch_cli_common *c, char *out, size_t size)
{
	snprintf(
	    out, size, "%s/keys/data.key", c->dir ? c->dir : CH_DEFAULT_DIR);
}

bool
ch_cli_load_key(const struct ch_cli_common *c)
{
	static bool registered;
	char path[4200];
	ch_err err;

	ch_cli_key_path(c, path, sizeof(path));
	if ((err = ch_vault_load(path)) != CH_OK) {
		if (err == CH_ERR_NOT_FOUND)
			fprintf(stderr,
			    "chancery: no data key at %s. `chancery init "
			    "--dir DIR` makes one; for an existing post, put "
			    "its key file there.\n",
			    path);
		else
			fprintf(stderr,
			    "chancery: cannot load the data key %s (%s); see "
			    "the log above.\n",
			    path, ch_strerror(err));
		return false;
	}
	if (!registered) {
		atexit(ch_vault_unload);
		registered = true;
	}
	return true;
}

/* Seal contacts that older versions stored as plaintext (once). */
static bool
seal_plaintext(struct ch_store *store)
{
	struct ch_reseal_stats st;
	int64_t n = 0;
	ch_err err;

	if (ch_store_sealed_count(store, NULL, &n) != CH_OK)
		return false;
	if (n == 0)
		return true;
	log_info("sealing %lld plaintext values left by an older version",
	    (long long)n);
	err = ch_store_reseal(store, true, 0, &st);
	if (err != CH_OK) {
		fprintf(stderr,
		    "chancery: could not seal the plaintext contacts (%s)\n",
		    ch_strerror(err));
		return false;
	}
	log_info("sealed %lld plaintext values", (long long)st.resealed);
	return true;
}

struct ch_store *
ch_cli_open_store(struct ch_cli_common *c, int conns)
{
	struct ch_store *store = NULL;
	ch_err err;

	if (!ch_cli_load_key(c))
		return NULL;
	ch_cli_resolve_dsn(c);
	err = ch_store_open(c->dsn, conns, &store);
	if (err != CH_OK) {
		if (err == CH_ERR_SCHEMA_NEWER)
			fprintf(stderr,
			    "chancery: this database was written by "
			    "a newer chancery; upgrade this program "
			    "before using it.\n");
		else
			fprintf(stderr,
			    "chancery: cannot open the database (%s). Check "
			    "--dir or --db, or run `chancery init` first.\n",
			    ch_strerror(err));
		return NULL;
	}
	if (!seal_plaintext(store)) {
		ch_store_close(store);
		return NULL;
	}
	return store;
}

void
ch_cli_close_store(const struct ch_cli_common *c, struct ch_store *store)
{
	const char *dir = c->dir ? c->dir : CH_DEFAULT_DIR;
	struct ch_note_signer *key = NULL;
	char last_path[4096];
	int64_t size = 0;
	ch_err err;

	if (store == NULL)
		return;
	if (ch_audit_key_present(dir)) {
		if ((err = ch_audit_key_load(dir, &key)) == CH_OK) {
			ch_audit_last_path(dir, last_path, sizeof(last_path));
			err = ch_audit_checkpoint(store, key, last_path, &size);
			ch_note_signer_free(key);
		}
		/* CH_ERR_CONFLICT: the server signed at the same moment. */
		if (err != CH_OK && err != CH_ERR_CONFLICT)
			fprintf(stderr,
			    "chancery: warning: this command's audit records "
			    "are not covered by a signed checkpoint yet (%s; "
			    "see the log above); the server signs them at its "
			    "next checkpoint, or run `chancery audit verify`\n",
			    ch_strerror(err));
	}
	ch_store_close(store);
}

void
ch_cli_ctx(struct ch_ctx *ctx, struct ch_store *store)
{
	memset(ctx, 0, sizeof(*ctx));
	ctx->store = store;
	ctx->who = NULL;
	ctx->arena = ch_arena_create(0);
	ctx->request_id = "cli";
	ctx->source = "cli";
}

void
ch_cli_ctx_free(struct ch_ctx *ctx)
{
	ch_arena_destroy(ctx->arena);
	ctx->arena = NULL;
}

void
ch_cli_error(const char *what, ch_err err, const struct ch_fault *f)
{
	if (f != NULL && f->detail[0] != '\0')
		fprintf(stderr, "chancery: %s: %s%s%s\n", what,
		    f->field[0] ? f->field : "", f->field[0] ? ": " : "",
		    f->detail);
	else
		fprintf(stderr, "chancery: %s: %s\n", what, ch_strerror(err));
}

bool
ch_cli_find_post(struct ch_ctx *ctx, const char *name_or_id, char id[CH_ID_LEN])
{
	struct ch_post *posts;
	size_t n;

	if (ch_posts_list(ctx, &posts, &n) != CH_OK)
		return false;
	for (size_t i = 0; i < n; i++) {
		if (strcmp(posts[i].id, name_or_id) == 0 ||
		    strcmp(posts[i].name, name_or_id) == 0) {
			ch_strlcpy(id, posts[i].id, CH_ID_LEN);
			return true;
		}
	}
	return false;
}

char *
ch_cli_read_password(bool from_stdin, const char *prompt)
{
	struct termios old, quiet;
	char buf[1100];
	bool tty = !from_stdin && isatty(STDIN_FILENO);
	size_t n;

	if (!from_stdin && !tty) {
		fprintf(stderr,
		    "chancery: no terminal to ask for a password; "
		    "pass --password-stdin and pipe it in.\n");
		return NULL;
	}
	if (tty) {
		fprintf(stderr, "%s", prompt);
		tcgetattr(STDIN_FILENO, &old);
		quiet = old;
		quiet.c_lflag &= ~(tcflag_t)ECHO;
		tcsetattr(STDIN_FILENO, TCSAFLUSH, &quiet);
	}
	if (fgets(buf, sizeof(buf), stdin) == NULL)
		buf[0] = '\0';
	if (tty) {
		tcsetattr(STDIN_FILENO, TCSAFLUSH, &old);
		fprintf(stderr, "\n");
	}
	n = strcspn(buf, "\r\n");
	buf[n] = '\0';
	return strdup(buf);
}

bool
ch_cli_make_dir(const char *dir)
{
	if (mkdir(dir, 0700) == 0 || errno == EEXIST)
		return true;
	fprintf(
	    stderr, "chancery: cannot create %s: %s\n", dir, strerror(errno));
	return false;
}
