/* SPDX-License-Identifier: MIT */
/*
 * One pattern pass over a range (tests/kernel/ahci_pattern.h), shared by
 * test=ahci and test=ata, by driver API and through the block layer alike:
 * set up every request of the range, run them together, check statuses
 * and (reads) every byte, report one TEST line, free. The self-test
 * supplies how a request is built, run, checked and freed.
 */
#ifndef KEEL_TESTS_KERNEL_PATTERN_PASS_H
#define KEEL_TESTS_KERNEL_PATTERN_PASS_H

#include "tests/kernel/ahci_pattern.h"

struct pattern_pass;

struct pattern_pass_ops {
	/*
	 * Request @k of the range at @lba: its buffer, then the pattern
	 * (write) or poison (read). 0, -ENOMEM, or another errno.
	 */
	int (*prepare)(struct pattern_pass *p, unsigned int k, u64 lba);
	/* Start requests 0..@n-1 together and wait for all: 0 or an errno. */
	int (*run)(struct pattern_pass *p, unsigned int n);
	/* Request @k's completion status: 0 or an errno. */
	int (*status)(struct pattern_pass *p, unsigned int k);
	/* Read pass: byte offset of request @k's first wrong byte, or -1. */
	long (*check)(struct pattern_pass *p, unsigned int k);
	/* Free requests 0..@n-1. */
	void (*release)(struct pattern_pass *p, unsigned int n);
};

struct pattern_pass {
	const struct pattern_pass_ops *ops;
	void (*report)(bool ok, const char *name, const char *detail);
	const char *prefix; /* of the TEST name: "", "blk.", "pio." */
	u64 capacity; /* sectors, for ranges counted from the end */
	unsigned int max_reqs; /* the most requests prepare can hold */
	const char *note; /* appended to a PASS detail (e.g. " FUA"), or NULL */
	bool write; /* this pass: set by pattern_pass_range() */
	void *ctx; /* the self-test's */
};

/*
 * Write, or read back and check, every request of @rg; one TEST line
 * "<prefix><write|read>.<range>". Returns 0 when it passed.
 */
int pattern_pass_range(struct pattern_pass *p,
		       const struct ahci_pattern_range *rg, bool write);

#endif
