// SPDX-License-Identifier: MIT
/*
 * VMX control negotiation from capability MSR values. Pure: the MSRs are
 * read through a callback, so host tests feed dumps of real CPUs.
 * SDM references: Order Number 325462-080US.
 */
#include "vmx/caps.h"
#include "vmx/vmcs.h"
#include "arch/x86/arch.h"

void vmx_caps_read(struct vmx_caps_msrs *m, u64 (*rdmsr_fn)(u32 msr))
{
	u32 proc_allowed1, proc2_allowed1;

	*m = (struct vmx_caps_msrs){ 0 };
	m->basic = rdmsr_fn(MSR_IA32_VMX_BASIC);
	m->pinbased = rdmsr_fn(MSR_IA32_VMX_PINBASED_CTLS);
	m->procbased = rdmsr_fn(MSR_IA32_VMX_PROCBASED_CTLS);
	m->exit = rdmsr_fn(MSR_IA32_VMX_EXIT_CTLS);
	m->entry = rdmsr_fn(MSR_IA32_VMX_ENTRY_CTLS);
	m->misc = rdmsr_fn(MSR_IA32_VMX_MISC);
	m->cr0_fixed0 = rdmsr_fn(MSR_IA32_VMX_CR0_FIXED0);
	m->cr0_fixed1 = rdmsr_fn(MSR_IA32_VMX_CR0_FIXED1);
	m->cr4_fixed0 = rdmsr_fn(MSR_IA32_VMX_CR4_FIXED0);
	m->cr4_fixed1 = rdmsr_fn(MSR_IA32_VMX_CR4_FIXED1);
	m->vmcs_enum = rdmsr_fn(MSR_IA32_VMX_VMCS_ENUM);

	/* A.3.1-A.5: TRUE_* exist only when BASIC[55] is 1. */
	if (m->basic & VMX_BASIC_TRUE_CTLS) {
		m->true_pinbased = rdmsr_fn(MSR_IA32_VMX_TRUE_PINBASED_CTLS);
		m->true_procbased = rdmsr_fn(MSR_IA32_VMX_TRUE_PROCBASED_CTLS);
		m->true_exit = rdmsr_fn(MSR_IA32_VMX_TRUE_EXIT_CTLS);
		m->true_entry = rdmsr_fn(MSR_IA32_VMX_TRUE_ENTRY_CTLS);
	}

	/* A.3.3: PROCBASED_CTLS2 exists if bit 63 of PROCBASED_CTLS is 1. */
	proc_allowed1 = m->procbased >> 32;
	if (!(proc_allowed1 & CPU_BASED_ACTIVATE_SECONDARY_CONTROLS))
		return;
	m->procbased2 = rdmsr_fn(MSR_IA32_VMX_PROCBASED_CTLS2);
	proc2_allowed1 = m->procbased2 >> 32;

	/* A.10: EPT_VPID_CAP exists if EPT or VPID may be enabled. */
	if (proc2_allowed1 &
	    (SECONDARY_EXEC_ENABLE_EPT | SECONDARY_EXEC_ENABLE_VPID))
		m->ept_vpid = rdmsr_fn(MSR_IA32_VMX_EPT_VPID_CAP);
	/* A.11: VMFUNC exists if "enable VM functions" may be 1. */
	if (proc2_allowed1 & SECONDARY_EXEC_ENABLE_VMFUNC)
		m->vmfunc = rdmsr_fn(MSR_IA32_VMX_VMFUNC);
}

void vmx_ept_caps_decode(u64 v, struct vmx_ept_caps *c)
{
	c->execute_only = v & VMX_EPT_EXECUTE_ONLY;
	c->walk4 = v & VMX_EPT_PAGE_WALK_4;
	c->walk5 = v & VMX_EPT_PAGE_WALK_5;
	c->mt_uc = v & VMX_EPT_MT_UC;
	c->mt_wb = v & VMX_EPT_MT_WB;
	c->page_2m = v & VMX_EPT_2MB_PAGE;
	c->page_1g = v & VMX_EPT_1GB_PAGE;
	c->ad = v & VMX_EPT_AD;
	c->invept = v & VMX_EPT_INVEPT;
	c->invept_single = c->invept && (v & VMX_EPT_INVEPT_SINGLE_CONTEXT);
	c->invept_all = c->invept && (v & VMX_EPT_INVEPT_ALL_CONTEXT);
	c->invvpid = v & VMX_VPID_INVVPID;
	c->invvpid_addr = c->invvpid && (v & VMX_VPID_INVVPID_ADDR);
	c->invvpid_single = c->invvpid && (v & VMX_VPID_INVVPID_SINGLE_CONTEXT);
	c->invvpid_all = c->invvpid && (v & VMX_VPID_INVVPID_ALL_CONTEXT);
	c->invvpid_single_globals =
		c->invvpid && (v & VMX_VPID_INVVPID_SINGLE_CONTEXT_GLOBAL);
}

