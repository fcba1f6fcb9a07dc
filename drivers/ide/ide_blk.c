// SPDX-License-Identifier: MIT
/*
 * IDE disks as block devices through drivers/ata/ata_blk.h: ATA transfers
 * become ide_submit() commands. One command in flight per disk (the
 * channel has one taskfile); the elevator orders the rest.
 */
#include "core/lib.h"
#include "core/mm.h"
#include "drivers/ata/ata_blk.h"
#include "drivers/ide/ide_priv.h"

#define IDE_BLK_POOL 32 /* requests per disk: room for the elevator */
#define IDE_BLK_SEG_PAGES \
	DIV_ROUND_UP(IDE_PRDT_ENTRIES * sizeof(struct ide_seg), PAGE_SIZE)

struct ide_blk {
	struct ata_blk *ab;
	struct ide_disk *disk;
	struct ide_cmd cmd;
	struct ide_seg *segs; /* IDE_PRDT_ENTRIES */
};

static struct ide_blk blks[IDE_MAX_DISKS];
static unsigned int nblks;

static void ide_blk_done(struct ide_cmd *cmd, int status)
{
	struct ide_blk *b = container_of(cmd, struct ide_blk, cmd);

	ata_blk_complete(b->ab, 0, status);
}

static int ide_blk_submit(void *disk, struct ata_blk_xfer *x)
{
	struct ide_blk *b = disk;
	unsigned int n = 0;
	u64 addr;
	u32 len;

	memset(&b->cmd, 0, sizeof(b->cmd));
	b->cmd.done = ide_blk_done;
	if (x->op == ATA_BLK_FLUSH) {
		b->cmd.op = IDE_OP_FLUSH;
	} else {
		/* No FUA here: the queue follows REQ_FUA with a flush. */
		b->cmd.op = x->op == ATA_BLK_WRITE ? IDE_OP_WRITE : IDE_OP_READ;
		b->cmd.lba = x->lba;
		b->cmd.nsectors = x->nsectors;
		while (ata_blk_next_seg(x, &addr, &len)) {
			if (n == IDE_PRDT_ENTRIES)
				return -EIO; /* limits broken */
			b->segs[n].addr = addr;
			b->segs[n++].len = len;
		}
		b->cmd.segs = b->segs;
		b->cmd.nseg = n;
	}
	return ide_submit(b->disk, &b->cmd);
}

static u32 ide_blk_poll(void *disk)
{
	struct ide_blk *b = disk;

	return ide_poll_disk(b->disk);
}

static const struct ata_blk_ops ide_blk_ops = {
	.submit = ide_blk_submit,
	.poll = ide_blk_poll,
};

static int register_one(struct ide_disk *d, struct ide_blk *b, u64 max_xfer)
{
	phys_addr_t segs = alloc_pages(IDE_BLK_SEG_PAGES, PAGE_SIZE);
	struct ide_queue_limits ql;
	struct ata_blk_desc desc;
	char cap[32];
	int ret;

	if (segs == PHYS_INVALID)
		return -ENOMEM;
	memset(b, 0, sizeof(*b));
	b->disk = d;
	b->segs = phys_to_virt(segs);
	ide_calc_limits(&ql, max_xfer);
	desc = (struct ata_blk_desc){
		.name = d->name,
		.id = &d->id,
		.ops = &ide_blk_ops,
		.disk = b,
		.pool = IDE_BLK_POOL,
		.queue_depth = 1,
		.max_sectors = ql.max_sectors,
		.max_segments = ql.max_segments,
		.max_segment_size = ql.max_segment_size,
		.seg_boundary_mask = ql.seg_boundary_mask,
	};
	/* LBA48 disks must have FLUSH CACHE EXT (ATA/ATAPI-6 6.16); one
	 * without it cannot put its cache on the medium when asked. */
	if (d->id.write_cache_enabled && !d->id.flush_ext)
		ide_ch_warn(
			d->ch,
			"%s: write cache without FLUSH CACHE EXT: flushes cannot reach the medium\n",
			d->name);
	b->ab = ata_blk_register(&desc, &ret);
	if (!b->ab) {
		free_pages(segs, IDE_BLK_SEG_PAGES);
		return ret;
	}
	cap[0] = '\0';
	if (max_xfer)
		ksnprintf(cap, sizeof(cap), ", at most %u KiB a command",
			  ql.max_sectors / 2);
	ide_ch_info(d->ch, "%s: block device, elevator %s%s%s\n", d->name,
		    ata_blk_elevator(b->ab),
		    ata_blk_write_cache(b->ab) ? ", write cache" : "", cap);
	return 0;
}

int ide_blk_register_all(u64 max_xfer)
{
	for (unsigned int i = nblks; i < ide_disk_count(); i++) {
		struct ide_disk *d = ide_disk(i);
		int ret = register_one(d, &blks[nblks], max_xfer);

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
	return i < nblks ? ata_blk_dev(blks[i].ab) : NULL;
}
