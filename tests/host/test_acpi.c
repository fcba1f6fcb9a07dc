// SPDX-License-Identifier: MIT
/*
 * Host tests of ACPI discovery and parsing on a fake physical memory: a
 * q35-like set of tables (RSDP, XSDT/RSDT, FADT, DSDT with \_S5, MADT, MCFG,
 * DMAR), broken variants of each, and a fuzz-style loop under ASan/UBSan.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "arch/x86/acpi.h"
#include "core/console.h"

/* ---- printk stub: keeps the log so tests can assert on lines ---- */

static char logbuf[65536];
static size_t loglen;

int printk(int level, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(logbuf + loglen, sizeof(logbuf) - loglen, fmt, ap);
	va_end(ap);
	if (n > 0)
		loglen = MIN(loglen + (size_t)n, sizeof(logbuf) - 1);
	return n;
}

static void log_clear(void)
{
	loglen = 0;
	logbuf[0] = '\0';
}

static void expect_log(const char *s)
{
	if (!strstr(logbuf, s))
		fail_msg("log lacks '%s'; log:\n%s", s, logbuf);
}

/* ---- fake physical memory ---- */

#define MEM_SIZE 0x100000
static u8 *mem;

static const void *fake_map(u64 phys, u64 len, void *ctx)
{
	if (phys > MEM_SIZE || len > MEM_SIZE - phys)
		return NULL;
	return mem + phys;
}

static const struct acpi_platform plat = { .map = fake_map };

static void w16(u64 a, u16 v)
{
	memcpy(mem + a, &v, 2);
}

static void w32(u64 a, u32 v)
{
	memcpy(mem + a, &v, 4);
}

static void w64(u64 a, u64 v)
{
	memcpy(mem + a, &v, 8);
}

static void fix_sum(u64 a, u32 len, u32 sum_off)
{
	u8 s = 0;

	mem[a + sum_off] = 0;
	for (u32 i = 0; i < len; i++)
		s += mem[a + i];
	mem[a + sum_off] = (u8)-s;
}

static void hdr(u64 a, const char *sig, u32 len, u8 rev)
{
	memcpy(mem + a, sig, 4);
	w32(a + 4, len);
	mem[a + 8] = rev;
	memcpy(mem + a + 10, "KEELTS", 6);
}

static void seal(u64 a)
{
	u32 len;

	memcpy(&len, mem + a + 4, 4);
	if (len >= 10 && len <= MEM_SIZE - a) /* fuzzing may break it */
		fix_sum(a, len, 9);
}

/* Table addresses in the fake memory. */
#define A_RSDP 0xe0010
#define A_XSDT 0x10000
#define A_RSDT 0x10800
#define A_FACP 0x11000
#define A_APIC 0x12000
#define A_MCFG 0x13000
#define A_DMAR 0x14000
#define A_BAD 0x15000
#define A_DSDT 0x16000

static void build_rsdp(u64 a, u64 xsdt, u32 rsdt)
{
	memcpy(mem + a, "RSD PTR ", 8);
	memcpy(mem + a + 9, "KEELTS", 6);
	mem[a + 15] = 2;
	w32(a + 16, rsdt);
	w32(a + 20, 36);
	w64(a + 24, xsdt);
	fix_sum(a, 20, 8);
	fix_sum(a, 36, 32);
}

static const u8 s5_aml[] = {
	0x10, 0x05, '_',  'S',	'B',  '_',  0x00, /* unrelated Scope */
	'_',  'S',  '5',  '_', /* a bare reference, not a Name: skipped */
	0x08, '\\', '_',  'S',	'5',  '_',  0x12,
	0x08, 0x04, 0x0a, 0x05, 0x01, 0x00, 0x00,
};

