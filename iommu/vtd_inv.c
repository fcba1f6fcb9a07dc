// SPDX-License-Identifier: MIT
/*
 * The command side of one remapping unit: the GCMD/GSTS handshake (VT-d 3.4
 * 10.4.4-10.4.5), the root table pointer, the write-buffer flush, and the
 * invalidation sequencer (VT-d 3.4 6.5): context cache and IOTLB, through
 * the invalidation queue once it is on, through CCMD and the IOTLB
 * registers before. Never both: once QIE is set, hardware may refuse
 * register-based invalidation and never complete it (QEMU does). Every
 * wait is bounded. Pure: registers go through struct vtd_io.
 */
#include "iommu/vtd.h"
#include "core/console.h"
#include "core/lib.h"

static u32 rd32(struct vtd_hw *hw, u32 off)
{
	return hw->io->read32(hw->io->ctx, off);
}

static u64 rd64(struct vtd_hw *hw, u32 off)
{
	return hw->io->read64(hw->io->ctx, off);
}

static void wr32(struct vtd_hw *hw, u32 off, u32 v)
{
	hw->io->write32(hw->io->ctx, off, v);
}

static void wr64(struct vtd_hw *hw, u32 off, u64 v)
{
	hw->io->write64(hw->io->ctx, off, v);
}

static u64 now(struct vtd_hw *hw)
{
	return hw->io->now_us(hw->io->ctx);
}

void vtd_hw_init(struct vtd_hw *hw, const struct vtd_io *io)
{
	memset(hw, 0, sizeof(*hw));
	hw->io = io;
	vtd_decode_caps(io->read32(io->ctx, VTD_VER),
			io->read64(io->ctx, VTD_CAP),
			io->read64(io->ctx, VTD_ECAP), &hw->caps);
	hw->log_budget = VTD_FAULT_LOG_BURST;
}

/* Poll a 32-bit register until (v & mask) == want. */
static int wait32(struct vtd_hw *hw, u32 off, u32 mask, u32 want,
		  const char *what)
{
	u64 start = now(hw);

	while ((rd32(hw, off) & mask) != want) {
		if (now(hw) - start > VTD_HANDSHAKE_TIMEOUT_US) {
			pr_err("keel: iommu: timeout waiting for %s\n", what);
			return -ETIMEDOUT;
		}
	}
	return 0;
}

/* Poll a 64-bit register until @bit clears. */
static int wait64_clear(struct vtd_hw *hw, u32 off, u64 bit, const char *what)
{
	u64 start = now(hw);

	while (rd64(hw, off) & bit) {
		if (now(hw) - start > VTD_INV_TIMEOUT_US) {
			pr_err("keel: iommu: timeout waiting for %s\n", what);
			return -ETIMEDOUT;
		}
	}
	return 0;
}

int vtd_gcmd(struct vtd_hw *hw, u32 cmd, u32 sts, bool on)
{
	u32 keep = rd32(hw, VTD_GSTS) & VTD_GSTS_PERSISTENT;

	wr32(hw, VTD_GCMD, on ? keep | cmd : keep & ~cmd);
	return wait32(hw, VTD_GSTS, sts, on ? sts : 0, "GSTS");
}

int vtd_set_root(struct vtd_hw *hw, phys_addr_t root_pa)
{
	wr64(hw, VTD_RTADDR, root_pa & VTD_RTADDR_RTA);
	return vtd_gcmd(hw, VTD_GCMD_SRTP, VTD_GSTS_RTPS, true);
}

int vtd_flush_write_buffer(struct vtd_hw *hw)
{
	u32 keep;

	if (!hw->caps.rwbf)
		return 0;
	/* WBFS is set while the flush runs and clears when it is done. */
	keep = rd32(hw, VTD_GSTS) & VTD_GSTS_PERSISTENT;
	wr32(hw, VTD_GCMD, keep | VTD_GCMD_WBF);
	return wait32(hw, VTD_GSTS, VTD_GSTS_WBFS, 0, "GSTS.WBFS");
}

int vtd_set_translation(struct vtd_hw *hw, bool on)
{
	return vtd_gcmd(hw, VTD_GCMD_TE, VTD_GSTS_TES, on);
}

/* ---- Queued invalidation, VT-d 3.4 6.5.2 ---- */

int vtd_qi_enable(struct vtd_hw *hw, u64 *iq, phys_addr_t iq_pa,
		  volatile u32 *status, phys_addr_t status_pa)
{
	int ret;

	if (!hw->caps.qi)
		return -ENOTSUP;
	hw->iq = iq;
	hw->iq_tail = 0;
	hw->wait_status = status;
	hw->wait_pa = status_pa;
	/* One page, 128-bit descriptors; head and tail start at 0. */
	wr64(hw, VTD_IQT, 0);
	wr64(hw, VTD_IQA, iq_pa & VTD_IQA_IQA);
	ret = vtd_gcmd(hw, VTD_GCMD_QIE, VTD_GSTS_QIES, true);
	hw->qi_on = !ret;
	return ret;
}

