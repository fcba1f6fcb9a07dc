/* SPDX-License-Identifier: MIT */
/*
 * Shared fixture of the virtual configuration space host tests
 * (test_pci_vcfg.c and test_pci_vcfg_space.c): a fake real configuration
 * space that records every write, a fake EPT that records every map and
 * unmap, two functions and the guest's port accesses. Included once per
 * test program.
 */
#ifndef KEEL_TESTS_PCI_VCFG_FAKE_H
#define KEEL_TESTS_PCI_VCFG_FAKE_H

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
	u64 emu_base, emu_size; /* an emulated range (virtio-blk's BAR) */
	unsigned int map_fail; /* the next this many maps fail */
};

static struct fake fk;
static struct pci_vcfg vc;
static struct pci_vfn fns[NFAKE];

static inline int slot(u16 bdf)
{
	for (int i = 0; i < NFAKE; i++)
		if (fk.bdf[i] == bdf)
			return i;
	return -1;
}

static inline u32 f_read(void *ctx, u16 bdf, u8 off, int width)
{
	int s = slot(bdf);
	u32 v = 0;

	assert_true(s >= 0);
	assert_int_equal(off % width, 0);
	for (int i = 0; i < width; i++)
		v |= (u32)fk.cfg[s][off + i] << (8 * i);
	return v;
}

static inline void f_write(void *ctx, u16 bdf, u8 off, int width, u32 v)
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

static inline int f_map(void *ctx, u64 gpa, u64 hpa, u64 size)
{
	if (fk.map_fail) {
		fk.map_fail--;
		return -ENOMEM;
	}
	assert_true(fk.nmaps < MAXLOG);
	fk.maps[fk.nmaps++] = (struct call){ gpa, hpa, size };
	return 0;
}

static inline int f_unmap(void *ctx, u64 gpa, u64 size)
{
	assert_true(fk.nunmaps < MAXLOG);
	fk.unmaps[fk.nunmaps++] = (struct call){ gpa, 0, size };
	return 0;
}

static inline void f_log(void *ctx, const char *line)
{
	fk.nlogs++;
	strncpy(fk.last_log, line, sizeof(fk.last_log) - 1);
}

/* Where the emulated range is now; size 0: none. */
static inline const char *f_emulated(void *ctx, u64 gpa, u64 size)
{
	return fk.emu_size && gpa < fk.emu_base + fk.emu_size &&
			       fk.emu_base < gpa + size ?
		       "overlaps an emulated device" :
		       NULL;
}

/*
 * The emulated device's own move (vdev/virtio_dev.c): only where no BAR
 * is mapped now. Returns the reason it stays, or NULL when it moved.
 */
static inline const char *emu_move(u64 to)
{
	const char *why = pci_vcfg_place_taken(&vc, to, fk.emu_size);

	if (!why)
		fk.emu_base = to;
	return why;
}

static const struct pci_vcfg_ops ops = {
	.read = f_read,
	.write = f_write,
	.map = f_map,
	.unmap = f_unmap,
	.log = f_log,
	.emulated = f_emulated,
};

static inline void put32(int s, u8 off, u32 v)
{
	for (int i = 0; i < 4; i++)
		fk.cfg[s][off + i] = (u8)(v >> (8 * i));
}

static inline u32 get32(int s, u8 off)
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
static inline struct pci_dev mk_xhci(void)
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

static inline struct pci_dev mk_nic(void)
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

static inline int setup(void **state)
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
static inline void set_addr(u16 bdf, u8 reg)
{
	u32 a = PCI_CONF1_ENABLE | (u32)bdf << 8 | reg;

	assert_int_equal(pci_vcfg_pio(&vc, PCI_CONF1_ADDR, 4, false, &a),
			 PCI_VCFG_OK);
}

static inline u32 cfg_in(u16 bdf, u8 reg, unsigned int size)
{
	u32 v = 0xdeadbeef;

	set_addr(bdf, reg & ~3);
	assert_int_equal(pci_vcfg_pio(&vc, PCI_CONF1_DATA + (reg & 3), size,
				      true, &v),
			 PCI_VCFG_OK);
	return v;
}

static inline void cfg_out(u16 bdf, u8 reg, unsigned int size, u32 v)
{
	set_addr(bdf, reg & ~3);
	assert_int_equal(pci_vcfg_pio(&vc, PCI_CONF1_DATA + (reg & 3), size,
				      false, &v),
			 PCI_VCFG_OK);
}

#endif
