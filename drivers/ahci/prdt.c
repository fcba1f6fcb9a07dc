// SPDX-License-Identifier: MIT
/*
 * PRDT building, AHCI 1.3.1 4.2.3.3: each entry addresses at most 4 MiB with
 * an even byte count at a word-aligned address. Physically contiguous
 * segments merge so that a request of many small bio_vecs over contiguous
 * memory costs few entries.
 */
#include "core/lib.h"
#include "drivers/ahci/ahci_prdt.h"

#define DMA32_LIMIT GiB(4)
/* PRDBC (AHCI 1.3.1 4.2.2) and Keel's byte totals are 32-bit. */
#define AHCI_MAX_CMD_BYTES 0xffffffffULL

static void prd_set(struct ahci_prd *e, u64 addr, u32 len)
{
	e->dba = (u32)addr;
	e->dbau = (u32)(addr >> 32);
	e->rsvd = 0;
	/* DBC holds the count minus one; I stays clear since Keel polls. */
	e->dbc = (u32)FIELD_PREP(AHCI_PRD_DBC, len - 1);
}

int ahci_prdt_build(struct ahci_prd *prdt, unsigned max_entries,
		    const struct ahci_seg *segs, unsigned nseg,
		    ahci_dma_map_fn map, bool dma64, u32 *bytes)
{
	u64 total = 0, cur_addr = 0;
	u32 cur_len = 0; /* bytes in the entry being built */
	unsigned n = 0;

	*bytes = 0;
	if (nseg == 0)
		return -EINVAL;
	for (unsigned i = 0; i < nseg; i++) {
		u64 addr = map ? map(segs[i].addr) : segs[i].addr;
		u64 len = segs[i].len;

		if (len == 0 || !IS_ALIGNED(addr | len, AHCI_PRD_ALIGN))
			return -EINVAL;
		if (addr + len < addr || (!dma64 && addr + len > DMA32_LIMIT))
			return -ERANGE;
		total += len;
		if (total > AHCI_MAX_CMD_BYTES)
			return -E2BIG;

		while (len > 0) {
			u32 room, take;

			/* Start a new entry unless this piece continues it. */
			if (cur_len == 0 || cur_addr + cur_len != addr ||
			    cur_len == AHCI_PRD_MAX_BYTES) {
				if (cur_len) {
					if (n == max_entries)
						return -E2BIG;
					prd_set(&prdt[n++], cur_addr, cur_len);
				}
				cur_addr = addr;
				cur_len = 0;
			}
			room = AHCI_PRD_MAX_BYTES - cur_len;
			take = len < room ? (u32)len : room;
			cur_len += take;
			addr += take;
			len -= take;
		}
	}
	if (n == max_entries)
		return -E2BIG;
	prd_set(&prdt[n++], cur_addr, cur_len);
	*bytes = (u32)total;
	return (int)n;
}

void ahci_calc_limits(unsigned prdt_entries, u32 lsec, u32 psec,
		      u32 max_cmd_sectors, u32 depth,
		      struct ahci_queue_limits *ql)
{
	/*
	 * Any request whose segments are each at most 4 MiB needs at most one
	 * entry per segment (merging only lowers the count), so max_segments
	 * is the PRDT size. The byte count per command is also bounded by the
	 * sum of the entries.
	 */
	u64 prdt_bytes = (u64)prdt_entries * AHCI_PRD_MAX_BYTES;
	u64 max_sectors = prdt_bytes / lsec;

	ql->max_segments = prdt_entries;
	ql->max_segment_size = AHCI_PRD_MAX_BYTES;
	ql->seg_boundary_mask = ~0ULL;
	ql->max_sectors = (u32)MIN(max_sectors, (u64)max_cmd_sectors);
	/* PRDBC and the 32-bit byte total cap a command below 4 GiB. */
	if ((u64)ql->max_sectors * lsec > AHCI_MAX_CMD_BYTES)
		ql->max_sectors = (u32)(AHCI_MAX_CMD_BYTES / lsec);
	ql->logical_block_size = lsec;
	ql->physical_block_size = psec;
	ql->dma_alignment = AHCI_PRD_ALIGN;
	ql->queue_depth = depth;
}
