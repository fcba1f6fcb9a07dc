// SPDX-License-Identifier: MIT
/*
 * iosim: replay an I/O trace through Keel's real block layer (merging,
 * ordering rules, elevators) against a modelled disk, and print when each
 * request was dispatched and completed. The interface is fixed by issue 4
 * and documented in docs/block.md:
 *
 *   iosim --sched none|deadline|kyber|keel --disk hdd|ssd
 *         [--read-expire-ms N] [--write-expire-ms N] [--fifo-batch N]
 *         [--writes-starved N] [--front-merges 0|1] [--set TUNABLE=N]
 *         [--capacity SECTORS] TRACE
 *
 * Simulated time is in nanoseconds; the trace and the output use
 * microseconds.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "block/block.h"

/* Disk models, issue 4 item 8. */
#define HDD_DEPTH 1
#define HDD_SEEK_BASE_MS 0.5
#define HDD_SEEK_FULL_MS 7.5
#define HDD_ROTATION_MS 4.17 /* half a turn at 7200 rpm */
#define HDD_BYTES_PER_S 150e6
#define SSD_DEPTH 32
#define SSD_ACCESS_MS 0.080
#define SSD_BYTES_PER_S 500e6
/* --set NAME=VALUE options at most. */
#define MAX_SET 8
/* A merged request is at most 2048 sectors (1 MiB). */
#define SIM_MAX_SECTORS 2048

struct entry {
	u64 arrival_us;
	char op;
	u64 sector;
	u32 nsect;
	u64 dispatch_ns; /* first dispatch of any part */
	u64 complete_ns;
	bool dispatched;
	bool completed;
	struct bio bio;
	struct bio_vec vec;
};

static struct {
	bool ssd;
	u64 now; /* ns */
	u64 capacity;
	u64 head; /* sector after the last one served */
	u64 seek_total;
	u64 busy_until[BLK_MAX_DEPTH];
	struct blk_dev dev;
} sim;

static u64 sim_clock(void *ctx)
{
	return sim.now;
}

static double ms_to_ns(double ms)
{
	return ms * 1e6;
}

static u64 service_ns(const struct request *rq)
{
	double bytes = (double)blk_rq_bytes(rq), ms;
	u64 d;

	if (rq->op == REQ_OP_FLUSH)
		return 0; /* the models give a flush no cost of its own */
	d = rq->sector > sim.head ? rq->sector - sim.head :
				    sim.head - rq->sector;
	sim.seek_total += d;
	sim.head = rq->sector + rq->nr_sectors;
	if (sim.ssd)
		return (u64)llround(ms_to_ns(SSD_ACCESS_MS +
					     bytes / SSD_BYTES_PER_S * 1000));
	ms = bytes / HDD_BYTES_PER_S * 1000;
	if (d)
		ms += HDD_SEEK_BASE_MS +
		      HDD_SEEK_FULL_MS * sqrt((double)d / sim.capacity) +
		      HDD_ROTATION_MS;
	return (u64)llround(ms_to_ns(ms));
}

static blk_status_t sim_submit(struct blk_dev *dev, struct request *rq)
{
	/*
	 * A FUA post-flush finds its bios already marked. A gap read is one
	 * command: its span (gaps included) is transferred after one seek.
	 */
	for (struct request *part = rq; part; part = part->cmd_next)
		for (struct bio *b = part->bio; b; b = b->bi_next) {
			struct entry *e = b->bi_private;

			if (!e->dispatched) {
				e->dispatched = true;
				e->dispatch_ns = sim.now;
			}
		}
	sim.busy_until[rq->tag] = sim.now + service_ns(rq);
	return BLK_STS_OK;
}

/* Complete, in time order, every command finished by now. */
static u32 sim_poll(struct blk_dev *dev)
{
	u32 n = 0;

	for (;;) {
		struct request *best = NULL;

		for (u32 t = 0; t < dev->queue_depth; t++) {
			struct request *rq = blk_tag_to_rq(dev, (int)t);

			if (rq && sim.busy_until[t] <= sim.now &&
			    (!best ||
			     sim.busy_until[t] < sim.busy_until[best->tag]))
				best = rq;
		}
		if (!best)
			return n;
		blk_complete_request(best, BLK_STS_OK);
		n++;
	}
}

/* Earliest completion in flight, or ~0. */
static u64 next_completion(void)
{
	u64 t = ~0ULL;

	for (u32 i = 0; i < sim.dev.queue_depth; i++)
		if (blk_tag_to_rq(&sim.dev, (int)i))
			t = t < sim.busy_until[i] ? t : sim.busy_until[i];
	return t;
}

static const struct blk_dev_ops sim_ops = {
	.submit = sim_submit,
	.poll = sim_poll,
};

