// SPDX-License-Identifier: MIT
/*
 * The table-driven tunables (block/tunable.c): lookup, range checks, unit
 * parsing and storage against a table of a test struct, then the same
 * through a device: "KEY=VALUE" and the listing, for every elevator.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <string.h>

#include "block_fake.h"
#include "block/tunable.h"

struct knobs {
	u64 expire_ns;
	u64 lat_ns;
	u32 batch;
	bool merges;
	bool busy;
};

static int knobs_idle(const void *priv)
{
	return ((const struct knobs *)priv)->busy ? -EBUSY : 0;
}

static const struct blk_tunable tab[] = {
	BLK_TUNABLE(struct knobs, expire_ns, .name = "expire",
		    .unit = BLK_TUN_MS, .max = ~0ULL / MS,
		    .may_set = knobs_idle, .help = "expiry"),
	BLK_TUNABLE(struct knobs, lat_ns, .name = "lat", .unit = BLK_TUN_NS,
		    .min = 1, .max = ~0ULL, .help = "target"),
	BLK_TUNABLE(struct knobs, batch, .name = "batch", .min = 1,
		    .max = 0xffff, .help = "per batch"),
	BLK_TUNABLE(struct knobs, merges, .name = "merges",
		    .unit = BLK_TUN_BOOL, .max = 1, .help = "on/off"),
};

#define N ARRAY_SIZE(tab)

static void test_find(void **state)
{
	assert_int_equal(blk_tunable_find(tab, N, "batch", 5), 2);
	/* Only a whole name matches: not a prefix, not a longer one. */
	assert_int_equal(blk_tunable_find(tab, N, "batc", 4), -ENOENT);
	assert_int_equal(blk_tunable_find(tab, N, "batch=3", 7), -ENOENT);
	assert_int_equal(blk_tunable_find(tab, N, "batch=3", 5), 2);
	assert_int_equal(blk_tunable_find(tab, N, "bogus", 5), -ENOENT);
	assert_int_equal(blk_tunable_find(tab, N, "", 0), -ENOENT);
}

static void test_store_range(void **state)
{
	struct knobs k = { 0 };

	assert_int_equal(blk_tunable_store(&tab[2], &k, 0), -ERANGE);
	assert_int_equal(blk_tunable_store(&tab[2], &k, 0x10000), -ERANGE);
	assert_int_equal(k.batch, 0);
	assert_int_equal(blk_tunable_store(&tab[2], &k, 0xffff), 0);
	assert_int_equal(k.batch, 0xffff);
	/* A bool out of range is -EINVAL, as Linux's sysfs answers. */
	assert_int_equal(blk_tunable_store(&tab[3], &k, 2), -EINVAL);
	assert_int_equal(blk_tunable_store(&tab[3], &k, 1), 0);
	assert_true(k.merges);
	/* ms are stored as ns; one past the largest that fits is refused. */
	assert_int_equal(blk_tunable_store(&tab[0], &k, 7), 0);
	assert_int_equal(k.expire_ns, 7 * MS);
	assert_int_equal(blk_tunable_load(&tab[0], &k), 7);
	assert_int_equal(blk_tunable_store(&tab[0], &k, ~0ULL / MS + 1),
			 -ERANGE);
	assert_int_equal(k.expire_ns, 7 * MS);
	/* The per-knob veto comes after the range check. */
	k.busy = true;
	assert_int_equal(blk_tunable_store(&tab[0], &k, 9), -EBUSY);
	assert_int_equal(blk_tunable_store(&tab[0], &k, ~0ULL), -ERANGE);
	assert_int_equal(k.expire_ns, 7 * MS);
}

static int parse(int i, const char *s, u64 *v)
{
	return blk_tunable_parse(&tab[i], s, strlen(s), v);
}

