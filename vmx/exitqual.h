/* SPDX-License-Identifier: MIT */
/*
 * Exit-qualification decoders: pure inline helpers, one per field, so the
 * exit handlers read as the SDM tables do. Host-tested in
 * tests/host/test_vmx_exitqual.c. Layouts: SDM Vol.3C 28.2.1 (rev 080).
 */
#ifndef KEEL_VMX_EXITQUAL_H
#define KEEL_VMX_EXITQUAL_H

#include "core/types.h"

/* ---- Task switch (exit reason 9), SDM Vol.3C 28.2.1 table 28-2 ---- */
#define EQ_TS_SELECTOR GENMASK(15, 0)
#define EQ_TS_SOURCE GENMASK(31, 30)

enum eq_ts_source {
	EQ_TS_CALL = 0,
	EQ_TS_IRET = 1,
	EQ_TS_JMP = 2,
	EQ_TS_GATE = 3, /* a task gate in the IDT */
};

static inline u16 eq_ts_selector(u64 q)
{
	return FIELD_GET(EQ_TS_SELECTOR, q);
}

static inline enum eq_ts_source eq_ts_source(u64 q)
{
	return (enum eq_ts_source)FIELD_GET(EQ_TS_SOURCE, q);
}

/* ---- Control-register access (exit reason 28), SDM Vol.3C 28.2.1 ---- */
#define EQ_CR_NUMBER GENMASK(3, 0)
#define EQ_CR_ACCESS_TYPE GENMASK(5, 4)
#define EQ_CR_LMSW_MEMORY BIT(6)
#define EQ_CR_GPR GENMASK(11, 8)
#define EQ_CR_LMSW_SOURCE GENMASK(31, 16)

enum eq_cr_access {
	EQ_CR_MOV_TO_CR = 0,
	EQ_CR_MOV_FROM_CR = 1,
	EQ_CR_CLTS = 2,
	EQ_CR_LMSW = 3,
};

static inline unsigned int eq_cr_number(u64 q)
{
	return FIELD_GET(EQ_CR_NUMBER, q);
}

static inline enum eq_cr_access eq_cr_access_type(u64 q)
{
	return (enum eq_cr_access)FIELD_GET(EQ_CR_ACCESS_TYPE, q);
}

/* GPR index in the VMX order RAX=0 ... R15=15, for MOV to/from CR. */
static inline unsigned int eq_cr_gpr(u64 q)
{
	return FIELD_GET(EQ_CR_GPR, q);
}

/* LMSW: true when the operand was in memory (then GLA is valid). */
static inline bool eq_cr_lmsw_from_memory(u64 q)
{
	return q & EQ_CR_LMSW_MEMORY;
}

static inline u16 eq_cr_lmsw_source(u64 q)
{
	return FIELD_GET(EQ_CR_LMSW_SOURCE, q);
}

/* ---- MOV DR (exit reason 29), SDM Vol.3C 28.2.1 ---- */
#define EQ_DR_NUMBER GENMASK(2, 0)
#define EQ_DR_FROM_DR BIT(4)
#define EQ_DR_GPR GENMASK(11, 8)

static inline unsigned int eq_dr_number(u64 q)
{
	return FIELD_GET(EQ_DR_NUMBER, q);
}

/* True for MOV from DR (a read into a GPR), false for MOV to DR. */
static inline bool eq_dr_is_read(u64 q)
{
	return q & EQ_DR_FROM_DR;
}

static inline unsigned int eq_dr_gpr(u64 q)
{
	return FIELD_GET(EQ_DR_GPR, q);
}

/* ---- I/O instruction (exit reason 30), SDM Vol.3C 28.2.1 ---- */
#define EQ_IO_SIZE GENMASK(2, 0) /* 0 = 1 byte, 1 = 2 bytes, 3 = 4 bytes */
#define EQ_IO_IN BIT(3)
#define EQ_IO_STRING BIT(4)
#define EQ_IO_REP BIT(5)
#define EQ_IO_IMMEDIATE BIT(6) /* port from the instruction, not DX */
#define EQ_IO_PORT GENMASK(31, 16)

