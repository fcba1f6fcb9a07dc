// SPDX-License-Identifier: MIT
/*
 * Finding the virtio-blk device: configuration mechanism #1 (PCI Local
 * Bus 3.0, 3.2.2.3.2), a walk of the buses behind bridges, memory BAR
 * assignment when firmware left a BAR unassigned (nothing assigns BARs for
 * a device Keel emulates), and the virtio capability list (4.1.4).
 */
#include "virtio.h"

#define PCI_MAX_BUS 256
#define PCI_MAX_DEV 32
#define PCI_MAX_FN 8
#define PCI_CAP_WALK_MAX 48 /* 192 bytes of capability space / 4 */
#define PAGE 0x1000u

static u32 conf_addr(u32 bdf, u32 reg)
{
	return PCI_CONF_ENABLE | bdf << 8 | (reg & 0xfc);
}

u32 pci_cfg_read32(u32 bdf, u32 reg)
{
	outl(PCI_CONF_ADDR_PORT, conf_addr(bdf, reg));
	return inl(PCI_CONF_DATA_PORT);
}

u16 pci_cfg_read16(u32 bdf, u32 reg)
{
	outl(PCI_CONF_ADDR_PORT, conf_addr(bdf, reg));
	return inw(PCI_CONF_DATA_PORT + (reg & 2));
}

u8 pci_cfg_read8(u32 bdf, u32 reg)
{
	outl(PCI_CONF_ADDR_PORT, conf_addr(bdf, reg));
	return inb(PCI_CONF_DATA_PORT + (reg & 3));
}

void pci_cfg_write32(u32 bdf, u32 reg, u32 v)
{
	outl(PCI_CONF_ADDR_PORT, conf_addr(bdf, reg));
	outl(PCI_CONF_DATA_PORT, v);
}

void pci_cfg_write16(u32 bdf, u32 reg, u16 v)
{
	outl(PCI_CONF_ADDR_PORT, conf_addr(bdf, reg));
	outw(PCI_CONF_DATA_PORT + (reg & 2), v);
}

static bool is_vblk(u32 id)
{
	return (id & 0xffff) == VIRTIO_PCI_VENDOR &&
	       id >> 16 == VIRTIO_PCI_DEVICE_BLK;
}

/*
 * Depth-first over bus @bus and the buses behind its bridges; @seen keeps
 * a bus visited once even when a bridge's secondary number is bogus.
 */
static bool scan_bus(u32 bus, u8 *seen, u32 *bdf)
{
	if (bus >= PCI_MAX_BUS || seen[bus])
		return false;
	seen[bus] = 1;
	for (u32 dev = 0; dev < PCI_MAX_DEV; dev++) {
		for (u32 fn = 0; fn < PCI_MAX_FN; fn++) {
			u32 b = bus << 8 | dev << 3 | fn;
			u32 id = pci_cfg_read32(b, PCI_REG_ID);
			u8 hdr;

			if ((id & 0xffff) == 0xffff) {
				if (!fn)
					break;
				continue;
			}
			if (is_vblk(id)) {
				*bdf = b;
				return true;
			}
			hdr = pci_cfg_read8(b, PCI_REG_HEADER);
			if ((hdr & PCI_HEADER_TYPE_MASK) == PCI_HEADER_BRIDGE &&
			    scan_bus(pci_cfg_read8(b, PCI_REG_SECONDARY_BUS),
				     seen, bdf))
				return true;
			if (!fn && !(hdr & PCI_HEADER_MULTIFN))
				break;
		}
	}
	return false;
}

bool virtio_find(u32 *bdf)
{
	static u8 seen[PCI_MAX_BUS];

	memset(seen, 0, sizeof(seen));
	return scan_bus(0, seen, bdf);
}

/* Size of memory BAR @i (PCI 3.0, 6.2.5.1), 0 for I/O or absent ones. */
static u32 bar_size(u32 bdf, u32 i, bool *is64)
{
	u32 reg = PCI_REG_BAR0 + 4 * i, old = pci_cfg_read32(bdf, reg), sz;

	*is64 = (old & PCI_BAR_TYPE_MASK) == PCI_BAR_TYPE_64;
	if (old & PCI_BAR_IO)
		return 0;
	pci_cfg_write32(bdf, reg, 0xffffffffu);
	sz = pci_cfg_read32(bdf, reg) & PCI_BAR_MEM_MASK;
	pci_cfg_write32(bdf, reg, old);
	return sz ? ~sz + 1 : 0;
}

/*
 * Give every memory BAR an address below 4 GiB (the guest runs with
 * paging off). A BAR the firmware placed stays put unless @bar_at asks
 * for a move; assigned ones go up from @bar_at, each aligned to its size.
 */
