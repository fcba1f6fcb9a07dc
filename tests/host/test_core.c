// SPDX-License-Identifier: MIT
/* Host tests for core/: kvsnprintf, number and command-line parsing, the
 * page allocator, and the console= option parser. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>

#include "core/lib.h"
#include "core/mm.h"
#include "drivers/uart/uart.h"

/* Compare Keel's formatter with the host libc's on the same input. */
#define CHECK_FMT(...)                                         \
	do {                                                   \
		char a[128], b[128];                           \
		int na = ksnprintf(a, sizeof(a), __VA_ARGS__); \
		int nb = snprintf(b, sizeof(b), __VA_ARGS__);  \
		assert_string_equal(a, b);                     \
		assert_int_equal(na, nb);                      \
	} while (0)

static void test_printf_matches_libc(void **state)
{
	CHECK_FMT("%d %i %u", -42, 7, 4000000000U);
	CHECK_FMT("%x %X %#x %#o %o", 0xbeef, 0xbeef, 255, 8, 0);
	CHECK_FMT("%08x|%-8d|%8s|%-8s|", 0x1234, -5, "ab", "cd");
	CHECK_FMT("%lld %llu %llx", -1LL, 18446744073709551615ULL,
		  0xfedcba9876543210ULL);
	CHECK_FMT("%zu %ld %lu", (size_t)99, -7L, 7UL);
	/* Deliberate: the h/hh modifiers must truncate wider arguments. */
	// cppcheck-suppress [invalidPrintfArgType_uint, invalidPrintfArgType_sint]
	CHECK_FMT("%hhu %hd %hx", 300, 70000, 0x12345);
	CHECK_FMT("%.3s|%.0d|%.5d|%+d|% d", "abcdef", 0, 42, 5, 5);
	CHECK_FMT("%*d|%-*d|%.*s", 6, 1, 6, 2, 2, "xyz");
	CHECK_FMT("%c%c%%", 'o', 'k');
	CHECK_FMT("%016llx %#llx", 0ULL, 0ULL);
	CHECK_FMT("%p", (void *)0x1000);
}

static void test_printf_truncates_and_terminates(void **state)
{
	char buf[8];

	assert_int_equal(ksnprintf(buf, sizeof(buf), "%s", "0123456789"), 10);
	assert_string_equal(buf, "0123456");
	assert_int_equal(ksnprintf(buf, 1, "abc"), 3);
	assert_string_equal(buf, "");
	assert_int_equal(ksnprintf(NULL, 0, "%d", 12345), 5);
	{
		/* Hidden from the format checker: NULL must print "(null)". */
		const char *volatile null_str = NULL;

		ksnprintf(buf, sizeof(buf), "%s", null_str);
	}
	assert_string_equal(buf, "(null)");
}

static void test_kstrtou64(void **state)
{
	u64 v;

	assert_int_equal(kstrtou64("123", 3, false, &v), 0);
	assert_int_equal(v, 123);
	assert_int_equal(kstrtou64("0x1F", 4, false, &v), 0);
	assert_int_equal(v, 31);
	assert_int_equal(kstrtou64("128M", 4, true, &v), 0);
	assert_int_equal(v, 128ULL << 20);
	assert_int_equal(kstrtou64("2G", 2, true, &v), 0);
	assert_int_equal(v, 2ULL << 30);
	assert_int_equal(kstrtou64("128M", 4, false, &v), -EINVAL);
	assert_int_equal(kstrtou64("", 0, false, &v), -EINVAL);
	assert_int_equal(kstrtou64("0x", 2, false, &v), -EINVAL);
	assert_int_equal(kstrtou64("12a", 3, false, &v), -EINVAL);
	assert_int_equal(kstrtou64("M", 1, true, &v), -EINVAL);
	assert_int_equal(kstrtou64("18446744073709551616", 20, false, &v),
			 -ERANGE);
	assert_int_equal(kstrtou64("17179869184G", 12, true, &v), -ERANGE);
}

static void test_uart_option(void **state)
{
	u16 port;
	u32 baud;

	assert_int_equal(uart_parse_option("com1", 4, &port, &baud), 0);
	assert_int_equal(port, 0x3f8);
	assert_int_equal(baud, 115200);
	assert_int_equal(uart_parse_option("com2,9600", 9, &port, &baud), 0);
	assert_int_equal(port, 0x2f8);
	assert_int_equal(baud, 9600);
	assert_int_equal(uart_parse_option("0x3e8,57600", 11, &port, &baud), 0);
	assert_int_equal(port, 0x3e8);
	assert_int_equal(baud, 57600);
	assert_int_equal(uart_parse_option("com5", 4, &port, &baud), -EINVAL);
	assert_int_equal(uart_parse_option("com1,7", 6, &port, &baud), -EINVAL);
	assert_int_equal(uart_parse_option("com1,", 5, &port, &baud), -EINVAL);
	assert_int_equal(uart_parse_option("ttyS0", 5, &port, &baud), -EINVAL);
	assert_int_equal(uart_parse_option("0", 1, &port, &baud), -EINVAL);
}

