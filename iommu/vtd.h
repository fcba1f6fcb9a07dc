/* SPDX-License-Identifier: MIT */
/*
 * The pure parts of the VT-d driver, shared by iommu/ and the host tests:
 * capability decoding, second-level page tables (domains), root and context
 * tables, the invalidation sequencer and fault-record polling. None of it
 * touches hardware directly: registers go through struct vtd_io and table
 * pages come from struct vtd_alloc, so host tests run it on a fake register
 * file and malloc'd pages. The rest of Keel uses iommu/iommu.h only.
 */
#ifndef KEEL_IOMMU_VTD_H
#define KEEL_IOMMU_VTD_H

#include "core/types.h"
#include "iommu/vtd_regs.h"

/* Every hardware wait is bounded; TCG is slow, so these are generous. */
#define VTD_HANDSHAKE_TIMEOUT_US 1000000 /* GCMD -> GSTS */
#define VTD_INV_TIMEOUT_US 1000000 /* CCMD.ICC, IOTLB.IVT, QI wait */

#define VTD_SIZE_4K (1ULL << 12)
#define VTD_SIZE_2M (1ULL << 21)
#define VTD_SIZE_1G (1ULL << 30)

/* ---- Capabilities (vtd_caps.c) ---- */
struct vtd_caps {
	u32 ver;
	u64 cap, ecap;
	u8 nd; /* CAP.ND as encoded */
	u32 n_domains; /* 2^(4 + 2*ND) */
	u8 sagaw; /* VTD_SAGAW_* */
	u8 mgaw; /* maximum guest address width in bits */
	u8 sllps; /* VTD_SLLPS_* */
	bool rwbf, cm, qi, ir, pt, coherent, psi;
	u32 fro; /* byte offset of the first fault record */
	u32 nfr; /* fault records */
	u32 iro; /* byte offset of the IOTLB registers */
};

void vtd_decode_caps(u32 ver, u64 cap, u64 ecap, struct vtd_caps *c);
/*
 * The table depth for a domain that must reach addresses below 2^@need_bits:
 * the smallest of 3 or 4 levels SAGAW offers that covers @need_bits (or the
 * deepest offered when none does). 0 when SAGAW offers neither.
 */
unsigned int vtd_pick_levels(const struct vtd_caps *c, unsigned int need_bits);
/* "ver 1.0 SAGAW 0x2 MGAW 39 ND 6 (65536 domains) CM 0 ..." */
int vtd_format_caps(const struct vtd_caps *c, char *buf, size_t len);
/* Is the capability usable by Keel at all? NULL if yes, else the reason. */
const char *vtd_caps_problem(const struct vtd_caps *c);

/* ---- Table pages ---- */
struct vtd_alloc {
	void *ctx;
	/* A zeroed, 4K-aligned page and its physical address, or NULL. */
	void *(*alloc_table)(void *ctx, phys_addr_t *pa);
	void (*free_table)(void *ctx, void *va, phys_addr_t pa);
	void *(*phys_to_virt)(void *ctx, phys_addr_t pa);
	/* Write [va, va+len) back from the CPU caches; NULL when ECAP.C says
	 * the unit snoops them. */
	void (*flush)(void *ctx, const void *va, size_t len);
};

/* ---- Domains: second-level page tables (vtd_pt.c), VT-d 3.4 9.8 ---- */
struct vtd_domain {
	const struct vtd_alloc *alloc;
	u16 did;
	unsigned int levels; /* 3 (39-bit) or 4 (48-bit) */
	u64 *top;
	phys_addr_t top_pa;
	bool allow_2m, allow_1g;
	u64 tables; /* table pages in use, the top one included */
};

/* Mapping permissions. */
#define VTD_MAP_R ((u32)VTD_SL_R)
#define VTD_MAP_W ((u32)VTD_SL_W)
#define VTD_MAP_RW (VTD_MAP_R | VTD_MAP_W)

/*
 * An empty domain with @levels (3 or 4) whose large pages follow @sllps
 * (CAP.SLLPS). 0, -EINVAL or -ENOMEM.
 */
int vtd_domain_init(struct vtd_domain *d, const struct vtd_alloc *a, u16 did,
		    unsigned int levels, u8 sllps);
void vtd_domain_destroy(struct vtd_domain *d);
/* Addresses the domain can translate: [0, limit). */
u64 vtd_domain_limit(const struct vtd_domain *d);
/*
 * Map [iova, iova+size) to [pa, pa+size), largest pages first, splitting
 * large pages that are only partly replaced. All 4K-aligned. 0, -EINVAL,
 * -ERANGE (beyond the domain's width) or -ENOMEM (then partly mapped).
 */
int vtd_map(struct vtd_domain *d, u64 iova, phys_addr_t pa, u64 size,
	    u32 perms);
