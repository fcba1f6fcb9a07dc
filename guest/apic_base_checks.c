// SPDX-License-Identifier: MIT
/*
 * IA32_APIC_BASE relocation (SDM Vol.3A 11.4.5), as kvm-unit-tests'
 * apic.flat test_apicbase does it: the xAPIC page moves to a free
 * address and answers there with the same registers; a place that holds
 * RAM or a device is #GP (Keel's rule, docs/vmx.md), reserved bits are
 * #GP (the CPU's), Keel's interrupts arrive with the page moved; and the
 * page moves back. test_apic_irqs, which runs later, shows interrupts
 * still arrive after the move back. Not here: a trip through x2APIC mode
 * with the page moved, since the way back to xAPIC passes the disabled
 * state and Bochs ignores every IA32_APIC_BASE write while EN is clear
 * (its log: "APIC global enable bit cleared"); the host tests cover it.
 */
#include "checks.h"

#define MSR_APIC_BASE 0x1b
#define APIC_BASE_ADDR 0xfffff000u
#define APIC_BASE_EN (1u << 11)
#define APIC_BASE_EXTD (1u << 10)
#define APIC_HOME 0xfee00000u
/* A hole address no device of the test platform uses: kvm-unit-tests'
 * ALTERNATE_APIC_BASE. */
#define APIC_ALT 0xfed40000u
#define APIC_ID 0x20 /* xAPIC register offsets, SDM Vol.3A table 11-1 */
#define APIC_LVR 0x30
#define IOAPIC_PAGE 0xfec00000u
#define RAM_PAGE 0x200000u
#define CPUID_EXT_ADDR 0x80000008u

static u32 apic_at(u32 base, u32 reg)
{
	return *(volatile u32 *)(base + reg);
}

static u64 base_with(u64 orig, u32 addr)
{
	return (orig & ~(u64)APIC_BASE_ADDR) | addr;
}

static u32 maxphyaddr(void)
{
	if (cpuid(0x80000000u, 0).eax < CPUID_EXT_ADDR)
		return 36;
	return cpuid(CPUID_EXT_ADDR, 0).eax & 0xff;
}

/* Where the page must not go: each #GP and the MSR still says @at. */
static void refused_places(u64 orig, u32 at)
{
	static const struct {
		const char *name;
		u32 addr;
	} bad[] = {
		{ "apic_base_move_ram_gp", RAM_PAGE },
		{ "apic_base_move_ioapic_gp", IOAPIC_PAGE },
		{ "apic_base_move_emulated_gp", TESTDEV_MMIO_BASE },
	};

	for (unsigned int i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		u64 v = 0;
		u32 f = try_wrmsr(MSR_APIC_BASE, base_with(orig, bad[i].addr));

		try_rdmsr(MSR_APIC_BASE, &v);
		report(bad[i].name,
		       f == VEC_GP && ((u32)v & APIC_BASE_ADDR) == at,
		       "to 0x%x: %s, base now 0x%x", bad[i].addr, vec_name(f),
		       (u32)v & APIC_BASE_ADDR);
	}
}

static void reserved_bits(u64 moved)
{
	u32 phys = maxphyaddr();
	u64 high = phys < 64 ? 1ULL << phys : 0;
	u32 f1 = try_wrmsr(MSR_APIC_BASE, moved | high);
	u32 f2 = try_wrmsr(MSR_APIC_BASE, moved | 1);
	u64 v = 0;

	try_rdmsr(MSR_APIC_BASE, &v);
	report("apic_base_reserved_gp",
	       f1 == VEC_GP && f2 == VEC_GP && v == moved,
	       "bit %u: %s, bit 0: %s", phys, vec_name(f1), vec_name(f2));
}

void test_apic_base(void)
{
	u64 orig = 0, v = 0;
	u32 id, lvr, f, new_id = 0, new_lvr = 0;
	bool moved;

	if (try_rdmsr(MSR_APIC_BASE, &orig) != NO_FAULT ||
	    (orig & (APIC_BASE_EN | APIC_BASE_EXTD)) != APIC_BASE_EN ||
	    ((u32)orig & APIC_BASE_ADDR) != APIC_HOME) {
		report_skip("apic_base_move",
			    "the APIC is not in xAPIC mode at its home");
		return;
	}
	id = apic_at(APIC_HOME, APIC_ID);
	lvr = apic_at(APIC_HOME, APIC_LVR);
	f = try_wrmsr(MSR_APIC_BASE, base_with(orig, APIC_ALT));
	try_rdmsr(MSR_APIC_BASE, &v);
	/* Only read the new page when it is the APIC's: a free hole address
	 * would stop the guest. */
	moved = f == NO_FAULT && v == base_with(orig, APIC_ALT);
	if (moved) {
		new_id = apic_at(APIC_ALT, APIC_ID);
		new_lvr = apic_at(APIC_ALT, APIC_LVR);
	}
	report("apic_base_move", moved && new_id == id && new_lvr == lvr,
	       "%s, base 0x%x, id 0x%x/0x%x lvr 0x%x/0x%x", vec_name(f),
	       (u32)v & APIC_BASE_ADDR, new_id, id, new_lvr, lvr);
	if (!moved) {
		try_wrmsr(MSR_APIC_BASE, orig);
		return;
	}
	/* Keel leaves nothing at the home page: all ones, as on a PC bus. */
	report("apic_base_home_vacated", apic_at(APIC_HOME, APIC_LVR) == ~0u,
	       "lvr at home 0x%x", apic_at(APIC_HOME, APIC_LVR));
	refused_places(orig, APIC_ALT);
	reserved_bits(v);
	apic_checks_set_page(APIC_ALT);
	apic_irq_check_moved();
	apic_checks_set_page(APIC_HOME);
	f = try_wrmsr(MSR_APIC_BASE, orig);
	try_rdmsr(MSR_APIC_BASE, &v);
	report("apic_base_move_back",
	       f == NO_FAULT && v == orig &&
		       apic_at(APIC_HOME, APIC_ID) == id &&
		       apic_at(APIC_HOME, APIC_LVR) == lvr,
	       "%s, base 0x%x, lvr 0x%x", vec_name(f), (u32)v & APIC_BASE_ADDR,
	       apic_at(APIC_HOME, APIC_LVR));
}
