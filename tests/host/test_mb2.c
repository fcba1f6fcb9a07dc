// SPDX-License-Identifier: MIT
/*
 * Host tests of the multiboot2 parser: the tag lists GRUB really hands over
 * under SeaBIOS and OVMF (see emulator-facts.md), malformed lists, and a
 * fuzz-style loop of random and mutated blobs under ASan/UBSan.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <stdlib.h>
#include <string.h>

#include "boot/boot.h"

/* A multiboot2 information block under construction. */
struct blob {
	u64 buf[4096]; /* u64: keeps the block 8-byte aligned */
	u32 len;
};

static u8 *bytes(struct blob *b)
{
	return (u8 *)b->buf;
}

static void put32(struct blob *b, u32 off, u32 v)
{
	memcpy(bytes(b) + off, &v, 4);
}

static void put64(struct blob *b, u32 off, u64 v)
{
	memcpy(bytes(b) + off, &v, 8);
}

static void blob_init(struct blob *b)
{
	memset(b, 0, sizeof(*b));
	b->len = 8;
}

/* Append a tag with @n payload bytes; returns its offset. Pads to 8. */
static u32 tag(struct blob *b, u32 type, const void *payload, u32 n)
{
	u32 off = b->len;

	put32(b, off, type);
	put32(b, off + 4, 8 + n);
	if (n)
		memcpy(bytes(b) + off + 8, payload, n);
	b->len = (off + 8 + n + 7) & ~7u;
	return off;
}

static void blob_end(struct blob *b)
{
	tag(b, 0, NULL, 0);
	put32(b, 0, b->len);
}

static u32 tag_str(struct blob *b, u32 type, const char *s)
{
	return tag(b, type, s, strlen(s) + 1);
}

static u32 tag_u32s(struct blob *b, u32 type, const u32 *v, u32 n)
{
	return tag(b, type, v, n * 4);
}

struct mmap_e {
	u64 base, len;
	u32 type, rsvd;
};

static u32 tag_mmap(struct blob *b, const struct mmap_e *e, u32 n, u32 esz)
{
	u8 p[512] = { 0 };
	u32 i;

	memcpy(p, &esz, 4);
	for (i = 0; i < n; i++)
		memcpy(p + 8 + i * esz, &e[i], sizeof(e[i]));
	return tag(b, 6, p, 8 + n * esz);
}

struct efi_d {
	u32 type, pad;
	u64 phys, virt, pages, attr;
	u64 extra; /* OVMF uses 48-byte descriptors */
};

static u32 tag_efi_mmap(struct blob *b, const struct efi_d *d, u32 n)
{
	u8 p[1024] = { 0 };
	u32 dsz = sizeof(struct efi_d), ver = 1, i;

	memcpy(p, &dsz, 4);
	memcpy(p + 4, &ver, 4);
	for (i = 0; i < n; i++)
		memcpy(p + 8 + i * dsz, &d[i], dsz);
	return tag(b, 17, p, 8 + n * dsz);
}

static void common_head(struct blob *b)
{
	u32 base = 0x200000;

	tag_u32s(b, 21, &base, 1);
	tag_str(b, 1, "console=com1,115200 loglevel=7");
	tag_str(b, 2, "GRUB 2.06");
}

static void rsdp_tag(struct blob *b, u32 type, u32 len)
{
	u8 r[36] = "RSD PTR ";

	r[15] = type == 15 ? 2 : 0;
	tag(b, type, r, len);
}

