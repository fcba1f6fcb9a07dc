// SPDX-License-Identifier: MIT
/*
 * vCPU services for exit handlers: ending the guest, advancing RIP, event
 * injection (SDM Vol.3C 26.6, rev 080), device interrupts as self-IPIs to
 * the guest's LAPIC, register access and state dumps.
 */
#include <stdarg.h>
#include "core/console.h"
#include "core/lib.h"
#include "core/poll.h"
#include "arch/x86/arch.h"
#include "arch/x86/lapic.h"
#include "vmx/vcpu.h"
#include "vmx/vmx_ops.h"

/*
 * An exception Keel raises while an event it is re-injecting (IDT-vectoring
 * information, exit.c) waits for the next entry: the two combine as on
 * the CPU (SDM Vol.3A 6.15 table 6-5). Returns the vector to deliver, or
 * -1 when the guest shut down. An external interrupt that loses its slot
 * goes back to the pending set; a software interrupt or exception is
 * raised again when the guest re-executes its instruction (RIP still
 * points at it).
 */
static int merge_pending(struct vcpu *v, u8 vector, u32 *error)
{
	u32 prev = (u32)vmread(VMCS_VM_ENTRY_INTR_INFO);
	u32 type = FIELD_GET(INTR_INFO_TYPE, prev);
	u8 prev_vec = FIELD_GET(INTR_INFO_VECTOR, prev);

	if (!(prev & INTR_INFO_VALID))
		return vector;
	vmwrite(VMCS_VM_ENTRY_INTR_INFO, 0);
	if (type == INTR_TYPE_EXT_INTR) {
		irq_set_add(&v->pending_irqs, prev_vec);
		return vector;
	}
	if (type != INTR_TYPE_HARD_EXCEPTION)
		return vector;
	switch (x86_exc_merge(prev_vec, vector)) {
	case EXC_TRIPLE:
		vcpu_dump_state(v);
		vcpu_stop(v, "triple fault (exception %u while delivering #DF)",
			  vector);
		return -1;
	case EXC_DOUBLE:
		*error = 0;
		return X86_VEC_DF;
	default:
		return vector;
	}
}

/*
 * Inject a hardware exception as the CPU would raise it: with its error
 * code in protected mode only (real mode pushes none and VM entry refuses
 * one, SDM Vol.3C 27.2.1.3), with RFLAGS.RF set for a fault so that the
 * image the handler sees has RF as the CPU pushes it (SDM Vol.3A
 * 18.3.1.1; VM entry pushes RFLAGS as it is in the guest state, SDM
 * Vol.3C 27.6.1.1), and promoted to #DF or a shutdown when it hits an
 * event being re-injected.
 */
void vcpu_inject_exception(struct vcpu *v, u8 vector, u32 error)
{
	bool pe = vmread(VMCS_GUEST_CR0) & X86_CR0_PE;
	int vec = merge_pending(v, vector, &error);
	u32 info;

	if (vec < 0)
		return;
	info = (u32)vec | FIELD_PREP(INTR_INFO_TYPE, INTR_TYPE_HARD_EXCEPTION) |
	       INTR_INFO_VALID;
	if (pe && x86_exc_has_error_code((u8)vec)) {
		info |= INTR_INFO_DELIVER_CODE;
		vmwrite(VMCS_VM_ENTRY_EXCEPTION_ERROR_CODE, error);
	}
	if (pe && x86_exc_is_fault((u8)vec))
		vmwrite(VMCS_GUEST_RFLAGS,
			vmread(VMCS_GUEST_RFLAGS) | X86_RFLAGS_RF);
	vmwrite(VMCS_VM_ENTRY_INTR_INFO, info);
}

void vcpu_inject_ud(struct vcpu *v)
{
	vcpu_inject_exception(v, X86_VEC_UD, 0);
}

void vcpu_inject_gp(struct vcpu *v)
{
	vcpu_inject_exception(v, X86_VEC_GP, 0);
}

/* CR2 is not part of the VMCS: the guest runs with the CPU's own, which
 * nothing in Keel changes between here and VM entry. */
