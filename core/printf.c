// SPDX-License-Identifier: MIT
/*
 * A small vsnprintf: %d %i %u %x %X %o %p %s %c %%, with the flags '-', '0',
 * '+', ' ', '#', a width and precision (also '*'), and the length modifiers
 * hh h l ll z t j. Output is always NUL-terminated when size > 0, and the
 * return value is the length the full output would have, as in C11.
 */
#include "core/lib.h"

struct out {
	char *buf;
	size_t size;
	size_t len;
};

struct spec {
	bool left, zero, plus, space, alt;
	int width;
	int prec; /* -1: none */
	int lenmod; /* 0 int, 1 long, 2 long long, -1 short, -2 char */
};

static void put(struct out *o, char c)
{
	if (o->len + 1 < o->size)
		o->buf[o->len] = c;
	o->len++;
}

static void pad(struct out *o, char c, int n)
{
	while (n-- > 0)
		put(o, c);
}

static void put_str(struct out *o, const struct spec *sp, const char *s)
{
	size_t n;

	if (!s)
		s = "(null)";
	n = sp->prec >= 0 ? strnlen(s, (size_t)sp->prec) : strlen(s);
	if (!sp->left)
		pad(o, ' ', sp->width - (int)n);
	for (size_t i = 0; i < n; i++)
		put(o, s[i]);
	if (sp->left)
		pad(o, ' ', sp->width - (int)n);
}

static void put_num(struct out *o, const struct spec *sp, u64 v, bool neg,
		    unsigned int base, bool upper)
{
	const char *digits = upper ? "0123456789ABCDEF" : "0123456789abcdef";
	char tmp[24];
	int n = 0, zeros, len;
	const char *prefix = "";
	bool zero = v == 0;

	do {
		tmp[n++] = digits[v % base];
		v /= base;
	} while (v);
	if (sp->prec == 0 && n == 1 && tmp[0] == '0')
		n = 0;
	if (neg)
		prefix = "-";
	else if (sp->plus && base == 10)
		prefix = "+";
	else if (sp->space && base == 10)
		prefix = " ";
	else if (sp->alt && base == 16 && !zero)
		prefix = upper ? "0X" : "0x";
	else if (sp->alt && base == 8 && !(n && tmp[n - 1] == '0'))
		prefix = "0";

	zeros = sp->prec > n ? sp->prec - n : 0;
	len = (int)strlen(prefix) + zeros + n;
	if (sp->zero && !sp->left && sp->prec < 0 && sp->width > len) {
		zeros += sp->width - len;
		len = sp->width;
	}
	if (!sp->left)
		pad(o, ' ', sp->width - len);
	for (const char *p = prefix; *p; p++)
		put(o, *p);
	pad(o, '0', zeros);
	while (n)
		put(o, tmp[--n]);
	if (sp->left)
		pad(o, ' ', sp->width - len);
}

static const char *parse_spec(const char *f, struct spec *sp, va_list *ap)
{
	memset(sp, 0, sizeof(*sp));
	sp->prec = -1;
	for (;; f++) {
		if (*f == '-')
			sp->left = true;
		else if (*f == '0')
			sp->zero = true;
		else if (*f == '+')
			sp->plus = true;
		else if (*f == ' ')
			sp->space = true;
		else if (*f == '#')
			sp->alt = true;
		else
			break;
	}
	if (*f == '*') {
		sp->width = va_arg(*ap, int);
		if (sp->width < 0) {
			sp->left = true;
			sp->width = -sp->width;
		}
		f++;
	} else {
		while (*f >= '0' && *f <= '9')
			sp->width = sp->width * 10 + (*f++ - '0');
	}
	if (*f == '.') {
		f++;
		sp->prec = 0;
		if (*f == '*') {
			sp->prec = va_arg(*ap, int);
			if (sp->prec < 0)
				sp->prec = -1;
			f++;
		} else {
			while (*f >= '0' && *f <= '9')
				sp->prec = sp->prec * 10 + (*f++ - '0');
		}
	}
	for (;; f++) {
		if (*f == 'l')
			sp->lenmod = sp->lenmod == 1 ? 2 : 1;
		else if (*f == 'h')
			sp->lenmod = sp->lenmod == -1 ? -2 : -1;
		else if (*f == 'z' || *f == 't' || *f == 'j')
			sp->lenmod = 2;
		else
			break;
	}
	return f;
}

static u64 get_unsigned(const struct spec *sp, va_list *ap)
{
	switch (sp->lenmod) {
	case 2:
		return va_arg(*ap, unsigned long long);
	case 1:
		return va_arg(*ap, unsigned long);
	case -1:
		return (unsigned short)va_arg(*ap, unsigned int);
	case -2:
		return (unsigned char)va_arg(*ap, unsigned int);
	default:
		return va_arg(*ap, unsigned int);
	}
}

static s64 get_signed(const struct spec *sp, va_list *ap)
{
	switch (sp->lenmod) {
	case 2:
		return va_arg(*ap, long long);
	case 1:
		return va_arg(*ap, long);
	case -1:
		return (short)va_arg(*ap, int);
	case -2:
		return (signed char)va_arg(*ap, int);
	default:
		return va_arg(*ap, int);
	}
}

static void convert(struct out *o, char c, struct spec *sp, va_list *ap)
{
	s64 sv;
	char ch;

	switch (c) {
	case 'd':
	case 'i':
		sv = get_signed(sp, ap);
		put_num(o, sp, sv < 0 ? -(u64)sv : (u64)sv, sv < 0, 10, false);
		break;
	case 'u':
		put_num(o, sp, get_unsigned(sp, ap), false, 10, false);
		break;
	case 'x':
	case 'X':
		put_num(o, sp, get_unsigned(sp, ap), false, 16, c == 'X');
		break;
	case 'o':
		put_num(o, sp, get_unsigned(sp, ap), false, 8, false);
		break;
	case 'p':
		sp->alt = true;
		put_num(o, sp, (u64)(uintptr_t)va_arg(*ap, void *), false, 16,
			false);
		break;
	case 's':
		put_str(o, sp, va_arg(*ap, const char *));
		break;
	case 'c':
		ch = (char)va_arg(*ap, int);
		if (!sp->left)
			pad(o, ' ', sp->width - 1);
		put(o, ch);
		if (sp->left)
			pad(o, ' ', sp->width - 1);
		break;
	default:
		/* Unknown conversion: print it verbatim so the bug is visible. */
		put(o, '%');
		if (c)
			put(o, c);
		break;
	}
}

int kvsnprintf(char *buf, size_t size, const char *fmt, va_list ap)
{
	struct out o = { .buf = buf, .size = size, .len = 0 };
	struct spec sp;
	va_list aq;

	va_copy(aq, ap);
	while (*fmt) {
		if (*fmt != '%') {
			put(&o, *fmt++);
			continue;
		}
		fmt++;
		if (*fmt == '%') {
			put(&o, *fmt++);
			continue;
		}
		fmt = parse_spec(fmt, &sp, &aq);
		convert(&o, *fmt, &sp, &aq);
		if (*fmt)
			fmt++;
	}
	va_end(aq);
	if (size)
		buf[o.len < size ? o.len : size - 1] = '\0';
	return (int)o.len;
}

int ksnprintf(char *buf, size_t size, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = kvsnprintf(buf, size, fmt, ap);
	va_end(ap);
	return n;
}
