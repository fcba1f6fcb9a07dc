// SPDX-License-Identifier: MIT
/* Text on a linear framebuffer; see drivers/fb/fbtext.h. */
#include "core/lib.h"
#include "drivers/fb/fbtext.h"
#include "drivers/fb/font.h"

/* Light grey on black, as a VGA text console shows it. */
#define FG_LEVEL 0xc0
#define BG_LEVEL 0x00
#define TAB_STOP 8
#define ESC_CHAR 0x1b
/* ECMA-48 5.4: CSI is ESC [; a sequence ends with a byte 0x40..0x7e. */
#define CSI_CHAR '['
#define CSI_FINAL_MIN 0x40
#define CSI_FINAL_MAX 0x7e
#define BAD_CHAR '?'
/* ECMA-48 8.3.41 EL (CSI Ps K): erase from the cursor to the end of the
 * line (0), from the start to the cursor (1) or the whole line (2). */
#define CSI_EL 'K'
#define EL_TO_END 0
#define EL_TO_CURSOR 1
#define EL_LINE 2
/* Larger parameters are no EL mode: stop counting before they wrap. */
#define EL_ARG_MAX 1000

/* ESC_CSI_REST: past the first parameter, which is all EL needs. */
enum esc_state { ESC_NONE, ESC_SEEN, ESC_CSI, ESC_CSI_REST };

/* An 8-bit level scaled to a channel of @size bits at @pos. */
static u32 channel(u32 level, u8 pos, u8 size)
{
	u32 v = size >= 8 ? level << (size - 8) : level >> (8 - size);

	return v << pos;
}

static u32 pixel(const struct fb_format *f, u32 level)
{
	return channel(level, f->red_pos, f->red_size) |
	       channel(level, f->green_pos, f->green_size) |
	       channel(level, f->blue_pos, f->blue_size);
}

static bool channel_ok(u8 pos, u8 size, u8 bpp)
{
	return size && size <= 16 && pos + size <= bpp;
}

int fbtext_init(struct fbtext *t, const struct fb_format *f, char *cells,
		size_t ncells, char *why, size_t why_size)
{
	u32 cols = f->width / FONT_WIDTH, rows = f->height / FONT_HEIGHT;

	if (f->bpp != 24 && f->bpp != 32) {
		ksnprintf(why, why_size,
			  "%u bits per pixel; only 24 and 32 are drawn",
			  f->bpp);
		return -EINVAL;
	}
	if (!channel_ok(f->red_pos, f->red_size, f->bpp) ||
	    !channel_ok(f->green_pos, f->green_size, f->bpp) ||
	    !channel_ok(f->blue_pos, f->blue_size, f->bpp)) {
		ksnprintf(why, why_size, "colour fields outside the pixel");
		return -EINVAL;
	}
	if (!cols || !rows || f->pitch < (u64)f->width * (f->bpp / 8)) {
		ksnprintf(why, why_size, "%ux%u, pitch %u: too small for text",
			  f->width, f->height, f->pitch);
		return -EINVAL;
	}
	if ((u64)cols > ncells) {
		ksnprintf(why, why_size, "%u columns: too wide for text", cols);
		return -EINVAL;
	}
	memset(t, 0, sizeof(*t));
	t->pitch = f->pitch;
	t->bytespp = f->bpp / 8;
	t->fg = pixel(f, FG_LEVEL);
	t->bg = pixel(f, BG_LEVEL);
	t->cols = cols;
	t->rows = (u32)MIN((u64)rows, ncells / cols);
	t->cells = cells;
	memset(cells, ' ', (size_t)t->cols * t->rows);
	return 0;
}

static void put_pixel(u8 *p, u32 bytespp, u32 v)
{
	if (bytespp == 4) {
		*(volatile u32 *)p = v;
		return;
	}
	((volatile u8 *)p)[0] = (u8)v;
	((volatile u8 *)p)[1] = (u8)(v >> 8);
	((volatile u8 *)p)[2] = (u8)(v >> 16);
}

