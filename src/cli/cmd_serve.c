/*
 * cmd_serve.c — `chancery init`, `serve`, `demo` and `migrate`: make a
 * post's directory (database and TLS certificate), serve it over HTTPS
 * until SIGINT or SIGTERM, or make and serve the demo post.
 */
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "access/access.h"
#include "accounts/accounts.h"
#include "cli/cli.h"
#include "core/audit.h"
#include "core/vault.h"
#include "http/http.h"
#include "people/people.h"
#include "screening/screening.h"
#include "store/store.h"
#include "visitors/visitors.h"

struct serve_opts {
	struct ch_cli_common common;
	struct ch_http_config http;
	char cert[4096];
	char key[4096];
	bool cert_given;
	bool quiet;
	long checkpoint_every;   /* records */
	long checkpoint_seconds; /* seconds */
	struct ch_session_limits limits;
	const char *second_factor;   /* rule for users without a post */
	bool group_commit_off;       /* each access decision commits alone */
	bool group_commit_pipelined; /* batches synced by a second thread */
};

#define GATE_MAX_BATCH 512 /* access decisions in one transaction */

static const char serve_usage[] =
    "usage: chancery serve [--dir DIR] [--db DSN] [--listen ADDR:PORT]\n"
    "                      [--cert FILE --key FILE] [--plain-http]\n"
    "                      [--trusted-proxy]\n"
    "                      [--threads N] [--port-file FILE] [--quiet]\n"
    "                      [--device-listen ADDR:PORT]\n"
    "                      [--checkpoint-every N] [--checkpoint-seconds T]\n"
    "\n"
    "Serve the post's API and console over HTTPS (TLS 1.2 or 1.3).\n"
    "  --dir DIR         the post's directory (default " CH_DEFAULT_DIR ")\n"
    "  --db DSN          sqlite:PATH or postgresql://USER@HOST:PORT/DB\n"
    "  --listen A:P      address and port (default 127.0.0.1:8443;\n"
    "                    port 0 picks a free one)\n"
    "  --cert, --key     PEM files (default DIR/tls/cert.pem, key.pem)\n"
    "  --plain-http      no TLS: only on loopback, behind a reverse proxy\n"
    "  --trusted-proxy   with --plain-http: the proxy appends the client's\n"
    "                    address to X-Forwarded-For, and its last entry is\n"
    "                    the client's (throttle, sessions, audit, log)\n"
    "  --threads N       worker threads (default 4)\n"
    "  --port-file FILE  write the bound port to FILE when ready (and the\n"
    "                    device listener's on a second line)\n"
    "  --device-listen A:P  also serve the device routes (gate readers,\n"
    "                    sensors, tour scanners; device tokens only) on a\n"
    "                    port of their own, with the server's TLS: the\n"
    "                    fast path for access decisions (docs/access.md)\n"
    "  --quiet           log warnings and errors only\n"
    "  --checkpoint-every N    sign an audit checkpoint every N records\n"
    "                          (default 1000) or\n"
    "  --checkpoint-seconds T  every T seconds when there are new ones\n"
    "                          (default 60), whichever comes first\n"
    "  --group-commit on|off|pipelined\n"
    "                          access decisions share transactions (on,\n"
    "                          the default) or commit one by one (off);\n"
    "                          pipelined: a batch runs while the one\n"
    "                          before is synced (docs/access.md)\n"
    "  --max-per-address N     connections from one address at once\n"
    "                          (default 64; readers behind one gateway,\n"
    "                          or the benchmark's load tool, need more)\n"
    "Sessions and sign-in (seconds):\n"
    "  --idle-timeout N              idle limit (default 1800)\n"
    "  --idle-timeout-privileged N   for security officers, administrators,\n"
    "                                HQ and EAC members (default 900)\n"
    "  --session-lifetime N          absolute limit (default 43200)\n"
    "  --session-lifetime-privileged N  (default 43200)\n"
    "  --reauth-window N             how long a re-authentication counts\n"
    "                                for sensitive actions (default 300)\n"
    "  --second-factor RULE          for users without a post (HQ desk):\n"
    "                                privileged (default), all, optional;\n"
    "                                a post's own rule: `chancery post\n"
    "                                second-factor`\n";

