// SPDX-License-Identifier: MIT
/*
 * Host tests of the guest's virtual PCI configuration space
 * (vdev/pci_vcfg.c) against a fake real space that records every write,
 * and a fake EPT that records every map and unmap.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <string.h>

#include "vdev/pci_vcfg.h"

#define NFAKE 4
#define MAXLOG 64

struct call {
	u64 gpa, hpa, size;
};

struct fake {
	u16 bdf[NFAKE];
	u8 cfg[NFAKE][256];
	unsigned int nwrites;
	struct {
		u16 bdf;
		u8 off;
		int width;
		u32 v;
	} writes[MAXLOG];
	unsigned int nmaps, nunmaps, nlogs;
	struct call maps[MAXLOG], unmaps[MAXLOG];
	char last_log[PCI_VCFG_LINE];
};

static struct fake fk;
static struct pci_vcfg vc;
static struct pci_vfn fns[NFAKE];

static int slot(u16 bdf)
{
	for (int i = 0; i < NFAKE; i++)
		if (fk.bdf[i] == bdf)
			return i;
	return -1;
}

static u32 f_read(void *ctx, u16 bdf, u8 off, int width)
{
	int s = slot(bdf);
	u32 v = 0;

	assert_true(s >= 0);
	assert_int_equal(off % width, 0);
	for (int i = 0; i < width; i++)
		v |= (u32)fk.cfg[s][off + i] << (8 * i);
	return v;
}

static void f_write(void *ctx, u16 bdf, u8 off, int width, u32 v)
{
	int s = slot(bdf);

	assert_true(s >= 0);
	assert_int_equal(off % width, 0);
	if (fk.nwrites < MAXLOG) {
		fk.writes[fk.nwrites].bdf = bdf;
		fk.writes[fk.nwrites].off = off;
		fk.writes[fk.nwrites].width = width;
		fk.writes[fk.nwrites].v = v;
	}
	fk.nwrites++;
	for (int i = 0; i < width; i++)
		fk.cfg[s][off + i] = (u8)(v >> (8 * i));
}

static int f_map(void *ctx, u64 gpa, u64 hpa, u64 size)
{
	assert_true(fk.nmaps < MAXLOG);
	fk.maps[fk.nmaps++] = (struct call){ gpa, hpa, size };
	return 0;
}

static int f_unmap(void *ctx, u64 gpa, u64 size)
{
	assert_true(fk.nunmaps < MAXLOG);
	fk.unmaps[fk.nunmaps++] = (struct call){ gpa, 0, size };
	return 0;
}

static void f_log(void *ctx, const char *line)
{
	fk.nlogs++;
	strncpy(fk.last_log, line, sizeof(fk.last_log) - 1);
}

static const struct pci_vcfg_ops ops = {
	.read = f_read,
	.write = f_write,
	.map = f_map,
	.unmap = f_unmap,
	.log = f_log,
};

static void put32(int s, u8 off, u32 v)
{
	for (int i = 0; i < 4; i++)
		fk.cfg[s][off + i] = (u8)(v >> (8 * i));
}

static u32 get32(int s, u8 off)
{
	u32 v = 0;

	for (int i = 0; i < 4; i++)
		v |= (u32)fk.cfg[s][off + i] << (8 * i);
	return v;
}

#define BDF_XHCI PCI_BDF(0, 2, 0)
#define BDF_NIC PCI_BDF(0, 3, 0)
#define BDF_BRIDGE PCI_BDF(0, 4, 0)
#define RAM_END 0x8000000ULL
#define KEEL_BASE 0x10000000ULL

/*
 * Function 00:02.0: BAR0 64-bit at 0xfebf0000+0x2000 (xHCI-like), BAR2
 * I/O 0xc000+0x20, MEM|IO decode on, an MSI (64-bit, per-vector mask)
 * -> PM -> MSI-X capability chain. 00:03.0: BAR0 32-bit 0xfebe0000+0x1000.
 */
static struct pci_dev mk_xhci(void)
{
	struct pci_dev d = { .bus = 0, .dev = 2, .fn = 0 };

