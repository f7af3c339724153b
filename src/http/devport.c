/*
 * devport.c — the device listener: the device routes (access decisions,
 * sensor alarms, tour scans, a device's own record) on a port of their
 * own, spoken in HTTP/1.1 by this file rather than by libmicrohttpd.
 *
 * Why: a gate reader's decision waits for its batch to reach the disk.
 * libmicrohttpd suspends the connection meanwhile and resumes it through
 * an eventfd and a pair of epoll_ctl calls, wakes a worker to send the
 * answer, and allocates the answer's headers one by one: about a fifth of
 * the server's CPU for a decision.  Here a connection is registered with
 * epoll once (edge-triggered) and never re-armed; the thread that learns
 * the batch is on disk formats and sends the answer itself, and hands the
 * connection back to its worker only when input is already waiting.
 *
 * What it accepts is narrow on purpose: device tokens only (no cookies,
 * so no browser can be made to send anything here), the device routes
 * only, heads of at most 8 KiB (h1.c's strict parser), bodies with a
 * Content-Length up to the route's limit (no chunked bodies), the same
 * limits of connections (in all and per address) and the same idle
 * timeout as the main port (which also bounds the time a request may take
 * to arrive whole, from its first byte), no further request read while
 * OUT_HIGH bytes of answers wait for the peer to take them, TLS 1.2/1.3
 * with the main port's certificate and priorities unless the server runs
 * plain HTTP on loopback.  Requests
 * then go through the same pipeline as the main port's (server_int.h):
 * admission, the JSON body's schema, the handler, the access log.
 *
 * Ownership: a connection belongs to its worker thread, except while a
 * deferred request holds it ("busy"): then the thread that resumes the
 * request owns it until it clears busy under the connection's lock.  A
 * worker that sees input on a busy connection notes it, and the resuming
 * thread queues the connection back to the worker.  Only a worker closes
 * and frees a connection.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <gnutls/gnutls.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "http/h1.h"
#include "http/server_int.h"

#define MAX_HEAD 8192u
#define MAX_WORKERS 16u
#define RAW_SIZE 8192u /* TLS: bytes read from the socket at once */
#define IN_START 4096u
/* Answers in c->out (not yet all sent; it is emptied when they are) past
 * which no further request is read: a peer that does not read its answers
 * stops being served, rather than filling c->out to its limit. */
#define OUT_HIGH (64u * 1024u)

struct worker;

struct dconn {
	int fd;
	gnutls_session_t tls; /* NULL: plain HTTP */
	bool handshaken;
	bool tls_again;   /* a TLS send to repeat (GnuTLS's EAGAIN) */
	bool drained;     /* the socket's input was read to its end */
	bool close_after; /* the last answer ends the connection */
	bool have_head;   /* head parsed; waiting for the body */
	bool continued;   /* 100 Continue sent for this head */
	bool peer_closed; /* the peer sent its end */
	struct worker *w;
	char *in; /* received bytes not yet consumed */
	size_t in_len, in_cap;
	size_t need;        /* with have_head: head and body's bytes */
	char raw[RAW_SIZE]; /* TLS: ciphertext read, not yet decrypted */
	size_t raw_len, raw_off;
	struct ch_buf out; /* the answer being sent */
	size_t out_off;
	struct ch_h1_head head;
	/* Under mu: */
	pthread_mutex_t mu;
	bool busy;          /* a deferred request owns the connection */
	bool input_pending; /* input came while busy */
	/* The worker's: */
	int64_t active_ms;  /* last activity, for the idle timeout */
	int64_t request_ms; /* the first byte of a request not yet whole
			       came then (0: none); the timeout again */
	char source[64];
	struct dconn *prev, *next; /* the worker's connections */
	struct dconn *ready_next;  /* the worker's ready queue (w->mu) */
	bool queued;               /* on it (w->mu) */
};

/* A request on the device listener: its state first, so that the request
 * is the address of both. */
struct dreq {
	struct ch_req_state st;
	struct dconn *c;
	bool keep_alive;
};

struct worker {
	struct ch_devport *dp;
	pthread_t thread;
	bool started;
	int ep;
	int wake; /* eventfd: the ready queue has connections */
	pthread_mutex_t mu;
	struct dconn *ready;
	struct dconn *conns;
};

struct addr_count {
	char addr[64];
	unsigned n;
};

struct ch_devport {
	int lfd;
	unsigned port;
	bool tls;
	gnutls_certificate_credentials_t cred;
	gnutls_priority_t prio;
	unsigned nworkers;
	struct worker workers[MAX_WORKERS];
	_Atomic bool stopping;
	int64_t timeout_ms;
	unsigned max_conns, per_addr;
	size_t in_max; /* head and the largest device route's body */
	const struct ch_route *routes;
	size_t nroutes;
	/* Refused connections not yet logged, and when they last were
	 * (any worker may write them: a count, not an exact one). */
	_Atomic unsigned refused;
	_Atomic int64_t refused_logged_ms;
	pthread_mutex_t addr_mu;
	struct addr_count *addrs; /* max_conns entries */
	unsigned nconns;          /* addr_mu */
};

