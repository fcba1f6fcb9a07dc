// SPDX-License-Identifier: MIT
/*
 * Hardware task switch (SDM Vol.3A 8.3, rev 080): TSS checks, saving the
 * outgoing task into its TSS, busy bits, NT and the back-link, and loading
 * the incoming task with its segment descriptors checked as table 8-1
 * lists. 32-bit (figure 8-2) and 16-bit (figure 8-11) TSS formats. Pure;
 * see vmx/task_switch.h.
 */
#include "core/lib.h"
#include "vmx/event.h"
#include "vmx/task_switch.h"
#include "vmx/vmcs.h"

/* Segment descriptor fields, SDM Vol.3A 3.4.5 (bit numbers in the
 * 64-bit descriptor). */
#define DESC_TYPE_SHIFT 40
#define DESC_TYPE GENMASK(43, 40)
#define DESC_ACCESSED BIT(40)
#define DESC_TSS_BUSY BIT(41)

/* System descriptor types (S=0), SDM Vol.3A table 3-2. */
#define SYS_TSS16_AVAIL 1
#define SYS_LDT 2
#define SYS_TSS16_BUSY 3
#define SYS_TSS32_AVAIL 9
#define SYS_TSS32_BUSY 11
#define SYS_TSS_BUSY_BIT BIT(1)
#define SYS_TSS_32BIT BIT(3)
/* Code/data type bits (S=1), SDM Vol.3A table 3-1. */
#define SEG_TYPE_CODE BIT(3)
#define SEG_TYPE_CONFORMING BIT(2) /* code */
#define SEG_TYPE_READABLE BIT(1) /* code */
#define SEG_TYPE_WRITABLE BIT(1) /* data */

/* Selector fields, SDM Vol.3A 3.4.2. */
#define SEL_RPL GENMASK(1, 0)
#define SEL_TI BIT(2)
#define SEL_INDEX_MASK 0xfff8U
/* Error code of a selector fault: index and TI, EXT in bit 0 (SDM Vol.3A
 * 6.13). */
#define ERR_EXT BIT(0)

/* 32-bit TSS, figure 8-2: byte offsets. */
#define TSS32_LINK 0x00
#define TSS32_CR3 0x1c
#define TSS32_EIP 0x20 /* EIP, EFLAGS, 8 GPRs, 6 selectors: 0x20-0x5f */
#define TSS32_LDT 0x60
#define TSS32_MIN_LIMIT 0x67
/* 16-bit TSS, figure 8-11. */
#define TSS16_LINK 0x00
#define TSS16_IP 0x0e /* IP, FLAGS, 8 GPRs, ES CS SS DS: 0x0e-0x29 */
#define TSS16_LDT 0x2a
#define TSS16_MIN_LIMIT 0x2b
#define TSS16_NSEG 4 /* ES, CS, SS, DS: no FS or GS */

/* EFLAGS bits, SDM Vol.1 3.4.3 */
#define EFL_FIXED BIT(1)
/* The bits that exist (figure 3-8): 0, 2, 4, 6-14, 16-21. The others
 * cannot be set, and VM entry refuses them (SDM Vol.3C 27.3.1.4). */
#define EFL_DEFINED 0x003f7fd5U
#define EFL_NT BIT(14)
#define EFL_VM BIT(17)
#define CR0_TS BIT(3)

/* The dynamic part of a 32-bit TSS, as it lies in memory. */
struct tss32_dyn {
	u32 eip, eflags, gpr[8], sel[TS_NSEG];
} __attribute__((packed));

struct tss16_dyn {
	u16 ip, flags, gpr[8], sel[TSS16_NSEG];
} __attribute__((packed));

_Static_assert(sizeof(struct tss32_dyn) == TSS32_LDT - TSS32_EIP, "tss32");
_Static_assert(sizeof(struct tss16_dyn) == TSS16_LDT - TSS16_IP, "tss16");

struct ts_ctx {
	struct ts_state *s;
	const struct ts_mem *m;
	const struct ts_request *rq;
	struct ts_fault *fault;
};

