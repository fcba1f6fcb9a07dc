// SPDX-License-Identifier: MIT
/*
 * IA32_TSC_ADJUST (SDM Vol.3B 18.17.3) as kvm-unit-tests' x86/tsc_adjust.c
 * checks it, plus hostile values: it reads 0 at start, a write of X moves
 * the TSC by X minus the old value, a WRMSR(IA32_TSC) adds its own step
 * to it, and TSC_DEADLINE keeps its guest value while the TSC moves.
 * The same holds on hardware; under Keel it is Keel's emulation
 * (vmx/msr_tsc.c). Every check puts the adjust back to 0, which gives the
 * TSC back as it was. Runs before apic_checks.c's TSC writes.
 */
#include "checks.h"

#define MSR_TSC 0x10
#define MSR_TSC_ADJUST 0x3b
#define MSR_TSC_DEADLINE 0x6e0
#define CPUID7_EBX_TSC_ADJUST BIT(1) /* SDM Vol.2A table 3-8 */
#define CPUID1_ECX_TSC_DEADLINE BIT(24)
#define LAPIC_LVT_TIMER 0xfee00320u /* xAPIC page at its reset home */
#define LVT_MASKED BIT(16)
#define LVT_TSC_DEADLINE (2u << 17) /* timer mode 10b, SDM Vol.3A 11.5.1 */
/* kvm-unit-tests' step, and far beyond any TSC a run reaches */
#define ADJ_STEP 100000000000ULL
/* Generous tick counts between two reads, not timings (Bochs: one tick
 * per instruction; each WRMSR is a VM exit). */
#define TSC_BOUND 0x1000000ULL

static bool near(u64 t, u64 want)
{
	return t - want < TSC_BOUND;
}

/* Write @adj; return how far the TSC moved across the write, less the
 * move expected (old adjust to @adj): a small number when right. */
static u64 move_by_adjust(u64 old, u64 adj, u32 *f)
{
	u64 t1 = rdtsc(), t2;

	*f = try_wrmsr(MSR_TSC_ADJUST, adj);
	t2 = rdtsc();
	return t2 - t1 - (adj - old);
}

static void check_write_moves_tsc(void)
{
	u64 v = 1, moved, back;
	u32 f0, f1, f2;

	f0 = try_rdmsr(MSR_TSC_ADJUST, &v);
	report("tsc_adjust_initial_zero", f0 == NO_FAULT && v == 0,
	       "rd=%s value 0x%llx", vec_name(f0), (unsigned long long)v);
	moved = move_by_adjust(0, ADJ_STEP, &f1);
	try_rdmsr(MSR_TSC_ADJUST, &v);
	back = move_by_adjust(ADJ_STEP, 0, &f2);
	report("tsc_adjust_write_moves_tsc",
	       f1 == NO_FAULT && f2 == NO_FAULT && v == ADJ_STEP &&
		       moved < TSC_BOUND && back < TSC_BOUND,
	       "wr=%s read 0x%llx, moved %lld off, back %lld off", vec_name(f1),
	       (unsigned long long)v, (long long)moved, (long long)back);
}

/* Negative and huge values: the TSC moves mod 2^64, and back. */
static void check_hostile_values(void)
{
	static const u64 vals[] = { (u64)-1, -(ADJ_STEP), 1ULL << 63,
				    ~0ULL >> 1 };
	u64 old = 0, v = 0, off = 0;
	u32 f = NO_FAULT, bad = 0;

	for (u32 i = 0; i < sizeof(vals) / sizeof(vals[0]) && !bad; i++) {
		off = move_by_adjust(old, vals[i], &f);
		try_rdmsr(MSR_TSC_ADJUST, &v);
		if (f != NO_FAULT || v != vals[i] || off >= TSC_BOUND)
			bad = i + 1;
		old = vals[i];
	}
	if (move_by_adjust(old, 0, &f) >= TSC_BOUND || f != NO_FAULT)
		bad = bad ? bad : 99;
	report("tsc_adjust_hostile_values", !bad,
	       "value %u: %s read 0x%llx moved %lld off", bad, vec_name(f),
	       (unsigned long long)v, (long long)off);
}

/* WRMSR(IA32_TSC) adds its step to TSC_ADJUST; the internal TSC (TSC
 * minus adjust) goes on as before, as kvm-unit-tests checks it. */
static void check_tsc_write_reflects(void)
{
	u64 t1 = rdtsc(), t4 = t1 + ADJ_STEP, t2, t5 = 0, back;
	u32 f, g;

	f = try_wrmsr(MSR_TSC, t4);
	t2 = rdtsc();
	try_rdmsr(MSR_TSC_ADJUST, &t5);
	back = move_by_adjust(t5, 0, &g);
	report("tsc_adjust_follows_tsc_write",
	       f == NO_FAULT && g == NO_FAULT && t1 <= t4 - t5 &&
		       near(t4 - t5, t1) && near(t2, t4) && back < TSC_BOUND,
	       "wrote 0x%llx at 0x%llx: adjust 0x%llx, tsc 0x%llx",
	       (unsigned long long)t4, (unsigned long long)t1,
	       (unsigned long long)t5, (unsigned long long)t2);
}

/*
 * An armed TSC deadline (far ahead, LVT masked: it never fires here)
 * keeps its value across adjust writes, and reads back while the TSC is
 * moved: Keel re-arms the hardware in host time.
 */
static void check_deadline(void)
{
	volatile u32 *lvt = (volatile u32 *)LAPIC_LVT_TIMER;
	u32 saved = *lvt, f;
	u64 dl, a = 0, b = 0, c = 1;

	if (!(cpuid(1, 0).ecx & CPUID1_ECX_TSC_DEADLINE)) {
		report_skip("tsc_adjust_deadline_kept",
			    "no TSC-deadline timer");
		return;
	}
	*lvt = LVT_MASKED | LVT_TSC_DEADLINE;
	dl = rdtsc() + 4 * ADJ_STEP;
	f = try_wrmsr(MSR_TSC_DEADLINE, dl);
	(void)try_wrmsr(MSR_TSC_ADJUST, ADJ_STEP);
	try_rdmsr(MSR_TSC_DEADLINE, &a);
	(void)try_wrmsr(MSR_TSC_ADJUST, 0);
	try_rdmsr(MSR_TSC_DEADLINE, &b);
	(void)try_wrmsr(MSR_TSC_DEADLINE, 0);
	try_rdmsr(MSR_TSC_DEADLINE, &c);
	*lvt = saved;
	report("tsc_adjust_deadline_kept",
	       f == NO_FAULT && a == dl && b == dl && c == 0,
	       "armed 0x%llx: 0x%llx under the adjust, 0x%llx after, 0x%llx "
	       "disarmed",
	       (unsigned long long)dl, (unsigned long long)a,
	       (unsigned long long)b, (unsigned long long)c);
}

void test_tsc_adjust(void)
{
	static const char *const names[] = {
		"tsc_adjust_initial_zero",   "tsc_adjust_write_moves_tsc",
		"tsc_adjust_hostile_values", "tsc_adjust_follows_tsc_write",
		"tsc_adjust_deadline_kept",
	};

	if (cpuid(0, 0).eax < 7 || !(cpuid(7, 0).ebx & CPUID7_EBX_TSC_ADJUST)) {
		for (u32 i = 0; i < sizeof(names) / sizeof(names[0]); i++)
			report_skip(names[i], "CPUID shows no TSC_ADJUST");
		return;
	}
	check_write_moves_tsc();
	check_hostile_values();
	check_tsc_write_reflects();
	check_deadline();
}
