// SPDX-License-Identifier: MIT
/*
 * The global page allocator, built from the boot memory map. Reserved at
 * boot: the first MiB (real-mode structures, EBDA, firmware leftovers),
 * Keel's image, the multiboot2 information, the modules, the framebuffer
 * and the bitmap itself. Non-available ranges win over available ones where a map overlaps.
 */
#include "core/console.h"
#include "core/lib.h"
#include "core/mm.h"

#define LOW_RESERVED MiB(1)
/* Before paging_init() only the low 4 GiB are mapped. */
#define BOOT_MAPPED_LIMIT GiB(4)

struct span {
	u64 start, end;
};

static struct palloc allocator;
static u64 ram_top;
static const struct boot_info *mm_bi;
static u64 total_ram;
static u64 boot_free_pages;

static void collect_reserved(const struct boot_info *bi, phys_addr_t img_start,
			     phys_addr_t img_end, struct span *sp,
			     unsigned int *n)
{
	*n = 0;
	sp[(*n)++] = (struct span){ 0, LOW_RESERVED };
	sp[(*n)++] = (struct span){ img_start, img_end };
	sp[(*n)++] = (struct span){ bi->mbi_phys, bi->mbi_phys + bi->mbi_size };
	for (unsigned int i = 0; i < bi->n_modules; i++)
		sp[(*n)++] = (struct span){ bi->modules[i].start,
					    bi->modules[i].end };
	/* Usually device memory, but a framebuffer carved from RAM must
	 * not be handed out (console=fb draws on it). */
	if (bi->have_fb)
		sp[(*n)++] =
			(struct span){ bi->fb.addr,
				       bi->fb.addr + (u64)bi->fb.pitch *
							     bi->fb.height };
}

/* First page-aligned place for @size bytes of bitmap in available RAM. */
static u64 find_bitmap_home(const struct boot_info *bi, u64 size,
			    const struct span *sp, unsigned int n)
{
	for (unsigned int i = 0; i < bi->n_mmap; i++) {
		const struct mem_range *r = &bi->mmap[i];
		u64 a, end = MIN(r->base + r->len, BOOT_MAPPED_LIMIT);
		bool moved = true;

		if (r->type != MEM_AVAILABLE)
			continue;
		a = ALIGN_UP(r->base, PAGE_SIZE);
		while (moved && a + size <= end) {
			moved = false;
			for (unsigned int j = 0; j < n; j++) {
				if (a < sp[j].end && sp[j].start < a + size) {
					a = ALIGN_UP(sp[j].end, PAGE_SIZE);
					moved = true;
				}
			}
		}
		if (a + size <= end)
			return a;
	}
	return PHYS_INVALID;
}

void mm_init(const struct boot_info *bi, phys_addr_t image_start,
	     phys_addr_t image_end)
{
	struct span sp[4 + BOOT_MAX_MODULES + 1];
	unsigned int n;
	u64 npages, bm_size, bm;

	mm_bi = bi;
	for (unsigned int i = 0; i < bi->n_mmap; i++) {
		const struct mem_range *r = &bi->mmap[i];

		if (r->type != MEM_AVAILABLE)
			continue;
		total_ram += r->len;
		ram_top = MAX(ram_top, r->base + r->len);
	}
	if (!ram_top)
		panic("mm: the memory map lists no available RAM");
	npages = ram_top / PAGE_SIZE;
	bm_size = ALIGN_UP(DIV_ROUND_UP(npages, 64) * 8, PAGE_SIZE);
	collect_reserved(bi, image_start, image_end, sp, &n);
	bm = find_bitmap_home(bi, bm_size, sp, n);
	if (bm == PHYS_INVALID)
		panic("mm: no room below 4 GiB for a %llu KiB page bitmap",
		      bm_size >> 10);

	palloc_init(&allocator, phys_to_virt(bm), npages);
	for (unsigned int i = 0; i < bi->n_mmap; i++)
		if (bi->mmap[i].type == MEM_AVAILABLE)
			palloc_add_free(&allocator, bi->mmap[i].base,
					bi->mmap[i].len);
	for (unsigned int i = 0; i < bi->n_mmap; i++)
		if (bi->mmap[i].type != MEM_AVAILABLE)
			palloc_reserve(&allocator, bi->mmap[i].base,
				       bi->mmap[i].len);
	for (unsigned int i = 0; i < n; i++)
		palloc_reserve(&allocator, sp[i].start,
			       sp[i].end - sp[i].start);
	palloc_reserve(&allocator, bm, bm_size);
	boot_free_pages = allocator.free_pages;
}

void mm_get_stats(struct mm_stats *st)
{
	st->total = total_ram;
	st->reserved = total_ram - boot_free_pages * PAGE_SIZE;
	st->used = (boot_free_pages - allocator.free_pages) * PAGE_SIZE;
	st->free = allocator.free_pages * PAGE_SIZE;
}

phys_addr_t alloc_pages(u64 npages, u64 align)
{
	phys_addr_t p = palloc_alloc(&allocator, npages, MAX(align, PAGE_SIZE));

	if (p != PHYS_INVALID)
		memset(phys_to_virt(p), 0, npages * PAGE_SIZE);
	return p;
}

void free_pages(phys_addr_t addr, u64 npages)
{
	palloc_free(&allocator, addr, npages);
}

void *alloc_page(void)
{
	phys_addr_t p = alloc_pages(1, PAGE_SIZE);

	return p == PHYS_INVALID ? NULL : phys_to_virt(p);
}

bool mm_overlaps_memory(u64 base, u64 len)
{
	for (unsigned int i = 0; mm_bi && i < mm_bi->n_mmap; i++) {
		const struct mem_range *r = &mm_bi->mmap[i];

		if (r->type != MEM_AVAILABLE &&
		    r->type != MEM_ACPI_RECLAIMABLE && r->type != MEM_NVS)
			continue;
		if (base < r->base + r->len && r->base < base + len)
			return true;
	}
	return false;
}

phys_addr_t mm_ram_top(void)
{
	return ram_top;
}
