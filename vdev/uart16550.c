// SPDX-License-Identifier: MIT
/*
 * The guest's 16550 register model (vdev/uart16550.h). Section and table
 * numbers are those of the National Semiconductor PC16550D datasheet
 * (June 1995): registers and their reset values in table 2 and table 5,
 * the interrupt sources and their priorities in table 4, the FIFO in
 * section 8.4, loopback in section 8.6 (MCR bit 4).
 */
#include "core/lib.h"
#include "drivers/uart/uart_regs.h"
#include "vdev/uart16550.h"

/* Modem lines seen from Keel's side: a ready peer with carrier. */
#define LINES_READY (UART_MSR_CTS | UART_MSR_DSR | UART_MSR_DCD)

static bool fifo_mode(const struct u16550 *u)
{
	return u->fcr & UART_FCR_ENABLE;
}

static bool loopback(const struct u16550 *u)
{
	return u->mcr & UART_MCR_LOOP;
}

/* FCR bits 7:6, table 7 (FCR): RCVR FIFO trigger level in bytes. */
static unsigned int rx_trigger(const struct u16550 *u)
{
	static const u8 level[4] = { 1, 4, 8, 14 };

	return level[FIELD_GET(UART_FCR_TRIGGER, u->fcr)];
}

/* The receiver holds 16 bytes in FIFO mode, one (RBR) in 16450 mode. */
static unsigned int rx_capacity(const struct u16550 *u)
{
	return fifo_mode(u) ? UART_FIFO_SIZE : 1;
}

/*
 * A break (like parity and framing errors) belongs to its character and is
 * revealed when that character reaches the top of the FIFO (LSR4).
 */
static void rx_reveal_top(struct u16550 *u)
{
	if (u->rx_count && (u->rx[u->rx_head] & U16550_BREAK))
		u->lsr_err |= UART_LSR_BI;
}

/*
 * A character arrives from the line (or the transmitter, in loopback).
 * With no room it overruns (LSR1): in FIFO mode the new character is lost
 * and the FIFO kept; in 16450 mode it overwrites the unread one.
 */
static void rx_push(struct u16550 *u, u16 entry)
{
	if (u->rx_count < rx_capacity(u)) {
		u->rx[(u->rx_head + u->rx_count) % UART_FIFO_SIZE] = entry;
		if (++u->rx_count == 1)
			rx_reveal_top(u);
		return;
	}
	u->lsr_err |= UART_LSR_OE;
	if (!fifo_mode(u)) {
		u->rx[u->rx_head] = entry;
		rx_reveal_top(u);
	}
}

/* Move Keel's queued input into the FIFO while it has room. In loopback
 * the receiver is cut off from the line (section 8.6): input waits. */
static void rx_refill(struct u16550 *u)
{
	if (loopback(u))
		return;
	while (u->in_count && u->rx_count < rx_capacity(u)) {
		rx_push(u, u->in[u->in_head]);
		u->in_head = (u->in_head + 1) % U16550_INPUT_SIZE;
		u->in_count--;
	}
}

static u8 rx_pop(struct u16550 *u)
{
	if (!u->rx_count)
		return u->rbr;
	u->rbr = (u8)u->rx[u->rx_head];
	u->rx_head = (u->rx_head + 1) % UART_FIFO_SIZE;
	u->rx_count--;
	rx_reveal_top(u);
	rx_refill(u);
	return u->rbr;
}

static void rx_clear(struct u16550 *u)
{
	u->rx_head = 0;
	u->rx_count = 0;
}

static u8 lsr_value(const struct u16550 *u)
{
	/* The transmitter sends at once: THR and the shift register are
	 * empty whenever the guest looks. */
	u8 lsr = u->lsr_err | UART_LSR_THRE | UART_LSR_TEMT;

	if (u->rx_count)
		lsr |= UART_LSR_DR;
	if (fifo_mode(u)) {
		for (unsigned int i = 0; i < u->rx_count; i++)
			if (u->rx[(u->rx_head + i) % UART_FIFO_SIZE] &
			    U16550_BREAK)
				lsr |= UART_LSR_FIFOE;
	}
	return lsr;
}

