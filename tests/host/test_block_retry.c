// SPDX-License-Identifier: MIT
/*
 * Host tests for the retries of failed merged requests (block/blk-retry.c,
 * docs/block.md "Errors"): on a disk that fails one sector, a request made
 * of several bios that fails sends each bio again alone, once, and only
 * the bio covering the bad sector fails; the ordering rules hold while the
 * retries run. None of them may make the queue warn.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <string.h>

#include "block_fake.h"

static u64 warns0;

static void setup(const char *elv, u32 features)
{
	setup_dev(elv, 4, features);
	warns0 = blk_warn_count;
}

static const struct blk_stats *stats(void)
{
	return blk_get_stats(&fk.dev);
}

/* Index in the driver's log of the first command at @s of @op, or -1. */
static int sent_at(sector_t s, u8 op, u32 n)
{
	for (int i = 0; i < fk.nlog; i++)
		if (fk.log[i].sector == s && fk.log[i].op == op &&
		    fk.log[i].nr_sectors == n)
			return i;
	return -1;
}

/* Position of bio @i in the order of ends, or -1. */
static int end_pos(int i)
{
	for (int k = 0; k < nended; k++)
		if (ended[k] == i)
			return k;
	return -1;
}

static void test_merged_read_fails_only_the_bad_bio(void **state)
{
	static const sector_t want[4] = { 0, 0, 8, 16 };

	setup("none", 0);
	fk.bad = 10;
	blk_start_plug(&fk.dev);
	int a = R(0, 8);
	int b = R(8, 8);
	int c = R(16, 8);

	blk_finish_plug(&fk.dev);
	assert_int_equal(fk.nlog, 1);
	assert_int_equal(fk.log[0].nr_sectors, 24);
	assert_true(complete_next_bad());
	/* Nothing ends yet: the first bio goes again, alone. */
	assert_int_equal(nended, 0);
	assert_int_equal(fk.nlog, 2);
	assert_int_equal(fk.log[1].nr_sectors, 8);
	drain_bad();
	expect_sectors(want, 4);
	for (int i = 1; i < 4; i++)
		assert_int_equal(fk.log[i].nr_sectors, 8);
	assert_int_equal(nended, 3);
	assert_int_equal(ended_sts[a], BLK_STS_OK);
	assert_int_equal(ended_sts[b], BLK_STS_MEDIUM);
	assert_int_equal(ended_sts[c], BLK_STS_OK);
	assert_int_equal(stats()->errors, 1);
	assert_int_equal(stats()->bio_retries, 3);
	/* One request, dispatched and completed once. */
	assert_int_equal(stats()->dispatched[BLK_READ], 1);
	assert_int_equal(stats()->completed[BLK_READ], 1);
	assert_int_equal(blk_warn_count, warns0);
}

/*
 * An error a bio already holds stays: a split piece of the same bio (as
 * virtio-blk splits a large guest request) failed, and the rest of it is
 * in a merged command that fails over another bio and goes again alone,
 * successfully. The guest's request must still end with the error.
 */
static void test_retry_keeps_an_earlier_error(void **state)
{
	static struct bio child;
	struct bio *p;
	int pi, q;

	setup("none", 0);
	p = mk(REQ_OP_READ, 0, 16, 0);
	pi = (int)(p - bios);
	assert_int_equal(bio_split(p, 8, &child), 0); /* child [0,8) */
	assert_int_equal(blk_submit_bio(&child), 0);
	blk_complete_request(inflight_at(0, REQ_OP_READ), BLK_STS_MEDIUM);
	assert_int_equal(p->bi_status, BLK_STS_MEDIUM);
	blk_start_plug(&fk.dev);
	assert_int_equal(blk_submit_bio(p), 0); /* [8,16) */
	q = R(16, 8);
	blk_finish_plug(&fk.dev);
	fk.bad = 20;
	drain_bad();
	assert_int_equal(stats()->bio_retries, 2);
	assert_int_equal(ended_sts[q], BLK_STS_MEDIUM);
	assert_int_equal(ended_sts[pi], BLK_STS_MEDIUM);
}

