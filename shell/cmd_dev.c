// SPDX-License-Identifier: MIT
/*
 * The shell's device commands: pci, iommu, blk, and sched and tune, which
 * steer a block device's elevator live through the block layer's own
 * switch (blk_set_elevator: only on an idle queue) and tunables.
 */
#include "core/console.h"
#include "core/lib.h"
#include "block/block.h"
#include "drivers/pci.h"
#include "iommu/iommu.h"
#include "shell/cmds.h"

/* Width of the longest latency bar. */
#define BAR_WIDTH 40

int cmd_pci(int argc, char **argv)
{
	char line[160];

	for (unsigned int i = 0; i < pci_device_count(); i++) {
		const struct pci_dev *d = pci_device(i);

		pci_format_dev(d, line, sizeof(line));
		printf("  %s%s\n", line, d->keel_owned ? " [Keel's]" : "");
	}
	printf("pci: %u functions\n", pci_device_count());
	return 0;
}

int cmd_iommu(int argc, char **argv)
{
	iommu_show();
	return 0;
}

static struct blk_dev *find_dev(const char *cmd, const char *name)
{
	struct blk_dev *d = blk_dev_find(name);

	if (!d) {
		printf("%s: no block device '%.32s'%s\n", cmd, name,
		       blk_dev_at(0) ? "; see 'blk'" : " (there are none)");
	}
	return d;
}

/* "[lo, hi) us" of log2 bucket @b, as block.h defines them. */
static void bucket_label(unsigned int b, char *buf, size_t len)
{
	if (b == BLK_LAT_BUCKETS - 1)
		ksnprintf(buf, len, ">=%llu us", 1ULL << b);
	else
		ksnprintf(buf, len, "<%llu us", 2ULL << b);
}

static void show_hist(const char *dir, const u64 *h)
{
	unsigned int lo = BLK_LAT_BUCKETS, hi = 0;
	u64 max = 0;
	char bar[BAR_WIDTH + 1], label[24];

	for (unsigned int b = 0; b < BLK_LAT_BUCKETS; b++) {
		if (!h[b])
			continue;
		lo = MIN(lo, b);
		hi = b;
		max = MAX(max, h[b]);
	}
	if (!max) {
		printf("    %s latency: no completions\n", dir);
		return;
	}
	printf("    %s latency:\n", dir);
	for (unsigned int b = lo; b <= hi; b++) {
		unsigned int n =
			(unsigned int)((h[b] * BAR_WIDTH + max - 1) / max);

		memset(bar, '#', n);
		bar[n] = '\0';
		bucket_label(b, label, sizeof(label));
		printf("    %12s %-*s %llu\n", label, BAR_WIDTH, bar, h[b]);
	}
}

static void show_dev(struct blk_dev *d)
{
	const struct blk_stats *s = blk_get_stats(d);

	printf("%s: %llu MiB, elevator %s, depth %u, %u outstanding\n", d->name,
	       (unsigned long long)(d->capacity >> 11), blk_elevator_name(d),
	       d->queue_depth, d->q.nr_outstanding);
	/* retries: bios of failed merged requests sent again alone. */
	printf("    bios %llu requests %llu merges %llu+%llu reads %llu/%llu writes %llu/%llu flushes %llu errors %llu retries %llu max depth %u\n",
	       s->bios, s->requests, s->back_merges, s->front_merges,
	       s->completed[BLK_READ], s->dispatched[BLK_READ],
	       s->completed[BLK_WRITE], s->dispatched[BLK_WRITE], s->flushes,
	       s->errors, s->bio_retries, s->max_depth);
	/* Gap reads (docs/block.md): commands, requests joined, bit bucket,
	 * failed commands whose requests went again alone. */
	printf("    gap reads %llu merged %llu sectors %llu splits %llu\n",
	       s->gap_reads, s->gap_merged, s->gap_sectors, s->gap_splits);
	show_hist("read", s->lat_hist[BLK_READ]);
	show_hist("write", s->lat_hist[BLK_WRITE]);
}

