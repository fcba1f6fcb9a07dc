// SPDX-License-Identifier: MIT
/*
 * The outstanding index: every outstanding read and write, per direction,
 * found by the region of the disk it starts in. The ordering rules
 * (blk-core.c) ask it which requests overlap a range, and the elevators
 * which queued request a bio could join.
 *
 * Why a hash and not a sorted tree (docs/block.md, "Cost"): the index is
 * consulted about five times per request (conflict scan, insert, merge
 * lookups, the unblock scan at completion, erase). A tree of n requests made
 * each of those a walk of log2(n) nodes, every node a different request in
 * memory, with a key compare the branch predictor cannot guess: at a depth
 * of 4096 that was most of the block layer's cost. Here a lookup costs one
 * bucket per region the range touches plus the requests chained there.
 *
 * Regions are 16 * max_sectors (rounded up to a power of two) so that the
 * window a conflict scan must cover, [s - max_sectors + 1, e), nearly always
 * lies in one region (a second one costs another bucket and a branch the
 * CPU cannot predict). There are as many buckets as the largest power of two in
 * the request pool, and the bucket heads live in the pool's requests
 * (rq->ot_head), so the index costs no memory beyond the pool and its load
 * factor stays at most one without any allocation. Requests of different
 * regions may share a bucket; a lookup skips those by region number, so a
 * request is seen once however the regions hash.
 *
 * Cost: O(r + k) for a range touching r regions whose buckets chain k
 * requests; with requests spread over the disk k is about one. In the worst
 * case (every outstanding request in the same few regions) k is the number
 * outstanding, which the pool bounds (64 for an AHCI disk).
 */
#include "core/lib.h"
#include "block/blk.h"

/* Fibonacci hashing (Knuth TAOCP vol. 3, 6.4): 2^64 / golden ratio. */
#define BLK_INDEX_GOLDEN 0x9e3779b97f4a7c15ULL

void blk_index_init(struct blk_queue *q, struct request *pool, u32 npool)
{
	u32 buckets = 1, shift = 0;

	while (buckets * 2 <= npool && buckets < 0x40000000U)
		buckets *= 2;
	while ((1ULL << shift) < q->dev->limits.max_sectors)
		shift++;
	q->ot_pool = pool;
	q->ot_mask = buckets - 1;
	/* 16 times max_sectors: see the comment at the top. */
	q->ot_shift = MIN(shift + 4, 63U);
	for (u32 i = 0; i < buckets; i++) {
		pool[i].ot_head[BLK_READ] = NULL;
		pool[i].ot_head[BLK_WRITE] = NULL;
	}
}

static struct request **bucket(struct blk_queue *q, int dir, sector_t region)
{
	u32 h = (u32)((region * BLK_INDEX_GOLDEN) >> 32) & q->ot_mask;

	return &q->ot_pool[h].ot_head[dir];
}

void blk_index_add(struct blk_queue *q, struct request *rq)
{
	int dir = rq_data_dir(rq);
	struct request **head = bucket(q, dir, rq->sector >> q->ot_shift);

	rq->ot_next = *head;
	if (*head)
		(*head)->ot_pprev = &rq->ot_next;
	rq->ot_pprev = head;
	*head = rq;
	q->ot_count[dir]++;
}

void blk_index_del(struct blk_queue *q, struct request *rq)
{
	*rq->ot_pprev = rq->ot_next;
	if (rq->ot_next)
		rq->ot_next->ot_pprev = rq->ot_pprev;
	rq->ot_next = NULL;
	rq->ot_pprev = NULL;
	q->ot_count[rq_data_dir(rq)]--;
}

void blk_index_iter_init(struct blk_index_iter *it, struct blk_queue *q,
			 int dir, sector_t lo, sector_t hi)
{
	it->q = q;
	it->dir = dir;
	it->lo = lo;
	it->hi = hi;
	it->region = lo >> q->ot_shift;
	it->last = hi > lo ? (hi - 1) >> q->ot_shift : 0;
	it->next = hi > lo ? *bucket(q, dir, it->region) : NULL;
	if (hi <= lo)
		it->region = it->last + 1;
}

struct request *blk_index_iter_next(struct blk_index_iter *it)
{
	u32 shift = it->q->ot_shift;

	while (it->region <= it->last) {
		struct request *r = it->next;

		if (!r) {
			if (it->region++ == it->last)
				break;
			it->next = *bucket(it->q, it->dir, it->region);
			continue;
		}
		it->next = r->ot_next;
		/* In range and in this region, so seen once per lookup. */
		if (r->sector - it->lo < it->hi - it->lo &&
		    r->sector >> shift == it->region)
			return r;
	}
	return NULL;
}

struct request *blk_index_find_merge(struct blk_queue *q, int dir, sector_t pos,
				     enum elv_merge type)
{
	struct blk_index_iter it;
	struct request *r;
	sector_t max = q->dev->limits.max_sectors;

	if (type == ELV_FRONT_MERGE)
		blk_index_iter_init(&it, q, dir, pos, pos + 1);
	else
		blk_index_iter_init(&it, q, dir, pos > max ? pos - max : 0,
				    pos);
	while ((r = blk_index_iter_next(&it))) {
		if (r->state != RQ_QUEUED)
			continue;
		if (type == ELV_FRONT_MERGE ? r->sector == pos :
					      rq_end_sector(r) == pos)
			return r;
	}
	return NULL;
}