/* SeaBIOS order: 21, 1, 2, 10, 6, 9, 4, 5, 8, 14, end. */
static void build_bios(struct blob *b)
{
	static const struct mmap_e map[] = {
		{ 0, 0x9fc00, 1, 0 },	       { 0x9fc00, 0x400, 2, 0 },
		{ 0xf0000, 0x10000, 2, 0 },    { 0x100000, 0x1fee0000, 1, 0 },
		{ 0x1ffe0000, 0x20000, 2, 0 }, { 0xfffc0000, 0x40000, 2, 0 },
	};
	u32 apm[5] = { 0 }, mem[2] = { 639, 523136 },
	    bootdev[3] = { 0xe0, ~0u, ~0u };
	u8 fb[24] = { 0 }, elf[12] = { 0 };
	u64 fbaddr = 0xb8000;
	u32 w = 80, h = 25, pitch = 160;

	blob_init(b);
	common_head(b);
	tag_u32s(b, 10, apm, 5);
	tag_mmap(b, map, ARRAY_SIZE(map), 24);
	tag(b, 9, elf, sizeof(elf));
	tag_u32s(b, 4, mem, 2);
	tag_u32s(b, 5, bootdev, 3);
	memcpy(fb, &fbaddr, 8);
	memcpy(fb + 8, &pitch, 4);
	memcpy(fb + 12, &w, 4);
	memcpy(fb + 16, &h, 4);
	fb[20] = 16;
	fb[21] = 2; /* EGA text */
	tag(b, 8, fb, 24);
	rsdp_tag(b, 14, 20);
	blob_end(b);
}

/* OVMF order: 21, 1, 2, 6, 9, 4, 12, 14, 15, 17, end. */
static void build_uefi(struct blob *b, bool with_mmap)
{
	static const struct mmap_e map[] = {
		{ 0, 0xa0000, 1, 0 },	       { 0x100000, 0x700000, 1, 0 },
		{ 0x800000, 0x8000, 4, 0 },    { 0x808000, 0x1f000000, 1, 0 },
		{ 0x1f808000, 0x2000, 20, 0 }, /* GRUB: EFI runtime code */
		{ 0x1fb00000, 0x80000, 3, 0 },
	};
	static const struct efi_d efi[] = {
		{ .type = 7, .phys = 0, .pages = 0xa0 },
		{ .type = 7, .phys = 0x100000, .pages = 0x700 },
		{ .type = 10, .phys = 0x800000, .pages = 8 },
		{ .type = 4, .phys = 0x808000, .pages = 0x100 },
		{ .type = 7, .phys = 0x908000, .pages = 0x1000 },
		{ .type = 2, .phys = 0x1908000, .pages = 0x10 },
		{ .type = 5, .phys = 0x1f808000, .pages = 2 },
		{ .type = 9, .phys = 0x1fb00000, .pages = 0x80 },
		{ .type = 11, .phys = 0xffc00000, .pages = 0x400 },
		{ .type = 8, .phys = 0x2fb00000, .pages = 1 },
	};
	u32 mem[2] = { 640, 0 }, elf[3] = { 0 };
	u64 systab = 0x1f9ee018;

	blob_init(b);
	common_head(b);
	if (with_mmap)
		tag_mmap(b, map, ARRAY_SIZE(map), 24);
	tag_u32s(b, 9, elf, 3);
	tag_u32s(b, 4, mem, 2);
	tag(b, 12, &systab, 8);
	rsdp_tag(b, 14, 20);
	rsdp_tag(b, 15, 36);
	tag_efi_mmap(b, efi, ARRAY_SIZE(efi));
	blob_end(b);
}

static struct boot_info bi;
static char err[160];

static int parse(struct blob *b)
{
	return mb2_parse(b->buf, b->len, &bi, err, sizeof(err));
}

static void test_bios(void **state)
{
	struct blob b;

	build_bios(&b);
	assert_int_equal(parse(&b), 0);
	assert_string_equal(err, "");
	assert_string_equal(bi.cmdline, "console=com1,115200 loglevel=7");
	assert_string_equal(bi.loader_name, "GRUB 2.06");
	assert_true(bi.have_load_base);
	assert_int_equal(bi.load_base, 0x200000);
	assert_int_equal(bi.n_mmap, 6);
	assert_int_equal(bi.mmap[3].base, 0x100000);
	assert_int_equal(bi.mmap[3].len, 0x1fee0000);
	assert_int_equal(bi.mmap[3].type, MEM_AVAILABLE);
	assert_int_equal(bi.mmap[5].type, MEM_RESERVED);
	assert_false(bi.have_efi_mmap);
	assert_true(bi.have_basic_mem);
	assert_int_equal(bi.mem_lower_kb, 639);
	assert_int_equal(bi.mem_upper_kb, 523136);
	assert_true(bi.have_fb);
	assert_int_equal(bi.fb.addr, 0xb8000);
	assert_int_equal(bi.fb.width, 80);
	assert_int_equal(bi.fb.height, 25);
	assert_int_equal(bi.fb.pitch, 160);
	assert_int_equal(bi.fb.bpp, 16);
	assert_int_equal(bi.fb.type, 2);
	assert_non_null(bi.rsdp_v1);
	assert_memory_equal(bi.rsdp_v1, "RSD PTR ", 8);
	assert_null(bi.rsdp_v2);
	assert_false(bi.have_efi64_systab);
	assert_int_equal(bi.mbi_size, b.len);
	assert_ptr_equal((void *)(uintptr_t)bi.mbi_phys, b.buf);
}

