// SPDX-License-Identifier: MIT
/*
 * Randomized replay through every elevator (none, deadline, kyber, keel):
 * generated traces of reads, writes, flushes and FUA writes go through the
 * real queue against a fake driver that completes its commands in random
 * order. Checked on every run: each bio ends exactly once and OK, the
 * queue drains, the ordering rules of docs/block.md hold (conflicting
 * requests, flushes), keel's gap reads never read over a write that is
 * outstanding, and, on traces without conflicts, no request waits more
 * than a bound set by the aging rules (no starvation). Traces of reads and
 * writes packed close together, without flushes, make keel join reads
 * next to held writes; there the driver also fails half the joined
 * commands, which must then go again request by request. Then the driver
 * fails half the merged requests, whose bios must go again one by one
 * (block/blk-retry.c) without breaking any rule. The queue must never
 * warn (blk_warn: a broken blocker count).
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <stdlib.h>
#include <string.h>

#include "block/blk.h"

#define NB 400
#define STEP_NS 100000ULL /* fake time per step: 0.1 ms */

struct rec {
	u8 op;
	u16 flags;
	sector_t s;
	u32 n;
	long sub_ev; /* event numbers: submission, first dispatch, end */
	long disp_ev;
	long end_ev;
	int ends;
	blk_status_t sts;
};

static struct blk_dev dev;
static struct request pool[NB];
static struct bio bios[NB];
static struct bio_vec vecs[NB];
static struct rec rec[NB];
static int nrec;
static u64 now;
static long ev; /* events so far: each submit, dispatch and end is one */
static bool fail_joined; /* complete half the gap reads with an error */
static bool fail_merged; /* and half the requests of several bios */

static u64 clk(void *ctx)
{
	return now;
}

static bool overlap(const struct rec *a, const struct rec *b);

/*
 * A gap read reads the sectors between its requests too: no write that
 * is outstanding (submitted, not ended) may overlap them. Counts gaps.
 */
static long gaps_seen;

static void check_gaps(const struct request *rq)
{
	u32 lbs = dev.limits.logical_block_size / SECTOR_SIZE;

	/* Every request of a gap read lies on whole logical blocks. */
	for (const struct request *p = rq; rq->cmd_next && p; p = p->cmd_next)
		assert_true(p->sector % lbs == 0 &&
			    bio_end_sector(p->biotail) % lbs == 0);
	for (const struct request *p = rq; p->cmd_next; p = p->cmd_next) {
		const struct request *n = p->cmd_next;
		/* A part's bios end it; the head's nr_sectors is the span. */
		sector_t end = bio_end_sector(p->biotail);
		struct rec gap = { .s = end, .n = (u32)(n->sector - end) };

		assert_true(n->op == REQ_OP_READ && n->sector >= end);
		gaps_seen++;
		for (int i = 0; gap.n && i < nrec; i++)
			assert_false(op_is_write(rec[i].op) && !rec[i].ends &&
				     overlap(&rec[i], &gap));
	}
}

static blk_status_t drv_submit(struct blk_dev *d, struct request *rq)
{
	if (rq->op == REQ_OP_READ)
		check_gaps(rq);
	/* Every request of a gap read goes out with it. */
	for (struct request *p = rq; p; p = p->cmd_next)
		for (struct bio *b = p->bio; b; b = b->bi_next) {
			struct rec *r = &rec[b - bios];

			if (r->disp_ev < 0)
				r->disp_ev = ++ev;
		}
	return BLK_STS_OK;
}

static const struct blk_dev_ops drv_ops = { .submit = drv_submit };

static void end_io(struct bio *b)
{
	struct rec *r = &rec[b - bios];

	r->ends++;
	r->end_ev = ++ev;
	r->sts = b->bi_status;
}

static void setup(const char *elv, u32 depth, u32 features)
{
	memset(&dev, 0, sizeof(dev));
	dev.name = "replay";
	dev.capacity = 1 << 24;
	dev.ops = &drv_ops;
	dev.queue_depth = depth;
	blk_limits_default(&dev.limits);
	dev.limits.features = features;
	now = 0;
	assert_int_equal(blk_dev_register(&dev, pool, NB, clk, NULL), 0);
	assert_int_equal(blk_set_elevator(&dev, elv), 0);
	nrec = 0;
	ev = 0;
	fail_joined = false;
	fail_merged = false;
}

