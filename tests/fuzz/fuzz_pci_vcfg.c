// SPDX-License-Identifier: MIT
/*
 * libFuzzer target for the guest's virtual PCI configuration space
 * (vdev/pci_vcfg.c, vdev/pci_vbar.c): every byte a guest can send
 * through ports 0xCF8-0xCFF, against the two-function fixture of the
 * host tests (tests/host/pci_vcfg_fake.h: a 64-bit BAR with MSI and
 * MSI-X, an I/O BAR, a 32-bit BAR).
 *
 * The input is a sequence of accesses, 6 bytes each: port offset and
 * direction, size, and a 32-bit value. Besides ASan and UBSan it checks
 * what the guest must never get: a mapping that overlaps a forbidden
 * range (guest RAM, Keel's image, the LAPIC, a hidden device's BAR), a
 * mapping of a host address other than the BAR's own, an unaligned or
 * misplaced write to the real configuration space, and an unmap of
 * something never mapped. An emulated range (virtio-blk's 16 KiB BAR)
 * moves too, on ops whose first byte has bits 3-5 set, as
 * vdev/virtio_dev.c moves it: no mapping ever overlaps it, whichever of
 * the two moved second. After every access, what the guest reads agrees
 * with the EPT: a mapped BAR is mapped at its place, and with decoding
 * on its registers read that place or its size mask (a probe).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define assert_true(x)           \
	do {                     \
		if (!(x))        \
			abort(); \
	} while (0)
#define assert_int_equal(a, b) assert_true((a) == (b))

#include "../host/pci_vcfg_fake.h"

#define OP_BYTES 6
#define MAX_MAPS 64

static const struct {
	u64 base, size;
} forbidden[] = {
	{ 0, RAM_END },
	{ KEEL_BASE, 0x200000 },
	{ 0xfee00000, 0x1000 },
	{ 0xfeb00000, 0x1000 },
};

/* What is mapped now: gpa -> hpa, as the EPT would hold it. */
static struct call live[MAX_MAPS];
static unsigned int n_live;

static bool overlaps(u64 a, u64 alen, u64 b, u64 blen)
{
	return a < b + blen && b < a + alen;
}

/* The host addresses the fixture's BARs decode (mk_xhci, mk_nic). */
static bool hpa_is_a_bar(u64 hpa, u64 size)
{
	return (hpa >= 0xfebf0000 && hpa + size <= 0xfebf2000) ||
	       (hpa >= 0xfebe0000 && hpa + size <= 0xfebe1000);
}

#define EMU_SIZE 0x4000
#define EMU_START 0xd0000000

/* No BAR mapping overlaps the emulated range where it is now. */
static void check_emulated_clear(void)
{
	for (unsigned int i = 0; i < n_live; i++)
		assert_true(!overlaps(live[i].gpa, live[i].size, fk.emu_base,
				      fk.emu_size));
}

/* The device moves its BAR only where nothing is mapped now. */
static void move_emulated(u32 reg)
{
	u64 to = reg & ~(u32)(EMU_SIZE - 1);

	if (!pci_vcfg_place_taken(&vc, to, EMU_SIZE))
		fk.emu_base = to;
	check_emulated_clear();
}

/* Does memory BAR @i of @f read back (part of) its size mask? */
static bool reads_mask(const struct pci_vfn *f, unsigned int i)
{
	const struct pci_vbar *b = &f->bar[i];
	u32 lo = (u32)b->mask & 0xfffffff0U, hi = (u32)(b->mask >> 32);

	return (b->reg & lo) == lo ||
	       (b->is64 && hi && f->bar[i + 1].reg == hi);
}

static void check_views(void)
{
	for (unsigned int n = 0; n < vc.nfns; n++) {
		const struct pci_vfn *f = &fns[n];

		for (unsigned int i = 0; i < f->nbars; i++) {
			const struct pci_vbar *b = &f->bar[i];

			if (!b->size || b->hi_half || b->io)
				continue;
			if (b->mapped)
				assert_true(b->map_gpa == (b->gpa & ~0xfffULL));
			if ((f->cmd_view & PCI_COMMAND_MEMORY) &&
			    !reads_mask(f, i))
				assert_true(pci_vcfg_bar_gpa(f, i) == b->gpa);
		}
	}
}

static int z_map(void *ctx, u64 gpa, u64 hpa, u64 size)
{
	assert_true(size && gpa + size > gpa);
	assert_true(!overlaps(gpa, size, fk.emu_base, fk.emu_size));
	for (size_t i = 0; i < sizeof(forbidden) / sizeof(forbidden[0]); i++)
		assert_true(!overlaps(gpa, size, forbidden[i].base,
				      forbidden[i].size));
	assert_true(hpa_is_a_bar(hpa, size));
	assert_true(n_live < MAX_MAPS);
	live[n_live++] = (struct call){ gpa, hpa, size };
	return 0;
}

static int z_unmap(void *ctx, u64 gpa, u64 size)
{
	for (unsigned int i = 0; i < n_live; i++) {
		if (live[i].gpa == gpa && live[i].size == size) {
			live[i] = live[--n_live];
			return 0;
		}
	}
	abort(); /* never mapped */
}

static void z_log(void *ctx, const char *line)
{
	(void)line;
}

static const struct pci_vcfg_ops zops = {
	.read = f_read,
	.write = f_write,
	.map = z_map,
	.unmap = z_unmap,
	.log = z_log,
	.emulated = f_emulated,
};

static void start(void)
{
	struct pci_dev x, n;

	memset(&fk, 0, sizeof(fk));
	memset(fk.bdf, 0xff, sizeof(fk.bdf));
	n_live = 0;
	fk.emu_base = EMU_START;
	fk.emu_size = EMU_SIZE;
	pci_vcfg_init(&vc, &zops, fns, NFAKE);
	for (size_t i = 0; i < sizeof(forbidden) / sizeof(forbidden[0]); i++)
		pci_vcfg_forbid(&vc, forbidden[i].base, forbidden[i].size,
				"forbidden");
	x = mk_xhci();
	n = mk_nic();
	assert_int_equal(pci_vcfg_add(&vc, &x, 0), 0);
	assert_int_equal(pci_vcfg_add(&vc, &n, 0), 0);
	pci_vcfg_start(&vc);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const unsigned int sizes[4] = { 1, 2, 4, 4 };

	start();
	for (size_t at = 0; at + OP_BYTES <= size; at += OP_BYTES) {
		const u8 *op = data + at;
		unsigned int off = op[0] & 7, n = sizes[op[1] & 3];
		bool in = op[0] & 0x80;
		u32 v;

		/* Only accesses inside 0xCF8-0xCFF reach the device. */
		if (off + n > 8)
			continue;
		memcpy(&v, op + 2, 4);
		if ((op[0] & 0x38) == 0x38) {
			move_emulated(v);
			continue;
		}
		/* Aim most address writes at the fixture's functions. */
		if (off == 0 && n == 4 && !in && (op[0] & 0x40))
			v = PCI_CONF1_ENABLE |
			    (u32)(op[1] & 4 ? BDF_XHCI : BDF_NIC) << 8 |
			    (v & 0xfc);
		pci_vcfg_pio(&vc, (u16)(PCI_CONF1_ADDR + off), n, in, &v);
		check_views();
	}
	check_emulated_clear();
	/* The real space was written only at aligned places in range. */
	for (unsigned int i = 0; i < fk.nwrites && i < MAXLOG; i++)
		assert_true(fk.writes[i].off % fk.writes[i].width == 0);
	return 0;
}
