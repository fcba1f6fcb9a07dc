// SPDX-License-Identifier: MIT
/*
 * Host tests for the multiboot (v1) loader: header search and checksum,
 * ELF32/ELF64 and a.out-kludge images, malformed and truncated images, and
 * the information block and memory map written into a fake guest memory.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <stdlib.h>
#include <string.h>

#include "vm/mb1.h"

#define GUEST_MEM (8u << 20)
static u8 *gmem;

static int wr(void *ctx, u64 gpa, const void *buf, size_t len)
{
	if (gpa + len > GUEST_MEM)
		return -EFAULT;
	memcpy(gmem + gpa, buf, len);
	return 0;
}

static int zero(void *ctx, u64 gpa, size_t len)
{
	if (gpa + len > GUEST_MEM)
		return -EFAULT;
	memset(gmem + gpa, 0, len);
	return 0;
}

static const struct mb1_mem_ops ops = { wr, zero, NULL };

static void put32(u8 *p, u32 v)
{
	memcpy(p, &v, 4);
}

static u32 get32(const u8 *p)
{
	u32 v;

	memcpy(&v, p, 4);
	return v;
}

static void put_header(u8 *p, u32 flags)
{
	put32(p, MB1_HEADER_MAGIC);
	put32(p + 4, flags);
	put32(p + 8, -(MB1_HEADER_MAGIC + flags));
}

/* An ELF32 executable: one PT_LOAD of 0x100 file bytes + 0x100 bss at 1M. */
static size_t make_elf32(u8 *img, u32 entry)
{
	memset(img, 0, 0x400);
	memcpy(img, "\177ELF", 4);
	img[4] = 1; /* ELFCLASS32 */
	img[5] = 1; /* little endian */
	img[16] = 2; /* ET_EXEC */
	img[18] = 3; /* EM_386 */
	put32(img + 24, entry);
	put32(img + 28, 52); /* e_phoff */
	img[42] = 32; /* e_phentsize */
	img[44] = 1; /* e_phnum */
	put32(img + 52, 1); /* PT_LOAD */
	put32(img + 52 + 4, 0x200); /* p_offset */
	put32(img + 52 + 12, 0x100000); /* p_paddr */
	put32(img + 52 + 16, 0x100); /* p_filesz */
	put32(img + 52 + 20, 0x200); /* p_memsz */
	put_header(img + 0x200, MB1_FLAG_PAGE_ALIGN | MB1_FLAG_MEMORY_INFO);
	memset(img + 0x210, 0xab, 0xf0);
	return 0x300;
}

static void setup(void)
{
	if (!gmem)
		gmem = malloc(GUEST_MEM);
	memset(gmem, 0xcc, GUEST_MEM);
}

static void test_elf32_loads_and_info_block(void **state)
{
	static u8 img[0x400];
	struct mb1_image im;
	struct mb1_machine m = { .mem_size = GUEST_MEM,
				 .hole_start = 0xa0000,
				 .hole_end = 0x100000,
				 .cmdline = "scenario=all",
				 .loader_name = "Keel" };
	char err[160];
	size_t len = make_elf32(img, 0x100010);
	u32 mbi, mmap;
	const u8 *e;

	setup();
	assert_int_equal(mb1_parse(img, len, &im, err, sizeof(err)), 0);
	assert_int_equal(im.entry, 0x100010);
	assert_int_equal(im.n_segments, 1);
	assert_false(im.aout);
	assert_int_equal(mb1_load(img, &im, &m, &ops, &mbi, err, sizeof(err)),
			 0);
	/* Segment copied, bss zeroed, nothing beyond touched. */
	assert_memory_equal(gmem + 0x100000, img + 0x200, 0x100);
	assert_int_equal(gmem[0x100100], 0);
	assert_int_equal(gmem[0x1001ff], 0);
	assert_int_equal(gmem[0x100200], 0xcc);
	/* Information block below 640 KiB with the documented fields. */
	assert_true(mbi >= 0x1000 && mbi < 0x9fc00);
	assert_int_equal(get32(gmem + mbi) &
				 (MB1_INFO_MEMORY | MB1_INFO_CMDLINE |
				  MB1_INFO_MEM_MAP),
			 MB1_INFO_MEMORY | MB1_INFO_CMDLINE | MB1_INFO_MEM_MAP);
	assert_false(get32(gmem + mbi) & MB1_INFO_MODS);
	assert_int_equal(get32(gmem + mbi + 4), 639);
	assert_int_equal(get32(gmem + mbi + 8), (GUEST_MEM - 0x100000) / 1024);
	assert_string_equal((char *)gmem + get32(gmem + mbi + 16),
			    "scenario=all");
	assert_string_equal((char *)gmem + get32(gmem + mbi + 64), "Keel");
	/* Memory map: 4 entries, the last covering 1M..top as type 1. */
	assert_int_equal(get32(gmem + mbi + 44), 4 * 24);
	mmap = get32(gmem + mbi + 48);
	e = gmem + mmap + 3 * 24;
	assert_int_equal(get32(e), 20);
	assert_int_equal(get32(e + 4), 0x100000);
	assert_int_equal(get32(e + 12), GUEST_MEM - 0x100000);
	assert_int_equal(get32(e + 20), 1);
	e = gmem + mmap + 1 * 24;
	assert_int_equal(get32(e + 20), 2); /* 0x9fc00-0xa0000 reserved */
}

