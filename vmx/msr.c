// SPDX-License-Identifier: MIT
/*
 * MSR policy. The MSR bitmap (SDM Vol.3C 25.6.9, rev 080) lets state that
 * is the guest's alone pass through: SYSCALL/SYSENTER targets, FS/GS
 * bases, TSC_AUX, and the LAPIC's (the guest owns it): the x2APIC
 * registers and TSC_DEADLINE; and the speculation controls
 * (SPEC_CTRL, and writes to the PRED_CMD and FLUSH_CMD commands), which
 * only make the CPU more careful, in the guest and in Keel alike.
 * Every CPUID bit Keel shows has its MSRs here (vmx/cpuid_features.h,
 * docs/cpuid-msr.md). IA32_APIC_BASE is emulated in vmx/apic_base.c: the
 * guest switches the real APIC's mode, and relocates its xAPIC page in
 * its own physical address space only. Everything else exits and is
 * emulated here: IA32_TSC and IA32_TSC_ADJUST writes set the VMCS TSC
 * offset, and TSC_DEADLINE exits while that is not 0 (vmx/msr_tsc.c); EFER
 * (long-mode entry is tracked in the VMCS), the VMX MSRs (absent, as CPUID
 * says), IA32_FEATURE_CONTROL (locked, VMX off), writes to BIOS_SIGN_ID
 * (dropped: the microcode-revision protocol) and POWER_CTL (dropped:
 * package power is Keel's).
 * IA32_MISC_ENABLE, the machine-check banks and the MTRRs are the vCPU's
 * own copies (vmx/msr_virt.h), filled from the hardware at guest reset. A
 * short list of harmless MSRs reads as the hardware has them; any other
 * access gets #GP, as an MSR the CPU does not implement would.
 */
#include "core/console.h"
#include "core/lib.h"
#include "arch/x86/arch.h"
#include "arch/x86/lapic.h"
#include "vmx/apic_base.h"
#include "vmx/cpuid_filter.h"
#include "vmx/msr_virt.h"
#include "vmx/vcpu.h"
#include "vmx/vmx_ops.h"

/* MSR numbers, SDM Vol.4 table 2-2 */
#define MSR_IA32_PRED_CMD 0x49
#define MSR_IA32_FLUSH_CMD 0x10b
#define MSR_IA32_BIOS_SIGN_ID 0x8b
#define MSR_PLATFORM_INFO 0xce
#define MSR_PKG_CST_CONFIG_CONTROL 0xe2 /* SDM Vol.4 table 2-20 */
#define MSR_IA32_POWER_CTL 0x1fc /* SDM Vol.4 table 2-20 */
#define MSR_IA32_ARCH_CAPABILITIES 0x10a
#define MSR_X2APIC_FIRST 0x800 /* x2APIC registers, SDM Vol.3A 10.12.1.2 */
#define MSR_X2APIC_LAST 0x8ff

/* Bitmap layout, SDM Vol.3C 25.6.9: read-low, read-high, write-low,
 * write-high, 1 KiB each; "high" covers C0000000h-C0001FFFh. */
#define MSR_BITMAP_READ_LOW 0
#define MSR_BITMAP_READ_HIGH 1024
#define MSR_BITMAP_WRITE_LOW 2048
#define MSR_BITMAP_WRITE_HIGH 3072
#define MSR_HIGH_BASE 0xc0000000U
#define MSR_RANGE_SIZE 0x2000U

/*
 * IA32_ARCH_CAPABILITIES bits that announce another MSR (SDM Vol.4 table
 * 2-2): TSX_CTRL (7, MSR 122h), MCU_CONTROL (9, 1A4h), MISC_PACKAGE_CTLS
 * (10, BCh), ENERGY_FILTERING_CTL (11), FB_CLEAR_CTRL (18, 1A4h),
 * XAPIC_DISABLE_STATUS (21, BDh), OVERCLOCKING_STATUS (23, 195h). Keel
 * backs none of those MSRs, so the guest does not see these bits; the
 * others only say what the CPU is not vulnerable to.
 */
#define ARCH_CAP_HIDDEN \
	(BIT(7) | BIT(9) | BIT(10) | BIT(11) | BIT(18) | BIT(21) | BIT(23))

