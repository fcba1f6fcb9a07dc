/* SPDX-License-Identifier: MIT */
/*
 * Multiboot (v1) kernel loading, Multiboot Specification 0.6.96 ch. 3:
 * finding and checking the header, loading an ELF32/ELF64 image or an
 * a.out-kludge image, and building the information block. Pure: guest
 * memory is reached through a write callback, so the host tests it.
 */
#ifndef KEEL_VMX_MB1_H
#define KEEL_VMX_MB1_H

#include "core/types.h"

/* Multiboot 0.6.96 3.1.1-3.1.2 */
#define MB1_HEADER_MAGIC 0x1BADB002U
#define MB1_BOOTLOADER_MAGIC 0x2BADB002U
#define MB1_SEARCH_LIMIT 8192
#define MB1_FLAG_PAGE_ALIGN BIT(0)
#define MB1_FLAG_MEMORY_INFO BIT(1)
#define MB1_FLAG_VIDEO_MODE BIT(2)
#define MB1_FLAG_AOUT_KLUDGE BIT(16)
/* Bits 0-15 a loader must understand; Keel knows 0-2. */
#define MB1_FLAGS_REQUIRED_MASK 0xffffU
#define MB1_FLAGS_KNOWN \
	(MB1_FLAG_PAGE_ALIGN | MB1_FLAG_MEMORY_INFO | MB1_FLAG_VIDEO_MODE)

/* Information block flags, Multiboot 0.6.96 3.3 */
#define MB1_INFO_MEMORY BIT(0)
#define MB1_INFO_CMDLINE BIT(2)
#define MB1_INFO_MODS BIT(3)
#define MB1_INFO_MEM_MAP BIT(6)
#define MB1_INFO_LOADER_NAME BIT(9)

#define MB1_MAX_SEGMENTS 16
#define MB1_MAX_MODULES 8

struct mb1_segment {
	u64 file_off;
	u64 file_size;
	u32 load_addr; /* guest-physical */
	u32 mem_size; /* >= file_size; the rest is zeroed */
};

struct mb1_image {
	u32 header_flags;
	u32 entry;
	unsigned int n_segments;
	struct mb1_segment seg[MB1_MAX_SEGMENTS];
	u32 load_end; /* highest byte + 1 of any segment (incl. bss) */
	bool aout;
};

/*
 * Whether the entry point lies in a segment the image loads (bss
 * included). A kernel whose entry does not would run whatever is there;
 * GRUB does not check either, so Keel only says so.
 */
bool mb1_entry_in_image(const struct mb1_image *im);

/*
 * Check the header and work out what to load. Returns 0, or a negative
 * errno with a message in @err naming what is wrong.
 */
int mb1_parse(const u8 *img, size_t len, struct mb1_image *out, char *err,
	      size_t errlen);

struct mb1_module {
	const u8 *data;
	size_t len;
	const char *cmdline;
};

/* What the guest machine looks like, for the information block. */
struct mb1_machine {
	u64 mem_size; /* RAM at GPA 0..mem_size, less the legacy hole */
	u32 hole_start, hole_end; /* 0xA0000, 0x100000 */
	const char *cmdline;
	const char *loader_name;
	unsigned int n_modules;
	struct mb1_module modules[MB1_MAX_MODULES];
};

typedef int (*mb1_write_fn)(void *ctx, u64 gpa, const void *buf, size_t len);
typedef int (*mb1_zero_fn)(void *ctx, u64 gpa, size_t len);

struct mb1_mem_ops {
	mb1_write_fn write;
	mb1_zero_fn zero;
	void *ctx;
};

/*
 * Load the image's segments, the modules (page-aligned, after the image)
 * and the information block (below 640 KiB). Returns the information
 * block's GPA in *mbi, or a negative errno with a message in @err.
 */
int mb1_load(const u8 *img, const struct mb1_image *im,
	     const struct mb1_machine *m, const struct mb1_mem_ops *ops,
	     u32 *mbi, char *err, size_t errlen);

#endif
