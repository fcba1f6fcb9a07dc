// SPDX-License-Identifier: MIT
/*
 * Exit handlers for CPUID, HLT, cache control, XSETBV, VMX instructions,
 * INIT/SIPI, the interrupt window, the preemption timer, triple faults and
 * failed VM entries. SDM Vol.3C ch. 26 and 28 (rev 080).
 */
#include "core/console.h"
#include "core/lib.h"
#include "core/poll.h"
#include "arch/x86/arch.h"
#include "vm/guest_abi.h"
#include "vmx/cpuid_features.h"
#include "vmx/cpuid_filter.h"
#include "vmx/cpuid_time.h"
#include "vmx/hc_abi.h"
#include "vmx/vcpu.h"
#include "vmx/vmx_handlers.h"
#include "vmx/vmx_ops.h"

/* CPUID leaves 40000000h-400000FFh are reserved for hypervisors. */
#define CPUID_HV_BASE 0x40000000U
#define CPUID_HV_MAX 0x400000ffU
/* XCR0 state components, SDM Vol.1 13.1 */
#define XCR0_X87 BIT(0)
#define XCR0_SSE BIT(1)
#define XCR0_AVX BIT(2)
#define XCR0_MPX (BIT(3) | BIT(4))
#define XCR0_AVX512 (BIT(5) | BIT(6) | BIT(7))
#define XCR0_AMX (BIT(17) | BIT(18))
/*
 * Hide what Keel does not back (vmx/cpuid_features.h, docs/cpuid-msr.md),
 * set the hypervisor bit, and show OSXSAVE/OSPKE as the guest's CR4 has
 * them, not Keel's.
 */
static __attribute__((noinline)) void fix_cpuid(struct vcpu *v, u32 leaf,
						u32 sub)
{
	struct guest_regs *g = &v->regs;
	u32 r[4] = { (u32)g->rax, (u32)g->rbx, (u32)g->rcx, (u32)g->rdx };
	u64 cr4 = vmread(VMCS_GUEST_CR4);

	cpuid_filter(leaf, sub, r,
		     cpuid_needs_from_ctls(vmx_cfg.ctl.word[VMX_CTL_PROC],
					   vmx_cfg.ctl.word[VMX_CTL_PROC2]));
	if (leaf == 1) {
		r[CPUID_ECX] &= ~(u32)CPUID_1_ECX_OSXSAVE;
		r[CPUID_ECX] |= CPUID_1_ECX_HYPERVISOR;
		if (cr4 & X86_CR4_OSXSAVE)
			r[CPUID_ECX] |= CPUID_1_ECX_OSXSAVE;
	} else if (leaf == 7 && sub == 0) {
		r[CPUID_ECX] &= ~(u32)CPUID_7_ECX_OSPKE;
		if (cr4 & X86_CR4_PKE)
			r[CPUID_ECX] |= CPUID_7_ECX_OSPKE;
	} else if (leaf == CPUID_LEAF_TSC || leaf == CPUID_LEAF_FREQ) {
		vmx_time_leaf(leaf, r);
	}
	misc_enable_cpuid(v->msr.misc_enable, leaf, r);
	g->rax = r[CPUID_EAX];
	g->rbx = r[CPUID_EBX];
	g->rcx = r[CPUID_ECX];
	g->rdx = r[CPUID_EDX];
}

static __attribute__((noinline)) void keel_leaf(struct vcpu *v, u32 leaf)
{
	u32 a, b, c, d;

	keel_cpuid_leaf(leaf, &a, &b, &c, &d);
	v->regs.rax = a;
	v->regs.rbx = b;
	v->regs.rcx = c;
	v->regs.rdx = d;
}

/* Keel's leaves, and every leaf the filter may change. */
static __attribute__((noinline)) void cpuid_slow(struct vcpu *v)
{
	u32 leaf = (u32)v->regs.rax, sub = (u32)v->regs.rcx;
	u64 a, b, c, d;

	if (leaf >= CPUID_HV_BASE && leaf <= CPUID_HV_MAX) {
		keel_leaf(v, leaf);
		return;
	}
	__asm__ volatile("cpuid"
			 : "=a"(a), "=b"(b), "=c"(c), "=d"(d)
			 : "a"(leaf), "c"(sub));
	v->regs.rax = a;
	v->regs.rbx = b;
	v->regs.rcx = c;
	v->regs.rdx = d;
	if (cpuid_filter_wants(leaf) || leaf == 0)
		fix_cpuid(v, leaf, sub);
}

