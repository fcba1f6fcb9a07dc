// SPDX-License-Identifier: MIT
/*
 * fw_cfg items, as QEMU docs/specs/fw_cfg.rst defines the interface and
 * QEMU's x86 machines fill them: what a guest written for QEMU reads at
 * start-up (kvm-unit-tests' CPU count and RAM size). Only the traditional
 * interface: FW_CFG_ID says there is no DMA, and the file directory is
 * empty, so nothing points past the items below.
 */
#include "core/lib.h"
#include "vdev/fw_cfg_items.h"
#include "vm/guest_abi.h"

/* Keel gives the guest no display device: QEMU's -nographic. */
#define FW_CFG_NOGRAPHIC_VALUE 1
#define FW_CFG_FILE_DIR_LEN 4 /* the count alone, 0 (big-endian) */

void fw_cfg_reset(struct fw_cfg *f, u64 ram_size, u16 nb_cpus)
{
	*f = (struct fw_cfg){ .ram_size = ram_size, .nb_cpus = nb_cpus };
}

void fw_cfg_select(struct fw_cfg *f, u16 selector)
{
	f->selector = selector;
	f->offset = 0;
}

static unsigned int put_le(u8 *out, u64 v, unsigned int len)
{
	for (unsigned int i = 0; i < len; i++)
		out[i] = (u8)(v >> (8 * i));
	return len;
}

unsigned int fw_cfg_item(const struct fw_cfg *f, u16 selector,
			 u8 out[FW_CFG_ITEM_MAX])
{
	/* Bit 14 (the old write channel) does not change which item is read;
	 * Keel has no architecture-specific items (bit 15). */
	if (selector & FW_CFG_ARCH_LOCAL)
		return 0;
	switch (selector & FW_CFG_ENTRY_MASK) {
	case FW_CFG_SIGNATURE:
		memcpy(out, FW_CFG_SIGNATURE_VALUE, 4);
		return 4;
	case FW_CFG_ID:
		return put_le(out, FW_CFG_ID_TRADITIONAL, 4);
	case FW_CFG_RAM_SIZE:
		return put_le(out, f->ram_size, 8);
	case FW_CFG_NOGRAPHIC:
		return put_le(out, FW_CFG_NOGRAPHIC_VALUE, 2);
	case FW_CFG_NB_CPUS:
	case FW_CFG_MAX_CPUS:
		return put_le(out, f->nb_cpus, 2);
	case FW_CFG_FILE_DIR:
		return put_le(out, 0, FW_CFG_FILE_DIR_LEN);
	default:
		return 0;
	}
}

u8 fw_cfg_read(struct fw_cfg *f)
{
	u8 item[FW_CFG_ITEM_MAX];
	unsigned int len = fw_cfg_item(f, f->selector, item);

	/* Past the end the offset stays put: no count of reads wraps it. */
	if (f->offset >= len)
		return 0;
	return item[f->offset++];
}
