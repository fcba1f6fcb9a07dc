// SPDX-License-Identifier: MIT
/*
 * Host tests for smp_start_page() (arch/x86/smp_page.c): the page below
 * 1 MiB the other CPUs start in must be free RAM by the memory map, hold
 * neither the boot information nor a module, and stay under the EBDA.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <string.h>

#include "core/bootinfo.h"
#include "arch/x86/arch.h"

static struct boot_info bi;

#define NO_LIMIT (1ULL << 20)

static void map(u64 base, u64 len, u32 type)
{
	bi.mmap[bi.n_mmap++] = (struct mem_range){ base, len, type };
}

static void pc_map(void)
{
	memset(&bi, 0, sizeof(bi));
	map(0, 0x9fc00, MEM_AVAILABLE);
	map(0x9fc00, 0x400, MEM_RESERVED);
	map(0xf0000, 0x10000, MEM_RESERVED);
	map(0x100000, 0x7f00000, MEM_AVAILABLE);
}

/* The highest page below 9F000h. */
static void test_highest_free_page(void **state)
{
	pc_map();
	assert_int_equal(smp_start_page(&bi, NO_LIMIT), 0x9e000);
}

static void test_skips_boot_information_and_modules(void **state)
{
	pc_map();
	bi.mbi_phys = 0x9e800; /* straddles into 9Exxx only */
	bi.mbi_size = 0x100;
	bi.modules[0] = (struct boot_module){ 0x9c000, 0x9d001, "" };
	bi.n_modules = 1;
	/* 9E000 holds the MBI, 9D000 the module's last byte, 9C000 its start */
	assert_int_equal(smp_start_page(&bi, NO_LIMIT), 0x9b000);
}

/* Below where the BDA says the EBDA begins, rounded down to a page. */
static void test_below_the_bios_area(void **state)
{
	pc_map();
	assert_int_equal(smp_start_page(&bi, 0x9a400), 0x99000);
	assert_int_equal(smp_start_page(&bi, 0x9a000), 0x99000);
	assert_int_equal(smp_start_page(&bi, 0x1000), 0);
	assert_int_equal(smp_start_page(&bi, 0), 0);
}

/* A reserved range inside an available one wins (overlapping maps). */
static void test_reserved_overlap_wins(void **state)
{
	pc_map();
	map(0x90000, 0xf000, MEM_RESERVED);
	assert_int_equal(smp_start_page(&bi, NO_LIMIT), 0x8f000);
}

/* A page must lie wholly in one available range. */
static void test_partial_page_not_taken(void **state)
{
	memset(&bi, 0, sizeof(bi));
	map(0x8000, 0x800, MEM_AVAILABLE);
	map(0x7000, 0x1000, MEM_AVAILABLE);
	assert_int_equal(smp_start_page(&bi, NO_LIMIT), 0x7000);
}

/* No free memory below 1 MiB (page 0 is never used): none. */
static void test_none_free(void **state)
{
	memset(&bi, 0, sizeof(bi));
	map(0, 0x1000, MEM_AVAILABLE);
	map(0x1000, 0x9f000, MEM_RESERVED);
	map(0x100000, 0x100000, MEM_AVAILABLE);
	assert_int_equal(smp_start_page(&bi, NO_LIMIT), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_highest_free_page),
		cmocka_unit_test(test_skips_boot_information_and_modules),
		cmocka_unit_test(test_below_the_bios_area),
		cmocka_unit_test(test_reserved_overlap_wins),
		cmocka_unit_test(test_partial_page_not_taken),
		cmocka_unit_test(test_none_free),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
