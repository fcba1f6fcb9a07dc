// SPDX-License-Identifier: MIT
/*
 * VT-d capability decoding (VT-d 3.4 10.4.1-10.4.3) and the choice of the
 * second-level table depth. Pure.
 */
#include "iommu/vtd.h"
#include "core/lib.h"

/* ND counts domains as 2^(4 + 2*ND), VT-d 3.4 10.4.2; ND 7 is reserved. */
#define VTD_ND_MAX 6
#define VTD_ND_BASE_SHIFT 4

void vtd_decode_caps(u32 ver, u64 cap, u64 ecap, struct vtd_caps *c)
{
	memset(c, 0, sizeof(*c));
	c->ver = ver;
	c->cap = cap;
	c->ecap = ecap;
	c->nd = FIELD_GET(VTD_CAP_ND, cap);
	c->n_domains =
		c->nd > VTD_ND_MAX ? 0 : 1U << (VTD_ND_BASE_SHIFT + 2 * c->nd);
	c->sagaw = FIELD_GET(VTD_CAP_SAGAW, cap);
	c->mgaw = FIELD_GET(VTD_CAP_MGAW, cap) + 1;
	c->sllps = FIELD_GET(VTD_CAP_SLLPS, cap);
	c->rwbf = cap & VTD_CAP_RWBF;
	c->cm = cap & VTD_CAP_CM;
	c->psi = cap & VTD_CAP_PSI;
	c->fro = FIELD_GET(VTD_CAP_FRO, cap) * 16;
	c->nfr = FIELD_GET(VTD_CAP_NFR, cap) + 1;
	c->qi = ecap & VTD_ECAP_QI;
	c->ir = ecap & VTD_ECAP_IR;
	c->pt = ecap & VTD_ECAP_PT;
	c->coherent = ecap & VTD_ECAP_C;
	c->iro = FIELD_GET(VTD_ECAP_IRO, ecap) * 16;
}

unsigned int vtd_pick_levels(const struct vtd_caps *c, unsigned int need_bits)
{
	if ((c->sagaw & VTD_SAGAW_39) && need_bits <= 39)
		return 3;
	if (c->sagaw & VTD_SAGAW_48)
		return 4;
	if (c->sagaw & VTD_SAGAW_39)
		return 3;
	return 0;
}

const char *vtd_caps_problem(const struct vtd_caps *c)
{
	/* VT-d 3.4 10.4.1: the major version is at least 1. */
	if (!FIELD_GET(VTD_VER_MAX, c->ver) || c->ver == ~0U ||
	    c->cap == ~0ULL || c->ecap == ~0ULL)
		return "no unit answers at the register base";
	if (!vtd_pick_levels(c, 39))
		return "SAGAW offers neither 3- nor 4-level tables";
	if (!c->n_domains)
		return "ND is reserved";
	/* Fault records and IOTLB registers must sit in the register page. */
	if (c->fro + c->nfr * VTD_FRCD_SIZE > VTD_REG_SIZE ||
	    c->iro + 16 > VTD_REG_SIZE)
		return "fault or IOTLB registers outside the register page";
	return NULL;
}

int vtd_format_caps(const struct vtd_caps *c, char *buf, size_t len)
{
	return ksnprintf(
		buf, len,
		"ver %u.%u SAGAW 0x%x MGAW %u ND %u (%u domains) CM %u RWBF %u SLLPS 0x%x%s%s QI %u IR %u PT %u C %u faults %u at 0x%x IOTLB at 0x%x",
		(unsigned int)FIELD_GET(VTD_VER_MAX, c->ver),
		(unsigned int)FIELD_GET(VTD_VER_MIN, c->ver), c->sagaw, c->mgaw,
		c->nd, c->n_domains, c->cm, c->rwbf, c->sllps,
		(c->sllps & VTD_SLLPS_2M) ? " 2M" : "",
		(c->sllps & VTD_SLLPS_1G) ? " 1G" : "", c->qi, c->ir, c->pt,
		c->coherent, c->nfr, c->fro, c->iro);
}
