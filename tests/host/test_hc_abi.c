// SPDX-License-Identifier: MIT
/*
 * Host tests for vmx/hc_abi.c: KVM's hypercall numbers (and those of
 * kvm-unit-tests, which uses -1) are not Keel's, Keel's four are, an
 * unassigned one in Keel's range is not, a 32-bit caller's number is EAX
 * alone and its result 32 bits as KVM gives it, and CPUID 0x40000001.EAX
 * (KVM's feature bits) is 0 with the ABI version in EBX.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "vm/guest_abi.h"
#include "vmx/hc_abi.h"

/* KVM_HC_VAPIC_POLL_IRQ 1 .. KVM_HC_MAP_GPA_RANGE 12 (Linux
 * include/uapi/linux/kvm_para.h), 0, and kvm-unit-tests' -1. */
static const u64 kvm_numbers[] = { 0, 1, 2,  3,	 4,  5,	    6,		7,
				   8, 9, 10, 11, 12, ~0ULL, 0xffffffffU };

static void test_kvm_numbers_are_not_keel(void **state)
{
	u32 nr = 0xdead;

	(void)state;
	for (size_t i = 0; i < sizeof(kvm_numbers) / sizeof(*kvm_numbers);
	     i++) {
		assert_false(hc_is_keel(kvm_numbers[i], true, &nr));
		assert_false(hc_is_keel(kvm_numbers[i], false, &nr));
	}
	assert_int_equal(nr, 0xdead);
}

static void test_keel_numbers(void **state)
{
	const u32 fns[] = { KEEL_HC_PRINT, KEEL_HC_INFO, KEEL_HC_EXIT,
			    KEEL_HC_RAISE_IRQ };
	u32 nr;

	(void)state;
	assert_int_equal(KEEL_HC_PRINT, 0x4b450000);
	for (size_t i = 0; i < sizeof(fns) / sizeof(*fns); i++) {
		nr = 0;
		assert_true(hc_is_keel(fns[i], true, &nr));
		assert_int_equal(nr, fns[i]);
		nr = 0;
		assert_true(hc_is_keel(fns[i], false, &nr));
		assert_int_equal(nr, fns[i]);
	}
	/* Unassigned, in and around Keel's range. */
	assert_false(hc_is_keel(KEEL_HC_BASE + KEEL_HC_NR, true, &nr));
	assert_false(hc_is_keel(KEEL_HC_BASE + 0xffff, true, &nr));
	assert_false(hc_is_keel(KEEL_HC_BASE - 1, true, &nr));
}

static void test_upper_half_of_rax(void **state)
{
	u64 high = 0x1234567800000000ULL | KEEL_HC_INFO;
	u32 nr = 0;

	(void)state;
	/* A 64-bit caller means all of RAX: not Keel's. */
	assert_false(hc_is_keel(high, true, &nr));
	/* Outside 64-bit mode the upper half is not the caller's. */
	assert_true(hc_is_keel(high, false, &nr));
	assert_int_equal(nr, KEEL_HC_INFO);
	assert_false(hc_is_keel(0x1234567800000000ULL, false, &nr));
}

static void test_results(void **state)
{
	(void)state;
	assert_int_equal(hc_result(-KEEL_ENOSYS, true), (u64)-1000LL);
	assert_int_equal(hc_result(-KEEL_ENOSYS, false), 0xfffffc18ULL);
	assert_int_equal(hc_result(-KEEL_EPERM, false), 0xffffffffULL);
	assert_int_equal(hc_result(-KEEL_EPERM, true), ~0ULL);
	assert_int_equal(hc_result(0, false), 0);
}

static void test_cpuid_leaves(void **state)
{
	u32 a, b, c, d;

	(void)state;
	keel_cpuid_leaf(KEEL_CPUID_LEAF_SIGNATURE, &a, &b, &c, &d);
	assert_int_equal(a, KEEL_CPUID_LEAF_INFO);
	assert_int_equal(b, 0x6c65654b); /* "Keel" */
	assert_int_equal(c, 0x6c65654b);
	assert_int_equal(d, 0x6c65654b);
	keel_cpuid_leaf(KEEL_CPUID_LEAF_INFO, &a, &b, &c, &d);
	assert_int_equal(a, 0); /* no KVM_FEATURE_* bit */
	assert_int_equal(b, 2);
	assert_int_equal(c, 0);
	assert_int_equal(d, 0);
	keel_cpuid_leaf(KEEL_CPUID_LEAF_INFO + 1, &a, &b, &c, &d);
	assert_int_equal(a | b | c | d, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_kvm_numbers_are_not_keel),
		cmocka_unit_test(test_keel_numbers),
		cmocka_unit_test(test_upper_half_of_rax),
		cmocka_unit_test(test_results),
		cmocka_unit_test(test_cpuid_leaves),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
