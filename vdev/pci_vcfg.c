// SPDX-License-Identifier: MIT
/*
 * The guest's PCI configuration space: a per-byte policy over the real
 * space (vdev/pci_vcfg.h, docs/vmx.md). Each byte of a function's 256 is
 * one of: passed (both ways), read-only (reads pass, writes dropped),
 * zero (reads 0, writes dropped), shadowed (plain storage), a BAR byte or
 * a COMMAND byte. Writes are split by byte, so a dword write that covers
 * COMMAND and STATUS treats each half by its own rule; a write whose bytes
 * all pass reaches the device at the width the guest used.
 */
#include "core/lib.h"
#include "vdev/pci_vbar.h"

enum vkind { K_PASS, K_RO, K_ZERO, K_SHADOW, K_BAR, K_CMD };

#define CMD_DECODE (PCI_COMMAND_IO | PCI_COMMAND_MEMORY)
/* Forwarding bits of a bridge (PCI-PCI Bridge 1.2 3.2.5.1). */
#define CMD_BRIDGE_KEEP (CMD_DECODE | PCI_COMMAND_MASTER)

static u32 ones(unsigned int n)
{
	return n >= 4 ? 0xffffffffU : (1U << (8 * n)) - 1;
}

static enum vkind cap_kind(const struct pci_vfn *f, unsigned int off)
{
	if (f->msi_off && off >= f->msi_off + PCI_MSI_FLAGS + 0U &&
	    off < (unsigned int)f->msi_off + f->msi_len)
		return K_PASS;
	if (f->msix_off && off >= f->msix_off + PCI_MSIX_FLAGS + 0U &&
	    off < f->msix_off + PCI_MSIX_FLAGS + 2U)
		return K_PASS;
	return K_RO;
}

static enum vkind header_kind(const struct pci_vfn *f, unsigned int off)
{
	if (f->header_type == PCI_HEADER_TYPE_NORMAL) {
		if (off < PCI_BAR0 + 4U * PCI_MAX_BARS)
			return K_BAR;
		if (off >= PCI_ROM_ADDRESS && off < PCI_ROM_ADDRESS + 4)
			return K_ZERO;
		return K_RO;
	}
	if (f->header_type == PCI_HEADER_TYPE_BRIDGE) {
		if (off < PCI_BAR0 + 4U * PCI_BRIDGE_BARS)
			return K_BAR;
		if (off >= PCI_BRIDGE_ROUTING_START &&
		    off < PCI_BRIDGE_ROUTING_END)
			return K_SHADOW;
		if (off >= PCI_BRIDGE_ROM && off < PCI_BRIDGE_ROM + 4)
			return K_ZERO;
		if (off >= PCI_BRIDGE_CONTROL)
			return K_SHADOW;
		return K_RO;
	}
	return K_RO; /* CardBus and unknown layouts: look, do not touch */
}

static enum vkind classify(const struct pci_vfn *f, unsigned int off)
{
	if (off < PCI_COMMAND)
		return K_RO; /* vendor and device ID */
	if (off < PCI_STATUS)
		return K_CMD;
	if (off < PCI_REVISION_ID)
		return K_PASS; /* STATUS: write-1-to-clear error bits */
	if (off < 0x0c)
		return K_RO; /* revision, class */
	if (off < PCI_HEADER_TYPE)
		return K_PASS; /* cache line size, latency timer */
	if (off < PCI_BAR0)
		return K_RO; /* header type; BIST could reset the device */
	if (off >= PCI_CAP_AREA)
		return cap_kind(f, off);
	if (off == PCI_INTERRUPT_LINE)
		return K_PASS; /* a scratch byte for the OS */
	return header_kind(f, off);
}

/* ---- configuration access ---- */

