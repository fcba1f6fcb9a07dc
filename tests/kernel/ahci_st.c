// SPDX-License-Identifier: MIT
/*
 * The AHCI self-tests' requests (tests/kernel/ahci_st.h): buffers laid out
 * as a range asks, the pattern written and checked, and batches run through
 * the driver API or the block layer.
 */
#include "block/block.h"
#include "core/lib.h"
#include "core/mm.h"
#include "core/console.h"
#include "arch/x86/arch.h"
#include "drivers/ahci/ahci.h"
#include "tests/kernel/ahci_pattern.h"
#include "tests/kernel/ahci_st.h"
#include "tests/kernel/blk_batch.h"

struct ahci_queue_state st_qstate(const struct ahci_disk *d)
{
	struct ahci_queue_state qs;

	ahci_disk_queue(d, &qs);
	return qs;
}

u64 st_disk_errors(const struct ahci_disk *d)
{
	struct ahci_stats st;

	ahci_disk_stats(d, &st);
	return st.errors;
}

struct st_req st_reqs[ST_MAX_REQS];
unsigned int st_passed, st_failed;

void st_report(bool ok, const char *name, const char *detail)
{
	printf("TEST ahci.%s %s%s%s\n", name, ok ? "PASS" : "FAIL",
	       detail[0] ? " " : "", detail);
	if (ok)
		st_passed++;
	else
		st_failed++;
}

void st_done(struct ahci_cmd *cmd, int status)
{
	struct st_req *r = cmd->priv;

	r->status = status;
	r->done = true;
}

void st_req_free(struct st_req *r)
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
bool st_req_alloc(struct st_req *r, enum ahci_buf_layout layout, u32 nsect)
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
		st_req_free(r);
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

void st_req_fill(struct st_req *r, u64 lba)
{
	for (unsigned int i = 0; i < r->cmd.nseg; i++) {
		const struct ahci_seg *s = &r->segs[i];

		ahci_pattern_fill(phys_to_virt(s->addr), lba,
				  s->len / AHCI_PATTERN_SECTOR);
		lba += s->len / AHCI_PATTERN_SECTOR;
	}
}

/* Byte offset in the request of the first wrong byte, or -1. */
long st_req_check(struct st_req *r, u64 lba)
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
int st_run_reqs(struct ahci_disk *d, struct st_req *r, unsigned int n)
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

void st_bio_done(struct bio *bio)
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
int st_req_to_bio(struct blk_dev *dev, struct st_req *r,
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
int st_run_bios(struct blk_dev *dev, struct st_req *r, unsigned int n)
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
