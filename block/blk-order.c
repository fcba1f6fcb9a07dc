// SPDX-License-Identifier: MIT
/*
 * The ordering bookkeeping of completion (docs/block.md, "Correctness
 * rules"): who waits for a request that ended, and releasing the held
 * requests that no longer wait for anything, in submission order. Every
 * step costs what it releases or what waited, never the length of the
 * held list or of the outstanding flushes: under an overloaded disk
 * with flushes, nearly everything is held.
 *
 * Flushes. A flush waits for the flush before it (its barrier) and for the
 * writes submitted since that flush was submitted (its epoch); earlier
 * writes are the older flush's, which ends only after them. A write, at
 * completion, counts down the flush that closed its epoch, or the open
 * epoch's count if no flush came after it. Everything submitted while a
 * flush is outstanding waits behind the newest (rq->barrier), on that
 * flush's list of waiters, in submission order.
 */
#include "core/lib.h"
#include "block/blk.h"

/* One blocker of held @r has ended; with none left, it is ready. */
static void unblock_one(struct blk_queue *q, struct request *r,
			const char *broken)
{
	struct request *last;

	if (r->state != RQ_HELD || !r->nr_blockers) {
		blk_warn(broken);
		return;
	}
	if (--r->nr_blockers)
		return;
	if (!list_empty(&q->ready)) {
		last = list_last_entry(&q->ready, struct request, queuelist);
		q->ready_unsorted |= last->seq > r->seq;
	}
	list_del_init(&r->queuelist);
	list_add_tail(&r->queuelist, &q->ready);
}

void blk_unblock(struct blk_queue *q, struct request *r)
{
	unblock_one(q, r, "block: conflict blocker count broken");
}

/* @rq, submitted while flush @f is outstanding, waits behind it. */
void blk_barrier_wait(struct request *f, struct request *rq)
{
	rq->barrier = f;
	rq->barrier_next = NULL;
	*f->waiters_tail = rq;
	f->waiters_tail = &rq->barrier_next;
}

void blk_flush_submitted(struct blk_queue *q, struct request *f)
{
	f->waiters = NULL;
	f->waiters_tail = &f->waiters;
	f->nr_blockers += q->open_writes;
	q->open_writes = 0;
}

/*
 * Write @w ended: count it off the flush that closed its epoch. A write
 * ends only after its barrier, and flushes end in order, so every flush
 * still outstanding came after @w, and the first one closed its epoch.
 */
static void write_ended(struct blk_queue *q, struct request *w)
{
	struct request *f;

	if (list_empty(&q->flushes)) {
		if (!q->open_writes)
			blk_warn("block: flush epoch count broken");
		else
			q->open_writes--;
		return;
	}
	f = list_first_entry(&q->flushes, struct request, flushlist);
	if (f->seq < w->seq) {
		blk_warn("block: flush epoch broken");
		return;
	}
	unblock_one(q, f, "block: flush blocker count broken");
}

/* Flush @f ended: whatever was submitted behind it may go. */
static void flush_ended(struct blk_queue *q, struct request *f)
{
	struct request *r = f->waiters, *next;

	f->waiters = NULL;
	f->waiters_tail = &f->waiters;
	for (; r; r = next) {
		next = r->barrier_next;
		r->barrier_next = NULL;
		r->barrier = NULL;
		unblock_one(q, r, "block: barrier blocker count broken");
	}
}

void blk_unblock_waiters(struct blk_queue *q, struct request *done)
{
	if (done->op == REQ_OP_FLUSH) {
		flush_ended(q, done);
		return;
	}
	if (op_is_write(done->op))
		write_ended(q, done);
	/*
	 * Later conflicting neighbours counted @done when they arrived, and
	 * marked it: without the mark there is nobody to look for, which
	 * spares most completions two index lookups.
	 */
	if (!(done->rq_flags & RQF_WAITERS))
		return;
	sector_t s = done->sector, e = rq_end_sector(done);
	sector_t lo = s > q->dev->limits.max_sectors ?
			      s - q->dev->limits.max_sectors + 1 :
			      0;

	for (int d = op_is_write(done->op) ? BLK_READ : BLK_WRITE;
	     d < BLK_NR_DIRS; d++) {
		struct blk_index_iter it;
		struct request *r;

		if (!q->ot_count[d])
			continue;
		blk_index_iter_init(&it, q, d, lo, e);
		while ((r = blk_index_iter_next(&it)))
			if (rq_end_sector(r) > s && r->seq > done->seq)
				blk_unblock(q, r);
	}
}

static u64 rq_seq(const struct list_head *e)
{
	return list_entry(e, struct request, queuelist)->seq;
}

/* Merge two NULL-terminated chains (through ->next) sorted by seq. */
static struct list_head *merge(struct list_head *a, struct list_head *b)
{
	struct list_head head, *t = &head;

	while (a && b) {
		struct list_head **min = rq_seq(a) <= rq_seq(b) ? &a : &b;

		t->next = *min;
		t = *min;
		*min = (*min)->next;
	}
	t->next = a ? a : b;
	return head.next;
}

/* Sort a NULL-terminated chain of @n by seq: O(n log n), depth log n. */
static struct list_head *sort_chain(struct list_head *c, u32 n)
{
	struct list_head *mid = c, *rest;

	if (n < 2)
		return c;
	for (u32 i = 1; i < n / 2; i++)
		mid = mid->next;
	rest = mid->next;
	mid->next = NULL;
	return merge(sort_chain(c, n / 2), sort_chain(rest, n - n / 2));
}

/*
 * Conflict waiters hit zero in index order: put q->ready back in
 * submission order (rarely needed: a flush's waiters come in order).
 */
static void sort_ready(struct blk_queue *q)
{
	struct list_head *c = q->ready.next, *prev = &q->ready;
	u32 n = 0;

	for (struct list_head *p = c; p != &q->ready; p = p->next)
		n++;
	q->ready.prev->next = NULL;
	c = sort_chain(c, n);
	q->ready.next = c;
	for (; c; prev = c, c = c->next)
		c->prev = prev;
	prev->next = &q->ready;
	q->ready.prev = prev;
	q->ready_unsorted = false;
}

void blk_release_held(struct blk_queue *q, u64 now)
{
	if (q->ready_unsorted)
		sort_ready(q);
	while (!list_empty(&q->ready)) {
		struct request *r =
			list_first_entry(&q->ready, struct request, queuelist);

		list_del_init(&r->queuelist);
		blk_make_ready(q, r, now);
	}
}
