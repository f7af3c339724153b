/*
 * fuzz_watch_ofac.c — libFuzzer driver for the OFAC importer
 * (screening/import_ofac.c).  The input is the four files separated by
 * form feeds (0x0c): primary, aliases, addresses, comments.  Whatever the
 * input, the importer must return a code and, on refusal, a fault and no
 * entries; never crash, leak or read out of bounds.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "screening/import.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *part[4] = {"", "", "", ""};
	size_t len[4] = {0, 0, 0, 0}, k = 0, start = 0;
	struct ch_ofac_files f;
	struct ch_watch_set out;
	struct ch_fault fault;
	ch_arena *arena;
	ch_err err;

	ch_log_set_quiet(true);
	for (size_t i = 0; i <= size && k < 4; i++)
		if (i == size || data[i] == 0x0c) {
			part[k] = (const char *)data + start;
			len[k++] = i - start;
			start = i + 1;
		}
	f = (struct ch_ofac_files){
	    part[0], part[1], part[2], part[3], len[0], len[1], len[2], len[3]};
	arena = ch_arena_create(0);
	if (arena == NULL)
		return 0;
	memset(&fault, 0, sizeof(fault));
	err = ch_watch_parse_ofac(
	    &f, size > 0 && data[0] == '9', arena, &out, &fault);
	if (err == CH_OK && out.n_entries == 0)
		abort();
	if (err != CH_OK && (out.n_entries != 0 || out.entries != NULL))
		abort();
	if (err != CH_OK && err != CH_ERR_NOMEM && fault.detail[0] == '\0')
		abort();
	ch_arena_destroy(arena);
	return 0;
}
