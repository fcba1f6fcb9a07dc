/* SPDX-License-Identifier: MIT */
/*
 * For emulated devices that are PCI functions of their own (virtio-blk):
 * vdev/pci_cfg.c puts them in the guest's configuration space.
 */
#ifndef KEEL_VDEV_PCI_CFG_H
#define KEEL_VDEV_PCI_CFG_H

#include "vdev/pci_vcfg.h"

#define PCI_CFG_MAX_EMUL 4

/*
 * Show the guest the function @emul at @bdf. Called from a device's init,
 * which runs before pci_cfg.c's (vdev/build.mk order); the function
 * appears when the configuration space is built. -ENOSPC when full.
 */
int pci_cfg_add_emulated(u16 bdf, const struct pci_vfn_emul *emul);

#endif
