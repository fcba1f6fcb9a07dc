/* SPDX-License-Identifier: MIT */
/*
 * Exceptions and interrupts as the CPU delivers them, for Keel's event
 * injection (vmx/vcpu.c): which vectors push an error code, which are
 * faults, how an exception during the delivery of another combines (SDM
 * Vol.3A 6.15 table 6-5, rev 080), and the set of external interrupts
 * waiting for the guest. Pure: built for the host tests too.
 */
#ifndef KEEL_VMX_EVENT_H
#define KEEL_VMX_EVENT_H

#include "core/types.h"

/* The exception vectors (X86_VEC_*) are arch/x86/x86_defs.h's. */
#include "arch/x86/x86_defs.h"

/* True for the vectors that push an error code in protected mode (SDM
 * Vol.3A table 6-1): #DF, #TS, #NP, #SS, #GP, #PF, #AC, #CP. */
bool x86_exc_has_error_code(u8 vector);

/*
 * True for the fault-class exceptions: the CPU sets RF in the EFLAGS image
 * it pushes for them (SDM Vol.3A 18.3.1.1), so that the faulting
 * instruction, restarted by IRET, does not hit an instruction breakpoint
 * again. #DB is a fault or a trap depending on its cause; Keel never
 * injects it and it is not counted here.
 */
bool x86_exc_is_fault(u8 vector);

enum exc_merge {
	EXC_SERIAL, /* deliver the second; the first is re-raised or lost */
	EXC_DOUBLE, /* deliver #DF (error code 0) instead */
	EXC_TRIPLE, /* shutdown */
};

/* An exception @second raised while delivering exception @first. */
enum exc_merge x86_exc_merge(u8 first, u8 second);

/* External interrupts waiting for the guest, one bit per vector, as the
 * LAPIC's IRR: the same vector twice is one interrupt. */
struct irq_set {
	u64 bits[4];
};

static inline void irq_set_add(struct irq_set *s, u8 vector)
{
	s->bits[vector / 64] |= BIT(vector % 64);
}

static inline bool irq_set_empty(const struct irq_set *s)
{
	return !(s->bits[0] | s->bits[1] | s->bits[2] | s->bits[3]);
}

/* Remove and return the highest pending vector; -1 when empty. */
int irq_set_take_highest(struct irq_set *s);

/*
 * Does the guest's pending debug exceptions field (@pending_dbg) hold a
 * debug trap that VM entry would deliver: BS or an enabled breakpoint
 * (SDM Vol.3C 27.7.3)? A VM entry that injects an NMI, an external
 * interrupt or a hardware exception drops it instead (same section),
 * while on the CPU such a trap, with the priority of "traps on the
 * previous instruction", comes before NMIs and interrupts (SDM Vol.3A
 * 6.9). So Keel injects those only once the trap is delivered: it asks
 * for the NMI or interrupt window, and the trap is delivered first (it
 * takes priority over both window exits, Vol.3C 27.7.3).
 */
bool vmx_debug_trap_pending(u64 pending_dbg);

/*
 * May VM entry inject an NMI now? Not while another event goes in
 * (@entry_info, the VM-entry interruption information, is valid), nor
 * under NMI, MOV SS or STI blocking in the guest's interruptibility state
 * @intr (SDM Vol.3C 27.3.1.5; some CPUs refuse an NMI under STI
 * blocking), nor over a pending debug trap (@pending_dbg, above).
 */
bool vmx_nmi_injectable(u32 entry_info, u64 intr, u64 pending_dbg);

#endif
