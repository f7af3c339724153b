/*
 * core.h — the shared vocabulary of Chancery: the one error enum, logging,
 * the clock, the per-request arena, bounded buffers, identifiers, time
 * formatting and UTF-8 checks.  Every module includes this header; it
 * depends on nothing but libc.
 *
 * Conventions: action functions return ch_err and hand results through
 * out-parameters; predicates return bool; constructors return NULL on
 * failure; destroy functions accept NULL.
 */
#ifndef CH_CORE_H
#define CH_CORE_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

/* ---- error.c: one family of result codes, append-only. ---- */
typedef enum ch_err {
	CH_OK = 0,
	CH_ERR_NOMEM,           /* an allocation failed */
	CH_ERR_INVALID,         /* input failed validation */
	CH_ERR_NOT_FOUND,       /* no such record */
	CH_ERR_CONFLICT,        /* unique key or version conflict */
	CH_ERR_DENIED,          /* the access policy refused */
	CH_ERR_UNAUTHENTICATED, /* no valid session or token */
	CH_ERR_STORE,           /* the database failed */
	CH_ERR_IO,              /* a file or socket failed */
	CH_ERR_BUSY,            /* the database stayed locked */
	CH_ERR_TOO_LARGE,       /* input over its limit */
	CH_ERR_SCHEMA_NEWER,    /* the database is newer than the binary */
	CH_ERR_CRYPTO,          /* a cryptographic operation failed */
	CH_ERR_LIMIT,           /* a rate or concurrency limit was hit */
	CH_ERR_UNSUPPORTED,     /* not available in this build or backend */
	CH_ERR_INTERNAL,        /* a broken invariant */
	CH_ERR_PRECONDITION,    /* If-Match did not match the record version */
	CH_ERR_REPLAY,          /* a one-time code was used again */
} ch_err;

const char *ch_strerror(ch_err err);

/*
 * A fault carries what a person needs to fix bad input: the field (a JSON
 * pointer such as "/nationality", or "line 4, field name" for CSV) and a
 * sentence saying what was wrong and what to do.  Use cases fill it when
 * they return CH_ERR_INVALID, CH_ERR_CONFLICT or CH_ERR_NOT_FOUND.
 */
