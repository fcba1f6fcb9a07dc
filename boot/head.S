/* SPDX-License-Identifier: MIT */
/*
 * Multiboot2 header and the 32-bit entry from GRUB. GRUB leaves us in 32-bit
 * protected mode with paging off on both BIOS and UEFI (multiboot2 spec 2.0
 * 3.3, "I386 machine state"), but its GDT may live in memory the map calls
 * free and OVMF leaves a stale CR3 and CR4 bits, so everything is set here:
 * our own GDT, a boot identity map of the low 4 GiB, then long mode.
 */

#include "boot/multiboot2.h"
#include "arch/x86/x86_defs.h"
#include "drivers/uart/uart_regs.h"

#define BOOT_STACK_SIZE		16384

	.section .multiboot, "a"
	.balign 8
mb2_header:
	.long MB2_HEADER_MAGIC
	.long MB2_ARCH_I386
	.long mb2_header_end - mb2_header
	.long -(MB2_HEADER_MAGIC + MB2_ARCH_I386 + (mb2_header_end - mb2_header))
	/* Optional: a machine without graphics still boots, with no tag 8. */
	.balign 8
	.short MB2_HEADER_TAG_FB
	.short MB2_HEADER_TAG_OPTIONAL
	.long MB2_HEADER_TAG_FB_SIZE
	.long MB2_FB_WANT_WIDTH
	.long MB2_FB_WANT_HEIGHT
	.long MB2_FB_WANT_DEPTH
	.balign 8
	.short MB2_HEADER_TAG_END
	.short 0
	.long 8
mb2_header_end:

	.section .text.boot, "ax"
	.code32
	.globl _start
_start:
	cli
	cld
	movl %eax, boot_magic
	movl %ebx, boot_mbi

	lgdt boot_gdt_ptr
	ljmp $0x18, $1f
1:	movl $0x10, %eax
	movl %eax, %ds
	movl %eax, %es
	movl %eax, %ss
	movl %eax, %fs
	movl %eax, %gs
	movl $boot_stack_top, %esp

	/* No long mode: say so on COM1 and stop. The UART is left as-is. */
	movl $CPUID_EXT_MAX, %eax
	cpuid
	cmpl $CPUID_EXT_FEATURES, %eax
	jb no_long_mode
	movl $CPUID_EXT_FEATURES, %eax
	cpuid
	testl $CPUID_80000001_EDX_LM, %edx
	jz no_long_mode

	/* Identity-map 0..4 GiB with 2 MiB pages: PML4[0] -> PDPT[0..3]. */
	movl $boot_pdpt, %eax
	orl $(PTE_P | PTE_RW), %eax
	movl %eax, boot_pml4
	movl $0, boot_pml4 + 4

	movl $boot_pd, %eax
	orl $(PTE_P | PTE_RW), %eax
	xorl %ecx, %ecx
2:	movl %eax, boot_pdpt(, %ecx, 8)
	movl $0, boot_pdpt + 4(, %ecx, 8)
	addl $4096, %eax
	incl %ecx
	cmpl $4, %ecx
	jne 2b

	xorl %ecx, %ecx
3:	movl %ecx, %eax
	shll $21, %eax
	orl $(PTE_P | PTE_RW | PTE_PS), %eax
	movl %eax, boot_pd(, %ecx, 8)
	movl $0, boot_pd + 4(, %ecx, 8)
	incl %ecx
	cmpl $2048, %ecx
	jne 3b

	movl $X86_CR4_PAE, %eax
	movl %eax, %cr4
	movl $boot_pml4, %eax
	movl %eax, %cr3
	movl $MSR_EFER, %ecx
	rdmsr
	orl $EFER_LME, %eax
	wrmsr
	movl $(X86_CR0_PG | X86_CR0_WP | X86_CR0_NE | X86_CR0_ET | \
	       X86_CR0_MP | X86_CR0_PE), %eax
	movl %eax, %cr0
	ljmp $0x08, $long_mode

no_long_mode:
	movl $no_lm_msg, %esi
4:	lodsb
	testb %al, %al
	jz 6f
	movb %al, %bl
	movw $(UART_COM1 + UART_LSR), %dx
5:	inb %dx, %al
	testb $UART_LSR_THRE, %al
	jz 5b
	movw $(UART_COM1 + UART_THR), %dx
	movb %bl, %al
	outb %al, %dx
	jmp 4b
6:	hlt
	jmp 6b

	.code64
long_mode:
	movl $0x10, %eax
	movl %eax, %ds
	movl %eax, %es
	movl %eax, %ss
	movl %eax, %fs
	movl %eax, %gs
	movabsq $boot_stack_top, %rsp
	xorl %ebp, %ebp
	movl boot_magic(%rip), %edi
	movl boot_mbi(%rip), %esi
	call kmain
7:	cli
	hlt
	jmp 7b

	.section .rodata
no_lm_msg:
	.asciz "keel: this CPU has no 64-bit long mode; Keel cannot run\r\n"

	.balign 16
boot_gdt:
	.quad 0
	.quad 0x00af9a000000ffff	/* 0x08: 64-bit code */
	.quad 0x00cf92000000ffff	/* 0x10: data */
	.quad 0x00cf9a000000ffff	/* 0x18: 32-bit code */
boot_gdt_end:
boot_gdt_ptr:
	.short boot_gdt_end - boot_gdt - 1
	.long boot_gdt

	.section .data
	.balign 4
boot_magic:
	.long 0
boot_mbi:
	.long 0

	.section .bss
	.balign 4096
boot_pml4:
	.skip 4096
boot_pdpt:
	.skip 4096
boot_pd:
	.skip 4 * 4096
	/* A guard page under the boot stack: paging.c leaves it unmapped,
	 * so an overflow faults instead of running into the page tables. */
	.balign 4096
	.globl boot_stack_guard
boot_stack_guard:
	.skip 4096
	.globl boot_stack_top
boot_stack:
	.skip BOOT_STACK_SIZE
boot_stack_top:
