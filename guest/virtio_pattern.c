// SPDX-License-Identifier: MIT
/*
 * The AHCI test pattern (docs/ahci.md, tests/kernel/ahci_pattern.h),
 * written through the virtio-blk device by the guest's own LBA, read back
 * and compared. The ranges are the table in docs/virtio-guest.md, which
 * tests/system/test_virtio_guest.py checks against this one and then
 * against the disk image.
 */
#include "virtio.h"
#include "virtio_pattern.h"

#define PAGE 4096u
#define POOL_BYTES (512u * 1024)
#define MUL_LBA 0x9E3779B97F4A7C15ULL
#define MUL_WORD 0xC2B2AE3D27D4EB4FULL
#define WORDS (VBLK_SECTOR / 8)
#define MAX_SEGS 32 /* per request: 64 KiB scattered a page at a time */
#define POISON 0xa5

const struct vpat_range vpat_ranges[] = {
	/* name, lba, sectors, repeat, stride, layout */
	{ "first", 0, 8, 1, 0, VBUF_CONTIG },
	{ "seq64k", 64, 128, 4, 128, VBUF_CONTIG },
	{ "scatter", 1000, 32, 8, 40, VBUF_SCATTER },
	{ "subpage", 2047, 3, 4, 5, VBUF_SUBPAGE },
	{ "tail", -8, 8, 1, 0, VBUF_CONTIG },
};
const u32 vpat_nranges = sizeof(vpat_ranges) / sizeof(vpat_ranges[0]);

static u8 pool[POOL_BYTES] __attribute__((aligned(PAGE)));

struct vreq {
	u64 lba;
	u32 nsect, nseg;
	int head;
	struct vseg seg[MAX_SEGS];
};

static u64 word(u64 lba, u32 i)
{
	return (lba * MUL_LBA) ^ ((u64)(i + 1) * MUL_WORD);
}

/*
 * Lay @r's buffer out from pool offset @at by @layout; returns the pool
 * bytes used, or 0 when the pool or the segment list is too small. A
 * segment never exceeds @size_max (when non-zero) and always holds whole
 * sectors, so that each sector lies in one segment.
 */
static u32 layout_req(struct vreq *r, enum vbuf_layout layout, u32 at,
		      u32 size_max)
{
	u32 left = r->nsect * VBLK_SECTOR, p = at, chunk;

	r->nseg = 0;
	while (left) {
		if (r->nseg == MAX_SEGS)
			return 0;
		if (layout == VBUF_SUBPAGE) {
			chunk = VBLK_SECTOR;
			r->seg[r->nseg].addr =
				(u32)pool + p +
				((2 * r->nseg + 1) * VBLK_SECTOR) % PAGE;
			p += 2 * PAGE;
		} else if (layout == VBUF_SCATTER) {
			chunk = left < PAGE ? left : PAGE;
			r->seg[r->nseg].addr = (u32)pool + p;
			p += 2 * PAGE;
		} else {
			chunk = left;
			if (size_max >= VBLK_SECTOR && chunk > size_max)
				chunk = size_max & ~(VBLK_SECTOR - 1);
			r->seg[r->nseg].addr = (u32)pool + p;
			p += chunk;
		}
		if (p > POOL_BYTES)
			return 0;
		r->seg[r->nseg++].len = chunk;
		left -= chunk;
	}
	return ((p + PAGE - 1) & ~(PAGE - 1)) - at;
}

/* Sector @k of request @r: the segments hold whole sectors in order. */
static u8 *sector_at(const struct vreq *r, u32 k)
{
	for (u32 s = 0; s < r->nseg; s++) {
		u32 n = r->seg[s].len / VBLK_SECTOR;

		if (k < n)
			return (u8 *)r->seg[s].addr + k * VBLK_SECTOR;
		k -= n;
	}
	return NULL;
}

static void fill(const struct vreq *r)
{
	for (u32 k = 0; k < r->nsect; k++) {
		u64 *w = (u64 *)sector_at(r, k);

		for (u32 i = 0; i < WORDS; i++)
			w[i] = word(r->lba + k, i);
	}
}

