/* SPDX-License-Identifier: MIT */
/*
 * IA32_APIC_BASE as the guest sees it: the hardware's EN, EXTD and BSP
 * bits, and a base address of its own. The guest may relocate its xAPIC
 * page (SDM Vol.3A 11.4.5, "Relocating the Local APIC Registers"); Keel
 * never moves the real one (it sends its self-IPIs there), so a move is
 * an EPT change: the new guest-physical page maps the real LAPIC and the
 * old one is unmapped (docs/vmx.md, "IA32_APIC_BASE"). The decision is
 * pure (apic_base_check) and host-tested; vmx/apic_base.c applies it.
 */
#ifndef KEEL_VMX_APIC_BASE_H
#define KEEL_VMX_APIC_BASE_H

#include "core/types.h"

/* IA32_APIC_BASE, SDM Vol.3A 11.4.4 figure 11-5 and 11.12.1 */
#define APIC_BASE_MSR_BSP BIT(8)
#define APIC_BASE_MSR_EXTD BIT(10)
#define APIC_BASE_MSR_EN BIT(11)
#define APIC_BASE_MSR_ADDR_SHIFT 12
#define APIC_BASE_PAGE_SIZE 0x1000ULL /* SDM Vol.3A 11.4.1 */

/*
 * EPT tables a move leaves empty stay until the guest ends, so moves are
 * bounded as PCI BAR moves are (PCI_VCFG_MAX_MOVES): past this many, the
 * page stays where it is.
 */
#define APIC_BASE_MAX_MOVES 256

enum apic_base_verdict {
	APIC_BASE_STAY, /* same page: only EN/EXTD may change */
	APIC_BASE_MOVE, /* the page moves to *new_gpa */
	APIC_BASE_RESERVED, /* #GP: a reserved bit, as the CPU's */
	APIC_BASE_TAKEN, /* #GP: Keel's refusal, *why says what is there */
};

/* What is at a guest-physical place now; injected for the host tests. */
struct apic_base_env {
	unsigned int maxphyaddr; /* CPUID.80000008h:EAX[7:0] */
	u64 home; /* where the page started: it may always go back; 0: none */
	u64 cur; /* where the page is now */
	unsigned int moves; /* moves made since the guest started */
	/* Why [gpa, gpa+size) may not hold the page, or NULL when free. */
	const char *(*taken)(void *ctx, u64 gpa, u64 size);
	void *ctx;
};

/*
 * Judge the guest's write of @val. Reserved bits (above MAXPHYADDR, 7:0,
 * 9) are #GP as on the CPU. A new base must also be free: not guest RAM,
 * Keel's memory, or a device's range, which a CPU would let the APIC
 * shadow but a hypervisor cannot. BSP is read-only (the caller keeps the
 * hardware's). Sets *new_gpa for APIC_BASE_MOVE and *why for
 * APIC_BASE_TAKEN.
 */
enum apic_base_verdict apic_base_check(const struct apic_base_env *env, u64 val,
				       u64 *new_gpa, const char **why);

/* The base-address bits a CPU with @maxphyaddr implements. */
u64 apic_base_addr_mask(unsigned int maxphyaddr);

struct vcpu;
/* RDMSR and WRMSR of IA32_APIC_BASE (vmx/apic_base.c): 0, or -EPERM for
 * a #GP. */
int vmx_apic_base_read(struct vcpu *v, u64 *val);
int vmx_apic_base_write(struct vcpu *v, u64 val);

#endif