/* RAM disk: the good writes reach the disk, the bad one nothing. */
static void test_merged_write_keeps_the_good_data(void **state)
{
	static u8 disk[64 * SECTOR_SIZE];
	static u8 buf[3][4096];
	static struct request pool[8];
	struct ramdisk rd;

	memset(disk, 0, sizeof(disk));
	assert_int_equal(ramdisk_init(&rd, "ret0", disk, sizeof(disk), 4, pool,
				      8, fake_clock, NULL),
			 0);
	rd.fail_sector = 20;
	nbios = nended = 0;
	blk_start_plug(&rd.dev);
	for (int i = 0; i < 3; i++) {
		struct bio *w = &bios[nbios++];

		memset(buf[i], 0x11 * (i + 1), sizeof(buf[i]));
		bio_init(w, &rd.dev, REQ_OP_WRITE, 0, &vecs[i], 1);
		w->bi_iter.bi_sector = 8 + 8 * (sector_t)i;
		bio_add_page(w, (phys_addr_t)(uintptr_t)buf[i], 4096, 0);
		w->bi_end_io = end_bio;
		assert_int_equal(blk_submit_bio(w), 0);
	}
	blk_finish_plug(&rd.dev);
	assert_int_equal(blk_get_stats(&rd.dev)->back_merges, 2);
	for (int guard = 0; guard < 100 && !blk_idle(&rd.dev); guard++)
		blk_poll(&rd.dev);
	assert_true(blk_idle(&rd.dev));
	assert_int_equal(nended, 3);
	assert_int_equal(ended_sts[0], BLK_STS_OK);
	assert_int_equal(ended_sts[1], BLK_STS_IOERR);
	assert_int_equal(ended_sts[2], BLK_STS_OK);
	assert_memory_equal(disk + 8 * SECTOR_SIZE, buf[0], 4096);
	assert_memory_equal(disk + 24 * SECTOR_SIZE, buf[2], 4096);
	for (u32 i = 16 * SECTOR_SIZE; i < 24 * SECTOR_SIZE; i++)
		assert_int_equal(disk[i], 0);
	assert_int_equal(blk_get_stats(&rd.dev)->bio_retries, 3);
	assert_int_equal(blk_get_stats(&rd.dev)->errors, 1);
}

/*
 * An overlapping write and a flush queued behind the failed merged write
 * wait until every retry ended; the flush ends last.
 */
static void test_retries_keep_their_place(void **state)
{
	setup("none", BLK_FEAT_WRITE_CACHE);
	fk.bad = 12;
	blk_start_plug(&fk.dev);
	int a = W(0, 8);
	int b = W(8, 8);

	blk_finish_plug(&fk.dev);
	int c = W(8, 4); /* overlaps b: held */
	int f = F(); /* waits for every write */

	assert_int_equal(fk.nlog, 1);
	assert_true(complete_next_bad());
	assert_int_equal(fk.nlog, 2);
	assert_int_equal(sent_at(0, REQ_OP_WRITE, 8), 1);
	done(0, REQ_OP_WRITE);
	/* a's retry ended well, but a ends with its request. */
	assert_int_equal(nended, 0);
	assert_int_equal(fk.nlog, 3);
	assert_int_equal(sent_at(8, REQ_OP_WRITE, 8), 2);
	assert_int_equal(sent_at(8, REQ_OP_WRITE, 4), -1);
	assert_int_equal(sent_at(0, REQ_OP_FLUSH, 0), -1);
	assert_true(complete_next_bad());
	/* The request retired: c goes, the flush still waits for it. */
	assert_int_equal(nended, 2);
	assert_int_equal(ended_sts[a], BLK_STS_OK);
	assert_int_equal(ended_sts[b], BLK_STS_MEDIUM);
	assert_int_equal(sent_at(8, REQ_OP_WRITE, 4), 3);
	assert_int_equal(sent_at(0, REQ_OP_FLUSH, 0), -1);
	drain_bad();
	assert_int_equal(sent_at(0, REQ_OP_FLUSH, 0), 4);
	assert_int_equal(nended, 4);
	assert_int_equal(ended_sts[c], BLK_STS_OK);
	assert_int_equal(ended[2], c);
	assert_int_equal(ended[3], f);
	assert_int_equal(blk_warn_count, warns0);
}

/*
 * Bios submitted while the retries run: one overlapping the failed
 * request waits for all of them, one just after it does not merge into it
 * and does not wait, one elsewhere goes at once.
 */
