// SPDX-License-Identifier: MIT
/*
 * Block devices as a list and their set-up: registration with its limits
 * checked, the elevators to choose from (the default and per device), and
 * the statistics a device keeps. The request queue itself is blk-core.c.
 */
#include "core/lib.h"
#include "block/blk.h"

/* Linux's default for rotational single-queue devices is mq-deadline. */
static const struct elevator_type *default_elv = &elevator_deadline;

static const struct elevator_type *const elevators[] = {
	&elevator_none,
	&elevator_deadline,
	&elevator_kyber,
	&elevator_keel,
};

/* Registered devices, for listing (the shell's blk); the first ones only. */
static struct blk_dev *devices[BLK_MAX_DEVICES];
static unsigned int n_devices;

static void remember_dev(struct blk_dev *dev)
{
	for (unsigned int i = 0; i < n_devices; i++)
		if (devices[i] == dev)
			return;
	if (n_devices < BLK_MAX_DEVICES)
		devices[n_devices++] = dev;
}

struct blk_dev *blk_dev_at(unsigned int i)
{
	return i < n_devices ? devices[i] : NULL;
}

struct blk_dev *blk_dev_find(const char *name)
{
	for (unsigned int i = 0; i < n_devices; i++)
		if (devices[i]->name && !strcmp(devices[i]->name, name))
			return devices[i];
	return NULL;
}

static const struct elevator_type *find_elv(const char *name)
{
	for (size_t i = 0; i < ARRAY_SIZE(elevators); i++)
		if (!strcmp(elevators[i]->name, name))
			return elevators[i];
	return NULL;
}

int blk_set_default_elevator(const char *name)
{
	const struct elevator_type *e = find_elv(name);

	if (!e)
		return -EINVAL;
	default_elv = e;
	return 0;
}

const char *blk_default_elevator(void)
{
	return default_elv->name;
}

const char *blk_elevator_at(unsigned int i)
{
	return i < ARRAY_SIZE(elevators) ? elevators[i]->name : NULL;
}

void blk_limits_default(struct blk_queue_limits *lim)
{
	/* Linux BLK_DEF_MAX_SECTORS_CAP (2560) rounded to 1 MiB. */
	lim->max_sectors = 2048;
	/* Linux BLK_MAX_SEGMENTS and BLK_MAX_SEGMENT_SIZE. */
	lim->max_segments = 128;
	lim->max_segment_size = 65536;
	/* Linux BLK_SEG_BOUNDARY_MASK: segments never cross 4 GiB. */
	lim->seg_boundary_mask = 0xffffffffULL;
	lim->features = 0;
	lim->logical_block_size = SECTOR_SIZE;
}

int blk_dev_register(struct blk_dev *dev, struct request *pool, u32 npool,
		     blk_clock_fn clock, void *clock_ctx)
{
	struct blk_queue *q = &dev->q;
	const struct blk_queue_limits *lim = &dev->limits;

	if (!dev->ops || !dev->ops->submit || !clock || !npool ||
	    !dev->queue_depth || dev->queue_depth > BLK_MAX_DEPTH ||
	    !lim->max_sectors || !lim->max_segments ||
	    lim->max_segment_size < SECTOR_SIZE ||
	    lim->seg_boundary_mask < SECTOR_SIZE - 1)
		return -EINVAL;
	/* Drivers that fill the limits in by hand predate the field. */
	if (!lim->logical_block_size)
		dev->limits.logical_block_size = SECTOR_SIZE;
	if (lim->logical_block_size < SECTOR_SIZE ||
	    (lim->logical_block_size & (lim->logical_block_size - 1)))
		return -EINVAL;
	memset(q, 0, sizeof(*q));
	q->dev = dev;
	q->clock = clock;
	q->clock_ctx = clock_ctx;
	q->depth = dev->queue_depth;
	INIT_LIST_HEAD(&q->free);
	INIT_LIST_HEAD(&q->held);
	INIT_LIST_HEAD(&q->ready);
	INIT_LIST_HEAD(&q->dispatch);
	INIT_LIST_HEAD(&q->flushes);
	blk_retry_init(q);
	for (u32 i = 0; i < npool; i++) {
		memset(&pool[i], 0, sizeof(pool[i]));
		pool[i].q = q;
		pool[i].tag = -1;
		list_add_tail(&pool[i].queuelist, &q->free);
	}
	blk_index_init(q, pool, npool);
	q->elv = default_elv;
	q->elv->init(q);
	remember_dev(dev);
	return 0;
}

bool blk_idle(const struct blk_dev *dev)
{
	return !dev->q.nr_outstanding;
}

int blk_set_elevator(struct blk_dev *dev, const char *name)
{
	const struct elevator_type *e = find_elv(name);

	if (!e)
		return -EINVAL;
	/* Linux freezes the queue first; Keel asks the caller to drain it. */
	if (!blk_idle(dev))
		return -EBUSY;
	dev->q.elv = e;
	e->init(&dev->q);
	return 0;
}

const char *blk_elevator_name(const struct blk_dev *dev)
{
	return dev->q.elv->name;
}

const struct blk_stats *blk_get_stats(const struct blk_dev *dev)
{
	return &dev->q.stats;
}

void blk_stats_reset(struct blk_dev *dev)
{
	memset(&dev->q.stats, 0, sizeof(dev->q.stats));
}
