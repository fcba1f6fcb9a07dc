// SPDX-License-Identifier: MIT
/*
 * Host tests for the whole virtio-blk device (vdev/virtio_pci.c and
 * vdev/virtio_blk.c): a driver written in the test programs it through
 * its BAR registers as the virtio 1.2 spec says (3.1.1), and its requests
 * reach a RAM disk through the block layer. Checks feature negotiation,
 * the status machine, data on the disk, the status byte and used ring,
 * MSI-X and INTx, NEEDS_RESET on a broken chain, write-through for a
 * driver without FLUSH, and resets with I/O in flight. The driver is
 * virtio_blk_harness.h; 4Kn disks are test_virtio_blk_4k.c's.
 */
#include "virtio_blk_harness.h"

static void test_features(void **state)
{
	u64 f = device_features();

	assert_true(f & BIT(VIRTIO_F_VERSION_1));
	assert_true(f & BIT(VIRTIO_BLK_F_SEG_MAX));
	assert_true(f & BIT(VIRTIO_BLK_F_SIZE_MAX));
	assert_true(f & BIT(VIRTIO_BLK_F_BLK_SIZE));
	assert_true(f & BIT(VIRTIO_BLK_F_FLUSH));
	assert_false(f & BIT(VIRTIO_BLK_F_RO));
	/* Without VERSION_1, or with a bit not offered: no FEATURES_OK. */
	wr_bar(VIRTIO_COMMON_STATUS, 1, 3);
	set_features(f & ~BIT(VIRTIO_F_VERSION_1));
	wr_bar(VIRTIO_COMMON_STATUS, 1, 3 | VIRTIO_STATUS_FEATURES_OK);
	assert_false(status() & VIRTIO_STATUS_FEATURES_OK);
	set_features(f | BIT(28));
	wr_bar(VIRTIO_COMMON_STATUS, 1, 3 | VIRTIO_STATUS_FEATURES_OK);
	assert_false(status() & VIRTIO_STATUS_FEATURES_OK);
	set_features(BIT(VIRTIO_F_VERSION_1));
	wr_bar(VIRTIO_COMMON_STATUS, 1, 3 | VIRTIO_STATUS_FEATURES_OK);
	assert_true(status() & VIRTIO_STATUS_FEATURES_OK);
	/* Device configuration (5.2.4). */
	assert_int_equal(rd_bar(VBLK_DEVCFG_OFF + VIRTIO_BLK_CFG_CAPACITY, 4),
			 COUNT);
	assert_int_equal(rd_bar(VBLK_DEVCFG_OFF + VIRTIO_BLK_CFG_SEG_MAX, 4),
			 VBLK_SEG_MAX);
	assert_int_equal(rd_bar(VBLK_DEVCFG_OFF + VIRTIO_BLK_CFG_SIZE_MAX, 4),
			 VBLK_SIZE_MAX);
	assert_int_equal(rd_bar(VBLK_DEVCFG_OFF + VIRTIO_BLK_CFG_BLK_SIZE, 4),
			 512);
	assert_int_equal(rd_bar(VIRTIO_COMMON_NUMQ, 2), 1);
}

static void test_read_only_offers_ro(void **state)
{
	teardown(state);
	setup_disk(true);
	assert_true(device_features() & BIT(VIRTIO_BLK_F_RO));
	driver_init(true);
	request(0, 0, VIRTIO_BLK_T_OUT, 0, DATA, 512);
	notify();
	assert_int_equal(used_idx(), 1);
	assert_int_equal(status_byte(0), VIRTIO_BLK_S_IOERR);
	assert_int_equal(rd.dev.q.stats.bios, 0);
}