/* The highest-priority pending interrupt enabled in IER (table 4). */
static u8 int_id(const struct u16550 *u)
{
	if ((u->ier & UART_IER_ELSI) && u->lsr_err)
		return UART_IIR_RLS;
	if ((u->ier & UART_IER_ERBFI) && u->rx_count) {
		/* Below the trigger level, the timeout reports the rest. */
		if (fifo_mode(u) && u->rx_count < rx_trigger(u))
			return UART_IIR_CTI;
		return UART_IIR_RDA;
	}
	if ((u->ier & UART_IER_ETBEI) && u->thr_int)
		return UART_IIR_THRE;
	if ((u->ier & UART_IER_EDSSI) && (u->msr & UART_MSR_DELTA))
		return UART_IIR_MSI;
	return UART_IIR_NO_INT;
}

/*
 * On a PC the UART's INTR reaches the interrupt controller only through a
 * buffer enabled by the OUT2 output; loopback forces the outputs inactive
 * (section 8.6), so no interrupt leaves the chip then.
 */
static void irq_update(struct u16550 *u)
{
	bool level = int_id(u) != UART_IIR_NO_INT && (u->mcr & UART_MCR_OUT2) &&
		     !loopback(u);

	if (level == u->irq)
		return;
	u->irq = level;
	if (u->ops && u->ops->irq)
		u->ops->irq(u->ctx, level);
}

/* In loopback the MCR outputs drive the MSR inputs (section 8.6):
 * RTS->CTS, DTR->DSR, OUT1->RI, OUT2->DCD. */
static u8 lines_now(const struct u16550 *u)
{
	u8 l = 0;

	if (!loopback(u))
		return u->lines;
	if (u->mcr & UART_MCR_RTS)
		l |= UART_MSR_CTS;
	if (u->mcr & UART_MCR_DTR)
		l |= UART_MSR_DSR;
	if (u->mcr & UART_MCR_OUT1)
		l |= UART_MSR_RI;
	if (u->mcr & UART_MCR_OUT2)
		l |= UART_MSR_DCD;
	return l;
}

/* Latch the delta bits (MSR 0-3) for lines that changed. TERI is set
 * only when RI goes from active to inactive. */
static void msr_update(struct u16550 *u)
{
	u8 now = lines_now(u), old = u->msr & ~UART_MSR_DELTA;
	u8 changed = now ^ old, delta = 0;

	if (changed & UART_MSR_CTS)
		delta |= UART_MSR_DCTS;
	if (changed & UART_MSR_DSR)
		delta |= UART_MSR_DDSR;
	if ((changed & UART_MSR_RI) && !(now & UART_MSR_RI))
		delta |= UART_MSR_TERI;
	if (changed & UART_MSR_DCD)
		delta |= UART_MSR_DDCD;
	u->msr = (u8)((u->msr & UART_MSR_DELTA) | delta | now);
}

void u16550_init(struct u16550 *u, const struct u16550_ops *ops, void *ctx)
{
	memset(u, 0, sizeof(*u));
	u->ops = ops;
	u->ctx = ctx;
	u->lines = LINES_READY;
	u->msr = LINES_READY;
}

static void write_fcr(struct u16550 *u, u8 val)
{
	/* Switching between FIFO and 16450 mode empties the FIFOs; with
	 * FCR0 clear the other bits are not programmed (table 7). */
	if ((val ^ u->fcr) & UART_FCR_ENABLE)
		rx_clear(u);
	if (!(val & UART_FCR_ENABLE)) {
		u->fcr = 0;
	} else {
		if (val & UART_FCR_CLEAR_RX)
			rx_clear(u);
		u->fcr = val &
			 (UART_FCR_ENABLE | UART_FCR_DMA | UART_FCR_TRIGGER);
	}
	rx_refill(u);
}

