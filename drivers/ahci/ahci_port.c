// SPDX-License-Identifier: MIT
/*
 * AHCI ports: DMA engine start and stop, COMRESET, device detection and
 * IDENTIFY, and building and issuing commands. Bottom-up: register helpers,
 * engine control, command building, probe.
 */
#include "core/lib.h"
#include "core/mm.h"
#include "drivers/ahci/ahci_priv.h"

/* Normal stores to DMA memory must be visible before the doorbell write. */
static inline void dma_wmb(void)
{
	/* x86 keeps store order (SDM Vol.3A 8.2.2); stop the compiler only. */
	__asm__ volatile("" ::: "memory");
}

int ahci_wait(volatile u8 *base, u32 reg, u32 mask, u32 want, u64 timeout_us,
	      const char *what)
{
	u64 start = time_us();
	u32 v;

	for (;;) {
		v = mmio_read32(base + reg);
		if ((v & mask) == want)
			return 0;
		if (time_us() - start >= timeout_us)
			break;
		udelay(AHCI_POLL_STEP_US);
	}
	pr_warn("keel: ahci: timeout after %llu us waiting for %s (reg %#x = %#x)\n",
		(unsigned long long)timeout_us, what, reg, v);
	return -ETIMEDOUT;
}

/* Stop the command list engine, then FIS receive: AHCI 1.3.1 10.3.2. */
int ahci_port_stop(struct ahci_port *p)
{
	u32 cmd = port_read(p, AHCI_PxCMD);
	int ret = 0;

	if (cmd & (AHCI_PxCMD_ST | AHCI_PxCMD_CR)) {
		port_write(p, AHCI_PxCMD, cmd & ~AHCI_PxCMD_ST);
		ret = ahci_wait(p->regs, AHCI_PxCMD, AHCI_PxCMD_CR, 0,
				AHCI_STOP_TIMEOUT_US, "PxCMD.CR clear");
	}
	cmd = port_read(p, AHCI_PxCMD);
	if (cmd & (AHCI_PxCMD_FRE | AHCI_PxCMD_FR)) {
		port_write(p, AHCI_PxCMD, cmd & ~AHCI_PxCMD_FRE);
		if (ahci_wait(p->regs, AHCI_PxCMD, AHCI_PxCMD_FR, 0,
			      AHCI_STOP_TIMEOUT_US, "PxCMD.FR clear"))
			ret = -ETIMEDOUT;
	}
	return ret;
}

/* Stop only the command list engine (keeps FIS receive running). */
int ahci_port_stop_cmd(struct ahci_port *p)
{
	u32 cmd = port_read(p, AHCI_PxCMD);

	if (!(cmd & (AHCI_PxCMD_ST | AHCI_PxCMD_CR)))
		return 0;
	port_write(p, AHCI_PxCMD, cmd & ~AHCI_PxCMD_ST);
	return ahci_wait(p->regs, AHCI_PxCMD, AHCI_PxCMD_CR, 0,
			 AHCI_STOP_TIMEOUT_US, "PxCMD.CR clear");
}

static void port_set_bases(struct ahci_port *p)
{
	u64 clb = ahci_dma_map(p->mem);
	u64 fb = ahci_dma_map(p->mem + offsetof(struct ahci_port_mem, rx));

	port_write(p, AHCI_PxCLB, (u32)clb);
	port_write(p, AHCI_PxCLBU, (u32)(clb >> 32));
	port_write(p, AHCI_PxFB, (u32)fb);
	port_write(p, AHCI_PxFBU, (u32)(fb >> 32));
}

/*
 * Start processing: FIS receive on, wait until the device is not busy, then
 * ST (AHCI 1.3.1 10.3.1: ST may only be set while CR is clear, FRE is set
 * and BSY, DRQ are clear).
 */
