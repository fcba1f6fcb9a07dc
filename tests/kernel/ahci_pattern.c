// SPDX-License-Identifier: MIT
/*
 * The test=ahci pattern: in sector L, little-endian 64-bit word i
 * holds (L * 0x9E3779B97F4A7C15) ^ ((i + 1) * 0xC2B2AE3D27D4EB4F).
 * Keep ahci_pattern_ranges[] identical to the table in docs/ahci.md.
 */
#include "core/lib.h"
#include "tests/kernel/ahci_pattern.h"

const struct ahci_pattern_range ahci_pattern_ranges[] = {
	/* name, lba, sectors, repeat, stride, layout, fua */
	{ "single", 1, 1, 1, 0, AHCI_BUF_CONTIG, false },
	{ "page", 8, 8, 1, 0, AHCI_BUF_CONTIG, false },
	{ "scatter", 100, 64, 1, 0, AHCI_BUF_SCATTER, false },
	{ "subpage", 2047, 3, 1, 0, AHCI_BUF_SUBPAGE, false },
	{ "large", 65536, 2048, 1, 0, AHCI_BUF_CONTIG, false },
	{ "bigscatter", 200003, 1024, 1, 0, AHCI_BUF_SCATTER, false },
	{ "burst", 300000, 8, 32, 64, AHCI_BUF_SCATTER, false },
	{ "adjacent", 400000, 16, 4, 16, AHCI_BUF_CONTIG, false },
	{ "fua", 500000, 8, 1, 0, AHCI_BUF_CONTIG, true },
	{ "split4m", 600000, 16384, 1, 0, AHCI_BUF_CONTIG, false },
	{ "tail", -16, 16, 1, 0, AHCI_BUF_SCATTER, false },
};
const unsigned int ahci_pattern_nranges = ARRAY_SIZE(ahci_pattern_ranges);

static void put_le64(u8 *p, u64 v)
{
	for (int b = 0; b < 8; b++)
		p[b] = (u8)(v >> (8 * b));
}

void ahci_pattern_fill(void *buf, u64 lba, u32 nsect)
{
	u8 *p = buf;

	for (u32 s = 0; s < nsect; s++)
		for (unsigned int i = 0; i < AHCI_PATTERN_WORDS; i++, p += 8)
			put_le64(p, ahci_pattern_word(lba + s, i));
}

long ahci_pattern_check(const void *buf, u64 lba, u32 nsect)
{
	const u8 *p = buf;
	u8 want[8];

	for (u32 s = 0; s < nsect; s++) {
		for (unsigned int i = 0; i < AHCI_PATTERN_WORDS; i++) {
			put_le64(want, ahci_pattern_word(lba + s, i));
			for (int b = 0; b < 8; b++, p++)
				if (*p != want[b])
					return (long)(p - (const u8 *)buf);
		}
	}
	return -1;
}

u64 ahci_pattern_req_lba(const struct ahci_pattern_range *r, u64 capacity,
			 unsigned int k)
{
	u64 first = r->lba >= 0 ? (u64)r->lba : capacity - (u64)(-r->lba);

	return first + (u64)k * r->stride;
}

const char *ahci_buf_layout_name(enum ahci_buf_layout l)
{
	switch (l) {
	case AHCI_BUF_CONTIG:
		return "contig";
	case AHCI_BUF_SCATTER:
		return "scatter";
	case AHCI_BUF_SUBPAGE:
		return "subpage";
	}
	return "?";
}