u64 vmx_ctl_cap(const struct vmx_caps_msrs *m, enum vmx_ctl_word w)
{
	bool tru = m->basic & VMX_BASIC_TRUE_CTLS;

	switch (w) {
	case VMX_CTL_PIN:
		return tru ? m->true_pinbased : m->pinbased;
	case VMX_CTL_PROC:
		return tru ? m->true_procbased : m->procbased;
	case VMX_CTL_PROC2:
		/* No TRUE variant; A.3.3 says no bit must be 1. */
		return m->procbased2;
	case VMX_CTL_EXIT:
		return tru ? m->true_exit : m->exit;
	case VMX_CTL_ENTRY:
		return tru ? m->true_entry : m->entry;
	default:
		return 0;
	}
}

/* [bit] = "NAME", straight from each control's definition in vmcs.h. */
#define CTL_NAME(name) [__builtin_ctzll(name)] = #name,

static const char *const pin_names[32] = { VMX_PIN_CTL_NAMES(CTL_NAME) };
static const char *const proc_names[32] = { VMX_PROC_CTL_NAMES(CTL_NAME) };
static const char *const proc2_names[32] = { VMX_PROC2_CTL_NAMES(CTL_NAME) };
static const char *const exit_names[32] = { VMX_EXIT_CTL_NAMES(CTL_NAME) };
static const char *const entry_names[32] = { VMX_ENTRY_CTL_NAMES(CTL_NAME) };

static const char *const *const ctl_names[VMX_CTL_NR] = {
	[VMX_CTL_PIN] = pin_names,     [VMX_CTL_PROC] = proc_names,
	[VMX_CTL_PROC2] = proc2_names, [VMX_CTL_EXIT] = exit_names,
	[VMX_CTL_ENTRY] = entry_names,
};

const char *vmx_ctl_bit_name(enum vmx_ctl_word w, unsigned int bit)
{
	const char *n;

	if ((unsigned int)w >= VMX_CTL_NR || bit >= 32)
		return "UNKNOWN_CONTROL";
	n = ctl_names[w][bit];
	return n ? n : "RESERVED_CONTROL_BIT";
}

int vmx_ctl_adjust(u64 cap, enum vmx_ctl_word w,
		   const struct vmx_ctl_want *want, u32 *out,
		   const char **missing)
{
	u32 allowed0 = (u32)cap; /* bits that must be 1 */
	u32 allowed1 = (u32)(cap >> 32); /* bits that may be 1 */
	u32 bad = (want->required | want->dynamic) & ~allowed1;

	if (bad) {
		if (missing)
			*missing = vmx_ctl_bit_name(w, __builtin_ctz(bad));
		return -ENOTSUP;
	}
	/*
	 * Bits Keel does not ask for take their allowed 0-setting where one
	 * exists; with the TRUE_* MSRs that clears the legacy default-1 bits
	 * Keel does not want (CR3-load/store exiting under EPT), per the
	 * algorithm of SDM Vol.3D A.2.
	 */
	*out = want->required | (want->optional & allowed1) | allowed0;
	return 0;
}

/*
 * Keel's control set (docs/vmx.md explains each choice):
 * - pin: no external-interrupt exiting, the guest owns the interrupt
 *   controllers; NMI exiting with virtual NMIs, so Keel passes each NMI
 *   on (vmx/nmi.c); the preemption timer drives Keel's background work.
 * - proc: HLT, I/O bitmaps, MSR bitmaps, secondary controls; the interrupt
 *   and NMI windows are toggled at run time; TSC offsetting, for the
 *   guest's WRMSR(IA32_TSC) (vmx/msr_tsc.c).
 * - proc2: EPT and unrestricted guest (a multiboot guest starts with paging
 *   off); VPID, RDTSCP, INVPCID, XSAVES so guests do not #UD, WBINVD exits.
 * - exit: 64-bit host, host PAT/EFER loaded, guest PAT/EFER saved.
 * - entry: guest PAT/EFER loaded; IA-32e mode guest toggled at run time.
 */