/* Markers of the epoll events that are not connections. */
static char listen_marker, wake_marker;

static int64_t
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* ---- limits of connections ---- */

static bool
addr_take(struct ch_devport *dp, const char *addr)
{
	struct addr_count *free_slot = NULL;
	bool ok = false;

	pthread_mutex_lock(&dp->addr_mu);
	if (dp->nconns < dp->max_conns) {
		for (unsigned i = 0; i < dp->max_conns; i++) {
			struct addr_count *a = &dp->addrs[i];

			if (a->n > 0 && strcmp(a->addr, addr) == 0) {
				free_slot = a;
				break;
			}
			if (a->n == 0 && free_slot == NULL)
				free_slot = a;
		}
		if (free_slot != NULL && free_slot->n < dp->per_addr) {
			if (free_slot->n == 0)
				ch_strlcpy(free_slot->addr, addr,
				    sizeof(free_slot->addr));
			free_slot->n++;
			dp->nconns++;
			ok = true;
		}
	}
	pthread_mutex_unlock(&dp->addr_mu);
	return ok;
}

static void
addr_release(struct ch_devport *dp, const char *addr)
{
	pthread_mutex_lock(&dp->addr_mu);
	for (unsigned i = 0; i < dp->max_conns; i++) {
		struct addr_count *a = &dp->addrs[i];

		if (a->n > 0 && strcmp(a->addr, addr) == 0) {
			a->n--;
			dp->nconns--;
			break;
		}
	}
	pthread_mutex_unlock(&dp->addr_mu);
}

/* ---- transport: plain or TLS ---- */

/* GnuTLS reads through this: the socket is read RAW_SIZE bytes at a time,
 * so that a short read says the socket is drained (edge-triggered epoll
 * needs no further read to find out). */
static ssize_t
tls_pull(gnutls_transport_ptr_t ptr, void *data, size_t size)
{
	struct dconn *c = ptr;
	size_t n;

	if (c->raw_off == c->raw_len) {
		ssize_t got;

		c->raw_off = c->raw_len = 0;
		if (c->drained) {
			gnutls_transport_set_errno(c->tls, EAGAIN);
			return -1;
		}
		got = recv(c->fd, c->raw, sizeof(c->raw), 0);
		if (got < 0) {
			if (errno == EAGAIN || errno == EWOULDBLOCK)
				c->drained = true;
			gnutls_transport_set_errno(c->tls, errno);
			return -1;
		}
		if ((size_t)got < sizeof(c->raw))
			c->drained = true;
		c->raw_len = (size_t)got;
		if (got == 0)
			return 0;
	}
	n = c->raw_len - c->raw_off;
	if (n > size)
		n = size;
	memcpy(data, c->raw + c->raw_off, n);
	c->raw_off += n;
	return (ssize_t)n;
}

static ssize_t
tls_push(gnutls_transport_ptr_t ptr, const void *data, size_t size)
{
	struct dconn *c = ptr;
	ssize_t n = send(c->fd, data, size, MSG_NOSIGNAL);

	if (n < 0)
		gnutls_transport_set_errno(c->tls, errno);
	return n;
}

/* Whether input may be buffered inside the connection, unread by epoll's
 * lights: bytes not consumed, TLS records read but not decrypted. */
static bool
input_buffered(struct dconn *c)
{
	return c->in_len > 0 || c->raw_off < c->raw_len ||
	    (c->tls != NULL && c->handshaken &&
		gnutls_record_check_pending(c->tls) > 0);
}

/* Read what the socket holds into c->in.  1: read something or nothing
 * was there; 0: the peer closed; -1: an error. */
