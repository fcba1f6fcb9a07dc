// SPDX-License-Identifier: MIT
/*
 * Host tests for the pure VT-d structures: capability decoding (QEMU's
 * values from emulator-facts), domain page tables (3 and 4 levels, large
 * pages per SLLPS, splits, unmap, ranges), root and context tables, domain
 * ids, and what the DMAR means (unit coverage, RMRR identity maps). Tables
 * live on malloc'd pages with fake physical addresses and are checked by
 * walking them independently of vtd_lookup().
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <setjmp.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "iommu/iommu.h"
#include "iommu/vtd.h"
#include "arch/x86/acpi.h"
#include "core/console.h"

int printk(int level, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vprintf(fmt, ap);
	va_end(ap);
	return n;
}

/* QEMU 7.2 intel-iommu defaults, and with aw-bits=48 (emulator-facts). */
#define QEMU_CAP 0x00d2008c22260206ULL
#define QEMU_CAP_AW48 (QEMU_CAP | (VTD_SAGAW_48 << 8) | (47ULL << 16))
#define QEMU_ECAP 0xf00f4aULL

/* ---- Fake table pages ---- */
#define MAX_PAGES 4096
#define FAKE_PHYS_BASE 0x7f00000000ULL

struct fake_mem {
	void *page[MAX_PAGES];
	int live, allocs, flushes;
	int fail_after; /* fail the n-th allocation, -1 never */
};

static void *fake_alloc(void *ctx, phys_addr_t *pa)
{
	struct fake_mem *fm = ctx;
	int i;

	if (fm->fail_after >= 0 && fm->allocs >= fm->fail_after)
		return NULL;
	for (i = 0; i < MAX_PAGES; i++) {
		if (!fm->page[i]) {
			fm->page[i] = aligned_alloc(4096, 4096);
			memset(fm->page[i], 0, 4096);
			*pa = FAKE_PHYS_BASE + (u64)i * 4096;
			fm->live++;
			fm->allocs++;
			return fm->page[i];
		}
	}
	return NULL;
}

static void fake_free(void *ctx, void *va, phys_addr_t pa)
{
	struct fake_mem *fm = ctx;
	u64 i = (pa - FAKE_PHYS_BASE) / 4096;

	assert_true(i < MAX_PAGES);
	assert_ptr_equal(fm->page[i], va);
	free(va);
	fm->page[i] = NULL;
	fm->live--;
}

static void *fake_p2v(void *ctx, phys_addr_t pa)
{
	struct fake_mem *fm = ctx;
	u64 i = (pa - FAKE_PHYS_BASE) / 4096;

	assert_true(pa >= FAKE_PHYS_BASE && i < MAX_PAGES);
	assert_int_equal(pa & 0xfff, 0);
	assert_non_null(fm->page[i]);
	return fm->page[i];
}

static void fake_flush(void *ctx, const void *va, size_t len)
{
	((struct fake_mem *)ctx)->flushes++;
}

struct fixture {
	struct fake_mem fm;
	struct vtd_alloc alloc;
	struct vtd_domain dom;
};

static struct fixture *new_fixture(unsigned int levels, u8 sllps)
{
	struct fixture *f = calloc(1, sizeof(*f));

	f->fm.fail_after = -1;
	f->alloc = (struct vtd_alloc){ &f->fm, fake_alloc, fake_free, fake_p2v,
				       fake_flush };
	assert_int_equal(vtd_domain_init(&f->dom, &f->alloc, 5, levels, sllps),
			 0);
	return f;
}

static void free_fixture(struct fixture *f)
{
	vtd_domain_destroy(&f->dom);
	assert_int_equal(f->fm.live, 0); /* every table page came back */
	free(f);
}

/*
 * Independent walk: follow the entries by hand, checking the hardware's
 * rules (PS only at 2M/1G levels, R|W on tables).
 */
