// SPDX-License-Identifier: MIT
/*
 * Storage bring-up: the block layer's default elevator (sched=), then every
 * AHCI disk, then every IDE disk (names continue AHCI's), each registered
 * with the block layer.
 */
#include "core/console.h"
#include "core/lib.h"
#include "boot/options.h"
#include "core/mm.h"
#include "block/block.h"
#include "boot/bootdisk.h"
#include "drivers/ahci/ahci.h"
#include "drivers/ide/ide.h"

static void blk_warn(const char *msg)
{
	pr_warn("keel: block: %s\n", msg);
}

void storage_init(const char *sched, u64 ide_max_xfer)
{
	blk_set_warn_handler(blk_warn);
	/* options_table.c took the name from the registered elevators. */
	if (sched && blk_set_default_elevator(sched))
		pr_err("keel: block: no elevator '%s'\n", sched);
	if (ahci_init() > 0)
		ahci_blk_register_all();
	if (ide_init() > 0)
		ide_blk_register_all(ide_max_xfer);
}

struct blk_dev *storage_find_disk(const char *name)
{
	for (unsigned int i = 0; i < ahci_blk_count(); i++)
		if (!strcmp(ahci_blk_dev(i)->name, name))
			return ahci_blk_dev(i);
	for (unsigned int i = 0; i < ide_blk_count(); i++)
		if (!strcmp(ide_blk_dev(i)->name, name))
			return ide_blk_dev(i);
	return NULL;
}

#define ISO_VD_PAGES (ISO_VD_READ * ISO_BLOCK / PAGE_SIZE)

static void read_done(struct bio *bio)
{
	*(bool *)bio->bi_private = true;
}

/*
 * Read the ISO 9660 volume descriptors of @dev into @buf (ISO_VD_PAGES
 * pages), through its queue. The wait is bounded by the driver's own
 * command timeouts. 0, or -EIO.
 */
static int read_vds(struct blk_dev *dev, phys_addr_t buf)
{
	struct bio_vec vecs[ISO_VD_PAGES];
	struct bio bio;
	bool done = false;

	bio_init(&bio, dev, REQ_OP_READ, 0, vecs, ISO_VD_PAGES);
	bio.bi_iter.bi_sector = ISO_VD_FIRST * (ISO_BLOCK / SECTOR_SIZE);
	for (unsigned int i = 0; i < ISO_VD_PAGES; i++)
		bio_add_page(&bio, buf + i * PAGE_SIZE, PAGE_SIZE, 0);
	bio.bi_end_io = read_done;
	bio.bi_private = &done;
	if (blk_submit_bio(&bio))
		return -EIO;
	while (!done)
		blk_poll(dev);
	return bio.bi_status ? -EIO : 0;
}

/*
 * Sectors [0, n) of @dev that hold a bootable ISO 9660 volume: Keel's own
 * ISO written to this disk, which the guest must never reach. A disk too
 * small to hold the descriptors has none; one that cannot be read is
 * treated as all boot volume.
 */
static u64 boot_volume(struct blk_dev *dev)
{
	u64 end = (ISO_VD_FIRST + ISO_VD_READ) * (ISO_BLOCK / SECTOR_SIZE), n;
	phys_addr_t buf;
	int rc;

	if (dev->capacity < end)
		return 0;
	buf = alloc_pages(ISO_VD_PAGES, PAGE_SIZE);
	if (buf == PHYS_INVALID)
		return dev->capacity;
	rc = read_vds(dev, buf);
	n = rc ? dev->capacity :
		 iso_boot_volume_sectors(phys_to_virt(buf),
					 ISO_VD_READ * ISO_BLOCK);
	free_pages(buf, ISO_VD_PAGES);
	return MIN(n, dev->capacity);
}

bool storage_guest_disk(struct vm_disk *d)
{
	u64 boot;
	u32 spb;
	struct blk_dev *dev;

	if (!d->name[0])
		return false;
	dev = storage_find_disk(d->name);
	if (!dev) {
		pr_err("keel: guest_disk=%s: no such disk; the guest gets none\n",
		       d->name);
		return false;
	}
	if (!d->range) {
		d->first = 0;
		d->count = dev->capacity;
	}
	if (d->first >= dev->capacity || d->count > dev->capacity - d->first) {
		pr_err("keel: guest_disk=%s:%llu+%llu: past the end of %s (%llu sectors); the guest gets no disk\n",
		       d->name, d->first, d->count, d->name, dev->capacity);
		return false;
	}
	/* virtio-blk offers the disk's blocks: the range must be whole ones. */
	spb = dev->limits.logical_block_size / SECTOR_SIZE;
	if (spb > 1 && (d->first % spb || d->count % spb)) {
		pr_err("keel: guest_disk=%s:%llu+%llu: not whole %u-byte blocks of %s (multiples of %u sectors); the guest gets no disk\n",
		       d->name, d->first, d->count,
		       dev->limits.logical_block_size, d->name, spb);
		return false;
	}
	boot = boot_volume(dev);
	if (d->first < boot) {
		pr_err("keel: guest_disk=%s: sectors 0..%llu of %s hold a bootable ISO 9660 image (Keel's boot disk); the guest gets no disk (start its range at %llu or later)\n",
		       d->name, boot - 1, d->name, boot);
		return false;
	}
	d->dev = dev;
	pr_info("keel: guest disk: %s sectors %llu..%llu (%llu sectors) as virtio-blk%s\n",
		d->name, d->first, d->first + d->count - 1, d->count,
		d->ro ? ", read-only" : "");
	return true;
}
