// SPDX-License-Identifier: MIT
/*
 * The guest domain (docs/iommu.md, "The guest domain"): the functions
 * given to the guest DMA into the guest's RAM, at GPA, and nowhere else.
 * vdev/pci_cfg.c builds it from the guest's RAM when the guest starts,
 * asks for each of the guest's functions, and tears it down when the
 * guest ends. Without working VT-d the answer is the fail-closed policy.
 */
#include "core/console.h"
#include "core/lib.h"
#include "core/mm.h"
#include "iommu/iommu_priv.h"

extern const u8 __image_start[], __image_end[];

/* The guest's functions off the guest domain, then its tables freed. */
void iommu_guest_domain_destroy(void)
{
	for (unsigned int i = 0; i < io_mmu.n_guest_fns; i++) {
		u16 bdf = io_mmu.guest_fns[i];
		struct unit *u =
			iommu_unit_of_bdf(bdf >> 8, (bdf >> 3) & 0x1f, bdf & 7);

		if (u)
			vtd_ctx_clear(&u->root, bdf >> 8, (u8)bdf);
	}
	io_mmu.n_guest_fns = 0;
	if (!io_mmu.have_guest_domain)
		return;
	/* No unit may walk the tables once they are freed. */
	if (iommu_inv_units())
		pr_err("keel: iommu: invalidation failed tearing down the guest domain\n");
	vtd_domain_destroy(&io_mmu.guest);
	io_mmu.have_guest_domain = false;
}

int iommu_guest_domain_create(const struct iommu_ram *ram, unsigned int n)
{
	u64 bytes = 0;
	int ret;

	iommu_guest_domain_destroy();
	if (io_mmu.state != IOMMU_ON)
		return -ENODEV;
	ret = vtd_domain_init(&io_mmu.guest, &iommu_tables, IOMMU_DID_GUEST,
			      io_mmu.levels, io_mmu.sllps);
	if (ret)
		return ret;
	ret = vtd_guest_map(&io_mmu.guest, ram, n, virt_to_phys(__image_start),
			    virt_to_phys(__image_end));
	if (ret) {
		pr_err("keel: iommu: cannot build the guest domain (%d): the guest's devices get no DMA\n",
		       ret);
		vtd_domain_destroy(&io_mmu.guest);
		return ret;
	}
	io_mmu.have_guest_domain = true;
	for (unsigned int i = 0; i < n; i++)
		bytes += ram[i].size;
	pr_info("keel: iommu: guest domain %u: %llu MiB of guest RAM at its GPAs, %llu table pages\n",
		io_mmu.guest.did, (unsigned long long)(bytes >> 20),
		(unsigned long long)io_mmu.guest.tables);
	return 0;
}

static enum iommu_guest_dma unconfined(void)
{
	return io_mmu.cfg.unconfined_dma ? IOMMU_GUEST_DMA_UNCONFINED :
					   IOMMU_GUEST_DMA_DENIED;
}

enum iommu_guest_dma iommu_guest_assign(u8 bus, u8 dev, u8 fn)
{
	struct unit *u = iommu_unit_of_bdf(bus, dev, fn);
	u16 bdf = PCI_BDF(bus, dev, fn);

	/* No translation for it: the fail-closed rule decides. */
	if (!u)
		return unconfined();
	/* The firmware keeps using it (docs/iommu.md, RMRRs): it stays where
	 * iommu_enable() put it, reaching its RMRRs and nothing else. */
	for (unsigned int i = 0; i < io_mmu.dmar->n_rmrrs; i++)
		if (vtd_rmrr_names(&io_mmu.dmar->rmrrs[i], &iommu_buses, 0, bus,
				   dev, fn))
			return IOMMU_GUEST_DMA_RMRR;
	/* Translated but no guest domain: blocked (no context entry). */
	if (!io_mmu.have_guest_domain ||
	    io_mmu.n_guest_fns == ARRAY_SIZE(io_mmu.guest_fns) ||
	    vtd_ctx_set(&u->root, bus, VTD_DEVFN(dev, fn), &io_mmu.guest))
		return IOMMU_GUEST_DMA_DENIED;
	io_mmu.guest_fns[io_mmu.n_guest_fns++] = bdf;
	/* A new context entry: the context cache may hold "not present"
	 * in caching mode; one global invalidation covers both. */
	if (vtd_inv_all(&u->hw)) {
		vtd_ctx_clear(&u->root, bus, VTD_DEVFN(dev, fn));
		io_mmu.n_guest_fns--;
		return IOMMU_GUEST_DMA_DENIED;
	}
	pr_info("keel: iommu: %02x:%02x.%u -> guest domain %u\n", bus, dev, fn,
		io_mmu.guest.did);
	return IOMMU_GUEST_DMA_CONFINED;
}

u16 iommu_guest_did(void)
{
	return io_mmu.have_guest_domain ? io_mmu.guest.did : 0;
}

int iommu_guest_lookup(u64 gpa, phys_addr_t *hpa)
{
	if (!io_mmu.have_guest_domain)
		return -ENOENT;
	return vtd_lookup(&io_mmu.guest, gpa, hpa, NULL, NULL);
}
