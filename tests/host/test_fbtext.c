// SPDX-License-Identifier: MIT
/*
 * Host tests for the framebuffer text console (drivers/fb/fbtext.c): text
 * drawn into an in-memory framebuffer is read back by matching each cell's
 * pixels against the font, as the screendump system test does.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/lib.h"
#include "drivers/fb/fbtext.h"
#include "drivers/fb/font.h"

#define COLS 10
#define ROWS 3
/* A pitch wider than a row of pixels, as real framebuffers have. */
#define PAD 12
#define MAX_BYTESPP 4
#define FB_BYTES ((COLS * FONT_WIDTH * MAX_BYTESPP + PAD) * ROWS * FONT_HEIGHT)

static u8 fb[FB_BYTES];
static char cells[COLS * ROWS];
static struct fbtext t;

/* xRGB 8:8:8:8, what QEMU's and most GOP framebuffers use. */
static const struct fb_format xrgb = {
	.pitch = COLS * FONT_WIDTH * 4 + PAD,
	.width = COLS * FONT_WIDTH,
	.height = ROWS * FONT_HEIGHT,
	.bpp = 32,
	.red_pos = 16,
	.red_size = 8,
	.green_pos = 8,
	.green_size = 8,
	.blue_pos = 0,
	.blue_size = 8,
};

static void setup(const struct fb_format *f)
{
	char why[80];

	memset(fb, 0x5a, sizeof(fb)); /* garbage the attach must clear */
	assert_int_equal(
		fbtext_init(&t, f, cells, sizeof(cells), why, sizeof(why)), 0);
	fbtext_attach(&t, fb);
}

static u32 get_pixel(const struct fb_format *f, u32 x, u32 y)
{
	const u8 *p = fb + (size_t)y * f->pitch + x * (f->bpp / 8);
	u32 v = p[0] | p[1] << 8 | p[2] << 16;

	return f->bpp == 32 ? v | (u32)p[3] << 24 : v;
}

/* The character whose glyph cell (@col, @row) shows, or 0 if none. */
static char read_cell(const struct fb_format *f, u32 col, u32 row)
{
	u8 rows[FONT_HEIGHT] = { 0 };

	for (u32 y = 0; y < FONT_HEIGHT; y++)
		for (u32 x = 0; x < FONT_WIDTH; x++) {
			u32 v = get_pixel(f, col * FONT_WIDTH + x,
					  row * FONT_HEIGHT + y);

			if (v == t.fg)
				rows[y] |= 0x80 >> x;
			else if (v != t.bg)
				return 0;
		}
	for (int c = FONT_FIRST; c <= FONT_LAST; c++)
		if (!memcmp(rows, font8x16[c - FONT_FIRST], FONT_HEIGHT))
			return (char)c;
	return 0;
}

static void check_row(const struct fb_format *f, u32 row, const char *want)
{
	char got[COLS + 1];

	for (u32 c = 0; c < COLS; c++)
		got[c] = read_cell(f, c, row);
	got[COLS] = '\0';
	assert_string_equal(got, want);
}

static void write_str(const char *s)
{
	fbtext_write(&t, s, strlen(s));
}

static void test_text_appears_in_glyph_cells(void **state)
{
	setup(&xrgb);
	write_str("Keel ok\n[x]");
	check_row(&xrgb, 0, "Keel ok   ");
	check_row(&xrgb, 1, "[x]       ");
	check_row(&xrgb, 2, "          ");
	/* Light grey on black, in xRGB order. */
	assert_int_equal(t.fg, 0xc0c0c0);
	assert_int_equal(t.bg, 0);
}

static void test_pad_bytes_untouched(void **state)
{
	setup(&xrgb);
	write_str("~~~~~~~~~~");
	for (u32 y = 0; y < ROWS * FONT_HEIGHT; y++)
		for (u32 i = 0; i < PAD; i++)
			assert_int_equal(fb[y * xrgb.pitch + COLS * 32 + i],
					 0x5a);
}

static void test_scrolls_when_full(void **state)
{
	setup(&xrgb);
	write_str("one\ntwo\nthree\nfour\nfive");
	check_row(&xrgb, 0, "three     ");
	check_row(&xrgb, 1, "four      ");
	check_row(&xrgb, 2, "five      ");
	write_str("\n");
	check_row(&xrgb, 0, "four      ");
	check_row(&xrgb, 2, "          ");
}

static void test_wraps_long_lines_without_blank_line(void **state)
{
	setup(&xrgb);
	/* Exactly one row, then a newline: no empty row in between. */
	write_str("0123456789\nab");
	check_row(&xrgb, 0, "0123456789");
	check_row(&xrgb, 1, "ab        ");
	write_str("cdefghijklm");
	check_row(&xrgb, 1, "abcdefghij");
	check_row(&xrgb, 2, "klm       ");
}

