// SPDX-License-Identifier: MIT
/*
 * Host tests for the guest's ACPI tables: every checksum and length, and
 * the tables read back through Keel's own ACPI parser from a fake guest
 * memory by the legacy RSDP scan, as a guest finds them.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/console.h"
#include "vm/acpi_guest.h"
#include "vm/pc_layout.h"

static char logbuf[16384];
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

#define MEM_SIZE PC_ONE_MIB
static u8 *mem;
static struct acpi_info ai;

static const void *fake_map(u64 phys, u64 len, void *ctx)
{
	if (phys > MEM_SIZE || len > MEM_SIZE - phys)
		return NULL;
	return mem + phys;
}

static const struct acpi_platform plat = { .map = fake_map };

static u32 get32(const u8 *p)
{
	u32 v;

	memcpy(&v, p, 4);
	return v;
}

static u64 get64(const u8 *p)
{
	u64 v;

	memcpy(&v, p, 8);
	return v;
}

static u8 sum(const u8 *p, size_t n)
{
	u8 s = 0;

	while (n--)
		s = (u8)(s + *p++);
	return s;
}

/* Bochs's platform as Keel parses it: one IOAPIC, IRQ0 -> GSI 2. */
static struct gacpi_cfg pc_cfg(void)
{
	struct gacpi_cfg c = {
		.lapic_addr = 0xfee00000,
		.apic_id = 0,
		.n_ioapics = 1,
		.ioapics = { { .id = 1, .addr = 0xfec00000, .gsi_base = 0 } },
		.n_overrides = 2,
		.overrides = { { .bus = 0, .source = 0, .gsi = 2 },
			       { .bus = 0,
				 .source = 9,
				 .gsi = 9,
				 .flags = 0xd } },
		.n_nmis = 1,
		.nmis = { { .lapic = true,
			    .uid = 0xff,
			    .lint = 1,
			    .flags = 5 } },
		.sci_irq = 9,
		.pm1a_evt = 0xb000,
		.pm1a_cnt = 0xb004,
		.pm_tmr = 0xb008,
		.century = 0x32,
		.s5_typa = 5,
		.s5_typb = 6,
		.reset_port = 0xcf9,
		.reset_value = 6,
		.pci_mem_lo = 0x8000000,
	};
	return c;
}

static int setup(void **state)
{
	mem = calloc(1, MEM_SIZE);
	memset(&ai, 0, sizeof(ai));
	loglen = 0;
	logbuf[0] = 0;
	return mem ? 0 : -1;
}

static int teardown(void **state)
{
	free(mem);
	return 0;
}

static u64 build(const struct gacpi_cfg *c)
{
	return gacpi_build(c, PC_BIOS_AREA, mem + PC_BIOS_AREA,
			   PC_BIOS_AREA_LEN);
}

/* Every table the XSDT names, and the DSDT, sums to zero. */
static void test_checksums(void **state)
{
	struct gacpi_cfg c = pc_cfg();
	u64 rsdp = build(&c);
	const u8 *r = mem + rsdp;
	const u8 *x, *f;

	assert_int_equal(rsdp, PC_BIOS_AREA);
	assert_memory_equal(r, "RSD PTR ", 8);
	assert_int_equal(r[15], 2);
	assert_int_equal(sum(r, 20), 0);
	assert_int_equal(get32(r + 20), 36);
	assert_int_equal(sum(r, 36), 0);
	x = mem + get64(r + 24);
	assert_memory_equal(x, "XSDT", 4);
	assert_int_equal(get32(x + 4), 36 + 2 * 8);
	assert_int_equal(sum(x, get32(x + 4)), 0);
	for (int i = 0; i < 2; i++) {
		const u8 *t = mem + get64(x + 36 + 8 * i);

		assert_int_equal(sum(t, get32(t + 4)), 0);
	}
	f = mem + get64(x + 36);
	assert_memory_equal(f, "FACP", 4);
	assert_int_equal(get32(f + 4), 276);
	assert_int_equal(f[8], 6);
	assert_int_equal(
		sum(mem + get32(f + 40), get32(mem + get32(f + 40) + 4)), 0);
	/* The FACS: 64 bytes on a 64-byte boundary, no checksum. */
	assert_int_equal(get32(f + 36) % 64, 0);
	assert_memory_equal(mem + get32(f + 36), "FACS", 4);
	assert_int_equal(get32(mem + get32(f + 36) + 4), 64);
	assert_int_equal(get64(f + 132), 0); /* X_FIRMWARE_CTRL: FACS once */
	assert_int_equal(get64(f + 140), get32(f + 40));
}

