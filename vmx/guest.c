// SPDX-License-Identifier: MIT
/*
 * Running the guest: find the module named "guest", give it RAM, load it as
 * a multiboot (v1) kernel, build its VMCS and run it until it ends. Keel
 * then prints exactly one line saying how it ended, and its exit
 * statistics. See docs/vmx.md for what the guest sees of the machine.
 */
#include "core/console.h"
#include "core/lib.h"
#include "core/mm.h"
#include "arch/x86/acpi.h"
#include "arch/x86/arch.h"
#include "vmx/mb1.h"
#include "vmx/vcpu.h"
#include "vmx/vmx.h"
#include "vmx/vmx_ops.h"

#define GUEST_MODULE_NAME "guest"
#define GUEST_EXTRA_MODULE_NAME "guest-module"
#define VPID_GUEST 1
#define LAPIC_MMIO_SIZE 0x1000
#define IOAPIC_MMIO_SIZE 0x1000

static struct guest the_guest;
static struct vcpu the_vcpu;

/* "name rest..." -> does the first word equal @name; *rest = the rest. */
static bool module_named(const char *cmdline, const char *name,
			 const char **rest)
{
	size_t n = strlen(name);

	if (!cmdline || strncmp(cmdline, name, n) ||
	    (cmdline[n] != '\0' && cmdline[n] != ' '))
		return false;
	*rest = cmdline + n;
	while (**rest == ' ')
		(*rest)++;
	return true;
}

static int write_cb(void *ctx, u64 gpa, const void *buf, size_t len)
{
	return guest_write(ctx, gpa, buf, len);
}

static int zero_cb(void *ctx, u64 gpa, size_t len)
{
	static const u8 zeros[256];

	while (len) {
		size_t n = MIN(len, sizeof(zeros));
		int rc = guest_write(ctx, gpa, zeros, n);

		if (rc)
			return rc;
		gpa += n;
		len -= n;
	}
	return 0;
}

static int load_image(struct guest *g, const struct boot_info *bi,
		      const struct boot_module *gm, const char *gcmd,
		      u32 *entry, u32 *mbi)
{
	static struct mb1_machine m;
	struct mb1_image im;
	struct mb1_mem_ops ops = { write_cb, zero_cb, g };
	const u8 *img = phys_to_virt(gm->start);
	size_t len = gm->end - gm->start;
	char err[160];
	const char *rest;
	int rc;

	rc = mb1_parse(img, len, &im, err, sizeof(err));
	if (rc) {
		pr_err("keel: guest: cannot load the guest: %s\n", err);
		return rc;
	}
	memset(&m, 0, sizeof(m));
	m.mem_size = g->mem_size;
	m.hole_start = 0xa0000;
	m.hole_end = 0x100000;
	m.cmdline = gcmd;
	m.loader_name = "Keel";
	for (unsigned int i = 0; i < bi->n_modules; i++) {
		const struct boot_module *bm = &bi->modules[i];

		if (!module_named(bm->cmdline, GUEST_EXTRA_MODULE_NAME,
				  &rest) ||
		    m.n_modules == MB1_MAX_MODULES)
			continue;
		m.modules[m.n_modules++] =
			(struct mb1_module){ phys_to_virt(bm->start),
					     bm->end - bm->start, rest };
	}
	rc = mb1_load(img, &im, &m, &ops, mbi, err, sizeof(err));
	if (rc) {
		pr_err("keel: guest: cannot load the guest: %s\n", err);
		return rc;
	}
	*entry = im.entry;
	pr_info("keel: guest: loaded %s image, %u segments, entry %#x, %u modules\n",
		im.aout ? "a.out-kludge" : "ELF", im.n_segments, im.entry,
		m.n_modules);
	return 0;
}

