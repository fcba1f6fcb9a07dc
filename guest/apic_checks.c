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

/* IA32_APIC_BASE and the x2APIC MSRs, SDM Vol.3A 11.4.4, 11.12.1 */
#define MSR_APIC_BASE 0x1b
#define APIC_BASE_EXTD (1u << 10)
#define APIC_BASE_EN (1u << 11)
#define MSR_X2APIC_FIRST 0x800 /* MSR = 0x800 + xAPIC offset / 16 */
#define CPUID1_ECX_X2APIC (1u << 21)

/* The LAPIC is in x2APIC mode: its registers are MSRs. */
static bool x2apic;
/* Where its xAPIC page is: apic_base_checks.c moves it. */
static u32 lapic_page = LAPIC_BASE;

void apic_checks_set_page(u32 page)
{
	lapic_page = page;
}

static u32 lapic_rd(u32 reg)
{
	u32 lo, hi;

	if (!x2apic)
		return *(volatile u32 *)(lapic_page + reg);
	__asm__ volatile("rdmsr"
			 : "=a"(lo), "=d"(hi)
			 : "c"(MSR_X2APIC_FIRST + reg / 16));
	return lo;
}

static void lapic_wr(u32 reg, u32 v)
{
	if (!x2apic) {
		*(volatile u32 *)(lapic_page + reg) = v;
		return;
	}
	__asm__ volatile("wrmsr"
			 :
			 : "c"(MSR_X2APIC_FIRST + reg / 16), "a"(v), "d"(0)
			 : "memory");
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
	during = 0;
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

static void apic_base_wr(u64 v)
{
	__asm__ volatile("wrmsr"
			 :
			 : "c"(MSR_APIC_BASE), "a"((u32)v), "d"((u32)(v >> 32))
			 : "memory");
}

/*
 * With the LAPIC switched to x2APIC mode, Keel follows it (SELF_IPI MSR):
 * the IRR, ISR and EOI checks again, through the MSRs. Back to xAPIC
 * through the disabled state, the only way the CPU allows (SDM Vol.3A
 * 11.12.5), which resets the LAPIC: SVR, TPR and LVT are put back.
 */
static void check_x2apic(void)
{
	static const u32 want[] = { V_MID, V_HIGH, V_LOW };
	u32 lvt[(LAPIC_LVT_LAST - LAPIC_LVT_FIRST) / 0x10 + 1];
	u32 svr = lapic_rd(LAPIC_SVR), irr;
	u64 base;

	if (!(cpuid(1, 0).ecx & CPUID1_ECX_X2APIC)) {
		report_skip("apic_irq_x2apic", "no x2APIC");
		return;
	}
	if (try_rdmsr(MSR_APIC_BASE, &base) != NO_FAULT) {
		report("apic_irq_x2apic", false, "IA32_APIC_BASE unreadable");
		return;
	}
	for (u32 i = 0; i < N_OF(lvt); i++)
		lvt[i] = lapic_rd(LAPIC_LVT_FIRST + 0x10 * i);
	apic_base_wr(base | APIC_BASE_EXTD);
	x2apic = true;
	reset_seen();
	during = 0;
	hook = hook_mid;
	hook_vector = V_MID;
	raise(V_MID);
	irr = vec_bit(LAPIC_IRR, V_MID);
	window();
	x2apic = false;
	apic_base_wr(base & ~(u64)(APIC_BASE_EXTD | APIC_BASE_EN));
	apic_base_wr(base);
	lapic_wr(LAPIC_SVR, svr);
	lapic_wr(LAPIC_TPR, 0);
	for (u32 i = 0; i < N_OF(lvt); i++)
		lapic_wr(LAPIC_LVT_FIRST + 0x10 * i, lvt[i]);
	report("apic_irq_x2apic", irr && during == 0x10 && seen_is(want, 3),
	       "IRR=%u in handler: %u lower, %u higher; seen %s", irr,
	       during & 0xf, during >> 4, seen_str());
}

/*
 * With the xAPIC page moved (apic_base_checks.c), Keel's interrupt still
 * arrives: Keel sends it to the real LAPIC, which never moved, and the
 * guest sees it in the IRR and ends it with an EOI at the new page.
 */
void apic_irq_check_moved(void)
{
	static const u32 want[] = { V_MID };
	u32 eflags;
	bool irr;
	int rc;

	if (!keel_present()) {
		report_skip("apic_base_irq_while_moved",
			    "needs Keel's RAISE_IRQ");
		return;
	}
	idt_set_gate(V_MID, apic_stub_0x68);
	__asm__ volatile("pushfl; popl %0; cli" : "=r"(eflags) : : "memory");
	reset_seen();
	rc = raise(V_MID);
	irr = vec_bit(LAPIC_IRR, V_MID);
	window();
	__asm__ volatile("pushl %0; popfl" : : "r"(eflags) : "memory", "cc");
	report("apic_base_irq_while_moved", !rc && irr && seen_is(want, 1),
	       "page 0x%x rc=%d IRR=%u seen %s", lapic_page, rc, irr,
	       seen_str());
}

/* IA32_TSC, IA32_TSC_DEADLINE and the LVT timer's TSC-deadline mode
 * (bits 18:17 = 10b), SDM Vol.3B 18.17, Vol.3A 11.5.4.1. */
#define MSR_TSC 0x10
#define MSR_TSC_DEADLINE 0x6e0
#define LAPIC_LVT_TIMER 0x320
#define LVT_TIMER_TSC_DEADLINE (2u << 17)
#define LVT_MASKED (1u << 16)
#define CPUID1_ECX_TSC_DEADLINE (1u << 24)
#define CPUID81_EDX_RDTSCP (1u << 27)
/* Far from any TSC a test run reaches, so the old "writes ignored"
 * cannot pass; the bounds are generous tick counts, not timings. */
#define TSC_SET (1ULL << 40)
#define TSC_BOUND 0x1000000ULL
#define DEADLINE_AHEAD 20000ULL
#define DEADLINE_WAIT 0x4000000ULL

static u64 rdtscp_(void)
{
	u32 lo, hi, aux;

	__asm__ volatile("rdtscp" : "=a"(lo), "=d"(hi), "=c"(aux));
	return ((u64)hi << 32) | lo;
}

static bool near_set(u64 t)
{
	return t >= TSC_SET && t < TSC_SET + TSC_BOUND;
}

/*
 * A TSC-deadline interrupt armed in the guest's (moved) TSC arrives, no
 * earlier than its deadline; the MSR reads back what was written, then 0
 * once the timer fired.
 */
static void check_tsc_deadline(void)
{
	u32 lvt = lapic_rd(LAPIC_LVT_TIMER);
	u64 t, dl, rb = 0, after = 1, now = 0;
	u32 f;

	if (!(cpuid(1, 0).ecx & CPUID1_ECX_TSC_DEADLINE)) {
		report_skip("tsc_deadline_moved_tsc", "no TSC-deadline timer");
		return;
	}
	lapic_wr(LAPIC_LVT_TIMER, V_LOW | LVT_TIMER_TSC_DEADLINE);
	reset_seen();
	t = rdtsc();
	dl = t + DEADLINE_AHEAD;
	f = try_wrmsr(MSR_TSC_DEADLINE, dl);
	try_rdmsr(MSR_TSC_DEADLINE, &rb);
	while (!n_seen && rdtsc() - t < DEADLINE_WAIT)
		window();
	now = rdtsc();
	try_rdmsr(MSR_TSC_DEADLINE, &after);
	try_wrmsr(MSR_TSC_DEADLINE, 0);
	lapic_wr(LAPIC_LVT_TIMER, lvt);
	report("tsc_deadline_moved_tsc",
	       near_set(t) && f == NO_FAULT && rb == dl && n_seen == 1 &&
		       seen[0].vector == V_LOW && now >= dl && after == 0,
	       "tsc=0x%llx deadline=0x%llx read 0x%llx then 0x%llx, %u irqs, "
	       "at 0x%llx",
	       (unsigned long long)t, (unsigned long long)dl,
	       (unsigned long long)rb, (unsigned long long)after, n_seen,
	       (unsigned long long)now);
}

/*
 * WRMSR(IA32_TSC) sets the TSC that RDTSC, RDTSCP and RDMSR read (Keel's
 * TSC offset); then the TSC goes back to where it would have been.
 */
static void check_tsc_write(void)
{
	u64 host = rdtsc(), a, b = 0, c = TSC_SET, back;
	bool tscp = cpuid(0x80000001, 0).edx & CPUID81_EDX_RDTSCP;
	u32 f;

	f = try_wrmsr(MSR_TSC, TSC_SET);
	a = rdtsc();
	try_rdmsr(MSR_TSC, &b);
	if (tscp)
		c = rdtscp_();
	report("tsc_write_sets_tsc",
	       f == NO_FAULT && near_set(a) && near_set(b) && b >= a &&
		       near_set(c) && c >= b,
	       "wr=%s rdtsc=0x%llx rdmsr=0x%llx rdtscp=0x%llx", vec_name(f),
	       (unsigned long long)a, (unsigned long long)b,
	       (unsigned long long)c);
	check_tsc_deadline();
	back = host + (rdtsc() - TSC_SET);
	try_wrmsr(MSR_TSC, back);
	a = rdtsc();
	report("tsc_write_back", a >= back && a - back < TSC_BOUND,
	       "wrote 0x%llx read 0x%llx", (unsigned long long)back,
	       (unsigned long long)a);
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
		"apic_irq_x2apic",
		"tsc_write_sets_tsc",
		"tsc_deadline_moved_tsc",
		"tsc_write_back",
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
	check_tsc_write();
	check_irr_isr_eoi();
	check_keel_in_service();
	check_real_in_service();
	check_tpr();
	check_hlt_wake();
	check_sw_disabled();
	check_x2apic();
	__asm__ volatile("pushl %0; popfl" : : "r"(eflags) : "memory", "cc");
}