static void test_uefi(void **state)
{
	struct blob b;

	build_uefi(&b, true);
	assert_int_equal(parse(&b), 0);
	/* Tag 6 wins over tag 17; GRUB's type 20 is kept as is. */
	assert_int_equal(bi.n_mmap, 6);
	assert_int_equal(bi.mmap[4].type, 20);
	assert_int_equal(bi.mmap[4].base, 0x1f808000);
	assert_true(bi.have_efi_mmap);
	assert_int_equal(bi.efi_desc_size, sizeof(struct efi_d));
	assert_int_equal(bi.efi_desc_ver, 1);
	assert_int_equal(bi.efi_mmap_size, 10 * sizeof(struct efi_d));
	assert_true(bi.have_efi64_systab);
	assert_int_equal(bi.efi64_systab, 0x1f9ee018);
	assert_non_null(bi.rsdp_v1);
	assert_non_null(bi.rsdp_v2);
	assert_int_equal(bi.rsdp_v2_len, 36);
	assert_int_equal(((const u8 *)bi.rsdp_v2)[15], 2);
	assert_false(bi.have_fb);
	assert_false(bi.efi_bs_not_terminated);
}

/*
 * An RGB framebuffer tag as GRUB writes it under OVMF: 38 bytes, the
 * colour fields after a u16 reserved.
 */
static void test_rgb_framebuffer(void **state)
{
	struct blob b;
	u8 fb[30] = { 0 };
	u64 fbaddr = 0x80000000;
	u32 w = 1024, h = 768, pitch = 4096;
	static const u8 colour[6] = { 16, 8, 8, 8, 0, 8 };

	blob_init(&b);
	common_head(&b);
	memcpy(fb, &fbaddr, 8);
	memcpy(fb + 8, &pitch, 4);
	memcpy(fb + 12, &w, 4);
	memcpy(fb + 16, &h, 4);
	fb[20] = 32;
	fb[21] = FB_TYPE_RGB;
	memcpy(fb + 24, colour, sizeof(colour));
	tag(&b, 8, fb, sizeof(fb));
	blob_end(&b);
	assert_int_equal(parse(&b), 0);
	assert_true(bi.have_fb);
	assert_true(bi.fb.have_rgb);
	assert_int_equal(bi.fb.addr, 0x80000000);
	assert_int_equal(bi.fb.pitch, 4096);
	assert_int_equal(bi.fb.bpp, 32);
	assert_int_equal(bi.fb.red_pos, 16);
	assert_int_equal(bi.fb.red_size, 8);
	assert_int_equal(bi.fb.green_pos, 8);
	assert_int_equal(bi.fb.blue_pos, 0);
	assert_int_equal(bi.fb.blue_size, 8);

	/* Cut before the colour fields: still a framebuffer, colour unknown. */
	blob_init(&b);
	common_head(&b);
	tag(&b, 8, fb, 24);
	blob_end(&b);
	assert_int_equal(parse(&b), 0);
	assert_true(bi.have_fb);
	assert_false(bi.fb.have_rgb);
}

