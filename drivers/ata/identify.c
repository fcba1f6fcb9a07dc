// SPDX-License-Identifier: MIT
/*
 * IDENTIFY DEVICE parsing, ACS-3 7.12.7. Pure: no hardware access, so the
 * host tests feed it captured and hand-made pages.
 */
#include "core/lib.h"
#include "drivers/ata/ata.h"

/* Largest logical sector Keel accepts; ACS-3 allows more, no drive has it. */
#define ATA_MAX_LOGICAL_SECTOR KiB(64)
/* LBA48 caps capacity at 2^48 sectors. */
#define ATA_MAX_LBA48_SECTORS (1ULL << 48)

void ata_id_string(const u16 *words, unsigned nwords, char *out)
{
	unsigned n = 0;

	/* ATA strings hold two characters a word, the first in bits 15:8. */
	for (unsigned i = 0; i < nwords; i++) {
		out[n++] = (char)(words[i] >> 8);
		out[n++] = (char)(words[i] & 0xff);
	}
	/* Strings are space padded; also drop NULs a device may pad with. */
	while (n > 0 && (out[n - 1] == ' ' || out[n - 1] == '\0'))
		n--;
	out[n] = '\0';
	/* Keep the boot log printable whatever the device sends. */
	for (unsigned i = 0; i < n; i++)
		if ((unsigned char)out[i] < 0x20 ||
		    (unsigned char)out[i] > 0x7e)
			out[i] = '?';
}

static bool word_valid(u16 w)
{
	return (w & ATA_ID_VALID_MASK) == ATA_ID_VALID;
}

/* ACS-3 7.12.7 word 255: all 512 bytes sum to 0 mod 256 when signed. */
static int check_integrity(const u16 *w, bool *present)
{
	u8 sum = 0;

	*present = (w[ATA_ID_INTEGRITY] & ATA_ID_INTEGRITY_SIG_MASK) ==
		   ATA_ID_INTEGRITY_SIG;
	if (!*present)
		return 0;
	for (unsigned i = 0; i < ATA_ID_WORDS; i++)
		sum += (u8)(w[i] & 0xff) + (u8)(w[i] >> 8);
	return sum == 0 ? 0 : -EIO;
}

static void parse_sector_sizes(const u16 *w, struct ata_identity *id)
{
	u16 ss = w[ATA_ID_SECTOR_SIZE];

	id->logical_sector_size = ATA_SECTOR_SIZE;
	id->physical_sector_size = ATA_SECTOR_SIZE;
	if (!word_valid(ss))
		return;
	if (ss & ATA_ID_SS_LOGICAL_LONG) {
		u32 lwords = (u32)w[ATA_ID_LOGICAL_SECTOR_SIZE] |
			     ((u32)w[ATA_ID_LOGICAL_SECTOR_SIZE + 1] << 16);
		/* Words 117-118 count 16-bit words (ACS-3 7.12.7). A count
		 * above the largest size accepted is kept 0 (refused below)
		 * rather than doubled, which could wrap to a valid size. */
		id->logical_sector_size =
			lwords <= ATA_MAX_LOGICAL_SECTOR / 2 ? lwords * 2 : 0;
	}
	id->physical_sector_size = id->logical_sector_size;
	if (ss & ATA_ID_SS_MULTI_LOGICAL)
		id->physical_sector_size <<=
			FIELD_GET(ATA_ID_SS_LOG_PER_PHYS, ss);
}

