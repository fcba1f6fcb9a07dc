/* SPDX-License-Identifier: MIT */
/*
 * Keel block layer: bios with scatter-gather, one request queue per device
 * that merges and enforces ordering, pluggable elevators (none, deadline),
 * and the driver interface that AHCI and the RAM disk implement.
 *
 * Modelled on Linux (include/linux/blk_types.h, bvec.h, block/blk-mq.c,
 * block/mq-deadline.c). Nothing here allocates: requests come from a pool the
 * caller hands to blk_dev_register(), bios and bio_vecs belong to the
 * submitter. Time comes from a caller-supplied clock so that Keel can use its
 * TSC and host tests a fake clock. The layer is not reentrant across CPUs;
 * the owner of a device serialises calls into it.
 *
 * Typical use by a driver:
 *	dev->ops = &my_ops; dev->capacity = ...; dev->queue_depth = 32;
 *	blk_limits_default(&dev->limits); dev->limits.max_segments = 168;
 *	blk_dev_register(dev, pool, ARRAY_SIZE(pool), tsc_now_ns, NULL);
 * and by a submitter:
 *	bio_init(&bio, dev, REQ_OP_READ, 0, vecs, 4);
 *	bio.bi_iter.bi_sector = lba; bio_add_page(&bio, page, 4096, 0);
 *	bio.bi_end_io = done; blk_submit_bio(&bio);
 *	... blk_poll(dev) until done() has run.
 * See docs/block.md for the ordering rules and the elevators.
 */
#ifndef KEEL_BLOCK_BLOCK_H
#define KEEL_BLOCK_BLOCK_H

#include "core/types.h"
#include "block/list.h"
#include "block/rbtree.h"

typedef u64 sector_t;

#define SECTOR_SHIFT 9
#define SECTOR_SIZE 512U

/*
 * Completion status, a type apart from errno as in Linux blk_types.h; the
 * values are Linux's BLK_STS_* so traces read the same.
 */
typedef u8 blk_status_t;
#define BLK_STS_OK 0
#define BLK_STS_NOTSUPP 1
#define BLK_STS_TIMEOUT 2
#define BLK_STS_MEDIUM 7
/* Driver has no free slot right now: the queue retries the request later. */
#define BLK_STS_RESOURCE 9
#define BLK_STS_IOERR 10
/*
 * The device is gone (Linux BLK_STS_OFFLINE: 17 when added, 16 after a
 * later renumbering): unlike IOERR and MEDIUM, not worth going again.
 */
#define BLK_STS_OFFLINE 16

/* Operations; the low bit means "writes data", as in Linux REQ_OP_*. */
enum req_op {
	REQ_OP_READ = 0,
	REQ_OP_WRITE = 1,
	REQ_OP_FLUSH = 2,
};

static inline bool op_is_write(unsigned int op)
{
	return op & 1;
}

/* Flag bits, an enum of bit numbers with matching masks (Linux __REQ_*). */
enum req_flag_bits {
	__REQ_FUA, /* data is durable when the request completes */
	__REQ_SYNC, /* a submitter waits on it; informational */
	__REQ_NR_BITS,
};

#define REQ_FUA ((u16)BIT(__REQ_FUA))
#define REQ_SYNC ((u16)BIT(__REQ_SYNC))

/* Data directions used by the elevators and statistics. */
enum { BLK_READ = 0, BLK_WRITE = 1, BLK_NR_DIRS = 2 };

/**
 * struct bio_vec - one physically contiguous piece of an I/O.
 * @bv_page: physical address of the page (normally page aligned)
 * @bv_len: bytes in this piece
 * @bv_offset: byte offset of the data from @bv_page
 *
 * The data lives at physical address bv_page + bv_offset, which is what a
 * PRDT entry or the RAM disk's memcpy uses.
 */
struct bio_vec {
	phys_addr_t bv_page;
	u32 bv_len;
	u32 bv_offset;
};

/**
 * struct bvec_iter - position inside a bio_vec array.
 *
 * Kept apart from the vector (Linux bvec.h) so that advancing or splitting
 * only copies this small struct and never edits the vector.
 */
struct bvec_iter {
	sector_t bi_sector; /* device sector of the current position */
	u32 bi_size; /* bytes left */
	u32 bi_idx; /* current bio_vec */
	u32 bi_bvec_done; /* bytes already done in bi_idx */
};

struct bio;
struct blk_dev;
struct blk_queue;
struct request;