static void test_uefi_efi_mmap_only(void **state)
{
	struct blob b;

	build_uefi(&b, false);
	assert_int_equal(parse(&b), 0);
	/*
	 * 0-0xa0000 avail; 0x100000 avail 0x700000; NVS 8 pages; then BS data +
	 * conventional + loader data merge into one available range; runtime
	 * code reserved; ACPI reclaim; MMIO reserved; unusable reserved.
	 */
	assert_int_equal(bi.n_mmap, 8);
	assert_int_equal(bi.mmap[0].type, MEM_AVAILABLE);
	assert_int_equal(bi.mmap[0].len, 0xa0000);
	assert_int_equal(bi.mmap[2].type, MEM_NVS);
	assert_int_equal(bi.mmap[2].len, 0x8000);
	assert_int_equal(bi.mmap[3].type, MEM_AVAILABLE);
	assert_int_equal(bi.mmap[3].base, 0x808000);
	assert_int_equal(bi.mmap[3].len, (0x100 + 0x1000 + 0x10) << 12);
	assert_int_equal(bi.mmap[4].type, MEM_RESERVED);
	assert_int_equal(bi.mmap[5].type, MEM_ACPI_RECLAIMABLE);
	assert_int_equal(bi.mmap[6].type, MEM_RESERVED);
	assert_int_equal(bi.mmap[6].len, 0x400000);
	assert_int_equal(bi.mmap[7].type, MEM_RESERVED);
}

static void test_efi_bs_and_unknown_tag(void **state)
{
	struct blob b;
	u8 junk[13] = { 1, 2, 3 };

	blob_init(&b);
	tag(&b, 18, NULL, 0);
	tag(&b, 0x1234, junk, sizeof(junk)); /* unknown: skipped */
	tag(&b, 20, junk, 8);
	tag_str(&b, 1, "x");
	blob_end(&b);
	assert_int_equal(parse(&b), 0);
	assert_true(bi.efi_bs_not_terminated);
	assert_string_equal(bi.cmdline, "x");
	assert_string_equal(bi.loader_name, "");
	assert_int_equal(bi.n_mmap, 0);
}

static void test_modules(void **state)
{
	struct blob b;
	u8 m[32] = { 0 };
	u32 s = 0x1000000, e = 0x1200000;

	blob_init(&b);
	memcpy(m, &s, 4);
	memcpy(m + 4, &e, 4);
	strcpy((char *)m + 8, "guest console=ttyS0");
	tag(&b, 3, m, 8 + strlen((char *)m + 8) + 1);
	blob_end(&b);
	assert_int_equal(parse(&b), 0);
	assert_int_equal(bi.n_modules, 1);
	assert_int_equal(bi.modules[0].start, 0x1000000);
	assert_int_equal(bi.modules[0].end, 0x1200000);
	assert_string_equal(bi.modules[0].cmdline, "guest console=ttyS0");
}

/* Expect a failure whose message names @what. */
static void expect_err(struct blob *b, size_t limit, const char *what)
{
	int ret = mb2_parse(b->buf, limit, &bi, err, sizeof(err));

	assert_int_not_equal(ret, 0);
	assert_true(ret < 0);
	if (!strstr(err, what))
		fail_msg("error '%s' does not mention '%s'", err, what);
}

static void test_truncated_total(void **state)
{
	struct blob b;

	build_bios(&b);
	expect_err(&b, b.len - 8, "exceeds limit");
	expect_err(&b, 4, "too small");
	put32(&b, 0, 12);
	expect_err(&b, b.len, "too small for an end tag");
	/* total_size cut in the middle of the list: end tag missing. */
	build_bios(&b);
	put32(&b, 0, 64);
	expect_err(&b, b.len, "offset 0x");
}

static void test_tag_past_end(void **state)
{
	struct blob b;
	u32 off;

	blob_init(&b);
	off = tag_str(&b, 1, "abc");
	blob_end(&b);
	put32(&b, off + 4, 0x1000);
	expect_err(&b, b.len, "tag 1 (cmdline) at offset 0x8: size 4096 past");
}