static int
conn_read(struct ch_devport *dp, struct dconn *c)
{
	for (;;) {
		ssize_t n;

		if (c->in_len == c->in_cap) {
			size_t cap = c->in_cap > 0 ? c->in_cap * 2 : IN_START;
			char *p;

			if (c->in_cap >= dp->in_max)
				return 1; /* full: the parser decides */
			if (cap > dp->in_max)
				cap = dp->in_max;
			/* Not realloc: a parsed head awaiting its body points
			 * into c->in, and must be moved along with it. */
			if ((p = malloc(cap)) == NULL)
				return -1;
			memcpy(p, c->in, c->in_len);
			if (c->have_head)
				ch_h1_rebase(&c->head, c->in, p);
			free(c->in);
			c->in = p;
			c->in_cap = cap;
		}
		if (c->tls != NULL) {
			if (c->drained && c->raw_off == c->raw_len &&
			    gnutls_record_check_pending(c->tls) == 0)
				return 1;
			n = gnutls_record_recv(
			    c->tls, c->in + c->in_len, c->in_cap - c->in_len);
			if (n == GNUTLS_E_AGAIN || n == GNUTLS_E_INTERRUPTED)
				return 1;
			if (n < 0)
				return -1;
			if (n == 0)
				return 0;
			c->in_len += (size_t)n;
		} else {
			if (c->drained)
				return 1;
			n = recv(
			    c->fd, c->in + c->in_len, c->in_cap - c->in_len, 0);
			if (n < 0)
				return errno == EAGAIN ||
					errno == EWOULDBLOCK || errno == EINTR
				    ? (c->drained = true, 1)
				    : -1;
			if (n == 0)
				return 0;
			if ((size_t)n < c->in_cap - c->in_len)
				c->drained = true;
			c->in_len += (size_t)n;
		}
		c->active_ms = now_ms();
	}
}

/* Send what is left of c->out.  True when all of it went (or an error
 * ended the connection: *failed); false when the socket is full. */
static bool
conn_flush(struct dconn *c, bool *failed)
{
	*failed = false;
	while (c->out_off < c->out.len) {
		ssize_t n;

		if (c->tls != NULL) {
			n = c->tls_again ? gnutls_record_send(c->tls, NULL, 0)
					 : gnutls_record_send(c->tls,
					       c->out.data + c->out_off,
					       c->out.len - c->out_off);
			if (n == GNUTLS_E_AGAIN || n == GNUTLS_E_INTERRUPTED) {
				c->tls_again = true;
				return false;
			}
			c->tls_again = false;
		} else {
			n = send(c->fd, c->out.data + c->out_off,
			    c->out.len - c->out_off, MSG_NOSIGNAL);
			if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
				return false;
			if (n < 0 && errno == EINTR)
				continue;
		}
		if (n <= 0) {
			*failed = true;
			c->close_after = true;
			c->out_off = c->out.len;
			return true;
		}
		c->out_off += (size_t)n;
	}
	ch_buf_reset(&c->out);
	c->out_off = 0;
	return true;
}

/* ---- answers ---- */

static const char *
reason_phrase(unsigned status)
{
	switch (status) {
	case 100:
		return "Continue";
	case 200:
		return "OK";
	case 201:
		return "Created";
	case 204:
		return "No Content";
	case 304:
		return "Not Modified";
	case 400:
		return "Bad Request";
	case 401:
		return "Unauthorized";
	case 403:
		return "Forbidden";
	case 404:
		return "Not Found";
	case 405:
		return "Method Not Allowed";
	case 406:
		return "Not Acceptable";
	case 408:
		return "Request Timeout";
	case 409:
		return "Conflict";
	case 413:
		return "Content Too Large";
	case 414:
		return "URI Too Long";
	case 415:
		return "Unsupported Media Type";
	case 417:
		return "Expectation Failed";
	case 422:
		return "Unprocessable Content";
	case 429:
		return "Too Many Requests";
	case 431:
		return "Request Header Fields Too Large";
	case 501:
		return "Not Implemented";
	case 503:
		return "Service Unavailable";
	case 505:
		return "HTTP Version Not Supported";
	default:
		return status >= 500 ? "Internal Server Error" : "Error";
	}
}

static void
add_field(void *arg, const char *name, const char *value)
{
	struct ch_buf *b = arg;

	/* Values are the server's own, but a line break in one would split
	 * the answer: such a field is left out. */
	if (strpbrk(value, "\r\n") != NULL) {
		log_error("device listener: left out the %s field (a line "
			  "break in its value)",
		    name);
		return;
	}
	ch_buf_append_str(b, name);
	ch_buf_append(b, ": ", 2);
	ch_buf_append_str(b, value);
	ch_buf_append(b, "\r\n", 2);
}

