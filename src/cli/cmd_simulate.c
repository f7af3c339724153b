/*
 * cmd_simulate.c — `chancery simulate-readers`: badge traffic for tests
 * and the benchmark.
 *
 *   --people N        make sure the post has N simulated holders (local
 *                     staff, clearance SBU, badges SIM-000001 ...) and a
 *                     rule letting everyone into the compound at any hour
 *   --wrk-script F    write a Lua script for wrk that plays their days
 *                     (gate in, chancery in, offices in, and back out)
 *                     against POST /api/v1/access/decisions with the
 *                     device token in $CH_DEVICE_TOKEN
 *   --seconds S       play the same traffic in-process for S seconds on
 *   --threads T       T threads through the gate (with the group
 *                     committer unless --group-commit off) and print
 *                     decisions per second and latency percentiles
 *
 * The walk goes through the post's first access points in the order the
 * demo names them; each holder walks its own day, so that anti-passback
 * and occupancy see realistic sequences.
 */
#include <getopt.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "access/access.h"
#include "cli/cli.h"
#include "people/people.h"
#include "store/store.h"

static const char usage[] =
    "usage: chancery simulate-readers [--dir DIR] [--db DSN] [--post POST]\n"
    "          [--people N] [--wrk-script FILE]\n"
    "          [--seconds S] [--threads T]\n"
    "          [--group-commit on|off|pipelined]\n"
    "\n"
    "Badge traffic for tests and the benchmark.  --people N gives the post\n"
    "N simulated badge holders (SIM-000001 ...); --wrk-script FILE writes a\n"
    "wrk Lua script that plays their days over HTTP (the device token in\n"
    "$CH_DEVICE_TOKEN); --seconds S plays them in-process on T threads and\n"
    "prints decisions per second and latency percentiles.\n";

#define WALK_MAX 8

struct sim {
	struct ch_store *store;
	char post_id[CH_ID_LEN];
	char walk_point[WALK_MAX][CH_ID_LEN];
	enum ch_direction walk_dir[WALK_MAX];
	size_t walk_len;
	char (*badges)[32];
	size_t nbadges;
	int64_t deadline_ms;
	int threads;
	/* results */
	pthread_mutex_t lock;
	int64_t *lat_us;
	size_t nlat, caplat;
	uint64_t granted, denied, failed;
};

/* The walk: in through the first three points whose zones chain, then
 * back out in reverse. */
static bool
plan_walk(struct ch_ctx *ctx, struct sim *s)
{
	struct ch_access_point *pts = NULL;
	size_t n = 0, len = 0;
	char at[CH_ID_LEN] = "";

	if (ch_access_points_list(ctx, s->post_id, &pts, &n) != CH_OK)
		return false;
	while (len < 3) {
		size_t i;

		for (i = 0; i < n; i++)
			if (strcmp(pts[i].from_zone_id, at) == 0 &&
			    !pts[i].pin_required)
				break;
		if (i == n)
			break;
		ch_strlcpy(s->walk_point[len], pts[i].id, CH_ID_LEN);
		s->walk_dir[len] = CH_DIR_IN;
		ch_strlcpy(at, pts[i].to_zone_id, sizeof(at));
		len++;
	}
	if (len == 0) {
		fprintf(stderr,
		    "chancery: the post has no access point from the outside; "
		    "add one (the demo post has them)\n");
		return false;
	}
	for (size_t i = 0; i < len; i++) {
		ch_strlcpy(s->walk_point[len + i], s->walk_point[len - 1 - i],
		    CH_ID_LEN);
		s->walk_dir[len + i] = CH_DIR_OUT;
	}
	s->walk_len = 2 * len;
	return true;
}

