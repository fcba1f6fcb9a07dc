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
