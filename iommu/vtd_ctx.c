// SPDX-License-Identifier: MIT
/*
 * Root and context tables in legacy mode (VT-d 3.4 9.1, 9.3): one root
 * entry per bus points at a context table with one entry per device and
 * function. A function without a present context entry has its DMA blocked
 * (fault reason 2). Pure: pages come from struct vtd_alloc.
 */
#include "iommu/vtd.h"
#include "core/lib.h"

/* Both tables hold 128-bit entries: two u64s, low first. */
#define ENTRY_WORDS 2

/* Context entry AW: 1 for a 3-level (39-bit), 2 for a 4-level (48-bit)
 * table, VT-d 3.4 9.3. */
static u64 ctx_aw(unsigned int levels)
{
	return levels - 2;
}

static void flush(const struct vtd_root *r, const void *va, size_t len)
{
	if (r->alloc->flush)
		r->alloc->flush(r->alloc->ctx, va, len);
}

int vtd_root_init(struct vtd_root *r, const struct vtd_alloc *a)
{
	memset(r, 0, sizeof(*r));
	r->alloc = a;
	r->root = a->alloc_table(a->ctx, &r->root_pa);
	if (!r->root)
		return -ENOMEM;
	flush(r, r->root, VTD_SIZE_4K);
	return 0;
}

void vtd_root_destroy(struct vtd_root *r)
{
	unsigned int b;

	for (b = 0; b < VTD_BUSES; b++)
		if (r->ctx[b])
			r->alloc->free_table(r->alloc->ctx, r->ctx[b],
					     r->ctx_pa[b]);
	if (r->root)
		r->alloc->free_table(r->alloc->ctx, r->root, r->root_pa);
	memset(r, 0, sizeof(*r));
}

static u64 *bus_table(struct vtd_root *r, u8 bus)
{
	u64 *re = &r->root[bus * ENTRY_WORDS];

	if (r->ctx[bus])
		return r->ctx[bus];
	r->ctx[bus] = r->alloc->alloc_table(r->alloc->ctx, &r->ctx_pa[bus]);
	if (!r->ctx[bus])
		return NULL;
	flush(r, r->ctx[bus], VTD_SIZE_4K);
	re[1] = 0;
	re[0] = r->ctx_pa[bus] | VTD_ROOT_P;
	flush(r, re, ENTRY_WORDS * sizeof(u64));
	return r->ctx[bus];
}

int vtd_ctx_set(struct vtd_root *r, u8 bus, u8 devfn,
		const struct vtd_domain *d)
{
	u64 *ct;
	volatile u64 *ce;

	if (d->levels != 3 && d->levels != 4)
		return -EINVAL;
	ct = bus_table(r, bus);
	if (!ct)
		return -ENOMEM;
	ce = &ct[devfn * ENTRY_WORDS];
	/* Not present while it changes; the high half first, so hardware
	 * never sees a present entry with a stale domain (VT-d 3.4 6.5.3). */
	ce[0] = 0;
	ce[1] = FIELD_PREP(VTD_CTX_HI_AW, ctx_aw(d->levels)) |
		FIELD_PREP(VTD_CTX_HI_DID, d->did);
	ce[0] = (d->top_pa & VTD_CTX_LO_SLPTPTR) |
		FIELD_PREP(VTD_CTX_LO_TT, VTD_TT_SL) | VTD_CTX_LO_P;
	flush(r, (const void *)ce, ENTRY_WORDS * sizeof(u64));
	return 0;
}

void vtd_ctx_clear(struct vtd_root *r, u8 bus, u8 devfn)
{
	u64 *ce;

	if (!r->ctx[bus])
		return;
	ce = &r->ctx[bus][devfn * ENTRY_WORDS];
	ce[0] = 0;
	ce[1] = 0;
	flush(r, ce, ENTRY_WORDS * sizeof(u64));
}

bool vtd_ctx_get(const struct vtd_root *r, u8 bus, u8 devfn, u64 *lo, u64 *hi)
{
	const u64 *ce;

	if (!r->ctx[bus] || !(r->root[bus * ENTRY_WORDS] & VTD_ROOT_P))
		return false;
	ce = &r->ctx[bus][devfn * ENTRY_WORDS];
	if (lo)
		*lo = ce[0];
	if (hi)
		*hi = ce[1];
	return ce[0] & VTD_CTX_LO_P;
}
