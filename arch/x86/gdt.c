// SPDX-License-Identifier: MIT
/*
 * Keel's GDT and TSS. The TSS matters for two reasons: NMI, #DF and #MC run
 * on IST stacks so a corrupt RSP still gets a dump, and VMX requires a
 * non-null host TR selector (SDM Vol.3C 27.2.3).
 */
#include "core/lib.h"
#include "arch/x86/arch.h"
#include "arch/x86/traps.h"

#define IST_STACK_SIZE 8192

/* 64-bit TSS, SDM Vol.3A 8.7 figure 8-11 */
struct tss64 {
	u32 reserved0;
	u64 rsp[3];
	u64 reserved1;
	u64 ist[7];
	u64 reserved2;
	u16 reserved3;
	u16 iomap_base;
} __packed;

_Static_assert(sizeof(struct tss64) == 104, "TSS layout");

/* Segment descriptor bits, SDM Vol.3A 3.4.5 */
#define DESC_TYPE_CODE_RX (0xaULL << 40)
#define DESC_TYPE_DATA_RW (0x2ULL << 40)
#define DESC_TYPE_TSS_AVAIL (0x9ULL << 40)
#define DESC_S BIT(44)
#define DESC_P BIT(47)
#define DESC_L BIT(53)
#define DESC_DB BIT(54)
#define DESC_G BIT(55)
#define DESC_LIMIT_LOW 0xffffULL
#define DESC_LIMIT_HIGH (0xfULL << 48)

static struct tss64 tss __aligned(16);
/* Each IST stack sits above a guard page that paging.c leaves unmapped. */
struct ist_stack {
	u8 guard[PAGE_SIZE];
	u8 stack[IST_STACK_SIZE];
};
static struct ist_stack ist_stacks[3] __aligned(PAGE_SIZE);
static u64 gdt[5] __aligned(16);

struct desc_ptr {
	u16 limit;
	u64 base;
} __packed;

static void tss_descriptor(u64 *d, u64 base, u32 limit)
{
	d[0] = (limit & 0xffff) | ((base & 0xffffff) << 16) |
	       DESC_TYPE_TSS_AVAIL | DESC_P |
	       ((u64)((limit >> 16) & 0xf) << 48) |
	       (((base >> 24) & 0xff) << 56);
	d[1] = base >> 32;
}

unsigned int arch_ist_guards(u64 *guards, unsigned int max)
{
	unsigned int n = MIN(max, (unsigned int)ARRAY_SIZE(ist_stacks));

	for (unsigned int i = 0; i < n; i++)
		guards[i] = (u64)ist_stacks[i].guard;
	return n;
}

void gdt_init(void)
{
	struct desc_ptr p;

	gdt[0] = 0;
	gdt[GDT_KERNEL_CS / 8] = DESC_LIMIT_LOW | DESC_LIMIT_HIGH |
				 DESC_TYPE_CODE_RX | DESC_S | DESC_P | DESC_L |
				 DESC_G;
	gdt[GDT_KERNEL_DS / 8] = DESC_LIMIT_LOW | DESC_LIMIT_HIGH |
				 DESC_TYPE_DATA_RW | DESC_S | DESC_P | DESC_DB |
				 DESC_G;
	tss.ist[IST_NMI - 1] = (u64)&ist_stacks[0].stack[IST_STACK_SIZE];
	tss.ist[IST_DF - 1] = (u64)&ist_stacks[1].stack[IST_STACK_SIZE];
	tss.ist[IST_MC - 1] = (u64)&ist_stacks[2].stack[IST_STACK_SIZE];
	/* No I/O permission bitmap: the base points past the limit. */
	tss.iomap_base = sizeof(tss);
	tss_descriptor(&gdt[GDT_TSS / 8], (u64)&tss, sizeof(tss) - 1);

	p.limit = sizeof(gdt) - 1;
	p.base = (u64)gdt;
	__asm__ volatile("lgdt %0\n\t"
			 "pushq %1\n\t"
			 "leaq 1f(%%rip), %%rax\n\t"
			 "pushq %%rax\n\t"
			 "lretq\n"
			 "1:\n\t"
			 "movl %2, %%eax\n\t"
			 "movl %%eax, %%ds\n\t"
			 "movl %%eax, %%es\n\t"
			 "movl %%eax, %%ss\n\t"
			 "xorl %%eax, %%eax\n\t"
			 "movl %%eax, %%fs\n\t"
			 "movl %%eax, %%gs\n\t"
			 "ltr %w3"
			 :
			 : "m"(p), "i"((u64)GDT_KERNEL_CS), "i"(GDT_KERNEL_DS),
			   "r"((u16)GDT_TSS)
			 : "rax", "memory");
}

u64 arch_tss_base(void)
{
	return (u64)&tss;
}
