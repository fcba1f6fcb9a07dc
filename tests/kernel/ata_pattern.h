/* SPDX-License-Identifier: MIT */
/*
 * The test=ata ranges: the test=ahci pattern (ahci_pattern.h) over ranges
 * scaled down for a small disk (Bochs keeps its run short). The table in
 * docs/ata.md is the reference; ata_pattern.c holds the same list, and
 * tests/host/test_ahci_pattern.c fails when they disagree.
 */
#ifndef KEEL_TESTS_KERNEL_ATA_PATTERN_H
#define KEEL_TESTS_KERNEL_ATA_PATTERN_H

#include "tests/kernel/ahci_pattern.h"

extern const struct ahci_pattern_range ata_pattern_ranges[];
extern const unsigned int ata_pattern_nranges;

/* Smallest disk the ranges fit on: Bochs C=20, H=16, S=63 (20160). */
#define ATA_PATTERN_MIN_SECTORS 20160ULL
/* The range test=ata writes and reads with PIO; the rest go by DMA. */
#define ATA_PATTERN_PIO_RANGE "pio"

#endif
