// SPDX-License-Identifier: MIT
/*
 * What the shell shows of the running vCPU (vmx/vmx.h, "the shell's
 * view"): registers, the key VMCS fields decoded, exit statistics, and a
 * ring of the last exits. Everything here reads the current VMCS, so it
 * runs only between exits (from a poller on the exit path), when
 * vcpu_running() is set.
 */
#include "core/console.h"
#include "core/lib.h"
#include "arch/x86/arch.h"
#include "ept/ept.h"
#include "vmx/vcpu.h"
#include "vmx/vmx.h"

/* Exits the trace ring keeps; the oldest is overwritten. */
#define TRACE_LEN 64

struct trace_entry {
	u64 tsc, rip, qual;
	u32 reason;
};

static struct trace_entry ring[TRACE_LEN];
static unsigned int ring_next, ring_count;
u32 vmx_trace_bit;

struct vm *vmx_running_vm(void)
{
	struct vcpu *v = vcpu_running();

	return v ? v->vm : NULL;
}

/* ---- regs ---- */

static void show_seg(const char *name, enum vmcs_field sel)
{
	/* The selector, base, limit and AR fields of one segment are at
	 * the same offset in each width's group (SDM Vol.3C appendix B). */
	u32 i = (sel - VMCS_GUEST_ES_SELECTOR) / 2;
	u64 ar = vmread(VMCS_GUEST_ES_AR_BYTES + 2 * i);

	printf("  %-4s %04llx base %016llx limit %08llx AR %05llx%s%s%s DPL%llu\n",
	       name, vmread(sel), vmread(VMCS_GUEST_ES_BASE + 2 * i),
	       vmread(VMCS_GUEST_ES_LIMIT + 2 * i), ar,
	       ar & VMX_AR_L ? " L" : "", ar & VMX_AR_DB ? " D" : "",
	       ar & VMX_AR_P ? "" : " not-present",
	       (unsigned long long)FIELD_GET(VMX_AR_DPL, ar));
}

void vmx_show_regs(void)
{
	struct vcpu *v = vcpu_running();
	const struct guest_regs *r = &v->regs;

	printf("  RAX %016llx RBX %016llx RCX %016llx RDX %016llx\n", r->rax,
	       r->rbx, r->rcx, r->rdx);
	printf("  RSI %016llx RDI %016llx RBP %016llx RSP %016llx\n", r->rsi,
	       r->rdi, r->rbp, vmread(VMCS_GUEST_RSP));
	printf("  R8  %016llx R9  %016llx R10 %016llx R11 %016llx\n", r->r8,
	       r->r9, r->r10, r->r11);
	printf("  R12 %016llx R13 %016llx R14 %016llx R15 %016llx\n", r->r12,
	       r->r13, r->r14, r->r15);
	printf("  RIP %016llx RFLAGS %016llx\n", vmread(VMCS_GUEST_RIP),
	       vmread(VMCS_GUEST_RFLAGS));
	printf("  CR0 %016llx CR3 %016llx CR4 %016llx\n",
	       vmread(VMCS_GUEST_CR0), vmread(VMCS_GUEST_CR3),
	       vmread(VMCS_GUEST_CR4));
	printf("  EFER %016llx DR7 %016llx\n", vmread(VMCS_GUEST_IA32_EFER),
	       vmread(VMCS_GUEST_DR7));
	show_seg("CS", VMCS_GUEST_CS_SELECTOR);
	show_seg("SS", VMCS_GUEST_SS_SELECTOR);
	show_seg("DS", VMCS_GUEST_DS_SELECTOR);
	show_seg("TR", VMCS_GUEST_TR_SELECTOR);
	printf("  GDTR %016llx/%llx IDTR %016llx/%llx\n",
	       vmread(VMCS_GUEST_GDTR_BASE), vmread(VMCS_GUEST_GDTR_LIMIT),
	       vmread(VMCS_GUEST_IDTR_BASE), vmread(VMCS_GUEST_IDTR_LIMIT));
}

/* ---- vmcs ---- */

struct bit_name {
	u32 bit;
	const char *name;
};

