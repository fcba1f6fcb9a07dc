// SPDX-License-Identifier: MIT
/* The IDT: every vector has a stub; NMI, #DF and #MC switch to IST stacks. */
#include "arch/x86/arch.h"
#include "arch/x86/traps.h"

/* 64-bit interrupt gate, SDM Vol.3A 6.14.1 figure 6-8 */
struct idt_gate {
	u16 offset_low;
	u16 selector;
	u8 ist;
	u8 type_attr;
	u16 offset_mid;
	u32 offset_high;
	u32 reserved;
} __packed;

#define IDT_GATE_INTERRUPT 0x8e /* P=1, DPL=0, type 0xE */

extern const u64 isr_stub_table[256];
static struct idt_gate idt[256] __aligned(16);

static void set_gate(unsigned int vec, u64 handler, u8 ist)
{
	idt[vec].offset_low = handler & 0xffff;
	idt[vec].selector = GDT_KERNEL_CS;
	idt[vec].ist = ist;
	idt[vec].type_attr = IDT_GATE_INTERRUPT;
	idt[vec].offset_mid = (handler >> 16) & 0xffff;
	idt[vec].offset_high = handler >> 32;
	idt[vec].reserved = 0;
}

void idt_init(void)
{
	struct {
		u16 limit;
		u64 base;
	} __packed p = { sizeof(idt) - 1, (u64)idt };

	for (unsigned int v = 0; v < 256; v++)
		set_gate(v, isr_stub_table[v], 0);
	set_gate(X86_VEC_NMI, isr_stub_table[X86_VEC_NMI], IST_NMI);
	set_gate(X86_VEC_DF, isr_stub_table[X86_VEC_DF], IST_DF);
	set_gate(X86_VEC_MC, isr_stub_table[X86_VEC_MC], IST_MC);
	__asm__ volatile("lidt %0" : : "m"(p));
}

void arch_cpu_tables_init(void)
{
	gdt_init();
	idt_init();
}
