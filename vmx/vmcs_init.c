// SPDX-License-Identifier: MIT
/*
 * Filling a fresh VMCS: controls from the negotiated configuration, host
 * state from Keel's real state, and the guest state a multiboot (v1) loader
 * leaves (Multiboot 0.6.96 3.2): 32-bit protected mode, paging off, flat
 * 4 GiB segments, EAX and EBX as the loader (vm/load.c) says. Unrestricted
 * guest lets CR0.PG be 0 (SDM Vol.3C 27.3.1.1, rev 080).
 */
#include "core/console.h"
#include "core/lib.h"
#include "core/mm.h"
#include "arch/x86/arch.h"
#include "vmx/vcpu.h"
#include "vmx/vmx_ops.h"

/* Power-on IA32_PAT, SDM Vol.3A 11.12.4 table 11-12 */
#define PAT_POWER_ON 0x0007040600070406ULL
#define DR7_POWER_ON 0x400ULL

/* Flat segment access rights: type 11 (code, RX, accessed) / 3 (data, RW,
 * accessed), S, P, D/B, G; TR: 32-bit busy TSS (type 11), SDM Vol.3C
 * 27.3.1.2. */
#define AR_CODE32 (11 | VMX_AR_S | VMX_AR_P | VMX_AR_DB | VMX_AR_G)
#define AR_DATA32 (3 | VMX_AR_S | VMX_AR_P | VMX_AR_DB | VMX_AR_G)
#define AR_TSS32_BUSY (11 | VMX_AR_P)

#define CR0_TRACKED (X86_CR0_PG)

struct vmcs_field_val {
	u64 field;
	u64 val;
};

static bool write_all(const struct vmcs_field_val *f, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		if (!vmwrite_checked(f[i].field, f[i].val)) {
			pr_err("keel: vmx: VMWRITE of field %#llx failed (error %llu)\n",
			       f[i].field, vmread(VMCS_VM_INSTRUCTION_ERROR));
			return false;
		}
	}
	return true;
}

static bool setup_controls(struct vcpu *v)
{
	const struct vmx_config *c = v->cfg;
	/* vmx/background.c turns the preemption timer on. */
	u32 pin = c->ctl.word[VMX_CTL_PIN] & ~PIN_BASED_VMX_PREEMPTION_TIMER;
	u32 exit = c->ctl.word[VMX_CTL_EXIT] &
		   ~VM_EXIT_SAVE_VMX_PREEMPTION_TIMER;
	const struct vmcs_field_val f[] = {
		{ VMCS_PIN_BASED_VM_EXEC_CONTROL, pin },
		{ VMCS_CPU_BASED_VM_EXEC_CONTROL, c->ctl.word[VMX_CTL_PROC] },
		{ VMCS_SECONDARY_VM_EXEC_CONTROL, c->ctl.word[VMX_CTL_PROC2] },
		{ VMCS_VM_EXIT_CONTROLS, exit },
		{ VMCS_VM_ENTRY_CONTROLS, c->ctl.word[VMX_CTL_ENTRY] },
		{ VMCS_EXCEPTION_BITMAP, 0 },
		{ VMCS_PAGE_FAULT_ERROR_CODE_MASK, 0 },
		{ VMCS_PAGE_FAULT_ERROR_CODE_MATCH, 0 },
		{ VMCS_CR3_TARGET_COUNT, 0 },
		{ VMCS_VM_EXIT_MSR_STORE_COUNT, 0 },
		{ VMCS_VM_EXIT_MSR_LOAD_COUNT, 0 },
		{ VMCS_VM_ENTRY_MSR_LOAD_COUNT, 0 },
		{ VMCS_VM_ENTRY_INTR_INFO, 0 },
		{ VMCS_IO_BITMAP_A, virt_to_phys(v->io_bitmap) },
		{ VMCS_IO_BITMAP_B, virt_to_phys(v->io_bitmap) + PAGE_SIZE },
		{ VMCS_MSR_BITMAP, virt_to_phys(v->msr_bitmap) },
		{ VMCS_EPT_POINTER, v->eptp },
		{ VMCS_VMCS_LINK_POINTER, VMCS_LINK_POINTER_NONE },
	};

	if (!write_all(f, ARRAY_SIZE(f)))
		return false;
	if (v->vpid && !vmwrite_checked(VMCS_VPID, v->vpid))
		return false;
	return true;
}

