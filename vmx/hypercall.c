// SPDX-License-Identifier: MIT
/* Hypervisor CPUID leaves and VMCALL hypercalls; see docs/hypercalls.md. */
#include "core/console.h"
#include "core/lib.h"
#include "vmx/hypercall.h"
#include "vmx/vcpu.h"
#include "vmx/vmx_ops.h"

#define FIRST_EXTERNAL_VECTOR 32

extern const u8 __image_start[], __image_end[];

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

		if (guest_read(v->g, gpa, buf, n))
			return -EFAULT;
		console_write(buf, n);
		gpa += n;
		len -= n;
	}
	return 0;
}

int handle_vmcall(struct vcpu *v)
{
	struct guest_regs *r = &v->regs;
	u64 ss_ar = vmread(VMCS_GUEST_SS_AR_BYTES);
	s64 ret = 0;

	/* Only the guest kernel may call Keel (CPL is SS.DPL). */
	if (FIELD_GET(VMX_AR_DPL, ss_ar) != 0) {
		r->rax = (u64)-EPERM;
		vcpu_skip_instruction(v);
		return 0;
	}
	switch (r->rax) {
	case KEEL_HC_PRINT:
		ret = hc_print(v, r->rbx, r->rcx);
		break;
	case KEEL_HC_INFO:
		r->rbx = KEEL_ABI_VERSION;
		r->rcx = v->g->mem_size >> 10;
		r->rdx = v->exits;
		/* Where Keel lives, so a test guest can try to reach it. */
		r->rsi = (u64)__image_start;
		r->rdi = (u64)__image_end - (u64)__image_start;
		break;
	case KEEL_HC_EXIT:
		vcpu_exit_status(v, (int)(u32)r->rbx);
		break;
	case KEEL_HC_RAISE_IRQ:
		if (r->rbx < FIRST_EXTERNAL_VECTOR || r->rbx > 255)
			ret = -EINVAL;
		else
			vcpu_queue_irq(v, (u8)r->rbx);
		break;
	default:
		ret = -ENOSYS;
		break;
	}
	r->rax = (u64)ret;
	vcpu_skip_instruction(v);
	return 0;
}
