// SPDX-License-Identifier: MIT
/*
 * EPT table builder. Levels are numbered 3 (PML4) down to 0 (page table);
 * an entry at level L covers 1 << (12 + 9 * L) bytes. Leaves exist at level
 * 0 (4K), 1 (2M, if allowed) and 2 (1G, if allowed); SDM Vol.3C 29.3.2.
 */
#include "ept/ept.h"
#include "core/lib.h"

#define EPT_LEVELS 4
#define EPT_ENTRIES 512
/* Bits a leaf keeps when it is split into smaller leaves. */
#define EPT_LEAF_ATTRS                                                  \
	(EPT_PERM_MASK | EPT_MEMTYPE | EPT_IGNORE_PAT | EPT_USER_EXEC | \
	 EPT_SUPPRESS_VE)
/* A non-leaf entry: full access, the leaves decide. */
#define EPT_TABLE_PERMS EPT_PERM_MASK

enum ept_op_kind { EPT_OP_MAP, EPT_OP_UNMAP, EPT_OP_PROTECT };

struct ept_op {
	enum ept_op_kind kind;
	u64 gpa_start; /* start of the whole request */
	phys_addr_t hpa_start;
	u32 flags; /* MAP: perms + memtype; PROTECT: perms */
};

static inline unsigned int level_shift(int level)
{
	return 12 + 9 * level;
}

static inline u64 level_size(int level)
{
	return 1ULL << level_shift(level);
}

static inline unsigned int level_index(u64 gpa, int level)
{
	return (gpa >> level_shift(level)) & (EPT_ENTRIES - 1);
}

static inline bool entry_present(u64 e)
{
	/* SDM 29.3.2: an entry with bits 2:0 clear is not present. */
	return e & EPT_PERM_MASK;
}

static inline bool entry_is_leaf(u64 e, int level)
{
	return level == 0 || (e & EPT_LARGE);
}

static u64 *table_of(const struct ept *e, u64 entry)
{
	return e->alloc->phys_to_virt(e->alloc->ctx, entry & EPT_ADDR_MASK);
}

static bool leaf_allowed(const struct ept *e, int level)
{
	return level == 0 || (level == 1 && e->allow_2m) ||
	       (level == 2 && e->allow_1g);
}

static u64 make_leaf(phys_addr_t hpa, u32 flags, int level)
{
	u64 v = (hpa & EPT_ADDR_MASK) | (flags & EPT_PERM_MASK) |
		FIELD_PREP(EPT_MEMTYPE, EPT_MAP_MT_OF(flags)) | EPT_IGNORE_PAT;

	if (level > 0)
		v |= EPT_LARGE;
	return v;
}

static u64 *new_table(struct ept *e, phys_addr_t *pa)
{
	u64 *t = e->alloc->alloc_table(e->alloc->ctx, pa);

	if (t)
		e->tables++;
	return t;
}

static void free_subtree(struct ept *e, u64 entry, int level)
{
	u64 *t = table_of(e, entry);
	int i;

	if (level > 1) {
		for (i = 0; i < EPT_ENTRIES; i++)
			if (entry_present(t[i]) &&
			    !entry_is_leaf(t[i], level - 1))
				free_subtree(e, t[i], level - 1);
	}
	e->alloc->free_table(e->alloc->ctx, t, entry & EPT_ADDR_MASK);
	e->tables--;
}

static bool table_empty(const u64 *t)
{
	for (int i = 0; i < EPT_ENTRIES; i++)
		if (entry_present(t[i]))
			return false;
	return true;
}

