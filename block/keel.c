// SPDX-License-Identifier: MIT
/*
 * The keel elevator: serve reads sooner than deadline on a rotating disk
 * without starving anything. docs/block.md ("keel") says what it does, why,
 * and when it loses; in short:
 *
 *  - Shortest seek first, from wherever the head is, in both directions of
 *    travel (deadline sweeps one way in batches and restarts at its FIFO
 *    head whenever that has expired, which under overload is every batch).
 *  - Young reads first: reads that arrived within young_ms sit in a tree of
 *    their own, and the nearest young read is served unless the nearest old
 *    one is young_reach times closer. Under overload this serves many reads
 *    at once and leaves the rest for later, where deadline makes every
 *    read wait about as long as the queue is deep; the geometric mean of
 *    read latency falls, the mean does not move (the disk's work is fixed).
 *  - Aging: whenever the oldest request of a direction has waited longer
 *    than its expiry, every fifo_batch-th dispatch of that direction serves
 *    it, so no request starves and waits stay bounded under any load.
 *  - Reads before writes, but a write sweep is cut for a read only where the
 *    read costs no more than the next write (the sweep wraps, or the read
 *    is nearby) or once a read has waited a fifth of read_expire: a read in
 *    the middle of a stream of writes costs two long seeks.
 *  - Writes first while a flush waits: the flush and everything submitted
 *    after it, reads too, wait for exactly the writes queued now.
 *  - Drains: when no read is young (none arrived for young_ms), reads that
 *    have waited at least drain_pct % as long as the oldest one ("elder"
 *    reads, a tree of their own) go first, nearest first, as one batch:
 *    no read joins it until it is done, and aging waits for it, since the
 *    oldest read is in it. The reads that young-first left behind are
 *    served before the drain ends, at one seek each.
 *  - While reads come, writes merge only up to write_cmd_kb: a read waits
 *    for the write in flight. The last two reads of a cut into a write
 *    sweep go in the order that travels less, back to the sweep included.
 *  - A queued write that a held read waits for (ordering rule 1) stands in
 *    for that read, which the elevator does not see: it counts as a
 *    waiting read and goes first among reads.
 *
 * This file has the hooks, the direction, the writes and aging; which read
 * goes next is block/keel-read.c, the state block/keel.h. Every operation
 * is O(log n): tree inserts, erases and lower bounds, list heads; a read
 * moves from the young to the old tree once.
 */
#include "core/lib.h"
#include "block/keel.h"

/* Tunable defaults; the first five are deadline's names and units. */
static const u64 read_expire_ms = 500;
static const u64 write_expire_ms = 5000;
static const u32 fifo_batch = 16;
static const u32 writes_starved = 2;
static const bool front_merges = true;
static const u64 young_ms = 50;
static const u32 young_reach = 32;
static const u32 gap_kb = 512;
static const u32 drain_pct = 60;
static const u32 write_cmd_kb = 128;

static void keel_init(struct blk_queue *q)
{
	struct keel_data *d = kd(q);

	memset(d, 0, sizeof(*d));
	d->young = RB_ROOT;
	d->elder = RB_ROOT;
	INIT_LIST_HEAD(&d->urgent);
	for (int i = 0; i < BLK_NR_DIRS; i++) {
		sortq_init(&d->sort[i], q->ot_pool, q->dev->capacity);
		INIT_LIST_HEAD(&d->fifo_list[i]);
	}
	d->dir = BLK_READ;
	d->expire[BLK_READ] = read_expire_ms * NS_PER_MS;
	d->expire[BLK_WRITE] = write_expire_ms * NS_PER_MS;
	d->young_ns = young_ms * NS_PER_MS;
	d->young_reach = young_reach;
	d->gap_kb = gap_kb;
	d->drain_pct = drain_pct;
	d->write_cmd_kb = write_cmd_kb;
	d->fifo_batch = fifo_batch;
	d->writes_starved = writes_starved;
	d->front_merges = front_merges;
}

/* Into the young or elder tree or its direction's sort list, by flag. */
static void tree_insert(struct keel_data *d, struct request *rq)
{
	if (rq->rq_flags & RQF_ELV_YOUNG)
		rq_rb_insert(&d->young, &rq->rb_node, RB_OFF);
	else if (rq->rq_flags & RQF_ELV_ELDER)
		rq_rb_insert(&d->elder, &rq->rb_node, RB_OFF);
	else
		sortq_insert(&d->sort[rq_data_dir(rq)], rq);
}

