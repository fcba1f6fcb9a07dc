// SPDX-License-Identifier: MIT
/*
 * The virtio-blk device itself: reset and the status sequence (3.1.1),
 * feature negotiation (2.2, 5.2.3), the device configuration (5.2.4), one
 * split virtqueue (2.7) and requests on it (5.2.6), completed by polling
 * the used ring.
 */
#include "virtio.h"

/* Queue memory: each part aligned beyond its 2.7 minimum, to a page. */
static struct vring_desc ring_desc[VQ_MAX] __attribute__((aligned(4096)));
static struct vring_avail ring_avail __attribute__((aligned(4096)));
static struct vring_used ring_used __attribute__((aligned(4096)));
/* Per-request header and status, indexed by the chain's head. */
static struct vblk_req_hdr req_hdr[VQ_MAX] __attribute__((aligned(16)));
static volatile u8 req_status[VQ_MAX];

/* Features this driver knows; RO is taken so that it can be honoured. */
#define VBLK_WANTED                                                 \
	(FEAT(VIRTIO_F_VERSION_1) | FEAT(VIRTIO_BLK_F_FLUSH) |      \
	 FEAT(VIRTIO_BLK_F_BLK_SIZE) | FEAT(VIRTIO_BLK_F_SEG_MAX) | \
	 FEAT(VIRTIO_BLK_F_SIZE_MAX) | FEAT(VIRTIO_BLK_F_RO))

u8 vblk_status(const struct vblk *d)
{
	return mmio_rd8(d->common + VCOM_STATUS);
}

static void set_status(struct vblk *d, u8 bits)
{
	mmio_wr8(d->common + VCOM_STATUS, vblk_status(d) | bits);
}

/* 4.1.4.3.2: after writing 0 the driver waits until status reads 0. */
void vblk_reset(struct vblk *d)
{
	mmio_wr8(d->common + VCOM_STATUS, 0);
	for (u32 n = 0; n < d->poll_max && vblk_status(d); n++)
		__asm__ volatile("pause");
}

static u64 read_features(struct vblk *d)
{
	u64 f;

	mmio_wr32(d->common + VCOM_DFSELECT, 0);
	f = mmio_rd32(d->common + VCOM_DF);
	mmio_wr32(d->common + VCOM_DFSELECT, 1);
	return f | (u64)mmio_rd32(d->common + VCOM_DF) << 32;
}

static void write_features(struct vblk *d, u64 f)
{
	mmio_wr32(d->common + VCOM_GFSELECT, 0);
	mmio_wr32(d->common + VCOM_GF, (u32)f);
	mmio_wr32(d->common + VCOM_GFSELECT, 1);
	mmio_wr32(d->common + VCOM_GF, (u32)(f >> 32));
}

/* 4.1.4.3.1: re-read until config_generation is stable. */
u64 vblk_cfg_capacity(const struct vblk *d)
{
	u32 gen, lo, hi;

	do {
		gen = mmio_rd8(d->common + VCOM_CFG_GENERATION);
		lo = mmio_rd32(d->devcfg + VBLK_CFG_CAPACITY);
		hi = mmio_rd32(d->devcfg + VBLK_CFG_CAPACITY + 4);
	} while (gen != mmio_rd8(d->common + VCOM_CFG_GENERATION));
	return (u64)hi << 32 | lo;
}

/* A 32-bit field of the device configuration, or @dflt when the
 * feature that brings it was not negotiated or the region is too short. */
static u32 cfg32(const struct vblk *d, u32 feature, u32 off, u32 dflt)
{
	if (!(d->features & FEAT(feature)) || off + 4 > d->devcfg_len)
		return dflt;
	return mmio_rd32(d->devcfg + off);
}

static void read_config(struct vblk *d)
{
	d->capacity = vblk_cfg_capacity(d);
	d->size_max = cfg32(d, VIRTIO_BLK_F_SIZE_MAX, VBLK_CFG_SIZE_MAX, 0);
	d->seg_max = cfg32(d, VIRTIO_BLK_F_SEG_MAX, VBLK_CFG_SEG_MAX, 0);
	d->blk_size =
		cfg32(d, VIRTIO_BLK_F_BLK_SIZE, VBLK_CFG_BLK_SIZE, VBLK_SECTOR);
}

