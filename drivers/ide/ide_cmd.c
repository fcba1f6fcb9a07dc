// SPDX-License-Identifier: MIT
/*
 * IDE commands: device selection, taskfile writes, IDENTIFY, DMA and PIO
 * transfers, completion polling, and recovery by software reset. One
 * command per channel at a time (the ATA register interface has one
 * taskfile); every wait is bounded by a timeout named in ide_priv.h.
 */
#include "core/lib.h"
#include "core/mm.h"
#include "drivers/ide/ide_priv.h"

int ide_wait_clear(struct ide_channel *ch, u8 mask, u64 timeout_us,
		   const char *what)
{
	u64 start = time_us();

	for (;;) {
		u8 st = ide_altstatus(ch);

		if (st != IDE_STATUS_FLOATING && !(st & mask))
			return 0;
		if (time_us() - start >= timeout_us)
			break;
		udelay(IDE_POLL_STEP_US);
	}
	ide_ch_warn(ch, "timeout waiting for %s (status %#x)\n", what,
		    ide_altstatus(ch));
	return -ETIMEDOUT;
}

/* ATA-6 9.7: status is valid 400 ns after a select; four reads cover it. */
static void select_delay(struct ide_channel *ch)
{
	for (int i = 0; i < IDE_SELECT_DELAY_READS; i++)
		(void)ide_altstatus(ch);
}

int ide_select(struct ide_channel *ch, unsigned int dev)
{
	/* The device register may only change while BSY and DRQ are clear. */
	if (ide_wait_clear(ch, IDE_STATUS_BSY | IDE_STATUS_DRQ,
			   IDE_SELECT_TIMEOUT_US, "idle before select"))
		return -ETIMEDOUT;
	if (ch->selected == (int)dev)
		return 0;
	ide_outb(ch, IDE_REG_DEVICE,
		 (u8)(IDE_DEVICE_OBS | (dev ? IDE_DEVICE_DEV1 : 0)));
	select_delay(ch);
	ch->selected = (int)dev;
	return ide_wait_clear(ch, IDE_STATUS_BSY | IDE_STATUS_DRQ,
			      IDE_SELECT_TIMEOUT_US, "idle after select");
}

void ide_write_tf(struct ide_channel *ch, const struct ide_taskfile *tf)
{
	/* Previous (HOB) bytes first, then current: ACS-3 48-bit commands. */
	for (int i = 0; i < 2; i++) {
		ide_outb(ch, IDE_REG_FEATURE, tf->feature[i]);
		ide_outb(ch, IDE_REG_COUNT, tf->count[i]);
		ide_outb(ch, IDE_REG_LBA_LOW, tf->lba_low[i]);
		ide_outb(ch, IDE_REG_LBA_MID, tf->lba_mid[i]);
		ide_outb(ch, IDE_REG_LBA_HIGH, tf->lba_high[i]);
	}
	ide_outb(ch, IDE_REG_DEVICE, tf->device);
	ch->selected = (tf->device & IDE_DEVICE_DEV1) ? 1 : 0;
	ide_outb(ch, IDE_REG_COMMAND, tf->command);
	select_delay(ch);
}

/*
 * Software reset of both devices on the channel (ATA-6 9.2): SRST held,
 * released, BSY waited out. nIEN stays set throughout.
 */
int ide_soft_reset(struct ide_channel *ch)
{
	outb(ch->ctl_port, IDE_DEVCTL_NIEN | IDE_DEVCTL_SRST);
	udelay(IDE_SRST_HOLD_US);
	outb(ch->ctl_port, IDE_DEVCTL_NIEN);
	udelay(IDE_SRST_SETTLE_US);
	ch->selected = -1;
	if (!ide_wait_clear(ch, IDE_STATUS_BSY, IDE_RESET_TIMEOUT_US,
			    "BSY clear after reset"))
		return 0;
	ide_ch_err(ch, "soft reset failed; channel out of service\n");
	ch->dead = true;
	return -ETIMEDOUT;
}

