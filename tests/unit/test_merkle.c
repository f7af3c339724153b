/*
 * test_merkle.c — RFC 9162 Merkle trees: the RFC 6962 reference roots of
 * the eight test leaves, then every tree size up to 64 against a reference
 * MTH written straight from the RFC's recursive definition: roots,
 * frontiers, every inclusion proof (i, n) and every consistency proof
 * (m, n) verify, and every mutated one (a flipped bit, a hash too few or
 * too many, the wrong leaf or root) is refused.
 */
#include <criterion/criterion.h>
#include <sodium.h>
#include <string.h>

#include "core/merkle.h"

#define MAXN 64

static unsigned char leaves[MAXN][32];

/* MTH(D[lo:hi]) exactly as RFC 9162 2.1.1 defines it. */
static void
ref_mth(uint64_t lo, uint64_t hi, unsigned char out[32])
{
	unsigned char l[32], r[32], buf[65];
	uint64_t n = hi - lo, k = 1;

	if (n == 0) {
		crypto_hash_sha256(out, (const unsigned char *)"", 0);
		return;
	}
	if (n == 1) {
		memcpy(out, leaves[lo], 32);
		return;
	}
	while (k * 2 < n)
		k *= 2;
	ref_mth(lo, lo + k, l);
	ref_mth(lo + k, hi, r);
	buf[0] = 1;
	memcpy(buf + 1, l, 32);
	memcpy(buf + 33, r, 32);
	crypto_hash_sha256(out, buf, sizeof(buf));
}

static int node_calls;

static ch_err
array_node(void *arg, unsigned level, uint64_t index, unsigned char out[32])
{
	uint64_t lo = index << level, hi = (index + 1) << level;

	(void)arg;
	node_calls++;
	if (hi > MAXN)
		return CH_ERR_NOT_FOUND;
	ref_mth(lo, hi, out);
	return CH_OK;
}

static const struct ch_merkle_source src = {NULL, array_node};

static void
make_leaves(void)
{
	for (int i = 0; i < MAXN; i++) {
		unsigned char data[8] = {'l', 'e', 'a', 'f', (unsigned char)i};

		ch_merkle_leaf(data, sizeof(data), leaves[i]);
	}
}

static void
unhex(const char *s, unsigned char *out, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		unsigned v;

		cr_assert_eq(sscanf(s + 2 * i, "%2x", &v), 1);
		out[i] = (unsigned char)v;
	}
}

Test(merkle, rfc6962_reference_roots)
{
	static const char *const data[8] = {"", "00", "10", "2021", "3031",
	    "40414243", "5051525354555657", "606162636465666768696a6b6c6d6e6f"};
	static const char *const roots[8] = {
	    "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
	    "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
	    "aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77",
	    "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
	    "4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4",
	    "76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef",
	    "ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c",
	    "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328",
	};
	struct ch_merkle_frontier f;
	unsigned char want[32], got[32], raw[16];

	ch_merkle_frontier_init(&f);
	ch_merkle_frontier_root(&f, got);
	unhex(
	    "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
	    want, 32);
	cr_assert(memcmp(got, want, 32) == 0, "empty tree");
	for (int i = 0; i < 8; i++) {
		size_t n = strlen(data[i]) / 2;

		unhex(data[i], raw, n);
		ch_merkle_leaf(raw, n, leaves[i]);
		cr_assert_eq(
		    ch_merkle_frontier_append(&f, leaves[i], NULL, NULL),
		    CH_OK);
		ch_merkle_frontier_root(&f, got);
		unhex(roots[i], want, 32);
		cr_assert(
		    memcmp(got, want, 32) == 0, "root of %d leaves", i + 1);
		cr_assert_eq(ch_merkle_root(&src, (uint64_t)i + 1, got), CH_OK);
		cr_assert(
		    memcmp(got, want, 32) == 0, "MTH of %d leaves", i + 1);
	}
}

struct emitted {
	int count;
	bool bad;
};

static ch_err
check_emit(void *arg, unsigned level, uint64_t index, const unsigned char h[32])
{
	struct emitted *e = arg;
	unsigned char want[32];

	ref_mth(index << level, (index + 1) << level, want);
	if (memcmp(want, h, 32) != 0)
		e->bad = true;
	e->count++;
	return CH_OK;
}

Test(merkle, roots_and_frontiers_match_the_definition)
{
	struct ch_merkle_frontier f, loaded;
	struct emitted e = {0, false};
	unsigned char want[32], got[32];

	make_leaves();
	ch_merkle_frontier_init(&f);
	for (uint64_t n = 1; n <= MAXN; n++) {
		cr_assert_eq(ch_merkle_frontier_append(
				 &f, leaves[n - 1], check_emit, &e),
		    CH_OK);
		ref_mth(0, n, want);
		ch_merkle_frontier_root(&f, got);
		cr_assert(memcmp(got, want, 32) == 0, "frontier root %lu",
		    (unsigned long)n);
		cr_assert_eq(ch_merkle_root(&src, n, got), CH_OK);
		cr_assert(
		    memcmp(got, want, 32) == 0, "root %lu", (unsigned long)n);
		cr_assert_eq(ch_merkle_frontier_load(&loaded, &src, n), CH_OK);
		ch_merkle_frontier_root(&loaded, got);
		cr_assert(
		    memcmp(got, want, 32) == 0, "loaded %lu", (unsigned long)n);
	}
	cr_assert_not(e.bad, "an emitted subtree hash is wrong");
	/* 64 leaves complete 32 + 16 + ... + 1 = 63 inner subtrees. */
	cr_assert_eq(e.count, 63);
}

