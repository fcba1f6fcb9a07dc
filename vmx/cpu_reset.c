// SPDX-License-Identifier: MIT
/*
 * The CPU state a guest leaves behind that no VMCS field holds: x87, SSE
 * and AVX registers, XCR0, DR0-DR3 and DR6, CR2, and the MSRs the guest
 * reaches without exits (vmx/msr.c). A guest started afresh (a new guest,
 * or on_guest_reset=restart) gets them as after a power-on reset (SDM
 * Vol.3A 9.1.1, table 9-1), not as the last guest left them. The MSRs
 * Keel keeps per vCPU (MISC_ENABLE, MCA banks, MTRRs) are reset with the
 * vCPU, by vmx_msr_reset() (vmx/msr.c).
 */
#include "arch/x86/arch.h"
#include "arch/x86/x86_defs.h"
#include "core/lib.h"
#include "vmx/vcpu.h"

/* Power-on values, SDM Vol.3A table 9-1. */
#define DR6_RESET 0xffff0ff0ULL
#define XCR0_RESET 1ULL /* x87 only */
#define MXCSR_RESET 0x1f80u

/* XSAVE area: legacy region and header (SDM Vol.1 13.4). */
#define XSAVE_LEGACY_SIZE 512
#define XSAVE_HEADER_SIZE 64
#define XSAVE_MXCSR_OFF 24
#define XSAVE_ALIGN 64

/* MSRs the guest owns that no VMCS field loads (the rest: vmcs_init.c). */
static const u32 guest_owned_msrs[] = {
	MSR_STAR,	    MSR_LSTAR,	 MSR_CSTAR,	     MSR_SFMASK,
	MSR_KERNEL_GS_BASE, MSR_TSC_AUX, MSR_IA32_SPEC_CTRL,
};

/*
 * XRSTOR of a header whose XSTATE_BV is 0 puts every component XCR0
 * enables (the guest's XCR0 is still loaded) in its initial state: x87
 * FINIT'ed, XMM/YMM/ZMM zero; MXCSR comes from the legacy region (SDM
 * Vol.1 13.8.1). Without XSAVE only the x87 state is reset.
 */
static void reset_extended_state(void)
{
	static u8 area[XSAVE_LEGACY_SIZE + XSAVE_HEADER_SIZE]
		__attribute__((aligned(XSAVE_ALIGN)));
	u32 mxcsr = MXCSR_RESET;

	if (!(read_cr4() & X86_CR4_OSXSAVE)) {
		__asm__ volatile("fninit");
		return;
	}
	memset(area, 0, sizeof(area));
	memcpy(area + XSAVE_MXCSR_OFF, &mxcsr, sizeof(mxcsr));
	__asm__ volatile("xrstor %0"
			 :
			 : "m"(area), "a"(~0u), "d"(~0u)
			 : "memory");
	xsetbv_safe(0, XCR0_RESET);
}

void vmx_reset_cpu_state(void)
{
	u64 zero = 0, dr6 = DR6_RESET;

	reset_extended_state();
	__asm__ volatile("mov %0, %%db0\n\t"
			 "mov %0, %%db1\n\t"
			 "mov %0, %%db2\n\t"
			 "mov %0, %%db3\n\t"
			 "mov %1, %%db6\n\t"
			 "mov %0, %%cr2"
			 :
			 : "r"(zero), "r"(dr6));
	/* A CPU without one of them refuses the write: nothing to reset. */
	for (size_t i = 0; i < ARRAY_SIZE(guest_owned_msrs); i++)
		wrmsr_safe(guest_owned_msrs[i], 0);
}