void vmx_keel_wants(struct vmx_wants *w)
{
	*w = (struct vmx_wants){ 0 };
	w->ctl[VMX_CTL_PIN].optional = PIN_BASED_VMX_PREEMPTION_TIMER |
				       PIN_BASED_NMI_EXITING |
				       PIN_BASED_VIRTUAL_NMIS;
	w->ctl[VMX_CTL_PROC].required = CPU_BASED_HLT_EXITING |
					CPU_BASED_USE_IO_BITMAPS |
					CPU_BASED_USE_MSR_BITMAPS |
					CPU_BASED_ACTIVATE_SECONDARY_CONTROLS;
	/* MONITOR/MWAIT exit (and do nothing, vmx/handlers.c): an MWAIT into a
	 * deep C-state could stop the preemption timer (SDM Vol.3C 26.5.1). */
	w->ctl[VMX_CTL_PROC].optional = CPU_BASED_MWAIT_EXITING |
					CPU_BASED_MONITOR_EXITING |
					CPU_BASED_USE_TSC_OFFSETTING;
	w->ctl[VMX_CTL_PROC].dynamic = CPU_BASED_INTR_WINDOW_EXITING;
	w->ctl[VMX_CTL_PROC2].required = SECONDARY_EXEC_ENABLE_EPT |
					 SECONDARY_EXEC_UNRESTRICTED_GUEST;
	w->ctl[VMX_CTL_PROC2].optional =
		SECONDARY_EXEC_ENABLE_VPID | SECONDARY_EXEC_ENABLE_RDTSCP |
		SECONDARY_EXEC_ENABLE_INVPCID | SECONDARY_EXEC_ENABLE_XSAVES |
		SECONDARY_EXEC_WBINVD_EXITING;
	/* Debug controls: a VM exit clears DR7 and DEBUGCTL (SDM Vol.3C
	 * 28.5.1), so they are saved on exit and loaded on entry. */
	w->ctl[VMX_CTL_EXIT].required =
		VM_EXIT_HOST_ADDR_SPACE_SIZE | VM_EXIT_LOAD_IA32_PAT |
		VM_EXIT_LOAD_IA32_EFER | VM_EXIT_SAVE_DEBUG_CONTROLS;
	w->ctl[VMX_CTL_EXIT].optional = VM_EXIT_SAVE_IA32_PAT |
					VM_EXIT_SAVE_IA32_EFER |
					VM_EXIT_SAVE_VMX_PREEMPTION_TIMER;
	w->ctl[VMX_CTL_ENTRY].required = VM_ENTRY_LOAD_IA32_PAT |
					 VM_ENTRY_LOAD_IA32_EFER |
					 VM_ENTRY_LOAD_DEBUG_CONTROLS;
	w->ctl[VMX_CTL_ENTRY].dynamic = VM_ENTRY_IA32E_MODE;
	w->need_ept_wb_4level = true;
	w->need_invept = true;
}

/*
 * Keel passes NMIs on only with all three of NMI exiting, virtual NMIs
 * (virtual-NMI blocking, SDM Vol.3C 25.6.1) and NMI-window exiting
 * (25.6.2); with any missing, NMIs go straight to the guest as before.
 */
static void drop_partial_nmi_support(const struct vmx_caps_msrs *m,
				     struct vmx_config *cfg)
{
	const u32 both = PIN_BASED_NMI_EXITING | PIN_BASED_VIRTUAL_NMIS;
	u32 proc_allowed1 = (u32)(vmx_ctl_cap(m, VMX_CTL_PROC) >> 32);
	u32 *pin = &cfg->ctl.word[VMX_CTL_PIN];
	u32 pin_allowed0 = (u32)vmx_ctl_cap(m, VMX_CTL_PIN);

	if ((*pin & both) == both &&
	    (proc_allowed1 & CPU_BASED_NMI_WINDOW_EXITING))
		return;
	/* Bits the CPU insists on stay (never NMI exiting in practice). */
	*pin &= ~both | pin_allowed0;
}

int vmx_caps_negotiate(const struct vmx_caps_msrs *m, const struct vmx_wants *w,
		       struct vmx_config *cfg, const char **missing)
{
	struct vmx_ctl_want want[VMX_CTL_NR];
	int i, ret;

