// SPDX-License-Identifier: MIT
/*
 * Host tests of PCI BAR decoding, enumeration (against a fake configuration
 * space that models BAR sizing and bridges) and the lspci-like line.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <string.h>

#include "drivers/pci.h"
#include "arch/x86/pc_ports.h"

/* ---- pci_decode_bar ---- */

static void test_decode_io(void **state)
{
	struct pci_bar b;

	/* 32 ports at 0xc060; 16-bit decoder reads 0 in the upper half. */
	assert_int_equal(pci_decode_bar(0xc061, 0xffe1, 0, 0, &b), 1);
	assert_true(b.io);
	assert_int_equal(b.base, 0xc060);
	assert_int_equal(b.size, 0x20);
	assert_int_equal(b.mask, 0xffe0);
	assert_int_equal(pci_decode_bar(0xc061, 0xffffffe1, 0, 0, &b), 1);
	assert_int_equal(b.size, 0x20);
	/* 4 ports: the smallest I/O BAR. */
	assert_int_equal(pci_decode_bar(0x1f1, 0xfffffffd, 0, 0, &b), 1);
	assert_int_equal(b.base, 0x1f0);
	assert_int_equal(b.size, 4);
}

static void test_decode_mem32(void **state)
{
	struct pci_bar b;

	assert_int_equal(pci_decode_bar(0xfebd5000, 0xfffff000, 0, 0, &b), 1);
	assert_false(b.io);
	assert_false(b.is64);
	assert_false(b.prefetch);
	assert_int_equal(b.base, 0xfebd5000);
	assert_int_equal(b.size, 0x1000);
	/* Prefetchable 16 MiB framebuffer. */
	assert_int_equal(pci_decode_bar(0xfd000008, 0xff000008, 0, 0, &b), 1);
	assert_true(b.prefetch);
	assert_int_equal(b.base, 0xfd000000);
	assert_int_equal(b.size, MiB(16));
}

static void test_decode_mem64(void **state)
{
	struct pci_bar b;

	/* OVMF style: 16 KiB prefetchable above 4 GiB. */
	assert_int_equal(pci_decode_bar(0x2000000c, 0xffffc00c, 0xe0,
					0xffffffff, &b),
			 2);
	assert_true(b.is64);
	assert_true(b.prefetch);
	assert_int_equal(b.base, 0xe020000000ull);
	assert_int_equal(b.size, 0x4000);
	assert_int_equal(b.mask, 0xffffffffffffc000ull);
	/* 8 GiB BAR: the size is in the upper half. */
	assert_int_equal(pci_decode_bar(0x4, 0x4, 0x4, 0xfffffffe, &b), 2);
	assert_int_equal(b.size, GiB(8));
	assert_int_equal(b.base, GiB(16));
}

static void test_decode_unimplemented(void **state)
{
	struct pci_bar b;

	assert_int_equal(pci_decode_bar(0, 0, 0, 0, &b), 1);
	assert_int_equal(b.size, 0);
	assert_int_equal(pci_decode_bar(0x4, 0x4, 0, 0, &b), 2);
	assert_int_equal(b.size, 0);
	/* Reserved memory type 3. */
	assert_int_equal(pci_decode_bar(0x6, 0xfffff006, 0, 0, &b), -EINVAL);
	assert_int_equal(b.size, 0);
}

/* ---- a fake configuration space ---- */

struct fake_fn {
	bool present;
	u8 cfg[256];
	u32 bar_wmask[PCI_MAX_BARS]; /* writable bits of each BAR register */
};

#define FAKE_BUSES 40 /* a deep bridge chain needs more than q35's */
static struct fake_fn space[FAKE_BUSES][32][8];
static unsigned int probes_with_decode_on;
static unsigned int reads;

static struct fake_fn *fn_at(u8 bus, u8 dev, u8 fn)
{
	if (bus >= FAKE_BUSES || dev >= 32 || fn >= 8 ||
	    !space[bus][dev][fn].present)
		return NULL;
	return &space[bus][dev][fn];
}

static u32 fake_read(void *ctx, u8 bus, u8 dev, u8 fn, u16 off, int width)
{
	struct fake_fn *f = fn_at(bus, dev, fn);
	u32 v = 0;

	reads++;
	assert_true(off % width == 0);
	if (!f)
		return width == 4 ? ~0u : (1u << (8 * width)) - 1;
	memcpy(&v, f->cfg + off, width);
	return v;
}

