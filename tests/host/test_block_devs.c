// SPDX-License-Identifier: MIT
/*
 * Host test of the block layer's device list (blk_dev_at, blk_dev_find),
 * which the shell's blk, sched and tune commands walk. A binary of its own:
 * the other block tests register devices on their stacks, which the list
 * would then hold after they are gone.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <stdio.h>
#include <string.h>

#include "block/block.h"

static u64 fake_clock(void *ctx)
{
	(void)ctx;
	return 0;
}

static u8 disk[BLK_MAX_DEVICES + 2][4096];
static struct request pool[BLK_MAX_DEVICES + 2][2];
static struct ramdisk rd[BLK_MAX_DEVICES + 2];
static char names[BLK_MAX_DEVICES + 2][8];

static int add(unsigned int i)
{
	snprintf(names[i], sizeof(names[i]), "ram%u", i);
	return ramdisk_init(&rd[i], names[i], disk[i], sizeof(disk[i]), 2,
			    pool[i], 2, fake_clock, NULL);
}

static void test_list_in_order(void **state)
{
	(void)state;
	assert_null(blk_dev_at(0));
	assert_null(blk_dev_find("ram0"));
	assert_int_equal(add(0), 0);
	assert_int_equal(add(1), 0);
	assert_ptr_equal(blk_dev_at(0), &rd[0].dev);
	assert_ptr_equal(blk_dev_at(1), &rd[1].dev);
	assert_null(blk_dev_at(2));
	assert_ptr_equal(blk_dev_find("ram1"), &rd[1].dev);
	assert_null(blk_dev_find("ram"));
	/* Registering a device again (a new elevator default, a reset) does
	 * not list it twice. */
	assert_int_equal(add(0), 0);
	assert_null(blk_dev_at(2));
}

static void test_list_is_bounded(void **state)
{
	(void)state;
	for (unsigned int i = 2; i < BLK_MAX_DEVICES + 2; i++)
		assert_int_equal(add(i), 0);
	/* The devices past the list's room work; they are just not listed. */
	assert_non_null(blk_dev_at(BLK_MAX_DEVICES - 1));
	assert_null(blk_dev_at(BLK_MAX_DEVICES));
	assert_null(blk_dev_find(names[BLK_MAX_DEVICES]));
	assert_ptr_equal(blk_dev_find(names[BLK_MAX_DEVICES - 1]),
			 &rd[BLK_MAX_DEVICES - 1].dev);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_list_in_order),
		cmocka_unit_test(test_list_is_bounded),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
