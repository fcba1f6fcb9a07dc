// SPDX-License-Identifier: MIT
/*
 * Host tests for the request queue and the elevators, driven by a fake clock
 * and a fake driver that holds requests until the test completes them. Each
 * test asserts a concrete dispatch order or state; the correctness rules are
 * the ones in docs/block.md.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <string.h>

#include "block/blk.h"

#define MS 1000000ULL

static u64 fake_now;

static u64 fake_clock(void *ctx)
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
};

static struct fake fk;

/* Bios under test, and the order and status in which they ended. */
static struct bio bios[64];
static struct bio_vec vecs[64];
static int nbios;
static int ended[64];
static blk_status_t ended_sts[64];
static int nended;

static blk_status_t fake_submit(struct blk_dev *dev, struct request *rq)
{
	struct fake *f = dev->driver_data;

	if (f->busy)
		return BLK_STS_RESOURCE;
	f->log[f->nlog++] =
		(struct sent){ rq->op, rq->flags, rq->sector, rq->nr_sectors };
	return BLK_STS_OK;
}

static const struct blk_dev_ops fake_ops = { .submit = fake_submit };

static void setup_dev(const char *elv, u32 depth, u32 features)
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
	fake_now = 0;
	nbios = 0;
	nended = 0;
}

static void end_bio(struct bio *bio)
{
	int i = (int)(bio - bios);

	ended_sts[i] = bio->bi_status;
	ended[nended++] = i;
}

static struct bio *mk(unsigned int op, sector_t sector, u32 n, u16 flags)
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
static int sub(unsigned int op, sector_t sector, u32 n, u16 flags)
{
	struct bio *b = mk(op, sector, n, flags);

	assert_int_equal(blk_submit_bio(b), 0);
	return (int)(b - bios);
}

#define R(s, n) sub(REQ_OP_READ, s, n, 0)
#define W(s, n) sub(REQ_OP_WRITE, s, n, 0)
#define F() sub(REQ_OP_FLUSH, 0, 0, 0)

static struct request *inflight_at(sector_t sector, u8 op)
{
	for (int t = 0; t < BLK_MAX_DEPTH; t++) {
		struct request *rq = blk_tag_to_rq(&fk.dev, t);

		if (rq && rq->sector == sector && rq->op == op)
			return rq;
	}
	fail_msg("no request in flight at %llu", (unsigned long long)sector);
	return NULL;
}

static void done(sector_t sector, u8 op)
{
	blk_complete_request(inflight_at(sector, op), BLK_STS_OK);
}

/* Complete whatever is in flight, oldest tag first, until idle. */
static void drain(void)
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

static void expect_sectors(const sector_t *want, int n)
{
	assert_int_equal(fk.nlog, n);
	for (int i = 0; i < n; i++)
		assert_int_equal(fk.log[i].sector, want[i]);
}

/* Merging */

static void test_back_merge(void **state)
{
	setup_dev("deadline", 1, 0);
	blk_start_plug(&fk.dev);
	W(0, 8);
	W(8, 8);
	blk_finish_plug(&fk.dev);
	assert_int_equal(fk.nlog, 1);
	assert_int_equal(fk.log[0].sector, 0);
	assert_int_equal(fk.log[0].nr_sectors, 16);
	assert_int_equal(blk_get_stats(&fk.dev)->back_merges, 1);
	assert_int_equal(blk_get_stats(&fk.dev)->requests, 1);
	drain();
	assert_int_equal(nended, 2);
}

static void test_front_merge(void **state)
{
	setup_dev("deadline", 1, 0);
	blk_start_plug(&fk.dev);
	W(8, 8);
	W(0, 8);
	blk_finish_plug(&fk.dev);
	assert_int_equal(fk.nlog, 1);
	assert_int_equal(fk.log[0].sector, 0);
	assert_int_equal(fk.log[0].nr_sectors, 16);
	assert_int_equal(blk_get_stats(&fk.dev)->front_merges, 1);
	/* The merged request keeps both bios in sector order. */
	struct request *rq = blk_tag_to_rq(&fk.dev, 0);

	assert_ptr_equal(rq->bio, &bios[1]);
	assert_ptr_equal(rq->bio->bi_next, &bios[0]);
	drain();
}

