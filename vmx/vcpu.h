/* SPDX-License-Identifier: MIT */
/*
 * The guest's one vCPU, as the in-kernel VMX code sees it: its registers,
 * VMX controls and exit statistics. The machine around it (RAM, devices,
 * how the guest ended) is the struct vm of vm/vm.h. Private to vmx/;
 * other subsystems use vmx/vmx.h.
 */
#ifndef KEEL_VMX_VCPU_H
#define KEEL_VMX_VCPU_H

#include "core/types.h"
#include "arch/x86/x86_defs.h"
#include "ept/ept.h"
#include "vmx/caps.h"
#include "vmx/event.h"
#include "vmx/msr_virt.h"
#include "vmx/vmcs.h"
#include "vmx/vmx_ops.h"
#include "vm/vm.h"

/* Saved guest GPRs; vmx_entry.S uses the offsets in GREG_* below. */
struct guest_regs {
	u64 rax, rbx, rcx, rdx, rsi, rdi, rbp;
	u64 r8, r9, r10, r11, r12, r13, r14, r15;
};

/* Exit statistics are indexed by basic exit reason; this slot counts
 * reasons beyond the table. */
#define EXIT_STAT_UNKNOWN VMX_EXIT_REASON_NR

struct vcpu {
	struct guest_regs regs; /* first: vmx_entry.S addresses it */
	u64 launched; /* VMLAUNCH done; then VMRESUME */
	struct vm *vm;
	const struct vmx_config *cfg;
	phys_addr_t vmcs; /* 0 until vmcs_setup() */
	u64 eptp;
	u16 vpid; /* 0: VPID not in use */
	u8 *io_bitmap; /* bitmaps A and B, SDM Vol.3C 25.6.4 */
	u8 *msr_bitmap; /* SDM Vol.3C 25.6.9 */
	/* Leaves (mod 64) the CPUID exit takes the slow path for: the
	 * filter's, and leaf 0 under MISC_ENABLE.LIMIT_CPUID. */
	u64 cpuid_slow;
	/* IA32_MISC_ENABLE, MCA banks, MTRRs: the guest's (vmx/msr_virt.h) */
	struct vmsr_state msr;
	/* Acknowledged external interrupts to re-inject (their delivery
	 * lost the entry slot to an exception); device interrupts go as
	 * self-IPIs instead (vcpu_take_device_irqs). */
	struct irq_set pending_irqs;
	bool irq_wait_said; /* "device interrupts wait" was printed */
	u64 nmis_injected, nmis_root;
	u64 exit_tsc; /* TSC at the start of the exit being handled */
	u64 entry_tsc; /* TSC just before VMLAUNCH (docs/linux-guest.md) */
	u64 exits;
	u64 polls; /* background runs (vmx/background.c) */
	u32 exit_reason; /* statistics slot of the exit being handled */
	/* Per reason: exits, and TSC cycles spent in Keel handling them.
	 * Two arrays, so that one scaled index reaches either. */
	u64 exit_count[VMX_EXIT_REASON_NR + 1];
	u64 exit_cycles[VMX_EXIT_REASON_NR + 1];
};

/* ---- run.c ---- */
/* The vCPU between two exits of a running guest, else NULL. */
struct vcpu *vcpu_running(void);

/* ---- debug.c ---- */
/*
 * Bit 31 while the trace ring is on (the shell's "trace on"): exit.c folds
 * it into the one test of the exit reason's and IDT-vectoring bit 31s.
 */
#define VMX_TRACE_ON BIT(31)
extern u32 vmx_trace_bit;
/* Record the exit being handled: reason, RIP and qualification. */
void vmx_trace_record(struct vcpu *v, u32 reason);

/* ---- vmx.c ---- */
extern struct vmx_config vmx_cfg;
const struct vmx_caps_msrs *vmx_caps(void);

/* ---- vmcs_init.c ---- */
/*
 * Allocate, clear and load a VMCS for @v and fill every control, host and
 * guest field for a multiboot (v1) entry as @entry says.
 */
int vmcs_setup(struct vcpu *v, const struct vm_entry *entry);

/* ---- background.c ---- */
/* Arm the preemption timer in the current VMCS, if the CPU has one. */
void vmx_background_setup(struct vcpu *v);
/* Run Keel's pollers (core/poll.h) and re-arm the timer. */
void vmx_background(struct vcpu *v);

/* ---- vmx_entry.S ---- */
/*
 * Run the guest until vmx_handle_exit() returns non-zero. Returns 0 then,
 * 1 when VMLAUNCH failed or 2 when VMRESUME failed (see the VM-instruction
 * error).
 */
int vmx_enter(struct vcpu *v);
void vmx_exit_stub(void);
/*
 * Called by the exit stub with the guest's GPRs saved; 0 = resume, else
 * the stub calls vmx_exit_attention(), which says whether to leave.
 */
