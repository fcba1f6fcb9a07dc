// SPDX-License-Identifier: MIT
/*
 * The split virtqueue, device side (vdev/virtq.h). The driver may rewrite
 * its rings and descriptors at any time, so each field is read once, into
 * Keel's memory, and checked there; nothing is read twice and trusted.
 */
#include "core/lib.h"
#include "vdev/virtq.h"

static bool is_pow2(u32 v)
{
	return v && !(v & (v - 1));
}

int virtq_check_layout(const struct virtq *q, const struct virtq_mem *m,
		       const char **why)
{
	u64 n = q->size;

	if (!is_pow2(q->size) || q->size > VIRTQ_MAX_SIZE)
		*why = "queue size is not a power of 2 up to 256";
	else if (!IS_ALIGNED(q->desc, VIRTQ_DESC_ALIGN) ||
		 !IS_ALIGNED(q->avail, VIRTQ_AVAIL_ALIGN) ||
		 !IS_ALIGNED(q->used, VIRTQ_USED_ALIGN))
		*why = "a ring is misaligned";
	/* 2.7 table: 6 + 2 * n and 6 + 8 * n, the event fields included. */
	else if (!virtq_in_ram(m, q->desc, n * VIRTQ_DESC_SIZE) ||
		 !virtq_in_ram(m, q->avail, VIRTQ_USED_EVENT(n) + 2) ||
		 !virtq_in_ram(m, q->used, VIRTQ_AVAIL_EVENT(n) + 2))
		*why = "a ring lies outside guest RAM";
	else
		return 0;
	return -EINVAL;
}

static int rd16(const struct virtq_mem *m, u64 gpa, u16 *v)
{
	return m->read(m->ctx, gpa, v, sizeof(*v));
}

struct desc {
	u64 addr;
	u32 len;
	u16 flags, next;
};

static int read_desc(const struct virtq *q, const struct virtq_mem *m, u16 i,
		     struct desc *d)
{
	u8 raw[VIRTQ_DESC_SIZE];

	if (m->read(m->ctx, q->desc + (u64)i * VIRTQ_DESC_SIZE, raw,
		    sizeof(raw)))
		return -EFAULT;
	memcpy(&d->addr, raw, 8);
	memcpy(&d->len, raw + 8, 4);
	memcpy(&d->flags, raw + 12, 2);
	memcpy(&d->next, raw + 14, 2);
	return 0;
}

/* Add descriptor @d to @c; NULL, or why the chain is broken. */
static const char *add_buf(struct virtq_chain *c, const struct virtq_mem *m,
			   const struct desc *d)
{
	bool write = d->flags & VIRTQ_DESC_F_WRITE;

	if (d->flags & VIRTQ_DESC_F_INDIRECT)
		return "indirect descriptor (feature not offered)";
	if (!virtq_in_ram(m, d->addr, d->len))
		return "buffer outside guest RAM";
	if (!write && c->n != c->nread)
		return "device-readable buffer after a device-writable one";
	if ((u64)c->rlen + c->wlen + d->len > VIRTQ_MAX_CHAIN_BYTES)
		return "chain longer than the total-length bound";
	c->buf[c->n++] = (struct virtq_buf){ d->addr, d->len, write };
	if (write)
		c->wlen += d->len;
	else {
		c->nread++;
		c->rlen += d->len;
	}
	return NULL;
}

static int walk(const struct virtq *q, const struct virtq_mem *m, u16 head,
		struct virtq_chain *c, const char **why)
{
	u16 i = head;
	struct desc d;

	c->head = head;
	c->n = c->nread = 0;
	c->rlen = c->wlen = 0;
	for (;;) {
		if (i >= q->size) {
			*why = "descriptor index out of range";
			return -EINVAL;
		}
		/* More descriptors than the table holds: the chain loops. */
		if (c->n == q->size) {
			*why = "chain loops or is longer than the queue";
			return -EINVAL;
		}
		if (read_desc(q, m, i, &d)) {
			*why = "descriptor table outside guest RAM";
			return -EINVAL;
		}
		*why = add_buf(c, m, &d);
		if (*why)
			return -EINVAL;
		if (!(d.flags & VIRTQ_DESC_F_NEXT))
			return 0;
		i = d.next;
	}
}

int virtq_pop(struct virtq *q, const struct virtq_mem *m, struct virtq_chain *c,
	      const char **why)
{
	u16 idx, head;

	if (rd16(m, q->avail + VIRTQ_AVAIL_IDX, &idx)) {
		*why = "available ring outside guest RAM";
		return -EINVAL;
	}
	if (idx == q->last_avail)
		return 0;
	/* 2.7.13.3: the driver never gets more than a ring ahead. */
	if ((u16)(idx - q->last_avail) > q->size) {
		*why = "available index runs more than a ring ahead";
		return -EINVAL;
	}
	if (rd16(m,
		 q->avail + VIRTQ_AVAIL_RING + 2ULL * (q->last_avail % q->size),
		 &head)) {
		*why = "available ring outside guest RAM";
		return -EINVAL;
	}
	if (walk(q, m, head, c, why))
		return -EINVAL;
	q->last_avail++;
	return 1;
}

