// SPDX-License-Identifier: MIT
/*
 * test=ahci: write the pattern over the ranges of docs/ahci.md
 * through the driver API, flush, read everything back into fresh buffers and
 * compare every byte. Also the blkdebug error test. Output follows the
 * serial contract: "TEST ahci.<name> PASS|FAIL [detail]" lines, then
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
#include "tests/kernel/blk_batch.h"
#include "tests/kernel/pattern_pass.h"

#define ST_MAX_REQS 32 /* the largest "repeat" in the table */
#define ST_TIMEOUT_US 120000000ULL /* one batch of requests, TCG is slow */
#define ST_POISON 0xa5
#define ST_POLL_STEP_US 10 /* between polls while waiting */
/* The LBA test=ahci-error expects blkdebug to fail (docs/ahci.md). */
#define AHCI_ERROR_TEST_LBA 900000ULL

struct st_req {
	struct ahci_cmd cmd;
	struct bio bio; /* the block-layer pass */
	struct ahci_seg *segs; /* in segs_mem */
	phys_addr_t segs_mem, data;
	u64 segs_pages, data_pages;
	bool done;
	int status;
};

static struct ahci_queue_state qstate(const struct ahci_disk *d)
{
	struct ahci_queue_state qs;

	ahci_disk_queue(d, &qs);
	return qs;
}

static u64 disk_errors(const struct ahci_disk *d)
{
	struct ahci_stats st;

	ahci_disk_stats(d, &st);
	return st.errors;
}

static struct st_req reqs[ST_MAX_REQS];
static unsigned int passed, failed;

static void report(bool ok, const char *name, const char *detail)
{
	printf("TEST ahci.%s %s%s%s\n", name, ok ? "PASS" : "FAIL",
	       detail[0] ? " " : "", detail);
	if (ok)
		passed++;
	else
		failed++;
}

static void st_done(struct ahci_cmd *cmd, int status)
{
	struct st_req *r = cmd->priv;

	r->status = status;
	r->done = true;
}

static void req_free(struct st_req *r)
{
	if (r->data_pages)
		free_pages(r->data, r->data_pages);
	if (r->segs_pages)
		free_pages(r->segs_mem, r->segs_pages);
	memset(r, 0, sizeof(*r));
}

/*
 * Lay out @nsect sectors of buffer as @layout asks: contig gives one
 * segment per page over contiguous pages (the PRDT builder merges them),
 * scatter one per page with a hole after each, subpage one sector per page
 * at an odd sector offset. Returns false when out of memory.
 */
static bool req_alloc(struct st_req *r, enum ahci_buf_layout layout, u32 nsect)
{
	u64 bytes = (u64)nsect * AHCI_PATTERN_SECTOR;
	u64 pages = DIV_ROUND_UP(bytes, PAGE_SIZE);
	u32 nseg = layout == AHCI_BUF_SUBPAGE ? nsect : (u32)pages;

	memset(r, 0, sizeof(*r));
	r->data_pages = layout == AHCI_BUF_CONTIG ? pages : 2 * (u64)nseg;
	r->data = alloc_pages(r->data_pages, PAGE_SIZE);
	r->segs_pages = DIV_ROUND_UP(nseg * sizeof(struct ahci_seg), PAGE_SIZE);
	r->segs_mem = alloc_pages(r->segs_pages, PAGE_SIZE);
	if (r->data == PHYS_INVALID || r->segs_mem == PHYS_INVALID) {
		if (r->data == PHYS_INVALID)
			r->data_pages = 0;
		if (r->segs_mem == PHYS_INVALID)
			r->segs_pages = 0;
		req_free(r);
		return false;
	}
	r->segs = phys_to_virt(r->segs_mem);
	for (u32 i = 0; i < nseg; i++) {
		struct ahci_seg *s = &r->segs[i];

		if (layout == AHCI_BUF_SUBPAGE) {
			s->addr =
				r->data + 2 * i * PAGE_SIZE +
				((2 * i + 1) * AHCI_PATTERN_SECTOR) % PAGE_SIZE;
			s->len = AHCI_PATTERN_SECTOR;
			continue;
		}
		s->addr = r->data +
			  (layout == AHCI_BUF_CONTIG ? i : 2 * i) * PAGE_SIZE;
		s->len = (u32)MIN((u64)PAGE_SIZE, bytes - (u64)i * PAGE_SIZE);
	}
	r->cmd.segs = r->segs;
	r->cmd.nseg = nseg;
	r->cmd.nsectors = nsect;
	r->cmd.done = st_done;
	r->cmd.priv = r;
	return true;
}