static void fake_write(void *ctx, u8 bus, u8 dev, u8 fn, u16 off, int width,
		       u32 v)
{
	struct fake_fn *f = fn_at(bus, dev, fn);

	assert_true(off % width == 0);
	if (!f)
		return;
	if (off >= PCI_BAR0 && off < PCI_BAR0 + 4 * PCI_MAX_BARS) {
		unsigned int i = (off - PCI_BAR0) / 4;
		u32 old, m = f->bar_wmask[i];
		u16 cmd;

		assert_int_equal(width, 4);
		memcpy(&old, f->cfg + off, 4);
		memcpy(&cmd, f->cfg + PCI_COMMAND, 2);
		if (v == ~0u && (cmd & (PCI_COMMAND_IO | PCI_COMMAND_MEMORY)))
			probes_with_decode_on++;
		v = (v & m) | (old & ~m);
		memcpy(f->cfg + off, &v, 4);
		return;
	}
	memcpy(f->cfg + off, &v, width);
}

static u32 cfg32(const struct fake_fn *f, u16 off)
{
	u32 v;

	memcpy(&v, f->cfg + off, 4);
	return v;
}

static const struct pci_cfg_ops fake_ops = {
	.read = fake_read,
	.write = fake_write,
};

static struct fake_fn *add_fn(u8 bus, u8 dev, u8 fn, u16 vendor, u16 device,
			      u32 class_rev, u8 hdr)
{
	struct fake_fn *f = &space[bus][dev][fn];
	u16 cmd = PCI_COMMAND_IO | PCI_COMMAND_MEMORY | PCI_COMMAND_MASTER;

	memset(f, 0, sizeof(*f));
	f->present = true;
	memcpy(f->cfg + PCI_VENDOR_ID, &vendor, 2);
	memcpy(f->cfg + PCI_DEVICE_ID, &device, 2);
	memcpy(f->cfg + PCI_COMMAND, &cmd, 2);
	memcpy(f->cfg + PCI_REVISION_ID, &class_rev, 4);
	f->cfg[PCI_HEADER_TYPE] = hdr;
	return f;
}

static void set_bar(struct fake_fn *f, unsigned int i, u32 val, u32 wmask)
{
	memcpy(f->cfg + PCI_BAR0 + 4 * i, &val, 4);
	f->bar_wmask[i] = wmask;
}

/* A q35-like machine with a root port and a device behind it. */
static void build_q35(void)
{
	struct fake_fn *f;

	memset(space, 0, sizeof(space));
	probes_with_decode_on = 0;
	add_fn(0, 0, 0, 0x8086, 0x29c0, 0x06000002, 0);
	f = add_fn(0, 1, 0, 0x1234, 0x1111, 0x03000002, 0); /* VGA */
	set_bar(f, 0, 0xfd000008, 0xff000000);
	set_bar(f, 2, 0xfebd4000, 0xfffff000);
	f = add_fn(0, 2, 0, 0x1b36, 0x000c, 0x06040000, 1); /* root port */
	f->cfg[PCI_SECONDARY_BUS] = 1;
	set_bar(f, 0, 0xfebd3000, 0xfffff000);
	/* ICH9: LPC 1f.0 (multifunction), AHCI 1f.2, SMBus 1f.3. */
	add_fn(0, 0x1f, 0, 0x8086, 0x2918, 0x06010002, 0x80);
	f = add_fn(0, 0x1f, 2, 0x8086, 0x2922, 0x01060102, 0);
	set_bar(f, 4, 0xc061, 0xffffffe0);
	set_bar(f, 5, 0xfebd5000, 0xfffff000);
	f = add_fn(0, 0x1f, 3, 0x8086, 0x2930, 0x0c050002, 0);
	set_bar(f, 4, 0x0701, 0xffffffc0);
	/* NVMe behind the root port, 64-bit BAR above 4 GiB. */
	f = add_fn(1, 0, 0, 0x1b36, 0x0010, 0x01080202, 0);
	set_bar(f, 0, 0x2000000c, 0xffffc000);
	set_bar(f, 1, 0xe0, 0xffffffff);
	/* Function 5 of a single-function device must not be found. */
	add_fn(0, 3, 0, 0x8086, 0x10d3, 0x02000000, 0);
	add_fn(0, 3, 5, 0xdead, 0xbeef, 0, 0);
}

static struct pci_dev devs[16];

static struct pci_dev *find(unsigned int n, u8 bus, u8 dev, u8 fn)
{
	for (unsigned int i = 0; i < n; i++)
		if (devs[i].bus == bus && devs[i].dev == dev &&
		    devs[i].fn == fn)
			return &devs[i];
	return NULL;
}

