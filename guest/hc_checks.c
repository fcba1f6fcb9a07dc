// SPDX-License-Identifier: MIT
/*
 * VMCALLs that are not Keel's (docs/hypercalls.md, ABI version 2): a guest
 * written for KVM, such as kvm-unit-tests, calls with KVM's numbers and
 * leaves pointers into its memory in RBX, RCX and RDX. Each such call must
 * read back KVM's answer for an unknown hypercall, -KVM_ENOSYS, and do
 * nothing else: no print, no interrupt, no end of the guest, every other
 * register as it was.
 */
#include "guest.h"
#include "checks.h"

#define HC_PROBE_VECTOR 0x40 /* irq_test_stub counts it (tests.c) */
#define HC_JUNK_ESI 0x5a5a1234

/*
 * What a print hypercall would copy out if it ran. The guest itself never
 * prints it: tests/system/test_vmx.py asserts it never shows up.
 */
static const char hc_marker[] = "hc-leak-marker-4b45";

/*
 * KVM_HC_VAPIC_POLL_IRQ 1, KVM_HC_MMU_OP 2, KVM_HC_FEATURES 3,
 * KVM_HC_SEND_IPI 10 (apic.flat's PV IPI), KVM_HC_SCHED_YIELD 11,
 * KVM_HC_MAP_GPA_RANGE 12 (Linux include/uapi/linux/kvm_para.h); 0 as
 * vmexit.flat's vmcall loop; -1 as hypercall.flat. 2 goes last: under ABI
 * version 1 it ended the guest.
 */
static const u32 kvm_numbers[] = { 0, 1, 3, 10, 11, 12, 0xffffffffU, 2 };

/* Unassigned, in and next to Keel's range, and one that was never used. */
static const u32 unassigned[] = { KEEL_HC_BASE + KEEL_HC_NR,
				  KEEL_HC_BASE + 0xffff, KEEL_HC_BASE - 1,
				  0x7fff };

/*
 * One call with IF=1 and the probe vector's gate in place, so that an
 * interrupt it raised would arrive at once. True when all was as it must
 * be; *out is what the call left, *irqs the interrupts it brought.
 */
static bool foreign_call(u32 nr, const struct hc_regs *in, struct hc_regs *out,
			 u32 *irqs, int *ud)
{
	u32 t = test_irq_count;

	*out = *in;
	out->eax = nr;
	__asm__ volatile("sti" ::: "memory");
	*ud = vmcall(out);
	__asm__ volatile("nop; nop; cli" ::: "memory");
	*irqs = test_irq_count - t;
	return !*ud && out->eax == (u32)-KEEL_ENOSYS && out->ebx == in->ebx &&
	       out->ecx == in->ecx && out->edx == in->edx &&
	       out->esi == in->esi && out->edi == in->edi && !*irqs;
}

/* Each number with RBX..RDI pointing at the marker, then at vector 0x40. */
static void check_numbers(const char *name, const u32 *nrs, size_t n)
{
	const struct hc_regs regs[2] = {
		{ .ebx = (u32)hc_marker,
		  .ecx = sizeof(hc_marker) - 1,
		  .edx = (u32)hc_marker,
		  .esi = HC_JUNK_ESI,
		  .edi = (u32)hc_marker },
		{ .ebx = HC_PROBE_VECTOR,
		  .ecx = 16,
		  .edx = HC_PROBE_VECTOR,
		  .esi = HC_JUNK_ESI,
		  .edi = 0 },
	};
	struct hc_regs r;
	u32 irqs;
	int ud;

	idt_set_gate(HC_PROBE_VECTOR, irq_test_stub);
	for (size_t i = 0; i < n; i++) {
		for (size_t j = 0; j < 2; j++) {
			if (foreign_call(nrs[i], &regs[j], &r, &irqs, &ud))
				continue;
			report(name, false,
			       "eax=0x%x: %s eax=0x%x ebx=0x%x ecx=0x%x "
			       "edx=0x%x esi=0x%x edi=0x%x irqs=%u",
			       nrs[i], ud ? "#UD" : "ran", r.eax, r.ebx, r.ecx,
			       r.edx, r.esi, r.edi, irqs);
			return;
		}
	}
	report(name, true, "%u numbers: eax=0x%x, nothing else", (u32)n,
	       (u32)-KEEL_ENOSYS);
}

void test_foreign_hypercalls(void)
{
	check_numbers("vmcall_kvm_numbers_enosys", kvm_numbers,
		      sizeof(kvm_numbers) / sizeof(*kvm_numbers));
	check_numbers("vmcall_unassigned_enosys", unassigned,
		      sizeof(unassigned) / sizeof(*unassigned));
}
