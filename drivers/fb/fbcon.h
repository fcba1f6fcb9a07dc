/* SPDX-License-Identifier: MIT */
/*
 * The framebuffer console (console=fb): Keel's log drawn on the linear
 * framebuffer the loader handed over (multiboot2 tag 8), with the built-in
 * font (drivers/fb/fbtext.c). docs/console-fb.md.
 */
#ifndef KEEL_DRIVERS_FB_FBCON_H
#define KEEL_DRIVERS_FB_FBCON_H

#include "core/bootinfo.h"

/*
 * Check the loader's framebuffer and register the console. One below
 * 4 GiB is drawn at once through the boot identity map; one above shows
 * its text from fbcon_map() on. Returns 0, or -EINVAL with a reason in
 * @why (nothing registered).
 */
int fbcon_start(const struct boot_info *bi, char *why, size_t why_size);
/* After paging_init(): map the framebuffer uncached and draw. */
void fbcon_map(void);
/*
 * After PCI enumeration: the function whose BAR holds the framebuffer is
 * hidden from the guest (never seen, mapped or moved) and, as Keel uses
 * no DMA of it, gets no IOMMU context.
 */
void fbcon_claim_pci(void);

#endif
