// SPDX-License-Identifier: MIT
/*
 * Host tests for the rules around gap reads (block/blk-gap.c, docs/block.md
 * "Gap reads") that a review found broken: the stretched head must not
 * release writes held by the other requests of its command (blocker
 * accounting), a failed command must end each request with its own status
 * (re-issued alone once), and joins must stay on logical blocks. The first
 * three tests are the reviewer's reproducers; none of them may make the
 * queue warn.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <string.h>

#include "block_fake.h"

static u64 warns0;

static void setup_keel(u32 depth, u32 gap_kb)
{
	setup_dev("keel", depth, 0);
	assert_int_equal(blk_set_tunable(&fk.dev, "gap_kb", gap_kb), 0);
	warns0 = blk_warn_count;
}

static const struct blk_stats *stats(void)
{
	return blk_get_stats(&fk.dev);
}

static struct request *find_inflight(sector_t s, u8 op)
{
	for (int t = 0; t < BLK_MAX_DEPTH; t++) {
		struct request *rq = blk_tag_to_rq(&fk.dev, t);

		if (rq && rq->sector == s && rq->op == op)
			return rq;
	}
	return NULL;
}

/* Index in the driver's log of the first command at @s of @op, or -1. */
static int sent_at(sector_t s, u8 op)
{
	for (int i = 0; i < fk.nlog; i++)
		if (fk.log[i].sector == s && fk.log[i].op == op)
			return i;
	return -1;
}

/*
 * W2 waits for B (part of the command) and for R2 (in flight alone), not
 * for the head A. The command's completion must leave it held by R2.
 */
static void test_gap_write_keeps_its_other_blocker(void **state)
{
	setup_keel(2, 64);
	R(20, 8); /* R2: in flight */
	R(1000, 8); /* in flight: the command waits for its slot */
	blk_start_plug(&fk.dev);
	R(0, 8); /* A */
	R(16, 8); /* B */
	W(16, 8); /* W2: held by B and R2 */
	W(0, 8); /* W3: held by A */
	blk_finish_plug(&fk.dev);
	done(1000, REQ_OP_READ);
	assert_int_equal(sent_at(0, REQ_OP_READ), 2);
	assert_int_equal(fk.log[2].nr_sectors, 24);
	done(0, REQ_OP_READ);
	done(0, REQ_OP_WRITE);
	assert_non_null(find_inflight(20, REQ_OP_READ));
	assert_null(find_inflight(16, REQ_OP_WRITE));
	done(20, REQ_OP_READ);
	assert_non_null(find_inflight(16, REQ_OP_WRITE));
	drain();
	assert_int_equal(blk_warn_count, warns0);
}

/* W (18..21) must not pass the older W0 (20..31) it overlaps. */
static void test_gap_writes_keep_their_order(void **state)
{
	setup_keel(1, 64);
	R(1000, 8); /* in flight */
	blk_start_plug(&fk.dev);
	R(0, 8); /* A */
	R(16, 8); /* B */
	W(20, 12); /* W0: held by B */
	W(18, 4); /* W: held by B and W0 */
	W(0, 8); /* W3: held by A, marks A as having waiters */
	blk_finish_plug(&fk.dev);
	done(1000, REQ_OP_READ);
	assert_int_equal(stats()->gap_reads, 1);
	drain();
	assert_true(sent_at(20, REQ_OP_WRITE) >= 0);
	assert_true(sent_at(18, REQ_OP_WRITE) > sent_at(20, REQ_OP_WRITE));
	assert_int_equal(blk_warn_count, warns0);
}

/* Written while the command is out: on a gap, on a part, on the head. */
static void test_gap_writes_during_the_command(void **state)
{
	setup_keel(4, 64);
	blk_start_plug(&fk.dev);
	R(0, 8);
	R(16, 8);
	R(40, 8);
	blk_finish_plug(&fk.dev);
	assert_int_equal(fk.nlog, 1);
	W(8, 8); /* gap */
	W(20, 4); /* part 16..23 */
	W(30, 20); /* gap 24..39 and part 40..47 */
	W(4, 2); /* head's own sectors */
	assert_int_equal(fk.nlog, 1);
	assert_int_equal(stats()->held, 4);
	done(0, REQ_OP_READ);
	assert_int_equal(fk.nlog, 5);
	drain();
	assert_int_equal(nended, 7);
	assert_int_equal(blk_warn_count, warns0);
}

