// SPDX-License-Identifier: MIT
/*
 * AHCI error recovery, AHCI 1.3.1 6.2.2: on a task-file error, an interface
 * or host-bus error, or a command timeout, stop the port, clear the errors,
 * COMRESET when the device stays busy, restart, then end the failed command
 * with an error and reissue the ones that were only caught up in it.
 */
#include "core/lib.h"
#include "core/mm.h"
#include "drivers/ahci/ahci_priv.h"

/* Bits set in @x (no libgcc in Keel, so no __builtin_popcount). */
static unsigned int bits_set(u32 x)
{
	unsigned int n = 0;

	for (; x; x &= x - 1)
		n++;
	return n;
}

/* Steps 2-6 of AHCI 1.3.1 6.2.2.1; returns 0 once the port runs again. */
static int port_restart(struct ahci_disk *d, bool force_comreset)
{
	struct ahci_port *p = &d->port;
	bool stopped;

	/* Step 2: clearing ST also clears PxCI and PxSACT. */
	stopped = ahci_port_stop_cmd(p) == 0;
	/* Steps 3 and 4: clear PxSERR, then PxIS. */
	port_write(p, AHCI_PxSERR, ~0U);
	port_write(p, AHCI_PxIS, ~0U);
	/*
	 * Step 5: BSY or DRQ still set needs a reset. Keel has no use for
	 * CLO (QEMU lacks it), so COMRESET; also when the engine would not
	 * stop or the link itself failed.
	 */
	if (force_comreset || !stopped ||
	    (port_read(p, AHCI_PxTFD) & (ATA_STS_BSY | ATA_STS_DRQ))) {
		d->stats.comresets++;
		ahci_port_warn(p, "COMRESET\n");
		if (!stopped)
			ahci_port_stop(p);
		ahci_port_comreset(p);
	}
	/* Step 6: ST again (waits for BSY and DRQ to clear). */
	return ahci_port_start(p);
}

/*
 * READ LOG EXT, log 10h (ACS-3 Annex A, NCQ Command Error log): the tag of
 * the failed queued command, or -1 when the log names none. Reading it also
 * clears the device's NCQ error state.
 */
static int read_ncq_error_tag(struct ahci_disk *d)
{
	struct ahci_port *p = &d->port;
	struct fis_reg_h2d fis = {
		.type = FIS_TYPE_REG_H2D,
		.flags = FIS_H2D_C,
		.command = ATA_CMD_READ_LOG_EXT,
		.lba0 = ATA_LOG_NCQ_ERROR, /* log address */
		.lba1 = 0, /* page 0 */
		.count_lo = 1, /* one 512-byte page */
	};
	const u8 *log = phys_to_virt(p->scratch);
	u8 sum = 0;

	if (ahci_exec_sync(p, &fis, p->scratch, ATA_SECTOR_SIZE, false,
			   AHCI_SYNC_TIMEOUT_US)) {
		port_restart(d, false);
		return -1;
	}
	/* Byte 511 makes the 512 bytes sum to zero. */
	for (unsigned i = 0; i < ATA_SECTOR_SIZE; i++)
		sum += log[i];
	if (sum != 0 || (log[0] & ATA_NCQ_LOG_NQ))
		return -1;
	return (int)FIELD_GET(ATA_NCQ_LOG_TAG, log[0]);
}

/* Which outstanding NCQ command failed: from the log, else from SACT. */
static u32 ncq_failed(struct ahci_disk *d, u32 ncq_busy)
{
	int tag = d->id.log_ext ? read_ncq_error_tag(d) : -1;

	if (tag >= 0 && (ncq_busy & BIT(tag)))
		return BIT(tag);
	/*
	 * Without a usable log: the device completes the others and leaves
	 * only the failing tag in PxSACT (so does QEMU, emulator-facts.md).
	 */
	if (bits_set(ncq_busy) == 1)
		return ncq_busy;
	return 0; /* unknown: reissue all; retries bound the damage */
}

void ahci_port_recover(struct ahci_disk *d, u32 is, u32 timed_out)
{
	struct ahci_port *p = &d->port;
	u32 ci = port_read(p, AHCI_PxCI);
	u32 sact = port_read(p, AHCI_PxSACT);
	u32 tfd = port_read(p, AHCI_PxTFD);
	u32 serr = port_read(p, AHCI_PxSERR);
	u32 busy = p->active & (ci | sact);
	u32 ok = p->active & ~busy;
	u32 ncq_busy = p->ncq_active & busy;
	bool tfes = is & AHCI_PxIS_TFES;
	bool link = (is & (AHCI_PxIS_HBFS | AHCI_PxIS_HBDS | AHCI_PxIS_IFS)) ||
		    (serr & AHCI_PxSERR_FATAL);
	struct ahci_cmd *cmds[AHCI_MAX_SLOTS];
	u32 failed, retry;
	int fail_status = timed_out ? -ETIMEDOUT : -EIO;

	d->stats.recoveries++;
	ahci_port_err(p,
		      "error: IS %#x TFD %#x SERR %#x CI %#x SACT %#x active %#x%s\n",
		      is, tfd, serr, ci, sact, p->active,
		      timed_out ? " (timeout)" : "");

	/* Take every command off the port; the restart clears CI/SACT. */
	for (unsigned s = 0; s < AHCI_MAX_SLOTS; s++) {
		cmds[s] = p->slot_cmd[s];
		p->slot_cmd[s] = NULL;
	}
	p->active = p->ncq_active = 0;

	if (port_restart(d, link || timed_out)) {
		ahci_port_err(p, "port did not restart; failing its commands\n");
		p->dead = true;
		failed = busy;
		fail_status = -ENODEV;
	} else if (timed_out) {
		d->stats.timeouts += bits_set(timed_out & busy);
		failed = timed_out & busy;
	} else if (tfes && ncq_busy) {
		failed = ncq_failed(d, ncq_busy);
	} else if (tfes) {
		failed = busy; /* the one non-queued command */
	} else {
		failed = 0; /* interface or host error: retry */
	}
	retry = busy & ~failed;

	/* Reissue first, so that callbacks below cannot take the slots. */
	for (u32 r = retry; r; r &= r - 1) {
		struct ahci_cmd *c = cmds[__builtin_ctz(r)];

		if (!c)
			continue;
		d->stats.retries++;
		if (++c->retries > AHCI_MAX_RETRIES || ahci_issue(d, c)) {
			ahci_port_err(p, "LBA %llu: giving up after %u tries\n",
				      (unsigned long long)c->lba, c->retries);
			failed |= BIT(__builtin_ctz(r));
		}
	}
	for (u32 o = ok; o; o &= o - 1) {
		struct ahci_cmd *c = cmds[__builtin_ctz(o)];

		if (c)
			c->done(c, 0);
	}
	for (u32 f = failed; f; f &= f - 1) {
		struct ahci_cmd *c = cmds[__builtin_ctz(f)];

		if (!c)
			continue;
		d->stats.errors++;
		ahci_port_err(p, "%s LBA %llu+%u failed (%d)\n",
			      c->op == AHCI_OP_READ  ? "read" :
			      c->op == AHCI_OP_WRITE ? "write" :
						       "flush",
			      (unsigned long long)c->lba, c->nsectors,
			      fail_status);
		c->done(c, fail_status);
	}
}