int ata_parse_identify(const u16 *w, struct ata_identity *id)
{
	bool cmdset2_ok, ext_ok, ext_en_ok;
	u16 sata;
	int ret;

	memset(id, 0, sizeof(*id));
	ret = check_integrity(w, &id->has_checksum);
	if (ret)
		return ret;
	if (w[ATA_ID_CONFIG] & ATA_ID_CONFIG_NOT_ATA)
		return -EINVAL;

	ata_id_string(&w[ATA_ID_MODEL], ATA_ID_MODEL_LEN / 2, id->model);
	ata_id_string(&w[ATA_ID_SERIAL], ATA_ID_SERIAL_LEN / 2, id->serial);
	ata_id_string(&w[ATA_ID_FW_REV], ATA_ID_FW_LEN / 2, id->firmware);

	/* Keel drives disks by LBA and DMA only (word 49). */
	if (!(w[ATA_ID_CAPABILITY] & ATA_ID_CAP_LBA) ||
	    !(w[ATA_ID_CAPABILITY] & ATA_ID_CAP_DMA))
		return -EINVAL;

	cmdset2_ok = word_valid(w[ATA_ID_CMDSET2]);
	ext_ok = word_valid(w[ATA_ID_CMDSET_EXT]);
	ext_en_ok = word_valid(w[ATA_ID_CFS_ENABLE_EXT]);

	/* LBA48 needs both "supported" (83) and "enabled" (86) bits. */
	id->lba48 = cmdset2_ok && (w[ATA_ID_CMDSET2] & ATA_ID_CMDSET2_LBA48) &&
		    (w[ATA_ID_CFS_ENABLE2] & ATA_ID_CMDSET2_LBA48);
	if (id->lba48) {
		for (int i = 3; i >= 0; i--)
			id->sectors = (id->sectors << 16) |
				      w[ATA_ID_LBA48_CAPACITY + i];
	}
	/* ACS-3: words 100-103 may be zero; fall back to words 60-61. */
	if (id->sectors == 0)
		id->sectors = (u64)w[ATA_ID_LBA28_CAPACITY] |
			      ((u64)w[ATA_ID_LBA28_CAPACITY + 1] << 16);
	if (id->sectors == 0 || id->sectors > ATA_MAX_LBA48_SECTORS)
		return -EINVAL;

	parse_sector_sizes(w, id);
	if (id->logical_sector_size < ATA_SECTOR_SIZE ||
	    id->logical_sector_size > ATA_MAX_LOGICAL_SECTOR ||
	    (id->logical_sector_size & (id->logical_sector_size - 1)))
		return -EINVAL;

	/* Word 76 reads 0000h or FFFFh on non-SATA devices. */
	sata = w[ATA_ID_SATA_CAPABILITY];
	id->ncq = sata != 0 && sata != 0xffff && (sata & ATA_ID_SATA_NCQ);
	id->queue_depth = 1;
	if (id->ncq)
		id->queue_depth =
			FIELD_GET(ATA_ID_QDEPTH_MASK, w[ATA_ID_QUEUE_DEPTH]) +
			1;
	/* A depth of 1 gains nothing from NCQ; treat the disk as non-NCQ. */
	if (id->queue_depth < 2)
		id->ncq = false;

	id->write_cache = w[ATA_ID_CMDSET1] & ATA_ID_CMDSET1_WCACHE;
	id->write_cache_enabled = id->write_cache && (w[ATA_ID_CFS_ENABLE1] &
						      ATA_ID_CMDSET1_WCACHE);
	id->flush_ext = cmdset2_ok &&
			(w[ATA_ID_CMDSET2] & ATA_ID_CMDSET2_FLUSH_EXT) &&
			(w[ATA_ID_CFS_ENABLE2] & ATA_ID_CMDSET2_FLUSH_EXT);
	id->fua = id->lba48 && ext_ok && ext_en_ok &&
		  (w[ATA_ID_CMDSET_EXT] & ATA_ID_CMDSET_EXT_FUA) &&
		  (w[ATA_ID_CFS_ENABLE_EXT] & ATA_ID_CMDSET_EXT_FUA);
	id->log_ext = ext_ok && (w[ATA_ID_CMDSET_EXT] & ATA_ID_CMDSET_EXT_GPL);
	/* 0 is "not reported": treated as rotating, as Linux does. */
	id->nonrotational = w[ATA_ID_ROTATION_RATE] == ATA_ID_ROTATION_NONE;
	return 0;
}

int ata_identity_summary(const struct ata_identity *id, char *buf, size_t size)
{
	u64 bytes = id->sectors * id->logical_sector_size;
	u64 mib = bytes >> 20;

	return ksnprintf(
		buf, size,
		"\"%s\" sn \"%s\" fw \"%s\", %llu sectors (%llu MiB),"
		" %u/%u B sectors, %s, NCQ %u, wcache %s%s%s",
		id->model, id->serial, id->firmware,
		(unsigned long long)id->sectors, (unsigned long long)mib,
		id->logical_sector_size, id->physical_sector_size,
		id->lba48 ? "LBA48" : "LBA28", id->ncq ? id->queue_depth : 0,
		!id->write_cache	? "none" :
		id->write_cache_enabled ? "on" :
					  "off",
		id->flush_ext ? ", flush-ext" : "", id->fua ? ", FUA" : "");
}