void vcpu_inject_pf(struct vcpu *v, u64 cr2, u32 error)
{
	__asm__ volatile("mov %0, %%cr2" : : "r"(cr2));
	vcpu_inject_exception(v, X86_VEC_PF, error);
}

static bool can_take_irq(void)
{
	u64 intr = vmread(VMCS_GUEST_INTERRUPTIBILITY_INFO);

	/* A pending debug trap comes first, and VM entry that injects the
	 * interrupt would drop it (vmx/event.h). */
	return (vmread(VMCS_GUEST_RFLAGS) & X86_RFLAGS_IF) &&
	       !(intr & (GUEST_INTR_STATE_STI | GUEST_INTR_STATE_MOV_SS)) &&
	       !(vmread(VMCS_VM_ENTRY_INTR_INFO) & INTR_INFO_VALID) &&
	       !vmx_debug_trap_pending(
		       vmread(VMCS_GUEST_PENDING_DBG_EXCEPTIONS));
}

static void set_window_exiting(bool on)
{
	u64 proc = vmread(VMCS_CPU_BASED_VM_EXEC_CONTROL);

	if (on)
		proc |= CPU_BASED_INTR_WINDOW_EXITING;
	else
		proc &= ~(u64)CPU_BASED_INTR_WINDOW_EXITING;
	vmwrite(VMCS_CPU_BASED_VM_EXEC_CONTROL, proc);
}

/*
 * Re-deliver the highest acknowledged interrupt that lost its entry slot
 * (merge_pending) now, or ask for an interrupt-window exit. Its ISR bit
 * is already set, so it goes in through the VMCS, not as a new IPI. One
 * per VM entry; window exiting stays on while others wait.
 */
void vcpu_deliver_pending_irq(struct vcpu *v)
{
	int vector;

	if (!vcpu_irq_pending(v)) {
		set_window_exiting(false);
		return;
	}
	if (!can_take_irq()) {
		set_window_exiting(true);
		return;
	}
	vector = irq_set_take_highest(&v->pending_irqs);
	vmwrite(VMCS_VM_ENTRY_INTR_INFO,
		(u32)vector | FIELD_PREP(INTR_INFO_TYPE, INTR_TYPE_EXT_INTR) |
			INTR_INFO_VALID);
	/* A halted guest wakes up for the interrupt. */
	if (vmread(VMCS_GUEST_ACTIVITY_STATE) == GUEST_ACTIVITY_HLT)
		vmwrite(VMCS_GUEST_ACTIVITY_STATE, GUEST_ACTIVITY_ACTIVE);
	set_window_exiting(vcpu_irq_pending(v));
}

/* Why the guest's LAPIC cannot take a fixed interrupt now, or NULL. */
static const char *lapic_refuses(enum lapic_mode mode)
{
	if (mode == LAPIC_MODE_OFF)
		return "its LAPIC is disabled (IA32_APIC_BASE bit 11 clear)";
	if (!lapic_sw_enabled(mode))
		return "its LAPIC is software-disabled (SVR bit 8 clear)";
	return NULL;
}

static void say_irqs_wait(struct vcpu *v, const char *why)
{
	if (v->irq_wait_said)
		return;
	v->irq_wait_said = true;
	pr_info("keel: guest: device interrupts wait: %s\n", why);
}

/*
 * Send every raised vector to the guest's LAPIC as a self-IPI (docs/vmx.md,
 * "Device interrupts"). Keel runs with IF=0, so each waits in the IRR and
 * the CPU delivers it once the guest runs, by the guest's TPR and PPR,
 * with the ISR bit its EOI clears. While the LAPIC cannot accept one the
 * vectors stay raised, and every exit tries again.
 */
