// SPDX-License-Identifier: MIT
/*
 * Host tests for vmx/task_switch.c against a fake guest memory (linear =
 * physical, 64 KiB): a GDT with code, data, LDT and TSS descriptors, and
 * TSSes laid out as SDM Vol.3A figures 8-2 and 8-11 (rev 080) show them.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <string.h>
#include <cmocka.h>

#include "vmx/event.h"
#include "vmx/task_switch.h"
#include "vmx/vmcs.h"

#define MEM_SIZE 0x10000
#define GDT 0x1000
#define TSS_A 0x2000 /* the running task */
#define TSS_B 0x3000 /* the task switched to */
#define TSS_C 0x4000 /* a 16-bit TSS */

/* GDT selectors */
#define SEL_CODE 0x08
#define SEL_DATA 0x10
#define SEL_TSS_A 0x18
#define SEL_TSS_B 0x20
#define SEL_TSS_C 0x28
#define SEL_LDT 0x30
#define SEL_CODE_DPL3 0x38
#define SEL_DATA_NP 0x40 /* not present */
#define GDT_ENTRIES 9

static u8 mem[MEM_SIZE];
static int fail_writes_at = -1; /* a write touching this address fails */

static int fake_read(void *ctx, u64 gla, void *buf, size_t len)
{
	if (gla + len > MEM_SIZE)
		return -1;
	memcpy(buf, mem + gla, len);
	return 0;
}

static int fake_write(void *ctx, u64 gla, const void *buf, size_t len)
{
	if (gla + len > MEM_SIZE)
		return -1;
	if (fail_writes_at >= 0 && gla <= (u64)fail_writes_at &&
	    gla + len > (u64)fail_writes_at)
		return -1;
	memcpy(mem + gla, buf, len);
	return 0;
}

static const struct ts_mem fake = { fake_read, fake_write, NULL };

/* A descriptor from base, limit (20 bits), type, S, DPL, P, flags (G, D). */
static u64 desc(u32 base, u32 limit, u32 type, int s, int dpl, int p, u32 flags)
{
	u64 d = (limit & 0xffff) | ((u64)(base & 0xffffff) << 16);

	d |= (u64)type << 40 | (u64)s << 44 | (u64)dpl << 45 | (u64)p << 47;
	d |= (u64)((limit >> 16) & 0xf) << 48 | (u64)flags << 52;
	d |= (u64)(base >> 24) << 56;
	return d;
}

#define FLAG_D 0x4
#define FLAG_G 0x8

static u64 *gdt(u16 sel)
{
	return (u64 *)(mem + GDT + (sel & ~7));
}

static u32 *tss32(u32 base, u32 off)
{
	return (u32 *)(mem + base + off);
}

static u16 *tss16(u32 base, u32 off)
{
	return (u16 *)(mem + base + off);
}

static bool busy(u16 sel)
{
	return (*gdt(sel) >> 41) & 1;
}

static void seg_of(u16 sel, struct ts_seg *s)
{
	ts_desc_to_seg(*gdt(sel), sel, s);
}

/* Task A runs (busy); B is a 32-bit TSS ready to run; C a 16-bit one. */
static void setup(struct ts_state *s)
{
	memset(mem, 0, sizeof(mem));
	fail_writes_at = -1;
	*gdt(SEL_CODE) = desc(0, 0xfffff, 0xb, 1, 0, 1, FLAG_G | FLAG_D);
	*gdt(SEL_DATA) = desc(0, 0xfffff, 0x3, 1, 0, 1, FLAG_G | FLAG_D);
	*gdt(SEL_TSS_A) = desc(TSS_A, 0x67, 11, 0, 0, 1, 0);
	*gdt(SEL_TSS_B) = desc(TSS_B, 0x67, 9, 0, 0, 1, 0);
	*gdt(SEL_TSS_C) = desc(TSS_C, 0x2b, 1, 0, 0, 1, 0);
	*gdt(SEL_LDT) = desc(0x5000, 0xf, 2, 0, 0, 1, 0);
	*gdt(SEL_CODE_DPL3) = desc(0, 0xfffff, 0xb, 1, 3, 1, FLAG_G | FLAG_D);
	*gdt(SEL_DATA_NP) = desc(0, 0xfffff, 0x3, 1, 0, 0, FLAG_G | FLAG_D);

	/* Task B's initial state. */
	*tss32(TSS_B, 0x1c) = 0x9000; /* CR3 */
	*tss32(TSS_B, 0x20) = 0x123456; /* EIP */
	*tss32(TSS_B, 0x24) = 0x2; /* EFLAGS */
	for (int i = 0; i < 8; i++)
		*tss32(TSS_B, 0x28 + 4 * i) = 0xb0 + i;
	*tss32(TSS_B, 0x38) = 0x8000; /* ESP */
	for (int i = 0; i < 6; i++)
		*tss32(TSS_B, 0x48 + 4 * i) = i == 1 ? SEL_CODE : SEL_DATA;

	memset(s, 0, sizeof(*s));
	s->eip = 0x1111;
	s->eflags = 0x202;
	for (int i = 0; i < 8; i++)
		s->gpr[i] = 0xa0 + i;
	for (int i = 0; i < TS_NSEG; i++)
		seg_of(i == TS_CS ? SEL_CODE : SEL_DATA, &s->seg[i]);
	seg_of(SEL_TSS_A, &s->tr);
	s->ldtr.ar = VMX_AR_UNUSABLE;
	s->gdt_base = GDT;
	s->gdt_limit = GDT_ENTRIES * 8 - 1;
	s->cr0 = 0x11;
	s->cr3 = 0x7000;
}