static const char demo_usage[] =
    "usage: chancery demo [--dir DIR] [--listen ADDR:PORT] [--port-file F]\n"
    "                     [--device-listen ADDR:PORT] [--no-serve] [--quiet]\n"
    "                     [session options of serve]\n"
    "\n"
    "Create a fully populated, fictional demo post in DIR (default\n"
    "chancery-demo) if it is not there yet, print its logins and serve it.\n";

static const char init_usage[] =
    "usage: chancery init [--dir DIR] [--db DSN] [--origin NAME]\n"
    "\n"
    "Create a post's directory: the database (schema migrations applied),\n"
    "a self-signed TLS certificate in DIR/tls, the data key that seals\n"
    "sensitive fields (DIR/keys/data.key) and the audit signing key\n"
    "(DIR/keys/audit.key, private; audit.pub, to give to auditors and\n"
    "HQ).  --origin names the post's audit log in every checkpoint, e.g.\n"
    "nairobi.embassy.example/chancery (default: chancery.invalid/ and a\n"
    "random id).  Safe to run again: nothing existing is replaced.\n"
    "Then add a post with `chancery post add` and users with\n"
    "`chancery user add`.\n";

static volatile sig_atomic_t stop_requested;

static void
on_signal(int sig)
{
	(void)sig;
	stop_requested = 1;
}

static bool
file_exists(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0;
}

/* Make DIR, DIR/tls and the certificate, DIR/keys with the data key and
 * the audit signing key named origin (NULL: a random name), when missing. */
static bool
prepare_dir(const char *dir, const char *origin)
{
	char tls[2048], cert[4096], key[4096], name[64], id[13];
	unsigned char raw[6];
	bool made;
	ch_err err;

	if (strlen(dir) > 1024) {
		fprintf(stderr, "chancery: the directory name is too long\n");
		return false;
	}
	snprintf(tls, sizeof(tls), "%s/tls", dir);
	snprintf(cert, sizeof(cert), "%s/cert.pem", tls);
	snprintf(key, sizeof(key), "%s/key.pem", tls);
	if (!ch_cli_make_dir(dir) || !ch_cli_make_dir(tls))
		return false;
	if (!file_exists(cert) || !file_exists(key)) {
		if (ch_tls_generate(cert, key, "chancery") != CH_OK) {
			fprintf(stderr,
			    "chancery: could not make a TLS "
			    "certificate in %s\n",
			    tls);
			return false;
		}
		fprintf(stderr,
		    "chancery: made a self-signed certificate in "
		    "%s\n",
		    tls);
	}
	snprintf(key, sizeof(key), "%s/keys/data.key", dir);
	if ((err = ch_vault_create_file(key)) == CH_OK) {
		fprintf(stderr,
		    "chancery: made the data key %s: keep a copy of it apart "
		    "from the database and the backups\n",
		    key);
	} else if (err != CH_ERR_CONFLICT) {
		fprintf(
		    stderr, "chancery: could not make the data key %s\n", key);
		return false;
	}
	if (origin == NULL) {
		ch_random_bytes(raw, sizeof(raw));
		ch_hex(raw, sizeof(raw), id);
		snprintf(name, sizeof(name), "chancery.invalid/%s", id);
		origin = name;
	}
	if (ch_audit_key_create(dir, origin, &made) != CH_OK) {
		fprintf(stderr,
		    "chancery: could not make the audit signing key in "
		    "%s/keys; see the log above\n",
		    dir);
		return false;
	}
	if (made)
		fprintf(stderr,
		    "chancery: made the audit signing key %s/keys/audit.key "
		    "for the log %s; give %s/keys/audit.pub to those who "
		    "verify it\n",
		    dir, origin, dir);
	return true;
}