static void test_controls_and_escapes(void **state)
{
	setup(&xrgb);
	write_str("abc\rX\tY\n");
	check_row(&xrgb, 0, "Xbc     Y ");
	write_str("\x1b[1;31mred\x1b[0m q\bp\x01");
	check_row(&xrgb, 1, "red p?    ");
}

/* What a line editor sends to redraw its line: CR, the text, ESC [ K. */
static void test_erase_in_line(void **state)
{
	setup(&xrgb);
	write_str("> status\r> ls\x1b[K");
	check_row(&xrgb, 0, "> ls      ");
	write_str("\nabcdefgh\b\b\b\x1b[1K");
	check_row(&xrgb, 1, "      gh  ");
	write_str("\x1b[2K");
	check_row(&xrgb, 1, "          ");
	/* Only the first parameter counts: this erases to the end, not to
	 * the cursor. */
	write_str("x\x1b[0;1K");
	check_row(&xrgb, 1, "     x    ");
	write_str("\b");
	/* A sequence with several parameters is skipped whole. */
	write_str("x\x1b[12;40Hy");
	check_row(&xrgb, 1, "     xy   ");
}

static void test_text_kept_until_attached(void **state)
{
	char why[80];

	memset(fb, 0x5a, sizeof(fb));
	assert_int_equal(fbtext_init(&t, &xrgb, cells, sizeof(cells), why,
				     sizeof(why)),
			 0);
	write_str("early\nline");
	assert_int_equal(fb[0], 0x5a); /* nothing drawn yet */
	fbtext_attach(&t, fb);
	check_row(&xrgb, 0, "early     ");
	check_row(&xrgb, 1, "line      ");
}

static void test_24bpp_bgr(void **state)
{
	struct fb_format f = xrgb;

	f.bpp = 24;
	f.pitch = COLS * FONT_WIDTH * 3 + PAD;
	f.red_pos = 0;
	f.blue_pos = 16;
	setup(&f);
	write_str("24 bpp");
	check_row(&f, 0, "24 bpp    ");
	/* A lit pixel of '2' is 0xc0 in all three bytes, then the next. */
	assert_int_equal(t.fg, 0xc0c0c0);
}

static void test_channel_scaling(void **state)
{
	struct fb_format f = xrgb;
	char why[80];

	/* 5:6:5 in a 32-bit pixel: 0xc0 scales to 0x18, 0x30, 0x18. */
	f.red_pos = 11;
	f.red_size = 5;
	f.green_pos = 5;
	f.green_size = 6;
	f.blue_pos = 0;
	f.blue_size = 5;
	assert_int_equal(
		fbtext_init(&t, &f, cells, sizeof(cells), why, sizeof(why)), 0);
	assert_int_equal(t.fg, 0x18 << 11 | 0x30 << 5 | 0x18);
}

static void test_refuses_unsupported_formats(void **state)
{
	struct fb_format f = xrgb;
	char why[80];

	f.bpp = 16;
	assert_int_equal(fbtext_init(&t, &f, cells, sizeof(cells), why,
				     sizeof(why)),
			 -EINVAL);
	assert_non_null(strstr(why, "16 bits per pixel"));
	f = xrgb;
	f.red_pos = 28;
	assert_int_equal(fbtext_init(&t, &f, cells, sizeof(cells), why,
				     sizeof(why)),
			 -EINVAL);
	f = xrgb;
	f.height = FONT_HEIGHT - 1;
	assert_int_equal(fbtext_init(&t, &f, cells, sizeof(cells), why,
				     sizeof(why)),
			 -EINVAL);
	f = xrgb;
	f.pitch = 8;
	assert_int_equal(fbtext_init(&t, &f, cells, sizeof(cells), why,
				     sizeof(why)),
			 -EINVAL);
}

static void test_rows_limited_by_cells(void **state)
{
	char few[COLS * 2], why[80];

	assert_int_equal(
		fbtext_init(&t, &xrgb, few, sizeof(few), why, sizeof(why)), 0);
	assert_int_equal(t.rows, 2);
	fbtext_attach(&t, fb);
	write_str("a\nb\nc");
	check_row(&xrgb, 0, "b         ");
	check_row(&xrgb, 1, "c         ");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_text_appears_in_glyph_cells),
		cmocka_unit_test(test_pad_bytes_untouched),
		cmocka_unit_test(test_scrolls_when_full),
		cmocka_unit_test(test_wraps_long_lines_without_blank_line),
		cmocka_unit_test(test_controls_and_escapes),
		cmocka_unit_test(test_erase_in_line),
		cmocka_unit_test(test_text_kept_until_attached),
		cmocka_unit_test(test_24bpp_bgr),
		cmocka_unit_test(test_channel_scaling),
		cmocka_unit_test(test_refuses_unsupported_formats),
		cmocka_unit_test(test_rows_limited_by_cells),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
