/* SPDX-License-Identifier: MIT */
/*
 * Helpers the test guest's checks share: run an instruction with a fault
 * catch and name the vector it raised.
 */
#ifndef KEEL_GUEST_CHECKS_H
#define KEEL_GUEST_CHECKS_H

#include "guest.h"

#define MSR_FEATURE_CONTROL 0x3a

/* Run one instruction with a fault catch; evaluates to the vector. */
#define TRY_ASM(insn, ...)                                           \
	({                                                           \
		fault_arm();                                         \
		__asm__ volatile("movl $1f, %[res_]\n\t" insn "\n1:" \
				 : [res_] "=m"(fault.resume)         \
				 : __VA_ARGS__                       \
				 : "memory");                        \
		fault_disarm();                                      \
	})

u32 try_rdmsr(u32 msr, u64 *v);
u32 try_wrmsr(u32 msr, u64 v);
u32 try_write_cr0(u32 v);
u32 try_write_cr4(u32 v);
u32 try_xsetbv(u32 xcr, u64 v);
u64 xgetbv(u32 xcr);
const char *vec_name(u32 v);

/* cpu_checks.c */
void test_raise_irq_twice(void);
void test_cpuid_msrs(void);
void test_injected_fault_frame(void);
void test_apic_base(void);
/* apic_checks.c: where the xAPIC page is; an interrupt arrives there. */
void apic_checks_set_page(u32 page);
void apic_irq_check_moved(void);
void test_cr0_reserved(void);
void test_tsc_rate_cpuid(void);
void test_cpuid_rip_wrap(void);
void test_single_step(void);
/* The MADT's processor has @madt_id: so do CPUID and the LAPIC. */
void check_apic_ids(u32 madt_id);

/* msr_checks.c */
void test_msr_virt(void);

/* tsc_adjust_checks.c */
void test_tsc_adjust(void);

/* io_split_checks.c */
void test_io_split(void);

/* apic_checks.c */
void apic_sw_enable(void);
void test_apic_irqs(void);

/* hc_checks.c */
void test_foreign_hypercalls(void);

/* uart_checks.c */
void test_uart(void);

#endif
