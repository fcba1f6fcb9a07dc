// SPDX-License-Identifier: MIT
/*
 * vbench: the Linux half of `make bench`'s Linux-guest section
 * (tools/bench-linux.sh, docs/linux-guest.md "Benchmark"). A static
 * user program for the benchmark's initramfs, built on the host with
 * `gcc -static` (glibc's libc.a); it is not part of Keel.
 *
 *   vbench tsc LABEL
 *     prints "KEEL-LINUX-BENCH: tsc LABEL <TSC>": /init runs it first,
 *     so that the boot can be timed in TSC cycles (in Bochs: retired
 *     instructions) from power-on and from Keel's guest entry.
 *   vbench io DEVICE SIDE [TSC_KHZ]
 *     issues the plan of guest/vbench_plan.h (the same workloads,
 *     sizes, counts, seed and slots as Keel's bench=guest-disk) on
 *     DEVICE opened with O_DIRECT: QD1 with pread/pwrite, QD32 through
 *     Linux native AIO (raw io_setup/io_submit/io_getevents), timed
 *     with RDTSC, and prints per workload and depth
 *       BENCH SIDE.<workload>.qd<N>.cycles <n> cycles
 *       BENCH SIDE.<workload>.qd<N>.iops <n> IOPS
 *       BENCH SIDE.<workload>.qd<N>.mbs <n.nn> MB/s
 *       BENCH SIDE.<workload>.qd<N>.irqs <n.nn> irqs/IO
 *       BENCH SIDE.<workload>.qd<N>.reqs <n.nn> requests/IO
 *     IOPS count TSC_KHZ cycles a millisecond (Keel's calibration: under
 *     Keel in Bochs Linux's own TSC rate is CPUID's nominal one, not the
 *     emulated clock's); irqs/IO are the "virtio" lines of
 *     /proc/interrupts before and after, requests/IO the requests the
 *     block layer completed on DEVICE (fewer than I/Os when it merged).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <linux/aio_abi.h>
#include <linux/fs.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/syscall.h>
#include <unistd.h>
#include <x86intrin.h>

#include "guest/vbench_plan.h"

struct run {
	unsigned long long cycles, irqs, reqs;
	unsigned int errors;
};

/* The sum of every CPU's count on the virtio lines of /proc/interrupts. */
static unsigned long long virtio_irqs(void)
{
	FILE *f = fopen("/proc/interrupts", "r");
	char line[512];
	unsigned long long sum = 0;

	if (!f)
		return 0;
	while (fgets(line, sizeof(line), f)) {
		char *p = strchr(line, ':');

		if (!p || !strstr(line, "virtio"))
			continue;
		for (p++;;) {
			char *end;
			unsigned long long n = strtoull(p, &end, 10);

			if (end == p)
				break;
			sum += n;
			p = end;
		}
	}
	fclose(f);
	return sum;
}

/*
 * Requests the block layer completed on @dev so far, reads and writes
 * (fields 1 and 5 of /sys/block/<dev>/stat, Documentation/block/stat.rst):
 * fewer than the I/Os issued when it merged them.
 */
static unsigned long long disk_requests(const char *dev)
{
	char path[128];
	unsigned long long f[5] = { 0 };
	const char *name = strrchr(dev, '/');
	FILE *st;

	snprintf(path, sizeof(path), "/sys/block/%s/stat",
		 name ? name + 1 : dev);
	st = fopen(path, "r");
	if (!st)
		return 0;
	if (fscanf(st, "%llu %llu %llu %llu %llu", &f[0], &f[1], &f[2], &f[3],
		   &f[4]) != 5)
		f[0] = f[4] = 0;
	fclose(st);
	return f[0] + f[4];
}

static long sys_io_setup(unsigned int nr, aio_context_t *ctx)
{
	return syscall(SYS_io_setup, nr, ctx);
}

static long sys_io_destroy(aio_context_t ctx)
{
	return syscall(SYS_io_destroy, ctx);
}

static long sys_io_submit(aio_context_t ctx, long n, struct iocb **iocbs)
{
	return syscall(SYS_io_submit, ctx, n, iocbs);
}

static long sys_io_getevents(aio_context_t ctx, long min, long max,
			     struct io_event *ev)
{
	return syscall(SYS_io_getevents, ctx, min, max, ev, NULL);
}

static off_t io_offset(const struct vbench_workload *w,
		       unsigned long long *seed, unsigned int i,
		       unsigned int slots)
{
	return (off_t)vbench_slot(w, seed, i, slots) * w->bytes;
}

/* Depth 1: one synchronous I/O at a time, as Keel's direct run at qd1. */
static void run_sync(int fd, const struct vbench_workload *w,
		     unsigned int slots, void *buf, struct run *r)
{
	unsigned long long seed = VBENCH_SEED;

	for (unsigned int i = 0; i < w->ios; i++) {
		off_t off = io_offset(w, &seed, i, slots);
		ssize_t n = w->write ? pwrite(fd, buf, w->bytes, off) :
				       pread(fd, buf, w->bytes, off);

		if (n != (ssize_t)w->bytes)
			r->errors++;
	}
}

