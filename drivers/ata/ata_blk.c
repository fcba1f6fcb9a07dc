// SPDX-License-Identifier: MIT
/*
 * ATA disks as block devices (drivers/ata/ata_blk.h): the adapter from the
 * block layer's driver interface to an ATA transport. The block layer sits
 * above drivers; this file is the one known exception (tools/check-layers.sh)
 * so that AHCI and IDE need none.
 */
#include "arch/x86/arch.h"
#include "block/block.h"
#include "core/lib.h"
#include "drivers/ata/ata_blk.h"

_Static_assert(ATA_BLK_MAX_DEPTH == BLK_MAX_DEPTH,
	       "ATA tags are the block layer's");

struct ata_blk {
	struct blk_dev dev;
	const struct ata_blk_ops *ops;
	void *disk;
	u32 ratio; /* 512-byte block-layer sectors per logical sector */
	struct request *rq[ATA_BLK_MAX_DEPTH]; /* in flight, by tag */
	struct request pool[ATA_BLK_MAX_POOL];
};

static struct ata_blk blks[ATA_BLK_MAX_DISKS];
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
	case -ENODEV: /* the port did not come back (ahci_err.c) */
		return BLK_STS_OFFLINE;
	default:
		return BLK_STS_IOERR;
	}
}

void ata_blk_complete(struct ata_blk *b, unsigned int tag, int status)
{
	struct request *rq = b->rq[tag];

	b->rq[tag] = NULL;
	blk_complete_request(rq, errno_to_blk(status));
}

bool ata_blk_next_seg(struct ata_blk_xfer *x, u64 *addr, u32 *len)
{
	phys_addr_t a;

	if (!blk_rq_seg_next(x->it, &a, len))
		return false;
	*addr = a;
	return true;
}

static blk_status_t ata_blk_submit(struct blk_dev *dev, struct request *rq)
{
	struct ata_blk *b = dev->driver_data;
	struct blk_seg_iter it;
	struct ata_blk_xfer x = { .tag = (unsigned int)rq->tag, .it = &it };
	int ret;

	if (b->rq[x.tag])
		return BLK_STS_RESOURCE;
	if (rq->op == REQ_OP_FLUSH) {
		x.op = ATA_BLK_FLUSH;
	} else {
		if (rq->sector % b->ratio || rq->nr_sectors % b->ratio)
			return BLK_STS_IOERR; /* not whole logical sectors */
		x.op = op_is_write(rq->op) ? ATA_BLK_WRITE : ATA_BLK_READ;
		/*
		 * Without BLK_FEAT_FUA the queue follows the write with its
		 * own flush and may still pass REQ_FUA down: ignore it then.
		 */
		x.fua = (rq->flags & REQ_FUA) && x.op == ATA_BLK_WRITE &&
			(dev->limits.features & BLK_FEAT_FUA);
		x.lba = rq->sector / b->ratio;
		x.nsectors = rq->nr_sectors / b->ratio;
		blk_rq_seg_init(&it, rq);
	}
	b->rq[x.tag] = rq;
	ret = b->ops->submit(b->disk, &x);
	if (ret)
		b->rq[x.tag] = NULL;
	return errno_to_blk(ret);
}

static u32 ata_blk_poll(struct blk_dev *dev)
{
	struct ata_blk *b = dev->driver_data;

	return b->ops->poll(b->disk);
}

static const struct blk_dev_ops ata_blk_dev_ops = {
	.submit = ata_blk_submit,
	.poll = ata_blk_poll,
};

static void set_limits(struct ata_blk *b, const struct ata_blk_desc *desc)
{
	const struct ata_identity *id = desc->id;
	struct blk_queue_limits *l = &b->dev.limits;

	blk_limits_default(l);
	l->max_sectors = desc->max_sectors * b->ratio;
	l->max_segments = (u16)MIN(desc->max_segments, 0xffffU);
	l->max_segment_size = desc->max_segment_size;
	l->seg_boundary_mask = desc->seg_boundary_mask;
	l->features = 0;
	l->logical_block_size = id->logical_sector_size;
	/* A flush only matters with a write cache, and needs the command. */
	if (id->write_cache_enabled && id->flush_ext)
		l->features |= BLK_FEAT_WRITE_CACHE;
	if (desc->fua && id->fua)
		l->features |= BLK_FEAT_FUA;
	if (id->nonrotational)
		l->features |= BLK_FEAT_NONROT;
}

struct ata_blk *ata_blk_register(const struct ata_blk_desc *desc, int *err)
{
	struct ata_blk *b = &blks[nblks];

	if (nblks == ATA_BLK_MAX_DISKS || desc->pool > ATA_BLK_MAX_POOL) {
		*err = -ENOSPC;
		return NULL;
	}
	memset(b, 0, sizeof(*b));
	b->ops = desc->ops;
	b->disk = desc->disk;
	b->ratio = desc->id->logical_sector_size / SECTOR_SIZE;
	b->dev.name = desc->name;
	b->dev.capacity = desc->id->sectors * b->ratio;
	b->dev.ops = &ata_blk_dev_ops;
	b->dev.driver_data = b;
	b->dev.queue_depth = MIN(desc->queue_depth, (u32)ATA_BLK_MAX_DEPTH);
	set_limits(b, desc);
	*err = blk_dev_register(&b->dev, b->pool, desc->pool, blk_clock, NULL);
	if (*err)
		return NULL;
	nblks++;
	return b;
}

struct blk_dev *ata_blk_dev(struct ata_blk *b)
{
	return &b->dev;
}

const char *ata_blk_elevator(const struct ata_blk *b)
{
	return blk_elevator_name(&b->dev);
}

bool ata_blk_write_cache(const struct ata_blk *b)
{
	return b->dev.limits.features & BLK_FEAT_WRITE_CACHE;
}
