// SPDX-License-Identifier: MIT
/*
 * Host tests for the block layer's building blocks: the rbtree, bvec
 * iteration, bio splitting and chaining, and DMA segment cutting.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <stdlib.h>

#include "block/blk.h"

struct item {
	struct rb_node node;
	u64 key;
};

static void insert(struct rb_root *root, struct item *it)
{
	struct rb_node **link = &root->node, *parent = NULL;

	while (*link) {
		parent = *link;
		if (it->key < rb_entry(parent, struct item, node)->key)
			link = &parent->left;
		else
			link = &parent->right;
	}
	rb_link_node(&it->node, parent, link);
	rb_insert_color(&it->node, root);
}

static void check_sorted(struct rb_root *root, const bool *present, int n)
{
	int seen = 0;
	u64 prev = 0;

	for (struct rb_node *x = rb_first(root); x; x = rb_next(x)) {
		u64 k = rb_entry(x, struct item, node)->key;

		assert_true(k >= prev);
		prev = k;
		seen++;
	}
	int want = 0;
	for (int i = 0; i < n; i++)
		want += present[i];
	assert_int_equal(seen, want);
	assert_true(rb_check(root) >= 0);
}

static void test_rbtree_random(void **state)
{
	enum { N = 2000 };
	static struct item items[N];
	static bool present[N];
	struct rb_root root = RB_ROOT;

	srand(1);
	for (int i = 0; i < N; i++) {
		items[i].key = (u64)(rand() % 500);
		insert(&root, &items[i]);
		present[i] = true;
	}
	check_sorted(&root, present, N);
	for (int round = 0; round < 4000; round++) {
		int i = rand() % N;

		if (present[i])
			rb_erase(&items[i].node, &root);
		else
			insert(&root, &items[i]);
		present[i] = !present[i];
		if (round % 500 == 0)
			check_sorted(&root, present, N);
	}
	check_sorted(&root, present, N);
	/* rb_prev walks the same order backwards. */
	u64 prev = ~0ULL;
	for (struct rb_node *x = rb_last(&root); x; x = rb_prev(x)) {
		u64 k = rb_entry(x, struct item, node)->key;

		assert_true(k <= prev);
		prev = k;
	}
}

static void test_bvec_iter_walks_pieces(void **state)
{
	struct bio_vec v[3] = {
		{ 0x1000, 1024, 0 },
		{ 0x5000, 512, 256 },
		{ 0x9000, 2048, 0 },
	};
	struct bvec_iter it = { .bi_sector = 0, .bi_size = 3584 };
	struct bio_vec bv;

	bv = bvec_iter_bvec(v, it);
	assert_int_equal(bv.bv_len, 1024);
	assert_true(bvec_iter_advance(v, &it, 1536));
	assert_int_equal(it.bi_idx, 2);
	assert_int_equal(it.bi_bvec_done, 0);
	assert_true(bvec_iter_advance(v, &it, 1000));
	bv = bvec_iter_bvec(v, it);
	assert_int_equal(bv.bv_offset, 1000);
	assert_int_equal(bv.bv_len, 1048);
	assert_int_equal(it.bi_size, 1048);
	/* The vector itself is untouched by iteration. */
	assert_int_equal(v[2].bv_offset, 0);
}

static void test_bvec_overrun_warns(void **state)
{
	struct bio_vec v[1] = { { 0x1000, 512, 0 } };
	struct bvec_iter it = { .bi_size = 512 };
	u64 before = blk_warn_count;

	assert_false(bvec_iter_advance(v, &it, 1024));
	assert_int_equal(it.bi_size, 0);
	assert_int_equal(blk_warn_count, before + 1);
}

static int ended;
static blk_status_t ended_status;

static void count_end(struct bio *bio)
{
	ended++;
	ended_status = bio->bi_status;
}

