/* SPDX-License-Identifier: MIT */
/*
 * The shell's line editor: bytes in, an edited line out, with echo through
 * a callback. Pure, so the host tests it. Keys (docs/console.md):
 * printable ASCII inserts at the end, Backspace/DEL deletes one, Ctrl-U
 * clears the line, Ctrl-C abandons it, Up/Down (or Ctrl-P/Ctrl-N) walk the
 * history, CR or LF ends it (CR LF counts once). A line never grows past
 * LINED_MAX characters: further keys are refused with a bell.
 */
#ifndef KEEL_SHELL_LINEEDIT_H
#define KEEL_SHELL_LINEEDIT_H

#include "core/types.h"

#define LINED_MAX 120
#define LINED_HIST 8

/* ASCII control codes the editor acts on. */
#define KEY_CTRL_A 0x01
#define KEY_CTRL_C 0x03
#define KEY_BS 0x08
#define KEY_BEL 0x07
#define KEY_LF 0x0a
#define KEY_CTRL_N 0x0e
#define KEY_CR 0x0d
#define KEY_CTRL_P 0x10
#define KEY_CTRL_U 0x15
#define KEY_ESC 0x1b
#define KEY_DEL 0x7f

typedef void (*lined_echo_fn)(void *ctx, const char *s, size_t n);

enum lined_event {
	LINED_NONE, /* keep feeding */
	LINED_LINE, /* a line is ready: lined_line() */
	LINED_CANCEL, /* Ctrl-C: the line was abandoned */
};

struct lined {
	char buf[LINED_MAX + 1];
	unsigned int len;
	/* A ring of past lines, hist_n of them, the newest at hist_head-1. */
	char hist[LINED_HIST][LINED_MAX + 1];
	unsigned int hist_n, hist_head;
	unsigned int hist_pos; /* 0: editing a new line; k: k-th newest */
	u8 esc; /* progress through an ESC [ X sequence */
	bool after_cr; /* the LF of a CR LF pair is not a second line */
	lined_echo_fn echo;
	void *ctx;
};

void lined_init(struct lined *l, lined_echo_fn echo, void *ctx);
/* Feed one byte; LINED_LINE means the line is in lined_line(). */
enum lined_event lined_feed(struct lined *l, u8 c);
/* The finished line, NUL-terminated; valid until the next lined_feed(). */
const char *lined_line(const struct lined *l);
/* Print the current partial line again (after other output broke it). */
void lined_redraw(struct lined *l, const char *prompt);

#endif
