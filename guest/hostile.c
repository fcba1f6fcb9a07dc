// SPDX-License-Identifier: MIT
/*
 * Hostile scenarios: the guest attacks Keel's boundary (docs/vmx.md, "What
 * the guest may reach") and checks that it got the documented answer. The
 * system tests (tests/system/test_hostile.py) check the other half: Keel
 * is still running, the machine neither reset nor powered off, and Keel's
 * own lines are intact.
 */
#include "guest.h"
#include "checks.h"

/* ---- Unassigned ports read as absent ---- */

struct port_probe {
	u16 port;
	const char *what;
};

/*
 * Ports of devices the guest was not given: the PIIX IDE controller's
 * legacy channels (Keel hides or owns disk controllers; their legacy
 * ports are no BAR, so nothing assigns them), the ISA DMA controller, and
 * COM2. On a PC with nothing decoding a port, reads return all ones.
 */
static const struct port_probe absent_ports[] = {
	{ 0x1f7, "IDE primary status" },    { 0x1f0, "IDE primary data" },
	{ 0x3f6, "IDE primary altstatus" }, { 0x177, "IDE secondary status" },
	{ 0x08, "ISA DMA status" },	    { 0x2fd, "COM2 line status" },
};

static void check_absent_ports(void)
{
	u32 bad = 0;

	for (u32 i = 0; i < sizeof(absent_ports) / sizeof(absent_ports[0]);
	     i++) {
		u8 v = inb(absent_ports[i].port);

		if (v != 0xff) {
			kprintf("keel-guest: port 0x%x (%s) reads 0x%x\n",
				absent_ports[i].port, absent_ports[i].what, v);
			bad++;
		}
	}
	report("ports_unassigned_absent", !bad, "%u of %u ports answered", bad,
	       (u32)(sizeof(absent_ports) / sizeof(absent_ports[0])));
	/* Word and dword reads of an absent port are all ones too. */
	report("ports_absent_widths",
	       inw(0x1f0) == 0xffff && inl(0x1f0) == 0xffffffffu, "ok");
	/* Writes vanish: select the slave drive, then read status again. */
	outb(0x1f6, 0xb0);
	report("ports_absent_write_dropped", inb(0x1f7) == 0xff, "ok");
}

/* The PIT passes through: its counter moves. */
static void check_pit_passes(void)
{
	u16 a, b;

	outb(0x43, 0x00); /* latch channel 0 */
	a = inb(0x40);
	a |= (u16)inb(0x40) << 8;
	for (volatile u32 i = 0; i < 20000; i++)
		;
	outb(0x43, 0x00);
	b = inb(0x40);
	b |= (u16)inb(0x40) << 8;
	report("ports_pit_passes", a != b, "count 0x%x then 0x%x", a, b);
}

void run_hostile_ports(const struct guest_env *env __attribute__((unused)))
{
	check_absent_ports();
	check_pit_passes();
}

/* ---- Forged console lines ---- */

/*
 * Print lines that would read as Keel's, and terminal escapes, both on the
 * UART and through the print hypercall; then end with status 7, so the
 * test can tell Keel's real exit line from the forged one.
 */
void run_hostile_console(const struct guest_env *env __attribute__((unused)))
{
	static const char forged[] =
		"keel: guest exited with status 0 (hypercall)\n";
	struct hc_regs r = { .eax = KEEL_HC_PRINT,
			     .ebx = (u32)forged,
			     .ecx = sizeof(forged) - 1 };

	kputs("keel: guest exited with status 0\n");
	kputs("\r\nkeel: power off (status 0)\n");
	kputs("\x1b[2J\x1b[Hkeel: screen cleared\x07\n");
	vmcall(&r);
	kputs("no newline at the end, then Keel's line");
	guest_exit(7);
}

/* ---- NMIs ---- */

#define LAPIC_BASE 0xfee00000u
#define LAPIC_ICR_LO 0x300
#define LAPIC_ICR_HI 0x310
#define ICR_DELIVERY_NMI (4u << 8)
#define LAPIC_ID 0x20
#define IOAPIC_BASE 0xfec00000u
#define IOAPIC_IOREGSEL 0x00
#define IOAPIC_IOWIN 0x10
#define IOAPIC_REDTBL(pin) (0x10 + 2 * (pin))
#define IOAPIC_RTE_NMI (4u << 8)
#define IOAPIC_RTE_MASKED (1u << 16)
/* Bochs and PCs wire the PIT (ISA IRQ 0) to IOAPIC pin 2. */
#define PIT_IOAPIC_PIN 2
#define PIT_DIVISOR 132 /* 1193182 / 132: about 9 kHz of NMIs */
#define SELF_NMIS 20
#define FLOOD_CPUIDS 20000u
#define CAL_PERIODS 20

