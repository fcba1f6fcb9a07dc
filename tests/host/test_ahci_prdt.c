// SPDX-License-Identifier: MIT
/*
 * Host tests of the AHCI PRDT builder and queue limits: merging, 4 MiB
 * splits, alignment and reach errors, entry limits, the mapping hook, and a
 * randomized check that every request within the advertised limits builds.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <stdlib.h>
#include <string.h>

#include "drivers/ahci/ahci_prdt.h"

#define BIG 2048
static struct ahci_prd prdt[BIG];

static int build(unsigned max, const struct ahci_seg *s, unsigned n, u32 *bytes)
{
	memset(prdt, 0xa5, sizeof(prdt));
	return ahci_prdt_build(prdt, max, s, n, NULL, true, bytes);
}

static void check_entry(unsigned i, u64 addr, u32 len)
{
	assert_int_equal(ahci_prd_addr(&prdt[i]), addr);
	assert_int_equal(ahci_prd_bytes(&prdt[i]), len);
	/* DBC = len - 1 is odd for an even length; I stays clear (polling). */
	assert_true(prdt[i].dbc & 1);
	assert_int_equal(prdt[i].dbc & AHCI_PRD_I, 0);
	assert_int_equal(prdt[i].rsvd, 0);
}

static void test_layout(void **state)
{
	(void)state;
	assert_int_equal(AHCI_PRDT_ENTRIES, 248);
	assert_int_equal(sizeof(struct ahci_cmd_table) +
				 AHCI_PRDT_ENTRIES * sizeof(struct ahci_prd),
			 4096);
}

static void test_single(void **state)
{
	struct ahci_seg s[] = { { 0x123000, 4096 } };
	u32 bytes;

	(void)state;
	assert_int_equal(build(8, s, 1, &bytes), 1);
	assert_int_equal(bytes, 4096);
	check_entry(0, 0x123000, 4096);
}

static void test_merge_contiguous(void **state)
{
	/* Three contiguous pieces and a gap: two entries. */
	struct ahci_seg s[] = { { 0x10000, 512 },
				{ 0x10200, 3584 },
				{ 0x11000, 4096 },
				{ 0x20000, 1024 } };
	u32 bytes;

	(void)state;
	assert_int_equal(build(8, s, 4, &bytes), 2);
	assert_int_equal(bytes, 512 + 3584 + 4096 + 1024);
	check_entry(0, 0x10000, 8192);
	check_entry(1, 0x20000, 1024);
}

static void test_no_merge_backwards(void **state)
{
	/* A descending neighbour is not contiguous in DMA order. */
	struct ahci_seg s[] = { { 0x11000, 4096 }, { 0x10000, 4096 } };
	u32 bytes;

	(void)state;
	assert_int_equal(build(8, s, 2, &bytes), 2);
	check_entry(0, 0x11000, 4096);
	check_entry(1, 0x10000, 4096);
}

static void test_split_4m(void **state)
{
	struct ahci_seg exact[] = { { 0x400000, MiB(4) } };
	struct ahci_seg plus2[] = { { 0x400000, MiB(4) + 2 } };
	struct ahci_seg ten[] = { { 0x1000000, MiB(10) } };
	u32 bytes;

	(void)state;
	assert_int_equal(build(8, exact, 1, &bytes), 1);
	check_entry(0, 0x400000, MiB(4));

	assert_int_equal(build(8, plus2, 1, &bytes), 2);
	check_entry(0, 0x400000, MiB(4));
	check_entry(1, 0x800000, 2);

	assert_int_equal(build(8, ten, 1, &bytes), 3);
	assert_int_equal(bytes, MiB(10));
	check_entry(0, 0x1000000, MiB(4));
	check_entry(1, 0x1400000, MiB(4));
	check_entry(2, 0x1800000, MiB(2));
}

static void test_merge_then_split(void **state)
{
	/* 3 MiB + 3 MiB contiguous: fill the first entry to 4 MiB. */
	struct ahci_seg s[] = { { 0x1000000, MiB(3) }, { 0x1300000, MiB(3) } };
	u32 bytes;

	(void)state;
	assert_int_equal(build(8, s, 2, &bytes), 2);
	check_entry(0, 0x1000000, MiB(4));
	check_entry(1, 0x1400000, MiB(2));
}

static void test_alignment_errors(void **state)
{
	struct ahci_seg odd_len[] = { { 0x1000, 512 }, { 0x3000, 511 } };
	struct ahci_seg odd_addr[] = { { 0x1001, 512 } };
	struct ahci_seg zero[] = { { 0x1000, 0 } };
	struct ahci_seg word[] = { { 0x1002, 2 } };
	u32 bytes = 77;

	(void)state;
	assert_int_equal(build(8, odd_len, 2, &bytes), -EINVAL);
	assert_int_equal(bytes, 0);
	assert_int_equal(build(8, odd_addr, 1, &bytes), -EINVAL);
	assert_int_equal(build(8, zero, 1, &bytes), -EINVAL);
	assert_int_equal(build(8, word, 0, &bytes), -EINVAL);
	/* Word alignment is all AHCI needs. */
	assert_int_equal(build(8, word, 1, &bytes), 1);
	check_entry(0, 0x1002, 2);
}

static void test_entry_limit(void **state)
{
	struct ahci_seg three[] = { { 0x1000, 512 },
				    { 0x3000, 512 },
				    { 0x5000, 512 } };
	struct ahci_seg big[] = { { 0x0, MiB(8) + 2 } };
	u32 bytes;

	(void)state;
	assert_int_equal(build(3, three, 3, &bytes), 3);
	assert_int_equal(build(2, three, 3, &bytes), -E2BIG);
	/* The overflow from splitting counts too. */
	assert_int_equal(build(3, big, 1, &bytes), 3);
	assert_int_equal(build(2, big, 1, &bytes), -E2BIG);
	/* The builder never writes past max_entries. */
	assert_int_equal(prdt[2].dba, 0xa5a5a5a5);
}

