// SPDX-License-Identifier: MIT
/*
 * The MSRs Keel keeps for the guest (docs/cpuid-msr.md, "The guest's own
 * MSRs"): IA32_MISC_ENABLE reads back what was written and its LIMIT_CPUID,
 * XD_DISABLE and MONITOR bits act; the machine-check banks take what the
 * SDM allows and fault past MCG_CAP's count; the MTRRs read back and
 * refuse reserved memory types and bits. Values as kvm-unit-tests'
 * x86/msr.c uses them. Every check restores what it changed.
 */
#include "checks.h"

/* SDM Vol.4 table 2-2 */
#define MSR_MCG_CAP 0x179
#define MSR_MCG_STATUS 0x17a
#define MSR_MISC_ENABLE 0x1a0
#define MSR_MC0_CTL 0x400
#define MSR_MTRRCAP 0xfe
#define MSR_MTRR_PHYSBASE0 0x200
#define MSR_MTRR_FIX64K 0x250
#define MSR_MTRR_DEF_TYPE 0x2ff
#define MSR_EFER_ 0xc0000080
#define EFER_NXE BIT(11)
#define MISC_RO (BIT(7) | BIT(11) | BIT(12))
#define MISC_KUT_VALUE 0x400c50809ULL /* kvm-unit-tests x86/msr.c */
#define MISC_MONITOR BIT(18)
#define MISC_LIMIT_CPUID BIT(22)
#define MISC_XD_DISABLE (1ULL << 34)
#define CPUID_NX BIT(20) /* CPUID.80000001h:EDX */
#define CPUID1_ECX_SSE3 BIT(0) /* SDM Vol.2A table 3-10 */
#define CPUID1_ECX_MONITOR BIT(3)
#define NONCANONICAL 0xaaaaaaaaaaaaaaaaULL
#define MC_BANKS_MAX 32 /* 400h-47Fh */

static u64 rd(u32 msr)
{
	u64 v = 0;

	try_rdmsr(msr, &v);
	return v;
}

static void test_misc_enable_rw(void)
{
	u64 orig = 0, v = 0, val;
	u32 f0, f1, f2;

	f0 = try_rdmsr(MSR_MISC_ENABLE, &orig);
	val = (MISC_KUT_VALUE & ~(u64)MISC_RO) | (orig & MISC_RO);
	/* XD_DISABLE cannot be set with NX on: leave it out then. */
	if (rd(MSR_EFER_) & EFER_NXE)
		val &= ~MISC_XD_DISABLE;
	f1 = try_wrmsr(MSR_MISC_ENABLE, val);
	try_rdmsr(MSR_MISC_ENABLE, &v);
	try_wrmsr(MSR_MISC_ENABLE, orig);
	report("msr_misc_enable_readback",
	       f0 == NO_FAULT && f1 == NO_FAULT && v == val,
	       "rd=%s wr=%s wrote 0x%llx read 0x%llx", vec_name(f0),
	       vec_name(f1), (unsigned long long)val, (unsigned long long)v);
	f1 = try_wrmsr(MSR_MISC_ENABLE, orig | BIT(1));
	f2 = try_wrmsr(MSR_MISC_ENABLE, orig | (1ULL << 40));
	report("msr_misc_enable_reserved_gp", f1 == VEC_GP && f2 == VEC_GP,
	       "bit 1 %s, bit 40 %s", vec_name(f1), vec_name(f2));
}

/* LIMIT_CPUID: CPUID.0:EAX says 2 while it is set (SDM Vol.4 table 2-2). */
static void test_misc_enable_limit_cpuid(void)
{
	u64 orig = rd(MSR_MISC_ENABLE) & ~MISC_LIMIT_CPUID;
	u32 max = cpuid(0, 0).eax, lim, back, f;

	if (max <= 2) {
		report_skip("msr_misc_enable_limit_cpuid", "max leaf <= 2");
		return;
	}
	f = try_wrmsr(MSR_MISC_ENABLE, orig | MISC_LIMIT_CPUID);
	lim = cpuid(0, 0).eax;
	try_wrmsr(MSR_MISC_ENABLE, orig);
	back = cpuid(0, 0).eax;
	report("msr_misc_enable_limit_cpuid",
	       f == NO_FAULT && lim == 2 && back == max,
	       "wr=%s max leaf %u, limited %u, after %u", vec_name(f), max, lim,
	       back);
}

