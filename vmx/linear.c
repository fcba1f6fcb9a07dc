// SPDX-License-Identifier: MIT
/*
 * The guest's memory as its instructions see it: linear addresses
 * translated through the guest's own paging (ept/gpt.c) with the mode
 * from its CR0, CR4 and EFER, then guest-physical RAM (vm/). And the EPT
 * flush when the VM's mappings change under a vCPU.
 */
#include "core/lib.h"
#include "arch/x86/arch.h"
#include "vmx/vcpu.h"
#include "vmx/vmx_ops.h"

/* INVEPT for this guest's EPTP, else for all (SDM Vol.3C 29.4.3.1). */
void vmx_flush_ept(struct vcpu *v)
{
	if (vmx_cfg.ept.invept_single)
		invept(INVEPT_SINGLE_CONTEXT, v->eptp);
	else
		invept(INVEPT_ALL_CONTEXT, 0);
}

static int gpt_read_cb(void *ctx, u64 gpa, void *buf, size_t len)
{
	return vm_read(ctx, gpa, buf, len);
}

static int gpt_write_cb(void *ctx, u64 gpa, const void *buf, size_t len)
{
	return vm_write(ctx, gpa, buf, len);
}

static void walker_for(struct vcpu *v, struct gpt_walker *w)
{
	u64 cr4 = vmread(VMCS_GUEST_CR4);

	w->mode = gpt_mode_from_regs(vmread(VMCS_GUEST_CR0), cr4,
				     vmread(VMCS_GUEST_IA32_EFER));
	w->cr3 = vmread(VMCS_GUEST_CR3);
	w->pse = cr4 & X86_CR4_PSE;
	w->read = gpt_read_cb;
	w->write = gpt_write_cb;
	w->ctx = v->vm;
	w->wp = vmread(VMCS_GUEST_CR0) & X86_CR0_WP;
	w->nxe = vmread(VMCS_GUEST_IA32_EFER) & EFER_NXE;
}

/* The guest's CPL is SS.DPL in VMX (SDM Vol.3C 27.3.1.2). */
static bool guest_cpl3(void)
{
	return FIELD_GET(VMX_AR_DPL, vmread(VMCS_GUEST_SS_AR_BYTES)) == 3;
}

int guest_check_linear(struct vcpu *v, u64 gla, size_t len, bool write,
		       u32 *pf_error, u64 *cr2)
{
	u32 access = (write ? GPT_PF_W : 0) | (guest_cpl3() ? GPT_PF_U : 0);
	struct gpt_walker w;
	u64 gpa;

	walker_for(v, &w);
	/* By remaining length: an access may wrap past the top of the
	 * address space, and every page it touches is checked. */
	while (len) {
		u64 n = MIN((u64)len, PAGE_SIZE - (gla & (PAGE_SIZE - 1)));
		int ret = gpt_translate_access(&w, gla, access, &gpa, pf_error);

		if (ret == GPT_PAGE_FAULT)
			*cr2 = gla;
		if (ret)
			return ret;
		gla += n;
		len -= n;
	}
	return 0;
}

int guest_read_linear(struct vcpu *v, u64 gla, void *buf, size_t len)
{
	struct gpt_walker w;

	walker_for(v, &w);
	return gpt_read_linear(&w, gla, buf, len);
}

int guest_write_linear(struct vcpu *v, u64 gla, const void *buf, size_t len)
{
	struct gpt_walker w;

	walker_for(v, &w);
	return gpt_write_linear(&w, gla, buf, len);
}
