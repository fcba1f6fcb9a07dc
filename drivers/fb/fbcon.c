// SPDX-License-Identifier: MIT
/* The framebuffer console; see drivers/fb/fbcon.h and docs/console-fb.md. */
#include "core/console.h"
#include "core/lib.h"
#include "core/mm.h"
#include "arch/x86/arch.h"
#include "drivers/fb/fbcon.h"
#include "drivers/fb/fbtext.h"
#include "drivers/pci.h"

/* 3840x2160 is 480x135 cells of 8x16; larger screens use the top rows. */
#define FBCON_MAX_CELLS (480 * 135)
/* boot/head.S identity-maps the low 4 GiB until paging_init(). */
#define BOOT_MAP_LIMIT GiB(4)

static char cells[FBCON_MAX_CELLS];
static struct fbtext text;
static u64 fb_base, fb_len;
static u32 fb_width, fb_height;
static bool started;

static void fbcon_write(const char *s, size_t n)
{
	fbtext_write(&text, s, n);
}

static const struct console_sink fbcon_sink = { .write = fbcon_write };

static const char *type_name(u8 type)
{
	switch (type) {
	case FB_TYPE_INDEXED:
		return "indexed colour";
	case FB_TYPE_EGA_TEXT:
		return "EGA text mode";
	default:
		return "unknown type";
	}
}

int fbcon_start(const struct boot_info *bi, char *why, size_t why_size)
{
	const struct boot_fb *fb = &bi->fb;
	struct fb_format f;
	int rc;

	if (!bi->have_fb) {
		ksnprintf(
			why, why_size,
			"the loader handed over no framebuffer (multiboot2 tag 8)");
		return -EINVAL;
	}
	if (fb->type != FB_TYPE_RGB || !fb->have_rgb) {
		ksnprintf(
			why, why_size,
			"the framebuffer is %s (type %u), not direct RGB colour",
			type_name(fb->type), fb->type);
		return -EINVAL;
	}
	f = (struct fb_format){
		.pitch = fb->pitch,
		.width = fb->width,
		.height = fb->height,
		.bpp = fb->bpp,
		.red_pos = fb->red_pos,
		.red_size = fb->red_size,
		.green_pos = fb->green_pos,
		.green_size = fb->green_size,
		.blue_pos = fb->blue_pos,
		.blue_size = fb->blue_size,
	};
	rc = fbtext_init(&text, &f, cells, sizeof(cells), why, why_size);
	if (rc)
		return rc;
	fb_base = fb->addr;
	fb_len = (u64)fb->pitch * fb->height;
	fb_width = fb->width;
	fb_height = fb->height;
	if (fb_base + fb_len >= fb_base && fb_base + fb_len <= BOOT_MAP_LIMIT)
		fbtext_attach(&text, phys_to_virt(fb_base));
	console_register(&fbcon_sink);
	started = true;
	return 0;
}

void fbcon_map(void)
{
	bool in_ram = false;
	void *p;

	if (!started)
		return;
	/* A framebuffer carved from RAM is mapped already, write-back;
	 * ioremap() refuses RAM. A tag whose end wraps is no framebuffer. */
	if (fb_base + fb_len < fb_base)
		p = NULL;
	else if ((in_ram = mm_overlaps_memory(fb_base, fb_len)) &&
		 fb_base + fb_len <= paging_direct_top())
		p = phys_to_virt(fb_base);
	else
		p = ioremap(fb_base, fb_len);
	if (!p) {
		pr_err("keel: console: fb: cannot map the framebuffer at %#llx\n",
		       fb_base);
		return;
	}
	if (p != text.base)
		fbtext_attach(&text, p);
	pr_info("keel: console: fb: %ux%u, %u bpp at %#llx (%ux%u text), %s\n",
		fb_width, fb_height, text.bytespp * 8, fb_base, text.cols,
		text.rows, in_ram ? "in RAM, write-back" : "uncached");
}

static bool bar_holds_fb(const struct pci_bar *b)
{
	return b->size && !b->io && b->base <= fb_base &&
	       fb_base + fb_len <= b->base + b->size;
}

void fbcon_claim_pci(void)
{
	if (!started)
		return;
	for (unsigned int i = 0; i < pci_device_count(); i++) {
		struct pci_dev *d = pci_device(i);

		for (int b = 0; b < PCI_MAX_BARS; b++) {
			if (!bar_holds_fb(&d->bars[b]))
				continue;
			d->keel_hidden = true;
			pr_info("keel: console: fb: PCI %02x:%02x.%u BAR%d holds the framebuffer; kept from the guest\n",
				d->bus, d->dev, d->fn, b);
			return;
		}
	}
	pr_info("keel: console: fb: the framebuffer lies in no PCI BAR\n");
}
