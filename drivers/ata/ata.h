/* SPDX-License-Identifier: MIT */
/*
 * ATA commands and IDENTIFY DEVICE parsing, independent of the transport
 * (AHCI and IDE share it).
 * Source: "ATA/ATAPI Command Set - 3" (ACS-3, T13/2161-D), cited "ACS-3 x.y"
 * or by command name.
 * Pure code: builds for Keel and for the host tests.
 */
#ifndef KEEL_DRIVERS_ATA_ATA_H
#define KEEL_DRIVERS_ATA_ATA_H

#include "core/types.h"

/* ---- Command opcodes, ACS-3 ch. 7 (one section per command name) ---- */
#define ATA_CMD_NOP 0x00 /* NOP: always aborted (ACS-3 7.17) */
#define ATA_CMD_READ_SECTORS_EXT 0x24 /* PIO data-in, LBA48 */
#define ATA_CMD_READ_DMA_EXT 0x25 /* READ DMA EXT */
#define ATA_CMD_READ_LOG_EXT 0x2f /* PIO data-in, GPL feature set */
#define ATA_CMD_WRITE_SECTORS_EXT 0x34 /* PIO data-out, LBA48 */
#define ATA_CMD_WRITE_DMA_EXT 0x35 /* WRITE DMA EXT */
#define ATA_CMD_WRITE_DMA_FUA_EXT 0x3d /* forced unit access */
#define ATA_CMD_READ_FPDMA_QUEUED 0x60 /* NCQ read */
#define ATA_CMD_WRITE_FPDMA_QUEUED 0x61 /* NCQ write */
#define ATA_CMD_FLUSH_CACHE_EXT 0xea /* write cache to medium */
#define ATA_CMD_IDENTIFY_DEVICE 0xec /* ACS-3 7.12 */
#define ATA_CMD_IDENTIFY_PACKET 0xa1 /* ATAPI devices */

/* DEVICE field: bit 6 selects LBA addressing (ACS-3 6.2.5 DEVICE field) */
#define ATA_DEV_LBA BIT(6)
/*
 * READ/WRITE FPDMA QUEUED inputs (ACS-3, those commands): the sector count
 * moves to FEATURE, the tag to COUNT 7:3, and FUA to DEVICE bit 7.
 */
#define ATA_DEV_FPDMA_FUA BIT(7)
#define ATA_FPDMA_TAG_SHIFT 3

/* Log addresses, ACS-3 Annex A (log address definitions) */
#define ATA_LOG_NCQ_ERROR 0x10 /* NCQ Command Error log */
#define ATA_NCQ_LOG_NQ BIT(7) /* byte 0: error was not from a queued cmd */
#define ATA_NCQ_LOG_TAG GENMASK(4, 0) /* byte 0: failed tag when NQ = 0 */

#define ATA_SECTOR_SIZE 512
#define ATA_ID_WORDS 256
#define ATA_MAX_SECTORS_LBA48 65535 /* 16-bit count; 0 = 65536 avoided */
#define ATA_MAX_QUEUE_DEPTH 32 /* five tag bits */

/* ---- IDENTIFY DEVICE word numbers, ACS-3 7.12.7 ---- */
#define ATA_ID_CONFIG 0
#define ATA_ID_SERIAL 10 /* 10-19, 20 ASCII chars */
#define ATA_ID_FW_REV 23 /* 23-26, 8 chars */
#define ATA_ID_MODEL 27 /* 27-46, 40 chars */
#define ATA_ID_CAPABILITY 49
#define ATA_ID_LBA28_CAPACITY 60 /* 60-61 */
#define ATA_ID_QUEUE_DEPTH 75
#define ATA_ID_SATA_CAPABILITY 76
#define ATA_ID_MAJOR_VER 80
#define ATA_ID_CMDSET1 82 /* commands and feature sets supported */
#define ATA_ID_CMDSET2 83
#define ATA_ID_CMDSET_EXT 84
#define ATA_ID_CFS_ENABLE1 85 /* ... enabled */
#define ATA_ID_CFS_ENABLE2 86
#define ATA_ID_CFS_ENABLE_EXT 87
#define ATA_ID_LBA48_CAPACITY 100 /* 100-103 */
#define ATA_ID_SECTOR_SIZE 106
#define ATA_ID_LOGICAL_SECTOR_SIZE 117 /* 117-118, in words */
#define ATA_ID_ROTATION_RATE \
	217 /* ACS-3 7.12.7.81 Nominal Media Rotation Rate */
