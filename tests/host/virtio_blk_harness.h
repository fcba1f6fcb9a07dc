/* SPDX-License-Identifier: MIT */
/*
 * The test driver for the virtio-blk device tests (test_virtio_blk*.c):
 * a fake guest, a RAM disk behind the block layer, and a driver that
 * programs the device through its BAR registers as virtio 1.2 3.1.1 says.
 * Each test program includes it once.
 */
#ifndef KEEL_TESTS_VIRTIO_BLK_HARNESS_H
#define KEEL_TESTS_VIRTIO_BLK_HARNESS_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <stdio.h>

#include "vdev/virtio_blk.h"
#include "virtio_blk_guest.h"

#define DATA 0x10000ULL
#define DISK_BYTES (1u << 20)
#define FIRST 64 /* the guest's range starts here on the disk */
#define COUNT 1024
#define MSI_DATA 0x41
#define MSI_CONFIG 0x42

static struct fake_guest g;
static struct vblk v;
static struct ramdisk rd;
static struct request pool[32];
static u8 *disk_buf;
static int msis, intxs, logs;
static u32 last_msi_data;
static char last_log[200];
static u16 avail_idx;

static inline u64 clk(void *ctx)
{
	return 0;
}

static inline void on_msi(void *ctx, u64 addr, u32 data)
{
	assert_int_equal(addr, 0xfee00000ULL);
	msis++;
	last_msi_data = data;
}

static inline void on_intx(void *ctx)
{
	intxs++;
}

static inline void on_log(void *ctx, const char *line)
{
	logs++;
	snprintf(last_log, sizeof(last_log), "%s", line);
}

static const struct vblk_ops ops = { on_msi, on_intx, on_log, NULL, NULL };

/* The guest's range from @first on a RAM disk of @bs-byte blocks. */
static inline void setup_disk_bs(bool ro, u32 bs, u64 first)
{
	struct vblk_disk d = {
		.first = first, .count = COUNT, .ro = ro, .id = "test"
	};

	fake_guest_init(&g);
	disk_buf = calloc(1, DISK_BYTES);
	assert_int_equal(ramdisk_init(&rd, "rd0", disk_buf, DISK_BYTES, 4, pool,
				      32, clk, NULL),
			 0);
	rd.dev.limits.logical_block_size = bs; /* idle: it may grow */
	vblk_init(&v, &ops, &g.mem, &rd.dev, &d);
	vblk_bus_master(&v, true); /* as the driver's pci_set_master() */
	msis = intxs = logs = 0;
	avail_idx = 0;
}

static inline void setup_disk(bool ro)
{
	setup_disk_bs(ro, 512, FIRST);
}

static inline int setup(void **state)
{
	setup_disk(false);
	return 0;
}

static inline int teardown(void **state)
{
	vblk_drain(&v);
	fake_guest_free(&g);
	free(disk_buf);
	return 0;
}

static inline u64 rd_bar(u32 off, unsigned int size)
{
	u64 val;

	vblk_bar_read(&v, off, size, &val);
	return val;
}

static inline void wr_bar(u32 off, unsigned int size, u64 val)
{
	vblk_bar_write(&v, off, size, val);
}

static inline u8 status(void)
{
	return (u8)rd_bar(VIRTIO_COMMON_STATUS, 1);
}

static inline u64 device_features(void)
{
	wr_bar(VIRTIO_COMMON_DFSELECT, 4, 0);
	u64 f = rd_bar(VIRTIO_COMMON_DF, 4);

	wr_bar(VIRTIO_COMMON_DFSELECT, 4, 1);
	return f | rd_bar(VIRTIO_COMMON_DF, 4) << 32;
}

static inline void set_features(u64 f)
{
	wr_bar(VIRTIO_COMMON_GFSELECT, 4, 0);
	wr_bar(VIRTIO_COMMON_GF, 4, (u32)f);
	wr_bar(VIRTIO_COMMON_GFSELECT, 4, 1);
	wr_bar(VIRTIO_COMMON_GF, 4, f >> 32);
}

/* virtio 1.2 3.1.1, with MSI-X vector 1 for the queue when @msix, a
 * queue of @qsize entries and the offered features in @mask. */
