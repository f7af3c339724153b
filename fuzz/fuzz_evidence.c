/*
 * fuzz_evidence.c — libFuzzer driver for what an evidence upload says about
 * itself: the file name and declared Content-Type (query and header) and
 * the first bytes, through ch_evidence_check().  The input is split at the
 * first two newlines into name, declared type and content.  It must not
 * crash or read out of bounds; an accepted upload must have a canonical
 * type from the list, a name without folders, and content within limits.
 *
 *	CC=clang meson setup build-fuzz -Dfuzz=true -Db_lundef=false
 *	ninja -C build-fuzz fuzz_evidence
 *	build-fuzz/fuzz_evidence fuzz/corpus/evidence
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "incidents/incidents.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* A NUL-terminated copy of the part of data up to the next newline. */
static char *
part(const uint8_t **data, size_t *size)
{
	const uint8_t *nl = memchr(*data, '\n', *size);
	size_t n = nl ? (size_t)(nl - *data) : *size;
	char *s = malloc(n + 1);

	if (s == NULL)
		abort();
	memcpy(s, *data, n);
	s[n] = '\0';
	*data += nl ? n + 1 : n;
	*size -= nl ? n + 1 : n;
	return s;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct ch_fault fault = {0};
	const char *canonical = NULL;
	char *name = part(&data, &size);
	char *type = part(&data, &size);
	uint8_t *content = malloc(size + 1); /* exactly the bytes, for ASan */

	if (content == NULL)
		abort();
	memcpy(content, data, size);
	if (ch_evidence_check(name, type, content, size, &canonical, &fault) ==
	    CH_OK) {
		bool known = false;

		for (const char *const *t = ch_evidence_types(); *t; t++)
			known = known || strcmp(*t, canonical) == 0;
		if (!known || strpbrk(name, "/\\") != NULL || name[0] == '.' ||
		    size == 0 || size > CH_EVIDENCE_MAX_BYTES)
			abort();
	} else if (fault.field[0] == '\0' || fault.detail[0] == '\0') {
		abort(); /* every refusal names its field and says why */
	}
	free(content);
	free(type);
	free(name);
	return 0;
}
