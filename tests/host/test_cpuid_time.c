// SPDX-License-Identifier: MIT
/*
 * Host tests for vmx/cpuid_time.c: leaves that describe the measured TSC
 * pass unchanged, Bochs's (a 3.5 GHz part whose TSC counts instructions)
 * are rewritten so that Linux's native_calibrate_tsc() arithmetic gives
 * the measured rate exactly, and the LAPIC timer's rate is the crystal.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <string.h>

#include "vmx/cpuid_time.h"

/* Linux 6.1 native_calibrate_tsc() and its lapic_timer_period, as
 * integers, so the tests check what the guest will compute. */
static u64 linux_tsc_khz(const u32 l15[4], const u32 l16[4], u64 *crystal)
{
	u64 c = l15[2] / 1000;

	if (!l15[0] || !l15[1])
		return 0;
	if (!c)
		c = (u64)l16[0] * 1000 * l15[0] / l15[1];
	*crystal = c;
	return c * l15[1] / l15[0];
}

/* Bochs 2.7 corei7_skylake_x: ratio 292/2, no crystal, base 3500 MHz. */
static const u32 bochs15[4] = { 2, 292, 0, 0 };
static const u32 bochs16[4] = { 3500, 3500, 100, 0 };

static void test_bochs_rewritten(void **state)
{
	u32 l15[4], l16[4];
	u64 crystal = 0;

	memcpy(l15, bochs15, sizeof(l15));
	memcpy(l16, bochs16, sizeof(l16));
	assert_int_equal(cpuid_time_khz(l15, l16), 3499912);
	assert_true(cpuid_time_leaves(0x16, 10000, 10000, l15, l16));
	assert_int_equal(linux_tsc_khz(l15, l16, &crystal), 10000);
	assert_int_equal(crystal, 10000);
	assert_int_equal(l15[2], 10000000);
	assert_int_equal(l16[0], 10);
	assert_int_equal(l16[1], 10);
	assert_int_equal(cpuid_time_khz(l15, l16), 10000);
}

static void test_crystal_is_the_lapic_timer(void **state)
{
	u32 l15[4], l16[4];
	u64 crystal = 0;

	memcpy(l15, bochs15, sizeof(l15));
	memcpy(l16, bochs16, sizeof(l16));
	assert_true(cpuid_time_leaves(0x16, 2893210, 24000, l15, l16));
	assert_int_equal(linux_tsc_khz(l15, l16, &crystal), 2893210);
	assert_int_equal(crystal, 24000);
	assert_int_equal(l16[0], 2893);
	assert_int_equal(l16[2], 24);
	/* No LAPIC timer measured: the crystal runs at the TSC's rate. */
	memcpy(l15, bochs15, sizeof(l15));
	assert_true(cpuid_time_leaves(0x16, 10000, 0, l15, l16));
	assert_int_equal(linux_tsc_khz(l15, l16, &crystal), 10000);
	assert_int_equal(crystal, 10000);
}

/* An i7-6700K: ratio 334/2, no crystal (24 MHz), base 4000 MHz; and a
 * part that names its crystal (38.4 MHz, ratio 190/2). */
static void test_hardware_that_agrees_is_untouched(void **state)
{
	u32 l15[4] = { 2, 334, 0, 0 }, l16[4] = { 4000, 4200, 100, 0 };
	u32 full15[4] = { 2, 190, 38400000, 0 };

	assert_int_equal(cpuid_time_khz(l15, l16), 3999984);
	assert_false(cpuid_time_leaves(0x16, 4008000, 24000, l15, l16));
	assert_false(cpuid_time_leaves(0x16, 3999984ULL * 1009 / 1000, 24000,
				       l15, l16));
	assert_int_equal(l15[1], 334);
	assert_int_equal(l16[0], 4000);
	assert_int_equal(cpuid_time_khz(full15, NULL), 3648000);
	assert_false(cpuid_time_leaves(0x15, 3650000, 38400, full15, NULL));
	assert_int_equal(full15[2], 38400000);
	/* 1.1 % off is another rate. */
	assert_true(cpuid_time_leaves(0x16, 3999984ULL * 1011 / 1000, 24000,
				      l15, l16));
}

static void test_missing_or_zero_leaves(void **state)
{
	u32 l15[4] = { 0, 0, 0, 0 }, l16[4] = { 7, 7, 7, 7 };
	u64 crystal = 0;

	/* Leaves the CPU does not have stay as they are. */
	assert_false(cpuid_time_leaves(0x14, 10000, 10000, l15, l16));
	assert_false(cpuid_time_leaves(0x16, 0, 10000, l15, l16));
	assert_int_equal(l15[2], 0);
	/* An all-zero 15h says nothing: it is filled in; 16h above the
	 * maximum leaf is not. */
	assert_true(cpuid_time_leaves(0x15, 10000, 10000, l15, l16));
	assert_int_equal(linux_tsc_khz(l15, l16, &crystal), 10000);
	assert_int_equal(l16[0], 7);
	/* A crystal above 4.29 GHz does not fit ECX: left alone. */
	memcpy(l15, bochs15, sizeof(l15));
	assert_false(cpuid_time_leaves(0x16, 5000000, 5000000, l15, l16));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_bochs_rewritten),
		cmocka_unit_test(test_crystal_is_the_lapic_timer),
		cmocka_unit_test(test_hardware_that_agrees_is_untouched),
		cmocka_unit_test(test_missing_or_zero_leaves),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