/* A higher-half kernel: its entry is virtual, translated through the
 * segment that holds it, as GRUB does. */
static void test_elf_higher_half_entry(void **state)
{
	static u8 img[0x400];
	struct mb1_image im;
	char err[160];
	size_t len = make_elf32(img, 0xc0100010);

	put32(img + 52 + 8, 0xc0100000); /* p_vaddr */
	assert_int_equal(mb1_parse(img, len, &im, err, sizeof(err)), 0);
	assert_int_equal(im.entry, 0x100010);
	assert_int_equal(im.seg[0].load_addr, 0x100000);
}

/* The entry in the segment, its bss, or outside it (said at load). */
static void test_entry_in_image(void **state)
{
	static const u32 entries[] = { 0x100000, 0x1001ff, 0x100200, 0xfffff };
	static const bool inside[] = { true, true, false, false };
	static u8 img[0x400];
	struct mb1_image im;
	char err[160];

	for (int i = 0; i < 4; i++) {
		size_t len = make_elf32(img, entries[i]);

		assert_int_equal(mb1_parse(img, len, &im, err, sizeof(err)), 0);
		assert_int_equal(mb1_entry_in_image(&im), inside[i]);
	}
}

static void test_aout_kludge_and_modules(void **state)
{
	static u8 img[0x1000];
	static const u8 modA[100] = { 1, 2, 3 }, modB[5000] = { 9 };
	struct mb1_image im;
	struct mb1_machine m = { .mem_size = GUEST_MEM,
				 .hole_start = 0xa0000,
				 .hole_end = 0x100000,
				 .n_modules = 2 };
	char err[160];
	u32 mbi, mods;

	setup();
	memset(img, 0x5a, sizeof(img));
	/* Header at file offset 0x40; the file loads at 0x200000. */
	put_header(img + 0x40, MB1_FLAG_AOUT_KLUDGE | MB1_FLAG_MEMORY_INFO);
	put32(img + 0x4c, 0x200040); /* header_addr */
	put32(img + 0x50, 0x200000); /* load_addr */
	put32(img + 0x54, 0x200800); /* load_end_addr */
	put32(img + 0x58, 0x201000); /* bss_end_addr */
	put32(img + 0x5c, 0x200060); /* entry */
	m.modules[0] = (struct mb1_module){ modA, sizeof(modA), "first arg" };
	m.modules[1] = (struct mb1_module){ modB, sizeof(modB), "second" };
	assert_int_equal(mb1_parse(img, sizeof(img), &im, err, sizeof(err)), 0);
	assert_true(im.aout);
	assert_int_equal(im.entry, 0x200060);
	assert_int_equal(im.seg[0].file_off, 0);
	assert_int_equal(im.seg[0].file_size, 0x800);
	assert_int_equal(im.seg[0].mem_size, 0x1000);
	assert_int_equal(mb1_load(img, &im, &m, &ops, &mbi, err, sizeof(err)),
			 0);
	assert_int_equal(gmem[0x2007ff], 0x5a);
	assert_int_equal(gmem[0x200800], 0); /* bss */
	assert_true(get32(gmem + mbi) & MB1_INFO_MODS);
	assert_int_equal(get32(gmem + mbi + 20), 2);
	mods = get32(gmem + mbi + 24);
	/* Modules page-aligned after the image, in order, with strings. */
	assert_int_equal(get32(gmem + mods), 0x201000);
	assert_int_equal(get32(gmem + mods + 4), 0x201000 + sizeof(modA));
	assert_string_equal((char *)gmem + get32(gmem + mods + 8), "first arg");
	assert_int_equal(get32(gmem + mods + 16), 0x202000);
	assert_int_equal(get32(gmem + mods + 20), 0x202000 + sizeof(modB));
	assert_memory_equal(gmem + 0x201000, modA, sizeof(modA));
	assert_memory_equal(gmem + 0x202000, modB, sizeof(modB));
}

