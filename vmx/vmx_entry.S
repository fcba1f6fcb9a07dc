/* SPDX-License-Identifier: MIT */
/*
 * VM entry and exit. vmx_enter() saves Keel's callee-saved registers, puts
 * the vcpu pointer on top of its stack, records that stack as HOST_RSP and
 * enters the guest (VMLAUNCH the first time, VMRESUME after). A VM exit lands in vmx_exit_stub (HOST_RIP) on that same
 * stack (SDM Vol.3C 28.5.1: RSP comes from HOST_RSP), saves the guest GPRs,
 * calls vmx_handle_exit() and, while it returns 0, enters the guest again
 * without unwinding: the exit path stays short. Keel has no SSE or FPU code
 * (-mgeneral-regs-only), so the guest's FPU/SSE/AVX state stays live in the
 * registers and needs no save.
 */

/* struct guest_regs offsets, vmx/vcpu.h */
#define GREG_RAX	0
#define GREG_RBX	8
#define GREG_RCX	16
#define GREG_RDX	24
#define GREG_RSI	32
#define GREG_RDI	40
#define GREG_RBP	48
#define GREG_R8		56
#define GREG_R9		64
#define GREG_R10	72
#define GREG_R11	80
#define GREG_R12	88
#define GREG_R13	96
#define GREG_R14	104
#define GREG_R15	112
#define VCPU_LAUNCHED	120

/* VMCS_HOST_RSP, SDM Vol.3D B.4.4 */
#define VMCS_HOST_RSP_ENC	0x00006c14

	.text
	.code64

	/* Load the guest GPRs from the guest_regs at %rdi; %rdi last. */
	.macro load_guest_regs
	movq GREG_RAX(%rdi), %rax
	movq GREG_RBX(%rdi), %rbx
	movq GREG_RCX(%rdi), %rcx
	movq GREG_RDX(%rdi), %rdx
	movq GREG_RSI(%rdi), %rsi
	movq GREG_RBP(%rdi), %rbp
	movq GREG_R8(%rdi), %r8
	movq GREG_R9(%rdi), %r9
	movq GREG_R10(%rdi), %r10
	movq GREG_R11(%rdi), %r11
	movq GREG_R12(%rdi), %r12
	movq GREG_R13(%rdi), %r13
	movq GREG_R14(%rdi), %r14
	movq GREG_R15(%rdi), %r15
	movq GREG_RDI(%rdi), %rdi
	.endm

	/*
	 * int vmx_enter(struct vcpu *v): 0 when vmx_handle_exit() asked to
	 * stop, 1 when VMLAUNCH failed, 2 when VMRESUME failed.
	 */
	.globl vmx_enter
vmx_enter:
	pushq %rbx
	pushq %rbp
	pushq %r12
	pushq %r13
	pushq %r14
	pushq %r15
	/* 6 pushes on an 8-mod-16 stack, then this: 16-byte aligned. */
	pushq %rdi
	movq $VMCS_HOST_RSP_ENC, %rax
	vmwrite %rsp, %rax
	cmpq $0, VCPU_LAUNCHED(%rdi)
	jne .Lresume
	/* Launched from now on, even if VMLAUNCH or the entry fails: the
	 * guest is then stopped for good. The exit path need not set it. */
	movq $1, VCPU_LAUNCHED(%rdi)
	load_guest_regs
	vmlaunch
	movl $1, %eax
	jmp .Lunwind

	.balign 16
	.globl vmx_exit_stub
vmx_exit_stub:
	pushq %rdi
	movq 8(%rsp), %rdi
	movq %rax, GREG_RAX(%rdi)
	movq %rbx, GREG_RBX(%rdi)
	movq %rcx, GREG_RCX(%rdi)
	movq %rdx, GREG_RDX(%rdi)
	movq %rsi, GREG_RSI(%rdi)
	movq %rbp, GREG_RBP(%rdi)
	movq %r8, GREG_R8(%rdi)
	movq %r9, GREG_R9(%rdi)
	movq %r10, GREG_R10(%rdi)
	movq %r11, GREG_R11(%rdi)
	movq %r12, GREG_R12(%rdi)
	movq %r13, GREG_R13(%rdi)
	movq %r14, GREG_R14(%rdi)
	movq %r15, GREG_R15(%rdi)
	popq GREG_RDI(%rdi)
	call vmx_handle_exit
	testl %eax, %eax
	jnz .Lattention
	movq (%rsp), %rdi
.Lresume:
	/* Any exit means the VMCS is launched: only VMRESUME from here. */
	load_guest_regs
	vmresume
	movl $2, %eax
	jmp .Lunwind
	/* The guest ended, or an NMI waits: off the common path. */
.Lattention:
	movq (%rsp), %rdi
	call vmx_exit_attention
	movq (%rsp), %rdi
	testl %eax, %eax
	jz .Lresume
	xorl %eax, %eax
.Lunwind:
	popq %rdi
	popq %r15
	popq %r14
	popq %r13
	popq %r12
	popq %rbp
	popq %rbx
	ret
