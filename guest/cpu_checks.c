// SPDX-License-Identifier: MIT
/*
 * Checks that Keel behaves as the CPU would where a guest can tell:
 * interrupts raised together, CPUID bits against their MSRs
 * (docs/cpuid-msr.md), the frame of an injected fault and CR0's reserved
 * bits (IA32_APIC_BASE: apic_base_checks.c). Plus the fault-catching
 * helpers of checks.h.
 */
#include "checks.h"
#include "vmx/cpuid_features.h"

u32 try_rdmsr(u32 msr, u64 *v)
{
	u32 lo = 0, hi = 0;

	fault_arm();
	__asm__ volatile("movl $1f, %[res]\n\trdmsr\n1:"
			 : "=a"(lo), "=d"(hi), [res] "=m"(fault.resume)
			 : "c"(msr)
			 : "memory");
	*v = ((u64)hi << 32) | lo;
	return fault_disarm();
}

u32 try_wrmsr(u32 msr, u64 v)
{
	return TRY_ASM("wrmsr", "c"(msr), "a"((u32)v), "d"((u32)(v >> 32)));
}

u32 try_write_cr0(u32 v)
{
	return TRY_ASM("movl %[v_], %%cr0", [v_] "r"(v));
}

u32 try_write_cr4(u32 v)
{
	return TRY_ASM("movl %[v_], %%cr4", [v_] "r"(v));
}

u32 try_xsetbv(u32 xcr, u64 v)
{
	return TRY_ASM("xsetbv", "c"(xcr), "a"((u32)v), "d"((u32)(v >> 32)));
}

u64 xgetbv(u32 xcr)
{
	u32 lo, hi;

	__asm__ volatile("xgetbv" : "=a"(lo), "=d"(hi) : "c"(xcr));
	return ((u64)hi << 32) | lo;
}

const char *vec_name(u32 v)
{
	return v == NO_FAULT ? "none" :
	       v == VEC_UD   ? "#UD" :
	       v == VEC_GP   ? "#GP" :
			       "other";
}

/*
 * Two interrupts raised while IF=0 both arrive once IF=1 (Keel keeps a set
 * of pending vectors, as the LAPIC's IRR, not a single slot).
 */
void test_raise_irq_twice(void)
{
	struct hc_regs r1 = { .eax = KEEL_HC_RAISE_IRQ, .ebx = 0x40 };
	struct hc_regs r2 = { .eax = KEEL_HC_RAISE_IRQ, .ebx = 0x41 };
	u32 t, pending;
	int ud1, ud2;

	idt_set_gate(0x40, irq_test_stub);
	idt_set_gate(0x41, irq_test_stub);
	t = test_irq_count;
	__asm__ volatile("cli" ::: "memory");
	ud1 = vmcall(&r1);
	ud2 = vmcall(&r2);
	pending = test_irq_count - t;
	__asm__ volatile("sti; nop; nop; cli" ::: "memory");
	report("vmcall_raise_irq_twice",
	       !ud1 && !ud2 && r1.eax == 0 && r2.eax == 0 && pending == 0 &&
		       test_irq_count == t + 2,
	       "eax=0x%x,0x%x before_sti=%u after=%u", r1.eax, r2.eax, pending,
	       test_irq_count - t);
}

static bool feature_shown(const struct cpuid_feature *f)
{
	struct cpuid_regs r =
		cpuid(f->leaf, f->sub == CPUID_ANY_SUB ? 0 : f->sub);
	u32 regs[4] = { r.eax, r.ebx, r.ecx, r.edx };

	if (f->reg == CPUID_ALL)
		return (regs[0] | regs[1] | regs[2] | regs[3]) & f->mask;
	return regs[f->reg] & f->mask;
}

/* Each MSR behind a backed bit; the first that faults, or NO_FAULT. */
static u32 read_feature_msrs(const struct cpuid_feature *f, u32 *msr)
{
	u64 v;
	u32 fault_vec;

	for (int i = 0; i < CPUID_FEATURE_MSRS && f->msrs[i]; i++) {
		*msr = f->msrs[i];
		fault_vec = try_rdmsr(*msr, &v);
		if (fault_vec != NO_FAULT)
			return fault_vec;
	}
	if (!f->cmd_msr)
		return NO_FAULT;
	*msr = f->cmd_msr;
	return try_wrmsr(f->cmd_msr, 1);
}

/*
 * CPUID and the MSRs agree (docs/cpuid-msr.md): every bit of the table
 * Keel hides is clear, and every MSR of a bit Keel shows reads without
 * #GP (write-only command MSRs take a harmless write).
 */