static void test_front_merges_tunable_off(void **state)
{
	setup_dev("deadline", 1, 0);
	assert_int_equal(blk_set_tunable(&fk.dev, "front_merges", 0), 0);
	blk_start_plug(&fk.dev);
	W(8, 8);
	W(0, 8);
	blk_finish_plug(&fk.dev);
	assert_int_equal(blk_get_stats(&fk.dev)->front_merges, 0);
	assert_int_equal(blk_get_stats(&fk.dev)->requests, 2);
	drain();
}

static void test_none_merges_too(void **state)
{
	setup_dev("none", 1, 0);
	blk_start_plug(&fk.dev);
	R(8, 8);
	R(16, 8);
	R(0, 8);
	blk_finish_plug(&fk.dev);
	assert_int_equal(fk.nlog, 1);
	assert_int_equal(fk.log[0].sector, 0);
	assert_int_equal(fk.log[0].nr_sectors, 24);
	drain();
}

static void test_no_merge_across_directions(void **state)
{
	setup_dev("deadline", 1, 0);
	blk_start_plug(&fk.dev);
	R(0, 8);
	W(8, 8);
	blk_finish_plug(&fk.dev);
	assert_int_equal(blk_get_stats(&fk.dev)->requests, 2);
	drain();
	assert_int_equal(fk.nlog, 2);
}

static void test_merge_respects_max_sectors(void **state)
{
	setup_dev("deadline", 1, 0);
	fk.dev.limits.max_sectors = 16;
	blk_start_plug(&fk.dev);
	W(0, 8);
	W(8, 8);
	W(16, 8);
	blk_finish_plug(&fk.dev);
	drain();
	assert_int_equal(fk.nlog, 2);
	assert_int_equal(fk.log[0].nr_sectors, 16);
	assert_int_equal(fk.log[1].sector, 16);
	assert_int_equal(fk.log[1].nr_sectors, 8);
}

static void test_merge_respects_max_segments(void **state)
{
	setup_dev("none", 1, 0);
	fk.dev.limits.max_segments = 2;
	blk_start_plug(&fk.dev);
	R(0, 8);
	R(8, 8);
	R(16, 8);
	blk_finish_plug(&fk.dev);
	drain();
	assert_int_equal(fk.nlog, 2);
	assert_int_equal(fk.log[0].nr_sectors, 16);
}

static void test_merge_respects_segment_boundary(void **state)
{
	setup_dev("none", 1, 0);
	fk.dev.limits.max_segments = 3;
	fk.dev.limits.seg_boundary_mask = 0xfff;
	blk_start_plug(&fk.dev);
	/* Each bio's 4 KiB at offset 0x800 crosses a boundary: 2 segments. */
	struct bio *a = mk(REQ_OP_READ, 0, 8, 0);
	struct bio *b = mk(REQ_OP_READ, 8, 8, 0);

	vecs[0].bv_offset = 0x800;
	vecs[1].bv_offset = 0x800;
	assert_int_equal(blk_submit_bio(a), 0);
	assert_int_equal(blk_submit_bio(b), 0);
	blk_finish_plug(&fk.dev);
	assert_int_equal(blk_get_stats(&fk.dev)->back_merges, 0);
	drain();
	assert_int_equal(fk.nlog, 2);
}

/* Elevator order */

static void lecture(const char *elv, const sector_t *want)
{
	setup_dev(elv, 1, 0);
	/* A busy device: the first request is in flight elsewhere. */
	W(1000, 8);
	blk_start_plug(&fk.dev);
	R(18, 1);
	R(5, 1);
	R(10, 1);
	R(1, 1);
	blk_finish_plug(&fk.dev);
	drain();
	expect_sectors(want, 5);
}

static void test_none_is_fifo(void **state)
{
	static const sector_t want[] = { 1000, 18, 5, 10, 1 };

	lecture("none", want);
}

static void test_deadline_sorts(void **state)
{
	static const sector_t want[] = { 1000, 1, 5, 10, 18 };

	lecture("deadline", want);
}

static void test_deadline_continues_from_head(void **state)
{
	static const sector_t want[] = { 50, 60, 70, 10, 20 };

	setup_dev("deadline", 1, 0);
	R(50, 1);
	blk_start_plug(&fk.dev);
	R(10, 1);
	R(70, 1);
	R(60, 1);
	R(20, 1);
	blk_finish_plug(&fk.dev);
	drain();
	/* Sector order upwards from the head, then wrap to the FIFO head. */
	expect_sectors(want, 5);
}