/* IA32_DEBUGCTL.LBR and .BTF, SDM Vol.3B 18.4.1 */
#define DEBUGCTL_GUEST_WRITABLE (DEBUGCTL_LBR | DEBUGCTL_BTF)
/* EFER bits the guest may set: SCE, LME, NXE (SDM Vol.3A 2.2.1). */
#define EFER_GUEST_WRITABLE (EFER_SCE | EFER_LME | EFER_NXE)

static const u32 passthrough_msrs[] = {
	MSR_IA32_SYSENTER_CS,
	MSR_IA32_SYSENTER_ESP,
	MSR_IA32_SYSENTER_EIP,
	MSR_STAR,
	MSR_LSTAR,
	MSR_CSTAR,
	MSR_SFMASK,
	MSR_FS_BASE,
	MSR_GS_BASE,
	MSR_KERNEL_GS_BASE,
	MSR_TSC_AUX,
};

static void allow_write(u8 *bm, u32 msr)
{
	u32 off = msr >= MSR_HIGH_BASE ? MSR_BITMAP_READ_HIGH : 0;
	u32 bit = msr & (MSR_RANGE_SIZE - 1);

	bm[off + MSR_BITMAP_WRITE_LOW + bit / 8] &= (u8)~BIT(bit % 8);
}

static void allow(u8 *bm, u32 msr)
{
	u32 off = msr >= MSR_HIGH_BASE ? MSR_BITMAP_READ_HIGH : 0;
	u32 bit = msr & (MSR_RANGE_SIZE - 1);

	bm[off + bit / 8] &= (u8)~BIT(bit % 8);
	allow_write(bm, msr);
}

/* Make RDMSR and WRMSR of the low MSR @msr exit (@on) or pass through. */
void vmx_msr_intercept(struct vcpu *v, u32 msr, bool on)
{
	u8 *bm = v->msr_bitmap;
	u8 bit = (u8)BIT(msr % 8);

	if (on) {
		bm[MSR_BITMAP_READ_LOW + msr / 8] |= bit;
		bm[MSR_BITMAP_WRITE_LOW + msr / 8] |= bit;
	} else {
		allow(bm, msr);
	}
}

void vmx_msr_bitmap_init(struct vcpu *v)
{
	memset(v->msr_bitmap, 0xff, PAGE_SIZE);
	for (size_t i = 0; i < ARRAY_SIZE(passthrough_msrs); i++)
		allow(v->msr_bitmap, passthrough_msrs[i]);
	/* The guest owns the LAPIC in both modes, and its timer. */
	for (u32 msr = MSR_X2APIC_FIRST; msr <= MSR_X2APIC_LAST; msr++)
		allow(v->msr_bitmap, msr);
	allow(v->msr_bitmap, MSR_IA32_TSC_DEADLINE);
	/* Speculation controls, when CPUID shows them (docs/cpuid-msr.md):
	 * the hardware raises #GP itself where they do not exist. PRED_CMD
	 * and FLUSH_CMD are write-only: reads exit and get #GP. */
	allow(v->msr_bitmap, MSR_IA32_SPEC_CTRL);
	allow_write(v->msr_bitmap, MSR_IA32_PRED_CMD);
	allow_write(v->msr_bitmap, MSR_IA32_FLUSH_CMD);
	/* Reading the TSC costs nothing to let through (the CPU adds the
	 * TSC offset); writes exit to set the offset (vmx/msr_tsc.c). */
	v->msr_bitmap[MSR_BITMAP_READ_LOW + MSR_IA32_TSC / 8] &=
		(u8)~BIT(MSR_IA32_TSC % 8);
}

static const u32 readable_msrs[] = {
	MSR_IA32_APIC_BASE,	    MSR_IA32_BIOS_SIGN_ID, MSR_PLATFORM_INFO,
	MSR_PKG_CST_CONFIG_CONTROL, MSR_IA32_POWER_CTL,
};

static bool hardware_readable(u32 msr)
{
	for (size_t i = 0; i < ARRAY_SIZE(readable_msrs); i++)
		if (readable_msrs[i] == msr)
			return true;
	return false;
}

