// SPDX-License-Identifier: MIT
/*
 * Host tests of the guest's virtual PCI configuration space
 * (vdev/pci_vcfg.c): the ROM BAR, the capability allow-list, bridge
 * headers, and every width and alignment at ports 0xCF8-0xCFF.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <string.h>

#include "pci_vcfg_fake.h"

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

/*
 * A bridge's COMMAND forwards for everything behind it, Keel's devices
 * included: its decode and bus-master bits stay in the guest's view.
 */
static void test_bridge_command_stays_virtual(void **state)
{
	struct pci_dev d = { .bus = 0, .dev = 4, .fn = 0 };

	d.header_type = PCI_HEADER_TYPE_BRIDGE;
	fk.bdf[2] = BDF_BRIDGE;
	put32(2, 0x04, 0x0007); /* IO | MEMORY | MASTER */
	assert_int_equal(pci_vcfg_add(&vc, &d, 0), 0);
	cfg_out(BDF_BRIDGE, 0x04, 2, 0x0000);
	assert_int_equal(get32(2, 0x04) & 0x7, 0x7);
	/* Other COMMAND bits still reach it (SERR reporting). */
	cfg_out(BDF_BRIDGE, 0x04, 2, 0x0100);
	assert_int_equal(get32(2, 0x04) & 0x107, 0x107);
}

/* ---- ports 0xCF8-0xCFF ---- */

/* CONFIG_ADDRESS: bits 30:24 and 1:0 are reserved and read back 0. */
static void test_address_reserved_bits_read_zero(void **state)
{
	u32 v = 0xffffffffu;

	assert_int_equal(pci_vcfg_pio(&vc, PCI_CONF1_ADDR, 4, false, &v),
			 PCI_VCFG_OK);
	assert_int_equal(pci_vcfg_pio(&vc, PCI_CONF1_ADDR, 4, true, &v),
			 PCI_VCFG_OK);
	assert_int_equal(v, 0x80fffffcu);
}

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
	pci_vcfg_pio(&vc, PCI_CONF1_ADDR, 4, false, &a);
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
	assert_int_equal(v, PCI_CONF1_ENABLE | (u32)BDF_XHCI << 8 | 0x3c);
}

#define T(f) cmocka_unit_test_setup(f, setup)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_rom_bar_reads_zero_writes_dropped),
		T(test_capability_allow_list),
		T(test_capability_loop_is_bounded),
		T(test_bridge_routing_shadowed),
		T(test_bridge_command_stays_virtual),
		T(test_address_reserved_bits_read_zero),
		T(test_data_port_every_width),
		T(test_absent_and_disabled_read_ones),
		T(test_address_port_dword_only),
		T(test_reset_control_any_width),
		T(test_straddling_low_and_data_ports),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
