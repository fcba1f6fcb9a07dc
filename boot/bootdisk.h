/* SPDX-License-Identifier: MIT */
/*
 * Recognising Keel's boot disk: Keel's ISO (grub-mkrescue's hybrid image)
 * written to a disk is an ISO 9660 volume with an El Torito boot record
 * from the disk's first sector on. guest_disk= never gives the guest
 * sectors of such a volume. Pure, host-tested.
 */
#ifndef KEEL_BOOT_BOOTDISK_H
#define KEEL_BOOT_BOOTDISK_H

#include "core/types.h"

/* ISO 9660 (ECMA-119 8.1) volume descriptors start at 2048-byte block 16. */
#define ISO_BLOCK 2048
#define ISO_VD_FIRST 16
#define ISO_VD_READ 8 /* descriptors read: PVD, boot record, terminator, ... */
#define ISO_VD_TYPE_BOOT 0 /* ECMA-119 8.2; El Torito 1.0 2.0 */
#define ISO_VD_TYPE_PRIMARY 1 /* ECMA-119 8.4 */
#define ISO_VD_TYPE_END 255 /* ECMA-119 8.3 */
#define ISO_VD_ID 1 /* "CD001" */
#define ISO_VD_BOOT_SYSID 7 /* boot system identifier */
#define ISO_PVD_VOLUME_BLOCKS 80 /* volume space size, both-endian u32 */

/*
 * @vds holds @len bytes from 2048-byte block 16 of a disk. The number of
 * 512-byte sectors, from sector 0, that a bootable ISO 9660 volume there
 * spans; 0 when there is none (no primary descriptor or no El Torito boot
 * record before the terminator).
 */
u64 iso_boot_volume_sectors(const u8 *vds, size_t len);

#endif
