/* SPDX-License-Identifier: MIT */
/*
 * The ranges the test guest writes the AHCI pattern to through virtio-blk.
 * Keep vpat_ranges[] identical to the table in docs/virtio-guest.md.
 */
#ifndef KEEL_GUEST_VIRTIO_PATTERN_H
#define KEEL_GUEST_VIRTIO_PATTERN_H

#include "virtio.h"

/* How a request's buffer lies in memory (as docs/ahci.md's layouts). */
enum vbuf_layout {
	VBUF_CONTIG, /* contiguous, split only by size_max */
	VBUF_SCATTER, /* every other page: one segment per page */
	VBUF_SUBPAGE, /* one 512-byte segment per page, odd offsets */
};

struct vpat_range {
	const char *name;
	s32 lba; /* first LBA; negative counts back from the disk's end */
	u32 sectors; /* per request */
	u32 repeat; /* requests, submitted together */
	u32 stride; /* sectors from one request's start to the next */
	enum vbuf_layout layout;
};

extern const struct vpat_range vpat_ranges[];
extern const u32 vpat_nranges;

u64 vpat_req_lba(const struct vpat_range *rg, u64 capacity, u32 k);
bool vpat_range_io(struct vblk *d, const struct vpat_range *rg, bool write,
		   char *why, size_t whysz);
bool vpat_read_one(struct vblk *d, u64 lba, u8 *status);
u32 vpat_scratch(void);

#endif
