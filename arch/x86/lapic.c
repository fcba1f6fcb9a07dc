// SPDX-License-Identifier: MIT
/*
 * The physical local APIC, in whichever mode the guest put it. Keel maps
 * the low 4 GiB uncached (arch/x86/paging.c), and the guest may not move
 * the APIC page (vmx/msr.c), so the xAPIC registers are where
 * IA32_APIC_BASE says.
 */
#include "core/lib.h"
#include "arch/x86/arch.h"
#include "arch/x86/lapic.h"

/* Spins allowed for an xAPIC's previous IPI to leave (SDM Vol.3A 11.6.1:
 * software checks the delivery status before writing the ICR again). */
#define ICR_IDLE_SPINS 100000

static volatile u8 *xapic_regs(void)
{
	return (volatile u8 *)(uintptr_t)(rdmsr(MSR_IA32_APIC_BASE) &
					  APIC_BASE_ADDR_MASK);
}

/* SDM Vol.3A 11.6.1: the ICR takes a new IPI once the last one left. */
static bool xapic_icr_idle(volatile u8 *regs)
{
	for (unsigned int i = 0;
	     mmio_read32(regs + LAPIC_REG_ICR_LO) & ICR_DELIVERY_PENDING; i++) {
		if (i == ICR_IDLE_SPINS)
			return false;
		cpu_relax();
	}
	return true;
}

enum lapic_mode lapic_mode(void)
{
	u64 base = rdmsr(MSR_IA32_APIC_BASE);

	if (!(base & APIC_BASE_EN))
		return LAPIC_MODE_OFF;
	return (base & APIC_BASE_EXTD) ? LAPIC_MODE_X2APIC : LAPIC_MODE_XAPIC;
}

bool lapic_sw_enabled(enum lapic_mode mode)
{
	if (mode == LAPIC_MODE_X2APIC)
		return rdmsr(MSR_X2APIC_SVR) & LAPIC_SVR_ENABLE;
	return mmio_read32(xapic_regs() + LAPIC_REG_SVR) & LAPIC_SVR_ENABLE;
}

/*
 * x2APIC has a SELF IPI register (SDM Vol.3A 11.12.11). In xAPIC mode the
 * ICR low half alone sends: the shorthand ignores the destination in the
 * high half, which therefore keeps whatever the guest put there.
 */
bool lapic_self_ipi(enum lapic_mode mode, u8 vector)
{
	volatile u8 *regs;

	if (mode == LAPIC_MODE_X2APIC) {
		wrmsr(MSR_X2APIC_SELF_IPI, vector);
		return true;
	}
	regs = xapic_regs();
	if (!xapic_icr_idle(regs))
		return false;
	mmio_write32(regs + LAPIC_REG_ICR_LO, (u32)vector | ICR_DELMODE_FIXED |
						      ICR_LEVEL_ASSERT |
						      ICR_SHORTHAND_SELF);
	return true;
}

u32 lapic_id(enum lapic_mode mode)
{
	if (mode == LAPIC_MODE_X2APIC)
		return (u32)rdmsr(MSR_X2APIC_ID);
	return mmio_read32(xapic_regs() + LAPIC_REG_ID) >> LAPIC_ID_SHIFT;
}

bool lapic_send_ipi(enum lapic_mode mode, u32 dest, u32 icr_lo)
{
	volatile u8 *regs;

	if (mode == LAPIC_MODE_X2APIC) {
		/* WRMSR to the x2APIC ICR is not serializing (SDM Vol.3A
		 * 11.12.3): earlier stores must be visible to the target. */
		__asm__ volatile("mfence" : : : "memory");
		wrmsr(MSR_X2APIC_ICR, (u64)dest << 32 | icr_lo);
		return true;
	}
	regs = xapic_regs();
	if (!xapic_icr_idle(regs))
		return false;
	mmio_write32(regs + LAPIC_REG_ICR_HI, dest << LAPIC_ID_SHIFT);
	mmio_write32(regs + LAPIC_REG_ICR_LO, icr_lo);
	return xapic_icr_idle(regs);
}

static void timer_write(enum lapic_mode mode, u32 reg, u32 msr, u32 val)
{
	if (mode == LAPIC_MODE_X2APIC)
		wrmsr(msr, val);
	else
		mmio_write32(xapic_regs() + reg, val);
}

static u32 timer_count(enum lapic_mode mode)
{
	if (mode == LAPIC_MODE_X2APIC)
		return (u32)rdmsr(MSR_X2APIC_TIMER_CCR);
	return mmio_read32(xapic_regs() + LAPIC_REG_TIMER_CCR);
}

u64 lapic_timer_khz(u64 tsc_khz, u64 tsc_ticks)
{
	enum lapic_mode mode = lapic_mode();
	u64 t0, t1;
	u32 left;

	if (mode == LAPIC_MODE_OFF || !tsc_ticks)
		return 0;
	timer_write(mode, LAPIC_REG_LVT_TIMER, MSR_X2APIC_LVT_TIMER,
		    LAPIC_LVT_MASKED);
	timer_write(mode, LAPIC_REG_TIMER_DCR, MSR_X2APIC_TIMER_DCR,
		    LAPIC_TIMER_DIV_1);
	timer_write(mode, LAPIC_REG_TIMER_ICR, MSR_X2APIC_TIMER_ICR,
		    0xffffffffU);
	t0 = rdtsc();
	do
		t1 = rdtsc();
	while (t1 - t0 < tsc_ticks);
	left = timer_count(mode);
	timer_write(mode, LAPIC_REG_TIMER_ICR, MSR_X2APIC_TIMER_ICR, 0);
	return (u64)(0xffffffffU - left) * tsc_khz / (t1 - t0);
}
