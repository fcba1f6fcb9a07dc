// SPDX-License-Identifier: MIT
/*
 * String I/O under the guest's own paging: Keel performs the memory side
 * of INS/OUTS itself, so it must honour the page permissions and raise
 * #PF exactly as the CPU's own access would (SDM Vol.3A 4.6, 4.7, rev
 * 080), before touching the port.
 *
 * 32-bit paging with 4 MiB pages identity-maps everything, except the
 * 4 MiB at TEST_BASE, mapped by a page table: TEST_BASE read-write,
 * TEST_RO read-only, TEST_NP not present, TEST_USER a user page (the one
 * page with U/S set at both levels). CR0.WP is on.
 */
#include "guest.h"

#define TEST_BASE 0x00800000u
#define TEST_RO (TEST_BASE + 0x1000)
#define TEST_NP (TEST_BASE + 0x2000)
#define TEST_USER (TEST_BASE + 0x3000)
#define PTE_P BIT(0)
#define PTE_RW BIT(1)
#define PTE_US BIT(2)
#define PDE_PS BIT(7)
#define CR0_PG BIT(31)
#define CR0_WP BIT(16)
#define CR4_PSE BIT(4)
#define CR4_SMAP BIT(21)
#define CPUID7_EBX_SMAP BIT(20) /* SDM Vol.2A table 3-8 */
#define EFLAGS_DF BIT(10)
#define EFLAGS_AC BIT(18)
#define VEC_PF 14
#define PF_P BIT(0)
#define PF_W BIT(1)
#define FIFO_EMPTY 0xff

static u32 pd[1024] __attribute__((aligned(4096)));
static u32 pt[1024] __attribute__((aligned(4096)));

static void build_tables(void)
{
	for (u32 i = 0; i < 1024; i++)
		pd[i] = (i << 22) | PDE_PS | PTE_RW | PTE_P;
	pd[TEST_BASE >> 22] = (u32)pt | PTE_US | PTE_RW | PTE_P;
	for (u32 i = 0; i < 1024; i++)
		pt[i] = (TEST_BASE + (i << 12)) | PTE_RW | PTE_P;
	pt[(TEST_RO - TEST_BASE) >> 12] = TEST_RO | PTE_P;
	pt[(TEST_NP - TEST_BASE) >> 12] = 0;
	pt[(TEST_USER - TEST_BASE) >> 12] = TEST_USER | PTE_US | PTE_RW | PTE_P;
}

/* Set or clear RFLAGS bits @bits (AC, DF) through POPF. */
static void eflags_set(u32 bits, bool on)
{
	u32 f;

	__asm__ volatile("pushfl; popl %0" : "=r"(f));
	f = on ? f | bits : f & ~bits;
	__asm__ volatile("pushl %0; popfl" : : "r"(f) : "memory", "cc");
}

static u32 read_cr2(void)
{
	u32 v;

	__asm__ volatile("movl %%cr2, %0" : "=r"(v));
	return v;
}

static void paging(bool on, u32 cr0, u32 cr4)
{
	if (on) {
		__asm__ volatile("movl %0, %%cr3" : : "r"(pd) : "memory");
		__asm__ volatile("movl %0, %%cr4" : : "r"(cr4 | CR4_PSE));
		__asm__ volatile("movl %0, %%cr0"
				 :
				 : "r"(cr0 | CR0_PG | CR0_WP)
				 : "memory");
	} else {
		__asm__ volatile("movl %0, %%cr0" : : "r"(cr0) : "memory");
		__asm__ volatile("movl %0, %%cr4" : : "r"(cr4));
	}
}

/* REP INSB/OUTSB of @n bytes with a fault catch; returns the vector. */
static u32 try_rep_insb(u32 dst, u32 n)
{
	fault_arm();
	__asm__ volatile("movl $1f, %[res]\n\trep insb\n1:"
			 : "+D"(dst), "+c"(n), [res] "=m"(fault.resume)
			 : "d"(TESTDEV_PORT_FIFO)
			 : "memory");
	return fault_disarm();
}

static u32 try_rep_outsb(u32 src, u32 n)
{
	fault_arm();
	__asm__ volatile("movl $1f, %[res]\n\trep outsb\n1:"
			 : "+S"(src), "+c"(n), [res] "=m"(fault.resume)
			 : "d"(TESTDEV_PORT_FIFO)
			 : "memory");
	return fault_disarm();
}

static void fill_fifo(const u8 *b, u32 n)
{
	for (u32 i = 0; i < n; i++)
		outb(TESTDEV_PORT_FIFO, b[i]);
}

/* The port FIFO holds @b: the failed INS did not consume it. */
static bool fifo_holds(const u8 *b, u32 n)
{
	bool ok = true;

	for (u32 i = 0; i < n; i++)
		ok &= inb(TESTDEV_PORT_FIFO) == b[i];
	return ok && inb(TESTDEV_PORT_FIFO) == FIFO_EMPTY;
}

