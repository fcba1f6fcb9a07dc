// SPDX-License-Identifier: MIT
/*
 * Test guest runtime: COM1 output, a small printf, the IDT, the fault
 * catcher, hypercalls and the result summary.
 */
#include "guest.h"

/* ---- 16550 UART, polled (TX waits for THRE, LSR bit 5) ---- */
#define UART_THR 0
#define UART_IER 1
#define UART_FCR 2
#define UART_LCR 3
#define UART_MCR 4
#define UART_LSR 5
#define UART_DLL 0
#define UART_DLM 1
#define LCR_DLAB 0x80
#define LCR_8N1 0x03
#define LSR_THRE 0x20

void serial_init(void)
{
	outb(COM1 + UART_IER, 0);
	outb(COM1 + UART_LCR, LCR_DLAB);
	outb(COM1 + UART_DLL, 1); /* 115200 baud */
	outb(COM1 + UART_DLM, 0);
	outb(COM1 + UART_LCR, LCR_8N1);
	outb(COM1 + UART_FCR, 0xc7); /* enable and clear FIFOs */
	outb(COM1 + UART_MCR, 0x0b); /* DTR, RTS, OUT2 */
}

void serial_putc(char c)
{
	/* Bounded: a missing UART must not hang the guest. */
	for (int i = 0; i < 100000; i++)
		if (inb(COM1 + UART_LSR) & LSR_THRE)
			break;
	outb(COM1 + UART_THR, (u8)c);
}

void kputs(const char *s)
{
	for (; *s; s++) {
		if (*s == '\n')
			serial_putc('\r');
		serial_putc(*s);
	}
}

void *memset(void *d, int c, size_t n)
{
	u8 *p = d;

	while (n--)
		*p++ = (u8)c;
	return d;
}

void *memcpy(void *d, const void *s, size_t n)
{
	u8 *p = d;
	const u8 *q = s;

	while (n--)
		*p++ = *q++;
	return d;
}

int memcmp(const void *a, const void *b, size_t n)
{
	const u8 *p = a, *q = b;

	for (; n; n--, p++, q++)
		if (*p != *q)
			return *p - *q;
	return 0;
}

size_t strlen(const char *s)
{
	size_t n = 0;

	while (s[n])
		n++;
	return n;
}

/* u64 by 10 without libgcc: shift-and-subtract long division. */
static u64 divmod10(u64 n, u32 *rem)
{
	u64 q = 0, r = 0;

	for (int i = 63; i >= 0; i--) {
		r = (r << 1) | ((n >> i) & 1);
		if (r >= 10) {
			r -= 10;
			q |= 1ULL << i;
		}
	}
	*rem = (u32)r;
	return q;
}

struct outbuf {
	char *buf;
	size_t size, len;
};

static void emit(struct outbuf *o, char c)
{
	if (o->len + 1 < o->size)
		o->buf[o->len] = c;
	o->len++;
}

static void emit_num(struct outbuf *o, u64 v, unsigned int base, int width,
		     char pad, bool neg)
{
	char tmp[24];
	int n = 0;

	do {
		u32 d;

		if (base == 16) {
			d = v & 15;
			v >>= 4;
		} else {
			v = divmod10(v, &d);
		}
		tmp[n++] = "0123456789abcdef"[d];
	} while (v);
	if (neg)
		tmp[n++] = '-';
	while (n < width--)
		emit(o, pad);
	while (n)
		emit(o, tmp[--n]);
}

