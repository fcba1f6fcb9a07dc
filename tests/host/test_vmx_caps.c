// SPDX-License-Identifier: MIT
/*
 * Host tests for vmx/caps.c and vmx/vmx_names.c: control negotiation from
 * capability MSR dumps of real CPUs and of Bochs models.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <string.h>
#include <cmocka.h>

#include "vmx/caps.h"
#include "vmx/vmcs.h"
#include "arch/x86/arch.h"

/*
 * Fixtures. Each names its source; "real" dumps come from RDMSR on a real
 * CPU, "derived" ones are computed from emulator source.
 */

/*
 * Skylake-X, Intel Core i7-7800X: the MSR dump recorded in Bochs
 * bochs/cpu/cpudb/intel/corei7_skylake-x.cc (bochs-emu/Bochs), the CPU the
 * corei7_skylake_x model is built from.
 */
static const struct vmx_caps_msrs skylake_x = {
	.basic = 0x00da040000000004ULL,
	.pinbased = 0x000000ff00000016ULL,
	.procbased = 0xfff9fffe0401e172ULL,
	.exit = 0x01ffffff00036dffULL,
	.entry = 0x0003ffff000011ffULL,
	.misc = 0x000000007004c1e7ULL,
	.cr0_fixed0 = 0x80000021ULL,
	.cr0_fixed1 = 0xffffffffULL,
	.cr4_fixed0 = 0x2000ULL,
	.cr4_fixed1 = 0x3727ffULL,
	.vmcs_enum = 0x2eULL,
	.procbased2 = 0x025d3fff00000000ULL,
	.ept_vpid = 0x00000f0106734141ULL,
	.true_pinbased = 0x000000ff00000016ULL,
	.true_procbased = 0xfff9fffe04006172ULL,
	.true_exit = 0x01ffffff00036dfbULL,
	.true_entry = 0x0003ffff000011fbULL,
};

/*
 * Skylake client, Intel Core i7-6700K: VirtualBox CPU database
 * src/VBox/VMM/VMMR3/cpus/Intel_Core_i7_6700K.h (VBoxCpuReport, real CPU).
 */
static const struct vmx_caps_msrs i7_6700k = {
	.basic = 0x00da040000000004ULL,
	.pinbased = 0x0000007f00000016ULL,
	.procbased = 0xfff9fffe0401e172ULL,
	.exit = 0x01ffffff00036dffULL,
	.entry = 0x0003ffff000011ffULL,
	.misc = 0x7004c1e7ULL,
	.cr0_fixed0 = 0x80000021ULL,
	.cr0_fixed1 = 0xffffffffULL,
	.cr4_fixed0 = 0x2000ULL,
	.cr4_fixed1 = 0x3727ffULL,
	.vmcs_enum = 0x2eULL,
	.procbased2 = 0x001ffcff00000000ULL,
	.ept_vpid = 0x00000f0106334141ULL,
	.true_pinbased = 0x0000007f00000016ULL,
	.true_procbased = 0xfff9fffe04006172ULL,
	.true_exit = 0x01ffffff00036dfbULL,
	.true_entry = 0x0003ffff000011fbULL,
	.vmfunc = 0x1ULL,
};

/*
 * Westmere, Intel Core i5 M 520 (Arrandale): the MSR dump recorded in Bochs
 * bochs/cpu/cpudb/intel/corei5_arrandale_m520.cc. (The dump's legacy
 * PROCBASED/EXIT low words equal the TRUE ones; kept as recorded.)
 */
static const struct vmx_caps_msrs westmere = {
	.basic = 0x00da04000000000fULL,
	.pinbased = 0x0000007f00000016ULL,
	.procbased = 0xfff9fffe04006172ULL,
	.exit = 0x007fffff00036dfbULL,
	.entry = 0x0000ffff000011ffULL,
	.misc = 0x401e5ULL,
	.cr0_fixed0 = 0x80000021ULL,
	.cr0_fixed1 = 0xffffffffULL,
	.cr4_fixed0 = 0x2000ULL,
	.cr4_fixed1 = 0x67ffULL,
	.vmcs_enum = 0x2aULL,
	.procbased2 = 0x000000ff00000000ULL,
	.ept_vpid = 0x00000f0106114141ULL,
	.true_pinbased = 0x0000007f00000016ULL,
	.true_procbased = 0xfff9fffe04006172ULL,
	.true_exit = 0x007fffff00036dfbULL,
	.true_entry = 0x0000ffff000011fbULL,
};

