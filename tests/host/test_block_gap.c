// SPDX-License-Identifier: MIT
/*
 * Host tests for gap reads (block/blk-gap.c, docs/block.md "Gap reads"):
 * keel joins queued reads separated by at most gap_kb into one command that
 * reads the gaps into the bit bucket. Checked: the command's shape and its
 * segment walk, that the gap never reaches a caller's buffer (RAM disk),
 * the rules that forbid a join (pending overlapping writes, flushes, FUA,
 * the gap bound, max_sectors, max_segments), and that a failed command's
 * requests go again alone.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <string.h>

#include "block_fake.h"

static void setup_keel(u32 depth, u32 gap_kb)
{
	setup_dev("keel", depth, 0);
	assert_int_equal(blk_set_tunable(&fk.dev, "gap_kb", gap_kb), 0);
}

static const struct blk_stats *stats(void)
{
	return blk_get_stats(&fk.dev);
}

/* The lecture's reads at 18, 5, 10 and 1: one command over 1..18. */
static void test_gap_lecture_is_one_command(void **state)
{
	setup_keel(1, 64);
	blk_start_plug(&fk.dev);
	R(18, 1);
	R(5, 1);
	R(10, 1);
	R(1, 1);
	blk_finish_plug(&fk.dev);
	assert_int_equal(fk.nlog, 1);
	assert_int_equal(fk.log[0].sector, 1);
	assert_int_equal(fk.log[0].nr_sectors, 18);
	assert_int_equal(stats()->gap_reads, 1);
	assert_int_equal(stats()->gap_merged, 3);
	assert_int_equal(stats()->gap_sectors, 14);
	assert_int_equal(stats()->dispatched[BLK_READ], 4);
	assert_int_equal(nended, 0);
	done(1, REQ_OP_READ);
	assert_int_equal(nended, 4);
	for (int i = 0; i < 4; i++)
		assert_int_equal(ended_sts[i], BLK_STS_OK);
	assert_true(blk_idle(&fk.dev));
	assert_int_equal(stats()->completed[BLK_READ], 4);
}

/* The walk: each bio's data, the gaps in the bit bucket, in disk order. */
static void test_gap_segment_walk(void **state)
{
	struct blk_seg_iter it;
	phys_addr_t a;
	u32 len, total = 0;
	int n = 0;

	setup_keel(1, 64);
	/* 1 KiB segments: the 4 KiB gap takes four. */
	fk.dev.limits.max_segment_size = 1024;
	blk_start_plug(&fk.dev);
	R(0, 2); /* bio 0 at 0x100000 */
	R(10, 2); /* bio 1 at 0x200000 */
	blk_finish_plug(&fk.dev);
	struct request *rq = inflight_at(0, REQ_OP_READ);

	assert_int_equal(rq->nr_sectors, 12);
	assert_int_equal(rq->nr_segments, 1 + 4 + 1);
	blk_rq_seg_init(&it, rq);
	while (blk_rq_seg_next(&it, &a, &len)) {
		if (n == 0)
			assert_int_equal(a, 0x100000);
		else if (n == 5)
			assert_int_equal(a, 0x200000);
		else
			assert_int_equal(a, blk_bit_bucket());
		total += len;
		n++;
	}
	assert_int_equal(n, 6);
	assert_int_equal(total, 12 * SECTOR_SIZE);
	drain();
}

/* Coming down from above, the farther read heads the command. */
static void test_gap_joins_backwards(void **state)
{
	setup_keel(1, 64);
	R(292, 8); /* in flight; the head ends at 300 */
	blk_start_plug(&fk.dev);
	R(200, 8);
	R(216, 8); /* the nearer one, chosen first */
	blk_finish_plug(&fk.dev);
	done(292, REQ_OP_READ);
	assert_int_equal(fk.nlog, 2);
	assert_int_equal(fk.log[1].sector, 200);
	assert_int_equal(fk.log[1].nr_sectors, 24);
	drain();
	assert_int_equal(nended, 3);
}

/*
 * Neighbours on either side of a boundary of the index regions (16 *
 * max_sectors: 32768 sectors here), where the search goes from one
 * region's tree to the next: whichever of the two the elevator sends
 * first, the other joins, forwards or backwards.
 */
