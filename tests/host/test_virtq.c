// SPDX-License-Identifier: MIT
/*
 * Host tests for the split virtqueue walk (vdev/virtq.c) and the
 * virtio-blk request decoder (vdev/virtio_blk_req.c) against a fake guest
 * memory: well-formed chains, every kind of broken chain, framing that
 * splits the header, buffers that cross host-discontiguous memory, and
 * the per-request errors (range, read-only, unsupported types).
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "vdev/virtio_blk_req.h"
#include "virtio_blk_guest.h"

#define DATA 0x8000ULL

static struct fake_guest g;
static struct virtq q;
static struct virtq_chain chain;
static struct vblk_req req;
static const struct vblk_disk disk = { .first = 100,
				       .count = 1000,
				       .id = "keel-virtio-disk-id-too-long" };

static int setup(void **state)
{
	fake_guest_init(&g);
	q = (struct virtq){
		.size = QSIZE, .desc = DESC, .avail = AVAIL, .used = USED
	};
	return 0;
}

static int teardown(void **state)
{
	fake_guest_free(&g);
	return 0;
}

/* header, one data buffer, status: the usual three-descriptor request */
static void three(u32 type, u64 sector, u64 data, u32 len, bool in)
{
	fake_blk_hdr(&g, HDR, type, sector);
	fake_desc(&g, DESC, 0, HDR, VIRTIO_BLK_HDR_SIZE, VIRTQ_DESC_F_NEXT, 1);
	fake_desc(&g, DESC, 1, data, len,
		  VIRTQ_DESC_F_NEXT | (in ? VIRTQ_DESC_F_WRITE : 0), 2);
	fake_desc(&g, DESC, 2, STATUS, 1, VIRTQ_DESC_F_WRITE, 0);
	fake_avail(&g, AVAIL, QSIZE, 0, 0);
}

static int pop(const char **why)
{
	*why = NULL;
	return virtq_pop(&q, &g.mem, &chain, why);
}

static void test_empty_queue(void **state)
{
	const char *why;

	assert_int_equal(pop(&why), 0);
	assert_int_equal(q.last_avail, 0);
}

static void test_read_request(void **state)
{
	const char *why;

	three(VIRTIO_BLK_T_IN, 10, DATA, 4096, true);
	assert_int_equal(pop(&why), 1);
	assert_int_equal(chain.n, 3);
	assert_int_equal(chain.nread, 1);
	assert_int_equal(chain.rlen, 16);
	assert_int_equal(chain.wlen, 4097);
	assert_int_equal(q.last_avail, 1);
	assert_int_equal(vblk_decode(&chain, &g.mem, &disk, &req, &why), 0);
	assert_int_equal(req.action, VBLK_IO);
	assert_int_equal(req.op, REQ_OP_READ);
	assert_int_equal(req.sector, 110);
	assert_int_equal(req.bytes, 4096);
	assert_int_equal(req.used_len, 4097);
	assert_int_equal(req.status_gpa, STATUS);
	assert_int_equal(req.nvecs, 1);
	assert_ptr_equal(
		(u8 *)(uintptr_t)(req.vecs[0].bv_page + req.vecs[0].bv_offset),
		fake_ptr(&g, DATA));
	assert_int_equal(req.vecs[0].bv_len, 4096);
	/* Nothing more: the next pop finds the ring empty. */
	assert_int_equal(pop(&why), 0);
}

/* A buffer across two host pieces becomes two bio_vecs, no copy. */
static void test_discontiguous_buffer(void **state)
{
	const char *why;
	u64 data = 2 * FAKE_CHUNK - 1024;

	three(VIRTIO_BLK_T_OUT, 0, data, 8192, false);
	assert_int_equal(pop(&why), 1);
	assert_int_equal(vblk_decode(&chain, &g.mem, &disk, &req, &why), 0);
	assert_int_equal(req.action, VBLK_IO);
	assert_int_equal(req.op, REQ_OP_WRITE);
	assert_int_equal(req.used_len, 1);
	assert_int_equal(req.nvecs, 2);
	assert_int_equal(req.vecs[0].bv_len, 1024);
	assert_int_equal(req.vecs[1].bv_len, 7168);
	assert_ptr_equal(
		(u8 *)(uintptr_t)(req.vecs[0].bv_page + req.vecs[0].bv_offset),
		fake_ptr(&g, data));
	assert_ptr_equal(
		(u8 *)(uintptr_t)(req.vecs[1].bv_page + req.vecs[1].bv_offset),
		fake_ptr(&g, 2 * FAKE_CHUNK));
	assert_int_equal(req.vecs[1].bv_page % PAGE_SIZE, 0);
}

