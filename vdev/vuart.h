/* SPDX-License-Identifier: MIT */
/*
 * The guest's COM1 as the rest of Keel sees it: input for the guest. Its
 * output goes to Keel's console on its own (vm/console.c).
 */
#ifndef KEEL_VDEV_VUART_H
#define KEEL_VDEV_VUART_H

#include "core/types.h"

struct vm;

/*
 * Send @n bytes to the guest's COM1, in order. They wait in Keel until
 * the guest's receive FIFO has room; returns how many were taken. Bytes
 * are lost (and the guest sees LSR.OE) only when the guest has left more
 * than U16550_INPUT_SIZE + 16 unread.
 */
size_t vuart_input(struct vm *vm, const u8 *buf, size_t n);

#endif
