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
 *
 * Every operation is O(log n): tree inserts, erases and lower bounds, list
 * heads; a read moves from the young to the old tree once.
 */
#include "core/lib.h"
#include "block/blk.h"
#include "block/sortq.h"

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
	u64 urgent_ns; /* when urgent last became non-empty */
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

static struct keel_data *kd(struct blk_queue *q)
{
	return (struct keel_data *)q->elv_priv;
}

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

static struct request *rb_rq(struct rb_node *n)
{
	return n ? rb_entry(n, struct request, rb_node) : NULL;
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

static sector_t sector_dist(sector_t a, sector_t b)
{
	return a >= b ? a - b : b - a;
}

static sector_t dist(sector_t head, const struct request *rq)
{
	return sector_dist(head, rq->sector);
}

/* Of the neighbours of @head below and above it, the nearer (up on a tie). */
static struct request *closer(sector_t head, struct request *down,
			      struct request *up)
{
	if (!up)
		return down;
	if (!down)
		return up;
	return dist(head, down) < dist(head, up) ? down : up;
}

/* The read of a young or elder tree nearest to @head either way, or NULL. */
static struct request *nearest_rb(const struct rb_root *root, sector_t head)
{
	struct rb_node *n = rq_rb_lower_bound(root, head, RB_OFF);

	return closer(head, rb_rq(n ? rb_prev(n) : rb_last(root)), rb_rq(n));
}

/* The same in a sort list. */
static struct request *nearest(const struct sortq *sq, sector_t head)
{
	struct request *up = sortq_lower_bound(sq, head);

	return closer(head, up ? sortq_prev(sq, up) : sortq_last(sq), up);
}

static struct request *fifo_head(struct keel_data *d, int dir)
{
	if (list_empty(&d->fifo_list[dir]))
		return NULL;
	return list_first_entry(&d->fifo_list[dir], struct request, queuelist);
}

static bool expired(struct keel_data *d, int dir, u64 now)
{
	struct request *rq = fifo_head(d, dir);

	return rq && now - rq->fifo_time >= d->expire[dir];
}

/* The next write of the ascending sweep, or where the sweep wraps to. */
static struct request *next_write(struct keel_data *d)
{
	struct request *rq = sortq_lower_bound(&d->sort[BLK_WRITE], d->wpos);

	return rq ? rq : fifo_head(d, BLK_WRITE);
}

/* The read after @rq in the FIFO, or NULL. */
static struct request *fifo_next(struct keel_data *d, struct request *rq)
{
	struct list_head *next = rq->queuelist.next;

	return next == &d->fifo_list[BLK_READ] ?
		       NULL :
		       list_entry(next, struct request, queuelist);
}

/* Reads older than young_ns move to the old tree, oldest first. */
static void keel_age(struct keel_data *d, u64 now)
{
	struct request *rq = d->first_young;

	while (rq && now - rq->fifo_time >= d->young_ns) {
		struct list_head *next = rq->queuelist.next;

		rb_erase(&rq->rb_node, &d->young);
		rq->rq_flags &= ~RQF_ELV_YOUNG;
		sortq_insert(&d->sort[BLK_READ], rq);
		rq = next == &d->fifo_list[BLK_READ] ?
			     NULL :
			     list_entry(next, struct request, queuelist);
	}
	d->first_young = rq;
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
	if (list_empty(&d->urgent))
		d->urgent_ns = now;
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

/* The read keel would serve next outside a drain. */
static struct request *pick_read(struct keel_data *d)
{
	struct request *y = nearest_rb(&d->young, d->head);
	struct request *o = nearest(&d->sort[BLK_READ], d->head);
	struct request *e = nearest_rb(&d->elder, d->head);

	/* Elder reads left from a drain count as old ones. */
	if (e && (!o || dist(d->head, e) < dist(d->head, o)))
		o = e;

	if (!y || !o)
		return y ? y : o;
	if (dist(d->head, y) / d->young_reach <= dist(d->head, o))
		return y;
	return o;
}

/*
 * Reads that have waited at least drain_pct % as long as the oldest read
 * become elder, oldest first. The bound only rises (time passes, and the
 * oldest read, once served, is followed by a younger one), so a read never
 * has to leave the elder tree before it is dispatched.
 */
static void keel_promote(struct keel_data *d, u64 now)
{
	struct request *oldest = fifo_head(d, BLK_READ), *rq;
	u64 bound;

	if (!oldest)
		return;
	bound = now - (now - oldest->fifo_time) / 100 * d->drain_pct;
	while ((rq = d->first_plain) && !(rq->rq_flags & RQF_ELV_YOUNG) &&
	       rq->fifo_time <= bound) {
		sortq_erase(&d->sort[BLK_READ], rq, rq->sector);
		rq->rq_flags |= RQF_ELV_ELDER;
		rq_rb_insert(&d->elder, &rq->rb_node, RB_OFF);
		d->first_plain = fifo_next(d, rq);
	}
}

/*
 * The read keel serves next. In a drain (no read young) that is the elder
 * read nearest to the head: the reads that waited longest, where plain
 * nearest-first would leave them to aging until the drain's end. Elder
 * reads form a batch: more become elder only once it is empty, so no read
 * that turned elder later and sits nearer keeps the oldest waiting, and
 * the batch ends within as many reads as it holds.
 */
/*
 * The last two reads of a cut into a write sweep: whichever order they go
 * in, the disk seeks three times (to one, to the other, back to the next
 * write), so the order that travels less wins; nearest-first alone can
 * leave the far one for last and a long way back. Neither is young here:
 * a young read goes first anyway.
 */
static struct request *last_two_reads(struct keel_data *d)
{
	struct request *a = fifo_head(d, BLK_READ);
	struct request *b =
		list_entry(a->queuelist.next, struct request, queuelist);
	sector_t w = next_write(d)->sector;
	u64 ab = dist(d->head, a) + dist(rq_end_sector(a), b) +
		 sector_dist(rq_end_sector(b), w);
	u64 ba = dist(d->head, b) + dist(rq_end_sector(b), a) +
		 sector_dist(rq_end_sector(a), w);

	return ab <= ba ? a : b;
}

static struct request *choose_read(struct keel_data *d, u64 now)
{
	if (!list_empty(&d->urgent))
		return list_first_entry(&d->urgent, struct request, flushlist);
	if (d->nr_reads == 2 && !d->young.node &&
	    !list_empty(&d->fifo_list[BLK_WRITE]))
		return last_two_reads(d);
	if (!d->drain_pct || d->young.node)
		return pick_read(d);
	if (!d->elder.node)
		keel_promote(d, now);
	return d->elder.node ? nearest_rb(&d->elder, d->head) : pick_read(d);
}

/*
 * A write sweep that nobody granted gives way to a read where the read
 * costs no more than the next write (that write is a wrap or far away),
 * or once the oldest read has waited a fifth of read_expire.
 */
static bool read_preempts(struct blk_queue *q, struct keel_data *d, u64 now)
{
	struct request *r = choose_read(d, now);
	struct request *oldest = fifo_head(d, BLK_READ);

	/*
	 * A device that holds several commands orders them itself (NCQ, or an
	 * SSD, where position costs nothing): a read just goes first.
	 */
	if (q->depth > 1)
		return true;

	u64 wait = oldest ? now - oldest->fifo_time : 0;

	if (!list_empty(&d->urgent))
		wait = MAX(wait, now - d->urgent_ns);
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
		rq = choose_read(d, now);
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
