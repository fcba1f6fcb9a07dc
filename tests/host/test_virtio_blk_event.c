// SPDX-License-Identifier: MIT
/*
 * Host tests for notification suppression in the virtio-blk device
 * (virtio 1.2 2.7.7 and 2.7.10): with VIRTIO_F_EVENT_IDX, used-buffer
 * notifications only when used->idx crosses the driver's used_event
 * (also across the 16-bit wrap, at most one per batch whatever the
 * driver writes there) and avail_event written by the device, with the
 * avail ring looked at again after each write; without it, the driver's
 * VIRTQ_AVAIL_F_NO_INTERRUPT. The driver is virtio_blk_harness.h.
 */
#include "virtio_blk_harness.h"

#define ALL ~0ULL
#define USED_EVENT (AVAIL + VIRTQ_USED_EVENT(QSIZE))
#define AVAIL_EVENT (USED + VIRTQ_AVAIL_EVENT(QSIZE))
#define ID_LEN 20

static void set_used_event(u16 ev)
{
	fake_put16(&g, USED_EVENT, ev);
}

static u16 avail_event(void)
{
	return fake_get16(&g, AVAIL_EVENT);
}

/* @n GET_IDs, each answered at once, posted and notified together: one
 * batch. Descriptors 2k, 2k+1; @n at most QSIZE / 2. */
static void get_ids(int n)
{
	for (int k = 0; k < n; k++) {
		u64 st = STATUS + k;

		fake_blk_hdr(&g, HDR + 32ULL * k, VIRTIO_BLK_T_GET_ID, 0);
		fake_desc(&g, DESC, (u16)(2 * k), HDR + 32ULL * k,
			  VIRTIO_BLK_HDR_SIZE, VIRTQ_DESC_F_NEXT,
			  (u16)(2 * k + 1));
		fake_desc(&g, DESC, (u16)(2 * k + 1), st, 1, VIRTQ_DESC_F_WRITE,
			  0);
		fake_avail(&g, AVAIL, QSIZE, avail_idx++, (u16)(2 * k));
	}
	notify();
}

static void test_event_idx_offered(void **state)
{
	assert_true(device_features() & BIT(VIRTIO_F_EVENT_IDX));
	driver_init_qf(true, QSIZE, ALL);
	assert_true(v.gfeatures & BIT(VIRTIO_F_EVENT_IDX));
}

/* One completion at a time, through the disk: each is its own batch. */
static void test_interrupt_only_when_used_event_crossed(void **state)
{
	driver_init_qf(true, QSIZE, ALL);
	set_used_event(2); /* interrupt when element 2 is used */
	for (int i = 0; i < 5; i++)
		request((u16)(3 * i), i, VIRTIO_BLK_T_IN, (u64)i,
			DATA + 512ULL * i, 512);
	notify();
	run_until_idle();
	assert_int_equal(used_idx(), 5);
	assert_int_equal(msis, 1);
	/* used_event at the current index: the next one interrupts. */
	set_used_event(5);
	request(0, 0, VIRTIO_BLK_T_IN, 0, DATA, 512);
	notify();
	run_until_idle();
	assert_int_equal(msis, 2);
	/* Behind the index: nothing until it comes round (65536 later). */
	request(0, 0, VIRTIO_BLK_T_IN, 0, DATA, 512);
	notify();
	run_until_idle();
	assert_int_equal(used_idx(), 7);
	assert_int_equal(msis, 2);
}

/* INTx takes the same decision; a suppressed one sets no ISR bit. */
static void test_intx_suppressed_too(void **state)
{
	driver_init_qf(false, QSIZE, ALL);
	set_used_event(3);
	get_ids(3);
	assert_int_equal(used_idx(), 3);
	assert_int_equal(intxs, 0);
	assert_int_equal(rd_bar(VBLK_ISR_OFF, 1), 0);
	get_ids(1);
	assert_int_equal(intxs, 1);
	assert_int_equal(rd_bar(VBLK_ISR_OFF, 1), VIRTIO_ISR_QUEUE);
}

/* A batch gets one interrupt when used_event is inside it, none when it
 * is not, for every value the driver may write. */
