// SPDX-License-Identifier: MIT
/*
 * bench=ahci: 4 KiB sequential and random reads and writes through the block
 * layer on the first AHCI disk, for each elevator (none, deadline) and NCQ
 * depth (1, 32). One "BENCH ahci ..." line per run with IOPS and MB/s.
 * Writes go to LBAs from AHCI_BENCH_FIRST_LBA on, beyond the test=ahci
 * ranges, so the two never disturb each other.
 */
#include "block/block.h"
#include "core/lib.h"
#include "core/mm.h"
#include "core/console.h"
#include "core/selftest.h"
#include "arch/x86/arch.h"
#include "drivers/ahci/ahci.h"
#include "tests/kernel/ahci_pattern.h"

#define AHCI_BENCH_FIRST_LBA AHCI_PATTERN_MIN_SECTORS
#define AHCI_BENCH_SPAN_SECTORS 1048576ULL /* 512 MiB of disk */
#define AHCI_BENCH_IOS 32768U /* per run: long enough to be stable */
#define AHCI_BENCH_INFLIGHT 32U /* bios kept in flight */
#define AHCI_BENCH_IO_BYTES 4096U
#define AHCI_BENCH_TIMEOUT_US 300000000ULL /* one run, TCG is slow */

struct bench_io {
	struct bio bio;
	struct bio_vec vec;
	bool busy;
};

static struct ahci_queue_state qstate(const struct ahci_disk *d)
{
	struct ahci_queue_state qs;

	ahci_disk_queue(d, &qs);
	return qs;
}

static struct bench_io ios[AHCI_BENCH_INFLIGHT];
static u32 completed, failures;

static void bench_done(struct bio *bio)
{
	struct bench_io *io = bio->bi_private;

	if (bio->bi_status)
		failures++;
	io->busy = false;
	completed++;
}

/* xorshift64: a fixed random LBA sequence, the same for every run. */
static u64 next_rand(u64 *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 7;
	*s ^= *s << 17;
	return *s;
}

/* Issue AHCI_BENCH_IOS 4 KiB bios; returns elapsed microseconds, or 0. */
static u64 bench_run(struct blk_dev *dev, phys_addr_t buf, bool write,
		     bool random)
{
	u32 issued = 0, spb = AHCI_BENCH_IO_BYTES / SECTOR_SIZE;
	u64 seed = 0x9E3779B97F4A7C15ULL, start = time_us();

	completed = failures = 0;
	while (completed < AHCI_BENCH_IOS) {
		if (time_us() - start > AHCI_BENCH_TIMEOUT_US) {
			pr_warn("keel: ahci: bench run timed out after %llu us\n",
				(unsigned long long)AHCI_BENCH_TIMEOUT_US);
			return 0;
		}
		blk_start_plug(dev);
		for (unsigned int i = 0;
		     i < AHCI_BENCH_INFLIGHT && issued < AHCI_BENCH_IOS; i++) {
			struct bench_io *io = &ios[i];
			u64 slot = random ? next_rand(&seed) %
						    (AHCI_BENCH_SPAN_SECTORS /
						     spb) :
					    issued;

			if (io->busy)
				continue;
			bio_init(&io->bio, dev,
				 write ? REQ_OP_WRITE : REQ_OP_READ, 0,
				 &io->vec, 1);
			io->bio.bi_iter.bi_sector =
				AHCI_BENCH_FIRST_LBA + slot * spb;
			/* All I/Os share one buffer: only timing matters. */
			bio_add_page(&io->bio, buf, AHCI_BENCH_IO_BYTES, 0);
			io->bio.bi_end_io = bench_done;
			io->bio.bi_private = io;
			if (blk_submit_bio(&io->bio))
				break; /* request pool empty: poll first */
			io->busy = true;
			issued++;
		}
		blk_finish_plug(dev);
		blk_poll(dev);
	}
	return MAX(time_us() - start, 1ULL);
}

static int ahci_bench(void)
{
	static const char *const scheds[] = { "none", "deadline" };
	static const u32 depths[] = { 1, 32 };
	struct ahci_disk *d = ahci_disk(0);
	struct blk_dev *dev;
	phys_addr_t buf;
	int bad = 0;

	if (!ahci_blk_count())
		ahci_blk_register_all();
	dev = ahci_blk_dev(0);
	if (!d || !dev ||
	    ahci_disk_info(d)->logical_sector_size != SECTOR_SIZE ||
	    ahci_disk_info(d)->sectors <
		    AHCI_BENCH_FIRST_LBA + AHCI_BENCH_SPAN_SECTORS) {
		printf("BENCH ahci FAIL needs a 512-byte-sector disk of 1 GiB\n");
		return 1;
	}
	buf = alloc_pages(1, PAGE_SIZE);
	if (buf == PHYS_INVALID)
		return 1;
	printf("BENCH ahci %s: %u x %u B per run, %u bios in flight\n",
	       ahci_disk_name(d), AHCI_BENCH_IOS, AHCI_BENCH_IO_BYTES,
	       AHCI_BENCH_INFLIGHT);
	for (unsigned int s = 0; s < ARRAY_SIZE(scheds); s++) {
		if (blk_set_elevator(dev, scheds[s])) {
			bad++;
			continue;
		}
		for (unsigned int q = 0; q < ARRAY_SIZE(depths); q++) {
			ahci_disk_set_depth(d, depths[q]);
			for (int w = 0; w < 4; w++) {
				bool write = w & 1, random = w & 2;
				u64 us = bench_run(dev, buf, write, random);
				u64 iops =
					us ? AHCI_BENCH_IOS * 1000000ULL / us :
					     0;
				u64 kbs = iops * (AHCI_BENCH_IO_BYTES / 1024);

				if (!us || failures)
					bad++;
				printf("BENCH ahci sched=%s qd=%u %s-%s %llu IOPS "
				       "%llu.%02llu MB/s%s\n",
				       scheds[s], qstate(d).depth,
				       random ? "rand" : "seq",
				       write ? "write" : "read",
				       (unsigned long long)iops,
				       (unsigned long long)(kbs * 1024 /
							    1000000),
				       (unsigned long long)(kbs * 1024 %
							    1000000 / 10000),
				       failures ? " (errors)" : "");
			}
		}
	}
	ahci_disk_set_depth(d, qstate(d).max_depth);
	blk_set_elevator(dev, blk_default_elevator());
	free_pages(buf, 1);
	return bad;
}

SELFTEST(ahci_bench, "ahci", SELFTEST_BENCH, ahci_bench);
