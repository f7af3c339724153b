/*
 * cmd_user.c — `chancery user add | passwd | list | disable | enable |
 * totp-reset`.
 * Passwords are read from the terminal without echo, or from the first
 * line of standard input with --password-stdin; never from the command
 * line, where other users could see them.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "accounts/accounts.h"
#include "cli/cli.h"
#include "store/store.h"

static const char usage[] =
    "usage: chancery user add USERNAME --role ROLE[,ROLE] [--post POST]\n"
    "                         [--clearance LEVEL] [--name \"Display Name\"]\n"
    "                         [--password-stdin]\n"
    "       chancery user passwd USERNAME [--password-stdin]\n"
    "       chancery user list\n"
    "       chancery user disable USERNAME\n"
    "       chancery user enable USERNAME\n"
    "       chancery user totp-reset USERNAME   (a lost phone: the user\n"
    "                         enrols again at the next sign-in)\n"
    "Common options: --dir DIR, --db DSN.\n"
    "Roles: security_officer, analyst, guard, staff, eac_member, hq,\n"
    "administrator.  Clearance: UNCLASSIFIED, SBU, CONFIDENTIAL, SECRET.\n"
    "POST is a post's name or id (`chancery post list`).\n";

int
ch_cmd_user(int argc, char **argv)
{
	static const struct option longopts[] = {
	    {"dir", required_argument, NULL, 'd'},
	    {"db", required_argument, NULL, 'D'},
	    {"role", required_argument, NULL, 'r'},
	    {"post", required_argument, NULL, 'p'},
	    {"clearance", required_argument, NULL, 'c'},
	    {"name", required_argument, NULL, 'n'},
	    {"password-stdin", no_argument, NULL, 's'},
	    {"help", no_argument, NULL, 'h'},
	    {NULL, 0, NULL, 0},
	};
	struct ch_cli_common c = {0};
	struct ch_user_input in = {0};
	struct ch_store *store = NULL;
	struct ch_ctx ctx;
	const char *verb, *post = NULL;
	char post_id[CH_ID_LEN] = "";
	char *password = NULL;
	bool from_stdin = false;
	int ch, rc = CH_EXIT_FAIL;
	ch_err err = CH_OK;

	optind = 1;
	while ((ch = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
		switch (ch) {
		case 'd':
			c.dir = optarg;
			break;
		case 'D':
			c.db = optarg;
			break;
		case 'r':
			in.roles = optarg;
			break;
		case 'p':
			post = optarg;
			break;
		case 'c':
			in.clearance = optarg;
			break;
		case 'n':
			in.display_name = optarg;
			break;
		case 's':
			from_stdin = true;
			break;
		case 'h':
			fputs(usage, stdout);
			return CH_EXIT_OK;
		default:
			fputs(usage, stderr);
			return CH_EXIT_USAGE;
		}
	}
	if (optind >= argc) {
		fputs(usage, stderr);
		return CH_EXIT_USAGE;
	}
	verb = argv[optind];
	if (strcmp(verb, "list") != 0 && optind + 2 != argc) {
		fputs(usage, stderr);
		return CH_EXIT_USAGE;
	}
	if ((store = ch_cli_open_store(&c, 1)) == NULL)
		return CH_EXIT_FAIL;
	ch_cli_ctx(&ctx, store);
	if (strcmp(verb, "add") == 0) {
		in.username = argv[optind + 1];
		if (in.roles == NULL) {
			fprintf(stderr, "chancery: user add needs --role\n");
			rc = CH_EXIT_USAGE;
			goto out;
		}
		if (post != NULL && !ch_cli_find_post(&ctx, post, post_id)) {
			fprintf(stderr,
			    "chancery: no post is named or has "
			    "the id \"%s\"; see `chancery post "
			    "list`.\n",
			    post);
			goto out;
		}
		in.post_id = post_id[0] ? post_id : NULL;
		password = ch_cli_read_password(from_stdin, "New password: ");
		if (password == NULL)
			goto out;
		in.password = password;
		struct ch_user u;

		if ((err = ch_users_create(&ctx, &in, &u)) == CH_OK)
			printf("created user %s (%s)\n", u.username, u.id);
	} else if (strcmp(verb, "passwd") == 0) {
		password = ch_cli_read_password(from_stdin, "New password: ");
		if (password == NULL)
			goto out;
		err = ch_users_set_password(&ctx, argv[optind + 1], password);
		if (err == CH_OK)
			printf("password changed; the user's sessions have "
			       "ended\n");
	} else if (strcmp(verb, "disable") == 0 ||
	    strcmp(verb, "enable") == 0) {
		bool off = strcmp(verb, "disable") == 0;

		err = ch_users_set_disabled(&ctx, argv[optind + 1], off);
		if (err == CH_OK)
			printf("%s %s\n", argv[optind + 1],
			    off ? "disabled; sessions ended" : "enabled");
	} else if (strcmp(verb, "totp-reset") == 0) {
		err = ch_users_totp_reset(&ctx, argv[optind + 1]);
		if (err == CH_OK)
			printf("%s: second factor and recovery codes removed; "
			       "sessions ended\n",
			    argv[optind + 1]);
	} else if (strcmp(verb, "list") == 0) {
		struct ch_user *users;
		size_t n;
		char roles[256];

		if ((err = ch_users_list(&ctx, &users, &n)) == CH_OK) {
			printf("%-20s %-13s %-9s %s\n", "USERNAME", "CLEARANCE",
			    "STATE", "ROLES");
			for (size_t i = 0; i < n; i++) {
				ch_roles_format(
				    users[i].roles, roles, sizeof(roles));
				printf("%-20s %-13s %-9s %s\n",
				    users[i].username,
				    ch_clearance_code(users[i].clearance),
				    users[i].disabled ? "disabled" : "active",
				    roles);
			}
		}
	} else {
		fputs(usage, stderr);
		rc = CH_EXIT_USAGE;
		goto out;
	}
	if (err != CH_OK)
		ch_cli_error(verb, err, &ctx.fault);
	else
		rc = CH_EXIT_OK;
out:
	free(password);
	ch_cli_ctx_free(&ctx);
	ch_cli_close_store(&c, store);
	return rc;
}
