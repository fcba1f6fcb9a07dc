// SPDX-License-Identifier: MIT
/*
 * Polled i8042 keyboard input. The controller's ports and status bits are
 * those of the IBM PC/AT 8042 (data 0x60, status 0x64; status bit 0 output
 * buffer full, bit 5 the byte is from the auxiliary (mouse) port). Keel
 * leaves the controller as the firmware set it up, translation to scancode
 * set 1 included, and only reads what the keyboard sends.
 */
#include "arch/x86/arch.h"
#include "drivers/kbd/ps2.h"
#include "drivers/kbd/ps2_keymap.h"

#define I8042_DATA 0x60
#define I8042_STATUS 0x64
#define I8042_STATUS_OBF BIT(0)
#define I8042_STATUS_AUX BIT(5)
/* No controller: the bus floats and the status reads all ones. */
#define I8042_ABSENT 0xff
/* Bytes read in one call at most, so a stuck controller cannot hang it. */
#define PS2_READ_MAX 16

static struct ps2_keys keys;

int ps2_kbd_getc(void)
{
	for (unsigned int i = 0; i < PS2_READ_MAX; i++) {
		u8 st = inb(I8042_STATUS);
		u8 code;
		int c;

		if (st == I8042_ABSENT || !(st & I8042_STATUS_OBF))
			return -1;
		code = inb(I8042_DATA);
		if (st & I8042_STATUS_AUX)
			continue;
		c = ps2_keymap_feed(&keys, code);
		if (c >= 0)
			return c;
	}
	return -1;
}