/*
 * XD_DISABLE: NX leaves CPUID and EFER.NXE cannot be set; set with NXE
 * already on it is stored and NXE stays (as KVM; docs/cpuid-msr.md).
 */
static void test_misc_enable_xd(void)
{
	u64 orig = rd(MSR_MISC_ENABLE) & ~MISC_XD_DISABLE, efer = rd(MSR_EFER_);
	u32 f1, f2, f3, f4, nx_off, nx_on;
	u64 nxe_kept;

	if (!(cpuid(0x80000001, 0).edx & CPUID_NX)) {
		report_skip("msr_misc_enable_xd_disable", "no NX");
		return;
	}
	efer &= ~(u64)EFER_NXE;
	try_wrmsr(MSR_EFER_, efer);
	f1 = try_wrmsr(MSR_MISC_ENABLE, orig | MISC_XD_DISABLE);
	nx_off = cpuid(0x80000001, 0).edx & CPUID_NX;
	f2 = try_wrmsr(MSR_EFER_, efer | EFER_NXE);
	try_wrmsr(MSR_MISC_ENABLE, orig);
	nx_on = cpuid(0x80000001, 0).edx & CPUID_NX;
	f3 = try_wrmsr(MSR_EFER_, efer | EFER_NXE);
	f4 = try_wrmsr(MSR_MISC_ENABLE, orig | MISC_XD_DISABLE);
	nxe_kept = rd(MSR_EFER_) & EFER_NXE;
	try_wrmsr(MSR_MISC_ENABLE, orig);
	try_wrmsr(MSR_EFER_, efer);
	report("msr_misc_enable_xd_disable",
	       f1 == NO_FAULT && !nx_off && f2 == VEC_GP && nx_on &&
		       f3 == NO_FAULT && f4 == NO_FAULT && nxe_kept,
	       "set %s nx %u nxe %s; clear: nx %u nxe %s; set with nxe %s",
	       vec_name(f1), !!nx_off, vec_name(f2), !!nx_on, vec_name(f3),
	       vec_name(f4));
}

static bool cpuid_monitor(void)
{
	return cpuid(1, 0).ecx & CPUID1_ECX_MONITOR;
}

/*
 * The MONITOR FSM bit and CPUID.1:ECX.MONITOR agree (SDM Vol.4 table
 * 2-2): Keel hides MONITOR, so the bit starts at 0 and MONITOR is #UD;
 * with SSE3 shown the guest may set it, and MONITOR then runs.
 */
static void test_misc_enable_monitor(void)
{
	static u32 line;
	u64 orig = rd(MSR_MISC_ENABLE);
	bool sse3 = cpuid(1, 0).ecx & CPUID1_ECX_SSE3, at_reset, off, on;
	u32 f0, f1, f2, f3;

	at_reset = !(orig & MISC_MONITOR) && !cpuid_monitor();
	report("msr_misc_enable_monitor_reset", at_reset,
	       "bit 18 %u, CPUID MONITOR %u", !!(orig & MISC_MONITOR),
	       cpuid_monitor());
	f0 = try_wrmsr(MSR_MISC_ENABLE, orig & ~MISC_MONITOR);
	off = cpuid_monitor();
	f1 = TRY_ASM("monitor", "a"(&line), "c"(0), "d"(0));
	f2 = try_wrmsr(MSR_MISC_ENABLE, orig | MISC_MONITOR);
	on = cpuid_monitor();
	f3 = TRY_ASM("monitor", "a"(&line), "c"(0), "d"(0));
	try_wrmsr(MSR_MISC_ENABLE, orig);
	report("msr_misc_enable_monitor_ud",
	       f0 == NO_FAULT && !off && f1 == VEC_UD,
	       "wr=%s CPUID MONITOR %u, monitor %s", vec_name(f0), off,
	       vec_name(f1));
	report("msr_misc_enable_monitor_on",
	       sse3 ? f2 == NO_FAULT && on && f3 == NO_FAULT :
		      f2 == VEC_GP && !on && f3 == VEC_UD,
	       "sse3 %u: wr=%s CPUID MONITOR %u, monitor %s", sse3,
	       vec_name(f2), on, vec_name(f3));
}

