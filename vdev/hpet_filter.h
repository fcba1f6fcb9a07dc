/* SPDX-License-Identifier: MIT */
/*
 * What of the HPET the guest may touch (vdev/hpet.c). Pure: built for
 * Keel and for the host tests.
 */
#ifndef KEEL_VDEV_HPET_FILTER_H
#define KEEL_VDEV_HPET_FILTER_H

#include "core/types.h"

/* Register block, IA-PC HPET spec 1.0a 2.3 table 2 */
#define HPET_BLOCK_LEN 0x400
#define HPET_TIMER0 0x100 /* timer N's registers at 0x100 + 0x20 * N */
#define HPET_TIMER_STRIDE 0x20
#define HPET_TN_CONF 0x00 /* Tn_CONF_CAP, 2.3.8 */
#define HPET_TN_FSB_ROUTE 0x10 /* Tn_FSB_INT_ROUTE, 2.3.10 */
#define HPET_TN_CONF_FSB_EN BIT(14) /* Tn_FSB_EN_CNF */
#define HPET_TN_CONF_FSB_CAP BIT(15) /* Tn_FSB_INT_DEL_CAP */

enum hpet_access {
	HPET_FORWARD, /* to the hardware, with the value as filtered */
	HPET_DROP, /* a write goes nowhere; a read returns *val as set */
};

/*
 * A guest access of @size bytes at @off in the HPET page. Reads: called
 * after the hardware's value is in *val (when *forward_first), to filter
 * it. Writes: filters *val before it goes to the hardware. FSB delivery
 * (a memory write to an address the guest would choose, 2.3.10) is never
 * offered: its capability reads 0, its enable cannot be set, its route
 * reads 0 and ignores writes. Accesses that are not an aligned 4 or 8
 * bytes inside the 1 KiB block (the spec allows no others, 2.3) are
 * dropped: reads all ones.
 */
enum hpet_access hpet_filter(u32 off, unsigned int size, bool write, u64 *val);
/* Whether a read at @off must first fetch the hardware's value. */
bool hpet_read_forwards(u32 off, unsigned int size);

#endif