static enum ts_result raise(struct ts_ctx *c, u8 vector, u16 sel)
{
	c->fault->vector = vector;
	c->fault->error = (sel & (SEL_INDEX_MASK | SEL_TI)) |
			  (c->rq->external ? ERR_EXT : 0);
	return TS_FAULT;
}

static int rd(struct ts_ctx *c, u64 gla, void *buf, size_t len)
{
	return c->m->read(c->m->ctx, gla, buf, len);
}

static int wr(struct ts_ctx *c, u64 gla, const void *buf, size_t len)
{
	return c->m->write(c->m->ctx, gla, buf, len);
}

void ts_desc_to_seg(u64 desc, u16 sel, struct ts_seg *seg)
{
	u32 lo = (u32)desc, hi = (u32)(desc >> 32);

	seg->sel = sel;
	seg->base = (lo >> 16) | ((hi & 0xff) << 16) | (hi & 0xff000000U);
	seg->limit = (lo & 0xffff) | (hi & 0xf0000);
	/* Access rights: descriptor bits 47:40 and 55:52, SDM Vol.3C 25.4.1 */
	seg->ar = (hi >> 8) & 0xf0ff;
	if (seg->ar & VMX_AR_G)
		seg->limit = (seg->limit << 12) | 0xfff;
}

static unsigned int desc_type(u64 d)
{
	return FIELD_GET(DESC_TYPE, d);
}

static bool desc_s(u64 d)
{
	return d & BIT(44);
}

static unsigned int desc_dpl(u64 d)
{
	return FIELD_GET(GENMASK(46, 45), d);
}

static bool desc_present(u64 d)
{
	return d & BIT(47);
}

/* Address of @sel's descriptor in the GDT or @ldt, or false if it lies
 * outside the table. */
static bool desc_addr(const struct ts_state *s, const struct ts_seg *ldt,
		      u16 sel, u64 *gla)
{
	u32 base = s->gdt_base, limit = s->gdt_limit;

	if (sel & SEL_TI) {
		if (!ldt || (ldt->ar & VMX_AR_UNUSABLE))
			return false;
		base = ldt->base;
		limit = ldt->limit;
	}
	if ((u32)(sel | 7) > limit)
		return false;
	*gla = (u64)base + (sel & SEL_INDEX_MASK);
	return true;
}

static int read_desc(struct ts_ctx *c, u16 sel, u64 *desc, u64 *gla)
{
	if (!desc_addr(c->s, &c->s->ldtr, sel, gla))
		return 1;
	return rd(c, *gla, desc, sizeof(*desc)) ? -1 : 0;
}

/* Steps 1-4: the new TSS descriptor must be a TSS in the GDT, present,
 * large enough, and busy exactly when IRET returns to it. */
static enum ts_result check_new_tss(struct ts_ctx *c, u64 *desc, u64 *gla)
{
	u16 sel = c->rq->sel;
	unsigned int type, busy_wanted;
	struct ts_seg seg;
	int r;

	if (sel & SEL_TI)
		return raise(c, X86_VEC_GP, sel);
	r = read_desc(c, sel, desc, gla);
	if (r < 0)
		return TS_MEMORY;
	if (r > 0)
		return raise(c, X86_VEC_GP, sel);
	type = desc_type(*desc);
	busy_wanted = c->rq->source == EQ_TS_IRET ? SYS_TSS_BUSY_BIT : 0;
	if (desc_s(*desc) ||
	    (type & ~(SYS_TSS_32BIT | SYS_TSS_BUSY_BIT)) != SYS_TSS16_AVAIL)
		return raise(c, X86_VEC_GP, sel);
	if ((type & SYS_TSS_BUSY_BIT) != busy_wanted)
		return raise(c, busy_wanted ? X86_VEC_TS : X86_VEC_GP, sel);
	if (!desc_present(*desc))
		return raise(c, X86_VEC_NP, sel);
	ts_desc_to_seg(*desc, sel, &seg);
	if (seg.limit <
	    ((type & SYS_TSS_32BIT) ? TSS32_MIN_LIMIT : TSS16_MIN_LIMIT))
		return raise(c, X86_VEC_TS, sel);
	return TS_DONE;
}

