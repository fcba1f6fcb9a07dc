// SPDX-License-Identifier: MIT
/*
 * Host tests for the guest's 16550 register model (vdev/uart16550.c):
 * DLAB, the FIFO and Keel's input queue in order, loopback as Linux's 8250
 * driver probes it, IIR priorities (PC16550D table 4), LSR bits, overrun,
 * and the IRQ line gated by MCR.OUT2.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <string.h>

#include "drivers/uart/uart_regs.h"
#include "vdev/uart16550.h"

struct sink {
	u8 tx[512];
	unsigned int n_tx;
	bool level;
	unsigned int rises;
};

static void sink_tx(void *ctx, u8 c)
{
	struct sink *s = ctx;

	s->tx[s->n_tx++] = c;
}

static void sink_irq(void *ctx, bool level)
{
	struct sink *s = ctx;

	assert_true(level != s->level); /* only changes are reported */
	s->level = level;
	s->rises += level;
}

static const struct u16550_ops sink_ops = { .tx = sink_tx, .irq = sink_irq };

static struct u16550 u;
static struct sink sink;

static void setup_uart(void)
{
	memset(&sink, 0, sizeof(sink));
	u16550_init(&u, &sink_ops, &sink);
}

#define RD(reg) u16550_read(&u, UART_##reg)
#define WR(reg, v) u16550_write(&u, UART_##reg, (u8)(v))

static void test_reset_values(void **state)
{
	setup_uart();
	assert_int_equal(RD(IER), 0);
	assert_int_equal(RD(IIR), UART_IIR_NO_INT);
	assert_int_equal(RD(LCR), 0);
	assert_int_equal(RD(MCR), 0);
	assert_int_equal(RD(LSR), UART_LSR_THRE | UART_LSR_TEMT);
	assert_int_equal(RD(MSR) & 0xf0,
			 UART_MSR_CTS | UART_MSR_DSR | UART_MSR_DCD);
	assert_false(sink.level);
}

static void test_dlab(void **state)
{
	setup_uart();
	WR(IER, 0x05);
	WR(LCR, UART_LCR_DLAB | UART_LCR_8N1);
	WR(DLL, 0x0c);
	WR(DLM, 0x01);
	assert_int_equal(RD(DLL), 0x0c);
	assert_int_equal(RD(DLM), 0x01);
	assert_int_equal(sink.n_tx, 0); /* the divisor is not data */
	WR(LCR, UART_LCR_8N1);
	assert_int_equal(RD(IER), 0x05); /* IER kept apart from DLM */
	WR(THR, 'x');
	assert_int_equal(sink.n_tx, 1);
	assert_int_equal(sink.tx[0], 'x');
	WR(LCR, UART_LCR_DLAB);
	assert_int_equal(RD(DLL), 0x0c);
	/* IER has four bits; the scratch register keeps all eight. */
	WR(LCR, 0);
	WR(IER, 0xff);
	assert_int_equal(RD(IER), UART_IER_MASK);
	WR(SCR, 0xa5);
	assert_int_equal(RD(SCR), 0xa5);
}

static void test_fifo_order_and_input_queue(void **state)
{
	u8 in[300];

	setup_uart();
	WR(FCR, UART_FCR_ENABLE);
	for (unsigned int i = 0; i < sizeof(in); i++)
		in[i] = (u8)(i * 7 + 1);
	/* 16 in the FIFO, the rest wait on Keel's side; more arrives while
	 * the guest reads. */
	assert_int_equal(u16550_input(&u, in, 200), 200);
	for (unsigned int i = 0; i < sizeof(in); i++) {
		if (i == 100)
			assert_int_equal(u16550_input(&u, in + 200, 100), 100);
		assert_true(RD(LSR) & UART_LSR_DR);
		assert_int_equal(RD(RBR), in[i]);
	}
	assert_false(RD(LSR) & UART_LSR_DR);
	assert_int_equal(u.dropped, 0);
	/* Nothing was lost, so no overrun was ever shown. */
	assert_false(RD(LSR) & UART_LSR_OE);
}

static void test_input_overrun_only_when_not_drained(void **state)
{
	u8 in[U16550_INPUT_SIZE + UART_FIFO_SIZE + 5];
	size_t cap = U16550_INPUT_SIZE + UART_FIFO_SIZE;

	setup_uart();
	WR(FCR, UART_FCR_ENABLE);
	memset(in, 'a', sizeof(in));
	assert_int_equal(u16550_input(&u, in, sizeof(in)), cap);
	assert_int_equal(u.dropped, 5);
	assert_int_equal(RD(LSR) & UART_LSR_OE, UART_LSR_OE);
	assert_false(RD(LSR) & UART_LSR_OE); /* cleared by the read */
	RD(RBR);
	/* One byte of room again: one more is taken. */
	assert_int_equal(u16550_input(&u, in, 1), 1);
	assert_false(RD(LSR) & UART_LSR_OE);
}

