/* SPDX-License-Identifier: MIT */
/*
 * The other CPUs' start, and where they stay (docs/architecture.md,
 * "Parked CPUs"). The boot CPU copies ap_tramp to a page below 1 MiB and
 * sends INIT and start-up IPIs (arch/x86/smp.c); the CPU wakes there in
 * real mode, enters 32-bit protected mode with paging (4 MiB identity
 * pages, so Keel's image is where it was linked) and, where the CPU has
 * VT-x, does VMXON: in VMX root operation INIT is blocked and a start-up
 * IPI is ignored (SDM Vol.3C 24.8 and 26.2.1, rev 080: a start-up IPI only
 * wakes a CPU in wait-for-SIPI), so the guest, which owns the LAPIC, can
 * no longer start it at a vector of its choosing. It then halts with
 * interrupts off for good. An NMI (the guest can send those too) is
 * counted and returns to the halt; any exception is recorded and halts the
 * CPU for good instead of letting it triple-fault, which resets many
 * machines. The CPU never prints: the console is the boot CPU's alone.
 */
#include "arch/x86/x86_defs.h"
#include "arch/x86/ap_park.h"

	.section .rodata.ap_tramp, "a"
	.code16
	.globl ap_tramp, ap_tramp_end
ap_tramp:
	cli
	cld
	wbinvd			/* as Linux's trampoline: caches may be stale */
	movw %cs, %ax
	movw %ax, %ds
	lgdtl ap_tramp_gdtr - ap_tramp
	movl %cr0, %eax
	orl $X86_CR0_PE, %eax
	movl %eax, %cr0
	ljmpl $AP_CS32, $ap_entry32
	.balign 8
ap_tramp_gdtr:
	.short ap_gdt_end - ap_gdt - 1
	.long ap_gdt
ap_tramp_end:

	.section .rodata
	.balign 16
ap_gdt:
	.quad 0
	/* Accessed bits set: the CPU would write them into .rodata. */
	.quad 0x00cf9b000000ffff	/* AP_CS32: 32-bit code, flat */
	.quad 0x00cf93000000ffff	/* AP_DS32: data, flat */
ap_gdt_end:

	.text
	.code32
/*
 * %ebx = this CPU's slot: its initial APIC ID (CPUID 0Bh EDX where the CPU
 * has that leaf: the maximum leaf reaches it and its EBX[15:0] is not 0,
 * SDM Vol.3A 10.12.8.1 / Vol.2A CPUID; else CPUID 1 EBX bits 31:24, as
 * cpu_initial_apic_id() in arch.h decides) looked up
 * in ap_apic_id[], which the boot CPU filled before any start-up IPI. A
 * CPU that starts late, or that nobody asked for, still finds its own
 * slot or the spare one, never another CPU's stack or VMXON region.
 */
	.macro call_slot_lookup
	xorl %eax, %eax
	cpuid
	cmpl $CPUID_LEAF_X2APIC_TOPO, %eax
	jb 5f
	movl $CPUID_LEAF_X2APIC_TOPO, %eax
	xorl %ecx, %ecx
	cpuid
	testw %bx, %bx
	jz 5f
	movl %edx, %esi
	jmp 6f
5:	movl $1, %eax
	cpuid
	shrl $24, %ebx
	movl %ebx, %esi
6:	xorl %ebx, %ebx
7:	cmpl ap_count, %ebx
	jae 8f
	cmpl ap_apic_id(, %ebx, 4), %esi
	je 9f
	incl %ebx
	jmp 7b
8:	movl $AP_SLOT_SPARE, %ebx
9:
	.endm

ap_entry32:
	movl $AP_DS32, %eax
	movl %eax, %ds
	movl %eax, %es
	movl %eax, %ss
	movl %eax, %fs
	movl %eax, %gs
	call_slot_lookup
	leal 1(%ebx), %esp
	shll $AP_STACK_SHIFT, %esp
	addl $ap_stacks, %esp
	lidt ap_idt_ptr
	movl $AP_STARTED, ap_state(, %ebx, 4)
	movl ap_cr4, %eax
	movl %eax, %cr4
	movl $ap_pd, %eax
	movl %eax, %cr3
	movl ap_cr0, %eax
	movl %eax, %cr0
	jmp 1f
1:	movl $AP_PARKED, %esi
	cmpl $0, ap_try_vmx
	je ap_park
	cmpl $AP_SLOT_SPARE, %ebx
	je ap_park
	/* VMXON needs IA32_FEATURE_CONTROL locked with VMX outside SMX
	 * (SDM Vol.3C 24.7); lock it so where the firmware left it open, as
	 * the boot CPU does (vmx/vmx.c). */
	movl $MSR_IA32_FEATURE_CONTROL, %ecx
	rdmsr
	testl $FEATURE_CONTROL_LOCKED, %eax
	jnz 2f
	orl $(FEATURE_CONTROL_LOCKED | FEATURE_CONTROL_VMX_OUTSIDE_SMX), %eax
	wrmsr
2:	testl $FEATURE_CONTROL_VMX_OUTSIDE_SMX, %eax
	jz ap_park
	movl $AP_VMXON_FAILED, %esi
	vmxon ap_vmxon(, %ebx, 8)
	jbe ap_park			/* VMfailInvalid (CF) or VMfailValid (ZF) */
	movl $AP_PARKED_VMX, %esi
ap_park:
	movl %esi, ap_state(, %ebx, 4)
3:	hlt
	jmp 3b

	.globl ap_nmi_stub, ap_fault_stub, ap_mce_stub
/*
 * NMIs: counted, back to the halt. The handlers run on the CPU's stack
 * with %ebx still its slot (the halt loop never changes it). Before a
 * reboot smp_release() asks for VMXOFF, so the reset's INIT (a keyboard
 * controller reset is one on many chipsets) reaches this CPU again.
 */
ap_nmi_stub:
	lock incl ap_nmis
	cmpl $0, ap_release
	je 1f
	cmpl $AP_PARKED_VMX, ap_state(, %ebx, 4)
	jne 1f
	vmxoff
	movl $AP_RELEASED, ap_state(, %ebx, 4)
1:	iret

/*
 * Any other exception halts the CPU for good. Before VMXON that leaves it
 * without VMX, so it says so; after, INIT stays blocked.
 */
ap_fault_stub:
	lock incl ap_faulted
	cmpl $AP_PARKED_VMX, ap_state(, %ebx, 4)
	je 2f
	movl $AP_FAULTED, ap_state(, %ebx, 4)
2:	hlt
	jmp 2b

/*
 * A machine check is broadcast to every CPU: clear IA32_MCG_STATUS.MCIP
 * and go back to the halt, since a second one while MCIP is set shuts the
 * CPU down (SDM Vol.3B 15.10.1), which resets many machines.
 */
ap_mce_stub:
	pushal
	movl $MSR_IA32_MCG_STATUS, %ecx
	xorl %eax, %eax
	xorl %edx, %edx
	wrmsr
	popal
	iret
