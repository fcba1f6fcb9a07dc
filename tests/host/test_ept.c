// SPDX-License-Identifier: MIT
/*
 * Host tests for ept/ept.c: the table builder on malloc'd pages with fake
 * physical addresses, checked by walking the tables independently.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "ept/ept.h"
#include "ept_fake.h"

struct fixture {
	struct fake_mem fm;
	struct ept_alloc alloc;
	struct ept ept;
};

static int setup_caps(void **state, bool m2, bool g1)
{
	struct fixture *f = calloc(1, sizeof(*f));

	f->fm.fail_after = -1;
	f->alloc =
		(struct ept_alloc){ &f->fm, fake_alloc, fake_free, fake_p2v };
	if (ept_init(&f->ept, &f->alloc, m2, g1))
		return -1;
	*state = f;
	return 0;
}

static int setup_all(void **state)
{
	return setup_caps(state, true, true);
}

static int setup_2m(void **state)
{
	return setup_caps(state, true, false);
}

static int setup_4k(void **state)
{
	return setup_caps(state, false, false);
}

static int teardown(void **state)
{
	struct fixture *f = *state;

	ept_destroy(&f->ept);
	/* Every table page came back: no leak in split/replace/unmap. */
	assert_int_equal(f->fm.live, 0);
	free(f);
	return 0;
}

static void expect_map(struct fixture *f, u64 gpa, u64 hpa, u64 page_size,
		       u32 perms, u32 mt)
{
	struct ept_mapping m;

	assert_int_equal(ept_lookup(&f->ept, gpa, &m), 0);
	assert_int_equal(m.hpa, hpa);
	assert_int_equal(m.page_size, page_size);
	assert_int_equal(m.perms, perms);
	assert_int_equal(m.memtype, mt);
	/* Leaves ignore PAT so guest PAT cannot make RAM uncached. */
	assert_true(m.entry & EPT_IGNORE_PAT);
}

static void expect_unmapped(struct fixture *f, u64 gpa)
{
	struct ept_mapping m;

	assert_int_equal(ept_lookup(&f->ept, gpa, &m), -ENOENT);
}

static void test_empty(void **state)
{
	struct fixture *f = *state;

	expect_unmapped(f, 0);
	expect_unmapped(f, 0x12345000);
	assert_int_equal(f->ept.tables, 1);
}

static void test_4k_mapping(void **state)
{
	struct fixture *f = *state;

	assert_int_equal(ept_map(&f->ept, 0x1000, 0x200000 + 0x5000, 0x1000,
				 EPT_MAP_RAM),
			 0);
	expect_map(f, 0x1000, 0x205000, EPT_SIZE_4K, 7, EPT_MT_WB);
	expect_map(f, 0x1abc, 0x205abc, EPT_SIZE_4K, 7, EPT_MT_WB);
	expect_unmapped(f, 0x0);
	expect_unmapped(f, 0x2000);
	/* PML4 + PDPT + PD + PT */
	assert_int_equal(f->ept.tables, 4);
}

static void test_large_pages_by_alignment(void **state)
{
	struct fixture *f = *state;

	/* 0..2G+6M: 1G, 1G, then 2M pages, then 4K for the odd tail. */
	assert_int_equal(ept_map(&f->ept, 0, 0x100000000ULL,
				 2 * EPT_SIZE_1G + 3 * EPT_SIZE_2M + 0x3000,
				 EPT_MAP_RAM),
			 0);
	expect_map(f, 0, 0x100000000ULL, EPT_SIZE_1G, 7, EPT_MT_WB);
	expect_map(f, EPT_SIZE_1G + 0x1234, 0x140001234ULL, EPT_SIZE_1G, 7,
		   EPT_MT_WB);
	expect_map(f, 2 * EPT_SIZE_1G + EPT_SIZE_2M, 0x180200000ULL,
		   EPT_SIZE_2M, 7, EPT_MT_WB);
	expect_map(f, 2 * EPT_SIZE_1G + 3 * EPT_SIZE_2M + 0x2000,
		   0x180602000ULL, EPT_SIZE_4K, 7, EPT_MT_WB);
	expect_unmapped(f, 2 * EPT_SIZE_1G + 3 * EPT_SIZE_2M + 0x3000);
}