/* Write the request's answer into c->out (after anything unsent). */
static void
format_answer(struct dconn *c, struct dreq *d)
{
	struct ch_req *req = &d->st.req;
	struct ch_buf *b = &c->out;
	char *text = NULL;
	const char *body, *type = req->reply_type;
	size_t len;
	char line[64];

	if (req->status == 0)
		ch_reply_error(req, CH_ERR_INTERNAL);
	if (req->reply != NULL) {
		text = json_dumps(req->reply, JSON_COMPACT | JSON_ENSURE_ASCII);
		body = text != NULL ? text : "";
		len = text != NULL ? strlen(text) : 0;
		if (type == NULL)
			type = "application/json";
	} else {
		body = req->reply_text != NULL ? req->reply_text : "";
		len = req->reply_len;
		if (type == NULL)
			type = "text/plain; charset=utf-8";
	}
	/* c->out holds less than OUT_HIGH before an answer (process()), so
	 * that only an answer near c->out's limit could be cut short — and
	 * desynchronise the ones after it: it is not sent, and the
	 * connection ends. */
	if (b->len + MAX_HEAD > b->max || len > b->max - b->len - MAX_HEAD) {
		log_error("device listener: an answer of %zu bytes is larger "
			  "than the output buffer; the connection is closed",
		    len);
		c->close_after = true;
		d->st.answered = true;
		free(text);
		return;
	}
	snprintf(line, sizeof(line), "HTTP/1.1 %u %s\r\n", req->status,
	    reason_phrase(req->status));
	ch_buf_append_str(b, line);
	ch_server_reply_headers(req, type, false, add_field, b);
	snprintf(line, sizeof(line), "Content-Length: %zu\r\n", len);
	ch_buf_append_str(b, line);
	if (!d->keep_alive) {
		ch_buf_append_str(b, "Connection: close\r\n");
		c->close_after = true;
	} else if (c->head.minor == 0) {
		ch_buf_append_str(b, "Connection: keep-alive\r\n");
	}
	ch_buf_append(b, "\r\n", 2);
	if (strcmp(req->method, "HEAD") != 0)
		ch_buf_append(b, body, len);
	d->st.sent_bytes = len;
	d->st.answered = true;
	free(text);
}

/* A refusal before any route: a problem answer, and the connection
 * closes after it. */
static void
refuse_head(struct dconn *c, unsigned status, const char *detail)
{
	static const struct {
		unsigned status;
		const char *slug;
	} slugs[] = {{400, "bad-request"}, {413, "body-too-large"},
	    {414, "uri-too-long"}, {417, "expectation-failed"},
	    {431, "header-too-large"}, {501, "unsupported"},
	    {505, "http-version"}};
	const char *slug = "bad-request";
	struct dreq *d = (struct dreq *)ch_server_request_new(
	    sizeof(*d), "-", "-", c->source, NULL);

	for (size_t i = 0; i < CH_ARRAY_LEN(slugs); i++)
		if (slugs[i].status == status)
			slug = slugs[i].slug;
	c->close_after = true;
	if (d == NULL)
		return;
	d->c = c;
	ch_reply_problem(&d->st.req, slug, detail, NULL);
	format_answer(c, d);
	ch_server_request_end(&d->st, d->st.req.status);
}

/* ---- requests ---- */

static const char *
dev_header(struct ch_req *req, const char *name)
{
	return ch_h1_field(&((struct dreq *)req)->c->head, name);
}

static const char *
dev_query(struct ch_req *req, const char *name)
{
	return ch_h1_arg(&((struct dreq *)req)->c->head, name);
}

static void queue_ready(struct worker *w, struct dconn *c);

/* The request is answered: drop its bytes, keep what follows. */
static void
consume(struct dconn *c)
{
	memmove(c->in, c->in + c->need, c->in_len - c->need);
	c->in_len -= c->need;
	c->need = 0;
	c->have_head = false;
	c->continued = false;
	c->request_ms = 0;
}

/* A deferred request's batch is on disk: in the thread that learnt it,
 * answer, end the request, and give the connection back. */
static void
dev_resume(struct ch_req *req)
{
	struct dreq *d = (struct dreq *)req;
	struct dconn *c = d->c;
	bool failed, back;

	if (req->defer_finish != NULL)
		req->defer_finish(req);
	format_answer(c, d);
	/* Counted down below, after the connection's last touch: stopping
	 * waits for the count before it frees connections. */
	d->st.deferred = false;
	(void)conn_flush(c, &failed);
	ch_server_request_end(&d->st, req->status);
	consume(c);
	/* The idle clock starts again at the answer: a batch held past the
	 * timeout by a stalled disk does not end its connections. */
	c->active_ms = now_ms();
	pthread_mutex_lock(&c->mu);
	c->busy = false;
	back = c->input_pending || c->out.len > 0 || c->close_after ||
	    c->peer_closed || input_buffered(c);
	c->input_pending = false;
	if (back)
		queue_ready(c->w, c);
	pthread_mutex_unlock(&c->mu);
	ch_server_deferred_done();
}

static const struct ch_req_io dev_io = {dev_header, dev_query, dev_resume};

/* Whether a device route has the request's path (with another method:
 * 405).  The main port's paths are 404 here like any other, whatever the
 * method. */
static bool
device_path(const struct ch_devport *dp, struct ch_req *req)
{
	for (size_t i = 0; i < dp->nroutes; i++) {
		bool exists = false;

		if ((dp->routes[i].flags & CH_ROUTE_DEVICE) &&
		    ch_router_match(&dp->routes[i], 1, "-", req->path, req,
			&exists) == NULL &&
		    exists)
			return true;
	}
	return false;
}