/* What a guest finds by the legacy scan, through Keel's own parser. */
static void test_parsed(void **state)
{
	struct gacpi_cfg c = pc_cfg();

	assert_int_not_equal(build(&c), 0);
	assert_int_equal(acpi_init(&plat, NULL, &ai), 0);
	assert_int_equal(ai.rsdp_phys, PC_BIOS_AREA);
	assert_int_equal(ai.rsdp_rev, 2);
	assert_true(ai.xsdt);
	assert_int_equal(ai.n_bad, 0);
	/* The root, and what it names: no host table leaks through. */
	assert_int_equal(ai.n_tables, 4);
	assert_string_equal(ai.tables[0].sig, "XSDT");
	assert_string_equal(ai.tables[1].sig, "FACP");
	assert_string_equal(ai.tables[2].sig, "DSDT");
	assert_string_equal(ai.tables[3].sig, "APIC");
	assert_true(ai.have_madt);
	assert_int_equal(ai.lapic_base, 0xfee00000);
	assert_int_equal(ai.n_cpus, 1);
	assert_int_equal(ai.cpus[0].apic_id, 0);
	assert_true(ai.cpus[0].enabled);
	assert_int_equal(ai.n_ioapics, 1);
	assert_int_equal(ai.ioapics[0].id, 1);
	assert_int_equal(ai.ioapics[0].addr, 0xfec00000);
	assert_int_equal(ai.n_overrides, 2);
	assert_int_equal(ai.overrides[0].gsi, 2);
	assert_int_equal(ai.overrides[1].source, 9);
	assert_int_equal(ai.overrides[1].flags, 0xd);
	assert_int_equal(ai.n_nmis, 1);
	assert_int_equal(ai.nmis[0].lint, 1);
	assert_int_equal(ai.n_mcfg, 0); /* no ECAM window for the guest */
	assert_true(ai.fadt.present);
	assert_false(ai.fadt.hw_reduced);
	assert_int_equal(ai.fadt.sci_irq, 9);
	assert_int_equal(ai.fadt.smi_cmd, 0);
	assert_int_equal(ai.fadt.pm1a_evt, 0xb000);
	assert_int_equal(ai.fadt.pm1a_cnt, 0xb004);
	assert_int_equal(ai.fadt.pm1b_cnt, 0);
	assert_int_equal(ai.fadt.pm_tmr, 0xb008);
	assert_false(ai.fadt.pm_tmr_32bit);
	assert_int_equal(ai.fadt.century, 0x32);
	assert_int_equal(ai.fadt.iapc_boot_arch,
			 ACPI_IAPC_LEGACY_DEVICES | ACPI_IAPC_NO_VGA);
	assert_true(ai.fadt.have_reset);
	assert_int_equal(ai.fadt.reset_reg.space, ACPI_GAS_IO);
	assert_int_equal(ai.fadt.reset_reg.addr, 0xcf9);
	assert_int_equal(ai.fadt.reset_value, 6);
	assert_true(ai.have_s5);
	assert_int_equal(ai.s5_slp_typa, 5);
	assert_int_equal(ai.s5_slp_typb, 6);
}

/* An APIC ID above 0xFE needs an x2APIC entry; a 32-bit PM timer. */
static void test_x2apic_and_tmr(void **state)
{
	struct gacpi_cfg c = pc_cfg();

	c.apic_id = 0x123;
	c.pm_tmr_32bit = true;
	assert_int_not_equal(build(&c), 0);
	assert_int_equal(acpi_init(&plat, NULL, &ai), 0);
	assert_int_equal(ai.n_bad, 0);
	assert_int_equal(ai.n_cpus, 1);
	assert_int_equal(ai.cpus[0].apic_id, 0x123);
	assert_true(ai.cpus[0].x2apic);
	assert_true(ai.fadt.pm_tmr_32bit);
}

/* The host's HPET passes through: its table names the same block, and a
 * table that places the block anywhere but aligned memory is refused. */