/* LBA of the first wrong sector, or ~0 when all match. */
static u64 check(const struct vreq *r)
{
	for (u32 k = 0; k < r->nsect; k++) {
		const u64 *w = (const u64 *)sector_at(r, k);

		for (u32 i = 0; i < WORDS; i++)
			if (w[i] != word(r->lba + k, i))
				return r->lba + k;
	}
	return ~0ULL;
}

u64 vpat_req_lba(const struct vpat_range *rg, u64 capacity, u32 k)
{
	u64 first = rg->lba < 0 ? capacity + (u64)rg->lba : (u64)rg->lba;

	return first + (u64)k * rg->stride;
}

/* Complete the batch @reqs[0..n): wait, then check each status. */
static bool finish_batch(struct vblk *d, struct vreq *reqs, u32 n, bool write,
			 char *why, size_t whysz)
{
	if (vblk_wait_all(d)) {
		vsay(why, whysz, "timeout: used idx %u avail idx %u",
		     d->used->idx, d->avail_idx);
		return false;
	}
	for (u32 i = 0; i < n; i++) {
		u8 st = vblk_req_status((u16)reqs[i].head);
		u64 bad;

		if (st != VIRTIO_BLK_S_OK) {
			vsay(why, whysz, "LBA %u status %u", (u32)reqs[i].lba,
			     st);
			return false;
		}
		bad = write ? ~0ULL : check(&reqs[i]);
		if (bad != ~0ULL) {
			vsay(why, whysz, "LBA %u holds other data", (u32)bad);
			return false;
		}
	}
	return true;
}

/*
 * Write (or read back and compare) every request of @rg, as many at once
 * as the pool and the queue take, one notification per batch.
 */
bool vpat_range_io(struct vblk *d, const struct vpat_range *rg, bool write,
		   char *why, size_t whysz)
{
	static struct vreq reqs[VQ_MAX];
	u32 k = 0, n = 0, at = 0, used;

	while (k < rg->repeat) {
		struct vreq *r = &reqs[n];

		r->lba = vpat_req_lba(rg, d->capacity, k);
		r->nsect = rg->sectors;
		used = layout_req(r, rg->layout, at, d->size_max);
		if (used && d->seg_max && r->nseg > d->seg_max) {
			vsay(why, whysz, "%u segments, seg_max %u", r->nseg,
			     d->seg_max);
			return false;
		}
		if (!used || r->nseg + 2 > d->nfree) {
			/* An empty batch that cannot take it never will. */
			if (!n) {
				vsay(why, whysz,
				     "request needs %u descriptors (queue %u) "
				     "or more than the pool",
				     r->nseg + 2, d->qsize);
				return false;
			}
			vblk_kick(d);
			if (!finish_batch(d, reqs, n, write, why, whysz))
				return false;
			n = at = 0;
			continue;
		}
		if (write)
			fill(r);
		else
			for (u32 s = 0; s < r->nseg; s++)
				memset((void *)r->seg[s].addr, POISON,
				       r->seg[s].len);
		r->head = vblk_submit(
			d, write ? VIRTIO_BLK_T_OUT : VIRTIO_BLK_T_IN, r->lba,
			r->seg, r->nseg);
		at += used;
		n++;
		k++;
	}
	vblk_kick(d);
	return finish_batch(d, reqs, n, write, why, whysz);
}

/* One sector of LBA @lba into the pool, compared with the pattern. */
bool vpat_read_one(struct vblk *d, u64 lba, u8 *status)
{
	struct vreq r = { .lba = lba, .nsect = 1 };

	layout_req(&r, VBUF_CONTIG, 0, 0);
	memset(pool, POISON, VBLK_SECTOR);
	if (vblk_do(d, VIRTIO_BLK_T_IN, lba, r.seg, 1, status))
		return false;
	return *status == VIRTIO_BLK_S_OK && check(&r) == ~0ULL;
}

/* The pool's first page, for requests that need a scratch buffer. */
u32 vpat_scratch(void)
{
	return (u32)pool;
}