static void test_parse_units(void **state)
{
	u64 v = 0;

	assert_int_equal(parse(0, "250", &v), 0);
	assert_int_equal(v, 250);
	assert_int_equal(parse(0, "2s", &v), 0);
	assert_int_equal(v, 2000);
	assert_int_equal(parse(0, "3000us", &v), 0);
	assert_int_equal(v, 3);
	assert_int_equal(parse(0, "4000000ns", &v), 0);
	assert_int_equal(v, 4);
	/* Not a whole number of ms. */
	assert_int_equal(parse(0, "1500us", &v), -EINVAL);
	assert_int_equal(parse(1, "2ms", &v), 0);
	assert_int_equal(v, 2000000);
	assert_int_equal(parse(1, "0x10", &v), 0);
	assert_int_equal(v, 16);
	assert_int_equal(parse(1, "5min", &v), -EINVAL);
	assert_int_equal(parse(1, "ms", &v), -EINVAL);
	assert_int_equal(parse(1, "", &v), -EINVAL);
	assert_int_equal(parse(1, "18446744073709551615s", &v), -ERANGE);
	/* Counts take no unit. */
	assert_int_equal(parse(2, "4ms", &v), -EINVAL);
	assert_int_equal(parse(2, "12", &v), 0);
	assert_int_equal(v, 12);
}

static void test_format(void **state)
{
	struct knobs k = { .expire_ns = 500 * MS, .batch = 16 };
	char buf[96];

	blk_tunable_format(&tab[0], &k, buf, sizeof(buf));
	assert_string_equal(buf, "expire=500 ms [0..18446744073709] expiry");
	blk_tunable_format(&tab[2], &k, buf, sizeof(buf));
	assert_string_equal(buf, "batch=16 [1..65535] per batch");
}

static void test_dev_tune(void **state)
{
	u64 v;

	setup_dev("deadline", 1, 0);
	assert_int_equal(blk_tune(&fk.dev, "read_expire=2s"), 0);
	assert_int_equal(blk_get_tunable(&fk.dev, "read_expire", &v), 0);
	assert_int_equal(v, 2000);
	assert_int_equal(blk_tune(&fk.dev, "fifo_batch=8"), 0);
	assert_int_equal(blk_get_tunable(&fk.dev, "fifo_batch", &v), 0);
	assert_int_equal(v, 8);
	assert_int_equal(blk_tune(&fk.dev, "fifo_batch"), -EINVAL);
	assert_int_equal(blk_tune(&fk.dev, "fifo_batch=x"), -EINVAL);
	assert_int_equal(blk_tune(&fk.dev, "young_ms=5"), -ENOENT);
	assert_int_equal(blk_tune(&fk.dev, "front_merges=2"), -EINVAL);
	setup_dev("kyber", 1, 0);
	assert_int_equal(blk_tune(&fk.dev, "read_lat_nsec=250us"), 0);
	assert_int_equal(blk_get_tunable(&fk.dev, "read_lat_nsec", &v), 0);
	assert_int_equal(v, 250000);
	/* Read-only: listed and read, never set. */
	assert_int_equal(blk_tune(&fk.dev, "write_depth=1"), -ENOENT);
	assert_int_equal(blk_get_tunable(&fk.dev, "write_depth", &v), 0);
}

/* Every elevator lists exactly the knobs that get and set accept. */
static void test_dev_list(void **state)
{
	static const char *const elv[] = { "none", "deadline", "kyber",
					   "keel" };
	static const unsigned int count[] = { 0, 5, 4, 10 };

	for (unsigned int e = 0; e < ARRAY_SIZE(elv); e++) {
		char buf[128];
		unsigned int i;

		setup_dev(elv[e], 1, 0);
		for (i = 0; blk_tunable_list(&fk.dev, i, buf, sizeof(buf)) > 0;
		     i++) {
			char name[32];
			size_t len = strcspn(buf, "=");
			u64 v;

			assert_true(len < sizeof(name));
			memcpy(name, buf, len);
			name[len] = 0;
			assert_int_equal(blk_get_tunable(&fk.dev, name, &v), 0);
		}
		assert_int_equal(i, count[e]);
		assert_int_equal(blk_tunable_list(&fk.dev, i, buf, sizeof(buf)),
				 -ENOENT);
	}
	/* The first deadline line, as the shell's listing shows it. */
	{
		char buf[128];

		setup_dev("deadline", 1, 0);
		blk_tunable_list(&fk.dev, 0, buf, sizeof(buf));
		assert_string_equal(
			buf,
			"read_expire=500 ms [0..18446744073709] read FIFO expiry");
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_find),
		cmocka_unit_test(test_store_range),
		cmocka_unit_test(test_parse_units),
		cmocka_unit_test(test_format),
		cmocka_unit_test(test_dev_tune),
		cmocka_unit_test(test_dev_list),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
