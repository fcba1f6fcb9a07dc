// SPDX-License-Identifier: MIT
/*
 * Keel's VT-d glue: the units from the DMAR, their registers mapped
 * uncached, the Keel domain and the policy of who gets which context entry
 * (docs/iommu.md). The hardware-independent work is in vtd_*.c.
 */
#include "iommu/iommu.h"
#include "iommu/vtd.h"
#include "iommu/iommu_priv.h"
#include "arch/x86/acpi.h"
#include "arch/x86/arch.h"
#include "core/bootinfo.h"
#include "core/console.h"
#include "core/lib.h"
#include "core/mm.h"
#include "drivers/pci.h"

struct iommu_ctx io_mmu;

/* ---- Register and memory hooks for vtd_*.c ---- */

static u32 u_read32(void *ctx, u32 off)
{
	return mmio_read32(((struct unit *)ctx)->regs + off);
}

static u64 u_read64(void *ctx, u32 off)
{
	return mmio_read64(((struct unit *)ctx)->regs + off);
}

static void u_write32(void *ctx, u32 off, u32 v)
{
	mmio_write32(((struct unit *)ctx)->regs + off, v);
}

static void u_write64(void *ctx, u32 off, u64 v)
{
	mmio_write64(((struct unit *)ctx)->regs + off, v);
}

static u64 u_now(void *ctx)
{
	return time_us();
}

static void mem_flush(void *ctx, const void *va, size_t len)
{
	if (io_mmu.flush)
		clflush_range(va, len);
}

static void *tbl_alloc(void *ctx, phys_addr_t *pa)
{
	void *p = alloc_page();

	if (p)
		*pa = virt_to_phys(p);
	return p;
}

static void tbl_free(void *ctx, void *va, phys_addr_t pa)
{
	free_pages(pa, 1);
}

static void *tbl_p2v(void *ctx, phys_addr_t pa)
{
	return phys_to_virt(pa);
}

const struct vtd_alloc iommu_tables = {
	.alloc_table = tbl_alloc,
	.free_table = tbl_free,
	.phys_to_virt = tbl_p2v,
	.flush = mem_flush,
};

/* Device scopes through bridges: the enumerated bridge's bus numbers, as
 * the firmware programmed them (Keel never renumbers buses). */
static bool pci_bridge_buses(void *ctx, u16 seg, u8 bus, u8 dev, u8 fn,
			     u8 *secondary, u8 *subordinate)
{
	const struct pci_dev *d = seg ? NULL : pci_find_bdf(bus, dev, fn);

	if (!d || d->header_type != PCI_HEADER_TYPE_BRIDGE)
		return false;
	*secondary = pci_read8(d, PCI_SECONDARY_BUS);
	*subordinate = pci_read8(d, PCI_SUBORDINATE_BUS);
	return true;
}

const struct vtd_buses iommu_buses = { .bridge = pci_bridge_buses };

/* ---- Discovery ---- */

/*
 * One line: @what, why (may be NULL), and the policy. Units already
 * translating are turned off again, so the line's "translation stays off"
 * holds.
 */
static enum iommu_state fail_closed(const char *what, const char *why)
{
	unsigned int i;

	for (i = 0; i < io_mmu.n; i++)
		if (io_mmu.units[i].on &&
		    !vtd_set_translation(&io_mmu.units[i].hw, false))
			io_mmu.units[i].on = false;
	pr_err("keel: iommu: %s%s%s; failing closed: translation stays off, and %s\n",
	       what, why ? ": " : "", why ? why : "",
	       iommu_unconfined_policy());
	io_mmu.state = IOMMU_BROKEN;
	return io_mmu.state;
}

static const char *init_unit(struct unit *u, u64 base, unsigned int idx)
{
	const char *why;
	char line[200];

	u->base = base;
	u->regs = ioremap(base, VTD_REG_SIZE);
	if (!u->regs)
		return "cannot map a unit's registers";
	u->io = (struct vtd_io){ .read32 = u_read32,
				 .read64 = u_read64,
				 .write32 = u_write32,
				 .write64 = u_write64,
				 .now_us = u_now,
				 .flush = mem_flush,
				 .ctx = u };
	vtd_hw_init(&u->hw, &u->io);
	vtd_format_caps(&u->hw.caps, line, sizeof(line));
	pr_info("keel: iommu: unit %u at 0x%llx: %s\n", idx,
		(unsigned long long)base, line);
	why = vtd_caps_problem(&u->hw.caps);
	if (why)
		return why;
	if (mmio_read32(u->regs + VTD_GSTS) & VTD_GSTS_TES)
		pr_warn("keel: iommu: unit %u: firmware left translation on\n",
			idx);
	return NULL;
}

