// SPDX-License-Identifier: MIT
/*
 * Bitmap page allocator. One bit per 4 KiB page from physical address 0; a
 * set bit means the page is not free (reserved, absent or allocated). Pure
 * code: the caller supplies the bitmap, so host tests drive it directly.
 */
#include "core/lib.h"
#include "core/mm.h"

static inline bool test_bit(const u64 *bm, u64 n)
{
	return bm[n / 64] & BIT(n % 64);
}

static inline void set_bit(u64 *bm, u64 n)
{
	bm[n / 64] |= BIT(n % 64);
}

static inline void clear_bit(u64 *bm, u64 n)
{
	bm[n / 64] &= ~BIT(n % 64);
}

void palloc_init(struct palloc *pa, u64 *bitmap, u64 npages)
{
	pa->bitmap = bitmap;
	pa->npages = npages;
	pa->free_pages = 0;
	memset(bitmap, 0xff, DIV_ROUND_UP(npages, 64) * sizeof(u64));
}

/* Clamp [base, base+len) to whole pages inside the bitmap; false if empty. */
static bool page_span(const struct palloc *pa, u64 base, u64 len, bool inner,
		      u64 *first, u64 *end)
{
	u64 lim = base + len < base ? UINT64_MAX : base + len;

	if (inner) {
		/* Freeing: only pages wholly inside the range. */
		*first = DIV_ROUND_UP(base, PAGE_SIZE);
		*end = lim / PAGE_SIZE;
	} else {
		/* Reserving: every page the range touches. */
		*first = base / PAGE_SIZE;
		*end = DIV_ROUND_UP(lim, PAGE_SIZE);
		if (lim == UINT64_MAX)
			*end = UINT64_MAX / PAGE_SIZE + 1;
	}
	*end = MIN(*end, pa->npages);
	return *first < *end;
}

void palloc_add_free(struct palloc *pa, u64 base, u64 len)
{
	u64 p, end;

	if (!page_span(pa, base, len, true, &p, &end))
		return;
	for (; p < end; p++) {
		if (test_bit(pa->bitmap, p)) {
			clear_bit(pa->bitmap, p);
			pa->free_pages++;
		}
	}
}

void palloc_reserve(struct palloc *pa, u64 base, u64 len)
{
	u64 p, end;

	if (!page_span(pa, base, len, false, &p, &end))
		return;
	for (; p < end; p++) {
		if (!test_bit(pa->bitmap, p)) {
			set_bit(pa->bitmap, p);
			pa->free_pages--;
		}
	}
}

bool palloc_is_free(const struct palloc *pa, u64 page)
{
	return page < pa->npages && !test_bit(pa->bitmap, page);
}

/* Length of the free run starting at @p, stopping once @want is reached. */
static u64 free_run(const struct palloc *pa, u64 p, u64 want)
{
	u64 n = 0;

	while (n < want && p + n < pa->npages && !test_bit(pa->bitmap, p + n))
		n++;
	return n;
}

phys_addr_t palloc_alloc(struct palloc *pa, u64 npages, u64 align)
{
	u64 step, p, run;

	if (!npages || align < PAGE_SIZE || (align & (align - 1)) ||
	    npages > pa->free_pages)
		return PHYS_INVALID;
	step = align / PAGE_SIZE;
	p = 0;
	while (p < pa->npages && p + npages <= pa->npages) {
		run = free_run(pa, p, npages);
		if (run == npages) {
			for (u64 i = 0; i < npages; i++)
				set_bit(pa->bitmap, p + i);
			pa->free_pages -= npages;
			return p * PAGE_SIZE;
		}
		/* Skip past the page that ended the run, then realign. */
		p = ALIGN_UP(p + run + 1, step);
	}
	return PHYS_INVALID;
}

void palloc_free(struct palloc *pa, phys_addr_t addr, u64 npages)
{
	u64 p = addr / PAGE_SIZE;

	for (u64 i = 0; i < npages && p + i < pa->npages; i++) {
		if (test_bit(pa->bitmap, p + i)) {
			clear_bit(pa->bitmap, p + i);
			pa->free_pages++;
		}
	}
}
