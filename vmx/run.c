// SPDX-License-Identifier: MIT
/*
 * Running a VM's one vCPU: the VMX structures it needs beside the VMCS
 * (I/O and MSR bitmaps, EPTP, VPID), then VMLAUNCH and the exit loop until
 * the guest ends. Everything allocated here is released on every path.
 */
#include "arch/x86/arch.h"
#include "core/console.h"
#include "core/lib.h"
#include "core/mm.h"
#include "vmx/vcpu.h"
#include "vmx/vmx.h"
#include "vmx/vmx_ops.h"

#define VPID_GUEST 1
#define IO_BITMAP_PAGES 2 /* A: ports 0-0x7fff, B: 0x8000-0xffff */

static struct vcpu the_vcpu;
/* Set while the guest runs: between exits its VMCS is current. */
static struct vcpu *running;

struct vcpu *vcpu_running(void)
{
	return running;
}

void vmx_ept_page_sizes(bool *allow_2m, bool *allow_1g)
{
	*allow_2m = vmx_cfg.ept.page_2m;
	*allow_1g = vmx_cfg.ept.page_1g;
}

static void vcpu_free(struct vcpu *v)
{
	if (v->vmcs) {
		vmclear(v->vmcs);
		free_pages(v->vmcs, 1);
	}
	if (v->io_bitmap)
		free_pages(virt_to_phys(v->io_bitmap), IO_BITMAP_PAGES);
	if (v->msr_bitmap)
		free_pages(virt_to_phys(v->msr_bitmap), 1);
	memset(v, 0, sizeof(*v));
}

static void *alloc_bitmap(unsigned int npages)
{
	phys_addr_t p = alloc_pages(npages, PAGE_SIZE);

	return p == PHYS_INVALID ? NULL : phys_to_virt(p);
}

static int vcpu_setup(struct vcpu *v, struct vm *vm,
		      const struct vm_entry *entry)
{
	int rc;

	memset(v, 0, sizeof(*v));
	v->vm = vm;
	v->cfg = &vmx_cfg;
	v->io_bitmap = alloc_bitmap(IO_BITMAP_PAGES);
	v->msr_bitmap = alloc_bitmap(1);
	if (!v->io_bitmap || !v->msr_bitmap)
		return -ENOMEM;
	vmx_io_bitmap_init(v);
	vmx_msr_bitmap_init(v);
	v->eptp = ept_eptp(&vm->ept, false);
	vmx_flush_ept(v);
	vm->ept_dirty = false;
	if (vmx_cfg.ctl.word[VMX_CTL_PROC2] & SECONDARY_EXEC_ENABLE_VPID) {
		v->vpid = VPID_GUEST;
		invvpid(INVVPID_ALL_CONTEXT, 0, 0);
	}
	vmx_reset_cpu_state();
	vmx_msr_reset(v);
	rc = vmcs_setup(v, entry);
	if (rc) {
		pr_err("keel: guest: cannot set up the VMCS (%d)\n", rc);
		return rc;
	}
	vmx_tsc_reset(v);
	vmx_background_setup(v);
	return 0;
}

static void report_end(struct vcpu *v)
{
	struct vm *vm = v->vm;

	vm_devices_stop(vm);
	if (vm->state == VM_EXITED)
		printf("keel: guest exited with status %d\n", vm->status);
	else
		printf("keel: guest stopped: %s\n", vm->stop_reason);
	/* Said at the end, not at entry, so that printing it costs the
	 * guest's span nothing: benchmarks time a guest's boot from it. */
	printf("keel: guest: ran from TSC %llu to TSC %llu\n", v->entry_tsc,
	       rdtsc());
	vcpu_print_stats(v);
	/* A guest that died: its last exits say how it got there. */
	if (vm->state == VM_STOPPED && vmx_trace_entries() && vmx_trace_dump())
		printf("keel: end of the exit trace\n");
}

int vmx_run(struct vm *vm, const struct vm_entry *entry)
{
	struct vcpu *v = &the_vcpu;
	u32 err;
	int rc;

	rc = vcpu_setup(v, vm, entry);
	if (rc)
		goto out;
	pr_info("keel: guest: starting with %llu MiB of RAM, cmdline '%s'\n",
		vm->mem_size >> 20, entry->cmdline);
	vmx_nmi_start(v);
	running = v;
	v->entry_tsc = rdtsc();
	rc = vmx_enter(v);
	running = NULL;
	vmx_nmi_stop(v);
	if (rc) {
		err = (u32)vmread(VMCS_VM_INSTRUCTION_ERROR);
		vcpu_stop(v, "%s failed: VM-instruction error %u (%s)",
			  rc == 1 ? "VMLAUNCH" : "VMRESUME", err,
			  vmx_insn_error_string(err));
		rc = 0;
	}
	report_end(v);
out:
	vcpu_free(v);
	return rc;
}
