// SPDX-License-Identifier: MIT
/*
 * Host tests for vm/mem_flush.c (pc-testdev's "flush page"): the real EPT
 * builder (ept/ept.c) on malloc'd table pages with fake physical
 * addresses, guest RAM mapped as vm/mem.c maps it, one 2 MiB chunk at a
 * time, and every result read back from the tables with ept_lookup().
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "core/console.h"
#include "vm/vm.h"
#include "ept_fake.h"

/* Host chunks: 2 MiB aligned, as alloc_pages() gives them (vm/mem.c). */
#define FAKE_CHUNK_BASE 0x40000000ULL
#define TEST_CHUNKS 4
#define TEST_MEM (TEST_CHUNKS * VM_CHUNK_SIZE)
/* A device emulated over a RAM page: never flushed. */
#define TEST_MMIO_GPA 0x300000ULL

/* mem_flush.c's only links outside itself and ept/ept.c. */
int printk(int level, const char *fmt, ...)
{
	(void)level;
	(void)fmt;
	return 0;
}

struct vm_mmio_handler *vm_find_mmio(struct vm *vm, u64 gpa)
{
	for (unsigned int i = 0; i < vm->n_mmio; i++) {
		struct vm_mmio_handler *h = &vm->mmio[i];

		if (gpa >= h->base && gpa - h->base < h->size)
			return h;
	}
	return NULL;
}

struct fixture {
	struct fake_mem fm;
	struct ept_alloc alloc;
	struct vm vm;
	u64 base_tables; /* table pages with RAM in 2 MiB leaves */
};

static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));
	struct vm *vm = &f->vm;

	f->fm.fail_after = -1;
	f->alloc =
		(struct ept_alloc){ &f->fm, fake_alloc, fake_free, fake_p2v };
	if (ept_init(&vm->ept, &f->alloc, true, false))
		return -1;
	vm->mem_size = TEST_MEM;
	for (unsigned int i = 0; i < TEST_CHUNKS; i++) {
		vm->chunk[i] = FAKE_CHUNK_BASE + (u64)i * VM_CHUNK_SIZE;
		if (ept_map(&vm->ept, (u64)i * VM_CHUNK_SIZE, vm->chunk[i],
			    VM_CHUNK_SIZE, EPT_MAP_RAM))
			return -1;
	}
	vm->mmio[0] = (struct vm_mmio_handler){ .base = TEST_MMIO_GPA,
						.size = PAGE_SIZE,
						.name = "test device" };
	vm->n_mmio = 1;
	f->base_tables = vm->ept.tables;
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;

	ept_destroy(&f->vm.ept);
	assert_int_equal(f->fm.live, 0);
	free(f);
	return 0;
}

static u64 ram_hpa(u64 gpa)
{
	return FAKE_CHUNK_BASE + gpa;
}

/* @gpa maps its own RAM, read-write-execute, write-back, in a @size leaf. */
static void expect_ram(struct fixture *f, u64 gpa, u64 size)
{
	struct ept_mapping m;

	assert_int_equal(ept_lookup(&f->vm.ept, gpa, &m), 0);
	assert_int_equal(m.hpa, ram_hpa(gpa));
	assert_int_equal(m.page_size, size);
	assert_int_equal(m.perms, EPT_PERM_MASK);
	assert_int_equal(m.memtype, EPT_MT_WB);
}

static void expect_out(struct fixture *f, u64 gpa)
{
	struct ept_mapping m;

	assert_int_equal(ept_lookup(&f->vm.ept, gpa, &m), -ENOENT);
}

