/* SPDX-License-Identifier: MIT */
/*
 * A batch of bios through the block layer, for the self-tests of test=ahci
 * and test=ata: submitted under one plug (so neighbours merge, and keel
 * may join reads), polled until every one has ended.
 */
#ifndef KEEL_TESTS_KERNEL_BLK_BATCH_H
#define KEEL_TESTS_KERNEL_BLK_BATCH_H

#include "block/block.h"

/* How long one batch may take; TCG and Bochs are slow. */
#define BLK_BATCH_TIMEOUT_US 120000000ULL

struct blk_batch {
	struct blk_dev *dev;
	unsigned int n;
	/* Bio @i of the batch, and whether it has ended. */
	struct bio *(*bio)(void *ctx, unsigned int i);
	bool (*done)(void *ctx, unsigned int i);
	void *ctx;
	const char *who; /* for the timeout line: "ahci", "ata" */
};

/* 0 once every bio ended; the first submit error; or -ETIMEDOUT. */
int blk_batch_run(const struct blk_batch *b);

#endif