static void build_madt(u64 a, bool truncate, bool zero_len)
{
	u32 o = a + 44;

	hdr(a, "APIC", 0, 4);
	w32(a + 36, 0xfee00000);
	w32(a + 40, 1);
	/* LAPIC uid 0 id 0, uid 1 id 1, a disabled one, an x2APIC. */
	mem[o] = 0, mem[o + 1] = 8, mem[o + 2] = 0, mem[o + 3] = 0;
	w32(o + 4, 1), o += 8;
	mem[o] = 0, mem[o + 1] = 8, mem[o + 2] = 1, mem[o + 3] = 1;
	w32(o + 4, 1), o += 8;
	mem[o] = 0, mem[o + 1] = 8, mem[o + 2] = 2, mem[o + 3] = 2;
	w32(o + 4, 0), o += 8;
	mem[o] = 9, mem[o + 1] = 16;
	w32(o + 4, 0x100), w32(o + 8, 1), w32(o + 12, 3), o += 16;
	if (zero_len) {
		mem[o] = 1, mem[o + 1] = 0, o += 12;
		goto done;
	}
	/* IOAPIC 0 at 0xfec00000 GSI 0. */
	mem[o] = 1, mem[o + 1] = 12, mem[o + 2] = 0;
	w32(o + 4, 0xfec00000), w32(o + 8, 0), o += 12;
	/* ISO irq 0 -> 2, irq 9 -> 9 level/high. */
	mem[o] = 2, mem[o + 1] = 10, mem[o + 2] = 0, mem[o + 3] = 0;
	w32(o + 4, 2), w16(o + 8, 0), o += 10;
	mem[o] = 2, mem[o + 1] = 10, mem[o + 2] = 0, mem[o + 3] = 9;
	w32(o + 4, 9), w16(o + 8, 0xd), o += 10;
	/* LAPIC NMI, all CPUs, LINT1. */
	mem[o] = 4, mem[o + 1] = 6, mem[o + 2] = 0xff;
	w16(o + 3, 5), mem[o + 5] = 1, o += 6;
	/* LAPIC address override. */
	mem[o] = 5, mem[o + 1] = 12;
	w64(o + 4, 0xfee00000ull), o += 12;
	if (truncate) {
		/* An IOAPIC entry that claims 12 bytes, with 6 left. */
		mem[o] = 1, mem[o + 1] = 12, o += 6;
	}
done:
	w32(a + 4, o - a);
	seal(a);
}

static void build_fadt(u64 a)
{
	hdr(a, "FACP", 276, 6);
	w32(a + 40, A_DSDT);
	w16(a + 46, 9);
	w32(a + 48, 0xb2);
	w32(a + 56, 0x600);
	w32(a + 64, 0x604);
	w32(a + 76, 0x608);
	mem[a + 89] = 2;
	mem[a + 91] = 4;
	mem[a + 108] = 0x32;
	w16(a + 109, 0x3);
	w32(a + 112, (1u << 8) | (1u << 10));
	mem[a + 116] = 1, mem[a + 117] = 8; /* reset: I/O 0xcf9 */
	w64(a + 120, 0xcf9);
	mem[a + 128] = 0x6;
	w64(a + 140, A_DSDT);
	/* X_PM1a_CNT_BLK as an I/O GAS: must win over the legacy field. */
	mem[a + 172] = 1, mem[a + 173] = 16;
	w64(a + 176, 0x704);
	seal(a);
}

static void build_dmar(u64 a)
{
	u32 o = a + 48, u;

	hdr(a, "DMAR", 0, 1);
	mem[a + 36] = 38, mem[a + 37] = 1;
	/* DRHD 0xfed90000: endpoint 00:1f.2, IOAPIC 0 at ff:00.0. */
	u = o;
	w16(o, 0), mem[o + 4] = 0, w16(o + 6, 0), w64(o + 8, 0xfed90000);
	o += 16;
	mem[o] = 1, mem[o + 1] = 8, mem[o + 5] = 0, mem[o + 6] = 0x1f,
	mem[o + 7] = 2, o += 8;
	mem[o] = 3, mem[o + 1] = 8, mem[o + 4] = 0, mem[o + 5] = 0xff, o += 8;
	w16(u + 2, o - u);
	/* DRHD with INCLUDE_PCI_ALL. */
	w16(o, 0), w16(o + 2, 16), mem[o + 4] = 1, w64(o + 8, 0xfed91000);
	o += 16;
	/* RMRR 0xe0000-0xfffff for 00:14.0. */
	u = o;
	w16(o, 1), w64(o + 8, 0xe0000), w64(o + 16, 0xfffff), o += 24;
	mem[o] = 1, mem[o + 1] = 8, mem[o + 6] = 0x14, o += 8;
	w16(u + 2, o - u);
	w32(a + 4, o - a);
	seal(a);
}