/* Make sure holders SIM-000001..N exist, and a rule lets them in. */
static bool
ensure_people(struct ch_ctx *ctx, struct sim *s, long n)
{
	struct ch_credential *creds = NULL;
	struct ch_rule_row *rules = NULL;
	struct ch_access_point *pts = NULL;
	size_t nc = 0, nr = 0, np = 0;
	long have = 0;
	ch_err err;

	if (ch_credentials_list(ctx, s->post_id, NULL, &creds, &nc) != CH_OK ||
	    ch_rules_list(ctx, s->post_id, &rules, &nr) != CH_OK ||
	    ch_access_points_list(ctx, s->post_id, &pts, &np) != CH_OK)
		return false;
	for (size_t i = 0; i < nc; i++)
		if (strncmp(creds[i].badge, "SIM-", 4) == 0)
			have++;
	for (long i = have; i < n; i++) {
		struct ch_person_input in = {0};
		struct ch_person person;
		struct ch_credential_input ci = {0};
		struct ch_credential cred;
		char given[40], badge[32];

		snprintf(given, sizeof(given), "Sim %06ld", i + 1);
		snprintf(badge, sizeof(badge), "SIM-%06ld", i + 1);
		in.set = CH_PF_POST_ID | CH_PF_GIVEN_NAME | CH_PF_FAMILY_NAME |
		    CH_PF_CATEGORY | CH_PF_NATIONALITY | CH_PF_CLEARANCE |
		    CH_PF_POSITION;
		in.post_id = s->post_id;
		in.given_name = given;
		in.family_name = "Reader";
		in.category = "locally_employed";
		in.nationality = "KE";
		in.clearance = "SBU";
		in.position = "Simulated badge holder";
		if ((err = ch_people_create(ctx, &in, &person)) != CH_OK) {
			ch_cli_error("simulated person", err, &ctx->fault);
			return false;
		}
		ci.post_id = s->post_id;
		ci.badge = badge;
		ci.person_id = person.id;
		if ((err = ch_credentials_create(ctx, &ci, &cred)) != CH_OK) {
			ch_cli_error("simulated badge", err, &ctx->fault);
			return false;
		}
	}
	for (size_t i = 0; i < nr; i++)
		if (rules[i].note != NULL &&
		    strcmp(rules[i].note, "simulate-readers") == 0)
			return true;
	{
		struct ch_rule_input ri = {s->post_id, "grant", "everyone",
		    NULL, np > 0 ? pts[0].to_zone_id : NULL, NULL,
		    "simulate-readers"};
		struct ch_rule_row out;

		/* The first point's zone is the compound: its tree. */
		for (size_t i = 0; i < np; i++)
			if (pts[i].from_zone_id[0] == '\0')
				ri.zone_id = pts[i].to_zone_id;
		if ((err = ch_rules_create(ctx, &ri, &out)) != CH_OK) {
			ch_cli_error("simulation rule", err, &ctx->fault);
			return false;
		}
	}
	return true;
}

static bool
load_badges(struct ch_ctx *ctx, struct sim *s)
{
	struct ch_credential *creds = NULL;
	size_t nc = 0;

	if (ch_credentials_list(ctx, s->post_id, NULL, &creds, &nc) != CH_OK)
		return false;
	s->badges = calloc(nc ? nc : 1, sizeof(*s->badges));
	if (s->badges == NULL)
		return false;
	for (size_t i = 0; i < nc; i++)
		if (strncmp(creds[i].badge, "SIM-", 4) == 0)
			ch_strlcpy(s->badges[s->nbadges++], creds[i].badge, 32);
	if (s->nbadges == 0) {
		fprintf(stderr,
		    "chancery: no simulated badges; use --people "
		    "N first\n");
		return false;
	}
	return true;
}

static bool
write_wrk(const struct sim *s, const char *path)
{
	FILE *f = fopen(path, "w");

	if (f == NULL) {
		perror(path);
		return false;
	}
	fprintf(f,
	    "-- written by `chancery simulate-readers`: each request "
	    "is the next step\n-- of one holder's walk; holders "
	    "interleave across connections.\n-- Every request of the "
	    "cycle is formatted once, in init(), and there is\n-- no "
	    "response() (wrk would hand each response to Lua): the load "
	    "tool\n-- spends about what it spends on a static file, "
	    "not the server's CPU.\n-- Answers other than 2xx are "
	    "counted in wrk's \"Non-2xx\" line.\n");
	fprintf(f, "local token = os.getenv(\"CH_DEVICE_TOKEN\") or \"\"\n");
	fprintf(f, "local walk = {\n");
	for (size_t i = 0; i < s->walk_len; i++)
		fprintf(f, "  {\"%s\", \"%s\"},\n", s->walk_point[i],
		    s->walk_dir[i] == CH_DIR_IN ? "in" : "out");
	fprintf(f, "}\nlocal badges = {\n");
	for (size_t i = 0; i < s->nbadges; i++)
		fprintf(f, "  \"%s\",\n", s->badges[i]);
	fprintf(f,
	    "}\n"
	    "local n = 0\n"
	    "local offset = 0\n"
	    "local period = #badges * #walk\n"
	    "local reqs = {}\n"
	    "function setup(thread)\n"
	    "  thread:set(\"offset\", offset)\n"
	    "  offset = offset + 1\n"
	    "end\n"
	    "function init(args)\n"
	    "  n = (offset or 0) * 7919\n"
	    "  local headers = {[\"Content-Type\"] = \"application/json\", "
	    "[\"Authorization\"] = \"Bearer \" .. token}\n"
	    "  for k = 0, period - 1 do\n"
	    "    local who = (k %% #badges) + 1\n"
	    "    local step = (math.floor(k / #badges) %% #walk) + 1\n"
	    "    local body = '{\"point_id\":\"' .. walk[step][1] .. "
	    "'\",\"badge\":\"' .. badges[who] .. '\",\"direction\":\"' .. "
	    "walk[step][2] .. '\"}'\n"
	    "    reqs[k] = wrk.format(\"POST\", \"/api/v1/access/decisions\", "
	    "headers, body)\n"
	    "  end\n"
	    "end\n"
	    "function request()\n"
	    "  n = n + 1\n"
	    "  return reqs[n %% period]\n"
	    "end\n");
	if (fclose(f) != 0) {
		perror(path);
		return false;
	}
	return true;
}

