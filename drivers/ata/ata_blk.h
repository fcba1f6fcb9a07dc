/* SPDX-License-Identifier: MIT */
/*
 * ATA disks as block devices, for every transport (AHCI, IDE): the only
 * driver file that knows the block layer (block/block.h) is ata_blk.c.
 * A transport registers each disk with its identity, limits and two hooks,
 * gets requests as ATA transfers (logical sectors, segments by
 * ata_blk_next_seg()) and reports each end with ata_blk_complete().
 */
#ifndef KEEL_DRIVERS_ATA_ATA_BLK_H
#define KEEL_DRIVERS_ATA_ATA_BLK_H

#include "drivers/ata/ata.h"

struct blk_dev;
struct ata_blk;

/* Room for every AHCI and IDE disk (AHCI_MAX_DISKS + IDE_MAX_DISKS). */
#define ATA_BLK_MAX_DISKS 24
#define ATA_BLK_MAX_POOL 64 /* requests per disk */
#define ATA_BLK_MAX_DEPTH 32 /* commands per disk: BLK_MAX_DEPTH */

enum ata_blk_op {
	ATA_BLK_READ,
	ATA_BLK_WRITE,
	ATA_BLK_FLUSH, /* lba, nsectors and segments unused */
};

/* One request as the transport sees it. */
struct ata_blk_xfer {
	enum ata_blk_op op;
	unsigned int tag; /* below the registered queue depth */
	u64 lba; /* logical sectors */
	u32 nsectors;
	bool fua; /* only when registered with fua */
	void *it; /* for ata_blk_next_seg() */
};

struct ata_blk_ops {
	/*
	 * Start @x on @disk. 0, or an errno: -EBUSY (retried later),
	 * -ETIMEDOUT, -ENOTSUP, anything else an I/O error.
	 */
	int (*submit)(void *disk, struct ata_blk_xfer *x);
	/* Reap completions; returns how many ended. */
	u32 (*poll)(void *disk);
};

struct ata_blk_desc {
	const char *name;
	const struct ata_identity *id;
	const struct ata_blk_ops *ops;
	void *disk;
	u32 pool; /* requests, at most ATA_BLK_MAX_POOL */
	u32 queue_depth; /* commands, capped at ATA_BLK_MAX_DEPTH */
	u32 max_sectors; /* logical sectors per command */
	u32 max_segments;
	u32 max_segment_size;
	u64 seg_boundary_mask;
	bool fua; /* the transport sends FUA writes */
};

/* Register @desc's disk; NULL on failure with *err set. */
struct ata_blk *ata_blk_register(const struct ata_blk_desc *desc, int *err);
/*
 * The next segment of @x's data: false after the last. Segments obey the
 * registered limits, so a transport never needs more than max_segments.
 */
bool ata_blk_next_seg(struct ata_blk_xfer *x, u64 *addr, u32 *len);
/* Transport side: the transfer of @tag ended with errno @status. */
void ata_blk_complete(struct ata_blk *b, unsigned int tag, int status);

struct blk_dev *ata_blk_dev(struct ata_blk *b);
const char *ata_blk_elevator(const struct ata_blk *b);
bool ata_blk_write_cache(const struct ata_blk *b);

#endif
