// SPDX-License-Identifier: MIT
/* Run starts of a sort list: see block/runs.h. */
#include "core/lib.h"
#include "block/blk.h"
#include "block/runs.h"

#define RUN_OFF offsetof(struct request, run_node)

void runs_fix(struct rb_root *runs, const struct sortq *sq, struct request *rq)
{
	struct request *prev;
	bool start;

	if (!rq)
		return;
	prev = sortq_prev(sq, rq);
	start = !prev || rq_end_sector(prev) != rq->sector;
	if (start == !!(rq->rq_flags & RQF_ELV_RUN))
		return;
	if (start) {
		rq->rq_flags |= RQF_ELV_RUN;
		rq_rb_insert(runs, &rq->run_node, RUN_OFF);
	} else {
		rq->rq_flags &= ~RQF_ELV_RUN;
		rb_erase(&rq->run_node, runs);
	}
}

void runs_drop(struct rb_root *runs, struct request *rq)
{
	if (rq->rq_flags & RQF_ELV_RUN)
		rb_erase(&rq->run_node, runs);
	rq->rq_flags &= ~RQF_ELV_RUN;
}

static struct request *run_rq(struct rb_node *n)
{
	return n ? rb_entry(n, struct request, run_node) : NULL;
}

struct request *runs_near(const struct rb_root *runs, sector_t pos)
{
	struct rb_node *n = rq_rb_lower_bound(runs, pos, RUN_OFF);
	struct request *up = run_rq(n);
	struct request *down = run_rq(n ? rb_prev(n) : rb_last(runs));

	if (!up || !down)
		return up ? up : down;
	/* The nearer; upwards on a tie, the sweep's direction. */
	return pos - down->sector < up->sector - pos ? down : up;
}
