// SPDX-License-Identifier: MIT
/*
 * The kyber elevator, after the idea of Linux block/kyber-iosched.c, for
 * fast devices with deep queues: no sorting, a FIFO per class (reads,
 * writes) and a limit on how many requests of each class the device may
 * hold at once. A read-latency target drives the write limit: when too many
 * reads in a window of time finish later than read_lat_nsec, writes are
 * crowding the device and their limit halves; after a window without that,
 * it grows by an eighth of the depth, up to the whole depth. Reads keep the
 * whole depth, so a read finds the slots the write limit keeps free. The
 * classes take turns in batches, as in Linux, so neither starves. Linux
 * also throttles by a write target and has more classes (discard, other);
 * Keel has reads and writes (flushes bypass the elevator).
 *
 * Every operation is O(1).
 */
#include "core/lib.h"
#include "block/blk.h"

/* Linux kyber defaults: 2 ms read and 10 ms write latency targets. */
static const u64 read_lat_nsec = 2000000;
static const u64 write_lat_nsec = 10000000;
/*
 * Window over which latencies are judged: window_targets read targets
 * (10 ms by default; Linux uses a 100 ms timer, too slow for iosim's
 * 40 ms flood). A window is congested when more than 1 in congest_div
 * reads missed the target (Linux looks at the 90th percentile: 1 in 10).
 */
static const u32 window_targets = 5;
static const u32 congest_div = 10;
/* Linux kyber_batch_size[]: requests per turn of each class. */
static const u32 batch_size[BLK_NR_DIRS] = { 16, 8 };

struct kyber_data {
	struct list_head fifo[BLK_NR_DIRS];
	u32 inflight[BLK_NR_DIRS];
	u32 limit[BLK_NR_DIRS]; /* most requests of the class on the device */
	u64 target[BLK_NR_DIRS]; /* ns */
	u64 window_start;
	u32 done[BLK_NR_DIRS]; /* completions in this window */
	u32 late[BLK_NR_DIRS]; /* of which over the target */
	int cur; /* class of the current batch */
	u32 batch; /* requests dispatched in it */
	bool front_merges;
};

_Static_assert(sizeof(struct kyber_data) <= BLK_ELV_PRIV_SIZE,
	       "kyber_data does not fit elv_priv");

static struct kyber_data *kyd(struct blk_queue *q)
{
	return (struct kyber_data *)q->elv_priv;
}

static u64 kyber_now(struct blk_queue *q)
{
	return q->clock(q->clock_ctx);
}

static void kyber_init(struct blk_queue *q)
{
	struct kyber_data *d = kyd(q);

	memset(d, 0, sizeof(*d));
	for (int i = 0; i < BLK_NR_DIRS; i++)
		INIT_LIST_HEAD(&d->fifo[i]);
	d->limit[BLK_READ] = q->depth;
	/* Writes start unthrottled; congestion alone lowers their limit. */
	d->limit[BLK_WRITE] = q->depth;
	d->target[BLK_READ] = read_lat_nsec;
	d->target[BLK_WRITE] = write_lat_nsec;
	d->window_start = kyber_now(q);
	d->front_merges = true;
}

static struct request *kyber_merge_lookup(struct blk_queue *q,
					  const struct bio *bio,
					  enum elv_merge type)
{
	int dir = op_is_write(bio->bi_op) ? BLK_WRITE : BLK_READ;

	if (type == ELV_FRONT_MERGE && !kyd(q)->front_merges)
		return NULL;
	return blk_index_find_merge(q, dir,
				    type == ELV_FRONT_MERGE ?
					    bio_end_sector(bio) :
					    bio->bi_iter.bi_sector,
				    type);
}

static void kyber_merged(struct blk_queue *q, struct request *rq,
			 enum elv_merge type)
{
}

static void kyber_insert(struct blk_queue *q, struct request *rq, u64 now)
{
	list_add_tail(&rq->queuelist, &kyd(q)->fifo[rq_data_dir(rq)]);
}