static void test_gap_across_regions(void **state)
{
	static const sector_t first[] = { 32000, 33000 };

	for (size_t i = 0; i < ARRAY_SIZE(first); i++) {
		setup_keel(1, 4); /* 8 sectors */
		R(first[i], 8); /* in flight */
		blk_start_plug(&fk.dev);
		R(32752, 8); /* ends in region 0 at 32760 */
		R(32768, 8); /* starts region 1 */
		blk_finish_plug(&fk.dev);
		done(first[i], REQ_OP_READ);
		assert_int_equal(fk.nlog, 2);
		assert_int_equal(fk.log[1].sector, 32752);
		assert_int_equal(fk.log[1].nr_sectors, 24);
		drain();
		assert_int_equal(nended, 3);
	}
}

/*
 * Two queued reads starting at the same sector: the one submitted last
 * joins (the order the search had over the outstanding index, whose
 * chains put the newest first), the other goes alone.
 */
static void test_gap_equal_starts_newest_joins(void **state)
{
	setup_keel(1, 4);
	R(0, 8); /* in flight */
	blk_start_plug(&fk.dev);
	R(16, 8);
	R(16, 16);
	R(4, 4); /* nearest after the head: goes first */
	blk_finish_plug(&fk.dev);
	done(0, REQ_OP_READ);
	/* 4..32 with 16..32; with 16..24 it would end at 24. */
	assert_int_equal(fk.nlog, 2);
	assert_int_equal(fk.log[1].sector, 4);
	assert_int_equal(fk.log[1].nr_sectors, 28);
	done(4, REQ_OP_READ);
	assert_int_equal(fk.nlog, 3);
	assert_int_equal(fk.log[2].sector, 16);
	assert_int_equal(fk.log[2].nr_sectors, 8);
	drain();
	assert_int_equal(nended, 4);
}

/* A gap of exactly gap_kb joins, one sector more does not; 0 is off. */
static void test_gap_bound(void **state)
{
	static const struct {
		u32 kb;
		sector_t second;
		int cmds;
	} c[] = { { 4, 8 + 8, 1 }, { 4, 8 + 9, 2 }, { 0, 8 + 1, 2 } };

	for (size_t i = 0; i < ARRAY_SIZE(c); i++) {
		setup_keel(1, c[i].kb);
		blk_start_plug(&fk.dev);
		R(0, 8);
		R(c[i].second, 8);
		blk_finish_plug(&fk.dev);
		drain();
		assert_int_equal(fk.nlog, c[i].cmds);
		assert_int_equal(nended, 2);
	}
}

/*
 * A write that is outstanding, whether queued, held or in flight, and
 * overlaps the gap keeps the reads apart; one beside the gap does not.
 */
static void test_gap_never_over_a_pending_write(void **state)
{
	/* Queued: reads go before writes, so the write is still waiting. */
	setup_keel(1, 64);
	blk_start_plug(&fk.dev);
	W(10, 2);
	R(0, 8);
	R(16, 8);
	blk_finish_plug(&fk.dev);
	drain();
	assert_int_equal(stats()->gap_reads, 0);

	/* In flight on a device with two slots. */
	setup_keel(2, 64);
	W(12, 1);
	blk_start_plug(&fk.dev);
	R(0, 8);
	R(16, 8);
	blk_finish_plug(&fk.dev);
	drain();
	assert_int_equal(stats()->gap_reads, 0);

	/* Held behind a read it overlaps, and reaching into the gap. */
	setup_keel(1, 64);
	R(100, 8); /* in flight */
	blk_start_plug(&fk.dev);
	R(0, 8);
	W(4, 8); /* held by the read at 0, covers 8..11 of the gap */
	R(16, 8);
	blk_finish_plug(&fk.dev);
	drain();
	assert_int_equal(stats()->gap_reads, 0);

	/* Beside the gap: no conflict, one command. */
	setup_keel(1, 64);
	blk_start_plug(&fk.dev);
	W(40, 2);
	R(0, 8);
	R(16, 8);
	blk_finish_plug(&fk.dev);
	drain();
	assert_int_equal(stats()->gap_reads, 1);
}