/* Replace large leaf *slot at @level by a table of 512 smaller leaves. */
static int split_leaf(struct ept *e, u64 *slot, int level)
{
	u64 leaf = *slot;
	u64 child = level_size(level - 1);
	phys_addr_t pa;
	u64 *t = new_table(e, &pa);
	int i;

	if (!t)
		return -ENOMEM;
	for (i = 0; i < EPT_ENTRIES; i++) {
		u64 v = ((leaf & EPT_ADDR_MASK) + i * child) |
			(leaf & EPT_LEAF_ATTRS);

		if (level - 1 > 0)
			v |= EPT_LARGE;
		t[i] = v;
	}
	*slot = pa | EPT_TABLE_PERMS;
	return 0;
}

static int range_op(struct ept *e, u64 *table, int level, u64 gpa, u64 end,
		    const struct ept_op *op)
{
	u64 size = level_size(level);
	int ret;

	while (gpa < end) {
		u64 *slot = &table[level_index(gpa, level)];
		u64 base = ALIGN_DOWN(gpa, size);
		u64 sub_end = MIN(end, base + size);
		bool full = gpa == base && sub_end == base + size;

		if (op->kind == EPT_OP_MAP) {
			phys_addr_t hpa =
				op->hpa_start + (base - op->gpa_start);

			if (full && leaf_allowed(e, level) &&
			    IS_ALIGNED(hpa, size)) {
				if (entry_present(*slot) &&
				    !entry_is_leaf(*slot, level))
					free_subtree(e, *slot, level);
				*slot = make_leaf(hpa, op->flags, level);
				gpa = sub_end;
				continue;
			}
			if (!entry_present(*slot)) {
				phys_addr_t pa;

				if (!new_table(e, &pa))
					return -ENOMEM;
				*slot = pa | EPT_TABLE_PERMS;
			}
		} else if (!entry_present(*slot)) {
			gpa = sub_end; /* nothing mapped here */
			continue;
		} else if (full && entry_is_leaf(*slot, level)) {
			if (op->kind == EPT_OP_UNMAP)
				*slot = 0;
			else
				*slot = (*slot & ~EPT_PERM_MASK) |
					(op->flags & EPT_PERM_MASK);
			gpa = sub_end;
			continue;
		} else if (full && op->kind == EPT_OP_UNMAP) {
			free_subtree(e, *slot, level);
			*slot = 0;
			gpa = sub_end;
			continue;
		}
		/* Descend, splitting a large leaf that is partly covered. */
		if (entry_is_leaf(*slot, level)) {
			ret = split_leaf(e, slot, level);
			if (ret)
				return ret;
		}
		ret = range_op(e, table_of(e, *slot), level - 1, gpa, sub_end,
			       op);
		if (ret)
			return ret;
		/* A table an unmap emptied goes back: a guest moving a BAR
		 * around must not use up Keel's memory one table at a time. */
		if (op->kind == EPT_OP_UNMAP &&
		    table_empty(table_of(e, *slot))) {
			free_subtree(e, *slot, level);
			*slot = 0;
		}
		gpa = sub_end;
	}
	return 0;
}

static int check_range(u64 gpa, u64 size)
{
	if (!size || !IS_ALIGNED(gpa, EPT_SIZE_4K) ||
	    !IS_ALIGNED(size, EPT_SIZE_4K) || gpa >= EPT_GPA_LIMIT ||
	    size > EPT_GPA_LIMIT - gpa)
		return -EINVAL;
	return 0;
}

int ept_init(struct ept *e, const struct ept_alloc *a, bool allow_2m,
	     bool allow_1g)
{
	*e = (struct ept){ .alloc = a,
			   .allow_2m = allow_2m,
			   .allow_1g = allow_1g };
	e->pml4 = new_table(e, &e->pml4_pa);
	return e->pml4 ? 0 : -ENOMEM;
}

void ept_destroy(struct ept *e)
{
	if (!e->pml4)
		return;
	free_subtree(e, e->pml4_pa, EPT_LEVELS);
	e->pml4 = NULL;
}

