// SPDX-License-Identifier: MIT
/* The self-test registry: the .selftests section that linker.ld collects. */
#include "core/selftest.h"

extern const struct selftest __selftests_start[], __selftests_end[];

/* The linker's two symbols bound one array; count it by address. */
static size_t selftest_count(void)
{
	return ((unsigned long)__selftests_end -
		(unsigned long)__selftests_start) /
	       sizeof(struct selftest);
}

const struct selftest *selftest_at(enum selftest_kind kind, unsigned int i)
{
	size_t n = selftest_count();

	for (size_t k = 0; k < n; k++)
		if (__selftests_start[k].kind == kind && !i--)
			return &__selftests_start[k];
	return NULL;
}