/* 2.6.4: header split over two descriptors, data and status in one. */
static void test_odd_framing(void **state)
{
	const char *why;

	fake_blk_hdr(&g, HDR, VIRTIO_BLK_T_IN, 1);
	fake_desc(&g, DESC, 5, HDR, 6, VIRTQ_DESC_F_NEXT, 9);
	fake_desc(&g, DESC, 9, HDR + 6, 10, VIRTQ_DESC_F_NEXT, 3);
	fake_desc(&g, DESC, 3, DATA, 513, VIRTQ_DESC_F_WRITE, 0);
	fake_avail(&g, AVAIL, QSIZE, 0, 5);
	assert_int_equal(pop(&why), 1);
	assert_int_equal(chain.head, 5);
	assert_int_equal(vblk_decode(&chain, &g.mem, &disk, &req, &why), 0);
	assert_int_equal(req.action, VBLK_IO);
	assert_int_equal(req.sector, 101);
	assert_int_equal(req.bytes, 512);
	assert_int_equal(req.status_gpa, DATA + 512);
}

static void expect_violation(const char *what)
{
	const char *why;
	u16 before = q.last_avail;

	assert_int_equal(pop(&why), -EINVAL);
	assert_non_null(why);
	assert_non_null(strstr(why, what));
	/* The broken chain is not consumed. */
	assert_int_equal(q.last_avail, before);
}

static void test_index_out_of_range(void **state)
{
	fake_desc(&g, DESC, 0, HDR, 16, VIRTQ_DESC_F_NEXT, QSIZE);
	fake_avail(&g, AVAIL, QSIZE, 0, 0);
	expect_violation("out of range");
	fake_avail(&g, AVAIL, QSIZE, 0, 0xffff);
	expect_violation("out of range");
}

static void test_loop(void **state)
{
	fake_desc(&g, DESC, 0, HDR, 16, VIRTQ_DESC_F_NEXT, 1);
	fake_desc(&g, DESC, 1, DATA, 16, VIRTQ_DESC_F_NEXT, 0);
	fake_avail(&g, AVAIL, QSIZE, 0, 0);
	expect_violation("loops");
	/* A self-loop too. */
	fake_desc(&g, DESC, 0, HDR, 16, VIRTQ_DESC_F_NEXT, 0);
	expect_violation("loops");
}

/* A chain using every descriptor once is legal; it is as long as may be. */
static void test_chain_as_long_as_queue(void **state)
{
	const char *why;

	for (u16 i = 0; i < QSIZE; i++)
		fake_desc(&g, DESC, i, DATA + 16ULL * i, 16,
			  i + 1 < QSIZE ? VIRTQ_DESC_F_NEXT : 0, i + 1);
	fake_avail(&g, AVAIL, QSIZE, 0, 0);
	assert_int_equal(pop(&why), 1);
	assert_int_equal(chain.n, QSIZE);
}

static void test_buffer_outside_ram(void **state)
{
	fake_desc(&g, DESC, 0, FAKE_RAM - 8, 16, 0, 0);
	fake_avail(&g, AVAIL, QSIZE, 0, 0);
	expect_violation("outside guest RAM");
	/* Wrapping around the address space is outside too. */
	fake_desc(&g, DESC, 0, ~0ULL - 7, 16, 0, 0);
	expect_violation("outside guest RAM");
	fake_desc(&g, DESC, 0, FAKE_RAM, 0, 0, 0);
	expect_violation("outside guest RAM");
}