static void req_fill(struct st_req *r, u64 lba)
{
	for (unsigned int i = 0; i < r->cmd.nseg; i++) {
		const struct ahci_seg *s = &r->segs[i];

		ahci_pattern_fill(phys_to_virt(s->addr), lba,
				  s->len / AHCI_PATTERN_SECTOR);
		lba += s->len / AHCI_PATTERN_SECTOR;
	}
}

/* Byte offset in the request of the first wrong byte, or -1. */
static long req_check(struct st_req *r, u64 lba)
{
	long base = 0;

	for (unsigned int i = 0; i < r->cmd.nseg; i++) {
		const struct ahci_seg *s = &r->segs[i];
		long off = ahci_pattern_check(phys_to_virt(s->addr), lba,
					      s->len / AHCI_PATTERN_SECTOR);

		if (off >= 0)
			return base + off;
		lba += s->len / AHCI_PATTERN_SECTOR;
		base += s->len;
	}
	return -1;
}

/*
 * Submit @n requests together (retrying on -EBUSY after a poll) and poll
 * until all are done. Returns 0, the first submit error, or -ETIMEDOUT.
 */
static int run_reqs(struct ahci_disk *d, struct st_req *r, unsigned int n)
{
	u64 start = time_us();
	unsigned int next = 0;

	for (unsigned int i = 0; i < n; i++)
		r[i].done = false;
	while (time_us() - start < ST_TIMEOUT_US) {
		bool all = true;

		while (next < n) {
			int ret = ahci_submit(d, &r[next].cmd);

			if (ret == -EBUSY)
				break;
			if (ret)
				return ret;
			next++;
		}
		ahci_poll_disk(d);
		for (unsigned int i = 0; i < n; i++)
			all = all && r[i].done;
		if (all && next == n)
			return 0;
		udelay(ST_POLL_STEP_US);
	}
	pr_warn("keel: ahci: self-test batch timed out after %llu us\n",
		(unsigned long long)ST_TIMEOUT_US);
	return -ETIMEDOUT;
}

static void st_bio_done(struct bio *bio)
{
	struct st_req *r = bio->bi_private;

	r->status = bio->bi_status ? -EIO : 0;
	r->done = true;
}

/*
 * Turn request @r into a bio: contiguous buffers become one large bio_vec
 * (the block layer cuts it into 4 MiB segments), others one per segment.
 * The bio_vecs reuse the request's segment pages.
 */
static int req_to_bio(struct blk_dev *dev, struct st_req *r,
		      enum ahci_buf_layout layout, unsigned int op, u16 flags)
{
	struct bio_vec *v = (struct bio_vec *)r->segs;
	u32 bytes = r->cmd.nsectors * AHCI_PATTERN_SECTOR;
	unsigned int n = layout == AHCI_BUF_CONTIG ? 1 : r->cmd.nseg;
	struct ahci_seg first = r->segs[0];

	/* bio_vec i overwrites segment i in place, after it was read. */
	_Static_assert(sizeof(struct bio_vec) == sizeof(struct ahci_seg),
		       "in-place conversion");
	if (n * sizeof(*v) > r->segs_pages * PAGE_SIZE)
		return -E2BIG;
	bio_init(&r->bio, dev, op, flags, v, (u16)MIN(n, 0xffffU));
	r->bio.bi_iter.bi_sector = r->cmd.lba;
	for (unsigned int i = 0; i < n; i++) {
		/* Read segment i before bio_vec i overwrites it. */
		struct ahci_seg s = i ? r->segs[i] : first;
		u32 len = layout == AHCI_BUF_CONTIG ? bytes : s.len;
		int ret = bio_add_page(&r->bio, ALIGN_DOWN(s.addr, PAGE_SIZE),
				       len, (u32)(s.addr % PAGE_SIZE));

		if (ret)
			return ret;
	}
	r->bio.bi_end_io = st_bio_done;
	r->bio.bi_private = r;
	return blk_bio_split_sectors(&r->bio) ? -E2BIG : 0;
}

static struct bio *st_bio_at(void *ctx, unsigned int i)
{
	return &((struct st_req *)ctx)[i].bio;
}

static bool st_done_at(void *ctx, unsigned int i)
{
	return ((struct st_req *)ctx)[i].done;
}

/* Submit @n bios under one plug (so neighbours merge) and wait. */
static int run_bios(struct blk_dev *dev, struct st_req *r, unsigned int n)
{
	const struct blk_batch b = { .dev = dev,
				     .n = n,
				     .bio = st_bio_at,
				     .done = st_done_at,
				     .ctx = r,
				     .who = "ahci" };

	for (unsigned int i = 0; i < n; i++)
		r[i].done = false;
	return blk_batch_run(&b);
}

