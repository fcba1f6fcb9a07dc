/* SPDX-License-Identifier: MIT */
/*
 * Interrupt and exception entry stubs. Every vector gets a stub that pushes a
 * uniform frame (struct trap_frame in traps.h) and calls trap_dispatch().
 * CPUs push an error code only for vectors 8, 10-14, 17, 21, 29 and 30
 * (SDM Vol.3A 6.15); the others push a zero so the frame has one shape.
 */

	.text
	.code64

	.macro isr_stub vec
	.balign 16
isr_\vec:
	.if !(\vec == 8 || (\vec >= 10 && \vec <= 14) || \vec == 17 || \vec == 21 || \vec == 29 || \vec == 30)
	pushq $0
	.endif
	pushq $\vec
	jmp isr_common
	.endm

	.altmacro
	.set vec, 0
	.rept 256
	isr_stub %vec
	.set vec, vec + 1
	.endr

isr_common:
	pushq %rax
	pushq %rbx
	pushq %rcx
	pushq %rdx
	pushq %rsi
	pushq %rdi
	pushq %rbp
	pushq %r8
	pushq %r9
	pushq %r10
	pushq %r11
	pushq %r12
	pushq %r13
	pushq %r14
	pushq %r15
	cld
	movq %rsp, %rdi
	/* Keep the C call 16-byte aligned whatever the CPU pushed. */
	movq %rsp, %rbx
	andq $-16, %rsp
	call trap_dispatch
	movq %rbx, %rsp
	popq %r15
	popq %r14
	popq %r13
	popq %r12
	popq %r11
	popq %r10
	popq %r9
	popq %r8
	popq %rbp
	popq %rdi
	popq %rsi
	popq %rdx
	popq %rcx
	popq %rbx
	popq %rax
	addq $16, %rsp
	iretq

	/* Table of stub addresses for idt.c. */
	.section .rodata
	.balign 8
	.globl isr_stub_table
isr_stub_table:
	.macro stub_addr vec
	.quad isr_\vec
	.endm
	.set vec, 0
	.rept 256
	stub_addr %vec
	.set vec, vec + 1
	.endr

	/*
	 * rdmsr_safe(u32 msr, u64 *val) and wrmsr_safe(u32 msr, u64 val):
	 * return 0, or -EFAULT when the MSR access raises #GP. traps.c resumes
	 * a #GP at *_insn at the matching *_fixup.
	 */
	.text
	.globl rdmsr_safe, rdmsr_safe_insn, rdmsr_safe_fixup
rdmsr_safe:
	movl %edi, %ecx
rdmsr_safe_insn:
	rdmsr
	movl %eax, (%rsi)
	movl %edx, 4(%rsi)
	xorl %eax, %eax
	ret
rdmsr_safe_fixup:
	movl $-14, %eax
	ret

	/* xsetbv_safe(u32 xcr, u64 val): 0, or -EFAULT on #GP. */
	.globl xsetbv_safe, xsetbv_safe_insn, xsetbv_safe_fixup
xsetbv_safe:
	movl %edi, %ecx
	movl %esi, %eax
	movq %rsi, %rdx
	shrq $32, %rdx
xsetbv_safe_insn:
	xsetbv
	xorl %eax, %eax
	ret
xsetbv_safe_fixup:
	movl $-14, %eax
	ret

	.globl wrmsr_safe, wrmsr_safe_insn, wrmsr_safe_fixup
wrmsr_safe:
	movl %edi, %ecx
	movl %esi, %eax
	movq %rsi, %rdx
	shrq $32, %rdx
wrmsr_safe_insn:
	wrmsr
	xorl %eax, %eax
	ret
wrmsr_safe_fixup:
	movl $-14, %eax
	ret
