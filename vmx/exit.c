// SPDX-License-Identifier: MIT
/*
 * VM-exit dispatch: one table indexed by basic exit reason (SDM Vol.3D
 * appendix C, rev 080). Every reason without a handler goes to
 * unhandled_exit(), which dumps the guest and stops it; Keel keeps running.
 * Each exit is counted with the TSC cycles Keel spent on it.
 */
#include "core/console.h"
#include "core/lib.h"
#include "core/poll.h"
#include "arch/x86/arch.h"
#include "vmx/exitqual.h"
#include "vmx/vcpu.h"
#include "vmx/vmx_handlers.h"
#include "vmx/vmx_ops.h"

_Static_assert(offsetof(struct vcpu, regs) == 0, "vmx_entry.S: regs");
_Static_assert(offsetof(struct guest_regs, r15) == 112, "vmx_entry.S: r15");
_Static_assert(offsetof(struct vcpu, launched) == 120, "vmx_entry.S: launched");
_Static_assert(VM_RUNNING == 0, "vmx_handle_exit returns the VM state");

typedef void (*exit_handler_fn)(struct vcpu *v);

static void unhandled_exit(struct vcpu *v);

/* Every slot is filled: reasons Keel does not handle get the default. */
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Woverride-init"
static const exit_handler_fn exit_handlers[VMX_EXIT_REASON_NR] = {
	[0 ... VMX_EXIT_REASON_NR - 1] = unhandled_exit,
	[EXIT_REASON_EXCEPTION_NMI] = vmx_exit_exception_nmi,
	[EXIT_REASON_TRIPLE_FAULT] = vmx_exit_triple_fault,
	[EXIT_REASON_TASK_SWITCH] = vmx_exit_task_switch,
	[EXIT_REASON_INIT_SIGNAL] = vmx_exit_init_signal,
	[EXIT_REASON_SIPI_SIGNAL] = vmx_exit_sipi_signal,
	[EXIT_REASON_INTERRUPT_WINDOW] = vmx_exit_interrupt_window,
	[EXIT_REASON_NMI_WINDOW] = vmx_exit_nmi_window,
	[EXIT_REASON_CPUID] = vmx_exit_cpuid,
	[EXIT_REASON_HLT] = vmx_exit_hlt,
	[EXIT_REASON_INVD] = vmx_exit_wbinvd,
	[EXIT_REASON_VMCALL] = vmx_exit_vmcall,
	[EXIT_REASON_GETSEC] = vmx_exit_vmx_instruction,
	[EXIT_REASON_MWAIT] = vmx_exit_monitor_mwait,
	[EXIT_REASON_MONITOR] = vmx_exit_monitor_mwait,
	[EXIT_REASON_VMCLEAR] = vmx_exit_vmx_instruction,
	[EXIT_REASON_VMLAUNCH] = vmx_exit_vmx_instruction,
	[EXIT_REASON_VMPTRLD] = vmx_exit_vmx_instruction,
	[EXIT_REASON_VMPTRST] = vmx_exit_vmx_instruction,
	[EXIT_REASON_VMREAD] = vmx_exit_vmx_instruction,
	[EXIT_REASON_VMRESUME] = vmx_exit_vmx_instruction,
	[EXIT_REASON_VMWRITE] = vmx_exit_vmx_instruction,
	[EXIT_REASON_VMXOFF] = vmx_exit_vmx_instruction,
	[EXIT_REASON_VMXON] = vmx_exit_vmx_instruction,
	[EXIT_REASON_CR_ACCESS] = vmx_exit_cr_access,
	[EXIT_REASON_IO_INSTRUCTION] = vmx_exit_io,
	[EXIT_REASON_MSR_READ] = vmx_exit_rdmsr,
	[EXIT_REASON_MSR_WRITE] = vmx_exit_wrmsr,
	[EXIT_REASON_INVALID_GUEST_STATE] = vmx_exit_entry_failure,
	[EXIT_REASON_MSR_LOAD_FAIL] = vmx_exit_entry_failure,
	[EXIT_REASON_MCE_DURING_VMENTRY] = vmx_exit_entry_failure,
	[EXIT_REASON_EPT_VIOLATION] = vmx_exit_ept_violation,
	[EXIT_REASON_EPT_MISCONFIG] = vmx_exit_ept_misconfig,
	[EXIT_REASON_INVEPT] = vmx_exit_vmx_instruction,
	[EXIT_REASON_PREEMPTION_TIMER] = vmx_exit_preemption_timer,
	[EXIT_REASON_INVVPID] = vmx_exit_vmx_instruction,
	[EXIT_REASON_WBINVD] = vmx_exit_wbinvd,
	[EXIT_REASON_XSETBV] = vmx_exit_xsetbv,
	[EXIT_REASON_VMFUNC] = vmx_exit_vmx_instruction,
};
#pragma GCC diagnostic pop

static void unhandled_exit(struct vcpu *v)
{
	u32 reason = (u32)vmread(VMCS_EXIT_REASON) & VMX_EXIT_REASON_BASIC;

	vcpu_dump_state(v);
	vcpu_stop(v, "unhandled VM exit %u (%s)", reason,
		  vmx_exit_reason_name(reason));
}

/*
 * An exit during event delivery (SDM Vol.3C 28.2.4) loses the event unless
 * it is delivered again on the next entry.
 */