static bool walk(struct fixture *f, u64 iova, u64 *pa, u64 *size, u64 *perm)
{
	u64 *t = f->dom.top;
	int level;

	for (level = (int)f->dom.levels; level >= 1; level--) {
		unsigned int shift = 12 + 9 * (level - 1);
		u64 e = t[(iova >> shift) & 511];

		if (!(e & (VTD_SL_R | VTD_SL_W)))
			return false;
		if (level == 1 || (e & VTD_SL_PS)) {
			assert_true(level <= 3);
			*size = 1ULL << shift;
			*pa = (e & VTD_SL_ADDR) + (iova & (*size - 1));
			*perm = e & (VTD_SL_R | VTD_SL_W);
			return true;
		}
		assert_int_equal(e & (VTD_SL_R | VTD_SL_W),
				 VTD_SL_R | VTD_SL_W);
		t = fake_p2v(&f->fm, e & VTD_SL_ADDR);
	}
	return false;
}

static void expect_map(struct fixture *f, u64 iova, u64 pa, u64 size)
{
	u64 got, sz, perm;
	phys_addr_t lpa;
	u64 lsz;

	assert_true(walk(f, iova, &got, &sz, &perm));
	assert_int_equal(got, pa);
	assert_int_equal(sz, size);
	assert_int_equal(vtd_lookup(&f->dom, iova, &lpa, &lsz, NULL), 0);
	assert_int_equal(lpa, pa);
	assert_int_equal(lsz, size);
}

static void expect_unmapped(struct fixture *f, u64 iova)
{
	u64 a, b, c;

	assert_false(walk(f, iova, &a, &b, &c));
	assert_int_equal(vtd_lookup(&f->dom, iova, NULL, NULL, NULL), -ENOENT);
}

/* ---- Capabilities ---- */

static void test_caps_qemu(void **state)
{
	struct vtd_caps c;
	char line[256];

	vtd_decode_caps(0x10, QEMU_CAP, QEMU_ECAP, &c);
	assert_int_equal(c.nd, 6);
	assert_int_equal(c.n_domains, 65536);
	assert_int_equal(c.sagaw, VTD_SAGAW_39);
	assert_int_equal(c.mgaw, 39);
	assert_int_equal(c.sllps, VTD_SLLPS_2M | VTD_SLLPS_1G);
	assert_false(c.cm);
	assert_false(c.rwbf);
	assert_int_equal(c.fro, 0x220);
	assert_int_equal(c.nfr, 1);
	assert_true(c.qi);
	assert_true(c.ir);
	assert_true(c.pt);
	assert_false(c.coherent);
	assert_int_equal(c.iro, 0xf0);
	assert_null(vtd_caps_problem(&c));
	assert_int_equal(vtd_pick_levels(&c, 39), 3);
	/* Only 3 levels exist: a wider need still gets them. */
	assert_int_equal(vtd_pick_levels(&c, 48), 3);
	vtd_format_caps(&c, line, sizeof(line));
	assert_non_null(strstr(
		line,
		"ver 1.0 SAGAW 0x2 MGAW 39 ND 6 (65536 domains) CM 0 RWBF 0 SLLPS 0x3 2M 1G QI 1 IR 1 PT 1 C 0 faults 1 at 0x220"));

	vtd_decode_caps(0x10, QEMU_CAP_AW48 | VTD_CAP_CM | VTD_CAP_RWBF,
			QEMU_ECAP & ~VTD_ECAP_QI, &c);
	assert_int_equal(c.sagaw, VTD_SAGAW_39 | VTD_SAGAW_48);
	assert_int_equal(c.mgaw, 48);
	assert_true(c.cm);
	assert_true(c.rwbf);
	assert_false(c.qi);
	assert_int_equal(vtd_pick_levels(&c, 39), 3);
	assert_int_equal(vtd_pick_levels(&c, 40), 4);
}

