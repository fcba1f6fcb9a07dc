// SPDX-License-Identifier: MIT
/*
 * MMIO instruction decoder; see vmx/decode.h. Formats from SDM Vol.2A
 * 2.1 (prefixes, ModRM, SIB), 2.2.1 (REX), Table 2-1/2-2 (16/32-bit
 * addressing) and the MOV/MOVZX/MOVSX/MOVSXD pages, rev 080.
 */
#include "vmx/decode.h"
#include "core/lib.h"

#define REX_W BIT(3)
#define REX_R BIT(2)
#define REX_X BIT(1)
#define REX_B BIT(0)

#define MODRM_MOD(m) ((m) >> 6)
#define MODRM_REG(m) (((m) >> 3) & 7)
#define MODRM_RM(m) ((m)&7)
#define SIB_BASE(s) ((s)&7)
#define SIB_INDEX(s) (((s) >> 3) & 7)
#define SIB_SCALE(s) ((s) >> 6)
#define SIB_NO_INDEX 4 /* index 100b without REX.X: none (Table 2-3) */

/* GPR numbers (SDM Vol.2A Table 2-2, 3-1) the 16-bit forms name. */
#define GPR_BX 3
#define GPR_BP 5
#define GPR_SI 6
#define GPR_DI 7
/* Table 2-1: base and index of each 16-bit r/m (rm 6 with mod 0 is disp16). */
static const s8 ea16_base[8] = { GPR_BX,      GPR_BX,	   GPR_BP, GPR_BP,
				 X86_EA_NONE, X86_EA_NONE, GPR_BP, GPR_BX };
static const s8 ea16_index[8] = { GPR_SI, GPR_DI, GPR_SI,      GPR_DI,
				  GPR_SI, GPR_DI, X86_EA_NONE, X86_EA_NONE };

struct cursor {
	const u8 *buf;
	size_t avail;
	size_t pos;
};

/* Take the next byte, or say why there is none. */
static int next_byte(struct cursor *c, u8 *b)
{
	if (c->pos >= X86_MAX_INSN_LEN)
		return X86_DECODE_TOO_LONG;
	if (c->pos >= c->avail)
		return X86_DECODE_TRUNCATED;
	*b = c->buf[c->pos++];
	return X86_DECODE_OK;
}

/* Read an @n-byte little-endian value (n <= 8). */
static int take(struct cursor *c, unsigned int n, u64 *v)
{
	unsigned int k;
	u8 b;
	int ret;

	*v = 0;
	for (k = 0; k < n; k++) {
		ret = next_byte(c, &b);
		if (ret)
			return ret;
		*v |= (u64)b << (8 * k);
	}
	return X86_DECODE_OK;
}

static u64 sign_extend(u64 v, unsigned int bytes)
{
	unsigned int shift = 64 - 8 * bytes;

	return bytes >= 8 ? v : (u64)((s64)(v << shift) >> shift);
}

static u64 size_mask(unsigned int bytes)
{
	return bytes >= 8 ? ~0ULL : (1ULL << (8 * bytes)) - 1;
}

/*
 * Parse ModRM, SIB and displacement of a memory operand. Sets the default
 * segment (SS for BP/SP-based forms), RIP-relative, and *reg_field.
 */
static int parse_modrm(struct cursor *c, struct x86_mmio_insn *out,
		       enum x86_cpu_mode mode, u8 rex, u8 *reg_field)
{
	unsigned int disp = 0;
	u8 modrm, mod, rm, sib;
	bool ss = false;
	u64 v;
	int ret;

	ret = next_byte(c, &modrm);
	if (ret)
		return ret;
	mod = MODRM_MOD(modrm);
	rm = MODRM_RM(modrm);
	*reg_field = MODRM_REG(modrm);
	if (mod == 3)
		return X86_DECODE_NOT_MEMORY;

