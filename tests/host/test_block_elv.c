// SPDX-License-Identifier: MIT
/*
 * Host tests for the keel and kyber elevators (docs/block.md), driven by the
 * fake clock and driver of block_fake.h: their dispatch orders, the rules
 * that keep anything from starving, and their tunables. Each test asserts
 * a concrete order or count.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <string.h>

#include "block_fake.h"

/* The request in flight on a depth-1 device. */
static struct request *only_inflight(void)
{
	struct request *rq = blk_tag_to_rq(&fk.dev, 0);

	assert_non_null(rq);
	return rq;
}

/* Complete the one request in flight; return the sector of the next one. */
static sector_t step(void)
{
	blk_complete_request(only_inflight(), BLK_STS_OK);
	return only_inflight()->sector;
}

/* Orders without gap reads, which would make one command of nearby reads. */
static void setup_keel_nogap(const char *elv)
{
	setup_dev(elv, 1, 0);
	if (!strcmp(elv, "keel"))
		assert_int_equal(blk_set_tunable(&fk.dev, "gap_kb", 0), 0);
}

static void test_keel_lecture_nearest_first(void **state)
{
	static const sector_t want[] = { 1, 5, 10, 18 };

	setup_keel_nogap("keel");
	blk_start_plug(&fk.dev);
	R(18, 1);
	R(5, 1);
	R(10, 1);
	R(1, 1);
	blk_finish_plug(&fk.dev);
	drain();
	expect_sectors(want, 4);
}

/* Nearest in either direction, where deadline only goes upwards. */
static void test_keel_seeks_both_ways(void **state)
{
	static const sector_t want_keel[] = { 96, 90, 120 };
	static const sector_t want_deadline[] = { 96, 120, 90 };
	const char *elv[] = { "keel", "deadline" };
	const sector_t *want[] = { want_keel, want_deadline };

	for (int e = 0; e < 2; e++) {
		setup_keel_nogap(elv[e]);
		R(96, 4); /* in flight; the head ends at 100 */
		blk_start_plug(&fk.dev);
		R(120, 8);
		R(90, 4);
		blk_finish_plug(&fk.dev);
		drain();
		expect_sectors(want[e], 3);
	}
}

/* A young read young_reach times farther than an old one still goes first. */
static void young_run(u64 reach, sector_t want_second)
{
	setup_dev("keel", 1, 0);
	assert_int_equal(blk_set_tunable(&fk.dev, "young_reach", reach), 0);
	blk_start_plug(&fk.dev);
	R(0, 8); /* in flight; the head ends at 8 */
	R(100000, 8); /* old once 50 ms have passed */
	blk_finish_plug(&fk.dev);
	fake_now = 60 * MS;
	R(500000, 8); /* young, five times farther */
	assert_int_equal(step(), want_second);
}

static void test_keel_young_reads_first(void **state)
{
	young_run(16, 500000);
	/* young_reach 1 is plain nearest-first. */
	young_run(1, 100000);
}

/*
 * However many young reads keep arriving next to the head, an expired
 * read is served within fifo_batch dispatches.
 */
static void test_keel_aging_bounds_the_wait(void **state)
{
	int n = 0;

	setup_dev("keel", 1, 0);
	assert_int_equal(blk_set_tunable(&fk.dev, "read_expire", 10), 0);
	assert_int_equal(blk_set_tunable(&fk.dev, "fifo_batch", 4), 0);
	blk_start_plug(&fk.dev);
	R(0, 8);
	R(900000, 8); /* far from everything that follows */
	blk_finish_plug(&fk.dev);
	fake_now = 20 * MS;
	for (sector_t s = 16;; s += 16) {
		R(s, 8); /* always the nearest, always young */
		n++;
		if (step() == 900000)
			break;
		assert_true(n <= 4);
		fake_now += MS / 10;
	}
	assert_true(n >= 2); /* it did wait: nearest-first holds otherwise */
	assert_true(blk_get_stats(&fk.dev)->expired >= 1);
}