static void test_write_then_read(void **state)
{
	u8 *w = fake_ptr(&g, DATA), *r = fake_ptr(&g, DATA + 0x4000);

	driver_init(true);
	for (int i = 0; i < 4096; i++)
		w[i] = (u8)(i * 7 + 3);
	request(0, 0, VIRTIO_BLK_T_OUT, 10, DATA, 4096);
	notify();
	/* Not complete before the disk driver says so. */
	assert_int_equal(used_idx(), 0);
	assert_int_equal(status_byte(0), 0xff);
	run_until_idle();
	assert_int_equal(used_idx(), 1);
	assert_int_equal(status_byte(0), VIRTIO_BLK_S_OK);
	assert_int_equal(fake_get32(&g, USED + VIRTQ_USED_RING), 0);
	assert_int_equal(fake_get32(&g, USED + VIRTQ_USED_RING + 4), 1);
	assert_memory_equal(disk_buf + (FIRST + 10) * 512, w, 4096);
	assert_true(msis >= 1);
	assert_int_equal(last_msi_data, MSI_DATA);
	/* Read it back, and flush. */
	request(3, 1, VIRTIO_BLK_T_IN, 10, DATA + 0x4000, 4096);
	request(6, 2, VIRTIO_BLK_T_FLUSH, 0, 0, 0);
	notify();
	run_until_idle();
	assert_int_equal(used_idx(), 3);
	assert_int_equal(status_byte(1), VIRTIO_BLK_S_OK);
	assert_int_equal(status_byte(2), VIRTIO_BLK_S_OK);
	/* The flush may end first: find the read's element by its head. */
	for (int i = 1; i < 3; i++)
		if (fake_get32(&g, USED + VIRTQ_USED_RING + 8 * i) == 3)
			assert_int_equal(fake_get32(&g, USED + VIRTQ_USED_RING +
								8 * i + 4),
					 4097);
	assert_memory_equal(r, w, 4096);
	assert_int_equal(intxs, 0);
}

static void test_disk_error_is_ioerr(void **state)
{
	driver_init(true);
	rd.fail_sector = FIRST + 5;
	request(0, 0, VIRTIO_BLK_T_IN, 4, DATA, 1024);
	notify();
	run_until_idle();
	assert_int_equal(used_idx(), 1);
	assert_int_equal(status_byte(0), VIRTIO_BLK_S_IOERR);
}

static void test_intx_fallback(void **state)
{
	driver_init(false);
	request(0, 0, VIRTIO_BLK_T_IN, 0, DATA, 512);
	notify();
	run_until_idle();
	assert_int_equal(msis, 0);
	assert_int_equal(intxs, 1);
	assert_int_equal(rd_bar(VBLK_ISR_OFF, 1), VIRTIO_ISR_QUEUE);
	assert_int_equal(rd_bar(VBLK_ISR_OFF, 1), 0); /* read clears */
}

/*
 * PCI 3.0 6.8.2.9: each MSI-X entry's Mask bit is 1 after reset, so a
 * message the driver never programmed pends (PBA) instead of going out to
 * address 0, and goes once the entry is written and unmasked.
 */
static void test_msix_entries_masked_at_reset(void **state)
{
	u32 ctrl1 = VBLK_MSIX_TABLE_OFF + MSIX_ENTRY_SIZE + MSIX_ENTRY_CTRL;

	for (u32 e = 0; e < VBLK_MSIX_VECTORS; e++)
		assert_int_equal(rd_bar(VBLK_MSIX_TABLE_OFF +
						e * MSIX_ENTRY_SIZE +
						MSIX_ENTRY_CTRL,
					4),
				 MSIX_ENTRY_CTRL_MASK);
	driver_init(false);
	vblk_msix_ctrl_write(&v, MSIX_CTRL_ENABLE | 1);
	wr_bar(VIRTIO_COMMON_Q_MSIX, 2, 1);
	request(0, 0, VIRTIO_BLK_T_IN, 0, DATA, 512);
	notify();
	run_until_idle();
	assert_int_equal(used_idx(), 1);
	assert_int_equal(msis, 0);
	assert_int_equal(rd_bar(VBLK_MSIX_PBA_OFF, 8), BIT(1));
	wr_bar(VBLK_MSIX_TABLE_OFF + MSIX_ENTRY_SIZE, 4, 0xfee00000);
	wr_bar(VBLK_MSIX_TABLE_OFF + MSIX_ENTRY_SIZE + MSIX_ENTRY_DATA, 4,
	       MSI_DATA);
	assert_int_equal(msis, 0); /* still masked */
	wr_bar(ctrl1, 4, 0);
	assert_int_equal(msis, 1);
	assert_int_equal(last_msi_data, MSI_DATA);
	assert_int_equal(rd_bar(VBLK_MSIX_PBA_OFF, 8), 0);
}

