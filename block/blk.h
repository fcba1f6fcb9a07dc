/* SPDX-License-Identifier: MIT */
/*
 * Block layer internals shared by the queue core and the elevators.
 */
#ifndef KEEL_BLOCK_BLK_H
#define KEEL_BLOCK_BLK_H

#include "block/block.h"
#include "block/tunable.h"

/* request.rq_flags */
#define RQF_POSTFLUSH BIT(0) /* FUA write now in its emulated flush phase */
#define RQF_ELV_YOUNG BIT(1) /* keel: in the young tree of its direction */
#define RQF_WAITERS BIT(2) /* a later request counted this one as a blocker */
#define RQF_ELV_ELDER \
	BIT(3) /* keel: in its tree of the longest-waiting reads */
/*
 * Goes again alone after a failed command, a gap read (blk-gap.c) or a
 * merged request (blk-retry.c): stats.dispatched counted it already.
 */
#define RQF_AGAIN BIT(4)
/* in the queue's gap trees: a queued read that may join (blk-gap.c) */
#define RQF_GAP_TREE BIT(5)
/* a read counted this write as a blocker: the read waits for it (rule 1) */
#define RQF_READ_WAITS BIT(6)

enum elv_merge {
	ELV_NO_MERGE,
	ELV_FRONT_MERGE, /* bio ends where the request starts */
	ELV_BACK_MERGE, /* bio starts where the request ends */
};

/**
 * struct elevator_type - one elevator: its per-queue data lives in
 * q->elv_priv, its requests link through rq->rb_node and rq->queuelist.
 * Every hook is called by blk-core.c only; none of them dispatches or
 * completes anything itself.
 */
struct elevator_type {
	const char *name;
	/* blk_set_elevator(), queue idle: set up elv_priv and tunables. */
	void (*init)(struct blk_queue *q);
	/*
	 * blk_submit_bio(): a queued request that @bio could join as @type.
	 * The core then checks direction, flags, limits and ordering.
	 */
	struct request *(*merge_lookup)(struct blk_queue *q,
					const struct bio *bio,
					enum elv_merge type);
	/* blk_submit_bio(): @rq grew by a merge of @type. */
	void (*merged)(struct blk_queue *q, struct request *rq,
		       enum elv_merge type);
	/* A request that may be dispatched in any order now enters. */
	void (*insert)(struct blk_queue *q, struct request *rq, u64 now);
	/* Dispatch loop: remove and return the next request, or NULL. */
	struct request *(*dispatch_next)(struct blk_queue *q, u64 now);
	/*
	 * Optional. blk_submit_bio(): a new read must wait for queued write
	 * @rq (ordering rule 1), once per write. A write that is held when a
	 * read starts to wait for it enters later with RQF_READ_WAITS set.
	 */
	void (*read_waits)(struct blk_queue *q, struct request *rq, u64 now);
	/* blk_complete_request() for a request that came from here. */
	void (*completed)(struct blk_queue *q, struct request *rq);
	bool (*has_work)(struct blk_queue *q);
	/*
	 * Gap reads (block/blk-gap.c), both optional. gap_sectors: the
	 * largest gap the core may read and discard to join two queued reads
	 * into one command, 0 for none. take: dispatch loop, after
	 * dispatch_next: remove queued @rq, which goes out in the same command
	 * as the request just returned.
	 */
	u32 (*gap_sectors)(struct blk_queue *q);
	void (*take)(struct blk_queue *q, struct request *rq);
	/* Its knobs in q->elv_priv, for block/tunable.c (none: NULL, 0). */
	const struct blk_tunable *tunables;
	u32 nr_tunables;
};

extern const struct elevator_type elevator_none;
extern const struct elevator_type elevator_deadline;
extern const struct elevator_type elevator_kyber;
extern const struct elevator_type elevator_keel;

void blk_warn(const char *msg);

/*
 * The outstanding index (block/blk-index.c): every outstanding read and
 * write by direction and start sector. Flushes are never in it.
 */
struct blk_index_iter {
	struct blk_queue *q;
	int dir;
	sector_t lo, hi, region, last;
	struct request *next;
};

void blk_index_init(struct blk_queue *q, struct request *pool, u32 npool);
void blk_index_add(struct blk_queue *q, struct request *rq);
void blk_index_del(struct blk_queue *q, struct request *rq);
/* Visit, in no particular order, the requests of @dir starting in [lo, hi). */
void blk_index_iter_init(struct blk_index_iter *it, struct blk_queue *q,
			 int dir, sector_t lo, sector_t hi);
struct request *blk_index_iter_next(struct blk_index_iter *it);
/*
 * A queued (RQ_QUEUED) request of @dir that a bio could join as @type: one
 * ending at @pos for a back merge, starting at @pos for a front merge.
 */
struct request *blk_index_find_merge(struct blk_queue *q, int dir, sector_t pos,
				     enum elv_merge type);

/* Segments @bio needs under @lim; no coalescing across bio_vecs. */
u32 bio_nr_segments(const struct blk_queue_limits *lim, const struct bio *bio);
/* Segments a gap of @bytes takes in the bit bucket under @lim. */
u32 blk_gap_segments(const struct blk_queue_limits *lim, u32 bytes);