/* With reads always waiting, a write goes after writes_starved batches. */
static void test_keel_writes_not_starved(void **state)
{
	int reads = 0;

	setup_dev("keel", 1, 0);
	assert_int_equal(blk_set_tunable(&fk.dev, "fifo_batch", 4), 0);
	assert_int_equal(blk_set_tunable(&fk.dev, "writes_starved", 1), 0);
	R(0, 8);
	W(500000, 8);
	for (sector_t s = 16;; s += 16) {
		R(s, 8);
		if (step() == 500000)
			break;
		reads++;
		assert_true(reads <= 4);
	}
	assert_int_equal(reads, 4);
	assert_int_equal(only_inflight()->op, REQ_OP_WRITE);
}

/*
 * A flush and the reads behind it wait for the queued writes: keel serves
 * those before a nearer read; deadline serves the read.
 */
static void test_keel_writes_first_while_flush_waits(void **state)
{
	const char *elv[] = { "keel", "deadline" };
	const sector_t second[] = { 5000, 100 };

	for (int e = 0; e < 2; e++) {
		setup_dev(elv[e], 1, BLK_FEAT_WRITE_CACHE);
		R(0, 8);
		blk_start_plug(&fk.dev);
		R(100, 8);
		W(5000, 8);
		F();
		R(200, 8); /* held behind the flush */
		blk_finish_plug(&fk.dev);
		assert_int_equal(step(), second[e]);
		drain();
		assert_int_equal(nended, 5);
	}
}

/*
 * Depth 1: a read cuts a write sweep only where it costs no more than the
 * next write (here the sweep wraps back to sector 100).
 */
static void test_keel_read_cuts_writes_where_cheap(void **state)
{
	static const sector_t want[] = { 1000, 2000, 3000, 100 };

	setup_dev("keel", 1, 0);
	W(1000, 8);
	blk_start_plug(&fk.dev);
	W(2000, 8);
	W(100, 8);
	R(3000, 8);
	blk_finish_plug(&fk.dev);
	drain();
	expect_sectors(want, 4);
}

/*
 * A drain (no read young): the reads that waited at least drain_pct % as
 * long as the oldest go first, upwards from the head and wrapping, before
 * nearer reads that waited less.
 */
static void drain_run(u64 pct, const sector_t *want)
{
	setup_keel_nogap("keel");
	assert_int_equal(blk_set_tunable(&fk.dev, "drain_pct", pct), 0);
	R(392, 8); /* in flight; the head ends at 400 */
	blk_start_plug(&fk.dev);
	R(300, 8); /* waits 115 ms by the drain: elder */
	R(700, 8);
	R(500, 8);
	blk_finish_plug(&fk.dev);
	fake_now = 60 * MS;
	R(410, 8); /* waits 55 ms: not elder (under 60 % of 115) */
	fake_now = 115 * MS; /* nothing young (50 ms) any more: a drain */
	drain();
	expect_sectors(want, 5);
}

static void test_keel_drain_serves_elder_reads_first(void **state)
{
	static const sector_t elder_first[] = { 392, 500, 700, 300, 410 };
	static const sector_t nearest[] = { 392, 410, 500, 700, 300 };

	drain_run(60, elder_first);
	/* drain_pct 0: nearest first, as before a drain. */
	drain_run(0, nearest);
}

/*
 * The elder reads of a drain are a batch: a read that turns elder while it
 * runs (here 950, elder by 200 ms) waits for the batch to end, even where
 * it is nearer than the rest of the batch.
 */
static void test_keel_drain_elder_batch(void **state)
{
	setup_keel_nogap("keel");
	R(0, 8); /* in flight; the head ends at 8 */
	blk_start_plug(&fk.dev);
	R(1000, 8);
	R(900, 8);
	blk_finish_plug(&fk.dev);
	fake_now = 45 * MS;
	R(950, 8); /* by 100 ms under 60 % of the oldest's wait: not elder */
	fake_now = 100 * MS; /* a drain: the batch is 900 and 1000 */
	blk_complete_request(only_inflight(), BLK_STS_OK);
	assert_int_equal(only_inflight()->sector, 900);
	fake_now = 200 * MS; /* 950 waited 155 of 200 ms: elder by now */
	assert_int_equal(step(), 1000);
	assert_int_equal(step(), 950);
	drain();
}