volatile u32 nmi_count;
void nmi_stub(void);
__asm__(".globl nmi_stub\n"
	"nmi_stub:\n\t"
	"lock incl nmi_count\n\t"
	"iret\n");

static void mmio_write(u32 addr, u32 v)
{
	*(volatile u32 *)addr = v;
}

static u32 mmio_read(u32 addr)
{
	return *(volatile u32 *)addr;
}

static void ioapic_write(u32 reg, u32 v)
{
	mmio_write(IOAPIC_BASE + IOAPIC_IOREGSEL, reg);
	mmio_write(IOAPIC_BASE + IOAPIC_IOWIN, v);
}

/*
 * NMIs to this CPU one at a time, by APIC ID: the "self" shorthand takes
 * only fixed delivery (SDM Vol.3A 11.6.1). Each must arrive exactly once.
 */
static void check_self_nmis(void)
{
	u32 lost = 0, id = mmio_read(LAPIC_BASE + LAPIC_ID) & 0xff000000u;

	nmi_count = 0;
	for (u32 i = 1; i <= SELF_NMIS; i++) {
		u32 spin = 0;

		mmio_write(LAPIC_BASE + LAPIC_ICR_HI, id);
		mmio_write(LAPIC_BASE + LAPIC_ICR_LO, ICR_DELIVERY_NMI);
		while (nmi_count < i && ++spin < 1000000)
			__asm__ volatile("pause");
		if (nmi_count < i)
			lost++;
	}
	for (volatile u32 i = 0; i < 100000; i++)
		;
	report("nmi_self_exactly_once", !lost && nmi_count == SELF_NMIS,
	       "sent %u, handled %u", SELF_NMIS, nmi_count);
}

static u16 pit_read(void)
{
	u16 v;

	outb(0x43, 0x00);
	v = inb(0x40);
	return v | (u16)inb(0x40) << 8;
}

/* TSC ticks per PIT period, polling the counter's wrap-arounds. */
static u32 pit_period_tsc(void)
{
	u16 last = pit_read(), now;
	u32 wraps = 0;
	u64 t0 = 0;

	while (wraps <= CAL_PERIODS) {
		now = pit_read();
		if (now > last) { /* reloaded: a new period began */
			if (!wraps)
				t0 = rdtsc();
			wraps++;
		}
		last = now;
	}
	return (u32)udiv64(rdtsc() - t0, CAL_PERIODS);
}

static void pit_start(u16 divisor)
{
	outb(0x43, 0x34); /* channel 0, lo/hi, mode 2 (rate generator) */
	outb(0x40, divisor & 0xff);
	outb(0x40, divisor >> 8);
}

/*
 * A flood of PIT-driven NMIs while the guest exits as fast as it can, so
 * many NMIs arrive while Keel is in root mode. Every NMI must reach the
 * guest, save ones merged while another was being delivered (as the CPU
 * merges them), and the guest must keep running.
 */
static void check_nmi_flood(void)
{
	u32 period, expected, got;
	u64 t0, t1;

	pit_start(PIT_DIVISOR);
	period = pit_period_tsc();
	nmi_count = 0;
	ioapic_write(IOAPIC_REDTBL(PIT_IOAPIC_PIN) + 1, 0); /* to APIC 0 */
	t0 = rdtsc();
	ioapic_write(IOAPIC_REDTBL(PIT_IOAPIC_PIN), 2 | IOAPIC_RTE_NMI);
	for (u32 i = 0; i < FLOOD_CPUIDS; i++)
		cpuid(0, 0);
	ioapic_write(IOAPIC_REDTBL(PIT_IOAPIC_PIN), IOAPIC_RTE_MASKED);
	t1 = rdtsc();
	got = nmi_count;
	expected = period ? (u32)udiv64(t1 - t0, period) : 0;
	kprintf("keel-guest: NMI flood: period %u TSC, expected about %u, handled %u\n",
		period, expected, got);
	report("nmi_flood_delivered",
	       expected > 100 && got * 100 >= expected * 95 &&
		       got <= expected + 2,
	       "expected %u handled %u", expected, got);
}

