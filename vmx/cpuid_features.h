/* SPDX-License-Identifier: MIT */
/*
 * The one table of CPUID feature bits that have MSRs (or VMX controls)
 * behind them, and what Keel does with each: show it and back its MSRs, or
 * hide it. Keel's CPUID handler hides from it (vmx/cpuid_filter.c), the
 * test guest reads every MSR of every bit it is shown (guest/tests.c), and
 * docs/cpuid-msr.md is this table in prose; keep the three in step.
 *
 * Like vm/guest_abi.h it is included by Keel and by the freestanding 32-bit
 * test guest, so it uses only <stdint.h> types.
 *
 * Bits: SDM Vol.2A CPUID (tables 3-8, 3-10, 3-11, rev 080); MSRs: SDM
 * Vol.4 table 2-2.
 */
#ifndef KEEL_VMX_CPUID_FEATURES_H
#define KEEL_VMX_CPUID_FEATURES_H

#include <stdint.h>

enum cpuid_reg { CPUID_EAX, CPUID_EBX, CPUID_ECX, CPUID_EDX, CPUID_ALL };

/* The entry applies to every subleaf of its leaf. */
#define CPUID_ANY_SUB 0xffffffffU

enum cpuid_policy {
	/* Shown when the CPU has it; its MSRs read without #GP. */
	CPUID_BACKED,
	/* Always cleared: Keel does not back its MSRs or instructions. */
	CPUID_HIDDEN,
};

/* A VMX control without which the instruction behind a bit is #UD in the
 * guest (SDM Vol.3C 26.3, secondary controls table 25-7), or without
 * which Keel cannot back its MSR: the bit is hidden when Keel could not
 * enable it. */
enum cpuid_needs {
	CPUID_NEEDS_NONE,
	CPUID_NEEDS_RDTSCP, /* RDTSCP, RDPID */
	CPUID_NEEDS_INVPCID,
	CPUID_NEEDS_XSAVES, /* XSAVES/XRSTORS */
	/* Primary "use TSC offsetting" (table 25-6): IA32_TSC_ADJUST is
	 * emulated by moving the guest's TSC (vmx/msr_tsc.c). */
	CPUID_NEEDS_TSC_OFFSET,
};

#define CPUID_FEATURE_MSRS 4

struct cpuid_feature {
	const char *name;
	uint32_t leaf, sub;
	uint8_t reg, policy, needs;
	uint32_t mask;
	/* MSRs that read without #GP whenever the bit is shown (0 ends the
	 * list; MSR 0 is never one of them). */
	uint32_t msrs[CPUID_FEATURE_MSRS];
	/* A write-only command MSR; the guest test writes 1 to it (IBPB,
	 * L1D flush: both harmless). */
	uint32_t cmd_msr;
};

#define CPUID_B(n) (1U << (n))

