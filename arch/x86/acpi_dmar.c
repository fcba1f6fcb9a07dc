// SPDX-License-Identifier: MIT
/*
 * DMAR parser: DMA remapping hardware units (DRHD) with their device scopes,
 * and reserved memory regions (RMRR). VT-d 3.4 ch. 8. Pure; the VT-d driver
 * uses the result.
 */
#include "arch/x86/acpi.h"
#include "core/console.h"
#include "core/lib.h"

/* DMAR table, VT-d 3.4 8.1 table 6 */
#define DMAR_HAW 36
#define DMAR_FLAGS 37
#define DMAR_STRUCTS 48
/* Remapping structure header, VT-d 3.4 8.2 */
#define DMAR_S_TYPE 0
#define DMAR_S_LEN 2
#define DMAR_S_HDR 4
#define DMAR_TYPE_DRHD 0
#define DMAR_TYPE_RMRR 1
/* DRHD, VT-d 3.4 8.3 table 7 */
#define DRHD_FLAGS 4
#define DRHD_SEG 6
#define DRHD_BASE 8
#define DRHD_SCOPES 16
/* RMRR, VT-d 3.4 8.4 table 8 */
#define RMRR_SEG 6
#define RMRR_BASE 8
#define RMRR_LIMIT 16
#define RMRR_SCOPES 24
/* Device scope, VT-d 3.4 8.3.1 table 9 */
#define SCOPE_TYPE 0
#define SCOPE_LEN 1
#define SCOPE_ENUM_ID 4
#define SCOPE_BUS 5
#define SCOPE_PATH 6
#define SCOPE_PATH_ENTRY 2 /* device, function */

static int parse_scopes(const u8 *s, u32 len, u32 off, u8 *n,
			struct acpi_dmar_scope *out)
{
	while (off < len) {
		struct acpi_dmar_scope sc = { 0 };
		u8 slen;
		u32 p;

		if (len - off < SCOPE_PATH) {
			pr_err("keel: acpi: DMAR: truncated device scope\n");
			return -EINVAL;
		}
		slen = s[off + SCOPE_LEN];
		if (slen < SCOPE_PATH || slen > len - off) {
			pr_err("keel: acpi: DMAR: device scope length %u bad\n",
			       slen);
			return -EINVAL;
		}
		sc.type = s[off + SCOPE_TYPE];
		sc.enum_id = s[off + SCOPE_ENUM_ID];
		sc.bus = s[off + SCOPE_BUS];
		for (p = SCOPE_PATH; p + SCOPE_PATH_ENTRY <= slen;
		     p += SCOPE_PATH_ENTRY) {
			if (sc.path_len == ACPI_DMAR_MAX_PATH) {
				sc.path_cut = true;
				break;
			}
			sc.path[sc.path_len].dev = s[off + p];
			sc.path[sc.path_len].fn = s[off + p + 1];
			sc.path_len++;
		}
		if (*n < ACPI_DMAR_MAX_SCOPES)
			out[(*n)++] = sc;
		off += slen;
	}
	return 0;
}

int acpi_parse_dmar(const void *tbl, u32 len, struct acpi_dmar *d)
{
	const u8 *t = tbl;
	u32 off;

	memset(d, 0, sizeof(*d));
	if (len < DMAR_STRUCTS) {
		pr_err("keel: acpi: DMAR: length %u < %u, ignored\n", len,
		       DMAR_STRUCTS);
		return -EINVAL;
	}
	d->host_addr_width = t[DMAR_HAW];
	d->flags = t[DMAR_FLAGS];
	for (off = DMAR_STRUCTS; off < len;) {
		const u8 *s = t + off;
		u16 type, slen;
		int ret = 0;

		if (len - off < DMAR_S_HDR) {
			pr_err("keel: acpi: DMAR: truncated structure at offset %u\n",
			       off);
			return -EINVAL;
		}
		type = acpi_rd16(s + DMAR_S_TYPE);
		slen = acpi_rd16(s + DMAR_S_LEN);
		if (slen < DMAR_S_HDR || slen > len - off) {
			pr_err("keel: acpi: DMAR: structure type %u at offset %u has bad length %u\n",
			       type, off, slen);
			return -EINVAL;
		}
		if (type == DMAR_TYPE_DRHD) {
			struct acpi_dmar_unit *u = &d->units[d->n_units];

			if (slen < DRHD_SCOPES ||
			    d->n_units == ACPI_DMAR_MAX_UNITS)
				goto bad_or_full;
			memset(u, 0, sizeof(*u));
			u->flags = s[DRHD_FLAGS];
			u->include_pci_all = u->flags &
					     ACPI_DRHD_INCLUDE_PCI_ALL;
			u->seg = acpi_rd16(s + DRHD_SEG);
			u->reg_base = acpi_rd64(s + DRHD_BASE);
			ret = parse_scopes(s, slen, DRHD_SCOPES, &u->n_scopes,
					   u->scopes);
			d->n_units++;
		} else if (type == DMAR_TYPE_RMRR) {
			struct acpi_dmar_rmrr *r = &d->rmrrs[d->n_rmrrs];

			if (slen < RMRR_SCOPES ||
			    d->n_rmrrs == ACPI_DMAR_MAX_RMRRS)
				goto bad_or_full;
			memset(r, 0, sizeof(*r));
			r->seg = acpi_rd16(s + RMRR_SEG);
			r->base = acpi_rd64(s + RMRR_BASE);
			r->limit = acpi_rd64(s + RMRR_LIMIT);
			ret = parse_scopes(s, slen, RMRR_SCOPES, &r->n_scopes,
					   r->scopes);
			d->n_rmrrs++;
		}
		if (ret)
			return ret;
		off += slen;
		continue;
bad_or_full:
		pr_err("keel: acpi: DMAR: structure type %u at offset %u too short or too many, stopping\n",
		       type, off);
		return -EINVAL;
	}
	return 0;
}
