/*
 * cli.h — the command-line front door.  Each subcommand is one file and
 * one row of the table in main.c.  Commands return an exit code: 0 done,
 * 1 failed (the reason is on stderr), 2 bad usage.
 */
#ifndef CH_CLI_H
#define CH_CLI_H

#include "core/context.h"
#include "core/core.h"

struct ch_store;

#define CH_EXIT_OK 0
#define CH_EXIT_FAIL 1
#define CH_EXIT_USAGE 2
#define CH_DEFAULT_DIR "chancery-data"

/* Options every command that opens the database understands. */
struct ch_cli_common {
	const char *dir; /* the post's directory */
	const char *db;  /* a DSN overriding DIR/chancery.db */
	char dsn[4096];
};

int ch_cmd_init(int argc, char **argv);
int ch_cmd_serve(int argc, char **argv);
int ch_cmd_demo(int argc, char **argv);
int ch_cmd_user(int argc, char **argv);
int ch_cmd_people(int argc, char **argv);
int ch_cmd_post(int argc, char **argv);
int ch_cmd_migrate(int argc, char **argv);
int ch_cmd_key(int argc, char **argv);
int ch_cmd_backup(int argc, char **argv);
int ch_cmd_restore(int argc, char **argv);
int ch_cmd_audit(int argc, char **argv);
int ch_cmd_device(int argc, char **argv);
int ch_cmd_second_factor(int argc, char **argv);
int ch_cmd_ratings(int argc, char **argv);
/* cmd_watchlist.c: watchlist screening (issue 5) */
int ch_cmd_watchlist(int argc, char **argv);
int ch_cmd_screen(int argc, char **argv);

/* cli.c */
/* Resolve the DSN from --db, $CHANCERY_DB or DIR/chancery.db. */
void ch_cli_resolve_dsn(struct ch_cli_common *c);
/* DIR/keys/data.key, the data key file. */
void ch_cli_key_path(const struct ch_cli_common *c, char *out, size_t size);
/* Load the data key file (wiped at exit); prints the reason on failure. */
bool ch_cli_load_key(const struct ch_cli_common *c);
/* Load the data key, open the store for a command and seal any plaintext
 * contacts left by older versions; prints the reason on failure. */
struct ch_store *ch_cli_open_store(struct ch_cli_common *c, int conns);
/* Close a store the command wrote to: first sign a checkpoint over the
 * audit records it appended, when DIR holds the signing key, so that none
 * waits uncovered for the server's next one (whoever can write the
 * database could rewrite it before anyone signed).  Without the key here
 * the server signs them at its next checkpoint. */
void ch_cli_close_store(const struct ch_cli_common *c, struct ch_store *store);
/* A context for the CLI: the system actor, a fresh arena. */
void ch_cli_ctx(struct ch_ctx *ctx, struct ch_store *store);
void ch_cli_ctx_free(struct ch_ctx *ctx);
/* Print an error with the fault's detail, if any. */
void ch_cli_error(const char *what, ch_err err, const struct ch_fault *f);
/* Find a post by id or exact name; fills id. */
bool ch_cli_find_post(
    struct ch_ctx *ctx, const char *name_or_id, char id[CH_ID_LEN]);
/* Read a password from stdin (--password-stdin) or the terminal. */
char *ch_cli_read_password(bool from_stdin, const char *prompt);
/* Make DIR (0700) if missing. */
bool ch_cli_make_dir(const char *dir);

/* demo_data.c: populate a demo post; fills the post id. */
ch_err ch_demo_populate(struct ch_ctx *ctx, char post_id[CH_ID_LEN]);
/* demo_history.c: a year of routine incidents around the named ones. */
struct ch_demo_reporters {
	const char *guard_user, *guard_person;
	const char *analyst_user, *analyst_person;
};
ch_err ch_demo_history(struct ch_ctx *ctx, const char *post_id,
    const struct ch_demo_reporters *who, size_t *count);
/* demo_intel.c: twelve months of intelligence for the demo post (after
 * its users and incidents). */
ch_err ch_demo_intel(struct ch_ctx *ctx, const char *post_id);
/* demo_risks.c: the demo post's ratings history and risk register. */
ch_err ch_demo_risks(struct ch_ctx *ctx, const char *post_id);
/* demo_access.c: access points, badges, schedules, rules and a day of
 * access events for the demo post. */
ch_err ch_demo_access_populate(struct ch_ctx *ctx, const char *post_id);
/* cmd_simulate.c: `chancery simulate-readers` */
int ch_cmd_simulate_readers(int argc, char **argv);
/* The demo logins, NULL-terminated pairs of username and password. */
extern const char *const ch_demo_logins[];

/* demo_screening.c: import the OFAC and UN lists from ../shared/data
 * when they are there (the demo shows real lists). */
ch_err ch_demo_screening(struct ch_ctx *ctx);

/* cmd_visitors.c: `chancery visitors purge [--post POST]` */
int ch_cmd_visitors(int argc, char **argv);
/* demo_visitors.c: today's expected visitors (one held by a real OFAC or
 * UN entry), some checked in, yesterday's checked out (after the access
 * and screening demo). */
ch_err ch_demo_visitors(struct ch_ctx *ctx, const char *post_id);

#endif /* CH_CLI_H */