static void build_all(void)
{
	static const u64 entries[] = { A_FACP, A_APIC, A_MCFG, A_DMAR, A_BAD };
	unsigned int i;

	memset(mem, 0, MEM_SIZE);
	build_rsdp(A_RSDP, A_XSDT, A_RSDT);
	hdr(A_XSDT, "XSDT", 36 + 8 * ARRAY_SIZE(entries), 1);
	hdr(A_RSDT, "RSDT", 36 + 4 * ARRAY_SIZE(entries), 1);
	for (i = 0; i < ARRAY_SIZE(entries); i++) {
		w64(A_XSDT + 36 + 8 * i, entries[i]);
		w32(A_RSDT + 36 + 4 * i, (u32)entries[i]);
	}
	seal(A_XSDT);
	seal(A_RSDT);
	build_fadt(A_FACP);
	hdr(A_DSDT, "DSDT", 36 + sizeof(s5_aml), 2);
	memcpy(mem + A_DSDT + 36, s5_aml, sizeof(s5_aml));
	seal(A_DSDT);
	build_madt(A_APIC, false, false);
	hdr(A_MCFG, "MCFG", 60, 1);
	w64(A_MCFG + 44, 0xb0000000), w16(A_MCFG + 52, 0);
	mem[A_MCFG + 54] = 0, mem[A_MCFG + 55] = 255;
	seal(A_MCFG);
	build_dmar(A_DMAR);
	hdr(A_BAD, "HPET", 56, 1);
	seal(A_BAD);
	mem[A_BAD + 40] ^= 1; /* checksum now wrong */
	log_clear();
}

static struct acpi_info ai;