int ahci_port_start(struct ahci_port *p)
{
	u32 cmd;

	ahci_port_stop_cmd(p);
	cmd = port_read(p, AHCI_PxCMD);
	if (!(cmd & AHCI_PxCMD_FRE))
		port_write(p, AHCI_PxCMD, cmd | AHCI_PxCMD_FRE);
	if (ahci_wait(p->regs, AHCI_PxTFD, ATA_STS_BSY | ATA_STS_DRQ, 0,
		      AHCI_BSY_TIMEOUT_US, "device not busy"))
		return -ETIMEDOUT;
	port_write(p, AHCI_PxSERR, ~0U);
	port_write(p, AHCI_PxIS, ~0U);
	cmd = port_read(p, AHCI_PxCMD);
	port_write(p, AHCI_PxCMD, cmd | AHCI_PxCMD_ST);
	return 0;
}

/* COMRESET through PxSCTL.DET, AHCI 1.3.1 10.4.2. ST must be clear. */
int ahci_port_comreset(struct ahci_port *p)
{
	u32 sctl = port_read(p, AHCI_PxSCTL);
	int ret;

	sctl &= ~(u32)(AHCI_PxSCTL_DET | AHCI_PxSCTL_IPM);
	sctl |= FIELD_PREP(AHCI_PxSCTL_IPM, AHCI_SCTL_IPM_NO_PARTIAL_SLUMBER);
	port_write(p, AHCI_PxSCTL,
		   sctl | FIELD_PREP(AHCI_PxSCTL_DET, AHCI_SCTL_DET_COMRESET));
	udelay(AHCI_COMRESET_HOLD_US);
	port_write(p, AHCI_PxSCTL, sctl);
	ret = ahci_wait(p->regs, AHCI_PxSSTS, AHCI_PxSSTS_DET,
			AHCI_DET_ESTABLISHED, AHCI_LINK_TIMEOUT_US,
			"link up after COMRESET");
	/* The reset sets DIAG.X and friends; clear them for the next error. */
	port_write(p, AHCI_PxSERR, ~0U);
	return ret;
}

/* LBA into the six LBA bytes of a FIS, ACS-3 6.2 (LBA field). */
void ahci_fis_lba(struct fis_reg_h2d *f, u64 lba)
{
	f->lba0 = (u8)lba;
	f->lba1 = (u8)(lba >> 8);
	f->lba2 = (u8)(lba >> 16);
	f->lba3 = (u8)(lba >> 24);
	f->lba4 = (u8)(lba >> 32);
	f->lba5 = (u8)(lba >> 40);
}

static struct ahci_cmd_table *slot_table(struct ahci_port *p, unsigned slot)
{
	return phys_to_virt(p->tables + (u64)slot * AHCI_CMD_TABLE_BYTES);
}

static void fill_header(struct ahci_port *p, unsigned slot, unsigned nprd,
			bool write)
{
	struct ahci_cmd_hdr *h = &p->cl[slot];
	u64 ctba = ahci_dma_map(p->tables + (u64)slot * AHCI_CMD_TABLE_BYTES);

	h->dw0 = (u32)(FIELD_PREP(AHCI_HDR_CFL, FIS_H2D_DWORDS) |
		       FIELD_PREP(AHCI_HDR_PRDTL, nprd) |
		       (write ? AHCI_HDR_W : 0));
	h->prdbc = 0;
	h->ctba = (u32)ctba;
	h->ctbau = (u32)(ctba >> 32);
}