static void draw_cell(struct fbtext *t, u32 col, u32 row, char c)
{
	const u8 *glyph = font8x16[(u8)c - FONT_FIRST];
	u8 *line;

	if (!t->base)
		return;
	line = t->base + (u64)row * FONT_HEIGHT * t->pitch +
	       (u64)col * FONT_WIDTH * t->bytespp;
	for (u32 y = 0; y < FONT_HEIGHT; y++, line += t->pitch)
		for (u32 x = 0; x < FONT_WIDTH; x++)
			put_pixel(line + x * t->bytespp, t->bytespp,
				  glyph[y] & (0x80 >> x) ? t->fg : t->bg);
}

static char *cell(struct fbtext *t, u32 col, u32 row)
{
	return &t->cells[(size_t)row * t->cols + col];
}

static void set_cell(struct fbtext *t, u32 col, u32 row, char c)
{
	char *p = cell(t, col, row);

	if (*p == c)
		return;
	*p = c;
	draw_cell(t, col, row, c);
}

void fbtext_attach(struct fbtext *t, void *base)
{
	t->base = base;
	for (u32 row = 0; row < t->rows; row++)
		for (u32 col = 0; col < t->cols; col++)
			draw_cell(t, col, row, *cell(t, col, row));
}

/* Move the text up a row; only the cells that change are redrawn. */
static void scroll(struct fbtext *t)
{
	for (u32 row = 0; row + 1 < t->rows; row++)
		for (u32 col = 0; col < t->cols; col++)
			set_cell(t, col, row, *cell(t, col, row + 1));
	for (u32 col = 0; col < t->cols; col++)
		set_cell(t, col, t->rows - 1, ' ');
}

static void newline(struct fbtext *t)
{
	t->col = 0;
	t->wrap_pending = false;
	if (t->row + 1 < t->rows)
		t->row++;
	else
		scroll(t);
}

static void put_char(struct fbtext *t, char c)
{
	if (t->wrap_pending)
		newline(t);
	set_cell(t, t->col, t->row, c);
	if (t->col + 1 < t->cols)
		t->col++;
	else
		t->wrap_pending = true;
}

/* EL, which a line editor sends to redraw its line; other sequences are
 * ignored. */
static void csi_final(struct fbtext *t, char c)
{
	u32 from = 0, to = t->cols;

	if (c != CSI_EL || t->esc_arg > EL_LINE)
		return;
	if (t->esc_arg == EL_TO_END)
		from = t->col;
	else if (t->esc_arg == EL_TO_CURSOR)
		to = t->col + 1;
	for (u32 col = from; col < to; col++)
		set_cell(t, col, t->row, ' ');
	t->wrap_pending = false;
}

/* Swallow an escape sequence; true while @c belongs to one. */
static bool skip_escape(struct fbtext *t, char c)
{
	switch (t->esc) {
	case ESC_SEEN:
		t->esc = c == CSI_CHAR ? ESC_CSI : ESC_NONE;
		t->esc_arg = 0;
		return true;
	case ESC_CSI:
	case ESC_CSI_REST:
		if (c < '0' || c > '9')
			t->esc = ESC_CSI_REST;
		else if (t->esc == ESC_CSI && t->esc_arg < EL_ARG_MAX)
			t->esc_arg = t->esc_arg * 10 + (u32)(c - '0');
		if (c >= CSI_FINAL_MIN && c <= CSI_FINAL_MAX) {
			t->esc = ESC_NONE;
			csi_final(t, c);
		}
		return true;
	default:
		if (c != ESC_CHAR)
			return false;
		t->esc = ESC_SEEN;
		return true;
	}
}

static void control(struct fbtext *t, char c)
{
	switch (c) {
	case '\n':
		newline(t);
		break;
	case '\r':
		t->col = 0;
		t->wrap_pending = false;
		break;
	case '\t':
		/* Moves like a terminal's tab: the cells passed keep their text. */
		if (t->wrap_pending)
			newline(t);
		t->col = MIN(ALIGN_DOWN(t->col, TAB_STOP) + TAB_STOP,
			     t->cols - 1);
		break;
	case '\b':
		if (t->wrap_pending)
			t->wrap_pending = false;
		else if (t->col)
			t->col--;
		break;
	default:
		put_char(t, BAD_CHAR);
	}
}

void fbtext_write(struct fbtext *t, const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		char c = s[i];

		if (skip_escape(t, c))
			continue;
		if (c >= FONT_FIRST && c <= FONT_LAST)
			put_char(t, c);
		else
			control(t, c);
	}
}
