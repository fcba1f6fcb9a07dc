keel-y += drivers/pci.c drivers/pci_enum.c drivers/pci_bdf.c
host-y += drivers/pci_enum.c drivers/pci_bdf.c
host-tests += tests/host/test_pci.c
