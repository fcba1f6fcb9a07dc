/* SPDX-License-Identifier: MIT */
/*
 * PS/2 keyboard scancodes (set 1, what the i8042 hands over with its
 * translation on, as firmware leaves it) to ASCII, US layout. Pure, so the
 * host tests it (tests/host/test_ps2_keymap.c).
 */
#ifndef KEEL_DRIVERS_KBD_PS2_KEYMAP_H
#define KEEL_DRIVERS_KBD_PS2_KEYMAP_H

#include "core/types.h"

struct ps2_keys {
	bool shift_l, shift_r, ctrl, extended;
};

/*
 * Feed one scancode byte. Returns the character a key press makes (Enter
 * is '\r' and Backspace 0x7f, as a serial terminal sends them; Ctrl with a
 * letter gives its control code, Ctrl-A 0x01), or -1 for releases,
 * modifiers, prefixes and keys with no character.
 */
int ps2_keymap_feed(struct ps2_keys *k, u8 code);

#endif
