// SPDX-License-Identifier: MIT
/*
 * PCI configuration access on real hardware: ECAM (memory-mapped, from the
 * ACPI MCFG) when available, else configuration mechanism #1 through ports
 * CF8/CFC. Enumeration and BAR decoding are in pci_enum.c.
 */
#include "drivers/pci.h"
#include "arch/x86/arch.h"
#include "arch/x86/pc_ports.h"
#include "core/console.h"
#include "core/lib.h"

/* ECAM layout, PCIe 4.0 7.2.2: bus 27:20, device 19:15, function 14:12 */
#define ECAM_BUS_SHIFT 20
#define ECAM_DEV_SHIFT 15
#define ECAM_FN_SHIFT 12
#define ECAM_BUS_SIZE MiB(1)
#define ECAM_CFG_SIZE 4096 /* PCIe extended configuration space */

#define PCI_LINE_LEN 200

struct ecam {
	u64 base; /* address of bus 0, as the MCFG states it */
	u8 bus_start, bus_end;
	u64 mapped[256 / 64]; /* buses already ioremap()ed */
	u64 refused[256 / 64]; /* buses ioremap() refused (said once) */
};

static struct ecam ecam;
static const struct pci_cfg_ops *cur_ops;
static struct pci_dev devices[PCI_MAX_DEVICES];
static unsigned int n_devices;

static u32 all_ones(int width)
{
	return width == 4 ? ~0U : (1U << (8 * width)) - 1;
}

/*
 * Map one bus's 1 MiB when it is first touched: most machines populate a
 * handful of the 256 buses, and this keeps the page tables small.
 */
static volatile u8 *ecam_addr(struct ecam *e, u8 bus, u8 dev, u8 fn, u16 off)
{
	u64 bus_base = e->base + ((u64)bus << ECAM_BUS_SHIFT);

	if (bus < e->bus_start || bus > e->bus_end || off >= ECAM_CFG_SIZE)
		return NULL;
	if (e->refused[bus / 64] & BIT(bus % 64))
		return NULL;
	if (!(e->mapped[bus / 64] & BIT(bus % 64))) {
		if (!ioremap(bus_base, ECAM_BUS_SIZE)) {
			e->refused[bus / 64] |= BIT(bus % 64);
			return NULL;
		}
		e->mapped[bus / 64] |= BIT(bus % 64);
	}
	return (volatile u8 *)(uintptr_t)(bus_base |
					  ((u64)dev << ECAM_DEV_SHIFT) |
					  ((u64)fn << ECAM_FN_SHIFT) | off);
}

static u32 ecam_read(void *ctx, u8 bus, u8 dev, u8 fn, u16 off, int width)
{
	volatile u8 *p = ecam_addr(ctx, bus, dev, fn, off);

	if (!p)
		return all_ones(width);
	switch (width) {
	case 1:
		return *p;
	case 2:
		return *(volatile u16 *)p;
	default:
		return mmio_read32(p);
	}
}

static void ecam_write(void *ctx, u8 bus, u8 dev, u8 fn, u16 off, int width,
		       u32 v)
{
	volatile u8 *p = ecam_addr(ctx, bus, dev, fn, off);

	if (!p)
		return;
	switch (width) {
	case 1:
		*p = (u8)v;
		break;
	case 2:
		*(volatile u16 *)p = (u16)v;
		break;
	default:
		mmio_write32(p, v);
		break;
	}
}

static const struct pci_cfg_ops ecam_ops = {
	.read = ecam_read,
	.write = ecam_write,
	.ctx = &ecam,
};

static u32 conf1_read(void *ctx, u8 bus, u8 dev, u8 fn, u16 off, int width)
{
	u16 port = PCI_CONF1_DATA + (off & 3);

	if (off >= PCI_CONF1_CFG_SIZE)
		return all_ones(width);
	outl(PCI_CONF1_ADDR, pci_conf1_addr(bus, dev, fn, off));
	switch (width) {
	case 1:
		return inb(port);
	case 2:
		return inw(port);
	default:
		return inl(PCI_CONF1_DATA);
	}
}

static void conf1_write(void *ctx, u8 bus, u8 dev, u8 fn, u16 off, int width,
			u32 v)
{
	u16 port = PCI_CONF1_DATA + (off & 3);

	if (off >= PCI_CONF1_CFG_SIZE)
		return;
	outl(PCI_CONF1_ADDR, pci_conf1_addr(bus, dev, fn, off));
	switch (width) {
	case 1:
		outb(port, (u8)v);
		break;
	case 2:
		outw(port, (u16)v);
		break;
	default:
		outl(PCI_CONF1_DATA, v);
		break;
	}
}

