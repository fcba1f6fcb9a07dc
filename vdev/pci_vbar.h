/* SPDX-License-Identifier: MIT */
/*
 * The BAR half of the guest's virtual configuration space
 * (vdev/pci_vbar.c): the BAR registers as the guest sees them and the EPT
 * mappings that follow them, for vdev/pci_vcfg.c (the public interface
 * is vdev/pci_vcfg.h); and the same rules for a BAR of a function Keel
 * emulates whole (struct pci_ebar, virtio-blk's).
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

/*
 * A 32-bit memory BAR of @size bytes (a power of two) that Keel emulates:
 * the device is a trapped range at @base, which moves only by @move. The
 * rules are a real BAR's (docs/vmx.md): with decoding on a write is a
 * move, undone when refused, so the register reads back @base; with it
 * off the register is storage, checked when decoding comes on; the
 * sizing write (all ones) only makes it read the size mask.
 */
struct pci_ebar {
	u32 reg; /* what the guest reads */
	u32 size;
	u64 base; /* where the device is */
};

/* Move the device to @to; NULL when done, else why it stays. */
typedef const char *(*pci_ebar_move_fn)(void *ctx, u64 to);

void pci_ebar_init(struct pci_ebar *e, u64 base, u32 size);
/*
 * The guest wrote @v to the register; @decode: memory decoding is on in
 * its COMMAND. Returns why a move was refused (the register then reads
 * @base again), or NULL.
 */
const char *pci_ebar_write(struct pci_ebar *e, u32 v, bool decode,
			   pci_ebar_move_fn move, void *ctx);
/* COMMAND changed: with @decode on, the register's address is a move. */
const char *pci_ebar_sync(struct pci_ebar *e, bool decode,
			  pci_ebar_move_fn move, void *ctx);

#endif
