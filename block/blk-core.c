// SPDX-License-Identifier: MIT
/*
 * The request queue: submission with merging, the ordering rules, the
 * dispatch loop and completion. The elevator only chooses among requests
 * that may go in any order; this file decides which ones those are.
 *
 * Ordering (docs/block.md, "Correctness rules"):
 *  - Every outstanding read or write sits in the outstanding index
 *    (blk-index.c), by direction and start sector. A new
 *    request counts the earlier outstanding requests it conflicts with
 *    (overlap, and at least one side writes) in nr_blockers and is HELD
 *    until they complete; each completion decrements its later conflicting
 *    neighbours. A bio may join a request only if it conflicts with no other
 *    outstanding request, so merging never creates a new conflict pair.
 *  - A flush waits for every outstanding write; while any flush is
 *    outstanding, everything submitted after it waits behind the newest one
 *    (rq->barrier) and nothing merges.
 *  - A request never exceeds limits.max_sectors, so every request that
 *    overlaps [s, e) starts in [s - max_sectors + 1, e): the conflict scan
 *    looks up only that window in the index.
 *  - A merged request that fails with a media or I/O error sends its bios
 *    again one at a time (blk-retry.c) but stays outstanding, its range in
 *    the index, until the last one ended: whoever waited for it still
 *    waits, whoever arrives meanwhile counts it.
 */
#include "core/lib.h"
#include "block/blk.h"

static u64 now_ns(struct blk_queue *q)
{
	return q->clock(q->clock_ctx);
}

/*
 * A new read must wait for write @w: tell the elevator, once, so that it
 * can serve @w as soon as it would serve the read (keel does).
 */
static void read_waits(struct blk_queue *q, struct request *w)
{
	if (w->rq_flags & RQF_READ_WAITS)
		return;
	w->rq_flags |= RQF_READ_WAITS;
	if (w->state == RQ_QUEUED && q->elv->read_waits)
		q->elv->read_waits(q, w, now_ns(q));
}

/*
 * Count outstanding requests, other than @skip, overlapping [s, s + n) that
 * conflict with an access of the given direction; stop at the first one
 * when @any (and then leave no mark). Flushes never sit in the index,
 * POSTFLUSH requests do.
 */
u32 blk_scan_conflicts(struct blk_queue *q, sector_t s, u32 n, bool write,
		       const struct request *skip, bool any)
{
	sector_t lo = s > q->dev->limits.max_sectors ?
			      s - q->dev->limits.max_sectors + 1 :
			      0;
	u32 count = 0;

	for (int d = write ? BLK_READ : BLK_WRITE; d < BLK_NR_DIRS; d++) {
		struct blk_index_iter it;
		struct request *r;

		if (!q->ot_count[d])
			continue;
		blk_index_iter_init(&it, q, d, lo, s + n);
		while ((r = blk_index_iter_next(&it))) {
			if (r == skip || rq_end_sector(r) <= s)
				continue;
			count++;
			if (any)
				return count;
			r->rq_flags |= RQF_WAITERS;
			if (!write)
				read_waits(q, r);
		}
	}
	return count;
}

static struct request *last_flush(struct blk_queue *q)
{
	if (list_empty(&q->flushes))
		return NULL;
	return list_last_entry(&q->flushes, struct request, flushlist);
}

static bool can_merge(struct blk_queue *q, struct request *rq,
		      const struct bio *bio, enum elv_merge type, u32 segs)
{
	const struct blk_queue_limits *lim = &q->dev->limits;

	if (!rq || rq->state != RQ_QUEUED || rq->op != bio->bi_op ||
	    (rq->flags & REQ_FUA))
		return false;
	if (type == ELV_BACK_MERGE &&
	    rq_end_sector(rq) != bio->bi_iter.bi_sector)
		return false;
	if (type == ELV_FRONT_MERGE && bio_end_sector(bio) != rq->sector)
		return false;
	if ((u64)rq->nr_sectors + bio_sectors(bio) > lim->max_sectors ||
	    (u32)rq->nr_segments + segs > lim->max_segments)
		return false;
	return !blk_scan_conflicts(q, bio->bi_iter.bi_sector, bio_sectors(bio),
				   op_is_write(bio->bi_op), rq, true);
}

