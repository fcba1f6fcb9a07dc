// SPDX-License-Identifier: MIT
/*
 * test=ahci: write the pattern over the ranges of docs/ahci.md
 * through the driver API, flush, read everything back into fresh buffers and
 * compare every byte (test=ahci-error is in ahci_error_selftest.c). Output
 * follows the serial contract: "TEST ahci.<name> PASS|FAIL [detail]" lines, then
 * "TESTS: N passed, M failed".
 */
#include "block/block.h"
#include "core/lib.h"
#include "core/mm.h"
#include "core/console.h"
#include "core/selftest.h"
#include "arch/x86/arch.h"
#include "drivers/ahci/ahci.h"
#include "tests/kernel/ahci_pattern.h"
#include "tests/kernel/ahci_st.h"
#include "tests/kernel/pattern_pass.h"

/*
 * The pattern pass (tests/kernel/pattern_pass.h) over st_reqs[]: through the
 * block layer when ctx (a struct ahci_pass) has a dev, else by driver API.
 */
struct ahci_pass {
	struct blk_dev *dev;
	struct ahci_disk *d;
	const struct ahci_pattern_range *rg;
	bool fua;
};

static int pass_prepare(struct pattern_pass *p, unsigned int k, u64 lba)
{
	struct ahci_pass *a = p->ctx;
	struct st_req *r = &st_reqs[k];

	if (!st_req_alloc(r, a->rg->layout, a->rg->sectors))
		return -ENOMEM;
	r->cmd.op = p->write ? AHCI_OP_WRITE : AHCI_OP_READ;
	r->cmd.lba = lba;
	r->cmd.fua = a->fua;
	if (p->write)
		st_req_fill(r, lba);
	else
		memset(phys_to_virt(r->data), ST_POISON,
		       r->data_pages * PAGE_SIZE);
	if (!a->dev)
		return 0;
	/* The data is in place: the segments may turn into bio_vecs. */
	return st_req_to_bio(a->dev, r, a->rg->layout,
			     p->write ? REQ_OP_WRITE : REQ_OP_READ,
			     p->write && a->rg->fua ? REQ_FUA : 0);
}

static int pass_run(struct pattern_pass *p, unsigned int n)
{
	struct ahci_pass *a = p->ctx;

	return a->dev ? st_run_bios(a->dev, st_reqs, n) :
			st_run_reqs(a->d, st_reqs, n);
}

static int pass_status(struct pattern_pass *p, unsigned int k)
{
	return st_reqs[k].status;
}

/* Through the block layer the segments are bio_vecs now: check by those. */
static long bio_check(const struct st_req *r)
{
	u64 lba = r->cmd.lba;
	long base = 0;

	for (unsigned int i = 0; i < r->bio.bi_vcnt; i++) {
		const struct bio_vec *v = &r->bio.bi_io_vec[i];
		long off = ahci_pattern_check(
			phys_to_virt(v->bv_page + v->bv_offset), lba,
			v->bv_len / AHCI_PATTERN_SECTOR);

		if (off >= 0)
			return base + off;
		lba += v->bv_len / AHCI_PATTERN_SECTOR;
		base += v->bv_len;
	}
	return -1;
}

static long pass_check(struct pattern_pass *p, unsigned int k)
{
	struct ahci_pass *a = p->ctx;

	return a->dev ? bio_check(&st_reqs[k]) :
			st_req_check(&st_reqs[k], st_reqs[k].cmd.lba);
}

static void pass_release(struct pattern_pass *p, unsigned int n)
{
	for (unsigned int k = 0; k < n; k++)
		st_req_free(&st_reqs[k]);
}

static const struct pattern_pass_ops ahci_pass_ops = {
	.prepare = pass_prepare,
	.run = pass_run,
	.status = pass_status,
	.check = pass_check,
	.release = pass_release,
};

/*
 * Write (or read and check) every request of range @rg: through the block
 * layer when @dev is set, else by driver API on @d.
 */