/*
 * SMAP (SDM Vol.3A 4.6.1): with CR4.SMAP, INS and OUTS at CPL 0 on a user
 * page take #PF (P, plus W for INS) while RFLAGS.AC is 0, before the
 * port is touched; with AC set they work.
 */
static void check_smap(u32 cr0, u32 cr4)
{
	static const u8 bytes[4] = { 0x55, 0x66, 0x77, 0x88 };
	volatile u8 *user = (volatile u8 *)TEST_USER;
	u32 fi, fo, fa, ei, eo, ci, co;
	bool kept_in, kept_out, ok;

	if (!(cpuid(7, 0).ebx & CPUID7_EBX_SMAP)) {
		report_skip("io_ins_smap_pf", "CPU without SMAP");
		report_skip("io_outs_smap_pf", "CPU without SMAP");
		report_skip("io_ins_smap_ac", "CPU without SMAP");
		return;
	}
	user[0] = 0;
	eflags_set(EFLAGS_AC, false);
	paging(true, cr0, cr4 | CR4_SMAP);
	fill_fifo(bytes, 4);
	fi = try_rep_insb(TEST_USER, 4);
	ei = fault.error;
	ci = read_cr2();
	kept_in = fifo_holds(bytes, 4);
	fo = try_rep_outsb(TEST_USER, 4);
	eo = fault.error;
	co = read_cr2();
	kept_out = inb(TESTDEV_PORT_FIFO) == FIFO_EMPTY;
	eflags_set(EFLAGS_AC, true);
	fill_fifo(bytes, 4);
	fa = try_rep_insb(TEST_USER, 4);
	ok = user[0] == 0x55 && user[3] == 0x88;
	eflags_set(EFLAGS_AC, false);
	paging(false, cr0, cr4);
	report("io_ins_smap_pf",
	       fi == VEC_PF && ei == (PF_P | PF_W) && ci == TEST_USER &&
		       kept_in,
	       "vector=%u error=0x%x cr2=0x%x port_data_kept=%u", fi, ei, ci,
	       kept_in);
	report("io_outs_smap_pf",
	       fo == VEC_PF && eo == PF_P && co == TEST_USER && kept_out,
	       "vector=%u error=0x%x cr2=0x%x port_untouched=%u", fo, eo, co,
	       kept_out);
	report("io_ins_smap_ac", fa == NO_FAULT && ok,
	       "fault=0x%x data=0x%x,0x%x", fa, user[0], user[3]);
}

/* RFLAGS.DF: REP INSB stores downwards from RDI, which ends one below. */
static void check_backwards(u32 cr0, u32 cr4)
{
	static const u8 bytes[4] = { 0xa1, 0xa2, 0xa3, 0xa4 };
	volatile u8 *rw = (volatile u8 *)TEST_BASE;
	u32 dst = TEST_BASE + 0x13, n = 4, f;

	paging(true, cr0, cr4);
	fill_fifo(bytes, 4);
	eflags_set(EFLAGS_DF, true);
	fault_arm();
	__asm__ volatile("movl $1f, %[res]\n\trep insb\n1:"
			 : "+D"(dst), "+c"(n), [res] "=m"(fault.resume)
			 : "d"(TESTDEV_PORT_FIFO)
			 : "memory");
	f = fault_disarm();
	eflags_set(EFLAGS_DF, false);
	paging(false, cr0, cr4);
	report("io_ins_backwards",
	       f == NO_FAULT && n == 0 && dst == TEST_BASE + 0xf &&
		       rw[0x13] == 0xa1 && rw[0x10] == 0xa4,
	       "fault=0x%x rdi=0x%x rcx=%u bytes 0x%x..0x%x", f, dst, n,
	       rw[0x13], rw[0x10]);
}

struct gdt_ptr {
	u16 limit;
	u32 base;
} __attribute__((packed));

/* 0x20: data RW, base 0, limit 0x800 pages with G: ES ends at
 * TEST_BASE + 0xfff (SDM Vol.3A 3.4.5). */
#define SEL_LIMITED 0x20
#define DESC_LIMITED 0x00c0930000000800ULL
#define SEL_FLAT_DATA 0x10
#define LIMIT_END (TEST_BASE + 0x1000)

/*
 * A REP INSB that runs past ES's limit: the CPU checks only the first
 * element before the exit (SDM Vol.3C 25.1.1), Keel each further one.
 * The third of four bytes is #GP(0) with RCX and RDI at that element,
 * the two bytes before it stored, the rest left in the port.
 */
