// SPDX-License-Identifier: MIT
/*
 * test=ata: the IDE driver on the first IDE disk. Writes the pattern over
 * the ranges of docs/ata.md through the block layer (bus-master DMA),
 * flushes (the block layer's flush and FLUSH CACHE EXT), reads everything
 * back into poisoned buffers and compares every byte; then the "pio" range
 * is written with PIO and read back by DMA, other ranges are reread with
 * PIO, malformed commands are refused, an aborted command fails alone
 * while the channel keeps serving, and so does a channel after a soft
 * reset. Output: "TEST ata.<name> PASS|FAIL
 * [detail]" lines, then "TESTS: N passed, M failed".
 */
#include "block/block.h"
#include "core/console.h"
#include "core/lib.h"
#include "core/mm.h"
#include "core/selftest.h"
#include "arch/x86/arch.h"
#include "drivers/ide/ide.h"
#include "tests/kernel/ata_pattern.h"
#include "tests/kernel/blk_batch.h"
#include "tests/kernel/pattern_pass.h"

#define ST_MAX_REQS 16 /* the largest "repeat" in the table */
#define ST_TIMEOUT_US 120000000ULL /* one batch; Bochs is slow */
#define ST_POISON 0xa5
#define ST_POLL_STEP_US 10

struct st_req {
	struct ide_cmd cmd;
	struct bio bio;
	struct ide_seg *segs; /* nseg, then the bio_vecs, in mem */
	struct bio_vec *vecs;
	phys_addr_t mem, data;
	u64 mem_pages, data_pages;
	enum ahci_buf_layout layout;
	bool done;
	int status;
};

_Static_assert(sizeof(struct bio_vec) == sizeof(struct ide_seg),
	       "one mem layout for segments and bio_vecs");

static struct st_req reqs[ST_MAX_REQS];
static unsigned int passed, failed;

static void report(bool ok, const char *name, const char *detail)
{
	printf("TEST ata.%s %s%s%s\n", name, ok ? "PASS" : "FAIL",
	       detail[0] ? " " : "", detail);
	if (ok)
		passed++;
	else
		failed++;
}

static void st_done(struct ide_cmd *cmd, int status)
{
	struct st_req *r = cmd->priv;

	r->status = status;
	r->done = true;
}

static void st_bio_done(struct bio *bio)
{
	struct st_req *r = bio->bi_private;

	r->status = bio->bi_status ? -EIO : 0;
	r->done = true;
}

static void req_free(struct st_req *r)
{
	if (r->data_pages)
		free_pages(r->data, r->data_pages);
	if (r->mem_pages)
		free_pages(r->mem, r->mem_pages);
	memset(r, 0, sizeof(*r));
}

static void req_free_all(unsigned int n)
{
	for (unsigned int i = 0; i < n; i++)
		req_free(&reqs[i]);
}

/*
 * @nsect sectors laid out as @layout asks (see docs/ahci.md): contig pages,
 * scatter (a hole after each page), or subpage (one sector per page at an
 * odd offset). Returns false when out of memory.
 */
