/*
 * bench_vault.c — the cost of sealing: seal + open of a contact field
 * (32 bytes, the size of a typical e-mail address) against a baseline of
 * copying the same bytes and hashing them with SHA-256, which is about the
 * least any store of a field with an integrity check does.  Prints the
 * median of ROUNDS rounds of each, in operations per second, and the ratio
 * of the medians.  Usage: bench_vault [ROUNDS] [OPS]
 */
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/vault.h"

static double
now_s(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

static int
cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

static double
median(double *v, int n)
{
	qsort(v, (size_t)n, sizeof(*v), cmp_double);
	return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

int
main(int argc, char **argv)
{
	static const char field[] = "attache.of.mission@example.org!";
	unsigned char key[CH_VAULT_KEY_BYTES], digest[32], copy[64];
	long rounds = argc > 1 ? strtol(argv[1], NULL, 10) : 5;
	long ops = argc > 2 ? strtol(argv[2], NULL, 10) : 100000;
	double seal[64], base[64], t0;
	unsigned sink = 0;

	if (rounds < 1 || rounds > 64 || ops < 1 || sodium_init() < 0)
		return 2;
	ch_log_set_quiet(true);
	randombytes_buf(key, sizeof(key));
	if (ch_vault_load_raw("0be0c4a1", key) != CH_OK)
		return 1;
	for (long r = 0; r < rounds; r++) {
		ch_arena *a = ch_arena_create(0);

		t0 = now_s();
		for (long i = 0; i < ops; i++) {
			char *s, *pt;

			if (i % 1000 == 0) {
				ch_arena_destroy(a);
				a = ch_arena_create(0);
			}
			if (ch_vault_seal("people",
				"0190f1f2-0000-7000-8000-0000", "email", field,
				sizeof(field) - 1, a, &s) != CH_OK ||
			    ch_vault_open("people",
				"0190f1f2-0000-7000-8000-0000", "email", s, a,
				&pt, NULL) != CH_OK)
				return 1;
			sink += (unsigned char)pt[0];
		}
		seal[r] = (double)ops / (now_s() - t0);
		ch_arena_destroy(a);
		t0 = now_s();
		for (long i = 0; i < ops; i++) {
			memcpy(copy, field, sizeof(field));
			copy[0] ^= (unsigned char)i;
			crypto_hash_sha256(digest, copy, sizeof(field) - 1);
			sink += digest[0];
		}
		base[r] = (double)ops / (now_s() - t0);
	}
	printf("  seal + open      %10.0f ops/s\n", median(seal, (int)rounds));
	printf("  copy + SHA-256   %10.0f ops/s (baseline)\n",
	    median(base, (int)rounds));
	printf("  ratio            %10.2f\n",
	    median(seal, (int)rounds) / median(base, (int)rounds));
	ch_vault_unload();
	return sink == 0xffffffffu; /* keep the work */
}
