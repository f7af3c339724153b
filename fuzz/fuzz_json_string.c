/*
 * fuzz_json_string.c — libFuzzer driver for the hand-written JSON string
 * (ch_buf_append_json) that carries outside text into the access log and
 * the gate's answers: a request path, a user agent, a name.  Whatever the
 * bytes, the result must be one JSON string a strict parser accepts, and
 * when the bytes are UTF-8 it must decode to exactly them.
 *
 *	CC=clang meson setup build-fuzz -Dfuzz=true -Db_lundef=false
 *	ninja -C build-fuzz fuzz_json_string
 *	build-fuzz/fuzz_json_string fuzz/corpus/json_string
 */
#include <jansson.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/core.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s = malloc(size + 1);
	struct ch_buf b;
	json_t *v, *orig;
	json_error_t e;

	if (s == NULL)
		return 0;
	memcpy(s, data, size);
	s[size] = '\0';
	ch_buf_init(&b, 1u << 24);
	if (ch_buf_append_json(&b, s) != CH_OK ||
	    ch_buf_append(&b, "", 1) != CH_OK)
		abort();
	v = json_loads(b.data, JSON_DECODE_ANY, &e);
	if (v == NULL || !json_is_string(v))
		abort(); /* not one JSON string */
	/* Valid UTF-8 (up to the first NUL: jansson's json_string judges)
	 * comes back as it went in. */
	orig = json_string(s);
	if (orig != NULL && !json_equal(orig, v))
		abort();
	json_decref(orig);
	json_decref(v);
	ch_buf_free(&b);
	free(s);
	return 0;
}
