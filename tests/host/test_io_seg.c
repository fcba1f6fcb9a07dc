// SPDX-License-Identifier: MIT
/*
 * Host tests for vmx/io_seg.h: the segment checks of an INS/OUTS element
 * (SDM Vol.2B INS/OUTS, Vol.3A 3.4.5.1, 5.3): limits (expand-up and
 * expand-down, 16- and 32-bit), types, unusable segments, #SS for SS, the
 * 32-bit wrap of the linear address, and the canonical check of 64-bit
 * mode.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "vmx/io_seg.h"

/* Access rights: type 3 (data RW accessed), S, P, and D/B or not. */
#define AR_DATA_RW (0x3 | VMX_AR_S | VMX_AR_P)
#define AR_DATA_RO (0x1 | VMX_AR_S | VMX_AR_P)
#define AR_DATA_DOWN (0x7 | VMX_AR_S | VMX_AR_P) /* RW, expand-down */
#define AR_CODE_R (0xb | VMX_AR_S | VMX_AR_P) /* execute/read */
#define AR_CODE_X (0x9 | VMX_AR_S | VMX_AR_P) /* execute only */

static u8 check(u32 index, u64 base, u32 limit, u32 ar, bool mode64, u64 off,
		unsigned int size, bool write, u64 *la)
{
	struct io_seg s = { index, base, limit, ar, false };

	*la = 0xdead;
	return io_seg_check(&s, mode64, off, size, write, la);
}

static void test_expand_up(void **state)
{
	u64 la;

	/* Flat 4G: everything fits; the linear address wraps at 4G. */
	assert_int_equal(check(0, 0x1000, 0xffffffff, AR_DATA_RW | VMX_AR_DB,
			       false, 0xfffffffe, 2, true, &la),
			 0);
	assert_int_equal(la, 0xffe);
	/* The last byte must be within the limit. */
	assert_int_equal(
		check(0, 0, 0xfff, AR_DATA_RW, false, 0xffc, 4, true, &la), 0);
	assert_int_equal(la, 0xffc);
	assert_int_equal(check(0, 0, 0xfff, AR_DATA_RW, false, 0xffd, 4, true,
			       &la),
			 X86_VEC_GP);
	/* SS: #SS instead. */
	assert_int_equal(check(IO_SEG_SS, 0, 0xfff, AR_DATA_RW, false, 0x1000,
			       1, false, &la),
			 X86_VEC_SS);
	/* Real mode's 64K segment: offset 0xffff, 2 bytes, is past it. */
	assert_int_equal(check(3, 0x10000, 0xffff, AR_DATA_RW, false, 0xffff, 2,
			       false, &la),
			 X86_VEC_GP);
}

/*
 * Real-address mode (review): an "unreal" segment's hidden descriptor may
 * keep a read-only, code or unusable type; only the limit counts.
 */
static void test_real_mode_limit_only(void **state)
{
	struct io_seg s = { 0, 0x10000, 0xffff, AR_DATA_RO, true };
	u64 la = 0;

	assert_int_equal(io_seg_check(&s, false, 0x10, 1, true, &la), 0);
	assert_int_equal(la, 0x10010);
	s.ar = AR_CODE_X | VMX_AR_UNUSABLE;
	assert_int_equal(io_seg_check(&s, false, 0x10, 1, false, &la), 0);
	assert_int_equal(io_seg_check(&s, false, 0xffff, 2, true, &la),
			 X86_VEC_GP);
	s.real = false;
	assert_int_equal(io_seg_check(&s, false, 0x10, 1, false, &la),
			 X86_VEC_GP);
}

static void test_expand_down(void **state)
{
	u64 la;

	/* Valid offsets are limit+1 .. 0xffff (B clear) or 4G-1 (B set). */
	assert_int_equal(check(0, 0, 0xfff, AR_DATA_DOWN, false, 0xfff, 1, true,
			       &la),
			 X86_VEC_GP);
	assert_int_equal(check(0, 0, 0xfff, AR_DATA_DOWN, false, 0x1000, 1,
			       true, &la),
			 0);
	assert_int_equal(check(0, 0, 0xfff, AR_DATA_DOWN, false, 0xffff, 2,
			       true, &la),
			 X86_VEC_GP);
	assert_int_equal(check(0, 0, 0xfff, AR_DATA_DOWN | VMX_AR_DB, false,
			       0xffff, 2, true, &la),
			 0);
}

static void test_types(void **state)
{
	u64 la;

	/* INS needs a writable data segment. */
	assert_int_equal(check(0, 0, 0xffff, AR_DATA_RO, false, 0, 1, true,
			       &la),
			 X86_VEC_GP);
	assert_int_equal(
		check(0, 0, 0xffff, AR_DATA_RO, false, 0, 1, false, &la), 0);
	/* OUTS through CS: readable code only. */
	assert_int_equal(
		check(1, 0, 0xffff, AR_CODE_R, false, 0, 1, false, &la), 0);
	assert_int_equal(check(1, 0, 0xffff, AR_CODE_X, false, 0, 1, false,
			       &la),
			 X86_VEC_GP);
	assert_int_equal(check(1, 0, 0xffff, AR_CODE_R, false, 0, 1, true, &la),
			 X86_VEC_GP);
	/* Unusable (a null selector) outside 64-bit mode: #GP. */
	assert_int_equal(check(0, 0, 0xffff, AR_DATA_RW | VMX_AR_UNUSABLE,
			       false, 0, 1, true, &la),
			 X86_VEC_GP);
}

static void test_64bit(void **state)
{
	u64 la;

	/* No limit, no type, unusable ES is normal: only canonical. */
	assert_int_equal(check(0, 0, 0, VMX_AR_UNUSABLE, true,
			       0x00007ffffffffffcULL, 4, true, &la),
			 0);
	assert_int_equal(la, 0x00007ffffffffffcULL);
	assert_int_equal(check(0, 0, 0, VMX_AR_UNUSABLE, true,
			       0x00007ffffffffffeULL, 4, true, &la),
			 X86_VEC_GP);
	assert_int_equal(check(0, 0, 0, 0, true, 0x8000000000000000ULL, 1,
			       false, &la),
			 X86_VEC_GP);
	assert_int_equal(check(IO_SEG_SS, 0, 0, 0, true, 0x0000800000000000ULL,
			       1, false, &la),
			 X86_VEC_SS);
	/* FS/GS bases count. */
	assert_int_equal(check(5, 0xffff800000000000ULL, 0, 0, true, 0x10, 1,
			       false, &la),
			 0);
	assert_int_equal(la, 0xffff800000000010ULL);
	assert_int_equal(check(5, 0x00007ffffffff000ULL, 0, 0, true, 0x1000, 1,
			       false, &la),
			 X86_VEC_GP);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_expand_up),
		cmocka_unit_test(test_expand_down),
		cmocka_unit_test(test_real_mode_limit_only),
		cmocka_unit_test(test_types),
		cmocka_unit_test(test_64bit),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
