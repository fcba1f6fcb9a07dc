// SPDX-License-Identifier: MIT
/*
 * printk and panic. Formatting goes through a stack buffer so a line reaches
 * each sink in one write; Keel is single-threaded, so no lock is needed.
 * Every line goes to every registered sink (the back ends console= lists:
 * the UART, the framebuffer), in the order they registered.
 */
#include "core/arch_hooks.h"
#include "core/console.h"
#include "core/lib.h"

#define PRINTK_BUF 512
/* Ends a line too long for the buffer, so it never runs into the next. */
#define PRINTK_CUT " [...cut]\n"

static const struct console_sink *sinks[CONSOLE_MAX_SINKS];
static unsigned int n_sinks;
static int log_level = LOG_INFO;
/* The last byte written ended a line: the next write starts a new one. */
static bool at_line_start = true;

void console_register(const struct console_sink *s)
{
	for (unsigned int i = 0; i < n_sinks; i++)
		if (sinks[i] == s)
			return;
	if (n_sinks < CONSOLE_MAX_SINKS)
		sinks[n_sinks++] = s;
}

void console_set_level(int level)
{
	log_level = level;
}

void console_write(const char *s, size_t n)
{
	for (unsigned int i = 0; i < n_sinks; i++)
		sinks[i]->write(s, n);
	if (n)
		at_line_start = s[n - 1] == '\n';
}

bool console_at_line_start(void)
{
	return at_line_start;
}

static int vprint_line(const char *fmt, va_list ap)
{
	char buf[PRINTK_BUF];
	int n = kvsnprintf(buf, sizeof(buf), fmt, ap);

	if ((size_t)n < sizeof(buf)) {
		console_write(buf, (size_t)n);
		return n;
	}
	console_write(buf, sizeof(buf) - 1);
	console_write(PRINTK_CUT, sizeof(PRINTK_CUT) - 1);
	return n;
}

int vprintk(int level, const char *fmt, va_list ap)
{
	if (level > log_level)
		return 0;
	return vprint_line(fmt, ap);
}

int printk(int level, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vprintk(level, fmt, ap);
	va_end(ap);
	return n;
}

int printf(const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vprint_line(fmt, ap);
	va_end(ap);
	return n;
}

void panic(const char *fmt, ...)
{
	va_list ap;

	console_write("keel: PANIC: ", 13);
	va_start(ap, fmt);
	vprint_line(fmt, ap);
	va_end(ap);
	console_write("\n", 1);
	arch_dump_backtrace(__builtin_frame_address(0));
	arch_halt_forever();
}
