// SPDX-License-Identifier: MIT
/*
 * The guest's COM1 (0x3F8-0x3FF, IRQ 4): a complete 16550 (the register
 * model is vdev/uart16550.c). Keel owns the real UART, so what the guest
 * transmits goes to Keel's console, framed and a line at a time
 * (vm/console.c), and what Keel sends it (vuart_input) arrives through
 * the receive FIFO. A rising edge of the UART's interrupt line becomes an
 * interrupt for the guest (vm_raise_isa_irq, docs/vmx.md "Device
 * interrupts").
 */
#include "core/console.h"
#include "core/lib.h"
#include "drivers/uart/uart_regs.h"
#include "vdev/uart16550.h"
#include "vdev/vuart.h"
#include "vm/vm.h"

struct vuart {
	struct vm *vm;
	struct u16550 regs;
};

static struct vuart vuart;

static void vuart_tx(void *ctx, u8 c)
{
	struct vuart *u = ctx;

	vm_console_putc(u->vm, c);
}

/* ISA interrupts are edge-triggered: only a rising edge is an event. */
static void vuart_irq(void *ctx, bool level)
{
	struct vuart *u = ctx;

	if (level)
		vm_raise_isa_irq(u->vm, UART_COM1_IRQ);
}

static const struct u16550_ops vuart_ops = {
	.tx = vuart_tx,
	.irq = vuart_irq,
};

static int vuart_io(struct vm *vm, u16 port, unsigned int size, bool in,
		    u32 *val, void *ctx)
{
	struct vuart *u = ctx;
	unsigned int reg = port - UART_COM1;

	/* A wider access reaches the registers that follow, byte by byte,
	 * in address order, as the ISA bus splits it. */
	if (in)
		*val = 0;
	for (unsigned int i = 0; i < size && reg + i < UART_NR_PORTS; i++) {
		if (in)
			*val |= (u32)u16550_read(&u->regs, reg + i) << (8 * i);
		else
			u16550_write(&u->regs, reg + i, (u8)(*val >> (8 * i)));
	}
	return 0;
}

size_t vuart_input(struct vm *vm, const u8 *buf, size_t n)
{
	if (vuart.vm != vm)
		return 0;
	return u16550_input(&vuart.regs, buf, n);
}

static int vuart_init(struct vm *vm)
{
	vuart.vm = vm;
	u16550_init(&vuart.regs, &vuart_ops, &vuart);
	return vm_register_pio(vm, UART_COM1, UART_NR_PORTS, vuart_io, &vuart,
			       "guest COM1");
}

static void vuart_stop(struct vm *vm)
{
	if (vuart.regs.dropped)
		pr_info("keel: guest COM1: %llu byte(s) of input lost: the guest did not read them\n",
			(unsigned long long)vuart.regs.dropped);
	vuart.vm = NULL;
}

VM_DEVICE(uart, .name = "uart", .init = vuart_init, .stop = vuart_stop);
