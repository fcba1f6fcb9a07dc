// SPDX-License-Identifier: MIT
/* console= parsing; see boot/console_opt.h. */
#include "core/lib.h"
#include "boot/console_opt.h"
#include "drivers/uart/uart.h"

#define ECHO_MAX 32

static bool word_is(const char *w, size_t n, const char *name)
{
	return strlen(name) == n && !strncmp(w, name, n);
}

static size_t word_len(const char *s, size_t left)
{
	size_t n = 0;

	while (n < left && s[n] != ',')
		n++;
	return n;
}

static int bad(char *why, size_t size, const char *w, size_t n,
	       const char *what)
{
	ksnprintf(
		why, size,
		"%s '%.*s'; use serial, fb or none (or a UART: com1..com4 or an I/O port, optionally ,BAUD)",
		what, (int)MIN(n, (size_t)ECHO_MAX), w);
	return -EINVAL;
}

int console_parse_option(const char *val, size_t len, struct console_opt *c,
			 char *why, size_t why_size)
{
	struct console_opt r = { 0, UART_COM1, UART_DEFAULT_BAUD };
	const char *uart = NULL; /* the UART word, for a baud after it */
	bool none = false, uart_seen = false;

	for (size_t at = 0; at <= len;) {
		const char *w = val + at;
		size_t n = word_len(w, len - at);

		if (!n)
			return bad(why, why_size, w, n, "empty back end");
		if (word_is(w, n, "serial")) {
			r.backends |= CONSOLE_BE_SERIAL;
		} else if (word_is(w, n, "fb")) {
			r.backends |= CONSOLE_BE_FB;
		} else if (word_is(w, n, "none")) {
			none = true;
		} else if (uart &&
			   !uart_parse_option(uart, (size_t)(w + n - uart),
					      &r.port, &r.baud)) {
			/* the baud rate of the UART just named */
		} else if (!uart_seen &&
			   !uart_parse_option(w, n, &r.port, &r.baud)) {
			r.backends |= CONSOLE_BE_SERIAL;
			uart_seen = true;
			uart = w;
			at += n + 1;
			continue;
		} else {
			return bad(why, why_size, w, n,
				   uart_seen ? "not a back end or baud rate" :
					       "unknown back end");
		}
		uart = NULL;
		at += n + 1;
	}
	if (none && r.backends) {
		ksnprintf(why, why_size,
			  "none cannot be combined with a back end");
		return -EINVAL;
	}
	*c = r;
	return 0;
}