/* Parse the options serve and demo share; false on bad usage. */
static bool
parse_serve(int argc, char **argv, struct serve_opts *o, bool *no_serve,
    const char *usage)
{
	static const struct option longopts[] = {
	    {"dir", required_argument, NULL, 'd'},
	    {"db", required_argument, NULL, 'D'},
	    {"listen", required_argument, NULL, 'l'},
	    {"cert", required_argument, NULL, 'c'},
	    {"key", required_argument, NULL, 'k'},
	    {"plain-http", no_argument, NULL, 'P'},
	    {"trusted-proxy", no_argument, NULL, 9},
	    {"threads", required_argument, NULL, 't'},
	    {"port-file", required_argument, NULL, 'p'},
	    {"no-serve", no_argument, NULL, 'n'},
	    {"quiet", no_argument, NULL, 'q'},
	    {"checkpoint-every", required_argument, NULL, 'N'},
	    {"checkpoint-seconds", required_argument, NULL, 'T'},
	    {"help", no_argument, NULL, 'h'},
	    {"idle-timeout", required_argument, NULL, 1},
	    {"idle-timeout-privileged", required_argument, NULL, 2},
	    {"session-lifetime", required_argument, NULL, 3},
	    {"session-lifetime-privileged", required_argument, NULL, 4},
	    {"reauth-window", required_argument, NULL, 5},
	    {"second-factor", required_argument, NULL, 6},
	    {"group-commit", required_argument, NULL, 7},
	    {"max-per-address", required_argument, NULL, 8},
	    {"device-listen", required_argument, NULL, 10},
	    {NULL, 0, NULL, 0},
	};
	int64_t *limit_fields[] = {NULL, &o->limits.idle_seconds,
	    &o->limits.idle_privileged, &o->limits.absolute_seconds,
	    &o->limits.absolute_privileged, &o->limits.reauth_seconds};
	long threads, seconds, conns;
	int ch;

	ch_http_config_defaults(&o->http);
	o->checkpoint_every = 1000;
	o->checkpoint_seconds = 60;
	ch_session_get_limits(&o->limits);
	optind = 1;
	while ((ch = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
		switch (ch) {
		case 'd':
			o->common.dir = optarg;
			break;
		case 'D':
			o->common.db = optarg;
			break;
		case 'l':
			o->http.listen = optarg;
			break;
		case 'c':
			ch_strlcpy(o->cert, optarg, sizeof(o->cert));
			o->cert_given = true;
			break;
		case 'k':
			ch_strlcpy(o->key, optarg, sizeof(o->key));
			break;
		case 9:
			o->http.trusted_proxy = true;
			break;
		case 10:
			o->http.device_listen = optarg;
			break;
		case 'P':
			o->http.plain_http = true;
			break;
		case 't':
			if (!ch_parse_long(optarg, 1, 64, &threads)) {
				fprintf(stderr,
				    "chancery: --threads takes 1 "
				    "to 64\n");
				return false;
			}
			o->http.threads = (unsigned)threads;
			break;
		case 'p':
			o->http.port_file = optarg;
			break;
		case 'n':
			if (no_serve == NULL)
				goto usage;
			*no_serve = true;
			break;
		case 'q':
			o->quiet = true;
			break;
		case 'N':
			if (!ch_parse_long(
				optarg, 1, 100000000, &o->checkpoint_every)) {
				fprintf(stderr,
				    "chancery: --checkpoint-every "
				    "takes 1 to 100000000\n");
				return false;
			}
			break;
		case 'T':
			if (!ch_parse_long(
				optarg, 1, 86400, &o->checkpoint_seconds)) {
				fprintf(stderr,
				    "chancery: --checkpoint-seconds "
				    "takes 1 to 86400\n");
				return false;
			}
			break;
		case 1:
		case 2:
		case 3:
		case 4:
		case 5:
			if (!ch_parse_long(optarg, 1, 30L * 86400, &seconds)) {
				fprintf(stderr,
				    "chancery: session limits are "
				    "seconds, 1 to 2592000\n");
				return false;
			}
			*limit_fields[ch] = seconds;
			break;
		case 6:
			if (!ch_second_factor_rule_valid(optarg)) {
				fprintf(stderr,
				    "chancery: --second-factor is "
				    "privileged, all or optional\n");
				return false;
			}
			o->second_factor = optarg;
			break;
		case 7:
			if (strcmp(optarg, "on") != 0 &&
			    strcmp(optarg, "off") != 0 &&
			    strcmp(optarg, "pipelined") != 0) {
				fprintf(stderr,
				    "chancery: --group-commit is on, off or "
				    "pipelined\n");
				return false;
			}
			o->group_commit_off = strcmp(optarg, "off") == 0;
			o->group_commit_pipelined =
			    strcmp(optarg, "pipelined") == 0;
			break;
		case 8:
			if (!ch_parse_long(optarg, 1, 1024, &conns)) {
				fprintf(stderr,
				    "chancery: --max-per-address takes 1 to "
				    "1024\n");
				return false;
			}
			o->http.per_ip_connections = (unsigned)conns;
			if (o->http.max_connections < 2 * (unsigned)conns)
				o->http.max_connections = 2 * (unsigned)conns;
			break;
		case 'h':
			fputs(usage, stdout);
			exit(CH_EXIT_OK);
		default:
			goto usage;
		}
	}
	if (optind != argc)
		goto usage;
	if (o->http.trusted_proxy && !o->http.plain_http) {
		fprintf(stderr,
		    "chancery: --trusted-proxy is for a reverse "
		    "proxy on loopback: it needs --plain-http\n");
		return false;
	}
	return true;
usage:
	fputs(usage, stderr);
	return false;
}

static int
run_server(struct serve_opts *o, struct ch_store *store, bool demo)
{
	struct ch_http_server *srv = NULL;
	struct ch_audit_checkpointer *cp = NULL;
	struct ch_note_signer *audit_key = NULL;
	char last_path[4096];
	struct sigaction sa;
	const char *dir = o->common.dir ? o->common.dir : CH_DEFAULT_DIR;
	int64_t t0 = ch_clock_mono_ms();
	ch_err err;

	if (!o->cert_given) {
		snprintf(o->cert, sizeof(o->cert), "%s/tls/cert.pem", dir);
		snprintf(o->key, sizeof(o->key), "%s/tls/key.pem", dir);
	}
	o->http.cert_file = o->cert;
	o->http.key_file = o->key;
	if (ch_accounts_init() != CH_OK)
		return CH_EXIT_FAIL;
	if (ch_audit_key_load(dir, &audit_key) != CH_OK) {
		fprintf(stderr,
		    "chancery: no usable audit signing key in %s/keys (see "
		    "the log above); `chancery init --dir %s` makes one\n",
		    dir, dir);
		return CH_EXIT_FAIL;
	}
	ch_audit_last_path(dir, last_path, sizeof(last_path));
	if (ch_audit_checkpointer_start(store, audit_key, last_path,
		o->checkpoint_every, o->checkpoint_seconds, &cp) != CH_OK) {
		ch_note_signer_free(audit_key);
		return CH_EXIT_FAIL;
	}
	ch_session_set_limits(&o->limits);
	if (o->second_factor != NULL)
		ch_second_factor_set_default(o->second_factor);
	if (ch_accounts_load_throttle(store) != CH_OK)
		log_warn("could not read the recent failed sign-ins; the "
			 "throttle starts empty");
	/* Watchlist screening: the engine's index over the stored lists. */
	if (ch_screening_start_async(store) != CH_OK)
		log_error("screening starts with no lists; see above");
	/* Imports by the CLI (or another server) reach the index too. */
	if (ch_screening_watch(store, 10) != CH_OK)
		log_error(
		    "lists imported elsewhere reach screening at restart");
	/* Visitors: overstay alarms, no-shows, the retention purge. */
	if (ch_visitors_sweeper_start(store, 5) != CH_OK)
		log_error("visitors' overstays are not watched; see above");
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
	if (!o->group_commit_off &&
	    ch_gate_committer_start_ex(
		store, GATE_MAX_BATCH, o->group_commit_pipelined) != CH_OK) {
		ch_audit_checkpointer_stop(cp);
		ch_note_signer_free(audit_key);
		return CH_EXIT_FAIL;
	}
	if (ch_alarms_escalator_start(store, 5) != CH_OK) {
		ch_gate_committer_stop();
		ch_audit_checkpointer_stop(cp);
		ch_note_signer_free(audit_key);
		return CH_EXIT_FAIL;
	}
	if ((err = ch_http_start(&o->http, store, &srv)) != CH_OK) {
		fprintf(stderr,
		    "chancery: the server did not start (%s); see "
		    "the log above.\n",
		    ch_strerror(err));
		ch_alarms_escalator_stop();
		ch_gate_committer_stop();
		ch_audit_checkpointer_stop(cp);
		ch_note_signer_free(audit_key);
		return CH_EXIT_FAIL;
	}
	log_info("serving %s on %s (port %u, %s, schema %d) in %lld ms",
	    demo ? "the demo post" : "the post", o->http.listen,
	    ch_http_port(srv), ch_store_engine(store),
	    ch_store_schema_version(store),
	    (long long)(ch_clock_mono_ms() - t0));
	printf("Chancery is ready at %s://%.*s:%u/\n",
	    o->http.plain_http ? "http" : "https",
	    (int)strcspn(o->http.listen, ":"), o->http.listen,
	    ch_http_port(srv));
	if (o->http.device_listen != NULL) {
		log_info("serving the device routes on %s (port %u)",
		    o->http.device_listen, ch_http_device_port(srv));
		printf("Devices (gate readers, sensors) connect to "
		       "%s://%.*s:%u/\n",
		    o->http.plain_http ? "http" : "https",
		    (int)strcspn(o->http.device_listen, ":"),
		    o->http.device_listen, ch_http_device_port(srv));
	}
	fflush(stdout);
	while (!stop_requested)
		pause();
	log_info("stopping");
	ch_http_stop(srv);
	ch_visitors_sweeper_stop();
	ch_alarms_escalator_stop();
	ch_gate_committer_stop(); /* after the last request is answered */
	ch_screening_stop();
	ch_audit_checkpointer_stop(cp); /* signs what the last requests wrote */
	ch_note_signer_free(audit_key);
	return CH_EXIT_OK;
}

int
ch_cmd_serve(int argc, char **argv)
{
	struct serve_opts o;
	struct ch_store *store;
	int rc;

	memset(&o, 0, sizeof(o));
	if (!parse_serve(argc, argv, &o, NULL, serve_usage))
		return CH_EXIT_USAGE;
	ch_log_set_quiet(o.quiet);
	store = ch_cli_open_store(&o.common, (int)o.http.threads + 2);
	if (store == NULL)
		return CH_EXIT_FAIL;
	rc = run_server(&o, store, false);
	ch_store_close(store);
	return rc;
}

int
ch_cmd_demo(int argc, char **argv)
{
	struct serve_opts o;
	struct ch_store *store;
	struct ch_ctx ctx;
	char post_id[CH_ID_LEN];
	bool no_serve = false, fresh;
	int rc;
	ch_err err;

	memset(&o, 0, sizeof(o));
	o.common.dir = "chancery-demo";
	if (!parse_serve(argc, argv, &o, &no_serve, demo_usage))
		return CH_EXIT_USAGE;
	ch_log_set_quiet(o.quiet);
	if (!prepare_dir(
		o.common.dir, "demo.chancery.invalid/embassy-in-nairobi"))
		return CH_EXIT_FAIL;
	store = ch_cli_open_store(&o.common, (int)o.http.threads + 2);
	if (store == NULL)
		return CH_EXIT_FAIL;
	ch_cli_ctx(&ctx, store);
	fresh = !ch_cli_find_post(&ctx, "Embassy in Nairobi", post_id);
	ch_cli_ctx_free(&ctx);
	if (fresh) {
		ch_cli_ctx(&ctx, store);
		fprintf(stderr, "chancery: creating the demo post in %s ...\n",
		    o.common.dir);
		err = ch_demo_populate(&ctx, post_id);
		if (err != CH_OK) {
			ch_cli_error(
			    "could not create the demo post", err, &ctx.fault);
			ch_cli_ctx_free(&ctx);
			ch_store_close(store);
			return CH_EXIT_FAIL;
		}
		ch_cli_ctx_free(&ctx);
		/* The demo keeps the second factor optional so that anyone
		 * can sign in with the printed passwords; a real post's rule
		 * is "privileged". */
		ch_cli_ctx(&ctx, store);
		err = ch_posts_set_second_factor(&ctx, post_id, "optional");
		ch_cli_ctx_free(&ctx);
		if (err != CH_OK) {
			ch_store_close(store);
			return CH_EXIT_FAIL;
		}
	}
	if (o.second_factor == NULL)
		o.second_factor = "optional";
	printf("Demo logins (user / password):\n");
	for (size_t i = 0; ch_demo_logins[i] != NULL; i += 3)
		printf("  %-9s %-28s %s\n", ch_demo_logins[i],
		    ch_demo_logins[i + 1], ch_demo_logins[i + 2]);
	printf("The second factor (TOTP) is optional in the demo: set one up "
	       "under \"Your security\"\nin the console. At a real post "
	       "it is mandatory for security officers,\nadministrators, HQ "
	       "and EAC members.\n");
	fflush(stdout);
	rc = no_serve ? CH_EXIT_OK : run_server(&o, store, true);
	ch_store_close(store);
	return rc;
}

int
ch_cmd_init(int argc, char **argv)
{
	static const struct option longopts[] = {
	    {"dir", required_argument, NULL, 'd'},
	    {"db", required_argument, NULL, 'D'},
	    {"origin", required_argument, NULL, 'o'},
	    {"help", no_argument, NULL, 'h'},
	    {NULL, 0, NULL, 0},
	};
	struct ch_cli_common c = {0};
	struct ch_store *store;
	const char *origin = NULL;
	int ch;

	optind = 1;
	while ((ch = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
		switch (ch) {
		case 'd':
			c.dir = optarg;
			break;
		case 'D':
			c.db = optarg;
			break;
		case 'o':
			origin = optarg;
			break;
		case 'h':
			fputs(init_usage, stdout);
			return CH_EXIT_OK;
		default:
			fputs(init_usage, stderr);
			return CH_EXIT_USAGE;
		}
	}
	if (optind != argc) {
		fputs(init_usage, stderr);
		return CH_EXIT_USAGE;
	}
	if (!prepare_dir(c.dir ? c.dir : CH_DEFAULT_DIR, origin))
		return CH_EXIT_FAIL;
	store = ch_cli_open_store(&c, 1);
	if (store == NULL)
		return CH_EXIT_FAIL;
	printf("initialised %s (%s, schema version %d)\n",
	    c.dir ? c.dir : CH_DEFAULT_DIR, ch_store_engine(store),
	    ch_store_schema_version(store));
	ch_store_close(store);
	return CH_EXIT_OK;
}

int
ch_cmd_migrate(int argc, char **argv)
{
	struct serve_opts o;
	struct ch_store *store;

	memset(&o, 0, sizeof(o));
	if (!parse_serve(argc, argv, &o, NULL,
		"usage: chancery migrate [--dir DIR] [--db DSN]\n\nApply the "
		"schema migrations this chancery knows, then exit.\n"))
		return CH_EXIT_USAGE;
	store = ch_cli_open_store(&o.common, 1);
	if (store == NULL)
		return CH_EXIT_FAIL;
	printf("schema version %d (%s)\n", ch_store_schema_version(store),
	    ch_store_engine(store));
	ch_store_close(store);
	return CH_EXIT_OK;
}
