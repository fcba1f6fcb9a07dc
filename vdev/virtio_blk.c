// SPDX-License-Identifier: MIT
/*
 * The virtio-blk back end (vdev/virtio_blk.h): requests from the queue
 * become bios whose bio_vecs are the guest's own buffers, submitted to the
 * block layer; when the block layer ends them (the driver has reported the
 * data written, or the disk's cache flushed), the status byte and then the
 * used ring are written and the guest is interrupted. A broken chain sets
 * DEVICE_NEEDS_RESET (virtio 1.2 2.1.2), said once on the console, and the
 * queue is not looked at again until the driver resets the device.
 */
#include "core/lib.h"
#include "vdev/virtio_blk.h"

static void vlog(struct vblk *v, const char *fmt, ...) __printf(2, 3);

static void vlog(struct vblk *v, const char *fmt, ...)
{
	char line[160];
	va_list ap;

	va_start(ap, fmt);
	kvsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	v->ops->log(v->ops->ctx, line);
}

void vblk_violation(struct vblk *v, const char *why)
{
	v->violations++;
	if (v->status & VIRTIO_STATUS_NEEDS_RESET)
		return;
	v->status |= VIRTIO_STATUS_NEEDS_RESET;
	if (!v->reported) {
		v->reported = true;
		vlog(v,
		     "keel: virtio-blk: the guest's driver broke the rules (%s): device needs reset",
		     why);
	}
	/* 4.1.4.3.1 via 2.1.2: tell a running driver its device is broken. */
	if (v->status & VIRTIO_STATUS_DRIVER_OK)
		vblk_interrupt(v, true);
}

/* Reading or writing the rings is the device's own memory access: it
 * needs bus mastering (PCI 3.0 6.2.2). */
static bool queue_live(const struct vblk *v)
{
	return v->vq_enabled && v->bus_master &&
	       (v->status & VIRTIO_STATUS_DRIVER_OK) &&
	       !(v->status & VIRTIO_STATUS_NEEDS_RESET);
}

static bool event_idx(const struct vblk *v)
{
	return v->gfeatures & BIT(VIRTIO_F_EVENT_IDX);
}

/*
 * A used-buffer notification for what was pushed since the last one, if
 * the driver wants it (virtq_need_interrupt).
 */
static void used_notify(struct vblk *v)
{
	if (queue_live(v) && virtq_need_interrupt(&v->vq, v->mem, event_idx(v)))
		vblk_interrupt(v, false);
}

/* Status byte, then the used ring: the driver reads them in that order. */
static void finish(struct vblk *v, u16 head, const struct vblk_req *r,
		   u8 status)
{
	if (v->mem->write(v->mem->ctx, r->status_gpa, &status, 1) ||
	    virtq_push(&v->vq, v->mem, head, r->used_len)) {
		vblk_violation(v, "used ring or status byte left guest RAM");
		return;
	}
	v->completed++;
	if (status != VIRTIO_BLK_S_OK)
		v->errors++;
}

static void bio_done(struct bio *bio)
{
	struct vblk_slot *s = bio->bi_private;
	struct vblk *v = s->v;

	s->busy = false;
	v->inflight--;
	/* A reset in between: the driver forgot this request. */
	if (s->gen != v->gen || !queue_live(v))
		return;
	finish(v, s->head, &s->req,
	       bio->bi_status ? VIRTIO_BLK_S_IOERR : VIRTIO_BLK_S_OK);
	used_notify(v);
}

/* End a piece that never reached the block layer, failing the request. */
static void fail_piece(struct bio *bio)
{
	bio->bi_status = BLK_STS_IOERR;
	bio_endio(bio);
}

/*
 * A driver without FLUSH has no way to ask for durability, so the device
 * is write-through for it (virtio 1.2 5.2.6.2): each write goes FUA, which
 * the block layer turns into write + cache flush when the disk lacks FUA.
 */
static u16 write_flags(const struct vblk *v, unsigned int op)
{
	return op == REQ_OP_WRITE && !(v->gfeatures & BIT(VIRTIO_BLK_F_FLUSH)) ?
		       REQ_FUA :
		       0;
}

/*
 * Queue one piece. An empty request pool is no error of the guest's: reap
 * the disk until a request is free (every wait in the disk drivers is
 * bounded, and each completion frees one), as vblk_drain() does.
 */
static int submit_piece(struct vblk *v, struct bio *bio)
{
	int rc;

	while ((rc = blk_submit_bio(bio)) == -EBUSY)
		blk_poll(v->bdev);
	return rc;
}