static void test_flush_then_restore(void **state)
{
	struct fixture *f = *state;
	struct vm *vm = &f->vm;

	assert_int_equal(vm_flush_page(vm, 0x201234), 0);
	assert_true(vm->ept_dirty);
	assert_int_equal(vm->n_flushed, 1);
	assert_int_equal(vm->flushed[0], 0x201000);
	assert_int_equal(vm->pages_flushed, 1);
	expect_out(f, 0x201000);
	expect_out(f, 0x201fff);
	/* Only that page: its neighbours are RAM still, now in 4 KiB. */
	expect_ram(f, 0x200000, EPT_SIZE_4K);
	expect_ram(f, 0x202000, EPT_SIZE_4K);
	expect_ram(f, 0x400000, EPT_SIZE_2M);

	vm->ept_dirty = false;
	/* An access anywhere in the page brings it back. */
	assert_true(vm_restore_page(vm, 0x201ff8));
	assert_true(vm->ept_dirty);
	assert_int_equal(vm->n_flushed, 0);
	assert_int_equal(vm->pages_restored, 1);
	/* Its chunk is one 2 MiB leaf again, and the split's table freed. */
	expect_ram(f, 0x201000, EPT_SIZE_2M);
	expect_ram(f, 0x200000, EPT_SIZE_2M);
	assert_int_equal(vm->ept.tables, f->base_tables);
	assert_int_equal(f->fm.live, f->base_tables);
	/* Once: a second violation there is not the flush's. */
	assert_false(vm_restore_page(vm, 0x201000));
	assert_int_equal(vm->pages_restored, 1);
}

static void test_restore_unflushed(void **state)
{
	struct fixture *f = *state;
	struct vm *vm = &f->vm;

	assert_int_equal(vm_flush_page(vm, 0x5000), 0);
	assert_false(vm_restore_page(vm, 0x6000));
	assert_int_equal(vm->n_flushed, 1);
	expect_out(f, 0x5000);
	assert_int_equal(vm->pages_restored, 0);
}

static void test_duplicate_flush(void **state)
{
	struct fixture *f = *state;
	struct vm *vm = &f->vm;

	assert_int_equal(vm_flush_page(vm, 0x5000), 0);
	assert_int_equal(vm_flush_page(vm, 0x5ffc), 0);
	assert_int_equal(vm->n_flushed, 1);
	assert_int_equal(vm->pages_flushed, 1);
	expect_out(f, 0x5000);
	assert_true(vm_restore_page(vm, 0x5000));
	assert_int_equal(vm->n_flushed, 0);
	expect_ram(f, 0x5000, EPT_SIZE_2M);
}

/* Pages spread over chunks; the ninth puts the first back. */
static u64 nth_page(unsigned int i)
{
	return (u64)(i % TEST_CHUNKS) * VM_CHUNK_SIZE + 0x10000 +
	       (u64)i * PAGE_SIZE;
}

static void test_ninth_evicts_oldest(void **state)
{
	struct fixture *f = *state;
	struct vm *vm = &f->vm;
	unsigned int i;

	for (i = 0; i < VM_MAX_FLUSHED; i++)
		assert_int_equal(vm_flush_page(vm, nth_page(i)), 0);
	assert_int_equal(vm->n_flushed, VM_MAX_FLUSHED);
	assert_int_equal(vm_flush_page(vm, nth_page(i)), 0);
	assert_int_equal(vm->n_flushed, VM_MAX_FLUSHED);
	assert_int_equal(vm->pages_flushed, VM_MAX_FLUSHED + 1);
	/*
	 * The oldest is RAM again and no longer counted as flushed; its
	 * chunk stays split, as nth_page(4) and (8) are out there...
	 */
	expect_ram(f, nth_page(0), EPT_SIZE_4K);
	assert_int_equal(vm->flushed[0], nth_page(1));
	assert_false(vm_restore_page(vm, nth_page(0)));
	/* ...and the other eight, in order, are out. */
	for (i = 1; i <= VM_MAX_FLUSHED; i++) {
		assert_int_equal(vm->flushed[i - 1], nth_page(i));
		expect_out(f, nth_page(i));
	}
	/* The next goes in FIFO order too. */
	assert_int_equal(vm_flush_page(vm, nth_page(i)), 0);
	expect_ram(f, nth_page(1), EPT_SIZE_4K);
	assert_int_equal(vm->flushed[0], nth_page(2));
	assert_int_equal(vm->flushed[VM_MAX_FLUSHED - 1], nth_page(i));
}