	*cfg = (struct vmx_config){ 0 };
	cfg->revision = FIELD_GET(VMX_BASIC_REVISION, m->basic);
	cfg->vmcs_size = FIELD_GET(VMX_BASIC_VMCS_SIZE, m->basic);
	cfg->true_ctls = m->basic & VMX_BASIC_TRUE_CTLS;
	cfg->preemption_timer_shift =
		FIELD_GET(VMX_MISC_PREEMPTION_TIMER_RATE, m->misc);

	for (i = 0; i < VMX_CTL_NR; i++)
		want[i] = w->ctl[i];
	/* Any secondary control needs "activate secondary controls". */
	if (want[VMX_CTL_PROC2].required || want[VMX_CTL_PROC2].dynamic)
		want[VMX_CTL_PROC].required |=
			CPU_BASED_ACTIVATE_SECONDARY_CONTROLS;
	else if (want[VMX_CTL_PROC2].optional)
		want[VMX_CTL_PROC].optional |=
			CPU_BASED_ACTIVATE_SECONDARY_CONTROLS;

	/* PROC first: without secondary controls PROC2 cannot be read. */
	ret = vmx_ctl_adjust(vmx_ctl_cap(m, VMX_CTL_PROC), VMX_CTL_PROC,
			     &want[VMX_CTL_PROC], &cfg->ctl.word[VMX_CTL_PROC],
			     missing);
	if (ret)
		return ret;
	if (!(cfg->ctl.word[VMX_CTL_PROC] &
	      CPU_BASED_ACTIVATE_SECONDARY_CONTROLS))
		want[VMX_CTL_PROC2] = (struct vmx_ctl_want){ 0 };

	for (i = 0; i < VMX_CTL_NR; i++) {
		if (i == VMX_CTL_PROC)
			continue;
		ret = vmx_ctl_adjust(vmx_ctl_cap(m, i), i, &want[i],
				     &cfg->ctl.word[i], missing);
		if (ret)
			return ret;
	}

	vmx_ept_caps_decode(m->ept_vpid, &cfg->ept);
	if (cfg->ctl.word[VMX_CTL_PROC2] & SECONDARY_EXEC_ENABLE_EPT) {
		if (w->need_ept_wb_4level && !cfg->ept.walk4) {
			*missing = "EPT_PAGE_WALK_4";
			return -ENOTSUP;
		}
		if (w->need_ept_wb_4level && !cfg->ept.mt_wb) {
			*missing = "EPT_WB_MEMORY_TYPE";
			return -ENOTSUP;
		}
		if (w->need_invept &&
		    !(cfg->ept.invept_single || cfg->ept.invept_all)) {
			*missing = "INVEPT";
			return -ENOTSUP;
		}
	}
	drop_partial_nmi_support(m, cfg);
	/* VPID is useless without INVVPID to flush it; drop it then. */
	if (!(cfg->ept.invvpid_single || cfg->ept.invvpid_all))
		cfg->ctl.word[VMX_CTL_PROC2] &= ~SECONDARY_EXEC_ENABLE_VPID;
	return 0;
}

u64 vmx_host_cr0(const struct vmx_caps_msrs *m, u64 cr0)
{
	return vmx_cr_apply_fixed(cr0, m->cr0_fixed0, m->cr0_fixed1);
}

u64 vmx_host_cr4(const struct vmx_caps_msrs *m, u64 cr4)
{
	return vmx_cr_apply_fixed(cr4, m->cr4_fixed0, m->cr4_fixed1);
}

u64 vmx_guest_cr0_fixed0(const struct vmx_caps_msrs *m, bool unrestricted)
{
	u64 f0 = m->cr0_fixed0 & ~(X86_CR0_NW | X86_CR0_CD);

	if (unrestricted)
		f0 &= ~(X86_CR0_PE | X86_CR0_PG);
	return f0;
}

u64 vmx_guest_cr0(const struct vmx_caps_msrs *m, u64 cr0, bool unrestricted)
{
	/* NW/CD pass unchanged: VM entry never checks them. */
	u64 keep = cr0 & (X86_CR0_NW | X86_CR0_CD);
	u64 v = vmx_cr_apply_fixed(cr0, vmx_guest_cr0_fixed0(m, unrestricted),
				   m->cr0_fixed1);

	return (v & ~(X86_CR0_NW | X86_CR0_CD)) | keep;
}

u64 vmx_guest_cr4(const struct vmx_caps_msrs *m, u64 cr4)
{
	return vmx_cr_apply_fixed(cr4, m->cr4_fixed0, m->cr4_fixed1);
}