static void test_masked_vector_pends(void **state)
{
	driver_init(true);
	wr_bar(VBLK_MSIX_TABLE_OFF + MSIX_ENTRY_SIZE + MSIX_ENTRY_CTRL, 4,
	       MSIX_ENTRY_CTRL_MASK);
	request(0, 0, VIRTIO_BLK_T_GET_ID, 0, DATA, 20);
	notify();
	assert_int_equal(used_idx(), 1);
	assert_int_equal(msis, 0);
	assert_int_equal(rd_bar(VBLK_MSIX_PBA_OFF, 4), 2);
	wr_bar(VBLK_MSIX_TABLE_OFF + MSIX_ENTRY_SIZE + MSIX_ENTRY_CTRL, 4, 0);
	assert_int_equal(msis, 1);
	assert_int_equal(rd_bar(VBLK_MSIX_PBA_OFF, 4), 0);
}

static void test_broken_chain_needs_reset(void **state)
{
	driver_init(true);
	/* A loop: 0 -> 1 -> 0. */
	fake_desc(&g, DESC, 0, HDR, 16, VIRTQ_DESC_F_NEXT, 1);
	fake_desc(&g, DESC, 1, HDR, 16, VIRTQ_DESC_F_NEXT, 0);
	fake_avail(&g, AVAIL, QSIZE, avail_idx++, 0);
	notify();
	assert_true(status() & VIRTIO_STATUS_NEEDS_RESET);
	assert_int_equal(logs, 1);
	assert_non_null(strstr(last_log, "loops"));
	/* The configuration-change interrupt, on vector 0. */
	assert_int_equal(msis, 1);
	assert_int_equal(last_msi_data, MSI_CONFIG);
	notify();
	notify();
	assert_int_equal(logs, 1);
	assert_int_equal(used_idx(), 0);
	/* The driver cannot clear NEEDS_RESET by writing status... */
	wr_bar(VIRTIO_COMMON_STATUS, 1, status() & ~VIRTIO_STATUS_NEEDS_RESET);
	assert_true(status() & VIRTIO_STATUS_NEEDS_RESET);
	/* ... only a reset does, and the device works again. */
	fake_put16(&g, AVAIL + VIRTQ_AVAIL_IDX, 0); /* fresh rings */
	driver_init(true);
	assert_false(status() & VIRTIO_STATUS_NEEDS_RESET);
	avail_idx = 0;
	request(0, 0, VIRTIO_BLK_T_IN, 0, DATA, 512);
	notify();
	run_until_idle();
	assert_int_equal(used_idx(), 1);
	assert_int_equal(status_byte(0), VIRTIO_BLK_S_OK);
}

static void test_bad_layout_needs_reset(void **state)
{
	wr_bar(VIRTIO_COMMON_STATUS, 1, 0);
	wr_bar(VIRTIO_COMMON_Q_DESCLO, 4, FAKE_RAM - 64);
	wr_bar(VIRTIO_COMMON_Q_ENABLE, 2, 1);
	assert_int_equal(rd_bar(VIRTIO_COMMON_Q_ENABLE, 2), 0);
	assert_true(status() & VIRTIO_STATUS_NEEDS_RESET);
	assert_int_equal(logs, 1);
}

/* A reset with I/O in flight: the late completion touches nothing. */
static void test_reset_with_io_in_flight(void **state)
{
	driver_init(true);
	request(0, 0, VIRTIO_BLK_T_IN, 0, DATA, 512);
	notify();
	assert_int_equal(v.inflight, 1);
	wr_bar(VIRTIO_COMMON_STATUS, 1, 0);
	/*
	 * Once status reads 0 the driver may reuse its buffers (2.4): no
	 * request of the old generation may still be out at the disk, which
	 * could DMA into them.
	 */
	assert_int_equal(status(), 0);
	assert_int_equal(v.inflight, 0);
	assert_true(blk_idle(&rd.dev));
	run_until_idle();
	assert_int_equal(used_idx(), 0);
	assert_int_equal(status_byte(0), 0xff);
}

/*
 * PCI 3.0 6.2.2: with COMMAND.Bus Master clear the function makes no
 * memory access of its own (MSI-X messages included). A chain posted and
 * notified meanwhile is not looked at; the device takes it when bus
 * mastering comes back on.
 */
