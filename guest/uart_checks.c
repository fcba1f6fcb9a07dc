// SPDX-License-Identifier: MIT
/*
 * COM1 as Linux's 8250 driver probes it (autoconfig: the scratch and IER
 * tests, the loopback test with the modem status bits, FIFO detection
 * through IIR), loopback data in order, and the interrupt line: a THRE
 * interrupt reaches the guest through the vector its IOAPIC pin 4 names,
 * only while MCR.OUT2 is set; input from Keel (sent through the test
 * device's COM1_IN register) arrives in order and raises the receive
 * interrupt. Register numbers and bits: PC16550D table 2.
 * Nothing is printed while the UART is in loopback: it would loop back.
 */
#include "guest.h"

#define UART_RBR 0
#define UART_THR 0
#define UART_DLL 0
#define UART_IER 1
#define UART_DLM 1
#define UART_IIR 2
#define UART_FCR 2
#define UART_LCR 3
#define UART_MCR 4
#define UART_LSR 5
#define UART_MSR 6
#define UART_SCR 7

#define IER_ERBFI 0x01
#define IER_ETBEI 0x02
#define IIR_NO_INT 0x01
#define IIR_THRE 0x02
#define IIR_CTI 0x0c
#define IIR_FIFO 0xc0
#define FCR_ENABLE 0x01
#define FCR_LIB 0xc7 /* serial_init(): enable, clear, trigger 14 */
#define LCR_DLAB 0x80
#define LCR_8N1 0x03
#define MCR_DTR 0x01
#define MCR_RTS 0x02
#define MCR_OUT1 0x04
#define MCR_OUT2 0x08
#define MCR_LOOP 0x10
#define MCR_LIB (MCR_DTR | MCR_RTS | MCR_OUT2) /* serial_init() */
#define LSR_DR 0x01
#define LSR_OE 0x02
#define MSR_LINES 0xf0
#define MSR_CTS 0x10
#define MSR_DSR 0x20
#define MSR_RI 0x40
#define MSR_DCD 0x80

/* The IOAPIC (82093AA 3.0) at the PC's address, pin 4 = ISA IRQ 4. */
#define LAPIC_ID_REG 0xfee00020u
#define IOAPIC_BASE 0xfec00000u
#define IOAPIC_REDTBL(pin) (0x10 + 2 * (pin))
#define IOAPIC_RTE_MASKED (1u << 16)
#define COM1_PIN 4
#define COM1_VECTOR 0x45

static u8 rd(unsigned int reg)
{
	return inb(COM1 + reg);
}

static void wr(unsigned int reg, u8 v)
{
	outb(COM1 + reg, v);
}

static void ioapic_write(u32 reg, u32 v)
{
	*(volatile u32 *)(IOAPIC_BASE) = reg;
	*(volatile u32 *)(IOAPIC_BASE + 0x10) = v;
}

/* autoconfig(): IER keeps exactly its four bits; SCR keeps any byte. */
static void check_scratch(void)
{
	u8 ier0, ier1, s1, s2;

	wr(UART_IER, 0);
	ier0 = rd(UART_IER);
	wr(UART_IER, 0xff);
	ier1 = rd(UART_IER);
	wr(UART_IER, 0);
	wr(UART_SCR, 0x55);
	s1 = rd(UART_SCR);
	wr(UART_SCR, 0xaa);
	s2 = rd(UART_SCR);
	report("uart_scratch_ier",
	       ier0 == 0 && ier1 == 0x0f && s1 == 0x55 && s2 == 0xaa,
	       "IER %02x/%02x SCR %02x/%02x", ier0, ier1, s1, s2);
}

static void check_dlab(void)
{
	u8 dll, dlm, ier;

	wr(UART_LCR, LCR_DLAB | LCR_8N1);
	wr(UART_DLL, 0x0c);
	wr(UART_DLM, 0x01);
	dll = rd(UART_DLL);
	dlm = rd(UART_DLM);
	wr(UART_DLL, 1); /* back to 115200 baud */
	wr(UART_DLM, 0);
	wr(UART_LCR, LCR_8N1);
	ier = rd(UART_IER);
	report("uart_dlab", dll == 0x0c && dlm == 0x01 && ier == 0,
	       "DLL %02x DLM %02x IER %02x", dll, dlm, ier);
}