Test(merkle, every_inclusion_proof_verifies_and_mutations_fail)
{
	unsigned char proof[CH_MERKLE_MAX_PROOF + 1][32], root[32], bad[32];
	size_t len;

	make_leaves();
	for (uint64_t n = 1; n <= MAXN; n++) {
		ref_mth(0, n, root);
		for (uint64_t i = 0; i < n; i++) {
			cr_assert_eq(
			    ch_merkle_inclusion(&src, i, n, proof, &len),
			    CH_OK);
			cr_assert(ch_merkle_verify_inclusion(
				      i, n, leaves[i], proof[0], len, root),
			    "PATH(%lu, %lu)", (unsigned long)i,
			    (unsigned long)n);
			for (size_t j = 0; j < len; j++) {
				for (int bit = 0; bit < 256; bit += 37) {
					proof[j][bit / 8] ^= 1u << (bit % 8);
					cr_assert_not(
					    ch_merkle_verify_inclusion(i, n,
						leaves[i], proof[0], len, root),
					    "mutated (%lu, %lu)",
					    (unsigned long)i, (unsigned long)n);
					proof[j][bit / 8] ^= 1u << (bit % 8);
				}
			}
			if (len > 0)
				cr_assert_not(ch_merkle_verify_inclusion(
				    i, n, leaves[i], proof[0], len - 1, root));
			memcpy(proof[len], leaves[0], 32);
			cr_assert_not(ch_merkle_verify_inclusion(
			    i, n, leaves[i], proof[0], len + 1, root));
			cr_assert_not(ch_merkle_verify_inclusion(
			    i, n, leaves[(i + 1) % MAXN], proof[0], len, root));
			memcpy(bad, root, 32);
			bad[31] ^= 1;
			cr_assert_not(ch_merkle_verify_inclusion(
			    i, n, leaves[i], proof[0], len, bad));
			if (n > 1)
				cr_assert_not(
				    ch_merkle_verify_inclusion((i + 1) % n, n,
					leaves[i], proof[0], len, root));
		}
		cr_assert_not(ch_merkle_verify_inclusion(
		    n, n, leaves[0], proof[0], 0, root));
		cr_assert_eq(ch_merkle_inclusion(&src, n, n, proof, &len),
		    CH_ERR_INVALID);
	}
}

Test(merkle, every_consistency_proof_verifies_and_mutations_fail)
{
	unsigned char proof[CH_MERKLE_MAX_PROOF + 1][32], r1[32], r2[32];
	size_t len;

	make_leaves();
	for (uint64_t n = 1; n <= MAXN; n++) {
		ref_mth(0, n, r2);
		for (uint64_t m = 0; m <= n; m++) {
			ref_mth(0, m, r1);
			cr_assert_eq(
			    ch_merkle_consistency(&src, m, n, proof, &len),
			    CH_OK);
			cr_assert(ch_merkle_verify_consistency(
				      m, n, r1, r2, proof[0], len),
			    "PROOF(%lu, %lu)", (unsigned long)m,
			    (unsigned long)n);
			if (m == 0)
				continue;
			for (size_t j = 0; j < len; j++) {
				proof[j][j % 32] ^= 0x40;
				cr_assert_not(ch_merkle_verify_consistency(
						  m, n, r1, r2, proof[0], len),
				    "mutated (%lu, %lu) at %zu",
				    (unsigned long)m, (unsigned long)n, j);
				proof[j][j % 32] ^= 0x40;
			}
			if (len > 0)
				cr_assert_not(ch_merkle_verify_consistency(
				    m, n, r1, r2, proof[0], len - 1));
			memcpy(proof[len], leaves[3], 32);
			cr_assert_not(ch_merkle_verify_consistency(
			    m, n, r1, r2, proof[0], len + 1));
			r1[0] ^= 1;
			cr_assert_not(ch_merkle_verify_consistency(
			    m, n, r1, r2, proof[0], len));
			r1[0] ^= 1;
			r2[5] ^= 1;
			cr_assert_not(ch_merkle_verify_consistency(
			    m, n, r1, r2, proof[0], len));
			r2[5] ^= 1;
			/* A proof from m is no proof from another size. */
			if (m > 1 && m < n)
				cr_assert_not(ch_merkle_verify_consistency(
				    m - 1, n, r1, r2, proof[0], len));
		}
		cr_assert_eq(ch_merkle_consistency(&src, n + 1, n, proof, &len),
		    CH_ERR_INVALID);
		cr_assert_not(ch_merkle_verify_consistency(
		    n + 1, n, r2, r2, proof[0], 0));
	}
}

Test(merkle, proofs_read_logarithmically_many_nodes)
{
	unsigned char proof[CH_MERKLE_MAX_PROOF][32];
	size_t len;

	make_leaves();
	node_calls = 0;
	cr_assert_eq(ch_merkle_inclusion(&src, 37, 63, proof, &len), CH_OK);
	cr_assert_eq(len, 6);
	cr_assert_leq(node_calls, 12, "%d reads for one proof", node_calls);
}