int vmx_handle_exit(struct vcpu *v);
int vmx_exit_attention(struct vcpu *v);

/* ---- exit.c ---- */
/* How the guest ends is the VM's: see vm_stop() and vm_exit(). */
#define vcpu_stop(v, ...) vm_stop((v)->vm, __VA_ARGS__)
/* A hardware exception, as the CPU raises it (docs/vmx.md, "Event
 * injection"); @error is used where the vector pushes one. */
void vcpu_inject_exception(struct vcpu *v, u8 vector, u32 error);
void vcpu_inject_ud(struct vcpu *v);
void vcpu_inject_gp(struct vcpu *v);
/* #PF with @cr2 as the faulting linear address. */
void vcpu_inject_pf(struct vcpu *v, u64 cr2, u32 error);
/*
 * Re-inject the acknowledged interrupts in pending_irqs when the guest can
 * take them, highest vector first, one per VM entry.
 */
void vcpu_deliver_pending_irq(struct vcpu *v);
/* Send the interrupts devices raised (vm_raise_irq) to the guest's LAPIC
 * as self-IPIs, or leave them raised while it cannot accept them. */
void vcpu_take_device_irqs(struct vcpu *v);
static inline bool vcpu_irq_pending(const struct vcpu *v)
{
	return !irq_set_empty(&v->pending_irqs);
}
void vcpu_dump_state(struct vcpu *v);
void vcpu_print_stats(const struct vcpu *v);
u64 *vcpu_gpr(struct vcpu *v, unsigned int index);

/* ---- linear.c ---- */
/* Drop cached EPT translations after the tables change. */
void vmx_flush_ept(struct vcpu *v);
/* Read/write guest memory by linear address through the guest's paging. */
int guest_read_linear(struct vcpu *v, u64 gla, void *buf, size_t len);
int guest_write_linear(struct vcpu *v, u64 gla, const void *buf, size_t len);
/*
 * Check that the guest may read (or write) @len bytes at @gla with its
 * CPL, CR0.WP and EFER.NXE. Returns 0, GPT_PAGE_FAULT with the #PF error
 * code and the faulting address for CR2, or a negative errno.
 */
int guest_check_linear(struct vcpu *v, u64 gla, size_t len, bool write,
		       u32 *pf_error, u64 *cr2);

/* ---- io.c ---- */
void vmx_io_bitmap_init(struct vcpu *v);
void vmx_exit_io(struct vcpu *v);

/* ---- mmio.c ---- */
void vmx_exit_ept_violation(struct vcpu *v);
void vmx_exit_ept_misconfig(struct vcpu *v);

/* ---- nmi.c ---- */
void vmx_nmi_start(struct vcpu *v);
void vmx_nmi_stop(struct vcpu *v);
void vmx_nmi_inject(struct vcpu *v);
void vmx_exit_exception_nmi(struct vcpu *v);
void vmx_exit_nmi_window(struct vcpu *v);

/* ---- msr.c ---- */
void vmx_msr_bitmap_init(struct vcpu *v);
void vmx_exit_rdmsr(struct vcpu *v);
void vmx_exit_wrmsr(struct vcpu *v);
/* The guest's MISC_ENABLE, MCA banks and MTRRs as at a reset. */
void vmx_msr_reset(struct vcpu *v);
/* Apply the guest's MISC_ENABLE to the CPUID exit path. */
void vmx_msr_misc_enable_changed(struct vcpu *v);
/* RDMSR/WRMSR of the low MSR @msr exit (@on) or pass through. */
void vmx_msr_intercept(struct vcpu *v, u32 msr, bool on);

/* ---- msr_tsc.c ---- */
/* TSC offset 0, TSC_DEADLINE passed through; after vmcs_setup(). */
void vmx_tsc_reset(struct vcpu *v);
/* WRMSR IA32_TSC: the guest's TSC is @val from now on. */
void vmx_tsc_write(struct vcpu *v, u64 val);
/* IA32_TSC_ADJUST, the guest's own; 0 or -EPERM (not shown). */
int vmx_tsc_adjust_read(struct vcpu *v, u64 *val);
int vmx_tsc_adjust_write(struct vcpu *v, u64 val);
/* TSC_DEADLINE while intercepted (offset not 0); 0 or -EPERM. */
int vmx_tsc_deadline_read(struct vcpu *v, u64 *val);
int vmx_tsc_deadline_write(struct vcpu *v, u64 val);

/* ---- cr.c ---- */
void vmx_exit_cr_access(struct vcpu *v);
/*
 * Load the guest's CR3 as a MOV to CR3 would (with EPT it is just written;
 * under PAE paging the PDPTEs are loaded too). False: a PDPTE has reserved
 * bits set (#GP for the guest).
 */
