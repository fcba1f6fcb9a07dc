// SPDX-License-Identifier: MIT
/*
 * Multiboot2 boot information parser. Multiboot2 spec 2.0 3.6.
 *
 * The information block comes from the loader and is trusted for nothing:
 * every tag is checked against the bytes that remain before any of its fields
 * is read, and every field is read through rd32/rd64 (memcpy) so that odd
 * entry sizes cannot cause misaligned accesses. The parser only reads the
 * buffer it is given, so the host tests run it on hand-built and random blobs.
 */
#include "boot/boot.h"
#include "core/lib.h"

struct boot_info boot_info;

/* Fixed part of the information, Multiboot2 spec 2.0 3.6.2 */
#define MB2_INFO_HDR_SIZE 8
#define MB2_TAG_HDR_SIZE 8
#define MB2_TAG_ALIGN 8

/* Tag types, Multiboot2 spec 2.0 3.6.3-3.6.23 */
#define MB2_TAG_END 0
#define MB2_TAG_CMDLINE 1 /* 3.6.5 */
#define MB2_TAG_LOADER_NAME 2 /* 3.6.9 */
#define MB2_TAG_MODULE 3 /* 3.6.6 */
#define MB2_TAG_BASIC_MEMINFO 4 /* 3.6.3 */
#define MB2_TAG_BOOTDEV 5 /* 3.6.4 */
#define MB2_TAG_MMAP 6 /* 3.6.8 */
#define MB2_TAG_VBE 7 /* 3.6.11 */
#define MB2_TAG_FRAMEBUFFER 8 /* 3.6.12 */
#define MB2_TAG_ELF_SECTIONS 9 /* 3.6.7 */
#define MB2_TAG_APM 10 /* 3.6.10 */
#define MB2_TAG_EFI32 11 /* 3.6.13 */
#define MB2_TAG_EFI64 12 /* 3.6.14 */
#define MB2_TAG_SMBIOS 13 /* 3.6.15 */
#define MB2_TAG_ACPI_OLD 14 /* 3.6.16 */
#define MB2_TAG_ACPI_NEW 15 /* 3.6.17 */
#define MB2_TAG_NETWORK 16 /* 3.6.18 */
#define MB2_TAG_EFI_MMAP 17 /* 3.6.19 */
#define MB2_TAG_EFI_BS 18 /* 3.6.20 */
#define MB2_TAG_EFI32_IH 19 /* 3.6.21 */
#define MB2_TAG_EFI64_IH 20 /* 3.6.22 */
#define MB2_TAG_LOAD_BASE 21 /* 3.6.23 */

/* Field offsets inside a tag, from the tag start (header included). */
#define MB2_STR_OFF 8 /* cmdline, loader name: string at 8 */
#define MB2_MOD_START 8 /* Multiboot2 spec 2.0 3.6.6 */
#define MB2_MOD_END 12
#define MB2_MOD_STR 16
#define MB2_MEM_LOWER 8 /* Multiboot2 spec 2.0 3.6.3 */
#define MB2_MEM_UPPER 12
#define MB2_MMAP_ENTRY_SIZE 8 /* Multiboot2 spec 2.0 3.6.8 */
#define MB2_MMAP_ENTRY_VER 12
#define MB2_MMAP_ENTRIES 16
#define MB2_MMAP_E_BASE 0
#define MB2_MMAP_E_LEN 8
#define MB2_MMAP_E_TYPE 16
#define MB2_MMAP_E_MIN 24 /* base, length, type, reserved */
#define MB2_FB_ADDR 8 /* Multiboot2 spec 2.0 3.6.12 */
#define MB2_FB_PITCH 16
#define MB2_FB_WIDTH 20
#define MB2_FB_HEIGHT 24
#define MB2_FB_BPP 28
#define MB2_FB_TYPE 29
/* color_info for type 1 (RGB): GRUB's struct multiboot_tag_framebuffer_common
 * ends with a u16 reserved (the spec's table shows a u8), so it starts at
 * 32: red position, red size, green, green size, blue, blue size. */
