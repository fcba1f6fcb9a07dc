// SPDX-License-Identifier: MIT
/*
 * Interrupts Keel raises behave as the LAPIC's own (docs/vmx.md, "Device
 * interrupts"): they wait in the IRR, are in service (ISR) while their
 * handler runs, end with the guest's EOI, and wait behind the task and
 * processor priorities (SDM Vol.3A 11.8.3), whoever raised what is in
 * service. The LAPIC is the real one: its page passes through.
 */
#include <stdarg.h>
#include "checks.h"

/* xAPIC registers, SDM Vol.3A 11.4.1 table 11-1 */
#define LAPIC_BASE 0xfee00000u
#define LAPIC_TPR 0x80
#define LAPIC_EOI 0xb0
#define LAPIC_SVR 0xf0
#define LAPIC_ISR 0x100 /* 8 registers, 16 bytes apart */
#define LAPIC_IRR 0x200
#define LAPIC_ICR_LO 0x300
#define LAPIC_LVT_FIRST 0x320 /* timer, thermal, PMC, LINT0, LINT1, error */
#define LAPIC_LVT_LAST 0x370
#define SVR_ENABLE (1u << 8)
#define ICR_SELF (1u << 18) /* destination shorthand "self", SDM 11.6.1 */
#define ICR_ASSERT (1u << 14)

/* Three priority classes (vector >> 4), lowest first. */
#define V_LOW 0x58
#define V_MID 0x68
#define V_HIGH 0x78

void apic_stub_0x58(void);
void apic_stub_0x68(void);
void apic_stub_0x78(void);
void apic_irq(u32 vector);

static u32 lapic_rd(u32 reg)
{
	return *(volatile u32 *)(LAPIC_BASE + reg);
}

static void lapic_wr(u32 reg, u32 v)
{
	*(volatile u32 *)(LAPIC_BASE + reg) = v;
}

#define N_OF(a) (sizeof(a) / sizeof((a)[0]))

static int fmt(char *buf, size_t size, const char *f, ...)
{
	va_list ap;
	int n;

	va_start(ap, f);
	n = kvsnprintf(buf, size, f, ap);
	va_end(ap);
	return n;
}

static bool vec_bit(u32 base, u32 vector)
{
	return lapic_rd(base + 0x10 * (vector / 32)) & (1u << (vector % 32));
}

/* What each handler saw, in the order the handlers started. */
#define MAX_SEEN 8
static struct seen {
	u32 vector;
	bool isr_in, isr_after_eoi;
} seen[MAX_SEEN];
static volatile u32 n_seen;

/* Run inside the handler of hook_vector, before its EOI. */
static void (*volatile hook)(void);
static volatile u32 hook_vector;

void apic_irq(u32 vector)
{
	u32 i = n_seen++;
	void (*h)(void) = hook;
	struct seen s = { vector, vec_bit(LAPIC_ISR, vector), false };

	if (h && hook_vector == vector) {
		hook = NULL;
		h();
	}
	lapic_wr(LAPIC_EOI, 0);
	s.isr_after_eoi = vec_bit(LAPIC_ISR, vector);
	if (i < MAX_SEEN)
		seen[i] = s;
}

static int raise(u32 vector)
{
	struct hc_regs r = { .eax = KEEL_HC_RAISE_IRQ, .ebx = vector };

	return vmcall(&r) || r.eax ? -1 : 0;
}

/* Interrupts taken while IF was set for a moment. */
static u32 window(void)
{
	u32 n = n_seen;

	__asm__ volatile("sti; nop; nop; cli" ::: "memory");
	return n_seen - n;
}

static void reset_seen(void)
{
	n_seen = 0;
	memset(seen, 0, sizeof(seen));
}

/* "58/1/0 68/1/0": vector, ISR bit in the handler, ISR bit after EOI. */
static const char *seen_str(void)
{
	static char buf[80];
	unsigned int len = 0;

	buf[0] = 0;
	for (u32 i = 0; i < n_seen && i < MAX_SEEN && len < sizeof(buf); i++)
		len += (unsigned int)fmt(buf + len, sizeof(buf) - len,
					 "%x/%u/%u ", seen[i].vector,
					 seen[i].isr_in, seen[i].isr_after_eoi);
	return buf;
}

static bool seen_is(const u32 *want, u32 n)
{
	if (n_seen != n)
		return false;
	for (u32 i = 0; i < n; i++)
		if (seen[i].vector != want[i] || !seen[i].isr_in ||
		    seen[i].isr_after_eoi)
			return false;
	return true;
}

/*
 * Raised with IF=0 the vector waits in the IRR, not in service; once IF=1
 * its handler runs with the ISR bit set, and the EOI clears it.
 */
static void check_irr_isr_eoi(void)
{
	bool irr, isr_before;
	static const u32 want[] = { V_LOW };
	int rc;

	reset_seen();
	rc = raise(V_LOW);
	irr = vec_bit(LAPIC_IRR, V_LOW);
	isr_before = vec_bit(LAPIC_ISR, V_LOW);
	window();
	report("apic_irq_in_irr_while_if0", !rc && irr && !isr_before,
	       "rc=%d IRR=%u ISR=%u", rc, irr, isr_before);
	report("apic_irq_isr_set_then_eoi", seen_is(want, 1), "seen %s",
	       seen_str());
}

