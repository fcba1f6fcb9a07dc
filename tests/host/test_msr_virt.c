// SPDX-License-Identifier: MIT
/*
 * Host tests for the guest's own MSRs (vmx/msr_virt.h): IA32_MISC_ENABLE's
 * R/W, RO and reserved bits and the XD_DISABLE/EFER.NXE rule; the
 * machine-check banks as kvm-unit-tests' x86/msr.c probes them; the MTRRs'
 * read-back, memory types, reserved and MAXPHYADDR bits, and VCNT; the
 * TSC_DEADLINE translation under the TSC offset.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "vmx/cpuid_features.h"
#include "vmx/msr_virt.h"

/* kvm-unit-tests' "non-canonical" probe value */
#define NONCANONICAL 0xaaaaaaaaaaaaaaaaULL

static void test_misc_enable_reset(void **state)
{
	/* Hardware: fast strings, PERFMON_AVAIL, a reserved bit 1, MONITOR
	 * FSM; the guest's starts off, as its CPUID hides MONITOR. */
	u64 m = misc_enable_reset(BIT(0) | BIT(7) | BIT(1) | BIT(18));

	assert_int_equal(m,
			 BIT(0) | MISC_EN_BTS_UNAVAIL | MISC_EN_PEBS_UNAVAIL);
}

/* kvm-unit-tests writes 0x400c50809 keeping bits 7, 11, 12, reads it back */
static void test_misc_enable_kut_value(void **state)
{
	u64 m = misc_enable_reset(0);
	u64 keep = BIT(7) | BIT(11) | BIT(12);
	u64 val = (0x400c50809ULL & ~keep) | (m & keep);

	assert_int_equal(misc_enable_write(&m, val, false, true), 0);
	assert_int_equal(m, val);
}

/*
 * Defect fixed (review): the MONITOR FSM bit read 1 while CPUID hid
 * MONITOR. It starts at 0 and changes only where the guest may have
 * MONITOR (SSE3 shown, MONITOR/MWAIT exiting), else the write is #GP
 * (SDM Vol.4 table 2-2); CPUID.1:ECX.MONITOR reads the bit.
 */
static void test_misc_enable_monitor(void **state)
{
	u64 m = misc_enable_reset(0), before = m;
	u32 r[4] = { 0, 0, ~0U, 0 };

	misc_enable_cpuid(m, 1, r);
	assert_int_equal(r[CPUID_ECX], ~0U & ~CPUID_1_ECX_MONITOR);
	assert_int_equal(misc_enable_write(&m, m | MISC_EN_MONITOR, false,
					   false),
			 -EPERM);
	assert_int_equal(m, before);
	/* Writing it 0 again changes nothing: no #GP. */
	assert_int_equal(misc_enable_write(&m, m | BIT(0), false, false), 0);
	assert_int_equal(
		misc_enable_write(&m, m | MISC_EN_MONITOR, false, true), 0);
	assert_true(m & MISC_EN_MONITOR);
	r[CPUID_ECX] = 0;
	misc_enable_cpuid(m, 1, r);
	assert_int_equal(r[CPUID_ECX], CPUID_1_ECX_MONITOR);
	/* Once on, it cannot go off where it could not come on. */
	assert_int_equal(misc_enable_write(&m, m & ~MISC_EN_MONITOR, false,
					   false),
			 -EPERM);
	assert_int_equal(
		misc_enable_write(&m, m & ~MISC_EN_MONITOR, false, true), 0);
	r[CPUID_ECX] = ~0U;
	misc_enable_cpuid(m, 0x80000001, r);
	assert_int_equal(r[CPUID_ECX], ~0U); /* leaf 1 only */
}

static void test_misc_enable_reserved_ro(void **state)
{
	u64 m = misc_enable_reset(0), before = m;

	assert_int_equal(misc_enable_write(&m, before | BIT(1), false, false),
			 -EPERM);
	assert_int_equal(misc_enable_write(&m, before | BIT(35), false, false),
			 -EPERM);
	assert_int_equal(m, before);
	/* RO bits: the write's value is ignored. */
	assert_int_equal(
		misc_enable_write(&m, MISC_EN_PERFMON_AVAIL, false, false), 0);
	assert_int_equal(m, MISC_EN_BTS_UNAVAIL | MISC_EN_PEBS_UNAVAIL);
}

