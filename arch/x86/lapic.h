/* SPDX-License-Identifier: MIT */
/*
 * The physical local APIC, as the guest has set it up: the guest owns it
 * (docs/architecture.md, "Interrupts"), and Keel only reads its mode and
 * sends it self-IPIs for the guest's device interrupts (vmx/irq.c).
 */
#ifndef KEEL_ARCH_X86_LAPIC_H
#define KEEL_ARCH_X86_LAPIC_H

#include "core/types.h"

/* IA32_APIC_BASE, SDM Vol.3A 11.4.4 and 11.12.1 */
#define MSR_IA32_APIC_BASE 0x1b
#define APIC_BASE_EXTD BIT(10) /* x2APIC mode */
#define APIC_BASE_EN BIT(11) /* APIC globally enabled */
#define APIC_BASE_ADDR_MASK 0xfffffffffffff000ULL

/* xAPIC register offsets, SDM Vol.3A 11.4.1 table 11-1 */
#define LAPIC_REG_TPR 0x80
#define LAPIC_REG_SVR 0xf0
#define LAPIC_REG_ID 0x20
#define LAPIC_REG_ICR_LO 0x300
#define LAPIC_REG_ICR_HI 0x310
#define LAPIC_ID_SHIFT 24 /* xAPIC ID and ICR destination: bits 31:24 */
#define LAPIC_REG_LVT_TIMER 0x320
#define LAPIC_REG_TIMER_ICR 0x380 /* initial count */
#define LAPIC_REG_TIMER_CCR 0x390 /* current count */
#define LAPIC_REG_TIMER_DCR 0x3e0 /* divide configuration */

/* x2APIC MSRs, SDM Vol.3A 11.12.1.2 table 11-6 */
#define MSR_X2APIC_ID 0x802
#define MSR_X2APIC_SVR 0x80f
#define MSR_X2APIC_ICR 0x830
#define MSR_X2APIC_LVT_TIMER 0x832
#define MSR_X2APIC_TIMER_ICR 0x838
#define MSR_X2APIC_TIMER_CCR 0x839
#define MSR_X2APIC_TIMER_DCR 0x83e
#define MSR_X2APIC_SELF_IPI 0x83f

/* LVT timer and divide configuration, SDM Vol.3A 11.5.1 and 11.5.4 */
#define LAPIC_LVT_MASKED BIT(16)
#define LAPIC_TIMER_DIV_1 0xb

/* Spurious-interrupt vector register, SDM Vol.3A 11.9 */
#define LAPIC_SVR_ENABLE BIT(8) /* APIC software enable */

/* Interrupt command register (low half), SDM Vol.3A 11.6.1 */
#define ICR_VECTOR GENMASK(7, 0)
#define ICR_DELMODE_FIXED (0U << 8)
#define ICR_DELMODE_NMI (4U << 8)
#define ICR_DELMODE_INIT (5U << 8)
#define ICR_DELMODE_STARTUP (6U << 8)
#define ICR_DELIVERY_PENDING BIT(12) /* xAPIC: previous IPI not yet sent */
#define ICR_LEVEL_ASSERT BIT(14)
#define ICR_SHORTHAND_SELF (1U << 18)

/* Vectors 0-15 are illegal for the APIC (SDM Vol.3A 11.5.2, "send
 * illegal vector"); 16-31 are the exceptions' (Vol.3A 6.3.1). */
#define LAPIC_FIRST_VECTOR 32

enum lapic_mode {
	LAPIC_MODE_OFF, /* globally disabled in IA32_APIC_BASE */
	LAPIC_MODE_XAPIC,
	LAPIC_MODE_X2APIC,
};

enum lapic_mode lapic_mode(void);

/* The SVR's software-enable bit, read in @mode (which must not be off). */
bool lapic_sw_enabled(enum lapic_mode mode);

/*
 * Send @vector to this CPU as a fixed, edge-triggered IPI with the "self"
 * shorthand: it waits in the IRR until the CPU takes it. false when an
 * xAPIC's previous IPI never left (ICR delivery status stuck).
 */
bool lapic_self_ipi(enum lapic_mode mode, u8 vector);

/* This CPU's APIC ID, read in @mode (which must not be off). */
u32 lapic_id(enum lapic_mode mode);

/*
 * Send the IPI @icr_lo (delivery mode, level, vector) to the CPU with APIC
 * ID @dest. Boot only (arch/x86/smp.c): afterwards the ICR is the guest's.
 * false when an xAPIC's previous IPI never left.
 */
bool lapic_send_ipi(enum lapic_mode mode, u32 dest, u32 icr_lo);

/*
 * The rate, in kHz, at which the LAPIC timer counts with divide-by-1,
 * measured over @tsc_ticks of the TSC (which runs at @tsc_khz), with the
 * timer masked throughout and stopped afterwards. 0 with the LAPIC off.
 * Boot only: the guest owns the timer once it runs.
 */
u64 lapic_timer_khz(u64 tsc_khz, u64 tsc_ticks);

#endif