static void build_free_list(struct vblk *d)
{
	memset(ring_desc, 0, sizeof(ring_desc));
	memset(&ring_avail, 0, sizeof(ring_avail));
	memset(&ring_used, 0, sizeof(ring_used));
	for (u16 i = 0; i < d->qsize; i++)
		ring_desc[i].next = i + 1;
	d->free_head = 0;
	d->nfree = d->qsize;
	d->avail_idx = 0;
	d->used_seen = 0;
	d->kicked = 0;
	d->desc = ring_desc;
	d->avail = &ring_avail;
	d->used = &ring_used;
}

/* A failure's reason into the caller's buffer. */
void vsay(char *why, size_t whysz, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	kvsnprintf(why, whysz, fmt, ap);
	va_end(ap);
}

static void write64(u32 addr, u32 v)
{
	mmio_wr32(addr, v);
	mmio_wr32(addr + 4, 0);
}

/* 4.1.5.1.3: queue 0, size a power of two (2.7) up to @want. */
static int setup_queue(struct vblk *d, u16 want, u16 msix_vec, char *why,
		       size_t whysz)
{
	u16 max, q = 1;
	u32 noff;

	mmio_wr16(d->common + VCOM_Q_SELECT, 0);
	max = mmio_rd16(d->common + VCOM_Q_SIZE);
	if (!max) {
		vsay(why, whysz, "queue 0 size 0");
		return -1;
	}
	while ((u32)q * 2 <= max && (u32)q * 2 <= want && q * 2 <= VQ_MAX)
		q *= 2;
	d->qsize = q;
	build_free_list(d);
	mmio_wr16(d->common + VCOM_Q_SIZE, q);
	write64(d->common + VCOM_Q_DESC, (u32)ring_desc);
	write64(d->common + VCOM_Q_DRIVER, (u32)&ring_avail);
	write64(d->common + VCOM_Q_DEVICE, (u32)&ring_used);
	noff = mmio_rd16(d->common + VCOM_Q_NOTIFY_OFF) * d->notify_mult;
	/* 4.1.4.4: the doorbell lies inside the notification region. */
	if (noff + 2 > d->notify_len) {
		vsay(why, whysz, "doorbell 0x%x beyond notify length 0x%x",
		     noff, d->notify_len);
		return -1;
	}
	d->notify_addr = d->notify + noff;
	mmio_wr16(d->common + VCOM_Q_MSIX, msix_vec);
	/* 4.1.5.1.2: a vector the device cannot map reads back NO_VECTOR. */
	if (msix_vec != VIRTIO_MSI_NO_VECTOR &&
	    mmio_rd16(d->common + VCOM_Q_MSIX) != msix_vec) {
		vsay(why, whysz, "queue MSI-X vector refused");
		return -1;
	}
	mmio_wr16(d->common + VCOM_Q_ENABLE, 1);
	/* A device that refuses the queue's layout leaves it off. */
	if (mmio_rd16(d->common + VCOM_Q_ENABLE) != 1) {
		vsay(why, whysz, "queue_enable reads 0 (status 0x%x)",
		     vblk_status(d));
		return -1;
	}
	return 0;
}

static int fail(struct vblk *d, char *why, size_t whysz, const char *msg)
{
	set_status(d, VIRTIO_S_FAILED);
	vsay(why, whysz, "%s", msg);
	return -1;
}

/*
 * The initialisation sequence of 3.1.1. @msix_vec is the MSI-X table
 * entry for queue 0 (VIRTIO_MSI_NO_VECTOR for INTx or polling). On
 * failure, @why says which step refused.
 */
