// SPDX-License-Identifier: MIT
/*
 * Guest CPUID leaves 15h and 16h. Linux trusts them for its TSC rate
 * (tsc_khz, and lapic_timer_period from the crystal) and then skips its
 * own calibration. An emulator such as Bochs reports a 3.5 GHz part
 * whose TSC counts retired instructions, so a guest that believed the
 * leaves would see its clock run hundreds of times slow; Keel measures
 * the TSC (arch/x86/time.c) and describes what it measured instead.
 */
#include "vmx/cpuid_time.h"

static u64 gcd(u64 a, u64 b)
{
	while (b) {
		u64 t = a % b;

		a = b;
		b = t;
	}
	return a;
}

u64 cpuid_time_khz(const u32 l15[4], const u32 l16[4])
{
	u64 den = l15[0], num = l15[1], crystal_khz = l15[2] / 1000;

	if (!den || !num)
		return 0;
	if (!crystal_khz && l16)
		crystal_khz =
			(u64)(l16[0] & CPUID_16_MHZ_MASK) * 1000 * den / num;
	return crystal_khz * num / den;
}

static bool close_enough(u64 a, u64 b)
{
	u64 diff = a > b ? a - b : b - a;

	return diff * 1000 <= b * CPUID_TIME_TOLERANCE_PERMILLE;
}

static u32 mhz16(u64 khz)
{
	u64 mhz = (khz + 500) / 1000;

	if (!mhz)
		mhz = 1;
	return mhz > CPUID_16_MHZ_MASK ? CPUID_16_MHZ_MASK : (u32)mhz;
}

bool cpuid_time_leaves(u32 max_leaf, u64 tsc_khz, u64 apic_khz, u32 l15[4],
		       u32 l16[4])
{
	u64 crystal_khz = apic_khz ? apic_khz : tsc_khz, g;

	if (max_leaf < CPUID_LEAF_TSC || !tsc_khz ||
	    crystal_khz * 1000 > 0xffffffffULL || tsc_khz > 0xffffffffULL)
		return false;
	if (close_enough(cpuid_time_khz(
				 l15, max_leaf >= CPUID_LEAF_FREQ ? l16 : NULL),
			 tsc_khz))
		return false;
	/* crystal_khz * (tsc / g) / (crystal / g) == tsc_khz exactly. */
	g = gcd(tsc_khz, crystal_khz);
	l15[0] = (u32)(crystal_khz / g);
	l15[1] = (u32)(tsc_khz / g);
	l15[2] = (u32)(crystal_khz * 1000);
	l15[3] = 0;
	if (max_leaf >= CPUID_LEAF_FREQ) {
		l16[0] = mhz16(tsc_khz);
		l16[1] = mhz16(tsc_khz);
		l16[2] = mhz16(crystal_khz);
		l16[3] = 0;
	}
	return true;
}
