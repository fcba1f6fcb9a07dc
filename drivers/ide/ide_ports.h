/* SPDX-License-Identifier: MIT */
/*
 * Where a PCI IDE function's channels live: compatibility or native mode
 * from the programming interface byte, ports from the legacy addresses or
 * the BARs, the bus-master block from BAR4. Pure (ide_ports.c), so the host
 * tests cover native mode, which no emulator here offers.
 */
#ifndef KEEL_DRIVERS_IDE_PORTS_H
#define KEEL_DRIVERS_IDE_PORTS_H

#include "core/types.h"
#include "drivers/pci.h"

struct ide_chan_ports {
	u16 cmd; /* command block base */
	u16 ctl; /* alternate status / device control */
	u16 bm; /* this channel's bus-master registers; 0: none */
};

/*
 * Ports of channel @num (0 primary, 1 secondary) of a function with
 * programming interface @prog_if and BARs @bars (PCI IDE 1.0 2.1/2.2,
 * BMIDE 1.0 1.2). Returns 0, or -ENODEV when a native-mode channel lacks
 * its I/O BARs, -EINVAL for @num > 1.
 */
int ide_channel_ports(u8 prog_if, const struct pci_bar *bars, unsigned int num,
		      struct ide_chan_ports *p);

#endif
