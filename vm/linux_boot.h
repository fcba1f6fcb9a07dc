/* SPDX-License-Identifier: MIT */
/*
 * The Linux x86 boot protocol (Documentation/arch/x86/boot.rst, protocol
 * 2.10 and later): checking a bzImage's setup header, placing its
 * protected-mode kernel and initrd, and building the zero page (struct
 * boot_params, arch/x86/include/uapi/asm/bootparam.h) with an e820 map.
 * Pure: guest memory is reached through the multiboot loader's callbacks,
 * so the host tests it.
 */
#ifndef KEEL_VM_LINUX_BOOT_H
#define KEEL_VM_LINUX_BOOT_H

#include "core/types.h"
#include "vm/mb1.h"

/* Setup header, boot.rst "The real-mode kernel header": file offsets. */
#define LX_SETUP_SECTS 0x1f1
#define LX_SYSSIZE 0x1f4
#define LX_BOOT_FLAG 0x1fe
#define LX_JUMP 0x200 /* 0xEB, then the offset the header ends at - 0x202 */
#define LX_HEADER 0x202
#define LX_VERSION 0x206
#define LX_CODE32_START 0x214
#define LX_TYPE_OF_LOADER 0x210
#define LX_LOADFLAGS 0x211
#define LX_RAMDISK_IMAGE 0x218
#define LX_RAMDISK_SIZE 0x21c
#define LX_HEAP_END_PTR 0x224
#define LX_CMD_LINE_PTR 0x228
#define LX_INITRD_ADDR_MAX 0x22c
#define LX_KERNEL_ALIGNMENT 0x230
#define LX_RELOCATABLE 0x234
#define LX_MIN_ALIGNMENT 0x235
#define LX_XLOADFLAGS 0x236
#define LX_CMDLINE_SIZE 0x238
#define LX_PREF_ADDRESS 0x258
#define LX_INIT_SIZE 0x260
/* The header of protocol 2.10 ends after init_size. */
#define LX_HDR_END_MIN 0x264
/* boot_params: the header area ends where edd_mbr_sig_buffer starts. */
#define LX_HDR_END_MAX 0x290

#define LX_BOOT_FLAG_MAGIC 0xaa55
#define LX_HDRS_MAGIC 0x53726448U /* "HdrS" */
#define LX_MIN_VERSION 0x020a /* pref_address, init_size */
#define LX_SECTOR 512
#define LX_DEFAULT_SETUP_SECTS 4 /* setup_sects 0 means 4 */
#define LX_SYSSIZE_UNIT 16

/* loadflags, boot.rst */
#define LX_LOADED_HIGH BIT(0)
#define LX_KEEP_SEGMENTS BIT(6)
#define LX_CAN_USE_HEAP BIT(7)
/* xloadflags, boot.rst (protocol 2.12) */
#define LX_XLF_KERNEL_64 BIT(0)
#define LX_TYPE_OF_LOADER_UNDEFINED 0xff
/*
 * heap_end_ptr: boot.rst's example for a modern kernel puts the setup
 * heap's end at 0xE000 past the real-mode code, and heap_end_ptr is that
 * less 0x200. Keel enters the 32-bit protocol and loads no real-mode code,
 * so the setup heap is never used; the value is what a bootloader that
 * did would give.
 */
#define LX_HEAP_END 0xde00

/* boot_params (zero page) offsets, bootparam.h */
#define LX_ZP_SIZE 4096
#define LX_ZP_ACPI_RSDP_ADDR 0x070
#define LX_ZP_EXT_RAMDISK_IMAGE 0x0c0
#define LX_ZP_EXT_RAMDISK_SIZE 0x0c4
#define LX_ZP_EXT_CMD_LINE_PTR 0x0c8
#define LX_ZP_ALT_MEM_K 0x1e0
#define LX_ZP_E820_ENTRIES 0x1e8
#define LX_ZP_SENTINEL 0x1ef
#define LX_ZP_E820_TABLE 0x2d0
#define LX_E820_MAX 128
#define LX_E820_ENTRY_SIZE 20 /* u64 addr, u64 size, u32 type */
#define LX_E820_RAM 1
#define LX_E820_RESERVED 2

/*
 * Where Keel puts the loader's own structures, below the EBDA: the GDT
 * the 32-bit protocol asks for, the zero page and the command line.
 */
#define LX_GDT_GPA 0x7000U
#define LX_ZERO_PAGE_GPA 0x8000U
#define LX_CMDLINE_GPA 0x9000U
#define LX_CMDLINE_MAX 4096U
/* boot.rst, 32-bit boot protocol: __BOOT_CS and __BOOT_DS. */
#define LX_BOOT_CS 0x10
#define LX_BOOT_DS 0x18
#define LX_GDT_LIMIT 0x1f /* four descriptors: null, unused, CS, DS */

/* What the setup header says, checked. */
struct lx_image {
	u16 version;
	u32 hdr_end; /* file offset where the setup header ends */
	u32 kernel_off, kernel_len; /* the protected-mode kernel in the file */
	u8 loadflags;
	u16 xloadflags;
	bool relocatable;
	u32 kernel_alignment;
	u64 pref_address;
	u32 init_size; /* bytes the kernel needs from its load address */
	u32 cmdline_size; /* longest command line, without the NUL */
	u32 initrd_addr_max; /* highest address the initrd may reach */
};

/* The machine and what to hand the kernel. */
struct lx_machine {
	u64 mem_size; /* RAM at GPA 0..mem_size; see lx_e820() */
	const char *cmdline;
	const u8 *initrd; /* NULL for none */
	size_t initrd_len;
	u64 rsdp; /* the guest's ACPI RSDP, 0 for none */
};

/* Where everything went. */
struct lx_layout {
	u64 kernel; /* load address, also the 32-bit entry point */
	u32 initrd;
	u32 zero_page, cmdline, gdt;
};

/* Does @img carry a setup header ("HdrS" at 0x202)? */
bool lx_is_bzimage(const u8 *img, size_t len);

/* Check every field Keel uses; 0, or -EINVAL with @err naming it. */
int lx_parse(const u8 *img, size_t len, struct lx_image *im, char *err,
	     size_t errlen);

/* Choose the kernel's and the initrd's addresses; 0 or -ERANGE. */
int lx_place(const struct lx_image *im, const struct lx_machine *m,
	     struct lx_layout *lay, char *err, size_t errlen);

/* The guest's e820 map into @e (LX_E820_MAX entries); returns the count. */
unsigned int lx_e820(u64 mem_size, u8 *e);

/* Fill the LX_ZP_SIZE bytes of @zp as the zero page for @lay. */
void lx_build_zero_page(u8 *zp, const u8 *img, const struct lx_image *im,
			const struct lx_machine *m,
			const struct lx_layout *lay);

/* The GDT of LX_GDT_LIMIT + 1 bytes at LX_GDT_GPA. */
void lx_build_gdt(u8 *gdt);

/* Place and write everything; 0, or a negative errno with @err. */
int lx_load(const u8 *img, const struct lx_image *im,
	    const struct lx_machine *m, const struct mb1_mem_ops *ops,
	    struct lx_layout *lay, char *err, size_t errlen);

#endif
