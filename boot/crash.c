// SPDX-License-Identifier: MIT
/*
 * crash=: raise a fault on purpose at the end of boot, to see the
 * exception dump and to check that Keel's own protections hold (tests use
 * it): a NULL read, a write to text, a jump into data and a stack overflow
 * must each fault, not go through.
 */
#include "core/console.h"
#include "core/lib.h"
#include "boot/options.h"

/* An address no identity map covers: canonical, far above any RAM. */
#define CRASH_UNMAPPED_ADDR 0x00007f0000000000ULL
#define CRASH_NONCANONICAL_ADDR 0x8000000000000000ULL

static const char *const crash_names[] = {
	"ud", "pf", "gp", "de", "null", "wtext", "xdata", "stack",
};

/* A RET in writable data: executing it must fault (NX). */
static u8 data_ret[16] = { 0xc3 };

static void write_text(void)
{
	volatile u8 *p = (volatile u8 *)(uintptr_t)crash_now;

	*p = 0xcc; /* INT3: harmless should the write go through */
}

static void exec_data(void)
{
	void (*fn)(void) = (void (*)(void))(uintptr_t)data_ret;

	fn();
}

/* Recurse until the stack runs into its guard page. */
static volatile u64 overflow_limit = ~0ULL;

static u64 __attribute__((noinline)) overflow(u64 depth)
{
	volatile u8 frame[512];

	frame[0] = (u8)depth;
	if (depth == overflow_limit)
		return frame[0];
	return overflow(depth + 1) + frame[0];
}

void crash_now(unsigned int kind)
{
	volatile u64 *p;
	volatile u32 zero = 0;

	if (kind >= ARRAY_SIZE(crash_names))
		return;
	printf("keel: crash test: triggering '%s' on purpose\n",
	       crash_names[kind]);
	switch (kind) {
	case CRASH_UD:
		__asm__ volatile("ud2");
		break;
	case CRASH_PF:
		p = (volatile u64 *)CRASH_UNMAPPED_ADDR;
		*p = 1;
		break;
	case CRASH_GP:
		p = (volatile u64 *)CRASH_NONCANONICAL_ADDR;
		*p = 1;
		break;
	case CRASH_DE:
		/* In asm: GCC turns 1 / x into x == 1 and never divides. */
		__asm__ volatile("divl %0" : : "r"(zero), "a"(1), "d"(0));
		break;
	case CRASH_NULL:
		/* volatile, and through asm: GCC may treat NULL as a trap. */
		__asm__ volatile("movq 0, %%rax" : : : "rax", "memory");
		break;
	case CRASH_WRITE_TEXT:
		write_text();
		break;
	case CRASH_EXEC_DATA:
		exec_data();
		break;
	case CRASH_STACK:
		overflow(0);
		break;
	}
	printf("keel: crash test: '%s' did not fault\n", crash_names[kind]);
}
