# Emulated devices. Each registers itself with VM_DEVICE(); listing its
# source here is all it takes to add one (docs/architecture.md). pci_cfg.c
# stays last: it reads the MMIO ranges the others registered.
keel-y += vdev/uart.c vdev/uart16550.c vdev/debug_exit.c vdev/testdev.c vdev/reset.c \
	vdev/acpi_pm.c vdev/pci_vcfg.c vdev/pci_cfg.c
# The virtual configuration space and the 16550 register model are pure
# and host-tested.
host-y += vdev/pci_vcfg.c vdev/uart16550.c
host-tests += tests/host/test_pci_vcfg.c tests/host/test_pci_vcfg_space.c \
	tests/host/test_uart16550.c