static bool try_merge(struct blk_queue *q, struct bio *bio, u32 segs)
{
	static const enum elv_merge order[] = { ELV_BACK_MERGE,
						ELV_FRONT_MERGE };

	for (size_t i = 0; i < ARRAY_SIZE(order); i++) {
		enum elv_merge t = order[i];
		struct request *rq = q->elv->merge_lookup(q, bio, t);

		if (!can_merge(q, rq, bio, t, segs))
			continue;
		/* Its start or end moves: out of the gap trees meanwhile. */
		blk_gap_unqueued(q, rq);
		if (t == ELV_BACK_MERGE) {
			rq->biotail->bi_next = bio;
			rq->biotail = bio;
			q->stats.back_merges++;
		} else {
			/* The start moves: re-key the outstanding index. */
			blk_index_del(q, rq);
			bio->bi_next = rq->bio;
			rq->bio = bio;
			rq->sector = bio->bi_iter.bi_sector;
			rq->ot_stamp = ++q->ot_stamp;
			blk_index_add(q, rq);
			q->stats.front_merges++;
		}
		rq->nr_sectors += bio_sectors(bio);
		rq->nr_segments += segs;
		q->elv->merged(q, rq, t);
		blk_gap_queued(q, rq);
		return true;
	}
	return false;
}

void blk_make_ready(struct blk_queue *q, struct request *rq, u64 now)
{
	if (rq->op == REQ_OP_FLUSH) {
		rq->state = RQ_READY;
		list_add_tail(&rq->queuelist, &q->dispatch);
	} else {
		rq->state = RQ_QUEUED;
		q->nr_queued++;
		q->elv->insert(q, rq, now);
		blk_gap_queued(q, rq);
	}
}

/*
 * Whether the driver can serve @bio as one request: a known operation, whole
 * logical blocks (Linux's bio_unaligned(): start and length multiples of
 * limits.logical_block_size, so no merge or gap read ever builds a request
 * that is not), inside the device (Linux's bio_check_eod(); written as a
 * subtraction so that sector + length cannot wrap), and within max_sectors
 * and max_segments on its own.
 */
static bool bio_valid(const struct blk_dev *dev, const struct bio *bio,
		      u32 *segs)
{
	const struct bvec_iter *it = &bio->bi_iter;
	u32 lbs = dev->limits.logical_block_size;

	if (bio->bi_op == REQ_OP_FLUSH)
		return !it->bi_size && !(bio->bi_flags & REQ_FUA);
	if (bio->bi_op > REQ_OP_FLUSH || !it->bi_size || it->bi_size % lbs ||
	    (it->bi_sector << SECTOR_SHIFT) % lbs ||
	    it->bi_sector >= dev->capacity ||
	    bio_sectors(bio) > dev->capacity - it->bi_sector)
		return false;
	*segs = bio_nr_segments(&dev->limits, bio);
	return bio_sectors(bio) <= dev->limits.max_sectors &&
	       *segs <= dev->limits.max_segments;
}