static void expiry_run(u64 second_submit_ms, const sector_t *want)
{
	setup_dev("deadline", 1, 0);
	assert_int_equal(blk_set_tunable(&fk.dev, "fifo_batch", 1), 0);
	R(1000, 8); /* dispatched at once; head ends at 1008 */
	fake_now = 1 * MS;
	R(5000, 8); /* oldest */
	fake_now = second_submit_ms * MS;
	R(2000, 8); /* nearer the head */
	fake_now = 600 * MS;
	drain();
	expect_sectors(want, 3);
}

static void test_deadline_expiry_serves_fifo_head(void **state)
{
	static const sector_t want[] = { 1000, 5000, 2000 };

	expiry_run(200, want);
	assert_int_equal(blk_get_stats(&fk.dev)->expired, 1);
}

static void test_deadline_unexpired_keeps_sector_order(void **state)
{
	static const sector_t want[] = { 1000, 2000, 5000 };

	/* read_expire raised: nothing is old at 600 ms. */
	setup_dev("deadline", 1, 0);
	assert_int_equal(blk_set_tunable(&fk.dev, "read_expire", 1000), 0);
	assert_int_equal(blk_set_tunable(&fk.dev, "fifo_batch", 1), 0);
	R(1000, 8);
	fake_now = 1 * MS;
	R(5000, 8);
	R(2000, 8);
	fake_now = 600 * MS;
	drain();
	expect_sectors(want, 3);
	assert_int_equal(blk_get_stats(&fk.dev)->expired, 0);
}

static void test_deadline_writes_starved(void **state)
{
	setup_dev("deadline", 1, 0);
	assert_int_equal(blk_set_tunable(&fk.dev, "fifo_batch", 1), 0);
	blk_start_plug(&fk.dev);
	for (int i = 0; i < 6; i++)
		R(100 * i, 8);
	for (int i = 0; i < 3; i++)
		W(10000 + 100 * i, 8);
	blk_finish_plug(&fk.dev);
	drain();
	static const u8 want[] = { 0, 0, 1, 0, 0, 1, 0, 0, 1 };

	assert_int_equal(fk.nlog, 9);
	for (int i = 0; i < 9; i++)
		assert_int_equal(fk.log[i].op, want[i]);
}

static void test_deadline_batching(void **state)
{
	static const sector_t want[] = { 0,   100, 1000, 1100,
					 200, 300, 1200, 1300 };

	setup_dev("deadline", 1, 0);
	assert_int_equal(blk_set_tunable(&fk.dev, "fifo_batch", 2), 0);
	assert_int_equal(blk_set_tunable(&fk.dev, "writes_starved", 1), 0);
	blk_start_plug(&fk.dev);
	for (int i = 0; i < 4; i++)
		R(100 * i, 8);
	for (int i = 0; i < 4; i++)
		W(1000 + 100 * i, 8);
	blk_finish_plug(&fk.dev);
	drain();
	expect_sectors(want, 8);
	assert_int_equal(blk_get_stats(&fk.dev)->batches, 4);
}

static void test_deadline_tunables(void **state)
{
	u64 v;

	setup_dev("deadline", 1, 0);
	assert_int_equal(blk_get_tunable(&fk.dev, "read_expire", &v), 0);
	assert_int_equal(v, 500);
	assert_int_equal(blk_get_tunable(&fk.dev, "write_expire", &v), 0);
	assert_int_equal(v, 5000);
	assert_int_equal(blk_get_tunable(&fk.dev, "fifo_batch", &v), 0);
	assert_int_equal(v, 16);
	assert_int_equal(blk_get_tunable(&fk.dev, "writes_starved", &v), 0);
	assert_int_equal(v, 2);
	assert_int_equal(blk_get_tunable(&fk.dev, "front_merges", &v), 0);
	assert_int_equal(v, 1);
	assert_int_equal(blk_set_tunable(&fk.dev, "write_expire", 7), 0);
	assert_int_equal(blk_get_tunable(&fk.dev, "write_expire", &v), 0);
	assert_int_equal(v, 7);
	assert_int_equal(blk_set_tunable(&fk.dev, "quantum", 1), -ENOENT);
	assert_int_equal(blk_set_tunable(&fk.dev, "front_merges", 2), -EINVAL);
	assert_int_equal(blk_set_elevator(&fk.dev, "none"), 0);
	assert_int_equal(blk_set_tunable(&fk.dev, "fifo_batch", 1), -ENOENT);
}

