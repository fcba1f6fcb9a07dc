/* SPDX-License-Identifier: MIT */
/*
 * The registry of self-tests and benchmarks that test= and bench= run. A
 * test file registers itself with SELFTEST(); the entries land in the
 * .selftests section (linker.ld), so Keel's product code names none of them.
 */
#ifndef KEEL_CORE_SELFTEST_H
#define KEEL_CORE_SELFTEST_H

#include "core/types.h"

enum selftest_kind {
	SELFTEST_TEST, /* prints TEST lines; returns its failures */
	SELFTEST_BENCH, /* prints BENCH lines; returns its failed runs */
};

struct selftest {
	const char *name; /* the word test= or bench= takes */
	enum selftest_kind kind;
	int (*fn)(void);
};

#define SELFTEST(id, nm, k, f)                                               \
	static const struct selftest selftest_##id                           \
		__attribute__((used, section(".selftests"), aligned(8))) = { \
			.name = (nm), .kind = (k), .fn = (f)                 \
		}

/* The @i-th registered entry of @kind, in link order, or NULL. */
const struct selftest *selftest_at(enum selftest_kind kind, unsigned int i);

#endif
