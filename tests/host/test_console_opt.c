// SPDX-License-Identifier: MIT
/* Host tests for the console= parser (boot/console_opt.c). */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <stdio.h>
#include <string.h>

#include "core/lib.h"
#include "boot/console_opt.h"
#include "drivers/uart/uart.h"

static char why[256];

static int parse(const char *s, struct console_opt *c)
{
	why[0] = '\0';
	return console_parse_option(s, strlen(s), c, why, sizeof(why));
}

static void expect(const char *s, u32 backends, u16 port, u32 baud)
{
	struct console_opt c;

	assert_int_equal(parse(s, &c), 0);
	assert_int_equal(c.backends, backends);
	assert_int_equal(c.port, port);
	assert_int_equal(c.baud, baud);
}

static void expect_bad(const char *s, const char *msg)
{
	struct console_opt c = { 0x77, 0x1234, 42 };

	print_message("console=%s\n", s);
	assert_int_equal(parse(s, &c), -EINVAL);
	assert_non_null(strstr(why, msg));
	/* A refused value leaves the option as it was. */
	assert_int_equal(c.backends, 0x77);
	assert_int_equal(c.port, 0x1234);
	assert_int_equal(c.baud, 42);
}

static void test_back_end_lists(void **state)
{
	expect("serial", CONSOLE_BE_SERIAL, UART_COM1, 115200);
	expect("fb", CONSOLE_BE_FB, UART_COM1, 115200);
	expect("serial,fb", CONSOLE_BE_SERIAL | CONSOLE_BE_FB, UART_COM1,
	       115200);
	expect("fb,serial", CONSOLE_BE_SERIAL | CONSOLE_BE_FB, UART_COM1,
	       115200);
	expect("fb,fb", CONSOLE_BE_FB, UART_COM1, 115200);
	expect("none", 0, UART_COM1, 115200);
}

static void test_uart_forms_still_work(void **state)
{
	expect("com1,115200", CONSOLE_BE_SERIAL, UART_COM1, 115200);
	expect("com2,57600", CONSOLE_BE_SERIAL, UART_COM2, 57600);
	expect("0x2e8", CONSOLE_BE_SERIAL, 0x2e8, 115200);
	expect("com2,57600,fb", CONSOLE_BE_SERIAL | CONSOLE_BE_FB, UART_COM2,
	       57600);
	expect("fb,com3", CONSOLE_BE_SERIAL | CONSOLE_BE_FB, UART_COM3, 115200);
	expect("serial,com4,9600", CONSOLE_BE_SERIAL, UART_COM4, 9600);
	expect("fb,760", CONSOLE_BE_SERIAL | CONSOLE_BE_FB, 760, 115200);
}

static void test_bad_values(void **state)
{
	expect_bad("vga", "unknown back end 'vga'");
	expect_bad("serial,", "empty back end");
	expect_bad(",fb", "empty back end");
	expect_bad("none,serial", "none cannot be combined");
	expect_bad("fb,none", "none cannot be combined");
	expect_bad("com1,com2", "not a back end or baud rate 'com2'");
	expect_bad("com1,1234", "not a back end or baud rate '1234'");
	expect_bad("com1,9600,4800", "not a back end or baud rate '4800'");
	/* A number that is no baud rate after a UART is an I/O port, as in
	 * the UART-only console= of old; 0 is none. */
	expect_bad("fb,0", "unknown back end '0'");
	expect_bad("com5", "unknown back end 'com5'");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_back_end_lists),
		cmocka_unit_test(test_uart_forms_still_work),
		cmocka_unit_test(test_bad_values),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
