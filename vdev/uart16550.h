/* SPDX-License-Identifier: MIT */
/*
 * A 16550 UART as the guest sees it (National Semiconductor PC16550D):
 * every register, the 16-byte receive FIFO, loopback, and the INTR output.
 * Pure: no ports, no VM. Transmitted bytes and changes of the interrupt
 * line go to callbacks; bytes for the guest come in through
 * u16550_input(). Built for the host tests too (tests/host/test_uart16550.c).
 *
 * Time is not modelled: a byte written to THR is on the wire at once
 * (THRE and TEMT always read 1 between accesses), a byte queued for the
 * guest moves into the RX FIFO as soon as there is room, and the character
 * timeout of FIFO mode fires as soon as the FIFO holds fewer bytes than the
 * trigger level (as if four character times had passed).
 */
#ifndef KEEL_VDEV_UART16550_H
#define KEEL_VDEV_UART16550_H

#include "core/types.h"

/*
 * Bytes waiting on Keel's side of the line for room in the RX FIFO: what
 * the guest has not drained yet. Only beyond this does input overrun.
 */
#define U16550_INPUT_SIZE 256

struct u16550_ops {
	/* A byte the guest transmitted (not in loopback mode). */
	void (*tx)(void *ctx, u8 c);
	/* The IRQ line changed: INTR gated by MCR.OUT2, as on a PC. */
	void (*irq)(void *ctx, bool level);
};

/* Queue entries: the byte, plus a flag for a break condition. */
#define U16550_BREAK 0x100

struct u16550 {
	const struct u16550_ops *ops;
	void *ctx;
	u8 ier, lcr, mcr, scr, dll, dlm;
	u8 fcr; /* FIFO enable and trigger level as last written */
	u8 lsr_err; /* OE, PE, FE, BI: sticky until LSR is read */
	u8 msr; /* delta bits 0-3 and the current lines 4-7 */
	u8 lines; /* the modem inputs outside loopback: CTS, DSR, RI, DCD */
	u8 rbr; /* the last byte read, returned again on an empty read */
	bool thr_int; /* THRE interrupt pending (table 4) */
	bool irq; /* the level last passed to ops->irq */
	/* The RX FIFO (one entry deep in 16450 mode). */
	u16 rx[16];
	unsigned int rx_head, rx_count;
	/* Keel's side of the line, in order. */
	u16 in[U16550_INPUT_SIZE];
	unsigned int in_head, in_count;
	u64 dropped; /* input lost because the guest did not drain */
};

/* Reset as the MR pin does (PC16550D table 5); @ops may be NULL. */
void u16550_init(struct u16550 *u, const struct u16550_ops *ops, void *ctx);
/* A guest read or write of register @reg (0..7). */
u8 u16550_read(struct u16550 *u, unsigned int reg);
void u16550_write(struct u16550 *u, unsigned int reg, u8 val);
/*
 * Bytes for the guest, in order. They wait on Keel's side until the RX
 * FIFO has room. Returns how many were queued; the rest are dropped only
 * when the guest has left U16550_INPUT_SIZE + 16 bytes unread, and then
 * counted in @dropped and reported to the guest as LSR.OE.
 */
size_t u16550_input(struct u16550 *u, const u8 *buf, size_t n);
/* A break on the line: a zero byte with LSR.BI, in order with input. */
bool u16550_input_break(struct u16550 *u);
/* Set the modem input lines (UART_MSR_CTS|DSR|RI|DCD) outside loopback. */
void u16550_set_lines(struct u16550 *u, u8 lines);

#endif