static void test_one_interrupt_per_batch(void **state)
{
	driver_init_qf(true, QSIZE, ALL);
	for (u32 ev = 0; ev < 0x10000; ev += 0x3ff) {
		u16 start = used_idx();
		bool inside = (u16)(ev - start) < 4;
		int before = msis;

		set_used_event((u16)ev);
		get_ids(4);
		assert_int_equal(used_idx(), (u16)(start + 4));
		assert_int_equal(msis - before, inside ? 1 : 0);
	}
	/* And the edges: the batch's first and last element. */
	for (int d = 0; d < 4; d += 3) {
		int before = msis;

		set_used_event((u16)(used_idx() + d));
		get_ids(4);
		assert_int_equal(msis - before, 1);
	}
}

/* Across the 16-bit wrap of used->idx: a batch over the wrap crosses
 * 0xffff; one at a time, silent until element 1 is used. */
static void test_used_event_across_wrap(void **state)
{
	driver_init_qf(true, QSIZE, ALL);
	set_used_event(0x8000); /* crossed once on the way up */
	while (used_idx() != 0xfffa)
		get_ids(used_idx() > 0xfff0 ? 1 : 8);
	assert_int_equal(msis, 1);
	msis = 0;
	set_used_event(0xffff);
	get_ids(2);
	assert_int_equal(msis, 0);
	get_ids(4); /* 0xfffc .. 0x0000 */
	assert_int_equal(used_idx(), 0);
	assert_int_equal(msis, 1);
	set_used_event(1);
	while (used_idx() != 2) {
		assert_int_equal(msis, 1);
		get_ids(1);
	}
	assert_int_equal(msis, 2);
	get_ids(1);
	assert_int_equal(msis, 2);
}

/* The device writes avail_event: at DRIVER_OK over whatever was there,
 * then last_avail with a slot free, and leaves it behind while every
 * slot is busy; used->flags stays 0 with EVENT_IDX. */
#define BIG_Q 64
#define BIG_HDR 0x5000ULL
#define BIG_DATA 0x20000ULL
#define BIG_AVAIL_EVENT (USED + VIRTQ_AVAIL_EVENT(BIG_Q))

static void read2(int k)
{
	u64 hdr = BIG_HDR + VIRTIO_BLK_HDR_SIZE * (u64)k;
	u64 data = BIG_DATA + 1024ULL * k;

	fake_blk_hdr(&g, hdr, VIRTIO_BLK_T_IN, (u64)k);
	fake_desc(&g, DESC, (u16)(2 * k), hdr, VIRTIO_BLK_HDR_SIZE,
		  VIRTQ_DESC_F_NEXT, (u16)(2 * k + 1));
	fake_desc(&g, DESC, (u16)(2 * k + 1), data, 513, VIRTQ_DESC_F_WRITE, 0);
	fake_avail(&g, AVAIL, BIG_Q, avail_idx++, (u16)(2 * k));
}

static void test_avail_event_written(void **state)
{
	int n = VBLK_SLOTS + 2;

	fake_put16(&g, BIG_AVAIL_EVENT, 0x1234);
	driver_init_qf(true, BIG_Q, ALL);
	assert_int_equal(fake_get16(&g, BIG_AVAIL_EVENT), 0);
	for (int k = 0; k < VBLK_SLOTS + 1; k++)
		read2(k);
	notify();
	assert_int_equal(v.inflight, VBLK_SLOTS);
	/* Behind the driver's index 9: its next post does not notify. */
	assert_int_equal(fake_get16(&g, BIG_AVAIL_EVENT), 0);
	assert_false(virtq_need_event(fake_get16(&g, BIG_AVAIL_EVENT),
				      (u16)(avail_idx + 1), avail_idx));
	assert_int_equal(fake_get16(&g, USED + VIRTQ_USED_FLAGS), 0);
	read2(VBLK_SLOTS + 1); /* suppressed: no notify */
	run_until_idle();
	assert_int_equal(used_idx(), n);
	for (int k = 0; k < n; k++) {
		u8 st;

		fake_copy(&g, BIG_DATA + 1024ULL * k + 512, &st, 1, false);
		assert_int_equal(st, VIRTIO_BLK_S_OK);
	}
	/* Idle: the next chain must be notified. */
	assert_int_equal(fake_get16(&g, BIG_AVAIL_EVENT), n);
	assert_true(virtq_need_event(fake_get16(&g, BIG_AVAIL_EVENT),
				     (u16)(avail_idx + 1), avail_idx));
	assert_int_equal(fake_get16(&g, USED + VIRTQ_USED_FLAGS), 0);
}

/*
 * The missed-notification race of 2.7.10: the driver makes a chain
 * available just before it can see the new avail_event, sees the old
 * one and does not notify. The fake memory posts such a chain when the
 * device writes avail_event; the device must take it anyway.
 */
static int raced;