int kvsnprintf(char *buf, size_t size, const char *fmt, va_list ap)
{
	struct outbuf o = { buf, size, 0 };

	for (; *fmt; fmt++) {
		int width = 0, lng = 0;
		char pad = ' ';

		if (*fmt != '%') {
			emit(&o, *fmt);
			continue;
		}
		fmt++;
		if (*fmt == '0')
			pad = '0';
		while (*fmt >= '0' && *fmt <= '9')
			width = width * 10 + (*fmt++ - '0');
		while (*fmt == 'l') {
			lng++;
			fmt++;
		}
		switch (*fmt) {
		case 's': {
			const char *s = va_arg(ap, const char *);

			for (s = s ? s : "(null)"; *s; s++)
				emit(&o, *s);
			break;
		}
		case 'c':
			emit(&o, (char)va_arg(ap, int));
			break;
		case 'd': {
			s32 v = va_arg(ap, s32);

			emit_num(&o, v < 0 ? -(u64)(s32)v : (u64)v, 10, width,
				 pad, v < 0);
			break;
		}
		case 'u':
		case 'x': {
			u64 v = lng >= 2 ? va_arg(ap, u64) : va_arg(ap, u32);

			emit_num(&o, v, *fmt == 'x' ? 16 : 10, width, pad,
				 false);
			break;
		}
		case '%':
			emit(&o, '%');
			break;
		default:
			emit(&o, '?');
			break;
		}
	}
	if (size)
		buf[o.len < size ? o.len : size - 1] = 0;
	return (int)o.len;
}

int kprintf(const char *fmt, ...)
{
	char buf[256];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = kvsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	kputs(buf);
	return n;
}

/* Find "key=value" in a whitespace-separated command line. */
bool cmdline_value(const char *cmdline, const char *key, char *out,
		   size_t outsz)
{
	size_t klen = strlen(key);
	const char *p = cmdline;

	if (!p)
		return false;
	while (*p) {
		while (*p == ' ')
			p++;
		if (!memcmp(p, key, klen) && p[klen] == '=') {
			size_t n = 0;

			p += klen + 1;
			while (p[n] && p[n] != ' ' && n + 1 < outsz) {
				out[n] = p[n];
				n++;
			}
			out[n] = 0;
			return true;
		}
		while (*p && *p != ' ')
			p++;
	}
	return false;
}

/* ---- Results ---- */
static u32 n_pass, n_fail;

void report_va(const char *suite, const char *name, bool pass, const char *fmt,
	       va_list ap)
{
	char detail[160];

	detail[0] = 0;
	if (fmt)
		kvsnprintf(detail, sizeof(detail), fmt, ap);
	if (pass)
		n_pass++;
	else
		n_fail++;
	kprintf("TEST %s.%s %s%s%s\n", suite, name, pass ? "PASS" : "FAIL",
		detail[0] ? " " : "", detail);
}

void report(const char *name, bool pass, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	report_va("guest", name, pass, fmt, ap);
	va_end(ap);
}

void report_skip(const char *name, const char *why)
{
	kprintf("TEST guest.%s SKIP %s\n", name, why);
}

void finish(void)
{
	kprintf("TESTS: %u passed, %u failed\n", n_pass, n_fail);
	guest_exit(n_fail ? 1 : 0);
}

void guest_exit(u32 status)
{
	struct hc_regs r = { .eax = KEEL_HC_EXIT, .ebx = status };

	/* Under Keel the hypercall does not return. */
	vmcall(&r);
	/* No hypervisor: the ISA debug-exit device (QEMU), else halt. */
	outb(KEEL_DEBUG_EXIT_PORT, (u8)status);
	for (;;)
		__asm__ volatile("cli; hlt");
}

/* ---- Hypercalls ---- */
int vmcall(struct hc_regs *r)
{
	fault_arm();
	__asm__ volatile("movl $1f, %[res]\n\t"
			 "vmcall\n"
			 "1:"
			 : "+a"(r->eax), "+b"(r->ebx), "+c"(r->ecx),
			   "+d"(r->edx), "+S"(r->esi),
			   "+D"(r->edi), [res] "=m"(fault.resume)
			 :
			 : "memory");
	return fault_disarm() == NO_FAULT ? 0 : -1;
}

bool keel_present(void)
{
	struct cpuid_regs r = cpuid(KEEL_CPUID_LEAF_SIGNATURE, 0);

	return r.ebx == KEEL_CPUID_SIGNATURE_REG &&
	       r.ecx == KEEL_CPUID_SIGNATURE_REG &&
	       r.edx == KEEL_CPUID_SIGNATURE_REG;
}

/* ---- IDT ---- */
struct idt_gate {
	u16 off_lo, sel;
	u8 zero, type; /* 0x8e: present, DPL 0, 32-bit interrupt gate */
	u16 off_hi;
} __attribute__((packed));

