// SPDX-License-Identifier: MIT
/*
 * Host tests for vmx/apic_base_check.c: which IA32_APIC_BASE writes keep
 * the xAPIC page, move it, or are #GP (reserved bits as on the CPU, and
 * Keel's refusal of a place that holds RAM or a device).
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <string.h>

#include "vmx/apic_base.h"

#define HOME 0xfee00000ULL
#define ALT 0xfed40000ULL /* kvm-unit-tests' ALTERNATE_APIC_BASE */
#define RAM_END 0x8000000ULL /* 128 MiB of guest RAM */
#define IOAPIC 0xfec00000ULL
#define HPET 0xfed00000ULL
#define BAR 0xfe000000ULL /* a 16 KiB BAR */
#define BAR_SIZE 0x4000ULL
#define EN APIC_BASE_MSR_EN
#define BSP APIC_BASE_MSR_BSP
#define EXTD APIC_BASE_MSR_EXTD

static unsigned int taken_calls;

/* A guest-physical space: RAM, an IOAPIC, an HPET and one BAR. */
static const char *fake_taken(void *ctx, u64 gpa, u64 size)
{
	taken_calls++;
	if (gpa < RAM_END)
		return "overlaps guest RAM";
	if (gpa < IOAPIC + 0x1000 && IOAPIC < gpa + size)
		return "overlaps an IOAPIC";
	if (gpa < HPET + 0x1000 && HPET < gpa + size)
		return "overlaps an emulated device";
	if (gpa < BAR + BAR_SIZE && BAR < gpa + size)
		return "a device's BAR is mapped there";
	return NULL;
}

static struct apic_base_env env_at(u64 cur)
{
	struct apic_base_env e = {
		.maxphyaddr = 39,
		.home = HOME,
		.cur = cur,
		.taken = fake_taken,
	};

	taken_calls = 0;
	return e;
}

static enum apic_base_verdict check(const struct apic_base_env *e, u64 val,
				    u64 *gpa, const char **why)
{
	*gpa = 0;
	*why = NULL;
	return apic_base_check(e, val, gpa, why);
}

static void test_same_base_stays(void **state)
{
	struct apic_base_env e = env_at(HOME);
	const char *why;
	u64 gpa;

	/* Mode changes only: disabled, xAPIC, x2APIC, with BSP or not. */
	assert_int_equal(check(&e, HOME | BSP | EN, &gpa, &why),
			 APIC_BASE_STAY);
	assert_int_equal(check(&e, HOME, &gpa, &why), APIC_BASE_STAY);
	assert_int_equal(check(&e, HOME | BSP | EN | EXTD, &gpa, &why),
			 APIC_BASE_STAY);
	assert_int_equal(taken_calls, 0);
}

static void test_free_place_moves(void **state)
{
	struct apic_base_env e = env_at(HOME);
	const char *why;
	u64 gpa;

	assert_int_equal(check(&e, ALT | BSP | EN, &gpa, &why), APIC_BASE_MOVE);
	assert_int_equal(gpa, ALT);
	assert_int_equal(taken_calls, 1);
	/* Above 4 GiB, below MAXPHYADDR: the CPU allows it, so does Keel. */
	assert_int_equal(check(&e, 0x7f00000000ULL | EN, &gpa, &why),
			 APIC_BASE_MOVE);
	assert_int_equal(gpa, 0x7f00000000ULL);
	/* A move in x2APIC mode keeps the field for a later xAPIC switch. */
	assert_int_equal(check(&e, ALT | EN | EXTD, &gpa, &why),
			 APIC_BASE_MOVE);
}

static void test_home_always_allowed(void **state)
{
	struct apic_base_env e = env_at(ALT);
	const char *why;
	u64 gpa;

	e.moves = 1;
	assert_int_equal(check(&e, HOME | BSP | EN, &gpa, &why),
			 APIC_BASE_MOVE);
	assert_int_equal(gpa, HOME);
	/* The home page is forbidden to everything else, not asked. */
	assert_int_equal(taken_calls, 0);
}

