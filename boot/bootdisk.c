// SPDX-License-Identifier: MIT
/* Keel's boot disk, by its ISO 9660 volume (boot/bootdisk.h). */
#include "core/lib.h"
#include "boot/bootdisk.h"

#define EL_TORITO_ID "EL TORITO SPECIFICATION"

u64 iso_boot_volume_sectors(const u8 *vds, size_t len)
{
	u64 blocks = 0;
	bool boot = false;

	for (size_t off = 0; off + ISO_BLOCK <= len; off += ISO_BLOCK) {
		const u8 *vd = vds + off;
		u32 n;

		if (memcmp(vd + ISO_VD_ID, "CD001", 5))
			return 0;
		if (vd[0] == ISO_VD_TYPE_END)
			break;
		if (vd[0] == ISO_VD_TYPE_PRIMARY) {
			/* The little-endian half of the both-endian field. */
			memcpy(&n, vd + ISO_PVD_VOLUME_BLOCKS, 4);
			blocks = n;
		} else if (vd[0] == ISO_VD_TYPE_BOOT &&
			   !memcmp(vd + ISO_VD_BOOT_SYSID, EL_TORITO_ID,
				   sizeof(EL_TORITO_ID) - 1)) {
			boot = true;
		}
	}
	return boot ? blocks * (ISO_BLOCK / 512) : 0;
}