static void test_misaligned_hpa_uses_small_pages(void **state)
{
	struct fixture *f = *state;

	/* GPA 2M-aligned but HPA only 4K-aligned: no large leaf possible. */
	assert_int_equal(ept_map(&f->ept, EPT_SIZE_2M, 0x10001000, EPT_SIZE_2M,
				 EPT_MAP_RAM),
			 0);
	expect_map(f, EPT_SIZE_2M, 0x10001000, EPT_SIZE_4K, 7, EPT_MT_WB);
	expect_map(f, 2 * EPT_SIZE_2M - 0x1000, 0x10200000, EPT_SIZE_4K, 7,
		   EPT_MT_WB);
}

static void test_caps_limit_leaf_size(void **state)
{
	struct fixture *f = *state;
	bool g1 = f->ept.allow_1g, m2 = f->ept.allow_2m;
	u64 expect = g1 ? EPT_SIZE_1G : m2 ? EPT_SIZE_2M : EPT_SIZE_4K;

	assert_int_equal(ept_map(&f->ept, EPT_SIZE_1G, EPT_SIZE_1G, EPT_SIZE_1G,
				 EPT_MAP_RAM),
			 0);
	expect_map(f, EPT_SIZE_1G + 0x3000, EPT_SIZE_1G + 0x3000, expect, 7,
		   EPT_MT_WB);
}

static void test_mmio_uc(void **state)
{
	struct fixture *f = *state;

	assert_int_equal(ept_map(&f->ept, 0xfee00000, 0xfee00000, 0x1000,
				 EPT_MAP_MMIO),
			 0);
	expect_map(f, 0xfee00000, 0xfee00000, EPT_SIZE_4K, EPT_READ | EPT_WRITE,
		   EPT_MT_UC);
}

static void test_protect_splits_1g(void **state)
{
	struct fixture *f = *state;

	assert_int_equal(
		ept_map(&f->ept, 0, 0x40000000, EPT_SIZE_1G, EPT_MAP_RAM), 0);
	expect_map(f, 0x5000, 0x40005000, EPT_SIZE_1G, 7, EPT_MT_WB);
	/* Write-protect one 4K page in the middle. */
	assert_int_equal(ept_protect(&f->ept, 0x00345000, 0x1000,
				     EPT_READ | EPT_EXEC),
			 0);
	expect_map(f, 0x00345000, 0x40345000, EPT_SIZE_4K, 5, EPT_MT_WB);
	expect_map(f, 0x00344000, 0x40344000, EPT_SIZE_4K, 7, EPT_MT_WB);
	expect_map(f, 0x00346000, 0x40346000, EPT_SIZE_4K, 7, EPT_MT_WB);
	/* The other 2M regions stay 2M leaves after the 1G split. */
	expect_map(f, 0x00600000, 0x40600000, EPT_SIZE_2M, 7, EPT_MT_WB);
	expect_map(f, EPT_SIZE_1G - 1, 0x40000000 + EPT_SIZE_1G - 1,
		   EPT_SIZE_2M, 7, EPT_MT_WB);
	/* PML4, PDPT, split PD, split PT */
	assert_int_equal(f->ept.tables, 4);
}

