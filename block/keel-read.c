// SPDX-License-Identifier: MIT
/*
 * The keel elevator (block/keel.c): which read goes next. Nearest first
 * from the head in both directions, young reads first, elder reads as a
 * batch in a drain, the last two reads of a cut the shorter way round, and
 * a write that a held read waits for first. docs/block.md, "keel", rules
 * 4, 7, 9 and 10. Every step is a tree lookup or a list head, O(log n).
 */
#include "core/lib.h"
#include "block/keel.h"

/* Of the neighbours of @head below and above it, the nearer (up on a tie). */
static struct request *closer(sector_t head, struct request *down,
			      struct request *up)
{
	if (!up)
		return down;
	if (!down)
		return up;
	return dist(head, down) < dist(head, up) ? down : up;
}

/* The read of a young or elder tree nearest to @head either way, or NULL. */
static struct request *nearest_rb(const struct rb_root *root, sector_t head)
{
	struct rb_node *n = rq_rb_lower_bound(root, head, RB_OFF);

	return closer(head, rb_rq(n ? rb_prev(n) : rb_last(root)), rb_rq(n));
}

/* The same in a sort list. */
static struct request *nearest(const struct sortq *sq, sector_t head)
{
	struct request *up = sortq_lower_bound(sq, head);

	return closer(head, up ? sortq_prev(sq, up) : sortq_last(sq), up);
}

/* Reads older than young_ns move to the old tree, oldest first. */
void keel_age(struct keel_data *d, u64 now)
{
	struct request *rq = d->first_young;

	while (rq && now - rq->fifo_time >= d->young_ns) {
		struct list_head *next = rq->queuelist.next;

		rb_erase(&rq->rb_node, &d->young);
		rq->rq_flags &= ~RQF_ELV_YOUNG;
		sortq_insert(&d->sort[BLK_READ], rq);
		rq = next == &d->fifo_list[BLK_READ] ?
			     NULL :
			     list_entry(next, struct request, queuelist);
	}
	d->first_young = rq;
}

/* The read keel would serve next outside a drain. */
static struct request *pick_read(struct keel_data *d)
{
	struct request *y = nearest_rb(&d->young, d->head);
	struct request *o = nearest(&d->sort[BLK_READ], d->head);
	struct request *e = nearest_rb(&d->elder, d->head);

	/* Elder reads left from a drain count as old ones. */
	if (e && (!o || dist(d->head, e) < dist(d->head, o)))
		o = e;

	if (!y || !o)
		return y ? y : o;
	if (dist(d->head, y) / d->young_reach <= dist(d->head, o))
		return y;
	return o;
}

/*
 * Reads that have waited at least drain_pct % as long as the oldest read
 * become elder, oldest first. The bound only rises (time passes, and the
 * oldest read, once served, is followed by a younger one), so a read never
 * has to leave the elder tree before it is dispatched.
 */
static void keel_promote(struct keel_data *d, u64 now)
{
	struct request *oldest = fifo_head(d, BLK_READ), *rq;
	u64 bound;

	if (!oldest)
		return;
	bound = now - (now - oldest->fifo_time) / 100 * d->drain_pct;
	while ((rq = d->first_plain) && !(rq->rq_flags & RQF_ELV_YOUNG) &&
	       rq->fifo_time <= bound) {
		sortq_erase(&d->sort[BLK_READ], rq, rq->sector);
		rq->rq_flags |= RQF_ELV_ELDER;
		rq_rb_insert(&d->elder, &rq->rb_node, RB_OFF);
		d->first_plain = fifo_next(d, rq);
	}
}

/*
 * The last two reads of a cut into a write sweep: whichever order they go
 * in, the disk seeks three times (to one, to the other, back to the next
 * write), so the order that travels less wins; nearest-first alone can
 * leave the far one for last and a long way back. Neither is young here:
 * a young read goes first anyway.
 */
static struct request *last_two_reads(struct keel_data *d)
{
	struct request *a = fifo_head(d, BLK_READ);
	struct request *b =
		list_entry(a->queuelist.next, struct request, queuelist);
	sector_t w = next_write(d)->sector;
	u64 ab = dist(d->head, a) + dist(rq_end_sector(a), b) +
		 sector_dist(rq_end_sector(b), w);
	u64 ba = dist(d->head, b) + dist(rq_end_sector(b), a) +
		 sector_dist(rq_end_sector(a), w);

	return ab <= ba ? a : b;
}

/*
 * The read keel serves next. In a drain (no read young) that is the elder
 * read nearest to the head: the reads that waited longest, where plain
 * nearest-first would leave them to aging until the drain's end. Elder
 * reads form a batch: more become elder only once it is empty, so no read
 * that turned elder later and sits nearer keeps the oldest waiting, and
 * the batch ends within as many reads as it holds.
 */
struct request *keel_choose_read(struct keel_data *d, u64 now)
{
	if (!list_empty(&d->urgent))
		return list_first_entry(&d->urgent, struct request, flushlist);
	if (d->nr_reads == 2 && !d->young.node &&
	    !list_empty(&d->fifo_list[BLK_WRITE]))
		return last_two_reads(d);
	if (!d->drain_pct || d->young.node)
		return pick_read(d);
	if (!d->elder.node)
		keel_promote(d, now);
	return d->elder.node ? nearest_rb(&d->elder, d->head) : pick_read(d);
}
