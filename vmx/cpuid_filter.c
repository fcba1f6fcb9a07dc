// SPDX-License-Identifier: MIT
/*
 * Hide the CPUID bits Keel does not back (vmx/cpuid_features.h). Pure, so
 * that the host tests check it against the table.
 */
#include "vmx/cpuid_filter.h"
#include "vmx/cpuid_features.h"
#include "vmx/vmcs.h"

u32 cpuid_needs_from_ctls(u32 proc, u32 proc2)
{
	u32 have = BIT(CPUID_NEEDS_NONE);

	if (proc & CPU_BASED_USE_TSC_OFFSETTING)
		have |= BIT(CPUID_NEEDS_TSC_OFFSET);
	if (proc2 & SECONDARY_EXEC_ENABLE_RDTSCP)
		have |= BIT(CPUID_NEEDS_RDTSCP);
	if (proc2 & SECONDARY_EXEC_ENABLE_INVPCID)
		have |= BIT(CPUID_NEEDS_INVPCID);
	if (proc2 & SECONDARY_EXEC_ENABLE_XSAVES)
		have |= BIT(CPUID_NEEDS_XSAVES);
	return have;
}

static bool hides(const struct cpuid_feature *f, u32 have)
{
	return f->policy == CPUID_HIDDEN || !(have & BIT(f->needs));
}

void cpuid_filter(u32 leaf, u32 sub, u32 r[4], u32 have)
{
	for (size_t i = 0; i < CPUID_FEATURES_NR; i++) {
		const struct cpuid_feature *f = &cpuid_features[i];

		if (f->leaf != leaf || !hides(f, have))
			continue;
		if (f->sub != CPUID_ANY_SUB && f->sub != sub)
			continue;
		if (f->reg == CPUID_ALL) {
			for (int j = 0; j < 4; j++)
				r[j] &= ~f->mask;
		} else {
			r[f->reg] &= ~f->mask;
		}
	}
}