static void test_unmap_hole_in_2m(void **state)
{
	struct fixture *f = *state;

	assert_int_equal(ept_map(&f->ept, 0, 0, 4 * EPT_SIZE_2M, EPT_MAP_RAM),
			 0);
	/* Punch an MMIO hole: one page of the second 2M region. */
	assert_int_equal(ept_unmap(&f->ept, EPT_SIZE_2M + 0x7000, 0x1000), 0);
	expect_unmapped(f, EPT_SIZE_2M + 0x7000);
	expect_unmapped(f, EPT_SIZE_2M + 0x7fff);
	expect_map(f, EPT_SIZE_2M + 0x6000, EPT_SIZE_2M + 0x6000, EPT_SIZE_4K,
		   7, EPT_MT_WB);
	expect_map(f, EPT_SIZE_2M + 0x8000, EPT_SIZE_2M + 0x8000, EPT_SIZE_4K,
		   7, EPT_MT_WB);
	expect_map(f, 0, 0, f->ept.allow_2m ? EPT_SIZE_2M : EPT_SIZE_4K, 7,
		   EPT_MT_WB);
	expect_map(f, 3 * EPT_SIZE_2M, 3 * EPT_SIZE_2M,
		   f->ept.allow_2m ? EPT_SIZE_2M : EPT_SIZE_4K, 7, EPT_MT_WB);
}

static void test_unmap_whole_frees_tables(void **state)
{
	struct fixture *f = *state;

	assert_int_equal(ept_map(&f->ept, 0x1000, 0x1000, 0x3000, EPT_MAP_RAM),
			 0);
	assert_int_equal(f->ept.tables, 4);
	/* Unmapping the whole 512G PML4 slot frees its subtree. */
	assert_int_equal(ept_unmap(&f->ept, 0, 1ULL << 39), 0);
	assert_int_equal(f->ept.tables, 1);
	expect_unmapped(f, 0x1000);
	/* Unmapping holes is fine. */
	assert_int_equal(ept_unmap(&f->ept, 0x100000, 0x1000), 0);
}

static void test_remap_replaces_subtree(void **state)
{
	struct fixture *f = *state;

	assert_int_equal(
		ept_map(&f->ept, 0x200000, 0x1000, 0x2000, EPT_MAP_MMIO), 0);
	assert_int_equal(f->ept.tables, 4);
	/* Map a full 2M over it: the page table under the PDE is freed. */
	assert_int_equal(ept_map(&f->ept, 0x200000, 0x800000, EPT_SIZE_2M,
				 EPT_MAP_RAM),
			 0);
	expect_map(f, 0x201000, 0x801000, EPT_SIZE_2M, 7, EPT_MT_WB);
	assert_int_equal(f->ept.tables, 3);
}

static void test_protect_keeps_memtype_and_skips_holes(void **state)
{
	struct fixture *f = *state;

	assert_int_equal(
		ept_map(&f->ept, 0x10000, 0x10000, 0x1000, EPT_MAP_MMIO), 0);
	assert_int_equal(
		ept_map(&f->ept, 0x12000, 0x12000, 0x1000, EPT_MAP_RAM), 0);
	assert_int_equal(ept_protect(&f->ept, 0x10000, 0x3000, EPT_READ), 0);
	expect_map(f, 0x10000, 0x10000, EPT_SIZE_4K, EPT_READ, EPT_MT_UC);
	expect_unmapped(f, 0x11000);
	expect_map(f, 0x12000, 0x12000, EPT_SIZE_4K, EPT_READ, EPT_MT_WB);
}

