keel-y += drivers/pci.c drivers/pci_enum.c
host-y += drivers/pci_enum.c
host-tests += tests/host/test_pci.c