static void test_caps_problems(void **state)
{
	struct vtd_caps c;

	vtd_decode_caps(~0U, ~0ULL, ~0ULL, &c);
	assert_non_null(vtd_caps_problem(&c));
	/* Nothing there: an unassigned MMIO page reads as zeros on QEMU. */
	vtd_decode_caps(0, 0, 0, &c);
	assert_string_equal(vtd_caps_problem(&c),
			    "no unit answers at the register base");
	vtd_decode_caps(0x10, QEMU_CAP, QEMU_ECAP, &c);
	assert_null(vtd_caps_problem(&c));
	vtd_decode_caps(0x10, QEMU_CAP & ~VTD_CAP_SAGAW, QEMU_ECAP, &c);
	assert_int_equal(vtd_pick_levels(&c, 39), 0);
	assert_non_null(vtd_caps_problem(&c));
	vtd_decode_caps(0x10, QEMU_CAP | VTD_CAP_ND, QEMU_ECAP, &c); /* ND 7 */
	assert_non_null(vtd_caps_problem(&c));
	/* 256 fault records at 0x220 do not fit in the register page. */
	vtd_decode_caps(0x10, QEMU_CAP | VTD_CAP_NFR, QEMU_ECAP, &c);
	assert_non_null(vtd_caps_problem(&c));
}

/* ---- Domains ---- */

static void test_map_large_pages(void **state)
{
	struct fixture *f = new_fixture(3, VTD_SLLPS_2M | VTD_SLLPS_1G);

	/* 0..3G: three 1G leaves in one directory, no lower tables. */
	assert_int_equal(vtd_map(&f->dom, 0, 0, 3ULL << 30, VTD_MAP_RW), 0);
	assert_int_equal(f->dom.tables, 1);
	expect_map(f, 0, 0, VTD_SIZE_1G);
	expect_map(f, (2ULL << 30) + 0x1234000, (2ULL << 30) + 0x1234000,
		   VTD_SIZE_1G);
	expect_unmapped(f, 3ULL << 30);
	/* 2M-aligned but not 1G: 2M leaves. */
	assert_int_equal(vtd_map(&f->dom, 4ULL << 30, 0x40200000, 4 << 20,
				 VTD_MAP_R),
			 0);
	expect_map(f, (4ULL << 30) + (2 << 20), 0x40400000, VTD_SIZE_2M);
	/* Unaligned physical address: 4K leaves only. */
	assert_int_equal(
		vtd_map(&f->dom, 5ULL << 30, 0x1000, 2 << 20, VTD_MAP_RW), 0);
	expect_map(f, (5ULL << 30) + 0x5000, 0x6000, VTD_SIZE_4K);
	free_fixture(f);
}

static void test_map_sllps_limits(void **state)
{
	struct fixture *f = new_fixture(3, 0);
	u64 a, b, perm;

	/* No large pages at all: 2M of 4K leaves. */
	assert_int_equal(vtd_map(&f->dom, 0, 0, 2 << 20, VTD_MAP_RW), 0);
	expect_map(f, 0x1ff000, 0x1ff000, VTD_SIZE_4K);
	assert_int_equal(f->dom.tables, 3);
	assert_true(walk(f, 0, &a, &b, &perm));
	assert_int_equal(perm, VTD_SL_R | VTD_SL_W);
	free_fixture(f);

	f = new_fixture(3, VTD_SLLPS_2M);
	assert_int_equal(vtd_map(&f->dom, 0, 0, 1ULL << 30, VTD_MAP_RW), 0);
	expect_map(f, 0x3fe00000, 0x3fe00000, VTD_SIZE_2M);
	free_fixture(f);
}