static void test_misc_enable_xd_with_nxe(void **state)
{
	u64 m = misc_enable_reset(0), before = m;

	/* With NXE on it is stored too (KVM does; the SDM is silent). */
	assert_int_equal(
		misc_enable_write(&m, m | MISC_EN_XD_DISABLE, true, false), 0);
	assert_true(m & MISC_EN_XD_DISABLE);
	m = before;
	assert_int_equal(
		misc_enable_write(&m, m | MISC_EN_XD_DISABLE, false, false), 0);
	assert_true(m & MISC_EN_XD_DISABLE);
	/* Already set: writing it again is no change. */
	assert_int_equal(misc_enable_write(&m, m, true, false), 0);
	assert_int_equal(
		misc_enable_write(&m, m & ~MISC_EN_XD_DISABLE, true, false), 0);
}

static void test_misc_enable_cpuid(void **state)
{
	u32 r0[4] = { 22, 1, 2, 3 }, r1[4] = { 0, 0, 0, ~0U };
	u32 low[4] = { 1, 0, 0, 0 };

	misc_enable_cpuid(0, 0, r0);
	assert_int_equal(r0[CPUID_EAX], 22);
	misc_enable_cpuid(MISC_EN_LIMIT_CPUID, 0, r0);
	assert_int_equal(r0[CPUID_EAX], 2);
	assert_int_equal(r0[CPUID_EBX], 1); /* the vendor string stays */
	misc_enable_cpuid(MISC_EN_LIMIT_CPUID, 0, low);
	assert_int_equal(low[CPUID_EAX], 1); /* a limit, never a raise */
	misc_enable_cpuid(MISC_EN_LIMIT_CPUID, 0x80000001, r1);
	assert_int_equal(r1[CPUID_EDX], ~0U);
	misc_enable_cpuid(MISC_EN_XD_DISABLE, 0x80000001, r1);
	assert_int_equal(r1[CPUID_EDX], (u32)~BIT(20)); /* NX */
}

static void test_mca_banks(void **state)
{
	struct vmsr_mca mca;
	u64 v = 1;

	mca_reset(&mca, true);
	assert_int_equal(mca_read(&mca, MSR_IA32_MCG_CAP, &v), 0);
	assert_int_equal(v, VMSR_MC_BANKS);
	assert_int_equal(mca_write(&mca, MSR_IA32_MCG_CAP, v), -EPERM);
	for (u32 i = 0; i < VMSR_MC_BANKS; i++) {
		u32 base = MSR_IA32_MC0_CTL + 4 * i;

		assert_int_equal(mca_write(&mca, base + MC_CTL, 0), 0);
		assert_int_equal(mca_read(&mca, base + MC_CTL, &v), 0);
		assert_int_equal(v, 0);
		assert_int_equal(mca_write(&mca, base + MC_CTL, ~0ULL), 0);
		assert_int_equal(mca_read(&mca, base + MC_CTL, &v), 0);
		assert_int_equal(v, ~0ULL);
		assert_int_equal(mca_write(&mca, base + MC_CTL, NONCANONICAL),
				 -EPERM);
		assert_int_equal(mca_write(&mca, base + MC_STATUS, 0), 0);
		assert_int_equal(mca_write(&mca, base + MC_STATUS, 1), -EPERM);
		assert_int_equal(mca_write(&mca, base + MC_ADDR, NONCANONICAL),
				 0);
		assert_int_equal(mca_read(&mca, base + MC_ADDR, &v), 0);
		assert_int_equal(v, NONCANONICAL);
		assert_int_equal(mca_write(&mca, base + MC_MISC, ~0ULL), 0);
		assert_int_equal(mca_read(&mca, base + MC_MISC, &v), 0);
		assert_int_equal(v, ~0ULL);
	}
	/* Banks past the count, up to the 32 that fit below 480h. */
	for (u32 msr = MSR_IA32_MC0_CTL + 4 * VMSR_MC_BANKS;
	     msr <= MSR_IA32_MC_LAST; msr++) {
		assert_int_equal(mca_read(&mca, msr, &v), -EPERM);
		assert_int_equal(mca_write(&mca, msr, 0), -EPERM);
	}
	assert_int_equal(mca_read(&mca, MSR_IA32_MCG_CTL, &v), -EPERM);
	assert_true(mca_msr(MSR_IA32_MC_LAST));
	assert_false(mca_msr(MSR_IA32_MC_LAST + 1));
}