static int set_busy(struct ts_ctx *c, u16 sel, bool busy)
{
	u64 desc, gla;

	if (read_desc(c, sel, &desc, &gla))
		return -1;
	if (busy)
		desc |= DESC_TSS_BUSY;
	else
		desc &= ~DESC_TSS_BUSY;
	return wr(c, gla, &desc, sizeof(desc));
}

/* Step 7: the outgoing task's dynamic state into its own TSS. */
static int save_old(struct ts_ctx *c, u32 eflags)
{
	const struct ts_state *s = c->s;
	bool is32 = FIELD_GET(VMX_AR_TYPE, s->tr.ar) & SYS_TSS_32BIT;

	if (is32) {
		struct tss32_dyn t = { .eip = s->eip, .eflags = eflags };

		for (int i = 0; i < 8; i++)
			t.gpr[i] = s->gpr[i];
		for (int i = 0; i < TS_NSEG; i++)
			t.sel[i] = s->seg[i].sel;
		return wr(c, (u64)s->tr.base + TSS32_EIP, &t, sizeof(t));
	}
	struct tss16_dyn t = { .ip = (u16)s->eip, .flags = (u16)eflags };

	for (int i = 0; i < 8; i++)
		t.gpr[i] = (u16)s->gpr[i];
	for (int i = 0; i < TSS16_NSEG; i++)
		t.sel[i] = s->seg[i].sel;
	return wr(c, (u64)s->tr.base + TSS16_IP, &t, sizeof(t));
}

/* The new task's registers and selectors, not yet its descriptors. */
static int load_new(struct ts_ctx *c, const struct ts_seg *tss, bool is32,
		    u16 sel[TS_NSEG], u16 *ldt)
{
	struct ts_state *s = c->s;

	if (is32) {
		struct tss32_dyn t;
		u32 cr3, ldt32;

		if (rd(c, (u64)tss->base + TSS32_EIP, &t, sizeof(t)) ||
		    rd(c, (u64)tss->base + TSS32_CR3, &cr3, sizeof(cr3)) ||
		    rd(c, (u64)tss->base + TSS32_LDT, &ldt32, sizeof(ldt32)))
			return -1;
		s->eip = t.eip;
		s->eflags = t.eflags;
		for (int i = 0; i < 8; i++)
			s->gpr[i] = t.gpr[i];
		for (int i = 0; i < TS_NSEG; i++)
			sel[i] = (u16)t.sel[i];
		*ldt = (u16)ldt32;
		s->cr3 = cr3;
		s->cr3_changed = true;
		return 0;
	}
	struct tss16_dyn t;

	if (rd(c, (u64)tss->base + TSS16_IP, &t, sizeof(t)) ||
	    rd(c, (u64)tss->base + TSS16_LDT, ldt, sizeof(*ldt)))
		return -1;
	s->eip = t.ip;
	s->eflags = t.flags;
	for (int i = 0; i < 8; i++)
		s->gpr[i] = t.gpr[i];
	for (int i = 0; i < TS_NSEG; i++)
		sel[i] = i < TSS16_NSEG ? t.sel[i] : s->seg[i].sel;
	return 0;
}

static void make_unusable(struct ts_seg *seg, u16 sel)
{
	seg->sel = sel;
	seg->base = 0;
	seg->limit = 0;
	seg->ar = VMX_AR_UNUSABLE;
}

/* The CPU marks a descriptor accessed when it loads it. */
static int set_accessed(struct ts_ctx *c, u64 desc, u64 gla)
{
	if (desc & DESC_ACCESSED)
		return 0;
	desc |= DESC_ACCESSED;
	return wr(c, gla, &desc, sizeof(desc));
}