/* Move one 512-byte sector between the data port and @buf. */
static void pio_sector(struct ide_channel *ch, u16 *buf, bool write)
{
	for (unsigned int i = 0; i < ATA_SECTOR_SIZE / 2; i++) {
		if (write)
			outw(ch->cmd_base + IDE_REG_DATA, buf[i]);
		else
			buf[i] = inw(ch->cmd_base + IDE_REG_DATA);
	}
}

/* Wait for DRQ (data ready) or an error, PIO protocol ATA-6 9.6/9.7. */
static int pio_wait_drq(struct ide_channel *ch, const char *what)
{
	u8 st;

	if (ide_wait_clear(ch, IDE_STATUS_BSY, IDE_PIO_TIMEOUT_US, what))
		return -ETIMEDOUT;
	st = ide_altstatus(ch);
	if (st & (IDE_STATUS_ERR | IDE_STATUS_DF) || !(st & IDE_STATUS_DRQ))
		return -EIO;
	return 0;
}

int ide_identify(struct ide_channel *ch, unsigned int dev, u16 *words)
{
	struct ide_taskfile tf;
	u8 st;

	if (ide_select(ch, dev))
		return -ENODEV;
	ide_tf_nodata(&tf, ATA_CMD_IDENTIFY_DEVICE, dev);
	ide_write_tf(ch, &tf);
	st = ide_altstatus(ch);
	/* No device: the status reads 0 (Bochs) or floats to FFh. */
	if (st == 0 || st == IDE_STATUS_FLOATING)
		return -ENODEV;
	if (ide_wait_clear(ch, IDE_STATUS_BSY, IDE_IDENTIFY_TIMEOUT_US,
			   "IDENTIFY"))
		return -ENODEV;
	st = ide_inb(ch, IDE_REG_STATUS);
	if (st & IDE_STATUS_ERR) {
		/* A packet device aborts it and shows its signature. */
		if (ide_inb(ch, IDE_REG_LBA_MID) == IDE_SIG_ATAPI_MID &&
		    ide_inb(ch, IDE_REG_LBA_HIGH) == IDE_SIG_ATAPI_HIGH)
			return -ENOTSUP;
		return -ENODEV;
	}
	if (!(st & IDE_STATUS_DRQ))
		return -ENODEV;
	pio_sector(ch, words, false);
	return 0;
}

static bool chan_idle(struct ide_channel *ch)
{
	return ch->cur == NULL;
}

int ide_disk_set_pio(struct ide_disk *d, bool pio)
{
	if (!chan_idle(d->ch))
		return -EBUSY;
	if (!pio && !d->can_dma)
		return -ENOTSUP;
	d->pio = pio;
	return 0;
}

int ide_disk_reset(struct ide_disk *d)
{
	if (!chan_idle(d->ch))
		return -EBUSY;
	d->stats.resets++;
	return ide_soft_reset(d->ch);
}

bool ide_disk_uses_pio(const struct ide_disk *d)
{
	return d->pio;
}

/* The data checks common to DMA and PIO; the byte total is checked too. */
static int check_cmd(const struct ide_disk *d, const struct ide_cmd *c)
{
	u64 total = 0;

	if (!c->done || c->op > IDE_OP_NOP)
		return -EINVAL;
	if (c->op == IDE_OP_FLUSH || c->op == IDE_OP_NOP)
		return 0;
	if (c->nsectors == 0 || c->nsectors > IDE_MAX_CMD_SECTORS || !c->nseg)
		return -EINVAL;
	if (c->lba >= d->id.sectors || c->nsectors > d->id.sectors - c->lba)
		return -ERANGE;
	for (unsigned int i = 0; i < c->nseg; i++) {
		if (!c->segs[i].len ||
		    !IS_ALIGNED(c->segs[i].addr | c->segs[i].len,
				IDE_PRD_ALIGN))
			return -EINVAL;
		total += c->segs[i].len;
	}
	return total == (u64)c->nsectors * ATA_SECTOR_SIZE ? 0 : -EINVAL;
}