/* Build the Register H2D FIS for @cmd in @tag's table. */
static void build_fis(struct ahci_disk *d, struct ahci_cmd *cmd, bool ncq,
		      unsigned tag, struct fis_reg_h2d *f)
{
	memset(f, 0, sizeof(*f));
	f->type = FIS_TYPE_REG_H2D;
	f->flags = FIS_H2D_C;
	f->device = ATA_DEV_LBA;
	if (cmd->op == AHCI_OP_FLUSH) {
		f->command = ATA_CMD_FLUSH_CACHE_EXT;
		f->device = 0;
		return;
	}
	ahci_fis_lba(f, cmd->lba);
	if (ncq) {
		f->command = cmd->op == AHCI_OP_WRITE ?
				     ATA_CMD_WRITE_FPDMA_QUEUED :
				     ATA_CMD_READ_FPDMA_QUEUED;
		f->feature_lo = (u8)cmd->nsectors;
		f->feature_hi = (u8)(cmd->nsectors >> 8);
		f->count_lo = (u8)(tag << ATA_FPDMA_TAG_SHIFT);
		if (cmd->fua)
			f->device |= ATA_DEV_FPDMA_FUA;
	} else {
		if (cmd->op == AHCI_OP_READ)
			f->command = ATA_CMD_READ_DMA_EXT;
		else
			f->command = cmd->fua ? ATA_CMD_WRITE_DMA_FUA_EXT :
						ATA_CMD_WRITE_DMA_EXT;
		f->count_lo = (u8)cmd->nsectors;
		f->count_hi = (u8)(cmd->nsectors >> 8);
	}
}

static int check_cmd(struct ahci_disk *d, const struct ahci_cmd *cmd)
{
	if (!cmd->done)
		return -EINVAL;
	switch (cmd->op) {
	case AHCI_OP_FLUSH:
		return cmd->nseg == 0 && !cmd->fua ? 0 : -EINVAL;
	case AHCI_OP_READ:
		if (cmd->fua)
			return -EINVAL;
		break;
	case AHCI_OP_WRITE:
		if (cmd->fua && !d->id.fua)
			return -ENOTSUP;
		break;
	default:
		return -EINVAL;
	}
	if (cmd->nsectors == 0 || cmd->nsectors > d->limits.max_sectors ||
	    cmd->nseg == 0 || !cmd->segs)
		return -EINVAL;
	if (cmd->lba >= d->id.sectors ||
	    d->id.sectors - cmd->lba < cmd->nsectors)
		return -ERANGE;
	return 0;
}

/* Issue @cmd on a free slot; the caller has checked the command. */
int ahci_issue(struct ahci_disk *d, struct ahci_cmd *cmd, bool solo)
{
	struct ahci_port *p = &d->port;
	bool ncq = d->ncq && cmd->op != AHCI_OP_FLUSH;
	u32 free_slots = ~p->active & (u32)GENMASK(d->depth - 1, 0);
	struct ahci_cmd_table *t;
	unsigned slot, nprd = 0;
	u32 bytes = 0;
	int ret;

	if (p->dead)
		return -ENODEV;
	if (p->solo || (solo && p->active))
		return -EBUSY;
	/*
	 * Queued and non-queued commands never mix (a non-queued command
	 * while NCQ commands are outstanding aborts them all, ACS-3 NCQ
	 * feature set): a non-queued one waits for an idle port, a queued one
	 * for the end of a non-queued one.
	 */
	if (!ncq && p->active)
		return -EBUSY;
	if (ncq && (p->active & ~p->ncq_active))
		return -EBUSY;
	if (!free_slots)
		return -EBUSY;
	slot = (unsigned)__builtin_ctz(free_slots);
	t = slot_table(p, slot);

	if (cmd->op != AHCI_OP_FLUSH) {
		ret = ahci_prdt_build(t->prdt, AHCI_PRDT_ENTRIES, cmd->segs,
				      cmd->nseg, ahci_dma_map, p->hba->dma64,
				      &bytes);
		if (ret < 0)
			return ret;
		if (bytes != (u64)cmd->nsectors * d->id.logical_sector_size)
			return -EINVAL;
		nprd = (unsigned)ret;
	}
	build_fis(d, cmd, ncq, slot, (struct fis_reg_h2d *)t->cfis);
	fill_header(p, slot, nprd, cmd->op != AHCI_OP_READ);

	cmd->deadline_us = time_us() + (cmd->op == AHCI_OP_FLUSH ?
						AHCI_FLUSH_TIMEOUT_US :
						AHCI_IO_TIMEOUT_US);
	p->slot_cmd[slot] = cmd;
	p->active |= BIT(slot);
	p->solo = solo;
	if (ncq)
		p->ncq_active |= BIT(slot);
	d->stats.cmds++;
	dma_wmb();
	/* AHCI 1.3.1 3.3.13: PxSACT is set before PxCI for NCQ. */
	if (ncq)
		port_write(p, AHCI_PxSACT, BIT(slot));
	port_write(p, AHCI_PxCI, BIT(slot));
	return 0;
}

