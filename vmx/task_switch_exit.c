// SPDX-License-Identifier: MIT
/*
 * The TASK_SWITCH exit (reason 9): every task switch exits in VMX
 * non-root operation (SDM Vol.3C 26.4.2, rev 080), after the CPU has made
 * the first checks on the new TSS. Keel moves the guest's state from the
 * VMCS into a struct ts_state, lets vmx/task_switch.c do the switch
 * through the guest's linear addresses, and writes the result back.
 */
#include "core/console.h"
#include "core/lib.h"
#include "arch/x86/arch.h"
#include "vmx/exitqual.h"
#include "vmx/task_switch.h"
#include "vmx/vcpu.h"
#include "vmx/vmx_ops.h"

/* VMCS fields of each segment register: selector, base, limit, AR; the
 * encodings of one kind are 2 apart, in ES CS SS DS FS GS LDTR TR order
 * (SDM Vol.3D B.1.2, B.3.3, B.4.3). */
#define SEG_FIELD_STEP 2

enum seg_slot { SLOT_LDTR = TS_NSEG, SLOT_TR };

static struct ts_seg *slot_seg(struct ts_state *s, int i)
{
	if (i == SLOT_LDTR)
		return &s->ldtr;
	if (i == SLOT_TR)
		return &s->tr;
	return &s->seg[i];
}

static void read_seg(int i, struct ts_seg *g)
{
	u32 off = (u32)i * SEG_FIELD_STEP;

	g->sel = (u16)vmread(VMCS_GUEST_ES_SELECTOR + off);
	g->base = (u32)vmread(VMCS_GUEST_ES_BASE + off);
	g->limit = (u32)vmread(VMCS_GUEST_ES_LIMIT + off);
	g->ar = (u32)vmread(VMCS_GUEST_ES_AR_BYTES + off);
}

static void write_seg(int i, const struct ts_seg *g)
{
	u32 off = (u32)i * SEG_FIELD_STEP;

	vmwrite(VMCS_GUEST_ES_SELECTOR + off, g->sel);
	vmwrite(VMCS_GUEST_ES_BASE + off, g->base);
	vmwrite(VMCS_GUEST_ES_LIMIT + off, g->limit);
	vmwrite(VMCS_GUEST_ES_AR_BYTES + off, g->ar);
}

/* TSS order EAX ECX EDX EBX ESP EBP ESI EDI is the SDM's GPR order. */
static void read_state(struct vcpu *v, struct ts_state *s, u32 insn_len)
{
	s->eip = (u32)(vmread(VMCS_GUEST_RIP) + insn_len);
	s->eflags = (u32)vmread(VMCS_GUEST_RFLAGS);
	for (unsigned int i = 0; i < 8; i++)
		s->gpr[i] = i == TS_ESP ? (u32)vmread(VMCS_GUEST_RSP) :
					  (u32)*vcpu_gpr(v, i);
	for (int i = 0; i <= SLOT_TR; i++)
		read_seg(i, slot_seg(s, i));
	s->gdt_base = (u32)vmread(VMCS_GUEST_GDTR_BASE);
	s->gdt_limit = (u32)vmread(VMCS_GUEST_GDTR_LIMIT);
	s->cr0 = (u32)vmread(VMCS_GUEST_CR0);
	s->cr3 = (u32)vmread(VMCS_GUEST_CR3);
}

/* False: the new CR3 has bad PDPTEs. */
static bool write_state(struct vcpu *v, struct ts_state *s)
{
	u64 intr = vmread(VMCS_GUEST_INTERRUPTIBILITY_INFO);

	vmwrite(VMCS_GUEST_RIP, s->eip);
	vmwrite(VMCS_GUEST_RFLAGS, s->eflags);
	for (unsigned int i = 0; i < 8; i++) {
		if (i == TS_ESP)
			vmwrite(VMCS_GUEST_RSP, s->gpr[i]);
		else
			*vcpu_gpr(v, i) = s->gpr[i];
	}
	for (int i = 0; i <= SLOT_TR; i++)
		write_seg(i, slot_seg(s, i));
	vmwrite(VMCS_GUEST_CR0, s->cr0);
	/* The new task starts with no STI or MOV SS shadow. */
	vmwrite(VMCS_GUEST_INTERRUPTIBILITY_INFO,
		intr & ~(u64)(GUEST_INTR_STATE_STI | GUEST_INTR_STATE_MOV_SS));
	return !s->cr3_changed || vmx_load_guest_cr3(v, s->cr3);
}

static int mem_read(void *ctx, u64 gla, void *buf, size_t len)
{
	return guest_read_linear(ctx, gla, buf, len);
}