static void end_entry(struct bio *bio)
{
	struct entry *e = bio->bi_private;

	e->completed = true;
	e->complete_ns = sim.now;
	if (bio->bi_status)
		fprintf(stderr, "iosim: request failed with status %d\n",
			bio->bi_status);
}

static void usage(void)
{
	fprintf(stderr,
		"usage: iosim --sched none|deadline|kyber|keel --disk hdd|ssd "
		"[--read-expire-ms N] [--write-expire-ms N] [--fifo-batch N] "
		"[--writes-starved N] [--front-merges 0|1] "
		"[--set TUNABLE=N] [--capacity SECTORS] TRACE\n");
	exit(2);
}

static u64 parse_num(const char *opt, const char *s)
{
	char *end;
	unsigned long long v;

	v = strtoull(s, &end, 10);
	if (!*s || *end || *s == '-' || v == ~0ULL) {
		fprintf(stderr, "iosim: bad value for %s: '%s'\n", opt, s);
		exit(2);
	}
	return v;
}

/*
 * A trace number: decimal digits only (no sign: strtoull would take
 * "-5" as 2^64 - 5), at most @max.
 */
static bool trace_num(const char *tok, u64 max, u64 *out)
{
	u64 v = 0;

	if (!tok || !*tok)
		return false;
	for (; *tok; tok++) {
		if (*tok < '0' || *tok > '9')
			return false;
		if (v > (max - (u64)(*tok - '0')) / 10)
			return false;
		v = v * 10 + (u64)(*tok - '0');
	}
	*out = v;
	return true;
}

/*
 * Simulated time is in ns; the output prints it as a double of us, exact
 * below 2^53 ns. Arrivals stop at 2^52 ns (52 days), leaving as much
 * again for the run after the last one.
 */
#define ARRIVAL_MAX_US ((1ULL << 52) / 1000)
#define TRACE_SEP " \t\r\n"

/* One trace line into @e; false if it is malformed. */
static bool parse_line(char *line, struct entry *e)
{
	char *op = NULL, *tok[5];
	u64 a, s, len;

	tok[0] = strtok(line, TRACE_SEP);
	for (int i = 1; i < 5; i++)
		tok[i] = strtok(NULL, TRACE_SEP);
	op = tok[1];
	if (!tok[3] || tok[4] || strlen(op) != 1 || !strchr("RWF", op[0]))
		return false;
	if (!trace_num(tok[0], ARRIVAL_MAX_US, &a) ||
	    !trace_num(tok[2], ~0ULL, &s) || !trace_num(tok[3], 0xffffff, &len))
		return false;
	if (op[0] != 'F' && !len)
		return false;
	memset(e, 0, sizeof(*e));
	e->arrival_us = a;
	e->op = op[0];
	e->sector = op[0] == 'F' ? 0 : s;
	e->nsect = op[0] == 'F' ? 0 : (u32)len;
	return true;
}

static struct entry *load_trace(const char *path, size_t *count)
{
	FILE *f = fopen(path, "r");
	struct entry *v = NULL;
	size_t n = 0, cap = 0, lineno = 0, linecap = 0;
	char *line = NULL;

	if (!f) {
		perror(path);
		exit(2);
	}
	while (getline(&line, &linecap, f) >= 0) {
		char *hash = strchr(line, '#');
		struct entry e;

		lineno++;
		if (hash)
			*hash = 0;
		if (strspn(line, TRACE_SEP) == strlen(line))
			continue;
		if (!parse_line(line, &e)) {
			fprintf(stderr, "iosim: %s:%zu: bad trace line\n", path,
				lineno);
			exit(2);
		}
		if (n == cap) {
			cap = cap ? cap * 2 : 1024;
			v = realloc(v, cap * sizeof(*v));
			if (!v) {
				perror("iosim");
				exit(2);
			}
		}
		v[n++] = e;
	}
	free(line);
	fclose(f);
	*count = n;
	return v;
}

static int cmp_u64(const void *a, const void *b)
{
	u64 x = *(const u64 *)a, y = *(const u64 *)b;

	return x < y ? -1 : x > y;
}

static struct entry *g_entries;

static int cmp_arrival(const void *a, const void *b)
{
	const struct entry *x = &g_entries[*(const size_t *)a];
	const struct entry *y = &g_entries[*(const size_t *)b];

	if (x->arrival_us != y->arrival_us)
		return x->arrival_us < y->arrival_us ? -1 : 1;
	/* Same arrival: keep trace order. */
	return *(const size_t *)a < *(const size_t *)b ? -1 : 1;
}

