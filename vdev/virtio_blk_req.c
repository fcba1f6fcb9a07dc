// SPDX-License-Identifier: MIT
/*
 * virtio-blk request decoding (vdev/virtio_blk_req.h). Errors that only
 * concern one request (bad range, bad length, a write to a read-only
 * disk) are answered with a status; only a chain that has no header or no
 * status byte is a violation, because then no answer can be given.
 */
#include "core/lib.h"
#include "vdev/virtio_blk_req.h"

/* Add guest range [gpa, gpa+len) as bio_vecs split where host memory is. */
static int add_vecs(struct vblk_req *r, const struct virtq_mem *m, u64 gpa,
		    u32 len)
{
	while (len) {
		phys_addr_t hpa;
		u64 n = m->map(m->ctx, gpa, len, &hpa);

		if (!n || n > len || r->nvecs == VBLK_MAX_VECS)
			return -E2BIG;
		r->vecs[r->nvecs++] = (struct bio_vec){
			.bv_page = ALIGN_DOWN(hpa, PAGE_SIZE),
			.bv_len = (u32)n,
			.bv_offset = (u32)(hpa % PAGE_SIZE),
		};
		gpa += n;
		len -= (u32)n;
	}
	return 0;
}

/* bio_vecs for bytes [off, off+len) of the readable or writable stream. */
static int stream_vecs(struct vblk_req *r, const struct virtq_chain *c,
		       const struct virtq_mem *m, bool write, u32 off, u32 len)
{
	unsigned int i = write ? c->nread : 0, end = write ? c->n : c->nread;

	for (; i < end && len; i++) {
		const struct virtq_buf *vb = &c->buf[i];
		u32 n;

		if (off >= vb->len) {
			off -= vb->len;
			continue;
		}
		n = MIN(len, vb->len - off);
		if (add_vecs(r, m, vb->gpa + off, n))
			return -E2BIG;
		len -= n;
		off = 0;
	}
	return len ? -E2BIG : 0;
}

static void answer(struct vblk_req *r, u8 status)
{
	r->action = VBLK_DONE;
	r->status = status;
}

static void refuse(struct vblk_req *r, const char *reason)
{
	answer(r, VIRTIO_BLK_S_IOERR);
	r->reason = reason;
}

/*
 * Why a read or write of @bytes at guest sector @sector cannot go to the
 * disk, or NULL. The block layer takes only whole logical blocks (it
 * refuses any other bio), so on a disk of 4096-byte blocks a request must
 * start and end on one, as the blk_size the device offers tells the driver.
 */
static const char *rw_check(const struct vblk_disk *d, u64 sector, u32 bytes,
			    bool in)
{
	u32 bs = d->block_size ? d->block_size : VIRTIO_BLK_SECTOR;

	if (bytes % bs)
		return bs == VIRTIO_BLK_SECTOR ?
			       "length is not a whole number of sectors" :
			       "length is not a whole number of the disk's blocks";
	if (sector > d->count || bytes / VIRTIO_BLK_SECTOR > d->count - sector)
		return "outside the disk's range";
	/* In range, so first + sector does not wrap. */
	if ((d->first + sector) % (bs / VIRTIO_BLK_SECTOR))
		return "sector is not on a block of the disk";
	if (!in && d->ro)
		return "write to a read-only disk";
	return NULL;
}

/* IN or OUT: data after the header (OUT) or before the status (IN). */
static void decode_rw(const struct virtq_chain *c, const struct virtq_mem *m,
		      const struct vblk_disk *d, struct vblk_req *r, u64 sector)
{
	bool in = r->type == VIRTIO_BLK_T_IN;
	u32 bytes = in ? c->wlen - 1 : c->rlen - VIRTIO_BLK_HDR_SIZE;
	const char *why;

	/* The other stream holds only the header (IN) or status (OUT). */
	if ((in && c->rlen != VIRTIO_BLK_HDR_SIZE) || (!in && c->wlen != 1)) {
		refuse(r, "data in the wrong direction");
		return;
	}
	why = rw_check(d, sector, bytes, in);
	if (why) {
		refuse(r, why);
		return;
	}
	if (!bytes) {
		answer(r, VIRTIO_BLK_S_OK);
		return;
	}
	if (stream_vecs(r, c, m, in, in ? 0 : VIRTIO_BLK_HDR_SIZE, bytes)) {
		refuse(r, "too many pieces of guest memory");
		return;
	}
	r->action = VBLK_IO;
	r->op = in ? REQ_OP_READ : REQ_OP_WRITE;
	r->sector = d->first + sector;
	r->bytes = bytes;
}

static void decode_get_id(const struct virtq_chain *c,
			  const struct virtq_mem *m, const struct vblk_disk *d,
			  struct vblk_req *r)
{
	char id[VIRTIO_BLK_ID_BYTES] = { 0 };
	u32 n = MIN(c->wlen - 1, (u32)VIRTIO_BLK_ID_BYTES);

	/* 5.2.6: up to 20 bytes, NUL-padded only when shorter. */
	for (unsigned int i = 0; d->id && i < sizeof(id) && d->id[i]; i++)
		id[i] = d->id[i];
	if (virtq_chain_write(c, m, 0, id, n)) {
		refuse(r, "GET_ID buffer outside guest RAM");
		return;
	}
	answer(r, VIRTIO_BLK_S_OK);
}

int vblk_decode(const struct virtq_chain *c, const struct virtq_mem *m,
		const struct vblk_disk *d, struct vblk_req *r, const char **why)
{
	u8 hdr[VIRTIO_BLK_HDR_SIZE];
	u64 sector;

	r->nvecs = 0;
	r->bytes = 0;
	r->reason = NULL;
	if (c->rlen < VIRTIO_BLK_HDR_SIZE) {
		*why = "request header is not device-readable";
		return -EINVAL;
	}
	if (!c->wlen) {
		*why = "request has no device-writable status byte";
		return -EINVAL;
	}
	if (virtq_chain_read(c, m, 0, hdr, sizeof(hdr))) {
		*why = "request header outside guest RAM";
		return -EINVAL;
	}
	r->status_gpa = virtq_chain_write_gpa(c, c->wlen - 1);
	/*
	 * The used length (2.7.8) is the whole writable part, whatever the
	 * answer: the status byte is its last byte, and a driver may trust
	 * only the first len bytes (2.7.8.2). An IN that succeeds wrote all
	 * of it; for any other answer the data bytes before the status are
	 * left as they were (QEMU reports the same, its in_len). That departs
	 * knowingly from 2.7.8.1 ("MUST write at least len bytes"): no len
	 * both covers a trailing status byte and counts only bytes written,
	 * and zero-filling a refused IN's buffer would let a guest make Keel
	 * write as much memory as its chain names for every bad request.
	 */
	r->used_len = c->wlen;
	memcpy(&r->type, hdr, 4);
	memcpy(&sector, hdr + 8, 8);
	r->guest_sector = sector;
	switch (r->type) {
	case VIRTIO_BLK_T_IN:
	case VIRTIO_BLK_T_OUT:
		decode_rw(c, m, d, r, sector);
		break;
	case VIRTIO_BLK_T_FLUSH:
		if (c->rlen != VIRTIO_BLK_HDR_SIZE || c->wlen != 1) {
			refuse(r, "a flush with data");
			break;
		}
		r->action = VBLK_IO;
		r->op = REQ_OP_FLUSH;
		r->sector = 0;
		break;
	case VIRTIO_BLK_T_GET_ID:
		decode_get_id(c, m, d, r);
		break;
	default:
		answer(r, VIRTIO_BLK_S_UNSUPP);
		break;
	}
	return 0;
}
