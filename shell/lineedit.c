// SPDX-License-Identifier: MIT
/*
 * The shell's line editor (shell/lineedit.h). The line is only ever edited
 * at its end, so echo is plain: a character, or "\b \b" to erase one. ANSI
 * cursor keys (ECMA-48 CSI "ESC [ A" up, "ESC [ B" down) walk the history;
 * other escape sequences are swallowed so they never reach a command.
 */
#include "core/lib.h"
#include "shell/lineedit.h"

#define ESC_NONE 0
#define ESC_SEEN 1 /* ESC */
#define ESC_CSI 2 /* ESC [ */
/* ECMA-48 5.4: a CSI sequence ends with a byte in 0x40..0x7e. */
#define CSI_FINAL_MIN 0x40
#define CSI_FINAL_MAX 0x7e
#define CSI_UP 'A'
#define CSI_DOWN 'B'

static void echo(struct lined *l, const char *s, size_t n)
{
	if (l->echo)
		l->echo(l->ctx, s, n);
}

void lined_init(struct lined *l, lined_echo_fn fn, void *ctx)
{
	memset(l, 0, sizeof(*l));
	l->echo = fn;
	l->ctx = ctx;
}

const char *lined_line(const struct lined *l)
{
	return l->buf;
}

static void erase_all(struct lined *l)
{
	while (l->len) {
		echo(l, "\b \b", 3);
		l->len--;
	}
	l->buf[0] = '\0';
}

static void set_line(struct lined *l, const char *s)
{
	erase_all(l);
	l->len = (unsigned int)strlen(s);
	memcpy(l->buf, s, l->len + 1);
	echo(l, l->buf, l->len);
}

/* The @k-th newest history entry, 1-based. */
static const char *hist_at(const struct lined *l, unsigned int k)
{
	return l->hist[(l->hist_head + LINED_HIST - k) % LINED_HIST];
}

static void hist_walk(struct lined *l, bool older)
{
	if (older && l->hist_pos < l->hist_n) {
		l->hist_pos++;
		set_line(l, hist_at(l, l->hist_pos));
	} else if (!older && l->hist_pos > 0) {
		l->hist_pos--;
		set_line(l, l->hist_pos ? hist_at(l, l->hist_pos) : "");
	} else {
		echo(l, "\a", 1);
	}
}

/* Blank lines and repeats of the newest entry are not kept. */
static void hist_add(struct lined *l)
{
	if (!l->len || (l->hist_n && !strcmp(hist_at(l, 1), l->buf)))
		return;
	memcpy(l->hist[l->hist_head], l->buf, l->len + 1);
	l->hist_head = (l->hist_head + 1) % LINED_HIST;
	if (l->hist_n < LINED_HIST)
		l->hist_n++;
}

static enum lined_event end_line(struct lined *l)
{
	echo(l, "\n", 1);
	l->buf[l->len] = '\0';
	hist_add(l);
	l->hist_pos = 0;
	l->len = 0;
	return LINED_LINE;
}

static void feed_escape(struct lined *l, u8 c)
{
	if (l->esc == ESC_SEEN) {
		l->esc = c == '[' ? ESC_CSI : ESC_NONE;
		return;
	}
	if (c < CSI_FINAL_MIN || c > CSI_FINAL_MAX)
		return; /* a parameter byte: the sequence goes on */
	l->esc = ESC_NONE;
	if (c == CSI_UP || c == CSI_DOWN)
		hist_walk(l, c == CSI_UP);
}

static void insert(struct lined *l, u8 c)
{
	if (l->len == LINED_MAX) {
		echo(l, "\a", 1);
		return;
	}
	l->buf[l->len++] = (char)c;
	l->buf[l->len] = '\0';
	echo(l, (const char *)&c, 1);
}

enum lined_event lined_feed(struct lined *l, u8 c)
{
	bool after_cr = l->after_cr;

	l->after_cr = c == KEY_CR;
	if (l->esc != ESC_NONE) {
		feed_escape(l, c);
		return LINED_NONE;
	}
	switch (c) {
	case KEY_CR:
		return end_line(l);
	case KEY_LF:
		return after_cr ? LINED_NONE : end_line(l);
	case KEY_BS:
	case KEY_DEL:
		if (l->len) {
			l->buf[--l->len] = '\0';
			echo(l, "\b \b", 3);
		}
		return LINED_NONE;
	case KEY_CTRL_U:
		erase_all(l);
		return LINED_NONE;
	case KEY_CTRL_C:
		echo(l, "^C\n", 3);
		l->len = 0;
		l->buf[0] = '\0';
		l->hist_pos = 0;
		return LINED_CANCEL;
	case KEY_CTRL_P:
	case KEY_CTRL_N:
		hist_walk(l, c == KEY_CTRL_P);
		return LINED_NONE;
	case KEY_ESC:
		l->esc = ESC_SEEN;
		return LINED_NONE;
	default:
		if (c >= 0x20 && c < KEY_DEL)
			insert(l, c);
		return LINED_NONE;
	}
}

void lined_redraw(struct lined *l, const char *prompt)
{
	echo(l, prompt, strlen(prompt));
	echo(l, l->buf, l->len);
}
