# Emulated devices. Each registers itself with VM_DEVICE(); listing its
# source here is all it takes to add one (docs/architecture.md).
keel-y += vdev/uart.c vdev/debug_exit.c vdev/testdev.c vdev/reset.c \
	vdev/acpi_pm.c vdev/pci_cfg.c