int ahci_submit(struct ahci_disk *d, struct ahci_cmd *cmd)
{
	int ret = check_cmd(d, cmd);

	if (ret)
		return ret;
	/* Commands waiting for a rerun go first. */
	if (d->port.nretry)
		return -EBUSY;
	cmd->retries = 0;
	return ahci_issue(d, cmd, false);
}

void ahci_complete_slot(struct ahci_port *p, unsigned slot, int status)
{
	struct ahci_cmd *cmd = p->slot_cmd[slot];

	p->slot_cmd[slot] = NULL;
	p->active &= ~BIT(slot);
	p->ncq_active &= ~BIT(slot);
	if (!p->active)
		p->solo = false;
	if (cmd)
		cmd->done(cmd, status);
}

unsigned int ahci_poll_disk(struct ahci_disk *d)
{
	struct ahci_port *p = &d->port;
	u32 is, busy, finished, late = 0;
	unsigned int n = 0;
	u64 now;

	ahci_drain_retries(d);
	if (!p->active)
		return 0;
	is = port_read(p, AHCI_PxIS);
	if (is & AHCI_PxIS_ERROR) {
		ahci_port_recover(d, is, 0);
		return 1;
	}
	if (is)
		port_write(p, AHCI_PxIS, is);
	/* A command is done when both its CI and SACT bits are clear. */
	busy = port_read(p, AHCI_PxCI) | port_read(p, AHCI_PxSACT);
	finished = p->active & ~busy;
	while (finished) {
		unsigned slot = (unsigned)__builtin_ctz(finished);

		finished &= finished - 1;
		ahci_complete_slot(p, slot, 0);
		n++;
	}
	now = time_us();
	for (u32 a = p->active; a; a &= a - 1) {
		unsigned slot = (unsigned)__builtin_ctz(a);

		if (p->slot_cmd[slot] && now > p->slot_cmd[slot]->deadline_us)
			late |= BIT(slot);
	}
	if (late) {
		ahci_port_warn(p, "command timeout, slots %#x\n", late);
		ahci_port_recover(d, is, late);
		n++;
	}
	ahci_drain_retries(d);
	return n;
}

/*
 * Run one command on slot 0 of an idle, started port and wait for it:
 * IDENTIFY at probe, READ LOG EXT during recovery. @buf is one buffer of
 * @len bytes. Returns 0, -EIO on a task-file error, -ETIMEDOUT.
 */
int ahci_exec_sync(struct ahci_port *p, const struct fis_reg_h2d *fis,
		   phys_addr_t buf, u32 len, bool write, u64 timeout_us)
{
	struct ahci_cmd_table *t = slot_table(p, 0);
	struct ahci_seg seg = { buf, len };
	u64 start = time_us();
	int nprd = 0;
	u32 bytes;

	if (p->active)
		return -EBUSY;
	if (len) {
		nprd = ahci_prdt_build(t->prdt, AHCI_PRDT_ENTRIES, &seg, 1,
				       ahci_dma_map, p->hba->dma64, &bytes);
		if (nprd < 0)
			return nprd;
	}
	memcpy(t->cfis, fis, sizeof(*fis));
	fill_header(p, 0, (unsigned)nprd, write);
	port_write(p, AHCI_PxIS, ~0U);
	dma_wmb();
	port_write(p, AHCI_PxCI, BIT(0));
	for (;;) {
		u32 is = port_read(p, AHCI_PxIS);

		if (is & AHCI_PxIS_ERROR) {
			ahci_port_warn(p,
				       "command %#x failed: IS %#x TFD %#x\n",
				       fis->command, is,
				       port_read(p, AHCI_PxTFD));
			return -EIO;
		}
		if (!(port_read(p, AHCI_PxCI) & BIT(0)))
			break;
		if (time_us() - start >= timeout_us) {
			ahci_port_warn(p,
				       "command %#x timed out after %llu us\n",
				       fis->command,
				       (unsigned long long)timeout_us);
			return -ETIMEDOUT;
		}
		udelay(AHCI_POLL_STEP_US);
	}
	port_write(p, AHCI_PxIS, ~0U);
	return 0;
}