/*
 * The hot path of the exit benchmark: no stack traffic on the way. Basic
 * leaves the filter leaves alone run CPUID straight from the guest's RAX
 * and RCX; Keel's, the extended ones and those the filter may change take
 * cpuid_slow().
 */
void vmx_exit_cpuid(struct vcpu *v)
{
	/* 64-bit operands: CPUID reads EAX and ECX and zero-extends its
	 * outputs into RAX..RDX, so each load and store is one instruction. */
	u64 a = v->regs.rax, c = v->regs.rcx, b, d;
	u32 leaf = (u32)a;

	if (unlikely(leaf >= CPUID_HV_BASE ||
		     cpuid_slow_leaf(v->cpuid_slow, leaf))) {
		cpuid_slow(v);
	} else {
		__asm__ volatile("cpuid" : "+a"(a), "=b"(b), "+c"(c), "=d"(d));
		v->regs.rax = a;
		v->regs.rbx = b;
		v->regs.rcx = c;
		v->regs.rdx = d;
	}
	vcpu_skip_instruction(v);
}

/*
 * HLT: the guest owns its interrupt sources, so the CPU itself waits for
 * the next one in the HLT activity state. With interrupts off nothing can
 * wake it: that is the end of the guest.
 */
void vmx_exit_hlt(struct vcpu *v)
{
	u64 rflags = vmread(VMCS_GUEST_RFLAGS);

	/* A single-stepped HLT traps at once: its #DB is pending (BS), and
	 * VM entry in the HLT state with TF set and BS pending would only
	 * wake for it (SDM Vol.3C 27.3.1.5, 27.7.3). */
	if (vcpu_advance_rip_rflags(v, vmread(VMCS_VM_EXIT_INSTRUCTION_LEN),
				    rflags))
		return;
	if (!(rflags & X86_RFLAGS_IF) && !vcpu_irq_pending(v)) {
		/* Only an NMI can wake it, as on the CPU: wait for one when
		 * Keel passes NMIs on (vmx/nmi.c wakes the guest), else
		 * nothing ever will. */
		if ((v->cfg->ctl.word[VMX_CTL_PIN] & PIN_BASED_NMI_EXITING) &&
		    (vmx_caps()->misc & VMX_MISC_ACTIVITY_HLT))
			vmwrite(VMCS_GUEST_ACTIVITY_STATE, GUEST_ACTIVITY_HLT);
		else
			vcpu_stop(v, "halted with interrupts disabled");
		return;
	}
	/* Device interrupts wait in the LAPIC's IRR (self-IPIs): the CPU
	 * leaves the HLT state for one the guest's PPR lets through, as on
	 * bare metal, since the HLT activity state blocks only SIPIs (SDM
	 * Vol.3C 26.6.2) and external-interrupt exiting is off. */
	if (vcpu_irq_pending(v))
		vcpu_deliver_pending_irq(v);
	else if (vmx_caps()->misc & VMX_MISC_ACTIVITY_HLT)
		vmwrite(VMCS_GUEST_ACTIVITY_STATE, GUEST_ACTIVITY_HLT);
	/* Without the HLT activity state the guest resumes after its HLT,
	 * which a kernel's idle loop tolerates (it re-checks and halts). */
}

/* INVD would drop dirty lines Keel may own too: do WBINVD for both. */
void vmx_exit_wbinvd(struct vcpu *v)
{
	__asm__ volatile("wbinvd" ::: "memory");
	vcpu_skip_instruction(v);
}

/* As CPUID.(0Dh,0) shows it to the guest: without the hidden MPX bits. */
static u64 supported_xcr0(void)
{
	struct cpuid_regs c = cpuid(0xd, 0);
	u32 r[4] = { c.eax, c.ebx, c.ecx, c.edx };

	cpuid_filter(0xd, 0, r, 0);
	return ((u64)r[CPUID_EDX] << 32) | r[CPUID_EAX];
}

/*
 * The XCR0 combinations XSETBV refuses with #GP (SDM Vol.2C XSETBV, Vol.1
 * 13.3): x87 off, AVX without SSE, MPX bits 4:3 apart, AVX-512 bits 7:5
 * not all equal or without AVX, AMX bits 18:17 apart.
 */
static bool xcr0_valid(u64 v)
{
	u64 avx512 = v & XCR0_AVX512;

	if (!(v & XCR0_X87) || ((v & XCR0_AVX) && !(v & XCR0_SSE)))
		return false;
	if ((v & XCR0_MPX) && (v & XCR0_MPX) != XCR0_MPX)
		return false;
	if (avx512 && (avx512 != XCR0_AVX512 || !(v & XCR0_AVX)))
		return false;
	return !(v & XCR0_AMX) || (v & XCR0_AMX) == XCR0_AMX;
}

