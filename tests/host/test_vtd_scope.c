// SPDX-License-Identifier: MIT
/*
 * Host tests for DMAR device scopes through PCI-PCI bridges (VT-d 3.4
 * 8.3.1): a crafted DMAR is parsed by the real parser, and its paths are
 * walked over a fake hierarchy of bridges with their secondary and
 * subordinate bus numbers.
 *
 *   00:1c.0 bridge -> bus 3..5;  03:00.0 bridge -> bus 4;  endpoint 04:02.0
 *   00:1c.1 bridge -> bus 6..7 (a sub-hierarchy scope)
 *   00:1d.0 no bridge
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <setjmp.h>
#include <string.h>
#include <cmocka.h>

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

static const struct {
	u8 bus, dev, fn, sec, sub;
} bridges[] = {
	{ 0, 0x1c, 0, 3, 5 },
	{ 3, 0x00, 0, 4, 4 },
	{ 0, 0x1c, 1, 6, 7 },
};

static int lookups;

static bool fake_bridge(void *ctx, u16 seg, u8 bus, u8 dev, u8 fn, u8 *sec,
			u8 *sub)
{
	lookups++;
	for (size_t i = 0; i < sizeof(bridges) / sizeof(bridges[0]); i++)
		if (!seg && bridges[i].bus == bus && bridges[i].dev == dev &&
		    bridges[i].fn == fn) {
			*sec = bridges[i].sec;
			*sub = bridges[i].sub;
			return true;
		}
	return false;
}

static const struct vtd_buses buses = { .bridge = fake_bridge };

/* ---- The crafted table ---- */
static u8 tbl[512];
static u32 len;

static void put16(u32 o, u16 v)
{
	tbl[o] = (u8)v;
	tbl[o + 1] = (u8)(v >> 8);
}

static void put64(u32 o, u64 v)
{
	for (int i = 0; i < 8; i++)
		tbl[o + i] = (u8)(v >> (8 * i));
}

/* A device scope (VT-d 3.4 8.3.1 table 9) of @n (dev, fn) pairs. */
static void scope(u8 type, u8 bus, const u8 (*path)[2], unsigned int n)
{
	tbl[len] = type;
	tbl[len + 1] = (u8)(6 + 2 * n);
	tbl[len + 5] = bus;
	for (unsigned int i = 0; i < n; i++) {
		tbl[len + 6 + 2 * i] = path[i][0];
		tbl[len + 7 + 2 * i] = path[i][1];
	}
	len += 6 + 2 * n;
}

static const u8 to_04_02_0[][2] = { { 0x1c, 0 }, { 0, 0 }, { 2, 0 } };
static const u8 to_1c_1[][2] = { { 0x1c, 1 } };
static const u8 via_1d_0[][2] = { { 0x1d, 0 }, { 0, 0 } };
static const u8 too_long[][2] = { { 0x1c, 0 },
				  { 0, 0 },
				  { 0, 0 },
				  { 0, 0 },
				  { 0, 0 } };
static const u8 to_04_03_1[][2] = { { 0x1c, 0 }, { 0, 0 }, { 3, 1 } };
static const u8 ioapic[][2] = { { 0x1f, 0 } };

static void build(void)
{
	u32 s;

	memset(tbl, 0, sizeof(tbl));
	memcpy(tbl, "DMAR", 4);
	tbl[36] = 38; /* host address width - 1 */
	len = 48;
	/* DRHD 0xfed90000 with the scopes under test. */
	s = len;
	put64(s + 8, 0xfed90000);
	len += 16;
	scope(ACPI_DMAR_SCOPE_ENDPOINT, 0, to_04_02_0, 3);
	scope(ACPI_DMAR_SCOPE_BRIDGE, 0, to_1c_1, 1);
	scope(ACPI_DMAR_SCOPE_ENDPOINT, 0, via_1d_0, 2);
	scope(ACPI_DMAR_SCOPE_ENDPOINT, 0, too_long, 5);
	scope(ACPI_DMAR_SCOPE_IOAPIC, 0xf0, ioapic, 1);
	put16(s + 2, (u16)(len - s));
	/* DRHD 0xfed91000, INCLUDE_PCI_ALL. */
	s = len;
	put16(s + 2, 16);
	tbl[s + 4] = ACPI_DRHD_INCLUDE_PCI_ALL;
	put64(s + 8, 0xfed91000);
	len += 16;
	/* RMRR 0x7d000-0x7ffff for 04:03.1, behind both bridges. */
	s = len;
	put16(s, 1);
	put64(s + 8, 0x7d000);
	put64(s + 16, 0x7ffff);
	len += 24;
	scope(ACPI_DMAR_SCOPE_ENDPOINT, 0, to_04_03_1, 3);
	put16(s + 2, (u16)(len - s));
}

static struct acpi_dmar dmar;

