/*
 * cmd_watchlist.c — `chancery watchlist import | list` (the OFAC, UN and
 * custom lists into the store, a new version per import) and `chancery
 * screen NAME` (screen a name against the lists in the store and print
 * the hits with their explanations).
 */
#include <getopt.h>
#include <jansson.h>
#include <stdio.h>
#include <string.h>

#include "cli/cli.h"
#include "screening/screening.h"
#include "store/store.h"

static const char watchlist_usage[] =
    "usage: chancery watchlist import --kind ofac-sdn|ofac-cons|un|custom\n"
    "           PATH [--post POST] [--name NAME]\n"
    "       chancery watchlist list [--post POST]\n"
    "Common options: --dir DIR, --db DSN.\n"
    "\n"
    "import reads the official files (a directory with sdn.csv, alt.csv,\n"
    "add.csv, sdn_comments.csv for ofac-sdn; cons_prim.csv ... for\n"
    "ofac-cons; the consolidated XML for un; a CSV file with the columns\n"
    "name, aliases, dob, nationality, gender, kind, remarks, ref for\n"
    "custom) and stores them as a new version of the list: OFAC and UN\n"
    "lists are global, a custom list belongs to --post.  It prints what\n"
    "changed since the last version.  All or nothing: a bad file is\n"
    "refused with its line and column, and nothing is stored.\n";

static const char screen_usage[] =
    "usage: chancery screen NAME [--dob DATE] [--nationality COUNTRY]\n"
    "       [--gender M|F] [--kind individual|entity|vessel|aircraft]\n"
    "       [--list LIST] [--post POST] [--json] [--dir DIR] [--db DSN]\n"
    "\n"
    "Screen a name against the watchlists in the store (the global lists,\n"
    "and --post's own) and print each hit with its score and the\n"
    "explanation of the score.  --list keeps one list (its name or\n"
    "source: ofac-sdn, un, ...).  Nothing is recorded.\n";

static int
do_import(struct ch_ctx *ctx, const char *kind, const char *path,
    const char *post, const char *name)
{
	enum ch_watch_source src;
	struct ch_watchlist l;
	struct ch_watch_version v;
	char post_id[CH_ID_LEN] = "";
	int64_t t0 = ch_clock_mono_ms();
	ch_err err;

	if (kind == NULL || !ch_watch_source_parse(kind, &src)) {
		fprintf(stderr,
		    "chancery: --kind must be ofac-sdn, ofac-cons, "
		    "un or custom\n");
		return CH_EXIT_USAGE;
	}
	if (post != NULL && !ch_cli_find_post(ctx, post, post_id)) {
		fprintf(stderr, "chancery: no post %s (`chancery post list`)\n",
		    post);
		return CH_EXIT_USAGE;
	}
	if (src == CH_WATCH_SRC_CUSTOM && post_id[0] == '\0') {
		fprintf(stderr,
		    "chancery: a custom list belongs to a post: give --post\n");
		return CH_EXIT_USAGE;
	}
	err = ch_watchlists_import_path(
	    ctx, post_id[0] ? post_id : NULL, src, path, name, &l, &v);
	if (err != CH_OK) {
		ch_cli_error("watchlist import", err, &ctx->fault);
		return CH_EXIT_FAIL;
	}
	printf("%s: version %lld, %lld entries: %lld added, %lld removed, "
	       "%lld changed, %lld unchanged (%lld ms)\n",
	    l.name, (long long)v.number, (long long)v.entries,
	    (long long)v.added, (long long)v.removed, (long long)v.changed,
	    (long long)v.unchanged, (long long)(ch_clock_mono_ms() - t0));
	return CH_EXIT_OK;
}

static int
do_list(struct ch_ctx *ctx, const char *post)
{
	char post_id[CH_ID_LEN] = "";
	struct ch_watchlist *lists;
	size_t n;
	ch_err err;

	if (post != NULL && !ch_cli_find_post(ctx, post, post_id)) {
		fprintf(stderr, "chancery: no post %s\n", post);
		return CH_EXIT_USAGE;
	}
	err = ch_watchlists_list(ctx, post_id[0] ? post_id : NULL, &lists, &n);
	if (err != CH_OK) {
		ch_cli_error("watchlist list", err, &ctx->fault);
		return CH_EXIT_FAIL;
	}
	printf("%-36s %-34s %-9s %-7s %-8s %s\n", "ID", "NAME", "SOURCE",
	    "VERSION", "ENTRIES", "POST");
	for (size_t i = 0; i < n; i++)
		printf("%-36s %-34s %-9s %-7lld %-8lld %s\n", lists[i].id,
		    lists[i].name, lists[i].source,
		    (long long)lists[i].current_version,
		    (long long)lists[i].entries,
		    lists[i].post_id[0] ? lists[i].post_id : "global");
	return CH_EXIT_OK;
}