static bool setup_host_state(void)
{
	struct desc_table_reg gdtr, idtr;
	u64 fs = 0, gs = 0, pat = 0, efer = 0;

	store_gdt(&gdtr);
	store_idt(&idtr);
	rdmsr_safe(MSR_FS_BASE, &fs);
	rdmsr_safe(MSR_GS_BASE, &gs);
	rdmsr_safe(MSR_IA32_PAT, &pat);
	rdmsr_safe(MSR_EFER, &efer);
	const struct vmcs_field_val f[] = {
		{ VMCS_HOST_CR0, read_cr0() },
		{ VMCS_HOST_CR3, read_cr3() },
		{ VMCS_HOST_CR4, read_cr4() },
		{ VMCS_HOST_CS_SELECTOR, GDT_KERNEL_CS },
		{ VMCS_HOST_SS_SELECTOR, GDT_KERNEL_DS },
		{ VMCS_HOST_DS_SELECTOR, GDT_KERNEL_DS },
		{ VMCS_HOST_ES_SELECTOR, GDT_KERNEL_DS },
		{ VMCS_HOST_FS_SELECTOR, 0 },
		{ VMCS_HOST_GS_SELECTOR, 0 },
		{ VMCS_HOST_TR_SELECTOR, GDT_TSS },
		{ VMCS_HOST_FS_BASE, fs },
		{ VMCS_HOST_GS_BASE, gs },
		{ VMCS_HOST_TR_BASE, arch_tss_base() },
		{ VMCS_HOST_GDTR_BASE, gdtr.base },
		{ VMCS_HOST_IDTR_BASE, idtr.base },
		{ VMCS_HOST_IA32_SYSENTER_CS, 0 },
		{ VMCS_HOST_IA32_SYSENTER_ESP, 0 },
		{ VMCS_HOST_IA32_SYSENTER_EIP, 0 },
		{ VMCS_HOST_IA32_PAT, pat },
		{ VMCS_HOST_IA32_EFER, efer },
		{ VMCS_HOST_RIP, (u64)vmx_exit_stub },
	};

	return write_all(f, ARRAY_SIZE(f));
}

/* The CR0 bits the guest cannot own: VMX fixed bits, and PG to track
 * long-mode entry (EFER.LMA and the IA-32e mode guest control). */
static u64 cr0_mask(const struct vmx_caps_msrs *m)
{
	u64 fixed = (m->cr0_fixed0 & ~(u64)(X86_CR0_PE | X86_CR0_PG)) |
		    (~m->cr0_fixed1 & 0xffffffffULL);

	return fixed | CR0_TRACKED;
}

static u64 cr4_mask(const struct vmx_caps_msrs *m)
{
	return m->cr4_fixed0 | CR4_REFUSED | (~m->cr4_fixed1 & 0xffffffffULL);
}