static u8 read_byte(const struct pci_vfn *f, unsigned int off, u32 real)
{
	unsigned int sh = 8 * (off & 3);
	u32 cmd;

	switch (classify(f, off)) {
	case K_ZERO:
		return 0;
	case K_SHADOW:
		return f->shadow[off - PCI_BRIDGE_ROUTING_START];
	case K_BAR:
		return pci_vbar_read_byte(f, off);
	case K_CMD:
		cmd = (real & ~(u32)CMD_DECODE) | f->cmd_view;
		if (f->no_master)
			cmd &= ~(u32)PCI_COMMAND_MASTER;
		return (u8)(cmd >> sh);
	default:
		return (u8)(real >> sh);
	}
}

u32 pci_vcfg_read(struct pci_vcfg *c, struct pci_vfn *f, u8 off, unsigned int n)
{
	u32 real, v = 0;

	if (f->emul)
		return f->emul->read(f->emul->ctx, off, n);
	real = c->ops->read(c->ops->ctx, f->bdf, off & ~3, 4);

	for (unsigned int i = 0; i < n; i++)
		v |= (u32)read_byte(f, off + i, real) << (8 * i);
	return v;
}

/*
 * COMMAND: the guest's IO/MEMORY bits are its view (they decide whether
 * the EPT shows its BARs) and also reach the device, as do bus master,
 * parity/SERR reporting and INTx disable; the other bits keep the
 * device's value.
 */
static void write_cmd(struct pci_vcfg *c, struct pci_vfn *f, u32 bytes,
		      u32 mask)
{
	u16 real = (u16)c->ops->read(c->ops->ctx, f->bdf, PCI_COMMAND, 2);
	u16 view = (u16)((real & ~CMD_DECODE) | f->cmd_view);
	u16 decode = f->cmd_view;

	view = (u16)((view & ~mask) | (bytes & mask));
	/* A bridge's decode and bus-master bits forward for every device
	 * behind it, Keel's among them: they stay in the view. */
	u16 pass = f->header_type == PCI_HEADER_TYPE_BRIDGE ?
			   (u16)(PCI_VCFG_CMD_PASS & ~CMD_BRIDGE_KEEP) :
			   (u16)PCI_VCFG_CMD_PASS;

	real = (u16)((real & ~pass) | (view & pass));
	if (f->no_master)
		real &= (u16)~PCI_COMMAND_MASTER;
	c->ops->write(c->ops->ctx, f->bdf, PCI_COMMAND, 2, real);
	f->cmd_view = view & CMD_DECODE;
	if (f->cmd_view != decode)
		pci_vbar_sync_all(c, f);
}

static bool all_pass(const struct pci_vfn *f, unsigned int off, unsigned int n)
{
	for (unsigned int i = 0; i < n; i++)
		if (classify(f, off + i) != K_PASS)
			return false;
	return true;
}

void pci_vcfg_write(struct pci_vcfg *c, struct pci_vfn *f, u8 off,
		    unsigned int n, u32 val)
{
	u32 cmd_bytes = 0, cmd_mask = 0, bars = 0;

	if (f->emul) {
		f->emul->write(f->emul->ctx, off, n, val);
		return;
	}
	if (all_pass(f, off, n) && n != 3 && !(off & (n - 1))) {
		c->ops->write(c->ops->ctx, f->bdf, off, (int)n, val);
		return;
	}
	for (unsigned int i = 0; i < n; i++) {
		unsigned int o = off + i;
		u8 b = (u8)(val >> (8 * i));

		switch (classify(f, o)) {
		case K_PASS:
			c->ops->write(c->ops->ctx, f->bdf, (u8)o, 1, b);
			break;
		case K_SHADOW:
			f->shadow[o - PCI_BRIDGE_ROUTING_START] = b;
			break;
		case K_BAR:
			pci_vbar_write_byte(f, o, b);
			bars |= BIT((o - PCI_BAR0) / 4);
			break;
		case K_CMD:
			cmd_bytes |= (u32)b << (8 * (o - PCI_COMMAND));
			cmd_mask |= 0xffU << (8 * (o - PCI_COMMAND));
			break;
		default:
			break; /* read-only or zero: dropped */
		}
	}
	if (cmd_mask)
		write_cmd(c, f, cmd_bytes, cmd_mask);
	pci_vbar_written(c, f, bars);
}

