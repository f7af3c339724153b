/*
 * cmd_device.c — `chancery device add | list | revoke` (tokens for gate
 * readers, alarm panels and kiosks) and `chancery second-factor POST RULE`
 * (a post's second-factor rule).  A new device's token is printed once, on
 * standard output alone, so that it can be piped into the device's
 * configuration; only its hash is kept.
 */
#include <getopt.h>
#include <sodium.h>
#include <stdio.h>
#include <string.h>

#include "accounts/accounts.h"
#include "cli/cli.h"
#include "store/store.h"

static const char device_usage[] =
    "usage: chancery device add NAME --post POST [--perm PERM[,PERM]]\n"
    "       chancery device list\n"
    "       chancery device revoke ID\n"
    "Common options: --dir DIR, --db DSN.\n"
    "A device always holds the device routes; PERM adds posts.read or\n"
    "people.read.  The token (chd_...) is printed once: give it to the\n"
    "device (Authorization: Bearer chd_...).\n";

static const char second_factor_usage[] =
    "usage: chancery second-factor POST privileged|all|optional\n"
    "       [--dir DIR] [--db DSN]\n"
    "\n"
    "Set who at a post must use a second factor (TOTP): privileged (the\n"
    "default: security officers, administrators, HQ and EAC members), all,\n"
    "or optional (nobody is forced; for drills and demos).\n";

static int
device_run(struct ch_ctx *ctx, const char *verb, char **args, int nargs,
    const char *post, const char *perms)
{
	char post_id[CH_ID_LEN], token[CH_DEVICE_TOKEN_LEN];
	struct ch_device_input in = {0};
	struct ch_device d, *list;
	size_t n;
	ch_err err;

	if (strcmp(verb, "add") == 0 && nargs == 1) {
		if (post == NULL || !ch_cli_find_post(ctx, post, post_id)) {
			fprintf(stderr,
			    "chancery: device add needs --post, a "
			    "post's name or id (`chancery post "
			    "list`)\n");
			return CH_EXIT_USAGE;
		}
		in.name = args[0];
		in.post_id = post_id;
		in.permissions = perms;
		if ((err = ch_devices_create(ctx, &in, &d, token)) != CH_OK) {
			ch_cli_error("device add", err, &ctx->fault);
			return CH_EXIT_FAIL;
		}
		fprintf(stderr,
		    "created device %s (%s) with %s; its token, shown "
		    "this once:\n",
		    d.name, d.id, d.permissions);
		printf("%s\n", token);
		sodium_memzero(token, sizeof(token));
		return CH_EXIT_OK;
	}
	if (strcmp(verb, "list") == 0 && nargs == 0) {
		if ((err = ch_devices_list(ctx, &list, &n)) != CH_OK) {
			ch_cli_error("device list", err, &ctx->fault);
			return CH_EXIT_FAIL;
		}
		printf("%-36s %-24s %-8s %-20s %s\n", "ID", "NAME", "STATE",
		    "LAST USED", "PERMISSIONS");
		for (size_t i = 0; i < n; i++)
			printf("%-36s %-24s %-8s %-20s %s\n", list[i].id,
			    list[i].name,
			    list[i].revoked_at[0] ? "revoked" : "active",
			    list[i].last_used_at[0] ? list[i].last_used_at
						    : "never",
			    list[i].permissions);
		return CH_EXIT_OK;
	}
	if (strcmp(verb, "revoke") == 0 && nargs == 1) {
		if ((err = ch_devices_revoke(ctx, args[0])) != CH_OK) {
			ch_cli_error("device revoke", err, &ctx->fault);
			return CH_EXIT_FAIL;
		}
		printf("revoked %s\n", args[0]);
		return CH_EXIT_OK;
	}
	fputs(device_usage, stderr);
	return CH_EXIT_USAGE;
}

int
ch_cmd_device(int argc, char **argv)
{
	static const struct option longopts[] = {
	    {"dir", required_argument, NULL, 'd'},
	    {"db", required_argument, NULL, 'D'},
	    {"post", required_argument, NULL, 'p'},
	    {"perm", required_argument, NULL, 'P'},
	    {"help", no_argument, NULL, 'h'},
	    {NULL, 0, NULL, 0},
	};
	struct ch_cli_common c = {0};
	struct ch_store *store;
	struct ch_ctx ctx;
	const char *post = NULL, *perms = "";
	int ch, rc;

	optind = 1;
	while ((ch = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
		switch (ch) {
		case 'd':
			c.dir = optarg;
			break;
		case 'D':
			c.db = optarg;
			break;
		case 'p':
			post = optarg;
			break;
		case 'P':
			perms = optarg;
			break;
		case 'h':
			fputs(device_usage, stdout);
			return CH_EXIT_OK;
		default:
			fputs(device_usage, stderr);
			return CH_EXIT_USAGE;
		}
	}
	if (optind >= argc) {
		fputs(device_usage, stderr);
		return CH_EXIT_USAGE;
	}
	if ((store = ch_cli_open_store(&c, 1)) == NULL)
		return CH_EXIT_FAIL;
	ch_cli_ctx(&ctx, store);
	rc = device_run(&ctx, argv[optind], argv + optind + 1,
	    argc - optind - 1, post, perms);
	ch_cli_ctx_free(&ctx);
	ch_cli_close_store(&c, store);
	return rc;
}

int
ch_cmd_second_factor(int argc, char **argv)
{
	static const struct option longopts[] = {
	    {"dir", required_argument, NULL, 'd'},
	    {"db", required_argument, NULL, 'D'},
	    {"help", no_argument, NULL, 'h'},
	    {NULL, 0, NULL, 0},
	};
	struct ch_cli_common c = {0};
	struct ch_store *store;
	struct ch_ctx ctx;
	char post_id[CH_ID_LEN];
	int ch, rc = CH_EXIT_FAIL;
	ch_err err;

	optind = 1;
	while ((ch = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
		switch (ch) {
		case 'd':
			c.dir = optarg;
			break;
		case 'D':
			c.db = optarg;
			break;
		case 'h':
			fputs(second_factor_usage, stdout);
			return CH_EXIT_OK;
		default:
			fputs(second_factor_usage, stderr);
			return CH_EXIT_USAGE;
		}
	}
	if (optind + 2 != argc ||
	    !ch_second_factor_rule_valid(argv[optind + 1])) {
		fputs(second_factor_usage, stderr);
		return CH_EXIT_USAGE;
	}
	if ((store = ch_cli_open_store(&c, 1)) == NULL)
		return CH_EXIT_FAIL;
	ch_cli_ctx(&ctx, store);
	if (!ch_cli_find_post(&ctx, argv[optind], post_id)) {
		fprintf(stderr,
		    "chancery: no post is named or has the id \"%s\"; see "
		    "`chancery post list`.\n",
		    argv[optind]);
	} else if ((err = ch_posts_set_second_factor(
			&ctx, post_id, argv[optind + 1])) != CH_OK) {
		ch_cli_error("second-factor", err, &ctx.fault);
	} else {
		printf(
		    "%s: second factor %s\n", argv[optind], argv[optind + 1]);
		rc = CH_EXIT_OK;
	}
	ch_cli_ctx_free(&ctx);
	ch_cli_close_store(&c, store);
	return rc;
}