/*
 * A failed command goes again request by request, no joining, each once;
 * a request that fails alone ends with its own error, the others OK.
 */
static void test_gap_failed_command_goes_again_alone(void **state)
{
	setup_keel(4, 64);
	blk_start_plug(&fk.dev);
	R(0, 8);
	R(16, 8);
	R(40, 8);
	blk_finish_plug(&fk.dev);
	assert_int_equal(fk.nlog, 1);
	blk_complete_request(find_inflight(0, REQ_OP_READ), BLK_STS_MEDIUM);
	assert_int_equal(nended, 0);
	assert_int_equal(stats()->gap_splits, 1);
	assert_int_equal(fk.nlog, 4);
	for (int i = 1; i < 4; i++)
		assert_int_equal(fk.log[i].nr_sectors, 8);
	assert_int_equal(fk.log[1].sector, 0);
	assert_int_equal(fk.log[2].sector, 16);
	assert_int_equal(fk.log[3].sector, 40);
	blk_complete_request(find_inflight(16, REQ_OP_READ), BLK_STS_MEDIUM);
	assert_int_equal(nended, 1);
	assert_int_equal(ended[0], 1);
	assert_int_equal(ended_sts[1], BLK_STS_MEDIUM);
	drain();
	assert_int_equal(nended, 3);
	assert_int_equal(ended_sts[0], BLK_STS_OK);
	assert_int_equal(ended_sts[2], BLK_STS_OK);
	assert_int_equal(stats()->errors, 1);
	assert_int_equal(stats()->gap_splits, 1);
	assert_true(blk_idle(&fk.dev));
	assert_int_equal(blk_warn_count, warns0);
}

/*
 * Writes held by the failed command: the one on a gap is free once the
 * command is split (nothing reads the gap any more), the one on a part
 * still waits for that part alone.
 */
static void test_gap_split_hands_writes_back(void **state)
{
	setup_keel(4, 64);
	blk_start_plug(&fk.dev);
	R(0, 8);
	R(16, 8);
	blk_finish_plug(&fk.dev);
	W(8, 8); /* gap: held by the head only */
	W(20, 4); /* part B: held by the head and B */
	assert_int_equal(fk.nlog, 1);
	blk_complete_request(find_inflight(0, REQ_OP_READ), BLK_STS_TIMEOUT);
	assert_true(sent_at(8, REQ_OP_WRITE) > 0);
	assert_int_equal(sent_at(20, REQ_OP_WRITE), -1);
	done(0, REQ_OP_READ);
	assert_int_equal(sent_at(20, REQ_OP_WRITE), -1);
	done(16, REQ_OP_READ);
	assert_true(sent_at(20, REQ_OP_WRITE) > 0);
	drain();
	assert_int_equal(nended, 4);
	for (int i = 0; i < 4; i++)
		assert_int_equal(ended_sts[i], BLK_STS_OK);
	assert_int_equal(blk_warn_count, warns0);
}

/* A driver that refuses the command at submit: the same, synchronously. */
static blk_status_t refuse_joined(struct blk_dev *dev, struct request *rq)
{
	blk_status_t sts = fake_submit(dev, rq);

	return sts ? sts : rq->cmd_next ? BLK_STS_IOERR : BLK_STS_OK;
}

static void test_gap_refused_command_goes_again_alone(void **state)
{
	static const struct blk_dev_ops ops = { .submit = refuse_joined };

	setup_keel(1, 64);
	fk.dev.ops = &ops;
	blk_start_plug(&fk.dev);
	R(0, 8);
	R(16, 8);
	blk_finish_plug(&fk.dev);
	assert_int_equal(fk.nlog, 2);
	assert_int_equal(fk.log[1].nr_sectors, 8);
	drain();
	assert_int_equal(nended, 2);
	assert_int_equal(ended_sts[0], BLK_STS_OK);
	assert_int_equal(ended_sts[1], BLK_STS_OK);
	assert_int_equal(blk_warn_count, warns0);
}