/*
 * Sandy Bridge, Intel Core i7-2635QM: VirtualBox CPU database
 * src/VBox/VMM/VMMR3/cpus/Intel_Core_i7_2635QM.h (real CPU).
 */
static const struct vmx_caps_msrs sandy_bridge = {
	.basic = 0x00da040000000010ULL,
	.pinbased = 0x0000007f00000016ULL,
	.procbased = 0xfff9fffe0401e172ULL,
	.exit = 0x007fffff00036dffULL,
	.entry = 0x0000ffff000011ffULL,
	.misc = 0x100401e5ULL,
	.cr0_fixed0 = 0x80000021ULL,
	.cr0_fixed1 = 0xffffffffULL,
	.cr4_fixed0 = 0x2000ULL,
	.cr4_fixed1 = 0x627ffULL,
	.vmcs_enum = 0x2aULL,
	.procbased2 = 0x000000ff00000000ULL,
	.ept_vpid = 0x00000f0106114141ULL,
	.true_pinbased = 0x0000007f00000016ULL,
	.true_procbased = 0xfff9fffe04006172ULL,
	.true_exit = 0x007fffff00036dfbULL,
	.true_entry = 0x0000ffff000011fbULL,
};

/*
 * Penryn, Intel Core 2 Duo T9600: the MSR dump recorded in Bochs
 * bochs/cpu/cpudb/intel/core2_penryn_t9600.cc. No TRUE MSRs (BASIC[55]=0),
 * secondary controls without EPT; Bochs's core2_penryn_t9600 model has the
 * same VMX extension set (TPR shadow, virtual NMI, APIC virtualization,
 * WBINVD exiting).
 */
static const struct vmx_caps_msrs penryn = {
	.basic = 0x005a08000000000dULL,
	.pinbased = 0x0000003f00000016ULL,
	.procbased = 0xf7f9fffe0401e172ULL,
	.exit = 0x0003ffff00036dffULL,
	.entry = 0x00003fff000011ffULL,
	.misc = 0x403c0ULL,
	.cr0_fixed0 = 0x80000021ULL,
	.cr0_fixed1 = 0xffffffffULL,
	.cr4_fixed0 = 0x2000ULL,
	.cr4_fixed1 = 0x467ffULL,
	.vmcs_enum = 0x2cULL,
	.procbased2 = 0x0000004100000000ULL,
};

/*
 * Bochs corei5_lynnfield_750 model, derived (no dump exists): the model's
 * get_vmx_extensions_bitmask (bochs/cpu/cpudb/intel/corei5_lynnfield_750.cc:
 * TPR shadow, virtual NMI, APIC virt., WBINVD exit, VPID, EPT, PAT, EFER,
 * descriptor-table exit, x2APIC virt., preemption timer; NO unrestricted
 * guest) run through Bochs's init_vmx_capabilities (bochs/cpu/vmcs.cc) and
 * the reserved-bit defaults of bochs/cpu/vmx.h. BASIC and MISC follow the
 * Bochs layout (revision and VMCS size as for tigerlake, see
 * /work/shared/emulator-facts.md).
 */
static const struct vmx_caps_msrs bochs_lynnfield = {
	.basic = 0x00d8100000000004ULL,
	.pinbased = 0x0000007f00000016ULL,
	.procbased = 0xf7f9fffe0401e172ULL,
	.exit = 0x007fffff00036dffULL,
	.entry = 0x0000ffff000011ffULL,
	.misc = 0x401e0ULL,
	.cr0_fixed0 = 0x80000021ULL,
	.cr0_fixed1 = 0xffffffffULL,
	.cr4_fixed0 = 0x2000ULL,
	.cr4_fixed1 = 0x67ffULL,
	.procbased2 = 0x0000007f00000000ULL,
	.ept_vpid = 0x00000f0106114141ULL,
	.true_pinbased = 0x0000007f00000016ULL,
	.true_procbased = 0xf7f9fffe04006172ULL,
	.true_exit = 0x007fffff00036dfbULL,
	.true_entry = 0x0000ffff000011fbULL,
};

