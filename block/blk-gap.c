// SPDX-License-Identifier: MIT
/*
 * Gap reads: when the elevator hands the dispatch loop a read, the queued
 * reads that lie within a small gap after or before it (the elevator's
 * gap_sectors) go out with it as one read command. The command reads the
 * gaps too, into the bit bucket, so a rotating disk pays one seek and the
 * transfer of the gaps instead of a seek and most of a turn per request
 * (docs/block.md, "Gap reads").
 *
 * Rules, checked here for every request that joins:
 *  - reads only, none FUA, each already free to go (queued in the
 *    elevator: nothing it must wait for), and no flush outstanding;
 *  - no outstanding write, queued, held or in flight, overlaps a gap: the
 *    device never reads sectors that a write is about to change, even
 *    into the bucket;
 *  - the command stays within max_sectors and max_segments, gaps counted;
 *  - requests never overlap each other: a disk sector reaches one buffer;
 *  - every request starts and ends on a logical block (limits), so the
 *    gaps and the command do too.
 * The head (lowest sector) carries the command: its sector and nr_sectors
 * span everything, rq->cmd_next chains the rest in sector order. A command
 * that succeeds ends every request of it; one that fails is split and each
 * request goes again alone (blk_gap_failed()), so each ends with its own
 * status.
 *
 * Blocker invariant (blk-core.c unblock() relies on it): an outstanding
 * request W counts an earlier outstanding request D, once, exactly when
 * they conflict over D's range [D->sector, rq_end_sector(D)). Stretching
 * the head's range at build breaks that for the held writes newer than the
 * head that overlap the stretch but not the head's own sectors: they
 * counted only the parts they overlap. The build counts the head for them
 * (span_waiters(+1)); the split, shrinking the head back, takes exactly
 * those counts away again (span_waiters(-1)), whether they were added at
 * build or by writes that arrived while the command was out. Such a write
 * overlaps a part (never a gap: may_join()) that was queued, so free to go,
 * so it is newer than that part and held by it: the added count only
 * delays what was held anyway, and a removed one leaves it held by its
 * part, or frees it when that is all there was (a gap write after split).
 */
#include "core/lib.h"
#include "block/blk.h"

/*
 * The bit bucket. Shared by all queues, since nothing ever reads it back.
 * It is in Keel's image, which Keel maps 1:1 (core/mm.h phys_to_virt) and
 * which lies in the type-1 RAM that the IOMMU's Keel domain identity-maps
 * for Keel's own devices (docs/iommu.md), so every Keel driver may DMA
 * into it; the host build uses plain pointers, as the RAM disk does.
 */
static _Alignas(BLK_BIT_BUCKET_SIZE) u8 bit_bucket[BLK_BIT_BUCKET_SIZE];

phys_addr_t blk_bit_bucket(void)
{
	return (phys_addr_t)(uintptr_t)bit_bucket;
}

/* A queued read that may join a command, on whole logical blocks. */
static bool joinable(const struct blk_queue *q, const struct request *r)
{
	u32 lbs = q->dev->limits.logical_block_size >> SECTOR_SHIFT;

	return r->state == RQ_QUEUED && r->op == REQ_OP_READ &&
	       !(r->flags & REQ_FUA) && !(r->sector % lbs) &&
	       !(r->nr_sectors % lbs);
}

/*
 * The neighbour search. Every queued read that may join sits in two sorted
 * trees, one by start sector and one by end sector, so the read starting
 * nearest after a command and the one ending nearest before it are each a
 * descent (a lower bound, a predecessor). Both are cut, like the
 * outstanding index, into one tree per disk region (sector >> ot_shift,
 * 16 * max_sectors), the roots hashed into the pool's slots (rq->gap_root):
 * with reads spread over the disk a tree holds about one, so an insert is
 * not a walk of log2(n) random requests; regions that share a slot share a
 * tree, which stays sorted since regions are contiguous sector ranges. A
 * search looks no farther than max_sectors (nothing farther could join),
 * so it visits at most two regions, nearest first, each one O(log n)
 * descent; in the worst case (every queued read in one region) that
 * region's tree holds them all. Only queues that may
 * make gap reads keep the trees: an elevator with a gap_sectors hook on a
 * rotating disk; a read queued while the disk was BLK_FEAT_NONROT is not
 * in them and never joins.
 *
 * The order among equal keys is the one the search had when it walked the
 * outstanding index over the whole window (iosim's output is
 * byte-identical): at equal starts the read that entered the index last
 * (highest ot_stamp: the index chains newest first); at equal ends the one
 * starting in the lowest region (regions were walked upwards), then the
 * newest.
 */