	out->ea_scale = 1;
	if (out->addr_size == 2) {
		/* Table 2-1: [BP+SI], [BP+DI], [BP+disp] default to SS. */
		if (mod == 0 && rm == 6)
			disp = 2;
		else
			disp = mod == 1 ? 1 : mod == 2 ? 2 : 0;
		ss = rm == 2 || rm == 3 || (rm == 6 && mod != 0);
		out->ea_base = disp == 2 && mod == 0 ? X86_EA_NONE :
						       ea16_base[rm];
		out->ea_index = ea16_index[rm];
	} else {
		out->ea_index = X86_EA_NONE;
		out->ea_base = (s8)(rm | ((rex & REX_B) ? 8 : 0));
		if (rm == 4) {
			ret = next_byte(c, &sib);
			if (ret)
				return ret;
			out->ea_scale = (u8)(1u << SIB_SCALE(sib));
			if (SIB_INDEX(sib) != SIB_NO_INDEX || (rex & REX_X))
				out->ea_index = (s8)(SIB_INDEX(sib) |
						     ((rex & REX_X) ? 8 : 0));
			out->ea_base =
				(s8)(SIB_BASE(sib) | ((rex & REX_B) ? 8 : 0));
			if (SIB_BASE(sib) == 5 && mod == 0) {
				disp = 4; /* disp32, no base */
				out->ea_base = X86_EA_NONE;
			} else {
				ss = !(rex & REX_B) &&
				     (SIB_BASE(sib) == 4 || SIB_BASE(sib) == 5);
			}
		} else if (rm == 5 && mod == 0) {
			disp = 4;
			out->ea_base = X86_EA_NONE;
			/* 64-bit mode: RIP-relative instead of disp32. */
			out->rip_relative = mode == X86_MODE_64;
		} else {
			ss = rm == 5 && !(rex & REX_B);
		}
		if (mod == 1)
			disp = 1;
		else if (mod == 2)
			disp = 4;
	}
	if (!out->seg_override)
		out->seg = ss ? X86_SEG_SS : X86_SEG_DS;
	ret = take(c, disp, &v);
	out->ea_disp = disp ? sign_extend(v, disp) : 0;
	return ret;
}

/* Register operand from ModRM.reg: REX.R extends it; AH..BH without REX. */
static void set_reg(struct x86_mmio_insn *out, u8 reg_field, u8 rex,
		    unsigned int reg_size)
{
	out->reg = reg_field | ((rex & REX_R) ? 8 : 0);
	out->reg_size = reg_size;
	if (reg_size == 1 && !rex && reg_field >= 4) {
		out->high8 = true;
		out->reg = reg_field - 4;
	}
}

int x86_decode_mmio(const u8 *buf, size_t avail, enum x86_cpu_mode mode,
		    struct x86_mmio_insn *out)
{
	struct cursor c = { buf, avail, 0 };
	bool opsize = false, adsize = false, rep = false, lock = false;
	unsigned int osz;
	u8 rex = 0, op, reg_field;
	u64 v;
	int ret;

	memset(out, 0, sizeof(*out));
	out->seg = X86_SEG_DS;

	/* Legacy prefixes in any order; REX must be last (SDM 2.2.1). */
	for (;;) {
		ret = next_byte(&c, &op);
		if (ret)
			return ret;
		if (mode == X86_MODE_64 && (op & 0xf0) == 0x40) {
			rex = op;
			continue;
		}
		switch (op) {
		case 0x66:
			opsize = true;
			break;
		case 0x67:
			adsize = true;
			break;
		case 0x26:
		case 0x2e:
		case 0x36:
		case 0x3e:
			out->seg = (op >> 3) & 3; /* ES, CS, SS, DS */
			out->seg_override = true;
			break;
		case 0x64:
		case 0x65:
			out->seg = op == 0x64 ? X86_SEG_FS : X86_SEG_GS;
			out->seg_override = true;
			break;
		case 0xf0:
			lock = true;
			break;
		case 0xf2:
		case 0xf3:
			rep = true;
			break;
		default:
			goto opcode;
		}
		rex = 0; /* a REX followed by a legacy prefix is ignored */
	}

opcode:
	if (mode == X86_MODE_16)
		osz = opsize ? 4 : 2;
	else
		osz = (rex & REX_W) ? 8 : opsize ? 2 : 4;
	if (mode == X86_MODE_64)
		out->addr_size = adsize ? 4 : 8;
	else if (mode == X86_MODE_32)
		out->addr_size = adsize ? 2 : 4;
	else
		out->addr_size = adsize ? 4 : 2;

	out->opcode = op;
	if (op == 0x0f) {
		out->two_byte = true;
		ret = next_byte(&c, &op);
		if (ret)
			return ret;
		out->opcode = op;
		if (op != 0xb6 && op != 0xb7 && op != 0xbe && op != 0xbf)
			return X86_DECODE_UNSUPPORTED;
	} else if (!(op >= 0x88 && op <= 0x8b) && op != 0xc6 && op != 0xc7 &&
		   !(op >= 0xa0 && op <= 0xa3) &&
		   !(op == 0x63 && mode == X86_MODE_64)) {
		return X86_DECODE_UNSUPPORTED;
	}
	if (rep)
		return X86_DECODE_REP;
	if (lock)
		return X86_DECODE_INVALID; /* LOCK MOV is #UD */