/*
 * Single-stepped CPUIDs under the same flood. Keel completes a CPUID and
 * makes its single-step #DB pending (DR6.BS, SDM Vol.3B 18.3.1.4); an NMI
 * taken while Keel ran then waits for that entry too. VM entry that
 * injects an NMI drops pending debug exceptions (SDM Vol.3C 27.7.3),
 * where the CPU delivers the trap first (it has the priority of "traps on
 * the previous instruction", Vol.3A 6.9): every CPUID must still trap
 * once, and every instruction stepped in all: 4 a round, and the PUSHF,
 * AND and POPF that end it.
 */
#define VEC_DB 1
#define STEP_CPUIDS 3000u

volatile u32 flood_steps, flood_cpuid_steps;
void flood_db_stub(void);
extern const u32 exc_stubs[32];
extern char flood_after_cpuid[];
__asm__(".globl flood_db_stub\n"
	"flood_db_stub:\n\t"
	"lock incl flood_steps\n\t"
	"cmpl $flood_after_cpuid, (%esp)\n\t" /* the EIP the trap pushed */
	"jne 1f\n\t"
	"lock incl flood_cpuid_steps\n"
	"1:\tiret\n");

static __attribute__((noinline)) void step_cpuids(u32 n)
{
	__asm__ volatile("pushfl\n\t"
			 "orl $0x100, (%%esp)\n\t" /* EFLAGS.TF */
			 "popfl\n"
			 "1:\txorl %%eax, %%eax\n\t"
			 "cpuid\n"
			 "flood_after_cpuid:\n\t"
			 "decl %%esi\n\t"
			 "jnz 1b\n\t"
			 "pushfl\n\t"
			 "andl $~0x100, (%%esp)\n\t"
			 "popfl\n\t"
			 : "+S"(n)
			 :
			 : "eax", "ebx", "ecx", "edx", "memory", "cc");
}

static void check_nmi_single_step(void)
{
	u32 nmis;

	idt_set_gate(VEC_DB, flood_db_stub);
	flood_steps = flood_cpuid_steps = 0;
	nmi_count = 0;
	ioapic_write(IOAPIC_REDTBL(PIT_IOAPIC_PIN), 2 | IOAPIC_RTE_NMI);
	step_cpuids(STEP_CPUIDS);
	ioapic_write(IOAPIC_REDTBL(PIT_IOAPIC_PIN), IOAPIC_RTE_MASKED);
	nmis = nmi_count;
	idt_set_gate(VEC_DB, (void (*)(void))exc_stubs[VEC_DB]);
	report("nmi_flood_single_step",
	       flood_cpuid_steps == STEP_CPUIDS &&
		       flood_steps == 4 * STEP_CPUIDS + 3 && nmis > 100,
	       "%u CPUIDs: %u trapped, %u traps in all (want %u), %u NMIs",
	       STEP_CPUIDS, flood_cpuid_steps, flood_steps, 4 * STEP_CPUIDS + 3,
	       nmis);
}

void run_hostile_nmi(const struct guest_env *env __attribute__((unused)))
{
	idt_set_gate(2, nmi_stub);
	check_self_nmis();
	check_nmi_flood();
	check_nmi_single_step();
}

/* ---- Reset and power paths: each must end only the guest ---- */

/* PIIX4's PM1a control block as Bochs's BIOS sets it (PM base 0xB000). */
#define BOCHS_PM1A_CNT 0xb004
#define PM1_SLP_TYP_S5 (0u << 10) /* Bochs's \_S5 is SLP_TYP 0 */
#define PM1_SLP_TYP_1 (1u << 10) /* not \_S5: what an S3 request writes */
#define PM1_SLP_EN (1u << 13)

#define MSR_LSTAR 0xc0000082
#define MSR_KERNEL_GS_BASE 0xc0000102
#define MSR_MISC_ENABLE 0x1a0
#define MISC_LIMIT_CPUID (1u << 22)
#define MSR_MC0_ADDR 0x402
#define MSR_MTRR_PHYSBASE0 0x200
#define CR4_OSFXSR (1u << 9)
#define CR4_OSXSAVE (1u << 18)
#define CPUID1_ECX_XSAVE (1u << 26)
#define XCR0_X87_SSE 3u

