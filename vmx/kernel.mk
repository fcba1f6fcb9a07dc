# The in-kernel VMX code: root-mode bring-up, VMCS, entry/exit, the exit
# dispatch and the CPU exit handlers.
keel-y += vmx/vmx.c vmx/vmcs_init.c vmx/vmx_entry.S vmx/exit.c vmx/vcpu.c \
	vmx/run.c vmx/nmi.c vmx/handlers.c vmx/hypercall.c vmx/linear.c vmx/io.c \
	vmx/mmio.c vmx/msr.c vmx/msr_tsc.c vmx/cr.c vmx/task_switch_exit.c vmx/background.c \
	vmx/debug.c vmx/time_leaves.c vmx/cpu_reset.c vmx/apic_base.c

# The VM-exit fast path trades frame pointers for a shorter round trip
# (docs/vmx.md, "Exit cost"); backtraces through these files are shorter.
$(BUILD)/keel/vmx/exit.o $(BUILD)/keel/vmx/handlers.o: KEEL_CFLAGS += -fomit-frame-pointer