static void test_arrivals_during_retries(void **state)
{
	setup("deadline", 0);
	fk.bad = 3;
	blk_start_plug(&fk.dev);
	int a = W(0, 8);
	int b = W(8, 8);

	blk_finish_plug(&fk.dev);
	assert_int_equal(stats()->back_merges, 1);
	assert_true(complete_next_bad());
	int c = W(12, 4);
	int e = W(16, 8);
	int r = R(100, 8);

	assert_int_equal(stats()->back_merges, 1);
	assert_int_equal(sent_at(12, REQ_OP_WRITE, 4), -1);
	assert_true(sent_at(16, REQ_OP_WRITE, 8) > 0);
	assert_true(sent_at(100, REQ_OP_READ, 8) > 0);
	drain_bad();
	assert_true(sent_at(12, REQ_OP_WRITE, 4) > sent_at(8, REQ_OP_WRITE, 8));
	assert_true(end_pos(c) > end_pos(b));
	assert_int_equal(ended_sts[a], BLK_STS_MEDIUM);
	assert_int_equal(ended_sts[b], BLK_STS_OK);
	assert_int_equal(ended_sts[c], BLK_STS_OK);
	assert_int_equal(ended_sts[e], BLK_STS_OK);
	assert_int_equal(ended_sts[r], BLK_STS_OK);
	assert_int_equal(nended, 5);
	assert_int_equal(blk_warn_count, warns0);
}

/*
 * Each bio goes again once: one that fails alone ends with its own error
 * and never comes back; a request of one bio is never retried. A busy
 * driver gets the retry again later.
 */
static void test_each_bio_retried_once(void **state)
{
	setup("none", 0);
	blk_start_plug(&fk.dev);
	int a = R(0, 8);
	int b = R(8, 8);

	blk_finish_plug(&fk.dev);
	fk.busy = true;
	blk_complete_request(inflight_at(0, REQ_OP_READ), BLK_STS_MEDIUM);
	assert_int_equal(fk.nlog, 1);
	fk.busy = false;
	blk_run_queue(&fk.dev);
	assert_int_equal(fk.nlog, 2);
	blk_complete_request(inflight_at(0, REQ_OP_READ), BLK_STS_MEDIUM);
	blk_complete_request(inflight_at(8, REQ_OP_READ), BLK_STS_IOERR);
	assert_int_equal(fk.nlog, 3);
	assert_int_equal(nended, 2);
	assert_int_equal(ended_sts[a], BLK_STS_MEDIUM);
	assert_int_equal(ended_sts[b], BLK_STS_IOERR);
	assert_true(blk_idle(&fk.dev));
	assert_int_equal(stats()->bio_retries, 2);
	assert_int_equal(stats()->errors, 2);

	int c = R(32, 8);

	blk_complete_request(inflight_at(32, REQ_OP_READ), BLK_STS_MEDIUM);
	assert_int_equal(fk.nlog, 4);
	assert_int_equal(ended_sts[c], BLK_STS_MEDIUM);
	assert_true(blk_idle(&fk.dev));
	assert_int_equal(stats()->bio_retries, 2);
	assert_int_equal(blk_warn_count, warns0);
}

/* A device that is gone, or does not answer, fails every bio at once. */
static void test_no_retry_when_the_device_is_gone(void **state)
{
	static const blk_status_t sts[2] = { BLK_STS_OFFLINE, BLK_STS_TIMEOUT };

	for (int k = 0; k < 2; k++) {
		setup("none", 0);
		blk_start_plug(&fk.dev);
		R(0, 8);
		R(8, 8);
		blk_finish_plug(&fk.dev);
		blk_complete_request(inflight_at(0, REQ_OP_READ), sts[k]);
		assert_int_equal(fk.nlog, 1);
		assert_int_equal(nended, 2);
		assert_int_equal(ended_sts[0], sts[k]);
		assert_int_equal(ended_sts[1], sts[k]);
		assert_true(blk_idle(&fk.dev));
		assert_int_equal(stats()->bio_retries, 0);
	}
}