static inline void driver_init_qf(bool msix, u16 qsize, u64 mask)
{
	wr_bar(VIRTIO_COMMON_STATUS, 1, 0);
	wr_bar(VIRTIO_COMMON_STATUS, 1, VIRTIO_STATUS_ACKNOWLEDGE);
	wr_bar(VIRTIO_COMMON_STATUS, 1,
	       VIRTIO_STATUS_ACKNOWLEDGE | VIRTIO_STATUS_DRIVER);
	set_features(device_features() & mask);
	wr_bar(VIRTIO_COMMON_STATUS, 1,
	       VIRTIO_STATUS_ACKNOWLEDGE | VIRTIO_STATUS_DRIVER |
		       VIRTIO_STATUS_FEATURES_OK);
	assert_true(status() & VIRTIO_STATUS_FEATURES_OK);
	if (msix) {
		wr_bar(VBLK_MSIX_TABLE_OFF + MSIX_ENTRY_SIZE, 4, 0xfee00000);
		wr_bar(VBLK_MSIX_TABLE_OFF + MSIX_ENTRY_SIZE + MSIX_ENTRY_DATA,
		       4, MSI_DATA);
		wr_bar(VBLK_MSIX_TABLE_OFF, 4, 0xfee00000);
		wr_bar(VBLK_MSIX_TABLE_OFF + MSIX_ENTRY_DATA, 4, MSI_CONFIG);
		/* Masked after reset (PCI 3.0 6.8.2.9): unmask both. */
		wr_bar(VBLK_MSIX_TABLE_OFF + MSIX_ENTRY_CTRL, 4, 0);
		wr_bar(VBLK_MSIX_TABLE_OFF + MSIX_ENTRY_SIZE + MSIX_ENTRY_CTRL,
		       4, 0);
		vblk_msix_ctrl_write(&v, MSIX_CTRL_ENABLE | 1);
		wr_bar(VIRTIO_COMMON_MSIX, 2, 0);
	}
	wr_bar(VIRTIO_COMMON_Q_SELECT, 2, 0);
	assert_int_equal(rd_bar(VIRTIO_COMMON_Q_SIZE, 2), VIRTQ_MAX_SIZE);
	wr_bar(VIRTIO_COMMON_Q_SIZE, 2, qsize);
	wr_bar(VIRTIO_COMMON_Q_DESCLO, 8, DESC); /* one 64-bit access */
	wr_bar(VIRTIO_COMMON_Q_AVAILLO, 4, AVAIL);
	wr_bar(VIRTIO_COMMON_Q_AVAILHI, 4, 0);
	wr_bar(VIRTIO_COMMON_Q_USEDLO, 4, USED);
	wr_bar(VIRTIO_COMMON_Q_USEDHI, 4, 0);
	if (msix)
		wr_bar(VIRTIO_COMMON_Q_MSIX, 2, 1);
	wr_bar(VIRTIO_COMMON_Q_ENABLE, 2, 1);
	assert_int_equal(rd_bar(VIRTIO_COMMON_Q_ENABLE, 2), 1);
	wr_bar(VIRTIO_COMMON_STATUS, 1, status() | VIRTIO_STATUS_DRIVER_OK);
	assert_true(status() & VIRTIO_STATUS_DRIVER_OK);
}

/* Without EVENT_IDX, whose tests are test_virtio_blk_event.c's: the
 * others count interrupts and read used->flags as without it. */
static inline void driver_init_q(bool msix, u16 qsize)
{
	driver_init_qf(msix, qsize, ~BIT(VIRTIO_F_EVENT_IDX));
}

static inline void driver_init(bool msix)
{
	driver_init_q(msix, QSIZE);
}

/* A request using descriptors @d..@d+2 and header/status slot @k. */
static inline void request(u16 d, int k, u32 type, u64 sector, u64 data,
			   u32 len)
{
	bool in = type != VIRTIO_BLK_T_OUT;
	u64 hdr = HDR + 32ULL * k, st = STATUS + k;

	fake_blk_hdr(&g, hdr, type, sector);
	fake_copy(&g, st, (u8 *)"\xff", 1, true);
	fake_desc(&g, DESC, d, hdr, VIRTIO_BLK_HDR_SIZE, VIRTQ_DESC_F_NEXT,
		  d + 1);
	if (len) {
		fake_desc(&g, DESC, d + 1, data, len,
			  VIRTQ_DESC_F_NEXT | (in ? VIRTQ_DESC_F_WRITE : 0),
			  d + 2);
		fake_desc(&g, DESC, d + 2, st, 1, VIRTQ_DESC_F_WRITE, 0);
	} else {
		fake_desc(&g, DESC, d + 1, st, 1, VIRTQ_DESC_F_WRITE, 0);
	}
	fake_avail(&g, AVAIL, QSIZE, avail_idx++, d);
}

static inline void notify(void)
{
	wr_bar(VBLK_NOTIFY_OFF, 2, 0);
}

static inline u16 used_idx(void)
{
	return fake_get16(&g, USED + VIRTQ_USED_IDX);
}

static inline u8 status_byte(int k)
{
	u8 b;

	fake_copy(&g, STATUS + k, &b, 1, false);
	return b;
}

static inline void run_until_idle(void)
{
	for (int i = 0; i < 100 && vblk_poll(&v); i++)
		;
	assert_false(vblk_poll(&v));
}

/* Poll the device, at most 100 times, until @n requests are used. */
static inline void run_until_used(u16 n)
{
	for (int i = 0; i < 100 && used_idx() != n; i++)
		vblk_poll(&v);
	assert_int_equal(used_idx(), n);
}

#endif