/* While a flush is outstanding nothing joins; FUA reads never do. */
static void test_gap_not_across_flush_or_fua(void **state)
{
	/* Two slots: the reads go while the flush waits for the write. */
	setup_keel(2, 64);
	fk.dev.limits.features = BLK_FEAT_WRITE_CACHE;
	W(1000, 8); /* in flight */
	blk_start_plug(&fk.dev);
	R(0, 8);
	R(16, 8);
	F(); /* waits for the write */
	blk_finish_plug(&fk.dev);
	assert_int_equal(fk.nlog, 2);
	done(1000, REQ_OP_WRITE);
	drain();
	assert_int_equal(stats()->gap_reads, 0);

	setup_keel(1, 64);
	R(1000, 8); /* in flight */
	blk_start_plug(&fk.dev);
	sub(REQ_OP_READ, 0, 8, REQ_FUA);
	R(16, 8);
	blk_finish_plug(&fk.dev);
	drain();
	assert_int_equal(stats()->gap_reads, 0);
}

/* max_sectors and max_segments bound the command, gaps counted. */
static void test_gap_respects_limits(void **state)
{
	setup_keel(1, 64);
	fk.dev.limits.max_sectors = 20;
	blk_start_plug(&fk.dev);
	R(0, 8);
	R(12, 8); /* span 20: joins */
	R(24, 8); /* span 32: does not */
	blk_finish_plug(&fk.dev);
	assert_int_equal(fk.log[0].nr_sectors, 20);
	drain();
	assert_int_equal(fk.nlog, 2);

	setup_keel(1, 64);
	fk.dev.limits.max_segments = 3;
	blk_start_plug(&fk.dev);
	R(0, 8);
	R(16, 8); /* 1 + 1 (gap) + 1 segments: joins */
	R(32, 8); /* 5: does not */
	blk_finish_plug(&fk.dev);
	assert_int_equal(fk.log[0].nr_sectors, 24);
	assert_true(inflight_at(0, REQ_OP_READ)->nr_segments <= 3);
	drain();
	assert_int_equal(fk.nlog, 2);
}

/*
 * A failed command's requests go again alone; each that fails again ends
 * with its own error, once (test_block_gap_rules.c has the mixed cases).
 */
static void test_gap_error_reaches_every_request(void **state)
{
	setup_keel(1, 64);
	blk_start_plug(&fk.dev);
	R(0, 8);
	R(16, 8);
	R(40, 8);
	blk_finish_plug(&fk.dev);
	assert_int_equal(fk.nlog, 1);
	blk_complete_request(inflight_at(0, REQ_OP_READ), BLK_STS_MEDIUM);
	assert_int_equal(nended, 0);
	for (int i = 0; i < 3; i++) {
		assert_int_equal(fk.nlog, 2 + i);
		assert_int_equal(fk.log[1 + i].nr_sectors, 8);
		blk_complete_request(inflight_at(fk.log[1 + i].sector,
						 REQ_OP_READ),
				     BLK_STS_MEDIUM);
	}
	assert_int_equal(nended, 3);
	for (int i = 0; i < 3; i++)
		assert_int_equal(ended_sts[i], BLK_STS_MEDIUM);
	assert_true(blk_idle(&fk.dev));
	assert_int_equal(stats()->errors, 3);
}

/* A driver with no free slot gets the whole command again later. */
static void test_gap_busy_driver_retries_the_command(void **state)
{
	setup_keel(1, 64);
	fk.busy = true;
	blk_start_plug(&fk.dev);
	R(0, 8);
	R(16, 8);
	blk_finish_plug(&fk.dev);
	assert_int_equal(fk.nlog, 0);
	fk.busy = false;
	blk_run_queue(&fk.dev);
	assert_int_equal(fk.nlog, 1);
	assert_int_equal(fk.log[0].nr_sectors, 24);
	drain();
	assert_int_equal(nended, 2);
	assert_int_equal(stats()->dispatched[BLK_READ], 2);
}

