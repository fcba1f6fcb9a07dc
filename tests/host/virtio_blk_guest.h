/* SPDX-License-Identifier: MIT */
/*
 * The virtio-blk test guest shared by the request-decoder tests
 * (test_virtq.c) and the device tests (virtio_blk_harness.h): where its
 * queue and request buffers lie in the fake guest memory (virtio_fake.h),
 * and the request header it writes (virtio 1.2 5.2.6). Each test keeps
 * its own DATA area.
 */
#ifndef KEEL_TESTS_VIRTIO_BLK_GUEST_H
#define KEEL_TESTS_VIRTIO_BLK_GUEST_H

#include "vdev/virtio_blk_req.h"
#include "virtio_fake.h"

#define QSIZE 16
#define DESC 0x1000ULL
#define AVAIL 0x2000ULL
#define USED 0x3000ULL
#define HDR 0x4000ULL
#define STATUS 0x4100ULL

/* A request header at @gpa: le32 type, le32 reserved, le64 sector. */
static inline void fake_blk_hdr(struct fake_guest *g, u64 gpa, u32 type,
				u64 sector)
{
	u8 h[VIRTIO_BLK_HDR_SIZE] = { 0 };

	memcpy(h, &type, 4);
	memcpy(h + 8, &sector, 8);
	fake_copy(g, gpa, h, sizeof(h), true);
}

#endif
