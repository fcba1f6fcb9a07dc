// SPDX-License-Identifier: MIT
/*
 * The guest's COM1 (0x3F8-0x3FF). Keel owns the real UART, so the guest
 * gets a 16550 whose transmitter is always ready; its output goes to
 * Keel's console framed and a line at a time (vm/console.c).
 * Register layout: PC16550D datasheet, table 2.
 */
#include "core/lib.h"
#include "drivers/uart/uart_regs.h"
#include "vm/vm.h"

struct vuart {
	u8 ier, lcr, mcr, scr, dll, dlm;
};

static struct vuart vuart;

/* The byte register behind @reg, or NULL for THR/RBR, LSR, IIR and MSR. */
static u8 *vuart_reg(struct vuart *u, unsigned int reg)
{
	bool dlab = u->lcr & UART_LCR_DLAB;

	switch (reg) {
	case UART_THR:
		return dlab ? &u->dll : NULL;
	case UART_IER:
		return dlab ? &u->dlm : &u->ier;
	case UART_LCR:
		return &u->lcr;
	case UART_MCR:
		return &u->mcr;
	case UART_SCR:
		return &u->scr;
	}
	return NULL;
}

static u32 vuart_status(unsigned int reg)
{
	switch (reg) {
	case UART_LSR:
		return UART_LSR_THRE | UART_LSR_TEMT;
	case UART_IIR:
		return UART_IIR_NO_INT;
	case UART_MSR:
		return UART_MSR_CTS | UART_MSR_DSR | UART_MSR_DCD;
	}
	return 0; /* RBR: no input yet */
}

static int vuart_io(struct vm *vm, u16 port, unsigned int size, bool in,
		    u32 *val, void *ctx)
{
	struct vuart *u = ctx;
	unsigned int reg = port - UART_COM1;
	u8 *r = vuart_reg(u, reg);

	if (!in) {
		if (r)
			*r = (u8)*val;
		else if (reg == UART_THR)
			vm_console_putc(vm, (u8)*val);
		return 0;
	}
	*val = r ? *r : vuart_status(reg);
	return 0;
}

static int vuart_init(struct vm *vm)
{
	memset(&vuart, 0, sizeof(vuart));
	return vm_register_pio(vm, UART_COM1, UART_NR_PORTS, vuart_io, &vuart,
			       "guest COM1");
}

VM_DEVICE(uart, .name = "uart", .init = vuart_init);
