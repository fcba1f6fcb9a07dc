// SPDX-License-Identifier: MIT
/*
 * Host tests for ept/gpt.c: guest page-table walks over a fake guest RAM
 * whose tables are built by hand from the SDM Vol.3A chapter 4 formats.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <string.h>
#include <cmocka.h>

#include "ept/ept.h"
#include "arch/x86/arch.h"

#define RAM_SIZE (8u << 20)
static u8 ram[RAM_SIZE];
static int reads;

static int ram_read(void *ctx, u64 gpa, void *buf, size_t len)
{
	reads++;
	if (gpa >= RAM_SIZE || len > RAM_SIZE - gpa)
		return -EFAULT;
	memcpy(buf, ram + gpa, len);
	return 0;
}

static int ram_write(void *ctx, u64 gpa, const void *buf, size_t len)
{
	if (gpa >= RAM_SIZE || len > RAM_SIZE - gpa)
		return -EFAULT;
	memcpy(ram + gpa, buf, len);
	return 0;
}

static void put32(u64 gpa, u32 v)
{
	memcpy(ram + gpa, &v, 4);
}

static void put64(u64 gpa, u64 v)
{
	memcpy(ram + gpa, &v, 8);
}

static int setup(void **state)
{
	memset(ram, 0, sizeof(ram));
	reads = 0;
	return 0;
}

static struct gpt_walker walker(enum gpt_mode mode, u64 cr3, bool pse)
{
	return (struct gpt_walker){ .mode = mode,
				    .cr3 = cr3,
				    .pse = pse,
				    .read = ram_read,
				    .write = ram_write };
}

static void test_mode_from_regs(void **state)
{
	assert_int_equal(gpt_mode_from_regs(X86_CR0_PE, 0, 0), GPT_MODE_FLAT);
	assert_int_equal(gpt_mode_from_regs(X86_CR0_PE | X86_CR0_PG, 0, 0),
			 GPT_MODE_32BIT);
	assert_int_equal(gpt_mode_from_regs(X86_CR0_PE | X86_CR0_PG,
					    X86_CR4_PAE, 0),
			 GPT_MODE_PAE);
	assert_int_equal(gpt_mode_from_regs(X86_CR0_PE | X86_CR0_PG,
					    X86_CR4_PAE, EFER_LME | EFER_LMA),
			 GPT_MODE_4LEVEL);
}

static void test_flat(void **state)
{
	struct gpt_walker w = walker(GPT_MODE_FLAT, 0, false);
	u64 gpa;

	assert_int_equal(gpt_translate(&w, 0xfeb00008, &gpa), 0);
	assert_int_equal(gpa, 0xfeb00008);
	assert_int_equal(reads, 0);
}

static void test_32bit(void **state)
{
	/* CR3 = 0x10000; PDE[0x300] -> PT at 0x11000; PTE[0x5] -> 0x7000. */
	struct gpt_walker w = walker(GPT_MODE_32BIT, 0x10000, true);
	u64 gla = 0xc0005123, gpa;

	put32(0x10000 + 0x300 * 4, 0x11000 | 0x3);
	put32(0x11000 + 5 * 4, 0x7000 | 0x3);
	assert_int_equal(gpt_translate(&w, gla, &gpa), 0);
	assert_int_equal(gpa, 0x7123);

	/* Not-present PTE. */
	assert_int_equal(gpt_translate(&w, 0xc0006000, &gpa), -ENOENT);
	/* Not-present PDE. */
	assert_int_equal(gpt_translate(&w, 0x00400000, &gpa), -ENOENT);
}

