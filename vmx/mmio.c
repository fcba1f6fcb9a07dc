// SPDX-License-Identifier: MIT
/*
 * MMIO emulation. Guest-physical ranges outside RAM (or mapped without some
 * permission) take EPT violations (SDM Vol.3C 29.3.3, rev 080); a handler
 * registered on the range gets the access, decoded from the faulting
 * instruction, which is fetched through the guest's own page tables. An
 * access outside every handler is reported and stops the guest.
 */
#include "core/console.h"
#include "core/lib.h"
#include "arch/x86/arch.h"
#include "vmx/decode.h"
#include "vmx/exitqual.h"
#include "vmx/vcpu.h"
#include "vmx/vmx_ops.h"

/*
 * 64-bit mode is IA-32e mode (EFER.LMA) with CS.L; outside IA-32e mode
 * CS.L means nothing and CS.D picks the default size (SDM Vol.3A 5.2.1,
 * 3.4.5).
 */
static enum x86_cpu_mode cpu_mode(void)
{
	u64 ar = vmread(VMCS_GUEST_CS_AR_BYTES);

	if (!(vmread(VMCS_GUEST_CR0) & X86_CR0_PE))
		return X86_MODE_16;
	if ((ar & VMX_AR_L) && (vmread(VMCS_GUEST_IA32_EFER) & EFER_LMA))
		return X86_MODE_64;
	return ar & VMX_AR_DB ? X86_MODE_32 : X86_MODE_16;
}

/* Fetch up to 15 bytes at CS:RIP; fewer when the next page is unmapped. */
static size_t fetch(struct vcpu *v, u64 rip, u8 *buf)
{
	/* In 64-bit mode CS's base counts as 0 (SDM Vol.3A 3.4.4). */
	u64 gla = (cpu_mode() == X86_MODE_64 ? 0 : vmread(VMCS_GUEST_CS_BASE)) +
		  rip;
	size_t first = MIN(X86_MAX_INSN_LEN, PAGE_SIZE - gla % PAGE_SIZE);

	if (guest_read_linear(v, gla, buf, first))
		return 0;
	if (first < X86_MAX_INSN_LEN &&
	    !guest_read_linear(v, gla + first, buf + first,
			       X86_MAX_INSN_LEN - first))
		return X86_MAX_INSN_LEN;
	return first;
}

/*
 * Whether the access began before @gpa, in the page below: an access
 * that straddles a page boundary into a device exits with the address of
 * its first byte in the device's page, which is then a page's first byte,
 * and only the operand's own address tells the two apart.
 */
static bool starts_below(struct vcpu *v, const struct x86_mmio_insn *in,
			 u64 gpa, u64 rip)
{
	bool mode64 = cpu_mode() == X86_MODE_64;
	u64 gpr[16], lin;

	if (gpa % PAGE_SIZE)
		return false;
	for (unsigned int i = 0; i < ARRAY_SIZE(gpr); i++)
		gpr[i] = i == 4 ? vmread(VMCS_GUEST_RSP) : *vcpu_gpr(v, i);
	lin = vcpu_seg_base(in->seg, mode64) +
	      x86_mmio_ea(in, gpr, rip + in->len);
	if (!mode64)
		lin = (u32)lin;
	/* Paging keeps the offset in the page, so a GPA and the linear
	 * address it came from agree on it. */
	return (lin ^ gpa) % PAGE_SIZE;
}

static u64 *reg_of(struct vcpu *v, const struct x86_mmio_insn *in, u64 *rsp)
{
	/* The decoder already maps AH..BH to their GPR (high8 set). */
	unsigned int r = in->reg;

	if (r == 4 && !in->high8) {
		*rsp = vmread(VMCS_GUEST_RSP);
		return rsp;
	}
	return vcpu_gpr(v, r);
}

static int emulate(struct vcpu *v, struct vm_mmio_handler *h, u64 gpa,
		   const struct x86_mmio_insn *in)
{
	u64 rsp = 0, *reg = in->has_imm ? NULL : reg_of(v, in, &rsp);
	u64 val = 0;
	int rc;

	if (!in->has_imm && !reg) {
		vcpu_stop(v, "%s: bad register operand %u", h->name, in->reg);
		return -EINVAL;
	}
	if (gpa + in->size - h->base > h->size) {
		vcpu_stop(
			v,
			"%s: %u-byte access at GPA %#llx runs past the device",
			h->name, in->size, gpa);
		return -ERANGE;
	}
	if (in->write) {
		val = x86_mmio_store_value(in, reg ? *reg : 0);
		rc = h->fn(v->vm, gpa, in->size, true, &val, h->ctx);
	} else {
		rc = h->fn(v->vm, gpa, in->size, false, &val, h->ctx);
		if (!rc) {
			*reg = x86_mmio_load_result(in, *reg, val);
			if (reg == &rsp)
				vmwrite(VMCS_GUEST_RSP, rsp);
		}
	}
	vcpu_sync_ept(v);
	if (rc)
		vcpu_stop(v, "%s: %s at GPA %#llx failed (%d)", h->name,
			  in->write ? "write" : "read", gpa, rc);
	return rc;
}

