// SPDX-License-Identifier: MIT
/*
 * The guest's CPUID 15h and 16h, decided once at VMX bring-up from what
 * arch/x86/time.c measured (vmx/cpuid_time.c has the rule and the why).
 */
#include "core/console.h"
#include "arch/x86/arch.h"
#include "vmx/cpuid_time.h"
#include "vmx/vmx_handlers.h"

static u32 leaf15[4], leaf16[4];
static bool rewritten;

static void read_leaf(u32 leaf, u32 r[4])
{
	struct cpuid_regs c = cpuid(leaf, 0);

	r[0] = c.eax;
	r[1] = c.ebx;
	r[2] = c.ecx;
	r[3] = c.edx;
}

void vmx_time_leaves_init(void)
{
	u32 max_leaf = cpuid(0, 0).eax;
	u64 said;

	if (max_leaf < CPUID_LEAF_TSC)
		return;
	read_leaf(CPUID_LEAF_TSC, leaf15);
	if (max_leaf >= CPUID_LEAF_FREQ)
		read_leaf(CPUID_LEAF_FREQ, leaf16);
	said = cpuid_time_khz(leaf15,
			      max_leaf >= CPUID_LEAF_FREQ ? leaf16 : NULL);
	rewritten = cpuid_time_leaves(max_leaf, tsc_khz(), lapic_khz(), leaf15,
				      leaf16);
	if (rewritten)
		pr_info("keel: vmx: CPUID 15h/16h describe a %llu.%03llu MHz TSC, but it runs at %llu.%03llu MHz (%s): the guest is told the measured rate\n",
			said / 1000, said % 1000, tsc_khz() / 1000,
			tsc_khz() % 1000, tsc_source());
}

void vmx_time_leaf(u32 leaf, u32 r[4])
{
	const u32 *src = leaf == CPUID_LEAF_TSC ? leaf15 : leaf16;

	if (!rewritten)
		return;
	for (int i = 0; i < 4; i++)
		r[i] = src[i];
}
