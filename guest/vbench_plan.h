/* SPDX-License-Identifier: MIT */
/*
 * The virtio-blk benchmark's I/O plan, shared by its two halves so that
 * they issue the very same I/O: bench=guest-disk (tests/kernel/
 * vblk_bench.c, Keel on the block device) and the test guest's
 * scenario=virtio-bench (guest/virtio_bench.c, through virtio). Plain C
 * types only: the 32-bit guest includes it too.
 */
#ifndef KEEL_GUEST_VBENCH_PLAN_H
#define KEEL_GUEST_VBENCH_PLAN_H

struct vbench_workload {
	const char *name; /* BENCH virtio.<name>.qd<N>... */
	unsigned int bytes; /* per I/O */
	unsigned int ios; /* per run: Bochs is exact, a few hundred do */
	int random, write;
};

static const struct vbench_workload vbench_workloads[] = {
	{ "4k-randread", 4096, 512, 1, 0 },
	{ "4k-randwrite", 4096, 512, 1, 1 },
	{ "64k-seqread", 65536, 128, 0, 0 },
	{ "64k-seqwrite", 65536, 128, 0, 1 },
};

static const unsigned int vbench_depths[] = { 1, 32 };
#define VBENCH_MAX_DEPTH 32U
#define VBENCH_MAX_BYTES 65536U
#define VBENCH_SECTOR 512U
#define VBENCH_SEED 0x9E3779B97F4A7C15ULL

/* xorshift64: the same random slot sequence on both sides. */
static inline unsigned long long vbench_next(unsigned long long *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 7;
	*s ^= *s << 17;
	return *s;
}

/*
 * The @i-th I/O's slot (in units of the workload's size) in a range of
 * @slots: random ones from @seed's sequence (its high half, so that the
 * 32-bit guest needs no 64-bit division), sequential ones wrapping.
 */
static inline unsigned int vbench_slot(const struct vbench_workload *w,
				       unsigned long long *seed, unsigned int i,
				       unsigned int slots)
{
	return w->random ? (unsigned int)(vbench_next(seed) >> 32) % slots :
			   i % slots;
}

#endif