int vblk_init(struct vblk *d, u16 want_qsize, u16 msix_vec, char *why,
	      size_t whysz)
{
	vblk_reset(d);
	if (vblk_status(d))
		return fail(d, why, whysz, "reset: status stays non-zero");
	set_status(d, VIRTIO_S_ACKNOWLEDGE);
	set_status(d, VIRTIO_S_DRIVER);
	d->dev_features = read_features(d);
	if (!(d->dev_features & FEAT(VIRTIO_F_VERSION_1)))
		return fail(d, why, whysz, "VERSION_1 not offered");
	d->features = d->dev_features & VBLK_WANTED;
	if (d->want_event_idx)
		d->features |= d->dev_features & FEAT(VIRTIO_F_EVENT_IDX);
	write_features(d, d->features);
	set_status(d, VIRTIO_S_FEATURES_OK);
	if (!(vblk_status(d) & VIRTIO_S_FEATURES_OK))
		return fail(d, why, whysz, "FEATURES_OK not kept");
	read_config(d);
	mmio_wr16(d->common + VCOM_MSIX_CONFIG, VIRTIO_MSI_NO_VECTOR);
	if (setup_queue(d, want_qsize, msix_vec, why, whysz)) {
		set_status(d, VIRTIO_S_FAILED);
		return -1;
	}
	set_status(d, VIRTIO_S_DRIVER_OK);
	return 0;
}

static u16 alloc_desc(struct vblk *d)
{
	u16 i = d->free_head;

	d->free_head = ring_desc[i].next;
	d->nfree--;
	return i;
}

static void free_chain(struct vblk *d, u16 head)
{
	u16 i = head;

	/* Bounded by the queue size: the device never rewrites a chain. */
	for (u16 n = 0; n < d->qsize; n++) {
		bool more = ring_desc[i].flags & VRING_DESC_F_NEXT;
		u16 next = ring_desc[i].next;

		ring_desc[i].flags = 0;
		ring_desc[i].next = d->free_head;
		d->free_head = i;
		d->nfree++;
		if (!more)
			break;
		i = next;
	}
}

static void set_desc(u16 i, u32 addr, u32 len, u16 flags, u16 next)
{
	ring_desc[i] = (struct vring_desc){ addr, len, flags, next };
}

/* 2.7.13: make a chain available, the index last. */
void vblk_post(struct vblk *d, u16 head)
{
	d->avail->ring[d->avail_idx % d->qsize] = head;
	barrier();
	d->avail_idx++;
	*(volatile u16 *)&d->avail->idx = d->avail_idx;
	barrier();
}

/*
 * Queue one request: header, @nseg data segments (device-writable for IN
 * and GET_ID), status. Returns the head, or -1 when the queue is full.
 */
int vblk_submit(struct vblk *d, u32 type, u64 sector, const struct vseg *segs,
		u32 nseg)
{
	bool dev_writes = type == VIRTIO_BLK_T_IN ||
			  type == VIRTIO_BLK_T_GET_ID;
	u16 head, prev, i;

	if (nseg + 2 > d->nfree)
		return -1;
	head = alloc_desc(d);
	req_hdr[head] = (struct vblk_req_hdr){ type, 0, sector };
	req_status[head] = VBLK_S_NONE;
	set_desc(head, (u32)&req_hdr[head], sizeof(req_hdr[0]), 0, 0);
	prev = head;
	for (u32 s = 0; s < nseg; s++) {
		i = alloc_desc(d);
		ring_desc[prev].flags |= VRING_DESC_F_NEXT;
		ring_desc[prev].next = i;
		set_desc(i, segs[s].addr, segs[s].len,
			 dev_writes ? VRING_DESC_F_WRITE : 0, 0);
		prev = i;
	}
	i = alloc_desc(d);
	ring_desc[prev].flags |= VRING_DESC_F_NEXT;
	ring_desc[prev].next = i;
	set_desc(i, (u32)&req_status[head], 1, VRING_DESC_F_WRITE, 0);
	vblk_post(d, head);
	return head;
}

u8 vblk_req_status(u16 head)
{
	return req_status[head];
}

bool vblk_event_idx(const struct vblk *d)
{
	return d->features & FEAT(VIRTIO_F_EVENT_IDX);
}