static void test_32bit_4m_pse36(void **state)
{
	struct gpt_walker w = walker(GPT_MODE_32BIT, 0x10000, true);
	u64 gpa;

	/* 4M page at 0x1_00400000: PDE bits 31:22 = 0x004, bits 20:13 = 1. */
	put32(0x10000 + 0x001 * 4, 0x00400000 | (1u << 13) | 0x83);
	assert_int_equal(gpt_translate(&w, 0x00512345, &gpa), 0);
	assert_int_equal(gpa, 0x100512345ULL);

	/* With CR4.PSE = 0 the PS bit is ignored: the PDE points to a PT. */
	w.pse = false;
	/* ...and bit 13 is then an address bit: PT at 0x00402000. */
	put32(0x00402000 + 0x112 * 4, 0x3000 | 1);
	/* 0x00400000 is within fake RAM (8M). */
	assert_int_equal(gpt_translate(&w, 0x00512345, &gpa), 0);
	assert_int_equal(gpa, 0x3345);
}

static void test_pae(void **state)
{
	/* CR3 = 0x20020 (32-byte aligned PDPT). */
	struct gpt_walker w = walker(GPT_MODE_PAE, 0x20020, false);
	u64 gpa;

	put64(0x20020 + 3 * 8, 0x21000 | 1); /* PDPTE[3] */
	put64(0x21000 + 0x1ff * 8, 0x22000 | 3); /* PDE[511] */
	put64(0x22000 + 0x1fe * 8, 0x123456000ULL | 3); /* PTE[510] */
	assert_int_equal(gpt_translate(&w, 0xffffe789, &gpa), 0);
	assert_int_equal(gpa, 0x123456789ULL);

	/* 2M page: PDE[0] of PDPTE[3] with PS. */
	put64(0x21000, 0x40000000ULL | 0x83);
	assert_int_equal(gpt_translate(&w, 0xc0012345, &gpa), 0);
	assert_int_equal(gpa, 0x40012345ULL);

	/* PDPTE[0] not present. */
	assert_int_equal(gpt_translate(&w, 0x1000, &gpa), -ENOENT);
}

static void test_4level(void **state)
{
	struct gpt_walker w = walker(GPT_MODE_4LEVEL, 0x30000, false);
	u64 gla = 0xffff800000201abcULL; /* PML4 256, PDPT 0, PD 1, PT 1 */
	u64 gpa;

	put64(0x30000 + 256 * 8, 0x31000 | 3);
	put64(0x31000 + 0 * 8, 0x32000 | 3);
	put64(0x32000 + 1 * 8, 0x33000 | 3);
	put64(0x33000 + 1 * 8, 0xabcdef000ULL | 3 | BIT(63));
	assert_int_equal(gpt_translate(&w, gla, &gpa), 0);
	/* XD (bit 63) is not part of the address. */
	assert_int_equal(gpa, 0xabcdefabcULL);

	/* 1G page at PDPTE[1]. */
	put64(0x31000 + 1 * 8, 0x80000000ULL | 0x83);
	assert_int_equal(gpt_translate(&w, 0xffff800040000010ULL, &gpa), 0);
	assert_int_equal(gpa, 0x80000010ULL);

	/* 2M page at PDE[2]. */
	put64(0x32000 + 2 * 8, 0x600000ULL | 0x83);
	assert_int_equal(gpt_translate(&w, 0xffff800000412345ULL, &gpa), 0);
	assert_int_equal(gpa, 0x612345ULL);

	/* Non-canonical. */
	assert_int_equal(gpt_translate(&w, 0x0000800000000000ULL, &gpa),
			 -EINVAL);
	/* PS in a PML4E is reserved. */
	put64(0x30000 + 1 * 8, 0x40000 | 0x83);
	assert_int_equal(gpt_translate(&w, 0x0000008000000000ULL, &gpa),
			 -EINVAL);
	/* Not present. */
	assert_int_equal(gpt_translate(&w, 0x0000010000000000ULL, &gpa),
			 -ENOENT);
}

static void test_table_outside_ram(void **state)
{
	struct gpt_walker w = walker(GPT_MODE_4LEVEL, 0x30000, false);
	u64 gpa;

	put64(0x30000, 0x7fff0000000ULL | 3); /* PDPT far outside fake RAM */
	assert_int_equal(gpt_translate(&w, 0x1000, &gpa), -EFAULT);
}