static void test_readable_after_writable(void **state)
{
	fake_desc(&g, DESC, 0, STATUS, 1,
		  VIRTQ_DESC_F_WRITE | VIRTQ_DESC_F_NEXT, 1);
	fake_desc(&g, DESC, 1, HDR, 16, 0, 0);
	fake_avail(&g, AVAIL, QSIZE, 0, 0);
	expect_violation("readable buffer after");
}

static void test_indirect_refused(void **state)
{
	fake_desc(&g, DESC, 0, DATA, 64, VIRTQ_DESC_F_INDIRECT, 0);
	fake_avail(&g, AVAIL, QSIZE, 0, 0);
	expect_violation("indirect");
}

static void test_total_length_bound(void **state)
{
	u16 n = VIRTQ_MAX_CHAIN_BYTES / FAKE_RAM + 1;

	/* Buffers over the same RAM whose sum passes the bound. */
	q.size = 32;
	assert_true(n <= q.size);
	for (u16 i = 0; i < n; i++)
		fake_desc(&g, DESC, i, 0, FAKE_RAM,
			  i + 1 < n ? VIRTQ_DESC_F_NEXT : 0, i + 1);
	fake_avail(&g, AVAIL, q.size, 0, 0);
	expect_violation("total-length");
}

static void test_avail_index_too_far(void **state)
{
	fake_put16(&g, AVAIL + VIRTQ_AVAIL_IDX, QSIZE + 1);
	expect_violation("ahead");
}

static void test_layout(void **state)
{
	const char *why = NULL;
	struct virtq l = q;

	assert_int_equal(virtq_check_layout(&l, &g.mem, &why), 0);
	l.size = 12;
	assert_int_equal(virtq_check_layout(&l, &g.mem, &why), -EINVAL);
	l.size = 512;
	assert_int_equal(virtq_check_layout(&l, &g.mem, &why), -EINVAL);
	l = q;
	l.desc = DESC + 8;
	assert_int_equal(virtq_check_layout(&l, &g.mem, &why), -EINVAL);
	assert_non_null(strstr(why, "misaligned"));
	l = q;
	l.used = FAKE_RAM - 16;
	assert_int_equal(virtq_check_layout(&l, &g.mem, &why), -EINVAL);
	assert_non_null(strstr(why, "outside"));
}

static void test_push(void **state)
{
	assert_int_equal(virtq_push(&q, &g.mem, 7, 513), 0);
	assert_int_equal(fake_get32(&g, USED + VIRTQ_USED_RING), 7);
	assert_int_equal(fake_get32(&g, USED + VIRTQ_USED_RING + 4), 513);
	assert_int_equal(fake_get16(&g, USED + VIRTQ_USED_IDX), 1);
	/* The ring wraps at the queue size, the index at 65536. */
	q.used_idx = 0xffff;
	assert_int_equal(virtq_push(&q, &g.mem, 3, 1), 0);
	assert_int_equal(
		fake_get32(&g, USED + VIRTQ_USED_RING +
				       VIRTQ_USED_ELEM_SIZE * (0xffff % QSIZE)),
		3);
	assert_int_equal(fake_get16(&g, USED + VIRTQ_USED_IDX), 0);
}

/* The event-index rule (virtio 1.2 2.7.7.2): event in [old, new). */
static void test_need_event(void **state)
{
	assert_true(virtq_need_event(0, 1, 0));
	assert_false(virtq_need_event(1, 1, 0));
	assert_true(virtq_need_event(4, 8, 3));
	assert_true(virtq_need_event(7, 8, 3));
	assert_false(virtq_need_event(8, 8, 3));
	assert_false(virtq_need_event(2, 8, 3));
	assert_false(virtq_need_event(5, 5, 5)); /* nothing moved */
	/* Across the wrap: old 0xfffe, new 2 covers 0xfffe .. 1. */
	assert_true(virtq_need_event(0xfffe, 2, 0xfffe));
	assert_true(virtq_need_event(0xffff, 2, 0xfffe));
	assert_true(virtq_need_event(1, 2, 0xfffe));
	assert_false(virtq_need_event(2, 2, 0xfffe));
	assert_false(virtq_need_event(0xfffd, 2, 0xfffe));
	assert_false(virtq_need_event(0x8000, 2, 0xfffe));
}

