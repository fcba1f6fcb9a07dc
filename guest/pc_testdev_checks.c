// SPDX-License-Identifier: MIT
/*
 * The pc-testdev scenario: QEMU's pc-testdev (vm/guest_abi.h has its
 * map) used as kvm-unit-tests uses it: the data register at 0xE0, the
 * IORAM window at 0xFF000000 under several instruction forms, an IRQ line
 * (lib/x86/apic.c set_irq_line()) after programming the IOAPIC
 * redirection entry (82093AA datasheet 3.2.4), and "flush page" (x86/
 * eventinj.c) before touching the IDT, the stack, code and data. The same
 * guest runs under QEMU with -device pc-testdev, which shows the checks
 * ask what QEMU's device answers. When the data register reads all ones
 * the device is absent: the guest says so and reads the window, which
 * Keel answers by stopping it.
 */
#include "guest.h"

#define LAPIC_BASE 0xfee00000u
#define LAPIC_ID 0x20
#define LAPIC_ID_SHIFT 24
#define LAPIC_TPR 0x80
#define LAPIC_SVR 0xf0
#define LAPIC_SVR_ENABLE BIT(8)
#define VEC_SPURIOUS 0xff

/* IOAPIC indirect registers and redirection entries, 82093AA 3.1-3.2. */
#define IOAPIC_BASE 0xfec00000u
#define IOAPIC_REGSEL 0x00
#define IOAPIC_WIN 0x10
#define IOAPIC_REG_RTE_LO(pin) (0x10 + 2 * (pin))
#define IOAPIC_REG_RTE_HI(pin) (0x11 + 2 * (pin))
#define IOAPIC_RTE_MASKED BIT(16)
#define IOAPIC_RTE_DEST_SHIFT 24

/* The line used: the FPU's ISA IRQ, which nothing else drives here. */
#define PCTD_LINE 13
#define VEC_LINE_A 0x5a
#define VEC_LINE_B 0x5c
#define VEC_SOFT 0x5b
#define IORAM ((volatile u8 *)PCTD_IORAM_BASE)
#define PAGE 4096u

volatile u32 pctd_hits_a, pctd_hits_b, pctd_hits_soft;

void pctd_stub_a(void);
void pctd_stub_b(void);
void pctd_stub_soft(void);
void pctd_stub_spurious(void);

/* Interrupts end at the LAPIC; a software INT and the spurious vector
 * are not in service there (SDM Vol.3A 11.8.5, 11.9): no EOI. */
__asm__(".text\n"
	".globl pctd_stub_a\n"
	"pctd_stub_a:\n\t"
	"incl pctd_hits_a\n\t"
	"movl $0, 0xfee000b0\n\t"
	"iret\n"
	".globl pctd_stub_b\n"
	"pctd_stub_b:\n\t"
	"incl pctd_hits_b\n\t"
	"movl $0, 0xfee000b0\n\t"
	"iret\n"
	".globl pctd_stub_soft\n"
	"pctd_stub_soft:\n\t"
	"incl pctd_hits_soft\n\t"
	"iret\n"
	".globl pctd_stub_spurious\n"
	"pctd_stub_spurious:\n\t"
	"iret\n");

static u32 rd32(u32 a)
{
	return *(volatile u32 *)a;
}

static void wr32(u32 a, u32 v)
{
	*(volatile u32 *)a = v;
}

static void ioapic_wr(u32 reg, u32 v)
{
	wr32(IOAPIC_BASE + IOAPIC_REGSEL, reg);
	wr32(IOAPIC_BASE + IOAPIC_WIN, v);
}

static void set_irq_line(unsigned int line, u8 v)
{
	outb((u16)(PCTD_PORT_IRQ + line), v);
}

static void flush_phys(u32 addr)
{
	outl(PCTD_PORT_FLUSH, addr);
}

/* Let a pending interrupt in, for one instruction. */
static void irq_window(void)
{
	__asm__ volatile("sti; nop; cli" ::: "memory");
}

