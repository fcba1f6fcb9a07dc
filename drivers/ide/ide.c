// SPDX-License-Identifier: MIT
/*
 * IDE controller discovery and disk probing: every PCI function of class
 * 01:01 (PIIX3/PIIX4 and alike), each channel in compatibility or native
 * mode as its programming interface says, the bus-master block at BAR4.
 * Keel owns the function (hidden from the guest); packet devices (the boot
 * CD) get one IDENTIFY DEVICE, which they abort, and are otherwise left
 * alone.
 */
#include "core/lib.h"
#include "core/mm.h"
#include "drivers/ide/ide_ports.h"
#include "drivers/ide/ide_priv.h"
#include "drivers/pci.h"

#define IDE_CHANNELS 2

static struct ide_channel chans[IDE_MAX_CONTROLLERS][IDE_CHANNELS];
static struct ide_disk disks[IDE_MAX_DISKS];
static unsigned int ndisks, nctrls;
static u16 id_words[ATA_ID_WORDS];

unsigned int ide_disk_count(void)
{
	return ndisks;
}

struct ide_disk *ide_disk(unsigned int i)
{
	return i < ndisks ? &disks[i] : NULL;
}

const char *ide_disk_name(const struct ide_disk *d)
{
	return d->name;
}

const struct ata_identity *ide_disk_info(const struct ide_disk *d)
{
	return &d->id;
}

/* The channel's PRD table: one page that the bus master can reach. */
static void chan_dma_setup(struct ide_channel *ch, u16 bm)
{
	phys_addr_t page;

	if (!bm)
		return;
	page = alloc_pages(1, PAGE_SIZE);
	if (page == PHYS_INVALID ||
	    !ide_prdt_placement_ok(page, IDE_PRDT_ENTRIES)) {
		ide_ch_warn(ch, "no PRD table below 4 GiB: PIO only\n");
		if (page != PHYS_INVALID)
			free_pages(page, 1);
		return;
	}
	ch->prdt = page;
	ch->prd = phys_to_virt(page);
	ch->bm_base = bm;
	/* Firmware may have left the engine running: stop it. */
	ide_bm_outb(ch, IDE_BM_CMD, 0);
	ide_bm_outb(ch, IDE_BM_STATUS, IDE_BM_STATUS_ERROR | IDE_BM_STATUS_IRQ);
}

static void probe_dev(struct ide_channel *ch, unsigned int dev)
{
	struct ide_disk *d = &disks[ndisks];
	char line[160];
	int ret;

	if (ndisks == IDE_MAX_DISKS)
		return;
	ret = ide_identify(ch, dev, id_words);
	if (ret == -ENOTSUP) {
		ide_ch_info(ch, "device %u: ATAPI, left alone\n", dev);
		return;
	}
	if (ret)
		return;
	memset(d, 0, sizeof(*d));
	ret = ata_parse_identify(id_words, &d->id);
	if (ret || !d->id.lba48 ||
	    d->id.logical_sector_size != ATA_SECTOR_SIZE) {
		ide_ch_err(
			ch, "device %u: unusable IDENTIFY (%d, %s)\n", dev, ret,
			d->id.lba48 ? "512-byte sectors needed" : "no LBA48");
		return;
	}
	d->ch = ch;
	d->dev = dev;
	d->can_dma = ch->bm_base != 0;
	d->pio = !d->can_dma;
	if (ata_name_next(d->name, sizeof(d->name))) {
		ide_ch_err(ch, "device %u: out of disk names\n", dev);
		return;
	}
	ata_identity_summary(&d->id, line, sizeof(line));
	ide_ch_info(ch, "%s: device %u, %s, %s\n", d->name, dev, line,
		    d->pio ? "PIO" : "DMA");
	ndisks++;
}

static void probe_channel(struct pci_dev *p, unsigned int num)
{
	struct ide_channel *ch = &chans[nctrls][num];
	struct ide_chan_ports ports;

	memset(ch, 0, sizeof(*ch));
	ch->ctrl = nctrls;
	ch->num = num;
	ch->selected = -1;
	if (ide_channel_ports(p->prog_if, p->bars, num, &ports)) {
		ide_ch_err(ch, "native mode without I/O BARs; skipped\n");
		return;
	}
	ch->cmd_base = ports.cmd;
	ch->ctl_port = ports.ctl;
	/* Nothing drives an empty channel's bus: status floats high. */
	if (ide_altstatus(ch) == IDE_STATUS_FLOATING)
		return;
	/* Keel polls: keep INTRQ off for both devices (ATA-6 7.9.6). */
	outb(ch->ctl_port, IDE_DEVCTL_NIEN);
	chan_dma_setup(ch, ports.bm);
	for (unsigned int dev = 0; dev < 2; dev++)
		probe_dev(ch, dev);
}

static void probe_ctrl(struct pci_dev *p)
{
	struct ide_chan_ports pri;
	u16 bm, cmd;

	/* Keel owns the controller: the guest never sees its config space. */
	p->keel_owned = true;
	/* The primary's bus-master block is BAR4's base, even without ports. */
	ide_channel_ports(p->prog_if, p->bars, 0, &pri);
	bm = pri.bm;
	/* I/O decoding and DMA; INTx off, Keel polls. */
	cmd = pci_read16(p, PCI_COMMAND);
	pci_write16(p, PCI_COMMAND,
		    cmd | PCI_COMMAND_IO | (bm ? PCI_COMMAND_MASTER : 0) |
			    PCI_COMMAND_INTX_DISABLE);
	pr_info("keel: ide%u: %04x:%04x at %02x:%02x.%u, prog-if %#x "
		"(primary %s, secondary %s), bus master %#x\n",
		nctrls, p->vendor, p->device, p->bus, p->dev, p->fn, p->prog_if,
		p->prog_if & IDE_PROGIF_PRI_NATIVE ? "native" : "compat",
		p->prog_if & IDE_PROGIF_SEC_NATIVE ? "native" : "compat", bm);
	for (unsigned int num = 0; num < IDE_CHANNELS; num++)
		probe_channel(p, num);
	nctrls++;
}

int ide_init(void)
{
	struct pci_dev *p = NULL;

	while ((p = pci_find_class(p, IDE_PCI_CLASS, IDE_PCI_SUBCLASS, 0xff))) {
		if (nctrls == IDE_MAX_CONTROLLERS) {
			pr_err("keel: ide: more than %u controllers\n",
			       IDE_MAX_CONTROLLERS);
			break;
		}
		if (p->guest_assigned) {
			pr_info("keel: ide: %02x:%02x.%u left to the guest (passthrough=)\n",
				p->bus, p->dev, p->fn);
			continue;
		}
		probe_ctrl(p);
	}
	return (int)ndisks;
}