static void test_bus_master_off_no_dma(void **state)
{
	u64 reads, writes;

	driver_init(true);
	vblk_bus_master(&v, false);
	request(0, 0, VIRTIO_BLK_T_IN, 0, DATA, 512);
	reads = g.reads;
	writes = g.writes;
	notify();
	run_until_idle();
	assert_int_equal(g.reads, reads);
	assert_int_equal(g.writes, writes);
	assert_int_equal(used_idx(), 0);
	assert_int_equal(status_byte(0), 0xff);
	assert_int_equal(msis, 0);
	vblk_bus_master(&v, true);
	run_until_idle();
	assert_int_equal(used_idx(), 1);
	assert_int_equal(status_byte(0), VIRTIO_BLK_S_OK);
	assert_int_equal(msis, 1);
}

/*
 * Bus mastering turned off with a request at the disk: the disk's DMA
 * into the guest's buffer is waited for, then nothing more is written
 * (no status byte, no used element, no message), and since that request
 * can never be answered the device needs a reset (2.1.2).
 */
static void test_bus_master_off_with_io_in_flight(void **state)
{
	driver_init(true);
	request(0, 0, VIRTIO_BLK_T_IN, 0, DATA, 512);
	notify();
	assert_int_equal(v.inflight, 1);
	vblk_bus_master(&v, false);
	assert_int_equal(v.inflight, 0);
	assert_true(blk_idle(&rd.dev));
	assert_int_equal(used_idx(), 0);
	assert_int_equal(status_byte(0), 0xff);
	assert_int_equal(msis, 0);
	assert_true(status() & VIRTIO_STATUS_NEEDS_RESET);
	/* The configuration-change message waited in the PBA. */
	assert_int_equal(rd_bar(VBLK_MSIX_PBA_OFF, 8), BIT(0));
	vblk_bus_master(&v, true);
	assert_int_equal(msis, 1);
	assert_int_equal(last_msi_data, MSI_CONFIG);
	run_until_idle();
	assert_int_equal(used_idx(), 0);
}

/* More requests than slots: the rest wait, then all complete. */
static void test_more_requests_than_slots(void **state)
{
	int n = 5;

	driver_init(true);
	for (int i = 0; i < n; i++)
		request((u16)(3 * i), i, VIRTIO_BLK_T_IN, (u64)i,
			DATA + 512ULL * i, 512);
	notify();
	run_until_idle();
	assert_int_equal(used_idx(), n);
	for (int i = 0; i < n; i++)
		assert_int_equal(status_byte(i), VIRTIO_BLK_S_OK);
}

/* Notification suppression (virtio 1.2 2.7.10), a queue of BIG_Q entries:
 * request k reads sector k into its own 512 bytes, in two descriptors
 * (header; data and status in one writable buffer). */
#define BIG_Q 64
#define BIG_HDR 0x5000ULL
#define BIG_DATA 0x20000ULL

static void read2(int k)
{
	u64 hdr = BIG_HDR + VIRTIO_BLK_HDR_SIZE * (u64)k;
	u64 data = BIG_DATA + 1024ULL * k;

	fake_blk_hdr(&g, hdr, VIRTIO_BLK_T_IN, (u64)k);
	fake_copy(&g, data + 512, (u8 *)"\xff", 1, true);
	fake_desc(&g, DESC, (u16)(2 * k), hdr, VIRTIO_BLK_HDR_SIZE,
		  VIRTQ_DESC_F_NEXT, (u16)(2 * k + 1));
	fake_desc(&g, DESC, (u16)(2 * k + 1), data, 513, VIRTQ_DESC_F_WRITE, 0);
	fake_avail(&g, AVAIL, BIG_Q, avail_idx++, (u16)(2 * k));
}

static u16 used_flags(void)
{
	return fake_get16(&g, USED + VIRTQ_USED_FLAGS);
}

/* Every slot busy: NO_NOTIFY; a chain posted then, with no notify, is
 * still taken when a slot frees; idle again, the advice is withdrawn. */
