// SPDX-License-Identifier: MIT
/*
 * Second-level page tables of a VT-d domain (VT-d 3.4 9.8, 3.6): 3 or 4
 * levels, 4K leaves everywhere, 2M and 1G leaves where CAP.SLLPS allows.
 * Pure: pages come from struct vtd_alloc. The caller invalidates the IOTLB
 * after an unmap (and after a map in caching mode): this file only edits
 * memory.
 */
#include "iommu/vtd.h"
#include "core/lib.h"

#define PT_ENTRIES 512
#define PT_INDEX_BITS 9
#define PT_PAGE_SHIFT 12
/* A non-leaf entry grants everything; the leaf decides (VT-d 3.4 3.6.1:
 * permissions are the AND of every level). */
#define PT_TABLE_PERMS (VTD_SL_R | VTD_SL_W)

static unsigned int level_shift(unsigned int level)
{
	return PT_PAGE_SHIFT + PT_INDEX_BITS * (level - 1);
}

static unsigned int pt_index(u64 iova, unsigned int level)
{
	return (iova >> level_shift(level)) & (PT_ENTRIES - 1);
}

static bool present(u64 e)
{
	return e & (VTD_SL_R | VTD_SL_W);
}

static bool is_leaf(u64 e, unsigned int level)
{
	return level == 1 || (e & VTD_SL_PS);
}

static bool leaf_allowed(const struct vtd_domain *d, unsigned int level)
{
	return level == 1 || (level == 2 && d->allow_2m) ||
	       (level == 3 && d->allow_1g);
}

static void flush(const struct vtd_domain *d, const void *va, size_t len)
{
	if (d->alloc->flush)
		d->alloc->flush(d->alloc->ctx, va, len);
}

static void set_entry(const struct vtd_domain *d, u64 *e, u64 v)
{
	*e = v;
	flush(d, e, sizeof(*e));
}

static u64 *table_of(const struct vtd_domain *d, u64 e)
{
	return d->alloc->phys_to_virt(d->alloc->ctx, e & VTD_SL_ADDR);
}

static u64 *new_table(struct vtd_domain *d, phys_addr_t *pa)
{
	u64 *t = d->alloc->alloc_table(d->alloc->ctx, pa);

	if (t)
		d->tables++;
	return t;
}

static void free_tree(struct vtd_domain *d, u64 e, unsigned int level)
{
	u64 *t = table_of(d, e);
	unsigned int i;

	if (level > 2)
		for (i = 0; i < PT_ENTRIES; i++)
			if (present(t[i]) && !is_leaf(t[i], level - 1))
				free_tree(d, t[i], level - 1);
	d->alloc->free_table(d->alloc->ctx, t, e & VTD_SL_ADDR);
	d->tables--;
}

/* Give *e a table below it: allocated when absent, split from a large
 * leaf. 0 or -ENOMEM. */
static int ensure_table(struct vtd_domain *d, u64 *e, unsigned int level)
{
	unsigned int i, child = level - 1;
	phys_addr_t pa;
	u64 *t;

	if (present(*e) && !is_leaf(*e, level))
		return 0;
	t = new_table(d, &pa);
	if (!t)
		return -ENOMEM;
	if (present(*e)) {
		u64 base = *e & VTD_SL_ADDR;
		u64 perms = *e & (VTD_SL_R | VTD_SL_W | VTD_SL_SNP);

		for (i = 0; i < PT_ENTRIES; i++)
			t[i] = (base + ((u64)i << level_shift(child))) | perms |
			       (child > 1 ? VTD_SL_PS : 0);
	}
	flush(d, t, VTD_SIZE_4K);
	set_entry(d, e, pa | PT_TABLE_PERMS);
	return 0;
}

static int map_level(struct vtd_domain *d, u64 *t, unsigned int level, u64 iova,
		     u64 pa, u64 end, u64 perms)
{
	while (iova < end) {
		u64 span = 1ULL << level_shift(level);
		u64 next = (iova & ~(span - 1)) + span;
		u64 stop = next < end ? next : end;
		u64 *e = &t[pt_index(iova, level)];

		if (leaf_allowed(d, level) && !(iova & (span - 1)) &&
		    !(pa & (span - 1)) && stop - iova == span) {
			if (present(*e) && !is_leaf(*e, level))
				free_tree(d, *e, level);
			set_entry(d, e,
				  pa | perms | (level > 1 ? VTD_SL_PS : 0));
		} else {
			if (ensure_table(d, e, level) ||
			    map_level(d, table_of(d, *e), level - 1, iova, pa,
				      stop, perms))
				return -ENOMEM;
		}
		pa += stop - iova;
		iova = stop;
	}
	return 0;
}