/* Access size in bytes, or 0 for the encodings the SDM leaves undefined. */
static inline unsigned int eq_io_size(u64 q)
{
	switch (FIELD_GET(EQ_IO_SIZE, q)) {
	case 0:
		return 1;
	case 1:
		return 2;
	case 3:
		return 4;
	default:
		return 0;
	}
}

static inline bool eq_io_is_in(u64 q)
{
	return q & EQ_IO_IN;
}

static inline bool eq_io_is_string(u64 q)
{
	return q & EQ_IO_STRING;
}

static inline bool eq_io_is_rep(u64 q)
{
	return q & EQ_IO_REP;
}

static inline bool eq_io_port_immediate(u64 q)
{
	return q & EQ_IO_IMMEDIATE;
}

static inline u16 eq_io_port(u64 q)
{
	return FIELD_GET(EQ_IO_PORT, q);
}

/*
 * VM-exit instruction-information for INS/OUTS (when IA32_VMX_BASIC[54]),
 * SDM Vol.3C 28.2.5: address size in 9:7 (0 = 16, 1 = 32, 2 = 64 bit) and,
 * for OUTS, the segment register in 17:15.
 */
#define INSN_INFO_IO_ADDR_SIZE GENMASK(9, 7)
#define INSN_INFO_IO_SEGMENT GENMASK(17, 15)

static inline unsigned int insn_info_io_addr_bytes(u32 info)
{
	return 2u << FIELD_GET(INSN_INFO_IO_ADDR_SIZE, info);
}

static inline unsigned int insn_info_io_segment(u32 info)
{
	return FIELD_GET(INSN_INFO_IO_SEGMENT, info);
}

/* ---- EPT violation (exit reason 48), SDM Vol.3C 28.2.1 ---- */
#define EQ_EPT_READ BIT(0)
#define EQ_EPT_WRITE BIT(1)
#define EQ_EPT_FETCH BIT(2)
#define EQ_EPT_READABLE BIT(3)
#define EQ_EPT_WRITABLE BIT(4)
#define EQ_EPT_EXECUTABLE BIT(5)
#define EQ_EPT_USER_EXECUTABLE BIT(6)
#define EQ_EPT_GLA_VALID BIT(7)
#define EQ_EPT_GLA_TRANSLATED BIT(8) /* only meaningful with GLA_VALID */
#define EQ_EPT_USER_MODE BIT(9) /* advanced VM-exit information */
#define EQ_EPT_GLA_WRITABLE BIT(10)
#define EQ_EPT_GLA_NX BIT(11)
#define EQ_EPT_NMI_UNBLOCK_IRET BIT(12)
#define EQ_EPT_SHADOW_STACK BIT(13)

static inline bool eq_ept_read(u64 q)
{
	return q & EQ_EPT_READ;
}

static inline bool eq_ept_write(u64 q)
{
	return q & EQ_EPT_WRITE;
}

static inline bool eq_ept_fetch(u64 q)
{
	return q & EQ_EPT_FETCH;
}

/* The permissions of the EPT entry that caused the violation: bit 0 = R,
 * 1 = W, 2 = X, like the EPT entry itself. */
static inline unsigned int eq_ept_entry_perms(u64 q)
{
	return FIELD_GET(GENMASK(5, 3), q);
}

static inline bool eq_ept_gla_valid(u64 q)
{
	return q & EQ_EPT_GLA_VALID;
}

/*
 * True when the access was to the translated linear address (a real data or
 * instruction access), false when it was to a guest paging structure during
 * the page walk. Meaningless without a valid GLA.
 */
static inline bool eq_ept_gla_is_translation(u64 q)
{
	return (q & EQ_EPT_GLA_VALID) && (q & EQ_EPT_GLA_TRANSLATED);
}

static inline bool eq_ept_nmi_unblocking(u64 q)
{
	return q & EQ_EPT_NMI_UNBLOCK_IRET;
}

/* Single-letter access type for reports: 'R', 'W' or 'X'. */
static inline char eq_ept_access_char(u64 q)
{
	if (q & EQ_EPT_WRITE)
		return 'W';
	if (q & EQ_EPT_FETCH)
		return 'X';
	return 'R';
}

#endif