int virtq_push(struct virtq *q, const struct virtq_mem *m, u16 head, u32 len)
{
	u32 elem[2] = { head, len };
	u16 idx = (u16)(q->used_idx + 1);
	u64 slot = q->used + VIRTQ_USED_RING +
		   (u64)VIRTQ_USED_ELEM_SIZE * (q->used_idx % q->size);

	if (m->write(m->ctx, slot, elem, sizeof(elem)))
		return -EFAULT;
	/* 2.7.8.2: the element is visible before the index that covers it. */
	__atomic_thread_fence(__ATOMIC_RELEASE);
	if (m->write(m->ctx, q->used + VIRTQ_USED_IDX, &idx, sizeof(idx)))
		return -EFAULT;
	q->used_idx = idx;
	return 0;
}

int virtq_set_used_flags(struct virtq *q, const struct virtq_mem *m, u16 flags)
{
	if (flags == q->used_flags)
		return 0;
	if (m->write(m->ctx, q->used + VIRTQ_USED_FLAGS, &flags, sizeof(flags)))
		return -EFAULT;
	q->used_flags = flags;
	/* Store (flags) then load (avail->idx): only a full fence orders
	 * them (SDM Vol.3A 9.2.3.4, loads may pass older stores). */
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	return 0;
}

int virtq_set_avail_event(struct virtq *q, const struct virtq_mem *m)
{
	u16 ev = q->last_avail;

	if (ev == q->avail_event)
		return 0;
	if (m->write(m->ctx, q->used + VIRTQ_AVAIL_EVENT(q->size), &ev,
		     sizeof(ev)))
		return -EFAULT;
	q->avail_event = ev;
	/* Store (avail_event) then load (avail->idx): as for the flags. */
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	return 1;
}

/*
 * Ordering: used->idx is stored (virtq_push) before used_event or
 * avail->flags is loaded here, else a driver that moves used_event on
 * another CPU in between could be missed by both sides. Keel runs the
 * guest's one vCPU on its own CPU and only between exits, so the guest
 * never runs while this does: the driver's code runs on the same logical
 * processor after this code, and a processor sees its own stores in
 * program order (SDM Vol.3A 9.2.2, its store buffer forwards them), so
 * the guest reads every store made here, and this code read everything
 * the guest stored before its exit. The full fence (SDM Vol.3A 9.2.3.4:
 * a load may pass an older store to another address) keeps this right
 * should the driver ever run on another CPU.
 */
bool virtq_need_interrupt(struct virtq *q, const struct virtq_mem *m,
			  bool event_idx)
{
	u16 old = q->signalled, v;

	if (old == q->used_idx)
		return false; /* nothing new in the used ring */
	q->signalled = q->used_idx;
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	/* The layout check keeps both in RAM; unreadable, interrupt anyway. */
	if (event_idx) {
		if (m->read(m->ctx, q->avail + VIRTQ_USED_EVENT(q->size), &v,
			    sizeof(v)))
			return true;
		return virtq_need_event(v, q->used_idx, old);
	}
	if (rd16(m, q->avail, &v))
		return true;
	/* 2.7.7.2: the device SHOULD NOT send then; Keel does not (the
	 * driver polls, docs/virtio.md "Notification suppression"). */
	return !(v & VIRTQ_AVAIL_F_NO_INTERRUPT);
}

/* Visit the pieces of [off, off+len) of one stream of @c. */
static int stream_copy(const struct virtq_chain *c, const struct virtq_mem *m,
		       bool write, u32 off, void *buf, u32 len)
{
	unsigned int i = write ? c->nread : 0, end = write ? c->n : c->nread;
	u8 *b = buf;

	for (; i < end && len; i++) {
		const struct virtq_buf *vb = &c->buf[i];
		u32 n;
		int rc;

		if (off >= vb->len) {
			off -= vb->len;
			continue;
		}
		n = MIN(len, vb->len - off);
		rc = write ? m->write(m->ctx, vb->gpa + off, b, n) :
			     m->read(m->ctx, vb->gpa + off, b, n);
		if (rc)
			return -EFAULT;
		b += n;
		len -= n;
		off = 0;
	}
	return len ? -EFAULT : 0;
}

int virtq_chain_read(const struct virtq_chain *c, const struct virtq_mem *m,
		     u32 off, void *buf, u32 len)
{
	return stream_copy(c, m, false, off, buf, len);
}

int virtq_chain_write(const struct virtq_chain *c, const struct virtq_mem *m,
		      u32 off, const void *buf, u32 len)
{
	return stream_copy(c, m, true, off, (void *)buf, len);
}

u64 virtq_chain_write_gpa(const struct virtq_chain *c, u32 off)
{
	for (unsigned int i = c->nread; i < c->n; i++) {
		if (off < c->buf[i].len)
			return c->buf[i].gpa + off;
		off -= c->buf[i].len;
	}
	return ~0ULL;
}
