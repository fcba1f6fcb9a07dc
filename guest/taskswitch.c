// SPDX-License-Identifier: MIT
/*
 * Hardware task switches, which Keel emulates (every task switch exits
 * under VMX): a JMP to a TSS and back, a CALL answered by IRET, and an
 * INT through a task gate. The checks follow SDM Vol.3A chapter 8 (rev
 * 080): what the new task finds in its registers, NT, the back-link and
 * the busy bits of both TSS descriptors.
 */
#include "guest.h"

#define SEL_CODE 0x08
#define SEL_DATA 0x10
#define SEL_TSS_MAIN 0x20
#define SEL_TSS_TASK 0x28
#define GDT_ENTRIES 6
#define TASK_GATE_VEC 0x42

#define EFLAGS_NT BIT(14)
#define DESC_HI_BUSY BIT(9) /* type bit 1 in the descriptor's high dword */
#define TSS_AVAIL32 0x89 /* P, DPL 0, type 9 */
#define CR0_TS BIT(3)

/* 32-bit TSS, SDM Vol.3A figure 8-2. */
struct tss32 {
	u32 link, esp0, ss0, esp1, ss1, esp2, ss2;
	u32 cr3, eip, eflags, eax, ecx, edx, ebx, esp, ebp, esi, edi;
	u32 es, cs, ss, ds, fs, gs, ldt;
	u16 trap, iomap;
} __attribute__((packed));

u64 ts_gdt[GDT_ENTRIES] __attribute__((aligned(8)));
static struct tss32 tss_main __attribute__((aligned(128)));
static struct tss32 tss_task __attribute__((aligned(128)));
static u8 task_stack[4096] __attribute__((aligned(16)));
volatile u32 task_seen_ebx, task_seen_eflags, task_seen_tr, task_runs;
volatile u32 task_seen_main_desc_hi;

void task_jmp_entry(void);
void task_jmp_resume(void);
void task_iret_entry(void);
void task_iret_resume(void);

struct dtr {
	u16 limit;
	u32 base;
} __attribute__((packed));

static u64 tss_desc(const struct tss32 *t)
{
	u32 base = (u32)t, limit = sizeof(*t) - 1;

	return (limit & 0xffff) | ((u64)(base & 0xffffff) << 16) |
	       ((u64)TSS_AVAIL32 << 40) | ((u64)(base >> 24) << 56);
}

static u32 desc_hi(u16 sel)
{
	return (u32)(ts_gdt[sel / 8] >> 32);
}

static u16 str(void)
{
	u16 sel;

	__asm__ volatile("str %0" : "=r"(sel));
	return sel;
}

static u32 read_eflags(void)
{
	u32 f;

	__asm__ volatile("pushfl; popl %0" : "=r"(f));
	return f;
}

/* The boot GDT's entries, then the two TSSes; TR = the main task. */
static void setup_gdt(void)
{
	struct dtr old, d = { sizeof(ts_gdt) - 1, (u32)ts_gdt };
	u16 sel = SEL_TSS_MAIN;

	__asm__ volatile("sgdt %0" : "=m"(old));
	memcpy(ts_gdt, (const void *)old.base, 4 * sizeof(u64));
	tss_main.iomap = sizeof(tss_main);
	ts_gdt[SEL_TSS_MAIN / 8] = tss_desc(&tss_main);
	ts_gdt[SEL_TSS_TASK / 8] = tss_desc(&tss_task);
	__asm__ volatile("lgdt %0" : : "m"(d));
	__asm__ volatile("ltr %0" : : "r"(sel));
}

static void prepare_task(void (*entry)(void), u32 ebx)
{
	u32 cr3;

	__asm__ volatile("movl %%cr3, %0" : "=r"(cr3));
	memset(&tss_task, 0, sizeof(tss_task));
	tss_task.cr3 = cr3;
	tss_task.eip = (u32)entry;
	tss_task.eflags = 0x2;
	tss_task.esp = (u32)(task_stack + sizeof(task_stack));
	tss_task.ebx = ebx;
	tss_task.cs = SEL_CODE;
	tss_task.ss = tss_task.ds = tss_task.es = SEL_DATA;
	tss_task.fs = tss_task.gs = SEL_DATA;
	tss_task.iomap = sizeof(tss_task);
	task_seen_ebx = task_seen_eflags = task_seen_tr = 0;
	task_seen_main_desc_hi = 0;
}

