// SPDX-License-Identifier: MIT
/* Host tests for the PS/2 scancode set 1 keymap (drivers/kbd/ps2_keymap.c). */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <string.h>

#include "drivers/kbd/ps2_keymap.h"

/* Feed @codes; the characters they make, as a string. */
static const char *type(const u8 *codes, size_t n)
{
	static char out[64];
	struct ps2_keys k = { 0 };
	size_t at = 0;

	for (size_t i = 0; i < n; i++) {
		int c = ps2_keymap_feed(&k, codes[i]);

		if (c >= 0 && at + 1 < sizeof(out))
			out[at++] = (char)c;
	}
	out[at] = '\0';
	return out;
}

#define TYPE(...) \
	type((const u8[]){ __VA_ARGS__ }, sizeof((const u8[]){ __VA_ARGS__ }))

static void test_plain_keys_and_releases(void **state)
{
	/* k e e l, each pressed and released; space; 1; Enter. */
	assert_string_equal(TYPE(0x25, 0xa5, 0x12, 0x92, 0x12, 0x92, 0x26, 0xa6,
				 0x39, 0xb9, 0x02, 0x82, 0x1c, 0x9c),
			    "keel 1\r");
}

static void test_shift_both_sides(void **state)
{
	/* Left shift + k, release, e; right shift + 1 = '!', release, 1. */
	assert_string_equal(
		TYPE(0x2a, 0x25, 0xaa, 0x12, 0x36, 0x02, 0xb6, 0x02), "Ke!1");
	assert_string_equal(TYPE(0x2a, 0x0c, 0x1a, 0x27, 0x28, 0x29, 0x2b, 0x33,
				 0x35),
			    "_{:\"~|<?");
}

static void test_ctrl_letters_make_control_codes(void **state)
{
	/* Ctrl-A three times (console switching), then a plain a. */
	assert_string_equal(TYPE(0x1d, 0x1e, 0x9e, 0x1e, 0x9e, 0x1e, 0x9e, 0x9d,
				 0x1e),
			    "\x01\x01\x01"
			    "a");
	/* Right Ctrl (0xe0 0x1d) works too. */
	assert_string_equal(TYPE(0xe0, 0x1d, 0x2e, 0xe0, 0x9d, 0x2e), "\x03"
								      "c");
}

static void test_special_and_extended_keys(void **state)
{
	/* Backspace, Tab, Esc; keypad Enter (0xe0 0x1c); cursor up
	 * (0xe0 0x48) makes nothing, and does not leak an '8'. */
	assert_string_equal(TYPE(0x0e, 0x0f, 0x01, 0xe0, 0x1c, 0xe0, 0x9c, 0xe0,
				 0x48, 0xe0, 0xc8, 0x09),
			    "\x7f\t\x1b\r8");
	/* Alt, Caps Lock and the F keys make nothing. */
	assert_string_equal(TYPE(0x38, 0xb8, 0x3a, 0xba, 0x3b, 0xbb), "");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_plain_keys_and_releases),
		cmocka_unit_test(test_shift_both_sides),
		cmocka_unit_test(test_ctrl_letters_make_control_codes),
		cmocka_unit_test(test_special_and_extended_keys),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
