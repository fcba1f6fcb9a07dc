/* SPDX-License-Identifier: MIT */
/*
 * The test=ahci data pattern and the LBA ranges it is written to. The table
 * in docs/ahci.md is the reference; ahci_pattern.c holds the same list for
 * Keel and tests/system/ahci_pattern.py parses the doc. The host test
 * test_ahci_pattern.c fails when the C list and the doc disagree.
 */
#ifndef KEEL_TESTS_KERNEL_AHCI_PATTERN_H
#define KEEL_TESTS_KERNEL_AHCI_PATTERN_H

#include "core/types.h"

#define AHCI_PATTERN_SECTOR 512
#define AHCI_PATTERN_WORDS (AHCI_PATTERN_SECTOR / 8)
#define AHCI_PATTERN_MUL_LBA 0x9E3779B97F4A7C15ULL
#define AHCI_PATTERN_MUL_WORD 0xC2B2AE3D27D4EB4FULL

/* How the self-test lays out a request's buffer in memory. */
enum ahci_buf_layout {
	AHCI_BUF_CONTIG, /* physically contiguous pages */
	AHCI_BUF_SCATTER, /* every other page: one segment per page */
	AHCI_BUF_SUBPAGE, /* one 512-byte segment per page, odd offsets */
};

struct ahci_pattern_range {
	const char *name;
	s64 lba; /* first LBA; negative counts back from the disk's end */
	u32 sectors; /* per request */
	u32 repeat; /* requests, submitted together */
	u32 stride; /* sectors from one request's start to the next */
	enum ahci_buf_layout layout;
	bool fua;
};

extern const struct ahci_pattern_range ahci_pattern_ranges[];
extern const unsigned int ahci_pattern_nranges;

/* Smallest disk (in 512-byte sectors) the ranges fit on. */
#define AHCI_PATTERN_MIN_SECTORS 1048576ULL /* 512 MiB */

/* Word @i (0..63) of sector @lba. */
static inline u64 ahci_pattern_word(u64 lba, unsigned int i)
{
	return (lba * AHCI_PATTERN_MUL_LBA) ^
	       ((u64)(i + 1) * AHCI_PATTERN_MUL_WORD);
}

/* Fill / check @nsect sectors at @buf as LBAs @lba onward. */
void ahci_pattern_fill(void *buf, u64 lba, u32 nsect);
/* Byte offset of the first wrong byte, or -1 when all match. */
long ahci_pattern_check(const void *buf, u64 lba, u32 nsect);

/* First LBA of request @k of @r on a disk of @capacity sectors. */
u64 ahci_pattern_req_lba(const struct ahci_pattern_range *r, u64 capacity,
			 unsigned int k);

const char *ahci_buf_layout_name(enum ahci_buf_layout l);

#endif
