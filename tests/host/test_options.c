// SPDX-License-Identifier: MIT
/*
 * Host tests of the command-line option engine (core/options.c) over a
 * table of every type: unknown keys and their suggestions, bad and empty
 * values, ranges, rounding, last-one-wins, lists and long words.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <stdio.h>
#include <string.h>

#include "core/lib.h"
#include "core/options.h"

struct topts {
	bool poweroff;
	u64 mem;
	u64 level;
	unsigned int mode;
	u32 tests;
	struct opt_str label;
	unsigned int pair;
};

static const char *const modes[] = { "halt", "poweroff", NULL };

static const char *test_names(unsigned int i)
{
	static const char *const names[] = { "ahci", "ahci-error", "net" };

	return i < 3 ? names[i] : NULL;
}

/* A custom type: "A-B" with digits A and B, stored as A * 10 + B. */
static int parse_pair(const char *v, size_t n, void *dst, char *why,
		      size_t size)
{
	if (n != 3 || v[1] != '-' || v[0] < '0' || v[0] > '9' || v[2] < '0' ||
	    v[2] > '9') {
		ksnprintf(why, size, "not a pair");
		return -EINVAL;
	}
	*(unsigned int *)dst = (unsigned int)((v[0] - '0') * 10 + v[2] - '0');
	return 0;
}

#define OFF(f) offsetof(struct topts, f)

static const struct opt_desc descs[] = {
	{ .name = "poweroff",
	  .type = OPT_FLAG,
	  .offset = OFF(poweroff),
	  .values = "no value" },
	{ .name = "guest_mem",
	  .type = OPT_UINT,
	  .offset = OFF(mem),
	  .def = "128M",
	  .min = MiB(4),
	  .max = GiB(3),
	  .align = MiB(2),
	  .values = "4M..3G" },
	{ .name = "loglevel",
	  .type = OPT_UINT,
	  .offset = OFF(level),
	  .def = "6",
	  .min = 0,
	  .max = 7,
	  .values = "0..7" },
	{ .name = "on_guest_exit",
	  .type = OPT_ENUM,
	  .offset = OFF(mode),
	  .def = "halt",
	  .names = modes,
	  .values = "halt or poweroff" },
	{ .name = "test",
	  .type = OPT_WORDS,
	  .offset = OFF(tests),
	  .names_fn = test_names,
	  .values = "test names" },
	{ .name = "label",
	  .type = OPT_STRING,
	  .offset = OFF(label),
	  .values = "any word" },
	{ .name = "pair",
	  .type = OPT_CUSTOM,
	  .offset = OFF(pair),
	  .parse = parse_pair,
	  .values = "A-B" },
};

static const struct opt_table table = { descs, ARRAY_SIZE(descs) };

static char msgs[8][OPT_MSG_MAX];
static enum opt_sev sevs[8];
static unsigned int nmsgs;

static void collect(void *ctx, enum opt_sev sev, const char *msg)
{
	(void)ctx;
	assert_true(nmsgs < 8);
	snprintf(msgs[nmsgs], sizeof(msgs[0]), "%s", msg);
	sevs[nmsgs++] = sev;
}

static int parse(const char *cmdline, struct topts *o)
{
	nmsgs = 0;
	memset(o, 0x5a, sizeof(*o));
	return opt_parse(&table, o, cmdline, collect, NULL);
}

static void test_defaults(void **state)
{
	struct topts o;

	assert_int_equal(parse("", &o), 0);
	assert_int_equal(nmsgs, 0);
	assert_false(o.poweroff);
	assert_int_equal(o.mem, MiB(128));
	assert_int_equal(o.level, 6);
	assert_int_equal(o.mode, 0);
	assert_int_equal(o.tests, 0);
	assert_null(o.label.s);
	/* An enum without a default is unset, not its first name. */
	assert_int_equal(parse(NULL, &o), 0);
}