static void test_hpet(void **state)
{
	struct gacpi_cfg c = pc_cfg();
	const struct acpi_table_ref *t = NULL;
	u8 *h;

	c.hpet = (struct acpi_hpet){ .present = true,
				     .block_id = 0x8086a201,
				     .base = 0xfed00000,
				     .min_tick = 0x80 };
	assert_int_not_equal(build(&c), 0);
	assert_int_equal(acpi_init(&plat, NULL, &ai), 0);
	assert_int_equal(ai.n_bad, 0);
	assert_int_equal(ai.n_tables, 5);
	for (unsigned int i = 0; i < ai.n_tables; i++)
		if (!strcmp(ai.tables[i].sig, "HPET"))
			t = &ai.tables[i];
	assert_non_null(t);
	assert_int_equal(t->len, 56);
	assert_true(ai.hpet.present);
	assert_int_equal(ai.hpet.block_id, 0x8086a201);
	assert_int_equal(ai.hpet.base, 0xfed00000);
	assert_int_equal(ai.hpet.min_tick, 0x80);
	assert_true(ai.have_madt && ai.fadt.present);
	/* The block in I/O space, or misaligned: not believed. */
	h = mem + t->phys;
	h[40] = ACPI_GAS_IO;
	assert_int_equal(acpi_parse_hpet(h, 56, &ai.hpet), -EINVAL);
	assert_false(ai.hpet.present);
	h[40] = ACPI_GAS_MEMORY;
	h[44] = 0x10;
	assert_int_equal(acpi_parse_hpet(h, 56, &ai.hpet), -EINVAL);
	h[44] = 0;
	assert_int_equal(acpi_parse_hpet(h, 55, &ai.hpet), -EINVAL);
	assert_int_equal(acpi_parse_hpet(h, 56, &ai.hpet), 0);
	assert_non_null(strstr(logbuf, "HPET: registers at 0xfed00010"));
}

static u16 get16(const u8 *p)
{
	return (u16)(p[0] | p[1] << 8);
}

/* A two-byte PkgLength (ACPI 6.4 20.2.4): its value. */
static u32 pkglen2(const u8 *p)
{
	assert_int_equal(p[0] >> 6, 1);
	return (p[0] & 0xf) | (u32)p[1] << 4;
}

/*
 * Scope (\_SB) { Device (COM1) Device (RTC) } at the DSDT's end: the
 * bytes `iasl` (20200925) compiles from the ASL in vm/acpi_guest_isa.c,
 * but for the scope's name, which Keel writes from the root ("\_SB_", as
 * for PCI0; iasl drops the '\').
 */
static const u8 isa_aml[] = {
	0x10, 0x4b, 0x05, '\\', '_',  'S',  'B',  '_', /* Scope, PkgLength 91 */
	0x5b, 0x82, 0x2b, 'C',	'O',  'M',  '1', /* Device, PkgLength 43 */
	0x08, '_',  'H',  'I',	'D',  0x0c, 0x41, 0xd0, 0x05, 0x01, 0x08, '_',
	'U',  'I',  'D',  0x01, 0x08, '_',  'C',  'R',	'S',  0x11, 0x10, 0x0a,
	0x0d, 0x47, 0x01, 0xf8, 0x03, 0xf8, 0x03, 0x01, 0x08, /* IO */
	0x22, 0x10, 0x00, /* IRQNoFlags {4} */
	0x79, 0x00, 0x5b, 0x82, 0x25, 'R',  'T',  'C',	'_', /* Device, PkgLength 37 */
	0x08, '_',  'H',  'I',	'D',  0x0c, 0x41, 0xd0, 0x0b, 0x00, 0x08, '_',
	'C',  'R',  'S',  0x11, 0x10, 0x0a, 0x0d, 0x47, 0x01, 0x70, 0x00, 0x70,
	0x00, 0x01, 0x02, /* IO */
	0x22, 0x00, 0x01, /* IRQNoFlags {8} */
	0x79, 0x00,
};
#define ISA_AML_LEN ((u32)sizeof(isa_aml))

