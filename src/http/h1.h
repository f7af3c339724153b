/*
 * h1.h — a strict parser of HTTP/1.1 request heads (RFC 9112), for the
 * device listener (devport.c).  It parses in place: the head's bytes are
 * cut into NUL-terminated strings (the path and the query's values
 * percent-decoded), so what it returns points into the caller's buffer.
 *
 * It accepts what a gate reader or a load tool sends and refuses the rest
 * with the status to answer and a sentence saying what was wrong: origin-
 * form targets only, CRLF line ends, no folded lines, no
 * Transfer-Encoding (a body has a Content-Length), one Content-Length,
 * a Host on HTTP/1.1.
 */
#ifndef CH_HTTP_H1_H
#define CH_HTTP_H1_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define CH_H1_MAX_FIELDS 48
#define CH_H1_MAX_ARGS 16
#define CH_H1_MAX_METHOD 16

struct ch_h1_field {
	const char *name; /* as sent; compare without regard to case */
	const char *value;
};

struct ch_h1_head {
	const char *method;
	const char *path;     /* percent-decoded */
	const char *raw_path; /* the target as sent, query and all */
	int minor;            /* HTTP/1.<minor>: 0 or 1 */
	size_t head_len;      /* the head's bytes, the blank line included */
	struct ch_h1_field fields[CH_H1_MAX_FIELDS];
	size_t nfields;
	struct ch_h1_field args[CH_H1_MAX_ARGS]; /* the query, decoded */
	size_t nargs;
	int64_t content_length; /* -1: none given */
	bool keep_alive;        /* the connection stays open after */
	bool expect_continue;   /* Expect: 100-continue */
	/* CH_H1_BAD: the status to answer (400, 414, 431, 501, 505) and why. */
	unsigned error_status;
	const char *error;
};

enum ch_h1_result {
	CH_H1_DONE, /* a whole head: h is filled, buf[0, head_len) is cut */
	CH_H1_MORE, /* no end of the head yet, and room for it */
	CH_H1_BAD,  /* refused: h->error_status and h->error say why */
};

/*
 * Parse the head at the start of buf (len bytes).  A head longer than
 * max_head bytes is refused (431).  On CH_H1_DONE the first head_len bytes
 * of buf have been rewritten; the rest is untouched.  On CH_H1_MORE buf is
 * untouched.
 */
enum ch_h1_result ch_h1_parse(
    char *buf, size_t len, size_t max_head, struct ch_h1_head *h);

/* The head's bytes were copied from `from` to `to` (the buffer grew while
 * the body was awaited): the strings h points to are made to point into
 * the copy.  Strings that are not in the head (the "" of a query argument
 * without '=', the error's sentence) are left as they are. */
void ch_h1_rebase(struct ch_h1_head *h, const char *from, const char *to);

/* A field's value (the first of that name), or NULL. */
const char *ch_h1_field(const struct ch_h1_head *h, const char *name);
/* A query argument's value (the first of that name), or NULL. */
const char *ch_h1_arg(const struct ch_h1_head *h, const char *name);

#endif
