/* SPDX-License-Identifier: MIT */
/*
 * Architectural constants of the x86-64 CPU: control registers, MSRs,
 * RFLAGS, CPUID feature bits, exception vectors and paging-structure bits.
 * Constants only, so boot/head.S includes it as well as C (arch/x86/arch.h
 * includes it for C code). Names as in the SDM.
 */
#ifndef KEEL_ARCH_X86_X86_DEFS_H
#define KEEL_ARCH_X86_X86_DEFS_H

#include "core/bits.h"

/* ---- Control registers, SDM Vol.3A 2.5 ---- */
#define X86_CR0_PE BIT(0)
#define X86_CR0_MP BIT(1)
#define X86_CR0_EM BIT(2)
#define X86_CR0_TS BIT(3)
#define X86_CR0_ET BIT(4)
#define X86_CR0_NE BIT(5)
#define X86_CR0_WP BIT(16)
#define X86_CR0_AM BIT(18)
#define X86_CR0_NW BIT(29)
#define X86_CR0_CD BIT(30)
#define X86_CR0_PG BIT(31)

#define X86_CR4_VME BIT(0)
#define X86_CR4_PVI BIT(1)
#define X86_CR4_TSD BIT(2)
#define X86_CR4_DE BIT(3)
#define X86_CR4_PSE BIT(4)
#define X86_CR4_PAE BIT(5)
#define X86_CR4_MCE BIT(6)
#define X86_CR4_PGE BIT(7)
#define X86_CR4_PCE BIT(8)
#define X86_CR4_OSFXSR BIT(9)
#define X86_CR4_OSXMMEXCPT BIT(10)
#define X86_CR4_LA57 BIT(12)
#define X86_CR4_VMXE BIT(13)
#define X86_CR4_SMXE BIT(14)
#define X86_CR4_PCIDE BIT(17)
#define X86_CR4_OSXSAVE BIT(18)
#define X86_CR4_SMAP BIT(21)
#define X86_CR4_PKE BIT(22)
#define X86_CR4_CET BIT(23)
#define X86_CR4_PKS BIT(24)
#define X86_CR4_UINTR BIT(25)

/* ---- MSRs, SDM Vol.4 ch. 2 ---- */
#define MSR_IA32_FEATURE_CONTROL 0x3a
#define FEATURE_CONTROL_LOCKED BIT(0)
#define FEATURE_CONTROL_VMX_IN_SMX BIT(1)
#define FEATURE_CONTROL_VMX_OUTSIDE_SMX BIT(2)
#define MSR_IA32_SYSENTER_CS 0x174
#define MSR_IA32_SYSENTER_ESP 0x175
#define MSR_IA32_SYSENTER_EIP 0x176
#define MSR_IA32_DEBUGCTL 0x1d9
#define DEBUGCTL_LBR BIT(0) /* SDM Vol.3B 18.4.1 */
#define DEBUGCTL_BTF BIT(1) /* single-step on branches */
#define MSR_IA32_PAT 0x277
#define MSR_EFER 0xc0000080
#define EFER_SCE BIT(0)
#define EFER_LME BIT(8)
#define EFER_LMA BIT(10)
#define EFER_NXE BIT(11)
#define MSR_FS_BASE 0xc0000100
#define MSR_GS_BASE 0xc0000101
#define MSR_KERNEL_GS_BASE 0xc0000102
#define MSR_TSC_AUX 0xc0000103
#define MSR_STAR 0xc0000081 /* SYSCALL: SDM Vol.4 table 2-2 */
#define MSR_LSTAR 0xc0000082
#define MSR_CSTAR 0xc0000083
#define MSR_SFMASK 0xc0000084
#define MSR_IA32_SPEC_CTRL 0x48
#define MSR_IA32_MCG_STATUS 0x17a
#define MSR_IA32_XSS 0xda0 /* supervisor state components, SDM Vol.1 13.3 */

/*
 * ---- VMX capability MSRs, SDM Vol.3D Appendix A ----
 * Here, not in vmx/, because the parked CPUs (arch/x86/smp.c) run VMXON too.
 */
#define MSR_IA32_VMX_BASIC 0x480
#define MSR_IA32_VMX_PINBASED_CTLS 0x481
#define MSR_IA32_VMX_PROCBASED_CTLS 0x482
#define MSR_IA32_VMX_EXIT_CTLS 0x483
#define MSR_IA32_VMX_ENTRY_CTLS 0x484
#define MSR_IA32_VMX_MISC 0x485
#define MSR_IA32_VMX_CR0_FIXED0 0x486
#define MSR_IA32_VMX_CR0_FIXED1 0x487
#define MSR_IA32_VMX_CR4_FIXED0 0x488
#define MSR_IA32_VMX_CR4_FIXED1 0x489
#define MSR_IA32_VMX_VMCS_ENUM 0x48a
#define MSR_IA32_VMX_PROCBASED_CTLS2 0x48b
#define MSR_IA32_VMX_EPT_VPID_CAP 0x48c
#define MSR_IA32_VMX_TRUE_PINBASED_CTLS 0x48d
#define MSR_IA32_VMX_TRUE_PROCBASED_CTLS 0x48e
#define MSR_IA32_VMX_TRUE_EXIT_CTLS 0x48f
#define MSR_IA32_VMX_TRUE_ENTRY_CTLS 0x490
#define MSR_IA32_VMX_VMFUNC 0x491

