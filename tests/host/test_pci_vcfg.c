// SPDX-License-Identifier: MIT
/*
 * Host tests of the guest's virtual PCI configuration space
 * (vdev/pci_vbar.c through vdev/pci_vcfg.c): BAR sizing, moves that the EPT follows or that are
 * refused, and the command register's decode bits.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <string.h>

#include "pci_vcfg_fake.h"

/* ---- start-up ---- */

static void test_start_maps_bars_where_firmware_put_them(void **state)
{
	assert_int_equal(fk.nmaps, 2);
	assert_int_equal(fk.maps[0].gpa, 0xfebf0000);
	assert_int_equal(fk.maps[0].hpa, 0xfebf0000);
	assert_int_equal(fk.maps[0].size, 0x2000);
	assert_int_equal(fk.maps[1].gpa, 0xfebe0000);
	assert_int_equal(fk.nlogs, 0);
	/* Reads show the real values while nothing was moved. */
	assert_int_equal(cfg_in(BDF_XHCI, 0x10, 4), 0xfebf0004);
	assert_int_equal(cfg_in(BDF_XHCI, 0x14, 4), 0);
	assert_int_equal(cfg_in(BDF_XHCI, 0x18, 4), 0xc001);
	assert_int_equal(cfg_in(BDF_XHCI, 0x00, 4), 0x00151912);
}

/* ---- sizing, PCI 3.0 6.2.5.1 ---- */

static void test_size_64bit_bar(void **state)
{
	cfg_out(BDF_XHCI, 0x04, 2, PCI_COMMAND_IO); /* decode off */
	cfg_out(BDF_XHCI, 0x10, 4, 0xffffffff);
	cfg_out(BDF_XHCI, 0x14, 4, 0xffffffff);
	assert_int_equal(cfg_in(BDF_XHCI, 0x10, 4), 0xffffe004);
	assert_int_equal(cfg_in(BDF_XHCI, 0x14, 4), 0xffffffff);
	cfg_out(BDF_XHCI, 0x10, 4, 0xfebf0000);
	cfg_out(BDF_XHCI, 0x14, 4, 0);
	assert_int_equal(cfg_in(BDF_XHCI, 0x10, 4), 0xfebf0004);
	/* The device never saw a BAR write. */
	assert_int_equal(get32(0, 0x10), 0xfebf0004);
	assert_int_equal(get32(0, 0x14), 0);
	for (unsigned int i = 0; i < fk.nwrites && i < MAXLOG; i++)
		assert_true(fk.writes[i].off < 0x10 ||
			    fk.writes[i].off >= 0x28);
}

static void test_size_32bit_and_io_bars(void **state)
{
	cfg_out(BDF_NIC, 0x04, 2, 0);
	cfg_out(BDF_NIC, 0x10, 4, 0xffffffff);
	assert_int_equal(cfg_in(BDF_NIC, 0x10, 4), 0xfffff000);
	/* I/O BAR: 32 ports, 16-bit decode, bit 0 set. */
	cfg_out(BDF_XHCI, 0x18, 4, 0xffffffff);
	assert_int_equal(cfg_in(BDF_XHCI, 0x18, 4), 0xffe1);
	/* Unimplemented BARs read 0 whatever is written. */
	cfg_out(BDF_XHCI, 0x1c, 4, 0xffffffff);
	assert_int_equal(cfg_in(BDF_XHCI, 0x1c, 4), 0);
	cfg_out(BDF_NIC, 0x24, 4, 0xffffffff);
	assert_int_equal(cfg_in(BDF_NIC, 0x24, 4), 0);
	assert_int_equal(get32(0, 0x18), 0xc001);
	assert_int_equal(get32(1, 0x10), 0xfebe0000);
	/* The I/O BAR is shadowed only: no EPT calls for it. */
	assert_int_equal(fk.nmaps, 2);
}

static void test_size_bar_above_4g(void **state)
{
	struct pci_dev d = { .bus = 0, .dev = 5, .fn = 0 };

	/* 8 GiB prefetchable 64-bit BAR, placed at 64 GiB. */
	d.bars[0] = (struct pci_bar){ .base = 0x1000000000ULL,
				      .size = 0x200000000ULL,
				      .io = false,
				      .is64 = true,
				      .prefetch = true };
	fk.bdf[2] = PCI_BDF(0, 5, 0);
	assert_int_equal(pci_vcfg_add(&vc, &d, 0), 0);
	assert_int_equal(cfg_in(PCI_BDF(0, 5, 0), 0x10, 4), 0x0000000c);
	assert_int_equal(cfg_in(PCI_BDF(0, 5, 0), 0x14, 4), 0x10);
	cfg_out(PCI_BDF(0, 5, 0), 0x10, 4, 0xffffffff);
	cfg_out(PCI_BDF(0, 5, 0), 0x14, 4, 0xffffffff);
	assert_int_equal(cfg_in(PCI_BDF(0, 5, 0), 0x10, 4), 0x0000000c);
	assert_int_equal(cfg_in(PCI_BDF(0, 5, 0), 0x14, 4), 0xfffffffe);
}

