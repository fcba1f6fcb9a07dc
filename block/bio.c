// SPDX-License-Identifier: MIT
/*
 * bio and bvec helpers: building, iterating, splitting, chained completion,
 * and cutting data into DMA segments under a queue's limits. The iterator
 * rules follow Linux include/linux/bvec.h.
 */
#include "core/lib.h"
#include "block/blk.h"

u64 blk_warn_count;
static void (*warn_handler)(const char *msg);

void blk_set_warn_handler(void (*fn)(const char *msg))
{
	warn_handler = fn;
}

void blk_warn(const char *msg)
{
	blk_warn_count++;
	if (warn_handler)
		warn_handler(msg);
}

void bio_init(struct bio *bio, struct blk_dev *dev, unsigned int op, u16 flags,
	      struct bio_vec *vecs, u16 max_vecs)
{
	memset(bio, 0, sizeof(*bio));
	bio->bi_bdev = dev;
	bio->bi_op = (u8)op;
	bio->bi_flags = flags;
	bio->bi_io_vec = vecs;
	bio->bi_max_vecs = max_vecs;
	bio->bi_remaining = 1;
}

int bio_add_page(struct bio *bio, phys_addr_t page, u32 len, u32 offset)
{
	if (bio->bi_vcnt >= bio->bi_max_vecs)
		return -E2BIG;
	if (!len || bio->bi_iter.bi_size + (u64)len > 0xffffffffULL)
		return -EINVAL;
	bio->bi_io_vec[bio->bi_vcnt++] = (struct bio_vec){
		.bv_page = page, .bv_len = len, .bv_offset = offset
	};
	bio->bi_iter.bi_size += len;
	return 0;
}

struct bio_vec bvec_iter_bvec(const struct bio_vec *vecs, struct bvec_iter iter)
{
	const struct bio_vec *bv = &vecs[iter.bi_idx];

	return (struct bio_vec){
		.bv_page = bv->bv_page,
		.bv_len = MIN(bv->bv_len - iter.bi_bvec_done, iter.bi_size),
		.bv_offset = bv->bv_offset + iter.bi_bvec_done,
	};
}

bool bvec_iter_advance(const struct bio_vec *vecs, struct bvec_iter *iter,
		       u32 bytes)
{
	if (bytes > iter->bi_size) {
		blk_warn("block: bvec iterator overrun");
		iter->bi_size = 0;
		return false;
	}
	iter->bi_size -= bytes;
	bytes += iter->bi_bvec_done;
	/* Zero-length vectors cannot exist: bio_add_page refuses them. */
	while (bytes && bytes >= vecs[iter->bi_idx].bv_len) {
		bytes -= vecs[iter->bi_idx].bv_len;
		iter->bi_idx++;
	}
	iter->bi_bvec_done = bytes;
	return true;
}

bool bio_advance(struct bio *bio, u32 bytes)
{
	if (!bvec_iter_advance(bio->bi_io_vec, &bio->bi_iter, bytes))
		return false;
	bio->bi_iter.bi_sector += bytes >> SECTOR_SHIFT;
	return true;
}

void bio_chain(struct bio *child, struct bio *parent)
{
	child->bi_parent = parent;
	parent->bi_remaining++;
}

int bio_split(struct bio *bio, u32 sectors, struct bio *split)
{
	if (!sectors || sectors >= bio_sectors(bio))
		return -EINVAL;
	*split = *bio;
	split->bi_next = NULL;
	split->bi_iter.bi_size = sectors << SECTOR_SHIFT;
	split->bi_end_io = NULL;
	split->bi_private = NULL;
	split->bi_remaining = 1;
	split->bi_parent = NULL;
	split->bi_status = BLK_STS_OK;
	bio_advance(bio, sectors << SECTOR_SHIFT);
	bio_chain(split, bio);
	return 0;
}

void bio_endio(struct bio *bio)
{
	/* Iterative so that a long split chain cannot eat the stack. */
	while (bio) {
		struct bio *parent;

		if (!bio->bi_remaining) {
			blk_warn("block: bio ended twice");
			return;
		}
		if (--bio->bi_remaining)
			return;
		parent = bio->bi_parent;
		if (parent && bio->bi_status && !parent->bi_status)
			parent->bi_status = bio->bi_status;
		if (bio->bi_end_io)
			bio->bi_end_io(bio);
		bio = parent;
	}
}