static bool kyber_can(struct kyber_data *d, int dir)
{
	return !list_empty(&d->fifo[dir]) && d->inflight[dir] < d->limit[dir];
}

/*
 * Linux kyber_dispatch_request: keep to the current class for a batch of
 * kyber_batch_size[] requests, then move on to the next class that has
 * work and a free slot under its limit; so no class starves.
 */
static struct request *kyber_dispatch_next(struct blk_queue *q, u64 now)
{
	struct kyber_data *d = kyd(q);
	struct request *rq;
	int dir = d->cur;

	if (!kyber_can(d, dir) || d->batch >= batch_size[dir]) {
		dir = !dir;
		if (!kyber_can(d, dir)) {
			dir = !dir;
			if (!kyber_can(d, dir))
				return NULL;
		}
		if (dir != d->cur || d->batch >= batch_size[dir]) {
			d->cur = dir;
			d->batch = 0;
		}
	}
	rq = list_first_entry(&d->fifo[dir], struct request, queuelist);
	list_del_init(&rq->queuelist);
	d->inflight[dir]++;
	d->batch++;
	return rq;
}

/* A window ended: halve the write limit if reads were late, else grow it. */
static void kyber_adjust(struct blk_queue *q, u64 now)
{
	struct kyber_data *d = kyd(q);
	u32 reads = d->done[BLK_READ];

	if (reads && d->late[BLK_READ] * congest_div > reads)
		d->limit[BLK_WRITE] = MAX(d->limit[BLK_WRITE] / 2, 1U);
	else
		d->limit[BLK_WRITE] = MIN(
			d->limit[BLK_WRITE] + MAX(q->depth / 8, 1U), q->depth);
	memset(d->done, 0, sizeof(d->done));
	memset(d->late, 0, sizeof(d->late));
	d->window_start = now;
}

static void kyber_completed(struct blk_queue *q, struct request *rq)
{
	struct kyber_data *d = kyd(q);
	int dir = rq_data_dir(rq);
	u64 now = kyber_now(q);

	if (d->inflight[dir])
		d->inflight[dir]--;
	d->done[dir]++;
	/* Total latency, as the submitter sees it. */
	if (now - rq->arrival_ns > d->target[dir])
		d->late[dir]++;
	if (now - d->window_start >= window_targets * d->target[BLK_READ])
		kyber_adjust(q, now);
}

static bool kyber_has_work(struct blk_queue *q)
{
	struct kyber_data *d = kyd(q);

	return !list_empty(&d->fifo[BLK_READ]) ||
	       !list_empty(&d->fifo[BLK_WRITE]);
}

/* Linux's sysfs names: read_lat_nsec, write_lat_nsec. */
static const struct blk_tunable kyber_tunables[] = {
	BLK_TUNABLE(struct kyber_data, target[BLK_READ],
		    .name = "read_lat_nsec", .unit = BLK_TUN_NS, .min = 1,
		    .max = ~0ULL, .help = "read latency target"),
	BLK_TUNABLE(struct kyber_data, target[BLK_WRITE],
		    .name = "write_lat_nsec", .unit = BLK_TUN_NS, .min = 1,
		    .max = ~0ULL, .help = "write latency target"),
	BLK_TUNABLE(struct kyber_data, limit[BLK_WRITE], .name = "write_depth",
		    .read_only = true, .max = ~0U,
		    .help = "the current write limit"),
	BLK_TUNABLE(struct kyber_data, front_merges, .name = "front_merges",
		    .unit = BLK_TUN_BOOL, .max = 1,
		    .help = "0 disables front merges"),
};

const struct elevator_type elevator_kyber = {
	.name = "kyber",
	.init = kyber_init,
	.merge_lookup = kyber_merge_lookup,
	.merged = kyber_merged,
	.insert = kyber_insert,
	.dispatch_next = kyber_dispatch_next,
	.completed = kyber_completed,
	.has_work = kyber_has_work,
	.tunables = kyber_tunables,
	.nr_tunables = ARRAY_SIZE(kyber_tunables),
};