/*
 * Sizing shows the bits the device implements, as enumeration found them:
 * Bochs's xHCI has a 64-bit BAR0 whose upper half reads 0 after writing
 * all ones; some I/O BARs decode 32 address bits.
 */
static void test_size_follows_real_decoder(void **state)
{
	struct pci_dev d = { .bus = 0, .dev = 5, .fn = 0 };
	u16 bdf = PCI_BDF(0, 5, 0);
	unsigned int maps;

	assert_int_equal(
		pci_decode_bar(0xc0000004, 0xffffe004, 0, 0, &d.bars[0]), 2);
	assert_int_equal(pci_decode_bar(0xc041, 0xffffffe1, 0, 0, &d.bars[2]),
			 1);
	fk.bdf[2] = bdf;
	put32(2, 0x04, PCI_COMMAND_MEMORY);
	assert_int_equal(pci_vcfg_add(&vc, &d, 0), 0);
	assert_int_equal(pci_vcfg_start(&vc), 0);
	cfg_out(bdf, 0x10, 4, 0xffffffff);
	cfg_out(bdf, 0x14, 4, 0xffffffff);
	cfg_out(bdf, 0x18, 4, 0xffffffff);
	assert_int_equal(cfg_in(bdf, 0x10, 4), 0xffffe004);
	assert_int_equal(cfg_in(bdf, 0x14, 4), 0);
	assert_int_equal(cfg_in(bdf, 0x18, 4), 0xffffffe1);
	/* It cannot be placed above 4 GiB: the upper half stays 0. */
	cfg_out(bdf, 0x10, 4, 0xd0000000);
	maps = fk.nmaps;
	cfg_out(bdf, 0x14, 4, 1);
	assert_int_equal(fk.nmaps, maps);
	assert_int_equal(pci_vcfg_bar_gpa(&fns[2], 0), 0xd0000000);
	assert_int_equal(fk.maps[fk.nmaps - 1].gpa, 0xd0000000);
	assert_int_equal(fk.maps[fk.nmaps - 1].hpa, 0xc0000000);
}

/* ---- moves ---- */

static void test_move_follows_in_ept(void **state)
{
	fk.nmaps = 0;
	cfg_out(BDF_NIC, 0x10, 4, 0xe0000000);
	assert_int_equal(fk.nunmaps, 1);
	assert_int_equal(fk.unmaps[0].gpa, 0xfebe0000);
	assert_int_equal(fk.unmaps[0].size, 0x1000);
	assert_int_equal(fk.nmaps, 1);
	assert_int_equal(fk.maps[0].gpa, 0xe0000000);
	assert_int_equal(fk.maps[0].hpa, 0xfebe0000);
	assert_int_equal(fk.maps[0].size, 0x1000);
	assert_int_equal(cfg_in(BDF_NIC, 0x10, 4), 0xe0000000);
	assert_int_equal(get32(1, 0x10), 0xfebe0000);
	assert_int_equal(pci_vcfg_bar_gpa(&fns[1], 0), 0xe0000000);
	/* Writing the same place again changes nothing. */
	cfg_out(BDF_NIC, 0x10, 4, 0xe0000000);
	assert_int_equal(fk.nmaps, 1);
	assert_int_equal(fk.nunmaps, 1);
}

/* Moves are bounded: EPT tables a move empties stay until the guest ends. */
static void test_moves_are_bounded(void **state)
{
	unsigned int maps;

	vc.moves = PCI_VCFG_MAX_MOVES;
	maps = fk.nmaps;
	cfg_out(BDF_NIC, 0x10, 4, 0xe0000000);
	assert_int_equal(fk.nmaps, maps);
	assert_non_null(strstr(fk.last_log, "too many BAR moves"));
}

