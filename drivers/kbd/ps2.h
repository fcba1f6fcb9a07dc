/* SPDX-License-Identifier: MIT */
/*
 * Polled PS/2 keyboard input through the i8042 controller, the keyboard
 * behind the screen console (docs/console-fb.md).
 */
#ifndef KEEL_DRIVERS_KBD_PS2_H
#define KEEL_DRIVERS_KBD_PS2_H

#include "core/types.h"

/*
 * The next character typed, or -1 when none is waiting or there is no
 * controller (its status port reads 0xff). Never blocks.
 */
int ps2_kbd_getc(void);

#endif