static void test_read_linear_across_pages(void **state)
{
	/* Two virtually adjacent pages backed by non-adjacent frames. */
	struct gpt_walker w = walker(GPT_MODE_32BIT, 0x10000, false);
	u8 buf[6];

	put32(0x10000, 0x11000 | 1);
	put32(0x11000 + 1 * 4, 0x50000 | 1); /* 0x1000 -> 0x50000 */
	put32(0x11000 + 2 * 4, 0x30000 | 1); /* 0x2000 -> 0x30000 */
	memcpy(ram + 0x50ffd, "\x89\x05\x10", 3);
	memcpy(ram + 0x30000, "\x20\x30\x40", 3);
	assert_int_equal(gpt_read_linear(&w, 0x1ffd, buf, 6), 0);
	assert_memory_equal(buf, "\x89\x05\x10\x20\x30\x40", 6);

	/* Second page not present: the read fails as a whole. */
	put32(0x11000 + 2 * 4, 0);
	assert_int_equal(gpt_read_linear(&w, 0x1ffd, buf, 6), -ENOENT);
}

static void test_write_linear_across_pages(void **state)
{
	struct gpt_walker w = walker(GPT_MODE_32BIT, 0x10000, false);

	put32(0x10000, 0x11000 | 1);
	put32(0x11000 + 1 * 4, 0x50000 | 1); /* 0x1000 -> 0x50000 */
	put32(0x11000 + 2 * 4, 0x30000 | 1); /* 0x2000 -> 0x30000 */
	assert_int_equal(gpt_write_linear(&w, 0x1ffe, "\xaa\xbb\xcc\xdd", 4),
			 0);
	assert_memory_equal(ram + 0x50ffe, "\xaa\xbb", 2);
	assert_memory_equal(ram + 0x30000, "\xcc\xdd", 2);

	/* A walker without a write callback cannot write. */
	w.write = NULL;
	assert_int_equal(gpt_write_linear(&w, 0x1ffe, "\x01", 1), -EINVAL);
	/* Second page not present: fails, the first page already written. */
	w.write = ram_write;
	put32(0x11000 + 2 * 4, 0);
	assert_int_equal(gpt_write_linear(&w, 0x1fff, "\x11\x22", 2), -ENOENT);
	assert_int_equal(ram[0x50fff], 0x11);
}

/* 32-bit paging: P, R/W, U/S in each level (SDM Vol.3A 4.3). */
#define P 0x1
#define RW 0x2
#define US 0x4

static int access(struct gpt_walker *w, u64 gla, u32 acc, u32 *err)
{
	u64 gpa;

	*err = 0xdead;
	return gpt_translate_access(w, gla, acc, &gpa, err);
}

static void test_access_32bit(void **state)
{
	struct gpt_walker w = walker(GPT_MODE_32BIT, 0x10000, false);
	u32 err;

	put32(0x10000, 0x11000 | P | RW | US);
	put32(0x11000 + 1 * 4, 0x50000 | P | RW | US); /* 0x1000: all */
	put32(0x11000 + 2 * 4, 0x51000 | P | US); /* 0x2000: read-only */
	put32(0x11000 + 3 * 4, 0x52000 | P | RW); /* 0x3000: kernel */

	assert_int_equal(access(&w, 0x1000, GPT_PF_W | GPT_PF_U, &err), 0);
	/* Read-only: user writes fault; supervisor writes only with WP. */
	assert_int_equal(access(&w, 0x2000, GPT_PF_W | GPT_PF_U, &err),
			 GPT_PAGE_FAULT);
	assert_int_equal(err, GPT_PF_P | GPT_PF_W | GPT_PF_U);
	assert_int_equal(access(&w, 0x2000, GPT_PF_W, &err), 0);
	w.wp = true;
	assert_int_equal(access(&w, 0x2000, GPT_PF_W, &err), GPT_PAGE_FAULT);
	assert_int_equal(err, GPT_PF_P | GPT_PF_W);
	assert_int_equal(access(&w, 0x2000, 0, &err), 0);
	/* Supervisor page: user reads fault, supervisor ones do not. */
	assert_int_equal(access(&w, 0x3000, GPT_PF_U, &err), GPT_PAGE_FAULT);
	assert_int_equal(err, GPT_PF_P | GPT_PF_U);
	assert_int_equal(access(&w, 0x3000, GPT_PF_W, &err), 0);
	/* Not present: P clear in the error code. */
	assert_int_equal(access(&w, 0x4000, GPT_PF_W, &err), GPT_PAGE_FAULT);
	assert_int_equal(err, GPT_PF_W);
	/* R/W clear in the PDE covers every page under it. */
	put32(0x10000, 0x11000 | P | US);
	assert_int_equal(access(&w, 0x1000, GPT_PF_W, &err), GPT_PAGE_FAULT);
	assert_int_equal(err, GPT_PF_P | GPT_PF_W);
}

