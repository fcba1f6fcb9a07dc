/* SPDX-License-Identifier: MIT */
/*
 * A stand-in for kvm-unit-tests' x86_64 start-up (docs/kvm-unit-tests.md),
 * written without any of its code, built as it builds its tests: a 64-bit
 * ELF linked at 4 MiB, objcopied to elf32-i386, with a multiboot (v1)
 * header whose flags are 0. It enters long mode with an identity map of
 * the low 4 GiB, reads the APIC ID through the LAPIC page, sends INIT and
 * a start-up IPI to all other CPUs, asks QEMU's fw_cfg how many CPUs there
 * are (key 0x05: a 16-bit OUT to 0x510, two byte INs of 0x511) and then
 * waits, without a bound, until that many are online, as kvm-unit-tests
 * does. Only this CPU ever comes online, so it ends (status 0x21 on the
 * isa-debug-exit port) only when fw_cfg says 1. Written to be run with
 * `qemu-system-x86_64 -kernel` as well as under Keel.
 */
	.set MB_MAGIC, 0x1BADB002
	.set MB_FLAGS, 0
	.set COM1, 0x3f8
	.set EXIT_PORT, 0xf4
	.set FW_CFG_SEL, 0x510
	.set FW_CFG_DATA, 0x511
	.set FW_CFG_NB_CPUS, 0x05
	/* SDM Vol.3A: CR4.PAE bit 5, EFER.LME bit 8, CR0.PE/PG bits 0/31 */
	.set CR4_PAE, 1 << 5
	.set MSR_EFER, 0xc0000080
	.set EFER_LME, 1 << 8
	.set CR0_PE_PG, (1 << 31) | 1
	/* Page-table entries: present, writable; PS in a PDE (2 MiB page) */
	.set PTE_PW, 0x3
	.set PDE_2M, 0x83
	/* LAPIC, SDM Vol.3A 11.4.1, 11.6.1: ID, ICR low; all-but-self INIT
	 * (delivery mode 101b, level assert) and start-up (110b, vector 0) */
	.set LAPIC_ID, 0xfee00020
	.set LAPIC_ICR_LO, 0xfee00300
	.set ICR_BUSY, 1 << 12
	.set ICR_INIT_ALL_BUT_SELF, (3 << 18) | (1 << 14) | (5 << 8)
	.set ICR_SIPI_ALL_BUT_SELF, (3 << 18) | (6 << 8)

	.text
	.code32
	/* First in the file: the header must lie in its first 8 KiB. */
	.balign 4
	.long MB_MAGIC, MB_FLAGS, -(MB_MAGIC + MB_FLAGS)

	.globl _start
_start:
	movl $stack_top, %esp
	/* Identity-map 0..4 GiB with 2 MiB pages: four page directories. */
	movl $pd, %edi
	xorl %eax, %eax
1:	movl %eax, %edx
	shll $21, %edx
	orl $PDE_2M, %edx
	movl %edx, (%edi, %eax, 8)
	movl %eax, %edx
	shrl $11, %edx			/* bits 32+ of (index << 21) */
	movl %edx, 4(%edi, %eax, 8)
	incl %eax
	cmpl $4 * 512, %eax
	jne 1b
	xorl %eax, %eax
2:	movl %eax, %edx
	shll $12, %edx
	addl $pd + PTE_PW, %edx
	movl %edx, pdpt(, %eax, 8)
	incl %eax
	cmpl $4, %eax
	jne 2b
	movl $pdpt + PTE_PW, pml4
	lgdt gdt_desc
	movl %cr4, %eax
	orl $CR4_PAE, %eax
	movl %eax, %cr4
	movl $pml4, %eax
	movl %eax, %cr3
	movl $MSR_EFER, %ecx
	rdmsr
	orl $EFER_LME, %eax
	wrmsr
	movl %cr0, %eax
	orl $CR0_PE_PG, %eax
	movl %eax, %cr0
	ljmp $0x08, $long_mode

	.code64
long_mode:
	movw $0x10, %ax
	movw %ax, %ds
	movw %ax, %es
	movw %ax, %ss
	leaq msg_long(%rip), %rsi
	call puts
	movl $LAPIC_ID, %edi		/* zero-extended: 0xFEE00020 */
	movl (%rdi), %eax
	shrl $24, %eax
	call putdec
	leaq msg_nl(%rip), %rsi
	call puts
	movl $LAPIC_ICR_LO, %edi
	call icr_idle
	movl $ICR_INIT_ALL_BUT_SELF, (%rdi)
	call icr_idle
	movl $ICR_SIPI_ALL_BUT_SELF, (%rdi)
	/* The CPU count: fw_cfg key 0x05, little-endian u16. */
	movw $FW_CFG_SEL, %dx
	movw $FW_CFG_NB_CPUS, %ax
	outw %ax, %dx
	movw $FW_CFG_DATA, %dx
	inb %dx, %al
	movzbl %al, %ebx
	inb %dx, %al
	movzbl %al, %eax
	shll $8, %eax
	orl %eax, %ebx
	leaq msg_wait(%rip), %rsi
	call puts
	movl %ebx, %eax
	call putdec
	leaq msg_nl(%rip), %rsi
	call puts
3:	pause				/* no bound, as kvm-unit-tests */
	cmpl online(%rip), %ebx
	jne 3b
	leaq msg_done(%rip), %rsi
	call puts
	movl $0x21, %eax
	outl %eax, $EXIT_PORT
4:	cli
	hlt
	jmp 4b

/* Wait until the LAPIC has sent the previous IPI; %rdi = the ICR. */
icr_idle:
	testl $ICR_BUSY, (%rdi)
	jnz icr_idle
	ret

/* Print the NUL-terminated string at %rsi on COM1, polling LSR.THRE. */
#include "com1_puts.inc"

/* Print %eax in decimal. */
putdec:
	leaq digits_end(%rip), %rsi
	movb $0, (%rsi)
	movl $10, %ecx
7:	xorl %edx, %edx
	divl %ecx
	addb $'0', %dl
	decq %rsi
	movb %dl, (%rsi)
	testl %eax, %eax
	jnz 7b
	jmp puts

	.section .rodata
msg_long:
	.asciz "kutlike: long mode, APIC ID "
msg_wait:
	.asciz "kutlike: waiting for CPUs: "
msg_done:
	.asciz "kutlike: all CPUs online\r\n"
msg_nl:
	.asciz "\r\n"
	.balign 8
gdt:
	.quad 0
	.quad 0x00af9a000000ffff	/* 0x08: 64-bit code, SDM Vol.3A 3.4.5 */
	.quad 0x00cf92000000ffff	/* 0x10: flat data */
gdt_end:
gdt_desc:
	.word gdt_end - gdt - 1
	.long gdt

	.data
	.balign 4
online:
	.long 1				/* this CPU */

	.bss
	.balign 4096
pml4:
	.skip 4096
pdpt:
	.skip 4096
pd:
	.skip 4 * 4096
digits:
	.skip 16
digits_end:
	.skip 1
	.balign 16
	.skip 4096
stack_top:
