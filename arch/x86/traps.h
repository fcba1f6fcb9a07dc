/* SPDX-License-Identifier: MIT */
/* Trap frame shared by entry.S and traps.c; private to arch/x86. */
#ifndef KEEL_ARCH_X86_TRAPS_H
#define KEEL_ARCH_X86_TRAPS_H

#include "core/types.h"
#include "arch/x86/x86_defs.h"

/* IST slots in Keel's TSS, SDM Vol.3A 6.14.5 */
#define IST_NMI 1
#define IST_DF 2
#define IST_MC 3

struct trap_frame {
	u64 r15, r14, r13, r12, r11, r10, r9, r8;
	u64 rbp, rdi, rsi, rdx, rcx, rbx, rax;
	u64 vector, error_code;
	/* pushed by the CPU */
	u64 rip, cs, rflags, rsp, ss;
};

void trap_dispatch(struct trap_frame *f);
void idt_init(void);
void gdt_init(void);

#endif
