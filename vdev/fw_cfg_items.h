/* SPDX-License-Identifier: MIT */
/*
 * The items of the guest's fw_cfg (vdev/fw_cfg.c) and the read cursor into
 * them. Pure: built for Keel and for the host tests. Every selector and
 * every number of reads is the guest's choice; the cursor never leaves the
 * item it points into.
 */
#ifndef KEEL_VDEV_FW_CFG_ITEMS_H
#define KEEL_VDEV_FW_CFG_ITEMS_H

#include "core/types.h"

/* The longest item Keel serves (RAM_SIZE, a u64). */
#define FW_CFG_ITEM_MAX 8

struct fw_cfg {
	u64 ram_size; /* bytes of guest RAM */
	u16 nb_cpus; /* CPUs the guest has, and may ever have */
	u16 selector; /* as the guest last wrote it */
	u32 offset; /* the next byte of the item: at most its length */
};

/* A device with no item selected yet: selector 0, as QEMU starts. */
void fw_cfg_reset(struct fw_cfg *f, u64 ram_size, u16 nb_cpus);
/* A write of @selector to the selector port: pick that item, rewind. */
void fw_cfg_select(struct fw_cfg *f, u16 selector);
/* A byte read of the data port: the item's next byte, 0 past its end. */
u8 fw_cfg_read(struct fw_cfg *f);
/*
 * The bytes of the item @selector names into @out: its length, 0 for an
 * item Keel does not have (which reads as zeros, as on QEMU).
 */
unsigned int fw_cfg_item(const struct fw_cfg *f, u16 selector,
			 u8 out[FW_CFG_ITEM_MAX]);

#endif