static void test_move_64bit_above_4g(void **state)
{
	fk.nmaps = 0;
	/* Low half first: a transient move to 0xe0000000, then up. */
	cfg_out(BDF_XHCI, 0x10, 4, 0xe0000000);
	cfg_out(BDF_XHCI, 0x14, 4, 0x1);
	assert_int_equal(fk.nmaps, 2);
	assert_int_equal(fk.maps[1].gpa, 0x1e0000000ULL);
	assert_int_equal(fk.maps[1].hpa, 0xfebf0000);
	assert_int_equal(fk.maps[1].size, 0x2000);
	assert_int_equal(fk.unmaps[fk.nunmaps - 1].gpa, 0xe0000000);
	assert_int_equal(cfg_in(BDF_XHCI, 0x14, 4), 1);
	assert_int_equal(get32(0, 0x10), 0xfebf0004);
}

/*
 * A refused move with decoding on changes nothing: no EPT call, and the
 * BAR reads back where the device still is, as the guest (Linux's
 * pci_std_update_resource) checks after writing it.
 */
static void expect_refused(u16 bdf, u32 base, const char *why)
{
	unsigned int maps = fk.nmaps, unmaps = fk.nunmaps, logs = fk.nlogs;
	u32 before = cfg_in(bdf, 0x10, 4);

	cfg_out(bdf, 0x10, 4, base);
	assert_int_equal(fk.nmaps, maps);
	assert_int_equal(fk.nunmaps, unmaps);
	assert_int_equal(fk.nlogs, logs + 1);
	assert_non_null(strstr(fk.last_log, why));
	assert_int_equal(cfg_in(bdf, 0x10, 4), before);
}

static void test_move_onto_forbidden_is_refused(void **state)
{
	expect_refused(BDF_NIC, 0x00100000, "overlaps guest RAM");
	assert_non_null(strstr(fk.last_log, "it stays at 0xfebe0000"));
	/* The device is still where the BAR says. */
	assert_int_equal(fk.nunmaps, 0);
	assert_int_equal(pci_vcfg_bar_gpa(&fns[1], 0), 0xfebe0000);
	expect_refused(BDF_NIC, KEEL_BASE + 0x1000, "overlaps Keel's image");
	expect_refused(BDF_NIC, 0xfee00000, "overlaps the LAPIC");
	expect_refused(BDF_NIC, 0xfeb00000, "overlaps a hidden device's BAR");
	/* Over the xHCI's BAR0 (still at 0xfebf0000). */
	expect_refused(BDF_NIC, 0xfebf1000, "another device's BAR");
	assert_non_null(strstr(fk.last_log, "00:03.0 BAR0 at 0xfebf1000"));
	/* A legal place is followed. */
	cfg_out(BDF_NIC, 0x10, 4, 0xe0000000);
	assert_int_equal(fk.maps[fk.nmaps - 1].gpa, 0xe0000000);
	assert_int_equal(fk.unmaps[fk.nunmaps - 1].gpa, 0xfebe0000);
	assert_int_equal(cfg_in(BDF_NIC, 0x10, 4), 0xe0000000);
}

static void test_move_beyond_gpa_width_refused(void **state)
{
	unsigned int maps = fk.nmaps;

	/* 2^48 + 0xfebf0000: one past the 48-bit width. */
	cfg_out(BDF_XHCI, 0x14, 4, 0x10000);
	assert_int_equal(fk.nmaps, maps);
	assert_non_null(strstr(fk.last_log, "guest-physical address width"));
	assert_int_equal(cfg_in(BDF_XHCI, 0x14, 4), 0);
}

static void test_refusals_are_rate_bounded(void **state)
{
	for (u32 i = 0; i < 100; i++)
		cfg_out(BDF_NIC, 0x10, 4, 0x100000 + i * 0x1000);
	assert_int_equal(vc.refusals, 100);
	assert_int_equal(fk.nlogs, PCI_VCFG_LOG_MAX + 1);
	assert_non_null(strstr(fk.last_log, "no more are logged"));
}

static void test_hidden_page_bar_never_mapped(void **state)
{
	struct pci_dev d = { .bus = 0, .dev = 5, .fn = 0 };

	d.bars[0] = (struct pci_bar){ .base = 0xfeb00800,
				      .size = 0x100,
				      .io = false,
				      .is64 = false,
				      .prefetch = false };
	fk.bdf[2] = PCI_BDF(0, 5, 0);
	put32(2, 0x04, PCI_COMMAND_MEMORY);
	assert_int_equal(pci_vcfg_add(&vc, &d, BIT(0)), 0);
	fk.nmaps = 0;
	assert_int_equal(pci_vcfg_start(&vc), 1);
	assert_int_equal(fk.nmaps, 0);
	assert_non_null(strstr(fk.last_log, "hidden device's registers"));
}

