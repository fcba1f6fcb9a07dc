/* SPDX-License-Identifier: MIT */
/*
 * Multiboot2 constants (Multiboot2 spec 2.0) that both the entry code
 * (boot/head.S, the header GRUB looks for) and C (boot/main.c, the parser in
 * boot/multiboot2.c) use. Constants only, so assembly includes it.
 */
#ifndef KEEL_BOOT_MULTIBOOT2_H
#define KEEL_BOOT_MULTIBOOT2_H

/* The OS image's header, spec 3.1.1-3.1.3 */
#define MB2_HEADER_MAGIC 0xe85250d6
#define MB2_ARCH_I386 0 /* 32-bit protected mode, also on UEFI */
#define MB2_HEADER_TAG_END 0 /* type 0, size 8, ends the header tags */
#define MB2_HEADER_TAG_OPTIONAL 1 /* flags bit 0: boot even if unmet */
/* Spec 3.1.10: the framebuffer Keel would like (console=fb draws on it). */
#define MB2_HEADER_TAG_FB 5
#define MB2_HEADER_TAG_FB_SIZE 20
#define MB2_FB_WANT_WIDTH 1024
#define MB2_FB_WANT_HEIGHT 768
#define MB2_FB_WANT_DEPTH 32

/* Spec 3.2: value in EAX when the kernel is entered. */
#define MB2_BOOTLOADER_MAGIC 0x36d76289

#endif
