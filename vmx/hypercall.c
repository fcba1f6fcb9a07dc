// SPDX-License-Identifier: MIT
/* VMCALL hypercalls; see docs/hypercalls.md. Numbering: vmx/hc_abi.h. */
#include "core/console.h"
#include "core/lib.h"
#include "vm/guest_abi.h"
#include "vmx/hc_abi.h"
#include "vmx/vcpu.h"
#include "vmx/vmx_ops.h"

/* The ABI pins hypercall errors to these values; Keel returns its own.
 * ENOSYS is KVM's (KEEL_ENOSYS), not Linux's. */
_Static_assert(KEEL_EPERM == EPERM && KEEL_E2BIG == E2BIG &&
		       KEEL_EFAULT == EFAULT && KEEL_EINVAL == EINVAL,
	       "hypercall errno values");

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

/* Keel's function @nr (a KEEL_HC_* number); its result for RAX. */
static s64 hc_call(struct vcpu *v, u32 nr)
{
	struct guest_regs *r = &v->regs;

	switch (nr) {
	case KEEL_HC_PRINT:
		return hc_print(v, r->rbx, r->rcx);
	case KEEL_HC_INFO:
		r->rbx = KEEL_ABI_VERSION;
		r->rcx = v->vm->mem_size >> 10;
		r->rdx = v->exits;
		/* Reserved, zero: no hypercall tells a host-physical
		 * address. */
		r->rsi = 0;
		r->rdi = 0;
		return 0;
	case KEEL_HC_EXIT:
		vm_exit(v->vm, (int)(u32)r->rbx);
		return 0;
	case KEEL_HC_RAISE_IRQ:
		if (r->rbx < KEEL_HC_FIRST_IRQ_VECTOR || r->rbx > 255)
			return -EINVAL;
		vm_raise_irq(v->vm, (u8)r->rbx);
		return 0;
	}
	return -KEEL_ENOSYS;
}

/*
 * Any number that is not Keel's gets -KEEL_ENOSYS and nothing else
 * happens, as under KVM; a caller above CPL 0 gets -EPERM first, as
 * KVM's -KVM_EPERM.
 */
void vmx_exit_vmcall(struct vcpu *v)
{
	struct guest_regs *r = &v->regs;
	u64 ss_ar = vmread(VMCS_GUEST_SS_AR_BYTES);
	bool mode64 = vcpu_in_64bit_mode();
	s64 ret = -KEEL_ENOSYS;
	u32 nr;

	/* Only the guest kernel may call Keel (CPL is SS.DPL: 3 in
	 * virtual-8086 mode, 0 in real mode). */
	if (FIELD_GET(VMX_AR_DPL, ss_ar) != 0)
		ret = -EPERM;
	else if (hc_is_keel(r->rax, mode64, &nr))
		ret = hc_call(v, nr);
	r->rax = hc_result(ret, mode64);
	vcpu_skip_instruction(v);
}