static void pass_range(struct blk_dev *dev, struct ahci_disk *d,
		       const struct ahci_pattern_range *rg, bool write,
		       const char *prefix)
{
	bool disk_fua = d && ahci_disk_info(d)->fua;
	struct ahci_pass a = {
		.dev = dev,
		.d = d,
		.rg = rg,
		.fua = write && rg->fua && disk_fua,
	};
	struct pattern_pass p = {
		.ops = &ahci_pass_ops,
		.report = st_report,
		.prefix = prefix,
		.capacity = dev ? dev->capacity : ahci_disk_info(d)->sectors,
		.max_reqs = ST_MAX_REQS,
		.ctx = &a,
	};

	if (!dev && write && rg->fua)
		p.note = a.fua ? " FUA" : " (no FUA)";
	pattern_pass_range(&p, rg, write);
}

static void do_range(struct ahci_disk *d, const struct ahci_pattern_range *rg,
		     bool write)
{
	pass_range(NULL, d, rg, write, "");
}

static void do_flush(struct ahci_disk *d)
{
	struct st_req *r = &st_reqs[0];
	char detail[48] = "";
	int ret;

	memset(r, 0, sizeof(*r));
	r->cmd.op = AHCI_OP_FLUSH;
	r->cmd.done = st_done;
	r->cmd.priv = r;
	ret = st_run_reqs(d, r, 1);
	if (ret || r->status)
		ksnprintf(detail, sizeof(detail), "error %d/%d", ret,
			  r->status);
	st_report(!ret && !r->status, "flush", detail);
}

/* Reads of "adjacent" as one merged request, and "burst" at depth 1. */
static void do_extra_reads(struct ahci_disk *d)
{
	struct ahci_pattern_range merged = {
		"adjacent-merged", 400000, 64, 1, 0, AHCI_BUF_SCATTER, false
	};
	struct ahci_pattern_range burst1 = { "burst-depth1",  300000, 8, 32, 64,
					     AHCI_BUF_CONTIG, false };
	struct ahci_pattern_range nonq = { "scatter-noncq",  100,  64, 1, 0,
					   AHCI_BUF_SUBPAGE, false };
	u32 depth = st_qstate(d).depth;

	do_range(d, &merged, false);
	ahci_disk_set_depth(d, 1);
	do_range(d, &burst1, false);
	ahci_disk_set_depth(d, depth);
	if (st_qstate(d).can_ncq) {
		ahci_disk_set_ncq(d, false);
		do_range(d, &nonq, false);
		ahci_disk_set_ncq(d, true);
	}
}

/* Malformed commands are refused at submit and never reach the disk. */
static void do_rejects(struct ahci_disk *d)
{
	struct ahci_seg odd = { 0x100000, 511 };
	struct ahci_cmd c = { .op = AHCI_OP_READ,
			      .nsectors = 1,
			      .segs = &odd,
			      .nseg = 1,
			      .done = st_done };
	struct ahci_seg one = { 0x100000, 512 };
	char detail[64];
	int e1, e2, e3;

	e1 = ahci_submit(d, &c);
	c.segs = &one;
	c.lba = ahci_disk_info(d)->sectors;
	e2 = ahci_submit(d, &c);
	c.lba = 0;
	c.nsectors = 2; /* 512 bytes of buffer for 1 KiB */
	e3 = ahci_submit(d, &c);
	ksnprintf(detail, sizeof(detail), "odd %d, past end %d, short %d", e1,
		  e2, e3);
	st_report(e1 == -EINVAL && e2 == -ERANGE && e3 == -EINVAL, "reject",
		  detail);
}

/* ---- The same ranges through the block layer ---- */

static void blk_range(struct blk_dev *dev, const struct ahci_pattern_range *rg,
		      bool write)
{
	pass_range(dev, NULL, rg, write, "blk.");
}

/*
 * keel's gap reads on real DMA (docs/block.md, "Gap reads"): "burst", whose
 * requests lie 56 sectors apart, reread under keel goes down as a few
 * commands whose gaps land in the block layer's bit bucket; the pattern
 * check then finds every buffer exact, and under VT-d the bucket is in the
 * Keel domain (no fault).
 */
