// SPDX-License-Identifier: MIT
/*
 * Exception handling. Keel expects no exception of its own except a #GP
 * from rdmsr_safe/wrmsr_safe; anything else is a bug, so it prints a full
 * dump (vector, error code, GPRs, control registers, backtrace) and halts.
 */
#include "core/console.h"
#include "core/lib.h"
#include "arch/x86/arch.h"
#include "arch/x86/traps.h"

#define BACKTRACE_MAX_FRAMES 16

extern const u8 rdmsr_safe_insn[], rdmsr_safe_fixup[];
extern const u8 wrmsr_safe_insn[], wrmsr_safe_fixup[];
extern const u8 xsetbv_safe_insn[], xsetbv_safe_fixup[];
extern const u8 __image_start[], __image_end[];

static const char *const exc_names[X86_NR_EXCEPTIONS] = {
	[X86_VEC_DE] = "#DE divide error",
	[X86_VEC_DB] = "#DB debug",
	[X86_VEC_NMI] = "NMI",
	[X86_VEC_BP] = "#BP breakpoint",
	[X86_VEC_OF] = "#OF overflow",
	[X86_VEC_BR] = "#BR bound range",
	[X86_VEC_UD] = "#UD invalid opcode",
	[X86_VEC_NM] = "#NM device not available",
	[X86_VEC_DF] = "#DF double fault",
	[9] = "coprocessor segment overrun",
	[X86_VEC_TS] = "#TS invalid TSS",
	[X86_VEC_NP] = "#NP segment not present",
	[X86_VEC_SS] = "#SS stack fault",
	[X86_VEC_GP] = "#GP general protection",
	[X86_VEC_PF] = "#PF page fault",
	[X86_VEC_MF] = "#MF x87 FPU error",
	[X86_VEC_AC] = "#AC alignment check",
	[X86_VEC_MC] = "#MC machine check",
	[X86_VEC_XM] = "#XM SIMD exception",
	[X86_VEC_VE] = "#VE virtualization exception",
	[X86_VEC_CP] = "#CP control protection",
};

static const char *vector_name(u64 v)
{
	if (v < X86_NR_EXCEPTIONS && exc_names[v])
		return exc_names[v];
	return v < X86_NR_EXCEPTIONS ? "reserved exception" : "interrupt";
}

static bool plausible_frame(const u64 *fp)
{
	u64 a = (u64)fp;

	/* Frames live in Keel's image (boot/IST stacks are in .bss). */
	return a && IS_ALIGNED(a, 8) && a >= (u64)__image_start &&
	       a + 16 <= (u64)__image_end;
}

void arch_dump_backtrace(void *frame)
{
	const u64 *fp = frame;

	printf("keel: backtrace:\n");
	for (int i = 0; i < BACKTRACE_MAX_FRAMES && plausible_frame(fp); i++) {
		printf("keel:   #%d %016llx\n", i, (unsigned long long)fp[1]);
		if ((const u64 *)fp[0] <= fp)
			break;
		fp = (const u64 *)fp[0];
	}
}

static void dump_frame(const struct trap_frame *f)
{
	u64 efer = 0;

	rdmsr_safe(MSR_EFER, &efer);
	printf("keel: EXCEPTION %s (vector %llu) error code %#llx\n",
	       vector_name(f->vector), f->vector, f->error_code);
	printf("keel: RIP %016llx RSP %016llx RFLAGS %016llx\n", f->rip, f->rsp,
	       f->rflags);
	printf("keel: CS %04llx SS %04llx\n", f->cs, f->ss);
	printf("keel: RAX %016llx RBX %016llx RCX %016llx RDX %016llx\n",
	       f->rax, f->rbx, f->rcx, f->rdx);
	printf("keel: RSI %016llx RDI %016llx RBP %016llx\n", f->rsi, f->rdi,
	       f->rbp);
	printf("keel: R8  %016llx R9  %016llx R10 %016llx R11 %016llx\n", f->r8,
	       f->r9, f->r10, f->r11);
	printf("keel: R12 %016llx R13 %016llx R14 %016llx R15 %016llx\n",
	       f->r12, f->r13, f->r14, f->r15);
	printf("keel: CR0 %016llx CR2 %016llx CR3 %016llx CR4 %016llx\n",
	       read_cr0(), read_cr2(), read_cr3(), read_cr4());
	printf("keel: EFER %016llx\n", efer);
	printf("keel:   #-1 %016llx (faulting RIP)\n", f->rip);
	arch_dump_backtrace((void *)f->rbp);
}

static bool fixup_msr(struct trap_frame *f)
{
	if (f->vector != X86_VEC_GP)
		return false;
	if (f->rip == (u64)rdmsr_safe_insn) {
		f->rip = (u64)rdmsr_safe_fixup;
		return true;
	}
	if (f->rip == (u64)wrmsr_safe_insn) {
		f->rip = (u64)wrmsr_safe_fixup;
		return true;
	}
	if (f->rip == (u64)xsetbv_safe_insn) {
		f->rip = (u64)xsetbv_safe_fixup;
		return true;
	}
	return false;
}

/* NMIs without a hook that are logged; a flood must not stall Keel. */
#define NMI_LOG_MAX 4

static void (*nmi_hook)(void);
static unsigned int nmis_unclaimed;

void arch_set_nmi_hook(void (*hook)(void))
{
	nmi_hook = hook;
}

void arch_nmi_unblock(void)
{
	u64 tmp;

	/* An IRET frame for the next instruction, on this stack. */
	__asm__ volatile("mov %%ss, %0\n\t"
			 "pushq %0\n\t"
			 "pushq %%rsp\n\t"
			 "addq $8, (%%rsp)\n\t"
			 "pushfq\n\t"
			 "mov %%cs, %0\n\t"
			 "pushq %0\n\t"
			 "leaq 1f(%%rip), %0\n\t"
			 "pushq %0\n\t"
			 "iretq\n"
			 "1:"
			 : "=&r"(tmp)
			 :
			 : "memory", "cc");
}

static void root_nmi(const struct trap_frame *f)
{
	if (nmi_hook) {
		nmi_hook();
		return;
	}
	/* The guest owns the machine's NMI sources; note it, briefly. */
	if (nmis_unclaimed++ < NMI_LOG_MAX)
		pr_warn("keel: NMI in root mode at %016llx, ignored%s\n",
			f->rip,
			nmis_unclaimed == NMI_LOG_MAX ?
				" (further ones not logged)" :
				"");
}

void trap_dispatch(struct trap_frame *f)
{
	if (fixup_msr(f))
		return;
	if (f->vector == X86_VEC_NMI) {
		root_nmi(f);
		return;
	}
	dump_frame(f);
	printf("keel: halted after an unexpected exception\n");
	arch_halt_forever();
}

void arch_halt_forever(void)
{
	for (;;)
		__asm__ volatile("cli; hlt");
}
