/* SPDX-License-Identifier: MIT */
/*
 * Shared fixture of the request-queue host tests (test_block.c and
 * test_block_rules.c): a fake clock, and a fake driver that holds requests
 * until the test completes them. Included once per test program.
 */
#ifndef KEEL_TESTS_BLOCK_FAKE_H
#define KEEL_TESTS_BLOCK_FAKE_H

#include "block/blk.h"

#define MS 1000000ULL

static u64 fake_now;

static inline u64 fake_clock(void *ctx)
{
	return fake_now;
}

/* What the driver saw, in order. */
struct sent {
	u8 op;
	u16 flags;
	sector_t sector;
	u32 nr_sectors;
};

struct fake {
	struct blk_dev dev;
	struct request pool[64];
	struct sent log[128];
	int nlog;
	bool busy; /* submit answers BLK_STS_RESOURCE */
	sector_t bad; /* drain_bad() fails commands covering it; ~0: none */
};

static struct fake fk;

/* Bios under test, and the order and status in which they ended. */
static struct bio bios[64];
static struct bio_vec vecs[64];
static int nbios;
static int ended[64];
static blk_status_t ended_sts[64];
static int nended;

static inline blk_status_t fake_submit(struct blk_dev *dev, struct request *rq)
{
	struct fake *f = dev->driver_data;

	if (f->busy)
		return BLK_STS_RESOURCE;
	f->log[f->nlog++] =
		(struct sent){ rq->op, rq->flags, rq->sector, rq->nr_sectors };
	return BLK_STS_OK;
}

static const struct blk_dev_ops fake_ops = { .submit = fake_submit };

static inline void setup_dev(const char *elv, u32 depth, u32 features)
{
	memset(&fk, 0, sizeof(fk));
	fk.dev.name = "fake";
	fk.dev.capacity = 1 << 20;
	fk.dev.ops = &fake_ops;
	fk.dev.driver_data = &fk;
	fk.dev.queue_depth = depth;
	blk_limits_default(&fk.dev.limits);
	fk.dev.limits.features = features;
	assert_int_equal(
		blk_dev_register(&fk.dev, fk.pool, 64, fake_clock, NULL), 0);
	assert_int_equal(blk_set_elevator(&fk.dev, elv), 0);
	fk.bad = ~0ULL;
	fake_now = 0;
	nbios = 0;
	nended = 0;
}

static inline void end_bio(struct bio *bio)
{
	int i = (int)(bio - bios);

	ended_sts[i] = bio->bi_status;
	ended[nended++] = i;
}

static inline struct bio *mk(unsigned int op, sector_t sector, u32 n, u16 flags)
{
	int i = nbios++;
	struct bio *b = &bios[i];

	bio_init(b, &fk.dev, op, flags, &vecs[i], 1);
	b->bi_iter.bi_sector = sector;
	if (n)
		assert_int_equal(bio_add_page(b, 0x100000 + (u64)i * 0x100000,
					      n * SECTOR_SIZE, 0),
				 0);
	b->bi_end_io = end_bio;
	return b;
}

/* Build and submit; returns the bio's index. */
static inline int sub(unsigned int op, sector_t sector, u32 n, u16 flags)
{
	struct bio *b = mk(op, sector, n, flags);

	assert_int_equal(blk_submit_bio(b), 0);
	return (int)(b - bios);
}

#define R(s, n) sub(REQ_OP_READ, s, n, 0)
#define W(s, n) sub(REQ_OP_WRITE, s, n, 0)
#define F() sub(REQ_OP_FLUSH, 0, 0, 0)

static inline struct request *inflight_at(sector_t sector, u8 op)
{
	for (int t = 0; t < BLK_MAX_DEPTH; t++) {
		struct request *rq = blk_tag_to_rq(&fk.dev, t);

		if (rq && rq->sector == sector && rq->op == op)
			return rq;
	}
	fail_msg("no request in flight at %llu", (unsigned long long)sector);
	return NULL;
}

static inline void done(sector_t sector, u8 op)
{
	blk_complete_request(inflight_at(sector, op), BLK_STS_OK);
}

/* Complete whatever is in flight, oldest tag first, until idle. */
static inline void drain(void)
{
	for (int guard = 0; guard < 1000 && !blk_idle(&fk.dev); guard++) {
		for (int t = 0; t < BLK_MAX_DEPTH; t++) {
			struct request *rq = blk_tag_to_rq(&fk.dev, t);

			if (rq) {
				blk_complete_request(rq, BLK_STS_OK);
				break;
			}
		}
	}
	assert_true(blk_idle(&fk.dev));
}

/* Complete the command in the lowest tag, failing it if it covers fk.bad. */
static inline bool complete_next_bad(void)
{
	for (int t = 0; t < BLK_MAX_DEPTH; t++) {
		struct request *rq = blk_tag_to_rq(&fk.dev, t);

		if (rq) {
			bool bad = rq->op != REQ_OP_FLUSH &&
				   fk.bad - rq->sector < rq->nr_sectors;

			blk_complete_request(rq,
					     bad ? BLK_STS_MEDIUM : BLK_STS_OK);
			return true;
		}
	}
	return false;
}

/* drain() on a disk whose sector fk.bad fails every command covering it. */
static inline void drain_bad(void)
{
	for (int guard = 0; guard < 1000 && complete_next_bad(); guard++)
		;
	assert_true(blk_idle(&fk.dev));
}

static inline void expect_sectors(const sector_t *want, int n)
{
	assert_int_equal(fk.nlog, n);
	for (int i = 0; i < n; i++)
		assert_int_equal(fk.log[i].sector, want[i]);
}

/* Merging */

#endif
