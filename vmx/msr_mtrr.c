// SPDX-License-Identifier: MIT
/*
 * The guest's MTRRs (vmx/msr_virt.h), with the checks of SDM Vol.3A
 * 11.11 (rev 080): every memory type field must hold UC, WC (when MTRRCAP
 * says WC), WT, WP or WB; reserved bits and address bits at or above
 * MAXPHYADDR are #GP, and so are the variable pairs past VCNT and the
 * fixed ranges without MTRRCAP.FIX. They change no memory type: Keel's EPT
 * entries set the type and ignore the guest's PAT (ept/ept.c, SDM Vol.3C
 * 29.3.7.2), so the guest's MTRRs only inform the guest's own choices.
 */
#include "core/lib.h"
#include "vmx/msr_virt.h"

/* MTRRCAP bits Keel keeps: VCNT (cut), FIX and WC. SMRR and the rest: 0. */
#define MTRRCAP_KEPT (MTRRCAP_FIX | MTRRCAP_WC)
/* DEF_TYPE: type, FE and E; bits 9:8 and 63:12 are reserved. */
#define MTRR_DEF_TYPE_VALID \
	(MTRR_DEF_TYPE_TYPE | MTRR_DEF_TYPE_FE | MTRR_DEF_TYPE_E)
#define MSR_IA32_PAT_IN_MTRRS 0x277

void mtrr_reset(struct vmsr_mtrr *m, u64 hw_cap, unsigned int maxphy)
{
	u64 vcnt = hw_cap & MTRRCAP_VCNT;

	memset(m, 0, sizeof(*m));
	if (!hw_cap)
		return;
	if (vcnt > VMSR_MTRR_VAR_MAX)
		vcnt = VMSR_MTRR_VAR_MAX;
	m->cap = (hw_cap & MTRRCAP_KEPT) | vcnt;
	m->maxphy = maxphy;
}

bool mtrr_msr(u32 msr)
{
	return msr == MSR_IA32_MTRRCAP ||
	       (msr >= MSR_MTRR_PHYSBASE0 && msr <= MSR_MTRR_LAST &&
		msr != MSR_IA32_PAT_IN_MTRRS);
}

static bool type_valid(const struct vmsr_mtrr *m, u8 t)
{
	return t == MTRR_TYPE_UC || t == MTRR_TYPE_WT || t == MTRR_TYPE_WP ||
	       t == MTRR_TYPE_WB ||
	       (t == MTRR_TYPE_WC && (m->cap & MTRRCAP_WC));
}

/* Index into m->fixed of a fixed-range MTRR, or -1. */
static int fixed_index(const struct vmsr_mtrr *m, u32 msr)
{
	if (!(m->cap & MTRRCAP_FIX))
		return -1;
	if (msr == MSR_MTRR_FIX64K_00000)
		return 0;
	if (msr == MSR_MTRR_FIX16K_80000 || msr == MSR_MTRR_FIX16K_A0000)
		return 1 + (int)(msr - MSR_MTRR_FIX16K_80000);
	if (msr >= MSR_MTRR_FIX4K_C0000 && msr <= MSR_MTRR_FIX4K_F8000)
		return 3 + (int)(msr - MSR_MTRR_FIX4K_C0000);
	return -1;
}

/* The variable-range register @msr names, or NULL past VCNT. */
static u64 *var_reg(struct vmsr_mtrr *m, u32 msr)
{
	u32 n = (msr - MSR_MTRR_PHYSBASE0) / 2;

	if (msr < MSR_MTRR_PHYSBASE0 || n >= (m->cap & MTRRCAP_VCNT))
		return NULL;
	return &m->var[n][(msr - MSR_MTRR_PHYSBASE0) % 2];
}

static u64 *reg_of(struct vmsr_mtrr *m, u32 msr)
{
	int f = fixed_index(m, msr);

	if (!m->cap)
		return NULL;
	if (msr == MSR_MTRR_DEF_TYPE)
		return &m->def_type;
	if (f >= 0)
		return &m->fixed[f];
	return var_reg(m, msr);
}

int mtrr_read(const struct vmsr_mtrr *m, u32 msr, u64 *val)
{
	const u64 *r = reg_of((struct vmsr_mtrr *)m, msr);

	if (msr == MSR_IA32_MTRRCAP && m->cap) {
		*val = m->cap;
		return 0;
	}
	if (!r)
		return -EPERM;
	*val = *r;
	return 0;
}

static bool value_valid(const struct vmsr_mtrr *m, u32 msr, u64 val)
{
	u64 addr = GENMASK(m->maxphy - 1, MTRR_ADDR_SHIFT);

	if (msr == MSR_MTRR_DEF_TYPE)
		return !(val & ~MTRR_DEF_TYPE_VALID) && type_valid(m, (u8)val);
	if (fixed_index(m, msr) >= 0) {
		for (int i = 0; i < 8; i++)
			if (!type_valid(m, (u8)(val >> (8 * i))))
				return false;
		return true;
	}
	if ((msr - MSR_MTRR_PHYSBASE0) % 2 == 0)
		return !(val & ~(addr | MTRR_PHYSBASE_TYPE)) &&
		       type_valid(m, (u8)val);
	return !(val & ~(addr | MTRR_PHYSMASK_V));
}

int mtrr_write(struct vmsr_mtrr *m, u32 msr, u64 val)
{
	u64 *r = reg_of(m, msr);

	if (!r || !value_valid(m, msr, val))
		return -EPERM;
	*r = val;
	return 0;
}

static const u32 fixed_msrs[VMSR_MTRR_FIXED] = {
	MSR_MTRR_FIX64K_00000,	  MSR_MTRR_FIX16K_80000,
	MSR_MTRR_FIX16K_A0000,	  MSR_MTRR_FIX4K_C0000,
	MSR_MTRR_FIX4K_C0000 + 1, MSR_MTRR_FIX4K_C0000 + 2,
	MSR_MTRR_FIX4K_C0000 + 3, MSR_MTRR_FIX4K_C0000 + 4,
	MSR_MTRR_FIX4K_C0000 + 5, MSR_MTRR_FIX4K_C0000 + 6,
	MSR_MTRR_FIX4K_F8000,
};

u32 mtrr_nth(const struct vmsr_mtrr *m, unsigned int i)
{
	unsigned int nfix = (m->cap & MTRRCAP_FIX) ? VMSR_MTRR_FIXED : 0;

	if (!m->cap)
		return 0;
	if (i == 0)
		return MSR_MTRR_DEF_TYPE;
	if (i - 1 < nfix)
		return fixed_msrs[i - 1];
	i -= 1 + nfix;
	return i < 2 * (m->cap & MTRRCAP_VCNT) ? MSR_MTRR_PHYSBASE0 + i : 0;
}
