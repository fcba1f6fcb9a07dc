// SPDX-License-Identifier: MIT
/*
 * 16550 UART driver (National Semiconductor PC16550D datasheet). Transmit
 * polls LSR.THRE before every byte: Bochs drops bytes written while the
 * holding register is full, and real UARTs overrun the same way.
 */
#include "core/console.h"
#include "core/lib.h"
#include "drivers/uart/uart.h"
#include "arch/x86/arch.h"

/* The divisor latch counts a 1.8432 MHz clock / 16. */
#define UART_CLOCK_BAUD 115200
/* Give up on a dead UART after this many LSR polls rather than hang. */
#define UART_TX_SPINS 100000

static u16 uart_base = UART_COM1;
static bool uart_ready;

void uart_init(u16 port, u32 baud)
{
	u32 div = baud ? UART_CLOCK_BAUD / baud : 1;

	if (!div)
		div = 1;
	uart_base = port;
	outb(port + UART_IER, 0);
	outb(port + UART_LCR, UART_LCR_DLAB);
	outb(port + UART_DLL, div & 0xff);
	outb(port + UART_DLM, (div >> 8) & 0xff);
	outb(port + UART_LCR, UART_LCR_8N1);
	outb(port + UART_FCR,
	     UART_FCR_ENABLE | UART_FCR_CLEAR_RX | UART_FCR_CLEAR_TX);
	outb(port + UART_MCR, UART_MCR_DTR | UART_MCR_RTS);
	uart_ready = true;
}

void uart_putc(char c)
{
	unsigned int spins = 0;

	if (!uart_ready)
		return;
	while (!(inb(uart_base + UART_LSR) & UART_LSR_THRE) &&
	       spins++ < UART_TX_SPINS)
		cpu_relax();
	outb(uart_base + UART_THR, (u8)c);
}

int uart_getc(void)
{
	if (!uart_ready || !(inb(uart_base + UART_LSR) & UART_LSR_DR))
		return -1;
	return inb(uart_base + UART_RBR);
}

u16 uart_port(void)
{
	return uart_base;
}
