// SPDX-License-Identifier: MIT
/*
 * The page the other CPUs start in. A start-up IPI names a 4 KiB page
 * below 1 MiB by its number (SDM Vol.3A 9.4.4.1 and 11.6.1, rev 080); Keel
 * never hands out memory below 1 MiB (core/mm.c), so a page there that the
 * firmware calls free and the boot loader left nothing in can be used.
 * Pure: host-tested.
 */
#include "core/bootinfo.h"
#include "arch/x86/arch.h"

/* Page 0 holds the real-mode IVT and BIOS data; 9F000h and up the EBDA
 * on most PCs (and Bochs's BIOS parks its APs there). */
#define SMP_PAGE_LOW 0x1000ULL
#define SMP_PAGE_HIGH 0x9f000ULL
#define SMP_PAGE_SIZE 0x1000ULL

static bool overlaps(u64 a, u64 alen, u64 b, u64 blen)
{
	return blen && alen && a < b + blen && b < a + alen;
}

static bool page_free(const struct boot_info *bi, u64 p)
{
	bool avail = false;

	for (unsigned int i = 0; i < bi->n_mmap; i++) {
		const struct mem_range *r = &bi->mmap[i];

		if (r->type != MEM_AVAILABLE) {
			if (overlaps(p, SMP_PAGE_SIZE, r->base, r->len))
				return false;
		} else if (r->base <= p &&
			   p + SMP_PAGE_SIZE - r->base <= r->len) {
			avail = true;
		}
	}
	if (!avail || overlaps(p, SMP_PAGE_SIZE, bi->mbi_phys, bi->mbi_size))
		return false;
	for (unsigned int i = 0; i < bi->n_modules; i++)
		if (overlaps(p, SMP_PAGE_SIZE, bi->modules[i].start,
			     bi->modules[i].end - bi->modules[i].start))
			return false;
	return true;
}

phys_addr_t smp_start_page(const struct boot_info *bi, u64 limit)
{
	u64 top = limit < SMP_PAGE_HIGH ? limit & ~(SMP_PAGE_SIZE - 1) :
					  SMP_PAGE_HIGH;

	for (u64 p = top - SMP_PAGE_SIZE; p >= SMP_PAGE_LOW && p < top;
	     p -= SMP_PAGE_SIZE)
		if (page_free(bi, p))
			return p;
	return 0;
}
