// SPDX-License-Identifier: MIT
/*
 * VMX root-mode bring-up, SDM Vol.3C 24.6-24.8 (rev 080): CPUID.1:ECX.VMX,
 * IA32_FEATURE_CONTROL, the CR0/CR4 fixed bits, then VMXON with the VMCS
 * revision identifier from IA32_VMX_BASIC.
 */
#include "core/console.h"
#include "core/lib.h"
#include "core/mm.h"
#include "arch/x86/arch.h"
#include "vmx/caps.h"
#include "vmx/vmx.h"
#include "vmx/vmx_handlers.h"
#include "vmx/vcpu.h"
#include "vmx/vmx_ops.h"

/* CPUID.1:ECX bits, SDM Vol.2A table 3-10 */

static struct vmx_caps_msrs caps;
struct vmx_config vmx_cfg;
static bool enabled;
/* Why VT-x is off, for the shell's one-line refusals; set by vmx_init(). */
static const char *why_off = "VT-x was not set up";

static u64 rdmsr_or_zero(u32 msr)
{
	u64 v = 0;

	if (rdmsr_safe(msr, &v))
		v = 0;
	return v;
}

static void cpu_vendor(char out[13])
{
	struct cpuid_regs r = cpuid(0, 0);

	memcpy(out, &r.ebx, 4);
	memcpy(out + 4, &r.edx, 4);
	memcpy(out + 8, &r.ecx, 4);
	out[12] = '\0';
}

/*
 * The VMCS does not switch IA32_XSS, so the guest's XSAVES and XRSTORS run
 * with the real one, while Keel tells the guest it is 0 (vmx/msr.c). A
 * firmware that left supervisor components on would make the guest's
 * XSAVES write state it did not make room for. Leaf 0Dh exists only with
 * XSAVE (CPUID.1:ECX.XSAVE, SDM Vol.2A CPUID).
 */
static void clear_xss(void)
{
	if (!(cpuid(1, 0).ecx & CPUID_1_ECX_XSAVE) || cpuid(0, 0).eax < 0xd)
		return;
	if (!(cpuid(0xd, 1).eax & CPUID_D_1_EAX_XSAVES))
		return;
	if (wrmsr_safe(MSR_IA32_XSS, 0))
		pr_warn("keel: vmx: could not clear IA32_XSS; the guest's XSAVES may save supervisor state\n");
}

static int check_feature_control(void)
{
	u64 fc;

	if (rdmsr_safe(MSR_IA32_FEATURE_CONTROL, &fc)) {
		pr_err("keel: vmx: VT-x not usable: IA32_FEATURE_CONTROL cannot be read\n");
		why_off = "IA32_FEATURE_CONTROL cannot be read";
		return -ENODEV;
	}
	if (!(fc & FEATURE_CONTROL_LOCKED)) {
		/* Unlocked: enable VMX outside SMX and lock, as firmware
		 * should have (SDM Vol.3C 24.7). */
		fc |= FEATURE_CONTROL_VMX_OUTSIDE_SMX | FEATURE_CONTROL_LOCKED;
		if (wrmsr_safe(MSR_IA32_FEATURE_CONTROL, fc)) {
			pr_err("keel: vmx: VT-x not usable: cannot lock IA32_FEATURE_CONTROL\n");
			why_off = "IA32_FEATURE_CONTROL cannot be locked";
			return -ENODEV;
		}
		pr_info("keel: vmx: IA32_FEATURE_CONTROL was unlocked; locked with VMX on\n");
	} else if (!(fc & FEATURE_CONTROL_VMX_OUTSIDE_SMX)) {
		pr_err("keel: vmx: VT-x disabled in firmware (IA32_FEATURE_CONTROL %#llx locked)\n",
		       fc);
		why_off = "VT-x is disabled in firmware";
		return -EPERM;
	}
	return 0;
}