int
ch_cmd_watchlist(int argc, char **argv)
{
	static const struct option longopts[] = {
	    {"dir", required_argument, NULL, 'd'},
	    {"db", required_argument, NULL, 'D'},
	    {"kind", required_argument, NULL, 'k'},
	    {"post", required_argument, NULL, 'p'},
	    {"name", required_argument, NULL, 'n'},
	    {"help", no_argument, NULL, 'h'},
	    {NULL, 0, NULL, 0},
	};
	struct ch_cli_common c = {0};
	const char *kind = NULL, *post = NULL, *name = NULL, *verb;
	struct ch_store *store;
	struct ch_ctx ctx;
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
		case 'k':
			kind = optarg;
			break;
		case 'p':
			post = optarg;
			break;
		case 'n':
			name = optarg;
			break;
		case 'h':
			fputs(watchlist_usage, stdout);
			return CH_EXIT_OK;
		default:
			fputs(watchlist_usage, stderr);
			return CH_EXIT_USAGE;
		}
	}
	if (optind >= argc) {
		fputs(watchlist_usage, stderr);
		return CH_EXIT_USAGE;
	}
	verb = argv[optind];
	if (!((strcmp(verb, "import") == 0 && argc - optind == 2) ||
		(strcmp(verb, "list") == 0 && argc - optind == 1))) {
		fputs(watchlist_usage, stderr);
		return CH_EXIT_USAGE;
	}
	if ((store = ch_cli_open_store(&c, 1)) == NULL)
		return CH_EXIT_FAIL;
	ch_cli_ctx(&ctx, store);
	if (strcmp(verb, "import") == 0)
		rc = do_import(&ctx, kind, argv[optind + 1], post, name);
	else
		rc = do_list(&ctx, post);
	ch_screening_stop();
	ch_cli_ctx_free(&ctx);
	ch_cli_close_store(&c, store);
	return rc;
}

static void
print_hit(json_t *h)
{
	json_t *e = json_object_get(h, "entry");
	json_t *names = json_object_get(e, "names"), *v;
	const char *text =
	    json_string_value(json_object_get(h, "explanation_text"));
	size_t i;

	printf("%.3f  %-6s %s  %s (%s %s)\n",
	    json_real_value(json_object_get(h, "score")),
	    json_string_value(json_object_get(h, "level")),
	    json_string_value(
		json_object_get(json_array_get(names, 0), "name")),
	    json_string_value(json_object_get(h, "list")),
	    json_string_value(json_object_get(e, "kind")),
	    json_string_value(json_object_get(e, "ref")));
	json_array_foreach (names, i, v) {
		if (i == 0 || i > 6)
			continue;
		printf("       alias (%s): %s\n",
		    json_string_value(json_object_get(v, "quality")),
		    json_string_value(json_object_get(v, "name")));
	}
	if (text != NULL) {
		/* The engine's explanation, indented. */
		const char *p = text, *nl;

		while (*p != '\0') {
			nl = strchr(p, '\n');
			printf("       %.*s\n",
			    (int)(nl ? (size_t)(nl - p) : strlen(p)), p);
			p = nl ? nl + 1 : p + strlen(p);
		}
	}
}

int
ch_cmd_screen(int argc, char **argv)
{
	static const struct option longopts[] = {
	    {"dir", required_argument, NULL, 'd'},
	    {"db", required_argument, NULL, 'D'},
	    {"dob", required_argument, NULL, 'b'},
	    {"nationality", required_argument, NULL, 'N'},
	    {"gender", required_argument, NULL, 'g'},
	    {"kind", required_argument, NULL, 'k'},
	    {"list", required_argument, NULL, 'l'},
	    {"post", required_argument, NULL, 'p'},
	    {"json", no_argument, NULL, 'j'},
	    {"help", no_argument, NULL, 'h'},
	    {NULL, 0, NULL, 0},
	};
	struct ch_screen_subject s = {0};
	struct ch_cli_common c = {0};
	const char *post = NULL;
	char post_id[CH_ID_LEN] = "";
	struct ch_store *store;
	struct ch_ctx ctx;
	bool as_json = false;
	json_t *hits = NULL;
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
		case 'b':
			s.dob = optarg;
			break;
		case 'N':
			s.nationality = optarg;
			break;
		case 'g':
			s.gender = optarg[0];
			break;
		case 'k':
			s.kind = optarg;
			break;
		case 'l':
			s.list = optarg;
			break;
		case 'p':
			post = optarg;
			break;
		case 'j':
			as_json = true;
			break;
		case 'h':
			fputs(screen_usage, stdout);
			return CH_EXIT_OK;
		default:
			fputs(screen_usage, stderr);
			return CH_EXIT_USAGE;
		}
	}
	if (argc - optind != 1) {
		fputs(screen_usage, stderr);
		return CH_EXIT_USAGE;
	}
	s.name = argv[optind];
	if ((store = ch_cli_open_store(&c, 1)) == NULL)
		return CH_EXIT_FAIL;
	ch_cli_ctx(&ctx, store);
	if (post != NULL && !ch_cli_find_post(&ctx, post, post_id)) {
		fprintf(stderr, "chancery: no post %s\n", post);
		rc = CH_EXIT_USAGE;
		goto out;
	}
	if ((err = ch_screening_start(store)) != CH_OK) {
		ch_cli_error("screen", err, NULL);
		goto out;
	}
	err = ch_screening_probe(&ctx, post_id[0] ? post_id : NULL, &s, &hits);
	if (err != CH_OK) {
		ch_cli_error("screen", err, &ctx.fault);
		goto out;
	}
	if (as_json) {
		json_dumpf(hits, stdout, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
		putchar('\n');
	} else if (json_array_size(hits) == 0) {
		printf("no hits at or above the review threshold in %zu "
		       "entries\n",
		    ch_screening_indexed());
	} else {
		for (size_t i = 0; i < json_array_size(hits); i++)
			print_hit(json_array_get(hits, i));
	}
	rc = CH_EXIT_OK;
out:
	json_decref(hits);
	ch_screening_stop();
	ch_cli_ctx_free(&ctx);
	ch_cli_close_store(&c, store);
	return rc;
}
