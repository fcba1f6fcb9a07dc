# The in-kernel VMX code: root-mode bring-up, VMCS, entry/exit, handlers,
# the multiboot (v1) guest loader and the guest's devices.
keel-y += vmx/vmx.c vmx/vmcs_init.c vmx/vmx_entry.S vmx/exit.c vmx/vcpu.c \
	vmx/handlers.c vmx/hypercall.c vmx/guest_mem.c vmx/io.c vmx/mmio.c \
	vmx/msr.c vmx/cr.c vmx/devices.c vmx/pci_cfg.c vmx/guest.c vmx/mb1.c vmx/mb1_info.c
host-y += vmx/mb1.c vmx/mb1_info.c

# The VM-exit fast path trades frame pointers for a shorter round trip
# (docs/vmx.md, "Exit cost"); backtraces through these files are shorter.
$(BUILD)/keel/vmx/exit.o $(BUILD)/keel/vmx/handlers.o: KEEL_CFLAGS += -fomit-frame-pointer
host-tests += tests/host/test_mb1.c
