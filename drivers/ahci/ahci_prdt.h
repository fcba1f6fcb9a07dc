/* SPDX-License-Identifier: MIT */
/*
 * PRDT construction and the queue limits it implies. Pure: the host tests
 * build PRDTs from segment lists without any hardware.
 */
#ifndef KEEL_DRIVERS_AHCI_PRDT_H
#define KEEL_DRIVERS_AHCI_PRDT_H

#include "core/types.h"
#include "drivers/ahci/ahci_regs.h"

/*
 * One physically contiguous piece of a transfer. The block layer's bio_vec
 * {page, len, offset} becomes {page + offset, len}.
 */
struct ahci_seg {
	u64 addr;
	u32 len;
};

/*
 * Command tables are one page each: the 80h-byte header and this many PRDT
 * entries fill it exactly ((4096 - 128) / 16 = 248).
 */
#define AHCI_CMD_TABLE_BYTES PAGE_SIZE
#define AHCI_PRDT_ENTRIES                                         \
	((AHCI_CMD_TABLE_BYTES - sizeof(struct ahci_cmd_table)) / \
	 sizeof(struct ahci_prd))

/* Translates a CPU physical address to the address the HBA must use. */
typedef u64 (*ahci_dma_map_fn)(u64 phys);

/*
 * Fill @prdt (room for @max_entries) from @segs. Physically contiguous
 * neighbours merge; entries split at AHCI_PRD_MAX_BYTES. Every address and
 * length must be even (AHCI 1.3.1 4.2.3.3). @map translates each segment
 * first (NULL: identity); @dma64 false rejects addresses at or above 4 GiB
 * (CAP.S64A clear). Stores the byte total in *@bytes.
 *
 * Returns the number of entries used, or -EINVAL (no segments, empty, odd or
 * misaligned segment), -ERANGE (address not reachable by the HBA) or -E2BIG
 * (more than @max_entries entries, or over 4 GiB in all).
 */
int ahci_prdt_build(struct ahci_prd *prdt, unsigned max_entries,
		    const struct ahci_seg *segs, unsigned nseg,
		    ahci_dma_map_fn map, bool dma64, u32 *bytes);

/* Bytes and address of PRDT entry @e, for tests and debug dumps. */
static inline u32 ahci_prd_bytes(const struct ahci_prd *e)
{
	return (u32)FIELD_GET(AHCI_PRD_DBC, e->dbc) + 1;
}

static inline u64 ahci_prd_addr(const struct ahci_prd *e)
{
	return ((u64)e->dbau << 32) | e->dba;
}

/*
 * What a request may look like for ahci_prdt_build() never to fail on it:
 * the block layer's queue limits for an AHCI disk.
 */
struct ahci_queue_limits {
	u32 max_segments; /* PRDT entries per command table */
	u32 max_segment_size; /* bytes per segment */
	u64 seg_boundary_mask; /* a segment may not cross (mask + 1) */
	u32 max_sectors; /* logical sectors per command */
	u32 logical_block_size;
	u32 physical_block_size;
	u32 dma_alignment; /* address and length multiple */
	u32 queue_depth; /* commands in flight */
};

/*
 * Limits for a disk with @lsec-byte logical sectors, commands of at most
 * @max_cmd_sectors (the 16-bit ATA count) and @prdt_entries per table.
 */
void ahci_calc_limits(unsigned prdt_entries, u32 lsec, u32 psec,
		      u32 max_cmd_sectors, u32 depth,
		      struct ahci_queue_limits *ql);

#endif