static void test_full_q35(void **state)
{
	build_all();
	assert_int_equal(acpi_init(&plat, NULL, &ai), 0);
	assert_true(ai.present);
	assert_true(ai.xsdt);
	assert_int_equal(ai.rsdp_phys, A_RSDP);
	assert_string_equal(ai.rsdp_from, "BIOS");
	/* XSDT, FACP, DSDT, APIC, MCFG, DMAR; the HPET is bad. */
	assert_int_equal(ai.n_tables, 6);
	assert_int_equal(ai.n_bad, 1);
	expect_log("keel: acpi: HPET at 0x15000: bad checksum");

	assert_true(ai.have_madt);
	assert_int_equal(ai.lapic_base, 0xfee00000);
	assert_int_equal(ai.n_cpus, 3);
	assert_int_equal(ai.cpus[1].apic_id, 1);
	assert_true(ai.cpus[2].x2apic);
	assert_int_equal(ai.cpus[2].apic_id, 0x100);
	assert_int_equal(ai.cpus[2].uid, 3);
	assert_int_equal(ai.n_ioapics, 1);
	assert_int_equal(ai.ioapics[0].addr, 0xfec00000);
	assert_int_equal(ai.n_overrides, 2);
	assert_int_equal(ai.overrides[0].gsi, 2);
	assert_int_equal(ai.overrides[1].source, 9);
	assert_int_equal(ai.overrides[1].flags, 0xd);
	assert_int_equal(ai.n_nmis, 1);
	assert_true(ai.nmis[0].lapic);
	assert_int_equal(ai.nmis[0].lint, 1);

	assert_int_equal(ai.n_mcfg, 1);
	assert_int_equal(ai.mcfg[0].base, 0xb0000000);
	assert_int_equal(ai.mcfg[0].bus_end, 255);

	assert_true(ai.fadt.present);
	assert_int_equal(ai.fadt.pm1a_cnt, 0x704); /* X_ field wins */
	assert_int_equal(ai.fadt.pm1a_evt, 0x600);
	assert_int_equal(ai.fadt.pm_tmr, 0x608);
	assert_true(ai.fadt.pm_tmr_32bit);
	assert_int_equal(ai.fadt.sci_irq, 9);
	assert_int_equal(ai.fadt.century, 0x32);
	assert_int_equal(ai.fadt.iapc_boot_arch, 3);
	assert_true(ai.fadt.have_reset);
	assert_int_equal(ai.fadt.reset_reg.space, ACPI_GAS_IO);
	assert_int_equal(ai.fadt.reset_reg.addr, 0xcf9);
	assert_int_equal(ai.fadt.reset_value, 6);
	assert_int_equal(ai.fadt.dsdt, A_DSDT);
	assert_true(ai.have_s5);
	assert_int_equal(ai.s5_slp_typa, 5);
	assert_int_equal(ai.s5_slp_typb, 1);

	assert_true(ai.have_dmar);
	assert_int_equal(ai.dmar_phys, A_DMAR);
	assert_int_equal(ai.dmar.host_addr_width, 38);
	assert_int_equal(ai.dmar.n_units, 2);
	assert_int_equal(ai.dmar.units[0].reg_base, 0xfed90000);
	assert_false(ai.dmar.units[0].include_pci_all);
	assert_int_equal(ai.dmar.units[0].n_scopes, 2);
	assert_int_equal(ai.dmar.units[0].scopes[0].type,
			 ACPI_DMAR_SCOPE_ENDPOINT);
	assert_int_equal(ai.dmar.units[0].scopes[0].path[0].dev, 0x1f);
	assert_int_equal(ai.dmar.units[0].scopes[0].path[0].fn, 2);
	assert_int_equal(ai.dmar.units[0].scopes[1].type,
			 ACPI_DMAR_SCOPE_IOAPIC);
	assert_int_equal(ai.dmar.units[0].scopes[1].bus, 0xff);
	assert_true(ai.dmar.units[1].include_pci_all);
	assert_int_equal(ai.dmar.n_rmrrs, 1);
	assert_int_equal(ai.dmar.rmrrs[0].limit, 0xfffff);
	assert_int_equal(ai.dmar.rmrrs[0].scopes[0].path[0].dev, 0x14);

	log_clear();
	acpi_print_summary(&ai);
	expect_log("keel: acpi: RSDP at 0xe0010 rev 2 (XSDT) from BIOS\n");
	expect_log("keel: acpi: XSDT at 0x10000 len 76 ok\n");
	expect_log("keel: acpi: FACP at 0x11000 len 276 ok\n");
	expect_log("keel: acpi: DSDT at 0x16000 len ");
	expect_log(
		"keel: acpi: MADT: 3 CPUs, 1 IOAPICs, 2 overrides, 1 NMIs, LAPIC 0xfee00000\n");
	expect_log("keel: acpi: MCFG: ECAM 0xb0000000 buses 0-255 seg 0\n");
	expect_log(
		"keel: acpi: FADT: PM1a_CNT 0x704 PM1b_CNT 0x0 PM_TMR 0x608 32-bit SCI 9 reset io:0xcf9=0x6");
	expect_log("keel: acpi: S5: SLP_TYPa 5 SLP_TYPb 1\n");
	expect_log("keel: acpi: DMAR: 2 DRHD, 1 RMRR, HAW 39\n");
	expect_log(
		"keel: acpi: DRHD 0xfed91000 seg 0 flags 0x1 scopes 0 INCLUDE_PCI_ALL\n");
	expect_log("keel: acpi: 6 tables ok, 1 bad\n");
}

