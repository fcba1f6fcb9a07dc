// SPDX-License-Identifier: MIT
/*
 * Primary fault logging (VT-d 3.4 7.1.3, 10.4.9, 10.4.14): read each
 * recorded fault, report it once, clear it, then clear an overflow. The
 * console gets at most VTD_FAULT_LOG_BURST lines per VTD_FAULT_LOG_PERIOD_US;
 * the rest are counted and summed up, so a fault storm cannot flood the
 * console, and one poll reads at most CAP.NFR records, so it cannot stall
 * Keel either. Pure: registers go through struct vtd_io.
 */
#include "iommu/vtd.h"
#include "core/console.h"
#include "core/lib.h"

static const char *const reasons[] = {
	[VTD_FR_ROOT_NP] = "root entry not present",
	[VTD_FR_CTX_NP] = "context entry not present",
	[VTD_FR_CTX_BAD] = "invalid context entry",
	[VTD_FR_ADDR_WIDTH] = "address beyond the domain's width",
	[VTD_FR_WRITE] = "no write permission or not mapped",
	[VTD_FR_READ] = "no read permission or not mapped",
	[VTD_FR_PT_ACCESS] = "page-table access failed",
	[VTD_FR_ROOT_ACCESS] = "root-table access failed",
	[VTD_FR_CTX_ACCESS] = "context-table access failed",
	[VTD_FR_ROOT_RSVD] = "reserved bit in a root entry",
	[VTD_FR_CTX_RSVD] = "reserved bit in a context entry",
	[VTD_FR_PT_RSVD] = "reserved bit in a page-table entry",
	[VTD_FR_TT_BAD] = "translation type not allowed",
};

const char *vtd_fault_reason(u8 reason)
{
	if (reason < ARRAY_SIZE(reasons) && reasons[reason])
		return reasons[reason];
	return "unknown reason";
}

int vtd_format_fault(const struct vtd_fault *f, char *buf, size_t len)
{
	return ksnprintf(buf, len,
			 "%02x:%02x.%u %s 0x%llx blocked: reason %u (%s)",
			 f->sid >> 8, (f->sid >> 3) & 0x1f, f->sid & 7,
			 f->read ? "read from" : "write to",
			 (unsigned long long)f->addr, f->reason,
			 vtd_fault_reason(f->reason));
}

/* An exhausted budget refills once per period, first saying how many
 * faults went unshown. */
static void refill(struct vtd_hw *hw, u64 t)
{
	if (hw->log_budget || t - hw->log_refill_us < VTD_FAULT_LOG_PERIOD_US)
		return;
	if (hw->faults_hidden)
		pr_warn("keel: iommu: %llu more faults not shown\n",
			(unsigned long long)hw->faults_hidden);
	hw->faults_hidden = 0;
	hw->log_budget = VTD_FAULT_LOG_BURST;
}

/* May this poll print a line? */
static bool may_log(struct vtd_hw *hw)
{
	u64 t = hw->io->now_us(hw->io->ctx);

	refill(hw, t);
	if (!hw->log_budget) {
		hw->faults_hidden++;
		return false;
	}
	if (--hw->log_budget == 0) {
		hw->log_refill_us = t;
		pr_warn("keel: iommu: fault log limit reached; counting further faults\n");
	}
	return true;
}

static void report(struct vtd_hw *hw, const struct vtd_fault *f)
{
	char line[160];

	hw->faults++;
	if (!may_log(hw))
		return;
	hw->faults_shown++;
	vtd_format_fault(f, line, sizeof(line));
	pr_warn("keel: iommu: fault: %s\n", line);
}

unsigned int vtd_fault_poll(struct vtd_hw *hw, struct vtd_fault *out,
			    unsigned int max)
{
	const struct vtd_io *io = hw->io;
	u32 fsts = io->read32(io->ctx, VTD_FSTS);
	u32 i = FIELD_GET(VTD_FSTS_FRI, fsts), n;
	unsigned int got = 0;

	/* After a storm, the count of what was not shown comes out on the
	 * first poll a period later, even if no fault follows. The clock is
	 * read only while the budget is spent: a quiet poll stays one read. */
	if (!hw->log_budget && !(fsts & (VTD_FSTS_PPF | VTD_FSTS_PFO)))
		refill(hw, io->now_us(io->ctx));
	if (i >= hw->caps.nfr)
		i = 0;
	/* Records fill round-robin from FRI; one lap reads them all. */
	for (n = 0; (fsts & VTD_FSTS_PPF) && n < hw->caps.nfr; n++) {
		u32 off = hw->caps.fro + i * VTD_FRCD_SIZE;
		u64 hi = io->read64(io->ctx, off + VTD_FRCD_HI);
		struct vtd_fault f;

		if (!(hi & VTD_FRCD_F))
			break;
		f.sid = FIELD_GET(VTD_FRCD_SID, hi);
		f.reason = FIELD_GET(VTD_FRCD_FR, hi);
		f.read = hi & VTD_FRCD_T;
		f.addr = io->read64(io->ctx, off + VTD_FRCD_LO) & VTD_FRCD_FI;
		/* F is write-1-to-clear in the record's top dword. */
		io->write32(io->ctx, off + VTD_FRCD_HI + 4,
			    (u32)(VTD_FRCD_F >> 32));
		if (out && got < max)
			out[got] = f;
		got++;
		report(hw, &f);
		i = (i + 1) % hw->caps.nfr;
	}
	if (fsts & VTD_FSTS_PFO) {
		hw->overflows++;
		if (may_log(hw))
			pr_warn("keel: iommu: fault overflow: records were full, later faults were lost\n");
		io->write32(io->ctx, VTD_FSTS, VTD_FSTS_PFO);
	}
	return got;
}
