// SPDX-License-Identifier: MIT
/*
 * The guest's PCI configuration mechanism #1 (PCI 3.0 3.2.2.3.2): ports
 * 0xCF8 (address, dword accesses only) and 0xCFC-0xCFF (data). Accesses
 * pass through to the real configuration space except for functions Keel
 * owns (its AHCI controllers) and those named by pci_hide=: reads of those
 * return all ones, as for an absent function, and writes are dropped, so a
 * guest cannot move or disable a device under Keel. The memory BARs of
 * every other function are mapped into the guest (identity, uncached), so
 * its devices pass through. Byte accesses to 0xCF9
 * reach the reset control register; a reset request ends the guest rather
 * than resetting the machine under Keel.
 */
#include "core/console.h"
#include "core/lib.h"
#include "arch/x86/arch.h"
#include "drivers/pci.h"
#include "vmx/vcpu.h"

#define PCI_CONF_ADDR 0xcf8
#define PCI_CONF_DATA 0xcfc
#define PCI_CONF_ENABLE BIT(31)
#define PCI_CONF_BUS GENMASK(23, 16)
#define PCI_CONF_DEV GENMASK(15, 11)
#define PCI_CONF_FN GENMASK(10, 8)
/* Reset control register, Intel ICH/PCH datasheets (as arch/x86/power.c). */
#define RST_CNT_PORT 0xcf9
#define RST_CNT_SYS_RST 0x02
#define RST_CNT_RST_CPU 0x04

struct pci_cfg {
	u32 addr;
	unsigned int n_hidden;
	u16 hidden[GUEST_PCI_HIDE_MAX]; /* bus << 8 | dev << 3 | fn */
};

static struct pci_cfg cfg;

static bool bdf_hidden(u8 bus, u8 dev, u8 fn)
{
	struct pci_dev *d = pci_find_bdf(bus, dev, fn);
	u16 bdf = PCI_BDF(bus, dev, fn);

	if (d && d->keel_owned)
		return true;
	for (unsigned int i = 0; i < cfg.n_hidden; i++)
		if (cfg.hidden[i] == bdf)
			return true;
	return false;
}

static bool hidden(u32 addr)
{
	return bdf_hidden(FIELD_GET(PCI_CONF_BUS, addr),
			  FIELD_GET(PCI_CONF_DEV, addr),
			  FIELD_GET(PCI_CONF_FN, addr));
}

/* Does [start, end) share a page with a memory BAR of a hidden function? */
static bool touches_hidden_bar(u64 start, u64 end)
{
	for (unsigned int i = 0; i < pci_device_count(); i++) {
		const struct pci_dev *d = pci_device(i);

		if (!bdf_hidden(d->bus, d->dev, d->fn))
			continue;
		for (int b = 0; b < PCI_MAX_BARS; b++) {
			const struct pci_bar *bar = &d->bars[b];
			u64 lo = ALIGN_DOWN(bar->base, PAGE_SIZE);
			u64 hi = ALIGN_UP(bar->base + bar->size, PAGE_SIZE);

			if (bar->size && !bar->io && lo < end && start < hi)
				return true;
		}
	}
	return false;
}

/*
 * Map the memory BARs of every visible function 1:1 and uncached, unless
 * they overlap guest RAM or share a page with a hidden function's BAR.
 * The EPT keeps the boot-time layout: a guest that moves a BAR loses it.
 */
static int map_bars(struct guest *g)
{
	for (unsigned int i = 0; i < pci_device_count(); i++) {
		const struct pci_dev *d = pci_device(i);

		if (bdf_hidden(d->bus, d->dev, d->fn))
			continue;
		for (int b = 0; b < PCI_MAX_BARS; b++) {
			const struct pci_bar *bar = &d->bars[b];
			u64 lo = ALIGN_DOWN(bar->base, PAGE_SIZE);
			u64 hi = ALIGN_UP(bar->base + bar->size, PAGE_SIZE);
			int rc;

			if (!bar->size || bar->io)
				continue;
			if (lo < g->mem_size || touches_hidden_bar(lo, hi)) {
				pr_warn("keel: guest: PCI %02x:%02x.%u BAR%d %#llx not passed through (overlaps guest RAM or a hidden device)\n",
					d->bus, d->dev, d->fn, b, bar->base);
				continue;
			}
			rc = ept_map(&g->ept, lo, lo, hi - lo, EPT_MAP_MMIO);
			if (rc)
				return rc;
			pr_info("keel: guest: PCI %02x:%02x.%u BAR%d %#llx+%#llx passed through\n",
				d->bus, d->dev, d->fn, b, bar->base, bar->size);
		}
	}
	return 0;
}

static int addr_io(struct vcpu *v, u16 port, unsigned int size, bool in,
		   u32 *val, void *ctx)
{
	if (size == 4 && port == PCI_CONF_ADDR) {
		if (in)
			*val = cfg.addr;
		else
			cfg.addr = *val;
		return 0;
	}
	/* Not the address register: byte/word accesses go to the chipset. */
	if (!in && port == RST_CNT_PORT && size == 1 &&
	    (*val & RST_CNT_RST_CPU)) {
		vcpu_stop(v, "the guest asked for a reset (port 0xcf9 = %#x)",
			  *val & 0xff);
		return 0;
	}
	if (in)
		*val = size == 1 ? inb(port) : inw(port);
	else if (size == 1)
		outb(port, (u8)*val);
	else
		outw(port, (u16)*val);
	return 0;
}

static int data_io(struct vcpu *v, u16 port, unsigned int size, bool in,
		   u32 *val, void *ctx)
{
	u32 ones = size == 4 ? 0xffffffffU : (1U << (8 * size)) - 1;

	if (!(cfg.addr & PCI_CONF_ENABLE) || hidden(cfg.addr)) {
		if (in)
			*val = ones;
		return 0;
	}
	/* Keel runs one thing at a time: the address cannot change between
	 * these two accesses. */
	outl(PCI_CONF_ADDR, cfg.addr);
	if (in)
		*val = size == 4 ? inl(port) :
		       size == 2 ? inw(port) :
				   inb(port);
	else if (size == 4)
		outl(port, *val);
	else if (size == 2)
		outw(port, (u16)*val);
	else
		outb(port, (u8)*val);
	return 0;
}

/* pci_hide=: boot/options.c has checked the list. */
static void apply_hide(const struct guest_config *gc)
{
	cfg.n_hidden = gc->n_hidden;
	memcpy(cfg.hidden, gc->hidden, gc->n_hidden * sizeof(gc->hidden[0]));
	for (unsigned int i = 0; i < cfg.n_hidden; i++)
		pr_info("keel: guest: PCI %02x:%02x.%u hidden (pci_hide=)\n",
			cfg.hidden[i] >> 8, (cfg.hidden[i] >> 3) & 0x1f,
			cfg.hidden[i] & 7);
}

int guest_pci_init(struct guest *g, const struct guest_config *gc)
{
	int rc;

	memset(&cfg, 0, sizeof(cfg));
	apply_hide(gc);
	for (unsigned int i = 0; i < pci_device_count(); i++) {
		struct pci_dev *d = pci_device(i);

		if (d->keel_owned)
			pr_info("keel: guest: PCI %02x:%02x.%u hidden (owned by Keel)\n",
				d->bus, d->dev, d->fn);
	}
	rc = map_bars(g);
	if (!rc)
		rc = guest_register_io(g, PCI_CONF_ADDR, 4, addr_io, NULL,
				       "PCI config address");
	if (!rc)
		rc = guest_register_io(g, PCI_CONF_DATA, 4, data_io, NULL,
				       "PCI config data");
	return rc;
}