static void submit(struct vblk *v, struct vblk_slot *s)
{
	struct bio *bio = &s->bio;
	u32 sectors;
	int k = 0;

	bio_init(bio, v->bdev, s->req.op, write_flags(v, s->req.op),
		 s->req.vecs, s->req.nvecs);
	bio->bi_iter.bi_sector = s->req.sector;
	bio->bi_end_io = bio_done;
	bio->bi_private = s;
	for (unsigned int i = 0; i < s->req.nvecs; i++)
		bio_add_page(bio, s->req.vecs[i].bv_page, s->req.vecs[i].bv_len,
			     s->req.vecs[i].bv_offset);
	/* Pieces the device's limits allow, each its own bio, chained. */
	while (s->req.op != REQ_OP_FLUSH &&
	       (sectors = blk_bio_split_sectors(bio)) != 0) {
		struct bio *part = &s->split[k];

		if (k == VBLK_MAX_SPLITS || bio_split(bio, sectors, part)) {
			fail_piece(bio);
			return;
		}
		k++;
		if (submit_piece(v, part))
			fail_piece(part);
	}
	if (submit_piece(v, bio))
		fail_piece(bio);
}

/*
 * A piece is cut when it is full in bytes (max_sectors, less a logical
 * block for the rounding) or in segments (max_segments), so a request
 * of B bytes in D disk segments needs at most B / full_bytes + D /
 * max_segments + 1 pieces. Each guest segment (at most size_max bytes)
 * is at most two bio_vecs (one 2 MiB host chunk boundary), each cut by
 * max_segment_size and the segment boundary: that gives D per segment.
 */
u32 vblk_seg_max(const struct blk_queue_limits *lim)
{
	u64 full = (u64)lim->max_sectors << SECTOR_SHIFT;
	u64 mss = lim->max_segment_size ? lim->max_segment_size : ~0ULL;
	u64 per_seg, n;

	if (lim->logical_block_size < full)
		full -= lim->logical_block_size;
	if (lim->seg_boundary_mask != ~0ULL)
		mss = MIN(mss, lim->seg_boundary_mask + 1);
	per_seg = 2 * (DIV_ROUND_UP((u64)VBLK_SIZE_MAX, mss) + 1);
	if (!full || !lim->max_segments)
		return 1;
	/* seg_max * (size_max / full + per_seg / max_segments) <= splits */
	n = (u64)VBLK_MAX_SPLITS * full * lim->max_segments /
	    ((u64)VBLK_SIZE_MAX * lim->max_segments + per_seg * full);
	return (u32)MAX(MIN(n, (u64)VBLK_SEG_MAX), 1ULL);
}

static struct vblk_slot *free_slot(struct vblk *v)
{
	for (unsigned int i = 0; i < VBLK_SLOTS; i++)
		if (!v->slot[i].busy)
			return &v->slot[i];
	return NULL;
}

/* One chain: answered now, or submitted. false when the queue broke. */
static bool take_one(struct vblk *v, struct vblk_slot *s, bool *answered)
{
	const char *why = NULL;
	int rc = virtq_pop(&v->vq, v->mem, &v->chain, &why);

	if (rc <= 0) {
		if (rc)
			vblk_violation(v, why);
		return false;
	}
	v->requests++;
	if (vblk_decode(&v->chain, v->mem, &v->disk, &s->req, &why)) {
		vblk_violation(v, why);
		return false;
	}
	if (s->req.action == VBLK_IO && !v->bdev) {
		s->req.action = VBLK_DONE;
		s->req.status = VIRTIO_BLK_S_IOERR;
	}
	if (s->req.action == VBLK_DONE) {
		if (s->req.reason && !v->refusal_said) {
			v->refusal_said = true;
			vlog(v,
			     "keel: virtio-blk: a request at sector %llu got IOERR (%s); later ones are not logged",
			     (unsigned long long)s->req.guest_sector,
			     s->req.reason);
		}
		finish(v, v->chain.head, &s->req, s->req.status);
		*answered = true;
		return true;
	}
	s->busy = true;
	s->gen = v->gen;
	s->head = v->chain.head;
	v->inflight++;
	submit(v, s);
	return true;
}

/* Take available chains while a slot is free. */
static void take_all(struct vblk *v, bool *answered, bool *submitted)
{
	struct vblk_slot *s;

	/* Bounded: each round takes one chain of at most a ring's worth. */
	for (unsigned int i = 0; i < VIRTQ_MAX_SIZE && queue_live(v); i++) {
		s = free_slot(v);
		if (!s)
			break;
		if (!take_one(v, s, answered))
			break;
		*submitted |= s->busy;
	}
}

