// SPDX-License-Identifier: MIT
/*
 * Host tests for the Linux boot protocol loader: the setup header checks
 * on good and malformed images (truncated, bad magic, old protocol, huge
 * sizes, bad alignment), placement of the kernel and initrd, and the zero
 * page, e820 map, command line and GDT written into a fake guest memory.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <stdlib.h>
#include <string.h>

#include "vm/linux_boot.h"

#define GUEST_MEM (64u << 20)
#define KERNEL_LEN 0x3000u
#define IMG_LEN (1024 + KERNEL_LEN)
static u8 *gmem;
static u8 img[IMG_LEN + 512];
static char err[200];

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

static void put16(u8 *p, u16 v)
{
	memcpy(p, &v, 2);
}

static void put32(u8 *p, u32 v)
{
	memcpy(p, &v, 4);
}

static void put64(u8 *p, u64 v)
{
	memcpy(p, &v, 8);
}

static u16 get16(const u8 *p)
{
	u16 v;

	memcpy(&v, p, 2);
	return v;
}

static u32 get32(const u8 *p)
{
	u32 v;

	memcpy(&v, p, 4);
	return v;
}

static u64 get64(const u8 *p)
{
	u64 v;

	memcpy(&v, p, 8);
	return v;
}

/*
 * A bzImage as Debian 6.1's reads, shrunk: one setup sector after the
 * boot sector, protocol 2.15, header to 0x26c, relocatable, 2 MiB
 * alignment, preferred at 16 MiB, needing 32 MiB.
 */
static void make_image(void)
{
	memset(img, 0, sizeof(img));
	img[LX_SETUP_SECTS] = 1;
	put32(img + LX_SYSSIZE, KERNEL_LEN / 16);
	put16(img + LX_BOOT_FLAG, 0xaa55);
	img[LX_JUMP] = 0xeb;
	img[LX_JUMP + 1] = 0x6a;
	memcpy(img + LX_HEADER, "HdrS", 4);
	put16(img + LX_VERSION, 0x020f);
	img[LX_LOADFLAGS] = LX_LOADED_HIGH;
	put32(img + LX_CODE32_START, 0x100000);
	put32(img + LX_INITRD_ADDR_MAX, 0x7fffffff);
	put32(img + LX_KERNEL_ALIGNMENT, 0x200000);
	img[LX_RELOCATABLE] = 1;
	img[LX_MIN_ALIGNMENT] = 21;
	put16(img + LX_XLOADFLAGS, 0x7f);
	put32(img + LX_CMDLINE_SIZE, 2047);
	put64(img + LX_PREF_ADDRESS, 0x1000000);
	put32(img + LX_INIT_SIZE, 0x2000000);
	for (u32 i = 0; i < KERNEL_LEN; i++)
		img[1024 + i] = (u8)(i * 7 + 3);
}

static int setup(void **state)
{
	gmem = calloc(1, GUEST_MEM);
	make_image();
	err[0] = 0;
	return gmem ? 0 : -1;
}

static int teardown(void **state)
{
	free(gmem);
	return 0;
}

static void expect_refused(size_t len, const char *why)
{
	struct lx_image im;

	assert_int_equal(lx_parse(img, len, &im, err, sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, why));
}

static void test_parse_good(void **state)
{
	struct lx_image im;

	assert_true(lx_is_bzimage(img, IMG_LEN));
	assert_int_equal(lx_parse(img, IMG_LEN, &im, err, sizeof(err)), 0);
	assert_int_equal(im.version, 0x020f);
	assert_int_equal(im.hdr_end, 0x26c);
	assert_int_equal(im.kernel_off, 1024);
	assert_int_equal(im.kernel_len, KERNEL_LEN);
	assert_true(im.relocatable);
	assert_int_equal(im.kernel_alignment, 0x200000);
	assert_int_equal(im.pref_address, 0x1000000);
	assert_int_equal(im.init_size, 0x2000000);
	assert_int_equal(im.cmdline_size, 2047);
	assert_int_equal(im.xloadflags & LX_XLF_KERNEL_64, LX_XLF_KERNEL_64);
}

/* setup_sects 0 means 4: the kernel then starts at 5 * 512. */
static void test_setup_sects_zero(void **state)
{
	struct lx_image im;

	img[LX_SETUP_SECTS] = 0;
	put32(img + LX_SYSSIZE, (IMG_LEN - 5 * 512) / 16);
	assert_int_equal(lx_parse(img, IMG_LEN, &im, err, sizeof(err)), 0);
	assert_int_equal(im.kernel_off, 5 * 512);
}