static void test_access_nx(void **state)
{
	struct gpt_walker w = walker(GPT_MODE_4LEVEL, 0x30000, false);
	u32 err;

	put64(0x30000, 0x31000 | P | RW | US);
	put64(0x31000, 0x32000 | P | RW | US);
	put64(0x32000, 0x33000 | P | RW | US);
	put64(0x33000 + 8, 0x60000 | P | RW | US | BIT(63)); /* 0x1000 */
	/* XD means nothing without EFER.NXE. */
	assert_int_equal(access(&w, 0x1000, GPT_PF_I, &err), 0);
	w.nxe = true;
	assert_int_equal(access(&w, 0x1000, GPT_PF_I, &err), GPT_PAGE_FAULT);
	assert_int_equal(err, GPT_PF_P | GPT_PF_I);
	assert_int_equal(access(&w, 0x1000, GPT_PF_W, &err), 0);
	/* Errors other than #PF stay errors. */
	assert_int_equal(access(&w, 0x0000800000000000ULL, 0, &err), -EINVAL);
	/* Flat mode: nothing to check. */
	w.mode = GPT_MODE_FLAT;
	assert_int_equal(access(&w, 0x1000, GPT_PF_W | GPT_PF_U, &err), 0);
}

/*
 * SMAP (SDM Vol.3A 4.6.1): a supervisor data access to a user page faults
 * with CR4.SMAP unless RFLAGS.AC; supervisor pages and user accesses are
 * not concerned. The error code is the access's with P.
 */
static void test_access_smap(void **state)
{
	struct gpt_walker w = walker(GPT_MODE_32BIT, 0x10000, false);
	u32 err;

	put32(0x10000, 0x11000 | P | RW | US);
	put32(0x11000 + 1 * 4, 0x50000 | P | RW | US); /* 0x1000: user */
	put32(0x11000 + 2 * 4, 0x51000 | P | RW); /* 0x2000: supervisor */
	put32(0x11000 + 3 * 4, 0x52000 | P | US); /* 0x3000: user, RO */
	w.smap = true;
	assert_int_equal(access(&w, 0x1000, GPT_PF_W, &err), GPT_PAGE_FAULT);
	assert_int_equal(err, GPT_PF_P | GPT_PF_W);
	assert_int_equal(access(&w, 0x1000, 0, &err), GPT_PAGE_FAULT);
	assert_int_equal(err, GPT_PF_P);
	assert_int_equal(access(&w, 0x2000, GPT_PF_W, &err), 0);
	assert_int_equal(access(&w, 0x1000, GPT_PF_W | GPT_PF_U, &err), 0);
	/* AC lets explicit accesses through; R/W with WP still applies. */
	w.ac = true;
	assert_int_equal(access(&w, 0x1000, GPT_PF_W, &err), 0);
	assert_int_equal(access(&w, 0x3000, GPT_PF_W, &err), 0);
	w.wp = true;
	assert_int_equal(access(&w, 0x3000, GPT_PF_W, &err), GPT_PAGE_FAULT);
	assert_int_equal(err, GPT_PF_P | GPT_PF_W);
	/* Without CR4.SMAP, AC means nothing. */
	w.smap = false;
	w.ac = false;
	assert_int_equal(access(&w, 0x1000, 0, &err), 0);
}

#define PKEY(k) ((u64)(k) << 59)