void pci_vcfg_deny_master(struct pci_vcfg *c, struct pci_vfn *f)
{
	u16 real;

	if (f->header_type == PCI_HEADER_TYPE_BRIDGE)
		return;
	f->no_master = true;
	real = (u16)c->ops->read(c->ops->ctx, f->bdf, PCI_COMMAND, 2);
	if (real & PCI_COMMAND_MASTER)
		c->ops->write(c->ops->ctx, f->bdf, PCI_COMMAND, 2,
			      real & (u16)~PCI_COMMAND_MASTER);
}

/* ---- ports 0xCF8-0xCFF ---- */

struct pci_vfn *pci_vcfg_find(struct pci_vcfg *c, u16 bdf)
{
	for (unsigned int i = 0; i < c->nfns; i++)
		if (c->fns[i].bdf == bdf)
			return &c->fns[i];
	return NULL;
}

/* The function CONFIG_ADDRESS selects, or NULL (reads as absent). */
static struct pci_vfn *selected(struct pci_vcfg *c)
{
	if (!(c->addr & PCI_CONF1_ENABLE))
		return NULL; /* data ports are ordinary I/O then */
	return pci_vcfg_find(c, (u16)FIELD_GET(PCI_CONF1_BDF, c->addr));
}

/*
 * Bytes at 0xCF8-0xCFB that are not a dword access to CONFIG_ADDRESS go
 * to ordinary I/O on a PC; of those only 0xCF9 (reset control) is
 * modelled. Returns PCI_VCFG_RESET for a write that sets RST_CPU.
 */
static int low_byte(struct pci_vcfg *c, u16 port, bool in, u8 *b)
{
	if (port != RST_CNT_PORT) {
		if (in)
			*b = 0xff;
		return PCI_VCFG_OK;
	}
	if (in) {
		*b = c->rst_cnt;
		return PCI_VCFG_OK;
	}
	c->rst_cnt = *b;
	return (*b & RST_CNT_RST_CPU) ? PCI_VCFG_RESET : PCI_VCFG_OK;
}

int pci_vcfg_pio(struct pci_vcfg *c, u16 port, unsigned int size, bool in,
		 u32 *val)
{
	unsigned int i = 0, n;
	int rc = PCI_VCFG_OK;
	struct pci_vfn *f;
	u32 out = 0;
	u8 reg;

	if (port == PCI_CONF1_ADDR && size == 4) {
		if (in)
			*val = c->addr;
		else
			c->addr = *val & PCI_CONF1_ADDR_MASK;
		return PCI_VCFG_OK;
	}
	for (; i < size && port + i < PCI_CONF1_DATA; i++) {
		u8 b = (u8)(*val >> (8 * i));

		rc |= low_byte(c, (u16)(port + i), in, &b);
		out |= (u32)b << (8 * i);
	}
	if (i < size) {
		n = size - i;
		reg = (u8)((c->addr & PCI_CONF1_REG) + ((port + i) & 3));
		f = selected(c);
		if (in)
			out |= (f ? pci_vcfg_read(c, f, reg, n) : ones(n))
			       << (8 * i);
		else if (f)
			pci_vcfg_write(c, f, reg, n, *val >> (8 * i));
	}
	if (in)
		*val = out;
	return rc;
}

/* ---- set-up ---- */

void pci_vcfg_init(struct pci_vcfg *c, const struct pci_vcfg_ops *ops,
		   struct pci_vfn *fns, unsigned int max_fns)
{
	memset(c, 0, sizeof(*c));
	c->ops = ops;
	c->fns = fns;
	c->max_fns = max_fns;
}