static int racing_write(void *ctx, u64 gpa, const void *buf, u64 len)
{
	int rc = fake_write(ctx, gpa, buf, len);

	if (gpa == AVAIL_EVENT && raced == 1) {
		raced = 2;
		request(6, 2, VIRTIO_BLK_T_GET_ID, 0, DATA, ID_LEN);
		fake_put16(&g, AVAIL + VIRTQ_AVAIL_IDX, avail_idx);
	}
	return rc;
}

static void test_chain_racing_avail_event_is_taken(void **state)
{
	driver_init_qf(true, QSIZE, ALL);
	g.mem.write = racing_write;
	raced = 1;
	request(0, 0, VIRTIO_BLK_T_GET_ID, 0, DATA, ID_LEN);
	fake_put16(&g, AVAIL + VIRTQ_AVAIL_IDX, avail_idx);
	notify();
	assert_int_equal(raced, 2);
	assert_int_equal(used_idx(), 2);
	assert_int_equal(status_byte(2), VIRTIO_BLK_S_OK);
	assert_int_equal(avail_event(), 2);
}

/* Without EVENT_IDX: NO_INTERRUPT is honoured, and used_event ignored. */
static void test_no_interrupt_without_event_idx(void **state)
{
	driver_init_q(true, QSIZE);
	assert_false(v.gfeatures & BIT(VIRTIO_F_EVENT_IDX));
	set_used_event(100); /* meaningless without the feature */
	fake_put16(&g, AVAIL + VIRTQ_AVAIL_FLAGS, VIRTQ_AVAIL_F_NO_INTERRUPT);
	get_ids(2);
	request(6, 2, VIRTIO_BLK_T_IN, 0, DATA, 512);
	notify();
	run_until_idle();
	assert_int_equal(used_idx(), 3);
	assert_int_equal(msis, 0);
	fake_put16(&g, AVAIL + VIRTQ_AVAIL_FLAGS, 0);
	get_ids(1);
	assert_int_equal(msis, 1);
	request(6, 2, VIRTIO_BLK_T_IN, 0, DATA, 512);
	notify();
	run_until_idle();
	assert_int_equal(msis, 2);
}

/* With EVENT_IDX the flag means nothing (2.7.7.2): used_event decides. */
static void test_flag_ignored_with_event_idx(void **state)
{
	driver_init_qf(true, QSIZE, ALL);
	fake_put16(&g, AVAIL + VIRTQ_AVAIL_FLAGS, VIRTQ_AVAIL_F_NO_INTERRUPT);
	set_used_event(0);
	get_ids(1);
	assert_int_equal(msis, 1);
}

/* Rings whose event field alone would lie past the end of RAM. */
static void test_event_fields_outside_ram_refused(void **state)
{
	for (int which = 0; which < 2; which++) {
		u64 avail = which ? AVAIL : FAKE_RAM - VIRTQ_USED_EVENT(QSIZE);
		u64 used = which ? FAKE_RAM - VIRTQ_AVAIL_EVENT(QSIZE) : USED;

		wr_bar(VIRTIO_COMMON_STATUS, 1, 0);
		wr_bar(VIRTIO_COMMON_STATUS, 1, 3);
		set_features(device_features());
		wr_bar(VIRTIO_COMMON_STATUS, 1, 3 | VIRTIO_STATUS_FEATURES_OK);
		wr_bar(VIRTIO_COMMON_Q_SIZE, 2, QSIZE);
		wr_bar(VIRTIO_COMMON_Q_DESCLO, 8, DESC);
		wr_bar(VIRTIO_COMMON_Q_AVAILLO, 8, avail);
		wr_bar(VIRTIO_COMMON_Q_USEDLO, 8, used);
		wr_bar(VIRTIO_COMMON_Q_ENABLE, 2, 1);
		assert_int_equal(rd_bar(VIRTIO_COMMON_Q_ENABLE, 2), 0);
		assert_true(status() & VIRTIO_STATUS_NEEDS_RESET);
		assert_int_equal(g.bad, 0);
	}
}

#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_event_idx_offered),
		T(test_interrupt_only_when_used_event_crossed),
		T(test_intx_suppressed_too),
		T(test_one_interrupt_per_batch),
		T(test_used_event_across_wrap),
		T(test_avail_event_written),
		T(test_chain_racing_avail_event_is_taken),
		T(test_no_interrupt_without_event_idx),
		T(test_flag_ignored_with_event_idx),
		T(test_event_fields_outside_ram_refused),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
