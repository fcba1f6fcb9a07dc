// SPDX-License-Identifier: MIT
/*
 * The bucketed sort list (block/sortq.c) against a reference: random
 * inserts, erases (by the key a request was inserted under) and re-keys,
 * with every lower bound, successor, predecessor and the last request
 * compared with a sorted copy in which equal sectors keep their insertion
 * order. The capacities
 * put requests in one bucket, a few, and far more buckets than requests,
 * and some sectors lie past the capacity (the clamped last bucket).
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <stdlib.h>
#include <string.h>

#include "block/blk.h"
#include "block/sortq.h"

#define NR 300

static struct request pool[NR];
static bool in[NR];
static u64 order[NR]; /* insertion stamp: the tie-break of equal sectors */
static struct sortq sq;

static u64 rng;

static u64 next_rand(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return rng;
}

/* Reference: the queued request that sorts first at or after @pos. */
static struct request *ref_lower_bound(sector_t pos)
{
	struct request *best = NULL;

	for (int i = 0; i < NR; i++) {
		struct request *r = &pool[i];

		if (!in[i] || r->sector < pos)
			continue;
		if (!best || r->sector < best->sector ||
		    (r->sector == best->sector &&
		     order[i] < order[best - pool]))
			best = r;
	}
	return best;
}

/* Reference successor: the next in (sector, insertion) order. */
static struct request *ref_next(const struct request *rq)
{
	struct request *best = NULL;
	u64 o = order[rq - pool];

	for (int i = 0; i < NR; i++) {
		struct request *r = &pool[i];

		if (!in[i] || r == rq)
			continue;
		if (r->sector < rq->sector ||
		    (r->sector == rq->sector && order[i] < o))
			continue;
		if (!best || r->sector < best->sector ||
		    (r->sector == best->sector &&
		     order[i] < order[best - pool]))
			best = r;
	}
	return best;
}

/* Reference predecessor, in the same order. */
static struct request *ref_prev(const struct request *rq)
{
	struct request *best = NULL;
	u64 o = order[rq - pool];

	for (int i = 0; i < NR; i++) {
		struct request *r = &pool[i];

		if (!in[i] || r == rq)
			continue;
		if (r->sector > rq->sector ||
		    (r->sector == rq->sector && order[i] > o))
			continue;
		if (!best || r->sector > best->sector ||
		    (r->sector == best->sector &&
		     order[i] > order[best - pool]))
			best = r;
	}
	return best;
}

static sector_t random_sector(sector_t capacity)
{
	/* A few equal sectors on purpose, and a few past the capacity. */
	switch (next_rand() % 8) {
	case 0:
		return 4096;
	case 1:
		return capacity + next_rand() % 1000;
	default:
		return next_rand() % capacity;
	}
}

static void check_all(sector_t capacity)
{
	struct request *r = sortq_lower_bound(&sq, 0);
	struct request *last = NULL;
	int n = 0, count = 0;

	for (int i = 0; i < NR; i++)
		count += in[i];
	assert_int_equal(sortq_empty(&sq), count == 0);
	/* The walk visits every queued request once, in reference order. */
	assert_ptr_equal(r, ref_lower_bound(0));
	for (; r; r = sortq_next(&sq, r)) {
		assert_true(in[r - pool]);
		assert_ptr_equal(sortq_next(&sq, r), ref_next(r));
		assert_ptr_equal(sortq_prev(&sq, r), ref_prev(r));
		last = r;
		n++;
	}
	assert_int_equal(n, count);
	assert_ptr_equal(sortq_last(&sq), last);
	for (int k = 0; k < 20; k++) {
		sector_t pos = random_sector(capacity);

		assert_ptr_equal(sortq_lower_bound(&sq, pos),
				 ref_lower_bound(pos));
	}
}

/* Sectors in [0, capacity) and a few past it, in a list sized for @disk. */
static void run(sector_t disk, sector_t capacity, u64 seed)
{
	u64 stamp = 0;

	rng = seed;
	memset(in, 0, sizeof(in));
	sortq_init(&sq, pool, disk);
	for (int step = 0; step < 3000; step++) {
		int i = (int)(next_rand() % NR);
		struct request *r = &pool[i];

		if (!in[i]) {
			r->sector = random_sector(capacity);
			order[i] = stamp++;
			sortq_insert(&sq, r);
			in[i] = true;
		} else if (next_rand() % 4) {
			sortq_erase(&sq, r, r->sector);
			in[i] = false;
		} else {
			/* A front merge: the key moves down, the stamp stays. */
			sector_t old = r->sector;

			r->sector -= MIN(old, next_rand() % 64);
			sortq_erase(&sq, r, old);
			sortq_insert(&sq, r);
			order[i] = stamp++;
		}
		if (step % 50 == 0)
			check_all(capacity);
	}
	check_all(capacity);
}

static void test_one_bucket(void **state)
{
	/* A 1 TiB-sector list whose requests all lie in the first bucket. */
	run(1ULL << 40, 1ULL << 20, 1);
}

static void test_few_buckets(void **state)
{
	run(SORTQ_BUCKETS * 64, SORTQ_BUCKETS * 64, 2);
}

static void test_many_buckets(void **state)
{
	run(1ULL << 40, 1ULL << 40, 3);
	run(1ULL << 28, 1ULL << 28, 4);
}

static void test_capacity_zero(void **state)
{
	/* Unknown size: every sector from SORTQ_BUCKETS on shares a bucket. */
	run(1, 1ULL << 20, 5);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_one_bucket),
		cmocka_unit_test(test_few_buckets),
		cmocka_unit_test(test_many_buckets),
		cmocka_unit_test(test_capacity_zero),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
