/* SPDX-License-Identifier: MIT */
/*
 * A small x86 instruction decoder for the memory-access forms compilers emit
 * for MMIO: MOV r/m,r (88/89), MOV r,r/m (8A/8B), MOV r/m,imm (C6/C7),
 * MOV moffs (A0-A3), MOVZX (0F B6/B7), MOVSX (0F BE/BF), MOVSXD (63, 64-bit
 * mode). Prefixes: 66, 67, segment overrides, REX; F2/F3 are refused.
 * Opcode and ModRM/SIB formats: SDM Vol.2A chapter 2, rev 080.
 *
 * The EPT violation gives the guest-physical address; the decoder supplies
 * what the access does and how long the instruction is, so Keel can
 * emulate it and advance RIP.
 */
#ifndef KEEL_VMX_DECODE_H
#define KEEL_VMX_DECODE_H

#include "core/types.h"

/* Longest legal x86 instruction, SDM Vol.2A 2.1. */
#define X86_MAX_INSN_LEN 15

enum x86_cpu_mode {
	X86_MODE_16, /* real mode or 16-bit protected mode (CS.D = 0) */
	X86_MODE_32, /* CS.D = 1 */
	X86_MODE_64, /* CS.L = 1 */
};

enum x86_decode_result {
	X86_DECODE_OK = 0,
	X86_DECODE_TRUNCATED = -1, /* ran out of bytes: fetch more, retry */
	X86_DECODE_UNSUPPORTED =
		-2, /* valid x86, not an MMIO form we emulate */
	X86_DECODE_INVALID = -3, /* would #UD (LOCK MOV, C6 /1, ...) */
	X86_DECODE_NOT_MEMORY = -4, /* register-only form, cannot touch MMIO */
	X86_DECODE_TOO_LONG = -5, /* more than 15 bytes */
	X86_DECODE_REP = -6, /* F2/F3 prefix: refused */
};

enum x86_ext {
	X86_EXT_NONE,
	X86_EXT_ZERO, /* MOVZX */
	X86_EXT_SIGN, /* MOVSX, MOVSXD */
};

/* Segment registers in the SDM encoding (ES=0 ... GS=5). */
enum x86_seg {
	X86_SEG_ES,
	X86_SEG_CS,
	X86_SEG_SS,
	X86_SEG_DS,
	X86_SEG_FS,
	X86_SEG_GS
};

struct x86_mmio_insn {
	u8 len; /* instruction length: RIP += len */
	u8 size; /* bytes accessed in memory: 1, 2, 4 or 8 */
	bool write; /* true: stores to memory */
	bool has_imm; /* source is an immediate (C6/C7), not a register */
	u64 imm; /* already sign-extended to @size for C7 with REX.W */
	u8 reg; /* GPR index 0-15 (RAX=0 ... R15=15), for register forms */
	bool high8; /* reg is AH/CH/DH/BH: byte 1 of GPR (reg - 4) */
	u8 reg_size; /* register operand width in bytes (>= size with ext) */
	enum x86_ext ext;
	enum x86_seg seg; /* effective segment (override or default) */
	bool seg_override;
	u8 addr_size; /* 2, 4 or 8 */
	bool rip_relative;
	u8 opcode; /* primary opcode byte (second byte after 0F) */
	bool two_byte; /* 0F escape */
	/* The memory operand's address: base + index * scale + disp (the
	 * moffs of A0-A3 is the disp), for x86_mmio_ea(). */
	s8 ea_base; /* GPR index, or X86_EA_NONE */
	s8 ea_index; /* GPR index, or X86_EA_NONE */
	u8 ea_scale; /* 1, 2, 4 or 8 */
	u64 ea_disp; /* sign-extended to 64 bits (moffs: zero-extended) */
};

#define X86_EA_NONE (-1)

/*
 * Decode one instruction from @buf (@avail bytes valid) in @mode.
 * Returns X86_DECODE_OK and fills @out, or a negative enum
 * x86_decode_result. TRUNCATED means "decodable with more bytes".
 */
int x86_decode_mmio(const u8 *buf, size_t avail, enum x86_cpu_mode mode,
		    struct x86_mmio_insn *out);

/*
 * The effective address (offset in its segment) of @in's memory operand,
 * given the GPRs (@gpr[0..15], RAX..R15, RSP included) and the address of
 * the next instruction (@next_rip, for RIP-relative forms); it wraps at
 * the address size (SDM Vol.1 3.7.5).
 */
u64 x86_mmio_ea(const struct x86_mmio_insn *in, const u64 *gpr, u64 next_rip);

/* "truncated", "unsupported", ... for reports. */
const char *x86_decode_strerror(int err);

/*
 * The value a store writes to memory: the immediate, or the low @size bytes
 * of register @reg (read from @regval, the full 64-bit GPR; for high8 the
 * byte 15:8).
 */
u64 x86_mmio_store_value(const struct x86_mmio_insn *in, u64 regval);

/*
 * The new full 64-bit value of the destination GPR after a load of @mem
 * (the low @size bytes are valid) into a register whose old value is
 * @oldval: zero/sign extension, 8/16-bit merges, AH-style high bytes, and
 * the 64-bit-mode rule that 32-bit results zero the upper half.
 */
u64 x86_mmio_load_result(const struct x86_mmio_insn *in, u64 oldval, u64 mem);

#endif