struct worker {
	struct sim *s;
	int index;
};

static int
cmp_i64(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;

	return (x > y) - (x < y);
}

static void *
worker_main(void *arg)
{
	struct worker *w = arg;
	struct sim *s = w->s;
	uint64_t n = (uint64_t)w->index * 7919u;

	while (ch_clock_mono_ms() < s->deadline_ms) {
		struct ch_ctx ctx;
		struct ch_decision_request rq = {0};
		struct ch_decision d;
		struct timespec t0, t1;
		int64_t us;
		size_t who, step;
		ch_err err;

		n += (uint64_t)s->threads;
		who = n % s->nbadges;
		step = (n / s->nbadges) % s->walk_len;
		ch_cli_ctx(&ctx, s->store);
		ctx.source = "simulate-readers";
		rq.point_id = s->walk_point[step];
		rq.direction = s->walk_dir[step];
		rq.badge = s->badges[who];
		rq.device_post_id = s->post_id;
		clock_gettime(CLOCK_MONOTONIC, &t0);
		err = ch_gate_decide(&ctx, &rq, &d);
		clock_gettime(CLOCK_MONOTONIC, &t1);
		us = (int64_t)(t1.tv_sec - t0.tv_sec) * 1000000 +
		    (t1.tv_nsec - t0.tv_nsec) / 1000;
		pthread_mutex_lock(&s->lock);
		if (err != CH_OK)
			s->failed++;
		else if (d.result.granted)
			s->granted++;
		else
			s->denied++;
		if (s->nlat < s->caplat)
			s->lat_us[s->nlat++] = us;
		pthread_mutex_unlock(&s->lock);
		ch_cli_ctx_free(&ctx);
	}
	return NULL;
}

static int
run_inprocess(struct sim *s, long seconds, bool group_commit, bool pipelined)
{
	pthread_t tids[64];
	struct worker ws[64];
	struct ch_gate_stats st;
	int64_t t0;
	double secs, total;

	s->caplat = 4u * 1024 * 1024;
	s->lat_us = calloc(s->caplat, sizeof(*s->lat_us));
	if (s->lat_us == NULL)
		return CH_EXIT_FAIL;
	pthread_mutex_init(&s->lock, NULL);
	if (group_commit &&
	    ch_gate_committer_start_ex(s->store, 512, pipelined) != CH_OK)
		return CH_EXIT_FAIL;
	t0 = ch_clock_mono_ms();
	s->deadline_ms = t0 + seconds * 1000;
	for (int i = 0; i < s->threads; i++) {
		ws[i] = (struct worker){s, i};
		pthread_create(&tids[i], NULL, worker_main, &ws[i]);
	}
	for (int i = 0; i < s->threads; i++)
		pthread_join(tids[i], NULL);
	secs = (double)(ch_clock_mono_ms() - t0) / 1000.0;
	if (group_commit)
		ch_gate_committer_stop();
	ch_gate_stats(&st);
	qsort(s->lat_us, s->nlat, sizeof(*s->lat_us), cmp_i64);
	total = (double)(s->granted + s->denied);
	printf("decisions %.0f in %.1f s: %.0f/s (granted %llu, denied %llu, "
	       "failed %llu)\n",
	    total, secs, total / secs, (unsigned long long)s->granted,
	    (unsigned long long)s->denied, (unsigned long long)s->failed);
	if (s->nlat > 0) {
		size_t p50 = s->nlat / 2, p99 = s->nlat * 99 / 100;

		printf("latency p50 %.2f ms, p99 %.2f ms, max %.2f ms\n",
		    (double)s->lat_us[p50] / 1000.0,
		    (double)s->lat_us[p99] / 1000.0,
		    (double)s->lat_us[s->nlat - 1] / 1000.0);
	}
	printf("group commit %s: %llu batches, mean %.1f, largest %llu\n",
	    !group_commit   ? "off"
		: pipelined ? "pipelined"
			    : "on",
	    (unsigned long long)st.batches,
	    st.batches ? (double)st.decisions / (double)st.batches : 0.0,
	    (unsigned long long)st.max_batch);
	if (group_commit && st.batches > 0 && st.decisions > 0)
		printf("committer: %.0f us of statements per decision "
		       "(%.0f us of CPU), %.0f us per commit\n",
		    (double)st.work_us / (double)st.decisions,
		    (double)st.work_cpu_us / (double)st.decisions,
		    (double)st.commit_us / (double)st.batches);
	if (pipelined && st.syncs > 0)
		printf("syncer: %llu syncs of the log, %.0f us each\n",
		    (unsigned long long)st.syncs,
		    (double)st.sync_us / (double)st.syncs);
	free(s->lat_us);
	pthread_mutex_destroy(&s->lock);
	return s->failed == 0 ? CH_EXIT_OK : CH_EXIT_FAIL;
}

