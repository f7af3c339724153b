/*
 * merkle.h — RFC 9162 Merkle trees over SHA-256: the tree hash (MTH),
 * inclusion proofs (PATH) and consistency proofs (PROOF), their
 * verification (RFC 9162 sections 2.1.3.2 and 2.1.4.2), and the
 * "frontier" (compact range) that lets a log grow one leaf at a time
 * without recomputing anything.
 *
 * This file knows nothing of the store.  Proof generation reads the tree
 * through a ch_merkle_source: a callback that returns the hash of one
 * perfect, aligned subtree (level L, index i covers the leaves
 * [i * 2^L, (i + 1) * 2^L)); level 0 are the leaf hashes.  Every node the
 * algorithms need is such a subtree or a right-folded run of them, so a
 * proof costs O(log n) callbacks and never holds the leaves in memory.
 */
#ifndef CH_CORE_MERKLE_H
#define CH_CORE_MERKLE_H

#include "core/core.h"

#define CH_HASH_LEN 32
/* No tree of 2^63 leaves needs more than 63 proof hashes (+1 for the
 * first hash a consistency verifier may prepend). */
#define CH_MERKLE_MAX_PROOF 64

/* SHA-256 of data: GnuTLS's (which uses the CPU's SHA instructions where
 * there are some: four times libsodium's portable code on this hardware,
 * and the audit log hashes twice per record, in the writer), falling
 * back to libsodium. */
void ch_sha256(const void *data, size_t len, unsigned char out[32]);

/* SHA-256(0x00 || data): the hash of a leaf. */
void ch_merkle_leaf(const void *data, size_t len, unsigned char out[32]);
/* SHA-256(0x01 || left || right): the hash of an inner node. */
void ch_merkle_node(const unsigned char left[32], const unsigned char right[32],
    unsigned char out[32]);
/* SHA-256 of nothing: the hash of the empty tree. */
void ch_merkle_empty(unsigned char out[32]);

struct ch_merkle_source {
	void *arg;
	/* The hash of the perfect subtree (level, index) into out. */
	ch_err (*node)(
	    void *arg, unsigned level, uint64_t index, unsigned char out[32]);
};

/* MTH of the first size leaves. */
ch_err ch_merkle_root(
    const struct ch_merkle_source *src, uint64_t size, unsigned char out[32]);
/* MTH of the leaves [lo, hi), hi > lo. */
ch_err ch_merkle_range(const struct ch_merkle_source *src, uint64_t lo,
    uint64_t hi, unsigned char out[32]);
/* The inclusion proof of leaf index in the tree of size leaves into
 * proof[CH_MERKLE_MAX_PROOF]; *len hashes.  CH_ERR_INVALID unless
 * index < size. */
ch_err ch_merkle_inclusion(const struct ch_merkle_source *src, uint64_t index,
    uint64_t size, unsigned char proof[][32], size_t *len);
/* The consistency proof from size m to size n (0 <= m <= n). */
ch_err ch_merkle_consistency(const struct ch_merkle_source *src, uint64_t m,
    uint64_t n, unsigned char proof[][32], size_t *len);

/* RFC 9162 2.1.3.2: whether leaf is leaf index of the tree of size with
 * root.  proof holds len hashes of 32 bytes, back to back. */
bool ch_merkle_verify_inclusion(uint64_t index, uint64_t size,
    const unsigned char leaf[32], const unsigned char *proof, size_t len,
    const unsigned char root[32]);
/* RFC 9162 2.1.4.2: whether the tree of size m and root1 is a prefix of
 * the tree of size n and root2. */
bool ch_merkle_verify_consistency(uint64_t m, uint64_t n,
    const unsigned char root1[32], const unsigned char root2[32],
    const unsigned char *proof, size_t len);

/*
 * The frontier of a tree of size leaves: for each bit L set in size, the
 * hash of the perfect subtree of 2^L leaves that the binary decomposition
 * of size puts there.  Appending a leaf merges like a binary counter.
 */
struct ch_merkle_frontier {
	uint64_t size;
	unsigned char hash[64][32];
};

/* Called for every perfect subtree of level >= 1 an append completes. */
typedef ch_err (*ch_merkle_emit_fn)(
    void *arg, unsigned level, uint64_t index, const unsigned char hash[32]);

void ch_merkle_frontier_init(struct ch_merkle_frontier *f);
/* Append one leaf hash; emit may be NULL. */
ch_err ch_merkle_frontier_append(struct ch_merkle_frontier *f,
    const unsigned char leaf[32], ch_merkle_emit_fn emit, void *arg);
/* The root of the tree the frontier describes. */
void ch_merkle_frontier_root(
    const struct ch_merkle_frontier *f, unsigned char out[32]);
/* The frontier of the first size leaves of src (O(log size) reads). */
ch_err ch_merkle_frontier_load(struct ch_merkle_frontier *f,
    const struct ch_merkle_source *src, uint64_t size);

#endif /* CH_CORE_MERKLE_H */