/* Remove every mapping in [iova, iova+size); holes are fine. */
int vtd_unmap(struct vtd_domain *d, u64 iova, u64 size);
/* Translate @iova: 0 or -ENOENT. @page_size and @perms may be NULL. */
int vtd_lookup(const struct vtd_domain *d, u64 iova, phys_addr_t *pa,
	       u64 *page_size, u32 *perms);

/* Domain ids (CAP.ND). Id 0 is never handed out: with CAP.CM it is
 * reserved (VT-d 3.4 6.2.2), and Keel keeps one rule for both modes. */
struct vtd_dids {
	u32 n; /* ids the hardware has */
	u32 next;
};
void vtd_dids_init(struct vtd_dids *ids, const struct vtd_caps *c);
/* The next free id, or -ENOSPC. */
int vtd_did_alloc(struct vtd_dids *ids);

/* ---- Root and context tables, legacy mode (vtd_ctx.c), VT-d 3.4 9.1/9.3 */
#define VTD_BUSES 256
#define VTD_DEVFNS 256

struct vtd_root {
	const struct vtd_alloc *alloc;
	u64 *root; /* 256 x 128-bit root entries */
	phys_addr_t root_pa;
	u64 *ctx[VTD_BUSES]; /* context table of each bus, or NULL */
	phys_addr_t ctx_pa[VTD_BUSES];
};

#define VTD_DEVFN(dev, fn) ((u8)((dev) << 3 | (fn)))

int vtd_root_init(struct vtd_root *r, const struct vtd_alloc *a);
void vtd_root_destroy(struct vtd_root *r);
/* Point (bus, devfn) at domain @d: 0, -EINVAL or -ENOMEM. */
int vtd_ctx_set(struct vtd_root *r, u8 bus, u8 devfn,
		const struct vtd_domain *d);
/* Make (bus, devfn) not present again: its DMA is blocked (reason 2). */
void vtd_ctx_clear(struct vtd_root *r, u8 bus, u8 devfn);
/* The raw context entry; false when not present. */
bool vtd_ctx_get(const struct vtd_root *r, u8 bus, u8 devfn, u64 *lo, u64 *hi);

/* ---- Registers of one unit, and the invalidation sequencer (vtd_inv.c) */
struct vtd_io {
	u32 (*read32)(void *ctx, u32 off);
	u64 (*read64)(void *ctx, u32 off);
	void (*write32)(void *ctx, u32 off, u32 v);
	void (*write64)(void *ctx, u32 off, u64 v);
	u64 (*now_us)(void *ctx);
	/* As struct vtd_alloc's: for the invalidation queue. May be NULL. */
	void (*flush)(void *ctx, const void *va, size_t len);
	void *ctx;
};

struct vtd_hw {
	const struct vtd_io *io;
	struct vtd_caps caps;
	/* Queued invalidation, once vtd_qi_enable() succeeded. */
	bool qi_on;
	u64 *iq; /* 4K: 256 descriptors of 128 bits */
	u32 iq_tail; /* next free descriptor */
	volatile u32 *wait_status; /* written by wait descriptors */
	phys_addr_t wait_pa;
	u32 wait_seq;
	/* Fault reporting (vtd_fault.c). */
	u64 faults, faults_shown, faults_hidden, overflows;
	u32 log_budget;
	u64 log_refill_us;
};

#define VTD_IQ_ENTRIES (VTD_SIZE_4K / VTD_QI_DESC_SIZE)

void vtd_hw_init(struct vtd_hw *hw, const struct vtd_io *io);
/*
 * Write GCMD with @cmd set (or cleared, when !@on) on top of the enables
 * GSTS reports, then wait for GSTS.@sts to match. One-shot commands (SRTP,
 * WBF) pass @sts with the wait direction they need. 0 or -ETIMEDOUT.
 */
int vtd_gcmd(struct vtd_hw *hw, u32 cmd, u32 sts, bool on);
/* RTADDR = @root_pa, legacy mode; GCMD.SRTP; wait for GSTS.RTPS. */
int vtd_set_root(struct vtd_hw *hw, phys_addr_t root_pa);
/* GCMD.WBF when CAP.RWBF says the write buffer must be flushed, else 0. */
int vtd_flush_write_buffer(struct vtd_hw *hw);
/*
 * Switch to queued invalidation: @iq is a zeroed 4K page at @iq_pa, @status
 * a u32 the unit writes at @status_pa. After this, register-based
 * invalidation must not be used (QEMU never completes it). 0, -ENOTSUP
 * (no ECAP.QI) or -ETIMEDOUT.
 */
int vtd_qi_enable(struct vtd_hw *hw, u64 *iq, phys_addr_t iq_pa,
		  volatile u32 *status, phys_addr_t status_pa);
