// SPDX-License-Identifier: MIT
/* A batch of bios through the block layer; see tests/kernel/blk_batch.h. */
#include "core/console.h"
#include "arch/x86/arch.h"
#include "tests/kernel/blk_batch.h"

#define BLK_BATCH_POLL_STEP_US 10 /* between polls while waiting */

/* Submit what the queue takes now (it answers -EBUSY when full). */
static int submit_some(const struct blk_batch *b, unsigned int *next)
{
	int ret = 0;

	blk_start_plug(b->dev);
	while (*next < b->n) {
		ret = blk_submit_bio(b->bio(b->ctx, *next));
		if (ret)
			break;
		(*next)++;
	}
	blk_finish_plug(b->dev);
	return ret == -EBUSY ? 0 : ret;
}

int blk_batch_run(const struct blk_batch *b)
{
	u64 start = time_us();
	unsigned int next = 0;

	while (time_us() - start < BLK_BATCH_TIMEOUT_US) {
		bool all = true;
		int ret = submit_some(b, &next);

		if (ret)
			return ret;
		blk_poll(b->dev);
		for (unsigned int i = 0; i < b->n; i++)
			all = all && b->done(b->ctx, i);
		if (all && next == b->n)
			return 0;
		udelay(BLK_BATCH_POLL_STEP_US);
	}
	pr_warn("keel: %s: block-layer batch timed out after %llu us\n", b->who,
		(unsigned long long)BLK_BATCH_TIMEOUT_US);
	return -ETIMEDOUT;
}
