/* SPDX-License-Identifier: MIT */
/*
 * PCI configuration access (ECAM from the ACPI MCFG, else ports CF8/CFC),
 * BAR decoding and bus enumeration. PCI Local Bus 3.0 ch. 6, PCIe 4.0 7.2.
 */
#ifndef KEEL_DRIVERS_PCI_H
#define KEEL_DRIVERS_PCI_H

#include "core/types.h"

/* Configuration space header offsets, PCI 3.0 6.1 */
#define PCI_VENDOR_ID 0x00
#define PCI_DEVICE_ID 0x02
#define PCI_COMMAND 0x04
#define PCI_COMMAND_IO BIT(0)
#define PCI_COMMAND_MEMORY BIT(1)
#define PCI_COMMAND_MASTER BIT(2)
#define PCI_COMMAND_INTX_DISABLE BIT(10)
#define PCI_STATUS 0x06
#define PCI_STATUS_CAP_LIST BIT(4)
#define PCI_REVISION_ID 0x08
#define PCI_CLASS_PROG 0x09
#define PCI_CLASS_DEVICE 0x0a /* subclass at 0x0a, base class at 0x0b */
#define PCI_HEADER_TYPE 0x0e
#define PCI_HEADER_TYPE_MASK 0x7f
#define PCI_HEADER_MULTIFUNC BIT(7)
#define PCI_BAR0 0x10
#define PCI_PRIMARY_BUS 0x18 /* type 1 header, PCI-PCI Bridge 1.2 3.2 */
#define PCI_SECONDARY_BUS 0x19
#define PCI_SUBORDINATE_BUS 0x1a
#define PCI_CAPABILITY_LIST 0x34
#define PCI_INTERRUPT_LINE 0x3c
#define PCI_INTERRUPT_PIN 0x3d

/* BAR layout, PCI 3.0 6.2.5.1 */
#define PCI_BAR_IO BIT(0)
#define PCI_BAR_MEM_TYPE_MASK GENMASK(2, 1)
#define PCI_BAR_MEM_TYPE_64 (2 << 1)
#define PCI_BAR_MEM_PREFETCH BIT(3)

#define PCI_MAX_BARS 6
#define PCI_BRIDGE_BARS 2 /* type 1 header, PCI-PCI Bridge 1.2 3.2 */
#define PCI_CARDBUS_BARS 1 /* type 2 header: socket registers only */

#define PCI_HEADER_TYPE_NORMAL 0
#define PCI_HEADER_TYPE_BRIDGE 1
#define PCI_HEADER_TYPE_CARDBUS 2

struct pci_bar {
	u64 base;
	u64 size; /* 0: not implemented */
	/*
	 * The address bits that read back 1 after writing all ones (upper
	 * half in bits 63:32 for a 64-bit BAR): a device may decode fewer
	 * bits than its type allows, e.g. a 64-bit BAR with a 32-bit decoder.
	 */
	u64 mask;
	bool io;
	bool is64;
	bool prefetch;
};

struct pci_dev {
	u16 seg;
	u8 bus, dev, fn;
	u16 vendor, device;
	u8 class_code, subclass, prog_if, revision;
	u8 header_type; /* with PCI_HEADER_MULTIFUNC masked off */
	u8 secondary_bus; /* bridges only */
	bool keel_owned; /* a Keel driver owns it: hidden from the guest */
	bool guest_assigned; /* passthrough= names it: no Keel driver claims it */
	/* Keel uses its memory but not its DMA (the framebuffer console's
	 * display): hidden from the guest, and no IOMMU context. */
	bool keel_hidden;
	struct pci_bar bars[PCI_MAX_BARS];
};

/*
 * Raw configuration access used by the enumerator: @width is 1, 2 or 4 and
 * @off is naturally aligned to it. Reads of absent functions return all ones.
 * pci.c provides ECAM and CF8/CFC implementations; host tests a fake.
 */
struct pci_cfg_ops {
	u32 (*read)(void *ctx, u8 bus, u8 dev, u8 fn, u16 off, int width);
	void (*write)(void *ctx, u8 bus, u8 dev, u8 fn, u16 off, int width,
		      u32 v);
	void *ctx;
};

