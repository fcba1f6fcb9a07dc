/* SPDX-License-Identifier: MIT */
/*
 * VMX instruction wrappers, SDM Vol.3C ch. 31 (rev 080). The instructions
 * report failure through RFLAGS: CF=1 is VMfailInvalid, ZF=1 VMfailValid
 * (error number in VMCS_VM_INSTRUCTION_ERROR), SDM Vol.3C 31.2. The setup
 * path uses the checked forms; the exit path uses vmread/vmwrite unchecked,
 * since a field encoding that is wrong there is a bug caught in testing.
 */
#ifndef KEEL_VMX_VMX_OPS_H
#define KEEL_VMX_VMX_OPS_H

#include "core/types.h"
#include "vmx/vmcs.h"

static inline bool vmxon(phys_addr_t pa)
{
	u8 fail;

	__asm__ volatile("vmxon %1; setna %0"
			 : "=qm"(fail)
			 : "m"(pa)
			 : "cc", "memory");
	return !fail;
}

static inline void vmxoff(void)
{
	__asm__ volatile("vmxoff" ::: "cc", "memory");
}

static inline bool vmclear(phys_addr_t pa)
{
	u8 fail;

	__asm__ volatile("vmclear %1; setna %0"
			 : "=qm"(fail)
			 : "m"(pa)
			 : "cc", "memory");
	return !fail;
}

static inline bool vmptrld(phys_addr_t pa)
{
	u8 fail;

	__asm__ volatile("vmptrld %1; setna %0"
			 : "=qm"(fail)
			 : "m"(pa)
			 : "cc", "memory");
	return !fail;
}

static inline u64 vmread(u64 field)
{
	u64 v;

	__asm__ volatile("vmread %1, %0" : "=r"(v) : "r"(field) : "cc");
	return v;
}

static inline void vmwrite(u64 field, u64 v)
{
	__asm__ volatile("vmwrite %1, %0" : : "r"(field), "r"(v) : "cc");
}

static inline bool vmwrite_checked(u64 field, u64 v)
{
	u8 fail;

	__asm__ volatile("vmwrite %2, %1; setna %0"
			 : "=qm"(fail)
			 : "r"(field), "r"(v)
			 : "cc");
	return !fail;
}

struct invept_desc {
	u64 eptp;
	u64 reserved;
};

static inline bool invept(u64 type, u64 eptp)
{
	struct invept_desc d = { eptp, 0 };
	u8 fail;

	__asm__ volatile("invept %1, %2; setna %0"
			 : "=qm"(fail)
			 : "m"(d), "r"(type)
			 : "cc", "memory");
	return !fail;
}

struct invvpid_desc {
	u64 vpid;
	u64 gla;
};

static inline bool invvpid(u64 type, u16 vpid, u64 gla)
{
	struct invvpid_desc d = { vpid, gla };
	u8 fail;

	__asm__ volatile("invvpid %1, %2; setna %0"
			 : "=qm"(fail)
			 : "m"(d), "r"(type)
			 : "cc", "memory");
	return !fail;
}

#endif
