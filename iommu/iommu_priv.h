/* SPDX-License-Identifier: MIT */
/*
 * What iommu/'s glue files share: the units, the domains and the policy
 * state. Only the files of iommu/ include this; the rest of Keel uses
 * iommu.h.
 */
#ifndef KEEL_IOMMU_IOMMU_PRIV_H
#define KEEL_IOMMU_IOMMU_PRIV_H

#include "arch/x86/acpi.h"
#include "drivers/pci.h"
#include "iommu/iommu.h"
#include "iommu/vtd.h"

/* Domain ids (id 0 is never used: CM reserves it, VT-d 3.4 6.2.2). */
#define IOMMU_DID_KEEL 1
#define IOMMU_DID_RMRR 2
#define IOMMU_DID_GUEST 3

struct unit {
	u64 base;
	volatile u8 *regs;
	struct vtd_io io;
	struct vtd_hw hw;
	struct vtd_root root;
	bool on;
};

struct iommu_ctx {
	enum iommu_state state;
	struct iommu_config cfg;
	const struct acpi_dmar *dmar;
	unsigned int n;
	struct unit units[ACPI_DMAR_MAX_UNITS];
	unsigned int levels;
	u8 sllps; /* large pages every unit has */
	bool flush; /* some unit does not snoop the CPU caches */
	struct vtd_domain keel; /* Keel's own devices */
	struct vtd_domain rmrr; /* other functions an RMRR names */
	bool have_rmrr_domain;
	struct vtd_domain guest; /* the guest's passed-through devices */
	bool have_guest_domain;
	unsigned int n_guest_fns;
	u16 guest_fns[PCI_MAX_DEVICES]; /* PCI_BDF() of those on it */
};

extern struct iommu_ctx io_mmu;
extern const struct vtd_alloc iommu_tables;
/* Bridges' bus numbers from the PCI enumeration, for device scopes. */
extern const struct vtd_buses iommu_buses;

/* The unit whose scope holds @d (translating or not), or NULL. */
struct unit *iommu_unit_for(const struct pci_dev *d);
/* The unit translating a segment-0 function, when translation is on. */
struct unit *iommu_unit_of_bdf(u8 bus, u8 dev, u8 fn);
/* Write buffer, context cache and IOTLB of every unit that translates. */
int iommu_inv_units(void);
/* The policy for the guest's devices without working VT-d, in words. */
const char *iommu_unconfined_policy(void);
/* Bus mastering off on every function but the exceptions (iommu_bm.c). */
void iommu_quiesce_dma(const struct acpi_info *ai);

#endif
