// SPDX-License-Identifier: MIT
/*
 * What Keel emulates for the guest on ports and MMIO:
 * - COM1 (0x3F8-0x3FF): Keel owns the real UART, so the guest gets a 16550
 *   whose transmitter is always ready; its output reaches Keel's console a
 *   line at a time so it never splits Keel's own lines.
 * - The ISA debug-exit port 0xF4, as QEMU's isa-debug-exit: a write ends
 *   the guest with the value written as its status.
 * - Keel's test device (docs/hypercalls.md): ports 0x700-0x70F and one
 *   MMIO page at 0xFEB00000.
 */
#include "core/console.h"
#include "core/lib.h"
#include "vmx/vcpu.h"

/* PC16550D registers and bits, as in drivers/uart */
#define COM1_BASE 0x3f8
#define UART_NR_PORTS 8
#define UART_THR 0
#define UART_IER 1
#define UART_IIR 2
#define UART_LCR 3
#define UART_MCR 4
#define UART_LSR 5
#define UART_MSR 6
#define UART_SCR 7
#define UART_LCR_DLAB 0x80
#define UART_IIR_NO_INT 0x01
#define UART_LSR_THRE 0x20
#define UART_LSR_TEMT 0x40
#define UART_MSR_CTS_DSR_DCD 0xb0

#define DEBUG_EXIT_PORT 0xf4

#define TESTDEV_PORT_BASE 0x700
#define TESTDEV_NR_PORTS 16
#define TESTDEV_PORT_ECHO 0x0
#define TESTDEV_PORT_ID 0x4
#define TESTDEV_PORT_FIFO 0x8
#define TESTDEV_PORT_COUNT 0xc
#define TESTDEV_ID 0x4c45454bU /* "KEEL" as bytes K, E, E, L */
#define TESTDEV_FIFO_SIZE 256
#define TESTDEV_FIFO_EMPTY 0xff

#define TESTDEV_MMIO_BASE 0xfeb00000ULL
#define TESTDEV_MMIO_SIZE 0x1000ULL
#define TESTDEV_MMIO_PATTERN 0x00
#define TESTDEV_MMIO_SCRATCH 0x08
#define TESTDEV_MMIO_COUNT 0x10
#define TESTDEV_PATTERN 0xf1e2d3c4b5a69788ULL

struct vuart {
	u8 ier, lcr, mcr, scr, dll, dlm;
};

struct testdev {
	u32 echo;
	u32 count;
	u8 fifo[TESTDEV_FIFO_SIZE];
	unsigned int head, len;
	u8 scratch[8];
	u32 mmio_count;
};

static struct vuart vuart;
static struct testdev tdev;

void guest_console_flush(struct guest *g)
{
	if (!g->con_len)
		return;
	console_write(g->con_line, g->con_len);
	g->con_len = 0;
}

static void guest_putc(struct guest *g, char c)
{
	if (c == '\r')
		return;
	g->con_line[g->con_len++] = c;
	if (c == '\n' || g->con_len == sizeof(g->con_line))
		guest_console_flush(g);
}

static int uart_io(struct vcpu *v, u16 port, unsigned int size, bool in,
		   u32 *val, void *ctx)
{
	struct vuart *u = ctx;
	unsigned int reg = port - COM1_BASE;
	bool dlab = u->lcr & UART_LCR_DLAB;
	u8 *r = NULL;

	switch (reg) {
	case UART_THR:
		if (!dlab && !in) {
			guest_putc(v->g, (char)*val);
			return 0;
		}
		r = dlab ? &u->dll : NULL;
		break;
	case UART_IER:
		r = dlab ? &u->dlm : &u->ier;
		break;
	case UART_LCR:
		r = &u->lcr;
		break;
	case UART_MCR:
		r = &u->mcr;
		break;
	case UART_SCR:
		r = &u->scr;
		break;
	}
	if (!in) {
		if (r)
			*r = (u8)*val;
		return 0;
	}
	if (r)
		*val = *r;
	else if (reg == UART_LSR)
		*val = UART_LSR_THRE | UART_LSR_TEMT;
	else if (reg == UART_IIR)
		*val = UART_IIR_NO_INT;
	else if (reg == UART_MSR)
		*val = UART_MSR_CTS_DSR_DCD;
	else
		*val = 0; /* RBR: no input yet */
	return 0;
}