/* IA32_VMX_BASIC, SDM Vol.3D A.1 */
#define VMX_BASIC_REVISION GENMASK(30, 0)
#define VMX_BASIC_VMCS_SIZE GENMASK(44, 32)
#define VMX_BASIC_32BIT_PHYS BIT(48)
#define VMX_BASIC_DUAL_MONITOR BIT(49)
#define VMX_BASIC_MEM_TYPE GENMASK(53, 50)
#define VMX_BASIC_INOUT_INFO BIT(54)
#define VMX_BASIC_TRUE_CTLS BIT(55)
#define VMX_BASIC_NO_HW_ERRCODE_CHECK BIT(56)

/* ---- RFLAGS, SDM Vol.1 3.4.3 ---- */
#define X86_RFLAGS_CF BIT(0)
#define X86_RFLAGS_FIXED BIT(1)
#define X86_RFLAGS_ZF BIT(6)
#define X86_RFLAGS_TF BIT(8)
#define X86_RFLAGS_IF BIT(9)
#define X86_RFLAGS_DF BIT(10)
#define X86_RFLAGS_NT BIT(14)
#define X86_RFLAGS_RF BIT(16)
#define X86_RFLAGS_AC BIT(18)

/* ---- CPUID, SDM Vol.2A CPUID ---- */
#define CPUID_1_ECX_SSE3 BIT(0) /* table 3-10 */
#define CPUID_1_ECX_MONITOR BIT(3) /* MONITOR/MWAIT */
#define CPUID_1_ECX_VMX BIT(5)
#define CPUID_1_EDX_MTRR BIT(12) /* table 3-11 */
#define CPUID_1_EDX_MCA BIT(14)
#define CPUID_1_ECX_XSAVE BIT(26)
#define CPUID_D_1_EAX_XSAVES \
	BIT(3) /* XSAVES/XRSTORS and IA32_XSS, SDM Vol.1 13.2 */
#define CPUID_1_ECX_OSXSAVE BIT(27)
#define CPUID_1_ECX_HYPERVISOR BIT(31) /* reserved for hypervisors */
#define CPUID_1_EBX_APIC_ID_SHIFT 24 /* EBX[31:24]: initial APIC ID */
#define CPUID_LEAF_X2APIC_TOPOLOGY 0xb /* EDX: x2APIC ID, Vol.3A 10.12.8.1 */
#define CPUID_LEAF_7 7 /* structured extended features, subleaf 0 */
#define CPUID_7_EBX_TSC_ADJUST BIT(1) /* table 3-8: IA32_TSC_ADJUST */
#define CPUID_7_ECX_PKU BIT(3) /* table 3-8: protection keys, RDPKRU */
#define CPUID_7_ECX_OSPKE BIT(4) /* table 3-8, leaf 7 subleaf 0 */
#define CPUID_EXT_MAX 0x80000000 /* EAX = highest extended leaf, table 3-8 */
#define CPUID_EXT_ADDR_SIZES 0x80000008 /* EAX[7:0] = MAXPHYADDR */
#define CPUID_MAXPHYADDR_MASK 0xff
#define CPUID_MAXPHYADDR_DEFAULT 36 /* without the leaf, SDM Vol.3A 4.1.4 */
#define CPUID_EXT_FEATURES 0x80000001
#define CPUID_80000001_EDX_NX BIT(20) /* execute disable, table 3-8 */
#define CPUID_80000001_EDX_LM BIT(29) /* long mode, table 3-8 */

/* ---- Exception vectors, SDM Vol.3A 6.3.1 table 6-1 ---- */
#define X86_VEC_DE 0
#define X86_VEC_DB 1
#define X86_VEC_NMI 2
#define X86_VEC_BP 3
#define X86_VEC_OF 4
#define X86_VEC_BR 5
#define X86_VEC_UD 6
#define X86_VEC_NM 7
#define X86_VEC_DF 8
#define X86_VEC_TS 10
#define X86_VEC_NP 11
#define X86_VEC_SS 12
#define X86_VEC_GP 13
#define X86_VEC_PF 14
#define X86_VEC_MF 16
#define X86_VEC_AC 17
#define X86_VEC_MC 18
#define X86_VEC_XM 19
#define X86_VEC_VE 20
#define X86_VEC_CP 21
#define X86_NR_EXCEPTIONS 32

/* ---- Paging-structure entry bits, SDM Vol.3A 4.5 tables 4-15..4-20 ---- */
#define PTE_P BIT(0)
#define PTE_RW BIT(1)
#define PTE_US BIT(2) /* user-mode accesses allowed */
#define PTE_PWT BIT(3)
#define PTE_PCD BIT(4)
#define PTE_PS BIT(7) /* PDPTE, PDE: maps a 1 GiB / 2 MiB page */
#define PTE_ADDR_MASK GENMASK(51, 12)
#define PTE_LARGE_ADDR_MASK GENMASK(51, 21) /* 2 MiB page */
#define PTE_NX BIT(63) /* execute-disable, with EFER.NXE (SDM Vol.3A 4.6) */
#define PT_ENTRIES 512

#endif