/*
 * In a drain aging waits for the elder batch, which holds the oldest read
 * (1000): with fifo_batch 2 and every read expired, the batch goes nearest
 * first; with drain_pct 0 (no batch) aging jumps to 1000 second.
 */
static void drain_aging_run(u64 pct, const sector_t *want)
{
	setup_keel_nogap("keel");
	assert_int_equal(blk_set_tunable(&fk.dev, "drain_pct", pct), 0);
	assert_int_equal(blk_set_tunable(&fk.dev, "fifo_batch", 2), 0);
	assert_int_equal(blk_set_tunable(&fk.dev, "read_expire", 10), 0);
	R(0, 8); /* in flight; the head ends at 8 */
	R(1000, 8);
	fake_now = 1 * MS;
	blk_start_plug(&fk.dev);
	R(100, 8);
	R(200, 8);
	R(300, 8);
	blk_finish_plug(&fk.dev);
	fake_now = 100 * MS; /* all expired and elder, none young */
	drain();
	expect_sectors(want, 5);
}

static void test_keel_drain_aging_waits_for_batch(void **state)
{
	static const sector_t batch[] = { 0, 100, 200, 300, 1000 };
	static const sector_t aged[] = { 0, 100, 1000, 300, 200 };

	drain_aging_run(60, batch);
	drain_aging_run(0, aged);
}

/*
 * The last two reads of a cut into a write sweep go in the order that
 * travels less, back to the next write included: from the young read at
 * 10000, 20000 then 9000 (9992 + 11008 + 8000 sectors) before 9000 then
 * 20000 (1008 + 10992 + 19000), which nearest-first would take.
 */
static void test_keel_last_two_reads_shortest_way_back(void **state)
{
	static const sector_t want[] = { 1000, 10000, 20000, 9000, 1008 };

	setup_keel_nogap("keel");
	W(1000, 8); /* in flight: the write sweep */
	blk_start_plug(&fk.dev);
	W(1008, 8);
	R(9000, 8);
	R(20000, 8);
	blk_finish_plug(&fk.dev);
	fake_now = 120 * MS; /* both old, and past the 100 ms cut */
	R(10000, 8); /* young: first */
	drain();
	expect_sectors(want, 5);
}

/* The driver's log as op and sector, @n entries. */
static void expect_ops(const u8 *ops, const sector_t *want, int n)
{
	expect_sectors(want, n);
	for (int i = 0; i < n; i++)
		assert_int_equal(fk.log[i].op, ops[i]);
}

/*
 * A read held behind a queued write (ordering rule 1) is invisible to the
 * elevator: the write it waits for stands in for it. Here the write at 100
 * sits behind the sweep's wrap, so it would go last and the read after it;
 * it goes as the read would, where the read is cheaper than the next write.
 * The second write at 100 is held behind the first when the read arrives,
 * and stands in for it once it enters.
 */
static void test_keel_write_a_read_waits_for(void **state)
{
	static const u8 ops[] = { REQ_OP_WRITE, REQ_OP_WRITE, REQ_OP_WRITE,
				  REQ_OP_READ,	REQ_OP_WRITE, REQ_OP_WRITE };
	static const sector_t one[] = { 1000, 100, 100, 3000, 5000 };
	static const sector_t two[] = { 1000, 100, 100, 100, 3000, 5000 };

	for (int held = 0; held < 2; held++) {
		setup_dev("keel", 1, 0);
		W(1000, 8); /* in flight: the write sweep */
		blk_start_plug(&fk.dev);
		W(3000, 8);
		W(5000, 8);
		W(100, 8);
		if (held)
			W(100, 8); /* waits for the first (write after write) */
		blk_finish_plug(&fk.dev);
		R(100, 8); /* waits for the writes at 100 (read after write) */
		assert_int_equal(blk_get_stats(&fk.dev)->held, 1 + held);
		drain();
		if (held) {
			expect_ops(ops, two, 6);
		} else {
			static const u8 ops1[] = { REQ_OP_WRITE, REQ_OP_WRITE,
						   REQ_OP_READ, REQ_OP_WRITE,
						   REQ_OP_WRITE };

			expect_ops(ops1, one, 5);
		}
	}
}

