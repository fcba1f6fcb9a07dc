/* SPDX-License-Identifier: MIT */
/*
 * console=: which back ends carry Keel's log, and the UART the serial one
 * uses. Pure, so the host tests the parser (tests/host/test_console_opt.c);
 * boot/console.c starts what it asks for. docs/command-line.md.
 */
#ifndef KEEL_BOOT_CONSOLE_OPT_H
#define KEEL_BOOT_CONSOLE_OPT_H

#include "core/types.h"

/* Back-end bits of struct console_opt.backends. */
#define CONSOLE_BE_SERIAL BIT(0)
#define CONSOLE_BE_FB BIT(1)

struct console_opt {
	u32 backends; /* CONSOLE_BE_*; 0 is console=none */
	u16 port; /* the serial back end's UART */
	u32 baud;
};

/*
 * Parse a comma list of `serial`, `fb` and `none`; a UART (`com1`..`com4`
 * or an I/O port) in the list means `serial` on that UART and may be
 * followed by its baud rate (`console=com2,57600,fb`). `none` stands
 * alone. Returns 0, or -EINVAL with a reason in @why and @c unchanged.
 */
int console_parse_option(const char *val, size_t len, struct console_opt *c,
			 char *why, size_t why_size);

#endif
