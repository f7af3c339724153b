/*
 * metrics.c — Prometheus text format.  Requests are counted by route
 * pattern, method and status (the pattern, not the path, keeps the label
 * set small), with a latency histogram per route; database timings come
 * from the store.
 */
#include <pthread.h>
#include <stdio.h>
#include <string.h>

#include "core/events.h"
#include "http/http.h"
#include "store/store.h"

#define MAX_SERIES 256
#define NBUCKETS 11

static const double buckets[NBUCKETS] = {
    0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5};

struct series {
	const char *route; /* static: a route pattern */
	char method[8];
	unsigned status;
	uint64_t count;
};

struct histogram {
	const char *route;
	uint64_t bucket[NBUCKETS];
	uint64_t count;
	double sum;
};

static struct series series[MAX_SERIES];
static size_t nseries;
static struct histogram histograms[MAX_SERIES];
static size_t nhistograms;
static pthread_mutex_t metrics_lock = PTHREAD_MUTEX_INITIALIZER;
static struct ch_store *metrics_store;
static int64_t started_at;

void
ch_metrics_set_store(struct ch_store *store)
{
	metrics_store = store;
	started_at = ch_clock_now();
}

void
ch_metrics_record(
    const char *route, const char *method, unsigned status, int64_t micros)
{
	double seconds = (double)micros / 1e6;
	size_t i;

	pthread_mutex_lock(&metrics_lock);
	for (i = 0; i < nseries; i++)
		if (series[i].route == route && series[i].status == status &&
		    strcmp(series[i].method, method) == 0)
			break;
	if (i == nseries && nseries < MAX_SERIES) {
		series[i].route = route;
		ch_strlcpy(series[i].method, method, sizeof(series[i].method));
		series[i].status = status;
		nseries++;
	}
	if (i < nseries)
		series[i].count++;
	for (i = 0; i < nhistograms; i++)
		if (histograms[i].route == route)
			break;
	if (i == nhistograms && nhistograms < MAX_SERIES)
		histograms[nhistograms++].route = route;
	if (i < nhistograms) {
		for (size_t b = 0; b < NBUCKETS; b++)
			if (seconds <= buckets[b])
				histograms[i].bucket[b]++;
		histograms[i].count++;
		histograms[i].sum += seconds;
	}
	pthread_mutex_unlock(&metrics_lock);
}

void
ch_h_metrics(struct ch_req *req)
{
	struct ch_store_stats st = {0};
	struct ch_buf b;

	ch_buf_init(&b, 4 * 1024 * 1024);
	ch_buf_appendf(&b,
	    "# HELP chancery_http_requests_total HTTP requests by route, "
	    "method and status.\n"
	    "# TYPE chancery_http_requests_total counter\n");
	pthread_mutex_lock(&metrics_lock);
	for (size_t i = 0; i < nseries; i++)
		ch_buf_appendf(&b,
		    "chancery_http_requests_total{route=\"%s\",method=\"%s\","
		    "status=\"%u\"} %llu\n",
		    series[i].route, series[i].method, series[i].status,
		    (unsigned long long)series[i].count);
	ch_buf_appendf(&b,
	    "# HELP chancery_http_request_duration_seconds Time to answer.\n"
	    "# TYPE chancery_http_request_duration_seconds histogram\n");
	for (size_t i = 0; i < nhistograms; i++) {
		for (size_t k = 0; k < NBUCKETS; k++)
			ch_buf_appendf(&b,
			    "chancery_http_request_duration_seconds_bucket{"
			    "route=\"%s\",le=\"%g\"} %llu\n",
			    histograms[i].route, buckets[k],
			    (unsigned long long)histograms[i].bucket[k]);
		ch_buf_appendf(&b,
		    "chancery_http_request_duration_seconds_bucket{route=\"%"
		    "s\","
		    "le=\"+Inf\"} %llu\n"
		    "chancery_http_request_duration_seconds_sum{route=\"%s\"} "
		    "%.6f\n"
		    "chancery_http_request_duration_seconds_count{route=\"%s\"}"
		    " "
		    "%llu\n",
		    histograms[i].route,
		    (unsigned long long)histograms[i].count,
		    histograms[i].route, histograms[i].sum, histograms[i].route,
		    (unsigned long long)histograms[i].count);
	}
	pthread_mutex_unlock(&metrics_lock);
	if (metrics_store != NULL)
		ch_store_stats(metrics_store, &st);
	ch_buf_appendf(&b,
	    "# HELP chancery_db_queries_total Database statements run.\n"
	    "# TYPE chancery_db_queries_total counter\n"
	    "chancery_db_queries_total %llu\n"
	    "# HELP chancery_db_query_seconds_total Time in statements.\n"
	    "# TYPE chancery_db_query_seconds_total counter\n"
	    "chancery_db_query_seconds_total %.6f\n"
	    "# HELP chancery_db_transactions_total Transactions begun.\n"
	    "# TYPE chancery_db_transactions_total counter\n"
	    "chancery_db_transactions_total %llu\n"
	    "# HELP chancery_db_commit_seconds_total Time in commits.\n"
	    "# TYPE chancery_db_commit_seconds_total counter\n"
	    "chancery_db_commit_seconds_total %.6f\n"
	    "# HELP chancery_db_errors_total Failed statements.\n"
	    "# TYPE chancery_db_errors_total counter\n"
	    "chancery_db_errors_total %llu\n"
	    "# HELP chancery_db_busy_total Statements that met a lock.\n"
	    "# TYPE chancery_db_busy_total counter\n"
	    "chancery_db_busy_total %llu\n"
	    "# HELP chancery_events_published_total Events on the bus.\n"
	    "# TYPE chancery_events_published_total counter\n"
	    "chancery_events_published_total %llu\n"
	    "# HELP chancery_start_time_seconds Start of the process.\n"
	    "# TYPE chancery_start_time_seconds gauge\n"
	    "chancery_start_time_seconds %lld\n",
	    (unsigned long long)st.queries, (double)st.query_us / 1e6,
	    (unsigned long long)st.transactions, (double)st.commit_us / 1e6,
	    (unsigned long long)st.errors, (unsigned long long)st.busy,
	    (unsigned long long)ch_events_published(), (long long)started_at);
	req->status = 200;
	req->reply_type = "text/plain; version=0.0.4; charset=utf-8";
	req->reply_text =
	    ch_arena_strndup(req->arena, b.data ? b.data : "", b.len);
	req->reply_len = b.len;
	ch_buf_free(&b);
}
