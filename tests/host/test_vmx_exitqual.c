// SPDX-License-Identifier: MIT
/*
 * Host tests for vmx/exitqual.h. Qualification values are assembled by
 * hand from the SDM Vol.3C 28.2.1 tables (rev 080).
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "vmx/exitqual.h"

static void test_io(void **state)
{
	/* OUT DX, AL to 0x3f8: size 0 (1 byte), out, DX operand. */
	u64 q = 0x03f80000;

	assert_int_equal(eq_io_size(q), 1);
	assert_false(eq_io_is_in(q));
	assert_false(eq_io_is_string(q));
	assert_false(eq_io_is_rep(q));
	assert_false(eq_io_port_immediate(q));
	assert_int_equal(eq_io_port(q), 0x3f8);

	/* REP INSW from port 0x510: size 1, in, string, rep. */
	q = (0x510ULL << 16) | BIT(5) | BIT(4) | BIT(3) | 1;
	assert_int_equal(eq_io_size(q), 2);
	assert_true(eq_io_is_in(q));
	assert_true(eq_io_is_string(q));
	assert_true(eq_io_is_rep(q));
	assert_int_equal(eq_io_port(q), 0x510);

	/* IN EAX, 0xf4 (immediate): size 3 = 4 bytes. */
	q = (0xf4ULL << 16) | BIT(6) | BIT(3) | 3;
	assert_int_equal(eq_io_size(q), 4);
	assert_true(eq_io_port_immediate(q));
	assert_int_equal(eq_io_port(q), 0xf4);

	/* Size encoding 2 is not defined. */
	assert_int_equal(eq_io_size(2), 0);
	/* Upper bits above 31 do not leak into the port. */
	assert_int_equal(eq_io_port(0xffffffff00120000ULL), 0x12);
}

static void test_io_insn_info(void **state)
{
	/* Address size 1 (32-bit), segment 3 (DS). */
	u32 info = (1u << 7) | (3u << 15);

	assert_int_equal(insn_info_io_addr_bytes(info), 4);
	assert_int_equal(insn_info_io_segment(info), 3);
	assert_int_equal(insn_info_io_addr_bytes(0), 2);
	assert_int_equal(insn_info_io_addr_bytes(2u << 7), 8);
}

static void test_cr(void **state)
{
	/* MOV CR4, RCX: cr 4, type 0, GPR 1. */
	u64 q = 4 | (1 << 8);

	assert_int_equal(eq_cr_number(q), 4);
	assert_int_equal(eq_cr_access_type(q), EQ_CR_MOV_TO_CR);
	assert_int_equal(eq_cr_gpr(q), 1);

	/* MOV R15, CR0: type 1, GPR 15. */
	q = 0 | (1 << 4) | (15 << 8);
	assert_int_equal(eq_cr_number(q), 0);
	assert_int_equal(eq_cr_access_type(q), EQ_CR_MOV_FROM_CR);
	assert_int_equal(eq_cr_gpr(q), 15);

	/* CLTS. */
	assert_int_equal(eq_cr_access_type(2 << 4), EQ_CR_CLTS);

	/* LMSW from memory with source 0x0011. */
	q = (3 << 4) | BIT(6) | (0x0011ULL << 16);
	assert_int_equal(eq_cr_access_type(q), EQ_CR_LMSW);
	assert_true(eq_cr_lmsw_from_memory(q));
	assert_int_equal(eq_cr_lmsw_source(q), 0x11);
	assert_false(eq_cr_lmsw_from_memory(3 << 4));
}

static void test_dr(void **state)
{
	/* MOV RAX, DR7: dr 7, from DR, GPR 0. */
	u64 q = 7 | BIT(4);

	assert_int_equal(eq_dr_number(q), 7);
	assert_true(eq_dr_is_read(q));
	assert_int_equal(eq_dr_gpr(q), 0);
	/* MOV DR3, R9. */
	q = 3 | (9 << 8);
	assert_int_equal(eq_dr_number(q), 3);
	assert_false(eq_dr_is_read(q));
	assert_int_equal(eq_dr_gpr(q), 9);
}

static void test_ept(void **state)
{
	/* Data write to an unmapped GPA, GLA valid and translated. */
	u64 q = BIT(1) | BIT(7) | BIT(8);

	assert_false(eq_ept_read(q));
	assert_true(eq_ept_write(q));
	assert_false(eq_ept_fetch(q));
	assert_int_equal(eq_ept_entry_perms(q), 0);
	assert_true(eq_ept_gla_valid(q));
	assert_true(eq_ept_gla_is_translation(q));
	assert_int_equal(eq_ept_access_char(q), 'W');

	/* Read of a page mapped read-only + executable, during a page walk. */
	q = BIT(0) | BIT(3) | BIT(5) | BIT(7);
	assert_true(eq_ept_read(q));
	assert_int_equal(eq_ept_entry_perms(q), 5);
	assert_false(eq_ept_gla_is_translation(q));
	assert_int_equal(eq_ept_access_char(q), 'R');

	/* Fetch; bit 8 without GLA valid means nothing. */
	q = BIT(2) | BIT(8);
	assert_true(eq_ept_fetch(q));
	assert_false(eq_ept_gla_valid(q));
	assert_false(eq_ept_gla_is_translation(q));
	assert_int_equal(eq_ept_access_char(q), 'X');

	assert_true(eq_ept_nmi_unblocking(BIT(12)));
	assert_false(eq_ept_nmi_unblocking(0));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_io),  cmocka_unit_test(test_io_insn_info),
		cmocka_unit_test(test_cr),  cmocka_unit_test(test_dr),
		cmocka_unit_test(test_ept),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
