// SPDX-License-Identifier: MIT
/*
 * AHCI controllers: PCI discovery, BIOS/OS handoff, HBA reset, port probe,
 * and the driver's public entry points. Polled: GHC.IE stays clear.
 */
#include "core/lib.h"
#include "core/mm.h"
#include "drivers/ahci/ahci_priv.h"
#include "drivers/pci.h"

static struct ahci_hba hbas[AHCI_MAX_HBAS];
static unsigned int nhbas;
static struct ahci_disk disks[AHCI_MAX_DISKS];
static unsigned int ndisks;

#define hba_info(h, fmt, ...) \
	pr_info("keel: ahci%u: " fmt, (h)->num, ##__VA_ARGS__)
#define hba_err(h, fmt, ...) \
	pr_err("keel: ahci%u: " fmt, (h)->num, ##__VA_ARGS__)

/* BIOS/OS handoff, AHCI 1.3.1 10.6, when CAP2.BOH says it exists. */
static void hba_handoff(struct ahci_hba *h)
{
	u32 bohc;

	if (!(h->cap2 & AHCI_CAP2_BOH))
		return;
	hba_write(h, AHCI_BOHC, hba_read(h, AHCI_BOHC) | AHCI_BOHC_OOS);
	if (!ahci_wait(h->abar, AHCI_BOHC, AHCI_BOHC_BOS, 0,
		       AHCI_BOH_TIMEOUT_US, "BIOS to release the HBA"))
		return;
	/* The BIOS may finish outstanding commands first (BB set). */
	bohc = hba_read(h, AHCI_BOHC);
	if ((bohc & AHCI_BOHC_BB) &&
	    !ahci_wait(h->abar, AHCI_BOHC, AHCI_BOHC_BOS, 0,
		       AHCI_BOH_BUSY_TIMEOUT_US,
		       "busy BIOS to release the HBA"))
		return;
	hba_err(h, "BIOS keeps ownership (BOHC %#x); taking the HBA anyway\n",
		hba_read(h, AHCI_BOHC));
}

/* GHC.AE before other GHC bits (AHCI 1.3.1 3.1.2, 10.1.2). */
static void hba_enable_ahci(struct ahci_hba *h)
{
	u32 ghc = hba_read(h, AHCI_GHC);

	if (!(ghc & AHCI_GHC_AE))
		hba_write(h, AHCI_GHC, ghc | AHCI_GHC_AE);
	hba_write(h, AHCI_GHC,
		  (hba_read(h, AHCI_GHC) | AHCI_GHC_AE) & ~AHCI_GHC_IE);
}

/*
 * Stop every implemented port before the reset: firmware leaves engines
 * running and FIS areas in memory Keel will reuse (emulator-facts.md).
 */
static void hba_stop_ports(struct ahci_hba *h, u32 pi)
{
	for (unsigned int i = 0; i < AHCI_MAX_PORTS; i++) {
		struct ahci_port tmp = {
			.hba = h,
			.num = i,
			.regs = h->abar + AHCI_PORT_BASE + i * AHCI_PORT_STRIDE,
		};

		if (pi & BIT(i))
			ahci_port_stop(&tmp);
	}
}

static int hba_reset(struct ahci_hba *h)
{
	u32 pi_before = hba_read(h, AHCI_PI);

	hba_write(h, AHCI_GHC, hba_read(h, AHCI_GHC) | AHCI_GHC_HR);
	if (ahci_wait(h->abar, AHCI_GHC, AHCI_GHC_HR, 0, AHCI_HR_TIMEOUT_US,
		      "GHC.HR clear"))
		return -ETIMEDOUT;
	hba_enable_ahci(h);
	h->cap = hba_read(h, AHCI_CAP);
	h->pi = hba_read(h, AHCI_PI);
	/* PI is HwInit: firmware may have set it; a reset may lose it. */
	if (!h->pi)
		h->pi = pi_before;
	return 0;
}

/*
 * Ports whose registers lie inside an ABAR of @size bytes: ICH9's is 4 KiB,
 * which leaves out ports 30 and 31 (AHCI 1.3.1 3: 100h + 80h per port).
 */
static u32 ports_in_bar(u64 size)
{
	u32 mask = 0;

	for (unsigned int i = 0; i < AHCI_MAX_PORTS; i++)
		if (AHCI_PORT_BASE + (i + 1) * AHCI_PORT_STRIDE <= size)
			mask |= BIT(i);
	return mask;
}

static void hba_probe(struct pci_dev *pdev, unsigned int num)
{
	struct ahci_hba *h = &hbas[num];
	struct pci_bar *bar = &pdev->bars[AHCI_ABAR_BAR];
	u16 cmd;
	u32 vs;

	h->num = num;
	if (bar->size < AHCI_PORT_BASE + AHCI_PORT_STRIDE || bar->io) {
		pr_err("keel: ahci%u: %02x:%02x.%u has no memory BAR5\n", num,
		       pdev->bus, pdev->dev, pdev->fn);
		return;
	}
	/* Keel owns the controller: the guest never sees its config space. */
	pdev->keel_owned = true;
	/* Memory decoding and DMA; INTx off, Keel polls. */
	cmd = pci_read16(pdev, PCI_COMMAND);
	pci_write16(pdev, PCI_COMMAND,
		    cmd | PCI_COMMAND_MEMORY | PCI_COMMAND_MASTER |
			    PCI_COMMAND_INTX_DISABLE);
	h->abar = ioremap(bar->base, bar->size);
	if (!h->abar) {
		hba_err(h, "cannot map ABAR %#llx\n",
			(unsigned long long)bar->base);
		return;
	}
	hba_enable_ahci(h);
	h->cap2 = hba_read(h, AHCI_CAP2);
	hba_handoff(h);
	hba_stop_ports(h, hba_read(h, AHCI_PI) & ports_in_bar(bar->size));
	if (hba_reset(h)) {
		hba_err(h, "HBA reset failed; controller not used\n");
		return;
	}
	vs = hba_read(h, AHCI_VS);
	h->nslots = (unsigned int)FIELD_GET(AHCI_CAP_NCS, h->cap) + 1;
	h->dma64 = h->cap & AHCI_CAP_S64A;
	hba_info(h,
		 "%04x:%04x at %02x:%02x.%u, AHCI %x.%x, ABAR %#llx, "
		 "%u ports (PI %#x), %u slots,%s%s%s\n",
		 pdev->vendor, pdev->device, pdev->bus, pdev->dev, pdev->fn,
		 vs >> 16, vs & 0xffff, (unsigned long long)bar->base,
		 (unsigned int)FIELD_GET(AHCI_CAP_NP, h->cap) + 1, h->pi,
		 h->nslots, h->cap & AHCI_CAP_SNCQ ? " NCQ" : "",
		 h->dma64 ? " 64-bit" : "",
		 h->cap & AHCI_CAP_SSS ? " staggered spin-up" : "");
	/* Clear any stale HBA-level interrupt status. */
	hba_write(h, AHCI_IS, ~0U);
	if (h->pi & ~ports_in_bar(bar->size)) {
		hba_err(h, "ports %#x lie outside ABAR; ignored\n",
			h->pi & ~ports_in_bar(bar->size));
		h->pi &= ports_in_bar(bar->size);
	}

	for (unsigned int i = 0; i < AHCI_MAX_PORTS; i++) {
		struct ahci_disk *d;

		if (!(h->pi & BIT(i)))
			continue;
		if (ndisks == AHCI_MAX_DISKS) {
			hba_err(h, "more than %u disks; port %u ignored\n",
				AHCI_MAX_DISKS, i);
			continue;
		}
		d = &disks[ndisks];
		if (ahci_port_probe(h, i, d))
			continue;
		if (ata_name_next(d->name, sizeof(d->name))) {
			ahci_port_err(&d->port, "out of disk names\n");
			continue;
		}
		ahci_port_info(
			&d->port, "%s: %llu MiB, queue depth %u%s\n", d->name,
			(unsigned long long)((d->id.sectors *
					      d->id.logical_sector_size) >>
					     20),
			d->depth, d->ncq ? " (NCQ)" : "");
		ndisks++;
	}
}

int ahci_init(void)
{
	struct pci_dev *pdev = NULL;

	while ((pdev = pci_find_class(pdev, AHCI_PCI_CLASS, AHCI_PCI_SUBCLASS,
				      AHCI_PCI_PROG_IF))) {
		if (nhbas == AHCI_MAX_HBAS) {
			pr_err("keel: ahci: more than %u controllers\n",
			       AHCI_MAX_HBAS);
			break;
		}
		if (pdev->guest_assigned) {
			pr_info("keel: ahci: %02x:%02x.%u left to the guest (passthrough=)\n",
				pdev->bus, pdev->dev, pdev->fn);
			continue;
		}
		hba_probe(pdev, nhbas++);
	}
	if (!nhbas)
		pr_info("keel: ahci: no AHCI controller\n");
	return (int)ndisks;
}

unsigned int ahci_disk_count(void)
{
	return ndisks;
}

struct ahci_disk *ahci_disk(unsigned int i)
{
	return i < ndisks ? &disks[i] : NULL;
}

const char *ahci_disk_name(const struct ahci_disk *d)
{
	return d->name;
}

const struct ata_identity *ahci_disk_info(const struct ahci_disk *d)
{
	return &d->id;
}

unsigned int ahci_disk_dma_ranges(const struct ahci_disk *d, phys_addr_t *base,
				  u64 *size, unsigned int max)
{
	const struct ahci_port *p = &d->port;
	const phys_addr_t b[] = { p->mem, p->tables, p->scratch };
	const u64 sz[] = { PAGE_SIZE, (u64)p->nslots * AHCI_CMD_TABLE_BYTES,
			   PAGE_SIZE };

	for (unsigned int i = 0; i < ARRAY_SIZE(b) && i < max; i++) {
		base[i] = b[i];
		size[i] = sz[i];
	}
	return ARRAY_SIZE(b);
}

void ahci_disk_limits(const struct ahci_disk *d, struct ahci_queue_limits *ql)
{
	*ql = d->limits;
	ql->queue_depth = d->depth;
}

int ahci_disk_set_depth(struct ahci_disk *d, u32 depth)
{
	if (d->port.active)
		return -EBUSY;
	d->depth = MAX(1U, MIN(depth, d->max_depth));
	d->limits.queue_depth = d->depth;
	return 0;
}

int ahci_disk_set_ncq(struct ahci_disk *d, bool on)
{
	if (d->port.active)
		return -EBUSY;
	if (on && !d->can_ncq)
		return -ENOTSUP;
	d->ncq = on;
	d->max_depth = on ? d->port.nslots : 1;
	d->depth = d->max_depth;
	d->limits.queue_depth = d->depth;
	return 0;
}

void ahci_disk_stats(const struct ahci_disk *d, struct ahci_stats *st)
{
	*st = d->stats;
}

void ahci_disk_queue(const struct ahci_disk *d, struct ahci_queue_state *qs)
{
	qs->depth = d->depth;
	qs->max_depth = d->max_depth;
	qs->ncq = d->ncq;
	qs->can_ncq = d->can_ncq;
}

void ahci_poll(void)
{
	for (unsigned int i = 0; i < ndisks; i++)
		ahci_poll_disk(&disks[i]);
}