static bool req_alloc(struct st_req *r, enum ahci_buf_layout layout, u32 nsect,
		      u64 lba)
{
	u64 bytes = (u64)nsect * AHCI_PATTERN_SECTOR;
	u64 pages = DIV_ROUND_UP(bytes, PAGE_SIZE);
	u32 nseg = layout == AHCI_BUF_SUBPAGE ? nsect : (u32)pages;

	memset(r, 0, sizeof(*r));
	r->layout = layout;
	r->data_pages = layout == AHCI_BUF_CONTIG ? pages : 2 * (u64)nseg;
	r->data = alloc_pages(r->data_pages, PAGE_SIZE);
	r->mem_pages =
		DIV_ROUND_UP(2 * nseg * sizeof(struct ide_seg), PAGE_SIZE);
	r->mem = alloc_pages(r->mem_pages, PAGE_SIZE);
	if (r->data == PHYS_INVALID || r->mem == PHYS_INVALID) {
		if (r->data == PHYS_INVALID)
			r->data_pages = 0;
		if (r->mem == PHYS_INVALID)
			r->mem_pages = 0;
		req_free(r);
		return false;
	}
	r->segs = phys_to_virt(r->mem);
	r->vecs = (struct bio_vec *)(r->segs + nseg);
	for (u32 i = 0; i < nseg; i++) {
		struct ide_seg *s = &r->segs[i];

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
	r->cmd.lba = lba;
	r->cmd.done = st_done;
	r->cmd.priv = r;
	return true;
}

/* Fill with the pattern (write) or poison (read). */
static void req_prepare(struct st_req *r, bool write)
{
	u64 lba = r->cmd.lba;

	if (!write) {
		memset(phys_to_virt(r->data), ST_POISON,
		       r->data_pages * PAGE_SIZE);
		return;
	}
	for (unsigned int i = 0; i < r->cmd.nseg; i++) {
		const struct ide_seg *s = &r->segs[i];

		ahci_pattern_fill(phys_to_virt(s->addr), lba,
				  s->len / AHCI_PATTERN_SECTOR);
		lba += s->len / AHCI_PATTERN_SECTOR;
	}
}

/* Byte offset in the request of the first wrong byte, or -1. */
static long req_check(const struct st_req *r)
{
	u64 lba = r->cmd.lba;
	long base = 0;

	for (unsigned int i = 0; i < r->cmd.nseg; i++) {
		const struct ide_seg *s = &r->segs[i];
		long off = ahci_pattern_check(phys_to_virt(s->addr), lba,
					      s->len / AHCI_PATTERN_SECTOR);

		if (off >= 0)
			return base + off;
		lba += s->len / AHCI_PATTERN_SECTOR;
		base += s->len;
	}
	return -1;
}

/* Driver API: submit @n commands (one at a time per channel) and wait. */
static int run_cmds(struct ide_disk *d, struct st_req *r, unsigned int n)
{
	u64 start = time_us();
	unsigned int next = 0;

	for (unsigned int i = 0; i < n; i++)
		r[i].done = false;
	while (time_us() - start < ST_TIMEOUT_US) {
		bool all = next == n;

		if (next < n) {
			int ret = ide_submit(d, &r[next].cmd);

			if (ret && ret != -EBUSY)
				return ret;
			if (!ret)
				next++;
		}
		ide_poll_disk(d);
		for (unsigned int i = 0; i < n; i++)
			all = all && r[i].done;
		if (all)
			return 0;
		udelay(ST_POLL_STEP_US);
	}
	pr_warn("keel: ata: self-test batch timed out\n");
	return -ETIMEDOUT;
}

/*
 * Turn @r into a bio: a contiguous buffer is one large bio_vec (the block
 * layer cuts it at 64 KiB boundaries), others one bio_vec per segment.
 */
static int req_to_bio(struct blk_dev *dev, struct st_req *r, unsigned int op)
{
	unsigned int n = r->layout == AHCI_BUF_CONTIG ? 1 : r->cmd.nseg;

	bio_init(&r->bio, dev, op, 0, r->vecs, (u16)MIN(n, 0xffffU));
	r->bio.bi_iter.bi_sector = r->cmd.lba;
	for (unsigned int i = 0; i < n; i++) {
		const struct ide_seg *s = &r->segs[i];
		u32 len = n == 1 ? r->cmd.nsectors * AHCI_PATTERN_SECTOR :
				   s->len;
		int ret = bio_add_page(&r->bio, ALIGN_DOWN(s->addr, PAGE_SIZE),
				       len, (u32)(s->addr % PAGE_SIZE));

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
				     .who = "ata" };

	for (unsigned int i = 0; i < n; i++)
		r[i].done = false;
	return blk_batch_run(&b);
}

/*
 * The pattern pass (tests/kernel/pattern_pass.h) over reqs[]: through the
 * block layer when ctx (a struct ata_pass) has a dev, else by driver API.
 */
struct ata_pass {
	struct blk_dev *dev;
	struct ide_disk *d;
	const struct ahci_pattern_range *rg;
};

static int pass_prepare(struct pattern_pass *p, unsigned int k, u64 lba)
{
	struct ata_pass *a = p->ctx;
	struct st_req *r = &reqs[k];

	if (!req_alloc(r, a->rg->layout, a->rg->sectors, lba))
		return -ENOMEM;
	req_prepare(r, p->write);
	r->cmd.op = p->write ? IDE_OP_WRITE : IDE_OP_READ;
	if (!a->dev)
		return 0;
	return req_to_bio(a->dev, r, p->write ? REQ_OP_WRITE : REQ_OP_READ);
}

static int pass_run(struct pattern_pass *p, unsigned int n)
{
	struct ata_pass *a = p->ctx;

	return a->dev ? run_bios(a->dev, reqs, n) : run_cmds(a->d, reqs, n);
}

static int pass_status(struct pattern_pass *p, unsigned int k)
{
	return reqs[k].status;
}

static long pass_check(struct pattern_pass *p, unsigned int k)
{
	return req_check(&reqs[k]);
}

static void pass_release(struct pattern_pass *p, unsigned int n)
{
	req_free_all(n);
}

static const struct pattern_pass_ops ata_pass_ops = {
	.prepare = pass_prepare,
	.run = pass_run,
	.status = pass_status,
	.check = pass_check,
	.release = pass_release,
};

/*
 * Write or read-and-check every request of @rg, through the block layer
 * when @dev is set, else through the driver API on @d.
 */
static void do_range(const char *prefix, struct blk_dev *dev,
		     struct ide_disk *d, const struct ahci_pattern_range *rg,
		     bool write)
{
	struct ata_pass a = { .dev = dev, .d = d, .rg = rg };
	struct pattern_pass p = {
		.ops = &ata_pass_ops,
		.report = report,
		.prefix = prefix,
		.capacity = ide_disk_info(d)->sectors,
		.max_reqs = ST_MAX_REQS,
		.ctx = &a,
	};

	pattern_pass_range(&p, rg, write);
}

static bool is_pio_range(const struct ahci_pattern_range *rg)
{
	return !strcmp(rg->name, ATA_PATTERN_PIO_RANGE);
}

static const struct ahci_pattern_range *find_range(const char *name)
{
	for (unsigned int i = 0; i < ata_pattern_nranges; i++)
		if (!strcmp(ata_pattern_ranges[i].name, name))
			return &ata_pattern_ranges[i];
	return NULL;
}

/* A no-data command through the driver: its completion status. */
static int nodata_cmd(struct ide_disk *d, enum ide_op op)
{
	struct st_req *r = &reqs[0];
	int ret;

	memset(r, 0, sizeof(*r));
	r->cmd.op = op;
	r->cmd.done = st_done;
	r->cmd.priv = r;
	ret = run_cmds(d, r, 1);
	return ret ? ret : r->status;
}

static void blk_flush(struct blk_dev *dev)
{
	struct st_req *r = &reqs[0];
	int ret;

	memset(r, 0, sizeof(*r));
	bio_init(&r->bio, dev, REQ_OP_FLUSH, 0, NULL, 0);
	r->bio.bi_end_io = st_bio_done;
	r->bio.bi_private = r;
	ret = run_bios(dev, r, 1);
	report(!ret && !r->status, "blk.flush", "");
}

/* Every range but "pio" through the block layer, with DMA. */
static void blk_pass(struct blk_dev *dev, struct ide_disk *d)
{
	const struct blk_stats *st = blk_get_stats(dev);
	u64 merges = st->front_merges + st->back_merges;
	char detail[64];
	int ret;

	for (unsigned int i = 0; i < ata_pattern_nranges; i++)
		if (!is_pio_range(&ata_pattern_ranges[i]))
			do_range("blk.", dev, d, &ata_pattern_ranges[i], true);
	merges = st->front_merges + st->back_merges - merges;
	ksnprintf(detail, sizeof(detail), "%llu merges",
		  (unsigned long long)merges);
	/* "adjacent" and "burst" go down under one plug at depth 1. */
	report(merges > 0, "blk.merge", detail);
	blk_flush(dev);
	ret = nodata_cmd(d, IDE_OP_FLUSH);
	ksnprintf(detail, sizeof(detail), "FLUSH CACHE EXT status %d", ret);
	report(!ret, "flush", detail);
	for (unsigned int i = 0; i < ata_pattern_nranges; i++)
		if (!is_pio_range(&ata_pattern_ranges[i]))
			do_range("blk.", dev, d, &ata_pattern_ranges[i], false);
}

/*
 * keel's gap reads through bus-master DMA (docs/block.md, "Gap reads"):
 * "burst", requests 56 sectors apart, reread under keel goes down as a few
 * commands whose gaps land in the bit bucket; every buffer checks exact.
 */
static void blk_gap_pass(struct blk_dev *dev, struct ide_disk *d)
{
	const struct ahci_pattern_range *rg = find_range("burst");
	const struct blk_stats *st = blk_get_stats(dev);
	const char *was = blk_elevator_name(dev);
	u64 cmds = st->gap_reads, joined = st->gap_merged;
	char detail[80];

	if (!rg || blk_set_elevator(dev, "keel")) {
		report(false, "blk.gapread", "no burst range or no keel");
		return;
	}
	do_range("blk.gap.", dev, d, rg, false);
	ksnprintf(detail, sizeof(detail),
		  "%llu commands carried %llu more reads",
		  (unsigned long long)(st->gap_reads - cmds),
		  (unsigned long long)(st->gap_merged - joined));
	report(st->gap_reads > cmds, "blk.gapread", detail);
	blk_set_elevator(dev, was);
}

/* "pio" written with PIO and read back by DMA; others reread with PIO. */
static void pio_pass(struct ide_disk *d)
{
	static const char *const rereads[] = { "scatter", "subpage",
					       "bigscatter", "tail" };
	const struct ahci_pattern_range *pio =
		find_range(ATA_PATTERN_PIO_RANGE);
	int ret = ide_disk_set_pio(d, true);

	if (ret || !pio) {
		report(false, "pio.setup", "cannot switch to PIO");
		return;
	}
	do_range("pio.", NULL, d, pio, true);
	do_range("pio.", NULL, d, pio, false);
	for (unsigned int i = 0; i < ARRAY_SIZE(rereads); i++)
		if (find_range(rereads[i]))
			do_range("pio.", NULL, d, find_range(rereads[i]),
				 false);
	ret = ide_disk_set_pio(d, false);
	if (ret) {
		report(false, "dma.setup", "cannot switch back to DMA");
		return;
	}
	do_range("dma.", NULL, d, pio, false);
}

/* Malformed commands are refused at submit and never reach the disk. */
static void do_rejects(struct ide_disk *d)
{
	struct ide_seg odd = { 0x100000, 511 };
	struct ide_seg one = { 0x100000, 512 };
	struct ide_seg high = { GiB(4), 512 };
	struct ide_cmd c = { .op = IDE_OP_READ,
			     .nsectors = 1,
			     .segs = &odd,
			     .nseg = 1,
			     .done = st_done };
	char detail[80];
	int e1, e2, e3, e4;

	e1 = ide_submit(d, &c);
	c.segs = &one;
	c.lba = ide_disk_info(d)->sectors;
	e2 = ide_submit(d, &c);
	c.lba = 0;
	c.nsectors = 2; /* 512 bytes of buffer for 1 KiB */
	e3 = ide_submit(d, &c);
	c.nsectors = 1;
	c.segs = &high; /* beyond the bus master's 32-bit reach */
	e4 = ide_submit(d, &c);
	ksnprintf(detail, sizeof(detail),
		  "odd %d, past end %d, short %d, above 4G %d", e1, e2, e3, e4);
	report(e1 == -EINVAL && e2 == -ERANGE && e3 == -EINVAL && e4 == -ERANGE,
	       "reject", detail);
}

/* An aborted command fails alone; the next read is served and correct. */
static void do_error(struct ide_disk *d)
{
	const struct ahci_pattern_range *page = find_range("page");
	struct ide_stats before, after;
	char detail[96];
	int nop;

	ide_disk_stats(d, &before);
	nop = nodata_cmd(d, IDE_OP_NOP);
	ide_disk_stats(d, &after);
	ksnprintf(detail, sizeof(detail), "NOP status %d, errors +%llu", nop,
		  (unsigned long long)(after.errors - before.errors));
	report(nop == -EIO && after.errors == before.errors + 1, "error.abort",
	       detail);
	if (page)
		do_range("error.after.", NULL, d, page, false);
}

/* After a software reset of the channel, DMA and PIO still serve. */
static void do_reset(struct ide_disk *d)
{
	const struct ahci_pattern_range *sc = find_range("scatter");
	struct ide_stats before, after;
	char detail[64];
	int ret;

	ide_disk_stats(d, &before);
	ret = ide_disk_reset(d);
	ide_disk_stats(d, &after);
	ksnprintf(detail, sizeof(detail), "status %d, resets +%llu", ret,
		  (unsigned long long)(after.resets - before.resets));
	report(!ret && after.resets == before.resets + 1, "reset", detail);
	if (!sc)
		return;
	do_range("reset.after.dma.", NULL, d, sc, false);
	if (ide_disk_set_pio(d, true) == 0) {
		do_range("reset.after.pio.", NULL, d, sc, false);
		ide_disk_set_pio(d, false);
	}
}

static int ata_selftest(void)
{
	struct ide_disk *d = ide_disk(0);
	struct blk_dev *dev = ide_blk_dev(0);
	char detail[96];

	passed = failed = 0;
	if (!d || !dev) {
		report(false, "probe", "no IDE disk");
		goto out;
	}
	ksnprintf(detail, sizeof(detail), "%s \"%s\" %llu sectors, %s",
		  ide_disk_name(d), ide_disk_info(d)->model,
		  (unsigned long long)ide_disk_info(d)->sectors,
		  ide_disk_uses_pio(d) ? "PIO" : "DMA");
	if (ide_disk_info(d)->sectors < ATA_PATTERN_MIN_SECTORS) {
		report(false, "probe", "disk smaller than 20160 sectors");
		goto out;
	}
	report(!ide_disk_uses_pio(d), "probe", detail);
	blk_pass(dev, d);
	blk_gap_pass(dev, d);
	pio_pass(d);
	do_rejects(d);
	do_error(d);
	do_reset(d);
out:
	printf("TESTS: %u passed, %u failed\n", passed, failed);
	return (int)failed;
}

SELFTEST(ata, "ata", SELFTEST_TEST, ata_selftest);
