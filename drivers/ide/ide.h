/* SPDX-License-Identifier: MIT */
/*
 * IDE (PCI IDE, PIIX3/PIIX4) ATA disk driver: the one public header.
 * Polled with nIEN set (no interrupts), one command per channel at a time,
 * bus-master DMA (READ/WRITE DMA EXT) with PIO (READ/WRITE SECTORS EXT) as
 * the fallback, FLUSH CACHE EXT. docs/ata.md describes it.
 *
 * Boot order: pci_init(), mm_init(), time_init(), then ide_init() (after
 * ahci_init(): disk names continue AHCI's), then ide_blk_register_all().
 */
#ifndef KEEL_DRIVERS_IDE_H
#define KEEL_DRIVERS_IDE_H

#include "core/types.h"
#include "drivers/ata/ata.h"
#include "drivers/ide/ide_prd.h"

#define IDE_MAX_CONTROLLERS 2
#define IDE_MAX_DISKS (IDE_MAX_CONTROLLERS * 4)

enum ide_op {
	IDE_OP_READ,
	IDE_OP_WRITE,
	IDE_OP_FLUSH, /* FLUSH CACHE EXT; no data, lba and nsectors 0 */
	/*
	 * NOP (ACS-3 7.17): no data; the device always aborts it, so it
	 * ends with -EIO. The self-test uses it to exercise error reporting.
	 */
	IDE_OP_NOP,
};

struct ide_cmd;
/* @status: 0, -EIO (device or bus-master error), -ETIMEDOUT. */
typedef void (*ide_done_fn)(struct ide_cmd *cmd, int status);

/*
 * One command. The submitter owns it and its segments until done() runs,
 * from ide_poll_disk() (never from ide_submit()); done() may submit again.
 * The segments' total must be nsectors * 512 bytes.
 */
struct ide_cmd {
	enum ide_op op;
	u64 lba;
	u32 nsectors;
	const struct ide_seg *segs;
	unsigned int nseg;
	ide_done_fn done;
	void *priv;
	/* Driver-private from submit to done. */
	u64 deadline_us;
	int status;
};

struct ide_disk;

/* Find every IDE controller and probe its disks. Returns the disk count. */
int ide_init(void);
unsigned int ide_disk_count(void);
struct ide_disk *ide_disk(unsigned int i);
const char *ide_disk_name(const struct ide_disk *d);
const struct ata_identity *ide_disk_info(const struct ide_disk *d);

/*
 * Issue @cmd. 0: done() runs later. -EBUSY: the channel is busy; poll and
 * retry. -EINVAL / -ERANGE / -E2BIG: malformed for this disk (or a buffer
 * the bus master cannot reach). -ENODEV: the channel failed a soft reset
 * and is out of service. done() never runs on error.
 */
int ide_submit(struct ide_disk *d, struct ide_cmd *cmd);
/* Reap the disk's channel: completions, errors, timeouts. Returns count. */
unsigned int ide_poll_disk(struct ide_disk *d);

/* Use PIO instead of DMA (idle disk only: -EBUSY); DMA needs support. */
int ide_disk_set_pio(struct ide_disk *d, bool pio);
bool ide_disk_uses_pio(const struct ide_disk *d);

/*
 * Software-reset the disk's channel (both devices, ATA-6 9.2), as error
 * recovery does. Idle channel only (-EBUSY); -ETIMEDOUT when the devices
 * stay busy, and the channel is then out of service.
 */
int ide_disk_reset(struct ide_disk *d);

struct ide_stats {
	u64 cmds, errors, timeouts, resets;
};
void ide_disk_stats(const struct ide_disk *d, struct ide_stats *st);

/*
 * Block-layer glue (ide_blk.c), as ahci_blk_register_all(). No command
 * moves more than @max_xfer bytes (ide_max_xfer=; 0: the LBA48 limit).
 */
struct blk_dev;
int ide_blk_register_all(u64 max_xfer);
unsigned int ide_blk_count(void);
struct blk_dev *ide_blk_dev(unsigned int i);

#endif
