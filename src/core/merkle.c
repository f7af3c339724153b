/*
 * merkle.c — RFC 9162 Merkle tree hashes, proofs and their verification.
 *
 * Generation follows the recursive definitions of RFC 9162 2.1.1, 2.1.3.1
 * and 2.1.4.1 over absolute leaf ranges [lo, hi).  In an RFC 9162 tree
 * every left child is a perfect subtree aligned on its size, and every
 * right child either is one or is a run of them (the binary decomposition
 * of its size), so each MTH the proofs need is fetched from the source as
 * a few perfect subtrees and folded from the right.  Verification is the
 * iterative algorithm of sections 2.1.3.2 and 2.1.4.2, word for word.
 */
#include <gnutls/crypto.h>
#include <sodium.h>
#include <stdlib.h>
#include <string.h>

#include "core/merkle.h"

void
ch_sha256(const void *data, size_t len, unsigned char out[32])
{
	if (gnutls_hash_fast(GNUTLS_DIG_SHA256, data, len, out) != 0)
		crypto_hash_sha256(out, data, len);
}

void
ch_merkle_leaf(const void *data, size_t len, unsigned char out[32])
{
	static const unsigned char prefix = 0x00;
	unsigned char small[2048], *buf = small;
	crypto_hash_sha256_state st;

	/* One buffer, one call: the prefix and the data together. */
	if (len + 1 > sizeof(small) && (buf = malloc(len + 1)) == NULL) {
		crypto_hash_sha256_init(&st);
		crypto_hash_sha256_update(&st, &prefix, 1);
		crypto_hash_sha256_update(&st, data, len);
		crypto_hash_sha256_final(&st, out);
		return;
	}
	buf[0] = prefix;
	memcpy(buf + 1, data, len);
	ch_sha256(buf, len + 1, out);
	if (buf != small)
		free(buf);
}

void
ch_merkle_node(const unsigned char left[32], const unsigned char right[32],
    unsigned char out[32])
{
	unsigned char buf[1 + 2 * CH_HASH_LEN];

	buf[0] = 0x01;
	memcpy(buf + 1, left, CH_HASH_LEN);
	memcpy(buf + 1 + CH_HASH_LEN, right, CH_HASH_LEN);
	ch_sha256(buf, sizeof(buf), out);
}

void
ch_merkle_empty(unsigned char out[32])
{
	crypto_hash_sha256(out, (const unsigned char *)"", 0);
}

/* The largest power of two smaller than n (n >= 2). */
static uint64_t
split_point(uint64_t n)
{
	return (uint64_t)1 << (63 - __builtin_clzll(n - 1));
}

static bool
is_pow2(uint64_t n)
{
	return n != 0 && (n & (n - 1)) == 0;
}

ch_err
ch_merkle_range(const struct ch_merkle_source *src, uint64_t lo, uint64_t hi,
    unsigned char out[32])
{
	unsigned char left[32], right[32];
	uint64_t n = hi - lo, k;
	ch_err err;

	if (hi <= lo)
		return CH_ERR_INVALID;
	if (is_pow2(n) && lo % n == 0)
		return src->node(
		    src->arg, (unsigned)__builtin_ctzll(n), lo / n, out);
	k = is_pow2(n) ? n / 2 : split_point(n);
	if ((err = ch_merkle_range(src, lo, lo + k, left)) != CH_OK ||
	    (err = ch_merkle_range(src, lo + k, hi, right)) != CH_OK)
		return err;
	ch_merkle_node(left, right, out);
	return CH_OK;
}

ch_err
ch_merkle_root(
    const struct ch_merkle_source *src, uint64_t size, unsigned char out[32])
{
	if (size == 0) {
		ch_merkle_empty(out);
		return CH_OK;
	}
	return ch_merkle_range(src, 0, size, out);
}

/* PATH(m, D[lo:hi]) of RFC 9162 2.1.3.1, appended to proof. */
static ch_err
path(const struct ch_merkle_source *src, uint64_t m, uint64_t lo, uint64_t hi,
    unsigned char proof[][32], size_t *len)
{
	uint64_t k;
	ch_err err;

	if (hi - lo <= 1)
		return CH_OK;
	if (*len >= CH_MERKLE_MAX_PROOF)
		return CH_ERR_INTERNAL;
	k = split_point(hi - lo);
	if (m < lo + k) {
		if ((err = path(src, m, lo, lo + k, proof, len)) != CH_OK)
			return err;
		return ch_merkle_range(src, lo + k, hi, proof[(*len)++]);
	}
	if ((err = path(src, m, lo + k, hi, proof, len)) != CH_OK)
		return err;
	return ch_merkle_range(src, lo, lo + k, proof[(*len)++]);
}

ch_err
ch_merkle_inclusion(const struct ch_merkle_source *src, uint64_t index,
    uint64_t size, unsigned char proof[][32], size_t *len)
{
	*len = 0;
	if (index >= size)
		return CH_ERR_INVALID;
	return path(src, index, 0, size, proof, len);
}

