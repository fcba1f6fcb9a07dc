// SPDX-License-Identifier: MIT
/*
 * Run starts of a sort list (block/runs.c) against a brute-force reference:
 * random inserts (half of them continuing a queued request, so runs form)
 * and erases, each followed by the runs_fix() calls keel makes; after each
 * step every queued request is a run start exactly when its predecessor
 * does not end where it starts, and runs_near() finds a start at the least
 * distance from random positions.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <string.h>

#include "block/blk.h"
#include "block/runs.h"
#include "block/sortq.h"

#define NR 200
#define CAP (1 << 16)

static struct request pool[NR];
static bool in[NR];
static struct sortq sq;
static struct rb_root runs;
static u64 rng = 88172645463325252ULL;

static u64 next_rand(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return rng;
}

static bool is_start(const struct request *rq)
{
	const struct request *prev = sortq_prev(&sq, rq);

	return !prev || rq_end_sector(prev) != rq->sector;
}

static sector_t dist(sector_t a, sector_t b)
{
	return a > b ? a - b : b - a;
}

static void check(void)
{
	sector_t best = ~0ULL;
	sector_t pos = next_rand() % (CAP + 512);
	struct request *near = runs_near(&runs, pos);
	int n = 0;

	for (struct request *r = sortq_lower_bound(&sq, 0); r;
	     r = sortq_next(&sq, r), n++) {
		assert_int_equal(!!(r->rq_flags & RQF_ELV_RUN), is_start(r));
		if (is_start(r) && dist(pos, r->sector) < best)
			best = dist(pos, r->sector);
	}
	if (!n) {
		assert_null(near);
		return;
	}
	assert_non_null(near);
	assert_true(near->rq_flags & RQF_ELV_RUN);
	assert_int_equal(dist(pos, near->sector), best);
}

static void insert(int i)
{
	struct request *rq = &pool[i];
	int j = (int)(next_rand() % NR);

	memset(rq, 0, sizeof(*rq));
	rq->op = REQ_OP_WRITE;
	rq->nr_sectors = 8 * (1 + next_rand() % 8);
	/* Half continue a queued request: runs of several. */
	rq->sector = in[j] && next_rand() % 2 ? rq_end_sector(&pool[j]) :
						next_rand() % CAP;
	sortq_insert(&sq, rq);
	in[i] = true;
	runs_fix(&runs, &sq, rq);
	runs_fix(&runs, &sq, sortq_next(&sq, rq));
}

static void erase(int i)
{
	struct request *rq = &pool[i];
	struct request *next = sortq_next(&sq, rq);

	runs_drop(&runs, rq);
	sortq_erase(&sq, rq, rq->sector);
	in[i] = false;
	runs_fix(&runs, &sq, next);
}

static void test_runs_random(void **state)
{
	sortq_init(&sq, pool, CAP);
	runs = RB_ROOT;
	for (int step = 0; step < 20000; step++) {
		int i = (int)(next_rand() % NR);

		if (in[i])
			erase(i);
		else
			insert(i);
		check();
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_runs_random),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
