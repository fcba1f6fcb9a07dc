// SPDX-License-Identifier: MIT
/*
 * The "none" elevator: one FIFO, requests leave in the order they became
 * dispatchable. Merging asks the queue's outstanding index, O(1).
 */
#include "block/blk.h"

struct none_data {
	struct list_head fifo;
};

_Static_assert(sizeof(struct none_data) <= BLK_ELV_PRIV_SIZE,
	       "none_data does not fit elv_priv");

static struct none_data *nd(struct blk_queue *q)
{
	return (struct none_data *)q->elv_priv;
}

static void none_init(struct blk_queue *q)
{
	INIT_LIST_HEAD(&nd(q)->fifo);
}

/*
 * Linux's none tries only the 8 newest requests (blk_bio_list_merge) to
 * keep merging O(1); the queue's outstanding index finds any adjacent
 * queued request in O(1), and without the 8 mispredicted tests that scan
 * cost (blkcost under cachegrind).
 */
static struct request *none_merge_lookup(struct blk_queue *q,
					 const struct bio *bio,
					 enum elv_merge type)
{
	int dir = op_is_write(bio->bi_op) ? BLK_WRITE : BLK_READ;

	return blk_index_find_merge(q, dir,
				    type == ELV_FRONT_MERGE ?
					    bio_end_sector(bio) :
					    bio->bi_iter.bi_sector,
				    type);
}

static void none_merged(struct blk_queue *q, struct request *rq,
			enum elv_merge type)
{
}

static void none_insert(struct blk_queue *q, struct request *rq, u64 now)
{
	list_add_tail(&rq->queuelist, &nd(q)->fifo);
}

static struct request *none_dispatch_next(struct blk_queue *q, u64 now)
{
	struct request *rq;

	if (list_empty(&nd(q)->fifo))
		return NULL;
	rq = list_first_entry(&nd(q)->fifo, struct request, queuelist);
	list_del_init(&rq->queuelist);
	return rq;
}

static void none_completed(struct blk_queue *q, struct request *rq)
{
}

static bool none_has_work(struct blk_queue *q)
{
	return !list_empty(&nd(q)->fifo);
}

const struct elevator_type elevator_none = {
	.name = "none",
	.init = none_init,
	.merge_lookup = none_merge_lookup,
	.merged = none_merged,
	.insert = none_insert,
	.dispatch_next = none_dispatch_next,
	.completed = none_completed,
	.has_work = none_has_work,
};