/* Context-cache invalidation, global; QI when on, else CCMD. */
int vtd_inv_context_global(struct vtd_hw *hw);
/* IOTLB invalidation (draining reads and writes): global, or one domain. */
int vtd_inv_iotlb_global(struct vtd_hw *hw);
int vtd_inv_iotlb_domain(struct vtd_hw *hw, u16 did);
/* Write buffer, context cache, IOTLB: after tables change under a unit. */
int vtd_inv_all(struct vtd_hw *hw);
/*
 * Must a not-present -> present change be invalidated? Only in caching
 * mode (CAP.CM, VT-d 3.4 6.1): otherwise hardware caches no not-present
 * entries.
 */
static inline bool vtd_inv_needed_on_map(const struct vtd_hw *hw)
{
	return hw->caps.cm;
}
/* GCMD.TE on or off with the GSTS.TES handshake. */
int vtd_set_translation(struct vtd_hw *hw, bool on);

/* ---- Guest domains (vtd_guest.c): the guest's RAM, GPA -> HPA ---- */
struct iommu_ram;
/*
 * Map every range of @ram (4K-aligned, not overlapping in GPA) read/write
 * at IOVA = GPA. A range whose host pages meet [@keel_lo, @keel_hi) (Keel's
 * image) is refused with -EPERM before anything is mapped; a range past the
 * domain's width gives -ERANGE. All or nothing: on an error, what was
 * mapped is unmapped again.
 */
int vtd_guest_map(struct vtd_domain *d, const struct iommu_ram *ram,
		  unsigned int n, u64 keel_lo, u64 keel_hi);
/* Unmap every range of @ram. */
void vtd_guest_unmap(struct vtd_domain *d, const struct iommu_ram *ram,
		     unsigned int n);

/* ---- The DMAR's meaning (vtd_dmar.c), VT-d 3.4 8.3-8.4 ---- */
struct acpi_dmar;
struct acpi_dmar_rmrr;
struct acpi_dmar_scope;
/* NULL when Keel can use @d, else why not. */
const char *vtd_dmar_problem(const struct acpi_dmar *d);

/*
 * How a device scope's path is followed through bridges (VT-d 3.4 8.3.1):
 * the bus numbers behind the bridge at (seg, bus, dev, fn), false when
 * there is no bridge there (PCI-PCI Bridge 1.2 3.2.5.3-5: secondary and
 * subordinate bus number). With no hook, only paths of one entry resolve.
 */
struct vtd_buses {
	bool (*bridge)(void *ctx, u16 seg, u8 bus, u8 dev, u8 fn, u8 *secondary,
		       u8 *subordinate);
	void *ctx;
};

/*
 * Does @sc (in segment @seg) name (seg, bus, dev, fn)? Its path is walked
 * from the start bus through each bridge's secondary bus; an endpoint
 * scope names the function its last entry reaches, a bridge (sub-hierarchy)
 * scope that bridge and every function on the buses behind it. A path
 * that is cut, empty or through a function that is no bridge names
 * nothing. Other scope types (IOAPIC, HPET, namespace) name no function.
 */
bool vtd_scope_names(const struct acpi_dmar_scope *sc,
		     const struct vtd_buses *b, u16 seg, u8 bus, u8 dev, u8 fn);
/*
 * The unit translating (seg, bus, dev, fn): one naming it in a device
 * scope, else the segment's INCLUDE_PCI_ALL unit; -1 when none does.
 */
int vtd_dmar_unit_for(const struct acpi_dmar *d, const struct vtd_buses *b,
		      u16 seg, u8 bus, u8 dev, u8 fn);
/* Does @r name (seg, bus, dev, fn)? */
bool vtd_rmrr_names(const struct acpi_dmar_rmrr *r, const struct vtd_buses *b,
		    u16 seg, u8 bus, u8 dev, u8 fn);
/* Identity-map @r's pages (read/write) in @dom. */
int vtd_map_rmrr(struct vtd_domain *dom, const struct acpi_dmar_rmrr *r);

/* ---- Faults (vtd_fault.c), VT-d 3.4 7.1 and 10.4.14 ---- */
struct vtd_fault {
	u16 sid; /* requester: bus << 8 | dev << 3 | fn */
	u64 addr; /* the page the request addressed */
	bool read; /* else a write */
	u8 reason; /* VTD_FR_* */
};

/* Console lines per burst, and how often a burst may start again. */
#define VTD_FAULT_LOG_BURST 16
#define VTD_FAULT_LOG_PERIOD_US 1000000

const char *vtd_fault_reason(u8 reason);
/* "00:1f.2 write to 0x1234000 blocked: reason 5 (...)" */
int vtd_format_fault(const struct vtd_fault *f, char *buf, size_t len);
/*
 * Read and clear every recorded fault (at most CAP.NFR, so a storm cannot
 * keep Keel here), then a primary fault overflow. Each fault is printed
 * once while the log budget lasts; further ones are counted and summed up
 * when the budget refills. Copies up to @max faults to @out (may be NULL).
 * Returns the faults read.
 */
unsigned int vtd_fault_poll(struct vtd_hw *hw, struct vtd_fault *out,
			    unsigned int max);

#endif
