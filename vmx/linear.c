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

/*
 * The guest's PKRU. Keel never saves or switches the XSAVE state, so the
 * register holds the guest's value while Keel runs; RDPKRU needs CR4.PKE
 * (SDM Vol.2B RDPKRU), which Keel's own CR4 lacks: set it for the read.
 * Only called when the guest's CR4.PKE is on, so the CPU has PKU.
 */
static u32 guest_pkru(void)
{
	u64 cr4 = read_cr4();
	u32 pkru, edx;

	if (!(cpuid(CPUID_LEAF_7, 0).ecx & CPUID_7_ECX_PKU))
		return 0;
	write_cr4(cr4 | X86_CR4_PKE);
	/* RDPKRU (0F 01 EE): ECX must be 0; EDX is cleared. */
	__asm__ volatile(".byte 0x0f, 0x01, 0xee"
			 : "=a"(pkru), "=d"(edx)
			 : "c"(0));
	write_cr4(cr4);
	return pkru;
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
	w->smap = cr4 & X86_CR4_SMAP;
	w->ac = vmread(VMCS_GUEST_RFLAGS) & X86_RFLAGS_AC;
	/* PKRU only where keys are checked: guest_check_linear(). */
	w->pke = false;
	w->pkru = 0;
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
	w.pke = (vmread(VMCS_GUEST_CR4) & X86_CR4_PKE) &&
		w.mode == GPT_MODE_4LEVEL;
	if (w.pke)
		w.pkru = guest_pkru();
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