/*
 * The same write far ahead of the sweep: it goes, like a read, once the
 * read has waited read_expire / 5 (100 ms), not when the sweep of 20
 * writes 10 ms each reaches it. The read follows it.
 */
static void test_keel_write_a_read_waits_for_far(void **state)
{
	int at = -1;

	setup_dev("keel", 1, 0);
	W(1000, 8); /* in flight: the write sweep */
	blk_start_plug(&fk.dev);
	for (int i = 0; i < 20; i++)
		W(3000 + (sector_t)i * 1000, 8);
	W(900000, 8);
	blk_finish_plug(&fk.dev);
	R(900000, 8);
	for (int guard = 0; guard < 30 && !blk_idle(&fk.dev); guard++) {
		fake_now += 10 * MS;
		blk_complete_request(only_inflight(), BLK_STS_OK);
	}
	assert_true(blk_idle(&fk.dev));
	for (int i = 0; i < fk.nlog && at < 0; i++)
		if (fk.log[i].sector == 900000)
			at = i;
	/* Command i goes at i * 10 ms: the read has waited 100 ms. */
	assert_int_equal(at, 10);
	assert_int_equal(fk.log[at].op, REQ_OP_WRITE);
	assert_int_equal(fk.log[at + 1].op, REQ_OP_READ);
	assert_int_equal(fk.log[at + 1].sector, 900000);
}

/*
 * Each write a read waits for is as old as its own read: after a write
 * turn ends a cut with one such write left, that write goes once its read
 * has waited read_expire / 5, not at once because an older one (already
 * served) began the list. Commands take 10 ms; one read per write turn.
 */
static void test_keel_read_waits_since_its_own_read(void **state)
{
	int at = -1;

	setup_dev("keel", 1, 0);
	assert_int_equal(blk_set_tunable(&fk.dev, "fifo_batch", 1), 0);
	assert_int_equal(blk_set_tunable(&fk.dev, "writes_starved", 1), 0);
	W(1000, 8); /* in flight: the write sweep */
	blk_start_plug(&fk.dev);
	for (int i = 0; i < 30; i++)
		W(3000 + (sector_t)i * 1000, 8);
	W(800000, 8);
	W(900000, 8);
	blk_finish_plug(&fk.dev);
	R(900000, 8); /* waits from 0 ms for the write at 900000 */
	for (int guard = 0; guard < 40 && !blk_idle(&fk.dev); guard++) {
		fake_now += 10 * MS;
		if (fake_now == 60 * MS)
			R(800000, 8); /* waits from 60 ms */
		blk_complete_request(only_inflight(), BLK_STS_OK);
	}
	assert_true(blk_idle(&fk.dev));
	for (int i = 0; i < fk.nlog && at < 0; i++)
		if (fk.log[i].sector == 800000)
			at = i;
	/* Command i goes at i * 10 ms: its read has waited 100 ms. */
	assert_int_equal(at, 16);
	assert_int_equal(fk.log[at].op, REQ_OP_WRITE);
}

/*
 * Eight contiguous 64 KiB writes queued behind one in flight: the sectors
 * of the first merged write command keel dispatches, with a read seen at
 * @read_ms (or none) and the writes at @write_ms.
 */
static u32 first_merged_write(bool read, u64 read_ms, u64 write_ms)
{
	setup_dev("keel", 1, 0);
	if (read) {
		fake_now = read_ms * MS;
		R(900000, 8);
		drain();
	}
	fake_now = write_ms * MS;
	W(0, 8); /* in flight */
	blk_start_plug(&fk.dev);
	for (int i = 0; i < 8; i++)
		W(8 + (sector_t)i * 128, 128);
	blk_finish_plug(&fk.dev);
	drain();
	for (int i = 0; i < fk.nlog; i++)
		if (fk.log[i].op == REQ_OP_WRITE && fk.log[i].sector == 8)
			return fk.log[i].nr_sectors;
	fail_msg("no write at sector 8");
	return 0;
}