/* Copy between the segments and a sector buffer at byte @off. */
static void seg_copy(const struct ide_cmd *c, u64 off, u8 *buf, bool to_buf)
{
	u32 left = ATA_SECTOR_SIZE;

	for (unsigned int i = 0; i < c->nseg && left; i++) {
		u32 len = c->segs[i].len;

		if (off >= len) {
			off -= len;
			continue;
		}
		u32 take = (u32)MIN((u64)left, len - off);
		u8 *p = (u8 *)phys_to_virt(c->segs[i].addr) + off;

		if (to_buf)
			memcpy(buf, p, take);
		else
			memcpy(p, buf, take);
		buf += take;
		left -= take;
		off = 0;
	}
}

/* PIO data-in/out, sector by sector; runs to the end within submit. */
static int run_pio(struct ide_channel *ch, struct ide_cmd *c)
{
	bool write = c->op == IDE_OP_WRITE;
	u16 sector[ATA_SECTOR_SIZE / 2];
	u8 st;

	for (u32 s = 0; s < c->nsectors; s++) {
		int ret = pio_wait_drq(ch, write ? "PIO write DRQ" :
						   "PIO read DRQ");

		if (ret)
			return ret;
		if (write)
			seg_copy(c, (u64)s * ATA_SECTOR_SIZE, (u8 *)sector,
				 true);
		pio_sector(ch, sector, write);
		if (!write)
			seg_copy(c, (u64)s * ATA_SECTOR_SIZE, (u8 *)sector,
				 false);
	}
	/* After the last block the device finishes (writes: to its cache). */
	if (ide_wait_clear(ch, IDE_STATUS_BSY, IDE_PIO_TIMEOUT_US,
			   "PIO completion"))
		return -ETIMEDOUT;
	st = ide_inb(ch, IDE_REG_STATUS);
	return st & (IDE_STATUS_ERR | IDE_STATUS_DF | IDE_STATUS_DRQ) ? -EIO :
									0;
}

static void bm_stop(struct ide_channel *ch)
{
	ide_bm_outb(ch, IDE_BM_CMD, 0);
	ide_bm_outb(ch, IDE_BM_STATUS, IDE_BM_STATUS_ERROR | IDE_BM_STATUS_IRQ);
}

/* Program the bus master for @c (PRD table built), BMIDE 1.0 3. */
static int start_dma(struct ide_channel *ch, struct ide_disk *d,
		     struct ide_cmd *c)
{
	struct ide_taskfile tf;
	bool write = c->op == IDE_OP_WRITE;
	u32 bytes;
	int n;

	n = ide_prd_build(ch->prd, IDE_PRDT_ENTRIES, c->segs, c->nseg, &bytes);
	if (n < 0)
		return n;
	ide_tf_rw(&tf, write, IDE_XFER_DMA, c->lba, c->nsectors, d->dev);
	bm_stop(ch);
	outl(ch->bm_base + IDE_BM_PRDT, (u32)ch->prdt);
	/* Direction before the command; start after it (BMIDE 1.0 3.1). */
	ide_bm_outb(ch, IDE_BM_CMD, write ? 0 : IDE_BM_CMD_TO_MEMORY);
	ide_write_tf(ch, &tf);
	ide_bm_outb(ch, IDE_BM_CMD,
		    (u8)((write ? 0 : IDE_BM_CMD_TO_MEMORY) |
			 IDE_BM_CMD_START));
	return 0;
}