#define MB2_FB_RGB 32
#define MB2_FB_RGB_LEN 6
#define MB2_EFI64_PTR 8 /* Multiboot2 spec 2.0 3.6.14 */
#define MB2_RSDP 8 /* Multiboot2 spec 2.0 3.6.16/3.6.17 */
#define MB2_RSDP_V1_LEN 20 /* ACPI 6.4 5.2.5.3: ACPI 1.0 part */
#define MB2_RSDP_V2_LEN 36 /* ACPI 6.4 5.2.5.3: whole RSDP */
#define MB2_EFI_DESC_SIZE 8 /* Multiboot2 spec 2.0 3.6.19 */
#define MB2_EFI_DESC_VER 12
#define MB2_EFI_DESCS 16
#define MB2_LOAD_BASE 8 /* Multiboot2 spec 2.0 3.6.23 */

/* EFI_MEMORY_DESCRIPTOR, UEFI 2.9 7.2 (GetMemoryMap) */
#define EFI_DESC_TYPE 0
#define EFI_DESC_PHYS 8
#define EFI_DESC_PAGES 24
#define EFI_DESC_MIN 40 /* Type, pad, Phys, Virt, Pages, Attribute */
#define EFI_PAGE_SHIFT 12

/* EFI_MEMORY_TYPE, UEFI 2.9 7.2 */
#define EFI_LOADER_CODE 1
#define EFI_LOADER_DATA 2
#define EFI_BOOT_SERVICES_CODE 3
#define EFI_BOOT_SERVICES_DATA 4
#define EFI_CONVENTIONAL_MEMORY 7
#define EFI_ACPI_RECLAIM_MEMORY 9
#define EFI_ACPI_MEMORY_NVS 10

struct mb2_tag_desc {
	const char *name;
	u32 min_size; /* smallest valid size, header included */
};

/*
 * Minimum sizes: strings need at least their NUL; fixed tags need their last
 * field. Types not listed (or with no name) are skipped after the generic
 * checks, as the spec asks of unknown tags.
 */
static const struct mb2_tag_desc tag_desc[] = {
	[MB2_TAG_END] = { "end", 8 },
	[MB2_TAG_CMDLINE] = { "cmdline", MB2_STR_OFF + 1 },
	[MB2_TAG_LOADER_NAME] = { "loader name", MB2_STR_OFF + 1 },
	[MB2_TAG_MODULE] = { "module", MB2_MOD_STR + 1 },
	[MB2_TAG_BASIC_MEMINFO] = { "basic meminfo", 16 },
	[MB2_TAG_BOOTDEV] = { "bootdev", 20 },
	[MB2_TAG_MMAP] = { "mmap", MB2_MMAP_ENTRIES },
	[MB2_TAG_VBE] = { "vbe", 8 },
	[MB2_TAG_FRAMEBUFFER] = { "framebuffer", MB2_FB_TYPE + 1 },
	[MB2_TAG_ELF_SECTIONS] = { "elf sections", 8 },
	[MB2_TAG_APM] = { "apm", 8 },
	[MB2_TAG_EFI32] = { "efi32 systab", 12 },
	[MB2_TAG_EFI64] = { "efi64 systab", 16 },
	[MB2_TAG_SMBIOS] = { "smbios", 8 },
	[MB2_TAG_ACPI_OLD] = { "acpi old rsdp", MB2_RSDP + MB2_RSDP_V1_LEN },
	[MB2_TAG_ACPI_NEW] = { "acpi new rsdp", MB2_RSDP + MB2_RSDP_V2_LEN },
	[MB2_TAG_NETWORK] = { "network", 8 },
	[MB2_TAG_EFI_MMAP] = { "efi mmap", MB2_EFI_DESCS },
	[MB2_TAG_EFI_BS] = { "efi bs not terminated", 8 },
	[MB2_TAG_EFI32_IH] = { "efi32 image handle", 12 },
	[MB2_TAG_EFI64_IH] = { "efi64 image handle", 16 },
	[MB2_TAG_LOAD_BASE] = { "load base", 12 },
};

static const char *tag_name(u32 type)
{
	if (type < ARRAY_SIZE(tag_desc) && tag_desc[type].name)
		return tag_desc[type].name;
	return "unknown";
}

static u32 rd32(const u8 *p)
{
	u32 v;

	memcpy(&v, p, sizeof(v));
	return v;
}

static u64 rd64(const u8 *p)
{
	u64 v;

	memcpy(&v, p, sizeof(v));
	return v;
}