static int negotiate(const struct vmx_caps_msrs *m, struct vmx_config *cfg,
		     const char **missing)
{
	struct vmx_wants w;

	vmx_keel_wants(&w);
	*missing = NULL;
	return vmx_caps_negotiate(m, &w, cfg, missing);
}

static void assert_keel_controls(const struct vmx_config *cfg,
				 const struct vmx_caps_msrs *m)
{
	int i;

	assert_true(cfg->ctl.word[VMX_CTL_PROC2] & SECONDARY_EXEC_ENABLE_EPT);
	assert_true(cfg->ctl.word[VMX_CTL_PROC2] &
		    SECONDARY_EXEC_UNRESTRICTED_GUEST);
	assert_true(cfg->ctl.word[VMX_CTL_PROC] & CPU_BASED_HLT_EXITING);
	assert_true(cfg->ctl.word[VMX_CTL_PROC] & CPU_BASED_USE_IO_BITMAPS);
	assert_true(cfg->ctl.word[VMX_CTL_EXIT] & VM_EXIT_HOST_ADDR_SPACE_SIZE);
	assert_true(cfg->ctl.word[VMX_CTL_ENTRY] & VM_ENTRY_LOAD_IA32_EFER);
	/* Dynamic bits are allowed but not set. */
	assert_false(cfg->ctl.word[VMX_CTL_ENTRY] & VM_ENTRY_IA32E_MODE);
	assert_false(cfg->ctl.word[VMX_CTL_PROC] &
		     CPU_BASED_INTR_WINDOW_EXITING);
	/* No external-interrupt exiting: the guest owns the interrupts. */
	assert_false(cfg->ctl.word[VMX_CTL_PIN] & PIN_BASED_EXT_INTR_MASK);
	/* Every word respects its capability MSR (the VM-entry check). */
	for (i = 0; i < VMX_CTL_NR; i++) {
		u64 cap = vmx_ctl_cap(m, i);

		assert_int_equal(cfg->ctl.word[i] & (u32)cap, (u32)cap);
		assert_int_equal(cfg->ctl.word[i] & ~(u32)(cap >> 32), 0);
	}
}

static void test_skylake_x(void **state)
{
	struct vmx_config cfg;
	const char *missing;

	assert_int_equal(negotiate(&skylake_x, &cfg, &missing), 0);
	assert_null(missing);
	assert_int_equal(cfg.revision, 4);
	assert_int_equal(cfg.vmcs_size, 0x400);
	assert_true(cfg.true_ctls);
	assert_keel_controls(&cfg, &skylake_x);
	/*
	 * TRUE_PROCBASED allows CR3-load/store exiting to be 0: exactly the
	 * required bits, MONITOR/MWAIT exiting and TSC offsetting (optional,
	 * offered here) and the TRUE allowed-0 bits 0x04006172.
	 */
	assert_int_equal(
		cfg.ctl.word[VMX_CTL_PROC],
		0x04006172 | CPU_BASED_HLT_EXITING | CPU_BASED_USE_IO_BITMAPS |
			CPU_BASED_USE_MSR_BITMAPS | CPU_BASED_MWAIT_EXITING |
			CPU_BASED_MONITOR_EXITING |
			CPU_BASED_USE_TSC_OFFSETTING |
			CPU_BASED_ACTIVATE_SECONDARY_CONTROLS);
	/* Keel keeps the guest's DR7/DEBUGCTL across exits. */
	assert_true(cfg.ctl.word[VMX_CTL_EXIT] & VM_EXIT_SAVE_DEBUG_CONTROLS);
	assert_true(cfg.ctl.word[VMX_CTL_ENTRY] & VM_ENTRY_LOAD_DEBUG_CONTROLS);
	assert_true(cfg.ctl.word[VMX_CTL_PIN] & PIN_BASED_VMX_PREEMPTION_TIMER);
	assert_true(cfg.ctl.word[VMX_CTL_PROC2] & SECONDARY_EXEC_ENABLE_VPID);
	assert_true(cfg.ctl.word[VMX_CTL_PROC2] & SECONDARY_EXEC_ENABLE_XSAVES);
	assert_true(cfg.ept.walk4 && cfg.ept.mt_wb && cfg.ept.mt_uc);
	assert_true(cfg.ept.page_2m && cfg.ept.page_1g && cfg.ept.ad);
	assert_true(cfg.ept.invept_single && cfg.ept.invept_all);
	assert_true(cfg.ept.invvpid_all && cfg.ept.invvpid_single);
	assert_int_equal(cfg.preemption_timer_shift, 7);
}