/* XSETBV: only XCR0 and only valid, supported values, else #GP. It runs
 * through xsetbv_safe so that a value these checks missed cannot fault
 * Keel itself. */
void vmx_exit_xsetbv(struct vcpu *v)
{
	u32 xcr = (u32)v->regs.rcx;
	u64 val = (v->regs.rdx << 32) | (u32)v->regs.rax;

	if (xcr != 0 || (val & ~supported_xcr0()) || !xcr0_valid(val) ||
	    xsetbv_safe(xcr, val)) {
		vcpu_inject_gp(v);
		return;
	}
	vcpu_skip_instruction(v);
}

/*
 * MONITOR and MWAIT are #UD while the guest's MISC_ENABLE.MONITOR FSM bit
 * is 0, as it starts, and CPUID then hides them (SDM Vol.4 table 2-2,
 * vmx/msr_misc_enable.c). Once the guest sets it they do nothing: the
 * CPU would run them, and an MWAIT into a C-state deeper than C2 may stop
 * the VMX-preemption timer that runs Keel's background work (SDM Vol.3C
 * 26.5.1); as a NOP, a guest idling on MWAIT spins instead.
 */
void vmx_exit_monitor_mwait(struct vcpu *v)
{
	if (!(v->msr.misc_enable & MISC_EN_MONITOR)) {
		vcpu_inject_ud(v);
		return;
	}
	vcpu_skip_instruction(v);
}

/*
 * The guest sees no VMX and no SMX (CPUID hides them, and CR4.SMXE is
 * refused): every VMX instruction, and GETSEC, which exits whatever the
 * controls (SDM Vol.3C 26.1.2), is #UD.
 */
void vmx_exit_vmx_instruction(struct vcpu *v)
{
	vcpu_inject_ud(v);
}

void vmx_exit_triple_fault(struct vcpu *v)
{
	vcpu_dump_state(v);
	vcpu_stop(v, "triple fault");
}

/*
 * INIT resets a CPU (SDM Vol.3A 10.4.7.3). Keel runs one vCPU and has no
 * reset path for it yet, so an INIT ends the guest; a SIPI outside the
 * wait-for-SIPI state is ignored, as hardware does.
 */
void vmx_exit_init_signal(struct vcpu *v)
{
	vcpu_stop(v, "INIT signal (guest reset is not supported)");
}

void vmx_exit_sipi_signal(struct vcpu *v)
{
}

void vmx_exit_interrupt_window(struct vcpu *v)
{
	vcpu_deliver_pending_irq(v);
}

/*
 * The timer only forces an exit; the background work runs here, even if
 * the timer's coarse rate fired it a little before keel_poll_next,
 * because a zero timer value would exit again at once.
 */
void vmx_exit_preemption_timer(struct vcpu *v)
{
	vmx_background(v);
}

static void dump_entry_failure(u32 reason)
{
	u32 basic = reason & VMX_EXIT_REASON_BASIC;

	printf("keel: VM entry failed: exit reason %u (%s), qualification %llu\n",
	       basic, vmx_exit_reason_name(basic),
	       vmread(VMCS_EXIT_QUALIFICATION));
	printf("keel:   controls: pin %08llx proc %08llx proc2 %08llx exit %08llx entry %08llx\n",
	       vmread(VMCS_PIN_BASED_VM_EXEC_CONTROL),
	       vmread(VMCS_CPU_BASED_VM_EXEC_CONTROL),
	       vmread(VMCS_SECONDARY_VM_EXEC_CONTROL),
	       vmread(VMCS_VM_EXIT_CONTROLS), vmread(VMCS_VM_ENTRY_CONTROLS));
	printf("keel:   entry event %08llx, activity %llu, interruptibility %llx\n",
	       vmread(VMCS_VM_ENTRY_INTR_INFO),
	       vmread(VMCS_GUEST_ACTIVITY_STATE),
	       vmread(VMCS_GUEST_INTERRUPTIBILITY_INFO));
}

/*
 * Invalid guest state, MSR loading and machine checks during entry (SDM
 * Vol.3C 27.8): the guest cannot go on; dump what the checks look at.
 */
void vmx_exit_entry_failure(struct vcpu *v)
{
	u32 reason = (u32)vmread(VMCS_EXIT_REASON);

	dump_entry_failure(reason);
	vcpu_dump_state(v);
	vcpu_stop(v, "VM entry failed: %s",
		  vmx_exit_reason_name(reason & VMX_EXIT_REASON_BASIC));
}
