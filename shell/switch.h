/* SPDX-License-Identifier: MIT */
/*
 * Switching the serial input between the guest and Keel's shell, as Xen
 * does: Ctrl-A three times in a row switches. One or two Ctrl-A followed by
 * any other byte are passed on, in order, with that byte: nothing is lost
 * or reordered. Pure, so the host tests it.
 */
#ifndef KEEL_SHELL_SWITCH_H
#define KEEL_SHELL_SWITCH_H

#include "core/types.h"

#define SWITCH_KEY 0x01 /* Ctrl-A */
#define SWITCH_PRESSES 3
/* Most bytes one switch_feed() can release: the held Ctrl-As and @c. */
#define SWITCH_OUT_MAX SWITCH_PRESSES

struct switch_det {
	unsigned int held; /* Ctrl-As seen in a row, not yet passed on */
};

/*
 * Feed one input byte. Fills @out with the bytes to pass on now (0 to
 * SWITCH_OUT_MAX) and sets *n; returns true when this byte completed a
 * switch (then *n is 0 and the three Ctrl-As are consumed).
 */
bool switch_feed(struct switch_det *d, u8 c, u8 *out, unsigned int *n);

#endif