/*
 * Protection keys (SDM Vol.3A 4.6.2): 4-level paging with CR4.PKE, user
 * pages only; AD refuses every data access, WD writes from CPL 3 and
 * supervisor writes with CR0.WP. The error code has PK (bit 5).
 */
static void test_access_pkeys(void **state)
{
	struct gpt_walker w = walker(GPT_MODE_4LEVEL, 0x30000, false);
	u32 err;

	put64(0x30000, 0x31000 | P | RW | US);
	put64(0x31000, 0x32000 | P | RW | US);
	put64(0x32000, 0x33000 | P | RW | US);
	put64(0x33000 + 8, 0x60000 | P | RW | US | PKEY(5)); /* 0x1000 */
	put64(0x33000 + 16, 0x61000 | P | RW | PKEY(5)); /* 0x2000: kernel */
	w.pkru = BIT(2 * 5); /* AD5 */
	/* Keys mean nothing without CR4.PKE. */
	assert_int_equal(access(&w, 0x1000, GPT_PF_U, &err), 0);
	w.pke = true;
	assert_int_equal(access(&w, 0x1000, GPT_PF_U, &err), GPT_PAGE_FAULT);
	assert_int_equal(err, GPT_PF_P | GPT_PF_U | GPT_PF_PK);
	assert_int_equal(access(&w, 0x1000, GPT_PF_W, &err), GPT_PAGE_FAULT);
	assert_int_equal(err, GPT_PF_P | GPT_PF_W | GPT_PF_PK);
	/* Supervisor pages are PKS's, not PKU's; fetches are not checked. */
	assert_int_equal(access(&w, 0x2000, GPT_PF_W, &err), 0);
	assert_int_equal(access(&w, 0x1000, GPT_PF_I | GPT_PF_U, &err), 0);
	/* WD5: reads pass, user writes fault, supervisor ones with WP. */
	w.pkru = BIT(2 * 5 + 1);
	assert_int_equal(access(&w, 0x1000, GPT_PF_U, &err), 0);
	assert_int_equal(access(&w, 0x1000, GPT_PF_U | GPT_PF_W, &err),
			 GPT_PAGE_FAULT);
	assert_int_equal(err, GPT_PF_P | GPT_PF_U | GPT_PF_W | GPT_PF_PK);
	assert_int_equal(access(&w, 0x1000, GPT_PF_W, &err), 0);
	w.wp = true;
	assert_int_equal(access(&w, 0x1000, GPT_PF_W, &err), GPT_PAGE_FAULT);
	/* Another key's bits do not apply. */
	w.pkru = (u32) ~(BIT(2 * 5) | BIT(2 * 5 + 1));
	assert_int_equal(access(&w, 0x1000, GPT_PF_U | GPT_PF_W, &err), 0);
	/* A user page without W: both reasons, PK still reported. */
	put64(0x33000 + 8, 0x60000 | P | US | PKEY(5));
	w.pkru = BIT(2 * 5);
	assert_int_equal(access(&w, 0x1000, GPT_PF_U | GPT_PF_W, &err),
			 GPT_PAGE_FAULT);
	assert_int_equal(err, GPT_PF_P | GPT_PF_U | GPT_PF_W | GPT_PF_PK);
	/* Not 4-level paging: no keys. */
	w.mode = GPT_MODE_PAE;
	w.cr3 = 0x70000;
	put64(0x70000, 0x71000 | P);
	put64(0x71000, 0x72000 | P | RW | US);
	put64(0x72000 + 8, 0x60000 | P | RW | US | PKEY(5));
	assert_int_equal(access(&w, 0x1000, GPT_PF_U | GPT_PF_W, &err), 0);
}

#define T(fn) cmocka_unit_test_setup(fn, setup)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_mode_from_regs),
		T(test_flat),
		T(test_32bit),
		T(test_32bit_4m_pse36),
		T(test_pae),
		T(test_4level),
		T(test_table_outside_ram),
		T(test_read_linear_across_pages),
		T(test_write_linear_across_pages),
		T(test_access_32bit),
		T(test_access_nx),
		T(test_access_smap),
		T(test_access_pkeys),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