static void test_rejects_bad_images(void **state)
{
	static u8 img[0x400];
	struct mb1_image im;
	char err[160];
	size_t len;

	/* No header. */
	memset(img, 0, sizeof(img));
	assert_int_equal(mb1_parse(img, sizeof(img), &im, err, sizeof(err)),
			 -ENOENT);
	assert_non_null(strstr(err, "no multiboot header"));
	/* Bad checksum. */
	len = make_elf32(img, 0x100000);
	put32(img + 0x208, 0);
	assert_int_equal(mb1_parse(img, len, &im, err, sizeof(err)), -ENOENT);
	/* A required flag Keel does not know (bit 3). */
	put_header(img + 0x200, BIT(3));
	assert_int_equal(mb1_parse(img, len, &im, err, sizeof(err)), -ENOTSUP);
	/* Header beyond the first 8 KiB is not found. */
	{
		static u8 big[0x3000];

		memset(big, 0, sizeof(big));
		put_header(big + 0x2004, 0);
		assert_int_equal(mb1_parse(big, sizeof(big), &im, err,
					   sizeof(err)),
				 -ENOENT);
	}
	/* ELF: segment past the end of the file. */
	len = make_elf32(img, 0x100000);
	put32(img + 52 + 16, 0x10000);
	assert_int_equal(mb1_parse(img, len, &im, err, sizeof(err)), -EINVAL);
	/* ELF: memsz < filesz. */
	len = make_elf32(img, 0x100000);
	put32(img + 52 + 20, 0x10);
	assert_int_equal(mb1_parse(img, len, &im, err, sizeof(err)), -EINVAL);
	/* ELF: program headers outside the file. */
	len = make_elf32(img, 0x100000);
	put32(img + 28, 0x3f0);
	assert_int_equal(mb1_parse(img, len, &im, err, sizeof(err)), -EINVAL);
	/* Wrong machine. */
	len = make_elf32(img, 0x100000);
	img[18] = 40; /* EM_ARM */
	assert_int_equal(mb1_parse(img, len, &im, err, sizeof(err)), -EINVAL);
	/* a.out kludge whose header_addr is below load_addr. */
	memset(img, 0, sizeof(img));
	put_header(img, MB1_FLAG_AOUT_KLUDGE);
	put32(img + 12, 0x100000);
	put32(img + 16, 0x100100);
	assert_int_equal(mb1_parse(img, sizeof(img), &im, err, sizeof(err)),
			 -EINVAL);
	/* a.out kludge header cut short. */
	assert_int_equal(mb1_parse(img, 20, &im, err, sizeof(err)), -EINVAL);
}

static void put64(u8 *p, u64 v)
{
	memcpy(p, &v, 8);
}

/* An ELF64 executable with one PT_LOAD of 0x100 file bytes at @paddr. */
static size_t make_elf64(u8 *img, u64 paddr, u64 memsz)
{
	memset(img, 0, 0x400);
	memcpy(img, "\177ELF", 4);
	img[4] = 2; /* ELFCLASS64 */
	img[5] = 1; /* little endian */
	img[16] = 2; /* ET_EXEC */
	img[18] = 62; /* EM_X86_64 */
	put64(img + 24, paddr); /* e_entry */
	put64(img + 32, 64); /* e_phoff */
	img[54] = 56; /* e_phentsize */
	img[56] = 1; /* e_phnum */
	put32(img + 64, 1); /* PT_LOAD */
	put64(img + 64 + 8, 0x200); /* p_offset */
	put64(img + 64 + 16, paddr); /* p_vaddr */
	put64(img + 64 + 24, paddr); /* p_paddr */
	put64(img + 64 + 32, 0x100); /* p_filesz */
	put64(img + 64 + 40, memsz); /* p_memsz */
	put_header(img + 0x200, MB1_FLAG_PAGE_ALIGN | MB1_FLAG_MEMORY_INFO);
	return 0x300;
}

/*
 * A segment must end below 4 GiB: one of exactly 4 GiB (p_memsz 2^32 at
 * 0) would not fit the 32-bit size the loader keeps, and pass the RAM
 * and overlap checks as an empty segment while its file bytes load.
 */
static void test_rejects_segment_ending_at_4g(void **state)
{
	static u8 img[0x400];
	struct mb1_image im;
	char err[160];
	size_t len;

	len = make_elf64(img, 0x100000, 0x200);
	assert_int_equal(mb1_parse(img, len, &im, err, sizeof(err)), 0);
	assert_int_equal(im.seg[0].mem_size, 0x200);

	len = make_elf64(img, 0, 0x100000000ULL);
	assert_int_equal(mb1_parse(img, len, &im, err, sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, "not below 4 GiB"));

	len = make_elf64(img, 0xfffff000ULL, 0x1000);
	assert_int_equal(mb1_parse(img, len, &im, err, sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, "not below 4 GiB"));
}

