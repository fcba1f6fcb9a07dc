/* SPDX-License-Identifier: MIT */
/* 16550 UART console: polled transmit, optional polled receive. */
#ifndef KEEL_DRIVERS_UART_H
#define KEEL_DRIVERS_UART_H

#include "core/types.h"
#include "drivers/uart/uart_regs.h"

#define UART_DEFAULT_BAUD 115200

/* Program the UART at @port for @baud, 8N1, FIFOs on, interrupts off. */
void uart_init(u16 port, u32 baud);
void uart_putc(char c);
/* -1 when no byte is waiting. */
int uart_getc(void);
u16 uart_port(void);

/*
 * Parse "console=" values: "com1".."com4" or an I/O port ("0x2f8"), then an
 * optional ",baud". Returns 0 or -EINVAL; host-testable.
 */
int uart_parse_option(const char *val, size_t len, u16 *port, u32 *baud);

#endif
