// SPDX-License-Identifier: MIT
/*
 * Where the guest may put its xAPIC page. The CPU lets software relocate
 * it anywhere below MAXPHYADDR (SDM Vol.3A 11.4.5), even over memory,
 * which the APIC then shadows. Under Keel the page is an EPT mapping of
 * the real LAPIC, so it may only go where the guest-physical space holds
 * nothing: over RAM it would hide the guest's own memory, and over a
 * device it would take that device's place in the EPT. The page's
 * starting place is the APIC's own and is always allowed back.
 */
#include "ept/ept.h"
#include "vmx/apic_base.h"

u64 apic_base_addr_mask(unsigned int maxphyaddr)
{
	return GENMASK(maxphyaddr - 1, APIC_BASE_MSR_ADDR_SHIFT);
}

enum apic_base_verdict apic_base_check(const struct apic_base_env *env, u64 val,
				       u64 *new_gpa, const char **why)
{
	u64 addr = apic_base_addr_mask(env->maxphyaddr);
	u64 gpa = val & addr;

	if (val &
	    ~(addr | APIC_BASE_MSR_BSP | APIC_BASE_MSR_EXTD | APIC_BASE_MSR_EN))
		return APIC_BASE_RESERVED;
	if (gpa == env->cur)
		return APIC_BASE_STAY;
	*why = NULL;
	if (!env->home)
		*why = "Keel maps no LAPIC page for the guest (no MADT)";
	else if (env->moves >= APIC_BASE_MAX_MOVES)
		*why = "too many APIC page moves for one guest";
	else if (gpa != env->home && gpa >= EPT_GPA_LIMIT)
		*why = "beyond the guest-physical address width";
	else if (gpa != env->home)
		*why = env->taken(env->ctx, gpa, APIC_BASE_PAGE_SIZE);
	if (*why)
		return APIC_BASE_TAKEN;
	*new_gpa = gpa;
	return APIC_BASE_MOVE;
}
