// SPDX-License-Identifier: MIT
/*
 * Host tests for vm/pio_split.h: an IN/OUT cut into pieces of one owner,
 * as a PC decodes each byte on its own (ELCR at 4D0h-4D1h, COM1's last
 * register, the wrap at 64K).
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "vm/pio_split.h"

#define PASS PIO_OWNER_PASS
#define NONE PIO_OWNER_NOBODY

static void piece_is(const struct pio_piece *p, u16 port, u8 size, u8 off,
		     u8 owner)
{
	assert_int_equal(p->port, port);
	assert_int_equal(p->size, size);
	assert_int_equal(p->offset, off);
	assert_int_equal(p->owner, owner);
}

static void test_one_owner(void **state)
{
	const u8 dev[4] = { 3, 3, 3, 3 };
	struct pio_piece p[4];

	assert_int_equal(pio_pieces(0x510, 4, dev, p), 1);
	piece_is(&p[0], 0x510, 4, 0, 3);
	assert_int_equal(pio_pieces(0x510, 2, dev, p), 1);
	piece_is(&p[0], 0x510, 2, 0, 3);
}

/* A dword at ELCR: two passed bytes, then two nobody decodes. */
static void test_elcr_dword(void **state)
{
	const u8 own[4] = { PASS, PASS, NONE, NONE };
	struct pio_piece p[4];

	assert_int_equal(pio_pieces(0x4d0, 4, own, p), 2);
	piece_is(&p[0], 0x4d0, 2, 0, PASS);
	piece_is(&p[1], 0x4d2, 2, 2, NONE);
}

/* COM1's scratch register (3FFh) as a dword: 1 byte, then 3 absent as
 * a word and a byte. */
static void test_three_byte_run(void **state)
{
	const u8 own[4] = { 1, NONE, NONE, NONE };
	struct pio_piece p[4];

	assert_int_equal(pio_pieces(0x3ff, 4, own, p), 3);
	piece_is(&p[0], 0x3ff, 1, 0, 1);
	piece_is(&p[1], 0x400, 2, 1, NONE);
	piece_is(&p[2], 0x402, 1, 3, NONE);
}

/* Every byte another owner; and the port wraps past FFFFh to 0. */
static void test_mixed_and_wrap(void **state)
{
	const u8 own[4] = { 2, NONE, 5, PASS };
	struct pio_piece p[4];

	assert_int_equal(pio_pieces(0xfffe, 4, own, p), 4);
	piece_is(&p[0], 0xfffe, 1, 0, 2);
	piece_is(&p[1], 0xffff, 1, 1, NONE);
	piece_is(&p[2], 0x0000, 1, 2, 5);
	piece_is(&p[3], 0x0001, 1, 3, PASS);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_one_owner),
		cmocka_unit_test(test_elcr_dword),
		cmocka_unit_test(test_three_byte_run),
		cmocka_unit_test(test_mixed_and_wrap),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