static const struct bit_name proc_bits[] = {
	{ CPU_BASED_INTR_WINDOW_EXITING, "intr-window" },
	{ CPU_BASED_HLT_EXITING, "hlt" },
	{ CPU_BASED_NMI_WINDOW_EXITING, "nmi-window" },
	{ CPU_BASED_UNCOND_IO_EXITING, "uncond-io" },
	{ CPU_BASED_USE_IO_BITMAPS, "io-bitmaps" },
	{ CPU_BASED_MONITOR_TRAP_FLAG, "mtf" },
	{ CPU_BASED_USE_MSR_BITMAPS, "msr-bitmaps" },
	{ CPU_BASED_ACTIVATE_SECONDARY_CONTROLS, "secondary" },
};

static const struct bit_name proc2_bits[] = {
	{ SECONDARY_EXEC_ENABLE_EPT, "ept" },
	{ SECONDARY_EXEC_ENABLE_RDTSCP, "rdtscp" },
	{ SECONDARY_EXEC_ENABLE_VPID, "vpid" },
	{ SECONDARY_EXEC_UNRESTRICTED_GUEST, "unrestricted" },
	{ SECONDARY_EXEC_ENABLE_INVPCID, "invpcid" },
	{ SECONDARY_EXEC_ENABLE_XSAVES, "xsaves" },
};

static const struct bit_name pin_bits[] = {
	{ PIN_BASED_EXT_INTR_MASK, "ext-intr" },
	{ PIN_BASED_NMI_EXITING, "nmi" },
	{ PIN_BASED_VIRTUAL_NMIS, "virtual-nmi" },
	{ PIN_BASED_VMX_PREEMPTION_TIMER, "preemption-timer" },
};

static void show_bits(const char *what, u64 val, const struct bit_name *b,
		      size_t n)
{
	char buf[160];
	int len = ksnprintf(buf, sizeof(buf), "  %-6s %08llx", what, val);

	for (size_t i = 0; i < n && len < (int)sizeof(buf); i++)
		if (val & b[i].bit)
			len += ksnprintf(buf + len, sizeof(buf) - (size_t)len,
					 " %s", b[i].name);
	printf("%s\n", buf);
}

static const char *const activity_names[] = {
	[GUEST_ACTIVITY_ACTIVE] = "active",
	[GUEST_ACTIVITY_HLT] = "hlt",
	[GUEST_ACTIVITY_SHUTDOWN] = "shutdown",
	[GUEST_ACTIVITY_WAIT_SIPI] = "wait-for-SIPI",
};

static void show_event(const char *what, u64 info)
{
	if (!(info & INTR_INFO_VALID)) {
		printf("  %-6s none\n", what);
		return;
	}
	printf("  %-6s vector %llu type %llu%s\n", what,
	       (unsigned long long)FIELD_GET(INTR_INFO_VECTOR, info),
	       (unsigned long long)FIELD_GET(INTR_INFO_TYPE, info),
	       info & INTR_INFO_DELIVER_CODE ? " with error code" : "");
}

