/*
 * cmd_key.c — `chancery key list | rotate | reseal | retire ID`: the data
 * keys of DIR/keys/data.key (core/vault.h).
 *
 * rotate adds a new key and makes it current, waits for running servers
 * to notice (they look at the key file at most a second apart), then
 * re-seals every value under the new key, a batch per transaction, while
 * they keep serving.  reseal does the second half alone: run it again after
 * an interrupted rotation.  retire removes a key no value is sealed under.
 * Each change of the key file is recorded in the audit log.
 */
#include <getopt.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "cli/cli.h"
#include "core/audit.h"
#include "core/vault.h"
#include "store/store.h"

static const char key_usage[] =
    "usage: chancery key list   [--dir DIR] [--db DSN]\n"
    "       chancery key rotate [--dir DIR] [--db DSN] [--batch N] "
    "[--wait S]\n"
    "       chancery key reseal [--dir DIR] [--db DSN] [--batch N]\n"
    "       chancery key retire ID [--dir DIR] [--db DSN]\n"
    "\n"
    "The data keys in DIR/keys/data.key, which seal contacts and other\n"
    "sensitive fields.\n"
    "  list     the keys, the current one first, and how many values\n"
    "           each seals\n"
    "  rotate   add a new key, make it current, and re-seal every value\n"
    "           under it while the server keeps serving (it waits S\n"
    "           seconds, default 2, for running servers to load the key)\n"
    "  reseal   re-seal under the current key whatever is not (after an\n"
    "           interrupted rotate; safe to run any time)\n"
    "  retire   remove key ID; refused while any value is sealed under\n"
    "           it, and for the current key\n"
    "  --batch N  rows per transaction (default 200)\n";

/* Record a change of the key file in the audit log. */
static ch_err
audit_key(struct ch_store *store, const char *action, const char *id)
{
	struct ch_audit_entry e = {action, "data_key", id, NULL, id, 8};
	struct ch_ctx ctx;
	struct ch_tx *tx = NULL;
	ch_err err;

	ch_cli_ctx(&ctx, store);
	if ((err = ch_store_begin(store, true, &tx)) == CH_OK) {
		if ((err = ch_audit_append(tx, &ctx, &e)) == CH_OK)
			err = ch_store_commit(tx);
		else
			ch_store_rollback(tx);
	}
	ch_cli_ctx_free(&ctx);
	return err;
}

/* Values under keys other than the current one. */
static ch_err
count_old(struct ch_store *store, int64_t *old)
{
	char ids[CH_VAULT_MAX_KEYS][CH_VAULT_ID_LEN];
	size_t n = ch_vault_key_ids(ids, CH_VAULT_MAX_KEYS);
	ch_err err;

	*old = 0;
	for (size_t i = 1; i < n; i++) {
		int64_t c = 0;

		if ((err = ch_store_sealed_count(store, ids[i], &c)) != CH_OK)
			return err;
		*old += c;
	}
	return CH_OK;
}

static int
reseal(struct ch_store *store, long batch)
{
	struct ch_reseal_stats st, total = {0};
	int64_t old = 0;
	ch_err err;

	/* A server that had not yet loaded a new key may write under the old
	 * one meanwhile: go round again until nothing is left. */
	for (int pass = 0; pass < 5; pass++) {
		err = ch_store_reseal(store, false, (size_t)batch, &st);
		total.resealed += st.resealed;
		total.skipped += st.skipped;
		total.failed += st.failed;
		total.batches += st.batches;
		if (err != CH_OK && err != CH_ERR_CRYPTO) {
			fprintf(stderr,
			    "chancery: re-sealing stopped (%s); "
			    "run `chancery key reseal` again\n",
			    ch_strerror(err));
			return CH_EXIT_FAIL;
		}
		if (count_old(store, &old) != CH_OK)
			return CH_EXIT_FAIL;
		if (old == 0 || total.failed > 0)
			break;
		sleep(1);
	}
	printf("re-sealed %lld values in %lld batches (%lld changed "
	       "meanwhile, %lld did not open)\n",
	    (long long)total.resealed, (long long)total.batches,
	    (long long)total.skipped, (long long)total.failed);
	if (total.failed > 0) {
		fprintf(stderr,
		    "chancery: %lld values did not open (see the log): they "
		    "were altered or moved; restore them from a backup\n",
		    (long long)total.failed);
		return CH_EXIT_FAIL;
	}
	if (old > 0) {
		fprintf(stderr,
		    "chancery: %lld values are still under old keys (a server "
		    "still writing with them?); run `chancery key reseal`\n",
		    (long long)old);
		return CH_EXIT_FAIL;
	}
	return CH_EXIT_OK;
}