/*
 * QEMU refuses an access whose port is not a multiple of its size (its
 * memory core's default: no unaligned accesses): the read gives 0.
 */
static void check_data(void)
{
	u32 a, b, c, u;

	outl(PCTD_PORT_DATA, 0x12345678);
	a = inl(PCTD_PORT_DATA);
	report("pctd_data_dword", a == 0x12345678, "read 0x%x", a);
	outb(PCTD_PORT_DATA + 1, 0xcd);
	outb(PCTD_PORT_DATA + 2, 0xab);
	a = inl(PCTD_PORT_DATA);
	b = inw(PCTD_PORT_DATA + 2);
	report("pctd_data_bytes", a == 0x12abcd78 && b == 0x12ab,
	       "dword 0x%x, word at 0xe2 0x%x", a, b);
	outw(PCTD_PORT_DATA + 1, 0x5555);
	u = inw(PCTD_PORT_DATA + 1);
	a = inl(PCTD_PORT_DATA);
	report("pctd_data_unaligned_refused", u == 0 && a == 0x12abcd78,
	       "word at 0xe1 0x%x, dword 0x%x", u, a);
	outw(PCTD_PORT_DATA_BYTES, 0xbeef);
	a = inl(PCTD_PORT_DATA);
	c = inb(PCTD_PORT_DATA_BYTES + 3);
	report("pctd_data_byte_port", a == 0x12abbeef && c == 0x12,
	       "dword 0x%x, byte at 0xeb 0x%x", a, c);
}

static void check_ioram_mov(void)
{
	volatile u32 *w = (volatile u32 *)IORAM;
	u32 a;
	u8 b;

	w[0] = 0xdeadbeef;
	*(volatile u16 *)(IORAM + 6) = 0x1234;
	a = w[0];
	b = IORAM[1];
	report("pctd_ioram_mov",
	       a == 0xdeadbeef && b == 0xbe && w[1] == 0x12340000,
	       "dword 0x%x byte 0x%x next 0x%x", a, b, w[1]);
	w[PCTD_IORAM_LEN / 4 - 1] = 0xa5a5c3c3;
	a = w[PCTD_IORAM_LEN / 4 - 1];
	report("pctd_ioram_end", a == 0xa5a5c3c3, "last dword 0x%x", a);
}

static u32 src[64], back[64];

static void check_ioram_movs(void)
{
	u32 n = 64, d = PCTD_IORAM_BASE + 0x100, s = (u32)src;
	bool ok;

	for (u32 i = 0; i < 64; i++)
		src[i] = 0x01010101u * i ^ 0xc0ffee00u;
	__asm__ volatile("cld; rep movsl"
			 : "+c"(n), "+S"(s), "+D"(d)
			 :
			 : "memory");
	n = sizeof(back);
	s = PCTD_IORAM_BASE + 0x100;
	d = (u32)back;
	__asm__ volatile("rep movsb" : "+c"(n), "+S"(s), "+D"(d) : : "memory");
	ok = !memcmp(src, back, sizeof(back));
	report("pctd_ioram_movs", ok, "back[0]=0x%x back[63]=0x%x", back[0],
	       back[63]);
	n = 8;
	d = PCTD_IORAM_BASE + 0x300;
	__asm__ volatile("rep stosw"
			 : "+c"(n), "+D"(d)
			 : "a"(0x7e7e)
			 : "memory");
	report("pctd_ioram_stos",
	       rd32(PCTD_IORAM_BASE + 0x300) == 0x7e7e7e7e &&
		       rd32(PCTD_IORAM_BASE + 0x30c) == 0x7e7e7e7e &&
		       rd32(PCTD_IORAM_BASE + 0x310) == 0,
	       "0x%x 0x%x 0x%x", rd32(PCTD_IORAM_BASE + 0x300),
	       rd32(PCTD_IORAM_BASE + 0x30c), rd32(PCTD_IORAM_BASE + 0x310));
}

