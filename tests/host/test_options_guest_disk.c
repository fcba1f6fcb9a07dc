// SPDX-License-Identifier: MIT
/*
 * Host test of guest_disk= as Keel's own option table parses it
 * (boot/options_table.c): DEV, DEV:FIRST+COUNT, and what it refuses.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <string.h>

#include "core/options.h"
#include "core/selftest.h"
#include "boot/options.h"

/* The registry is a kernel linker section; no entries are needed here. */
const struct selftest *selftest_at(enum selftest_kind kind, unsigned int i)
{
	(void)kind;
	(void)i;
	return NULL;
}

static int parse(const char *cmdline, struct keel_options *o)
{
	memset(o, 0, sizeof(*o));
	return opt_parse(&keel_option_table, o, cmdline, NULL, NULL);
}

static void test_whole_disk(void **state)
{
	struct keel_options o;

	assert_int_equal(parse("guest_disk=sdb", &o), 0);
	assert_string_equal(o.guest.disk.name, "sdb");
	assert_false(o.guest.disk.range);
	assert_null(o.guest.disk.dev);
}

static void test_range(void **state)
{
	struct keel_options o;

	assert_int_equal(parse("guest_disk=sda:2048+0x4000", &o), 0);
	assert_string_equal(o.guest.disk.name, "sda");
	assert_true(o.guest.disk.range);
	assert_int_equal(o.guest.disk.first, 2048);
	assert_int_equal(o.guest.disk.count, 0x4000);
	assert_false(o.guest.disk.ro);
}

static void test_read_only(void **state)
{
	struct keel_options o;

	assert_int_equal(parse("guest_disk=sda,ro", &o), 0);
	assert_string_equal(o.guest.disk.name, "sda");
	assert_true(o.guest.disk.ro);
	assert_false(o.guest.disk.range);
	assert_int_equal(parse("guest_disk=sdc:8+16,ro", &o), 0);
	assert_true(o.guest.disk.ro);
	assert_int_equal(o.guest.disk.first, 8);
	assert_int_equal(o.guest.disk.count, 16);
}

static void test_refused(void **state)
{
	static const char *const bad[] = {
		"guest_disk=",
		"guest_disk=SDA",
		"guest_disk=sda:",
		"guest_disk=sda:10",
		"guest_disk=sda:10+",
		"guest_disk=sda:10+0",
		"guest_disk=sda:+5",
		"guest_disk=sda:x+5",
		"guest_disk=sda:18446744073709551615+2",
		"guest_disk=averyveryverylongname",
		"guest_disk=sda;1+2",
		"guest_disk=,ro",
		"guest_disk=sda,rw",
		"guest_disk=sda:1+2,ro,ro",
	};
	struct keel_options o;

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		assert_int_equal(parse(bad[i], &o), 1);
		assert_string_equal(o.guest.disk.name, "");
	}
	/* A bad value keeps the earlier good one. */
	assert_int_equal(parse("guest_disk=sda:1+2 guest_disk=sda:x", &o), 1);
	assert_int_equal(o.guest.disk.first, 1);
	assert_int_equal(o.guest.disk.count, 2);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_whole_disk),
		cmocka_unit_test(test_range),
		cmocka_unit_test(test_read_only),
		cmocka_unit_test(test_refused),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