static void qi_put(struct vtd_hw *hw, u64 lo, u64 hi)
{
	u64 *d = &hw->iq[hw->iq_tail * 2];

	d[0] = lo;
	d[1] = hi;
	if (hw->io->flush)
		hw->io->flush(hw->io->ctx, d, VTD_QI_DESC_SIZE);
	hw->iq_tail = (hw->iq_tail + 1) % VTD_IQ_ENTRIES;
}

/*
 * Queue @lo/@hi and an invalidation wait behind it, ring the tail, and wait
 * for the status write: the wait completes only after the descriptors
 * before it (VT-d 3.4 6.5.2.8).
 */
static int qi_submit(struct vtd_hw *hw, u64 lo, u64 hi, const char *what)
{
	u32 seq = ++hw->wait_seq;
	u64 start;

	*hw->wait_status = 0;
	qi_put(hw, lo, hi);
	qi_put(hw,
	       FIELD_PREP(VTD_QI_TYPE, VTD_QI_WAIT) | VTD_QI_WAIT_SW |
		       VTD_QI_WAIT_FN | FIELD_PREP(VTD_QI_WAIT_DATA, seq),
	       hw->wait_pa & ~3ULL);
	wr64(hw, VTD_IQT,
	     FIELD_PREP(VTD_IQ_QT, (u64)hw->iq_tail * VTD_QI_DESC_SIZE >> 4));
	start = now(hw);
	while (*hw->wait_status != seq) {
		if (rd32(hw, VTD_FSTS) & VTD_FSTS_IQE) {
			pr_err("keel: iommu: invalidation queue error on %s\n",
			       what);
			wr32(hw, VTD_FSTS, VTD_FSTS_IQE);
			return -EIO;
		}
		if (now(hw) - start > VTD_INV_TIMEOUT_US) {
			pr_err("keel: iommu: timeout waiting for %s (queued)\n",
			       what);
			return -ETIMEDOUT;
		}
	}
	return 0;
}

/* ---- The invalidations ---- */

int vtd_inv_context_global(struct vtd_hw *hw)
{
	if (hw->qi_on)
		return qi_submit(hw,
				 FIELD_PREP(VTD_QI_TYPE, VTD_QI_CC) |
					 FIELD_PREP(VTD_QI_GRAN,
						    VTD_QI_GRAN_GLOBAL),
				 0, "context-cache invalidation");
	wr64(hw, VTD_CCMD,
	     VTD_CCMD_ICC | FIELD_PREP(VTD_CCMD_CIRG, VTD_CCMD_GLOBAL));
	return wait64_clear(hw, VTD_CCMD, VTD_CCMD_ICC, "CCMD.ICC");
}

static int inv_iotlb(struct vtd_hw *hw, u64 gran, u16 did)
{
	u32 reg = hw->caps.iro + VTD_IOTLB_OFF;

	if (hw->qi_on)
		return qi_submit(hw,
				 FIELD_PREP(VTD_QI_TYPE, VTD_QI_IOTLB) |
					 FIELD_PREP(VTD_QI_GRAN, gran) |
					 FIELD_PREP(VTD_QI_IOTLB_DID, did) |
					 VTD_QI_IOTLB_DR | VTD_QI_IOTLB_DW,
				 0, "IOTLB invalidation");
	/* The register's granularities number like the descriptor's. */
	wr64(hw, reg,
	     VTD_IOTLB_IVT | FIELD_PREP(VTD_IOTLB_IIRG, gran) |
		     FIELD_PREP(VTD_IOTLB_DID, did) | VTD_IOTLB_DR |
		     VTD_IOTLB_DW);
	return wait64_clear(hw, reg, VTD_IOTLB_IVT, "IOTLB.IVT");
}

int vtd_inv_iotlb_global(struct vtd_hw *hw)
{
	return inv_iotlb(hw, VTD_IOTLB_GLOBAL, 0);
}

int vtd_inv_iotlb_domain(struct vtd_hw *hw, u16 did)
{
	return inv_iotlb(hw, VTD_IOTLB_DOMAIN, did);
}

int vtd_inv_all(struct vtd_hw *hw)
{
	int ret = vtd_flush_write_buffer(hw);

	if (!ret)
		ret = vtd_inv_context_global(hw);
	if (!ret)
		ret = vtd_inv_iotlb_global(hw);
	return ret;
}
