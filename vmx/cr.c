// SPDX-License-Identifier: MIT
/*
 * Control-register exits (SDM Vol.3C 26.1.3, 28.2.1 table 28-3, rev 080).
 * The guest owns CR0 and CR4 except the bits in the guest/host masks: the
 * VMX fixed bits (NE, VMXE), which it sees through the read shadows as it
 * set them, and CR0.PG, tracked so that EFER.LMA and the IA-32e mode guest
 * control follow the guest into and out of long mode.
 */
#include "core/console.h"
#include "core/lib.h"
#include "arch/x86/arch.h"
#include "vmx/caps.h"
#include "vmx/exitqual.h"
#include "vmx/vcpu.h"
#include "vmx/vmx_ops.h"

#define CR0_LMSW_BITS (X86_CR0_PE | X86_CR0_MP | X86_CR0_EM | X86_CR0_TS)

static u64 read_gpr(struct vcpu *v, unsigned int r)
{
	return r == 4 ? vmread(VMCS_GUEST_RSP) : *vcpu_gpr(v, r);
}

static void write_gpr(struct vcpu *v, unsigned int r, u64 val)
{
	if (r == 4)
		vmwrite(VMCS_GUEST_RSP, val);
	else
		*vcpu_gpr(v, r) = val;
}

/* PDPTE bits, SDM Vol.3A 4.4.1: P, and reserved 2:1, 8:5, 63:52 and
 * 51:MAXPHYADDR (CPUID.80000008h:EAX[7:0], SDM Vol.2A CPUID). */
#define PDPTE_P BIT(0)
#define PDPTE_RSVD (GENMASK(2, 1) | GENMASK(8, 5) | GENMASK(63, 52))
#define PAE_CR3_MASK GENMASK(31, 5)
#define PHYS_BITS_MAX 52

static u64 pdpte_rsvd(void)
{
	static u64 rsvd;

	if (!rsvd) {
		unsigned int bits = cpu_phys_addr_bits();

		rsvd = PDPTE_RSVD;
		if (bits && bits < PHYS_BITS_MAX)
			rsvd |= GENMASK(PHYS_BITS_MAX - 1, bits);
	}
	return rsvd;
}

static const u64 pdpte_field[4] = {
	VMCS_GUEST_PDPTE0,
	VMCS_GUEST_PDPTE1,
	VMCS_GUEST_PDPTE2,
	VMCS_GUEST_PDPTE3,
};

/*
 * PAE paging without long mode: with EPT, VM entry takes the four PDPTEs
 * from the VMCS (SDM Vol.3C 27.3.2.4), and an emulated CR0/CR3 write is
 * where the CPU would have loaded them. A reserved bit is #GP.
 */
static bool load_pdptes(struct vcpu *v, u64 cr3)
{
	u64 pdpte[4];

	if (vm_read(v->vm, cr3 & PAE_CR3_MASK, pdpte, sizeof(pdpte)))
		return false;
	for (int i = 0; i < 4; i++)
		if ((pdpte[i] & PDPTE_P) && (pdpte[i] & pdpte_rsvd()))
			return false;
	for (int i = 0; i < 4; i++)
		vmwrite(pdpte_field[i], pdpte[i]);
	return true;
}

static bool pae_paging(u64 cr0, u64 cr4, u64 efer)
{
	return (cr0 & X86_CR0_PG) && (cr4 & X86_CR4_PAE) && !(efer & EFER_LMA);
}

static void update_long_mode(bool pg)
{
	u64 efer = vmread(VMCS_GUEST_IA32_EFER);
	u64 entry = vmread(VMCS_VM_ENTRY_CONTROLS);

	if (pg && (efer & EFER_LME)) {
		efer |= EFER_LMA;
		entry |= VM_ENTRY_IA32E_MODE;
	} else {
		efer &= ~(u64)EFER_LMA;
		entry &= ~(u64)VM_ENTRY_IA32E_MODE;
	}
	vmwrite(VMCS_GUEST_IA32_EFER, efer);
	vmwrite(VMCS_VM_ENTRY_CONTROLS, entry);
}

/* The CR0 bits that exist, SDM Vol.3A 2.5 (figure 2-7). */
#define CR0_DEFINED                                                       \
	(X86_CR0_PE | X86_CR0_MP | X86_CR0_EM | X86_CR0_TS | X86_CR0_ET | \
	 X86_CR0_NE | X86_CR0_WP | X86_CR0_AM | X86_CR0_NW | X86_CR0_CD | \
	 X86_CR0_PG)

/*
 * Drop the guest's cached translations, global ones included (single-
 * context INVVPID covers them, SDM Vol.3C "INVVPID"): what a MOV to CR3, or
 * to CR0 that changes PG, does on the CPU (SDM Vol.3A 4.10.4.1).
 */
static void flush_guest_tlb(struct vcpu *v)
{
	if (!v->vpid)
		return;
	if (vmx_cfg.ept.invvpid_single)
		invvpid(INVVPID_SINGLE_CONTEXT, v->vpid, 0);
	else
		invvpid(INVVPID_ALL_CONTEXT, 0, 0);
}

/*
 * Returns false for a value the CPU would refuse with #GP: a reserved bit
 * in 63:32 (SDM Vol.3A 2.5), PG without PE, NW without CD. Reserved bits
 * in 31:0 are ignored and read back 0, and ET reads 1, as the CPU has them
 * (SDM Vol.2B MOV to CR: "Reserved bits in CR0 remain clear after any
 * load of those bits; any value loaded in them is ignored").
 */
