/* SPDX-License-Identifier: MIT */
/*
 * The guest's view of PCI configuration space (mechanism #1, PCI 3.0
 * 3.2.2.3.2) for the functions it is given. BARs, the bridge routing
 * registers and the command register's decode bits live in a shadow; the
 * device's real BARs never change. Moving a memory BAR moves its EPT
 * mapping (guest-physical -> the device's real address) once the new
 * place is checked against everything the guest must not cover; a
 * refused move is undone, and a size probe is never a place
 * (vdev/pci_vbar.c). The policy for every offset is in docs/vmx.md ("PCI
 * configuration space").
 *
 * Pure: the real configuration space, the EPT and the log are injected
 * (struct pci_vcfg_ops), so host tests run it against a fake.
 */
#ifndef KEEL_VDEV_PCI_VCFG_H
#define KEEL_VDEV_PCI_VCFG_H

#include "core/types.h"
#include "drivers/pci.h"

/* Mechanism #1's ports and the reset control register at 0xCF9. */
#include "arch/x86/pc_ports.h"

/* Type 1 header registers, PCI-PCI Bridge 1.2 3.2. */
#define PCI_BRIDGE_ROUTING_START 0x18 /* bus numbers .. I/O limit upper 16 */
#define PCI_BRIDGE_ROUTING_END 0x34
#define PCI_BRIDGE_ROM 0x38
#define PCI_BRIDGE_CONTROL 0x3e
/* Type 0 header, PCI 3.0 6.2.5.2. */
#define PCI_ROM_ADDRESS 0x30
#define PCI_CAP_AREA 0x40 /* capabilities and device-specific registers */

/* Capability IDs and layouts, PCI 3.0 6.7-6.8 and appendix H. */
#define PCI_CAP_ID_MSI 0x05
#define PCI_CAP_ID_MSIX 0x11
#define PCI_MSI_FLAGS 2 /* message control, from the capability start */
#define PCI_MSI_FLAGS_64BIT BIT(7)
#define PCI_MSI_FLAGS_MASKBIT BIT(8)
#define PCI_MSI_LEN_32 0x0a /* ID, next, control, address, data */
#define PCI_MSI_LEN_64 0x0e
#define PCI_MSI_LEN_MASK_EXTRA 0x0a /* mask and pending dwords */
#define PCI_MSIX_FLAGS 2 /* message control: enable, function mask */
#define PCI_CAP_MAX_WALK 48 /* (256 - 64) / 4: a longer chain loops */

/* COMMAND bits that reach the hardware as the guest writes them. */
#define PCI_COMMAND_PARITY BIT(6)
#define PCI_COMMAND_SERR BIT(8)
#define PCI_VCFG_CMD_PASS                                           \
	(PCI_COMMAND_IO | PCI_COMMAND_MEMORY | PCI_COMMAND_MASTER | \
	 PCI_COMMAND_PARITY | PCI_COMMAND_SERR | PCI_COMMAND_INTX_DISABLE)

#define PCI_VCFG_MAX_FORBID 32
#define PCI_VCFG_LOG_MAX 8 /* refusal lines before going quiet */
#define PCI_VCFG_LINE 160

struct pci_vcfg_ops {
	/* Real configuration access; @width 1, 2 or 4, naturally aligned. */
	u32 (*read)(void *ctx, u16 bdf, u8 off, int width);
	void (*write)(void *ctx, u16 bdf, u8 off, int width, u32 v);
	/* EPT: map [gpa, gpa+size) to the device at hpa, uncached; unmap. */
	int (*map)(void *ctx, u64 gpa, u64 hpa, u64 size);
	int (*unmap)(void *ctx, u64 gpa, u64 size);
	/* One line for Keel's log, without the newline. */
	void (*log)(void *ctx, const char *line);
	/*
	 * Why [gpa, gpa+size) holds something Keel emulates now (a trapped
	 * range such as virtio-blk's BAR, wherever the guest last put it), or
	 * NULL. Asked at every mapping, so a range that moved is never
	 * stale. May be NULL: nothing is emulated.
	 */
	const char *(*emulated)(void *ctx, u64 gpa, u64 size);
	void *ctx;
};

/* A guest-physical range no BAR may cover, and what it is. */
struct pci_vcfg_range {
	u64 base, size;
	const char *what;
};

struct pci_vbar {
	u64 hpa, size; /* the real BAR; size 0: not implemented */
	u64 mask; /* address bits the device implements (struct pci_bar) */
	bool io, is64, prefetch;
	bool hi_half; /* upper dword of the 64-bit BAR before it */
	bool nomap; /* its pages hold a hidden function's registers */
	u32 reg; /* the guest's value of this BAR register */
	/*
	 * Where the device is in the guest's machine: the last place Keel
	 * accepted, at first the firmware's. With decoding on the BAR reads
	 * it back (I/O BARs: always their real ports).
	 */
	u64 gpa;
	bool mapped; /* the EPT maps map_gpa.. to the device now */
	u64 map_gpa, map_hpa, map_size; /* page-rounded */
	u64 refused_gpa; /* last refused base, so a retry is not logged */
	/*
	 * A 64-bit BAR's low half written alone with decoding on, to a place
	 * Keel refused: the register reads back the old half (the move was
	 * undone), but the next write of the high half is a move to this
	 * low half and that high half, as on hardware, where the register
	 * would hold it. Any other write to the BAR, or decoding turned off
	 * or on in COMMAND, drops it.
	 */
	bool lo_pending;
	u32 pending_lo;
};