static void write_thr(struct u16550 *u, u8 c)
{
	if (loopback(u))
		rx_push(u, c);
	else if (u->ops && u->ops->tx)
		u->ops->tx(u->ctx, c);
	/* Sent at once: THR is empty again. */
	u->thr_int = true;
}

void u16550_write(struct u16550 *u, unsigned int reg, u8 val)
{
	bool dlab = u->lcr & UART_LCR_DLAB;
	u8 old;

	switch (reg) {
	case UART_THR:
		if (dlab)
			u->dll = val;
		else
			write_thr(u, val);
		break;
	case UART_IER:
		if (dlab) {
			u->dlm = val;
			break;
		}
		old = u->ier;
		u->ier = val & UART_IER_MASK;
		/* Enabling it while THR is empty raises THRE at once, as a
		 * real 16550 does (Linux's THRE test relies on it). */
		if (!(old & UART_IER_ETBEI) && (u->ier & UART_IER_ETBEI))
			u->thr_int = true;
		break;
	case UART_FCR:
		write_fcr(u, val);
		break;
	case UART_LCR:
		old = u->lcr;
		u->lcr = val;
		/* Setting break in loopback: the receiver sees it. */
		if (loopback(u) && !(old & UART_LCR_SBC) &&
		    (val & UART_LCR_SBC))
			rx_push(u, U16550_BREAK);
		break;
	case UART_MCR:
		u->mcr = val & UART_MCR_MASK;
		msr_update(u);
		rx_refill(u);
		break;
	case UART_SCR:
		u->scr = val;
		break;
	default: /* LSR and MSR writes are for factory test: ignored */
		break;
	}
	irq_update(u);
}

static u8 read_iir(struct u16550 *u)
{
	u8 id = int_id(u);

	/* Reading IIR while THRE is the source clears it (table 4). */
	if (id == UART_IIR_THRE)
		u->thr_int = false;
	return id | (fifo_mode(u) ? UART_IIR_FIFO : 0);
}

static u8 read_reg(struct u16550 *u, unsigned int reg)
{
	bool dlab = u->lcr & UART_LCR_DLAB;
	u8 val;

	switch (reg) {
	case UART_RBR:
		return dlab ? u->dll : rx_pop(u);
	case UART_IER:
		return dlab ? u->dlm : u->ier;
	case UART_IIR:
		return read_iir(u);
	case UART_LCR:
		return u->lcr;
	case UART_MCR:
		return u->mcr;
	case UART_LSR:
		val = lsr_value(u);
		u->lsr_err = 0;
		return val;
	case UART_MSR:
		val = u->msr;
		u->msr &= ~UART_MSR_DELTA;
		return val;
	case UART_SCR:
		return u->scr;
	}
	return 0xff;
}

u8 u16550_read(struct u16550 *u, unsigned int reg)
{
	u8 val = read_reg(u, reg);

	irq_update(u);
	return val;
}

static bool input_one(struct u16550 *u, u16 entry)
{
	if (u->in_count == U16550_INPUT_SIZE) {
		u->dropped++;
		u->lsr_err |= UART_LSR_OE;
		return false;
	}
	u->in[(u->in_head + u->in_count) % U16550_INPUT_SIZE] = entry;
	u->in_count++;
	rx_refill(u);
	return true;
}

size_t u16550_input(struct u16550 *u, const u8 *buf, size_t n)
{
	size_t queued = 0;

	for (size_t i = 0; i < n; i++)
		queued += input_one(u, buf[i]);
	irq_update(u);
	return queued;
}

bool u16550_input_break(struct u16550 *u)
{
	bool ok = input_one(u, U16550_BREAK);

	irq_update(u);
	return ok;
}

void u16550_set_lines(struct u16550 *u, u8 lines)
{
	u->lines = lines & ~UART_MSR_DELTA;
	msr_update(u);
	irq_update(u);
}
