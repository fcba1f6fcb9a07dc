/* SPDX-License-Identifier: MIT */
/*
 * Keel test guest: a freestanding 32-bit multiboot (v1) kernel that checks
 * every VM-exit handler of Keel and reports on COM1 under the serial
 * output contract ("TEST guest.<name> PASS|FAIL [detail]", then
 * "TESTS: N passed, M failed"). The ABI it checks is docs/hypercalls.md.
 */
#ifndef KEEL_GUEST_H
#define KEEL_GUEST_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef uint8_t u8;
typedef uint16_t u16;
typedef uint32_t u32;
typedef uint64_t u64;
typedef int32_t s32;

#define BIT(n) (1u << (n))

/* ---- Multiboot (v1) information, multiboot spec 0.6.96 section 3.3 ---- */
#define MB_BOOT_MAGIC 0x2BADB002
#define MB_INFO_MEM BIT(0)
#define MB_INFO_CMDLINE BIT(2)
#define MB_INFO_MODS BIT(3)
#define MB_INFO_MMAP BIT(6)

struct mb_info {
	u32 flags;
	u32 mem_lower, mem_upper; /* KiB below 1M, KiB above 1M */
	u32 boot_device;
	u32 cmdline;
	u32 mods_count, mods_addr;
	u32 syms[4];
	u32 mmap_length, mmap_addr;
} __attribute__((packed));

/* A module's entry in the mods_addr array (Multiboot 0.6.96 3.3). */
struct mb_module {
	u32 start, end; /* [start, end) in guest-physical memory */
	u32 string;
	u32 reserved;
} __attribute__((packed));

struct mb_mmap_entry {
	u32 size; /* of the rest of the entry */
	u64 addr, len;
	u32 type; /* 1 = available RAM */
} __attribute__((packed));

/* ---- Keel's interface, docs/hypercalls.md ---- */
#include "vm/guest_abi.h"

/* Absolute ports of the test device's registers. */
#define TESTDEV_PORT_ECHO (TESTDEV_PORT_BASE + TESTDEV_REG_ECHO)
#define TESTDEV_PORT_ID (TESTDEV_PORT_BASE + TESTDEV_REG_ID)
#define TESTDEV_PORT_FIFO (TESTDEV_PORT_BASE + TESTDEV_REG_FIFO)
#define TESTDEV_PORT_COUNT (TESTDEV_PORT_BASE + TESTDEV_REG_COUNT)

#define COM1 0x3f8

/* ---- CPU helpers ---- */
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

static inline u64 rdtsc(void)
{
	u32 lo, hi;

	__asm__ volatile("rdtsc" : "=a"(lo), "=d"(hi));
	return ((u64)hi << 32) | lo;
}

struct cpuid_regs {
	u32 eax, ebx, ecx, edx;
};

static inline struct cpuid_regs cpuid(u32 leaf, u32 sub)
{
	struct cpuid_regs r;

	__asm__ volatile("cpuid"
			 : "=a"(r.eax), "=b"(r.ebx), "=c"(r.ecx), "=d"(r.edx)
			 : "a"(leaf), "c"(sub));
	return r;
}

static inline u32 read_cr0(void)
{
	u32 v;

	__asm__ volatile("movl %%cr0, %0" : "=r"(v));
	return v;
}

static inline u32 read_cr4(void)
{
	u32 v;

	__asm__ volatile("movl %%cr4, %0" : "=r"(v));
	return v;
}

/* ---- Exceptions: a test arms a catch, the handler resumes after it ---- */
#define NO_FAULT 0xffffffffu
#define VEC_UD 6
#define VEC_GP 13

struct fault_state {
	volatile u32 armed;
	volatile u32 vector;
	volatile u32 error;
	volatile u32 resume; /* EIP to continue at after a caught fault */
	volatile u32 eflags; /* the EFLAGS image the fault pushed */
};
extern struct fault_state fault;

static inline void fault_arm(void)
{
	fault.vector = NO_FAULT;
	fault.armed = 1;
}