static void test_refuses_non_ram(void **state)
{
	struct fixture *f = *state;
	struct vm *vm = &f->vm;

	assert_int_equal(vm_flush_page(vm, TEST_MEM), -ERANGE);
	assert_int_equal(vm_flush_page(vm, 0xfee00000), -ERANGE);
	assert_int_equal(vm_flush_page(vm, 0xfffff000), -ERANGE);
	assert_int_equal(vm_flush_page(vm, TEST_MMIO_GPA + 0x10), -ERANGE);
	assert_int_equal(vm->n_flushed, 0);
	assert_int_equal(vm->pages_flushed, 0);
	assert_false(vm->ept_dirty);
	/* Nothing was split for it either. */
	expect_ram(f, TEST_MMIO_GPA, EPT_SIZE_2M);
	expect_ram(f, TEST_MEM - PAGE_SIZE, EPT_SIZE_2M);
	assert_int_equal(vm->ept.tables, f->base_tables);
	/* The last page of RAM is RAM. */
	assert_int_equal(vm_flush_page(vm, TEST_MEM - 1), 0);
	expect_out(f, TEST_MEM - PAGE_SIZE);
}

/* No table page for the split: refused, the page and its leaf intact. */
static void test_split_enomem(void **state)
{
	struct fixture *f = *state;
	struct vm *vm = &f->vm;

	f->fm.fail_after = f->fm.allocs;
	assert_int_equal(vm_flush_page(vm, 0x201000), -ENOMEM);
	assert_int_equal(vm->n_flushed, 0);
	assert_int_equal(vm->pages_flushed, 0);
	expect_ram(f, 0x201000, EPT_SIZE_2M);
	assert_int_equal(vm->ept.tables, f->base_tables);

	/* With memory again it works. */
	f->fm.fail_after = -1;
	assert_int_equal(vm_flush_page(vm, 0x201000), 0);
	expect_out(f, 0x201000);
}

/* The page was mapped over since (a device): the restore leaves it be. */
static void test_restore_not_ours(void **state)
{
	struct fixture *f = *state;
	struct vm *vm = &f->vm;
	struct ept_mapping m;

	assert_int_equal(vm_flush_page(vm, 0x201000), 0);
	assert_int_equal(ept_map(&vm->ept, 0x201000, 0xfed00000, PAGE_SIZE,
				 EPT_MAP_MMIO),
			 0);
	assert_false(vm_restore_page(vm, 0x201000));
	assert_int_equal(vm->n_flushed, 0);
	assert_int_equal(ept_lookup(&vm->ept, 0x201000, &m), 0);
	assert_int_equal(m.hpa, 0xfed00000);
	assert_int_equal(m.memtype, EPT_MT_UC);
}

/* The same, for the oldest page a ninth flush puts back. */
static void test_evict_not_ours(void **state)
{
	struct fixture *f = *state;
	struct vm *vm = &f->vm;
	struct ept_mapping m;
	unsigned int i;

	for (i = 0; i < VM_MAX_FLUSHED; i++)
		assert_int_equal(vm_flush_page(vm, nth_page(i)), 0);
	assert_int_equal(ept_map(&vm->ept, nth_page(0), 0xfed00000, PAGE_SIZE,
				 EPT_MAP_MMIO),
			 0);
	assert_int_equal(vm_flush_page(vm, nth_page(i)), 0);
	assert_int_equal(vm->flushed[0], nth_page(1));
	assert_int_equal(ept_lookup(&vm->ept, nth_page(0), &m), 0);
	assert_int_equal(m.hpa, 0xfed00000);
	assert_int_equal(m.memtype, EPT_MT_UC);
	expect_out(f, nth_page(i));
}

/* A chunk with two pages out is whole again only once both are back. */
static void test_merge_after_last(void **state)
{
	struct fixture *f = *state;
	struct vm *vm = &f->vm;

	assert_int_equal(vm_flush_page(vm, 0x201000), 0);
	assert_int_equal(vm_flush_page(vm, 0x3ff000), 0);
	assert_int_equal(vm->ept.tables, f->base_tables + 1);
	assert_true(vm_restore_page(vm, 0x3ff000));
	expect_ram(f, 0x3ff000, EPT_SIZE_4K);
	expect_out(f, 0x201000);
	assert_int_equal(vm->ept.tables, f->base_tables + 1);
	assert_true(vm_restore_page(vm, 0x201000));
	expect_ram(f, 0x201000, EPT_SIZE_2M);
	expect_ram(f, 0x3ff000, EPT_SIZE_2M);
	assert_int_equal(vm->ept.tables, f->base_tables);
	assert_int_equal(f->fm.live, f->base_tables);
}