/*
 * A function Keel emulates whole (no hardware behind it, e.g. virtio-blk):
 * every configuration access goes to these hooks.
 */
struct pci_vfn_emul {
	u32 (*read)(void *ctx, u8 off, unsigned int n);
	void (*write)(void *ctx, u8 off, unsigned int n, u32 val);
	void *ctx;
};

struct pci_vfn {
	u16 bdf;
	const struct pci_vfn_emul *emul; /* NULL: a real function */
	u8 header_type; /* PCI_HEADER_TYPE_* */
	u8 nbars;
	u16 cmd_view; /* the guest's IO and MEMORY bits */
	bool no_master; /* bus mastering denied: reads 0, never reaches it */
	u8 msi_off, msi_len, msix_off; /* 0: none */
	struct pci_vbar bar[PCI_MAX_BARS];
	/* Bridge routing and control bytes, from offset 0x18 to 0x3F. */
	u8 shadow[PCI_CAP_AREA - PCI_BRIDGE_ROUTING_START];
};

struct pci_vcfg {
	const struct pci_vcfg_ops *ops;
	struct pci_vfn *fns;
	unsigned int nfns, max_fns;
	struct pci_vcfg_range forbid[PCI_VCFG_MAX_FORBID];
	unsigned int nforbid;
	unsigned int refusals, logged;
	unsigned int moves; /* BAR mappings made since the guest started */
	u32 addr; /* CONFIG_ADDRESS as the guest wrote it */
	u8 rst_cnt; /* the guest's view of 0xCF9 */
};

/*
 * EPT page tables that a move leaves empty are not freed until the guest
 * ends, so moves are bounded: past this many, a BAR stays where it is.
 */
#define PCI_VCFG_MAX_MOVES 1024

/* What a port access asks of the caller. */
#define PCI_VCFG_OK 0
#define PCI_VCFG_RESET 1 /* a write set RST_CNT.RST_CPU: end the guest */

void pci_vcfg_init(struct pci_vcfg *c, const struct pci_vcfg_ops *ops,
		   struct pci_vfn *fns, unsigned int max_fns);
/* Add a range no BAR may be moved over. -ENOSPC when full. */
int pci_vcfg_forbid(struct pci_vcfg *c, u64 base, u64 size, const char *what);
/*
 * Give the guest function @d: its BARs as enumerated, the real COMMAND
 * as its first view, the bridge bytes copied to the shadow and the
 * capability chain walked for MSI/MSI-X. @nomap_mask: BARs (bit n = BARn)
 * that may never be mapped. -ENOSPC when full.
 */
int pci_vcfg_add(struct pci_vcfg *c, const struct pci_dev *d, u32 nomap_mask);
/*
 * Give the guest an emulated function at @bdf. -EEXIST when the guest
 * already sees a function there, -ENOSPC when full.
 */
int pci_vcfg_add_emul(struct pci_vcfg *c, u16 bdf,
		      const struct pci_vfn_emul *emul);
/*
 * Map the memory BARs of every function whose view has memory decoding
 * on, at their current places, checked like any move. Returns the number
 * refused.
 */
unsigned int pci_vcfg_start(struct pci_vcfg *c);
/*
 * Deny @f bus mastering (DMA would not be confined, docs/iommu.md): the
 * real bit goes off now, the guest reads it as 0 (as on a device that
 * cannot master) and its writes to it never reach the device. Bridges
 * keep theirs: it forwards for Keel's devices too (their view never
 * reaches the device anyway).
 */
void pci_vcfg_deny_master(struct pci_vcfg *c, struct pci_vfn *f);
/* The function at @bdf, or NULL (the guest sees no function there). */
struct pci_vfn *pci_vcfg_find(struct pci_vcfg *c, u16 bdf);

/*
 * An access to ports 0xCF8-0xCFF as the CPU made it: [@port, @port+@size)
 * lies inside them. @val is the value written, or receives the value read.
 * Returns PCI_VCFG_OK or PCI_VCFG_RESET.
 */
int pci_vcfg_pio(struct pci_vcfg *c, u16 port, unsigned int size, bool in,
		 u32 *val);

/* Configuration access to @n bytes (1-4, within one dword) at @off. */
u32 pci_vcfg_read(struct pci_vcfg *c, struct pci_vfn *f, u8 off,
		  unsigned int n);
void pci_vcfg_write(struct pci_vcfg *c, struct pci_vfn *f, u8 off,
		    unsigned int n, u32 val);

/*
 * Why an emulated range may not move to [@gpa, @gpa+@size) now: it is
 * forbidden, or a BAR is mapped over part of it. NULL when it may. The
 * emulated device asks this at each move, so whichever of the two moves
 * second is refused.
 */
const char *pci_vcfg_place_taken(const struct pci_vcfg *c, u64 gpa, u64 size);

/* The guest-physical base the guest gave memory BAR @i (0 if none). */
u64 pci_vcfg_bar_gpa(const struct pci_vfn *f, unsigned int i);

#endif
