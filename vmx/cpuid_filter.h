/* SPDX-License-Identifier: MIT */
/*
 * What the guest sees of the CPU's CPUID: the hardware's values with every
 * bit vmx/cpuid_features.h hides cleared. Pure: built for Keel and for
 * the host tests.
 */
#ifndef KEEL_VMX_CPUID_FILTER_H
#define KEEL_VMX_CPUID_FILTER_H

#include "core/types.h"

/* Basic leaves (below 32) the exit handler changes, as a bitmap for its
 * fast test: the filter's, and the time leaves 15h and 16h
 * (vmx/cpuid_time.h); 8000_0001h is the one extended leaf it changes. */
#define CPUID_FILTER_LEAVES                                          \
	(BIT(1) | BIT(6) | BIT(7) | BIT(0xa) | BIT(0xd) | BIT(0xf) | \
	 BIT(0x10) | BIT(0x12) | BIT(0x14) | BIT(0x15) | BIT(0x16))
#define CPUID_FILTER_EXT_LEAF 0x80000001U

static inline bool cpuid_filter_wants(u32 leaf)
{
	if (leaf < 32)
		return (CPUID_FILTER_LEAVES >> leaf) & 1;
	return leaf == CPUID_FILTER_EXT_LEAF;
}

/*
 * The exit handler's fast test: true for every leaf whose bit (leaf mod
 * 64) is set in @slow. With CPUID_FILTER_LEAVES that is every leaf the
 * filter changes (8000_0001h lands on bit 1), and a few others that then
 * take the slow path for nothing. Three instructions on the hot path.
 */
static inline bool cpuid_slow_leaf(u64 slow, u32 leaf)
{
	return (slow >> (leaf & 63)) & 1;
}

static inline bool cpuid_filter_maybe(u32 leaf)
{
	return cpuid_slow_leaf(CPUID_FILTER_LEAVES, leaf);
}

/* Bit n set: the VMX control behind enum cpuid_needs value n is on, from
 * the primary (@proc) and secondary (@proc2) processor-based controls. */
u32 cpuid_needs_from_ctls(u32 proc, u32 proc2);

/*
 * Clear in @r (EAX, EBX, ECX, EDX of leaf @leaf, subleaf @sub) every bit
 * the table hides, and every backed bit whose VMX control (@have, from
 * cpuid_needs_from_ctls) is off.
 */
void cpuid_filter(u32 leaf, u32 sub, u32 r[4], u32 have);

#endif
