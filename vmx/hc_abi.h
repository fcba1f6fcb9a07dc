/* SPDX-License-Identifier: MIT */
/*
 * Which VMCALLs are Keel's, what their callers read back in RAX, and
 * Keel's CPUID leaves (docs/hypercalls.md). Pure: built for Keel and for
 * the host tests; vmx/hypercall.c runs the functions. The two tests of
 * every VMCALL are inline: the exit path stays short.
 */
#ifndef KEEL_VMX_HC_ABI_H
#define KEEL_VMX_HC_ABI_H

#include "core/types.h"
#include "vm/guest_abi.h"

/*
 * True when @rax names one of Keel's functions; *@nr is then its
 * KEEL_HC_* number. Outside 64-bit mode only EAX counts: the upper half
 * of RAX is not the caller's (KVM masks the number the same way).
 */
static inline bool hc_is_keel(u64 rax, bool mode64, u32 *nr)
{
	if (!mode64)
		rax = (u32)rax;
	if (rax < KEEL_HC_BASE || rax >= (u64)KEEL_HC_BASE + KEEL_HC_NR)
		return false;
	*nr = (u32)rax;
	return true;
}

/*
 * RAX for a result @ret: outside 64-bit mode zero-extended from 32 bits,
 * as KVM returns it, so -KEEL_ENOSYS reads 0xfffffc18 there.
 */
static inline u64 hc_result(s64 ret, bool mode64)
{
	return mode64 ? (u64)ret : (u32)ret;
}

/* Keel's CPUID leaves 0x40000000.. (vm/guest_abi.h). */
void keel_cpuid_leaf(u32 leaf, u32 *eax, u32 *ebx, u32 *ecx, u32 *edx);

#endif