static void test_unmap_splits(void **state)
{
	struct fixture *f = new_fixture(3, VTD_SLLPS_2M | VTD_SLLPS_1G);
	u64 hole = 0x12345000;

	assert_int_equal(vtd_map(&f->dom, 0, 0, 1ULL << 30, VTD_MAP_RW), 0);
	assert_int_equal(vtd_unmap(&f->dom, hole, VTD_SIZE_4K), 0);
	expect_unmapped(f, hole);
	/* The rest of the 1G page survives, split into 2M and 4K leaves. */
	expect_map(f, hole - VTD_SIZE_4K, hole - VTD_SIZE_4K, VTD_SIZE_4K);
	expect_map(f, hole + VTD_SIZE_4K, hole + VTD_SIZE_4K, VTD_SIZE_4K);
	expect_map(f, 0, 0, VTD_SIZE_2M);
	expect_map(f, 0x3fe00000, 0x3fe00000, VTD_SIZE_2M);
	assert_int_equal(f->dom.tables, 3);
	/* Mapping the hole back, then the whole 1G again, frees the split. */
	assert_int_equal(vtd_map(&f->dom, hole, hole, VTD_SIZE_4K, VTD_MAP_RW),
			 0);
	expect_map(f, hole, hole, VTD_SIZE_4K);
	assert_int_equal(vtd_map(&f->dom, 0, 0, 1ULL << 30, VTD_MAP_RW), 0);
	expect_map(f, hole, hole, VTD_SIZE_1G);
	assert_int_equal(f->dom.tables, 1);
	assert_int_equal(f->fm.live, 1);
	/* Unmapping a range with holes is fine. */
	assert_int_equal(vtd_unmap(&f->dom, 0, 4ULL << 30), 0);
	expect_unmapped(f, 0);
	assert_true(f->fm.flushes > 0);
	free_fixture(f);
}

static void test_four_levels(void **state)
{
	struct fixture *f = new_fixture(4, VTD_SLLPS_2M | VTD_SLLPS_1G);
	u64 high = 0x9000000000ULL; /* 576 GiB: beyond 39 bits */

	assert_int_equal(vtd_domain_limit(&f->dom), 1ULL << 48);
	assert_int_equal(
		vtd_map(&f->dom, high, 0x200000, VTD_SIZE_2M, VTD_MAP_RW), 0);
	expect_map(f, high + 0x3000, 0x203000, VTD_SIZE_2M);
	assert_int_equal(f->dom.tables, 3);
	free_fixture(f);

	f = new_fixture(3, VTD_SLLPS_2M);
	assert_int_equal(vtd_domain_limit(&f->dom), 1ULL << 39);
	assert_int_equal(vtd_map(&f->dom, high, 0, VTD_SIZE_4K, VTD_MAP_RW),
			 -ERANGE);
	assert_int_equal(vtd_map(&f->dom, (1ULL << 39) - VTD_SIZE_4K, 0,
				 2 * VTD_SIZE_4K, VTD_MAP_RW),
			 -ERANGE);
	free_fixture(f);
}

static void test_map_rejects(void **state)
{
	struct fixture *f = new_fixture(3, VTD_SLLPS_2M);

	assert_int_equal(vtd_map(&f->dom, 0x800, 0, VTD_SIZE_4K, VTD_MAP_RW),
			 -EINVAL);
	assert_int_equal(vtd_map(&f->dom, 0, 0x800, VTD_SIZE_4K, VTD_MAP_RW),
			 -EINVAL);
	assert_int_equal(vtd_map(&f->dom, 0, 0, 0, VTD_MAP_RW), -EINVAL);
	assert_int_equal(vtd_map(&f->dom, 0, 0, VTD_SIZE_4K, 0), -EINVAL);
	assert_int_equal(vtd_map(&f->dom, 0, 0, VTD_SIZE_4K, 1U << 7), -EINVAL);
	free_fixture(f);
	f = calloc(1, sizeof(*f));
	assert_int_equal(vtd_domain_init(&f->dom, &f->alloc, 1, 5, 0), -EINVAL);
	assert_int_equal(vtd_domain_init(&f->dom, &f->alloc, 1, 2, 0), -EINVAL);
	free(f);
}

