// SPDX-License-Identifier: MIT
/*
 * Host tests of the IDE driver's pure parts: PRD tables (merging, the
 * 64 KiB size and boundary rules, EOT, alignment and reach errors, entry
 * limits, a randomized check against the queue limits), PRD table
 * placement, LBA48 taskfile encoding, and channel ports in compatibility
 * and native mode.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <stdlib.h>
#include <string.h>

#include "drivers/ata/ata.h"
#include "drivers/ide/ide_ports.h"
#include "drivers/ide/ide_prd.h"

#define BIG 1024
static struct ide_prd prd[BIG];

static int build(unsigned max, const struct ide_seg *s, unsigned n, u32 *bytes)
{
	memset(prd, 0xa5, sizeof(prd));
	return ide_prd_build(prd, max, s, n, bytes);
}

static void check_entry(unsigned i, u64 addr, u32 len, bool eot)
{
	assert_int_equal(prd[i].addr, addr);
	assert_int_equal(ide_prd_bytes(&prd[i]), len);
	assert_int_equal(prd[i].flags, eot ? IDE_PRD_EOT : 0);
}

/* Every entry: even, at most 64 KiB, inside one 64 KiB window; EOT last. */
static void check_rules(int n)
{
	for (int i = 0; i < n; i++) {
		u64 a = prd[i].addr;
		u32 len = ide_prd_bytes(&prd[i]);

		assert_int_equal(a & 1, 0);
		assert_int_equal(len & 1, 0);
		assert_true(len <= KiB(64));
		assert_int_equal(a / KiB(64), (a + len - 1) / KiB(64));
		assert_int_equal(!!(prd[i].flags & IDE_PRD_EOT), i == n - 1);
	}
}

static void test_layout(void **state)
{
	(void)state;
	assert_int_equal(sizeof(struct ide_prd), 8);
	assert_int_equal(IDE_PRDT_ENTRIES, 512);
	/* BMIDE 1.0: count in bits 15:0 of the second dword, EOT bit 31. */
	memset(prd, 0, sizeof(prd[0]));
	prd[0].count = 0x1234;
	prd[0].flags = IDE_PRD_EOT;
	assert_int_equal(((u8 *)&prd[0])[4], 0x34);
	assert_int_equal(((u8 *)&prd[0])[7], 0x80);
}

static void test_single(void **state)
{
	struct ide_seg s = { 0x100000, 4096 };
	u32 bytes;

	(void)state;
	assert_int_equal(build(BIG, &s, 1, &bytes), 1);
	check_entry(0, 0x100000, 4096, true);
	assert_int_equal(bytes, 4096);
}

static void test_merge_contiguous(void **state)
{
	struct ide_seg s[4] = { { 0x200000, 4096 },
				{ 0x201000, 4096 },
				{ 0x202000, 512 },
				{ 0x300000, 1024 } };
	u32 bytes;

	(void)state;
	assert_int_equal(build(BIG, s, 4, &bytes), 2);
	check_entry(0, 0x200000, 8704, false);
	check_entry(1, 0x300000, 1024, true);
	assert_int_equal(bytes, 8704 + 1024);
}

static void test_full_64k_is_count_zero(void **state)
{
	struct ide_seg s = { 0x410000, KiB(64) };
	u32 bytes;

	(void)state;
	assert_int_equal(build(BIG, &s, 1, &bytes), 1);
	assert_int_equal(prd[0].count, 0);
	check_entry(0, 0x410000, KiB(64), true);
}

static void test_boundary_split(void **state)
{
	/* 8 KiB straddling 0x420000: two entries, split at the boundary. */
	struct ide_seg s = { 0x41f000, 8192 };
	/* Contiguous pieces that meet at a boundary do not merge across it. */
	struct ide_seg t[2] = { { 0x43f000, 4096 }, { 0x440000, 4096 } };
	/* 200 KiB contiguous from an unaligned start: 4 entries. */
	struct ide_seg u = { 0x508000, KiB(200) };
	u32 bytes;
	int n;

	(void)state;
	assert_int_equal(build(BIG, &s, 1, &bytes), 2);
	check_entry(0, 0x41f000, 4096, false);
	check_entry(1, 0x420000, 4096, true);
	assert_int_equal(build(BIG, t, 2, &bytes), 2);
	check_entry(0, 0x43f000, 4096, false);
	check_entry(1, 0x440000, 4096, true);
	n = build(BIG, &u, 1, &bytes);
	assert_int_equal(n, 4);
	check_entry(0, 0x508000, KiB(32), false);
	check_entry(1, 0x510000, KiB(64), false);
	check_entry(2, 0x520000, KiB(64), false);
	check_entry(3, 0x530000, KiB(40), true);
	check_rules(n);
	assert_int_equal(bytes, KiB(200));
}