int
ch_cmd_simulate_readers(int argc, char **argv)
{
	static const struct option longopts[] = {
	    {"dir", required_argument, NULL, 'd'},
	    {"db", required_argument, NULL, 'D'},
	    {"post", required_argument, NULL, 'P'},
	    {"people", required_argument, NULL, 'n'},
	    {"wrk-script", required_argument, NULL, 'w'},
	    {"seconds", required_argument, NULL, 's'},
	    {"threads", required_argument, NULL, 't'},
	    {"group-commit", required_argument, NULL, 'g'},
	    {"help", no_argument, NULL, 'h'},
	    {NULL, 0, NULL, 0},
	};
	struct ch_cli_common common = {0};
	struct sim s;
	struct ch_ctx ctx;
	const char *post = NULL, *wrk = NULL;
	long people = 0, seconds = 0, threads = 8;
	bool group_commit = true, pipelined = false;
	int ch, rc = CH_EXIT_OK;

	memset(&s, 0, sizeof(s));
	optind = 1;
	while ((ch = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
		switch (ch) {
		case 'd':
			common.dir = optarg;
			break;
		case 'D':
			common.db = optarg;
			break;
		case 'P':
			post = optarg;
			break;
		case 'n':
			if (!ch_parse_long(optarg, 1, 100000, &people))
				goto usage;
			break;
		case 'w':
			wrk = optarg;
			break;
		case 's':
			if (!ch_parse_long(optarg, 1, 3600, &seconds))
				goto usage;
			break;
		case 't':
			if (!ch_parse_long(optarg, 1, 64, &threads))
				goto usage;
			break;
		case 'g':
			if (strcmp(optarg, "on") != 0 &&
			    strcmp(optarg, "off") != 0 &&
			    strcmp(optarg, "pipelined") != 0)
				goto usage;
			group_commit = strcmp(optarg, "off") != 0;
			pipelined = strcmp(optarg, "pipelined") == 0;
			break;
		case 'h':
			fputs(usage, stdout);
			return CH_EXIT_OK;
		default:
			goto usage;
		}
	}
	if (optind != argc || (people == 0 && wrk == NULL && seconds == 0))
		goto usage;
	if (common.dir == NULL)
		common.dir = CH_DEFAULT_DIR;
	s.store = ch_cli_open_store(&common, (int)threads + 2);
	if (s.store == NULL)
		return CH_EXIT_FAIL;
	s.threads = (int)threads;
	ch_cli_ctx(&ctx, s.store);
	ctx.source = "simulate-readers";
	if (post != NULL
		? !ch_cli_find_post(&ctx, post, s.post_id)
		: !ch_cli_find_post(&ctx, "Embassy in Nairobi", s.post_id)) {
		fprintf(
		    stderr, "chancery: no such post; name it with --post\n");
		rc = CH_EXIT_FAIL;
		goto done;
	}
	if (!plan_walk(&ctx, &s) ||
	    (people > 0 && !ensure_people(&ctx, &s, people)) ||
	    !load_badges(&ctx, &s) || (wrk != NULL && !write_wrk(&s, wrk))) {
		rc = CH_EXIT_FAIL;
		goto done;
	}
	if (people > 0 || wrk != NULL)
		fprintf(stderr,
		    "chancery: %zu simulated badges, a walk of %zu steps\n",
		    s.nbadges, s.walk_len);
	if (seconds > 0)
		rc = run_inprocess(&s, seconds, group_commit, pipelined);
done:
	ch_cli_ctx_free(&ctx);
	free(s.badges);
	ch_cli_close_store(&common, s.store);
	return rc;
usage:
	fputs(usage, stderr);
	return CH_EXIT_USAGE;
}