static void report_outside(struct vcpu *v, u64 gpa, u64 q)
{
	u64 gla = eq_ept_gla_valid(q) ? vmread(VMCS_GUEST_LINEAR_ADDRESS) : 0;

	vcpu_stop(
		v,
		"EPT violation: %s of GPA %#llx outside guest RAM and every device (GLA %#llx%s, RIP %#llx)",
		eq_ept_fetch(q) ? "fetch" :
		eq_ept_write(q) ? "write" :
				  "read",
		gpa, gla, eq_ept_gla_valid(q) ? "" : " unknown",
		vmread(VMCS_GUEST_RIP));
}

/*
 * The guest touched a RAM page vm_flush_page() had taken out (QEMU's
 * pc-testdev "flush page"): it is mapped again and the access made again,
 * with no RIP change. vmx/exit.c has already re-injected the event whose
 * delivery the exit cut short. An IRET whose stack access exited had
 * dropped virtual-NMI blocking (exit qualification bit 12); it runs
 * again, so the blocking comes back first (SDM Vol.3C 28.2.3, rev 080).
 */
static void flushed_page_back(struct vcpu *v, u64 q)
{
	if (eq_ept_nmi_unblocking(q) &&
	    !(vmread(VMCS_IDT_VECTORING_INFO) & INTR_INFO_VALID))
		vmwrite(VMCS_GUEST_INTERRUPTIBILITY_INFO,
			vmread(VMCS_GUEST_INTERRUPTIBILITY_INFO) |
				GUEST_INTR_STATE_NMI);
	vcpu_sync_ept(v);
}

void vmx_exit_ept_violation(struct vcpu *v)
{
	u64 gpa = vmread(VMCS_GUEST_PHYSICAL_ADDRESS);
	u64 q = vmread(VMCS_EXIT_QUALIFICATION);
	struct vm_mmio_handler *h = vm_find_mmio(v->vm, gpa);
	u64 rip = vmread(VMCS_GUEST_RIP);
	struct x86_mmio_insn in;
	u8 buf[X86_MAX_INSN_LEN] = { 0 };
	size_t n;
	int rc;

	if (unlikely(v->vm->n_flushed) && vm_restore_page(v->vm, gpa)) {
		flushed_page_back(v, q);
		return;
	}
	if (!h || eq_ept_fetch(q)) {
		report_outside(v, gpa, q);
		return;
	}
	/*
	 * The guest's page walk itself touched the device or hole (exit
	 * qualification bit 8 clear with bit 7 set, SDM Vol.3C 28.2.1 table
	 * 28-7): a paging structure lies there. No instruction's data access
	 * is involved, so none may be emulated.
	 */
	if (eq_ept_gla_valid(q) && !eq_ept_gla_is_translation(q)) {
		vcpu_stop(
			v,
			"%s: the guest's page walk for GLA %#llx read a paging structure at GPA %#llx (RIP %#llx)",
			h->name, vmread(VMCS_GUEST_LINEAR_ADDRESS), gpa, rip);
		return;
	}
	/*
	 * The access came from delivering an event (the guest's IDT, GDT or
	 * stack lies in a device): RIP's instruction did not make it, so it
	 * must not be emulated.
	 */
	if (vmread(VMCS_IDT_VECTORING_INFO) & INTR_INFO_VALID) {
		vcpu_stop(
			v,
			"%s: accessed at GPA %#llx while delivering an event (IDT/GDT/stack in MMIO?)",
			h->name, gpa);
		return;
	}
	n = fetch(v, rip, buf);
	rc = n ? x86_decode_mmio(buf, n, cpu_mode(), &in) :
		 X86_DECODE_TRUNCATED;
	if (rc) {
		vcpu_stop(
			v,
			"%s: cannot emulate the instruction at RIP %#llx (%s; bytes %02x %02x %02x %02x)",
			h->name, rip, x86_decode_strerror(rc), buf[0], buf[1],
			buf[2], buf[3]);
		return;
	}
	if (starts_below(v, &in, gpa, rip)) {
		vcpu_stop(
			v,
			"%s: %u-byte access at RIP %#llx begins below the device's page at GPA %#llx",
			h->name, in.size, rip, gpa);
		return;
	}
	if (!emulate(v, h, gpa, &in)) {
		/* The exit gives no instruction length for EPT violations. */
		vcpu_advance_rip(v, in.len);
	}
}

void vmx_exit_ept_misconfig(struct vcpu *v)
{
	u64 gpa = vmread(VMCS_GUEST_PHYSICAL_ADDRESS);
	struct ept_mapping m;
	int rc = ept_lookup(&v->vm->ept, gpa, &m);

	printf("keel: EPT misconfiguration at GPA %#llx: lookup %d, entry %016llx, page size %#llx, memory type %u\n",
	       gpa, rc, rc ? 0 : m.entry, rc ? 0 : m.page_size,
	       rc ? 0 : m.memtype);
	vcpu_stop(v, "EPT misconfiguration at GPA %#llx", gpa);
}