/* RAM disk: a bad sector nobody asked for fails nobody; a wanted one one. */
static u8 disk[256 * SECTOR_SIZE];
static struct request rd_pool[16];
static u8 buf[3][4096];
static struct bio rd_bio[3];
static struct bio_vec rd_vec[3];
static blk_status_t rd_sts[3];
static int rd_ends[3];

static void rd_end(struct bio *b)
{
	rd_sts[b - rd_bio] = b->bi_status;
	rd_ends[b - rd_bio]++;
}

static void rd_read(struct ramdisk *rd, const sector_t *at, int n)
{
	memset(buf, 0xa5, sizeof(buf));
	memset(rd_ends, 0, sizeof(rd_ends));
	blk_start_plug(&rd->dev);
	for (int i = 0; i < n; i++) {
		bio_init(&rd_bio[i], &rd->dev, REQ_OP_READ, 0, &rd_vec[i], 1);
		rd_bio[i].bi_iter.bi_sector = at[i];
		bio_add_page(&rd_bio[i], (phys_addr_t)(uintptr_t)buf[i], 4096,
			     0);
		rd_bio[i].bi_end_io = rd_end;
		assert_int_equal(blk_submit_bio(&rd_bio[i]), 0);
	}
	blk_finish_plug(&rd->dev);
	while (!blk_idle(&rd->dev))
		blk_poll(&rd->dev);
	for (int i = 0; i < n; i++)
		assert_int_equal(rd_ends[i], 1);
}

static void rd_setup(struct ramdisk *rd)
{
	for (size_t i = 0; i < sizeof(disk); i++)
		disk[i] = (u8)(i / SECTOR_SIZE * 13 + i % 241);
	assert_int_equal(ramdisk_init(rd, "gapx", disk, sizeof(disk), 1,
				      rd_pool, 16, fake_clock, NULL),
			 0);
	assert_int_equal(blk_set_elevator(&rd->dev, "keel"), 0);
	rd->dev.limits.features &= ~BLK_FEAT_NONROT;
}

static void test_gap_error_spares_good_reads(void **state)
{
	static const sector_t at[3] = { 8, 24, 40 };
	struct ramdisk rd;

	rd_setup(&rd);
	rd.fail_sector = 20; /* in the gap 16..23 */
	rd_read(&rd, at, 2);
	assert_int_equal(blk_get_stats(&rd.dev)->gap_reads, 1);
	assert_int_equal(blk_get_stats(&rd.dev)->gap_splits, 1);
	for (int i = 0; i < 2; i++) {
		assert_int_equal(rd_sts[i], BLK_STS_OK);
		assert_memory_equal(buf[i], disk + at[i] * SECTOR_SIZE, 4096);
	}
	rd.fail_sector = 26; /* in the middle read */
	rd_read(&rd, at, 3);
	assert_int_equal(rd_sts[0], BLK_STS_OK);
	assert_int_equal(rd_sts[1], BLK_STS_IOERR);
	assert_int_equal(rd_sts[2], BLK_STS_OK);
	assert_memory_equal(buf[0], disk + at[0] * SECTOR_SIZE, 4096);
	assert_memory_equal(buf[2], disk + at[2] * SECTOR_SIZE, 4096);
	assert_int_equal(blk_get_stats(&rd.dev)->errors, 1);
}

/*
 * 4 KiB logical blocks: what is not whole blocks is refused at submit
 * (blk_submit_bio()), so it never joins; whole blocks join across gaps
 * that are whole blocks too.
 */