/* clang-format off */
static const struct cpuid_feature cpuid_features[] = {
	/* ---- leaf 1 EDX ---- */
	{ "tsc", 1, 0, CPUID_EDX, CPUID_BACKED, 0, CPUID_B(4), { 0x10 }, 0 },
	{ "msr_pat", 1, 0, CPUID_EDX, CPUID_BACKED, 0, CPUID_B(16), { 0x277 }, 0 },
	{ "apic", 1, 0, CPUID_EDX, CPUID_BACKED, 0, CPUID_B(9), { 0x1b }, 0 },
	{ "sep", 1, 0, CPUID_EDX, CPUID_BACKED, 0, CPUID_B(11), { 0x174, 0x175, 0x176 }, 0 },
	{ "mtrr", 1, 0, CPUID_EDX, CPUID_BACKED, 0, CPUID_B(12), { 0xfe, 0x2ff }, 0 },
	{ "mca", 1, 0, CPUID_EDX, CPUID_BACKED, 0, CPUID_B(14), { 0x179, 0x17a }, 0 },
	{ "ds", 1, 0, CPUID_EDX, CPUID_HIDDEN, 0, CPUID_B(21), { 0x600 }, 0 },
	{ "acpi_thermal", 1, 0, CPUID_EDX, CPUID_HIDDEN, 0, CPUID_B(22), { 0x19a, 0x19b, 0x19c }, 0 },
	{ "tm", 1, 0, CPUID_EDX, CPUID_HIDDEN, 0, CPUID_B(29), { 0x19b, 0x19c }, 0 },
	/* ---- leaf 1 ECX ---- */
	{ "dtes64", 1, 0, CPUID_ECX, CPUID_HIDDEN, 0, CPUID_B(2), { 0x600 }, 0 },
	{ "monitor", 1, 0, CPUID_ECX, CPUID_HIDDEN, 0, CPUID_B(3), { 0 }, 0 },
	{ "ds_cpl", 1, 0, CPUID_ECX, CPUID_HIDDEN, 0, CPUID_B(4), { 0x600 }, 0 },
	{ "vmx", 1, 0, CPUID_ECX, CPUID_HIDDEN, 0, CPUID_B(5), { 0x480 }, 0 },
	{ "smx", 1, 0, CPUID_ECX, CPUID_HIDDEN, 0, CPUID_B(6), { 0 }, 0 },
	{ "est", 1, 0, CPUID_ECX, CPUID_HIDDEN, 0, CPUID_B(7), { 0x198, 0x199 }, 0 },
	{ "tm2", 1, 0, CPUID_ECX, CPUID_HIDDEN, 0, CPUID_B(8), { 0x199 }, 0 },
	{ "pdcm", 1, 0, CPUID_ECX, CPUID_HIDDEN, 0, CPUID_B(15), { 0x345 }, 0 },
	{ "dca", 1, 0, CPUID_ECX, CPUID_HIDDEN, 0, CPUID_B(18), { 0x1f8 }, 0 },
	{ "tsc_deadline", 1, 0, CPUID_ECX, CPUID_BACKED, 0, CPUID_B(24), { 0x6e0 }, 0 },
	/* ---- leaf 6: thermal and power management; only ARAT (EAX[2]) stays ---- */
	{ "pm_eax", 6, 0, CPUID_EAX, CPUID_HIDDEN, 0, ~CPUID_B(2), { 0x19c, 0x1b1, 0x770 }, 0 },
	{ "pm_ebx", 6, 0, CPUID_EBX, CPUID_HIDDEN, 0, ~0U, { 0 }, 0 },
	{ "aperfmperf", 6, 0, CPUID_ECX, CPUID_HIDDEN, 0, CPUID_B(0), { 0xe7, 0xe8 }, 0 },
	{ "energy_perf_bias", 6, 0, CPUID_ECX, CPUID_HIDDEN, 0, CPUID_B(3), { 0x1b0 }, 0 },
	/* ---- leaf 7.0 ---- */
	{ "tsc_adjust", 7, 0, CPUID_EBX, CPUID_BACKED, CPUID_NEEDS_TSC_OFFSET, CPUID_B(1), { 0x3b }, 0 },
	{ "sgx", 7, 0, CPUID_EBX, CPUID_HIDDEN, 0, CPUID_B(2), { 0x8c }, 0 },
	{ "invpcid", 7, 0, CPUID_EBX, CPUID_BACKED, CPUID_NEEDS_INVPCID, CPUID_B(10), { 0 }, 0 },
	{ "rdt_m", 7, 0, CPUID_EBX, CPUID_HIDDEN, 0, CPUID_B(12), { 0xc8d, 0xc8e, 0xc8f }, 0 },
	{ "mpx", 7, 0, CPUID_EBX, CPUID_HIDDEN, 0, CPUID_B(14), { 0xd90 }, 0 },
	{ "rdt_a", 7, 0, CPUID_EBX, CPUID_HIDDEN, 0, CPUID_B(15), { 0xc8f }, 0 },
	{ "intel_pt", 7, 0, CPUID_EBX, CPUID_HIDDEN, 0, CPUID_B(25), { 0x570 }, 0 },
	{ "waitpkg", 7, 0, CPUID_ECX, CPUID_HIDDEN, 0, CPUID_B(5), { 0xe1 }, 0 },
	{ "cet_ss", 7, 0, CPUID_ECX, CPUID_HIDDEN, 0, CPUID_B(7), { 0x6a0, 0x6a2 }, 0 },
	{ "tme", 7, 0, CPUID_ECX, CPUID_HIDDEN, 0, CPUID_B(13), { 0x981, 0x982 }, 0 },
	{ "la57", 7, 0, CPUID_ECX, CPUID_HIDDEN, 0, CPUID_B(16), { 0 }, 0 },
	{ "rdpid", 7, 0, CPUID_ECX, CPUID_BACKED, CPUID_NEEDS_RDTSCP, CPUID_B(22), { 0xc0000103 }, 0 },
	{ "sgx_lc", 7, 0, CPUID_ECX, CPUID_HIDDEN, 0, CPUID_B(30), { 0x8c }, 0 },
	{ "pks", 7, 0, CPUID_ECX, CPUID_HIDDEN, 0, CPUID_B(31), { 0x6e1 }, 0 },
	{ "uintr", 7, 0, CPUID_EDX, CPUID_HIDDEN, 0, CPUID_B(5), { 0x985 }, 0 },
	{ "pconfig", 7, 0, CPUID_EDX, CPUID_HIDDEN, 0, CPUID_B(18), { 0 }, 0 },
	{ "cet_ibt", 7, 0, CPUID_EDX, CPUID_HIDDEN, 0, CPUID_B(20), { 0x6a0, 0x6a2 }, 0 },
	{ "ibrs_ibpb", 7, 0, CPUID_EDX, CPUID_BACKED, 0, CPUID_B(26), { 0x48 }, 0x49 },
	{ "stibp", 7, 0, CPUID_EDX, CPUID_BACKED, 0, CPUID_B(27), { 0x48 }, 0 },
	{ "l1d_flush", 7, 0, CPUID_EDX, CPUID_BACKED, 0, CPUID_B(28), { 0 }, 0x10b },
	{ "arch_capabilities", 7, 0, CPUID_EDX, CPUID_BACKED, 0, CPUID_B(29), { 0x10a }, 0 },
	{ "core_capabilities", 7, 0, CPUID_EDX, CPUID_HIDDEN, 0, CPUID_B(30), { 0xcf }, 0 },
	{ "ssbd", 7, 0, CPUID_EDX, CPUID_BACKED, 0, CPUID_B(31), { 0x48 }, 0 },
	/* ---- whole leaves of hidden features ---- */
	{ "pmu", 0xa, CPUID_ANY_SUB, CPUID_ALL, CPUID_HIDDEN, 0, ~0U, { 0xc1, 0x186, 0x38f, 0x309 }, 0 },
	{ "rdt_m_leaf", 0xf, CPUID_ANY_SUB, CPUID_ALL, CPUID_HIDDEN, 0, ~0U, { 0xc8d }, 0 },
	{ "rdt_a_leaf", 0x10, CPUID_ANY_SUB, CPUID_ALL, CPUID_HIDDEN, 0, ~0U, { 0xc90 }, 0 },
	{ "sgx_leaf", 0x12, CPUID_ANY_SUB, CPUID_ALL, CPUID_HIDDEN, 0, ~0U, { 0 }, 0 },
	{ "intel_pt_leaf", 0x14, CPUID_ANY_SUB, CPUID_ALL, CPUID_HIDDEN, 0, ~0U, { 0x570 }, 0 },
	/* ---- leaf 0Dh: XSAVE ---- */
	{ "xcr0_mpx", 0xd, 0, CPUID_EAX, CPUID_HIDDEN, 0, CPUID_B(3) | CPUID_B(4), { 0xd90 }, 0 },
	{ "xsaves", 0xd, 1, CPUID_EAX, CPUID_BACKED, CPUID_NEEDS_XSAVES, CPUID_B(3), { 0xda0 }, 0 },
	{ "xfd", 0xd, 1, CPUID_EAX, CPUID_HIDDEN, 0, CPUID_B(4), { 0x1c4, 0x1c5 }, 0 },
	{ "xss_states_lo", 0xd, 1, CPUID_ECX, CPUID_HIDDEN, 0, ~0U, { 0 }, 0 },
	{ "xss_states_hi", 0xd, 1, CPUID_EDX, CPUID_HIDDEN, 0, ~0U, { 0 }, 0 },
	/* ---- extended leaves ---- */
	{ "syscall", 0x80000001, 0, CPUID_EDX, CPUID_BACKED, 0, CPUID_B(11), { 0xc0000081, 0xc0000082, 0xc0000084 }, 0 },
	{ "nx", 0x80000001, 0, CPUID_EDX, CPUID_BACKED, 0, CPUID_B(20), { 0xc0000080 }, 0 },
	{ "rdtscp", 0x80000001, 0, CPUID_EDX, CPUID_BACKED, CPUID_NEEDS_RDTSCP, CPUID_B(27), { 0xc0000103 }, 0 },
	{ "lm", 0x80000001, 0, CPUID_EDX, CPUID_BACKED, 0, CPUID_B(29), { 0xc0000100, 0xc0000101, 0xc0000102 }, 0 },
};
/* clang-format on */

#define CPUID_FEATURES_NR (sizeof(cpuid_features) / sizeof(cpuid_features[0]))

#endif