/* Complete one random command in flight; false if none. */
static bool complete_one(void)
{
	int tags[BLK_MAX_DEPTH], n = 0;
	struct request *rq;

	for (u32 t = 0; t < dev.queue_depth; t++)
		if (blk_tag_to_rq(&dev, (int)t))
			tags[n++] = (int)t;
	if (!n)
		return false;
	rq = blk_tag_to_rq(&dev, tags[rand() % n]);
	if (fail_joined && rq->cmd_next && rand() % 2)
		blk_complete_request(rq, BLK_STS_MEDIUM);
	else if (fail_merged && rq->bio != rq->biotail && rand() % 2)
		blk_complete_request(rq, BLK_STS_IOERR);
	else
		blk_complete_request(rq, BLK_STS_OK);
	return true;
}

static void submit(u8 op, u16 flags, sector_t s, u32 n)
{
	struct rec *r = &rec[nrec];
	struct bio *b = &bios[nrec];
	u32 lbs = dev.limits.logical_block_size / SECTOR_SIZE;

	*r = (struct rec){ op, flags, s, n, ++ev, -1, -1, 0, 0 };
	bio_init(b, &dev, op, flags, &vecs[nrec], 1);
	b->bi_iter.bi_sector = s;
	if (n)
		assert_int_equal(bio_add_page(b, 0x100000, n * SECTOR_SIZE, 0),
				 0);
	b->bi_end_io = end_io;
	/* Not whole logical blocks: refused, and its slot used again. */
	if (s % lbs || n % lbs) {
		assert_int_equal(blk_submit_bio(b), -EINVAL);
		return;
	}
	nrec++;
	assert_int_equal(blk_submit_bio(b), 0);
}

/*
 * The gap trees (block/blk-gap.c) hold exactly the queued reads that may
 * join, each tree in its order, whatever merges and joins did meanwhile.
 */
static bool start_order(const struct request *a, const struct request *b)
{
	return a->sector < b->sector ||
	       (a->sector == b->sector && a->ot_stamp > b->ot_stamp);
}

static bool end_order(const struct request *a, const struct request *b)
{
	sector_t ea = a->sector + a->nr_sectors, eb = b->sector + b->nr_sectors;
	sector_t ra = a->sector >> dev.q.ot_shift;
	sector_t rb = b->sector >> dev.q.ot_shift;

	return ea < eb ||
	       (ea == eb &&
		(ra > rb || (ra == rb && a->ot_stamp < b->ot_stamp)));
}

/* Whether @rq sits in the tree under @root, found by its keys' order. */
static bool in_tree(const struct rb_root *root, const struct request *rq,
		    size_t off)
{
	for (struct rb_node *x = rb_first(root); x; x = rb_next(x))
		if ((const char *)x - off == (const char *)rq)
			return true;
	return false;
}

/* Each tree is a valid red-black tree in its order; returns its size. */
static u32 check_tree(const struct rb_root *root, size_t off, bool by_end)
{
	const struct request *prev = NULL;
	u32 n = 0;

	assert_true(rb_check(root) >= 0);
	for (struct rb_node *x = rb_first(root); x; x = rb_next(x), n++) {
		const struct request *r =
			(const struct request *)((const char *)x - off);

		assert_true(r->rq_flags & RQF_GAP_TREE);
		assert_true(!prev || (by_end ? end_order(prev, r) :
					       start_order(prev, r)));
		prev = r;
	}
	return n;
}

static void check_gap_trees(void)
{
	u32 lbs = dev.limits.logical_block_size / SECTOR_SIZE, want = 0;
	u32 n[2] = { 0, 0 };

	if (!dev.q.elv->gap_sectors)
		return;
	for (int i = 0; i < NB; i++) {
		struct request *r = &pool[i];
		bool may = r->state == RQ_QUEUED && r->op == REQ_OP_READ &&
			   !(r->flags & REQ_FUA) && r->sector % lbs == 0 &&
			   r->nr_sectors % lbs == 0;

		assert_int_equal(may, !!(r->rq_flags & RQF_GAP_TREE));
		want += may;
		/* In the trees its keys hash to, under its current keys. */
		if (may) {
			assert_true(
				in_tree(blk_gap_root(&dev.q, 0, r->sector), r,
					offsetof(struct request, gap_start)));
			assert_true(
				in_tree(blk_gap_root(&dev.q, 1,
						     r->sector + r->nr_sectors),
					r, offsetof(struct request, gap_end)));
		}
		n[0] += check_tree(&pool[i].gap_root[0],
				   offsetof(struct request, gap_start), false);
		n[1] += check_tree(&pool[i].gap_root[1],
				   offsetof(struct request, gap_end), true);
	}
	assert_int_equal(n[0], want);
	assert_int_equal(n[1], want);
}

