// SPDX-License-Identifier: MIT
/*
 * Host tests for vdev/fw_cfg_items.c: the items a guest written for QEMU
 * reads (read the way kvm-unit-tests' lib/x86/fwcfg.c does: select, then
 * N byte reads assembled little-endian), and the guest's hostile choices:
 * every selector, reads far past an item's end, the write-channel and
 * architecture bits.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <stdlib.h>
#include <string.h>

#include "vdev/fw_cfg_items.h"
#include "vm/guest_abi.h"

#define RAM (3ULL << 30) /* guest_mem=3G: above 2^31, below 2^32 */

static u64 get_le(struct fw_cfg *f, u16 selector, unsigned int bytes)
{
	u64 v = 0;

	fw_cfg_select(f, selector);
	for (unsigned int i = 0; i < bytes; i++)
		v |= (u64)fw_cfg_read(f) << (8 * i);
	return v;
}

static void test_signature_and_id(void **state)
{
	struct fw_cfg f;
	char sig[5] = { 0 };

	fw_cfg_reset(&f, RAM, 1);
	fw_cfg_select(&f, FW_CFG_SIGNATURE);
	for (int i = 0; i < 4; i++)
		sig[i] = (char)fw_cfg_read(&f);
	assert_string_equal(sig, "QEMU");
	assert_int_equal(fw_cfg_read(&f), 0); /* past the end */
	/* The traditional interface, and no DMA. */
	assert_int_equal(get_le(&f, FW_CFG_ID, 4), FW_CFG_ID_TRADITIONAL);
	/* A fresh device has selector 0 selected, as QEMU's. */
	fw_cfg_reset(&f, RAM, 1);
	assert_int_equal(fw_cfg_read(&f), 'Q');
}

static void test_what_kvm_unit_tests_reads(void **state)
{
	struct fw_cfg f;

	fw_cfg_reset(&f, RAM, 1);
	assert_int_equal(get_le(&f, FW_CFG_NB_CPUS, 2), 1);
	assert_int_equal(get_le(&f, FW_CFG_MAX_CPUS, 2), 1);
	assert_int_equal(get_le(&f, FW_CFG_RAM_SIZE, 8), RAM);
	assert_int_equal(get_le(&f, FW_CFG_NOGRAPHIC, 2), 1);
	/* An empty file directory: count 0, and nothing after it. */
	assert_int_equal(get_le(&f, FW_CFG_FILE_DIR, 8), 0);
	/* A wider read than the item: the rest reads 0, not a neighbour. */
	assert_int_equal(get_le(&f, FW_CFG_NB_CPUS, 8), 1);
	fw_cfg_reset(&f, 0xffffffffffffffffULL, 0xffff);
	assert_int_equal(get_le(&f, FW_CFG_RAM_SIZE, 8), 0xffffffffffffffffULL);
	assert_int_equal(get_le(&f, FW_CFG_NB_CPUS, 2), 0xffff);
}

static void test_select_rewinds(void **state)
{
	struct fw_cfg f;

	fw_cfg_reset(&f, RAM, 1);
	fw_cfg_select(&f, FW_CFG_RAM_SIZE);
	for (int i = 0; i < 5; i++)
		fw_cfg_read(&f);
	/* The same selector again starts the item afresh. */
	assert_int_equal(get_le(&f, FW_CFG_RAM_SIZE, 8), RAM);
	assert_int_equal(get_le(&f, FW_CFG_SIGNATURE, 2), 'Q' | 'E' << 8);
}

static void test_selector_bits(void **state)
{
	struct fw_cfg f;

	fw_cfg_reset(&f, RAM, 1);
	/* Bit 14 (the write channel) reads the same item. */
	assert_int_equal(get_le(&f, FW_CFG_WRITE_CHANNEL | FW_CFG_NB_CPUS, 2),
			 1);
	assert_int_equal(get_le(&f, FW_CFG_WRITE_CHANNEL | FW_CFG_RAM_SIZE, 8),
			 RAM);
	/* No architecture-specific items: 0x8000 (ACPI tables on QEMU) and
	 * the arch twin of every generic key read zeros. */
	assert_int_equal(get_le(&f, FW_CFG_ARCH_LOCAL, 8), 0);
	assert_int_equal(get_le(&f, FW_CFG_ARCH_LOCAL | FW_CFG_SIGNATURE, 4),
			 0);
	assert_int_equal(get_le(&f, 0xffff, 8), 0);
	/* Generic keys Keel does not serve read zeros, as QEMU's unknown. */
	assert_int_equal(get_le(&f, 0x0006, 8), 0); /* MACHINE_ID */
	assert_int_equal(get_le(&f, 0x0020, 8), 0); /* first file slot */
	assert_int_equal(get_le(&f, FW_CFG_ENTRY_MASK, 8), 0);
}

/*
 * Every one of the 65536 selectors: the item fits the buffer (ASan sees an
 * overrun of this exactly-sized heap buffer), and the reads match it byte
 * for byte, then zeros, however far they go past its end.
 */
static void test_every_selector_stays_inside(void **state)
{
	u8 *item = malloc(FW_CFG_ITEM_MAX);
	struct fw_cfg f;
	unsigned int served = 0;

	assert_non_null(item);
	fw_cfg_reset(&f, 0x8877665544332211ULL, 0x2001);
	for (u32 sel = 0; sel <= 0xffff; sel++) {
		unsigned int len = fw_cfg_item(&f, (u16)sel, item);

		assert_true(len <= FW_CFG_ITEM_MAX);
		served += len != 0;
		fw_cfg_select(&f, (u16)sel);
		for (unsigned int i = 0; i < len; i++)
			assert_int_equal(fw_cfg_read(&f), item[i]);
		for (unsigned int i = 0; i < 3 * FW_CFG_ITEM_MAX; i++)
			assert_int_equal(fw_cfg_read(&f), 0);
		assert_true(f.offset <= FW_CFG_ITEM_MAX);
	}
	/* Seven items, each reachable with and without bit 14. */
	assert_int_equal(served, 2 * 7);
	free(item);
}

static void test_endless_reads_do_not_wrap(void **state)
{
	struct fw_cfg f;

	fw_cfg_reset(&f, RAM, 1);
	fw_cfg_select(&f, FW_CFG_SIGNATURE);
	for (u32 i = 0; i < (1U << 22); i++)
		fw_cfg_read(&f);
	assert_int_equal(f.offset, 4);
	assert_int_equal(fw_cfg_read(&f), 0);
	/* Even a cursor at the top of its range reads 0 and stays there. */
	f.offset = 0xffffffffU;
	assert_int_equal(fw_cfg_read(&f), 0);
	assert_int_equal(f.offset, 0xffffffffU);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_signature_and_id),
		cmocka_unit_test(test_what_kvm_unit_tests_reads),
		cmocka_unit_test(test_select_rewinds),
		cmocka_unit_test(test_selector_bits),
		cmocka_unit_test(test_every_selector_stays_inside),
		cmocka_unit_test(test_endless_reads_do_not_wrap),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