struct idt_desc {
	u16 limit;
	u32 base;
} __attribute__((packed));

static struct idt_gate idt[256] __attribute__((aligned(8)));
extern const u32 exc_stubs[32];
struct fault_state fault;
volatile u32 pit_ticks;
volatile u32 test_irq_count;

void idt_set_gate(unsigned int vec, void (*handler)(void))
{
	u32 a = (u32)handler;

	if (vec >= sizeof(idt) / sizeof(idt[0]))
		return;
	idt[vec] = (struct idt_gate){ (u16)a, 0x08, 0, 0x8e, (u16)(a >> 16) };
}

/* Task gate: present, DPL 0, type 5; the offset is unused. */
#define IDT_TASK_GATE 0x85

void idt_set_task_gate(unsigned int vec, u16 sel)
{
	if (vec >= sizeof(idt) / sizeof(idt[0]))
		return;
	idt[vec] = (struct idt_gate){ 0, sel, 0, IDT_TASK_GATE, 0 };
}

static void lidt(const void *base, u16 limit)
{
	struct idt_desc d = { limit, (u32)base };

	__asm__ volatile("lidt %0" : : "m"(d));
}

void idt_init(void)
{
	for (unsigned int v = 0; v < 32; v++)
		idt_set_gate(v, (void (*)(void))exc_stubs[v]);
	lidt(idt, sizeof(idt) - 1);
}

/*
 * 8259A PICs: remap IRQs 0-15 to vectors 0x20-0x2f (away from the
 * exception vectors a BIOS leaves them on) and mask them all; tests unmask
 * what they use. ICW1-ICW4 as in the 8259A data sheet.
 */
#define PIC1_CMD 0x20
#define PIC1_DATA 0x21
#define PIC2_CMD 0xa0
#define PIC2_DATA 0xa1

void irq0_stub(void);
void irq_spurious_stub(void);

void pic_init(void)
{
	outb(PIC1_CMD, 0x11); /* ICW1: edge, cascade, ICW4 follows */
	outb(PIC2_CMD, 0x11);
	outb(PIC1_DATA, 0x20); /* ICW2: vector base */
	outb(PIC2_DATA, 0x28);
	outb(PIC1_DATA, 4); /* ICW3: slave on IRQ2 */
	outb(PIC2_DATA, 2);
	outb(PIC1_DATA, 1); /* ICW4: 8086 mode */
	outb(PIC2_DATA, 1);
	outb(PIC1_DATA, 0xff);
	outb(PIC2_DATA, 0xff);
	for (unsigned int v = 0x21; v < 0x30; v++)
		idt_set_gate(v, irq_spurious_stub);
	idt_set_gate(0x20, irq0_stub);
}

void idt_load_empty(void)
{
	lidt(0, 0);
}

static const char *const exc_names[32] = {
	[0] = "#DE",  [1] = "#DB",  [2] = "NMI",  [3] = "#BP",	[4] = "#OF",
	[5] = "#BR",  [6] = "#UD",  [7] = "#NM",  [8] = "#DF",	[10] = "#TS",
	[11] = "#NP", [12] = "#SS", [13] = "#GP", [14] = "#PF", [16] = "#MF",
	[17] = "#AC", [18] = "#MC", [19] = "#XM",
};

void exc_handler(struct exc_frame *f)
{
	if (fault.armed) {
		fault.vector = f->vector;
		fault.error = f->error;
		fault.eflags = f->eflags;
		fault.armed = 0;
		f->eip = fault.resume;
		return;
	}
	report("unexpected_exception", false,
	       "vector=%u(%s) error=0x%x eip=0x%x", f->vector,
	       exc_names[f->vector & 31] ? exc_names[f->vector & 31] : "?",
	       f->error, f->eip);
	finish();
}

/* u64 / u32 without libgcc (the guest links no runtime library). */
u64 udiv64(u64 n, u32 d)
{
	u64 q = 0, r = 0;

	if (!d)
		return ~0ULL;
	for (int i = 63; i >= 0; i--) {
		r = (r << 1) | ((n >> i) & 1);
		if (r >= d) {
			r -= d;
			q |= 1ULL << i;
		}
	}
	return q;
}