#define PCI_MAX_DEVICES 128

/*
 * Decode one BAR from its value (@lo, and @hi for the upper half of a 64-bit
 * BAR) and what it read back after writing all ones (@lo_mask, @hi_mask).
 * Pure. Returns the number of BAR registers it used (1, or 2 for a 64-bit
 * memory BAR), or -EINVAL for a reserved memory type (bar->size is then 0).
 */
int pci_decode_bar(u32 lo, u32 lo_mask, u32 hi, u32 hi_mask,
		   struct pci_bar *bar);

/*
 * Walk the hierarchy from @bus_start (following bridges' secondary bus
 * numbers, each bus once, none above @bus_end), sizing BARs with decode
 * disabled in COMMAND and restored after. Fills at most @max entries of
 * @devs and returns the number of functions found (may exceed @max).
 * Pure apart from @ops (drivers/pci_enum.c), so host tests fake the space.
 */
unsigned int pci_enumerate(const struct pci_cfg_ops *ops, u8 bus_start,
			   u8 bus_end, struct pci_dev *devs, unsigned int max);
/* Bridges the last pci_enumerate() did not follow: nested too deep. */
unsigned int pci_enum_too_deep(void);
/* One lspci-like line for @d, without the "keel: pci: " prefix or newline. */
int pci_format_dev(const struct pci_dev *d, char *buf, size_t len);

u32 pci_read32(const struct pci_dev *d, u16 off);
u16 pci_read16(const struct pci_dev *d, u16 off);
u8 pci_read8(const struct pci_dev *d, u16 off);
void pci_write32(const struct pci_dev *d, u16 off, u32 v);
void pci_write16(const struct pci_dev *d, u16 off, u16 v);
/* Any width (1, 2 or 4, naturally aligned), for code that forwards one. */
u32 pci_cfg_read(const struct pci_dev *d, u16 off, int width);
void pci_cfg_write(const struct pci_dev *d, u16 off, int width, u32 v);

/*
 * Enumerate every bus (ECAM when @ecam_base is non-zero, else CF8/CFC) and
 * fill the device table. Prints an lspci-like table when @print.
 */
void pci_init(u64 ecam_base, u8 bus_start, u8 bus_end, bool print);
unsigned int pci_device_count(void);
struct pci_dev *pci_device(unsigned int i);
/* PCI Code and ID Assignment 1.11, 1.7: base class 06h, bridge devices. */
#define PCI_BASE_CLASS_BRIDGE 0x06
#define PCI_SUBCLASS_HOST_BRIDGE 0x00

/*
 * A bridge whose bus-master bit forwards the DMA of others: PCI-PCI and
 * CardBus bridges (upstream forwarding, PCI-PCI Bridge 1.2 3.2.5.1) and
 * host bridges. Keel never turns it off (docs/iommu.md).
 */
static inline bool pci_forwards_dma(const struct pci_dev *d)
{
	return d->header_type == PCI_HEADER_TYPE_BRIDGE ||
	       d->header_type == PCI_HEADER_TYPE_CARDBUS ||
	       (d->class_code == PCI_BASE_CLASS_BRIDGE &&
		d->subclass == PCI_SUBCLASS_HOST_BRIDGE);
}

/* A function's address packed as bus << 8 | dev << 3 | fn. */
#define PCI_BDF(bus, dev, fn) ((u16)((bus) << 8 | (dev) << 3 | (fn)))

/*
 * Parse a comma-separated list of "BB:DD.F" (hex, as lspci prints them)
 * into at most @max packed addresses. Returns 0, -EINVAL (malformed) or
 * -E2BIG (more than @max), with *bad the offset where parsing stopped.
 * Pure, so the host tests it.
 */
int pci_parse_bdf_list(const char *s, size_t len, u16 *out, unsigned int max,
		       unsigned int *n, size_t *bad);

/* The device at @bus:@dev.@fn in segment 0, or NULL. */
struct pci_dev *pci_find_bdf(u8 bus, u8 dev, u8 fn);
/* Next device after @from (NULL: first) with this class triple; 0xff = any. */
struct pci_dev *pci_find_class(struct pci_dev *from, u8 cls, u8 sub, u8 prog);

#endif