/* The switches save and reload every register of the main task. */
#define SWITCH(insn)                                                         \
	__asm__ volatile(insn ::                                             \
				 : "eax", "ebx", "ecx", "edx", "esi", "edi", \
				   "memory", "cc")

static void check_jmp(void)
{
	u32 runs = task_runs;

	prepare_task(task_jmp_entry, 0x7a5c0001);
	SWITCH("ljmp $0x28, $0");
	report("task_switch_jmp",
	       task_runs == runs + 1 && task_seen_ebx == 0x7a5c0001 &&
		       task_seen_tr == SEL_TSS_TASK &&
		       !(task_seen_eflags & EFLAGS_NT) &&
		       !(task_seen_main_desc_hi & DESC_HI_BUSY),
	       "runs=%u ebx=0x%x tr=0x%x eflags=0x%x main_busy=%u",
	       task_runs - runs, task_seen_ebx, task_seen_tr, task_seen_eflags,
	       !!(task_seen_main_desc_hi & DESC_HI_BUSY));
	/* Back by JMP: the task saved where it stopped and is no longer
	 * busy; JMP leaves no back-link. */
	report("task_switch_jmp_back",
	       str() == SEL_TSS_MAIN &&
		       (desc_hi(SEL_TSS_MAIN) & DESC_HI_BUSY) &&
		       !(desc_hi(SEL_TSS_TASK) & DESC_HI_BUSY) &&
		       tss_task.eip == (u32)task_jmp_resume &&
		       tss_task.link == 0 && (read_cr0() & CR0_TS),
	       "tr=0x%x main_hi=0x%x task_hi=0x%x task_eip=0x%x link=0x%x cr0=0x%x",
	       str(), desc_hi(SEL_TSS_MAIN), desc_hi(SEL_TSS_TASK),
	       tss_task.eip, tss_task.link, read_cr0());
}

static void check_call_iret(void)
{
	u32 runs = task_runs;

	prepare_task(task_iret_entry, 0x7a5c0002);
	SWITCH("lcall $0x28, $0");
	/* In the called task: NT set, the caller still busy. */
	report("task_switch_call",
	       task_runs == runs + 1 && task_seen_ebx == 0x7a5c0002 &&
		       (task_seen_eflags & EFLAGS_NT) &&
		       (task_seen_main_desc_hi & DESC_HI_BUSY) &&
		       tss_task.link == SEL_TSS_MAIN,
	       "runs=%u ebx=0x%x eflags=0x%x main_busy=%u link=0x%x",
	       task_runs - runs, task_seen_ebx, task_seen_eflags,
	       !!(task_seen_main_desc_hi & DESC_HI_BUSY), tss_task.link);
	/* IRET went back along the link: the task is free, saved with NT
	 * clear, and the caller runs with its own EFLAGS (NT clear). */
	report("task_switch_iret",
	       str() == SEL_TSS_MAIN && !(read_eflags() & EFLAGS_NT) &&
		       !(desc_hi(SEL_TSS_TASK) & DESC_HI_BUSY) &&
		       !(tss_task.eflags & EFLAGS_NT) &&
		       tss_task.eip == (u32)task_iret_resume,
	       "tr=0x%x eflags=0x%x task_hi=0x%x task_eflags=0x%x task_eip=0x%x",
	       str(), read_eflags(), desc_hi(SEL_TSS_TASK), tss_task.eflags,
	       tss_task.eip);
}

/* INT n through a task gate: a nested task, and the caller resumes after
 * the INT instruction. */
static void check_task_gate(void)
{
	u32 runs = task_runs, after = 0;

	prepare_task(task_iret_entry, 0x7a5c0003);
	idt_set_task_gate(TASK_GATE_VEC, SEL_TSS_TASK);
	SWITCH("int $0x42");
	after = 1;
	report("task_switch_int_gate",
	       after && task_runs == runs + 1 && task_seen_ebx == 0x7a5c0003 &&
		       (task_seen_eflags & EFLAGS_NT) &&
		       tss_task.link == SEL_TSS_MAIN && str() == SEL_TSS_MAIN,
	       "runs=%u ebx=0x%x eflags=0x%x link=0x%x tr=0x%x",
	       task_runs - runs, task_seen_ebx, task_seen_eflags, tss_task.link,
	       str());
}

void task_switch_tests(void)
{
	setup_gdt();
	check_jmp();
	check_call_iret();
	check_task_gate();
	/* Task switches set CR0.TS; the rest of the guest wants it clear. */
	__asm__ volatile("clts");
}