/* The guest's copies start from the hardware's values (vmx/msr_virt.h). */
void vmx_msr_reset(struct vcpu *v)
{
	struct cpuid_regs c = cpuid(1, 0);
	struct vmsr_mtrr *m = &v->msr.mtrr;
	u64 hw = 0;
	u32 msr;

	if (rdmsr_safe(MSR_IA32_MISC_ENABLE, &hw))
		hw = 0;
	v->msr.misc_enable = misc_enable_reset(hw);
	vmx_msr_misc_enable_changed(v);
	mca_reset(&v->msr.mca, c.edx & CPUID_1_EDX_MCA);
	hw = 0;
	if ((c.edx & CPUID_1_EDX_MTRR) && rdmsr_safe(MSR_IA32_MTRRCAP, &hw))
		hw = 0;
	mtrr_reset(m, hw, cpu_phys_addr_bits());
	/* The hardware's values pass the checks; one that did not would
	 * stay 0 (UC, disabled). */
	for (unsigned int i = 0; (msr = mtrr_nth(m, i)) != 0; i++)
		if (!rdmsr_safe(msr, &hw))
			(void)mtrr_write(m, msr, hw);
}

/*
 * LIMIT_CPUID sends leaf 0 to the CPUID slow path (vmx/handlers.c); XD
 * and MONITOR are tested where they act.
 */
void vmx_msr_misc_enable_changed(struct vcpu *v)
{
	v->cpuid_slow = CPUID_FILTER_LEAVES;
	if (v->msr.misc_enable & MISC_EN_LIMIT_CPUID)
		v->cpuid_slow |= BIT(0);
}

/*
 * IA32_XSS exists when XSAVES does (CPUID.(0Dh,1):EAX[3]). Keel shows no
 * supervisor state components (CPUID.(0Dh,1):ECX/EDX read 0), so 0 is its
 * only valid value, which is also what the CPU runs the guest's XSAVES
 * with: Keel never sets the real IA32_XSS.
 */
static bool xsaves_on(struct vcpu *v)
{
	return v->cfg->ctl.word[VMX_CTL_PROC2] & SECONDARY_EXEC_ENABLE_XSAVES;
}

/*
 * May the guest turn MISC_ENABLE's MONITOR FSM on: its CPUID shows SSE3
 * (the filter passes the hardware's), MONITOR and MWAIT exit, so that
 * Keel decides what they do (vmx/handlers.c), and the hardware's own FSM
 * is on: where firmware turned it off (host CPUID.1:ECX.MONITOR 0), the
 * CPU raises #UD for MONITOR before any VM exit (SDM Vol.3C 25.1.1), so
 * the guest must not be told it has them.
 */
static bool monitor_ok(struct vcpu *v)
{
	const u32 exits = CPU_BASED_MONITOR_EXITING | CPU_BASED_MWAIT_EXITING;
	u32 ecx = cpuid(1, 0).ecx;

	return (v->cfg->ctl.word[VMX_CTL_PROC] & exits) == exits &&
	       (ecx & CPUID_1_ECX_SSE3) && (ecx & CPUID_1_ECX_MONITOR);
}

static int read_msr(struct vcpu *v, u32 msr, u64 *val)
{
	if (msr == MSR_IA32_APIC_BASE)
		return vmx_apic_base_read(v, val);
	if (msr == MSR_EFER) {
		*val = vmread(VMCS_GUEST_IA32_EFER);
		return 0;
	}
	if (msr == MSR_IA32_PAT) {
		*val = vmread(VMCS_GUEST_IA32_PAT);
		return 0;
	}
	if (msr == MSR_IA32_DEBUGCTL) {
		*val = vmread(VMCS_GUEST_IA32_DEBUGCTL);
		return 0;
	}
	if (msr == MSR_IA32_FEATURE_CONTROL) {
		*val = FEATURE_CONTROL_LOCKED;
		return 0;
	}
	if (msr == MSR_IA32_ARCH_CAPABILITIES) {
		if (rdmsr_safe(msr, val))
			return -EPERM;
		*val &= ~(u64)ARCH_CAP_HIDDEN;
		return 0;
	}
	if (msr == MSR_IA32_XSS) {
		if (!xsaves_on(v))
			return -EPERM;
		*val = 0;
		return 0;
	}
	if (msr == MSR_IA32_TSC_DEADLINE)
		return vmx_tsc_deadline_read(v, val);
	if (msr == MSR_IA32_TSC_ADJUST)
		return vmx_tsc_adjust_read(v, val);
	if (msr == MSR_IA32_MISC_ENABLE) {
		*val = v->msr.misc_enable;
		return 0;
	}
	if (mca_msr(msr))
		return mca_read(&v->msr.mca, msr, val);
	if (mtrr_msr(msr))
		return mtrr_read(&v->msr.mtrr, msr, val);
	if (!hardware_readable(msr))
		return -EPERM;
	return rdmsr_safe(msr, val);
}

