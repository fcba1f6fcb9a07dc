// SPDX-License-Identifier: MIT
/*
 * What the parsed DMAR (arch/x86/acpi_dmar.c) means for VT-d: whether Keel
 * can trust it, which unit translates a function, which functions an RMRR
 * names, and the identity maps RMRRs need. VT-d 3.4 8.3-8.4. Pure.
 */
#include "iommu/vtd.h"
#include "arch/x86/acpi.h"
#include "core/lib.h"

const char *vtd_dmar_problem(const struct acpi_dmar *d)
{
	unsigned int i, j;

	if (!d->n_units)
		return "no DRHD unit";
	for (i = 0; i < d->n_units; i++) {
		u64 base = d->units[i].reg_base;

		if (!base || (base & (VTD_REG_SIZE - 1)))
			return "a DRHD register base is zero or not page aligned";
		for (j = 0; j < i; j++)
			if (d->units[j].reg_base == base)
				return "two DRHDs share a register base";
	}
	for (i = 0; i < d->n_rmrrs; i++)
		if (d->rmrrs[i].limit < d->rmrrs[i].base)
			return "an RMRR ends before it starts";
	return NULL;
}

/* A device scope naming (bus, dev, fn) directly: an endpoint on the scope's
 * start bus. Paths through bridges need the bridges' bus numbers and are
 * not followed yet (docs/iommu.md). */
static bool scope_names(const struct acpi_dmar_scope *sc, u8 bus, u8 dev, u8 fn)
{
	return sc->type == ACPI_DMAR_SCOPE_ENDPOINT && sc->path_len == 1 &&
	       sc->bus == bus && sc->path[0].dev == dev && sc->path[0].fn == fn;
}

int vtd_dmar_unit_for(const struct acpi_dmar *d, u16 seg, u8 bus, u8 dev, u8 fn)
{
	int all = -1;
	unsigned int i, s;

	for (i = 0; i < d->n_units; i++) {
		const struct acpi_dmar_unit *u = &d->units[i];

		if (u->seg != seg)
			continue;
		if (u->include_pci_all) {
			all = (int)i;
			continue;
		}
		for (s = 0; s < u->n_scopes; s++)
			if (scope_names(&u->scopes[s], bus, dev, fn))
				return (int)i;
	}
	return all;
}

bool vtd_rmrr_names(const struct acpi_dmar_rmrr *r, u16 seg, u8 bus, u8 dev,
		    u8 fn)
{
	unsigned int s;

	if (r->seg != seg)
		return false;
	for (s = 0; s < r->n_scopes; s++)
		if (scope_names(&r->scopes[s], bus, dev, fn))
			return true;
	return false;
}

int vtd_map_rmrr(struct vtd_domain *dom, const struct acpi_dmar_rmrr *r)
{
	u64 base = r->base & ~(VTD_SIZE_4K - 1);
	u64 end = (r->limit | (VTD_SIZE_4K - 1)) + 1;

	if (r->limit < r->base)
		return -EINVAL;
	return vtd_map(dom, base, base, end - base, VTD_MAP_RW);
}