int cmd_blk(int argc, char **argv)
{
	struct blk_dev *d;

	if (argc == 2) {
		d = find_dev("blk", argv[1]);
		if (!d)
			return -ENODEV;
		show_dev(d);
		return 0;
	}
	if (!blk_dev_at(0))
		printf("blk: no block devices\n");
	for (unsigned int i = 0; (d = blk_dev_at(i)); i++)
		show_dev(d);
	return 0;
}

static void list_elevators(char *buf, size_t len)
{
	const char *name;
	int n = 0;

	buf[0] = '\0';
	for (unsigned int i = 0; (name = blk_elevator_at(i)); i++)
		n += ksnprintf(buf + n, len - (size_t)MIN((size_t)n, len),
			       "%s%s", i ? " " : "", name);
}

/* "name=value" of every tunable the current elevator lists, on one line. */
static void show_tunables(struct blk_dev *d)
{
	char line[320], one[160];
	int n = 0;

	line[0] = '\0';
	for (unsigned int i = 0;
	     blk_tunable_list(d, i, one, sizeof(one)) >= 0 &&
	     n < (int)sizeof(line);
	     i++) {
		char *sp = strchr(one, ' ');

		if (sp)
			*sp = '\0'; /* the unit, range and help follow */
		n += ksnprintf(line + n, sizeof(line) - (size_t)n, " %s", one);
	}
	printf("  tunables:%s\n", n ? line : " none");
}

int cmd_sched(int argc, char **argv)
{
	char names[80];
	const char *old;
	struct blk_dev *d = find_dev("sched", argv[1]);
	int rc;

	if (!d)
		return -ENODEV;
	list_elevators(names, sizeof(names));
	if (argc == 2) {
		printf("sched: %s: %s (available: %s)\n", d->name,
		       blk_elevator_name(d), names);
		show_tunables(d);
		return 0;
	}
	old = blk_elevator_name(d);
	rc = blk_set_elevator(d, argv[2]);
	if (rc == -EINVAL)
		printf("sched: no elevator '%.32s' (available: %s)\n", argv[2],
		       names);
	else if (rc == -EBUSY)
		printf("sched: %s is busy (%u requests outstanding); nothing changed, try again\n",
		       d->name, d->q.nr_outstanding);
	else if (rc)
		printf("sched: %s: error %d; nothing changed\n", d->name, rc);
	else
		printf("sched: %s: %s -> %s\n", d->name, old,
		       blk_elevator_name(d));
	return rc;
}

int cmd_tune(int argc, char **argv)
{
	struct blk_dev *d = find_dev("tune", argv[1]);
	char *key, *val;
	u64 v;
	int rc;

	if (!d)
		return -ENODEV;
	if (!strchr(argv[2], '=')) {
		rc = blk_get_tunable(d, argv[2], &v);
		if (rc)
			printf("tune: %s's elevator %s has no tunable '%.32s'\n",
			       d->name, blk_elevator_name(d), argv[2]);
		else
			printf("tune: %s %s=%llu\n", d->name, argv[2], v);
		return rc;
	}
	if (shell_parse_kv(argv[2], &key, &val) || shell_parse_u64(val, &v)) {
		printf("tune: use KEY=NUMBER, e.g. read_expire=250\n");
		return -EINVAL;
	}
	rc = blk_set_tunable(d, key, v);
	if (rc == -ENOENT)
		printf("tune: %s's elevator %s has no tunable '%.32s'\n",
		       d->name, blk_elevator_name(d), key);
	else if (rc)
		printf("tune: %s=%llu refused (out of range); nothing changed\n",
		       key, v);
	else if (!blk_get_tunable(d, key, &v))
		printf("tune: %s %s=%llu\n", d->name, key, v);
	return rc;
}
