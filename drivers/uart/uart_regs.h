/* SPDX-License-Identifier: MIT */
/*
 * 16550 UART registers (National Semiconductor PC16550D datasheet) and the
 * PC's COM port bases. Constants only: the driver (uart.c), boot/head.S's
 * early message and vmx/'s emulated COM1 share them.
 */
#ifndef KEEL_DRIVERS_UART_REGS_H
#define KEEL_DRIVERS_UART_REGS_H

#include "core/bits.h"

/* COM port I/O bases of the PC (BIOS data area order) */
#define UART_COM1 0x3f8
#define UART_COM2 0x2f8
#define UART_COM3 0x3e8
#define UART_COM4 0x2e8
#define UART_NR_PORTS 8 /* registers per UART */

/* Register offsets, PC16550D table 2 */
#define UART_THR 0 /* DLAB=0, write */
#define UART_RBR 0 /* DLAB=0, read */
#define UART_DLL 0 /* DLAB=1 */
#define UART_IER 1 /* DLAB=0 */
#define UART_DLM 1 /* DLAB=1 */
#define UART_IIR 2 /* read */
#define UART_IIR_NO_INT BIT(0) /* no interrupt pending */
#define UART_FCR 2 /* write */
#define UART_FCR_ENABLE BIT(0)
#define UART_FCR_CLEAR_RX BIT(1)
#define UART_FCR_CLEAR_TX BIT(2)
#define UART_LCR 3
#define UART_LCR_8N1 0x03
#define UART_LCR_DLAB BIT(7)
#define UART_MCR 4
#define UART_MCR_DTR BIT(0)
#define UART_MCR_RTS BIT(1)
#define UART_LSR 5
#define UART_LSR_DR BIT(0)
#define UART_LSR_THRE BIT(5)
#define UART_LSR_TEMT BIT(6)
#define UART_MSR 6
#define UART_MSR_CTS BIT(4)
#define UART_MSR_DSR BIT(5)
#define UART_MSR_DCD BIT(7)
#define UART_SCR 7

#endif
