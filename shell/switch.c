// SPDX-License-Identifier: MIT
/*
 * The Ctrl-A x3 detector (shell/switch.h). A Ctrl-A is held back until the
 * next byte says whether it starts a switch; it then goes out first, so the
 * order the person typed is the order the guest reads.
 */
#include "shell/switch.h"

bool switch_feed(struct switch_det *d, u8 c, u8 *out, unsigned int *n)
{
	unsigned int k = 0;

	*n = 0;
	if (c == SWITCH_KEY) {
		if (++d->held < SWITCH_PRESSES)
			return false;
		d->held = 0;
		return true;
	}
	while (d->held) {
		out[k++] = SWITCH_KEY;
		d->held--;
	}
	out[k++] = c;
	*n = k;
	return false;
}