static void reinject_idt_vectoring(u32 reason, u32 info)
{
	/* After a failed entry the information is undefined (SDM Vol.3C
	 * 27.8); the guest is stopped anyway. */
	if ((reason & VMX_EXIT_REASON_ENTRY_FAIL) || !(info & INTR_INFO_VALID))
		return;
	/* A task switch through a task gate is that event's delivery: the
	 * emulated switch completes it (task_switch_exit.c). */
	if ((reason & VMX_EXIT_REASON_BASIC) == EXIT_REASON_TASK_SWITCH &&
	    eq_ts_source(vmread(VMCS_EXIT_QUALIFICATION)) == EQ_TS_GATE)
		return;
	u32 type = FIELD_GET(INTR_INFO_TYPE, info);

	vmwrite(VMCS_VM_ENTRY_INTR_INFO, info & ~INTR_INFO_NMI_UNBLOCK_IRET);
	if (info & INTR_INFO_DELIVER_CODE)
		vmwrite(VMCS_VM_ENTRY_EXCEPTION_ERROR_CODE,
			vmread(VMCS_IDT_VECTORING_ERROR_CODE));
	if (type == INTR_TYPE_SOFT_INTR ||
	    type == INTR_TYPE_PRIV_SW_EXCEPTION ||
	    type == INTR_TYPE_SOFT_EXCEPTION)
		vmwrite(VMCS_VM_ENTRY_INSTRUCTION_LEN,
			vmread(VMCS_VM_EXIT_INSTRUCTION_LEN));
	/*
	 * An NMI whose delivery exited may leave (virtual-)NMI blocking set,
	 * and VM entry refuses to inject an NMI while it is (SDM Vol.3C
	 * 26.3.1.5; the SDM's "resuming guest software after handling an
	 * exception" says to clear it): the NMI was not delivered yet.
	 */
	if (type == INTR_TYPE_NMI)
		vmwrite(VMCS_GUEST_INTERRUPTIBILITY_INFO,
			vmread(VMCS_GUEST_INTERRUPTIBILITY_INFO) &
				~(u64)GUEST_INTR_STATE_NMI);
}

/*
 * The rare work at the start of an exit: a lost event, the trace ring.
 * It reads the fields again and returns the exit reason, so the hot path
 * keeps nothing live across the call.
 */
static __attribute__((noinline)) u32 exit_start_slow(struct vcpu *v)
{
	u32 basic = (u32)vmread(VMCS_EXIT_REASON);
	u32 idt = (u32)vmread(VMCS_IDT_VECTORING_INFO);

	if ((s32)(basic | idt) < 0)
		reinject_idt_vectoring(basic, idt);
	if (vmx_trace_bit)
		vmx_trace_record(v, basic & VMX_EXIT_REASON_BASIC);
	return basic;
}

/* Out of line: the hot path below then needs one callee-saved register. */
static __attribute__((noinline)) void out_of_range_exit(struct vcpu *v)
{
	v->exit_reason = EXIT_STAT_UNKNOWN;
	unhandled_exit(v);
}

/*
 * Something beyond the exit itself needs doing before the guest runs
 * again; vmx_entry.S calls this when vmx_handle_exit() returned non-zero.
 * Returns 0 to resume the guest, non-zero to leave it.
 */
int vmx_exit_attention(struct vcpu *v)
{
	if (v->vm->state != VM_RUNNING)
		return 1;
	/* NMI first: it takes the entry's one event slot before an
	 * interrupt, as the CPU ranks them (SDM Vol.3A 6.9). */
	vmx_nmi_inject(v);
	if (v->vm->attention & VM_ATTN_IRQ)
		vcpu_take_device_irqs(v);
	return 0;
}

/*
 * The hot path: this file is built without frame pointers (vmx/kernel.mk)
 * to keep a CPUID round trip near the bare minimum (docs/vmx.md, "Exit
 * cost"). A failed entry has bit 31 set on a basic reason (33, 34 or 41)
 * that the table already sends to vmx_exit_entry_failure. vmx_enter()
 * marks the vCPU launched before VMLAUNCH, so this path never has to.
 */
int vmx_handle_exit(struct vcpu *v)
{
	u32 basic, idt;
	u64 tsc;

	/* Kept in the vcpu, not in registers the call would make us save. */
	v->exit_tsc = rdtsc();
	basic = (u32)vmread(VMCS_EXIT_REASON);
	idt = (u32)vmread(VMCS_IDT_VECTORING_INFO);
	/* Both flags are bit 31, as is the trace switch: one test keeps the
	 * common path short. */
	if (unlikely((s32)(basic | idt | vmx_trace_bit) < 0))
		basic = exit_start_slow(v);
	basic &= VMX_EXIT_REASON_BASIC;
	if (unlikely(basic >= VMX_EXIT_REASON_NR)) {
		out_of_range_exit(v);
	} else {
		v->exit_reason = basic;
		exit_handlers[basic](v);
	}
	v->exits++;
	basic = v->exit_reason;
	v->exit_count[basic]++;
	tsc = rdtsc() - v->exit_tsc;
	v->exit_cycles[basic] += tsc;
	/* Keel's background work, when due (core/poll.h); a poller may
	 * raise an interrupt or end the guest, which the return reports. */
	if (unlikely(v->exit_tsc >= keel_poll_next))
		vmx_background(v);
	/* Non-zero: the guest ended, an NMI or a device interrupt waits
	 * (VM_ATTN_*), and the stub asks vmx_exit_attention() what to do. */
	return (int)v->vm->attention;
}
