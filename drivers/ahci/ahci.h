/* SPDX-License-Identifier: MIT */
/*
 * AHCI SATA driver: the one public header. Polled (no interrupts), NCQ when
 * the disk and HBA have it, errors recovered per AHCI 1.3.1 6.2.2.
 *
 * Boot order: pci_init(), mm_init() and time_init() first, then
 * ahci_init(); then submit commands and call ahci_poll() until they finish.
 * The block-layer glue (drivers/ahci/ahci_blk.c) registers every disk.
 */
#ifndef KEEL_DRIVERS_AHCI_H
#define KEEL_DRIVERS_AHCI_H

#include "core/types.h"
#include "drivers/ahci/ahci_prdt.h"
#include "drivers/ata/ata.h"

#define AHCI_MAX_HBAS 4
#define AHCI_MAX_DISKS 16

enum ahci_op {
	AHCI_OP_READ,
	AHCI_OP_WRITE,
	AHCI_OP_FLUSH, /* FLUSH CACHE EXT; no data, lba and nsectors 0 */
};

struct ahci_cmd;
/* @status: 0, -EIO (device or transfer error), -ETIMEDOUT, -ENODEV. */
typedef void (*ahci_done_fn)(struct ahci_cmd *cmd, int status);

/*
 * One command. The submitter owns it and its segments until done() runs;
 * done() runs from ahci_poll() (never from ahci_submit()) and may submit
 * again. The segments' total length must equal nsectors logical sectors.
 */
struct ahci_cmd {
	enum ahci_op op;
	u64 lba;
	u32 nsectors;
	bool fua; /* needs ahci_disk_info()->fua */
	const struct ahci_seg *segs;
	unsigned int nseg;
	ahci_done_fn done;
	void *priv;
	/* Driver-private from submit to done. */
	u64 deadline_us;
	u8 retries;
};

struct ahci_disk;

/* Find, reset and probe every AHCI controller. Returns the disk count. */
int ahci_init(void);
unsigned int ahci_disk_count(void);
struct ahci_disk *ahci_disk(unsigned int i);

/* Stable name in probe order: "sda", "sdb", ... */
const char *ahci_disk_name(const struct ahci_disk *d);
const struct ata_identity *ahci_disk_info(const struct ahci_disk *d);
/*
 * The host memory the HBA reaches for @d's port besides data buffers: the
 * command list and received-FIS page, the command tables, the scratch
 * page. For test=vtd, which puts the controller on a domain that maps
 * little else. Fills up to @max ranges; returns how many there are.
 */
unsigned int ahci_disk_dma_ranges(const struct ahci_disk *d, phys_addr_t *base,
				  u64 *size, unsigned int max);
/* Queue limits, for the block layer; queue_depth is the slots in use. */
void ahci_disk_limits(const struct ahci_disk *d, struct ahci_queue_limits *ql);
/*
 * Use at most @depth commands at once (1 disables NCQ), capped by what the
 * disk and HBA allow. Only while the disk is idle: -EBUSY otherwise.
 */
int ahci_disk_set_depth(struct ahci_disk *d, u32 depth);
/*
 * Use NCQ (FPDMA QUEUED) or plain DMA EXT commands; NCQ only when disk and
 * HBA support it. Non-NCQ runs one command at a time. Idle only: -EBUSY.
 */
int ahci_disk_set_ncq(struct ahci_disk *d, bool on);

/*
 * Issue @cmd. 0: issued, done() runs later. -EBUSY: no slot now (or a
 * non-queued command must wait for the queue to drain); call ahci_poll()
 * and retry. -EINVAL / -ERANGE / -E2BIG / -ENOTSUP: the command is malformed
 * for this disk. -ENODEV: the port is dead. done() never runs on error.
 */
int ahci_submit(struct ahci_disk *d, struct ahci_cmd *cmd);

/* Reap completions and handle errors and timeouts on every disk. */
void ahci_poll(void);
/* Same, for one disk; returns the commands completed. */
unsigned int ahci_poll_disk(struct ahci_disk *d);

struct ahci_stats {
	u64 cmds, errors, timeouts, retries, recoveries, comresets;
};
void ahci_disk_stats(const struct ahci_disk *d, struct ahci_stats *st);

/* How the disk queues now: depth in use and allowed, NCQ in use and possible. */
struct ahci_queue_state {
	u32 depth, max_depth;
	bool ncq, can_ncq;
};
void ahci_disk_queue(const struct ahci_disk *d, struct ahci_queue_state *qs);

/*
 * Block-layer glue (ahci_blk.c): register every disk not yet registered as
 * a block device named like the disk ("sda"), with the block layer's default
 * elevator (deadline unless sched= says otherwise). Returns the count.
 */
struct blk_dev;
int ahci_blk_register_all(void);
unsigned int ahci_blk_count(void);
struct blk_dev *ahci_blk_dev(unsigned int i);

#endif
