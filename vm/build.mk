# The virtual machine: guest RAM, the device registry, the platform's
# pass-through ranges and the guest loaders. The multiboot (v1) loader is
# pure and host-tested; so is mem_flush.c, on ept/ept.c's host build.
keel-y += vm/vm.c vm/mem.c vm/mem_flush.c vm/iodev.c vm/platform.c vm/console.c vm/irq.c vm/load.c vm/mb1.c \
	vm/mb1_info.c vm/linux_boot.c vm/acpi_guest.c vm/acpi_guest_pci.c vm/acpi_guest_isa.c
host-y += vm/mem_flush.c vm/mb1.c vm/mb1_info.c vm/linux_boot.c vm/acpi_guest.c vm/acpi_guest_pci.c vm/acpi_guest_isa.c
host-tests += tests/host/test_mb1.c tests/host/test_linux_boot.c tests/host/test_acpi_guest.c \
	tests/host/test_pio_split.c tests/host/test_mem_flush.c