enum trace {
	DISTINCT, /* reads and writes on distinct sectors */
	CONFLICTS, /* a small span, with flushes and FUA */
	PACKED, /* reads and writes in 128 KiB, nothing else: gap reads */
};

/*
 * PACKED: 8-sector slots 16 sectors apart, never a write between them, so
 * keel joins reads across the gaps; within a slot reads and writes
 * overlap, a write waits for the reads and writes before it.
 */
static void packed(u8 op)
{
	sector_t s = (sector_t)(rand() % 16) * 16;
	u32 off = (u32)(rand() % 2) * 4;

	submit(op, 0, s + off, off ? 4 : 4 * (u32)(1 + rand() % 2));
}

/*
 * Replay @count random bios: each step submits with probability 3/5 and
 * completes one command with probability 4/5, so queues build up and
 * drain; then complete everything.
 */
static void replay(unsigned seed, int count, enum trace trace)
{
	bool conflicts = trace != DISTINCT;
	/*
	 * Slots far apart, or (odd seeds) 7 slots apart, near enough for
	 * keel's gap reads to join neighbours: 104 sectors between them.
	 */
	u32 stride = seed % 2 ? 7 : 1031;

	srand(seed);
	while (nrec < count) {
		now += STEP_NS;
		if (rand() % 5 < 3) {
			int k = rand() % 100;
			u8 op = k < 50 ? REQ_OP_READ :
				k < 92 ? REQ_OP_WRITE :
					 REQ_OP_FLUSH;
			u16 fl = op == REQ_OP_WRITE && k >= 88 ? REQ_FUA : 0;

			if (trace != CONFLICTS && op == REQ_OP_FLUSH)
				op = REQ_OP_READ;
			if (trace == PACKED)
				fl = 0;
			if (op == REQ_OP_FLUSH)
				submit(op, 0, 0, 0);
			else if (trace == PACKED)
				packed(op);
			else if (conflicts)
				submit(op, fl, (sector_t)(rand() % 64) * 8,
				       8 * (u32)(1 + rand() % 4));
			else /* 16-sector slots, one bio each: no overlap */
				submit(op, 0, (sector_t)nrec * stride % NB * 16,
				       8);
		}
		/* PACKED: completions slower than submissions, queues grow. */
		if (rand() % 5 < (trace == PACKED ? 2 : 4))
			complete_one();
		check_gap_trees();
	}
	for (int guard = 0; guard < 10 * NB && complete_one(); guard++)
		now += STEP_NS;
	assert_true(blk_idle(&dev));
}

static bool overlap(const struct rec *a, const struct rec *b)
{
	if (!a->n || !b->n)
		return false;
	return a->s < b->s + b->n && b->s < a->s + a->n;
}

static void check_exactly_once(void)
{
	for (int i = 0; i < nrec; i++) {
		assert_int_equal(rec[i].ends, 1);
		assert_int_equal(rec[i].sts, BLK_STS_OK);
		assert_true(rec[i].end_ev > rec[i].sub_ev);
	}
}

/* docs/block.md rules 1-3, on event order. */
static void check_ordering(void)
{
	for (int i = 0; i < nrec; i++) {
		const struct rec *a = &rec[i];

		for (int j = i + 1; j < nrec; j++) {
			const struct rec *b = &rec[j];

			if (a->op != REQ_OP_FLUSH && b->op != REQ_OP_FLUSH &&
			    (op_is_write(a->op) || op_is_write(b->op)) &&
			    overlap(a, b))
				assert_true(b->disp_ev > a->end_ev);
			if (op_is_write(a->op) && b->op == REQ_OP_FLUSH)
				assert_true(b->end_ev > a->end_ev);
			if (a->op == REQ_OP_FLUSH && b->disp_ev >= 0)
				assert_true(b->disp_ev > a->end_ev);
			if (a->op == REQ_OP_FLUSH)
				assert_true(b->end_ev > a->end_ev);
		}
	}
}

/*
 * Without conflicts nothing is held, so the wait is the elevator's: in
 * dispatches, at most 16 per request outstanding (fifo_batch 4 and
 * writes_starved 1 give an expired request a turn within 8 dispatches of
 * each one ahead of it; kyber's class turns within 24), plus the 1 ms
 * expiry (10 steps, at most one dispatch each) and the device's depth.
 */