static void test_mca_status_and_reset(void **state)
{
	struct vmsr_mca mca;
	u64 v = 0;

	mca_reset(&mca, true);
	assert_int_equal(mca_write(&mca, MSR_IA32_MCG_STATUS, MCG_STATUS_RIPV),
			 0);
	assert_int_equal(mca_read(&mca, MSR_IA32_MCG_STATUS, &v), 0);
	assert_int_equal(v, MCG_STATUS_RIPV);
	assert_int_equal(mca_write(&mca, MSR_IA32_MCG_STATUS, BIT(3)), -EPERM);
	mca_write(&mca, MSR_IA32_MC0_CTL + MC_ADDR, 0x1234);
	mca_reset(&mca, true);
	mca_read(&mca, MSR_IA32_MCG_STATUS, &v);
	assert_int_equal(v, 0);
	mca_read(&mca, MSR_IA32_MC0_CTL + MC_ADDR, &v);
	assert_int_equal(v, 0);
	/* A CPU without MCA: none of it exists. */
	mca_reset(&mca, false);
	assert_int_equal(mca_read(&mca, MSR_IA32_MCG_CAP, &v), -EPERM);
	assert_int_equal(mca_write(&mca, MSR_IA32_MC0_CTL, 0), -EPERM);
}

/* Bochs's MTRRCAP: VCNT 8, FIX, WC; plus SMRR, which Keel drops. */
#define HW_CAP (8 | MTRRCAP_FIX | MTRRCAP_WC | BIT(11))

static void test_mtrr_cap(void **state)
{
	struct vmsr_mtrr m;
	u64 v = 0;

	mtrr_reset(&m, HW_CAP, 40);
	assert_int_equal(mtrr_read(&m, MSR_IA32_MTRRCAP, &v), 0);
	assert_int_equal(v, 8 | MTRRCAP_FIX | MTRRCAP_WC);
	assert_int_equal(mtrr_write(&m, MSR_IA32_MTRRCAP, v), -EPERM);
	mtrr_reset(&m, 255 | MTRRCAP_FIX, 40);
	mtrr_read(&m, MSR_IA32_MTRRCAP, &v);
	assert_int_equal(v, VMSR_MTRR_VAR_MAX | MTRRCAP_FIX);
	mtrr_reset(&m, 0, 40);
	assert_int_equal(mtrr_read(&m, MSR_IA32_MTRRCAP, &v), -EPERM);
	assert_int_equal(mtrr_write(&m, MSR_MTRR_DEF_TYPE, 6), -EPERM);
	assert_false(mtrr_msr(0x277)); /* PAT */
	assert_true(mtrr_msr(MSR_MTRR_DEF_TYPE));
}

static void test_mtrr_types(void **state)
{
	struct vmsr_mtrr m;
	u64 v = 0;

	mtrr_reset(&m, HW_CAP, 40);
	assert_int_equal(mtrr_write(&m, MSR_MTRR_DEF_TYPE, MTRR_DEF_TYPE_E | 6),
			 0);
	assert_int_equal(mtrr_read(&m, MSR_MTRR_DEF_TYPE, &v), 0);
	assert_int_equal(v, MTRR_DEF_TYPE_E | 6);
	for (u64 t = 0; t < 16; t++) {
		bool ok = t == 0 || t == 1 || t == 4 || t == 5 || t == 6;

		assert_int_equal(mtrr_write(&m, MSR_MTRR_DEF_TYPE, t),
				 ok ? 0 : -EPERM);
		assert_int_equal(mtrr_write(&m, MSR_MTRR_PHYSBASE0, t),
				 ok ? 0 : -EPERM);
		assert_int_equal(mtrr_write(&m, MSR_MTRR_FIX4K_F8000,
					    0x0006060606060606ULL | t << 56),
				 ok ? 0 : -EPERM);
	}
	/* DEF_TYPE bits 9:8 are reserved. */
	assert_int_equal(mtrr_write(&m, MSR_MTRR_DEF_TYPE, BIT(8) | 6), -EPERM);
	/* WC only with MTRRCAP.WC. */
	mtrr_reset(&m, 8 | MTRRCAP_FIX, 40);
	assert_int_equal(mtrr_write(&m, MSR_MTRR_DEF_TYPE, MTRR_TYPE_WC),
			 -EPERM);
}