static int
list_keys(struct ch_store *store)
{
	char ids[CH_VAULT_MAX_KEYS][CH_VAULT_ID_LEN];
	size_t n = ch_vault_key_ids(ids, CH_VAULT_MAX_KEYS);
	int64_t plain = 0;

	for (size_t i = 0; i < n; i++) {
		int64_t c = 0;

		if (ch_store_sealed_count(store, ids[i], &c) != CH_OK)
			return CH_EXIT_FAIL;
		printf("%s  %-8s %lld values\n", ids[i],
		    i == 0 ? "current" : "", (long long)c);
	}
	if (ch_store_sealed_count(store, NULL, &plain) == CH_OK && plain > 0)
		printf("(%lld values not sealed)\n", (long long)plain);
	return CH_EXIT_OK;
}

static int
retire(struct ch_store *store, const char *path, const char *id)
{
	char current[CH_VAULT_ID_LEN];
	int64_t c = 0;
	ch_err err;

	if (id == NULL)
		return CH_EXIT_USAGE;
	ch_vault_current_id(current);
	if (strcmp(id, current) == 0) {
		fprintf(stderr,
		    "chancery: %s is the current key: rotate first\n", id);
		return CH_EXIT_FAIL;
	}
	if (ch_store_sealed_count(store, id, &c) != CH_OK)
		return CH_EXIT_FAIL;
	if (c > 0) {
		fprintf(stderr,
		    "chancery: %lld values are still sealed under %s: run "
		    "`chancery key reseal` first\n",
		    (long long)c, id);
		return CH_EXIT_FAIL;
	}
	err = ch_vault_retire_file(path, id);
	if (err == CH_ERR_NOT_FOUND) {
		fprintf(stderr, "chancery: the key file holds no key %s\n", id);
		return CH_EXIT_FAIL;
	}
	if (err != CH_OK || audit_key(store, "key.retire", id) != CH_OK)
		return CH_EXIT_FAIL;
	printf("retired key %s. Backups made under it need a copy of the key "
	       "file from before this change.\n",
	    id);
	return CH_EXIT_OK;
}

int
ch_cmd_key(int argc, char **argv)
{
	static const struct option longopts[] = {
	    {"dir", required_argument, NULL, 'd'},
	    {"db", required_argument, NULL, 'D'},
	    {"batch", required_argument, NULL, 'b'},
	    {"wait", required_argument, NULL, 'w'},
	    {"help", no_argument, NULL, 'h'},
	    {NULL, 0, NULL, 0},
	};
	struct ch_cli_common c = {0};
	struct ch_store *store;
	char path[4200], new_id[CH_VAULT_ID_LEN];
	const char *verb, *id = NULL;
	long batch = 200, wait = 2;
	int ch, rc = CH_EXIT_FAIL;

	if (argc < 2 || strcmp(argv[1], "--help") == 0) {
		fputs(key_usage, argc < 2 ? stderr : stdout);
		return argc < 2 ? CH_EXIT_USAGE : CH_EXIT_OK;
	}
	verb = argv[1];
	argc--;
	argv++;
	optind = 1;
	while ((ch = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
		switch (ch) {
		case 'd':
			c.dir = optarg;
			break;
		case 'D':
			c.db = optarg;
			break;
		case 'b':
			if (!ch_parse_long(optarg, 1, 100000, &batch))
				goto usage;
			break;
		case 'w':
			if (!ch_parse_long(optarg, 0, 3600, &wait))
				goto usage;
			break;
		case 'h':
			fputs(key_usage, stdout);
			return CH_EXIT_OK;
		default:
			goto usage;
		}
	}
	if (strcmp(verb, "retire") == 0) {
		if (optind + 1 != argc)
			goto usage;
		id = argv[optind];
	} else if (optind != argc ||
	    (strcmp(verb, "list") != 0 && strcmp(verb, "rotate") != 0 &&
		strcmp(verb, "reseal") != 0)) {
		goto usage;
	}
	if ((store = ch_cli_open_store(&c, 2)) == NULL)
		return CH_EXIT_FAIL;
	ch_cli_key_path(&c, path, sizeof(path));
	if (strcmp(verb, "list") == 0) {
		rc = list_keys(store);
	} else if (strcmp(verb, "retire") == 0) {
		rc = retire(store, path, id);
	} else if (strcmp(verb, "reseal") == 0) {
		rc = reseal(store, batch);
	} else if (ch_vault_rotate_file(path, new_id) == CH_OK &&
	    audit_key(store, "key.rotate", new_id) == CH_OK) {
		printf("new data key %s is current; waiting %lds for running "
		       "servers to load it\n",
		    new_id, wait);
		fflush(stdout);
		sleep((unsigned)wait);
		rc = reseal(store, batch);
		if (rc == CH_EXIT_OK)
			printf("done: old keys now seal nothing; retire them "
			       "with `chancery key retire ID` once no backup "
			       "you keep needs them\n");
	} else {
		fprintf(stderr, "chancery: could not rotate the key file %s\n",
		    path);
	}
	ch_cli_close_store(&c, store);
	return rc;
usage:
	fputs(key_usage, stderr);
	return CH_EXIT_USAGE;
}