static void test_errors(void **state)
{
	struct ide_seg odd_addr = { 0x100001, 512 };
	struct ide_seg odd_len = { 0x100000, 511 };
	struct ide_seg empty = { 0x100000, 0 };
	struct ide_seg high = { GiB(4), 512 };
	struct ide_seg straddle = { GiB(4) - 512, 1024 };
	struct ide_seg ok = { 0x100000, 512 };
	u32 bytes = 77;

	(void)state;
	assert_int_equal(build(BIG, &odd_addr, 1, &bytes), -EINVAL);
	assert_int_equal(bytes, 0);
	assert_int_equal(build(BIG, &odd_len, 1, &bytes), -EINVAL);
	assert_int_equal(build(BIG, &empty, 1, &bytes), -EINVAL);
	assert_int_equal(build(BIG, &ok, 0, &bytes), -EINVAL);
	assert_int_equal(build(0, &ok, 1, &bytes), -EINVAL);
	assert_int_equal(build(BIG, &high, 1, &bytes), -ERANGE);
	assert_int_equal(build(BIG, &straddle, 1, &bytes), -ERANGE);
}

static void test_entry_limit(void **state)
{
	struct ide_seg s[3] = { { 0x100000, 512 },
				{ 0x200000, 512 },
				{ 0x300000, 512 } };
	/* One segment that needs three entries (crosses two boundaries). */
	struct ide_seg big = { 0x608000, KiB(96) + 2 };
	u32 bytes;

	(void)state;
	assert_int_equal(build(2, s, 3, &bytes), -E2BIG);
	assert_int_equal(build(3, s, 3, &bytes), 3);
	check_rules(3);
	assert_int_equal(build(2, &big, 1, &bytes), -E2BIG);
	assert_int_equal(build(3, &big, 1, &bytes), 3);
	check_rules(3);
}

static void test_placement(void **state)
{
	(void)state;
	assert_true(ide_prdt_placement_ok(0x100000, IDE_PRDT_ENTRIES));
	assert_true(ide_prdt_placement_ok(0x10fff8, 1));
	assert_false(ide_prdt_placement_ok(0x10fff8, 2)); /* crosses 64 KiB */
	assert_false(ide_prdt_placement_ok(0x100002, 1)); /* not dword */
	assert_false(ide_prdt_placement_ok(GiB(4), 1));
	assert_false(ide_prdt_placement_ok(0x100000, 0));
}

/* Requests within the limits the block layer cuts to always build. */
static void test_limits_always_build(void **state)
{
	static struct ide_seg segs[IDE_PRDT_ENTRIES];
	struct ide_queue_limits ql;

	(void)state;
	ide_calc_limits(&ql, 0);
	assert_int_equal(ql.max_segments, IDE_PRDT_ENTRIES);
	assert_int_equal(ql.max_segment_size, KiB(64));
	assert_int_equal(ql.seg_boundary_mask, KiB(64) - 1);
	assert_int_equal(ql.max_sectors, 65535);
	srand(11);
	for (int iter = 0; iter < 2000; iter++) {
		unsigned k = 1 + (unsigned)rand() % ql.max_segments;
		u64 addr = 0x1000000 + ((u64)(rand() % 4096) << 12) +
			   ((u64)(rand() % 8) << 9);
		u32 total = 0, bytes;
		int n;

		for (unsigned i = 0; i < k; i++) {
			/* A segment as the block layer cuts it. */
			u32 room = (u32)(KiB(64) - (addr & (KiB(64) - 1)));
			u32 len = 512 * (1 + (u32)rand() % 128);

			len = len < room ? len : room;
			segs[i].addr = addr;
			segs[i].len = len;
			total += len;
			addr += len + ((rand() & 1) ? 4096 : 0);
		}
		n = build(ql.max_segments, segs, k, &bytes);
		assert_true(n >= 1 && n <= (int)k);
		assert_int_equal(bytes, total);
		check_rules(n);
	}
}

/* ide_max_xfer=: the cap in sectors, clamped to what LBA48 takes. */
static void test_limits_cap(void **state)
{
	struct ide_queue_limits ql;

	(void)state;
	ide_calc_limits(&ql, KiB(64));
	assert_int_equal(ql.max_sectors, 128);
	assert_int_equal(ql.max_segments, IDE_PRDT_ENTRIES);
	ide_calc_limits(&ql, KiB(4));
	assert_int_equal(ql.max_sectors, 8);
	ide_calc_limits(&ql, KiB(64) + 511); /* whole sectors only */
	assert_int_equal(ql.max_sectors, 128);
	ide_calc_limits(&ql, 100); /* never below one sector */
	assert_int_equal(ql.max_sectors, 1);
	ide_calc_limits(&ql, MiB(32)); /* 65536 sectors: one too many */
	assert_int_equal(ql.max_sectors, 65535);
}