static void test_small_bar_keeps_page_offset(void **state)
{
	struct pci_dev d = { .bus = 0, .dev = 5, .fn = 0 };
	unsigned int maps;

	/* Two 256-byte BARs in one page: both map it the same way. */
	d.bars[0] = (struct pci_bar){ .base = 0xfea00100,
				      .size = 0x100,
				      .io = false,
				      .is64 = false,
				      .prefetch = false };
	d.bars[1] = (struct pci_bar){ .base = 0xfea00200,
				      .size = 0x100,
				      .io = false,
				      .is64 = false,
				      .prefetch = false };
	fk.bdf[2] = PCI_BDF(0, 5, 0);
	put32(2, 0x04, PCI_COMMAND_MEMORY);
	assert_int_equal(pci_vcfg_add(&vc, &d, 0), 0);
	assert_int_equal(pci_vcfg_start(&vc), 0);
	maps = fk.nmaps;
	/* Another offset in a page cannot be mapped: it stays. */
	expect_refused(PCI_BDF(0, 5, 0), 0xe0000000, "offset in a page");
	assert_int_equal(cfg_in(PCI_BDF(0, 5, 0), 0x10, 4), 0xfea00100);
	cfg_out(PCI_BDF(0, 5, 0), 0x10, 4, 0xe0000100);
	/* BAR1's page put back where it was, then BAR0's new page. */
	assert_int_equal(fk.nmaps, maps + 2);
	assert_int_equal(fk.maps[maps].gpa, 0xfea00000);
	assert_int_equal(fk.maps[maps + 1].gpa, 0xe0000000);
	assert_int_equal(fk.maps[maps + 1].hpa, 0xfea00000);
	assert_int_equal(fk.maps[maps + 1].size, 0x1000);
	/* Moving within the page changes the offset: refused, it stays. */
	expect_refused(PCI_BDF(0, 5, 0), 0xe0000300, "offset in a page");
	assert_non_null(strstr(fk.last_log, "BAR0 at 0xe0000300 refused"));
	assert_int_equal(cfg_in(PCI_BDF(0, 5, 0), 0x10, 4), 0xe0000100);
}

/* ---- COMMAND ---- */

static void test_command_decode_controls_mapping(void **state)
{
	u16 real;

	fk.nmaps = fk.nunmaps = 0;
	cfg_out(BDF_NIC, 0x04, 2, 0);
	assert_int_equal(fk.nunmaps, 1);
	assert_int_equal(fk.unmaps[0].gpa, 0xfebe0000);
	/* A move while decoding is off maps nothing. */
	cfg_out(BDF_NIC, 0x10, 4, 0xe0000000);
	assert_int_equal(fk.nmaps, 0);
	assert_int_equal(cfg_in(BDF_NIC, 0x04, 2), 0);
	/* Memory, bus master, INTx disable, plus bits that stay real. */
	fk.cfg[1][0x04] |= BIT(4); /* MWI, set by the firmware */
	cfg_out(BDF_NIC, 0x04, 2,
		PCI_COMMAND_MEMORY | PCI_COMMAND_MASTER |
			PCI_COMMAND_INTX_DISABLE | BIT(9) | BIT(3));
	assert_int_equal(fk.nmaps, 1);
	assert_int_equal(fk.maps[0].gpa, 0xe0000000);
	real = (u16)(get32(1, 0x04) & 0xffff);
	assert_int_equal(real, PCI_COMMAND_MEMORY | PCI_COMMAND_MASTER |
				       PCI_COMMAND_INTX_DISABLE | BIT(4));
	assert_int_equal(cfg_in(BDF_NIC, 0x04, 2),
			 PCI_COMMAND_MEMORY | PCI_COMMAND_MASTER |
				 PCI_COMMAND_INTX_DISABLE | BIT(4));
	/* A byte write to the high half leaves the decode bits alone. */
	cfg_out(BDF_NIC, 0x05, 1, 0);
	assert_int_equal(cfg_in(BDF_NIC, 0x04, 2),
			 PCI_COMMAND_MEMORY | PCI_COMMAND_MASTER | BIT(4));
	assert_int_equal(fk.nunmaps, 1);
}