static void test_mtrr_variable(void **state)
{
	struct vmsr_mtrr m;
	u64 v = 0;

	mtrr_reset(&m, HW_CAP, 40);
	assert_int_equal(mtrr_write(&m, MSR_MTRR_PHYSBASE0 + 14,
				    0xff00000000ULL | MTRR_TYPE_WB),
			 0);
	assert_int_equal(mtrr_read(&m, MSR_MTRR_PHYSBASE0 + 14, &v), 0);
	assert_int_equal(v, 0xff00000000ULL | MTRR_TYPE_WB);
	/* Bit 40 is at MAXPHYADDR; bits 11:8 of PHYSBASE are reserved. */
	assert_int_equal(mtrr_write(&m, MSR_MTRR_PHYSBASE0, BIT(40)), -EPERM);
	assert_int_equal(mtrr_write(&m, MSR_MTRR_PHYSBASE0, BIT(8)), -EPERM);
	assert_int_equal(mtrr_write(&m, MSR_MTRR_PHYSBASE0 + 1,
				    0xfff0000000ULL | MTRR_PHYSMASK_V),
			 0);
	assert_int_equal(mtrr_write(&m, MSR_MTRR_PHYSBASE0 + 1, BIT(10)),
			 -EPERM);
	assert_int_equal(mtrr_write(&m, MSR_MTRR_PHYSBASE0 + 1, BIT(40)),
			 -EPERM);
	/* Pair 8 is past VCNT. */
	assert_int_equal(mtrr_write(&m, MSR_MTRR_PHYSBASE0 + 16, 6), -EPERM);
	assert_int_equal(mtrr_read(&m, MSR_MTRR_PHYSBASE0 + 17, &v), -EPERM);
	/* Not an MTRR at all: between the fixed ones. */
	assert_int_equal(mtrr_read(&m, 0x251, &v), -EPERM);
	assert_int_equal(mtrr_read(&m, 0x280, &v), -EPERM); /* MC0_CTL2 */
}

static void test_mtrr_fixed_and_nth(void **state)
{
	struct vmsr_mtrr m;
	unsigned int n = 0;
	u64 v = 0;
	u32 msr;

	mtrr_reset(&m, HW_CAP, 40);
	for (unsigned int i = 0; (msr = mtrr_nth(&m, i)) != 0; i++, n++) {
		u64 val = msr == MSR_MTRR_DEF_TYPE ? 6 : 0x0505050505050505ULL;

		if (msr >= MSR_MTRR_PHYSBASE0 && msr < MSR_MTRR_PHYSBASE0 + 16)
			val = (msr & 1) ? MTRR_PHYSMASK_V : 5;
		assert_int_equal(mtrr_write(&m, msr, val), 0);
		assert_int_equal(mtrr_read(&m, msr, &v), 0);
		assert_int_equal(v, val);
	}
	assert_int_equal(n, 1 + VMSR_MTRR_FIXED + 16);
	/* Without FIX there are no fixed ranges. */
	mtrr_reset(&m, 8, 40);
	assert_int_equal(mtrr_read(&m, MSR_MTRR_FIX64K_00000, &v), -EPERM);
	assert_int_equal(mtrr_nth(&m, 1), MSR_MTRR_PHYSBASE0);
}