/*
 * Outstanding requests, other than @skip, overlapping [s, s + n) that
 * conflict with an access of direction @write; with @any, stop at 1.
 */
u32 blk_scan_conflicts(struct blk_queue *q, sector_t s, u32 n, bool write,
		       const struct request *skip, bool any);
/*
 * The gap trees: queued read @rq entered the elevator (blk_gap_queued) or
 * is about to leave it or change its sectors (blk_gap_unqueued; no-op for
 * a request not in them).
 */
void blk_gap_queued(struct blk_queue *q, struct request *rq);
void blk_gap_unqueued(struct blk_queue *q, struct request *rq);
/*
 * The root of the gap tree, by start (@by_end 0) or by end (1), that holds
 * the requests whose start, or end, is @key (for the host tests).
 */
struct rb_root *blk_gap_root(struct blk_queue *q, int by_end, sector_t key);
/*
 * Dispatch loop: grow read @rq, just out of the elevator, into a gap read
 * with the queued reads near it; returns the command's head (sector
 * order), @rq itself when nothing joined.
 */
struct request *blk_gap_build(struct blk_queue *q, struct request *rq, u64 now);
/*
 * Completion of a gap read that failed: shrink the head back to its own
 * sectors, put every request of the command, alone, on q->dispatch to go
 * again, release the held requests that frees and run the queue.
 */
void blk_gap_failed(struct blk_queue *q, struct request *head);
/* Requests in the command headed by @head: 1 unless a gap read. */
u32 blk_gap_parts(const struct request *head);
/*
 * Completion: retire every request of the command headed by @head (only
 * @head unless a gap read) and return all their bios as one chain, for the
 * caller to end with the command's status.
 */
struct bio *blk_gap_retire(struct blk_queue *q, struct request *head,
			   blk_status_t status, u64 now);

/*
 * Completion bookkeeping in blk-core.c that the gap-read completion drives
 * for each request of a command. blk_retire_request() frees @rq and leaves
 * its bios to the caller; blk_release_held() readies every held request
 * with no blockers left, in submission order.
 */
void blk_retire_request(struct blk_queue *q, struct request *rq,
			blk_status_t status, u64 now);
void blk_release_held(struct blk_queue *q, u64 now);

/*
 * Ordering bookkeeping (blk-order.c). blk_make_ready() hands a request
 * with no blockers to the elevator (a flush to the dispatch list);
 * blk_unblock() takes one blocker off held @r, which goes to q->ready
 * when it has none left, for blk_release_held(). A request submitted
 * while flush @f is outstanding waits behind it (blk_barrier_wait); a
 * new flush takes the open epoch's writes (blk_flush_submitted);
 * blk_unblock_waiters() counts an ended request off whoever waited.
 */
void blk_make_ready(struct blk_queue *q, struct request *rq, u64 now);
void blk_unblock(struct blk_queue *q, struct request *r);
void blk_barrier_wait(struct request *f, struct request *rq);
void blk_flush_submitted(struct blk_queue *q, struct request *f);
void blk_unblock_waiters(struct blk_queue *q, struct request *done);
/*
 * Retire @rq (and the other requests of its command, if a gap read), end
 * its bios, with @status if not OK, else each with its own bi_status, and
 * run the queue.
 */
void blk_finish_request(struct blk_queue *q, struct request *rq,
			blk_status_t status, u64 now);

/*
 * Retries of merged requests (block/blk-retry.c). blk_retry_wanted():
 * whether @rq, which ended with @status, should send its bios again one
 * at a time; blk_retry_start() does that, keeping @rq outstanding until
 * the last one ended. blk_retry_ended(): q->retry_rq ended with @status.
 */
void blk_retry_init(struct blk_queue *q);
bool blk_retry_wanted(const struct request *rq, blk_status_t status);
void blk_retry_start(struct blk_queue *q, struct request *rq);
void blk_retry_ended(struct blk_queue *q, blk_status_t status);

/* Insert @rq into @root ordered by start sector; equal keys go right. */
static inline void rq_rb_insert(struct rb_root *root, struct rb_node *node,
				size_t off)
{
	struct rb_node **link = &root->node, *parent = NULL;
	sector_t s = ((struct request *)((char *)node - off))->sector;

	/*
	 * Indexing by the comparison instead of branching on it: with random
	 * sectors the branch was mispredicted at every other level.
	 */
	while (*link) {
		struct request *r = (struct request *)((char *)*link - off);

		parent = *link;
		link = &(*link)->child[s >= r->sector];
	}
	rb_link_node(node, parent, link);
	rb_insert_color(node, root);
}

/* First node whose request starts at or after @s, or NULL. */
static inline struct rb_node *rq_rb_lower_bound(const struct rb_root *root,
						sector_t s, size_t off)
{
	struct rb_node *n = root->node, *best = NULL;

	while (n) {
		struct request *r = (struct request *)((char *)n - off);
		bool right = r->sector < s;

		best = right ? best : n;
		n = n->child[right];
	}
	return best;
}

static inline sector_t rq_end_sector(const struct request *rq)
{
	return rq->sector + rq->nr_sectors;
}

#endif