/*
 * kvm-unit-tests' string_io_mmio: REP INSB from the data register into
 * the window across a page boundary, where the hypervisor, not the CPU,
 * writes the memory; then OUTSB of four bytes from it to port 0xE8, each
 * landing in the register's byte 0.
 */
static void check_ioram_string_io(void)
{
	u32 n = 1024, d = PCTD_IORAM_BASE + 4032, s;
	u32 a;

	outl(PCTD_PORT_DATA, 0);
	outw(PCTD_PORT_DATA, 0x9999);
	__asm__ volatile("cld; rep insb"
			 : "+c"(n), "+D"(d)
			 : "d"(PCTD_PORT_DATA)
			 : "memory");
	wr32(PCTD_IORAM_BASE + 0x500, 0x44332211);
	n = 4;
	s = PCTD_IORAM_BASE + 0x500;
	__asm__ volatile("rep outsb"
			 : "+c"(n), "+S"(s)
			 : "d"(PCTD_PORT_DATA_BYTES)
			 : "memory");
	a = inl(PCTD_PORT_DATA);
	report("pctd_ioram_string_io",
	       IORAM[4032] == 0x99 && IORAM[4032 + 1023] == 0x99 &&
		       IORAM[4032 + 1024] == 0 && a == 0x9944,
	       "first 0x%x last 0x%x after 0x%x, data 0x%x", IORAM[4032],
	       IORAM[4032 + 1023], IORAM[4032 + 1024], a);
}

static void check_ioram_atomic(void)
{
	volatile u32 *m = (volatile u32 *)(PCTD_IORAM_BASE + 0x400);
	u32 x = 0x11112222, old, cur;
	u8 zf1, zf2, cf;

	*m = 0xabcd0001;
	__asm__ volatile("xchgl %0, %1" : "+r"(x), "+m"(*m));
	report("pctd_ioram_xchg", x == 0xabcd0001 && *m == 0x11112222,
	       "reg 0x%x mem 0x%x", x, *m);
	old = 0x11112222;
	__asm__ volatile("lock cmpxchgl %3, %1; setz %2"
			 : "+a"(old), "+m"(*m), "=q"(zf1)
			 : "r"(0x33334444u));
	cur = 0x99999999;
	__asm__ volatile("lock cmpxchgl %3, %1; setz %2"
			 : "+a"(cur), "+m"(*m), "=q"(zf2)
			 : "r"(0x55556666u));
	report("pctd_ioram_cmpxchg",
	       zf1 && !zf2 && cur == 0x33334444 && *m == 0x33334444,
	       "zf %u,%u eax 0x%x mem 0x%x", zf1, zf2, cur, *m);
	*m = 0x10;
	__asm__ volatile("addl $5, %0; orb $0x80, %0; btsl $31, %0; setc %1"
			 : "+m"(*m), "=q"(cf));
	report("pctd_ioram_rmw", *m == 0x80000095 && !cf, "mem 0x%x cf %u", *m,
	       cf);
}

static u32 lapic_setup(void)
{
	idt_set_gate(VEC_SPURIOUS, pctd_stub_spurious);
	wr32(LAPIC_BASE + LAPIC_SVR, LAPIC_SVR_ENABLE | VEC_SPURIOUS);
	wr32(LAPIC_BASE + LAPIC_TPR, 0);
	return rd32(LAPIC_BASE + LAPIC_ID) >> LAPIC_ID_SHIFT;
}

/* Fixed delivery, physical destination @apic, edge, active high. */
static void route_line(u32 apic, u32 vec, bool masked)
{
	ioapic_wr(IOAPIC_REG_RTE_HI(PCTD_LINE), apic << IOAPIC_RTE_DEST_SHIFT);
	ioapic_wr(IOAPIC_REG_RTE_LO(PCTD_LINE),
		  vec | (masked ? IOAPIC_RTE_MASKED : 0));
}