static void test_map_out_of_memory(void **state)
{
	struct fixture *f = new_fixture(3, 0);

	f->fm.fail_after = f->fm.allocs + 1; /* the leaf table cannot come */
	assert_int_equal(vtd_map(&f->dom, 0, 0, VTD_SIZE_4K, VTD_MAP_RW),
			 -ENOMEM);
	expect_unmapped(f, 0);
	free_fixture(f);
}

static void test_domain_ids(void **state)
{
	struct vtd_caps c;
	struct vtd_dids ids;
	int i;

	vtd_decode_caps(0x10, QEMU_CAP & ~VTD_CAP_ND, QEMU_ECAP, &c); /* ND 0 */
	assert_int_equal(c.n_domains, 16);
	vtd_dids_init(&ids, &c);
	/* Id 0 is never used: 15 ids, then none. */
	for (i = 1; i < 16; i++)
		assert_int_equal(vtd_did_alloc(&ids), i);
	assert_int_equal(vtd_did_alloc(&ids), -ENOSPC);
}

/* ---- Root and context tables ---- */

static void test_context_entries(void **state)
{
	struct fixture *f = new_fixture(3, VTD_SLLPS_2M);
	struct fixture *g = new_fixture(4, 0);
	struct vtd_root r;
	u64 lo, hi, *re, *ce;

	assert_int_equal(vtd_root_init(&r, &f->alloc), 0);
	assert_false(vtd_ctx_get(&r, 0, VTD_DEVFN(0x1f, 2), &lo, &hi));
	assert_int_equal(vtd_ctx_set(&r, 0, VTD_DEVFN(0x1f, 2), &f->dom), 0);
	g->dom.did = 9;
	assert_int_equal(vtd_ctx_set(&r, 3, VTD_DEVFN(1, 0), &g->dom), 0);

	/* Root entry 0 points at bus 0's context table. */
	re = r.root;
	assert_int_equal(re[0], r.ctx_pa[0] | VTD_ROOT_P);
	assert_int_equal(re[1], 0);
	assert_int_equal(re[2 * 3], r.ctx_pa[3] | VTD_ROOT_P);
	assert_int_equal(re[2 * 1], 0); /* bus 1: nothing, blocked */
	/* Context entry of 00:1f.2: domain 5, 3-level (AW 1), SL tables. */
	ce = fake_p2v(&f->fm, r.ctx_pa[0]);
	ce += 2 * VTD_DEVFN(0x1f, 2);
	assert_int_equal(ce[0], f->dom.top_pa | VTD_CTX_LO_P);
	assert_int_equal(ce[1], 1 | (5 << 8));
	assert_true(vtd_ctx_get(&r, 0, VTD_DEVFN(0x1f, 2), &lo, &hi));
	assert_int_equal(lo, ce[0]);
	assert_true(vtd_ctx_get(&r, 3, VTD_DEVFN(1, 0), &lo, &hi));
	assert_int_equal(hi, 2 | (9 << 8)); /* 4-level: AW 2 */
	/* Its neighbours have nothing. */
	assert_false(vtd_ctx_get(&r, 0, VTD_DEVFN(0x1f, 3), NULL, NULL));
	assert_false(vtd_ctx_get(&r, 0, VTD_DEVFN(0x1f, 1), NULL, NULL));

	vtd_ctx_clear(&r, 0, VTD_DEVFN(0x1f, 2));
	assert_false(vtd_ctx_get(&r, 0, VTD_DEVFN(0x1f, 2), &lo, &hi));
	assert_int_equal(ce[0], 0);
	assert_int_equal(ce[1], 0);
	vtd_root_destroy(&r);
	free_fixture(f);
	free_fixture(g);
}

/* ---- The DMAR's meaning ---- */

static struct acpi_dmar_scope endpoint(u8 bus, u8 dev, u8 fn)
{
	struct acpi_dmar_scope sc = { .type = ACPI_DMAR_SCOPE_ENDPOINT,
				      .bus = bus,
				      .path_len = 1 };

