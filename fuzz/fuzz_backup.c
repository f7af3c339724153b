/*
 * fuzz_backup.c — libFuzzer driver for what `chancery restore` reads
 * before it trusts anything: the first input byte picks the layer.
 *
 *   even: the decrypted, decompressed stream: ch_backup_parse() and, when
 *         it parses, ch_backup_verify() (counts, audit leaves, root);
 *   odd:  a whole backup file: ch_backup_unseal() under a fixed test key
 *         (id 0f0f0f0f, 32 bytes of 0x42; the seeds are made with it),
 *         then the same parse and verify of what it yields.
 *
 * Whatever the input, each step returns an error code with a fault, never
 * crashes, leaks or reads out of bounds.
 *
 *	CC=clang meson setup build-fuzz -Dfuzz=true -Db_lundef=false
 *	ninja -C build-fuzz fuzz_backup
 *	build-fuzz/fuzz_backup fuzz/corpus/backup
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/backup.h"
#include "core/vault.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void
parse_and_verify(const unsigned char *p, size_t n)
{
	struct ch_fault fault;
	struct ch_backup b;
	ch_arena *arena = ch_arena_create(256u << 20);
	ch_err err;

	if (arena == NULL)
		return;
	memset(&fault, 0, sizeof(fault));
	err = ch_backup_parse(p, n, arena, &b, &fault);
	if (err == CH_OK)
		err = ch_backup_verify(&b, &fault);
	if (err != CH_OK && err != CH_ERR_NOMEM && fault.detail[0] == '\0')
		abort();
	ch_arena_destroy(arena);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static bool loaded;
	struct ch_fault fault;
	struct ch_buf plain;
	char id[9];

	if (!loaded) {
		unsigned char key[CH_VAULT_KEY_BYTES];

		ch_log_set_quiet(true);
		memset(key, 0x42, sizeof(key));
		if (ch_vault_load_raw("0f0f0f0f", key) != CH_OK)
			abort();
		loaded = true;
	}
	if (size == 0)
		return 0;
	if ((data[0] & 1) == 0) {
		parse_and_verify(data + 1, size - 1);
		return 0;
	}
	memset(&fault, 0, sizeof(fault));
	ch_buf_init(&plain, 64u << 20);
	if (ch_backup_unseal(data + 1, size - 1, &plain, id, &fault) == CH_OK)
		parse_and_verify((const unsigned char *)plain.data, plain.len);
	else if (fault.detail[0] == '\0')
		abort(); /* every refusal says why */
	ch_buf_free(&plain);
	return 0;
}
