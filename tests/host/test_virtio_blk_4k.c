// SPDX-License-Identifier: MIT
/*
 * Host tests for virtio-blk on a disk of 4096-byte logical blocks (4Kn):
 * BLK_SIZE and its place in the configuration space (virtio 1.2 5.2.4),
 * whole-block I/O, and IOERR for a request that is not whole blocks. No
 * emulator here gives Keel a 4Kn disk, so these are the path's only tests.
 */
#include "virtio_blk_harness.h"

/* A config read of @size bytes at @off of struct virtio_blk_config. */
static u64 rd_cfg(u32 off, unsigned int size)
{
	return rd_bar(VBLK_DEVCFG_OFF + off, size);
}

/*
 * A disk of 4096-byte logical blocks (4Kn): the device offers BLK_SIZE
 * with 4096 (virtio 1.2 5.2.4) at offset 0x14, after the 4-byte geometry
 * at 0x10, at every access width; capacity stays in 512-byte sectors.
 */
static void test_4k_disk_offers_blk_size(void **state)
{
	teardown(state);
	setup_disk_bs(false, 4096, FIRST);
	assert_true(device_features() & BIT(VIRTIO_BLK_F_BLK_SIZE));
	/* The spec's offsets, written out: capacity, size_max, seg_max. */
	assert_int_equal(rd_cfg(0x00, 8), COUNT);
	assert_int_equal(rd_cfg(0x00, 4), COUNT);
	assert_int_equal(rd_cfg(0x04, 4), 0);
	assert_int_equal(rd_cfg(0x08, 4), VBLK_SIZE_MAX);
	assert_int_equal(rd_cfg(0x0c, 4), VBLK_SEG_MAX);
	/* blk_size at 0x14, whole and in pieces; geometry (0x10) is 0. */
	assert_int_equal(rd_cfg(0x14, 4), 4096);
	assert_int_equal(rd_cfg(0x14, 2), 4096);
	assert_int_equal(rd_cfg(0x16, 2), 0);
	assert_int_equal(rd_cfg(0x14, 1), 0x00);
	assert_int_equal(rd_cfg(0x15, 1), 0x10);
	assert_int_equal(rd_cfg(0x10, 8), 4096ULL << 32);
	assert_int_equal(rd_cfg(0x10, 4), 0);
	/* Topology (0x18) and writeback (0x20): not offered, 0. */
	assert_int_equal(rd_cfg(0x18, 8), 0);
	assert_int_equal(rd_cfg(0x20, 4), 0);
	assert_int_equal(VIRTIO_BLK_CFG_BLK_SIZE, 0x14);
	assert_int_equal(VIRTIO_BLK_CFG_GEOMETRY, 0x10);
	assert_int_equal(VIRTIO_BLK_CFG_TOPOLOGY, 0x18);
}

/* Whole 4 KiB blocks reach the disk, at sector * 512 of the range. */
static void test_4k_disk_aligned_io(void **state)
{
	u8 *w, *r;

	teardown(state);
	setup_disk_bs(false, 4096, FIRST);
	w = fake_ptr(&g, DATA);
	r = fake_ptr(&g, DATA + 0x8000);
	driver_init(true);
	for (int i = 0; i < 8192; i++)
		w[i] = (u8)(i * 5 + 1);
	request(0, 0, VIRTIO_BLK_T_OUT, 16, DATA, 8192);
	notify();
	run_until_idle();
	assert_int_equal(used_idx(), 1);
	assert_int_equal(status_byte(0), VIRTIO_BLK_S_OK);
	assert_memory_equal(disk_buf + (FIRST + 16) * 512, w, 8192);
	request(3, 1, VIRTIO_BLK_T_IN, 16, DATA + 0x8000, 8192);
	notify();
	run_until_idle();
	assert_int_equal(used_idx(), 2);
	assert_int_equal(status_byte(1), VIRTIO_BLK_S_OK);
	assert_memory_equal(r, w, 8192);
	assert_int_equal(logs, 0);
}

/*
 * 512-byte I/O on a 4Kn disk: IOERR from the device, said once; the block
 * layer (which refuses such bios) never sees it.
 */
static void test_4k_disk_unaligned_io_is_ioerr(void **state)
{
	teardown(state);
	setup_disk_bs(false, 4096, FIRST);
	driver_init(true);
	request(0, 0, VIRTIO_BLK_T_IN, 1, DATA, 4096); /* sector off a block */
	request(3, 1, VIRTIO_BLK_T_IN, 8, DATA, 512); /* part of a block */
	request(6, 2, VIRTIO_BLK_T_OUT, 12, DATA, 4096);
	request(9, 3, VIRTIO_BLK_T_OUT, 8, DATA, 4096 + 512);
	notify();
	run_until_idle();
	assert_int_equal(used_idx(), 4);
	for (int k = 0; k < 4; k++)
		assert_int_equal(status_byte(k), VIRTIO_BLK_S_IOERR);
	assert_int_equal(rd.dev.q.stats.bios, 0);
	assert_int_equal(logs, 1);
	assert_non_null(strstr(last_log, "sector 1 got IOERR"));
	assert_non_null(strstr(last_log, "not on a block"));
	/* The device is fine: a whole block still goes. */
	request(12, 4, VIRTIO_BLK_T_IN, 8, DATA, 4096);
	notify();
	run_until_idle();
	assert_int_equal(status_byte(4), VIRTIO_BLK_S_OK);
	assert_int_equal(logs, 1);
	assert_false(status() & VIRTIO_STATUS_NEEDS_RESET);
}

/* A range that starts off a block: every I/O would be refused below. */
static void test_4k_disk_unaligned_range_is_ioerr(void **state)
{
	teardown(state);
	setup_disk_bs(false, 4096, FIRST + 1);
	driver_init(true);
	request(0, 0, VIRTIO_BLK_T_IN, 0, DATA, 4096);
	notify();
	run_until_idle();
	assert_int_equal(status_byte(0), VIRTIO_BLK_S_IOERR);
	assert_int_equal(rd.dev.q.stats.bios, 0);
}

/* The 512-byte disk is as before: single sectors anywhere go. */
static void test_512_disk_takes_single_sectors(void **state)
{
	u8 *w = fake_ptr(&g, DATA);

	assert_int_equal(rd_cfg(VIRTIO_BLK_CFG_BLK_SIZE, 4), 512);
	driver_init(true);
	memset(w, 0x5a, 512);
	request(0, 0, VIRTIO_BLK_T_OUT, 3, DATA, 512);
	request(3, 1, VIRTIO_BLK_T_IN, 7, DATA + 0x1000, 1024);
	notify();
	run_until_idle();
	assert_int_equal(used_idx(), 2);
	assert_int_equal(status_byte(0), VIRTIO_BLK_S_OK);
	assert_int_equal(status_byte(1), VIRTIO_BLK_S_OK);
	assert_memory_equal(disk_buf + (FIRST + 3) * 512, w, 512);
	assert_int_equal(logs, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)
		T(test_4k_disk_offers_blk_size),
		T(test_4k_disk_aligned_io),
		T(test_4k_disk_unaligned_io_is_ioerr),
		T(test_4k_disk_unaligned_range_is_ioerr),
		T(test_512_disk_takes_single_sectors),
#undef T
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