struct mb2_ctx {
	struct boot_info *bi;
	char *err;
	size_t errlen;
	bool have_mmap; /* tag 6 seen: tag 17 is then not converted */
	const u8 *efi_tag; /* tag 17, converted after the walk */
	u32 efi_tag_size;
	u32 efi_tag_off;
};

static int __printf(5, 6) tag_err(struct mb2_ctx *c, u32 type, u32 off, int ret,
				  const char *fmt, ...)
{
	char why[96];
	va_list ap;

	va_start(ap, fmt);
	kvsnprintf(why, sizeof(why), fmt, ap);
	va_end(ap);
	if (c->err && c->errlen)
		ksnprintf(c->err, c->errlen,
			  "multiboot2: tag %u (%s) at offset 0x%x: %s", type,
			  tag_name(type), off, why);
	return ret;
}

/* A string field must end with a NUL inside the tag. */
static const char *tag_str(const u8 *tag, u32 size, u32 off)
{
	u32 i;

	for (i = off; i < size; i++)
		if (!tag[i])
			return (const char *)tag + off;
	return NULL;
}

static void add_range(struct boot_info *bi, u64 base, u64 len, u32 type)
{
	struct mem_range *last;

	if (!len)
		return;
	/* Merge with the previous range: EFI maps split RAM very finely. */
	if (bi->n_mmap) {
		last = &bi->mmap[bi->n_mmap - 1];
		if (last->type == type && last->base + last->len == base) {
			last->len += len;
			return;
		}
	}
	if (bi->n_mmap == BOOT_MAX_MMAP) {
		/* Dropping is safe: memory not listed is never allocated. */
		bi->mmap_dropped++;
		return;
	}
	bi->mmap[bi->n_mmap++] = (struct mem_range){ base, len, type };
}

static int parse_mmap(struct mb2_ctx *c, const u8 *t, u32 size, u32 off)
{
	u32 esz = rd32(t + MB2_MMAP_ENTRY_SIZE);
	u32 n, i;

	if (esz < MB2_MMAP_E_MIN)
		return tag_err(c, MB2_TAG_MMAP, off, -EINVAL,
			       "entry_size %u < %u", esz, MB2_MMAP_E_MIN);
	if ((size - MB2_MMAP_ENTRIES) % esz)
		return tag_err(
			c, MB2_TAG_MMAP, off, -EINVAL,
			"entries (%u bytes) not a multiple of entry_size %u",
			size - MB2_MMAP_ENTRIES, esz);
	if (c->have_mmap)
		return 0; /* a second map would only confuse; keep the first */
	c->have_mmap = true;
	n = (size - MB2_MMAP_ENTRIES) / esz;
	for (i = 0; i < n; i++) {
		const u8 *e = t + MB2_MMAP_ENTRIES + (u64)i * esz;
		u64 base = rd64(e + MB2_MMAP_E_BASE);
		u64 len = rd64(e + MB2_MMAP_E_LEN);

		if (base + len < base)
			return tag_err(
				c, MB2_TAG_MMAP, off, -EINVAL,
				"entry %u wraps (base 0x%llx len 0x%llx)", i,
				(unsigned long long)base,
				(unsigned long long)len);
		add_range(c->bi, base, len, rd32(e + MB2_MMAP_E_TYPE));
	}
	return 0;
}

static u32 efi_type_to_mem(u32 efi)
{
	switch (efi) {
	case EFI_CONVENTIONAL_MEMORY:
	case EFI_LOADER_CODE:
	case EFI_LOADER_DATA:
	case EFI_BOOT_SERVICES_CODE:
	case EFI_BOOT_SERVICES_DATA:
		/* Free once GRUB has called ExitBootServices. */
		return MEM_AVAILABLE;
	case EFI_ACPI_RECLAIM_MEMORY:
		return MEM_ACPI_RECLAIMABLE;
	case EFI_ACPI_MEMORY_NVS:
		return MEM_NVS;
	default:
		return MEM_RESERVED;
	}
}