/* EFER: LMA follows LME and CR0.PG, and so does the IA-32e mode control. */
static int write_efer(struct vcpu *v, u64 val)
{
	u64 old = vmread(VMCS_GUEST_IA32_EFER);
	bool paging = vmread(VMCS_CR0_READ_SHADOW) & X86_CR0_PG;

	if (val & ~(u64)(EFER_GUEST_WRITABLE | EFER_LMA))
		return -EPERM;
	/* No NX with MISC_ENABLE.XD_DISABLE (SDM Vol.4 table 2-2). */
	if ((val & EFER_NXE) && (v->msr.misc_enable & MISC_EN_XD_DISABLE))
		return -EPERM;
	/* Changing LME with paging on is #GP (SDM Vol.3A 9.8.5). */
	if (paging && ((val ^ old) & EFER_LME))
		return -EPERM;
	val = (val & ~(u64)EFER_LMA) | (old & EFER_LMA);
	vmwrite(VMCS_GUEST_IA32_EFER, val);
	return 0;
}

/* Each PAT entry is UC, WC, WT, WP, WB or UC- (SDM Vol.3A 11.12.2). */
static bool pat_valid(u64 pat)
{
	for (int i = 0; i < 8; i++) {
		u8 t = (u8)(pat >> (8 * i));

		if (t > 7 || t == 2 || t == 3)
			return false;
	}
	return true;
}

static int write_msr(struct vcpu *v, u32 msr, u64 val)
{
	switch (msr) {
	case MSR_IA32_APIC_BASE:
		return vmx_apic_base_write(v, val);
	case MSR_EFER:
		return write_efer(v, val);
	case MSR_IA32_PAT:
		if (!pat_valid(val))
			return -EPERM;
		vmwrite(VMCS_GUEST_IA32_PAT, val);
		return 0;
	case MSR_IA32_DEBUGCTL:
		/* VM entry refuses reserved DEBUGCTL bits (SDM Vol.3C
		 * 27.3.1.1); Keel lets the guest have LBR and BTF only. */
		if (val & ~DEBUGCTL_GUEST_WRITABLE)
			return -EPERM;
		vmwrite(VMCS_GUEST_IA32_DEBUGCTL, val);
		return 0;
	case MSR_IA32_XSS:
		return xsaves_on(v) && val == 0 ? 0 : -EPERM;
	case MSR_IA32_MISC_ENABLE:
		if (misc_enable_write(&v->msr.misc_enable, val,
				      vmread(VMCS_GUEST_IA32_EFER) & EFER_NXE,
				      monitor_ok(v)))
			return -EPERM;
		vmx_msr_misc_enable_changed(v);
		return 0;
	case MSR_IA32_TSC:
		vmx_tsc_write(v, val);
		return 0;
	case MSR_IA32_TSC_DEADLINE:
		return vmx_tsc_deadline_write(v, val);
	case MSR_IA32_TSC_ADJUST:
		return vmx_tsc_adjust_write(v, val);
	/* C1E promotion and other package power controls are the
	 * machine's, hence Keel's; intel_idle writes it unchecked. */
	case MSR_IA32_POWER_CTL:
		return 0;
	case MSR_IA32_BIOS_SIGN_ID:
		/* The microcode-revision protocol (SDM Vol.3A 10.11.7.1)
		 * writes 0, runs CPUID(1), then reads: the write only clears
		 * the value CPUID refreshes, so it is accepted and dropped
		 * (Linux's early_init_intel() does it unchecked). */
		return 0;
	}
	if (mca_msr(msr))
		return mca_write(&v->msr.mca, msr, val);
	if (mtrr_msr(msr))
		return mtrr_write(&v->msr.mtrr, msr, val);
	return -EPERM;
}

void vmx_exit_rdmsr(struct vcpu *v)
{
	u32 msr = (u32)v->regs.rcx;
	u64 val;

	if (read_msr(v, msr, &val)) {
		vcpu_inject_gp(v);
		return;
	}
	v->regs.rax = (u32)val;
	v->regs.rdx = val >> 32;
	vcpu_skip_instruction(v);
}

void vmx_exit_wrmsr(struct vcpu *v)
{
	u32 msr = (u32)v->regs.rcx;
	u64 val = (v->regs.rdx << 32) | (u32)v->regs.rax;

	if (write_msr(v, msr, val)) {
		vcpu_inject_gp(v);
		return;
	}
	vcpu_skip_instruction(v);
}