#define NPAGES 1024

static struct palloc pa;
static u64 bitmap[NPAGES / 64];

static void test_palloc_basic(void **state)
{
	phys_addr_t p, q;

	palloc_init(&pa, bitmap, NPAGES);
	assert_int_equal(pa.free_pages, 0);
	assert_int_equal(palloc_alloc(&pa, 1, PAGE_SIZE), PHYS_INVALID);
	/* Partial pages at either end of a free range are not usable. */
	palloc_add_free(&pa, 0x800, 0x10000);
	assert_int_equal(pa.free_pages, 15);
	assert_false(palloc_is_free(&pa, 0));
	assert_true(palloc_is_free(&pa, 1));
	assert_false(palloc_is_free(&pa, 16));
	p = palloc_alloc(&pa, 2, PAGE_SIZE);
	assert_int_equal(p, 0x1000);
	q = palloc_alloc(&pa, 1, PAGE_SIZE);
	assert_int_equal(q, 0x3000);
	assert_int_equal(pa.free_pages, 12);
	palloc_free(&pa, p, 2);
	assert_int_equal(pa.free_pages, 14);
	/* Freeing twice does not count twice. */
	palloc_free(&pa, p, 2);
	assert_int_equal(pa.free_pages, 14);
}

static void test_palloc_aligned_contiguous(void **state)
{
	phys_addr_t p;

	palloc_init(&pa, bitmap, NPAGES);
	palloc_add_free(&pa, 0, NPAGES * PAGE_SIZE);
	palloc_reserve(&pa, 0x5000, 1);
	p = palloc_alloc(&pa, 16, 0x10000);
	assert_int_equal(p, 0x10000);
	p = palloc_alloc(&pa, 4, 0x4000);
	assert_int_equal(p, 0); /* pages 0-3 are free and 16 KiB aligned */
	p = palloc_alloc(&pa, 2, PAGE_SIZE);
	assert_int_equal(p, 0x4000 + 0x2000); /* page 5 is reserved */
	/* Bad requests. */
	assert_int_equal(palloc_alloc(&pa, 0, PAGE_SIZE), PHYS_INVALID);
	assert_int_equal(palloc_alloc(&pa, 1, 0x1800), PHYS_INVALID);
	assert_int_equal(palloc_alloc(&pa, 1, 512), PHYS_INVALID);
	assert_int_equal(palloc_alloc(&pa, NPAGES, PAGE_SIZE), PHYS_INVALID);
}

static void test_palloc_reserve_wins_and_exhaustion(void **state)
{
	u64 got = 0;

	palloc_init(&pa, bitmap, NPAGES);
	palloc_add_free(&pa, 0, NPAGES * PAGE_SIZE);
	/* A reservation touching part of a page takes the whole page. */
	palloc_reserve(&pa, 0x1fff, 2);
	assert_false(palloc_is_free(&pa, 1));
	assert_false(palloc_is_free(&pa, 2));
	/* Ranges past the bitmap are clamped, not written. */
	palloc_add_free(&pa, NPAGES * PAGE_SIZE, 0x100000);
	palloc_reserve(&pa, UINT64_MAX - 0x1000, 0x2000);
	assert_int_equal(pa.free_pages, NPAGES - 2);
	while (palloc_alloc(&pa, 1, PAGE_SIZE) != PHYS_INVALID)
		got++;
	assert_int_equal(got, NPAGES - 2);
	assert_int_equal(pa.free_pages, 0);
}

static void test_palloc_large_aligned_after_fragmentation(void **state)
{
	phys_addr_t p;

	palloc_init(&pa, bitmap, NPAGES);
	palloc_add_free(&pa, 0, NPAGES * PAGE_SIZE);
	/* Leave one used page in every 64: no 64-page run exists. */
	for (u64 i = 0; i < NPAGES; i += 64)
		palloc_reserve(&pa, (i + 63) * PAGE_SIZE, PAGE_SIZE);
	assert_int_equal(palloc_alloc(&pa, 64, PAGE_SIZE), PHYS_INVALID);
	p = palloc_alloc(&pa, 63, 64 * PAGE_SIZE);
	assert_int_equal(p, 0);
	p = palloc_alloc(&pa, 32, 32 * PAGE_SIZE);
	assert_int_equal(p, 64 * PAGE_SIZE);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_printf_matches_libc),
		cmocka_unit_test(test_printf_truncates_and_terminates),
		cmocka_unit_test(test_kstrtou64),
		cmocka_unit_test(test_uart_option),
		cmocka_unit_test(test_palloc_basic),
		cmocka_unit_test(test_palloc_aligned_contiguous),
		cmocka_unit_test(test_palloc_reserve_wins_and_exhaustion),
		cmocka_unit_test(test_palloc_large_aligned_after_fragmentation),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
