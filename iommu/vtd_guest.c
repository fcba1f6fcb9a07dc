// SPDX-License-Identifier: MIT
/*
 * The guest domain's tables: the guest's RAM at IOVA = GPA, as its EPT
 * maps it, and nothing else (no MMIO, no APICs, never Keel's pages), so a
 * device passed through to the guest DMAs into the guest's RAM only
 * (docs/iommu.md). Pure: the host tests run it on malloc'd tables.
 */
#include "core/lib.h"
#include "iommu/iommu.h"
#include "iommu/vtd.h"

static bool aligned(const struct iommu_ram *r)
{
	return !(r->gpa % VTD_SIZE_4K) && !(r->hpa % VTD_SIZE_4K) &&
	       !(r->size % VTD_SIZE_4K) && r->size;
}

static bool meets(u64 a, u64 alen, u64 b, u64 blen)
{
	return a < b + blen && b < a + alen;
}

/* Every range is well-formed, inside the domain, off Keel's image, and
 * no two share a GPA: checked before anything is mapped. */
static int check(const struct vtd_domain *d, const struct iommu_ram *ram,
		 unsigned int n, u64 keel_lo, u64 keel_hi)
{
	u64 limit = vtd_domain_limit(d);

	for (unsigned int i = 0; i < n; i++) {
		const struct iommu_ram *r = &ram[i];

		if (!aligned(r) || r->gpa + r->size < r->gpa ||
		    r->hpa + r->size < r->hpa)
			return -EINVAL;
		if (r->gpa + r->size > limit)
			return -ERANGE;
		if (keel_hi > keel_lo &&
		    meets(r->hpa, r->size, keel_lo, keel_hi - keel_lo))
			return -EPERM;
		for (unsigned int j = 0; j < i; j++)
			if (meets(r->gpa, r->size, ram[j].gpa, ram[j].size))
				return -EINVAL;
	}
	return 0;
}

int vtd_guest_map(struct vtd_domain *d, const struct iommu_ram *ram,
		  unsigned int n, u64 keel_lo, u64 keel_hi)
{
	int ret = check(d, ram, n, keel_lo, keel_hi);
	unsigned int i;

	for (i = 0; !ret && i < n; i++)
		ret = vtd_map(d, ram[i].gpa, ram[i].hpa, ram[i].size,
			      VTD_MAP_RW);
	if (ret && i)
		vtd_guest_unmap(d, ram, i); /* the failed one may be partial */
	return ret;
}

void vtd_guest_unmap(struct vtd_domain *d, const struct iommu_ram *ram,
		     unsigned int n)
{
	for (unsigned int i = 0; i < n; i++)
		vtd_unmap(d, ram[i].gpa, ram[i].size);
}
