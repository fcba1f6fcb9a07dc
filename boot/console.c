// SPDX-License-Identifier: MIT
/*
 * The console back ends console= chooses from, as a small registry below
 * core/console.c: each starts its device and registers a sink, or says why
 * it cannot. Nothing here runs before the command line is parsed, so
 * console=none never touches a serial port. docs/console-fb.md.
 */
#include "core/console.h"
#include "core/lib.h"
#include "boot/options.h"
#include "drivers/fb/fbcon.h"
#include "drivers/uart/uart.h"
#include "shell/shell.h"

#define WHY_MAX 160

struct console_backend {
	const char *name;
	u32 bit; /* CONSOLE_BE_* */
	int (*start)(const struct boot_info *bi, const struct console_opt *c,
		     char *why, size_t why_size);
};

static void uart_sink_write(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		if (s[i] == '\n')
			uart_putc('\r');
		uart_putc(s[i]);
	}
}

static const struct console_sink uart_sink = { .write = uart_sink_write };

static int serial_start(const struct boot_info *bi, const struct console_opt *c,
			char *why, size_t why_size)
{
	uart_init(c->port, c->baud);
	console_register(&uart_sink);
	return 0;
}

static int fb_start(const struct boot_info *bi, const struct console_opt *c,
		    char *why, size_t why_size)
{
	int rc = fbcon_start(bi, why, why_size);

	/* The keyboard behind the screen is the shell's input too. */
	if (!rc)
		shell_use_keyboard();
	return rc;
}

static const struct console_backend backends[] = {
	{ "serial", CONSOLE_BE_SERIAL, serial_start },
	{ "fb", CONSOLE_BE_FB, fb_start },
};

static struct {
	const char *name;
	char why[WHY_MAX];
} refused[ARRAY_SIZE(backends)];
static unsigned int n_refused;

void console_start(const struct boot_info *bi, const struct console_opt *c)
{
	for (unsigned int i = 0; i < ARRAY_SIZE(backends); i++) {
		const struct console_backend *b = &backends[i];

		if (!(c->backends & b->bit) ||
		    !b->start(bi, c, refused[n_refused].why, WHY_MAX))
			continue;
		refused[n_refused++].name = b->name;
	}
}

void console_start_default(void)
{
	struct console_opt c = { CONSOLE_BE_SERIAL, UART_COM1,
				 UART_DEFAULT_BAUD };

	console_start(NULL, &c);
}

void console_report(void)
{
	for (unsigned int i = 0; i < n_refused; i++)
		pr_err("keel: console: %s refused: %s\n", refused[i].name,
		       refused[i].why);
}
