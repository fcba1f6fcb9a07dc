/* SPDX-License-Identifier: MIT */
/*
 * Keel test guest entry: multiboot (v1) header, GDT, exception stubs, the
 * PIT interrupt stub, and the excursion into 64-bit mode for the 8-byte
 * MMIO checks. Multiboot spec 0.6.96 section 3.1 (header) and 3.2 (machine
 * state: EAX = 0x2BADB002, EBX = info, protected mode, paging off).
 */
#define MB_MAGIC 0x1BADB002
#define MB_FLAG_ALIGN (1 << 0)	/* modules page-aligned */
#define MB_FLAG_MEMINFO (1 << 1)	/* mem_lower/mem_upper and mmap */
#define MB_FLAGS (MB_FLAG_ALIGN | MB_FLAG_MEMINFO)

#define SEL_CODE32 0x08
#define SEL_DATA 0x10
#define SEL_CODE64 0x18

#define CR0_PG 0x80000000
#define CR4_PAE 0x20
#define MSR_EFER 0xc0000080
#define EFER_LME 0x100

	.section .multiboot, "a"
	.align 4
	.long MB_MAGIC
	.long MB_FLAGS
	.long -(MB_MAGIC + MB_FLAGS)

	.text
	.code32
	.global _start
_start:
	cli
	cld
	movl $stack_top, %esp
	movl %eax, %esi
	movl %ebx, %edi
	/* The loader's GDT may be anywhere (multiboot 3.2): load ours. */
	lgdt gdt_desc
	ljmp $SEL_CODE32, $1f
1:	movw $SEL_DATA, %ax
	movw %ax, %ds
	movw %ax, %es
	movw %ax, %fs
	movw %ax, %gs
	movw %ax, %ss
	pushl %edi
	pushl %esi
	call guest_main
2:	cli
	hlt
	jmp 2b

/* Exception stubs: push a dummy error code where the CPU pushes none. */
.macro EXC_NOERR n
exc_\n:	pushl $0
	pushl $\n
	jmp exc_common
.endm
.macro EXC_ERR n
exc_\n:	pushl $\n
	jmp exc_common
.endm

EXC_NOERR 0
EXC_NOERR 1
EXC_NOERR 2
EXC_NOERR 3
EXC_NOERR 4
EXC_NOERR 5
EXC_NOERR 6
EXC_NOERR 7
EXC_ERR 8
EXC_NOERR 9
EXC_ERR 10
EXC_ERR 11
EXC_ERR 12
EXC_ERR 13
EXC_ERR 14
EXC_NOERR 15
EXC_NOERR 16
EXC_ERR 17
EXC_NOERR 18
EXC_NOERR 19
EXC_NOERR 20
EXC_ERR 21
EXC_NOERR 22
EXC_NOERR 23
EXC_NOERR 24
EXC_NOERR 25
EXC_NOERR 26
EXC_NOERR 27
EXC_NOERR 28
EXC_ERR 29
EXC_ERR 30
EXC_NOERR 31

/* Frame layout matches struct exc_frame in guest.h. */
exc_common:
	pushal
	pushl %esp
	call exc_handler
	addl $4, %esp
	popal
	addl $8, %esp
	iret

	.global irq0_stub
irq0_stub:
	pushl %eax
	incl pit_ticks
	movb $0x20, %al	/* non-specific EOI to the master PIC */
	outb %al, $0x20
	popl %eax
	iret

	/* Vectors Keel raises (KEEL_HC_RAISE_IRQ, COM1): count it and
	 * end it at the LAPIC, which Keel's self-IPI put it in service in. */
	.global irq_test_stub
irq_test_stub:
	incl test_irq_count
	movl $0, 0xfee000b0	/* LAPIC EOI register */
	iret

/* Vectors of the LAPIC checks (apic_checks.c): apic_irq(vector). */
.macro APIC_STUB vec
	.global apic_stub_\vec
apic_stub_\vec:
	pushal
	pushl $\vec
	call apic_irq
	addl $4, %esp
	popal
	iret
.endm
	APIC_STUB 0x58
	APIC_STUB 0x68
	APIC_STUB 0x78

	.global irq_spurious_stub
irq_spurious_stub:
	iret

/*
 * u32 lm_call(u32 pml4, u32 mmio, u32 *out): enter IA-32e mode with the
 * identity map at @pml4, run lm_body (64-bit code) and come back to
 * 32-bit protected mode with paging off. SDM Vol.3A 10.8.5 (initializing
 * IA-32e mode) and 10.8.5.4 (leaving it: clear CR0.PG in compatibility
 * mode, then EFER.LME).
 */
	.global lm_call