static int assign_bars(struct vblk *d, u32 bar_at)
{
	u32 cmd = pci_cfg_read16(d->bdf, PCI_REG_COMMAND);
	u32 next = bar_at ? bar_at : VIRTIO_DEFAULT_BAR_GPA;
	bool is64;

	pci_cfg_write16(d->bdf, PCI_REG_COMMAND, cmd & ~PCI_CMD_MEMORY);
	for (u32 i = 0; i < 6; i++) {
		u32 reg = PCI_REG_BAR0 + 4 * i, sz = bar_size(d->bdf, i, &is64);
		u32 lo = pci_cfg_read32(d->bdf, reg) & PCI_BAR_MEM_MASK;
		u32 hi = is64 && i < 5 ? pci_cfg_read32(d->bdf, reg + 4) : 0;

		if (sz && (bar_at || !lo || hi)) {
			next = (next + sz - 1) & ~(sz - 1);
			pci_cfg_write32(d->bdf, reg, next);
			if (is64)
				pci_cfg_write32(d->bdf, reg + 4, 0);
			lo = next;
			hi = 0;
			next += sz < PAGE ? PAGE : sz;
			kprintf("keel-guest: virtio BAR%u assigned 0x%x size 0x%x\n",
				i, lo, sz);
		}
		d->bar[i] = sz && !hi ? lo : 0;
		if (is64)
			i++;
	}
	pci_cfg_write16(d->bdf, PCI_REG_COMMAND,
			cmd | PCI_CMD_MEMORY | PCI_CMD_MASTER);
	return 0;
}

/* One virtio_pci_cap at config offset @c (4.1.4). */
static void parse_vendor_cap(struct vblk *d, u8 c)
{
	u8 type = pci_cfg_read8(d->bdf, c + VIRTIO_CAP_CFG_TYPE);
	u8 bar = pci_cfg_read8(d->bdf, c + VIRTIO_CAP_BAR);
	u32 off = pci_cfg_read32(d->bdf, c + VIRTIO_CAP_OFFSET);
	u32 len = pci_cfg_read32(d->bdf, c + VIRTIO_CAP_LENGTH);
	u32 addr;

	/* Its own BAR fields are the window's, written by the driver. */
	if (type == VIRTIO_PCI_CAP_PCI_CFG) {
		if (!d->pcicfg_cap)
			d->pcicfg_cap = c;
		return;
	}
	/* 4.1.4: the driver ignores capabilities with a reserved BAR. */
	if (bar > 5 || !d->bar[bar])
		return;
	addr = d->bar[bar] + off;
	/* 4.1.4.1: use the first capability of each type. */
	switch (type) {
	case VIRTIO_PCI_CAP_COMMON_CFG:
		if (!d->common) {
			d->common = addr;
			d->common_len = len;
		}
		break;
	case VIRTIO_PCI_CAP_NOTIFY_CFG:
		if (!d->notify) {
			d->notify = addr;
			d->notify_len = len;
			d->notify_mult = pci_cfg_read32(
				d->bdf, c + VIRTIO_CAP_NOTIFY_MULT);
		}
		break;
	case VIRTIO_PCI_CAP_ISR_CFG:
		if (!d->isr) {
			d->isr = addr;
			d->isr_len = len;
		}
		break;
	case VIRTIO_PCI_CAP_DEVICE_CFG:
		if (!d->devcfg) {
			d->devcfg = addr;
			d->devcfg_len = len;
		}
		break;
	default:
		break;
	}
}

static void parse_caps(struct vblk *d)
{
	u8 c;

	if (!(pci_cfg_read16(d->bdf, PCI_REG_STATUS) & PCI_STATUS_CAP_LIST))
		return;
	c = pci_cfg_read8(d->bdf, PCI_REG_CAP_PTR) & 0xfc;
	/* Bounded: a looping list ends after the space it could fill. */
	for (u32 n = 0; c && n < PCI_CAP_WALK_MAX; n++) {
		u8 id = pci_cfg_read8(d->bdf, c);

		if (id == PCI_CAP_ID_VENDOR)
			parse_vendor_cap(d, c);
		else if (id == PCI_CAP_ID_MSIX && !d->msix_cap)
			d->msix_cap = c;
		c = pci_cfg_read8(d->bdf, c + 1) & 0xfc;
	}
	if (d->msix_cap) {
		u32 t = pci_cfg_read32(d->bdf, d->msix_cap + MSIX_TABLE);
		u32 bir = t & MSIX_BIR_MASK;

		d->msix_table =
			bir < 6 && d->bar[bir] ? d->bar[bir] + (t & ~7u) : 0;
	}
}

/*
 * Map the device found at d->bdf: BARs, then capabilities. Returns 0 when
 * the four regions the driver needs were found, each as long as what the
 * driver reads there (the doorbell is checked once its offset is known),
 * -1 otherwise.
 */
int virtio_map(struct vblk *d, u32 bar_at)
{
	assign_bars(d, bar_at);
	parse_caps(d);
	if (!d->common || !d->notify || !d->isr || !d->devcfg)
		return -1;
	if (d->common_len < VCOM_MIN_LEN || !d->isr_len ||
	    d->devcfg_len < VBLK_CFG_MIN_LEN)
		return -1;
	return 0;
}