/* Answer the request whose head and body are in c->in.  True when it
 * was answered here; false when deferred (the connection is busy). */
static bool
handle(struct ch_devport *dp, struct dconn *c)
{
	struct ch_h1_head *h = &c->head;
	const char *body = c->in + h->head_len;
	size_t body_len = c->need - h->head_len;
	bool exists = false;
	struct dreq *d;
	struct ch_req *req;

	d = (struct dreq *)ch_server_request_new(sizeof(*d), h->method, h->path,
	    c->source, ch_h1_field(h, "X-Request-Id"));
	if (d == NULL) {
		c->close_after = true;
		return true;
	}
	d->c = c;
	d->keep_alive = h->keep_alive;
	req = &d->st.req;
	req->io = &dev_io;
	req->route = ch_router_match(
	    dp->routes, dp->nroutes, req->method, req->path, req, &exists);
	if (req->route != NULL && !(req->route->flags & CH_ROUTE_DEVICE)) {
		req->route = NULL;
		exists = false;
	} else if (req->route == NULL && exists) {
		exists = device_path(dp, req);
	}
	ch_buf_init(&d->st.body, req->route ? req->route->max_body : 0);
	if (req->route == NULL) {
		ch_reply_problem(req,
		    exists ? "method-not-allowed" : "not-found",
		    exists ? "This path does not accept that method; the "
			     "server's main port serves /api/v1/openapi.json."
			   : "This port serves the device routes only (gate "
			     "readers, sensors, tour scanners); everything "
			     "else is on the server's main port.",
		    NULL);
	} else if (body_len > req->route->max_body) {
		ch_reply_problem(req, "body-too-large",
		    "The body is larger than this route accepts.", NULL);
	} else {
		if (body_len > 0 &&
		    ch_buf_append(&d->st.body, body, body_len) != CH_OK) {
			ch_reply_error(req, CH_ERR_NOMEM);
		} else {
			ch_server_dispatch(&d->st);
			if (d->st.deferred) {
				pthread_mutex_lock(&c->mu);
				c->busy = true;
				pthread_mutex_unlock(&c->mu);
				req->defer(req);
				return false;
			}
		}
	}
	format_answer(c, d);
	ch_server_request_end(&d->st, req->status);
	consume(c);
	return true;
}

/* Parse and answer what c->in holds, until a request is deferred, more
 * input is needed or the connection is to close.  False: close it now. */
static bool
process(struct ch_devport *dp, struct dconn *c)
{
	bool failed;

	while (!c->close_after) {
		/* Answers pile up unsent: no more requests until they go. */
		if (c->out.len >= OUT_HIGH &&
		    (!conn_flush(c, &failed) || failed))
			break;
		if (!c->have_head) {
			enum ch_h1_result r;

			if (c->in_len == 0)
				break;
			r = ch_h1_parse(c->in, c->in_len, MAX_HEAD, &c->head);
			if (r == CH_H1_MORE) {
				if (c->request_ms == 0)
					c->request_ms = now_ms();
				break;
			}
			if (r == CH_H1_BAD) {
				refuse_head(
				    c, c->head.error_status, c->head.error);
				break;
			}
			if (c->head.content_length >
			    (int64_t)(dp->in_max - c->head.head_len)) {
				refuse_head(c, 413,
				    "The body is larger than any device "
				    "route accepts.");
				break;
			}
			c->have_head = true;
			c->need = c->head.head_len +
			    (size_t)(c->head.content_length > 0
				    ? c->head.content_length
				    : 0);
		}
		if (c->in_len < c->need) {
			if (c->request_ms == 0)
				c->request_ms = now_ms();
			if (c->head.expect_continue && !c->continued) {
				c->continued = true;
				ch_buf_append_str(
				    &c->out, "HTTP/1.1 100 Continue\r\n\r\n");
			}
			break;
		}
		if (!handle(dp, c))
			return true; /* busy: the resuming thread has it */
	}
	(void)conn_flush(c, &failed);
	return !failed && !(c->close_after && c->out.len == 0);
}

/* ---- connections ---- */

static void
conn_close(struct dconn *c)
{
	struct worker *w = c->w;

	pthread_mutex_lock(&w->mu);
	if (c->queued) {
		struct dconn **p = &w->ready;

		while (*p != c)
			p = &(*p)->ready_next;
		*p = c->ready_next;
		c->queued = false;
	}
	pthread_mutex_unlock(&w->mu);
	if (c->prev != NULL)
		c->prev->next = c->next;
	else
		w->conns = c->next;
	if (c->next != NULL)
		c->next->prev = c->prev;
	if (c->tls != NULL) {
		if (c->handshaken)
			(void)gnutls_bye(c->tls, GNUTLS_SHUT_WR);
		gnutls_deinit(c->tls);
	}
	close(c->fd);
	addr_release(w->dp, c->source);
	pthread_mutex_destroy(&c->mu);
	ch_buf_free(&c->out);
	free(c->in);
	free(c);
}

