// SPDX-License-Identifier: MIT
/*
 * AHCI disks as block devices through drivers/ata/ata_blk.h: ATA transfers
 * become ahci_submit() commands. The transfer's tag is the command's index
 * here; the driver picks its own hardware slot.
 */
#include "core/lib.h"
#include "core/mm.h"
#include "drivers/ata/ata_blk.h"
#include "drivers/ahci/ahci_priv.h"

#define AHCI_BLK_POOL 64 /* requests per disk: depth 32 plus merge room */

struct ahci_blk_cmd {
	struct ahci_cmd cmd;
	struct ahci_blk *b;
	unsigned int tag;
	struct ahci_seg *segs; /* AHCI_PRDT_ENTRIES, in the disk's seg pages */
};

struct ahci_blk {
	struct ata_blk *ab;
	struct ahci_disk *disk;
	struct ahci_blk_cmd cmds[ATA_BLK_MAX_DEPTH];
};

static struct ahci_blk blks[AHCI_MAX_DISKS];
static unsigned int nblks;

static void ahci_blk_done(struct ahci_cmd *cmd, int status)
{
	struct ahci_blk_cmd *bc = container_of(cmd, struct ahci_blk_cmd, cmd);

	ata_blk_complete(bc->b->ab, bc->tag, status);
}

static int ahci_blk_submit(void *disk, struct ata_blk_xfer *x)
{
	struct ahci_blk *b = disk;
	struct ahci_blk_cmd *bc = &b->cmds[x->tag];
	unsigned int n = 0;
	u64 addr;
	u32 len;

	memset(&bc->cmd, 0, sizeof(bc->cmd));
	bc->cmd.done = ahci_blk_done;
	if (x->op == ATA_BLK_FLUSH) {
		bc->cmd.op = AHCI_OP_FLUSH;
	} else {
		bc->cmd.op = x->op == ATA_BLK_WRITE ? AHCI_OP_WRITE :
						      AHCI_OP_READ;
		bc->cmd.fua = x->fua;
		bc->cmd.lba = x->lba;
		bc->cmd.nsectors = x->nsectors;
		while (ata_blk_next_seg(x, &addr, &len)) {
			if (n == AHCI_PRDT_ENTRIES)
				return -EIO; /* limits broken */
			bc->segs[n].addr = addr;
			bc->segs[n++].len = len;
		}
		bc->cmd.segs = bc->segs;
		bc->cmd.nseg = n;
	}
	return ahci_submit(b->disk, &bc->cmd);
}

static u32 ahci_blk_poll(void *disk)
{
	struct ahci_blk *b = disk;

	return ahci_poll_disk(b->disk);
}

static const struct ata_blk_ops ahci_blk_ops = {
	.submit = ahci_blk_submit,
	.poll = ahci_blk_poll,
};

static int register_one(struct ahci_disk *d, struct ahci_blk *b)
{
	u64 seg_bytes = (u64)ATA_BLK_MAX_DEPTH * AHCI_PRDT_ENTRIES *
			sizeof(struct ahci_seg);
	phys_addr_t segs =
		alloc_pages(DIV_ROUND_UP(seg_bytes, PAGE_SIZE), PAGE_SIZE);
	struct ahci_queue_limits ql;
	struct ata_blk_desc desc;
	int ret;

	if (segs == PHYS_INVALID)
		return -ENOMEM;
	memset(b, 0, sizeof(*b));
	b->disk = d;
	for (unsigned int i = 0; i < ATA_BLK_MAX_DEPTH; i++) {
		b->cmds[i].b = b;
		b->cmds[i].tag = i;
		b->cmds[i].segs = (struct ahci_seg *)phys_to_virt(segs) +
				  i * AHCI_PRDT_ENTRIES;
	}
	ahci_disk_limits(d, &ql);
	desc = (struct ata_blk_desc){
		.name = d->name,
		.id = &d->id,
		.ops = &ahci_blk_ops,
		.disk = b,
		.pool = AHCI_BLK_POOL,
		.queue_depth = ql.queue_depth,
		.max_sectors = ql.max_sectors,
		.max_segments = ql.max_segments,
		.max_segment_size = ql.max_segment_size,
		.seg_boundary_mask = ql.seg_boundary_mask,
		.fua = true,
	};
	if (d->id.write_cache_enabled && !d->id.flush_ext)
		ahci_port_warn(&d->port,
			       "write cache without FLUSH CACHE EXT\n");
	b->ab = ata_blk_register(&desc, &ret);
	if (!b->ab) {
		free_pages(segs, DIV_ROUND_UP(seg_bytes, PAGE_SIZE));
		return ret;
	}
	ahci_port_info(&d->port, "%s: block device, elevator %s\n", d->name,
		       ata_blk_elevator(b->ab));
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
	return i < nblks ? ata_blk_dev(blks[i].ab) : NULL;
}
