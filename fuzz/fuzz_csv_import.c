/*
 * fuzz_csv_import.c — libFuzzer driver for the CSV import: runs
 * ch_people_import_check() (the CSV reader, the header, the refs and the
 * person checks, without a store) on each input.  Whatever the input, it
 * must return an error code and a fault, never crash, leak or read out of
 * bounds; a success must count at least one row.
 *
 *	CC=clang meson setup /tmp/build-fuzz -Dfuzz=true -Db_lundef=false
 *	ninja -C /tmp/build-fuzz fuzz_csv_import
 *	/tmp/build-fuzz/fuzz_csv_import fuzz/corpus/csv_import
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "people/people.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct ch_fault fault;
	ch_arena *arena;
	size_t rows = 0;
	ch_err err;

	ch_log_set_quiet(true);
	arena = ch_arena_create(0);
	if (arena == NULL)
		return 0;
	memset(&fault, 0, sizeof(fault));
	err = ch_people_import_check(
	    (const char *)data, size, arena, &fault, &rows);
	if (err == CH_OK && rows == 0)
		abort();
	if (err != CH_OK && err != CH_ERR_NOMEM && fault.detail[0] == '\0')
		abort();
	if (memchr(fault.field, '\0', sizeof(fault.field)) == NULL ||
	    memchr(fault.detail, '\0', sizeof(fault.detail)) == NULL)
		abort();
	ch_arena_destroy(arena);
	return 0;
}
