// SPDX-License-Identifier: MIT
/*
 * scenario=virtio-bench: the I/O plan of guest/vbench_plan.h
 * through the virtio-blk device, polled (no interrupts), at each queue
 * depth. Per workload and depth it prints
 *   BENCH virtio.<workload>.qd<N>.iops <n> IOPS
 *   BENCH virtio.<workload>.qd<N>.mbs <n.nn> MB/s
 *   BENCH virtio.<workload>.qd<N>.exits <n.nn> exits/IO
 *   BENCH virtio.<workload>.qd<N>.kicks <n.nn> notifies/IO
 * Time is the guest's TSC against its rate, measured on the PIT (in Bochs
 * both run on emulated time). Exits are Keel's count (KEEL_HC_INFO) after
 * the run minus before it, less the one INFO call itself. All I/O of a run
 * shares one buffer: only its timing matters. virtio_notify_always=1
 * notifies even when the device advises against it.
 */
#include "virtio.h"
#include "vbench_plan.h"

/* PIT channel 2 one-shot, as Keel calibrates its own TSC (8254 datasheet,
 * mode 0; port 0x61 bit 0 gates channel 2, bit 5 is its output). */
#define PIT_HZ 1193182u
#define PIT_CH2 0x42
#define PIT_CMD 0x43
#define PIT_CMD_CH2_LOHI_MODE0 0xb0
#define PORT_B 0x61
#define PORT_B_GATE2 BIT(0)
#define PORT_B_SPEAKER BIT(1)
#define PORT_B_OUT2 BIT(5)
#define CAL_MS 10u
#define CAL_SPIN_MAX 100000000u
#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

static u8 bench_buf[VBENCH_MAX_BYTES] __attribute__((aligned(65536)));

/* TSC ticks per millisecond, or 0 when the PIT never fired. */
static u32 tsc_per_ms(void)
{
	u16 count = (u16)(PIT_HZ * CAL_MS / 1000);
	u8 b = inb(PORT_B);
	u32 spins = 0;
	u64 t0;

	outb(PORT_B, (b & ~PORT_B_SPEAKER) | PORT_B_GATE2);
	outb(PIT_CMD, PIT_CMD_CH2_LOHI_MODE0);
	outb(PIT_CH2, count & 0xff);
	outb(PIT_CH2, count >> 8);
	t0 = rdtsc();
	while (!(inb(PORT_B) & PORT_B_OUT2) && ++spins < CAL_SPIN_MAX)
		;
	outb(PORT_B, b);
	if (spins >= CAL_SPIN_MAX)
		return 0;
	return (u32)udiv64(rdtsc() - t0, CAL_MS);
}

/* Keel's count of this guest's exits so far (docs/hypercalls.md). */
static u32 keel_exits(void)
{
	struct hc_regs r = { .eax = KEEL_HC_INFO };

	return vmcall(&r) ? 0 : r.edx;
}

struct run_result {
	u64 cycles;
	u32 exits, kicks, errors;
	bool stuck;
};

/* Wait for at least one chain back; false after d->poll_max empty polls. */
static bool wait_some(struct vblk *d, u32 *done)
{
	for (u32 n = 0; n < d->poll_max; n++) {
		u32 got = vblk_reap(d);

		if (got) {
			*done += got;
			return true;
		}
		__asm__ volatile("pause");
	}
	return false;
}

/* Notify per batch: always, or as the device advises (2.7.10). */
static bool notify(struct vblk *d, bool always)
{
	if (!always)
		return vblk_kick_advised(d);
	vblk_kick(d);
	return true;
}

