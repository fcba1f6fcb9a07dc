/* SPDX-License-Identifier: MIT */
/*
 * CPUID leaves 15h and 16h as the guest sees them: the hardware's when
 * they describe the TSC rate Keel measured, else leaves that do. Pure:
 * built for Keel and for the host tests.
 */
#ifndef KEEL_VMX_CPUID_TIME_H
#define KEEL_VMX_CPUID_TIME_H

#include "core/types.h"

/* Leaf 15h, SDM Vol.2A CPUID "Time Stamp Counter and Nominal Core Crystal
 * Clock Information Leaf": TSC = ECX (crystal Hz) * EBX / EAX. */
#define CPUID_LEAF_TSC 0x15
/* Leaf 16h, SDM Vol.2A CPUID "Processor Frequency Information Leaf":
 * EAX base, EBX maximum, ECX bus (reference) frequency, each in MHz. */
#define CPUID_LEAF_FREQ 0x16
#define CPUID_16_MHZ_MASK 0xffffU

/* A derived rate this close to the measured one is the same rate. */
#define CPUID_TIME_TOLERANCE_PERMILLE 10

/*
 * The TSC rate in kHz that leaves 15h and 16h describe, derived as the
 * SDM's formula and Linux's native_calibrate_tsc() do: with no crystal
 * frequency in 15h.ECX, the crystal is 16h's base frequency divided by
 * the 15h ratio. 0 when the leaves do not give one.
 */
u64 cpuid_time_khz(const u32 l15[4], const u32 l16[4]);

/*
 * The leaves for a guest whose TSC runs at @tsc_khz and whose LAPIC timer
 * counts at @apic_khz (0: unknown, taken as the TSC's rate). @max_leaf is
 * the hardware's highest basic leaf; leaves above it stay as they are.
 * Returns false, with @l15 and @l16 untouched, when they already describe
 * @tsc_khz within CPUID_TIME_TOLERANCE_PERMILLE; else rewrites them: 15h
 * with the crystal at the LAPIC timer's rate (which the SDM, Vol.3A
 * 11.5.4, says the timer counts when 15h enumerates it) and the ratio
 * that gives @tsc_khz exactly, 16h's base and maximum at the TSC's rate.
 */
bool cpuid_time_leaves(u32 max_leaf, u64 tsc_khz, u64 apic_khz, u32 l15[4],
		       u32 l16[4]);

#endif