static void test_enumerate_q35(void **state)
{
	unsigned int n;
	struct pci_dev *d;
	u16 cmd;

	build_q35();
	n = pci_enumerate(&fake_ops, 0, 255, devs, ARRAY_SIZE(devs));
	assert_int_equal(n, 8);
	assert_int_equal(probes_with_decode_on, 0);
	assert_null(find(n, 0, 3, 5));

	d = find(n, 0, 0x1f, 2);
	assert_non_null(d);
	assert_int_equal(d->vendor, 0x8086);
	assert_int_equal(d->device, 0x2922);
	assert_int_equal(d->class_code, 0x01);
	assert_int_equal(d->subclass, 0x06);
	assert_int_equal(d->prog_if, 0x01);
	assert_int_equal(d->revision, 0x02);
	assert_true(d->bars[4].io);
	assert_int_equal(d->bars[4].base, 0xc060);
	assert_int_equal(d->bars[4].size, 0x20);
	assert_int_equal(d->bars[5].base, 0xfebd5000);
	assert_int_equal(d->bars[5].size, 0x1000);
	assert_int_equal(d->bars[0].size, 0);

	d = find(n, 1, 0, 0);
	assert_non_null(d);
	assert_true(d->bars[0].is64);
	assert_true(d->bars[0].prefetch);
	assert_int_equal(d->bars[0].base, 0xe020000000ull);
	assert_int_equal(d->bars[0].size, 0x4000);
	assert_int_equal(d->bars[1].size, 0); /* upper half, not a BAR */

	d = find(n, 0, 2, 0);
	assert_int_equal(d->header_type, 1);
	assert_int_equal(d->secondary_bus, 1);
	assert_int_equal(d->bars[0].size, 0x1000);

	/* COMMAND and every BAR are back to what firmware left. */
	memcpy(&cmd, space[0][0x1f][2].cfg + PCI_COMMAND, 2);
	assert_int_equal(cmd, PCI_COMMAND_IO | PCI_COMMAND_MEMORY |
				      PCI_COMMAND_MASTER);
	assert_int_equal(cfg32(&space[0][0x1f][2], PCI_BAR0 + 20), 0xfebd5000);
	assert_int_equal(cfg32(&space[1][0][0], PCI_BAR0 + 4), 0xe0);
}

static void test_enumerate_table_full_and_bus_limit(void **state)
{
	unsigned int n;

	build_q35();
	/* Only 3 entries kept, all 8 counted. */
	n = pci_enumerate(&fake_ops, 0, 255, devs, 3);
	assert_int_equal(n, 8);
	/* bus_end 0: the root port's bus 1 is not followed. */
	n = pci_enumerate(&fake_ops, 0, 0, devs, ARRAY_SIZE(devs));
	assert_int_equal(n, 7);
	assert_int_equal(pci_enumerate(&fake_ops, 2, 1, devs, 16), 0);
}

static void test_enumerate_bridge_loop(void **state)
{
	struct fake_fn *f;
	unsigned int n;

	build_q35();
	/* A bridge on bus 1 pointing back to bus 1, and one to bus 2 -> 1. */
	f = add_fn(1, 1, 0, 0x1b36, 0x0001, 0x06040000, 1);
	f->cfg[PCI_SECONDARY_BUS] = 2;
	f = add_fn(2, 0, 0, 0x1b36, 0x0001, 0x06040000, 1);
	f->cfg[PCI_SECONDARY_BUS] = 1; /* backwards: ignored */
	reads = 0;
	n = pci_enumerate(&fake_ops, 0, 255, devs, ARRAY_SIZE(devs));
	assert_int_equal(n, 10);
	assert_true(reads < 100000);
}

/* 30 bridges, each behind the last: the walk stops 24 deep, and says so. */
static void test_enumerate_deep_chain(void **state)
{
	struct fake_fn *f;
	unsigned int n, base;

	build_q35();
	base = pci_enumerate(&fake_ops, 0, 255, devs, ARRAY_SIZE(devs));
	for (u8 b = 1; b <= 30; b++) {
		f = add_fn(b, 1, 0, 0x1b36, 0x0001, 0x06040000, 1);
		f->cfg[PCI_SECONDARY_BUS] = (u8)(b + 1);
	}
	n = pci_enumerate(&fake_ops, 0, 255, devs, ARRAY_SIZE(devs));
	/* The root port's bus 1 is depth 1: bridges on buses 1..24 are seen,
	 * the one on bus 24 is not followed. */
	assert_int_equal(n, base + 24);
	assert_int_equal(pci_enum_too_deep(), 1);
	build_q35();
	pci_enumerate(&fake_ops, 0, 255, devs, ARRAY_SIZE(devs));
	assert_int_equal(pci_enum_too_deep(), 0);
}