bool vmx_load_guest_cr3(struct vcpu *v, u64 val);

/* ---- cpu_reset.c ---- */
/* FPU/SSE/AVX, XCR0, DR0-3, DR6, CR2, guest-owned MSRs: as at power-on. */
void vmx_reset_cpu_state(void);

/* ---- task_switch_exit.c ---- */
void vmx_exit_task_switch(struct vcpu *v);

/* ---- hypercall.c ---- */
void vmx_exit_vmcall(struct vcpu *v);

/* A device changed the EPT (vm_map_mmio): flush before the guest runs. */
static inline void vcpu_sync_ept(struct vcpu *v)
{
	if (unlikely(v->vm->ept_dirty)) {
		vmx_flush_ept(v);
		v->vm->ept_dirty = false;
	}
}

/*
 * 64-bit mode is IA-32e mode (EFER.LMA) with CS.L (SDM Vol.3A 5.2.1).
 */
static inline bool vcpu_in_64bit_mode(void)
{
	return (vmread(VMCS_GUEST_CS_AR_BYTES) & VMX_AR_L) &&
	       (vmread(VMCS_GUEST_IA32_EFER) & EFER_LMA);
}

/*
 * The base of segment @seg (0-5: ES, CS, SS, DS, FS, GS, the order of
 * their VMCS fields, 2 apart: SDM Vol.3C B.4.3). In 64-bit mode only FS
 * and GS have one (SDM Vol.3A 3.4.4).
 */
#define VCPU_SEG_FS 4
static inline u64 vcpu_seg_base(unsigned int seg, bool mode64)
{
	if (mode64 && seg < VCPU_SEG_FS)
		return 0;
	return vmread(VMCS_GUEST_ES_BASE + 2 * seg);
}

/*
 * With RFLAGS.TF set (and IA32_DEBUGCTL.BTF clear, which asks for traps on
 * branches only) the CPU raises a single-step #DB after every instruction
 * (SDM Vol.3B 18.3.1.4). An instruction that exits never completes on the
 * CPU, so when Keel completes it the trap is Keel's to make pending; VM
 * entry then delivers it with DR6.BS (SDM Vol.3C 27.7.3).
 */
static inline bool vcpu_steps(u64 rflags)
{
	return (rflags & X86_RFLAGS_TF) &&
	       !(vmread(VMCS_GUEST_IA32_DEBUGCTL) & DEBUGCTL_BTF);
}

static inline bool vcpu_single_stepping(void)
{
	return vcpu_steps(vmread(VMCS_GUEST_RFLAGS));
}

/*
 * Advance RIP past an emulated instruction of @len bytes, the guest's
 * RFLAGS being @rflags. It ends STI/MOV SS blocking, as a real one would
 * (SDM Vol.3C 25.4.2). Returns whether it made a single-step #DB pending.
 */
static inline bool vcpu_advance_rip_rflags(struct vcpu *v, u64 len, u64 rflags)
{
	u64 rip = vmread(VMCS_GUEST_RIP);
	u64 intr = vmread(VMCS_GUEST_INTERRUPTIBILITY_INFO);
	u64 next = rip + len;

	/*
	 * Outside 64-bit mode RIP wraps at 4 GiB, and VM entry fails on a
	 * RIP with bits 63:32 set (SDM Vol.3C 27.3.1.4): CPUID at EIP
	 * 0xfffffffe in a 32-bit segment must not stop the guest. Only a
	 * carry out of bit 31 needs the (costlier) mode check.
	 */
	if (unlikely((next ^ rip) >> 32) && !vcpu_in_64bit_mode())
		next = (u32)next;
	vmwrite(VMCS_GUEST_RIP, next);
	if (unlikely(intr & (GUEST_INTR_STATE_STI | GUEST_INTR_STATE_MOV_SS)))
		vmwrite(VMCS_GUEST_INTERRUPTIBILITY_INFO,
			intr & ~(u64)(GUEST_INTR_STATE_STI |
				      GUEST_INTR_STATE_MOV_SS));
	if (likely(!vcpu_steps(rflags)))
		return false;
	vmwrite(VMCS_GUEST_PENDING_DBG_EXCEPTIONS,
		vmread(VMCS_GUEST_PENDING_DBG_EXCEPTIONS) | PENDING_DBG_BS);
	return true;
}

/* The same, reading RFLAGS from the VMCS. */
static inline void vcpu_advance_rip(struct vcpu *v, u64 len)
{
	vcpu_advance_rip_rflags(v, len, vmread(VMCS_GUEST_RFLAGS));
}

/* Advance RIP past the instruction that caused this exit. */
static inline void vcpu_skip_instruction(struct vcpu *v)
{
	vcpu_advance_rip(v, vmread(VMCS_VM_EXIT_INSTRUCTION_LEN));
}

#endif
