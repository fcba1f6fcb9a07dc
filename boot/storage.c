// SPDX-License-Identifier: MIT
/*
 * Storage bring-up: the block layer's defaults from the command line
 * (sched=), then every AHCI disk, registered with the block layer.
 */
#include "core/console.h"
#include "core/lib.h"
#include "boot/options.h"
#include "block/block.h"
#include "drivers/ahci/ahci.h"

static void blk_warn(const char *msg)
{
	pr_warn("keel: block: %s\n", msg);
}

void storage_init(const char *cmdline)
{
	char name[16];
	const char *v;
	size_t n;

	blk_set_warn_handler(blk_warn);
	if (cmdline_get(cmdline, "sched", &v, &n)) {
		ksnprintf(name, sizeof(name), "%.*s",
			  (int)MIN(n, sizeof(name) - 1), v);
		if (n >= sizeof(name) || blk_set_default_elevator(name))
			pr_err("keel: sched=%.*s: unknown elevator; use none or deadline\n",
			       (int)n, v);
	}
	if (ahci_init() > 0)
		ahci_blk_register_all();
}
