# VMX core. Pure, host-tested files are in both keel-y and host-y; the
# in-kernel bring-up (VMXON, VMCS, exit handlers) joins keel-y later.
vmx-pure := vmx/caps.c vmx/vmx_names.c vmx/decode.c vmx/cpuid_filter.c \
	vmx/event.c vmx/task_switch.c vmx/cpuid_time.c vmx/msr_misc_enable.c \
	vmx/msr_mca.c vmx/msr_mtrr.c vmx/hc_abi.c vmx/apic_base_check.c
keel-y += $(vmx-pure)
host-y += $(vmx-pure)
host-tests += tests/host/test_vmx_caps.c tests/host/test_decode.c \
	tests/host/test_vmx_exitqual.c tests/host/test_cpuid_filter.c \
	tests/host/test_event.c tests/host/test_task_switch.c \
	tests/host/test_cpuid_time.c tests/host/test_msr_virt.c \
	tests/host/test_hc_abi.c tests/host/test_apic_base.c \
	tests/host/test_io_seg.c