typedef void (*bio_end_io_t)(struct bio *bio);
/* Monotonic time in nanoseconds. */
typedef u64 (*blk_clock_fn)(void *ctx);

/**
 * struct bio - one I/O as the submitter sees it.
 *
 * Owned by the submitter from bio_init() until bi_end_io runs. The queue links
 * merged bios through bi_next.
 */
struct bio {
	struct bio *bi_next; /* next bio of the same request */
	struct blk_dev *bi_bdev; /* target device */
	u8 bi_op; /* enum req_op */
	blk_status_t bi_status; /* set before bi_end_io runs */
	u16 bi_flags; /* REQ_* */
	struct bvec_iter bi_iter;
	struct bio_vec *bi_io_vec;
	u16 bi_vcnt; /* bio_vecs in use */
	u16 bi_max_vecs; /* size of bi_io_vec */
	u32 bi_remaining; /* own completion plus chained children */
	struct bio *bi_parent; /* set by bio_chain()/bio_split() */
	bio_end_io_t bi_end_io;
	void *bi_private;
};

static inline u32 bio_sectors(const struct bio *bio)
{
	return bio->bi_iter.bi_size >> SECTOR_SHIFT;
}

static inline sector_t bio_end_sector(const struct bio *bio)
{
	return bio->bi_iter.bi_sector + bio_sectors(bio);
}

void bio_init(struct bio *bio, struct blk_dev *dev, unsigned int op, u16 flags,
	      struct bio_vec *vecs, u16 max_vecs);
/* Append a piece; -E2BIG when the vector is full. */
int bio_add_page(struct bio *bio, phys_addr_t page, u32 len, u32 offset);
/* The piece of the vector at @iter, clipped to the bytes left. */
struct bio_vec bvec_iter_bvec(const struct bio_vec *vecs,
			      struct bvec_iter iter);
/*
 * Move @iter on by @bytes. An overrun warns (blk_warn), empties the iterator
 * and returns false, as Linux bvec_iter_advance does.
 */
bool bvec_iter_advance(const struct bio_vec *vecs, struct bvec_iter *iter,
		       u32 bytes);
/* Advance the bio's own iterator and its sector. */
bool bio_advance(struct bio *bio, u32 bytes);
/*
 * Make @child's completion count towards @parent: @parent's bi_end_io runs
 * only after both ended, with the first error of either.
 */
void bio_chain(struct bio *child, struct bio *parent);
/*
 * Split the first @sectors of @bio into @split (caller's storage) and leave
 * the rest in @bio; the two are chained. -EINVAL unless 0 < @sectors <
 * bio_sectors(@bio).
 */
int bio_split(struct bio *bio, u32 sectors, struct bio *split);
/* End @bio with bio->bi_status, honouring chains. Called by the queue. */
void bio_endio(struct bio *bio);

#define bio_for_each_segment(bvl, bio, iter)                        \
	for ((iter) = (bio)->bi_iter;                               \
	     (iter).bi_size &&                                      \
	     ((bvl) = bvec_iter_bvec((bio)->bi_io_vec, (iter)), 1); \
	     bvec_iter_advance((bio)->bi_io_vec, &(iter), (bvl).bv_len))

/**
 * struct blk_queue_limits - what one request may look like to the driver.
 * Merges and blk_submit_bio() keep every request within these. They may
 * grow at any time but shrink only while the device is idle: the ordering
 * check relies on no outstanding request exceeding max_sectors.
 */
struct blk_queue_limits {
	u32 max_sectors; /* per request */
	u16 max_segments; /* DMA segments per request (PRDT entries) */
	u32 max_segment_size; /* bytes */
	u64 seg_boundary_mask; /* no segment crosses a (mask + 1) boundary */
	u32 features; /* BLK_FEAT_* */
	/*
	 * Bytes the device addresses (ATA IDENTIFY words 117-118): a power
	 * of two, at least 512. blk_submit_bio() takes only whole blocks.
	 */
	u32 logical_block_size;
};

/* The device has a volatile write cache: flushes reach the driver. */
#define BLK_FEAT_WRITE_CACHE BIT(0)
/* The driver does FUA writes itself; otherwise the queue adds a flush. */
#define BLK_FEAT_FUA BIT(1)
/*
 * No seek cost (memory, SSD; Linux's QUEUE_FLAG_NONROT): reading a gap
 * costs transfer time and saves nothing, so keel makes no gap reads.
 */
#define BLK_FEAT_NONROT BIT(2)

/* Limits that constrain nothing a sane driver cares about. */
void blk_limits_default(struct blk_queue_limits *lim);

