// SPDX-License-Identifier: MIT
/*
 * libFuzzer target for Keel's virtio-blk device against a fake guest
 * memory (tests/host/virtio_fake.h). The first byte picks a mode:
 *
 *  - even: the input is a queue layout and guest memory; every chain the
 *    queue offers is walked (vdev/virtq.c) and decoded
 *    (vdev/virtio_blk_req.c), and the used ring written;
 *  - odd: the input is a sequence of register writes and notifies to the
 *    whole device (vdev/virtio_pci.c, vdev/virtio_blk.c) over a RAM disk,
 *    with guest memory from the input too; MSI-X control writes may flip
 *    COMMAND.Bus Master (on at the start).
 *
 * Besides ASan and UBSan, it checks that nothing ever asked the fake
 * memory for an address outside RAM (the code must check first), that
 * every bio_vec lies inside one piece of guest RAM, that a decoded I/O is
 * inside the range and on whole logical blocks (512 to 4096 bytes), and
 * that no I/O stays in flight. Notification suppression (EVENT_IDX or
 * not, per input; used_event and flags are the input's): the queue walk
 * asks after every push whether to interrupt, and with EVENT_IDX and a
 * used_event that nothing overwrote, it must say yes exactly once when
 * the pushes crossed used_event and never otherwise; the device never
 * interrupts more often than it completed requests or saw violations.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "vdev/virtio_blk.h"
#include "../host/virtio_fake.h"

#define GUEST_BYTES 0x8000u /* the part of RAM the input fills */
#define DISK_BYTES (256u << 10)

static struct fake_guest g;
static struct vblk v;
static struct ramdisk rd;
static struct request pool[32];
static u8 *disk;
static struct virtq_chain chain;
static struct vblk_req req;

static u64 clk(void *ctx)
{
	return 0;
}

static u64 irqs;

static void on_msi(void *ctx, u64 addr, u32 data)
{
	irqs++;
}

static void on_intx(void *ctx)
{
	irqs++;
}

static void on_log(void *ctx, const char *line)
{
}

static const struct vblk_ops ops = { on_msi, on_intx, on_log, NULL, NULL };

static void check(int ok)
{
	if (!ok)
		__builtin_trap();
}

/* Each bio_vec lies inside one piece of the fake RAM. */
static void check_vecs(const struct vblk_req *r)
{
	for (unsigned int i = 0; i < r->nvecs; i++) {
		const u8 *p = (const u8 *)(uintptr_t)(r->vecs[i].bv_page +
						      r->vecs[i].bv_offset);
		int inside = 0;

		for (unsigned int c = 0; c < FAKE_CHUNKS; c++)
			if (p >= g.chunk[c] &&
			    r->vecs[i].bv_len <= FAKE_CHUNK - (p - g.chunk[c]))
				inside = 1;
		check(inside && r->vecs[i].bv_len);
	}
}

static u64 take(const u8 **d, size_t *n, unsigned int bytes)
{
	u64 v = 0;

	for (unsigned int i = 0; i < bytes && *n; i++, (*d)++, (*n)--)
		v |= (u64) * *d << (8 * i);
	return v;
}

static void fill_guest(const u8 *d, size_t n)
{
	for (unsigned int c = 0; c < FAKE_CHUNKS; c++)
		memset(g.chunk[c], 0,
		       c * FAKE_CHUNK < GUEST_BYTES ? FAKE_CHUNK : 0);
	if (n > GUEST_BYTES)
		n = GUEST_BYTES;
	fake_copy(&g, 0, (u8 *)d, n, true);
}

static u16 get16(u64 gpa)
{
	u16 v = 0;

	fake_copy(&g, gpa, (u8 *)&v, sizeof(v), false);
	return v;
}

/* After a push: the interrupt decision, and avail_event as written. */
static void notify_after_push(struct virtq *q, bool ev, u32 *sent)
{
	if (virtq_need_interrupt(q, &g.mem, ev))
		++*sent;
	if (!ev)
		return;
	check(virtq_set_avail_event(q, &g.mem) >= 0);
	check(get16(q->used + VIRTQ_AVAIL_EVENT(q->size)) == q->last_avail);
}