static void test_tag_too_small(void **state)
{
	struct blob b;
	u32 off;
	u8 p[8] = { 0 };

	blob_init(&b);
	off = tag(&b, 6, p, 8);
	blob_end(&b);
	put32(&b, off + 4, 12);
	expect_err(&b, b.len, "tag 6 (mmap) at offset 0x8: size 12 smaller");

	blob_init(&b);
	tag(&b, 3, p, 8); /* module without string */
	blob_end(&b);
	expect_err(&b, b.len, "tag 3 (module)");

	blob_init(&b);
	tag(&b, 15, p, 8); /* RSDP v2 copy shorter than 36 bytes */
	blob_end(&b);
	expect_err(&b, b.len, "tag 15 (acpi new rsdp)");

	blob_init(&b);
	off = tag(&b, 2, "ab", 3);
	blob_end(&b);
	put32(&b, off + 4, 4); /* below the header size */
	expect_err(&b, b.len, "tag 2 (loader name)");
}

static void test_misaligned(void **state)
{
	struct blob b;
	u8 *copy;

	build_bios(&b);
	copy = malloc(b.len + 4);
	memcpy(copy + 4, b.buf, b.len);
	assert_int_not_equal(mb2_parse(copy + 4, b.len, &bi, err, sizeof(err)),
			     0);
	assert_non_null(strstr(err, "aligned"));
	free(copy);

	/* A tag placed without padding: the next one is read from garbage. */
	blob_init(&b);
	tag_str(&b, 1, "abcd"); /* 13 bytes, padded to 16 */
	b.len -= 3;
	put32(&b, b.len, 0);
	put32(&b, b.len + 4, 8);
	b.len += 8;
	put32(&b, 0, b.len);
	expect_err(&b, b.len, "missing end tag");
}

static void test_missing_end(void **state)
{
	struct blob b;

	blob_init(&b);
	tag_str(&b, 1, "abc");
	put32(&b, 0, b.len);
	expect_err(&b, b.len, "missing end tag");
}

static void test_unterminated_string(void **state)
{
	struct blob b;

	blob_init(&b);
	tag(&b, 1, "abcdefgh", 8);
	blob_end(&b);
	expect_err(&b, b.len, "tag 1 (cmdline) at offset 0x8: string not NUL");

	blob_init(&b);
	tag(&b, 2, "GRUB", 4);
	blob_end(&b);
	expect_err(&b, b.len, "tag 2 (loader name)");
}

static void test_mmap_bad_entries(void **state)
{
	struct blob b;
	struct mmap_e e[2] = { { 0, 0x1000, 1, 0 }, { 0x1000, 0x1000, 2, 0 } };
	u32 off;

	blob_init(&b);
	off = tag_mmap(&b, e, 2, 24);
	blob_end(&b);
	put32(&b, off + 8, 0);
	expect_err(&b, b.len, "entry_size 0");
	put32(&b, off + 8, 20);
	expect_err(&b, b.len, "entry_size 20");
	/* entry_size 32: 48 bytes of entries are not a whole number. */
	put32(&b, off + 8, 32);
	expect_err(&b, b.len, "not a multiple");
	/* Tag shortened by 4: the last entry sticks out. */
	put32(&b, off + 8, 24);
	put32(&b, off + 4, 16 + 44);
	expect_err(&b, b.len, "not a multiple");
	/* A wrapping range. */
	put32(&b, off + 4, 16 + 48);
	put64(&b, off + 16 + 8, ~0ull);
	put64(&b, off + 16, 0x1000);
	expect_err(&b, b.len, "wraps");
}

static void test_efi_mmap_bad_desc(void **state)
{
	struct blob b;
	struct efi_d d = { .type = 7, .pages = 1 };
	u32 off;

	blob_init(&b);
	off = tag_efi_mmap(&b, &d, 1);
	blob_end(&b);
	put32(&b, off + 8, 16);
	expect_err(&b, b.len,
		   "tag 17 (efi mmap) at offset 0x8: descriptor_size");
	put32(&b, off + 8, sizeof(d));
	put64(&b, off + 16 + 24, ~0ull >> 4);
	expect_err(&b, b.len, "wraps");
}

