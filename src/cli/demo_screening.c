/*
 * demo_screening.c — the demo's watchlists: the real OFAC SDN, OFAC
 * consolidated and UN consolidated lists from the shared data folder
 * (../shared/data/watchlists from the working directory, or next to the
 * source tree the binary was built in, or $CHANCERY_WATCHLISTS), imported
 * once when the demo post is made, so that the demo screens against real
 * lists.  Without the folder the demo has no global lists, and says so.
 */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli/cli.h"
#include "screening/screening.h"

static bool
is_dir(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

/* The watchlists folder, into out; false when there is none. */
static bool
find_folder(char *out, size_t size)
{
	const char *env = getenv("CHANCERY_WATCHLISTS");
	char exe[PATH_MAX];
	ssize_t n;
	char *slash;

	if (env != NULL && *env != '\0') {
		snprintf(out, size, "%s", env);
		return is_dir(out);
	}
	snprintf(out, size, "../shared/data/watchlists");
	if (is_dir(out))
		return true;
	/* build/chancery in a checkout next to shared/: ../../shared. */
	n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	if (n <= 0)
		return false;
	exe[n] = '\0';
	for (int up = 0; up < 3 && (slash = strrchr(exe, '/')) != NULL; up++) {
		*slash = '\0';
		if ((size_t)snprintf(out, size,
			"%.1024s/shared/data/watchlists", exe) >= size)
			return false;
		if (is_dir(out))
			return true;
	}
	return false;
}

ch_err
ch_demo_screening(struct ch_ctx *ctx)
{
	static const struct {
		enum ch_watch_source source;
		const char *path;
	} lists[] = {
	    {CH_WATCH_SRC_OFAC_SDN, "ofac-sdn-2021-07"},
	    {CH_WATCH_SRC_OFAC_CONS, "ofac-consolidated-non-sdn"},
	    {CH_WATCH_SRC_UN, "un-consolidated/consolidated-2026-02-27.xml"},
	};
	char folder[2048], path[2200];
	struct ch_watchlist l;
	struct ch_watch_version v;
	int64_t t0 = ch_clock_mono_ms();
	ch_err err;

	if (!find_folder(folder, sizeof(folder))) {
		fprintf(stderr,
		    "chancery: no watchlists folder "
		    "(../shared/data/watchlists): the demo has no "
		    "OFAC or UN list\n");
		return CH_OK;
	}
	/* One index build and one re-screening for the three imports. */
	ch_watchlists_defer_refresh(true);
	for (size_t i = 0; i < CH_ARRAY_LEN(lists); i++) {
		snprintf(
		    path, sizeof(path), "%.2047s/%s", folder, lists[i].path);
		if (access(path, R_OK) != 0)
			continue;
		err = ch_watchlists_import_path(
		    ctx, NULL, lists[i].source, path, NULL, &l, &v);
		if (err != CH_OK) {
			ch_watchlists_defer_refresh(false);
			ch_cli_error("demo watchlist", err, &ctx->fault);
			return err;
		}
		fprintf(stderr, "chancery: %s: %lld entries\n", l.name,
		    (long long)v.entries);
	}
	ch_watchlists_defer_refresh(false);
	ch_watchlists_refresh(ctx, NULL);
	fprintf(stderr, "chancery: watchlists imported in %lld ms\n",
	    (long long)(ch_clock_mono_ms() - t0));
	return CH_OK;
}