/*
 * The pattern pass (tests/kernel/pattern_pass.h) over reqs[]: through the
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
	struct st_req *r = &reqs[k];

	if (!req_alloc(r, a->rg->layout, a->rg->sectors))
		return -ENOMEM;
	r->cmd.op = p->write ? AHCI_OP_WRITE : AHCI_OP_READ;
	r->cmd.lba = lba;
	r->cmd.fua = a->fua;
	if (p->write)
		req_fill(r, lba);
	else
		memset(phys_to_virt(r->data), ST_POISON,
		       r->data_pages * PAGE_SIZE);
	if (!a->dev)
		return 0;
	/* The data is in place: the segments may turn into bio_vecs. */
	return req_to_bio(a->dev, r, a->rg->layout,
			  p->write ? REQ_OP_WRITE : REQ_OP_READ,
			  p->write && a->rg->fua ? REQ_FUA : 0);
}

static int pass_run(struct pattern_pass *p, unsigned int n)
{
	struct ahci_pass *a = p->ctx;

	return a->dev ? run_bios(a->dev, reqs, n) : run_reqs(a->d, reqs, n);
}

static int pass_status(struct pattern_pass *p, unsigned int k)
{
	return reqs[k].status;
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

	return a->dev ? bio_check(&reqs[k]) :
			req_check(&reqs[k], reqs[k].cmd.lba);
}

static void pass_release(struct pattern_pass *p, unsigned int n)
{
	for (unsigned int k = 0; k < n; k++)
		req_free(&reqs[k]);
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
		.report = report,
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
	struct st_req *r = &reqs[0];
	char detail[48] = "";
	int ret;

	memset(r, 0, sizeof(*r));
	r->cmd.op = AHCI_OP_FLUSH;
	r->cmd.done = st_done;
	r->cmd.priv = r;
	ret = run_reqs(d, r, 1);
	if (ret || r->status)
		ksnprintf(detail, sizeof(detail), "error %d/%d", ret,
			  r->status);
	report(!ret && !r->status, "flush", detail);
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
	u32 depth = qstate(d).depth;

	do_range(d, &merged, false);
	ahci_disk_set_depth(d, 1);
	do_range(d, &burst1, false);
	ahci_disk_set_depth(d, depth);
	if (qstate(d).can_ncq) {
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
	report(e1 == -EINVAL && e2 == -ERANGE && e3 == -EINVAL, "reject",
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
			report(false, "blk.gapread", "cannot switch to keel");
			return;
		}
		pass_range(dev, NULL, rg, false, "blk.gap.");
		ksnprintf(detail, sizeof(detail),
			  "%llu commands carried %llu more reads",
			  (unsigned long long)(st->gap_reads - cmds),
			  (unsigned long long)(st->gap_merged - joined));
		report(st->gap_reads > cmds, "blk.gapread", detail);
		blk_set_elevator(dev, was);
	}
}

/* Rewrite, flush and reread the ranges through the block layer. */
static void blk_pass(void)
{
	const struct blk_stats *st;
	struct blk_dev *dev;
	struct st_req *r = &reqs[0];
	char detail[96];
	u64 merges;

	if (!ahci_blk_count())
		ahci_blk_register_all();
	dev = ahci_blk_dev(0);
	if (!dev) {
		report(false, "blk.register", "no block device");
		return;
	}
	report(true, "blk.register", blk_elevator_name(dev));
	st = blk_get_stats(dev);
	merges = st->front_merges + st->back_merges;
	/* Same data again, so the image check still holds. */
	for (unsigned int i = 0; i < ahci_pattern_nranges; i++)
		blk_range(dev, &ahci_pattern_ranges[i], true);
	ksnprintf(detail, sizeof(detail), "%llu merges",
		  (unsigned long long)(st->front_merges + st->back_merges -
				       merges));
	/* "adjacent" and "burst" submitted under one plug must merge. */
	report(st->front_merges + st->back_merges > merges, "blk.merge",
	       detail);

	memset(r, 0, sizeof(*r));
	bio_init(&r->bio, dev, REQ_OP_FLUSH, 0, NULL, 0);
	r->bio.bi_end_io = st_bio_done;
	r->bio.bi_private = r;
	report(run_bios(dev, r, 1) == 0 && r->status == 0, "blk.flush", "");

	for (unsigned int i = 0; i < ahci_pattern_nranges; i++)
		blk_range(dev, &ahci_pattern_ranges[i], false);
	blk_gap_pass(dev);
}

static struct ahci_disk *test_disk(void)
{
	struct ahci_disk *d = ahci_disk(0);
	char detail[96];

