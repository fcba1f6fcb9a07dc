// SPDX-License-Identifier: MIT
/*
 * Host tests of the IDENTIFY DEVICE parser: a page shaped like QEMU's
 * "QEMU HARDDISK" (LBA48, NCQ depth 32), sector-size variants, the word 255
 * checksum, and malformed or edge data.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <stdlib.h>
#include <string.h>

#include "drivers/ata/ata.h"

static u16 w[ATA_ID_WORDS];

/* Store @s as an ATA string: space padded, first character in 15:8. */
static void put_str(unsigned word, unsigned nchars, const char *s)
{
	size_t len = strlen(s);

	for (unsigned i = 0; i < nchars; i += 2) {
		u8 hi = i < len ? (u8)s[i] : ' ';
		u8 lo = i + 1 < len ? (u8)s[i + 1] : ' ';

		w[word + i / 2] = (u16)(hi << 8 | lo);
	}
}

static void put_lba48(u64 n)
{
	for (int i = 0; i < 4; i++)
		w[100 + i] = (u16)(n >> (16 * i));
}

/*
 * The words QEMU 7.2's ide_identify() sets for an ide-hd on ich9-ahci with a
 * 1 GiB image (hw/ide/core.c): no FUA, no GPL, no word 255 signature.
 */
static void qemu_harddisk(void)
{
	memset(w, 0, sizeof(w));
	w[0] = 0x0040;
	put_str(10, 20, "QM00001");
	put_str(23, 8, "2.5+");
	put_str(27, 40, "QEMU HARDDISK");
	w[47] = 0x8000 | 16;
	w[49] = BIT(11) | BIT(9) | BIT(8);
	w[53] = 1 | 2 | 4;
	w[60] = 0x0000; /* 2097152 sectors = 0x200000 */
	w[61] = 0x0020;
	w[75] = 31; /* queue depth 32 */
	w[76] = BIT(8) | BIT(2) | BIT(1);
	w[80] = 0xf0;
	w[81] = 0x16;
	w[82] = BIT(14) | BIT(5) | BIT(0);
	w[83] = BIT(14) | BIT(13) | BIT(12) | BIT(10);
	w[84] = BIT(14);
	w[85] = BIT(14) | BIT(5) | BIT(0);
	w[86] = BIT(13) | BIT(12) | BIT(10);
	w[87] = BIT(14);
	put_lba48(2097152);
}

static void sign(void)
{
	u8 sum = 0;

	w[255] = ATA_ID_INTEGRITY_SIG;
	for (int i = 0; i < 255; i++)
		sum += (u8)w[i] + (u8)(w[i] >> 8);
	sum += ATA_ID_INTEGRITY_SIG;
	w[255] |= (u16)((u8)(0x100 - sum) << 8);
}

static void test_qemu_harddisk(void **state)
{
	struct ata_identity id;
	char line[256];

	(void)state;
	qemu_harddisk();
	assert_int_equal(ata_parse_identify(w, &id), 0);
	assert_string_equal(id.model, "QEMU HARDDISK");
	assert_string_equal(id.serial, "QM00001");
	assert_string_equal(id.firmware, "2.5+");
	assert_true(id.lba48);
	assert_int_equal(id.sectors, 2097152);
	assert_int_equal(id.logical_sector_size, 512);
	assert_int_equal(id.physical_sector_size, 512);
	assert_true(id.ncq);
	assert_int_equal(id.queue_depth, 32);
	assert_true(id.write_cache);
	assert_true(id.write_cache_enabled);
	assert_true(id.flush_ext);
	assert_false(id.fua);
	assert_false(id.log_ext);
	assert_false(id.has_checksum);
	/* Word 217 is 0, "not reported": a rotating disk. */
	assert_false(id.nonrotational);
	w[ATA_ID_ROTATION_RATE] = ATA_ID_ROTATION_NONE;
	assert_int_equal(ata_parse_identify(w, &id), 0);
	assert_true(id.nonrotational);
	w[ATA_ID_ROTATION_RATE] = 7200;
	assert_int_equal(ata_parse_identify(w, &id), 0);
	assert_false(id.nonrotational);
	w[ATA_ID_ROTATION_RATE] = 0;

	ata_identity_summary(&id, line, sizeof(line));
	assert_non_null(strstr(line, "\"QEMU HARDDISK\""));
	assert_non_null(strstr(line, "2097152 sectors (1024 MiB)"));
	assert_non_null(strstr(line, "NCQ 32"));
	assert_non_null(strstr(line, "LBA48"));
	assert_null(strstr(line, "FUA"));
}

