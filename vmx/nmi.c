// SPDX-License-Identifier: MIT
/*
 * NMIs belong to the guest, which owns the machine's NMI sources (LAPIC
 * LINT1, IOAPIC pins, IPIs). With "NMI exiting" and "virtual NMIs" (SDM
 * Vol.3C 25.6.1) an NMI that arrives while the
 * guest runs exits to Keel, and one that arrives while Keel runs reaches
 * Keel's own NMI handler, which only notes it (arch_set_nmi_hook). Either
 * way it becomes one pending NMI, injected on the next VM entry that the
 * guest can take it on (no virtual-NMI, MOV SS or STI blocking: SDM
 * Vol.3C 27.3.1.5, and some CPUs refuse NMI injection under STI blocking;
 * no single-step or breakpoint trap pending, which the CPU delivers
 * first: vmx/event.h), else at the NMI window. Like
 * the CPU's own latch, one NMI waits while another is being handled and
 * more are merged into it, so a flood costs the guest NMIs, never Keel
 * its progress.
 */
#include "core/console.h"
#include "core/lib.h"
#include "arch/x86/arch.h"
#include "vmx/vcpu.h"
#include "vmx/vmx_ops.h"

static struct vcpu *nmi_vcpu;

static void set_nmi_window(struct vcpu *v, bool on)
{
	u64 proc = vmread(VMCS_CPU_BASED_VM_EXEC_CONTROL);
	u64 want = on ? proc | CPU_BASED_NMI_WINDOW_EXITING :
			proc & ~(u64)CPU_BASED_NMI_WINDOW_EXITING;

	if (want != proc)
		vmwrite(VMCS_CPU_BASED_VM_EXEC_CONTROL, want);
}

void vmx_nmi_inject(struct vcpu *v)
{
	if (!(v->vm->attention & VM_ATTN_NMI))
		return;
	/* Another event or a debug trap goes in first; the window exit
	 * follows it (vmx/event.h). */
	if (!vmx_nmi_injectable((u32)vmread(VMCS_VM_ENTRY_INTR_INFO),
				vmread(VMCS_GUEST_INTERRUPTIBILITY_INFO),
				vmread(VMCS_GUEST_PENDING_DBG_EXCEPTIONS))) {
		set_nmi_window(v, true);
		return;
	}
	/* Claim it first: one that arrives from here on waits its turn. */
	__atomic_fetch_and(&v->vm->attention, ~VM_ATTN_NMI, __ATOMIC_RELAXED);
	vmwrite(VMCS_VM_ENTRY_INTR_INFO,
		X86_VEC_NMI | FIELD_PREP(INTR_INFO_TYPE, INTR_TYPE_NMI) |
			INTR_INFO_VALID);
	if (vmread(VMCS_GUEST_ACTIVITY_STATE) == GUEST_ACTIVITY_HLT)
		vmwrite(VMCS_GUEST_ACTIVITY_STATE, GUEST_ACTIVITY_ACTIVE);
	v->nmis_injected++;
	set_nmi_window(v, false);
}

/* Exit reason 0: an NMI (exceptions do not exit: the bitmap is 0). */
void vmx_exit_exception_nmi(struct vcpu *v)
{
	u32 info = (u32)vmread(VMCS_VM_EXIT_INTR_INFO);

	if (FIELD_GET(INTR_INFO_TYPE, info) != INTR_TYPE_NMI) {
		vcpu_dump_state(v);
		vcpu_stop(v, "unexpected exception exit, vector %u",
			  (u32)FIELD_GET(INTR_INFO_VECTOR, info));
		return;
	}
	arch_nmi_unblock();
	__atomic_fetch_or(&v->vm->attention, VM_ATTN_NMI, __ATOMIC_RELAXED);
}

void vmx_exit_nmi_window(struct vcpu *v)
{
	set_nmi_window(v, false);
	vmx_nmi_inject(v);
}

/* An NMI while Keel runs: NMI context, so only note it. */
static void root_nmi_hook(void)
{
	__atomic_fetch_or(&nmi_vcpu->vm->attention, VM_ATTN_NMI,
			  __ATOMIC_RELAXED);
	nmi_vcpu->nmis_root++;
}

void vmx_nmi_start(struct vcpu *v)
{
	if (!(v->cfg->ctl.word[VMX_CTL_PIN] & PIN_BASED_NMI_EXITING))
		return;
	nmi_vcpu = v;
	arch_set_nmi_hook(root_nmi_hook);
}

void vmx_nmi_stop(struct vcpu *v)
{
	arch_set_nmi_hook(NULL);
	nmi_vcpu = NULL;
	if (v->nmis_injected || v->nmis_root)
		pr_info("keel: guest: %llu NMIs injected, %llu of them taken while Keel ran\n",
			v->nmis_injected, v->nmis_root);
}