static void print_features(void)
{
	const struct vmx_ept_caps *e = &vmx_cfg.ept;

	pr_info("keel: vmx: VMX root mode on: VMCS revision %u, EPT%s%s%s, %s, unrestricted guest, %s\n",
		vmx_cfg.revision, e->page_2m ? " 2M" : "",
		e->page_1g ? " 1G" : "", e->ad ? " A/D" : "",
		vmx_cfg.ctl.word[VMX_CTL_PROC2] & SECONDARY_EXEC_ENABLE_VPID ?
			"VPID" :
			"no VPID",
		vmx_cfg.ctl.word[VMX_CTL_PIN] & PIN_BASED_VMX_PREEMPTION_TIMER ?
			"preemption timer" :
			"no preemption timer");
}

int vmx_init(void)
{
	struct vmx_wants wants;
	const char *missing = NULL;
	char vendor[13];
	phys_addr_t region;
	u64 cr4;
	int rc;

	cpu_vendor(vendor);
	if (!(cpuid(1, 0).ecx & CPUID_1_ECX_VMX)) {
		pr_err("keel: vmx: VT-x not available: this %s CPU has no VMX (CPUID.1:ECX.VMX=0); continuing without a guest\n",
		       vendor);
		why_off = "this CPU has no VMX";
		return -ENODEV;
	}
	rc = check_feature_control();
	if (rc)
		return rc;
	vmx_caps_read(&caps, rdmsr_or_zero);
	vmx_keel_wants(&wants);
	if (vmx_caps_negotiate(&caps, &wants, &vmx_cfg, &missing)) {
		pr_err("keel: vmx: VT-x not usable: the CPU lacks %s, which Keel requires\n",
		       missing ? missing : "a required feature");
		why_off = "this CPU lacks a VT-x feature Keel requires";
		return -ENOTSUP;
	}

	cr4 = read_cr4() | X86_CR4_VMXE;
	/* XSETBV on the guest's behalf needs CR4.OSXSAVE in root mode. */
	if (cpuid(1, 0).ecx & CPUID_1_ECX_XSAVE)
		cr4 |= X86_CR4_OSXSAVE;
	write_cr0(vmx_host_cr0(&caps, read_cr0()));
	write_cr4(vmx_host_cr4(&caps, cr4));
	clear_xss();

	region = alloc_pages(1, PAGE_SIZE);
	if (region == PHYS_INVALID) {
		pr_err("keel: vmx: no memory for the VMXON region\n");
		why_off = "no memory for the VMXON region";
		return -ENOMEM;
	}
	*(u32 *)phys_to_virt(region) = vmx_cfg.revision;
	if (!vmxon(region)) {
		pr_err("keel: vmx: VMXON failed (RFLAGS %#llx)\n",
		       read_rflags());
		free_pages(region, 1);
		why_off = "VMXON failed";
		return -EIO;
	}
	enabled = true;
	print_features();
	vmx_time_leaves_init();
	return 0;
}

bool vmx_enabled(void)
{
	return enabled;
}

const char *vmx_off_reason(void)
{
	return enabled ? NULL : why_off;
}

void vmx_show_caps(void)
{
	const struct vmx_ept_caps *e = &vmx_cfg.ept;

	if (!enabled) {
		printf("vmx: off: %s\n", why_off);
		return;
	}
	printf("vmx: VMCS revision %u, EPT%s%s%s, %s, %s, basic %016llx\n",
	       vmx_cfg.revision, e->page_2m ? " 2M" : "",
	       e->page_1g ? " 1G" : "", e->ad ? " A/D" : "",
	       vmx_cfg.ctl.word[VMX_CTL_PROC2] & SECONDARY_EXEC_ENABLE_VPID ?
		       "VPID" :
		       "no VPID",
	       vmx_cfg.ctl.word[VMX_CTL_PIN] & PIN_BASED_VMX_PREEMPTION_TIMER ?
		       "preemption timer" :
		       "no preemption timer",
	       caps.basic);
	printf("vmx: controls: pin %08x proc %08x proc2 %08x exit %08x entry %08x\n",
	       vmx_cfg.ctl.word[VMX_CTL_PIN], vmx_cfg.ctl.word[VMX_CTL_PROC],
	       vmx_cfg.ctl.word[VMX_CTL_PROC2], vmx_cfg.ctl.word[VMX_CTL_EXIT],
	       vmx_cfg.ctl.word[VMX_CTL_ENTRY]);
}

const struct vmx_caps_msrs *vmx_caps(void)
{
	return &caps;
}