static void test_bio_split_and_chain(void **state)
{
	struct bio_vec v[2] = { { 0x10000, 4096, 0 }, { 0x40000, 4096, 0 } };
	struct bio bio, split;
	struct bio_vec bv;
	struct bvec_iter it;
	int pieces = 0;

	bio_init(&bio, NULL, REQ_OP_WRITE, 0, v, 2);
	bio.bi_iter.bi_sector = 100;
	assert_int_equal(bio_add_page(&bio, 0x10000, 4096, 0), 0);
	assert_int_equal(bio_add_page(&bio, 0x40000, 4096, 0), 0);
	assert_int_equal(bio_add_page(&bio, 0x80000, 4096, 0), -E2BIG);
	bio.bi_end_io = count_end;
	assert_int_equal(bio_split(&bio, 16, &split), -EINVAL);
	assert_int_equal(bio_split(&bio, 12, &split), 0);
	assert_int_equal(split.bi_iter.bi_sector, 100);
	assert_int_equal(bio_sectors(&split), 12);
	assert_int_equal(bio.bi_iter.bi_sector, 112);
	assert_int_equal(bio_sectors(&bio), 4);
	bio_for_each_segment(bv, &bio, it)
	{
		assert_int_equal(bv.bv_page + bv.bv_offset, 0x40000 + 2048);
		pieces++;
	}
	assert_int_equal(pieces, 1);
	/* The parent ends only after both halves, with the child's error. */
	ended = 0;
	split.bi_status = BLK_STS_IOERR;
	bio_endio(&split);
	assert_int_equal(ended, 0);
	bio_endio(&bio);
	assert_int_equal(ended, 1);
	assert_int_equal(ended_status, BLK_STS_IOERR);
}

static void test_segments_obey_size_and_boundary(void **state)
{
	struct blk_queue_limits lim;
	struct bio_vec v[1] = { { 0x1000, 8192, 0x800 } };
	struct bio bio;

	blk_limits_default(&lim);
	lim.seg_boundary_mask = 0xfff;
	bio_init(&bio, NULL, REQ_OP_READ, 0, v, 1);
	bio.bi_vcnt = 1;
	bio.bi_iter.bi_size = 8192;
	/* 0x1800..0x2000, 0x2000..0x3000, 0x3000..0x3800 */
	assert_int_equal(bio_nr_segments(&lim, &bio), 3);
	lim.seg_boundary_mask = ~0ULL;
	lim.max_segment_size = 1024;
	assert_int_equal(bio_nr_segments(&lim, &bio), 8);
}

static u64 zero_clock(void *ctx)
{
	return 0;
}

static blk_status_t nop_submit(struct blk_dev *dev, struct request *rq)
{
	return BLK_STS_OK;
}

static const struct blk_dev_ops nop_ops = { .submit = nop_submit };

static void test_split_sectors_for_limits(void **state)
{
	static struct request pool[4];
	struct blk_dev dev = { .capacity = 1 << 20,
			       .ops = &nop_ops,
			       .queue_depth = 1 };
	struct bio_vec v[1] = { { 0x1000, 8192, 0x800 } };
	struct bio bio;
	struct blk_seg_iter it;
	phys_addr_t a;
	u32 l, n = 0;

	blk_limits_default(&dev.limits);
	dev.limits.seg_boundary_mask = 0xfff;
	dev.limits.max_segments = 2;
	assert_int_equal(blk_dev_register(&dev, pool, 4, zero_clock, NULL), 0);
	bio_init(&bio, &dev, REQ_OP_READ, 0, v, 1);
	bio.bi_vcnt = 1;
	bio.bi_iter.bi_size = 8192;
	assert_int_equal(blk_submit_bio(&bio), -EINVAL);
	/* Two segments: 0x800 + 0x1000 bytes. */
	assert_int_equal(blk_bio_split_sectors(&bio), 12);
	/* On 4 KiB logical blocks the cut rounds down to a whole block. */
	dev.limits.logical_block_size = 4096;
	assert_int_equal(blk_bio_split_sectors(&bio), 8);
	dev.limits.logical_block_size = SECTOR_SIZE;
	dev.limits.max_segments = 3;
	assert_int_equal(blk_bio_split_sectors(&bio), 0);
	dev.limits.max_sectors = 8;
	assert_int_equal(blk_bio_split_sectors(&bio), 8);
	dev.limits.max_sectors = 2048;
	assert_int_equal(blk_submit_bio(&bio), 0);
	/* The driver's view: three segments at the expected addresses. */
	struct request *rq = blk_tag_to_rq(&dev, 0);
	static const phys_addr_t want[] = { 0x1800, 0x2000, 0x3000 };

	assert_non_null(rq);
	blk_rq_seg_init(&it, rq);
	while (blk_rq_seg_next(&it, &a, &l)) {
		assert_true(n < 3);
		assert_int_equal(a, want[n]);
		n++;
	}
	assert_int_equal(n, 3);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_rbtree_random),
		cmocka_unit_test(test_bvec_iter_walks_pieces),
		cmocka_unit_test(test_bvec_overrun_warns),
		cmocka_unit_test(test_bio_split_and_chain),
		cmocka_unit_test(test_segments_obey_size_and_boundary),
		cmocka_unit_test(test_split_sectors_for_limits),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
