// SPDX-License-Identifier: MIT
/*
 * Keel's CPUID leaves. 0x40000001.EAX is KVM's feature word, so it stays
 * 0; the ABI version is in EBX. (The hypercall numbering, vmx/hc_abi.h,
 * is inline.)
 */
#include "vm/guest_abi.h"
#include "vmx/hc_abi.h"

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
