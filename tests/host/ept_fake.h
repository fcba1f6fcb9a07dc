/* SPDX-License-Identifier: MIT */
/*
 * A table allocator for the host tests of ept/ept.c and its users:
 * malloc'd pages with fake physical addresses, counted, with a switch to
 * make the n-th allocation on fail. Include after cmocka.h.
 */
#ifndef KEEL_TESTS_EPT_FAKE_H
#define KEEL_TESTS_EPT_FAKE_H

#include <stdlib.h>
#include <string.h>

#include "ept/ept.h"

#define FAKE_MAX_PAGES 4096
#define FAKE_TABLE_BASE 0x7f00000000ULL

struct fake_mem {
	void *page[FAKE_MAX_PAGES];
	int live;
	int allocs;
	int fail_after; /* fail the n-th allocation on, -1 never */
};

static inline void *fake_alloc(void *ctx, phys_addr_t *pa)
{
	struct fake_mem *fm = ctx;

	if (fm->fail_after >= 0 && fm->allocs >= fm->fail_after)
		return NULL;
	for (int i = 0; i < FAKE_MAX_PAGES; i++) {
		if (!fm->page[i]) {
			fm->page[i] = aligned_alloc(4096, 4096);
			memset(fm->page[i], 0, 4096);
			*pa = FAKE_TABLE_BASE + (u64)i * 4096;
			fm->live++;
			fm->allocs++;
			return fm->page[i];
		}
	}
	return NULL;
}

static inline void fake_free(void *ctx, void *va, phys_addr_t pa)
{
	struct fake_mem *fm = ctx;
	u64 i = (pa - FAKE_TABLE_BASE) / 4096;

	assert_ptr_equal(fm->page[i], va);
	free(va);
	fm->page[i] = NULL;
	fm->live--;
}

static inline void *fake_p2v(void *ctx, phys_addr_t pa)
{
	struct fake_mem *fm = ctx;
	u64 i = (pa - FAKE_TABLE_BASE) / 4096;

	assert_true(pa >= FAKE_TABLE_BASE && i < FAKE_MAX_PAGES);
	assert_int_equal(pa & 0xfff, 0);
	assert_non_null(fm->page[i]);
	return fm->page[i];
}

#endif
