// SPDX-License-Identifier: MIT
/*
 * The test=ata ranges. Keep ata_pattern_ranges[] identical to the table in
 * docs/ata.md (tests/system/ahci_pattern.py reads the doc).
 */
#include "core/lib.h"
#include "tests/kernel/ata_pattern.h"

const struct ahci_pattern_range ata_pattern_ranges[] = {
	/* name, lba, sectors, repeat, stride, layout, fua */
	{ "single", 1, 1, 1, 0, AHCI_BUF_CONTIG, false },
	{ "page", 8, 8, 1, 0, AHCI_BUF_CONTIG, false },
	{ "scatter", 100, 64, 1, 0, AHCI_BUF_SCATTER, false },
	{ "subpage", 2047, 3, 1, 0, AHCI_BUF_SUBPAGE, false },
	{ "boundary", 2400, 512, 1, 0, AHCI_BUF_CONTIG, false },
	{ "bigscatter", 3003, 1024, 1, 0, AHCI_BUF_SCATTER, false },
	{ "burst", 5000, 8, 16, 64, AHCI_BUF_SCATTER, false },
	{ "adjacent", 7000, 16, 4, 16, AHCI_BUF_CONTIG, false },
	{ "large", 8000, 4096, 1, 0, AHCI_BUF_CONTIG, false },
	{ "pio", 13000, 24, 1, 0, AHCI_BUF_SUBPAGE, false },
	{ "tail", -16, 16, 1, 0, AHCI_BUF_SCATTER, false },
};
const unsigned int ata_pattern_nranges = ARRAY_SIZE(ata_pattern_ranges);