#define SEG(name, sel, ar)                                 \
	{ VMCS_GUEST_##name##_SELECTOR, sel },             \
		{ VMCS_GUEST_##name##_BASE, 0 },           \
		{ VMCS_GUEST_##name##_LIMIT, 0xffffffff }, \
	{                                                  \
		VMCS_GUEST_##name##_AR_BYTES, ar           \
	}

static bool setup_guest_state(struct vcpu *v, const struct vm_entry *entry)
{
	const struct vmx_caps_msrs *m = vmx_caps();
	u64 cr0_view = X86_CR0_PE | X86_CR0_ET;
	const struct vmcs_field_val f[] = {
		{ VMCS_GUEST_CR0, vmx_guest_cr0(m, cr0_view, true) },
		{ VMCS_CR0_GUEST_HOST_MASK, cr0_mask(m) },
		{ VMCS_CR0_READ_SHADOW, cr0_view },
		{ VMCS_GUEST_CR3, 0 },
		{ VMCS_GUEST_CR4, vmx_guest_cr4(m, 0) },
		{ VMCS_CR4_GUEST_HOST_MASK, cr4_mask(m) },
		{ VMCS_CR4_READ_SHADOW, 0 },
		SEG(CS, entry->cs_sel, AR_CODE32),
		SEG(DS, entry->ds_sel, AR_DATA32),
		SEG(ES, entry->ds_sel, AR_DATA32),
		SEG(FS, entry->ds_sel, AR_DATA32),
		SEG(GS, entry->ds_sel, AR_DATA32),
		SEG(SS, entry->ds_sel, AR_DATA32),
		{ VMCS_GUEST_TR_SELECTOR, 0 },
		{ VMCS_GUEST_TR_BASE, 0 },
		{ VMCS_GUEST_TR_LIMIT, 0xffff },
		{ VMCS_GUEST_TR_AR_BYTES, AR_TSS32_BUSY },
		{ VMCS_GUEST_LDTR_SELECTOR, 0 },
		{ VMCS_GUEST_LDTR_BASE, 0 },
		{ VMCS_GUEST_LDTR_LIMIT, 0 },
		{ VMCS_GUEST_LDTR_AR_BYTES, VMX_AR_UNUSABLE },
		{ VMCS_GUEST_GDTR_BASE, entry->gdtr_base },
		{ VMCS_GUEST_GDTR_LIMIT, entry->gdtr_limit },
		{ VMCS_GUEST_IDTR_BASE, 0 },
		{ VMCS_GUEST_IDTR_LIMIT, 0xffff },
		{ VMCS_GUEST_DR7, DR7_POWER_ON },
		{ VMCS_GUEST_RSP, 0 },
		{ VMCS_GUEST_RIP, entry->eip },
		{ VMCS_GUEST_RFLAGS, X86_RFLAGS_FIXED },
		{ VMCS_GUEST_PENDING_DBG_EXCEPTIONS, 0 },
		{ VMCS_GUEST_SYSENTER_CS, 0 },
		{ VMCS_GUEST_SYSENTER_ESP, 0 },
		{ VMCS_GUEST_SYSENTER_EIP, 0 },
		{ VMCS_GUEST_IA32_DEBUGCTL, 0 },
		{ VMCS_GUEST_IA32_PAT, PAT_POWER_ON },
		{ VMCS_GUEST_IA32_EFER, 0 },
		{ VMCS_GUEST_INTERRUPTIBILITY_INFO, 0 },
		{ VMCS_GUEST_ACTIVITY_STATE, GUEST_ACTIVITY_ACTIVE },
	};

	memset(&v->regs, 0, sizeof(v->regs));
	v->regs.rax = entry->eax;
	v->regs.rbx = entry->ebx;
	v->regs.rsi = entry->esi;
	return write_all(f, ARRAY_SIZE(f));
}

int vmcs_setup(struct vcpu *v, const struct vm_entry *entry)
{
	phys_addr_t vmcs = alloc_pages(1, PAGE_SIZE);

	if (vmcs == PHYS_INVALID)
		return -ENOMEM;
	*(u32 *)phys_to_virt(vmcs) = v->cfg->revision;
	if (!vmclear(vmcs) || !vmptrld(vmcs)) {
		pr_err("keel: vmx: VMCLEAR/VMPTRLD failed\n");
		goto err_free;
	}
	v->vmcs = vmcs;
	v->launched = 0;
	if (!setup_controls(v) || !setup_host_state() ||
	    !setup_guest_state(v, entry))
		goto err_clear;
	return 0;

err_clear:
	vmclear(vmcs);
	v->vmcs = 0;
err_free:
	free_pages(vmcs, 1);
	return -EIO;
}