static void test_taken_places_refused(void **state)
{
	static const u64 bad[] = {
		0,    0x100000, RAM_END - 0x1000,	 IOAPIC,
		HPET, BAR,	BAR + BAR_SIZE - 0x1000,
	};
	struct apic_base_env e = env_at(HOME);
	const char *why;
	u64 gpa;

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		assert_int_equal(check(&e, bad[i] | EN, &gpa, &why),
				 APIC_BASE_TAKEN);
		assert_non_null(why);
		assert_int_equal(gpa, 0);
	}
	assert_string_equal((check(&e, 0x1000 | EN, &gpa, &why), why),
			    "overlaps guest RAM");
	/* Just past the BAR and the RAM: free. */
	assert_int_equal(check(&e, (BAR + BAR_SIZE) | EN, &gpa, &why),
			 APIC_BASE_MOVE);
	assert_int_equal(check(&e, RAM_END | EN, &gpa, &why), APIC_BASE_MOVE);
}

static void test_reserved_bits_gp(void **state)
{
	struct apic_base_env e = env_at(HOME);
	const char *why;
	u64 gpa;

	/* Bit MAXPHYADDR, bit 63, the low byte and bit 9 (SDM Vol.3A
	 * 11.4.4 figure 11-5). */
	static const u64 bad[] = { 1ULL << 39, 1ULL << 63, 1, 0x80, BIT(9) };

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		assert_int_equal(check(&e, HOME | EN | bad[i], &gpa, &why),
				 APIC_BASE_RESERVED);
	/* A reserved bit with a move: #GP before any place is asked. */
	assert_int_equal(check(&e, ALT | EN | 1, &gpa, &why),
			 APIC_BASE_RESERVED);
	assert_int_equal(taken_calls, 0);
	/* With MAXPHYADDR 46, bit 39 is an address bit. */
	e.maxphyaddr = 46;
	assert_int_equal(check(&e, (1ULL << 39) | EN, &gpa, &why),
			 APIC_BASE_MOVE);
}

static void test_no_home_no_move(void **state)
{
	struct apic_base_env e = env_at(HOME);
	const char *why;
	u64 gpa;

	e.home = 0;
	assert_int_equal(check(&e, HOME | EN, &gpa, &why), APIC_BASE_STAY);
	assert_int_equal(check(&e, ALT | EN, &gpa, &why), APIC_BASE_TAKEN);
	assert_non_null(why);
}

static void test_moves_bounded(void **state)
{
	struct apic_base_env e = env_at(ALT);
	const char *why;
	u64 gpa;

	e.moves = APIC_BASE_MAX_MOVES - 1;
	assert_int_equal(check(&e, RAM_END | EN, &gpa, &why), APIC_BASE_MOVE);
	e.moves = APIC_BASE_MAX_MOVES;
	assert_int_equal(check(&e, RAM_END | EN, &gpa, &why), APIC_BASE_TAKEN);
	assert_int_equal(check(&e, HOME | EN, &gpa, &why), APIC_BASE_TAKEN);
	/* Mode changes still work where the page is. */
	assert_int_equal(check(&e, ALT, &gpa, &why), APIC_BASE_STAY);
}

static void test_beyond_ept_width(void **state)
{
	struct apic_base_env e = env_at(HOME);
	const char *why;
	u64 gpa;

	e.maxphyaddr = 52;
	assert_int_equal(check(&e, (1ULL << 48) | EN, &gpa, &why),
			 APIC_BASE_TAKEN);
	assert_int_equal(taken_calls, 0);
	assert_int_equal(check(&e, (1ULL << 47) | EN, &gpa, &why),
			 APIC_BASE_MOVE);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_same_base_stays),
		cmocka_unit_test(test_free_place_moves),
		cmocka_unit_test(test_home_always_allowed),
		cmocka_unit_test(test_taken_places_refused),
		cmocka_unit_test(test_reserved_bits_gp),
		cmocka_unit_test(test_no_home_no_move),
		cmocka_unit_test(test_moves_bounded),
		cmocka_unit_test(test_beyond_ept_width),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
