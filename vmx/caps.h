/* SPDX-License-Identifier: MIT */
/*
 * VMX capability negotiation as pure functions of the capability MSR values
 * (SDM Vol.3D Appendix A, rev 080). Keel reads the MSRs once
 * (vmx_caps_read with an rdmsr callback) and derives every control word,
 * the CR0/CR4 fixed bits and the EPT/VPID features from them; nothing is
 * hard-coded per CPU. Host-tested with MSR dumps of real CPUs.
 */
#ifndef KEEL_VMX_CAPS_H
#define KEEL_VMX_CAPS_H

#include "core/types.h"

/* The raw capability MSRs. Fields an MSR-absent CPU lacks stay 0. */
struct vmx_caps_msrs {
	u64 basic;
	u64 pinbased, procbased, exit, entry; /* the legacy (non-TRUE) MSRs */
	u64 true_pinbased, true_procbased, true_exit, true_entry;
	u64 procbased2;
	u64 ept_vpid;
	u64 misc;
	u64 cr0_fixed0, cr0_fixed1, cr4_fixed0, cr4_fixed1;
	u64 vmcs_enum;
	u64 vmfunc;
};

/*
 * Read every capability MSR that exists, following the existence rules of
 * SDM Vol.3D A.3.2-A.11: TRUE_* only with BASIC[55], PROCBASED_CTLS2 only
 * when the secondary controls may be activated, EPT_VPID_CAP only when EPT
 * or VPID may be enabled, VMFUNC only when VM functions may be enabled.
 */
void vmx_caps_read(struct vmx_caps_msrs *m, u64 (*rdmsr_fn)(u32 msr));

enum vmx_ctl_word {
	VMX_CTL_PIN,
	VMX_CTL_PROC,
	VMX_CTL_PROC2,
	VMX_CTL_EXIT,
	VMX_CTL_ENTRY,
	VMX_CTL_NR,
};

/*
 * What a control word must have: @required bits fail the negotiation when
 * not allowed; @optional bits are set when allowed; @dynamic bits are not
 * set now but toggled later (interrupt window, IA-32e mode guest) and must
 * be allowed, or the negotiation fails naming them.
 */
struct vmx_ctl_want {
	u32 required;
	u32 optional;
	u32 dynamic;
};

struct vmx_controls {
	u32 word[VMX_CTL_NR];
};

/* Decoded IA32_VMX_EPT_VPID_CAP, SDM Vol.3D A.10. */
struct vmx_ept_caps {
	bool execute_only;
	bool walk4, walk5;
	bool mt_uc, mt_wb;
	bool page_2m, page_1g;
	bool ad;
	bool invept, invept_single, invept_all;
	bool invvpid, invvpid_addr, invvpid_single, invvpid_all,
		invvpid_single_globals;
};

void vmx_ept_caps_decode(u64 ept_vpid_cap, struct vmx_ept_caps *c);

/*
 * Which capability MSR governs control word @w: the TRUE_* one when
 * BASIC[55] is set (SDM Vol.3D A.2), else the legacy one.
 */
u64 vmx_ctl_cap(const struct vmx_caps_msrs *m, enum vmx_ctl_word w);

/*
 * Negotiate one control word from its capability MSR (allowed 0-settings in
 * bits 31:0, allowed 1-settings in 63:32):
 *   value = required | (optional & allowed1) | allowed0.
 * Returns 0, or -ENOTSUP with *missing naming the lowest required or dynamic
 * bit that allowed1 forbids (e.g. "SECONDARY_EXEC_ENABLE_EPT").
 */
int vmx_ctl_adjust(u64 cap, enum vmx_ctl_word w,
		   const struct vmx_ctl_want *want, u32 *out,
		   const char **missing);

/* Name of control bit @bit of word @w, e.g. "CPU_BASED_HLT_EXITING". */
const char *vmx_ctl_bit_name(enum vmx_ctl_word w, unsigned int bit);

/* Keel's needs, SDM references in caps.c. */
struct vmx_wants {
	struct vmx_ctl_want ctl[VMX_CTL_NR];
	bool need_ept_wb_4level; /* EPT walk length 4 and WB paging structures */
	bool need_invept;
};

/* The control set Keel runs guests with (see docs/vmx.md). */
void vmx_keel_wants(struct vmx_wants *w);

struct vmx_config {
	u32 revision; /* VMCS revision identifier for VMXON/VMCS regions */
	u32 vmcs_size;
	bool true_ctls;
	struct vmx_controls ctl;
	struct vmx_ept_caps ept;
	u32 preemption_timer_shift; /* timer ticks = TSC >> shift */
};

/*
 * Negotiate everything. Returns 0, or -ENOTSUP with *missing naming the
 * first required feature absent (a control bit name, or one of
 * "EPT_PAGE_WALK_4", "EPT_WB_MEMORY_TYPE", "INVEPT").
 */
int vmx_caps_negotiate(const struct vmx_caps_msrs *m, const struct vmx_wants *w,
		       struct vmx_config *cfg, const char **missing);

/* ---- CR0/CR4 fixed bits, SDM Vol.3D A.7 and A.8 ---- */
/* Force the bits FIXED0 says must be 1 and FIXED1 says must be 0. */
static inline u64 vmx_cr_apply_fixed(u64 val, u64 fixed0, u64 fixed1)
{
	return (val | fixed0) & fixed1;
}

static inline bool vmx_cr_is_valid(u64 val, u64 fixed0, u64 fixed1)
{
	return (val & fixed0) == fixed0 && (val & ~fixed1) == 0;
}

/* CR0 for VMXON and the host state. */
u64 vmx_host_cr0(const struct vmx_caps_msrs *m, u64 cr0);
u64 vmx_host_cr4(const struct vmx_caps_msrs *m, u64 cr4);
/*
 * The FIXED0 mask that applies to a guest's CR0: with unrestricted guest PE
 * and PG may be 0 (SDM Vol.3C 27.3.1.1); NW and CD are never checked there.
 */
u64 vmx_guest_cr0_fixed0(const struct vmx_caps_msrs *m, bool unrestricted);
u64 vmx_guest_cr0(const struct vmx_caps_msrs *m, u64 cr0, bool unrestricted);
u64 vmx_guest_cr4(const struct vmx_caps_msrs *m, u64 cr4);
/*
 * CR4 bits of features the guest is not given (CPUID hides VMX, SMX, CET,
 * LA57, PKS and UINTR): owned by Keel in the guest/host mask, so that setting one exits
 * and is #GP, as for a feature the CPU lacks (SDM Vol.2B MOV to CR).
 */
#define CR4_REFUSED                                                 \
	(X86_CR4_VMXE | X86_CR4_SMXE | X86_CR4_CET | X86_CR4_LA57 | \
	 X86_CR4_PKS | X86_CR4_UINTR)

#endif