	d.bars[0] = (struct pci_bar){ .base = 0xfebf0000,
				      .size = 0x2000,
				      .io = false,
				      .is64 = true,
				      .prefetch = false };
	d.bars[2] = (struct pci_bar){ .base = 0xc000,
				      .size = 0x20,
				      .io = true,
				      .is64 = false,
				      .prefetch = false };
	fk.bdf[0] = BDF_XHCI;
	put32(0, 0x00, 0x00151912);
	put32(0, 0x04, 0x00100000 | PCI_COMMAND_IO | PCI_COMMAND_MEMORY);
	put32(0, 0x08, 0x0c033000);
	put32(0, 0x10, 0xfebf0004);
	put32(0, 0x14, 0);
	put32(0, 0x18, 0xc001);
	put32(0, 0x30, 0xfff00000); /* a ROM the firmware left placed */
	fk.cfg[0][0x34] = 0x50;
	fk.cfg[0][0x3c] = 11;
	fk.cfg[0][0x3d] = 1;
	/* MSI: 64-bit + per-vector masking -> 0x18 bytes. */
	put32(0, 0x50, 0x01807005);
	put32(0, 0x70, 0x00039001); /* PM, next 0x90 */
	put32(0, 0x90, 0x00070011); /* MSI-X, next 0 */
	put32(0, 0x94, 0x00003000); /* table in BAR0 */
	return d;
}

static struct pci_dev mk_nic(void)
{
	struct pci_dev d = { .bus = 0, .dev = 3, .fn = 0 };

	d.bars[0] = (struct pci_bar){ .base = 0xfebe0000,
				      .size = 0x1000,
				      .io = false,
				      .is64 = false,
				      .prefetch = false };
	fk.bdf[1] = BDF_NIC;
	put32(1, 0x00, 0x100e8086);
	put32(1, 0x04, PCI_COMMAND_MEMORY);
	put32(1, 0x10, 0xfebe0000);
	return d;
}

static int setup(void **state)
{
	struct pci_dev x, n;

	memset(&fk, 0, sizeof(fk));
	memset(fk.bdf, 0xff, sizeof(fk.bdf));
	pci_vcfg_init(&vc, &ops, fns, NFAKE);
	assert_int_equal(pci_vcfg_forbid(&vc, 0, RAM_END, "overlaps guest RAM"),
			 0);
	assert_int_equal(pci_vcfg_forbid(&vc, KEEL_BASE, 0x200000,
					 "overlaps Keel's image"),
			 0);
	assert_int_equal(pci_vcfg_forbid(&vc, 0xfee00000, 0x1000,
					 "overlaps the LAPIC"),
			 0);
	assert_int_equal(pci_vcfg_forbid(&vc, 0xfeb00000, 0x1000,
					 "overlaps a hidden device's BAR"),
			 0);
	x = mk_xhci();
	n = mk_nic();
	assert_int_equal(pci_vcfg_add(&vc, &x, 0), 0);
	assert_int_equal(pci_vcfg_add(&vc, &n, 0), 0);
	assert_int_equal(pci_vcfg_start(&vc), 0);
	return 0;
}

/* Guest-style accesses through the ports. */
static void set_addr(u16 bdf, u8 reg)
{
	u32 a = PCI_CONF_ENABLE | (u32)bdf << 8 | reg;

	assert_int_equal(pci_vcfg_pio(&vc, PCI_VCFG_ADDR_PORT, 4, false, &a),
			 PCI_VCFG_OK);
}

static u32 cfg_in(u16 bdf, u8 reg, unsigned int size)
{
	u32 v = 0xdeadbeef;

	set_addr(bdf, reg & ~3);
	assert_int_equal(pci_vcfg_pio(&vc, PCI_VCFG_DATA_PORT + (reg & 3), size,
				      true, &v),
			 PCI_VCFG_OK);
	return v;
}

static void cfg_out(u16 bdf, u8 reg, unsigned int size, u32 v)
{
	set_addr(bdf, reg & ~3);
	assert_int_equal(pci_vcfg_pio(&vc, PCI_VCFG_DATA_PORT + (reg & 3), size,
				      false, &v),
			 PCI_VCFG_OK);
}

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

static void expect_refused(u16 bdf, u32 base, const char *why)
{
	unsigned int maps = fk.nmaps, logs = fk.nlogs;

	cfg_out(bdf, 0x10, 4, base);
	assert_int_equal(fk.nmaps, maps);
	assert_int_equal(fk.nlogs, logs + 1);
	assert_non_null(strstr(fk.last_log, why));
	/* Reads back as written: the guest's view is kept, unmapped. */
	assert_int_equal(cfg_in(bdf, 0x10, 4) & ~0xfU, base);
}

