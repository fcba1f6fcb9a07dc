// SPDX-License-Identifier: MIT
/*
 * The guest's IA32_MISC_ENABLE (vmx/msr_virt.h). The real MSR is the CPU
 * Keel runs on (XD_DISABLE would break Keel's NX pages), so the guest gets
 * a copy. Effects of its bits, where the guest can see one:
 * - LIMIT_CPUID: CPUID.0:EAX reads at most 2 (vmx/handlers.c);
 * - XD_DISABLE: CPUID.80000001h:EDX.NX reads 0 and EFER.NXE cannot be set
 *   (vmx/handlers.c, vmx/msr.c). Set while EFER.NXE is already on, it is
 *   stored and NXE stays (the SDM does not say what the paging then does;
 *   KVM stores it too, and kvm-unit-tests' msr test writes it back);
 * - MONITOR: 0 makes MONITOR/MWAIT #UD (vmx/handlers.c).
 * Fast strings, automatic TCC, EIST and xTPR disable tune the machine's
 * speed and power, which are Keel's: the guest's value is kept and read
 * back, with no effect the guest could observe.
 * The RO bits are Keel's: PERFMON_AVAIL 0, BTS and PEBS unavailable, as
 * CPUID hides the PMU and DS (docs/cpuid-msr.md).
 */
#include "vmx/cpuid_features.h"
#include "vmx/msr_virt.h"

u64 misc_enable_reset(u64 hw)
{
	/* MONITOR on: MONITOR/MWAIT run (as NOPs) until the guest says. */
	return (hw & MISC_EN_RW) | MISC_EN_MONITOR | MISC_EN_BTS_UNAVAIL |
	       MISC_EN_PEBS_UNAVAIL;
}

int misc_enable_write(u64 *misc, u64 val, bool nxe)
{
	if (val & ~(MISC_EN_RW | MISC_EN_RO))
		return -EPERM;
	*misc = (val & MISC_EN_RW) | (*misc & MISC_EN_RO);
	return 0;
}

void misc_enable_cpuid(u64 misc, u32 leaf, u32 r[4])
{
	if (leaf == 0 && (misc & MISC_EN_LIMIT_CPUID) &&
	    r[CPUID_EAX] > MISC_EN_CPUID_LIMIT)
		r[CPUID_EAX] = MISC_EN_CPUID_LIMIT;
	if (leaf == CPUID_EXT_FEATURES && (misc & MISC_EN_XD_DISABLE))
		r[CPUID_EDX] &= ~(u32)CPUID_80000001_EDX_NX;
}
