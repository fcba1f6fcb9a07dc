/* SPDX-License-Identifier: MIT */
/*
 * x86-64 architecture services: instruction wrappers, CPU tables, paging,
 * time and power. The one public header of arch/x86 for C; the architectural
 * constants it uses are in arch/x86/x86_defs.h, which assembly includes too.
 */
#ifndef KEEL_ARCH_X86_ARCH_H
#define KEEL_ARCH_X86_ARCH_H

#include "core/arch_hooks.h"
#include "core/types.h"
#include "arch/x86/x86_defs.h"

/* ---- Segment selectors of Keel's GDT (arch/x86/gdt.c) ---- */
#define GDT_KERNEL_CS 0x08
#define GDT_KERNEL_DS 0x10
#define GDT_TSS 0x18

static inline void outb(u16 port, u8 v)
{
	__asm__ volatile("outb %0, %1" : : "a"(v), "Nd"(port));
}

static inline void outw(u16 port, u16 v)
{
	__asm__ volatile("outw %0, %1" : : "a"(v), "Nd"(port));
}

static inline void outl(u16 port, u32 v)
{
	__asm__ volatile("outl %0, %1" : : "a"(v), "Nd"(port));
}

static inline u8 inb(u16 port)
{
	u8 v;

	__asm__ volatile("inb %1, %0" : "=a"(v) : "Nd"(port));
	return v;
}

static inline u16 inw(u16 port)
{
	u16 v;

	__asm__ volatile("inw %1, %0" : "=a"(v) : "Nd"(port));
	return v;
}

static inline u32 inl(u16 port)
{
	u32 v;

	__asm__ volatile("inl %1, %0" : "=a"(v) : "Nd"(port));
	return v;
}

static inline u64 rdmsr(u32 msr)
{
	u32 lo, hi;

	__asm__ volatile("rdmsr" : "=a"(lo), "=d"(hi) : "c"(msr));
	return ((u64)hi << 32) | lo;
}

static inline void wrmsr(u32 msr, u64 v)
{
	__asm__ volatile("wrmsr"
			 :
			 : "c"(msr), "a"((u32)v), "d"((u32)(v >> 32)));
}

struct cpuid_regs {
	u32 eax, ebx, ecx, edx;
};

static inline struct cpuid_regs cpuid(u32 leaf, u32 subleaf)
{
	struct cpuid_regs r;

	__asm__ volatile("cpuid"
			 : "=a"(r.eax), "=b"(r.ebx), "=c"(r.ecx), "=d"(r.edx)
			 : "a"(leaf), "c"(subleaf));
	return r;
}

/* MAXPHYADDR: the CPU's physical address width in bits. */
static inline unsigned int cpu_phys_addr_bits(void)
{
	if (cpuid(CPUID_EXT_MAX, 0).eax < CPUID_EXT_ADDR_SIZES)
		return CPUID_MAXPHYADDR_DEFAULT;
	return cpuid(CPUID_EXT_ADDR_SIZES, 0).eax & CPUID_MAXPHYADDR_MASK;
}

/*
 * This CPU's initial APIC ID, all of it: CPUID 0Bh EDX (the x2APIC ID)
 * where the CPU has that leaf (EBX of subleaf 0 not 0), else CPUID 1
 * EBX[31:24], which holds only its low 8 bits (SDM Vol.3A 10.4.8,
 * 10.12.8.1; Vol.2A CPUID leaf 0Bh).
 */
static inline u32 cpu_initial_apic_id(void)
{
	struct cpuid_regs t;

	if (cpuid(0, 0).eax >= CPUID_LEAF_X2APIC_TOPOLOGY) {
		t = cpuid(CPUID_LEAF_X2APIC_TOPOLOGY, 0);
		/* The leaf is there when its EBX[15:0] is not 0. */
		if (t.ebx & 0xffff)
			return t.edx;
	}
	return cpuid(1, 0).ebx >> CPUID_1_EBX_APIC_ID_SHIFT;
}

/* RDTSC zero-extends into RAX and RDX: 64-bit outputs need no masking. */
static inline u64 rdtsc(void)
{
	u64 lo, hi;

	__asm__ volatile("rdtsc" : "=a"(lo), "=d"(hi));
	return (hi << 32) | lo;
}