static void test_rsdp_from_tags(void **state)
{
	struct boot_info bi = { 0 };
	u8 copy[36];

	build_all();
	memcpy(copy, mem + A_RSDP, 36);
	memset(mem + A_RSDP, 0, 36); /* only the tag copy remains */
	bi.rsdp_v2 = copy;
	bi.rsdp_v2_len = 36;
	assert_int_equal(acpi_init(&plat, &bi, &ai), 0);
	assert_string_equal(ai.rsdp_from, "mb2 tag 15");
	assert_true(ai.xsdt);

	/* Only the v1 copy (BIOS GRUB): the RSDT is used. */
	bi.rsdp_v2 = NULL;
	bi.rsdp_v1 = copy;
	assert_int_equal(acpi_init(&plat, &bi, &ai), 0);
	assert_string_equal(ai.rsdp_from, "mb2 tag 14");
	assert_false(ai.xsdt);
	assert_int_equal(ai.root_phys, A_RSDT);
	assert_int_equal(ai.n_cpus, 3);
	assert_true(ai.have_s5);
}

static void test_rsdp_in_ebda(void **state)
{
	build_all();
	memset(mem + A_RSDP, 0, 36);
	w16(0x40e, 0x9fc0);
	build_rsdp(0x9fc00 + 0x40, A_XSDT, A_RSDT);
	assert_int_equal(acpi_init(&plat, NULL, &ai), 0);
	assert_string_equal(ai.rsdp_from, "EBDA");
	assert_int_equal(ai.rsdp_phys, 0x9fc40);
}

static void test_no_rsdp_or_bad_checksum(void **state)
{
	build_all();
	mem[A_RSDP + 8] ^= 0x55;
	assert_int_equal(acpi_init(&plat, NULL, &ai), -ENODEV);
	expect_log("keel: acpi: no RSDP found");
	assert_false(ai.present);
	/* A bad extended checksum: the XSDT is not trusted, RSDT used. */
	build_all();
	mem[A_RSDP + 33] ^= 0x55;
	assert_int_equal(acpi_init(&plat, NULL, &ai), 0);
	assert_false(ai.xsdt);
	expect_log("bad extended checksum");
}

static void test_bad_xsdt_falls_back(void **state)
{
	build_all();
	mem[A_XSDT + 40] ^= 0xff;
	assert_int_equal(acpi_init(&plat, NULL, &ai), 0);
	assert_false(ai.xsdt);
	expect_log("keel: acpi: XSDT at 0x10000: bad checksum");
	assert_int_equal(ai.n_cpus, 3);

	/* XSDT pointing outside memory. */
	build_all();
	build_rsdp(A_RSDP, 0x7fff0000000ull, A_RSDT);
	assert_int_equal(acpi_init(&plat, NULL, &ai), 0);
	assert_false(ai.xsdt);
	expect_log("outside memory");

	/* Neither root usable. */
	build_all();
	build_rsdp(A_RSDP, MEM_SIZE - 8, 0);
	assert_int_equal(acpi_init(&plat, NULL, &ai), -ENODEV);
	expect_log("no usable XSDT or RSDT");
}

static void test_bad_lengths(void **state)
{
	build_all();
	w32(A_MCFG + 4, 20); /* below the header */
	assert_int_equal(acpi_init(&plat, NULL, &ai), 0);
	expect_log(
		"keel: acpi: MCFG at 0x13000: length below header size (20)");
	assert_int_equal(ai.n_mcfg, 0);

	build_all();
	w32(A_APIC + 4, 0xfffffff0); /* huge */
	assert_int_equal(acpi_init(&plat, NULL, &ai), 0);
	expect_log("keel: acpi: APIC at 0x12000: length too large");
	assert_false(ai.have_madt);

	build_all();
	w32(A_DMAR + 4, MEM_SIZE); /* runs past the end of memory */
	assert_int_equal(acpi_init(&plat, NULL, &ai), 0);
	expect_log("keel: acpi: DMAR at 0x14000: table outside memory");
	assert_false(ai.have_dmar);
	/* A table entry at address 0 is skipped silently. */
	assert_int_equal(ai.n_bad, 2);
}

static void test_madt_truncated_and_zero_len(void **state)
{
	build_all();
	build_madt(A_APIC, true, false);
	assert_int_equal(acpi_init(&plat, NULL, &ai), 0);
	expect_log("keel: acpi: MADT: entry type 1 at offset");
	assert_int_equal(ai.n_cpus, 3); /* entries before the bad one kept */
	assert_int_equal(ai.n_ioapics, 1);

	build_all();
	build_madt(A_APIC, false, true);
	assert_int_equal(acpi_init(&plat, NULL, &ai), 0);
	expect_log("has bad length 0");
	assert_int_equal(ai.n_ioapics, 0);
	assert_int_equal(acpi_parse_madt(mem + A_APIC, 44 + 40 + 12, &ai),
			 -EINVAL);
}

