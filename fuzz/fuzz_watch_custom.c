/*
 * fuzz_watch_custom.c — libFuzzer driver for the custom CSV importer
 * (screening/import_custom.c).  Whatever the input, the importer must return
 * a code and, on refusal, a fault and no entries; never crash, leak or
 * read out of bounds.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "screening/import.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct ch_watch_set out;
	struct ch_fault fault;
	ch_arena *arena;
	ch_err err;

	ch_log_set_quiet(true);
	arena = ch_arena_create(0);
	if (arena == NULL)
		return 0;
	memset(&fault, 0, sizeof(fault));
	err = ch_watch_parse_custom(
	    (const char *)data, size, arena, &out, &fault);
	if (err == CH_OK && out.n_entries == 0)
		abort();
	if (err != CH_OK && (out.n_entries != 0 || out.entries != NULL))
		abort();
	if (err != CH_OK && err != CH_ERR_NOMEM && fault.detail[0] == '\0')
		abort();
	ch_arena_destroy(arena);
	return 0;
}