static enum ts_result run(struct ts_state *s, enum eq_ts_source src, u16 sel,
			  struct ts_fault *f)
{
	struct ts_request rq = { .source = src, .sel = sel };

	return task_switch(s, &fake, &rq, f);
}

static void test_jmp(void **state)
{
	struct ts_state s;
	struct ts_fault f = { 0 };

	setup(&s);
	assert_int_equal(run(&s, EQ_TS_JMP, SEL_TSS_B, &f), TS_DONE);
	/* The old task's state is in its TSS, its busy bit gone. */
	assert_int_equal(*tss32(TSS_A, 0x20), 0x1111);
	assert_int_equal(*tss32(TSS_A, 0x24), 0x202);
	assert_int_equal(*tss32(TSS_A, 0x34), 0xa3); /* EBX */
	assert_int_equal(*tss32(TSS_A, 0x4c), SEL_CODE);
	assert_false(busy(SEL_TSS_A));
	assert_true(busy(SEL_TSS_B));
	/* JMP leaves no back-link and no NT. */
	assert_int_equal(*tss32(TSS_B, 0), 0);
	assert_false(s.eflags & BIT(14));
	/* The new task's registers. */
	assert_int_equal(s.eip, 0x123456);
	assert_int_equal(s.gpr[TS_EAX], 0xb0);
	assert_int_equal(s.gpr[TS_ESP], 0x8000);
	assert_int_equal(s.gpr[TS_EDI], 0xb7);
	assert_true(s.cr3_changed);
	assert_int_equal(s.cr3, 0x9000);
	assert_true(s.cr0 & BIT(3)); /* CR0.TS */
	assert_int_equal(s.tr.sel, SEL_TSS_B);
	assert_int_equal(s.tr.base, TSS_B);
	assert_int_equal(FIELD_GET(VMX_AR_TYPE, s.tr.ar), 11); /* busy */
	assert_int_equal(s.seg[TS_CS].sel, SEL_CODE);
	assert_int_equal(s.seg[TS_CS].limit, 0xffffffff);
	/* Loading a descriptor sets its accessed bit. */
	assert_true(*gdt(SEL_DATA) & BIT(40));
	assert_true(s.ldtr.ar & VMX_AR_UNUSABLE);
}

static void test_call_then_iret(void **state)
{
	struct ts_state s;
	struct ts_fault f = { 0 };

	setup(&s);
	assert_int_equal(run(&s, EQ_TS_CALL, SEL_TSS_B, &f), TS_DONE);
	assert_int_equal(*tss32(TSS_B, 0), SEL_TSS_A); /* back-link */
	assert_true(s.eflags & BIT(14)); /* NT */
	assert_true(busy(SEL_TSS_A));
	assert_true(busy(SEL_TSS_B));

	/* IRET with NT goes back along the link (read by the CPU; the exit
	 * gives its selector). */
	s.eip = 0x123460;
	assert_int_equal(run(&s, EQ_TS_IRET, SEL_TSS_A, &f), TS_DONE);
	assert_false(busy(SEL_TSS_B));
	assert_true(busy(SEL_TSS_A));
	/* B was saved with NT clear. */
	assert_false(*tss32(TSS_B, 0x24) & BIT(14));
	assert_int_equal(*tss32(TSS_B, 0x20), 0x123460);
	/* A resumes as it was saved by the CALL. */
	assert_int_equal(s.eip, 0x1111);
	assert_int_equal(s.eflags, 0x202);
	assert_int_equal(s.gpr[TS_EBX], 0xa3);
	assert_int_equal(s.tr.sel, SEL_TSS_A);
}