/* Check tag 17 during the walk; convert it later only if tag 6 is absent. */
static int check_efi_mmap(struct mb2_ctx *c, const u8 *t, u32 size, u32 off)
{
	struct boot_info *bi = c->bi;
	u32 dsz = rd32(t + MB2_EFI_DESC_SIZE);

	if (dsz < EFI_DESC_MIN)
		return tag_err(c, MB2_TAG_EFI_MMAP, off, -EINVAL,
			       "descriptor_size %u < %u", dsz, EFI_DESC_MIN);
	if (bi->have_efi_mmap)
		return 0;
	bi->have_efi_mmap = true;
	bi->efi_desc_size = dsz;
	bi->efi_desc_ver = rd32(t + MB2_EFI_DESC_VER);
	bi->efi_mmap_size = size - MB2_EFI_DESCS;
	bi->efi_mmap = (phys_addr_t)(uintptr_t)(t + MB2_EFI_DESCS);
	c->efi_tag = t;
	c->efi_tag_size = size;
	c->efi_tag_off = off;
	return 0;
}

static int convert_efi_mmap(struct mb2_ctx *c)
{
	const u8 *t = c->efi_tag;
	u32 dsz = c->bi->efi_desc_size;
	/* Only whole descriptors: a trailing partial one is ignored. */
	u32 n = (c->efi_tag_size - MB2_EFI_DESCS) / dsz, i;

	for (i = 0; i < n; i++) {
		const u8 *d = t + MB2_EFI_DESCS + (u64)i * dsz;
		u64 base = rd64(d + EFI_DESC_PHYS);
		u64 pages = rd64(d + EFI_DESC_PAGES);
		u64 len = pages << EFI_PAGE_SHIFT;

		if (pages > (~0ULL >> EFI_PAGE_SHIFT) || base + len < base)
			return tag_err(c, MB2_TAG_EFI_MMAP, c->efi_tag_off,
				       -EINVAL, "descriptor %u wraps", i);
		add_range(c->bi, base, len,
			  efi_type_to_mem(rd32(d + EFI_DESC_TYPE)));
	}
	return 0;
}

static int parse_tag(struct mb2_ctx *c, u32 type, const u8 *t, u32 size,
		     u32 off)
{
	struct boot_info *bi = c->bi;
	const char *s;

	switch (type) {
	case MB2_TAG_CMDLINE:
	case MB2_TAG_LOADER_NAME:
		s = tag_str(t, size, MB2_STR_OFF);
		if (!s)
			return tag_err(c, type, off, -EINVAL,
				       "string not NUL-terminated");
		if (type == MB2_TAG_CMDLINE)
			bi->cmdline = s;
		else
			bi->loader_name = s;
		return 0;
	case MB2_TAG_MODULE: {
		u32 start = rd32(t + MB2_MOD_START);
		u32 end = rd32(t + MB2_MOD_END);

		s = tag_str(t, size, MB2_MOD_STR);
		if (!s)
			return tag_err(c, type, off, -EINVAL,
				       "string not NUL-terminated");
		if (start > end)
			return tag_err(c, type, off, -EINVAL,
				       "mod_start 0x%x > mod_end 0x%x", start,
				       end);
		if (bi->n_modules == BOOT_MAX_MODULES)
			return tag_err(c, type, off, -E2BIG,
				       "more than %u modules",
				       BOOT_MAX_MODULES);
		bi->modules[bi->n_modules++] =
			(struct boot_module){ start, end, s };
		return 0;
	}
	case MB2_TAG_BASIC_MEMINFO:
		bi->have_basic_mem = true;
		bi->mem_lower_kb = rd32(t + MB2_MEM_LOWER);
		bi->mem_upper_kb = rd32(t + MB2_MEM_UPPER);
		return 0;
	case MB2_TAG_MMAP:
		return parse_mmap(c, t, size, off);
	case MB2_TAG_FRAMEBUFFER:
		bi->have_fb = true;
		bi->fb.addr = rd64(t + MB2_FB_ADDR);
		bi->fb.pitch = rd32(t + MB2_FB_PITCH);
		bi->fb.width = rd32(t + MB2_FB_WIDTH);
		bi->fb.height = rd32(t + MB2_FB_HEIGHT);
		bi->fb.bpp = t[MB2_FB_BPP];
		bi->fb.type = t[MB2_FB_TYPE];
		if (bi->fb.type == FB_TYPE_RGB &&
		    size >= MB2_FB_RGB + MB2_FB_RGB_LEN) {
			bi->fb.have_rgb = true;
			bi->fb.red_pos = t[MB2_FB_RGB];
			bi->fb.red_size = t[MB2_FB_RGB + 1];
			bi->fb.green_pos = t[MB2_FB_RGB + 2];
			bi->fb.green_size = t[MB2_FB_RGB + 3];
			bi->fb.blue_pos = t[MB2_FB_RGB + 4];
			bi->fb.blue_size = t[MB2_FB_RGB + 5];
		}
		return 0;
	case MB2_TAG_EFI64:
		bi->have_efi64_systab = true;
		bi->efi64_systab = rd64(t + MB2_EFI64_PTR);
		return 0;
	case MB2_TAG_ACPI_OLD:
		bi->rsdp_v1 = t + MB2_RSDP;
		return 0;
	case MB2_TAG_ACPI_NEW:
		bi->rsdp_v2 = t + MB2_RSDP;
		bi->rsdp_v2_len = size - MB2_RSDP;
		return 0;
	case MB2_TAG_EFI_MMAP:
		return check_efi_mmap(c, t, size, off);
	case MB2_TAG_EFI_BS:
		bi->efi_bs_not_terminated = true;
		return 0;
	case MB2_TAG_LOAD_BASE:
		bi->have_load_base = true;
		bi->load_base = rd32(t + MB2_LOAD_BASE);
		return 0;
	default:
		/* 5, 7, 9, 10, 11, 13, 16, 19, 20 and unknown: not needed. */
		return 0;
	}
}