/**
 * struct blk_dev_ops - the driver's side. Both hooks are called with the
 * device's owner serialising access (see top of file).
 */
struct blk_dev_ops {
	/*
	 * Called by the dispatch loop with rq->tag (0 <= tag < queue_depth)
	 * free for the driver to use as its command slot. Return BLK_STS_OK
	 * once the request is issued and call blk_complete_request() later
	 * (it may also be called before returning), BLK_STS_RESOURCE to have
	 * the queue retry it later, anything else to fail it at once.
	 */
	blk_status_t (*submit)(struct blk_dev *dev, struct request *rq);
	/*
	 * Called by blk_poll(): reap finished commands, calling
	 * blk_complete_request() for each; return how many. May be NULL if the
	 * driver completes inside submit.
	 */
	u32 (*poll)(struct blk_dev *dev);
};

/* AHCI 1.3.1 3.1.1: CAP.NCS allows at most 32 command slots per port. */
#define BLK_MAX_DEPTH 32
#define BLK_LAT_BUCKETS 32
/*
 * Elevator data per queue: deadline's two bucketed sort lists (block/sortq.h,
 * 4 KiB of bucket roots each) set the size.
 */
#define BLK_ELV_PRIV_SIZE 8704

/**
 * struct blk_stats - per-device counters, reset by blk_stats_reset().
 * @lat_hist: completion latency (arrival to completion) per direction, in
 *	log2 microsecond buckets: bucket b counts [2^b, 2^(b+1)) us, bucket 0
 *	also everything under 1 us, the last bucket everything above.
 */
struct blk_stats {
	u64 bios;
	u64 requests;
	u64 front_merges;
	u64 back_merges;
	u64 dispatched[BLK_NR_DIRS]; /* requests sent to the driver, each once */
	u64 completed[BLK_NR_DIRS];
	u64 flushes;
	u64 errors;
	u64 expired; /* deadline: FIFO head served because it expired */
	u64 batches; /* deadline: batches started */
	u64 held; /* requests that waited for a conflict or a flush */
	u64 gap_reads; /* read commands that carried more than one request */
	u64 gap_merged; /* requests that joined such a command */
	u64 gap_sectors; /* sectors read into the bit bucket */
	u64 gap_splits; /* failed gap reads whose requests went again alone */
	u64 bio_retries; /* bios of failed merged requests sent again alone */
	u32 max_depth; /* most requests outstanding at once */
	u64 lat_hist[BLK_NR_DIRS][BLK_LAT_BUCKETS];
};

/* Where a request is; each state has its own list or tree. */
enum rq_state {
	RQ_FREE,
	RQ_HELD, /* waits for earlier conflicting requests or a flush */
	RQ_QUEUED, /* in the elevator */
	RQ_READY, /* on the dispatch list: flushes, retries */
	RQ_INFLIGHT, /* owned by the driver */
	/* failed with several bios: each goes again alone (blk-retry.c) */
	RQ_RETRY,
};

/**
 * struct request - one or more contiguous bios, as the driver sees them.
 *
 * The driver reads op, flags, sector, nr_sectors and walks the data with
 * blk_rq_seg_next(); everything else belongs to the queue.
 */
struct request {
	/*
	 * The fields a sorted-tree walk reads come first, in one cache line
	 * when the pool is 64-byte aligned (each step of a walk is then one
	 * miss, not two).
	 */
	_Alignas(64) sector_t sector;
	u32 nr_sectors;
	u8 op; /* REQ_OP_FLUSH also for a FUA write's emulated post-flush */
	u8 state; /* enum rq_state */
	u16 flags; /* REQ_* of the first bio */
	struct rb_node rb_node; /* elevator: sort order */
	/* queue: chain of the outstanding index bucket (block/blk-index.c) */
	struct request *ot_next, **ot_pprev;
	struct blk_queue *q;
	blk_status_t status;
	u8 rq_flags; /* RQF_* (block/blk.h) */
	u16 nr_segments;
	int tag;
	u32 nr_blockers; /* earlier requests it must wait for */
	u64 seq; /* submission order */
	u64 arrival_ns;
	u64 fifo_time; /* deadline: expiry time */
	u64 dispatch_ns;
	struct bio *bio, *biotail;
	/*
	 * Gap reads (block/blk-gap.c): the next request, in sector order, of
	 * the read command this request heads or belongs to. The head's
	 * sector and nr_sectors are then the whole command, gaps included.
	 */
	struct request *cmd_next;
	struct request *barrier; /* the flush it waits behind */
	/*
	 * This pool slot's share of the outstanding index: bucket heads per
	 * direction, independent of the state of the request they sit in.
	 */
	struct request *ot_head[BLK_NR_DIRS];
	struct list_head queuelist; /* elevator FIFO/held/dispatch/free */
	struct list_head flushlist; /* queue: outstanding flushes */
	/*
	 * Gap reads (block/blk-gap.c): a queued read that may join a command
	 * sits in the queue's trees by start and by end (RQF_GAP_TREE);
	 * ot_stamp orders equal keys as the outstanding index's chains do.
	 * gap_root: this pool slot's share of those trees' roots, [0] by
	 * start, [1] by end, independent of the request they sit in.
	 */
	struct rb_node gap_start, gap_end;
	u64 ot_stamp; /* when it last entered the outstanding index */
	struct rb_root gap_root[2];
	u64 elv_ns; /* elevator's own time stamp (keel: read waits since) */
	/*
	 * Ordering (block/blk-order.c): the next request behind the same
	 * flush; for a flush, the requests behind it, in submission order.
	 */
	struct request *barrier_next;
	struct request *waiters, **waiters_tail;
};