/* Fibonacci hashing (Knuth TAOCP vol. 3, 6.4), as the outstanding index. */
#define GAP_GOLDEN 0x9e3779b97f4a7c15ULL

static bool gap_tracked(const struct blk_queue *q)
{
	return q->elv->gap_sectors &&
	       !(q->dev->limits.features & BLK_FEAT_NONROT);
}

struct rb_root *blk_gap_root(struct blk_queue *q, int by_end, sector_t key)
{
	sector_t region = key >> q->ot_shift;
	u32 h = (u32)((region * GAP_GOLDEN) >> 32) & q->ot_mask;

	return &q->ot_pool[h].gap_root[by_end];
}

/* Whether @a sorts before @b in the tree by start. */
static bool start_before(const struct blk_queue *q, const struct request *a,
			 const struct request *b)
{
	if (a->sector != b->sector)
		return a->sector < b->sector;
	return a->ot_stamp > b->ot_stamp;
}

/* Whether @a sorts before @b in the tree by end. */
static bool end_before(const struct blk_queue *q, const struct request *a,
		       const struct request *b)
{
	sector_t ra = a->sector >> q->ot_shift, rb = b->sector >> q->ot_shift;

	if (rq_end_sector(a) != rq_end_sector(b))
		return rq_end_sector(a) < rq_end_sector(b);
	if (ra != rb)
		return ra > rb;
	return a->ot_stamp < b->ot_stamp;
}

/* Keys are unique (ot_stamp is), so the walk never meets an equal one. */
static void tree_insert(struct blk_queue *q, struct rb_root *root,
			struct request *rq, size_t off,
			bool (*before)(const struct blk_queue *,
				       const struct request *,
				       const struct request *))
{
	struct rb_node **link = &root->node, *parent = NULL;
	struct rb_node *node = (struct rb_node *)((char *)rq + off);

	while (*link) {
		struct request *r = (struct request *)((char *)*link - off);

		parent = *link;
		link = &(*link)->child[!before(q, rq, r)];
	}
	rb_link_node(node, parent, link);
	rb_insert_color(node, root);
}

void blk_gap_queued(struct blk_queue *q, struct request *rq)
{
	if (!gap_tracked(q) || !joinable(q, rq) ||
	    (rq->rq_flags & RQF_GAP_TREE))
		return;
	tree_insert(q, blk_gap_root(q, 0, rq->sector), rq,
		    offsetof(struct request, gap_start), start_before);
	tree_insert(q, blk_gap_root(q, 1, rq_end_sector(rq)), rq,
		    offsetof(struct request, gap_end), end_before);
	rq->rq_flags |= RQF_GAP_TREE;
}

/* Before its sectors change: the keys find the trees. */
void blk_gap_unqueued(struct blk_queue *q, struct request *rq)
{
	if (!(rq->rq_flags & RQF_GAP_TREE))
		return;
	rb_erase(&rq->gap_start, blk_gap_root(q, 0, rq->sector));
	rb_erase(&rq->gap_end, blk_gap_root(q, 1, rq_end_sector(rq)));
	rq->rq_flags &= ~RQF_GAP_TREE;
}

/* In a tree by start: the first request starting at or after @s. */
static struct request *first_from(const struct rb_root *root, sector_t s)
{
	struct rb_node *n = root->node;
	struct request *best = NULL;

	while (n) {
		struct request *r = rb_entry(n, struct request, gap_start);
		bool right = r->sector < s;

		best = right ? best : r;
		n = n->child[right];
	}
	return best;
}

/* In a tree by end: the last request ending at or before @e. */
static struct request *last_upto(const struct rb_root *root, sector_t e)
{
	struct rb_node *n = root->node;
	struct request *best = NULL;