static void test_big_lba48_and_fua(void **state)
{
	struct ata_identity id;

	(void)state;
	qemu_harddisk();
	put_lba48(0x0000123456789abcULL);
	w[84] |= ATA_ID_CMDSET_EXT_FUA | ATA_ID_CMDSET_EXT_GPL;
	w[87] |= ATA_ID_CMDSET_EXT_FUA;
	assert_int_equal(ata_parse_identify(w, &id), 0);
	assert_int_equal(id.sectors, 0x0000123456789abcULL);
	assert_true(id.fua);
	assert_true(id.log_ext);

	/* FUA supported but not enabled (87) is not usable. */
	w[87] &= (u16)~ATA_ID_CMDSET_EXT_FUA;
	assert_int_equal(ata_parse_identify(w, &id), 0);
	assert_false(id.fua);
}

static void test_lba28_fallback(void **state)
{
	struct ata_identity id;

	(void)state;
	/* LBA48 supported but words 100-103 zero: words 60-61 count. */
	qemu_harddisk();
	put_lba48(0);
	assert_int_equal(ata_parse_identify(w, &id), 0);
	assert_int_equal(id.sectors, 2097152);

	/* No LBA48 at all: 60-61 even when 100-103 hold garbage. */
	qemu_harddisk();
	w[83] &= (u16)~ATA_ID_CMDSET2_LBA48;
	w[86] &= (u16)~ATA_ID_CMDSET2_LBA48;
	put_lba48(0xdeadbeef);
	w[60] = 0x1234;
	w[61] = 0x0fff;
	assert_int_equal(ata_parse_identify(w, &id), 0);
	assert_false(id.lba48);
	assert_int_equal(id.sectors, 0x0fff1234);
}

static void test_sector_sizes(void **state)
{
	struct ata_identity id;

	(void)state;
	/* 512e: 8 logical per physical. */
	qemu_harddisk();
	w[106] = BIT(14) | BIT(13) | 3;
	assert_int_equal(ata_parse_identify(w, &id), 0);
	assert_int_equal(id.logical_sector_size, 512);
	assert_int_equal(id.physical_sector_size, 4096);

	/* 4Kn: logical size in words 117-118. */
	qemu_harddisk();
	w[106] = BIT(14) | BIT(12);
	w[117] = 2048;
	w[118] = 0;
	assert_int_equal(ata_parse_identify(w, &id), 0);
	assert_int_equal(id.logical_sector_size, 4096);
	assert_int_equal(id.physical_sector_size, 4096);

	/* Bits 3:0 without bit 13 mean nothing. */
	qemu_harddisk();
	w[106] = BIT(14) | 3;
	assert_int_equal(ata_parse_identify(w, &id), 0);
	assert_int_equal(id.physical_sector_size, 512);

	/* Word 106 not valid (bit 15 set): defaults, even with bit 12. */
	qemu_harddisk();
	w[106] = 0xffff;
	w[117] = 0x1;
	assert_int_equal(ata_parse_identify(w, &id), 0);
	assert_int_equal(id.logical_sector_size, 512);
	assert_int_equal(id.physical_sector_size, 512);

	/* A logical size that is no power of two is refused. */
	qemu_harddisk();
	w[106] = BIT(14) | BIT(12);
	w[117] = 260;
	assert_int_equal(ata_parse_identify(w, &id), -EINVAL);
	w[117] = 0;
	assert_int_equal(ata_parse_identify(w, &id), -EINVAL);

	/* Words 117-118 count words: 0x80000100 words is not 512 bytes
	 * (doubling it in 32 bits would wrap to that). */
	w[117] = 0x0100;
	w[118] = 0x8000;
	assert_int_equal(ata_parse_identify(w, &id), -EINVAL);
}

