// SPDX-License-Identifier: MIT
/*
 * test=ahci-error: QEMU's blkdebug fails reads of one LBA (docs/ahci.md);
 * the failing command must fail alone, through NCQ, plain DMA and a gap
 * read of the block layer, a merged request of the block layer must fail
 * only the bio over the bad LBA, and the port must keep serving. Output follows
 * the serial contract.
 */
#include "block/block.h"
#include "core/lib.h"
#include "core/console.h"
#include "core/selftest.h"
#include "drivers/ahci/ahci.h"
#include "tests/kernel/ahci_st.h"

/* The LBA test=ahci-error expects blkdebug to fail (docs/ahci.md). */
#define AHCI_ERROR_TEST_LBA 900000ULL

/*
 * The same through the block layer under keel (docs/block.md, "Gap reads"):
 * two reads with @bad in the gap between them go down as one command that
 * fails; each then goes again alone and both succeed. With @bad in the
 * second read, only that one fails.
 */
static void err_gap_pass(u64 bad)
{
	static const s64 offs[2][2] = { { -12, 4 }, { -16, -4 } };
	struct blk_dev *dev = ahci_blk_dev(0);
	const struct blk_stats *st;
	const char *was;
	char detail[96];

	if (!dev) {
		st_report(false, "err.gap", "no block device");
		return;
	}
	was = blk_elevator_name(dev);
	st = blk_get_stats(dev);
	if (blk_set_elevator(dev, "keel")) {
		st_report(false, "err.gap", "cannot switch to keel");
		return;
	}
	for (int c = 0; c < 2; c++) {
		u64 splits = st->gap_splits;
		bool ok = true;

		for (int k = 0; k < 2; k++) {
			if (!st_req_alloc(&st_reqs[k], AHCI_BUF_CONTIG, 8)) {
				st_report(false, "err.gap", "out of memory");
				return;
			}
			st_reqs[k].cmd.lba = bad + (u64)offs[c][k];
			ok = ok &&
			     !st_req_to_bio(dev, &st_reqs[k], AHCI_BUF_CONTIG,
					    REQ_OP_READ, 0);
		}
		ok = ok && st_run_bios(dev, st_reqs, 2) == 0;
		ksnprintf(detail, sizeof(detail), "statuses %d %d, %llu split",
			  st_reqs[0].status, st_reqs[1].status,
			  (unsigned long long)(st->gap_splits - splits));
		ok = ok && st_reqs[0].status == 0 &&
		     st_reqs[1].status == (c ? -EIO : 0) &&
		     st->gap_splits == splits + 1;
		st_report(ok, c ? "err.gap.part" : "err.gap.hole", detail);
		for (int k = 0; k < 2; k++)
			st_req_free(&st_reqs[k]);
	}
	blk_set_elevator(dev, was);
}

/*
 * Two adjacent reads, the second over @bad, merge into one command that
 * fails; each bio goes again alone (docs/block.md, "Errors") and only the
 * second fails.
 */
static void err_merged_pass(u64 bad)
{
	struct blk_dev *dev = ahci_blk_dev(0);
	const struct blk_stats *st;
	u64 merges, retries;
	char detail[96];
	bool ok = true;

	if (!dev) {
		st_report(false, "err.merged", "no block device");
		return;
	}
	st = blk_get_stats(dev);
	merges = st->back_merges + st->front_merges;
	retries = st->bio_retries;
	for (int k = 0; k < 2; k++) {
		if (!st_req_alloc(&st_reqs[k], AHCI_BUF_CONTIG, 8)) {
			st_report(false, "err.merged", "out of memory");
			return;
		}
		st_reqs[k].cmd.lba = bad - 8 + 8 * (u64)k;
		ok = ok && !st_req_to_bio(dev, &st_reqs[k], AHCI_BUF_CONTIG,
					  REQ_OP_READ, 0);
	}
	ok = ok && st_run_bios(dev, st_reqs, 2) == 0;
	ksnprintf(detail, sizeof(detail),
		  "statuses %d %d, %llu merged, %llu retried",
		  st_reqs[0].status, st_reqs[1].status,
		  (unsigned long long)(st->back_merges + st->front_merges -
				       merges),
		  (unsigned long long)(st->bio_retries - retries));
	ok = ok && st_reqs[0].status == 0 && st_reqs[1].status == -EIO &&
	     st->back_merges + st->front_merges == merges + 1 &&
	     st->bio_retries == retries + 2;
	st_report(ok, "err.merged", detail);
	for (int k = 0; k < 2; k++)
		st_req_free(&st_reqs[k]);
}

/*
 * With reads of @bad failing (blkdebug), read three neighbours at once:
 * only the one covering @bad fails. Then the same without NCQ, then a good
 * read to show the port still serves.
 */
static int ahci_selftest_error(u64 bad)
{
	static const s64 offs[3] = { -16, -4, 16 };
	struct ahci_disk *d;
	char detail[96];
	bool ok;

	st_passed = st_failed = 0;
	d = ahci_disk(0);
	if (!d || bad < 16 || bad + 64 > ahci_disk_info(d)->sectors) {
		st_report(false, "err.setup",
			  "no disk or bad LBA out of range");
		goto out;
	}
	for (int pass = 0; pass < 2; pass++) {
		bool ncq = pass == 0;

		if (ncq && !st_qstate(d).can_ncq)
			continue;
		ahci_disk_set_ncq(d, ncq);
		for (int k = 0; k < 3; k++) {
			if (!st_req_alloc(&st_reqs[k], AHCI_BUF_SCATTER, 8)) {
				st_report(false, "err.setup", "out of memory");
				goto out;
			}
			st_reqs[k].cmd.op = AHCI_OP_READ;
			st_reqs[k].cmd.lba = bad + (u64)offs[k];
		}
		ok = st_run_reqs(d, st_reqs, 3) == 0;
		ksnprintf(detail, sizeof(detail), "statuses %d %d %d",
			  st_reqs[0].status, st_reqs[1].status,
			  st_reqs[2].status);
		ok = ok && st_reqs[0].status == 0 &&
		     st_reqs[1].status == -EIO && st_reqs[2].status == 0;
		st_report(ok, ncq ? "err.ncq" : "err.dma", detail);
		for (int k = 0; k < 3; k++)
			st_req_free(&st_reqs[k]);
	}
	ahci_disk_set_ncq(d, st_qstate(d).can_ncq);
	err_gap_pass(bad);
	err_merged_pass(bad);
	/* The port keeps serving: a good read right after. */
	if (!st_req_alloc(&st_reqs[0], AHCI_BUF_CONTIG, 8)) {
		st_report(false, "err.alive", "out of memory");
		goto out;
	}
	st_reqs[0].cmd.op = AHCI_OP_READ;
	st_reqs[0].cmd.lba = bad + 64;
	ok = st_run_reqs(d, st_reqs, 1) == 0 && st_reqs[0].status == 0;
	ksnprintf(detail, sizeof(detail), "status %d, errors %llu",
		  st_reqs[0].status, (unsigned long long)st_disk_errors(d));
	st_report(ok, "err.alive", detail);
	st_req_free(&st_reqs[0]);
out:
	printf("TESTS: %u passed, %u failed\n", st_passed, st_failed);
	return (int)st_failed;
}

/* test=ahci-error: the error-path test at the LBA docs/ahci.md names. */
static int ahci_selftest_error_default(void)
{
	return ahci_selftest_error(AHCI_ERROR_TEST_LBA);
}

SELFTEST(ahci_error, "ahci-error", SELFTEST_TEST, ahci_selftest_error_default);
