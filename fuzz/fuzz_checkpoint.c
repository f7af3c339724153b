/*
 * fuzz_checkpoint.c — libFuzzer driver for the C2SP parsers of note.c: a
 * signed note opened with a fixed verifier key, the checkpoint text inside
 * it (and the input itself as a checkpoint), and the input as a verifier
 * key.  Oracles besides the sanitizers:
 *
 *   - a note that opens as verified carries exactly the signature the
 *     fixed key makes over its text (Ed25519 is deterministic), so nothing
 *     else can pass as signed;
 *   - a checkpoint that parses formats back to the same first three lines;
 *   - a verifier key that parses formats back to the same text.
 *
 *	CC=clang meson setup build-fuzz -Dfuzz=true -Db_lundef=false
 *	ninja -C build-fuzz fuzz_checkpoint
 *	build-fuzz/fuzz_checkpoint fuzz/corpus/checkpoint
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/note.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* The signer of the golang.org/x/mod/sumdb/note example; the seeds in
 * fuzz/corpus/checkpoint are signed with it. */
static const char skey[] = "PRIVATE+KEY+PeterNeumann+c74f20a3+"
			   "AYEKFALVFGyNhPJEMzD1QIDr+Y7hfZx09iUvxdXHKDFz";
static struct ch_note_signer *signer;
static struct ch_note_verifier verifier;

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *text = (const char *)data;
	struct ch_checkpoint cp;
	struct ch_note_verifier v;
	struct ch_buf out, again;
	size_t text_len = 0;
	enum ch_note_status st;

	if (signer == NULL) {
		ch_log_set_quiet(true);
		signer = ch_note_signer_new();
		if (signer == NULL ||
		    !ch_note_signer_parse(skey, strlen(skey), signer))
			abort();
		ch_note_signer_verifier(signer, &verifier);
	}
	ch_buf_init(&out, 2 * CH_NOTE_MAX);
	ch_buf_init(&again, 2 * CH_NOTE_MAX);

	st = ch_note_open(text, size, &verifier, &text_len);
	if (text_len > size)
		abort();
	if (st == CH_NOTE_VERIFIED) {
		/* Our signature over the text must be one of its lines. */
		if (ch_note_sign(signer, text, text_len, &out) != CH_OK ||
		    memmem(text + text_len, size - text_len,
			out.data + text_len, out.len - text_len) == NULL)
			abort();
	}
	if (st != CH_NOTE_MALFORMED && text_len > 0 &&
	    ch_checkpoint_parse(text, text_len, &cp)) {
		if (ch_checkpoint_format(&cp, &again) != CH_OK ||
		    again.len > text_len ||
		    memcmp(again.data, text, again.len) != 0)
			abort();
	}
	if (ch_checkpoint_parse(text, size, &cp)) {
		if (ch_checkpoint_format(&cp, &again) != CH_OK ||
		    again.len > size ||
		    memcmp(again.data, text, again.len) != 0)
			abort();
	}
	if (ch_note_verifier_parse(text, size, &v)) {
		size_t n = size;

		while (n > 0 && (text[n - 1] == '\n' || text[n - 1] == '\r'))
			n--;
		if (ch_note_verifier_format(&v, &again) != CH_OK ||
		    again.len != n + 1 || memcmp(again.data, text, n) != 0)
			abort();
	}
	ch_buf_free(&out);
	ch_buf_free(&again);
	return 0;
}
