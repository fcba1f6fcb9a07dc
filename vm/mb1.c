// SPDX-License-Identifier: MIT
/*
 * Multiboot (v1) loader, Multiboot Specification 0.6.96 ch. 3. The header
 * must sit 4-byte aligned in the first 8 KiB with magic + flags + checksum
 * == 0. Flag bit 16 (a.out kludge) means its address fields describe the
 * load, else the ELF program headers do (ELF32 or ELF64, PT_LOAD at p_paddr,
 * as GRUB does). Placing the image is mb1_info.c's job.
 */
#include "core/lib.h"
#include "vm/mb1.h"

/* ELF, System V gABI 4.1 ch. 4-5 */
#define EI_CLASS 4
#define EI_DATA 5
#define ELFCLASS32 1
#define ELFCLASS64 2
#define ELFDATA2LSB 1
#define ET_EXEC 2
#define EM_386 3
#define EM_X86_64 62
#define PT_LOAD 1
#define ELF32_EHDR_SIZE 52
#define ELF64_EHDR_SIZE 64
#define ELF32_PHDR_SIZE 32
#define ELF64_PHDR_SIZE 56

static u32 rd32(const u8 *p)
{
	return (u32)p[0] | (u32)p[1] << 8 | (u32)p[2] << 16 | (u32)p[3] << 24;
}

static u16 rd16(const u8 *p)
{
	return (u16)(p[0] | p[1] << 8);
}

static u64 rd64(const u8 *p)
{
	return rd32(p) | (u64)rd32(p + 4) << 32;
}

static int fail(char *err, size_t n, int rc, const char *msg, u64 a, u64 b)
{
	ksnprintf(err, n, msg, a, b);
	return rc;
}

static int find_header(const u8 *img, size_t len, size_t *off)
{
	size_t lim = MIN(len, (size_t)MB1_SEARCH_LIMIT);

	for (size_t o = 0; o + 12 <= lim; o += 4) {
		u32 magic = rd32(img + o), flags = rd32(img + o + 4);

		if (magic == MB1_HEADER_MAGIC &&
		    (u32)(magic + flags + rd32(img + o + 8)) == 0) {
			*off = o;
			return 0;
		}
	}
	return -ENOENT;
}

static int add_segment(struct mb1_image *im, u64 off, u64 filesz, u64 addr,
		       u64 memsz, size_t len, char *err, size_t n)
{
	struct mb1_segment *s;

	if (memsz < filesz || off > len || filesz > len - off)
		return fail(
			err, n, -EINVAL,
			"segment at file offset %#llx size %#llx lies outside the image",
			off, filesz);
	/* The end must fit 32 bits too: mem_size and load_end are u32. */
	if (addr > 0xffffffffULL || memsz > 0xffffffffULL - addr)
		return fail(err, n, -EINVAL,
			    "segment at %#llx size %#llx is not below 4 GiB",
			    addr, memsz);
	if (im->n_segments == MB1_MAX_SEGMENTS)
		return fail(err, n, -E2BIG, "more than %llu loadable segments",
			    MB1_MAX_SEGMENTS, 0);
	s = &im->seg[im->n_segments++];
	*s = (struct mb1_segment){ off, filesz, (u32)addr, (u32)memsz };
	im->load_end = MAX(im->load_end, (u32)(addr + memsz));
	return 0;
}

static int parse_aout(const u8 *img, size_t len, size_t hoff,
		      struct mb1_image *im, char *err, size_t n)
{
	u32 header_addr, load_addr, load_end, bss_end;
	u64 file_off, filesz;

	/* The whole header lies in the first 8 KiB (Multiboot 0.6.96 3.1.1). */
	if (hoff + 32 > len || hoff + 32 > MB1_SEARCH_LIMIT)
		return fail(err, n, -EINVAL,
			    "a.out kludge header at %#llx is truncated", hoff,
			    0);
	header_addr = rd32(img + hoff + 12);
	load_addr = rd32(img + hoff + 16);
	load_end = rd32(img + hoff + 20);
	bss_end = rd32(img + hoff + 24);
	im->entry = rd32(img + hoff + 28);
	if (load_addr > header_addr || header_addr - load_addr > hoff)
		return fail(
			err, n, -EINVAL,
			"a.out kludge: load_addr %#llx and header_addr %#llx disagree with the file",
			load_addr, header_addr);
	file_off = hoff - (header_addr - load_addr);
	filesz = load_end ? (u64)load_end - load_addr : len - file_off;
	if (load_end && load_end < load_addr)
		return fail(
			err, n, -EINVAL,
			"a.out kludge: load_end_addr %#llx below load_addr %#llx",
			load_end, load_addr);
	if (bss_end && bss_end < load_addr + filesz)
		return fail(
			err, n, -EINVAL,
			"a.out kludge: bss_end_addr %#llx below the loaded end %#llx",
			bss_end, load_addr + filesz);
	im->aout = true;
	return add_segment(im, file_off, filesz, load_addr,
			   bss_end ? bss_end - load_addr : filesz, len, err, n);
}