	if (!d) {
		report(false, "probe", "no AHCI disk");
		return NULL;
	}
	ksnprintf(detail, sizeof(detail), "%s \"%s\" %llu sectors, depth %u",
		  ahci_disk_name(d), ahci_disk_info(d)->model,
		  (unsigned long long)ahci_disk_info(d)->sectors,
		  qstate(d).depth);
	if (ahci_disk_info(d)->logical_sector_size != AHCI_PATTERN_SECTOR ||
	    ahci_disk_info(d)->sectors < AHCI_PATTERN_MIN_SECTORS) {
		report(false, "probe", "needs 512-byte sectors and 512 MiB");
		return NULL;
	}
	report(true, "probe", detail);
	return d;
}

static int ahci_selftest(void)
{
	struct ahci_disk *d;

	passed = failed = 0;
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
	printf("TESTS: %u passed, %u failed\n", passed, failed);
	return (int)failed;
}

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
		report(false, "err.gap", "no block device");
		return;
	}
	was = blk_elevator_name(dev);
	st = blk_get_stats(dev);
	if (blk_set_elevator(dev, "keel")) {
		report(false, "err.gap", "cannot switch to keel");
		return;
	}
	for (int c = 0; c < 2; c++) {
		u64 splits = st->gap_splits;
		bool ok = true;

		for (int k = 0; k < 2; k++) {
			if (!req_alloc(&reqs[k], AHCI_BUF_CONTIG, 8)) {
				report(false, "err.gap", "out of memory");
				return;
			}
			reqs[k].cmd.lba = bad + (u64)offs[c][k];
			ok = ok && !req_to_bio(dev, &reqs[k], AHCI_BUF_CONTIG,
					       REQ_OP_READ, 0);
		}
		ok = ok && run_bios(dev, reqs, 2) == 0;
		ksnprintf(detail, sizeof(detail), "statuses %d %d, %llu split",
			  reqs[0].status, reqs[1].status,
			  (unsigned long long)(st->gap_splits - splits));
		ok = ok && reqs[0].status == 0 &&
		     reqs[1].status == (c ? -EIO : 0) &&
		     st->gap_splits == splits + 1;
		report(ok, c ? "err.gap.part" : "err.gap.hole", detail);
		for (int k = 0; k < 2; k++)
			req_free(&reqs[k]);
	}
	blk_set_elevator(dev, was);
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

	passed = failed = 0;
	d = ahci_disk(0);
	if (!d || bad < 16 || bad + 64 > ahci_disk_info(d)->sectors) {
		report(false, "err.setup", "no disk or bad LBA out of range");
		goto out;
	}
	for (int pass = 0; pass < 2; pass++) {
		bool ncq = pass == 0;

		if (ncq && !qstate(d).can_ncq)
			continue;
		ahci_disk_set_ncq(d, ncq);
		for (int k = 0; k < 3; k++) {
			if (!req_alloc(&reqs[k], AHCI_BUF_SCATTER, 8)) {
				report(false, "err.setup", "out of memory");
				goto out;
			}
			reqs[k].cmd.op = AHCI_OP_READ;
			reqs[k].cmd.lba = bad + (u64)offs[k];
		}
		ok = run_reqs(d, reqs, 3) == 0;
		ksnprintf(detail, sizeof(detail), "statuses %d %d %d",
			  reqs[0].status, reqs[1].status, reqs[2].status);
		ok = ok && reqs[0].status == 0 && reqs[1].status == -EIO &&
		     reqs[2].status == 0;
		report(ok, ncq ? "err.ncq" : "err.dma", detail);
		for (int k = 0; k < 3; k++)
			req_free(&reqs[k]);
	}
	ahci_disk_set_ncq(d, qstate(d).can_ncq);
	err_gap_pass(bad);
	/* The port keeps serving: a good read right after. */
	if (!req_alloc(&reqs[0], AHCI_BUF_CONTIG, 8)) {
		report(false, "err.alive", "out of memory");
		goto out;
	}
	reqs[0].cmd.op = AHCI_OP_READ;
	reqs[0].cmd.lba = bad + 64;
	ok = run_reqs(d, reqs, 1) == 0 && reqs[0].status == 0;
	ksnprintf(detail, sizeof(detail), "status %d, errors %llu",
		  reqs[0].status, (unsigned long long)disk_errors(d));
	report(ok, "err.alive", detail);
	req_free(&reqs[0]);
out:
	printf("TESTS: %u passed, %u failed\n", passed, failed);
	return (int)failed;
}

/* test=ahci-error: the error-path test at the LBA docs/ahci.md names. */
static int ahci_selftest_error_default(void)
{
	return ahci_selftest_error(AHCI_ERROR_TEST_LBA);
}

SELFTEST(ahci, "ahci", SELFTEST_TEST, ahci_selftest);
SELFTEST(ahci_error, "ahci-error", SELFTEST_TEST, ahci_selftest_error_default);