static void test_gap_joins_whole_logical_blocks(void **state)
{
	setup_keel(1, 8); /* 16 sectors */
	fk.dev.limits.logical_block_size = 4096;
	blk_start_plug(&fk.dev);
	R(0, 8);
	R(16, 8); /* aligned: joins */
	assert_int_equal(blk_submit_bio(mk(REQ_OP_READ, 28, 8, 0)), -EINVAL);
	assert_int_equal(blk_submit_bio(mk(REQ_OP_READ, 44, 4, 0)), -EINVAL);
	R(40, 8); /* 16 sectors after 24: joins */
	blk_finish_plug(&fk.dev);
	assert_int_equal(fk.nlog, 1);
	assert_int_equal(fk.log[0].sector, 0);
	assert_int_equal(fk.log[0].nr_sectors, 48);
	drain();
	assert_int_equal(stats()->gap_reads, 1);
	assert_int_equal(stats()->gap_merged, 2);
	assert_int_equal(nended, 3);
	assert_int_equal(ended[0], 0);
	assert_int_equal(ended[1], 1);
	assert_int_equal(ended[2], 4);
}

/*
 * A part of a failed gap read goes out twice, once in the command and
 * once alone; stats.dispatched counts each request once.
 */
static void test_gap_split_parts_count_once(void **state)
{
	static const struct blk_dev_ops ops = { .submit = refuse_joined };

	setup_keel(4, 64);
	blk_start_plug(&fk.dev);
	R(0, 8);
	R(16, 8);
	R(40, 8);
	blk_finish_plug(&fk.dev);
	assert_int_equal(fk.nlog, 1);
	assert_int_equal(stats()->dispatched[BLK_READ], 3);
	blk_complete_request(find_inflight(0, REQ_OP_READ), BLK_STS_MEDIUM);
	assert_int_equal(fk.nlog, 4);
	assert_int_equal(stats()->dispatched[BLK_READ], 3);
	drain();
	assert_int_equal(stats()->dispatched[BLK_READ], 3);
	assert_int_equal(stats()->completed[BLK_READ], 3);
	/* Refused at submit: counted with the command, not again alone. */
	setup_keel(1, 64);
	fk.dev.ops = &ops;
	blk_start_plug(&fk.dev);
	R(0, 8);
	R(16, 8);
	blk_finish_plug(&fk.dev);
	drain();
	assert_int_equal(fk.nlog, 3); /* the command, then each alone */
	assert_int_equal(stats()->gap_splits, 1);
	assert_int_equal(stats()->dispatched[BLK_READ], 2);
	assert_int_equal(stats()->completed[BLK_READ], 2);
	/* A new request in a recycled slot counts again. */
	R(100, 8);
	drain();
	assert_int_equal(stats()->dispatched[BLK_READ], 3);
	assert_int_equal(blk_warn_count, warns0);
}

static void test_logical_block_size_is_checked(void **state)
{
	setup_dev("keel", 1, 0);
	assert_int_equal(fk.dev.limits.logical_block_size, SECTOR_SIZE);
	fk.dev.limits.logical_block_size = 0; /* left out: 512 */
	assert_int_equal(
		blk_dev_register(&fk.dev, fk.pool, 4, fake_clock, NULL), 0);
	assert_int_equal(fk.dev.limits.logical_block_size, SECTOR_SIZE);
	fk.dev.limits.logical_block_size = 256;
	assert_int_equal(blk_dev_register(&fk.dev, fk.pool, 4, fake_clock,
					  NULL),
			 -EINVAL);
	fk.dev.limits.logical_block_size = 3072;
	assert_int_equal(blk_dev_register(&fk.dev, fk.pool, 4, fake_clock,
					  NULL),
			 -EINVAL);
	fk.dev.limits.logical_block_size = 4096;
	assert_int_equal(
		blk_dev_register(&fk.dev, fk.pool, 4, fake_clock, NULL), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_gap_write_keeps_its_other_blocker),
		cmocka_unit_test(test_gap_writes_keep_their_order),
		cmocka_unit_test(test_gap_error_spares_good_reads),
		cmocka_unit_test(test_gap_writes_during_the_command),
		cmocka_unit_test(test_gap_failed_command_goes_again_alone),
		cmocka_unit_test(test_gap_split_hands_writes_back),
		cmocka_unit_test(test_gap_refused_command_goes_again_alone),
		cmocka_unit_test(test_gap_joins_whole_logical_blocks),
		cmocka_unit_test(test_gap_split_parts_count_once),
		cmocka_unit_test(test_logical_block_size_is_checked),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
