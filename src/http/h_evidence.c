/*
 * h_evidence.c — the evidence files of an incident: upload (the body is
 * the file, its Content-Type the declared type, ?name= its file name),
 * listing with hashes, and download with the SHA-256 in Repr-Digest
 * (RFC 9530) so a receiver can check what it got, always as an attachment
 * named with the extension of its checked type.
 */
#include <sodium.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "http/http.h"
#include "incidents/incidents.h"

json_t *
ch_evidence_json(const struct ch_evidence *e)
{
	json_t *o = json_pack("{s:s, s:s, s:s, s:s, s:I, s:s, s:s, s:s}", "id",
	    e->id, "incident_id", e->incident_id, "name", e->name, "media_type",
	    e->media_type, "size", (json_int_t)e->size, "sha256", e->sha256,
	    "uploaded_by", e->uploaded_by ? e->uploaded_by : "", "uploaded_at",
	    e->uploaded_at);

	json_object_set_new(
	    o, "description", ch_json_str_or_null(e->description));
	return o;
}

void
ch_h_evidence_upload(struct ch_req *req)
{
	struct ch_evidence e;
	const char *name = ch_req_query(req, "name");
	ch_err err;

	if (name == NULL) {
		ch_reply_problem(req, "validation",
		    "Say the file's name in the query: ?name=photo.jpg.",
		    "/name");
		return;
	}
	err = ch_evidence_add(&req->ctx, req->params[0], name,
	    ch_req_header(req, "Content-Type"),
	    ch_req_query(req, "description"), req->upload, req->upload_len, &e);
	if (err != CH_OK) {
		ch_reply_error(req, err);
		return;
	}
	req->location = ch_arena_printf(req->arena,
	    "/api/v1/incidents/%s/evidence/%s", e.incident_id, e.id);
	ch_reply_json(req, 201, ch_evidence_json(&e));
}

void
ch_h_evidence_list(struct ch_req *req)
{
	struct ch_evidence *files = NULL;
	size_t n = 0;
	json_t *items;
	ch_err err;

	err = ch_evidence_list(&req->ctx, req->params[0], &files, &n);
	if (err != CH_OK) {
		ch_reply_error(req, err);
		return;
	}
	items = json_array();
	for (size_t i = 0; i < n; i++)
		json_array_append_new(items, ch_evidence_json(&files[i]));
	ch_reply_json(req, 200, json_pack("{s:o}", "items", items));
}

/* The extensions of each type evidence.c accepts, the first the one a
 * download gets when its name has none of them. */
static const struct {
	const char *type;
	const char *ext[3];
} extensions[] = {
    {"image/jpeg", {".jpg", ".jpeg", NULL}},
    {"image/png", {".png", NULL}},
    {"image/webp", {".webp", NULL}},
    {"application/pdf", {".pdf", NULL}},
    {"video/mp4", {".mp4", ".m4v", NULL}},
    {"audio/mpeg", {".mp3", NULL}},
    {"text/plain", {".txt", NULL}},
};

/*
 * The name a download is saved under: the uploaded name, followed by the
 * extension of its checked type unless it ends in one already.  What opens
 * a saved file is its extension, so a text file uploaded as
 * "statement.hta" or "page.html" must not be saved as a program or a page.
 */
static const char *
saved_name(ch_arena *a, const char *name, const char *type)
{
	size_t n = strlen(name);

	for (size_t i = 0; i < CH_ARRAY_LEN(extensions); i++) {
		if (strcmp(type, extensions[i].type) != 0)
			continue;
		for (size_t k = 0; extensions[i].ext[k] != NULL; k++) {
			size_t e = strlen(extensions[i].ext[k]);

			if (n > e &&
			    strcasecmp(name + n - e, extensions[i].ext[k]) == 0)
				return name;
		}
		return ch_arena_printf(a, "%s%s", name, extensions[i].ext[0]);
	}
	return ch_arena_printf(a, "%s.bin", name);
}

/* A file name safe inside a quoted Content-Disposition parameter, with
 * the UTF-8 original in filename* (RFC 6266, RFC 8187). */
static const char *
disposition(ch_arena *a, const char *name, const char *type)
{
	struct ch_buf ascii, pct;
	const char *out;

	if ((name = saved_name(a, name, type)) == NULL)
		return "attachment"; /* never inline, even out of memory */
	ch_buf_init(&ascii, 1024);
	ch_buf_init(&pct, 4096);
	for (const unsigned char *p = (const unsigned char *)name; *p; p++) {
		bool plain = (*p >= 'a' && *p <= 'z') ||
		    (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') ||
		    strchr(".-_", *p) != NULL;

		ch_buf_appendf(&ascii, "%c", plain || *p == ' ' ? *p : '_');
		if (plain)
			ch_buf_appendf(&pct, "%c", *p);
		else
			ch_buf_appendf(&pct, "%%%02X", *p);
	}
	out = ch_arena_printf(a,
	    "attachment; filename=\"%s\"; filename*=UTF-8''%s",
	    ascii.data ? ascii.data : "evidence",
	    pct.data ? pct.data : "evidence");
	ch_buf_free(&ascii);
	ch_buf_free(&pct);
	return out != NULL ? out : "attachment";
}

void
ch_h_evidence_download(struct ch_req *req)
{
	struct ch_evidence meta;
	unsigned char raw[32];
	char b64[sodium_base64_ENCODED_LEN(32, sodium_base64_VARIANT_ORIGINAL)];
	const void *data = NULL;
	size_t len = 0, rawlen = 0;
	ch_err err;

	err = ch_evidence_content(
	    &req->ctx, req->params[0], req->params[1], &meta, &data, &len);
	if (err == CH_ERR_CRYPTO) {
		ch_reply_problem(req, "evidence-damaged",
		    "The stored copy of this file does not match the hash "
		    "recorded when it was uploaded; it has been logged. Tell "
		    "the security officer: restore it from a backup.",
		    NULL);
		return;
	}
	if (err != CH_OK) {
		ch_reply_error(req, err);
		return;
	}
	if (sodium_hex2bin(raw, sizeof(raw), meta.sha256, strlen(meta.sha256),
		NULL, &rawlen, NULL) == 0 &&
	    rawlen == sizeof(raw)) {
		sodium_bin2base64(b64, sizeof(b64), raw, sizeof(raw),
		    sodium_base64_VARIANT_ORIGINAL);
		snprintf(req->repr_digest, sizeof(req->repr_digest),
		    "sha-256=:%s:", b64);
	}
	req->status = 200;
	req->reply_text = data;
	req->reply_len = len;
	req->reply_type = meta.media_type;
	req->disposition = disposition(req->arena, meta.name, meta.media_type);
	req->audit_object_id = ch_arena_strdup(req->arena, req->params[0]);
	req->audit_post_id = ch_arena_strdup(req->arena, meta.post_id);
}