int mb2_parse(const void *mbi, size_t limit, struct boot_info *bi, char *err,
	      size_t errlen)
{
	struct mb2_ctx c = { .bi = bi, .err = err, .errlen = errlen };
	const u8 *base = mbi;
	u64 total, off; /* u64: the step below cannot wrap */
	int ret;

	memset(bi, 0, sizeof(*bi));
	bi->cmdline = "";
	bi->loader_name = "";
	if (err && errlen)
		err[0] = '\0';

	if (!mbi || !IS_ALIGNED((uintptr_t)mbi, MB2_TAG_ALIGN))
		return tag_err(&c, MB2_TAG_END, 0, -EINVAL,
			       "information at %p not 8-byte aligned", mbi);
	if (limit < MB2_INFO_HDR_SIZE + MB2_TAG_HDR_SIZE)
		return tag_err(&c, MB2_TAG_END, 0, -EINVAL,
			       "limit %zu too small for any information",
			       limit);
	total = rd32(base);
	if (total > limit)
		return tag_err(&c, MB2_TAG_END, 0, -EINVAL,
			       "total_size %u exceeds limit %zu", (u32)total,
			       limit);
	if (total < MB2_INFO_HDR_SIZE + MB2_TAG_HDR_SIZE)
		return tag_err(&c, MB2_TAG_END, 0, -EINVAL,
			       "total_size %u too small for an end tag",
			       (u32)total);
	bi->mbi_phys = (phys_addr_t)(uintptr_t)mbi;
	bi->mbi_size = total;

	for (off = MB2_INFO_HDR_SIZE;;
	     off = ALIGN_UP(off + rd32(base + off + 4), MB2_TAG_ALIGN)) {
		u32 type, size, min;

		/* Tags start 8-aligned by construction of the loop step. */
		if (off > total || total - off < MB2_TAG_HDR_SIZE)
			return tag_err(&c, MB2_TAG_END, (u32)off, -EINVAL,
				       "missing end tag (total_size %u)",
				       (u32)total);
		type = rd32(base + off);
		size = rd32(base + off + 4);
		if (size > total - off)
			return tag_err(&c, type, (u32)off, -EINVAL,
				       "size %u past the end (%u bytes left)",
				       size, (u32)(total - off));
		min = type < ARRAY_SIZE(tag_desc) && tag_desc[type].name ?
			      tag_desc[type].min_size :
			      MB2_TAG_HDR_SIZE;
		if (size < min)
			return tag_err(&c, type, (u32)off, -EINVAL,
				       "size %u smaller than minimum %u", size,
				       min);
		if (type == MB2_TAG_END)
			break;
		ret = parse_tag(&c, type, base + off, size, (u32)off);
		if (ret)
			return ret;
	}

	if (!c.have_mmap && c.efi_tag)
		return convert_efi_mmap(&c);
	return 0;
}