int blk_submit_bio(struct bio *bio)
{
	struct blk_dev *dev = bio->bi_bdev;
	struct blk_queue *q = &dev->q;
	struct request *rq, *flush;
	u32 segs = 0;
	u64 now;

	if (!bio_valid(dev, bio, &segs)) {
		/* For a caller that ends it itself; bi_end_io does not run. */
		bio->bi_status = BLK_STS_IOERR;
		return -EINVAL;
	}
	bio->bi_next = NULL;
	now = now_ns(q);
	flush = last_flush(q);
	/* Linux REQ_NOMERGE_FLAGS: FUA and flushes never merge. */
	if (bio->bi_op != REQ_OP_FLUSH && !(bio->bi_flags & REQ_FUA) &&
	    !flush && try_merge(q, bio, segs)) {
		q->stats.bios++;
		blk_run_queue(dev);
		return 0;
	}
	if (list_empty(&q->free))
		return -EBUSY;
	q->stats.bios++;
	rq = list_first_entry(&q->free, struct request, queuelist);
	list_del_init(&rq->queuelist);
	rq->op = bio->bi_op;
	rq->flags = bio->bi_flags;
	rq->rq_flags = 0;
	rq->status = BLK_STS_OK;
	rq->tag = -1;
	rq->sector = bio->bi_iter.bi_sector;
	rq->nr_sectors = bio_sectors(bio);
	rq->nr_segments = (u16)segs;
	rq->seq = ++q->seq;
	rq->arrival_ns = now;
	rq->fifo_time = 0;
	rq->dispatch_ns = 0;
	rq->bio = rq->biotail = bio;
	rq->cmd_next = NULL;
	rq->barrier = NULL;
	rq->nr_blockers = flush ? 1 : 0;
	if (flush)
		blk_barrier_wait(flush, rq);
	if (rq->op == REQ_OP_FLUSH) {
		/* It waits for the writes of its epoch (blk-order.c). */
		blk_flush_submitted(q, rq);
		list_add_tail(&rq->flushlist, &q->flushes);
		q->stats.flushes++;
	} else {
		if (op_is_write(rq->op))
			q->open_writes++;
		rq->nr_blockers +=
			blk_scan_conflicts(q, rq->sector, rq->nr_sectors,
					   op_is_write(rq->op), NULL, false);
		rq->ot_stamp = ++q->ot_stamp;
		blk_index_add(q, rq);
	}
	q->stats.requests++;
	q->nr_outstanding++;
	q->stats.max_depth = MAX(q->stats.max_depth, q->nr_outstanding);
	if (rq->nr_blockers) {
		rq->state = RQ_HELD;
		list_add_tail(&rq->queuelist, &q->held);
		q->stats.held++;
	} else {
		blk_make_ready(q, rq, now);
	}
	blk_run_queue(dev);
	return 0;
}

void blk_start_plug(struct blk_dev *dev)
{
	dev->q.plugged++;
}

void blk_finish_plug(struct blk_dev *dev)
{
	if (dev->q.plugged && !--dev->q.plugged)
		blk_run_queue(dev);
}

struct request *blk_tag_to_rq(struct blk_dev *dev, int tag)
{
	if (tag < 0 || (u32)tag >= dev->q.depth)
		return NULL;
	return dev->q.tags[tag];
}

static void account_latency(struct blk_queue *q, int dir, u64 ns)
{
	u64 us = ns / 1000;
	int b = us ? 63 - __builtin_clzll(us) : 0;

	q->stats.lat_hist[dir][MIN(b, BLK_LAT_BUCKETS - 1)]++;
}

/* Bookkeeping of one ended request; its bios are the caller's to end. */
void blk_retire_request(struct blk_queue *q, struct request *rq,
			blk_status_t status, u64 now)
{
	bool flush = rq->op == REQ_OP_FLUSH;
	int dir = rq_data_dir(rq);

	if (status)
		q->stats.errors++;
	if (flush) {
		list_del_init(&rq->flushlist);
	} else {
		q->elv->completed(q, rq);
		q->stats.completed[dir]++;
		account_latency(q, dir, now - rq->arrival_ns);
		/* Out of the index first so unblock() does not see itself. */
		blk_index_del(q, rq);
	}
	blk_unblock_waiters(q, rq);
	blk_release_held(q, now);
	rq->state = RQ_FREE;
	rq->bio = rq->biotail = NULL;
	rq->cmd_next = NULL;
	rq->barrier = NULL;
	rq->barrier_next = NULL;
	list_add(&rq->queuelist, &q->free);
	q->nr_outstanding--;
}

void blk_finish_request(struct blk_queue *q, struct request *rq,
			blk_status_t status, u64 now)
{
	struct bio *bio = blk_gap_retire(q, rq, status, now);

	/*
	 * After the bookkeeping, so that a bi_end_io that resubmits sees a
	 * consistent queue; before dispatching, so that a flush this request
	 * released cannot end ahead of it. Every request of a gap read ends
	 * with the command's status; a request whose bios went again alone
	 * ends with OK here and each bio with the status of its own retry.
	 */
	while (bio) {
		struct bio *next = bio->bi_next;

		bio->bi_next = NULL;
		if (status)
			bio->bi_status = status;
		bio_endio(bio);
		bio = next;
	}
	blk_run_queue(q->dev);
}