/* Depth @qd: keep @qd I/Os in flight through native AIO until all done. */
static void run_aio(int fd, const struct vbench_workload *w, unsigned int qd,
		    unsigned int slots, void *buf, struct run *r)
{
	static struct iocb cbs[VBENCH_MAX_DEPTH];
	static struct io_event ev[VBENCH_MAX_DEPTH];
	struct iocb *free_cbs[VBENCH_MAX_DEPTH];
	unsigned long long seed = VBENCH_SEED;
	unsigned int issued = 0, done = 0, nfree = qd;
	aio_context_t ctx = 0;

	if (sys_io_setup(qd, &ctx) < 0) {
		perror("vbench: io_setup");
		r->errors = w->ios;
		return;
	}
	for (unsigned int i = 0; i < qd; i++)
		free_cbs[i] = &cbs[i];
	while (done < w->ios) {
		struct iocb *batch[VBENCH_MAX_DEPTH];
		long n = 0, got;

		while (issued < w->ios && nfree) {
			struct iocb *cb = free_cbs[--nfree];

			memset(cb, 0, sizeof(*cb));
			cb->aio_fildes = (unsigned int)fd;
			cb->aio_lio_opcode = w->write ? IOCB_CMD_PWRITE :
							IOCB_CMD_PREAD;
			cb->aio_buf = (unsigned long long)(unsigned long)buf;
			cb->aio_nbytes = w->bytes;
			cb->aio_offset = io_offset(w, &seed, issued, slots);
			batch[n++] = cb;
			issued++;
		}
		if (n && sys_io_submit(ctx, n, batch) != n) {
			perror("vbench: io_submit");
			r->errors += w->ios - done;
			break;
		}
		got = sys_io_getevents(ctx, 1, qd - nfree, ev);
		if (got < 0) {
			if (errno == EINTR)
				continue;
			perror("vbench: io_getevents");
			r->errors += w->ios - done;
			break;
		}
		for (long i = 0; i < got; i++) {
			if (ev[i].res != (long long)w->bytes)
				r->errors++;
			free_cbs[nfree++] =
				(struct iocb *)(unsigned long)ev[i].obj;
		}
		done += (unsigned int)got;
	}
	sys_io_destroy(ctx);
}

static void line(const char *side, const struct vbench_workload *w,
		 unsigned int qd, const char *what, const char *value,
		 const char *unit)
{
	printf("BENCH %s.%s.qd%u.%s %s %s\n", side, w->name, qd, what, value,
	       unit);
}

static void report(const char *side, const struct vbench_workload *w,
		   unsigned int qd, const struct run *r, unsigned long long khz)
{
	unsigned long long iops = r->cycles ? w->ios * khz * 1000 / r->cycles :
					      0;
	unsigned long long mbs100 = iops * w->bytes * 100 / 1000000;
	unsigned long long irq100 = r->irqs * 100 / w->ios;
	unsigned long long req100 = r->reqs * 100 / w->ios;
	char v[64];

	snprintf(v, sizeof(v), "%llu", r->cycles);
	line(side, w, qd, "cycles", v, "cycles");
	snprintf(v, sizeof(v), "%llu", iops);
	line(side, w, qd, "iops", v, "IOPS");
	snprintf(v, sizeof(v), "%llu.%02llu", mbs100 / 100, mbs100 % 100);
	line(side, w, qd, "mbs", v, "MB/s");
	snprintf(v, sizeof(v), "%llu.%02llu", irq100 / 100, irq100 % 100);
	line(side, w, qd, "irqs", v, "irqs/IO");
	snprintf(v, sizeof(v), "%llu.%02llu", req100 / 100, req100 % 100);
	line(side, w, qd, "reqs", v, "requests/IO");
	if (r->errors)
		printf("BENCH %s.%s.qd%u FAIL %u errors\n", side, w->name, qd,
		       r->errors);
	fflush(stdout);
}

static int bench_io(const char *dev, const char *side, unsigned long long khz)
{
	unsigned long long bytes = 0;
	void *buf;
	int fd = open(dev, O_RDWR | O_DIRECT), bad = 0;

	if (fd < 0 || ioctl(fd, BLKGETSIZE64, &bytes) < 0 ||
	    bytes < VBENCH_MAX_BYTES) {
		printf("BENCH %s FAIL cannot use %s: %s\n", side, dev,
		       strerror(errno));
		return 1;
	}
	if (posix_memalign(&buf, VBENCH_MAX_BYTES, VBENCH_MAX_BYTES))
		return 1;
	memset(buf, 0x5a, VBENCH_MAX_BYTES);
	printf("BENCH %s %s sectors 0+%llu, TSC %llu kHz\n", side, dev,
	       bytes / VBENCH_SECTOR, khz);
	for (unsigned int i = 0;
	     i < sizeof(vbench_workloads) / sizeof(vbench_workloads[0]); i++)
		for (unsigned int q = 0;
		     q < sizeof(vbench_depths) / sizeof(vbench_depths[0]);
		     q++) {
			const struct vbench_workload *w = &vbench_workloads[i];
			unsigned int qd = vbench_depths[q];
			unsigned int slots = (unsigned int)(bytes / w->bytes);
			struct run r = { 0 };
			unsigned long long req0 = disk_requests(dev);
			unsigned long long irq0 = virtio_irqs(), t0 = __rdtsc();

			if (qd == 1)
				run_sync(fd, w, slots, buf, &r);
			else
				run_aio(fd, w, qd, slots, buf, &r);
			r.cycles = __rdtsc() - t0;
			r.irqs = virtio_irqs() - irq0;
			r.reqs = disk_requests(dev) - req0;
			report(side, w, qd, &r, khz);
			bad += r.errors != 0;
		}
	free(buf);
	close(fd);
	return bad != 0;
}

int main(int argc, char **argv)
{
	if (argc == 3 && !strcmp(argv[1], "tsc")) {
		unsigned long long tsc = __rdtsc();

		printf("KEEL-LINUX-BENCH: tsc %s %llu\n", argv[2], tsc);
		return 0;
	}
	if ((argc == 4 || argc == 5) && !strcmp(argv[1], "io"))
		return bench_io(argv[2], argv[3],
				argc == 5 ? strtoull(argv[4], NULL, 10) :
					    10000);
	fprintf(stderr,
		"usage: vbench tsc LABEL | vbench io DEVICE SIDE [TSC_KHZ]\n");
	return 2;
}
