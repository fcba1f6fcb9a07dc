// SPDX-License-Identifier: MIT
/*
 * PCI BAR decoding, bus enumeration and the lspci-like line format. Pure: all
 * configuration access goes through struct pci_cfg_ops, so the host tests run
 * this file against a fake configuration space. The ECAM and CF8/CFC
 * accessors live in pci.c.
 */
#include "drivers/pci.h"
#include "core/lib.h"

#define PCI_MAX_DEV 32 /* PCI 3.0 3.2.2.3.1: device number is 5 bits */
#define PCI_MAX_FN 8
#define PCI_VENDOR_NONE 0xffff /* PCI 3.0 6.2.1: read from absent function */
#define PCI_BAR_IO_ADDR_MASK 0xfffffffcU /* PCI 3.0 6.2.5.1 */
#define PCI_BAR_MEM_ADDR_MASK 0xfffffff0U
#define PCI_BAR_MEM_TYPE_32 (0 << 1)
#define PCI_BAR_MEM_TYPE_1M (1 << 1) /* PCI 2.1 "below 1 MiB", now reserved */
#define PCI_BAR_IO_HI16 0xffff0000U

static u64 lowest_bit(u64 mask)
{
	/* The size is the lowest writable address bit, PCI 3.0 6.2.5.1. */
	return mask & (~mask + 1);
}

int pci_decode_bar(u32 lo, u32 lo_mask, u32 hi, u32 hi_mask,
		   struct pci_bar *bar)
{
	u64 mask;

	memset(bar, 0, sizeof(*bar));
	if (lo & PCI_BAR_IO) {
		bar->io = true;
		bar->base = lo & PCI_BAR_IO_ADDR_MASK;
		mask = lo_mask & PCI_BAR_IO_ADDR_MASK;
		bar->mask = mask;
		/* Devices decoding only 16 I/O address bits read 0 above. */
		if (mask && !(mask & PCI_BAR_IO_HI16))
			mask |= PCI_BAR_IO_HI16;
		bar->size = lowest_bit(mask);
		return 1;
	}

	bar->prefetch = lo & PCI_BAR_MEM_PREFETCH;
	switch (lo & PCI_BAR_MEM_TYPE_MASK) {
	case PCI_BAR_MEM_TYPE_32:
	case PCI_BAR_MEM_TYPE_1M:
		bar->base = lo & PCI_BAR_MEM_ADDR_MASK;
		bar->mask = lo_mask & PCI_BAR_MEM_ADDR_MASK;
		bar->size = lowest_bit(bar->mask);
		return 1;
	case PCI_BAR_MEM_TYPE_64:
		bar->is64 = true;
		bar->base = ((u64)hi << 32) | (lo & PCI_BAR_MEM_ADDR_MASK);
		mask = ((u64)hi_mask << 32) | (lo_mask & PCI_BAR_MEM_ADDR_MASK);
		bar->mask = mask;
		bar->size = lowest_bit(mask);
		return 2;
	default:
		bar->prefetch = false;
		return -EINVAL;
	}
}

struct enum_state {
	const struct pci_cfg_ops *ops;
	struct pci_dev *devs;
	unsigned int max, n;
	u8 bus_end;
	u64 seen[256 / 64]; /* buses already scanned: breaks bridge loops */
	unsigned int depth; /* bridges between the root bus and this one */
};

/* Bridges below the root bus that enumeration follows: each level is a
 * recursion on Keel's 16 KiB boot stack (a few hundred bytes a frame);
 * real hierarchies (switches, Thunderbolt chains) stay well under it. */
#define PCI_MAX_BRIDGE_DEPTH 24

static unsigned int too_deep;

static u32 cfg_rd(struct enum_state *s, u8 bus, u8 dev, u8 fn, u16 off,
		  int width)
{
	return s->ops->read(s->ops->ctx, bus, dev, fn, off, width);
}

static void cfg_wr(struct enum_state *s, u8 bus, u8 dev, u8 fn, u16 off,
		   int width, u32 v)
{
	s->ops->write(s->ops->ctx, bus, dev, fn, off, width, v);
}

/* Size every BAR with memory and I/O decode off, then restore COMMAND. */
static void probe_bars(struct enum_state *s, struct pci_dev *d,
		       unsigned int nbars)
{
	u8 b = d->bus, dv = d->dev, f = d->fn;
	u32 lo[PCI_MAX_BARS], lo_mask[PCI_MAX_BARS];
	u16 cmd = (u16)cfg_rd(s, b, dv, f, PCI_COMMAND, 2);
	unsigned int i;

	/*
	 * Writing all ones moves the BAR to the top of the address space for a
	 * moment; with decode on, the device would claim cycles meant for
	 * others. Nothing is printed while decode is off.
	 */
	cfg_wr(s, b, dv, f, PCI_COMMAND, 2,
	       cmd & ~(PCI_COMMAND_IO | PCI_COMMAND_MEMORY));
	for (i = 0; i < nbars; i++) {
		u16 off = PCI_BAR0 + 4 * i;

		lo[i] = cfg_rd(s, b, dv, f, off, 4);
		cfg_wr(s, b, dv, f, off, 4, ~0U);
		lo_mask[i] = cfg_rd(s, b, dv, f, off, 4);
		cfg_wr(s, b, dv, f, off, 4, lo[i]);
	}
	for (i = 0; i < nbars;) {
		u32 hi = 0, hi_mask = 0;
		bool is64 = !(lo[i] & PCI_BAR_IO) &&
			    (lo[i] & PCI_BAR_MEM_TYPE_MASK) ==
				    PCI_BAR_MEM_TYPE_64;
		int used;

		/* The upper half was already probed as the next "BAR". */
		if (is64 && i + 1 < nbars) {
			hi = lo[i + 1];
			hi_mask = lo_mask[i + 1];
		}
		used = pci_decode_bar(lo[i], lo_mask[i], hi, hi_mask,
				      &d->bars[i]);
		if (is64 && i + 1 >= nbars) /* 64-bit BAR in the last slot */
			d->bars[i].size = 0;
		i += used > 0 ? (unsigned int)used : 1;
	}
	cfg_wr(s, b, dv, f, PCI_COMMAND, 2, cmd);
}

