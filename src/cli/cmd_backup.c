/*
 * cmd_backup.c — `chancery backup` and `chancery restore` (core/backup.h):
 * an encrypted, compressed, consistent snapshot taken while the server
 * runs, and its verified restore.
 */
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "cli/cli.h"
#include "core/audit.h"
#include "core/backup.h"
#include "store/store.h"

static const char backup_usage[] =
    "usage: chancery backup [--dir DIR] [--db DSN] --out FILE\n"
    "\n"
    "Write an encrypted, compressed snapshot of the whole database to FILE\n"
    "(mode 0600), consistent to one moment, while the server keeps\n"
    "serving.  It is encrypted under the data key in DIR/keys/data.key:\n"
    "keep a copy of that key file apart from the backups; without it they\n"
    "cannot be read.\n";

static const char restore_usage[] =
    "usage: chancery restore --in FILE [--dir DIR] [--db DSN] [--force]\n"
    "                        [--check]\n"
    "\n"
    "Verify a backup (every authentication tag, its structure and counts,\n"
    "every audit record's leaf hash and the audit root, and that every\n"
    "sealed value opens with DIR/keys/data.key), then restore it into the\n"
    "database in one transaction and check the row counts.  The database\n"
    "must be empty (a new `chancery init`) unless --force, which replaces\n"
    "what it holds.  Stop the server first.  The audit log becomes the\n"
    "backup's: when the audit key's last checkpoint (DIR/keys/audit.last)\n"
    "covers a history the backup does not hold, it is moved aside to\n"
    "audit.last.before-restore-TIME, and a checkpoint is signed over the\n"
    "restored log.\n"
    "  --check   verify only; change nothing\n";

static void
print_summary(const char *what, const struct ch_backup_summary *s)
{
	printf("%s: %zu tables, %llu rows, %llu audit records (root %s), "
	       "key %s, %zu bytes (stream %zu)\n",
	    what, s->tables, (unsigned long long)s->rows,
	    (unsigned long long)s->audit_size, s->audit_root, s->key_id,
	    s->file_bytes, s->stream_bytes);
}

/*
 * Record a backup (a read of every record) or a restore in the audit log:
 * the object is the audit root the backup holds; the state, the summary.
 */
static void
audit_backup(struct ch_store *store, const char *action,
    const struct ch_backup_summary *s)
{
	struct ch_audit_entry e = {
	    action, "backup", s->audit_root, NULL, NULL, 0};
	struct ch_ctx ctx;
	struct ch_tx *tx = NULL;
	char state[256];
	ch_err err;
	int n;

	n = snprintf(state, sizeof(state),
	    "key=%s\ntables=%zu\nrows=%llu\naudit=%llu\n", s->key_id, s->tables,
	    (unsigned long long)s->rows, (unsigned long long)s->audit_size);
	e.state = state;
	e.state_len = (size_t)n;
	ch_cli_ctx(&ctx, store);
	if ((err = ch_store_begin(store, true, &tx)) == CH_OK) {
		if ((err = ch_audit_append(tx, &ctx, &e)) == CH_OK)
			err = ch_store_commit(tx);
		else
			ch_store_rollback(tx);
	}
	if (err != CH_OK)
		fprintf(stderr,
		    "chancery: could not record the %s in the audit log (%s)\n",
		    action, ch_strerror(err));
	ch_cli_ctx_free(&ctx);
}

