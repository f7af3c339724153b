/*
 * main.c — chancery, the security operations system of a diplomatic post.
 * One binary: this file only finds the subcommand in the table and runs it.
 */
#include <stdio.h>
#include <string.h>

#include "cli/cli.h"
#include "store/store.h"

#ifndef CH_VERSION
#define CH_VERSION "0.1.0"
#endif

static int cmd_version(int argc, char **argv);
static int cmd_help(int argc, char **argv);

static const struct {
	const char *name;
	int (*run)(int argc, char **argv);
	const char *summary;
} commands[] = {
    {"init", ch_cmd_init,
	"create a post's directory, database and TLS "
	"certificate"},
    {"serve", ch_cmd_serve, "serve the API and the console over HTTPS"},
    {"demo", ch_cmd_demo, "create (once) and serve a populated demo post"},
    {"post", ch_cmd_post, "add or list posts"},
    {"user", ch_cmd_user, "add, list, disable users; change passwords"},
    {"people", ch_cmd_people, "import people from CSV"},
    {"audit", ch_cmd_audit,
	"verify the audit log offline; print or sign a checkpoint"},
    {"device", ch_cmd_device, "add, list, revoke device tokens"},
    {"second-factor", ch_cmd_second_factor,
	"set who at a post must use a second factor"},
    {"watchlist", ch_cmd_watchlist, "import and list screening watchlists"},
    {"screen", ch_cmd_screen, "screen a name against the watchlists"},
    {"migrate", ch_cmd_migrate, "apply schema migrations and exit"},
    {"key", ch_cmd_key, "list, rotate and retire the data keys"},
    {"backup", ch_cmd_backup, "write an encrypted backup of the post"},
    {"restore", ch_cmd_restore, "verify a backup and restore it"},
    {"ratings", ch_cmd_ratings,
	"record today's computed threat ratings and print them"},
    {"simulate-readers", ch_cmd_simulate_readers,
	"badge traffic for tests and the benchmark"},
    {"visitors", ch_cmd_visitors,
	"purge visitors' personal data past retention"},
    {"version", cmd_version, "print the version"},
    {"help", cmd_help, "this list"},
};

static int
cmd_version(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	printf(
	    "chancery %s (schema %d)\n", CH_VERSION, ch_store_schema_latest());
	return CH_EXIT_OK;
}

static int
cmd_help(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	printf("usage: chancery COMMAND [OPTIONS]\n\n"
	       "The security operations system of a diplomatic post.\n\n"
	       "Commands:\n");
	for (size_t i = 0; i < CH_ARRAY_LEN(commands); i++)
		printf("  %-13s %s\n", commands[i].name, commands[i].summary);
	printf("\n`chancery COMMAND --help` describes each command.\n"
	       "Exit codes: 0 done, 1 failed (the reason is on stderr), "
	       "2 bad usage.\n");
	return CH_EXIT_OK;
}

int
main(int argc, char **argv)
{
	if (argc < 2) {
		cmd_help(0, NULL);
		return CH_EXIT_USAGE;
	}
	if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0)
		return cmd_help(0, NULL);
	if (strcmp(argv[1], "--version") == 0)
		return cmd_version(0, NULL);
	for (size_t i = 0; i < CH_ARRAY_LEN(commands); i++)
		if (strcmp(argv[1], commands[i].name) == 0)
			return commands[i].run(argc - 1, argv + 1);
	fprintf(stderr,
	    "chancery: unknown command \"%s\"; run `chancery "
	    "help` for the list.\n",
	    argv[1]);
	return CH_EXIT_USAGE;
}
