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

struct vm;
/*
 * Why an emulated device of @vm may not move its range to [@gpa,
 * @gpa+@size) now (pci_vcfg_place_taken: a BAR mapped there, or a place
 * no BAR may take), or NULL. NULL too before @vm's configuration space
 * is built.
 */
const char *pci_cfg_place_taken(const struct vm *vm, u64 gpa, u64 size);

#endif