	sc.path[0].dev = dev;
	sc.path[0].fn = fn;
	return sc;
}

static void test_dmar_units(void **state)
{
	static struct acpi_dmar d;

	memset(&d, 0, sizeof(d));
	assert_non_null(vtd_dmar_problem(&d)); /* no unit */
	d.n_units = 2;
	d.units[0].reg_base = 0xfed90000;
	d.units[0].n_scopes = 1;
	d.units[0].scopes[0] = endpoint(0, 0x1f, 2);
	d.units[1].reg_base = 0xfed91000;
	d.units[1].include_pci_all = true;
	assert_null(vtd_dmar_problem(&d));
	assert_int_equal(vtd_dmar_unit_for(&d, NULL, 0, 0, 0x1f, 2), 0);
	assert_int_equal(vtd_dmar_unit_for(&d, NULL, 0, 0, 0x1f, 3), 1);
	assert_int_equal(vtd_dmar_unit_for(&d, NULL, 1, 0, 0x1f, 2), -1);
	d.units[1].include_pci_all = false;
	assert_int_equal(vtd_dmar_unit_for(&d, NULL, 0, 0, 0x1f, 3), -1);

	d.units[1].reg_base = 0xfed90000;
	assert_non_null(vtd_dmar_problem(&d)); /* shared base */
	d.units[1].reg_base = 0xfed90800;
	assert_non_null(vtd_dmar_problem(&d)); /* unaligned */
	d.units[1].reg_base = 0xfed91000;
	d.n_rmrrs = 1;
	d.rmrrs[0].base = 0x2000;
	d.rmrrs[0].limit = 0x1fff;
	assert_non_null(vtd_dmar_problem(&d)); /* ends before it starts */
}

static void test_rmrr_identity(void **state)
{
	struct fixture *f = new_fixture(3, VTD_SLLPS_2M);
	struct acpi_dmar_rmrr r = { .base = 0x7d000, .limit = 0x7ffff };
	phys_addr_t pa;

	r.n_scopes = 1;
	r.scopes[0] = endpoint(0, 0x1d, 0);
	assert_true(vtd_rmrr_names(&r, NULL, 0, 0, 0x1d, 0));
	assert_false(vtd_rmrr_names(&r, NULL, 0, 0, 0x1d, 1));
	assert_false(vtd_rmrr_names(&r, NULL, 1, 0, 0x1d, 0));
	assert_int_equal(vtd_map_rmrr(&f->dom, &r), 0);
	expect_unmapped(f, 0x7c000);
	expect_map(f, 0x7d000, 0x7d000, VTD_SIZE_4K);
	expect_map(f, 0x7f000, 0x7f000, VTD_SIZE_4K);
	expect_unmapped(f, 0x80000);
	/* An unaligned RMRR covers the pages it touches. */
	r.base = 0x100800;
	r.limit = 0x1017ff;
	assert_int_equal(vtd_map_rmrr(&f->dom, &r), 0);
	assert_int_equal(vtd_lookup(&f->dom, 0x101fff, &pa, NULL, NULL), 0);
	assert_int_equal(pa, 0x101fff);
	expect_unmapped(f, 0x102000);
	free_fixture(f);
}

/* ---- Guest domains: GPA -> HPA, RAM only, never Keel's image ---- */

#define KEEL_LO 0x100000ULL
#define KEEL_HI 0x300000ULL

