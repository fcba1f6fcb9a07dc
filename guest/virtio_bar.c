// SPDX-License-Identifier: MIT
/*
 * Keel's BAR rules on its virtio-blk BAR0 (virtio_bar_rules=1; docs/
 * virtio.md, docs/vmx.md "PCI configuration space"): with memory decoding
 * on, sizing makes BAR0 read its mask and the device keeps answering at
 * its base; a move over guest RAM is refused and BAR0 reads back that
 * base. A device that followed either write would no longer answer there.
 */
#include "virtio.h"

#define VBLK_BAR0_MASK 0xffffc000u /* Keel's 16 KiB BAR0 */
#define GUEST_RAM_GPA 0x100000u /* where the guest's own image lies */

void virtio_bar_checks(struct vblk *d)
{
	u32 base = pci_cfg_read32(d->bdf, PCI_REG_BAR0), mask, rb;
	u16 cmd = pci_cfg_read16(d->bdf, PCI_REG_COMMAND);
	u64 cap;

	pci_cfg_write32(d->bdf, PCI_REG_BAR0, ~0u);
	mask = pci_cfg_read32(d->bdf, PCI_REG_BAR0);
	cap = vblk_cfg_capacity(d);
	pci_cfg_write32(d->bdf, PCI_REG_BAR0, base);
	vreport("bar_size_decoding_on",
		(cmd & PCI_CMD_MEMORY) && mask == VBLK_BAR0_MASK &&
			cap == d->capacity &&
			pci_cfg_read32(d->bdf, PCI_REG_BAR0) == base,
		"mask 0x%x, capacity %u at 0x%x", mask, (u32)cap, base);

	pci_cfg_write32(d->bdf, PCI_REG_BAR0, GUEST_RAM_GPA);
	rb = pci_cfg_read32(d->bdf, PCI_REG_BAR0);
	cap = vblk_cfg_capacity(d);
	vreport("bar_move_refused", rb == base && cap == d->capacity,
		"BAR0 to 0x%x reads 0x%x, capacity %u", GUEST_RAM_GPA, rb,
		(u32)cap);
}
