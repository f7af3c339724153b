/*
 * cmd_post.c — `chancery post add | list | zone-add` and
 * `chancery people import FILE --post POST`.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "people/people.h"
#include "store/store.h"

#define IMPORT_MAX (8u * 1024 * 1024)

static const char post_usage[] =
    "usage: chancery post add --name NAME --kind embassy|consulate|mission\n"
    "                         --country CC --city CITY --timezone TZ\n"
    "                         [--latitude LAT --longitude LON]\n"
    "       chancery post list\n"
    "Common options: --dir DIR, --db DSN.\n";

static const char people_usage[] =
    "usage: chancery people import FILE.csv --post POST [--dir DIR] "
    "[--db DSN]\n"
    "\n"
    "Import people from CSV, all or nothing: every row is checked first,\n"
    "and the first error names its line and column; nothing is written\n"
    "unless every row is good.  The header names the columns:\n"
    "  given_name, family_name, category, nationality (required);\n"
    "  host_national, permanent_resident, notified_on, arrived_on,\n"
    "  functions_end_on, date_of_birth, gender, position, clearance,\n"
    "  email, phone, relationship, ref, household_ref (optional).\n"
    "ref names a row; household_ref links a household member to the\n"
    "ref of the staff member in the same file.\n";

int
ch_cmd_post(int argc, char **argv)
{
	static const struct option longopts[] = {
	    {"dir", required_argument, NULL, 'd'},
	    {"db", required_argument, NULL, 'D'},
	    {"name", required_argument, NULL, 'n'},
	    {"kind", required_argument, NULL, 'k'},
	    {"country", required_argument, NULL, 'c'},
	    {"city", required_argument, NULL, 'C'},
	    {"timezone", required_argument, NULL, 't'},
	    {"latitude", required_argument, NULL, 'a'},
	    {"longitude", required_argument, NULL, 'o'},
	    {"help", no_argument, NULL, 'h'},
	    {NULL, 0, NULL, 0},
	};
	struct ch_cli_common c = {0};
	struct ch_post in, out, *posts;
	struct ch_store *store;
	struct ch_ctx ctx;
	const char *kind = "embassy", *lat = NULL, *lon = NULL;
	size_t n;
	int ch, rc = CH_EXIT_FAIL;
	ch_err err;

	memset(&in, 0, sizeof(in));
	optind = 1;
	while ((ch = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
		switch (ch) {
		case 'd':
			c.dir = optarg;
			break;
		case 'D':
			c.db = optarg;
			break;
		case 'n':
			in.name = optarg;
			break;
		case 'k':
			kind = optarg;
			break;
		case 'c':
			ch_strlcpy(in.country, optarg, sizeof(in.country));
			break;
		case 'C':
			in.city = optarg;
			break;
		case 't':
			in.timezone = optarg;
			break;
		case 'a':
			lat = optarg;
			break;
		case 'o':
			lon = optarg;
			break;
		case 'h':
			fputs(post_usage, stdout);
			return CH_EXIT_OK;
		default:
			fputs(post_usage, stderr);
			return CH_EXIT_USAGE;
		}
	}
	if (optind + 1 != argc) {
		fputs(post_usage, stderr);
		return CH_EXIT_USAGE;
	}
	if ((store = ch_cli_open_store(&c, 1)) == NULL)
		return CH_EXIT_FAIL;
	ch_cli_ctx(&ctx, store);
	if (strcmp(argv[optind], "list") == 0) {
		if ((err = ch_posts_list(&ctx, &posts, &n)) == CH_OK) {
			for (size_t i = 0; i < n; i++)
				printf("%s  %-10s %s (%s, %s)\n", posts[i].id,
				    ch_post_kind_code(posts[i].kind),
				    posts[i].name, posts[i].city,
				    posts[i].country);
			rc = CH_EXIT_OK;
		} else {
			ch_cli_error("post list", err, &ctx.fault);
		}
	} else if (strcmp(argv[optind], "add") == 0) {
		if (!ch_post_kind_parse(kind, &in.kind)) {
			fprintf(stderr,
			    "chancery: --kind is embassy, "
			    "consulate or mission\n");
			rc = CH_EXIT_USAGE;
			goto out;
		}
		if (lat != NULL && lon != NULL) {
			char *e1, *e2;

			in.latitude = strtod(lat, &e1);
			in.longitude = strtod(lon, &e2);
			if (*e1 != '\0' || *e2 != '\0') {
				fprintf(stderr,
				    "chancery: --latitude and "
				    "--longitude are decimal "
				    "degrees\n");
				rc = CH_EXIT_USAGE;
				goto out;
			}
			in.has_location = true;
		}
		if ((err = ch_posts_create(&ctx, &in, &out)) == CH_OK) {
			printf("created post %s (%s)\n", out.name, out.id);
			rc = CH_EXIT_OK;
		} else {
			ch_cli_error("post add", err, &ctx.fault);
		}
	} else {
		fputs(post_usage, stderr);
		rc = CH_EXIT_USAGE;
	}
out:
	ch_cli_ctx_free(&ctx);
	ch_cli_close_store(&c, store);
	return rc;
}

/* Read a whole file of at most IMPORT_MAX bytes. */
static ch_err
read_whole(const char *path, struct ch_buf *b)
{
	FILE *f = fopen(path, "rb");
	char chunk[65536];
	size_t n;
	ch_err err = CH_OK;

	if (f == NULL) {
		fprintf(stderr, "chancery: cannot open %s: %s\n", path,
		    strerror(errno));
		return CH_ERR_IO;
	}
	while (err == CH_OK && (n = fread(chunk, 1, sizeof(chunk), f)) > 0)
		err = ch_buf_append(b, chunk, n);
	if (err == CH_ERR_TOO_LARGE)
		fprintf(stderr,
		    "chancery: %s is larger than %u bytes; split "
		    "it\n",
		    path, IMPORT_MAX);
	if (ferror(f)) {
		fprintf(stderr, "chancery: cannot read %s: %s\n", path,
		    strerror(errno));
		err = CH_ERR_IO;
	}
	fclose(f);
	return err;
}