static void test_ncq_edges(void **state)
{
	struct ata_identity id;

	(void)state;
	qemu_harddisk();
	w[76] = 0xffff; /* not a SATA device: word 76 is not defined */
	assert_int_equal(ata_parse_identify(w, &id), 0);
	assert_false(id.ncq);
	assert_int_equal(id.queue_depth, 1);

	qemu_harddisk();
	w[75] = 0; /* depth 1 */
	assert_int_equal(ata_parse_identify(w, &id), 0);
	assert_false(id.ncq);
	assert_int_equal(id.queue_depth, 1);

	qemu_harddisk();
	w[75] = 0xffe7; /* reserved bits set, depth field 7 -> 8 */
	assert_int_equal(ata_parse_identify(w, &id), 0);
	assert_true(id.ncq);
	assert_int_equal(id.queue_depth, 8);
}

static void test_invalid_words(void **state)
{
	struct ata_identity id;

	(void)state;
	/* Word 83 with bit 15 set is not valid: no LBA48, no flush ext. */
	qemu_harddisk();
	w[83] = 0xffff;
	assert_int_equal(ata_parse_identify(w, &id), 0);
	assert_false(id.lba48);
	assert_false(id.flush_ext);

	/* Write cache supported but disabled. */
	qemu_harddisk();
	w[85] &= (u16)~ATA_ID_CMDSET1_WCACHE;
	assert_int_equal(ata_parse_identify(w, &id), 0);
	assert_true(id.write_cache);
	assert_false(id.write_cache_enabled);
}

static void test_checksum(void **state)
{
	struct ata_identity id;

	(void)state;
	qemu_harddisk();
	sign();
	assert_int_equal(ata_parse_identify(w, &id), 0);
	assert_true(id.has_checksum);

	w[27] ^= 0x0100; /* one flipped bit */
	assert_int_equal(ata_parse_identify(w, &id), -EIO);
}

static void test_malformed(void **state)
{
	struct ata_identity id;

	(void)state;
	qemu_harddisk();
	w[0] = 0x8580; /* ATAPI-style word 0 */
	assert_int_equal(ata_parse_identify(w, &id), -EINVAL);

	qemu_harddisk();
	w[49] &= (u16)~ATA_ID_CAP_LBA;
	assert_int_equal(ata_parse_identify(w, &id), -EINVAL);

	qemu_harddisk();
	put_lba48(0);
	w[60] = w[61] = 0;
	assert_int_equal(ata_parse_identify(w, &id), -EINVAL);

	qemu_harddisk();
	put_lba48(0xffffffffffffffffULL); /* beyond 2^48 sectors */
	assert_int_equal(ata_parse_identify(w, &id), -EINVAL);

	/* All-zero and all-ones pages (no device, floating bus). */
	memset(w, 0, sizeof(w));
	assert_int_equal(ata_parse_identify(w, &id), -EINVAL);
	memset(w, 0xff, sizeof(w));
	assert_int_not_equal(ata_parse_identify(w, &id), 0);
}

static void test_strings(void **state)
{
	char out[ATA_ID_MODEL_LEN + 1];
	u16 s[4];

	(void)state;
	/* "AB" "CD" -> byte-swapped words. */
	s[0] = 0x4142;
	s[1] = 0x4344;
	s[2] = 0x2020;
	s[3] = 0x2020;
	ata_id_string(s, 4, out);
	assert_string_equal(out, "ABCD");

	/* All spaces give the empty string. */
	s[0] = s[1] = 0x2020;
	ata_id_string(s, 4, out);
	assert_string_equal(out, "");

	/* NUL padding is trimmed too; embedded spaces stay. */
	s[0] = 0x4120;
	s[1] = 0x4200;
	s[2] = 0x0000;
	s[3] = 0x0000;
	ata_id_string(s, 4, out);
	assert_string_equal(out, "A B");

	/* Control bytes become '?'. */
	s[0] = 0x4101;
	s[1] = 0x2020;
	ata_id_string(s, 2, out);
	assert_string_equal(out, "A?");

	/* A full-length model with no padding keeps all 40 characters. */
	qemu_harddisk();
	put_str(27, 40, "0123456789012345678901234567890123456789");
	ata_id_string(&w[27], 20, out);
	assert_int_equal(strlen(out), 40);
	assert_int_equal(out[39], '9');
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_qemu_harddisk),
		cmocka_unit_test(test_big_lba48_and_fua),
		cmocka_unit_test(test_lba28_fallback),
		cmocka_unit_test(test_sector_sizes),
		cmocka_unit_test(test_ncq_edges),
		cmocka_unit_test(test_invalid_words),
		cmocka_unit_test(test_checksum),
		cmocka_unit_test(test_malformed),
		cmocka_unit_test(test_strings),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
