// SPDX-License-Identifier: MIT
/*
 * Placing a multiboot (v1) kernel in guest memory: its segments, the
 * modules, and the information block (Multiboot 0.6.96 3.3) with the
 * memory map of the guest's RAM.
 */
#include "core/lib.h"
#include "vm/mb1.h"

/*
 * The information block, command lines, memory map and module list share
 * one area in low memory, placed where no segment lies: the first free
 * 4 KiB-aligned window from 4 KiB up (page 0 stays the real-mode IVT).
 */
#define MB1_INFO_FIRST 0x1000U
#define MB1_INFO_AREA 0x10000U
#define MB1_MEM_LOWER_END 0x9fc00U
#define MB1_BIOS_AREA 0xf0000U
#define MB1_ONE_MIB 0x100000U
#define MB1_MMAP_AVAILABLE 1
#define MB1_MMAP_RESERVED 2
#define MB1_PAGE 4096U

/* Offsets in the information block, Multiboot 0.6.96 3.3 */
#define INFO_FLAGS 0
#define INFO_MEM_LOWER 4
#define INFO_MEM_UPPER 8
#define INFO_CMDLINE 16
#define INFO_MODS_COUNT 20
#define INFO_MODS_ADDR 24
#define INFO_MMAP_LENGTH 44
#define INFO_MMAP_ADDR 48
#define INFO_LOADER_NAME 64
#define INFO_SIZE 116
#define MMAP_ENTRY_SIZE 24 /* including its own 4-byte size field */
#define MOD_ENTRY_SIZE 16

struct low_area {
	u8 buf[MB1_INFO_AREA];
	u32 base; /* its GPA */
	u32 used;
};

static void wr32(u8 *p, u32 v)
{
	p[0] = (u8)v;
	p[1] = (u8)(v >> 8);
	p[2] = (u8)(v >> 16);
	p[3] = (u8)(v >> 24);
}

static void wr64(u8 *p, u64 v)
{
	wr32(p, (u32)v);
	wr32(p + 4, (u32)(v >> 32));
}

/* Reserve @len bytes (8-aligned) in the low area; its GPA, or 0. */
static u32 low_alloc(struct low_area *a, u32 len)
{
	u32 off = (u32)ALIGN_UP(a->used, 8);

	if (off + len > sizeof(a->buf))
		return 0;
	a->used = off + len;
	return a->base + off;
}

static u32 low_string(struct low_area *a, const char *s)
{
	u32 len = (u32)strlen(s) + 1;
	u32 gpa = low_alloc(a, len);

	if (gpa)
		memcpy(a->buf + (gpa - a->base), s, len);
	return gpa;
}

/*
 * Is [start, start+len) inside one range the memory map calls available:
 * conventional memory below the EBDA, or RAM from 1 MiB up (the legacy
 * hole and the EBDA are reserved there)?
 */
static bool in_ram(const struct mb1_machine *m, u64 start, u64 len)
{
	u64 end = start + len;
	u64 low_end = MIN((u64)MB1_MEM_LOWER_END, (u64)m->hole_start);

	if (end < start || end > m->mem_size)
		return false;
	return end <= low_end || start >= m->hole_end;
}

static bool overlaps(u64 a, u64 alen, u64 b, u64 blen)
{
	return a < b + blen && b < a + alen;
}

static int check_segments(const struct mb1_image *im,
			  const struct mb1_machine *m, char *err, size_t n)
{
	for (unsigned int i = 0; i < im->n_segments; i++) {
		const struct mb1_segment *s = &im->seg[i];

		if (!in_ram(m, s->load_addr, s->mem_size)) {
			ksnprintf(
				err, n,
				"segment %#x-%#x is not in the guest's available RAM (0-%#x, 0x100000-%#llx)",
				s->load_addr, s->load_addr + s->mem_size,
				MB1_MEM_LOWER_END, m->mem_size);
			return -ERANGE;
		}
		for (unsigned int j = 0; j < i; j++)
			if (overlaps(s->load_addr, s->mem_size,
				     im->seg[j].load_addr,
				     im->seg[j].mem_size)) {
				ksnprintf(err, n,
					  "segments %u and %u overlap at %#x",
					  j, i, s->load_addr);
				return -ERANGE;
			}
	}
	return 0;
}

/* The first low window for the information area that no segment uses. */
static u32 info_area_base(const struct mb1_image *im)
{
	for (u32 b = MB1_INFO_FIRST; b + MB1_INFO_AREA <= MB1_MEM_LOWER_END;
	     b += MB1_PAGE) {
		bool free = true;

		for (unsigned int i = 0; i < im->n_segments && free; i++)
			free = !overlaps(b, MB1_INFO_AREA, im->seg[i].load_addr,
					 im->seg[i].mem_size);
		if (free)
			return b;
	}
	return 0;
}

static int load_segments(const u8 *img, const struct mb1_image *im,
			 const struct mb1_mem_ops *ops)
{
	for (unsigned int i = 0; i < im->n_segments; i++) {
		const struct mb1_segment *s = &im->seg[i];
		int rc = ops->write(ops->ctx, s->load_addr, img + s->file_off,
				    s->file_size);

		if (!rc && s->mem_size > s->file_size)
			rc = ops->zero(ops->ctx, s->load_addr + s->file_size,
				       s->mem_size - s->file_size);
		if (rc)
			return rc;
	}
	return 0;
}

