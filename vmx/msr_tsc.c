// SPDX-License-Identifier: MIT
/*
 * The guest's TSC (docs/cpuid-msr.md, "IA32_TSC"). RDTSC, RDTSCP and
 * RDMSR(IA32_TSC) run without exits and return the host's TSC plus the
 * VMCS TSC offset ("use TSC offsetting", SDM Vol.3C 25.6.5, 26.3); a
 * WRMSR(IA32_TSC) sets the offset so that the guest reads its value from
 * then on (SDM Vol.3B 18.17). Keel's own time keeps the host's TSC.
 *
 * The LAPIC compares IA32_TSC_DEADLINE with the host's TSC (the offset
 * applies to the guest's reads only), so while the offset is not 0 the
 * MSR exits and Keel writes deadline - offset to the hardware; with the
 * offset 0 it passes through again, so a guest that never writes its TSC
 * (Linux) pays no exits.
 *
 * IA32_TSC_ADJUST (SDM Vol.3B 18.17.3) is the guest's own number, never
 * the hardware's MSR (that one moves Keel's TSC too): it starts at 0, a
 * write of X moves the guest's TSC by X minus the old value, and every
 * WRMSR(IA32_TSC) adds to it what it added to the TSC. Both are changes
 * of the one offset. Shown only with offsetting and where the CPU has the
 * MSR (vmx/cpuid_features.h), so that CPUID and the MSR agree.
 *
 * A guest reset puts the offset and the adjust back to 0 (the vCPU is
 * rebuilt): the guest sees the host's TSC, not the 0 a real CPU restarts
 * from, so that every guest started the usual way runs without the
 * deadline exits.
 */
#include "core/console.h"
#include "core/lib.h"
#include "arch/x86/arch.h"
#include "vmx/vcpu.h"

static bool offsetting(const struct vcpu *v)
{
	return v->cfg->ctl.word[VMX_CTL_PROC] & CPU_BASED_USE_TSC_OFFSETTING;
}

static bool cpu_has_tsc_adjust(void)
{
	return cpuid(0, 0).eax >= CPUID_LEAF_7 &&
	       (cpuid(CPUID_LEAF_7, 0).ebx & CPUID_7_EBX_TSC_ADJUST);
}

void vmx_tsc_reset(struct vcpu *v)
{
	static bool said;

	v->msr.tsc_offset = 0;
	v->msr.tsc_deadline = 0;
	v->msr.tsc_adjust = 0;
	v->msr.tsc_adjust_on = offsetting(v) && cpu_has_tsc_adjust();
	vmx_msr_intercept(v, MSR_IA32_TSC_DEADLINE, false);
	if (offsetting(v)) {
		vmwrite(VMCS_TSC_OFFSET, 0);
	} else if (!said) {
		said = true;
		pr_info("keel: vmx: no TSC offsetting: guest writes to IA32_TSC are ignored\n");
	}
}

/* The hardware's deadline @hw as the guest sees it, under the offset. */
static u64 deadline_view(const struct vcpu *v, u64 hw)
{
	if (!v->msr.tsc_offset)
		return hw;
	return tsc_deadline_guest_view(hw, rdtsc(), v->msr.tsc_deadline);
}

static u64 deadline_guest(const struct vcpu *v)
{
	u64 hw;

	return rdmsr_safe(MSR_IA32_TSC_DEADLINE, &hw) ? 0 :
							deadline_view(v, hw);
}

/*
 * Make @off the VMCS TSC offset. An armed deadline keeps its guest value
 * (the TSC moved to it, not the deadline), and TSC_DEADLINE exits while
 * the offset is not 0.
 */
static void set_offset(struct vcpu *v, u64 off)
{
	u64 deadline = deadline_guest(v);

	vmwrite(VMCS_TSC_OFFSET, off);
	v->msr.tsc_offset = off;
	if (deadline)
		(void)wrmsr_safe(MSR_IA32_TSC_DEADLINE,
				 tsc_deadline_to_host(deadline, off));
	v->msr.tsc_deadline = deadline;
	vmx_msr_intercept(v, MSR_IA32_TSC_DEADLINE, off != 0);
}

void vmx_tsc_write(struct vcpu *v, u64 val)
{
	u64 host;

	if (!offsetting(v))
		return;
	host = rdtsc();
	tsc_write_moves_adjust(&v->msr.tsc_adjust, val,
			       host + v->msr.tsc_offset);
	set_offset(v, val - host);
}

int vmx_tsc_adjust_read(struct vcpu *v, u64 *val)
{
	if (!v->msr.tsc_adjust_on)
		return -EPERM;
	*val = v->msr.tsc_adjust;
	return 0;
}

/* Any 64-bit value is valid (the SDM reserves no bit): mod 2^64. */
int vmx_tsc_adjust_write(struct vcpu *v, u64 val)
{
	u64 off = v->msr.tsc_offset;

	if (!v->msr.tsc_adjust_on)
		return -EPERM;
	tsc_adjust_moves_offset(&off, &v->msr.tsc_adjust, val);
	set_offset(v, off);
	return 0;
}

int vmx_tsc_deadline_read(struct vcpu *v, u64 *val)
{
	u64 hw;

	if (rdmsr_safe(MSR_IA32_TSC_DEADLINE, &hw))
		return -EPERM;
	*val = deadline_view(v, hw);
	return 0;
}

int vmx_tsc_deadline_write(struct vcpu *v, u64 val)
{
	if (wrmsr_safe(MSR_IA32_TSC_DEADLINE,
		       tsc_deadline_to_host(val, v->msr.tsc_offset)))
		return -EPERM;
	v->msr.tsc_deadline = val;
	return 0;
}