/* Something else changed in the chunk: it stays in 4 KiB pages. */
static void test_no_merge_over_others(void **state)
{
	struct fixture *f = *state;
	struct vm *vm = &f->vm;
	struct ept_mapping m;

	/* A hole (an emulated device's page) beside the flushed page. */
	assert_int_equal(vm_flush_page(vm, 0x201000), 0);
	assert_int_equal(ept_unmap(&vm->ept, 0x202000, PAGE_SIZE), 0);
	assert_true(vm_restore_page(vm, 0x201000));
	expect_ram(f, 0x201000, EPT_SIZE_4K);
	expect_out(f, 0x202000);

	/* A page mapped elsewhere, uncached. */
	assert_int_equal(vm_flush_page(vm, 0x401000), 0);
	assert_int_equal(ept_map(&vm->ept, 0x5ff000, 0xfee00000, PAGE_SIZE,
				 EPT_MAP_MMIO),
			 0);
	assert_true(vm_restore_page(vm, 0x401000));
	expect_ram(f, 0x401000, EPT_SIZE_4K);
	assert_int_equal(ept_lookup(&vm->ept, 0x5ff000, &m), 0);
	assert_int_equal(m.hpa, 0xfee00000);

	/* The same RAM read-only (say, a write-protected page). */
	assert_int_equal(vm_flush_page(vm, 0x601000), 0);
	assert_int_equal(ept_protect(&vm->ept, 0x600000, PAGE_SIZE, EPT_READ),
			 0);
	assert_true(vm_restore_page(vm, 0x601000));
	expect_ram(f, 0x601000, EPT_SIZE_4K);
	assert_int_equal(ept_lookup(&vm->ept, 0x600000, &m), 0);
	assert_int_equal(m.perms, EPT_READ);
	assert_int_equal(vm->ept.tables, f->base_tables + 3);
}

/* The oldest page a ninth flush puts back joins its chunk up too. */
static void test_merge_on_eviction(void **state)
{
	struct fixture *f = *state;
	struct vm *vm = &f->vm;
	unsigned int i;

	assert_int_equal(vm_flush_page(vm, 0x1000), 0);
	for (i = 1; i < VM_MAX_FLUSHED; i++)
		assert_int_equal(
			vm_flush_page(vm, VM_CHUNK_SIZE + i * PAGE_SIZE), 0);
	assert_int_equal(vm->ept.tables, f->base_tables + 2);
	assert_int_equal(vm_flush_page(vm, 2 * VM_CHUNK_SIZE), 0);
	expect_ram(f, 0x1000, EPT_SIZE_2M);
	assert_int_equal(vm->ept.tables, f->base_tables + 2);
	assert_int_equal(vm->pages_restored, 0);
}

/* Flush and touch a page in every chunk, many times: no table is kept. */
static void test_no_table_growth(void **state)
{
	struct fixture *f = *state;
	struct vm *vm = &f->vm;

	for (unsigned int round = 0; round < 3; round++) {
		for (u64 gpa = 0x7000; gpa < TEST_MEM; gpa += VM_CHUNK_SIZE) {
			assert_int_equal(vm_flush_page(vm, gpa), 0);
			assert_true(vm_restore_page(vm, gpa));
		}
	}
	assert_int_equal(vm->ept.tables, f->base_tables);
	assert_int_equal(f->fm.live, f->base_tables);
	for (u64 gpa = 0; gpa < TEST_MEM; gpa += VM_CHUNK_SIZE)
		expect_ram(f, gpa, EPT_SIZE_2M);
}

/* Only the memory type differs (own HPA, RWX, UC): the chunk stays split. */
static void test_no_merge_over_other_memtype(void **state)
{
	struct fixture *f = *state;
	struct vm *vm = &f->vm;
	struct ept_mapping m;

	assert_int_equal(vm_flush_page(vm, 0x201000), 0);
	assert_int_equal(ept_map(&vm->ept, 0x202000, ram_hpa(0x202000),
				 PAGE_SIZE,
				 EPT_PERM_MASK | EPT_MAP_MT(EPT_MT_UC)),
			 0);
	assert_true(vm_restore_page(vm, 0x201000));
	assert_int_equal(ept_lookup(&vm->ept, 0x202000, &m), 0);
	assert_int_equal(m.memtype, EPT_MT_UC);
	assert_int_equal(m.page_size, EPT_SIZE_4K);
}