static inline int rq_data_dir(const struct request *rq)
{
	return op_is_write(rq->op) ? BLK_WRITE : BLK_READ;
}

static inline u64 blk_rq_bytes(const struct request *rq)
{
	return (u64)rq->nr_sectors << SECTOR_SHIFT;
}

/*
 * Walks a request's data as DMA segments that obey the queue limits. For a
 * gap read (rq->cmd_next set) the walk goes through every request of the
 * command in sector order, and each gap between two of them is read into
 * the bit bucket: a page of Keel's own that nobody reads back, so the
 * same page may appear in many segments of one command.
 */
struct blk_seg_iter {
	const struct blk_queue_limits *lim;
	const struct request *part; /* whose bios are being walked */
	struct bio *bio;
	struct bvec_iter iter;
	u32 gap; /* bit bucket bytes still to yield before @bio */
};

void blk_rq_seg_init(struct blk_seg_iter *it, const struct request *rq);
/* Next segment's physical address and length; false at the end. */
bool blk_rq_seg_next(struct blk_seg_iter *it, phys_addr_t *addr, u32 *len);

/* Size and address of the bit bucket, for drivers' and tests' checks. */
#define BLK_BIT_BUCKET_SIZE 4096U
phys_addr_t blk_bit_bucket(void);

struct elevator_type;

/* Per-device queue state; private to block/, embedded in struct blk_dev. */
struct blk_queue {
	struct blk_dev *dev;
	const struct elevator_type *elv;
	_Alignas(8) u8 elv_priv[BLK_ELV_PRIV_SIZE];
	blk_clock_fn clock;
	void *clock_ctx;
	struct list_head free;
	struct list_head held;
	/* held requests with no blockers left, to go in submission order */
	struct list_head ready;
	bool ready_unsorted;
	struct list_head dispatch;
	struct list_head flushes;
	/* outstanding writes submitted since the newest flush's submission */
	u32 open_writes;
	struct request *ot_pool; /* holds the index's bucket heads */
	u32 ot_mask; /* buckets - 1, a power of two minus one */
	u32 ot_shift; /* log2 of the index's region size in sectors */
	u32 ot_count[BLK_NR_DIRS];
	u64 ot_stamp; /* index insertions so far */
	struct request *tags[BLK_MAX_DEPTH];
	u32 tags_used; /* bitmap */
	u32 depth;
	u32 inflight;
	u32 nr_outstanding;
	u32 nr_queued; /* in the elevator */
	u64 seq;
	u32 plugged;
	bool running;
	/*
	 * Retries (block/blk-retry.c): failed requests whose bios go again
	 * one at a time, oldest first, each carried by retry_rq; retry_next
	 * is the owner's bio after the one retry_rq carries.
	 */
	struct list_head retry;
	struct bio *retry_next;
	struct request retry_rq;
	struct blk_stats stats;
};

/**
 * struct blk_dev - a block device. The driver fills name, capacity, ops,
 * driver_data, queue_depth and limits, then calls blk_dev_register().
 */
struct blk_dev {
	const char *name;
	sector_t capacity; /* in 512-byte sectors */
	const struct blk_dev_ops *ops;
	void *driver_data;
	u32 queue_depth; /* 1..BLK_MAX_DEPTH */
	struct blk_queue_limits limits;
	struct blk_queue q;
};