static bool guest_write_cr0(struct vcpu *v, u64 val)
{
	const struct vmx_caps_msrs *m = vmx_caps();
	u64 old = vmread(VMCS_CR0_READ_SHADOW);

	if ((val >> 32) || ((val & X86_CR0_PG) && !(val & X86_CR0_PE)) ||
	    ((val & X86_CR0_NW) && !(val & X86_CR0_CD)))
		return false;
	val = (val & CR0_DEFINED) | X86_CR0_ET;
	/* Paging on with EFER.LME needs CR4.PAE (SDM Vol.3A 9.8.5); PAE is
	 * the guest's own bit, so the real CR4 holds it, not the shadow. */
	if ((val & X86_CR0_PG) && !(old & X86_CR0_PG) &&
	    (vmread(VMCS_GUEST_IA32_EFER) & EFER_LME) &&
	    !(vmread(VMCS_GUEST_CR4) & X86_CR4_PAE))
		return false;
	/* Leaving long mode with a 64-bit CS is #GP (SDM Vol.3A 9.8.5.4). */
	if (!(val & X86_CR0_PG) && (old & X86_CR0_PG) &&
	    (vmread(VMCS_GUEST_CS_AR_BYTES) & VMX_AR_L))
		return false;
	/* So is clearing PG with CR4.PCIDE set, and WP with CR4.CET (SDM
	 * Vol.2B MOV to CR, #GP): VM entry would refuse either state. */
	if (!(val & X86_CR0_PG) && (vmread(VMCS_GUEST_CR4) & X86_CR4_PCIDE))
		return false;
	if (!(val & X86_CR0_WP) && (vmread(VMCS_GUEST_CR4) & X86_CR4_CET))
		return false;
	if ((val & X86_CR0_PG) && !(old & X86_CR0_PG) &&
	    !(vmread(VMCS_GUEST_IA32_EFER) & EFER_LME) &&
	    (vmread(VMCS_GUEST_CR4) & X86_CR4_PAE) &&
	    !load_pdptes(v, vmread(VMCS_GUEST_CR3)))
		return false;
	vmwrite(VMCS_CR0_READ_SHADOW, val);
	vmwrite(VMCS_GUEST_CR0, vmx_guest_cr0(m, val, true));
	if ((val ^ old) & X86_CR0_PG) {
		update_long_mode(val & X86_CR0_PG);
		flush_guest_tlb(v);
	}
	return true;
}

static bool guest_write_cr4(struct vcpu *v, u64 val)
{
	const struct vmx_caps_msrs *m = vmx_caps();

	/* No VMX, SMX or CET for the guest (CPUID hides them, and their
	 * instructions and MSRs are not offered); bits the CPU lacks are
	 * reserved. */
	if ((val & CR4_REFUSED) || (val & ~(m->cr4_fixed1 | X86_CR4_VMXE)))
		return false;
	vmwrite(VMCS_CR4_READ_SHADOW, val);
	vmwrite(VMCS_GUEST_CR4, vmx_guest_cr4(m, val));
	return true;
}

bool vmx_load_guest_cr3(struct vcpu *v, u64 val)
{
	if (pae_paging(vmread(VMCS_GUEST_CR0), vmread(VMCS_GUEST_CR4),
		       vmread(VMCS_GUEST_IA32_EFER)) &&
	    !load_pdptes(v, val))
		return false;
	vmwrite(VMCS_GUEST_CR3, val);
	/* The guest's non-global translations go with the old CR3. */
	flush_guest_tlb(v);
	return true;
}

static bool mov_to_cr(struct vcpu *v, unsigned int cr, u64 val)
{
	switch (cr) {
	case 0:
		return guest_write_cr0(v, val);
	case 3:
		return vmx_load_guest_cr3(v, val);
	case 4:
		return guest_write_cr4(v, val);
	case 8:
		/* The guest owns the LAPIC, and so its TPR. */
		__asm__ volatile("mov %0, %%cr8" : : "r"(val));
		return true;
	}
	return false;
}

static bool mov_from_cr(struct vcpu *v, unsigned int cr, u64 *val)
{
	switch (cr) {
	case 3:
		*val = vmread(VMCS_GUEST_CR3);
		return true;
	case 8:
		__asm__ volatile("mov %%cr8, %0" : "=r"(*val));
		return true;
	}
	return false;
}

void vmx_exit_cr_access(struct vcpu *v)
{
	u64 q = vmread(VMCS_EXIT_QUALIFICATION);
	unsigned int cr = eq_cr_number(q), r = eq_cr_gpr(q);
	u64 shadow = vmread(VMCS_CR0_READ_SHADOW), val;
	bool ok = false;

	switch (eq_cr_access_type(q)) {
	case EQ_CR_MOV_TO_CR:
		ok = mov_to_cr(v, cr, read_gpr(v, r));
		break;
	case EQ_CR_MOV_FROM_CR:
		ok = mov_from_cr(v, cr, &val);
		if (ok)
			write_gpr(v, r, val);
		break;
	case EQ_CR_CLTS:
		ok = guest_write_cr0(v, shadow & ~(u64)X86_CR0_TS);
		break;
	case EQ_CR_LMSW:
		/* LMSW sets PE but cannot clear it (SDM Vol.2A LMSW). */
		val = eq_cr_lmsw_source(q) & CR0_LMSW_BITS;
		ok = guest_write_cr0(
			v,
			(shadow & ~(u64)(CR0_LMSW_BITS & ~X86_CR0_PE)) | val);
		break;
	}
	if (!ok) {
		vcpu_inject_gp(v);
		return;
	}
	vcpu_skip_instruction(v);
}