int
ch_cmd_people(int argc, char **argv)
{
	static const struct option longopts[] = {
	    {"dir", required_argument, NULL, 'd'},
	    {"db", required_argument, NULL, 'D'},
	    {"post", required_argument, NULL, 'p'},
	    {"help", no_argument, NULL, 'h'},
	    {NULL, 0, NULL, 0},
	};
	struct ch_cli_common c = {0};
	struct ch_import_result res;
	struct ch_store *store;
	struct ch_ctx ctx;
	struct ch_buf data;
	const char *post = NULL;
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
		case 'p':
			post = optarg;
			break;
		case 'h':
			fputs(people_usage, stdout);
			return CH_EXIT_OK;
		default:
			fputs(people_usage, stderr);
			return CH_EXIT_USAGE;
		}
	}
	if (optind + 2 != argc || strcmp(argv[optind], "import") != 0 ||
	    post == NULL) {
		fputs(people_usage, stderr);
		return CH_EXIT_USAGE;
	}
	ch_buf_init(&data, IMPORT_MAX);
	if (read_whole(argv[optind + 1], &data) != CH_OK) {
		ch_buf_free(&data);
		return CH_EXIT_FAIL;
	}
	if ((store = ch_cli_open_store(&c, 1)) == NULL) {
		ch_buf_free(&data);
		return CH_EXIT_FAIL;
	}
	ch_cli_ctx(&ctx, store);
	if (!ch_cli_find_post(&ctx, post, post_id)) {
		fprintf(stderr,
		    "chancery: no post is named or has the id "
		    "\"%s\"; see `chancery post list`.\n",
		    post);
	} else {
		err = ch_people_import_csv(
		    &ctx, post_id, data.data ? data.data : "", data.len, &res);
		if (err == CH_OK) {
			printf("imported %zu people from %zu rows\n",
			    res.created, res.rows);
			rc = CH_EXIT_OK;
		} else {
			ch_cli_error(argv[optind + 1], err, &ctx.fault);
			fprintf(stderr,
			    "chancery: nothing was imported; fix "
			    "the file and run the import again.\n");
		}
	}
	ch_buf_free(&data);
	ch_cli_ctx_free(&ctx);
	ch_cli_close_store(&c, store);
	return rc;
}
