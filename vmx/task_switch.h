/* SPDX-License-Identifier: MIT */
/*
 * Hardware task switching, as SDM Vol.3A chapter 8 (rev 080) describes it,
 * for the TASK_SWITCH exit (a task switch always exits in VMX non-root
 * operation, SDM Vol.3C 26.4.2). Pure: the guest's registers come in a
 * struct ts_state and its memory through callbacks on linear addresses,
 * so tests/host/test_task_switch.c runs it against a fake guest memory.
 * vmx/task_switch_exit.c moves the state to and from the VMCS.
 */
#ifndef KEEL_VMX_TASK_SWITCH_H
#define KEEL_VMX_TASK_SWITCH_H

#include "core/types.h"
#include "vmx/exitqual.h"

/* A segment register as the VMCS holds it: selector, base, limit in
 * bytes and access rights in the VMX format (SDM Vol.3C 25.4.1). */
struct ts_seg {
	u16 sel;
	u32 base, limit, ar;
};

/* Segment registers in the order the TSS keeps their selectors. */
enum ts_sreg { TS_ES, TS_CS, TS_SS, TS_DS, TS_FS, TS_GS, TS_NSEG };
/* General registers in TSS order. */
enum ts_gpr { TS_EAX, TS_ECX, TS_EDX, TS_EBX, TS_ESP, TS_EBP, TS_ESI, TS_EDI };

struct ts_state {
	u32 eip; /* of the next instruction of the outgoing task */
	u32 eflags;
	u32 gpr[8];
	struct ts_seg seg[TS_NSEG];
	struct ts_seg ldtr, tr;
	u32 gdt_base, gdt_limit;
	u32 cr0, cr3;
	bool cr3_changed; /* out: a 32-bit TSS loaded CR3 */
};

struct ts_mem {
	int (*read)(void *ctx, u64 gla, void *buf, size_t len);
	int (*write)(void *ctx, u64 gla, const void *buf, size_t len);
	void *ctx;
};

struct ts_request {
	enum eq_ts_source source;
	u16 sel; /* the new task's TSS selector */
	bool external; /* raised by an external event: EXT in error codes */
	bool push_error; /* an exception with an error code, via a task gate */
	u32 error;
};

enum ts_result {
	TS_DONE,
	TS_FAULT, /* raise fault->vector with fault->error */
	TS_MEMORY, /* the TSS or GDT is not readable guest memory */
};

struct ts_fault {
	u8 vector;
	u32 error;
	/* Raised after the commit point, in the new task's context. */
	bool in_new_task;
};

/*
 * Switch from the task in @s to rq->sel. On TS_FAULT a fault found before
 * the commit point (SDM Vol.3A 8.3, steps 1-4) leaves @s unchanged; one
 * found while loading the new task's segments is raised in the new task,
 * with the registers loaded so far.
 */
enum ts_result task_switch(struct ts_state *s, const struct ts_mem *m,
			   const struct ts_request *rq, struct ts_fault *fault);

/* Descriptor to VMX segment fields (base, byte limit, access rights). */
void ts_desc_to_seg(u64 desc, u16 sel, struct ts_seg *seg);

#endif
