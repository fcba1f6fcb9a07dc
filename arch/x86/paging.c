// SPDX-License-Identifier: MIT
/*
 * Keel's own page tables: an identity map of all RAM and of the low 4 GiB,
 * with 2 MiB pages. RAM is write-back; everything else below 4 GiB is
 * uncached, since it may be MMIO. ioremap() maps further MMIO (64-bit BARs
 * above 4 GiB) and splits a large page when a sub-range must be uncached.
 * Default PAT: PWT|PCD selects entry 3, UC (SDM Vol.3A 11.12.4 table 11-12).
 */
#include "core/bootinfo.h"
#include "core/console.h"
#include "core/lib.h"
#include "core/mm.h"
#include "arch/x86/arch.h"

/* PTE_* are in arch/x86/x86_defs.h. PWT|PCD selects PAT entry 3, UC. */
#define PTE_UC (PTE_PWT | PTE_PCD)
#define LARGE_PAGE_SIZE MiB(2)

static u64 *pml4;

static bool overlaps_ram(const struct boot_info *bi, u64 base, u64 len)
{
	for (unsigned int i = 0; i < bi->n_mmap; i++) {
		const struct mem_range *r = &bi->mmap[i];

		if (r->type != MEM_AVAILABLE &&
		    r->type != MEM_ACPI_RECLAIMABLE && r->type != MEM_NVS)
			continue;
		if (r->base < base + len && base < r->base + r->len)
			return true;
	}
	return false;
}

static bool within_ram(const struct boot_info *bi, u64 base, u64 len)
{
	for (unsigned int i = 0; i < bi->n_mmap; i++) {
		const struct mem_range *r = &bi->mmap[i];

		if ((r->type == MEM_AVAILABLE ||
		     r->type == MEM_ACPI_RECLAIMABLE || r->type == MEM_NVS) &&
		    r->base <= base && base + len <= r->base + r->len)
			return true;
	}
	return false;
}

static u64 *table_alloc(void)
{
	phys_addr_t p = alloc_pages(1, PAGE_SIZE);

	return p == PHYS_INVALID ? NULL : phys_to_virt(p);
}

/* The entry for @va at @level (3 = PML4 .. 1 = PD), allocating tables. */
static u64 *walk(u64 va, int stop_level)
{
	u64 *table = pml4;

	for (int level = 3; level > stop_level; level--) {
		unsigned int idx = (va >> (12 + 9 * level)) & (PT_ENTRIES - 1);
		u64 *e = &table[idx];

		if (!(*e & PTE_P)) {
			u64 *next = table_alloc();

			if (!next)
				return NULL;
			*e = virt_to_phys(next) | PTE_P | PTE_RW;
		}
		table = phys_to_virt(*e & PTE_ADDR_MASK);
	}
	return &table[(va >> (12 + 9 * stop_level)) & (PT_ENTRIES - 1)];
}

static bool split_large(u64 *pde);

/*
 * A 2 MiB region that is only partly RAM (the first 2 MiB with its BIOS
 * area, the ends of RAM ranges) gets 4 KiB pages: RAM write-back, the rest
 * uncached, so that no large page spans two memory types (SDM Vol.3A
 * 11.11.9).
 */
static void map_mixed(const struct boot_info *bi, u64 *pde, u64 base)
{
	u64 *pt;

	if (!split_large(pde))
		panic("paging: no memory to split the page at %#llx", base);
	pt = phys_to_virt(*pde & PTE_ADDR_MASK);
	for (unsigned int i = 0; i < PT_ENTRIES; i++)
		if (!overlaps_ram(bi, base + i * PAGE_SIZE, PAGE_SIZE))
			pt[i] |= PTE_UC;
}

void paging_init(const struct boot_info *bi)
{
	u64 top = MAX(GiB(4), ALIGN_UP(mm_ram_top(), LARGE_PAGE_SIZE));

	pml4 = table_alloc();
	if (!pml4)
		panic("paging: no memory for the top-level page table");
	for (u64 a = 0; a < top; a += LARGE_PAGE_SIZE) {
		u64 *pde = walk(a, 1);

		if (!pde)
			panic("paging: no memory for page tables at %#llx", a);
		*pde = a | PTE_P | PTE_RW | PTE_PS;
		if (!overlaps_ram(bi, a, LARGE_PAGE_SIZE))
			*pde |= PTE_UC;
		else if (!within_ram(bi, a, LARGE_PAGE_SIZE))
			map_mixed(bi, pde, a);
	}
	write_cr3(virt_to_phys(pml4));
}

/* Replace a 2 MiB PDE by a page table with the same attributes. */
static bool split_large(u64 *pde)
{
	u64 *pt = table_alloc();
	u64 base = *pde & PTE_LARGE_ADDR_MASK;
	u64 attrs = *pde & (PTE_P | PTE_RW | PTE_PWT | PTE_PCD);

	if (!pt)
		return false;
	for (unsigned int i = 0; i < PT_ENTRIES; i++)
		pt[i] = (base + i * PAGE_SIZE) | attrs;
	*pde = virt_to_phys(pt) | PTE_P | PTE_RW;
	return true;
}

static bool map_uc_page(u64 pa)
{
	u64 *pde = walk(pa, 1);
	u64 *pte;

	if (!pde)
		return false;
	if ((*pde & PTE_P) && (*pde & PTE_PS)) {
		if ((*pde & PTE_UC) == PTE_UC)
			return true;
		if (!split_large(pde))
			return false;
	}
	pte = walk(pa, 0);
	if (!pte)
		return false;
	*pte = pa | PTE_P | PTE_RW | PTE_UC;
	return true;
}

void *ioremap(phys_addr_t phys, u64 size)
{
	u64 a = ALIGN_DOWN(phys, PAGE_SIZE);
	u64 end = ALIGN_UP(phys + size, PAGE_SIZE);

	if (!pml4 || !size || end < a)
		return NULL;
	while (a < end) {
		u64 *pde = NULL;

		/* A whole unmapped 2 MiB span gets a large UC page. */
		if (IS_ALIGNED(a, LARGE_PAGE_SIZE) &&
		    end - a >= LARGE_PAGE_SIZE)
			pde = walk(a, 1);
		if (pde && !(*pde & PTE_P)) {
			*pde = a | PTE_P | PTE_RW | PTE_PS | PTE_UC;
			a += LARGE_PAGE_SIZE;
			continue;
		}
		if (!map_uc_page(a))
			return NULL;
		a += PAGE_SIZE;
	}
	write_cr3(read_cr3());
	return phys_to_virt(phys);
}