/* The LAPIC and IOAPICs pass through: the guest owns interrupts. */
static int map_passthrough(struct guest *g)
{
	int rc = 0;

	if (acpi_info.have_madt)
		rc = ept_map(&g->ept, acpi_info.lapic_base,
			     acpi_info.lapic_base, LAPIC_MMIO_SIZE,
			     EPT_MAP_MMIO);
	for (unsigned int i = 0; !rc && i < acpi_info.n_ioapics; i++)
		rc = ept_map(&g->ept, acpi_info.ioapics[i].addr,
			     acpi_info.ioapics[i].addr, IOAPIC_MMIO_SIZE,
			     EPT_MAP_MMIO);
	return rc;
}

static int guest_setup(struct guest *g, struct vcpu *v,
		       const struct boot_info *bi, const struct boot_module *gm,
		       const char *gcmd, const struct guest_config *gc)
{
	u32 entry, mbi;
	int rc;

	g->io_bitmap = phys_to_virt(alloc_pages(2, PAGE_SIZE));
	g->msr_bitmap = phys_to_virt(alloc_pages(1, PAGE_SIZE));
	if (virt_to_phys(g->io_bitmap) == PHYS_INVALID ||
	    virt_to_phys(g->msr_bitmap) == PHYS_INVALID)
		return -ENOMEM;
	msr_bitmap_init(g);
	rc = guest_mem_init(g, gc->mem_size);
	if (rc) {
		pr_err("keel: guest: cannot set up guest RAM (%d)\n", rc);
		return rc;
	}
	rc = map_passthrough(g);
	guest_flush_ept(g);
	if (!rc)
		rc = guest_devices_init(g);
	if (!rc)
		rc = guest_pci_init(g, gc);
	if (!rc)
		rc = load_image(g, bi, gm, gcmd, &entry, &mbi);
	if (rc)
		return rc;
	if (vmx_cfg.ctl.word[VMX_CTL_PROC2] & SECONDARY_EXEC_ENABLE_VPID) {
		g->vpid = VPID_GUEST;
		invvpid(INVVPID_ALL_CONTEXT, 0, 0);
	}
	v->g = g;
	v->cfg = &vmx_cfg;
	v->state = VCPU_RUNNING;
	rc = vmcs_setup(v, entry, mbi);
	if (rc)
		pr_err("keel: guest: cannot set up the VMCS (%d)\n", rc);
	return rc;
}

static void report_end(struct vcpu *v)
{
	guest_console_flush(v->g);
	if (v->state == VCPU_EXITED)
		printf("keel: guest exited with status %d\n", v->status);
	else
		printf("keel: guest stopped: %s\n", v->stop_reason);
	vcpu_print_stats(v);
}

int guest_run(const struct boot_info *bi, const struct guest_config *gc)
{
	struct vcpu *v = &the_vcpu;
	const struct boot_module *gm = NULL;
	const char *gcmd = "";
	u32 err;
	int rc;

	for (unsigned int i = 0; i < bi->n_modules && !gm; i++)
		if (module_named(bi->modules[i].cmdline, GUEST_MODULE_NAME,
				 &gcmd))
			gm = &bi->modules[i];
	if (!gm) {
		pr_info("keel: guest: no module named 'guest'; no guest to run\n");
		return -1;
	}
	if (!vmx_enabled()) {
		pr_info("keel: guest: not started: VT-x is not available\n");
		return -1;
	}
	if (guest_setup(&the_guest, v, bi, gm, gcmd, gc)) {
		printf("keel: guest stopped: setup failed\n");
		return -1;
	}
	pr_info("keel: guest: starting with %llu MiB of RAM, cmdline '%s'\n",
		the_guest.mem_size >> 20, gcmd);
	rc = vmx_enter(v);
	if (rc) {
		err = (u32)vmread(VMCS_VM_INSTRUCTION_ERROR);
		vcpu_stop(v, "%s failed: VM-instruction error %u (%s)",
			  rc == 1 ? "VMLAUNCH" : "VMRESUME", err,
			  vmx_insn_error_string(err));
	}
	report_end(v);
	return v->state == VCPU_EXITED ? v->status : -1;
}
