/* SPDX-License-Identifier: MIT */
/*
 * Keel's guest ABI: the hypervisor CPUID leaves and the VMCALL hypercalls.
 * docs/hypercalls.md is the user-facing description; keep both in step.
 */
#ifndef KEEL_VMX_HYPERCALL_H
#define KEEL_VMX_HYPERCALL_H

#include "core/types.h"

#define KEEL_CPUID_LEAF_SIGNATURE 0x40000000U
#define KEEL_CPUID_LEAF_INFO 0x40000001U
#define KEEL_CPUID_MAX_LEAF KEEL_CPUID_LEAF_INFO
/* "KeelKeelKeel" in EBX, ECX, EDX, as KVM's "KVMKVMKVM\0\0\0". */
#define KEEL_CPUID_SIGNATURE_REG 0x6c65654bU
#define KEEL_ABI_VERSION 1

/* VMCALL: RAX = function, arguments in RBX, RCX, RDX; result in RAX. */
#define KEEL_HC_PRINT 0 /* RBX = GPA of bytes, RCX = length */
/* out: RBX = ABI version, RCX = RAM KiB, RDX = exits, RSI/RDI = Keel's
 * image base and size (host-physical; never mapped for the guest) */
#define KEEL_HC_INFO 1
#define KEEL_HC_EXIT 2 /* RBX = status; the guest ends */
#define KEEL_HC_RAISE_IRQ 3 /* RBX = vector 32..255, delivered as external */
#define KEEL_HC_MAX_PRINT 4096

void keel_cpuid_leaf(u32 leaf, u32 *eax, u32 *ebx, u32 *ecx, u32 *edx);

#endif
