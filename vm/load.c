// SPDX-License-Identifier: MIT
/*
 * Loading the guest: a bzImage by the Linux boot protocol (vm/linux_boot.c)
 * or a multiboot (v1) kernel (vm/mb1.c checks and places it). Both get the
 * same legacy area: a BIOS data area naming the EBDA and conventional
 * memory, and Keel's ACPI tables for the guest in the BIOS area
 * (vm/acpi_guest.c), where a legacy RSDP scan finds them.
 */
#include "core/console.h"
#include "core/lib.h"
#include "arch/x86/arch.h"
#include "vm/acpi_guest.h"
#include "vm/linux_boot.h"
#include "vm/mb1.h"
#include "vm/pc_layout.h"
#include "vm/vm.h"

_Static_assert(VM_MAX_MODULES == MB1_MAX_MODULES, "module limits differ");

/* The multiboot guest's segments (docs/vmx.md): GDTR is never read. */
#define MB1_CS_SEL 0x08
#define MB1_DS_SEL 0x10
#define MB1_GDTR_LIMIT 0xffff
#define LINUX_INITRD_MODULE "initrd"

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

/* The BDA words kernels read: where the EBDA is, how much low memory. */
static int write_bda(struct vm *vm)
{
	u16 ebda_seg = PC_LOW_RAM_END >> 4;
	u16 base_kb = PC_LOW_RAM_END >> 10;
	int rc = vm_write(vm, PC_BDA_EBDA_SEG, &ebda_seg, sizeof(ebda_seg));

	return rc ? rc :
		    vm_write(vm, PC_BDA_BASE_MEM_KB, &base_kb, sizeof(base_kb));
}

/* Interrupt Line for "unknown or no connection" (PCI 3.0 6.2.4). */
#define PCI_LINE_NONE 0xff

/*
 * PCI0's _PRT: each INTx pin the guest's bus-0 functions use, on the GSI
 * it reaches. Keel's virtio-blk raises its line through the IOAPIC pin of
 * that GSI (vm/irq.c); a passed-through function's pin is wired by the
 * host, whose firmware left the ISA IRQ in Interrupt Line (PC practice).
 */
static void build_prt(const struct vm *vm, struct gacpi_cfg *cfg)
{
	cfg->n_prt = 0;
	for (unsigned int i = 0; i < vm->n_intx; i++) {
		const struct vm_intx *x = &vm->intx[i];
		u8 dev = (x->bdf >> 3) & 0x1f;
		int rc;

		if (!x->line || x->line == PCI_LINE_NONE) {
			pr_info("keel: guest: PCI 00:%02x.%u INT%c has no interrupt line (%#x); no _PRT entry\n",
				dev, x->bdf & 7, 'A' + x->pin - 1, x->line);
			continue;
		}
		rc = gacpi_prt_add(cfg, dev, x->pin, vm_isa_gsi(x->line));
		if (!rc)
			pr_info("keel: guest: _PRT: PCI 00:%02x.%u INT%c -> GSI %u (line %u)\n",
				dev, x->bdf & 7, 'A' + x->pin - 1,
				vm_isa_gsi(x->line), x->line);
		else
			pr_warn("keel: guest: PCI 00:%02x.%u INT%c (line %u): no _PRT entry (%d)\n",
				dev, x->bdf & 7, 'A' + x->pin - 1, x->line, rc);
	}
}

/* The guest's ACPI tables; their RSDP's GPA, or 0 when there are none. */
static u64 install_acpi(struct vm *vm)
{
	static struct gacpi_cfg cfg;
	static u8 area[PC_BIOS_AREA_LEN];
	const char *why;
	/* The MADT's one CPU is the boot CPU, which runs the vCPU; the guest
	 * reads the same ID from CPUID and its LAPIC (both pass through).
	 * All of it: above 0xFE the MADT gets an x2APIC entry. */
	u32 apic_id = cpu_initial_apic_id();
	u64 rsdp;

	if (gacpi_cfg_from(&acpi_info, apic_id, &cfg, &why)) {
		pr_info("keel: guest: no ACPI tables for the guest: %s\n", why);
		return 0;
	}
	/* The PCI root bridge's MMIO window starts above guest RAM (at most
	 * VM_MAX_MEM, so well below the IOAPIC). */
	cfg.pci_mem_lo = (u32)vm->mem_size;
	if (!vm->hpet_passed)
		cfg.hpet.present = false;
	build_prt(vm, &cfg);
	rsdp = gacpi_build(&cfg, PC_BIOS_AREA, area, sizeof(area));
	if (!rsdp || vm_write(vm, PC_BIOS_AREA, area, sizeof(area)))
		return 0;
	return rsdp;
}