/*
 * Notification suppression without EVENT_IDX (virtio 1.2 2.7.10): while
 * every slot is busy a notify could not be served anyway, and the next
 * completion looks at the avail ring (vblk_poll), so Keel advises the
 * driver not to notify. When a slot stays free, it clears the advice and
 * looks once more (after the fence in virtq_set_used_flags), for a chain
 * posted while the advice still stood. Only a full queue sets it: with
 * free slots, a notify is the only thing that makes Keel look.
 */
static void advise_flags(struct vblk *v, bool *answered, bool *submitted)
{
	u16 want = v->inflight == VBLK_SLOTS ? VIRTQ_USED_F_NO_NOTIFY : 0;
	bool was = v->vq.used_flags & VIRTQ_USED_F_NO_NOTIFY;

	if (want == v->vq.used_flags)
		return;
	if (virtq_set_used_flags(&v->vq, v->mem, want)) {
		vblk_violation(v, "used ring left guest RAM");
		return;
	}
	if (was && !want)
		take_all(v, answered, submitted);
}

/*
 * The same with EVENT_IDX: used->flags stays 0 (2.7.10), and while every
 * slot is busy avail_event is left behind the driver's index, which
 * suppresses its notifies. With a slot free, avail_event = last_avail
 * asks for a notify at the next chain, and the avail ring is looked at
 * again after each write, for a chain made available before the driver
 * could see it (the missed-notification race of 2.7.10). Bounded: a
 * round that takes no chain ends it.
 */
static void advise_event(struct vblk *v, bool *answered, bool *submitted)
{
	if (virtq_set_used_flags(&v->vq, v->mem, 0)) {
		vblk_violation(v, "used ring left guest RAM");
		return;
	}
	for (unsigned int i = 0;
	     i < VIRTQ_MAX_SIZE && queue_live(v) && v->inflight < VBLK_SLOTS;
	     i++) {
		u16 seen = v->vq.last_avail;
		int rc = virtq_set_avail_event(&v->vq, v->mem);

		if (rc < 0) {
			vblk_violation(v, "used ring left guest RAM");
			return;
		}
		if (!rc)
			return;
		take_all(v, answered, submitted);
		if (v->vq.last_avail == seen)
			return;
	}
}

static void advise_notify(struct vblk *v, bool *answered, bool *submitted)
{
	if (!queue_live(v))
		return;
	if (event_idx(v))
		advise_event(v, answered, submitted);
	else
		advise_flags(v, answered, submitted);
}

void vblk_process(struct vblk *v)
{
	bool answered = false, submitted = false;

	take_all(v, &answered, &submitted);
	advise_notify(v, &answered, &submitted);
	if (answered)
		used_notify(v);
	if (submitted && v->ops->kick)
		v->ops->kick(v->ops->ctx);
}

bool vblk_poll(struct vblk *v)
{
	u32 before = v->inflight;

	if (v->bdev && v->inflight)
		blk_poll(v->bdev);
	/* With notifies suppressed, new chains are found only here. */
	if (v->inflight < before)
		vblk_process(v);
	return v->inflight != 0;
}

void vblk_drain(struct vblk *v)
{
	/* Every wait in the disk drivers is bounded, so this ends. */
	while (v->bdev && v->inflight)
		blk_poll(v->bdev);
}

void vblk_init(struct vblk *v, const struct vblk_ops *ops,
	       const struct virtq_mem *mem, struct blk_dev *bdev,
	       const struct vblk_disk *disk)
{
	memset(v, 0, sizeof(*v));
	v->ops = ops;
	v->mem = mem;
	v->bdev = bdev;
	v->disk = *disk;
	/* The disk's own, not the caller's: it is what the block layer takes. */
	v->disk.block_size =
		bdev ? MAX(bdev->limits.logical_block_size, VIRTIO_BLK_SECTOR) :
		       VIRTIO_BLK_SECTOR;
	v->features = BIT(VIRTIO_F_VERSION_1) | BIT(VIRTIO_F_EVENT_IDX) |
		      BIT(VIRTIO_BLK_F_SEG_MAX) | BIT(VIRTIO_BLK_F_SIZE_MAX) |
		      BIT(VIRTIO_BLK_F_BLK_SIZE) | BIT(VIRTIO_BLK_F_FLUSH);
	if (disk->ro)
		v->features |= BIT(VIRTIO_BLK_F_RO);
	for (unsigned int i = 0; i < VBLK_SLOTS; i++)
		v->slot[i].v = v;
	/* PCI 3.0 6.8.2.9: an entry's Mask bit is 1 after reset. */
	for (unsigned int i = 0; i < VBLK_MSIX_VECTORS; i++)
		v->msix[i].w[MSIX_ENTRY_CTRL / 4] = MSIX_ENTRY_CTRL_MASK;
	vblk_reset(v);
}