/*
 * Each check counts from its own start. An edge is a 0-to-1 change of
 * the line; QEMU's IOAPIC model delivers an edge-triggered pin again on
 * every write of 1, a real IOAPIC (and Keel) only on the change, so
 * pctd_irq_high_again_no_edge fails under QEMU alone.
 */
static void check_irq(u32 apic)
{
	u32 a = pctd_hits_a, b;

	set_irq_line(PCTD_LINE, 0);
	route_line(apic, VEC_LINE_A, false);
	set_irq_line(PCTD_LINE, 1);
	irq_window();
	report("pctd_irq_edge", pctd_hits_a == a + 1,
	       "vector 0x%x taken %u times", VEC_LINE_A, pctd_hits_a - a);
	a = pctd_hits_a;
	set_irq_line(PCTD_LINE, 1);
	irq_window();
	report("pctd_irq_high_again_no_edge", pctd_hits_a == a,
	       "taken %u times", pctd_hits_a - a);
	a = pctd_hits_a;
	set_irq_line(PCTD_LINE, 0);
	set_irq_line(PCTD_LINE, 2); /* any non-zero byte is high */
	irq_window();
	report("pctd_irq_second_edge", pctd_hits_a == a + 1, "taken %u times",
	       pctd_hits_a - a);
	set_irq_line(PCTD_LINE, 0);
	route_line(apic, VEC_LINE_B, false);
	a = pctd_hits_a;
	b = pctd_hits_b;
	set_irq_line(PCTD_LINE, 1);
	irq_window();
	report("pctd_irq_reprogrammed_vector",
	       pctd_hits_b == b + 1 && pctd_hits_a == a,
	       "0x%x taken %u, 0x%x %u", VEC_LINE_B, pctd_hits_b - b,
	       VEC_LINE_A, pctd_hits_a - a);
	set_irq_line(PCTD_LINE, 0);
	route_line(apic, VEC_LINE_A, true);
	a = pctd_hits_a;
	set_irq_line(PCTD_LINE, 1);
	irq_window();
	report("pctd_irq_masked", pctd_hits_a == a,
	       "taken %u times while masked", pctd_hits_a - a);
	set_irq_line(PCTD_LINE, 0);
}

static __attribute__((noinline, aligned(4096))) u32 code_probe(u32 x)
{
	return x * 3 + 1;
}

static volatile u32 flush_data[1024] __attribute__((aligned(4096)));

static void check_flush(u32 apic)
{
	struct {
		u16 limit;
		u32 base;
	} __attribute__((packed)) idtr;
	volatile u32 on_stack = 0x5eed;
	u32 s = pctd_hits_soft, a, r, lapic_id;

	__asm__ volatile("sidt %0" : "=m"(idtr));
	flush_phys(idtr.base);
	flush_phys((u32)&on_stack);
	__asm__ volatile("int %0" : : "i"(VEC_SOFT) : "memory");
	report("pctd_flush_soft_int",
	       pctd_hits_soft == s + 1 && on_stack == 0x5eed,
	       "int 0x%x taken %u times", VEC_SOFT, pctd_hits_soft - s);

	route_line(apic, VEC_LINE_A, false);
	a = pctd_hits_a;
	flush_phys(idtr.base);
	set_irq_line(PCTD_LINE, 1);
	irq_window();
	set_irq_line(PCTD_LINE, 0);
	route_line(apic, VEC_LINE_A, true);
	report("pctd_flush_hw_irq", pctd_hits_a == a + 1, "taken %u times",
	       pctd_hits_a - a);

	flush_data[7] = 0x600dcafe;
	flush_phys((u32)&flush_data[7]);
	r = flush_data[7];
	flush_phys((u32)flush_data);
	flush_data[8] = 0x1234;
	report("pctd_flush_data", r == 0x600dcafe && flush_data[8] == 0x1234,
	       "read 0x%x, 0x%x", r, flush_data[8]);

	flush_phys((u32)code_probe);
	r = code_probe(5);
	report("pctd_flush_code", r == 16, "code_probe(5) = %u", r);

	/* Not RAM: ignored, and everything is where it was. */
	lapic_id = rd32(LAPIC_BASE + LAPIC_ID);
	wr32(PCTD_IORAM_BASE + 0x800, 0x0b0e0b0e);
	flush_phys(LAPIC_BASE);
	flush_phys(PCTD_IORAM_BASE + 0x800);
	flush_phys(0xfffff000u);
	report("pctd_flush_not_ram",
	       rd32(LAPIC_BASE + LAPIC_ID) == lapic_id &&
		       rd32(PCTD_IORAM_BASE + 0x800) == 0x0b0e0b0e,
	       "LAPIC ID 0x%x, IORAM 0x%x", rd32(LAPIC_BASE + LAPIC_ID),
	       rd32(PCTD_IORAM_BASE + 0x800));
}