static void test_switch_elevator_needs_idle(void **state)
{
	setup_dev("deadline", 1, 0);
	W(0, 8);
	assert_int_equal(blk_set_elevator(&fk.dev, "none"), -EBUSY);
	assert_string_equal(blk_elevator_name(&fk.dev), "deadline");
	drain();
	assert_int_equal(blk_set_elevator(&fk.dev, "none"), 0);
	assert_string_equal(blk_elevator_name(&fk.dev), "none");
	assert_int_equal(blk_set_elevator(&fk.dev, "cfq"), -EINVAL);
	/* The new elevator works: FIFO order. */
	W(2000, 8);
	blk_start_plug(&fk.dev);
	W(900, 8);
	W(100, 8);
	blk_finish_plug(&fk.dev);
	drain();
	assert_int_equal(fk.log[2].sector, 900);
	assert_int_equal(fk.log[3].sector, 100);
}

static void test_default_elevator(void **state)
{
	assert_string_equal(blk_default_elevator(), "deadline");
	assert_int_equal(blk_set_default_elevator("bfq"), -EINVAL);
	assert_int_equal(blk_set_default_elevator("none"), 0);
	memset(&fk, 0, sizeof(fk));
	fk.dev.capacity = 100;
	fk.dev.ops = &fake_ops;
	fk.dev.queue_depth = 1;
	blk_limits_default(&fk.dev.limits);
	assert_int_equal(
		blk_dev_register(&fk.dev, fk.pool, 4, fake_clock, NULL), 0);
	assert_string_equal(blk_elevator_name(&fk.dev), "none");
	assert_int_equal(blk_set_default_elevator("deadline"), 0);
}

/* Correctness rules */

static void test_read_after_write_waits(void **state)
{
	setup_dev("deadline", 4, 0);
	W(0, 8);
	R(4, 8); /* overlaps: must not reach the driver yet */
	R(100, 8); /* unrelated: goes at once */
	assert_int_equal(fk.nlog, 2);
	assert_int_equal(fk.log[1].sector, 100);
	assert_int_equal(blk_get_stats(&fk.dev)->held, 1);
	done(0, REQ_OP_WRITE);
	assert_int_equal(fk.nlog, 3);
	assert_int_equal(fk.log[2].sector, 4);
	drain();
}

static void test_write_after_write_waits(void **state)
{
	setup_dev("none", 4, 0);
	W(0, 8);
	W(0, 8);
	assert_int_equal(fk.nlog, 1);
	done(0, REQ_OP_WRITE);
	assert_int_equal(fk.nlog, 2);
	assert_int_equal(nended, 1);
	assert_int_equal(ended[0], 0);
	drain();
	assert_int_equal(ended[1], 1);
}

static void test_write_after_read_waits(void **state)
{
	setup_dev("deadline", 4, 0);
	R(0, 8);
	W(7, 8);
	assert_int_equal(fk.nlog, 1);
	done(0, REQ_OP_READ);
	assert_int_equal(fk.nlog, 2);
	assert_int_equal(fk.log[1].op, REQ_OP_WRITE);
	drain();
}

static void test_overlapping_reads_do_not_wait(void **state)
{
	setup_dev("deadline", 4, 0);
	R(0, 8);
	R(4, 8);
	assert_int_equal(fk.nlog, 2);
	drain();
}

static void test_conflict_beats_elevator_preference(void **state)
{
	static const sector_t want[] = { 5000, 0, 100, 100 };

	/* Deadline prefers reads and sector order; the overlap wins. */
	setup_dev("deadline", 1, 0);
	W(5000, 8);
	blk_start_plug(&fk.dev);
	W(100, 8);
	R(0, 8);
	R(100, 8);
	blk_finish_plug(&fk.dev);
	drain();
	expect_sectors(want, 4);
	assert_int_equal(fk.log[2].op, REQ_OP_WRITE);
	assert_int_equal(fk.log[3].op, REQ_OP_READ);
}

