/* SPDX-License-Identifier: MIT */
/*
 * The IDE driver's pure parts: PRD tables from segments, the LBA48
 * taskfile of a command, and the queue limits they imply. No hardware
 * access, so the host tests (tests/host/test_ide_prd.c) cover them.
 */
#ifndef KEEL_DRIVERS_IDE_PRD_H
#define KEEL_DRIVERS_IDE_PRD_H

#include "core/types.h"
#include "drivers/ide/ide_regs.h"

/* One physically contiguous piece of a transfer: a cut bio_vec. */
struct ide_seg {
	u64 addr;
	u32 len;
};

/* One page of PRD table per channel: page-aligned never crosses 64 KiB. */
#define IDE_PRDT_BYTES PAGE_SIZE
#define IDE_PRDT_ENTRIES (IDE_PRDT_BYTES / sizeof(struct ide_prd))

/* The bus master drives 32-bit addresses only (BMIDE 1.0 1.2). */
#define IDE_DMA_LIMIT GiB(4)

/*
 * Fill @prd (room for @max entries) from @segs: contiguous neighbours merge,
 * entries split at 64 KiB boundaries (so none exceeds 64 KiB), the last gets
 * EOT. *@bytes gets the total. Returns the entry count, or -EINVAL (no
 * segment, empty, odd address or length), -ERANGE (at or above 4 GiB) or
 * -E2BIG (more than @max entries).
 */
int ide_prd_build(struct ide_prd *prd, unsigned int max,
		  const struct ide_seg *segs, unsigned int nseg, u32 *bytes);

/* Whether a table of @entries at @phys meets BMIDE 1.0 (align, 64 KiB). */
bool ide_prdt_placement_ok(u64 phys, unsigned int entries);

/* Bytes an entry covers (count 0 means 64 KiB). */
static inline u32 ide_prd_bytes(const struct ide_prd *e)
{
	return e->count ? e->count : IDE_PRD_MAX_BYTES;
}

/*
 * A command's register writes. LBA48 (ACS-3 "48-bit commands"): each of
 * count and LBA mid/low/high is written twice, the previous (HOB) byte
 * first, then the current one.
 */
struct ide_taskfile {
	u8 feature[2]; /* [0] previous (HOB), [1] current */
	u8 count[2];
	u8 lba_low[2];
	u8 lba_mid[2];
	u8 lba_high[2];
	u8 device;
	u8 command;
};

enum ide_xfer {
	IDE_XFER_DMA,
	IDE_XFER_PIO,
};

/* Largest count an LBA48 command takes here (0 would mean 65536). */
#define IDE_MAX_CMD_SECTORS 65535U
#define IDE_LBA48_LIMIT (1ULL << 48)

/*
 * Encode a read or write of @count sectors at @lba on device @dev (0 or 1)
 * with @xfer (READ/WRITE DMA EXT or READ/WRITE SECTORS EXT). Returns 0, or
 * -EINVAL (count 0 or over IDE_MAX_CMD_SECTORS, dev not 0/1) or -ERANGE
 * (the range passes 2^48).
 */
int ide_tf_rw(struct ide_taskfile *tf, bool write, enum ide_xfer xfer, u64 lba,
	      u32 count, unsigned int dev);
/* A command without LBA or data (FLUSH CACHE EXT, IDENTIFY DEVICE). */
void ide_tf_nodata(struct ide_taskfile *tf, u8 command, unsigned int dev);

/*
 * Queue limits for the block layer: every request fits one PRD table, and
 * none moves more than @max_bytes (rounded down to sectors, at least one;
 * 0 or anything past the LBA48 count: IDE_MAX_CMD_SECTORS).
 */
struct ide_queue_limits {
	u32 max_segments;
	u32 max_segment_size;
	u64 seg_boundary_mask;
	u32 max_sectors; /* 512-byte sectors per command */
};
void ide_calc_limits(struct ide_queue_limits *ql, u64 max_bytes);

#endif