static void test_bad_magic(void **state)
{
	img[LX_HEADER] = 'h';
	assert_false(lx_is_bzimage(img, IMG_LEN));
	expect_refused(IMG_LEN, "HdrS");
}

static void test_truncated(void **state)
{
	/* Too short for the magic, for the header, for the kernel. */
	assert_false(lx_is_bzimage(img, LX_HEADER + 3));
	expect_refused(LX_HEADER + 3, "HdrS");
	expect_refused(0x260, "setup header ends");
	expect_refused(IMG_LEN - 1, "syssize");
	expect_refused(1024, "syssize");
}

/*
 * A file that ends right after "HdrS" (or one byte later) has no version
 * field: it is refused without reading past its end. The copy is exactly
 * that long, so ASan sees any read beyond it.
 */
static void test_truncated_version(void **state)
{
	struct lx_image im;

	for (size_t len = LX_HEADER + 4; len < LX_VERSION + 2; len++) {
		u8 *cut = malloc(len);

		assert_non_null(cut);
		memcpy(cut, img, len);
		assert_true(lx_is_bzimage(cut, len));
		assert_int_equal(lx_parse(cut, len, &im, err, sizeof(err)),
				 -EINVAL);
		assert_non_null(strstr(err, "version"));
		free(cut);
	}
}

static void test_old_protocol(void **state)
{
	put16(img + LX_VERSION, 0x0209);
	expect_refused(IMG_LEN, "2.09 is too old");
}

static void test_header_end(void **state)
{
	img[LX_JUMP + 1] = 0x50; /* ends at 0x252: before init_size */
	expect_refused(IMG_LEN, "setup header ends at 0x252");
	img[LX_JUMP + 1] = 0xa0; /* past the header area of boot_params */
	expect_refused(IMG_LEN, "setup header ends at 0x2a2");
}

static void test_boot_flag(void **state)
{
	put16(img + LX_BOOT_FLAG, 0);
	expect_refused(IMG_LEN, "boot_flag");
}

static void test_zimage(void **state)
{
	img[LX_LOADFLAGS] = 0;
	expect_refused(IMG_LEN, "LOADED_HIGH");
}

static void test_huge_sizes(void **state)
{
	put32(img + LX_SYSSIZE, 0xffffffff);
	expect_refused(IMG_LEN, "syssize");
	put32(img + LX_SYSSIZE, 0);
	expect_refused(IMG_LEN, "syssize");
	make_image();
	img[LX_SETUP_SECTS] = 0xff; /* setup larger than the file */
	expect_refused(IMG_LEN, "setup_sects 255");
}

static void test_alignment(void **state)
{
	put32(img + LX_KERNEL_ALIGNMENT, 0x300000);
	expect_refused(IMG_LEN, "kernel_alignment 0x300000");
	put32(img + LX_KERNEL_ALIGNMENT, 0);
	expect_refused(IMG_LEN, "kernel_alignment 0 ");
	put32(img + LX_KERNEL_ALIGNMENT, 0x800);
	expect_refused(IMG_LEN, "kernel_alignment 0x800");
	put32(img + LX_KERNEL_ALIGNMENT, 0x100000);
	expect_refused(IMG_LEN, "min_alignment 21"); /* 2 MiB > 1 MiB */
}

static void test_pref_address(void **state)
{
	put64(img + LX_PREF_ADDRESS, 0x1100000); /* not 2 MiB aligned */
	expect_refused(IMG_LEN, "pref_address 0x1100000");
	put64(img + LX_PREF_ADDRESS, 0x80000);
	expect_refused(IMG_LEN, "pref_address 0x80000");
	put64(img + LX_PREF_ADDRESS, 0x100000000ULL);
	expect_refused(IMG_LEN, "pref_address 0x100000000");
}

static void test_init_size_small(void **state)
{
	put32(img + LX_INIT_SIZE, KERNEL_LEN - 16);
	expect_refused(IMG_LEN, "init_size");
}

static struct lx_machine machine(void)
{
	return (struct lx_machine){ .mem_size = GUEST_MEM,
				    .cmdline = "console=ttyS0" };
}

static void test_place_pref(void **state)
{
	struct lx_machine m = machine();
	struct lx_image im;
	struct lx_layout lay;

	assert_int_equal(lx_parse(img, IMG_LEN, &im, err, sizeof(err)), 0);
	assert_int_equal(lx_place(&im, &m, &lay, err, sizeof(err)), 0);
	assert_int_equal(lay.kernel, 0x1000000);
	assert_int_equal(lay.zero_page, LX_ZERO_PAGE_GPA);
}

