// SPDX-License-Identifier: MIT
/*
 * Host tests of the test=ahci pattern: known words, byte order, the checker
 * finding a single wrong byte, and the range lists of test=ahci and test=ata
 * agreeing with the tables in docs/ahci.md and docs/ata.md (which
 * tests/system/ahci_pattern.py reads).
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tests/kernel/ahci_pattern.h"
#include "tests/kernel/ata_pattern.h"

static void test_known_words(void **state)
{
	(void)state;
	assert_int_equal(ahci_pattern_word(0, 0), 0xC2B2AE3D27D4EB4FULL);
	assert_int_equal(ahci_pattern_word(1, 0), 0x5c85d784589e975aULL);
	assert_int_equal(ahci_pattern_word(123456, 63), 0xada63f43e5045c80ULL);
}

static void test_fill_le(void **state)
{
	u8 buf[2 * 512];

	(void)state;
	ahci_pattern_fill(buf, 0, 2);
	/* Little endian: the low byte of word 0 first. */
	assert_int_equal(buf[0], 0x4f);
	assert_int_equal(buf[7], 0xc2);
	/* Sector 1, word 0 starts at byte 512. */
	assert_int_equal(buf[512], 0x5a);
	assert_int_equal(ahci_pattern_check(buf, 0, 2), -1);
	/* The same data is wrong for another LBA. */
	assert_int_equal(ahci_pattern_check(buf, 1, 1), 0);
}

static void test_check_finds_byte(void **state)
{
	static u8 buf[8 * 512];

	(void)state;
	ahci_pattern_fill(buf, 1000, 8);
	for (long off = 0; off < (long)sizeof(buf); off += 509) {
		buf[off] ^= 0x10;
		assert_int_equal(ahci_pattern_check(buf, 1000, 8), off);
		buf[off] ^= 0x10;
	}
	assert_int_equal(ahci_pattern_check(buf, 1000, 8), -1);
}

static void check_ranges_sane(const struct ahci_pattern_range *rs, unsigned n,
			      u64 cap)
{
	for (unsigned i = 0; i < n; i++) {
		const struct ahci_pattern_range *r = &rs[i];
		u64 first = ahci_pattern_req_lba(r, cap, 0);
		u64 last = ahci_pattern_req_lba(r, cap, r->repeat - 1) +
			   r->sectors;

		assert_true(r->sectors > 0 && r->repeat > 0);
		assert_true(r->repeat == 1 || r->stride >= r->sectors);
		assert_true(first > 0 && last <= cap);
		/* No two ranges overlap, so the image check is unambiguous. */
		for (unsigned j = 0; j < i; j++) {
			const struct ahci_pattern_range *q = &rs[j];
			u64 qf = ahci_pattern_req_lba(q, cap, 0);
			u64 ql = ahci_pattern_req_lba(q, cap, q->repeat - 1) +
				 q->sectors;

			assert_true(last <= qf || first >= ql);
		}
	}
}

static void test_ranges_sane(void **state)
{
	(void)state;
	assert_true(ahci_pattern_nranges >= 8);
	check_ranges_sane(ahci_pattern_ranges, ahci_pattern_nranges,
			  AHCI_PATTERN_MIN_SECTORS);
	/* Negative LBAs count back from the end. */
	struct ahci_pattern_range tail = { "t", -16, 16, 1, 0, 0, false };
	assert_int_equal(ahci_pattern_req_lba(&tail, 1000, 0), 984);
}

static void test_ata_ranges_sane(void **state)
{
	bool pio = false;

	(void)state;
	assert_true(ata_pattern_nranges >= 8);
	check_ranges_sane(ata_pattern_ranges, ata_pattern_nranges,
			  ATA_PATTERN_MIN_SECTORS);
	for (unsigned i = 0; i < ata_pattern_nranges; i++) {
		/* IDE commands carry at most 65535 sectors; no FUA. */
		assert_true(ata_pattern_ranges[i].sectors <= 65535);
		assert_false(ata_pattern_ranges[i].fua);
		pio = pio || !strcmp(ata_pattern_ranges[i].name,
				     ATA_PATTERN_PIO_RANGE);
	}
	assert_true(pio);
}

/* Parse the docs table between the markers; returns the row count. */
static unsigned parse_doc(const char *path, const char *tag,
			  struct ahci_pattern_range *out, unsigned max,
			  char names[][32])
{
	FILE *f = fopen(path, "r");
	char begin[64], end[64];
	char line[512], buf[16], fua[8];
	bool in = false;
	unsigned n = 0;

	assert_non_null(f);
	snprintf(begin, sizeof(begin), "<!-- %s-ranges:begin -->", tag);
	snprintf(end, sizeof(end), "<!-- %s-ranges:end -->", tag);
	while (fgets(line, sizeof(line), f)) {
		long long lba;
		unsigned sec, rep, stride;

		if (strstr(line, begin))
			in = true;
		else if (strstr(line, end))
			in = false;
		else if (in && n < max &&
			 sscanf(line,
				"| %31s | %lld | %u | %u | %u | %15s | %7s |",
				names[n], &lba, &sec, &rep, &stride, buf,
				fua) == 7) {
			out[n].name = names[n];
			out[n].lba = lba;
			out[n].sectors = sec;
			out[n].repeat = rep;
			out[n].stride = stride;
			out[n].layout =
				!strcmp(buf, "contig")	? AHCI_BUF_CONTIG :
				!strcmp(buf, "scatter") ? AHCI_BUF_SCATTER :
				!strcmp(buf, "subpage") ? AHCI_BUF_SUBPAGE :
							  99;
			out[n].fua = !strcmp(fua, "yes");
			n++;
		}
	}
	fclose(f);
	return n;
}

static void check_match_doc(const char *path, const char *tag,
			    const struct ahci_pattern_range *rs, unsigned nr)
{
	struct ahci_pattern_range doc[64];
	char names[64][32];
	unsigned n;

	n = parse_doc(path, tag, doc, 64, names);
	assert_int_equal(n, nr);
	for (unsigned i = 0; i < n; i++) {
		const struct ahci_pattern_range *r = &rs[i];

		assert_string_equal(doc[i].name, r->name);
		assert_int_equal(doc[i].lba, r->lba);
		assert_int_equal(doc[i].sectors, r->sectors);
		assert_int_equal(doc[i].repeat, r->repeat);
		assert_int_equal(doc[i].stride, r->stride);
		assert_int_equal(doc[i].layout, r->layout);
		assert_int_equal(doc[i].fua, r->fua);
	}
}

static void test_ranges_match_doc(void **state)
{
	(void)state;
	check_match_doc(getenv("AHCI_DOC") ? getenv("AHCI_DOC") :
					     "docs/ahci.md",
			"ahci", ahci_pattern_ranges, ahci_pattern_nranges);
}

static void test_ata_ranges_match_doc(void **state)
{
	(void)state;
	check_match_doc(getenv("ATA_DOC") ? getenv("ATA_DOC") : "docs/ata.md",
			"ata", ata_pattern_ranges, ata_pattern_nranges);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_known_words),
		cmocka_unit_test(test_fill_le),
		cmocka_unit_test(test_check_finds_byte),
		cmocka_unit_test(test_ranges_sane),
		cmocka_unit_test(test_ranges_match_doc),
		cmocka_unit_test(test_ata_ranges_sane),
		cmocka_unit_test(test_ata_ranges_match_doc),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