/* RAM disk: each buffer gets its own sectors, the gap goes nowhere else. */
#define RD_SECTORS 256
#define GUARD 64
static u8 rd_disk[RD_SECTORS * SECTOR_SIZE];
static struct request rd_pool[16];
static u8 rd_buf[3][GUARD + 8 * SECTOR_SIZE + GUARD];
static struct bio rd_bio[3];
static struct bio_vec rd_vec[3];
static int rd_ended;

static void rd_end(struct bio *bio)
{
	assert_int_equal(bio->bi_status, BLK_STS_OK);
	rd_ended++;
}

/* Read at[] into poisoned buffers; check them; gap reads made. */
static u64 rd_read_three(struct ramdisk *rd, const sector_t *at)
{
	u64 before = blk_get_stats(&rd->dev)->gap_reads;

	memset(rd_buf, 0xa5, sizeof(rd_buf));
	rd_ended = 0;
	blk_start_plug(&rd->dev);
	for (int i = 0; i < 3; i++) {
		bio_init(&rd_bio[i], &rd->dev, REQ_OP_READ, 0, &rd_vec[i], 1);
		rd_bio[i].bi_iter.bi_sector = at[i];
		assert_int_equal(bio_add_page(&rd_bio[i],
					      (phys_addr_t)(uintptr_t)rd_buf[i],
					      4096, GUARD),
				 0);
		rd_bio[i].bi_end_io = rd_end;
		assert_int_equal(blk_submit_bio(&rd_bio[i]), 0);
	}
	blk_finish_plug(&rd->dev);
	while (!blk_idle(&rd->dev))
		blk_poll(&rd->dev);
	assert_int_equal(rd_ended, 3);
	for (int i = 0; i < 3; i++) {
		const u8 *b = rd_buf[i];

		for (int g = 0; g < GUARD; g++) {
			assert_int_equal(b[g], 0xa5);
			assert_int_equal(b[GUARD + 4096 + g], 0xa5);
		}
		assert_memory_equal(b + GUARD, rd_disk + at[i] * SECTOR_SIZE,
				    4096);
	}
	return blk_get_stats(&rd->dev)->gap_reads - before;
}

static void test_gap_never_written_to_a_buffer(void **state)
{
	static const sector_t at[3] = { 8, 20, 36 };
	struct ramdisk rd;

	for (size_t i = 0; i < sizeof(rd_disk); i++)
		rd_disk[i] = (u8)(i / SECTOR_SIZE * 7 + i % 251);
	assert_int_equal(ramdisk_init(&rd, "gap0", rd_disk, sizeof(rd_disk), 1,
				      rd_pool, 16, fake_clock, NULL),
			 0);
	assert_int_equal(blk_set_elevator(&rd.dev, "keel"), 0);
	/* Memory has no seek cost (BLK_FEAT_NONROT): no gap reads. */
	assert_int_equal(rd_read_three(&rd, at), 0);
	/* Posing as a disk, the three go down as one command. */
	rd.dev.limits.features &= ~BLK_FEAT_NONROT;
	memset((void *)(uintptr_t)blk_bit_bucket(), 0, BLK_BIT_BUCKET_SIZE);
	assert_int_equal(rd_read_three(&rd, at), 1);
	assert_int_equal(blk_get_stats(&rd.dev)->gap_sectors, 4 + 8);
	/* The last gap (sectors 28..35) went to the bucket. */
	assert_memory_equal((const void *)(uintptr_t)blk_bit_bucket(),
			    rd_disk + 28 * SECTOR_SIZE, 8 * SECTOR_SIZE);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_gap_lecture_is_one_command),
		cmocka_unit_test(test_gap_segment_walk),
		cmocka_unit_test(test_gap_joins_backwards),
		cmocka_unit_test(test_gap_bound),
		cmocka_unit_test(test_gap_across_regions),
		cmocka_unit_test(test_gap_equal_starts_newest_joins),
		cmocka_unit_test(test_gap_never_over_a_pending_write),
		cmocka_unit_test(test_gap_not_across_flush_or_fua),
		cmocka_unit_test(test_gap_respects_limits),
		cmocka_unit_test(test_gap_error_reaches_every_request),
		cmocka_unit_test(test_gap_busy_driver_retries_the_command),
		cmocka_unit_test(test_gap_never_written_to_a_buffer),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
