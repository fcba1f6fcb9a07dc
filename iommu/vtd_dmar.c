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

/* Where @sc's path ends: false when a bridge on the way is missing. */
static bool scope_end(const struct acpi_dmar_scope *sc,
		      const struct vtd_buses *b, u16 seg, u8 *bus, u8 *dev,
		      u8 *fn)
{
	u8 cur = sc->bus, sub;

	if (sc->path_cut || !sc->path_len)
		return false;
	for (unsigned int i = 0; i + 1 < sc->path_len; i++)
		if (!b || !b->bridge(b->ctx, seg, cur, sc->path[i].dev,
				     sc->path[i].fn, &cur, &sub))
			return false;
	*bus = cur;
	*dev = sc->path[sc->path_len - 1].dev;
	*fn = sc->path[sc->path_len - 1].fn;
	return true;
}

bool vtd_scope_names(const struct acpi_dmar_scope *sc,
		     const struct vtd_buses *b, u16 seg, u8 bus, u8 dev, u8 fn)
{
	u8 eb, ed, ef, sec, sub;

	if (sc->type != ACPI_DMAR_SCOPE_ENDPOINT &&
	    sc->type != ACPI_DMAR_SCOPE_BRIDGE)
		return false;
	if (!scope_end(sc, b, seg, &eb, &ed, &ef))
		return false;
	if (eb == bus && ed == dev && ef == fn)
		return true;
	/* A sub-hierarchy: the buses behind the bridge the path ends at. */
	return sc->type == ACPI_DMAR_SCOPE_BRIDGE && b &&
	       b->bridge(b->ctx, seg, eb, ed, ef, &sec, &sub) && sec &&
	       bus >= sec && bus <= sub;
}

int vtd_dmar_unit_for(const struct acpi_dmar *d, const struct vtd_buses *b,
		      u16 seg, u8 bus, u8 dev, u8 fn)
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
			if (vtd_scope_names(&u->scopes[s], b, seg, bus, dev,
					    fn))
				return (int)i;
	}
	return all;
}

bool vtd_rmrr_names(const struct acpi_dmar_rmrr *r, const struct vtd_buses *b,
		    u16 seg, u8 bus, u8 dev, u8 fn)
{
	unsigned int s;

	if (r->seg != seg)
		return false;
	for (s = 0; s < r->n_scopes; s++)
		if (vtd_scope_names(&r->scopes[s], b, seg, bus, dev, fn))
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
