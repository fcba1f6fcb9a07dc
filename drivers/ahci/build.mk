# AHCI SATA driver. Sources live in drivers/ahci/; the pure parts
# (PRDT building, IDENTIFY parsing, the test pattern) also build for the host.
keel-y += drivers/ahci/ahci.c drivers/ahci/ahci_port.c drivers/ahci/ahci_err.c \
	drivers/ahci/prdt.c drivers/ahci/identify.c drivers/ahci/ahci_pattern.c \
	drivers/ahci/ahci_selftest.c drivers/ahci/ahci_blk.c \
	drivers/ahci/ahci_bench.c
host-y += drivers/ahci/prdt.c drivers/ahci/identify.c \
	drivers/ahci/ahci_pattern.c
host-tests += tests/host/test_ahci_prdt.c tests/host/test_ata_identify.c \
	tests/host/test_ahci_pattern.c
