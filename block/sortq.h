/* SPDX-License-Identifier: MIT */
/*
 * The sort list: queued requests of one direction in start-sector order,
 * as deadline's sort tree was, split over SORTQ_BUCKETS sector ranges of
 * equal width. Each range keeps its own red-black tree, and a two-level
 * bitmap says which ranges hold any request.
 *
 * Why (docs/block.md, "Cost"): one tree of n requests scattered over the
 * disk made every insert a walk of log2(n) nodes, each a different request
 * in memory with a compare the CPU cannot predict, and every insert and
 * erase a rebalance; at a depth of 4096 that was most of deadline's cost.
 * With requests spread over the disk a range's tree holds a few requests,
 * and "the next range that holds any" is two bit scans in words that stay
 * in the cache.
 *
 * Bound: O(log n) per operation as before. The bucket is found in O(1),
 * the next non-empty bucket in O(1) (SORTQ_BUCKETS = 64 * 64 bits), and in
 * the worst case (every request in one range, e.g. one sequential stream)
 * that range's tree is the single tree of before.
 */
#ifndef KEEL_BLOCK_SORTQ_H
#define KEEL_BLOCK_SORTQ_H

#include "block/block.h"

#define SORTQ_BUCKETS 1024
#define SORTQ_WORDS (SORTQ_BUCKETS / 64)

struct sortq {
	/* Bit b of words[b / 64]: bucket b is not empty. */
	u64 words[SORTQ_WORDS];
	/* Bit w: words[w] is not zero. */
	u64 summary;
	/* Bucket roots as pool index + 1 (0: empty), to halve their size. */
	u32 root[SORTQ_BUCKETS];
	struct request *pool;
	u32 shift; /* bucket of a sector: sector >> shift */
};

void sortq_init(struct sortq *sq, struct request *pool, sector_t capacity);
/* Insert @rq by rq->sector; equal sectors keep their insertion order. */
void sortq_insert(struct sortq *sq, struct request *rq);
/* Remove @rq, which was inserted when its start sector was @key. */
void sortq_erase(struct sortq *sq, struct request *rq, sector_t key);
/* The first request starting at or after @pos (the oldest of equals). */
struct request *sortq_lower_bound(const struct sortq *sq, sector_t pos);
/* The request after @rq in sort order, or NULL. */
struct request *sortq_next(const struct sortq *sq, const struct request *rq);
/* The request before @rq in sort order, or NULL. */
struct request *sortq_prev(const struct sortq *sq, const struct request *rq);
/* The last request in sort order, or NULL. */
struct request *sortq_last(const struct sortq *sq);
bool sortq_empty(const struct sortq *sq);

#endif
