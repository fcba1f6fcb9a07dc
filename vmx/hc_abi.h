/* SPDX-License-Identifier: MIT */
/*
 * Which VMCALLs are Keel's, what their callers read back in RAX, and
 * Keel's CPUID leaves (docs/hypercalls.md). Pure: built for Keel and for
 * the host tests; vmx/hypercall.c runs the functions.
 */
#ifndef KEEL_VMX_HC_ABI_H
#define KEEL_VMX_HC_ABI_H

#include "core/types.h"

/*
 * True when @rax names one of Keel's functions; *@nr is then its
 * KEEL_HC_* number. Outside 64-bit mode only EAX counts: the upper half
 * of RAX is not the caller's (KVM masks the number the same way).
 */
bool hc_is_keel(u64 rax, bool mode64, u32 *nr);

/*
 * RAX for a result @ret: outside 64-bit mode zero-extended from 32 bits,
 * as KVM returns it, so -KEEL_ENOSYS reads 0xfffffc18 there.
 */
u64 hc_result(s64 ret, bool mode64);

/* Keel's CPUID leaves 0x40000000.. (vm/guest_abi.h). */
void keel_cpuid_leaf(u32 leaf, u32 *eax, u32 *ebx, u32 *ecx, u32 *edx);

#endif