static void test_s5_variants(void **state)
{
	static const u8 zero[] = { 0x08, '_',  'S',  '5',  '_',	 0x12,
				   0x06, 0x04, 0x00, 0x00, 0x00, 0x00 };
	static const u8 pkglen2[] = { 0x08, '_',  'S',	'5',  '_',  0x12, 0x40,
				      0x01, 0x02, 0x0a, 0x07, 0x0b, 0x03, 0x00 };
	static const u8 cut[] = { 0x08, '_',  'S',  '5', '_',
				  0x12, 0x06, 0x04, 0x0a };
	static const u8 none[] = { 0x08, '_',  'S',  '4',  '_',	 0x12,
				   0x06, 0x04, 0x0a, 0x05, 0x0a, 0x05 };
	u8 a = 0xee, b = 0xee;

	assert_int_equal(acpi_find_s5(zero, sizeof(zero), &a, &b), 0);
	assert_int_equal(a, 0);
	assert_int_equal(b, 0);
	assert_int_equal(acpi_find_s5(pkglen2, sizeof(pkglen2), &a, &b), 0);
	assert_int_equal(a, 7);
	assert_int_equal(b, 3);
	assert_int_equal(acpi_find_s5(cut, sizeof(cut), &a, &b), -ENOENT);
	assert_int_equal(acpi_find_s5(none, sizeof(none), &a, &b), -ENOENT);
	assert_int_equal(acpi_find_s5(s5_aml, 4, &a, &b), -ENOENT);
}

static void test_dmar_bad_scope(void **state)
{
	struct acpi_dmar d;

	build_all();
	/* First scope of the first DRHD claims 200 bytes. */
	mem[A_DMAR + 48 + 16 + 1] = 200;
	log_clear();
	assert_int_equal(acpi_parse_dmar(mem + A_DMAR, 48 + 16 + 16 + 16 + 32,
					 &d),
			 -EINVAL);
	expect_log("device scope length 200 bad");
	/* A structure with length 0 stops the walk. */
	build_all();
	w16(A_DMAR + 48 + 2, 0);
	assert_int_equal(acpi_parse_dmar(mem + A_DMAR, 48 + 16 + 16 + 16 + 32,
					 &d),
			 -EINVAL);
	/* Through acpi_init: the table is kept, marked untrustworthy, so
	 * iommu/ fails closed rather than trusting half a DMAR. */
	seal(A_DMAR);
	assert_int_equal(acpi_init(&plat, NULL, &ai), 0);
	assert_true(ai.have_dmar);
	assert_true(ai.dmar_bad);
	build_all();
	assert_int_equal(acpi_init(&plat, NULL, &ai), 0);
	assert_true(ai.have_dmar);
	assert_false(ai.dmar_bad);
}

static u64 rng_state = 0x243f6a8885a308d3ull;

static u64 rng(void)
{
	rng_state ^= rng_state >> 12;
	rng_state ^= rng_state << 25;
	rng_state ^= rng_state >> 27;
	return rng_state * 0x2545f4914f6cdd1dull;
}

/* Each parser on an exactly-sized heap copy: ASan catches overreads. */
static void fuzz_parsers(const u8 *src, u32 len)
{
	u8 *t = malloc(len ? len : 1);
	struct acpi_fadt f;
	struct acpi_dmar d;
	u8 a, b;

	memcpy(t, src, len);
	acpi_parse_madt(t, len, &ai);
	acpi_parse_mcfg(t, len, &ai);
	acpi_parse_fadt(t, len, &f);
	acpi_parse_dmar(t, len, &d);
	acpi_find_s5(t, len, &a, &b);
	free(t);
}