lm_call:
	pushl %ebp
	movl %esp, %ebp
	pushl %ebx
	pushl %esi
	pushl %edi
	movl 8(%ebp), %eax
	movl %eax, %cr3
	movl %cr4, %eax
	orl $CR4_PAE, %eax
	movl %eax, %cr4
	movl $MSR_EFER, %ecx
	rdmsr
	orl $EFER_LME, %eax
	wrmsr
	movl %cr0, %eax
	orl $CR0_PG, %eax
	movl %eax, %cr0
	ljmp $SEL_CODE64, $lm_entry

	.code64
lm_entry:
	/* Upper register halves are undefined after the switch. */
	movl %esp, %esp
	movl %ebp, %ebp
	movl 12(%rbp), %esi	/* MMIO base */
	movl 16(%rbp), %edi	/* results */
	call lm_body
	/* Back to compatibility mode through a far return. */
	pushq $SEL_CODE32
	leaq 1f(%rip), %rax
	pushq %rax
	lretq
	.code32
1:	movl %cr0, %eax
	andl $~CR0_PG, %eax
	movl %eax, %cr0
	movl $MSR_EFER, %ecx
	rdmsr
	andl $~EFER_LME, %eax
	wrmsr
	movl %cr4, %eax
	andl $~CR4_PAE, %eax
	movl %eax, %cr4
	movw $SEL_DATA, %ax
	movw %ax, %ss
	popl %edi
	popl %esi
	popl %ebx
	popl %ebp
	xorl %eax, %eax
	ret

/*
 * 64-bit MMIO accesses (RSI = device base, RDI = u64 results[12]); the
 * encodings are the REX forms a 64-bit compiler emits. Then VMCALLs.
 */
	.code64
lm_body:
	movq (%rsi), %rax			/* 48 8b 06: 8-byte read */
	movq %rax, 0(%rdi)
	movabsq $0x1122334455667788, %rax
	movq %rax, 8(%rsi)			/* 48 89 46 08: 8-byte write */
	movq 8(%rsi), %rbx
	movq %rbx, 8(%rdi)
	movq $-2, 8(%rsi)			/* 48 c7 46 08 imm32 */
	movq 8(%rsi), %rax
	movq %rax, 16(%rdi)
	movslq 4(%rsi), %rax			/* 48 63 46 04: MOVSXD */
	movq %rax, 24(%rdi)
	movabsq 0xfeb00000, %rax		/* 48 a1 moffs64 */
	movq %rax, 32(%rdi)
	movl $0x5a, %r9d
	movb %r9b, 8(%rsi)			/* 44 88 4e 08: REX.R byte */
	movq 8(%rsi), %r10
	movq %r10, 40(%rdi)
	movzbl (%rsi), %r11d			/* 44 0f b6 1e */
	movq %r11, 48(%rdi)
	movswq (%rsi), %rax			/* 48 0f bf 06 */
	movq %rax, 56(%rdi)
	/* 64-bit VMCALLs, only under Keel (results[8] != 0; without a
	 * hypervisor the #UD would find no 64-bit IDT): all of RAX names
	 * the function (docs/hypercalls.md). */
	cmpq $0, 64(%rdi)
	je 2f
	movq %rdi, %r12
	xorl %eax, %eax				/* KVM's 0, RBX/RCX at memory */
	movq %r12, %rbx
	movl $8, %ecx
	vmcall
	movq %rax, 64(%r12)
	movabsq $0xffffffff4b450001, %rax	/* INFO with a high half */
	vmcall
	movq %rax, 72(%r12)
	movl $0x4b450001, %eax			/* KEEL_HC_INFO */
	vmcall
	movq %rax, 80(%r12)
	movq %rbx, 88(%r12)
2:	ret
	.code32

	.section .rodata
	.global exc_stubs
	.align 4
exc_stubs:
	.long exc_0, exc_1, exc_2, exc_3, exc_4, exc_5, exc_6, exc_7
	.long exc_8, exc_9, exc_10, exc_11, exc_12, exc_13, exc_14, exc_15
	.long exc_16, exc_17, exc_18, exc_19, exc_20, exc_21, exc_22, exc_23
	.long exc_24, exc_25, exc_26, exc_27, exc_28, exc_29, exc_30, exc_31

	.data
	.align 8
gdt:
	.quad 0
	.quad 0x00cf9a000000ffff	/* 0x08: 32-bit code, flat */
	.quad 0x00cf92000000ffff	/* 0x10: data, flat */
	.quad 0x00af9a000000ffff	/* 0x18: 64-bit code */
gdt_end:
gdt_desc:
	.word gdt_end - gdt - 1
	.long gdt

	.bss
	.align 16
stack:
	.skip 16384
stack_top:
