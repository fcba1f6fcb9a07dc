/* SPDX-License-Identifier: MIT */
/*
 * A text console drawn on a linear RGB framebuffer with the built-in 8x16
 * font. Pure: it only writes the memory it is given, so the host tests it
 * on an in-memory framebuffer (tests/host/test_fbtext.c).
 *
 * The text on screen is kept in a cell array, one byte per character. A
 * scroll rewrites only the cells whose character changes and never reads
 * the framebuffer, which is slow to read on real hardware. The cells also
 * let the text be written before the framebuffer is mapped (one above
 * 4 GiB is reachable only once Keel's page tables are up): fbtext_attach()
 * draws it all.
 */
#ifndef KEEL_DRIVERS_FB_FBTEXT_H
#define KEEL_DRIVERS_FB_FBTEXT_H

#include "core/types.h"

/* Direct colour as the loader describes it (multiboot2 spec 2.0 3.6.12). */
struct fb_format {
	u32 pitch, width, height; /* bytes per scan line; pixels */
	u8 bpp; /* 24 or 32 */
	u8 red_pos, red_size, green_pos, green_size, blue_pos, blue_size;
};

struct fbtext {
	u8 *base; /* NULL while not mapped: only the cells change */
	u32 pitch, bytespp;
	u32 fg, bg; /* pixel values */
	u32 cols, rows; /* the text grid, from the top left corner */
	u32 col, row; /* where the next character goes */
	bool wrap_pending; /* the last column is written: wrap on the next */
	u8 esc; /* state of an escape sequence being read */
	u32 esc_arg; /* its first numeric parameter */
	char *cells; /* rows * cols characters, ' ' when blank */
};

/*
 * Check @f and set up @t with @cells (room for @ncells characters; a screen
 * with more cells uses only the top rows that fit). Returns 0, or -EINVAL
 * with a reason in @why when the format is not one fbtext draws.
 */
int fbtext_init(struct fbtext *t, const struct fb_format *f, char *cells,
		size_t ncells, char *why, size_t why_size);
/* Start drawing into @base: clear the screen and draw the cells. */
void fbtext_attach(struct fbtext *t, void *base);
/*
 * Write @n bytes: printable ASCII, '\n', '\r', '\t' and '\b'; of the ANSI
 * escape sequences (ESC [ ... final) only erase-in-line (ESC [ K, 1 K,
 * 2 K) acts, the others are skipped; other bytes show as '?'.
 */
void fbtext_write(struct fbtext *t, const char *s, size_t n);

#endif