static int setup(void **state)
{
	build();
	assert_int_equal(acpi_parse_dmar(tbl, len, &dmar), 0);
	assert_int_equal(dmar.n_units, 2);
	assert_int_equal(dmar.units[0].n_scopes, 5);
	assert_int_equal(dmar.n_rmrrs, 1);
	assert_null(vtd_dmar_problem(&dmar));
	return 0;
}

static void test_endpoint_behind_two_bridges(void **state)
{
	const struct acpi_dmar_scope *sc = &dmar.units[0].scopes[0];

	assert_int_equal(sc->path_len, 3);
	assert_false(sc->path_cut);
	assert_true(vtd_scope_names(sc, &buses, 0, 4, 2, 0));
	assert_false(vtd_scope_names(sc, &buses, 0, 4, 2, 1));
	assert_false(vtd_scope_names(sc, &buses, 0, 3, 2, 0));
	assert_false(vtd_scope_names(sc, &buses, 0, 0, 2, 0));
	assert_false(vtd_scope_names(sc, &buses, 1, 4, 2, 0)); /* segment */
	assert_int_equal(vtd_dmar_unit_for(&dmar, &buses, 0, 4, 2, 0), 0);
	assert_int_equal(vtd_dmar_unit_for(&dmar, &buses, 0, 4, 2, 1), 1);
	/* Without the bridges' bus numbers the path cannot be followed:
	 * the function falls to the INCLUDE_PCI_ALL unit. */
	assert_int_equal(vtd_dmar_unit_for(&dmar, NULL, 0, 4, 2, 0), 1);
}

static void test_sub_hierarchy(void **state)
{
	const struct acpi_dmar_scope *sc = &dmar.units[0].scopes[1];

	assert_int_equal(sc->type, ACPI_DMAR_SCOPE_BRIDGE);
	/* The bridge itself and every function on buses 6..7. */
	assert_true(vtd_scope_names(sc, &buses, 0, 0, 0x1c, 1));
	assert_true(vtd_scope_names(sc, &buses, 0, 6, 0, 0));
	assert_true(vtd_scope_names(sc, &buses, 0, 7, 0x1f, 7));
	assert_false(vtd_scope_names(sc, &buses, 0, 8, 0, 0));
	assert_false(vtd_scope_names(sc, &buses, 0, 5, 0, 0));
	assert_int_equal(vtd_dmar_unit_for(&dmar, &buses, 0, 7, 3, 0), 0);
	assert_int_equal(vtd_dmar_unit_for(&dmar, &buses, 0, 5, 0, 0), 1);
	/* Without bus numbers only the bridge itself is known. */
	assert_true(vtd_scope_names(sc, NULL, 0, 0, 0x1c, 1));
	assert_false(vtd_scope_names(sc, NULL, 0, 6, 0, 0));
}

static void test_paths_that_name_nothing(void **state)
{
	const struct acpi_dmar_scope *via = &dmar.units[0].scopes[2];
	const struct acpi_dmar_scope *cut = &dmar.units[0].scopes[3];
	const struct acpi_dmar_scope *io = &dmar.units[0].scopes[4];
	struct acpi_dmar_scope sc = dmar.units[0].scopes[0];

	/* 00:1d.0 is no bridge: the path does not stay on bus 0. */
	assert_false(vtd_scope_names(via, &buses, 0, 0, 0, 0));
	assert_false(vtd_scope_names(via, &buses, 0, 0, 0x1d, 0));
	/* A path longer than the parser keeps is marked and names nothing. */
	assert_true(cut->path_cut);
	assert_int_equal(cut->path_len, ACPI_DMAR_MAX_PATH);
	sc.path_cut = true;
	assert_false(vtd_scope_names(&sc, &buses, 0, 4, 2, 0));
	sc.path_cut = false;
	sc.path_len = 0;
	assert_false(vtd_scope_names(&sc, &buses, 0, 4, 2, 0));
	/* An IOAPIC scope is not a PCI function. */
	assert_false(vtd_scope_names(io, &buses, 0, 0xf0, 0x1f, 0));
}

static void test_rmrr_behind_bridges(void **state)
{
	const struct acpi_dmar_rmrr *r = &dmar.rmrrs[0];

	assert_true(vtd_rmrr_names(r, &buses, 0, 4, 3, 1));
	assert_false(vtd_rmrr_names(r, &buses, 0, 4, 3, 0));
	assert_false(vtd_rmrr_names(r, NULL, 0, 4, 3, 1));
	/* Each step of the path asked for its bridge. */
	lookups = 0;
	assert_true(vtd_rmrr_names(r, &buses, 0, 4, 3, 1));
	assert_int_equal(lookups, 2);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_endpoint_behind_two_bridges, setup),
		cmocka_unit_test_setup(test_sub_hierarchy, setup),
		cmocka_unit_test_setup(test_paths_that_name_nothing, setup),
		cmocka_unit_test_setup(test_rmrr_behind_bridges, setup),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