/*
 * The case Bochs punishes (docs/ata.md, "Command size"): 32 queued 64 KiB
 * bios on one buffer merge, without a cap, into one command of 32 PRD
 * entries; with ide_max_xfer=64K each command is one entry.
 */
static void test_limits_cap_one_entry(void **state)
{
	static struct ide_seg segs[32];
	struct ide_queue_limits ql;
	u32 bytes, n = 0;

	(void)state;
	ide_calc_limits(&ql, 0);
	while (n < 32 && (u64)(n + 1) * 128 <= ql.max_sectors) {
		segs[n].addr = 0x1000000;
		segs[n++].len = KiB(64);
	}
	assert_int_equal(n, 32);
	assert_int_equal(build(ql.max_segments, segs, n, &bytes), 32);
	check_rules(32);
	ide_calc_limits(&ql, KiB(64));
	n = 0;
	while (n < 32 && (u64)(n + 1) * 128 <= ql.max_sectors)
		n++;
	assert_int_equal(n, 1);
	assert_int_equal(build(ql.max_segments, segs, n, &bytes), 1);
	assert_int_equal(bytes, KiB(64));
	check_rules(1);
}

static void test_tf_lba48(void **state)
{
	struct ide_taskfile tf;

	(void)state;
	assert_int_equal(ide_tf_rw(&tf, false, IDE_XFER_DMA, 0x123456789abcULL,
				   0x1234, 1),
			 0);
	assert_int_equal(tf.command, ATA_CMD_READ_DMA_EXT);
	/* Previous (HOB) bytes in [0], current in [1]. */
	assert_int_equal(tf.count[0], 0x12);
	assert_int_equal(tf.count[1], 0x34);
	assert_int_equal(tf.lba_low[1], 0xbc);
	assert_int_equal(tf.lba_mid[1], 0x9a);
	assert_int_equal(tf.lba_high[1], 0x78);
	assert_int_equal(tf.lba_low[0], 0x56);
	assert_int_equal(tf.lba_mid[0], 0x34);
	assert_int_equal(tf.lba_high[0], 0x12);
	assert_int_equal(tf.feature[0] | tf.feature[1], 0);
	/* LBA mode, device 1, obsolete bits 7 and 5 set. */
	assert_int_equal(tf.device, 0xf0);

	assert_int_equal(ide_tf_rw(&tf, true, IDE_XFER_DMA, 5, 1, 0), 0);
	assert_int_equal(tf.command, ATA_CMD_WRITE_DMA_EXT);
	assert_int_equal(tf.device, 0xe0);
	assert_int_equal(tf.count[0], 0);
	assert_int_equal(tf.count[1], 1);
	assert_int_equal(ide_tf_rw(&tf, false, IDE_XFER_PIO, 5, 1, 0), 0);
	assert_int_equal(tf.command, ATA_CMD_READ_SECTORS_EXT);
	assert_int_equal(ide_tf_rw(&tf, true, IDE_XFER_PIO, 5, 65535, 0), 0);
	assert_int_equal(tf.command, ATA_CMD_WRITE_SECTORS_EXT);
	assert_int_equal(tf.count[0], 0xff);
	assert_int_equal(tf.count[1], 0xff);
}

static void test_tf_errors(void **state)
{
	struct ide_taskfile tf;

	(void)state;
	assert_int_equal(ide_tf_rw(&tf, false, IDE_XFER_DMA, 0, 0, 0), -EINVAL);
	assert_int_equal(ide_tf_rw(&tf, false, IDE_XFER_DMA, 0, 65536, 0),
			 -EINVAL);
	assert_int_equal(ide_tf_rw(&tf, false, IDE_XFER_DMA, 0, 1, 2), -EINVAL);
	assert_int_equal(ide_tf_rw(&tf, false, IDE_XFER_DMA, 1ULL << 48, 1, 0),
			 -ERANGE);
	assert_int_equal(ide_tf_rw(&tf, false, IDE_XFER_DMA, (1ULL << 48) - 1,
				   2, 0),
			 -ERANGE);
	assert_int_equal(
		ide_tf_rw(&tf, false, IDE_XFER_DMA, (1ULL << 48) - 1, 1, 0), 0);
}