int pci_vcfg_forbid(struct pci_vcfg *c, u64 base, u64 size, const char *what)
{
	if (c->nforbid == PCI_VCFG_MAX_FORBID)
		return -ENOSPC;
	c->forbid[c->nforbid++] = (struct pci_vcfg_range){ base, size, what };
	return 0;
}

static void find_caps(struct pci_vcfg *c, struct pci_vfn *f)
{
	u16 status = (u16)c->ops->read(c->ops->ctx, f->bdf, PCI_STATUS, 2);
	u8 ptr = (u8)c->ops->read(c->ops->ctx, f->bdf, PCI_CAPABILITY_LIST, 1);

	if (!(status & PCI_STATUS_CAP_LIST))
		return;
	for (int k = 0; k < PCI_CAP_MAX_WALK && ptr >= PCI_CAP_AREA; k++) {
		u16 ctl;
		u8 id, len;

		ptr &= ~3;
		id = (u8)c->ops->read(c->ops->ctx, f->bdf, ptr, 1);
		if (id == PCI_CAP_ID_MSI && !f->msi_off) {
			ctl = (u16)c->ops->read(c->ops->ctx, f->bdf,
						ptr + PCI_MSI_FLAGS, 2);
			len = (ctl & PCI_MSI_FLAGS_64BIT) ? PCI_MSI_LEN_64 :
							    PCI_MSI_LEN_32;
			if (ctl & PCI_MSI_FLAGS_MASKBIT)
				len += PCI_MSI_LEN_MASK_EXTRA;
			if (ptr + len <= PCI_CONF1_CFG_SIZE) {
				f->msi_off = ptr;
				f->msi_len = len;
			}
		} else if (id == PCI_CAP_ID_MSIX && !f->msix_off) {
			f->msix_off = ptr;
		}
		ptr = (u8)c->ops->read(c->ops->ctx, f->bdf, ptr + 1, 1);
	}
}

int pci_vcfg_add(struct pci_vcfg *c, const struct pci_dev *d, u32 nomap_mask)
{
	struct pci_vfn *f;

	if (c->nfns == c->max_fns)
		return -ENOSPC;
	f = &c->fns[c->nfns++];
	memset(f, 0, sizeof(*f));
	f->bdf = PCI_BDF(d->bus, d->dev, d->fn);
	f->header_type = d->header_type;
	f->nbars = d->header_type == PCI_HEADER_TYPE_NORMAL ? PCI_MAX_BARS :
		   d->header_type == PCI_HEADER_TYPE_BRIDGE ? PCI_BRIDGE_BARS :
							      0;
	pci_vbar_add(f, d, nomap_mask);
	f->cmd_view = (u16)c->ops->read(c->ops->ctx, f->bdf, PCI_COMMAND, 2) &
		      CMD_DECODE;
	for (unsigned int o = PCI_BRIDGE_ROUTING_START; o < PCI_CAP_AREA; o++)
		if (classify(f, o) == K_SHADOW)
			f->shadow[o - PCI_BRIDGE_ROUTING_START] =
				(u8)c->ops->read(c->ops->ctx, f->bdf, (u8)o, 1);
	find_caps(c, f);
	return 0;
}

int pci_vcfg_add_emul(struct pci_vcfg *c, u16 bdf,
		      const struct pci_vfn_emul *emul)
{
	struct pci_vfn *f;

	if (pci_vcfg_find(c, bdf))
		return -EEXIST;
	if (c->nfns == c->max_fns)
		return -ENOSPC;
	f = &c->fns[c->nfns++];
	memset(f, 0, sizeof(*f)); /* no BARs for the mapping code to see */
	f->bdf = bdf;
	f->emul = emul;
	return 0;
}

unsigned int pci_vcfg_start(struct pci_vcfg *c)
{
	unsigned int before = c->refusals;

	for (unsigned int n = 0; n < c->nfns; n++)
		pci_vbar_sync_all(c, &c->fns[n]);
	return c->refusals - before;
}