/*
 * kvm-unit-tests eventinj's NMI-IRET case: inside an NMI handler, with a
 * second NMI to self pending (blocked by the first), IRET from a frame on
 * a freshly flushed stack page. The IRET's read of the frame exits; it
 * had already dropped NMI blocking, which must hold again when it runs
 * again, so the second NMI arrives after the IRET, at its target, not at
 * the IRET itself (SDM Vol.3C 28.2.3).
 */
#define LAPIC_ICR_LO 0x300
#define LAPIC_ICR_HI 0x310
#define ICR_DM_NMI (4u << 8)
#define ICR_ASSERT BIT(14)
#define ICR_BUSY BIT(12)
#define VEC_NMI 2

volatile u32 pctd_nmi_outer, pctd_nmi_inner, pctd_nmi_inner_eip;
static u8 iret_stack[4096] __attribute__((aligned(4096)));
static u32 nmi_apic;

void pctd_nmi_stub(void);
void pctd_nmi_first(void);
void pctd_do_iret(u32 stack_top);
extern char pctd_iret_target[];

__asm__(".text\n"
	".globl pctd_nmi_stub\n"
	"pctd_nmi_stub:\n\t"
	"cmpl $0, pctd_nmi_outer\n\t"
	"jne 1f\n\t"
	"incl pctd_nmi_outer\n\t"
	"pushal\n\t"
	"cld\n\t"
	"call pctd_nmi_first\n\t"
	"popal\n\t"
	"iret\n"
	"1:\n\t"
	"pushl %eax\n\t"
	"movl 4(%esp), %eax\n\t"
	"movl %eax, pctd_nmi_inner_eip\n\t"
	"incl pctd_nmi_inner\n\t"
	"popl %eax\n\t"
	"iret\n"
	/* pctd_do_iret(top): an IRET frame on the stack at top, its page
	 * flushed, then IRET to pctd_iret_target on that stack. */
	".globl pctd_do_iret\n"
	"pctd_do_iret:\n\t"
	"movl 4(%esp), %edx\n\t"
	"xchgl %edx, %esp\n\t"
	"pushfl\n\t"
	"pushl %cs\n\t"
	"pushl $pctd_iret_target\n\t"
	"movl %esp, %eax\n\t"
	"outl %eax, $0xe4\n\t"
	"iret\n"
	".globl pctd_iret_target\n"
	"pctd_iret_target:\n\t"
	"xchgl %edx, %esp\n\t"
	"ret\n");

void pctd_nmi_first(void)
{
	wr32(LAPIC_BASE + LAPIC_ICR_HI, nmi_apic << LAPIC_ID_SHIFT);
	wr32(LAPIC_BASE + LAPIC_ICR_LO, ICR_DM_NMI | ICR_ASSERT);
	for (int i = 0;
	     i < 1000 && (rd32(LAPIC_BASE + LAPIC_ICR_LO) & ICR_BUSY); i++)
		;
	pctd_do_iret((u32)iret_stack + sizeof(iret_stack));
}

