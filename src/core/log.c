/*
 * log.c — structured logging.  Each line on stderr is one JSON object:
 * {"time":..., "level":..., "func":..., "msg":...}.  Callers log once, where
 * an error is found, and never log secrets, tokens or passwords.
 */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "core/core.h"

static enum ch_log_level min_level = CH_LOG_INFO;
static bool quiet;
static pthread_mutex_t log_lock = PTHREAD_MUTEX_INITIALIZER;

static const char *const level_names[] = {"debug", "info", "warn", "error"};

void
ch_log_set_level(enum ch_log_level level)
{
	min_level = level;
}

void
ch_log_set_quiet(bool q)
{
	quiet = q;
}

void
ch_log(enum ch_log_level level, const char *func, const char *fmt, ...)
{
	char msg[1024], ts[CH_TIMESTAMP_LEN];
	struct ch_buf line;
	va_list ap;

	if (level < min_level || (quiet && level < CH_LOG_WARN))
		return;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	ch_time_format(ch_clock_now(), ts);
	ch_buf_init(&line, 4096);
	ch_buf_appendf(&line, "{\"time\":\"%s\",\"level\":\"%s\",\"func\":", ts,
	    level_names[level]);
	ch_buf_append_json(&line, func);
	ch_buf_append(&line, ",\"msg\":", 7);
	ch_buf_append_json(&line, msg);
	ch_buf_append(&line, "}", 1);
	ch_log_json_line(line.data);
	ch_buf_free(&line);
}

/* Access-log lines wait in a buffer (under log_lock) for at most
 * ACCESS_DELAY_MS, or until ACCESS_BUFFER fills, and go out in one
 * write: a busy gate answers tens of thousands of requests a second,
 * and a write(2) each was a twentieth of the server's time.  Any other
 * line flushes them first, so the log keeps its order; a thread flushes
 * them when the server is quiet, and exit() does. */
#define ACCESS_BUFFER (32u * 1024)
#define ACCESS_DELAY_MS 100

static char access_buf[ACCESS_BUFFER];
static size_t access_len;
static int64_t access_since_ms;
static pthread_once_t flusher_once = PTHREAD_ONCE_INIT;

/* Under log_lock. */
static void
access_flush_locked(void)
{
	size_t done = 0;

	while (done < access_len) {
		ssize_t n =
		    write(STDERR_FILENO, access_buf + done, access_len - done);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break; /* nowhere to write: drop them */
		done += (size_t)n;
	}
	access_len = 0;
}

void
ch_log_flush(void)
{
	pthread_mutex_lock(&log_lock);
	access_flush_locked();
	pthread_mutex_unlock(&log_lock);
}

static void *
flusher_main(void *arg)
{
	struct timespec tick = {0, ACCESS_DELAY_MS * 1000000L};

	(void)arg;
	for (;;) {
		nanosleep(&tick, NULL);
		pthread_mutex_lock(&log_lock);
		if (access_len > 0 &&
		    ch_clock_mono_ms() - access_since_ms >= ACCESS_DELAY_MS)
			access_flush_locked();
		pthread_mutex_unlock(&log_lock);
	}
	return NULL;
}

static void
flusher_start(void)
{
	pthread_t t;

	atexit(ch_log_flush);
	if (pthread_create(&t, NULL, flusher_main, NULL) == 0)
		pthread_detach(t);
}

void
ch_log_access_line(const char *json, size_t len)
{
	if (json == NULL)
		return;
	pthread_once(&flusher_once, flusher_start);
	pthread_mutex_lock(&log_lock);
	if (access_len + len + 1 > sizeof(access_buf))
		access_flush_locked();
	if (len + 1 > sizeof(access_buf)) {
		pthread_mutex_unlock(&log_lock);
		ch_log_json_line(json);
		return;
	}
	if (access_len == 0)
		access_since_ms = ch_clock_mono_ms();
	memcpy(access_buf + access_len, json, len);
	access_buf[access_len + len] = '\n';
	access_len += len + 1;
	if (ch_clock_mono_ms() - access_since_ms >= ACCESS_DELAY_MS)
		access_flush_locked();
	pthread_mutex_unlock(&log_lock);
}

void
ch_log_json_line(const char *json)
{
	static char line[8192]; /* under log_lock */
	size_t len;

	if (json == NULL)
		return;
	pthread_mutex_lock(&log_lock);
	access_flush_locked();
	/* One write(2) for the line and its newline (stderr is
	 * unbuffered: fputs and fputc would be two, and fprintf formats
	 * through a buffer of its own). */
	len = strlen(json);
	if (len < sizeof(line)) {
		memcpy(line, json, len);
		line[len] = '\n';
		fwrite(line, 1, len + 1, stderr);
	} else {
		fputs(json, stderr);
		fputc('\n', stderr);
	}
	fflush(stderr);
	pthread_mutex_unlock(&log_lock);
}