void test_cpuid_msrs(void)
{
	char name[48];

	for (u32 i = 0; i < CPUID_FEATURES_NR; i++) {
		const struct cpuid_feature *f = &cpuid_features[i];
		bool shown = feature_shown(f);
		u32 msr = 0, vec;

		memcpy(name, "cpuid_msr_", 10);
		memcpy(name + 10, f->name, strlen(f->name) + 1);
		if (f->policy == CPUID_HIDDEN) {
			report(name, !keel_present() || !shown, "%s",
			       shown ? "shown, but Keel hides it" : "hidden");
			continue;
		}
		if (!shown) {
			report(name, true, "not offered by this CPU");
			continue;
		}
		vec = read_feature_msrs(f, &msr);
		report(name, vec == NO_FAULT, "shown; MSR 0x%x%s: %s", msr,
		       f->msrs[1] && vec == NO_FAULT ? " (last)" : "",
		       vec == NO_FAULT ? "no fault" : vec_name(vec));
	}
}

#define EFLAGS_RF BIT(16)

/*
 * A fault Keel injects looks as the CPU's own: RF set in the EFLAGS image
 * (SDM Vol.3A 18.3.1.1) and the error code the vector pushes. The #UD of
 * UD2, raised by the CPU itself, shows what to expect.
 */
void test_injected_fault_frame(void)
{
	u32 f = TRY_ASM("ud2", "i"(0));

	report("exc_rf_native_ud", f == VEC_UD && (fault.eflags & EFLAGS_RF),
	       "fault=%s eflags=0x%x", vec_name(f), fault.eflags);
	f = try_wrmsr(MSR_FEATURE_CONTROL, 0x5);
	report("exc_rf_injected_gp",
	       f == VEC_GP && (fault.eflags & EFLAGS_RF) && fault.error == 0,
	       "fault=%s eflags=0x%x error=0x%x", vec_name(f), fault.eflags,
	       fault.error);
	f = TRY_ASM("vmxoff", "i"(0));
	report("exc_rf_injected_ud", f == VEC_UD && (fault.eflags & EFLAGS_RF),
	       "fault=%s eflags=0x%x", vec_name(f), fault.eflags);
}

/*
 * Reserved bits 31:0 of CR0 are ignored and read 0, and ET reads 1 (SDM
 * Vol.2B MOV to CR); only bits 63:32 are #GP, which a 32-bit guest cannot
 * write.
 */
void test_cr0_reserved(void)
{
	u32 cr0 = read_cr0(), v, f;

	f = try_write_cr0((cr0 | BIT(6) | BIT(17) | BIT(28)) & ~BIT(4));
	v = read_cr0();
	try_write_cr0(cr0);
	report("cr0_reserved_ignored",
	       f == NO_FAULT && !(v & (BIT(6) | BIT(17) | BIT(28))) &&
		       (v & BIT(4)),
	       "fault=%s read=0x%x", vec_name(f), v);
}

/* PIT channel 2 as a one-shot (82C54 datasheet; gate and output on port
 * 61h, IBM PC/AT technical reference), 10 ms at 1.193182 MHz. */
#define PIT_HZ 1193182u
#define TSC_CAL_MS 10
#define PORT_B 0x61
#define PORT_B_GATE2 0x01
#define PORT_B_SPEAKER 0x02
#define PORT_B_OUT2 0x20

static u32 tsc_khz_by_pit(void)
{
	u16 count = PIT_HZ * TSC_CAL_MS / 1000;
	u8 b = inb(PORT_B);
	u32 spins = 0;
	u64 t0;

	outb(PORT_B, (b & ~PORT_B_SPEAKER) | PORT_B_GATE2);
	outb(0x43, 0xb0); /* channel 2, lo/hi, mode 0 */
	outb(0x42, count & 0xff);
	outb(0x42, count >> 8);
	t0 = rdtsc();
	while (!(inb(PORT_B) & PORT_B_OUT2) && ++spins < 100000000)
		;
	outb(PORT_B, b);
	return (u32)udiv64(rdtsc() - t0, TSC_CAL_MS);
}

/*
 * CPUID 15h (SDM Vol.2A: TSC = ECX * EBX / EAX) describes the TSC the
 * guest measures against the PIT, within 2 %: Keel rewrites the leaf
 * where the hardware's does not (docs/cpuid-msr.md). SKIP on a CPU
 * without the leaf.
 */
