// SPDX-License-Identifier: MIT
/*
 * PRD tables (BMIDE 1.0 1.2) and LBA48 taskfiles. Contiguous segments
 * merge so that a request of many small bio_vecs over contiguous memory
 * costs few entries; every entry stays inside one 64 KiB-aligned window.
 */
#include "core/lib.h"
#include "drivers/ata/ata.h"
#include "drivers/ide/ide_prd.h"

static void prd_set(struct ide_prd *e, u64 addr, u32 len)
{
	e->addr = (u32)addr;
	/* A 64 KiB region is written as count 0 (BMIDE 1.0 1.2). */
	e->count = (u16)(len & 0xffff);
	e->flags = 0;
}

/* Bytes from @addr to the next 64 KiB boundary. */
static u32 to_boundary(u64 addr)
{
	return (u32)(IDE_PRD_BOUNDARY - (addr & (IDE_PRD_BOUNDARY - 1)));
}

int ide_prd_build(struct ide_prd *prd, unsigned int max,
		  const struct ide_seg *segs, unsigned int nseg, u32 *bytes)
{
	u64 total = 0, cur_addr = 0;
	u32 cur_len = 0; /* bytes in the entry being built */
	unsigned int n = 0;

	*bytes = 0;
	if (nseg == 0 || max == 0)
		return -EINVAL;
	for (unsigned int i = 0; i < nseg; i++) {
		u64 addr = segs[i].addr;
		u64 len = segs[i].len;

		if (len == 0 || !IS_ALIGNED(addr | len, IDE_PRD_ALIGN))
			return -EINVAL;
		if (addr + len < addr || addr + len > IDE_DMA_LIMIT)
			return -ERANGE;
		total += len;
		while (len > 0) {
			u32 take;

			/*
			 * Start a new entry unless this piece continues the
			 * current one inside the same 64 KiB window.
			 */
			if (cur_len == 0 || cur_addr + cur_len != addr ||
			    to_boundary(addr) == IDE_PRD_BOUNDARY) {
				if (cur_len) {
					if (n == max)
						return -E2BIG;
					prd_set(&prd[n++], cur_addr, cur_len);
				}
				cur_addr = addr;
				cur_len = 0;
			}
			take = (u32)MIN(len, (u64)to_boundary(addr));
			cur_len += take;
			addr += take;
			len -= take;
		}
	}
	if (n == max)
		return -E2BIG;
	prd_set(&prd[n++], cur_addr, cur_len);
	prd[n - 1].flags = IDE_PRD_EOT;
	*bytes = (u32)total;
	return (int)n;
}

bool ide_prdt_placement_ok(u64 phys, unsigned int entries)
{
	u64 end = phys + (u64)entries * sizeof(struct ide_prd);

	if (entries == 0 || !IS_ALIGNED(phys, IDE_PRDT_ALIGN) ||
	    end > IDE_DMA_LIMIT)
		return false;
	return ALIGN_DOWN(phys, IDE_PRD_BOUNDARY) ==
	       ALIGN_DOWN(end - 1, IDE_PRD_BOUNDARY);
}

static void tf_lba48(struct ide_taskfile *tf, u64 lba, u32 count)
{
	tf->count[0] = (u8)(count >> 8);
	tf->count[1] = (u8)count;
	tf->lba_low[0] = (u8)(lba >> 24);
	tf->lba_low[1] = (u8)lba;
	tf->lba_mid[0] = (u8)(lba >> 32);
	tf->lba_mid[1] = (u8)(lba >> 8);
	tf->lba_high[0] = (u8)(lba >> 40);
	tf->lba_high[1] = (u8)(lba >> 16);
}

static u8 device_byte(unsigned int dev)
{
	return (u8)(IDE_DEVICE_OBS | (dev ? IDE_DEVICE_DEV1 : 0));
}

int ide_tf_rw(struct ide_taskfile *tf, bool write, enum ide_xfer xfer, u64 lba,
	      u32 count, unsigned int dev)
{
	static const u8 cmds[2][2] = {
		[IDE_XFER_DMA] = { ATA_CMD_READ_DMA_EXT,
				   ATA_CMD_WRITE_DMA_EXT },
		[IDE_XFER_PIO] = { ATA_CMD_READ_SECTORS_EXT,
				   ATA_CMD_WRITE_SECTORS_EXT },
	};

	memset(tf, 0, sizeof(*tf));
	if (count == 0 || count > IDE_MAX_CMD_SECTORS || dev > 1 ||
	    (xfer != IDE_XFER_DMA && xfer != IDE_XFER_PIO))
		return -EINVAL;
	if (lba >= IDE_LBA48_LIMIT || count > IDE_LBA48_LIMIT - lba)
		return -ERANGE;
	tf_lba48(tf, lba, count);
	tf->device = device_byte(dev) | ATA_DEV_LBA;
	tf->command = cmds[xfer][write];
	return 0;
}

void ide_tf_nodata(struct ide_taskfile *tf, u8 command, unsigned int dev)
{
	memset(tf, 0, sizeof(*tf));
	tf->device = device_byte(dev & 1);
	tf->command = command;
}

void ide_calc_limits(struct ide_queue_limits *ql, u64 max_bytes)
{
	u64 cap = max_bytes ? MAX(max_bytes / ATA_SECTOR_SIZE, 1ULL) :
			      IDE_MAX_CMD_SECTORS;

	/*
	 * Segments cut at 64 KiB size and boundary need at most one PRD
	 * entry each (merging only lowers the count), so a request of
	 * max_segments segments always fits the table.
	 */
	ql->max_segments = IDE_PRDT_ENTRIES;
	ql->max_segment_size = IDE_PRD_MAX_BYTES;
	ql->seg_boundary_mask = IDE_PRD_BOUNDARY - 1;
	/*
	 * ide_max_xfer= (docs/ata.md): Bochs moves a command's first PRD
	 * entry at once but waits bytes/16 us before each further one, so
	 * there 32 merged 64 KiB bios take 3x as long as 32 commands.
	 */
	ql->max_sectors = (u32)MIN(cap, (u64)IDE_MAX_CMD_SECTORS);
}