/*
 * Set up @dev's queue with @npool requests from @pool and the default
 * elevator. -EINVAL on bad limits, depth or missing ops.
 */
int blk_dev_register(struct blk_dev *dev, struct request *pool, u32 npool,
		     blk_clock_fn clock, void *clock_ctx);

/*
 * Devices registered so far, in order, for listing: the @i-th or NULL past
 * the last, and by name. The host tests register devices on their stacks,
 * so only Keel itself walks this list.
 */
#define BLK_MAX_DEVICES 16
struct blk_dev *blk_dev_at(unsigned int i);
struct blk_dev *blk_dev_find(const char *name);

/*
 * Queue @bio. 0 when accepted: bi_end_io runs later, from blk_poll() or
 * blk_complete_request(). -EINVAL for a malformed bio, one that is not whole
 * logical blocks, one not inside the device, or one that breaks the queue
 * limits on its own (see blk_bio_split_sectors); its bi_status is then
 * BLK_STS_IOERR. -EBUSY when the request pool is empty (poll, then
 * resubmit). bi_end_io never runs for a bio that was not accepted.
 */
int blk_submit_bio(struct bio *bio);
/*
 * 0 if @bio fits the limits of its device, else how many sectors its first
 * part may have; pass that to bio_split().
 */
u32 blk_bio_split_sectors(const struct bio *bio);

/*
 * Plugging (Linux blk_start_plug): while plugged, submissions and
 * completions queue up without dispatching; the last unplug dispatches.
 */
void blk_start_plug(struct blk_dev *dev);
void blk_finish_plug(struct blk_dev *dev);
/* Feed the driver while it has free slots. */
void blk_run_queue(struct blk_dev *dev);
/* Call the driver's poll hook, then dispatch; returns requests reaped. */
u32 blk_poll(struct blk_dev *dev);
/* Driver side: @rq ended with @status; ends all of its bios. */
void blk_complete_request(struct request *rq, blk_status_t status);
/* Driver side: the in-flight request in slot @tag, or NULL. */
struct request *blk_tag_to_rq(struct blk_dev *dev, int tag);
/* Nothing queued, held or in flight. */
bool blk_idle(const struct blk_dev *dev);

/*
 * Elevators. Switching needs an idle queue (-EBUSY otherwise) and resets
 * the tunables to their defaults. Names: "none", "deadline".
 */
int blk_set_elevator(struct blk_dev *dev, const char *name);
const char *blk_elevator_name(const struct blk_dev *dev);
/* For the boot option sched=none|deadline; applies to later registrations. */
int blk_set_default_elevator(const char *name);
const char *blk_default_elevator(void);
/* The @i-th registered elevator's name, or NULL past the last (for sched=). */
const char *blk_elevator_at(unsigned int i);
/*
 * Tunables by name, e.g. "read_expire" (ms), of the current elevator
 * (block/tunable.c); -ENOENT if unknown, -ERANGE out of range.
 */
int blk_set_tunable(struct blk_dev *dev, const char *name, u64 val);
int blk_get_tunable(struct blk_dev *dev, const char *name, u64 *val);
/* "KEY=VALUE", the value with an optional time unit: "read_expire=2s". */
int blk_tune(struct blk_dev *dev, const char *kv);
/*
 * The @i-th tunable as "name=value unit [min..max] help" into @buf, with
 * ksnprintf's return; -ENOENT past the last.
 */
int blk_tunable_list(const struct blk_dev *dev, unsigned int i, char *buf,
		     size_t size);

const struct blk_stats *blk_get_stats(const struct blk_dev *dev);
void blk_stats_reset(struct blk_dev *dev);

/*
 * Warnings (iterator overruns, broken invariants) go to this hook, which
 * Keel points at pr_warn; the host tests count them.
 */
void blk_set_warn_handler(void (*fn)(const char *msg));
extern u64 blk_warn_count;

/**
 * struct ramdisk - a block driver over caller-supplied memory. Completes in
 * its poll hook so it behaves like a real device with a queue; a failing
 * sector can be set to test error paths.
 */
struct ramdisk {
	struct blk_dev dev;
	u8 *data;
	u32 pending; /* bitmap of tags to complete at the next poll */
	blk_status_t status[BLK_MAX_DEPTH];
	sector_t fail_sector; /* requests covering it fail; ~0 for none */
};

int ramdisk_init(struct ramdisk *rd, const char *name, void *buf, u64 bytes,
		 u32 depth, struct request *pool, u32 npool, blk_clock_fn clock,
		 void *clock_ctx);

#endif