void test_tsc_rate_cpuid(void)
{
	struct cpuid_regs r = { 0 };
	u32 measured = tsc_khz_by_pit(), said = 0;

	if (cpuid(0, 0).eax >= 0x15)
		r = cpuid(0x15, 0);
	if (!r.eax || !r.ebx || !r.ecx) {
		report_skip("tsc_rate_cpuid", "no TSC leaf (15h)");
		return;
	}
	said = (u32)udiv64((u64)(r.ecx / 1000) * r.ebx, r.eax);
	report("tsc_rate_cpuid",
	       measured && said * 50ULL >= measured * 49ULL &&
		       said * 50ULL <= measured * 51ULL,
	       "cpuid %u kHz, measured %u kHz against the PIT", said, measured);
}

struct gdt_ptr {
	u16 limit;
	u32 base;
} __attribute__((packed));

/*
 * CPUID at EIP 0xfffffffe of a 32-bit segment: the next EIP is 0, not
 * 0x100000000 (outside 64-bit mode EIP wraps at 4 GiB; a RIP with bits
 * 63:32 set would fail VM entry, SDM Vol.3C 27.3.1.4, and stop the
 * guest). The segment's base puts offset 0xfffffffe at tramp[0] and
 * offset 0 at tramp[2], which jumps back through far_back.
 */
void test_cpuid_rip_wrap(void)
{
	static u8 tramp[8];
	static u64 gdt[5] __attribute__((aligned(8)));
	static struct {
		u32 off;
		u16 sel;
	} __attribute__((packed)) far_back = { 0, 0x08 };
	struct gdt_ptr old, d = { sizeof(gdt) - 1, (u32)gdt };
	u32 base = (u32)tramp + 2, a = 0, b = 0, c = 0, dx = 0;
	struct cpuid_regs ref;

	tramp[0] = 0x0f; /* cpuid */
	tramp[1] = 0xa2;
	tramp[2] = 0xff; /* ljmp *far_back: FF /5, disp32 */
	tramp[3] = 0x2d;
	memcpy(&tramp[4], &(u32){ (u32)&far_back }, 4);
	__asm__ volatile("sgdt %0" : "=m"(old));
	memcpy(gdt, (const void *)old.base, 4 * sizeof(u64));
	/* 0x20: 32-bit code, G, limit 4 GiB, at @base. */
	gdt[4] = 0x00cf9a000000ffffULL | (u64)(base & 0xffffff) << 16 |
		 (u64)(base >> 24) << 56;
	__asm__ volatile("movl $1f, %[off]\n\t"
			 "lgdt %[d]\n\t"
			 "ljmp $0x20, $0xfffffffe\n"
			 "1:\tlgdt %[old]"
			 : "=a"(a), "=b"(b), "=c"(c),
			   "=d"(dx), [off] "=m"(far_back.off)
			 : "a"(0), "c"(0), [d] "m"(d), [old] "m"(old)
			 : "memory");
	ref = cpuid(0, 0);
	report("cpuid_rip_wraps_4g",
	       a == ref.eax && b == ref.ebx && c == ref.ecx && dx == ref.edx,
	       "leaf 0 eax=0x%x ebx=0x%x at EIP 0xfffffffe", a, b);
}

/*
 * Single-step traps on instructions Keel completes for the guest. With
 * EFLAGS.TF set the CPU raises #DB with DR6.BS after every instruction
 * (SDM Vol.3B 18.3.1.4); CPUID, IN from Keel's UART and HLT exit, so the
 * trap after them is Keel's to raise. The #DB gate records where each trap
 * landed; the TF region is one function so its labels exist once.
 */
#define VEC_DB 1
#define EFLAGS_IF BIT(9)
#define STEP_MAX 16

volatile u32 step_count, step_bs, step_eip[STEP_MAX];
void step_stub(void);
extern const u32 exc_stubs[32];
extern char step_after_cpuid[], step_after_inb[], step_after_hlt[];

__asm__(".text\n"
	"step_stub:\n\t"
	"pushl %eax\n\t"
	"pushl %ecx\n\t"
	"movl step_count, %ecx\n\t"
	"cmpl $16, %ecx\n\t" /* STEP_MAX */
	"jae 1f\n\t"
	"movl 8(%esp), %eax\n\t" /* the EIP the trap pushed */
	"movl %eax, step_eip(,%ecx,4)\n"
	"1:\tincl step_count\n\t"
	"movl %dr6, %eax\n\t"
	"andl $0x4000, %eax\n\t" /* DR6.BS */
	"orl %eax, step_bs\n\t"
	"xorl %eax, %eax\n\t"
	"movl %eax, %dr6\n\t" /* DR6 bits are sticky (SDM Vol.3B 18.2.3) */
	"popl %ecx\n\t"
	"popl %eax\n\t"
	"iret\n");