static bool wr_ok(u32 msr, u64 val)
{
	return try_wrmsr(msr, val) == NO_FAULT;
}

/* Write @val to @msr and read it back. */
static bool roundtrip(u32 msr, u64 val)
{
	u64 v = ~val;

	return wr_ok(msr, val) && try_rdmsr(msr, &v) == NO_FAULT && v == val;
}

/* One bank as kvm-unit-tests probes it; 0 or the first failing step. */
static u32 mc_bank_fails(u32 i)
{
	u32 base = MSR_MC0_CTL + 4 * i;

	if (!roundtrip(base, 0))
		return 1;
	if (!roundtrip(base, ~0ULL))
		return 2;
	if (try_wrmsr(base, NONCANONICAL) != VEC_GP)
		return 3;
	if (!wr_ok(base + 1, 0) || try_wrmsr(base + 1, 1) != VEC_GP)
		return 4;
	if (!roundtrip(base + 2, NONCANONICAL))
		return 5;
	if (!roundtrip(base + 3, ~0ULL))
		return 6;
	return 0;
}

static void test_mca_banks(void)
{
	u64 cap = 0, v;
	u32 f, n, bad = 0, step = 0, past = 0;

	f = try_rdmsr(MSR_MCG_CAP, &cap);
	n = (u32)cap & 0xff;
	for (u32 i = 0; i < n && !step; i++) {
		step = mc_bank_fails(i);
		bad = i;
	}
	report("msr_mca_banks_rw", f == NO_FAULT && n && !step,
	       "rd=%s banks %u; failing step %u (0: none) at bank %u",
	       vec_name(f), n, step, bad);
	for (u32 msr = MSR_MC0_CTL + 4 * n;
	     msr < MSR_MC0_CTL + 4 * MC_BANKS_MAX; msr++)
		if (try_rdmsr(msr, &v) != VEC_GP || try_wrmsr(msr, 0) != VEC_GP)
			past++;
	report("msr_mca_banks_past_count_gp", f == NO_FAULT && !past,
	       "%u MSRs past bank %u do not #GP", past, n);
	f = try_wrmsr(MSR_MCG_STATUS, 0);
	report("msr_mcg_status_write", f == NO_FAULT, "write 0 %s",
	       vec_name(f));
}

/* PHYSBASE0/PHYSMASK0 read back; invalid types and reserved bits #GP. */
static void test_mtrr(void)
{
	u64 cap = 0, base = rd(MSR_MTRR_PHYSBASE0),
	    mask = rd(MSR_MTRR_PHYSBASE0 + 1), b = 0, m = 0;
	u64 nb = (base ^ 0x1000000) & ~0xfffULL, nm = 0xff000800ULL;
	u32 f0, f1, f2, vcnt, maxphy = 36, g[6];

	f0 = try_rdmsr(MSR_MTRRCAP, &cap);
	vcnt = (u32)cap & 0xff;
	if (cpuid(0x80000000, 0).eax >= 0x80000008)
		maxphy = cpuid(0x80000008, 0).eax & 0xff;
	nb |= 6; /* WB */
	f1 = try_wrmsr(MSR_MTRR_PHYSBASE0, nb);
	f2 = try_wrmsr(MSR_MTRR_PHYSBASE0 + 1, nm);
	try_rdmsr(MSR_MTRR_PHYSBASE0, &b);
	try_rdmsr(MSR_MTRR_PHYSBASE0 + 1, &m);
	g[0] = try_wrmsr(MSR_MTRR_DEF_TYPE, 2);
	g[1] = try_wrmsr(MSR_MTRR_PHYSBASE0, (nb & ~0xffULL) | 7);
	g[2] = try_wrmsr(MSR_MTRR_FIX64K, 0x0606060603060606ULL);
	g[3] = try_wrmsr(MSR_MTRR_PHYSBASE0 + 1, nm | BIT(10));
	g[4] = try_wrmsr(MSR_MTRR_PHYSBASE0, nb | (1ULL << maxphy));
	g[5] = try_wrmsr(MSR_MTRR_PHYSBASE0 + 2 * vcnt, 6);
	try_wrmsr(MSR_MTRR_PHYSBASE0 + 1, mask);
	try_wrmsr(MSR_MTRR_PHYSBASE0, base);
	report("msr_mtrr_readback",
	       f0 == NO_FAULT && vcnt && f1 == NO_FAULT && f2 == NO_FAULT &&
		       b == nb && m == nm,
	       "vcnt %u wr %s/%s base 0x%llx mask 0x%llx", vcnt, vec_name(f1),
	       vec_name(f2), (unsigned long long)b, (unsigned long long)m);
	report("msr_mtrr_invalid_gp",
	       g[0] == VEC_GP && g[1] == VEC_GP && g[2] == VEC_GP &&
		       g[3] == VEC_GP && g[4] == VEC_GP && g[5] == VEC_GP,
	       "deftype 2 %s, base type 7 %s, fixed type 3 %s, mask bit 10 "
	       "%s, base bit %u %s, pair %u %s",
	       vec_name(g[0]), vec_name(g[1]), vec_name(g[2]), vec_name(g[3]),
	       maxphy, vec_name(g[4]), vcnt, vec_name(g[5]));
}