static void test_command_and_status_dword(void **state)
{
	unsigned int w;

	fk.cfg[0][0x06] = 0x10;
	fk.cfg[0][0x07] = 0x80; /* detected parity error, RW1C */
	w = fk.nwrites;
	cfg_out(BDF_XHCI, 0x04, 4, 0x80000000 | PCI_COMMAND_MEMORY);
	/* STATUS went to the device by byte (the 1 clears its bit there). */
	assert_int_equal(fk.writes[w].off, 0x06);
	assert_int_equal(fk.writes[w].v, 0);
	assert_int_equal(fk.writes[w + 1].off, 0x07);
	assert_int_equal(fk.writes[w + 1].v, 0x80);
	assert_int_equal(fk.writes[w + 2].off, 0x04);
	assert_int_equal(fk.writes[w + 2].width, 2);
	/* IO decode is now off in the view. */
	assert_int_equal(cfg_in(BDF_XHCI, 0x04, 2), PCI_COMMAND_MEMORY);
}

/*
 * Fail closed (docs/iommu.md): a function denied bus mastering loses its
 * real BME at once, reads it as 0, and no write of the guest's sets it,
 * whatever the width; the rest of COMMAND still works.
 */
static void test_bus_mastering_denied(void **state)
{
	struct pci_vfn *f = pci_vcfg_find(&vc, BDF_NIC);
	u16 real;

	put32(1, 0x04, PCI_COMMAND_MEMORY | PCI_COMMAND_MASTER);
	pci_vcfg_deny_master(&vc, f);
	assert_int_equal(get32(1, 0x04) & PCI_COMMAND_MASTER, 0);
	assert_int_equal(cfg_in(BDF_NIC, 0x04, 2) & PCI_COMMAND_MASTER, 0);
	cfg_out(BDF_NIC, 0x04, 2,
		PCI_COMMAND_MEMORY | PCI_COMMAND_MASTER |
			PCI_COMMAND_INTX_DISABLE);
	cfg_out(BDF_NIC, 0x04, 1, PCI_COMMAND_MEMORY | PCI_COMMAND_MASTER);
	cfg_out(BDF_NIC, 0x04, 4, PCI_COMMAND_MEMORY | PCI_COMMAND_MASTER);
	real = (u16)get32(1, 0x04);
	assert_int_equal(real & PCI_COMMAND_MASTER, 0);
	assert_int_equal(real & PCI_COMMAND_MEMORY, PCI_COMMAND_MEMORY);
	assert_int_equal(cfg_in(BDF_NIC, 0x04, 2), PCI_COMMAND_MEMORY);
	/* The other function is not affected. */
	cfg_out(BDF_XHCI, 0x04, 2, PCI_COMMAND_MEMORY | PCI_COMMAND_MASTER);
	assert_int_equal(get32(0, 0x04) & PCI_COMMAND_MASTER,
			 PCI_COMMAND_MASTER);
	assert_int_equal(cfg_in(BDF_XHCI, 0x04, 2) & PCI_COMMAND_MASTER,
			 PCI_COMMAND_MASTER);
}

/* ---- functions Keel emulates whole ---- */

static u32 emul_last_write;
static u8 emul_last_off;

static u32 emul_read(void *ctx, u8 off, unsigned int n)
{
	return 0x10421af4U >> (8 * (off & 3));
}

static void emul_write(void *ctx, u8 off, unsigned int n, u32 val)
{
	emul_last_off = off;
	emul_last_write = val;
}

static const struct pci_vfn_emul emul = { emul_read, emul_write, NULL };

static void test_emulated_function(void **state)
{
	u16 bdf = PCI_BDF(0, 7, 0);
	unsigned int writes = fk.nwrites;

	assert_int_equal(pci_vcfg_add_emul(&vc, bdf, &emul), 0);
	assert_int_equal(pci_vcfg_add_emul(&vc, bdf, &emul), -EEXIST);
	assert_int_equal(pci_vcfg_add_emul(&vc, BDF_XHCI, &emul), -EEXIST);
	assert_int_equal(cfg_in(bdf, 0x00, 4), 0x10421af4);
	assert_int_equal(cfg_in(bdf, 0x02, 2), 0x1042);
	cfg_out(bdf, 0x10, 4, 0xffffffff);
	assert_int_equal(emul_last_off, 0x10);
	assert_int_equal(emul_last_write, 0xffffffff);
	/* No real configuration write and no EPT change for it. */
	assert_int_equal(fk.nwrites, writes);
	assert_int_equal(pci_vcfg_start(&vc), 0);
	assert_int_equal(fk.nmaps, 2);
}