static enum iommu_state units_init(const struct acpi_info *ai)
{
	const char *why;
	unsigned int i;

	if (ai->dmar_bad)
		return fail_closed("DMAR malformed (see the acpi line above)",
				   NULL);
	why = vtd_dmar_problem(&ai->dmar);
	if (why)
		return fail_closed("DMAR malformed", why);
	io_mmu.dmar = &ai->dmar;
	io_mmu.sllps = VTD_SLLPS_2M | VTD_SLLPS_1G;
	io_mmu.levels = 0;
	for (i = 0; i < ai->dmar.n_units; i++) {
		struct unit *u = &io_mmu.units[i];
		unsigned int lv;

		why = init_unit(u, ai->dmar.units[i].reg_base, i);
		if (why)
			return fail_closed("a remapping unit is unusable", why);
		io_mmu.n++;
		/* Deep enough for every address the unit takes (MGAW), so a
		 * domain never needs rebuilding for a high address; the
		 * Keel domain is shared by every unit, so they must agree. */
		lv = vtd_pick_levels(&u->hw.caps, u->hw.caps.mgaw);
		if (io_mmu.levels && lv != io_mmu.levels)
			return fail_closed("units differ in table depth", NULL);
		io_mmu.levels = lv;
		io_mmu.sllps &= u->hw.caps.sllps;
		if (!u->hw.caps.coherent)
			io_mmu.flush = true;
	}
	io_mmu.state = IOMMU_FOUND;
	return io_mmu.state;
}

const char *iommu_unconfined_policy(void)
{
	return io_mmu.cfg.unconfined_dma ?
		       "the guest's devices may bus-master anywhere (unconfined_dma)" :
		       "the guest's devices get no bus mastering (unconfined_dma would allow it)";
}

enum iommu_state iommu_init(const struct acpi_info *ai,
			    const struct iommu_config *cfg)
{
	io_mmu.cfg = *cfg;
	/* First, so the firmware's DMA stops before Keel hands out memory. */
	iommu_quiesce_dma(ai);
	if (cfg->mode == IOMMU_MODE_OFF) {
		pr_warn("keel: iommu: off (iommu=off); DMA is not confined: %s\n",
			iommu_unconfined_policy());
		io_mmu.state = IOMMU_OFF;
		return io_mmu.state;
	}
	if (!ai->have_dmar) {
		pr_info("keel: iommu: no DMAR table; DMA is not confined: %s\n",
			iommu_unconfined_policy());
		io_mmu.state = IOMMU_ABSENT;
		return io_mmu.state;
	}
	return units_init(ai);
}

enum iommu_state iommu_state(void)
{
	return io_mmu.state;
}

/* ---- The Keel domain and the context entries ---- */

static u8 devfn_of(const struct pci_dev *d)
{
	return VTD_DEVFN(d->dev, d->fn);
}

struct unit *iommu_unit_for(const struct pci_dev *d)
{
	int i = vtd_dmar_unit_for(io_mmu.dmar, &iommu_buses, d->seg, d->bus,
				  d->dev, d->fn);

	return i < 0 || (unsigned int)i >= io_mmu.n ? NULL : &io_mmu.units[i];
}

/* Identity-map every type-1 range: the RAM Keel allocates from, its own
 * pages and guest RAM included (docs/iommu.md says why). */
static int map_keel_ram(const struct boot_info *bi, u64 *mapped)
{
	u64 limit = vtd_domain_limit(&io_mmu.keel);
	unsigned int i;

	*mapped = 0;
	for (i = 0; i < bi->n_mmap; i++) {
		const struct mem_range *r = &bi->mmap[i];
		u64 base = (r->base + VTD_SIZE_4K - 1) & ~(VTD_SIZE_4K - 1);
		u64 end = (r->base + r->len) & ~(VTD_SIZE_4K - 1);
		int ret;

		if (r->type != MEM_AVAILABLE || end <= base)
			continue;
		if (end > limit) {
			pr_warn("keel: iommu: RAM above 0x%llx not mapped for Keel's devices\n",
				(unsigned long long)limit);
			end = limit;
			if (end <= base)
				continue;
		}
		ret = vtd_map(&io_mmu.keel, base, base, end - base, VTD_MAP_RW);
		if (ret)
			return ret;
		*mapped += end - base;
	}
	return 0;
}

/* A function no Keel driver owns, named by an RMRR: it keeps reaching its
 * RMRRs and nothing else (the documented exception, docs/iommu.md). */