static int debug_exit_io(struct vcpu *v, u16 port, unsigned int size, bool in,
			 u32 *val, void *ctx)
{
	if (in)
		*val = 0xffffffff;
	else
		vcpu_exit_status(
			v, (int)(*val & (size == 4 ? 0xffffffff :
						     (1U << (8 * size)) - 1)));
	return 0;
}

static void fifo_push(struct testdev *t, u8 b)
{
	if (t->len == TESTDEV_FIFO_SIZE)
		return;
	t->fifo[(t->head + t->len++) % TESTDEV_FIFO_SIZE] = b;
}

static u8 fifo_pop(struct testdev *t)
{
	u8 b;

	if (!t->len)
		return TESTDEV_FIFO_EMPTY;
	b = t->fifo[t->head];
	t->head = (t->head + 1) % TESTDEV_FIFO_SIZE;
	t->len--;
	return b;
}

static int testdev_io(struct vcpu *v, u16 port, unsigned int size, bool in,
		      u32 *val, void *ctx)
{
	struct testdev *t = ctx;
	unsigned int reg = (port - TESTDEV_PORT_BASE) & ~3U;
	unsigned int shift = 8 * ((port - TESTDEV_PORT_BASE) & 3);
	u32 r = 0;

	switch (reg) {
	case TESTDEV_PORT_ECHO:
		if (in)
			r = t->echo >> shift;
		else
			t->echo = *val << shift;
		break;
	case TESTDEV_PORT_ID:
		r = TESTDEV_ID >> shift;
		break;
	case TESTDEV_PORT_FIFO:
		for (unsigned int i = 0; i < size; i++) {
			if (in)
				r |= (u32)fifo_pop(t) << (8 * i);
			else
				fifo_push(t, (u8)(*val >> (8 * i)));
		}
		break;
	case TESTDEV_PORT_COUNT:
		if (in) {
			r = t->count;
		} else {
			/* Writing COUNT resets the device; it does not count. */
			t->count = 0;
			t->len = 0;
			return 0;
		}
		break;
	}
	if (in)
		*val = size == 4 ? r : r & ((1U << (8 * size)) - 1);
	t->count++;
	return 0;
}

static int testdev_mmio(struct vcpu *v, u64 gpa, unsigned int size, bool write,
			u64 *val, void *ctx)
{
	struct testdev *t = ctx;
	u64 off = gpa - TESTDEV_MMIO_BASE, r = 0;

	for (unsigned int i = 0; i < size; i++) {
		u64 o = off + i;
		u8 b = 0;

		if (o < TESTDEV_MMIO_SCRATCH) {
			b = (u8)(TESTDEV_PATTERN >> (8 * o));
		} else if (o < TESTDEV_MMIO_COUNT) {
			if (write)
				t->scratch[o - TESTDEV_MMIO_SCRATCH] =
					(u8)(*val >> (8 * i));
			b = t->scratch[o - TESTDEV_MMIO_SCRATCH];
		} else if (o < TESTDEV_MMIO_COUNT + 4) {
			b = (u8)(t->mmio_count >>
				 (8 * (o - TESTDEV_MMIO_COUNT)));
		}
		r |= (u64)b << (8 * i);
	}
	if (!write)
		*val = r;
	t->mmio_count++;
	return 0;
}

int guest_devices_init(struct guest *g)
{
	int rc;

	memset(&vuart, 0, sizeof(vuart));
	memset(&tdev, 0, sizeof(tdev));
	rc = guest_register_io(g, COM1_BASE, UART_NR_PORTS, uart_io, &vuart,
			       "guest COM1");
	if (!rc)
		rc = guest_register_io(g, DEBUG_EXIT_PORT, 1, debug_exit_io,
				       NULL, "isa-debug-exit");
	if (!rc)
		rc = guest_register_io(g, TESTDEV_PORT_BASE, TESTDEV_NR_PORTS,
				       testdev_io, &tdev, "test device");
	if (!rc)
		rc = guest_register_mmio(g, TESTDEV_MMIO_BASE,
					 TESTDEV_MMIO_SIZE, testdev_mmio, &tdev,
					 "test device MMIO");
	return rc;
}
