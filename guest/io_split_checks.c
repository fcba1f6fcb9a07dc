// SPDX-License-Identifier: MIT
/*
 * IN/OUT across a device's edge (vm/pio_split.h): each byte goes to
 * whoever decodes it, as on a PC; a byte nobody decodes reads FFh and its
 * write is lost. The ELCR (4D0h-4D1h, passed through) read as a dword
 * runs into two ports nobody decodes; COM1's scratch register (3FFh,
 * Keel's UART) is the last port of an emulated device.
 */
#include "checks.h"

#define ELCR1 0x4d0 /* PIIX/ICH edge/level control, IRQ 0-7 */
#define ELCR2 0x4d1
#define ELCR_IRQ5 BIT(5) /* writable on PIIX and ICH; no device uses it */
#define COM1_SCR 0x3ff /* 16550 scratch register, then 400h: nobody */
#define SPLIT_JUNK 0xabcd0000u

static void check_elcr_dword(void)
{
	u8 e1 = inb(ELCR1), e2 = inb(ELCR2), back;
	u32 d = inl(ELCR1);
	u16 w = inw(ELCR1 + 1);

	/* The write's low byte changes IRQ 5's bit; the high half is lost. */
	outl(ELCR1, SPLIT_JUNK | (u32)e2 << 8 | (e1 ^ ELCR_IRQ5));
	back = inb(ELCR1);
	outb(ELCR1, e1);
	report("io_split_elcr_dword",
	       d == (0xffff0000u | (u32)e2 << 8 | e1) && w == (0xff00 | e2) &&
		       back == (e1 ^ ELCR_IRQ5) && inb(ELCR1) == e1 &&
		       inb(ELCR2) == e2,
	       "elcr 0x%x 0x%x: inl 0x%x, inw(4d1) 0x%x, after outl 0x%x", e1,
	       e2, d, w, back);
}

static void check_uart_edge(void)
{
	u8 old = inb(COM1_SCR);
	u16 w, s = 0;
	u16 *dst = &s;

	outw(COM1_SCR, 0x12a5);
	w = inw(COM1_SCR);
	/* The string form takes the same path. */
	__asm__ volatile("insw" : "+D"(dst) : "d"(COM1_SCR) : "memory");
	outb(COM1_SCR, old);
	report("io_split_uart_scratch",
	       w == 0xffa5 && s == 0xffa5 && dst == &s + 1,
	       "inw 0x%x, insw 0x%x", w, s);
}

/* Keel's decode is under test: QEMU's own differs (its ELCR takes a
 * dword write's high bytes), so without Keel the checks are skipped. */
void test_io_split(void)
{
	if (!keel_present()) {
		report_skip("io_split_elcr_dword", "needs Keel's port decode");
		report_skip("io_split_uart_scratch",
			    "needs Keel's port decode");
		return;
	}
	check_elcr_dword();
	check_uart_edge();
}