static void test_merge_cannot_jump_a_conflict(void **state)
{
	/* W 8+8 may not join W 0+8: that would pass the read of 8+8. */
	setup_dev("none", 1, 0);
	W(5000, 8);
	blk_start_plug(&fk.dev);
	W(0, 8);
	R(8, 8);
	W(8, 8);
	blk_finish_plug(&fk.dev);
	assert_int_equal(blk_get_stats(&fk.dev)->back_merges, 0);
	drain();
	static const sector_t want[] = { 5000, 0, 8, 8 };

	expect_sectors(want, 4);
	assert_int_equal(fk.log[2].op, REQ_OP_READ);
	assert_int_equal(fk.log[3].op, REQ_OP_WRITE);
}

static void test_flush_waits_for_earlier_writes(void **state)
{
	setup_dev("deadline", 4, BLK_FEAT_WRITE_CACHE);
	W(0, 8);
	W(100, 8);
	int f = F();

	assert_int_equal(fk.nlog, 2);
	done(0, REQ_OP_WRITE);
	assert_int_equal(fk.nlog, 2);
	done(100, REQ_OP_WRITE);
	assert_int_equal(fk.nlog, 3);
	assert_int_equal(fk.log[2].op, REQ_OP_FLUSH);
	assert_int_equal(nended, 2);
	done(0, REQ_OP_FLUSH);
	assert_int_equal(ended[2], f);
	assert_int_equal(ended_sts[f], BLK_STS_OK);
}

static void test_flush_does_not_wait_for_reads(void **state)
{
	setup_dev("deadline", 4, BLK_FEAT_WRITE_CACHE);
	R(0, 8);
	F();
	assert_int_equal(fk.nlog, 2);
	assert_int_equal(fk.log[1].op, REQ_OP_FLUSH);
	drain();
}

static void test_nothing_passes_a_flush(void **state)
{
	setup_dev("deadline", 4, BLK_FEAT_WRITE_CACHE);
	W(0, 8);
	F();
	R(500, 8); /* unrelated, but submitted after the flush */
	W(8, 8); /* would back-merge with W 0+8 without the flush */
	assert_int_equal(fk.nlog, 1);
	assert_int_equal(blk_get_stats(&fk.dev)->back_merges, 0);
	done(0, REQ_OP_WRITE);
	assert_int_equal(fk.nlog, 2);
	assert_int_equal(fk.log[1].op, REQ_OP_FLUSH);
	done(0, REQ_OP_FLUSH);
	assert_int_equal(fk.nlog, 4);
	drain();
	assert_int_equal(nended, 4);
}

static void test_flush_without_cache_skips_driver(void **state)
{
	setup_dev("none", 4, 0);
	W(0, 8);
	int f = F();

	assert_int_equal(nended, 0);
	done(0, REQ_OP_WRITE);
	assert_int_equal(nended, 2);
	assert_int_equal(ended[1], f);
	assert_int_equal(fk.nlog, 1);
}

static void test_fua_passed_to_capable_driver(void **state)
{
	setup_dev("none", 4, BLK_FEAT_WRITE_CACHE | BLK_FEAT_FUA);
	blk_start_plug(&fk.dev);
	W(0, 8);
	sub(REQ_OP_WRITE, 8, 8, REQ_FUA);
	blk_finish_plug(&fk.dev);
	/* FUA never merges (Linux REQ_NOMERGE_FLAGS). */
	assert_int_equal(fk.nlog, 2);
	assert_true(fk.log[1].flags & REQ_FUA);
	drain();
}

static void test_fua_emulated_with_postflush(void **state)
{
	setup_dev("none", 4, BLK_FEAT_WRITE_CACHE);
	int w = sub(REQ_OP_WRITE, 0, 8, REQ_FUA);

	assert_int_equal(fk.nlog, 1);
	done(0, REQ_OP_WRITE);
	/* Data in the cache only: not complete until the flush is. */
	assert_int_equal(nended, 0);
	assert_int_equal(fk.nlog, 2);
	assert_int_equal(fk.log[1].op, REQ_OP_FLUSH);
	R(0, 8); /* still conflicts with the FUA write */
	assert_int_equal(fk.nlog, 2);
	done(0, REQ_OP_FLUSH);
	assert_int_equal(ended[0], w);
	assert_int_equal(fk.nlog, 3);
	drain();
}

static void test_fua_without_cache_is_plain_write(void **state)
{
	setup_dev("none", 4, 0);
	sub(REQ_OP_WRITE, 0, 8, REQ_FUA);
	done(0, REQ_OP_WRITE);
	assert_int_equal(nended, 1);
	assert_int_equal(fk.nlog, 1);
}