static u32 during;

/* In the handler of V_MID: V_LOW waits for our EOI, V_HIGH nests. */
static void hook_mid(void)
{
	raise(V_LOW);
	during = window();
	raise(V_HIGH);
	during += window() << 4;
}

static void check_keel_in_service(void)
{
	static const u32 want[] = { V_MID, V_HIGH, V_LOW };

	reset_seen();
	hook = hook_mid;
	hook_vector = V_MID;
	raise(V_MID);
	window();
	report("apic_irq_waits_for_keel_irq_in_service",
	       during == 0x10 && seen_is(want, 3),
	       "in handler: %u lower, %u higher; seen %s", during & 0xf,
	       during >> 4, seen_str());
}

/* In the handler of a real self-IPI (V_HIGH): Keel's V_MID waits. */
static void hook_high(void)
{
	raise(V_MID);
	during = window();
}

static void check_real_in_service(void)
{
	static const u32 want[] = { V_HIGH, V_MID };

	reset_seen();
	hook = hook_high;
	hook_vector = V_HIGH;
	lapic_wr(LAPIC_ICR_LO, ICR_SELF | ICR_ASSERT | V_HIGH);
	window();
	report("apic_irq_waits_for_real_irq_in_service",
	       during == 0 && seen_is(want, 2), "in handler: %u; seen %s",
	       during, seen_str());
}

/* The task priority holds back a lower class until it drops. */
static void check_tpr(void)
{
	static const u32 want[] = { V_HIGH, V_LOW };
	u32 held;

	reset_seen();
	lapic_wr(LAPIC_TPR, V_MID & 0xf0);
	raise(V_LOW);
	raise(V_HIGH);
	held = window();
	lapic_wr(LAPIC_TPR, 0);
	window();
	report("apic_irq_waits_for_tpr", held == 1 && seen_is(want, 2),
	       "with TPR 0x%x: %u; seen %s", V_MID & 0xf0, held, seen_str());
}

/* STI's shadow covers HLT: the IRR bit wakes the halted guest. */
static void check_hlt_wake(void)
{
	static const u32 want[] = { V_LOW };

	reset_seen();
	raise(V_LOW);
	__asm__ volatile("sti; hlt; cli" ::: "memory");
	report("apic_irq_wakes_hlt", seen_is(want, 1), "seen %s", seen_str());
}

/*
 * A software-disabled LAPIC accepts no fixed interrupt: Keel keeps the
 * vector and sends it once the guest enables the LAPIC again. Disabling
 * masks every LVT entry (SDM Vol.3A 11.4.7.2): they are put back.
 */
static void check_sw_disabled(void)
{
	static const u32 want[] = { V_LOW };
	u32 lvt[(LAPIC_LVT_LAST - LAPIC_LVT_FIRST) / 0x10 + 1];
	u32 svr = lapic_rd(LAPIC_SVR), held;
	struct hc_regs r = { .eax = KEEL_HC_INFO };

	for (u32 i = 0; i < N_OF(lvt); i++)
		lvt[i] = lapic_rd(LAPIC_LVT_FIRST + 0x10 * i);
	reset_seen();
	lapic_wr(LAPIC_SVR, svr & ~SVR_ENABLE);
	raise(V_LOW);
	held = window();
	lapic_wr(LAPIC_SVR, svr | SVR_ENABLE);
	for (u32 i = 0; i < N_OF(lvt); i++)
		lapic_wr(LAPIC_LVT_FIRST + 0x10 * i, lvt[i]);
	vmcall(&r); /* any exit: Keel tries again */
	window();
	report("apic_irq_waits_for_sw_enable", held == 0 && seen_is(want, 1),
	       "while disabled: %u; seen %s", held, seen_str());
}

/* Keel's interrupts need a software-enabled LAPIC (docs/vmx.md). */
void apic_sw_enable(void)
{
	lapic_wr(LAPIC_SVR, lapic_rd(LAPIC_SVR) | SVR_ENABLE);
}

void test_apic_irqs(void)
{
	static const char *const names[] = {
		"apic_irq_in_irr_while_if0",
		"apic_irq_isr_set_then_eoi",
		"apic_irq_waits_for_keel_irq_in_service",
		"apic_irq_waits_for_real_irq_in_service",
		"apic_irq_waits_for_tpr",
		"apic_irq_wakes_hlt",
		"apic_irq_waits_for_sw_enable",
	};
	u32 eflags;

	if (!keel_present()) {
		for (u32 i = 0; i < N_OF(names); i++)
			report_skip(names[i], "needs Keel's RAISE_IRQ");
		return;
	}
	idt_set_gate(V_LOW, apic_stub_0x58);
	idt_set_gate(V_MID, apic_stub_0x68);
	idt_set_gate(V_HIGH, apic_stub_0x78);
	__asm__ volatile("pushfl; popl %0; cli" : "=r"(eflags) : : "memory");
	check_irr_isr_eoi();
	check_keel_in_service();
	check_real_in_service();
	check_tpr();
	check_hlt_wake();
	check_sw_disabled();
	__asm__ volatile("pushl %0; popfl" : : "r"(eflags) : "memory", "cc");
}