static __attribute__((noinline)) void step_emulated(void)
{
	u32 a, b, c, d;

	__asm__ volatile("pushfl\n\t"
			 "orl $0x100, (%%esp)\n\t" /* TF */
			 "popfl\n\t"
			 "xorl %%eax, %%eax\n\t"
			 "cpuid\n"
			 "step_after_cpuid:\n\t"
			 "movl $0x3fd, %%edx\n\t"
			 "inb %%dx, %%al\n"
			 "step_after_inb:\n\t"
			 "pushfl\n\t"
			 "andl $~0x100, (%%esp)\n\t"
			 "popfl\n\t"
			 : "=a"(a), "=b"(b), "=c"(c), "=d"(d)
			 :
			 : "memory", "cc");
}

static __attribute__((noinline)) void step_hlt(void)
{
	__asm__ volatile("pushfl\n\t"
			 "orl $0x100, (%%esp)\n\t" /* TF */
			 "popfl\n\t"
			 "hlt\n"
			 "step_after_hlt:\n\t"
			 "pushfl\n\t"
			 "andl $~0x100, (%%esp)\n\t"
			 "popfl\n\t"
			 :
			 :
			 : "memory", "cc");
}

static bool stepped_at(const char *label)
{
	for (u32 i = 0; i < step_count && i < STEP_MAX; i++)
		if (step_eip[i] == (u32)(unsigned long)label)
			return true;
	return false;
}

static void step_reset(void)
{
	step_count = 0;
	step_bs = 0;
}

/*
 * Seven traps: after XOR, CPUID, MOV, IN, PUSHF, AND and the POPF that
 * clears TF (the trap follows an instruction that began with TF set).
 * Then HLT alone, under Keel only: Keel completes a single-stepped HLT
 * with its trap at once instead of halting (VM entry refuses the HLT state
 * with TF set and no trap pending, and before this check the guest was
 * stopped); natively it halts until an interrupt, which may never come.
 */
void test_single_step(void)
{
	u32 flags;

	__asm__ volatile("pushfl; popl %0" : "=r"(flags));
	idt_set_gate(VEC_DB, step_stub);
	step_reset();
	step_emulated();
	report("single_step_emulated",
	       step_count == 7 && step_bs && stepped_at(step_after_cpuid) &&
		       stepped_at(step_after_inb),
	       "traps=%u bs=%u after_cpuid=%u after_in=%u", step_count,
	       step_bs ? 1 : 0, stepped_at(step_after_cpuid),
	       stepped_at(step_after_inb));
	if (keel_present()) {
		step_reset();
		__asm__ volatile("sti" ::: "memory");
		step_hlt();
		if (!(flags & EFLAGS_IF))
			__asm__ volatile("cli" ::: "memory");
		report("single_step_hlt",
		       step_count == 4 && step_bs && stepped_at(step_after_hlt),
		       "traps=%u bs=%u after_hlt=%u", step_count,
		       step_bs ? 1 : 0, stepped_at(step_after_hlt));
	} else {
		report_skip("single_step_hlt",
			    "needs Keel: natively HLT waits for an interrupt");
	}
	idt_set_gate(VEC_DB, (void (*)(void))exc_stubs[VEC_DB]);
}

/*
 * The guest's APIC ID, as kvm-unit-tests finds it (it sends IPIs and
 * NMIs to physical destination 0, QEMU's boot CPU): CPUID.1:EBX[31:24],
 * CPUID 0Bh EDX (x2APIC ID), the LAPIC's ID register (xAPIC page, bits
 * 31:24) and the MADT's one processor all name the same CPU. Under Keel
 * that is the real boot CPU's ID: 0 on QEMU and Bochs, whatever the
 * firmware gave it on a machine (docs/kvm-unit-tests.md).
 */
#define LAPIC_ID_REG 0xfee00020u
#define CPUID_X2APIC_LEAF 0xb

void check_apic_ids(u32 madt_id)
{
	u32 c1 = cpuid(1, 0).ebx >> 24, cb = c1, reg, ebx_b = 0;

	if (cpuid(0, 0).eax >= CPUID_X2APIC_LEAF) {
		ebx_b = cpuid(CPUID_X2APIC_LEAF, 0).ebx;
		if (ebx_b)
			cb = cpuid(CPUID_X2APIC_LEAF, 0).edx;
	}
	reg = *(volatile u32 *)LAPIC_ID_REG >> 24;
	report("apic_id_consistent",
	       cb == madt_id && (cb & 0xff) == c1 && reg == (cb & 0xff),
	       "cpuid1 %u, cpuid 0Bh %u%s, LAPIC %u, MADT %u", c1, cb,
	       ebx_b ? "" : " (no leaf)", reg, madt_id);
}
