// SPDX-License-Identifier: MIT
/*
 * bench=guest-disk: the I/O plan of the virtio-blk benchmark
 * (guest/vbench_plan.h) issued by Keel itself through the block
 * layer on the guest_disk= range, before the guest starts, so that
 * tools/bench.sh can set the guest's figures (scenario=virtio-bench)
 * beside these and print the overhead of the virtio path. Per workload
 * and depth:
 *   BENCH direct.<workload>.qd<N>.iops <n> IOPS
 *   BENCH direct.<workload>.qd<N>.mbs <n.nn> MB/s
 * Time is Keel's TSC against its calibrated rate (core time_init).
 */
#include "block/block.h"
#include "boot/options.h"
#include "core/console.h"
#include "core/lib.h"
#include "core/mm.h"
#include "core/selftest.h"
#include "arch/x86/arch.h"
#include "vm/vm.h"
#include "guest/vbench_plan.h"

#define VBENCH_TIMEOUT_US 600000000ULL /* one run, emulated time */
#define VBENCH_BUF_PAGES (VBENCH_MAX_BYTES / PAGE_SIZE)

struct vbench_io {
	struct bio bio;
	struct bio_vec vec;
	bool busy;
};

static struct vbench_io ios[VBENCH_MAX_DEPTH];
static u32 completed, failures;
static u64 span; /* sectors of the guest's range */

static void io_done(struct bio *bio)
{
	struct vbench_io *io = bio->bi_private;

	if (bio->bi_status)
		failures++;
	io->busy = false;
	completed++;
}

/* Start the next I/O in a free slot; false when none is free or the
 * block layer's pool is empty. */
static bool issue(struct blk_dev *dev, const struct vbench_workload *w,
		  u64 first, u32 qd, phys_addr_t buf, u64 *seed, u32 *issued)
{
	u32 spb = w->bytes / VBENCH_SECTOR;
	u32 slots = (u32)MIN(span / spb, 0xffffffffULL);

	for (u32 i = 0; i < qd; i++) {
		struct vbench_io *io = &ios[i];

		if (io->busy)
			continue;
		bio_init(&io->bio, dev, w->write ? REQ_OP_WRITE : REQ_OP_READ,
			 0, &io->vec, 1);
		io->bio.bi_iter.bi_sector =
			first + (u64)vbench_slot(w, seed, *issued, slots) * spb;
		bio_add_page(&io->bio, buf, w->bytes, 0);
		io->bio.bi_end_io = io_done;
		io->bio.bi_private = io;
		if (blk_submit_bio(&io->bio))
			return false;
		io->busy = true;
		(*issued)++;
		return true;
	}
	return false;
}

/* One workload at depth @qd; TSC cycles taken, or 0 on a timeout. */
static u64 run_one(struct blk_dev *dev, const struct vbench_workload *w,
		   u64 first, u32 qd, phys_addr_t buf)
{
	u64 seed = VBENCH_SEED, t0 = rdtsc(), us0 = time_us();
	u32 issued = 0;

	completed = failures = 0;
	while (completed < w->ios) {
		if (time_us() - us0 > VBENCH_TIMEOUT_US) {
			pr_warn("keel: bench guest-disk: %s qd %u timed out\n",
				w->name, qd);
			return 0;
		}
		blk_start_plug(dev);
		while (issued < w->ios &&
		       issue(dev, w, first, qd, buf, &seed, &issued))
			;
		blk_finish_plug(dev);
		blk_poll(dev);
	}
	return MAX(rdtsc() - t0, 1ULL);
}

static void report(const struct vbench_workload *w, u32 qd, u64 cycles)
{
	u64 iops = cycles ? w->ios * tsc_khz() * 1000 / cycles : 0;
	u64 mbs100 = iops * w->bytes * 100 / 1000000;

	printf("BENCH direct.%s.qd%u.iops %llu IOPS\n", w->name, qd,
	       (unsigned long long)iops);
	printf("BENCH direct.%s.qd%u.mbs %llu.%02llu MB/s\n", w->name, qd,
	       (unsigned long long)(mbs100 / 100),
	       (unsigned long long)(mbs100 % 100));
	if (!cycles || failures)
		printf("BENCH direct.%s.qd%u FAIL %u errors%s\n", w->name, qd,
		       failures, cycles ? "" : ", timed out");
}

static int vblk_bench(void)
{
	const struct vm_disk *gd = options_guest_disk();
	struct blk_dev *dev = gd->name[0] ? storage_find_disk(gd->name) : NULL;
	u64 first = gd->range ? gd->first : 0;
	phys_addr_t buf;
	int bad = 0;

	span = dev ? (gd->range ? gd->count : dev->capacity) : 0;
	/* storage_guest_disk() refuses the guest a range past the end. */
	if (!dev || first > dev->capacity || span > dev->capacity - first ||
	    span < VBENCH_MAX_BYTES / VBENCH_SECTOR) {
		printf("BENCH direct FAIL needs guest_disk= on a disk of at least 64 KiB\n");
		return 1;
	}
	buf = alloc_pages(VBENCH_BUF_PAGES, VBENCH_MAX_BYTES);
	if (buf == PHYS_INVALID)
		return 1;
	printf("BENCH direct %s sectors %llu+%llu, TSC %llu kHz\n", dev->name,
	       (unsigned long long)first, (unsigned long long)span,
	       (unsigned long long)tsc_khz());
	for (u32 i = 0; i < ARRAY_SIZE(vbench_workloads); i++)
		for (u32 q = 0; q < ARRAY_SIZE(vbench_depths); q++) {
			const struct vbench_workload *w = &vbench_workloads[i];
			u64 cycles =
				run_one(dev, w, first, vbench_depths[q], buf);

			report(w, vbench_depths[q], cycles);
			if (!cycles || failures)
				bad++;
		}
	free_pages(buf, VBENCH_BUF_PAGES);
	return bad;
}

SELFTEST(vblk_bench, "guest-disk", SELFTEST_BENCH, vblk_bench);