/* Only the host page differs (other memory, RWX, WB): it stays. */
static void test_no_merge_over_other_ram(void **state)
{
	struct fixture *f = *state;
	struct vm *vm = &f->vm;
	struct ept_mapping m;

	assert_int_equal(vm_flush_page(vm, 0x201000), 0);
	assert_int_equal(ept_map(&vm->ept, 0x202000, 0x12345000, PAGE_SIZE,
				 EPT_MAP_RAM),
			 0);
	assert_true(vm_restore_page(vm, 0x201000));
	assert_int_equal(ept_lookup(&vm->ept, 0x202000, &m), 0);
	assert_int_equal(m.hpa, 0x12345000);
	assert_int_equal(m.page_size, EPT_SIZE_4K);
}

/*
 * A page that is not plain RAM (write-protected, or a hole) is never
 * taken out: putting it back would make it RAM.
 */
static void test_refuses_protected_or_hole(void **state)
{
	struct fixture *f = *state;
	struct vm *vm = &f->vm;
	struct ept_mapping m;

	assert_int_equal(ept_map(&vm->ept, 0x201000, ram_hpa(0x201000),
				 PAGE_SIZE, EPT_READ | EPT_MAP_MT(EPT_MT_WB)),
			 0);
	assert_int_equal(vm_flush_page(vm, 0x201000), -ERANGE);
	assert_int_equal(ept_lookup(&vm->ept, 0x201000, &m), 0);
	assert_int_equal(m.perms, EPT_READ);
	assert_int_equal(ept_unmap(&vm->ept, 0x202000, PAGE_SIZE), 0);
	assert_int_equal(vm_flush_page(vm, 0x202000), -ERANGE);
	expect_out(f, 0x202000);
	assert_int_equal(vm->n_flushed, 0);
}

/* A handler registered over a flushed page since: it is not put back. */
static void test_no_put_back_under_handler(void **state)
{
	struct fixture *f = *state;
	struct vm *vm = &f->vm;

	assert_int_equal(vm_flush_page(vm, 0x201000), 0);
	vm->mmio[1] = (struct vm_mmio_handler){ .base = 0x201000,
						.size = PAGE_SIZE,
						.name = "later device" };
	vm->n_mmio = 2;
	assert_false(vm_restore_page(vm, 0x201000));
	expect_out(f, 0x201000);
	assert_int_equal(vm->n_flushed, 0);
}

/*
 * The ninth flush, in the chunk of the page it evicts: that chunk is not
 * merged before the new page is split out of it, so the flush needs no
 * table page and works with none to spare.
 */
static void test_evict_same_chunk_needs_no_memory(void **state)
{
	struct fixture *f = *state;
	struct vm *vm = &f->vm;

	assert_int_equal(vm_flush_page(vm, 0x1000), 0);
	for (unsigned int i = 1; i < VM_MAX_FLUSHED; i++)
		assert_int_equal(
			vm_flush_page(vm, VM_CHUNK_SIZE + i * PAGE_SIZE), 0);
	f->fm.fail_after = f->fm.allocs;
	assert_int_equal(vm_flush_page(vm, 0x2000), 0);
	assert_int_equal(vm->n_flushed, VM_MAX_FLUSHED);
	expect_out(f, 0x2000);
	expect_ram(f, 0x1000, EPT_SIZE_4K);
}

#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_flush_then_restore),
		T(test_restore_unflushed),
		T(test_duplicate_flush),
		T(test_ninth_evicts_oldest),
		T(test_refuses_non_ram),
		T(test_split_enomem),
		T(test_restore_not_ours),
		T(test_evict_not_ours),
		T(test_merge_after_last),
		T(test_no_merge_over_others),
		T(test_merge_on_eviction),
		T(test_no_table_growth),
		T(test_no_merge_over_other_memtype),
		T(test_no_merge_over_other_ram),
		T(test_refuses_protected_or_hole),
		T(test_no_put_back_under_handler),
		T(test_evict_same_chunk_needs_no_memory),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