static void test_fifo_clear_and_mode_switch(void **state)
{
	const u8 in[] = "abcdef";

	setup_uart();
	WR(FCR, UART_FCR_ENABLE);
	assert_int_equal(RD(IIR) & UART_IIR_FIFO, UART_IIR_FIFO);
	u16550_input(&u, in, 6);
	WR(FCR, UART_FCR_ENABLE | UART_FCR_CLEAR_RX);
	assert_false(RD(LSR) & UART_LSR_DR);
	/* 16450 mode holds one byte; the rest wait, in order. */
	WR(FCR, 0);
	assert_int_equal(RD(IIR) & UART_IIR_FIFO, 0);
	u16550_input(&u, in, 3);
	assert_int_equal(u.rx_count, 1);
	assert_int_equal(RD(RBR), 'a');
	assert_int_equal(RD(RBR), 'b');
	assert_int_equal(RD(RBR), 'c');
	assert_false(RD(LSR) & UART_LSR_DR);
	/* An empty read returns the last byte again. */
	assert_int_equal(RD(RBR), 'c');
}

/* Linux's 8250 autoconfig: MCR = LOOP|RTS|OUT2 must read MSR 0x90. */
static void test_loopback_msr(void **state)
{
	setup_uart();
	RD(MSR);
	WR(MCR, UART_MCR_LOOP | UART_MCR_RTS | UART_MCR_OUT2);
	assert_int_equal(RD(MSR) & 0xf0, UART_MSR_CTS | UART_MSR_DCD);
	WR(MCR, UART_MCR_LOOP | UART_MCR_DTR | UART_MCR_OUT1);
	/* DSR and RI rose, CTS and DCD fell: deltas, but no TERI. */
	assert_int_equal(RD(MSR), UART_MSR_DSR | UART_MSR_RI | UART_MSR_DCTS |
					  UART_MSR_DDSR | UART_MSR_DDCD);
	assert_int_equal(RD(MSR), UART_MSR_DSR | UART_MSR_RI);
	WR(MCR, UART_MCR_LOOP | UART_MCR_DTR);
	assert_int_equal(RD(MSR), UART_MSR_DSR | UART_MSR_TERI);
	WR(MCR, 0);
	assert_int_equal(RD(MSR) & 0xf0,
			 UART_MSR_CTS | UART_MSR_DSR | UART_MSR_DCD);
}

static void test_loopback_data(void **state)
{
	const u8 keel_in[] = "KEEL";

	setup_uart();
	WR(FCR, UART_FCR_ENABLE);
	WR(MCR, UART_MCR_LOOP);
	/* Input from Keel waits while the receiver is looped. */
	u16550_input(&u, keel_in, 4);
	assert_false(RD(LSR) & UART_LSR_DR);
	for (unsigned int i = 0; i < 10; i++)
		WR(THR, '0' + i);
	assert_int_equal(sink.n_tx, 0); /* nothing went out */
	for (unsigned int i = 0; i < 10; i++)
		assert_int_equal(RD(RBR), '0' + i);
	assert_false(RD(LSR) & UART_LSR_DR);
	/* Loopback overrun: 17 bytes into a 16-byte FIFO, the last lost. */
	for (unsigned int i = 0; i < 17; i++)
		WR(THR, 'a' + i);
	assert_int_equal(RD(LSR) & (UART_LSR_OE | UART_LSR_DR),
			 UART_LSR_OE | UART_LSR_DR);
	for (unsigned int i = 0; i < 16; i++)
		assert_int_equal(RD(RBR), 'a' + i);
	/* A break set in loopback arrives as a zero byte with BI. */
	WR(LCR, UART_LCR_SBC);
	assert_int_equal(RD(LSR) & (UART_LSR_BI | UART_LSR_FIFOE | UART_LSR_DR),
			 UART_LSR_BI | UART_LSR_FIFOE | UART_LSR_DR);
	assert_int_equal(RD(RBR), 0);
	WR(LCR, 0);
	/* Leaving loopback lets Keel's input in, in order. */
	WR(MCR, 0);
	for (unsigned int i = 0; i < 4; i++)
		assert_int_equal(RD(RBR), keel_in[i]);
}

static void test_16450_overrun_overwrites(void **state)
{
	setup_uart();
	WR(MCR, UART_MCR_LOOP);
	WR(THR, 'a');
	WR(THR, 'b');
	assert_int_equal(RD(LSR), UART_LSR_OE | UART_LSR_DR | UART_LSR_THRE |
					  UART_LSR_TEMT);
	assert_int_equal(RD(RBR), 'b');
}

