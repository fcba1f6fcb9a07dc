/* SPDX-License-Identifier: MIT */
/*
 * The multiboot2 loader interface: the entry magic and the parser that turns
 * the loader's tags into struct boot_info (core/bootinfo.h), which the rest
 * of Keel reads. Multiboot2 spec 2.0 ch. 3.6.
 */
#ifndef KEEL_BOOT_BOOT_H
#define KEEL_BOOT_BOOT_H

#include "core/types.h"
#include "core/bootinfo.h"
#include "boot/multiboot2.h"

/*
 * Parse the multiboot2 information at @mbi (already mapped). @limit is the
 * largest size the caller will let the parser read; the information's own
 * total_size must fit within it. Every tag is checked against the total size
 * and its own minimum size before any field is read. Returns 0, or a negative
 * errno with a message naming the tag in @err.
 */
int mb2_parse(const void *mbi, size_t limit, struct boot_info *bi, char *err,
	      size_t errlen);

extern struct boot_info boot_info;

#endif