static void test_values_applied(void **state)
{
	struct topts o;

	assert_int_equal(
		parse("  poweroff\tguest_mem=64M on_guest_exit=poweroff "
		      "test=net,ahci label=x=y pair=3-4 loglevel=0x7 ",
		      &o),
		0);
	assert_int_equal(nmsgs, 0);
	assert_true(o.poweroff);
	assert_int_equal(o.mem, MiB(64));
	assert_int_equal(o.level, 7);
	assert_int_equal(o.mode, 1);
	assert_int_equal(o.tests, 0x5);
	assert_int_equal(o.label.len, 3);
	assert_memory_equal(o.label.s, "x=y", 3);
	assert_int_equal(o.pair, 34);
}

static void test_unknown_key_suggests(void **state)
{
	struct topts o;

	assert_int_equal(parse("poweof", &o), 1);
	assert_int_equal(sevs[0], OPT_SEV_ERROR);
	assert_string_equal(
		msgs[0],
		"keel: unknown option 'poweof' ignored; did you mean 'poweroff'?");
	assert_false(o.poweroff);
	assert_int_equal(parse("guestmem=4M loglvl=3", &o), 2);
	assert_non_null(strstr(msgs[0], "did you mean 'guest_mem'?"));
	assert_non_null(strstr(msgs[1], "did you mean 'loglevel'?"));
	/* Nothing close: no suggestion; a prefix is not a key. */
	assert_int_equal(parse("zzz power", &o), 2);
	assert_string_equal(msgs[0], "keel: unknown option 'zzz' ignored");
	assert_null(strstr(msgs[1], "did you mean"));
	/* A key is the whole word up to '='. */
	assert_int_equal(parse("poweroffx=1", &o), 1);
	assert_false(o.poweroff);
}

static void test_bad_values_keep_earlier(void **state)
{
	struct topts o;

	assert_int_equal(parse("guest_mem=abc", &o), 1);
	assert_string_equal(
		msgs[0],
		"keel: guest_mem=abc ignored: not a number; use 4M..3G");
	assert_int_equal(o.mem, MiB(128));
	assert_int_equal(parse("on_guest_exit=bogus", &o), 1);
	assert_string_equal(
		msgs[0],
		"keel: on_guest_exit=bogus ignored: unknown value 'bogus'; use halt or poweroff");
	assert_int_equal(parse("on_guest_exit=powerof", &o), 1);
	assert_non_null(strstr(msgs[0], "(did you mean 'poweroff'?)"));
	assert_int_equal(o.mode, 0);
	assert_int_equal(parse("poweroff=1", &o), 1);
	assert_string_equal(
		msgs[0], "keel: poweroff=1 ignored: poweroff takes no value");
	assert_false(o.poweroff);
	assert_int_equal(parse("pair=12", &o), 1);
	assert_string_equal(msgs[0], "keel: pair=12 ignored: not a pair");
	/* A bad value after a good one keeps the good one. */
	assert_int_equal(parse("loglevel=3 loglevel=x", &o), 1);
	assert_int_equal(o.level, 3);
}

static void test_empty_values(void **state)
{
	struct topts o;

	assert_int_equal(parse("guest_mem= on_guest_exit test= label", &o), 4);
	assert_string_equal(
		msgs[0], "keel: guest_mem= ignored: needs a value; use 4M..3G");
	assert_string_equal(
		msgs[1],
		"keel: on_guest_exit ignored: needs a value; use halt or poweroff");
	assert_string_equal(
		msgs[2],
		"keel: test= ignored: needs a value; use ahci, ahci-error or net");
	assert_string_equal(msgs[3],
			    "keel: label ignored: needs a value; use any word");
	assert_int_equal(o.mem, MiB(128));
}

static void test_ranges(void **state)
{
	struct topts o;

	assert_int_equal(parse("guest_mem=4M", &o), 0);
	assert_int_equal(o.mem, MiB(4));
	assert_int_equal(parse("guest_mem=3G", &o), 0);
	assert_int_equal(o.mem, GiB(3));
	assert_int_equal(parse("guest_mem=2M", &o), 1);
	assert_string_equal(
		msgs[0],
		"keel: guest_mem=2M ignored: out of range; use 4M..3G");
	assert_int_equal(parse("guest_mem=3073M", &o), 1);
	assert_int_equal(parse("guest_mem=99999999999999999999", &o), 1);
	assert_non_null(strstr(msgs[0], "out of range"));
	assert_int_equal(parse("loglevel=8", &o), 1);
	assert_int_equal(o.level, 6);
}

