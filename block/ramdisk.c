// SPDX-License-Identifier: MIT
/*
 * RAM disk: a block driver over memory the caller hands in. It copies at
 * submit time and completes at the next poll, so the queue sees the same
 * two-step life a DMA device gives it. Physical addresses in bio_vecs are
 * turned into pointers by identity, as Keel maps RAM 1:1 (core/mm.h
 * phys_to_virt) and host tests pass plain pointers.
 */
#include "core/lib.h"
#include "block/blk.h"

static void *phys_ptr(phys_addr_t p)
{
	return (void *)(uintptr_t)p;
}

static blk_status_t rd_submit(struct blk_dev *dev, struct request *rq)
{
	struct ramdisk *rd = dev->driver_data;
	struct blk_seg_iter it;
	blk_status_t sts = BLK_STS_OK;
	u8 *disk = rd->data + (rq->sector << SECTOR_SHIFT);
	phys_addr_t addr;
	u32 len;

	if (rq->op == REQ_OP_FLUSH)
		goto done;
	if (rd->fail_sector >= rq->sector &&
	    rd->fail_sector < rq->sector + rq->nr_sectors) {
		sts = BLK_STS_IOERR;
		goto done;
	}
	blk_rq_seg_init(&it, rq);
	while (blk_rq_seg_next(&it, &addr, &len)) {
		if (op_is_write(rq->op))
			memcpy(disk, phys_ptr(addr), len);
		else
			memcpy(phys_ptr(addr), disk, len);
		disk += len;
	}
done:
	rd->status[rq->tag] = sts;
	rd->pending |= (u32)BIT(rq->tag);
	return BLK_STS_OK;
}

static u32 rd_poll(struct blk_dev *dev)
{
	struct ramdisk *rd = dev->driver_data;
	/* Completions may dispatch into freed tags; those wait a poll. */
	u32 p = rd->pending, n = 0;

	rd->pending = 0;
	while (p) {
		int tag = __builtin_ctz(p);
		struct request *rq = blk_tag_to_rq(dev, tag);

		p &= p - 1;
		if (rq) {
			blk_complete_request(rq, rd->status[tag]);
			n++;
		}
	}
	return n;
}

static const struct blk_dev_ops ramdisk_ops = {
	.submit = rd_submit,
	.poll = rd_poll,
};

int ramdisk_init(struct ramdisk *rd, const char *name, void *buf, u64 bytes,
		 u32 depth, struct request *pool, u32 npool, blk_clock_fn clock,
		 void *clock_ctx)
{
	memset(rd, 0, sizeof(*rd));
	rd->data = buf;
	rd->fail_sector = ~0ULL;
	rd->dev.name = name;
	rd->dev.capacity = bytes >> SECTOR_SHIFT;
	rd->dev.ops = &ramdisk_ops;
	rd->dev.driver_data = rd;
	rd->dev.queue_depth = depth;
	blk_limits_default(&rd->dev.limits);
	/* Memory has no segment limits worth the name. */
	rd->dev.limits.max_segments = 0xffff;
	rd->dev.limits.max_segment_size = 0xffffffffU;
	rd->dev.limits.seg_boundary_mask = ~0ULL;
	rd->dev.limits.features = BLK_FEAT_NONROT;
	return blk_dev_register(&rd->dev, pool, npool, clock, clock_ctx);
}
