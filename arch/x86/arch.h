/* SPDX-License-Identifier: MIT */
/*
 * x86-64 architecture services: instruction wrappers, CPU tables, paging,
 * time and power. The one public header of arch/x86.
 */
#ifndef KEEL_ARCH_X86_ARCH_H
#define KEEL_ARCH_X86_ARCH_H

#include "core/types.h"

/* ---- Control registers, SDM Vol.3A 2.5 ---- */
#define X86_CR0_PE BIT(0)
#define X86_CR0_MP BIT(1)
#define X86_CR0_EM BIT(2)
#define X86_CR0_TS BIT(3)
#define X86_CR0_ET BIT(4)
#define X86_CR0_NE BIT(5)
#define X86_CR0_WP BIT(16)
#define X86_CR0_AM BIT(18)
#define X86_CR0_NW BIT(29)
#define X86_CR0_CD BIT(30)
#define X86_CR0_PG BIT(31)

#define X86_CR4_VME BIT(0)
#define X86_CR4_PVI BIT(1)
#define X86_CR4_TSD BIT(2)
#define X86_CR4_DE BIT(3)
#define X86_CR4_PSE BIT(4)
#define X86_CR4_PAE BIT(5)
#define X86_CR4_MCE BIT(6)
#define X86_CR4_PGE BIT(7)
#define X86_CR4_PCE BIT(8)
#define X86_CR4_OSFXSR BIT(9)
#define X86_CR4_OSXMMEXCPT BIT(10)
#define X86_CR4_VMXE BIT(13)
#define X86_CR4_OSXSAVE BIT(18)

/* ---- MSRs, SDM Vol.4 ch. 2 ---- */
#define MSR_IA32_FEATURE_CONTROL 0x3a
#define FEATURE_CONTROL_LOCKED BIT(0)
#define FEATURE_CONTROL_VMX_IN_SMX BIT(1)
#define FEATURE_CONTROL_VMX_OUTSIDE_SMX BIT(2)
#define MSR_IA32_SYSENTER_CS 0x174
#define MSR_IA32_SYSENTER_ESP 0x175
#define MSR_IA32_SYSENTER_EIP 0x176
#define MSR_IA32_DEBUGCTL 0x1d9
#define MSR_IA32_PAT 0x277
#define MSR_EFER 0xc0000080
#define EFER_SCE BIT(0)
#define EFER_LME BIT(8)
#define EFER_LMA BIT(10)
#define EFER_NXE BIT(11)
#define MSR_FS_BASE 0xc0000100
#define MSR_GS_BASE 0xc0000101
#define MSR_KERNEL_GS_BASE 0xc0000102

/* ---- RFLAGS, SDM Vol.1 3.4.3 ---- */
#define X86_RFLAGS_CF BIT(0)
#define X86_RFLAGS_FIXED BIT(1)
#define X86_RFLAGS_ZF BIT(6)
#define X86_RFLAGS_IF BIT(9)
#define X86_RFLAGS_DF BIT(10)
#define X86_RFLAGS_NT BIT(14)
#define X86_RFLAGS_RF BIT(16)

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

/* MSR access that survives a #GP (entry.S): 0 or -EFAULT. */
int rdmsr_safe(u32 msr, u64 *val);
int wrmsr_safe(u32 msr, u64 val);
/* XSETBV that survives a #GP: 0 or -EFAULT. */
int xsetbv_safe(u32 xcr, u64 val);

/* ---- CPU tables (gdt.c, idt.c, traps.c) ---- */
void arch_cpu_tables_init(void);
void arch_halt_forever(void) __noreturn;
void arch_dump_backtrace(void *frame);
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
/*
 * Map [phys, phys+size) uncached (UC) in Keel's identity map and return its
 * address. Idempotent; safe to call for any MMIO region, including 64-bit
 * BARs above 4 GiB. NULL if page tables cannot be allocated.
 */
void *ioremap(phys_addr_t phys, u64 size);

/* ---- Time (time.c) ---- */
/*
 * Calibrate the TSC: CPUID 15h when present, else against the ACPI PM timer
 * when @pm_tmr_port is non-zero, else PIT channel 2, else CPUID 16h.
 */
void time_init(u16 pm_tmr_port, bool pm_tmr_32bit);
const char *tsc_source(void);
u64 tsc_khz(void);
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