static void check_bounded_wait(void)
{
	long bound = 16L * (blk_get_stats(&dev)->max_depth + 1) + 32;

	for (int i = 0; i < nrec; i++) {
		long waited = 0;

		for (int j = 0; j < nrec; j++)
			waited += rec[j].disp_ev > rec[i].sub_ev &&
				  rec[j].disp_ev < rec[i].disp_ev;
		assert_true(waited <= bound);
	}
}

static const char *const elvs[] = { "none", "deadline", "kyber", "keel" };

static void tune_for_bound(const char *elv)
{
	if (!strcmp(elv, "deadline") || !strcmp(elv, "keel")) {
		assert_int_equal(blk_set_tunable(&dev, "fifo_batch", 4), 0);
		assert_int_equal(blk_set_tunable(&dev, "writes_starved", 1), 0);
		assert_int_equal(blk_set_tunable(&dev, "read_expire", 1), 0);
		assert_int_equal(blk_set_tunable(&dev, "write_expire", 1), 0);
	}
}

static void test_rules_hold_for_every_elevator(void **state)
{
	static const u32 feat[] = { 0, BLK_FEAT_WRITE_CACHE,
				    BLK_FEAT_WRITE_CACHE | BLK_FEAT_FUA };
	u64 warns = blk_warn_count;

	gaps_seen = 0;
	for (unsigned seed = 1; seed <= 4; seed++)
		for (size_t e = 0; e < 4; e++)
			for (u32 depth = 1; depth <= 8; depth *= 8) {
				setup(elvs[e], depth, feat[seed % 3]);
				replay(seed, NB, CONFLICTS);
				check_exactly_once();
				check_ordering();
			}
	assert_int_equal(blk_warn_count, warns);
	/* keel's gap reads (on by default) were among what ran. */
	assert_true(gaps_seen > 0);
}

static void test_no_elevator_starves_a_request(void **state)
{
	gaps_seen = 0;
	for (unsigned seed = 1; seed <= 4; seed++)
		for (size_t e = 0; e < 4; e++)
			for (u32 depth = 1; depth <= 4; depth *= 4) {
				setup(elvs[e], depth, 0);
				tune_for_bound(elvs[e]);
				replay(100 + seed, NB, DISTINCT);
				check_exactly_once();
				check_bounded_wait();
			}
	assert_true(gaps_seen > 0);
}

/*
 * Packed traces: keel joins reads that held writes overlap, at every depth,
 * and the driver fails half the joined commands (fail: on odd seeds); half
 * the seeds pose as a disk of 4 KiB logical blocks.
 */
static void test_rules_hold_around_gap_reads(void **state)
{
	u64 warns = blk_warn_count, splits = 0;

	gaps_seen = 0;
	for (unsigned seed = 1; seed <= 32; seed++)
		for (u32 depth = 1; depth <= 8; depth *= 2) {
			setup("keel", depth, 0);
			fail_joined = seed % 2;
			if (seed % 4 >= 2)
				dev.limits.logical_block_size = 4096;
			replay(200 + seed, NB, PACKED);
			check_exactly_once();
			check_ordering();
			assert_int_equal(blk_warn_count, warns);
			splits += blk_get_stats(&dev)->gap_splits;
		}
	assert_true(gaps_seen > 0);
	assert_true(splits > 0);
}

/*
 * The driver fails half the requests of several bios (and on packed
 * traces half the gap reads too); each bio goes again alone and succeeds,
 * and every rule holds around the retries.
 */
static void test_rules_hold_around_retries(void **state)
{
	static const u32 feat[] = { 0, BLK_FEAT_WRITE_CACHE,
				    BLK_FEAT_WRITE_CACHE | BLK_FEAT_FUA };
	u64 warns = blk_warn_count, retries = 0;

	for (unsigned seed = 1; seed <= 4; seed++)
		for (size_t e = 0; e < 5; e++)
			for (u32 depth = 1; depth <= 8; depth *= 8) {
				bool packed = e == 4;

				setup(elvs[packed ? 3 : e], depth,
				      packed ? 0 : feat[seed % 3]);
				fail_merged = true;
				fail_joined = packed;
				replay(300 + seed, NB,
				       packed ? PACKED : CONFLICTS);
				check_exactly_once();
				check_ordering();
				retries += blk_get_stats(&dev)->bio_retries;
			}
	assert_int_equal(blk_warn_count, warns);
	assert_true(retries > 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_rules_hold_for_every_elevator),
		cmocka_unit_test(test_rules_hold_around_gap_reads),
		cmocka_unit_test(test_rules_hold_around_retries),
		cmocka_unit_test(test_no_elevator_starves_a_request),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