static void test_rejects_segments_outside_ram(void **state)
{
	static u8 img[0x400];
	struct mb1_image im;
	struct mb1_machine m = { .mem_size = GUEST_MEM,
				 .hole_start = 0xa0000,
				 .hole_end = 0x100000 };
	char err[160];
	u32 mbi;
	size_t len;

	setup();
	/* In the legacy hole. */
	len = make_elf32(img, 0xb8000);
	put32(img + 52 + 12, 0xb8000);
	assert_int_equal(mb1_parse(img, len, &im, err, sizeof(err)), 0);
	assert_int_equal(mb1_load(img, &im, &m, &ops, &mbi, err, sizeof(err)),
			 -ERANGE);
	/* Over the EBDA, which the map calls reserved. */
	put32(img + 52 + 12, 0x9fb00);
	assert_int_equal(mb1_parse(img, len, &im, err, sizeof(err)), 0);
	assert_int_equal(mb1_load(img, &im, &m, &ops, &mbi, err, sizeof(err)),
			 -ERANGE);
	/* Past the end of guest RAM. */
	put32(img + 52 + 12, GUEST_MEM - 0x100);
	assert_int_equal(mb1_parse(img, len, &im, err, sizeof(err)), 0);
	assert_int_equal(mb1_load(img, &im, &m, &ops, &mbi, err, sizeof(err)),
			 -ERANGE);
	assert_non_null(strstr(err, "not in the guest's available RAM"));
}

/*
 * Segments anywhere in available RAM load, below 1 MiB included (as
 * kvm-unit-tests' realmode.flat at 0x8000); the information area moves
 * out of their way, and a kernel that leaves it no room is refused.
 */
static void test_low_segments_move_the_info_block(void **state)
{
	static u8 img[0x400];
	struct mb1_image im;
	struct mb1_machine m = { .mem_size = GUEST_MEM,
				 .hole_start = 0xa0000,
				 .hole_end = 0x100000,
				 .cmdline = "low" };
	char err[160];
	u32 mbi;
	size_t len = make_elf32(img, 0x8000);

	setup();
	put32(img + 52 + 12, 0x8000);
	put32(img + 52 + 20, 0x20000); /* 0x8000-0x28000 with bss */
	assert_int_equal(mb1_parse(img, len, &im, err, sizeof(err)), 0);
	assert_int_equal(mb1_load(img, &im, &m, &ops, &mbi, err, sizeof(err)),
			 0);
	assert_memory_equal(gmem + 0x8000, img + 0x200, 0x100);
	assert_true(mbi + 116 <= 0x8000 || mbi >= 0x28000);
	assert_string_equal((char *)gmem + get32(gmem + mbi + 16), "low");
	/* The segment's bss was zeroed, not overwritten by the info block. */
	for (u32 a = 0x8100; a < 0x28000; a++)
		assert_int_equal(gmem[a], 0);

	/* Low memory full: refused with the reason. */
	put32(img + 52 + 12, 0x1000);
	put32(img + 52 + 20, 0x9e000);
	assert_int_equal(mb1_parse(img, len, &im, err, sizeof(err)), 0);
	assert_int_equal(mb1_load(img, &im, &m, &ops, &mbi, err, sizeof(err)),
			 -ENOSPC);
	assert_non_null(strstr(err, "no room below 640 KiB"));
}

static u32 rng_state = 12345;

static u32 rng(void)
{
	rng_state = rng_state * 1103515245u + 12345u;
	return rng_state >> 8;
}

/* Mutated images never crash the parser or make the loader write outside
 * guest memory (the write callback checks bounds; ASan checks the rest). */
static void test_fuzz_mutations(void **state)
{
	static u8 base[0x400], img[0x400];
	struct mb1_machine m = { .mem_size = GUEST_MEM,
				 .hole_start = 0xa0000,
				 .hole_end = 0x100000,
				 .cmdline = "x" };
	size_t len = make_elf32(base, 0x100000);

	setup();
	for (int i = 0; i < 5000; i++) {
		struct mb1_image im;
		char err[160];
		u32 mbi;

		memcpy(img, base, sizeof(img));
		for (int k = 0; k < 1 + (int)(rng() % 6); k++)
			img[rng() % 0x240] = (u8)rng();
		if (!mb1_parse(img, rng() % 4 ? len : rng() % len, &im, err,
			       sizeof(err)))
			mb1_load(img, &im, &m, &ops, &mbi, err, sizeof(err));
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_elf32_loads_and_info_block),
		cmocka_unit_test(test_elf_higher_half_entry),
		cmocka_unit_test(test_aout_kludge_and_modules),
		cmocka_unit_test(test_entry_in_image),
		cmocka_unit_test(test_rejects_bad_images),
		cmocka_unit_test(test_rejects_segment_ending_at_4g),
		cmocka_unit_test(test_rejects_segments_outside_ram),
		cmocka_unit_test(test_low_segments_move_the_info_block),
		cmocka_unit_test(test_fuzz_mutations),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