/* autoconfig(): MCR = LOOP|RTS|OUT2 must read MSR lines 0x90. */
static void check_loopback_msr(void)
{
	u8 m1, m2, m3;

	wr(UART_MCR, MCR_LOOP | MCR_RTS | MCR_OUT2);
	m1 = rd(UART_MSR) & MSR_LINES;
	wr(UART_MCR, MCR_LOOP | MCR_DTR | MCR_OUT1);
	m2 = rd(UART_MSR) & MSR_LINES;
	wr(UART_MCR, MCR_LIB);
	m3 = rd(UART_MSR) & MSR_LINES;
	report("uart_loopback_msr",
	       m1 == (MSR_CTS | MSR_DCD) && m2 == (MSR_DSR | MSR_RI) &&
		       m3 == (MSR_CTS | MSR_DSR | MSR_DCD),
	       "MSR %02x %02x %02x", m1, m2, m3);
}

/* autoconfig_16550a(): IIR bits 7:6 follow FCR0. */
static void check_fifo_detect(void)
{
	u8 on, off;

	wr(UART_FCR, FCR_ENABLE);
	on = rd(UART_IIR);
	wr(UART_FCR, 0);
	off = rd(UART_IIR);
	wr(UART_FCR, FCR_LIB);
	report("uart_fifo_detect",
	       (on & IIR_FIFO) == IIR_FIFO && !(off & IIR_FIFO),
	       "IIR %02x with FIFOs, %02x without", on, off);
}

/* Loopback: what the guest sends comes back in order; a 17th byte into
 * the 16-byte FIFO overruns. */
static void check_loopback_data(void)
{
	u8 got[16] = { 0 }, lsr_oe, lsr_after;
	unsigned int n = 0, bad = 0;

	wr(UART_FCR, FCR_LIB);
	wr(UART_MCR, MCR_LOOP | MCR_LIB);
	for (unsigned int i = 0; i < 16; i++)
		wr(UART_THR, (u8)('A' + i));
	while (n < 16 && (rd(UART_LSR) & LSR_DR))
		got[n++] = rd(UART_RBR);
	for (unsigned int i = 0; i < 17; i++)
		wr(UART_THR, (u8)i);
	lsr_oe = rd(UART_LSR);
	for (unsigned int i = 0; i < 16; i++)
		bad += rd(UART_RBR) != i;
	lsr_after = rd(UART_LSR);
	wr(UART_MCR, MCR_LIB);
	for (unsigned int i = 0; i < n; i++)
		bad += got[i] != 'A' + i;
	report("uart_loopback_order", n == 16 && !bad, "%u bytes, %u wrong", n,
	       bad);
	report("uart_loopback_overrun",
	       (lsr_oe & (LSR_OE | LSR_DR)) == (LSR_OE | LSR_DR) &&
		       !(lsr_after & (LSR_OE | LSR_DR)),
	       "LSR %02x then %02x", lsr_oe, lsr_after);
}

/* Interrupts taken while IF was set for a moment. */
static u32 irqs_in_window(void)
{
	u32 t = test_irq_count;

	__asm__ volatile("sti; nop; nop; cli" ::: "memory");
	return test_irq_count - t;
}

/*
 * Enabling ETBEI with THR empty raises THRE; reading IIR clears it. Keel
 * delivers each rising edge of IRQ 4 with the guest's IOAPIC vector, and
 * none while OUT2 keeps the line off the interrupt controller.
 */
static void check_thre_irq(void)
{
	u32 apic_id = *(volatile u32 *)LAPIC_ID_REG & 0xff000000u;
	u32 gated, first, second, eflags;
	u8 iir_gated, iir1, iir2, iir_end;

	if (!keel_present()) {
		report_skip("uart_thre_irq", "needs Keel's virtual COM1");
		return;
	}
	idt_set_gate(COM1_VECTOR, irq_test_stub);
	ioapic_write(IOAPIC_REDTBL(COM1_PIN) + 1, apic_id);
	ioapic_write(IOAPIC_REDTBL(COM1_PIN), COM1_VECTOR);
	__asm__ volatile("pushfl; popl %0; cli" : "=r"(eflags) : : "memory");
	wr(UART_MCR, MCR_DTR | MCR_RTS);
	wr(UART_IER, IER_ETBEI);
	gated = irqs_in_window();
	iir_gated = rd(UART_IIR); /* pending all the same; clears it */
	wr(UART_IER, 0);
	wr(UART_MCR, MCR_LIB);
	wr(UART_IER, IER_ETBEI);
	iir1 = rd(UART_IIR);
	first = irqs_in_window();
	wr(UART_IER, 0);
	wr(UART_IER, IER_ETBEI);
	second = irqs_in_window();
	iir2 = rd(UART_IIR);
	iir_end = rd(UART_IIR);
	wr(UART_IER, 0);
	ioapic_write(IOAPIC_REDTBL(COM1_PIN), IOAPIC_RTE_MASKED);
	__asm__ volatile("pushl %0; popfl" : : "r"(eflags) : "memory", "cc");
	report("uart_thre_irq",
	       gated == 0 && first == 1 && second == 1 &&
		       iir_gated == (IIR_FIFO | IIR_THRE) &&
		       iir1 == (IIR_FIFO | IIR_THRE) &&
		       iir2 == (IIR_FIFO | IIR_THRE) &&
		       iir_end == (IIR_FIFO | IIR_NO_INT),
	       "irqs %u/%u/%u IIR %02x %02x %02x %02x", gated, first, second,
	       iir_gated, iir1, iir2, iir_end);
}