#define ATA_ID_INTEGRITY 255

#define ATA_ID_SERIAL_LEN 20
#define ATA_ID_FW_LEN 8
#define ATA_ID_MODEL_LEN 40

#define ATA_ID_CONFIG_NOT_ATA BIT(15) /* word 0: 0 for ATA devices */
#define ATA_ID_CAP_LBA BIT(9) /* word 49 */
#define ATA_ID_CAP_DMA BIT(8) /* word 49 */
#define ATA_ID_QDEPTH_MASK GENMASK(4, 0) /* word 75: depth - 1 */
#define ATA_ID_SATA_NCQ BIT(8) /* word 76 */
#define ATA_ID_CMDSET1_WCACHE BIT(5) /* words 82 / 85 */
#define ATA_ID_CMDSET2_LBA48 BIT(10) /* words 83 / 86 */
#define ATA_ID_CMDSET2_FLUSH_EXT BIT(13) /* words 83 / 86 */
#define ATA_ID_CMDSET_EXT_GPL BIT(5) /* word 84 / 87: READ LOG EXT */
#define ATA_ID_CMDSET_EXT_FUA BIT(6) /* word 84 / 87 */
/* Words 83, 84, 87 and 106 are valid when bit 14 = 1 and bit 15 = 0. */
#define ATA_ID_VALID_MASK (BIT(15) | BIT(14))
#define ATA_ID_VALID BIT(14)
#define ATA_ID_SS_LOG_PER_PHYS GENMASK(3, 0) /* word 106: log2 ratio */
#define ATA_ID_SS_LOGICAL_LONG BIT(12) /* word 106: see words 117-118 */
#define ATA_ID_SS_MULTI_LOGICAL BIT(13) /* word 106: bits 3:0 valid */
#define ATA_ID_INTEGRITY_SIG_MASK GENMASK(7, 0)
#define ATA_ID_INTEGRITY_SIG 0xa5 /* ACS-3 7.12.7, word 255 */
#define ATA_ID_ROTATION_NONE 0x0001 /* word 217: non-rotating media */

/* What Keel needs from IDENTIFY DEVICE. */
struct ata_identity {
	char model[ATA_ID_MODEL_LEN + 1];
	char serial[ATA_ID_SERIAL_LEN + 1];
	char firmware[ATA_ID_FW_LEN + 1];
	u64 sectors; /* capacity in logical sectors */
	u32 logical_sector_size; /* bytes */
	u32 physical_sector_size; /* bytes */
	bool lba48;
	bool ncq;
	u32 queue_depth; /* 1 when NCQ is not supported */
	bool write_cache; /* supported */
	bool write_cache_enabled;
	bool flush_ext;
	bool fua;
	bool log_ext; /* General Purpose Logging: READ LOG EXT */
	bool nonrotational; /* word 217 says non-rotating media (SSD) */
	bool has_checksum; /* word 255 carried the A5h signature */
};

/*
 * Parse the 256 IDENTIFY DEVICE words (as little-endian words, as the device
 * sends them) into @id. Returns 0, -EINVAL when the data is not from an ATA
 * device or is inconsistent (no LBA, zero or absurd capacity or sector size),
 * or -EIO when word 255 has the signature and the checksum is wrong.
 */
int ata_parse_identify(const u16 *words, struct ata_identity *id);

/* Copy an IDENTIFY string of @nwords from @words: swap bytes, trim spaces. */
void ata_id_string(const u16 *words, unsigned nwords, char *out);

/* Fill @id with a one-line summary for the boot log. */
int ata_identity_summary(const struct ata_identity *id, char *buf, size_t size);

/* Names "sda".."sdz": one letter each. */
#define ATA_MAX_NAMES 26

/*
 * The next disk name in probe order, shared by the AHCI and IDE drivers so
 * that their disks never share a name. 0, or -ENOSPC after "sdz".
 */
int ata_name_next(char *buf, size_t size);

#endif