static void test_dsdt_isa(void **state)
{
	struct gacpi_cfg c = pc_cfg();
	const u8 *f, *d;
	u32 dlen;

	assert_int_equal(gacpi_isa_aml_len(), ISA_AML_LEN);
	assert_int_not_equal(build(&c), 0);
	f = mem + get64(mem + PC_BIOS_AREA + 24); /* XSDT */
	f = mem + get64(f + 36); /* FADT */
	d = mem + get32(f + 40);
	dlen = get32(d + 4);
	assert_memory_equal(d + dlen - ISA_AML_LEN, isa_aml, ISA_AML_LEN);
	/* Without PCI0 the legacy devices follow _S5 directly. */
	c.pci_mem_lo = 0;
	assert_int_not_equal(build(&c), 0);
	dlen = get32(d + 4);
	assert_int_equal(dlen, 36 + 14 + ISA_AML_LEN);
	assert_int_equal(sum(d, dlen), 0);
	assert_memory_equal(d + 36 + 14, isa_aml, ISA_AML_LEN);
}

/*
 * The DSDT's \_SB.PCI0: the AML framing (each PkgLength ends where the
 * next object starts) and every resource of its _CRS, up to the end tag
 * that closes the buffer exactly.
 */
static void test_dsdt_pci0(void **state)
{
	struct gacpi_cfg c = pc_cfg();
	const u8 *f, *d, *aml, *end, *r, *crs_end;
	u32 dlen;
	int n = 0;

	assert_int_not_equal(build(&c), 0);
	f = mem + get64(mem + PC_BIOS_AREA + 24); /* XSDT */
	f = mem + get64(f + 36); /* FADT */
	d = mem + get32(f + 40);
	dlen = get32(d + 4);
	assert_int_equal(dlen, 36 + 14 + GACPI_PCI0_AML_LEN + ISA_AML_LEN);
	assert_int_equal(sum(d, dlen), 0);
	dlen -= ISA_AML_LEN; /* the legacy devices follow PCI0 */
	aml = d + 36 + 14; /* after Name (_S5, ...) */
	end = d + dlen;
	assert_int_equal(aml[0], 0x10); /* ScopeOp */
	assert_ptr_equal(aml + 1 + pkglen2(aml + 1), end);
	assert_memory_equal(aml + 3, "\\_SB_", 5);
	assert_int_equal(aml[8], 0x5b); /* DeviceOp */
	assert_int_equal(aml[9], 0x82);
	assert_ptr_equal(aml + 10 + pkglen2(aml + 10), end);
	assert_memory_equal(aml + 12, "PCI0", 4);
	assert_memory_equal(aml + 16, "\x08_HID\x0c", 6);
	assert_int_equal(get32(aml + 22), 0x030ad041); /* EisaId PNP0A03 */
	assert_memory_equal(aml + 26, "\x08_UID\x00", 6);
	assert_memory_equal(aml + 32, "\x08_CRS\x11", 6);
	assert_ptr_equal(aml + 38 + pkglen2(aml + 38), end);
	assert_int_equal(aml[40], 0x0a); /* BufferSize, a ByteConst */
	r = aml + 42;
	crs_end = r + aml[41];
	assert_ptr_equal(crs_end, end);
	while (r < crs_end && r[0] != 0x79) {
		u32 len = r[0] & 0x80 ? 3u + get16(r + 1) : 1u + (r[0] & 7);

		switch (n++) {
		case 0: /* buses 0-255 */
			assert_int_equal(r[0], 0x88);
			assert_int_equal(r[3], 2);
			assert_int_equal(get16(r + 10), 0xff);
			assert_int_equal(get16(r + 14), 0x100);
			break;
		case 1: /* mechanism #1 */
			assert_int_equal(r[0], 0x47);
			assert_int_equal(get16(r + 2), 0xcf8);
			assert_int_equal(r[7], 8);
			break;
		case 2:
			assert_int_equal(r[3], 1);
			assert_int_equal(get16(r + 10), 0xcf7);
			assert_int_equal(get16(r + 14), 0xcf8);
			break;
		case 3:
			assert_int_equal(get16(r + 8), 0xd00);
			assert_int_equal(get16(r + 14), 0xf300);
			break;
		case 4: /* VGA window */
			assert_int_equal(r[0], 0x87);
			assert_int_equal(get32(r + 10), 0xa0000);
			assert_int_equal(get32(r + 14), 0xbffff);
			break;
		case 5: /* above guest RAM, below the IOAPIC */
			assert_int_equal(get32(r + 10), 0x8000000);
			assert_int_equal(get32(r + 14), 0xfebfffff);
			assert_int_equal(get32(r + 22), 0xfec00000 - 0x8000000);
			break;
		}
		r += len;
	}
	assert_int_equal(n, 6);
	assert_ptr_equal(r + 2, crs_end);
	/* Keel's own AML scan still finds _S5 before the scope. */
	assert_int_equal(acpi_init(&plat, NULL, &ai), 0);
	assert_true(ai.have_s5);
	/* No window, no PCI0: only the legacy devices follow _S5. */
	c.pci_mem_lo = 0;
	assert_int_not_equal(build(&c), 0);
	assert_int_equal(get32(d + 4), 36 + 14 + ISA_AML_LEN);
}