static void test_skylake_client(void **state)
{
	struct vmx_config cfg;
	const char *missing;

	assert_int_equal(negotiate(&i7_6700k, &cfg, &missing), 0);
	assert_keel_controls(&cfg, &i7_6700k);
	assert_true(cfg.ept.page_1g);
	assert_true(cfg.ept.ad);
}

static void test_westmere(void **state)
{
	struct vmx_config cfg;
	const char *missing;

	assert_int_equal(negotiate(&westmere, &cfg, &missing), 0);
	assert_keel_controls(&cfg, &westmere);
	assert_int_equal(cfg.revision, 0xf);
	/* Westmere EPT: 2M pages but no 1G pages and no A/D bits. */
	assert_true(cfg.ept.page_2m);
	assert_false(cfg.ept.page_1g);
	assert_false(cfg.ept.ad);
	/* No XSAVES on Westmere: optional bit silently absent. */
	assert_false(cfg.ctl.word[VMX_CTL_PROC2] &
		     SECONDARY_EXEC_ENABLE_XSAVES);
}

static void test_sandy_bridge(void **state)
{
	struct vmx_config cfg;
	const char *missing;

	assert_int_equal(negotiate(&sandy_bridge, &cfg, &missing), 0);
	assert_keel_controls(&cfg, &sandy_bridge);
	assert_false(cfg.ept.page_1g);
}

static void test_penryn_reports_missing_ept(void **state)
{
	struct vmx_config cfg;
	const char *missing;

	assert_int_equal(negotiate(&penryn, &cfg, &missing), -ENOTSUP);
	assert_string_equal(missing, "SECONDARY_EXEC_ENABLE_EPT");
}

static void test_penryn_legacy_ctls(void **state)
{
	/* Without EPT needs, the legacy MSRs force CR3 exiting to 1. */
	struct vmx_wants w = { 0 };
	struct vmx_config cfg;
	const char *missing = NULL;

	w.ctl[VMX_CTL_PROC].required = CPU_BASED_HLT_EXITING;
	assert_int_equal(vmx_caps_negotiate(&penryn, &w, &cfg, &missing), 0);
	assert_false(cfg.true_ctls);
	assert_int_equal(cfg.ctl.word[VMX_CTL_PROC],
			 0x0401e172 | CPU_BASED_HLT_EXITING);
	assert_true(cfg.ctl.word[VMX_CTL_PROC] & CPU_BASED_CR3_LOAD_EXITING);
	assert_true(cfg.ctl.word[VMX_CTL_EXIT] & VM_EXIT_SAVE_DEBUG_CONTROLS);
	/* No secondary controls requested: bit 31 stays 0. */
	assert_int_equal(cfg.ctl.word[VMX_CTL_PROC2], 0);
}

static void test_lynnfield_reports_missing_ug(void **state)
{
	struct vmx_config cfg;
	const char *missing;

	assert_int_equal(negotiate(&bochs_lynnfield, &cfg, &missing), -ENOTSUP);
	assert_string_equal(missing, "SECONDARY_EXEC_UNRESTRICTED_GUEST");
}

static void test_no_secondary_controls(void **state)
{
	/* A CPU whose PROCBASED allowed-1 lacks bit 31. */
	struct vmx_caps_msrs m = penryn;
	struct vmx_config cfg;
	const char *missing;

	m.procbased &= ~((u64)CPU_BASED_ACTIVATE_SECONDARY_CONTROLS << 32);
	assert_int_equal(negotiate(&m, &cfg, &missing), -ENOTSUP);
	assert_string_equal(missing, "CPU_BASED_ACTIVATE_SECONDARY_CONTROLS");
}