static void test_error_fails_only_its_bios(void **state)
{
	setup_dev("none", 4, 0);
	blk_start_plug(&fk.dev);
	int a = W(0, 8);
	int b = W(8, 8);
	int c = W(100, 8);

	blk_finish_plug(&fk.dev);
	assert_int_equal(fk.nlog, 2);
	blk_complete_request(inflight_at(0, REQ_OP_WRITE), BLK_STS_IOERR);
	done(100, REQ_OP_WRITE);
	assert_int_equal(nended, 3);
	assert_int_equal(ended_sts[a], BLK_STS_IOERR);
	assert_int_equal(ended_sts[b], BLK_STS_IOERR);
	assert_int_equal(ended_sts[c], BLK_STS_OK);
	assert_int_equal(blk_get_stats(&fk.dev)->errors, 1);
}

/* Queue mechanics */

static void test_driver_busy_retries_in_order(void **state)
{
	setup_dev("none", 4, 0);
	fk.busy = true;
	W(0, 8);
	W(100, 8);
	assert_int_equal(fk.nlog, 0);
	fk.busy = false;
	blk_run_queue(&fk.dev);
	static const sector_t want[] = { 0, 100 };

	expect_sectors(want, 2);
	drain();
}

static void test_depth_limits_inflight(void **state)
{
	setup_dev("none", 2, 0);
	R(0, 8);
	R(100, 8);
	R(200, 8);
	assert_int_equal(fk.nlog, 2);
	done(0, REQ_OP_READ);
	assert_int_equal(fk.nlog, 3);
	drain();
	assert_int_equal(blk_get_stats(&fk.dev)->max_depth, 3);
}

static void test_bad_bios_rejected(void **state)
{
	setup_dev("none", 1, 0);
	struct bio *b = mk(REQ_OP_READ, (1 << 20) - 4, 8, 0);

	assert_int_equal(blk_submit_bio(b), -EINVAL);
	b = mk(REQ_OP_READ, 0, 8, 0);
	vecs[b - bios].bv_len = 100;
	b->bi_iter.bi_size = 100;
	assert_int_equal(blk_submit_bio(b), -EINVAL);
	b = mk(REQ_OP_FLUSH, 0, 0, REQ_FUA);
	assert_int_equal(blk_submit_bio(b), -EINVAL);
	assert_int_equal(nended, 0);
}

static void test_pool_exhaustion_is_ebusy(void **state)
{
	memset(&fk, 0, sizeof(fk));
	fk.dev.capacity = 1 << 20;
	fk.dev.ops = &fake_ops;
	fk.dev.driver_data = &fk;
	fk.dev.queue_depth = 1;
	blk_limits_default(&fk.dev.limits);
	assert_int_equal(
		blk_dev_register(&fk.dev, fk.pool, 2, fake_clock, NULL), 0);
	nbios = nended = 0;
	R(0, 8);
	R(100, 8);
	struct bio *b = mk(REQ_OP_READ, 200, 8, 0);

	assert_int_equal(blk_submit_bio(b), -EBUSY);
	/* A bio that merges needs no new request. */
	b = mk(REQ_OP_READ, 108, 8, 0);
	assert_int_equal(blk_submit_bio(b), 0);
	drain();
	assert_int_equal(nended, 3);
}

static void test_latency_histogram(void **state)
{
	setup_dev("none", 1, 0);
	R(0, 8);
	fake_now = 3 * MS; /* 3000 us: bucket 11, [2048, 4096) */
	done(0, REQ_OP_READ);
	const struct blk_stats *st = blk_get_stats(&fk.dev);

	assert_int_equal(st->lat_hist[BLK_READ][11], 1);
	assert_int_equal(st->completed[BLK_READ], 1);
	assert_int_equal(st->dispatched[BLK_READ], 1);
	assert_int_equal(st->dispatched[BLK_WRITE], 0);
	blk_stats_reset(&fk.dev);
	assert_int_equal(st->completed[BLK_READ], 0);
}

/* RAM disk */