static int mem_write(void *ctx, u64 gla, const void *buf, size_t len)
{
	return guest_write_linear(ctx, gla, buf, len);
}

/*
 * What the IDT-vectoring information says about a switch through a task
 * gate: the event being delivered (exit.c does not re-inject it; the
 * switch delivers it), its error code, and whether its instruction (INT n,
 * INT3, INTO, INT1) must be stepped over. Returns the VM-exit instruction
 * length to add to RIP.
 */
static u32 gate_event(u32 idt, struct ts_request *rq)
{
	u32 type = FIELD_GET(INTR_INFO_TYPE, idt);

	if (!(idt & INTR_INFO_VALID))
		return 0;
	rq->external = type == INTR_TYPE_EXT_INTR || type == INTR_TYPE_NMI ||
		       type == INTR_TYPE_HARD_EXCEPTION;
	if (type == INTR_TYPE_HARD_EXCEPTION &&
	    (idt & INTR_INFO_DELIVER_CODE)) {
		rq->push_error = true;
		rq->error = (u32)vmread(VMCS_IDT_VECTORING_ERROR_CODE);
	}
	if (type == INTR_TYPE_SOFT_INTR ||
	    type == INTR_TYPE_PRIV_SW_EXCEPTION ||
	    type == INTR_TYPE_SOFT_EXCEPTION)
		return (u32)vmread(VMCS_VM_EXIT_INSTRUCTION_LEN);
	return 0;
}

/* A fault before the commit point meets the event the gate was delivering
 * as any exception during delivery does (table 6-5, vcpu.c): put the event
 * back first. */
static void raise_fault(struct vcpu *v, const struct ts_fault *f, u32 idt,
			bool gate)
{
	if (gate && !f->in_new_task && (idt & INTR_INFO_VALID)) {
		vmwrite(VMCS_VM_ENTRY_INTR_INFO,
			idt & ~(u64)INTR_INFO_NMI_UNBLOCK_IRET);
		vmwrite(VMCS_VM_ENTRY_EXCEPTION_ERROR_CODE,
			vmread(VMCS_IDT_VECTORING_ERROR_CODE));
	}
	vcpu_inject_exception(v, f->vector, f->error);
}

/*
 * Delivering an NMI blocks the next one until an IRET (SDM Vol.3A 6.7.1),
 * through a task gate too; an IRET unblocks, a task-switching one too.
 */
static void nmi_blocking(enum eq_ts_source src, bool nmi_delivered)
{
	u64 intr = vmread(VMCS_GUEST_INTERRUPTIBILITY_INFO);

	if (nmi_delivered)
		intr |= GUEST_INTR_STATE_NMI;
	else if (src == EQ_TS_IRET)
		intr &= ~(u64)GUEST_INTR_STATE_NMI;
	else
		return;
	vmwrite(VMCS_GUEST_INTERRUPTIBILITY_INFO, intr);
}

void vmx_exit_task_switch(struct vcpu *v)
{
	u64 q = vmread(VMCS_EXIT_QUALIFICATION);
	u32 idt = (u32)vmread(VMCS_IDT_VECTORING_INFO);
	struct ts_request rq = { .source = eq_ts_source(q),
				 .sel = eq_ts_selector(q) };
	struct ts_mem mem = { mem_read, mem_write, v };
	bool gate = rq.source == EQ_TS_GATE;
	struct ts_state s;
	struct ts_fault f = { 0 };
	u32 len;

	/* IA-32e mode has no task switches: the CPU raises #GP itself. */
	if (vmread(VMCS_GUEST_IA32_EFER) & EFER_LMA) {
		vcpu_dump_state(v);
		vcpu_stop(v, "task switch exit in IA-32e mode");
		return;
	}
	len = gate ? gate_event(idt, &rq) :
		     (u32)vmread(VMCS_VM_EXIT_INSTRUCTION_LEN);
	read_state(v, &s, len);
	switch (task_switch(&s, &mem, &rq, &f)) {
	case TS_MEMORY:
		vcpu_dump_state(v);
		vcpu_stop(
			v,
			"task switch to TSS 0x%x: its TSS or a descriptor is not in guest RAM",
			rq.sel);
		return;
	case TS_FAULT:
		if (f.in_new_task && !write_state(v, &s))
			f = (struct ts_fault){ X86_VEC_GP, 0, true };
		raise_fault(v, &f, idt, gate);
		return;
	case TS_DONE:
		if (!write_state(v, &s)) {
			vcpu_inject_gp(v);
			return;
		}
		nmi_blocking(rq.source,
			     gate && (idt & INTR_INFO_VALID) &&
				     FIELD_GET(INTR_INFO_TYPE, idt) ==
					     INTR_TYPE_NMI);
		return;
	}
}
