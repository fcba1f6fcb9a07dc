# AHCI SATA driver. Sources live in drivers/ahci/; the pure parts (PRDT
# building, IDENTIFY parsing) also build for the host. Its self-test and
# benchmark live in tests/kernel/.
keel-y += drivers/ahci/ahci.c drivers/ahci/ahci_port.c drivers/ahci/ahci_err.c \
	drivers/ahci/prdt.c drivers/ahci/ahci_blk.c
host-y += drivers/ahci/prdt.c
host-tests += tests/host/test_ahci_prdt.c