static void scan_bus(struct enum_state *s, u8 bus);

static void scan_fn(struct enum_state *s, u8 bus, u8 dev, u8 fn, u32 id)
{
	struct pci_dev tmp = { 0 };
	struct pci_dev *d = s->n < s->max ? &s->devs[s->n] : &tmp;
	u32 cls = cfg_rd(s, bus, dev, fn, PCI_REVISION_ID, 4);
	u8 hdr = (u8)cfg_rd(s, bus, dev, fn, PCI_HEADER_TYPE, 1);
	unsigned int nbars;

	memset(d, 0, sizeof(*d));
	d->bus = bus;
	d->dev = dev;
	d->fn = fn;
	d->vendor = (u16)id;
	d->device = (u16)(id >> 16);
	d->revision = (u8)cls;
	d->prog_if = (u8)(cls >> 8);
	d->subclass = (u8)(cls >> 16);
	d->class_code = (u8)(cls >> 24);
	d->header_type = hdr & PCI_HEADER_TYPE_MASK;
	s->n++;

	switch (d->header_type) {
	case PCI_HEADER_TYPE_NORMAL:
		nbars = PCI_MAX_BARS;
		break;
	case PCI_HEADER_TYPE_BRIDGE:
		nbars = PCI_BRIDGE_BARS;
		break;
	case PCI_HEADER_TYPE_CARDBUS:
		nbars = PCI_CARDBUS_BARS;
		break;
	default:
		nbars = 0; /* unknown layout: do not touch it */
		break;
	}
	probe_bars(s, d, nbars);

	if (d->header_type == PCI_HEADER_TYPE_BRIDGE) {
		u8 sec = (u8)cfg_rd(s, bus, dev, fn, PCI_SECONDARY_BUS, 1);

		d->secondary_bus = sec;
		/* Unconfigured bridges have 0; buses only grow downstream. */
		if (sec > bus && sec <= s->bus_end) {
			if (s->depth == PCI_MAX_BRIDGE_DEPTH) {
				too_deep++;
				return;
			}
			s->depth++;
			scan_bus(s, sec);
			s->depth--;
		}
	}
}

static void scan_bus(struct enum_state *s, u8 bus)
{
	u8 dev, fn;

	if (s->seen[bus / 64] & BIT(bus % 64))
		return;
	s->seen[bus / 64] |= BIT(bus % 64);
	for (dev = 0; dev < PCI_MAX_DEV; dev++) {
		for (fn = 0; fn < PCI_MAX_FN; fn++) {
			u32 id = cfg_rd(s, bus, dev, fn, PCI_VENDOR_ID, 4);
			u8 hdr;

			if ((u16)id == PCI_VENDOR_NONE || (u16)id == 0) {
				/* Function 0 absent: the device is absent. */
				if (fn == 0)
					break;
				continue;
			}
			scan_fn(s, bus, dev, fn, id);
			hdr = (u8)cfg_rd(s, bus, dev, fn, PCI_HEADER_TYPE, 1);
			if (fn == 0 && !(hdr & PCI_HEADER_MULTIFUNC))
				break;
		}
	}
}

unsigned int pci_enumerate(const struct pci_cfg_ops *ops, u8 bus_start,
			   u8 bus_end, struct pci_dev *devs, unsigned int max)
{
	struct enum_state s = {
		.ops = ops,
		.devs = devs,
		.max = max,
		.bus_end = bus_end,
	};

	too_deep = 0;
	if (bus_start > bus_end)
		return 0;
	scan_bus(&s, bus_start);
	return s.n;
}

unsigned int pci_enum_too_deep(void)
{
	return too_deep;
}

static const char *bar_kind(const struct pci_bar *b)
{
	if (b->io)
		return "io";
	if (b->is64)
		return b->prefetch ? "mem64p" : "mem64";
	return b->prefetch ? "mem32p" : "mem32";
}

int pci_format_dev(const struct pci_dev *d, char *buf, size_t len)
{
	size_t n;
	unsigned int i;

	n = (size_t)ksnprintf(
		buf, len,
		"%02x:%02x.%x %04x:%04x class %02x.%02x.%02x rev %02x", d->bus,
		d->dev, d->fn, d->vendor, d->device, d->class_code, d->subclass,
		d->prog_if, d->revision);
	if (d->header_type == PCI_HEADER_TYPE_BRIDGE && n < len)
		n += (size_t)ksnprintf(buf + n, len - n, " bridge->%02x",
				       d->secondary_bus);
	for (i = 0; i < PCI_MAX_BARS && n < len; i++) {
		const struct pci_bar *b = &d->bars[i];

		if (!b->size)
			continue;
		n += (size_t)ksnprintf(buf + n, len - n,
				       " bar%u=%s:0x%llx+0x%llx", i,
				       bar_kind(b), (unsigned long long)b->base,
				       (unsigned long long)b->size);
	}
	return (int)n;
}