static void test_full_queue_suppresses_notify(void **state)
{
	int n = VBLK_SLOTS + 2;

	driver_init_q(true, BIG_Q);
	for (int k = 0; k < VBLK_SLOTS + 1; k++)
		read2(k);
	notify();
	assert_int_equal(v.inflight, VBLK_SLOTS);
	assert_int_equal(used_flags(), VIRTQ_USED_F_NO_NOTIFY);
	read2(VBLK_SLOTS + 1); /* advised: no notify */
	run_until_idle();
	assert_int_equal(used_idx(), n);
	for (int k = 0; k < n; k++) {
		u8 st;

		fake_copy(&g, BIG_DATA + 1024ULL * k + 512, &st, 1, false);
		assert_int_equal(st, VIRTIO_BLK_S_OK);
	}
	assert_int_equal(used_flags(), 0);
}

/* With a slot free, a notify is what makes Keel look: no advice. */
static void test_free_slot_keeps_notify(void **state)
{
	driver_init_q(true, BIG_Q);
	for (int k = 0; k < VBLK_SLOTS - 1; k++)
		read2(k);
	notify();
	assert_int_equal(v.inflight, VBLK_SLOTS - 1);
	assert_int_equal(used_flags(), 0);
	run_until_idle();
	assert_int_equal(used_idx(), VBLK_SLOTS - 1);
	assert_int_equal(used_flags(), 0);
}

/* A request larger than the disk takes at once is split, and completes
 * once, after every piece. */
static void test_split_request(void **state)
{
	u8 *w = fake_ptr(&g, DATA);

	rd.dev.limits.max_sectors = 8; /* idle: the limits may change */
	driver_init(true);
	for (int i = 0; i < 32 * 512; i++)
		w[i] = (u8)(i * 13 + 1);
	request(0, 0, VIRTIO_BLK_T_OUT, 100, DATA, 32 * 512);
	notify();
	run_until_idle();
	assert_int_equal(used_idx(), 1);
	assert_int_equal(status_byte(0), VIRTIO_BLK_S_OK);
	assert_true(rd.dev.q.stats.bios >= 4);
	assert_memory_equal(disk_buf + (FIRST + 100) * 512, w, 32 * 512);
	/* More pieces than a request may have: IOERR, nothing hangs. */
	request(3, 1, VIRTIO_BLK_T_IN, 0, DATA + 0x8000,
		(VBLK_MAX_SPLITS + 2) * 8 * 512);
	notify();
	run_until_idle();
	assert_int_equal(used_idx(), 2);
	assert_int_equal(status_byte(1), VIRTIO_BLK_S_IOERR);
}

/*
 * A RAM disk that claims a volatile write cache: the driver's submit hook
 * counts the flushes that reach it, and the writes whose data reached it
 * after the last flush (still "in the cache").
 */
static const struct blk_dev_ops *rd_ops;
static struct blk_dev_ops cache_ops;
static int flushes, dirty;

static blk_status_t cache_submit(struct blk_dev *dev, struct request *rq)
{
	if (rq->op == REQ_OP_FLUSH) {
		flushes++;
		dirty = 0;
	} else if (op_is_write(rq->op)) {
		dirty++;
	}
	return rd_ops->submit(dev, rq);
}

static void use_write_cache(void)
{
	rd_ops = rd.dev.ops;
	cache_ops = *rd_ops;
	cache_ops.submit = cache_submit;
	rd.dev.ops = &cache_ops;
	rd.dev.limits.features |= BLK_FEAT_WRITE_CACHE; /* idle */
	flushes = dirty = 0;
}

/*
 * A driver that did not negotiate FLUSH cannot ask for durability, so
 * the device is write-through (virtio 1.2 5.2.6.2): a write is in the
 * used ring only once the disk's cache has been flushed after it.
 */
static void test_no_flush_feature_writes_through(void **state)
{
	use_write_cache();
	driver_init_qf(false, QSIZE, ~BIT(VIRTIO_BLK_F_FLUSH));
	assert_false(v.gfeatures & BIT(VIRTIO_BLK_F_FLUSH));
	request(0, 0, VIRTIO_BLK_T_OUT, 10, DATA, 4096);
	notify();
	/* At the moment it is reported done, the data is out of the cache. */
	run_until_used(1);
	assert_int_equal(status_byte(0), VIRTIO_BLK_S_OK);
	assert_int_equal(flushes, 1);
	assert_int_equal(dirty, 0);
	run_until_idle();
}