struct ch_fault {
	char field[96];
	char detail[320];
};
void ch_fault_set(struct ch_fault *f, const char *field, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* ---- log.c: structured log lines (JSON) on stderr. ---- */
enum ch_log_level { CH_LOG_DEBUG, CH_LOG_INFO, CH_LOG_WARN, CH_LOG_ERROR };
void ch_log_set_level(enum ch_log_level level);
void ch_log_set_quiet(bool quiet);
void ch_log(enum ch_log_level level, const char *func, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* Write one preformatted JSON object as a log line (the access log). */
void ch_log_json_line(const char *json);
/* An access-log line (no newline): buffered for at most 100 ms. */
void ch_log_access_line(const char *json, size_t len);
/* Write the buffered access-log lines now. */
void ch_log_flush(void);
#define log_debug(...) ch_log(CH_LOG_DEBUG, __func__, __VA_ARGS__)
#define log_info(...) ch_log(CH_LOG_INFO, __func__, __VA_ARGS__)
#define log_warn(...) ch_log(CH_LOG_WARN, __func__, __VA_ARGS__)
#define log_error(...) ch_log(CH_LOG_ERROR, __func__, __VA_ARGS__)

/* ---- clock.c: the one source of time, movable by tests. ---- */
/* Seconds since the epoch, UTC. */
int64_t ch_clock_now(void);
/* Milliseconds on a monotonic clock, for durations. */
int64_t ch_clock_mono_ms(void);
/* Tests and the demo may shift the wall clock by a fixed offset. */
void ch_clock_set_offset(int64_t seconds);

/* ---- time.c: ISO 8601 UTC. ---- */
#define CH_TIMESTAMP_LEN 21 /* "2026-11-25T20:50:58Z" + NUL */
#define CH_DATE_LEN 11      /* "2026-11-25" + NUL */
void ch_time_format(int64_t t, char out[CH_TIMESTAMP_LEN]);
/* Parse "YYYY-MM-DDTHH:MM:SSZ" (also with fraction or +00:00). */
bool ch_time_parse(const char *s, int64_t *out);
/* A calendar date "YYYY-MM-DD" that exists. */
bool ch_date_valid(const char *s);
/* Today's date (UTC) from the clock. */
void ch_date_today(char out[CH_DATE_LEN]);

/* ---- tz.c: a post's local calendar (IANA zones, through ICU). ---- */
/* Whether tz is a time zone ICU knows ("Africa/Nairobi"). */
bool ch_tz_known(const char *tz);
/* The local ISO weekday (1 Monday .. 7) and minute of day of t in zone tz
 * (UTC when tz is not known): for schedules. */
void ch_local_time(int64_t t, const char *tz, int *weekday, int *minute);
/* The local date at instant t in zone tz (UTC when tz is not known). */
void ch_tz_date(int64_t t, const char *tz, char out[CH_DATE_LEN]);
/* The instants at which local day date begins and the next begins in
 * zone tz: 23 to 25 hours apart across a daylight-saving change. */
bool ch_tz_day_bounds(
    const char *date, const char *tz, int64_t *start, int64_t *end);

/* ---- arena.c: per-request memory, freed in one go. ---- */
typedef struct ch_arena ch_arena;
/* An arena that refuses to grow past max_bytes (0: 64 MiB). */
ch_arena *ch_arena_create(size_t max_bytes);
void ch_arena_destroy(ch_arena *a);
/* Zeroed memory from the arena, or NULL past its limit. */
void *ch_arena_alloc(ch_arena *a, size_t n);
char *ch_arena_strdup(ch_arena *a, const char *s);
char *ch_arena_strndup(ch_arena *a, const char *s, size_t n);
char *ch_arena_printf(ch_arena *a, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* ---- buf.c: a growing byte buffer with a hard maximum. ---- */
struct ch_buf {
	char *data; /* always NUL-terminated when len > 0 */
	size_t len;
	size_t cap;
	size_t max; /* growth past this fails with CH_ERR_TOO_LARGE */
};
void ch_buf_init(struct ch_buf *b, size_t max);
ch_err ch_buf_append(struct ch_buf *b, const void *data, size_t n);
/* Append s as a JSON string: quoted, escaped, a byte that is not UTF-8
 * as U+FFFD; NULL as null.  For JSON written by hand on hot paths (the
 * access log, the gate's answer). */
ch_err ch_buf_append_json(struct ch_buf *b, const char *s);
ch_err ch_buf_appendf(struct ch_buf *b, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
/* Append a C string, or v in decimal: no format to parse, for hot paths. */
ch_err ch_buf_append_str(struct ch_buf *b, const char *s);
ch_err ch_buf_append_u64(struct ch_buf *b, uint64_t v);
/* v in decimal into out (NUL-terminated); returns its length. */
#define CH_U64_DIGITS 21 /* 20 digits + NUL */
size_t ch_u64_text(uint64_t v, char out[CH_U64_DIGITS]);
void ch_buf_reset(struct ch_buf *b);
void ch_buf_free(struct ch_buf *b);

/* ---- id.c: record identifiers. ---- */
#define CH_ID_LEN 37 /* UUID text + NUL */
/* A time-ordered random identifier (UUID version 7). */
void ch_id_new(char out[CH_ID_LEN]);
bool ch_id_valid(const char *s);
/* Fill buf with n random bytes from the system's CSPRNG. */
void ch_random_bytes(void *buf, size_t n);
/* 16 random bytes for an identifier (not a secret: a record id, a
 * request id), from a per-thread pool filled 512 bytes at a time. */
void ch_random_id(unsigned char out[16]);

/* ---- text.c: UTF-8 and small string helpers. ---- */
bool ch_utf8_valid(const char *s, size_t n);
/* Count code points; -1 if invalid UTF-8. */
long ch_utf8_length(const char *s, size_t n);
/* Copy at most size-1 bytes and NUL-terminate; false if truncated. */
bool ch_strlcpy(char *dst, const char *src, size_t size);
/* What ch_text_check() asks of a text. */
enum ch_text_rule {
	CH_TEXT_REQUIRED = 1u << 0,  /* absent or "" is refused */
	CH_TEXT_MULTILINE = 1u << 1, /* newlines and tabs are allowed */
	CH_TEXT_TRIMMED = 1u << 2,   /* no leading or trailing space */
};
/*
 * Check a text a person typed: UTF-8, at most max code points, no control
 * characters (but newlines and tabs with CH_TEXT_MULTILINE; C1 controls
 * and DEL are refused too), no bidirectional embeddings, overrides or
 * isolates (U+202A-202E, U+2066-2069), and the rules
 * in flags.  On refusal fills fault (field is a JSON pointer, "/title";
 * the message names the field without its slash) and returns false.
 */
bool ch_text_check(struct ch_fault *fault, const char *field, const char *s,
    long max, unsigned flags);
/* Parse a whole decimal integer in [min, max]. */
bool ch_parse_long(const char *s, long min, long max, long *out);
bool ch_streq(const char *a, const char *b);
/* Lower-case ASCII hex of n bytes; out must hold 2n+1. */
void ch_hex(const unsigned char *in, size_t n, char *out);
/* Decode exactly 2n lower-case hex digits (then NUL) into n bytes. */
bool ch_unhex(const char *hex, unsigned char *out, size_t n);

#define CH_ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))

#endif /* CH_CORE_H */
