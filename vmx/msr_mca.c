// SPDX-License-Identifier: MIT
/*
 * The guest's machine-check banks (vmx/msr_virt.h). Machine-check
 * reporting is Keel's: the guest must neither see the host's error logs
 * nor clear them. It gets VMSR_MC_BANKS virtual banks that never report an
 * error; MCG_CAP says so with no CTL_P, CMCI, extended registers, SER or
 * LMCE (SDM Vol.3B 16.3.1.1), so MCG_CTL, the MCi_CTL2 (280h..) and the
 * banks past the count are #GP, as on a CPU without them.
 */
#include "vmx/msr_virt.h"

void mca_reset(struct vmsr_mca *m, bool present)
{
	m->present = present;
	m->mcg_status = 0;
	for (int i = 0; i < VMSR_MC_BANKS; i++) {
		/* Power-on value undefined (SDM Vol.3A table 9-1): all
		 * errors enabled, nothing logged. */
		m->bank[i][MC_CTL] = ~0ULL;
		m->bank[i][MC_STATUS] = 0;
		m->bank[i][MC_ADDR] = 0;
		m->bank[i][MC_MISC] = 0;
	}
}

bool mca_msr(u32 msr)
{
	return (msr >= MSR_IA32_MCG_CAP && msr <= MSR_IA32_MCG_CTL) ||
	       (msr >= MSR_IA32_MC0_CTL && msr <= MSR_IA32_MC_LAST);
}

/* The bank register @msr names, or NULL past VMSR_MC_BANKS. */
static const u64 *bank_reg(const struct vmsr_mca *m, u32 msr)
{
	u32 i = (msr - MSR_IA32_MC0_CTL) / MC_REGS;

	if (msr < MSR_IA32_MC0_CTL || i >= VMSR_MC_BANKS)
		return NULL;
	return &m->bank[i][(msr - MSR_IA32_MC0_CTL) % MC_REGS];
}

int mca_read(const struct vmsr_mca *m, u32 msr, u64 *val)
{
	const u64 *r = bank_reg(m, msr);

	if (!m->present)
		return -EPERM;
	if (msr == MSR_IA32_MCG_CAP) {
		*val = VMSR_MC_BANKS;
		return 0;
	}
	if (msr == MSR_IA32_MCG_STATUS) {
		*val = m->mcg_status;
		return 0;
	}
	if (!r)
		return -EPERM;
	*val = *r;
	return 0;
}

/*
 * MCi_CTL takes 0 or all ones, as P6-family CPUs and KVM allow (SDM Vol.3B
 * 16.3.2.1): with nothing to report, single error enables mean nothing.
 * MCi_STATUS takes only 0 (SDM Vol.3B 16.3.2.2: writing 1s may #GP).
 * MCi_ADDR and MCi_MISC take any value. MCG_STATUS takes RIPV, EIPV and
 * MCIP (LMCE_S only exists with LMCE); MCG_CAP is read-only.
 */
int mca_write(struct vmsr_mca *m, u32 msr, u64 val)
{
	u64 *r = (u64 *)bank_reg(m, msr);
	u32 reg = (msr - MSR_IA32_MC0_CTL) % MC_REGS;

	if (!m->present)
		return -EPERM;
	if (msr == MSR_IA32_MCG_STATUS) {
		if (val & ~MCG_STATUS_RW)
			return -EPERM;
		m->mcg_status = val;
		return 0;
	}
	if (!r)
		return -EPERM;
	if ((reg == MC_CTL && val != 0 && val != ~0ULL) ||
	    (reg == MC_STATUS && val != 0))
		return -EPERM;
	*r = val;
	return 0;
}