static void
queue_ready(struct worker *w, struct dconn *c)
{
	uint64_t one = 1;
	bool was_empty;

	pthread_mutex_lock(&w->mu);
	if (c->queued) {
		pthread_mutex_unlock(&w->mu);
		return;
	}
	was_empty = w->ready == NULL;
	c->queued = true;
	c->ready_next = w->ready;
	w->ready = c;
	pthread_mutex_unlock(&w->mu);
	if (was_empty && write(w->wake, &one, sizeof(one)) < 0)
		log_error("device listener: cannot wake a worker");
}

/* Serve a connection: flush, handshake, read, answer.  Closes it when it
 * ends. */
static void
serve(struct worker *w, struct dconn *c, bool readable)
{
	struct ch_devport *dp = w->dp;
	bool failed;
	int r;

	pthread_mutex_lock(&c->mu);
	if (c->busy) {
		c->input_pending = true;
		pthread_mutex_unlock(&c->mu);
		return;
	}
	pthread_mutex_unlock(&c->mu);
	if (readable)
		c->drained = false;
	if (c->out.len > 0 && !conn_flush(c, &failed))
		return; /* the socket is full: wait for EPOLLOUT */
	if (c->close_after || (c->peer_closed && !input_buffered(c))) {
		conn_close(c);
		return;
	}
	if (c->tls != NULL && !c->handshaken) {
		r = gnutls_handshake(c->tls);
		if (r == GNUTLS_E_AGAIN || r == GNUTLS_E_INTERRUPTED)
			return;
		if (r < 0) {
			log_warn("device listener: TLS handshake with %s "
				 "failed: %s",
			    c->source, gnutls_strerror(r));
			conn_close(c);
			return;
		}
		c->handshaken = true;
		c->active_ms = now_ms();
	}
	for (;;) {
		bool full;

		r = conn_read(dp, c);
		if (r < 0) {
			conn_close(c);
			return;
		}
		if (r == 0)
			c->peer_closed = true;
		full = c->in_len == c->in_cap;
		if (!process(dp, c)) {
			conn_close(c);
			return;
		}
		pthread_mutex_lock(&c->mu);
		if (c->busy) {
			pthread_mutex_unlock(&c->mu);
			return; /* peer_closed is seen when it comes back */
		}
		pthread_mutex_unlock(&c->mu);
		/* The socket is full: read no more requests until EPOLLOUT
		 * says the peer has taken the answers. */
		if (c->out.len > 0)
			return;
		if (c->peer_closed && c->out.len == 0) {
			conn_close(c);
			return;
		}
		/* Read again only when the buffer filled before the socket
		 * was drained (and the requests in it made room). */
		if (!full || c->peer_closed)
			return;
		if (c->in_len == c->in_cap) {
			conn_close(c); /* nothing could be parsed from it */
			return;
		}
	}
}

