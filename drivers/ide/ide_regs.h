/* SPDX-License-Identifier: MIT */
/*
 * PCI IDE controller registers. Sources, cited by the short name:
 * - "PCI IDE 1.0": PCI IDE Controller Specification, Revision 1.0 (ports,
 *   programming interface byte, native and compatibility modes);
 * - "BMIDE 1.0": Programming Interface for Bus Master IDE Controller,
 *   Revision 1.0 (bus-master registers and the PRD table);
 * - "ATA-6": ATA/ATAPI-6 (T13/1410D) ch. 7, the register (taskfile) block;
 * - "ACS-3": ATA commands, see drivers/ata/ata.h.
 * Encodings only: the PRD builder in ide_prd.c and the driver use them.
 */
#ifndef KEEL_DRIVERS_IDE_REGS_H
#define KEEL_DRIVERS_IDE_REGS_H

#include "core/types.h"

/* ---- PCI function: class 01h (mass storage), subclass 01h (IDE) ---- */
#define IDE_PCI_CLASS 0x01
#define IDE_PCI_SUBCLASS 0x01
/* Programming interface byte, PCI IDE 1.0 2.1 */
#define IDE_PROGIF_PRI_NATIVE BIT(0) /* primary in native-PCI mode */
#define IDE_PROGIF_PRI_SWITCH BIT(1) /* ... mode is programmable */
#define IDE_PROGIF_SEC_NATIVE BIT(2) /* secondary in native-PCI mode */
#define IDE_PROGIF_SEC_SWITCH BIT(3)
#define IDE_PROGIF_BUS_MASTER BIT(7) /* bus-master IDE (BAR4) */
/*
 * Native mode: BAR0/1 primary command/control, BAR2/3 secondary; BAR4 is
 * the bus-master block (PCI IDE 1.0 2.2; BMIDE 1.0 1.2).
 */
#define IDE_BAR_CMD(ch) (2 * (ch))
#define IDE_BAR_CTL(ch) (2 * (ch) + 1)
#define IDE_BAR_BM 4
/* Native BAR sizes: 8 command ports; a 4-byte control BAR, register at 2. */
#define IDE_NATIVE_CMD_SIZE 8
#define IDE_NATIVE_CTL_SIZE 4
#define IDE_NATIVE_CTL_OFFSET 2
/* Compatibility-mode addresses, PCI IDE 1.0 2.1 */
#define IDE_PRI_CMD_PORT 0x1f0
#define IDE_PRI_CTL_PORT 0x3f6
#define IDE_SEC_CMD_PORT 0x170
#define IDE_SEC_CTL_PORT 0x376

/* ---- Command block registers, offsets from the command base, ATA-6 7 ---- */
#define IDE_REG_DATA 0 /* 16-bit PIO data */
#define IDE_REG_ERROR 1 /* read */
#define IDE_REG_FEATURE 1 /* write */
#define IDE_REG_COUNT 2
#define IDE_REG_LBA_LOW 3
#define IDE_REG_LBA_MID 4
#define IDE_REG_LBA_HIGH 5
#define IDE_REG_DEVICE 6
#define IDE_REG_STATUS 7 /* read: also clears a pending interrupt */
#define IDE_REG_COMMAND 7 /* write */

/* Status, ATA-6 7.15.6 */
#define IDE_STATUS_ERR BIT(0) /* error: see the error register */
#define IDE_STATUS_DRQ BIT(3) /* data request */
#define IDE_STATUS_DF BIT(5) /* device fault */
#define IDE_STATUS_DRDY BIT(6) /* device ready */
#define IDE_STATUS_BSY BIT(7)
/* Reads as all ones when no device drives the bus (pull-ups). */
#define IDE_STATUS_FLOATING 0xff

/* Device register, ATA-6 7.10: bit 4 selects device 1 (slave). */
#define IDE_DEVICE_DEV1 BIT(4)
/* Obsolete bits 7 and 5, still set by convention for older devices. */
#define IDE_DEVICE_OBS (BIT(7) | BIT(5))

/* ---- Control block: alternate status (read) / device control (write) ---- */
#define IDE_DEVCTL_NIEN BIT(1) /* no INTRQ: Keel polls (ATA-6 7.9.6) */
#define IDE_DEVCTL_SRST BIT(2) /* software reset of both devices */
#define IDE_DEVCTL_HOB BIT(7) /* read the previous (high) LBA48 bytes */

/* ATAPI signature left in LBA mid/high by an aborted IDENTIFY (ACS-3 9.1) */
#define IDE_SIG_ATAPI_MID 0x14
#define IDE_SIG_ATAPI_HIGH 0xeb

/* ---- Bus-master registers, per channel at BAR4 + 8 * ch, BMIDE 1.0 2 ---- */
#define IDE_BM_CHANNEL_STRIDE 8
#define IDE_BM_CMD 0 /* 8-bit */
#define IDE_BM_CMD_START BIT(0)
#define IDE_BM_CMD_TO_MEMORY BIT(3) /* 1: device-to-memory (a read) */
#define IDE_BM_STATUS 2 /* 8-bit */
#define IDE_BM_STATUS_ACTIVE BIT(0)
#define IDE_BM_STATUS_ERROR BIT(1) /* write 1 to clear */
#define IDE_BM_STATUS_IRQ BIT(2) /* write 1 to clear */
#define IDE_BM_STATUS_DRV0_DMA BIT(5) /* firmware: device 0 DMA capable */
#define IDE_BM_STATUS_DRV1_DMA BIT(6)
#define IDE_BM_PRDT 4 /* 32-bit physical address of the PRD table */

/*
 * Physical Region Descriptor, BMIDE 1.0 1.2: a 32-bit even address, a
 * byte count (bit 0 clear; 0 means 64 KiB) and EOT in the last entry. A
 * region may not cross a 64 KiB boundary; the table is dword-aligned and
 * may not cross one either.
 */
struct ide_prd {
	u32 addr;
	u16 count;
	u16 flags;
} __attribute__((packed));
_Static_assert(sizeof(struct ide_prd) == 8, "BMIDE 1.0 PRD entry");
#define IDE_PRD_EOT BIT(15)
#define IDE_PRD_MAX_BYTES KiB(64)
#define IDE_PRD_BOUNDARY KiB(64)
#define IDE_PRD_ALIGN 2 /* address and count even */
#define IDE_PRDT_ALIGN 4 /* the table's address */

#endif
