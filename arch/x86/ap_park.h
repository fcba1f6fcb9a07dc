/* SPDX-License-Identifier: MIT */
/*
 * What arch/x86/smp.c (the boot CPU) and arch/x86/ap_park.S (each other
 * CPU) share: the states a parked CPU reports and the layout of its start.
 * Included from assembly, so only #defines.
 */
#ifndef KEEL_ARCH_X86_AP_PARK_H
#define KEEL_ARCH_X86_AP_PARK_H

/* ap_state[slot], written by the CPU itself; 0 until it runs Keel code. */
#define AP_STARTED 1 /* in 32-bit protected mode, on its own stack */
#define AP_PARKED_VMX 2 /* in VMX root: INIT blocked, start-up IPIs ignored */
#define AP_PARKED 3 /* halted without VMX (none, or the firmware's lock) */
#define AP_VMXON_FAILED 4 /* VMXON set CF or ZF: halted without VMX */
#define AP_FAULTED 5 /* an exception before VMXON: halted without VMX */
#define AP_RELEASED 6 /* VMXOFF before a reboot (smp_release()) */

/* CPUID leaf 0Bh: EDX is the x2APIC ID (SDM Vol.3A 10.12.8.1) */
#define CPUID_LEAF_X2APIC_TOPO 0xb
/* Vectors with their own handlers, SDM Vol.3A 6.3.1 table 6-1 */
#define AP_VECTOR_NMI 2
#define AP_VECTOR_MC 18

/* Selectors of ap_gdt */
#define AP_CS32 0x08
#define AP_DS32 0x10

/* Bytes of stack per parked CPU: NMI and exception frames only. */
#define AP_STACK_SHIFT 8
#define AP_MAX 255 /* other CPUs parked at most */
/* A CPU whose APIC ID is not in ap_apic_id[] gets this slot: a stack to
 * halt on, no VMX. */
#define AP_SLOT_SPARE AP_MAX

#endif
