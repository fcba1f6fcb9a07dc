/* SPDX-License-Identifier: MIT */
/*
 * The IOMMU as the rest of Keel sees it (docs/iommu.md). Today: Intel VT-d
 * units from the ACPI DMAR, a Keel domain that identity-maps the RAM Keel
 * allocates from (type-1 ranges of the memory map) for the functions Keel's
 * drivers own, and no context entry (all DMA blocked) for every other
 * function behind a unit.
 *
 * Boot order: platform_init() (ACPI, PCI), then iommu_init(); after the
 * drivers claimed their functions (pci_dev.keel_owned), iommu_enable().
 */
#ifndef KEEL_IOMMU_IOMMU_H
#define KEEL_IOMMU_IOMMU_H

#include "core/types.h"

struct acpi_info;
struct boot_info;

enum iommu_state {
	IOMMU_ABSENT, /* no DMAR: DMA is not confined */
	IOMMU_BROKEN, /* a DMAR or unit Keel cannot trust: fail closed */
	IOMMU_FOUND, /* units mapped and decoded, translation off */
	IOMMU_ON, /* translation on in every unit */
};

/* Map each unit's registers, decode and print their capabilities. */
enum iommu_state iommu_init(const struct acpi_info *ai);
/*
 * Build the Keel domain from @bi's memory map, give every Keel-owned PCI
 * function behind a unit a context entry on it, identity-map the RMRRs for
 * the functions they name, and turn translation on. 0, or a negative errno
 * (then state is IOMMU_BROKEN and translation is off).
 */
int iommu_enable(const struct boot_info *bi);
enum iommu_state iommu_state(void);

/* One blocked DMA, as the units recorded it. */
struct iommu_fault {
	u16 bdf; /* PCI_BDF() of the requester */
	u64 addr;
	bool read;
	u8 reason; /* VT-d fault reason */
};
/*
 * Read, report (once each, rate-limited) and clear every unit's faults.
 * Copies up to @max to @out (may be NULL); returns how many were read.
 * Cheap when nothing faulted: one register read per unit.
 */
unsigned int iommu_poll_faults(struct iommu_fault *out, unsigned int max);

/*
 * For self-tests: remove [pa, pa+size) from the Keel domain (or map it
 * back), invalidating the IOTLB. 0 or a negative errno.
 */
int iommu_keel_unmap(u64 pa, u64 size);
int iommu_keel_map(u64 pa, u64 size);
/* Detach a function (its DMA is then blocked) or give it the Keel domain. */
int iommu_detach(u8 bus, u8 dev, u8 fn);
int iommu_attach_keel(u8 bus, u8 dev, u8 fn);
/*
 * The context entry of a function: false when it has none (DMA blocked),
 * else true with its domain id, and whether that is the Keel domain.
 */
bool iommu_context(u8 bus, u8 dev, u8 fn, u16 *did, bool *keel);

/*
 * For the shell: the state, each unit (capabilities, domains, invalidation,
 * fault count), the domains, every function's context entry and the last
 * faults read.
 */
void iommu_show(void);

#endif