static void test_tf_nodata(void **state)
{
	struct ide_taskfile tf;

	(void)state;
	ide_tf_nodata(&tf, ATA_CMD_FLUSH_CACHE_EXT, 1);
	assert_int_equal(tf.command, 0xea);
	assert_int_equal(tf.device, 0xb0);
	assert_int_equal(tf.count[0] | tf.count[1] | tf.lba_low[1], 0);
	ide_tf_nodata(&tf, ATA_CMD_IDENTIFY_DEVICE, 0);
	assert_int_equal(tf.command, 0xec);
	assert_int_equal(tf.device, 0xa0);
}

static void set_io_bar(struct pci_bar *b, u64 base, u64 size)
{
	memset(b, 0, sizeof(*b));
	b->base = base;
	b->size = size;
	b->io = true;
}

static void test_ports_compat(void **state)
{
	struct pci_bar bars[PCI_MAX_BARS];
	struct ide_chan_ports p;

	(void)state;
	memset(bars, 0, sizeof(bars));
	set_io_bar(&bars[4], 0xc000, 16);
	/* Bochs's PIIX3: prog-if 80h, both channels at the legacy ports. */
	assert_int_equal(ide_channel_ports(0x80, bars, 0, &p), 0);
	assert_int_equal(p.cmd, 0x1f0);
	assert_int_equal(p.ctl, 0x3f6);
	assert_int_equal(p.bm, 0xc000);
	assert_int_equal(ide_channel_ports(0x80, bars, 1, &p), 0);
	assert_int_equal(p.cmd, 0x170);
	assert_int_equal(p.ctl, 0x376);
	assert_int_equal(p.bm, 0xc008);
	/* Without bit 7, or without an I/O BAR4: no bus master. */
	assert_int_equal(ide_channel_ports(0x00, bars, 0, &p), 0);
	assert_int_equal(p.bm, 0);
	bars[4].io = false;
	assert_int_equal(ide_channel_ports(0x80, bars, 1, &p), 0);
	assert_int_equal(p.bm, 0);
	assert_int_equal(ide_channel_ports(0x80, bars, 2, &p), -EINVAL);
}

static void test_ports_native(void **state)
{
	struct pci_bar bars[PCI_MAX_BARS];
	struct ide_chan_ports p;

	(void)state;
	memset(bars, 0, sizeof(bars));
	set_io_bar(&bars[0], 0xd000, 8);
	set_io_bar(&bars[1], 0xd010, 4);
	set_io_bar(&bars[2], 0xd020, 8);
	set_io_bar(&bars[3], 0xd030, 4);
	set_io_bar(&bars[4], 0xd040, 16);
	/* 8Fh: both channels native (bits 0, 2), switchable, bus master. */
	assert_int_equal(ide_channel_ports(0x8f, bars, 0, &p), 0);
	assert_int_equal(p.cmd, 0xd000);
	assert_int_equal(p.ctl, 0xd012); /* control register at BAR1 + 2 */
	assert_int_equal(p.bm, 0xd040);
	assert_int_equal(ide_channel_ports(0x8f, bars, 1, &p), 0);
	assert_int_equal(p.cmd, 0xd020);
	assert_int_equal(p.ctl, 0xd032);
	assert_int_equal(p.bm, 0xd048);
	/* Mixed: primary native, secondary compatibility (prog-if 81h). */
	assert_int_equal(ide_channel_ports(0x81, bars, 1, &p), 0);
	assert_int_equal(p.cmd, 0x170);
	assert_int_equal(ide_channel_ports(0x81, bars, 0, &p), 0);
	assert_int_equal(p.cmd, 0xd000);
	/* A native channel needs its I/O BARs. */
	bars[3].size = 0;
	assert_int_equal(ide_channel_ports(0x8f, bars, 1, &p), -ENODEV);
	bars[0].io = false;
	assert_int_equal(ide_channel_ports(0x8f, bars, 0, &p), -ENODEV);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_layout),
		cmocka_unit_test(test_single),
		cmocka_unit_test(test_merge_contiguous),
		cmocka_unit_test(test_full_64k_is_count_zero),
		cmocka_unit_test(test_boundary_split),
		cmocka_unit_test(test_errors),
		cmocka_unit_test(test_entry_limit),
		cmocka_unit_test(test_placement),
		cmocka_unit_test(test_limits_always_build),
		cmocka_unit_test(test_limits_cap),
		cmocka_unit_test(test_limits_cap_one_entry),
		cmocka_unit_test(test_tf_lba48),
		cmocka_unit_test(test_tf_errors),
		cmocka_unit_test(test_tf_nodata),
		cmocka_unit_test(test_ports_compat),
		cmocka_unit_test(test_ports_native),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