/* A one-byte PkgLength (ACPI 6.4 20.2.4): bits 6-7 zero, 0-5 the length. */
static u32 pkglen1(const u8 *p)
{
	assert_int_equal(p[0] >> 6, 0);
	return p[0];
}

/*
 * PCI0's _PRT after _CRS: every PkgLength closes where the scope and the
 * device end, and each entry is Package (4) { 0xDDDDFFFF, pin, Zero, GSI }
 * in the order added.
 */
static void test_dsdt_pci0_prt(void **state)
{
	static const struct {
		u8 dev, pin;
		u32 gsi;
	} want[] = { { 2, 1, 11 }, { 1, 4, 9 }, { 31, 2, 23 } };
	struct gacpi_cfg c = pc_cfg();
	const u8 *f, *d, *aml, *end, *p;
	u32 dlen;

	for (unsigned int i = 0; i < ARRAY_SIZE(want); i++)
		assert_int_equal(gacpi_prt_add(&c, want[i].dev, want[i].pin,
					       want[i].gsi),
				 0);
	/* The same pin again: one entry; another GSI for it: refused. */
	assert_int_equal(gacpi_prt_add(&c, 2, 1, 11), 0);
	assert_int_equal(gacpi_prt_add(&c, 2, 1, 10), -EEXIST);
	assert_int_equal(gacpi_prt_add(&c, 2, 0, 11), -EINVAL);
	assert_int_equal(gacpi_prt_add(&c, 2, 5, 11), -EINVAL);
	assert_int_equal(gacpi_prt_add(&c, 32, 1, 11), -EINVAL);
	assert_int_equal(c.n_prt, 3);

	assert_int_not_equal(build(&c), 0);
	f = mem + get64(mem + PC_BIOS_AREA + 24); /* XSDT */
	f = mem + get64(f + 36); /* FADT */
	d = mem + get32(f + 40);
	dlen = get32(d + 4);
	assert_int_equal(dlen, 36 + 14 + GACPI_PCI0_AML_LEN + 9 + 3 * 16 +
				       ISA_AML_LEN);
	assert_int_equal(sum(d, dlen), 0);
	dlen -= ISA_AML_LEN;
	aml = d + 36 + 14;
	end = d + dlen;
	assert_ptr_equal(aml + 1 + pkglen2(aml + 1), end); /* Scope */
	assert_ptr_equal(aml + 10 + pkglen2(aml + 10), end); /* Device */
	assert_memory_equal(aml + 32, "\x08_CRS\x11", 6);
	p = aml + 38 + pkglen2(aml + 38); /* past the _CRS buffer */
	assert_memory_equal(p, "\x08_PRT\x12", 6); /* Name, PackageOp */
	assert_ptr_equal(p + 6 + pkglen2(p + 6), end);
	assert_int_equal(p[8], 3); /* NumElements */
	p += 9;
	for (unsigned int i = 0; i < ARRAY_SIZE(want); i++) {
		assert_int_equal(p[0], 0x12); /* PackageOp */
		assert_int_equal(pkglen1(p + 1), 15);
		assert_int_equal(p[2], 4); /* NumElements */
		assert_int_equal(p[3], 0x0c); /* DWordConst: Address */
		assert_int_equal(get32(p + 4), (u32)want[i].dev << 16 | 0xffff);
		assert_int_equal(p[8], 0x0a); /* ByteConst: Pin, 0 = INTA# */
		assert_int_equal(p[9], want[i].pin - 1);
		assert_int_equal(p[10], 0x00); /* ZeroOp: Source, no link */
		assert_int_equal(p[11], 0x0c); /* DWordConst: Source Index */
		assert_int_equal(get32(p + 12), want[i].gsi);
		p += 1 + pkglen1(p + 1);
	}
	assert_ptr_equal(p, end);
	/* Keel's own AML scan still finds _S5. */
	assert_int_equal(acpi_init(&plat, NULL, &ai), 0);
	assert_true(ai.have_s5);
}