static void test_total_limit(void **state)
{
	struct ahci_seg s[] = { { 0x100000000ULL, 0x80000000U },
				{ 0x180000000ULL, 0x80000000U } };
	u32 bytes;

	(void)state;
	assert_int_equal(build(BIG, s, 2, &bytes), -E2BIG);
	assert_int_equal(build(BIG, s, 1, &bytes), 512);
	assert_int_equal(bytes, 0x80000000U);
}

static void test_dma32(void **state)
{
	struct ahci_seg below[] = { { 0xfffff000, 4096 } };
	struct ahci_seg above[] = { { 0x100000000ULL, 4096 } };
	struct ahci_seg cross[] = { { 0xfffff000, 8192 } };
	u32 bytes;

	(void)state;
	assert_int_equal(
		ahci_prdt_build(prdt, 8, below, 1, NULL, false, &bytes), 1);
	assert_int_equal(ahci_prdt_build(prdt, 8, above, 1, NULL, false,
					 &bytes),
			 -ERANGE);
	assert_int_equal(ahci_prdt_build(prdt, 8, cross, 1, NULL, false,
					 &bytes),
			 -ERANGE);
	assert_int_equal(ahci_prdt_build(prdt, 8, above, 1, NULL, true, &bytes),
			 1);
	assert_int_equal(prdt[0].dbau, 1);
	assert_int_equal(prdt[0].dba, 0);
}

/* A fake IOMMU: two scattered pages map to contiguous IOVAs. */
static u64 fake_map(u64 phys)
{
	if (phys == 0x50000)
		return 0x1000000;
	if (phys == 0x90000)
		return 0x1001000;
	return phys | 0x80000000ULL;
}

static void test_map_hook(void **state)
{
	struct ahci_seg s[] = { { 0x50000, 4096 },
				{ 0x90000, 4096 },
				{ 0x2000, 512 } };
	u32 bytes;

	(void)state;
	assert_int_equal(ahci_prdt_build(prdt, 8, s, 3, fake_map, true, &bytes),
			 2);
	check_entry(0, 0x1000000, 8192);
	check_entry(1, 0x80002000, 512);
}

static void test_limits(void **state)
{
	struct ahci_queue_limits ql;

	(void)state;
	ahci_calc_limits(AHCI_PRDT_ENTRIES, 512, 4096, ATA_MAX_SECTORS_LBA48,
			 32, &ql);
	assert_int_equal(ql.max_segments, 248);
	assert_int_equal(ql.max_segment_size, MiB(4));
	assert_int_equal(ql.max_sectors, 65535);
	assert_int_equal(ql.dma_alignment, 2);
	assert_int_equal(ql.queue_depth, 32);
	assert_int_equal(ql.physical_block_size, 4096);

	/* A tiny PRDT bounds the sectors instead of the ATA count. */
	ahci_calc_limits(2, 512, 512, ATA_MAX_SECTORS_LBA48, 1, &ql);
	assert_int_equal(ql.max_sectors, 16384);

	/* 4Kn: 65535 sectors are 256 MiB, still one command. */
	ahci_calc_limits(AHCI_PRDT_ENTRIES, 4096, 4096, ATA_MAX_SECTORS_LBA48,
			 32, &ql);
	assert_int_equal(ql.max_sectors, 65535);
	assert_int_equal(ql.logical_block_size, 4096);
}

/*
 * Every request the limits allow must build: random segment lists of at most
 * max_segments segments, each at most max_segment_size, sector multiples,
 * at most max_sectors in all, scattered or contiguous.
 */
static void test_limits_always_build(void **state)
{
	static struct ahci_seg segs[AHCI_PRDT_ENTRIES];
	struct ahci_queue_limits ql;
	u32 bytes;

	(void)state;
	srand(12345);
	ahci_calc_limits(AHCI_PRDT_ENTRIES, 512, 512, ATA_MAX_SECTORS_LBA48, 32,
			 &ql);
	for (int iter = 0; iter < 2000; iter++) {
		unsigned n = 1 + (unsigned)rand() % ql.max_segments;
		u64 addr = (u64)(rand() % 4096) * 4096;
		u64 left = (u64)ql.max_sectors * 512;
		u64 total = 0;
		unsigned k;

		for (k = 0; k < n && left >= 512; k++) {
			u64 len = 512 * (1 + (u64)rand() % 16384);

			len = MIN(len, (u64)ql.max_segment_size);
			len = MIN(len, left);
			segs[k].addr = addr;
			segs[k].len = (u32)len;
			left -= len;
			total += len;
			/* Half contiguous, half with a gap. */
			addr += len + ((rand() & 1) ? 4096 : 0);
		}
		int r = ahci_prdt_build(prdt, ql.max_segments, segs, k, NULL,
					true, &bytes);
		assert_true(r >= 1 && r <= (int)k);
		assert_int_equal(bytes, total);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_layout),
		cmocka_unit_test(test_single),
		cmocka_unit_test(test_merge_contiguous),
		cmocka_unit_test(test_no_merge_backwards),
		cmocka_unit_test(test_split_4m),
		cmocka_unit_test(test_merge_then_split),
		cmocka_unit_test(test_alignment_errors),
		cmocka_unit_test(test_entry_limit),
		cmocka_unit_test(test_total_limit),
		cmocka_unit_test(test_dma32),
		cmocka_unit_test(test_map_hook),
		cmocka_unit_test(test_limits),
		cmocka_unit_test(test_limits_always_build),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
