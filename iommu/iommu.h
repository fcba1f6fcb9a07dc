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

/* iommu= and unconfined_dma (docs/command-line.md). */
enum iommu_mode {
	IOMMU_MODE_ON,
	IOMMU_MODE_OFF,
};

struct iommu_config {
	unsigned int mode; /* enum iommu_mode */
	/* Without working VT-d, the guest's devices may bus-master anyway,
	 * reaching all of memory: the user accepts unconfined DMA. */
	bool unconfined_dma;
};

enum iommu_state {
	IOMMU_ABSENT, /* no DMAR: DMA is not confined */
	IOMMU_OFF, /* iommu=off: units left alone, DMA is not confined */
	IOMMU_BROKEN, /* a DMAR or unit Keel cannot trust: fail closed */
	IOMMU_FOUND, /* units mapped and decoded, translation off */
	IOMMU_ON, /* translation on in every unit */
};

/*
 * Map each unit's registers, decode and print their capabilities, and turn
 * bus mastering off on every function but the exceptions (bridges, what an
 * RMRR names): firmware-left DMA stops before Keel hands memory out and
 * before translation goes on. Prints the DMA policy in one line unless
 * the units look usable (iommu_enable() then says).
 */
enum iommu_state iommu_init(const struct acpi_info *ai,
			    const struct iommu_config *cfg);
/*
 * Build the Keel domain from @bi's memory map, give every Keel-owned PCI
 * function behind a unit a context entry on it, identity-map the RMRRs for
 * the functions they name, and turn translation on. 0, or a negative errno
 * (then state is IOMMU_BROKEN and translation is off).
 */
int iommu_enable(const struct boot_info *bi);
enum iommu_state iommu_state(void);

/* What a function given to the guest may do with DMA. */
enum iommu_guest_dma {
	IOMMU_GUEST_DMA_CONFINED, /* on the guest domain: the guest's RAM only */
	IOMMU_GUEST_DMA_DENIED, /* no bus mastering (fail closed) */
	IOMMU_GUEST_DMA_UNCONFINED, /* anywhere: unconfined_dma accepts it */
	/* Named by an RMRR: it stays on the RMRR domain (firmware-reserved
	 * memory only), since the firmware still uses it. */
	IOMMU_GUEST_DMA_RMRR,
};

/* Guest RAM: [gpa, gpa+size) is backed by host [hpa, hpa+size). */
struct iommu_ram {
	u64 gpa;
	phys_addr_t hpa;
	u64 size;
};

/*
 * The guest domain: GPA -> HPA for each of @n RAM ranges, read/write,
 * nothing else. Replaces any earlier one. 0, -ENODEV (translation is not
 * on), -EPERM (a range's host pages hold Keel's image) or -ENOMEM.
 */
int iommu_guest_domain_create(const struct iommu_ram *ram, unsigned int n);
/*
 * A function given to the guest: when translation is on and a unit covers
 * it, its context entry points at the guest domain (which must exist) and
 * the answer is CONFINED; otherwise DENIED, or UNCONFINED with
 * unconfined_dma. One line per function says which.
 */
enum iommu_guest_dma iommu_guest_assign(u8 bus, u8 dev, u8 fn);
/* Detach every function from the guest domain (their DMA is blocked
 * again), invalidate, and free the domain's tables. */
void iommu_guest_domain_destroy(void);

/* One blocked DMA, as the units recorded it. */
struct iommu_fault {
	u16 bdf; /* PCI_BDF() of the requester */
	u64 addr;
	bool read;
	u8 reason; /* VT-d fault reason */
};
/*
 * Read, report (once each, rate-limited) and clear every unit's faults.
 * A poller (core/poll.h) calls it from the exit path and the preemption
 * timer while a guest runs; boot calls it after self-tests and the guest.
 * Copies up to @max to @out (may be NULL); returns how many were read.
 * Cheap when nothing faulted: one register read per unit.
 */
unsigned int iommu_poll_faults(struct iommu_fault *out, unsigned int max);

/* Faults read since boot (all units), how many got a console line, and
 * how many times the records overflowed. */
struct iommu_fault_stats {
	u64 seen, shown, overflows;
};
void iommu_fault_stats(struct iommu_fault_stats *st);

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
/* The guest domain's id, 0 when there is none. */
u16 iommu_guest_did(void);
/* Where the guest domain sends @gpa: 0 or -ENOENT. */
int iommu_guest_lookup(u64 gpa, phys_addr_t *hpa);

/*
 * For the shell: the state, each unit (capabilities, domains, invalidation,
 * fault count), the domains, every function's context entry and the last
 * faults read.
 */
void iommu_show(void);

#endif