	while (n) {
		struct request *r = rb_entry(n, struct request, gap_end);
		bool right = rq_end_sector(r) <= e;

		best = right ? r : best;
		n = n->child[right];
	}
	return best;
}

/* The queued read starting nearest after @end, within @gap sectors. */
static struct request *read_after(struct blk_queue *q, sector_t end, u32 gap)
{
	u32 shift = q->ot_shift;

	for (sector_t g = end >> shift; g <= (end + gap) >> shift; g++) {
		sector_t from = MAX(end, g << shift);
		struct request *r = first_from(blk_gap_root(q, 0, from), from);

		/* A request of a later region sharing the tree: none in g. */
		if (r && r->sector >> shift == g)
			return r->sector - end <= gap ? r : NULL;
	}
	return NULL;
}

/* The queued read ending nearest before @start, within @gap sectors. */
static struct request *read_before(struct blk_queue *q, sector_t start, u32 gap)
{
	u32 shift = q->ot_shift;
	sector_t lo = start > gap ? start - gap : 0;

	for (sector_t g = start >> shift;; g--) {
		sector_t to = MIN(start, ((g + 1) << shift) - 1);
		struct request *r = last_upto(blk_gap_root(q, 1, to), to);

		/* A request of an earlier region sharing the tree: none in g. */
		if (r && rq_end_sector(r) >> shift == g)
			return rq_end_sector(r) >= lo ? r : NULL;
		if (g == lo >> shift)
			return NULL;
	}
}

/* The command being built: [start, end), its segments so far. */
struct gap_cmd {
	sector_t start, end;
	u32 segs;
	u32 gap; /* sectors of gap so far */
};

/*
 * Whether @r, lying [gs, ge) away from the command (the gap), may join:
 * limits with the gap counted, and no write on the gap.
 */
static bool may_join(struct blk_queue *q, const struct gap_cmd *c,
		     const struct request *r, sector_t gs, sector_t ge)
{
	const struct blk_queue_limits *lim = &q->dev->limits;
	sector_t start = MIN(c->start, r->sector);
	sector_t end = MAX(c->end, rq_end_sector(r));
	u32 gsegs = blk_gap_segments(lim, (u32)((ge - gs) << SECTOR_SHIFT));

	if (end - start > lim->max_sectors ||
	    (u64)c->segs + gsegs + r->nr_segments > lim->max_segments)
		return false;
	if (ge > gs &&
	    blk_scan_conflicts(q, gs, (u32)(ge - gs), false, NULL, true))
		return false;
	return true;
}

static void join(struct blk_queue *q, struct gap_cmd *c, struct request *r,
		 sector_t gs, sector_t ge, u64 now)
{
	q->elv->take(q, r);
	blk_gap_unqueued(q, r);
	q->nr_queued--;
	r->state = RQ_INFLIGHT;
	r->tag = -1;
	r->dispatch_ns = now;
	c->start = MIN(c->start, r->sector);
	c->end = MAX(c->end, rq_end_sector(r));
	c->segs += blk_gap_segments(&q->dev->limits,
				    (u32)((ge - gs) << SECTOR_SHIFT)) +
		   r->nr_segments;
	c->gap += (u32)(ge - gs);
	q->stats.gap_merged++;
}

/* Where @rq's own bios end: the head of a command spans more. */
static sector_t rq_own_end(const struct request *rq)
{
	return bio_end_sector(rq->biotail);
}

/*
 * Add @delta to the blockers of each held write newer than @head that
 * overlaps [own_end, span_end) but not @head's own [head->sector, own_end)
 * (see the invariant at the top).
 */
static void span_waiters(struct blk_queue *q, struct request *head,
			 sector_t own_end, sector_t span_end, int delta)
{
	sector_t s = head->sector, max = q->dev->limits.max_sectors;
	struct blk_index_iter it;
	struct request *w;

	blk_index_iter_init(&it, q, BLK_WRITE, s > max ? s - max + 1 : 0,
			    span_end);
	while ((w = blk_index_iter_next(&it))) {
		if (w->seq < head->seq || rq_end_sector(w) <= own_end ||
		    (w->sector < own_end && rq_end_sector(w) > s))
			continue;
		if (w->state != RQ_HELD) {
			blk_warn("block: gap read blocker count broken");
			continue;
		}
		if (delta < 0)
			blk_unblock(q, w);
		else
			w->nr_blockers++;
		head->rq_flags |= RQF_WAITERS;
	}
}