/* Out of where tree_insert() put it when its start sector was @key. */
static void tree_erase(struct keel_data *d, struct request *rq, sector_t key)
{
	if (rq->rq_flags & RQF_ELV_YOUNG)
		rb_erase(&rq->rb_node, &d->young);
	else if (rq->rq_flags & RQF_ELV_ELDER)
		rb_erase(&rq->rb_node, &d->elder);
	else
		sortq_erase(&d->sort[rq_data_dir(rq)], rq, key);
}

static bool expired(struct keel_data *d, int dir, u64 now)
{
	struct request *rq = fifo_head(d, dir);

	return rq && now - rq->fifo_time >= d->expire[dir];
}

/*
 * While reads come (one arrived within read_expire), a write merges only up
 * to write_cmd_kb: on a disk that serves one command at a time a read that
 * arrives waits for the write in flight, 7 ms for a 1 MiB one at 150 MB/s,
 * and contiguous commands cost no seek between them.
 */
static bool write_cmd_full(const struct keel_data *d, const struct request *rq,
			   const struct bio *bio)
{
	if (!d->write_cmd_kb || !d->last_read ||
	    d->now - d->last_read > d->expire[BLK_READ])
		return false;
	return (u64)rq->nr_sectors + bio_sectors(bio) >
	       (u64)d->write_cmd_kb * 1024 / SECTOR_SIZE;
}

static struct request *keel_merge_lookup(struct blk_queue *q,
					 const struct bio *bio,
					 enum elv_merge type)
{
	int dir = op_is_write(bio->bi_op) ? BLK_WRITE : BLK_READ;
	struct request *rq;

	if (type == ELV_FRONT_MERGE && !kd(q)->front_merges)
		return NULL;
	rq = blk_index_find_merge(q, dir,
				  type == ELV_FRONT_MERGE ?
					  bio_end_sector(bio) :
					  bio->bi_iter.bi_sector,
				  type);
	if (rq && dir == BLK_WRITE && write_cmd_full(kd(q), rq, bio))
		return NULL;
	return rq;
}

static void keel_merged(struct blk_queue *q, struct request *rq,
			enum elv_merge type)
{
	/* The key was the sector just past the bio that now heads @rq. */
	if (type == ELV_FRONT_MERGE) {
		tree_erase(kd(q), rq, rq->sector + bio_sectors(rq->bio));
		tree_insert(kd(q), rq);
	}
}

/*
 * A read is held (ordering rule 1) until queued write @rq completes: the
 * write stands in for the read, since the elevator does not see the read
 * itself, and would otherwise leave the write to the sweep, seconds later
 * under a write flood (docs/block.md, keel rule 10).
 */
static void urgent_add(struct keel_data *d, struct request *rq, u64 now)
{
	rq->elv_ns = now;
	list_add_tail(&rq->flushlist, &d->urgent);
}

static void keel_insert(struct blk_queue *q, struct request *rq, u64 now)
{
	struct keel_data *d = kd(q);
	int dir = rq_data_dir(rq);

	/* Insertion time: FIFO order, which ages and expires requests. */
	rq->fifo_time = now;
	d->now = now;
	if (dir == BLK_READ) {
		d->last_read = now ? now : 1;
		d->nr_reads++;
	}
	rq->rq_flags &= ~RQF_ELV_YOUNG;
	rq->rq_flags &= ~RQF_ELV_ELDER;
	if (dir == BLK_READ && !d->first_plain)
		d->first_plain = rq;
	if (dir == BLK_READ && d->young_ns) {
		rq->rq_flags |= RQF_ELV_YOUNG;
		if (!d->first_young)
			d->first_young = rq;
	}
	tree_insert(d, rq);
	list_add_tail(&rq->queuelist, &d->fifo_list[dir]);
	/* It was held behind another request when a read began to wait. */
	if (rq->rq_flags & RQF_READ_WAITS)
		urgent_add(d, rq, now);
}

/* A read that arrived waits for queued write @rq (ordering rule 1). */
static void keel_read_waits(struct blk_queue *q, struct request *rq, u64 now)
{
	urgent_add(kd(q), rq, now);
}

/*
 * A write sweep that nobody granted gives way to a read where the read
 * costs no more than the next write (that write is a wrap or far away),
 * or once the oldest read has waited a fifth of read_expire.
 */