static void test_ept_without_wb(void **state)
{
	struct vmx_caps_msrs m = skylake_x;
	struct vmx_config cfg;
	const char *missing;

	m.ept_vpid &= ~VMX_EPT_MT_WB;
	assert_int_equal(negotiate(&m, &cfg, &missing), -ENOTSUP);
	assert_string_equal(missing, "EPT_WB_MEMORY_TYPE");
	m = skylake_x;
	m.ept_vpid &= ~VMX_EPT_PAGE_WALK_4;
	assert_int_equal(negotiate(&m, &cfg, &missing), -ENOTSUP);
	assert_string_equal(missing, "EPT_PAGE_WALK_4");
	m = skylake_x;
	m.ept_vpid &=
		~(VMX_EPT_INVEPT_SINGLE_CONTEXT | VMX_EPT_INVEPT_ALL_CONTEXT);
	assert_int_equal(negotiate(&m, &cfg, &missing), -ENOTSUP);
	assert_string_equal(missing, "INVEPT");
}

static void test_vpid_dropped_without_invvpid(void **state)
{
	struct vmx_caps_msrs m = skylake_x;
	struct vmx_config cfg;
	const char *missing;

	m.ept_vpid &= ~(VMX_VPID_INVVPID | VMX_VPID_INVVPID_ALL_CONTEXT |
			VMX_VPID_INVVPID_SINGLE_CONTEXT);
	assert_int_equal(negotiate(&m, &cfg, &missing), 0);
	assert_false(cfg.ctl.word[VMX_CTL_PROC2] & SECONDARY_EXEC_ENABLE_VPID);
}

static void test_ctl_adjust(void **state)
{
	struct vmx_ctl_want want = { 0 };
	const char *missing = NULL;
	u32 v = 0;
	/* allowed0 = 0x16, allowed1 = 0x7f */
	u64 cap = 0x0000007f00000016ULL;

	want.required = BIT(3);
	want.optional = BIT(6) | BIT(7); /* bit 7 not allowed: dropped */
	assert_int_equal(vmx_ctl_adjust(cap, VMX_CTL_PIN, &want, &v, &missing),
			 0);
	assert_int_equal(v, 0x16 | BIT(3) | BIT(6));

	want.required = BIT(7) | BIT(8);
	assert_int_equal(vmx_ctl_adjust(cap, VMX_CTL_PIN, &want, &v, &missing),
			 -ENOTSUP);
	assert_string_equal(missing, "PIN_BASED_POSTED_INTR");

	want.required = 0;
	want.dynamic = BIT(9);
	assert_int_equal(vmx_ctl_adjust(cap, VMX_CTL_PIN, &want, &v, &missing),
			 -ENOTSUP);
	assert_string_equal(missing, "RESERVED_CONTROL_BIT");
}

static void test_ctl_names(void **state)
{
	assert_string_equal(vmx_ctl_bit_name(VMX_CTL_PROC, 31),
			    "CPU_BASED_ACTIVATE_SECONDARY_CONTROLS");
	assert_string_equal(vmx_ctl_bit_name(VMX_CTL_PROC2, 7),
			    "SECONDARY_EXEC_UNRESTRICTED_GUEST");
	assert_string_equal(vmx_ctl_bit_name(VMX_CTL_EXIT, 9),
			    "VM_EXIT_HOST_ADDR_SPACE_SIZE");
	assert_string_equal(vmx_ctl_bit_name(VMX_CTL_ENTRY, 15),
			    "VM_ENTRY_LOAD_IA32_EFER");
	assert_string_equal(vmx_ctl_bit_name(VMX_CTL_NR, 0), "UNKNOWN_CONTROL");
}

/* A fake RDMSR over a fixture that records which MSRs were read. */
static const struct vmx_caps_msrs *fake_src;
static u32 fake_reads[32];
static int fake_nreads;