void vcpu_take_device_irqs(struct vcpu *v)
{
	struct vm *vm = v->vm;
	enum lapic_mode mode = lapic_mode();
	const char *why = lapic_refuses(mode);

	if (why) {
		say_irqs_wait(v, why);
		return;
	}
	/* Claim first: a device that raises one from here on sets it again. */
	__atomic_fetch_and(&vm->attention, ~VM_ATTN_IRQ, __ATOMIC_RELAXED);
	for (unsigned int i = 0; i < ARRAY_SIZE(vm->irq_pending); i++) {
		u64 bits = __atomic_exchange_n(&vm->irq_pending[i], 0,
					       __ATOMIC_RELAXED);

		while (bits) {
			u8 vector = (u8)(i * 64 +
					 (unsigned int)__builtin_ctzll(bits));

			bits &= bits - 1;
			if (lapic_self_ipi(mode, vector))
				continue;
			say_irqs_wait(v, "its LAPIC's ICR stays busy");
			vm_raise_irq(vm, vector);
		}
	}
}

u64 *vcpu_gpr(struct vcpu *v, unsigned int index)
{
	/* SDM operand order: RAX RCX RDX RBX RSP RBP RSI RDI R8..R15. RSP
	 * lives in the VMCS; callers handle index 4 themselves. */
#define GREG(r) offsetof(struct guest_regs, r)
	static const u8 off[16] = {
		GREG(rax), GREG(rcx), GREG(rdx), GREG(rbx),
		0xff,	   GREG(rbp), GREG(rsi), GREG(rdi),
		GREG(r8),  GREG(r9),  GREG(r10), GREG(r11),
		GREG(r12), GREG(r13), GREG(r14), GREG(r15),
	};
#undef GREG

	if (index >= 16 || off[index] == 0xff)
		return NULL;
	return (u64 *)((u8 *)&v->regs + off[index]);
}

void vcpu_dump_state(struct vcpu *v)
{
	const struct guest_regs *r = &v->regs;

	printf("keel: guest state: RIP %016llx RSP %016llx RFLAGS %016llx\n",
	       vmread(VMCS_GUEST_RIP), vmread(VMCS_GUEST_RSP),
	       vmread(VMCS_GUEST_RFLAGS));
	printf("keel: guest state: RAX %016llx RBX %016llx RCX %016llx RDX %016llx\n",
	       r->rax, r->rbx, r->rcx, r->rdx);
	printf("keel: guest state: RSI %016llx RDI %016llx RBP %016llx\n",
	       r->rsi, r->rdi, r->rbp);
	printf("keel: guest state: CR0 %016llx CR3 %016llx CR4 %016llx EFER %016llx\n",
	       vmread(VMCS_GUEST_CR0), vmread(VMCS_GUEST_CR3),
	       vmread(VMCS_GUEST_CR4), vmread(VMCS_GUEST_IA32_EFER));
	printf("keel: guest state: CS %04llx base %llx AR %llx; exit reason %llu qualification %llx\n",
	       vmread(VMCS_GUEST_CS_SELECTOR), vmread(VMCS_GUEST_CS_BASE),
	       vmread(VMCS_GUEST_CS_AR_BYTES), vmread(VMCS_EXIT_REASON),
	       vmread(VMCS_EXIT_QUALIFICATION));
}

void vcpu_print_stats(const struct vcpu *v)
{
	u64 total = 0, cycles = 0;

	printf("keel: exit statistics:\n");
	printf("keel:   %-22s %10s %14s %10s\n", "reason", "count", "cycles",
	       "avg");
	for (u32 i = 0; i < VMX_EXIT_REASON_NR; i++) {
		u64 n = v->exit_count[i], c = v->exit_cycles[i];

		if (!n)
			continue;
		printf("keel:   %-22s %10llu %14llu %10llu\n",
		       vmx_exit_reason_name(i), n, c, c / n);
		total += n;
		cycles += c;
	}
	if (v->exit_count[EXIT_STAT_UNKNOWN]) {
		printf("keel:   %-22s %10llu %14llu\n", "(out of range)",
		       v->exit_count[EXIT_STAT_UNKNOWN],
		       v->exit_cycles[EXIT_STAT_UNKNOWN]);
		total += v->exit_count[EXIT_STAT_UNKNOWN];
		cycles += v->exit_cycles[EXIT_STAT_UNKNOWN];
	}
	printf("keel:   %-22s %10llu %14llu\n", "total", total, cycles);
	printf("keel: background work ran %llu times (%u pollers)\n", v->polls,
	       keel_poller_count());
	smp_report();
}