static void check_segment_limit(void)
{
	static const u8 bytes[4] = { 0xc1, 0xc2, 0xc3, 0xc4 };
	static u64 gdt[5] __attribute__((aligned(8)));
	struct gdt_ptr old, d = { sizeof(gdt) - 1, (u32)gdt };
	volatile u8 *p = (volatile u8 *)(LIMIT_END - 2);
	u32 dst = LIMIT_END - 2, n = 4, f, err;
	bool kept;

	__asm__ volatile("sgdt %0" : "=m"(old));
	memcpy(gdt, (const void *)old.base, 4 * sizeof(u64));
	gdt[4] = DESC_LIMITED;
	p[0] = p[1] = 0;
	fill_fifo(bytes, 4);
	__asm__ volatile("lgdt %0" : : "m"(d) : "memory");
	fault_arm();
	__asm__ volatile("movw %w[lim], %%es\n\t"
			 "movl $1f, %[res]\n\t"
			 "rep insb\n"
			 "1:\tmovw %w[flat], %%es"
			 : "+D"(dst), "+c"(n), [res] "=m"(fault.resume)
			 : "d"(TESTDEV_PORT_FIFO), [lim] "r"(SEL_LIMITED),
			   [flat] "r"(SEL_FLAT_DATA)
			 : "memory");
	f = fault_disarm();
	err = fault.error;
	__asm__ volatile("lgdt %0" : : "m"(old) : "memory");
	kept = fifo_holds(bytes + 2, 2);
	report("io_ins_segment_limit_gp",
	       f == VEC_GP && err == 0 && n == 2 && dst == LIMIT_END &&
		       p[0] == 0xc1 && p[1] == 0xc2 && kept,
	       "vector=%u error=0x%x rcx=%u rdi=0x%x bytes 0x%x,0x%x "
	       "rest_kept=%u",
	       f, err, n, dst, p[0], p[1], kept);
}

void string_io_paging_tests(void)
{
	static const u8 bytes[4] = { 0x11, 0x22, 0x33, 0x44 };
	volatile u8 *rw = (volatile u8 *)TEST_BASE;
	volatile u8 *ro = (volatile u8 *)TEST_RO;
	u32 cr0 = read_cr0(), cr4 = read_cr4(), f0, f, err, cr2;
	u8 before;
	bool kept, ok;

	build_tables();
	/*
	 * Empty the port FIFO, bounded by its size: without Keel nothing
	 * answers the port and a read may return 0 forever (QEMU q35).
	 */
	for (u32 i = 0; i < TESTDEV_FIFO_SIZE; i++)
		if (inb(TESTDEV_PORT_FIFO) == FIFO_EMPTY)
			break;
	paging(true, cr0, cr4);

	/* A writable page: INS works under paging. */
	fill_fifo(bytes, 4);
	f0 = try_rep_insb(TEST_BASE, 4);
	ok = f0 == NO_FAULT && rw[0] == 0x11 && rw[3] == 0x44;

	/* Read-only with CR0.WP: #PF(P|W), CR2 = the address, port data kept. */
	before = ro[0];
	fill_fifo(bytes, 4);
	f = try_rep_insb(TEST_RO, 4);
	err = fault.error;
	cr2 = read_cr2();
	kept = fifo_holds(bytes, 4) && ro[0] == before;
	paging(false, cr0, cr4);
	report("io_ins_paged", ok, "fault=0x%x data=0x%x,0x%x", f0, rw[0],
	       rw[3]);
	report("io_ins_readonly_page_pf",
	       f == VEC_PF && err == (PF_P | PF_W) && cr2 == TEST_RO && kept,
	       "vector=%u error=0x%x cr2=0x%x port_data_kept=%u", f, err, cr2,
	       kept);

	/* Not present: OUTS takes #PF(0) and writes nothing to the port. */
	paging(true, cr0, cr4);
	f = try_rep_outsb(TEST_NP, 4);
	err = fault.error;
	cr2 = read_cr2();
	paging(false, cr0, cr4);
	kept = inb(TESTDEV_PORT_FIFO) == FIFO_EMPTY;
	report("io_outs_unmapped_page_pf",
	       f == VEC_PF && err == 0 && cr2 == TEST_NP && kept,
	       "vector=%u error=0x%x cr2=0x%x port_untouched=%u", f, err, cr2,
	       kept);
	check_smap(cr0, cr4);
	check_backwards(cr0, cr4);
	check_segment_limit();
}

/*
 * scenario=mmio-straddle: TEST_BASE + 0x4000 maps the test device's page
 * right after a RAM page, and a 4-byte store at TEST_BASE + 0x3ffe writes
 * two bytes to each. The device's part exits with the device page's first
 * byte; emulating the store there would give the device the wrong bytes
 * and lose the RAM half, so Keel stops us instead (vmx/mmio.c).
 */
#define STRADDLE_DEV (TEST_BASE + 0x4000)
#define PTE_PCD BIT(4)

void run_mmio_straddle(void)
{
	volatile u32 *p = (volatile u32 *)(STRADDLE_DEV - 2);
	u32 cr0 = read_cr0(), cr4 = read_cr4();

	build_tables();
	pt[(STRADDLE_DEV - TEST_BASE) >> 12] = TESTDEV_MMIO_BASE | PTE_PCD |
					       PTE_RW | PTE_P;
	kprintf("keel-guest: 4-byte store at 0x%x, 2 bytes into the test device\n",
		(u32)p);
	paging(true, cr0, cr4);
	*p = 0x11223344;
	paging(false, cr0, cr4);
	report("mmio_straddle_stopped", false,
	       "the store returned; Keel should have stopped the guest");
}