static void test_checks_before_commit(void **state)
{
	struct ts_state s, before;
	struct ts_fault f = { 0 };

	/* JMP or CALL to a busy TSS: #GP(selector). */
	setup(&s);
	before = s;
	assert_int_equal(run(&s, EQ_TS_JMP, SEL_TSS_A, &f), TS_FAULT);
	assert_int_equal(f.vector, X86_VEC_GP);
	assert_int_equal(f.error, SEL_TSS_A);
	assert_false(f.in_new_task);
	assert_memory_equal(&s, &before, sizeof(s));
	assert_true(busy(SEL_TSS_A));

	/* IRET to a TSS that is not busy: #TS(selector). */
	assert_int_equal(run(&s, EQ_TS_IRET, SEL_TSS_B, &f), TS_FAULT);
	assert_int_equal(f.vector, X86_VEC_TS);
	assert_int_equal(f.error, SEL_TSS_B);

	/* Not present: #NP. */
	*gdt(SEL_TSS_B) &= ~BIT(47);
	assert_int_equal(run(&s, EQ_TS_CALL, SEL_TSS_B, &f), TS_FAULT);
	assert_int_equal(f.vector, X86_VEC_NP);
	assert_int_equal(f.error, SEL_TSS_B);

	/* Limit below 67h for a 32-bit TSS: #TS. */
	setup(&s);
	*gdt(SEL_TSS_B) = desc(TSS_B, 0x66, 9, 0, 0, 1, 0);
	assert_int_equal(run(&s, EQ_TS_JMP, SEL_TSS_B, &f), TS_FAULT);
	assert_int_equal(f.vector, X86_VEC_TS);

	/* Not a TSS, or beyond the GDT: #GP; EXT set for an external event. */
	setup(&s);
	struct ts_request rq = { .source = EQ_TS_GATE,
				 .sel = SEL_DATA,
				 .external = true };
	assert_int_equal(task_switch(&s, &fake, &rq, &f), TS_FAULT);
	assert_int_equal(f.vector, X86_VEC_GP);
	assert_int_equal(f.error, SEL_DATA | 1);
	assert_int_equal(run(&s, EQ_TS_JMP, 0x100, &f), TS_FAULT);
	assert_int_equal(f.vector, X86_VEC_GP);
	assert_int_equal(f.error, 0x100);
}

static void test_checks_after_commit(void **state)
{
	struct ts_state s;
	struct ts_fault f = { 0 };

	/* A CS whose DPL is not its RPL: #TS(CS) in the new task. */
	setup(&s);
	*tss32(TSS_B, 0x4c) = SEL_CODE_DPL3;
	assert_int_equal(run(&s, EQ_TS_JMP, SEL_TSS_B, &f), TS_FAULT);
	assert_int_equal(f.vector, X86_VEC_TS);
	assert_int_equal(f.error, SEL_CODE_DPL3);
	assert_true(f.in_new_task);
	assert_int_equal(s.eip, 0x123456);
	assert_true(busy(SEL_TSS_B));

	/* A data segment not present: #NP(selector). */
	setup(&s);
	*tss32(TSS_B, 0x54) = SEL_DATA_NP; /* DS */
	assert_int_equal(run(&s, EQ_TS_JMP, SEL_TSS_B, &f), TS_FAULT);
	assert_int_equal(f.vector, X86_VEC_NP);
	assert_int_equal(f.error, SEL_DATA_NP);

	/* SS not present: #SS. */
	setup(&s);
	*tss32(TSS_B, 0x50) = SEL_DATA_NP;
	assert_int_equal(run(&s, EQ_TS_JMP, SEL_TSS_B, &f), TS_FAULT);
	assert_int_equal(f.vector, X86_VEC_SS);

	/* A null SS: #TS. A null DS is fine (unusable). */
	setup(&s);
	*tss32(TSS_B, 0x50) = 0;
	assert_int_equal(run(&s, EQ_TS_JMP, SEL_TSS_B, &f), TS_FAULT);
	assert_int_equal(f.vector, X86_VEC_TS);
	setup(&s);
	*tss32(TSS_B, 0x54) = 0;
	assert_int_equal(run(&s, EQ_TS_JMP, SEL_TSS_B, &f), TS_DONE);
	assert_true(s.seg[TS_DS].ar & VMX_AR_UNUSABLE);

	/* An LDT selector that is not an LDT: #TS(LDT selector). */
	setup(&s);
	*tss32(TSS_B, 0x60) = SEL_DATA;
	assert_int_equal(run(&s, EQ_TS_JMP, SEL_TSS_B, &f), TS_FAULT);
	assert_int_equal(f.vector, X86_VEC_TS);
	assert_int_equal(f.error, SEL_DATA);
	/* A real LDT loads. */
	setup(&s);
	*tss32(TSS_B, 0x60) = SEL_LDT;
	assert_int_equal(run(&s, EQ_TS_JMP, SEL_TSS_B, &f), TS_DONE);
	assert_int_equal(s.ldtr.base, 0x5000);
	assert_int_equal(FIELD_GET(VMX_AR_TYPE, s.ldtr.ar), 2);
}