static const struct pci_cfg_ops conf1_ops = {
	.read = conf1_read,
	.write = conf1_write,
};

static const struct pci_cfg_ops *ops(void)
{
	return cur_ops ? cur_ops : &conf1_ops;
}

u32 pci_read32(const struct pci_dev *d, u16 off)
{
	return ops()->read(ops()->ctx, d->bus, d->dev, d->fn, off, 4);
}

u16 pci_read16(const struct pci_dev *d, u16 off)
{
	return (u16)ops()->read(ops()->ctx, d->bus, d->dev, d->fn, off, 2);
}

u8 pci_read8(const struct pci_dev *d, u16 off)
{
	return (u8)ops()->read(ops()->ctx, d->bus, d->dev, d->fn, off, 1);
}

void pci_write32(const struct pci_dev *d, u16 off, u32 v)
{
	ops()->write(ops()->ctx, d->bus, d->dev, d->fn, off, 4, v);
}

void pci_write16(const struct pci_dev *d, u16 off, u16 v)
{
	ops()->write(ops()->ctx, d->bus, d->dev, d->fn, off, 2, v);
}

u32 pci_cfg_read(const struct pci_dev *d, u16 off, int width)
{
	return ops()->read(ops()->ctx, d->bus, d->dev, d->fn, off, width);
}

void pci_cfg_write(const struct pci_dev *d, u16 off, int width, u32 v)
{
	ops()->write(ops()->ctx, d->bus, d->dev, d->fn, off, width, v);
}

void pci_init(u64 ecam_base, u8 bus_start, u8 bus_end, bool print)
{
	unsigned int found, i;
	char line[PCI_LINE_LEN];

	if (ecam_base) {
		ecam.base = ecam_base;
		ecam.bus_start = bus_start;
		ecam.bus_end = bus_end;
		/* Bus 0's window must map, or ECAM is no use at all. */
		if (ecam_addr(&ecam, bus_start, 0, 0, 0)) {
			cur_ops = &ecam_ops;
		} else {
			pr_err("keel: pci: cannot map ECAM at 0x%llx, using ports CF8/CFC\n",
			       (unsigned long long)ecam_base);
		}
	}
	if (cur_ops == &ecam_ops) {
		pr_info("keel: pci: ECAM at 0x%llx buses %u-%u\n",
			(unsigned long long)ecam_base, bus_start, bus_end);
	} else {
		cur_ops = &conf1_ops;
		bus_start = 0;
		bus_end = 255;
		pr_info("keel: pci: config access through ports CF8/CFC\n");
	}

	found = pci_enumerate(cur_ops, bus_start, bus_end, devices,
			      PCI_MAX_DEVICES);
	n_devices = MIN(found, PCI_MAX_DEVICES);
	if (print) {
		for (i = 0; i < n_devices; i++) {
			pci_format_dev(&devices[i], line, sizeof(line));
			pr_info("keel: pci: %s\n", line);
		}
	}
	pr_info("keel: pci: %u functions\n", n_devices);
	if (found > PCI_MAX_DEVICES)
		pr_err("keel: pci: %u functions not kept (table holds %u)\n",
		       found - PCI_MAX_DEVICES, PCI_MAX_DEVICES);
	if (pci_enum_too_deep())
		pr_err("keel: pci: %u bridge(s) nested too deep not followed\n",
		       pci_enum_too_deep());
}

unsigned int pci_device_count(void)
{
	return n_devices;
}

struct pci_dev *pci_device(unsigned int i)
{
	return i < n_devices ? &devices[i] : NULL;
}

struct pci_dev *pci_find_class(struct pci_dev *from, u8 cls, u8 sub, u8 prog)
{
	unsigned int i = from ? (unsigned int)(from - devices) + 1 : 0;

	for (; i < n_devices; i++) {
		struct pci_dev *d = &devices[i];

		if ((cls == 0xff || d->class_code == cls) &&
		    (sub == 0xff || d->subclass == sub) &&
		    (prog == 0xff || d->prog_if == prog))
			return d;
	}
	return NULL;
}

struct pci_dev *pci_find_bdf(u8 bus, u8 dev, u8 fn)
{
	for (unsigned int i = 0; i < n_devices; i++) {
		struct pci_dev *d = &devices[i];

		if (d->seg == 0 && d->bus == bus && d->dev == dev &&
		    d->fn == fn)
			return d;
	}
	return NULL;
}