/* kvm-unit-tests x86/msr.c: a 64-bit address, and its #GP probe */
#define ADDR_64 0x0000123456789abcULL
#define CPUID_LM BIT(29) /* CPUID.80000001h:EDX */
#define EFER_SCE BIT(0)

struct kut_row {
	u32 msr;
	u64 val;
	bool canonical; /* an address: non-canonical values #GP */
};

static const struct kut_row kut_rows[] = {
	{ 0x174, 0x1234, false }, /* SYSENTER_CS */
	{ 0x175, ADDR_64, false }, /* SYSENTER_ESP */
	{ 0x176, ADDR_64, false }, /* SYSENTER_EIP */
	{ 0x277, 0x07070707, false }, /* PAT */
	{ 0xc0000100, ADDR_64, true }, /* FS_BASE */
	{ 0xc0000101, ADDR_64, true }, /* GS_BASE */
	{ 0xc0000102, ADDR_64, true }, /* KERNEL_GS_BASE */
	{ 0xc0000082, ADDR_64, true }, /* LSTAR */
	{ 0xc0000083, ADDR_64, true }, /* CSTAR */
	{ 0xc0000084, 0xffffffff, false }, /* SYSCALL_MASK */
	{ MSR_EFER_, EFER_SCE, false },
};
#define KUT_ROWS (u32)(sizeof(kut_rows) / sizeof(kut_rows[0]))

/*
 * The other rows of kvm-unit-tests' x86/msr.c (a CPU with long mode, as
 * Keel's guests have): each value reads back, each address MSR refuses a
 * non-canonical value; the first failing row is named.
 */
static void test_kut_rows(void)
{
	u32 bad = 0, why = 0;

	if (!(cpuid(0x80000001, 0).edx & CPUID_LM)) {
		report_skip("msr_kut_rows", "no long mode");
		return;
	}
	for (u32 i = 0; i < KUT_ROWS && !why; i++) {
		const struct kut_row *r = &kut_rows[i];
		u64 orig = rd(r->msr), val = r->val;

		if (r->msr == MSR_EFER_)
			val |= orig;
		if (!roundtrip(r->msr, val))
			why = 1;
		else if (r->canonical &&
			 try_wrmsr(r->msr, NONCANONICAL) != VEC_GP)
			why = 2;
		try_wrmsr(r->msr, orig);
		bad = r->msr;
	}
	report("msr_kut_rows", !why, "%u rows; MSR 0x%x: %s", KUT_ROWS, bad,
	       why == 1 ? "no read-back" :
	       why == 2 ? "non-canonical taken" :
			  "ok");
}

void test_msr_virt(void)
{
	test_kut_rows();
	test_misc_enable_rw();
	test_misc_enable_limit_cpuid();
	test_misc_enable_xd();
	test_misc_enable_monitor();
	test_mca_banks();
	test_mtrr();
}