static bool read_preempts(struct blk_queue *q, struct keel_data *d, u64 now)
{
	struct request *r = keel_choose_read(d, now);
	struct request *oldest = fifo_head(d, BLK_READ);

	/*
	 * A device that holds several commands orders them itself (NCQ, or an
	 * SSD, where position costs nothing): a read just goes first.
	 */
	if (q->depth > 1)
		return true;

	u64 wait = oldest ? now - oldest->fifo_time : 0;

	/* The oldest write a read waits for heads the list. */
	if (!list_empty(&d->urgent))
		wait = MAX(wait,
			   now - list_first_entry(&d->urgent, struct request,
						  flushlist)
					   ->elv_ns);
	/* A fifth of the expiry: 100 ms by default. */
	if (wait >= d->expire[BLK_READ] / 5)
		return true;
	return dist(d->head, r) <= dist(d->head, next_write(d));
}

static int keel_choose_dir(struct blk_queue *q, u64 now)
{
	struct keel_data *d = kd(q);
	/* A write a held read waits for stands in for that read. */
	bool reads = !list_empty(&d->fifo_list[BLK_READ]) ||
		     !list_empty(&d->urgent);
	bool writes = !list_empty(&d->fifo_list[BLK_WRITE]);

	if (!writes)
		return BLK_READ;
	if (!reads)
		return BLK_WRITE;
	/*
	 * Everything submitted after a waiting flush waits for these, unless
	 * a read has expired.
	 */
	if (!list_empty(&q->flushes) && !expired(d, BLK_READ, now))
		return BLK_WRITE;
	if (d->dir == BLK_WRITE && d->write_turn)
		return BLK_WRITE;
	if (d->reads_passed >= d->writes_starved * d->fifo_batch ||
	    expired(d, BLK_WRITE, now)) {
		/* A granted turn is a whole batch, however the last one went. */
		d->write_turn = true;
		d->batch = 0;
		return BLK_WRITE;
	}
	if (d->dir == BLK_WRITE && !read_preempts(q, d, now))
		return BLK_WRITE;
	return BLK_READ;
}

/*
 * Aging serves the oldest request of @dir every fifo_batch-th dispatch
 * once it has expired; except in a drain whose elder batch holds the
 * oldest read: the batch reaches it within its size, and jumping to it
 * would only add a seek (a long one: 3 % of randread's throughput). The
 * count runs on, so aging is overdue once a young read ends the drain.
 */
static bool aging_due(struct keel_data *d, int dir, u64 now)
{
	if (!expired(d, dir, now))
		return false;
	++d->since_aged[dir];
	if (dir == BLK_READ && !d->young.node &&
	    (fifo_head(d, dir)->rq_flags & RQF_ELV_ELDER))
		return false;
	return d->since_aged[dir] >= d->fifo_batch;
}

/* @rq goes to the device now: out of the trees and the FIFO. */
static void keel_remove(struct keel_data *d, struct request *rq)
{
	int dir = rq_data_dir(rq);

	if (rq == fifo_head(d, dir))
		d->since_aged[dir] = 0;
	if (rq == d->first_young)
		d->first_young = fifo_next(d, rq);
	if (rq == d->first_plain)
		d->first_plain = fifo_next(d, rq);
	tree_erase(d, rq, rq->sector);
	if (rq->rq_flags & RQF_READ_WAITS)
		list_del_init(&rq->flushlist);
	if (rq_data_dir(rq) == BLK_READ)
		d->nr_reads--;
	rq->rq_flags &= ~(RQF_ELV_YOUNG | RQF_ELV_ELDER);
	list_del_init(&rq->queuelist);
}

static struct request *keel_dispatch_next(struct blk_queue *q, u64 now)
{
	struct keel_data *d = kd(q);
	struct request *rq;
	int dir;

	if (list_empty(&d->fifo_list[BLK_READ]) &&
	    list_empty(&d->fifo_list[BLK_WRITE]))
		return NULL;
	d->now = now;
	keel_age(d, now);
	dir = keel_choose_dir(q, now);
	if (dir != d->dir) {
		d->dir = dir;
		d->batch = 0;
		q->stats.batches++;
	}
	if (dir == BLK_READ) {
		if (!list_empty(&d->fifo_list[BLK_WRITE]))
			d->reads_passed++;
	} else {
		d->reads_passed = 0;
		if (++d->batch >= d->fifo_batch)
			d->write_turn = false;
	}
	if (aging_due(d, dir, now)) {
		/* Aging: the oldest goes now and then, whatever the head. */
		q->stats.expired++;
		rq = fifo_head(d, dir);
	} else if (dir == BLK_READ) {
		rq = keel_choose_read(d, now);
	} else {
		rq = next_write(d);
	}
	keel_remove(d, rq);
	d->head = rq_end_sector(rq);
	if (dir == BLK_WRITE)
		d->wpos = d->head;
	return rq;
}

