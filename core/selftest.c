// SPDX-License-Identifier: MIT
/* The self-test registry: the .selftests section that linker.ld collects. */
#include "core/selftest.h"

extern const struct selftest __selftests_start[], __selftests_end[];

const struct selftest *selftest_at(enum selftest_kind kind, unsigned int i)
{
	for (const struct selftest *t = __selftests_start; t < __selftests_end;
	     t++)
		if (t->kind == kind && !i--)
			return t;
	return NULL;
}
