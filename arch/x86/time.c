// SPDX-License-Identifier: MIT
/*
 * Time from the TSC. The frequency comes from CPUID leaf 15h (TSC/crystal
 * ratio, SDM Vol.3B 18.7.3), else a measurement against the ACPI PM timer
 * (3.579545 MHz, ACPI 6.4 4.8.3.3) or PIT channel 2 (1.193182 MHz, Intel
 * 82C54 datasheet), else leaf 16h's nominal base frequency. Under Bochs the TSC
 * counts retired instructions, so "time" there is instruction count.
 */
#include "core/console.h"
#include "arch/x86/arch.h"
#include "arch/x86/lapic.h"

#define PM_TIMER_HZ 3579545ULL
#define PIT_HZ 1193182ULL
#define CALIBRATE_MS 10

/* PIT ports and bits, 82C54 datasheet; port 61h, IBM PC/AT tech. ref. */
#define PIT_CH2 0x42
#define PIT_CMD 0x43
#define PIT_CMD_CH2_LOHI_MODE0 0xb0
#define PORT_B 0x61
#define PORT_B_GATE2 BIT(0)
#define PORT_B_SPEAKER BIT(1)
#define PORT_B_OUT2 BIT(5)
/* Bounded polls so a missing timer cannot hang boot. */
#define CALIBRATE_SPIN_LIMIT 100000000ULL

/* Fallback when no timer answers: a plausible rate, and a warning. */
#define TSC_FALLBACK_KHZ 1000000ULL

static u64 khz;
static u64 apic_khz;
static u64 tsc_at_init;
static const char *source = "none";

/* CPUID 15h gives the exact TSC rate from the crystal clock. */
static u64 from_cpuid15(void)
{
	struct cpuid_regs r;

	if (cpuid(0, 0).eax < 0x15)
		return 0;
	r = cpuid(0x15, 0);
	if (!r.eax || !r.ebx || !r.ecx)
		return 0;
	source = "CPUID 15h";
	return (u64)r.ecx * r.ebx / r.eax / 1000;
}

/*
 * CPUID 16h is the nominal base frequency: close to the TSC rate on real
 * CPUs, but emulators report it without running the TSC at that rate, so
 * it is the last resort after a measurement.
 */
static u64 from_cpuid16(void)
{
	struct cpuid_regs r;

	if (cpuid(0, 0).eax < 0x16)
		return 0;
	r = cpuid(0x16, 0);
	if (!(r.eax & 0xffff))
		return 0;
	source = "CPUID 16h";
	return (u64)(r.eax & 0xffff) * 1000;
}

static u64 from_pm_timer(u16 port, bool wide)
{
	u32 mask = wide ? 0xffffffffU : 0xffffffU;
	u32 ticks = PM_TIMER_HZ * CALIBRATE_MS / 1000;
	u32 start = inl(port) & mask, now;
	u64 t0 = rdtsc(), spins = 0;

	do {
		now = inl(port) & mask;
		if (++spins > CALIBRATE_SPIN_LIMIT)
			return 0;
	} while (((now - start) & mask) < ticks);
	source = "ACPI PM timer";
	return (rdtsc() - t0) / CALIBRATE_MS;
}

static u64 from_pit(void)
{
	u16 count = PIT_HZ * CALIBRATE_MS / 1000;
	u8 b = inb(PORT_B);
	u64 t0, spins = 0;

	outb(PORT_B, (b & ~PORT_B_SPEAKER) | PORT_B_GATE2);
	outb(PIT_CMD, PIT_CMD_CH2_LOHI_MODE0);
	outb(PIT_CH2, count & 0xff);
	outb(PIT_CH2, count >> 8);
	t0 = rdtsc();
	while (!(inb(PORT_B) & PORT_B_OUT2)) {
		if (++spins > CALIBRATE_SPIN_LIMIT) {
			outb(PORT_B, b);
			return 0;
		}
	}
	outb(PORT_B, b);
	source = "PIT";
	return (rdtsc() - t0) / CALIBRATE_MS;
}

void time_init(u16 pm_tmr_port, bool pm_tmr_32bit)
{
	khz = from_cpuid15();
	if (!khz && pm_tmr_port)
		khz = from_pm_timer(pm_tmr_port, pm_tmr_32bit);
	if (!khz)
		khz = from_pit();
	if (!khz)
		khz = from_cpuid16();
	if (!khz) {
		khz = TSC_FALLBACK_KHZ;
		source = "assumed";
		pr_warn("keel: time: no timer to calibrate the TSC against\n");
	}
	tsc_at_init = rdtsc();
	pr_info("keel: time: TSC %llu.%03llu MHz (%s)\n", khz / 1000,
		khz % 1000, source);
	/* The guest's CPUID 15h names the timer's rate (vmx/cpuid_time.c). */
	apic_khz = lapic_timer_khz(khz, khz * CALIBRATE_MS);
	if (apic_khz)
		pr_info("keel: time: LAPIC timer %llu.%03llu MHz at divide-by-1\n",
			apic_khz / 1000, apic_khz % 1000);
}

u64 lapic_khz(void)
{
	return apic_khz;
}

u64 tsc_khz(void)
{
	return khz;
}

const char *tsc_source(void)
{
	return source;
}

u64 time_us(void)
{
	return khz ? (rdtsc() - tsc_at_init) * 1000 / khz : 0;
}

void udelay(u64 us)
{
	u64 end = rdtsc() + us * (khz ? khz : TSC_FALLBACK_KHZ) / 1000;

	while (rdtsc() < end)
		cpu_relax();
}

void mdelay(u64 ms)
{
	udelay(ms * 1000);
}
