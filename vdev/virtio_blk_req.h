/* SPDX-License-Identifier: MIT */
/*
 * virtio-blk requests (virtio 1.2 5.2.6), device side: a checked chain
 * (vdev/virtq.h) becomes either a block-layer I/O whose bio_vecs point
 * straight at the guest's buffers, or an answer the device gives at once.
 * Framing follows 2.6.4: the header is the first 16 bytes of the readable
 * bytes and the status the last writable byte, however the driver split
 * them into descriptors. Pure, so host tests and the fuzzer drive it.
 */
#ifndef KEEL_VDEV_VIRTIO_BLK_REQ_H
#define KEEL_VDEV_VIRTIO_BLK_REQ_H

#include "block/block.h"
#include "vdev/virtq.h"

/*
 * bio_vecs one request may need: each buffer is a piece of at most
 * size_max bytes, so it crosses at most one 2 MiB host chunk boundary;
 * a chain that needs more gets IOERR.
 */
#define VBLK_MAX_VECS (2 * VIRTQ_MAX_SIZE)

/* What the guest was given: sectors [first, first+count) of a disk. */
struct vblk_disk {
	u64 first, count;
	bool ro;
	const char *id; /* GET_ID answer, at most 20 bytes used */
	/*
	 * The disk's logical block size in bytes (0: 512; vblk_init() takes
	 * the block device's). first, count and every request's sector stay
	 * in 512-byte units (virtio 1.2 5.2.4, 5.2.6); a request not on whole
	 * blocks is answered IOERR.
	 */
	u32 block_size;
};

enum vblk_action {
	VBLK_DONE, /* answer at once with status */
	VBLK_IO, /* submit op on sector.. with vecs, then answer */
};

struct vblk_req {
	enum vblk_action action;
	u32 type; /* VIRTIO_BLK_T_* */
	u8 status; /* VIRTIO_BLK_S_*, for VBLK_DONE */
	const char *reason; /* why an IOERR answer, for the console */
	u8 op; /* REQ_OP_* for VBLK_IO */
	u64 sector; /* on the disk: guest sector + first */
	u64 guest_sector; /* the header's, as the driver wrote it */
	u32 bytes; /* data length */
	u64 status_gpa; /* the status byte */
	u32 used_len; /* used len: the chain's writable bytes, status last */
	u16 nvecs;
	struct bio_vec vecs[VBLK_MAX_VECS];
};

/*
 * Decode chain @c. 0: @r says what to do (GET_ID's answer has already been
 * written into the chain). -EINVAL: no header or no status byte, a
 * violation that needs a device reset; *why says which.
 */
int vblk_decode(const struct virtq_chain *c, const struct virtq_mem *m,
		const struct vblk_disk *d, struct vblk_req *r,
		const char **why);

#endif
