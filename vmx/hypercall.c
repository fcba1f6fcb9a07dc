// SPDX-License-Identifier: MIT
/* Hypervisor CPUID leaves and VMCALL hypercalls; see docs/hypercalls.md. */
#include "core/console.h"
#include "core/lib.h"
#include "vm/guest_abi.h"
#include "vmx/vcpu.h"
#include "vmx/vmx_ops.h"

/* The ABI pins hypercall errors to these values; Keel returns its own. */
_Static_assert(KEEL_EPERM == EPERM && KEEL_E2BIG == E2BIG &&
		       KEEL_EFAULT == EFAULT && KEEL_EINVAL == EINVAL &&
		       KEEL_ENOSYS == ENOSYS,
	       "hypercall errno values");

void keel_cpuid_leaf(u32 leaf, u32 *eax, u32 *ebx, u32 *ecx, u32 *edx)
{
	*eax = *ebx = *ecx = *edx = 0;
	switch (leaf) {
	case KEEL_CPUID_LEAF_SIGNATURE:
		*eax = KEEL_CPUID_MAX_LEAF;
		*ebx = *ecx = *edx = KEEL_CPUID_SIGNATURE_REG;
		break;
	case KEEL_CPUID_LEAF_INFO:
		*eax = KEEL_ABI_VERSION;
		break;
	}
}

static s64 hc_print(struct vcpu *v, u64 gpa, u64 len)
{
	char buf[128];

	if (len > KEEL_HC_MAX_PRINT)
		return -E2BIG;
	while (len) {
		size_t n = MIN(len, sizeof(buf));

		if (vm_read(v->vm, gpa, buf, n))
			return -EFAULT;
		vm_console_write(v->vm, buf, n);
		gpa += n;
		len -= n;
	}
	return 0;
}

void vmx_exit_vmcall(struct vcpu *v)
{
	struct guest_regs *r = &v->regs;
	u64 ss_ar = vmread(VMCS_GUEST_SS_AR_BYTES);
	s64 ret = 0;

	/* Only the guest kernel may call Keel (CPL is SS.DPL). */
	if (FIELD_GET(VMX_AR_DPL, ss_ar) != 0) {
		r->rax = (u64)-EPERM;
		vcpu_skip_instruction(v);
		return;
	}
	switch (r->rax) {
	case KEEL_HC_PRINT:
		ret = hc_print(v, r->rbx, r->rcx);
		break;
	case KEEL_HC_INFO:
		r->rbx = KEEL_ABI_VERSION;
		r->rcx = v->vm->mem_size >> 10;
		r->rdx = v->exits;
		/* Where Keel lives, so a test guest can try to reach it. */
		/* Reserved, zero: no hypercall tells a host-physical
		 * address. */
		r->rsi = 0;
		r->rdi = 0;
		break;
	case KEEL_HC_EXIT:
		vm_exit(v->vm, (int)(u32)r->rbx);
		break;
	case KEEL_HC_RAISE_IRQ:
		if (r->rbx < KEEL_HC_FIRST_IRQ_VECTOR || r->rbx > 255)
			ret = -EINVAL;
		else
			vm_raise_irq(v->vm, (u8)r->rbx);
		break;
	default:
		ret = -ENOSYS;
		break;
	}
	r->rax = (u64)ret;
	vcpu_skip_instruction(v);
}
