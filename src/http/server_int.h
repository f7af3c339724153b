/*
 * server_int.h — the request pipeline that server.c runs for
 * libmicrohttpd's connections, shared with the device listener
 * (devport.c), which speaks HTTP/1.1 itself: the state of a request, its
 * admission and dispatch, the answer's headers, and its end (metrics and
 * the access log).  Internal to src/http.
 */
#ifndef CH_HTTP_SERVER_INT_H
#define CH_HTTP_SERVER_INT_H

#include "http/http.h"

/* Per-request state kept between the calls of the access handler. */
struct ch_req_state {
	struct ch_req req;
	struct ch_buf body;
	bool too_large;
	size_t received; /* bytes of body received */
	bool answered;
	bool admitted;    /* a file upload passed admit() before its body */
	bool upload_slot; /* holds one of the MAX_UPLOADS slots */
	int64_t started_us;
	size_t sent_bytes;
	bool deferred; /* suspended until ch_req_resume (ch_req_defer) */
};

/* How a request reaches its connection when libmicrohttpd does not carry
 * it (req->conn is NULL). */
struct ch_req_io {
	const char *(*header)(struct ch_req *req, const char *name);
	const char *(*query)(struct ch_req *req, const char *name);
	void (*resume)(struct ch_req *req);
};

/* A new request's state (size bytes, the state first: a transport's
 * own request may hold it) in a fresh arena, zeroed, with method, path
 * (copied), source and request id (the caller's X-Request-Id when plain,
 * else a new one) set, and its context made.  NULL when out of memory. */
struct ch_req_state *ch_server_request_new(size_t size, const char *method,
    const char *path, const char *source, const char *given_request_id);
/* Admit (authentication, permission, Accept, CSRF...), parse and check
 * the body, call the handler; a read is audited unless deferred. */
void ch_server_dispatch(struct ch_req_state *st);
/* The answer's header fields besides Content-Length, each passed to add
 * in order: type is its Content-Type, html whether it is a page (which
 * adds the headers that govern a document). */
void ch_server_reply_headers(struct ch_req *req, const char *type, bool html,
    void (*add)(void *arg, const char *name, const char *value), void *arg);
/* A request is over: its metrics, its access-log line, its memory. */
void ch_server_request_end(struct ch_req_state *st, unsigned status);
/* A deferred request is over (or was never taken up). */
void ch_server_deferred_done(void);
/* listen ("ADDRESS:PORT", IPv4) as a socket address, on loopback when
 * cfg asks for plain HTTP; false, with the reason logged, otherwise. */
struct sockaddr_in;
bool ch_server_listen_addr(const struct ch_http_config *cfg, const char *listen,
    struct sockaddr_in *sa);
/* GnuTLS priorities of both ports: TLS 1.2 and 1.3, AEAD ciphers. */
extern const char ch_server_tls_priorities[];

/* ---- devport.c: the device listener ---- */
struct ch_devport;
/* Listen on cfg->device_listen with threads of its own (TLS unless
 * plain_http, with the PEM pair given). */
ch_err ch_devport_start(const struct ch_http_config *cfg, const char *cert_pem,
    const char *key_pem, struct ch_devport **out);
unsigned ch_devport_port(const struct ch_devport *dp);
/* Stop listening, close every connection and join the threads; call once
 * no request is deferred any more. */
void ch_devport_stop(struct ch_devport *dp);

#endif
