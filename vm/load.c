// SPDX-License-Identifier: MIT
/*
 * Loading the guest: today a multiboot (v1) kernel (vm/mb1.c checks and
 * places it), with the legacy VGA/BIOS area as the only hole below the
 * top of RAM.
 */
#include "core/console.h"
#include "core/lib.h"
#include "vm/mb1.h"
#include "vm/vm.h"

_Static_assert(VM_MAX_MODULES == MB1_MAX_MODULES, "module limits differ");

static int write_cb(void *ctx, u64 gpa, const void *buf, size_t len)
{
	return vm_write(ctx, gpa, buf, len);
}

static int zero_cb(void *ctx, u64 gpa, size_t len)
{
	static const u8 zeros[256];

	while (len) {
		size_t n = MIN(len, sizeof(zeros));
		int rc = vm_write(ctx, gpa, zeros, n);

		if (rc)
			return rc;
		gpa += n;
		len -= n;
	}
	return 0;
}

int vm_load(struct vm *vm, const struct vm_image *img, struct vm_entry *entry)
{
	static struct mb1_machine m;
	struct mb1_image im;
	struct mb1_mem_ops ops = { write_cb, zero_cb, vm };
	char err[160];
	u32 mbi;
	int rc;

	rc = mb1_parse(img->kernel.data, img->kernel.len, &im, err,
		       sizeof(err));
	if (rc)
		goto err_report;
	memset(&m, 0, sizeof(m));
	m.mem_size = vm->mem_size;
	m.hole_start = VM_LEGACY_HOLE_START;
	m.hole_end = VM_LEGACY_HOLE_END;
	m.cmdline = img->kernel.cmdline;
	m.loader_name = "Keel";
	for (unsigned int i = 0; i < img->n_modules; i++)
		m.modules[m.n_modules++] =
			(struct mb1_module){ img->modules[i].data,
					     img->modules[i].len,
					     img->modules[i].cmdline };
	rc = mb1_load(img->kernel.data, &im, &m, &ops, &mbi, err, sizeof(err));
	if (rc)
		goto err_report;
	*entry = (struct vm_entry){ im.entry, MB1_BOOTLOADER_MAGIC, mbi,
				    img->kernel.cmdline };
	pr_info("keel: guest: loaded %s image, %u segments, entry %#x, %u modules\n",
		im.aout ? "a.out-kludge" : "ELF", im.n_segments, im.entry,
		m.n_modules);
	return 0;

err_report:
	pr_err("keel: guest: cannot load the guest: %s\n", err);
	return rc;
}
