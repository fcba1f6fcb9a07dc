// SPDX-License-Identifier: MIT
/*
 * Host tests for vmx/event.c: error-code and fault vectors (SDM Vol.3A
 * table 6-1), double-fault promotion (table 6-5) and the pending-interrupt
 * set delivered highest first.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "vmx/event.h"

static void test_error_codes(void **state)
{
	static const u8 with[] = { 8, 10, 11, 12, 13, 14, 17, 21 };
	u32 n = 0;

	for (size_t i = 0; i < sizeof(with); i++)
		assert_true(x86_exc_has_error_code(with[i]));
	for (u32 v = 0; v < 256; v++)
		n += x86_exc_has_error_code((u8)v);
	assert_int_equal(n, sizeof(with));
}

static void test_faults(void **state)
{
	assert_true(x86_exc_is_fault(X86_VEC_GP));
	assert_true(x86_exc_is_fault(X86_VEC_UD));
	assert_true(x86_exc_is_fault(X86_VEC_PF));
	assert_true(x86_exc_is_fault(X86_VEC_DE));
	/* Traps, aborts, NMI and interrupts are not. */
	assert_false(x86_exc_is_fault(X86_VEC_BP));
	assert_false(x86_exc_is_fault(X86_VEC_OF));
	assert_false(x86_exc_is_fault(X86_VEC_DF));
	assert_false(x86_exc_is_fault(X86_VEC_MC));
	assert_false(x86_exc_is_fault(X86_VEC_NMI));
	assert_false(x86_exc_is_fault(X86_VEC_DB));
	assert_false(x86_exc_is_fault(0x40));
}

static void test_merge(void **state)
{
	/* Benign first: serial, whatever follows. */
	assert_int_equal(x86_exc_merge(X86_VEC_UD, X86_VEC_GP), EXC_SERIAL);
	assert_int_equal(x86_exc_merge(X86_VEC_NMI, X86_VEC_PF), EXC_SERIAL);
	/* Contributory then contributory: #DF. */
	assert_int_equal(x86_exc_merge(X86_VEC_GP, X86_VEC_NP), EXC_DOUBLE);
	assert_int_equal(x86_exc_merge(X86_VEC_DE, X86_VEC_TS), EXC_DOUBLE);
	/* Contributory then #PF or benign: serial. */
	assert_int_equal(x86_exc_merge(X86_VEC_GP, X86_VEC_PF), EXC_SERIAL);
	assert_int_equal(x86_exc_merge(X86_VEC_TS, X86_VEC_UD), EXC_SERIAL);
	/* #PF then #PF or contributory: #DF; then benign: serial. */
	assert_int_equal(x86_exc_merge(X86_VEC_PF, X86_VEC_PF), EXC_DOUBLE);
	assert_int_equal(x86_exc_merge(X86_VEC_PF, X86_VEC_GP), EXC_DOUBLE);
	assert_int_equal(x86_exc_merge(X86_VEC_PF, X86_VEC_UD), EXC_SERIAL);
	/* During #DF delivery: shutdown for contributory and #PF. */
	assert_int_equal(x86_exc_merge(X86_VEC_DF, X86_VEC_GP), EXC_TRIPLE);
	assert_int_equal(x86_exc_merge(X86_VEC_DF, X86_VEC_PF), EXC_TRIPLE);
	assert_int_equal(x86_exc_merge(X86_VEC_DF, X86_VEC_UD), EXC_SERIAL);
}

static void test_irq_set(void **state)
{
	struct irq_set s = { { 0 } };

	assert_true(irq_set_empty(&s));
	assert_int_equal(irq_set_take_highest(&s), -1);
	irq_set_add(&s, 0x40);
	irq_set_add(&s, 0x41);
	irq_set_add(&s, 0xff);
	irq_set_add(&s, 0x20);
	irq_set_add(&s, 0x40); /* again: still one */
	assert_false(irq_set_empty(&s));
	assert_int_equal(irq_set_take_highest(&s), 0xff);
	assert_int_equal(irq_set_take_highest(&s), 0x41);
	assert_int_equal(irq_set_take_highest(&s), 0x40);
	assert_int_equal(irq_set_take_highest(&s), 0x20);
	assert_true(irq_set_empty(&s));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_error_codes),
		cmocka_unit_test(test_faults),
		cmocka_unit_test(test_merge),
		cmocka_unit_test(test_irq_set),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
