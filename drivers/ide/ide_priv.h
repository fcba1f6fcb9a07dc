/* SPDX-License-Identifier: MIT */
/* IDE driver internals shared by ide.c (probe) and ide_cmd.c (commands). */
#ifndef KEEL_DRIVERS_IDE_PRIV_H
#define KEEL_DRIVERS_IDE_PRIV_H

#include "arch/x86/arch.h"
#include "core/console.h"
#include "drivers/ide/ide.h"
#include "drivers/ide/ide_regs.h"

/* Timeouts, each named after what it waits for. */
#define IDE_SELECT_TIMEOUT_US 1000000 /* BSY/DRQ clear before select */
#define IDE_IDENTIFY_TIMEOUT_US 5000000 /* IDENTIFY data ready */
#define IDE_PIO_TIMEOUT_US 10000000 /* one PIO sector ready */
#define IDE_IO_TIMEOUT_US 10000000 /* a DMA read or write */
#define IDE_FLUSH_TIMEOUT_US 30000000 /* a cache flush */
/* ATA-6 9.2: hold SRST >= 5 us; then BSY may take up to 31 s to clear. */
#define IDE_SRST_HOLD_US 5
#define IDE_SRST_SETTLE_US 2000
#define IDE_RESET_TIMEOUT_US 31000000
#define IDE_POLL_STEP_US 10
/* ATA-6 9.7: 400 ns after select before status is valid; 4 status reads. */
#define IDE_SELECT_DELAY_READS 4

struct ide_disk;

struct ide_channel {
	unsigned int ctrl, num; /* controller and channel number, for logs */
	u16 cmd_base, ctl_port, bm_base; /* bm_base 0: no bus master */
	phys_addr_t prdt; /* one page, below 4 GiB */
	struct ide_prd *prd;
	int selected; /* device last selected, -1 unknown */
	struct ide_disk *busy; /* disk with a command in flight */
	struct ide_cmd *cur;
	bool cur_dma;
	bool cur_done; /* PIO ran in submit; done() waits for the poll */
	bool dead; /* a soft reset failed: every command gets -ENODEV */
};

struct ide_disk {
	struct ide_channel *ch;
	unsigned int dev; /* 0 master, 1 slave */
	struct ata_identity id;
	char name[8];
	bool can_dma; /* bus master present and IDENTIFY reports DMA */
	bool pio; /* use PIO now */
	struct ide_stats stats;
};

static inline u8 ide_inb(struct ide_channel *ch, u16 reg)
{
	return inb(ch->cmd_base + reg);
}

static inline void ide_outb(struct ide_channel *ch, u16 reg, u8 v)
{
	outb(ch->cmd_base + reg, v);
}

/* Alternate status: does not clear a pending interrupt. */
static inline u8 ide_altstatus(struct ide_channel *ch)
{
	return inb(ch->ctl_port);
}

static inline u8 ide_bm_inb(struct ide_channel *ch, u16 reg)
{
	return inb(ch->bm_base + reg);
}

static inline void ide_bm_outb(struct ide_channel *ch, u16 reg, u8 v)
{
	outb(ch->bm_base + reg, v);
}

#define ide_ch_info(ch, fmt, ...) \
	pr_info("keel: ide%u.%u: " fmt, (ch)->ctrl, (ch)->num, ##__VA_ARGS__)
#define ide_ch_warn(ch, fmt, ...) \
	pr_warn("keel: ide%u.%u: " fmt, (ch)->ctrl, (ch)->num, ##__VA_ARGS__)
#define ide_ch_err(ch, fmt, ...) \
	pr_err("keel: ide%u.%u: " fmt, (ch)->ctrl, (ch)->num, ##__VA_ARGS__)

/* ide_cmd.c */
/*
 * Wait until (altstatus & mask) == 0 (BSY, or BSY|DRQ) within @timeout_us;
 * -ETIMEDOUT with a warning naming @what.
 */
int ide_wait_clear(struct ide_channel *ch, u8 mask, u64 timeout_us,
		   const char *what);
int ide_select(struct ide_channel *ch, unsigned int dev);
void ide_write_tf(struct ide_channel *ch, const struct ide_taskfile *tf);
int ide_soft_reset(struct ide_channel *ch);
/* IDENTIFY DEVICE into @words; -ENODEV (none), -ENOTSUP (ATAPI: left alone). */
int ide_identify(struct ide_channel *ch, unsigned int dev, u16 *words);

#endif