static void test_16bit_tss(void **state)
{
	struct ts_state s;
	struct ts_fault f = { 0 };

	setup(&s);
	*tss16(TSS_C, 0x0e) = 0x4321; /* IP */
	*tss16(TSS_C, 0x10) = 0x0002; /* FLAGS */
	for (int i = 0; i < 8; i++)
		*tss16(TSS_C, 0x12 + 2 * i) = 0xc0 + i;
	*tss16(TSS_C, 0x22) = SEL_DATA; /* ES */
	*tss16(TSS_C, 0x24) = SEL_CODE;
	*tss16(TSS_C, 0x26) = SEL_DATA;
	*tss16(TSS_C, 0x28) = SEL_DATA;
	seg_of(SEL_CODE, &s.seg[TS_FS]); /* 16-bit TSS: FS, GS stay */
	assert_int_equal(run(&s, EQ_TS_CALL, SEL_TSS_C, &f), TS_DONE);
	assert_int_equal(*tss16(TSS_C, 0), SEL_TSS_A);
	assert_int_equal(s.eip, 0x4321);
	assert_int_equal(s.gpr[TS_EDX], 0xc2);
	assert_false(s.cr3_changed);
	assert_int_equal(s.seg[TS_FS].sel, SEL_CODE);
	assert_int_equal(FIELD_GET(VMX_AR_TYPE, s.tr.ar), 3); /* 16-bit busy */
	assert_true(s.eflags & BIT(14));

	/* Back by IRET: C is saved in the 16-bit layout. */
	s.eip = 0x4330;
	s.gpr[TS_EBX] = 0x77;
	assert_int_equal(run(&s, EQ_TS_IRET, SEL_TSS_A, &f), TS_DONE);
	assert_int_equal(*tss16(TSS_C, 0x0e), 0x4330);
	assert_int_equal(*tss16(TSS_C, 0x18), 0x77); /* BX */
	assert_false(busy(SEL_TSS_C));
}

static void test_gate_pushes_error_code(void **state)
{
	struct ts_state s;
	struct ts_fault f = { 0 };
	struct ts_request rq = { .source = EQ_TS_GATE,
				 .sel = SEL_TSS_B,
				 .external = true,
				 .push_error = true,
				 .error = 0x58 };

	setup(&s);
	assert_int_equal(task_switch(&s, &fake, &rq, &f), TS_DONE);
	assert_int_equal(s.gpr[TS_ESP], 0x8000 - 4);
	assert_int_equal(*(u32 *)(mem + 0x8000 - 4), 0x58);
	assert_int_equal(*tss32(TSS_B, 0), SEL_TSS_A); /* nested */
	assert_true(s.eflags & BIT(14));
}

static void test_memory_failure(void **state)
{
	struct ts_state s;
	struct ts_fault f = { 0 };

	setup(&s);
	s.tr.base = MEM_SIZE - 8; /* the old TSS runs off the memory */
	assert_int_equal(run(&s, EQ_TS_JMP, SEL_TSS_B, &f), TS_MEMORY);
}

/*
 * The EFLAGS image in a TSS is guest memory: bits the CPU reserves (1, 3,
 * 5, 15, 31:22) must not reach the guest's RFLAGS, since VM entry refuses
 * them (SDM Vol.3C 27.3.1.4) and the guest would be stopped instead of
 * switching. Bit 1 reads 1.
 */
static void test_reserved_eflags_bits(void **state)
{
	struct ts_state s;
	struct ts_fault f = { 0 };

	setup(&s);
	*tss32(TSS_B, 0x24) = 0xffc08028U | 0x200; /* reserved bits, IF */
	assert_int_equal(run(&s, EQ_TS_JMP, SEL_TSS_B, &f), TS_DONE);
	assert_int_equal(s.eflags, 0x202);

	setup(&s);
	*tss16(TSS_C, 0x10) = 0x8028 | 0x200; /* 16-bit FLAGS */
	*tss16(TSS_C, 0x22) = SEL_DATA;
	*tss16(TSS_C, 0x24) = SEL_CODE;
	*tss16(TSS_C, 0x26) = SEL_DATA;
	*tss16(TSS_C, 0x28) = SEL_DATA;
	assert_int_equal(run(&s, EQ_TS_JMP, SEL_TSS_C, &f), TS_DONE);
	assert_int_equal(s.eflags, 0x202);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_jmp),
		cmocka_unit_test(test_call_then_iret),
		cmocka_unit_test(test_checks_before_commit),
		cmocka_unit_test(test_checks_after_commit),
		cmocka_unit_test(test_16bit_tss),
		cmocka_unit_test(test_gate_pushes_error_code),
		cmocka_unit_test(test_memory_failure),
		cmocka_unit_test(test_reserved_eflags_bits),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