/*
 * eventinj's "NMI that will fault on IDT": the NMI's delivery takes an EPT
 * violation on the flushed IDT page; Keel maps it back and delivers the
 * NMI again, which VM entry allows only with NMI blocking cleared. Bochs
 * saves the blocking bit clear at that exit, so there the check passes
 * with or without Keel's clearing (vmx/exit.c): it guards the path, not
 * that fix.
 */
volatile u32 pctd_nmi_plain;
void pctd_nmi_count(void);

__asm__(".text\n"
	".globl pctd_nmi_count\n"
	"pctd_nmi_count:\n\t"
	"incl pctd_nmi_plain\n\t"
	"iret\n");

static void check_flush_idt_nmi(u32 apic)
{
	struct {
		u16 limit;
		u32 base;
	} __attribute__((packed)) idtr;
	u32 n = pctd_nmi_plain;

	idt_set_gate(VEC_NMI, pctd_nmi_count);
	__asm__ volatile("sidt %0" : "=m"(idtr));
	flush_phys(idtr.base);
	wr32(LAPIC_BASE + LAPIC_ICR_HI, apic << LAPIC_ID_SHIFT);
	wr32(LAPIC_BASE + LAPIC_ICR_LO, ICR_DM_NMI | ICR_ASSERT);
	for (int i = 0; i < 100000 && pctd_nmi_plain == n; i++)
		__asm__ volatile("pause");
	report("pctd_flush_idt_nmi", pctd_nmi_plain == n + 1,
	       "NMI through a flushed IDT taken %u times", pctd_nmi_plain - n);
}

static void check_flush_nmi_iret(u32 apic)
{
	nmi_apic = apic;
	idt_set_gate(VEC_NMI, pctd_nmi_stub);
	wr32(LAPIC_BASE + LAPIC_ICR_HI, apic << LAPIC_ID_SHIFT);
	wr32(LAPIC_BASE + LAPIC_ICR_LO, ICR_DM_NMI | ICR_ASSERT);
	for (int i = 0; i < 100000 && !pctd_nmi_inner; i++)
		__asm__ volatile("pause");
	report("pctd_flush_nmi_iret",
	       pctd_nmi_outer == 1 && pctd_nmi_inner == 1 &&
		       pctd_nmi_inner_eip == (u32)pctd_iret_target,
	       "NMIs %u then %u, the second at 0x%x (IRET target 0x%x)",
	       pctd_nmi_outer, pctd_nmi_inner, pctd_nmi_inner_eip,
	       (u32)pctd_iret_target);
}

void run_pc_testdev(const struct guest_env *env)
{
	u32 apic, probe;

	(void)env;
	outl(PCTD_PORT_DATA, 0);
	probe = inl(PCTD_PORT_DATA);
	if (probe == 0xffffffffu) {
		kprintf("keel-guest: pc-testdev absent: port 0xe0 reads 0x%x, port 0x%x reads 0x%x\n",
			probe, PCTD_PORT_IRQ + PCTD_LINE,
			inb(PCTD_PORT_IRQ + PCTD_LINE));
		kprintf("keel-guest: pc-testdev: IORAM reads 0x%x\n",
			rd32(PCTD_IORAM_BASE));
		report("pctd_present", false,
		       "the data register reads all ones");
		return;
	}
	check_data();
	check_ioram_mov();
	check_ioram_movs();
	check_ioram_string_io();
	check_ioram_atomic();
	idt_set_gate(VEC_LINE_A, pctd_stub_a);
	idt_set_gate(VEC_LINE_B, pctd_stub_b);
	idt_set_gate(VEC_SOFT, pctd_stub_soft);
	apic = lapic_setup();
	__asm__ volatile("cli" ::: "memory");
	check_irq(apic);
	check_flush(apic);
	check_flush_idt_nmi(apic);
	check_flush_nmi_iret(apic);
}