/* One decision per batch, whatever used_event says; flags without it. */
static void test_need_interrupt(void **state)
{
	u64 ue = AVAIL + VIRTQ_USED_EVENT(QSIZE);

	fake_put16(&g, ue, 1);
	assert_false(virtq_need_interrupt(&q, &g.mem, true)); /* none new */
	assert_int_equal(virtq_push(&q, &g.mem, 0, 1), 0);
	assert_false(virtq_need_interrupt(&q, &g.mem, true)); /* 0 .. 0 */
	assert_int_equal(virtq_push(&q, &g.mem, 0, 1), 0);
	assert_int_equal(virtq_push(&q, &g.mem, 0, 1), 0);
	assert_true(virtq_need_interrupt(&q, &g.mem, true)); /* 1 .. 2 */
	assert_false(virtq_need_interrupt(&q, &g.mem, true)); /* asked again */
	/* Without EVENT_IDX: used_event is ignored, NO_INTERRUPT obeyed. */
	assert_int_equal(virtq_push(&q, &g.mem, 0, 1), 0);
	assert_true(virtq_need_interrupt(&q, &g.mem, false));
	fake_put16(&g, AVAIL, VIRTQ_AVAIL_F_NO_INTERRUPT);
	assert_int_equal(virtq_push(&q, &g.mem, 0, 1), 0);
	assert_false(virtq_need_interrupt(&q, &g.mem, false));
	/* With it the flag means nothing: element 5 is used_event 5. */
	fake_put16(&g, ue, 5);
	assert_int_equal(virtq_push(&q, &g.mem, 0, 1), 0);
	assert_true(virtq_need_interrupt(&q, &g.mem, true));
}

/* avail_event = last_avail, written only when it changed. */
static void test_set_avail_event(void **state)
{
	u64 ae = USED + VIRTQ_AVAIL_EVENT(QSIZE);

	q.avail_event = 0xffff;
	q.last_avail = 7;
	assert_int_equal(virtq_set_avail_event(&q, &g.mem), 1);
	assert_int_equal(fake_get16(&g, ae), 7);
	assert_int_equal(virtq_set_avail_event(&q, &g.mem), 0);
	q.last_avail = 8;
	assert_int_equal(virtq_set_avail_event(&q, &g.mem), 1);
	assert_int_equal(fake_get16(&g, ae), 8);
}

/* ---- decoder ---- */

static void decode_ok(void)
{
	const char *why;

	assert_int_equal(pop(&why), 1);
	assert_int_equal(vblk_decode(&chain, &g.mem, &disk, &req, &why), 0);
}

static void test_range_checks(void **state)
{
	/* The last sector of the range is fine ... */
	three(VIRTIO_BLK_T_IN, 999, DATA, 512, true);
	decode_ok();
	assert_int_equal(req.action, VBLK_IO);
	assert_int_equal(req.sector, 1099);
	/* ... one past it, or a count that runs past, is IOERR. */
	q.last_avail = 0;
	three(VIRTIO_BLK_T_IN, 1000, DATA, 512, true);
	decode_ok();
	assert_int_equal(req.action, VBLK_DONE);
	assert_int_equal(req.status, VIRTIO_BLK_S_IOERR);
	/*
	 * 2.7.8.2: the driver may trust only the first len bytes of the
	 * writable part, and the status byte is its last one, so len covers
	 * the whole writable part (QEMU's in_len), not just one byte.
	 */
	assert_int_equal(req.used_len, 513);
	q.last_avail = 0;
	three(VIRTIO_BLK_T_OUT, 999, DATA, 1024, false);
	decode_ok();
	assert_int_equal(req.status, VIRTIO_BLK_S_IOERR);
	q.last_avail = 0;
	three(VIRTIO_BLK_T_IN, ~0ULL, DATA, 512, true);
	decode_ok();
	assert_int_equal(req.status, VIRTIO_BLK_S_IOERR);
	/* Not a whole number of sectors. */
	q.last_avail = 0;
	three(VIRTIO_BLK_T_IN, 0, DATA, 100, true);
	decode_ok();
	assert_int_equal(req.action, VBLK_DONE);
	assert_int_equal(req.status, VIRTIO_BLK_S_IOERR);
	assert_int_equal(req.used_len, 101);
}