/* While reads come, writes merge only up to write_cmd_kb (128 KiB). */
static void test_keel_write_cmd_cap(void **state)
{
	assert_int_equal(first_merged_write(false, 0, 0), 1024);
	assert_int_equal(first_merged_write(true, 0, 100), 256);
	assert_int_equal(first_merged_write(true, 0, 500), 256);
	/* No read for longer than read_expire: whole merges again. */
	assert_int_equal(first_merged_write(true, 0, 501), 1024);
	assert_int_equal(first_merged_write(true, 1000, 1200), 256);
}

/* write_cmd_kb=0 turns the cap off; 64 caps at one 64 KiB write. */
static void test_keel_write_cmd_tunable(void **state)
{
	u64 v;

	setup_dev("keel", 1, 0);
	assert_int_equal(blk_get_tunable(&fk.dev, "write_cmd_kb", &v), 0);
	assert_int_equal(v, 128);
	R(900000, 8);
	drain();
	assert_int_equal(blk_set_tunable(&fk.dev, "write_cmd_kb", 0), 0);
	W(0, 8);
	blk_start_plug(&fk.dev);
	for (int i = 0; i < 8; i++)
		W(8 + (sector_t)i * 128, 128);
	blk_finish_plug(&fk.dev);
	drain();
	assert_int_equal(fk.log[2].sector, 8);
	assert_int_equal(fk.log[2].nr_sectors, 1024);
}

static void test_keel_tunables(void **state)
{
	u64 v;

	setup_dev("keel", 1, 0);
	assert_int_equal(blk_get_tunable(&fk.dev, "read_expire", &v), 0);
	assert_int_equal(v, 500);
	assert_int_equal(blk_get_tunable(&fk.dev, "young_ms", &v), 0);
	assert_int_equal(v, 50);
	assert_int_equal(blk_get_tunable(&fk.dev, "young_reach", &v), 0);
	assert_int_equal(v, 32);
	assert_int_equal(blk_get_tunable(&fk.dev, "gap_kb", &v), 0);
	assert_int_equal(v, 512);
	assert_int_equal(blk_get_tunable(&fk.dev, "drain_pct", &v), 0);
	assert_int_equal(v, 60);
	assert_int_equal(blk_set_tunable(&fk.dev, "drain_pct", 101), -ERANGE);
	assert_int_equal(blk_set_tunable(&fk.dev, "gap_kb", 1025), -ERANGE);
	assert_int_equal(blk_set_tunable(&fk.dev, "young_reach", 0), -ERANGE);
	assert_int_equal(blk_set_tunable(&fk.dev, "fifo_batch", 0), -ERANGE);
	assert_int_equal(blk_set_tunable(&fk.dev, "front_merges", 2), -EINVAL);
	assert_int_equal(blk_set_tunable(&fk.dev, "bogus", 1), -ENOENT);
	assert_int_equal(blk_set_tunable(&fk.dev, "write_expire", 7), 0);
	assert_int_equal(blk_get_tunable(&fk.dev, "write_expire", &v), 0);
	assert_int_equal(v, 7);
	/* young_ms splits the FIFO; it cannot move under queued young reads. */
	R(0, 8);
	R(100, 8);
	assert_int_equal(blk_set_tunable(&fk.dev, "young_ms", 10), -EBUSY);
	drain();
	assert_int_equal(blk_set_tunable(&fk.dev, "young_ms", 10), 0);
	/* Switching elevators resets them. */
	assert_int_equal(blk_set_elevator(&fk.dev, "keel"), 0);
	assert_int_equal(blk_get_tunable(&fk.dev, "young_ms", &v), 0);
	assert_int_equal(v, 50);
}

/* Kyber: FIFO per class, no sorting; reads take the first turn. */
static void test_kyber_fifo_per_class(void **state)
{
	static const sector_t want[] = { 50, 10, 100, 5 };

	setup_dev("kyber", 1, 0);
	blk_start_plug(&fk.dev);
	W(100, 8);
	R(50, 8);
	R(10, 8);
	W(5, 1);
	blk_finish_plug(&fk.dev);
	drain();
	expect_sectors(want, 4);
}

