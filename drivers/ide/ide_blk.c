// SPDX-License-Identifier: MIT
/*
 * IDE disks as block devices: a thin adapter from the block layer's driver
 * interface (block/block.h) to ide_submit()/ide_poll_disk(). One command in
 * flight per disk (the channel has one taskfile); the elevator orders the
 * rest.
 */
#include "block/block.h"
#include "core/lib.h"
#include "core/mm.h"
#include "drivers/ide/ide_priv.h"

#define IDE_BLK_POOL 32 /* requests per disk: room for the elevator */
#define IDE_BLK_SEG_PAGES \
	DIV_ROUND_UP(IDE_PRDT_ENTRIES * sizeof(struct ide_seg), PAGE_SIZE)

struct ide_blk {
	struct blk_dev dev;
	struct ide_disk *disk;
	struct ide_cmd cmd;
	struct request *rq;
	struct ide_seg *segs; /* IDE_PRDT_ENTRIES */
	struct request pool[IDE_BLK_POOL];
};

static struct ide_blk blks[IDE_MAX_DISKS];
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
	default:
		return BLK_STS_IOERR;
	}
}

static void ide_blk_done(struct ide_cmd *cmd, int status)
{
	struct ide_blk *b = container_of(cmd, struct ide_blk, cmd);
	struct request *rq = b->rq;

	b->rq = NULL;
	blk_complete_request(rq, errno_to_blk(status));
}

static blk_status_t ide_blk_submit(struct blk_dev *dev, struct request *rq)
{
	struct ide_blk *b = dev->driver_data;
	struct blk_seg_iter it;
	phys_addr_t addr;
	unsigned int n = 0;
	u32 len;
	int ret;

	if (b->rq)
		return BLK_STS_RESOURCE;
	memset(&b->cmd, 0, sizeof(b->cmd));
	b->cmd.done = ide_blk_done;
	if (rq->op == REQ_OP_FLUSH) {
		b->cmd.op = IDE_OP_FLUSH;
	} else {
		/* No FUA here: the queue follows REQ_FUA with a flush. */
		b->cmd.op = op_is_write(rq->op) ? IDE_OP_WRITE : IDE_OP_READ;
		b->cmd.lba = rq->sector;
		b->cmd.nsectors = rq->nr_sectors;
		blk_rq_seg_init(&it, rq);
		while (blk_rq_seg_next(&it, &addr, &len)) {
			if (n == IDE_PRDT_ENTRIES)
				return BLK_STS_IOERR; /* limits broken */
			b->segs[n].addr = addr;
			b->segs[n++].len = len;
		}
		b->cmd.segs = b->segs;
		b->cmd.nseg = n;
	}
	b->rq = rq;
	ret = ide_submit(b->disk, &b->cmd);
	if (ret)
		b->rq = NULL;
	return errno_to_blk(ret);
}

static u32 ide_blk_poll(struct blk_dev *dev)
{
	struct ide_blk *b = dev->driver_data;

	return ide_poll_disk(b->disk);
}

static const struct blk_dev_ops ide_blk_ops = {
	.submit = ide_blk_submit,
	.poll = ide_blk_poll,
};

static int register_one(struct ide_disk *d, struct ide_blk *b)
{
	phys_addr_t segs = alloc_pages(IDE_BLK_SEG_PAGES, PAGE_SIZE);
	struct ide_queue_limits ql;
	int ret;

	if (segs == PHYS_INVALID)
		return -ENOMEM;
	memset(b, 0, sizeof(*b));
	b->disk = d;
	b->segs = phys_to_virt(segs);
	ide_calc_limits(&ql);
	b->dev.name = d->name;
	b->dev.capacity = d->id.sectors;
	b->dev.ops = &ide_blk_ops;
	b->dev.driver_data = b;
	b->dev.queue_depth = 1;
	blk_limits_default(&b->dev.limits);
	b->dev.limits.max_sectors = ql.max_sectors;
	b->dev.limits.max_segments = (u16)ql.max_segments;
	b->dev.limits.max_segment_size = ql.max_segment_size;
	b->dev.limits.seg_boundary_mask = ql.seg_boundary_mask;
	b->dev.limits.features = 0;
	/* A flush only matters with a write cache, and needs the command. */
	if (d->id.write_cache_enabled && d->id.flush_ext)
		b->dev.limits.features |= BLK_FEAT_WRITE_CACHE;
	ret = blk_dev_register(&b->dev, b->pool, IDE_BLK_POOL, blk_clock, NULL);
	if (ret) {
		free_pages(segs, IDE_BLK_SEG_PAGES);
		return ret;
	}
	ide_ch_info(d->ch, "%s: block device, elevator %s%s\n", d->name,
		    blk_elevator_name(&b->dev),
		    b->dev.limits.features & BLK_FEAT_WRITE_CACHE ?
			    ", write cache" :
			    "");
	return 0;
}

int ide_blk_register_all(void)
{
	for (unsigned int i = nblks; i < ide_disk_count(); i++) {
		struct ide_disk *d = ide_disk(i);
		int ret = register_one(d, &blks[nblks]);

		if (ret) {
			ide_ch_err(d->ch, "block registration failed (%d)\n",
				   ret);
			continue;
		}
		nblks++;
	}
	return (int)nblks;
}

unsigned int ide_blk_count(void)
{
	return nblks;
}

struct blk_dev *ide_blk_dev(unsigned int i)
{
	return i < nblks ? &blks[i].dev : NULL;
}