/* Keep @qd requests in flight until the workload's I/Os are done. */
static struct run_result
run_one(struct vblk *d, const struct vbench_workload *w, u32 qd, bool always)
{
	u32 spb = w->bytes / VBENCH_SECTOR, slots = (u32)d->capacity / spb;
	u32 issued = 0, done = 0, e0;
	u64 seed = VBENCH_SEED, t0;
	struct vseg seg = { (u32)bench_buf, w->bytes };
	struct run_result r = { 0, 0, 0, 0, false };
	int heads[VQ_MAX];

	e0 = keel_exits();
	t0 = rdtsc();
	while (done < w->ios) {
		u32 posted = 0;

		while (issued < w->ios && issued - done < qd) {
			u32 slot = vbench_slot(w, &seed, issued, slots);
			int h = vblk_submit(d,
					    w->write ? VIRTIO_BLK_T_OUT :
						       VIRTIO_BLK_T_IN,
					    (u64)slot * spb, &seg, 1);

			if (h < 0)
				break;
			heads[issued % VQ_MAX] = h;
			issued++;
			posted++;
		}
		if (posted && notify(d, always))
			r.kicks++;
		if (!wait_some(d, &done)) {
			r.stuck = true;
			break;
		}
	}
	r.cycles = rdtsc() - t0;
	r.exits = keel_exits() - e0 - 1;
	/* Every status byte stays until its head is reused: check the last
	 * qd of them (the earlier ones were overwritten in place). */
	for (u32 i = issued > qd ? issued - qd : 0; i < issued; i++)
		if (vblk_req_status((u16)heads[i % VQ_MAX]) != VIRTIO_BLK_S_OK)
			r.errors++;
	return r;
}

/* n / 100 as "x.yy". */
static void bench_line(const char *w, u32 qd, const char *what, u32 hundredths,
		       const char *unit)
{
	kprintf("BENCH virtio.%s.qd%u.%s %u.%u%u %s\n", w, qd, what,
		hundredths / 100, hundredths / 10 % 10, hundredths % 10, unit);
}

static void report_run(const struct vbench_workload *w, u32 qd,
		       const struct run_result *r, u32 per_ms)
{
	/* I/Os per second = ios * per_ms * 1000 / cycles. */
	u64 iops = udiv64((u64)w->ios * per_ms * 1000,
			  (u32)(r->cycles ? r->cycles : 1));
	u64 kib_s = iops * (w->bytes / 1024);
	u32 mbs100 = (u32)udiv64(kib_s * 1024 * 100, 1000000);

	if (r->cycles >> 32)
		kprintf("BENCH virtio.%s.qd%u FAIL run too long to time\n",
			w->name, qd);
	kprintf("BENCH virtio.%s.qd%u.iops %u IOPS\n", w->name, qd, (u32)iops);
	bench_line(w->name, qd, "mbs", mbs100, "MB/s");
	bench_line(w->name, qd, "exits",
		   (u32)udiv64((u64)r->exits * 100, w->ios), "exits/IO");
	bench_line(w->name, qd, "kicks",
		   (u32)udiv64((u64)r->kicks * 100, w->ios), "notifies/IO");
	if (r->stuck || r->errors)
		kprintf("BENCH virtio.%s.qd%u FAIL %s, %u errors\n", w->name,
			qd, r->stuck ? "stuck" : "done", r->errors);
}

void run_virtio_bench(const struct guest_env *env)
{
	static struct vblk dev;
	struct vblk *d = &dev;
	char why[96] = "";
	u32 per_ms;
	bool always = virtio_opt(env, "virtio_notify_always", 0);

	memset(d, 0, sizeof(*d));
	d->poll_max = virtio_opt(env, "virtio_poll", VIRTIO_POLL_MAX);
	d->irq_mode = VIRTIO_IRQ_NONE;
	if (!virtio_find(&d->bdf) ||
	    virtio_map(d, virtio_opt(env, "virtio_bar", 0)) ||
	    !virtio_bring_up(d, env, why, sizeof(why))) {
		kprintf("BENCH virtio FAIL no usable virtio-blk device %s\n",
			why);
		return;
	}
	per_ms = tsc_per_ms();
	kprintf("keel-guest: virtio-bench: %u sectors, qsize %u, TSC %u kHz (PIT)\n",
		(u32)d->capacity, d->qsize, per_ms);
	if (!per_ms || d->capacity < VBENCH_MAX_BYTES / VBENCH_SECTOR) {
		kputs("BENCH virtio FAIL no TSC rate or disk too small\n");
		return;
	}
	for (u32 i = 0; i < ARRAY_SIZE(vbench_workloads); i++)
		for (u32 q = 0; q < ARRAY_SIZE(vbench_depths); q++) {
			const struct vbench_workload *w = &vbench_workloads[i];
			u32 qd = vbench_depths[q];
			struct run_result r = run_one(d, w, qd, always);

			report_run(w, qd, &r, per_ms);
		}
	vblk_reset(d);
}