static void
accept_all(struct worker *w)
{
	struct ch_devport *dp = w->dp;

	for (int i = 0; i < 64; i++) {
		struct sockaddr_storage sa = {.ss_family = AF_UNSPEC};
		socklen_t salen = sizeof(sa);
		char source[64] = "unknown";
		struct epoll_event ev;
		struct dconn *c;
		int one = 1;
		int fd = accept4(dp->lfd, (struct sockaddr *)&sa, &salen,
		    SOCK_NONBLOCK | SOCK_CLOEXEC);

		if (fd < 0)
			return;
		if (sa.ss_family == AF_INET)
			inet_ntop(AF_INET,
			    &((const struct sockaddr_in *)&sa)->sin_addr,
			    source, sizeof(source));
		if (!addr_take(dp, source)) {
			/* Said once a second at most, with how many: a flood
			 * of connections must not become a flood of lines. */
			int64_t now = now_ms();

			dp->refused++;
			if (now - dp->refused_logged_ms >= 1000) {
				log_warn("device listener: refused %u "
					 "connection(s), the last from %s (too "
					 "many connections)",
				    dp->refused, source);
				dp->refused = 0;
				dp->refused_logged_ms = now;
			}
			close(fd);
			continue;
		}
		(void)setsockopt(
		    fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
		c = calloc(1, sizeof(*c));
		if (c == NULL || (c->in = malloc(IN_START)) == NULL) {
			free(c);
			close(fd);
			addr_release(dp, source);
			continue;
		}
		c->fd = fd;
		c->w = w;
		c->in_cap = IN_START;
		c->active_ms = now_ms();
		ch_strlcpy(c->source, source, sizeof(c->source));
		ch_buf_init(&c->out, 1u << 20);
		pthread_mutex_init(&c->mu, NULL);
		c->next = w->conns;
		if (w->conns != NULL)
			w->conns->prev = c;
		w->conns = c;
		if (dp->tls &&
		    (gnutls_init(&c->tls, GNUTLS_SERVER | GNUTLS_NONBLOCK) !=
			    GNUTLS_E_SUCCESS ||
			gnutls_priority_set(c->tls, dp->prio) !=
			    GNUTLS_E_SUCCESS ||
			gnutls_credentials_set(c->tls, GNUTLS_CRD_CERTIFICATE,
			    dp->cred) != GNUTLS_E_SUCCESS)) {
			conn_close(c);
			continue;
		}
		if (c->tls != NULL) {
			gnutls_transport_set_ptr(c->tls, c);
			gnutls_transport_set_pull_function(c->tls, tls_pull);
			gnutls_transport_set_push_function(c->tls, tls_push);
		}
		ev.events = EPOLLIN | EPOLLOUT | EPOLLRDHUP | EPOLLET;
		ev.data.ptr = c;
		if (epoll_ctl(w->ep, EPOLL_CTL_ADD, fd, &ev) != 0) {
			conn_close(c);
			continue;
		}
	}
}

/* Close connections idle past the timeout (a busy one waits for the
 * disk, not for its peer), and those whose request has not come whole
 * within it: a byte now and then would keep a connection for hours. */
static void
sweep(struct worker *w, int64_t now)
{
	struct dconn *c, *next;

	for (c = w->conns; c != NULL; c = next) {
		bool busy;

		next = c->next;
		pthread_mutex_lock(&c->mu);
		busy = c->busy;
		pthread_mutex_unlock(&c->mu);
		if (!busy &&
		    (now - c->active_ms > w->dp->timeout_ms ||
			(c->request_ms != 0 &&
			    now - c->request_ms > w->dp->timeout_ms)))
			conn_close(c);
	}
}

static void *
worker_main(void *arg)
{
	struct worker *w = arg;
	struct epoll_event evs[64];
	int64_t last_sweep = now_ms();

	while (!w->dp->stopping) {
		int n = epoll_wait(w->ep, evs, 64, 1000);
		bool woken = false;
		int64_t now;

		for (int i = 0; i < n; i++) {
			void *p = evs[i].data.ptr;

			if (p == &listen_marker)
				accept_all(w);
			else if (p == &wake_marker)
				woken = true;
			else
				serve(w, p,
				    (evs[i].events &
					(EPOLLIN | EPOLLRDHUP | EPOLLHUP |
					    EPOLLERR)) != 0);
		}
		/* The ready queue after the batch's events: a connection
		 * served from the queue may be closed and freed, and an event
		 * of the batch may still name it; closed while queued, it is
		 * taken off the queue (conn_close). */
		if (woken) {
			uint64_t v;
			struct dconn *c, *ready;

			if (read(w->wake, &v, sizeof(v)) < 0 && errno != EAGAIN)
				log_error(
				    "device listener: wake-up read failed");
			pthread_mutex_lock(&w->mu);
			ready = w->ready;
			w->ready = NULL;
			for (c = ready; c != NULL; c = c->ready_next)
				c->queued = false;
			pthread_mutex_unlock(&w->mu);
			/* Each one's next is read before it may be freed; none
			 * can be queued again meanwhile but by a resume, which
			 * takes w->mu. */
			while (ready != NULL) {
				c = ready;
				ready = c->ready_next;
				serve(w, c, true);
			}
		}
		now = now_ms();
		if (now - last_sweep >= 1000) {
			sweep(w, now);
			last_sweep = now;
		}
	}
	return NULL;
}

/* ---- start and stop ---- */

static ch_err
setup_tls(struct ch_devport *dp, const char *cert_pem, const char *key_pem)
{
	gnutls_datum_t cert = {
	    (unsigned char *)cert_pem, (unsigned)strlen(cert_pem)};
	gnutls_datum_t key = {
	    (unsigned char *)key_pem, (unsigned)strlen(key_pem)};
	int r;

	if ((r = gnutls_certificate_allocate_credentials(&dp->cred)) < 0 ||
	    (r = gnutls_certificate_set_x509_key_mem(
		 dp->cred, &cert, &key, GNUTLS_X509_FMT_PEM)) < 0 ||
	    (r = gnutls_priority_init(
		 &dp->prio, ch_server_tls_priorities, NULL)) < 0) {
		log_error("device listener: TLS set-up failed: %s",
		    gnutls_strerror(r));
		return CH_ERR_IO;
	}
	return CH_OK;
}

ch_err
ch_devport_start(const struct ch_http_config *cfg, const char *cert_pem,
    const char *key_pem, struct ch_devport **out)
{
	struct ch_devport *dp;
	struct sockaddr_in sa;
	socklen_t salen = sizeof(sa);
	size_t max_body = 0;
	int one = 1;

	*out = NULL;
	if (!ch_server_listen_addr(cfg, cfg->device_listen, &sa))
		return CH_ERR_INVALID;
	if ((dp = calloc(1, sizeof(*dp))) == NULL)
		return CH_ERR_NOMEM;
	dp->lfd = -1;
	pthread_mutex_init(&dp->addr_mu, NULL);
	dp->routes = ch_routes(&dp->nroutes);
	for (size_t i = 0; i < dp->nroutes; i++)
		if ((dp->routes[i].flags & CH_ROUTE_DEVICE) &&
		    dp->routes[i].max_body > max_body)
			max_body = dp->routes[i].max_body;
	dp->in_max = MAX_HEAD + max_body;
	dp->timeout_ms = (int64_t)cfg->timeout_seconds * 1000;
	dp->max_conns = cfg->max_connections;
	dp->per_addr = cfg->per_ip_connections;
	dp->addrs = calloc(dp->max_conns, sizeof(*dp->addrs));
	dp->nworkers = cfg->threads < 1  ? 1
	    : cfg->threads > MAX_WORKERS ? MAX_WORKERS
					 : cfg->threads;
	dp->tls = !cfg->plain_http;
	if (dp->addrs == NULL ||
	    (dp->tls && setup_tls(dp, cert_pem, key_pem) != CH_OK))
		goto fail;
	dp->lfd =
	    socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (dp->lfd < 0 ||
	    setsockopt(dp->lfd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) !=
		0 ||
	    bind(dp->lfd, (struct sockaddr *)&sa, sizeof(sa)) != 0 ||
	    listen(dp->lfd, 512) != 0 ||
	    getsockname(dp->lfd, (struct sockaddr *)&sa, &salen) != 0) {
		log_error("cannot listen for devices on %s: %s",
		    cfg->device_listen, strerror(errno));
		goto fail;
	}
	dp->port = ntohs(sa.sin_port);
	for (unsigned i = 0; i < dp->nworkers; i++) {
		struct worker *w = &dp->workers[i];
		struct epoll_event ev;

		w->dp = dp;
		w->ep = epoll_create1(EPOLL_CLOEXEC);
		w->wake = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
		pthread_mutex_init(&w->mu, NULL);
		if (w->ep < 0 || w->wake < 0)
			goto fail;
		ev.events = EPOLLIN | EPOLLEXCLUSIVE;
		ev.data.ptr = &listen_marker;
		if (epoll_ctl(w->ep, EPOLL_CTL_ADD, dp->lfd, &ev) != 0)
			goto fail;
		ev.events = EPOLLIN | EPOLLET;
		ev.data.ptr = &wake_marker;
		if (epoll_ctl(w->ep, EPOLL_CTL_ADD, w->wake, &ev) != 0)
			goto fail;
		if (pthread_create(&w->thread, NULL, worker_main, w) != 0)
			goto fail;
		w->started = true;
	}
	*out = dp;
	return CH_OK;
fail:
	ch_devport_stop(dp);
	return CH_ERR_IO;
}

unsigned
ch_devport_port(const struct ch_devport *dp)
{
	return dp->port;
}

void
ch_devport_stop(struct ch_devport *dp)
{
	uint64_t one = 1;

	if (dp == NULL)
		return;
	dp->stopping = true;
	for (unsigned i = 0; i < dp->nworkers; i++) {
		struct worker *w = &dp->workers[i];

		if (w->started) {
			if (write(w->wake, &one, sizeof(one)) < 0)
				log_error("device listener: cannot wake a "
					  "worker to stop");
			pthread_join(w->thread, NULL);
		}
		for (struct dconn *c = w->conns, *next; c != NULL; c = next) {
			next = c->next;
			c->prev =
			    NULL; /* the head: its successors' are unlinked */
			conn_close(c);
		}
		if (w->ep >= 0 && w->dp != NULL)
			close(w->ep);
		if (w->wake > 0)
			close(w->wake);
		if (w->dp != NULL)
			pthread_mutex_destroy(&w->mu);
	}
	if (dp->lfd >= 0)
		close(dp->lfd);
	if (dp->prio != NULL)
		gnutls_priority_deinit(dp->prio);
	if (dp->cred != NULL)
		gnutls_certificate_free_credentials(dp->cred);
	pthread_mutex_destroy(&dp->addr_mu);
	free(dp->addrs);
	free(dp);
}
