/* SPDX-License-Identifier: MIT */
/*
 * Physical memory. A bitmap page allocator (struct palloc) that is pure and
 * host-testable, and the Keel-wide instance built from the boot memory map.
 * Keel identity-maps all physical memory, so phys_to_virt() is a cast.
 */
#ifndef KEEL_CORE_MM_H
#define KEEL_CORE_MM_H

#include "core/bootinfo.h"
#include "core/types.h"

#define PHYS_INVALID (~0ULL)

struct palloc {
	u64 *bitmap; /* one bit per page, set = not free */
	u64 npages; /* pages covered, from physical address 0 */
	u64 free_pages;
};

/* All pages start allocated; add_free/reserve then shape the map. */
void palloc_init(struct palloc *pa, u64 *bitmap, u64 npages);
void palloc_add_free(struct palloc *pa, u64 base, u64 len);
void palloc_reserve(struct palloc *pa, u64 base, u64 len);
/*
 * Allocate @npages contiguous pages whose start is aligned to @align bytes (a
 * power of two, at least PAGE_SIZE). Returns the physical address, or
 * PHYS_INVALID.
 */
phys_addr_t palloc_alloc(struct palloc *pa, u64 npages, u64 align);
void palloc_free(struct palloc *pa, phys_addr_t addr, u64 npages);
bool palloc_is_free(const struct palloc *pa, u64 page);

struct mm_stats {
	u64 total; /* bytes of available RAM in the memory map */
	u64 reserved; /* of which reserved at boot (image, modules, ...) */
	u64 used; /* allocated since boot */
	u64 free; /* total == reserved + used + free */
};

/* Build the global allocator from the boot information. */
void mm_init(const struct boot_info *bi, phys_addr_t image_start,
	     phys_addr_t image_end);
void mm_get_stats(struct mm_stats *st);

/* Zeroed, contiguous, aligned pages; PHYS_INVALID when out of memory. */
phys_addr_t alloc_pages(u64 npages, u64 align);
void free_pages(phys_addr_t addr, u64 npages);
/* Convenience: one zeroed page as a pointer, or NULL. */
void *alloc_page(void);

static inline void *phys_to_virt(phys_addr_t p)
{
	return (void *)(uintptr_t)p;
}

static inline phys_addr_t virt_to_phys(const void *v)
{
	return (phys_addr_t)(uintptr_t)v;
}

/*
 * Does [base, base+len) overlap memory the map calls RAM, ACPI data or
 * NVS? (A device BAR there would alias memory.)
 */
bool mm_overlaps_memory(u64 base, u64 len);

/* Largest physical address of RAM in the memory map (exclusive). */
phys_addr_t mm_ram_top(void);

#endif