static void test_read_only(void **state)
{
	struct vblk_disk ro = disk;
	const char *why;

	ro.ro = true;
	three(VIRTIO_BLK_T_OUT, 0, DATA, 512, false);
	assert_int_equal(pop(&why), 1);
	assert_int_equal(vblk_decode(&chain, &g.mem, &ro, &req, &why), 0);
	assert_int_equal(req.action, VBLK_DONE);
	assert_int_equal(req.status, VIRTIO_BLK_S_IOERR);
	q.last_avail = 0;
	three(VIRTIO_BLK_T_IN, 0, DATA, 512, true);
	assert_int_equal(pop(&why), 1);
	assert_int_equal(vblk_decode(&chain, &g.mem, &ro, &req, &why), 0);
	assert_int_equal(req.action, VBLK_IO);
}

static void test_unsupported_and_flush(void **state)
{
	three(11 /* VIRTIO_BLK_T_DISCARD, not offered */, 0, DATA, 16, false);
	decode_ok();
	assert_int_equal(req.action, VBLK_DONE);
	assert_int_equal(req.status, VIRTIO_BLK_S_UNSUPP);
	q.last_avail = 0;
	fake_blk_hdr(&g, HDR, VIRTIO_BLK_T_FLUSH, 0);
	fake_desc(&g, DESC, 0, HDR, 16, VIRTQ_DESC_F_NEXT, 1);
	fake_desc(&g, DESC, 1, STATUS, 1, VIRTQ_DESC_F_WRITE, 0);
	decode_ok();
	assert_int_equal(req.action, VBLK_IO);
	assert_int_equal(req.op, REQ_OP_FLUSH);
	assert_int_equal(req.nvecs, 0);
}

static void test_get_id(void **state)
{
	u8 id[21];

	memset(id, 0xee, sizeof(id));
	fake_copy(&g, DATA, id, sizeof(id), true);
	three(VIRTIO_BLK_T_GET_ID, 0, DATA, 20, true);
	decode_ok();
	assert_int_equal(req.action, VBLK_DONE);
	assert_int_equal(req.status, VIRTIO_BLK_S_OK);
	assert_int_equal(req.used_len, 21);
	fake_copy(&g, DATA, id, sizeof(id), false);
	assert_memory_equal(id, "keel-virtio-disk-id-", 20);
	assert_int_equal(id[20], 0xee); /* nothing past the buffer */
}

static void test_no_header_or_status(void **state)
{
	const char *why;

	/* Header only 8 bytes readable. */
	fake_desc(&g, DESC, 0, HDR, 8, VIRTQ_DESC_F_NEXT, 1);
	fake_desc(&g, DESC, 1, STATUS, 1, VIRTQ_DESC_F_WRITE, 0);
	fake_avail(&g, AVAIL, QSIZE, 0, 0);
	assert_int_equal(pop(&why), 1);
	assert_int_equal(vblk_decode(&chain, &g.mem, &disk, &req, &why),
			 -EINVAL);
	assert_non_null(strstr(why, "header"));
	/* No writable byte for the status. */
	q.last_avail = 0;
	fake_desc(&g, DESC, 0, HDR, 16, 0, 0);
	assert_int_equal(pop(&why), 1);
	assert_int_equal(vblk_decode(&chain, &g.mem, &disk, &req, &why),
			 -EINVAL);
	assert_non_null(strstr(why, "status"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)
		T(test_empty_queue),
		T(test_read_request),
		T(test_discontiguous_buffer),
		T(test_odd_framing),
		T(test_index_out_of_range),
		T(test_loop),
		T(test_chain_as_long_as_queue),
		T(test_buffer_outside_ram),
		T(test_readable_after_writable),
		T(test_indirect_refused),
		T(test_total_length_bound),
		T(test_avail_index_too_far),
		T(test_layout),
		T(test_push),
		T(test_need_event),
		T(test_need_interrupt),
		T(test_set_avail_event),
		T(test_range_checks),
		T(test_read_only),
		T(test_unsupported_and_flush),
		T(test_get_id),
		T(test_no_header_or_status),
#undef T
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
