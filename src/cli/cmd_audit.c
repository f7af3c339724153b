/*
 * cmd_audit.c — `chancery audit verify` and `chancery audit checkpoint`.
 *
 * verify checks the whole log offline, with the post's public key only
 * (DIR/keys/audit.pub, or --key FILE from a copy kept elsewhere: HQ's, an
 * auditor's); it exits 0 only when every record, every checkpoint and the
 * sequence verify, and names the first problem otherwise.  checkpoint
 * prints the latest signed checkpoint, or with --sign signs one now with
 * DIR/keys/audit.key (for a post whose server is not running).
 */
#include <getopt.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "cli/cli.h"
#include "core/audit.h"
#include "store/store.h"

static const char usage[] =
    "usage: chancery audit verify [--dir DIR | --db DSN] [--key FILE.pub]\n"
    "                             [--checkpoint FILE]\n"
    "       chancery audit checkpoint [--dir DIR | --db DSN] [--sign]\n"
    "\n"
    "verify      check the whole audit log offline: every record's leaf\n"
    "            hash, the sequence, every checkpoint's signature by the\n"
    "            post's key, its root against the records and its\n"
    "            consistency with the one before.  Exit 0 only when all\n"
    "            of it verifies; otherwise the first problem is named.\n"
    "checkpoint  print the latest signed checkpoint (a C2SP signed note);\n"
    "            --sign first signs one for the records not yet covered\n"
    "            (DIR/keys/audit.key).\n"
    "  --dir DIR   the post's directory (default " CH_DEFAULT_DIR ")\n"
    "  --db DSN    sqlite:PATH or postgresql://USER@HOST:PORT/DB\n"
    "  --key FILE  the verifier key (default DIR/keys/audit.pub)\n"
    "  --checkpoint FILE\n"
    "              a signed checkpoint kept outside the database (HQ's,\n"
    "              an auditor's; default DIR/keys/audit.last, where the\n"
    "              signer keeps its last one, when it exists): the log\n"
    "              must hold its history, and the database's checkpoints\n"
    "              reach it.  Without one, whoever can write the database\n"
    "              could remove its checkpoints and rewrite what they\n"
    "              covered.\n";

static int
verify(struct ch_cli_common *c, const char *key_file, const char *cp_file)
{
	struct ch_checkpoint trusted;
	char cp_path[4096];
	bool have_trusted = false;
	struct ch_note_verifier key;
	struct ch_audit_verify_report rep;
	struct ch_store *store;
	struct ch_tx *tx = NULL;
	char path[4096];
	int64_t last = 0;
	int64_t t0 = ch_clock_mono_ms();
	ch_err err;

	if (key_file == NULL) {
		snprintf(path, sizeof(path), "%s/keys/audit.pub",
		    c->dir ? c->dir : CH_DEFAULT_DIR);
		key_file = path;
	}
	if (ch_audit_pub_load(key_file, &key) != CH_OK) {
		fprintf(stderr,
		    "chancery: cannot read the post's public key %s; give it "
		    "with --key FILE.pub\n",
		    key_file);
		return CH_EXIT_FAIL;
	}
	if (cp_file != NULL) {
		if (ch_audit_last_load(cp_file, &key, &trusted) != CH_OK) {
			fprintf(stderr,
			    "chancery: %s is not a checkpoint signed by %s\n",
			    cp_file, key.name);
			return CH_EXIT_FAIL;
		}
		have_trusted = true;
	} else {
		/* The signer's own, when it is there and signed by this
		 * key (another key is checked against the database only). */
		ch_audit_last_path(
		    c->dir ? c->dir : CH_DEFAULT_DIR, cp_path, sizeof(cp_path));
		if (access(cp_path, F_OK) == 0) {
			if (ch_audit_last_load(cp_path, &key, &trusted) ==
			    CH_OK) {
				cp_file = cp_path;
				have_trusted = true;
			} else {
				fprintf(stderr,
				    "chancery: warning: %s is not a checkpoint "
				    "signed by %s: the log is checked against "
				    "the database alone (and the server will "
				    "not sign while it does not match)\n",
				    cp_path, key.name);
			}
		}
	}
	if ((store = ch_cli_open_store(c, 1)) == NULL)
		return CH_EXIT_FAIL;
	if ((err = ch_store_begin(store, false, &tx)) != CH_OK ||
	    (err = ch_audit_verify(
		 tx, &key, have_trusted ? &trusted : NULL, &rep)) != CH_OK ||
	    (err = ch_store_audit_last_seq(tx, &last)) != CH_OK) {
		ch_store_rollback(tx);
		ch_store_close(store);
		ch_cli_error("could not read the audit log", err, NULL);
		return CH_EXIT_FAIL;
	}
	ch_store_rollback(tx);
	ch_store_close(store);
	if (!rep.ok) {
		fprintf(stderr,
		    "chancery: the audit log does NOT verify: %s\n"
		    "(%lld records and %lld checkpoints checked before "
		    "it)\n",
		    rep.problem, (long long)rep.records,
		    (long long)rep.checkpoints);
		return CH_EXIT_FAIL;
	}
	printf("the audit log verifies: %lld records, %lld checkpoints "
	       "signed by %s, the last at size %lld (%lld ms)\n",
	    (long long)rep.records, (long long)rep.checkpoints, key.name,
	    (long long)rep.covered, (long long)(ch_clock_mono_ms() - t0));
	if (have_trusted)
		printf("and it holds the history of the checkpoint kept in %s "
		       "(size %llu)\n",
		    cp_file, (unsigned long long)trusted.size);
	else
		printf("no checkpoint kept outside the database was given "
		       "(--checkpoint): a rewrite that also removed the "
		       "checkpoints would not show\n");
	if (last > rep.covered)
		printf("records %lld-%lld are not covered by a checkpoint yet "
		       "(the server signs one within a minute)\n",
		    (long long)rep.covered + 1, (long long)last);
	return CH_EXIT_OK;
}

