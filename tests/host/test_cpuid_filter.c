// SPDX-License-Identifier: MIT
/*
 * Host tests for vmx/cpuid_filter.c against the table in
 * vmx/cpuid_features.h: the bits issue 15 and issue 9 found shown without
 * their MSRs (PDCM, the PMU leaf) are hidden, backed bits stay (TSC_ADJUST
 * too, now emulated), and a backed bit whose VMX control is off is hidden.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <stdio.h>
#include <string.h>

#include "vmx/cpuid_features.h"
#include "vmx/cpuid_filter.h"
#include "vmx/vmcs.h"

#define ALL_CONTROLS                                                  \
	cpuid_needs_from_ctls(CPU_BASED_USE_TSC_OFFSETTING,           \
			      SECONDARY_EXEC_ENABLE_RDTSCP |          \
				      SECONDARY_EXEC_ENABLE_INVPCID | \
				      SECONDARY_EXEC_ENABLE_XSAVES)

static void test_leaf1(void **state)
{
	u32 r[4] = { 0x50654, 0, ~0U, ~0U };

	cpuid_filter(1, 0, r, ALL_CONTROLS);
	assert_int_equal(r[CPUID_EAX], 0x50654);
	assert_false(r[CPUID_ECX] & BIT(15)); /* PDCM */
	assert_false(r[CPUID_ECX] & BIT(5)); /* VMX */
	assert_false(r[CPUID_EDX] & BIT(21)); /* DS */
	assert_true(r[CPUID_ECX] & BIT(24)); /* TSC deadline: backed */
	assert_true(r[CPUID_EDX] & BIT(11)); /* SEP */
	assert_true(r[CPUID_ECX] & BIT(0)); /* SSE3: not in the table */
}

static void test_leaf7(void **state)
{
	u32 r[4] = { 0, ~0U, ~0U, ~0U };

	cpuid_filter(7, 0, r, ALL_CONTROLS);
	assert_true(r[CPUID_EBX] & BIT(1)); /* TSC_ADJUST: emulated */
	assert_false(r[CPUID_EBX] & BIT(14)); /* MPX */
	assert_true(r[CPUID_EBX] & BIT(10)); /* INVPCID */
	assert_true(r[CPUID_EDX] & BIT(26)); /* IBRS/IBPB */
	assert_true(r[CPUID_EDX] & BIT(29)); /* ARCH_CAPABILITIES */
	assert_false(r[CPUID_EDX] & BIT(30)); /* CORE_CAPABILITIES */

	/* Subleaf 1 is not subleaf 0. */
	r[CPUID_EBX] = ~0U;
	cpuid_filter(7, 1, r, ALL_CONTROLS);
	assert_true(r[CPUID_EBX] & BIT(1));
}

static void test_needs(void **state)
{
	u32 r[4] = { 0, ~0U, ~0U, ~0U };
	u32 x[4] = { ~0U, ~0U, ~0U, ~0U };

	cpuid_filter(7, 0, r, cpuid_needs_from_ctls(0, 0));
	assert_false(r[CPUID_EBX] & BIT(10)); /* INVPCID off */
	assert_false(r[CPUID_EBX] & BIT(1)); /* TSC_ADJUST: no offsetting */
	assert_false(r[CPUID_ECX] & BIT(22)); /* RDPID needs RDTSCP */
	assert_true(r[CPUID_EDX] & BIT(26));

	cpuid_filter(0x80000001, 0, x, cpuid_needs_from_ctls(0, 0));
	assert_false(x[CPUID_EDX] & BIT(27));
	assert_true(x[CPUID_EDX] & BIT(29));

	x[CPUID_EAX] = ~0U;
	cpuid_filter(0xd, 1, x, cpuid_needs_from_ctls(0, 0));
	assert_false(x[CPUID_EAX] & BIT(3)); /* XSAVES off */
	x[CPUID_EAX] = ~0U;
	cpuid_filter(0xd, 1, x, ALL_CONTROLS);
	assert_true(x[CPUID_EAX] & BIT(3));
	assert_int_equal(x[CPUID_ECX], 0); /* no supervisor states */
}

static void test_whole_leaves(void **state)
{
	static const u32 leaves[] = { 0xa, 0xf, 0x10, 0x12, 0x14 };

	for (size_t i = 0; i < sizeof(leaves) / sizeof(leaves[0]); i++) {
		u32 r[4] = { ~0U, ~0U, ~0U, ~0U };

		assert_true(cpuid_filter_wants(leaves[i]));
		cpuid_filter(leaves[i], 3, r, ALL_CONTROLS);
		assert_int_equal(r[0] | r[1] | r[2] | r[3], 0);
	}
	/* Leaf 6 keeps ARAT only. */
	u32 r[4] = { ~0U, ~0U, ~0U, ~0U };

	cpuid_filter(6, 0, r, ALL_CONTROLS);
	assert_int_equal(r[CPUID_EAX], BIT(2));
	assert_int_equal(r[CPUID_EBX], 0);
}

/* The exit handler's fast test must see every leaf the table names. */
static void test_wants_covers_table(void **state)
{
	for (size_t i = 0; i < CPUID_FEATURES_NR; i++) {
		assert_true(cpuid_filter_wants(cpuid_features[i].leaf));
		assert_true(cpuid_filter_maybe(cpuid_features[i].leaf));
	}
	assert_false(cpuid_filter_maybe(0)); /* the benchmark's leaf */
	assert_false(cpuid_filter_wants(0));
	assert_false(cpuid_filter_wants(4));
	assert_false(cpuid_filter_wants(0x80000000));
	assert_false(cpuid_filter_wants(0x40000000));
}

/* A backed bit lists at least one MSR, command MSR or control. */
static void test_backed_has_backing(void **state)
{
	for (size_t i = 0; i < CPUID_FEATURES_NR; i++) {
		const struct cpuid_feature *f = &cpuid_features[i];

		if (f->policy != CPUID_BACKED)
			continue;
		assert_true(f->msrs[0] || f->cmd_msr ||
			    f->needs != CPUID_NEEDS_NONE);
	}
}

/* docs/cpuid-msr.md has a row per entry, with the same policy. Host tests
 * run from the top of the tree (make host-test). */
static void test_doc_has_every_entry(void **state)
{
	static char doc[32768];
	FILE *f = fopen("docs/cpuid-msr.md", "r");
	size_t n;

	assert_non_null(f);
	n = fread(doc, 1, sizeof(doc) - 1, f);
	fclose(f);
	doc[n] = 0;
	for (size_t i = 0; i < CPUID_FEATURES_NR; i++) {
		const struct cpuid_feature *e = &cpuid_features[i];
		char key[64];
		const char *row, *end;
		const char *pol = e->policy == CPUID_BACKED ? "| backed |" :
							      "| hidden |";

		snprintf(key, sizeof(key), "| `%s` |", e->name);
		row = strstr(doc, key);
		if (!row)
			fail_msg("docs/cpuid-msr.md has no row for %s",
				 e->name);
		end = strchr(row, '\n');
		assert_non_null(end);
		row = strstr(row, pol);
		assert_true(row && row < end);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_leaf1),
		cmocka_unit_test(test_leaf7),
		cmocka_unit_test(test_needs),
		cmocka_unit_test(test_whole_leaves),
		cmocka_unit_test(test_wants_covers_table),
		cmocka_unit_test(test_backed_has_backing),
		cmocka_unit_test(test_doc_has_every_entry),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
