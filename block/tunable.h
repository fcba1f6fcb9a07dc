/* SPDX-License-Identifier: MIT */
/*
 * Elevator tunables as a table: each elevator lists its knobs once (name,
 * field in its elv_priv data, unit, range, help) and block/tunable.c does
 * the lookup, range checks, unit conversion and listing for all of them.
 */
#ifndef KEEL_BLOCK_TUNABLE_H
#define KEEL_BLOCK_TUNABLE_H

#include "core/types.h"

struct blk_queue;

enum blk_tun_unit {
	BLK_TUN_COUNT, /* a plain number */
	BLK_TUN_BOOL, /* 0 or 1; anything else is -EINVAL, not -ERANGE */
	BLK_TUN_MS, /* shown in ms, stored in ns (a u64 field) */
	BLK_TUN_NS, /* shown and stored in ns */
};

/**
 * struct blk_tunable - one knob of an elevator.
 * @offset, @size: the field in the elevator's q->elv_priv data; @size is
 *	1 (bool), 4 (u32) or 8 (u64).
 * @min, @max: the accepted range in the shown unit, inclusive.
 * @read_only: shown and read, but blk_set_tunable() gives -ENOENT.
 * @may_set: optional; nonzero (e.g. -EBUSY) refuses a change right now.
 */
struct blk_tunable {
	const char *name;
	u16 offset;
	u8 size;
	u8 unit;
	bool read_only;
	u64 min, max;
	int (*may_set)(const void *priv);
	const char *help;
};

#define BLK_TUNABLE(type, field, ...)                           \
	{                                                       \
		.offset = offsetof(type, field),                \
		.size = sizeof(((type *)0)->field), __VA_ARGS__ \
	}

/* Index of @name (@len bytes, no NUL needed) in @tab, or -ENOENT. */
int blk_tunable_find(const struct blk_tunable *tab, u32 n, const char *name,
		     size_t len);
/* The value of @t in @priv, in its shown unit. */
u64 blk_tunable_load(const struct blk_tunable *t, const void *priv);
/* Range-check @val (shown unit), then store it; -ERANGE, -EINVAL, -EBUSY. */
int blk_tunable_store(const struct blk_tunable *t, void *priv, u64 val);
/*
 * Parse @s (@len bytes) into @t's shown unit: a number (0x hex too), and for
 * times an optional suffix ns, us, ms or s. -EINVAL if it is not a whole
 * number of the shown unit (e.g. "1500us" for a ms tunable).
 */
int blk_tunable_parse(const struct blk_tunable *t, const char *s, size_t len,
		      u64 *val);
/* One listing line: "name=value unit [min..max] help". Like ksnprintf. */
int blk_tunable_format(const struct blk_tunable *t, const void *priv, char *buf,
		       size_t size);

#endif
