/* SPDX-License-Identifier: MIT */
/*
 * The segment checks of one INS/OUTS element (SDM Vol.2B INS, OUTS;
 * Vol.3A 5.3, 3.4.5.1; rev 080). For the first element the CPU makes them
 * itself before the I/O exit (SDM Vol.3C 25.1.1: an unusable segment or
 * an offset past the limit is #GP with priority over the exit); a REP
 * that Keel continues must make them for every further element, and the
 * canonical check of 64-bit mode too. Pure: host-tested.
 */
#ifndef KEEL_VMX_IO_SEG_H
#define KEEL_VMX_IO_SEG_H

#include "core/types.h"
#include "core/bits.h"
#include "arch/x86/x86_defs.h"
#include "vmx/vmcs.h"

/* Type bits of a code/data descriptor (SDM Vol.3A 3.4.5.1), in the
 * VMCS access rights' VMX_AR_TYPE. */
#define IO_SEG_AR_TYPE_RW BIT(1) /* data: writable; code: readable */
#define IO_SEG_AR_TYPE_E BIT(2) /* data: expand-down */
#define IO_SEG_AR_TYPE_CODE BIT(3)
/* SS, in the VMCS order ES, CS, SS, DS, FS, GS (SDM Vol.3C B.4.3) */
#define IO_SEG_SS 2

struct io_seg {
	unsigned int index; /* 0-5, VMCS order */
	u64 base;
	u32 limit; /* in bytes: the VMCS field is already scaled by G */
	u32 ar;
	/*
	 * Real-address mode (CR0.PE 0): only the limit counts; the SDM's
	 * real-mode exceptions of INS/OUTS are limit violations alone, and
	 * the hidden descriptor of an "unreal" segment may keep any type.
	 */
	bool real;
};

/* Canonical for 48-bit linear addresses (SDM Vol.1 3.3.7.1). */
static inline bool io_seg_canonical(u64 la)
{
	s64 top = (s64)la >> 47;

	return top == 0 || top == -1;
}

static inline u8 io_seg_fault_vector(const struct io_seg *s)
{
	return s->index == IO_SEG_SS ? X86_VEC_SS : X86_VEC_GP;
}

/* The descriptor's type allows the access (SDM Vol.3A 3.4.5.1). */
static inline bool io_seg_type_ok(u32 type, bool write)
{
	/* Code: never written; read only when readable. */
	if (type & IO_SEG_AR_TYPE_CODE)
		return !write && (type & IO_SEG_AR_TYPE_RW);
	return !write || (type & IO_SEG_AR_TYPE_RW);
}

/*
 * The fault (X86_VEC_GP or X86_VEC_SS, error code 0) an access of @size
 * bytes at offset @off in @s takes, @write for INS, or 0 with the linear
 * address in *@la. @off is already cut to the address size.
 */
static inline u8 io_seg_check(const struct io_seg *s, bool mode64, u64 off,
			      unsigned int size, bool write, u64 *la)
{
	u32 type = FIELD_GET(VMX_AR_TYPE, s->ar);
	u64 last = off + size - 1, upper;

	if (mode64) {
		/* No limits and no types in 64-bit mode (SDM Vol.3A 5.2.1). */
		*la = s->base + off;
		if (!io_seg_canonical(*la) || !io_seg_canonical(*la + size - 1))
			return io_seg_fault_vector(s);
		return 0;
	}
	if (!s->real &&
	    ((s->ar & VMX_AR_UNUSABLE) || !io_seg_type_ok(type, write)))
		return X86_VEC_GP;
	if (!(type & IO_SEG_AR_TYPE_CODE) && (type & IO_SEG_AR_TYPE_E)) {
		/* Expand-down: valid offsets are limit + 1 up to 64K or 4G. */
		upper = s->ar & VMX_AR_DB ? 0xffffffffULL : 0xffffULL;
		if (off <= s->limit || last > upper)
			return io_seg_fault_vector(s);
	} else if (last > s->limit || last < off) {
		return io_seg_fault_vector(s);
	}
	*la = (u32)(s->base + off);
	return 0;
}

#endif