static void test_guest_map(void **state)
{
	struct fixture *f = new_fixture(3, VTD_SLLPS_2M);
	/* Non-identity backing, as vm/mem.c's chunks are. */
	const struct iommu_ram ram[] = {
		{ 0, 0x40600000ULL, 4 << 20 },
		{ 4 << 20, 0x10000000ULL, 2 << 20 },
		{ 6 << 20, 0x2000, 2 * VTD_SIZE_4K },
	};

	assert_int_equal(vtd_guest_map(&f->dom, ram, 3, KEEL_LO, KEEL_HI), 0);
	expect_map(f, 0, 0x40600000ULL, VTD_SIZE_2M);
	expect_map(f, (2 << 20) + 0x1234, 0x40800000ULL + 0x1234, VTD_SIZE_2M);
	expect_map(f, 4 << 20, 0x10000000ULL, VTD_SIZE_2M);
	expect_map(f, 6 << 20, 0x2000, VTD_SIZE_4K);
	expect_map(f, (6 << 20) + VTD_SIZE_4K, 0x3000, VTD_SIZE_4K);
	/* Nothing but the ranges: not past RAM, not the APICs. */
	expect_unmapped(f, (6 << 20) + 2 * VTD_SIZE_4K);
	expect_unmapped(f, 8 << 20);
	expect_unmapped(f, 0xfee00000ULL);
	vtd_guest_unmap(&f->dom, ram, 3);
	expect_unmapped(f, 0);
	expect_unmapped(f, 4 << 20);
	expect_unmapped(f, 6 << 20);
	free_fixture(f);
}

static void test_guest_map_rejects(void **state)
{
	struct fixture *f = new_fixture(3, VTD_SLLPS_2M);
	struct iommu_ram ram[2] = { { 0, 0x40000000ULL, 2 << 20 },
				    { 2 << 20, KEEL_HI - VTD_SIZE_4K,
				      VTD_SIZE_4K } };

	/* The second range's host page is Keel's: nothing at all mapped. */
	assert_int_equal(vtd_guest_map(&f->dom, ram, 2, KEEL_LO, KEEL_HI),
			 -EPERM);
	expect_unmapped(f, 0);
	ram[1].hpa = KEEL_HI; /* just past it: fine */
	assert_int_equal(vtd_guest_map(&f->dom, ram, 2, KEEL_LO, KEEL_HI), 0);
	expect_map(f, 2 << 20, KEEL_HI, VTD_SIZE_4K);
	vtd_guest_unmap(&f->dom, ram, 2);
	/* Two ranges on one GPA, unaligned, empty, beyond 39 bits. */
	ram[1].gpa = VTD_SIZE_4K;
	assert_int_equal(vtd_guest_map(&f->dom, ram, 2, 0, 0), -EINVAL);
	ram[1].gpa = (2 << 20) + 0x800;
	assert_int_equal(vtd_guest_map(&f->dom, ram, 2, 0, 0), -EINVAL);
	ram[1].gpa = 2 << 20;
	ram[1].size = 0;
	assert_int_equal(vtd_guest_map(&f->dom, ram, 2, 0, 0), -EINVAL);
	ram[1].size = VTD_SIZE_4K;
	ram[1].gpa = 1ULL << 39;
	assert_int_equal(vtd_guest_map(&f->dom, ram, 2, 0, 0), -ERANGE);
	expect_unmapped(f, 0);
	/* Out of memory on the second range: the first is undone too. */
	ram[1].gpa = 1ULL << 30;
	f->fm.fail_after = f->fm.allocs + 1;
	assert_int_equal(vtd_guest_map(&f->dom, ram, 2, 0, 0), -ENOMEM);
	expect_unmapped(f, 0);
	expect_unmapped(f, 1ULL << 30);
	free_fixture(f);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_caps_qemu),
		cmocka_unit_test(test_caps_problems),
		cmocka_unit_test(test_map_large_pages),
		cmocka_unit_test(test_map_sllps_limits),
		cmocka_unit_test(test_unmap_splits),
		cmocka_unit_test(test_four_levels),
		cmocka_unit_test(test_map_rejects),
		cmocka_unit_test(test_map_out_of_memory),
		cmocka_unit_test(test_domain_ids),
		cmocka_unit_test(test_context_entries),
		cmocka_unit_test(test_dmar_units),
		cmocka_unit_test(test_rmrr_identity),
		cmocka_unit_test(test_guest_map),
		cmocka_unit_test(test_guest_map_rejects),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