int ept_map(struct ept *e, u64 gpa, phys_addr_t hpa, u64 size, u32 flags)
{
	struct ept_op op = { EPT_OP_MAP, gpa, hpa, flags };
	u32 mt = EPT_MAP_MT_OF(flags);
	int ret;

	if (check_range(gpa, size) || !IS_ALIGNED(hpa, EPT_SIZE_4K) ||
	    !(flags & EPT_PERM_MASK))
		return -EINVAL;
	/* Types 2, 3 and 7 are reserved (SDM 29.3.7): a misconfiguration. */
	if (mt == 2 || mt == 3 || mt == 7)
		return -EINVAL;
	/* Write without read is a misconfiguration too (SDM 29.3.3.1). */
	if ((flags & EPT_WRITE) && !(flags & EPT_READ))
		return -EINVAL;
	ret = range_op(e, e->pml4, EPT_LEVELS - 1, gpa, gpa + size, &op);
	/* Out of tables part way: leave nothing of the range mapped (and no
	 * tables for it), not a part the caller does not know about. */
	if (ret)
		ept_unmap(e, gpa, size);
	return ret;
}

int ept_unmap(struct ept *e, u64 gpa, u64 size)
{
	struct ept_op op = { EPT_OP_UNMAP, gpa, 0, 0 };

	if (check_range(gpa, size))
		return -EINVAL;
	return range_op(e, e->pml4, EPT_LEVELS - 1, gpa, gpa + size, &op);
}

int ept_protect(struct ept *e, u64 gpa, u64 size, u32 perms)
{
	struct ept_op op = { EPT_OP_PROTECT, gpa, 0, perms };

	if (check_range(gpa, size) || (perms & ~EPT_PERM_MASK) ||
	    ((perms & EPT_WRITE) && !(perms & EPT_READ)))
		return -EINVAL;
	/*
	 * perms == 0 would make the leaves "not present" and lose their
	 * address; use ept_unmap for that.
	 */
	if (!perms)
		return -EINVAL;
	return range_op(e, e->pml4, EPT_LEVELS - 1, gpa, gpa + size, &op);
}

int ept_lookup(const struct ept *e, u64 gpa, struct ept_mapping *m)
{
	const u64 *t = e->pml4;
	int level;

	if (gpa >= EPT_GPA_LIMIT)
		return -ENOENT;
	for (level = EPT_LEVELS - 1; level >= 0; level--) {
		u64 v = t[level_index(gpa, level)];

		if (!entry_present(v))
			return -ENOENT;
		if (entry_is_leaf(v, level)) {
			u64 size = level_size(level);

			m->hpa = (v & EPT_ADDR_MASK & ~(size - 1)) +
				 (gpa & (size - 1));
			m->page_size = size;
			m->perms = v & EPT_PERM_MASK;
			m->memtype = FIELD_GET(EPT_MEMTYPE, v);
			m->entry = v;
			return 0;
		}
		t = table_of(e, v);
	}
	return -ENOENT;
}

int ept_walk(const struct ept *e, u64 gpa, struct ept_walk *w)
{
	const u64 *t = e->pml4;

	w->n = 0;
	w->leaf = false;
	if (gpa >= EPT_GPA_LIMIT)
		return -EINVAL;
	for (int level = EPT_LEVELS - 1; level >= 0; level--) {
		u64 v = t[level_index(gpa, level)];

		w->entry[w->n] = v;
		w->index[w->n++] = level_index(gpa, level);
		if (!entry_present(v))
			return 0;
		if (entry_is_leaf(v, level)) {
			w->leaf = true;
			return 0;
		}
		t = table_of(e, v);
	}
	return 0;
}

u64 ept_eptp(const struct ept *e, bool ad)
{
	u64 eptp = FIELD_PREP(EPTP_MEMTYPE, EPT_MT_WB) |
		   FIELD_PREP(EPTP_WALK_LENGTH, EPT_LEVELS - 1) |
		   (e->pml4_pa & EPTP_PML4_MASK);

	if (ad)
		eptp |= EPTP_AD_ENABLE;
	return eptp;
}