static int rmrr_attach(const struct pci_dev *d, struct unit *u)
{
	const struct acpi_dmar *dm = io_mmu.dmar;
	bool named = false;
	unsigned int i;
	int ret;

	for (i = 0; i < dm->n_rmrrs; i++)
		if (vtd_rmrr_names(&dm->rmrrs[i], &iommu_buses, d->seg, d->bus,
				   d->dev, d->fn))
			named = true;
	if (!named)
		return 0;
	if (!io_mmu.have_rmrr_domain) {
		ret = vtd_domain_init(&io_mmu.rmrr, &iommu_tables,
				      IOMMU_DID_RMRR, io_mmu.levels,
				      io_mmu.sllps);
		if (ret)
			return ret;
		for (i = 0; i < dm->n_rmrrs; i++) {
			ret = vtd_map_rmrr(&io_mmu.rmrr, &dm->rmrrs[i]);
			if (ret)
				return ret;
		}
		io_mmu.have_rmrr_domain = true;
	}
	pr_info("keel: iommu: %02x:%02x.%u -> RMRR domain %u (its RMRRs only)\n",
		d->bus, d->dev, d->fn, io_mmu.rmrr.did);
	return vtd_ctx_set(&u->root, d->bus, devfn_of(d), &io_mmu.rmrr);
}

/* Keel's functions get the Keel domain (plus the RMRRs naming them); the
 * rest get nothing, so their DMA is blocked, unless an RMRR names them. */
static int assign(void)
{
	const struct acpi_dmar *dm = io_mmu.dmar;
	unsigned int i, r;
	int ret;

	for (i = 0; i < pci_device_count(); i++) {
		const struct pci_dev *d = pci_device(i);
		struct unit *u = iommu_unit_for(d);

		if (!u) {
			if (d->keel_owned)
				pr_warn("keel: iommu: %02x:%02x.%u is behind no unit: its DMA is not translated\n",
					d->bus, d->dev, d->fn);
			continue;
		}
		if (!d->keel_owned) {
			ret = rmrr_attach(d, u);
			if (ret)
				return ret;
			continue;
		}
		for (r = 0; r < dm->n_rmrrs; r++) {
			if (!vtd_rmrr_names(&dm->rmrrs[r], &iommu_buses, d->seg,
					    d->bus, d->dev, d->fn))
				continue;
			ret = vtd_map_rmrr(&io_mmu.keel, &dm->rmrrs[r]);
			if (ret)
				return ret;
		}
		ret = vtd_ctx_set(&u->root, d->bus, devfn_of(d), &io_mmu.keel);
		if (ret)
			return ret;
		pr_info("keel: iommu: %02x:%02x.%u -> Keel domain %u\n", d->bus,
			d->dev, d->fn, io_mmu.keel.did);
	}
	return 0;
}

static int enable_unit(struct unit *u, unsigned int idx)
{
	const char *how = "register-based";
	int ret;

	ret = vtd_set_root(&u->hw, u->root.root_pa);
	if (ret)
		return ret;
	if (u->hw.caps.qi) {
		u64 *iq = alloc_page();
		u32 *status = alloc_page();

		if (!iq || !status)
			return -ENOMEM;
		ret = vtd_qi_enable(&u->hw, iq, virt_to_phys(iq), status,
				    virt_to_phys(status));
		if (ret)
			return ret;
		how = "queued";
	}
	/* Keel polls faults; firmware may have left the fault event
	 * unmasked, pointing at a vector Keel does not handle. */
	mmio_write32(u->regs + VTD_FECTL, VTD_FECTL_IM);
	ret = vtd_inv_all(&u->hw);
	if (!ret)
		ret = vtd_set_translation(&u->hw, true);
	if (ret)
		return ret;
	u->on = true;
	/* Protected memory regions a boot loader (tboot) left on would keep
	 * blocking DMA that translation now governs (VT-d 3.4 10.4.16). */
	if ((u->hw.caps.cap & (VTD_CAP_PLMR | VTD_CAP_PHMR)) &&
	    (mmio_read32(u->regs + VTD_PMEN) & VTD_PMEN_EPM)) {
		u64 start = time_us();

		mmio_write32(u->regs + VTD_PMEN, 0);
		while (mmio_read32(u->regs + VTD_PMEN) & VTD_PMEN_PRS)
			if (time_us() - start > VTD_HANDSHAKE_TIMEOUT_US)
				return -ETIMEDOUT;
		pr_info("keel: iommu: unit %u: protected memory regions off\n",
			idx);
	}
	pr_info("keel: iommu: unit %u: translation on (%s invalidation)\n", idx,
		how);
	return 0;
}