/* Gap reads: a read joins the command of the read just dispatched. */
static void keel_take(struct blk_queue *q, struct request *rq)
{
	struct keel_data *d = kd(q);

	if (!list_empty(&d->fifo_list[BLK_WRITE]))
		d->reads_passed++;
	keel_remove(d, rq);
	/* The command ends past the farthest of its requests. */
	d->head = MAX(d->head, rq_end_sector(rq));
}

/* Only where a seek costs more than reading the gap: a rotating disk. */
static u32 keel_gap_sectors(struct blk_queue *q)
{
	if (q->dev->limits.features & BLK_FEAT_NONROT)
		return 0;
	return kd(q)->gap_kb * (1024 / SECTOR_SIZE);
}

static void keel_completed(struct blk_queue *q, struct request *rq)
{
}

static bool keel_has_work(struct blk_queue *q)
{
	struct keel_data *d = kd(q);

	return !list_empty(&d->fifo_list[BLK_READ]) ||
	       !list_empty(&d->fifo_list[BLK_WRITE]);
}

/* young_ms changes only while no read is young: the FIFO split must hold. */
static int keel_young_idle(const void *priv)
{
	return ((const struct keel_data *)priv)->first_young ? -EBUSY : 0;
}

/* Deadline's names and units, plus young_ms and young_reach. */
static const struct blk_tunable keel_tunables[] = {
	BLK_TUNABLE(struct keel_data, expire[BLK_READ], .name = "read_expire",
		    .unit = BLK_TUN_MS, .max = ~0ULL / NS_PER_MS,
		    .help = "read FIFO expiry"),
	BLK_TUNABLE(struct keel_data, expire[BLK_WRITE], .name = "write_expire",
		    .unit = BLK_TUN_MS, .max = ~0ULL / NS_PER_MS,
		    .help = "write FIFO expiry"),
	BLK_TUNABLE(struct keel_data, young_ns, .name = "young_ms",
		    .unit = BLK_TUN_MS, .max = ~0ULL / NS_PER_MS,
		    .may_set = keel_young_idle,
		    .help = "reads younger than this go by distance"),
	BLK_TUNABLE(
		struct keel_data, young_reach, .name = "young_reach", .min = 1,
		.max = 0xffff,
		.help = "an old read goes first only if this many times closer"),
	BLK_TUNABLE(struct keel_data, gap_kb, .name = "gap_kb", .max = 1024,
		    .help = "largest gap in KiB read and thrown away to join "
			    "reads; 0 off"),
	BLK_TUNABLE(struct keel_data, drain_pct, .name = "drain_pct",
		    .max = 100,
		    .help = "in a drain, reads that waited this % of the "
			    "oldest's wait go first; 0 off"),
	BLK_TUNABLE(struct keel_data, write_cmd_kb, .name = "write_cmd_kb",
		    .max = 1 << 20,
		    .help = "while reads come, writes merge up to this many "
			    "KiB; 0 off"),
	BLK_TUNABLE(struct keel_data, fifo_batch, .name = "fifo_batch",
		    .min = 1, .max = 0xffff, .help = "requests per batch"),
	BLK_TUNABLE(struct keel_data, writes_starved, .name = "writes_starved",
		    .max = 0xffff,
		    .help = "read batch choices before writes must go"),
	BLK_TUNABLE(struct keel_data, front_merges, .name = "front_merges",
		    .unit = BLK_TUN_BOOL, .max = 1,
		    .help = "0 disables front merges"),
};

const struct elevator_type elevator_keel = {
	.name = "keel",
	.init = keel_init,
	.merge_lookup = keel_merge_lookup,
	.merged = keel_merged,
	.insert = keel_insert,
	.dispatch_next = keel_dispatch_next,
	.read_waits = keel_read_waits,
	.completed = keel_completed,
	.has_work = keel_has_work,
	.gap_sectors = keel_gap_sectors,
	.take = keel_take,
	.tunables = keel_tunables,
	.nr_tunables = ARRAY_SIZE(keel_tunables),
};
