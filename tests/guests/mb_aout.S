/* SPDX-License-Identifier: MIT */
/*
 * A stand-in for third-party multiboot test kernels: a flat binary with the
 * multiboot (v1) a.out kludge, written without any of Keel's code. It checks
 * EAX, prints its command line on COM1 polling LSR, then writes its status
 * to QEMU's isa-debug-exit port 0xF4, exactly as it would run under
 * `qemu-system-x86_64 -kernel`. Status 0x21 means "all good", 0x22 "bad EAX".
 */
	.set MB_MAGIC, 0x1BADB002
	.set MB_FLAGS, 0x00010003	/* page align, memory info, a.out kludge */
	.set COM1, 0x3f8

	.code32
	.text
	.globl _start
_start:
	jmp entry

	.balign 4
mb_header:
	.long MB_MAGIC
	.long MB_FLAGS
	.long -(MB_MAGIC + MB_FLAGS)
	.long mb_header			/* header_addr */
	.long _start			/* load_addr */
	.long data_end			/* load_end_addr */
	.long bss_end			/* bss_end_addr */
	.long entry			/* entry_addr */

entry:
	movl $stack_top, %esp
	movl %ebx, saved_mbi
	movb $0x22, status
	cmpl $0x2BADB002, %eax
	jne 2f
	movb $0x21, status
2:	movl $hello, %esi
	call puts
	movl saved_mbi, %ebx
	testl $4, (%ebx)		/* flags bit 2: cmdline valid */
	jz 3f
	movl 16(%ebx), %esi
	call puts
3:	movl $newline, %esi
	call puts
	movb status, %al
	outb %al, $0xf4
4:	cli
	hlt
	jmp 4b

/* Print the NUL-terminated string at %esi. */
#include "com1_puts.inc"

hello:
	.asciz "mbtest: cmdline="
newline:
	.asciz "\r\nmbtest: done\r\n"
	.balign 4
data_end:

	.bss
	.balign 16
saved_mbi:
	.long 0
status:
	.long 0
	.skip 1024
stack_top:
bss_end:
