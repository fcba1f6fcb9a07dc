/* SPDX-License-Identifier: MIT */
/*
 * Kernel log: printk with levels, panic, and the console sinks the back ends
 * register (the UART, the framebuffer; console= picks them). Lines below the
 * current log level are dropped.
 */
#ifndef KEEL_CORE_CONSOLE_H
#define KEEL_CORE_CONSOLE_H

#include <stdarg.h>
#include "core/types.h"

enum log_level {
	LOG_ERR = 3,
	LOG_WARN = 4,
	LOG_INFO = 6,
	LOG_DEBUG = 7,
};

struct console_sink {
	void (*write)(const char *s, size_t n);
};

/* At most this many sinks; more are ignored. */
#define CONSOLE_MAX_SINKS 4

/* Add @sink (once; registering it again changes nothing). */
void console_register(const struct console_sink *sink);
void console_set_level(int level);
void console_write(const char *s, size_t n);
/*
 * Whether the console is at the start of a line. A guest line and the
 * shell's prompt (a partial line while someone types) use it so that
 * neither lands in the middle of the other.
 */
bool console_at_line_start(void);

int vprintk(int level, const char *fmt, va_list ap);
int printk(int level, const char *fmt, ...) __printf(2, 3);
/* printf() writes unconditionally, for test and table output. */
int printf(const char *fmt, ...) __printf(1, 2);

#define pr_err(...) printk(LOG_ERR, __VA_ARGS__)
#define pr_warn(...) printk(LOG_WARN, __VA_ARGS__)
#define pr_info(...) printk(LOG_INFO, __VA_ARGS__)
#define pr_debug(...) printk(LOG_DEBUG, __VA_ARGS__)

/* Print "keel: PANIC: ...", a backtrace, and halt this CPU for good. */
void panic(const char *fmt, ...) __printf(1, 2) __noreturn;

#endif
