// SPDX-License-Identifier: MIT
/*
 * libFuzzer target for the parsers of what firmware and the boot loader
 * hand Keel. The first byte picks the parser; the rest is its input, in a
 * buffer of exactly that size so that ASan sees any read past it:
 *
 *  0: the multiboot2 information (boot/multiboot2.c);
 *  1: ACPI discovery (arch/x86/acpi_tables.c): the input is the BIOS area
 *     (0xE0000, scanned for the RSDP) and, past 128 KiB, low memory from
 *     0x1000, of a fake physical memory that map() bounds;
 *  2: the single-table parsers: MADT, MCFG, FADT, HPET, DMAR, \_S5;
 *  3: a multiboot (v1) guest image, parsed and loaded;
 *  4: a Linux bzImage, parsed and loaded;
 *  5: an ATA IDENTIFY page;
 *  6: the command line (core/options.c with Keel's option table).
 *
 * Guest memory writes outside the fake guest RAM abort: the loaders must
 * check first. Seeds: python3 tests/fuzz/boot_seeds.py.
 */
#include <stdlib.h>
#include <string.h>

#include "arch/x86/acpi.h"
#include "boot/boot.h"
#include "boot/options.h"
#include "core/console.h"
#include "core/options.h"
#include "core/selftest.h"
#include "drivers/ata/ata.h"
#include "vm/linux_boot.h"
#include "vm/mb1.h"

#define MODES 7
#define PHYS_BYTES MiB(1)
#define BIOS_AREA 0xe0000u
#define BIOS_AREA_LEN 0x20000u
#define LOW_AREA 0x1000u
#define LOW_AREA_LEN 0x80000u
#define GUEST_BYTES MiB(64)
#define GUEST_RAM MiB(32)
#define HOLE_START 0xa0000u
#define HOLE_END 0x100000u

static u8 *phys, *guest;

/* The parsers' lines are not needed; their return values are. */
int printk(int level, const char *fmt, ...)
{
	return 0;
}

/* boot/options_table.c names these; no self-test or elevator is run. */
const struct selftest *selftest_at(enum selftest_kind kind, unsigned int i)
{
	return NULL;
}

const char *blk_elevator_at(unsigned int i)
{
	return i == 0 ? "noop" : NULL;
}

static const void *phys_map(u64 addr, u64 len, void *ctx)
{
	if (addr > PHYS_BYTES || len > PHYS_BYTES - addr)
		return NULL;
	return phys + addr;
}

static const struct acpi_platform plat = { .map = phys_map };

static int guest_write(void *ctx, u64 gpa, const void *buf, size_t len)
{
	if (gpa > GUEST_BYTES || len > GUEST_BYTES - gpa)
		abort();
	memcpy(guest + gpa, buf, len);
	return 0;
}

static int guest_zero(void *ctx, u64 gpa, size_t len)
{
	if (gpa > GUEST_BYTES || len > GUEST_BYTES - gpa)
		abort();
	memset(guest + gpa, 0, len);
	return 0;
}

static const struct mb1_mem_ops guest_ops = { guest_write, guest_zero, NULL };

static void acpi_discovery(const u8 *d, size_t n)
{
	static struct acpi_info ai;
	size_t bios = MIN(n, (size_t)BIOS_AREA_LEN);

	memset(phys, 0, PHYS_BYTES);
	memcpy(phys + BIOS_AREA, d, bios);
	memcpy(phys + LOW_AREA, d + bios, MIN(n - bios, (size_t)LOW_AREA_LEN));
	acpi_init(&plat, NULL, &ai);
}

static void acpi_tables(const u8 *d, size_t n)
{
	static struct acpi_info ai;
	u8 a, b;

	memset(&ai, 0, sizeof(ai));
	acpi_parse_madt(d, (u32)n, &ai);
	acpi_parse_mcfg(d, (u32)n, &ai);
	acpi_parse_fadt(d, (u32)n, &ai.fadt);
	acpi_parse_hpet(d, (u32)n, &ai.hpet);
	acpi_parse_dmar(d, (u32)n, &ai.dmar);
	acpi_find_s5(d, (u32)n, &a, &b);
}

static void mb1_image(const u8 *d, size_t n)
{
	static struct mb1_machine m;
	struct mb1_image im;
	char err[160];
	u32 mbi;

	memset(&m, 0, sizeof(m));
	m.mem_size = GUEST_RAM;
	m.hole_start = HOLE_START;
	m.hole_end = HOLE_END;
	m.cmdline = "x";
	if (!mb1_parse(d, n, &im, err, sizeof(err)))
		mb1_load(d, &im, &m, &guest_ops, &mbi, err, sizeof(err));
}

static void linux_image(const u8 *d, size_t n)
{
	struct lx_machine m = { .mem_size = GUEST_RAM, .cmdline = "quiet" };
	struct lx_image im;
	struct lx_layout lay;
	char err[160];

	if (!lx_parse(d, n, &im, err, sizeof(err)))
		lx_load(d, &im, &m, &guest_ops, &lay, err, sizeof(err));
}

static void ata_page(const u8 *d, size_t n)
{
	u16 w[ATA_ID_WORDS];
	struct ata_identity id;
	char line[200];

	if (n < sizeof(w))
		return;
	memcpy(w, d, sizeof(w));
	if (!ata_parse_identify(w, &id))
		ata_identity_summary(&id, line, sizeof(line));
}

static void cmdline(const u8 *d, size_t n)
{
	static struct keel_options o;
	char *s = malloc(n + 1);

	if (!s)
		return;
	memcpy(s, d, n);
	s[n] = '\0';
	opt_parse(&keel_option_table, &o, s, NULL, NULL);
	free(s);
}

int LLVMFuzzerTestOneInput(const u8 *data, size_t size)
{
	static struct boot_info bi;
	char err[160];
	u8 *in;

	if (!phys) {
		phys = malloc(PHYS_BYTES);
		guest = malloc(GUEST_BYTES);
		if (!phys || !guest)
			abort();
	}
	if (!size)
		return 0;
	in = malloc(size - 1 ? size - 1 : 1);
	if (!in)
		abort();
	memcpy(in, data + 1, size - 1);
	switch (data[0] % MODES) {
	case 0:
		mb2_parse(in, size - 1, &bi, err, sizeof(err));
		break;
	case 1:
		acpi_discovery(in, size - 1);
		break;
	case 2:
		acpi_tables(in, size - 1);
		break;
	case 3:
		mb1_image(in, size - 1);
		break;
	case 4:
		linux_image(in, size - 1);
		break;
	case 5:
		ata_page(in, size - 1);
		break;
	default:
		cmdline(in, size - 1);
		break;
	}
	free(in);
	return 0;
}
