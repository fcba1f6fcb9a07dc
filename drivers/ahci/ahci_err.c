// SPDX-License-Identifier: MIT
/*
 * AHCI error recovery, AHCI 1.3.1 6.2.2: on a task-file error, an interface
 * or host-bus error, or a command timeout, stop the port, clear the errors,
 * COMRESET when the device stays busy, restart, then end the failed command
 * with an error and rerun the ones that were only caught up in it. Reruns go
 * one at a time, ahead of new commands, so a failure among them is never
 * ambiguous; each command gets AHCI_MAX_RETRIES reruns.
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
		/*
		 * FIS receive off too: the FRE write in ahci_port_start()
		 * is what makes QEMU deliver the new signature FIS.
		 */
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
		/* The device is still in its NCQ error state: reset it. */
		port_restart(d, true);
		return -1;
	}
	/* Byte 511 makes the 512 bytes sum to zero. */
	for (unsigned i = 0; i < ATA_SECTOR_SIZE; i++)
		sum += log[i];
	if (sum != 0 || (log[0] & ATA_NCQ_LOG_NQ))
		return -1;
	return (int)FIELD_GET(ATA_NCQ_LOG_TAG, log[0]);
}

/*
 * Which outstanding NCQ command failed: the log names it; else the only
 * command the device accepted (CI clear) and did not complete (SACT set).
 * Commands with CI still set never reached the device: QEMU stops fetching
 * at the error, so they are innocent. 0 when it cannot be told.
 */
static u32 ncq_failed(struct ahci_disk *d, u32 ncq_busy, u32 ci)
{
	int tag = d->id.log_ext ? read_ncq_error_tag(d) : -1;
	u32 accepted = ncq_busy & ~ci;

	if (tag >= 0 && (ncq_busy & BIT(tag)))
		return BIT(tag);
	if (bits_set(accepted) == 1)
		return accepted;
	return 0;
}

/* Queue @c to run again, alone; false when it has had its tries. */
static bool queue_retry(struct ahci_disk *d, struct ahci_cmd *c)
{
	struct ahci_port *p = &d->port;

	if (c->retries >= AHCI_MAX_RETRIES || p->nretry == AHCI_MAX_SLOTS) {
		ahci_port_err(p, "LBA %llu: giving up after %u retries\n",
			      (unsigned long long)c->lba, c->retries);
		return false;
	}
	c->retries++;
	d->stats.retries++;
	p->retry_q[p->nretry++] = c;
	return true;
}

void ahci_drain_retries(struct ahci_disk *d)
{
	struct ahci_port *p = &d->port;

	while (p->nretry && !p->active) {
		struct ahci_cmd *c = p->retry_q[0];
		int ret;

		p->nretry--;
		memmove(&p->retry_q[0], &p->retry_q[1],
			p->nretry * sizeof(p->retry_q[0]));
		ret = ahci_issue(d, c, true);
		if (ret == -EBUSY) {
			/* Cannot happen on an idle port; keep it first. */
			memmove(&p->retry_q[1], &p->retry_q[0],
				p->nretry * sizeof(p->retry_q[0]));
			p->retry_q[0] = c;
			p->nretry++;
			break;
		}
		if (ret) {
			d->stats.errors++;
			c->done(c, ret == -ENODEV ? -ENODEV : -EIO);
		}
	}
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
	ahci_port_err(
		p,
		"error: IS %#x TFD %#x SERR %#x CI %#x SACT %#x active %#x%s\n",
		is, tfd, serr, ci, sact, p->active,
		timed_out ? " (timeout)" : "");

	/* Take every command off the port; the restart clears CI/SACT. */
	for (unsigned s = 0; s < AHCI_MAX_SLOTS; s++) {
		cmds[s] = p->slot_cmd[s];
		p->slot_cmd[s] = NULL;
	}
	p->active = p->ncq_active = 0;
	p->solo = false;

	/*
	 * After an NCQ error the device stays in an error state until the
	 * host reads log 10h (ACS-3 NCQ feature set); QEMU, which has no
	 * General Purpose Logging, then fails the next NCQ command's
	 * acceptance FIS. Without the log, a COMRESET clears the state.
	 */
	if (port_restart(d, link || timed_out ||
				    (tfes && ncq_busy && !d->id.log_ext))) {
		ahci_port_err(p,
			      "port did not restart; failing its commands\n");
		p->dead = true;
		failed = busy;
		fail_status = -ENODEV;
	} else if (timed_out) {
		d->stats.timeouts += bits_set(timed_out & busy);
		failed = timed_out & busy;
	} else if (tfes && ncq_busy) {
		failed = ncq_failed(d, ncq_busy, ci);
	} else if (tfes) {
		failed = busy; /* the one non-queued command */
	} else {
		failed = 0; /* interface or host error: retry */
	}
	retry = busy & ~failed;

	/* Queue the reruns first, so that callbacks below wait behind them. */
	for (u32 r = retry; r; r &= r - 1) {
		struct ahci_cmd *c = cmds[__builtin_ctz(r)];

		if (c && !queue_retry(d, c))
			failed |= BIT(__builtin_ctz(r));
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