int ide_submit(struct ide_disk *d, struct ide_cmd *c)
{
	struct ide_channel *ch = d->ch;
	struct ide_taskfile tf;
	int ret = check_cmd(d, c);

	if (ret)
		return ret;
	if (ch->dead)
		return -ENODEV;
	if (!chan_idle(ch))
		return -EBUSY;
	if (ide_select(ch, d->dev)) {
		/* A channel stuck busy: reset it and refuse this once. */
		ide_soft_reset(ch);
		d->stats.resets++;
		return -EBUSY;
	}
	ch->cur_dma = false;
	ch->cur_done = false;
	c->status = 0;
	c->deadline_us = time_us() + (c->op == IDE_OP_FLUSH ?
					      IDE_FLUSH_TIMEOUT_US :
					      IDE_IO_TIMEOUT_US);
	if (c->op == IDE_OP_FLUSH || c->op == IDE_OP_NOP) {
		ide_tf_nodata(&tf,
			      c->op == IDE_OP_FLUSH ? ATA_CMD_FLUSH_CACHE_EXT :
						      ATA_CMD_NOP,
			      d->dev);
		ide_write_tf(ch, &tf);
	} else if (!d->pio) {
		ret = start_dma(ch, d, c);
		if (ret)
			return ret;
		ch->cur_dma = true;
	} else {
		ret = ide_tf_rw(&tf, c->op == IDE_OP_WRITE, IDE_XFER_PIO,
				c->lba, c->nsectors, d->dev);
		if (ret)
			return ret;
		ide_write_tf(ch, &tf);
		c->status = run_pio(ch, c);
		ch->cur_done = true;
	}
	ch->cur = c;
	ch->busy = d;
	d->stats.cmds++;
	return 0;
}

/* A command ended: 0, or its error; either way the channel is reusable. */
static int finish_status(struct ide_channel *ch)
{
	u8 st = ide_inb(ch, IDE_REG_STATUS); /* also acknowledges INTRQ */
	u8 bm = ch->cur_dma ? ide_bm_inb(ch, IDE_BM_STATUS) : 0;

	if (ch->cur_dma)
		bm_stop(ch);
	if (st & (IDE_STATUS_ERR | IDE_STATUS_DF) || (bm & IDE_BM_STATUS_ERROR))
		return -EIO;
	/* DRQ left set means the device still wants data: not done. */
	return st & IDE_STATUS_DRQ ? -EIO : 0;
}

static void complete(struct ide_channel *ch, int status)
{
	struct ide_cmd *c = ch->cur;
	struct ide_disk *d = ch->busy;

	if (status) {
		d->stats.errors++;
		if (status == -ETIMEDOUT)
			d->stats.timeouts++;
		ide_ch_warn(ch, "%s: command at LBA %llu failed (%d)\n",
			    d->name, (unsigned long long)c->lba, status);
		/* Leave the channel clean for the next command. */
		if (ch->cur_dma)
			bm_stop(ch);
		if (status == -ETIMEDOUT ||
		    (ide_altstatus(ch) & (IDE_STATUS_BSY | IDE_STATUS_DRQ))) {
			ide_soft_reset(ch);
			d->stats.resets++;
		}
	}
	ch->cur = NULL;
	ch->busy = NULL;
	c->done(c, status);
}

unsigned int ide_poll_disk(struct ide_disk *d)
{
	struct ide_channel *ch = d->ch;
	struct ide_cmd *c = ch->cur;
	u8 st;

	if (!c)
		return 0;
	if (ch->cur_done) {
		complete(ch, c->status);
		return 1;
	}
	st = ide_altstatus(ch);
	if (ch->cur_dma) {
		u8 bm = ide_bm_inb(ch, IDE_BM_STATUS);

		/*
		 * BMIDE 1.0 3.2: done when the engine went idle and the
		 * device is not busy, or on an error from either. The
		 * interrupt bit is no use: nIEN keeps INTRQ, and so the bit,
		 * low.
		 */
		if ((st & IDE_STATUS_BSY) ||
		    ((bm & IDE_BM_STATUS_ACTIVE) &&
		     !(bm & IDE_BM_STATUS_ERROR) &&
		     !(st & (IDE_STATUS_ERR | IDE_STATUS_DF))))
			goto pending;
	} else if (st & IDE_STATUS_BSY) {
		goto pending;
	}
	complete(ch, finish_status(ch));
	return 1;
pending:
	if (time_us() < c->deadline_us)
		return 0;
	complete(ch, -ETIMEDOUT);
	return 1;
}

void ide_disk_stats(const struct ide_disk *d, struct ide_stats *st)
{
	*st = d->stats;
}
