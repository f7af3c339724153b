/*
 * error.c — the text of each ch_err, and faults: the field-level detail a
 * use case hands back with CH_ERR_INVALID so that a person can fix input.
 */
#include <stdio.h>

#include "core/core.h"

static const char *const error_text[] = {
    [CH_OK] = "success",
    [CH_ERR_NOMEM] = "out of memory",
    [CH_ERR_INVALID] = "invalid input",
    [CH_ERR_NOT_FOUND] = "not found",
    [CH_ERR_CONFLICT] = "conflict with an existing record",
    [CH_ERR_DENIED] = "permission denied",
    [CH_ERR_UNAUTHENTICATED] = "not authenticated",
    [CH_ERR_STORE] = "database error",
    [CH_ERR_IO] = "input/output error",
    [CH_ERR_BUSY] = "database busy",
    [CH_ERR_TOO_LARGE] = "input too large",
    [CH_ERR_SCHEMA_NEWER] = "database schema is newer than this program",
    [CH_ERR_CRYPTO] = "cryptographic failure",
    [CH_ERR_LIMIT] = "limit reached",
    [CH_ERR_UNSUPPORTED] = "not supported",
    [CH_ERR_INTERNAL] = "internal error",
    [CH_ERR_PRECONDITION] = "record changed since it was read",
    [CH_ERR_REPLAY] = "one-time code already used",
};

const char *
ch_strerror(ch_err err)
{
	if ((size_t)err >= CH_ARRAY_LEN(error_text) || error_text[err] == NULL)
		return "unknown error";
	return error_text[err];
}

void
ch_fault_set(struct ch_fault *f, const char *field, const char *fmt, ...)
{
	va_list ap;

	if (f == NULL)
		return;
	ch_strlcpy(f->field, field ? field : "", sizeof(f->field));
	va_start(ap, fmt);
	vsnprintf(f->detail, sizeof(f->detail), fmt, ap);
	va_end(ap);
}
