/* SPDX-License-Identifier: MIT */
/*
 * An IN/OUT whose bytes have different owners: a 2- or 4-byte access
 * that starts on one device and ends beside it (ELCR's 4D0h-4D1h read as
 * a dword, COM1's last register as a word). On a PC each byte goes to
 * whoever decodes its address and a byte nobody decodes reads FFh, its
 * write lost; Keel does the same by cutting the access into pieces of one
 * owner each (vmx/io.c carries them out). Pure: host-tested.
 */
#ifndef KEEL_VM_PIO_SPLIT_H
#define KEEL_VM_PIO_SPLIT_H

#include "core/types.h"

/* Owner of one byte: a device's index in vm->pio[], or one of these. */
#define PIO_OWNER_PASS 0xfe /* passed through: the hardware's */
#define PIO_OWNER_NOBODY 0xff /* absent: reads FFh, writes dropped */
#define PIO_MAX_BYTES 4

struct pio_piece {
	u16 port;
	u8 size; /* 1, 2 or 4 */
	u8 offset; /* of its first byte in the access */
	u8 owner;
};

/*
 * Cut an access of @size (1, 2 or 4) bytes at @port, byte i owned by
 * @owner[i], into runs of one owner, each run in accesses of 1, 2 or 4
 * bytes (a 3-byte run is 2 then 1). Ports wrap at 64K, as the CPU's
 * address does. Returns the number of pieces in @out.
 */
static inline unsigned int pio_pieces(u16 port, unsigned int size,
				      const u8 owner[PIO_MAX_BYTES],
				      struct pio_piece out[PIO_MAX_BYTES])
{
	unsigned int n = 0, i = 0;

	while (i < size) {
		unsigned int run = 1;

		while (i + run < size && owner[i + run] == owner[i])
			run++;
		if (run == 3)
			run = 2;
		out[n++] = (struct pio_piece){ (u16)(port + i), (u8)run, (u8)i,
					       owner[i] };
		i += run;
	}
	return n;
}

#endif