	if (out->two_byte) {
		/* MOVZX/MOVSX r16/32/64, r/m8 (B6/BE) or r/m16 (B7/BF). */
		ret = parse_modrm(&c, out, mode, rex, &reg_field);
		if (ret)
			return ret;
		out->size = (op & 1) ? 2 : 1;
		out->ext = op >= 0xbe ? X86_EXT_SIGN : X86_EXT_ZERO;
		/* The destination is never a byte register: no AH..BH. */
		set_reg(out, reg_field, rex, osz);
		goto done;
	}

	switch (op) {
	case 0x88:
	case 0x89:
	case 0x8a:
	case 0x8b:
		ret = parse_modrm(&c, out, mode, rex, &reg_field);
		if (ret)
			return ret;
		out->size = (op & 1) ? osz : 1;
		out->write = op <= 0x89;
		set_reg(out, reg_field, rex, out->size);
		break;
	case 0x63:
		/* MOVSXD: r64 <- sign-extended r/m32 with REX.W (SDM MOVSX). */
		ret = parse_modrm(&c, out, mode, rex, &reg_field);
		if (ret)
			return ret;
		out->size = osz == 2 ? 2 : 4;
		out->ext = osz == 8 ? X86_EXT_SIGN : X86_EXT_NONE;
		set_reg(out, reg_field, rex, osz);
		break;
	case 0xc6:
	case 0xc7:
		ret = parse_modrm(&c, out, mode, rex, &reg_field);
		if (ret)
			return ret;
		if (reg_field != 0)
			return X86_DECODE_INVALID; /* only /0 is MOV */
		out->size = op == 0xc6 ? 1 : osz;
		out->write = true;
		out->has_imm = true;
		ret = take(&c, MIN(out->size, 4), &v);
		if (ret)
			return ret;
		/* imm32 is sign-extended to 64 bits with REX.W. */
		out->imm = sign_extend(v, MIN(out->size, 4)) &
			   size_mask(out->size);
		break;
	default: /* A0-A3: MOV AL/eAX <-> moffs, no ModRM */
		ret = take(&c, out->addr_size, &v);
		if (ret)
			return ret;
		out->ea_base = out->ea_index = X86_EA_NONE;
		out->ea_scale = 1;
		out->ea_disp = v;
		out->size = (op & 1) ? osz : 1;
		out->write = op >= 0xa2;
		out->reg = 0;
		out->reg_size = out->size;
		break;
	}
done:
	out->len = c.pos;
	return X86_DECODE_OK;
}

u64 x86_mmio_ea(const struct x86_mmio_insn *in, const u64 *gpr, u64 next_rip)
{
	u64 ea = in->ea_disp;

	if (in->rip_relative)
		ea += next_rip;
	if (in->ea_base != X86_EA_NONE)
		ea += gpr[in->ea_base];
	if (in->ea_index != X86_EA_NONE)
		ea += gpr[in->ea_index] * in->ea_scale;
	return ea & size_mask(in->addr_size);
}

const char *x86_decode_strerror(int err)
{
	switch (err) {
	case X86_DECODE_OK:
		return "ok";
	case X86_DECODE_TRUNCATED:
		return "truncated instruction";
	case X86_DECODE_UNSUPPORTED:
		return "unsupported instruction";
	case X86_DECODE_INVALID:
		return "invalid instruction";
	case X86_DECODE_NOT_MEMORY:
		return "no memory operand";
	case X86_DECODE_TOO_LONG:
		return "instruction longer than 15 bytes";
	case X86_DECODE_REP:
		return "REP prefix";
	default:
		return "unknown decode error";
	}
}

u64 x86_mmio_store_value(const struct x86_mmio_insn *in, u64 regval)
{
	if (in->has_imm)
		return in->imm & size_mask(in->size);
	if (in->high8)
		regval >>= 8;
	return regval & size_mask(in->size);
}

u64 x86_mmio_load_result(const struct x86_mmio_insn *in, u64 oldval, u64 mem)
{
	u64 v = mem & size_mask(in->size);

	if (in->ext == X86_EXT_SIGN)
		v = sign_extend(v, in->size);
	switch (in->reg_size) {
	case 1:
		if (in->high8)
			return (oldval & ~0xff00ULL) | ((v & 0xff) << 8);
		return (oldval & ~0xffULL) | (v & 0xff);
	case 2:
		return (oldval & ~0xffffULL) | (v & 0xffff);
	case 4:
		return v & 0xffffffffULL; /* 32-bit results zero bits 63:32 */
	default:
		return v;
	}
}
