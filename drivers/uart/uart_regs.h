/* SPDX-License-Identifier: MIT */
/*
 * 16550 UART registers (National Semiconductor PC16550D datasheet) and the
 * PC's COM port bases. Constants only: the driver (uart.c), boot/head.S's
 * early message and the guest's emulated COM1 (vdev/) share them.
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

/* Register offsets, PC16550D table 2; bits, table 2 and section 8 */
#define UART_THR 0 /* DLAB=0, write */
#define UART_RBR 0 /* DLAB=0, read */
#define UART_DLL 0 /* DLAB=1 */
#define UART_IER 1 /* DLAB=0 */
#define UART_IER_ERBFI BIT(0) /* received data available (and timeout) */
#define UART_IER_ETBEI BIT(1) /* transmitter holding register empty */
#define UART_IER_ELSI BIT(2) /* receiver line status */
#define UART_IER_EDSSI BIT(3) /* modem status */
#define UART_IER_MASK 0x0f /* bits 4-7 are always 0 */
#define UART_DLM 1 /* DLAB=1 */
#define UART_IIR 2 /* read */
#define UART_IIR_NO_INT BIT(0) /* no interrupt pending */
#define UART_IIR_ID GENMASK(3, 1) /* the highest pending source, table 4: */
#define UART_IIR_RLS 0x06 /*   1st: receiver line status */
#define UART_IIR_RDA 0x04 /*   2nd: received data available */
#define UART_IIR_CTI 0x0c /*   2nd: character timeout (FIFO mode) */
#define UART_IIR_THRE 0x02 /*   3rd: transmitter holding register empty */
#define UART_IIR_MSI 0x00 /*   4th: modem status */
#define UART_IIR_FIFO GENMASK(7, 6) /* both set when FCR0 = 1 */
#define UART_FCR 2 /* write */
#define UART_FCR_ENABLE BIT(0)
#define UART_FCR_CLEAR_RX BIT(1)
#define UART_FCR_CLEAR_TX BIT(2)
#define UART_FCR_DMA BIT(3) /* DMA mode select (RXRDY/TXRDY pins only) */
#define UART_FCR_TRIGGER GENMASK(7, 6) /* RX trigger: 1, 4, 8, 14 bytes */
#define UART_FIFO_SIZE 16 /* bytes in each FIFO, section 1 */
#define UART_LCR 3
#define UART_LCR_8N1 0x03
#define UART_LCR_SBC BIT(6) /* set break */
#define UART_LCR_DLAB BIT(7)
#define UART_MCR 4
#define UART_MCR_DTR BIT(0)
#define UART_MCR_RTS BIT(1)
#define UART_MCR_OUT1 BIT(2)
#define UART_MCR_OUT2 BIT(3) /* on a PC, gates the UART's IRQ line */
#define UART_MCR_LOOP BIT(4)
#define UART_MCR_MASK 0x1f /* bits 5-7 are always 0 */
#define UART_LSR 5
#define UART_LSR_DR BIT(0) /* data ready */
#define UART_LSR_OE BIT(1) /* overrun error */
#define UART_LSR_PE BIT(2) /* parity error */
#define UART_LSR_FE BIT(3) /* framing error */
#define UART_LSR_BI BIT(4) /* break interrupt */
#define UART_LSR_THRE BIT(5)
#define UART_LSR_TEMT BIT(6)
#define UART_LSR_FIFOE BIT(7) /* an error in the RX FIFO (FIFO mode) */
#define UART_MSR 6
#define UART_MSR_DCTS BIT(0) /* CTS changed since the last MSR read */
#define UART_MSR_DDSR BIT(1) /* DSR changed */
#define UART_MSR_TERI BIT(2) /* RI went from active to inactive */
#define UART_MSR_DDCD BIT(3) /* DCD changed */
#define UART_MSR_DELTA GENMASK(3, 0)
#define UART_MSR_CTS BIT(4)
#define UART_MSR_DSR BIT(5)
#define UART_MSR_RI BIT(6)
#define UART_MSR_DCD BIT(7)
#define UART_SCR 7

/* The PC's ISA interrupt line of COM1 (and COM3) */
#define UART_COM1_IRQ 4

#endif