/* A relocatable kernel that does not fit at pref_address goes low. */
static void test_place_relocated(void **state)
{
	struct lx_machine m = machine();
	struct lx_image im;
	struct lx_layout lay;

	put32(img + LX_INIT_SIZE, GUEST_MEM - 0x1000000 + 0x1000);
	assert_int_equal(lx_parse(img, IMG_LEN, &im, err, sizeof(err)), 0);
	assert_int_equal(lx_place(&im, &m, &lay, err, sizeof(err)), 0);
	assert_int_equal(lay.kernel, 0x200000);
	img[LX_RELOCATABLE] = 0;
	assert_int_equal(lx_parse(img, IMG_LEN, &im, err, sizeof(err)), 0);
	assert_int_equal(lx_place(&im, &m, &lay, err, sizeof(err)), -ERANGE);
	assert_non_null(strstr(err, "raise guest_mem="));
}

static void test_place_huge_init_size(void **state)
{
	struct lx_machine m = machine();
	struct lx_image im;
	struct lx_layout lay;

	put32(img + LX_INIT_SIZE, 0xffffffff);
	assert_int_equal(lx_parse(img, IMG_LEN, &im, err, sizeof(err)), 0);
	assert_int_equal(lx_place(&im, &m, &lay, err, sizeof(err)), -ERANGE);
	assert_non_null(strstr(err, "init_size"));
}

static void test_place_initrd(void **state)
{
	static u8 rd[10000];
	struct lx_machine m = machine();
	struct lx_image im;
	struct lx_layout lay;

	m.initrd = rd;
	m.initrd_len = sizeof(rd);
	assert_int_equal(lx_parse(img, IMG_LEN, &im, err, sizeof(err)), 0);
	assert_int_equal(lx_place(&im, &m, &lay, err, sizeof(err)), 0);
	/* As high as it goes, page-aligned, inside RAM. */
	assert_int_equal(lay.initrd, (GUEST_MEM - sizeof(rd)) & ~0xfffu);
	/* initrd_addr_max caps it. */
	put32(img + LX_INITRD_ADDR_MAX, 0x2ffffff); /* below the kernel end */
	assert_int_equal(lx_parse(img, IMG_LEN, &im, err, sizeof(err)), 0);
	assert_int_equal(lx_place(&im, &m, &lay, err, sizeof(err)), -ERANGE);
	assert_non_null(strstr(err, "initrd"));
	make_image();
	put32(img + LX_INITRD_ADDR_MAX, 0x37ffffff);
	assert_int_equal(lx_parse(img, IMG_LEN, &im, err, sizeof(err)), 0);
	assert_int_equal(lx_place(&im, &m, &lay, err, sizeof(err)), 0);
	assert_true(lay.initrd + sizeof(rd) <= 0x38000000u);
	/* One that cannot fit above the kernel is refused. */
	m.initrd_len = GUEST_MEM - 0x2000000;
	assert_int_equal(lx_place(&im, &m, &lay, err, sizeof(err)), -ERANGE);
	m.initrd_len = (size_t)-1;
	assert_int_equal(lx_place(&im, &m, &lay, err, sizeof(err)), -ERANGE);
}

static void test_cmdline_too_long(void **state)
{
	static char cl[3000];
	struct lx_machine m = machine();
	struct lx_image im;
	struct lx_layout lay;

	memset(cl, 'a', sizeof(cl) - 1);
	m.cmdline = cl;
	assert_int_equal(lx_parse(img, IMG_LEN, &im, err, sizeof(err)), 0);
	assert_int_equal(lx_place(&im, &m, &lay, err, sizeof(err)), -ERANGE);
	assert_non_null(strstr(err, "takes 2047"));
	cl[2047] = 0;
	assert_int_equal(lx_place(&im, &m, &lay, err, sizeof(err)), 0);
}

static void test_e820(void **state)
{
	u8 e[LX_E820_MAX * LX_E820_ENTRY_SIZE];
	const u64 want[4][3] = {
		{ 0, 0x9fc00, LX_E820_RAM },
		{ 0x9fc00, 0x400, LX_E820_RESERVED },
		{ 0xe0000, 0x20000, LX_E820_RESERVED },
		{ 0x100000, GUEST_MEM - 0x100000, LX_E820_RAM },
	};

	assert_int_equal(lx_e820(GUEST_MEM, e), 4);
	for (int i = 0; i < 4; i++) {
		const u8 *p = e + i * LX_E820_ENTRY_SIZE;

		assert_int_equal(get64(p), want[i][0]);
		assert_int_equal(get64(p + 8), want[i][1]);
		assert_int_equal(get32(p + 16), want[i][2]);
	}
}