#define DEFINE_CR_ACCESS(n)                                                \
	static inline u64 read_cr##n(void)                                 \
	{                                                                  \
		u64 v;                                                     \
		__asm__ volatile("mov %%cr" #n ", %0" : "=r"(v));          \
		return v;                                                  \
	}                                                                  \
	static inline void write_cr##n(u64 v)                              \
	{                                                                  \
		__asm__ volatile("mov %0, %%cr" #n : : "r"(v) : "memory"); \
	}
DEFINE_CR_ACCESS(0)
DEFINE_CR_ACCESS(2)
DEFINE_CR_ACCESS(3)
DEFINE_CR_ACCESS(4)
#undef DEFINE_CR_ACCESS

static inline u64 read_rflags(void)
{
	u64 f;

	__asm__ volatile("pushfq; popq %0" : "=r"(f));
	return f;
}

static inline void cpu_relax(void)
{
	__asm__ volatile("pause" ::: "memory");
}

static inline u32 mmio_read32(const volatile void *addr)
{
	return *(const volatile u32 *)addr;
}

static inline void mmio_write32(volatile void *addr, u32 v)
{
	*(volatile u32 *)addr = v;
}

static inline u64 mmio_read64(const volatile void *addr)
{
	return *(const volatile u64 *)addr;
}

static inline void mmio_write64(volatile void *addr, u64 v)
{
	*(volatile u64 *)addr = v;
}

/*
 * Write [p, p+len) back from the CPU caches to memory, for devices that do
 * not snoop them (a VT-d unit without ECAP.C). SDM Vol.2A CLFLUSH: 64-byte
 * lines on every CPU Keel runs on; MFENCE orders the flushes before what
 * follows.
 */
#define CACHE_LINE 64
static inline void clflush_range(const void *p, size_t len)
{
	uintptr_t a = (uintptr_t)p & ~(uintptr_t)(CACHE_LINE - 1);

	for (; a < (uintptr_t)p + len; a += CACHE_LINE)
		__asm__ volatile("clflush (%0)" : : "r"(a) : "memory");
	__asm__ volatile("mfence" ::: "memory");
}

/* MSR access that survives a #GP (entry.S): 0 or -EFAULT. */
int rdmsr_safe(u32 msr, u64 *val);
int wrmsr_safe(u32 msr, u64 val);
/* XSETBV that survives a #GP: 0 or -EFAULT. */
int xsetbv_safe(u32 xcr, u64 val);

/* ---- CPU tables (gdt.c, idt.c, traps.c) ---- */
void arch_cpu_tables_init(void);
/* arch_halt_forever() and arch_dump_backtrace() are core/arch_hooks.h. */
/*
 * Who takes an NMI that arrives while Keel runs (root mode). Without a
 * hook the NMI is logged, at most a few times, and ignored. The hook runs
 * in NMI context: it may only note the NMI.
 */
void arch_set_nmi_hook(void (*hook)(void));
/*
 * Unblock NMIs with an IRET to the next instruction: a VM exit caused by
 * an NMI leaves NMIs blocked until the next IRET, as delivery would.
 */
void arch_nmi_unblock(void);
/* The address of the top of the boot CPU's stack (host stack for VMX). */
extern u8 boot_stack_top[];
/* Base of Keel's TSS (host TR base for VMX). */
u64 arch_tss_base(void);

struct desc_table_reg {
	u16 limit;
	u64 base;
} __packed;

static inline void store_gdt(struct desc_table_reg *r)
{
	__asm__ volatile("sgdt %0" : "=m"(*r));
}

static inline void store_idt(struct desc_table_reg *r)
{
	__asm__ volatile("sidt %0" : "=m"(*r));
}

/* ---- Paging (paging.c): identity map of all RAM and MMIO ---- */
struct boot_info;
void paging_init(const struct boot_info *bi);
/* Unmap physical page 0 once nothing reads the BIOS data area any more. */
void paging_unmap_page0(void);
/* The guard pages under the IST stacks (gdt.c); returns how many. */
unsigned int arch_ist_guards(u64 *guards, unsigned int max);
/*
 * Map [phys, phys+size) uncached (UC) in Keel's identity map and return its
 * address. Idempotent; safe to call for any MMIO region, including 64-bit
 * BARs above 4 GiB. NULL if page tables cannot be allocated, or (said on
 * the console) for a range in RAM Keel maps or beyond the address width.
 */
void *ioremap(phys_addr_t phys, u64 size);
/* paging_init() mapped everything below this (RAM write-back, the low
 * 4 GiB's holes uncached): phys_to_virt() works there. */
u64 paging_direct_top(void);

/* ---- The other CPUs (smp.c, smp_page.c, ap_park.S) ---- */
struct boot_info;
struct acpi_info;
/*
 * Start every other enabled CPU of the MADT into VMX root operation, halted
 * for good, so the guest's INIT and start-up IPIs do not reach them.
 */
void smp_park_cpus(const struct boot_info *bi, const struct acpi_info *ai,
		   bool vmx);
/* park_cpus=off: count the other CPUs as not parked, and say so. */
void smp_leave_cpus(const struct acpi_info *ai, bool vmx);
/* Read where the BIOS's area begins, before page 0 is unmapped. */
void smp_note_bios_area(void);
/* Enabled CPUs not in VMX root although VT-x works: the guest may not run. */
unsigned int smp_unparked_cpus(void);
/* Before a reboot: parked CPUs leave VMX root, so INIT reaches them. */
void smp_release(void);
/* One line on the parked CPUs (the NMIs they took), if any. */
void smp_report(void);
/* A free page below 1 MiB and below @limit for their start, or 0 (pure). */
phys_addr_t smp_start_page(const struct boot_info *bi, u64 limit);

/* ---- Time (time.c) ---- */
/*
 * Calibrate the TSC: CPUID 15h when present, else against the ACPI PM timer
 * when @pm_tmr_port is non-zero, else PIT channel 2, else CPUID 16h.
 */
void time_init(u16 pm_tmr_port, bool pm_tmr_32bit);
const char *tsc_source(void);
u64 tsc_khz(void);
u64 lapic_khz(void); /* the LAPIC timer at divide-by-1; 0: unknown */
u64 time_us(void); /* microseconds since time_init() */
void udelay(u64 us);
void mdelay(u64 ms);

/* ---- Power (power.c) ---- */
/* What ACPI's FADT and \\_S5 say about power control; zero when absent. */
struct power_config {
	u32 pm1a_cnt, pm1b_cnt; /* I/O ports */
	bool have_s5;
	u8 slp_typa, slp_typb;
	bool have_reset;
	u8 reset_space; /* ACPI GAS address space: 0 memory, 1 I/O, 2 PCI */
	u64 reset_addr;
	u8 reset_value;
};
void power_configure(const struct power_config *pc);
/* Which test-exit device this machine has, if any ("qemu", "bochs", ""). */
const char *power_exit_device(void);
/* Ends the emulator with @status when a test exit device exists. */
void arch_poweroff(int status) __noreturn;
void arch_reboot(void) __noreturn;

#endif
