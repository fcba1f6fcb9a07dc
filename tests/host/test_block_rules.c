// SPDX-License-Identifier: MIT
/*
 * Host tests for the block layer's correctness rules (docs/block.md):
 * ordering of conflicting requests, flushes, FUA, error completion, queue
 * depth and the pool, driven by the fake clock and driver of block_fake.h.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <string.h>

#include "block_fake.h"

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

/*
 * Requests released by one completion go to the elevator in submission
 * order, though the outstanding index finds them by sector: none's FIFO
 * then dispatches them in that order.
 */
static void test_release_in_submission_order(void **state)
{
	static const sector_t want[] = { 0, 48, 32, 16, 0 };

	setup_dev("none", 1, 0);
	W(0, 64); /* in flight */
	R(48, 8);
	R(32, 8);
	R(16, 8);
	R(0, 8);
	assert_int_equal(blk_get_stats(&fk.dev)->held, 4);
	drain();
	expect_sectors(want, 5);
}

/*
 * Flushes wait in a chain: each for the flush before it and the writes
 * submitted since; a write submitted between two flushes ends only
 * after the first, and the second only after it.
 */
static void test_flush_epochs(void **state)
{
	setup_dev("none", 4, BLK_FEAT_WRITE_CACHE);
	W(0, 8);
	F();
	W(100, 8); /* behind the first flush */
	F();
	R(200, 8); /* behind the second */
	assert_int_equal(fk.nlog, 1);
	done(0, REQ_OP_WRITE);
	assert_int_equal(fk.nlog, 2);
	assert_int_equal(fk.log[1].op, REQ_OP_FLUSH);
	done(0, REQ_OP_FLUSH);
	assert_int_equal(fk.nlog, 3);
	assert_int_equal(fk.log[2].sector, 100);
	done(100, REQ_OP_WRITE);
	assert_int_equal(fk.nlog, 4);
	assert_int_equal(fk.log[3].op, REQ_OP_FLUSH);
	done(0, REQ_OP_FLUSH);
	assert_int_equal(fk.nlog, 5);
	assert_int_equal(fk.log[4].sector, 200);
	drain();
	assert_int_equal(blk_warn_count, 0);
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

/*
 * An error ends the failed request's bios and no others. Merged, they go
 * again alone first (test_block_retry.c): here both fail alone too.
 */
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
	blk_complete_request(inflight_at(0, REQ_OP_WRITE), BLK_STS_IOERR);
	blk_complete_request(inflight_at(8, REQ_OP_WRITE), BLK_STS_IOERR);
	done(100, REQ_OP_WRITE);
	assert_int_equal(nended, 3);
	assert_int_equal(ended_sts[a], BLK_STS_IOERR);
	assert_int_equal(ended_sts[b], BLK_STS_IOERR);
	assert_int_equal(ended_sts[c], BLK_STS_OK);
	assert_int_equal(blk_get_stats(&fk.dev)->errors, 2);
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

/* Refused: -EINVAL, bi_status set for the caller, bi_end_io not run. */
static void refused(unsigned int op, sector_t sector, u32 n)
{
	struct bio *b = mk(op, sector, n, 0);

	assert_int_equal(blk_submit_bio(b), -EINVAL);
	assert_int_equal(b->bi_status, BLK_STS_IOERR);
}

/*
 * 4 KiB logical blocks: a bio must start and end on one (Linux's
 * bio_unaligned()), so nothing that is not whole blocks is queued, merged
 * or sent to the driver.
 */
static void test_unaligned_bios_rejected(void **state)
{
	setup_dev("deadline", 1, 0);
	fk.dev.limits.logical_block_size = 4096;
	blk_start_plug(&fk.dev);
	R(0, 8);
	refused(REQ_OP_READ, 8, 4); /* would back-merge into 0..8 */
	refused(REQ_OP_READ, 4, 8); /* starts mid-block */
	refused(REQ_OP_WRITE, 16, 12); /* a block and a half */
	refused(REQ_OP_WRITE, 17, 1);
	R(8, 8); /* whole blocks: merges */
	W(64, 16);
	blk_finish_plug(&fk.dev);
	drain();
	assert_int_equal(fk.nlog, 2);
	assert_int_equal(fk.log[0].sector, 0);
	assert_int_equal(fk.log[0].nr_sectors, 16);
	assert_int_equal(fk.log[1].sector, 64);
	assert_int_equal(fk.log[1].nr_sectors, 16);
	assert_int_equal(nended, 3);
	assert_int_equal(blk_get_stats(&fk.dev)->bios, 3);
	assert_int_equal(blk_get_stats(&fk.dev)->back_merges, 1);
	/* 512-byte blocks take the same sizes. */
	setup_dev("none", 1, 0);
	R(4, 12);
	drain();
	assert_int_equal(nended, 1);
}

/*
 * Past the end of the device (Linux's bio_check_eod()): start at or past
 * the capacity, an end past it, and a start so large that start + length
 * wraps around to a small number.
 */
static void test_io_past_the_end_rejected(void **state)
{
	setup_dev("none", 1, 0);
	fk.dev.capacity = 64;
	R(56, 8); /* the last 8 sectors */
	refused(REQ_OP_READ, 64, 8);
	refused(REQ_OP_WRITE, 60, 8);
	refused(REQ_OP_READ, 0, 72);
	refused(REQ_OP_WRITE, ~0ULL - 3, 8); /* end wraps to 4 */
	refused(REQ_OP_READ, ~0ULL, 8);
	refused(REQ_OP_READ, 1ULL << 63, 8);
	drain();
	assert_int_equal(fk.nlog, 1);
	assert_int_equal(nended, 1);
	assert_int_equal(ended[0], 0);
	assert_int_equal(blk_get_stats(&fk.dev)->requests, 1);
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
		cmocka_unit_test(test_read_after_write_waits),
		cmocka_unit_test(test_write_after_write_waits),
		cmocka_unit_test(test_write_after_read_waits),
		cmocka_unit_test(test_release_in_submission_order),
		cmocka_unit_test(test_flush_epochs),
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
		cmocka_unit_test(test_unaligned_bios_rejected),
		cmocka_unit_test(test_io_past_the_end_rejected),
		cmocka_unit_test(test_pool_exhaustion_is_ebusy),
		cmocka_unit_test(test_latency_histogram),
		cmocka_unit_test(test_ramdisk_roundtrip_and_error),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