static bool fua_needs_postflush(const struct blk_queue *q,
				const struct request *rq)
{
	u32 f = q->dev->limits.features;

	return rq->op == REQ_OP_WRITE && (rq->flags & REQ_FUA) &&
	       (f & BLK_FEAT_WRITE_CACHE) && !(f & BLK_FEAT_FUA);
}

void blk_complete_request(struct request *rq, blk_status_t status)
{
	struct blk_queue *q = rq->q;

	if (rq->state != RQ_INFLIGHT || rq->tag < 0) {
		blk_warn("block: completion of a request not in flight");
		return;
	}
	q->tags[rq->tag] = NULL;
	q->tags_used &= ~(u32)BIT(rq->tag);
	q->inflight--;
	rq->tag = -1;
	if (rq == &q->retry_rq) {
		blk_retry_ended(q, status);
		return;
	}
	if (status && rq->cmd_next) {
		blk_gap_failed(q, rq);
		return;
	}
	if (status && blk_retry_wanted(rq, status)) {
		blk_retry_start(q, rq);
		return;
	}
	if (rq->rq_flags & RQF_POSTFLUSH) {
		rq->rq_flags &= ~RQF_POSTFLUSH;
		rq->op = REQ_OP_WRITE;
	} else if (!status && fua_needs_postflush(q, rq)) {
		/* The data is in the cache only: flush it before completing. */
		rq->rq_flags |= RQF_POSTFLUSH;
		rq->op = REQ_OP_FLUSH;
		rq->state = RQ_READY;
		list_add(&rq->queuelist, &q->dispatch);
		blk_run_queue(q->dev);
		return;
	}
	blk_finish_request(q, rq, status, now_ns(q));
}

void blk_run_queue(struct blk_dev *dev)
{
	struct blk_queue *q = &dev->q;
	u64 now;

	if (q->plugged || q->running)
		return;
	q->running = true;
	now = now_ns(q);
	for (;;) {
		struct request *rq = NULL;
		blk_status_t sts;
		u32 parts;
		int tag, dir;
		bool flush;

		if (!list_empty(&q->dispatch)) {
			rq = list_first_entry(&q->dispatch, struct request,
					      queuelist);
			/* Without a write cache there is nothing to flush. */
			if (rq->op == REQ_OP_FLUSH &&
			    !(rq->rq_flags & RQF_POSTFLUSH) &&
			    !(dev->limits.features & BLK_FEAT_WRITE_CACHE)) {
				list_del_init(&rq->queuelist);
				rq->dispatch_ns = now;
				blk_finish_request(q, rq, BLK_STS_OK, now);
				continue;
			}
		}
		if (q->inflight >= q->depth)
			break;
		if (rq) {
			list_del_init(&rq->queuelist);
		} else {
			rq = q->elv->dispatch_next(q, now);
			if (!rq)
				break;
			q->nr_queued--;
			rq = blk_gap_build(q, rq, now);
		}
		tag = __builtin_ctz(~q->tags_used);
		q->tags_used |= (u32)BIT(tag);
		q->tags[tag] = rq;
		q->inflight++;
		rq->tag = tag;
		rq->state = RQ_INFLIGHT;
		if (!(rq->rq_flags & RQF_POSTFLUSH))
			rq->dispatch_ns = now;
		/* A synchronous completion may recycle @rq inside submit. */
		dir = rq_data_dir(rq);
		flush = rq->op == REQ_OP_FLUSH;
		parts = blk_gap_parts(rq);
		sts = dev->ops->submit(dev, rq);
		if (sts == BLK_STS_RESOURCE) {
			q->tags[tag] = NULL;
			q->tags_used &= ~(u32)BIT(tag);
			q->inflight--;
			rq->tag = -1;
			rq->state = RQ_READY;
			list_add(&rq->queuelist, &q->dispatch);
			break;
		}
		/* What goes again after a failed command counted once. */
		if (!flush && !(rq->rq_flags & RQF_AGAIN))
			q->stats.dispatched[dir] += parts;
		if (sts)
			blk_complete_request(rq, sts);
	}
	q->running = false;
}

u32 blk_poll(struct blk_dev *dev)
{
	u32 n = dev->ops->poll ? dev->ops->poll(dev) : 0;

	blk_run_queue(dev);
	return n;
}