static u64 fake_rdmsr(u32 msr)
{
	const struct vmx_caps_msrs *m = fake_src;

	fake_reads[fake_nreads++] = msr;
	switch (msr) {
	case MSR_IA32_VMX_BASIC:
		return m->basic;
	case MSR_IA32_VMX_PINBASED_CTLS:
		return m->pinbased;
	case MSR_IA32_VMX_PROCBASED_CTLS:
		return m->procbased;
	case MSR_IA32_VMX_EXIT_CTLS:
		return m->exit;
	case MSR_IA32_VMX_ENTRY_CTLS:
		return m->entry;
	case MSR_IA32_VMX_MISC:
		return m->misc;
	case MSR_IA32_VMX_CR0_FIXED0:
		return m->cr0_fixed0;
	case MSR_IA32_VMX_CR0_FIXED1:
		return m->cr0_fixed1;
	case MSR_IA32_VMX_CR4_FIXED0:
		return m->cr4_fixed0;
	case MSR_IA32_VMX_CR4_FIXED1:
		return m->cr4_fixed1;
	case MSR_IA32_VMX_VMCS_ENUM:
		return m->vmcs_enum;
	case MSR_IA32_VMX_PROCBASED_CTLS2:
		return m->procbased2;
	case MSR_IA32_VMX_EPT_VPID_CAP:
		return m->ept_vpid;
	case MSR_IA32_VMX_TRUE_PINBASED_CTLS:
		return m->true_pinbased;
	case MSR_IA32_VMX_TRUE_PROCBASED_CTLS:
		return m->true_procbased;
	case MSR_IA32_VMX_TRUE_EXIT_CTLS:
		return m->true_exit;
	case MSR_IA32_VMX_TRUE_ENTRY_CTLS:
		return m->true_entry;
	case MSR_IA32_VMX_VMFUNC:
		return m->vmfunc;
	default:
		fail_msg("unexpected MSR 0x%x", msr);
	}
	return 0;
}

static bool was_read(u32 msr)
{
	for (int i = 0; i < fake_nreads; i++)
		if (fake_reads[i] == msr)
			return true;
	return false;
}

static void test_caps_read(void **state)
{
	struct vmx_caps_msrs m;

	fake_src = &i7_6700k;
	fake_nreads = 0;
	vmx_caps_read(&m, fake_rdmsr);
	assert_memory_equal(&m, &i7_6700k, sizeof(m));
	assert_true(was_read(MSR_IA32_VMX_VMFUNC));

	/* Penryn: no TRUE MSRs, no EPT_VPID_CAP, no VMFUNC (they #GP). */
	fake_src = &penryn;
	fake_nreads = 0;
	vmx_caps_read(&m, fake_rdmsr);
	assert_memory_equal(&m, &penryn, sizeof(m));
	assert_false(was_read(MSR_IA32_VMX_TRUE_PROCBASED_CTLS));
	assert_false(was_read(MSR_IA32_VMX_EPT_VPID_CAP));
	assert_false(was_read(MSR_IA32_VMX_VMFUNC));
	assert_true(was_read(MSR_IA32_VMX_PROCBASED_CTLS2));
}

static void test_cr_fixed(void **state)
{
	const struct vmx_caps_msrs *m = &skylake_x;
	/* SeaBIOS hands over CR0 = 0x11 (PE|ET): NE and PG get forced. */
	assert_int_equal(vmx_host_cr0(m, 0x11), 0x80000031);
	assert_int_equal(vmx_host_cr4(m, 0), X86_CR4_VMXE);
	/* CR4 bits FIXED1 forbids are cleared (bit 23 is not in 0x3727ff). */
	assert_int_equal(vmx_host_cr4(m, BIT(23) | X86_CR4_PAE),
			 X86_CR4_PAE | X86_CR4_VMXE);
	assert_true(vmx_cr_is_valid(0x80000031, m->cr0_fixed0, m->cr0_fixed1));
	assert_false(vmx_cr_is_valid(0x31, m->cr0_fixed0, m->cr0_fixed1));

	/* Unrestricted guest: PE/PG may stay 0, NE still forced. */
	assert_int_equal(vmx_guest_cr0(m, X86_CR0_ET, true),
			 X86_CR0_ET | X86_CR0_NE);
	assert_int_equal(vmx_guest_cr0(m, X86_CR0_ET, false),
			 X86_CR0_ET | X86_CR0_NE | X86_CR0_PE | X86_CR0_PG);
	/* CD/NW pass through untouched (reset value 0x60000010). */
	assert_int_equal(vmx_guest_cr0(m, 0x60000010, true),
			 0x60000010 | X86_CR0_NE);
	assert_int_equal(vmx_guest_cr0_fixed0(m, true), X86_CR0_NE);
	assert_int_equal(vmx_guest_cr4(m, 0), X86_CR4_VMXE);
}