/*
 * A root table of 300 entries is read only as far as 256 (each entry is
 * mapped and summed, a crafted root of millions would hold boot up);
 * and legacy PM fields past 0xFFFF are no port.
 */
static void test_root_entry_cap_and_legacy_ports(void **state)
{
	const u64 big = 0x20000;
	unsigned int i;

	build_all();
	hdr(big, "XSDT", 36 + 8 * 300, 1);
	for (i = 0; i < 300; i++)
		w64(big + 36 + 8 * i, i == 299 ? A_FACP : A_BAD);
	seal(big);
	build_rsdp(A_RSDP, big, A_RSDT);
	assert_int_equal(acpi_init(&plat, NULL, &ai), 0);
	expect_log("keel: acpi: XSDT lists 300 tables; reading the first 256");
	assert_false(ai.fadt.present);

	/* A bad X_DSDT falls back to the 32-bit field's good DSDT. */
	build_all();
	w64(A_FACP + 140, A_BAD);
	seal(A_FACP);
	assert_int_equal(acpi_init(&plat, NULL, &ai), 0);
	expect_log("keel: acpi: trying the FADT's 32-bit DSDT at 0x16000");
	assert_true(ai.have_s5);
	assert_int_equal(ai.s5_slp_typa, 5);

	build_all();
	memset(mem + A_FACP + 172, 0, 12); /* no X_PM1a_CNT_BLK */
	w32(A_FACP + 64, 0x10604); /* PM1a_CNT_BLK past the port space */
	seal(A_FACP);
	assert_int_equal(acpi_init(&plat, NULL, &ai), 0);
	assert_true(ai.fadt.present);
	assert_int_equal(ai.fadt.pm1a_cnt, 0);
	assert_int_equal(ai.fadt.pm1a_evt, 0x600);
}

static void test_fuzz(void **state)
{
	static const u64 tables[] = { A_APIC, A_MCFG, A_FACP, A_DMAR, A_DSDT };
	u8 buf[400];
	int it, k;

	for (it = 0; it < 3000; it++) {
		u64 at = tables[it % ARRAY_SIZE(tables)];
		u32 len;

		build_all();
		memcpy(&len, mem + at + 4, 4);
		len = MIN(len, (u32)sizeof(buf));
		memcpy(buf, mem + at, len);
		for (k = 0; k < 1 + (int)(rng() % 8); k++)
			buf[rng() % len] = (u8)rng();
		fuzz_parsers(buf, rng() % 4 ? len : (u32)(rng() % (len + 1)));

		/* The whole discovery path on a corrupted memory. */
		for (k = 0; k < 1 + (int)(rng() % 6); k++) {
			u64 t = tables[rng() % ARRAY_SIZE(tables)];

			mem[t + rng() % 300] = (u8)rng();
			if (rng() % 4 == 0)
				seal(t); /* checksum fixed: parser sees it */
		}
		if (rng() % 8 == 0)
			mem[A_XSDT + 36 + rng() % 40] = (u8)rng();
		acpi_init(&plat, NULL, &ai);
	}
	/* Random bytes as a table of random length. */
	for (it = 0; it < 2000; it++) {
		for (k = 0; k < (int)sizeof(buf); k++)
			buf[k] = (u8)rng();
		fuzz_parsers(buf, rng() % sizeof(buf));
	}
}

static int setup(void **state)
{
	mem = calloc(1, MEM_SIZE);
	return mem ? 0 : -1;
}

static int teardown(void **state)
{
	free(mem);
	return 0;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_full_q35),
		cmocka_unit_test(test_rsdp_from_tags),
		cmocka_unit_test(test_rsdp_in_ebda),
		cmocka_unit_test(test_no_rsdp_or_bad_checksum),
		cmocka_unit_test(test_bad_xsdt_falls_back),
		cmocka_unit_test(test_bad_lengths),
		cmocka_unit_test(test_madt_truncated_and_zero_len),
		cmocka_unit_test(test_s5_variants),
		cmocka_unit_test(test_dmar_bad_scope),
		cmocka_unit_test(test_root_entry_cap_and_legacy_ports),
		cmocka_unit_test(test_fuzz),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
