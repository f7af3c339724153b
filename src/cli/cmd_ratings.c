/*
 * cmd_ratings.c — `chancery ratings [--post POST]`: bring the daily
 * snapshots of the computed threat ratings up to today and print, per
 * post and category, the official rating, the computed one with its
 * explanation, and any long disagreement.  Run daily from cron, it keeps
 * the computed history complete on days nobody opens the console.
 */
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "cli/cli.h"
#include "people/people.h"
#include "risks/ratings.h"
#include "store/store.h"

static const char ratings_usage[] =
    "usage: chancery ratings [--post POST] [--dir DIR] [--db DSN]\n"
    "\n"
    "Record today's computed threat ratings (and any days missing since\n"
    "the last) for one post, or every post, and print them beside the\n"
    "official ratings.  Exit status 0; 1 when a post failed.\n";

static void
print_post(const struct ch_post *post, const struct ch_ratings_report *rep)
{
	printf("%s (%s)\n", post->name, post->id);
	for (int c = 0; c < CH_THREAT__COUNT; c++) {
		const struct ch_rating_view *v = &rep->category[c];

		printf("  %-20s official %-8s computed %-8s score %.2f%s\n",
		    ch_threat_category_code(v->category),
		    v->has_official ? ch_threat_level_code(v->official.to)
				    : "-",
		    ch_threat_level_code(v->computed.level), v->computed.score,
		    v->disagreement ? "  DISAGREE" : "");
		if (v->disagreement)
			printf("    differ since %s (%d days)\n",
			    v->disagree_since, v->disagree_days);
		printf("    %s\n", v->computed.explanation);
	}
}

int
ch_cmd_ratings(int argc, char **argv)
{
	static const struct option longopts[] = {
	    {"dir", required_argument, NULL, 'd'},
	    {"db", required_argument, NULL, 'D'},
	    {"post", required_argument, NULL, 'p'},
	    {"help", no_argument, NULL, 'h'},
	    {NULL, 0, NULL, 0},
	};
	struct ch_cli_common c = {0};
	struct ch_ratings_report *rep;
	struct ch_post *posts = NULL;
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
			fputs(ratings_usage, stdout);
			return CH_EXIT_OK;
		default:
			fputs(ratings_usage, stderr);
			return CH_EXIT_USAGE;
		}
	}
	if (optind != argc) {
		fputs(ratings_usage, stderr);
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
	if ((err = ch_posts_list(&ctx, &posts, &n)) != CH_OK) {
		ch_cli_error("ratings", err, &ctx.fault);
		rc = CH_EXIT_FAIL;
		goto out;
	}
	rep = ch_arena_alloc(ctx.arena, sizeof(*rep));
	for (size_t i = 0; rep != NULL && i < n; i++) {
		if (post != NULL && strcmp(posts[i].id, post_id) != 0)
			continue;
		err = ch_ratings_get(&ctx, posts[i].id, false, 0, rep);
		if (err != CH_OK) {
			ch_cli_error(posts[i].name, err, &ctx.fault);
			rc = CH_EXIT_FAIL;
			continue;
		}
		print_post(&posts[i], rep);
	}
	if (rep == NULL)
		rc = CH_EXIT_FAIL;
out:
	ch_cli_ctx_free(&ctx);
	ch_cli_close_store(&c, store);
	return rc;
}
