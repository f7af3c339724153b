/*
 * cmd_visitors.c — `chancery visitors purge [--post POST]`: purge now the
 * personal data of visits that ended longer ago than their post's
 * retention period (the server does it every few seconds too), audited
 * as visitor.purged, and print how many.
 */
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "cli/cli.h"
#include "store/store.h"
#include "visitors/visitors.h"

static const char visitors_usage[] =
    "usage: chancery visitors purge [--post POST] [--dir DIR] [--db DSN]\n"
    "\n"
    "Purge the personal data (name, organisation, identity document, date\n"
    "of birth, nationality) of visits that ended longer ago than their\n"
    "post's retention period (default 90 days); the log keeps the times,\n"
    "the host and an anonymous name.  Every purge is audited.\n";

int
ch_cmd_visitors(int argc, char **argv)
{
	static const struct option longopts[] = {
	    {"dir", required_argument, NULL, 'd'},
	    {"db", required_argument, NULL, 'D'},
	    {"post", required_argument, NULL, 'p'},
	    {"help", no_argument, NULL, 'h'},
	    {NULL, 0, NULL, 0},
	};
	struct ch_cli_common c = {0};
	struct ch_store *store;
	struct ch_ctx ctx;
	const char *post = NULL;
	char post_id[CH_ID_LEN];
	size_t n = 0;
	int ch, rc = CH_EXIT_OK;
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
		case 'p':
			post = optarg;
			break;
		case 'h':
			fputs(visitors_usage, stdout);
			return CH_EXIT_OK;
		default:
			fputs(visitors_usage, stderr);
			return CH_EXIT_USAGE;
		}
	}
	if (optind != argc - 1 || strcmp(argv[optind], "purge") != 0) {
		fputs(visitors_usage, stderr);
		return CH_EXIT_USAGE;
	}
	if ((store = ch_cli_open_store(&c, 1)) == NULL)
		return CH_EXIT_FAIL;
	ch_cli_ctx(&ctx, store);
	if (post != NULL && !ch_cli_find_post(&ctx, post, post_id)) {
		fprintf(stderr, "chancery: no post %s\n", post);
		rc = CH_EXIT_FAIL;
		goto out;
	}
	err = ch_visitors_purge(&ctx, post != NULL ? post_id : NULL, &n);
	if (err != CH_OK) {
		ch_cli_error("visitors purge", err, &ctx.fault);
		rc = CH_EXIT_FAIL;
		goto out;
	}
	printf("%zu visit%s purged\n", n, n == 1 ? "" : "s");
out:
	ch_cli_ctx_free(&ctx);
	ch_cli_close_store(&c, store);
	return rc;
}