void vmx_show_vmcs(void)
{
	struct vcpu *v = vcpu_running();
	u64 eptp = vmread(VMCS_EPT_POINTER);
	u64 act = vmread(VMCS_GUEST_ACTIVITY_STATE);
	u64 intr = vmread(VMCS_GUEST_INTERRUPTIBILITY_INFO);
	u32 reason = (u32)vmread(VMCS_EXIT_REASON);
	const char *rname =
		vmx_exit_reason_name((u32)(reason & VMX_EXIT_REASON_BASIC));

	printf("  VMCS at %016llx, VPID %llu, launched %llu\n",
	       (unsigned long long)v->vmcs, vmread(VMCS_VPID), v->launched);
	show_bits("pin", vmread(VMCS_PIN_BASED_VM_EXEC_CONTROL), pin_bits,
		  ARRAY_SIZE(pin_bits));
	show_bits("proc", vmread(VMCS_CPU_BASED_VM_EXEC_CONTROL), proc_bits,
		  ARRAY_SIZE(proc_bits));
	show_bits("proc2", vmread(VMCS_SECONDARY_VM_EXEC_CONTROL), proc2_bits,
		  ARRAY_SIZE(proc2_bits));
	printf("  exit   %08llx  entry %08llx  exception bitmap %08llx\n",
	       vmread(VMCS_VM_EXIT_CONTROLS), vmread(VMCS_VM_ENTRY_CONTROLS),
	       vmread(VMCS_EXCEPTION_BITMAP));
	printf("  EPTP   %016llx: PML4 at %016llx, memory type %llu, %llu-level walk%s\n",
	       eptp, eptp & EPTP_PML4_MASK,
	       (unsigned long long)FIELD_GET(EPTP_MEMTYPE, eptp),
	       (unsigned long long)FIELD_GET(EPTP_WALK_LENGTH, eptp) + 1,
	       eptp & EPTP_AD_ENABLE ? ", A/D on" : "");
	printf("  CR0 mask %016llx shadow %016llx; CR4 mask %016llx shadow %016llx\n",
	       vmread(VMCS_CR0_GUEST_HOST_MASK), vmread(VMCS_CR0_READ_SHADOW),
	       vmread(VMCS_CR4_GUEST_HOST_MASK), vmread(VMCS_CR4_READ_SHADOW));
	printf("  activity %s, interruptibility %llx%s%s%s\n",
	       act < ARRAY_SIZE(activity_names) ? activity_names[act] : "?",
	       intr, intr & GUEST_INTR_STATE_STI ? " STI" : "",
	       intr & GUEST_INTR_STATE_MOV_SS ? " MOV-SS" : "",
	       intr & GUEST_INTR_STATE_NMI ? " NMI-blocked" : "");
	printf("  last exit: reason %u (%s), qualification %llx, guest-physical %llx\n",
	       (u32)(reason & VMX_EXIT_REASON_BASIC), rname ? rname : "?",
	       vmread(VMCS_EXIT_QUALIFICATION),
	       vmread(VMCS_GUEST_PHYSICAL_ADDRESS));
	show_event("entry", vmread(VMCS_VM_ENTRY_INTR_INFO));
	show_event("idt", vmread(VMCS_IDT_VECTORING_INFO));
	if (v->cfg->ctl.word[VMX_CTL_PIN] & PIN_BASED_VMX_PREEMPTION_TIMER)
		printf("  preemption timer %llu\n",
		       vmread(VMCS_VMX_PREEMPTION_TIMER_VALUE));
}

/* ---- exits ---- */

void vmx_show_exits(void)
{
	const struct vcpu *v = vcpu_running();
	u64 total = 0, cycles = 0;

	printf("  %-22s %10s %14s %8s\n", "reason", "count", "cycles", "avg");
	for (u32 i = 0; i <= EXIT_STAT_UNKNOWN; i++) {
		u64 n = v->exit_count[i], c = v->exit_cycles[i];
		const char *name = i < VMX_EXIT_REASON_NR ?
					   vmx_exit_reason_name(i) :
					   "(out of range)";

		if (!n)
			continue;
		printf("  %-22s %10llu %14llu %8llu\n", name ? name : "?", n, c,
		       c / n);
		total += n;
		cycles += c;
	}
	printf("  %-22s %10llu %14llu\n", "total", total, cycles);
}

void vmx_reset_exits(void)
{
	struct vcpu *v = vcpu_running();

	memset(v->exit_count, 0, sizeof(v->exit_count));
	memset(v->exit_cycles, 0, sizeof(v->exit_cycles));
}

/* ---- trace ---- */

void vmx_trace_record(struct vcpu *v, u32 reason)
{
	struct trace_entry *t = &ring[ring_next];

	t->tsc = v->exit_tsc;
	t->reason = reason;
	t->rip = vmread(VMCS_GUEST_RIP);
	t->qual = vmread(VMCS_EXIT_QUALIFICATION);
	ring_next = (ring_next + 1) % TRACE_LEN;
	if (ring_count < TRACE_LEN)
		ring_count++;
}

void vmx_trace_set(bool on)
{
	if (on && !vmx_trace_bit) {
		ring_next = 0;
		ring_count = 0;
	}
	vmx_trace_bit = on ? VMX_TRACE_ON : 0;
}

unsigned int vmx_trace_entries(void)
{
	return ring_count;
}

unsigned int vmx_trace_dump(void)
{
	unsigned int first = (ring_next + TRACE_LEN - ring_count) % TRACE_LEN;
	u64 t0 = ring[first].tsc;

	printf("  trace: last %u exits, oldest first (tracing %s)\n",
	       ring_count, vmx_trace_bit ? "on" : "off");
	for (unsigned int k = 0; k < ring_count; k++) {
		const struct trace_entry *t = &ring[(first + k) % TRACE_LEN];
		const char *name = t->reason < VMX_EXIT_REASON_NR ?
					   vmx_exit_reason_name(t->reason) :
					   NULL;

		printf("  %12llu  %-20s RIP %016llx qual %llx\n", t->tsc - t0,
		       name ? name : "?", t->rip, t->qual);
	}
	return ring_count;
}