/* Bytes waiting for the guest that Keel holds: its 256-byte queue and
 * the 16-byte FIFO (docs/hypercalls.md, COM1_IN). */
#define COM1_HOLDS 272

static u8 big[COM1_HOLDS + 1];

/* Read until the receiver is empty; count bytes, mismatches, LSR bits. */
static unsigned int drain(const u8 *want, unsigned int *bad, u8 *lsr_or)
{
	unsigned int n = 0;
	u8 lsr;

	*bad = 0;
	*lsr_or = 0;
	while (n <= COM1_HOLDS && ((lsr = rd(UART_LSR)) & LSR_DR)) {
		*lsr_or |= lsr;
		*bad += rd(UART_RBR) != want[n++];
	}
	return n;
}

/* Send bytes to our own COM1 receiver, as Keel's console would. */
static void keel_send(const u8 *buf, unsigned int n)
{
	volatile u8 *in =
		(volatile u8 *)(TESTDEV_MMIO_BASE + TESTDEV_MMIO_COM1_IN);

	for (unsigned int i = 0; i < n; i++)
		*in = buf[i];
}

/*
 * Input below the trigger level raises the character timeout interrupt
 * (IIR 0xCC), delivered with the IOAPIC vector. As many bytes as Keel
 * holds arrive in order without an overrun; one more overruns (LSR.OE).
 */
static void check_rx(void)
{
	u32 apic_id = *(volatile u32 *)LAPIC_ID_REG & 0xff000000u;
	u32 eflags, irqs;
	u8 got[3] = { 0 }, iir, iir_end, lsr_or, lsr_first;
	unsigned int n, bad;

	if (!keel_present()) {
		report_skip("uart_rx_irq", "needs Keel's virtual COM1");
		report_skip("uart_rx_order", "needs Keel's virtual COM1");
		return;
	}
	idt_set_gate(COM1_VECTOR, irq_test_stub);
	ioapic_write(IOAPIC_REDTBL(COM1_PIN) + 1, apic_id);
	ioapic_write(IOAPIC_REDTBL(COM1_PIN), COM1_VECTOR);
	__asm__ volatile("pushfl; popl %0; cli" : "=r"(eflags) : : "memory");
	wr(UART_FCR, FCR_LIB);
	wr(UART_IER, IER_ERBFI);
	keel_send((const u8 *)"abc", 3);
	irqs = irqs_in_window();
	iir = rd(UART_IIR);
	for (unsigned int i = 0; i < 3; i++)
		got[i] = rd(UART_RBR);
	iir_end = rd(UART_IIR);
	wr(UART_IER, 0);
	ioapic_write(IOAPIC_REDTBL(COM1_PIN), IOAPIC_RTE_MASKED);
	__asm__ volatile("pushl %0; popfl" : : "r"(eflags) : "memory", "cc");
	report("uart_rx_irq",
	       irqs == 1 && iir == (IIR_FIFO | IIR_CTI) && got[0] == 'a' &&
		       got[1] == 'b' && got[2] == 'c' &&
		       iir_end == (IIR_FIFO | IIR_NO_INT),
	       "irqs %u IIR %02x then %02x, read %02x %02x %02x", irqs, iir,
	       iir_end, got[0], got[1], got[2]);

	for (unsigned int i = 0; i < sizeof(big); i++)
		big[i] = (u8)(i * 13 + 5);
	keel_send(big, COM1_HOLDS);
	n = drain(big, &bad, &lsr_or);
	report("uart_rx_order", n == COM1_HOLDS && !bad && !(lsr_or & LSR_OE),
	       "%u of %u bytes, %u wrong, LSR %02x", n, COM1_HOLDS, bad,
	       lsr_or);
	/* One byte more than Keel holds: that one is lost, and said so. */
	keel_send(big, COM1_HOLDS + 1);
	lsr_first = rd(UART_LSR);
	n = drain(big, &bad, &lsr_or);
	report("uart_rx_overrun",
	       (lsr_first & LSR_OE) && n == COM1_HOLDS && !bad &&
		       !(lsr_or & LSR_OE),
	       "LSR %02x, then %u bytes, %u wrong", lsr_first, n, bad);
}

void test_uart(void)
{
	check_scratch();
	check_dlab();
	check_loopback_msr();
	check_fifo_detect();
	check_loopback_data();
	check_thre_irq();
	check_rx();
}