static int unmap_level(struct vtd_domain *d, u64 *t, unsigned int level,
		       u64 iova, u64 end)
{
	while (iova < end) {
		u64 span = 1ULL << level_shift(level);
		u64 next = (iova & ~(span - 1)) + span;
		u64 stop = next < end ? next : end;
		u64 *e = &t[pt_index(iova, level)];

		if (!present(*e)) {
			/* hole */
		} else if (!(iova & (span - 1)) && stop - iova == span) {
			if (!is_leaf(*e, level))
				free_tree(d, *e, level);
			set_entry(d, e, 0);
		} else {
			if (ensure_table(d, e, level) ||
			    unmap_level(d, table_of(d, *e), level - 1, iova,
					stop))
				return -ENOMEM;
		}
		iova = stop;
	}
	return 0;
}

int vtd_domain_init(struct vtd_domain *d, const struct vtd_alloc *a, u16 did,
		    unsigned int levels, u8 sllps)
{
	memset(d, 0, sizeof(*d));
	if (levels != 3 && levels != 4)
		return -EINVAL;
	d->alloc = a;
	d->did = did;
	d->levels = levels;
	d->allow_2m = sllps & VTD_SLLPS_2M;
	d->allow_1g = sllps & VTD_SLLPS_1G;
	d->top = new_table(d, &d->top_pa);
	if (!d->top)
		return -ENOMEM;
	flush(d, d->top, VTD_SIZE_4K);
	return 0;
}

void vtd_domain_destroy(struct vtd_domain *d)
{
	if (!d->top)
		return;
	free_tree(d, d->top_pa | PT_TABLE_PERMS, d->levels + 1);
	d->top = NULL;
}

u64 vtd_domain_limit(const struct vtd_domain *d)
{
	return 1ULL << level_shift(d->levels + 1);
}

static int check_range(const struct vtd_domain *d, u64 iova, u64 size)
{
	if ((iova | size) & (VTD_SIZE_4K - 1) || !size)
		return -EINVAL;
	if (iova >= vtd_domain_limit(d) || size > vtd_domain_limit(d) - iova)
		return -ERANGE;
	return 0;
}

int vtd_map(struct vtd_domain *d, u64 iova, phys_addr_t pa, u64 size, u32 perms)
{
	int ret = check_range(d, iova, size);

	if (ret)
		return ret;
	if ((pa & (VTD_SIZE_4K - 1)) || pa > VTD_SL_ADDR ||
	    !(perms & VTD_MAP_RW) || (perms & ~VTD_MAP_RW))
		return -EINVAL;
	return map_level(d, d->top, d->levels, iova, pa, iova + size, perms);
}

int vtd_unmap(struct vtd_domain *d, u64 iova, u64 size)
{
	int ret = check_range(d, iova, size);

	if (ret)
		return ret;
	return unmap_level(d, d->top, d->levels, iova, iova + size);
}

int vtd_lookup(const struct vtd_domain *d, u64 iova, phys_addr_t *pa,
	       u64 *page_size, u32 *perms)
{
	const u64 *t = d->top;
	unsigned int level;

	if (iova >= vtd_domain_limit(d))
		return -ENOENT;
	for (level = d->levels; level >= 1; level--) {
		u64 e = t[pt_index(iova, level)];
		u64 span = 1ULL << level_shift(level);

		if (!present(e))
			return -ENOENT;
		if (is_leaf(e, level)) {
			if (pa)
				*pa = (e & VTD_SL_ADDR & ~(span - 1)) +
				      (iova & (span - 1));
			if (page_size)
				*page_size = span;
			if (perms)
				*perms = e & VTD_MAP_RW;
			return 0;
		}
		t = table_of(d, e);
	}
	return -ENOENT;
}

void vtd_dids_init(struct vtd_dids *ids, const struct vtd_caps *c)
{
	ids->n = c->n_domains;
	ids->next = 1;
}

int vtd_did_alloc(struct vtd_dids *ids)
{
	if (ids->next >= ids->n || ids->next > 0xffff)
		return -ENOSPC;
	return (int)ids->next++;
}