/*
 * With EVENT_IDX: ask for a used-buffer notification when the device
 * uses the element at index @ev (2.7.7); meaningless without it.
 */
/* The event fields sit right after ring[qsize - 1] (2.7.6, 2.7.8). */
static volatile u16 *vblk_used_event(const struct vblk *d)
{
	return (volatile u16 *)((u32)d->avail + VRING_RING_OFF +
				sizeof(d->avail->ring[0]) * d->qsize);
}

static volatile u16 *vblk_avail_event(const struct vblk *d)
{
	return (volatile u16 *)((u32)d->used + VRING_RING_OFF +
				sizeof(d->used->ring[0]) * d->qsize);
}

void vblk_set_used_event(struct vblk *d, u16 ev)
{
	*vblk_used_event(d) = ev;
	barrier();
}

/* 4.1.5.2: the queue index goes to the queue's doorbell. */
void vblk_kick(struct vblk *d)
{
	d->kicked = d->avail_idx;
	mmio_wr16(d->notify_addr, 0);
}

/*
 * Notify unless the device advised against it (2.7.10): without
 * EVENT_IDX by used->flags bit 0, with it when the chains made available
 * since the last decision include the one at avail_event (the same
 * wrap-safe rule as the device's). The full fence orders the avail->idx
 * store before the flags or avail_event load (SDM Vol.3A 9.2.3.4); LOCK
 * ADD is one on every x86. Returns whether it notified.
 */
bool vblk_kick_advised(struct vblk *d)
{
	u16 old = d->kicked, ev;

	d->kicked = d->avail_idx;
	__asm__ volatile("lock; addl $0, (%%esp)" ::: "memory");
	if (vblk_event_idx(d)) {
		ev = *vblk_avail_event(d);
		if ((u16)(d->avail_idx - ev - 1) >= (u16)(d->avail_idx - old))
			return false;
	} else if (*(volatile u16 *)&d->used->flags & VRING_USED_F_NO_NOTIFY) {
		return false;
	}
	mmio_wr16(d->notify_addr, 0);
	return true;
}

/*
 * Poll the used ring until every posted chain is back, freeing each.
 * Returns 0, or -1 after d->poll_max polls without progress.
 */
int vblk_wait_all(struct vblk *d)
{
	u32 idle = 0;

	while (d->used_seen != d->avail_idx) {
		u16 idx = *(volatile u16 *)&d->used->idx;

		if (idx == d->used_seen) {
			if (++idle >= d->poll_max)
				return -1;
			__asm__ volatile("pause");
			continue;
		}
		idle = 0;
		barrier();
		while (d->used_seen != idx) {
			u32 id = d->used->ring[d->used_seen % d->qsize].id;

			if (id < d->qsize)
				free_chain(d, (u16)id);
			d->used_seen++;
		}
		if (vblk_event_idx(d))
			vblk_set_used_event(d, d->used_seen);
	}
	return 0;
}

/* Free every chain the device has returned; how many there were. */
u32 vblk_reap(struct vblk *d)
{
	u16 idx = *(volatile u16 *)&d->used->idx;
	u32 n = 0;

	barrier();
	while (d->used_seen != idx) {
		u32 id = d->used->ring[d->used_seen % d->qsize].id;

		if (id < d->qsize)
			free_chain(d, (u16)id);
		d->used_seen++;
		n++;
	}
	/* EVENT_IDX: interrupt at the next completion (2.7.7). */
	if (n && vblk_event_idx(d))
		vblk_set_used_event(d, d->used_seen);
	return n;
}

/* One request, waited for; @status gets its status byte. */
int vblk_do(struct vblk *d, u32 type, u64 sector, const struct vseg *segs,
	    u32 nseg, u8 *status)
{
	int head = vblk_submit(d, type, sector, segs, nseg);

	if (head < 0)
		return -1;
	vblk_kick(d);
	if (vblk_wait_all(d))
		return -1;
	*status = vblk_req_status((u16)head);
	return 0;
}
