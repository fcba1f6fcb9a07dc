// SPDX-License-Identifier: MIT
/*
 * Disk names shared by every ATA transport: "sda", "sdb", ... in probe
 * order across AHCI and IDE, as Linux's libata names them. storage_init()
 * probes AHCI first, then IDE.
 */
#include "core/lib.h"
#include "drivers/ata/ata.h"

static unsigned int ata_ndisks;

int ata_name_next(char *buf, size_t size)
{
	if (ata_ndisks >= ATA_MAX_NAMES)
		return -ENOSPC;
	ksnprintf(buf, size, "sd%c", 'a' + ata_ndisks++);
	return 0;
}
