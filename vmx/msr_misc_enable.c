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
 * - MONITOR FSM: CPUID.1:ECX.MONITOR reads this bit, and 0 makes MONITOR
 *   and MWAIT #UD (vmx/handlers.c); 1 lets them run, as NOPs. It starts
 *   at 0, so CPUID hides MONITOR as docs/cpuid-msr.md says, and a guest
 *   may set it (kvm-unit-tests' msr test does) when its CPUID shows SSE3:
 *   SDM Vol.4 table 2-2 has "1 (default)" on a CPU whose MONITOR Keel
 *   shows, and a write #GP on one without SSE3 (KVM does the same).
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
	/* MONITOR FSM off, as CPUID hides MONITOR (docs/cpuid-msr.md). */
	return (hw & MISC_EN_RW & ~MISC_EN_MONITOR) | MISC_EN_BTS_UNAVAIL |
	       MISC_EN_PEBS_UNAVAIL;
}

int misc_enable_write(u64 *misc, u64 val, bool nxe, bool monitor_ok)
{
	if (val & ~(MISC_EN_RW | MISC_EN_RO))
		return -EPERM;
	if (((val ^ *misc) & MISC_EN_MONITOR) && !monitor_ok)
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
	if (leaf == 1) {
		r[CPUID_ECX] &= ~(u32)CPUID_1_ECX_MONITOR;
		if (misc & MISC_EN_MONITOR)
			r[CPUID_ECX] |= CPUID_1_ECX_MONITOR;
	}
}