static void test_move_onto_forbidden_is_refused(void **state)
{
	expect_refused(BDF_NIC, 0x00100000, "overlaps guest RAM");
	/* The old mapping went away with the move. */
	assert_int_equal(fk.nunmaps, 1);
	assert_int_equal(fk.unmaps[0].gpa, 0xfebe0000);
	expect_refused(BDF_NIC, KEEL_BASE + 0x1000, "overlaps Keel's image");
	expect_refused(BDF_NIC, 0xfee00000, "overlaps the LAPIC");
	expect_refused(BDF_NIC, 0xfeb00000, "overlaps a hidden device's BAR");
	/* Over the xHCI's BAR0 (still at 0xfebf0000). */
	expect_refused(BDF_NIC, 0xfebf1000, "another device's BAR");
	assert_non_null(strstr(fk.last_log, "00:03.0 BAR0 at 0xfebf1000"));
	/* A legal place maps again. */
	cfg_out(BDF_NIC, 0x10, 4, 0xe0000000);
	assert_int_equal(fk.maps[fk.nmaps - 1].gpa, 0xe0000000);
}

static void test_move_beyond_gpa_width_refused(void **state)
{
	unsigned int maps = fk.nmaps;

	cfg_out(BDF_XHCI, 0x14, 4, 0xffffffff);
	assert_int_equal(fk.nmaps, maps);
	assert_non_null(strstr(fk.last_log, "guest-physical address width"));
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
	/* Another offset in a page cannot be mapped. */
	cfg_out(PCI_BDF(0, 5, 0), 0x10, 4, 0xe0000000);
	assert_int_equal(fk.nmaps, maps + 1); /* BAR1's page put back */
	assert_int_equal(fk.maps[fk.nmaps - 1].gpa, 0xfea00000);
	assert_non_null(strstr(fk.last_log, "offset in a page"));
	cfg_out(PCI_BDF(0, 5, 0), 0x10, 4, 0xe0000100);
	assert_int_equal(fk.maps[fk.nmaps - 1].gpa, 0xe0000000);
	assert_int_equal(fk.maps[fk.nmaps - 1].hpa, 0xfea00000);
	assert_int_equal(fk.maps[fk.nmaps - 1].size, 0x1000);
	/* Moving within the page changes the offset: refused, unmapped. */
	maps = fk.nunmaps;
	cfg_out(PCI_BDF(0, 5, 0), 0x10, 4, 0xe0000300);
	assert_int_equal(fk.nunmaps, maps + 1);
	assert_int_equal(fk.unmaps[fk.nunmaps - 1].gpa, 0xe0000000);
	assert_non_null(strstr(fk.last_log, "BAR0 at 0xe0000300 refused"));
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

/* ---- ROM, capabilities, read-only header ---- */

static void test_rom_bar_reads_zero_writes_dropped(void **state)
{
	unsigned int w = fk.nwrites;

	assert_int_equal(cfg_in(BDF_XHCI, 0x30, 4), 0);
	cfg_out(BDF_XHCI, 0x30, 4, 0xfffff801);
	assert_int_equal(cfg_in(BDF_XHCI, 0x30, 4), 0);
	cfg_out(BDF_XHCI, 0x31, 1, 0xff);
	assert_int_equal(fk.nwrites, w);
	assert_int_equal(get32(0, 0x30), 0xfff00000);
}

static void test_capability_allow_list(void **state)
{
	unsigned int w = fk.nwrites;

	/* Reads pass, the whole chain. */
	assert_int_equal(cfg_in(BDF_XHCI, 0x34, 1), 0x50);
	assert_int_equal(cfg_in(BDF_XHCI, 0x70, 4), 0x00039001);
	/* MSI: control, address (one dword write), data, mask pass. */
	cfg_out(BDF_XHCI, 0x52, 2, 0x0181);
	cfg_out(BDF_XHCI, 0x54, 4, 0xfee00000);
	cfg_out(BDF_XHCI, 0x5c, 2, 0x4041);
	cfg_out(BDF_XHCI, 0x64, 4, 1);
	assert_int_equal(fk.nwrites, w + 4);
	assert_int_equal(fk.writes[w + 1].width, 4);
	assert_int_equal(get32(0, 0x54), 0xfee00000);
	assert_int_equal(get32(0, 0x64), 1);
	/* Cap ID / next pointer, PM control, MSI-X table offset, others: no. */
	cfg_out(BDF_XHCI, 0x50, 2, 0);
	cfg_out(BDF_XHCI, 0x74, 2, 3); /* D3hot */
	cfg_out(BDF_XHCI, 0x94, 4, 0);
	cfg_out(BDF_XHCI, 0xc0, 4, 0x12345678);
	cfg_out(BDF_XHCI, 0x68, 4, 0xffffffff); /* past the MSI capability */
	assert_int_equal(fk.nwrites, w + 4);
	/* MSI-X message control passes. */
	cfg_out(BDF_XHCI, 0x92, 2, 0xc000);
	assert_int_equal(fk.nwrites, w + 5);
	assert_int_equal(fk.cfg[0][0x93], 0xc0);
	/* ID, class, header type, BIST: read-only. */
	cfg_out(BDF_XHCI, 0x00, 4, 0);
	cfg_out(BDF_XHCI, 0x08, 4, 0);
	cfg_out(BDF_XHCI, 0x0e, 2, 0xffff);
	assert_int_equal(fk.nwrites, w + 5);
	/* Interrupt line and cache line size pass. */
	cfg_out(BDF_XHCI, 0x3c, 1, 5);
	cfg_out(BDF_XHCI, 0x0c, 1, 0x10);
	assert_int_equal(fk.cfg[0][0x3c], 5);
	assert_int_equal(fk.cfg[0][0x0c], 0x10);
}

static void test_capability_loop_is_bounded(void **state)
{
	struct pci_dev d = { .bus = 0, .dev = 5, .fn = 0 };

	fk.bdf[2] = PCI_BDF(0, 5, 0);
	put32(2, 0x04, 0x00100000);
	fk.cfg[2][0x34] = 0x40;
	put32(2, 0x40, 0x00004001); /* PM pointing at itself */
	assert_int_equal(pci_vcfg_add(&vc, &d, 0), 0);
	assert_int_equal(fns[2].msi_off, 0);
	assert_int_equal(fns[2].msix_off, 0);
}

/* ---- bridges ---- */

static void test_bridge_routing_shadowed(void **state)
{
	struct pci_dev d = { .bus = 0, .dev = 4, .fn = 0 };
	unsigned int w;

	d.header_type = PCI_HEADER_TYPE_BRIDGE;
	d.bars[0] = (struct pci_bar){ .base = 0xfe900000,
				      .size = 0x1000,
				      .io = false,
				      .is64 = false,
				      .prefetch = false };
	fk.bdf[2] = BDF_BRIDGE;
	put32(2, 0x04, 0);
	put32(2, 0x10, 0xfe900000);
	put32(2, 0x18, 0x00010100); /* primary 0, secondary 1, sub 1 */
	put32(2, 0x1c, 0x0000f0f0);
	put32(2, 0x20, 0xfe80fe00);
	put32(2, 0x38, 0);
	put32(2, 0x3c, 0x0003010a);
	assert_int_equal(pci_vcfg_add(&vc, &d, 0), 0);
	w = fk.nwrites;
	assert_int_equal(cfg_in(BDF_BRIDGE, 0x18, 4), 0x00010100);
	cfg_out(BDF_BRIDGE, 0x18, 4, 0x00050500);
	cfg_out(BDF_BRIDGE, 0x20, 4, 0xfeeffee0); /* memory window over LAPIC */
	cfg_out(BDF_BRIDGE, 0x30, 4, 0xffffffff);
	cfg_out(BDF_BRIDGE, 0x3e, 2, 0x0040); /* secondary bus reset */
	cfg_out(BDF_BRIDGE, 0x38, 4, 0xffffffff); /* type 1 ROM BAR */
	assert_int_equal(fk.nwrites, w);
	assert_int_equal(cfg_in(BDF_BRIDGE, 0x18, 4), 0x00050500);
	assert_int_equal(cfg_in(BDF_BRIDGE, 0x20, 4), 0xfeeffee0);
	assert_int_equal(cfg_in(BDF_BRIDGE, 0x3e, 2), 0x0040);
	assert_int_equal(cfg_in(BDF_BRIDGE, 0x38, 4), 0);
	assert_int_equal(get32(2, 0x18), 0x00010100);
	assert_int_equal(get32(2, 0x20), 0xfe80fe00);
	assert_int_equal(get32(2, 0x3c), 0x0003010a);
	/* Type 1 has two BARs; 0x10 sizes like any other. */
	cfg_out(BDF_BRIDGE, 0x10, 4, 0xffffffff);
	assert_int_equal(cfg_in(BDF_BRIDGE, 0x10, 4), 0xfffff000);
	assert_int_equal(get32(2, 0x10), 0xfe900000);
}

/* ---- ports 0xCF8-0xCFF ---- */

static void test_data_port_every_width(void **state)
{
	u32 v;

	/* Reads: byte at each port, words at 0xCFC/0xCFD/0xCFE, dword. */
	assert_int_equal(cfg_in(BDF_XHCI, 0x00, 1), 0x12);
	assert_int_equal(cfg_in(BDF_XHCI, 0x01, 1), 0x19);
	assert_int_equal(cfg_in(BDF_XHCI, 0x02, 1), 0x15);
	assert_int_equal(cfg_in(BDF_XHCI, 0x03, 1), 0x00);
	assert_int_equal(cfg_in(BDF_XHCI, 0x00, 2), 0x1912);
	assert_int_equal(cfg_in(BDF_XHCI, 0x01, 2), 0x1519);
	assert_int_equal(cfg_in(BDF_XHCI, 0x02, 2), 0x0015);
	/* 3 bytes at 0xCFD (a dword at 0xCFD straddles 0xD00: not here). */
	set_addr(BDF_XHCI, 0x08);
	v = 0;
	assert_int_equal(pci_vcfg_pio(&vc, 0xcfd, 3, true, &v), 0);
	assert_int_equal(v, 0x0c0330);
	/* Writes: byte at 0xCFD is the latency timer (offset 0x0d). */
	cfg_out(BDF_XHCI, 0x0d, 1, 0x40);
	assert_int_equal(fk.cfg[0][0x0d], 0x40);
	assert_int_equal(fk.writes[fk.nwrites - 1].width, 1);
	/* Word at 0xCFE of dword 0x0c: header type and BIST, dropped. */
	v = fk.nwrites;
	cfg_out(BDF_XHCI, 0x0e, 2, 0xffff);
	assert_int_equal(fk.nwrites, v);
	/* Word at 0xCFC to a BAR's high half moves only that half. */
	cfg_out(BDF_NIC, 0x12, 2, 0xe000);
	assert_int_equal(cfg_in(BDF_NIC, 0x10, 4), 0xe0000000);
	cfg_out(BDF_NIC, 0x13, 1, 0xd0);
	assert_int_equal(cfg_in(BDF_NIC, 0x10, 4), 0xd0000000);
}

static void test_absent_and_disabled_read_ones(void **state)
{
	u32 v = 0, a = (u32)BDF_NIC << 8; /* enable bit clear */

	/* A function the guest was not given. */
	assert_int_equal(cfg_in(PCI_BDF(0, 9, 0), 0, 4), 0xffffffff);
	assert_int_equal(cfg_in(PCI_BDF(0, 9, 0), 2, 2), 0xffff);
	assert_int_equal(cfg_in(PCI_BDF(0, 9, 0), 3, 1), 0xff);
	cfg_out(PCI_BDF(0, 9, 0), 0x04, 4, 0xffffffff);
	/* CONFIG_ADDRESS without the enable bit: data ports are plain I/O. */
	pci_vcfg_pio(&vc, PCI_VCFG_ADDR_PORT, 4, false, &a);
	assert_int_equal(pci_vcfg_pio(&vc, 0xcfc, 4, true, &v), 0);
	assert_int_equal(v, 0xffffffff);
	v = 0;
	assert_int_equal(pci_vcfg_pio(&vc, 0xcfc, 4, false, &v), 0);
	assert_int_equal(get32(1, 0x00), 0x100e8086);
	assert_int_equal(cfg_in(BDF_NIC, 0x04, 2), PCI_COMMAND_MEMORY);
}

static void test_address_port_dword_only(void **state)
{
	u32 v = 0x80001234, r = 0;

	assert_int_equal(pci_vcfg_pio(&vc, 0xcf8, 4, false, &v), 0);
	assert_int_equal(pci_vcfg_pio(&vc, 0xcf8, 4, true, &r), 0);
	assert_int_equal(r, 0x80001234);
	/* Byte and word writes at 0xCF8-0xCFB do not reach it. */
	v = 0x0000;
	assert_int_equal(pci_vcfg_pio(&vc, 0xcf8, 2, false, &v), 0);
	v = 0;
	assert_int_equal(pci_vcfg_pio(&vc, 0xcfa, 2, false, &v), 0);
	assert_int_equal(pci_vcfg_pio(&vc, 0xcf8, 1, false, &v), 0);
	assert_int_equal(pci_vcfg_pio(&vc, 0xcfb, 1, false, &v), 0);
	assert_int_equal(pci_vcfg_pio(&vc, 0xcf8, 4, true, &r), 0);
	assert_int_equal(r, 0x80001234);
	/* Their reads are all ones, except 0xCF9 (its shadow, 0). */
	assert_int_equal(pci_vcfg_pio(&vc, 0xcf8, 2, true, &r), 0);
	assert_int_equal(r, 0x00ff);
	assert_int_equal(pci_vcfg_pio(&vc, 0xcfa, 2, true, &r), 0);
	assert_int_equal(r, 0xffff);
	assert_int_equal(pci_vcfg_pio(&vc, 0xcfb, 1, true, &r), 0);
	assert_int_equal(r, 0xff);
}

static void test_reset_control_any_width(void **state)
{
	u32 v = RST_CNT_SYS_RST, r;

	assert_int_equal(pci_vcfg_pio(&vc, 0xcf9, 1, false, &v), PCI_VCFG_OK);
	assert_int_equal(pci_vcfg_pio(&vc, 0xcf9, 1, true, &r), 0);
	assert_int_equal(r, RST_CNT_SYS_RST);
	v = RST_CNT_SYS_RST | RST_CNT_RST_CPU;
	assert_int_equal(pci_vcfg_pio(&vc, 0xcf9, 1, false, &v),
			 PCI_VCFG_RESET);
	/* A word at 0xCF8 and a dword at 0xCF9 cover 0xCF9 too. */
	v = RST_CNT_RST_CPU << 8;
	assert_int_equal(pci_vcfg_pio(&vc, 0xcf8, 2, false, &v),
			 PCI_VCFG_RESET);
	v = 0x06;
	assert_int_equal(pci_vcfg_pio(&vc, 0xcf9, 2, false, &v),
			 PCI_VCFG_RESET);
	v = 0x06;
	assert_int_equal(pci_vcfg_pio(&vc, 0xcf9, 4, false, &v),
			 PCI_VCFG_RESET);
	v = 0x00ff0000; /* word at 0xCFA: not 0xCF9 */
	assert_int_equal(pci_vcfg_pio(&vc, 0xcfa, 2, false, &v), PCI_VCFG_OK);
}

static void test_straddling_low_and_data_ports(void **state)
{
	u32 v;

	/* A word at 0xCFB: 0xCFB is plain I/O, 0xCFC config offset +0. */
	set_addr(BDF_XHCI, 0x3c);
	v = 0x0700;
	assert_int_equal(pci_vcfg_pio(&vc, 0xcfb, 2, false, &v), 0);
	assert_int_equal(fk.cfg[0][0x3c], 7);
	assert_int_equal(pci_vcfg_pio(&vc, 0xcfb, 2, true, &v), 0);
	assert_int_equal(v, 0x07ff);
	/* A dword at 0xCF9: 0xCF9-0xCFB low bytes, 0xCFC config. */
	v = 0;
	assert_int_equal(pci_vcfg_pio(&vc, 0xcf9, 4, true, &v), 0);
	assert_int_equal(v, 0x07ffff00);
	/* The address register is untouched by all of it. */
	assert_int_equal(pci_vcfg_pio(&vc, 0xcf8, 4, true, &v), 0);
	assert_int_equal(v, PCI_CONF_ENABLE | (u32)BDF_XHCI << 8 | 0x3c);
}

#define T(f) cmocka_unit_test_setup(f, setup)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_start_maps_bars_where_firmware_put_them),
		T(test_size_64bit_bar),
		T(test_size_32bit_and_io_bars),
		T(test_size_bar_above_4g),
		T(test_size_follows_real_decoder),
		T(test_move_follows_in_ept),
		T(test_move_64bit_above_4g),
		T(test_move_onto_forbidden_is_refused),
		T(test_move_beyond_gpa_width_refused),
		T(test_refusals_are_rate_bounded),
		T(test_hidden_page_bar_never_mapped),
		T(test_small_bar_keeps_page_offset),
		T(test_command_decode_controls_mapping),
		T(test_command_and_status_dword),
		T(test_rom_bar_reads_zero_writes_dropped),
		T(test_capability_allow_list),
		T(test_capability_loop_is_bounded),
		T(test_bridge_routing_shadowed),
		T(test_data_port_every_width),
		T(test_absent_and_disabled_read_ones),
		T(test_address_port_dword_only),
		T(test_reset_control_any_width),
		T(test_straddling_low_and_data_ports),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