/* SUBPROOF(m, D[lo:hi], b) of RFC 9162 2.1.4.1; m counts from lo. */
static ch_err
subproof(const struct ch_merkle_source *src, uint64_t m, uint64_t lo,
    uint64_t hi, bool b, unsigned char proof[][32], size_t *len)
{
	uint64_t k;
	ch_err err;

	if (*len >= CH_MERKLE_MAX_PROOF)
		return CH_ERR_INTERNAL;
	if (m == hi - lo) {
		if (b)
			return CH_OK;
		return ch_merkle_range(src, lo, hi, proof[(*len)++]);
	}
	k = split_point(hi - lo);
	if (m <= k) {
		err = subproof(src, m, lo, lo + k, b, proof, len);
		if (err != CH_OK)
			return err;
		return ch_merkle_range(src, lo + k, hi, proof[(*len)++]);
	}
	if ((err = subproof(src, m - k, lo + k, hi, false, proof, len)) !=
	    CH_OK)
		return err;
	return ch_merkle_range(src, lo, lo + k, proof[(*len)++]);
}

ch_err
ch_merkle_consistency(const struct ch_merkle_source *src, uint64_t m,
    uint64_t n, unsigned char proof[][32], size_t *len)
{
	*len = 0;
	if (m > n)
		return CH_ERR_INVALID;
	if (m == 0 || m == n)
		return CH_OK;
	return subproof(src, m, 0, n, true, proof, len);
}

bool
ch_merkle_verify_inclusion(uint64_t index, uint64_t size,
    const unsigned char leaf[32], const unsigned char *proof, size_t len,
    const unsigned char root[32])
{
	unsigned char r[32];
	uint64_t fn = index, sn;

	if (index >= size)
		return false;
	sn = size - 1;
	memcpy(r, leaf, sizeof(r));
	for (size_t i = 0; i < len; i++) {
		if (sn == 0)
			return false;
		if ((fn & 1) != 0 || fn == sn) {
			ch_merkle_node(proof + 32 * i, r, r);
			if ((fn & 1) == 0)
				while ((fn & 1) == 0 && fn != 0) {
					fn >>= 1;
					sn >>= 1;
				}
		} else {
			ch_merkle_node(r, proof + 32 * i, r);
		}
		fn >>= 1;
		sn >>= 1;
	}
	return sn == 0 && memcmp(r, root, sizeof(r)) == 0;
}

bool
ch_merkle_verify_consistency(uint64_t m, uint64_t n,
    const unsigned char root1[32], const unsigned char root2[32],
    const unsigned char *proof, size_t len)
{
	unsigned char fr[32], sr[32];
	const unsigned char *c;
	uint64_t fn, sn;
	size_t i = 0;

	if (m > n)
		return false;
	if (m == n)
		return len == 0 && memcmp(root1, root2, 32) == 0;
	if (m == 0)
		return len == 0; /* every tree extends the empty one */
	if (len == 0 || len > CH_MERKLE_MAX_PROOF)
		return false;
	/* Step 1: a first tree that is a perfect subtree is its own first
	 * proof element; prepend it (virtually). */
	if (is_pow2(m)) {
		memcpy(fr, root1, 32);
	} else {
		memcpy(fr, proof, 32);
		i = 1;
	}
	memcpy(sr, fr, 32);
	fn = m - 1;
	sn = n - 1;
	while ((fn & 1) != 0) {
		fn >>= 1;
		sn >>= 1;
	}
	for (; i < len; i++) {
		c = proof + 32 * i;
		if (sn == 0)
			return false;
		if ((fn & 1) != 0 || fn == sn) {
			ch_merkle_node(c, fr, fr);
			ch_merkle_node(c, sr, sr);
			if ((fn & 1) == 0)
				while ((fn & 1) == 0 && fn != 0) {
					fn >>= 1;
					sn >>= 1;
				}
		} else {
			ch_merkle_node(sr, c, sr);
		}
		fn >>= 1;
		sn >>= 1;
	}
	return sn == 0 && memcmp(fr, root1, 32) == 0 &&
	    memcmp(sr, root2, 32) == 0;
}

void
ch_merkle_frontier_init(struct ch_merkle_frontier *f)
{
	memset(f, 0, sizeof(*f));
}

ch_err
ch_merkle_frontier_append(struct ch_merkle_frontier *f,
    const unsigned char leaf[32], ch_merkle_emit_fn emit, void *arg)
{
	unsigned char h[32];
	unsigned level = 0;
	ch_err err;

	if (f->size == UINT64_MAX >> 1)
		return CH_ERR_TOO_LARGE;
	memcpy(h, leaf, sizeof(h));
	while ((f->size >> level) & 1) {
		ch_merkle_node(f->hash[level], h, h);
		level++;
		if (emit != NULL &&
		    (err = emit(arg, level, ((f->size + 1) >> level) - 1, h)) !=
			CH_OK)
			return err;
	}
	memcpy(f->hash[level], h, sizeof(h));
	f->size++;
	return CH_OK;
}

void
ch_merkle_frontier_root(
    const struct ch_merkle_frontier *f, unsigned char out[32])
{
	bool have = false;

	for (unsigned level = 0; level < 64; level++) {
		if (((f->size >> level) & 1) == 0)
			continue;
		if (!have)
			memcpy(out, f->hash[level], 32);
		else
			ch_merkle_node(f->hash[level], out, out);
		have = true;
	}
	if (!have)
		ch_merkle_empty(out);
}

ch_err
ch_merkle_frontier_load(struct ch_merkle_frontier *f,
    const struct ch_merkle_source *src, uint64_t size)
{
	uint64_t lo = 0;
	ch_err err;

	ch_merkle_frontier_init(f);
	for (int level = 63; level >= 0; level--) {
		if (((size >> level) & 1) == 0)
			continue;
		err = src->node(
		    src->arg, (unsigned)level, lo >> level, f->hash[level]);
		if (err != CH_OK)
			return err;
		lo += (uint64_t)1 << level;
	}
	f->size = size;
	return CH_OK;
}