static void test_exit_reason_names(void **state)
{
	assert_string_equal(vmx_exit_reason_name(EXIT_REASON_CPUID), "CPUID");
	assert_string_equal(vmx_exit_reason_name(0), "EXCEPTION_NMI");
	assert_string_equal(vmx_exit_reason_name(48), "EPT_VIOLATION");
	assert_string_equal(vmx_exit_reason_name(77), "TDCALL");
	assert_null(vmx_exit_reason_name(35));
	assert_null(vmx_exit_reason_name(38));
	assert_null(vmx_exit_reason_name(42));
	assert_null(vmx_exit_reason_name(71));
	assert_null(vmx_exit_reason_name(VMX_EXIT_REASON_NR));
	assert_null(vmx_exit_reason_name(0xffffffffu));
	/* Every defined reason below 78 except the reserved four has a name. */
	for (u32 r = 0; r < VMX_EXIT_REASON_NR; r++) {
		bool reserved = r == 35 || r == 38 || r == 42 || r == 71;

		assert_int_equal(vmx_exit_reason_name(r) == NULL, reserved);
	}
}

static void test_insn_errors(void **state)
{
	assert_string_equal(vmx_insn_error_string(7),
			    "VM entry with invalid control field(s)");
	assert_string_equal(vmx_insn_error_string(8),
			    "VM entry with invalid host-state field(s)");
	assert_string_equal(vmx_insn_error_string(28),
			    "Invalid operand to INVEPT/INVVPID");
	assert_null(vmx_insn_error_string(0));
	assert_null(vmx_insn_error_string(14));
	assert_null(vmx_insn_error_string(21));
	assert_null(vmx_insn_error_string(27));
	assert_null(vmx_insn_error_string(29));
	assert_null(vmx_insn_error_string(1000));
}

static void test_encodings(void **state)
{
	/* Spot checks of Appendix B against the encoding rules of 25.11.2. */
	assert_int_equal(FIELD_GET(VMCS_ENC_WIDTH, VMCS_GUEST_RIP),
			 VMCS_WIDTH_NATURAL);
	assert_int_equal(FIELD_GET(VMCS_ENC_TYPE, VMCS_GUEST_RIP), 2);
	assert_int_equal(FIELD_GET(VMCS_ENC_WIDTH, VMCS_EPT_POINTER),
			 VMCS_WIDTH_64);
	assert_int_equal(FIELD_GET(VMCS_ENC_TYPE, VMCS_EXIT_REASON), 1);
	assert_int_equal(FIELD_GET(VMCS_ENC_WIDTH, VMCS_VPID), VMCS_WIDTH_16);
	assert_int_equal(FIELD_GET(VMCS_ENC_TYPE, VMCS_HOST_RIP), 3);
	assert_int_equal(VMCS_GUEST_RIP, 0x681e);
	assert_int_equal(VMCS_HOST_RIP, 0x6c16);
	assert_int_equal(VMCS_SECONDARY_VM_EXEC_CONTROL, 0x401e);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_skylake_x),
		cmocka_unit_test(test_skylake_client),
		cmocka_unit_test(test_westmere),
		cmocka_unit_test(test_sandy_bridge),
		cmocka_unit_test(test_penryn_reports_missing_ept),
		cmocka_unit_test(test_penryn_legacy_ctls),
		cmocka_unit_test(test_lynnfield_reports_missing_ug),
		cmocka_unit_test(test_no_secondary_controls),
		cmocka_unit_test(test_ept_without_wb),
		cmocka_unit_test(test_vpid_dropped_without_invvpid),
		cmocka_unit_test(test_ctl_adjust),
		cmocka_unit_test(test_ctl_names),
		cmocka_unit_test(test_caps_read),
		cmocka_unit_test(test_cr_fixed),
		cmocka_unit_test(test_exit_reason_names),
		cmocka_unit_test(test_insn_errors),
		cmocka_unit_test(test_encodings),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
