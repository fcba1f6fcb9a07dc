/* SPDX-License-Identifier: MIT */
/*
 * What the loader told Keel about the machine: memory map, modules, command
 * line, RSDP copies, framebuffer. boot/ fills one struct boot_info from the
 * multiboot2 tags (boot/multiboot2.c); core/, arch/ and the layers above read
 * it from here, so none of them includes boot/. The memory types keep the
 * multiboot2 numbering, and the comments name the tag each field comes from.
 */
#ifndef KEEL_CORE_BOOTINFO_H
#define KEEL_CORE_BOOTINFO_H

#include "core/types.h"

/* Memory range types, as in the multiboot2 memory map (spec 3.6.8). */
#define MEM_AVAILABLE 1
#define MEM_RESERVED 2
#define MEM_ACPI_RECLAIMABLE 3
#define MEM_NVS 4
#define MEM_BADRAM 5

#define BOOT_MAX_MMAP 256
#define BOOT_MAX_MODULES 16

struct mem_range {
	u64 base;
	u64 len;
	u32 type; /* MEM_*; unknown types are kept and treated as reserved */
};

struct boot_module {
	phys_addr_t start;
	phys_addr_t end; /* exclusive */
	const char *cmdline; /* points into the boot information */
};

/* Framebuffer type, multiboot2 spec 2.0 3.6.12 */
#define FB_TYPE_INDEXED 0
#define FB_TYPE_RGB 1
#define FB_TYPE_EGA_TEXT 2

struct boot_fb {
	u64 addr;
	u32 pitch, width, height;
	u8 bpp, type;
	/* FB_TYPE_RGB only, when the tag holds them: bit position and size
	 * of each channel in a pixel. */
	bool have_rgb;
	u8 red_pos, red_size, green_pos, green_size, blue_pos, blue_size;
};

struct boot_info {
	phys_addr_t mbi_phys; /* start of the multiboot2 information */
	u32 mbi_size;
	const char *cmdline; /* "" when the loader gave none */
	const char *loader_name; /* "" when the loader gave none */

	bool have_basic_mem; /* tag 4; wrong under OVMF, informational only */
	u32 mem_lower_kb, mem_upper_kb;

	/* Tag 6, or tag 17 converted, whichever is present (6 preferred). */
	struct mem_range mmap[BOOT_MAX_MMAP];
	unsigned int n_mmap;
	unsigned int mmap_dropped; /* ranges beyond BOOT_MAX_MMAP, not kept */
	bool have_efi_mmap; /* tag 17 seen */
	phys_addr_t efi_mmap; /* descriptors, inside the boot information */
	u32 efi_desc_size, efi_desc_ver, efi_mmap_size;

	struct boot_module modules[BOOT_MAX_MODULES];
	unsigned int n_modules;

	/* Tags 14/15 hold a copy of the RSDP; these point at that copy. */
	const void *rsdp_v1; /* 20 bytes */
	const void *rsdp_v2; /* 36 bytes or its own length */
	u32 rsdp_v2_len;

	bool have_efi64_systab;
	u64 efi64_systab; /* tag 12 */
	bool efi_bs_not_terminated; /* tag 18 */

	bool have_fb;
	struct boot_fb fb; /* tag 8 */

	bool have_load_base;
	phys_addr_t load_base; /* tag 21 */
};

#endif
