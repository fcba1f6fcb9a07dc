// SPDX-License-Identifier: MIT
/* PCI IDE channel ports from the programming interface and the BARs. */
#include "drivers/ide/ide_ports.h"
#include "drivers/ide/ide_regs.h"

/* An I/O BAR that decodes something inside the 64 KiB port space. */
static bool io_bar_ok(const struct pci_bar *b, u64 need)
{
	return b->io && b->size >= need && b->base + b->size <= 0x10000;
}

int ide_channel_ports(u8 prog_if, const struct pci_bar *bars, unsigned int num,
		      struct ide_chan_ports *p)
{
	u8 native = num ? IDE_PROGIF_SEC_NATIVE : IDE_PROGIF_PRI_NATIVE;
	const struct pci_bar *bm = &bars[IDE_BAR_BM];

	if (num > 1)
		return -EINVAL;
	p->bm = 0;
	if ((prog_if & IDE_PROGIF_BUS_MASTER) &&
	    io_bar_ok(bm, 2 * IDE_BM_CHANNEL_STRIDE))
		p->bm = (u16)(bm->base + num * IDE_BM_CHANNEL_STRIDE);
	if (!(prog_if & native)) {
		p->cmd = num ? IDE_SEC_CMD_PORT : IDE_PRI_CMD_PORT;
		p->ctl = num ? IDE_SEC_CTL_PORT : IDE_PRI_CTL_PORT;
		return 0;
	}
	if (!io_bar_ok(&bars[IDE_BAR_CMD(num)], IDE_NATIVE_CMD_SIZE) ||
	    !io_bar_ok(&bars[IDE_BAR_CTL(num)], IDE_NATIVE_CTL_SIZE))
		return -ENODEV;
	p->cmd = (u16)bars[IDE_BAR_CMD(num)].base;
	p->ctl = (u16)(bars[IDE_BAR_CTL(num)].base + IDE_NATIVE_CTL_OFFSET);
	return 0;
}
