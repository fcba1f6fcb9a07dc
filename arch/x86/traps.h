/* SPDX-License-Identifier: MIT */
/* Trap frame shared by entry.S and traps.c; private to arch/x86. */
#ifndef KEEL_ARCH_X86_TRAPS_H
#define KEEL_ARCH_X86_TRAPS_H

#include "core/types.h"

/* Exception vectors, SDM Vol.3A 6.3.1 table 6-1 */
#define X86_VEC_DE 0
#define X86_VEC_DB 1
#define X86_VEC_NMI 2
#define X86_VEC_BP 3
#define X86_VEC_OF 4
#define X86_VEC_BR 5
#define X86_VEC_UD 6
#define X86_VEC_NM 7
#define X86_VEC_DF 8
#define X86_VEC_TS 10
#define X86_VEC_NP 11
#define X86_VEC_SS 12
#define X86_VEC_GP 13
#define X86_VEC_PF 14
#define X86_VEC_MF 16
#define X86_VEC_AC 17
#define X86_VEC_MC 18
#define X86_VEC_XM 19
#define X86_VEC_VE 20
#define X86_VEC_CP 21
#define X86_NR_EXCEPTIONS 32

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