static void latency_line(const char *name, struct entry *v, size_t n, char op)
{
	u64 *lat = malloc((n + 1) * sizeof(*lat));
	size_t k = 0;
	double sum = 0, logsum = 0;

	for (size_t i = 0; i < n; i++) {
		if (v[i].op != op)
			continue;
		lat[k] = v[i].complete_ns - v[i].arrival_us * 1000;
		sum += (double)lat[k];
		/* Geometric mean over at least 1 us, so a 0 cannot zero it. */
		logsum += log(lat[k] < 1000 ? 1.0 : lat[k] / 1000.0);
		k++;
	}
	if (!k) {
		printf("# %s_latency_us n 0 mean 0 p99 0 max 0 gmean 0\n",
		       name);
		free(lat);
		return;
	}
	qsort(lat, k, sizeof(*lat), cmp_u64);
	/* Nearest-rank percentile. */
	size_t r99 = (size_t)ceil(0.99 * (double)k);

	printf("# %s_latency_us n %zu mean %.3f p99 %.3f max %.3f gmean %.3f\n",
	       name, k, sum / (double)k / 1000, lat[r99 - 1] / 1000.0,
	       lat[k - 1] / 1000.0, exp(logsum / (double)k));
	free(lat);
}

int main(int argc, char **argv)
{
	const char *sched = NULL, *disk = NULL, *trace = NULL;
	const char *tun_name[5] = { "read_expire", "write_expire", "fifo_batch",
				    "writes_starved", "front_merges" };
	const char *tun_opt[5] = { "--read-expire-ms", "--write-expire-ms",
				   "--fifo-batch", "--writes-starved",
				   "--front-merges" };
	const char *set_name[MAX_SET];
	u64 set_val[MAX_SET];
	int nset = 0;
	bool tun_set[5] = { 0 };
	u64 tun_val[5] = { 0 };
	size_t n, splits = 0;

	sim.capacity = 1ULL << 28;
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];
		int t;

		if (a[0] != '-' || !a[1]) {
			if (trace)
				usage();
			trace = a;
			continue;
		}
		if (i + 1 >= argc)
			usage();
		if (!strcmp(a, "--sched")) {
			sched = argv[++i];
			continue;
		}
		if (!strcmp(a, "--disk")) {
			disk = argv[++i];
			continue;
		}
		if (!strcmp(a, "--set")) {
			char *eq = strchr(argv[++i], '=');

			if (!eq || nset == MAX_SET)
				usage();
			*eq = 0;
			set_name[nset] = argv[i];
			set_val[nset++] = parse_num("--set", eq + 1);
			continue;
		}
		if (!strcmp(a, "--capacity")) {
			sim.capacity = parse_num(a, argv[++i]);
			continue;
		}
		for (t = 0; t < 5 && strcmp(a, tun_opt[t]); t++)
			;
		if (t == 5)
			usage();
		tun_set[t] = true;
		tun_val[t] = parse_num(a, argv[++i]);
	}
	if (!sched || !disk || !trace || !sim.capacity ||
	    (strcmp(disk, "hdd") && strcmp(disk, "ssd")))
		usage();
	if (tun_set[4] && tun_val[4] > 1)
		usage();
	sim.ssd = !strcmp(disk, "ssd");

	struct entry *v = load_trace(trace, &n);

	for (size_t i = 0; i < n; i++) {
		/* Written so that a sector near 2^64 cannot wrap past it. */
		if (v[i].sector > sim.capacity ||
		    v[i].nsect > sim.capacity - v[i].sector) {
			fprintf(stderr, "iosim: request %zu beyond capacity\n",
				i);
			return 2;
		}
		if (v[i].nsect > SIM_MAX_SECTORS)
			splits += (v[i].nsect - 1) / SIM_MAX_SECTORS;
	}

	/* Every trace request or split part may need a request. */
	u32 npool = (u32)(n + splits + 1);
	/* struct request is 64-byte aligned (block/block.h); calloc is not. */
	struct request *pool = aligned_alloc(64, npool * sizeof(*pool));
	struct bio *split_bios = calloc(splits + 1, sizeof(*split_bios));
	size_t *order = malloc((n + 1) * sizeof(*order));

	sim.dev.name = "sim";
	sim.dev.capacity = sim.capacity;
	sim.dev.ops = &sim_ops;
	sim.dev.queue_depth = sim.ssd ? SSD_DEPTH : HDD_DEPTH;
	blk_limits_default(&sim.dev.limits);
	sim.dev.limits.max_sectors = SIM_MAX_SECTORS;
	sim.dev.limits.max_segments = 0xffff;
	sim.dev.limits.max_segment_size = 0xffffffffU;
	sim.dev.limits.seg_boundary_mask = ~0ULL;
	/* A write cache, so flushes reach the disk and are ordered there. */
	sim.dev.limits.features = BLK_FEAT_WRITE_CACHE;
	/* The SSD has no seek cost: no gap reads there (block/keel.c). */
	if (sim.ssd)
		sim.dev.limits.features |= BLK_FEAT_NONROT;
	if (blk_dev_register(&sim.dev, pool, npool, sim_clock, NULL)) {
		fprintf(stderr, "iosim: cannot set up the queue\n");
		return 2;
	}
	if (blk_set_elevator(&sim.dev, sched))
		usage();
	for (int t = 0; t < 5; t++) {
		int err;

		if (!tun_set[t])
			continue;
		/* Tunables an elevator does not have do not apply to it. */
		err = blk_set_tunable(&sim.dev, tun_name[t], tun_val[t]);
		if (err && err != -ENOENT) {
			fprintf(stderr, "iosim: bad %s\n", tun_opt[t]);
			return 2;
		}
	}
	for (int t = 0; t < nset; t++) {
		if (blk_set_tunable(&sim.dev, set_name[t], set_val[t])) {
			fprintf(stderr, "iosim: bad --set %s\n", set_name[t]);
			return 2;
		}
	}

	g_entries = v;
	for (size_t i = 0; i < n; i++)
		order[i] = i;
	qsort(order, n, sizeof(*order), cmp_arrival);

	size_t next = 0, used_splits = 0;

	for (;;) {
		u64 t_arr = next < n ? v[order[next]].arrival_us * 1000 : ~0ULL;
		u64 t_done = next_completion();

		if (t_arr == ~0ULL && t_done == ~0ULL)
			break;
		sim.now = t_arr < t_done ? t_arr : t_done;
		/* Everything that happens at one instant precedes dispatch. */
		blk_start_plug(&sim.dev);
		blk_poll(&sim.dev);
		while (next < n &&
		       v[order[next]].arrival_us * 1000 == sim.now) {
			struct entry *e = &v[order[next++]];
			struct bio *b = &e->bio;
			unsigned int op = e->op == 'R' ? REQ_OP_READ :
					  e->op == 'W' ? REQ_OP_WRITE :
							 REQ_OP_FLUSH;

			bio_init(b, &sim.dev, op, 0, &e->vec, 1);
			b->bi_iter.bi_sector = e->sector;
			if (e->nsect)
				bio_add_page(b, 0, e->nsect * SECTOR_SIZE, 0);
			b->bi_private = e;
			b->bi_end_io = end_entry;
			while (bio_sectors(b) > SIM_MAX_SECTORS) {
				struct bio *s = &split_bios[used_splits++];

				bio_split(b, SIM_MAX_SECTORS, s);
				s->bi_private = e;
				if (blk_submit_bio(s)) {
					fprintf(stderr,
						"iosim: submit failed\n");
					return 1;
				}
			}
			if (blk_submit_bio(b)) {
				fprintf(stderr, "iosim: submit failed\n");
				return 1;
			}
		}
		blk_finish_plug(&sim.dev);
	}
	if (!blk_idle(&sim.dev)) {
		fprintf(stderr, "iosim: queue stuck with requests left\n");
		return 1;
	}

	u64 first = ~0ULL, last = 0, bytes = 0;

	for (size_t i = 0; i < n; i++) {
		struct entry *e = &v[i];

		if (!e->completed) {
			fprintf(stderr, "iosim: request %zu never completed\n",
				i);
			return 1;
		}
		printf("%zu %c %llu %u %llu %.3f %.3f\n", i, e->op,
		       (unsigned long long)e->sector, e->nsect,
		       (unsigned long long)e->arrival_us,
		       e->dispatch_ns / 1000.0, e->complete_ns / 1000.0);
		first = first < e->arrival_us * 1000 ? first :
						       e->arrival_us * 1000;
		last = last > e->complete_ns ? last : e->complete_ns;
		bytes += (u64)e->nsect * SECTOR_SIZE;
	}

	const struct blk_stats *st = blk_get_stats(&sim.dev);
	double span_s = n && last > first ? (last - first) / 1e9 : 0;

	printf("# sched %s disk %s requests %zu\n", sched, disk, n);
	printf("# throughput_MBps %.3f\n", span_s ? bytes / 1e6 / span_s : 0);
	printf("# seek_sectors %llu\n", (unsigned long long)sim.seek_total);
	printf("# merges %llu front %llu back %llu\n",
	       (unsigned long long)(st->front_merges + st->back_merges),
	       (unsigned long long)st->front_merges,
	       (unsigned long long)st->back_merges);
	printf("# gap_reads %llu merged %llu sectors %llu\n",
	       (unsigned long long)st->gap_reads,
	       (unsigned long long)st->gap_merged,
	       (unsigned long long)st->gap_sectors);
	latency_line("read", v, n, 'R');
	latency_line("write", v, n, 'W');
	free(order);
	free(split_bios);
	free(pool);
	free(v);
	return 0;
}
