/* SPDX-License-Identifier: MIT */
/*
 * The keel elevator's state and the helpers its two files share:
 * block/keel.c (hooks, direction, writes, aging) and block/keel-read.c
 * (which read goes next). docs/block.md, "keel", says what it does.
 */
#ifndef KEEL_BLOCK_KEEL_H
#define KEEL_BLOCK_KEEL_H

#include "block/blk.h"
#include "block/sortq.h"

#define NS_PER_MS 1000000ULL
#define RB_OFF offsetof(struct request, rb_node)

struct keel_data {
	/*
	 * Per direction: old requests by sector (bucketed as deadline's, see
	 * block/sortq.h); reads also have a tree of young ones, which stays
	 * small (young_ms of arrivals).
	 */
	struct sortq sort[BLK_NR_DIRS];
	struct rb_root young;
	/* Elder reads by sector: they open the read FIFO, up to first_plain. */
	struct rb_root elder;
	struct list_head fifo_list[BLK_NR_DIRS];
	/* Queued writes a held read waits for, oldest first, by flushlist. */
	struct list_head urgent;
	/* The oldest read still young, or NULL: the young ones end the FIFO. */
	struct request *first_young;
	/* The oldest read not elder, or NULL. */
	struct request *first_plain;
	sector_t head; /* sector just past the last request dispatched */
	sector_t wpos; /* the same for the last write: the write sweep */
	bool write_turn; /* a write batch was granted to starved writes */
	int dir; /* direction of the current batch */
	u32 batch; /* requests in the current batch */
	u32 reads_passed; /* reads dispatched while writes waited */
	u32 since_aged[BLK_NR_DIRS]; /* dispatches since the FIFO head went */
	u64 expire[BLK_NR_DIRS]; /* ns */
	u64 young_ns;
	u32 young_reach;
	u32 gap_kb; /* gap reads: largest gap read and discarded, KiB */
	u32 drain_pct; /* elder: waited this % of the oldest's wait; 0 off */
	u32 write_cmd_kb; /* writes merge up to this while reads come; 0 off */
	u64 now; /* ns, the latest insert or dispatch */
	u64 last_read; /* ns, when the latest read arrived; 0 none yet */
	u32 nr_reads; /* reads queued */
	u32 fifo_batch;
	u32 writes_starved;
	bool front_merges;
};

_Static_assert(sizeof(struct keel_data) <= BLK_ELV_PRIV_SIZE,
	       "keel_data does not fit elv_priv");

static inline struct keel_data *kd(struct blk_queue *q)
{
	return (struct keel_data *)q->elv_priv;
}

static inline struct request *rb_rq(struct rb_node *n)
{
	return n ? rb_entry(n, struct request, rb_node) : NULL;
}

static inline sector_t sector_dist(sector_t a, sector_t b)
{
	return a >= b ? a - b : b - a;
}

static inline sector_t dist(sector_t head, const struct request *rq)
{
	return sector_dist(head, rq->sector);
}

static inline struct request *fifo_head(struct keel_data *d, int dir)
{
	if (list_empty(&d->fifo_list[dir]))
		return NULL;
	return list_first_entry(&d->fifo_list[dir], struct request, queuelist);
}

/* The next write of the ascending sweep, or where the sweep wraps to. */
static inline struct request *next_write(struct keel_data *d)
{
	struct request *rq = sortq_lower_bound(&d->sort[BLK_WRITE], d->wpos);

	return rq ? rq : fifo_head(d, BLK_WRITE);
}

/* The read after @rq in the FIFO, or NULL. */
static inline struct request *fifo_next(struct keel_data *d, struct request *rq)
{
	struct list_head *next = rq->queuelist.next;

	return next == &d->fifo_list[BLK_READ] ?
		       NULL :
		       list_entry(next, struct request, queuelist);
}

/* block/keel-read.c */
void keel_age(struct keel_data *d, u64 now);
struct request *keel_choose_read(struct keel_data *d, u64 now);

#endif