static void test_ramdisk_roundtrip_and_error(void **state)
{
	static u8 disk[64 * 1024];
	static u8 buf[3][4096] __aligned(4096);
	static struct request pool[8];
	struct ramdisk rd;

	assert_int_equal(ramdisk_init(&rd, "ram0", disk, sizeof(disk), 4, pool,
				      8, fake_clock, NULL),
			 0);
	memset(buf[0], 0xa5, 4096);
	memset(buf[1], 0x5a, 4096);
	nbios = nended = 0;
	/* One write spanning two non-contiguous pages. */
	struct bio *w = &bios[nbios++];

	bio_init(w, &rd.dev, REQ_OP_WRITE, 0, vecs, 2);
	w->bi_iter.bi_sector = 8;
	bio_add_page(w, (phys_addr_t)(uintptr_t)buf[1], 2048, 2048);
	bio_add_page(w, (phys_addr_t)(uintptr_t)buf[0], 4096, 0);
	w->bi_end_io = end_bio;
	assert_int_equal(blk_submit_bio(w), 0);
	blk_poll(&rd.dev);
	assert_int_equal(nended, 1);
	assert_int_equal(disk[8 * 512], 0x5a);
	assert_int_equal(disk[8 * 512 + 2048], 0xa5);
	assert_int_equal(disk[8 * 512 + 6143], 0xa5);
	assert_int_equal(disk[8 * 512 + 6144], 0);

	struct bio *r = &bios[nbios++];

	bio_init(r, &rd.dev, REQ_OP_READ, 0, &vecs[2], 1);
	r->bi_iter.bi_sector = 8;
	bio_add_page(r, (phys_addr_t)(uintptr_t)buf[2], 4096, 0);
	r->bi_end_io = end_bio;
	assert_int_equal(blk_submit_bio(r), 0);
	blk_poll(&rd.dev);
	assert_int_equal(buf[2][0], 0x5a);
	assert_int_equal(buf[2][2048], 0xa5);

	rd.fail_sector = 9;
	r->bi_status = BLK_STS_OK;
	r->bi_remaining = 1;
	assert_int_equal(blk_submit_bio(r), 0);
	blk_poll(&rd.dev);
	assert_int_equal(ended_sts[1], BLK_STS_IOERR);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_back_merge),
		cmocka_unit_test(test_front_merge),
		cmocka_unit_test(test_front_merges_tunable_off),
		cmocka_unit_test(test_none_merges_too),
		cmocka_unit_test(test_no_merge_across_directions),
		cmocka_unit_test(test_merge_respects_max_sectors),
		cmocka_unit_test(test_merge_respects_max_segments),
		cmocka_unit_test(test_merge_respects_segment_boundary),
		cmocka_unit_test(test_none_is_fifo),
		cmocka_unit_test(test_deadline_sorts),
		cmocka_unit_test(test_deadline_continues_from_head),
		cmocka_unit_test(test_deadline_expiry_serves_fifo_head),
		cmocka_unit_test(test_deadline_unexpired_keeps_sector_order),
		cmocka_unit_test(test_deadline_writes_starved),
		cmocka_unit_test(test_deadline_batching),
		cmocka_unit_test(test_deadline_tunables),
		cmocka_unit_test(test_switch_elevator_needs_idle),
		cmocka_unit_test(test_default_elevator),
		cmocka_unit_test(test_read_after_write_waits),
		cmocka_unit_test(test_write_after_write_waits),
		cmocka_unit_test(test_write_after_read_waits),
		cmocka_unit_test(test_overlapping_reads_do_not_wait),
		cmocka_unit_test(test_conflict_beats_elevator_preference),
		cmocka_unit_test(test_merge_cannot_jump_a_conflict),
		cmocka_unit_test(test_flush_waits_for_earlier_writes),
		cmocka_unit_test(test_flush_does_not_wait_for_reads),
		cmocka_unit_test(test_nothing_passes_a_flush),
		cmocka_unit_test(test_flush_without_cache_skips_driver),
		cmocka_unit_test(test_fua_passed_to_capable_driver),
		cmocka_unit_test(test_fua_emulated_with_postflush),
		cmocka_unit_test(test_fua_without_cache_is_plain_write),
		cmocka_unit_test(test_error_fails_only_its_bios),
		cmocka_unit_test(test_driver_busy_retries_in_order),
		cmocka_unit_test(test_depth_limits_inflight),
		cmocka_unit_test(test_bad_bios_rejected),
		cmocka_unit_test(test_pool_exhaustion_is_ebusy),
		cmocka_unit_test(test_latency_histogram),
		cmocka_unit_test(test_ramdisk_roundtrip_and_error),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