int iommu_enable(const struct boot_info *bi)
{
	unsigned int i;
	u64 mapped;
	int ret;

	if (io_mmu.state != IOMMU_FOUND)
		return -ENODEV;
	ret = vtd_domain_init(&io_mmu.keel, &iommu_tables, IOMMU_DID_KEEL,
			      io_mmu.levels, io_mmu.sllps);
	if (!ret)
		ret = map_keel_ram(bi, &mapped);
	for (i = 0; !ret && i < io_mmu.n; i++)
		ret = vtd_root_init(&io_mmu.units[i].root, &iommu_tables);
	if (!ret)
		ret = assign();
	if (ret) {
		fail_closed("cannot build the translation tables", NULL);
		return ret;
	}
	pr_info("keel: iommu: Keel domain %u: %u-level, %llu MiB of RAM identity-mapped, %llu table pages\n",
		io_mmu.keel.did, io_mmu.keel.levels,
		(unsigned long long)(mapped >> 20),
		(unsigned long long)io_mmu.keel.tables);
	for (i = 0; i < io_mmu.n; i++) {
		ret = enable_unit(&io_mmu.units[i], i);
		if (ret) {
			fail_closed("a unit's translation could not be enabled",
				    NULL);
			return ret;
		}
	}
	io_mmu.state = IOMMU_ON;
	pr_info("keel: iommu: DMA confined: Keel's devices reach Keel's RAM, the guest's reach the guest's RAM, every other function is blocked\n");
	/* Firmware-left DMA of functions that now have no context entry is
	 * blocked from here on; report what was caught at the switch. */
	iommu_poll_faults(NULL, 0);
	return 0;
}

/* ---- Faults ---- */

/* ---- Self-test hooks ---- */

int iommu_inv_units(void)
{
	unsigned int i;
	int ret = 0;

	for (i = 0; i < io_mmu.n && !ret; i++)
		if (io_mmu.units[i].on)
			ret = vtd_inv_all(&io_mmu.units[i].hw);
	return ret;
}

int iommu_keel_unmap(u64 pa, u64 size)
{
	int ret;

	if (io_mmu.state != IOMMU_ON)
		return -ENODEV;
	ret = vtd_unmap(&io_mmu.keel, pa, size);
	return ret ? ret : iommu_inv_units();
}

int iommu_keel_map(u64 pa, u64 size)
{
	int ret;

	if (io_mmu.state != IOMMU_ON)
		return -ENODEV;
	ret = vtd_map(&io_mmu.keel, pa, pa, size, VTD_MAP_RW);
	/* Outside caching mode a not-present -> present change needs no
	 * invalidation, but a map may also replace a table by a large page,
	 * and the freed table must leave the paging-structure caches. */
	return ret ? ret : iommu_inv_units();
}

struct unit *iommu_unit_of_bdf(u8 bus, u8 dev, u8 fn)
{
	int i;

	if (io_mmu.state != IOMMU_ON)
		return NULL;
	i = vtd_dmar_unit_for(io_mmu.dmar, &iommu_buses, 0, bus, dev, fn);
	return i < 0 || (unsigned int)i >= io_mmu.n ? NULL : &io_mmu.units[i];
}

int iommu_detach(u8 bus, u8 dev, u8 fn)
{
	struct unit *u = iommu_unit_of_bdf(bus, dev, fn);

	if (!u)
		return -ENODEV;
	vtd_ctx_clear(&u->root, bus, VTD_DEVFN(dev, fn));
	return vtd_inv_all(&u->hw);
}

int iommu_attach_keel(u8 bus, u8 dev, u8 fn)
{
	struct unit *u = iommu_unit_of_bdf(bus, dev, fn);
	int ret;

	if (!u)
		return -ENODEV;
	ret = vtd_ctx_set(&u->root, bus, VTD_DEVFN(dev, fn), &io_mmu.keel);
	return ret ? ret : vtd_inv_all(&u->hw);
}

bool iommu_context(u8 bus, u8 dev, u8 fn, u16 *did, bool *keel)
{
	struct unit *u = iommu_unit_of_bdf(bus, dev, fn);
	u64 hi;

	if (!u || !vtd_ctx_get(&u->root, bus, VTD_DEVFN(dev, fn), NULL, &hi))
		return false;
	if (did)
		*did = FIELD_GET(VTD_CTX_HI_DID, hi);
	if (keel)
		*keel = FIELD_GET(VTD_CTX_HI_DID, hi) == io_mmu.keel.did;
	return true;
}
