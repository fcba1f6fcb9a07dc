// SPDX-License-Identifier: MIT
/*
 * Storage bring-up: the block layer's default elevator (sched=), then every
 * AHCI disk, then every IDE disk (names continue AHCI's), each registered
 * with the block layer.
 */
#include "core/console.h"
#include "core/lib.h"
#include "boot/options.h"
#include "block/block.h"
#include "drivers/ahci/ahci.h"
#include "drivers/ide/ide.h"

static void blk_warn(const char *msg)
{
	pr_warn("keel: block: %s\n", msg);
}

void storage_init(const char *sched)
{
	blk_set_warn_handler(blk_warn);
	/* options_table.c took the name from the registered elevators. */
	if (sched && blk_set_default_elevator(sched))
		pr_err("keel: block: no elevator '%s'\n", sched);
	if (ahci_init() > 0)
		ahci_blk_register_all();
	if (ide_init() > 0)
		ide_blk_register_all();
}

static struct blk_dev *find_disk(const char *name)
{
	for (unsigned int i = 0; i < ahci_blk_count(); i++)
		if (!strcmp(ahci_blk_dev(i)->name, name))
			return ahci_blk_dev(i);
	for (unsigned int i = 0; i < ide_blk_count(); i++)
		if (!strcmp(ide_blk_dev(i)->name, name))
			return ide_blk_dev(i);
	return NULL;
}

bool storage_guest_disk(struct vm_disk *d)
{
	struct blk_dev *dev;

	if (!d->name[0])
		return false;
	dev = find_disk(d->name);
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
	d->dev = dev;
	pr_info("keel: guest disk: %s sectors %llu..%llu (%llu sectors) as virtio-blk\n",
		d->name, d->first, d->first + d->count - 1, d->count);
	return true;
}
