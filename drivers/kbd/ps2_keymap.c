// SPDX-License-Identifier: MIT
/*
 * Scancode set 1 to ASCII; see drivers/kbd/ps2_keymap.h. The codes are
 * those of the IBM PC/AT keyboard as translated by the 8042 (set 1): a
 * release is the press code with bit 7 set, and 0xe0 prefixes the keys
 * the AT keyboard added (right Ctrl, the cursor block, keypad Enter).
 */
#include "drivers/kbd/ps2_keymap.h"

#define SC_RELEASE 0x80
#define SC_EXTENDED 0xe0
#define SC_CTRL 0x1d
#define SC_SHIFT_L 0x2a
#define SC_SHIFT_R 0x36
#define SC_ENTER 0x1c
#define SC_BACKSPACE 0x0e
#define SC_ESC 0x01
#define SC_TAB 0x0f
#define SC_TEXT_FIRST 0x02 /* '1' */
#define SC_SPACE 0x39
#define CH_DEL 0x7f
#define CH_ESC 0x1b
#define CTRL_MASK 0x1f

/* From SC_TEXT_FIRST on; ' ' marks a code with no character but 0x39. */
static const char plain[] = "1234567890-=  qwertyuiop[]  asdfghjkl;'` "
			    "\\zxcvbnm,./ * ";
static const char shifted[] = "!@#$%^&*()_+  QWERTYUIOP{}  ASDFGHJKL:\"~ "
			      "|ZXCVBNM<>? * ";

static int text_key(const struct ps2_keys *k, u8 code)
{
	bool shift = k->shift_l || k->shift_r;
	unsigned int i = code - SC_TEXT_FIRST;
	char c;

	if (code == SC_SPACE)
		return ' ';
	if (code < SC_TEXT_FIRST || i >= sizeof(plain) - 1)
		return -1;
	c = shift ? shifted[i] : plain[i];
	if (c == ' ')
		return -1;
	if (k->ctrl && ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')))
		return c & CTRL_MASK;
	return c;
}

static int press(struct ps2_keys *k, u8 code)
{
	switch (code) {
	case SC_ENTER:
		return '\r';
	case SC_BACKSPACE:
		return CH_DEL;
	case SC_ESC:
		return CH_ESC;
	case SC_TAB:
		return '\t';
	default:
		return text_key(k, code);
	}
}

int ps2_keymap_feed(struct ps2_keys *k, u8 code)
{
	bool release = code & SC_RELEASE, ext = k->extended;
	u8 key = code & ~SC_RELEASE;

	if (code == SC_EXTENDED) {
		k->extended = true;
		return -1;
	}
	k->extended = false;
	if (key == SC_CTRL) {
		k->ctrl = !release;
		return -1;
	}
	if (ext) /* keypad Enter gives Enter; the cursor keys nothing yet */
		return key == SC_ENTER && !release ? '\r' : -1;
	if (key == SC_SHIFT_L || key == SC_SHIFT_R) {
		if (key == SC_SHIFT_L)
			k->shift_l = !release;
		else
			k->shift_r = !release;
		return -1;
	}
	return release ? -1 : press(k, key);
}