static void test_load(void **state)
{
	static u8 rd[5000];
	struct lx_machine m = machine();
	struct lx_image im;
	struct lx_layout lay;
	const u8 *zp = gmem + LX_ZERO_PAGE_GPA;
	const u8 *gdt = gmem + LX_GDT_GPA;

	memset(rd, 0x5a, sizeof(rd));
	m.initrd = rd;
	m.initrd_len = sizeof(rd);
	m.rsdp = 0xe0000;
	memset(gmem, 0xcc, 0x10000); /* the zero page must be cleared */
	assert_int_equal(lx_parse(img, IMG_LEN, &im, err, sizeof(err)), 0);
	assert_int_equal(lx_load(img, &im, &m, &ops, &lay, err, sizeof(err)),
			 0);
	assert_memory_equal(gmem + 0x1000000, img + 1024, KERNEL_LEN);
	assert_memory_equal(gmem + lay.initrd, rd, sizeof(rd));
	assert_string_equal((char *)gmem + LX_CMDLINE_GPA, "console=ttyS0");
	/* The header is copied from 0x1f1 to its end, nothing beyond. */
	assert_memory_equal(zp + 0x1f1, img + 0x1f1, 0x210 - 0x1f1);
	assert_int_equal(get32(zp + LX_HEADER), 0x53726448);
	assert_int_equal(get16(zp + LX_VERSION), 0x020f);
	assert_int_equal(get32(zp + LX_INIT_SIZE), 0x2000000);
	assert_int_equal(zp[0x26c], 0);
	assert_int_equal(zp[LX_ZP_SENTINEL], 0);
	assert_int_equal(zp[0], 0); /* screen_info: no VGA */
	/* What the loader fills in. */
	assert_int_equal(zp[LX_TYPE_OF_LOADER], 0xff);
	assert_int_equal(zp[LX_LOADFLAGS], LX_LOADED_HIGH | LX_CAN_USE_HEAP);
	assert_int_equal(get16(zp + LX_HEAP_END_PTR), 0xde00);
	assert_int_equal(get32(zp + LX_CODE32_START), 0x1000000);
	assert_int_equal(get32(zp + LX_CMD_LINE_PTR), LX_CMDLINE_GPA);
	assert_int_equal(get32(zp + LX_RAMDISK_IMAGE), lay.initrd);
	assert_int_equal(get32(zp + LX_RAMDISK_SIZE), sizeof(rd));
	assert_int_equal(get64(zp + LX_ZP_ACPI_RSDP_ADDR), 0xe0000);
	assert_int_equal(get32(zp + LX_ZP_EXT_RAMDISK_IMAGE), 0);
	assert_int_equal(get32(zp + LX_ZP_EXT_CMD_LINE_PTR), 0);
	assert_int_equal(zp[LX_ZP_E820_ENTRIES], 4);
	assert_int_equal(get64(zp + LX_ZP_E820_TABLE + 3 * 20 + 8),
			 GUEST_MEM - 0x100000);
	/* The 32-bit protocol's __BOOT_CS and __BOOT_DS: flat 4 GiB. */
	assert_int_equal(get64(gdt), 0);
	assert_int_equal(get64(gdt + LX_BOOT_CS), 0x00cf9a000000ffffULL);
	assert_int_equal(get64(gdt + LX_BOOT_DS), 0x00cf92000000ffffULL);
}

/* A failing guest-memory write (here: RAM the callback lacks) is reported. */
static void test_load_write_fails(void **state)
{
	static u8 rd[100];
	struct lx_machine m = machine();
	struct lx_image im;
	struct lx_layout lay;

	m.mem_size = 2ULL * GUEST_MEM;
	m.initrd = rd;
	m.initrd_len = sizeof(rd);
	assert_int_equal(lx_parse(img, IMG_LEN, &im, err, sizeof(err)), 0);
	assert_int_equal(lx_load(img, &im, &m, &ops, &lay, err, sizeof(err)),
			 -EFAULT);
	assert_non_null(strstr(err, "writing guest memory failed"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)
		T(test_parse_good),
		T(test_setup_sects_zero),
		T(test_bad_magic),
		T(test_truncated),
		T(test_truncated_version),
		T(test_old_protocol),
		T(test_header_end),
		T(test_boot_flag),
		T(test_zimage),
		T(test_huge_sizes),
		T(test_alignment),
		T(test_pref_address),
		T(test_init_size_small),
		T(test_place_pref),
		T(test_place_relocated),
		T(test_place_huge_init_size),
		T(test_place_initrd),
		T(test_cmdline_too_long),
		T(test_e820),
		T(test_load),
		T(test_load_write_fails),
#undef T
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
