/*
 * log.c — structured logging.  Each line on stderr is one JSON object:
 * {"time":..., "level":..., "func":..., "msg":...}.  Callers log once, where
 * an error is found, and never log secrets, tokens or passwords.
 */
#include <pthread.h>
#include <stdio.h>
#include <string.h>

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

/* Append s to out as the inside of a JSON string, escaped. */
static void
json_escape(struct ch_buf *out, const char *s)
{
	for (; *s != '\0'; s++) {
		unsigned char c = (unsigned char)*s;

		if (c == '"' || c == '\\')
			ch_buf_appendf(out, "\\%c", c);
		else if (c < 0x20)
			ch_buf_appendf(out, "\\u%04x", c);
		else
			ch_buf_append(out, s, 1);
	}
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
	ch_buf_appendf(&line, "{\"time\":\"%s\",\"level\":\"%s\",\"func\":\"",
	    ts, level_names[level]);
	json_escape(&line, func);
	ch_buf_append(&line, "\",\"msg\":\"", 9);
	json_escape(&line, msg);
	ch_buf_append(&line, "\"}", 2);
	ch_log_json_line(line.data);
	ch_buf_free(&line);
}

void
ch_log_json_line(const char *json)
{
	static char line[8192]; /* under log_lock */
	size_t len;

	if (json == NULL)
		return;
	pthread_mutex_lock(&log_lock);
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
