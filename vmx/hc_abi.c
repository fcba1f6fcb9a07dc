// SPDX-License-Identifier: MIT
/*
 * The numbering side of Keel's guest ABI. A guest written for KVM (such as
 * kvm-unit-tests) calls VMCALL with KVM's numbers; Keel's own sit in a
 * range of their own so that such a call is an unknown one, answered as
 * KVM answers it.
 */
#include "vm/guest_abi.h"
#include "vmx/hc_abi.h"

bool hc_is_keel(u64 rax, bool mode64, u32 *nr)
{
	if (!mode64)
		rax = (u32)rax;
	if (rax < KEEL_HC_BASE || rax >= (u64)KEEL_HC_BASE + KEEL_HC_NR)
		return false;
	*nr = (u32)rax;
	return true;
}

u64 hc_result(s64 ret, bool mode64)
{
	return mode64 ? (u64)ret : (u32)ret;
}

void keel_cpuid_leaf(u32 leaf, u32 *eax, u32 *ebx, u32 *ecx, u32 *edx)
{
	*eax = *ebx = *ecx = *edx = 0;
	switch (leaf) {
	case KEEL_CPUID_LEAF_SIGNATURE:
		*eax = KEEL_CPUID_MAX_LEAF;
		*ebx = *ecx = *edx = KEEL_CPUID_SIGNATURE_REG;
		break;
	case KEEL_CPUID_LEAF_INFO:
		/* EAX, KVM's feature bits, stays 0. */
		*ebx = KEEL_ABI_VERSION;
		break;
	}
}
