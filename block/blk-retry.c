// SPDX-License-Identifier: MIT
/*
 * Retries of merged requests: a request made of several bios (blk-core.c
 * merges contiguous bios of different submitters into one command) that
 * fails with a media or I/O error may have failed in the sectors of one
 * bio only. Ending every bio with the error would fail the others'
 * submitters (a guest's virtio-blk requests merged with the bad one) for
 * nothing, so each bio goes again alone, once, and ends with the status of
 * that retry: only a bio that fails on its own fails. A disk that reports
 * the bad LBA lets Linux's SCSI disk driver complete the bytes before it
 * and fail only the rest (sd_completed_bytes()); Keel's drivers report no
 * LBA, so going again bio by bio is how the queue finds the bad one.
 *
 * Ordering (docs/block.md, "Correctness rules") is kept by not touching
 * it: the failed request stays outstanding (RQ_RETRY), in the outstanding
 * index with its whole range and its place in the flush bookkeeping,
 * until its last bio's retry ended; only then does it retire, which
 * releases what waited for it, exactly as a plain completion does. So a
 * later overlapping write stays held until every retry is done, a flush
 * that waited for a failed write still waits, and a bio that arrives
 * meanwhile counts the request as a blocker and never merges into it (it
 * is not queued). No bio is ended before its own retry ended, so a write
 * is reported done only when its retry succeeded.
 *
 * The bios cannot go as requests of their own: the pool may be empty, and
 * new requests would take new places in the order. One request per queue,
 * q->retry_rq (as Linux keeps a flush request per queue), carries them,
 * one bio at a time, on q->dispatch ahead of the elevator, like the parts
 * of a failed gap read (blk-gap.c, RQF_AGAIN). It is never in the index
 * or the elevator, so nothing merges with it, and its completion comes
 * here and nowhere else, so a bio that fails alone ends with its error
 * and is not retried again. Failed requests wait for it in q->retry,
 * oldest first; retries are rare, so going one bio at a time costs
 * nothing that matters.
 */
#include "core/lib.h"
#include "block/blk.h"

void blk_retry_init(struct blk_queue *q)
{
	struct request *c = &q->retry_rq;

	INIT_LIST_HEAD(&q->retry);
	c->q = q;
	c->tag = -1;
	c->state = RQ_FREE;
	INIT_LIST_HEAD(&c->queuelist);
	INIT_LIST_HEAD(&c->flushlist);
}

/*
 * Media and I/O errors may lie in one bio's sectors. A timeout, an
 * operation the device does not support or a device that is gone
 * (BLK_STS_OFFLINE) would fail every bio again: those end them all. A
 * gap read's command is split by blk-gap.c instead, and a FUA write
 * (never merged) has one bio.
 */
bool blk_retry_wanted(const struct request *rq, blk_status_t status)
{
	return (status == BLK_STS_IOERR || status == BLK_STS_MEDIUM) &&
	       rq->bio != rq->biotail && !rq->cmd_next &&
	       !(rq->rq_flags & RQF_POSTFLUSH);
}

/* Put @bio of @owner, alone, on q->dispatch in q->retry_rq. */
static void carry(struct blk_queue *q, struct request *owner, struct bio *bio)
{
	struct request *c = &q->retry_rq;

	/* The segment walk follows bi_next: cut it, retry_ended() mends it. */
	q->retry_next = bio->bi_next;
	bio->bi_next = NULL;
	c->op = owner->op;
	c->flags = owner->flags;
	c->sector = bio->bi_iter.bi_sector;
	c->nr_sectors = bio_sectors(bio);
	c->nr_segments = (u16)bio_nr_segments(&q->dev->limits, bio);
	c->bio = c->biotail = bio;
	c->cmd_next = NULL;
	c->rq_flags = RQF_AGAIN;
	c->status = BLK_STS_OK;
	c->seq = owner->seq;
	c->arrival_ns = owner->arrival_ns;
	c->state = RQ_READY;
	list_add_tail(&c->queuelist, &q->dispatch);
	q->stats.bio_retries++;
}

void blk_retry_start(struct blk_queue *q, struct request *rq)
{
	/*
	 * Each bio ends with its own retry's error, if any. The failed
	 * command set no status on them; an error already there (a split
	 * piece of the same bio that failed) must stay.
	 */
	rq->state = RQ_RETRY;
	list_add_tail(&rq->queuelist, &q->retry);
	if (q->retry_rq.state == RQ_FREE)
		carry(q, rq, rq->bio);
	blk_run_queue(q->dev);
}

void blk_retry_ended(struct blk_queue *q, blk_status_t status)
{
	struct request *c = &q->retry_rq;
	struct request *owner =
		list_first_entry(&q->retry, struct request, queuelist);
	struct bio *bio = c->bio;

	if (status)
		bio->bi_status = status; /* as bio_endio(): errors only add */
	bio->bi_next = q->retry_next;
	q->retry_next = NULL;
	c->bio = c->biotail = NULL;
	c->state = RQ_FREE;
	if (status)
		q->stats.errors++;
	if (bio != owner->biotail) {
		carry(q, owner, bio->bi_next);
		blk_run_queue(q->dev);
		return;
	}
	list_del_init(&owner->queuelist);
	/* The next owner's first bio goes out with the queue run below. */
	if (!list_empty(&q->retry)) {
		struct request *next =
			list_first_entry(&q->retry, struct request, queuelist);

		carry(q, next, next->bio);
	}
	/* Errors were counted per bio above; the request itself ends OK. */
	blk_finish_request(q, owner, BLK_STS_OK, q->clock(q->clock_ctx));
}
