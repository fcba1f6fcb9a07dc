// SPDX-License-Identifier: MIT
/*
 * The HPET's registers as the guest may use them (vdev/hpet_filter.h).
 * Everything passes but FSB interrupt delivery: an FSB "interrupt" is a
 * 32-bit memory write of the guest's value to the guest's address, which
 * no IOMMU here remaps, so it would write anywhere, Keel included.
 */
#include "vdev/hpet_filter.h"

static bool valid(u32 off, unsigned int size)
{
	return (size == 4 || size == 8) && !(off % size) &&
	       off + size <= HPET_BLOCK_LEN;
}

/* Offset of @off within its timer's registers, or -1 below timer 0. */
static int timer_reg(u32 off)
{
	if (off < HPET_TIMER0)
		return -1;
	return (int)((off - HPET_TIMER0) % HPET_TIMER_STRIDE);
}

bool hpet_read_forwards(u32 off, unsigned int size)
{
	int reg = timer_reg(off);

	if (!valid(off, size))
		return false;
	return reg != HPET_TN_FSB_ROUTE && reg != HPET_TN_FSB_ROUTE + 4;
}

enum hpet_access hpet_filter(u32 off, unsigned int size, bool write, u64 *val)
{
	int reg = timer_reg(off);

	if (!valid(off, size)) {
		if (!write)
			*val = size >= 8 ? ~0ULL : (1ULL << (8 * size)) - 1;
		return HPET_DROP;
	}
	if (reg == HPET_TN_FSB_ROUTE || reg == HPET_TN_FSB_ROUTE + 4) {
		if (!write)
			*val = 0;
		return HPET_DROP;
	}
	/* Bits 14 and 15 are in Tn_CONF_CAP's low dword. */
	if (reg == HPET_TN_CONF) {
		*val &= ~(u64)(write ? HPET_TN_CONF_FSB_EN :
				       HPET_TN_CONF_FSB_EN |
					       HPET_TN_CONF_FSB_CAP);
	}
	return HPET_FORWARD;
}
