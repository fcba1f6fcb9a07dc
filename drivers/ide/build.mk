# IDE (PCI IDE, PIIX3/PIIX4) ATA driver: docs/ata.md. The pure parts (PRD
# tables, LBA48 taskfiles, limits, channel ports) also build for the host.
keel-y += drivers/ide/ide.c drivers/ide/ide_cmd.c drivers/ide/ide_prd.c \
	drivers/ide/ide_ports.c drivers/ide/ide_blk.c
host-y += drivers/ide/ide_prd.c drivers/ide/ide_ports.c
host-tests += tests/host/test_ide_prd.c
