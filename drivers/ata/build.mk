# The ATA command set shared by the AHCI and IDE drivers: opcodes and
# IDENTIFY DEVICE parsing (ACS-3). Pure, so it also builds for the host.
keel-y += drivers/ata/identify.c
host-y += drivers/ata/identify.c
host-tests += tests/host/test_ata_identify.c
keel-y += drivers/ata/names.c drivers/ata/ata_blk.c