/*
 * State no VMCS field holds, which a reset must clear (vmx/cpu_reset.c):
 * say what this start found, then leave other values for the next start.
 */
static void reset_state_line(void)
{
	bool xsave = cpuid(1, 0).ecx & CPUID1_ECX_XSAVE;
	u64 lstar = 0, kgs = 0, xcr0 = 0;
	u32 dr0, xmm0, cr4 = read_cr4() | CR4_OSFXSR;

	if (xsave)
		cr4 |= CR4_OSXSAVE;
	try_write_cr4(cr4);
	try_rdmsr(MSR_LSTAR, &lstar);
	try_rdmsr(MSR_KERNEL_GS_BASE, &kgs);
	__asm__ volatile("mov %%db0, %0" : "=r"(dr0));
	__asm__ volatile("movd %%xmm0, %0" : "=r"(xmm0));
	if (xsave)
		xcr0 = xgetbv(0);
	kprintf("keel-guest: state at start: lstar %llx kernel_gs %llx dr0 %x xmm0 %x xcr0 %llx\n",
		(unsigned long long)lstar, (unsigned long long)kgs, dr0, xmm0,
		(unsigned long long)xcr0);
	try_wrmsr(MSR_LSTAR, 0xffffffff81000000ULL);
	try_wrmsr(MSR_KERNEL_GS_BASE, 0x12345000);
	__asm__ volatile("mov %0, %%db0" : : "r"(0x5678u));
	__asm__ volatile("movd %0, %%xmm0" : : "r"(0x9abcu));
	if (xsave)
		try_xsetbv(0, XCR0_X87_SSE);
}

/*
 * The guest's own MISC_ENABLE, MCA banks and MTRRs start again from the
 * hardware's values (vmx/msr.c): say them, then change each.
 */
static void reset_msr_line(void)
{
	u64 misc = 0, addr = 0, base = 0;

	try_rdmsr(MSR_MISC_ENABLE, &misc);
	try_rdmsr(MSR_MC0_ADDR, &addr);
	try_rdmsr(MSR_MTRR_PHYSBASE0, &base);
	kprintf("keel-guest: msrs at start: misc_enable %llx mc0_addr %llx mtrr_base0 %llx\n",
		(unsigned long long)misc, (unsigned long long)addr,
		(unsigned long long)base);
	try_wrmsr(MSR_MISC_ENABLE, misc | MISC_LIMIT_CPUID);
	try_wrmsr(MSR_MC0_ADDR, 0x1234000);
	try_wrmsr(MSR_MTRR_PHYSBASE0, (base ^ 0x1000000) & ~0xfffULL);
}

void run_hostile_reset(const struct guest_env *env, const char *how)
{
	(void)env;
	reset_state_line();
	reset_msr_line();
	kprintf("keel-guest: trying to %s the machine\n", how);
	if (!memcmp(how, "kbc", 4)) {
		outb(0x64, 0xfe);
	} else if (!memcmp(how, "port92", 7)) {
		outb(0x92, inb(0x92) | 1);
	} else if (!memcmp(how, "acpi-off", 9)) {
		outw(BOCHS_PM1A_CNT, PM1_SLP_TYP_S5 | PM1_SLP_EN);
	} else if (!memcmp(how, "acpi-s3", 8)) {
		outw(BOCHS_PM1A_CNT, PM1_SLP_TYP_1 | PM1_SLP_EN);
	} else if (!memcmp(how, "cf9-word", 9)) {
		outw(0xcf9, 0x0606);
	} else {
		report("hostile_reset", false, "unknown path '%s'", how);
		return;
	}
	report("hostile_reset_ignored", false, "%s: still running", how);
}

/* The debug-exit port takes 1-, 2- and 4-byte writes (iosize=4). */
void run_exit_width(const struct guest_env *env, const char *width)
{
	(void)env;
	if (width[0] == '2')
		outw(KEEL_DEBUG_EXIT_PORT, 0x1234);
	else if (width[0] == '4')
		outl(KEEL_DEBUG_EXIT_PORT, 0x21);
	else
		outb(KEEL_DEBUG_EXIT_PORT, 0x5a);
	report("exit_width", false, "still running after a %s-byte exit write",
	       width);
}
