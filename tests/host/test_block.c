// SPDX-License-Identifier: MIT
/*
 * Host tests for request merging and the elevators, driven by the fake clock
 * and driver of block_fake.h. Each test asserts a concrete dispatch order or
 * state. The correctness rules (docs/block.md) are in test_block_rules.c.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <string.h>

#include "block_fake.h"

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
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