/* Longest segment starting at @addr that respects size and boundary. */
static u32 seg_len(const struct blk_queue_limits *lim, phys_addr_t addr,
		   u32 len)
{
	u64 to_boundary =
		(lim->seg_boundary_mask - (addr & lim->seg_boundary_mask)) + 1;

	len = MIN(len, lim->max_segment_size);
	if (to_boundary && to_boundary < len)
		len = (u32)to_boundary;
	return len;
}

/* Take one segment from @iter; false when it is empty. */
static bool next_seg(const struct blk_queue_limits *lim,
		     const struct bio_vec *vecs, struct bvec_iter *iter,
		     phys_addr_t *addr, u32 *len)
{
	struct bio_vec bv;

	if (!iter->bi_size)
		return false;
	bv = bvec_iter_bvec(vecs, *iter);
	*addr = bv.bv_page + bv.bv_offset;
	*len = seg_len(lim, *addr, bv.bv_len);
	bvec_iter_advance(vecs, iter, *len);
	return true;
}

u32 bio_nr_segments(const struct blk_queue_limits *lim, const struct bio *bio)
{
	struct bvec_iter it = bio->bi_iter;
	phys_addr_t a;
	u32 n = 0, l;

	while (next_seg(lim, bio->bi_io_vec, &it, &a, &l))
		n++;
	return n;
}

u32 blk_bio_split_sectors(const struct bio *bio)
{
	const struct blk_queue_limits *lim = &bio->bi_bdev->limits;
	struct bvec_iter it = bio->bi_iter;
	u64 bytes = 0, max = (u64)lim->max_sectors << SECTOR_SHIFT;
	u32 segs = 0, l, lbs = lim->logical_block_size;
	phys_addr_t a;

	while (next_seg(lim, bio->bi_io_vec, &it, &a, &l)) {
		if (segs == lim->max_segments || bytes + l > max) {
			/* Cut inside this segment if it still has room. */
			if (segs < lim->max_segments)
				bytes = max;
			/*
			 * On a logical block (Linux's bio_split_rw_at() rounds
			 * down too), or blk_submit_bio() refuses the part;
			 * less than a block stays as is and is refused.
			 */
			if (lbs && bytes >= lbs)
				bytes &= ~(u64)(lbs - 1);
			return (u32)(bytes >> SECTOR_SHIFT);
		}
		bytes += l;
		segs++;
	}
	return 0;
}

void blk_rq_seg_init(struct blk_seg_iter *it, const struct request *rq)
{
	it->lim = &rq->q->dev->limits;
	it->part = rq;
	it->gap = 0;
	it->bio = rq->op == REQ_OP_FLUSH ? NULL : rq->bio;
	if (it->bio)
		it->iter = it->bio->bi_iter;
}

/* A bit bucket segment of at most @bytes, cut as any other segment. */
static u32 gap_seg(const struct blk_queue_limits *lim, u32 bytes)
{
	return seg_len(lim, blk_bit_bucket(), MIN(bytes, BLK_BIT_BUCKET_SIZE));
}

u32 blk_gap_segments(const struct blk_queue_limits *lim, u32 bytes)
{
	u32 n = 0;

	for (; bytes; n++)
		bytes -= gap_seg(lim, bytes);
	return n;
}

bool blk_rq_seg_next(struct blk_seg_iter *it, phys_addr_t *addr, u32 *len)
{
	for (;;) {
		const struct request *next;

		if (it->gap) {
			*addr = blk_bit_bucket();
			*len = gap_seg(it->lim, it->gap);
			it->gap -= *len;
			return true;
		}
		while (it->bio) {
			if (next_seg(it->lim, it->bio->bi_io_vec, &it->iter,
				     addr, len))
				return true;
			it->bio = it->bio->bi_next;
			if (it->bio)
				it->iter = it->bio->bi_iter;
		}
		next = it->part ? it->part->cmd_next : NULL;
		if (!next)
			return false;
		/* The part's bios are contiguous: its last one ends it. */
		it->gap =
			(u32)((next->sector - bio_end_sector(it->part->biotail))
			      << SECTOR_SHIFT);
		it->part = next;
		it->bio = next->bio;
		it->iter = it->bio->bi_iter;
	}
}
