/* SPDX-License-Identifier: MIT */
/*
 * The BAR half of the guest's virtual configuration space, for
 * vdev/pci_vcfg.c only (the public interface is vdev/pci_vcfg.h): the
 * BAR registers as the guest sees them and the EPT mappings that follow
 * them (vdev/pci_vbar.c).
 */
#ifndef KEEL_VDEV_PCI_VBAR_H
#define KEEL_VDEV_PCI_VBAR_H

#include "vdev/pci_vcfg.h"

/* Fill @f's BARs from enumeration; @nomap_mask as pci_vcfg_add(). */
void pci_vbar_add(struct pci_vfn *f, const struct pci_dev *d, u32 nomap_mask);
/* One byte of the BAR registers at @off (0x10 up to the last BAR). */
u8 pci_vbar_read_byte(const struct pci_vfn *f, unsigned int off);
/* Store one byte the guest wrote; pci_vbar_written() acts on it. */
void pci_vbar_write_byte(struct pci_vfn *f, unsigned int off, u8 v);
/* The guest's write reached BAR registers @regs (bit n = BARn): act. */
void pci_vbar_written(struct pci_vcfg *c, struct pci_vfn *f, u32 regs);
/* Make the EPT agree with @f's BARs and its COMMAND view. */
void pci_vbar_sync_all(struct pci_vcfg *c, struct pci_vfn *f);

#endif