/* The LDT selector: null, or an LDT descriptor in the GDT (#TS). */
static enum ts_result load_ldt(struct ts_ctx *c, u16 sel)
{
	u64 desc, gla;
	int r;

	if (!(sel & SEL_INDEX_MASK)) {
		make_unusable(&c->s->ldtr, sel);
		return TS_DONE;
	}
	if (sel & SEL_TI)
		return raise(c, X86_VEC_TS, sel);
	r = read_desc(c, sel, &desc, &gla);
	if (r < 0)
		return TS_MEMORY;
	if (r > 0 || desc_s(desc) || desc_type(desc) != SYS_LDT)
		return raise(c, X86_VEC_TS, sel);
	if (!desc_present(desc))
		return raise(c, X86_VEC_NP, sel);
	ts_desc_to_seg(desc, sel, &c->s->ldtr);
	return TS_DONE;
}

/* Table 8-1 rules for one segment register; @cpl is the new CS.RPL. */
static bool seg_ok(enum ts_sreg r, u64 desc, u16 sel, unsigned int cpl)
{
	unsigned int type = desc_type(desc), dpl = desc_dpl(desc);
	unsigned int rpl = sel & SEL_RPL;

	if (!desc_s(desc))
		return false;
	if (r == TS_CS) {
		if (!(type & SEG_TYPE_CODE))
			return false;
		return (type & SEG_TYPE_CONFORMING) ? dpl <= rpl : dpl == rpl;
	}
	if (r == TS_SS)
		return !(type & SEG_TYPE_CODE) && (type & SEG_TYPE_WRITABLE) &&
		       rpl == cpl && dpl == cpl;
	if ((type & SEG_TYPE_CODE) && !(type & SEG_TYPE_READABLE))
		return false;
	/* Data and non-conforming code: DPL >= max(CPL, RPL). */
	if (!(type & SEG_TYPE_CODE) || !(type & SEG_TYPE_CONFORMING))
		return dpl >= MAX(cpl, rpl);
	return true;
}

static enum ts_result load_seg(struct ts_ctx *c, enum ts_sreg r, u16 sel,
			       unsigned int cpl)
{
	u64 desc, gla;
	int res;

	if (!(sel & SEL_INDEX_MASK) && !(sel & SEL_TI)) {
		if (r == TS_CS || r == TS_SS)
			return raise(c, X86_VEC_TS, sel);
		make_unusable(&c->s->seg[r], sel);
		return TS_DONE;
	}
	res = read_desc(c, sel, &desc, &gla);
	if (res < 0)
		return TS_MEMORY;
	if (res > 0 || !seg_ok(r, desc, sel, cpl))
		return raise(c, X86_VEC_TS, sel);
	if (!desc_present(desc))
		return raise(c, r == TS_SS ? X86_VEC_SS : X86_VEC_NP, sel);
	if (set_accessed(c, desc, gla))
		return TS_MEMORY;
	ts_desc_to_seg(desc | DESC_ACCESSED, sel, &c->s->seg[r]);
	return TS_DONE;
}

/* Virtual-8086 segments: base = selector * 16, 64 KiB, DPL 3 (SDM
 * Vol.3A 20.1.1); VM entry wants exactly these (SDM Vol.3C 27.3.1.2). */
static void load_v86(struct ts_state *s, const u16 sel[TS_NSEG])
{
	for (int i = 0; i < TS_NSEG; i++) {
		s->seg[i].sel = sel[i];
		s->seg[i].base = (u32)sel[i] << 4;
		s->seg[i].limit = 0xffff;
		s->seg[i].ar = 0xf3;
	}
}

/* Step 12: the descriptors, in the order KVM and the SDM's table use:
 * LDTR first (selectors may point into the new LDT), then CS, SS, and the
 * data segments. */