static void blk_gap_pass(struct blk_dev *dev)
{
	const struct blk_stats *st = blk_get_stats(dev);
	const char *was = blk_elevator_name(dev);
	u64 cmds = st->gap_reads, joined = st->gap_merged;
	char detail[80];

	for (unsigned int i = 0; i < ahci_pattern_nranges; i++) {
		const struct ahci_pattern_range *rg = &ahci_pattern_ranges[i];

		if (strcmp(rg->name, "burst"))
			continue;
		if (blk_set_elevator(dev, "keel")) {
			st_report(false, "blk.gapread",
				  "cannot switch to keel");
			return;
		}
		pass_range(dev, NULL, rg, false, "blk.gap.");
		ksnprintf(detail, sizeof(detail),
			  "%llu commands carried %llu more reads",
			  (unsigned long long)(st->gap_reads - cmds),
			  (unsigned long long)(st->gap_merged - joined));
		st_report(st->gap_reads > cmds, "blk.gapread", detail);
		blk_set_elevator(dev, was);
	}
}

/* Rewrite, flush and reread the ranges through the block layer. */
static void blk_pass(void)
{
	const struct blk_stats *st;
	struct blk_dev *dev;
	struct st_req *r = &st_reqs[0];
	char detail[96];
	u64 merges;

	if (!ahci_blk_count())
		ahci_blk_register_all();
	dev = ahci_blk_dev(0);
	if (!dev) {
		st_report(false, "blk.register", "no block device");
		return;
	}
	st_report(true, "blk.register", blk_elevator_name(dev));
	st = blk_get_stats(dev);
	merges = st->front_merges + st->back_merges;
	/* Same data again, so the image check still holds. */
	for (unsigned int i = 0; i < ahci_pattern_nranges; i++)
		blk_range(dev, &ahci_pattern_ranges[i], true);
	ksnprintf(detail, sizeof(detail), "%llu merges",
		  (unsigned long long)(st->front_merges + st->back_merges -
				       merges));
	/* "adjacent" and "burst" submitted under one plug must merge. */
	st_report(st->front_merges + st->back_merges > merges, "blk.merge",
		  detail);

	memset(r, 0, sizeof(*r));
	bio_init(&r->bio, dev, REQ_OP_FLUSH, 0, NULL, 0);
	r->bio.bi_end_io = st_bio_done;
	r->bio.bi_private = r;
	st_report(st_run_bios(dev, r, 1) == 0 && r->status == 0, "blk.flush",
		  "");

	for (unsigned int i = 0; i < ahci_pattern_nranges; i++)
		blk_range(dev, &ahci_pattern_ranges[i], false);
	blk_gap_pass(dev);
}

static struct ahci_disk *test_disk(void)
{
	struct ahci_disk *d = ahci_disk(0);
	char detail[96];

	if (!d) {
		st_report(false, "probe", "no AHCI disk");
		return NULL;
	}
	ksnprintf(detail, sizeof(detail), "%s \"%s\" %llu sectors, depth %u",
		  ahci_disk_name(d), ahci_disk_info(d)->model,
		  (unsigned long long)ahci_disk_info(d)->sectors,
		  st_qstate(d).depth);
	if (ahci_disk_info(d)->logical_sector_size != AHCI_PATTERN_SECTOR ||
	    ahci_disk_info(d)->sectors < AHCI_PATTERN_MIN_SECTORS) {
		st_report(false, "probe", "needs 512-byte sectors and 512 MiB");
		return NULL;
	}
	st_report(true, "probe", detail);
	return d;
}

static int ahci_selftest(void)
{
	struct ahci_disk *d;

	st_passed = st_failed = 0;
	d = test_disk();
	if (d) {
		for (unsigned int i = 0; i < ahci_pattern_nranges; i++)
			do_range(d, &ahci_pattern_ranges[i], true);
		do_flush(d);
		for (unsigned int i = 0; i < ahci_pattern_nranges; i++)
			do_range(d, &ahci_pattern_ranges[i], false);
		do_extra_reads(d);
		do_rejects(d);
		blk_pass();
	}
	printf("TESTS: %u passed, %u failed\n", st_passed, st_failed);
	return (int)st_failed;
}

SELFTEST(ahci, "ahci", SELFTEST_TEST, ahci_selftest);