static int
checkpoint(struct ch_cli_common *c, bool sign)
{
	struct ch_audit_checkpoint_row row;
	struct ch_note_signer *key = NULL;
	char last_path[4096];
	struct ch_store *store;
	struct ch_ctx ctx;
	int64_t size = 0;
	ch_err err;

	if (sign &&
	    ch_audit_key_load(c->dir ? c->dir : CH_DEFAULT_DIR, &key) !=
		CH_OK) {
		fprintf(stderr,
		    "chancery: cannot load the audit signing key; "
		    "see the log above\n");
		return CH_EXIT_FAIL;
	}
	if ((store = ch_cli_open_store(c, 1)) == NULL) {
		ch_note_signer_free(key);
		return CH_EXIT_FAIL;
	}
	ch_audit_last_path(
	    c->dir ? c->dir : CH_DEFAULT_DIR, last_path, sizeof(last_path));
	if (sign &&
	    (err = ch_audit_checkpoint(store, key, last_path, &size)) !=
		CH_OK) {
		ch_cli_error("could not sign a checkpoint", err, NULL);
		ch_note_signer_free(key);
		ch_store_close(store);
		return CH_EXIT_FAIL;
	}
	ch_note_signer_free(key);
	ch_cli_ctx(&ctx, store);
	err = ch_audit_latest(&ctx, &row);
	if (err == CH_OK)
		fputs(row.note, stdout);
	else
		ch_cli_error("no checkpoint", err, &ctx.fault);
	ch_cli_ctx_free(&ctx);
	ch_store_close(store);
	return err == CH_OK ? CH_EXIT_OK : CH_EXIT_FAIL;
}

int
ch_cmd_audit(int argc, char **argv)
{
	static const struct option longopts[] = {
	    {"dir", required_argument, NULL, 'd'},
	    {"db", required_argument, NULL, 'D'},
	    {"key", required_argument, NULL, 'k'},
	    {"sign", no_argument, NULL, 's'},
	    {"checkpoint", required_argument, NULL, 'c'},
	    {"help", no_argument, NULL, 'h'},
	    {NULL, 0, NULL, 0},
	};
	struct ch_cli_common c = {0};
	const char *key_file = NULL, *cp_file = NULL;
	bool sign = false;
	int ch;

	if (argc < 2 || strcmp(argv[1], "--help") == 0 ||
	    strcmp(argv[1], "-h") == 0) {
		fputs(usage, argc < 2 ? stderr : stdout);
		return argc < 2 ? CH_EXIT_USAGE : CH_EXIT_OK;
	}
	optind = 2;
	while ((ch = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
		switch (ch) {
		case 'd':
			c.dir = optarg;
			break;
		case 'D':
			c.db = optarg;
			break;
		case 'k':
			key_file = optarg;
			break;
		case 's':
			sign = true;
			break;
		case 'c':
			cp_file = optarg;
			break;
		case 'h':
			fputs(usage, stdout);
			return CH_EXIT_OK;
		default:
			fputs(usage, stderr);
			return CH_EXIT_USAGE;
		}
	}
	if (optind != argc)
		goto bad;
	if (strcmp(argv[1], "verify") == 0 && !sign)
		return verify(&c, key_file, cp_file);
	if (strcmp(argv[1], "checkpoint") == 0 && key_file == NULL &&
	    cp_file == NULL)
		return checkpoint(&c, sign);
bad:
	fputs(usage, stderr);
	return CH_EXIT_USAGE;
}