struct request *blk_gap_build(struct blk_queue *q, struct request *rq, u64 now)
{
	u32 gap = q->elv->gap_sectors ? q->elv->gap_sectors(q) : 0;
	struct gap_cmd c = { rq->sector, rq_end_sector(rq), rq->nr_segments,
			     0 };
	struct request *head = rq, *tail = rq;
	bool up = true, down = true;
	/*
	 * Nothing farther than max_sectors can join (the command would exceed
	 * it), so the search looks no farther: at most two index regions.
	 */
	u32 reach = MIN(gap, q->dev->limits.max_sectors);

	/* @rq left the elevator but is still marked queued. */
	blk_gap_unqueued(q, rq);
	if (!gap || !joinable(q, rq) || !list_empty(&q->flushes))
		return rq;
	while (up || down) {
		struct request *r;

		if (up) {
			r = read_after(q, c.end, reach);
			up = r && may_join(q, &c, r, c.end, r->sector);
			if (up) {
				join(q, &c, r, c.end, r->sector, now);
				tail->cmd_next = r;
				tail = r;
				continue;
			}
		}
		r = read_before(q, c.start, reach);
		down = r && may_join(q, &c, r, rq_end_sector(r), c.start);
		if (down) {
			join(q, &c, r, rq_end_sector(r), c.start, now);
			r->cmd_next = head;
			head = r;
		}
	}
	if (head == tail)
		return rq;
	/* The dispatch loop marks the head; @rq may be a part now. */
	rq->state = RQ_INFLIGHT;
	rq->tag = -1;
	rq->dispatch_ns = now;
	span_waiters(q, head, rq_own_end(head), c.end, +1);
	head->nr_sectors = (u32)(c.end - c.start);
	head->nr_segments = (u16)c.segs;
	q->stats.gap_reads++;
	q->stats.gap_sectors += c.gap;
	return head;
}

/*
 * Shrink @head back to its own sectors and put every request of the
 * command, alone, on q->dispatch to go again.
 */
static void split(struct blk_queue *q, struct request *head)
{
	sector_t own_end = rq_own_end(head);
	u32 segs = 0;

	span_waiters(q, head, own_end, rq_end_sector(head), -1);
	for (struct bio *b = head->bio;; b = b->bi_next) {
		segs += bio_nr_segments(&q->dev->limits, b);
		if (b == head->biotail)
			break;
	}
	head->nr_sectors = (u32)(own_end - head->sector);
	head->nr_segments = (u16)segs;
	while (head) {
		struct request *next = head->cmd_next;

		head->cmd_next = NULL;
		head->state = RQ_READY;
		/* stats.dispatched counted it with the command. */
		head->rq_flags |= RQF_AGAIN;
		list_add_tail(&head->queuelist, &q->dispatch);
		head = next;
	}
	q->stats.gap_splits++;
}

void blk_gap_failed(struct blk_queue *q, struct request *head)
{
	/*
	 * The failure may lie only in a gap, which no request asked for: each
	 * goes again alone and ends with its own status. Alone it has no
	 * cmd_next, so it never comes back here.
	 */
	split(q, head);
	/* The split took back the counts the stretched head added. */
	blk_release_held(q, q->clock(q->clock_ctx));
	blk_run_queue(q->dev);
}

u32 blk_gap_parts(const struct request *head)
{
	u32 parts = 0;

	for (const struct request *r = head; r; r = r->cmd_next)
		parts++;
	return parts;
}

struct bio *blk_gap_retire(struct blk_queue *q, struct request *head,
			   blk_status_t status, u64 now)
{
	struct bio *bio = NULL, **tail = &bio;

	while (head) {
		/* Retiring frees the request and clears its cmd_next. */
		struct request *next = head->cmd_next;

		*tail = head->bio;
		if (head->biotail)
			tail = &head->biotail->bi_next;
		blk_retire_request(q, head, status, now);
		head = next;
	}
	return bio;
}