/* With FLUSH negotiated the cache is the driver's to flush: no flush. */
static void test_flush_feature_writes_back(void **state)
{
	use_write_cache();
	driver_init(true);
	request(0, 0, VIRTIO_BLK_T_OUT, 10, DATA, 4096);
	notify();
	run_until_idle();
	assert_int_equal(status_byte(0), VIRTIO_BLK_S_OK);
	assert_int_equal(flushes, 0);
	assert_int_equal(dirty, 1);
	request(3, 1, VIRTIO_BLK_T_FLUSH, 0, 0, 0);
	notify();
	run_until_idle();
	assert_int_equal(status_byte(1), VIRTIO_BLK_S_OK);
	assert_int_equal(flushes, 1);
	assert_int_equal(dirty, 0);
}

/*
 * Valid requests whose pieces outnumber the free requests of the disk's
 * pool (32 here) must wait for room, not fail: the guest sees IOERR for
 * a request the disk never refused.
 */
static void test_split_requests_outnumber_pool(void **state)
{
	rd.dev.limits.max_sectors = 8; /* idle: the limits may change */
	driver_init(true);
	for (int k = 0; k < 3; k++)
		request((u16)(3 * k), k, VIRTIO_BLK_T_IN, 128ULL * k,
			DATA + 0x10000ULL * k, 16 * 8 * 512);
	notify();
	run_until_idle();
	assert_int_equal(used_idx(), 3);
	for (int k = 0; k < 3; k++)
		assert_int_equal(status_byte(k), VIRTIO_BLK_S_OK);
}

/*
 * seg_max follows the disk's limits: a request the driver may send (seg_max
 * segments of size_max, each crossing a 64 KiB chunk of guest RAM) fits the
 * pieces a slot holds. With the old fixed 126, 4 KiB commands made any
 * request over 68 KiB an IOERR.
 */
static void test_seg_max_follows_disk_limits(void **state)
{
	static const struct {
		u32 max_sectors, seg_max;
	} cases[] = { { 8, 1 }, { 64, 7 } };

	for (int c = 0; c < 2; c++) {
		u32 n;

		rd.dev.limits.max_sectors = cases[c].max_sectors;
		driver_init(true);
		n = (u32)rd_bar(VBLK_DEVCFG_OFF + VIRTIO_BLK_CFG_SEG_MAX, 4);
		assert_int_equal(n, cases[c].seg_max);
		fake_blk_hdr(&g, HDR, VIRTIO_BLK_T_IN, 0);
		fake_copy(&g, STATUS, (u8 *)"\xff", 1, true);
		fake_desc(&g, DESC, 0, HDR, VIRTIO_BLK_HDR_SIZE,
			  VIRTQ_DESC_F_NEXT, 1);
		for (u32 i = 0; i < n; i++)
			fake_desc(&g, DESC, (u16)(1 + i),
				  DATA + 0x8000 + i * VBLK_SIZE_MAX,
				  VBLK_SIZE_MAX,
				  VIRTQ_DESC_F_NEXT | VIRTQ_DESC_F_WRITE,
				  (u16)(2 + i));
		fake_desc(&g, DESC, (u16)(1 + n), STATUS, 1, VIRTQ_DESC_F_WRITE,
			  0);
		avail_idx = 0;
		fake_avail(&g, AVAIL, QSIZE, avail_idx++, 0);
		notify();
		run_until_idle();
		assert_int_equal(used_idx(), 1);
		assert_int_equal(status_byte(0), VIRTIO_BLK_S_OK);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)
		T(test_features),
		T(test_seg_max_follows_disk_limits),
		T(test_read_only_offers_ro),
		T(test_write_then_read),
		T(test_disk_error_is_ioerr),
		T(test_intx_fallback),
		T(test_msix_entries_masked_at_reset),
		T(test_masked_vector_pends),
		T(test_broken_chain_needs_reset),
		T(test_bad_layout_needs_reset),
		T(test_reset_with_io_in_flight),
		T(test_bus_master_off_no_dma),
		T(test_bus_master_off_with_io_in_flight),
		T(test_more_requests_than_slots),
		T(test_split_request),
		T(test_full_queue_suppresses_notify),
		T(test_free_slot_keeps_notify),
		T(test_no_flush_feature_writes_through),
		T(test_flush_feature_writes_back),
		T(test_split_requests_outnumber_pool),
#undef T
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
