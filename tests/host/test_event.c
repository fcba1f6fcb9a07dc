// SPDX-License-Identifier: MIT
/*
 * Host tests for vmx/event.c: error-code and fault vectors (SDM Vol.3A
 * table 6-1), double-fault promotion (table 6-5), the pending-interrupt
 * set delivered highest first, and when an NMI may be injected.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "vmx/event.h"
#include "vmx/vmcs.h"

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

/*
 * Defect fixed (review): an NMI was injected on the VM entry that was to
 * deliver the single-step #DB of an instruction Keel completed (BS in the
 * pending debug exceptions), and VM entry that injects drops it (SDM
 * Vol.3C 27.7.3). The trap goes first, as on the CPU (Vol.3A 6.9).
 */
static void test_nmi_waits_for_debug_trap(void **state)
{
	const u32 nmi = 2 | (2U << 8) | INTR_INFO_VALID;

	assert_true(vmx_nmi_injectable(0, 0, 0));
	assert_false(vmx_nmi_injectable(0, 0, PENDING_DBG_BS));
	assert_false(vmx_nmi_injectable(0, 0, PENDING_DBG_ENABLED_BP | 1));
	/* B0-B3 without the enable bit are no valid pending trap. */
	assert_true(vmx_nmi_injectable(0, 0, 0xf));
	assert_false(vmx_nmi_injectable(nmi, 0, 0));
	assert_false(vmx_nmi_injectable(0, GUEST_INTR_STATE_NMI, 0));
	assert_false(vmx_nmi_injectable(0, GUEST_INTR_STATE_MOV_SS, 0));
	assert_false(vmx_nmi_injectable(0, GUEST_INTR_STATE_STI, 0));
	assert_true(vmx_nmi_injectable(0, GUEST_INTR_STATE_SMI, 0));
	assert_true(vmx_debug_trap_pending(PENDING_DBG_BS));
	assert_false(vmx_debug_trap_pending(0));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_error_codes),
		cmocka_unit_test(test_faults),
		cmocka_unit_test(test_merge),
		cmocka_unit_test(test_irq_set),
		cmocka_unit_test(test_nmi_waits_for_debug_trap),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