static const char *sig_name(u32 sig)
{
	switch (sig) {
	case AHCI_SIG_ATAPI:
		return "ATAPI device";
	case AHCI_SIG_SEMB:
		return "enclosure bridge";
	case AHCI_SIG_PM:
		return "port multiplier";
	default:
		return "unknown device";
	}
}

/* Wait for an established link; spin the device up first when SSS. */
static bool port_link_up(struct ahci_port *p)
{
	u64 start = time_us();
	u32 ssts;

	if (p->hba->cap & AHCI_CAP_SSS) {
		u32 cmd = port_read(p, AHCI_PxCMD);

		if (cmd & AHCI_PxCMD_CPD)
			cmd |= AHCI_PxCMD_POD;
		port_write(p, AHCI_PxCMD, cmd | AHCI_PxCMD_SUD);
	}
	/* No warning on expiry here: an empty port is normal. */
	for (;;) {
		ssts = port_read(p, AHCI_PxSSTS);
		if (FIELD_GET(AHCI_PxSSTS_DET, ssts) == AHCI_DET_ESTABLISHED)
			break;
		if (time_us() - start >= AHCI_LINK_TIMEOUT_US)
			return false;
		udelay(AHCI_POLL_STEP_US);
	}
	if (FIELD_GET(AHCI_PxSSTS_IPM, ssts) != AHCI_IPM_ACTIVE) {
		/* Partial or slumber: a COMRESET brings the link to active. */
		if (ahci_port_comreset(p))
			return false;
	}
	return true;
}

static int port_alloc(struct ahci_port *p)
{
	u64 limit = p->hba->dma64 ? ~0ULL : GiB(4);

	p->mem = alloc_pages(1, PAGE_SIZE);
	p->scratch = alloc_pages(1, PAGE_SIZE);
	p->nslots = p->hba->nslots;
	p->tables = alloc_pages(p->nslots, PAGE_SIZE);
	if (p->mem == PHYS_INVALID || p->scratch == PHYS_INVALID ||
	    p->tables == PHYS_INVALID) {
		ahci_port_err(p, "out of memory for DMA structures\n");
		return -ENOMEM;
	}
	if (p->mem >= limit || p->scratch >= limit ||
	    p->tables + p->nslots * PAGE_SIZE > limit) {
		ahci_port_err(p, "DMA memory above 4 GiB without CAP.S64A\n");
		return -ERANGE;
	}
	p->cl = ((struct ahci_port_mem *)phys_to_virt(p->mem))->cl;
	p->rx = &((struct ahci_port_mem *)phys_to_virt(p->mem))->rx;
	return 0;
}

static void port_free(struct ahci_port *p)
{
	if (p->mem != PHYS_INVALID && p->mem)
		free_pages(p->mem, 1);
	if (p->scratch != PHYS_INVALID && p->scratch)
		free_pages(p->scratch, 1);
	if (p->tables != PHYS_INVALID && p->tables)
		free_pages(p->tables, p->nslots);
	p->mem = p->scratch = p->tables = 0;
}