static void walk_queue(const u8 *d, size_t n)
{
	struct vblk_disk dk = { .first = take(&d, &n, 1),
				.count = take(&d, &n, 2),
				.id = "fuzz" };
	struct virtq q = { 0 };
	const char *why;
	u8 flags = (u8)take(&d, &n, 1);
	bool ev = flags & 8, stable = true;
	u16 ue, start;
	u32 sent = 0;

	/* Read-only, logical blocks of 512 to 4096 bytes, EVENT_IDX. */
	dk.ro = flags & 1;
	dk.block_size = 512u << ((flags >> 1) % 4);

	q.size = (u16)(1u << (take(&d, &n, 1) % 10)); /* up to 512: refused */
	q.desc = take(&d, &n, 3);
	q.avail = take(&d, &n, 3);
	q.used = take(&d, &n, 3);
	q.last_avail = (u16)take(&d, &n, 2);
	q.used_idx = q.signalled = start = q.last_avail;
	q.avail_event = (u16)(q.last_avail - 1);
	fill_guest(d, n);
	if (virtq_check_layout(&q, &g.mem, &why))
		return;
	ue = get16(q.avail + VIRTQ_USED_EVENT(q.size));
	for (int i = 0; i < 2 * VIRTQ_MAX_SIZE; i++) {
		int rc = virtq_pop(&q, &g.mem, &chain, &why);

		if (rc <= 0)
			break;
		check(chain.n >= 1 && chain.n <= q.size);
		check((u64)chain.rlen + chain.wlen <= VIRTQ_MAX_CHAIN_BYTES);
		if (vblk_decode(&chain, &g.mem, &dk, &req, &why))
			break;
		check_vecs(&req);
		/* In the range, on whole blocks (the block layer's rule). */
		if (req.action == VBLK_IO && req.op != REQ_OP_FLUSH)
			check(req.sector >= dk.first &&
			      req.sector + req.bytes / 512 <=
				      dk.first + dk.count &&
			      !(req.sector % (dk.block_size / 512)) &&
			      !(req.bytes % dk.block_size));
		check(!virtq_push(&q, &g.mem, chain.head, req.used_len));
		notify_after_push(&q, ev, &sent);
		/* The rings may overlap: the device's writes can move it. */
		stable &= get16(q.avail + VIRTQ_USED_EVENT(q.size)) == ue;
	}
	check(sent <= (u16)(q.used_idx - start));
	if (ev && stable)
		check(sent == ((u16)(ue - start) < (u16)(q.used_idx - start)));
}

static void drive_device(const u8 *d, size_t n)
{
	struct vblk_disk dk = { .first = 8, .count = 256, .id = "fuzz" };
	size_t ops_len = take(&d, &n, 1) * 8;

	if (ops_len > n)
		ops_len = n;
	fill_guest(d + ops_len, n - ops_len);
	n = ops_len;
	dk.ro = n & 1;
	/* The disk is idle here, so its block size may change (block.h). */
	rd.dev.limits.logical_block_size = n & 2 ? 4096 : 512;
	vblk_init(&v, &ops, &g.mem, &rd.dev, &dk);
	vblk_bus_master(&v, true);
	irqs = 0;
	while (n) {
		u32 off = (u32)take(&d, &n, 2) % VBLK_BAR_SIZE;
		unsigned int size = 1u << (take(&d, &n, 1) % 4);
		u64 val = take(&d, &n, 4);
		u64 out;

		switch (take(&d, &n, 1) % 4) {
		case 0:
			vblk_bar_read(&v, off, size, &out);
			break;
		case 1:
			vblk_bar_write(&v, off, size, val);
			break;
		case 2:
			vblk_msix_ctrl_write(&v, (u16)val);
			if (val & BIT(31)) /* COMMAND.Bus Master flips */
				vblk_bus_master(&v, !v.bus_master);
			break;
		default:
			vblk_poll(&v);
			break;
		}
	}
	vblk_drain(&v);
	check(!v.inflight && blk_idle(&rd.dev));
	/* At most one per completion, and one per violation (config). */
	check(irqs <= v.completed + v.violations);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static int ready;

	if (!ready) {
		fake_guest_init(&g);
		disk = calloc(1, DISK_BYTES);
		if (ramdisk_init(&rd, "rd0", disk, DISK_BYTES, 4, pool, 32, clk,
				 NULL))
			abort();
		ready = 1;
	}
	if (!size)
		return 0;
	g.bad = 0;
	if (data[0] & 1)
		drive_device(data + 1, size - 1);
	else
		walk_queue(data + 1, size - 1);
	check(!g.bad);
	return 0;
}