static void test_invalid_args(void **state)
{
	struct fixture *f = *state;

	assert_int_equal(ept_map(&f->ept, 0x1001, 0, 0x1000, EPT_MAP_RAM),
			 -EINVAL);
	assert_int_equal(ept_map(&f->ept, 0x1000, 0x10, 0x1000, EPT_MAP_RAM),
			 -EINVAL);
	assert_int_equal(ept_map(&f->ept, 0x1000, 0, 0, EPT_MAP_RAM), -EINVAL);
	assert_int_equal(ept_map(&f->ept, 0x1000, 0, 0x1000, 0), -EINVAL);
	/* Write-only is an EPT misconfiguration. */
	assert_int_equal(ept_map(&f->ept, 0x1000, 0, 0x1000, EPT_WRITE),
			 -EINVAL);
	/* Reserved memory type 2. */
	assert_int_equal(ept_map(&f->ept, 0x1000, 0, 0x1000,
				 EPT_READ | EPT_MAP_MT(2)),
			 -EINVAL);
	assert_int_equal(ept_map(&f->ept, EPT_GPA_LIMIT, 0, 0x1000,
				 EPT_MAP_RAM),
			 -EINVAL);
	assert_int_equal(ept_map(&f->ept, EPT_GPA_LIMIT - 0x1000, 0, 0x2000,
				 EPT_MAP_RAM),
			 -EINVAL);
	assert_int_equal(ept_protect(&f->ept, 0, 0x1000, 0), -EINVAL);
	assert_int_equal(ept_unmap(&f->ept, 0, 0x800), -EINVAL);
	assert_int_equal(f->ept.tables, 1);
}

static void test_alloc_failure(void **state)
{
	struct fixture *f = *state;

	f->fm.fail_after = f->fm.allocs + 1; /* PDPT ok, PD fails */
	assert_int_equal(ept_map(&f->ept, 0x1000, 0x1000, 0x1000, EPT_MAP_RAM),
			 -ENOMEM);
	expect_unmapped(f, 0x1000);
	/* The PDPT the failed map made went back with it. */
	assert_int_equal(f->ept.tables, 1);
	f->fm.fail_after = -1;
	assert_int_equal(ept_map(&f->ept, 0x1000, 0x1000, 0x1000, EPT_MAP_RAM),
			 0);
	expect_map(f, 0x1000, 0x1000, EPT_SIZE_4K, 7, EPT_MT_WB);
}

/* A map that runs out of tables half way leaves none of its range mapped. */
static void test_alloc_failure_midway_unmaps(void **state)
{
	struct fixture *f = *state;

	/* Two 1G slots' worth of 4K pages: the second slot's PD fails. */
	f->fm.fail_after = f->fm.allocs + 3;
	assert_int_equal(ept_map(&f->ept, EPT_SIZE_1G - 0x1000, 0x1000, 0x2000,
				 EPT_MAP_MMIO),
			 -ENOMEM);
	expect_unmapped(f, EPT_SIZE_1G - 0x1000);
	expect_unmapped(f, EPT_SIZE_1G);
	assert_int_equal(f->ept.tables, 1);
}

/*
 * A BAR moved again and again: every unmap gives back the tables it
 * emptied, so the count stays where one mapping puts it.
 */
static void test_unmap_frees_emptied_tables(void **state)
{
	struct fixture *f = *state;

	for (u64 i = 0; i < 64; i++) {
		u64 gpa = 0x80000000ULL + i * EPT_SIZE_1G + 0x5000;

		assert_int_equal(ept_map(&f->ept, gpa, 0xfe000000, 0x2000,
					 EPT_MAP_MMIO),
				 0);
		assert_int_equal(f->ept.tables, 4);
		assert_int_equal(ept_unmap(&f->ept, gpa, 0x2000), 0);
		assert_int_equal(f->ept.tables, 1);
	}
	/* A hole punched in a mapping keeps the table the rest needs. */
	assert_int_equal(
		ept_map(&f->ept, 0x10000, 0x10000, 0x3000, EPT_MAP_RAM), 0);
	assert_int_equal(ept_unmap(&f->ept, 0x11000, 0x1000), 0);
	expect_map(f, 0x12000, 0x12000, EPT_SIZE_4K, 7, EPT_MT_WB);
	assert_int_equal(f->ept.tables, 4);
}