static void test_iir_priorities(void **state)
{
	setup_uart();
	WR(FCR, UART_FCR_ENABLE | FIELD_PREP(UART_FCR_TRIGGER, 1)); /* 4 */
	WR(MCR, UART_MCR_OUT2);
	WR(IER,
	   UART_IER_ERBFI | UART_IER_ETBEI | UART_IER_ELSI | UART_IER_EDSSI);
	/* Enabling ETBEI with THR empty raises THRE; MCR cleared DDSR etc.
	 * nothing: the lines did not change. */
	assert_int_equal(RD(IIR), UART_IIR_THRE | UART_IIR_FIFO);
	/* Read once as the source: cleared. */
	assert_int_equal(RD(IIR), UART_IIR_NO_INT | UART_IIR_FIFO);
	/* Modem status: lowest priority. */
	u16550_set_lines(&u, UART_MSR_DSR | UART_MSR_DCD);
	assert_int_equal(RD(IIR), UART_IIR_MSI | UART_IIR_FIFO);
	/* THRE above it. */
	WR(THR, 'x');
	assert_int_equal(RD(IIR), UART_IIR_THRE | UART_IIR_FIFO);
	assert_int_equal(RD(IIR), UART_IIR_MSI | UART_IIR_FIFO);
	/* Data below the trigger level: the timeout; at it: data. */
	WR(THR, 'y');
	u16550_input(&u, (const u8 *)"abc", 3);
	assert_int_equal(RD(IIR), UART_IIR_CTI | UART_IIR_FIFO);
	u16550_input(&u, (const u8 *)"d", 1);
	assert_int_equal(RD(IIR), UART_IIR_RDA | UART_IIR_FIFO);
	/* Line status above everything. */
	u16550_input_break(&u);
	assert_int_equal(RD(IIR), UART_IIR_RDA | UART_IIR_FIFO);
	for (unsigned int i = 0; i < 4; i++)
		RD(RBR);
	/* The break reached the top of the FIFO. */
	assert_int_equal(RD(IIR), UART_IIR_RLS | UART_IIR_FIFO);
	assert_int_equal(RD(LSR) & UART_LSR_BI, UART_LSR_BI);
	/* The break byte is below the trigger: timeout again. */
	assert_int_equal(RD(IIR), UART_IIR_CTI | UART_IIR_FIFO);
	RD(RBR);
	/* THRE, still pending from 'y', then modem status. */
	assert_int_equal(RD(IIR), UART_IIR_THRE | UART_IIR_FIFO);
	assert_int_equal(RD(IIR), UART_IIR_MSI | UART_IIR_FIFO);
	RD(MSR);
	assert_int_equal(RD(IIR), UART_IIR_NO_INT | UART_IIR_FIFO);
	assert_false(sink.level);
}

static void test_irq_line_gated_by_out2(void **state)
{
	setup_uart();
	WR(IER, UART_IER_ERBFI);
	u16550_input(&u, (const u8 *)"a", 1);
	/* Pending (IIR says so) but OUT2 is off: the line stays low. */
	assert_int_equal(RD(IIR), UART_IIR_RDA);
	assert_false(sink.level);
	WR(MCR, UART_MCR_OUT2);
	assert_true(sink.level);
	assert_int_equal(sink.rises, 1);
	RD(RBR);
	assert_false(sink.level);
	u16550_input(&u, (const u8 *)"b", 1);
	assert_true(sink.level);
	assert_int_equal(sink.rises, 2);
	/* Loopback forces OUT2 inactive: no interrupt leaves the chip. */
	WR(MCR, UART_MCR_OUT2 | UART_MCR_LOOP);
	assert_false(sink.level);
	WR(MCR, UART_MCR_OUT2);
	assert_true(sink.level);
	WR(IER, 0);
	assert_false(sink.level);
	assert_int_equal(sink.rises, 3);
}

/* Linux's THRE test (serial8250_do_startup): re-enabling ETBEI with the
 * transmitter idle raises THRE again. */
static void test_thre_reasserts_on_enable(void **state)
{
	setup_uart();
	WR(MCR, UART_MCR_OUT2);
	WR(IER, UART_IER_ETBEI);
	assert_true(sink.level);
	assert_int_equal(RD(IIR), UART_IIR_THRE);
	assert_false(sink.level);
	assert_int_equal(RD(IIR), UART_IIR_NO_INT);
	WR(IER, 0);
	WR(IER, UART_IER_ETBEI);
	assert_true(sink.level);
	assert_int_equal(RD(IIR), UART_IIR_THRE);
	assert_int_equal(sink.rises, 2);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_reset_values),
		cmocka_unit_test(test_dlab),
		cmocka_unit_test(test_fifo_order_and_input_queue),
		cmocka_unit_test(test_input_overrun_only_when_not_drained),
		cmocka_unit_test(test_fifo_clear_and_mode_switch),
		cmocka_unit_test(test_loopback_msr),
		cmocka_unit_test(test_loopback_data),
		cmocka_unit_test(test_16450_overrun_overwrites),
		cmocka_unit_test(test_iir_priorities),
		cmocka_unit_test(test_irq_line_gated_by_out2),
		cmocka_unit_test(test_thre_reasserts_on_enable),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
