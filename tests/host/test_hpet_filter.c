// SPDX-License-Identifier: MIT
/*
 * Host tests for vdev/hpet_filter.c: the guest gets the HPET's counter,
 * configuration and comparators, and never FSB delivery, whose "interrupt"
 * is a memory write to an address of the guest's choosing.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "vdev/hpet_filter.h"

#define T(n, reg) (HPET_TIMER0 + HPET_TIMER_STRIDE * (n) + (reg))

static void test_counter_and_config_pass(void **state)
{
	u64 v = 0x123456789abcdefULL;

	assert_true(hpet_read_forwards(0xf0, 8)); /* main counter */
	assert_int_equal(hpet_filter(0xf0, 8, false, &v), HPET_FORWARD);
	assert_int_equal(v, 0x123456789abcdefULL);
	v = 3; /* ENABLE_CNF | LEG_RT_CNF */
	assert_int_equal(hpet_filter(0x10, 4, true, &v), HPET_FORWARD);
	assert_int_equal(v, 3);
	v = 0xdeadbeef; /* timer 2's comparator */
	assert_int_equal(hpet_filter(T(2, 8), 4, true, &v), HPET_FORWARD);
	assert_int_equal(v, 0xdeadbeef);
}

static void test_fsb_never_offered(void **state)
{
	/* Timer 0 as an HPET has it: FSB capable, periodic, 64-bit,
	 * routable to IOAPIC pins 2 and 8. */
	u64 v = 0x0000010400008030ULL;

	assert_true(hpet_read_forwards(T(0, 0), 8));
	assert_int_equal(hpet_filter(T(0, 0), 8, false, &v), HPET_FORWARD);
	assert_int_equal(v, 0x0000010400000030ULL);
	v = 0x8030;
	assert_int_equal(hpet_filter(T(0, 0), 4, false, &v), HPET_FORWARD);
	assert_int_equal(v, 0x30);
	/* Enabling FSB delivery: the bit is cleared, the rest passes. */
	v = HPET_TN_CONF_FSB_EN | BIT(2) | (5 << 9);
	assert_int_equal(hpet_filter(T(1, 0), 4, true, &v), HPET_FORWARD);
	assert_int_equal(v, BIT(2) | (5 << 9));
	v = HPET_TN_CONF_FSB_EN;
	assert_int_equal(hpet_filter(T(23, 0), 8, true, &v), HPET_FORWARD);
	assert_int_equal(v, 0);
}

static void test_fsb_route_is_inert(void **state)
{
	u64 v = 0xfee00000000000ffULL;

	assert_int_equal(hpet_filter(T(0, HPET_TN_FSB_ROUTE), 8, true, &v),
			 HPET_DROP);
	v = 0x1000; /* an address in Keel's memory */
	assert_int_equal(hpet_filter(T(2, HPET_TN_FSB_ROUTE + 4), 4, true, &v),
			 HPET_DROP);
	assert_false(hpet_read_forwards(T(2, HPET_TN_FSB_ROUTE), 4));
	v = 77;
	assert_int_equal(hpet_filter(T(2, HPET_TN_FSB_ROUTE), 4, false, &v),
			 HPET_DROP);
	assert_int_equal(v, 0);
}

static void test_odd_accesses_dropped(void **state)
{
	u64 v = 5;

	assert_false(hpet_read_forwards(0xf1, 4)); /* misaligned */
	assert_int_equal(hpet_filter(0xf2, 4, false, &v), HPET_DROP);
	assert_int_equal(v, 0xffffffffULL);
	assert_int_equal(hpet_filter(0x10, 1, false, &v), HPET_DROP);
	assert_int_equal(v, 0xff);
	assert_int_equal(hpet_filter(0x10, 2, true, &v), HPET_DROP);
	/* Past the 1 KiB block, still in its page. */
	assert_false(hpet_read_forwards(HPET_BLOCK_LEN, 4));
	assert_int_equal(hpet_filter(0xff8, 8, false, &v), HPET_DROP);
	assert_int_equal(v, ~0ULL);
	assert_int_equal(hpet_filter(HPET_BLOCK_LEN - 4, 8, true, &v),
			 HPET_DROP);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_counter_and_config_pass),
		cmocka_unit_test(test_fsb_never_offered),
		cmocka_unit_test(test_fsb_route_is_inert),
		cmocka_unit_test(test_odd_accesses_dropped),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