static u32 build_mmap(struct low_area *a, const struct mb1_machine *m, u32 *len)
{
	const u64 ranges[4][3] = {
		{ 0, MB1_MEM_LOWER_END, MB1_MMAP_AVAILABLE },
		{ MB1_MEM_LOWER_END, m->hole_start, MB1_MMAP_RESERVED },
		{ MB1_BIOS_AREA, MB1_ONE_MIB, MB1_MMAP_RESERVED },
		{ MB1_ONE_MIB, m->mem_size, MB1_MMAP_AVAILABLE },
	};
	u32 gpa = low_alloc(a, 4 * MMAP_ENTRY_SIZE);

	if (!gpa)
		return 0;
	for (int i = 0; i < 4; i++) {
		u8 *e = a->buf + (gpa - a->base) + i * MMAP_ENTRY_SIZE;

		wr32(e, MMAP_ENTRY_SIZE - 4);
		wr64(e + 4, ranges[i][0]);
		wr64(e + 12, ranges[i][1] - ranges[i][0]);
		wr32(e + 20, (u32)ranges[i][2]);
	}
	*len = 4 * MMAP_ENTRY_SIZE;
	return gpa;
}

static int load_modules(struct low_area *a, const struct mb1_image *im,
			const struct mb1_machine *m,
			const struct mb1_mem_ops *ops, u32 *mods_gpa, char *err,
			size_t n)
{
	u64 at = ALIGN_UP(im->load_end, MB1_PAGE);
	u32 gpa = m->n_modules ? low_alloc(a, m->n_modules * MOD_ENTRY_SIZE) :
				 0;

	if (m->n_modules && !gpa)
		return -ENOSPC;
	for (unsigned int i = 0; i < m->n_modules; i++) {
		const struct mb1_module *mod = &m->modules[i];
		u8 *e = a->buf + (gpa - a->base) + i * MOD_ENTRY_SIZE;
		u32 str = low_string(a, mod->cmdline ? mod->cmdline : "");
		int rc;

		if (at < MB1_ONE_MIB)
			at = MB1_ONE_MIB;
		if (!str || !in_ram(m, at, mod->len)) {
			ksnprintf(
				err, n,
				"module %u (%zu bytes) does not fit in guest RAM",
				i, mod->len);
			return -ENOSPC;
		}
		rc = ops->write(ops->ctx, at, mod->data, mod->len);
		if (rc)
			return rc;
		wr32(e, (u32)at);
		wr32(e + 4, (u32)(at + mod->len));
		wr32(e + 8, str);
		wr32(e + 12, 0);
		at = ALIGN_UP(at + mod->len, MB1_PAGE);
	}
	*mods_gpa = gpa;
	return 0;
}

int mb1_load(const u8 *img, const struct mb1_image *im,
	     const struct mb1_machine *m, const struct mb1_mem_ops *ops,
	     u32 *mbi, char *err, size_t errlen)
{
	static struct low_area a;
	u32 info, mmap, mmap_len = 0, mods = 0, cmdline, name;
	u32 flags = MB1_INFO_MEMORY | MB1_INFO_CMDLINE | MB1_INFO_MEM_MAP |
		    MB1_INFO_LOADER_NAME;
	int rc = check_segments(im, m, err, errlen);

	if (rc)
		return rc;
	rc = load_segments(img, im, ops);
	if (rc) {
		ksnprintf(err, errlen, "writing the image failed (%d)", rc);
		return rc;
	}
	memset(&a, 0, sizeof(a));
	a.base = info_area_base(im);
	if (!a.base) {
		ksnprintf(
			err, errlen,
			"no room below 640 KiB for the multiboot information: the image's segments cover it");
		return -ENOSPC;
	}
	info = low_alloc(&a, INFO_SIZE);
	mmap = build_mmap(&a, m, &mmap_len);
	cmdline = low_string(&a, m->cmdline ? m->cmdline : "");
	name = low_string(&a, m->loader_name ? m->loader_name : "Keel");
	if (!info || !mmap || !cmdline || !name) {
		ksnprintf(err, errlen, "the command line is too long");
		return -ENOSPC;
	}
	rc = load_modules(&a, im, m, ops, &mods, err, errlen);
	if (rc)
		return rc;
	if (m->n_modules)
		flags |= MB1_INFO_MODS;
	u8 *p = a.buf + (info - a.base);

	wr32(p + INFO_FLAGS, flags);
	wr32(p + INFO_MEM_LOWER, MB1_MEM_LOWER_END / 1024);
	wr32(p + INFO_MEM_UPPER, (u32)((m->mem_size - MB1_ONE_MIB) / 1024));
	wr32(p + INFO_CMDLINE, cmdline);
	wr32(p + INFO_MODS_COUNT, m->n_modules);
	wr32(p + INFO_MODS_ADDR, mods);
	wr32(p + INFO_MMAP_LENGTH, mmap_len);
	wr32(p + INFO_MMAP_ADDR, mmap);
	wr32(p + INFO_LOADER_NAME, name);
	rc = ops->write(ops->ctx, a.base, a.buf, a.used);
	if (rc) {
		ksnprintf(err, errlen, "writing the information block failed");
		return rc;
	}
	*mbi = info;
	return 0;
}