static int parse_elf(const u8 *img, size_t len, struct mb1_image *im, char *err,
		     size_t n)
{
	bool is64;
	u64 phoff, entry, phys_entry = 0;
	bool have_entry = false;
	u16 phentsize, phnum, machine;
	int rc;

	if (len < ELF32_EHDR_SIZE || memcmp(img, "\177ELF", 4))
		return fail(
			err, n, -EINVAL,
			"not an ELF file and no a.out kludge (header flag bit 16)",
			0, 0);
	is64 = img[EI_CLASS] == ELFCLASS64;
	if ((!is64 && img[EI_CLASS] != ELFCLASS32) ||
	    img[EI_DATA] != ELFDATA2LSB || (is64 && len < ELF64_EHDR_SIZE))
		return fail(err, n, -EINVAL,
			    "unsupported ELF class %llu or data %llu",
			    img[EI_CLASS], img[EI_DATA]);
	machine = rd16(img + 18);
	if (rd16(img + 16) != ET_EXEC || machine != (is64 ? EM_X86_64 : EM_386))
		return fail(
			err, n, -EINVAL,
			"ELF type %llu machine %llu is not an x86 executable",
			rd16(img + 16), machine);
	entry = is64 ? rd64(img + 24) : rd32(img + 24);
	phoff = is64 ? rd64(img + 32) : rd32(img + 28);
	phentsize = rd16(img + (is64 ? 54 : 42));
	phnum = rd16(img + (is64 ? 56 : 44));
	if (phentsize < (is64 ? ELF64_PHDR_SIZE : ELF32_PHDR_SIZE) ||
	    phoff > len || (u64)phnum * phentsize > len - phoff)
		return fail(
			err, n, -EINVAL,
			"ELF program headers (offset %#llx, %llu entries) lie outside the file",
			phoff, phnum);
	for (u16 i = 0; i < phnum; i++) {
		const u8 *ph = img + phoff + (u64)i * phentsize;
		u64 vaddr = is64 ? rd64(ph + 16) : rd32(ph + 8);
		u64 memsz = is64 ? rd64(ph + 40) : rd32(ph + 20);

		if (rd32(ph) != PT_LOAD)
			continue;
		/* A higher-half kernel's entry is virtual: translate it
		 * through its segment, as GRUB does. */
		if (!have_entry && entry - vaddr < memsz) {
			phys_entry = entry - vaddr +
				     (is64 ? rd64(ph + 24) : rd32(ph + 12));
			have_entry = true;
		}
		if (is64)
			rc = add_segment(im, rd64(ph + 8), rd64(ph + 32),
					 rd64(ph + 24), memsz, len, err, n);
		else
			rc = add_segment(im, rd32(ph + 4), rd32(ph + 16),
					 rd32(ph + 12), memsz, len, err, n);
		if (rc)
			return rc;
	}
	if (have_entry)
		entry = phys_entry;
	if (entry > 0xffffffffULL)
		return fail(err, n, -EINVAL,
			    "ELF entry %#llx is not a 32-bit address", entry,
			    0);
	im->entry = (u32)entry;
	if (!im->n_segments)
		return fail(err, n, -EINVAL, "ELF file has no loadable segment",
			    0, 0);
	return 0;
}

int mb1_parse(const u8 *img, size_t len, struct mb1_image *im, char *err,
	      size_t errlen)
{
	size_t hoff;
	u32 flags;

	memset(im, 0, sizeof(*im));
	if (find_header(img, len, &hoff))
		return fail(
			err, errlen, -ENOENT,
			"no multiboot header (magic 0x1BADB002 with a valid checksum) in the first %llu bytes",
			MB1_SEARCH_LIMIT, 0);
	flags = rd32(img + hoff + 4);
	im->header_flags = flags;
	/* Spec 3.1.2: refuse a required feature the loader does not know. */
	if (flags & MB1_FLAGS_REQUIRED_MASK & ~MB1_FLAGS_KNOWN)
		return fail(
			err, errlen, -ENOTSUP,
			"multiboot header requires unsupported features (flags %#llx)",
			flags, 0);
	if (flags & MB1_FLAG_AOUT_KLUDGE)
		return parse_aout(img, len, hoff, im, err, errlen);
	return parse_elf(img, len, im, err, errlen);
}

bool mb1_entry_in_image(const struct mb1_image *im)
{
	for (unsigned int i = 0; i < im->n_segments; i++) {
		const struct mb1_segment *s = &im->seg[i];

		if (im->entry >= s->load_addr &&
		    (u64)im->entry < (u64)s->load_addr + s->mem_size)
			return true;
	}
	return false;
}