/* Returns the caught vector, or NO_FAULT. */
static inline u32 fault_disarm(void)
{
	fault.armed = 0;
	return fault.vector;
}

/* Layout pushed by boot.S exc_common (PUSHAD order, then vector, error). */
struct exc_frame {
	u32 edi, esi, ebp, esp, ebx, edx, ecx, eax;
	u32 vector, error;
	u32 eip, cs, eflags;
};

void idt_init(void);
void idt_set_gate(unsigned int vec, void (*handler)(void));
void idt_load_empty(void);
/* A task gate (SDM Vol.3A 6.11) to the TSS @sel at @vec. */
void idt_set_task_gate(unsigned int vec, u16 sel);
void pic_init(void);
extern volatile u32 pit_ticks;
extern volatile u32 test_irq_count;
void irq_test_stub(void);

/* ---- Console and reporting (lib.c) ---- */
void serial_init(void);
void serial_putc(char c);
void kputs(const char *s);
int kprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
int kvsnprintf(char *buf, size_t size, const char *fmt, va_list ap);
void *memset(void *d, int c, size_t n);
void *memcpy(void *d, const void *s, size_t n);
int memcmp(const void *a, const void *b, size_t n);
size_t strlen(const char *s);
bool cmdline_value(const char *cmdline, const char *key, char *out,
		   size_t outsz);

void report(const char *name, bool pass, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* report() for the checks of another suite ("TEST <suite>.<name> ..."). */
void report_va(const char *suite, const char *name, bool pass, const char *fmt,
	       va_list ap);
void report_skip(const char *name, const char *why);
void finish(void) __attribute__((noreturn));
void guest_exit(u32 status) __attribute__((noreturn));

/* ---- Hypercalls ---- */
struct hc_regs {
	u32 eax, ebx, ecx, edx, esi, edi;
};
/* Returns 0 when VMCALL ran, -1 when it raised #UD (no hypervisor). */
int vmcall(struct hc_regs *r);
bool keel_present(void);

/* ---- Scenarios (tests.c, bench.c) ---- */
struct guest_env {
	u32 magic;
	const struct mb_info *mbi;
	u32 ram_top; /* end of RAM above 1M, from mem_upper */
	const char *cmdline;
};

void run_all_tests(const struct guest_env *env);
void run_bench(const struct guest_env *env);
void run_oob(const struct guest_env *env, bool write);
void run_keel_mem(const struct guest_env *env);
u32 parse_hex(const char *s);
u32 keel_base(const struct guest_env *env);
void run_vmxon(const struct guest_env *env);
void run_triple_fault(const struct guest_env *env) __attribute__((noreturn));
void run_pci(const struct guest_env *env);
void run_reset(const struct guest_env *env);
void run_bar(const struct guest_env *env);
void run_hostile_ports(const struct guest_env *env);
void run_hostile_console(const struct guest_env *env) __attribute__((noreturn));
void run_hostile_nmi(const struct guest_env *env);
void run_hostile_cpus(const struct guest_env *env);
void run_hostile_reset(const struct guest_env *env, const char *how);
void run_exit_width(const struct guest_env *env, const char *width);
void run_bar_move(const struct guest_env *env, bool touch_old);
void run_console(const struct guest_env *env);
/* fw_cfg_checks.c: QEMU's fw_cfg read as kvm-unit-tests reads it. */
void run_fw_cfg(const struct guest_env *env);
/* pc_testdev_checks.c: QEMU's pc-testdev used as kvm-unit-tests uses it. */
void run_pc_testdev(const struct guest_env *env);
void run_pt_in_mmio(const struct guest_env *env);
/* virtio_checks.c: @standalone reports a missing device as a failure. */
void run_virtio(const struct guest_env *env, bool standalone);
void run_virtio_bench(const struct guest_env *env);

u32 lm_call(u32 pml4, u32 mmio, u64 *out);
u64 udiv64(u64 n, u32 d);
void mmio_tests(void);
void task_switch_tests(void);
void string_io_paging_tests(void);
void run_mmio_straddle(void);

#endif
