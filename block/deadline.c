// SPDX-License-Identifier: MIT
/*
 * The deadline elevator: Linux block/mq-deadline.c for one priority level.
 *
 * Per direction, requests sit in a tree sorted by sector and in a FIFO with
 * an expiry time. Dispatch serves batches in sector order; batches are reads
 * XOR writes. Reads are preferred, but writes are served once they have
 * been passed over writes_starved times, and a direction whose oldest
 * request has expired restarts from its FIFO head, which bounds latency
 * near the expire time.
 */
#include "core/lib.h"
#include "block/blk.h"
#include "block/sortq.h"

/* Tunable defaults, Linux mq-deadline.c. */
static const u64 read_expire_ms = 500; /* HZ / 2 */
static const u64 write_expire_ms = 5000; /* 5 * HZ */
static const u32 fifo_batch = 16; /* requests per sequential batch */
static const u32 writes_starved = 2; /* reads served before a write batch */
static const bool front_merges = true;

#define NS_PER_MS 1000000ULL
struct deadline_data {
	struct sortq sort[BLK_NR_DIRS];
	struct list_head fifo_list[BLK_NR_DIRS];
	/* Sector just past the last request dispatched, per direction. */
	sector_t latest_pos[BLK_NR_DIRS];
	/*
	 * Cache of dd_from_pos(dir, latest_pos[dir]) when next_valid[dir]:
	 * dispatch in sector order then costs O(1) instead of a tree walk.
	 */
	struct request *next_rq[BLK_NR_DIRS];
	bool next_valid[BLK_NR_DIRS];
	u32 batching; /* requests in the current batch */
	u32 starved; /* times reads were chosen over waiting writes */
	int last_dir;
	u64 fifo_expire[BLK_NR_DIRS]; /* ns */
	u32 fifo_batch;
	u32 writes_starved;
	bool front_merges;
};

_Static_assert(sizeof(struct deadline_data) <= BLK_ELV_PRIV_SIZE,
	       "deadline_data does not fit elv_priv");

static struct deadline_data *dd(struct blk_queue *q)
{
	return (struct deadline_data *)q->elv_priv;
}

static void dd_init(struct blk_queue *q)
{
	struct deadline_data *d = dd(q);

	memset(d, 0, sizeof(*d));
	for (int i = 0; i < BLK_NR_DIRS; i++) {
		sortq_init(&d->sort[i], q->ot_pool, q->dev->capacity);
		INIT_LIST_HEAD(&d->fifo_list[i]);
	}
	/* Linux starts with last_dir = DD_WRITE so the first batch is reads. */
	d->last_dir = BLK_WRITE;
	d->fifo_expire[BLK_READ] = read_expire_ms * NS_PER_MS;
	d->fifo_expire[BLK_WRITE] = write_expire_ms * NS_PER_MS;
	d->fifo_batch = fifo_batch;
	d->writes_starved = writes_starved;
	d->front_merges = front_merges;
}

/* Linux deadline_from_pos: the first request at or after @pos. */
static struct request *dd_from_pos(struct deadline_data *d, int dir,
				   sector_t pos)
{
	return sortq_lower_bound(&d->sort[dir], pos);
}

/* dd_from_pos(latest_pos), cached. */
static struct request *dd_next(struct deadline_data *d, int dir)
{
	if (!d->next_valid[dir]) {
		d->next_rq[dir] = dd_from_pos(d, dir, d->latest_pos[dir]);
		d->next_valid[dir] = true;
	}
	return d->next_rq[dir];
}

/* @rq has (re)entered the tree: it may now be the next one. */
static void dd_next_consider(struct deadline_data *d, int dir,
			     struct request *rq)
{
	struct request *n = d->next_rq[dir];

	/* Among equal keys lower_bound finds the leftmost: the older. */
	if (d->next_valid[dir] && rq->sector >= d->latest_pos[dir] &&
	    (!n || rq->sector < n->sector))
		d->next_rq[dir] = rq;
}

static struct request *dd_fifo_head(struct deadline_data *d, int dir)
{
	if (list_empty(&d->fifo_list[dir]))
		return NULL;
	return list_first_entry(&d->fifo_list[dir], struct request, queuelist);
}

static bool dd_fifo_expired(struct deadline_data *d, int dir, u64 now)
{
	struct request *rq = dd_fifo_head(d, dir);

	return rq && now >= rq->fifo_time;
}

static struct request *
dd_merge_lookup(struct blk_queue *q, const struct bio *bio, enum elv_merge type)
{
	int dir = op_is_write(bio->bi_op) ? BLK_WRITE : BLK_READ;

	if (type == ELV_FRONT_MERGE && !dd(q)->front_merges)
		return NULL;
	/*
	 * Linux finds back merges in a hash of end sectors and front merges
	 * in the sort tree; the queue's outstanding index answers both in
	 * O(1) without a walk.
	 */
	return blk_index_find_merge(q, dir,
				    type == ELV_FRONT_MERGE ?
					    bio_end_sector(bio) :
					    bio->bi_iter.bi_sector,
				    type);
}

static void dd_merged(struct blk_queue *q, struct request *rq,
		      enum elv_merge type)
{
	struct sortq *sq = &dd(q)->sort[rq_data_dir(rq)];