static int load_mb1(struct vm *vm, const struct vm_image *img,
		    const struct mb1_mem_ops *ops, struct vm_entry *entry,
		    char *err, size_t errlen)
{
	static struct mb1_machine m;
	struct mb1_image im;
	u32 mbi;
	int rc;

	rc = mb1_parse(img->kernel.data, img->kernel.len, &im, err, errlen);
	if (rc)
		return rc;
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
	rc = mb1_load(img->kernel.data, &im, &m, ops, &mbi, err, errlen);
	if (rc)
		return rc;
	*entry = (struct vm_entry){ .eip = im.entry,
				    .eax = MB1_BOOTLOADER_MAGIC,
				    .ebx = mbi,
				    .cmdline = img->kernel.cmdline,
				    .cs_sel = MB1_CS_SEL,
				    .ds_sel = MB1_DS_SEL,
				    .gdtr_limit = MB1_GDTR_LIMIT };
	pr_info("keel: guest: loaded %s image, %u segments, entry %#x, %u modules\n",
		im.aout ? "a.out-kludge" : "ELF", im.n_segments, im.entry,
		m.n_modules);
	if (!mb1_entry_in_image(&im))
		pr_warn("keel: guest: entry %#x lies outside every segment the image loads; the guest will run whatever is there\n",
			im.entry);
	return 0;
}

/* A Linux guest takes one module, its initrd ("guest-module initrd"). */
static int linux_initrd(const struct vm_image *img, struct lx_machine *m,
			char *err, size_t errlen)
{
	for (unsigned int i = 0; i < img->n_modules; i++) {
		const struct vm_blob *b = &img->modules[i];

		if (m->initrd || !b->cmdline ||
		    strcmp(b->cmdline, LINUX_INITRD_MODULE)) {
			ksnprintf(
				err, errlen,
				"a Linux guest takes one module, 'guest-module initrd'; module %u is '%s'",
				i, b->cmdline ? b->cmdline : "");
			return -EINVAL;
		}
		m->initrd = b->data;
		m->initrd_len = b->len;
	}
	return 0;
}

static int load_linux(struct vm *vm, const struct vm_image *img, u64 rsdp,
		      const struct mb1_mem_ops *ops, struct vm_entry *entry,
		      char *err, size_t errlen)
{
	struct lx_machine m = { .mem_size = vm->mem_size,
				.cmdline = img->kernel.cmdline,
				.rsdp = rsdp };
	struct lx_image im;
	struct lx_layout lay;
	int rc;

	rc = lx_parse(img->kernel.data, img->kernel.len, &im, err, errlen);
	if (!rc)
		rc = linux_initrd(img, &m, err, errlen);
	if (!rc)
		rc = lx_load(img->kernel.data, &im, &m, ops, &lay, err, errlen);
	if (rc)
		return rc;
	*entry = (struct vm_entry){ .eip = (u32)lay.kernel,
				    .esi = lay.zero_page,
				    .cmdline = img->kernel.cmdline,
				    .cs_sel = LX_BOOT_CS,
				    .ds_sel = LX_BOOT_DS,
				    .gdtr_base = lay.gdt,
				    .gdtr_limit = LX_GDT_LIMIT };
	pr_info("keel: guest: loaded Linux bzImage, boot protocol %u.%02u, kernel at %#llx (%u KiB, init_size %u KiB), initrd %zu KiB at %#x, ACPI RSDP %#llx\n",
		im.version >> 8, im.version & 0xff,
		(unsigned long long)lay.kernel, im.kernel_len >> 10,
		im.init_size >> 10, m.initrd_len >> 10, lay.initrd,
		(unsigned long long)rsdp);
	return 0;
}

int vm_load(struct vm *vm, const struct vm_image *img, struct vm_entry *entry)
{
	struct mb1_mem_ops ops = { write_cb, zero_cb, vm };
	char err[160];
	u64 rsdp;
	int rc;

	rc = write_bda(vm);
	if (rc) {
		ksnprintf(err, sizeof(err), "no RAM for the BIOS data area");
		goto err_report;
	}
	rsdp = install_acpi(vm);
	if (lx_is_bzimage(img->kernel.data, img->kernel.len))
		rc = load_linux(vm, img, rsdp, &ops, entry, err, sizeof(err));
	else
		rc = load_mb1(vm, img, &ops, entry, err, sizeof(err));
	if (rc)
		goto err_report;
	return 0;

err_report:
	pr_err("keel: guest: cannot load the guest: %s\n", err);
	return rc;
}