static enum ts_result load_segments(struct ts_ctx *c, const u16 sel[TS_NSEG],
				    u16 ldt, bool is32)
{
	/* A 16-bit TSS has no FS or GS: they stay as they are. */
	int n = is32 ? TS_NSEG : TSS16_NSEG;
	static const enum ts_sreg order[TS_NSEG] = { TS_CS, TS_SS, TS_DS,
						     TS_ES, TS_FS, TS_GS };
	unsigned int cpl = sel[TS_CS] & SEL_RPL;
	enum ts_result r = load_ldt(c, ldt);

	if (r != TS_DONE)
		return r;
	if (c->s->eflags & EFL_VM) {
		load_v86(c->s, sel);
		return TS_DONE;
	}
	for (int i = 0; i < n; i++) {
		r = load_seg(c, order[i], sel[order[i]], cpl);
		if (r != TS_DONE)
			return r;
	}
	return TS_DONE;
}

/* An exception delivered through a task gate pushes its error code on
 * the new task's stack (SDM Vol.3A 6.12.2). */
static enum ts_result push_error(struct ts_ctx *c, bool is32)
{
	struct ts_state *s = c->s;
	u32 n = is32 ? 4 : 2;
	u32 esp = s->gpr[TS_ESP] - n;

	if (wr(c, (u64)s->seg[TS_SS].base + esp, &c->rq->error, n))
		return TS_MEMORY;
	s->gpr[TS_ESP] = esp;
	return TS_DONE;
}

static enum ts_result commit(struct ts_ctx *c, u64 new_desc)
{
	struct ts_state *s = c->s;
	enum eq_ts_source src = c->rq->source;
	bool nested = src == EQ_TS_CALL || src == EQ_TS_GATE;
	u16 old_sel = s->tr.sel, sel[TS_NSEG], ldt;
	u32 eflags = s->eflags;
	struct ts_seg tss;
	bool is32;
	enum ts_result r;

	/* Steps 5-7: the old task gives up its busy bit on JMP and IRET;
	 * IRET saves it with NT clear. */
	if ((src == EQ_TS_JMP || src == EQ_TS_IRET) &&
	    set_busy(c, old_sel, false))
		return TS_MEMORY;
	if (src == EQ_TS_IRET)
		eflags &= ~EFL_NT;
	if (save_old(c, eflags))
		return TS_MEMORY;
	/* Steps 8-11: back-link and busy bit of the new task, then TR. */
	ts_desc_to_seg(new_desc, c->rq->sel, &tss);
	is32 = FIELD_GET(VMX_AR_TYPE, tss.ar) & SYS_TSS_32BIT;
	if (nested && wr(c, (u64)tss.base + (is32 ? TSS32_LINK : TSS16_LINK),
			 &old_sel, sizeof(old_sel)))
		return TS_MEMORY;
	if (src != EQ_TS_IRET && set_busy(c, c->rq->sel, true))
		return TS_MEMORY;
	tss.ar |= SYS_TSS_BUSY_BIT;
	if (load_new(c, &tss, is32, sel, &ldt))
		return TS_MEMORY;
	s->tr = tss;
	/* The new EFLAGS come from guest memory: keep what can exist. */
	s->eflags = (s->eflags & EFL_DEFINED) | EFL_FIXED;
	if (nested)
		s->eflags |= EFL_NT;
	s->cr0 |= CR0_TS;
	for (int i = 0; i < TS_NSEG; i++)
		s->seg[i].sel = sel[i];
	/* Past the commit point: faults belong to the new task. */
	c->fault->in_new_task = true;
	r = load_segments(c, sel, ldt, is32);
	if (r == TS_DONE && c->rq->push_error)
		r = push_error(c, is32);
	return r;
}

enum ts_result task_switch(struct ts_state *s, const struct ts_mem *m,
			   const struct ts_request *rq, struct ts_fault *fault)
{
	struct ts_ctx c = { s, m, rq, fault };
	u64 desc, gla;
	enum ts_result r;

	s->cr3_changed = false;
	fault->in_new_task = false;
	r = check_new_tss(&c, &desc, &gla);
	if (r != TS_DONE)
		return r;
	return commit(&c, desc);
}