static int port_identify(struct ahci_disk *d)
{
	struct ahci_port *p = &d->port;
	struct fis_reg_h2d fis = {
		.type = FIS_TYPE_REG_H2D,
		.flags = FIS_H2D_C,
		.command = ATA_CMD_IDENTIFY_DEVICE,
	};
	int ret;

	ret = ahci_exec_sync(p, &fis, p->scratch, ATA_ID_WORDS * 2, false,
			     AHCI_SYNC_TIMEOUT_US);
	if (ret)
		return ret;
	ret = ata_parse_identify(phys_to_virt(p->scratch), &d->id);
	if (ret)
		ahci_port_err(p, "bad IDENTIFY DEVICE data (%d)\n", ret);
	return ret;
}

/* Set the depth and the queue limits from IDENTIFY and the HBA. */
static void disk_setup_queue(struct ahci_disk *d)
{
	struct ahci_port *p = &d->port;
	u32 spare;

	d->can_ncq = d->id.ncq && (p->hba->cap & AHCI_CAP_SNCQ);
	d->ncq = d->can_ncq;
	d->max_depth = d->ncq ? MIN(p->nslots, d->id.queue_depth) : 1;
	d->depth = d->max_depth;
	/* Give back the command tables no slot will use. */
	spare = p->nslots - d->max_depth;
	if (spare) {
		free_pages(p->tables + d->max_depth * PAGE_SIZE, spare);
		p->nslots = d->max_depth;
	}
	ahci_calc_limits(AHCI_PRDT_ENTRIES, d->id.logical_sector_size,
			 d->id.physical_sector_size, ATA_MAX_SECTORS_LBA48,
			 d->depth, &d->limits);
}

/*
 * Probe port @num of @h into @d: link, signature (AHCI 1.3.1 10.1.2; FRE
 * goes on first since QEMU shows PxSIG only then), start, IDENTIFY.
 * Returns 0 for a usable disk, -ENODEV for an empty or non-disk port.
 */
int ahci_port_probe(struct ahci_hba *h, unsigned int num, struct ahci_disk *d)
{
	struct ahci_port *p = &d->port;
	char line[200];
	u32 sig;
	int ret;

	memset(d, 0, sizeof(*d));
	p->hba = h;
	p->num = num;
	p->regs = h->abar + AHCI_PORT_BASE + num * AHCI_PORT_STRIDE;
	port_write(p, AHCI_PxIE, 0); /* polled: no port interrupts */
	if (ahci_port_stop(p))
		return -EIO;
	if (!port_link_up(p))
		return -ENODEV;

	ret = port_alloc(p);
	if (ret)
		goto fail;
	port_set_bases(p);
	port_write(p, AHCI_PxSERR, ~0U);
	port_write(p, AHCI_PxCMD, port_read(p, AHCI_PxCMD) | AHCI_PxCMD_FRE);
	if (ahci_wait(p->regs, AHCI_PxTFD, ATA_STS_BSY | ATA_STS_DRQ, 0,
		      AHCI_BSY_TIMEOUT_US, "device ready for signature")) {
		ret = -ETIMEDOUT;
		goto fail;
	}
	sig = port_read(p, AHCI_PxSIG);
	if (sig != AHCI_SIG_ATA) {
		ahci_port_info(p, "%s (signature %#x) skipped\n", sig_name(sig),
			       sig);
		ret = -ENODEV;
		goto fail;
	}
	ret = ahci_port_start(p);
	if (ret)
		goto fail;
	ret = port_identify(d);
	if (ret)
		goto fail;
	if (!d->id.lba48) {
		/* READ/WRITE DMA EXT need the 48-bit feature set. */
		ahci_port_err(p, "disk without LBA48 not supported\n");
		ret = -ENOTSUP;
		goto fail;
	}
	disk_setup_queue(d);
	ata_identity_summary(&d->id, line, sizeof(line));
	ahci_port_info(p, "%s\n", line);
	return 0;
fail:
	ahci_port_stop(p);
	port_free(p);
	return ret;
}