/* A full table refuses more. */
static void test_prt_full(void **state)
{
	struct gacpi_cfg c = pc_cfg();

	for (unsigned int i = 0; i < GACPI_MAX_PRT; i++)
		assert_int_equal(gacpi_prt_add(&c, (u8)(i / 4), (u8)(i % 4 + 1),
					       16 + i),
				 0);
	assert_int_equal(gacpi_prt_add(&c, 8, 1, 11), -ENOSPC);
	assert_int_not_equal(build(&c), 0);
}

static void test_too_small(void **state)
{
	struct gacpi_cfg c = pc_cfg();

	assert_int_equal(gacpi_build(&c, PC_BIOS_AREA, mem, 200), 0);
	assert_int_equal(gacpi_build(&c, PC_BIOS_AREA + 8, mem, 0x1000), 0);
}

/* The guest's platform from the host's: what passes, what is refused. */
static void test_cfg_from_host(void **state)
{
	static struct acpi_info host;
	struct gacpi_cfg c;
	const char *why = NULL;

	memset(&host, 0, sizeof(host));
	assert_int_equal(gacpi_cfg_from(&host, 0, &c, &why), -ENODEV);
	assert_non_null(strstr(why, "MADT"));
	host.have_madt = true;
	host.lapic_base = 0xfee00000;
	host.n_cpus = 2;
	host.cpus[0] = (struct acpi_cpu){ .apic_id = 0, .uid = 1 };
	host.cpus[1] = (struct acpi_cpu){ .apic_id = 2, .uid = 3 };
	host.n_ioapics = 1;
	host.ioapics[0] = (struct acpi_ioapic){ 0, 0xfec00000, 0 };
	host.n_nmis = 3;
	host.nmis[0] = (struct acpi_nmi){ .lapic = true, .uid = 3, .lint = 1 };
	host.nmis[1] = (struct acpi_nmi){ .lapic = true, .uid = 1, .lint = 0 };
	host.nmis[2] = (struct acpi_nmi){ .lapic = false, .gsi = 7 };
	assert_int_equal(gacpi_cfg_from(&host, 2, &c, &why), -ENODEV);
	assert_non_null(strstr(why, "PM1a"));
	host.fadt.present = true;
	host.fadt.pm1a_evt = 0x600;
	host.fadt.pm1a_cnt = 0x604;
	host.fadt.pm_tmr = 0x608;
	host.fadt.sci_irq = 9;
	host.have_s5 = true;
	host.s5_slp_typa = 7;
	assert_int_equal(gacpi_cfg_from(&host, 2, &c, &why), 0);
	assert_int_equal(c.apic_id, 2);
	/* Only the NMI of the CPU that runs the guest (UID 3). */
	assert_int_equal(c.n_nmis, 1);
	assert_int_equal(c.nmis[0].lint, 1);
	assert_int_equal(c.pm1a_evt, 0x600);
	assert_int_equal(c.pm_tmr, 0x608);
	assert_int_equal(c.s5_typa, 7);
	assert_int_equal(c.reset_port, 0xcf9);
	assert_false(c.hpet.present);
	host.hpet = (struct acpi_hpet){ .present = true, .base = 0xfed00000 };
	assert_int_equal(gacpi_cfg_from(&host, 2, &c, &why), 0);
	assert_true(c.hpet.present);
	host.hpet.base = 0x100000000ULL;
	assert_int_equal(gacpi_cfg_from(&host, 2, &c, &why), 0);
	assert_false(c.hpet.present);
	/* A LAPIC above 4 GiB cannot be named in the MADT's 32-bit field. */
	host.lapic_base = 0x100000000ULL;
	assert_int_equal(gacpi_cfg_from(&host, 2, &c, &why), -ENODEV);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)
		T(test_checksums),	T(test_parsed),
		T(test_x2apic_and_tmr), T(test_dsdt_pci0),
		T(test_dsdt_pci0_prt),	T(test_prt_full),
		T(test_too_small),	T(test_cfg_from_host),
		T(test_hpet),		T(test_dsdt_isa),
#undef T
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
