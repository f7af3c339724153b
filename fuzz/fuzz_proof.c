/*
 * fuzz_proof.c — libFuzzer driver for RFC 9162 proof verification from
 * untrusted bytes (a proof from the API, from a witness, from a file).
 *
 * Input: byte 0 picks the kind (even: inclusion, odd: consistency), byte
 * 1 the tree size n (1..64), byte 2 the index or first size, then 32-byte
 * proof hashes.  The tree is n fixed leaves; its genuine proofs are known.
 * Oracle: whatever verifies must be exactly the genuine proof (anything
 * else would be a SHA-256 collision).  The same bytes also go, with sizes
 * and roots taken from the input, through both verifiers at sizes up to
 * 2^63, where only the sanitizers judge.
 *
 *	build-fuzz/fuzz_proof fuzz/corpus/proof
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/merkle.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define MAXN 64

static unsigned char leaves[MAXN][32];
static bool ready;

static ch_err
leaf_node(void *arg, unsigned level, uint64_t index, unsigned char out[32])
{
	struct ch_merkle_frontier f;
	uint64_t lo = index << level, hi = (index + 1) << level;

	(void)arg;
	if (hi > MAXN)
		return CH_ERR_NOT_FOUND;
	ch_merkle_frontier_init(&f);
	for (uint64_t i = lo; i < hi; i++)
		if (ch_merkle_frontier_append(&f, leaves[i], NULL, NULL) !=
		    CH_OK)
			return CH_ERR_INTERNAL;
	ch_merkle_frontier_root(&f, out);
	return CH_OK;
}

static const struct ch_merkle_source src = {NULL, leaf_node};

static uint64_t
read_u64(const uint8_t *p)
{
	uint64_t v = 0;

	for (int i = 0; i < 8; i++)
		v = v << 8 | p[i];
	return v;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	unsigned char genuine[CH_MERKLE_MAX_PROOF][32], r1[32], r2[32];
	const unsigned char *proof;
	size_t len, glen;
	uint64_t n, k;

	if (!ready) {
		for (int i = 0; i < MAXN; i++) {
			unsigned char b = (unsigned char)i;

			ch_merkle_leaf(&b, 1, leaves[i]);
		}
		ready = true;
	}
	if (size < 3)
		return 0;
	n = (uint64_t)(data[1] % MAXN) + 1;
	k = data[2];
	proof = data + 3;
	len = (size - 3) / 32;
	if (len > CH_MERKLE_MAX_PROOF + 1)
		len = CH_MERKLE_MAX_PROOF + 1;
	if (ch_merkle_root(&src, n, r2) != CH_OK)
		abort();
	if (data[0] % 2 == 0) {
		bool ok = ch_merkle_verify_inclusion(
		    k, n, leaves[k % MAXN], proof, len, r2);

		if (ok &&
		    (k >= n ||
			ch_merkle_inclusion(&src, k, n, genuine, &glen) !=
			    CH_OK ||
			glen != len || memcmp(genuine, proof, 32 * len) != 0))
			abort();
	} else {
		bool ok;

		if (k <= n && ch_merkle_root(&src, k, r1) != CH_OK)
			abort();
		ok = k <= n &&
		    ch_merkle_verify_consistency(k, n, r1, r2, proof, len);
		if (ok && k > 0 &&
		    (ch_merkle_consistency(&src, k, n, genuine, &glen) !=
			    CH_OK ||
			glen != len || memcmp(genuine, proof, 32 * len) != 0))
			abort();
	}
	/* Arbitrary sizes, roots and proofs: no oracle but the sanitizers. */
	if (size >= 3 + 16 + 64) {
		uint64_t a = read_u64(data + 3), b = read_u64(data + 11);
		const unsigned char *ra = data + 19, *rb = data + 51;
		const unsigned char *p = data + 83;
		size_t plen = (size - 83) / 32;

		if (plen > CH_MERKLE_MAX_PROOF + 1)
			plen = CH_MERKLE_MAX_PROOF + 1;
		(void)ch_merkle_verify_inclusion(a, b, ra, p, plen, rb);
		(void)ch_merkle_verify_consistency(a, b, ra, rb, p, plen);
	}
	return 0;
}