/* Guest deadline -> host deadline under the TSC offset, mod 2^64. */
static void test_tsc_deadline_to_host(void **state)
{
	u64 off = (1ULL << 40) - 0x29f0e124ULL; /* guest TSC moved up */

	assert_int_equal(tsc_deadline_to_host(0, off), 0); /* disarm stays */
	assert_int_equal(tsc_deadline_to_host(0, 0), 0);
	assert_int_equal(tsc_deadline_to_host(0x1234, 0), 0x1234);
	assert_int_equal(tsc_deadline_to_host((1ULL << 40) + 5, off),
			 0x29f0e124ULL + 5);
	/* Guest TSC moved below the host's: the offset wraps. */
	off = 0x1000 - 0x500000ULL;
	assert_int_equal(tsc_deadline_to_host(0x2000, off), 0x501000ULL);
	/* A deadline in the guest's past lands in the host's past (wraps
	 * to a huge value only if before host 0, a TSC never seen). */
	assert_int_equal(tsc_deadline_to_host(1, (u64)-10), 11);
	/* Landing exactly on host 0 must still arm: 1 (long past). */
	assert_int_equal(tsc_deadline_to_host(off, off), 1);
}

static void test_tsc_deadline_guest_view(void **state)
{
	/* Disarmed: 0, whatever was written. */
	assert_int_equal(tsc_deadline_guest_view(0, 100, 0x77), 0);
	/* Armed, host TSC before the deadline: the guest's value. */
	assert_int_equal(tsc_deadline_guest_view(200, 100, 0x77), 0x77);
	/* Fired (host TSC at or past it): 0, SDM Vol.3A 11.5.4.1. */
	assert_int_equal(tsc_deadline_guest_view(200, 200, 0x77), 0);
	assert_int_equal(tsc_deadline_guest_view(200, 300, 0x77), 0);
}

/*
 * TSC_ADJUST and the TSC move together (SDM Vol.3B 18.17.3), as
 * kvm-unit-tests' x86/tsc_adjust.c checks them: the guest's TSC is host
 * plus offset throughout.
 */
static void test_tsc_adjust(void **state)
{
	u64 off = 0, adj = 0, host = 5000;

	/* A write of 10^11 adds 10^11 to the TSC. */
	tsc_adjust_moves_offset(&off, &adj, 100000000000ULL);
	assert_int_equal(adj, 100000000000ULL);
	assert_int_equal(host + off, 5000 + 100000000000ULL);
	/* Back to 0: the TSC is the host's again. */
	tsc_adjust_moves_offset(&off, &adj, 0);
	assert_int_equal(off, 0);
	/* A TSC write of 10^11 at guest TSC 6000 adds 10^11 - 6000. */
	host = 6000;
	tsc_write_moves_adjust(&adj, 100000000000ULL, host + off);
	off = 100000000000ULL - host;
	assert_int_equal(adj, 100000000000ULL - 6000);
	/* Internal TSC = TSC - adjust is still the host's. */
	assert_int_equal(host + off - adj, host);
	/* Negative and huge values wrap mod 2^64, both ways. */
	tsc_adjust_moves_offset(&off, &adj, (u64)-1);
	assert_int_equal(host + off, host - 1);
	tsc_adjust_moves_offset(&off, &adj, 1ULL << 63);
	assert_int_equal(host + off - adj, host);
	tsc_write_moves_adjust(&adj, 0, host + off);
	off = -host;
	assert_int_equal(host + off - adj, host);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_misc_enable_reset),
		cmocka_unit_test(test_misc_enable_kut_value),
		cmocka_unit_test(test_misc_enable_monitor),
		cmocka_unit_test(test_misc_enable_reserved_ro),
		cmocka_unit_test(test_misc_enable_xd_with_nxe),
		cmocka_unit_test(test_misc_enable_cpuid),
		cmocka_unit_test(test_mca_banks),
		cmocka_unit_test(test_mca_status_and_reset),
		cmocka_unit_test(test_mtrr_cap),
		cmocka_unit_test(test_mtrr_types),
		cmocka_unit_test(test_mtrr_variable),
		cmocka_unit_test(test_mtrr_fixed_and_nth),
		cmocka_unit_test(test_tsc_deadline_to_host),
		cmocka_unit_test(test_tsc_deadline_guest_view),
		cmocka_unit_test(test_tsc_adjust),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