static void test_rounding_reported(void **state)
{
	struct topts o;

	assert_int_equal(parse("guest_mem=5M", &o), 0);
	assert_int_equal(o.mem, MiB(6));
	assert_int_equal(nmsgs, 1);
	assert_int_equal(sevs[0], OPT_SEV_NOTE);
	assert_string_equal(
		msgs[0],
		"keel: guest_mem=5M: rounded up to 6M (a multiple of 2M)");
	assert_int_equal(parse("guest_mem=4097K", &o), 0);
	assert_int_equal(o.mem, MiB(6));
	/* Already a multiple: nothing to say. */
	assert_int_equal(parse("guest_mem=1G", &o), 0);
	assert_int_equal(nmsgs, 0);
}

static void test_last_one_wins(void **state)
{
	struct topts o;

	assert_int_equal(
		parse("on_guest_exit=poweroff guest_mem=8M "
		      "on_guest_exit=halt guest_mem=16M test=ahci test=net",
		      &o),
		0);
	assert_int_equal(o.mode, 0);
	assert_int_equal(o.mem, MiB(16));
	assert_int_equal(o.tests, 0x4);
}

static void test_lists(void **state)
{
	struct topts o;

	assert_int_equal(parse("test=ahci-error,ahci,ahci", &o), 0);
	assert_int_equal(o.tests, 0x3);
	assert_int_equal(parse("test=ahci,bogus", &o), 1);
	assert_string_equal(
		msgs[0],
		"keel: test=ahci,bogus ignored: unknown value 'bogus'; use ahci, ahci-error or net");
	assert_int_equal(o.tests, 0);
	assert_int_equal(parse("test=ahci,,net", &o), 1);
	assert_non_null(strstr(msgs[0], "empty name"));
	assert_int_equal(parse("test=ahci,", &o), 1);
	assert_int_equal(parse("test=ahci-erro", &o), 1);
	assert_non_null(strstr(msgs[0], "(did you mean 'ahci-error'?)"));
}

static void test_long_words_cut(void **state)
{
	char line[700], want[OPT_MSG_MAX];
	struct topts o;

	memset(line, 'k', 600);
	line[600] = '\0';
	assert_int_equal(parse(line, &o), 1);
	snprintf(want, sizeof(want), "keel: unknown option '%.*s...' ignored",
		 OPT_ECHO_MAX, line);
	assert_string_equal(msgs[0], want);
	memcpy(line, "pair=", 5);
	assert_int_equal(parse(line, &o), 1);
	assert_true(strlen(msgs[0]) < 2 * OPT_ECHO_MAX + 40);
	assert_non_null(strstr(msgs[0], "... ignored: not a pair"));
}

static void test_edit_distance(void **state)
{
	assert_int_equal(opt_edit_distance("poweof", 6, "poweroff", 8), 2);
	assert_int_equal(opt_edit_distance("abc", 3, "abc", 3), 0);
	assert_int_equal(opt_edit_distance("", 0, "abc", 3), 3);
	assert_int_equal(opt_edit_distance("kitten", 6, "sitting", 7), 3);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_defaults),
		cmocka_unit_test(test_values_applied),
		cmocka_unit_test(test_unknown_key_suggests),
		cmocka_unit_test(test_bad_values_keep_earlier),
		cmocka_unit_test(test_empty_values),
		cmocka_unit_test(test_ranges),
		cmocka_unit_test(test_rounding_reported),
		cmocka_unit_test(test_last_one_wins),
		cmocka_unit_test(test_lists),
		cmocka_unit_test(test_long_words_cut),
		cmocka_unit_test(test_edit_distance),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