/*
 * The emulated range moves first, then a BAR is moved over it: refused,
 * wherever the range is now (not where it was at start-up), and said once
 * however often the guest turns decoding back on there.
 */
static void test_bar_refused_over_moved_emulated_range(void **state)
{
	unsigned int logs, maps;

	fk.emu_base = 0xd0000000;
	fk.emu_size = 0x4000;
	assert_null(emu_move(0xe0000000));
	expect_refused(BDF_NIC, 0xe0002000, "overlaps an emulated device");
	assert_non_null(strstr(fk.last_log, "00:03.0 BAR0 at 0xe0002000"));
	/* Decode off, the same move, decode on: refused, not said again. */
	logs = fk.nlogs;
	for (int i = 0; i < 3; i++) {
		cfg_out(BDF_NIC, 0x04, 2, 0);
		cfg_out(BDF_NIC, 0x10, 4, 0xe0002000);
		cfg_out(BDF_NIC, 0x04, 2, PCI_COMMAND_MEMORY);
		assert_int_equal(cfg_in(BDF_NIC, 0x10, 4), 0xfebe0000);
	}
	assert_int_equal(fk.nlogs, logs);
	for (unsigned int i = 0; i < fk.nmaps; i++)
		assert_false(fk.maps[i].gpa < 0xe0004000 &&
			     fk.maps[i].gpa + fk.maps[i].size > 0xe0000000);
	/* Its old place is free now. */
	cfg_out(BDF_NIC, 0x10, 4, 0xd0000000);
	assert_int_equal(fk.maps[fk.nmaps - 1].gpa, 0xd0000000);
	/* A BAR whose decoding was off when the range came: refused on. */
	cfg_out(BDF_NIC, 0x04, 2, 0);
	assert_null(emu_move(0xd0000000));
	maps = fk.nmaps;
	cfg_out(BDF_NIC, 0x04, 2, PCI_COMMAND_MEMORY);
	assert_int_equal(fk.nmaps, maps);
	assert_non_null(strstr(fk.last_log, "overlaps an emulated device"));
	assert_non_null(strstr(fk.last_log, "not mapped"));
}

/*
 * A BAR is mapped first, then the emulated range wants its place: refused
 * while the BAR is mapped there, free once it moved away.
 */
static void test_emulated_range_refused_over_mapped_bar(void **state)
{
	fk.emu_base = 0xd0000000;
	fk.emu_size = 0x4000;
	assert_non_null(emu_move(0xfebe0000));
	assert_non_null(strstr(emu_move(0xfebdf000), "BAR is mapped"));
	assert_int_equal(fk.emu_base, 0xd0000000);
	/* The other BAR (xHCI, 0xfebf0000+0x2000), and fixed places. */
	assert_non_null(emu_move(0xfebf1000));
	assert_non_null(strstr(emu_move(0x100000), "overlaps guest RAM"));
	assert_non_null(strstr(emu_move(0xfee00000), "the LAPIC"));
	assert_int_equal(fk.emu_base, 0xd0000000);
	/* The NIC moves away: its old place is free, its new one is not. */
	cfg_out(BDF_NIC, 0x10, 4, 0xe0000000);
	assert_null(emu_move(0xfebe0000));
	assert_int_equal(fk.emu_base, 0xfebe0000);
	assert_non_null(emu_move(0xdfffe000));
	/* Decoding off unmaps it: then the range may go there. */
	cfg_out(BDF_NIC, 0x04, 2, 0);
	assert_null(emu_move(0xe0000000));
}

#define T(f) cmocka_unit_test_setup(f, setup)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_start_maps_bars_where_firmware_put_them),
		T(test_emulated_function),
		T(test_size_64bit_bar),
		T(test_size_32bit_and_io_bars),
		T(test_size_bar_above_4g),
		T(test_size_follows_real_decoder),
		T(test_move_follows_in_ept),
		T(test_moves_are_bounded),
		T(test_move_64bit_above_4g),
		T(test_move_onto_forbidden_is_refused),
		T(test_bar_refused_over_moved_emulated_range),
		T(test_emulated_range_refused_over_mapped_bar),
		T(test_move_beyond_gpa_width_refused),
		T(test_refusals_are_rate_bounded),
		T(test_hidden_page_bar_never_mapped),
		T(test_small_bar_keeps_page_offset),
		T(test_command_decode_controls_mapping),
		T(test_command_and_status_dword),
		T(test_bus_mastering_denied),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