/* Two failed requests: their bios go one at a time, oldest first. */
static void test_two_failed_requests_take_turns(void **state)
{
	static const sector_t want[6] = { 0, 100, 0, 8, 100, 108 };

	setup("none", 0);
	fk.bad = 108;
	blk_start_plug(&fk.dev);
	R(0, 8);
	R(8, 8);
	R(100, 8);
	R(108, 8);
	blk_finish_plug(&fk.dev);
	assert_int_equal(fk.nlog, 2);
	blk_complete_request(inflight_at(0, REQ_OP_READ), BLK_STS_IOERR);
	blk_complete_request(inflight_at(100, REQ_OP_READ), BLK_STS_MEDIUM);
	assert_int_equal(fk.nlog, 3);
	assert_int_equal(fk.dev.q.inflight, 1);
	drain_bad();
	expect_sectors(want, 6);
	assert_int_equal(nended, 4);
	for (int i = 0; i < 3; i++)
		assert_int_equal(ended_sts[i], BLK_STS_OK);
	assert_int_equal(ended_sts[3], BLK_STS_MEDIUM);
	/* Each request ends once its own bios all went again. */
	assert_int_equal(ended[0], 0);
	assert_int_equal(ended[1], 1);
	assert_int_equal(blk_warn_count, warns0);
}

/*
 * A failed gap read goes again request by request; a request of two bios
 * that then fails goes again bio by bio.
 */
static void test_gap_part_of_two_bios(void **state)
{
	setup("keel", 0);
	assert_int_equal(blk_set_tunable(&fk.dev, "gap_kb", 64), 0);
	fk.bad = 9;
	blk_start_plug(&fk.dev);
	R(0, 8);
	R(8, 8);
	R(24, 8);
	blk_finish_plug(&fk.dev);
	assert_int_equal(fk.nlog, 1);
	assert_int_equal(fk.log[0].nr_sectors, 32);
	drain_bad();
	assert_int_equal(stats()->gap_splits, 1);
	assert_int_equal(stats()->bio_retries, 2);
	assert_int_equal(nended, 3);
	assert_int_equal(ended_sts[0], BLK_STS_OK);
	assert_int_equal(ended_sts[1], BLK_STS_MEDIUM);
	assert_int_equal(ended_sts[2], BLK_STS_OK);
	assert_int_equal(blk_warn_count, warns0);
}

/*
 * A driver that refuses, at submit, every command over the bad sector:
 * the failures come back inside the dispatch loop, the retries too.
 */
static blk_status_t refuse_bad(struct blk_dev *dev, struct request *rq)
{
	blk_status_t sts = fake_submit(dev, rq);

	if (sts || rq->op == REQ_OP_FLUSH)
		return sts;
	return fk.bad - rq->sector < rq->nr_sectors ? BLK_STS_IOERR :
						      BLK_STS_OK;
}

static void test_refused_at_submit(void **state)
{
	static const struct blk_dev_ops ops = { .submit = refuse_bad };
	static const sector_t want[4] = { 0, 0, 8, 16 };

	setup("none", 0);
	fk.dev.ops = &ops;
	fk.bad = 20;
	blk_start_plug(&fk.dev);
	R(0, 8);
	R(8, 8);
	R(16, 8);
	blk_finish_plug(&fk.dev);
	/* Refused inside the dispatch loop, which then sent the first bio. */
	assert_int_equal(fk.nlog, 2);
	assert_int_equal(nended, 0);
	drain();
	expect_sectors(want, 4);
	assert_int_equal(nended, 3);
	assert_int_equal(ended_sts[0], BLK_STS_OK);
	assert_int_equal(ended_sts[1], BLK_STS_OK);
	assert_int_equal(ended_sts[2], BLK_STS_IOERR);
	assert_int_equal(stats()->dispatched[BLK_READ], 1);
	assert_int_equal(blk_warn_count, warns0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_merged_read_fails_only_the_bad_bio),
		cmocka_unit_test(test_merged_write_keeps_the_good_data),
		cmocka_unit_test(test_retries_keep_their_place),
		cmocka_unit_test(test_arrivals_during_retries),
		cmocka_unit_test(test_each_bio_retried_once),
		cmocka_unit_test(test_no_retry_when_the_device_is_gone),
		cmocka_unit_test(test_two_failed_requests_take_turns),
		cmocka_unit_test(test_gap_part_of_two_bios),
		cmocka_unit_test(test_refused_at_submit),
		cmocka_unit_test(test_retry_keeps_an_earlier_error),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