static void test_eptp(void **state)
{
	struct fixture *f = *state;
	u64 eptp = ept_eptp(&f->ept, false);

	/* WB (6), walk length 4 encoded as 3 in bits 5:3, PML4 address. */
	assert_int_equal(eptp & 0xfff, 6 | (3 << 3));
	assert_int_equal(eptp & ~0xfffULL, f->ept.pml4_pa);
	assert_int_equal(ept_eptp(&f->ept, true) & 0xfff, 6 | (3 << 3) | 0x40);
}

static void test_high_gpa(void **state)
{
	struct fixture *f = *state;
	u64 gpa = 0x8000000000ULL + 0x3000; /* PML4 slot 1 */

	assert_int_equal(ept_map(&f->ept, gpa, 0xabc000, 0x1000, EPT_MAP_RAM),
			 0);
	expect_map(f, gpa, 0xabc000, EPT_SIZE_4K, 7, EPT_MT_WB);
	expect_unmapped(f, 0x3000);
}

static void test_walk(void **state)
{
	struct fixture *f = *state;
	struct ept_walk w;

	assert_int_equal(
		ept_map(&f->ept, 0x1000, 0x205000, 0x1000, EPT_MAP_RAM), 0);
	assert_int_equal(ept_map(&f->ept, EPT_SIZE_2M, 0x400000, EPT_SIZE_2M,
				 EPT_MAP_RAM),
			 0);
	/* A 4K page: PML4E, PDPTE, PDE, then the PTE that maps it. */
	assert_int_equal(ept_walk(&f->ept, 0x1abc, &w), 0);
	assert_int_equal(w.n, 4);
	assert_true(w.leaf);
	assert_int_equal(w.index[3], 1);
	assert_int_equal(w.entry[3] & EPT_ADDR_MASK, 0x205000);
	assert_false(w.entry[2] & EPT_LARGE);
	/* A 2M page ends at the PDE, with the large bit. */
	assert_int_equal(ept_walk(&f->ept, EPT_SIZE_2M + 0x1234, &w), 0);
	assert_int_equal(w.n, 3);
	assert_true(w.leaf);
	assert_int_equal(w.index[2], 1);
	assert_true(w.entry[2] & EPT_LARGE);
	assert_int_equal(w.entry[2] & EPT_ADDR_MASK, 0x400000);
	/* Unmapped: the walk stops at the first entry not present. */
	assert_int_equal(ept_walk(&f->ept, 0x8000000000ULL, &w), 0);
	assert_int_equal(w.n, 1);
	assert_false(w.leaf);
	assert_int_equal(w.entry[0], 0);
	assert_int_equal(ept_walk(&f->ept, 0x3000, &w), 0);
	assert_int_equal(w.n, 4);
	assert_false(w.leaf);
	assert_int_equal(ept_walk(&f->ept, EPT_GPA_LIMIT, &w), -EINVAL);
}

#define T(fn, s) cmocka_unit_test_setup_teardown(fn, s, teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_empty, setup_all),
		T(test_4k_mapping, setup_all),
		T(test_large_pages_by_alignment, setup_all),
		T(test_misaligned_hpa_uses_small_pages, setup_all),
		T(test_caps_limit_leaf_size, setup_all),
		T(test_caps_limit_leaf_size, setup_2m),
		T(test_caps_limit_leaf_size, setup_4k),
		T(test_mmio_uc, setup_all),
		T(test_protect_splits_1g, setup_all),
		T(test_unmap_hole_in_2m, setup_all),
		T(test_unmap_hole_in_2m, setup_4k),
		T(test_unmap_whole_frees_tables, setup_all),
		T(test_remap_replaces_subtree, setup_all),
		T(test_protect_keeps_memtype_and_skips_holes, setup_all),
		T(test_invalid_args, setup_all),
		T(test_alloc_failure, setup_all),
		T(test_alloc_failure_midway_unmaps, setup_all),
		T(test_unmap_frees_emptied_tables, setup_all),
		T(test_eptp, setup_all),
		T(test_high_gpa, setup_all),
		T(test_walk, setup_all),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