int
ch_cmd_backup(int argc, char **argv)
{
	static const struct option longopts[] = {
	    {"dir", required_argument, NULL, 'd'},
	    {"db", required_argument, NULL, 'D'},
	    {"out", required_argument, NULL, 'o'},
	    {"help", no_argument, NULL, 'h'},
	    {NULL, 0, NULL, 0},
	};
	struct ch_cli_common c = {0};
	struct ch_backup_summary sum;
	struct ch_fault f = {0};
	struct ch_store *store;
	const char *out = NULL;
	ch_err err;
	int ch;

	optind = 1;
	while ((ch = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
		switch (ch) {
		case 'd':
			c.dir = optarg;
			break;
		case 'D':
			c.db = optarg;
			break;
		case 'o':
			out = optarg;
			break;
		case 'h':
			fputs(backup_usage, stdout);
			return CH_EXIT_OK;
		default:
			fputs(backup_usage, stderr);
			return CH_EXIT_USAGE;
		}
	}
	if (optind != argc || out == NULL) {
		fputs(backup_usage, stderr);
		return CH_EXIT_USAGE;
	}
	if ((store = ch_cli_open_store(&c, 1)) == NULL)
		return CH_EXIT_FAIL;
	err = ch_backup_write(store, out, &sum, &f);
	if (err == CH_OK)
		audit_backup(store, "backup.create", &sum);
	ch_cli_close_store(&c, store);
	if (err != CH_OK) {
		ch_cli_error("the backup failed", err, &f);
		return CH_EXIT_FAIL;
	}
	print_summary(out, &sum);
	return CH_EXIT_OK;
}

/*
 * The restored audit log is the backup's.  When the signing key's last
 * checkpoint (DIR/keys/audit.last) covers a history the backup does not
 * hold — it is older, or from elsewhere — the signer would refuse to sign
 * again, as it must for a rewrite: a restore is the one legitimate
 * rewrite, so that checkpoint is moved aside (kept, and said), and the
 * close that follows signs over the restored history.
 */
static void
sign_from_restored(const struct ch_cli_common *c, struct ch_store *store)
{
	const char *dir = c->dir ? c->dir : CH_DEFAULT_DIR;
	struct ch_note_signer *key = NULL;
	char last_path[4096], kept[4200];
	ch_err err;

	if (!ch_audit_key_present(dir) || ch_audit_key_load(dir, &key) != CH_OK)
		return;
	ch_audit_last_path(dir, last_path, sizeof(last_path));
	err =
	    ch_audit_last_set_aside(store, key, last_path, kept, sizeof(kept));
	ch_note_signer_free(key);
	if (err != CH_OK)
		ch_cli_error("could not set the last signed checkpoint aside",
		    err, NULL);
	else if (kept[0] != '\0')
		printf("the audit log is the backup's now; the checkpoint "
		       "this post's key signed over the history it replaced "
		       "is kept in %s\n",
		    kept);
}

int
ch_cmd_restore(int argc, char **argv)
{
	static const struct option longopts[] = {
	    {"dir", required_argument, NULL, 'd'},
	    {"db", required_argument, NULL, 'D'},
	    {"in", required_argument, NULL, 'i'},
	    {"force", no_argument, NULL, 'f'},
	    {"check", no_argument, NULL, 'c'},
	    {"help", no_argument, NULL, 'h'},
	    {NULL, 0, NULL, 0},
	};
	struct ch_cli_common c = {0};
	struct ch_backup_summary sum;
	struct ch_fault f = {0};
	struct ch_store *store;
	const char *in = NULL;
	bool force = false, check = false;
	ch_err err;
	int ch;

	optind = 1;
	while ((ch = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
		switch (ch) {
		case 'd':
			c.dir = optarg;
			break;
		case 'D':
			c.db = optarg;
			break;
		case 'i':
			in = optarg;
			break;
		case 'f':
			force = true;
			break;
		case 'c':
			check = true;
			break;
		case 'h':
			fputs(restore_usage, stdout);
			return CH_EXIT_OK;
		default:
			fputs(restore_usage, stderr);
			return CH_EXIT_USAGE;
		}
	}
	if (optind != argc || in == NULL) {
		fputs(restore_usage, stderr);
		return CH_EXIT_USAGE;
	}
	if (check) {
		if (!ch_cli_load_key(&c))
			return CH_EXIT_FAIL;
		err = ch_backup_check(in, &sum, &f);
		if (err != CH_OK) {
			ch_cli_error("the backup does not verify", err, &f);
			return CH_EXIT_FAIL;
		}
		print_summary("verified", &sum);
		return CH_EXIT_OK;
	}
	if ((store = ch_cli_open_store(&c, 1)) == NULL)
		return CH_EXIT_FAIL;
	err = ch_backup_restore(store, in, force, &sum, &f);
	if (err == CH_OK) {
		audit_backup(store, "backup.restore", &sum);
		sign_from_restored(&c, store);
	}
	ch_cli_close_store(&c, store);
	if (err != CH_OK) {
		ch_cli_error("nothing was restored", err, &f);
		return CH_EXIT_FAIL;
	}
	print_summary("restored", &sum);
	return CH_EXIT_OK;
}
