/* SPDX-License-Identifier: MIT */
/*
 * A fake guest memory for the virtio host tests and the fuzzer: RAM of
 * FAKE_RAM bytes in FAKE_CHUNKS separately allocated pieces, so that a
 * buffer crossing a piece boundary is not contiguous in host memory, as a
 * guest buffer crossing two of Keel's 2 MiB chunks is not. Every access
 * is checked against RAM, so ASan catches any path that would reach
 * outside it.
 */
#ifndef KEEL_TESTS_VIRTIO_FAKE_H
#define KEEL_TESTS_VIRTIO_FAKE_H

#include <stdlib.h>
#include <string.h>

#include "vdev/virtq.h"

#define FAKE_CHUNK (64u << 10)
#define FAKE_CHUNKS 16u
#define FAKE_RAM (FAKE_CHUNK * FAKE_CHUNKS)

struct fake_guest {
	u8 *chunk[FAKE_CHUNKS];
	u64 reads, writes, maps; /* accesses made */
	u64 bad; /* accesses outside RAM that were refused */
	struct virtq_mem mem;
};

static inline u8 *fake_ptr(struct fake_guest *g, u64 gpa)
{
	return g->chunk[gpa / FAKE_CHUNK] + gpa % FAKE_CHUNK;
}

static inline int fake_copy(struct fake_guest *g, u64 gpa, u8 *buf, u64 len,
			    bool to_guest)
{
	if (gpa >= FAKE_RAM || len > FAKE_RAM - gpa) {
		g->bad++;
		return -EFAULT;
	}
	while (len) {
		u64 n = FAKE_CHUNK - gpa % FAKE_CHUNK;

		n = n < len ? n : len;
		if (to_guest)
			memcpy(fake_ptr(g, gpa), buf, n);
		else
			memcpy(buf, fake_ptr(g, gpa), n);
		gpa += n;
		buf += n;
		len -= n;
	}
	return 0;
}

static inline int fake_read(void *ctx, u64 gpa, void *buf, u64 len)
{
	struct fake_guest *g = ctx;

	g->reads++;
	return fake_copy(g, gpa, buf, len, false);
}

static inline int fake_write(void *ctx, u64 gpa, const void *buf, u64 len)
{
	struct fake_guest *g = ctx;

	g->writes++;
	return fake_copy(g, gpa, (u8 *)buf, len, true);
}

static inline u64 fake_map(void *ctx, u64 gpa, u64 len, phys_addr_t *hpa)
{
	struct fake_guest *g = ctx;
	u64 n;

	g->maps++;
	if (gpa >= FAKE_RAM || !len || len > FAKE_RAM - gpa) {
		g->bad++;
		return 0;
	}
	n = FAKE_CHUNK - gpa % FAKE_CHUNK;
	*hpa = (phys_addr_t)(uintptr_t)fake_ptr(g, gpa);
	return n < len ? n : len;
}

static inline void fake_guest_init(struct fake_guest *g)
{
	memset(g, 0, sizeof(*g));
	for (unsigned int i = 0; i < FAKE_CHUNKS; i++)
		g->chunk[i] = calloc(1, FAKE_CHUNK);
	g->mem = (struct virtq_mem){ FAKE_RAM, fake_read, fake_write, fake_map,
				     g };
}

static inline void fake_guest_free(struct fake_guest *g)
{
	for (unsigned int i = 0; i < FAKE_CHUNKS; i++)
		free(g->chunk[i]);
}

/* Guest-side helpers: build descriptors and rings in the fake memory. */
static inline void fake_desc(struct fake_guest *g, u64 table, u16 i, u64 addr,
			     u32 len, u16 flags, u16 next)
{
	u8 raw[VIRTQ_DESC_SIZE];

	memcpy(raw, &addr, 8);
	memcpy(raw + 8, &len, 4);
	memcpy(raw + 12, &flags, 2);
	memcpy(raw + 14, &next, 2);
	fake_copy(g, table + (u64)i * VIRTQ_DESC_SIZE, raw, sizeof(raw), true);
}

static inline void fake_put16(struct fake_guest *g, u64 gpa, u16 v)
{
	fake_copy(g, gpa, (u8 *)&v, 2, true);
}

static inline u16 fake_get16(struct fake_guest *g, u64 gpa)
{
	u16 v = 0;

	fake_copy(g, gpa, (u8 *)&v, 2, false);
	return v;
}

static inline u32 fake_get32(struct fake_guest *g, u64 gpa)
{
	u32 v = 0;

	fake_copy(g, gpa, (u8 *)&v, 4, false);
	return v;
}

/* Make chain @head available in slot @idx of the avail ring at @avail. */
static inline void fake_avail(struct fake_guest *g, u64 avail, u16 size,
			      u16 idx, u16 head)
{
	fake_put16(g, avail + VIRTQ_AVAIL_RING + 2u * (idx % size), head);
	fake_put16(g, avail + VIRTQ_AVAIL_IDX, (u16)(idx + 1));
}

#endif