static void test_format_line(void **state)
{
	char line[200];
	unsigned int n;

	build_q35();
	n = pci_enumerate(&fake_ops, 0, 255, devs, ARRAY_SIZE(devs));
	pci_format_dev(find(n, 0, 0x1f, 2), line, sizeof(line));
	assert_string_equal(line, "00:1f.2 8086:2922 class 01.06.01 rev 02 "
				  "bar4=io:0xc060+0x20 "
				  "bar5=mem32:0xfebd5000+0x1000");
	pci_format_dev(find(n, 1, 0, 0), line, sizeof(line));
	assert_string_equal(line, "01:00.0 1b36:0010 class 01.08.02 rev 02 "
				  "bar0=mem64p:0xe020000000+0x4000");
	pci_format_dev(find(n, 0, 2, 0), line, sizeof(line));
	assert_string_equal(line, "00:02.0 1b36:000c class 06.04.00 rev 00 "
				  "bridge->01 bar0=mem32:0xfebd3000+0x1000");
	/* A short buffer truncates without overrunning. */
	assert_true(pci_format_dev(find(n, 0, 0x1f, 2), line, 10) >= 10);
	assert_int_equal(strlen(line), 9);
}

/* Mechanism #1 address, PCI Local Bus 3.0 3.2.2.3.2: enable 31, bus 23:16,
 * device 15:11, function 10:8, dword register 7:2. */
static void test_conf1_addr(void **state)
{
	assert_int_equal(pci_conf1_addr(0, 0, 0, 0), 0x80000000);
	assert_int_equal(pci_conf1_addr(0, 3, 0, 0x40), 0x80001840);
	assert_int_equal(pci_conf1_addr(0x12, 0x1f, 7, 0xff), 0x8012fffc);
	/* Out-of-range parts stay in their fields; CF8 only has 8 bits of
	 * register, so the extended space cannot be reached this way. */
	assert_int_equal(pci_conf1_addr(0, 0x20, 8, 0x100), 0x80000000);
}

static void test_parse_bdf_list(void **state)
{
	u16 out[3];
	unsigned int n;
	size_t bad;
	const char *two = "00:1f.2,0a:00.7";

	assert_int_equal(pci_parse_bdf_list(two, strlen(two), out, 3, &n, &bad),
			 0);
	assert_int_equal(n, 2);
	assert_int_equal(out[0], PCI_BDF(0, 0x1f, 2));
	assert_int_equal(out[1], PCI_BDF(0x0a, 0, 7));
	/* Malformed: the offset names where parsing stopped. */
	assert_int_equal(pci_parse_bdf_list("00:1f", 5, out, 3, &n, &bad),
			 -EINVAL);
	assert_int_equal(bad, 0);
	assert_int_equal(pci_parse_bdf_list("00:1f.2;00:01.0", 15, out, 3, &n,
					    &bad),
			 -EINVAL);
	assert_int_equal(bad, 7);
	assert_int_equal(pci_parse_bdf_list("00:20.0", 7, out, 3, &n, &bad),
			 -EINVAL); /* device 32 */
	assert_int_equal(pci_parse_bdf_list("00:01.8", 7, out, 3, &n, &bad),
			 -EINVAL); /* function 8 */
	assert_int_equal(pci_parse_bdf_list("zz:01.0", 7, out, 3, &n, &bad),
			 -EINVAL);
	assert_int_equal(pci_parse_bdf_list("00:01.0,00:02.0", 15, out, 1, &n,
					    &bad),
			 -E2BIG);
	assert_int_equal(n, 1);
	assert_int_equal(bad, 8);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_decode_io),
		cmocka_unit_test(test_decode_mem32),
		cmocka_unit_test(test_decode_mem64),
		cmocka_unit_test(test_decode_unimplemented),
		cmocka_unit_test(test_enumerate_q35),
		cmocka_unit_test(test_enumerate_table_full_and_bus_limit),
		cmocka_unit_test(test_enumerate_bridge_loop),
		cmocka_unit_test(test_enumerate_deep_chain),
		cmocka_unit_test(test_format_line),
		cmocka_unit_test(test_conf1_addr),
		cmocka_unit_test(test_parse_bdf_list),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