static void test_module_start_after_end(void **state)
{
	struct blob b;
	u8 m[12] = { 0 };
	u32 s = 0x2000, e = 0x1000;

	blob_init(&b);
	memcpy(m, &s, 4);
	memcpy(m + 4, &e, 4);
	tag(&b, 3, m, 9);
	blob_end(&b);
	expect_err(&b, b.len, "tag 3 (module) at offset 0x8: mod_start 0x2000");
}

static void test_mmap_overflow_merges_and_drops(void **state)
{
	static struct blob b;
	static struct efi_d d[300];
	u8 *p;
	u32 i, dsz = sizeof(d[0]), total;

	/* Alternate types so nothing merges: 300 > BOOT_MAX_MMAP. */
	for (i = 0; i < 300; i++)
		d[i] = (struct efi_d){ .type = i % 2 ? 7 : 0,
				       .phys = (u64)i << 12,
				       .pages = 1 };
	blob_init(&b);
	p = bytes(&b) + 8;
	total = 16 + 300 * dsz;
	memcpy(p, &(u32){ 17 }, 4);
	memcpy(p + 4, &total, 4);
	memcpy(p + 8, &dsz, 4);
	memcpy(p + 16, d, sizeof(d));
	b.len = 8 + ((total + 7) & ~7u);
	blob_end(&b);
	assert_true(b.len <= sizeof(b.buf));
	assert_int_equal(parse(&b), 0);
	assert_int_equal(bi.n_mmap, BOOT_MAX_MMAP);
	assert_int_equal(bi.mmap_dropped, 300 - BOOT_MAX_MMAP);
}

static u64 rng_state = 0x9e3779b97f4a7c15ull;

static u64 rng(void)
{
	/* xorshift64*: deterministic so a failure reproduces. */
	rng_state ^= rng_state >> 12;
	rng_state ^= rng_state << 25;
	rng_state ^= rng_state >> 27;
	return rng_state * 0x2545f4914f6cdd1dull;
}

static void fuzz_one(const u8 *data, size_t len)
{
	/* Exactly-sized heap copy: ASan flags any read past @len. */
	u8 *copy = malloc(len ? len : 1);

	memcpy(copy, data, len);
	(void)mb2_parse(copy, len, &bi, err, sizeof(err));
	free(copy);
}

static void test_fuzz(void **state)
{
	struct blob b;
	u8 raw[512];
	int it, k;

	for (it = 0; it < 4000; it++) {
		switch (it % 3) {
		case 0: /* random bytes with a plausible total_size */
			for (k = 0; k < (int)sizeof(raw); k++)
				raw[k] = (u8)rng();
			k = 8 + rng() % (sizeof(raw) - 8);
			memcpy(raw, &(u32){ (u32)(rng() % 600) }, 4);
			fuzz_one(raw, k);
			break;
		default: /* a valid list with a few bytes changed */
			if (it % 2)
				build_bios(&b);
			else
				build_uefi(&b, it % 4 == 0);
			for (k = 0; k < 1 + (int)(rng() % 6); k++) {
				u32 at = rng() % b.len;

				bytes(&b)[at] =
					rng() % 4 ? (u8)rng() :
						    (u8)(bytes(&b)[at] ^ 0x80);
			}
			fuzz_one(bytes(&b),
				 rng() % 8 ? b.len : rng() % (b.len + 1));
			break;
		}
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_bios),
		cmocka_unit_test(test_uefi),
		cmocka_unit_test(test_rgb_framebuffer),
		cmocka_unit_test(test_uefi_efi_mmap_only),
		cmocka_unit_test(test_efi_bs_and_unknown_tag),
		cmocka_unit_test(test_modules),
		cmocka_unit_test(test_truncated_total),
		cmocka_unit_test(test_tag_past_end),
		cmocka_unit_test(test_tag_too_small),
		cmocka_unit_test(test_misaligned),
		cmocka_unit_test(test_missing_end),
		cmocka_unit_test(test_unterminated_string),
		cmocka_unit_test(test_mmap_bad_entries),
		cmocka_unit_test(test_efi_mmap_bad_desc),
		cmocka_unit_test(test_module_start_after_end),
		cmocka_unit_test(test_mmap_overflow_merges_and_drops),
		cmocka_unit_test(test_fuzz),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
