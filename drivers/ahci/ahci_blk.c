// SPDX-License-Identifier: MIT
/*
 * AHCI disks as block devices: a thin adapter from the block layer's driver
 * interface (block/block.h) to ahci_submit()/ahci_poll_disk(). The request
 * tag is the command's index here; the driver picks its own hardware slot.
 */
#include "block/block.h"
#include "core/lib.h"
#include "core/mm.h"
#include "drivers/ahci/ahci_priv.h"

#define AHCI_BLK_POOL 64 /* requests per disk: depth 32 plus merge room */

struct ahci_blk_cmd {
	struct ahci_cmd cmd;
	struct request *rq;
	struct ahci_seg *segs; /* AHCI_PRDT_ENTRIES, in the disk's seg pages */
};

struct ahci_blk {
	struct blk_dev dev;
	struct ahci_disk *disk;
	u32 ratio; /* 512-byte block-layer sectors per logical sector */
	struct ahci_blk_cmd cmds[BLK_MAX_DEPTH];
	struct request pool[AHCI_BLK_POOL];
};

static struct ahci_blk blks[AHCI_MAX_DISKS];
static unsigned int nblks;

static u64 blk_clock(void *ctx)
{
	return time_us() * 1000;
}

static blk_status_t errno_to_blk(int err)
{
	switch (err) {
	case 0:
		return BLK_STS_OK;
	case -EBUSY:
		return BLK_STS_RESOURCE;
	case -ETIMEDOUT:
		return BLK_STS_TIMEOUT;
	case -ENOTSUP:
		return BLK_STS_NOTSUPP;
	default:
		return BLK_STS_IOERR;
	}
}

static void ahci_blk_done(struct ahci_cmd *cmd, int status)
{
	struct ahci_blk_cmd *bc = container_of(cmd, struct ahci_blk_cmd, cmd);
	struct request *rq = bc->rq;

	bc->rq = NULL;
	blk_complete_request(rq, errno_to_blk(status));
}

static blk_status_t ahci_blk_submit(struct blk_dev *dev, struct request *rq)
{
	struct ahci_blk *b = dev->driver_data;
	struct ahci_blk_cmd *bc = &b->cmds[rq->tag];
	struct blk_seg_iter it;
	phys_addr_t addr;
	unsigned int n = 0;
	u32 len;
	int ret;

	memset(&bc->cmd, 0, sizeof(bc->cmd));
	bc->cmd.done = ahci_blk_done;
	if (rq->op == REQ_OP_FLUSH) {
		bc->cmd.op = AHCI_OP_FLUSH;
	} else {
		if (rq->sector % b->ratio || rq->nr_sectors % b->ratio)
			return BLK_STS_IOERR; /* not whole logical sectors */
		bc->cmd.op = op_is_write(rq->op) ? AHCI_OP_WRITE : AHCI_OP_READ;
		/*
		 * Without BLK_FEAT_FUA the queue follows the write with its
		 * own flush and may still pass REQ_FUA down: ignore it then.
		 */
		bc->cmd.fua = (rq->flags & REQ_FUA) &&
			      bc->cmd.op == AHCI_OP_WRITE &&
			      (dev->limits.features & BLK_FEAT_FUA);
		bc->cmd.lba = rq->sector / b->ratio;
		bc->cmd.nsectors = rq->nr_sectors / b->ratio;
		blk_rq_seg_init(&it, rq);
		while (blk_rq_seg_next(&it, &addr, &len)) {
			if (n == AHCI_PRDT_ENTRIES)
				return BLK_STS_IOERR; /* limits broken */
			bc->segs[n].addr = addr;
			bc->segs[n++].len = len;
		}
		bc->cmd.segs = bc->segs;
		bc->cmd.nseg = n;
	}
	bc->rq = rq;
	ret = ahci_submit(b->disk, &bc->cmd);

	if (ret)
		bc->rq = NULL;
	return errno_to_blk(ret);
}

static u32 ahci_blk_poll(struct blk_dev *dev)
{
	struct ahci_blk *b = dev->driver_data;

	return ahci_poll_disk(b->disk);
}

static const struct blk_dev_ops ahci_blk_ops = {
	.submit = ahci_blk_submit,
	.poll = ahci_blk_poll,
};

static int register_one(struct ahci_disk *d, struct ahci_blk *b)
{
	u64 seg_bytes = (u64)BLK_MAX_DEPTH * AHCI_PRDT_ENTRIES *
			sizeof(struct ahci_seg);
	phys_addr_t segs =
		alloc_pages(DIV_ROUND_UP(seg_bytes, PAGE_SIZE), PAGE_SIZE);
	struct ahci_queue_limits ql;
	int ret;

	if (segs == PHYS_INVALID)
		return -ENOMEM;
	memset(b, 0, sizeof(*b));
	b->disk = d;
	b->ratio = d->id.logical_sector_size / SECTOR_SIZE;
	for (unsigned int i = 0; i < BLK_MAX_DEPTH; i++)
		b->cmds[i].segs = (struct ahci_seg *)phys_to_virt(segs) +
				  i * AHCI_PRDT_ENTRIES;
	ahci_disk_limits(d, &ql);
	b->dev.name = d->name;
	b->dev.capacity = d->id.sectors * b->ratio;
	b->dev.ops = &ahci_blk_ops;
	b->dev.driver_data = b;
	b->dev.queue_depth = MIN(ql.queue_depth, (u32)BLK_MAX_DEPTH);
	blk_limits_default(&b->dev.limits);
	b->dev.limits.max_sectors = ql.max_sectors * b->ratio;
	b->dev.limits.max_segments = (u16)MIN(ql.max_segments, 0xffffU);
	b->dev.limits.max_segment_size = ql.max_segment_size;
	b->dev.limits.seg_boundary_mask = ql.seg_boundary_mask;
	b->dev.limits.features = 0;
	/* A flush only matters with a write cache, and needs the command. */
	if (d->id.write_cache_enabled && d->id.flush_ext)
		b->dev.limits.features |= BLK_FEAT_WRITE_CACHE;
	else if (d->id.write_cache_enabled)
		ahci_port_warn(&d->port,
			       "write cache without FLUSH CACHE EXT\n");
	if (d->id.fua)
		b->dev.limits.features |= BLK_FEAT_FUA;
	ret = blk_dev_register(&b->dev, b->pool, AHCI_BLK_POOL, blk_clock,
			       NULL);
	if (ret) {
		free_pages(segs, DIV_ROUND_UP(seg_bytes, PAGE_SIZE));
		return ret;
	}
	ahci_port_info(&d->port, "%s: block device, elevator %s\n", d->name,
		       blk_elevator_name(&b->dev));
	return 0;
}

int ahci_blk_register_all(void)
{
	for (unsigned int i = nblks; i < ahci_disk_count(); i++) {
		struct ahci_disk *d = ahci_disk(i);
		int ret = register_one(d, &blks[nblks]);

		if (ret) {
			ahci_port_err(&d->port,
				      "block registration failed (%d)\n", ret);
			continue;
		}
		nblks++;
	}
	return (int)nblks;
}

unsigned int ahci_blk_count(void)
{
	return nblks;
}

struct blk_dev *ahci_blk_dev(unsigned int i)
{
	return i < nblks ? &blks[i].dev : NULL;
}
