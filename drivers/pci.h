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
#define PCI_SECONDARY_BUS 0x19
#define PCI_CAPABILITY_LIST 0x34
#define PCI_INTERRUPT_LINE 0x3c
#define PCI_INTERRUPT_PIN 0x3d

/* BAR layout, PCI 3.0 6.2.5.1 */
#define PCI_BAR_IO BIT(0)
#define PCI_BAR_MEM_TYPE_MASK GENMASK(2, 1)
#define PCI_BAR_MEM_TYPE_64 (2 << 1)
#define PCI_BAR_MEM_PREFETCH BIT(3)

#define PCI_MAX_BARS 6

struct pci_bar {
	u64 base;
	u64 size; /* 0: not implemented */
	bool io;
	bool is64;
	bool prefetch;
};

struct pci_dev {
	u16 seg;
	u8 bus, dev, fn;
	u16 vendor, device;
	u8 class_code, subclass, prog_if, revision;
	u8 header_type;
	struct pci_bar bars[PCI_MAX_BARS];
};

#define PCI_MAX_DEVICES 128

/* Probe the raw value the BAR register and its size probe (all-ones write) gave. */
int pci_decode_bar(u32 lo, u32 lo_mask, u32 hi, u32 hi_mask,
		   struct pci_bar *bar);

u32 pci_read32(const struct pci_dev *d, u16 off);
u16 pci_read16(const struct pci_dev *d, u16 off);
u8 pci_read8(const struct pci_dev *d, u16 off);
void pci_write32(const struct pci_dev *d, u16 off, u32 v);
void pci_write16(const struct pci_dev *d, u16 off, u16 v);

/*
 * Enumerate every bus (ECAM when @ecam_base is non-zero, else CF8/CFC) and
 * fill the device table. Prints an lspci-like table when @print.
 */
void pci_init(u64 ecam_base, u8 bus_start, u8 bus_end, bool print);
unsigned int pci_device_count(void);
struct pci_dev *pci_device(unsigned int i);
/* Next device after @from (NULL: first) with this class triple; 0xff = any. */
struct pci_dev *pci_find_class(struct pci_dev *from, u8 cls, u8 sub, u8 prog);

#endif