/* Classes take turns: a write goes after at most 16 reads (Linux's batch). */
static void test_kyber_writes_not_starved(void **state)
{
	int reads = 0;

	setup_dev("kyber", 1, 0);
	blk_start_plug(&fk.dev);
	R(0, 8);
	W(500000, 8);
	for (sector_t s = 16; s < 16 * 40; s += 16)
		R(s, 8);
	blk_finish_plug(&fk.dev);
	while (step() != 500000)
		reads++;
	assert_int_equal(reads, 15);
}

static int inflight_writes(void)
{
	int n = 0;

	for (int t = 0; t < BLK_MAX_DEPTH; t++) {
		struct request *rq = blk_tag_to_rq(&fk.dev, t);

		n += rq && rq->op == REQ_OP_WRITE;
	}
	return n;
}

/* Late reads halve the write limit; the device then holds fewer writes. */
static void test_kyber_late_reads_throttle_writes(void **state)
{
	u64 v;

	setup_dev("kyber", 8, 0);
	assert_int_equal(blk_set_tunable(&fk.dev, "read_lat_nsec", MS), 0);
	blk_start_plug(&fk.dev);
	for (int i = 0; i < 8; i++)
		W(10000 * (u64)(i + 1), 8);
	blk_finish_plug(&fk.dev);
	assert_int_equal(inflight_writes(), 8);
	assert_int_equal(blk_get_tunable(&fk.dev, "write_depth", &v), 0);
	assert_int_equal(v, 8);
	drain();
	/* Reads that take 2 ms against a 1 ms target, past a 5 ms window. */
	for (int i = 0; i < 3; i++) {
		R(100 * (u64)i, 8);
		fake_now += 3 * MS;
		drain();
	}
	assert_int_equal(blk_get_tunable(&fk.dev, "write_depth", &v), 0);
	assert_int_equal(v, 4);
	blk_start_plug(&fk.dev);
	for (int i = 0; i < 8; i++)
		W(20000 * (u64)(i + 1), 8);
	blk_finish_plug(&fk.dev);
	assert_int_equal(inflight_writes(), 4);
	drain();
	assert_int_equal(nended, 19);
}

static void test_kyber_tunables(void **state)
{
	u64 v;

	setup_dev("kyber", 4, 0);
	assert_int_equal(blk_get_tunable(&fk.dev, "read_lat_nsec", &v), 0);
	assert_int_equal(v, 2000000);
	assert_int_equal(blk_get_tunable(&fk.dev, "write_lat_nsec", &v), 0);
	assert_int_equal(v, 10000000);
	assert_int_equal(blk_set_tunable(&fk.dev, "read_lat_nsec", 0), -ERANGE);
	assert_int_equal(blk_set_tunable(&fk.dev, "write_depth", 1), -ENOENT);
	assert_int_equal(blk_set_tunable(&fk.dev, "fifo_batch", 1), -ENOENT);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_keel_lecture_nearest_first),
		cmocka_unit_test(test_keel_seeks_both_ways),
		cmocka_unit_test(test_keel_young_reads_first),
		cmocka_unit_test(test_keel_aging_bounds_the_wait),
		cmocka_unit_test(test_keel_writes_not_starved),
		cmocka_unit_test(test_keel_writes_first_while_flush_waits),
		cmocka_unit_test(test_keel_read_cuts_writes_where_cheap),
		cmocka_unit_test(test_keel_write_a_read_waits_for),
		cmocka_unit_test(test_keel_write_a_read_waits_for_far),
		cmocka_unit_test(test_keel_read_waits_since_its_own_read),
		cmocka_unit_test(test_keel_drain_serves_elder_reads_first),
		cmocka_unit_test(test_keel_drain_elder_batch),
		cmocka_unit_test(test_keel_drain_aging_waits_for_batch),
		cmocka_unit_test(test_keel_tunables),
		cmocka_unit_test(test_keel_last_two_reads_shortest_way_back),
		cmocka_unit_test(test_keel_write_cmd_cap),
		cmocka_unit_test(test_keel_write_cmd_tunable),
		cmocka_unit_test(test_kyber_fifo_per_class),
		cmocka_unit_test(test_kyber_writes_not_starved),
		cmocka_unit_test(test_kyber_late_reads_throttle_writes),
		cmocka_unit_test(test_kyber_tunables),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
