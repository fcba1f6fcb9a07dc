// SPDX-License-Identifier: MIT
/*
 * blkcost: the block layer's own CPU cost, in ns per request for one
 * submit (merge lookup, ordering check, elevator insert) plus one dispatch
 * and completion, with the elevator holding a steady number of requests.
 * Built without sanitizers at -O2 (block/build.mk) so the figure is real.
 *
 *   blkcost [ITERATIONS [ELEVATOR DEPTH]]
 *
 * Prints "BENCH block.cpu.<elevator>.qd<depth> <ns> ns/req" lines and a
 * table. With an elevator and a depth it measures only that, once, which
 * is what a profiler (valgrind --tool=cachegrind) should run.
 *
 * The host is shared, so the time is the thread's CPU time (time spent
 * descheduled does not count), and every figure is the fastest of many
 * slices: each run is cut into NR_SLICES timed slices of a steady queue,
 * and there are five rounds that interleave all elevators and depths.
 * Load from elsewhere (another process on the same core's caches or SMT
 * sibling) only ever adds time, and it comes in bursts; a slice short
 * enough to fall between bursts shows the block layer's own cost, where
 * a whole run's mean would show how busy the host was.
 */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "block/block.h"

static u64 fake_ns;
static struct request *inflight;
static struct bio *free_bios;
static struct bio *bios;
static struct bio_vec *vecs;

static u64 fake_clock(void *ctx)
{
	return fake_ns;
}

static blk_status_t cost_submit(struct blk_dev *dev, struct request *rq)
{
	inflight = rq;
	return BLK_STS_OK;
}

static u32 cost_poll(struct blk_dev *dev)
{
	struct request *rq = inflight;

	if (!rq)
		return 0;
	inflight = NULL;
	blk_complete_request(rq, BLK_STS_OK);
	return 1;
}

static const struct blk_dev_ops cost_ops = {
	.submit = cost_submit,
	.poll = cost_poll,
};

static void recycle(struct bio *bio)
{
	bio->bi_next = free_bios;
	free_bios = bio;
}

/* xorshift64*: deterministic and cheaper than the thing it measures. */
static u64 rng = 88172645463325252ULL;

static u64 next_rand(void)
{
	rng ^= rng >> 12;
	rng ^= rng << 25;
	rng ^= rng >> 27;
	return rng * 2685821657736338717ULL;
}

static void submit_one(struct blk_dev *dev)
{
	struct bio *b = free_bios;
	u64 r = next_rand();

	free_bios = b->bi_next;
	/* 70 % reads. */
	bio_init(b, dev, (r & 0xff) < 179 ? REQ_OP_READ : REQ_OP_WRITE, 0,
		 &vecs[b - bios], 1);
	b->bi_iter.bi_sector = ((r >> 8) % (1ULL << 25)) * 8;
	bio_add_page(b, 0x100000, 8 * SECTOR_SIZE, 0);
	b->bi_end_io = recycle;
	if (blk_submit_bio(b)) {
		fprintf(stderr, "blkcost: submit failed\n");
		exit(1);
	}
}

/*
 * 10 slices of a 500000-iteration run are 50000 requests each: the queue
 * turns over 12 times at depth 4096 within one slice, and one slice lasts
 * 5-15 ms, under a scheduler tick's worth of someone else's burst.
 */
#define NR_SLICES 10

static double measure(const char *elv, u32 depth, u64 iters)
{
	u32 n = depth + 8;
	/* struct request is 64-byte aligned (block/block.h); calloc is not. */
	struct request *pool = aligned_alloc(64, n * sizeof(*pool));
	struct blk_dev dev = { .name = "cost",
			       .capacity = 1ULL << 28,
			       .ops = &cost_ops,
			       .queue_depth = 1 };
	struct timespec t0, t1;
	u64 per_slice = iters / NR_SLICES ? iters / NR_SLICES : 1;
	double best = 1e30;

	blk_limits_default(&dev.limits);
	if (blk_dev_register(&dev, pool, n, fake_clock, NULL) ||
	    blk_set_elevator(&dev, elv)) {
		fprintf(stderr, "blkcost: no elevator %s\n", elv);
		exit(1);
	}
	bios = calloc(n, sizeof(*bios));
	vecs = calloc(n, sizeof(*vecs));
	free_bios = NULL;
	for (u32 i = 0; i < n; i++) {
		bios[i].bi_next = free_bios;
		free_bios = &bios[i];
	}
	/* One request in flight and @depth waiting in the elevator. */
	blk_start_plug(&dev);
	for (u32 i = 0; i < depth + 1; i++)
		submit_one(&dev);
	blk_finish_plug(&dev);
	for (u64 done = 0; done < iters; done += per_slice) {
		double ns;

		clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t0);
		for (u64 i = 0; i < per_slice; i++) {
			fake_ns += 1000;
			blk_start_plug(&dev);
			submit_one(&dev);
			blk_finish_plug(&dev);
			blk_poll(&dev);
		}
		clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t1);
		ns = ((t1.tv_sec - t0.tv_sec) * 1e9 +
		      (t1.tv_nsec - t0.tv_nsec)) /
		     (double)per_slice;
		best = ns < best ? ns : best;
	}
	while (!blk_idle(&dev))
		blk_poll(&dev);
	free(vecs);
	free(bios);
	free(pool);
	return best;
}

#define NR_DEPTHS 4
#define NR_ROUNDS 5

int main(int argc, char **argv)
{
	static const u32 depths[NR_DEPTHS] = { 1, 64, 1024, 4096 };
	static const char *const elvs[] = { "none", "deadline", "kyber",
					    "keel" };
	enum { NR_ELVS = sizeof(elvs) / sizeof(elvs[0]) };
	u64 iters = argc > 1 ? strtoull(argv[1], NULL, 10) : 1000000;
	double ns[NR_ELVS][NR_DEPTHS];

	if (argc == 4) {
		u32 depth = (u32)strtoul(argv[3], NULL, 10);

		printf("BENCH block.cpu.%s.qd%u %.1f ns/req\n", argv[2], depth,
		       measure(argv[2], depth, iters));
		return 0;
	}
	for (int e = 0; e < NR_ELVS; e++) {
		measure(elvs[e], 64, iters / 10); /* warm caches */
		for (int d = 0; d < NR_DEPTHS; d++)
			ns[e][d] = 1e30;
	}
	for (int k = 0; k < NR_ROUNDS; k++) {
		for (int e = 0; e < NR_ELVS; e++) {
			for (int d = 0; d < NR_DEPTHS; d++) {
				double v = measure(elvs[e], depths[d], iters);

				ns[e][d] = v < ns[e][d] ? v : ns[e][d];
			}
		}
	}
	for (int e = 0; e < NR_ELVS; e++)
		for (int d = 0; d < NR_DEPTHS; d++)
			printf("BENCH block.cpu.%s.qd%u %.1f ns/req\n", elvs[e],
			       depths[d], ns[e][d]);
	printf("\nblock layer CPU cost, ns per submit+dispatch+complete "
	       "(fastest of %d slices x %d rounds)\n",
	       NR_SLICES, NR_ROUNDS);
	printf("%-10s %10s %10s %10s %10s %12s\n", "elevator", "qd1", "qd64",
	       "qd1024", "qd4096", "qd4096/qd1");
	for (int e = 0; e < NR_ELVS; e++)
		printf("%-10s %10.1f %10.1f %10.1f %10.1f %12.2f\n", elvs[e],
		       ns[e][0], ns[e][1], ns[e][2], ns[e][3],
		       ns[e][3] / ns[e][0]);
	return 0;
}