	/*
	 * A front merge moved the key: it was the sector just past the bio
	 * that now heads the request.
	 */
	if (type == ELV_FRONT_MERGE) {
		sortq_erase(sq, rq, rq->sector + bio_sectors(rq->bio));
		sortq_insert(sq, rq);
		dd_next_consider(dd(q), rq_data_dir(rq), rq);
	}
}

static void dd_insert(struct blk_queue *q, struct request *rq, u64 now)
{
	struct deadline_data *d = dd(q);
	int dir = rq_data_dir(rq);

	sortq_insert(&d->sort[dir], rq);
	dd_next_consider(d, dir, rq);
	rq->fifo_time = now + d->fifo_expire[dir];
	list_add_tail(&rq->queuelist, &d->fifo_list[dir]);
}

/*
 * @rq leaves the tree and latest_pos becomes its end: the next request is
 * a few steps along in sector order, unless many requests start inside
 * @rq, in which case a walk from the root is cheaper.
 */
static void dd_next_after(struct deadline_data *d, int dir, struct request *rq)
{
	struct request *n = sortq_next(&d->sort[dir], rq);
	sector_t end = rq_end_sector(rq);

	for (int steps = 0; n; n = sortq_next(&d->sort[dir], n), steps++) {
		if (n->sector >= end) {
			d->next_rq[dir] = n;
			d->next_valid[dir] = true;
			return;
		}
		if (steps == 4) {
			d->next_valid[dir] = false;
			return;
		}
	}
	d->next_rq[dir] = NULL;
	d->next_valid[dir] = true;
}

/* Linux __dd_dispatch_request, one priority level. */
static struct request *dd_dispatch_next(struct blk_queue *q, u64 now)
{
	struct deadline_data *d = dd(q);
	struct request *rq, *next;
	bool reads, writes;
	int dir;

	/*
	 * A fresh queue has no batch to continue (old Linux kept next_rq[],
	 * NULL at start; latest_pos = 0 would start a write batch).
	 */
	rq = dd_next(d, d->last_dir);
	if (rq && d->batching && d->batching < d->fifo_batch) {
		dir = d->last_dir;
		goto dispatch;
	}
	reads = !list_empty(&d->fifo_list[BLK_READ]);
	writes = !list_empty(&d->fifo_list[BLK_WRITE]);
	if (reads) {
		if (writes && d->starved++ >= d->writes_starved)
			goto dispatch_writes;
		dir = BLK_READ;
		goto find;
	}
	if (writes) {
dispatch_writes:
		d->starved = 0;
		dir = BLK_WRITE;
		goto find;
	}
	return NULL;

find:
	next = dd_next(d, dir);
	if (dd_fifo_expired(d, dir, now)) {
		q->stats.expired++;
		rq = dd_fifo_head(d, dir);
	} else if (!next) {
		/* Nothing further along: wrap to the oldest request. */
		rq = dd_fifo_head(d, dir);
	} else {
		rq = next;
	}
	d->batching = 0;
	q->stats.batches++;

dispatch:
	dd_next_after(d, dir, rq);
	sortq_erase(&d->sort[dir], rq, rq->sector);
	list_del_init(&rq->queuelist);
	d->latest_pos[dir] = rq_end_sector(rq);
	d->last_dir = dir;
	d->batching++;
	return rq;
}

static void dd_completed(struct blk_queue *q, struct request *rq)
{
}

static bool dd_has_work(struct blk_queue *q)
{
	struct deadline_data *d = dd(q);

	return !list_empty(&d->fifo_list[BLK_READ]) ||
	       !list_empty(&d->fifo_list[BLK_WRITE]);
}

/* The names and units of Linux's sysfs attributes (expiries in ms). */
static const struct blk_tunable dd_tunables[] = {
	BLK_TUNABLE(struct deadline_data, fifo_expire[BLK_READ],
		    .name = "read_expire", .unit = BLK_TUN_MS,
		    .max = ~0ULL / NS_PER_MS, .help = "read FIFO expiry"),
	BLK_TUNABLE(struct deadline_data, fifo_expire[BLK_WRITE],
		    .name = "write_expire", .unit = BLK_TUN_MS,
		    .max = ~0ULL / NS_PER_MS, .help = "write FIFO expiry"),
	BLK_TUNABLE(struct deadline_data, fifo_batch, .name = "fifo_batch",
		    .max = 0x7fffffff, .help = "requests per batch"),
	BLK_TUNABLE(struct deadline_data, writes_starved,
		    .name = "writes_starved", .max = 0x7fffffff,
		    .help = "read batch choices before writes must go"),
	BLK_TUNABLE(struct deadline_data, front_merges, .name = "front_merges",
		    .unit = BLK_TUN_BOOL, .max = 1,
		    .help = "0 disables front merges"),
};

const struct elevator_type elevator_deadline = {
	.name = "deadline",
	.init = dd_init,
	.merge_lookup = dd_merge_lookup,
	.merged = dd_merged,
	.insert = dd_insert,
	.dispatch_next = dd_dispatch_next,
	.completed = dd_completed,
	.has_work = dd_has_work,
	.tunables = dd_tunables,
	.nr_tunables = ARRAY_SIZE(dd_tunables),
};
