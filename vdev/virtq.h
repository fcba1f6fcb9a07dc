/* SPDX-License-Identifier: MIT */
/*
 * The device side of a split virtqueue (virtio 1.2 2.7), written for a
 * hostile driver: every descriptor chain is checked before anything in it
 * is used (indexes in range, no loops, chain length at most the queue size,
 * a bounded total length, every buffer inside guest RAM, device-readable
 * buffers before device-writable ones, no indirect descriptors since that
 * feature is never offered). Guest memory is reached only through struct
 * virtq_mem, which checks each access, so host tests and the fuzzer run
 * this against a fake memory.
 */
#ifndef KEEL_VDEV_VIRTQ_H
#define KEEL_VDEV_VIRTQ_H

#include "core/types.h"
#include "vdev/virtio_regs.h"

/*
 * The most bytes one chain may describe. A request's data needs at most
 * seg_max * size_max (vdev/virtio_blk.c offers 126 * 64 KiB), so anything
 * longer is a broken or hostile driver.
 */
#define VIRTQ_MAX_CHAIN_BYTES MiB(16)

/*
 * Guest memory: RAM is GPA [0, ram_size). read and write copy and fail
 * (non-zero) outside RAM; map gives the host-physical address of @gpa and
 * returns how many bytes from there (1..@len) are contiguous in host
 * memory, 0 outside RAM.
 */
struct virtq_mem {
	u64 ram_size;
	int (*read)(void *ctx, u64 gpa, void *buf, u64 len);
	int (*write)(void *ctx, u64 gpa, const void *buf, u64 len);
	u64 (*map)(void *ctx, u64 gpa, u64 len, phys_addr_t *hpa);
	void *ctx;
};

/* Is [gpa, gpa+len) entirely guest RAM? */
static inline bool virtq_in_ram(const struct virtq_mem *m, u64 gpa, u64 len)
{
	return gpa < m->ram_size && len <= m->ram_size - gpa;
}

/* One queue as the driver configured it (virtio 1.2 4.1.4.3). */
struct virtq {
	u16 size; /* a power of 2, 1..VIRTQ_MAX_SIZE */
	u64 desc, avail, used; /* guest-physical */
	u16 last_avail; /* next avail ring entry the device takes */
	u16 used_idx; /* the device's used->idx */
	u16 used_flags; /* what the device last wrote to used->flags */
	u16 avail_event; /* what the device last wrote to used->avail_event */
	u16 signalled; /* used->idx when last deciding on an interrupt */
};

/*
 * Where the event fields are (virtio 1.2 2.7.6, 2.7.8): after the last
 * ring entry of a queue of @n entries. virtq_check_layout() keeps both in
 * RAM whether or not EVENT_IDX is negotiated (the 2.7 table's sizes
 * include them).
 */
#define VIRTQ_USED_EVENT(n) (VIRTQ_AVAIL_RING + 2ULL * (n))
#define VIRTQ_AVAIL_EVENT(n) (VIRTQ_USED_RING + (u64)VIRTQ_USED_ELEM_SIZE * (n))

/*
 * The event-index rule of virtio 1.2 2.7.7.2 / 2.7.10: an index moved
 * from @old to @new_idx crossed @event when event is one of old ..
 * new_idx - 1, counted modulo 2^16 so that it holds across the wrap.
 */
static inline bool virtq_need_event(u16 event, u16 new_idx, u16 old)
{
	return (u16)(new_idx - event - 1) < (u16)(new_idx - old);
}

/* One buffer of a chain, checked: inside guest RAM. */
struct virtq_buf {
	u64 gpa;
	u32 len;
	bool write; /* device-writable */
};

/*
 * A checked chain: buf[0..nread) device-readable, buf[nread..n)
 * device-writable; rlen and wlen are their total lengths.
 */
struct virtq_chain {
	u16 head;
	u16 n, nread;
	u32 rlen, wlen;
	struct virtq_buf buf[VIRTQ_MAX_SIZE];
};

/*
 * Check the layout of @q before it is enabled: size, alignment of each
 * part and every part inside RAM (virtio 1.2 2.7). 0, or -EINVAL with
 * *why set.
 */
int virtq_check_layout(const struct virtq *q, const struct virtq_mem *m,
		       const char **why);
/*
 * Take the next available chain into @c. 1: taken; 0: none available;
 * -EINVAL: the driver broke the rules (*why says how), and the queue must
 * not be used again until the device is reset.
 */
int virtq_pop(struct virtq *q, const struct virtq_mem *m, struct virtq_chain *c,
	      const char **why);
/*
 * Give chain @head back with @len bytes written into it: the used element
 * first, then used->idx, so the driver never sees an index before its
 * element. -EFAULT if the ring is no longer in RAM.
 */
int virtq_push(struct virtq *q, const struct virtq_mem *m, u16 head, u32 len);
/*
 * Write @flags to used->flags when they differ from what was written last
 * (virtio 1.2 2.7.10); a full fence after, so that the device's next read
 * of avail->idx comes after the driver can see the new flags.
 */
int virtq_set_used_flags(struct virtq *q, const struct virtq_mem *m, u16 flags);

/*
 * With EVENT_IDX: ask the driver to notify when it makes the next chain
 * available, by writing last_avail to used->avail_event (2.7.10), unless
 * that is what was written last; a full fence after, as for the flags.
 * Leaving an older value there is the suppression: the driver's index is
 * already past it, and cannot come round to it again before the device
 * takes chains (it never runs more than a ring ahead). 1: written, and
 * the caller must look at the avail ring again (a chain made available
 * before the driver could see the new value got no notify); 0: it was
 * there already; -EFAULT: the ring is no longer in RAM.
 */
int virtq_set_avail_event(struct virtq *q, const struct virtq_mem *m);
/*
 * Whether the used buffers pushed since the last call need a used-buffer
 * notification (2.7.7.2): with @event_idx, when used->idx went past the
 * driver's used_event; without, unless the driver set
 * VIRTQ_AVAIL_F_NO_INTERRUPT. Every call is one decision for a batch, so
 * however the driver sets its fields, a batch gets at most one interrupt;
 * and each pushed index falls in exactly one batch, so a driver that asks
 * for an interrupt at an index gets it.
 */
bool virtq_need_interrupt(struct virtq *q, const struct virtq_mem *m,
			  bool event_idx);

/* Copy @len bytes of the chain's readable (or writable) stream at @off. */
int virtq_chain_read(const struct virtq_chain *c, const struct virtq_mem *m,
		     u32 off, void *buf, u32 len);
int virtq_chain_write(const struct virtq_chain *c, const struct virtq_mem *m,
		      u32 off, const void *buf, u32 len);
/*
 * Where byte @off of the chain's writable stream lies (guest-physical),
 * or ~0 past its end.
 */
u64 virtq_chain_write_gpa(const struct virtq_chain *c, u32 off);

#endif
